//! The embedding path piece by piece, with pinned thread counts: tokenisation, one forward pass
//! per batch size and sequence length (f32 and int8), each stage of a layer alone (dense layers,
//! attention, GELU, residual + layer norm), pooling, and a whole workload chunk.
//! Needs the model (`claimscope model fetch`).
//!
//! ```text
//! cargo bench --bench encoder
//! ENCODER_THREADS=1 cargo bench --bench encoder
//! ```
//! Whole-workload throughput against the Python peers is `claimscope bench` / `benches/peers.sh`.

use std::hint::black_box;
use std::time::Duration;

use candle_core::{Device, Tensor};
use claimscope::embed::{
    DEFAULT_MODEL, Embedder, EmbedderOptions, PoolingMode, Precision, Tokens, backend, fast,
};
use criterion::{BenchmarkId, Criterion, Throughput};

fn texts() -> Vec<String> {
    include_str!("workload-corpus.txt")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// `batch` sequences of exactly `len` tokens, made from real token ids.
fn sequences(e: &Embedder, batch: usize, len: usize) -> Vec<Tokens> {
    let all = e.tokenize(&texts()).expect("tokenize");
    let body: Vec<u32> = all
        .iter()
        .flat_map(|t| t.ids[1..t.ids.len() - 1].to_vec())
        .collect();
    let (cls, sep) = (all[0].ids[0], *all[0].ids.last().expect("sep"));
    (0..batch)
        .map(|b| {
            let mut ids = vec![cls];
            ids.extend(body.iter().cycle().skip(b * 7).take(len - 2));
            ids.push(sep);
            Tokens {
                ids,
                truncated: false,
            }
        })
        .collect()
}

fn main() {
    let threads = std::env::var("ENCODER_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    // SAFETY: before any thread exists.
    unsafe { std::env::set_var("RAYON_NUM_THREADS", threads.to_string()) };
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .expect("pool");
    let spec = std::env::var("CLAIMSCOPE_MODEL").unwrap_or_else(|_| DEFAULT_MODEL.to_string());
    let f32m = Embedder::from_spec(&spec).expect("model (run `claimscope model fetch`)");
    let int8 = Embedder::from_spec_with(&spec, &EmbedderOptions::precision(Precision::Int8))
        .expect("int8 model");
    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));

    let corpus = texts();
    let mut g = c.benchmark_group(format!("tokenise/{threads}t"));
    g.throughput(Throughput::Elements(corpus.len() as u64));
    g.bench_function("example-corpus", |b| {
        b.iter(|| f32m.tokenize(black_box(&corpus)).expect("tok"))
    });
    g.finish();

    for (name, e) in [("f32", &f32m), ("int8", &int8)] {
        let mut g = c.benchmark_group(format!("forward-{name}/{threads}t"));
        for &batch in &[1usize, 8, 32] {
            for &len in &[16usize, 32, 64] {
                let seqs = sequences(e, batch, len);
                g.throughput(Throughput::Elements(batch as u64));
                g.bench_with_input(
                    BenchmarkId::new(format!("batch{batch}"), format!("len{len}")),
                    &seqs,
                    |b, s| b.iter(|| e.embed_tokens(black_box(s)).expect("embed")),
                );
            }
        }
        // A realistic chunk: 256 example-corpus sentences, length-sorted batches of 32.
        let chunk: Vec<&str> = corpus
            .iter()
            .map(String::as_str)
            .cycle()
            .take(256)
            .collect();
        g.throughput(Throughput::Elements(chunk.len() as u64));
        g.bench_function("corpus-256", |b| {
            b.iter(|| e.embed(black_box(&chunk)).expect("embed"))
        });
        g.finish();
    }

    // Each stage of one encoder layer alone, at a batch of 32 sequences of 17 tokens (the
    // news-10k workload's mean), on one thread as the encoder runs a batch.
    for int8 in [false, true] {
        let mut s = fast::stages::Stages::new(32, 17, int8);
        let mut g = c.benchmark_group(format!("stage-{}/32x17", if int8 { "int8" } else { "f32" }));
        g.throughput(Throughput::Elements(s.tokens() as u64));
        g.bench_function("qkv-projection", |b| b.iter(|| s.qkv_projection()));
        g.bench_function("ffn-in", |b| b.iter(|| s.ffn_in()));
        g.bench_function("ffn-out", |b| b.iter(|| s.ffn_out()));
        if !int8 {
            g.bench_function("attention", |b| b.iter(|| s.attention()));
            let fresh = s.intermediate();
            g.bench_function("gelu", |b| b.iter(|| s.gelu(black_box(&fresh))));
            g.bench_function("residual-layer-norm", |b| {
                b.iter(|| s.residual_layer_norm())
            });
        }
        g.finish();
    }

    let mut g = c.benchmark_group("pooling");
    let hidden = Tensor::randn(0f32, 1.0, (32, 32, 384), &Device::Cpu).expect("tensor");
    let mask = Tensor::ones((32, 32), candle_core::DType::F32, &Device::Cpu).expect("mask");
    for mode in [PoolingMode::Mean, PoolingMode::Max, PoolingMode::Cls] {
        g.bench_function(format!("{mode:?}/32x32x384"), |b| {
            b.iter(|| backend::pool(black_box(&hidden), &mask, &[mode]).expect("pool"))
        });
    }
    g.finish();
    c.final_summary();
}
