//! The words that carry asserted confidence, found with their byte spans.
//!
//! Two public vocabularies: the estimative language of intelligence assessments (ICD 203:
//! "almost no chance" ... "almost certainly", and "low/moderate/high confidence") and the
//! hedges and boosters of the linguistics literature (Hyland 2005; Farkas et al. 2010,
//! CoNLL-2010 hedge cues). Each cue gets the level it asserts on its own; whether it governs the
//! sentence depends on where it stands: a hedge in a subordinate clause ("..., which is very
//! likely to undermine ...") does not lower the main clause.
//!
//! The classifier uses these as features and reports them as explanations; they are rules
//! because a cue list is exactly what the literature publishes and what a reader can check.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use serde::Serialize;

use crate::lexicon::{
    ATTRIBUTING, CONTENT_NOUNS, INTENT_VERBS, NEGATIONS, REPORTING, SUBORDINATORS, VERBISH,
};

/// The four asserted-confidence levels, from most to least certain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    High,
    Moderate,
    Low,
    None,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::High, Level::Moderate, Level::Low, Level::None];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::High => "high",
            Level::Moderate => "moderate",
            Level::Low => "low",
            Level::None => "none",
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a cue comes from, for the explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CueKind {
    /// "with high confidence", "moderate confidence": an explicit confidence statement.
    ConfidencePhrase,
    /// ICD 203 probability words: "almost certainly", "very likely", "unlikely".
    Estimative,
    /// "may", "reportedly", "suggests", "believes": hedges.
    Hedge,
    /// "it is reported that", "according to reports": hearsay frames, low, wrapping a
    /// proposition that may carry a hedge of its own (which then decides).
    Hearsay,
    /// "confirmed", "clearly", "found": boosters.
    Booster,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cue {
    pub text: String,
    /// Byte span in the sentence.
    pub start: usize,
    pub end: usize,
    pub level: Level,
    pub kind: CueKind,
    /// In the main clause (false: inside a relative or adverbial clause).
    pub main_clause: bool,
}

use CueKind::{Booster, ConfidencePhrase, Estimative, Hearsay, Hedge};
use Level::{High, Low, Moderate};

/// Words before an "as" that names or casts what precedes it ("known as", "identified as",
/// "served as"): no aside follows.
const NAMING_BEFORE_AS: &[&str] = &[
    "known",
    "identified",
    "described",
    "named",
    "regarded",
    "seen",
    "viewed",
    "designated",
    "listed",
    "classified",
    "labelled",
    "labeled",
    "branded",
    "dubbed",
    "billed",
    "hailed",
    "portrayed",
    "characterised",
    "characterized",
    "touted",
    "serve",
    "serves",
    "served",
    "serving",
    "act",
    "acts",
    "acted",
    "acting",
    "posing",
    "posed",
    "masquerading",
    "disguised",
    "appointed",
    "reappointed",
    "elected",
    "installed",
    "chosen",
    "sworn",
    "nominated",
];

/// Phrases, lower-case ASCII, single spaces between words. Matched on whole words; where two
/// start at the same word the one with more words wins ("very likely" over "likely"), so the
/// order here does not matter.
const LEXICON: &[(&str, Level, CueKind)] = &[
    // ICD 203 confidence levels.
    ("with high confidence", High, ConfidencePhrase),
    ("high confidence", High, ConfidencePhrase),
    ("with moderate confidence", Moderate, ConfidencePhrase),
    ("moderate confidence", Moderate, ConfidencePhrase),
    ("medium confidence", Moderate, ConfidencePhrase),
    ("with low confidence", Low, ConfidencePhrase),
    ("low confidence", Low, ConfidencePhrase),
    // ICD 203 probability scale. A statement that something is very unlikely asserts its
    // negation about as firmly as "very likely" asserts it.
    ("almost certainly", High, Estimative),
    ("almost certain", High, Estimative),
    ("nearly certain", High, Estimative),
    ("almost no chance", High, Estimative),
    ("remote chance", High, Estimative),
    ("very likely", Moderate, Estimative),
    ("highly likely", Moderate, Estimative),
    ("highly probable", Moderate, Estimative),
    ("most likely", Moderate, Estimative),
    ("more likely than not", Moderate, Estimative),
    ("very unlikely", Moderate, Estimative),
    ("highly improbable", Moderate, Estimative),
    ("unlikely", Moderate, Estimative),
    ("improbable", Moderate, Estimative),
    ("likely", Moderate, Estimative),
    ("probably", Moderate, Estimative),
    ("probable", Moderate, Estimative),
    ("in all likelihood", Moderate, Estimative),
    ("roughly even chance", Low, Estimative),
    ("even chance", Low, Estimative),
    // Hedges that present the proposition as probable.
    ("is expected to", Moderate, Hedge),
    ("are expected to", Moderate, Hedge),
    ("was expected to", Moderate, Hedge),
    ("were expected to", Moderate, Hedge),
    ("expected to", Moderate, Hedge),
    ("believes", Moderate, Hedge),
    ("believe", Moderate, Hedge),
    ("believed", Moderate, Hedge),
    ("assesses", Moderate, Hedge),
    ("assessed", Moderate, Hedge),
    ("assess", Moderate, Hedge),
    ("presumably", Moderate, Hedge),
    // Belief reports ("we thought it was a bomb", "feared to be the students"): moderate, the
    // belief verb as the cue, as the labelled stories decide; "pretty sure" likewise.
    ("thought", Moderate, Hedge),
    // "think" mostly means to consider ("48 hours to think about it"): only its belief frames.
    ("i think", Moderate, Hedge),
    ("we think", Moderate, Hedge),
    ("think that", Moderate, Hedge),
    ("thinks that", Moderate, Hedge),
    ("feared to be", Moderate, Hedge),
    ("pretty sure", Moderate, Hedge),
    // Belief reports and qualified certainty in other words ("People think you are aiding
    // terrorists", "I suppose", "fairly certain that this is the same person"), and an
    // expectation stated as a plan ("KFC is anticipating to get all 100 franchisees ready").
    ("people think", Moderate, Hedge),
    ("i suppose", Moderate, Hedge),
    ("fairly certain", Moderate, Hedge),
    ("fairly sure", Moderate, Hedge),
    ("reasonably certain", Moderate, Hedge),
    ("reasonably sure", Moderate, Hedge),
    ("is anticipating", Moderate, Hedge),
    ("are anticipating", Moderate, Hedge),
    // Doubt stated outright ("we're not so sure that the video isn't real"): a weak hedge.
    ("not sure", Low, Hedge),
    ("not so sure", Low, Hedge),
    ("not entirely sure", Low, Hedge),
    ("not certain", Low, Hedge),
    ("pretty certain", Moderate, Hedge),
    ("as far as we know", Moderate, Hedge),
    ("estimated", Moderate, Hedge),
    ("estimates", Moderate, Hedge),
    ("tend to", Moderate, Hedge),
    ("tends to", Moderate, Hedge),
    ("generally", Moderate, Hedge),
    // Weak hedges: possible, not probable.
    ("may", Low, Hedge),
    ("might", Low, Hedge),
    ("could", Low, Hedge),
    ("possibly", Low, Hedge),
    // "possible" alone is mostly an adjective ("two possible outcomes"); as a hedge it comes
    // in these frames.
    ("it is possible", Low, Hedge),
    ("it's possible", Low, Hedge),
    ("is possible", Low, Hedge),
    ("possible that", Low, Hedge),
    ("perhaps", Low, Hedge),
    ("maybe", Low, Hedge),
    ("potentially", Low, Hedge),
    ("reportedly", Low, Hedge),
    ("allegedly", Low, Hedge),
    ("purportedly", Low, Hedge),
    ("supposedly", Low, Hedge),
    ("rumoured", Low, Hedge),
    ("rumored", Low, Hedge),
    ("suggests", Low, Hedge),
    ("suggest", Low, Hedge),
    ("suggested", Low, Hedge),
    // Not "suggesting": it reports someone else's suggestion ("a story in the Mirror suggesting
    // that Plant tore up a contract", "some users suggesting it was a jilted lover"), which the
    // labelled train stories keep high.
    ("appears to", Low, Hedge),
    ("appear to", Low, Hedge),
    ("appeared to", Low, Hedge),
    ("seems to", Low, Hedge),
    ("seem to", Low, Hedge),
    ("seemed to", Low, Hedge),
    ("seemingly", Low, Hedge),
    // "Seems" is evidential without "to" as well ("Very little seems funny today", "the
    // situation seemed less urgent", "what seem like 10 gunshot sounds"), not in "made it seem
    // as if" (see `find`).
    ("seems", Low, Hedge),
    ("seem", Low, Hedge),
    ("seemed", Low, Hedge),
    ("from all appearances", Low, Hedge),
    ("to all appearances", Low, Hedge),
    // "It would not surprise me if they opted to open a restaurant": a possibility, weakly held.
    ("would not surprise", Low, Hedge),
    ("wouldn't surprise", Low, Hedge),
    ("wouldn t surprise", Low, Hedge),
    ("would not be surprised", Low, Hedge),
    ("wouldn't be surprised", Low, Hedge),
    ("wouldn t be surprised", Low, Hedge),
    ("by all appearances", Low, Hedge),
    // "Apparently" is evidential like "appears": the labelled stories put it low (5 of 6).
    ("apparently", Low, Hedge),
    ("speculated", Low, Hedge),
    ("speculate", Low, Hedge),
    ("unclear", Low, Hedge),
    // The guide's weak hedges and evidentials not above. "suspected" hedges as a verb; before
    // a noun ("a suspected terrorist compound", "no suspected cases") it names the thing and the
    // labelled stories keep such sentences high, as they do "points to" a video.
    ("is suspected", Low, Hedge),
    ("are suspected", Low, Hedge),
    ("was suspected", Low, Hedge),
    ("were suspected", Low, Hedge),
    ("suspected of", Low, Hedge),
    ("suspected that", Low, Hedge),
    ("indicating", Low, Hedge),
    ("indicate", Low, Hedge),
    ("indicates", Low, Hedge),
    ("indicated", Low, Hedge),
    // Hearsay frames ("it is reported that X", "X is said to have", "according to reports"):
    // low in the labelled stories, like "reportedly". "alleged" before a noun ("the alleged
    // gunman") names the person and leaves the sentence high (12 of 13 labelled sentences),
    // so only "allegedly" is a cue.
    ("it is reported", Low, Hearsay),
    ("it was reported", Low, Hearsay),
    ("it has been reported", Low, Hearsay),
    ("it was widely reported", Low, Hearsay),
    ("is reported to", Low, Hedge),
    ("are reported to", Low, Hedge),
    ("was reported to", Low, Hedge),
    ("were reported to", Low, Hedge),
    // "He is alleged to have told doctors": the passive of alleging, a hearsay hedge on the
    // verb ("the alleged gunman" is not a cue, see above).
    ("is alleged to", Low, Hedge),
    ("are alleged to", Low, Hedge),
    ("was alleged to", Low, Hedge),
    ("were alleged to", Low, Hedge),
    // Unattributed reports and rumour as the frame ("reports say Abdel Bary is the main
    // suspect", "rumor had it that Amazon was going to open"): "reportedly" in other words.
    ("reports say", Low, Hearsay),
    ("reports said", Low, Hearsay),
    ("reports suggest", Low, Hearsay),
    ("rumor has it", Low, Hearsay),
    ("rumour has it", Low, Hearsay),
    ("rumor had it", Low, Hearsay),
    ("rumour had it", Low, Hearsay),
    // A hint is a weak suggestion ("she hinted that the watch will launch in spring").
    ("hinted that", Low, Hedge),
    ("is said to", Low, Hedge),
    ("are said to", Low, Hedge),
    ("was said to", Low, Hedge),
    ("were said to", Low, Hedge),
    ("according to reports", Low, Hearsay),
    ("according to some reports", Low, Hearsay),
    ("according to early reports", Low, Hearsay),
    // Second-hand knowledge ("I've heard that he's suspended") is hearsay.
    // Not "I heard" or "heard that" alone: "I heard a large blast" is perception, and "Durex
    // has heard that people are saying" frames what is said; "I heard that X" (a source's
    // second-hand knowledge) is hearsay, the "that" keeping perception out.
    // A curly apostrophe separates words (`words`): "I’ve" is "I" "ve".
    ("i heard that", Low, Hearsay),
    // "I heard he's on a month's suspension": a clause, not a sound, is heard; only before a
    // pronoun that opens one (see `find`).
    ("i heard", Low, Hearsay),
    ("i've heard", Low, Hearsay),
    ("i ve heard", Low, Hearsay),
    ("we've heard", Low, Hearsay),
    ("we ve heard", Low, Hearsay),
    // "There are reports that X" is "it is reported that X" in other words.
    ("there are reports", Low, Hearsay),
    ("there were reports", Low, Hearsay),
    ("there have been reports", Low, Hearsay),
    ("it appears", Low, Hedge),
    ("looks to be", Low, Hedge),
    ("sounds like", Low, Hedge),
    ("sound like", Low, Hedge),
    // Boosters.
    ("certainly", High, Booster),
    ("definitely", High, Booster),
    ("undoubtedly", High, Booster),
    ("without doubt", High, Booster),
    ("no doubt", High, Booster),
    ("clearly", High, Booster),
    ("conclusively", High, Booster),
    ("confirmed", High, Booster),
    ("confirms", High, Booster),
    ("proved", High, Booster),
    ("proven", High, Booster),
    ("proves", High, Booster),
    ("demonstrated", High, Booster),
    ("demonstrates", High, Booster),
    ("established", High, Booster),
    ("found", High, Booster),
    ("determined", High, Booster),
    ("in fact", High, Booster),
    // Not "makes clear": it frames a proposition ("the document makes clear that officials
    // believe X"), whose own hedge decides.
    ("concluded", High, Booster),
    ("concludes", High, Booster),
    ("indeed", High, Booster),
];

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\''
}

