//! What a neighbour search is, shared by every implementation: the [`NeighbourSearch`] trait,
//! its result type [`Neighbour`], the filter type, query checks, and the bounded `TopK` heap
//! that ranks candidates.
//!
//! This file depends on nothing but [`super::vectors`], so the implementations
//! ([`super::exact`], [`super::ann`]) can both depend on it without depending on each other;
//! [`super::search`] picks between them.
//!
//! # Filters
//! Every search can take a filter, `keep(query, id) -> bool`, called for candidates only: ids
//! it rejects are never returned, and the search still tries to return `k` kept ids (it does not
//! fetch `k` and then drop some). `query` is the row of the query matrix, or for
//! [`NeighbourSearch::all_neighbours`] the id of the stored vector whose neighbours are sought,
//! so "not from the same document" is `|q, id| doc[q] != doc[id]`. The exact search applies the
//! filter inside its scan, so it is always exact. The approximate search applies it inside the
//! graph walk and falls back to an exact scan for a query whose walk found fewer than `k` kept
//! ids (a very selective filter, e.g. one small outlet out of fifty), so a filter never silently
//! shrinks results; such a fallback costs one linear scan for that query. The filter is called
//! from several threads, hence `Sync`; keep it cheap (a lookup in a `Vec`), it runs once per
//! candidate that would enter the top k.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use ndarray::{ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use super::vectors::Vectors;
use crate::error::{Error, Result};

/// One search result: the id of a stored vector and its cosine similarity to the query.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Neighbour {
    pub id: usize,
    pub score: f32,
}

/// `keep(query, id)`: whether `id` may be returned for `query`; see the module doc.
pub type PairFilter<'a> = dyn Fn(usize, usize) -> bool + Sync + 'a;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SearchKind {
    Exact,
    Approximate,
}

impl std::fmt::Display for SearchKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SearchKind::Exact => "exact",
            SearchKind::Approximate => "approximate (HNSW)",
        })
    }
}

/// Nearest neighbours by cosine similarity among stored unit vectors.
///
/// Results are sorted best first; fewer than `k` come back only when fewer than `k` stored ids
/// pass the filter. Queries must have the index's dimension and finite components, and should
/// be unit length like the stored vectors (scores are plain dot products).
pub trait NeighbourSearch: Send + Sync {
    fn kind(&self) -> SearchKind;

    /// The stored vectors; ids are rows of this.
    fn vectors(&self) -> &Vectors;

    /// The `k` best neighbours of each row of `queries` among the ids `keep` allows.
    fn search_batch_with(
        &self,
        queries: ArrayView2<f32>,
        k: usize,
        keep: Option<&PairFilter>,
    ) -> Result<Vec<Vec<Neighbour>>>;

    fn dim(&self) -> usize {
        self.vectors().dim()
    }

    fn len(&self) -> usize {
        self.vectors().len()
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn search(&self, query: &[f32], k: usize) -> Result<Vec<Neighbour>> {
        first_row(self.search_batch_with(row_view(query)?, k, None))
    }

    /// Like [`search`](Self::search) with `keep(id)` deciding which ids may be returned.
    fn search_filtered(
        &self,
        query: &[f32],
        k: usize,
        keep: &(dyn Fn(usize) -> bool + Sync),
    ) -> Result<Vec<Neighbour>> {
        first_row(self.search_batch_with(row_view(query)?, k, Some(&|_, id| keep(id))))
    }

    fn search_batch(&self, queries: ArrayView2<f32>, k: usize) -> Result<Vec<Vec<Neighbour>>> {
        self.search_batch_with(queries, k, None)
    }

    fn search_batch_filtered(
        &self,
        queries: ArrayView2<f32>,
        k: usize,
        keep: &PairFilter,
    ) -> Result<Vec<Vec<Neighbour>>> {
        self.search_batch_with(queries, k, Some(keep))
    }

    /// The k-nearest-neighbour graph of the stored vectors: for every id, its `k` best other
    /// ids (never itself) that `keep(id, other)` allows. This is what claim matching runs on.
    fn all_neighbours(&self, k: usize, keep: Option<&PairFilter>) -> Result<Vec<Vec<Neighbour>>> {
        let mut out = Vec::with_capacity(self.len());
        for (start, block) in self.vectors().views() {
            let not_self = |q: usize, id: usize| {
                let q = start + q;
                id != q && keep.is_none_or(|f| f(q, id))
            };
            out.extend(self.search_batch_with(block, k, Some(&not_self))?);
        }
        Ok(out)
    }
}

fn row_view(query: &[f32]) -> Result<ArrayView2<'_, f32>> {
    ArrayView2::from_shape((1, query.len()), query).map_err(|e| Error::Input(e.to_string()))
}

