//! Asserted confidence of a sentence: high / moderate / low / none, a score, and the cues.
//!
//! `none` (no proposition asserted: a question, a fragment, a label-like headline) is
//! structural and decided by rule before the head runs: the only public graded set, Pei &
//! Jurgens' certainty of science findings, has no such sentences to learn it from. Among the
//! other three the head decides, on the sentence embedding plus cue features (`cues`).
//!
//! Pei & Jurgens' 1-6 scores map onto levels with edges chosen on their train split: sentences
//! whose main clause carries a weak hedge ("may", "suggests") have median 3.0, those with a
//! probable-hedge ("likely", "believes") median 4.0, unhedged and boosted ones median 5.0; the
//! edges are the midpoints, 3.5 and 4.5 (`claimscope train confidence` prints the medians it
//! sees, so the choice can be checked).
//!
//! This module is what `match` and `classify` run: the level rules, the cue features and the
//! classifier. Beside it, building on it and never the other way round: `data` (Pei & Jurgens'
//! sentences), `train` (the head and the medians behind the edges) and `eval` (test figures).

pub mod data;
pub mod eval;
pub mod train;
pub mod tuned;

use std::path::Path;

use ndarray::{Array2, ArrayView2, s};
use serde::Serialize;

use super::cues::{self, Cue, Level};
use super::head::{self, Head};
use crate::embed::Embedder;
use crate::embed::ModelId;
use crate::error::{Error, Result};
use crate::lexicon::{CONTRACTING_PRONOUNS, VERBISH};

pub const FEATURES: &str = "confidence-v1: embedding + 16 cue features";
pub const TASK: &str = "confidence";
/// Classes of the head (`none` is decided by rule).
pub const HEAD_LEVELS: [Level; 3] = [Level::High, Level::Moderate, Level::Low];
pub const LOW_BELOW: f64 = 3.5;
pub const HIGH_FROM: f64 = 4.5;
const EXTRA: usize = 16;

pub fn level_of_score(score: f64) -> Level {
    if score >= HIGH_FROM {
        Level::High
    } else if score >= LOW_BELOW {
        Level::Moderate
    } else {
        Level::Low
    }
}

/// Why a sentence asserts no proposition, or None when it does.
pub fn no_proposition(text: &str) -> Option<&'static str> {
    let t = text.trim();
    let words = cues::words(t);
    if words.is_empty() {
        return Some("empty");
    }
    let last = t.trim_end_matches(['"', '\'', '”', '’', ')', ']', ' ']);
    if last.ends_with('?') {
        return Some("question");
    }
    if words.len() < 3 {
        return Some("fragment");
    }
    let lower = t.to_lowercase();
    if crate::segment::is_markup(&lower) {
        return Some("markup or code");
    }
    let punctuated = last.ends_with(['.', '!', ';', ':', '…']);
    if !punctuated {
        // Curly apostrophes as straight ones, so "It’s" is one word, as "It's" is.
        let lower = lower.replace('’', "'");
        let has_verb = cues::words(&lower).iter().any(|&(a, b)| {
            let w = &lower[a..b];
            VERBISH.contains(&w)
                || (w.len() > 4 && w.ends_with("ed"))
                || w.ends_with("n't")
                || contracted_verb(w)
        });
        if !has_verb {
            return Some("heading without a verb");
        }
    }
    None
}

/// Is `w` (lowercase, straight apostrophe) a pronoun with a contracted verb: "it's", "they're",
/// "I'm", "we've", "you'll", "he'd"? "'s" and "'d" count only after a pronoun, since "Obama's"
/// is a possessive.
fn contracted_verb(w: &str) -> bool {
    ["'re", "'m", "'ve", "'ll"].iter().any(|e| w.ends_with(e))
        || ["'s", "'d"].iter().any(|e| {
            w.strip_suffix(e)
                .is_some_and(|stem| CONTRACTING_PRONOUNS.contains(&stem))
        })
}

/// The 16 cue features: per level (high, moderate, low) cue counts in main and subordinate
/// clauses; the explicit confidence phrase's level; the rule's level (or none found); question,
/// negations, log length.
fn cue_features(text: &str, found: &[Cue], out: &mut [f32]) {
    out.fill(0.0);
    for c in found {
        let lvl = match c.level {
            Level::High => 0,
            Level::Moderate => 1,
            Level::Low => 2,
            Level::None => continue,
        };
        out[lvl * 2 + usize::from(!c.main_clause)] += 1.0;
        if c.kind == cues::CueKind::ConfidencePhrase && c.main_clause {
            out[6 + lvl] = 1.0;
        }
    }
    let rule = match cues::lexical_level(found) {
        Some(Level::High) => 0,
        Some(Level::Moderate) => 1,
        Some(Level::Low) => 2,
        _ => 3,
    };
    out[9 + rule] = 1.0;
    out[13] = f32::from(text.trim_end().ends_with('?'));
    out[14] = cues::count_negations(text) as f32;
    out[15] = ((cues::words(text).len() + 1) as f32).ln();
}

