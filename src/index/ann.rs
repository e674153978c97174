//! Approximate neighbour search: an HNSW graph from `usearch`, re-scored with the exact f32
//! vectors.
//!
//! # Why usearch, not hnsw_rs
//! Measured side by side on this project's 2-core machine (AVX-512), 100k clustered 384-d unit
//! vectors, M = 16, ef_construction = 128, ef_search = 64, 1,000 held-out queries, top 10
//! (the machine was shared with other builds, so treat the times as +-30%):
//!
//! | | usearch 2.26 (f32 graph) | hnsw_rs 0.3.5 (`DistDot`) |
//! |---|---|---|
//! | clean release build of the crate | 8 s C++ (+126 s for NumKong SIMD kernels, optional) | 40 s (+ env_logger, regex, mmap-rs, rand 0.10) |
//! | build, 2 threads | 52 s | 297 s |
//! | query, 1 thread | 0.65 ms | 1.6 ms |
//! | recall@10 | 0.991 | 0.992 |
//! | reopen | `view`: 7 ms, memory-mapped, graph and vectors | 0.9 s: graph parsed into RAM, only vectors mappable |
//!
//! usearch is five times faster to build and twice as fast to query for the same recall, and
//! it memory-maps the whole graph on open instead of rebuilding it in RAM. Its file has a
//! header that it checks (magic, sizes) and reports errors as values. hnsw_rs `assert!`s on a bad
//! magic number (a panic on a corrupt file), writes native-endian `usize`s, calls
//! `process::exit` on some bad parameters, and its reloaded `Hnsw<'b>` borrows the loader, which
//! would make the searcher self-referential. usearch also quantises the vectors it keeps in the
//! graph, which hnsw_rs cannot.
//!
//! # Quantised graph, exact scores
//! The graph stores its own copy of each vector for the distance computations of the walk.
//! Storing it as i8 instead of f32 (same 30k-vector set): build 4.4 s instead of 18.6 s, query
//! 65 us instead of 350 us, a quarter of the file size, but recall@10 drops to 0.944. Fetching
//! `oversample * k` candidates (2k) and re-scoring them with the exact f32 vectors (which the
//! index keeps anyway) brings recall back to 0.992 at 87 us per query. So the default is an i8
//! graph with exact re-scoring: returned scores are always exact cosines, only the candidate set
//! is approximate. f16 and f32 graphs remain available through [`Quantization`].
//!
//! # Threads
//! usearch keeps one search context per thread slot and fails a search when all are taken, so
//! slots are reserved for every rayon thread; build and batch search run on the rayon pool.

use std::path::Path;

use ndarray::ArrayView2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use usearch::{Index, IndexOptions, MetricKind, ScalarKind};

use super::neighbour::{Neighbour, NeighbourSearch, PairFilter, SearchKind, TopK, trivial_answer};
use super::scan;
use super::vectors::Vectors;
use crate::error::{Error, Result};

/// How the graph stores the vectors it walks on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Quantization {
    F32,
    F16,
    I8,
}

impl Quantization {
    fn scalar(self) -> ScalarKind {
        match self {
            Quantization::F32 => ScalarKind::F32,
            Quantization::F16 => ScalarKind::F16,
            Quantization::I8 => ScalarKind::I8,
        }
    }
}

/// HNSW parameters. The defaults gave recall@10 >= 0.99 on clustered 384-d data (module doc).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnParams {
    /// Links per node (HNSW's M); more = better recall, bigger graph, slower build.
    pub connectivity: usize,
    /// Beam width while inserting (ef_construction).
    pub expansion_add: usize,
    /// Beam width while searching (ef_search); a runtime knob, not stored in the graph.
    pub expansion_search: usize,
    pub quantization: Quantization,
    /// Candidates fetched per wanted neighbour before exact re-scoring.
    pub oversample: usize,
}

impl Default for AnnParams {
    fn default() -> Self {
        AnnParams {
            connectivity: 16,
            expansion_add: 128,
            expansion_search: 64,
            quantization: Quantization::I8,
            oversample: 2,
        }
    }
}

