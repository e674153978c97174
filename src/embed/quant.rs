//! Dynamic int8 matrix products for the fast encoder (`--precision int8`).
//!
//! Weights are quantised once, per output channel (symmetric, scale = max|w| / 127); each
//! activation row is quantised when it arrives (symmetric per row, stored as u8 with a +128
//! offset because AVX-512 VNNI's `vpdpbusd` multiplies unsigned by signed bytes). The offset is
//! taken back out with the weights' column sums. Per-row activation scales are what keeps the
//! error small: a token with one large activation does not flatten every other token's range.
//!
//! By hand because neither candle nor gemm has an int8 CPU kernel, and the one instruction that
//! makes int8 pay (`vpdpbusd`, 64 multiply-adds per cycle per port) needs a weight layout of its
//! own. On CPUs without AVX-512 VNNI an AVX2 kernel computes the same integers (same vectors,
//! about as fast as f32 there), and a portable loop where there is no AVX2.

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

use super::fast::{ROUNDER, ROUNDER_BITS, lane_fold};

/// Columns per block (one zmm of i32 accumulators) and blocks / rows per tile.
const COLS: usize = 16;
const NB: usize = 4;
const MR: usize = 4;

/// The int8 kernel this CPU runs: every one computes the same integers, at different speeds
/// (`claimscope bench` reports which ran).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernel {
    /// AVX-512 VNNI's `vpdpbusd`: 64 byte products a instruction.
    Vnni,
    /// AVX2's `vpmaddubsw` and `vpmaddwd`.
    Avx2,
    /// Plain loops, for CPUs with neither.
    Portable,
}

impl Kernel {
    /// Whether this CPU has the kernel's instructions.
    pub fn available(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            match self {
                Kernel::Vnni => has!("avx512vnni") && has!("avx512bw"),
                Kernel::Avx2 => has!("avx2") && has!("fma"),
                Kernel::Portable => true,
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            self == Kernel::Portable
        }
    }

    /// The fastest kernel this CPU has.
    pub fn detect() -> Kernel {
        [Kernel::Vnni, Kernel::Avx2]
            .into_iter()
            .find(|k| k.available())
            .unwrap_or(Kernel::Portable)
    }

    pub fn name(self) -> &'static str {
        match self {
            Kernel::Vnni => "avx512-vnni",
            Kernel::Avx2 => "avx2",
            Kernel::Portable => "portable",
        }
    }
}

pub struct QLinear {
    /// [n_blocks][k / 4][16 columns][4 bytes]: the order `vpdpbusd` consumes.
    packed: Vec<i8>,
    /// Per output channel: scale and sum of the quantised weights.
    scale: Vec<f32>,
    colsum: Vec<i32>,
    bias: Vec<f32>,
    n: usize,
    k: usize,
    /// Padded sizes: N to a multiple of NB * COLS, K to a multiple of 4.
    np: usize,
    kp: usize,
}

fn round_up(x: usize, m: usize) -> usize {
    x.div_ceil(m) * m
}

impl QLinear {
    /// From row-major f32 weights `[n, k]` and bias `[n]`.
    pub fn new(w: &[f32], bias: &[f32], n: usize, k: usize) -> Self {
        let np = round_up(n, NB * COLS);
        let kp = round_up(k, 4);
        let mut scale = vec![1.0f32; np];
        let mut colsum = vec![0i32; np];
        let mut q = vec![0i8; np * kp];
        for r in 0..n {
            let row = &w[r * k..(r + 1) * k];
            let max = row.iter().fold(0f32, |m, v| m.max(v.abs()));
            let s = if max > 0.0 { max / 127.0 } else { 1.0 };
            scale[r] = s;
            for (c, &v) in row.iter().enumerate() {
                let x = (v / s).round().clamp(-127.0, 127.0) as i8;
                q[r * kp + c] = x;
                colsum[r] += x as i32;
            }
        }
        let kg = kp / 4;
        let mut packed = vec![0i8; np * kp];
        for r in 0..np {
            let (blk, c) = (r / COLS, r % COLS);
            for g in 0..kg {
                for j in 0..4 {
                    packed[((blk * kg + g) * COLS + c) * 4 + j] = q[r * kp + g * 4 + j];
                }
            }
        }
        QLinear {
            packed,
            scale,
            colsum,
            bias: {
                let mut b = bias.to_vec();
                b.resize(np, 0.0);
                b
            },
            n,
            k,
            np,
            kp,
        }
    }

