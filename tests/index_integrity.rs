//! The binary over a damaged index, and `similar --index --outlet` naming what it cannot find:
//! a small index built in a temp dir from the bundled examples (real model).

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

/// Two documents of the bundled corpus: one from "BBC News", one from "CNN".
const DOCS: [&str; 2] = ["001_c6d5608b06e78f00.txt", "004_fba040d27b1b59c5.txt"];

/// A sentence of the BBC document, stored whole.
const STORED: &str = "The report also concluded with “high confidence” that China, which has long \
                      been accused of cyber-espionage by Washington, chose not to “deploy \
                      interference efforts” ahead of the vote.";

fn build(dir: &Path) -> PathBuf {
    let idx = dir.join("ex.csi");
    let corpus = common::project("examples/election-interference");
    let docs: Vec<String> = DOCS
        .iter()
        .map(|f| corpus.join(f).to_string_lossy().into_owned())
        .collect();
    let mut args = vec!["index", "build", "-o", s(&idx)];
    args.extend(docs.iter().map(String::as_str));
    common::run_ok(&args);
    idx
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).expect("json on stdout")
}

/// `similar QUERY --index IDX -k 1` as JSON.
fn nearest(idx: &Path, query: &str) -> Output {
    common::run(&[
        "similar",
        query,
        "--index",
        s(idx),
        "-k",
        "1",
        "--format",
        "json",
    ])
}

/// Every reader of the index fails, in one clean line naming the index, `file` and `what`,
/// with the fix.
fn readers_refuse(idx: &Path, file: &str, what: &str) {
    let cases: [&[&str]; 5] = [
        &["index", "info", s(idx)],
        &["similar", STORED, "--index", s(idx)],
        &["match", "--index", s(idx), "--no-labels"],
        // Nothing is appended to a damaged index, and --resume does not pass over the damage.
        &["index", "add", "--index", s(idx), "--resume", "-"],
        &["index", "build", "-o", s(idx), "--resume", "-"],
    ];
    for args in cases {
        let out = common::run(args);
        let err = stderr(&out);
        assert!(!out.status.success(), "{args:?} succeeded; stderr: {err}");
        for part in [s(idx), file, what, "claimscope index build"] {
            assert!(err.contains(part), "{args:?}: stderr lacks {part:?}: {err}");
        }
        assert!(
            !err.contains("panicked") && err.trim().lines().count() == 1,
            "{args:?}: not one clean line: {err}"
        );
    }
}

/// Overwrite `len` bytes in the middle of `p` with `A`s, keeping its size.
fn scribble_middle(p: &Path, len: usize) {
    let mut b = fs::read(p).expect("read");
    let at = b.len() / 2 - len / 2;
    b[at..at + len].fill(b'A');
    fs::write(p, b).expect("write");
}

#[test]
fn a_damaged_segment_fails_every_reader_with_the_file_and_the_fix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let idx = build(dir.path());
    // Stored text finds itself: the baseline the damage used to break silently.
    let v = json(&common::run_ok(&[
        "similar",
        STORED,
        "--index",
        s(&idx),
        "-k",
        "1",
        "--format",
        "json",
    ]));
    assert_eq!(v["results"][0]["text"], STORED);

    for file in ["seg-000001.safetensors", "seg-000001.jsonl"] {
        let p = idx.join(file);
        let clean = fs::read(&p).expect("read");

        // The walkthrough's damage: 400 bytes in the middle, the size unchanged.
        scribble_middle(&p, 400);
        readers_refuse(&idx, file, "does not match the sha256");

        fs::write(&p, &clean[..clean.len() - 100]).expect("truncate");
        readers_refuse(&idx, file, "truncated");

        fs::remove_file(&p).expect("remove");
        readers_refuse(&idx, file, "is missing");

        fs::write(&p, &clean).expect("restore");
    }
    // Restored, the index answers as before: the failures were the damage, not the check.
    let v = json(&nearest(&idx, STORED));
    assert_eq!(v["results"][0]["text"], STORED);
}

#[test]
fn an_outlet_filter_ignores_case_and_names_the_outlets_when_it_matches_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    let idx = build(dir.path());
    let query = |outlets: &[&str]| {
        let mut args = vec![
            "similar",
            STORED,
            "--index",
            s(&idx),
            "-k",
            "3",
            "--format",
            "json",
        ];
        for o in outlets {
            args.extend(["--outlet", o]);
        }
        common::run_ok(&args)
    };

    // "cnn" is the index's "CNN": its sentences, with a note saying how it matched.
    let out = query(&["cnn"]);
    let results = json(&out)["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(results.len(), 3);
    assert!(results.iter().all(|r| r["outlet"] == "CNN"), "{results:?}");
    assert!(
        stderr(&out).contains("--outlet \"cnn\" matched the index's outlet \"CNN\""),
        "{}",
        stderr(&out)
    );

    // An outlet the index lacks: no results, and a warning naming it and what the index holds.
    let out = query(&["Reuters"]);
    assert_eq!(json(&out)["results"], serde_json::json!([]));
    let err = stderr(&out);
    for part in [
        "warning: no sentence of",
        "\"Reuters\"",
        "2 outlets",
        "\"BBC News\"",
        "\"CNN\"",
        "index info",
    ] {
        assert!(err.contains(part), "stderr lacks {part:?}: {err}");
    }

    // An exact name: results and nothing to say.
    let out = query(&["BBC News"]);
    assert_eq!(json(&out)["results"][0]["text"], STORED);
    assert!(!stderr(&out).contains("outlet"), "{}", stderr(&out));
}
