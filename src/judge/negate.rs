//! Negated copies of labelled claim sentences, as hard negatives for the same-claim judge.
//!
//! Why: the judge puts a claim and its denial in the same words together ("Banksy was
//! arrested" / "Banksy has not been arrested": judge cosine 0.76, over its floor), because
//! cosine training on 56 stories rarely sees the two side by side in one batch. By the
//! labelling guide a denial is a claim of its own, never a member of the claim it denies, so
//! the negation of a labelled sentence is a free, correct negative for it, and the negations of
//! one group's sentences are one group of their own (the denials of that claim). By rule
//! rather than by model, because flipping one auxiliary is all that is needed to make the pair
//! the judge confuses. The rule flips the first auxiliary after the first word, which is not
//! always the main clause's ("Police say the car won't be returned" flips the reported
//! clause): the copy is still a sentence that asserts something its original does not.

/// Auxiliaries whose polarity a `not` after them flips.
const AUXILIARIES: &[&str] = &[
    "is", "are", "was", "were", "has", "have", "had", "will", "can", "could", "would", "should",
    "did", "does", "do", "may", "might", "must",
];

/// Contracted negative auxiliaries and their positive forms.
const CONTRACTED: &[(&str, &str)] = &[
    ("isn't", "is"),
    ("aren't", "are"),
    ("wasn't", "was"),
    ("weren't", "were"),
    ("hasn't", "has"),
    ("haven't", "have"),
    ("hadn't", "had"),
    ("won't", "will"),
    ("can't", "can"),
    ("cannot", "can"),
    ("couldn't", "could"),
    ("wouldn't", "would"),
    ("shouldn't", "should"),
    ("didn't", "did"),
    ("doesn't", "does"),
    ("don't", "do"),
];

/// The sentence with the polarity of its first auxiliary flipped ("was arrested" -> "was not
/// arrested", "has not been" -> "has been", "wasn't" -> "was"), or `None` when it has no
/// auxiliary after its first word (a question's leading auxiliary is skipped that way).
pub fn negate(sentence: &str) -> Option<String> {
    let words: Vec<(usize, &str)> = sentence
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - sentence.as_ptr() as usize, w))
        .collect();
    for (k, &(at, w)) in words.iter().enumerate().skip(1) {
        let bare = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '\u{2019}');
        let lower = bare.to_lowercase().replace('\u{2019}', "'");
        if let Some((_, positive)) = CONTRACTED.iter().find(|(n, _)| *n == lower) {
            let start = at + w.find(bare).unwrap_or(0);
            let positive = same_case(bare, positive);
            return Some(format!(
                "{}{}{}",
                &sentence[..start],
                positive,
                &sentence[start + bare.len()..]
            ));
        }
        if !AUXILIARIES.contains(&lower.as_str()) || bare.len() != w.len() {
            continue;
        }
        return Some(match words.get(k + 1) {
            // "has not been" -> "has been": drop the negation and the space before it.
            Some(&(next_at, next)) if matches!(next.to_lowercase().as_str(), "not" | "never") => {
                format!(
                    "{}{}",
                    &sentence[..at + w.len()],
                    &sentence[next_at + next.len()..]
                )
            }
            _ => format!(
                "{} not{}",
                &sentence[..at + w.len()],
                &sentence[at + w.len()..]
            ),
        });
    }
    None
}

