//! The confidence head's test figures on Pei & Jurgens: score correlation, level accuracy and
//! macro-F1, beside the cue rule alone and the majority class, so a reader sees what the head
//! adds.
//!
//! Apart from the runtime (`super`) because only `claimscope eval` and `train` need it; the
//! figures come from `crate::metrics`.

use std::path::Path;

use serde::Serialize;

use super::data::load_pei;
use super::{HEAD_LEVELS, class_index, level_of_score};
use crate::classify::cues::{self, Level};
use crate::embed::Embedder;
use crate::error::Result;
use crate::metrics::{ClassScores, accuracy, macro_f1, pearson, per_class, spearman};

#[derive(Debug, Clone, Serialize)]
pub struct ConfidenceEval {
    pub split: String,
    pub sentences: usize,
    pub pearson: f64,
    pub spearman: f64,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub per_class: Vec<ClassScores>,
    /// The cue rule alone (no embedding), for comparison.
    pub rule_accuracy: f64,
    pub rule_macro_f1: f64,
    pub majority_accuracy: f64,
}

pub fn evaluate(
    c: &super::ConfidenceModel,
    embedder: &Embedder,
    dir: &Path,
    split: &str,
) -> Result<ConfidenceEval> {
    let rows = load_pei(dir, split)?;
    let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
    let silent = crate::observe::Silent;
    let vectors = crate::classify::base_vectors(c.needs_vectors(), embedder, &texts, &silent)?;
    let labels = c.classify(&texts, vectors.view(), &silent)?;
    let gold: Vec<usize> = rows
        .iter()
        .map(|r| class_index(level_of_score(r.score)))
        .collect();
    // Pei's findings are all statements: a `none` from the rule counts as wrong, never dropped.
    let pred: Vec<usize> = labels
        .iter()
        .map(|l| match l.confidence {
            Level::None => usize::MAX,
            other => class_index(other),
        })
        .collect();
    let rule: Vec<usize> = texts
        .iter()
        .map(|t| match cues::lexical_level(&cues::find(t)) {
            Some(l @ (Level::Moderate | Level::Low)) => class_index(l),
            _ => 0,
        })
        .collect();
    let names: Vec<String> = HEAD_LEVELS.iter().map(|l| l.to_string()).collect();
    let scores: Vec<f64> = labels.iter().map(|l| l.score as f64).collect();
    let golds: Vec<f64> = rows.iter().map(|r| r.score).collect();
    let k = HEAD_LEVELS.len();
    let mut counts = vec![0usize; k];
    gold.iter().for_each(|&g| counts[g] += 1);
    let majority = counts.iter().copied().max().unwrap_or(0) as f64 / gold.len().max(1) as f64;
    Ok(ConfidenceEval {
        split: split.into(),
        sentences: rows.len(),
        pearson: pearson(&scores, &golds),
        spearman: spearman(&scores, &golds),
        accuracy: accuracy(&pred, &gold),
        macro_f1: macro_f1(&pred, &gold, k),
        per_class: per_class(&pred, &gold, &names),
        rule_accuracy: accuracy(&rule, &gold),
        rule_macro_f1: macro_f1(&rule, &gold, k),
        majority_accuracy: majority,
    })
}
