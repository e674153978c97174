//! A BERT encoder for CPU throughput, exact to f32 rounding.
//!
//! What a profile of candle-transformers' BERT on 2 cores showed (perf, workload-news):
//! scalar libm `erff` in GELU ~9%, `expf` in softmax ~4%, and candle's per-op thread barrier
//! spinning 15-40% (every element-wise op is split across threads and joined); the matmuls
//! themselves were under half the time. This encoder therefore:
//! - runs one batch on one thread with single-threaded GEMM, and gets parallelism from running
//!   several batches at once (data parallel): no barrier per op, no false sharing;
//! - packs the sequences of a batch end to end (no padding at all) for every dense layer, and
//!   runs attention per sequence, so no FLOP goes to padding;
//! - fuses bias + GELU and residual + LayerNorm into single passes over the row, with an `exp`
//!   and `erf` written so the compiler vectorises them (no libm calls in the hot loops);
//! - fuses the Q, K and V projections into one GEMM.
//!
//! The weights are the same safetensors file, read once into plain `Vec<f32>`s.

use std::path::Path;

use candle_core::{DType, Device};
use candle_transformers::models::bert::{Config, HiddenAct};
use gemm::{Parallelism, gemm};
use multiversion::multiversion;

use super::backend::Backend;
use super::config::PoolingMode;
use super::quant::QLinear;
use crate::error::{Error, Result};

struct Linear {
    /// Row-major [out, in].
    w: Vec<f32>,
    b: Vec<f32>,
    out: usize,
    inp: usize,
    /// The int8 form, when the encoder runs in int8 (`--precision int8`).
    q: Option<QLinear>,
}

struct Norm {
    g: Vec<f32>,
    b: Vec<f32>,
}

struct Layer {
    qkv: Linear,
    attn_out: Linear,
    attn_norm: Norm,
    inter: Linear,
    out: Linear,
    out_norm: Norm,
}

pub struct FastBert {
    word: Vec<f32>,
    pos: Vec<f32>,
    token_type: Vec<f32>,
    emb_norm: Norm,
    layers: Vec<Layer>,
    hidden: usize,
    heads: usize,
    vocab: usize,
    max_pos: usize,
    eps: f32,
    int8: bool,
}

fn tensor(
    st: &candle_core::safetensors::MmapedSafetensors,
    names: &[String],
    path: &Path,
) -> Result<Vec<f32>> {
    for n in names {
        if let Ok(t) = st.load(n, &Device::Cpu) {
            let t = t.to_dtype(DType::F32)?.flatten_all()?;
            return Ok(t.to_vec1::<f32>()?);
        }
    }
    Err(Error::Model(format!(
        "{}: tensor {} not found; the file does not hold the BERT weights config.json describes",
        path.display(),
        names.first().map(String::as_str).unwrap_or("?")
    )))
}