/// Word tokens of `s` with byte spans: letters, digits and ASCII apostrophes, so "didn't" stays
/// one word while curly quotes, dashes and symbols separate words.
pub fn words(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(a)) => {
                out.push((a, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(a) = start {
        out.push((a, s.len()));
    }
    out
}

/// The cue table as one automaton, built on first use. Each phrase is framed as it appears in
/// the scanned stream (see `find`): a space before and after each word, so " very  likely ".
static SCANNER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .ascii_case_insensitive(true)
        .build(
            LEXICON
                .iter()
                .map(|(phrase, _, _)| framed(phrase.split(' '))),
        )
        // The table is a constant of a hundred short phrases, far inside the automaton's
        // limits: a failure here is a bug in this file, caught by every test that finds a cue.
        .expect("the cue table compiles")
});

/// Words each wrapped in spaces and joined: "very likely" -> " very  likely ".
fn framed<'a>(words: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for w in words {
        out.push(' ');
        out.push_str(w);
        out.push(' ');
    }
    out
}

/// The cues of `sentence`, in order, overlapping matches resolved in favour of the longer.
///
/// The scan runs over the sentence's words, each wrapped in spaces (" Putin  is  very  likely
/// "), not over the sentence: a phrase then matches whole words only, whatever separates them
/// in the text ("very, likely", "very\nlikely" are still "very likely", as in the word-by-word
/// scan this replaced), and two neighbouring cues never share a byte, so a leftmost-longest
/// pass finds, at the first word where any phrase starts, the one with the most words, then
/// goes on after it. Case is folded by the automaton, ASCII only: the table is ASCII, and
/// folding in place keeps every byte offset, which full Unicode lower-casing does not ("İ"
/// grows, "ẞ" shrinks).
pub fn find(sentence: &str) -> Vec<Cue> {
    let toks = words(sentence);
    // Where each word's frame starts and ends in the stream.
    let mut stream = String::with_capacity(sentence.len() + 2 * toks.len());
    let mut starts = Vec::with_capacity(toks.len());
    let mut ends = Vec::with_capacity(toks.len());
    for &(a, b) in &toks {
        starts.push(stream.len());
        stream.push(' ');
        stream.push_str(&sentence[a..b]);
        stream.push(' ');
        ends.push(stream.len());
    }
    let word = |i: usize| toks.get(i).map(|&(a, b)| &sentence[a..b]);
    // (first token, last token, level, kind) of each match.
    let mut found = Vec::new();
    for m in SCANNER.find_iter(&stream) {
        // Word-boundary check. Every pattern starts and ends with a frame space and words hold
        // no spaces, so a match always spans whole frames; a miss here would be a bug, and the
        // match is skipped rather than given a wrong span.
        let (first, last) = (
            starts.binary_search(&m.start()),
            ends.binary_search(&m.end()),
        );
        debug_assert!(
            first.is_ok() && last.is_ok(),
            "cue match {m:?} off the word frames of {stream:?}"
        );
        let (Ok(first), Ok(last)) = (first, last) else {
            continue;
        };
        let Some(&(phrase, level, kind)) = LEXICON.get(m.pattern().as_usize()) else {
            continue;
        };
        // "May" capitalised inside a sentence, or before a number, is the month ("told People
        // in May of 2014", "May 5"); "could not" states an inability ("could not confirm the
        // deaths", "could not be reached"), not a possibility; "could not have come from" and
        // "could not only be" still hedge.
        let month = word(first) == Some("May")
            && (first > 0
                || word(first + 1).is_some_and(|w| w.starts_with(|c: char| c.is_ascii_digit())));
        let inability = word(first).is_some_and(|w| w.eq_ignore_ascii_case("could"))
            && word(first + 1).is_some_and(|w| w.eq_ignore_ascii_case("not"))
            && !word(first + 2).is_some_and(|w| one_of(&["have", "only"], w));
        // "It is unclear when the attacks took place" doubts the time, not the attacks: before
        // a wh-word "unclear" presupposes the event ("unclear whether" still hedges it).
        let open_question = word(first).is_some_and(|w| w.eq_ignore_ascii_case("unclear"))
            && first == last
            && word(first + 1)
                .is_some_and(|w| one_of(&["when", "where", "how", "who", "why", "what"], w));
        // "Unconfirmed reports say X" distances the writer from X (the guide: stance, not
        // confidence), and the labelled hoax stories read X as stated: no hearsay hedge.
        // Only the adjective that qualifies the frame: "The video is fake, reports say." still
        // hedges.
        let distanced = kind == Hearsay
            && first > 0
            && sentence[toks[first - 1].1..toks[first].0].trim().is_empty()
            && word(first - 1).is_some_and(|w| {
                one_of(&["unconfirmed", "unverified", "bogus", "fake", "false"], w)
            });
        // The frames added from the train stories hold only as unbroken phrases: "He rejected
        // the reports, said a spokesman" is no "reports said".
        let broken = CONTIGUOUS.contains(&phrase)
            && (first..last).any(|k| !sentence[toks[k].1..toks[k + 1].0].trim().is_empty());
        // A comparison with what was thought or seemed is no hedge ("farther inside than we
        // thought", "worse than had been thought", "more complicated than it seems", "not as
        // simple as it seems", "not always what they seem"), nor what someone "would have you
        // believe" (distancing), nor "made the crowd seem larger" (a cause of an impression,
        // stated), nor "think" as "consider" ("few people think about", "what people think").
        // `run_before(k, ws)`: one of `ws` is among the `k` words before the cue, with nothing
        // but spaces between it and the cue.
        let run_before = |k: usize, ws: &[&str]| {
            (1..=k.min(first)).any(|j| {
                let at = first - j;
                one_of(ws, &sentence[toks[at].0..toks[at].1])
                    && sentence[toks[at].1..toks[first].0]
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '\'' || c.is_whitespace())
            })
        };
        let before = |k: usize| first.checked_sub(k).and_then(word);
        let after = word(last + 1);
        let seeming = one_of(&["seem", "seems", "seemed"], phrase);
        let belief = seeming
            || one_of(
                &[
                    "thought",
                    "believed",
                    "estimated",
                    "i think",
                    "we think",
                    "people think",
                ],
                phrase,
            );
        let compared = belief
            && (run_before(4, &["than"])
                || (seeming
                    && before(2).is_some_and(|w| one_of(&["as", "what"], w))
                    && before(1)
                        .is_some_and(|w| one_of(&["it", "they", "he", "she", "this", "that"], w))));
        let considering = phrase.contains("think")
            && (after.is_some_and(|w| one_of(&["about", "of"], w)) || run_before(2, &["what"]));
        let would_have_you = phrase == "believe"
            && before(1).is_some_and(|w| one_of(&["you", "us", "me", "them"], w))
            && before(2).is_some_and(|w| w.eq_ignore_ascii_case("have"));
        let causative = one_of(&["seem", "seem to", "sound like", "sounds like"], phrase)
            && run_before(3, &["make", "makes", "made", "making"]);
        // "I heard" reports hearsay before a subject pronoun ("I heard he's suspended", "I
        // heard they'd left"), perception otherwise ("I heard a blast", "I heard it explode").
        let perceived = phrase == "i heard"
            && !after.is_some_and(|w| {
                let (head, contracted) = w.split_once('\'').map_or((w, false), |(h, _)| (h, true));
                one_of(&["he", "she", "they", "we"], head)
                    || (contracted && head.eq_ignore_ascii_case("it"))
            });
        // A plan or a surprise held as a possibility takes its own complement: "Fans are
        // anticipating the album" and "would not surprise anyone who followed the trial" are
        // plain statements.
        let no_complement = (phrase.ends_with("anticipating")
            && !after.is_some_and(|w| one_of(&["to", "that"], w)))
            || (phrase.ends_with("surprise") && !after.is_some_and(|w| one_of(&["me", "us"], w)));
        // Words of the lexicon in another sense (an independent review of real news pages,
        // 2026-12-05): "a well thought out plan", "I thought a lot about it" (considered);
        // "The report assessed poverty levels" (evaluated: a hedge only before its content,
        // "assesses that", "assessed with high confidence", "assesses Putin ordered");
        // "the moment indicated by the participants"; "no reason to believe" (a plain denial of
        // grounds); "did all they could to" and "everything you could" (ability, no verb
        // after); "as clearly as" (manner); a booster under negation ("has not been
        // independently confirmed" states plainly that nothing confirms it).
        // A booster under negation: the three words before it, apostrophes of either kind
        // ("wasn’t definitely proven", "has not been independently confirmed").
        let negated_booster = || {
            let from = toks[first.saturating_sub(3)].0;
            let before = sentence[from..toks[first].0]
                .replace('’', "'")
                .to_lowercase();
            kind == Booster
                && before
                    .chars()
                    .all(|c| c.is_alphanumeric() || c.is_whitespace() || c == '\'')
                && (before.contains("n't")
                    || before
                        .split_whitespace()
                        .any(|w| w == "not" || w == "never" || w == "cannot"))
        };
        let other_sense = match phrase {
            "thought" => {
                before(1).is_some_and(|w| {
                    one_of(
                        &["well", "carefully", "ill", "deeply", "poorly", "badly"],
                        w,
                    )
                }) || after
                    .is_some_and(|w| one_of(&["out", "about", "hard", "long", "through", "of"], w))
                    || (after.is_some_and(|w| w.eq_ignore_ascii_case("a"))
                        && word(last + 2).is_some_and(|w| w.eq_ignore_ascii_case("lot")))
                    // What was thought at first and then revised ("doctors initially thought
                    // it was a bite") is reported, not hedged: the sentence says it was wrong.
                    || before(1).is_some_and(|w| one_of(&["initially", "originally"], w))
            }
            // Advice, not a hedge: "it suggests people should avoid food names", "suggested
            // avoiding the area" (a review of `match` on FNC-1 train stories, 2026-12-06).
            // Or a trailing frame after the advice: "it's good to avoid food as a name, it
            // suggests."
            // Only advice to people: "the findings suggest that the drug should work" and
            // "the poll suggests the candidate should win" still hedge.
            "suggest" | "suggests" | "suggested" => {
                const ADVICE: &[&str] = &["should", "avoid", "avoiding", "shouldn't"];
                const PEOPLE: &[&str] = &[
                    "people",
                    "parents",
                    "readers",
                    "you",
                    "he",
                    "she",
                    "they",
                    "we",
                    "users",
                    "travellers",
                    "travelers",
                    "viewers",
                ];
                let mut k = last + 1;
                if word(k).is_some_and(|w| w.eq_ignore_ascii_case("that")) {
                    k += 1;
                }
                (word(k).is_some_and(|w| one_of(PEOPLE, w))
                    && word(k + 1).is_some_and(|w| one_of(ADVICE, w)))
                    || (last + 1 == toks.len()
                        && (0..first).filter_map(word).any(|w| one_of(ADVICE, w)))
            }
            // "found dead", "found in his flat": a discovery, not a finding of fact.
            "found" => {
                negated_booster()
                    || after.is_some_and(|w| {
                        one_of(
                            &[
                                "dead",
                                "alive",
                                "unconscious",
                                "unresponsive",
                                "lying",
                                "hanging",
                                "hanged",
                                "floating",
                                "injured",
                                "wounded",
                                "safe",
                                "buried",
                                "in",
                                "at",
                                "on",
                                "inside",
                                "near",
                                "outside",
                                "under",
                                "behind",
                                "beside",
                            ],
                            w,
                        )
                    })
            }
            // "Perhaps more important, he set up a fund": the hedge weighs the aside, not the
            // main clause's claim.
            "perhaps" => {
                after.is_some_and(|w| one_of(&["more", "most"], w))
                    && word(last + 2).is_some_and(|w| {
                        let w = w.to_ascii_lowercase();
                        w.starts_with("important") || w.starts_with("significant")
                    })
            }
            // A bare noun after it is an object ("assessed poverty levels"); a determiner or
            // a pronoun may open the content clause ("assesses the group is planning"), so
            // those keep the hedge.
            // Unless a finite verb follows within a few words: then the bare noun opens the
            // content clause ("assessed hackers linked to Moscow stole", "assess militants
            // are regrouping"). A past form followed by "by" is a participle ("damage caused
            // by the storm").
            "assess" | "assesses" | "assessed" => {
                after.is_some_and(|w| {
                    w.starts_with(|c: char| c.is_lowercase())
                        && !one_of(
                            &[
                                "that", "with", "to", "it", "he", "she", "they", "we", "this",
                                "there", "the", "a", "an", "these", "those", "its", "his", "her",
                                "their", "some", "no", "any",
                            ],
                            w,
                        )
                }) && !(last + 2..last + 7)
                    .map_while(|k| {
                        word(k)
                            .filter(|w| {
                                !one_of(&["that", "who", "which", "whose", "and", "but", "or"], w)
                            })
                            .map(|w| (k, w))
                    })
                    .any(|(k, w)| {
                        one_of(FINITE_VERBS, w)
                            || one_of(MODALS, w)
                            || (w.len() > 4
                                && w.to_ascii_lowercase().ends_with("ed")
                                && !word(k + 1).is_some_and(|n| n.eq_ignore_ascii_case("by")))
                    })
            }
            "indicated" | "indicate" | "indicates" => {
                after.is_some_and(|w| w.eq_ignore_ascii_case("by"))
            }
            "believe" => {
                before(1).is_some_and(|w| w.eq_ignore_ascii_case("to"))
                    && before(2).is_some_and(|w| w.eq_ignore_ascii_case("reason"))
                    && before(3).is_some_and(|w| one_of(&["no", "little"], w))
            }
            "could" => {
                after.is_none_or(|w| w.eq_ignore_ascii_case("to"))
                    && run_before(3, &["all", "everything", "anything", "whatever", "best"])
            }
            "clearly" => before(1).is_some_and(|w| w.eq_ignore_ascii_case("as")),
            _ => negated_booster(),
        };
        if month
            || other_sense
            || inability
            || open_question
            || distanced
            || broken
            || compared
            || would_have_you
            || causative
            || considering
            || no_complement
            || perceived
        {
            continue;
        }
        found.push((first, last, level, kind));
    }
    let mut hedge_at = vec![false; toks.len()];
    for &(first, _, level, kind) in &found {
        hedge_at[first] = is_hedge(level, kind);
    }
    let subord = subordinate_mask(sentence, &toks, &hedge_at);
    found
        .into_iter()
        .map(|(first, last, level, kind)| {
            let (start, end) = (toks[first].0, toks[last].1);
            // A hearsay frame after the last comma that ends the sentence ("..., it has been
            // reported.") frames the whole sentence, whatever clause it follows.
            let trailing_frame = kind == Hearsay
                && last + 1 == toks.len()
                && first > 0
                && sentence[toks[first - 1].1..start].contains(',');
            Cue {
                text: sentence[start..end].to_string(),
                start,
                end,
                level,
                kind,
                main_clause: !subord[first] || trailing_frame,
            }
        })
        .collect()
}

