//! Evaluations on public labelled data: STS-B (is the port exact?) and MRPC (how well does
//! "same claim?" work?). Settings are chosen on train splits only; test figures are reported,
//! never tuned on. The best threshold on test is printed too, labelled as such, so a reader
//! sees how much the train-chosen threshold leaves on the table.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::embed::{Embedder, TextVectors};
use crate::error::{Error, Result};
use crate::observe::Observer;
use crate::pair::{self, PairHead};

pub struct Pair {
    pub a: String,
    pub b: String,
    pub label: f64,
}

/// Tab-separated files whose quotes are unbalanced: split on tabs only, never CSV-parse.
fn read_tsv(path: &Path) -> Result<Vec<(usize, Vec<String>)>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let text = text.trim_start_matches('\u{feff}');
    Ok(text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            (
                i + 1,
                l.trim_end_matches('\r')
                    .split('\t')
                    .map(str::to_string)
                    .collect(),
            )
        })
        .collect())
}

/// MRPC from its original TSV files (`msr_paraphrase_{train,test}.txt`) in `dir`.
pub fn load_mrpc(dir: &Path, split: &str) -> Result<Vec<Pair>> {
    let path = dir.join(format!("msr_paraphrase_{split}.txt"));
    let mut out = Vec::new();
    for (line, cols) in read_tsv(&path)?.into_iter().skip(1) {
        let bad = |what: &str| Error::Input(format!("{}:{line}: {what}", path.display()));
        if cols.len() < 5 {
            return Err(bad(
                "expected 5 tab-separated columns (Quality, #1 ID, #2 ID, #1 String, #2 String)",
            ));
        }
        let label = match cols[0].trim() {
            "1" => 1.0,
            "0" => 0.0,
            other => return Err(bad(&format!("label {other:?} is not 0 or 1"))),
        };
        out.push(Pair {
            a: cols[3].clone(),
            b: cols[4].clone(),
            label,
        });
    }
    if out.is_empty() {
        return Err(Error::Input(format!("{}: no pairs", path.display())));
    }
    Ok(out)
}

/// STS-B (`sts-{train,dev,test}.csv`, tab-separated, score in column 4).
pub fn load_stsb(dir: &Path, split: &str) -> Result<Vec<Pair>> {
    let path = dir.join(format!("sts-{split}.csv"));
    let mut out = Vec::new();
    for (line, cols) in read_tsv(&path)? {
        if cols.len() < 7 {
            return Err(Error::Input(format!(
                "{}:{line}: expected at least 7 tab-separated fields",
                path.display()
            )));
        }
        let label: f64 = cols[4].trim().parse().map_err(|_| {
            Error::Input(format!(
                "{}:{line}: score {:?} is not a number",
                path.display(),
                cols[4]
            ))
        })?;
        out.push(Pair {
            a: cols[5].clone(),
            b: cols[6].clone(),
            label,
        });
    }
    Ok(out)
}

fn pair_features(pairs: &[Pair], cos: &[f64]) -> Vec<[f64; 5]> {
    pairs
        .iter()
        .zip(cos)
        .map(|(p, &c)| pair::features(c as f32, &p.a, &p.b))
        .collect()
}

/// Cosine of every pair, embedding each distinct sentence once.
pub fn pair_cosines(emb: &Embedder, pairs: &[Pair], observer: &dyn Observer) -> Result<Vec<f32>> {
    let table = TextVectors::build(
        emb,
        pairs.iter().flat_map(|p| [p.a.as_str(), p.b.as_str()]),
        "sentences",
        observer,
    )?;
    pairs.iter().map(|p| table.dot(&p.a, &p.b)).collect()
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Binary {
    pub accuracy: f64,
    pub f1: f64,
    pub precision: f64,
    pub recall: f64,
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

/// The threshold on `scores` that maximises accuracy on `gold` (midpoints between sorted scores).
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

/// Spearman's rho with average ranks for ties (as scipy computes it).
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&ranks(x), &ranks(y))
}

#[derive(Debug, Serialize)]
pub struct StsbReport {
    pub pairs: usize,
    pub spearman_x100: f64,
    pub pearson_x100: f64,
    pub reference_spearman_x100: f64,
    /// "Same claim" read as STS score >= 3 ("roughly equivalent"): the cosine threshold that
    /// separates it best on train, and its accuracy on test. `match` uses this as its floor.
    pub same_claim_threshold: f64,
    pub same_claim_test: Binary,
    /// The pair head (cosine + names/numbers) fitted on the same train labels.
    pub same_claim_head: PairHead,
    pub same_claim_head_test: Binary,
}

/// STS-B gold score from which a pair counts as the same claim.
pub const SAME_CLAIM_STS: f64 = 3.0;

