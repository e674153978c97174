//! Nearest neighbours over sentence vectors, and the on-disk index that holds them.
//!
//! The search half is layered so that no two files import each other:
//! - [`vectors`]: owned or memory-mapped vector blocks sharing one id space.
//! - [`neighbour`]: what a search is: the [`NeighbourSearch`] trait, [`Neighbour`], filters, the
//!   bounded top-k heap. Depends only on [`vectors`].
//! - `scan`: the exact blocked top-k kernel, used by [`exact`] and by [`ann`]'s fallback.
//! - [`exact`]: [`Exact`], the searcher that scores every vector.
//! - [`ann`]: [`Hnsw`], the approximate (HNSW) search, with why usearch was chosen.
//! - [`search`]: [`SearchConfig`] and [`build_search`], the one place that picks between
//!   [`exact`] and [`ann`] by size.
//! - [`shards`]: several searchers over consecutive id ranges as one (an index's graph files).
//!
//! On top of it:
//! - [`store`]: the versioned index directory (records, vectors, graph) with append.
//! - [`corpus`]: a corpus of sentences in a store: segment, embed and add it (`index build` and
//!   `index add`), and read it back as documents (`match --index`).
//! - [`query`]: the filtered search of a sentence index (`similar --index`).

pub mod ann;
pub mod corpus;
pub mod exact;
pub mod neighbour;
pub mod query;
pub(crate) mod scan;
pub mod search;
pub mod shards;
pub mod store;
pub mod vectors;

pub use ann::{AnnParams, Hnsw, Quantization};
pub use exact::Exact;
pub use neighbour::{Neighbour, NeighbourSearch, PairFilter, SearchKind};
pub use search::{DEFAULT_EXACT_THRESHOLD, SearchConfig, build_search};
pub use store::{AddSummary, GraphAction, Store, StoreInfo};
pub use vectors::Vectors;
