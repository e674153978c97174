//! "Same claim?" for a pair of sentences: cosine plus cheap lexical evidence.
//!
//! Cosine alone confuses "same topic" with "same claim": two sentences about Putin and the
//! 2020 election score high whether or not they assert the same thing. Names and numbers are
//! what distinguishes them most often in news ("$2.5 billion" vs "$1.8 billion"), so the pair
//! features add overlap of capitalised names and agreement of numbers. The head on top is a
//! logistic regression with five inputs: small enough that a hand-written fit (Newton steps on
//! a 5x5 system) is clearer than pulling in a machine-learning crate.

use std::collections::HashSet;

use crate::lexicon::SENTENCE_OPENERS;

/// Feature vector of a pair; `cosine` must come from normalised embeddings.
pub fn features(cosine: f32, a: &str, b: &str) -> [f64; 5] {
    let (na, nb) = (names(a), names(b));
    let (ua, ub) = (numbers(a), numbers(b));
    let name_overlap = jaccard(&na, &nb);
    // Numbers on both sides that disagree are strong evidence against; absent numbers are neutral.
    let number_conflict = if !ua.is_empty() && !ub.is_empty() {
        1.0 - jaccard(&ua, &ub)
    } else {
        0.0
    };
    let (la, lb) = (
        a.split_whitespace().count() as f64,
        b.split_whitespace().count() as f64,
    );
    let len_ratio = la.min(lb) / la.max(lb).max(1.0);
    [1.0, cosine as f64, name_overlap, number_conflict, len_ratio]
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let inter = a.intersection(b).count() as f64;
    let union = a.union(b).count() as f64;
    inter / union.max(1.0)
}

fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !(c.is_alphanumeric() || c == '.' || c == ',' || c == '\'' || c == '’'))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
}

/// Capitalised words, lower-cased, possessive cut; a sentence's first word only when it is not
/// a common opener.
fn names(s: &str) -> HashSet<String> {
    words(s)
        .enumerate()
        .filter(|(i, w)| *i > 0 || !SENTENCE_OPENERS.contains(&w.to_lowercase().as_str()))
        .map(|(_, w)| w)
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .map(|w| {
            w.trim_end_matches("'s")
                .trim_end_matches("’s")
                .to_lowercase()
        })
        .collect()
}

/// Numbers as written, without thousands separators ("1,200" == "1200").
fn numbers(s: &str) -> HashSet<String> {
    words(s)
        .filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .map(|w| w.replace(',', ""))
        .collect()
}

/// Logistic regression over [`features`].
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PairHead {
    pub weights: [f64; 5],
}

impl PairHead {
    pub fn probability(&self, x: &[f64; 5]) -> f64 {
        let z: f64 = self.weights.iter().zip(x).map(|(w, v)| w * v).sum();
        1.0 / (1.0 + (-z).exp())
    }

    /// Fit by Newton's method (IRLS) with a little L2 so separable data stays finite.
    pub fn fit(xs: &[[f64; 5]], ys: &[bool]) -> Self {
        let mut w = [0.0f64; 5];
        let l2 = 1e-3 * xs.len() as f64;
        for _ in 0..25 {
            let mut grad = [0.0f64; 5];
            let mut hess = [[0.0f64; 5]; 5];
            for (x, &y) in xs.iter().zip(ys) {
                let p = PairHead { weights: w }.probability(x);
                let r = p - if y { 1.0 } else { 0.0 };
                let s = p * (1.0 - p);
                for i in 0..5 {
                    grad[i] += r * x[i];
                    for j in 0..5 {
                        hess[i][j] += s * x[i] * x[j];
                    }
                }
            }
            for i in 1..5 {
                grad[i] += l2 * w[i];
                hess[i][i] += l2;
            }
            let Some(step) = solve(hess, grad) else { break };
            let mut moved = 0.0;
            for i in 0..5 {
                w[i] -= step[i];
                moved += step[i].abs();
            }
            if moved < 1e-9 {
                break;
            }
        }
        PairHead { weights: w }
    }
}

/// Gaussian elimination with partial pivoting; None when singular.
fn solve(mut a: [[f64; 5]; 5], mut b: [f64; 5]) -> Option<[f64; 5]> {
    for col in 0..5 {
        let pivot = (col..5).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..5 {
            let f = a[row][col] / a[col][col];
            let (upper, lower) = a.split_at_mut(row);
            for (x, p) in lower[0][col..].iter_mut().zip(&upper[col][col..]) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0f64; 5];
    for row in (0..5).rev() {
        let s: f64 = (row + 1..5).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_drive_features() {
        let f = features(
            0.8,
            "Yucaipa sold it to Safeway for $2.5 billion.",
            "Yucaipa sold it to Safeway for $1.8 billion.",
        );
        assert!(f[3] > 0.9, "conflicting numbers: {f:?}");
        let g = features(
            0.8,
            "The report says Putin authorised it.",
            "Putin authorised it, the report says.",
        );
        assert_eq!(g[3], 0.0);
        assert!(g[2] > 0.4, "shared names: {g:?}");
    }

    #[test]
    fn fit_separates_a_simple_rule() {
        let xs: Vec<[f64; 5]> = (0..200)
            .map(|i| [1.0, i as f64 / 200.0, 0.5, 0.0, 1.0])
            .collect();
        let ys: Vec<bool> = (0..200).map(|i| i >= 120).collect();
        let head = PairHead::fit(&xs, &ys);
        assert!(head.probability(&[1.0, 0.9, 0.5, 0.0, 1.0]) > 0.9);
        assert!(head.probability(&[1.0, 0.2, 0.5, 0.0, 1.0]) < 0.1);
    }
}
