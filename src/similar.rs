//! What `claimscope similar` computes, as library calls: the cosine of two texts, the nearest
//! texts of a corpus given as files, and the nearest sentences of an index.
//!
//! The corpus search lives here and not in [`crate::index`] because it has no index: the files
//! are read and embedded for this one query, then every text is scored. Corpora given on a
//! command line are small enough that one matrix-vector product beats building any searcher,
//! and no vectors outlive the call. The index search is [`crate::index::query`] plus what a text
//! query needs on top (embedding it, picking the store's searcher).
//!
//! Reading a corpus ([`read_corpus`]) and searching it ([`search_corpus`]) are separate calls so
//! that a caller can load the model between them: a corpus without texts is then reported
//! before any model is loaded.

use std::path::PathBuf;

use ndarray::{ArrayView1, Axis};
use serde::Serialize;

use crate::embed::{Embedder, cosine};
use crate::error::{Error, Result};
use crate::index::query::{self, IndexHit, QueryOptions};
use crate::index::{SearchConfig, Store};
use crate::observe::Observer;
use crate::records::{ReadOptions, Record, read_all};
use crate::segment::Sentence;

/// The warning for a text the model cut at its maximum length; `name` says which text.
pub fn truncation_warning(name: &str, max_tokens: usize) -> String {
    format!("text {name} is longer than {max_tokens} tokens and was truncated")
}

/// The cosine similarity of `a` and `b`; a truncated text is reported as "A" or "B".
pub fn compare(embedder: &Embedder, a: &str, b: &str, observer: &dyn Observer) -> Result<f32> {
    let out = embedder.embed(&[a, b])?;
    let rows: Vec<ArrayView1<f32>> = out.vectors.axis_iter(Axis(0)).collect();
    let [va, vb] = rows.as_slice() else {
        return Err(Error::Internal(format!(
            "2 texts embedded into {} vectors",
            rows.len()
        )));
    };
    let score = cosine(va.as_slice().unwrap_or(&[]), vb.as_slice().unwrap_or(&[]));
    warn_truncated(embedder, &out.truncated, &["A", "B"], observer);
    Ok(score)
}

/// The vector of one query text; a truncated query is reported as "QUERY".
pub fn embed_query(embedder: &Embedder, query: &str, observer: &dyn Observer) -> Result<Vec<f32>> {
    let out = embedder.embed(&[query])?;
    warn_truncated(embedder, &out.truncated, &["QUERY"], observer);
    out.vectors
        .axis_iter(Axis(0))
        .next()
        .map(|row| row.to_vec())
        .ok_or_else(|| Error::Internal("a query embedded into no vector".into()))
}

fn warn_truncated(embedder: &Embedder, idx: &[usize], names: &[&str], observer: &dyn Observer) {
    for &i in idx {
        let name = names.get(i).unwrap_or(&"?");
        observer.warn(&truncation_warning(name, embedder.info().max_seq_length));
    }
}

/// One result of [`search_corpus`]: a text with where it was read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorpusHit {
    /// 1-based.
    pub rank: usize,
    pub score: f32,
    pub text: String,
    pub source: String,
    pub line: usize,
    /// Where the text sits in its document, when the input record says (`segment`'s JSONL
    /// output does): its document, outlet and byte span, as an index search gives them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outlet: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<u64>,
}

impl CorpusHit {
    /// Whether the hit says where in a document its text sits.
    pub fn has_provenance(&self) -> bool {
        self.doc.is_some() || self.outlet.is_some() || self.start.is_some() || self.end.is_some()
    }
}

/// A record's field as a name: a string, or a number (a numeric id) as written.
fn name_field(r: &Record, key: &str) -> Option<String> {
    match r.fields.get(key)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A record's field as a byte offset (a whole number of 0 or more).
fn offset_field(r: &Record, key: &str) -> Option<u64> {
    r.fields.get(key)?.as_u64()
}

/// What [`search_corpus`] returns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CorpusSearch {
    pub k: usize,
    /// Only hits with at least this cosine.
    pub min_score: Option<f32>,
}

