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

use std::collections::HashMap;

use ndarray::ArrayView2;

use super::{ClaimUnit, MatchGroup};
use crate::classify::stance::Stance;
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

/// Checks every related `disagree` of `groups` whose one side negates an auxiliary: its
/// positive form must be the same claim as the other side by `judge`; then cuts each group's
/// related claims to the few shown (`annotate` leaves them all when a judge groups).
/// `vectors`: the judge's vector of each unit (whole sentences, as the judge groups them; with
/// `--split-claims` a positive form of the sentence meets the other claim unit).
pub(super) fn check_denials(
    groups: &mut [MatchGroup],
    units: &[ClaimUnit],
    vectors: ArrayView2<f32>,
    judge: &Judge,
    observer: &dyn Observer,
) -> Result<()> {
    let index_of: HashMap<(usize, usize), usize> = units
        .iter()
        .enumerate()
        .map(|(i, u)| ((u.doc_index, u.start), i))
        .collect();
    let unit = |u: &ClaimUnit| index_of.get(&(u.doc_index, u.start)).copied();
    // (group, related entry, positive form, unit of the other side)
    let mut checks: Vec<(usize, usize, String, usize)> = Vec::new();
    for (gi, g) in groups.iter().enumerate() {
        let Some(c) = unit(&g.canonical) else {
            continue;
        };
        for (ri, r) in g.related.iter().enumerate() {
            if r.stance.stance != Stance::Disagree {
                continue;
            }
            let Some(t) = unit(&r.unit) else { continue };
            match positive_side(&units[c].sentence, &units[t].sentence) {
                Some((p, Side::Canonical)) => checks.push((gi, ri, p, t)),
                Some((p, Side::Related)) => checks.push((gi, ri, p, c)),
                None => {}
            }
        }
    }
    if !checks.is_empty() {
        let threshold = judge.threshold()?;
        let positive: Vec<&str> = checks.iter().map(|(_, _, p, _)| p.as_str()).collect();
        let v = judge
            .encoder
            .embed_all(&positive, "denials (positive forms)", observer)?
            .vectors;
        for (row, &(gi, ri, _, other)) in checks.iter().enumerate() {
            if v.row(row).dot(&vectors.row(other)) < threshold {
                let r = &mut groups[gi].related[ri];
                r.stance = r.stance.clone().disagree_as_discuss();
            }
        }
    }
    // `annotate` left every candidate with a judge: denials first, then the nearest, a few.
    for g in groups.iter_mut() {
        g.related = super::finish_related(std::mem::take(&mut g.related));
    }
    Ok(())
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