    /// out[t, n] = x[t, k] @ w^T + b, with x quantised per row.
    pub fn forward(&self, x: &[f32], t: usize, out: &mut [f32]) {
        let tp = round_up(t.max(1), MR);
        let (k, kp) = (self.k, self.kp);
        // Zero-padded rows and columns quantise to the offset 128 (value 0).
        let mut a = vec![128u8; tp * kp];
        let mut sa = vec![0f32; tp];
        quantise_rows(x, t, k, kp, &mut a, &mut sa);
        self.tiles(Kernel::detect(), &a, &sa, t, tp, out);
    }

    /// `kernel`'s product of the quantised rows `a` (tp rows, kp wide; scales `sa`) into
    /// out[..t * n]; the portable loop where the CPU lacks the kernel's instructions.
    fn tiles(&self, kernel: Kernel, a: &[u8], sa: &[f32], t: usize, tp: usize, out: &mut [f32]) {
        match kernel {
            // SAFETY: the kernel's features are present (`available`); `a` holds tp * kp
            // bytes and `packed` np * kp, the layouts the tile kernels read; they write
            // out[..t * n] only.
            #[cfg(target_arch = "x86_64")]
            Kernel::Vnni if kernel.available() => unsafe { self.tiles_vnni(a, sa, t, tp, out) },
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 if kernel.available() => unsafe { self.tiles_avx2(a, sa, t, tp, out) },
            _ => self.tiles_portable(a, sa, t, out),
        }
    }

    #[inline(always)]
    fn store(&self, acc: &[i32], r: usize, n0: usize, sa: f32, out: &mut [f32]) {
        for (c, &v) in acc.iter().enumerate() {
            let col = n0 + c;
            if col < self.n {
                let corrected = v - 128 * self.colsum[col];
                // One rounding, as the AVX-512 path's fused multiply-add.
                out[r * self.n + col] =
                    (corrected as f32).mul_add(sa * self.scale[col], self.bias[col]);
            }
        }
    }