impl FastBert {
    /// `int8`: quantise every dense layer's weights (per output channel) and run them through
    /// the int8 kernel with activations quantised per row; attention, LayerNorm and GELU stay f32.
    pub fn load(weights: &Path, config: &Config, int8: bool) -> Result<Self> {
        if config.hidden_act != HiddenAct::Gelu {
            return Err(Error::Model(format!(
                "fast backend supports GELU (erf) only, not {:?}",
                config.hidden_act
            )));
        }
        // SAFETY: a memory map is undefined behaviour if the file changes under it. The map
        // lives only for this function: every tensor is copied into owned f32 (or int8)
        // buffers below and the map is dropped before `load` returns, so a later change of
        // the file (a re-download) cannot reach the running model. Within the copy, the same
        // assumption every mmap reader makes holds: nobody truncates the model file while it
        // is being loaded.
        let st = unsafe { candle_core::safetensors::MmapedSafetensors::new(weights) }.map_err(|e| {
            Error::Model(format!(
                "{}: cannot read safetensors ({e}); the file is corrupt or truncated, re-download it",
                weights.display()
            ))
        })?;
        // Checkpoints name tensors with or without a "bert." prefix.
        let get = |name: &str| -> Result<Vec<f32>> {
            tensor(&st, &[name.to_string(), format!("bert.{name}")], weights)
        };
        let h = config.hidden_size;
        let check = |v: Vec<f32>, n: usize, what: &str| -> Result<Vec<f32>> {
            if v.len() == n {
                Ok(v)
            } else {
                Err(Error::Model(format!(
                    "{}: {what} has {} values, expected {n}",
                    weights.display(),
                    v.len()
                )))
            }
        };
        let linear = |p: &str, out: usize, inp: usize| -> Result<Linear> {
            Ok(Linear {
                w: check(get(&format!("{p}.weight"))?, out * inp, p)?,
                b: check(get(&format!("{p}.bias"))?, out, p)?,
                out,
                inp,
                q: None,
            })
        };
        let norm = |p: &str| -> Result<Norm> {
            Ok(Norm {
                g: check(get(&format!("{p}.weight"))?, h, p)?,
                b: check(get(&format!("{p}.bias"))?, h, p)?,
            })
        };
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for i in 0..config.num_hidden_layers {
            let p = format!("encoder.layer.{i}");
            let q = linear(&format!("{p}.attention.self.query"), h, h)?;
            let k = linear(&format!("{p}.attention.self.key"), h, h)?;
            let v = linear(&format!("{p}.attention.self.value"), h, h)?;
            let qkv = Linear {
                w: [q.w, k.w, v.w].concat(),
                b: [q.b, k.b, v.b].concat(),
                out: 3 * h,
                inp: h,
                q: None,
            };
            let quantise = |mut l: Linear| {
                if int8 {
                    l.q = Some(QLinear::new(&l.w, &l.b, l.out, l.inp));
                    // The f32 weights are not needed any more: keep the memory low.
                    l.w = Vec::new();
                }
                l
            };
            layers.push(Layer {
                qkv: quantise(qkv),
                attn_out: quantise(linear(&format!("{p}.attention.output.dense"), h, h)?),
                attn_norm: norm(&format!("{p}.attention.output.LayerNorm"))?,
                inter: quantise(linear(
                    &format!("{p}.intermediate.dense"),
                    config.intermediate_size,
                    h,
                )?),
                // Keeping this one (GELU outputs, the widest range) in f32 was measured: cosine
                // min 0.9846 instead of 0.9817, but 886 instead of 1,060 sentences/s.
                out: quantise(linear(
                    &format!("{p}.output.dense"),
                    h,
                    config.intermediate_size,
                )?),
                out_norm: norm(&format!("{p}.output.LayerNorm"))?,
            });
        }
        Ok(FastBert {
            word: check(
                get("embeddings.word_embeddings.weight")?,
                config.vocab_size * h,
                "word embeddings",
            )?,
            pos: check(
                get("embeddings.position_embeddings.weight")?,
                config.max_position_embeddings * h,
                "position embeddings",
            )?,
            token_type: check(
                get("embeddings.token_type_embeddings.weight")?,
                config.type_vocab_size * h,
                "token type embeddings",
            )?,
            emb_norm: norm("embeddings.LayerNorm")?,
            layers,
            hidden: h,
            heads: config.num_attention_heads,
            vocab: config.vocab_size,
            max_pos: config.max_position_embeddings,
            eps: config.layer_norm_eps as f32,
            int8,
        })
    }

    /// Hidden states of all tokens of `seqs`, packed end to end: [sum of lengths, hidden].
    fn encode(&self, seqs: &[&[u32]]) -> Result<Vec<f32>> {
        let h = self.hidden;
        let t: usize = seqs.iter().map(|s| s.len()).sum();
        let mut x = vec![0f32; t * h];
        let mut row = 0;
        for s in seqs {
            if s.len() > self.max_pos {
                return Err(Error::Internal(format!(
                    "sequence of {} tokens exceeds {} positions",
                    s.len(),
                    self.max_pos
                )));
            }
            for (p, &id) in s.iter().enumerate() {
                let id = id as usize;
                if id >= self.vocab {
                    return Err(Error::Internal(format!(
                        "token id {id} outside the vocabulary ({})",
                        self.vocab
                    )));
                }
                let dst = &mut x[row * h..(row + 1) * h];
                let (w, ps, ty) = (
                    &self.word[id * h..(id + 1) * h],
                    &self.pos[p * h..(p + 1) * h],
                    &self.token_type[..h],
                );
                for i in 0..h {
                    dst[i] = w[i] + ps[i] + ty[i];
                }
                layer_norm(dst, &self.emb_norm, self.eps);
                row += 1;
            }
        }
        let mut qkv = vec![0f32; t * 3 * h];
        let mut ctx = vec![0f32; t * h];
        let mut tmp = vec![0f32; t * h];
        let inter_size = self.layers.first().map(|l| l.inter.out).unwrap_or(0);
        let mut inter = vec![0f32; t * inter_size];
        let mut scores = Vec::new();
        for layer in &self.layers {
            gemm_qkv(&x, t, &layer.qkv, &mut qkv);
            attention(&qkv, seqs, self.hidden, self.heads, &mut ctx, &mut scores);
            gemm_attn_out(&ctx, t, &layer.attn_out, &mut tmp);
            add_norm_rows(&mut x, &tmp, &layer.attn_norm, h, self.eps);
            gemm_inter(&x, t, &layer.inter, &mut inter);
            gelu_erf(&mut inter);
            gemm_out(&inter, t, &layer.out, &mut tmp);
            add_norm_rows(&mut x, &tmp, &layer.out_norm, h, self.eps);
        }
        Ok(x)
    }
}

