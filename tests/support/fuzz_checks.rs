//! The invariants the fuzz targets check (`fuzz/fuzz_targets/*`), shared with the stable
//! regression test (`tests/fuzz_regressions.rs`), which runs them on every input the fuzzers
//! kept or crashed on. One input is one call; a violated invariant panics.

#![allow(dead_code)]

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use claimscope::embed::Embedder;
use claimscope::embed::source::{ModelFiles, Origin};
use claimscope::index::{SearchConfig, Store};
use claimscope::ingest::{Corpus, IngestOptions};
use claimscope::observe::Silent;
use claimscope::segment::{SegmentOptions, segment};

/// Separates the files of one input in the multi-file targets (bytes no JSON text contains).
pub const FILE_MARK: &[u8] = b"\xff\xfe\xfd\xfc";

/// Input kinds of the ingest target, picked by the first byte.
pub const INGEST_KINDS: [&str; 7] = ["txt", "jsonl", "csv", "html", "warc", "parquet", "json"];

thread_local! {
    static SCRATCH: RefCell<Option<tempfile::TempDir>> = const { RefCell::new(None) };
}

/// A per-thread scratch directory, emptied before each input.
fn scratch() -> PathBuf {
    SCRATCH.with(|s| {
        let mut s = s.borrow_mut();
        let dir = s.get_or_insert_with(|| tempfile::tempdir().expect("scratch dir"));
        let path = dir.path().to_path_buf();
        for e in std::fs::read_dir(&path).expect("scratch").flatten() {
            let p = e.path();
            if p.is_dir() {
                std::fs::remove_dir_all(&p).expect("clean");
            } else {
                std::fs::remove_file(&p).expect("clean");
            }
        }
        path
    })
}

fn split_files(data: &[u8], n: usize) -> Vec<&[u8]> {
    let mut parts = Vec::with_capacity(n);
    let mut rest = data;
    while parts.len() + 1 < n {
        match rest.windows(FILE_MARK.len()).position(|w| w == FILE_MARK) {
            Some(i) => {
                parts.push(&rest[..i]);
                rest = &rest[i + FILE_MARK.len()..];
            }
            None => break,
        }
    }
    parts.push(rest);
    parts
}

fn check_span(whole: &str, start: usize, end: usize, text: &str, what: &str) {
    assert!(
        start <= end && end <= whole.len(),
        "{what}: span {start}..{end} outside 0..{}",
        whole.len()
    );
    assert!(
        whole.is_char_boundary(start) && whole.is_char_boundary(end),
        "{what}: span {start}..{end} splits a character"
    );
    assert_eq!(
        &whole[start..end],
        text,
        "{what}: text is not whole[start..end]"
    );
}

pub fn check_ingest(data: &[u8]) {
    let Some((&kind, body)) = data.split_first() else {
        return;
    };
    let dir = scratch();
    let path = dir.join(format!(
        "input.{}",
        INGEST_KINDS[kind as usize % INGEST_KINDS.len()]
    ));
    std::fs::write(&path, body).expect("write input");
    let opts = IngestOptions::for_paths(&[path.to_string_lossy().into_owned()]);
    let Ok(corpus) = Corpus::open(&opts, &Silent) else {
        return;
    };
    for doc in corpus.take(100_000) {
        let Ok(doc) = doc else { continue };
        let seg = segment(&doc, SegmentOptions::default());
        let mut last = 0;
        for s in &seg.sentences {
            check_span(&doc.text, s.start, s.end, &s.text, "sentence");
            assert!(
                s.start >= last,
                "sentences out of order or overlapping at {}",
                s.start
            );
            last = s.end;
        }
        for r in &seg.removed {
            check_span(&doc.text, r.start, r.end, &r.text, "removal");
        }
    }
}

pub fn check_claims(sentence: &str) {
    for c in claimscope::claims::claims(sentence) {
        check_span(sentence, c.start, c.end, &c.text, "claim");
    }
}

pub fn check_cues(sentence: &str) {
    let cues = claimscope::classify::cues::find(sentence);
    for c in &cues {
        check_span(sentence, c.start, c.end, &c.text, "cue");
    }
    for (start, end) in claimscope::classify::cues::words(sentence) {
        assert!(start <= end && end <= sentence.len(), "word {start}..{end}");
        assert!(
            sentence.is_char_boundary(start) && sentence.is_char_boundary(end),
            "word {start}..{end}"
        );
    }
    let _ = claimscope::classify::cues::lexical_level(&cues);
    let _ = claimscope::classify::cues::count_negations(sentence);
}

