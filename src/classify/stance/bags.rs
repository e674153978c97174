//! A second head for the stance pair model: stance of a whole body, fitted on FNC-1 train
//! bodies read as bags of sentences.
//!
//! Why: FNC-1 labels a body, the pair model reads sentences, and the eval reads a body as the
//! mean of the model's probabilities over its sentences closest to the headline
//! (`eval::sentence_mean`). Mining sentence labels from body labels failed (a `disagree` body's
//! closest sentences are often background, see the README), so the body's label is put on the
//! bag instead: the loss is the label's log-probability under the same mean the eval takes
//! (multiple-instance learning). Refitting the one head this way lifts the held-out bodies but
//! costs the labelled sentences (dev macro-F1 0.585 -> 0.53 at the weights that help bodies):
//! FNC-1 calls a body `agree` or `discuss` by conventions the labelling guide does not use for
//! sentences. So the body head is a second head on the same frozen encoder, and the sentence
//! head, which `match` and `classify` use, is untouched. The encoder's features are computed
//! once and the head (4 x 384) is fitted full-batch in seconds.
//!
//! Pairs: FNC-1 train, related stances only (the eval decides relatedness by its cosine gate,
//! not by the model), outside every FNC-1 story that holds a labelled dev or test body, and of
//! the stories of one parity (a story's parity is its smallest Body ID's), so that the other
//! stories stay clean for choosing the fit and the eval's class weights. By story, not by body:
//! FNC-1 pairs each headline with several bodies, and a split by body would hold out bodies
//! whose headlines and story were fitted.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use candle_core::{DType, Device, Tensor, Var};
use ndarray::{Array1, Array2};
use serde::Serialize;

use super::Stance;
use super::data::{Fnc1Rows, embed_fnc1, load_fnc1};
use crate::devset::StoryComponents;
use crate::embed::Embedder;
use crate::error::{Error, Result};
use crate::finetune::{ParamGroup, fit};
use crate::observe::Observer;

/// The card field naming the Body ID parity a refitted head was trained on.
pub const SEEN_FIELD: &str = "fnc1_train_bodies_seen";

/// Which FNC-1 train Body IDs (all numeric) a set takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Parity {
    Even,
    Odd,
}

impl Parity {
    pub fn parse(s: &str) -> Option<Parity> {
        match s {
            "even" => Some(Parity::Even),
            "odd" => Some(Parity::Odd),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Parity::Even => "even",
            Parity::Odd => "odd",
        }
    }

    pub fn other(self) -> Parity {
        match self {
            Parity::Even => Parity::Odd,
            Parity::Odd => Parity::Even,
        }
    }
}

/// One FNC-1 (headline, body) pair: the body's sentences closest to the headline and the
/// body's label (agree, disagree or discuss).
#[derive(Debug, Clone)]
pub struct Bag {
    pub claim: String,
    pub sentences: Vec<String>,
    pub label: Stance,
}

/// The parity of each row's story (connected component of headlines and bodies linked by a
/// related stance): its smallest numeric Body ID's. `None` for a story with no numeric id.
pub fn story_parities(rows: &Fnc1Rows) -> Vec<Option<Parity>> {
    parities_in(&mut StoryComponents::of(rows), rows)
}

fn parities_in(comp: &mut StoryComponents, rows: &Fnc1Rows) -> Vec<Option<Parity>> {
    let roots: Vec<String> = rows
        .iter()
        .map(|(_, b, _)| comp.find(&format!("B:{b}")))
        .collect();
    let mut smallest: HashMap<&str, u64> = HashMap::new();
    for (root, (_, b, _)) in roots.iter().zip(rows) {
        if let Ok(n) = b.trim().parse::<u64>() {
            let e = smallest.entry(root.as_str()).or_insert(n);
            *e = (*e).min(n);
        }
    }
    roots
        .iter()
        .map(|r| {
            smallest.get(r.as_str()).map(|&n| {
                if n % 2 == 0 {
                    Parity::Even
                } else {
                    Parity::Odd
                }
            })
        })
        .collect()
}

/// FNC-1 train rows that may be read as bags: related, of a story of `parity`
/// (`story_parities`), outside every story that holds one of `held_out_bodies`.
pub fn bag_rows(rows: &Fnc1Rows, held_out_bodies: &HashSet<String>, parity: Parity) -> Fnc1Rows {
    let mut comp = StoryComponents::of(rows);
    let excluded: HashSet<String> = held_out_bodies
        .iter()
        .map(|b| comp.find(&format!("B:{b}")))
        .collect();
    let parities = parities_in(&mut comp, rows);
    rows.iter()
        .zip(parities)
        .filter(|((_, b, s), p)| {
            *s != Stance::Unrelated
                && *p == Some(parity)
                && !excluded.contains(&comp.find(&format!("B:{b}")))
        })
        .map(|(r, _)| r.clone())
        .collect()
}

