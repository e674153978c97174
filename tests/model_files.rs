//! Broken model files are refused on load, naming the file and what is wrong in it: weights
//! holding NaN or an infinity (a head has no card guarding its bytes; a model directory's card
//! only says its files are the ones training wrote, and a diverged run writes NaN weights with
//! a matching digest), and card numbers outside the range they are used in. Each test copies a
//! shipped model into a temporary directory and damages the copy.

mod common;

use std::path::{Path, PathBuf};

use claimscope::classify::confidence::tuned::TunedConfidence;
use claimscope::classify::stance::pair::StancePairModel;
use claimscope::embed::source;
use claimscope::judge::Judge;

fn shipped(rel: &str) -> PathBuf {
    common::project("models").join(rel)
}

/// A copy of model directory `rel` under `to`.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("model dir") {
        let p = e.expect("entry").path();
        let dest = to.join(p.file_name().expect("name"));
        if p.is_dir() {
            copy_dir(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).expect("copy");
        }
    }
}

/// Overwrite value `index` of tensor `name` in the safetensors file at `path` with `value`
/// (written in the tensor's own float type: F32 or F16).
fn poison(path: &Path, name: &str, index: usize, value: f32) {
    let mut bytes = std::fs::read(path).expect("read");
    let (header, meta) = safetensors::SafeTensors::read_metadata(&bytes).expect("safetensors");
    let info = meta.info(name).expect("tensor").clone();
    let start = 8 + header + info.data_offsets.0;
    match info.dtype {
        safetensors::Dtype::F32 => {
            let at = start + 4 * index;
            bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
        }
        safetensors::Dtype::F16 => {
            let half: u16 = if value.is_nan() {
                0x7e00
            } else if value == f32::INFINITY {
                0x7c00
            } else {
                panic!("only NaN and infinity are written as f16 here")
            };
            let at = start + 2 * index;
            bytes[at..at + 2].copy_from_slice(&half.to_le_bytes());
        }
        other => panic!("{name}: {other:?}"),
    }
    std::fs::write(path, bytes).expect("write");
}

/// Edit a JSON card in place.
fn edit_card(path: &Path, edit: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>)) {
    let mut card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("card")).expect("json");
    edit(card.as_object_mut().expect("object"));
    std::fs::write(path, serde_json::to_string_pretty(&card).expect("json")).expect("write");
}

