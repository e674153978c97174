//! A small classifier on feature vectors: softmax regression, or one hidden ReLU layer, trained
//! with Adam on class-weighted cross-entropy, L2, and early stopping on a validation split.
//!
//! Why by hand: linfa's logistic regression has no per-class weights or early stopping, and no
//! well-kept crate trains a one-hidden-layer MLP on ndarray. The whole model is two matrix
//! products; what matters is that training is deterministic (seeded shuffles, no threads in the
//! update) so the shipped heads reproduce from one command.
//!
//! Stored as safetensors (tensors `mean`, `scale`, `w1`, `b1`, `w2`, `b2`, metadata with the
//! labels, feature set and the embedding model it expects), so the weights open anywhere a
//! safetensors reader exists.

use std::collections::HashMap;
use std::path::Path;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, s};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::embed::ModelId;
use crate::error::{Error, Result};
use crate::metrics::macro_f1;

/// What a head was trained on and for: checked when it is loaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadMeta {
    /// "stance" or "confidence".
    pub task: String,
    pub labels: Vec<String>,
    /// Names the feature extractor and its version; a head is refused by another one.
    pub features: String,
    pub embedding_model: ModelId,
    /// Per class, a value that turns probabilities into a score (confidence: the mean rescaled
    /// certainty of the class's training sentences).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_values: Option<Vec<f32>>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct TrainConfig {
    /// Hidden units; 0 is plain softmax regression.
    pub hidden: usize,
    pub l2: f32,
    pub lr: f32,
    pub max_epochs: usize,
    /// Epochs without a better validation macro-F1 before stopping.
    pub patience: usize,
    pub batch: usize,
    pub seed: u64,
    /// Columns from `.0` on are scaled up by `.1` after standardisation: a few hand-made
    /// features next to hundreds of embedding dimensions otherwise get drowned by the L2 penalty
    /// and the sheer count of the others.
    pub emphasis: Option<(usize, f32)>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            hidden: 0,
            l2: 1e-4,
            lr: 1e-3,
            max_epochs: 60,
            patience: 8,
            batch: 64,
            seed: 13,
            emphasis: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Head {
    pub meta: HeadMeta,
    mean: Array1<f32>,
    scale: Array1<f32>,
    /// [features, hidden] and [hidden]; empty when there is no hidden layer.
    w1: Array2<f32>,
    b1: Array1<f32>,
    /// [hidden or features, classes] and [classes].
    w2: Array2<f32>,
    b2: Array1<f32>,
}

/// How training went, for the model card.
#[derive(Debug, Clone, Serialize)]
pub struct TrainReport {
    pub epochs_run: usize,
    pub best_epoch: usize,
    pub best_val_macro_f1: f64,
    pub class_weights: Vec<f32>,
}

pub(crate) fn softmax_rows(z: &mut Array2<f32>) {
    for mut row in z.rows_mut() {
        let m = row.fold(f32::NEG_INFINITY, |a, &b| a.max(b));
        row.mapv_inplace(|v| (v - m).exp());
        let s = row.sum();
        row.mapv_inplace(|v| v / s);
    }
}

impl Head {
    pub fn n_features(&self) -> usize {
        self.mean.len()
    }

    pub fn labels(&self) -> &[String] {
        &self.meta.labels
    }

    fn hidden(&self) -> usize {
        self.b1.len()
    }

    /// Logits of standardised inputs, and the hidden activations when there is a hidden layer.
    fn forward(&self, xs: ArrayView2<f32>) -> (Array2<f32>, Option<Array2<f32>>) {
        if self.hidden() == 0 {
            (xs.dot(&self.w2) + &self.b2, None)
        } else {
            let h = (xs.dot(&self.w1) + &self.b1).mapv(|v| v.max(0.0));
            (h.dot(&self.w2) + &self.b2, Some(h))
        }
    }

    fn standardise(&self, x: ArrayView2<f32>) -> Array2<f32> {
        (&x - &self.mean) / &self.scale
    }

    /// Class probabilities, one row per input row.
    pub fn predict_proba(&self, x: ArrayView2<f32>) -> Result<Array2<f32>> {
        if x.ncols() != self.n_features() {
            return Err(Error::Dimension {
                what: format!("{} head input", self.meta.task),
                expected: self.n_features(),
                found: x.ncols(),
            });
        }
        let xs = self.standardise(x);
        let (mut z, _) = self.forward(xs.view());
        softmax_rows(&mut z);
        Ok(z)
    }

