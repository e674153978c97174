//! Explicit distancing: a sentence that reports a proposition as someone's claim ("Twitter users
//! claim that the seam is to blame", "allegations that the minister approved it"), as a rumour
//! or a report not confirmed ("video clips that purported to show ...", "police could not
//! confirm the deaths"), or only asks it ("How would he spend the money?") does not assert it.
//! The labelling guide calls that `discuss`, whatever the proposition; the pair model, which
//! reads overlap with the claim, calls many of them `agree`. So after the model, such a
//! sentence's `agree` probability goes to `discuss` (its other classes stay: a denial that
//! quotes a rumour is still a denial).
//!
//! By word, not by model, because the cue is the word: it is what the guide names, and a
//! reader can see why a label moved. Words that only look like distancing are left alone:
//! "claimed the title / the lives of / responsibility", a rumour that is confirmed ("confirming
//! weeks of rumours"), "not only confirmed", "has not been verified whether ..." (a side
//! question). A claim that is itself about what someone claims ("the priest claims he met
//! God") is asserted by "he claims he met God", so "claims" stands down for such a claim; the
//! other cues do not.

use ndarray::Array2;

use super::Stance;
use crate::classify::cues::{self, one_of};

/// Words that report a proposition as someone's claim.
const CLAIMING: &[&str] = &[
    "claim",
    "claims",
    "claimed",
    "claiming",
    "allegation",
    "allegations",
];

/// Words that report it as a rumour or unconfirmed.
const UNCONFIRMED: &[&str] = &[
    "purport",
    "purports",
    "purported",
    "purportedly",
    "purporting",
    "rumour",
    "rumours",
    "rumoured",
    "rumor",
    "rumors",
    "rumored",
    "unconfirmed",
    "unverified",
];

/// Objects after which "claim(ed)" is winning or killing, not asserting: "claimed the title",
/// "claimed the lives of", "claimed responsibility for".
const CLAIMED_OBJECTS: &[&str] = &[
    "title",
    "titles",
    "victory",
    "win",
    "lives",
    "life",
    "responsibility",
    "credit",
    "prize",
    "seat",
    "seats",
    "crown",
    "gold",
];

/// The confirm / verify family: negated, it leaves a report unconfirmed.
const CONFIRMING: &[&str] = &[
    "confirm",
    "confirms",
    "confirmed",
    "confirming",
    "verify",
    "verifies",
    "verified",
    "verifying",
];

/// Negations that leave a confirmation open ("could not", "cannot", "unable to"; "yet" only in
/// "yet to", see `unconfirmed_at`).
const NEGATIONS: &[&str] = &["not", "never", "cannot", "unable", "no"];

/// Words that start another clause: a negation before them does not reach a confirm word after
/// them ("He did not comment but police confirmed it").
const CLAUSE_JOINS: &[&str] = &["but", "and", "while", "though", "although", "whereas"];