/// What training would have written: the card names the damaged file's own digest.
fn reseal(dir: &Path, card: &str, field: &str, file: &str) {
    let sha = source::sha256_file(&dir.join(file)).expect("sha");
    edit_card(&dir.join(card), |c| {
        c.insert(field.into(), sha.into());
    });
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn refused(out: &std::process::Output, needles: &[&str]) {
    let err = stderr(out);
    assert!(!out.status.success(), "accepted: {err}");
    for n in needles {
        assert!(err.contains(n), "{n:?} not in: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

/// A head (the confidence head over pooled vectors and cues, and the stance head) with NaN or
/// an infinity in any tensor, or a scale of 0, is refused by name; the intact copy still runs.
#[test]
fn a_head_with_non_finite_weights_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let text = tmp.path().join("in.txt");
    std::fs::write(&text, "Officials said the vote was fair.\n").expect("write");
    let text = text.to_string_lossy().into_owned();
    let classify = |head: &Path| {
        common::run(&[
            "classify",
            "--task",
            "confidence",
            "--head",
            &head.to_string_lossy(),
            &text,
        ])
    };
    let good = tmp.path().join("confidence.safetensors");
    std::fs::copy(shipped("confidence.safetensors"), &good).expect("copy");
    let out = classify(&good);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("\"probability\":0."),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    for (tensor, index, value, what) in [
        ("w2", 5, f32::NAN, "NaN"),
        ("w2", 0, f32::INFINITY, "an infinity"),
        ("mean", 3, f32::NEG_INFINITY, "an infinity"),
        ("b1", 1, f32::NAN, "NaN"),
    ] {
        let bad = tmp.path().join(format!("{tensor}-{index}.safetensors"));
        std::fs::copy(&good, &bad).expect("copy");
        poison(&bad, tensor, index, value);
        refused(
            &classify(&bad),
            &[
                &bad.to_string_lossy(),
                &format!("tensor {tensor} holds {what} (value {index})"),
                "claimscope train confidence",
                "restore the file",
            ],
        );
    }
    let zero = tmp.path().join("scale0.safetensors");
    std::fs::copy(&good, &zero).expect("copy");
    poison(&zero, "scale", 2, 0.0);
    refused(
        &classify(&zero),
        &["scale0.safetensors", "tensor scale holds 0 (value 2)"],
    );

    // The stance head goes through the same loader.
    let stance = tmp.path().join("stance.safetensors");
    std::fs::copy(shipped("stance.safetensors"), &stance).expect("copy");
    poison(&stance, "w2", 7, f32::NAN);
    let out = common::run(&[
        "classify",
        "--task",
        "stance",
        "--claim",
        "The vote was fair.",
        "--head",
        &stance.to_string_lossy(),
        &text,
    ]);
    refused(
        &out,
        &[
            "stance.safetensors",
            "tensor w2 holds NaN (value 7)",
            "claimscope train stance",
        ],
    );
}

/// The judge's card: a threshold outside what `--floor` accepts and a probability scale of 0
/// or below are refused naming the card and the field; the intact copy judges.
#[test]
fn a_judge_card_out_of_range_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("judge");
    copy_dir(&shipped("judge"), &dir);
    let card = dir.join("judge.json");
    let shipped_card = std::fs::read_to_string(&card).expect("card");
    let dir_s = dir.to_string_lossy().into_owned();
    let similar = || {
        common::run(&[
            "similar",
            "The vote was fair.",
            "The election was fair.",
            "--judge",
            &dir_s,
        ])
    };
    let out = similar();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("same claim: "),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    for (field, value, shown) in [
        ("threshold", serde_json::json!(2.0), "2"),
        ("threshold", serde_json::json!(-0.5), "-0.5"),
        ("probability_scale", serde_json::json!(0.0), "0"),
        ("probability_scale", serde_json::json!(-10.0), "-10"),
    ] {
        std::fs::write(&card, &shipped_card).expect("restore");
        edit_card(&card, |c| {
            c.insert(field.into(), value);
        });
        refused(
            &similar(),
            &[&card.to_string_lossy(), &format!("\"{field}\" is {shown},")],
        );
    }
}

/// A judge whose encoder weights hold NaN, with a card naming those very bytes (what a
/// diverged training run writes), is refused naming the file and the tensor.
#[test]
fn a_judge_with_nan_weights_is_refused_though_its_card_matches() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("judge");
    copy_dir(&shipped("judge"), &dir);
    let tensor = "encoder.layer.3.attention.self.query.weight";
    poison(&dir.join("model.safetensors"), tensor, 100, f32::NAN);
    reseal(&dir, "judge.json", "weights_sha256", "model.safetensors");
    let err = Judge::load(&dir, &Default::default())
        .err()
        .expect("refused")
        .to_string();
    assert!(
        err.contains(&dir.join("model.safetensors").display().to_string())
            && err.contains(&format!("tensor {tensor} holds NaN (value 100)"))
            && err.contains("claimscope train judge"),
        "{err}"
    );
}

/// The stance pair model's card and files: NaN in its head (card resealed), a topic gate that
/// is no cosine, and a scale of 0 are each refused by name.
#[test]
fn a_stance_pair_model_with_broken_numbers_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let good = tmp.path().join("good");
    copy_dir(&shipped("stance-pair"), &good);
    assert!(StancePairModel::load(&good, &Default::default()).is_ok());

    let load_err = |dir: &Path| {
        StancePairModel::load(dir, &Default::default())
            .err()
            .expect("refused")
            .to_string()
    };
    let nan = tmp.path().join("nan");
    copy_dir(&good, &nan);
    poison(&nan.join("head.safetensors"), "weight", 9, f32::INFINITY);
    reseal(&nan, "stance-pair.json", "head_sha256", "head.safetensors");
    let err = load_err(&nan);
    assert!(
        err.contains("head.safetensors")
            && err.contains("tensor weight holds an infinity (value 9)"),
        "{err}"
    );

    let card = good.join("stance-pair.json");
    let shipped_card = std::fs::read_to_string(&card).expect("card");
    for (field, value, shown) in [
        ("unrelated_below", serde_json::json!(5.0), "5.0"),
        ("unrelated_below", serde_json::json!("0.1"), "\"0.1\""),
        ("scale", serde_json::json!(0.0), "0"),
        ("scale", serde_json::json!(-10.0), "-10"),
    ] {
        std::fs::write(&card, &shipped_card).expect("restore");
        edit_card(&card, |c| {
            c.insert(field.into(), value);
        });
        let err = load_err(&good);
        assert!(
            err.contains("stance-pair.json") && err.contains(&format!("\"{field}\" is {shown},")),
            "{err}"
        );
    }
}

/// The fine-tuned confidence model's class values are scores from 0 to 1.
#[test]
fn a_confidence_model_with_class_values_off_the_scale_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("confidence-tuned");
    copy_dir(&shipped("confidence-tuned"), &dir);
    edit_card(&dir.join("confidence-tuned.json"), |c| {
        c.insert(
            "class_values".into(),
            serde_json::json!([0.83, 0.58, 7.0, 0.0]),
        );
    });
    let err = TunedConfidence::load(&dir, &Default::default())
        .err()
        .expect("refused")
        .to_string();
    assert!(
        err.contains("confidence-tuned.json") && err.contains("class_values holds 7"),
        "{err}"
    );
}
