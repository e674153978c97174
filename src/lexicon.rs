//! The word lists the rules and features read, in one place.
//!
//! Claim splitting, pair features, the stance features and the confidence rules each look for
//! a few closed sets of English words: negations, refutations, attribution and reporting verbs,
//! clause openers, function words. The sets overlap ("denied" is a negation and a refutation,
//! "reportedly" a hedge and an attribution word, "said" a reporting verb and a verb), and when
//! they lived beside their users a word added to one was silently missing from the next. Here
//! each list says where it comes from, who reads it and how it differs from its neighbours, so
//! a change is made knowingly.
//!
//! Every list is lower-case and is compared with whole, lower-cased words (the tokeniser is
//! `classify::cues::words`). Changing a list changes the features the shipped heads in
//! `models/` were trained on: retrain them (`claimscope train`) and compare the test figures.
//!
//! Not here, on purpose: the asserted-confidence cue table (`classify::cues`), because it is a
//! table of phrases with the level and kind each asserts, read only by the cue scan and typed
//! with its types; and the clause joiners of `claims` (", but ", "; "), which are punctuation
//! patterns of one algorithm rather than words.

/// Words that signal a negated proposition. Users: `classify::cues::count_negations`, a
/// feature of both heads (stance: negation on either side of a pair; confidence: a negated
/// sentence). Closed-class negators plus the commonest verbs and
/// adjectives of denial in news, since "Moscow denied it" negates as surely as "not".
/// Overlaps `REFUTING`, which is the wider, stance-only list.
pub const NEGATIONS: &[&str] = &[
    "not",
    "no",
    "never",
    "none",
    "nothing",
    "neither",
    "nor",
    "n't",
    "without",
    "denied",
    "denies",
    "deny",
    "false",
    "baseless",
    "fake",
    "hoax",
    "untrue",
    "debunked",
    "refuted",
    "rejected",
    "dismissed",
];

/// Words with which a text disputes a claim: denial and debunking verbs and the adjectives
/// fact-checks use. User: the stance features (count in the text; with `NEGATIONS`, the
/// evidence the `disagree` guard requires). Picked by hand for this project, after the
/// refuting-word feature of the FNC-1 organisers' baseline, with the denial words of news
/// ("baseless", "rejected", "dismissed") and of fact-checks ("myth", "satire").
pub const REFUTING: &[&str] = &[
    "deny",
    "denies",
    "denied",
    "denial",
    "false",
    "fake",
    "hoax",
    "debunk",
    "debunked",
    "debunks",
    "refute",
    "refuted",
    "refutes",
    "baseless",
    "untrue",
    "rejected",
    "rejects",
    "dismissed",
    "dismisses",
    "myth",
    "misleading",
    "fabricated",
    "nonsense",
    "incorrect",
    "wrong",
    "disputed",
    "disputes",
    "contrary",
    "retracted",
    "satire",
    "bogus",
    "rubbish",
];

/// Words that present content as someone's report or a rumour rather than the outlet's own
/// assertion. User: the stance features (count in the text), the evidence for `discuss`
/// (Emergent's `observing`: "X reportedly ...", "claims that ..."). Picked by hand for this
/// project, after the hedging and reporting words stance systems on Emergent use (Ferreira &
/// Vlachos 2016). Shares words with the
/// hedges of the confidence cue table ("reportedly", "may") and with `REPORTING`
/// ("said", "claims"); it stays separate because it counts modal and rumour words that do not
/// frame a clause.
pub const ATTRIBUTING: &[&str] = &[
    "reportedly",
    "allegedly",
    "alleged",
    "according",
    "claims",
    "claimed",
    "claim",
    "said",
    "says",
    "report",
    "reports",
    "reported",
    "sources",
    "source",
    "rumor",
    "rumors",
    "rumour",
    "rumours",
    "may",
    "might",
    "could",
    "unconfirmed",
    "purportedly",
    "apparently",
    "appears",
    "suggests",
    "possibly",
    "speculation",
    "unverified",
];