/// Lower-cased words, curly apostrophes made straight and quotes around a word dropped, so
/// "hasn’t" is "hasn't" and "'unverified'" is "unverified".
fn lower_words(s: &str) -> Vec<String> {
    let straight = s.replace('\u{2019}', "'");
    cues::words(&straight)
        .into_iter()
        .map(|(a, b)| straight[a..b].trim_matches('\'').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

fn negation(w: &str) -> bool {
    NEGATIONS.contains(&w) || w.ends_with("n't")
}

/// A confirm/verify word at `i` under a negation up to four words before it, not "not only",
/// and not a side question ("has not been verified whether he wore a seatbelt").
fn unconfirmed_at(words: &[String], i: usize) -> bool {
    let from = (i.saturating_sub(4)..i)
        .rev()
        .find(|&k| one_of(CLAUSE_JOINS, &words[k]))
        .map_or(i.saturating_sub(4), |k| k + 1);
    let before = &words[from..i];
    let negated = before.iter().enumerate().any(|(k, w)| {
        let next = before.get(k + 1).map(String::as_str);
        (negation(w) && !(w == "not" && next == Some("only"))) || (w == "yet" && next == Some("to"))
    });
    negated && words.get(i + 1).is_none_or(|n| n != "whether" && n != "if")
}

/// A confirm word, not negated, up to four words before `i` ("confirming weeks of rumours",
/// "confirms that the rumored infestation is happening").
fn confirmed_before(words: &[String], i: usize) -> bool {
    (i.saturating_sub(4)..i).any(|k| one_of(CONFIRMING, &words[k]) && !unconfirmed_at(words, k))
}

/// The distancing cues of `text`: whether it reports something as claimed, and whether as
/// rumoured, unconfirmed or asked.
fn cues_of(text: &str) -> (bool, bool) {
    let words = lower_words(text);
    let claimed = words.iter().enumerate().any(|(i, w)| {
        one_of(CLAIMING, w)
            && !words[i + 1..]
                .iter()
                .take(3)
                .any(|n| one_of(CLAIMED_OBJECTS, n))
    });
    let unconfirmed = text.trim_end().ends_with('?')
        || words.iter().enumerate().any(|(i, w)| {
            (one_of(UNCONFIRMED, w) && !confirmed_before(&words, i))
                || (one_of(CONFIRMING, w) && unconfirmed_at(&words, i))
        });
    (claimed, unconfirmed)
}

/// Whether `text` distances itself from what it reports (see the module comment).
pub fn distances(text: &str) -> bool {
    let (claimed, unconfirmed) = cues_of(text);
    claimed || unconfirmed
}

/// Whether `claim` is itself about what someone claims or says ("X claims he met God", "X
/// said he had met God"): then "claims" in a sentence reports the claim's own content. "Said"
/// counts before the content it reports ("said that", "said he"), not at a clause's end ("than
/// the Secret Service had said").
fn about_a_claim(claim: &str) -> bool {
    let words = lower_words(claim);
    words.iter().enumerate().any(|(i, w)| {
        one_of(CLAIMING, w)
            || (one_of(&["said", "says"], w)
                && words
                    .get(i + 1)
                    .is_some_and(|n| one_of(&["that", "he", "she", "it", "they", "there"], n)))
    })
}

/// Whether `text` distances itself from `claim`: it reports something as rumoured, unconfirmed
/// or asked, or as claimed when `claim` is not itself about what someone claims or says.
pub fn distances_from(claim: &str, text: &str) -> bool {
    let (claimed, unconfirmed) = cues_of(text);
    unconfirmed || (claimed && !about_a_claim(claim))
}

/// Moves each distancing text's `agree` probability to `discuss` (rows in `Stance::ALL` order,
/// one per claim and text).
pub fn apply(p: &mut Array2<f32>, claims: &[&str], texts: &[&str]) {
    debug_assert!(p.nrows() == claims.len() && claims.len() == texts.len());
    let (agree, discuss) = (Stance::Agree.index(), Stance::Discuss.index());
    for ((mut row, claim), text) in p.rows_mut().into_iter().zip(claims).zip(texts) {
        if distances_from(claim, text) {
            row[discuss] += row[agree];
            row[agree] = 0.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reported_claims_rumours_unconfirmed_reports_and_questions_distance() {
        for s in [
            "Twitter users claim that the seam is to blame for the lost hair.",
            "Allegations that the minister approved the contract surfaced on Tuesday.",
            "A YouTube video purporting to show that Saudi television blurred the image.",
            "Rumours spread on Friday that the car had been taken from the set.",
            "The identity of the victim has not yet been confirmed by police.",
            "The report hasn't been verified.",
            "The ministry hasn\u{2019}t confirmed the report.",
            "Police could not confirm the arrest.",
            "The death has yet to be confirmed by the family.",
            "The reports cannot be verified.",
            "Reporters described the footage as 'unverified'.",
            "How would he spend the money?",
            "Unverified footage shows the crater.",
        ] {
            assert!(distances(s), "{s}");
        }
        for s in [
            "Police confirmed the identity of the victim on Friday.",
            "The homeless man spent the money on food for others.",
            "He denied the report, calling it baseless.",
            "Officials acclaimed the rescue.",
            "Hamilton claimed the title in Abu Dhabi.",
            "The blaze, which claimed the lives of four firefighters, began at dawn.",
            "The militant group claimed responsibility for the bombing.",
            "Confirming weeks of rumours, the carmaker said it would close the plant.",
            "Officials not only confirmed the explosion but named the site.",
            "Police confirmed the driver died; it has not been verified whether he wore a seatbelt.",
            "Yet police confirmed the deaths on Monday.",
            "He did not comment but police confirmed it.",
        ] {
            assert!(!distances(s), "{s}");
        }
    }

    #[test]
    fn agree_moves_to_discuss_and_claims_stand_down_for_a_claim_about_a_claim() {
        let claims = [
            "The iPhone 6 pulls out users' hair.",
            "The priest said he had met God in heaven.",
            "The priest said he had met God in heaven.",
            "The iPhone 6 pulls out users' hair.",
        ];
        let texts = [
            "Users claim the iPhone 6 pulls out their hair.",
            "He claims he went to heaven and met God.",
            "Did he really meet God?",
            "The iPhone 6 pulls out hair, tests show.",
        ];
        let row = [0.7f32, 0.1, 0.15, 0.05];
        let mut p = Array2::from_shape_fn((4, 4), |(_, j)| row[j]);
        apply(&mut p, &claims, &texts);
        let moved = vec![0.0, 0.1, 0.85, 0.05];
        assert_eq!(p.row(0).to_vec(), moved);
        assert_eq!(p.row(1).to_vec(), row.to_vec());
        assert_eq!(p.row(2).to_vec(), moved);
        assert_eq!(p.row(3).to_vec(), row.to_vec());
    }
}