/// Scaled dot-product attention per sequence and head over the packed QKV rows.
///
/// Both products of a head are GEMMs read straight out of the packed rows by strides (Q and V
/// row-major with a row stride of 3h, K^T as K with its strides swapped), so nothing is copied:
/// S = scale * Q K^T into `scores` [l, l], softmax by row, ctx_head = S V. The first version
/// looped over (i, j) with a dot product of 32 and a horizontal sum each: 17.8% of the f32
/// profile for ~1% of the FLOPs.
#[inline(never)]
fn attention(
    qkv: &[f32],
    seqs: &[&[u32]],
    h: usize,
    heads: usize,
    ctx: &mut [f32],
    scores: &mut Vec<f32>,
) {
    let d = h / heads;
    let scale = 1.0 / (d as f32).sqrt();
    let rs = (3 * h) as isize;
    let mut start = 0;
    for s in seqs {
        let l = s.len();
        // All heads' scores first, then one softmax pass over heads * l rows: its exp runs over
        // one contiguous buffer at full vector width, where row by row (l ~ 20) it ran mostly
        // in the remainder loop.
        scores.resize(heads * l * l, 0.0);
        let base = start * 3 * h;
        for head in 0..heads {
            let (qo, ko) = (head * d, h + head * d);
            // SAFETY: Q and K of this head are the d columns at qo/ko of l rows of 3h starting
            // at row `start`, all inside `qkv` (t rows of 3h); the head's block of `scores`
            // holds l * l. gemm reads and writes only inside those bounds.
            unsafe {
                gemm(
                    l,
                    l,
                    d,
                    scores.as_mut_ptr().add(head * l * l),
                    1,
                    l as isize,
                    false,
                    qkv.as_ptr().add(base + qo),
                    1,
                    rs,
                    qkv.as_ptr().add(base + ko),
                    rs,
                    1,
                    0.0,
                    scale,
                    false,
                    false,
                    false,
                    Parallelism::None,
                );
            }
        }
        softmax_rows(&mut scores[..heads * l * l], l);
        for head in 0..heads {
            let (qo, vo) = (head * d, 2 * h + head * d);
            // SAFETY: V of this head is d columns at vo of l rows of 3h from row `start`, inside
            // `qkv`; the head's scores are l * l; the ctx block is d columns at qo of l rows of
            // h from row `start`, inside `ctx` (t rows of h).
            unsafe {
                gemm(
                    l,
                    d,
                    l,
                    ctx.as_mut_ptr().add(start * h + qo),
                    1,
                    h as isize,
                    false,
                    scores.as_ptr().add(head * l * l),
                    1,
                    l as isize,
                    qkv.as_ptr().add(base + vo),
                    1,
                    rs,
                    0.0,
                    1.0,
                    false,
                    false,
                    false,
                    Parallelism::None,
                );
            }
        }
        start += l;
    }
}

/// Softmax of each row of length `l` of `s`: the row maxima subtracted row by row, then exp
/// over the whole buffer in one vectorised pass, then each row scaled by its sum.
#[multiversion(targets("x86_64+avx512f+avx512bw+avx512vl+avx2+fma", "x86_64+avx2+fma"))]
fn softmax_rows(s: &mut [f32], l: usize) {
    for row in s.chunks_exact_mut(l) {
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        row.iter_mut().for_each(|v| *v -= max);
    }
    s.iter_mut().for_each(|v| *v = fast_exp(*v));
    for row in s.chunks_exact_mut(l) {
        let inv = 1.0 / lane_sum(row);
        row.iter_mut().for_each(|v| *v *= inv);
    }
}