/// The sentence with its first negated auxiliary made positive ("Culkin is NOT dead" ->
/// "Culkin is dead", "wasn't" -> "was"), or `None` when no auxiliary in it is negated or the
/// first negation is not one the sentence asserts. Unlike [`negate`], which flips the first
/// auxiliary whatever it is, this touches only a negation, and only one that is not
/// - in a relative clause ("The man who had not been vaccinated died": the man died), nor
/// - on a verb of knowing or telling ("Police could not confirm the video was real", "Doctors
///   could not rule out a bite": what is denied is the speaker's knowledge, not the content).
pub fn affirm(sentence: &str) -> Option<String> {
    /// After a negation, a verb (or adverb) whose negation denies knowledge, not the content.
    const KNOWING: &[&str] = &[
        "confirm",
        "verify",
        "rule",
        "comment",
        "know",
        "say",
        "determine",
        "establish",
        "immediately",
        "independently",
        "disclose",
        "reveal",
        "identify",
        "respond",
        "reply",
        "elaborate",
        "specify",
        "be",
        "yet",
    ];
    const RELATIVE: &[&str] = &["who", "which", "whom", "whose"];
    let words: Vec<(usize, &str)> = sentence
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - sentence.as_ptr() as usize, w))
        .collect();
    let bare = |w: &'_ str| -> String {
        w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '\u{2019}')
            .to_lowercase()
            .replace('\u{2019}', "'")
    };
    // Whether the negation at word `k` is one the sentence asserts (see above); `after` is the
    // index of the word after the negation.
    let asserted = |k: usize, after: usize| {
        let clause_start = (0..k)
            .rev()
            .find(|&j| words[j].1.ends_with([',', ';', ':']))
            .map_or(0, |j| j + 1);
        !(clause_start..k).any(|j| RELATIVE.contains(&bare(words[j].1).as_str()))
            && !words
                .get(after)
                .is_some_and(|&(_, w)| KNOWING.contains(&bare(w).as_str()))
    };
    for (k, &(at, w)) in words.iter().enumerate() {
        let trimmed =
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '\u{2019}');
        let lower = bare(w);
        if let Some((_, positive)) = CONTRACTED.iter().find(|(n, _)| *n == lower) {
            if !asserted(k, k + 1) {
                return None;
            }
            let start = at + w.find(trimmed).unwrap_or(0);
            return Some(format!(
                "{}{}{}",
                &sentence[..start],
                same_case(trimmed, positive),
                &sentence[start + trimmed.len()..]
            ));
        }
        if !AUXILIARIES.contains(&lower.as_str()) || trimmed.len() != w.len() {
            continue;
        }
        if let Some(&(next_at, next)) = words.get(k + 1)
            && matches!(next.to_lowercase().as_str(), "not" | "never")
        {
            if !asserted(k, k + 2) {
                return None;
            }
            return Some(format!(
                "{}{}",
                &sentence[..at + w.len()],
                &sentence[next_at + next.len()..]
            ));
        }
    }
    None
}

/// `word` written with the capitalisation of `like` (only a leading capital matters here).
fn same_case(like: &str, word: &str) -> String {
    if like.chars().next().is_some_and(char::is_uppercase) {
        let mut c = word.chars();
        c.next()
            .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
            .unwrap_or_default()
    } else {
        word.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_auxiliary_flips_polarity_both_ways() {
        for (s, n) in [
            (
                "Banksy was arrested by London police.",
                Some("Banksy was not arrested by London police."),
            ),
            (
                "Banksy has not been arrested.",
                Some("Banksy has been arrested."),
            ),
            (
                "The Batmobile wasn\u{2019}t stolen.",
                Some("The Batmobile was stolen."),
            ),
            (
                "Police say the car won't be returned.",
                Some("Police say the car will be returned."),
            ),
            (
                "The patient has tested positive for Ebola.",
                Some("The patient has not tested positive for Ebola."),
            ),
            ("Was the Batmobile stolen?", None),
            ("Putin authorised the campaign.", None),
        ] {
            assert_eq!(negate(s).as_deref(), n, "{s}");
        }
    }

    #[test]
    fn only_a_negated_auxiliary_is_made_positive() {
        for (s, a) in [
            (
                "Macaulay Culkin is NOT dead.",
                Some("Macaulay Culkin is dead."),
            ),
            (
                "The man, who was admitted Saturday, does not have Ebola.",
                Some("The man, who was admitted Saturday, does have Ebola."),
            ),
            ("Isn\u{2019}t it over?", Some("Is it over?")),
            (
                "Banksy has never been arrested.",
                Some("Banksy has been arrested."),
            ),
            ("Banksy was arrested by London police.", None),
            ("Not by Banksy.", None),
            // Found by a review of the change: a negation in a relative clause, or on a verb
            // of knowing, is not what the sentence asserts.
            ("The man who had not been vaccinated died on Monday.", None),
            (
                "Police said they could not confirm the video was real.",
                None,
            ),
            ("Doctors couldn't rule out a spider bite.", None),
            (
                "Police said the car was not stolen.",
                Some("Police said the car was stolen."),
            ),
        ] {
            assert_eq!(affirm(s).as_deref(), a, "{s}");
        }
    }
}
