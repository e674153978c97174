//! From a scraped article to clean sentences that point at their exact source bytes.
//!
//! Cleaning works on lines (scraped articles put one paragraph per line, blank lines or not):
//! metadata markers become metadata, boilerplate and repeated paragraphs are dropped, and every
//! drop is recorded with its reason so `--explain` can show it and `--keep-all` can keep it.
//! Sentence boundaries come from `sentencex` (Wikimedia's segmenter: abbreviations, initials,
//! decimals, quotes, ellipses, missing spaces after periods; ~50 MB/s here), applied per
//! paragraph so a headline without final punctuation never swallows the next paragraph.

use std::collections::HashSet;

use serde::Serialize;

use crate::ingest::Document;
use crate::lexicon::{MONTH_SHORT_FORMS, MONTHS, NEGATIONS, WEEKDAYS};

mod boundaries;
mod furniture;
mod language;

pub(crate) use boundaries::quotations;
use boundaries::split_paragraph;
pub(crate) use furniture::is_markup;
use furniture::{
    MAX_LISTED_LINKS, boilerplate, finished, link_list_heading, listed_link, sentence_furniture,
};
pub use language::LanguageCheck;

/// Longest sentence kept whole; longer runs without a boundary (tables, scraped junk) are cut
/// at whitespace so one enormous line can neither hang the splitter nor flood the model.
pub const MAX_SENTENCE_BYTES: usize = 2000;
/// Paragraphs longer than this are pre-cut before the splitter sees them.
const MAX_PARAGRAPH_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SentenceKind {
    /// The article's title (first line without final punctuation).
    Title,
    /// A subhead: a short later line without final punctuation.
    Heading,
    Text,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Sentence {
    pub doc: String,
    pub outlet: String,
    pub date: Option<String>,
    /// Paragraph number in the document (0-based, counting kept paragraphs).
    pub paragraph: usize,
    /// Sentence number in the document (0-based).
    pub index: usize,
    /// Byte span in the document text (the file, or the record's text field):
    /// `text == document[start..end]`.
    pub start: usize,
    pub end: usize,
    pub kind: SentenceKind,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Removal {
    pub doc: String,
    pub start: usize,
    pub end: usize,
    pub reason: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Segmented {
    pub doc: String,
    pub source: String,
    pub outlet: String,
    pub date: Option<String>,
    pub title: Option<String>,
    pub url: Option<String>,
    /// The language the source declares (see `ingest::Document::lang`).
    #[serde(skip)]
    pub lang: Option<String>,
    pub sentences: Vec<Sentence>,
    pub removed: Vec<Removal>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SegmentOptions {
    /// Keep boilerplate and repeated paragraphs as sentences (removals are still listed).
    pub keep_all: bool,
}

/// Ends with a sentence's closing punctuation (quotes, brackets and spaces after it looked
/// through), the full-width stops of scripts written without spaces included. Segmentation's
/// boilerplate tests and matching's fragment test ask the same question.
pub(crate) fn ends_with_sentence_punct(s: &str) -> bool {
    s.trim_end_matches(|c: char| c.is_whitespace() || "\"'”’)]»」』）".contains(c))
        .ends_with(['.', '!', '?', ';', ':', '…', '。', '！', '？'])
}

/// Words of a paragraph for near-duplicate checks: case and punctuation do not matter.
fn norm_words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The words of a paragraph (`norm_words`) that change what it claims though they change
/// little of its wording: numbers and negations ("t" is what "didn't" leaves).
fn claim_tokens(words: &[String]) -> impl Iterator<Item = &str> {
    words
        .iter()
        .map(String::as_str)
        .filter(|w| w.bytes().any(|b| b.is_ascii_digit()) || *w == "t" || NEGATIONS.contains(w))
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let inter = a.intersection(b).count() as f64;
    inter / (a.len() + b.len()).saturating_sub(inter as usize).max(1) as f64
}

/// A leading ` date YYYY-MM-DD ` marker: its byte length (with spaces) and the date.
fn date_marker(text: &str, at: usize) -> Option<(usize, String)> {
    let rest = &text[at..];
    let trimmed = rest.trim_start();
    let lead = rest.len() - trimmed.len();
    let after = trimmed.strip_prefix("date ")?;
    let date: String = after.chars().take(10).collect();
    let b = date.as_bytes();
    let is_date = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    // "date 2020-13-45" is no date: the line keeps it as text.
    if !is_date || chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").is_err() {
        return None;
    }
    let after_date = &after[10..];
    let spaces = after_date.len() - after_date.trim_start_matches(' ').len();
    Some((lead + 5 + 10 + spaces, date))
}

/// A line of the document: byte range without the newline.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
}

/// Lines end at LF, CRLF (the CR is trimmed as whitespace) or a lone CR: old Mac files and some
/// exports end lines with CR alone, and a file read as one line would run its headline into the
/// first paragraph.
fn lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            out.push(Line { start, end: i });
            start = i + 1;
        } else if b == 0xE2 && matches!(bytes.get(i + 1..i + 3), Some([0x80, 0xA8 | 0xA9])) {
            // U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR (JSON exports of web text
            // carry them where the page had a break).
            out.push(Line { start, end: i });
            start = i + 3;
        }
    }
    if start < text.len() {
        out.push(Line {
            start,
            end: text.len(),
        });
    }
    out
}

