//! Indexing a corpus streams it: documents are stored in chunks of sentences, the graph is
//! built once at the end, and the result is the same index as one add of everything.

mod common;

use claimscope::index::corpus::add_documents;
use claimscope::index::{SearchConfig, Store};
use claimscope::ingest::IngestOptions;
use claimscope::observe::Silent;
use claimscope::segment::{SegmentOptions, Sentence};

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
        SegmentOptions::default(),
        emb,
        &config,
        &Silent,
        chunk,
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