/// Verbs that introduce reported content: "X says (that) ...", "..., X said." User: `claims`,
/// which drops such attribution frames before matching. The reporting verbs of news and of
/// intelligence assessments ("assessed", "judged"), picked by hand from news text; only verb
/// forms, unlike `ATTRIBUTING`, since a frame needs a verb.
pub const REPORTING: &[&str] = &[
    "says",
    "said",
    "say",
    "found",
    "finds",
    "find",
    "concluded",
    "concludes",
    "assessed",
    "assesses",
    "assess",
    "believes",
    "believe",
    "believed",
    "states",
    "stated",
    "reported",
    "reports",
    "claimed",
    "claims",
    "warned",
    "warns",
    "added",
    "adds",
    "noted",
    "notes",
    "argued",
    "argues",
    "alleged",
    "alleges",
    "told",
    "wrote",
    "writes",
    "determined",
    "judged",
    "judges",
    "indicate",
    "indicates",
    "shows",
    "show",
    "reveals",
    "revealed",
    "acknowledges",
    "acknowledged",
    "emphasizes",
    "asserts",
    "asserted",
    "mentions",
    "conveyed",
];

/// Auxiliaries and the commonest verbs of news headlines. User: the confidence rule for
/// `none`: a line without final punctuation that has none of these (and no "-ed" or "n't"
/// form) reads as a label ("Foreign threats to the 2020 elections"), not a statement. Not a
/// verb lexicon: it only has to catch the verbs headlines use, so it overlaps `REPORTING` for
/// the reporting ones.
pub const VERBISH: &[&str] = &[
    "is", "are", "was", "were", "be", "been", "being", "am", "has", "have", "had", "will", "would",
    "can", "could", "may", "might", "must", "should", "shall", "do", "does", "did", "says", "say",
    "said", "warns", "warn", "claims", "claim", "denies", "deny", "shows", "show", "finds", "find",
    "found", "confirms", "reveals", "calls", "gets", "get", "got", "makes", "make", "made",
    "takes", "take", "took", "wins", "win", "won", "sells", "sell", "sold", "kills", "killed",
    "dies", "die", "plans", "wants", "seeks", "sought", "backs", "hits", "sees", "saw", "gives",
    "gave", "goes", "went", "comes", "came", "tells", "told", "knew", "knows", "thinks", "thought",
    "led", "leads", "meets", "met", "hopes", "faces", "rejects", "admits", "approves", "orders",
    "targets", "fails", "ends", "starts", "begins", "began",
];

/// Pronouns whose "'s" / "'d" is a contracted verb ("it's", "he'd"), not a possessive
/// ("Obama's"). User: the confidence rule for `none`, which counts a contracted verb as a verb.
pub const CONTRACTING_PRONOUNS: &[&str] = &[
    "it", "that", "there", "here", "he", "she", "what", "who", "where", "how", "this", "let", "i",
    "you", "we", "they",
];

/// Words that open a subordinate (relative or adverbial) clause. User: the confidence cue
/// scan, which does not let a hedge inside such a clause ("..., which is very likely to ...")
/// lower the main clause. Relative pronouns and the common subordinating conjunctions of
/// English grammars; `LEADING_SUBORDINATORS` is the subset `claims` splits on.
pub const SUBORDINATORS: &[&str] = &[
    "which", "who", "whom", "whose", "because", "since", "although", "though", "if", "unless",
    "whether", "when", "whenever", "while", "where", "whereas", "after", "before", "until",
    "whatever", "wherein", "wherever",
];

/// Verbs of wanting and trying, whose complement is wished or attempted, not asserted. User:
/// the confidence cue scan: a hedge after one ("he hoped he could film it", "refused to believe
/// it") qualifies the wish, and the sentence plainly asserts that someone hoped or refused.
pub const INTENT_VERBS: &[&str] = &[
    "hope", "hopes", "hoped", "hoping", "want", "wants", "wanted", "wanting", "try", "tries",
    "tried", "trying", "plan", "plans", "planned", "planning", "intend", "intends", "intended",
    "wish", "wishes", "wished", "refuse", "refuses", "refused",
];

