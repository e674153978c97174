//! Every input the fuzzers crashed on (minimised, after the fix) and the seeds they started
//! from, run on stable through the same checks as the fuzz targets (`fuzz/`, cargo-fuzz on
//! nightly): `fuzz/regressions/<target>/*`.

#[path = "support/fuzz_checks.rs"]
mod checks;

use std::path::PathBuf;

fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut out: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read input");
            (p, bytes)
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no inputs in {}", dir.display());
    out
}

fn run(target: &str, check: impl Fn(&[u8])) {
    for (path, bytes) in inputs(target) {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&bytes)));
        assert!(outcome.is_ok(), "{target}: {} fails again", path.display());
    }
}

fn utf8(check: fn(&str)) -> impl Fn(&[u8]) {
    move |b| {
        if let Ok(s) = std::str::from_utf8(b) {
            check(s)
        }
    }
}

#[test]
fn ingest() {
    run("ingest", checks::check_ingest);
}

#[test]
fn claims() {
    run("claims", utf8(checks::check_claims));
}

#[test]
fn cues() {
    run("cues", utf8(checks::check_cues));
}

#[test]
fn index_files() {
    run("index_files", checks::check_index_files);
}

#[test]
fn model_files() {
    run("model_files", checks::check_model_files);
}

/// The model seed is a whole (tiny) model: fuzzing from it reaches the embedding code, not only
/// the loaders' error paths.
#[test]
fn the_model_seed_loads_and_embeds() {
    use claimscope::embed::Embedder;
    use claimscope::embed::source::{ModelFiles, Origin};
    let seed = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/regressions/model_files/seed-tiny-bert"),
    )
    .expect("seed");
    let dir = tempfile::tempdir().expect("tmp");
    checks::write_model_dir(dir.path(), &seed);
    let files = ModelFiles {
        name: "seed".into(),
        dir: dir.path().to_path_buf(),
        origin: Origin::LocalDir,
    };
    let model = Embedder::load(&files).expect("the seed model loads");
    let e = model.embed(&["a b", "the report said"]).expect("embeds");
    assert_eq!(e.vectors.dim(), (2, 8));
}

/// The tokenizer crashes are refused at load, each by the check written for it (naming the
/// tokenizer file and the reason), not only by the catch-all probe encode.
#[test]
fn tokenizer_crashes_are_refused_with_their_reason() {
    use claimscope::embed::Embedder;
    use claimscope::embed::source::{ModelFiles, Origin};
    let reasons = [
        ("crash-tokenizer-decoder-panic", ""),
        (
            "crash-tokenizer-lone-surrogate",
            "invalid unicode code point",
        ),
        (
            "crash-tokenizer-template-renamed-type",
            "which its special_tokens do not define",
        ),
        (
            "crash-tokenizer-template-special-token",
            "which its special_tokens do not define",
        ),
        ("crash-tokenizer-template-sequence-b", "uses sequence B"),
    ];
    for (name, reason) in reasons {
        let bytes = std::fs::read(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("fuzz/regressions/model_files")
                .join(name),
        )
        .expect("crash input");
        let dir = tempfile::tempdir().expect("tmp");
        checks::write_model_dir(dir.path(), &bytes);
        let files = ModelFiles {
            name: name.into(),
            dir: dir.path().to_path_buf(),
            origin: Origin::LocalDir,
        };
        let err = match Embedder::load(&files) {
            Ok(_) => panic!("{name}: loads"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains("tokenizer.json"), "{name}: {err}");
        assert!(
            !err.contains("panicked"),
            "{name}: caught only as a panic: {err}"
        );
        assert!(err.contains(reason), "{name}: {err}");
    }
}
