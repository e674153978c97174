//! Input fields named like a field the output writes (`stance`, `source`, `embedding`, `row`,
//! ...): the output's field holds the tool's value, and the input's is kept, renamed by one
//! scheme (`input_` in front, once more for each `input_` it already has), with one warning
//! per run. Inputs without such names give the output they always gave.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use common::run_ok;
use serde_json::Value;

const WARNING: &str = "input fields kept under new names";
const STANCES: [&str; 4] = ["agree", "disagree", "discuss", "unrelated"];

fn write(dir: &Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, body).expect("write input");
    p.to_string_lossy().into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn jsonl(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// The warning about renamed fields comes once per run.
fn warned_once(out: &Output) -> String {
    let err = stderr(out);
    assert_eq!(err.matches(WARNING).count(), 1, "{err}");
    err
}

/// A Parquet file's column names and its rows as text (numbers as written, lists as JSON-like
/// text), read with the parquet crate.
fn parquet(path: &str) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let file = std::fs::File::open(path).expect("open parquet");
    let batches: Vec<arrow_array::RecordBatch> =
        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .expect("a parquet file")
            .build()
            .expect("reader")
            .collect::<Result<_, _>>()
            .expect("batches");
    let schema = batches[0].schema();
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let options = arrow_cast::display::FormatOptions::default();
    let mut rows = Vec::new();
    for b in &batches {
        let formatters: Vec<_> = b
            .columns()
            .iter()
            .map(|c| arrow_cast::display::ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<_, _>>()
            .expect("formatters");
        for i in 0..b.num_rows() {
            rows.push(
                names
                    .iter()
                    .zip(&formatters)
                    .map(|(n, f)| (n.clone(), f.value(i).to_string()))
                    .collect(),
            );
        }
    }
    (names, rows)
}

fn assert_unique(columns: &[String]) {
    let mut sorted = columns.to_vec();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        columns.len(),
        "duplicate columns: {columns:?}"
    );
}

#[test]
fn classify_stance_keeps_the_inputs_stance_source_and_line_beside_its_own() {
    let dir = tempfile::tempdir().expect("tmp");
    let ss = write(
        dir.path(),
        "ss.jsonl",
        "{\"text\":\"The minister quit.\",\"stance\":\"gold\",\"source\":\"reuters\",\"line\":77}\n\
         {\"text\":\"The minister stayed in office.\",\"stance\":\"gold2\"}\n",
    );
    let args = [
        "classify",
        "--task",
        "stance",
        "--claim",
        "The minister resigned.",
        "--sentences",
        &ss,
        "--all",
    ];
    let out = run_ok(&args);
    let rows = jsonl(&out);
    assert_eq!(rows.len(), 2);
    for (i, r) in rows.iter().enumerate() {
        assert!(STANCES.contains(&r["stance"].as_str().unwrap_or("")), "{r}");
        // Provenance is the real file and line, not the input's claims about them.
        assert_eq!(r["source"], ss.as_str(), "{r}");
        assert_eq!(r["line"], i + 1, "{r}");
        assert!(r["scores"]["agree"].is_f64(), "{r}");
    }
    assert_eq!(rows[0]["input_stance"], "gold");
    assert_eq!(rows[0]["input_source"], "reuters");
    assert_eq!(rows[0]["input_line"], 77);
    assert_eq!(rows[1]["input_stance"], "gold2");
    assert!(rows[1].get("input_source").is_none(), "{}", rows[1]);
    let err = warned_once(&out);
    assert!(
        err.contains("\"stance\" -> \"input_stance\" (first at ")
            && err.contains("ss.jsonl:1)")
            && err.contains("\"source\" -> \"input_source\"")
            && err.contains("\"line\" -> \"input_line\""),
        "{err}"
    );

    let pq = dir.path().join("ss.parquet").to_string_lossy().into_owned();
    let mut with_parquet = args.to_vec();
    with_parquet.extend(["--format", "parquet", "-o", &pq]);
    warned_once(&run_ok(&with_parquet));
    let (columns, rows) = parquet(&pq);
    assert_unique(&columns);
    assert_eq!(rows.len(), 2);
    assert!(STANCES.contains(&rows[0]["stance"].as_str()), "{rows:?}");
    assert_eq!(rows[0]["input_stance"], "gold");
    assert_eq!(rows[0]["source"], ss);
    assert_eq!(rows[0]["line"], "1");
    assert_eq!(rows[0]["input_source"], "reuters");
    assert_eq!(rows[0]["input_line"], "77");
    assert!(rows[0]["scores_agree"].parse::<f64>().is_ok(), "{rows:?}");
}

