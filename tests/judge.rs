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
    let (a, ra) = judge::train_pairs(&files, emb, &pairs(), &opts, &Silent).expect("train");
    let (b, rb) = judge::train_pairs(&files, emb, &pairs(), &opts, &Silent).expect("train again");
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

/// Two small labelled stories: claim groups across documents, and same-story sentences that
/// say something else.
fn stories() -> Vec<judge::LabelledStory> {
    let story = |rows: &[(&str, usize, Option<usize>)]| judge::LabelledStory {
        texts: rows.iter().map(|r| r.0.to_string()).collect(),
        doc: rows.iter().map(|r| r.1).collect(),
        group: rows.iter().map(|r| r.2).collect(),
    };
    vec![
        story(&[
            (
                "Banksy has not been arrested, his publicist said.",
                0,
                Some(0),
            ),
            (
                "The report of the street artist's arrest is a hoax.",
                1,
                Some(0),
            ),
            (
                "A satirical site claimed Banksy was held in London.",
                0,
                Some(1),
            ),
            (
                "The fake story said police arrested the artist.",
                1,
                Some(1),
            ),
            ("His murals sell for millions at auction.", 2, None),
            ("The Met said it had no information on any arrest.", 2, None),
        ]),
        story(&[
            ("A meteorite struck near Managua's airport.", 0, Some(0)),
            (
                "Officials said a small meteorite left a crater by the airport.",
                1,
                Some(0),
            ),
            ("No one was hurt, the government said.", 0, None),
            ("NASA experts doubted the explanation.", 1, None),
        ]),
    ]
}

#[test]
fn group_objective_is_seeded_and_separates_what_it_was_taught() {
    let files = source::resolve(&common::model_spec()).expect("model files");
    let emb = common::embedder();
    let opts = JudgeOptions {
        batch_size: 6,
        epochs: 3,
        lr: 5e-5,
        ..JudgeOptions::default()
    };
    let s = stories();
    assert_eq!(s[0].positives(), 2);
    assert_eq!(s[1].positives(), 1);
    let (a, ra) = judge::train_groups(&files, emb, &s, &opts, &Silent).expect("train");
    let (b, rb) = judge::train_groups(&files, emb, &s, &opts, &Silent).expect("train again");
    assert_eq!(ra.steps, 6, "one batch per story and epoch");
    assert_eq!(ra.loss_curve, rb.loss_curve, "same seed, same losses");
    let dir = tempfile::tempdir().expect("tmp");
    let wa = judge::save(&a, &files, &dir.path().join("a")).expect("save");
    let wb = judge::save(&b, &files, &dir.path().join("b")).expect("save");
    assert_eq!(
        source::sha256_file(&wa).expect("sha"),
        source::sha256_file(&wb).expect("sha"),
        "same seed, same weights"
    );
    // What it was taught moves the right way: the two denials come closer, the denial and
    // the same-story sentence about auction prices do not.
    let tuned = Embedder::from_spec(&dir.path().join("a").to_string_lossy()).expect("load");
    let cos = |e: &Embedder, x: &str, y: &str| {
        let v = e.embed(&[x, y]).expect("embed").vectors;
        v.row(0).dot(&v.row(1))
    };
    let (d1, d2, other) = (&s[0].texts[0], &s[0].texts[1], &s[0].texts[4]);
    let gain_same = cos(&tuned, d1, d2) - cos(emb, d1, d2);
    let gain_other = cos(&tuned, d1, other) - cos(emb, d1, other);
    assert!(
        gain_same > gain_other,
        "same claim {gain_same:+.4}, another claim {gain_other:+.4}"
    );
}

/// A judge directory whose weights are not the ones its card names is refused before use.
#[test]
fn judge_with_changed_weights_is_refused() {
    let files = source::resolve(&common::model_spec()).expect("model files");
    let dir = tempfile::tempdir().expect("tmp");
    for f in ["config.json", "tokenizer.json", "model.safetensors"] {
        std::fs::copy(files.path(f), dir.path().join(f)).expect("copy");
    }
    std::fs::write(
        dir.path().join("judge.json"),
        r#"{"weights_sha256": "0000", "threshold": 0.6}"#,
    )
    .expect("card");
    let err = judge::Judge::load(dir.path(), &Default::default())
        .err()
        .expect("refused")
        .to_string();
    assert!(
        err.contains("SHA-256") && err.contains("judge.json"),
        "{err}"
    );
    std::fs::remove_file(dir.path().join("judge.json")).expect("rm");
    let err = judge::Judge::load(dir.path(), &Default::default())
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("judge.json"), "{err}");
}

