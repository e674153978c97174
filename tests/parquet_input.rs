//! Parquet as input: a corpus kept as Parquet (pandas, Polars, Spark, DuckDB, or claimscope's
//! own Ray runs) is read row by row, alone or inside a folder, with the fields named as for
//! JSONL and CSV; a file without the text column stops the run, a damaged one is skipped.

mod common;

use common::run;

use std::path::Path;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, Date32Array, DictionaryArray, Int64Array, RecordBatch, StringArray};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use serde_json::Value;

const TEXTS: [&str; 3] = [
    "The minister approved the contract on Monday. Officials confirmed the decision.",
    "Critics called the deal a mistake.",
    "The central bank raised rates by half a point.",
];

/// Three articles with an integer id, a dictionary-encoded outlet, a `Date32` date, and a
/// null text in a fourth row; `compression` as the writer is told.
fn write(path: &Path, compression: Compression, text_column: &str) {
    let text: ArrayRef = Arc::new(StringArray::from(vec![
        Some(TEXTS[0]),
        Some(TEXTS[1]),
        None,
        Some(TEXTS[2]),
    ]));
    let id: ArrayRef = Arc::new(Int64Array::from(vec![Some(7), None, Some(9), Some(10)]));
    let outlet: ArrayRef = Arc::new(
        vec![Some("Wire"), Some("Daily"), Some("Wire"), None]
            .into_iter()
            .collect::<DictionaryArray<Int32Type>>(),
    );
    // 2020-10-21 is day 18,556 of the Unix epoch.
    let date: ArrayRef = Arc::new(Date32Array::from(vec![
        Some(18_556),
        None,
        None,
        Some(18_557),
    ]));
    let batch = RecordBatch::try_from_iter([
        ("id", id),
        (text_column, text),
        ("outlet", outlet),
        ("date", date),
    ])
    .expect("batch");
    let props = WriterProperties::builder()
        .set_compression(compression)
        .build();
    let file = std::fs::File::create(path).expect("create");
    let mut w = ArrowWriter::try_new(file, batch.schema(), Some(props)).expect("writer");
    w.write(&batch).expect("write");
    w.close().expect("close");
}

fn lines(out: &std::process::Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `segment PATH --format jsonl`, which must succeed.
fn segment_ok(path: &Path) -> std::process::Output {
    let out = run(&["segment", &path.to_string_lossy(), "--format", "jsonl"]);
    assert!(out.status.success(), "{}", stderr(&out));
    out
}

#[test]
fn a_parquet_corpus_is_read_row_by_row_with_its_fields() {
    let dir = tempfile::tempdir().expect("tmp");
    for (name, compression) in [
        ("snappy.parquet", Compression::SNAPPY),
        ("zstd.parquet", Compression::ZSTD(ZstdLevel::default())),
    ] {
        let path = dir.path().join(name);
        write(&path, compression, "text");
        let out = run(&["segment", &path.to_string_lossy(), "--format", "jsonl"]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let rows = lines(&out);
        // Two sentences of the first article, one of each other; the row without text is
        // skipped and said so, not read as an empty article.
        assert_eq!(rows.len(), 4, "{name}: {rows:?}");
        let docs: Vec<&str> = rows.iter().filter_map(|r| r["doc"].as_str()).collect();
        assert_eq!(docs, ["7", "7", &format!("{name}#2"), "10"], "{name}");
        assert_eq!(rows[0]["outlet"], "Wire");
        assert_eq!(rows[0]["date"], "2020-10-21");
        assert_eq!(rows[2]["outlet"], "Daily");
        assert_eq!(rows[3]["date"], "2020-10-22");
        assert_eq!(rows[2]["text"], TEXTS[1]);
        assert!(
            stderr(&out).contains(&format!("{name} row 3")) && stderr(&out).contains("no text"),
            "{name}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_folder_reads_its_parquet_files_beside_the_others() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        &dir.path().join("feed.parquet"),
        Compression::SNAPPY,
        "text",
    );
    std::fs::write(
        dir.path().join("note.txt"),
        "A plain article says one thing.",
    )
    .expect("write");
    let out = segment_ok(dir.path());
    let docs: std::collections::BTreeSet<String> = lines(&out)
        .iter()
        .filter_map(|r| r["doc"].as_str().map(str::to_string))
        .collect();
    assert_eq!(docs.len(), 4, "{docs:?}");
    assert!(docs.contains("note") && docs.contains("7"), "{docs:?}");
    assert!(
        !stderr(&out).contains("left out"),
        "the Parquet file was left out: {}",
        stderr(&out)
    );
}

#[test]
fn a_parquet_file_without_the_text_column_stops_the_run_naming_the_fix() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("bodies.parquet");
    write(&path, Compression::SNAPPY, "articleBody");
    let p = path.to_string_lossy().into_owned();
    let out = run(&["segment", &p, "--format", "jsonl"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    for want in [
        "bodies.parquet",
        "no column \"text\"",
        "articleBody",
        "--text-field",
    ] {
        assert!(err.contains(want), "{want:?} not in {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    // The fix it names works.
    let out = run(&[
        "segment",
        &p,
        "--format",
        "jsonl",
        "--text-field",
        "articleBody",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(lines(&out).len(), 4);
}

#[test]
fn a_damaged_parquet_file_is_skipped_and_the_others_are_read() {
    let dir = tempfile::tempdir().expect("tmp");
    let good = dir.path().join("a.parquet");
    write(&good, Compression::SNAPPY, "text");
    let bytes = std::fs::read(&good).expect("read");
    // Cut short, as an interrupted copy leaves it: the footer is gone.
    std::fs::write(dir.path().join("b.parquet"), &bytes[..bytes.len() / 2]).expect("write");
    std::fs::write(dir.path().join("c.parquet"), b"PAR1 not really").expect("write");
    let out = segment_ok(dir.path());
    assert_eq!(lines(&out).len(), 4);
    let err = stderr(&out);
    for name in ["b.parquet", "c.parquet"] {
        assert!(
            err.lines()
                .any(|l| l.contains(name) && l.contains("not a readable Parquet file")),
            "{name}: {err}"
        );
    }
    assert!(!err.contains("panicked"), "{err}");
}