/// Cues that count only with nothing but spaces between their words (see `find`).
const CONTIGUOUS: &[&str] = &[
    "reports say",
    "reports said",
    "reports suggest",
    "i heard that",
    "i heard",
    "hinted that",
];

/// Subordinators that open a relative clause (see `subordinate_mask`).
const RELATIVE_PRONOUNS: &[&str] = &["which", "who", "whom", "whose"];

/// Hedging adverbs that can lead a trailing non-finite adjunct (see `subordinate_mask`).
const HEDGE_ADVERBS: &[&str] = &[
    "possibly",
    "presumably",
    "allegedly",
    "reportedly",
    "seemingly",
    "apparently",
    "perhaps",
    "supposedly",
    "purportedly",
    "potentially",
];

/// Participles that report what someone else says (see `subordinate_mask`).
const REPORTING_PARTICIPLES: &[&str] = &[
    "teasing",
    "hinting",
    "claiming",
    "saying",
    "alleging",
    "purporting",
    "stating",
    "suggesting",
    "arguing",
    "insisting",
    "speculating",
];

/// Forms of "be" and "have" before a participle that make it a finite verb.
const AUXILIARIES: &[&str] = &[
    "is", "are", "was", "were", "be", "been", "being", "am", "has", "have", "had",
];

/// Passive participles that open a reduced relative clause with "to" or "of" (see
/// `subordinate_mask`).
const REDUCED_PARTICIPLES: &[&str] = &[
    "believed",
    "thought",
    "suspected",
    "feared",
    "said",
    "reported",
    "rumored",
    "rumoured",
];

/// Finite auxiliaries and modals: where a main clause's verb phrase starts after a reduced
/// relative clause.
const FINITE_VERBS: &[&str] = &[
    "is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "did", "does",
];

/// Verbs that take a hearer and then a "that" clause of what was told.
const TELLING_VERBS: &[&str] = &[
    "told",
    "tell",
    "tells",
    "telling",
    "informed",
    "inform",
    "informs",
    "warned",
    "warn",
    "warns",
    "assured",
    "assure",
    "assures",
    "reminded",
    "remind",
    "reminds",
    "notified",
    "convinced",
    "persuaded",
    "advised",
    "briefed",
    "taught",
];

/// Modal auxiliaries among the hedges: always the verb of a finite clause.
const MODALS: &[&str] = &["may", "might", "could"];

/// Words before a noun, not before a verb: "the plan", "their hopes" (not "some want", where
/// "some" is the subject).
const NOUN_DETERMINERS: &[&str] = &[
    "a", "an", "the", "this", "these", "those", "its", "his", "her", "their", "our", "my", "your",
    "new",
];

/// Prepositions that open a fronted phrase ("In the end you may lose", "Within 24 hours that
/// may change").
const PREPOSITIONS: &[&str] = &[
    "in", "at", "by", "on", "for", "after", "before", "during", "until", "from", "with", "of",
    "to", "since", "into", "over", "under", "within", "without", "across", "about", "around",
];

