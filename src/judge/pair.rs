//! The same-claim judge as a cross-encoder: the two sentences read together (`a [SEP] b`) by an
//! encoder fine-tuned end to end with a two-way head (`classify::tuned`), trained on the
//! hand-labelled stories' cross-document pairs.
//!
//! Why, beside the bi-encoder judge (`super::train`): a bi-encoder compares two vectors made
//! apart, so "Banksy was arrested" and "Banksy was not arrested", or the same actors in another
//! event, stay close; reading both sentences at once lets attention line up actor with actor
//! and number with number. The cross-encoders tried before were trained on paraphrase data
//! (MRPC, STS-B) and headlines, which do not teach "same core claim"; this one learns from
//! in-story pairs only, whose negatives are the hard ones (same story, same actors, another
//! claim). It costs one encoder pass per candidate pair, so it rescores neighbours; it never
//! scans all pairs.

use std::path::{Path, PathBuf};

use rand::SeedableRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use super::train::LabelledStory;
use crate::classify::stance::pair::pair_text;
use crate::classify::tuned::{self, TrainedClassifier, TunedClassifier, TunedOptions, TunedReport};
use crate::embed::{Embedder, EmbedderOptions, ModelFiles};
use crate::error::{Error, Result};
use crate::observe::{Observer, Silent};

/// Folder name of a pair judge under `models/`.
pub const PAIR_DIR: &str = "judge-pair";
/// The card's file name inside its directory.
pub const CARD: &str = "judge-pair.json";
const TRAIN: &str = "claimscope train judge-pair";
/// The head's classes, in order.
pub const LABELS: [&str; 2] = ["different", "same"];

/// Which cross-document pairs of a labelled story become training examples.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct PairSampling {
    /// Negatives per positive taken hardest first (highest base-model cosine).
    pub hard: f64,
    /// Negatives per positive drawn at random from the rest.
    pub random: f64,
    pub seed: u64,
}

impl Default for PairSampling {
    fn default() -> Self {
        PairSampling {
            hard: 2.0,
            random: 1.0,
            seed: 13,
        }
    }
}

/// One training pair.
#[derive(Debug, Clone)]
pub struct PairExample {
    pub a: String,
    pub b: String,
    pub same: bool,
}

/// Training pairs of labelled stories: every same-claim cross-document pair, in both orders
/// (the judge must not care which sentence comes first), and per story `hard` negatives per
/// positive by base-model cosine (`embedder`) plus `random` more, each in a random order.
pub fn training_pairs(
    stories: &[LabelledStory],
    embedder: &Embedder,
    sampling: &PairSampling,
    observer: &dyn Observer,
) -> Result<Vec<PairExample>> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(sampling.seed);
    let mut out = Vec::new();
    observer.start("stories (hard negatives)", Some(stories.len() as u64));
    for story in stories {
        observer.advance(1);
        let v = embedder
            .embed_all(&story.texts, "sentences", &Silent)?
            .vectors;
        let pairs = story.cross_pairs();
        let positives: Vec<(usize, usize)> = pairs
            .iter()
            .filter(|p| p.2)
            .map(|&(i, j, _)| (i, j))
            .collect();
        let mut negatives: Vec<(usize, usize, f32)> = pairs
            .iter()
            .filter(|p| !p.2)
            .map(|&(i, j, _)| (i, j, v.row(i).dot(&v.row(j))))
            .collect();
        negatives.sort_by(|a, b| b.2.total_cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
        let n_hard =
            ((positives.len() as f64 * sampling.hard).round() as usize).min(negatives.len());
        let mut rest = negatives.split_off(n_hard);
        rest.shuffle(&mut rng);
        let n_random =
            ((positives.len() as f64 * sampling.random).round() as usize).min(rest.len());
        let text = |i: usize| story.texts[i].clone();
        for &(i, j) in &positives {
            for (a, b) in [(i, j), (j, i)] {
                out.push(PairExample {
                    a: text(a),
                    b: text(b),
                    same: true,
                });
            }
        }
        for &(i, j, _) in negatives.iter().chain(&rest[..n_random]) {
            let (a, b) = if rand::Rng::random::<bool>(&mut rng) {
                (i, j)
            } else {
                (j, i)
            };
            out.push(PairExample {
                a: text(a),
                b: text(b),
                same: false,
            });
        }
    }
    observer.finish();
    Ok(out)
}

/// Fine-tune the base model on pairs.
pub fn train(
    base: &ModelFiles,
    embedder: &Embedder,
    examples: &[PairExample],
    opts: &TunedOptions,
    observer: &dyn Observer,
) -> Result<(TrainedClassifier, TunedReport)> {
    let texts: Vec<String> = examples.iter().map(|e| pair_text(&e.a, &e.b)).collect();
    let labels: Vec<usize> = examples.iter().map(|e| usize::from(e.same)).collect();
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

/// Add `extra` (the threshold, the figures) to the card of a saved pair judge, keeping the
/// fields `save` wrote.
pub fn save_card(dir: &Path, extra: &serde_json::Value) -> Result<()> {
    let path = dir.join(CARD);
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let mut card: serde_json::Value = serde_json::from_str(&text)?;
    if let (Some(c), Some(e)) = (card.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            c.insert(k.clone(), v.clone());
        }
    }
    let text = serde_json::to_string_pretty(&card)? + "\n";
    crate::outfile::write_whole(&path, text.as_bytes())
}

/// A loaded pair judge.
pub struct PairJudge {
    model: TunedClassifier,
}

impl PairJudge {
    /// Load a pair-judge directory, refusing files whose SHA-256 is not the card's.
    pub fn load(dir: &Path, opts: &EmbedderOptions) -> Result<Self> {
        let model = TunedClassifier::load(dir, CARD, &LABELS, TRAIN, opts)?;
        // Checked here so that `threshold` reads a number known to be a probability.
        tuned::card_number(
            &model.card,
            &dir.join(CARD),
            "threshold",
            0.0..=1.0,
            "a probability of \"same\"",
        )?;
        Ok(PairJudge { model })
    }

    pub fn dir(&self) -> &Path {
        &self.model.dir
    }

    /// The threshold on the probability of "same" chosen on the dev half (on the card once
    /// `eval` has written it).
    pub fn threshold(&self) -> Option<f32> {
        self.model
            .card
            .extra
            .get("threshold")
            .and_then(serde_json::Value::as_f64)
            .map(|t| t as f32)
    }

    /// The probability that each pair asserts the same claim: the mean over both orders, so
    /// the verdict does not depend on which sentence is read first.
    pub fn same_probability(
        &self,
        pairs: &[(&str, &str)],
        observer: &dyn Observer,
    ) -> Result<Vec<f32>> {
        let texts: Vec<String> = pairs
            .iter()
            .flat_map(|(a, b)| [pair_text(a, b), pair_text(b, a)])
            .collect();
        let p = self
            .model
            .probabilities(&texts, "sentence pairs", observer)?;
        if p.nrows() != texts.len() || p.ncols() != LABELS.len() {
            return Err(Error::Internal(format!(
                "pair judge gave {}x{} probabilities for {} texts",
                p.nrows(),
                p.ncols(),
                texts.len()
            )));
        }
        Ok((0..pairs.len())
            .map(|k| (p[[2 * k, 1]] + p[[2 * k + 1, 1]]) / 2.0)
            .collect())
    }
}

/// Where the shipped pair judge is looked for. `None` when there is none.
pub fn default_dir() -> Option<PathBuf> {
    let p = crate::classify::default_head_path(PAIR_DIR);
    p.join(CARD).is_file().then_some(p)
}
