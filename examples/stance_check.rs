//! What `match`'s stance check (members must be labelled `agree` toward the canonical claim)
//! does on public pairs: of the pairs above the grouping floor, how many the check keeps, and
//! precision/recall against the gold "same" label (STS-B score >= 3, MRPC paraphrase).
//!
//! ```text
//! cargo run --release --example stance_check [SHARED_DIR]
//! ```

use std::path::PathBuf;

use claimscope::classify::{STANCE_HEAD, Stance, StanceClassifier, default_head_path};
use claimscope::embed::{DEFAULT_MODEL, Embedder};
use claimscope::eval::{Pair, load_mrpc, load_stsb, shared_dir};
use claimscope::grouping::GroupingConfig;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let shared = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(shared_dir);
    let emb = Embedder::from_spec(DEFAULT_MODEL)?;
    let head = StanceClassifier::load(&default_head_path(STANCE_HEAD), &emb.model_id()?)?;
    let floor = GroupingConfig::default().floor;
    let data = shared.join("data");
    let sets: [(&str, Vec<Pair>, f64); 2] = [
        (
            "STS-B test (gold >= 3)",
            load_stsb(&data.join("stsb"), "test")?,
            3.0,
        ),
        (
            "MRPC test (paraphrase)",
            load_mrpc(&data.join("mrpc"), "test")?,
            0.5,
        ),
    ];
    for (name, pairs, gold_at) in sets {
        let a: Vec<&str> = pairs.iter().map(|p| p.a.as_str()).collect();
        let b: Vec<&str> = pairs.iter().map(|p| p.b.as_str()).collect();
        let (ua, ub) = (emb.embed(&a)?.vectors, emb.embed(&b)?.vectors);
        let stance = head.classify(&a, &b, ua.view(), ub.view())?;
        let gold: Vec<bool> = pairs.iter().map(|p| p.label >= gold_at).collect();
        let positives = gold.iter().filter(|&&g| g).count().max(1) as f64;
        let above: Vec<usize> = (0..pairs.len())
            .filter(|&i| ua.row(i).dot(&ub.row(i)) >= floor)
            .collect();
        let agree: Vec<usize> = above
            .iter()
            .copied()
            .filter(|&i| stance[i].stance == Stance::Agree)
            .collect();
        let pr = |sel: &[usize]| {
            let hit = sel.iter().filter(|&&i| gold[i]).count() as f64;
            (hit / sel.len().max(1) as f64, hit / positives)
        };
        let ((p0, r0), (p1, r1)) = (pr(&above), pr(&agree));
        println!(
            "{name}: cosine >= {floor}: {} pairs, precision {p0:.3}, recall {r0:.3}; \
             + stance agree: {} pairs, precision {p1:.3}, recall {r1:.3}",
            above.len(),
            agree.len()
        );
    }
    Ok(())
}
