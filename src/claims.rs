//! From a sentence to the claims it carries, for matching.
//!
//! Two outlets rarely word a claim alike: one writes "The report says Putin authorised ...",
//! another "Putin authorised ..., US intelligence says", a third packs it into a long sentence
//! with a second proposition after "but". Embedding the whole sentence mixes attribution and the
//! second proposition into the vector and pushes true matches below any sensible threshold. So
//! before matching, a sentence is cut at clause boundaries that join two propositions and the
//! attribution frame around each is dropped. Byte offsets into the sentence are kept, so every
//! claim still points at the exact source bytes.
//!
//! These are rules, not a parser: no well-kept Rust crate does clause splitting or attribution
//! detection, and a dependency parser would cost more than the embedding itself. The rules are
//! conservative: a split needs a long enough clause on both sides, otherwise the sentence stays
//! whole.

use crate::lexicon::{LEADING_SUBORDINATORS, REPORTING};

/// A claim inside a sentence: `sentence[start..end] == text`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Claim {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// Words joining two clauses where a split keeps both sides meaningful.
const JOINERS: &[&str] = &[
    "; ",
    ", but ",
    " but ",
    ", while ",
    ", whereas ",
    ", and ",
    " – ",
    " — ",
    ", saying ",
    ", adding ",
    ", noting ",
];

/// Minimum words on each side of a split: shorter pieces are phrases, not claims.
const MIN_WORDS: usize = 6;

pub fn claims(sentence: &str) -> Vec<Claim> {
    let mut pieces = vec![(0usize, sentence.len())];
    for joiner in JOINERS {
        pieces = pieces
            .into_iter()
            .flat_map(|(s, e)| split_at_joiner(sentence, s, e, joiner))
            .collect();
    }
    let mut out: Vec<Claim> = pieces
        .into_iter()
        .map(|(s, e)| strip_attribution(sentence, s, e))
        .flat_map(|(s, e)| split_leading_subordinate(sentence, s, e))
        .map(|(s, e)| strip_attribution(sentence, s, e))
        .filter(|&(s, e)| e > s)
        .map(|(s, e)| Claim {
            start: s,
            end: e,
            text: sentence[s..e].to_string(),
        })
        .collect();
    if out.is_empty() {
        out.push(Claim {
            start: 0,
            end: sentence.len(),
            text: sentence.to_string(),
        });
    }
    out
}

