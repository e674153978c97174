//! Figures on public data: the port must reproduce sentence-transformers' STS-B score, and the
//! "same claim?" pair head must beat the all-paraphrase baseline on MRPC test.

mod common;

use claimscope::eval;

#[test]
#[ignore = "needs ../shared/data/stsb (CLAIMSCOPE_SHARED); CI runs it"]
fn stsb_spearman_matches_sentence_transformers() {
    let r = eval::eval_stsb(
        common::embedder(),
        &common::shared("data/stsb"),
        &claimscope::observe::Silent,
    )
    .expect("stsb");
    assert_eq!(r.pairs, 1379);
    assert!(
        (r.spearman_x100 - 82.03).abs() < 0.05,
        "Spearman x100 {}",
        r.spearman_x100
    );
    assert!(
        r.same_claim_threshold > 0.5 && r.same_claim_threshold < 0.85,
        "{}",
        r.same_claim_threshold
    );
}

#[test]
#[ignore = "needs ../shared/data/mrpc (CLAIMSCOPE_SHARED); CI runs it"]
fn mrpc_pair_head_beats_the_baseline() {
    let r = eval::eval_mrpc(
        common::embedder(),
        &common::shared("data/mrpc"),
        &claimscope::observe::Silent,
    )
    .expect("mrpc");
    assert_eq!((r.train_pairs, r.test_pairs), (4076, 1725));
    assert!((r.baseline_all_paraphrase.accuracy - 0.665).abs() < 0.001);
    assert!(r.cosine_test.accuracy > 0.70, "{:?}", r.cosine_test);
    assert!(
        r.head_test.accuracy > r.cosine_test.accuracy,
        "{:?} vs {:?}",
        r.head_test,
        r.cosine_test
    );
    assert!(
        r.head_test.f1 > r.baseline_all_paraphrase.f1 + 0.01,
        "{:?}",
        r.head_test
    );
}

#[test]
fn an_eval_without_its_data_says_where_the_data_is_looked_for() {
    let out = common::run(&["eval", "stsb", "--data", "/nonexistent/stsb"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/nonexistent/stsb/sts-test.csv: not found"),
        "{err}"
    );
    assert!(err.contains("CLAIMSCOPE_SHARED"), "{err}");
}

/// `eval claims DIR` on a folder that is no labelled set names the missing file, without advice
/// about data-set flags `eval claims` does not have.
#[test]
fn eval_claims_on_a_folder_without_a_labelled_set_names_the_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let out = common::run(&["eval", "claims", &dir.path().to_string_lossy()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("documents.jsonl"), "{err}");
    assert!(!err.contains("--fnc1"), "{err}");
}