/// Feature rows for texts whose embeddings are `vectors`.
pub fn features(texts: &[&str], vectors: ArrayView2<f32>) -> Array2<f32> {
    let found: Vec<Vec<Cue>> = texts.iter().map(|t| cues::find(t)).collect();
    features_with(texts, vectors, &found)
}

/// [`features`] with the cues already found (the classifier reports them too).
fn features_with(texts: &[&str], vectors: ArrayView2<f32>, found: &[Vec<Cue>]) -> Array2<f32> {
    let d = vectors.ncols();
    let mut x = Array2::zeros((texts.len(), d + EXTRA));
    for (i, (t, f)) in texts.iter().zip(found).enumerate() {
        x.slice_mut(s![i, ..d]).assign(&vectors.row(i));
        let mut row = x.row_mut(i);
        if let Some(extra) = row.as_slice_mut() {
            cue_features(t, f, &mut extra[d..]);
        }
    }
    x
}

#[derive(Debug, Clone, Serialize)]
pub struct ConfidenceLabel {
    pub confidence: Level,
    /// How certain the wording is, 0 (no assertion) to 1 (plain fact): the expected Pei &
    /// Jurgens score of the head's class probabilities, rescaled from 1-6.
    pub score: f32,
    pub cues: Vec<Cue>,
    /// The head's probability of its label (1 for `none`, which a rule decides).
    pub probability: f32,
    /// Set when the label is `none`: why no proposition was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
}

impl ConfidenceLabel {
    /// The rule's `none`: no proposition, for `reason`.
    pub(crate) fn nothing_asserted(reason: &'static str, cues: Vec<Cue>) -> Self {
        ConfidenceLabel {
            confidence: Level::None,
            score: 0.0,
            cues,
            probability: 1.0,
            reason: Some(reason),
        }
    }
}

/// Class values are scores on the 0-1 certainty scale (`score` is their mean under the class
/// probabilities): one outside it, or NaN, would print scores no reader can place.
pub(crate) fn check_class_values(
    values: &[f32],
    file: &Path,
    field: &str,
    train: &str,
) -> Result<()> {
    match values.iter().find(|v| !(0.0..=1.0).contains(*v)) {
        None => Ok(()),
        Some(v) => Err(Error::Model(format!(
            "{}: {field} holds {v}, but each is a score between 0 and 1; restore the file, or \
             retrain with `{train}`",
            file.display()
        ))),
    }
}

pub struct ConfidenceClassifier {
    head: Head,
    /// Per head class, the mean rescaled train score: turns probabilities into a score.
    class_values: Vec<f32>,
}

impl ConfidenceClassifier {
    pub fn load(path: &Path, model: &ModelId) -> Result<Self> {
        let head = Head::load(path)?;
        head.check(path, TASK, FEATURES, model)?;
        let class_values = head
            .meta
            .class_values
            .clone()
            .filter(|v| v.len() == HEAD_LEVELS.len())
            .ok_or_else(|| {
                Error::Model(format!(
                    "{}: confidence head without class values; retrain it with `claimscope train confidence`",
                    path.display()
                ))
            })?;
        check_class_values(
            &class_values,
            path,
            "class_values (in its claimscope_head metadata)",
            "claimscope train confidence",
        )?;
        Ok(ConfidenceClassifier { head, class_values })
    }

    pub fn head(&self) -> &Head {
        &self.head
    }

    /// Labels for texts with their embeddings (rows of `vectors`, same order).
    pub fn classify(
        &self,
        texts: &[&str],
        vectors: ArrayView2<f32>,
    ) -> Result<Vec<ConfidenceLabel>> {
        let all_cues: Vec<Vec<Cue>> = texts.iter().map(|t| cues::find(t)).collect();
        let x = features_with(texts, vectors, &all_cues);
        let p = self.head.predict_proba(x.view())?;
        Ok(texts
            .iter()
            .zip(p.rows())
            .zip(all_cues)
            .map(|((t, row), found)| {
                if let Some(reason) = no_proposition(t) {
                    return ConfidenceLabel::nothing_asserted(reason, found);
                }
                let score = row.iter().zip(&self.class_values).map(|(p, v)| p * v).sum();
                let best = head::argmax(row);
                ConfidenceLabel {
                    confidence: HEAD_LEVELS[best],
                    score,
                    cues: found,
                    probability: row[best],
                    reason: None,
                }
            })
            .collect())
    }

