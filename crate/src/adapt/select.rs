//! Choosing the pull's strength and estimating what the new head is worth, honestly.
//!
//! The strength λ is chosen by stratified k-fold cross-validation on the user's labels (the held-out log-loss,
//! over a grid from a strong pull to a weak one, each fit starting from the one before). Choosing λ on the same
//! folds that then estimate the accuracy would overstate it (by 4–6 points with 200 labels, measured when the
//! issue was filed), so the estimate is *nested*: each outer fold chooses its own λ by an inner cross-validation
//! on its training part alone, and predicts its held-out part with that fit. The estimate's interval, and the
//! gain's over the model's own head on the same posts, come from a bootstrap over the posts.

use super::fit::{Examples, Linear, fit};

/// The strengths tried, strongest first: from 1 to 3·10⁻³ (the features are recurrent states, in (−1, 1), and the
/// loss is a mean, so these span "stay at the prior" to "follow the labels"), half-decades where the choice falls
/// (the one-standard-error rule rarely reaches past 3·10⁻³; 0.3 and 10⁻³ were dropped to cut the fits by a
/// quarter, for 500 posts in under a second in a browser).
pub(super) const STRENGTHS: [f64; 5] = [1.0, 0.1, 0.03, 0.01, 0.003];

/// Folds of the inner cross-validation that chooses each outer fold's strength: it only ranks the strengths, and
/// the nested estimate's cost grows with outer × inner folds.
const INNER_FOLDS: usize = 3;

/// Bootstrap resamples for every interval.
const RESAMPLES: usize = 1000;

/// A small deterministic generator (SplitMix64): the same labels and seed give the same folds and intervals.
#[derive(Debug, Clone)]
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (`bound > 0`).
    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// `rows` split into `k` folds, each label spread evenly over them: fold `f` holds the rows `fold[r] == f`.
pub(super) fn stratified_folds(y: &[usize], rows: &[usize], k: usize, rng: &mut Rng) -> Vec<usize> {
    let mut folds = vec![0; rows.len()];
    let labels = rows.iter().map(|&i| y[i]).max().map_or(0, |top| top + 1);
    // Positions of each label's rows, shuffled, dealt round-robin; each label starts where the last one stopped,
    // so that the folds' sizes differ by at most one.
    let mut next = 0;
    for label in 0..labels {
        let mut positions: Vec<usize> = (0..rows.len()).filter(|&r| y[rows[r]] == label).collect();
        rng.shuffle(&mut positions);
        for r in positions {
            folds[r] = next % k;
            next += 1;
        }
    }
    folds
}

/// The strength of [`STRENGTHS`] chosen by cross-validated log-loss over `rows` (`k` folds), by the one-standard-error
/// rule: the strongest whose mean held-out loss is within one standard error of the lowest mean's. The labels are
/// few, so the lowest mean is itself noisy; of the strengths it cannot tell apart, the one nearest the model's own
/// head moves least on what the labels do not show.
pub(super) fn choose_strength(examples: &Examples, rows: &[usize], prior: &Linear, k: usize, rng: &mut Rng) -> f64 {
    let folds = stratified_folds(examples.y, rows, k, rng);
    // Per strength, each held-out post's loss.
    let mut losses: [Vec<f64>; STRENGTHS.len()] = Default::default();
    for fold in 0..k {
        let (train, held): (Vec<usize>, Vec<usize>) = split(rows, &folds, fold);
        if held.is_empty() {
            continue;
        }
        let mut start = prior.clone();
        for (losses, &lambda) in losses.iter_mut().zip(&STRENGTHS) {
            start = fit(examples, &train, prior, lambda, &start);
            losses.extend(held.iter().map(|&i| start.log_loss(examples, &[i])));
        }
    }
    let mean = |values: &[f64]| values.iter().sum::<f64>() / values.len().max(1) as f64;
    let means = losses.each_ref().map(|losses| mean(losses));
    let best = means.iter().enumerate().fold(0, |best, (i, &loss)| if loss < means[best] { i } else { best });
    let spread = losses[best].iter().map(|loss| (loss - means[best]).powi(2)).sum::<f64>();
    let n = losses[best].len().max(2) as f64;
    let error = (spread / (n - 1.0) / n).sqrt();
    let chosen = means.iter().position(|&loss| loss <= means[best] + error).unwrap_or(best);
    STRENGTHS[chosen]
}

/// The training rows and the held-out rows of fold `fold`.
fn split(rows: &[usize], folds: &[usize], fold: usize) -> (Vec<usize>, Vec<usize>) {
    let (mut train, mut held) = (Vec::new(), Vec::new());
    for (&i, &f) in rows.iter().zip(folds) {
        if f == fold { &mut held } else { &mut train }.push(i);
    }
    (train, held)
}

/// The nested cross-validation's prediction for each of `rows` (in order): from a head fitted without its fold, at
/// the strength that fold's training part chose for itself (by [`INNER_FOLDS`] folds).
pub(super) fn nested_predictions(
    examples: &Examples,
    rows: &[usize],
    prior: &Linear,
    k: usize,
    rng: &mut Rng,
) -> Vec<usize> {
    let folds = stratified_folds(examples.y, rows, k, rng);
    let mut predictions = vec![0; rows.len()];
    for fold in 0..k {
        let (train, held) = split(rows, &folds, fold);
        if held.is_empty() {
            continue;
        }
        let lambda = choose_strength(examples, &train, prior, k.min(INNER_FOLDS), rng);
        let head = fit(examples, &train, prior, lambda, prior);
        for (r, &i) in rows.iter().enumerate().filter(|&(r, _)| folds[r] == fold) {
            predictions[r] = head.predict(examples.row(i));
        }
    }
    predictions
}

