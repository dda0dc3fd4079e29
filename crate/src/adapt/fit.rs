//! Fitting a head: multinomial logistic regression with an L2 pull towards a prior head, by L-BFGS.
//!
//! For examples `x_i` (`d` features) with labels `y_i` among `k`, the head `(W, b)` minimises
//!
//!   f(W, b) = (1/n) Σ_i [log Σ_c exp(z_ic) − z_{i,y_i}] + (λ/2) (‖W − W₀‖² + ‖b − b₀‖²),   z_i = W x_i + b
//!
//! where `(W₀, b₀)` is the model's own head: with λ large the fit stays where the model was, so a few labels
//! cannot wreck it, and a label the user never gives keeps the prior's weights (pulled down by the others only as
//! far as the pull allows). `f` is smooth and, for λ > 0, strongly convex: L-BFGS with a backtracking line search
//! finds its one minimum in a few dozen evaluations for the sizes a user labels (hundreds of examples, a few hundred
//! features). Everything is `f64`, the features too (widened from the model's `f32` once).

/// Labelled examples: row `i` of `x` (`[n][d]`, row-major) has label `y[i]` (`< labels`).
#[derive(Debug)]
pub(super) struct Examples<'a> {
    pub(super) x: &'a [f64],
    pub(super) y: &'a [usize],
    pub(super) features: usize,
    pub(super) labels: usize,
}

impl Examples<'_> {
    pub(super) fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.features..(i + 1) * self.features]
    }
}

/// A linear head: `[labels][features]` weights, row-major, then `[labels]` biases, in one vector (the parameters
/// L-BFGS moves).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Linear {
    pub(super) params: Vec<f64>,
    pub(super) features: usize,
    pub(super) labels: usize,
}

impl Linear {
    pub(super) fn new(weight: &[f32], bias: &[f32]) -> Linear {
        let params = weight.iter().chain(bias).map(|&v| f64::from(v)).collect();
        Linear { params, features: weight.len() / bias.len().max(1), labels: bias.len() }
    }

    pub(super) fn weight(&self) -> &[f64] {
        &self.params[..self.labels * self.features]
    }

    pub(super) fn bias(&self) -> &[f64] {
        &self.params[self.labels * self.features..]
    }

    /// The logits of `x` into `z` (`labels` long).
    fn logits(&self, x: &[f64], z: &mut [f64]) {
        for ((z, row), b) in z.iter_mut().zip(self.weight().chunks_exact(self.features)).zip(self.bias()) {
            *z = b + dot(row, x);
        }
    }

    /// The most probable label of `x` (the first of equals).
    pub(super) fn predict(&self, x: &[f64]) -> usize {
        let mut z = vec![0.0; self.labels];
        self.logits(x, &mut z);
        argmax(&z)
    }

    /// The mean negative log-likelihood of `rows` of `examples`.
    pub(super) fn log_loss(&self, examples: &Examples, rows: &[usize]) -> f64 {
        let mut z = vec![0.0; self.labels];
        let total: f64 = rows
            .iter()
            .map(|&i| {
                self.logits(examples.row(i), &mut z);
                log_sum_exp(&z) - z[examples.y[i]]
            })
            .sum();
        total / rows.len().max(1) as f64
    }
}

/// `a · b` in four running sums (which the compiler may keep in vector lanes; one sum could not be reordered).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let (chunks, tail) = a.as_chunks::<4>();
    let mut sums = [0.0; 4];
    for (a, b) in chunks.iter().zip(b.chunks_exact(4)) {
        for lane in 0..4 {
            sums[lane] += a[lane] * b[lane];
        }
    }
    let rest: f64 = tail.iter().zip(&b[chunks.len() * 4..]).map(|(a, b)| a * b).sum();
    (sums[0] + sums[1]) + (sums[2] + sums[3]) + rest
}

pub(super) fn argmax(values: &[f64]) -> usize {
    values.iter().enumerate().fold(0, |best, (i, &v)| if v > values[best] { i } else { best })
}

fn log_sum_exp(z: &[f64]) -> f64 {
    let top = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    top + z.iter().map(|v| (v - top).exp()).sum::<f64>().ln()
}

