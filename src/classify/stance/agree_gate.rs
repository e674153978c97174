//! The agree gate: by the labelling guide a sentence agrees with a claim when it asserts that
//! claim, and "asserts the same claim" is exactly what the same-claim judge was trained to
//! measure. The pair model reads overlap: a sentence that states part of the claim's scene ("A
//! Kansas City apartment building was sealed off as a seriously ill person was taken to
//! Research Medical Center" toward "... has Ebola") comes out `agree`, where the guide says
//! `discuss`. On the labelled set's dev half that was the largest block of errors (40 of 191
//! `discuss` sentences called `agree`; the judge's cosine to the claim puts them at a median
//! 0.46 against 0.66 for the true `agree` ones). So after the model, a sentence whose judge
//! cosine to the claim is under the gate's threshold has its `agree` probability moved to
//! `discuss`, as the distancing rule does: the other classes stay, and a denial stays a denial.
//!
//! The threshold belongs to one judge's weights: the card names the judge's SHA-256 and a
//! judge with other weights is refused (`eval stance --devset --choose-agree-gate` chooses it
//! on the dev half and `--save-agree-gate` writes it).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ndarray::Array2;

use super::Stance;
use crate::embed::EmbedderOptions;
use crate::error::{Error, Result};
use crate::judge::Judge;
use crate::observe::Observer;

/// The card field that holds the gate.
pub const FIELD: &str = "agree_gate";

/// A judge and the cosine to the claim under which a sentence cannot agree.
pub struct AgreeGate {
    judge: Judge,
    min_cosine: f32,
}

impl AgreeGate {
    pub fn new(judge: Judge, min_cosine: f32) -> Self {
        AgreeGate { judge, min_cosine }
    }

    /// The gate a stance card's `agree_gate` field describes (`{"judge": DIR relative to the
    /// card's directory, "judge_sha256", "min_cosine"}`), its judge loaded with `opts`.
    pub fn from_card(dir: &Path, spec: &serde_json::Value, opts: &EmbedderOptions) -> Result<Self> {
        let card = dir.join(super::pair::CARD);
        let bad = |what: &str| {
            Error::Model(format!(
                "{}: \"{FIELD}\" {what}; it is written by `claimscope eval stance --devset \
                 --choose-agree-gate --save-agree-gate`",
                card.display()
            ))
        };
        let judge_dir = spec
            .get("judge")
            .and_then(|v| v.as_str())
            .ok_or_else(|| bad("needs \"judge\", the judge's directory"))?;
        let sha = spec
            .get("judge_sha256")
            .and_then(|v| v.as_str())
            .ok_or_else(|| bad("needs \"judge_sha256\""))?;
        let min_cosine =
            spec.get("min_cosine")
                .and_then(serde_json::Value::as_f64)
                .ok_or_else(|| bad("needs \"min_cosine\", a judge cosine"))? as f32;
        let path = dir.join(judge_dir);
        let judge = Judge::load(&path, opts).map_err(|e| {
            Error::Model(format!(
                "{}: the agree gate's judge: {e} (a stance model directory is shipped beside \
                 its judge; --no-agree-gate labels without the gate)",
                card.display()
            ))
        })?;
        if judge.card.weights_sha256 != sha {
            return Err(Error::Model(format!(
                "{}: the agree gate's threshold was chosen for judge weights {sha}, but {} holds \
                 {}; choose it again for this judge with `claimscope eval stance --devset \
                 --choose-agree-gate --save-agree-gate`, or pass --no-agree-gate",
                card.display(),
                path.display(),
                judge.card.weights_sha256
            )));
        }
        Ok(AgreeGate { judge, min_cosine })
    }

    pub fn min_cosine(&self) -> f32 {
        self.min_cosine
    }

    pub fn judge(&self) -> &Judge {
        &self.judge
    }

    /// What the card records for this gate, the judge's directory written relative to
    /// `stance_dir` when it can be.
    pub fn card_field(&self, stance_dir: &Path) -> serde_json::Value {
        serde_json::json!({
            "judge": relative(&self.judge.dir, stance_dir).display().to_string(),
            "judge_sha256": self.judge.card.weights_sha256,
            "min_cosine": self.min_cosine,
        })
    }

    /// The judge's cosine between each claim and its text (claims embedded once each: a
    /// corpus labelled toward one claim repeats it in every row).
    pub fn cosines(
        &self,
        claims: &[&str],
        texts: &[&str],
        observer: &dyn Observer,
    ) -> Result<Vec<f32>> {
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut unique: Vec<&str> = Vec::new();
        for c in claims {
            index.entry(c).or_insert_with(|| {
                unique.push(c);
                unique.len() - 1
            });
        }
        let enc = &self.judge.encoder;
        let u = enc
            .embed_all(&unique, "claims (agree gate)", observer)?
            .vectors;
        let v = enc
            .embed_all(texts, "sentences (agree gate)", observer)?
            .vectors;
        Ok(claims
            .iter()
            .zip(v.rows())
            .map(|(c, row)| u.row(index[c]).dot(&row))
            .collect())
    }
}

/// Move `agree` to `discuss` in every row whose judge cosine is under `min_cosine` (a NaN
/// cosine, from an empty text, is left alone as the topic gate leaves it).
pub fn apply(p: &mut Array2<f32>, cosines: &[f32], min_cosine: f32) {
    debug_assert_eq!(p.nrows(), cosines.len());
    let (agree, discuss) = (Stance::Agree.index(), Stance::Discuss.index());
    for (mut row, &c) in p.rows_mut().into_iter().zip(cosines) {
        if c < min_cosine {
            row[discuss] += row[agree];
            row[agree] = 0.0;
        }
    }
}

/// `path` relative to `base` when both share a parent (`../judge` for sibling model
/// directories), else `path` as it is.
fn relative(path: &Path, base: &Path) -> PathBuf {
    let (Ok(p), Ok(b)) = (path.canonicalize(), base.canonicalize()) else {
        return path.to_path_buf();
    };
    match (p.parent(), b.parent()) {
        (Some(pp), Some(bp)) if pp == bp => p
            .file_name()
            .map_or_else(|| path.to_path_buf(), |n| Path::new("..").join(n)),
        _ => p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_rows_under_the_threshold_lose_agree_and_nothing_else_moves() {
        let mut p = ndarray::array![
            [0.7, 0.1, 0.2, 0.0],
            [0.7, 0.1, 0.2, 0.0],
            [0.2, 0.6, 0.2, 0.0],
            [0.5, 0.0, 0.5, 0.0],
        ];
        apply(&mut p, &[0.30, 0.60, 0.10, f32::NAN], 0.48);
        assert_eq!(p.row(0).to_vec(), vec![0.0, 0.1, 0.9, 0.0]);
        assert_eq!(p.row(1).to_vec(), vec![0.7, 0.1, 0.2, 0.0]);
        // A denial stays a denial; its small agree share goes to discuss.
        assert_eq!(p.row(2).to_vec(), vec![0.0, 0.6, 0.4, 0.0]);
        assert_eq!(p.row(3).to_vec(), vec![0.5, 0.0, 0.5, 0.0]);
        for r in p.rows() {
            assert!((r.sum() - 1.0).abs() < 1e-6);
        }
    }
}