/// A numbered line's number and where its text starts: "1. Banksy isn't from Liverpool",
/// "10) Ant-Man".
fn list_number(text: &str, (start, end): (usize, usize)) -> Option<(u32, usize)> {
    let s = &text[start..end];
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=3).contains(&digits) {
        return None;
    }
    let rest = s[digits..]
        .strip_prefix(". ")
        .or_else(|| s[digits..].strip_prefix(") "))?
        .trim_start();
    if !rest.starts_with(|c: char| c.is_alphabetic() || c == '"' || c == '“') {
        return None;
    }
    Some((s[..digits].parse().ok()?, end - rest.len()))
}

/// Lines of a numbered list lose their numbers, as bullets do: the claim is what follows ("1."
/// alone was what sentencex made of it). A line is an item when the numbered line before or
/// after it carries the number before or after its own, so a German ordinal ("1. FC Köln
/// gewann", "5. Mai 2015 - Die Polizei ...") keeps its number.
fn strip_list_numbers(text: &str, paras: &mut [(usize, usize)]) {
    let numbered: Vec<(usize, u32, usize)> = paras
        .iter()
        .enumerate()
        .filter_map(|(i, &p)| list_number(text, p).map(|(n, at)| (i, n, at)))
        .collect();
    for (k, &(i, n, at)) in numbered.iter().enumerate() {
        let before = k > 0 && numbered[k - 1].1 + 1 == n;
        let after = numbered.get(k + 1).is_some_and(|next| next.1 == n + 1);
        if before || after {
            paras[i].0 = at;
        }
    }
}

/// Trim whitespace (and a BOM, and bullet markers) from a byte range.
fn trim_range(text: &str, start: usize, end: usize) -> (usize, usize) {
    let s = &text[start..end];
    let left = s.len()
        - s.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
            .len();
    let mut start = start + left;
    let s = &text[start..end];
    // Bullets: "- ", "* ", "• ", "· " at the start of a line item.
    for bullet in ["- ", "* ", "• ", "· ", "– "] {
        if let Some(rest) = s.strip_prefix(bullet) {
            start += s.len() - rest.trim_start().len();
            break;
        }
    }
    let s = &text[start..end];
    let right = s.len() - s.trim_end().len();
    (start, end - right)
}