/// The bags of FNC-1 train in `dir` (see `bag_rows`; the first `max` of each parity in file
/// order when given): `[parity's, the other's]`, FNC-1 read and embedded once for both. Each
/// body is cut to the sentences the eval reads (closest to the headline under `embedder`, the
/// base model).
pub fn fnc1_bags(
    dir: &Path,
    held_out_bodies: &HashSet<String>,
    parity: Parity,
    max: Option<usize>,
    embedder: &Embedder,
    observer: &dyn Observer,
) -> Result<[Vec<Bag>; 2]> {
    let (rows, bodies) = load_fnc1(dir, "train")?;
    let side = |p: Parity| {
        let mut keep = bag_rows(&rows, held_out_bodies, p);
        keep.truncate(max.unwrap_or(usize::MAX));
        keep
    };
    let (fit, held) = (side(parity), side(parity.other()));
    let n_fit = fit.len();
    let both: Fnc1Rows = fit.into_iter().chain(held).collect();
    let set = embed_fnc1(embedder, &both, &bodies, observer)?;
    let mut bags: Vec<Bag> = both
        .into_iter()
        .zip(set.parts)
        .map(|((claim, _, label), sentences)| Bag {
            claim,
            sentences,
            label,
        })
        .collect();
    let held = bags.split_off(n_fit);
    Ok([bags, held])
}

/// Bags as the head's inputs: one row per (bag, sentence) and the bag each row belongs to.
pub struct BagFeatures {
    pub x: Array2<f32>,
    pub owner: Vec<usize>,
    /// Label index of each bag.
    pub labels: Vec<usize>,
}

impl BagFeatures {
    pub fn of(
        bags: &[Bag],
        features: impl FnOnce(&[String]) -> Result<Array2<f32>>,
    ) -> Result<Self> {
        let mut texts = Vec::new();
        let mut owner = Vec::new();
        for (i, b) in bags.iter().enumerate() {
            for s in &b.sentences {
                texts.push(super::pair::pair_text(&b.claim, s));
                owner.push(i);
            }
        }
        let x = features(&texts)?;
        Ok(BagFeatures {
            x,
            owner,
            labels: bags.iter().map(|b| b.label.index()).collect(),
        })
    }

    /// Each bag's mean probabilities under a head, as the eval takes them.
    pub fn mean_probabilities(&self, weight: &Array2<f32>, bias: &Array1<f32>) -> Array2<f32> {
        let p = crate::classify::tuned::head_probabilities(&self.x, weight, bias);
        super::eval::mean_by_body(&p, &self.owner, self.labels.len())
    }
}

/// How the body head is fitted.
#[derive(Debug, Clone, Serialize)]
pub struct RefitOptions {
    /// Full-batch AdamW steps.
    pub steps: usize,
    pub lr: f64,
    /// Class weights of the loss: (mean count / class count)^balance.
    pub balance: f64,
    /// L2 pull of the head's weights (not its biases, which carry the class priors a body
    /// head must move) toward the ones it starts from (the sentence head's).
    pub anchor: f64,
}

impl Default for RefitOptions {
    fn default() -> Self {
        RefitOptions {
            steps: 400,
            lr: 2e-3,
            balance: 0.5,
            anchor: 0.01,
        }
    }
}

/// What refitting did.
#[derive(Debug, Clone, Serialize)]
pub struct RefitReport {
    pub bags: usize,
    pub bag_label_counts: [usize; 3],
    pub bag_class_weights: [f64; 3],
    pub loss_curve: Vec<f64>,
    pub seconds: f64,
}

fn class_weights(labels: &[usize], k: usize, balance: f64) -> Vec<f64> {
    let mut counts = vec![0usize; k];
    for &l in labels {
        if let Some(c) = counts.get_mut(l) {
            *c += 1;
        }
    }
    let mean = labels.len() as f64 / k as f64;
    counts
        .iter()
        .map(|&c| {
            if c == 0 {
                0.0
            } else {
                (mean / c as f64).powf(balance)
            }
        })
        .collect()
}

fn tensor2(a: &Array2<f32>, dev: &Device) -> Result<Tensor> {
    Ok(Tensor::from_vec(
        a.iter().copied().collect::<Vec<_>>(),
        a.dim(),
        dev,
    )?)
}

/// Weighted mean negative log-likelihood of `target` under the log-probabilities `logp`.
fn weighted_nll(logp: &Tensor, target: &[usize], weights: &[f64], dev: &Device) -> Result<Tensor> {
    let t: Vec<u32> = target.iter().map(|&l| l as u32).collect();
    let t = Tensor::from_vec(t, target.len(), dev)?;
    let w: Vec<f32> = target.iter().map(|&l| weights[l] as f32).collect();
    let total: f32 = w.iter().sum::<f32>().max(1e-12);
    let w = Tensor::from_vec(w, target.len(), dev)?;
    let picked = logp.gather(&t.unsqueeze(1)?, 1)?.squeeze(1)?;
    Ok(((picked * w)?.sum_all()?.neg()? / f64::from(total))?)
}

