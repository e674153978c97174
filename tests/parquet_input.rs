//! Parquet as input: a corpus kept as Parquet (pandas, Polars, Spark, DuckDB, or claimscope's
//! own Ray runs) is read row by row, alone or inside a folder, with the fields named as for
//! JSONL and CSV; a file without the text column stops the run, a damaged one is skipped.

mod common;

use common::run;

use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BinaryArray, Date32Array, DictionaryArray, Int64Array, RecordBatch, StringArray,
    StructArray, TimestampMillisecondArray,
};
use arrow_schema::{DataType, Field};
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

/// The `doc` of each output line, in order.
fn doc_ids(out: &std::process::Output) -> Vec<String> {
    lines(out)
        .iter()
        .filter_map(|r| r["doc"].as_str().map(str::to_string))
        .collect()
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
        ("lz4.parquet", Compression::LZ4_RAW),
        ("gzip.parquet", Compression::GZIP(Default::default())),
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
    let docs: std::collections::BTreeSet<String> = doc_ids(&out).into_iter().collect();
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

fn write_batch(path: &Path, batch: &RecordBatch, props: WriterProperties) {
    let file = std::fs::File::create(path).expect("create");
    let mut w = ArrowWriter::try_new(file, batch.schema(), Some(props)).expect("writer");
    w.write(batch).expect("write");
    w.close().expect("close");
}

/// Columns as pandas, Spark and Hive leave them: a time-zoned timestamp (which Arrow cannot
/// cast to text without a zone database), text as bytes, a title with parts.
#[test]
fn zoned_timestamps_bytes_and_nested_columns_read_as_the_other_formats_do() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("hive.parquet");
    // 2020-10-21T23:30:00Z
    let date: ArrayRef = Arc::new(
        TimestampMillisecondArray::from(vec![1_603_323_000_000, 1_603_323_000_000])
            .with_timezone("Europe/Paris"),
    );
    let text: ArrayRef = Arc::new(BinaryArray::from(vec![
        TEXTS[1].as_bytes(),
        b"Caf\xe9 owners said the rent doubled.".as_slice(),
    ]));
    let title: ArrayRef = Arc::new(StructArray::from(vec![(
        Arc::new(Field::new("main", DataType::Utf8, false)),
        Arc::new(StringArray::from(vec!["A", "B"])) as ArrayRef,
    )]));
    let batch = RecordBatch::try_from_iter([("text", text), ("date", date), ("title", title)])
        .expect("batch");
    write_batch(&path, &batch, WriterProperties::builder().build());
    let p = path.to_string_lossy().into_owned();

    // Latin-1 bytes stop the run at their row, as in a text file, with the fix...
    let out = run(&["segment", &p, "--format", "jsonl"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("hive.parquet row 2")
            && err.contains("invalid UTF-8")
            && err.contains("--lossy"),
        "{err}"
    );
    // ... which works; the instant reads as its UTC day, and the title with parts is left out,
    // said so.
    let out = run(&["segment", &p, "--format", "jsonl", "--lossy"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = lines(&out);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0]["date"], "2020-10-21T23:30:00Z");
    assert_eq!(rows[1]["text"], "Caf\u{fffd} owners said the rent doubled.");
    assert!(
        stderr(&out).contains("column \"title\" is Struct") && stderr(&out).contains("left out"),
        "{}",
        stderr(&out)
    );

    // Paragraphs kept as a list are not one text: refused, naming the fix.
    let mut list = ListBuilder::new(StringBuilder::new());
    list.values().append_value(TEXTS[0]);
    list.values().append_value(TEXTS[1]);
    list.append(true);
    let list: ArrayRef = Arc::new(list.finish());
    let path = dir.path().join("paragraphs.parquet");
    let batch = RecordBatch::try_from_iter([("text", list)]).expect("batch");
    write_batch(&path, &batch, WriterProperties::builder().build());
    let out = run(&["segment", &path.to_string_lossy(), "--format", "jsonl"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("paragraphs.parquet: column \"text\" is List")
            && stderr(&out).contains("join it into a string column"),
        "{}",
        stderr(&out)
    );
}

/// A damaged page costs the rows of its row group, not the row groups after it.
#[test]
fn a_damaged_row_group_loses_only_its_rows() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("groups.parquet");
    let texts: Vec<String> = (1..=300)
        .map(|i| format!("Article {i} says the bridge closes in May."))
        .collect();
    let text: ArrayRef = Arc::new(StringArray::from(texts));
    let batch = RecordBatch::try_from_iter([("text", text)]).expect("batch");
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(100))
        .build();
    write_batch(&path, &batch, props);
    // Overwrite the page header of the second row group's text column.
    let meta =
        parquet::file::reader::SerializedFileReader::new(std::fs::File::open(&path).expect("open"))
            .map(|r| parquet::file::reader::FileReader::metadata(&r).clone())
            .expect("metadata");
    let at = usize::try_from(meta.row_group(1).column(0).data_page_offset()).expect("offset");
    let mut bytes = std::fs::read(&path).expect("read");
    bytes[at..at + 16].fill(0xff);
    std::fs::write(&path, &bytes).expect("write");

    let out = segment_ok(&path);
    let docs = doc_ids(&out);
    let want: Vec<String> = (1..=100)
        .chain(201..=300)
        .map(|i| format!("groups.parquet#{i}"))
        .collect();
    assert_eq!(docs, want);
    let err = stderr(&out);
    assert!(
        err.contains("groups.parquet: rows 101-200 (row group 1) cannot be read")
            && err.contains("unreadable 1"),
        "{err}"
    );
}

/// `embed` and `similar --corpus` read one text per line: a Parquet file given there is pointed
/// to `segment`, not called binary.
#[test]
fn a_parquet_file_where_lines_are_read_names_segment() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("feed.parquet");
    write(&path, Compression::SNAPPY, "text");
    let out = run(&["embed", &path.to_string_lossy()]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("feed.parquet: a Parquet file is read as a corpus of articles")
            && err.contains("claimscope segment"),
        "{err}"
    );
}

/// A damaged page on which the arrow crates assert instead of returning an error (found by
/// mutating a file; `tests/data/parquet/damaged-page.parquet`): its row group is lost and said
/// so, the run goes on, and no panic reaches the user.
#[test]
fn a_page_the_decoder_panics_on_costs_its_row_group_not_the_run() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/parquet/damaged-page.parquet");
    let out = segment_ok(&path);
    let err = stderr(&out);
    assert!(
        err.contains("rows 11-20 (row group 1) cannot be read (damaged data:"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    let docs = doc_ids(&out);
    assert!(docs.contains(&"0".to_string()), "{docs:?}");
}

#[test]
fn a_column_named_twice_is_said_and_the_first_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("twice.parquet");
    let first: ArrayRef = Arc::new(StringArray::from(vec![Some(TEXTS[0])]));
    let second: ArrayRef = Arc::new(StringArray::from(vec![Some(TEXTS[1])]));
    let batch = RecordBatch::try_from_iter([("text", first), ("text", second)]).expect("batch");
    let file = std::fs::File::create(&path).expect("create");
    let mut w = ArrowWriter::try_new(file, batch.schema(), None).expect("writer");
    w.write(&batch).expect("write");
    w.close().expect("close");
    let out = common::run(&[
        "segment",
        path.to_str().expect("utf-8"),
        "--format",
        "jsonl",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("column \"text\" appears more than once; the first is read"),
        "{}",
        stderr(&out)
    );
    let texts: Vec<String> = lines(&out)
        .iter()
        .map(|l| l["text"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(texts[0], "The minister approved the contract on Monday.");
}
