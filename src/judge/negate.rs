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

/// A sentence's words with their byte offsets.
fn words(sentence: &str) -> Vec<(usize, &str)> {
    sentence
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - sentence.as_ptr() as usize, w))
        .collect()
}

/// A word without the punctuation around it (apostrophes kept).
fn trimmed(w: &str) -> &str {
    w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '\u{2019}')
}

/// A word as the lists spell it: trimmed, lower-case, straight apostrophe.
fn bare(w: &str) -> String {
    trimmed(w).to_lowercase().replace('\u{2019}', "'")
}

/// An auxiliary at word `k`, and what making it positive takes.
enum Aux {
    /// "wasn't": the span of the word and its positive form.
    Contracted {
        k: usize,
        start: usize,
        end: usize,
        positive: String,
    },
    /// "was not", "has never": the auxiliary's end and the negation's end.
    Negated {
        k: usize,
        aux_end: usize,
        neg_end: usize,
    },
    /// "was": where a "not" would go.
    Plain { k: usize, end: usize },
}

impl Aux {
    /// The word the auxiliary is.
    fn k(&self) -> usize {
        match self {
            Aux::Contracted { k, .. } | Aux::Negated { k, .. } | Aux::Plain { k, .. } => *k,
        }
    }

    /// The sentence with this negated auxiliary made positive (`None` for a plain one).
    fn made_positive(&self, sentence: &str) -> Option<String> {
        match self {
            Aux::Contracted {
                start,
                end,
                positive,
                ..
            } => Some(format!(
                "{}{positive}{}",
                &sentence[..*start],
                &sentence[*end..]
            )),
            // "has not been" -> "has been": drop the negation and the space before it.
            Aux::Negated {
                aux_end, neg_end, ..
            } => Some(format!(
                "{}{}",
                &sentence[..*aux_end],
                &sentence[*neg_end..]
            )),
            Aux::Plain { .. } => None,
        }
    }
}