pub fn segment(doc: &Document, opts: SegmentOptions) -> Segmented {
    let text = doc.text.as_str();
    let mut removed: Vec<Removal> = Vec::new();
    let remove = |removed: &mut Vec<Removal>, s: usize, e: usize, reason: &str| {
        removed.push(Removal {
            doc: doc.id.clone(),
            start: s,
            end: e,
            reason: reason.to_string(),
            text: text[s..e].to_string(),
        });
    };
    let mut date = doc.date.clone();
    let mut outlet = doc.outlet.clone();
    let mut title = doc.title.clone();

    // Non-empty lines, trimmed.
    let mut paras: Vec<(usize, usize)> = lines(text)
        .into_iter()
        .map(|l| trim_range(text, l.start, l.end))
        .filter(|(s, e)| e > s)
        .collect();

    strip_list_numbers(text, &mut paras);

    // Date markers may sit at the start of any paragraph (003 has one mid-text).
    for p in paras.iter_mut() {
        if let Some((len, d)) = date_marker(text, p.0) {
            remove(
                &mut removed,
                p.0,
                (p.0 + len).min(p.1),
                "date marker (kept as metadata)",
            );
            if date.is_none() {
                date = Some(d);
            }
            *p = trim_range(text, (p.0 + len).min(p.1), p.1);
        }
    }
    paras.retain(|(s, e)| e > s);

    // "CNN" then "—": an outlet name standing alone above the article.
    if paras.len() >= 2 {
        let (s0, e0) = paras[0];
        let first = &text[s0..e0];
        let second = &text[paras[1].0..paras[1].1];
        let lone_dash = second.chars().all(|c| matches!(c, '—' | '–' | '-' | ' '));
        if lone_dash && first.split_whitespace().count() <= 4 && !ends_with_sentence_punct(first) {
            if outlet.is_none() {
                outlet = Some(first.to_string());
            }
            remove(&mut removed, s0, e0, "outlet name line (kept as metadata)");
            remove(&mut removed, paras[1].0, paras[1].1, "separator line");
            paras.drain(0..2);
        }
    }

    let mut kept: Vec<(usize, usize, bool)> = Vec::new(); // (start, end, is_boilerplate_or_dup)
    let mut seen: Vec<(Vec<String>, HashSet<String>, usize)> = Vec::new();
    let mut source_outlet = None;
    // Under a link-list heading: the lines that follow are links until one reads as prose.
    // Only after the article has begun (a sentence of prose kept, not boilerplate): a sidebar
    // comes after the body's first lines, and a label above the article is no list of links.
    let mut links_left = 0;
    let mut prose_seen = false;
    for (i, &(s, e)) in paras.iter().enumerate() {
        let line = &text[s..e];
        if prose_seen && link_list_heading(line) {
            links_left = MAX_LISTED_LINKS;
            let why = "boilerplate (heading of a list of links)";
            remove(&mut removed, s, e, why);
            kept.push((s, e, true));
            continue;
        }
        if links_left > 0 {
            // A line the next one continues in lower case is hard-wrapped prose, not a
            // headline; a whole quotation is a quote pulled out of the article.
            let continued = paras
                .get(i + 1)
                .is_some_and(|&(ns, ne)| text[ns..ne].trim_start().starts_with(char::is_lowercase));
            let t = line.trim();
            let quoted = t.starts_with(['"', '“']) && t.ends_with(['"', '”']);
            if listed_link(line) && !continued && !quoted && !t.starts_with(char::is_lowercase) {
                links_left -= 1;
                let why = "boilerplate (related link, in a list of links)";
                remove(&mut removed, s, e, why);
                kept.push((s, e, true));
                continue;
            }
            links_left = 0;
        }
        // A source line names an outlet or a credit in a few words (every one in FNC-1 train
        // has at most eight); a longer paragraph after "Source:" is prose that keeps its text.
        if let Some(src) = line
            .strip_prefix("Source:")
            .or_else(|| line.strip_prefix("SOURCE:"))
            .filter(|src| src.split_whitespace().count() <= 12)
        {
            // Only a footer names the outlet ("Source: BBC News" at the end); "Source: Getty
            // Images" under a picture mid-article is a credit.
            if i + 3 >= paras.len() && !src.trim().is_empty() {
                source_outlet = Some(src.trim().to_string());
            }
            remove(&mut removed, s, e, "source line (kept as metadata)");
            kept.push((s, e, true));
            continue;
        }
        if let Some(reason) = boilerplate(line) {
            remove(&mut removed, s, e, reason);
            kept.push((s, e, true));
            continue;
        }
        let words = norm_words(line);
        let set: HashSet<String> = words.iter().cloned().collect();
        // Repeats: identical words, or (for paragraphs long enough to judge) >= 90% word overlap
        // where one paragraph's words hold the other's (a copy with ", officials said" added, a
        // caption repeating the text), with the same numbers and negations in the same order.
        // A word put in another's place ("seven" for "three", "fell" for "rose"), an added "not"
        // ("was not linked" after "was linked") or another figure ("won 48 percent" after "won
        // 52 percent") is a correction or a denial, the very sentence a reader of claims looks
        // for, not a copy.
        // Sets whose sizes differ by more than 10% cannot reach that, so most pairs cost nothing.
        let dup = seen.iter().find(|(w, ws, _)| {
            *w == words
                || (words.len() >= 8
                    && w.len() >= 8
                    && ws.len().min(set.len()) * 10 >= ws.len().max(set.len()) * 9
                    && jaccard(ws, &set) >= 0.9
                    && (ws.is_subset(&set) || set.is_subset(ws))
                    && claim_tokens(w).eq(claim_tokens(&words)))
        });
        if let Some((_, _, first)) = dup {
            remove(
                &mut removed,
                s,
                e,
                &format!("repeats the paragraph at byte {first}"),
            );
            kept.push((s, e, true));
            continue;
        }
        // A kept line that ends as a sentence, long enough not to be a label ("Skip to main
        // content."), starts the article.
        prose_seen |= finished(&line.to_lowercase()) && words.len() >= 6;
        if seen.len() < 2000 {
            seen.push((words, set, s));
        }
        kept.push((s, e, false));
    }

    let outlet = outlet.or(source_outlet).unwrap_or_else(|| doc.id.clone());
    let mut sentences = Vec::new();
    let mut para_no = 0;
    let mut first_text_para = true;
    for (s, e, dropped) in kept {
        if dropped && !opts.keep_all {
            continue;
        }
        let mut pieces = split_paragraph(text, s, e);
        let (mut s, mut e) = (s, e);
        let mut had_furniture = false;
        if !dropped {
            let last = pieces.len().saturating_sub(1);
            let mut at = 0;
            pieces.retain(|&(ps, pe)| {
                let furniture = sentence_furniture(&text[ps..pe], at == last, last == 0);
                at += 1;
                if let Some(reason) = furniture {
                    had_furniture = true;
                    let within = if last > 0 { ", in a line of prose" } else { "" };
                    remove(&mut removed, ps, pe, &format!("{reason}{within}"));
                }
                furniture.is_none() || opts.keep_all
            });
            match (pieces.first(), pieces.last()) {
                // What is left is judged as a line of its own (a caption without its credit
                // is a sentence, not a heading).
                (Some(first), Some(last)) => (s, e) = (first.0, last.1),
                _ => continue,
            }
        }
        let line = &text[s..e];
        let no_punct = !ends_with_sentence_punct(line) && line.split_whitespace().count() <= 30;
        // The first short unpunctuated line is the title, unless the document names another
        // (a page's headline, a JSONL title field): then it is a heading, such as a photo
        // credit or a section label above the body.
        // Whether the document names this line as its title (None: it names none). A
        // headline it names is the title however it ends: headlines end in "?", "!" or a
        // quote as often as in nothing ("Where do relations go after the vote?").
        let named = doc
            .title
            .as_deref()
            .map(|t| t.split_whitespace().eq(line.split_whitespace()));
        let (names_this, names_another) = (named == Some(true), named == Some(false));
        let kind = if first_text_para && !dropped && (names_this || (no_punct && !names_another)) {
            if title.is_none() {
                title = Some(line.to_string());
            }
            SentenceKind::Title
        } else if no_punct {
            SentenceKind::Heading
        } else {
            SentenceKind::Text
        };
        if !dropped {
            first_text_para = false;
        }
        // A headline the document names (a page's, a record's title field) is one unit
        // whatever sentencex makes of it ("'What is the sea telling us?': Māori tribes fearful
        // ..." was two titles, the first a fragment), unless it held furniture (gone, or kept
        // apart by --keep-all). Not a title guessed from a short first line, nor a heading:
        // a line without a final stop is as often a caption or a tweet of two sentences
        // ("Ebola has a 90% casualty rate in areas such as West Africa. In America the
        // mortality rate is 50/50").
        let whole = kind == SentenceKind::Title
            && names_this
            && !had_furniture
            && pieces.len() > 1
            && e - s <= MAX_SENTENCE_BYTES;
        if whole {
            pieces = vec![(s, e)];
        }
        for (ss, se) in pieces {
            sentences.push(Sentence {
                doc: doc.id.clone(),
                outlet: outlet.clone(),
                date: date.clone(),
                paragraph: para_no,
                index: sentences.len(),
                start: ss,
                end: se,
                kind,
                text: text[ss..se].to_string(),
            });
        }
        para_no += 1;
    }
    removed.sort_by_key(|r| r.start);
    Segmented {
        doc: doc.id.clone(),
        source: doc.source.clone(),
        outlet,
        date,
        title,
        url: doc.url.clone(),
        lang: doc.lang.clone(),
        sentences,
        removed,
    }
}