#[test]
fn classify_confidence_keeps_the_inputs_confidence_and_probability() {
    let dir = tempfile::tempdir().expect("tmp");
    let c = write(
        dir.path(),
        "c.jsonl",
        "{\"text\":\"The minister quit.\",\"confidence\":\"gold\",\"probability\":0.25}\n",
    );
    let out = run_ok(&["classify", "--task", "confidence", "--sentences", &c]);
    let rows = jsonl(&out);
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_ne!(r["confidence"], "gold", "{r}");
    assert!(r["confidence"].is_string(), "{r}");
    let p = r["probability"].as_f64().expect("probability");
    // The shipped model is sure of a plain report; the input's 0.25 is not its figure.
    assert!(p > 0.5 && p <= 1.0, "{r}");
    assert_eq!(r["input_confidence"], "gold");
    assert_eq!(r["input_probability"], 0.25);
    let err = warned_once(&out);
    assert!(
        err.contains("\"probability\" -> \"input_probability\""),
        "{err}"
    );
}

#[test]
fn classify_pairs_shifts_a_chain_of_input_names_and_names_the_same_in_every_row() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = write(
        dir.path(),
        "p.jsonl",
        "{\"claim\":\"The minister resigned.\",\"text\":\"The minister quit.\",\"stance\":\"gold\",\"input_stance\":\"older\",\"scores\":\"x\"}\n\
         {\"claim\":\"The minister resigned.\",\"text\":\"The minister denied quitting.\",\"input_stance\":\"alone\"}\n",
    );
    let out = run_ok(&["classify", "--task", "stance", "--pairs", &p]);
    let rows = jsonl(&out);
    assert_eq!(rows.len(), 2);
    for r in &rows {
        assert!(STANCES.contains(&r["stance"].as_str().unwrap_or("")), "{r}");
        assert!(r["scores"]["agree"].is_f64(), "{r}");
        assert_eq!(r["claim"], "The minister resigned.");
    }
    assert_eq!(rows[0]["input_stance"], "gold");
    assert_eq!(rows[0]["input_input_stance"], "older");
    assert_eq!(rows[0]["input_scores"], "x");
    // `input_stance` always means the input's `stance`: a row without one has none, and its
    // own `input_stance` is moved along as in every other row.
    assert!(rows[1].get("input_stance").is_none(), "{}", rows[1]);
    assert_eq!(rows[1]["input_input_stance"], "alone");
    let err = warned_once(&out);
    assert!(
        err.contains("\"input_stance\" -> \"input_input_stance\""),
        "{err}"
    );

    let pq = dir.path().join("p.parquet").to_string_lossy().into_owned();
    run_ok(&[
        "classify", "--task", "stance", "--pairs", &p, "--format", "parquet", "-o", &pq,
    ]);
    let (columns, rows) = parquet(&pq);
    assert_unique(&columns);
    assert_eq!(rows[0]["input_stance"], "gold");
    assert_eq!(rows[0]["input_input_stance"], "older");
    assert_eq!(rows[0]["input_scores"], "x");
    assert!(STANCES.contains(&rows[0]["stance"].as_str()), "{rows:?}");
    assert!(rows[0]["scores_agree"].parse::<f64>().is_ok(), "{rows:?}");
}

#[test]
fn embed_writes_one_embedding_and_keeps_the_inputs_as_input_embedding() {
    let dir = tempfile::tempdir().expect("tmp");
    let e = write(
        dir.path(),
        "e.jsonl",
        "{\"text\":\"Hi there.\",\"embedding\":[1,2]}\n",
    );
    let out = run_ok(&["embed", &e]);
    let line = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(line.matches("\"embedding\":").count(), 1, "{line}");
    let rows = jsonl(&out);
    assert_eq!(rows[0]["embedding"].as_array().map(Vec::len), Some(384));
    assert_eq!(rows[0]["input_embedding"], serde_json::json!([1, 2]));
    warned_once(&out);

    let pq = dir.path().join("e.parquet").to_string_lossy().into_owned();
    warned_once(&run_ok(&["embed", &e, "--format", "parquet", "-o", &pq]));
    let (columns, rows) = parquet(&pq);
    assert_unique(&columns);
    assert_eq!(columns.last().map(String::as_str), Some("embedding"));
    assert_eq!(rows[0]["input_embedding"], "[1,2]");
    assert_eq!(rows[0]["embedding"].matches(',').count(), 383);
}

