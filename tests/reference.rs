//! The vectors must be sentence-transformers' own: same token ids and cosine >= 0.9999 to the
//! reference embeddings it computed, alone and in batches.
//!
//! By default on `tests/data/reference-sample.jsonl`: 40 of the 618 reference texts (all 13
//! edge cases, among them the one cut at 256 tokens, every 9th example-corpus sentence, every
//! 34th STS-B sentence), lines copied unchanged from `../shared/reference/reference.jsonl`, so a
//! bare clone checks the port. The full 618 run with `--include-ignored` (CI does).

mod common;

use claimscope::embed::cosine;
use serde::Deserialize;

#[derive(Deserialize, Clone)]
struct Ref {
    text: String,
    input_ids: Vec<u32>,
    embedding: Vec<f32>,
}

fn read(path: &std::path::Path) -> Vec<Ref> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|l| serde_json::from_str(l).expect("reference line"))
        .collect()
}

/// The committed sample.
fn sample() -> Vec<Ref> {
    let refs = read(&common::project("tests/data/reference-sample.jsonl"));
    assert_eq!(refs.len(), 40, "reference sample changed");
    refs
}

/// All 618 texts of ../shared/reference.
fn full() -> Vec<Ref> {
    let refs = read(&common::shared("reference/reference.jsonl"));
    assert_eq!(refs.len(), 618, "reference set changed");
    refs
}

fn check(refs: &[Ref], vectors: &ndarray::Array2<f32>, what: &str) {
    let mut worst = (1.0f32, String::new());
    for (r, v) in refs.iter().zip(vectors.rows()) {
        let v = v.to_vec();
        let c = cosine(&v, &r.embedding);
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!(
            (norm - 1.0).abs() < 1e-5,
            "{what}: norm {norm} for {:?}",
            r.text
        );
        if c < worst.0 {
            worst = (c, r.text.clone());
        }
    }
    assert!(
        worst.0 >= 0.9999,
        "{what}: cosine {} < 0.9999 for {:?}",
        worst.0,
        worst.1
    );
    eprintln!("{what}: worst cosine {:.7}", worst.0);
}

fn token_ids(refs: &[Ref]) {
    let texts: Vec<&str> = refs.iter().map(|r| r.text.as_str()).collect();
    let toks = common::embedder().tokenize(&texts).expect("tokenize");
    for (r, t) in refs.iter().zip(&toks) {
        assert_eq!(t.ids, r.input_ids, "token ids differ for {:?}", r.text);
        assert_eq!(
            t.truncated,
            r.input_ids.len() == 256 && r.text.split_whitespace().count() > 200
        );
    }
    assert_eq!(
        toks.iter().filter(|t| t.truncated).count(),
        1,
        "exactly one reference text is truncated"
    );
}

fn batched(refs: &[Ref]) {
    let texts: Vec<&str> = refs.iter().map(|r| r.text.as_str()).collect();
    let out = common::embedder().embed(&texts).expect("embed");
    assert_eq!(out.truncated.len(), 1);
    check(refs, &out.vectors, "batched (32, length-sorted)");
}

fn one_at_a_time(refs: &[Ref]) {
    let emb = common::embedder();
    let mut rows = ndarray::Array2::<f32>::zeros((refs.len(), emb.dim()));
    for (i, r) in refs.iter().enumerate() {
        let out = emb.embed(&[r.text.as_str()]).expect("embed");
        rows.row_mut(i).assign(&out.vectors.row(0));
    }
    check(refs, &rows, "single");
}

#[test]
fn token_ids_equal_sentence_transformers() {
    token_ids(&sample());
}

#[test]
fn embeddings_match_reference_in_batches() {
    batched(&sample());
}

#[test]
fn embeddings_match_reference_one_at_a_time() {
    one_at_a_time(&sample());
}

#[test]
#[ignore = "needs ../shared/reference (CLAIMSCOPE_SHARED); CI runs it"]
fn all_618_token_ids_equal_sentence_transformers() {
    token_ids(&full());
}

#[test]
#[ignore = "needs ../shared/reference (CLAIMSCOPE_SHARED); CI runs it"]
fn all_618_embeddings_match_reference_in_batches() {
    batched(&full());
}

#[test]
#[ignore = "needs ../shared/reference (CLAIMSCOPE_SHARED); CI runs it"]
fn all_618_embeddings_match_reference_one_at_a_time() {
    one_at_a_time(&full());
}

#[test]
fn padding_does_not_change_a_vector() {
    // A short text batched with a long one is padded a lot; the mask must hide the padding in
    // attention and in pooling.
    let emb = common::embedder();
    let short = "Iran ran its own campaign.";
    let long = "The report found that Russian President Vladimir Putin authorised influence \
                operations aimed at denigrating Joe Biden's candidacy, supporting Donald Trump, \
                undermining public confidence in the electoral process and exacerbating divisions.";
    let alone = emb.embed(&[short]).expect("embed").vectors;
    let batched = claimscope::embed::Embedder::from_spec(&common::model_spec())
        .expect("model")
        .with_batch_size(2)
        .embed(&[long, short])
        .expect("embed");
    assert!(
        batched.padded_tokens > batched.tokens,
        "the batch must contain padding"
    );
    let c = cosine(&alone.row(0).to_vec(), &batched.vectors.row(1).to_vec());
    assert!(c > 0.99999, "padded vs alone cosine {c}");
}

