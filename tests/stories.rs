//! `stories` on real reports: FNC-1 train bodies, whose stories are known from the headlines
//! they were written under (bodies linked through a related headline are one story).

mod common;

use std::collections::HashMap;

use claimscope::classify::stance::data::load_fnc1;
use claimscope::devset::StoryComponents;
use claimscope::ingest::Document;
use claimscope::observe::Silent;
use claimscope::segment::{Segmented, segment};
use claimscope::stories::{StoryOptions, lead_vectors, stories, stories_with_leads};

/// The `n` largest FNC-1 train stories, at most `cap` bodies each, as documents, with the
/// index of each document's story.
fn largest_stories(n: usize, cap: usize) -> (Vec<Segmented>, Vec<usize>) {
    let (rows, bodies) = load_fnc1(&common::shared("data/fnc1"), "train").expect("FNC-1 train");
    let mut all = StoryComponents::of(&rows).stories_of(bodies.keys());
    all.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    let (mut docs, mut gold) = (Vec::new(), Vec::new());
    for (i, st) in all.iter().take(n).enumerate() {
        for b in st.iter().take(cap) {
            let text = bodies.get(&b.to_string()).cloned().unwrap_or_default();
            docs.push(segment(
                &Document::from_text(format!("b{b}"), text),
                Default::default(),
            ));
            gold.push(i);
        }
    }
    (docs, gold)
}

/// A story of more reports than the candidate search lists neighbours (20) is one story: its
/// reports' pairs the search did not list are scored when their clusters meet, not counted as
/// 0. Before, the 50 reports of James Foley's killing came out as six stories, the 39 of one
/// Boko Haram story as five.
#[test]
fn a_story_of_fifty_reports_is_not_cut_into_pieces() {
    let (docs, gold) = largest_stories(3, 50);
    assert!(docs.len() > 100, "{} documents", docs.len());
    let found =
        stories(&docs, common::embedder(), &StoryOptions::default(), &Silent).expect("stories");
    for g in 0..3 {
        let of: Vec<usize> = (0..docs.len())
            .filter(|&i| gold[i] == g)
            .map(|i| found.story_of[i])
            .collect();
        let mut counts: HashMap<usize, usize> = HashMap::new();
        for s in &of {
            *counts.entry(*s).or_default() += 1;
        }
        let most = counts.values().copied().max().unwrap_or(0);
        assert!(
            most * 10 >= of.len() * 9,
            "story {g}: {} reports spread over {counts:?}",
            of.len()
        );
    }
    // And the three stay apart: no found story holds two of them in numbers.
    for s in 0..found.stories.len() {
        let mut counts = [0usize; 3];
        for i in (0..docs.len()).filter(|&i| found.story_of[i] == s) {
            counts[gold[i]] += 1;
        }
        let total: usize = counts.iter().sum();
        let top = counts.iter().copied().max().unwrap_or(0);
        assert!(top * 10 >= total * 9, "story {s} mixes: {counts:?}");
    }
}

/// What a cluster does (Ray's stage 2): the lead vectors computed a slice of the documents at a
/// time elsewhere, stacked in order, and the stories linked from them, with no model: the same
/// stories as one call. Vectors that do not fit the documents are refused, naming the fix.
#[test]
fn stories_linked_from_lead_vectors_computed_apart_are_the_same() {
    let (docs, _) = largest_stories(6, 8);
    let opts = StoryOptions::default();
    let whole = stories(&docs, common::embedder(), &opts, &Silent).expect("stories");
    assert!(whole.stories.len() >= 6, "{} stories", whole.stories.len());
    let half = docs.len() / 2;
    let a = lead_vectors(&docs[..half], common::embedder(), &opts, &Silent).expect("leads");
    let b = lead_vectors(&docs[half..], common::embedder(), &opts, &Silent).expect("leads");
    let leads = ndarray::concatenate(ndarray::Axis(0), &[a.view(), b.view()]).expect("stack");
    let linked = stories_with_leads(&docs, leads.clone(), &opts, &Silent).expect("linked");
    assert_eq!(linked.story_of, whole.story_of);
    assert_eq!(
        serde_json::to_value(&linked).expect("json"),
        serde_json::to_value(&whole).expect("json")
    );

    let short = leads.slice(ndarray::s![1.., ..]).to_owned();
    let e = stories_with_leads(&docs, short, &opts, &Silent)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let want = format!(
        "{} lead vectors of 384 values for {} documents",
        docs.len() - 1,
        docs.len()
    );
    assert!(e.contains(&want), "{e}");
    let mut bad = leads;
    bad[[2, 7]] = f32::NAN;
    let e = stories_with_leads(&docs, bad, &opts, &Silent)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains(&format!("document 2 ({})", docs[2].doc)), "{e}");
}