    /// Train on `x`/`y` (class indices), choosing the epoch by macro-F1 on `xv`/`yv`.
    pub fn fit(
        meta: HeadMeta,
        x: ArrayView2<f32>,
        y: &[usize],
        xv: ArrayView2<f32>,
        yv: &[usize],
        cfg: &TrainConfig,
    ) -> Result<(Head, TrainReport)> {
        let k = meta.labels.len();
        let (n, d) = x.dim();
        if n == 0 || xv.nrows() == 0 {
            return Err(Error::Input(
                "training needs examples in train and validation".into(),
            ));
        }
        // Balanced class weights (n / (k * count)) so a rare class such as `disagree` is not
        // traded away for accuracy on the common ones.
        let mut counts = vec![0usize; k];
        for &c in y {
            counts[c] += 1;
        }
        if let Some(c) = counts.iter().position(|&c| c == 0) {
            return Err(Error::Input(format!(
                "no training example of class {:?}",
                meta.labels[c]
            )));
        }
        let class_w: Vec<f32> = counts
            .iter()
            .map(|&c| n as f32 / (k as f32 * c as f32))
            .collect();

        let mean = x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(d));
        let var = x.var_axis(Axis(0), 0.0);
        let mut scale = var.mapv(|v| v.sqrt().max(1e-6));
        if let Some((from, w)) = cfg.emphasis {
            scale
                .slice_mut(s![from.min(d)..])
                .mapv_inplace(|v| v / w.max(1e-6));
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(cfg.seed);
        let init = |rows: usize, cols: usize, rng: &mut rand_chacha::ChaCha8Rng| {
            use rand::Rng;
            let a = (6.0 / (rows + cols) as f32).sqrt();
            Array2::from_shape_fn((rows, cols), |_| rng.random_range(-a..a))
        };
        let h = cfg.hidden;
        let (w1, b1) = if h > 0 {
            (init(d, h, &mut rng), Array1::zeros(h))
        } else {
            (Array2::zeros((0, 0)), Array1::zeros(0))
        };
        let w2 = if h > 0 {
            init(h, k, &mut rng)
        } else {
            Array2::zeros((d, k))
        };
        let mut head = Head {
            meta,
            mean,
            scale,
            w1,
            b1,
            w2,
            b2: Array1::zeros(k),
        };
        let xs = head.standardise(x);
        let xvs = head.standardise(xv);

        let mut adam = Adam::new(&head);
        let mut order: Vec<usize> = (0..n).collect();
        let mut best = (f64::NEG_INFINITY, 0usize, head.clone());
        let mut epochs_run = 0;
        for epoch in 0..cfg.max_epochs {
            epochs_run = epoch + 1;
            order.shuffle(&mut rng);
            for idx in order.chunks(cfg.batch.max(1)) {
                let xb = xs.select(Axis(0), idx);
                let yb: Vec<usize> = idx.iter().map(|&i| y[i]).collect();
                let grads = head.gradients(xb.view(), &yb, &class_w, cfg.l2);
                adam.step(&mut head, &grads, cfg.lr);
            }
            let (mut zv, _) = head.forward(xvs.view());
            softmax_rows(&mut zv);
            let pred = argmax_rows(zv.view());
            let f1 = macro_f1(&pred, yv, k);
            if f1 > best.0 + 1e-6 {
                best = (f1, epoch + 1, head.clone());
            } else if epoch + 1 - best.1 >= cfg.patience {
                break;
            }
        }
        let (best_f1, best_epoch, head) = best;
        Ok((
            head,
            TrainReport {
                epochs_run,
                best_epoch,
                best_val_macro_f1: best_f1,
                class_weights: class_w,
            },
        ))
    }

