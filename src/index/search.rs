//! Neighbour search over unit-length f32 vectors, where cosine similarity is the dot product.
//!
//! One trait, [`NeighbourSearch`], two implementations:
//! - [`Exact`]: a blocked matrix product (the `gemm` crate, AVX-512 where the CPU has it) over
//!   tiles of queries x stored vectors, spread over the rayon pool, with a bounded heap per query.
//!   Scores are exact, ties are broken by the smaller id, so results are reproducible.
//! - [`Hnsw`](super::ann::Hnsw): an approximate graph index (usearch), see [`super::ann`].
//!
//! [`build_search`] picks one by corpus size: below [`DEFAULT_EXACT_THRESHOLD`] vectors the
//! exact product is fast enough even for all-vs-all matching and needs no build step; above it,
//! all-vs-all grows quadratically and the graph wins.
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
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::ann::{AnnParams, Hnsw};
use super::vectors::Vectors;
use crate::error::{Error, Result};

/// Below this many vectors [`build_search`] uses exact search. Measured on 2 cores with 384-d
/// vectors (see benches/neighbours.rs): all-vs-all top-10 over 100k vectors takes about as long
/// exactly as building the graph and querying it, and a single exact query over 100k vectors is
/// a few milliseconds; above that the exact all-vs-all cost grows with n^2 and the graph wins.
pub const DEFAULT_EXACT_THRESHOLD: usize = 100_000;

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

/// How [`build_search`] chooses and configures the search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchConfig {
    /// Collections with fewer vectors than this are searched exactly.
    pub exact_threshold: usize,
    pub ann: AnnParams,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            exact_threshold: DEFAULT_EXACT_THRESHOLD,
            ann: AnnParams::default(),
        }
    }
}

impl SearchConfig {
    pub fn wants_ann(&self, n: usize) -> bool {
        n >= self.exact_threshold
    }
}

/// Exact search below `config.exact_threshold` vectors, an HNSW graph built now above it.
/// (An index on disk keeps its graph: see [`super::store::Store::searcher`].)
pub fn build_search(vectors: Vectors, config: &SearchConfig) -> Result<Box<dyn NeighbourSearch>> {
    if config.wants_ann(vectors.len()) {
        Ok(Box::new(Hnsw::build(vectors, &config.ann)?))
    } else {
        Ok(Box::new(Exact::new(vectors)))
    }
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

// ---------------------------------------------------------------------------------------------
// Exact search

/// Queries per tile: with `DATA_TILE` stored rows the score tile is 256 x 1024 f32 = 1 MiB, and
/// each packed data tile (1024 x 384 f32 = 1.5 MiB) is reused by 256 queries, which keeps the
/// product compute-bound instead of memory-bound.
const QUERY_TILE: usize = 256;
const DATA_TILE: usize = 1024;

/// Brute-force search: every query against every stored vector.
#[derive(Debug, Clone)]
pub struct Exact {
    vectors: Vectors,
}

impl Exact {
    pub fn new(vectors: Vectors) -> Self {
        Exact { vectors }
    }
}

/// A run of stored rows, `rows` x `dim`, whose first id is `start`.
#[derive(Clone, Copy)]
struct DataTile<'a> {
    start: usize,
    data: &'a [f32],
}

impl NeighbourSearch for Exact {
    fn kind(&self) -> SearchKind {
        SearchKind::Exact
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
        // A k beyond the corpus (say `-k 1000000000000`) must not size the heaps.
        let k = k.min(self.vectors.len());
        let (dim, nq) = (self.vectors.dim(), queries.nrows());
        let tiles: Vec<DataTile> = self
            .vectors
            .blocks()
            .flat_map(|(start, s)| {
                s.chunks(DATA_TILE * dim)
                    .enumerate()
                    .map(move |(i, data)| DataTile {
                        start: start + i * DATA_TILE,
                        data,
                    })
            })
            .collect();
        let q_tiles: Vec<usize> = (0..nq).step_by(QUERY_TILE).collect();
        // Enough tasks to keep every thread busy: with few query tiles (one query, a small
        // batch) the stored vectors are split instead, and the partial top-ks merged.
        let threads = rayon::current_num_threads().max(1);
        let parts = (2 * threads)
            .div_ceil(q_tiles.len().max(1))
            .clamp(1, tiles.len().max(1));
        let per_part = tiles.len().div_ceil(parts);
        let tasks: Vec<(usize, &[DataTile])> = q_tiles
            .iter()
            .flat_map(|&q0| tiles.chunks(per_part).map(move |t| (q0, t)))
            .collect();
        let partials: Vec<(usize, Vec<TopK>)> = tasks
            .into_par_iter()
            .map(|(q0, tiles)| {
                let q = queries.slice(ndarray::s![q0..(q0 + QUERY_TILE).min(nq), ..]);
                (q0, scan(q, q0, tiles, dim, k, keep))
            })
            .collect();
        let mut tops: Vec<Option<TopK>> = vec![None; nq];
        for (q0, part) in partials {
            for (i, t) in part.into_iter().enumerate() {
                match &mut tops[q0 + i] {
                    Some(acc) => acc.merge(t),
                    slot => *slot = Some(t),
                }
            }
        }
        Ok(tops
            .into_iter()
            .map(|t| t.map(TopK::into_sorted).unwrap_or_default())
            .collect())
    }
}

