//! Explicit distancing: a sentence that reports a proposition as someone's claim ("Twitter users
//! claim that the seam is to blame"), as an unconfirmed report or a rumour ("video clips that
//! purported to show ..."), or only asks it ("How would he spend the money?") does not assert
//! it. The labelling guide calls that `discuss`, whatever the proposition; the pair model,
//! which reads overlap with the claim, calls many of them `agree`. So after the model, such a
//! sentence's `agree` probability goes to `discuss` (its other classes stay, a denial that
//! quotes a rumour is still a denial).
//!
//! By word, not by model, because the cue is the word: it is what the guide names, and a
//! reader can see why a label moved. A claim that is itself about what someone said ("the
//! priest said he had met God") is asserted by "he claims he met God", so the rule stands down
//! when the claim reports speech too.

use ndarray::Array2;

use super::Stance;
use crate::classify::cues;

/// Words that put a proposition at arm's length.
const DISTANCING: &[&str] = &[
    "claim",
    "claims",
    "claimed",
    "claiming",
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

/// Reporting verbs that make a claim about speech (then "claims" in a sentence can assert it).
const SPEECH: &[&str] = &[
    "said",
    "says",
    "say",
    "claim",
    "claims",
    "claimed",
    "told",
    "tells",
    "described",
    "describes",
    "insists",
    "insisted",
];

fn lower_words(s: &str) -> Vec<String> {
    cues::words(s)
        .into_iter()
        .map(|(a, b)| s[a..b].to_lowercase())
        .collect()
}

/// "not (yet) (been) confirmed / verified".
fn not_confirmed(words: &[String]) -> bool {
    words.iter().enumerate().any(|(i, w)| {
        (w == "confirmed" || w == "verified")
            && words[i.saturating_sub(3)..i]
                .iter()
                .any(|p| p == "not" || p == "never" || p.ends_with("n't") || p.ends_with("n’t"))
    })
}

/// Whether `text` distances itself from what it reports (see the module comment).
pub fn distances(text: &str) -> bool {
    if text.trim_end().ends_with('?') {
        return true;
    }
    let words = lower_words(text);
    words.iter().any(|w| DISTANCING.contains(&w.as_str())) || not_confirmed(&words)
}

/// Whether `claim` is itself a report of what someone said.
fn reports_speech(claim: &str) -> bool {
    lower_words(claim)
        .iter()
        .any(|w| SPEECH.contains(&w.as_str()))
}

/// Moves each distancing text's `agree` probability to `discuss` (rows in `Stance::ALL` order).
pub fn apply(p: &mut Array2<f32>, claims: &[&str], texts: &[&str]) {
    let (agree, discuss) = (Stance::Agree.index(), Stance::Discuss.index());
    for ((mut row, claim), text) in p.rows_mut().into_iter().zip(claims).zip(texts) {
        if distances(text) && !reports_speech(claim) {
            row[discuss] += row[agree];
            row[agree] = 0.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reported_claims_rumours_and_questions_distance() {
        for s in [
            "Twitter users claim that the seam is to blame for the lost hair.",
            "A YouTube video purporting to show that Saudi television blurred the image.",
            "Rumours spread on Friday that the car had been taken from the set.",
            "The identity of the victim has not yet been confirmed by police.",
            "The report hasn't been verified.",
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
        ] {
            assert!(!distances(s), "{s}");
        }
    }

    #[test]
    fn agree_moves_to_discuss_unless_the_claim_reports_speech() {
        let claims = [
            "The iPhone 6 pulls out users' hair.",
            "The priest said he had met God in heaven.",
            "The iPhone 6 pulls out users' hair.",
        ];
        let texts = [
            "Users claim the iPhone 6 pulls out their hair.",
            "He claims he went to heaven and met God.",
            "The iPhone 6 pulls out hair, tests show.",
        ];
        let row = [0.7f32, 0.1, 0.15, 0.05];
        let mut p = Array2::from_shape_fn((3, 4), |(_, j)| row[j]);
        apply(&mut p, &claims, &texts);
        assert_eq!(p.row(0).to_vec(), vec![0.0, 0.1, 0.85, 0.05]);
        assert_eq!(p.row(1).to_vec(), row.to_vec());
        assert_eq!(p.row(2).to_vec(), row.to_vec());
    }
}
