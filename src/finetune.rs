//! Fine-tuning all-MiniLM-L6-v2 in candle: the encoder written out in differentiable ops, a
//! training loop (AdamW, warm-up and linear decay, one peak rate per parameter group), and
//! writing the result as a sentence-transformers model directory. The same-claim judge and the
//! stance pair model are both trained here.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use candle_core::{D, DType, Device, Tensor, Var};
use candle_nn::Optimizer;

use crate::embed::ModelFiles;
use crate::error::{Error, Result};
use crate::observe::Observer;

/// BERT written out in differentiable candle ops, over the model's own tensors as `Var`s.
/// candle-transformers' BERT cannot be trained as it is: its LayerNorm is candle-nn's fused
/// kernel, which has no backward pass, so no gradient reaches a single weight (measured: the
/// loss did not move in three AdamW steps at lr 1e-3).
pub(crate) struct TrainBert {
    pub(crate) vars: Vec<(String, Var)>,
    at: HashMap<String, usize>,
    layers: usize,
    heads: usize,
    eps: f64,
}

impl TrainBert {
    pub(crate) fn load(base: &ModelFiles) -> Result<Self> {
        let config = crate::embed::config::read_bert_config(base)?;
        let path = base.path("model.safetensors");
        let tensors = candle_core::safetensors::load(&path, &Device::Cpu)?;
        let mut names: Vec<&String> = tensors
            .keys()
            .filter(|n| n.starts_with("embeddings.") || n.starts_with("encoder."))
            .filter(|n| !n.ends_with("position_ids"))
            .collect();
        names.sort();
        let mut vars = Vec::with_capacity(names.len());
        let mut at = HashMap::new();
        for n in names {
            at.insert(n.clone(), vars.len());
            vars.push((
                n.clone(),
                Var::from_tensor(&tensors[n].to_dtype(DType::F32)?)?,
            ));
        }
        Ok(TrainBert {
            vars,
            at,
            layers: config.num_hidden_layers,
            heads: config.num_attention_heads,
            eps: config.layer_norm_eps,
        })
    }

    /// Every encoder weight as one parameter group at peak rate `lr`.
    pub(crate) fn group(&self, lr: f64) -> ParamGroup {
        ParamGroup {
            vars: self.vars.iter().map(|(_, v)| v.clone()).collect(),
            lr,
        }
    }

    pub(crate) fn w(&self, name: &str) -> Result<&Tensor> {
        self.at
            .get(name)
            .map(|&i| self.vars[i].1.as_tensor())
            .ok_or_else(|| Error::Model(format!("model.safetensors has no tensor {name}")))
    }

    pub(crate) fn linear(&self, x: &Tensor, name: &str) -> Result<Tensor> {
        let (b, l, h) = x.dims3()?;
        let w = self.w(&format!("{name}.weight"))?;
        let out = x
            .reshape((b * l, h))?
            .matmul(&w.t()?)?
            .broadcast_add(self.w(&format!("{name}.bias"))?)?;
        Ok(out.reshape((b, l, w.dim(0)?))?)
    }

    fn layer_norm(&self, x: &Tensor, name: &str) -> Result<Tensor> {
        let mean = x.mean_keepdim(D::Minus1)?;
        let centred = x.broadcast_sub(&mean)?;
        let var = centred.sqr()?.mean_keepdim(D::Minus1)?;
        let normed = centred.broadcast_div(&(var + self.eps)?.sqrt()?)?;
        Ok(normed
            .broadcast_mul(self.w(&format!("{name}.weight"))?)?
            .broadcast_add(self.w(&format!("{name}.bias"))?)?)
    }

    /// Mean-pooled, L2-normalised sentence vectors of a padded batch.
    pub(crate) fn encode(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (b, l) = ids.dims2()?;
        let word = self.w("embeddings.word_embeddings.weight")?;
        let h = word.dim(1)?;
        let x = word
            .index_select(&ids.flatten_all()?, 0)?
            .reshape((b, l, h))?
            .broadcast_add(
                &self
                    .w("embeddings.position_embeddings.weight")?
                    .narrow(0, 0, l)?
                    .unsqueeze(0)?,
            )?
            .broadcast_add(
                &self
                    .w("embeddings.token_type_embeddings.weight")?
                    .narrow(0, 0, 1)?
                    .unsqueeze(0)?,
            )?;
        let mut x = self.layer_norm(&x, "embeddings.LayerNorm")?;
        let m = mask.to_dtype(DType::F32)?;
        // Padded keys get a large negative score (not f32::MIN: 0 * MIN would be NaN).
        let bias = ((m.ones_like()? - &m)? * -1e4)?.reshape((b, 1, 1, l))?;
        let (nh, hd) = (self.heads, h / self.heads);
        let split = |t: Tensor| -> Result<Tensor> {
            Ok(t.reshape((b, l, nh, hd))?.transpose(1, 2)?.contiguous()?)
        };
        for i in 0..self.layers {
            let p = format!("encoder.layer.{i}");
            let q = split(self.linear(&x, &format!("{p}.attention.self.query"))?)?;
            let k = split(self.linear(&x, &format!("{p}.attention.self.key"))?)?;
            let v = split(self.linear(&x, &format!("{p}.attention.self.value"))?)?;
            let scores =
                (q.matmul(&k.t()?.contiguous()?)? / (hd as f64).sqrt())?.broadcast_add(&bias)?;
            let probs = candle_nn::ops::softmax(&scores, D::Minus1)?;
            let ctx = probs
                .matmul(&v)?
                .transpose(1, 2)?
                .contiguous()?
                .reshape((b, l, h))?;
            let a = self.linear(&ctx, &format!("{p}.attention.output.dense"))?;
            x = self.layer_norm(&(a + &x)?, &format!("{p}.attention.output.LayerNorm"))?;
            let f = self
                .linear(&x, &format!("{p}.intermediate.dense"))?
                .gelu_erf()?;
            let f = self.linear(&f, &format!("{p}.output.dense"))?;
            x = self.layer_norm(&(f + &x)?, &format!("{p}.output.LayerNorm"))?;
        }
        let mm = m.unsqueeze(2)?;
        let sum = x.broadcast_mul(&mm)?.sum(1)?;
        let count = mm.sum(1)?.clamp(1e-9, f64::MAX)?;
        let mean = sum.broadcast_div(&count)?;
        let norm = mean.sqr()?.sum_keepdim(1)?.sqrt()?.clamp(1e-12, f64::MAX)?;
        Ok(mean.broadcast_div(&norm)?)
    }
}

