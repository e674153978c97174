//! Training the stance head: Emergent train with its mined `unrelated` pairs, optionally FNC-1
//! train, validation held out by whole claims and bodies so it measures unseen stories.
//!
//! Apart from the runtime (`super`) because only `claimscope train` needs it; it reads the data
//! through `data` and writes a `Head` that `StanceClassifier::load` accepts.

use std::collections::HashMap;
use std::path::Path;

use ndarray::ArrayView2;
use rand::SeedableRng;
use rand::seq::SliceRandom;

use super::data::{add_unrelated, embed_fnc1, embed_pairs, load_emergent, load_fnc1};
use super::{FEATURES, LABELS, Stance, TASK};
use crate::classify::head::{self, Head, HeadMeta, TrainConfig, TrainReport};
use crate::embed::{Embedder, ModelId};
use crate::error::{Error, Result};
use crate::observe::Observer;

/// Indices into (train, validation): about `frac` of the groups go to validation.
fn split_by_group(groups: &[String], frac: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut names: Vec<&String> = groups.iter().collect();
    names.sort();
    names.dedup();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    names.shuffle(&mut rng);
    let k = ((names.len() as f64) * frac).ceil() as usize;
    let val: std::collections::HashSet<&String> = names.into_iter().take(k).collect();
    (0..groups.len()).partition(|&i| !val.contains(&groups[i]))
}

pub struct Trained {
    pub head: Head,
    pub report: TrainReport,
    pub sizes: HashMap<String, usize>,
    pub label_counts: Vec<usize>,
}

pub struct StanceData<'a> {
    pub emergent: &'a Path,
    pub fnc1: Option<&'a Path>,
    /// Hand-labelled news sentences toward their story's claim (the labelled set's train
    /// stories): the sentence-level, in-domain examples the benchmarks lack.
    pub in_domain: &'a [super::data::LabelledPair],
    /// Copies of each in-domain example in the training rows: a few hundred sentences would
    /// otherwise weigh nothing beside FNC-1's 50,000 body-level pairs.
    pub in_domain_repeat: usize,
}

/// Train on Emergent train (+ its unrelated pairs) and, if given, FNC-1 train; validation is
/// 10% of Emergent's claims and 10% of FNC-1's bodies, held out whole.
pub fn train(
    embedder: &Embedder,
    model: ModelId,
    data: &StanceData,
    cfg: &TrainConfig,
    observer: &dyn Observer,
) -> Result<Trained> {
    let mut em = load_emergent(data.emergent, "train")?;
    let emergent_related = em.len();
    add_unrelated(embedder, &mut em, cfg.seed)?;
    let mut sets = vec![embed_pairs(embedder, &em, observer)?];
    let mut sizes: HashMap<String, usize> = HashMap::new();
    sizes.insert("emergent_train_related".into(), emergent_related);
    sizes.insert(
        "emergent_train_unrelated_added".into(),
        em.len() - emergent_related,
    );
    if let Some(dir) = data.fnc1 {
        let (rows, bodies) = load_fnc1(dir, "train")?;
        sizes.insert("fnc1_train".into(), rows.len());
        sets.push(embed_fnc1(embedder, &rows, &bodies, observer)?);
    }
    let mut copies = vec![1; sets.len()];
    if !data.in_domain.is_empty() {
        sizes.insert("in_domain_sentences".into(), data.in_domain.len());
        sets.push(embed_pairs(embedder, data.in_domain, observer)?);
        copies.push(data.in_domain_repeat.max(1));
    }
    let mut xs = Vec::new();
    let mut ys: Vec<usize> = Vec::new();
    let mut groups = Vec::new();
    for (set, &n) in sets.iter().zip(&copies) {
        let f = set.features();
        // Copies share their group, so validation holds a story out whole.
        for _ in 0..n {
            xs.push(f.clone());
            ys.extend(set.labels.iter().map(|s| s.index()));
            groups.extend(set.groups.iter().cloned());
        }
    }
    let views: Vec<ArrayView2<f32>> = xs.iter().map(|x| x.view()).collect();
    let x = ndarray::concatenate(ndarray::Axis(0), &views)?;
    let (tr, va) = split_by_group(&groups, 0.1, cfg.seed);
    let xt = head::rows(x.view(), &tr);
    let xv = head::rows(x.view(), &va);
    let yt: Vec<usize> = tr.iter().map(|&i| ys[i]).collect();
    let yv: Vec<usize> = va.iter().map(|&i| ys[i]).collect();
    sizes.insert("train".into(), tr.len());
    sizes.insert("validation".into(), va.len());
    let mut label_counts = vec![0; Stance::ALL.len()];
    yt.iter().for_each(|&y| label_counts[y] += 1);
    for (c, &n) in label_counts.iter().enumerate() {
        if n < 10 {
            return Err(Error::Input(format!(
                "only {n} training examples of {:?}: too few to learn it",
                Stance::ALL[c].as_str()
            )));
        }
    }
    let meta = HeadMeta {
        task: TASK.into(),
        labels: LABELS.iter().map(|s| s.to_string()).collect(),
        features: FEATURES.into(),
        embedding_model: model,
        class_values: None,
    };
    let (head, report) = Head::fit(meta, xt.view(), &yt, xv.view(), &yv, cfg)?;
    Ok(Trained {
        head,
        report,
        sizes,
        label_counts,
    })
}
