//! The shipped classifier heads on the real model and real text: asserted confidence of the
//! example corpus's hedged and plain sentences, stance of a reported denial, the heads inside
//! `match`, the test-split figures, and the CLI's contracts and bad input.

mod common;

use std::process::{Command, Output};

use claimscope::classify::confidence::ConfidenceModel;
use claimscope::classify::stance::StanceModel;
use claimscope::classify::{
    CONFIDENCE_HEAD, ConfidenceClassifier, Level, STANCE_HEAD, Stance, StanceClassifier,
    confidence, default_head_path, stance,
};
use claimscope::embed::{EmbedderOptions, ModelId, Precision};
use claimscope::observe::Silent;

fn model_id() -> ModelId {
    common::embedder().model_id().expect("model id")
}

fn confidence_head() -> ConfidenceClassifier {
    ConfidenceClassifier::load(&default_head_path(CONFIDENCE_HEAD), &model_id())
        .expect("shipped confidence head")
}

fn stance_head() -> StanceClassifier {
    StanceClassifier::load(&default_head_path(STANCE_HEAD), &model_id())
        .expect("shipped stance head")
}

/// Sentences of the example corpus, as `segment` gives them.
fn corpus_sentences() -> Vec<String> {
    let args = claimscope::ingest::IngestOptions::for_paths(&[common::project(
        "examples/election-interference",
    )
    .to_string_lossy()]);
    claimscope::ingest::Corpus::open(&args, &claimscope::observe::Silent)
        .expect("open")
        .flat_map(|d| {
            claimscope::segment::segment(&d.expect("doc"), Default::default())
                .sentences
                .into_iter()
                .map(|s| s.text)
        })
        .collect()
}

fn sentence_with(all: &[String], needle: &str) -> String {
    all.iter()
        .find(|s| s.contains(needle))
        .unwrap_or_else(|| panic!("no sentence contains {needle:?}"))
        .clone()
}

#[test]
fn hedged_sentences_are_moderate_with_their_cues_and_plain_reports_high() {
    let all = corpus_sentences();
    let clf = confidence_head();
    let cases: &[(&str, Level, Option<&str>)] = &[
        (
            "is likely to have authorised",
            Level::Moderate,
            Some("likely"),
        ),
        (
            "were probably not election-focused",
            Level::Moderate,
            Some("probably"),
        ),
        (
            "is expected to impose",
            Level::Moderate,
            Some("is expected to"),
        ),
        (
            "called the allegations of election interference",
            Level::High,
            None,
        ),
        ("President Biden defeated Mr Trump", Level::High, None),
        (
            "concluded with “high confidence”",
            Level::High,
            Some("high confidence"),
        ),
        (
            "almost certainly viewed",
            Level::High,
            Some("almost certainly"),
        ),
    ];
    let texts: Vec<String> = cases.iter().map(|c| sentence_with(&all, c.0)).collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let labels = clf
        .classify_texts(common::embedder(), &refs)
        .expect("classify");
    for ((needle, want, cue), (text, got)) in cases.iter().zip(texts.iter().zip(&labels)) {
        assert_eq!(got.confidence, *want, "{needle}: {text} -> {got:?}");
        if let Some(cue) = cue {
            let c = got
                .cues
                .iter()
                .find(|c| c.text.to_lowercase().contains(cue))
                .unwrap_or_else(|| panic!("{needle}: cue {cue:?} not reported: {:?}", got.cues));
            assert_eq!(&text[c.start..c.end], c.text, "cue span points at the text");
        }
        assert!((0.0..=1.0).contains(&got.score));
    }
    // Plain statements score as more certain than hedged ones.
    assert!(labels[3].score > labels[0].score, "{labels:?}");
}

#[test]
fn questions_fragments_and_empty_text_assert_nothing() {
    let clf = confidence_head();
    let texts = [
        "Did Russia interfere in the election?",
        "Iranian attempt",
        "",
    ];
    let labels = clf
        .classify_texts(common::embedder(), &texts)
        .expect("classify");
    for (t, l) in texts.iter().zip(&labels) {
        assert_eq!(l.confidence, Level::None, "{t:?}: {l:?}");
        assert_eq!(l.score, 0.0);
    }
}

/// The shipped models as `classify` and `match` run them by default (int8 encoders).
fn shipped_stance() -> StanceModel {
    StanceModel::shipped(&model_id(), &EmbedderOptions::precision(Precision::Int8))
        .expect("shipped stance model")
}

fn shipped_confidence() -> ConfidenceModel {
    ConfidenceModel::shipped(&model_id(), &EmbedderOptions::precision(Precision::Int8))
        .expect("shipped confidence model")
}