/// The non-empty texts of the files (one text per line, or JSONL with "text"; `-` is stdin).
/// A corpus with none is an error.
pub fn read_corpus(
    paths: &[PathBuf],
    opts: ReadOptions,
    observer: &dyn Observer,
) -> Result<Vec<Record>> {
    let (records, stats) = read_all(paths, opts, observer)?;
    // No record at all: each file named with why, as embed and classify say it.
    if let Some(why) = stats.nothing_read() {
        return Err(Error::Input(why));
    }
    let records: Vec<Record> = records
        .into_iter()
        .filter(|r| !r.text.trim().is_empty())
        .collect();
    if records.is_empty() {
        return Err(Error::Input(format!(
            "the corpus has no non-empty texts ({} records read, each blank: {})",
            stats.records,
            stats.file_names()
        )));
    }
    Ok(records)
}

/// The texts of `records` nearest to `query`, by exact cosine, best first (equal scores keep
/// corpus order).
pub fn search_corpus(
    records: &[Record],
    query: &str,
    embedder: &Embedder,
    opts: &CorpusSearch,
    observer: &dyn Observer,
) -> Result<Vec<CorpusHit>> {
    let q = embed_query(embedder, query, observer)?;
    let texts: Vec<&str> = records.iter().map(|r| r.text.as_str()).collect();
    let vectors = embedder.embed_all(&texts, "texts", observer)?.vectors;
    let scores: Vec<f32> = vectors.dot(&ArrayView1::from(&q)).to_vec();
    Ok(rank(&scores, opts)
        .into_iter()
        .enumerate()
        .map(|(rank, (i, score))| {
            let r = &records[i];
            CorpusHit {
                rank: rank + 1,
                score,
                text: r.text.clone(),
                source: r.source.clone(),
                line: r.line,
                doc: name_field(r, "doc"),
                outlet: name_field(r, "outlet"),
                start: offset_field(r, "start"),
                end: offset_field(r, "end"),
            }
        })
        .collect())
}

/// `(index, score)` of the best `opts.k` scores at or above `opts.min_score`, best first, ties
/// in index order.
fn rank(scores: &[f32], opts: &CorpusSearch) -> Vec<(usize, f32)> {
    let mut order: Vec<usize> = (0..scores.len())
        .filter(|&i| opts.min_score.is_none_or(|m| scores[i] >= m))
        .collect();
    // Stable, so equal scores keep corpus order.
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    order
        .into_iter()
        .take(opts.k)
        .map(|i| (i, scores[i]))
        .collect()
}

/// The sentences of `store` nearest to `query`, filtered by `opts` (see [`crate::index::query`]);
/// `store` must have been opened for `embedder`'s model.
pub fn search_index(
    store: &Store<Sentence>,
    embedder: &Embedder,
    query: &str,
    opts: &QueryOptions,
    config: &SearchConfig,
    observer: &dyn Observer,
) -> Result<Vec<IndexHit>> {
    let q = embed_query(embedder, query, observer)?;
    let searcher = store.searcher(config)?;
    let hits = query::search(store, searcher.as_ref(), &q, opts)?;
    for w in query::outlet_warnings(store, opts, &hits)? {
        observer.warn(&w);
    }
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_filters_then_takes_the_best_k_in_stable_order() {
        let scores = [0.2, 0.9, 0.5, 0.9, -0.1, 0.7];
        let all = CorpusSearch {
            k: 10,
            min_score: None,
        };
        assert_eq!(
            rank(&scores, &all),
            [(1, 0.9), (3, 0.9), (5, 0.7), (2, 0.5), (0, 0.2), (4, -0.1)]
        );
        let top = CorpusSearch {
            k: 2,
            min_score: None,
        };
        assert_eq!(rank(&scores, &top), [(1, 0.9), (3, 0.9)]);
        let above = CorpusSearch {
            k: 10,
            min_score: Some(0.5),
        };
        assert_eq!(
            rank(&scores, &above),
            [(1, 0.9), (3, 0.9), (5, 0.7), (2, 0.5)]
        );
    }

    #[test]
    fn an_empty_corpus_is_refused_with_its_count() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.txt");
        std::fs::write(&path, "  \n\n").unwrap();
        let err =
            read_corpus(&[path], ReadOptions::default(), &crate::observe::Silent).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("the corpus has no non-empty texts ("),
            "{err}"
        );
        assert!(err.to_string().contains("c.txt"), "{err}");
    }
}