/// The objective `f` at `head` over `rows` of `examples`, and its gradient into `gradient`.
fn objective(
    head: &Linear,
    examples: &Examples,
    rows: &[usize],
    prior: &Linear,
    lambda: f64,
    gradient: &mut [f64],
) -> f64 {
    let (d, k) = (head.features, head.labels);
    let scale = 1.0 / rows.len().max(1) as f64;
    let mut loss = 0.0;
    let mut z = vec![0.0; k];
    for (g, (p, p0)) in gradient.iter_mut().zip(head.params.iter().zip(&prior.params)) {
        *g = lambda * (p - p0);
        loss += 0.5 * lambda * (p - p0) * (p - p0);
    }
    for &i in rows {
        let x = examples.row(i);
        head.logits(x, &mut z);
        let normaliser = log_sum_exp(&z);
        loss += scale * (normaliser - z[examples.y[i]]);
        // ∂/∂z_c = p_c − [c = y_i].
        for (c, z) in z.iter().enumerate() {
            let residual = scale * ((z - normaliser).exp() - f64::from(u8::from(c == examples.y[i])));
            for (g, &x) in gradient[c * d..(c + 1) * d].iter_mut().zip(x) {
                *g += residual * x;
            }
            gradient[k * d + c] += residual;
        }
    }
    loss
}

/// How many past steps L-BFGS remembers, and when it stops: the gradient's largest entry under `TOLERANCE` (the
/// loss is a mean, and the strengths it compares differ in the third decimal of theirs), or `MAX_ITERATIONS` steps.
const MEMORY: usize = 8;
const TOLERANCE: f64 = 1e-4;
const MAX_ITERATIONS: usize = 200;

/// The head that minimises `f` over `rows` of `examples` with strength `lambda`, starting from `start` (a fit at a
/// nearby strength converges in a few steps).
pub(super) fn fit(examples: &Examples, rows: &[usize], prior: &Linear, lambda: f64, start: &Linear) -> Linear {
    let mut head = start.clone();
    let n = head.params.len();
    let mut gradient = vec![0.0; n];
    let mut value = objective(&head, examples, rows, prior, lambda, &mut gradient);
    // The last MEMORY steps s = θ' − θ and gradient changes y = g' − g, with ρ = 1 / (y · s).
    let mut history: std::collections::VecDeque<(Vec<f64>, Vec<f64>, f64)> = std::collections::VecDeque::new();
    let mut trial = head.clone();
    let mut trial_gradient = vec![0.0; n];
    for _ in 0..MAX_ITERATIONS {
        if gradient.iter().all(|g| g.abs() < TOLERANCE) {
            break;
        }
        let direction = two_loop(&gradient, &history);
        let slope: f64 = direction.iter().zip(&gradient).map(|(d, g)| d * g).sum();
        // Not a descent direction (rounding at the very bottom): the minimum is as found as it gets.
        if slope >= 0.0 {
            break;
        }
        // Backtracking until the Armijo condition holds.
        let mut step = 1.0;
        let accepted = loop {
            for ((t, p), d) in trial.params.iter_mut().zip(&head.params).zip(&direction) {
                *t = p + step * d;
            }
            let trial_value = objective(&trial, examples, rows, prior, lambda, &mut trial_gradient);
            if trial_value <= value + 1e-4 * step * slope {
                break Some(trial_value);
            }
            step *= 0.5;
            if step < 1e-10 {
                break None;
            }
        };
        let Some(trial_value) = accepted else { break };
        let s: Vec<f64> = trial.params.iter().zip(&head.params).map(|(t, p)| t - p).collect();
        let y: Vec<f64> = trial_gradient.iter().zip(&gradient).map(|(t, g)| t - g).collect();
        let ys: f64 = y.iter().zip(&s).map(|(y, s)| y * s).sum();
        if ys > 1e-12 {
            if history.len() == MEMORY {
                history.pop_front();
            }
            history.push_back((s, y, 1.0 / ys));
        }
        std::mem::swap(&mut head, &mut trial);
        std::mem::swap(&mut gradient, &mut trial_gradient);
        value = trial_value;
    }
    head
}

