//! claimscope: see how different outlets report the same claims.
//!
//! Data flows one way, one module per stage, each using only the stages before it:
//!
//! ```text
//! input -> ingest / records -> segment -> claims -> embed -> index -> matching (grouping,
//! classify) -> report
//! ```
//!
//! `input` reads bytes (stdin or files, capped lines, binary sniffing) for both `ingest`
//! (corpora of articles) and `records` (one text per line). `embed` turns texts into vectors
//! behind the `Backend` trait; `index` finds neighbours (`NeighbourSearch`) and stores vectors
//! on disk; `classify` labels stance and asserted confidence; `matching` groups claims across
//! documents; `report` renders groups. `eval` and `bench` measure the stages on public data.
//!
//! The library knows nothing of the command line: options are plain structs, progress and
//! warnings go out through [`observe::Observer`], and every failure is an [`Error`]. The
//! `cli` module is the outermost layer (clap arguments, terminal output) and nothing else in
//! the crate imports it.

pub mod bench;
pub mod claims;
pub mod classify;
pub mod cli;
pub mod dates;
pub mod devset;
pub mod embed;
pub mod error;
pub mod eval;
pub(crate) mod finetune;
pub mod grouping;
pub mod html;
pub mod index;
pub mod ingest;
pub mod input;
pub mod judge;
pub mod lexicon;
pub mod machine;
pub mod matching;
pub mod metrics;
pub mod observe;
pub mod outfile;
pub mod pair;
pub(crate) mod parquet_input;
pub mod pipeline;
pub mod records;
pub mod report;
pub mod report_html;
pub mod segment;
pub mod similar;
pub mod stories;
pub mod tables;
pub mod warc;

pub use error::{Error, Result};

/// The version and the build's identity, `0.1.0+1a2b3c4d5e6f`: a hash of the sources and the
/// lock file (`build.rs`), because the version alone does not change when behaviour does. What
/// `claimscope --version` prints, and what a resumable run records to refuse mixing builds.
pub const BUILD: &str = concat!(env!("CARGO_PKG_VERSION"), "+", env!("CLAIMSCOPE_BUILD"));
