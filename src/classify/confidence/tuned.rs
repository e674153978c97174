//! Asserted confidence from a fine-tuned encoder (`classify::tuned`): all-MiniLM-L6-v2 and a
//! four-way head trained end to end on Pei & Jurgens' sentences (their 1-6 scores mapped to
//! levels by the edges of `super`) and the hand-labelled train sentences of the labelled set,
//! which carry the guide's news conventions (attribution looked through, subordinate hedges
//! not lowering a plain main clause) that science findings do not.
//!
//! The `none` rule of `super` still runs first (a question or a verbless heading asserts
//! nothing whatever a model says), and the cue scanner still gives the cue spans users see.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::data::Scored;
use super::{ConfidenceLabel, level_of_score, no_proposition};
use crate::classify::cues::{self, Level};
use crate::classify::tuned::{self, TrainedClassifier, TunedClassifier, TunedOptions, TunedReport};
use crate::embed::{Embedder, EmbedderOptions, ModelFiles};
use crate::error::{Error, Result};
use crate::observe::Observer;

/// Folder name of the shipped model under `models/`.
pub const TUNED_DIR: &str = "confidence-tuned";
/// The card's file name inside the model's directory.
pub const CARD: &str = "confidence-tuned.json";
const TRAIN: &str = "claimscope train confidence-tuned";
/// What `tuned::average` needs to read and check a directory of this kind.
pub const KIND: tuned::TunedKind = tuned::TunedKind {
    card: CARD,
    labels: &LABELS,
    train: TRAIN,
    not_in_soup: &[],
};
/// Classes, in `Level::ALL` order.
pub const LABELS: [&str; 4] = ["high", "moderate", "low", "none"];

/// Texts and label indices: Pei & Jurgens' sentences by their score's level, then each
/// labelled sentence `repeat` times.
pub fn examples(
    pei: &[Scored],
    labelled: &[(String, Level)],
    repeat: usize,
) -> (Vec<String>, Vec<usize>) {
    let index = |l: Level| Level::ALL.iter().position(|&x| x == l).unwrap_or(0);
    let mut texts = Vec::new();
    let mut labels = Vec::new();
    for s in pei {
        texts.push(s.text.clone());
        labels.push(index(level_of_score(s.score)));
    }
    for _ in 0..repeat {
        for (t, l) in labelled {
            texts.push(t.clone());
            labels.push(index(*l));
        }
    }
    (texts, labels)
}

pub fn train(
    base: &ModelFiles,
    embedder: &Embedder,
    texts: &[String],
    labels: &[usize],
    opts: &TunedOptions,
    observer: &dyn Observer,
) -> Result<(TrainedClassifier, TunedReport)> {
    tuned::train(base, embedder, texts, labels, &LABELS, opts, observer)
}

/// Write the model directory and its card; `class_values` (the rescaled 0-1 score of each
/// class) goes in the card, to turn probabilities into a score.
pub fn save(
    trained: &TrainedClassifier,
    base: &ModelFiles,
    out: &Path,
    opts: &TunedOptions,
    class_values: [f32; 4],
    hedges: Hedges,
    card: &serde_json::Value,
) -> Result<PathBuf> {
    let mut card = card.clone();
    if let Some(o) = card.as_object_mut() {
        o.insert("class_values".into(), serde_json::json!(class_values));
        o.insert("hedges".into(), serde_json::to_value(hedges)?);
    }
    tuned::save(trained, base, out, CARD, &LABELS, opts, &card)
}

/// Mean rescaled score, `(score - 1) / 5`, of Pei & Jurgens' sentences of each level; `none`
/// is 0 (nothing asserted). A level with no sentences takes its edge's value.
pub fn class_values(pei: &[Scored]) -> [f32; 4] {
    let mut sum = [0.0f64; 4];
    let mut n = [0usize; 4];
    for s in pei {
        let i = Level::ALL
            .iter()
            .position(|&x| x == level_of_score(s.score))
            .unwrap_or(0);
        sum[i] += (s.score - 1.0) / 5.0;
        n[i] += 1;
    }
    let fallback = [
        (super::HIGH_FROM - 1.0) / 5.0,
        (super::LOW_BELOW - 1.0) / 5.0,
        0.3,
        0.0,
    ];
    let mut out = [0.0f32; 4];
    for i in 0..3 {
        out[i] = if n[i] > 0 {
            (sum[i] / n[i] as f64) as f32
        } else {
            fallback[i] as f32
        };
    }
    out
}

