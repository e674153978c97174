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

use serde::Serialize;

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

/// Phrases, lower-case, longest first within a shared prefix so "very likely" wins over
/// "likely". Matched on word boundaries.
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

/// Words that open a subordinate clause. A fronted one ("If X, Y") ends at the first comma.
const SUBORDINATORS: &[&str] = &[
    "which", "who", "whom", "whose", "because", "since", "although", "though", "if", "unless",
    "whether", "when", "whenever", "while", "where", "whereas", "after", "before", "until",
];

/// Words that signal a negated proposition (used as a feature, not a level).
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

/// The cues of `sentence`, in order, overlapping matches resolved in favour of the longer.
pub fn find(sentence: &str) -> Vec<Cue> {
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
        if !open && SUBORDINATORS.contains(&w) {
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
}
