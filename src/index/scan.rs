//! The exact top-k kernel: every query against every stored vector, as a blocked matrix
//! product (the `gemm` crate, AVX-512 where the CPU has it) over tiles of queries x stored
//! vectors, spread over the rayon pool, with a bounded heap per query. Scores are exact and ties
//! go to the smaller id, so results are reproducible.
//!
//! It is a function over [`Vectors`] rather than a method of [`super::exact::Exact`] because two
//! searchers run it: [`Exact`](super::exact::Exact) for every query, and the approximate search
//! ([`super::ann`]) for a query whose filtered graph walk found too few ids. Keeping it here
//! lets both depend on it without depending on each other.

use ndarray::ArrayView2;
use rayon::prelude::*;

use super::neighbour::{Neighbour, PairFilter, TopK, trivial_answer};
use super::vectors::Vectors;
use crate::error::Result;

/// Queries per tile: with `DATA_TILE` stored rows the score tile is 256 x 1024 f32 = 1 MiB, and
/// each packed data tile (1024 x 384 f32 = 1.5 MiB) is reused by 256 queries, which keeps the
/// product compute-bound instead of memory-bound.
const QUERY_TILE: usize = 256;
pub(super) const DATA_TILE: usize = 1024;

/// The `k` best ids of `vectors` for each row of `queries` among those `keep` allows, best
/// first; see [`super::neighbour`] for the filter's contract.
pub(crate) fn top_k(
    vectors: &Vectors,
    queries: ArrayView2<f32>,
    k: usize,
    keep: Option<&PairFilter>,
) -> Result<Vec<Vec<Neighbour>>> {
    if let Some(r) = trivial_answer(&queries, vectors, k)? {
        return Ok(r);
    }
    // A k beyond the corpus (say `-k 1000000000000`) must not size the heaps.
    let k = k.min(vectors.len());
    let (dim, nq) = (vectors.dim(), queries.nrows());
    let tiles: Vec<DataTile> = vectors
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

/// A run of stored rows, `rows` x `dim`, whose first id is `start`.
#[derive(Clone, Copy)]
struct DataTile<'a> {
    start: usize,
    data: &'a [f32],
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