    /// Gradients of mean weighted cross-entropy + L2 on a standardised batch.
    fn gradients(&self, xb: ArrayView2<f32>, yb: &[usize], cw: &[f32], l2: f32) -> Grads {
        let (mut p, hidden) = self.forward(xb);
        softmax_rows(&mut p);
        let total: f32 = yb.iter().map(|&c| cw[c]).sum::<f32>().max(1e-12);
        // dL/dz = w_c (p - onehot) / sum w
        for (i, &c) in yb.iter().enumerate() {
            let w = cw[c] / total;
            let mut row = p.row_mut(i);
            row[c] -= 1.0;
            row.mapv_inplace(|v| v * w);
        }
        let dz = p;
        match hidden {
            None => Grads {
                w1: None,
                b1: None,
                w2: xb.t().dot(&dz) + &(&self.w2 * l2),
                b2: dz.sum_axis(Axis(0)),
            },
            Some(h) => {
                let w2 = h.t().dot(&dz) + &(&self.w2 * l2);
                let b2 = dz.sum_axis(Axis(0));
                let mut dh = dz.dot(&self.w2.t());
                dh.zip_mut_with(&h, |g, &a| {
                    if a <= 0.0 {
                        *g = 0.0
                    }
                });
                Grads {
                    w1: Some(xb.t().dot(&dh) + &(&self.w1 * l2)),
                    b1: Some(dh.sum_axis(Axis(0))),
                    w2,
                    b2,
                }
            }
        }
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        use safetensors::tensor::{Dtype, TensorView};
        let bytes = |a: &[f32]| -> Vec<u8> { bytemuck::cast_slice(a).to_vec() };
        let mean = bytes(self.mean.as_slice().unwrap_or(&[]));
        let scale = bytes(self.scale.as_slice().unwrap_or(&[]));
        let w1 = bytes(&self.w1.iter().copied().collect::<Vec<_>>());
        let b1 = bytes(self.b1.as_slice().unwrap_or(&[]));
        let w2 = bytes(&self.w2.iter().copied().collect::<Vec<_>>());
        let b2 = bytes(self.b2.as_slice().unwrap_or(&[]));
        fn view(shape: Vec<usize>, data: &[u8]) -> Result<TensorView<'_>> {
            Ok(TensorView::new(Dtype::F32, shape, data)?)
        }
        let tensors = vec![
            ("mean", view(vec![self.mean.len()], &mean)?),
            ("scale", view(vec![self.scale.len()], &scale)?),
            ("w1", view(vec![self.w1.nrows(), self.w1.ncols()], &w1)?),
            ("b1", view(vec![self.b1.len()], &b1)?),
            ("w2", view(vec![self.w2.nrows(), self.w2.ncols()], &w2)?),
            ("b2", view(vec![self.b2.len()], &b2)?),
        ];
        let meta_json = serde_json::to_string(&self.meta)?;
        let metadata: HashMap<String, String> = [("claimscope_head".to_string(), meta_json)].into();
        let data = safetensors::serialize(tensors, Some(metadata))
            .map_err(|e| Error::io(path, std::io::Error::other(e)))?;
        if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        crate::outfile::write_whole(path, &data)
    }

    pub fn load(path: &Path) -> Result<Head> {
        let data = std::fs::read(path).map_err(|e| crate::classify::model_file_error(path, e))?;
        let bad = |what: String| {
            Error::Model(format!(
                "{}: not a claimscope classifier head ({what}); retrain it with `claimscope train`",
                path.display()
            ))
        };
        let (_, header) =
            safetensors::SafeTensors::read_metadata(&data).map_err(|e| bad(e.to_string()))?;
        let meta_json = header
            .metadata()
            .as_ref()
            .and_then(|m| m.get("claimscope_head"))
            .ok_or_else(|| bad("no claimscope_head metadata".into()))?;
        let meta: HeadMeta = serde_json::from_str(meta_json).map_err(|e| bad(e.to_string()))?;
        let st = safetensors::SafeTensors::deserialize(&data).map_err(|e| bad(e.to_string()))?;
        let get = |name: &str| -> Result<(Vec<usize>, Vec<f32>)> {
            let t = st.tensor(name).map_err(|e| bad(format!("{name}: {e}")))?;
            if t.dtype() != safetensors::Dtype::F32 {
                return Err(bad(format!("{name} is not f32")));
            }
            let v: Vec<f32> = t
                .data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            Ok((t.shape().to_vec(), v))
        };
        let vec1 = |name: &str| -> Result<Array1<f32>> { Ok(Array1::from(get(name)?.1)) };
        let mat = |name: &str| -> Result<Array2<f32>> {
            let (shape, v) = get(name)?;
            let (r, c) = match shape.as_slice() {
                [r, c] => (*r, *c),
                _ => return Err(bad(format!("{name} is not a matrix"))),
            };
            Array2::from_shape_vec((r, c), v).map_err(|e| bad(e.to_string()))
        };
        let head = Head {
            mean: vec1("mean")?,
            scale: vec1("scale")?,
            w1: mat("w1")?,
            b1: vec1("b1")?,
            w2: mat("w2")?,
            b2: vec1("b2")?,
            meta,
        };
        let d = head.mean.len();
        let h = head.b1.len();
        let k = head.meta.labels.len();
        let consistent = head.scale.len() == d
            && head.b2.len() == k
            && if h == 0 {
                head.w2.dim() == (d, k)
            } else {
                head.w1.dim() == (d, h) && head.w2.dim() == (h, k)
            };
        if !consistent {
            return Err(bad("tensor shapes disagree".into()));
        }
        // No card guards a head's bytes (shipped or the user's own): a NaN or an infinity
        // anywhere would give every sentence one label, or a null probability, with exit 0.
        let fix = format!(
            "retrain it with `claimscope train {}`, or restore the file",
            head.meta.task
        );
        let tensors: [(&str, Box<dyn Iterator<Item = &f32>>); 6] = [
            ("mean", Box::new(head.mean.iter())),
            ("scale", Box::new(head.scale.iter())),
            ("w1", Box::new(head.w1.iter())),
            ("b1", Box::new(head.b1.iter())),
            ("w2", Box::new(head.w2.iter())),
            ("b2", Box::new(head.b2.iter())),
        ];
        for (name, values) in tensors {
            if let Some((i, what)) = crate::embed::source::first_non_finite(values) {
                return Err(crate::embed::source::non_finite(path, name, i, what, &fix));
            }
        }
        // Inputs are divided by the scale.
        if let Some(i) = head.scale.iter().position(|&v| v <= 0.0) {
            return Err(Error::Model(format!(
                "{}: tensor scale holds {} (value {i}), but inputs are divided by it: each \
                 must be above 0; {fix}",
                path.display(),
                head.scale[i]
            )));
        }
        Ok(head)
    }

    /// Refuse a head trained for another task, feature set or embedding model.
    pub fn check(&self, path: &Path, task: &str, features: &str, model: &ModelId) -> Result<()> {
        let m = &self.meta;
        if m.task != task {
            return Err(Error::Model(format!(
                "{}: a {} head, not a {task} head",
                path.display(),
                m.task
            )));
        }
        if m.features != features {
            return Err(Error::Model(format!(
                "{}: trained on features {:?}, this claimscope computes {features:?}; retrain it with `claimscope train {task}`",
                path.display(),
                m.features
            )));
        }
        if !m.embedding_model.same_model(model) {
            return Err(Error::Model(format!(
                "{}: trained on embeddings of {}, not of {model}; use that model (--model) or retrain with `claimscope train {task}`",
                path.display(),
                m.embedding_model
            )));
        }
        Ok(())
    }
}