#[test]
fn a_reported_denial_disagrees_and_an_assertion_agrees() {
    // Both stance models: the head and the shipped default (the pair model when shipped).
    for model in [StanceModel::from(stance_head()), shipped_stance()] {
        let e = common::embedder();
        let claim = "Russia interfered in the 2020 US election";
        let texts = [
            "Russia called the allegations of election interference “baseless”.",
            "Russian President Vladimir Putin authorised influence operations to help Donald Trump in last November's presidential election.",
            "The bakery's new sourdough recipe calls for rye flour and a long cold proof.",
        ];
        let cv = e.embed(&[claim]).expect("embed").vectors;
        let tv = e.embed(&texts).expect("embed").vectors;
        let labels = model
            .toward(claim, cv.row(0), &texts, tv.view(), &Silent)
            .expect("stance");
        let who = model.describe();
        assert_eq!(labels[0].stance, Stance::Disagree, "{who}: {:?}", labels[0]);
        match model {
            StanceModel::Head(_) => {
                assert_eq!(labels[1].stance, Stance::Agree, "{who}: {:?}", labels[1])
            }
            // The pair model's known weakness (README, "train stance-pair"): a restatement in
            // other words comes out `discuss` (the labelled stories' majority class for
            // same-topic sentences), so here it must only see it as related and not a denial.
            StanceModel::Pair(_) => assert!(
                matches!(labels[1].stance, Stance::Agree | Stance::Discuss),
                "{who}: {:?}",
                labels[1]
            ),
        }
        assert_eq!(
            labels[2].stance,
            Stance::Unrelated,
            "{who}: {:?}",
            labels[2]
        );
        let s = &labels[0].scores;
        assert!((s.agree + s.disagree + s.discuss + s.unrelated - 1.0).abs() < 1e-4);
    }
}

#[test]
fn confidence_follows_the_guides_conventions_on_sentences_written_for_it() {
    // Sentences written for this test (no data set's): the guide's conventions, one or two
    // each. Attribution is looked through; a hedge in a subordinate clause does not lower a
    // plain main clause; an explicit confidence phrase beats the verb; "likely"/"believe" are
    // moderate, "may"/"appears"/"reportedly" low; questions and verbless headings none.
    let cases: &[(&str, Level)] = &[
        (
            "The virus has spread to three more countries, according to the World Health Organization.",
            Level::High,
        ),
        (
            "Police said the suspect, who may have fled abroad, was identified on Monday.",
            Level::High,
        ),
        (
            "The bridge, which engineers say could reopen next year, was closed after the flood.",
            Level::High,
        ),
        (
            "Investigators concluded with high confidence that the fire was set deliberately.",
            Level::High,
        ),
        (
            "The ministry found that the figures had been altered.",
            Level::High,
        ),
        (
            "Officials believe the hackers were probably working for a foreign government.",
            Level::Moderate,
        ),
        (
            "The company is likely to announce job cuts next week.",
            Level::Moderate,
        ),
        (
            "The minister may resign before the end of the year.",
            Level::Low,
        ),
        (
            "The photo appears to have been digitally altered.",
            Level::Low,
        ),
        ("The singer reportedly cancelled the tour.", Level::Low),
        ("Did the minister resign?", Level::None),
        ("Budget talks", Level::None),
    ];
    let model = shipped_confidence();
    let texts: Vec<&str> = cases.iter().map(|c| c.0).collect();
    let v = common::embedder().embed(&texts).expect("embed").vectors;
    let labels = model.classify(&texts, v.view(), &Silent).expect("classify");
    let wrong: Vec<String> = cases
        .iter()
        .zip(&labels)
        .filter(|((_, want), got)| got.confidence != *want)
        .map(|((t, want), got)| format!("{t:?}: want {want}, got {}", got.confidence))
        .collect();
    assert!(wrong.is_empty(), "{}: {wrong:#?}", model.describe());
}

#[test]
fn heads_refuse_another_embedding_model() {
    let other = ModelId::new("sentence-transformers/all-mpnet-base-v2", 768);
    let err = StanceClassifier::load(&default_head_path(STANCE_HEAD), &other)
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("trained on embeddings of"), "{err}");
    assert!(err.contains("--model"), "{err}");
    let err = ConfidenceClassifier::load(&default_head_path(STANCE_HEAD), &model_id())
        .err()
        .expect("a stance head is not a confidence head")
        .to_string();
    assert!(err.contains("not a confidence head"), "{err}");
}