pub fn eval_stsb(emb: &Embedder, dir: &Path, observer: &dyn Observer) -> Result<StsbReport> {
    let pairs = load_stsb(dir, "test")?;
    let cos: Vec<f64> = pair_cosines(emb, &pairs, observer)?
        .into_iter()
        .map(f64::from)
        .collect();
    let gold: Vec<f64> = pairs.iter().map(|p| p.label).collect();
    let train = load_stsb(dir, "train")?;
    let cos_train: Vec<f64> = pair_cosines(emb, &train, observer)?
        .into_iter()
        .map(f64::from)
        .collect();
    let same_train: Vec<bool> = train.iter().map(|p| p.label >= SAME_CLAIM_STS).collect();
    let t = best_threshold(&cos_train, &same_train);
    let pred: Vec<bool> = cos.iter().map(|&c| c > t).collect();
    let same_test: Vec<bool> = gold.iter().map(|&g| g >= SAME_CLAIM_STS).collect();
    let head = PairHead::fit(&pair_features(&train, &cos_train), &same_train);
    let head_pred: Vec<bool> = pair_features(&pairs, &cos)
        .iter()
        .map(|x| head.probability(x) > 0.5)
        .collect();
    Ok(StsbReport {
        same_claim_head_test: binary(&head_pred, &same_test),
        same_claim_head: head,
        same_claim_threshold: t,
        same_claim_test: binary(&pred, &same_test),
        pairs: pairs.len(),
        spearman_x100: 100.0 * spearman(&cos, &gold),
        pearson_x100: 100.0 * pearson(&cos, &gold),
        reference_spearman_x100: 82.03,
    })
}

#[derive(Debug, Serialize)]
pub struct MrpcReport {
    pub train_pairs: usize,
    pub test_pairs: usize,
    pub baseline_all_paraphrase: Binary,
    /// Cosine threshold chosen on train (max accuracy), applied to test.
    pub cosine_threshold: f64,
    pub cosine_test: Binary,
    /// Logistic head on cosine + name/number overlap, fitted on train.
    pub head: PairHead,
    pub head_test: Binary,
    /// For honesty only: the threshold that would have been best on test, and what it gets.
    pub oracle_test_threshold: f64,
    pub oracle_test: Binary,
}

pub fn eval_mrpc(emb: &Embedder, dir: &Path, observer: &dyn Observer) -> Result<MrpcReport> {
    let train = load_mrpc(dir, "train")?;
    let test = load_mrpc(dir, "test")?;
    let cos_train: Vec<f64> = pair_cosines(emb, &train, observer)?
        .into_iter()
        .map(f64::from)
        .collect();
    let cos_test: Vec<f64> = pair_cosines(emb, &test, observer)?
        .into_iter()
        .map(f64::from)
        .collect();
    let gold_train: Vec<bool> = train.iter().map(|p| p.label > 0.5).collect();
    let gold_test: Vec<bool> = test.iter().map(|p| p.label > 0.5).collect();

    let t = best_threshold(&cos_train, &gold_train);
    let pred: Vec<bool> = cos_test.iter().map(|&c| c > t).collect();

    let head = PairHead::fit(&pair_features(&train, &cos_train), &gold_train);
    let head_pred: Vec<bool> = pair_features(&test, &cos_test)
        .iter()
        .map(|x| head.probability(x) > 0.5)
        .collect();

    let oracle_t = best_threshold(&cos_test, &gold_test);
    let oracle_pred: Vec<bool> = cos_test.iter().map(|&c| c > oracle_t).collect();
    Ok(MrpcReport {
        train_pairs: train.len(),
        test_pairs: test.len(),
        baseline_all_paraphrase: binary(&vec![true; test.len()], &gold_test),
        cosine_threshold: t,
        cosine_test: binary(&pred, &gold_test),
        head,
        head_test: binary(&head_pred, &gold_test),
        oracle_test_threshold: oracle_t,
        oracle_test: binary(&oracle_pred, &gold_test),
    })
}

/// The folder of the public data (`data/`, `reference/`, `bench/`): `CLAIMSCOPE_SHARED` when
/// set, else `../shared`, where it sits next to a checkout on our machines.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("CLAIMSCOPE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared"))
}

/// `<shared>/data/<name>`, the default place of a labelled dataset.
pub fn default_data_dir(name: &str) -> PathBuf {
    shared_dir().join("data").join(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_handles_ties_like_scipy() {
        // scipy.stats.spearmanr([1,2,2,3],[1,3,2,4]) = 0.9486832980505138
        let r = spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 3.0, 2.0, 4.0]);
        assert!((r - 0.948_683_298_050_513_8).abs() < 1e-12, "{r}");
    }

    #[test]
    fn threshold_maximises_accuracy() {
        let s = [0.1, 0.2, 0.3, 0.7, 0.8, 0.9];
        let g = [false, false, false, true, true, true];
        let t = best_threshold(&s, &g);
        assert!(t > 0.3 && t < 0.7, "{t}");
    }
}