pub(crate) fn padded(seqs: &[&[u32]], dev: &Device) -> Result<(Tensor, Tensor)> {
    let len = seqs.iter().map(|s| s.len()).max().unwrap_or(1).max(1);
    let mut ids = vec![0u32; seqs.len() * len];
    let mut mask = vec![0u32; seqs.len() * len];
    for (i, s) in seqs.iter().enumerate() {
        ids[i * len..i * len + s.len()].copy_from_slice(s);
        mask[i * len..i * len + s.len()].fill(1);
    }
    Ok((
        Tensor::from_vec(ids, (seqs.len(), len), dev)?,
        Tensor::from_vec(mask, (seqs.len(), len), dev)?,
    ))
}

/// Mean loss over each tenth of training.
fn tenths(losses: &[f64]) -> Vec<f64> {
    losses
        .chunks(losses.len().div_ceil(10).max(1))
        .map(|c| c.iter().sum::<f64>() / c.len() as f64)
        .collect()
}

/// A group of trainable variables with its own peak learning rate (a new head learns from
/// scratch at a rate that would wreck the pretrained encoder).
pub(crate) struct ParamGroup {
    pub vars: Vec<Var>,
    pub lr: f64,
}

/// `steps` AdamW steps on the loss `loss_at(step)` builds, every group under `schedule` from
/// its own peak rate; returns the loss curve (mean of each tenth).
pub(crate) fn fit(
    groups: Vec<ParamGroup>,
    weight_decay: f64,
    steps: usize,
    observer: &dyn Observer,
    mut loss_at: impl FnMut(usize) -> Result<Tensor>,
) -> Result<Vec<f64>> {
    let mut opts = Vec::with_capacity(groups.len());
    for g in groups {
        let opt = candle_nn::AdamW::new(
            g.vars,
            candle_nn::ParamsAdamW {
                lr: g.lr,
                weight_decay,
                ..Default::default()
            },
        )?;
        opts.push((opt, g.lr));
    }
    observer.start("training steps", Some(steps as u64));
    let mut losses = Vec::with_capacity(steps);
    for step in 0..steps {
        let loss = loss_at(step)?;
        let grads = loss.backward()?;
        for (opt, lr) in &mut opts {
            opt.set_learning_rate(schedule(*lr, step, steps));
            opt.step(&grads)?;
        }
        losses.push(f64::from(loss.to_scalar::<f32>()?));
        observer.advance(1);
    }
    observer.finish();
    Ok(tenths(&losses))
}

/// Learning rate at `step` of `steps`: linear warm-up over the first tenth, then linear decay
/// to zero (sentence-transformers' default schedule).
pub(crate) fn schedule(lr: f64, step: usize, steps: usize) -> f64 {
    let warmup = (steps / 10).max(1);
    if step < warmup {
        lr * (step + 1) as f64 / warmup as f64
    } else {
        lr * (steps - step) as f64 / (steps - warmup).max(1) as f64
    }
}

/// Files of a sentence-transformers model directory besides the weights.
const MODEL_FILES: &[&str] = &[
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
];

/// The configuration and tokenizer files of the model directory `dir` into `out` (for a model
/// made from that one's weights).
pub(crate) fn copy_model_files(dir: &Path, out: &Path) -> Result<()> {
    copy_files(|f| dir.join(f), out)
}

fn copy_files(from: impl Fn(&str) -> PathBuf, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out.join("1_Pooling")).map_err(|e| Error::io(out, e))?;
    for f in MODEL_FILES {
        let src = from(f);
        if src.exists() {
            std::fs::copy(&src, out.join(f)).map_err(|e| Error::io(&src, e))?;
        }
    }
    Ok(())
}

/// Write trained encoder variables as a model directory: the base model's configuration and
/// tokenizer, and the weights in f16 (half the size; the encoders widen them to f32 on load).
/// Returns the weights' path.
pub(crate) fn save_model_dir(
    vars: &[(String, Var)],
    base: &ModelFiles,
    out: &Path,
) -> Result<PathBuf> {
    copy_files(|f| base.path(f), out)?;
    let mut tensors: HashMap<String, Tensor> = HashMap::with_capacity(vars.len());
    for (name, var) in vars {
        tensors.insert(name.clone(), var.as_tensor().to_dtype(DType::F16)?);
    }
    let weights = out.join("model.safetensors");
    candle_core::safetensors::save(&tensors, &weights)?;
    Ok(weights)
}

/// Token ids cut to `max` (keeping [SEP] last).
pub(crate) fn cut(mut ids: Vec<u32>, max: usize) -> Vec<u32> {
    if ids.len() > max {
        let sep = ids[ids.len() - 1];
        ids.truncate(max - 1);
        ids.push(sep);
    }
    ids
}