/// A document that gave no sentence would drop out of every output without a trace: it is
/// counted in `count`, and the first few are named (source, id and why) as warnings.
pub fn note_if_sentenceless(
    seg: &Segmented,
    count: &mut usize,
    observer: &dyn crate::observe::Observer,
) {
    if !seg.sentences.is_empty() {
        return;
    }
    *count += 1;
    let why = if seg.removed.is_empty() {
        "it has no text".to_string()
    } else {
        let n = seg.removed.len();
        format!(
            "all of its text was removed as boilerplate, repeats or markers ({n} span{}; \
             `claimscope segment --explain` lists them, --keep-all keeps them)",
            if n == 1 { "" } else { "s" }
        )
    };
    crate::ingest::warn_named(
        observer,
        *count,
        &format!("{} (document {}): no sentence: {why}", seg.source, seg.doc),
        "such documents",
    );
}

/// A corpus read and segmented, with what its inputs skipped.
pub struct SegmentedCorpus {
    pub documents: Vec<Segmented>,
    pub skipped: crate::ingest::SkipCounts,
}

/// Read every document of the inputs, segment it and hand it to `each` (one document in memory
/// at a time), reporting progress per document; returns what the inputs skipped. The first
/// error, of reading or of `each`, stops it.
pub fn each_document(
    input: &crate::ingest::IngestOptions,
    opts: SegmentOptions,
    observer: &dyn crate::observe::Observer,
    mut each: impl FnMut(Segmented) -> crate::error::Result<()>,
) -> crate::error::Result<crate::ingest::SkipCounts> {
    let mut corpus = crate::ingest::Corpus::open(input, observer)?;
    observer.start("documents", None);
    // Counted apart: the corpus is borrowed by the loop.
    let mut sentenceless = 0;
    let mut language = LanguageCheck::default();
    for d in corpus.by_ref() {
        let seg = segment(&d?, opts);
        note_if_sentenceless(&seg, &mut sentenceless, observer);
        language.see(&seg);
        each(seg)?;
        observer.advance(1);
        crate::observe::go_on(observer)?;
    }
    observer.finish();
    language.warn(observer);
    corpus.skipped.no_sentences = sentenceless;
    Ok(std::mem::take(&mut corpus.skipped))
}

