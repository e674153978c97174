//! Experiment: a cross-encoder "same claim" judge (both sentences read together, `a [SEP] b`)
//! fine-tuned from all-MiniLM-L6-v2 on the labelled set's train stories, scored as bare pair
//! F1 on the dev half (threshold chosen there) and the test half (at the dev threshold), beside
//! the base cosine over the same pairs.
//!
//! ```text
//! cargo run --release --example same_claim_cross -- OUT_DIR [EPOCHS] [NEG_PER_POS]
//! ```

use std::path::PathBuf;

use claimscope::classify::tuned::{self, TunedClassifier, TunedOptions};
use claimscope::devset::{self, DevSet, DevStory, SentenceKey, gold_pairs, ordered};
use claimscope::embed::{DEFAULT_MODEL, Embedder, EmbedderOptions, source};
use claimscope::observe::Silent;
use rand::SeedableRng;
use rand::seq::SliceRandom;

const LABELS: [&str; 2] = ["different", "same"];
const CARD: &str = "same-claim-cross.json";
/// Pairs under this base cosine are not scored (predicted different): the candidate filter a
/// neighbour search would apply.
const PREFILTER: f32 = 0.3;

type Pair = ((SentenceKey, SentenceKey), String, String, f32);

/// Cross-document pairs of labelled sentences within each story, with their base cosine.
fn story_pairs(
    stories: &[&DevStory],
    emb: &Embedder,
) -> Result<Vec<Pair>, Box<dyn std::error::Error>> {
    let mut out = Vec::new();
    for st in stories {
        let texts: Vec<&str> = st.sentences.iter().map(|s| s.text.as_str()).collect();
        let v = emb.embed(&texts)?.vectors;
        for (i, a) in st.sentences.iter().enumerate() {
            for (j, b) in st.sentences.iter().enumerate().skip(i + 1) {
                if a.doc != b.doc {
                    out.push((
                        ordered((a.doc.clone(), a.start), (b.doc.clone(), b.start)),
                        a.text.clone(),
                        b.text.clone(),
                        v.row(i).dot(&v.row(j)),
                    ));
                }
            }
        }
    }
    Ok(out)
}

/// Each pair's key with a score: what the dev set's threshold scorers take.
fn scored(pairs: &[Pair], scores: &[f32]) -> Vec<((SentenceKey, SentenceKey), f32)> {
    pairs
        .iter()
        .zip(scores)
        .map(|(p, &x)| (p.0.clone(), x))
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(
        args.next()
            .ok_or("usage: same_claim_cross OUT_DIR [EPOCHS] [NEG_PER_POS]")?,
    );
    let epochs: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(2);
    let neg_per_pos: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(3);
    let set = DevSet::load(&devset::default_dir())?;
    let files = source::resolve(DEFAULT_MODEL)?;
    let emb = Embedder::load(&files)?;

    if !out.join(CARD).exists() {
        let train = set.split("train");
        let gold = gold_pairs(&train);
        let pairs = story_pairs(&train, &emb)?;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(13);
        let pos: Vec<&Pair> = pairs.iter().filter(|p| gold.contains(&p.0)).collect();
        let mut neg: Vec<&Pair> = pairs
            .iter()
            .filter(|p| !gold.contains(&p.0) && p.3 >= PREFILTER)
            .collect();
        neg.shuffle(&mut rng);
        neg.truncate(pos.len() * neg_per_pos);
        let (mut texts, mut labels) = (Vec::new(), Vec::new());
        for (set, label) in [(&pos, 1usize), (&neg, 0)] {
            for p in set.iter() {
                texts.push(format!("{} [SEP] {}", p.1, p.2));
                labels.push(label);
                texts.push(format!("{} [SEP] {}", p.2, p.1));
                labels.push(label);
            }
        }
        eprintln!(
            "{} positives, {} negatives (x2 orders)",
            pos.len(),
            neg.len()
        );
        let opts = TunedOptions {
            epochs,
            balance: 1.0,
            ..TunedOptions::default()
        };
        let (trained, report) =
            tuned::train(&files, &emb, &texts, &labels, &LABELS, &opts, &Silent)?;
        eprintln!(
            "loss curve {:?}, {:.0} s",
            report.loss_curve, report.seconds
        );
        tuned::save(
            &trained,
            &files,
            &out,
            CARD,
            &LABELS,
            &opts,
            &serde_json::json!({
                "task": "same claim (cross-encoder experiment)",
                "positives": pos.len(), "negatives": neg.len(),
            }),
        )?;
    }
    let model = TunedClassifier::load(
        &out,
        CARD,
        &LABELS,
        "same_claim_cross",
        &EmbedderOptions::precision(claimscope::embed::Precision::Int8),
    )?;
    let mut dev_t = 0.5;
    for half in ["dev", "test"] {
        let stories = set.split(half);
        let gold = gold_pairs(&stories);
        let all = story_pairs(&stories, &emb)?;
        let unreachable = all
            .iter()
            .filter(|p| gold.contains(&p.0) && p.3 < PREFILTER)
            .count();
        let pairs: Vec<Pair> = all.into_iter().filter(|p| p.3 >= PREFILTER).collect();
        let ab: Vec<String> = pairs
            .iter()
            .map(|p| format!("{} [SEP] {}", p.1, p.2))
            .collect();
        let ba: Vec<String> = pairs
            .iter()
            .map(|p| format!("{} [SEP] {}", p.2, p.1))
            .collect();
        let pa = model.probabilities(&ab, "pairs", &Silent)?;
        let pb = model.probabilities(&ba, "pairs", &Silent)?;
        let probs: Vec<f32> = (0..pairs.len())
            .map(|i| (pa[[i, 1]] + pb[[i, 1]]) / 2.0)
            .collect();
        let cos: Vec<f32> = pairs.iter().map(|p| p.3).collect();
        let (bt, bs) = devset::best_threshold(&gold, &scored(&pairs, &probs));
        let (ct, cs) = devset::best_threshold(&gold, &scored(&pairs, &cos));
        if half == "dev" {
            dev_t = bt;
        }
        let at = devset::score_threshold(&gold, &scored(&pairs, &probs), dev_t);
        println!(
            "{half}: {} pairs scored, {} gold ({unreachable} under the prefilter); cross best t {bt:.2} F1 {:.3}; at dev t {dev_t:.2}: P {:.3} R {:.3} F1 {:.3}; base cosine best t {ct:.2} F1 {:.3}",
            pairs.len(),
            gold.len(),
            bs.f1,
            at.precision,
            at.recall,
            at.f1,
            cs.f1
        );
    }
    Ok(())
}
