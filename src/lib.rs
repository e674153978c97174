//! claimscope: see how different outlets report the same claims.
//!
//! Data flows one way: text -> sentences -> vectors -> neighbours/labels -> report.
//! Each stage is a module named for what it does.

pub mod cli;
pub mod embed;
pub mod error;
pub mod index;
pub mod records;

pub use error::{Error, Result};