/// The auxiliaries among a sentence's `words`, in order.
fn auxiliaries<'a>(words: &'a [(usize, &'a str)]) -> impl Iterator<Item = Aux> + 'a {
    words.iter().enumerate().filter_map(move |(k, &(at, w))| {
        let t = trimmed(w);
        let lower = bare(w);
        if let Some((_, positive)) = CONTRACTED.iter().find(|(n, _)| *n == lower) {
            let start = at + w.find(t).unwrap_or(0);
            return Some(Aux::Contracted {
                k,
                start,
                end: start + t.len(),
                positive: same_case(t, positive),
            });
        }
        if !AUXILIARIES.contains(&lower.as_str()) || t.len() != w.len() {
            return None;
        }
        let aux_end = at + w.len();
        Some(match words.get(k + 1) {
            Some(&(next_at, next)) if matches!(next.to_lowercase().as_str(), "not" | "never") => {
                Aux::Negated {
                    k,
                    aux_end,
                    neg_end: next_at + next.len(),
                }
            }
            _ => Aux::Plain { k, end: aux_end },
        })
    })
}

/// The sentence with the polarity of its first auxiliary flipped ("was arrested" -> "was not
/// arrested", "has not been" -> "has been", "wasn't" -> "was"), or `None` when it has no
/// auxiliary after its first word (a question's leading auxiliary is skipped that way).
pub fn negate(sentence: &str) -> Option<String> {
    let words = words(sentence);
    let first = auxiliaries(&words).find(|a| a.k() > 0)?;
    match first {
        Aux::Plain { end, .. } => Some(format!("{} not{}", &sentence[..end], &sentence[end..])),
        negated => negated.made_positive(sentence),
    }
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
    let words = words(sentence);
    let (k, after, negation) = auxiliaries(&words).find_map(|a| match a {
        Aux::Contracted { .. } => Some((a.k(), a.k() + 1, a)),
        Aux::Negated { .. } => Some((a.k(), a.k() + 2, a)),
        Aux::Plain { .. } => None,
    })?;
    let in_relative = opens_clause(&words, k, RELATIVE);
    let on_knowing = words
        .get(after)
        .is_some_and(|&(_, w)| KNOWING.contains(&bare(w).as_str()));
    if in_relative || on_knowing {
        return None;
    }
    negation.made_positive(sentence)
}

/// The sentence with its main clause denied ("Banksy was arrested" -> "Banksy was not
/// arrested"), or `None` unless that is safe to do by rule: the sentence negates nothing yet
/// (no negated auxiliary, no negation word: flipping one of two polarities says nothing clear),
/// and its first auxiliary after the first word does not sit in a relative or subordinate clause
/// ("The man who was arrested is Banksy", "After he was spotted, ...": a "not" there would not
/// deny what the sentence asserts). Unlike [`negate`], which flips whatever auxiliary comes
/// first for the judge's negatives (any other claim will do there), this is for stance labels
/// that must stay right: the stance pair model's claims denied (`toward_denied_claims`; why not
/// its news sentences is said there).
pub fn deny(sentence: &str) -> Option<String> {
    /// Words that open a clause whose auxiliary is not the sentence's main one, and
    /// conjunctions (in "X failed a test and is serving a ban" a "not" would deny the second
    /// half only).
    const SUBORDINATE: &[&str] = &[
        "who", "which", "whom", "whose", "that", "if", "when", "whether", "after", "before",
        "because", "while", "although", "though", "since", "until", "unless", "once", "as",
        "where", "and", "or", "but",
    ];
    if crate::classify::cues::count_negations(sentence) > 0 {
        return None;
    }
    let words = words(sentence);
    let Aux::Plain { k, end } = auxiliaries(&words).find(|a| a.k() > 0)? else {
        return None;
    };
    if opens_clause(&words, k, SUBORDINATE) {
        return None;
    }
    // "was arrested" needs a word after the auxiliary to deny.
    words.get(k + 1)?;
    Some(format!("{} not{}", &sentence[..end], &sentence[end..]))
}

/// How many auxiliaries a sentence has after its first word: a claim with one is a single
/// proposition whose denial [`deny`] writes; with two or more ("X was arrested and his identity
/// was revealed") the denial of the first leaves the second asserted.
pub fn auxiliary_count(sentence: &str) -> usize {
    let words = words(sentence);
    auxiliaries(&words).filter(|a| a.k() > 0).count()
}

/// Whether one of `openers` comes before word `k` in its clause (back to the last comma,
/// semicolon or colon): the auxiliary at `k` is then a relative or subordinate clause's.
fn opens_clause(words: &[(usize, &str)], k: usize, openers: &[&str]) -> bool {
    let start = (0..k)
        .rev()
        .find(|&j| words[j].1.ends_with([',', ';', ':']))
        .map_or(0, |j| j + 1);
    (start..k).any(|j| openers.contains(&bare(words[j].1).as_str()))
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
    fn only_a_plain_main_clause_is_denied() {
        for (s, d) in [
            (
                "Banksy was arrested by London police.",
                Some("Banksy was not arrested by London police."),
            ),
            (
                "Police say the car will be returned.",
                Some("Police say the car will not be returned."),
            ),
            // Already negative: a second "not" says nothing clear.
            ("Banksy has not been arrested.", None),
            ("No one was hurt.", None),
            ("The Batmobile wasn\u{2019}t stolen.", None),
            // The first auxiliary is in a relative or subordinate clause.
            ("The man who was arrested is Banksy.", None),
            ("After he was spotted, Banksy fled.", None),
            ("Police said that the car was stolen.", None),
            ("Woods failed a test and is serving a ban.", None),
            // No auxiliary to deny, or nothing after it.
            ("Putin authorised the campaign.", None),
            ("Yes it was.", None),
        ] {
            assert_eq!(deny(s).as_deref(), d, "{s}");
        }
        assert_eq!(auxiliary_count("Banksy was arrested."), 1);
        assert_eq!(
            auxiliary_count("Banksy was arrested and his identity was revealed."),
            2
        );
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
