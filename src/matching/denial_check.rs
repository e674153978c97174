//! A denial is the same proposition with the other polarity. So where one of the two sentences
//! negates an auxiliary, its positive form ("Banksy has not been arrested" -> "Banksy has been
//! arrested") must be the same claim as the other sentence by the judge's own test (its cosine
//! at least the judge's threshold); otherwise the stance model's `disagree` was another claim
//! of the story with a "not" in it ("He maintains that the video was not staged" beside "A
//! large number of YouTube prank videos are staged"), and the reading becomes `discuss`.
//! Sentences that deny by a refuting word alone ("the claim is a hoax") have no positive form to
//! check and keep their reading; "... is not true" has one, the claim restated.
//!
//! Measured on the verdicts of four independent reviews of `match` on 24 FNC-1 train stories
//! (README, "Who denies what"; the threshold is the judge's, not chosen for this): shown
//! denials judged right 15 -> 14, borderline 15 -> 13, wrong 47 -> 34.

use ndarray::ArrayView2;

use super::ClaimUnit;
use crate::error::Result;
use crate::judge::Judge;
use crate::judge::negate::affirm;
use crate::observe::Observer;

/// Which sentence of a pair negates an auxiliary.
#[derive(Debug, PartialEq)]
enum Side {
    Canonical,
    Related,
}

/// The positive form of the one sentence of a pair that negates an auxiliary, and which one it
/// is; `None` when neither or both do (both: each denies something, and the pair's polarity
/// rule already spoke).
fn positive_side(canonical: &str, related: &str) -> Option<(String, Side)> {
    match (affirm(canonical), affirm(related)) {
        (Some(p), None) => Some((p, Side::Canonical)),
        (None, Some(p)) => Some((p, Side::Related)),
        _ => None,
    }
}

/// The judge that grouped a run, with its vector of every claim unit (whole sentences, as the
/// judge groups them; with `--split-claims` a positive form of the sentence meets the other
/// claim unit).
#[derive(Clone, Copy)]
pub(super) struct DenialCheck<'a> {
    pub judge: &'a Judge,
    pub vectors: ArrayView2<'a, f32>,
    /// Same claim at or above this cosine: the judge's threshold, or for a judge that has none
    /// yet (fresh from `train judge`, its floor being chosen by `eval claims`) the floor the
    /// run groups by.
    pub threshold: f32,
}

impl DenialCheck<'_> {
    /// For each (canonical, related) pair of claim units that the stance model read as a
    /// denial, whether the denial stands: false where one side negates an auxiliary and its
    /// positive form is not the same claim as the other side by the judge's threshold.
    pub(super) fn stands(
        &self,
        pairs: &[(usize, usize)],
        units: &[ClaimUnit],
        observer: &dyn Observer,
    ) -> Result<Vec<bool>> {
        let mut stands = vec![true; pairs.len()];
        // (pair, positive form, unit of the other side)
        let mut checks: Vec<(usize, String, usize)> = Vec::new();
        for (k, &(c, r)) in pairs.iter().enumerate() {
            match positive_side(&units[c].sentence, &units[r].sentence) {
                Some((p, Side::Canonical)) => checks.push((k, p, r)),
                Some((p, Side::Related)) => checks.push((k, p, c)),
                None => {}
            }
        }
        if checks.is_empty() {
            return Ok(stands);
        }
        let threshold = self.threshold;
        let positive: Vec<&str> = checks.iter().map(|(_, p, _)| p.as_str()).collect();
        let v = self
            .judge
            .encoder
            .embed_all(&positive, "denials (positive forms)", observer)?
            .vectors;
        for (row, &(k, _, other)) in checks.iter().enumerate() {
            stands[k] = v.row(row).dot(&self.vectors.row(other)) >= threshold;
        }
        Ok(stands)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_side_that_negates_is_made_positive() {
        assert_eq!(
            positive_side(
                "Banksy was arrested in London.",
                "Banksy has not been arrested."
            ),
            Some(("Banksy has been arrested.".to_string(), Side::Related))
        );
        assert_eq!(
            positive_side("Culkin isn't dead.", "Culkin died on Monday."),
            Some(("Culkin is dead.".to_string(), Side::Canonical))
        );
        // A refuting word has no positive form; two negations leave nothing to check.
        assert_eq!(
            positive_side("Banksy was arrested.", "The arrest story is a hoax."),
            None
        );
        assert_eq!(
            positive_side("He was not arrested.", "She was not charged."),
            None
        );
    }
}
