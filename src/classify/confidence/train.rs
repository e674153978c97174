//! Training the confidence head on Pei & Jurgens train (validation: their val split), and the
//! medians by cue level that justify the level edges `LOW_BELOW` / `HIGH_FROM`.
//!
//! Apart from the runtime (`super`) because only `claimscope train` needs it.

use std::path::Path;

use ndarray::Array2;

use super::data::{Scored, load_pei};
use super::{FEATURES, HEAD_LEVELS, TASK, class_index, features, level_of_score};
use crate::classify::cues::{self, Level};
use crate::classify::head::{Head, HeadMeta, TrainConfig, TrainReport};
use crate::embed::{Embedder, ModelId};
use crate::error::Result;

/// Median train score per rule level: the evidence behind `LOW_BELOW` / `HIGH_FROM`.
pub fn medians_by_cue(train: &[Scored]) -> Vec<(String, usize, f64)> {
    let mut groups: Vec<(String, Vec<f64>)> = ["high", "moderate", "low", "no cue"]
        .iter()
        .map(|s| (s.to_string(), Vec::new()))
        .collect();
    for r in train {
        let g = match cues::lexical_level(&cues::find(&r.text)) {
            Some(Level::High) => 0,
            Some(Level::Moderate) => 1,
            Some(Level::Low) => 2,
            _ => 3,
        };
        groups[g].1.push(r.score);
    }
    groups
        .into_iter()
        .map(|(name, mut v)| {
            v.sort_by(f64::total_cmp);
            let m = if v.is_empty() {
                f64::NAN
            } else {
                v[v.len() / 2]
            };
            (name, v.len(), m)
        })
        .collect()
}

pub struct Trained {
    pub head: Head,
    pub report: TrainReport,
    pub train_size: usize,
    pub val_size: usize,
}

/// Hand-labelled news sentences with their asserted level (the labelled set's train
/// stories), and how many copies of each join the training rows (a few hundred sentences
/// would otherwise weigh little beside Pei & Jurgens' train split).
pub struct InDomain<'a> {
    pub sentences: &'a [(String, Level)],
    pub repeat: usize,
}

pub fn train(
    embedder: &Embedder,
    model: ModelId,
    dir: &Path,
    cfg: &TrainConfig,
    in_domain: &InDomain,
) -> Result<Trained> {
    let tr = load_pei(dir, "train")?;
    let va = load_pei(dir, "val")?;
    let embed_feats = |rows: &[Scored]| -> Result<(Array2<f32>, Vec<usize>)> {
        let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
        let e = embedder.embed(&texts)?;
        let y = rows
            .iter()
            .map(|r| class_index(level_of_score(r.score)))
            .collect();
        Ok((features(&texts, e.vectors.view()), y))
    };
    let (x, y) = embed_feats(&tr)?;
    let (xv, yv) = embed_feats(&va)?;
    // In-domain sentences the head can label: `none` is decided by rule before the head.
    let kept: Vec<&(String, Level)> = in_domain
        .sentences
        .iter()
        .filter(|(_, l)| HEAD_LEVELS.contains(l))
        .collect();
    let (x, y) = if kept.is_empty() {
        (x, y)
    } else {
        let texts: Vec<&str> = kept.iter().map(|(t, _)| t.as_str()).collect();
        let f = features(&texts, embedder.embed(&texts)?.vectors.view());
        let mut views = vec![x.view()];
        let mut ys = y.clone();
        for _ in 0..in_domain.repeat.max(1) {
            views.push(f.view());
            ys.extend(kept.iter().map(|(_, l)| class_index(*l)));
        }
        (ndarray::concatenate(ndarray::Axis(0), &views)?, ys)
    };
    let mut values = vec![(0.0f64, 0usize); HEAD_LEVELS.len()];
    for (r, &c) in tr.iter().zip(&y) {
        values[c].0 += (r.score - 1.0) / 5.0;
        values[c].1 += 1;
    }
    let meta = HeadMeta {
        task: TASK.into(),
        labels: HEAD_LEVELS.iter().map(|l| l.to_string()).collect(),
        features: FEATURES.into(),
        embedding_model: model,
        class_values: Some(
            values
                .iter()
                .map(|&(s, n)| (s / n.max(1) as f64) as f32)
                .collect(),
        ),
    };
    let (head, report) = Head::fit(meta, x.view(), &y, xv.view(), &yv, cfg)?;
    Ok(Trained {
        head,
        report,
        train_size: tr.len(),
        val_size: va.len(),
    })
}
