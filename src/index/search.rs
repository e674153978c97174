//! Choosing a neighbour search: [`build_search`] picks [`Exact`] or [`Hnsw`] by corpus size.
//! Below [`DEFAULT_EXACT_THRESHOLD`] vectors the exact product is fast enough even for
//! all-vs-all matching and needs no build step; above it, all-vs-all grows quadratically and the
//! graph wins.
//!
//! This is the only module that knows both implementations; they know only
//! [`super::neighbour`]'s shared definitions, so neither imports the other.

use serde::{Deserialize, Serialize};

use super::ann::{AnnParams, Hnsw};
use super::exact::Exact;
use super::neighbour::NeighbourSearch;
use super::vectors::Vectors;
use crate::error::Result;

/// Below this many vectors [`build_search`] uses exact search. Measured on 2 cores with 384-d
/// vectors (see benches/neighbours.rs): all-vs-all top-10 over 100k vectors takes about as long
/// exactly as building the graph and querying it, and a single exact query over 100k vectors is
/// a few milliseconds; above that the exact all-vs-all cost grows with n^2 and the graph wins.
pub const DEFAULT_EXACT_THRESHOLD: usize = 100_000;

/// The most vectors an index on disk puts in one graph file (a single add of more gets a graph
/// of its own size). Building or extending a graph holds it in memory (an i8 graph of 250k
/// 384-d vectors is about 140 MB), so this bounds an index build's memory however big the
/// corpus; a query searches each graph and merges, so fewer, bigger graphs query faster.
pub const DEFAULT_GRAPH_MAX: usize = 250_000;

/// How [`build_search`] chooses and configures the search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchConfig {
    /// Collections with fewer vectors than this are searched exactly.
    pub exact_threshold: usize,
    pub ann: AnnParams,
    /// Vectors per graph file of an index on disk (see [`DEFAULT_GRAPH_MAX`]).
    #[serde(default = "default_graph_max")]
    pub graph_max: usize,
}

fn default_graph_max() -> usize {
    DEFAULT_GRAPH_MAX
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            exact_threshold: DEFAULT_EXACT_THRESHOLD,
            ann: AnnParams::default(),
            graph_max: DEFAULT_GRAPH_MAX,
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