/// Nouns of saying and rumour whose "that" clause is their content ("a warning that
/// the jets could be used"). User: the confidence cue scan: a hedge in that clause qualifies
/// the warning, and the sentence plainly asserts that a warning was issued. Not "fears": the
/// labelled stories read "there are growing fears that X could" as a hedge on X.
pub const CONTENT_NOUNS: &[&str] = &[
    "warning",
    "warnings",
    "claim",
    "claims",
    "rumor",
    "rumors",
    "rumour",
    "rumours",
    "news",
    "story",
    "stories",
    "allegation",
    "allegations",
    "speculation",
    "suggestion",
    "suggestions",
    "theory",
    "idea",
    "notion",
    "message",
    "messages",
];

/// Subordinators that, opening a sentence, put a claim of its own before the first comma
/// ("While Russia sought X, Iran did Y"). User: `claims`, which splits there. Concessive and
/// contrastive ones plus "as", unlike `SUBORDINATORS`, whose conditional and temporal clauses
/// ("If X, Y") do not assert X.
pub const LEADING_SUBORDINATORS: &[&str] = &["while", "although", "though", "whereas", "as"];

/// Function words left out of the content-word overlap of a stance pair (two sentences
/// sharing "the" and "was" share nothing). User: the stance features. A short English stop
/// list (articles, auxiliaries, pronouns, common prepositions); "not" is in it because
/// negation has features of its own.
pub const STOPWORDS: &[&str] = &[
    "the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "with", "that", "this", "is",
    "are", "was", "were", "be", "been", "it", "its", "as", "at", "by", "from", "has", "have",
    "had", "will", "would", "after", "over", "into", "about", "than", "but", "not", "his", "her",
    "their", "they", "he", "she", "who", "which", "what",
];

/// Words that open sentences capitalised without being names. User: `pair`, whose name
/// overlap skips a sentence's first word when it is one of these. Determiners, pronouns,
/// conjunctions and the sentence adverbs and attribution openers ("According", "However")
/// that start news sentences; unlike `STOPWORDS`, only what can stand first.
pub const SENTENCE_OPENERS: &[&str] = &[
    "a",
    "an",
    "the",
    "in",
    "on",
    "at",
    "it",
    "he",
    "she",
    "they",
    "we",
    "i",
    "you",
    "but",
    "and",
    "this",
    "that",
    "these",
    "those",
    "there",
    "as",
    "for",
    "if",
    "while",
    "when",
    "after",
    "before",
    "according",
    "however",
    "its",
    "his",
    "her",
    "their",
    "our",
    "some",
    "many",
    "one",
];

/// Days of the week, lower-cased: no actor's name (stories), and what may follow "a.m." in a
/// sentence (segment).
pub const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Months, lower-cased.
pub const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Months' short forms, lower-cased and without their stop, where they are no English word
/// ("may" is one): in time stamps ("Updated Jan 5") and before a name inside a quotation.
pub const MONTH_SHORT_FORMS: &[&str] = &[
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Lists are compared with lower-cased tokens: an upper-case or spaced entry never matches.
    #[test]
    fn entries_are_lower_case_single_words() {
        let all = [
            NEGATIONS,
            REFUTING,
            ATTRIBUTING,
            REPORTING,
            VERBISH,
            SUBORDINATORS,
            INTENT_VERBS,
            LEADING_SUBORDINATORS,
            STOPWORDS,
            SENTENCE_OPENERS,
            WEEKDAYS,
            MONTHS,
            MONTH_SHORT_FORMS,
        ];
        for list in all {
            for w in list {
                assert!(!w.is_empty() && !w.contains(' '), "{w:?}");
                assert_eq!(*w, w.to_lowercase(), "{w:?}");
            }
        }
    }

    /// Every leading subordinator but "as" is a subordinator for the cue scan too.
    #[test]
    fn leading_subordinators_are_subordinators() {
        for w in LEADING_SUBORDINATORS.iter().filter(|w| **w != "as") {
            assert!(SUBORDINATORS.contains(w), "{w}");
        }
    }
}