/// Numbers in words, which stand before a noun as a determiner does.
const NUMBER_WORDS: &[&str] = &[
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "dozens",
    "hundreds",
    "thousands",
];

/// Words that open a noun phrase, for the relative "that" of `subordinate_mask`.
const DETERMINERS: &[&str] = &[
    "a", "an", "the", "this", "these", "those", "its", "his", "her", "their", "our", "some", "any",
    "every", "each", "one", "another", "new",
];

/// Is `w` one of `list`, case-blind as the cue scan is?
pub(crate) fn one_of(list: &[&str], w: &str) -> bool {
    list.iter().any(|x| x.eq_ignore_ascii_case(w))
}

/// A cue that lowers confidence (not a booster, not a high estimate).
fn is_hedge(level: Level, kind: CueKind) -> bool {
    kind != Booster && level != High
}

/// For each token: outside the main clause? Three rules, each from the guide's "a hedge in a
/// subordinate clause, a relative clause or a trailing adjunct does not lower a plainly asserted
/// main clause":
/// - a subordinator opens a clause that runs to the end of the sentence, or, when it opens the
///   sentence, to the first comma;
/// - a verb of wanting or trying opens its complement ("he hoped he could film it");
/// - an aside between two commas that starts with a hedge and runs three words or more ("a
///   meteor, thought possibly to be a chunk of an asteroid, was the cause") describes a noun,
///   not the main clause; a lone adverb between commas ("Banksy, reportedly, was arrested")
///   still hedges it.
///
/// `hedge_at[i]`: a hedge cue starts at token `i`.
fn subordinate_mask(s: &str, toks: &[(usize, usize)], hedge_at: &[bool]) -> Vec<bool> {
    let mut mask = vec![false; toks.len()];
    let mut open = false;
    let mut fronted = false;
    // A relative clause ("the video, which has been passed around since Monday, appears to be
    // fake") ends at a comma once it has three words: the main clause goes on after it, unless
    // a conjunction carries the relative clause on ("who looks like him, and also appears to").
    let mut relative_from: Option<usize> = None;
    // The text between token `i` and the one before it ("" before the first).
    let gap = |i: usize| {
        if i > 0 {
            &s[toks[i - 1].1..toks[i].0]
        } else {
            ""
        }
    };
    let word = |k: usize| &s[toks[k].0..toks[k].1];
    let comma_before = |i: usize| gap(i).contains(',');
    for (i, &(a, b)) in toks.iter().enumerate() {
        let w = &s[a..b];
        let relative_ends =
            relative_from.is_some_and(|r| i - r > 3) && !one_of(&["and", "or", "but"], w);
        if (fronted || relative_ends) && comma_before(i) {
            open = false;
            fronted = false;
            relative_from = None;
        }
        // Case-blind like the cue scan: "Which" opens a clause as "which" does.
        if !open && one_of(SUBORDINATORS, w) {
            open = true;
            relative_from = one_of(RELATIVE_PRONOUNS, w).then_some(i);
            // Fronted: first in the sentence, or after a leading conjunction ("And after
            // reviewing the video, we are pretty sure").
            fronted = i == 0 || (i == 1 && one_of(&["and", "but", "so", "or", "yet"], word(0)));
            // "whatever happens, talks could resume": a free relative ends at its comma
            // wherever it stands, as a fronted clause does.
            fronted |= one_of(&["whatever", "wherever"], w);
            // The subordinator itself belongs to the clause it opens.
        }
        // Reported content opens here, to the end of the sentence: "that" after a noun of
        // saying or rumour ("a warning that the jets could be used", "the news that Culkin was
        // allegedly dead"); a reporting participle after a noun ("a fake advertisement claiming
        // users could charge their phones", "Rumors, claiming the singer allegedly died,
        // spread"), but not after an auxiliary ("he is claiming": the main verb); a wh-clause
        // after a preposition ("talk about how the TV allegedly blurred her").
        // A relative "that" whose clause opens on a hedge describes the noun before it ("a
        // video that purportedly shows the beheading", "footage that could catch the culprit"):
        // the hedge qualifies the description, not the main clause ("... has released a
        // video"). Not after a verb or a cue ("said that could take months", "suggests that
        // may be wrong"), whose "that" opens the content.
        let relative_that = w.eq_ignore_ascii_case("that")
            && i > 0
            && hedge_at.get(i + 1).copied().unwrap_or(false)
            && toks.get(i + 1).is_some_and(|&(a, b)| {
                one_of(MODALS, &s[a..b]) || one_of(HEDGE_ADVERBS, &s[a..b]) || {
                    let n = s[a..b].to_ascii_lowercase();
                    n.starts_with("appear") || n.starts_with("seem")
                }
            })
            // The noun it describes comes after a determiner ("a video that", "the tweets
            // that"): "Still, that could change" and "Officials argue that could" have none.
            // A number counts ("six hidden graves that may contain ..."), but not after a
            // preposition, where "that" is a pronoun ("Within 24 hours that may change").
            && (i.saturating_sub(3)..i.saturating_sub(1)).any(|k| {
                one_of(DETERMINERS, word(k))
                    || ((one_of(NUMBER_WORDS, word(k))
                        || word(k).chars().all(|c| c.is_ascii_digit()))
                        && !(k > 0 && one_of(PREPOSITIONS, word(k - 1))))
            })
            // Nor after a verb of telling right before the noun, whose "that" opens what was
            // told ("told the newspaper that may change", "warned the council that it could").
            && !(i >= 3 && one_of(TELLING_VERBS, word(i - 3)))
            && {
                let prev = word(i - 1);
                let p = prev.to_ascii_lowercase();
                !prev.starts_with(char::is_uppercase)
                    && !hedge_at[i - 1]
                    && !one_of(VERBISH, prev)
                    && !one_of(ATTRIBUTING, prev)
                    && !one_of(REPORTING, prev)
                    && !p.ends_with("ed")
                    && !p.ends_with("ly")
                    && !one_of(&["so", "such", "now", "possible", "likely", "clear"], prev)
                    && prev.chars().all(|c| c.is_alphanumeric() || c == '-')
            };
        if !open
            && i > 0
            && let prev = word(i - 1)
            && (relative_that
                || (w.eq_ignore_ascii_case("that") && one_of(CONTENT_NOUNS, prev))
                || (one_of(REPORTING_PARTICIPLES, w) && !one_of(AUXILIARIES, prev))
                || (one_of(&["how", "why", "whether", "what"], w)
                    && one_of(
                        &[
                            "about", "over", "on", "of", "into", "at", "for", "with", "to",
                        ],
                        prev,
                    )))
        {
            open = true;
            relative_from = None;
            // A wh-clause after a sentence's first preposition ("For what it's worth, the
            // company may fold") ends at its comma.
            fronted = i == 1;
        }
        mask[i] = open;
        // The verb itself is the main clause's; what follows is the wish. Not the noun ("The
        // plan might work", "Hopes of a deal could fade", "the government's plans may change"):
        // first in the sentence (news has no imperatives), after a determiner or a possessive,
        // or right before a modal or an auxiliary, the word names the wish and the hedge after
        // it is the main clause's.
        let noun = i == 0
            || {
                let p = word(i - 1);
                // A possessive, not a pronoun's "is" ("He's hoping the talks could resume");
                // a curly apostrophe parts the word, leaving "s" after it.
                let owner = match p.strip_suffix("'s") {
                    Some(stem) => Some(stem),
                    None if p == "s" && i >= 2 && gap(i - 1) == "\u{2019}" => Some(word(i - 2)),
                    None => None,
                };
                let possessive = owner.is_some_and(|o| {
                    !one_of(
                        &[
                            "he", "she", "it", "let", "that", "there", "what", "who", "here",
                            "where",
                        ],
                        o,
                    )
                });
                one_of(NOUN_DETERMINERS, p) || possessive
            }
            || toks
                .get(i + 1)
                .is_some_and(|_| one_of(MODALS, word(i + 1)) || one_of(AUXILIARIES, word(i + 1)));
        if !open && one_of(INTENT_VERBS, w) && !noun {
            open = true;
        }
    }
    // A trailing non-finite adjunct led by a hedging adverb ("..., possibly to discuss his
    // health", "— presumably to announce it —", "..., seemingly asserting that ...") qualifies
    // the purpose or manner, not the main clause before it: subordinate to the next comma or
    // dash, or the end.
    // A dash typed as two hyphens ("Jong Un -- said to be a common name -- apparently") is one.
    let break_before = |i: usize| {
        let g = gap(i);
        g.contains(',')
            || g.contains('—')
            || g.contains('–')
            || g.contains(" - ")
            || g.contains("--")
    };
    for i in 3..toks.len() {
        let w = word(i);
        let next = toks.get(i + 1).map(|&(a, b)| &s[a..b]);
        // A causal adjunct ("..., reportedly due to his heavy drinking") is one too.
        let non_finite = next.is_some_and(|n| {
            one_of(&["to", "due", "because", "owing", "thanks"], n)
                || (n.len() > 4 && n.to_ascii_lowercase().ends_with("ing"))
        });
        if break_before(i) && non_finite && one_of(HEDGE_ADVERBS, w) {
            let end = (i + 1..toks.len())
                .find(|&k| break_before(k))
                .unwrap_or(toks.len());
            mask[i..end].iter_mut().for_each(|m| *m = true);
        }
    }
    // An "as" clause with a hedge in its first words ("Uber, as its name suggests, is
    // hierarchical", "..., as one might attempt on Twitter", "as Uber's reportedly are")
    // compares or comments; the main clause is stated plainly: subordinate to the next comma
    // or dash, or the end. Not "as likely as" (the cue right after "as": a comparison of the
    // cue's own degree), nor a hedge before the "as" ("The plane may have crashed, as
    // officials feared").
    for i in 0..toks.len() {
        if !word(i).eq_ignore_ascii_case("as") {
            continue;
        }
        // Not "such as", "as well as", nor a comparison ("as many as 20 people may have died",
        // "those with the same name as the leader may have to change it").
        let comparison = (i > 0 && one_of(&["such", "well", "so", "same", "just"], word(i - 1)))
            || (i.saturating_sub(3)..(i + 4).min(toks.len()))
                .any(|k| k != i && word(k).eq_ignore_ascii_case("as"))
            || (i.saturating_sub(3)..i)
                .any(|k| word(k).eq_ignore_ascii_case("same") && !(k + 1..=i).any(break_before));
        // Nor a name or a role ("a group known as Fancy Bear may have", "the man identified as
        // the gunman may have fled", "referred to as", "served as"): the "as" completes the
        // noun phrase, and the hedge after it is the main clause's.
        let naming = i > 0
            && !break_before(i)
            && (one_of(NAMING_BEFORE_AS, word(i - 1))
                || (word(i - 1).eq_ignore_ascii_case("to")
                    && i > 1
                    && one_of(&["referred", "refer", "refers"], word(i - 2))));
        // The hedge must be the aside's own: before any "and"/"but"/"or", which would bring
        // the main clause back ("She will stay on as chief executive and may take ...", "Prices
        // rose as expected and could ...").
        let joins = |k: usize| one_of(&["and", "but", "or", "then"], word(k)) || break_before(k);
        let hedge = (i + 2..(i + 6).min(toks.len()))
            .take_while(|&k| !joins(k))
            .find(|&k| hedge_at[k]);
        if !comparison
            && !naming
            && hedge.is_some()
            && !hedge_at.get(i + 1).copied().unwrap_or(false)
        {
            let end = (i + 1..toks.len())
                .find(|&k| joins(k))
                .unwrap_or(toks.len());
            mask[i..end].iter_mut().for_each(|m| *m = true);
        }
    }
    // A reduced relative clause after a noun ("Seven of the gunmen suspected of being involved
    // have since been arrested", "the militant believed to be Jihadi John has been named")
    // describes the noun up to the main clause's finite verb or modal ("The man believed to be
    // the gunman may have fled" hedges its main clause), or, set off as an aside, up to the
    // aside's closing comma or dash ("People named Jong Un -- said to be a common name --
    // apparently were told"). Only a passive participle with its "to" or "of" and no auxiliary
    // before it, and only when a finite verb follows: "He was believed to be" and "Police
    // believed the man had fled" are main clauses.
    let finite = |k: usize| one_of(FINITE_VERBS, word(k)) || one_of(MODALS, word(k));
    for i in 1..toks.len().saturating_sub(1) {
        if one_of(REDUCED_PARTICIPLES, word(i))
            && one_of(&["to", "of"], word(i + 1))
            // "is further believed", "is also thought": an adverb may stand between.
            && !(i.saturating_sub(2)..i).any(|k| one_of(AUXILIARIES, word(k)))
            && !one_of(&["not", "never"], word(i - 1))
            && let Some(verb) = (i + 2..toks.len()).find(|&k| finite(k))
        {
            let end = if break_before(i) {
                (i + 2..verb).find(|&k| break_before(k)).unwrap_or(verb)
            } else {
                verb
            };
            mask[i..end].iter_mut().for_each(|m| *m = true);
        }
    }
    // A participial adjunct after the main clause (", raising fears the pits might hold 43
    // students", ", expressing anger that some of their classmates may be among the dead") adds
    // a consequence or a manner; it does not hedge the main clause's proposition. Subordinate
    // to the next comma (an aside: "The man, fearing arrest, may have fled" keeps its "may")
    // or the end, after a main clause: three words or more since the comma before (or the
    // start) with a verb among them, so that a fronted phrase ("Late on Monday, Beijing may
    // announce", "In the long run, rising prices could") or an aside ("The company is, by all
    // accounts, seeking a buyer and may announce") is no main clause. Not "according" (", according
    // to police, the man may have fled"), nor a noun or preposition that ends in "ing".
    let verbish = |k: usize| {
        let w = word(k);
        let l = w.to_ascii_lowercase();
        one_of(FINITE_VERBS, w)
            || one_of(MODALS, w)
            || one_of(AUXILIARIES, w)
            || one_of(REPORTING, w)
            || one_of(VERBISH, w)
            || (l.len() > 4 && l.ends_with("ed"))
    };
    for i in 3..toks.len() {
        let w = word(i);
        let lower = w.to_ascii_lowercase();
        if comma_before(i)
            && lower.len() >= 6
            && lower.ends_with("ing")
            && !mask[i]
            && !one_of(
                &[
                    "according",
                    "nothing",
                    "something",
                    "anything",
                    "everything",
                    "morning",
                    "evening",
                    "during",
                    "pending",
                    "notwithstanding",
                ],
                w,
            )
            && {
                let chunk_start = (1..i).rev().find(|&k| comma_before(k)).unwrap_or(0);
                let chunk: Vec<usize> = (chunk_start..i).filter(|&k| !mask[k]).collect();
                chunk.len() >= 3 && chunk.iter().any(|&k| verbish(k))
            }
        {
            let end = (i + 1..toks.len())
                .find(|&k| comma_before(k))
                .unwrap_or(toks.len());
            mask[i..end].iter_mut().for_each(|m| *m = true);
        }
    }
    // A relative clause without "that", its subject a pronoun ("Here are the names you may not
    // want to use", "the mistakes we could all be making"), describes the noun before it: a
    // modal right after the pronoun is the clause's own, not the main clause's. Only after a
    // determiner and its noun, and not after a verb of telling ("told the reporters they might
    // leave" says what was told); the clause runs to a finite verb of the main clause, a comma
    // or the end. Only "you", "we", "they" and "I": "he" and "she" start too many content
    // clauses after a noun ("showed the jury she might have lied").
    for i in 3..toks.len() {
        if one_of(MODALS, word(i))
            && one_of(&["you", "we", "they", "i"], word(i - 1))
            && one_of(NOUN_DETERMINERS, word(i - 3))
            && !one_of(NOUN_DETERMINERS, word(i - 2))
            // Nor after a preposition, where the noun ends a fronted phrase and the pronoun
            // starts the main clause ("In the end you may lose", "At this point we may never
            // know").
            && !(i >= 4
                && (one_of(TELLING_VERBS, word(i - 4))
                    || one_of(PREPOSITIONS, word(i - 4))))
            && (i - 3..i).all(|k| !comma_before(k + 1))
        {
            // The noun is an object or a predicate, after a verb ("Here are the names you
            // may"), or the sentence's subject with the main verb after the clause ("The
            // changes we might see could be dramatic"); otherwise the noun ends a fronted phrase
            // and the pronoun opens the main clause ("This year we may see a recession",
            // "Under the new rules they could lose").
            let main_verb = (i + 1..toks.len()).find(|&k| {
                !comma_before(k) && (one_of(FINITE_VERBS, word(k)) || one_of(MODALS, word(k)))
            });
            let object = (0..i - 3).any(&verbish);
            if object || (i == 3 && main_verb.is_some()) {
                let end = (i + 1..toks.len())
                    .find(|&k| {
                        comma_before(k)
                            || one_of(FINITE_VERBS, word(k))
                            || (!object && Some(k) == main_verb)
                    })
                    .unwrap_or(toks.len());
                mask[i - 1..end].iter_mut().for_each(|m| *m = true);
            }
        }
    }
    // A second main clause (", but", ", and", ", yet", ";") is a second proposition, and the
    // guide's first proposition is the sentence's: "Charges were clearly established six years
    // ago, but Verma apparently remained in employment" asserts the charges plainly. Only when
    // the first clause has three words of its own, the stretch since the last comma three too
    // (not a list, "Ohio, Texas, and Florida may", nor an aside, "the man, 34, and a woman
    // may"), the joiner is not followed by "to" ("yet to be scheduled"), and four words follow
    // it. A coordinated verb counts as a second proposition too, as the labelled stories read
    // it ("realises she is being filmed, but appears to do nothing"); a coordinated reporting
    // verb ("said on Monday, and repeated on Tuesday, that the jet may have crashed") is the
    // rule's known miss.
    let since_comma = |i: usize| (1..=i).rev().take_while(|&k| !comma_before(k)).count() + 1;
    let joiner = |i: usize| {
        let g = gap(i);
        if g.contains(';') {
            return true;
        }
        g.contains(',')
            && one_of(&["but", "and", "yet"], word(i))
            && since_comma(i - 1) >= 3
            && toks
                .get(i + 1)
                .is_some_and(|_| !word(i + 1).eq_ignore_ascii_case("to"))
    };
    if let Some(j) = (1..toks.len())
        .find(|&i| joiner(i) && !mask[i] && (0..i).filter(|&k| !mask[k]).count() >= 3)
        && toks.len() - j >= 4
    {
        mask[j..].iter_mut().for_each(|m| *m = true);
    }
    let mut i = 1;
    while i < toks.len() {
        // A modal after a comma is the main clause's own verb coming back after an aside
        // ("The mass murder near Iguala, in the state of Guerrero, may be one of the worst"):
        // it cannot open a clause that describes a noun.
        let modal = one_of(MODALS, word(i));
        if comma_before(i) && hedge_at.get(i).copied().unwrap_or(false) && !modal {
            // The aside ends at the next comma, if the sentence goes on after it.
            if let Some(end) = (i + 1..toks.len()).find(|&k| comma_before(k))
                && end - i >= 3
            {
                mask[i..end].iter_mut().for_each(|m| *m = true);
                i = end;
                continue;
            }
        }
        i += 1;
    }
    mask
}