/// Top-k of the query rows `q` (rows `q0..` of the batch) over `tiles`.
fn scan(
    q: ArrayView2<f32>,
    q0: usize,
    tiles: &[DataTile],
    dim: usize,
    k: usize,
    keep: Option<&PairFilter>,
) -> Vec<TopK> {
    let m = q.nrows();
    let mut tops = vec![TopK::new(k); m];
    let mut scores = vec![0f32; m * DATA_TILE];
    for tile in tiles {
        let n = tile.data.len() / dim;
        let s = &mut scores[..m * n];
        dot_tile(s, &q, tile.data, dim);
        for (i, (top, row)) in tops.iter_mut().zip(s.chunks_exact(n)).enumerate() {
            for (j, &score) in row.iter().enumerate() {
                if top.admits(score) {
                    let id = tile.start + j;
                    if keep.is_none_or(|f| f(q0 + i, id)) {
                        top.push(score, id);
                    }
                }
            }
        }
    }
    tops
}

/// `out[i * n + j] = q[i] . data[j]` for the `n = data.len() / dim` rows of `data`.
fn dot_tile(out: &mut [f32], q: &ArrayView2<f32>, data: &[f32], dim: usize) {
    let (m, n) = (q.nrows(), data.len() / dim);
    // The checks that make the raw-pointer call below sound; they hold by construction.
    assert!(q.ncols() == dim && data.len() == n * dim && out.len() == m * n);
    if m == 0 || n == 0 {
        return;
    }
    let (q_rs, q_cs) = (q.strides()[0], q.strides()[1]);
    // SAFETY: dst is m x n row-major inside `out`; lhs is q (m x dim) with its own strides;
    // rhs is data viewed as dim x n (element (d, j) at j * dim + d); all three are in bounds by
    // the assert above, and `out` does not alias the inputs.
    unsafe {
        gemm::gemm(
            m,
            n,
            dim,
            out.as_mut_ptr(),
            1,
            n as isize,
            false,
            q.as_ptr(),
            q_cs,
            q_rs,
            data.as_ptr(),
            dim as isize,
            1,
            0.0,
            1.0,
            false,
            false,
            false,
            // One thread per tile: the parallelism is across tiles, which scales better than
            // splitting a 1 MiB product and avoids nesting two thread pools.
            gemm::Parallelism::None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    fn brute(data: &Array2<f32>, q: &[f32], k: usize) -> Vec<usize> {
        let mut s: Vec<(f32, usize)> = data
            .rows()
            .into_iter()
            .enumerate()
            .map(|(i, r)| (r.iter().zip(q).map(|(a, b)| a * b).sum(), i))
            .collect();
        s.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        s.into_iter().take(k).map(|x| x.1).collect()
    }

    #[test]
    fn topk_keeps_best_and_breaks_ties_by_id() {
        let mut t = TopK::new(3);
        for (s, id) in [(0.1, 0), (0.5, 1), (0.5, 2), (0.9, 3), (0.5, 4), (0.2, 5)] {
            t.push(s, id);
        }
        let ids: Vec<usize> = t.into_sorted().iter().map(|n| n.id).collect();
        assert_eq!(ids, vec![3, 1, 2]);
    }

    #[test]
    fn exact_matches_brute_force_with_strided_queries() {
        // Odd sizes so tiles are ragged; several blocks so ids cross block boundaries.
        let dim = 7;
        let n = 2 * DATA_TILE + 13;
        let data = Array2::from_shape_fn((n, dim), |(i, j)| ((i * 31 + j * 17) % 23) as f32 - 11.0);
        let mut v = Vectors::from_array(data.slice(ndarray::s![..1000, ..]).to_owned()).unwrap();
        v.push_owned(
            data.slice(ndarray::s![1000.., ..])
                .iter()
                .copied()
                .collect(),
        )
        .unwrap();
        let ex = Exact::new(v);
        // A transposed (column-major) query matrix exercises the stride handling.
        let qt = Array2::from_shape_fn((dim, 5), |(j, i)| ((i * 7 + j * 3) % 5) as f32 - 2.0);
        let queries = qt.t();
        let got = ex.search_batch(queries, 10).unwrap();
        for (i, row) in queries.rows().into_iter().enumerate() {
            let q: Vec<f32> = row.to_vec();
            let ids: Vec<usize> = got[i].iter().map(|n| n.id).collect();
            assert_eq!(ids, brute(&data, &q, 10), "query {i}");
            assert_eq!(ex.search(&q, 10).unwrap(), got[i]);
        }
    }

    #[test]
    fn filters_and_edge_cases() {
        let data = Array2::from_shape_fn((50, 4), |(i, j)| {
            (i as f32) * if j == 0 { 1.0 } else { 0.0 }
        });
        let ex = Exact::new(Vectors::from_array(data).unwrap());
        let q = [1.0, 0.0, 0.0, 0.0];
        let even = ex.search_filtered(&q, 3, &|id| id % 2 == 0).unwrap();
        assert_eq!(
            even.iter().map(|n| n.id).collect::<Vec<_>>(),
            vec![48, 46, 44]
        );
        assert!(ex.search(&q, 0).unwrap().is_empty());
        assert_eq!(ex.search(&q, 500).unwrap().len(), 50);
        assert!(matches!(
            ex.search(&[1.0, 0.0], 3),
            Err(Error::Dimension { .. })
        ));
        assert!(ex.search(&[f32::NAN, 0.0, 0.0, 0.0], 3).is_err());
        let all = ex.all_neighbours(2, None).unwrap();
        assert_eq!(all.len(), 50);
        assert!(
            all.iter()
                .enumerate()
                .all(|(i, r)| r.iter().all(|n| n.id != i))
        );
        let empty = Exact::new(Vectors::empty(4));
        assert!(empty.search(&q, 3).unwrap().is_empty());
    }
}
