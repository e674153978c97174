//! The filtered search of a sentence index (`similar --index`): the `k` nearest sentences to a
//! query vector from the outlets asked for, above a minimum score.
//!
//! Outlets are in the records, not the vectors, and reading a record costs a parse, so the
//! filter is not handed to the searcher (it would read a record for every candidate the graph
//! walk meets). Instead the search over-fetches, reads records only for what came back, and
//! widens the fetch until `k` pass or the index is exhausted. Embedding the query text is the
//! caller's business (see [`crate::similar::search_index`]), so this runs on any store and is
//! tested without a model.

use serde::Serialize;

use super::neighbour::NeighbourSearch;
use super::store::Store;
use crate::error::Result;
use crate::segment::Sentence;

/// What [`search`] keeps.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueryOptions {
    /// How many hits to return.
    pub k: usize,
    /// Only hits from these outlets (empty: any outlet).
    pub outlets: Vec<String>,
    /// No hits from these outlets.
    pub exclude_outlets: Vec<String>,
    /// Only hits with at least this cosine.
    pub min_score: Option<f32>,
}

impl QueryOptions {
    fn filtered(&self) -> bool {
        !self.outlets.is_empty() || !self.exclude_outlets.is_empty() || self.min_score.is_some()
    }

    fn keeps_outlet(&self, outlet: &str) -> bool {
        (self.outlets.is_empty() || self.outlets.iter().any(|o| same_outlet(o, outlet)))
            && !self.exclude_outlets.iter().any(|o| same_outlet(o, outlet))
    }
}

/// Whether an outlet named in a filter is a stored outlet. Ignoring case: names come from the
/// data (a JSONL field, a file name, a feed) and from what a user types, so "CNN", "cnn" and
/// "Cnn" are one outlet far more often than three, and an exact match turned a wrong case into
/// an empty result that looked like "nothing similar".
pub fn same_outlet(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b || a.to_lowercase() == b.to_lowercase()
    }
}

/// How many stored outlets [`outlet_warnings`] names before "and N more".
const OUTLETS_NAMED: usize = 8;

/// The outlets of `store` with their sentence counts, most sentences first (ties by name).
/// Reads every record (plain reads, see [`Store::scan_records`]).
pub fn outlets(store: &Store<Sentence>) -> Result<Vec<(String, usize)>> {
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    store.scan_records(|s| {
        *counts.entry(s.outlet).or_default() += 1;
        Ok(())
    })?;
    let mut out: Vec<(String, usize)> = counts.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}

/// What to tell the user about `opts.outlets` after [`search`] returned `hits`: an outlet asked
/// for that the index does not hold, with the outlets it does hold (an empty answer otherwise
/// reads as "nothing similar"), and an outlet matched only by ignoring case.
///
/// Whether an outlet is held is read from every record, so it is asked only when an outlet
/// asked for has no hit and fewer than `k` hits came back: then the search has already read
/// the records of the whole index (or stopped at `min_score`), and a query that filled its
/// `k` pays nothing.
pub fn outlet_warnings(
    store: &Store<Sentence>,
    opts: &QueryOptions,
    hits: &[IndexHit],
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for asked in &opts.outlets {
        let mut by_case: Vec<&str> = hits
            .iter()
            .map(|h| h.outlet.as_str())
            .filter(|o| o != asked && same_outlet(asked, o))
            .collect();
        by_case.sort_unstable();
        by_case.dedup();
        for o in by_case {
            out.push(format!(
                "--outlet {asked:?} matched the index's outlet {o:?} (outlet names are compared \
                 ignoring case)"
            ));
        }
    }
    let without_hit: Vec<&String> = opts
        .outlets
        .iter()
        .filter(|a| !hits.iter().any(|h| same_outlet(a, &h.outlet)))
        .collect();
    if without_hit.is_empty() || hits.len() >= opts.k {
        return Ok(out);
    }
    let held = outlets(store)?;
    let absent: Vec<String> = without_hit
        .into_iter()
        .filter(|a| !held.iter().any(|(o, _)| same_outlet(a, o)))
        .map(|a| format!("{a:?}"))
        .collect();
    if absent.is_empty() {
        return Ok(out);
    }
    let mut named: Vec<String> = held
        .iter()
        .take(OUTLETS_NAMED)
        .map(|(o, _)| format!("{o:?}"))
        .collect();
    if held.len() > OUTLETS_NAMED {
        named.push(format!("and {} more", held.len() - OUTLETS_NAMED));
    }
    out.push(format!(
        "no sentence of {} is from the outlet{} {} (case ignored); it holds {} outlet{}: {} \
         (`claimscope index info {}` lists them with their counts)",
        store.path().display(),
        if absent.len() == 1 { "" } else { "s" },
        absent.join(", "),
        held.len(),
        if held.len() == 1 { "" } else { "s" },
        named.join(", "),
        store.path().display()
    ));
    Ok(out)
}

