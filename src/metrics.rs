//! The figures every evaluation reports, computed in one place.
//!
//! STS-B and MRPC (`eval`), the classifier heads' early stopping (`classify::head`) and their
//! test reports (`classify::stance::eval`, `classify::confidence::eval`) all reduce predictions
//! to the same few numbers. One implementation means one definition of each: ties ranked as
//! scipy ranks them, an empty class scoring 0 rather than NaN, macro-F1 averaging over every
//! class including absent ones (as scikit-learn's `f1_score(average="macro")` with explicit
//! labels does). The published figures in `models/*.json` and the README come from these
//! functions, so they are changed only together with those figures.
//!
//! Classes are indices `0..k`; a prediction outside that range (the confidence head's rule
//! `none`, say) is simply wrong for every class.

use serde::Serialize;

/// Pearson's r; 0 when either side is constant.
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().max(1) as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt().max(1e-300)
}

/// 1-based ranks, ties sharing their average rank.
fn ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && x[order[j + 1]] == x[order[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

/// Spearman's rho with average ranks for ties (as scipy computes it).
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&ranks(x), &ranks(y))
}

/// A yes/no decision scored against gold.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Binary {
    pub accuracy: f64,
    pub f1: f64,
    pub precision: f64,
    pub recall: f64,
}

/// F-beta of a precision and a recall: beta < 1 weighs precision more, > 1 recall.
pub fn f_beta(precision: f64, recall: f64, beta: f64) -> f64 {
    let b2 = beta * beta;
    let d = b2 * precision + recall;
    if d > 0.0 {
        (1.0 + b2) * precision * recall / d
    } else {
        0.0
    }
}

pub fn binary(pred: &[bool], gold: &[bool]) -> Binary {
    let (mut tp, mut fp, mut fneg, mut correct) = (0.0, 0.0, 0.0, 0.0);
    for (&p, &g) in pred.iter().zip(gold) {
        match (p, g) {
            (true, true) => tp += 1.0,
            (true, false) => fp += 1.0,
            (false, true) => fneg += 1.0,
            _ => {}
        }
        if p == g {
            correct += 1.0;
        }
    }
    let precision = if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 };
    let recall = if tp + fneg > 0.0 {
        tp / (tp + fneg)
    } else {
        0.0
    };
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    Binary {
        accuracy: correct / pred.len().max(1) as f64,
        f1,
        precision,
        recall,
    }
}

/// The threshold on `scores` that maximises accuracy on `gold` (midpoints between sorted
/// scores; predict positive above it). Minus infinity when calling everything positive is best.
pub fn best_threshold(scores: &[f64], gold: &[bool]) -> f64 {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Start with everything predicted positive, then move the threshold up one score at a time.
    let mut correct: i64 = gold.iter().filter(|&&g| g).count() as i64;
    let (mut best, mut best_t) = (correct, f64::NEG_INFINITY);
    for (k, &i) in order.iter().enumerate() {
        correct += if gold[i] { -1 } else { 1 };
        let next = order
            .get(k + 1)
            .map(|&j| scores[j])
            .unwrap_or(f64::INFINITY);
        if correct > best && next > scores[i] {
            best = correct;
            best_t = (scores[i] + next) / 2.0;
        }
    }
    best_t
}

/// Precision, recall and F1 of one class.
#[derive(Debug, Clone, Serialize)]
pub struct ClassScores {
    pub label: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: usize,
}

/// Scores of classes `0..labels.len()`, named by `labels`.
pub fn per_class(pred: &[usize], gold: &[usize], labels: &[String]) -> Vec<ClassScores> {
    (0..labels.len())
        .map(|c| {
            let tp = pred
                .iter()
                .zip(gold)
                .filter(|&(&p, &g)| p == c && g == c)
                .count() as f64;
            let pp = pred.iter().filter(|&&p| p == c).count() as f64;
            let gp = gold.iter().filter(|&&g| g == c).count();
            let precision = if pp > 0.0 { tp / pp } else { 0.0 };
            let recall = if gp > 0 { tp / gp as f64 } else { 0.0 };
            let f1 = if precision + recall > 0.0 {
                2.0 * precision * recall / (precision + recall)
            } else {
                0.0
            };
            ClassScores {
                label: labels[c].clone(),
                precision,
                recall,
                f1,
                support: gp,
            }
        })
        .collect()
}

