//! Per-token and per-word scores from the predictions of every prefix.
//!
//! # Definition
//!
//! Let `L_s` be the positive-versus-negative log-odds after the model has read the first `s` tokens,
//! `L_s = log p_s(positive) - log p_s(negative) = z_s(positive) - z_s(negative)`, the difference of the two
//! labels' logits (the config's `positive_label` and `negative_label`), with `L_0` the prediction for the empty
//! text (the head applied to the zero state). With two labels that is the positive log-odds,
//! `log p_s(positive) - log(1 - p_s(positive))`. The score of token `s` is the prefix delta
//!
//! ```text
//! score_s = L_s - L_{s-1}
//! ```
//!
//! how far adding that token to the prefix moved the positive-versus-negative log-odds. Positive scores push
//! towards the positive label, negative ones towards the negative label, and the scores add up to `L_T - L_0`: the
//! whole text's log-odds, measured from the empty text. A word made of several tokens gets the sum of its
//! tokens' scores, which is the same prefix delta taken over the whole word.
//!
//! With more labels (negative, neutral, positive) the score ignores the others on purpose: a token that moves
//! the text from positive to neutral only is scored by how it moved positive against negative, so that a score's
//! sign keeps one meaning. The running probability of each token is still `p_s(positive)`, a softmax over all
//! labels.
//!
//! The score reads the model in context: in "not good", "good" is scored after "not" has been read, so it
//! can be negative. Format v1 is forward-only, so every prefix has a prediction of its own; a bidirectional
//! model would need a different definition (for example, the backward direction run from each token to the
//! end), since its prefix states see the future.

use crate::recurrent::Trace;

/// `log p(positive) - log p(negative)` from logits: their difference, `z_positive - z_negative`. With two labels
/// it has the bits of [`log_odds`] of the positive label, which is the same subtraction.
pub fn log_odds_versus(logits: &[f32], positive: usize, negative: usize) -> f32 {
    debug_assert!(
        positive < logits.len() && negative < logits.len(),
        "labels {positive}, {negative} of {}",
        logits.len()
    );
    logits[positive] - logits[negative]
}

/// `log p(label) - log(1 - p(label))`, one label against all the others, from logits, computed without forming
/// `p` so it stays finite. With two labels that is the difference of the logits, which the general formula gives
/// too (for finite logits, up to the sign of a zero) after an `exp` and an `ln`, each a software routine in wasm;
/// it is then also [`log_odds_versus`] the other label, what per-token scores measure.
pub fn log_odds(logits: &[f32], label: usize) -> f32 {
    debug_assert!(label < logits.len(), "label {label} of {} logits", logits.len());
    match logits {
        [a, b] if label == 0 => a - b,
        [a, b] => b - a,
        _ => log_odds_general(logits, label),
    }
}

/// [`log_odds`] for any number of labels: `z_label − log Σ_{k ≠ label} e^{z_k}`, from the largest of those.
fn log_odds_general(logits: &[f32], label: usize) -> f32 {
    let rest_max =
        logits.iter().enumerate().filter(|&(k, _)| k != label).map(|(_, &z)| z).fold(f32::NEG_INFINITY, f32::max);
    let rest_sum: f32 =
        logits.iter().enumerate().filter(|&(k, _)| k != label).map(|(_, &z)| (z - rest_max).exp()).sum();
    logits[label] - (rest_max + rest_sum.ln())
}

/// Softmax over `logits`, stable for large values.
pub fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = logits.iter().map(|z| (z - max).exp()).collect();
    let sum: f32 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

/// `softmax(logits)[label]` without allocating: the same bits for finite logits, with no `exp` for a logit equal
/// to the largest (`e^0` is exactly 1) and the label's own `exp` taken from the sum's.
pub fn probability(logits: &[f32], label: usize) -> f32 {
    debug_assert!(label < logits.len(), "label {label} of {} logits", logits.len());
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let (mut sum, mut own) = (0.0, 0.0);
    for (k, &z) in logits.iter().enumerate() {
        let e = if z == max { 1.0 } else { (z - max).exp() };
        sum += e;
        if k == label {
            own = e;
        }
    }
    own / sum
}

/// Per-token results of one pass.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenScores {
    /// `score_s` for each token.
    pub scores: Vec<f32>,
    /// `p_s(positive)`: the positive probability once the prefix through each token has been read.
    pub running: Vec<f32>,
}

/// The prefix-delta score of every token (of the log-odds of label `positive` against label `negative`), and the
/// running positive probability.
pub fn token_scores(trace: &Trace, positive: usize, negative: usize) -> TokenScores {
    let odds: Vec<f32> = (0..=trace.steps).map(|s| log_odds_versus(trace.logits_at(s), positive, negative)).collect();
    TokenScores {
        scores: odds.windows(2).map(|w| w[1] - w[0]).collect(),
        running: (1..=trace.steps).map(|s| probability(trace.logits_at(s), positive)).collect(),
    }
}

/// A word: a run of consecutive tokens with the same word id, and its merged score.
#[derive(Debug, Clone, PartialEq)]
pub struct WordSpan {
    /// The word's tokens, `first..end`.
    pub tokens: std::ops::Range<usize>,
    /// Byte offsets of the word in the text: the first token's start to the last token's end.
    pub start: usize,
    pub end: usize,
    /// The sum of its tokens' scores.
    pub score: f32,
}