/// L-BFGS's search direction, −H·g, from the remembered steps (Nocedal and Wright, algorithm 7.4).
fn two_loop(gradient: &[f64], history: &std::collections::VecDeque<(Vec<f64>, Vec<f64>, f64)>) -> Vec<f64> {
    let mut q = gradient.to_vec();
    let mut alphas = Vec::with_capacity(history.len());
    for (s, y, rho) in history.iter().rev() {
        let alpha = rho * s.iter().zip(&q).map(|(s, q)| s * q).sum::<f64>();
        for (q, y) in q.iter_mut().zip(y) {
            *q -= alpha * y;
        }
        alphas.push(alpha);
    }
    // The initial scaling γ = s·y / y·y of the newest pair.
    let gamma = history.back().map_or(1.0, |(s, y, _)| {
        let yy: f64 = y.iter().map(|y| y * y).sum();
        s.iter().zip(y).map(|(s, y)| s * y).sum::<f64>() / yy
    });
    for q in &mut q {
        *q *= gamma;
    }
    for ((s, y, rho), alpha) in history.iter().zip(alphas.iter().rev()) {
        let beta = rho * y.iter().zip(&q).map(|(y, q)| y * q).sum::<f64>();
        for (q, s) in q.iter_mut().zip(s) {
            *q += (alpha - beta) * s;
        }
    }
    q.iter().map(|q| -q).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two features, two labels, separable by the sign of the first feature; the prior head is all zeros.
    fn separable() -> (Vec<f64>, Vec<usize>) {
        let x = vec![1.0, 0.3, 0.8, -0.2, 1.2, 0.1, -1.0, 0.2, -0.7, -0.4, -1.1, 0.0];
        (x, vec![1, 1, 1, 0, 0, 0])
    }

    #[test]
    fn the_fit_is_where_the_gradient_vanishes_and_pulled_towards_the_prior_by_lambda() {
        let (x, y) = separable();
        let examples = Examples { x: &x, y: &y, features: 2, labels: 2 };
        let rows: Vec<usize> = (0..6).collect();
        let prior = Linear::new(&[0.0; 4], &[0.0; 2]);
        let strong = fit(&examples, &rows, &prior, 10.0, &prior);
        let weak = fit(&examples, &rows, &prior, 0.01, &prior);
        for head in [&strong, &weak] {
            let mut gradient = vec![0.0; 6];
            let lambda = if std::ptr::eq(head, &strong) { 10.0 } else { 0.01 };
            objective(head, &examples, &rows, &prior, lambda, &mut gradient);
            assert!(gradient.iter().all(|g| g.abs() < TOLERANCE), "gradient {gradient:?}");
        }
        // The first feature separates the labels: label 1's weight on it rises above label 0's, more so when
        // the pull is weak; the strong pull keeps the head near zero.
        let margin = |head: &Linear| head.weight()[2] - head.weight()[0];
        assert!(margin(&weak) > margin(&strong) && margin(&strong) > 0.0);
        assert!(strong.params.iter().all(|p| p.abs() < 0.1), "{:?}", strong.params);
        assert!(rows.iter().all(|&i| weak.predict(examples.row(i)) == y[i]));
        assert!(weak.log_loss(&examples, &rows) < strong.log_loss(&examples, &rows));
    }

    #[test]
    fn a_label_the_examples_never_give_keeps_the_priors_weights_and_loses_probability() {
        let (x, y) = separable();
        let examples = Examples { x: &x, y: &y, features: 2, labels: 3 };
        let rows: Vec<usize> = (0..6).collect();
        // Label 2 exists in the head but never in the labels.
        let prior = Linear::new(&[0.0, 0.0, 0.0, 0.0, 0.5, 0.5], &[0.0, 0.0, 0.2]);
        let head = fit(&examples, &rows, &prior, 0.1, &prior);
        assert!(head.bias()[2] < 0.2, "the unseen label's bias falls: {:?}", head.bias());
        assert!(rows.iter().all(|&i| head.predict(examples.row(i)) == y[i]));
    }

    #[test]
    fn a_huge_lambda_returns_the_prior() {
        let (x, y) = separable();
        let examples = Examples { x: &x, y: &y, features: 2, labels: 2 };
        let prior = Linear::new(&[0.1, -0.2, 0.3, 0.4], &[0.5, -0.5]);
        let head = fit(&examples, &[0, 1, 2, 3, 4, 5], &prior, 1e9, &prior);
        for (p, p0) in head.params.iter().zip(&prior.params) {
            assert!((p - p0).abs() < 1e-8);
        }
    }
}
