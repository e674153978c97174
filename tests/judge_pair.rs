//! The cross-encoder judge: its training pairs come from the labelled stories as documented
//! (every same-claim pair in both orders, the hardest negatives first), and what it trains is a
//! model directory that loads, checks its files and scores a pair the same in either order.

mod common;

use claimscope::classify::tuned::TunedOptions;
use claimscope::devset::{DevSet, default_dir};
use claimscope::embed::{EmbedderOptions, source};
use claimscope::judge::pair::{self, PairJudge, PairSampling};
use claimscope::judge::train::LabelledStory;
use claimscope::observe::Silent;

fn story(id: &str) -> LabelledStory {
    let set = DevSet::load(&default_dir()).expect("dev set");
    let s = set
        .split("train")
        .into_iter()
        .find(|s| s.meta.story == id)
        .expect("train story");
    LabelledStory::of(s)
}

#[test]
fn training_pairs_take_every_positive_twice_and_the_hardest_negatives() {
    let st = story("bali-spider");
    let emb = common::embedder();
    let positives = st.positives();
    assert!(positives > 5, "{positives}");
    let sampling = PairSampling {
        hard: 1.0,
        random: 0.5,
        seed: 7,
    };
    let ex =
        pair::training_pairs(std::slice::from_ref(&st), emb, &sampling, &Silent).expect("pairs");
    let same: Vec<_> = ex.iter().filter(|e| e.same).collect();
    assert_eq!(same.len(), 2 * positives, "each positive in both orders");
    let different: Vec<_> = ex.iter().filter(|e| !e.same).collect();
    let want = positives + (positives as f64 * 0.5).round() as usize;
    assert_eq!(different.len(), want);

    // The first `positives` negatives are the most similar different-claim pairs of the story.
    let v = emb
        .embed_all(&st.texts, "sentences", &Silent)
        .expect("embed")
        .vectors;
    let index = |t: &str| {
        st.texts
            .iter()
            .position(|x| x == t)
            .expect("a story sentence")
    };
    let cos = |a: &str, b: &str| v.row(index(a)).dot(&v.row(index(b)));
    let hard_min = different[..positives]
        .iter()
        .map(|e| cos(&e.a, &e.b))
        .fold(f32::INFINITY, f32::min);
    let all_negatives: Vec<f32> = st
        .cross_pairs()
        .into_iter()
        .filter(|p| !p.2)
        .map(|(i, j, _)| v.row(i).dot(&v.row(j)))
        .collect();
    let above = all_negatives
        .iter()
        .filter(|&&c| c > hard_min + 1e-6)
        .count();
    assert!(
        above < positives,
        "{above} negatives are harder than the hard ones taken"
    );
    // Seeded: the same sampling gives the same pairs.
    let again =
        pair::training_pairs(std::slice::from_ref(&st), emb, &sampling, &Silent).expect("pairs");
    assert!(ex.iter().zip(&again).all(|(x, y)| x.a == y.a && x.b == y.b));
}

#[test]
fn a_trained_pair_judge_loads_and_is_symmetric() {
    let st = story("weatherman-peeing");
    let emb = common::embedder();
    let files = source::resolve(&common::model_spec()).expect("model files");
    let mut ex = pair::training_pairs(
        std::slice::from_ref(&st),
        emb,
        &PairSampling::default(),
        &Silent,
    )
    .expect("pairs");
    ex.truncate(24);
    let opts = TunedOptions {
        epochs: 1,
        batch_size: 8,
        ..Default::default()
    };
    let (trained, report) = pair::train(&files, emb, &ex, &opts, &Silent).expect("train");
    assert_eq!(report.steps, 3);
    let out = tempfile::tempdir().expect("tmp");
    pair::save(&trained, &files, out.path(), &opts, &serde_json::json!({})).expect("save");
    pair::save_card(out.path(), &serde_json::json!({"threshold": 0.6})).expect("card");
    let judge = PairJudge::load(out.path(), &EmbedderOptions::default()).expect("load");
    assert_eq!(judge.threshold(), Some(0.6));
    let (a, b) = (st.texts[0].as_str(), st.texts[1].as_str());
    let p = judge
        .same_probability(&[(a, b), (b, a)], &Silent)
        .expect("score");
    assert!((0.0..=1.0).contains(&p[0]));
    assert!((p[0] - p[1]).abs() < 1e-6, "{p:?}: order must not matter");

    // Swapped weights are refused: the card's SHA-256 no longer matches.
    std::fs::write(out.path().join("head.safetensors"), b"not a head").expect("write");
    let err = PairJudge::load(out.path(), &EmbedderOptions::default())
        .err()
        .expect("refused");
    assert!(err.to_string().contains("head.safetensors"), "{err}");
}
