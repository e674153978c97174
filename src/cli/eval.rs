//! `claimscope eval ...`: figures on the test splits of public data.

use std::path::PathBuf;

use super::{ModelArgs, TableOrJson};
use crate::error::{Error, Result};
use crate::eval;

#[derive(Debug, clap::Subcommand)]
pub enum EvalCommand {
    /// "Same claim?" on MRPC: threshold and pair head chosen on train, reported on test.
    Mrpc(EvalArgs),
    /// STS-B test Spearman of cosine similarity (sentence-transformers gets 82.03).
    Stsb(EvalArgs),
}

#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// Folder of the dataset (default ../shared/data/<name>).
    #[arg(long)]
    pub data: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: TableOrJson,
    #[command(flatten)]
    pub model: ModelArgs,
}

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string_pretty(v).map_err(|e| Error::Other(e.to_string()))
}

pub fn run(cmd: &EvalCommand) -> Result<()> {
    match cmd {
        EvalCommand::Mrpc(a) => {
            let dir = a
                .data
                .clone()
                .unwrap_or_else(|| eval::default_data_dir("mrpc"));
            let r = eval::eval_mrpc(&a.model.load()?, &dir)?;
            match a.format {
                TableOrJson::Json => println!("{}", json(&r)?),
                TableOrJson::Table => {
                    println!(
                        "MRPC test ({} pairs; settings chosen on {} train pairs)",
                        r.test_pairs, r.train_pairs
                    );
                    println!("{:<52} {:>8} {:>8}", "method", "accuracy", "F1");
                    let row = |name: &str, b: &eval::Binary| {
                        println!("{name:<52} {:>8.3} {:>8.3}", b.accuracy, b.f1)
                    };
                    row("all \"paraphrase\" (baseline)", &r.baseline_all_paraphrase);
                    row(
                        &format!("cosine > {:.3} (threshold from train)", r.cosine_threshold),
                        &r.cosine_test,
                    );
                    row("pair head: cosine + names/numbers (train)", &r.head_test);
                    row(
                        &format!(
                            "cosine > {:.3} (best on TEST, not a result)",
                            r.oracle_test_threshold
                        ),
                        &r.oracle_test,
                    );
                }
            }
        }
        EvalCommand::Stsb(a) => {
            let dir = a
                .data
                .clone()
                .unwrap_or_else(|| eval::default_data_dir("stsb"));
            let r = eval::eval_stsb(&a.model.load()?, &dir)?;
            match a.format {
                TableOrJson::Json => println!("{}", json(&r)?),
                TableOrJson::Table => {
                    println!(
                        "STS-B test ({} pairs): Spearman x100 {:.2} (sentence-transformers: {:.2}), Pearson x100 {:.2}",
                        r.pairs, r.spearman_x100, r.reference_spearman_x100, r.pearson_x100
                    );
                    println!(
                        "same claim (score >= {}): cosine > {:.3} chosen on train; test accuracy {:.3}, F1 {:.3}",
                        eval::SAME_CLAIM_STS,
                        r.same_claim_threshold,
                        r.same_claim_test.accuracy,
                        r.same_claim_test.f1
                    );
                    println!(
                        "same claim, pair head (cosine + names/numbers, fitted on train): test accuracy {:.3}, F1 {:.3}; weights {:?}",
                        r.same_claim_head_test.accuracy,
                        r.same_claim_head_test.f1,
                        r.same_claim_head.weights
                    );
                }
            }
        }
    }
    Ok(())
}