/// Who decides the level of a sentence the model finds asserted. The labelled set's hedged
/// classes are small (moderate and low are 7-12 sentences per half) and the guide defines
/// them by their words, so the cue scanner's main-clause rule (`cues::lexical_level`: an
/// explicit confidence phrase, else the weakest main-clause hedge, else a booster) can decide
/// where it finds a cue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Hedges {
    /// The model alone.
    Model,
    /// The rule where it finds a main-clause cue, else the model.
    #[default]
    RuleThenModel,
    /// The rule where it finds a main-clause cue, else high: the model only says whether
    /// anything is asserted.
    Rule,
}

pub struct TunedConfidence {
    model: TunedClassifier,
    class_values: Vec<f32>,
    hedges: Hedges,
}

impl TunedConfidence {
    /// Load a model directory, refusing files whose SHA-256 is not the card's.
    pub fn load(dir: &Path, opts: &EmbedderOptions) -> Result<Self> {
        let model = TunedClassifier::load(dir, CARD, &LABELS, TRAIN, opts)?;
        let extra = &model.card.extra;
        let class_values: Vec<f32> = extra
            .get("class_values")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .filter(|v: &Vec<f32>| v.len() == LABELS.len())
            .ok_or_else(|| {
                Error::Model(format!(
                    "{}: no class_values of {} levels; retrain with `{TRAIN}`",
                    dir.join(CARD).display(),
                    LABELS.len()
                ))
            })?;
        super::check_class_values(&class_values, &dir.join(CARD), "class_values", TRAIN)?;
        let hedges = match extra.get("hedges") {
            None => Hedges::default(),
            Some(v) => serde_json::from_value(v.clone()).map_err(|e| {
                Error::Model(format!(
                    "{}: \"hedges\": {e} (model, rule-then-model or rule)",
                    dir.join(CARD).display()
                ))
            })?,
        };
        Ok(TunedConfidence {
            model,
            class_values,
            hedges,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.model.dir
    }

    /// Labels of `texts`, in order.
    pub fn classify(
        &self,
        texts: &[&str],
        observer: &dyn Observer,
    ) -> Result<Vec<ConfidenceLabel>> {
        let p = self.model.probabilities(texts, "sentences", observer)?;
        let none = Level::ALL.iter().position(|&l| l == Level::None);
        Ok(texts
            .iter()
            .zip(p.rows())
            .map(|(t, row)| {
                let found = cues::find(t);
                if let Some(reason) = no_proposition(t) {
                    return ConfidenceLabel::nothing_asserted(reason, found);
                }
                let best = crate::classify::head::argmax(row);
                let said = Level::ALL[best.min(Level::ALL.len() - 1)];
                let rule = cues::lexical_level(&found);
                // Whether the cue rule gave the level (a hedge in the main clause; under
                // `rule`, no hedge: high) rather than the model.
                let (level, by_rule) = match (self.hedges, said, rule) {
                    (Hedges::Model, ..) | (_, Level::None, _) => (said, false),
                    (_, _, Some(r)) => (r, true),
                    (Hedges::RuleThenModel, _, None) => (said, false),
                    (Hedges::Rule, _, None) => (Level::High, true),
                };
                // The probability is the model's, of what the model decided. Where the rule
                // gave the level, the model decided only that the sentence asserts something:
                // the probability is then that of any level but `none`. Its belief in the
                // rule's level itself would make `--min-prob` hide the very hedges the cues
                // show ("is likely to have authorised": 0.16 for `moderate`), which the rule
                // is not unsure of.
                let probability = if by_rule {
                    1.0 - none.map_or(0.0, |k| row[k])
                } else {
                    row[best]
                };
                ConfidenceLabel {
                    confidence: level,
                    score: row.iter().zip(&self.class_values).map(|(p, v)| p * v).sum(),
                    cues: found,
                    probability,
                    reason: (level == Level::None).then_some("the model found no assertion"),
                }
            })
            .collect())
    }
}

/// Where the shipped model is looked for (as the heads are). `None` when there is none.
pub fn default_dir() -> Option<PathBuf> {
    let p = crate::classify::default_head_path(TUNED_DIR);
    p.join(CARD).is_file().then_some(p)
}