#[test]
fn a_flattened_field_meeting_a_field_of_its_name_is_kept_renamed() {
    let dir = tempfile::tempdir().expect("tmp");
    let m = write(
        dir.path(),
        "m.jsonl",
        "{\"text\":\"The minister quit.\",\"meta\":{\"a\":1},\"meta_a\":2}\n",
    );
    let pq = dir.path().join("m.parquet").to_string_lossy().into_owned();
    let out = run_ok(&["embed", &m, "--format", "parquet", "-o", &pq]);
    let err = warned_once(&out);
    assert!(err.contains("\"meta.a\" -> \"input_meta_a\""), "{err}");
    let (columns, rows) = parquet(&pq);
    assert_unique(&columns);
    assert_eq!(rows[0]["meta_a"], "2");
    assert_eq!(rows[0]["input_meta_a"], "1");

    // CSV flattens the same way; JSONL keeps the object as it is.
    let out = run_ok(&[
        "classify",
        "--task",
        "confidence",
        "--sentences",
        &m,
        "--format",
        "csv",
    ]);
    warned_once(&out);
    let mut csv = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = csv
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    assert_unique(&header);
    let record = csv.records().next().expect("a row").expect("csv");
    let cell = |name: &str| {
        let i = header.iter().position(|h| h == name).expect(name);
        record[i].to_string()
    };
    assert_eq!(cell("meta_a"), "2");
    assert_eq!(cell("input_meta_a"), "1");
    let out = run_ok(&["classify", "--task", "confidence", "--sentences", &m]);
    assert!(!stderr(&out).contains(WARNING), "{}", stderr(&out));
    let rows = jsonl(&out);
    assert_eq!(rows[0]["meta"], serde_json::json!({"a": 1}));
    assert_eq!(rows[0]["meta_a"], 2);
}

#[test]
fn the_npy_sidecar_row_is_the_vectors_row_and_the_inputs_is_kept() {
    let dir = tempfile::tempdir().expect("tmp");
    let e = write(
        dir.path(),
        "r.jsonl",
        "{\"text\":\"First.\",\"row\":5}\n{\"text\":\"Second.\",\"row\":0}\n",
    );
    let npy = dir.path().join("r.npy").to_string_lossy().into_owned();
    warned_once(&run_ok(&["embed", &e, "--format", "npy", "-o", &npy]));
    let side = std::fs::read_to_string(dir.path().join("r.texts.jsonl")).expect("sidecar");
    let rows: Vec<Value> = side
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        (rows[0]["row"].clone(), rows[1]["row"].clone()),
        (0.into(), 1.into())
    );
    assert_eq!(rows[0]["input_row"], 5);
    assert_eq!(rows[1]["input_row"], 0);
    assert_eq!(rows[1]["text"], "Second.");
}

#[test]
fn a_text_field_beside_the_one_read_is_kept_as_input_text() {
    let dir = tempfile::tempdir().expect("tmp");
    let b = write(
        dir.path(),
        "b.jsonl",
        "{\"body\":\"The minister quit.\",\"text\":\"headline\"}\n",
    );
    let out = run_ok(&["embed", &b, "--text-field", "body"]);
    warned_once(&out);
    let rows = jsonl(&out);
    assert_eq!(rows[0]["text"], "The minister quit.");
    assert_eq!(rows[0]["input_text"], "headline");

    let out = run_ok(&[
        "classify",
        "--task",
        "confidence",
        "--sentences",
        &b,
        "--text-field",
        "body",
    ]);
    let err = warned_once(&out);
    assert!(err.contains("\"text\" -> \"input_text\""), "{err}");
    let rows = jsonl(&out);
    assert_eq!(rows[0]["text"], "The minister quit.");
    assert_eq!(rows[0]["input_text"], "headline");
}

#[test]
fn inputs_without_such_names_give_the_output_they_always_gave() {
    let dir = tempfile::tempdir().expect("tmp");
    let s = write(
        dir.path(),
        "s.jsonl",
        "{\"id\":1,\"text\":\"The minister quit.\"}\n{\"id\":2,\"text\":\"Rain is expected.\"}\n",
    );
    let out = run_ok(&["embed", &s]);
    assert!(!stderr(&out).contains(WARNING), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.starts_with("{\"id\":1,\"text\":\"The minister quit.\",\"embedding\":["),
        "{text}"
    );
    assert_eq!(text.lines().count(), 2);

    let out = run_ok(&[
        "classify",
        "--task",
        "stance",
        "--claim",
        "The minister resigned.",
        "--sentences",
        &s,
        "--all",
        "--format",
        "jsonl",
    ]);
    assert!(!stderr(&out).contains(WARNING), "{}", stderr(&out));
    let rows = jsonl(&out);
    assert_eq!(rows.len(), 2);
    for (i, r) in rows.iter().enumerate() {
        let keys: Vec<&str> = r
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "id",
                "line",
                "probability",
                "scores",
                "similarity",
                "source",
                "stance",
                "text"
            ]
        );
        assert_eq!(r["id"], i + 1);
    }
}