struct Grads {
    w1: Option<Array2<f32>>,
    b1: Option<Array1<f32>>,
    w2: Array2<f32>,
    b2: Array1<f32>,
}

/// Adam state, one moment pair per parameter.
struct Adam {
    t: i32,
    m: [Vec<f32>; 4],
    v: [Vec<f32>; 4],
}

impl Adam {
    fn new(h: &Head) -> Self {
        let sizes = [h.w1.len(), h.b1.len(), h.w2.len(), h.b2.len()];
        Adam {
            t: 0,
            m: sizes.map(|n| vec![0.0; n]),
            v: sizes.map(|n| vec![0.0; n]),
        }
    }

    fn step(&mut self, h: &mut Head, g: &Grads, lr: f32) {
        const B1: f32 = 0.9;
        const B2: f32 = 0.999;
        self.t += 1;
        let c1 = 1.0 - B1.powi(self.t);
        let c2 = 1.0 - B2.powi(self.t);
        let mut update = |slot: usize, p: &mut [f32], g: &[f32]| {
            for ((p, g), (m, v)) in p
                .iter_mut()
                .zip(g)
                .zip(self.m[slot].iter_mut().zip(self.v[slot].iter_mut()))
            {
                *m = B1 * *m + (1.0 - B1) * g;
                *v = B2 * *v + (1.0 - B2) * g * g;
                *p -= lr * (*m / c1) / ((*v / c2).sqrt() + 1e-8);
            }
        };
        if let (Some(gw1), Some(gb1)) = (&g.w1, &g.b1) {
            if let (Some(p), Some(gs)) = (h.w1.as_slice_mut(), gw1.as_slice()) {
                update(0, p, gs);
            }
            if let (Some(p), Some(gs)) = (h.b1.as_slice_mut(), gb1.as_slice()) {
                update(1, p, gs);
            }
        }
        if let (Some(p), Some(gs)) = (h.w2.as_slice_mut(), g.w2.as_slice()) {
            update(2, p, gs);
        }
        if let (Some(p), Some(gs)) = (h.b2.as_slice_mut(), g.b2.as_slice()) {
            update(3, p, gs);
        }
    }
}