/// Fit a head (labels x hidden) on bags, starting from `weight`/`bias`. A bag's loss is its
/// label's log-probability among the related classes (agree, disagree, discuss) of the mean of
/// its sentences' probabilities: the eval zeroes `unrelated` for a body its gate lets through
/// and takes the likeliest of the other three.
pub fn refit(
    weight: &Array2<f32>,
    bias: &Array1<f32>,
    bags: &BagFeatures,
    opts: &RefitOptions,
    observer: &dyn Observer,
) -> Result<(Array2<f32>, Array1<f32>, RefitReport)> {
    let start = std::time::Instant::now();
    let (k, hidden) = weight.dim();
    let related = Stance::Unrelated.index();
    if k != super::LABELS.len() || related != k - 1 {
        return Err(Error::Internal(format!(
            "a stance head of {k} labels with unrelated at {related}"
        )));
    }
    if bags.x.ncols() != hidden || bags.x.nrows() != bags.owner.len() {
        return Err(Error::Internal(format!(
            "refit: {} rows of width {} with {} owners for a head of {hidden}",
            bags.x.nrows(),
            bags.x.ncols(),
            bags.owner.len()
        )));
    }
    let n_bags = bags.labels.len();
    if n_bags == 0 {
        return Err(Error::Input(
            "no FNC-1 bodies to fit the body head on".into(),
        ));
    }
    if bags.labels.iter().any(|&l| l >= related) || bags.owner.iter().any(|&o| o >= n_bags) {
        return Err(Error::Internal(
            "a bag labelled unrelated, or a row of no bag".into(),
        ));
    }
    let mut len = vec![0f32; n_bags];
    for &o in &bags.owner {
        len[o] += 1.0;
    }
    // An empty bag's mean is 0/0: it would turn every weight into NaN.
    if len.contains(&0.0) {
        return Err(Error::Internal("a bag without sentences".into()));
    }
    let dev = Device::Cpu;
    let w = Var::from_tensor(&tensor2(weight, &dev)?)?;
    let b = Var::from_tensor(&Tensor::from_vec(bias.to_vec(), k, &dev)?)?;
    let w0 = tensor2(weight, &dev)?;
    let x = tensor2(&bags.x, &dev)?;
    // Bag means: each sentence's probabilities added into its bag's row (index_add, which
    // candle differentiates), then divided by the bag's size.
    let inv_len = Tensor::from_vec(
        len.iter().map(|&n| 1.0 / n).collect::<Vec<f32>>(),
        (n_bags, 1),
        &dev,
    )?;
    let owner = Tensor::from_vec(
        bags.owner.iter().map(|&o| o as u32).collect::<Vec<_>>(),
        bags.owner.len(),
        &dev,
    )?;
    let empty = Tensor::zeros((n_bags, k), DType::F32, &dev)?;
    let class_w = class_weights(&bags.labels, related, opts.balance);
    let groups = vec![ParamGroup {
        vars: vec![w.clone(), b.clone()],
        lr: opts.lr,
    }];
    let loss_curve = fit(groups, 0.0, opts.steps, observer, |_| {
        let logits = x
            .matmul(&w.as_tensor().t()?)?
            .broadcast_add(b.as_tensor())?;
        let p = candle_nn::ops::softmax(&logits, 1)?;
        let mean = empty
            .index_add(&owner, &p, 0)?
            .broadcast_mul(&inv_len)?
            .narrow(1, 0, related)?;
        let q = mean.broadcast_div(&mean.sum_keepdim(1)?)?;
        let logq = (q + 1e-7)?.log()?;
        let mut loss = weighted_nll(&logq, &bags.labels, &class_w, &dev)?;
        if opts.anchor > 0.0 {
            let d = (w.as_tensor() - &w0)?;
            loss = (loss + (d.sqr()?.sum_all()? * opts.anchor)?)?;
        }
        Ok(loss)
    })?;
    let weight = Array2::from_shape_vec((k, hidden), w.as_tensor().flatten_all()?.to_vec1()?)
        .map_err(|e| Error::Internal(format!("refit head: {e}")))?;
    let bias = Array1::from_vec(b.as_tensor().to_vec1()?);
    let mut counts = [0usize; 3];
    for &l in &bags.labels {
        counts[l] += 1;
    }
    Ok((
        weight,
        bias,
        RefitReport {
            bags: n_bags,
            bag_label_counts: counts,
            bag_class_weights: [class_w[0], class_w[1], class_w[2]],
            loss_curve,
            seconds: start.elapsed().as_secs_f64(),
        },
    ))
}