// One named, never-inlined function per dense layer of a block, so a profile
// (`benches/profile.sh`) tells the GEMM shapes apart by symbol; one call per layer costs nothing.
// The distinct `black_box` after the call keeps each a frame of its own: without it the call
// becomes a tail jump (no frame on the stack) and the four identical bodies are merged.
#[inline(never)]
fn gemm_qkv(x: &[f32], t: usize, lin: &Linear, out: &mut [f32]) {
    matmul_bias(x, t, lin, out);
    std::hint::black_box(0u8);
}
#[inline(never)]
fn gemm_attn_out(x: &[f32], t: usize, lin: &Linear, out: &mut [f32]) {
    matmul_bias(x, t, lin, out);
    std::hint::black_box(1u8);
}
#[inline(never)]
fn gemm_inter(x: &[f32], t: usize, lin: &Linear, out: &mut [f32]) {
    matmul_bias(x, t, lin, out);
    std::hint::black_box(2u8);
}
#[inline(never)]
fn gemm_out(x: &[f32], t: usize, lin: &Linear, out: &mut [f32]) {
    matmul_bias(x, t, lin, out);
    std::hint::black_box(3u8);
}

/// out[t, n] = x[t, k] @ w[n, k]^T + b[n], in int8 when the layer is quantised.
fn matmul_bias(x: &[f32], t: usize, lin: &Linear, out: &mut [f32]) {
    match &lin.q {
        Some(q) => q.forward(x, t, out),
        None => dense_f32(x, t, &lin.w, &lin.b, lin.inp, out),
    }
}

/// out[t, n] = x[t, k] @ w[n, k]^T + b[n] in f32 (n = b.len()), single-threaded: parallelism
/// comes from batches. `machine::fingerprint` times this same call for its GEMM rate.
pub(crate) fn dense_f32(x: &[f32], t: usize, w: &[f32], b: &[f32], k: usize, out: &mut [f32]) {
    let n = b.len();
    assert!(
        x.len() >= t * k && w.len() >= n * k && out.len() >= t * n,
        "dense_f32: buffers smaller than [{t}, {k}] x [{n}, {k}]^T"
    );
    for r in 0..t {
        out[r * n..(r + 1) * n].copy_from_slice(b);
    }
    // SAFETY: the assert above: the pointers cover t*k, n*k and t*n f32s with the strides
    // given; gemm reads lhs and rhs and writes dst only inside those bounds.
    unsafe {
        gemm(
            t,
            n,
            k,
            out.as_mut_ptr(),
            1,
            n as isize,
            true,
            x.as_ptr(),
            1,
            k as isize,
            w.as_ptr(),
            k as isize,
            1,
            1.0,
            1.0,
            false,
            false,
            false,
            Parallelism::None,
        );
    }
}

/// `op` folded over `map` of each element, in 16 lanes, then across them: the lanes let the
/// compiler keep vector accumulators where a plain fold is one dependent chain (it may not
/// reorder f32 additions, nor NaN-aware maxima). For a row of 384 that chain, twice per layer
/// norm, was most of the layer norm's time; 1,536 long in the int8 quantiser's row maximum.
#[inline(always)]
pub(crate) fn lane_fold(
    xs: &[f32],
    zero: f32,
    map: impl Fn(f32) -> f32,
    op: impl Fn(f32, f32) -> f32,
) -> f32 {
    let mut acc = [zero; 16];
    let chunks = xs.chunks_exact(16);
    let rest = chunks.remainder().iter().fold(zero, |a, &v| op(a, map(v)));
    for c in chunks {
        for (a, &v) in acc.iter_mut().zip(c) {
            *a = op(*a, map(v));
        }
    }
    op(acc.iter().fold(zero, |a, &v| op(a, v)), rest)
}

#[inline(always)]
fn lane_sum(xs: &[f32]) -> f32 {
    lane_fold(xs, 0.0, |v| v, |a, b| a + b)
}

#[inline(always)]
fn layer_norm(row: &mut [f32], n: &Norm, eps: f32) {
    let len = row.len() as f32;
    let mean = lane_sum(row) / len;
    let var = lane_fold(row, 0.0, |v| (v - mean) * (v - mean), |a, b| a + b) / len;
    let inv = 1.0 / (var + eps).sqrt();
    for ((v, g), b) in row.iter_mut().zip(&n.g).zip(&n.b) {
        *v = (*v - mean) * inv * g + b;
    }
}