#[test]
fn match_flags_the_putin_claim_as_asserted_at_different_confidence() {
    use claimscope::matching::{Classifiers, MatchOptions, match_claims};
    let args = claimscope::ingest::IngestOptions::for_paths(&[common::project(
        "examples/election-interference",
    )
    .to_string_lossy()]);
    let docs: Vec<_> = claimscope::ingest::Corpus::open(&args, &claimscope::observe::Silent)
        .expect("open")
        .map(|d| claimscope::segment::segment(&d.expect("doc"), Default::default()))
        .collect();
    // The default confidence model, as `match` runs it; the head is checked on its own above.
    let (c, s) = (shipped_confidence(), stance_head().into());
    let heads = Classifiers {
        confidence: &c,
        stance: &s,
    };
    let r = match_claims(
        &docs,
        common::embedder(),
        None,
        &MatchOptions::default(),
        Some(&heads),
        &claimscope::observe::Silent,
    )
    .expect("match");
    let putin = r
        .groups
        .iter()
        .find(|g| {
            g.members.iter().any(|m| {
                m.unit.sentence.contains("Putin") && m.unit.sentence.contains("authorised")
            })
        })
        .expect("Putin group");
    assert!(putin.confidence_differs, "{putin:#?}");
    let spread = putin.confidence_spread.as_ref().expect("spread");
    assert!(spread.note.contains("likely"), "{}", spread.note);
    let bbc = putin
        .members
        .iter()
        .find(|m| m.unit.outlet == "BBC News")
        .expect("BBC member");
    let conf = bbc.confidence.as_ref().expect("labelled");
    assert_eq!(conf.level, Level::Moderate);
    let likely = conf.cues.iter().find(|q| q.text == "likely").expect("cue");
    // Cue spans are document offsets: inside the member's span.
    assert!(likely.start >= bbc.unit.start && likely.end <= bbc.unit.end);
    assert!(
        putin.members.iter().any(|m| m
            .confidence
            .as_ref()
            .is_some_and(|c| c.level == Level::High)),
        "one outlet states it as fact"
    );
    for g in &r.groups {
        for m in &g.members {
            assert!(m.stance.is_some() && m.confidence.is_some());
        }
        // Members assert the group's claim; whatever only discusses or denies it is related.
        for m in &g.members[1..] {
            assert_eq!(
                m.stance.as_ref().map(|s| s.stance),
                Some(Stance::Agree),
                "{g:#?}"
            );
        }
        check_confidence_flag(g);
    }
    // Stories and the stance check only remove: cosine-only grouping across the corpus keeps
    // every group it found, among them groups tying the 2021 report to the 2023 cable (another
    // event), which the default (matching within stories, members that agree) never prints.
    let any = match_claims(
        &docs,
        common::embedder(),
        None,
        &MatchOptions {
            require_agree: false,
            within_stories: false,
            ..MatchOptions::default()
        },
        Some(&heads),
        &claimscope::observe::Silent,
    )
    .expect("match");
    assert!(
        r.groups.len() < any.groups.len(),
        "{} vs {}",
        r.groups.len(),
        any.groups.len()
    );
    let cable = |g: &claimscope::matching::MatchGroup| {
        g.members.iter().any(|m| m.unit.doc.starts_with("003_"))
    };
    assert!(any.groups.iter().any(cable));
    assert!(!r.groups.iter().any(cable), "{:#?}", r.groups);
}

/// What `confidence_differs` promises, recomputed from the members themselves: the members
/// that assert the claim (stance `agree`; a distanced report is `high` by the guide and would
/// pass for stating it "plainly") assert it at two or more levels, where `high` always counts
/// and a hedged level counts only when a hedge cue of that level stands in the member's main
/// clause, inside its claim (a head's unexplained "moderate" never raises the flag); and
/// outlets differ, each outlet's set of levels compared (two copies of one article, each
/// stating in its headline what its body hedges, do not). The spread lists exactly those
/// levels, each with the outlets asserting it.
fn check_confidence_flag(g: &claimscope::matching::MatchGroup) {
    use claimscope::classify::cues::CueKind;
    use claimscope::matching::Member;
    for m in &g.members {
        let conf = m.confidence.as_ref().expect("labelled");
        // Cue spans are document offsets inside the claim, and point at the cue's words.
        for q in &conf.cues {
            assert!(
                q.start >= m.unit.start && q.end <= m.unit.end,
                "{q:?} {m:#?}"
            );
            let at = q.start - m.unit.sentence_start..q.end - m.unit.sentence_start;
            assert_eq!(m.unit.sentence.get(at), Some(q.text.as_str()), "{m:#?}");
        }
    }
    let carried = |m: &Member| -> Option<Level> {
        if !m.stance.as_ref().is_some_and(|s| s.stance == Stance::Agree) {
            return None;
        }
        let c = m.confidence.as_ref()?;
        let worded = c.cues.iter().any(|q| {
            q.main_clause
                && q.kind != CueKind::Booster
                && q.level == c.level
                && q.start >= m.unit.start
                && q.end <= m.unit.end
        });
        match c.level {
            Level::High => Some(Level::High),
            Level::None => None,
            hedged => worded.then_some(hedged),
        }
    };
    let mut levels: Vec<Level> = g.members.iter().filter_map(carried).collect();
    levels.sort();
    levels.dedup();
    let mut per_outlet: std::collections::BTreeMap<&str, Vec<Level>> = Default::default();
    for m in &g.members {
        if let Some(l) = carried(m) {
            per_outlet
                .entry(m.unit.outlet.as_str())
                .or_default()
                .push(l);
        }
    }
    let mut sets: Vec<Vec<Level>> = per_outlet
        .into_values()
        .map(|mut v| {
            v.sort();
            v.dedup();
            v
        })
        .collect();
    sets.sort();
    sets.dedup();
    assert_eq!(
        g.confidence_differs,
        levels.len() >= 2 && sets.len() >= 2,
        "levels carried by words {levels:?}, outlets' sets {sets:?}: {g:#?}"
    );
    let Some(spread) = &g.confidence_spread else {
        assert!(!g.confidence_differs, "{g:#?}");
        return;
    };
    assert!(g.confidence_differs, "{g:#?}");
    // At least two levels, so at least one hedged member whose hedge is in its words.
    assert!(
        g.members
            .iter()
            .any(|m| matches!(carried(m), Some(Level::Moderate | Level::Low))),
        "{g:#?}"
    );
    let shown: Vec<Level> = spread.levels.iter().map(|l| l.level).collect();
    assert_eq!(shown, levels, "most certain first: {g:#?}");
    for l in &spread.levels {
        let mut want: Vec<&str> = g
            .members
            .iter()
            .filter(|m| carried(m) == Some(l.level))
            .map(|m| m.unit.outlet.as_str())
            .collect();
        want.sort_unstable();
        want.dedup();
        let mut got: Vec<&str> = l.outlets.iter().map(String::as_str).collect();
        got.sort_unstable();
        assert_eq!(got, want, "outlets at {}: {g:#?}", l.level);
    }
}