pub fn count_negations(sentence: &str) -> usize {
    let lower = sentence.to_lowercase();
    let mut n = lower.matches("n't").count();
    for (a, b) in words(&lower) {
        if NEGATIONS.contains(&&lower[a..b]) {
            n += 1;
        }
    }
    n
}

/// The level the main clause's cues assert, by rule: an explicit confidence phrase decides;
/// otherwise the weakest hedge; otherwise a booster makes it high; no cue at all is `None`
/// here (the caller treats an unhedged statement as a plain, high assertion).
///
/// A hearsay frame ("it is reported that", "according to reports") is the outer layer of a
/// layered frame: when the proposition inside carries a hedge of its own ("it has been reported
/// that the dictator is believed to be interested"), that hedge decides, as the guide says.
pub fn lexical_level(cues: &[Cue]) -> Option<Level> {
    let main: Vec<&Cue> = cues.iter().filter(|c| c.main_clause).collect();
    if let Some(c) = main.iter().find(|c| c.kind == ConfidencePhrase) {
        return Some(c.level);
    }
    let weakest = |frames: bool| {
        main.iter()
            .filter(|c| is_hedge(c.level, c.kind) && (c.kind == Hearsay) == frames)
            .map(|c| c.level)
            .max()
    };
    if let Some(l) = weakest(false).or_else(|| weakest(true)) {
        return Some(l);
    }
    main.iter().map(|c| c.level).min()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word-by-word scan `find` replaced (every phrase tried at every word), kept as the
    /// reference the automaton must agree with.
    fn find_reference(sentence: &str) -> Vec<Cue> {
        // Spans index `sentence`, so the fold must keep every byte offset: full Unicode
        // lower-casing does not ("İ" grows, "ẞ" shrinks, even when the totals happen to agree).
        // The lexicon is ASCII, so an ASCII fold loses nothing.
        let folded = sentence.to_ascii_lowercase();
        let toks = words(&folded);
        let mut cues: Vec<Cue> = Vec::new();
        let mut ti = 0;
        while ti < toks.len() {
            let mut matched = None;
            for &(phrase, level, kind) in LEXICON {
                let n = phrase.split(' ').count();
                if ti + n > toks.len() {
                    continue;
                }
                let ok = phrase
                    .split(' ')
                    .zip(&toks[ti..ti + n])
                    .all(|(w, &(a, b))| &folded[a..b] == w);
                if ok && matched.is_none_or(|(m, _, _): (usize, Level, CueKind)| n > m) {
                    matched = Some((n, level, kind));
                }
            }
            if let Some((n, level, kind)) = matched {
                let (start, end) = (toks[ti].0, toks[ti + n - 1].1);
                cues.push(Cue {
                    text: sentence[start..end].to_string(),
                    start,
                    end,
                    level,
                    kind,
                    main_clause: true,
                });
                ti += n;
            } else {
                ti += 1;
            }
        }
        let first_tok = |start: usize| toks.iter().position(|&(a, _)| a == start);
        let mut hedge_at = vec![false; toks.len()];
        for c in &cues {
            if let Some(i) = first_tok(c.start) {
                hedge_at[i] = is_hedge(c.level, c.kind);
            }
        }
        let subord = subordinate_mask(&folded, &toks, &hedge_at);
        for c in &mut cues {
            if let Some(i) = first_tok(c.start) {
                c.main_clause = !subord[i];
            }
        }
        cues
    }

    fn levels(s: &str) -> Vec<(String, Level, bool)> {
        find(s)
            .into_iter()
            .map(|c| (c.text, c.level, c.main_clause))
            .collect()
    }

    #[test]
    fn longest_phrase_wins_and_spans_point_at_the_text() {
        let s = "Putin is very likely to have authorised it, and “almost certainly” knew.";
        let cues = find(s);
        assert_eq!(cues.len(), 2, "{cues:?}");
        assert_eq!(cues[0].text, "very likely");
        assert_eq!(cues[1].text, "almost certainly");
        for c in &cues {
            assert_eq!(&s[c.start..c.end], c.text);
        }
        assert_eq!(lexical_level(&cues), Some(Moderate));
    }

    #[test]
    fn hedges_in_subordinate_clauses_do_not_govern() {
        let s = "Russia sought to denigrate the party, which is very likely to undermine support.";
        assert_eq!(levels(s), vec![("very likely".into(), Moderate, false)]);
        assert_eq!(lexical_level(&find(s)), None);
        // A fronted clause ends at its comma; the main clause after it counts.
        let s = "If the report is right, Moscow may retaliate.";
        assert_eq!(levels(s), vec![("may".into(), Low, true)]);
    }

    /// The guide's main-clause rule on sentences written for it: a hedge inside a wish, an
    /// aside describing a noun, or an adjective naming a thing does not lower a plain main
    /// clause; a lone hedging adverb between commas, a belief report and a hearsay frame do.
    #[test]
    fn the_main_clause_decides() {
        let main = |s: &str| lexical_level(&find(s));
        // Wishes and attempts: the sentence asserts the hoping.
        assert_eq!(
            main("He hoped he could film the man wasting the money."),
            None
        );
        assert_eq!(main("She refused to believe the report."), None);
        // An aside of three words or more that opens with a hedge describes a noun...
        assert_eq!(
            main("The rock, possibly from an asteroid that passed Earth, landed near the airport."),
            None
        );
        assert_eq!(
            main("A meteor, thought possibly to be a chunk of an asteroid, caused the crater."),
            None
        );
        // ...a lone adverb between commas hedges the main clause.
        assert_eq!(
            main("Banksy, reportedly, was arrested in London."),
            Some(Low)
        );
        // Adjectives that name a thing are not hedges; the verb frames are.
        assert_eq!(main("The alleged gunman was named on Thursday."), None);
        assert_eq!(
            main("Missiles destroyed a suspected militant compound."),
            None
        );
        assert_eq!(main("He is suspected of leaking the memo."), Some(Low));
        // "Unconfirmed" distances (stance), it does not hedge (confidence).
        assert_eq!(
            main("Unconfirmed reports say the actor died at home."),
            None
        );
        // "There are reports that" is a hearsay frame as "it is reported that" is.
        assert_eq!(
            main("There are reports that the car was stolen from the film set."),
            Some(Low)
        );
        // Second-hand knowledge is hearsay, with either apostrophe; hearing a sound is not.
        assert_eq!(main("I’ve heard that he's suspended."), Some(Low));
        assert_eq!(main("I've heard that he's suspended."), Some(Low));
        assert_eq!(main("Then all of a sudden I heard a large blast."), None);
        // "could not" states an inability; "could not have" is still a possibility.
        assert_eq!(main("The spokesman could not confirm the deaths."), None);
        assert_eq!(
            main("The rock could not have come from that asteroid."),
            Some(Low)
        );
        // "May" the month is no modal.
        assert_eq!(
            main("She told People in May of 2014 that they live apart."),
            None
        );
        assert_eq!(main("The rally was held on May 5."), None);
        // The content of a warning or a rumour is not what the sentence asserts.
        assert_eq!(
            main("Agencies issued a warning that the jets could be used in attacks."),
            None
        );
        assert_eq!(
            main("Fans spread the news that the actor was allegedly dead."),
            None
        );
        assert_eq!(
            main("A story in the Mirror suggesting that he tore up a contract is false."),
            None
        );
        // What a participle or a wh-clause after a preposition reports is not asserted...
        assert_eq!(
            main("A fake advert claiming phones could charge in a microwave went viral."),
            None
        );
        assert_eq!(
            main("Twitter is abuzz about how the channel allegedly blurred her face."),
            None
        );
        assert_eq!(
            main("A photo has emerged of what appears to be graffiti on the car."),
            None
        );
        // ...but after an auxiliary the participle is the main verb, and attribution is
        // looked through.
        assert_eq!(
            main("Officials are saying the vote may be delayed."),
            Some(Low)
        );
        // A reduced relative clause describes its noun; with an auxiliary, or with no finite
        // verb after it, the participle is the main clause's.
        assert_eq!(
            main("Seven of the gunmen suspected of being involved have since been arrested."),
            None
        );
        assert_eq!(
            main("The militant believed to be Jihadi John has been named by the paper."),
            None
        );
        assert_eq!(main("He was believed to be the gunman."), Some(Moderate));
        assert_eq!(
            main("He is also thought to have used another name."),
            Some(Moderate)
        );
        assert_eq!(
            main("Militant believed to be Jihadi John named by paper"),
            Some(Moderate)
        );
        // Doubt stated outright is a weak hedge.
        assert_eq!(main("We're not so sure the footage is real."), Some(Low));
        // A modal after a comma is the main verb back after an aside, not an aside itself.
        assert_eq!(
            main("The grave near the town, in the state of Guerrero, may hold the students."),
            Some(Low)
        );
        // Belief reports are moderate; "think" as "consider" is no cue.
        assert_eq!(main("We thought it was a bomb."), Some(Moderate));
        assert_eq!(
            main("The victims are feared to be the missing students."),
            Some(Moderate)
        );
        assert_eq!(main("He asked for 48 hours to think about it."), None);
        // A fronted clause after a leading conjunction ends at its comma.
        assert_eq!(
            main("And after reviewing the video, we are pretty sure she is right."),
            Some(Moderate)
        );
        // Hearsay frames are low; inside one, the proposition's own hedge decides.
        assert_eq!(
            main("It is reported that the minister signed the deal."),
            Some(Low)
        );
        assert_eq!(
            main("It has been reported that the minister is believed to have signed the deal."),
            Some(Moderate)
        );
        assert_eq!(
            main("The minister is said to have signed the deal."),
            Some(Low)
        );
        assert_eq!(
            main("Court records indicate he was seen by a psychiatrist."),
            Some(Low)
        );
        // A relative clause between commas ends at its comma: the verb after it is the main
        // clause's, hedged or not...
        assert_eq!(
            main("The photo, which spread on several forums last week, appears to be doctored."),
            Some(Low)
        );
        assert_eq!(
            main("The mayor, who may run again next year, opened the bridge on Monday."),
            None
        );
        // ...unless a conjunction carries the relative clause on.
        assert_eq!(
            main("A man who looks like the actor, and also appears to be his age, saved the dog."),
            None
        );
        // A trailing non-finite adjunct led by a hedging adverb qualifies a purpose or a
        // manner, not the main clause; the adverb before a finite verb still hedges.
        assert_eq!(
            main("The palace called a news conference, possibly to announce the king's death."),
            None
        );
        assert_eq!(
            main("The firm defended its policy, seemingly admitting that it reads the mail."),
            None
        );
        assert_eq!(
            main(
                "Reporters were summoned to the palace — presumably to hear the news — on Friday."
            ),
            None
        );
        assert_eq!(
            main("The palace called a news conference, possibly announcing the king's death."),
            None
        );
        assert_eq!(main("The king, possibly, has died."), Some(Low));
        assert_eq!(main("The king has possibly died."), Some(Low));
        // So is a causal adjunct led by one.
        assert_eq!(
            main("The senator is believed to have resigned, reportedly due to ill health."),
            Some(Moderate)
        );
        // The first of two main clauses is the sentence's proposition; a hedge in the second
        // does not lower it, one in the first still does.
        assert_eq!(
            main("The fraud was proven in 2009, but the clerk apparently kept his job for years."),
            Some(High)
        );
        assert_eq!(
            main("The bridge was closed on Monday; engineers may reopen it next week."),
            None
        );
        assert_eq!(
            main("The bridge may have been closed on Monday, and engineers reopened it later."),
            Some(Low)
        );
        // A trailing hearsay frame covers the whole sentence, subordinate clauses and all.
        assert_eq!(
            main("A farmer lost his barn after lightning struck it, it has been reported."),
            Some(Low)
        );
        // Unattributed reports and rumour frame the content as hearsay, as "reportedly" does.
        assert_eq!(main("Reports say the singer was arrested."), Some(Low));
        assert_eq!(
            main("Two years ago, rumor had it that the firm would open a shop."),
            Some(Low)
        );
        assert_eq!(main("He is alleged to have taken the money."), Some(Low));
        assert_eq!(main("I heard that the mayor resigned."), Some(Low));
        assert_eq!(
            main("She hinted that the phone will launch in spring."),
            Some(Low)
        );
        // What a reporting participle adds is not the main clause's.
        assert_eq!(
            main("The pair showed the burger on TV, teasing that they might eat it."),
            None
        );
        // Unclear *when* something happened presupposes that it did; unclear *whether* doubts
        // it.
        // Not a second clause: a list, an aside, a coordinated verb, "yet to"; a broken phrase
        // or an adjective elsewhere is no frame.
        assert_eq!(
            main("Officials in Ohio, Texas, and Florida may delay the vote."),
            Some(Low)
        );
        assert_eq!(
            main("Police said the man, 34, and a woman may have been involved."),
            Some(Low)
        );
        assert_eq!(
            main("The final vote, yet to be scheduled, may be delayed."),
            Some(Low)
        );
        assert_eq!(main("He rejected the reports, said a spokesman."), None);
        assert_eq!(main("The video is fake, reports say."), Some(Low));
        assert_eq!(main("It is unclear when the attacks took place."), None);
        assert_eq!(
            main("It is unclear whether the attacks took place."),
            Some(Low)
        );
        // A participial adjunct after the main clause does not hedge it.
        assert_eq!(
            main(
                "Security forces found a mass grave on the edge of town, raising fears the pits might hold the students."
            ),
            Some(High)
        );
        // Subordinate: the hedge is no main clause's.
        for s in [
            "Hundreds of students protested on Saturday, expressing anger that their classmates may be among the dead.",
            // A number stands before the noun a relative "that" describes.
            "Authorities have discovered six hidden graves that may contain the bodies.",
            "They plan to say the deal might collapse.",
            // A relative clause without "that" describes its noun.
            "Here are the names you may not want to use.",
            "The mistakes we might be making are costly.",
            // A pronoun's "'s" is no possessive: the wish is "hoping".
            "He's hoping the talks could resume next week.",
        ] {
            assert_eq!(main(s), None, "{s}");
        }
        // The main clause's own hedge.
        for s in [
            // An aside between commas, or "according to".
            "The former minister, fearing arrest, may have fled the country.",
            "The chief suspect, according to police, may have fled.",
            // A fronted phrase or an aside is no main clause before an adjunct; a fronted
            // phrase without a comma is no relative clause; a subject's relative clause ends
            // at the main clause's modal.
            "Late on Monday, Beijing may announce new tariffs.",
            "In the long run, rising prices could hurt growth.",
            "According to the report, funding may be cut next year.",
            "The company is, by all accounts, seeking a buyer and may announce a sale.",
            "This year we may see a recession.",
            "Under the new rules they could lose their benefits.",
            "Without the money we might have to close.",
            "The changes we might see could be dramatic.",
            "The plan might work, leaving critics puzzled.",
            "In the end you may lose everything.",
            "He told the reporters they might leave early.",
            // A wish's noun is no wish; a possessive before it, either apostrophe.
            "The plan might work.",
            "Hopes of a deal could fade this week.",
            "The government's plans may change.",
            "The government\u{2019}s plans may change.",
            "The plan to build the wall could cost billions.",
            // "Many" is a subject, and a number after a preposition no determiner.
            "Many fear that could happen again.",
            "Within 24 hours that may change.",
        ] {
            assert_eq!(main(s), Some(Low), "{s}");
        }
    }

    #[test]
    fn hedges_in_other_words() {
        let main = |s: &str| lexical_level(&find(s));
        // Beliefs and qualified certainty are moderate; a plan stated as expected too.
        assert_eq!(
            main("People think the mayor took the money."),
            Some(Moderate)
        );
        assert_eq!(main("It was a hoax, I suppose."), Some(Moderate));
        assert_eq!(
            main("I am fairly certain that the car is the one from the film."),
            Some(Moderate)
        );
        assert_eq!(
            main("The chain is anticipating to open ten shops by spring."),
            Some(Moderate)
        );
        // Evidentials and weakly held possibilities are low; "I heard he ..." is hearsay.
        assert_eq!(main("The crowd seemed calm after the blast."), Some(Low));
        assert_eq!(
            main("From all appearances, the mayor has left town."),
            Some(Low)
        );
        assert_eq!(
            main("It would not surprise me if the band toured again."),
            Some(Low)
        );
        assert_eq!(main("I heard she's leaving the club."), Some(Low));
        assert_eq!(main("I heard the blast from my porch."), None);
        // Comparisons with a belief, what someone would have you believe, and a cause of an
        // impression are not hedges on the sentence.
        assert_eq!(main("The fire spread farther than we thought."), None);
        assert_eq!(main("The crowd was larger than originally believed."), None);
        assert_eq!(
            main("That is what the posters would have you believe."),
            None
        );
        assert_eq!(
            main("A doctored clip made it seem as if the mayor fell."),
            None
        );
        // The same, phrased otherwise (an independent review's sentences).
        for plain in [
            "The case is more complicated than it seems.",
            "The fire was worse than it first seemed.",
            "Things are not always what they seem.",
            "The case is not as simple as it seems.",
            "The damage was worse than had been thought.",
            "Hoaxes spread faster than most people think.",
            "The problem is bigger than we think.",
            "The lighting made the crowd seem larger than it was.",
            "The edit made it seem to viewers that he fell.",
            "Few people think about where their phones are made.",
            "It doesn't matter what people think, the mayor said.",
            "Fans are anticipating the album's release on Friday.",
            "The verdict would not surprise anyone who followed the trial.",
            "The posters would have us believe the landing was faked.",
            "I heard him shout from the porch.",
        ] {
            assert_eq!(main(plain), None, "{plain}");
        }
        for weak in [
            "I heard they're moving the factory to Ohio.",
            "I heard he'd been fired.",
            "I heard it's closing in May.",
            "I wouldn't be surprised if he resigned.",
            "By all appearances, the mayor has left town.",
            "The video does not seem real.",
        ] {
            assert_eq!(main(weak), Some(Low), "{weak}");
        }
    }

    #[test]
    fn explicit_confidence_decides() {
        let s = "The intelligence community believes with high confidence that China approved it.";
        assert_eq!(lexical_level(&find(s)), Some(High));
        let s = "Officials said the attack was likely the work of a state actor.";
        assert_eq!(lexical_level(&find(s)), Some(Moderate));
    }

    #[test]
    fn words_keep_multibyte_text_whole() {
        let s = "Zürich’s “report” may say, matriderm® didn't";
        let w: Vec<&str> = words(s).into_iter().map(|(a, b)| &s[a..b]).collect();
        assert_eq!(
            w,
            ["Zürich", "s", "report", "may", "say", "matriderm", "didn't"]
        );
        assert_eq!(count_negations("It did not happen and they denied it"), 2);
    }

    /// "ẞ" shrinks and "İ" grows under Unicode lower-casing: the totals agree, the offsets
    /// between them do not.
    #[test]
    fn spans_survive_letters_that_change_length_when_lowered() {
        let s = "ẞ café officials “likely” knew, İstanbul may follow.";
        let got: Vec<(String, &str)> = find(s)
            .iter()
            .map(|c| (c.text.clone(), &s[c.start..c.end]))
            .collect();
        assert_eq!(got.len(), 2, "{got:?}");
        for (text, span) in &got {
            assert_eq!(text, span);
        }
        assert_eq!(got[0].0, "likely");
        assert_eq!(got[1].0, "may");
    }

    /// Sentences that probe where an automaton over the text could part from the word scan:
    /// separators other than one space, case, apostrophes, a phrase cut inside a word with a
    /// shorter one inside it, neighbouring cues, prefixes shared by phrases, clause openers in
    /// capitals, and letters whose lower case has another byte length.
    const TRICKY: &[&str] = &[
        "",
        "...",
        "Likely.",
        "Putin is very  likely to have authorised it.",
        "Putin is very, likely; very—likely, very\nlikely and very\tlikely.",
        "VERY LIKELY, Very Likely, vErY lIkElY.",
        "It is more likely than nothing that it will happen.",
        "It is more likely than not that it will happen.",
        "more likely than not",
        "The mayor may maybe act, may-be not.",
        "It's possible, it’s possible, it is possible that it is possible.",
        "Is possible that, possible that, possible.",
        "Almost certainly, almost certain, almost certainlyx, almost-certainly.",
        "He is expected tomorrow; he is expected to win; expected to; were expected to.",
        "They could've acted and couldn't stop it, though they could.",
        "In fact, indeed, in facts, infact.",
        "No doubt, without doubt, no doubts, no-doubt.",
        "Officials assess that, assessed it and assesses Iran; they believe, believes, believed.",
        "The report, which may be wrong, says Moscow likely knew.",
        "Which may be wrong. If the report is right, Moscow may retaliate.",
        "WHICH IS LIKELY; If it is likely, it may; Although probable, it is unlikely.",
        "ẞ café officials “likely” knew, İstanbul may follow, LİKELY, ǅmay.",
        "With high confidence, WITH HIGH CONFIDENCE, high confidence, with low confidence and medium confidence.",
        "Roughly even chance, an even chance, a remote chance, almost no chance.",
        "It tends to, they tend to, it seems to, seemingly, it appeared to and appears to.",
        "Very unlikely, highly improbable, highly likely, highly probable, most likely, in all likelihood.",
        "2020 may likely 3may may3 may_be may's",
        "reportedly allegedly alleged purportedly supposedly rumoured rumored unconfirmed",
        "confirmed confirms proved proven proves demonstrated demonstrates established found determined",
        "may may may might could possibly perhaps potentially",
    ];

    /// Sentences of real news pages an independent review found misread (2026-12-05): hedges
    /// in relative "that" clauses, "as" asides and free relatives after a preposition, and
    /// lexicon words in another sense. Each beside the sentences the rule must keep right.
    #[test]
    fn relative_clauses_asides_and_other_senses_from_real_news() {
        let main = |s: &str| lexical_level(&find(s));
        for plain in [
            "The militant group has released a video that purportedly shows the beheading of David Haines.",
            "Twitter deleted the tweets that may have been sent by Russian accounts.",
            "But Uber, as its name suggests, is hierarchical in structure.",
            "The sign is re-created typographically, as one might attempt on Twitter.",
            "There is only a transaction, executed at what the corporation believes to be market value.",
            "You don't go in without a clear, well thought out plan.",
            "\"I thought a lot before writing this post,\" the developer wrote.",
            "The report assessed poverty levels and unemployment among 10 countries.",
            "\"The moment in time indicated by the participants was entirely subjective,\" he says.",
            "All the signs are that the video is genuine, we have no reason to believe that it's not.",
            "As Eloise deteriorated, the staff in A&E did all they could to stabilise her.",
            // From a review of `match` on FNC-1 train stories (2026-12-06): advice, a
            // description, a belief reported as revised, a cause of an impression, an aside.
            "In general, the site suggests people should avoid food as a name.",
            "In general, it's good to avoid food as a name, it suggests.",
            "Sweets-inspired names are typically thought of as stripper names.",
            "Doctors initially thought it was an insect bite.",
            "Names like these make them sound like pets, the site says.",
            "Perhaps more important, Paler Lin created a crowdfunding campaign.",
        ] {
            assert_eq!(main(plain), None, "{plain}");
        }
        // "found dead" is a discovery, not the booster "found" (a finding of fact).
        for found in [
            "Sources are reporting that Macaulay Culkin was found dead on Friday.",
            "The bodies were found in a mass grave near Iguala.",
        ] {
            assert!(!find(found).iter().any(|c| c.text == "found"), "{found}");
        }
        assert_eq!(
            main("The inquiry found that the officers lied."),
            Some(High)
        );
        assert_eq!(main("The study suggests the drug works."), Some(Low));
        // A review of the change: evidence that suggests is a hedge, whatever follows.
        for hedged in [
            "The findings suggest that the drug should work in humans.",
            "The latest poll suggests the Labour candidate should win.",
            "Early results suggest that patients who avoid sugar live longer.",
        ] {
            assert_eq!(main(hedged), Some(Low), "{hedged}");
        }
        // "has not been independently confirmed": no booster shown under the negation.
        assert!(find("The video has not been independently confirmed by NPR.").is_empty());
        assert!(find("The claim wasn’t definitely proven, officials said.").is_empty());
        assert!(find("The claim isn't definitely proven, officials said.").is_empty());
        for (s, want) in [
            ("As the report suggests, Russia may have acted.", Low),
            ("The plane may have crashed, as officials feared.", Low),
            ("As many as 20 people may have died in the blast.", Low),
            ("Countries such as Russia may have interfered.", Low),
            ("He is as likely to win as anyone.", Moderate),
            ("Officials said that could take months.", Low),
            ("The report suggests that may be wrong.", Low),
            ("There are growing fears that the jets could be used.", Low),
            (
                "It is possible that the tweets may have been sent by Russia.",
                Low,
            ),
            (
                "U.S. intelligence assesses Putin ordered the campaign.",
                Moderate,
            ),
            ("Court records indicate he was seen by a psychiatrist.", Low),
            ("Police believe the gunman fled.", Moderate),
            ("We thought it was a bomb.", Moderate),
            ("He is also thought to have used another name.", Moderate),
            (
                "Whatever the outcome, the events could signal a change.",
                Low,
            ),
            // And what the rules must not take (a review of the rules above).
            ("Still, that could change.", Low),
            ("Officials argue that could take months.", Low),
            ("Officials said Tuesday that could take months.", Low),
            (
                "The FBI assesses the group is planning more attacks.",
                Moderate,
            ),
            (
                "Police have reason to believe the suspect is still in the area.",
                Moderate,
            ),
            (
                "She will stay on as chief executive and may take on the chairmanship.",
                Low,
            ),
            (
                "Prices rose as expected and could climb further next month.",
                Low,
            ),
            ("For what it's worth, the company may fold next year.", Low),
            (
                "Officials said whatever happens, talks could resume next week.",
                Low,
            ),
        ] {
            assert_eq!(main(s), Some(want), "{s}");
        }
        assert_eq!(main("Officials confirmed the arrest."), Some(High));
    }

    fn corpus_sentences() -> Vec<String> {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/election-interference"
        );
        let opts = crate::ingest::IngestOptions::for_paths(&[dir]);
        let docs: Vec<String> = crate::ingest::Corpus::open(&opts, &crate::observe::Silent)
            .expect("example corpus")
            .flat_map(|d| {
                crate::segment::segment(&d.expect("document"), Default::default())
                    .sentences
                    .into_iter()
                    .map(|s| s.text)
            })
            .collect();
        // Five articles, 88 sentences when this was written.
        assert!(docs.len() >= 80, "{} sentences", docs.len());
        docs
    }

    #[test]
    fn automaton_finds_the_cues_the_word_scan_found() {
        let corpus = corpus_sentences();
        let (mut with_cues, mut cues) = (0, 0);
        for s in corpus
            .iter()
            .map(String::as_str)
            .chain(TRICKY.iter().copied())
        {
            let (got, want) = (find(s), find_reference(s));
            assert_eq!(got, want, "{s:?}");
            with_cues += usize::from(!got.is_empty());
            cues += got.len();
        }
        eprintln!(
            "{} sentences, {with_cues} with cues, {cues} cues: same as the word scan",
            corpus.len() + TRICKY.len()
        );
        // The comparison is worth something only if cues were found.
        assert!(with_cues >= 40, "{with_cues}");
    }

    #[test]
    fn tricky_sentences_give_the_recorded_cues() {
        let texts = |s: &str| -> Vec<String> { find(s).into_iter().map(|c| c.text).collect() };
        // A long phrase cut inside a word leaves the shorter one inside it.
        assert_eq!(
            texts("It is more likely than nothing that it will happen."),
            ["likely"]
        );
        assert_eq!(
            texts("It is more likely than not that it will happen."),
            ["more likely than not"]
        );
        // Any run of non-word characters separates words.
        assert_eq!(
            texts("Putin is very, likely; very—likely, very\nlikely and very\tlikely."),
            [
                "very, likely",
                "very—likely",
                "very\nlikely",
                "very\tlikely"
            ]
        );
        assert_eq!(
            texts("The mayor may maybe act, may-be not."),
            ["may", "maybe", "may"]
        );
        assert_eq!(
            texts("It's possible, it’s possible, it is possible that it is possible."),
            ["It's possible", "it is possible", "it is possible"]
        );
        assert_eq!(
            levels("WHICH IS LIKELY; If it is likely, it may; Although probable, it is unlikely."),
            vec![
                ("LIKELY".into(), Moderate, false),
                ("likely".into(), Moderate, false),
                ("may".into(), Low, true),
                ("probable".into(), Moderate, false),
                ("unlikely".into(), Moderate, false),
            ]
        );
        assert_eq!(
            texts("ẞ café officials “likely” knew, İstanbul may follow, LİKELY, ǅmay."),
            ["likely", "may"]
        );
    }

    /// Faults an independent review found in the clause rules (2026-12-06): "as" that names
    /// ("known as") is no aside, a bare noun can open the content of "assessed", "told the
    /// newspaper that" opens what was told, and "cannot" negates a booster as "not" does.
    #[test]
    fn naming_as_telling_that_and_assessed_content_keep_the_main_clause() {
        assert_eq!(
            levels("A hacker group known as Fancy Bear may have stolen the emails."),
            vec![("may".into(), Low, true)]
        );
        assert_eq!(
            levels("The man identified as the gunman may have fled to Belgium."),
            vec![("may".into(), Low, true)]
        );
        // The aside the rule is for stays one.
        assert_eq!(
            levels("Uber, as its name suggests, is hierarchical."),
            vec![("suggests".into(), Low, false)]
        );
        assert_eq!(
            levels("The CIA assessed hackers linked to Moscow stole the emails."),
            vec![("assessed".into(), Moderate, true)]
        );
        assert_eq!(
            levels("Officials assess militants are regrouping near the border."),
            vec![("assess".into(), Moderate, true)]
        );
        // An object after it is the other sense.
        assert!(levels("Inspectors assessed damage caused by the storm.").is_empty());
        assert_eq!(
            levels("The spokesman told the newspaper that may change next year."),
            vec![("may".into(), Low, true)]
        );
        assert!(levels("The video cannot be independently confirmed.").is_empty());
        // What the narrowed rules leave alone (a second review): relative clauses after other
        // verbs, "assessed" with its object and a clause on that object, and a conjunction
        // "as" or one after a comma.
        let subordinate = |s: &str, cue: &str| {
            let l = levels(s);
            assert!(l.iter().any(|(t, _, main)| t == cue && !main), "{s}: {l:?}");
        };
        subordinate(
            "Records showed a payment that may have breached the rules.",
            "may",
        );
        subordinate(
            "The mayor promised a park that could open next year.",
            "could",
        );
        subordinate(
            "The union said its members would keep working as talks might resume next week.",
            "might",
        );
        subordinate(
            "Police confirmed, as reporters might have guessed, that the victim was the mayor.",
            "might",
        );
        for s in [
            "Inspectors assessed damage to homes that flooded last week.",
            "Doctors assessed patients who were injured in the crash.",
            "The council assessed flood defences and decided to rebuild them.",
        ] {
            assert!(levels(s).is_empty(), "{s}: {:?}", levels(s));
        }
    }

    /// Main clauses that a subordinate-clause rule hid, found reading the errors on the six dev
    /// stories added on 2026-12-08 (sentences written for the test): a reduced relative clause
    /// ends at the main clause's modal, or at the dash or comma that closes it as an aside, and
    /// "the same X as Y" compares instead of opening an "as" aside.
    #[test]
    fn reduced_relatives_and_comparisons_end_before_the_main_clause() {
        let main = |s: &str| lexical_level(&find(s));
        // The modal after a reduced relative clause is the main clause's.
        assert_eq!(
            main("The man believed to be the gunman may have fled the country."),
            Some(Low)
        );
        assert_eq!(
            levels("The man believed to be the gunman may have fled the country."),
            vec![
                ("believed".into(), Moderate, false),
                ("may".into(), Low, true)
            ]
        );
        // As before: the relative clause with a finite verb after it describes its noun.
        assert_eq!(
            main("The militant believed to be Jihadi John has been named by the paper."),
            None
        );
        // An aside closes at its dash, typed as two hyphens or as one, or at its comma.
        assert_eq!(
            main(
                "People named Jong Un -- said to be a common name -- apparently were told to change."
            ),
            Some(Low)
        );
        assert_eq!(
            main("People named Jong Un, said to be a common name, apparently were told to change."),
            Some(Low)
        );
        assert_eq!(
            main("People named Jong Un, said to be a common name, were told to change."),
            None
        );
        // "The same X as Y" is a comparison; a real "as" aside keeps hiding its own hedge.
        assert_eq!(
            main("Those caught with the same name as the leader may have to change it."),
            Some(Low)
        );
        assert_eq!(
            main(
                "Those caught with the same moniker as the dictator would apparently have to change it."
            ),
            Some(Low)
        );
        assert_eq!(main("The law, as critics may fear, is strict."), None);
        assert_eq!(
            main("It is the same law, as critics may fear, and it is strict."),
            None
        );
    }

    /// Two entries with one phrase would leave the winner to the automaton's tie rule.
    #[test]
    fn cue_table_is_lower_case_ascii_without_duplicates() {
        let mut seen = std::collections::HashSet::new();
        for (phrase, _, _) in LEXICON {
            assert!(
                phrase.is_ascii() && *phrase == phrase.to_lowercase(),
                "{phrase}"
            );
            assert!(
                !phrase.contains("  ") && phrase.trim() == *phrase,
                "{phrase}"
            );
            assert!(seen.insert(*phrase), "{phrase} twice");
        }
    }
}
