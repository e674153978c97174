//! A search over consecutive id ranges, each with its own searcher (an index's graph files, and
//! the exact tail no graph covers yet), answers merged.
//!
//! An index on disk keeps several graphs so that building one never holds more than
//! `SearchConfig::graph_max` vectors in memory (Lucene and Qdrant segment their HNSW graphs for
//! the same reason). A query asks every part for its own top k and keeps the best k overall.
//! Each part's answer is exact-rescored, so the merge is exact over the parts' candidates;
//! recall is each graph's own (smaller graphs tend to recall at least as well as one big one),
//! and a query costs one graph walk per part.

use ndarray::ArrayView2;

use super::neighbour::{Neighbour, NeighbourSearch, PairFilter, SearchKind, TopK, trivial_answer};
use super::vectors::Vectors;
use crate::error::{Error, Result};

/// One part: a searcher over ids `start..start + searcher.len()` of the whole.
pub struct Part {
    pub start: usize,
    pub searcher: Box<dyn NeighbourSearch>,
}

/// Parts that tile `0..vectors.len()` in order.
pub struct Shards {
    parts: Vec<Part>,
    vectors: Vectors,
}

impl std::fmt::Debug for Shards {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shards")
            .field("parts", &self.parts.len())
            .field("vectors", &self.vectors)
            .finish()
    }
}

impl Shards {
    /// `parts` must tile `vectors`' ids back to back from 0, each over the same dimension.
    pub fn new(parts: Vec<Part>, vectors: Vectors) -> Result<Self> {
        let mut at = 0;
        for p in &parts {
            if p.start != at || p.searcher.dim() != vectors.dim() {
                return Err(Error::Internal(format!(
                    "search part at {} (dim {}) does not follow on from {at} (dim {})",
                    p.start,
                    p.searcher.dim(),
                    vectors.dim()
                )));
            }
            at += p.searcher.len();
        }
        if at != vectors.len() {
            return Err(Error::Internal(format!(
                "search parts cover {at} of {} vectors",
                vectors.len()
            )));
        }
        Ok(Shards { parts, vectors })
    }
}

impl NeighbourSearch for Shards {
    fn kind(&self) -> SearchKind {
        if self
            .parts
            .iter()
            .any(|p| p.searcher.kind() == SearchKind::Approximate)
        {
            SearchKind::Approximate
        } else {
            SearchKind::Exact
        }
    }

    fn vectors(&self) -> &Vectors {
        &self.vectors
    }

    fn search_batch_with(
        &self,
        queries: ArrayView2<f32>,
        k: usize,
        keep: Option<&PairFilter>,
    ) -> Result<Vec<Vec<Neighbour>>> {
        if let Some(r) = trivial_answer(&queries, &self.vectors, k)? {
            return Ok(r);
        }
        let mut best: Vec<TopK> = (0..queries.nrows()).map(|_| TopK::new(k)).collect();
        for p in &self.parts {
            let start = p.start;
            // The caller's filter speaks whole-index ids; the part's searcher its own.
            let shifted = keep.map(|f| move |qi: usize, id: usize| f(qi, start + id));
            let found = p.searcher.search_batch_with(
                queries,
                k,
                shifted.as_ref().map(|f| f as &PairFilter),
            )?;
            for (top, row) in best.iter_mut().zip(found) {
                for n in row {
                    top.push(n.score, start + n.id);
                }
            }
        }
        Ok(best.into_iter().map(TopK::into_sorted).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::exact::Exact;

    /// Split into parts, the search answers exactly as one search over everything, filters
    /// included (they see whole-index ids).
    #[test]
    fn parts_answer_as_the_whole() {
        let dim = 4;
        let n = 30;
        let data: Vec<f32> = (0..n * dim)
            .map(|i| ((i * 7919) % 97) as f32 / 97.0 - 0.5)
            .collect();
        let mut rows: Vec<f32> = Vec::new();
        for r in data.chunks(dim) {
            let norm = r.iter().map(|x| x * x).sum::<f32>().sqrt();
            rows.extend(r.iter().map(|x| x / norm));
        }
        let mut all = Vectors::empty(dim);
        for piece in [
            &rows[..10 * dim],
            &rows[10 * dim..25 * dim],
            &rows[25 * dim..],
        ] {
            all.push_owned(piece.to_vec()).unwrap();
        }
        let part = |start, len| Part {
            start,
            searcher: Box::new(Exact::new(all.range(start, len).unwrap())),
        };
        let shards =
            Shards::new(vec![part(0, 10), part(10, 15), part(25, 5)], all.clone()).unwrap();
        let whole = Exact::new(all.clone());
        let q = all.to_array();
        let odd = |_: usize, id: usize| id % 2 == 1;
        assert_eq!(
            shards.search_batch(q.view(), 5).unwrap(),
            whole.search_batch(q.view(), 5).unwrap()
        );
        assert_eq!(
            shards.search_batch_filtered(q.view(), 5, &odd).unwrap(),
            whole.search_batch_filtered(q.view(), 5, &odd).unwrap()
        );
        assert!(Shards::new(vec![part(0, 10), part(25, 5)], all).is_err());
    }
}
