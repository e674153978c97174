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

use crate::lexicon::{NEGATIONS, SUBORDINATORS};

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

use CueKind::{Booster, ConfidencePhrase, Estimative, Hedge};
use Level::{High, Low, Moderate};

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
    ("apparently", Moderate, Hedge),
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
    ("alleged", Low, Hedge),
    ("purportedly", Low, Hedge),
    ("supposedly", Low, Hedge),
    ("rumoured", Low, Hedge),
    ("rumored", Low, Hedge),
    ("unconfirmed", Low, Hedge),
    ("suggests", Low, Hedge),
    ("suggest", Low, Hedge),
    ("suggested", Low, Hedge),
    ("suggesting", Low, Hedge),
    ("appears to", Low, Hedge),
    ("appear to", Low, Hedge),
    ("appeared to", Low, Hedge),
    ("seems to", Low, Hedge),
    ("seem to", Low, Hedge),
    ("seemed to", Low, Hedge),
    ("seemingly", Low, Hedge),
    ("speculated", Low, Hedge),
    ("speculate", Low, Hedge),
    ("unclear", Low, Hedge),
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
    let subord = subordinate_mask(sentence, &toks);
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
    let mut cues = Vec::new();
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
        let Some(&(_, level, kind)) = LEXICON.get(m.pattern().as_usize()) else {
            continue;
        };
        let (start, end) = (toks[first].0, toks[last].1);
        cues.push(Cue {
            text: sentence[start..end].to_string(),
            start,
            end,
            level,
            kind,
            main_clause: !subord[first],
        });
    }
    cues
}

/// For each token: inside a subordinate clause? A subordinator opens one that runs to the end
/// of the sentence, or, when it opens the sentence, to the first comma.
fn subordinate_mask(s: &str, toks: &[(usize, usize)]) -> Vec<bool> {
    let mut mask = vec![false; toks.len()];
    let mut open = false;
    let mut fronted = false;
    for (i, &(a, b)) in toks.iter().enumerate() {
        let w = &s[a..b];
        if fronted && i > 0 && s[toks[i - 1].1..a].contains(',') {
            open = false;
            fronted = false;
        }
        // Case-blind like the cue scan: "Which" opens a clause as "which" does.
        if !open && SUBORDINATORS.iter().any(|x| x.eq_ignore_ascii_case(w)) {
            open = true;
            fronted = i == 0;
            // The subordinator itself belongs to the clause it opens.
        }
        mask[i] = open;
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
pub fn lexical_level(cues: &[Cue]) -> Option<Level> {
    let main: Vec<&Cue> = cues.iter().filter(|c| c.main_clause).collect();
    if let Some(c) = main.iter().find(|c| c.kind == ConfidencePhrase) {
        return Some(c.level);
    }
    let hedges = main
        .iter()
        .filter(|c| c.kind != Booster && c.level != High)
        .map(|c| c.level)
        .max();
    if hedges.is_some() {
        return hedges;
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
        let subord = subordinate_mask(&folded, &toks);
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
                    main_clause: !subord[ti],
                });
                ti += n;
            } else {
                ti += 1;
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
        "Officials assess, assessed and assesses; they believe, believes, believed.",
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