pub fn argmax_rows(p: ArrayView2<f32>) -> Vec<usize> {
    p.rows().into_iter().map(argmax).collect()
}

pub fn argmax(row: ArrayView1<f32>) -> usize {
    row.iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i)
}

/// Rows of `x` at `idx` (a helper for splitting feature matrices).
pub fn rows(x: ArrayView2<f32>, idx: &[usize]) -> Array2<f32> {
    let mut out = Array2::zeros((idx.len(), x.ncols()));
    for (o, &i) in idx.iter().enumerate() {
        out.slice_mut(s![o, ..]).assign(&x.row(i));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(k: usize) -> HeadMeta {
        HeadMeta {
            task: "test".into(),
            labels: (0..k).map(|i| format!("c{i}")).collect(),
            features: "t1".into(),
            embedding_model: ModelId::new("m", 2),
            class_values: None,
        }
    }

    /// A missing head names where shipped models are looked for and the variable that points
    /// there (a wheel or binary run away from its checkout otherwise only says "not found").
    #[test]
    fn a_missing_head_says_where_models_are_looked_for() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stance.safetensors");
        let msg = Head::load(&path)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert!(
            msg.contains("not found") && msg.contains("set CLAIMSCOPE_MODELS"),
            "{msg}"
        );
    }

    /// Three Gaussian blobs, one rare: both head shapes must separate them, and a saved head
    /// must predict exactly as the trained one.
    #[test]
    fn learns_blobs_and_round_trips() {
        use rand::Rng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let centres = [[0.0f32, 3.0], [3.0, 0.0], [-3.0, -3.0]];
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for i in 0..600 {
            let c = if i % 20 == 0 { 2 } else { i % 2 };
            ys.push(c);
            xs.push(centres[c][0] + rng.random_range(-1.0f32..1.0));
            xs.push(centres[c][1] + rng.random_range(-1.0f32..1.0));
        }
        let x = Array2::from_shape_vec((600, 2), xs).unwrap();
        for hidden in [0, 8] {
            let cfg = TrainConfig {
                hidden,
                lr: 0.01,
                ..TrainConfig::default()
            };
            let (head, rep) = Head::fit(meta(3), x.view(), &ys, x.view(), &ys, &cfg).unwrap();
            assert!(rep.best_val_macro_f1 > 0.95, "{hidden}: {rep:?}");
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("h.safetensors");
            head.save(&p).unwrap();
            let back = Head::load(&p).unwrap();
            assert_eq!(back.meta, head.meta);
            let a = head.predict_proba(x.view()).unwrap();
            let b = back.predict_proba(x.view()).unwrap();
            assert_eq!(a, b);
        }
    }

    #[test]
    fn refuses_garbage_and_wrong_width() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.safetensors");
        std::fs::write(&p, b"not a head").unwrap();
        let e = Head::load(&p).unwrap_err().to_string();
        assert!(e.contains("not a claimscope classifier head"), "{e}");
        let x = Array2::<f32>::zeros((4, 2));
        let (head, _) = Head::fit(
            meta(2),
            x.view(),
            &[0, 1, 0, 1],
            x.view(),
            &[0, 1, 0, 1],
            &TrainConfig::default(),
        )
        .unwrap();
        let e = head
            .predict_proba(Array2::<f32>::zeros((1, 3)).view())
            .unwrap_err();
        assert!(e.to_string().contains("3"), "{e}");
    }
}