    fn tiles_portable(&self, a: &[u8], sa: &[f32], t: usize, out: &mut [f32]) {
        let kg = self.kp / 4;
        let mut acc = [0i32; COLS];
        for r in 0..t {
            let ar = &a[r * self.kp..(r + 1) * self.kp];
            for blk in 0..self.np / COLS {
                acc.fill(0);
                for g in 0..kg {
                    let w = &self.packed[(blk * kg + g) * COLS * 4..(blk * kg + g + 1) * COLS * 4];
                    for (c, slot) in acc.iter_mut().enumerate() {
                        let mut s = 0i32;
                        for j in 0..4 {
                            s += ar[g * 4 + j] as i32 * w[c * 4 + j] as i32;
                        }
                        *slot += s;
                    }
                }
                self.store(&acc, r, blk * COLS, sa[r], out);
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    unsafe fn tiles_vnni(&self, a: &[u8], sa: &[f32], t: usize, tp: usize, out: &mut [f32]) {
        let kg = self.kp / 4;
        let kp = self.kp;
        // Column groups outside: a group's weights (k * 64 bytes) stay in cache while every
        // row passes over them.
        for b0 in (0..self.np / COLS).step_by(NB) {
            for r0 in (0..tp).step_by(MR) {
                let mut acc = [[_mm512_setzero_si512(); NB]; MR];
                for g in 0..kg {
                    let mut w = [_mm512_setzero_si512(); NB];
                    for (j, wj) in w.iter_mut().enumerate() {
                        let off = ((b0 + j) * kg + g) * COLS * 4;
                        // SAFETY: off + 64 <= np * kp by the packed layout.
                        *wj = unsafe { _mm512_loadu_si512(self.packed.as_ptr().add(off).cast()) };
                    }
                    for (i, acc_i) in acc.iter_mut().enumerate() {
                        // SAFETY: (r0 + i) < tp and g * 4 + 4 <= kp.
                        let four = unsafe {
                            std::ptr::read_unaligned(
                                a.as_ptr().add((r0 + i) * kp + g * 4).cast::<i32>(),
                            )
                        };
                        let av = _mm512_set1_epi32(four);
                        for (j, acc_ij) in acc_i.iter_mut().enumerate() {
                            *acc_ij = _mm512_dpbusd_epi32(*acc_ij, av, w[j]);
                        }
                    }
                }
                for (i, acc_i) in acc.iter().enumerate() {
                    let r = r0 + i;
                    if r >= t {
                        break;
                    }
                    let sa_r = _mm512_set1_ps(sa[r]);
                    for (j, acc_ij) in acc_i.iter().enumerate() {
                        let c0 = (b0 + j) * COLS;
                        if c0 >= self.n {
                            break;
                        }
                        // SAFETY: scale, colsum and bias hold np >= c0 + 16 values.
                        unsafe {
                            let colsum = _mm512_loadu_si512(self.colsum.as_ptr().add(c0).cast());
                            let corrected = _mm512_sub_epi32(*acc_ij, _mm512_slli_epi32(colsum, 7));
                            let scale =
                                _mm512_mul_ps(sa_r, _mm512_loadu_ps(self.scale.as_ptr().add(c0)));
                            let bias = _mm512_loadu_ps(self.bias.as_ptr().add(c0));
                            let y = _mm512_fmadd_ps(_mm512_cvtepi32_ps(corrected), scale, bias);
                            let valid = (self.n - c0).min(COLS);
                            let mask: __mmask16 = if valid == COLS {
                                0xffff
                            } else {
                                (1u16 << valid) - 1
                            };
                            // SAFETY: the mask limits the store to out[r * n + c0 ..][..valid].
                            _mm512_mask_storeu_ps(out.as_mut_ptr().add(r * self.n + c0), mask, y);
                        }
                    }
                }
            }
        }
    }

    /// The integers of `tiles_vnni` with AVX2 alone, for the CPUs without AVX-512 VNNI (AMD
    /// before Zen 4, most desktops; there the portable loop made int8 twenty times slower than
    /// f32). The +128 offset comes off by flipping each byte's top bit (back to the signed
    /// activation q), `vpmaddubsw` multiplies |q| by the weights given q's sign and adds
    /// neighbours, `vpmaddwd` by ones adds the pairs into i32. |q|, |w| <= 127, so a pair
    /// (<= 32,258) never saturates its i16: the sums are exact, the signed sums `tiles_vnni`
    /// reaches by taking 128 times the column sums back out, and the epilogue is its own.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn tiles_avx2(&self, a: &[u8], sa: &[f32], t: usize, tp: usize, out: &mut [f32]) {
        let kg = self.kp / 4;
        let kp = self.kp;
        let flip = _mm256_set1_epi8(i8::MIN);
        let ones = _mm256_set1_epi16(1);
        for blk in 0..self.np / COLS {
            let c0 = blk * COLS;
            if c0 >= self.n {
                break;
            }
            for r0 in (0..tp).step_by(MR) {
                // Rows by the two halves (8 columns each) of the block.
                let mut acc = [[_mm256_setzero_si256(); 2]; MR];
                for g in 0..kg {
                    let off = (blk * kg + g) * COLS * 4;
                    // SAFETY: off + 64 <= np * kp by the packed layout.
                    let w = unsafe {
                        [
                            _mm256_loadu_si256(self.packed.as_ptr().add(off).cast()),
                            _mm256_loadu_si256(self.packed.as_ptr().add(off + 32).cast()),
                        ]
                    };
                    for (i, acc_i) in acc.iter_mut().enumerate() {
                        // SAFETY: (r0 + i) < tp and g * 4 + 4 <= kp.
                        let four = unsafe {
                            std::ptr::read_unaligned(
                                a.as_ptr().add((r0 + i) * kp + g * 4).cast::<i32>(),
                            )
                        };
                        let q = _mm256_xor_si256(_mm256_set1_epi32(four), flip);
                        let magnitude = _mm256_abs_epi8(q);
                        for (acc_ih, &w_h) in acc_i.iter_mut().zip(&w) {
                            let pairs = _mm256_maddubs_epi16(magnitude, _mm256_sign_epi8(w_h, q));
                            *acc_ih = _mm256_add_epi32(*acc_ih, _mm256_madd_epi16(pairs, ones));
                        }
                    }
                }
                for (i, acc_i) in acc.iter().enumerate() {
                    let r = r0 + i;
                    if r >= t {
                        break;
                    }
                    let sa_r = _mm256_set1_ps(sa[r]);
                    for (h, acc_ih) in acc_i.iter().enumerate() {
                        let c = c0 + h * 8;
                        if c >= self.n {
                            break;
                        }
                        // SAFETY: scale and bias hold np >= c + 8 values.
                        let y = unsafe {
                            let scale =
                                _mm256_mul_ps(sa_r, _mm256_loadu_ps(self.scale.as_ptr().add(c)));
                            let bias = _mm256_loadu_ps(self.bias.as_ptr().add(c));
                            _mm256_fmadd_ps(_mm256_cvtepi32_ps(*acc_ih), scale, bias)
                        };
                        let mut lanes = [0f32; 8];
                        // SAFETY: lanes holds 8 floats.
                        unsafe { _mm256_storeu_ps(lanes.as_mut_ptr(), y) };
                        let valid = (self.n - c).min(8);
                        out[r * self.n + c..r * self.n + c + valid]
                            .copy_from_slice(&lanes[..valid]);
                    }
                }
            }
        }
    }
}

/// Each of the t rows of x (k wide) quantised symmetrically by its own scale (max |x| / 127)
/// into `a` (rows kp wide, u8 with a +128 offset); the scales into `sa`.
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512vl+avx2+fma",
    "x86_64+avx2+fma"
))]
fn quantise_rows(x: &[f32], t: usize, k: usize, kp: usize, a: &mut [u8], sa: &mut [f32]) {
    for r in 0..t {
        let row = &x[r * k..(r + 1) * k];
        let max = lane_fold(row, 0.0, f32::abs, f32::max);
        let s = if max > 0.0 { max / 127.0 } else { 1.0 };
        sa[r] = s;
        quantise_row(row, 1.0 / s, &mut a[r * kp..r * kp + k]);
    }
}