fn ann_err(e: impl std::fmt::Display) -> Error {
    Error::Ann(e.to_string())
}

fn path_str(path: &Path) -> Result<&str> {
    // usearch's file API takes UTF-8 strings.
    path.to_str()
        .ok_or_else(|| Error::Input(format!("{}: path is not UTF-8", path.display())))
}

/// An HNSW graph over [`Vectors`]; ids are the vectors' row numbers.
pub struct Hnsw {
    index: Index,
    vectors: Vectors,
    params: AnnParams,
}

impl std::fmt::Debug for Hnsw {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hnsw")
            .field("len", &self.index.size())
            .field("vectors", &self.vectors)
            .field("params", &self.params)
            .finish()
    }
}

impl Hnsw {
    fn options(dim: usize, p: &AnnParams) -> IndexOptions {
        IndexOptions {
            dimensions: dim,
            // Cosine rather than inner product: after i8 quantisation the stored vectors are no
            // longer unit length, and cosine divides that error out.
            metric: MetricKind::Cos,
            quantization: p.quantization.scalar(),
            connectivity: p.connectivity,
            expansion_add: p.expansion_add,
            expansion_search: p.expansion_search,
            multi: false,
        }
    }

    fn threads() -> usize {
        // +1: the thread that calls into rayon may search too (e.g. one query from `similar`).
        rayon::current_num_threads() + 1
    }

    /// Build a graph over all `vectors`, inserting in parallel on the rayon pool.
    pub fn build(vectors: Vectors, params: &AnnParams) -> Result<Self> {
        let mut h = Self::empty(vectors.dim(), params)?;
        h.extend(&vectors)?;
        Ok(h)
    }

    /// Insert `more` after the vectors already in the graph (their ids continue the sequence).
    /// Only for a graph in memory (built or [`load`](Self::load)ed), not a [`view`](Self::view).
    pub fn extend(&mut self, more: &Vectors) -> Result<()> {
        self.extend_from(more, more)
    }

    /// [`extend`](Self::extend), reading the vectors to insert from `rows` and keeping `keep`
    /// (the same vectors, e.g. memory-mapped) for re-scoring: an index inserts from a copy
    /// read with plain reads and keeps its mapped segments, so the pages of a big index are
    /// not pulled into the process through the map while its graph is built.
    pub fn extend_from(&mut self, keep: &Vectors, rows: &Vectors) -> Result<()> {
        if keep.len() != rows.len() || keep.dim() != rows.dim() {
            return Err(Error::Internal(format!(
                "graph insert of {} rows kept as {}",
                rows.len(),
                keep.len()
            )));
        }
        let mut all = self.vectors.clone();
        all.extend(keep)?;
        let first = self.vectors.len();
        self.index
            .reserve_capacity_and_threads(all.len(), Self::threads())
            .map_err(ann_err)?;
        let ids: Vec<(usize, &[f32])> = rows
            .blocks()
            .flat_map(|(start, s)| {
                s.chunks_exact(rows.dim())
                    .enumerate()
                    .map(move |(i, r)| (first + start + i, r))
            })
            .collect();
        ids.par_iter()
            .try_for_each(|&(id, r)| self.index.add(id as u64, r))
            .map_err(ann_err)?;
        self.vectors = all;
        Ok(())
    }

    /// An empty graph for `dim`-dimensional vectors, to [`extend`](Self::extend).
    pub fn empty(dim: usize, params: &AnnParams) -> Result<Self> {
        if dim == 0 {
            return Err(Error::Input("vectors of dimension 0".into()));
        }
        let index = Index::new(&Self::options(dim, params)).map_err(ann_err)?;
        Ok(Hnsw {
            index,
            vectors: Vectors::empty(dim),
            params: params.clone(),
        })
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        self.index.save(path_str(path)?).map_err(ann_err)
    }

