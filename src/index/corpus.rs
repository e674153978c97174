//! A corpus of sentences in an index: segmenting and embedding it into a [`Store`] of
//! [`Sentence`]s (`index build`, `index add`), and reading the stored sentences back as the
//! documents they came from (`match --index`).
//!
//! [`add_documents`] streams: documents are read one at a time and stored in chunks of
//! [`ADD_CHUNK`] sentences, so memory does not grow with the corpus. The store itself stays
//! generic over its records; this module is where it meets the segmenter's [`Sentence`].

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};

use super::search::SearchConfig;
use super::store::{AddSummary, Store};
use crate::embed::{Embedder, Precision};
use crate::error::{Error, Result};
use crate::ingest::{IngestOptions, SkipCounts};
use crate::observe::Observer;
use crate::segment::{SegmentOptions, Segmented, Sentence};

/// Sentences embedded and stored per add while a corpus is indexed: memory holds one chunk's
/// sentences and vectors (100k x 384 float32 = 147 MiB), not the corpus, and a build killed
/// half way keeps the chunks it committed.
pub const ADD_CHUNK: usize = 100_000;

/// How [`add_documents`] reads and stores a corpus.
#[derive(Debug, Clone, Copy)]
pub struct AddOptions {
    pub segmentation: SegmentOptions,
    /// Sentences per add (at document boundaries).
    pub chunk: usize,
    /// The run continues a killed build or add, so documents the store already holds are
    /// expected: they are skipped quietly. Without it they are skipped too (a document is never
    /// stored twice: its copy would "agree" with it at cosine 1, and `similar` would list every
    /// hit twice), but with a warning naming them, since adding them again was likely a slip.
    pub resume: bool,
}

impl Default for AddOptions {
    fn default() -> Self {
        AddOptions {
            segmentation: SegmentOptions::default(),
            chunk: ADD_CHUNK,
            resume: false,
        }
    }
}

/// What indexing a corpus read and stored.
#[derive(Debug, Clone, Default)]
pub struct CorpusAdded {
    /// Documents read (including those that gave no sentence and those skipped as stored).
    pub documents: usize,
    /// Documents skipped because the store already held them ([`StoredDocuments`]).
    pub already_stored: usize,
    /// The first few of those, as "ID (SOURCE)", to name in messages.
    pub already_stored_examples: Vec<String>,
    /// Sentences stored.
    pub sentences: usize,
    /// Adds committed (one per chunk, and the last one).
    pub adds: usize,
    /// Inputs that gave no document.
    pub skipped: SkipCounts,
}

/// Read, segment, embed and append the documents of `input` to `store` (created or opened for
/// `embedder`'s model), `options.chunk` sentences per add (at document boundaries). The graph
/// is built or extended by the last add only, so a big corpus is not re-graphed per chunk.
///
/// Inputs that hold no sentence store nothing and return `sentences == 0`: the caller reports
/// the skipped inputs and decides (an index build over them is a mistake in the inputs).
pub fn add_documents(
    store: &mut Store<Sentence>,
    input: &IngestOptions,
    embedder: &Embedder,
    config: &SearchConfig,
    observer: &dyn Observer,
    options: &AddOptions,
) -> Result<CorpusAdded> {
    check_precision(store, embedder.precision())?;
    let mut out = CorpusAdded::default();
    // Whether or not the run resumes: reading the index's records costs one pass over them,
    // a document stored twice costs every later search and match.
    let stored = if store.is_empty() {
        None
    } else {
        Some(StoredDocuments::of(store)?)
    };
    let mut pending: Vec<Sentence> = Vec::new();
    let deferred = SearchConfig {
        exact_threshold: usize::MAX,
        ..config.clone()
    };
    // The documents' progress bar stays up while a full chunk is embedded; warnings still pass.
    let quiet = WarningsOnly(observer);
    out.skipped = crate::segment::each_document(input, options.segmentation, observer, |d| {
        out.documents += 1;
        if stored.as_ref().is_some_and(|s| s.holds(&d)) {
            out.already_stored += 1;
            if out.already_stored_examples.len() < EXAMPLES {
                out.already_stored_examples
                    .push(format!("{} ({})", d.doc, d.source));
            }
            return Ok(());
        }
        pending.extend(d.sentences);
        if pending.len() >= options.chunk.max(1) {
            add_chunk(store, &pending, embedder, &deferred, &quiet)?;
            out.sentences += pending.len();
            out.adds += 1;
            pending.clear();
        }
        Ok(())
    })?;
    if out.already_stored > 0 && !options.resume {
        observer.warn(&format!(
            "{} of {} documents are already in {} and were skipped, not stored twice: {}{}",
            out.already_stored,
            out.documents,
            store.path().display(),
            out.already_stored_examples.join(", "),
            if out.already_stored > out.already_stored_examples.len() {
                ", ..."
            } else {
                ""
            }
        ));
    }
    // A resumed run whose chunks were all stored still builds the graphs the killed run never
    // reached: the last add is what builds them, so it runs even when it adds nothing. With
    // nothing to add and nothing to graph, the index is left as it is (not even recommitted).
    let ungraphed = config.wants_ann(store.len()) && store.manifest().covered() < store.len();
    if out.sentences + pending.len() == 0 && !ungraphed {
        return Ok(out);
    }
    add_chunk(store, &pending, embedder, config, observer)?;
    out.sentences += pending.len();
    out.adds += 1;
    Ok(out)
}

