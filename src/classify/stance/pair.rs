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
/// The command that adds a body head.
const BODY_TRAIN: &str = "claimscope train stance-body";
/// What `tuned::average` needs to read and check a directory of this kind.
pub const KIND: tuned::TunedKind = tuned::TunedKind {
    card: CARD,
    labels: &LABELS,
    train: TRAIN,
    not_in_soup: &[BODY_HEAD_SHA, "body_head", super::bags::SEEN_FIELD],
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

/// A card's `fnc1_train_bodies_seen` (`fields`: the card's fields, `card_path` to name it),
/// when it has one: "even" or "odd". What loading and `train average` read it with.
pub fn fnc1_seen(
    fields: &serde_json::Map<String, serde_json::Value>,
    card_path: &Path,
) -> Result<Option<super::bags::Parity>> {
    match fields.get(super::bags::SEEN_FIELD) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(v) => v
            .as_str()
            .and_then(super::bags::Parity::parse)
            .map(Some)
            .ok_or_else(|| {
                Error::Model(format!(
                    "{}: \"{}\" must be \"even\" or \"odd\" (the FNC-1 train stories the \
                     model saw), not {v}; write the model again with `{TRAIN}` (or its body \
                     head with `{BODY_TRAIN}`)",
                    card_path.display(),
                    super::bags::SEEN_FIELD
                ))
            }),
    }
}

/// The optional second head's file: stance of a whole body, read sentence by sentence
/// (`super::bags`).
pub const BODY_HEAD_FILE: &str = "body-head.safetensors";
/// The card field holding its SHA-256.
pub const BODY_HEAD_SHA: &str = "body_head_sha256";

/// A loaded pair model.
pub struct StancePairModel {
    model: TunedClassifier,
    unrelated_below: Option<f32>,
    /// The body head, when the directory has one: (labels x hidden, bias), and the FNC-1
    /// train stories it was fitted on.
    body_head: Option<(Array2<f32>, ndarray::Array1<f32>, super::bags::Parity)>,
    /// The FNC-1 train stories (by parity) the model was trained on, as its card names them:
    /// those of its body head, or of FNC-1 pairs among its training data.
    seen: Option<super::bags::Parity>,
}

impl StancePairModel {
    /// Load a pair model directory, refusing files whose SHA-256 is not the card's.
    pub fn load(dir: &Path, opts: &EmbedderOptions) -> Result<Self> {
        let model = TunedClassifier::load(dir, CARD, &LABELS, TRAIN, opts)?;
        let unrelated_below = tuned::card_number(
            &model.card,
            &dir.join(CARD),
            "unrelated_below",
            -1.0..=1.0,
            "a base-model cosine",
        )?
        .map(|t| t as f32);
        let seen = fnc1_seen(&model.card.extra, &dir.join(CARD))?;
        let body_head = match model.card.extra.get(BODY_HEAD_SHA) {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => {
                let card_path = dir.join(CARD);
                let want = v.as_str().ok_or_else(|| {
                    Error::Model(format!(
                        "{}: \"{BODY_HEAD_SHA}\" must be a SHA-256 string",
                        card_path.display()
                    ))
                })?;
                let path = dir.join(BODY_HEAD_FILE);
                if !path.is_file() {
                    return Err(Error::Model(format!(
                        "{}: names a body head, but {} is missing; restore it, remove \
                         \"{BODY_HEAD_SHA}\" from the card, or write the model again with \
                         `{BODY_TRAIN}`",
                        card_path.display(),
                        path.display()
                    )));
                }
                crate::embed::source::check_card_sha256(&path, want, &card_path, BODY_TRAIN)?;
                // Its eval must know which stories it saw (`eval::choose_body_gate`).
                let Some(parity) = seen else {
                    return Err(Error::Model(format!(
                        "{}: a body head needs \"{}\": \"even\" or \"odd\" (the FNC-1 train \
                         stories it was fitted on); write the model again with `{BODY_TRAIN}`",
                        card_path.display(),
                        super::bags::SEEN_FIELD
                    )));
                };
                let (w, _) = model.head();
                let (bw, bb) = tuned::read_head(&path, w.nrows(), w.ncols())?;
                Some((bw, bb, parity))
            }
        };
        Ok(StancePairModel {
            model,
            unrelated_below,
            body_head,
            seen,
        })
    }

