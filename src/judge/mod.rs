//! The same-claim judge: a sentence encoder fine-tuned from all-MiniLM-L6-v2 on hand-labelled
//! cross-outlet stories, so that two sentences asserting one core claim land above a threshold
//! and same-story sentences with another claim below it. `match` keeps the base model for
//! stories and the stance/confidence heads (they were trained on its vectors) and lets the
//! judge decide group membership; `similar` reports its decision.
//!
//! A judge is a model directory (`models/judge/`: the sentence-transformers files, f16 weights)
//! with a card, `judge.json`, holding the weights' SHA-256 (checked on load: a judge silently
//! swapped for other weights would change every group) and the threshold chosen on the dev
//! half of the labelled set.

pub mod negate;
pub mod pair;
pub mod rewordings;
pub mod train;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use train::{
    JudgeOptions, JudgeReport, LabelledStory, SilverPair, TrainedJudge, gold_pairs, mine_pairs,
    save, train as train_pairs, train_groups,
};

use crate::embed::{Embedder, EmbedderOptions, source};
use crate::error::{Error, Result};

/// Folder name of the shipped judge under `models/`.
pub const JUDGE_DIR: &str = "judge";
/// The card's file name inside the judge's directory.
pub const CARD: &str = "judge.json";

/// What `judge.json` must hold to load (the card carries more: data, options, training).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JudgeCard {
    pub weights_sha256: String,
    /// Cosine at or above which two sentences are judged the same claim (chosen on the dev
    /// half by `claimscope eval claims --judge DIR --save-threshold`). Absent on a freshly trained
    /// judge that was never evaluated.
    #[serde(default)]
    pub threshold: Option<f32>,
    /// The logistic scale the judge was trained with (`options.group_scale`).
    #[serde(default, rename = "probability_scale")]
    pub scale: Option<f64>,
}

pub struct Judge {
    pub encoder: Embedder,
    pub card: JudgeCard,
    pub dir: PathBuf,
}

/// A judge directory's card, as the fields loading needs and as the whole record, after
/// checking the weights' SHA-256 against it.
fn read_card(dir: &Path) -> Result<(JudgeCard, serde_json::Map<String, serde_json::Value>)> {
    let card_path = dir.join(CARD);
    let text = std::fs::read_to_string(&card_path).map_err(|e| {
        Error::Model(format!(
            "{}: {e}; a judge directory holds the model files and its card {CARD} \
             (`claimscope train judge -o DIR` writes both)",
            card_path.display()
        ))
    })?;
    let bad = |e: serde_json::Error| Error::Model(format!("{}: {e}", card_path.display()));
    let full: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&text).map_err(bad)?;
    let card: JudgeCard = serde_json::from_value(full.clone().into()).map_err(bad)?;
    check_card_numbers(&card, &card_path, dir)?;
    let weights = dir.join("model.safetensors");
    source::check_card_sha256(
        &weights,
        &card.weights_sha256,
        &card_path,
        "claimscope train judge",
    )?;
    source::check_finite_weights(
        &weights,
        "retrain it with `claimscope train judge`, or restore the directory",
    )?;
    Ok((card, full))
}

/// The card's numbers in the range they are used in: a threshold out of what `--floor`
/// accepts would make every pair the same claim or none, and a scale of 0 or below would
/// turn every probability into 0.5 or the wrong way round, while the output looked ordinary.
fn check_card_numbers(card: &JudgeCard, card_path: &Path, dir: &Path) -> Result<()> {
    if let Some(t) = card.threshold
        && !(0.0..=1.0).contains(&t)
    {
        return Err(Error::Model(format!(
            "{}: \"threshold\" is {t}, but it is a cosine between 0 and 1 (as --floor); \
             choose it again with `claimscope eval claims --judge {} --save-threshold`, or \
             restore the card",
            card_path.display(),
            dir.display()
        )));
    }
    if let Some(s) = card.scale
        && !(s.is_finite() && s > 0.0)
    {
        return Err(Error::Model(format!(
            "{}: \"probability_scale\" is {s}, but it must be a positive number (the \
             logistic scale the judge was trained with, its options.group_scale); restore \
             the card, or retrain with `claimscope train judge`",
            card_path.display()
        )));
    }
    Ok(())
}

impl Judge {
    /// Load a judge directory, refusing weights whose SHA-256 is not the card's.
    pub fn load(dir: &Path, opts: &EmbedderOptions) -> Result<Self> {
        let (card, _) = read_card(dir)?;
        let files = source::resolve(&dir.to_string_lossy())?;
        let encoder = Embedder::load_with(&files, opts)?;
        Ok(Judge {
            encoder,
            card,
            dir: dir.to_path_buf(),
        })
    }

    /// The decision threshold, or an error naming how to choose one.
    pub fn threshold(&self) -> Result<f32> {
        self.card.threshold.ok_or_else(|| {
            Error::Model(format!(
                "{}: the judge has no threshold yet; choose one on the dev half with \
                 `claimscope eval claims --judge {} --save-threshold`",
                self.dir.join(CARD).display(),
                self.dir.display()
            ))
        })
    }