/// One result: a stored sentence with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexHit {
    /// 1-based.
    pub rank: usize,
    pub score: f32,
    pub outlet: String,
    pub doc: String,
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// The best hits for `query` (a unit vector of the store's model) among `store`'s sentences, by
/// `searcher` over the store's vectors, best first.
pub fn search(
    store: &Store<Sentence>,
    searcher: &dyn NeighbourSearch,
    query: &[f32],
    opts: &QueryOptions,
) -> Result<Vec<IndexHit>> {
    let filtered = opts.filtered();
    // Twenty times k, at least 200: enough that one round usually suffices when the outlets
    // asked for hold a few percent of the index.
    let mut fetch = if filtered {
        opts.k.saturating_mul(20).max(200)
    } else {
        opts.k
    };
    loop {
        let found = searcher.search(query, fetch.min(store.len()))?;
        let mut hits = Vec::new();
        // Results come best first: once one is under the minimum, widening cannot help.
        let mut below_min = false;
        for n in &found {
            if opts.min_score.is_some_and(|m| n.score < m) {
                below_min = true;
                break;
            }
            let s = store.record(n.id)?;
            if !opts.keeps_outlet(&s.outlet) {
                continue;
            }
            hits.push(IndexHit {
                rank: hits.len() + 1,
                score: n.score,
                outlet: s.outlet,
                doc: s.doc,
                start: s.start,
                end: s.end,
                text: s.text,
            });
            if hits.len() == opts.k {
                break;
            }
        }
        if hits.len() >= opts.k || fetch >= store.len() || !filtered || below_min {
            return Ok(hits);
        }
        fetch = fetch.saturating_mul(4);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::ModelId;
    use crate::index::SearchConfig;
    use crate::segment::SentenceKind;
    use ndarray::Array2;

    const DIM: usize = 2;

    /// `n` sentences whose vectors turn away from (1, 0) as the id grows, so the score order is
    /// the id order; sentence `i` is from outlet "big" unless `i % every == every - 1`, then
    /// from "small".
    fn store(dir: &std::path::Path, n: usize, every: usize) -> Store<Sentence> {
        let model = ModelId::new("test/model", DIM).with_weights_sha256("ab".repeat(32));
        let mut store = Store::create(dir.join("idx"), model).unwrap();
        let records: Vec<Sentence> = (0..n)
            .map(|i| Sentence {
                doc: format!("doc-{i}"),
                outlet: if i % every == every - 1 {
                    "small"
                } else {
                    "big"
                }
                .into(),
                date: None,
                paragraph: 0,
                index: 0,
                start: 0,
                end: 5,
                kind: SentenceKind::Text,
                text: format!("sentence {i}"),
            })
            .collect();
        let v = Array2::from_shape_fn((n, DIM), |(i, j)| {
            let angle = i as f32 * 1e-3;
            if j == 0 { angle.cos() } else { angle.sin() }
        });
        store
            .add(&records, v.view(), &SearchConfig::default())
            .unwrap();
        store
    }

    fn run(store: &Store<Sentence>, opts: &QueryOptions) -> Vec<IndexHit> {
        let searcher = store.searcher(&SearchConfig::default()).unwrap();
        search(store, searcher.as_ref(), &[1.0, 0.0], opts).unwrap()
    }

    fn ids(hits: &[IndexHit]) -> Vec<String> {
        hits.iter().map(|h| h.doc.clone()).collect()
    }

    #[test]
    fn unfiltered_takes_the_k_best() {
        let dir = tempfile::tempdir().unwrap();
        let st = store(dir.path(), 50, 10);
        let hits = run(
            &st,
            &QueryOptions {
                k: 3,
                ..Default::default()
            },
        );
        assert_eq!(ids(&hits), ["doc-0", "doc-1", "doc-2"]);
        assert_eq!(hits.iter().map(|h| h.rank).collect::<Vec<_>>(), [1, 2, 3]);
        assert!(hits[0].score >= hits[1].score && hits[1].score >= hits[2].score);
    }

    #[test]
    fn a_rare_outlet_widens_the_fetch_until_k_are_found() {
        // One "small" sentence in 300 (ids 299, 599, ...): the first fetch (the 200 best) holds
        // none, the second (800) two, the third (the whole index) the four asked for.
        let dir = tempfile::tempdir().unwrap();
        let st = store(dir.path(), 1500, 300);
        let hits = run(
            &st,
            &QueryOptions {
                k: 4,
                outlets: vec!["small".into()],
                ..Default::default()
            },
        );
        assert_eq!(ids(&hits), ["doc-299", "doc-599", "doc-899", "doc-1199"]);
        assert!(hits.iter().all(|h| h.outlet == "small"));
        assert_eq!(
            hits.iter().map(|h| h.rank).collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );

        let fewer = run(
            &st,
            &QueryOptions {
                k: 10,
                outlets: vec!["small".into()],
                ..Default::default()
            },
        );
        assert_eq!(
            fewer.len(),
            5,
            "the whole index searched, all five returned"
        );

        let excluded = run(
            &st,
            &QueryOptions {
                k: 3,
                exclude_outlets: vec!["big".into()],
                ..Default::default()
            },
        );
        assert_eq!(ids(&excluded), ["doc-299", "doc-599", "doc-899"]);
    }

    #[test]
    fn outlets_match_whatever_their_case() {
        let dir = tempfile::tempdir().unwrap();
        let st = store(dir.path(), 50, 10);
        let asked = |outlets: &[&str], exclude: &[&str]| {
            run(
                &st,
                &QueryOptions {
                    k: 3,
                    outlets: outlets.iter().map(|o| o.to_string()).collect(),
                    exclude_outlets: exclude.iter().map(|o| o.to_string()).collect(),
                    ..Default::default()
                },
            )
        };
        assert_eq!(ids(&asked(&["SMALL"], &[])), ["doc-9", "doc-19", "doc-29"]);
        assert_eq!(ids(&asked(&[], &["Big"])), ["doc-9", "doc-19", "doc-29"]);
        assert!(same_outlet("Süddeutsche Zeitung", "SÜDDEUTSCHE ZEITUNG"));
        assert!(!same_outlet("CNN", "CNBC"));
    }

    #[test]
    fn an_outlet_the_index_lacks_is_named_with_those_it_holds() {
        let dir = tempfile::tempdir().unwrap();
        let st = store(dir.path(), 50, 10);
        let warnings = |outlets: &[&str], k: usize| {
            let opts = QueryOptions {
                k,
                outlets: outlets.iter().map(|o| o.to_string()).collect(),
                ..Default::default()
            };
            let hits = run(&st, &opts);
            (hits.len(), outlet_warnings(&st, &opts, &hits).unwrap())
        };
        let (n, w) = warnings(&["nosuch"], 3);
        assert_eq!(n, 0);
        assert_eq!(w.len(), 1, "{w:?}");
        for part in ["\"nosuch\"", "2 outlets: \"big\", \"small\"", "index info"] {
            assert!(w[0].contains(part), "{part}: {}", w[0]);
        }
        // Only the missing one is named; the one found is not.
        let (n, w) = warnings(&["small", "nosuch"], 10);
        assert_eq!(n, 5);
        assert!(
            w.len() == 1 && w[0].contains("outlet \"nosuch\" (case"),
            "{w:?}"
        );
        // Found by its case only: said so, nothing missing.
        let (n, w) = warnings(&["SMALL"], 3);
        assert_eq!(n, 3);
        assert_eq!(
            w,
            [
                "--outlet \"SMALL\" matched the index's outlet \"small\" (outlet names are \
              compared ignoring case)"
            ]
        );
        // Fewer than k, all from an outlet asked for: nothing to say.
        assert_eq!(warnings(&["small"], 10), (5, vec![]));
        assert_eq!(warnings(&[], 3), (3, vec![]));
    }

    #[test]
    fn min_score_stops_widening() {
        let dir = tempfile::tempdir().unwrap();
        let st = store(dir.path(), 1500, 300);
        // Between the scores of ids 250 and 251, above every "small" sentence's.
        let min = 0.2505f32.cos();
        let hits = run(
            &st,
            &QueryOptions {
                k: 4,
                outlets: vec!["small".into()],
                min_score: Some(min),
                ..Default::default()
            },
        );
        assert!(hits.is_empty(), "no small sentence scores that high");
        let all = run(
            &st,
            &QueryOptions {
                k: 1000,
                min_score: Some(min),
                ..Default::default()
            },
        );
        assert!(all.iter().all(|h| h.score >= min));
        assert_eq!(all.len(), 251);
    }
}
