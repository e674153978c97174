//! claimscope: see how different outlets report the same claims.
//!
//! Data flows one way: text -> sentences -> vectors -> neighbours/labels -> report.
//! Each stage is a module named for what it does.

pub mod bench;
pub mod claims;
pub mod classify;
pub mod cli;
pub mod embed;
pub mod error;
pub mod eval;
pub mod grouping;
pub mod index;
pub mod ingest;
pub mod input;
pub mod lexicon;
pub mod matching;
pub mod metrics;
pub mod observe;
pub mod pair;
pub mod records;
pub mod report;
pub mod segment;

pub use error::{Error, Result};