/// x = LayerNorm(x + y), row by row.
#[multiversion(targets("x86_64+avx512f+avx512bw+avx512vl+avx2+fma", "x86_64+avx2+fma"))]
fn add_norm_rows(x: &mut [f32], y: &[f32], n: &Norm, h: usize, eps: f32) {
    for (xr, yr) in x.chunks_exact_mut(h).zip(y.chunks_exact(h)) {
        for (a, b) in xr.iter_mut().zip(yr) {
            *a += b;
        }
        layer_norm(xr, n, eps);
    }
}

/// exp for f32 without libm: 2^(x log2 e) split into integer and fraction, a degree-6
/// polynomial for 2^f on [-0.5, 0.5] (relative error ~2e-7), exponent bits for 2^i.
///
/// No float-to-int cast: Rust's `as i32` saturates, and that made the compiler scalarise the
/// whole loop around it (a `vcvttss2si` + compare + `cmov` per element in GELU, softmax and the
/// int8 activation quantiser). The integer part is read from the mantissa bits instead.
#[inline(always)]
pub(crate) fn fast_exp(x: f32) -> f32 {
    let x = x.clamp(-87.0, 88.0);
    let t = x * std::f32::consts::LOG2_E;
    // Adding 1.5 * 2^23 rounds t to an integer held in the low mantissa bits of r (`f32::round`
    // is a libm call that stops vectorisation).
    let r = t + ROUNDER;
    let i = r - ROUNDER;
    let f = t - i;
    let p = 1.0
        + f * (std::f32::consts::LN_2
            + f * (0.240_226_5
                + f * (0.055_504_11
                    + f * (0.009_618_129 + f * (0.001_333_355 + f * 0.000_154_035_3)))));
    // i in [-126, 127] after the clamp, so i + 127 is a normal exponent; u32 wrapping arithmetic
    // gives the same bits as i32 would.
    let biased = r.to_bits().wrapping_sub(ROUNDER_BITS).wrapping_add(127);
    f32::from_bits(biased << 23) * p
}

/// 1.5 * 2^23: `x + ROUNDER` rounds x (|x| < 2^22) to the nearest integer, ties to even, and
/// `(x + ROUNDER).to_bits() - ROUNDER_BITS` is that integer (wrapping for negatives).
pub(crate) const ROUNDER: f32 = 12_582_912.0;
pub(crate) const ROUNDER_BITS: u32 = 0x4B40_0000;

/// erf by Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7).
#[inline(always)]
fn erf(x: f32) -> f32 {
    let s = x.signum();
    let a = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * a);
    let y = t
        * (0.254_829_6
            + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152_1 + t * 1.061_405_4))));
    s * (1.0 - y * fast_exp(-a * a))
}

/// GELU as BERT defines it: x * Phi(x) with the exact (erf) normal CDF.
// Compiled for AVX-512 and AVX2 too, picked at run time: the default build targets baseline
// x86-64 (SSE2), which would leave 3/4 of the vector width unused in these loops.
#[multiversion(targets("x86_64+avx512f+avx512bw+avx512vl+avx2+fma", "x86_64+avx2+fma"))]
fn gelu_erf(x: &mut [f32]) {
    for v in x.iter_mut() {
        *v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2));
    }
}

impl Backend for FastBert {
    fn hidden_size(&self) -> usize {
        self.hidden
    }

    fn name(&self) -> &'static str {
        if self.int8 { "fast-int8" } else { "fast-f32" }
    }

    fn embed(&self, seqs: &[&[u32]], pooling: &[PoolingMode]) -> Result<Vec<f32>> {
        let h = self.hidden;
        let x = self.encode(seqs)?;
        let mut out = Vec::with_capacity(seqs.len() * h * pooling.len());
        let mut start = 0;
        for s in seqs {
            let rows = &x[start * h..(start + s.len()) * h];
            let n = s.len().max(1) as f32;
            for mode in pooling {
                match mode {
                    PoolingMode::Cls => out.extend_from_slice(&rows[..h]),
                    PoolingMode::Max => {
                        let mut m = vec![f32::NEG_INFINITY; h];
                        for r in rows.chunks_exact(h) {
                            m.iter_mut().zip(r).for_each(|(a, b)| *a = a.max(*b));
                        }
                        out.extend_from_slice(&m);
                    }
                    PoolingMode::Mean | PoolingMode::MeanSqrtLen => {
                        let mut m = vec![0f32; h];
                        for r in rows.chunks_exact(h) {
                            m.iter_mut().zip(r).for_each(|(a, b)| *a += b);
                        }
                        let d = if *mode == PoolingMode::Mean {
                            n
                        } else {
                            n.sqrt()
                        };
                        m.iter_mut().for_each(|a| *a /= d);
                        out.extend_from_slice(&m);
                    }
                }
            }
            start += s.len();
        }
        Ok(out)
    }

    fn parallel_batches(&self) -> bool {
        true
    }
}

