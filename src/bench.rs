//! Throughput of the embedding path, measured the way ../shared/bench measures the Python peers:
//! the texts of a workload, length-sorted batches, tokenisation + model + pooling +
//! normalisation inside the timer, model loading outside it, warm-up first.
//!
//! Field names of [`BenchReport`] are a contract with scripts that compare runs; add, never
//! rename.

use std::time::Instant;

use serde::Serialize;

use crate::embed::{Embedder, EmbedderOptions, Precision, cosine};
use crate::error::{Error, Result};
use crate::machine::{self, Machine};

/// The example corpus's own sentences: a workload that ships with the tool and has no licence
/// strings attached. Real article sentences (31 tokens on average) are longer than the peers'
/// news-10k workload (21.5), so figures on the two are not comparable; use `--workload` for that.
pub const BUNDLED_WORKLOAD: &str = include_str!("../benches/workload-corpus.txt");
/// The bundled sentences are cycled up to this many texts so a repeat lasts long enough to time.
pub const BUNDLED_TEXTS: usize = 2000;

#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// The model as it is measured (precision, backend, batch size).
    pub embedder: EmbedderOptions,
    pub repeats: usize,
    /// Texts compared against f32 for the accuracy figure (all when None).
    pub accuracy_sample: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub workload: String,
    pub texts: usize,
    pub batch_size: usize,
    pub threads: usize,
    pub precision: String,
    pub repeats: usize,
    pub model_load_s: f64,
    /// Median over repeats.
    pub sentences_per_s: f64,
    pub sentences_per_s_all: Vec<f64>,
    /// Non-padding tokens (special tokens included) per second, median repeat.
    pub tokens_per_s: f64,
    pub tokens: usize,
    /// Padding tokens as a fraction of real tokens.
    pub padding_overhead: f64,
    pub batch_latency_p50_ms: f64,
    pub batch_latency_p95_ms: f64,
    pub peak_rss_mib: f64,
    pub cos_vs_f32_mean: f64,
    pub cos_vs_f32_min: f64,
    pub backend: String,
    /// The CPU and its f32 GEMM rate, measured in this run after the timed repeats.
    pub machine: Machine,
    /// Mean dense FLOPs of a workload text ([`crate::machine::encoder_flops`] of its tokens).
    pub flops_per_sentence: f64,
    /// Sentences/s if every dense FLOP ran at `machine.gemm_gflops` and nothing else took time.
    pub bound_sentences_per_s: f64,
    /// `sentences_per_s / bound_sentences_per_s`: comparable across days and machines. The
    /// bound is f32's, so int8 can exceed 1.
    pub share_of_bound: f64,
}

/// Peak resident set size of this process (VmHWM), in MiB; 0 where /proc is missing.
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

pub fn run(
    model: &str,
    texts: &[String],
    workload: &str,
    opts: &BenchOptions,
) -> Result<BenchReport> {
    if texts.is_empty() {
        return Err(Error::Input(format!("{workload}: no texts to benchmark")));
    }
    let t0 = Instant::now();
    let embedder = Embedder::from_spec_with(model, &opts.embedder)?;
    let model_load_s = t0.elapsed().as_secs_f64();

    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    // Warm-up: two batches, as the peers' harness does.
    let warm = opts.embedder.batch_size * 2;
    embedder.embed(&refs[..warm.min(refs.len())])?;

    let mut rates = Vec::new();
    let mut latencies = Vec::new();
    let mut tokens = 0;
    let mut padded = 0;
    let mut last = None;
    for _ in 0..opts.repeats.max(1) {
        let start = Instant::now();
        let out = embedder.embed_timed(&refs, &mut latencies)?;
        let secs = start.elapsed().as_secs_f64();
        rates.push(texts.len() as f64 / secs);
        tokens = out.tokens;
        padded = out.padded_tokens;
        last = Some(out);
    }
    let mut sorted = rates.clone();
    sorted.sort_by(f64::total_cmp);
    let median = percentile(&sorted, 0.5);
    latencies.sort_by(f64::total_cmp);

    let info = embedder.info();
    let flops_per_sentence = embedder
        .tokenize(&refs)?
        .iter()
        .map(|t| {
            machine::encoder_flops(
                t.ids.len(),
                info.hidden_size,
                info.intermediate_size,
                info.layers,
            )
        })
        .sum::<f64>()
        / texts.len() as f64;
    let threads = candle_core::utils::get_num_threads();
    let machine = machine::fingerprint(threads, info.hidden_size, info.intermediate_size);
    let bound = machine.gemm_gflops * 1e9 / flops_per_sentence.max(1.0);

    // Before the f32 reference model is loaded for the accuracy check: that one is not part of
    // the path being measured.
    let peak_rss = peak_rss_mib();
    let (mut cos_mean, mut cos_min) = (1.0, 1.0);
    if opts.embedder.precision != Precision::F32
        && let Some(out) = &last
    {
        let n = opts.accuracy_sample.unwrap_or(texts.len()).min(texts.len());
        let reference = Embedder::from_spec_with(
            model,
            &EmbedderOptions {
                precision: Precision::F32,
                ..opts.embedder
            },
        )?;
        let f32_out = reference.embed(&refs[..n])?;
        let cos: Vec<f64> = (0..n)
            .map(|i| {
                cosine(
                    out.vectors.row(i).as_slice().unwrap_or(&[]),
                    f32_out.vectors.row(i).as_slice().unwrap_or(&[]),
                ) as f64
            })
            .collect();
        cos_mean = cos.iter().sum::<f64>() / n.max(1) as f64;
        cos_min = cos.iter().copied().fold(f64::INFINITY, f64::min);
    }
    Ok(BenchReport {
        workload: workload.to_string(),
        texts: texts.len(),
        batch_size: opts.embedder.batch_size,
        threads,
        precision: opts.embedder.precision.to_string(),
        repeats: rates.len(),
        model_load_s,
        sentences_per_s: median,
        sentences_per_s_all: rates,
        tokens_per_s: median * tokens as f64 / texts.len() as f64,
        tokens,
        padding_overhead: padded.saturating_sub(tokens) as f64 / tokens.max(1) as f64,
        batch_latency_p50_ms: percentile(&latencies, 0.5) * 1e3,
        batch_latency_p95_ms: percentile(&latencies, 0.95) * 1e3,
        peak_rss_mib: peak_rss,
        cos_vs_f32_mean: cos_mean,
        cos_vs_f32_min: cos_min,
        backend: embedder.backend_name().to_string(),
        share_of_bound: if bound > 0.0 { median / bound } else { 0.0 },
        bound_sentences_per_s: bound,
        flops_per_sentence,
        machine,
    })
}

/// The bundled workload, cycled to [`BUNDLED_TEXTS`].
pub fn bundled_texts() -> Vec<String> {
    let lines: Vec<&str> = BUNDLED_WORKLOAD
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    lines
        .iter()
        .cycle()
        .take(BUNDLED_TEXTS)
        .map(|s| s.to_string())
        .collect()
}
