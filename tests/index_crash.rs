//! Crash safety of the index, shown the way SQLite shows it: a writer killed with SIGKILL at
//! random moments and while writing each kind of file, after which the index opens, holds the
//! content of a whole number of adds (never a mix), and the interrupted add, run again,
//! completes; and readers that open and search the index while adds run, which must see one
//! committed state or the next, never an error or a torn read.
//!
//! The same for the files the commands write in place (`embed --format npy -o` with its sidecar,
//! `--format parquet -o`): killed at random moments, the file under its final name is the old
//! one or a whole new one.
//!
//! One binary is both sides (`harness = false`): run with `CLAIMSCOPE_CRASH_WRITER=DIR` it is
//! the writer process that the test kills; run by `cargo test` it is the test. Slow (a few
//! hundred processes): it runs with `--ignored` / `--include-ignored`, as CI does.

mod common;
#[path = "support/synthetic.rs"]
mod synthetic;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use claimscope::embed::ModelId;
use claimscope::index::{SearchConfig, Store};
use ndarray::Array2;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

const WRITER: &str = "CLAIMSCOPE_CRASH_WRITER";
const DIM: usize = 64;
/// Records per add; an index always holds a whole number of batches.
const BATCH: usize = 1500;
/// Adds per writer run (see `config` for the graphs they write).
const ADDS: usize = 5;
const KILLS: usize = 100;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Sentence {
    doc: String,
    start: usize,
    end: usize,
    text: String,
}

fn model() -> ModelId {
    ModelId::new("test/crash", DIM).with_weights_sha256("cd".repeat(32))
}

/// Graphs from the third add, at most two adds each: the third add writes two graph files, the
/// fourth extends the second graph, the fifth starts a third. Every way an add writes graphs is
/// killed in.
fn config() -> SearchConfig {
    SearchConfig {
        exact_threshold: 3 * BATCH,
        graph_max: 2 * BATCH,
        ..Default::default()
    }
}

/// The records and vectors of add number `k`: fixed, so a reader can tell what it must see.
fn batch(k: usize) -> (Vec<Sentence>, Array2<f32>) {
    let records = (k * BATCH..(k + 1) * BATCH)
        .map(|i| Sentence {
            doc: format!("doc-{}", i / 9),
            start: i * 40,
            end: i * 40 + 39,
            text: format!("Sentence {i} of add {k}, \"quoted\"."),
        })
        .collect();
    (records, synthetic::clustered(BATCH, 0, DIM, k as u64).0)
}

fn main() {
    if let Ok(dir) = std::env::var(WRITER) {
        writer(Path::new(&dir));
        return;
    }
    // One list for --list, the skip line and the runs.
    let tests: [(&str, fn()); 5] = [
        ("kill_during_writes", kill_during_writes),
        ("readers_during_adds", readers_during_adds),
        ("outputs_under_kill", outputs_under_kill),
        ("cli_readers_during_add", cli_readers_during_add),
        ("cli_index_add_under_kill", cli_index_add_under_kill),
    ];
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        for (name, _) in &tests {
            println!("{name}: test");
        }
        return;
    }
    if !args
        .iter()
        .any(|a| a == "--ignored" || a == "--include-ignored")
    {
        println!(
            "index_crash: {} tests ignored (slow; run with --include-ignored)",
            tests.len()
        );
        return;
    }
    let filter: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    for (name, test) in tests {
        if filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str())) {
            test();
            println!("test {name} ... ok");
        }
    }
}

/// The writer: opens the index (creating it when there is none) and adds the batches it does not
/// hold yet, up to `ADDS`.
fn writer(dir: &Path) {
    let mut store = if dir.join("index.json").exists() {
        Store::<Sentence>::open(dir, Some(&model())).expect("writer: open")
    } else {
        Store::<Sentence>::create(dir, model()).expect("writer: create")
    };
    for k in store.len() / BATCH..ADDS {
        let (records, vectors) = batch(k);
        store
            .add(&records, vectors.view(), &config())
            .expect("writer: add");
    }
}

