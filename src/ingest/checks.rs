//! The checks made on every document handed on, whatever read it: unread dates, repeated ids,
//! repeated documents.

use super::*;

/// Texts of this many words or fewer are not taken for a repeat by outlet and text alone
/// (`DocumentChecks::is_repeat`): a brief, a headline, a tweet recur as new items.
pub const MIN_REPEAT_WORDS: usize = 25;

/// The checks every reader of documents makes on each document it hands on: a date given but
/// not understood (the document is then undated for the story window), and an id given to an
/// earlier document (outputs name documents by id, so two alike cannot be told apart). One per
/// run: it remembers the ids seen. Shared by the file readers and the Python package's dicts.
#[derive(Debug, Default)]
pub struct DocumentChecks {
    /// Held as 64-bit hashes, not strings: 8 bytes a document instead of the id's length plus
    /// a string's overhead, so a crawl of millions of documents stays flat in memory. Two ids
    /// share a hash about once in 10^19 pairs; a clash would only warn of a repeat wrongly.
    ids_seen: std::collections::HashSet<u64>,
    repeated_ids: usize,
    unread_dates: usize,
    /// Whole documents (id, outlet, text) seen, as 128-bit hashes: a clash would drop a
    /// document, so twice the bits of the ids' warning-only hash.
    docs_seen: std::collections::HashSet<u128>,
    /// Texts seen under a named outlet, the same way: the same text from the same outlet
    /// under another id is a page crawled twice or a feed item repeated.
    outlet_texts_seen: std::collections::HashSet<u128>,
    repeats: usize,
    odd_dates: usize,
    /// The day of the run, read once: dates more than a year after it are named.
    today: Option<chrono::NaiveDate>,
}

impl DocumentChecks {
    /// True when `doc` is an earlier document given again word for word (the same id, outlet
    /// and text: a record twice in a feed, a file given twice under two names), warned of (the
    /// first few by name, then counted). Its caller reads it once: twice, every sentence
    /// would be matched with its own copy as a claim "shared" by two documents.
    ///
    /// The same article text from the same named outlet and date under another id (a page
    /// crawled twice, a feed item repeated under a new id) is a repeat too: read twice, each of
    /// its sentences made a one-outlet "shared claim" with its own copy. The same text from two
    /// outlets is syndicated copy and is kept, as are texts of [`MIN_REPEAT_WORDS`] words or
    /// fewer (an outlet's recurring brief) and the same text on another date.
    pub fn is_repeat(&mut self, doc: &Document, observer: &dyn Observer) -> bool {
        use std::hash::{Hash, Hasher};
        let key_of = |parts: &dyn Fn(&mut std::collections::hash_map::DefaultHasher)| {
            let half = |seed: u8| {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                seed.hash(&mut h);
                parts(&mut h);
                h.finish()
            };
            (u128::from(half(1)) << 64) | u128::from(half(2))
        };
        let whole = key_of(&|h| (&doc.id, &doc.outlet, &doc.text).hash(h));
        let new_whole = self.docs_seen.insert(whole);
        // Only articles: a short item an outlet repeats ("Oil prices rose on Monday." a week
        // apart, a headline feed) is another document; so is the same text on another date.
        let article = doc.text.split_whitespace().nth(MIN_REPEAT_WORDS).is_some();
        let new_text = match &doc.outlet {
            Some(outlet) if article => self
                .outlet_texts_seen
                .insert(key_of(&|h| (outlet, &doc.date, &doc.text).hash(h))),
            _ => true,
        };
        if new_whole && new_text {
            return false;
        }
        self.repeats += 1;
        let what = if new_whole {
            "the same outlet, date and text under another id: a page crawled twice or a feed item repeated"
        } else {
            "the same id, outlet and text"
        };
        warn_named(
            observer,
            self.repeats,
            &format!(
                "{}: document {:?} repeats an earlier one word for word ({what}); read once",
                doc.source, doc.id
            ),
            "repeated documents",
        );
        true
    }

    /// Warns `observer` of what is doubtful about `doc` (the first few of each kind by name,
    /// then counted); true when its date was given but not understood, for the caller's count.
    pub fn check(&mut self, doc: &Document, observer: &dyn Observer) -> bool {
        use crate::dates::DateNote;
        let today = *self
            .today
            .get_or_insert_with(|| chrono::Utc::now().date_naive());
        let note = crate::dates::date_note(&doc.source, &doc.id, doc.date.as_deref(), today);
        let unread = matches!(note, Some(DateNote::Unread(_)));
        match note {
            Some(DateNote::Unread(note)) => {
                self.unread_dates += 1;
                warn_named(observer, self.unread_dates, &note, "unread dates");
            }
            Some(DateNote::FarAhead(note)) => {
                self.odd_dates += 1;
                warn_named(observer, self.odd_dates, &note, "dates far in the future");
            }
            None => {}
        }
        if !self.ids_seen.insert(id_hash(&doc.id)) {
            self.repeated_ids += 1;
            warn_named(
                observer,
                self.repeated_ids,
                &format!(
                    "{}: document id {:?} was given to an earlier document too; outputs name both alike (give each document its own id)",
                    doc.source, doc.id
                ),
                "repeated ids",
            );
        }
        unread
    }
}