    /// The judge's verdict on two texts (an error when it has no threshold yet).
    pub fn judge(&self, a: &str, b: &str) -> Result<Verdict> {
        let v = self.encoder.embed(&[a, b])?.vectors;
        self.verdict(v.row(0).dot(&v.row(1)))
    }

    /// The verdict on a judge cosine. The probability is the training loss's own logistic,
    /// `sigmoid(scale * (cosine - t))`, centred on the threshold `t` chosen on dev so that 0.5
    /// is the decision point (the loss was balanced, so it is a score, not a calibrated rate
    /// of same-claim pairs in a corpus).
    pub fn verdict(&self, cosine: f32) -> Result<Verdict> {
        let t = self.threshold()?;
        let z = self.card.scale.unwrap_or(10.0) * f64::from(cosine - t);
        Ok(Verdict {
            cosine,
            threshold: t,
            probability: 1.0 / (1.0 + (-z).exp()),
            same_claim: cosine >= t,
        })
    }
}

/// A soup of judges: the weighted element-wise mean of judges trained from the same base
/// weights with the same loss scale, as one judge directory at `out` (model files from the
/// first). Its card is the first judge's less each run's own record (data, training, figures,
/// command) and less the threshold, which belongs to the weights it was chosen for (choose the
/// soup's with `eval claims --judge OUT --save-threshold`); each source's record and SHA-256
/// go under `averaged_from`, and `card` is merged over it. Each source's weights are checked
/// against its card first.
pub fn average(
    dirs: &[PathBuf],
    weights: &[f64],
    out: &Path,
    card: &serde_json::Value,
) -> Result<PathBuf> {
    crate::finetune::check_average_inputs(dirs, weights, out)?;
    let cards = dirs
        .iter()
        .map(|d| read_card(d))
        .collect::<Result<Vec<_>>>()?;
    // Tensors of one shape do not make one starting point: the base model must be the same.
    if let Some((d, (_, full))) = dirs
        .iter()
        .zip(&cards)
        .find(|(_, (_, full))| full.get("base_model") != cards[0].1.get("base_model"))
    {
        return Err(Error::Model(format!(
            "{}: base model {} differs from {}'s {}; only judges fine-tuned from one base model can be averaged",
            d.join(CARD).display(),
            full.get("base_model").unwrap_or(&serde_json::Value::Null),
            dirs[0].display(),
            cards[0]
                .1
                .get("base_model")
                .unwrap_or(&serde_json::Value::Null)
        )));
    }
    if let Some((d, (c, _))) = dirs
        .iter()
        .zip(&cards)
        .find(|(_, (c, _))| c.scale != cards[0].0.scale)
    {
        return Err(Error::Model(format!(
            "{}: probability scale {:?} differs from {}'s {:?}; only judges trained alike can be averaged",
            d.join(CARD).display(),
            c.scale,
            dirs[0].display(),
            cards[0].0.scale
        )));
    }
    crate::finetune::copy_model_files(&dirs[0], out)?;
    let paths: Vec<PathBuf> = dirs.iter().map(|d| d.join("model.safetensors")).collect();
    let sha =
        crate::finetune::average_safetensors(&paths, weights, &out.join("model.safetensors"))?;
    let sources: Vec<_> = dirs
        .iter()
        .zip(&cards)
        .map(|(d, (c, full))| (d.as_path(), c.weights_sha256.as_str(), full))
        .collect();
    let mut soup = crate::finetune::soup_card(&sources, weights, &["threshold"], card);
    soup.insert("weights_sha256".into(), sha.into());
    let text = serde_json::to_string_pretty(&serde_json::Value::Object(soup))? + "\n";
    crate::outfile::write_whole(&out.join(CARD), text.as_bytes())?;
    Ok(out.to_path_buf())
}

/// What the judge says of two texts.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Verdict {
    /// Cosine of the two texts' judge vectors.
    pub cosine: f32,
    pub threshold: f32,
    pub probability: f64,
    pub same_claim: bool,
}

/// Where the shipped judge is looked for: as the heads are (`$CLAIMSCOPE_MODELS`, `./models`,
/// beside the program, the source tree's `models/`). `None` when there is none.
pub fn default_dir() -> Option<PathBuf> {
    let p = crate::classify::default_head_path(JUDGE_DIR);
    p.join(CARD).is_file().then_some(p)
}

/// Record `threshold` in the card of the judge in `dir`, with the figures it was chosen by
/// (`figures`: what `eval claims` measured; other fields kept as they are).
pub fn write_threshold(dir: &Path, threshold: f32, figures: &serde_json::Value) -> Result<()> {
    let path = dir.join(CARD);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let mut card: serde_json::Value = serde_json::from_str(&text)?;
    if let Some(o) = card.as_object_mut() {
        o.insert("threshold".into(), serde_json::json!(threshold));
        o.insert("figures".into(), figures.clone());
    }
    // Whole or not at all: a torn card would refuse to load the judge.
    let text = serde_json::to_string_pretty(&card)?;
    crate::outfile::write_whole(&dir.join(CARD), text.as_bytes())
}
