//! The same-claim judge's training loop: seeded and deterministic (the same pairs and seed give
//! the same weights), the loss moves, and what it writes is a model directory the encoder loads.

mod common;

use claimscope::embed::{Embedder, source};
use claimscope::judge::{self, JudgeOptions, SilverPair};
use claimscope::observe::Silent;

fn pairs() -> Vec<SilverPair> {
    let p = |a: &str, b: &str, n: &str, story| SilverPair {
        a: a.into(),
        b: b.into(),
        negative: n.into(),
        story,
        kind: "sentence-sentence",
    };
    vec![
        p(
            "A small meteorite struck near Managua's airport on Saturday night.",
            "Officials said a meteorite caused the blast that left a crater by the airport.",
            "No one was injured, the government said.",
            0,
        ),
        p(
            "Christian Bale will play Steve Jobs in the Sorkin biopic.",
            "Sorkin confirmed Bale has been cast as the Apple co-founder.",
            "Danny Boyle is set to direct the film.",
            1,
        ),
        p(
            "Police said the Batmobile was never stolen from the set.",
            "The Batmobile is safe, a Detroit police spokesman said.",
            "Filming of the superhero movie continues in Detroit.",
            2,
        ),
        p(
            "Lebanon is holding a former wife of the Islamic State leader.",
            "Lebanese authorities detained a woman who was once married to al-Baghdadi.",
            "The woman was travelling with a fake passport.",
            3,
        ),
    ]
}

#[test]
fn training_is_seeded_and_writes_a_loadable_model() {
    let files = source::resolve(&common::model_spec()).expect("model files");
    let emb = common::embedder();
    let opts = JudgeOptions {
        batch_size: 4,
        epochs: 2,
        lr: 2e-5,
        ..JudgeOptions::default()
    };
    let (a, ra) = judge::train(&files, emb, &pairs(), &opts, &Silent).expect("train");
    let (b, rb) = judge::train(&files, emb, &pairs(), &opts, &Silent).expect("train again");
    assert_eq!(ra.steps, 2);
    assert_eq!(ra.loss_curve, rb.loss_curve, "same seed, same losses");
    assert!(ra.loss_curve.iter().all(|l| l.is_finite()));
    let dir = tempfile::tempdir().expect("tmp");
    let wa = judge::save(&a, &files, &dir.path().join("a")).expect("save");
    let wb = judge::save(&b, &files, &dir.path().join("b")).expect("save");
    assert_eq!(
        source::sha256_file(&wa).expect("sha"),
        source::sha256_file(&wb).expect("sha"),
        "same seed, same weights"
    );
    // The written directory is a model the fast encoder runs; a few steps move the vectors
    // a little, not away.
    let tuned = Embedder::from_spec(&dir.path().join("a").to_string_lossy()).expect("load judge");
    let text = ["Officials said a meteorite caused the blast."];
    let x = tuned.embed(&text).expect("embed").vectors;
    let y = emb.embed(&text).expect("embed").vectors;
    let cos = x.row(0).dot(&y.row(0));
    assert!(
        cos > 0.9 && cos < 0.999_999,
        "cosine to the base model {cos}"
    );
}
