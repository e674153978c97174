//! Whether a document is English by its words, for a page that does not say.

use super::*;

/// Under this share of English function words (`lexicon::STOPWORDS`) a document is read as
/// not English. On the html-news pages English ones hold 0.29-0.42 and the Czech, Portuguese,
/// German, Spanish, French and Japanese ones 0.00-0.04; a page that declares no language
/// (La Nación's) was labelled without a word of warning.
const MIN_ENGLISH_SHARE: f64 = 0.12;

/// The share of a document's words that are English function words, or `None` when it has
/// too few words (30) to tell.
fn english_share(seg: &Segmented) -> Option<f64> {
    let (mut words, mut english) = (0usize, 0usize);
    for s in &seg.sentences {
        for w in s
            .text
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| !w.is_empty())
        {
            // Chinese and Japanese put no spaces between words: each ideograph, kana or
            // syllable block counts as one, so a short article is not "too few words to tell".
            let unspaced = w.chars().filter(|&c| unspaced_script(c)).count();
            if unspaced > 0 {
                words += unspaced;
                continue;
            }
            words += 1;
            if crate::lexicon::STOPWORDS
                .iter()
                .any(|x| x.eq_ignore_ascii_case(w))
            {
                english += 1;
            }
        }
    }
    (words >= 30).then(|| english as f64 / words as f64)
}

/// Letters of scripts written without spaces between words: CJK ideographs, kana, Hangul
/// syllables, Thai.
fn unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0xAC00..=0xD7AF | 0x0E00..=0x0E7F | 0x20000..=0x2FFFF)
}

/// The documents of a run that read as not English (under 12% English function words), said
/// once at the end: the model and the cue words are English, and a page that declares no
/// language (or a text file, which cannot) was labelled without a word of warning.
#[derive(Debug, Default)]
pub struct LanguageCheck {
    /// How many documents read as not English, and the first `SHOWN` of their ids (a crawl
    /// can hold millions; the warning names five).
    foreign: usize,
    shown: Vec<String>,
}

/// Documents the language warning names; the rest are counted.
const SHOWN: usize = 5;

impl LanguageCheck {
    pub fn see(&mut self, seg: &Segmented) {
        // A page that declared another language was warned of where it was read.
        if seg
            .lang
            .as_deref()
            .is_some_and(|l| !crate::ingest::is_english(l))
        {
            return;
        }
        if english_share(seg).is_some_and(|share| share < MIN_ENGLISH_SHARE) {
            self.foreign += 1;
            if self.shown.len() < SHOWN {
                self.shown.push(seg.doc.clone());
            }
        }
    }

    pub fn warn(&self, observer: &dyn crate::observe::Observer) {
        if self.foreign == 0 {
            return;
        }
        let more = if self.foreign > SHOWN { ", ..." } else { "" };
        observer.warn(&format!(
            "{} read as not in English by their words ({}{more}): {}",
            crate::report::counted(self.foreign, "document", "documents"),
            self.shown.join(", "),
            crate::ingest::NOT_ENGLISH
        ));
    }
}
