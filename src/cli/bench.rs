//! `claimscope bench`: CPU throughput of the embedding path.

use std::path::PathBuf;

use super::{ModelArgs, PrecisionArg, TableOrJson};
use crate::bench::{self, BenchOptions};
use crate::error::Result;
use crate::records::{ReadOptions, read_all};

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Texts to embed, one per line (default: the bundled example-corpus sentences).
    #[arg(long)]
    pub workload: Option<PathBuf>,
    /// Replace bytes of the workload that are not UTF-8 with U+FFFD instead of stopping (the
    /// reader's message suggests it, as every other reader of texts takes it).
    #[arg(long, requires = "workload")]
    pub lossy: bool,
    /// Timed passes over the workload; the median is reported.
    #[arg(long, default_value_t = 5, value_parser = super::at_least_one)]
    pub repeats: usize,
    #[arg(long, value_enum, default_value = "f32")]
    pub precision: PrecisionArg,
    /// Compare only the first N texts against f32 for the accuracy figure.
    #[arg(long, value_parser = super::at_least_one)]
    pub accuracy_sample: Option<usize>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: TableOrJson,
    /// `--model`, `--batch-size`, `--backend`, as every model command takes them.
    #[command(flatten)]
    pub model: ModelArgs,
}

pub fn run(args: &BenchArgs) -> Result<()> {
    let (texts, name) = match &args.workload {
        Some(p) => {
            let opts = ReadOptions {
                format: crate::records::InputFormat::Text,
                lossy: args.lossy,
                ..ReadOptions::default()
            };
            let (records, _) =
                read_all(std::slice::from_ref(p), opts, &super::Terminal::default())?;
            (
                records.into_iter().map(|r| r.text).collect::<Vec<_>>(),
                p.display().to_string(),
            )
        }
        None => (
            bench::bundled_texts(),
            "bundled example-corpus sentences".to_string(),
        ),
    };
    let opts = BenchOptions {
        embedder: args.model.options(args.precision.into()),
        repeats: args.repeats.max(1),
        accuracy_sample: args.accuracy_sample,
    };
    let r = bench::run(&args.model.model, &texts, &name, &opts)?;
    match args.format {
        TableOrJson::Json => outln!("{}", serde_json::to_string(&r)?)?,
        TableOrJson::Table => {
            outln!(
                "workload          {} ({} texts, {} tokens)",
                r.workload,
                r.texts,
                r.tokens
            )?;
            outln!(
                "setup             batch {}, {} threads, {} ({}), {} repeats",
                r.batch_size,
                r.threads,
                r.precision,
                r.backend,
                r.repeats
            )?;
            outln!("model load        {:.3} s", r.model_load_s)?;
            outln!(
                "sentences/s       {:.1} (median; all: {})",
                r.sentences_per_s,
                r.sentences_per_s_all
                    .iter()
                    .map(|x| format!("{x:.1}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )?;
            outln!("tokens/s          {:.0}", r.tokens_per_s)?;
            outln!("padding overhead  {:.1}%", r.padding_overhead * 100.0)?;
            outln!(
                "batch latency     p50 {:.1} ms, p95 {:.1} ms",
                r.batch_latency_p50_ms,
                r.batch_latency_p95_ms
            )?;
            outln!("peak RSS          {:.0} MiB", r.peak_rss_mib)?;
            outln!(
                "cosine vs f32     mean {:.5}, min {:.5}",
                r.cos_vs_f32_mean,
                r.cos_vs_f32_min
            )?;
            let m = &r.machine;
            outln!(
                "machine           {} ({}), {} logical CPUs, {}; int8 kernel {}",
                m.cpu,
                m.cpu_id,
                m.logical_cpus,
                m.simd.join(" "),
                m.int8_kernel
            )?;
            outln!(
                "f32 GEMM          {:.1} GFLOP/s on {} threads ({})",
                m.gemm_gflops,
                m.gemm_threads,
                m.gemm_shapes
            )?;
            outln!(
                "GEMM bound        {:.1} sentences/s ({:.0} MFLOP a sentence); this run {:.0}% of it",
                r.bound_sentences_per_s,
                r.flops_per_sentence / 1e6,
                r.share_of_bound * 100.0
            )?;
        }
    }
    Ok(())
}