/// The shipped judge: its weights are the ones its card names, and `eval claims` with it gives
/// the figures its card records (the threshold was chosen by them on the dev half).
#[test]
#[ignore = "slow: runs match on both halves of the labelled set for each floor tried on dev"]
fn shipped_judge_gives_the_figures_on_its_card() {
    use claimscope::devset::{DevSet, default_dir, evaluate_claims};
    use claimscope::matching::MatchOptions;
    let dir = judge::default_dir().expect("models/judge is shipped");
    // The threshold on the card was chosen with the int8 judge `match` runs by default.
    let int8 = claimscope::embed::EmbedderOptions {
        precision: claimscope::embed::Precision::Int8,
        ..Default::default()
    };
    let j = judge::Judge::load(&dir, &int8).expect("load the shipped judge");
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(judge::CARD)).expect("card"))
            .expect("card json");
    let figures = &card["figures"];
    let set = DevSet::load(&default_dir()).expect("dev set");
    let opts = MatchOptions::default().with_judge(0.0);
    let beta = figures["chosen_by_f_beta"].as_f64().expect("beta");
    let r = evaluate_claims(
        &set,
        common::embedder(),
        Some(&j),
        &opts,
        Some(beta),
        None,
        &Silent,
    )
    .expect("eval claims");
    assert_eq!(
        Some(r.match_floor),
        j.card.threshold,
        "same floor chosen on dev"
    );
    for (name, got) in [("match_dev", &r.match_dev), ("match_test", &r.match_test)] {
        let want = figures[name]["f1"].as_f64().expect("f1");
        assert!(
            (got.f1 - want).abs() < 1e-9,
            "{name}: F1 {} vs card {want}",
            got.f1
        );
    }
    // And on the test half it beats the base model's bare cosine by the measure its floor was
    // chosen by on dev (F0.5: a wrong pair printed costs more than a missed one). By F1 it does
    // not since the dev half grew to eight stories (README, "match").
    assert!(
        r.match_test.f_beta(beta) > r.cosine_test.f_beta(beta) + 0.02,
        "{r:?}"
    );
}

/// The shipped judge is a soup of `train judge` runs (`train average`, README "train judge");
/// each run's record is on its card. Retraining the first (12 stories) as the README gives it
/// reproduces the first tenth of its loss curve, which pins its data, batches, tokens, seed and
/// schedule; every run builds the number of pairs and plans the number of steps its card
/// records, which pins the data the later runs (56 stories, about 25 minutes each on 2 cores)
/// were taught. Their training loop is the first run's, and its determinism is
/// `training_is_seeded_and_writes_a_loadable_model`. (Reproducing a tenth of each later run too
/// took 5 more minutes of every CI run; the whole first run 8: CI's budget is 40.) The soup's
/// own arithmetic is `averaging_a_judge_with_itself_gives_it_back`.
#[test]
#[ignore = "slow: a tenth of a training run (about a minute on 2 cores)"]
fn retraining_reproduces_the_shipped_judge() {
    use claimscope::devset::{DevSet, default_dir};
    let dir = judge::default_dir().expect("models/judge is shipped");
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(judge::CARD)).expect("card"))
            .expect("card json");
    let sources = card["averaged_from"].as_array().expect("a soup's sources");
    assert!(sources.len() >= 2, "{sources:?}");
    let set = DevSet::load(&default_dir()).expect("dev set");
    let files = source::resolve(&common::model_spec()).expect("model files");
    for (k, run) in sources.iter().enumerate() {
        // The stories the run's card names (the train split grew after the first run).
        let named: Vec<String> = serde_json::from_value(run["data"]["labelled_stories"].clone())
            .expect("labelled stories on the card");
        let stories: Vec<judge::LabelledStory> = set
            .split("train")
            .into_iter()
            .filter(|s| named.contains(&s.meta.story))
            .map(judge::LabelledStory::of)
            .collect();
        assert_eq!(stories.len(), named.len());
        let mut opts: JudgeOptions =
            serde_json::from_value(run["options"].clone()).expect("options on the card");
        let steps = run["training"]["steps"].as_u64().expect("steps") as usize;
        let want: Vec<f64> =
            serde_json::from_value(run["training"]["loss_curve"].clone()).expect("loss curve");
        // The first run trains its first tenth; the later ones plan their steps and stop.
        let run_steps = if k == 0 { steps.div_ceil(10) } else { 0 };
        opts.stop_after = Some(run_steps);
        let (_, report) = judge::train_groups(&files, common::embedder(), &stories, &opts, &Silent)
            .expect("train");
        assert_eq!(report.planned_steps, steps, "run {k}: planned steps");
        assert_eq!(report.steps, run_steps, "run {k}: steps run");
        assert_eq!(
            Some(report.gold_pairs as u64),
            run["training"]["gold_pairs"].as_u64(),
            "run {k}: pairs of the same claim taught"
        );
        assert_eq!(report.loss_curve.len(), usize::from(k == 0), "run {k}");
        let close = report
            .loss_curve
            .iter()
            .zip(&want)
            .all(|(a, b)| (a - b).abs() < 1e-3);
        assert!(
            close,
            "run {k}: loss curve {:?} vs card {want:?}",
            report.loss_curve
        );
    }
}