/// Accuracy and macro-F1 (over the labels `truth` has at `sample`) of `predicted` against `truth`, over positions
/// `sample`.
pub(super) fn accuracy_and_macro_f1(
    truth: &[usize],
    predicted: &[usize],
    sample: &[usize],
    labels: usize,
) -> (f64, f64) {
    let mut counts = vec![[0usize; 3]; labels]; // per label: true positives, false positives, false negatives
    let mut correct = 0;
    for &r in sample {
        let (t, p) = (truth[r], predicted[r]);
        if t == p {
            correct += 1;
            counts[t][0] += 1;
        } else {
            counts[p][1] += 1;
            counts[t][2] += 1;
        }
    }
    let present: Vec<usize> = (0..labels).filter(|&c| sample.iter().any(|&r| truth[r] == c)).collect();
    let f1 = |[tp, fp, fn_]: [usize; 3]| if tp == 0 { 0.0 } else { 2.0 * tp as f64 / (2 * tp + fp + fn_) as f64 };
    let macro_f1 = present.iter().map(|&c| f1(counts[c])).sum::<f64>() / present.len().max(1) as f64;
    (correct as f64 / sample.len().max(1) as f64, macro_f1)
}

/// Bootstrap percentiles (2.5%, 97.5%) of the current head's and the new head's accuracy and macro-F1, and of the
/// accuracy gain, over resamples of the posts (the two heads always on the same resample).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Intervals {
    pub(super) current_accuracy: [f64; 2],
    pub(super) current_macro_f1: [f64; 2],
    pub(super) adapted_accuracy: [f64; 2],
    pub(super) adapted_macro_f1: [f64; 2],
    pub(super) gain: [f64; 2],
}

pub(super) fn bootstrap(
    truth: &[usize],
    current: &[usize],
    adapted: &[usize],
    labels: usize,
    rng: &mut Rng,
) -> Intervals {
    let n = truth.len();
    let mut draws: [Vec<f64>; 5] = Default::default();
    let mut sample = vec![0; n];
    for _ in 0..RESAMPLES {
        for s in &mut sample {
            *s = rng.below(n.max(1));
        }
        let (a0, f0) = accuracy_and_macro_f1(truth, current, &sample, labels);
        let (a1, f1) = accuracy_and_macro_f1(truth, adapted, &sample, labels);
        for (draw, value) in draws.iter_mut().zip([a0, f0, a1, f1, a1 - a0]) {
            draw.push(value);
        }
    }
    let [a0, f0, a1, f1, gain] = draws.map(|mut values| {
        values.sort_by(f64::total_cmp);
        let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
        [at(0.025), at(0.975)]
    });
    Intervals { current_accuracy: a0, current_macro_f1: f0, adapted_accuracy: a1, adapted_macro_f1: f1, gain }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_spread_every_label_evenly() {
        let y: Vec<usize> = (0..23).map(|i| usize::from(i % 3 == 0)).collect();
        let rows: Vec<usize> = (0..23).collect();
        let folds = stratified_folds(&y, &rows, 5, &mut Rng::new(7));
        for fold in 0..5 {
            let size = folds.iter().filter(|&&f| f == fold).count();
            assert!((4..=5).contains(&size), "fold {fold} has {size} rows");
            let ones = (0..23).filter(|&r| folds[r] == fold && y[r] == 1).count();
            assert!((1..=2).contains(&ones), "fold {fold} has {ones} of label 1's 8 rows");
        }
        assert_eq!(folds, stratified_folds(&y, &rows, 5, &mut Rng::new(7)), "the same seed, the same folds");
    }

    #[test]
    fn macro_f1_averages_the_labels_the_truth_has() {
        // Label 2 is never true; one post predicted as label 2 counts against label 0 only.
        let truth = [0, 0, 1, 1];
        let predicted = [0, 2, 1, 1];
        let (accuracy, macro_f1) = accuracy_and_macro_f1(&truth, &predicted, &[0, 1, 2, 3], 3);
        assert_eq!(accuracy, 0.75);
        // Label 0: 2·1 / (2 + 0 + 1) = 2/3; label 1: 1.
        assert!((macro_f1 - (2.0 / 3.0 + 1.0) / 2.0).abs() < 1e-12);
    }

    #[test]
    fn the_bootstrap_brackets_the_point_estimates() {
        let truth: Vec<usize> = (0..200).map(|i| i % 2).collect();
        let current: Vec<usize> = (0..200).map(|i| if i % 5 == 0 { 1 - i % 2 } else { i % 2 }).collect();
        let adapted = truth.clone();
        let intervals = bootstrap(&truth, &current, &adapted, 2, &mut Rng::new(1));
        let all: Vec<usize> = (0..200).collect();
        let (a0, _) = accuracy_and_macro_f1(&truth, &current, &all, 2);
        assert!(intervals.current_accuracy[0] < a0 && a0 < intervals.current_accuracy[1]);
        assert_eq!(intervals.adapted_accuracy, [1.0, 1.0]);
        assert!(intervals.gain[0] > 0.1 && intervals.gain[1] < 0.3, "{:?}", intervals.gain);
    }
}