/// How many skipped documents a message names.
const EXAMPLES: usize = 3;

/// The manifest `meta` key under which an index records the precision its vectors were
/// embedded at; absent means f32 (every index before int8 indexes, and every f32 one).
pub const PRECISION_KEY: &str = "precision";

/// The precision the vectors of an index with this manifest `meta` were embedded at.
pub fn recorded_precision(
    meta: &serde_json::Map<String, serde_json::Value>,
    index: &std::path::Path,
) -> Result<Precision> {
    match meta.get(PRECISION_KEY) {
        None => Ok(Precision::F32),
        Some(v) => v
            .as_str()
            .and_then(Precision::from_name)
            .ok_or_else(|| Error::IndexCorrupt {
                path: index.to_path_buf(),
                detail: format!("index.json: unknown precision {v}"),
            }),
    }
}

/// One index, one precision: int8 and f32 vectors of one sentence differ by up to ~2% in
/// cosine, so mixing them would rank a sentence by which run embedded it. An empty index takes
/// the embedder's precision; a non-empty one refuses another.
fn check_precision(store: &mut Store<Sentence>, precision: Precision) -> Result<()> {
    let recorded = recorded_precision(store.meta(), store.path())?;
    if store.is_empty() {
        if precision == Precision::F32 {
            store.remove_meta(PRECISION_KEY);
        } else {
            store.set_meta(PRECISION_KEY, precision.to_string().into());
        }
        return Ok(());
    }
    if recorded != precision {
        return Err(Error::Input(format!(
            "{}: its vectors were embedded at {recorded} precision, these would be {precision}; \
             add with --precision {recorded} (an index holds vectors of one precision)",
            store.path().display()
        )));
    }
    Ok(())
}

/// The documents a store holds, each known by what makes a stored copy in [`documents`]: its
/// outlet, id and first sentence (span and text). Kept as SHA-256 digests cut to 128 bits, so
/// resuming an index of 400k documents holds ~7 MB, not their texts.
pub struct StoredDocuments(HashSet<[u8; 16]>);