/// Every document of the inputs, segmented.
pub fn read_corpus(
    input: &crate::ingest::IngestOptions,
    opts: SegmentOptions,
    observer: &dyn crate::observe::Observer,
) -> crate::error::Result<SegmentedCorpus> {
    let mut documents = Vec::new();
    let skipped = each_document(input, opts, observer, |d| {
        documents.push(d);
        Ok(())
    })?;
    Ok(SegmentedCorpus { documents, skipped })
}

/// A sentence as a table row (`segment --format parquet`): its fields and its document's title
/// and URL.
pub fn sentence_row(
    s: &Sentence,
    doc: &Segmented,
) -> crate::error::Result<serde_json::Map<String, serde_json::Value>> {
    let serde_json::Value::Object(mut row) = serde_json::to_value(s)? else {
        return Err(crate::error::Error::Internal(
            "a sentence is not an object".into(),
        ));
    };
    row.insert("title".into(), doc.title.clone().into());
    row.insert("url".into(), doc.url.clone().into());
    Ok(row)
}

/// A [`sentence_row`] with placeholder values of the right types: the columns of an output no
/// sentence came to.
pub fn sentence_template() -> serde_json::Map<String, serde_json::Value> {
    let s = Sentence {
        doc: String::new(),
        outlet: String::new(),
        date: None,
        paragraph: 0,
        index: 0,
        start: 0,
        end: 0,
        kind: SentenceKind::Text,
        text: String::new(),
    };
    let doc = Segmented {
        doc: String::new(),
        source: String::new(),
        outlet: String::new(),
        date: None,
        title: None,
        url: None,
        lang: None,
        sentences: Vec::new(),
        removed: Vec::new(),
    };
    sentence_row(&s, &doc).unwrap_or_default()
}
