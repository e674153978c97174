//! `--format parquet -o FILE` of segment, embed, classify and match on the example corpus: the
//! files read back (with the parquet crate, and, in an ignored test that CI runs, with DuckDB as
//! a user would) with the columns the README documents and the rows the JSON outputs have.

mod common;

use common::{run, run_ok};

use std::path::{Path, PathBuf};
use std::process::Command;

use arrow_array::{Array, RecordBatch};

fn corpus() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/election-interference")
        .to_string_lossy()
        .into_owned()
}

fn read(path: &Path) -> Vec<RecordBatch> {
    let file = std::fs::File::open(path).expect("open");
    parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("a parquet file")
        .build()
        .expect("reader")
        .collect::<Result<Vec<_>, _>>()
        .expect("batches")
}

fn columns(batches: &[RecordBatch]) -> Vec<String> {
    batches[0]
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect()
}

fn rows(batches: &[RecordBatch]) -> usize {
    batches.iter().map(RecordBatch::num_rows).sum()
}

/// The four files, written once per test binary.
fn files() -> &'static (PathBuf, [PathBuf; 4]) {
    static F: std::sync::OnceLock<(PathBuf, [PathBuf; 4])> = std::sync::OnceLock::new();
    F.get_or_init(|| {
        // Under target/tmp (Cargo's directory for test files), not the system's: a static is
        // never dropped, so a temporary directory here would outlive every run.
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("claimscope-parquet");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("tmp");
        let c = corpus();
        let p = |n: &str| dir.join(format!("{n}.parquet"));
        let [seg, emb, conf, mat] = [p("segment"), p("embed"), p("classify"), p("match")];
        let s = |p: &Path| p.to_string_lossy().into_owned();
        run_ok(&["segment", &c, "--format", "parquet", "-o", &s(&seg)]);
        let jsonl = dir.join("sentences.jsonl");
        let out = run_ok(&["segment", &c, "--format", "jsonl"]);
        std::fs::write(&jsonl, &out.stdout).expect("write");
        run_ok(&["embed", &s(&jsonl), "--format", "parquet", "-o", &s(&emb)]);
        run_ok(&[
            "classify",
            &c,
            "--task",
            "confidence",
            "--format",
            "parquet",
            "-o",
            &s(&conf),
        ]);
        run_ok(&["match", &c, "--format", "parquet", "-o", &s(&mat)]);
        (dir, [seg, emb, conf, mat])
    })
}

#[test]
fn each_command_writes_parquet_with_the_documented_columns() {
    let (dir, [seg, emb, conf, mat]) = files();
    let jsonl = std::fs::read_to_string(dir.join("sentences.jsonl")).expect("jsonl");
    let sentences = jsonl.lines().count();

    let b = read(seg);
    assert_eq!(rows(&b), sentences, "one row per sentence");
    for c in [
        "doc",
        "outlet",
        "date",
        "title",
        "url",
        "paragraph",
        "index",
        "start",
        "end",
        "kind",
        "text",
    ] {
        assert!(
            columns(&b).contains(&c.to_string()),
            "segment: no column {c}"
        );
    }

    let b = read(emb);
    assert_eq!(rows(&b), sentences);
    let i = columns(&b)
        .iter()
        .position(|c| c == "embedding")
        .expect("embedding column");
    let list = b[0]
        .column(i)
        .as_any()
        .downcast_ref::<arrow_array::FixedSizeListArray>()
        .expect("a fixed-size list");
    assert_eq!(list.value_length(), 384);
    // The vectors are the model's: unit length.
    let v = list.value(0);
    let v = v
        .as_any()
        .downcast_ref::<arrow_array::Float32Array>()
        .expect("f32");
    let norm: f32 = v.values().iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-3, "norm {norm}");

    let b = read(conf);
    assert_eq!(rows(&b), sentences);
    for c in [
        "doc",
        "start",
        "end",
        "text",
        "confidence",
        "probability",
        "score",
        "cues",
    ] {
        assert!(
            columns(&b).contains(&c.to_string()),
            "classify: no column {c}"
        );
    }

    let b = read(mat);
    for c in [
        "story",
        "group",
        "canonical",
        "role",
        "doc",
        "outlet",
        "start",
        "end",
        "text",
        "score",
        "stance",
        "confidence",
    ] {
        assert!(columns(&b).contains(&c.to_string()), "match: no column {c}");
    }
    let json = run_ok(&["match", &corpus(), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    let members: usize = v["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            g["members"].as_array().map_or(0, Vec::len)
                + g.get("related")
                    .and_then(|r| r.as_array())
                    .map_or(0, Vec::len)
        })
        .sum();
    assert_eq!(rows(&b), members, "one row per member and related claim");
}