/// The encoder's stages one at a time at the shapes of one batch, on deterministic made-up
/// weights, so `benches/encoder.rs` can time each alone (criterion); the whole-model split is
/// `benches/profile.sh`. Not an API.
#[doc(hidden)]
pub mod stages {
    use super::{
        Linear, Norm, QLinear, add_norm_rows, attention, gelu_erf, gemm_inter, gemm_out, gemm_qkv,
    };

    pub struct Stages {
        seqs: Vec<Vec<u32>>,
        t: usize,
        h: usize,
        heads: usize,
        x: Vec<f32>,
        qkv: Vec<f32>,
        ctx: Vec<f32>,
        inter: Vec<f32>,
        tmp: Vec<f32>,
        scores: Vec<f32>,
        qkv_w: Linear,
        inter_w: Linear,
        out_w: Linear,
        norm: Norm,
    }

    fn fill(n: usize, seed: usize) -> Vec<f32> {
        (0..n)
            .map(|i| (((i * 2_654_435_761 + seed) % 1000) as f32 - 500.0) / 5000.0)
            .collect()
    }

    fn linear(out: usize, inp: usize, int8: bool, seed: usize) -> Linear {
        let (w, b) = (fill(out * inp, seed), fill(out, seed + 1));
        let q = int8.then(|| QLinear::new(&w, &b, out, inp));
        Linear { w, b, out, inp, q }
    }

    impl Stages {
        /// `batch` sequences of `len` tokens through MiniLM-L6's shapes (hidden 384, 12 heads,
        /// feed-forward 1536); the dense layers in int8 when `int8`.
        pub fn new(batch: usize, len: usize, int8: bool) -> Self {
            let (h, heads, ff) = (384, 12, 1536);
            let t = batch * len;
            Stages {
                seqs: vec![vec![0; len]; batch],
                t,
                h,
                heads,
                x: fill(t * h, 1),
                qkv: fill(t * 3 * h, 2),
                ctx: vec![0.0; t * h],
                inter: fill(t * ff, 3),
                tmp: fill(t * h, 4),
                scores: Vec::new(),
                qkv_w: linear(3 * h, h, int8, 5),
                inter_w: linear(ff, h, int8, 7),
                out_w: linear(h, ff, int8, 9),
                norm: Norm {
                    g: vec![1.0; h],
                    b: vec![0.0; h],
                },
            }
        }
        pub fn tokens(&self) -> usize {
            self.t
        }
        pub fn qkv_projection(&mut self) {
            gemm_qkv(&self.x, self.t, &self.qkv_w, &mut self.qkv);
        }
        pub fn attention(&mut self) {
            let seqs: Vec<&[u32]> = self.seqs.iter().map(Vec::as_slice).collect();
            attention(
                &self.qkv,
                &seqs,
                self.h,
                self.heads,
                &mut self.ctx,
                &mut self.scores,
            );
        }
        pub fn ffn_in(&mut self) {
            gemm_inter(&self.x, self.t, &self.inter_w, &mut self.inter);
        }
        /// GELU over the intermediate activations; they are refilled first each time so the
        /// input stays the same (the refill is a copy, timed with it).
        pub fn gelu(&mut self, fresh: &[f32]) {
            self.inter.copy_from_slice(fresh);
            gelu_erf(&mut self.inter);
        }
        pub fn intermediate(&self) -> Vec<f32> {
            self.inter.clone()
        }
        pub fn ffn_out(&mut self) {
            gemm_out(&self.inter, self.t, &self.out_w, &mut self.tmp);
        }
        pub fn residual_layer_norm(&mut self) {
            add_norm_rows(&mut self.x, &self.tmp, &self.norm, self.h, 1e-12);
        }
    }
}