#[test]
#[ignore = "needs ../shared/data/{emergent,pei-certainty} (CLAIMSCOPE_SHARED); CI runs it"]
fn emergent_and_pei_test_figures_clear_their_baselines() {
    let e = common::embedder();
    let em = stance::eval::eval_emergent(
        &stance_head().into(),
        e,
        &common::shared("data/emergent"),
        &claimscope::observe::Silent,
    )
    .expect("eval");
    // Majority class gets accuracy 0.47 and macro-F1 about 0.21 on these 524 pairs.
    assert_eq!(em.pairs, 524);
    assert!(em.accuracy > em.majority_accuracy + 0.1, "{em:?}");
    assert!(em.macro_f1 > 0.55, "{em:?}");
    let c = confidence::eval::evaluate(
        &confidence_head().into(),
        e,
        &common::shared("data/pei-certainty"),
        "test",
    )
    .expect("eval");
    assert_eq!(c.sentences, 136);
    assert!(c.spearman > 0.3, "{c:?}");
    assert!(c.macro_f1 > 0.45, "{c:?}");
}

fn claimscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_claimscope"))
        .args(args)
        .env("CLAIMSCOPE_MODEL", common::model_spec())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run claimscope")
}

#[test]
fn classify_confidence_over_the_corpus_streams_records_with_provenance() {
    let out = claimscope(&[
        "classify",
        "examples/election-interference",
        "--task",
        "confidence",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("sentences/s"), "throughput figure: {err}");
    let rows: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(rows.len(), corpus_sentences().len());
    for r in &rows {
        for k in [
            "doc",
            "outlet",
            "start",
            "end",
            "text",
            "confidence",
            "score",
            "cues",
        ] {
            assert!(r.get(k).is_some(), "{k} missing in {r}");
        }
    }
    let bbc = rows
        .iter()
        .find(|r| {
            r["text"]
                .as_str()
                .is_some_and(|t| t.contains("is likely to have"))
        })
        .expect("BBC hedge");
    assert_eq!(bbc["confidence"], "moderate");
    // Cue offsets are in the document, like the sentence's own span.
    let doc = std::fs::read_to_string(common::project(
        "examples/election-interference/001_c6d5608b06e78f00.txt",
    ))
    .expect("read");
    let cue = &bbc["cues"][0];
    let (a, b) = (
        cue["start"].as_u64().unwrap() as usize,
        cue["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&doc[a..b], cue["text"].as_str().unwrap());
}

#[test]
fn classify_pairs_keeps_order_and_fails_on_a_bad_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let good = dir.path().join("pairs.jsonl");
    std::fs::write(
        &good,
        "{\"id\":1,\"claim\":\"Iran ran its own influence campaign\",\"text\":\"Iran carried out its own influence campaign aimed at harming Trump.\"}\n\
         {\"id\":2,\"claim\":\"Russia interfered in the election\",\"text\":\"Russia called the allegations baseless.\",\"stance\":\"disagree\"}\n",
    )
    .expect("write");
    let out = claimscope(&[
        "classify",
        "--task",
        "stance",
        "--pairs",
        good.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["id"], 1);
    assert_eq!(rows[1]["id"], 2);
    // The restatement is related and not a denial (the head says agree, the pair model
    // discuss: see the test above); the reported denial is a denial.
    assert!(
        rows[0]["stance"] == "agree" || rows[0]["stance"] == "discuss",
        "{}",
        rows[0]
    );
    assert_eq!(rows[1]["stance"], "disagree");
    assert!(rows[1]["scores"]["disagree"].as_f64().unwrap() > 0.5);
    // The input's own label is carried through under another name, not overwritten.
    assert_eq!(rows[1]["input_stance"], "disagree", "{}", rows[1]);
    assert!(rows[0].get("input_stance").is_none(), "{}", rows[0]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("\"stance\" -> \"input_stance\" (first at ")
            && String::from_utf8_lossy(&out.stderr).contains("pairs.jsonl:2)"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let bad = dir.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        "{\"claim\":\"a\",\"text\":\"b\"}\n{\"claim\":\"a\"}\n",
    )
    .expect("write");
    let out = claimscope(&[
        "classify",
        "--task",
        "stance",
        "--pairs",
        bad.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("bad.jsonl:2") && err.contains("\"text\""),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    // The whole file is checked before any label is written: no rows for the good line 1.
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A file with no pair is a failed run, not an empty output that exits 0.
    let blank = dir.path().join("blank.jsonl");
    std::fs::write(&blank, "\n  \n").expect("write");
    let out = claimscope(&[
        "classify",
        "--task",
        "stance",
        "--pairs",
        blank.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("blank.jsonl: no pairs"),
        "{err}"
    );

    let out = claimscope(&[
        "classify",
        "examples/election-interference",
        "--task",
        "stance",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("--claim"), "{err}");
}

#[test]
fn training_data_errors_name_the_file_and_line() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("url-versions-2015-06-14-clean-train.csv"),
        ",claimHeadline,articleHeadline,articleHeadlineStance,articleId,claimId\n0,c,h,for,a,1\n1,c,h,sideways,b,1\n",
    )
    .expect("write");
    let err = stance::data::load_emergent(dir.path(), "train")
        .expect_err("unknown label")
        .to_string();
    assert!(
        err.contains("url-versions-2015-06-14-clean-train.csv:3") && err.contains("sideways"),
        "{err}"
    );
    std::fs::write(
        dir.path().join("sentence-level-certainty.jsonl"),
        "{\"finding\": \"x\", \"split\": \"train\"}\n",
    )
    .expect("write");
    let err = confidence::data::load_pei(dir.path(), "train")
        .err()
        .expect("missing score")
        .to_string();
    assert!(
        err.contains("sentence-level-certainty.jsonl:1")
            && err.contains("sentence-level-certainty"),
        "{err}"
    );
}

/// The shipped confidence head reproduces from its documented command (stance takes minutes
/// and is checked by hand; see README).
#[test]
#[ignore = "needs ../shared/data/pei-certainty (CLAIMSCOPE_SHARED); CI runs it"]
fn confidence_head_reproduces_from_its_command() {
    let dir = tempfile::tempdir().expect("tmp");
    let out_path = dir.path().join("confidence.safetensors");
    let out = claimscope(&["train", "confidence", "-o", out_path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |p: &std::path::Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(p).expect("card")).expect("json")
    };
    let fresh = read(&dir.path().join("confidence.json"));
    let shipped = read(&common::project("models/confidence.json"));
    for k in ["pearson", "macro_f1", "accuracy"] {
        let (a, b) = (
            fresh["metrics"]["test"][k].as_f64().unwrap(),
            shipped["metrics"]["test"][k].as_f64().unwrap(),
        );
        assert!((a - b).abs() < 0.03, "{k}: fresh {a} vs shipped {b}");
    }
}

#[test]
fn a_pair_is_read_as_claim_sep_sentence() {
    // The pair model's whole input contract: the tokenizer keeps the literal [SEP] as the
    // special token between the two texts, so the encoder sees [CLS] claim [SEP] text [SEP].
    let t = common::embedder()
        .tokenize(&[stance::pair::pair_text(
            "Banksy was arrested",
            "Police denied it",
        )])
        .expect("tokenize");
    let sep = t[0].ids.iter().filter(|&&i| i == 102).count();
    assert_eq!(sep, 2, "{:?}", t[0].ids);
    assert_eq!(t[0].ids[0], 101);
    assert_eq!(t[0].ids.last(), Some(&102));
}

/// `train average` (a model soup): the mean of the shipped pair model with itself is that model
/// (every f16 weight exactly: halves add back without rounding), labels the same, and a directory of another
/// kind or one model alone is refused with a message naming the problem.
#[test]
fn averaging_a_pair_model_with_itself_gives_it_back() {
    use claimscope::classify::stance::pair;
    let shipped = common::project("models/stance-pair");
    let out = tempfile::tempdir().expect("tmp");
    let dirs = vec![shipped.clone(), shipped.clone()];
    claimscope::classify::tuned::average(
        &pair::KIND,
        &dirs,
        &[1.0, 1.0],
        out.path(),
        &serde_json::json!({"command": "test"}),
    )
    .expect("average");
    for f in ["model.safetensors", "head.safetensors"] {
        let cpu = candle_core::Device::Cpu;
        let a = candle_core::safetensors::load(shipped.join(f), &cpu).expect("shipped file");
        let b = candle_core::safetensors::load(out.path().join(f), &cpu).expect("averaged file");
        assert_eq!(a.len(), b.len(), "{f}");
        for (name, t) in &a {
            let u = &b[name];
            assert_eq!(t.dtype(), u.dtype(), "{f} {name}");
            let flat = |x: &candle_core::Tensor| -> Vec<f32> {
                x.to_dtype(candle_core::DType::F32)
                    .and_then(|x| x.flatten_all())
                    .and_then(|x| x.to_vec1())
                    .expect("values")
            };
            assert!(
                flat(t) == flat(u),
                "{f} {name} differs after averaging a model with itself"
            );
        }
    }
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join(pair::CARD)).expect("card"))
            .expect("json");
    assert_eq!(card["command"], "test");
    assert_eq!(
        card["averaged_from"].as_array().map(Vec::len),
        Some(2),
        "each source is recorded: {card}"
    );
    assert!(
        card["unrelated_below"].is_number(),
        "the topic gate is kept: {card}"
    );
    let opts = claimscope::embed::EmbedderOptions::default();
    let a = pair::StancePairModel::load(&shipped, &opts).expect("load shipped");
    let b = pair::StancePairModel::load(out.path(), &opts).expect("load averaged");
    let claims = ["Banksy was arrested in London"; 2];
    let texts = [
        "Police said no one was arrested.",
        "Banksy was arrested on Monday.",
    ];
    let (pa, pb) = (
        a.probabilities(&claims, &texts, &Silent).expect("p"),
        b.probabilities(&claims, &texts, &Silent).expect("p"),
    );
    assert_eq!(pa, pb);

    let average = |dirs: &[std::path::PathBuf], w: &[f64]| {
        claimscope::classify::tuned::average(
            &pair::KIND,
            dirs,
            w,
            out.path(),
            &serde_json::json!({}),
        )
    };
    let alone = average(&dirs[..1], &[1.0]);
    assert!(
        alone.is_err_and(|e| e.to_string().contains("two or more")),
        "one model alone must be refused"
    );
    // On a copy: were the guard broken, the shipped files would be the ones truncated.
    let copy = out.path().to_path_buf();
    let onto_itself = claimscope::classify::tuned::average(
        &pair::KIND,
        &[copy.clone(), shipped.clone()],
        &[1.0, 1.0],
        &copy,
        &serde_json::json!({}),
    );
    assert!(
        onto_itself.is_err_and(|e| e.to_string().contains("new directory")),
        "writing over a source must be refused"
    );
    let mixed = vec![shipped, common::project("models/confidence-tuned")];
    let err = average(&mixed, &[1.0, 1.0])
        .expect_err("a confidence model is not a pair model")
        .to_string();
    assert!(err.contains("stance-pair.json"), "{err}");
}

const TEXTS: [&str; 4] = [
    "Banksy was arrested on Monday after a raid on his studio.",
    "Police said the street artist has not been arrested.",
    "The report about the arrest came from a satirical website.",
    "Preheat the oven to 180 degrees and grease the tin.",
];

/// `match` with a judge reads the pair model without its topic gate (the judge chose the
/// pairs): on on-topic pairs the reading is the gated one, label for label; off topic it is the
/// model's own reading, where the gate would have said `unrelated`; the head, which reads
/// the vectors themselves, has no such reading.
#[test]
fn on_topic_reading_is_the_gated_one_without_the_gate() {
    use claimscope::classify::stance::{Stance, StanceModel, pair};
    let opts = claimscope::embed::EmbedderOptions::default();
    let m = pair::StancePairModel::load(&common::project("models/stance-pair"), &opts)
        .expect("load shipped pair model");
    let t = m
        .unrelated_below()
        .expect("the shipped model has a topic gate");
    let claim = "Banksy was arrested by London police";
    let raw = m.probabilities(&[claim; 4], &TEXTS, &Silent).expect("raw");
    let m = StanceModel::from(m);
    let texts = TEXTS;
    let claims = [claim; 4];
    let e = common::embedder();
    let u = e.embed(&claims).expect("embed").vectors;
    let v = e.embed(&texts).expect("embed").vectors;
    let gated = m
        .classify(&claims, &texts, u.view(), v.view(), &Silent)
        .expect("gated");
    let free = m
        .classify_on_topic(&claims, &texts, &Silent)
        .expect("on topic");
    for i in 0..texts.len() {
        let cos = u.row(i).dot(&v.row(i));
        if cos >= t {
            assert_eq!(gated[i].stance, free[i].stance, "{}", texts[i]);
            assert_eq!(gated[i].probability, free[i].probability, "{}", texts[i]);
        } else {
            assert_eq!(gated[i].stance, Stance::Unrelated, "{}", texts[i]);
        }
    }
    // Off topic or not, the on-topic reading is the model's own, score for score (the gate
    // would have forced the recipe's row to `unrelated` = 1).
    for (i, row) in raw.rows().into_iter().enumerate() {
        let best = (0..row.len())
            .max_by(|&a, &b| row[a].total_cmp(&row[b]))
            .expect("four classes");
        assert_eq!(free[i].stance, Stance::ALL[best], "{}", texts[i]);
        assert_eq!(free[i].probability, row[best], "{}", texts[i]);
    }
    let forced = free[3].stance == Stance::Unrelated && free[3].probability == 1.0;
    assert!(!forced, "the recipe is read, not forced: {:?}", free[3]);
    let off = u.row(3).dot(&v.row(3));
    assert!(off < t, "the recipe is off topic for the gate ({off})");
    assert_eq!(
        free[1].stance,
        Stance::Disagree,
        "the denial: {:?}",
        free[1]
    );
    let head = StanceModel::from(stance_head());
    assert!(head.classify_on_topic(&claims, &texts, &Silent).is_err());
    assert!(head.reads_vectors() && !m.reads_vectors());
}

/// `train stance-body` adds a second head (stance of a whole FNC-1 body) to a pair model: the
/// written model reloads to the figures the command printed for the held-out bodies, reads
/// sentences exactly as before (the sentence head and encoder are copies), refuses a changed
/// body head, and names the Body IDs it saw so that the eval chooses on the others (and is
/// refused on the stories the model itself was not trained on).
#[test]
#[ignore = "needs ../shared (FNC-1 train); about two minutes"]
fn a_body_head_reloads_to_its_printed_figures_and_leaves_sentences_alone() {
    use claimscope::classify::stance::{bags, pair};
    let out = tempfile::tempdir().expect("tmp");
    let dir = out.path().join("with-body");
    let fnc1 = common::shared("data/fnc1");
    // The shipped model read the even stories' passages: a head fitted on the odd ones would
    // leave the eval no unseen story to choose on.
    let refused = claimscope(&[
        "train",
        "stance-body",
        "--bodies",
        "odd",
        "--fnc1",
        &fnc1.to_string_lossy(),
        "-o",
        &out.path().join("odd").to_string_lossy(),
    ]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{err}");
    assert!(
        err.contains("trained on FNC-1 train's even stories") && err.contains("--bodies even"),
        "{err}"
    );
    assert!(!out.path().join("odd").exists());
    let run = claimscope(&[
        "train",
        "stance-body",
        "--max-pairs",
        "120",
        "--steps",
        "80",
        "--fnc1",
        &fnc1.to_string_lossy(),
        "-o",
        &dir.to_string_lossy(),
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    let figure = |line_start: &str| -> f64 {
        let line = stderr
            .lines()
            .find(|l| l.starts_with(line_start))
            .unwrap_or_else(|| panic!("no {line_start:?} line in {stderr}"));
        let at = line.find("accuracy ").expect("accuracy") + "accuracy ".len();
        line[at..at + 5].parse().expect("a figure")
    };
    let printed = figure("balance 0.5, anchor 0.01");
    let before = figure("sentence head");

    let opts = EmbedderOptions::default();
    let shipped = pair::StancePairModel::load(&common::project("models/stance-pair"), &opts)
        .expect("shipped");
    let m = pair::StancePairModel::load(&dir, &opts).expect("the written model loads");
    assert!(m.has_body_head() && !shipped.has_body_head());
    assert_eq!(m.fnc1_bodies_seen(), Some(bags::Parity::Even));

    // The held-out pairs again, through the loaded model's body head.
    let set = claimscope::devset::DevSet::load(&common::project("tests/data/devset")).expect("set");
    let [_, held] = bags::fnc1_bags(
        &fnc1,
        &set.fnc1_held_out_body_ids(),
        bags::Parity::Even,
        Some(120),
        common::embedder(),
        &Silent,
    )
    .expect("bags");
    assert_eq!(held.len(), 120);
    let (mut right_body, mut right_sentence) = (0, 0);
    for b in &held {
        let claims = vec![b.claim.as_str(); b.sentences.len()];
        let texts: Vec<&str> = b.sentences.iter().map(String::as_str).collect();
        let pick = |p: ndarray::Array2<f32>| {
            let mean = p.mean_axis(ndarray::Axis(0)).expect("a sentence");
            (0..3)
                .max_by(|&i, &j| mean[i].total_cmp(&mean[j]))
                .expect("three")
        };
        if pick(m.body_probabilities(&claims, &texts, &Silent).expect("p")) == b.label.index() {
            right_body += 1;
        }
        // The command's "sentence head" line reads the head's own probabilities (no
        // distancing rule, which `probabilities` adds for `classify`).
        let joined: Vec<String> = texts.iter().map(|t| pair::pair_text(&b.claim, t)).collect();
        let raw = shipped
            .tuned()
            .probabilities(&joined, "pairs", &Silent)
            .expect("p");
        if pick(raw) == b.label.index() {
            right_sentence += 1;
        }
    }
    let acc = |n: usize| n as f64 / held.len() as f64;
    assert!(
        (acc(right_body) - printed).abs() < 0.0015,
        "{} vs {printed}",
        acc(right_body)
    );
    assert!(
        (acc(right_sentence) - before).abs() < 0.0015,
        "{} vs {before}",
        acc(right_sentence)
    );

    let claims = ["Banksy was arrested by London police"; 4];
    assert_eq!(
        m.probabilities(&claims, &TEXTS, &Silent).expect("p"),
        shipped.probabilities(&claims, &TEXTS, &Silent).expect("p"),
        "the sentence head is the shipped one"
    );
    assert_ne!(
        m.body_probabilities(&claims, &TEXTS, &Silent).expect("p"),
        m.probabilities(&claims, &TEXTS, &Silent).expect("p"),
        "the body head is a head of its own"
    );

    // A soup's encoder is not the one the body head was fitted on: the soup has no body head.
    let soup = out.path().join("soup");
    claimscope::classify::tuned::average(
        &pair::KIND,
        &[dir.clone(), common::project("models/stance-pair")],
        &[1.0, 1.0],
        &soup,
        &serde_json::json!({}),
    )
    .expect("average");
    let s = pair::StancePairModel::load(&soup, &opts).expect("the soup loads");
    assert!(!s.has_body_head() && s.fnc1_bodies_seen().is_none());

    let head = dir.join(pair::BODY_HEAD_FILE);
    let mut bytes = std::fs::read(&head).expect("read");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&head, bytes).expect("write");
    let err = pair::StancePairModel::load(&dir, &opts)
        .err()
        .expect("a changed body head is refused")
        .to_string();
    assert!(
        err.contains("body-head.safetensors") && err.contains("SHA-256"),
        "{err}"
    );
}

/// A claim so long that it leaves the pair model little of the sentence (claim and sentence are
/// read in one window of 256 tokens) is labelled, and said, with the first place; a short pair
/// is not.
#[test]
fn pairs_longer_than_the_window_are_said() {
    let dir = tempfile::tempdir().expect("tmp");
    let pairs = dir.path().join("long.jsonl");
    let long_claim =
        "Officials said the council approved the budget after a long debate. ".repeat(30);
    let rows = [
        serde_json::json!({"claim": "The council approved the budget.", "text": "The budget was approved."}),
        serde_json::json!({"claim": long_claim, "text": "The budget was approved."}),
    ];
    let text: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
    std::fs::write(&pairs, text.join("\n")).expect("write");
    let out = claimscope(&[
        "classify",
        "--task",
        "stance",
        "--pairs",
        pairs.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    assert!(
        err.contains(
            "1 text with its claim was longer than the model's window of 256 tokens and read \
             only in part, from the start (at "
        ) && err.contains("long.jsonl:2); shorten it, the claim above all"),
        "{err}"
    );
}

/// CSV with no row still has its header (a 0-byte file is no table); under --min-prob the
/// table shows an uncertain row's probability, not 0.00; blank lines in --sentences are said.
#[test]
fn classify_outputs_hold_their_shape_at_the_edges() {
    let dir = tempfile::tempdir().expect("tmp");
    let lines = dir.path().join("lines.txt");
    std::fs::write(
        &lines,
        "Stocks fell sharply on Monday.\n\nThe cat sat on the mat.\n",
    )
    .expect("write");
    let l = lines.to_str().unwrap();
    let out = claimscope(&[
        "classify",
        l,
        "--sentences",
        "--task",
        "stance",
        "--claim",
        "Banksy was arrested by London police.",
        "--format",
        "csv",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let csv = String::from_utf8_lossy(&out.stdout);
    let header = csv.lines().next().unwrap_or_default();
    assert!(
        header.contains("stance")
            && header.contains("probability")
            && header.contains("scores_agree"),
        "{csv}"
    );
    assert!(err.contains("1 empty line(s) labelled"), "{err}");
    // Stance rows have no "score" of their own: an uncertain one showed 0.00 before.
    let about = dir.path().join("about.txt");
    std::fs::write(
        &about,
        "Police in London said a man was detained on Monday.\nBanksy's identity remains unknown.\n",
    )
    .expect("write");
    let out = claimscope(&[
        "classify",
        about.to_str().unwrap(),
        "--sentences",
        "--task",
        "stance",
        "--claim",
        "Banksy was arrested by London police.",
        "--all",
        "--format",
        "table",
        "--min-prob",
        "0.999",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let table = String::from_utf8_lossy(&out.stdout);
    let uncertain: Vec<&str> = table
        .lines()
        .filter(|r| r.starts_with("uncertain"))
        .collect();
    assert!(!uncertain.is_empty(), "{table}");
    for row in uncertain {
        let p: f64 = row
            .split_whitespace()
            .nth(1)
            .and_then(|x| x.parse().ok())
            .unwrap_or(-1.0);
        assert!(p > 0.0 && p < 0.999 + 0.005, "{row}");
    }
    let out = claimscope(&["classify", "--task", "stance", "--pairs", l, "--lossy"]);
    assert!(!out.status.success(), "--lossy with --pairs accepted");
}