/// `embed_all` encodes each distinct text once: every repeat still gets sentence-transformers'
/// vector in its own row, the token count is the distinct texts' (the work done), and every
/// row of the text cut at 256 tokens is reported as truncated.
#[test]
fn repeated_texts_are_encoded_once_and_keep_their_rows() {
    let refs = sample();
    // Each reference text twice, the repeats in reverse order after all the originals, and
    // the first one a third time in the middle.
    let mut order: Vec<usize> = (0..refs.len()).collect();
    order.push(0);
    order.extend((0..refs.len()).rev());
    let rows: Vec<Ref> = order.iter().map(|&i| refs[i].clone()).collect();
    let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
    let emb = common::embedder();
    let all = emb
        .embed_all(&texts, "texts", &claimscope::observe::Silent)
        .expect("embed_all");
    assert_eq!(all.vectors.nrows(), texts.len());
    check(&rows, &all.vectors, "embed_all with repeats");
    let distinct: Vec<&str> = refs.iter().map(|r| r.text.as_str()).collect();
    let once = emb.embed(&distinct).expect("embed");
    assert_eq!(all.tokens, once.tokens, "repeats must not be encoded again");
    let long = refs
        .iter()
        .position(|r| r.input_ids.len() == 256)
        .expect("the sample holds the truncated text");
    let expected: Vec<usize> = (0..order.len()).filter(|&k| order[k] == long).collect();
    assert_eq!(all.truncated, expected);
}

/// An observer that asks to stop ends `embed_all` at the end of the chunk it asked in, with
/// `Error::Cancelled` (how a Python caller's Ctrl-C stops a long call): the work after that
/// chunk is not done.
#[test]
fn an_observer_that_asks_to_stop_ends_embed_all_after_its_chunk() {
    use std::sync::atomic::Ordering;
    let texts: Vec<String> = (0..2500)
        .map(|i| format!("Sentence {i} of a long call."))
        .collect();
    let stop = common::StopAfterOne::default();
    let err = common::embedder()
        .embed_all(&texts, "texts", &stop)
        .expect_err("asked to stop");
    assert!(matches!(err, claimscope::Error::Cancelled), "{err}");
    assert_eq!(
        stop.0.load(Ordering::SeqCst),
        1024,
        "one chunk done, not three"
    );
}

/// The opt-in int8 path: close to sentence-transformers' vectors, never NaN, and half
/// precision refused with its reason rather than returning NaN.
#[test]
fn int8_stays_close_to_the_reference() {
    use claimscope::embed::{Embedder, EmbedderOptions, Precision};
    let refs = sample();
    let texts: Vec<&str> = refs.iter().map(|r| r.text.as_str()).collect();
    let e = Embedder::from_spec_with(
        &common::model_spec(),
        &EmbedderOptions::precision(Precision::Int8),
    )
    .expect("int8 model");
    assert_eq!(e.backend_name(), "fast-int8");
    let out = e.embed(&texts).expect("embed");
    let cos: Vec<f32> = refs
        .iter()
        .zip(out.vectors.rows())
        .map(|(r, v)| cosine(&v.to_vec(), &r.embedding))
        .collect();
    let mean = cos.iter().sum::<f32>() / cos.len() as f32;
    let min = cos.iter().copied().fold(f32::INFINITY, f32::min);
    eprintln!("int8 against the reference: mean {mean:.5}, min {min:.5}");
    assert!(cos.iter().all(|c| c.is_finite()));
    assert!(mean >= 0.995, "mean cosine {mean}");
    assert!(min >= 0.97, "min cosine {min}");
    let err = Embedder::from_spec_with(
        &common::model_spec(),
        &EmbedderOptions::precision(Precision::Bf16),
    )
    .err()
    .expect("bf16 refused")
    .to_string();
    assert!(err.contains("NaN") && err.contains("int8"), "{err}");
}

/// A text of megabytes is cut before the tokenizer reads it all (it took 0.8 GB for 10 MB):
/// the window's tokens are the same as from the whole text, and the text is said truncated.
#[test]
fn an_enormous_text_gives_the_window_of_its_start() {
    let unit = "Officials said the bridge would reopen after repairs, über all. ";
    let whole = unit.repeat(40_000);
    let start = unit.repeat(60);
    let toks = common::embedder()
        .tokenize(&[whole.as_str(), start.as_str()])
        .expect("tokenize");
    assert_eq!(toks[0].ids, toks[1].ids);
    assert!(toks[0].truncated && toks[1].truncated);
}
