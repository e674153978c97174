//! What a benchmark ran on: the CPU, its vector extensions, and the f32 GEMM rate measured on it
//! just before, so throughput from different days (the same machine kind varies 2x) compares as
//! a share of the GEMM-only bound rather than as raw sentences per second.

use std::sync::Barrier;
use std::time::Instant;

use serde::Serialize;

use crate::embed::fast::dense_f32;

/// Rows of the GEMM-rate measurement: 32 sentences of ~17 tokens, the shape
/// ../shared/bench/gemm.py measures, so the two figures are comparable.
pub const GEMM_ROWS: usize = 544;

#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    /// `model name` of /proc/cpuinfo ("unknown" where it is missing).
    pub cpu: String,
    /// Vendor family / model / stepping numbers: "AMD EPYC" alone names several generations.
    pub cpu_id: String,
    pub logical_cpus: usize,
    /// The vector extensions the kernels pick between at run time.
    pub simd: Vec<String>,
    /// The int8 kernel `--precision int8` runs here: "avx512-vnni", "avx2" or "portable".
    pub int8_kernel: String,
    /// f32 GEMM GFLOP/s over the threads, each running single-threaded GEMMs of one encoder
    /// layer's shapes (as the encoder uses its cores); median of the timed repeats.
    pub gemm_gflops: f64,
    /// The shapes behind `gemm_gflops`: "[544, k] x [k, n] for (k, n) in ...".
    pub gemm_shapes: String,
    pub gemm_threads: usize,
}

/// Dense FLOPs of one sentence of `len` tokens through a BERT encoder: per layer QKV 6·L·d²,
/// attention scores and weighted sum 4·L²·d, output projection 2·L·d², FFN 4·L·d·d_ff (the
/// formula of ../shared/bench/gemm.py; softmax, layer norm, GELU and embeddings left out).
pub fn encoder_flops(len: usize, hidden: usize, intermediate: usize, layers: usize) -> f64 {
    let (l, d, f) = (len as f64, hidden as f64, intermediate as f64);
    layers as f64 * (8.0 * l * d * d + 4.0 * l * d * f + 4.0 * l * l * d)
}

/// The machine as it is now: CPU identity and a fresh GEMM rate on `threads` threads for an
/// encoder of width `hidden` / `intermediate` (about a second).
pub fn fingerprint(threads: usize, hidden: usize, intermediate: usize) -> Machine {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |name: &str| {
        info.lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(key, _)| key.trim() == name)
            .map(|(_, v)| v.trim().to_string())
    };
    let cpu = field("model name").unwrap_or_else(|| "unknown".into());
    let cpu_id = match (field("vendor_id"), field("cpu family"), field("model")) {
        (Some(v), Some(f), Some(m)) => format!(
            "{v} family {f} model {m} stepping {}",
            field("stepping").unwrap_or_default()
        ),
        _ => std::env::consts::ARCH.to_string(),
    };
    let shapes = [
        (hidden, 3 * hidden),
        (hidden, hidden),
        (hidden, intermediate),
        (intermediate, hidden),
    ];
    let threads = threads.max(1);
    Machine {
        cpu,
        cpu_id,
        logical_cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
        simd: simd_features(),
        int8_kernel: crate::embed::quant::Kernel::detect().name().to_string(),
        gemm_gflops: gemm_rate(threads, GEMM_ROWS, &shapes),
        gemm_shapes: format!(
            "[{GEMM_ROWS}, k] x [k, n] for (k, n) in {}",
            shapes
                .iter()
                .map(|(k, n)| format!("({k}, {n})"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        gemm_threads: threads,
    }
}

fn simd_features() -> Vec<String> {
    #[allow(unused_mut)]
    let mut out: Vec<&str> = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        macro_rules! probe {
            ($($f:tt),*) => {$(
                if std::arch::is_x86_feature_detected!($f) {
                    out.push($f);
                }
            )*};
        }
        probe!(
            "avx2",
            "fma",
            "avx512f",
            "avx512bw",
            "avx512vl",
            "avx512vnni",
            "avx512bf16"
        );
    }
    #[cfg(target_arch = "aarch64")]
    {
        if std::arch::is_aarch64_feature_detected!("neon") {
            out.push("neon");
        }
    }
    out.into_iter().map(String::from).collect()
}

/// GFLOP/s of `threads` threads each running the GEMMs `[m, k] x [k, n]` of `shapes` in turn,
/// single-threaded, started together by a barrier each repeat: 3 warm-up repeats, then the
/// median of 15. Each product is the f32 encoder's own dense-layer call (bias included).
fn gemm_rate(threads: usize, m: usize, shapes: &[(usize, usize)]) -> f64 {
    const WARM: usize = 3;
    const REPS: usize = 15;
    let flops: f64 = shapes
        .iter()
        .map(|&(k, n)| 2.0 * (m * k * n) as f64)
        .sum::<f64>()
        * threads as f64;
    let barrier = Barrier::new(threads);
    let times: Vec<Vec<f64>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let barrier = &barrier;
                scope.spawn(move || {
                    // Inputs with no structure gemm could exploit, and no denormals; weights
                    // [n, k] as the encoder stores them.
                    let kmax = shapes.iter().map(|s| s.0).max().unwrap_or(0);
                    let nmax = shapes.iter().map(|s| s.1).max().unwrap_or(0);
                    let x: Vec<f32> = (0..m * kmax)
                        .map(|i| ((i % 97) as f32 - 48.0) / 97.0)
                        .collect();
                    let w: Vec<f32> = (0..kmax * nmax)
                        .map(|i| ((i % 89) as f32 - 44.0) / 89.0)
                        .collect();
                    let bias = vec![0f32; nmax];
                    let mut c = vec![0f32; m * nmax];
                    let mut own = Vec::with_capacity(REPS);
                    for rep in 0..WARM + REPS {
                        barrier.wait();
                        let t0 = Instant::now();
                        for &(k, n) in shapes {
                            dense_f32(&x, m, &w, &bias[..n], k, &mut c);
                        }
                        std::hint::black_box(&c);
                        if rep >= WARM {
                            own.push(t0.elapsed().as_secs_f64());
                        }
                    }
                    own
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    // A repeat lasts as long as its slowest thread.
    let mut walls: Vec<f64> = (0..REPS)
        .filter_map(|r| {
            times
                .iter()
                .map(|t| t.get(r).copied())
                .try_fold(0f64, |m, t| t.map(|t| m.max(t)))
        })
        .collect();
    walls.sort_by(f64::total_cmp);
    match walls.get(walls.len() / 2) {
        Some(&t) if t > 0.0 => flops / t / 1e9,
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The formula gives gemm.py's figure for MiniLM-L6 at 17 tokens: 6 * (8*17*384^2 +
    /// 4*17*384*1536 + 4*17^2*384).
    #[test]
    fn flops_of_a_minilm_sentence() {
        let want = 6.0 * (8.0 * 17.0 * 147_456.0 + 4.0 * 17.0 * 589_824.0 + 4.0 * 289.0 * 384.0);
        assert_eq!(encoder_flops(17, 384, 1536, 6), want);
        assert!(encoder_flops(18, 384, 1536, 6) > want);
    }

    /// A small GEMM-rate measurement runs on two threads and gives a finite positive rate.
    #[test]
    fn gemm_rate_is_measured() {
        let r = gemm_rate(2, 32, &[(64, 64), (64, 128)]);
        assert!(r.is_finite() && r > 0.0, "{r}");
    }
}