fn word_count(s: &str) -> usize {
    s.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

fn split_at_joiner(text: &str, start: usize, end: usize, joiner: &str) -> Vec<(usize, usize)> {
    let piece = &text[start..end];
    // Positions found in `lower` index `piece`: an ASCII fold keeps every byte offset (full
    // Unicode lower-casing does not), and the joiners are ASCII.
    let lower = piece.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    let mut search = 0;
    while let Some(pos) = lower[search..].find(joiner).map(|p| p + search) {
        let left = &piece[from..pos];
        let right = &piece[pos + joiner.len()..];
        // Quoted material stays whole: a joiner inside quotes belongs to the quote.
        let quotes_open = left.matches(['“', '"']).count() % 2 == 1 && !left.contains('”')
            || left.matches('“').count() > left.matches('”').count();
        if word_count(left) >= MIN_WORDS && word_count(right) >= MIN_WORDS && !quotes_open {
            out.push((start + from, start + pos));
            from = pos + joiner.len();
        }
        search = pos + joiner.len();
    }
    out.push((start + from, end));
    out
}

/// "while Russia had sought X, Iran had launched Y" -> "Russia had sought X" and "Iran had
/// launched Y".
fn split_leading_subordinate(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let piece = &text[start..end];
    let lower = piece.to_ascii_lowercase();
    // The subordinator and the space after it.
    let Some(opener) = LEADING_SUBORDINATORS
        .iter()
        .find(|w| {
            lower
                .strip_prefix(**w)
                .is_some_and(|rest| rest.starts_with(' '))
        })
        .map(|w| w.len() + 1)
    else {
        return vec![(start, end)];
    };
    match piece.find(", ") {
        Some(comma)
            if word_count(&piece[opener..comma]) >= 4
                && word_count(&piece[comma + 2..]) >= MIN_WORDS =>
        {
            vec![(start + opener, start + comma), (start + comma + 2, end)]
        }
        _ => vec![(start, end)],
    }
}

/// Drop "according to X," / "X says (that)" in front and ", X said." behind.
fn strip_attribution(text: &str, mut start: usize, mut end: usize) -> (usize, usize) {
    let trim = |s: usize, e: usize| -> (usize, usize) {
        let piece = &text[s..e];
        let l = piece.len()
            - piece
                .trim_start_matches(|c: char| c.is_whitespace() || c == ',')
                .len();
        let r = piece.len() - piece.trim_end().len();
        (s + l, (e - r).max(s + l))
    };
    (start, end) = trim(start, end);
    let piece = &text[start..end];
    let lower = piece.to_ascii_lowercase();

    // "According to a US government report, ..."
    if lower.starts_with("according to ") {
        if let Some(comma) = piece.find(", ")
            && word_count(&piece[..comma]) <= 10
            && word_count(&piece[comma..]) >= MIN_WORDS
        {
            (start, end) = trim(start + comma + 1, end);
        }
    } else if let Some(cut) = leading_frame(&text[start..end]) {
        (start, end) = trim(start + cut, end);
    }

    // "..., according to a declassified US intelligence assessment." / "..., officials say."
    let piece = &text[start..end];
    if let Some(comma) = piece.rfind(", ") {
        let tail = piece[comma + 2..].trim_end_matches(['.', '”', '"', ' ']);
        let tail_lower = tail.to_ascii_lowercase();
        let tail_words: Vec<&str> = tail_lower.split_whitespace().collect();
        let is_frame = tail_lower.starts_with("according to ")
            || (tail_words.len() <= 8 && tail_words.iter().any(|w| REPORTING.contains(w)));
        if is_frame && word_count(&piece[..comma]) >= MIN_WORDS {
            end = start + comma;
        }
    }
    (start, end)
}

/// Byte length of a leading "The report (also) says (that)" frame, if there is one: a reporting
/// verb among the first six words, optionally followed by "that".
fn leading_frame(piece: &str) -> Option<usize> {
    let mut offset = 0;
    for (i, word) in piece.split_inclusive(' ').enumerate() {
        // Six words for "The report also says X"; up to twelve when "that" marks the frame's end
        // ("The intelligence services indicate in the report published Tuesday that X").
        if i >= 12 || (i >= 6 && !piece[offset..].contains(" that ")) {
            return None;
        }
        offset += word.len();
        let w = word.trim().trim_end_matches(',').to_ascii_lowercase();
        if REPORTING.contains(&w.as_str()) {
            let mut rest = &piece[offset..];
            if i >= 6 {
                // A frame this long must end in "that": skip to it.
                let that = rest.find("that ")?;
                if word_count(&rest[..that]) > 6 {
                    return None;
                }
                rest = &rest[that..];
            }
            let rest = rest
                .strip_prefix("that, ")
                .or_else(|| rest.strip_prefix("that "))
                .map(|r| r.len())
                .unwrap_or(rest.len());
            let cut = piece.len() - rest;
            // Something claim-sized must remain, and the frame must not be the claim itself
            // ("Russia found ways to ..." has its verb first; frames have a subject first).
            return (i >= 1 && word_count(&piece[cut..]) >= MIN_WORDS).then_some(cut);
        }
        if w.ends_with('.') || w.contains('“') || w.contains('"') {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        let cs = claims(s);
        for c in &cs {
            assert_eq!(&s[c.start..c.end], c.text, "span must point at the text");
        }
        cs.into_iter().map(|c| c.text).collect()
    }

    #[test]
    fn splits_text_with_letters_that_change_length_when_lowered() {
        let t = texts(
            "ẞ Moscow firmly denied all of the claims on Monday; İstanbul officials later confirmed the whole report.",
        );
        assert_eq!(
            t,
            [
                "ẞ Moscow firmly denied all of the claims on Monday",
                "İstanbul officials later confirmed the whole report."
            ]
        );
    }

    #[test]
    fn drops_attribution_frames() {
        assert_eq!(
            texts(
                "The report also says Putin authorised influence operations aimed at denigrating Biden."
            ),
            ["Putin authorised influence operations aimed at denigrating Biden."]
        );
        assert_eq!(
            texts(
                "Russian President Vladimir Putin is likely to have authorised attempts to influence last year’s US election, intelligence officials say."
            ),
            [
                "Russian President Vladimir Putin is likely to have authorised attempts to influence last year’s US election"
            ]
        );
        assert_eq!(
            texts(
                "According to a US government report, Moscow spread misleading allegations about the eventual winner."
            ),
            ["Moscow spread misleading allegations about the eventual winner."]
        );
    }

    #[test]
    fn splits_two_propositions() {
        let t = texts(
            "It found that broad efforts were made by the Kremlin and Iran to shape the outcome of the ballot but ultimately no evidence that any foreign actor changed votes or otherwise disrupted the voting process.",
        );
        assert_eq!(t.len(), 2, "{t:?}");
        assert!(t[0].starts_with("broad efforts were made"), "{t:?}");
        assert!(t[1].starts_with("ultimately no evidence"), "{t:?}");
    }

    #[test]
    fn splits_a_leading_subordinate_clause() {
        let t = texts(
            "The report added that, while Russia had sought to boost Mr Trump’s chances of victory, Iran had launched a “multi-pronged covert influence campaign” in an effort to weaken his support.",
        );
        assert_eq!(t.len(), 2, "{t:?}");
        assert_eq!(
            t[0],
            "Russia had sought to boost Mr Trump’s chances of victory"
        );
        assert!(t[1].starts_with("Iran had launched"), "{t:?}");
    }

    #[test]
    fn keeps_short_sentences_whole() {
        assert_eq!(
            texts("Russia called the allegations baseless."),
            ["Russia called the allegations baseless."]
        );
        assert_eq!(
            texts("Iran and Russia tried, but failed."),
            ["Iran and Russia tried, but failed."]
        );
    }
}