impl StoredDocuments {
    /// Read every record of `store` once (plain reads: see [`Store::scan_records`]).
    pub fn of(store: &Store<Sentence>) -> Result<Self> {
        let mut set = HashSet::new();
        let mut prev: Option<Sentence> = None;
        store.scan_records(|s| {
            let before = prev
                .as_ref()
                .map(|p| (p.outlet.as_str(), p.doc.as_str(), p.index));
            if starts_document(before, &s) {
                set.insert(identity(&s));
            }
            prev = Some(s);
            Ok(())
        })?;
        Ok(StoredDocuments(set))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Does the store hold this document? (One with no sentence is never stored.)
    pub fn holds(&self, d: &Segmented) -> bool {
        d.sentences
            .first()
            .is_some_and(|s| self.0.contains(&identity(s)))
    }
}

/// Does stored sentence `s` open a document, after `prev`? A document's sentences are stored
/// together and numbered from 0, so one ends where the outlet or id changes or the numbering
/// restarts.
/// `prev` is the outlet, id and number of the sentence stored before.
fn starts_document(prev: Option<(&str, &str, usize)>, s: &Sentence) -> bool {
    !prev.is_some_and(|(outlet, doc, index)| outlet == s.outlet && doc == s.doc && s.index > index)
}

/// A document's identity from its first sentence; lengths go in before each string so that
/// ("ab", "c") and ("a", "bc") differ.
fn identity(first: &Sentence) -> [u8; 16] {
    let mut h = Sha256::new();
    for part in [&first.outlet, &first.doc, &first.text] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.update((first.start as u64).to_le_bytes());
    h.update((first.end as u64).to_le_bytes());
    let digest = h.finalize();
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

fn add_chunk(
    store: &mut Store<Sentence>,
    sentences: &[Sentence],
    embedder: &Embedder,
    config: &SearchConfig,
    observer: &dyn Observer,
) -> Result<AddSummary> {
    if sentences.is_empty() {
        let none = ndarray::Array2::<f32>::zeros((0, store.dim()));
        return store.add(sentences, none.view(), config);
    }
    let texts: Vec<&str> = sentences.iter().map(|s| s.text.as_str()).collect();
    let vectors = embedder.embed_all(&texts, "sentences", observer)?.vectors;
    store.add(sentences, vectors.view(), config)
}

/// Passes warnings on, keeps progress to itself.
struct WarningsOnly<'a>(&'a dyn Observer);

impl Observer for WarningsOnly<'_> {
    fn warn(&self, message: &str) {
        self.0.warn(message)
    }
    fn cancelled(&self) -> bool {
        self.0.cancelled()
    }
}