/// `match`'s cues are JSON text (the cue objects of `match --format json`), and a run without
/// labels writes the same column types as a labelled one, so the files of both concatenate.
#[test]
fn match_files_hold_json_cues_and_one_schema_with_or_without_labels() {
    let (dir, [_, _, _, mat]) = files();
    let b = read(mat);
    let cues: Vec<String> = b
        .iter()
        .flat_map(|batch| {
            let i = batch.schema().index_of("cues").expect("cues column");
            let col = batch
                .column(i)
                .as_any()
                .downcast_ref::<arrow_array::StringArray>()
                .expect("cues as text")
                .clone();
            (0..col.len())
                .filter(|r| !col.is_null(*r))
                .map(|r| col.value(r).to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(!cues.is_empty(), "no cues column values");
    let mut with_cue = 0;
    for c in &cues {
        let v: serde_json::Value = serde_json::from_str(c).unwrap_or_else(|e| panic!("{c:?}: {e}"));
        let list = v
            .as_array()
            .unwrap_or_else(|| panic!("{c:?} is not a list"));
        with_cue += usize::from(!list.is_empty());
        for cue in list {
            assert!(cue["text"].is_string(), "{cue}");
        }
    }
    assert!(
        with_cue > 0,
        "no row with a cue on the example corpus: {cues:?}"
    );

    let bare = dir.join("match-no-labels.parquet");
    let bare_s = bare.to_string_lossy().into_owned();
    run_ok(&[
        "match",
        &corpus(),
        "--no-labels",
        "--format",
        "parquet",
        "-o",
        &bare_s,
    ]);
    let unlabelled = read(&bare);
    assert_eq!(
        unlabelled[0].schema().fields(),
        b[0].schema().fields(),
        "the same columns and types with and without labels"
    );
}

#[test]
fn a_parquet_target_in_a_missing_directory_fails_before_any_work() {
    let out = run(&[
        "segment",
        &corpus(),
        "--format",
        "parquet",
        "-o",
        "/no/such/dir/out.parquet",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/no/such/dir does not exist"), "{err}");
    let out = run(&["match", &corpus(), "--format", "parquet"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("add -o FILE.parquet"));
}

/// DuckDB as a user would read the files: its Python package, from the interpreter named by
/// CLAIMSCOPE_PYTHON (.ci/run makes a venv with duckdb) or python3.
#[test]
#[ignore = "needs the duckdb Python package (.ci/run installs it in a venv)"]
fn duckdb_reads_the_files() {
    let (_, [seg, emb, conf, mat]) = files();
    let python = std::env::var("CLAIMSCOPE_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = format!(
        r#"
import duckdb
def one(q):
    return duckdb.sql(q).fetchall()[0]
seg, emb, conf, mat = {:?}, {:?}, {:?}, {:?}
n = one(f"select count(*) from '{{seg}}'")[0]
assert n > 50, n
assert one(f"select count(distinct doc) from '{{seg}}'")[0] == 5
assert one(f"select min(len(embedding)), max(len(embedding)) from '{{emb}}'") == (384, 384)
assert one(f"select count(*) from '{{conf}}' where confidence in ('high','moderate','low','none')")[0] == n
groups = one(f"select count(distinct \"group\") from '{{mat}}' where role = 'member'")[0]
assert groups > 0, groups
print("ok", n, groups)
"#,
        seg.display().to_string(),
        emb.display().to_string(),
        conf.display().to_string(),
        mat.display().to_string()
    );
    let out = Command::new(&python)
        .args(["-c", &script])
        .output()
        .unwrap_or_else(|e| panic!("{python}: {e}; set CLAIMSCOPE_PYTHON to a Python with duckdb"));
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