/// Unweighted mean F1 over classes `0..k`.
pub fn macro_f1(pred: &[usize], gold: &[usize], k: usize) -> f64 {
    let labels: Vec<String> = (0..k).map(|i| i.to_string()).collect();
    let s = per_class(pred, gold, &labels);
    s.iter().map(|c| c.f1).sum::<f64>() / k.max(1) as f64
}

/// Share of predictions equal to gold.
pub fn accuracy(pred: &[usize], gold: &[usize]) -> f64 {
    let ok = pred.iter().zip(gold).filter(|(p, g)| p == g).count();
    ok as f64 / gold.len().max(1) as f64
}

/// A percentile interval of a statistic over bootstrap resamples of clusters.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
    /// The share of resamples inside (0.95).
    pub level: f64,
    pub resamples: usize,
    /// How many clusters (stories) each resample draws.
    pub clusters: usize,
}

/// `stat` on `resamples` resamples of `clusters` units drawn with replacement, each resample
/// given as the indices drawn (repeats included), seeded. Clusters rather than items: the
/// sentences of one story share its topic, wording and difficulty, so a resample of sentences
/// would read a handful of stories as hundreds of independent draws and give intervals far too
/// narrow for the question asked of a labelled set (how would this do on other stories?).
/// Hand-written: the percentile bootstrap is a dozen lines; the crates that offer it resample
/// items, not clusters.
pub fn bootstrap(
    clusters: usize,
    resamples: usize,
    seed: u64,
    mut stat: impl FnMut(&[usize]) -> f64,
) -> Vec<f64> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut drawn = vec![0usize; clusters];
    (0..resamples)
        .map(|_| {
            for d in drawn.iter_mut() {
                *d = rng.random_range(0..clusters.max(1));
            }
            stat(&drawn)
        })
        .collect()
}