/// `train average` on judges: the shipped judge averaged with itself comes back weight for
/// weight (f16 -> f32 mean -> f16 is exact: the normalised weights 1/4 and 3/4 and their sum
/// are exact in f32), its card records both sources
/// and drops the threshold, which belongs to the weights it was chosen for; averaging into a
/// source is refused.
#[test]
fn averaging_a_judge_with_itself_gives_it_back() {
    let dir = judge::default_dir().expect("models/judge is shipped");
    let out = tempfile::tempdir().expect("tmp");
    let soup = out.path().join("soup");
    let dirs = vec![dir.clone(), dir.clone()];
    judge::average(
        &dirs,
        &[1.0, 3.0],
        &soup,
        &serde_json::json!({"command": "test"}),
    )
    .expect("average");
    let read = |d: &std::path::Path| {
        candle_core::safetensors::load(d.join("model.safetensors"), &candle_core::Device::Cpu)
            .expect("weights")
    };
    let (a, b) = (read(&dir), read(&soup));
    assert_eq!(a.len(), b.len());
    for (name, t) in &a {
        let u = &b[name];
        assert_eq!(t.dtype(), u.dtype(), "{name}");
        let diff = (t.to_dtype(candle_core::DType::F32).expect("f32")
            - u.to_dtype(candle_core::DType::F32).expect("f32"))
        .expect("diff")
        .abs()
        .expect("abs")
        .max_all()
        .expect("max")
        .to_scalar::<f32>()
        .expect("scalar");
        assert!(diff == 0.0, "{name}: {diff}");
    }
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(soup.join(judge::CARD)).expect("card"))
            .expect("json");
    assert_eq!(card["averaged_from"].as_array().map(Vec::len), Some(2));
    assert_eq!(card["average_weights"], serde_json::json!([1.0, 3.0]));
    assert!(card.get("threshold").is_none(), "{card}");
    assert_eq!(card["command"], "test");
    // It loads (the new weights' SHA-256 is on its card) and asks for a threshold.
    let j = judge::Judge::load(&soup, &Default::default()).expect("load the soup");
    let err = j.threshold().expect_err("no threshold yet").to_string();
    assert!(err.contains("--save-threshold"), "{err}");
    let err = judge::average(
        &[dir.clone(), soup.clone()],
        &[1.0, 1.0],
        &soup,
        &serde_json::json!({}),
    )
    .expect_err("output is a source")
    .to_string();
    assert!(err.contains("new directory"), "{err}");
}

/// `train` writes a model directory under a temporary name and swaps it in at the end: a run
/// that fails leaves the model that was there before, whole, and nothing beside it; a run that
/// succeeds may replace one of its own sources (the soup of a directory with itself).
#[test]
fn a_failed_training_run_leaves_the_previous_model_whole() {
    let shipped = judge::default_dir().expect("models/judge is shipped");
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("judge");
    let cli = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_claimscope"))
            .args(args)
            .output()
            .expect("run claimscope")
    };
    let listing = |d: &std::path::Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let s = shipped.to_str().expect("utf-8 path");
    let o = out.to_str().expect("utf-8 path");
    let first = cli(&["train", "average", s, s, "--output", o]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let err = String::from_utf8_lossy(&first.stderr);
    assert!(err.contains(&format!("wrote {o}")), "{err}");
    assert!(
        err.contains(&format!("--judge {o} --save-threshold")),
        "{err}"
    );
    let before = std::fs::read(out.join("model.safetensors")).expect("weights");
    let files = listing(&out);

    // Fails after the output was staged: the second source is not a model directory.
    let bogus = tmp.path().join("not-a-model");
    std::fs::create_dir(&bogus).expect("mkdir");
    let failed = cli(&[
        "train",
        "average",
        o,
        bogus.to_str().expect("utf-8 path"),
        "--output",
        o,
    ]);
    assert!(!failed.status.success());
    assert_eq!(listing(&out), files, "the old model's files, all of them");
    assert_eq!(
        std::fs::read(out.join("model.safetensors")).expect("weights"),
        before
    );
    assert_eq!(
        listing(tmp.path()),
        ["judge", "not-a-model"],
        "no staging directory left behind"
    );

    // Rewritten from its own weights (refused before staging, as it truncated its sources).
    let again = cli(&["train", "average", o, s, "--weights", "1,3", "--output", o]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    judge::Judge::load(&out, &Default::default()).expect("the rewritten model loads");
    assert_eq!(listing(tmp.path()), ["judge", "not-a-model"]);
}