fn spawn_writer(dir: &Path) -> Child {
    Command::new(std::env::current_exe().expect("own path"))
        .env(WRITER, dir)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn the writer")
}

/// What an index in `dir` holds, checked against the batches: `Some(adds)`, or `None` when
/// there is no index yet (a create that was killed). Panics on anything torn or mixed.
fn check(dir: &Path, deep: bool) -> Option<usize> {
    if !dir.join("index.json").exists() {
        return None;
    }
    let store = Store::<Sentence>::open(dir, Some(&model()))
        .unwrap_or_else(|e| panic!("the index does not open after a kill: {e}"));
    let n = store.len();
    assert_eq!(n % BATCH, 0, "{n} records: not a whole number of adds");
    let adds = n / BATCH;
    if deep {
        store
            .verify()
            .expect("every file matches its recorded sha256");
        for k in 0..adds {
            let (records, vectors) = batch(k);
            for (j, want) in records.iter().enumerate().step_by(97) {
                let i = k * BATCH + j;
                assert_eq!(&store.record(i).expect("record"), want, "record {i}");
                let row = store.vectors().row(i).expect("vector");
                assert_eq!(row, vectors.row(j).as_slice().expect("row"), "vector {i}");
            }
        }
    }
    if n > 0 {
        // Search works, through the graph once there is one, and finds stored vectors. The
        // graph is approximate and built by several threads, so one query in a few hundred can
        // miss itself at k = 3 (CI saw it once in about forty runs): ten queries, nine found.
        let search = store.searcher(&config()).expect("searcher");
        let (_, vectors) = batch(adds - 1);
        let mut missed = Vec::new();
        for j in (7..BATCH).step_by(BATCH / 10).take(10) {
            let hits = search.search(&vectors.row(j).to_vec(), 3).expect("search");
            let want = (adds - 1) * BATCH + j;
            if !hits.iter().any(|h| h.id == want) {
                missed.push((want, hits));
            }
        }
        assert!(
            missed.len() <= 1,
            "search misses stored vectors: {missed:?}"
        );
    }
    Some(adds)
}

/// The kind of index file a temporary name is for (`seg-000002.jsonl.Ab12Cd.tmp` -> "records").
fn kind_of(name: &str) -> Option<&'static str> {
    if !name.ends_with(".tmp") {
        return None;
    }
    Some(if name.starts_with("index.json") {
        "manifest"
    } else if name.starts_with("seg-") && name.contains(".jsonl") {
        "records"
    } else if name.starts_with("seg-") && name.contains(".safetensors") {
        "vectors"
    } else if name.starts_with("ann-") {
        "graph"
    } else {
        "other"
    })
}

fn writing(dir: &Path) -> Option<&'static str> {
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .find_map(|e| kind_of(&e.file_name().to_string_lossy()))
}