/// The central `level` percentile interval of `values` (the nearest-rank percentiles; NaN
/// values are left out and not counted in `resamples`).
pub fn percentile_interval(values: &[f64], level: f64, clusters: usize) -> Interval {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    let at = |q: f64| -> f64 {
        if v.is_empty() {
            return f64::NAN;
        }
        let i = (q * (v.len() - 1) as f64).round() as usize;
        v[i.min(v.len() - 1)]
    };
    let tail = (1.0 - level) / 2.0;
    Interval {
        low: at(tail),
        high: at(1.0 - tail),
        level,
        resamples: v.len(),
        clusters,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn pearson_by_hand() {
        // x = 1,2,3, y = 2,4,7: means 2 and 13/3; sxy = 5, sxx = 2, syy = 38/3;
        // r = 5 / sqrt(2 * 38/3) = 5 / sqrt(76/3).
        let r = pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 7.0]);
        assert!(close(r, 5.0 / (76.0f64 / 3.0).sqrt()), "{r}");
        assert!(close(pearson(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]), -1.0));
        // A constant side has no correlation, not NaN.
        assert_eq!(pearson(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), 0.0);
    }

    #[test]
    fn spearman_handles_ties_like_scipy() {
        // scipy.stats.spearmanr([1,2,2,3],[1,3,2,4]) = 0.9486832980505138
        let r = spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 3.0, 2.0, 4.0]);
        assert!((r - 0.948_683_298_050_513_8).abs() < 1e-12, "{r}");
        assert_eq!(ranks(&[10.0, 30.0, 20.0, 20.0]), [1.0, 4.0, 2.5, 2.5]);
        // Monotone but not linear: rank correlation 1.
        assert!(close(spearman(&[1.0, 2.0, 3.0], &[1.0, 10.0, 100.0]), 1.0));
    }

    #[test]
    fn binary_by_hand() {
        // tp = 2, fp = 1, fn = 1, tn = 1: precision 2/3, recall 2/3, F1 2/3, accuracy 3/5.
        let b = binary(
            &[true, true, true, false, false],
            &[true, true, false, true, false],
        );
        assert!(close(b.precision, 2.0 / 3.0) && close(b.recall, 2.0 / 3.0));
        assert!(close(b.f1, 2.0 / 3.0) && close(b.accuracy, 0.6));
        // No positive predicted: precision and F1 are 0, not NaN.
        let b = binary(&[false, false], &[true, false]);
        assert_eq!(
            (b.precision, b.recall, b.f1, b.accuracy),
            (0.0, 0.0, 0.0, 0.5)
        );
    }

    #[test]
    fn threshold_maximises_accuracy() {
        let s = [0.1, 0.2, 0.3, 0.7, 0.8, 0.9];
        let g = [false, false, false, true, true, true];
        assert!(close(best_threshold(&s, &g), 0.5));
        // All positive is already best: no threshold above any score helps.
        assert_eq!(
            best_threshold(&[0.1, 0.2], &[true, true]),
            f64::NEG_INFINITY
        );
        // Ties are never split: the threshold falls between distinct scores only.
        let t = best_threshold(&[0.1, 0.5, 0.5, 0.9], &[false, false, true, true]);
        assert!(close(t, 0.3), "{t}");
    }

    #[test]
    fn bootstrap_draws_clusters_with_replacement_and_is_seeded() {
        // Three clusters of values 0, 1, 2: a repeat is drawn often (a resample of 3 without
        // repeats is 6 of 27), every cluster is drawn, and a seed repeats itself.
        let mean = |d: &[usize]| d.iter().map(|&i| i as f64).sum::<f64>() / d.len() as f64;
        let a = bootstrap(3, 500, 7, mean);
        assert_eq!(a, bootstrap(3, 500, 7, mean));
        assert_ne!(a, bootstrap(3, 500, 8, mean));
        // All-0 and all-2 draws (1 in 27 each) both occur: no cluster is left out.
        assert!(a.contains(&0.0) && a.contains(&2.0));
        let distinct = bootstrap(3, 500, 7, |d| {
            let mut d = d.to_vec();
            d.sort();
            d.dedup();
            d.len() as f64
        });
        let repeats = distinct.iter().filter(|&&n| n < 3.0).count();
        assert!(repeats > 300 && repeats < 450, "{repeats}");
        let i = percentile_interval(&a, 0.95, 3);
        assert!(
            i.low < 1.0 && i.high > 1.0 && i.low >= 0.0 && i.high <= 2.0,
            "{i:?}"
        );
        assert_eq!((i.resamples, i.clusters), (500, 3));
    }

    #[test]
    fn percentile_interval_by_hand() {
        let v: Vec<f64> = (0..=100).map(f64::from).collect();
        let i = percentile_interval(&v, 0.9, 1);
        assert_eq!((i.low, i.high), (5.0, 95.0));
        let i = percentile_interval(&[f64::NAN, 1.0, 2.0], 0.5, 1);
        assert!(i.low >= 1.0 && i.high <= 2.0);
        assert_eq!(i.resamples, 2);
    }

    #[test]
    fn class_scores_by_hand() {
        let gold = [0, 0, 1, 1, 2];
        let pred = [0, 1, 1, 1, 0];
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let s = per_class(&pred, &gold, &names);
        // a: tp 1 of 2 predicted, 2 gold -> p 1/2, r 1/2, F1 1/2.
        assert!(close(s[0].precision, 0.5) && close(s[0].recall, 0.5) && close(s[0].f1, 0.5));
        // b: tp 2 of 3 predicted, 2 gold -> p 2/3, r 1, F1 0.8.
        assert!(close(s[1].precision, 2.0 / 3.0) && close(s[1].recall, 1.0));
        assert!(close(s[1].f1, 0.8));
        // c: never predicted -> all 0, support 1.
        assert_eq!((s[2].f1, s[2].support), (0.0, 1));
        assert_eq!(s[1].label, "b");
        assert!(close(macro_f1(&pred, &gold, 3), (0.5 + 0.8) / 3.0));
        assert!(close(accuracy(&pred, &gold), 0.6));
        // A prediction outside 0..k (the rule's `none`) is wrong for every class.
        assert!(close(accuracy(&[usize::MAX, 1], &[0, 1]), 0.5));
        assert!(close(macro_f1(&[usize::MAX, 1], &[0, 1], 2), 0.5));
    }
}
