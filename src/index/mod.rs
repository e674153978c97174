//! Nearest neighbours over sentence vectors, and the on-disk index that holds them.
//!
//! - [`search`]: the [`NeighbourSearch`] trait, exact search, and [`build_search`], which picks
//!   exact or approximate search by size.
//! - [`ann`]: the approximate (HNSW) search, with why usearch was chosen.
//! - [`vectors`]: owned or memory-mapped vector blocks sharing one id space.
//! - [`store`]: the versioned index directory (records, vectors, graph) with append.

pub mod ann;
pub mod search;
pub mod store;
pub mod vectors;

pub use ann::{AnnParams, Hnsw, Quantization};
pub use search::{
    DEFAULT_EXACT_THRESHOLD, Exact, Neighbour, NeighbourSearch, PairFilter, SearchConfig,
    SearchKind, build_search,
};
pub use store::{AddSummary, GraphAction, Store, StoreInfo};
pub use vectors::Vectors;