/// Body-level figures of a head on bags: related-class accuracy and macro-F1 of the argmax
/// among agree/disagree/discuss of the bags' mean probabilities (no class weights, no gate).
#[derive(Debug, Clone, Serialize)]
pub struct BagScores {
    pub bags: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub f1: [f64; 3],
}

pub fn score_bags(bags: &BagFeatures, weight: &Array2<f32>, bias: &Array1<f32>) -> BagScores {
    let related = Stance::Unrelated.index();
    let p = bags.mean_probabilities(weight, bias);
    let pred: Vec<usize> = p
        .rows()
        .into_iter()
        .map(|r| crate::classify::head::argmax(r.slice(ndarray::s![..related])))
        .collect();
    let names: Vec<String> = super::LABELS[..related]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let per = crate::metrics::per_class(&pred, &bags.labels, &names);
    let mut f1 = [0.0; 3];
    for (f, c) in f1.iter_mut().zip(&per) {
        *f = c.f1;
    }
    BagScores {
        bags: bags.labels.len(),
        accuracy: crate::metrics::accuracy(&pred, &bags.labels),
        macro_f1: crate::metrics::macro_f1(&pred, &bags.labels, related),
        f1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_story_takes_the_parity_of_its_smallest_body_id() {
        let rows: Fnc1Rows = vec![
            ("h1".into(), "7".into(), Stance::Agree),
            ("h1".into(), "4".into(), Stance::Discuss),
            ("h2".into(), "9".into(), Stance::Discuss),
            ("h2".into(), "4".into(), Stance::Unrelated),
            ("h3".into(), "B".into(), Stance::Agree),
        ];
        // h1's story holds bodies 4 and 7: even, both rows; body 9 alone is odd; the unrelated
        // row belongs to its body's story (4's); a story of no numeric id has no parity.
        assert_eq!(
            story_parities(&rows),
            vec![
                Some(Parity::Even),
                Some(Parity::Even),
                Some(Parity::Odd),
                Some(Parity::Even),
                None
            ]
        );
        assert_eq!(Parity::parse("odd"), Some(Parity::Odd));
        assert_eq!(Parity::Even.other(), Parity::Odd);
    }

    #[test]
    fn bags_leave_out_unrelated_rows_other_stories_and_held_out_ones() {
        let rows: Fnc1Rows = vec![
            ("h1".into(), "2".into(), Stance::Agree),
            ("h1".into(), "4".into(), Stance::Unrelated),
            ("h1".into(), "3".into(), Stance::Discuss),
            ("h2".into(), "6".into(), Stance::Disagree),
            ("h2".into(), "8".into(), Stance::Discuss),
            ("h3".into(), "10".into(), Stance::Discuss),
            ("h4".into(), "11".into(), Stance::Agree),
        ];
        // Body 8 is held out: its story (h2, 6, 8) goes. h1's story (2, 3) is even by its
        // smallest id, so its odd body 3 stays with it; h3's stays; h4's is odd.
        let held: HashSet<String> = ["8".to_string()].into();
        let kept: Vec<(String, String)> = bag_rows(&rows, &held, Parity::Even)
            .into_iter()
            .map(|(h, b, _)| (h, b))
            .collect();
        assert_eq!(
            kept,
            vec![
                ("h1".into(), "2".into()),
                ("h1".into(), "3".into()),
                ("h3".into(), "10".into())
            ]
        );
    }

    #[test]
    fn the_bag_loss_moves_a_body_toward_its_label() {
        // Two sentences per bag in two dimensions; the head starts indifferent. A `disagree`
        // bag whose sentences point along x must come out disagree after refitting.
        let x = ndarray::array![[4.0f32, 0.0], [3.0, 1.0], [0.0, 4.0], [1.0, 3.0]];
        let bags = BagFeatures {
            x,
            owner: vec![0, 0, 1, 1],
            labels: vec![Stance::Disagree.index(), Stance::Discuss.index()],
        };
        let w = Array2::<f32>::zeros((4, 2));
        let b = Array1::<f32>::zeros(4);
        let opts = RefitOptions {
            steps: 200,
            lr: 0.05,
            balance: 0.5,
            anchor: 0.0,
        };
        let before = score_bags(&bags, &w, &b);
        let (w2, b2, report) = refit(&w, &b, &bags, &opts, &crate::observe::Silent).unwrap();
        let after = score_bags(&bags, &w2, &b2);
        assert!(before.accuracy < 1.0);
        assert_eq!(after.accuracy, 1.0, "{after:?}");
        assert_eq!(report.bag_label_counts, [0, 1, 1]);
        assert!(report.loss_curve.last() < report.loss_curve.first());
    }
}