/// The files of an index directory, in the order the input holds them.
pub const INDEX_FILES: [&str; 4] = [
    "index.json",
    "seg-000001.jsonl",
    "seg-000001.safetensors",
    "ann-000001.usearch",
];

pub fn check_index_files(data: &[u8]) {
    let dir = scratch();
    for (name, bytes) in INDEX_FILES.iter().zip(split_files(data, INDEX_FILES.len())) {
        std::fs::write(dir.join(name), bytes).expect("write index file");
    }
    let raw = Store::<serde_json::Value>::open(&dir, None);
    // Opening checks every segment file against the sha256 index.json records, which a mutated
    // file almost never matches, so the checks behind it (safetensors header, record offsets,
    // records, graph) would go unfuzzed: the files as they are were opened above, and now again
    // with the manifest's hashes set to theirs.
    if rehash(&dir) {
        drop(raw);
    } else if raw.is_err() {
        return;
    }
    let Ok(store) = Store::<serde_json::Value>::open(&dir, None) else {
        return;
    };
    for r in store.records().take(10_000) {
        let _ = r;
    }
    let _ = store.verify();
    let dim = store.dim();
    if dim == 0 || dim > 4096 {
        return;
    }
    if let Ok(search) = store.searcher(&SearchConfig::default()) {
        let q = vec![1.0 / (dim as f32).sqrt(); dim];
        if let Ok(hits) = search.search(&q, 5) {
            for h in hits {
                assert!(
                    h.id < store.len(),
                    "neighbour {} of {} records",
                    h.id,
                    store.len()
                );
            }
        }
    }
}

/// Set every `"sha256"` of index.json that sits beside a `"file"` naming one of [`INDEX_FILES`]
/// to that file's sha256; whether index.json changed.
fn rehash(dir: &Path) -> bool {
    fn walk(v: &mut serde_json::Value, dir: &Path, changed: &mut bool) {
        match v {
            serde_json::Value::Object(m) => {
                let file = m.get("file").and_then(|f| f.as_str()).map(str::to_string);
                if let Some(file) = file
                    && INDEX_FILES.contains(&file.as_str())
                    && m.get("sha256").is_some_and(|h| h.is_string())
                    && let Ok(sha) = claimscope::embed::source::sha256_file(&dir.join(&file))
                    && m.get("sha256").and_then(|h| h.as_str()) != Some(sha.as_str())
                {
                    m.insert("sha256".into(), sha.into());
                    *changed = true;
                }
                m.values_mut().for_each(|x| walk(x, dir, changed));
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| walk(x, dir, changed)),
            _ => {}
        }
    }
    let manifest = dir.join(INDEX_FILES[0]);
    let Some(mut v) = std::fs::read(&manifest)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
    else {
        return false;
    };
    let mut changed = false;
    walk(&mut v, dir, &mut changed);
    if changed {
        let bytes = serde_json::to_vec(&v).expect("a JSON value serialises");
        std::fs::write(&manifest, bytes).expect("write index.json");
    }
    changed
}

/// The files of a model directory, in the order the input holds them.
pub const MODEL_FILES: [&str; 6] = [
    "config.json",
    "tokenizer.json",
    "sentence_bert_config.json",
    "modules.json",
    "1_Pooling/config.json",
    "model.safetensors",
];

pub fn check_model_files(data: &[u8]) {
    let dir = scratch();
    write_model_dir(&dir, data);
    let files = ModelFiles {
        name: dir.to_string_lossy().into_owned(),
        dir: dir.clone(),
        origin: Origin::LocalDir,
    };
    if let Ok(model) = Embedder::load(&files) {
        let _ = model.embed(&["a b", "Putin authorised the campaign."]);
    }
}

/// Lay out a model directory from one input; an empty part is a missing file.
pub fn write_model_dir(dir: &Path, data: &[u8]) {
    for (name, bytes) in MODEL_FILES.iter().zip(split_files(data, MODEL_FILES.len())) {
        if bytes.is_empty() {
            continue;
        }
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("model dir");
        }
        std::fs::write(path, bytes).expect("write model file");
    }
}