fn kill_during_writes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("idx");

    // How long an uninterrupted writer takes: the span the random moments are drawn from.
    let t = Instant::now();
    let status = spawn_writer(&dir).wait().expect("writer");
    assert!(status.success(), "an uninterrupted writer succeeds");
    let span = t.elapsed();
    assert_eq!(check(&dir, true), Some(ADDS));
    std::fs::remove_dir_all(&dir).expect("reset");

    let mut rng = StdRng::seed_from_u64(17);
    let targets = ["manifest", "records", "vectors", "graph"];
    let mut hit: BTreeMap<&str, usize> = BTreeMap::new();
    let mut last = None;
    let mut completed = 0;
    for i in 0..KILLS {
        let mut child = spawn_writer(&dir);
        let started = Instant::now();
        // Every other kill aims at a file kind (the moment its temporary file shows), the rest
        // at a random moment of the writer's run.
        let aim = (i % 2 == 0).then(|| targets[(i / 2) % targets.len()]);
        let at = span.mul_f64(rng.random_range(0.0..1.0));
        let (mut seen, mut killed) = (None, false);
        loop {
            if child.try_wait().expect("wait").is_some() {
                break;
            }
            let now = writing(&dir);
            let due = match aim {
                Some(kind) => now == Some(kind),
                None => started.elapsed() >= at,
            };
            if due {
                seen = now;
                child.kill().expect("SIGKILL");
                killed = true;
                break;
            }
            if started.elapsed() > span * 20 {
                panic!("writer {i} neither ended nor reached its moment");
            }
            std::thread::yield_now();
        }
        let status = child.wait().expect("wait");
        assert!(
            killed || status.success(),
            "writer {i} failed on its own, after the previous kill: {status}"
        );
        if let Some(kind) = seen {
            *hit.entry(kind).or_default() += 1;
        }
        // Opens, holds whole adds, never fewer than the last check saw.
        let now = check(&dir, i % 10 == 0);
        assert!(
            now >= last,
            "kill {i}: the index went back from {last:?} to {now:?}"
        );
        last = now;
        if status.success() {
            assert_eq!(now, Some(ADDS));
            completed += 1;
            std::fs::remove_dir_all(&dir).expect("reset");
            last = None;
        }
    }
    // The interrupted add, run again, completes.
    assert!(spawn_writer(&dir).wait().expect("writer").success());
    assert_eq!(check(&dir, true), Some(ADDS));
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .filter_map(|e| kind_of(&e.file_name().to_string_lossy()))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    println!(
        "{KILLS} kills, writer span {span:?}; killed while writing: {hit:?}; {completed} runs completed"
    );
    for kind in targets {
        assert!(
            hit.get(kind).copied().unwrap_or(0) > 0,
            "never killed while writing {kind}: {hit:?}"
        );
    }
}