fn first_row(r: Result<Vec<Vec<Neighbour>>>) -> Result<Vec<Neighbour>> {
    Ok(r?.into_iter().next().unwrap_or_default())
}

/// Check the queries, and answer at once when there is nothing to search: `Some(empty lists)`
/// for `k == 0` or no stored vectors, `None` when the search has work to do.
pub(crate) fn trivial_answer(
    queries: &ArrayView2<f32>,
    vectors: &Vectors,
    k: usize,
) -> Result<Option<Vec<Vec<Neighbour>>>> {
    check_queries(queries, vectors.dim())?;
    Ok((k == 0 || vectors.is_empty()).then(|| vec![Vec::new(); queries.nrows()]))
}

/// Refuse queries a search could not answer meaningfully, before any work is done.
fn check_queries(queries: &ArrayView2<f32>, dim: usize) -> Result<()> {
    if queries.ncols() != dim {
        return Err(Error::Dimension {
            what: "query".into(),
            expected: dim,
            found: queries.ncols(),
        });
    }
    if let Some((i, _)) = queries
        .axis_iter(Axis(0))
        .enumerate()
        .find(|(_, r)| r.iter().any(|x| !x.is_finite()))
    {
        return Err(Error::Input(format!(
            "query {i} has a non-finite component"
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Bounded top-k

/// A candidate ordered by score, then by smaller id, so equal scores rank deterministically.
#[derive(Debug, Clone, Copy)]
struct Cand {
    score: f32,
    id: usize,
}

impl PartialEq for Cand {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Cand {}
impl PartialOrd for Cand {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Cand {
    fn cmp(&self, o: &Self) -> Ordering {
        self.score
            .total_cmp(&o.score)
            .then_with(|| o.id.cmp(&self.id))
    }
}

/// The best `k` candidates seen so far: a min-heap whose root is the one to evict.
#[derive(Debug, Clone)]
pub(crate) struct TopK {
    k: usize,
    heap: BinaryHeap<Reverse<Cand>>,
    /// The root's score once full: anything strictly below is rejected without touching the heap,
    /// which is the common case after the first few thousand candidates.
    floor: f32,
}

impl TopK {
    pub(crate) fn new(k: usize) -> Self {
        TopK {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
            floor: f32::NEG_INFINITY,
        }
    }

    /// Whether `score` could enter (cheap pre-check before running a filter).
    #[inline]
    pub(crate) fn admits(&self, score: f32) -> bool {
        self.k > 0 && score >= self.floor
    }

    #[inline]
    pub(crate) fn push(&mut self, score: f32, id: usize) {
        if self.k == 0 {
            return;
        }
        let c = Cand { score, id };
        if self.heap.len() < self.k {
            self.heap.push(Reverse(c));
        } else if let Some(mut root) = self.heap.peek_mut() {
            if c > root.0 {
                *root = Reverse(c);
            } else {
                return;
            }
        }
        if self.heap.len() == self.k {
            self.floor = self.heap.peek().map_or(f32::NEG_INFINITY, |r| r.0.score);
        }
    }

    pub(crate) fn merge(&mut self, other: TopK) {
        for Reverse(c) in other.heap {
            self.push(c.score, c.id);
        }
    }

    pub(crate) fn into_sorted(self) -> Vec<Neighbour> {
        let mut v: Vec<Cand> = self.heap.into_iter().map(|r| r.0).collect();
        v.sort_unstable_by(|a, b| b.cmp(a));
        v.into_iter()
            .map(|c| Neighbour {
                id: c.id,
                score: c.score,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topk_keeps_best_and_breaks_ties_by_id() {
        let mut t = TopK::new(3);
        for (s, id) in [(0.1, 0), (0.5, 1), (0.5, 2), (0.9, 3), (0.5, 4), (0.2, 5)] {
            t.push(s, id);
        }
        let ids: Vec<usize> = t.into_sorted().iter().map(|n| n.id).collect();
        assert_eq!(ids, vec![3, 1, 2]);
    }
}
