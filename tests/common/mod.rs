//! Shared by the integration tests: the real model, found through the project's own model path
//! (`CLAIMSCOPE_MODEL`, else the default model via the HF cache / hub / PyPI mirror).

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use claimscope::embed::{DEFAULT_MODEL, Embedder};

pub fn model_spec() -> String {
    std::env::var("CLAIMSCOPE_MODEL").unwrap_or_else(|_| DEFAULT_MODEL.to_string())
}

pub fn embedder() -> &'static Embedder {
    static E: OnceLock<Embedder> = OnceLock::new();
    E.get_or_init(|| {
        Embedder::from_spec(&model_spec()).unwrap_or_else(|e| {
            panic!("model not available ({e}); run `claimscope model fetch` first")
        })
    })
}

/// `../shared` beside the checkout (read-only public data), or `CLAIMSCOPE_SHARED`.
pub fn shared(rel: &str) -> PathBuf {
    let root = std::env::var_os("CLAIMSCOPE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("shared")
        });
    assert!(
        root.join("data").is_dir(),
        "public data not found at {}: the tests need ../shared next to the checkout, or \
         CLAIMSCOPE_SHARED=/path/to/shared",
        root.display()
    );
    root.join(rel)
}

pub fn project(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The binary with `args`, on the test model (`CLAIMSCOPE_MODEL`), without backtraces.
pub fn run(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_claimscope"))
        .args(args)
        .env("CLAIMSCOPE_MODEL", model_spec())
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run claimscope")
}

/// [`run`], which must succeed (its stderr in the failure message).
pub fn run_ok(args: &[&str]) -> std::process::Output {
    let out = run(args);
    assert!(
        out.status.success(),
        "claimscope {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// An observer that asks the job to stop once any work has been counted: a caller's Ctrl-C
/// arriving during the first unit of work.
#[derive(Default)]
pub struct StopAfterOne(pub std::sync::atomic::AtomicU64);

impl claimscope::observe::Observer for StopAfterOne {
    fn advance(&self, n: u64) {
        self.0.fetch_add(n, std::sync::atomic::Ordering::SeqCst);
    }
    fn cancelled(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst) > 0
    }
}