/// Round to nearest (ties to even) and offset by 128, without a float-to-int cast (Rust's
/// saturating `as` scalarised this loop): |v * inv| <= 127 by construction, so the
/// integer read from the mantissa bits plus 128 is in 1..=255.
#[inline(always)]
fn quantise_row(row: &[f32], inv: f32, dst: &mut [u8]) {
    for (d, &v) in dst.iter_mut().zip(row) {
        let r = v * inv + ROUNDER;
        *d = r.to_bits().wrapping_sub(ROUNDER_BITS).wrapping_add(128) as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case() -> (Vec<f32>, Vec<f32>, Vec<f32>, usize, usize, usize) {
        // Sizes that are not multiples of the tiles (16 columns, 4 rows, 4 bytes of k), so
        // the padding paths run.
        let (t, n, k) = (7, 70, 38);
        let w: Vec<f32> = (0..n * k)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 50.0)
            .collect();
        let b: Vec<f32> = (0..n).map(|i| i as f32 * 0.01).collect();
        let x: Vec<f32> = (0..t * k)
            .map(|i| ((i * 53 % 89) as f32 - 44.0) / 20.0)
            .collect();
        (w, b, x, t, n, k)
    }

    /// Activations quantised as `forward` does, laid out for the tile kernels.
    fn quantised(q: &QLinear, x: &[f32], t: usize) -> (Vec<u8>, Vec<f32>) {
        let mut a = vec![128u8; round_up(t, MR) * q.kp];
        let mut sa = vec![0f32; round_up(t, MR)];
        quantise_rows(x, t, q.k, q.kp, &mut a, &mut sa);
        (a, sa)
    }

    /// Every activation becomes round(v / scale) + 128 (ties to even) with scale = max |row| /
    /// 127: the extremes land on 1 and 255, negatives below 128, rows of any length (the
    /// 16-lane maximum and its remainder), and the padding of a row keeps the offset.
    #[test]
    fn rows_quantise_to_the_nearest_step() {
        let (t, k, kp) = (3, 37, 40);
        let x: Vec<f32> = (0..t * k)
            .map(|i| ((i * 29 % 83) as f32 - 41.0) / 7.0 * if i % k == 20 { 3.0 } else { 1.0 })
            .collect();
        let mut a = vec![128u8; t * kp];
        let mut sa = vec![0f32; t];
        quantise_rows(&x, t, k, kp, &mut a, &mut sa);
        for r in 0..t {
            let row = &x[r * k..(r + 1) * k];
            let max = row.iter().fold(0f32, |m, v| m.max(v.abs()));
            assert_eq!(sa[r], max / 127.0);
            for (c, &v) in row.iter().enumerate() {
                let want = (v * (1.0 / sa[r])).round_ties_even() as i32 + 128;
                assert_eq!(a[r * kp + c] as i32, want, "row {r} col {c}: {v}");
            }
            let ends: Vec<u8> = row
                .iter()
                .zip(&a[r * kp..r * kp + k])
                .filter(|(v, _)| v.abs() == max)
                .map(|(_, q)| *q)
                .collect();
            assert!(ends.iter().all(|&q| q == 1 || q == 255), "{ends:?}");
            assert!(a[r * kp + k..(r + 1) * kp].iter().all(|&q| q == 128));
        }
    }

    /// The int8 product stays within quantisation error of the f32 one.
    #[test]
    fn close_to_f32() {
        let (w, b, x, t, n, k) = case();
        let q = QLinear::new(&w, &b, n, k);
        let mut out = vec![0f32; t * n];
        q.forward(&x, t, &mut out);
        for r in 0..t {
            for c in 0..n {
                let exact: f32 = (0..k).map(|i| x[r * k + i] * w[c * k + i]).sum::<f32>() + b[c];
                assert!(
                    (out[r * n + c] - exact).abs() < 0.05 * (1.0 + exact.abs()),
                    "{r},{c}: {} vs {exact}",
                    out[r * n + c]
                );
            }
        }
    }

    /// The portable kernel computes exactly the integers of the definition: each weight row
    /// quantised to i8 by its own scale, each activation row to u8 around 128, a plain dot
    /// product over unpacked arrays, one fused multiply-add. This checks the packing.
    #[test]
    fn portable_kernel_equals_the_definition() {
        let (w, b, x, t, n, k) = case();
        let q = QLinear::new(&w, &b, n, k);
        let (a, sa) = quantised(&q, &x, t);
        let mut portable = vec![0f32; t * n];
        q.tiles_portable(&a, &sa, t, &mut portable);
        for r in 0..t {
            for c in 0..n {
                let row = &w[c * k..(c + 1) * k];
                let max = row.iter().fold(0f32, |m, v| m.max(v.abs()));
                let s = max / 127.0;
                let dot: i32 = (0..k)
                    .map(|i| {
                        let wq = (row[i] / s).round().clamp(-127.0, 127.0) as i32;
                        (a[r * q.kp + i] as i32 - 128) * wq
                    })
                    .sum();
                let want = (dot as f32).mul_add(sa[r] * s, b[c]);
                assert_eq!(portable[r * n + c], want, "{r},{c}");
            }
        }
    }

    /// Each SIMD kernel the CPU has (AVX-512 VNNI, AVX2) gives the portable kernel's numbers to
    /// the bit, on the padded sizes of `case` and on activations and weights at both ends of
    /// the byte range (|q|, |w| = 127 everywhere, where a pair saturating AVX2's i16 would
    /// show). A kernel the CPU lacks is said, not compared.
    #[test]
    fn simd_kernels_equal_portable() {
        let (w, b, x, t, n, k) = case();
        let q = QLinear::new(&w, &b, n, k);
        let extremes: Vec<f32> = (0..t * k)
            .map(|i| if i % 3 == 0 { -1.0 } else { 1.0 })
            .collect();
        let full: Vec<f32> = (0..n * k)
            .map(|i| if i % 5 == 0 { -2.0 } else { 2.0 })
            .collect();
        let qfull = QLinear::new(&full, &b, n, k);
        for kernel in [Kernel::Vnni, Kernel::Avx2] {
            if !kernel.available() {
                eprintln!("{}: not on this CPU; nothing to compare", kernel.name());
                continue;
            }
            for (q, x) in [(&q, &x), (&q, &extremes), (&qfull, &extremes)] {
                let (a, sa) = quantised(q, x, t);
                let mut portable = vec![0f32; t * n];
                q.tiles_portable(&a, &sa, t, &mut portable);
                let mut simd = vec![0f32; t * n];
                q.tiles(kernel, &a, &sa, t, round_up(t, MR), &mut simd);
                assert_eq!(simd, portable, "{}", kernel.name());
            }
        }
    }
}