/// The index's sentences regrouped into their documents, in stored order. Claim units are
/// embedded afresh by `match`: the index holds whole-sentence vectors.
///
/// A document's sentences are stored together and numbered from 0, so a document ends where
/// the id or outlet changes or the numbering restarts. Ids alone are not unique: two files
/// called 2024-01-05.txt in different folders both get the id "2024-01-05", and merging them
/// would hide their claims from each other (matching only links different documents), so the
/// later ones are renamed "ID (2)", "ID (3)"... A document stored twice (`index add` of the
/// same files) is another matter: its copy would "agree" with it at cosine 1, so copies are
/// skipped. Both are reported through `observer`.
pub fn documents(store: &Store<Sentence>, observer: &dyn Observer) -> Result<Vec<Segmented>> {
    let source = store.path().display().to_string();
    let mut docs: Vec<Segmented> = Vec::new();
    type Key = (String, String);
    // The first sentence of every document seen under a key: a document whose first sentence
    // (span and text) was seen before under the same key is a stored copy.
    let mut copies: HashMap<Key, Vec<(usize, usize, String)>> = HashMap::new();
    let (mut renamed, mut skipped) = (0usize, 0usize);
    let mut prev: Option<(Key, usize)> = None;
    let mut skipping = false;
    // Plain reads, as resuming does: this scan reads the whole index.
    store.scan_records(|s| {
        let key = (s.outlet.clone(), s.doc.clone());
        let before = prev
            .as_ref()
            .map(|((o, d), i): &(Key, usize)| (o.as_str(), d.as_str(), *i));
        let starts = starts_document(before, &s);
        prev = Some((key.clone(), s.index));
        if starts {
            let first = (s.start, s.end, s.text.clone());
            let earlier = copies.entry(key).or_default();
            skipping = earlier.contains(&first);
            if skipping {
                skipped += 1;
                return Ok(());
            }
            earlier.push(first);
            let doc = match earlier.len() {
                1 => s.doc.clone(),
                n => {
                    renamed += 1;
                    format!("{} ({n})", s.doc)
                }
            };
            docs.push(Segmented {
                doc,
                source: source.clone(),
                outlet: s.outlet.clone(),
                date: s.date.clone(),
                title: None,
                url: None,
                lang: None,
                sentences: Vec::new(),
                removed: Vec::new(),
            });
        }
        if skipping {
            return Ok(());
        }
        if let Some(d) = docs.last_mut() {
            d.sentences.push(s);
        }
        Ok(())
    })?;
    if renamed > 0 {
        observer.warn(&format!(
            "{renamed} documents in {source} share an outlet and id with an earlier one; they \
             are shown as \"ID (2)\"... (give documents unique ids: file names, or --id-field)"
        ));
    }
    if skipped > 0 {
        observer.warn(&format!(
            "{skipped} documents are stored twice in {source} (added again?); each is matched \
             once"
        ));
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::ModelId;
    use crate::observe::Collect;
    use crate::segment::SentenceKind;
    use ndarray::Array2;

    const DIM: usize = 4;

    fn sentence(outlet: &str, doc: &str, index: usize, text: &str) -> Sentence {
        Sentence {
            doc: doc.into(),
            outlet: outlet.into(),
            date: Some("2024-01-05".into()),
            paragraph: 0,
            index,
            start: index * 100,
            end: index * 100 + text.len(),
            kind: SentenceKind::Text,
            text: text.into(),
        }
    }

    /// A store holding `sentences` in order, each with the same unit vector (only the records
    /// matter here).
    fn store_of(dir: &std::path::Path, sentences: &[Sentence]) -> Store<Sentence> {
        let model = ModelId::new("test/model", DIM).with_weights_sha256("ab".repeat(32));
        let mut store = Store::create(dir.join("idx"), model).unwrap();
        let mut v = Array2::<f32>::zeros((sentences.len(), DIM));
        v.column_mut(0).fill(1.0);
        store
            .add(sentences, v.view(), &SearchConfig::default())
            .unwrap();
        store
    }

    fn shape(docs: &[Segmented]) -> Vec<(String, String, Vec<String>)> {
        docs.iter()
            .map(|d| {
                let texts = d.sentences.iter().map(|s| s.text.clone()).collect();
                (d.outlet.clone(), d.doc.clone(), texts)
            })
            .collect()
    }

    #[test]
    fn documents_round_trip_through_a_store() {
        let dir = tempfile::tempdir().unwrap();
        let stored = vec![
            sentence("BBC", "a", 0, "One."),
            sentence("BBC", "a", 1, "Two."),
            sentence("CNN", "a", 0, "Other outlet, same id."),
            sentence("CNN", "b", 0, "Three."),
            sentence("CNN", "b", 1, "Four."),
        ];
        let store = store_of(dir.path(), &stored);
        let seen = Collect::default();
        let docs = documents(&store, &seen).unwrap();
        assert_eq!(
            shape(&docs),
            [
                ("BBC".into(), "a".into(), vec!["One.".into(), "Two.".into()]),
                (
                    "CNN".into(),
                    "a".into(),
                    vec!["Other outlet, same id.".into()]
                ),
                (
                    "CNN".into(),
                    "b".into(),
                    vec!["Three.".into(), "Four.".into()]
                ),
            ]
        );
        let all: Vec<&Sentence> = docs.iter().flat_map(|d| &d.sentences).collect();
        assert_eq!(
            serde_json::to_value(&all).unwrap(),
            serde_json::to_value(&stored).unwrap(),
            "every sentence comes back as stored"
        );
        assert_eq!(docs[0].source, store.path().display().to_string());
        assert_eq!(docs[0].date.as_deref(), Some("2024-01-05"));
        assert!(seen.warnings().is_empty());
    }

    #[test]
    fn same_id_is_renamed_and_a_stored_copy_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let stored = vec![
            sentence("BBC", "2024-01-05", 0, "From one folder."),
            sentence("BBC", "2024-01-05", 1, "More."),
            // Numbering restarts: another document with the same outlet and id.
            sentence("BBC", "2024-01-05", 0, "From another folder."),
            // The first document added again.
            sentence("BBC", "2024-01-05", 0, "From one folder."),
            sentence("BBC", "2024-01-05", 1, "More."),
        ];
        let store = store_of(dir.path(), &stored);
        let seen = Collect::default();
        let docs = documents(&store, &seen).unwrap();
        assert_eq!(
            shape(&docs),
            [
                (
                    "BBC".into(),
                    "2024-01-05".into(),
                    vec!["From one folder.".into(), "More.".into()]
                ),
                (
                    "BBC".into(),
                    "2024-01-05 (2)".into(),
                    vec!["From another folder.".into()]
                ),
            ]
        );
        let w = seen.warnings();
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].starts_with("1 documents in ") && w[0].contains("share an outlet and id"));
        assert!(w[1].starts_with("1 documents are stored twice in "));
    }
}
