//! The stance head's test figures: Emergent test (three classes, claims unseen in training)
//! and the FNC-1 competition test with its official weighted score.
//!
//! Apart from the runtime (`super`) because only `claimscope eval` and `train` need it; the
//! figures themselves come from `crate::metrics`, shared with every other evaluation.

use std::path::Path;

use ndarray::s;
use serde::Serialize;

use super::data::{embed_fnc1, embed_pairs, load_emergent, load_fnc1};
use super::{LABELS, Stance};
use crate::classify::head;
use crate::embed::Embedder;
use crate::error::Result;
use crate::metrics::{ClassScores, accuracy, macro_f1, per_class};
use crate::observe::Observer;

/// Gold labels as the class indices the metrics count.
fn class_indices(labels: &[Stance]) -> Vec<usize> {
    labels.iter().map(|s| s.index()).collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct EmergentEval {
    pub pairs: usize,
    /// Three classes (for/against/observing), the head's choice among agree/disagree/discuss.
    pub accuracy: f64,
    pub macro_f1: f64,
    pub per_class: Vec<ClassScores>,
    pub majority_accuracy: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Fnc1Eval {
    pub pairs: usize,
    /// Official FNC-1 score as a percentage of the maximum.
    pub weighted_score: f64,
    pub macro_f1: f64,
    pub accuracy: f64,
    pub per_class: Vec<ClassScores>,
    /// Gold (rows) against predicted (columns), in label order.
    pub confusion: Vec<Vec<usize>>,
    pub baseline_weighted_score: f64,
}

pub fn eval_emergent(
    c: &super::StanceModel,
    embedder: &Embedder,
    dir: &Path,
    observer: &dyn Observer,
) -> Result<EmergentEval> {
    let pairs = load_emergent(dir, "test")?;
    let set = embed_pairs(embedder, &pairs, observer)?;
    let p = c.probabilities(
        &set.claim_refs(),
        &set.text_refs(),
        set.u.view(),
        set.v.view(),
        observer,
    )?;
    let pred: Vec<usize> = p
        .rows()
        .into_iter()
        .map(|r| head::argmax(r.slice(s![..Stance::Unrelated.index()])))
        .collect();
    let gold = class_indices(&set.labels);
    let names: Vec<String> = LABELS[..Stance::Unrelated.index()]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut counts = [0usize; 3];
    gold.iter().for_each(|&y| counts[y.min(2)] += 1);
    Ok(EmergentEval {
        pairs: set.len(),
        accuracy: accuracy(&pred, &gold),
        macro_f1: macro_f1(&pred, &gold, 3),
        per_class: per_class(&pred, &gold, &names),
        majority_accuracy: counts.iter().copied().max().unwrap_or(0) as f64
            / set.len().max(1) as f64,
    })
}

/// The official FNC-1 score: 0.25 for a correct `unrelated`, 0.25 for calling a related pair
/// related, 0.75 more for its exact label; as a percentage of the best possible.
pub fn fnc1_score(pred: &[usize], gold: &[usize]) -> f64 {
    const UNRELATED: usize = Stance::Unrelated.index();
    let mut score = 0.0;
    let mut best = 0.0;
    for (&p, &g) in pred.iter().zip(gold) {
        best += if g == UNRELATED { 0.25 } else { 1.0 };
        if p == g {
            score += 0.25;
            if g != UNRELATED {
                score += 0.5;
            }
        }
        if g != UNRELATED && p != UNRELATED {
            score += 0.25;
        }
    }
    100.0 * score / f64::max(best, 1e-12)
}

pub fn eval_fnc1(
    c: &super::StanceModel,
    embedder: &Embedder,
    dir: &Path,
    observer: &dyn Observer,
) -> Result<Fnc1Eval> {
    let (rows, bodies) = load_fnc1(dir, "test")?;
    let set = embed_fnc1(embedder, &rows, &bodies, observer)?;
    let p = match c {
        // The pair model reads sentences: each of the body's sentences closest to the
        // headline toward it, their probabilities averaged into the body's.
        super::StanceModel::Pair(m) => {
            let mut p = sentence_mean(m, &set, observer)?;
            // The gate on the headline against the body's chosen sentences (their mean).
            if let Some(t) = m.unrelated_below() {
                super::gate_unrelated(&mut p, set.u.view(), set.v.view(), t)?;
            }
            p
        }
        _ => c.probabilities(
            &set.claim_refs(),
            &set.text_refs(),
            set.u.view(),
            set.v.view(),
            observer,
        )?,
    };
    let pred = head::argmax_rows(p.view());
    let gold = class_indices(&set.labels);
    let names: Vec<String> = LABELS.iter().map(|s| s.to_string()).collect();
    let mut confusion = vec![vec![0usize; 4]; 4];
    for (&g, &q) in gold.iter().zip(&pred) {
        // Both below 4: gold from `Stance::index`, predictions from a checked 4-class head.
        if let Some(cell) = confusion.get_mut(g).and_then(|row| row.get_mut(q)) {
            *cell += 1;
        }
    }
    Ok(Fnc1Eval {
        pairs: set.len(),
        weighted_score: fnc1_score(&pred, &gold),
        macro_f1: macro_f1(&pred, &gold, 4),
        accuracy: accuracy(&pred, &gold),
        per_class: per_class(&pred, &gold, &names),
        confusion,
        baseline_weighted_score: 79.53,
    })
}

/// Per FNC-1 pair, the mean of the pair model's probabilities over the body's chosen sentences
/// (a body with none counts as unrelated).
fn sentence_mean(
    m: &super::pair::StancePairModel,
    set: &super::data::PairSet,
    observer: &dyn Observer,
) -> Result<ndarray::Array2<f32>> {
    let (mut claims, mut texts, mut owner) = (Vec::new(), Vec::new(), Vec::new());
    for (i, sents) in set.parts.iter().enumerate() {
        for t in sents {
            claims.push(set.claims[i].as_str());
            texts.push(t.as_str());
            owner.push(i);
        }
    }
    let p = m.probabilities(&claims, &texts, observer)?;
    let k = LABELS.len();
    let mut out = ndarray::Array2::<f32>::zeros((set.len(), k));
    let mut n = vec![0f32; set.len()];
    for (row, &i) in p.rows().into_iter().zip(&owner) {
        let mut o = out.row_mut(i);
        o += &row;
        n[i] += 1.0;
    }
    for (i, mut o) in out.rows_mut().into_iter().enumerate() {
        if n[i] > 0.0 {
            o /= n[i];
        } else {
            o[Stance::Unrelated.index()] = 1.0;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_score_matches_the_scorer() {
        let [agree, discuss, unrelated] =
            [Stance::Agree, Stance::Discuss, Stance::Unrelated].map(Stance::index);
        // From fnc-1's scorer.py logic: perfect = 100; all-unrelated on a 1 related +
        // 3 unrelated set = 0.75 / 1.75.
        let gold = [agree, unrelated, unrelated, unrelated];
        assert!((fnc1_score(&gold, &gold) - 100.0).abs() < 1e-9);
        let all_unrelated = [unrelated; 4];
        assert!((fnc1_score(&all_unrelated, &gold) - 100.0 * 0.75 / 1.75).abs() < 1e-9);
        // Related but wrong label earns the 0.25 of relatedness only.
        let wrong = [discuss, unrelated, unrelated, unrelated];
        assert!((fnc1_score(&wrong, &gold) - 100.0 * 1.0 / 1.75).abs() < 1e-9);
    }
}
