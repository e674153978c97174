//! Indexing a corpus streams it: documents are stored in chunks of sentences, the graph is
//! built once at the end, and the result is the same index as one add of everything.

mod common;

use claimscope::index::corpus::{AddOptions, StoredDocuments, add_documents, documents};
use claimscope::index::{SearchConfig, Store};
use claimscope::ingest::IngestOptions;
use claimscope::observe::Collect;
use claimscope::observe::Silent;
use claimscope::segment::Sentence;

fn build(
    dir: &std::path::Path,
    chunk: usize,
) -> (Store<Sentence>, claimscope::index::corpus::CorpusAdded) {
    let emb = common::embedder();
    let mut store =
        Store::<Sentence>::create(dir, emb.model_id().expect("model id")).expect("create");
    let example = common::project("examples/election-interference");
    let input = IngestOptions::for_paths(&[example.to_string_lossy().into_owned()]);
    let config = SearchConfig {
        exact_threshold: 50,
        ..Default::default()
    };
    let added = add_documents(
        &mut store,
        &input,
        emb,
        &config,
        &Silent,
        &AddOptions {
            chunk,
            ..Default::default()
        },
    )
    .expect("add");
    (store, added)
}

#[test]
fn a_corpus_is_stored_in_chunks_with_the_graph_built_once() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (chunked, added) = build(&tmp.path().join("chunked"), 20);
    let (whole, all) = build(&tmp.path().join("whole"), usize::MAX);

    assert_eq!(all.adds, 1);
    assert!(added.adds >= 3, "{added:?}");
    assert_eq!(
        (added.documents, added.sentences),
        (all.documents, all.sentences)
    );
    assert_eq!(chunked.len(), added.sentences);
    let m = chunked.manifest();
    assert_eq!(
        m.generation as usize, added.adds,
        "one commit per chunk and the last"
    );
    assert_eq!(m.graphs.len(), 1, "a graph over the threshold");
    assert_eq!(m.covered(), chunked.len());
    assert_eq!(
        m.retired_graph, None,
        "the graph was built once, not rebuilt per chunk"
    );

    // The same sentences and vectors, in the same order, as one add of everything.
    for i in 0..whole.len() {
        assert_eq!(
            chunked.record(i).expect("record").text,
            whole.record(i).expect("record").text
        );
        let (a, b) = (
            chunked.vectors().row(i).expect("row"),
            whole.vectors().row(i).expect("row"),
        );
        let diff = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max);
        assert!(diff < 1e-5, "vector {i} differs by {diff}");
    }
}

/// A build killed after some chunks leaves whole documents committed, in input order: the same
/// state as a build of the first files. Resuming with every file stores the rest once and
/// graphs everything, and the index is the one a single build makes.
#[test]
fn a_resumed_build_stores_each_document_once() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (whole, all) = build(&tmp.path().join("whole"), usize::MAX);
    let emb = common::embedder();
    let config = SearchConfig {
        exact_threshold: 50,
        ..Default::default()
    };
    let mut files: Vec<String> =
        std::fs::read_dir(common::project("examples/election-interference"))
            .expect("example corpus")
            .map(|e| e.expect("entry").path().to_string_lossy().into_owned())
            .filter(|p| p.ends_with(".txt"))
            .collect();
    files.sort();
    assert!(files.len() >= 4, "{files:?}");
    let mut store =
        Store::<Sentence>::create(tmp.path().join("resumed"), emb.model_id().expect("id"))
            .expect("create");
    let add = |store: &mut Store<Sentence>, paths: &[String], resume: bool| {
        let opts = AddOptions {
            chunk: 20,
            resume,
            ..Default::default()
        };
        let input = IngestOptions::for_paths(paths);
        add_documents(store, &input, emb, &config, &Silent, &opts).expect("add")
    };
    let first = add(&mut store, &files[..2], false);
    assert_eq!(StoredDocuments::of(&store).expect("stored").len(), 2);

    let rest = add(&mut store, &files, true);
    assert_eq!(rest.already_stored, 2, "{rest:?}");
    assert_eq!(rest.documents, all.documents);
    assert_eq!(first.sentences + rest.sentences, all.sentences);
    assert_eq!(store.len(), whole.len());
    assert_eq!(
        store.manifest().covered(),
        store.len(),
        "graphs cover everything"
    );
    let seen = Collect::default();
    let docs = documents(&store, &seen).expect("documents");
    assert!(
        seen.warnings().is_empty(),
        "no copies: {:?}",
        seen.warnings()
    );
    assert_eq!(docs.len(), all.documents);

    // Resuming a complete index stores nothing and keeps its graphs.
    let again = add(&mut store, &files, true);
    assert_eq!((again.sentences, again.already_stored), (0, all.documents));
    assert_eq!(store.len(), whole.len());
    assert_eq!(store.manifest().covered(), store.len());
}

/// An add (not a resume) of documents the store already holds skips them too, says how many
/// and names the first through the observer, and when nothing is new leaves the store as it
/// was: no commit, the same generation.
#[test]
fn an_add_of_stored_documents_skips_them_and_says_so() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (mut store, all) = build(&tmp.path().join("x"), usize::MAX);
    let generation = store.manifest().generation;
    let example = common::project("examples/election-interference");
    let input = IngestOptions::for_paths(&[example.to_string_lossy().into_owned()]);
    let config = SearchConfig {
        exact_threshold: 50,
        ..Default::default()
    };
    let seen = Collect::default();
    let again = add_documents(
        &mut store,
        &input,
        common::embedder(),
        &config,
        &seen,
        &AddOptions::default(),
    )
    .expect("add");
    assert_eq!(
        (again.sentences, again.already_stored, again.adds),
        (0, all.documents, 0),
        "{again:?}"
    );
    assert_eq!(
        again.already_stored_examples.first().map(String::as_str),
        Some(
            format!(
                "000_230b05a764acd3a5 ({})",
                example.join("000_230b05a764acd3a5.txt").display()
            )
            .as_str()
        )
    );
    assert_eq!(store.len(), all.sentences);
    assert_eq!(store.manifest().generation, generation, "nothing committed");
    let w = seen.warnings();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with(&format!(
            "{n} of {n} documents are already in ",
            n = all.documents
        )) && w[0].contains("not stored twice: 000_230b05a764acd3a5 (")
            && w[0].ends_with(", ..."),
        "{w:?}"
    );
}

/// An index that holds no sentence (a build stopped before its first chunk was stored) is
/// refused by the commands that read it, with how to fill it: a search of it printed an empty
/// table and exited 0, and `match --index` blamed the inputs.
#[test]
fn an_index_with_no_sentence_is_refused_with_how_to_fill_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("empty.csi");
    let emb = common::embedder();
    drop(Store::<Sentence>::create(&dir, emb.model_id().expect("model id")).expect("create"));
    let d = dir.to_string_lossy().into_owned();
    for args in [
        vec!["similar", "Putin approved it", "--index", &d],
        vec!["match", "--index", &d, "--no-judge"],
    ] {
        let out = common::run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}: {err}");
        assert!(
            err.contains("the index holds no sentences") && err.contains("--resume"),
            "{args:?}: {err}"
        );
    }
}
