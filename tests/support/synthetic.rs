//! Synthetic unit vectors that look like sentence embeddings, for the neighbour tests and
//! benches: seeded, so every run sees the same data.
//!
//! Uniform noise on the sphere is a poor stand-in: in 384 dimensions all its pairwise cosines
//! are about 0 and "nearest" is arbitrary. Sentence embeddings sit in topical clusters with a few
//! dozen directions of variation inside a topic. So each vector is a cluster centre, plus a
//! combination of 48 shared directions (the low intrinsic dimension), plus isotropic noise,
//! normalised. Cosine to its centre is about 0.75, to another member of its cluster about 0.55,
//! to an unrelated vector about 0.

#![allow(dead_code)]

use ndarray::{Array2, Axis, s};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use rayon::prelude::*;

/// Points per cluster on average.
const CLUSTER_SIZE: usize = 50;
const RANK: usize = 48;
const LOW_RANK_SCALE: f32 = 0.12;
const NOISE: f32 = 0.35;

/// `n` stored vectors and `nq` held-out queries from the same clusters, both `[_, dim]`.
pub fn clustered(n: usize, nq: usize, dim: usize, seed: u64) -> (Array2<f32>, Array2<f32>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let clusters = (n / CLUSTER_SIZE).max(1);
    let mut centres = normal(clusters, dim, &mut rng, 1.0);
    normalise(&mut centres);
    let basis = normal(RANK, dim, &mut rng, 1.0 / (dim as f32).sqrt());
    let total = n + nq;
    // Chunks with their own seeds: parallel and still reproducible.
    let chunk = 8192;
    let parts: Vec<Array2<f32>> = (0..total.div_ceil(chunk))
        .into_par_iter()
        .map(|c| {
            let rows = chunk.min(total - c * chunk);
            let mut rng = StdRng::seed_from_u64(seed ^ (0x9e37_79b9_7f4a_7c15 + c as u64));
            let z = normal(rows, RANK, &mut rng, LOW_RANK_SCALE);
            let mut x = z.dot(&basis);
            x += &normal(rows, dim, &mut rng, NOISE / (dim as f32).sqrt());
            for mut row in x.axis_iter_mut(Axis(0)) {
                let c = rng.random_range(0..clusters);
                row += &centres.row(c);
            }
            normalise(&mut x);
            x
        })
        .collect();
    let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
    let all = ndarray::concatenate(Axis(0), &views).expect("chunks of equal width");
    (
        all.slice(s![..n, ..]).to_owned(),
        all.slice(s![n.., ..]).to_owned(),
    )
}

/// Unit vectors uniform on the sphere: the hard, unrealistic case.
pub fn uniform(n: usize, dim: usize, seed: u64) -> Array2<f32> {
    let mut x = normal(n, dim, &mut StdRng::seed_from_u64(seed), 1.0);
    normalise(&mut x);
    x
}

fn normal(rows: usize, cols: usize, rng: &mut StdRng, scale: f32) -> Array2<f32> {
    let v: Vec<f32> = (0..rows * cols)
        .map(|_| rng.sample::<f32, _>(StandardNormal) * scale)
        .collect();
    Array2::from_shape_vec((rows, cols), v).expect("rows * cols values")
}

fn normalise(x: &mut Array2<f32>) {
    for mut row in x.axis_iter_mut(Axis(0)) {
        let n = row.dot(&row).sqrt().max(1e-12);
        row /= n;
    }
}

/// Share of the true top-k ids that `got` found, over all queries.
pub fn recall(truth: &[Vec<usize>], got: &[Vec<usize>]) -> f64 {
    let (mut hit, mut all) = (0usize, 0usize);
    for (t, g) in truth.iter().zip(got) {
        all += t.len();
        hit += t.iter().filter(|id| g.contains(id)).count();
    }
    hit as f64 / all.max(1) as f64
}
