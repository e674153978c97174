//! The build's identity: `CLAIMSCOPE_BUILD`, the first 12 hex digits of a SHA-256 over the
//! library's sources and its lock file.
//!
//! Why: the version stays 0.1.0 while segmentation, the encoder and the labelling rules change
//! from commit to commit, and a resumable run (`claimscope.ray`) must not mix the outputs of
//! two of them in one directory. A hash of what the binary is built from tells them apart
//! without a version-bump policy anyone has to remember; a git commit would not (a wheel is
//! built from an sdist, and a checkout may have edits). Hand-written because no crate does
//! only this: `built` and `vergen` report git state and the toolchain, not the content.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let mut files = vec![root.join("Cargo.toml"), root.join("Cargo.lock")];
    rust_files(&root.join("src"), &mut files);
    // Sorted by path relative to the root: the same tree hashes alike wherever it is checked out.
    let mut named: Vec<(String, PathBuf)> = files
        .into_iter()
        .filter(|p| p.is_file())
        .map(|p| {
            let rel = p
                .strip_prefix(&root)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/");
            (rel, p)
        })
        .collect();
    named.sort();
    let mut hash = Sha256::new();
    for (rel, path) in &named {
        let bytes = std::fs::read(path).unwrap_or_default();
        hash.update(rel.as_bytes());
        hash.update([0]);
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(&bytes);
    }
    let digest = hex::encode(hash.finalize());
    println!("cargo:rustc-env=CLAIMSCOPE_BUILD={}", &digest[..12]);
    // A directory makes cargo rerun this script when anything under it changes.
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.toml");
    println!("cargo:rerun-if-changed=Cargo.lock");
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}