    /// Check a graph file's header against the vectors it should index, before usearch reads
    /// the rest of it.
    fn check_file(path: &Path, vectors: &Vectors) -> Result<IndexOptions> {
        let meta = Index::metadata(path_str(path)?).map_err(ann_err)?;
        if meta.dimensions as usize != vectors.dim() || meta.count_present as usize != vectors.len()
        {
            return Err(Error::Ann(format!(
                "{}: graph holds {} vectors of dimension {}, the index {} of dimension {}",
                path.display(),
                meta.count_present,
                meta.dimensions,
                vectors.len(),
                vectors.dim()
            )));
        }
        Ok(meta.into())
    }

    /// Open a saved graph memory-mapped: nothing is read until searched. Read-only.
    pub fn view(path: &Path, vectors: Vectors, params: &AnnParams) -> Result<Self> {
        let opts = Self::check_file(path, &vectors)?;
        let index = Index::new(&opts).map_err(ann_err)?;
        index.view(path_str(path)?).map_err(ann_err)?;
        Self::opened(index, vectors, params)
    }

    /// Read a saved graph into memory, so that it can be [`extend`](Self::extend)ed.
    pub fn load(path: &Path, vectors: Vectors, params: &AnnParams) -> Result<Self> {
        let opts = Self::check_file(path, &vectors)?;
        let index = Index::new(&opts).map_err(ann_err)?;
        index.load(path_str(path)?).map_err(ann_err)?;
        Self::opened(index, vectors, params)
    }

    fn opened(index: Index, vectors: Vectors, params: &AnnParams) -> Result<Self> {
        index
            .reserve_capacity_and_threads(index.size(), Self::threads())
            .map_err(ann_err)?;
        index.change_expansion_search(params.expansion_search);
        let mut params = params.clone();
        params.connectivity = index.connectivity();
        params.expansion_add = index.expansion_add();
        Ok(Hnsw {
            index,
            vectors,
            params,
        })
    }

    pub fn params(&self) -> &AnnParams {
        &self.params
    }

    /// Bytes usearch holds in process memory (a view holds almost nothing).
    pub fn memory_usage(&self) -> usize {
        self.index.memory_usage()
    }

    fn search_one(
        &self,
        query: &[f32],
        qi: usize,
        k: usize,
        keep: Option<&PairFilter>,
    ) -> Result<Vec<Neighbour>> {
        // A k beyond the corpus must not size the heaps or the walk.
        let k = k.min(self.vectors.len());
        let want = k;
        let fetch = k
            .saturating_mul(self.params.oversample.max(1))
            .min(self.vectors.len());
        let found = match keep {
            None => self.index.search(query, fetch),
            Some(f) => self
                .index
                .filtered_search(query, fetch, |key| f(qi, key as usize)),
        }
        .map_err(ann_err)?;
        let mut top = TopK::new(k);
        for &key in &found.keys {
            if let Some(v) = self.vectors.row(key as usize) {
                top.push(dot(query, v), key as usize);
            }
        }
        let top = top.into_sorted();
        if top.len() >= want {
            return Ok(top);
        }
        // The walk found too few kept ids (a selective filter): scan exactly rather than
        // silently return less than exists.
        let q = ArrayView2::from_shape((1, query.len()), query).map_err(ann_err)?;
        let f = |_: usize, id: usize| keep.is_none_or(|f| f(qi, id));
        Ok(scan::top_k(&self.vectors, q, k, Some(&f))?
            .into_iter()
            .next()
            .unwrap_or_default())
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

impl NeighbourSearch for Hnsw {
    fn kind(&self) -> SearchKind {
        SearchKind::Approximate
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
        (0..queries.nrows())
            .into_par_iter()
            .map(|qi| (qi, queries.row(qi)))
            .map(|(qi, row)| match row.as_slice() {
                Some(q) => self.search_one(q, qi, k, keep),
                None => self.search_one(&row.to_vec(), qi, k, keep),
            })
            .collect()
    }
}