fn readers_during_adds() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir: PathBuf = tmp.path().join("idx");
    let (records, vectors) = batch(0);
    let mut store = Store::<Sentence>::create(&dir, model()).expect("create");
    store
        .add(&records, vectors.view(), &config())
        .expect("first add");
    drop(store);

    let done = AtomicBool::new(false);
    let reads = AtomicUsize::new(0);
    let states = std::sync::Mutex::new(std::collections::BTreeSet::new());
    std::thread::scope(|s| {
        for r in 0..2 {
            let (dir, done, reads, states) = (&dir, &done, &reads, &states);
            s.spawn(move || {
                let mut last = 0;
                while !done.load(Ordering::Relaxed) {
                    let adds = check(dir, r == 0 && reads.load(Ordering::Relaxed) % 25 == 0)
                        .expect("the index exists");
                    assert!(
                        adds >= last,
                        "a reader went back from {last} adds to {adds}"
                    );
                    last = adds;
                    states.lock().expect("lock").insert(adds);
                    reads.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        let status = spawn_writer(&dir).wait().expect("writer");
        done.store(true, Ordering::Relaxed);
        assert!(status.success(), "the writer succeeds while readers read");
    });
    let states = states.into_inner().expect("lock");
    println!(
        "{} reads saw adds {states:?}",
        reads.load(Ordering::Relaxed)
    );
    assert_eq!(check(&dir, true), Some(ADDS));
    assert!(
        states.len() >= 2,
        "readers saw only {states:?}: the adds ran before they read"
    );
}

/// The row count an .npy header claims, if the file is whole (its size matches it).
fn npy_rows(bytes: &[u8], dim: usize) -> Option<usize> {
    let header = std::str::from_utf8(bytes.get(10..128)?).ok()?;
    let shape = header.split("'shape': (").nth(1)?;
    let rows: usize = shape.split(',').next()?.trim().parse().ok()?;
    (bytes.len() == 128 + rows * dim * 4).then_some(rows)
}

fn outputs_under_kill() {
    let tmp = tempfile::tempdir().expect("tmp");
    let texts = tmp.path().join("texts.txt");
    let workload =
        std::fs::read_to_string(common::shared("bench/workload-news-10k.txt")).expect("workload");
    let lines: Vec<&str> = workload.lines().take(1500).collect();
    std::fs::write(&texts, lines.join("\n") + "\n").expect("texts");
    let small = tmp.path().join("small.txt");
    std::fs::write(&small, lines[..3].join("\n") + "\n").expect("small");
    let corpus = tmp.path().join("corpus.jsonl");
    let docs: String = lines
        .chunks(10)
        .enumerate()
        .map(|(i, c)| {
            serde_json::json!({"id": format!("d{i}"), "text": c.join(" ")}).to_string() + "\n"
        })
        .collect();
    std::fs::write(&corpus, docs).expect("corpus");
    let npy = tmp.path().join("v.npy");
    let side = tmp.path().join("v.texts.jsonl");
    let parquet = tmp.path().join("s.parquet");
    let npy_s = npy.to_str().expect("utf-8");
    let parquet_s = parquet.to_str().expect("utf-8");

    // The old files: whole outputs of a small run.
    common::run_ok(&[
        "embed",
        small.to_str().expect("utf-8"),
        "--format",
        "npy",
        "-o",
        npy_s,
    ]);
    common::run_ok(&[
        "segment",
        small.to_str().expect("utf-8"),
        "--format",
        "parquet",
        "-o",
        parquet_s,
    ]);
    let (old_npy, old_side, old_parquet) = (
        std::fs::read(&npy).expect("npy"),
        std::fs::read(&side).expect("sidecar"),
        std::fs::read(&parquet).expect("parquet"),
    );
    assert_eq!(npy_rows(&old_npy, 384), Some(3));

    let spawn = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_claimscope"))
            .args(args)
            .env("CLAIMSCOPE_MODEL", common::model_spec())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn claimscope")
    };
    let embed = [
        "embed",
        texts.to_str().expect("utf-8"),
        "--format",
        "npy",
        "-o",
        npy_s,
    ];
    let segment = [
        "segment",
        corpus.to_str().expect("utf-8"),
        "--format",
        "parquet",
        "-o",
        parquet_s,
    ];
    let span = |args: &[&str]| {
        let t = Instant::now();
        assert!(spawn(args).wait().expect("wait").success());
        t.elapsed()
    };
    let (embed_span, segment_span) = (span(&embed), span(&segment));
    let (new_npy, new_side, new_parquet) = (
        std::fs::read(&npy).expect("npy"),
        std::fs::read(&side).expect("sidecar"),
        std::fs::read(&parquet).expect("parquet"),
    );
    assert_eq!(npy_rows(&new_npy, 384), Some(1500));

    let mut rng = StdRng::seed_from_u64(5);
    let mut outcomes = BTreeMap::new();
    for i in 0..20 {
        // Back to the old files, then a run killed at a random moment of its usual span.
        std::fs::write(&npy, &old_npy).expect("reset");
        std::fs::write(&side, &old_side).expect("reset");
        std::fs::write(&parquet, &old_parquet).expect("reset");
        let (args, span): (&[&str], Duration) = if i % 2 == 0 {
            (&embed, embed_span)
        } else {
            (&segment, segment_span)
        };
        let mut child = spawn(args);
        std::thread::sleep(span.mul_f64(rng.random_range(0.05..1.1)));
        let _ = child.kill();
        let status = child.wait().expect("wait");
        let state = if i % 2 == 0 {
            let (v, t) = (
                std::fs::read(&npy).expect("npy"),
                std::fs::read(&side).expect("sidecar"),
            );
            // The sidecar is committed first: new texts with old vectors can be seen for the
            // moment between the two renames, never a torn file.
            assert!(
                v == old_npy || v == new_npy,
                "kill {i}: v.npy is neither the old nor the new file"
            );
            assert!(
                t == old_side || t == new_side,
                "kill {i}: the sidecar is neither old nor new"
            );
            assert!(
                !(v == new_npy && t == old_side),
                "kill {i}: new vectors with old texts"
            );
            if v == new_npy { "new" } else { "old" }
        } else {
            let p = std::fs::read(&parquet).expect("parquet");
            assert!(
                p == old_parquet || p == new_parquet,
                "kill {i}: s.parquet is neither old nor new"
            );
            if p == new_parquet { "new" } else { "old" }
        };
        *outcomes
            .entry((args[0], state, status.success()))
            .or_insert(0) += 1;
        let partial: Vec<_> = std::fs::read_dir(tmp.path())
            .expect("dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".partial"))
            .collect();
        for n in &partial {
            // What a kill leaves: a hidden temporary, never the final name.
            assert!(n.starts_with('.'), "{n}");
            std::fs::remove_file(tmp.path().join(n)).expect("remove");
        }
    }
    println!("outputs under kill (command, file after, exited normally): {outcomes:?}");
    assert!(
        outcomes.keys().any(|(_, state, ok)| *state == "old" && !ok),
        "no kill landed mid-run: {outcomes:?}"
    );
}

/// FNC-1 train bodies as a JSONL corpus (not the competition-test bodies: acceptance data).
fn fnc1_train_bodies(path: &Path, n: usize) {
    let bodies = common::shared("data/fnc1/train_bodies.csv");
    let mut reader = csv::Reader::from_path(&bodies).expect("bodies");
    let lines: String = reader
        .records()
        .take(n)
        .map(|r| {
            let r = r.expect("row");
            serde_json::json!({"id": format!("fnc1-{}", &r[0]), "text": &r[1]}).to_string() + "\n"
        })
        .collect();
    std::fs::write(path, lines).expect("corpus");
}

/// `index build` then `index add` (in chunks of 200 sentences) killed with SIGKILL at random
/// moments: after each kill the index opens and verifies, holds what it held before plus whole
/// chunks, and a rerun of the add (with `--resume` or without) completes to exactly the
/// uninterrupted index.
fn cli_index_add_under_kill() {
    let tmp = tempfile::tempdir().expect("tmp");
    let idx = tmp.path().join("idx");
    let idx_s = idx.to_str().expect("utf-8");
    // 60 bodies, about 1,200 sentences: six chunks for the kills to land between (150 bodies
    // in chunks of 500 took seven of CI's minutes for the same twelve kills).
    let more = tmp.path().join("more.jsonl");
    fnc1_train_bodies(&more, 60);
    let example = common::project("examples/election-interference");
    let cli = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_claimscope"))
            .args(args)
            .env("CLAIMSCOPE_MODEL", common::model_spec())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn claimscope")
    };
    let build = [
        "index",
        "build",
        example.to_str().expect("utf-8"),
        "-o",
        idx_s,
    ];
    let add = [
        "index",
        "add",
        "--index",
        idx_s,
        "--chunk",
        "200",
        more.to_str().expect("utf-8"),
    ];

    // Spans of the uninterrupted commands, and the sizes they give.
    let t = Instant::now();
    assert!(cli(&build).wait().expect("wait").success());
    let build_span = t.elapsed();
    let base = Store::<serde_json::Value>::open(&idx, None)
        .expect("open")
        .len();
    let t = Instant::now();
    assert!(cli(&add).wait().expect("wait").success());
    let add_span = t.elapsed();
    let full = Store::<serde_json::Value>::open(&idx, None)
        .expect("open")
        .len();

    let mut rng = StdRng::seed_from_u64(23);
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..12 {
        std::fs::remove_dir_all(&idx).expect("reset");
        if i % 4 == 0 {
            // A killed build: no index, or an index that opens.
            let mut child = cli(&build);
            std::thread::sleep(build_span.mul_f64(rng.random_range(0.3..1.0)));
            let _ = child.kill();
            let _ = child.wait();
            if idx.join("index.json").exists() {
                let st = Store::<serde_json::Value>::open(&idx, None)
                    .expect("a killed build's index opens");
                st.verify().expect("and verifies");
                seen.insert(("build", st.len()));
            } else {
                seen.insert(("build", 0));
            }
            continue;
        }
        assert!(cli(&build).wait().expect("wait").success());
        let mut child = cli(&add);
        std::thread::sleep(add_span.mul_f64(rng.random_range(0.2..1.0)));
        let _ = child.kill();
        let _ = child.wait();
        let st = Store::<serde_json::Value>::open(&idx, None)
            .expect("the index opens after a killed add");
        st.verify().expect("and verifies");
        let n = st.len();
        assert!(
            n >= base && n <= full,
            "{n} sentences: outside {base}..={full}"
        );
        seen.insert(("add", n));
        drop(st);
        // The same add, run again, completes, and the index is exactly the uninterrupted one:
        // the documents the killed run committed are skipped, quietly with --resume, with a
        // warning without it.
        let resume = i % 2 == 1;
        let rerun: Vec<&str> = add
            .iter()
            .copied()
            .chain(resume.then_some("--resume"))
            .collect();
        assert!(
            cli(&rerun).wait().expect("wait").success(),
            "rerun of the killed add (resume: {resume})"
        );
        let again = Store::<serde_json::Value>::open(&idx, None)
            .expect("open")
            .len();
        assert_eq!(
            again, full,
            "a rerun add stores each document once (resume: {resume})"
        );
    }
    println!("killed build/add left indexes of {seen:?} sentences (base {base}, full {full})");
}

/// `similar --index` and `match --index` in a loop while `index add` writes to the same index:
/// every reader run succeeds, and sees the index before the add or after it.
fn cli_readers_during_add() {
    let tmp = tempfile::tempdir().expect("tmp");
    let idx = tmp.path().join("idx");
    let idx_s = idx.to_str().expect("utf-8");
    let example = common::project("examples/election-interference");
    common::run_ok(&[
        "index",
        "build",
        example.to_str().expect("utf-8"),
        "-o",
        idx_s,
    ]);
    let before = Store::<serde_json::Value>::open(&idx, None)
        .expect("open")
        .len();

    // Enough FNC-1 train bodies that the add takes a while (80, about 1,600 sentences: each
    // reader ran about 13 times during an add of 150 on 2 cores, which took 2.5 minutes).
    let more = tmp.path().join("more.jsonl");
    fnc1_train_bodies(&more, 80);

    let mut add = Command::new(env!("CARGO_BIN_EXE_claimscope"))
        .args([
            "index",
            "add",
            "--index",
            idx_s,
            more.to_str().expect("utf-8"),
        ])
        .env("CLAIMSCOPE_MODEL", common::model_spec())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn index add");
    let mut runs = BTreeMap::new();
    let mut sizes = std::collections::BTreeSet::new();
    while add.try_wait().expect("wait").is_none() {
        let similar = common::run_ok(&[
            "similar",
            "--index",
            idx_s,
            "-k",
            "3",
            "--format",
            "json",
            "Russia interfered in the election",
        ]);
        serde_json::from_slice::<serde_json::Value>(&similar.stdout).expect("similar prints JSON");
        *runs.entry("similar").or_insert(0) += 1;
        let matched =
            common::run_ok(&["match", "--index", idx_s, "--format", "json", "--no-labels"]);
        let m: serde_json::Value =
            serde_json::from_slice(&matched.stdout).expect("match prints JSON");
        assert!(m["groups"].is_array(), "match output: {m}");
        *runs.entry("match").or_insert(0) += 1;
        sizes.insert(
            Store::<serde_json::Value>::open(&idx, None)
                .expect("open")
                .len(),
        );
    }
    let out = add.wait_with_output().expect("index add");
    assert!(
        out.status.success(),
        "index add: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = Store::<serde_json::Value>::open(&idx, None)
        .expect("open")
        .len();
    assert!(after > before);
    assert!(
        sizes.iter().all(|n| *n == before || *n == after),
        "sizes seen: {sizes:?}"
    );
    println!(
        "readers while index add ran: {runs:?}; index sizes seen {sizes:?} (before {before}, after {after})"
    );
    assert!(
        runs.get("similar").copied().unwrap_or(0) >= 2,
        "the add ended before the readers ran: {runs:?}"
    );
}
