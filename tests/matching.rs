//! `match` on the example corpus: the claims the three 2021 articles share come out as groups
//! spanning outlets, and nothing is matched within one document.

mod common;

use claimscope::ingest::{Corpus, IngestOptions};
use claimscope::matching::{MatchOptions, MatchResult, match_claims};
use claimscope::observe::Silent;
use claimscope::segment::{SegmentOptions, segment};

fn run() -> MatchResult {
    let args = IngestOptions::for_paths(&[
        common::project("examples/election-interference").to_string_lossy()
    ]);
    let docs: Vec<_> = Corpus::open(&args, &claimscope::observe::Silent)
        .expect("open")
        .map(|d| segment(&d.expect("doc"), SegmentOptions::default()))
        .collect();
    match_claims(
        &docs,
        common::embedder(),
        None,
        &MatchOptions::default(),
        None,
        &Silent,
    )
    .expect("match")
}

/// The group whose members mention all `words`, with the outlets it spans.
fn find<'a>(r: &'a MatchResult, words: &[&str]) -> Option<&'a claimscope::matching::MatchGroup> {
    r.groups.iter().find(|g| {
        g.members
            .iter()
            .any(|m| words.iter().all(|w| m.unit.sentence.contains(w)))
    })
}

#[test]
fn shared_claims_of_the_2021_articles() {
    let r = run();
    for g in &r.groups {
        let mut docs: Vec<&str> = g.members.iter().map(|m| m.unit.doc.as_str()).collect();
        let n = docs.len();
        docs.sort();
        docs.dedup();
        assert_eq!(docs.len(), n, "a group holds one claim per document");
        assert!(n >= 2);
        for m in &g.members {
            assert!(m.score >= r.options.grouping.floor - 1e-6);
        }
    }
    let putin = find(&r, &["Putin", "authorised"]).expect("Putin authorised group");
    assert!(
        putin.outlets.len() >= 3,
        "Putin claim spans the three 2021 articles: {:?}",
        putin.outlets
    );
    assert!(putin.outlets.contains(&"BBC News".to_string()));

    let iran = find(&r, &["Iran", "influence campaign"]).expect("Iran campaign group");
    assert!(
        iran.members.iter().all(|m| m.unit.claim.contains("Iran")),
        "{:?}",
        iran.members
    );

    let china = find(&r, &["China", "stability"]).expect("China did not interfere group");
    assert!(china.outlets.len() >= 2);

    let votes = find(&r, &["foreign", "votes"]).expect("no foreign actor changed votes group");
    assert!(
        votes
            .members
            .iter()
            .all(|m| m.unit.sentence.contains("foreign"))
    );

    assert!(r.groups.len() <= 15, "too many groups: {}", r.groups.len());
}

/// The report `claimscope match` prints on the example corpus with its defaults (the shipped
/// judge and labelling models, through `Pipeline`, which composes them as the CLI does):
/// groups, members, levels, cues, stances, related claims and drift flags. A change to any stage
/// upstream shows here as a reviewable diff (`cargo insta review`).
#[test]
fn example_corpus_report_snapshot() {
    let args = IngestOptions::for_paths(&[
        common::project("examples/election-interference").to_string_lossy()
    ]);
    let docs: Vec<_> = Corpus::open(&args, &Silent)
        .expect("open")
        .map(|d| segment(&d.expect("doc"), SegmentOptions::default()))
        .collect();
    let pipeline = claimscope::pipeline::Pipeline::load(&common::model_spec()).expect("models");
    let r = pipeline.match_documents(&docs, &Silent).expect("match");
    for g in &r.groups {
        // The canonical member states the group's claim by construction, whatever the pair
        // model would read into a negated claim beside itself.
        let first = g.members[0].stance.as_ref().expect("labelled");
        assert_eq!(first.stance, claimscope::classify::Stance::Agree, "{g:?}");
    }
    insta::assert_snapshot!(claimscope::report::table(&r));
}