/// Groups tokens into words by their word ids (a token without one is a word by itself).
pub fn words(word_ids: &[Option<u32>], offsets: &[(usize, usize)], scores: &[f32]) -> Vec<WordSpan> {
    let mut words: Vec<WordSpan> = Vec::new();
    for (index, (word_id, &(start, end))) in word_ids.iter().zip(offsets).enumerate() {
        let continues = index > 0 && word_id.is_some() && word_ids[index - 1] == *word_id;
        match words.last_mut() {
            Some(word) if continues => {
                word.tokens.end = index + 1;
                word.end = word.end.max(end);
                word.score += scores[index];
            }
            _ => words.push(WordSpan { tokens: index..index + 1, start, end, score: scores[index] }),
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_odds_of_two_labels_is_the_logit_difference() {
        assert!((log_odds(&[0.5, 2.0], 1) - 1.5).abs() < 1e-6);
        assert!((log_odds(&[0.5, 2.0], 0) + 1.5).abs() < 1e-6);
    }

    #[test]
    fn log_odds_of_two_labels_has_the_bits_of_the_general_formula() {
        for logits in [[0.5f32, 2.0], [-3.25, 1e-3], [7.0, 7.0], [1e-30, -1e30]] {
            for label in 0..2 {
                let general = log_odds_general(&logits, label);
                assert_eq!(log_odds(&logits, label).to_bits(), general.to_bits(), "{logits:?} {label}");
            }
        }
    }

    #[test]
    fn probability_has_the_bits_of_softmax() {
        for logits in [&[0.5f32, 2.0][..], &[-3.25, 1e-3], &[7.0, 7.0], &[0.3, -1.2, 0.9], &[2.0, 2.0, -1.0]] {
            for label in 0..logits.len() {
                assert_eq!(probability(logits, label).to_bits(), softmax(logits)[label].to_bits(), "{logits:?}");
            }
        }
    }

    #[test]
    fn log_odds_stays_finite_when_probabilities_saturate() {
        let odds = log_odds(&[-200.0, 200.0], 1);
        assert!((odds - 400.0).abs() < 1e-3, "{odds}");
    }

    #[test]
    fn log_odds_of_three_labels_matches_the_probabilities() {
        let logits = [0.3, -1.2, 0.9];
        let p = softmax(&logits);
        let expected = (p[2] / (1.0 - p[2])).ln();
        assert!((log_odds(&logits, 2) - expected).abs() < 1e-5);
    }

    #[test]
    fn scores_telescope_to_the_whole_text() {
        let trace = Trace {
            steps: 3,
            labels: 2,
            logits: vec![0.0, 0.1, 0.0, 1.0, 0.5, -0.5, 0.2, 2.0],
            hidden: vec![],
            cell: vec![],
        };
        let TokenScores { scores, running } = token_scores(&trace, 1, 0);
        let total: f32 = scores.iter().sum();
        assert!((total - (1.8 - 0.1)).abs() < 1e-6, "{scores:?}");
        assert!((scores[1] - (-1.0 - 1.0)).abs() < 1e-6, "{scores:?}");
        assert_eq!(running[2], softmax(&[0.2, 2.0])[1]);
    }

    #[test]
    fn log_odds_versus_the_other_of_two_labels_has_the_bits_of_log_odds() {
        for logits in [[0.5f32, 2.0], [-3.25, 1e-3], [7.0, 7.0], [1e-30, -1e30], [-0.0, 0.0], [0.1, 0.3]] {
            for positive in 0..2 {
                let versus = log_odds_versus(&logits, positive, 1 - positive);
                assert_eq!(versus.to_bits(), log_odds(&logits, positive).to_bits(), "{logits:?} {positive}");
            }
        }
    }

    #[test]
    fn scores_of_three_labels_measure_positive_against_negative_and_ignore_neutral() {
        // Labels [negative, neutral, positive]; the neutral logit swings, which moves no score.
        let trace = Trace {
            steps: 2,
            labels: 3,
            logits: vec![0.0, 5.0, 0.5, 1.0, -3.0, 0.0, 1.0, 9.0, 3.0],
            hidden: vec![],
            cell: vec![],
        };
        let TokenScores { scores, running } = token_scores(&trace, 2, 0);
        assert_eq!(scores, vec![(0.0 - 1.0) - (0.5 - 0.0), (3.0 - 1.0) - (0.0 - 1.0)]);
        assert_eq!(running, vec![softmax(&[1.0, -3.0, 0.0])[2], softmax(&[1.0, 9.0, 3.0])[2]]);
    }

    #[test]
    fn subword_tokens_merge_into_one_word() {
        let word_ids = [Some(0), Some(1), Some(1), None, Some(2)];
        let offsets = [(0, 3), (4, 10), (10, 13), (13, 14), (15, 18)];
        let scores = [0.5, -1.0, 0.25, 0.1, 2.0];
        let words = words(&word_ids, &offsets, &scores);
        let spans: Vec<_> = words.iter().map(|w| (w.tokens.clone(), w.start, w.end, w.score)).collect();
        assert_eq!(spans, vec![(0..1, 0, 3, 0.5), (1..3, 4, 13, -0.75), (3..4, 13, 14, 0.1), (4..5, 15, 18, 2.0)]);
    }
}
