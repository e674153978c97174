//! One error type for the library. Each variant names what went wrong and, where a user can act,
//! the fix, because these messages end up verbatim on a terminal.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    // The io error is part of the message, not a `source`, so it is printed once.
    #[error("{path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
    #[error("{0}")]
    Input(String),
    /// The caller's observer asked the job to stop (a Python caller's Ctrl-C): nothing is
    /// wrong, and no partial result is returned.
    #[error("interrupted")]
    Cancelled,
    #[error("model: {0}")]
    Model(String),
    #[error("candle: {0}")]
    Candle(#[from] candle_core::Error),
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// A broken invariant inside claimscope (not the user's input): a bug to report.
    #[error("internal error (please report): {0}")]
    Internal(String),
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("safetensors: {0}")]
    Safetensors(#[from] safetensors::SafeTensorError),
    #[error("array shape: {0}")]
    Shape(#[from] ndarray::ShapeError),
    // Index errors name the index path and what to do, because the usual fix (rebuild, or pass
    // the model the index was built with) is not obvious from "invalid data".
    #[error("{path}: no index there; build one with `claimscope index build`")]
    IndexMissing { path: PathBuf },
    #[error("{path}: already exists; remove it or choose another output path")]
    IndexExists { path: PathBuf },
    #[error("{path}: not a claimscope index ({detail})")]
    NotAnIndex { path: PathBuf, detail: String },
    // `index build --resume` opens the index as it is, so it cannot repair one: the fix names
    // a fresh build.
    #[error(
        "{path}: index is corrupt: {detail}; rebuild it with `claimscope index build` into a new \
         directory (or after deleting this one; --resume cannot repair it) or restore a good copy"
    )]
    IndexCorrupt { path: PathBuf, detail: String },
    #[error(
        "{path}: index is truncated: {file} has {found} bytes, {expected} expected; \
         rebuild it with `claimscope index build` into a new directory (or after deleting this \
         one; --resume cannot repair it) or restore a complete copy"
    )]
    IndexTruncated {
        path: PathBuf,
        file: String,
        expected: u64,
        found: u64,
    },
    #[error(
        "{path}: index format version {found}, but this claimscope reads version {supported}; \
         rebuild the index with this claimscope"
    )]
    IndexVersion {
        path: PathBuf,
        found: u64,
        supported: u32,
    },
    #[error(
        "{path}: index was built with model {index}, not with {expected}; \
         use that model (--model) or rebuild the index"
    )]
    IndexModel {
        path: PathBuf,
        index: String,
        expected: String,
    },
    #[error("{what} has {found} dimensions, {expected} expected")]
    Dimension {
        what: String,
        expected: usize,
        found: usize,
    },
    #[error("nearest-neighbour index: {0}")]
    Ann(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A csv writer flushed at the end hands back its buffer or the io error that stopped it; csv
/// writers here write the command's output.
impl<W> From<csv::IntoInnerError<W>> for Error {
    fn from(e: csv::IntoInnerError<W>) -> Self {
        Error::Io {
            path: PathBuf::from("<output>"),
            err: e.into_error(),
        }
    }
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            err: source,
        }
    }
}
