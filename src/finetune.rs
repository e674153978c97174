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

/// Mean loss over each tenth of a run of `steps` steps. A run stopped early has only its first
/// tenths, the last of them partial unless the stop falls on a tenth's end (as the
/// reproduction checks choose it).
fn tenths(losses: &[f64], steps: usize) -> Vec<f64> {
    losses
        .chunks(steps.div_ceil(10).max(1))
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
    loss_at: impl FnMut(usize) -> Result<Tensor>,
) -> Result<Vec<f64>> {
    fit_until(groups, weight_decay, steps, None, observer, loss_at)
}

/// `fit`, stopped after the first `stop` of its `steps` steps when given: the learning rate
/// follows the full run's schedule, so the loss curve's first tenths are the full run's (a
/// reproduction check of a long run need not run it all).
pub(crate) fn fit_until(
    groups: Vec<ParamGroup>,
    weight_decay: f64,
    steps: usize,
    stop: Option<usize>,
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
    let run = stop.map_or(steps, |s| s.min(steps));
    observer.start("training steps", Some(run as u64));
    let mut losses = Vec::with_capacity(run);
    for step in 0..run {
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
    Ok(tenths(&losses, steps))
}

/// The weighted element-wise mean of the safetensors files `paths` (the same tensor names
/// and shapes in each; weights normalised to sum to 1), each tensor written back in the first
/// file's dtype, at `out`; returns its SHA-256. Sums run in f32.
pub(crate) fn average_safetensors(
    paths: &[PathBuf],
    weights: &[f64],
    out: &Path,
) -> Result<String> {
    let total: f64 = weights.iter().sum();
    let mut sum: Vec<(String, Tensor, DType)> = Vec::new();
    for (k, (path, w)) in paths.iter().zip(weights).enumerate() {
        let mut tensors = candle_core::safetensors::load(path, &Device::Cpu)?;
        if k == 0 {
            let mut names: Vec<String> = tensors.keys().cloned().collect();
            names.sort();
            for name in names {
                if let Some(t) = tensors.remove(&name) {
                    let dtype = t.dtype();
                    sum.push((name, (t.to_dtype(DType::F32)? * (w / total))?, dtype));
                }
            }
            continue;
        }
        if tensors.len() != sum.len() {
            return Err(Error::Model(format!(
                "{}: {} tensors, {} has {}; only models of one architecture can be averaged",
                path.display(),
                tensors.len(),
                paths[0].display(),
                sum.len()
            )));
        }
        for (name, acc, _) in &mut sum {
            let t = tensors
                .remove(name.as_str())
                .ok_or_else(|| Error::Model(format!("{}: no tensor {name}", path.display())))?;
            if t.dims() != acc.dims() {
                return Err(Error::Model(format!(
                    "{}: {name} is {:?}, not {:?}",
                    path.display(),
                    t.dims(),
                    acc.dims()
                )));
            }
            *acc = (&*acc + (t.to_dtype(DType::F32)? * (w / total))?)?;
        }
    }
    let mut averaged = std::collections::HashMap::with_capacity(sum.len());
    for (name, t, dtype) in sum {
        averaged.insert(name, t.to_dtype(dtype)?);
    }
    candle_core::safetensors::save(&averaged, out)?;
    crate::embed::source::sha256_file(out)
}

/// Checks shared by every soup: two or more sources, one weight each, non-negative with a
/// positive sum, and an output that is none of the sources (copying the model files onto
/// themselves would truncate them before they are read; `train` writes into a staging
/// directory, so there a source may be the final destination).
pub(crate) fn check_average_inputs(dirs: &[PathBuf], weights: &[f64], out: &Path) -> Result<()> {
    if dirs.len() < 2 || weights.len() != dirs.len() {
        return Err(Error::Input(format!(
            "averaging needs two or more model directories and one weight each ({} directories, {} weights)",
            dirs.len(),
            weights.len()
        )));
    }
    let total: f64 = weights.iter().sum();
    if weights.iter().any(|w| !w.is_finite() || *w < 0.0) || total <= 0.0 {
        return Err(Error::Input(format!(
            "averaging weights must be non-negative with a positive sum, not {weights:?}"
        )));
    }
    if let Ok(o) = out.canonicalize()
        && let Some(d) = dirs.iter().find(|d| d.canonicalize().is_ok_and(|d| d == o))
    {
        return Err(Error::Input(format!(
            "{}: the output is one of the models being averaged; write the soup to a new directory",
            d.display()
        )));
    }
    Ok(())
}

/// A soup's card fields from its sources' `(dir, weights SHA-256, card)`: the first card less
/// each run's own record (`SOUP_RUN_ONLY` and `also_drop`), each source's record under
/// `averaged_from`, the weights as given, and `card` merged over it all. The caller adds what
/// its card type needs (the new files' SHA-256).
pub(crate) fn soup_card(
    sources: &[(&Path, &str, &serde_json::Map<String, serde_json::Value>)],
    weights: &[f64],
    also_drop: &[&str],
    card: &serde_json::Value,
) -> serde_json::Map<String, serde_json::Value> {
    let mut soup = sources
        .first()
        .map(|(_, _, c)| (*c).clone())
        .unwrap_or_default();
    for run_only in SOUP_RUN_ONLY.iter().chain(also_drop) {
        soup.remove(*run_only);
    }
    let records: Vec<serde_json::Value> = sources
        .iter()
        .map(|(d, sha, c)| source_record(d, sha, c))
        .collect();
    soup.insert("averaged_from".into(), records.into());
    soup.insert("average_weights".into(), weights.into());
    if let Some(over) = card.as_object() {
        soup.extend(over.clone());
    }
    soup
}

/// What one run was trained on and how it went, kept under a soup's `averaged_from`: the
/// directory, the weights' SHA-256 and the card's run record (`data`, `training`, `figures`,
/// `command`, `options`; a source that is itself a soup keeps its own `averaged_from` and
/// `average_weights`, so nested provenance is not lost).
fn source_record(
    dir: &Path,
    weights_sha256: &str,
    card: &serde_json::Map<String, serde_json::Value>,
) -> serde_json::Value {
    let mut source = serde_json::Map::new();
    source.insert("dir".into(), dir.to_string_lossy().into());
    source.insert("weights_sha256".into(), weights_sha256.into());
    for k in SOUP_RUN_ONLY
        .iter()
        .chain(&["options", "averaged_from", "average_weights"])
    {
        if let Some(v) = card.get(*k) {
            source.insert((*k).into(), v.clone());
        }
    }
    serde_json::Value::Object(source)
}

/// The card fields that belong to one run, not to a soup of runs.
const SOUP_RUN_ONLY: [&str; 4] = ["data", "training", "figures", "command"];

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
