//! Stance as a pair model: the claim and the sentence read together by one encoder
//! (`[CLS] claim [SEP] sentence [SEP]`), a classifier fine-tuned end to end (`classify::tuned`).
//!
//! Why: the head over two separately pooled vectors (`super::StanceClassifier`) sees a denial
//! and an assertion of one proposition as nearly the same point, so denials came out
//! `unrelated` or `discuss`. Reading both texts in one pass lets attention relate "has not been
//! arrested" to "was arrested". The pair goes through the ordinary encoder as one text with the
//! tokenizer's own `[SEP]` between the two (token type 0 throughout, in training as at
//! inference), so inference stays on the fast path and its int8 option.

use std::path::{Path, PathBuf};

use ndarray::Array2;

use super::LABELS;
use super::data::LabelledPair;
use crate::classify::tuned::{self, TrainedClassifier, TunedClassifier, TunedOptions, TunedReport};
use crate::embed::{Embedder, EmbedderOptions, ModelFiles};
use crate::error::{Error, Result};
use crate::observe::Observer;

/// Folder name of the shipped pair model under `models/`.
pub const PAIR_DIR: &str = "stance-pair";
/// The card's file name inside the model's directory.
pub const CARD: &str = "stance-pair.json";
/// The command that writes one.
const TRAIN: &str = "claimscope train stance-pair";
/// What `tuned::average` needs to read and check a directory of this kind.
pub const KIND: tuned::TunedKind = tuned::TunedKind {
    card: CARD,
    labels: &LABELS,
    train: TRAIN,
};

/// The one text the encoder reads for a (claim, sentence) pair.
pub fn pair_text(claim: &str, text: &str) -> String {
    format!("{claim} [SEP] {text}")
}

/// Fine-tune on labelled (claim, text) pairs.
pub fn train(
    base: &ModelFiles,
    embedder: &Embedder,
    examples: &[LabelledPair],
    opts: &TunedOptions,
    observer: &dyn Observer,
) -> Result<(TrainedClassifier, TunedReport)> {
    let texts: Vec<String> = examples
        .iter()
        .map(|e| pair_text(&e.claim, &e.text))
        .collect();
    let labels: Vec<usize> = examples.iter().map(|e| e.label.index()).collect();
    tuned::train(base, embedder, &texts, &labels, &LABELS, opts, observer)
}

/// Write the model directory and its card.
pub fn save(
    trained: &TrainedClassifier,
    base: &ModelFiles,
    out: &Path,
    opts: &TunedOptions,
    card: &serde_json::Value,
) -> Result<PathBuf> {
    tuned::save(trained, base, out, CARD, &LABELS, opts, card)
}

/// A loaded pair model.
pub struct StancePairModel {
    model: TunedClassifier,
    unrelated_below: Option<f32>,
}

impl StancePairModel {
    /// Load a pair model directory, refusing files whose SHA-256 is not the card's.
    pub fn load(dir: &Path, opts: &EmbedderOptions) -> Result<Self> {
        let model = TunedClassifier::load(dir, CARD, &LABELS, TRAIN, opts)?;
        let unrelated_below = match model.card.extra.get("unrelated_below") {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => Some(v.as_f64().map(|t| t as f32).ok_or_else(|| {
                Error::Model(format!(
                    "{}: \"unrelated_below\" must be a number (a base-model cosine)",
                    dir.join(CARD).display()
                ))
            })?),
        };
        Ok(StancePairModel {
            model,
            unrelated_below,
        })
    }

    /// The topic gate: a pair whose base-model cosine is under this is `unrelated` whatever
    /// the model says. The model was trained on sentences of one story (and few cross-topic
    /// pairs), so off-topic text against a claim tends to come out `discuss`; the cosine,
    /// which the head always had as a feature, knows another topic when it sees one.
    pub fn unrelated_below(&self) -> Option<f32> {
        self.unrelated_below
    }

    pub fn dir(&self) -> &Path {
        &self.model.dir
    }

    /// Class probabilities (rows in `Stance::ALL` order) of each text toward its claim; a text
    /// that distances itself from what it reports does not agree (`super::distance`).
    pub fn probabilities(
        &self,
        claims: &[&str],
        texts: &[&str],
        observer: &dyn Observer,
    ) -> Result<Array2<f32>> {
        if claims.len() != texts.len() {
            return Err(Error::Internal(format!(
                "stance pairs: {} claims for {} texts",
                claims.len(),
                texts.len()
            )));
        }
        let joined: Vec<String> = claims
            .iter()
            .zip(texts)
            .map(|(c, t)| pair_text(c, t))
            .collect();
        let mut p = self
            .model
            .probabilities(&joined, "claim-sentence pairs", observer)?;
        super::distance::apply(&mut p, claims, texts);
        Ok(p)
    }
}

/// Where the shipped pair model is looked for (as the heads are). `None` when there is none.
pub fn default_dir() -> Option<PathBuf> {
    let p = crate::classify::default_head_path(PAIR_DIR);
    p.join(CARD).is_file().then_some(p)
}