    /// Embed and label.
    pub fn classify_texts(
        &self,
        embedder: &Embedder,
        texts: &[&str],
    ) -> Result<Vec<ConfidenceLabel>> {
        let e = embedder.embed(texts)?;
        self.classify(texts, e.vectors.view())
    }
}

/// What labels asserted confidence: the fine-tuned encoder (shipped in
/// `models/confidence-tuned/`) or the head over the base model's vector and cue features.
/// The caller picks; both give the same labels, the `none` rule and the cues.
pub enum ConfidenceModel {
    Tuned(Box<tuned::TunedConfidence>),
    Head(Box<ConfidenceClassifier>),
}

impl From<ConfidenceClassifier> for ConfidenceModel {
    fn from(h: ConfidenceClassifier) -> Self {
        ConfidenceModel::Head(Box::new(h))
    }
}

impl From<tuned::TunedConfidence> for ConfidenceModel {
    fn from(m: tuned::TunedConfidence) -> Self {
        ConfidenceModel::Tuned(Box::new(m))
    }
}

impl ConfidenceModel {
    /// The shipped default: the fine-tuned model when `models/confidence-tuned/` is there,
    /// else the head (`models/confidence.safetensors`).
    pub fn shipped(model: &ModelId, opts: &crate::embed::EmbedderOptions) -> Result<Self> {
        match tuned::default_dir() {
            Some(dir) => Ok(tuned::TunedConfidence::load(&dir, opts)?.into()),
            None => Ok(ConfidenceClassifier::load(
                &crate::classify::default_head_path(crate::classify::CONFIDENCE_HEAD),
                model,
            )?
            .into()),
        }
    }

    /// Labels of `texts`; `vectors` are their base-model vectors (the head reads them).
    pub fn classify(
        &self,
        texts: &[&str],
        vectors: ArrayView2<f32>,
        observer: &dyn crate::observe::Observer,
    ) -> Result<Vec<ConfidenceLabel>> {
        match self {
            ConfidenceModel::Tuned(m) => m.classify(texts, observer),
            ConfidenceModel::Head(h) => h.classify(texts, vectors),
        }
    }

    /// Whether it reads the base model's vectors (the tuned model does not).
    pub fn needs_vectors(&self) -> bool {
        matches!(self, ConfidenceModel::Head(_))
    }

    pub fn describe(&self) -> String {
        match self {
            ConfidenceModel::Tuned(m) => format!("fine-tuned model {}", m.dir().display()),
            ConfidenceModel::Head(_) => "head over the pooled vector and cues".into(),
        }
    }
}

/// Class index of a head level (`HEAD_LEVELS` order). `none` is not a head class; it maps to
/// 0 only where a caller has ruled it out.
pub(crate) fn class_index(l: Level) -> usize {
    HEAD_LEVELS.iter().position(|&x| x == l).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_is_for_questions_fragments_and_verbless_headings() {
        assert_eq!(no_proposition("Did Russia interfere?"), Some("question"));
        assert_eq!(no_proposition("Analysis"), Some("fragment"));
        assert_eq!(
            no_proposition("Foreign threats to the 2020 US federal elections"),
            Some("heading without a verb")
        );
        assert_eq!(
            no_proposition("Putin authorised influence operations against Biden"),
            None
        );
        assert_eq!(no_proposition("China chose not to interfere."), None);
        // Page code left in the text asserts nothing, however sentence-like its punctuation.
        assert_eq!(
            no_proposition(".embed-container {position: relative; height: 0;} iframe { top: 0; }"),
            Some("markup or code")
        );
        // A contracted verb is a verb, with either apostrophe; a possessive is not.
        assert_eq!(no_proposition("It's actually by @LucilleClerc"), None);
        assert_eq!(no_proposition("It’s actually by @LucilleClerc"), None);
        assert_eq!(no_proposition("They're back in Detroit"), None);
        assert_eq!(
            no_proposition("Obama's visit to the Saudi capital"),
            Some("heading without a verb")
        );
    }

    #[test]
    fn score_edges() {
        assert_eq!(level_of_score(3.0), Level::Low);
        assert_eq!(level_of_score(4.0), Level::Moderate);
        assert_eq!(level_of_score(5.0), Level::High);
    }
}