/// html-news holds each article twice: the page (often dated by its metadata) and the text
/// Firefox's reader view extracts (undated). The two are one story: a dated page kept only its
/// own year of those its lead names for a while, and three pages parted from their own text.
#[test]
fn a_page_and_its_extracted_text_are_one_story() {
    let out = common::run_ok(&[
        "stories",
        common::shared("data/html-news").to_str().unwrap_or(""),
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stories JSON");
    let mut story_of: HashMap<String, Vec<String>> = HashMap::new();
    for s in v["stories"].as_array().into_iter().flatten() {
        for d in s["documents"].as_array().into_iter().flatten() {
            let doc = d["doc"].as_str().unwrap_or("");
            let article = doc.split('/').next().unwrap_or("").to_string();
            story_of
                .entry(article)
                .or_default()
                .push(s["id"].as_str().unwrap_or("").to_string());
        }
    }
    assert_eq!(story_of.len(), 34, "{story_of:?}");
    let apart: Vec<_> = story_of
        .iter()
        .filter(|(_, ids)| ids.len() != 2 || ids[0] != ids[1])
        .collect();
    assert!(apart.is_empty(), "page and text apart: {apart:?}");
}

/// A story's title names its event: the most central report's title unless it asks or
/// exclaims, then the most central one that states something. Two reports are equally central,
/// so the first would title the story; its title is a question.
#[test]
fn a_story_is_titled_by_a_statement_not_a_question() {
    let doc = |id: &str, title: &str, text: &str| {
        let mut d = Document::from_text(id, text);
        d.title = Some(title.to_string());
        segment(&d, Default::default())
    };
    let docs = vec![
        doc(
            "a",
            "Has the street artist Banksy been arrested in London?",
            "Reports spread on Monday that the street artist Banksy had been arrested by police \
             in London. The Metropolitan Police declined to comment on the reports.",
        ),
        doc(
            "b",
            "Banksy arrested in London, reports say",
            "The street artist Banksy was arrested by police in London on Monday, according to \
             several reports. His identity has long been a secret.",
        ),
    ];
    let found =
        stories(&docs, common::embedder(), &StoryOptions::default(), &Silent).expect("stories");
    assert_eq!(found.stories.len(), 1, "{:?}", found.stories);
    assert_eq!(
        found.stories[0].title,
        "Banksy arrested in London, reports say"
    );
    // Where every title asks, the most central one stays (here the first, as the two tie).
    let mut asking = docs;
    asking[1].title = Some("Was Banksy arrested in London?".to_string());
    let found = stories(
        &asking,
        common::embedder(),
        &StoryOptions::default(),
        &Silent,
    )
    .expect("stories");
    assert_eq!(found.stories.len(), 1, "{:?}", found.stories);
    assert_eq!(
        found.stories[0].title,
        "Has the street artist Banksy been arrested in London?"
    );
}

/// The table's header counts in the right number (found by a review: "1 stories in 1
/// documents").
#[test]
fn the_table_counts_one_story_and_one_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("one.jsonl");
    std::fs::write(
        &path,
        "{\"id\": \"a\", \"outlet\": \"X\", \"text\": \"The minister resigned on Monday after the vote.\"}\n",
    )
    .expect("write");
    let out = common::run_ok(&["stories", path.to_str().unwrap_or("")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("1 story in 1 document\n"), "{text}");
}