    /// Probabilities of each text's *body* toward its claim, to be averaged over the body's
    /// sentences: the body head's where the model has one (`super::bags`), else the sentence
    /// probabilities (`probabilities`).
    pub fn body_probabilities(
        &self,
        claims: &[&str],
        texts: &[&str],
        observer: &dyn Observer,
    ) -> Result<Array2<f32>> {
        let Some((w, b, _)) = &self.body_head else {
            return self.probabilities(claims, texts, observer);
        };
        let x = self
            .model
            .features(&joined(claims, texts)?, "claim-sentence pairs", observer)?;
        Ok(tuned::head_probabilities(&x, w, b))
    }

    /// Whether the model has a body head.
    pub fn has_body_head(&self) -> bool {
        self.body_head.is_some()
    }

    /// This model with `weight`/`bias` as its body head, written to `out` (the encoder and the
    /// sentence head copied as they are); `record` goes on the card under `body_head`.
    pub fn save_with_body_head(
        &self,
        weight: &Array2<f32>,
        bias: &ndarray::Array1<f32>,
        seen: super::bags::Parity,
        out: &Path,
        record: serde_json::Value,
    ) -> Result<()> {
        // Before anything is written: the copy would truncate the files it copies from.
        tuned::refuse_same_dir(self.dir(), out)?;
        let mut fields = serde_json::Map::new();
        fields.insert(super::bags::SEEN_FIELD.into(), seen.as_str().into());
        fields.insert("body_head".into(), record);
        std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
        let sha = tuned::write_head(&out.join(BODY_HEAD_FILE), weight, bias)?;
        fields.insert(BODY_HEAD_SHA.into(), sha.into());
        tuned::copy_with_card(&self.model, CARD, out, fields)?;
        Ok(())
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

    /// The tuned classifier underneath (its features and head, for `super::bags`).
    pub fn tuned(&self) -> &TunedClassifier {
        &self.model
    }

    /// The FNC-1 train stories the model saw (its body head's, `super::bags`, or FNC-1 pairs
    /// it was trained on), as the parity its card names: choices made on FNC-1 train must
    /// leave those stories out.
    pub fn fnc1_bodies_seen(&self) -> Option<super::bags::Parity> {
        self.seen
    }

    /// Class probabilities (rows in `Stance::ALL` order) of each text toward its claim; a text
    /// that distances itself from what it reports does not agree (`super::distance`).
    pub fn probabilities(
        &self,
        claims: &[&str],
        texts: &[&str],
        observer: &dyn Observer,
    ) -> Result<Array2<f32>> {
        let joined = joined(claims, texts)?;
        let mut p = self
            .model
            .probabilities(&joined, "claim-sentence pairs", observer)?;
        super::distance::apply(&mut p, claims, texts);
        Ok(p)
    }
}

/// The texts the encoder reads for (claim, text) pairs.
fn joined(claims: &[&str], texts: &[&str]) -> Result<Vec<String>> {
    if claims.len() != texts.len() {
        return Err(Error::Internal(format!(
            "stance pairs: {} claims for {} texts",
            claims.len(),
            texts.len()
        )));
    }
    Ok(claims
        .iter()
        .zip(texts)
        .map(|(c, t)| pair_text(c, t))
        .collect())
}

/// Where the shipped pair model is looked for (as the heads are). `None` when there is none.
pub fn default_dir() -> Option<PathBuf> {
    let p = crate::classify::default_head_path(PAIR_DIR);
    p.join(CARD).is_file().then_some(p)
}
