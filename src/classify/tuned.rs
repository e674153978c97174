//! Classifiers fine-tuned end to end: all-MiniLM-L6-v2 and a linear head on its pooled, unit
//! output (times `scale`), trained together in candle. The stance pair model and the
//! fine-tuned confidence classifier are both this, with their own inputs and labels.
//!
//! A tuned classifier is a directory: the sentence-transformers files with the fine-tuned
//! weights (f16), the head (`head.safetensors`), and a card holding both files' SHA-256
//! (checked on load), its labels, and the figures it was chosen by. Inference runs the ordinary
//! encoder (the fast path, and its int8 option) and the head in ndarray.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor, Var};
use ndarray::{Array1, Array2};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::embed::{Embedder, EmbedderOptions, ModelFiles, source};
use crate::error::{Error, Result};
use crate::finetune::{ParamGroup, TrainBert, cut, fit, padded};
use crate::observe::Observer;

const HEAD_FILE: &str = "head.safetensors";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TunedOptions {
    pub epochs: usize,
    /// Examples per step.
    pub batch_size: usize,
    /// Peak learning rate of the encoder.
    pub lr: f64,
    /// Peak learning rate of the new head (it starts from nothing).
    pub head_lr: f64,
    pub weight_decay: f64,
    /// Tokens kept per example while training.
    pub max_tokens: usize,
    /// The pooled (unit) vector is multiplied by this before the head, so that a head of
    /// ordinary weights gives logits of useful size.
    pub scale: f64,
    /// Class weights in the loss are (mean count / class count) to this power: 0 leaves the
    /// classes as they come, 1 balances them fully.
    pub balance: f64,
    pub seed: u64,
}

impl Default for TunedOptions {
    fn default() -> Self {
        TunedOptions {
            epochs: 2,
            batch_size: 16,
            lr: 3e-5,
            head_lr: 1e-3,
            weight_decay: 0.01,
            max_tokens: 128,
            scale: 10.0,
            balance: 0.5,
            seed: 13,
        }
    }
}

/// What training did.
#[derive(Debug, Clone, Serialize)]
pub struct TunedReport {
    pub examples: usize,
    pub label_counts: Vec<(String, usize)>,
    pub class_weights: Vec<f64>,
    pub steps: usize,
    /// Mean loss over each tenth of training.
    pub loss_curve: Vec<f64>,
    pub seconds: f64,
}

/// Fine-tuned encoder variables and the head.
pub struct TrainedClassifier {
    vars: Vec<(String, Var)>,
    weight: Var,
    bias: Var,
}

/// Fine-tune the base model and a new head on `texts` with their `labels` (indices into
/// `names`).
pub fn train(
    base: &ModelFiles,
    embedder: &Embedder,
    texts: &[String],
    labels: &[usize],
    names: &[&str],
    opts: &TunedOptions,
    observer: &dyn Observer,
) -> Result<(TrainedClassifier, TunedReport)> {
    let start = std::time::Instant::now();
    if texts.is_empty() || texts.len() != labels.len() {
        return Err(Error::Input(format!(
            "{} texts with {} labels: nothing to train on",
            texts.len(),
            labels.len()
        )));
    }
    let k = names.len();
    if let Some(&bad) = labels.iter().find(|&&l| l >= k) {
        return Err(Error::Internal(format!("label {bad} of {k} labels")));
    }
    let dev = Device::Cpu;
    let model = TrainBert::load(base)?;
    let hidden = model.w("embeddings.word_embeddings.weight")?.dim(1)?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(opts.seed);
    // Seeded initial head (candle's own randn is not seeded): small uniform weights.
    let init: Vec<f32> = (0..k * hidden)
        .map(|_| (rand::Rng::random::<f32>(&mut rng) - 0.5) * 0.04)
        .collect();
    let weight = Var::from_tensor(&Tensor::from_vec(init, (k, hidden), &dev)?)?;
    let bias = Var::from_tensor(&Tensor::zeros(k, DType::F32, &dev)?)?;

    let tokens: Vec<Vec<u32>> = embedder
        .tokenize(texts)?
        .into_iter()
        .map(|t| cut(t.ids, opts.max_tokens))
        .collect();
    let mut counts = vec![0usize; k];
    for &l in labels {
        counts[l] += 1;
    }
    let mean = labels.len() as f64 / k as f64;
    let class_weights: Vec<f64> = counts
        .iter()
        .map(|&c| {
            if c == 0 {
                0.0
            } else {
                (mean / c as f64).powf(opts.balance)
            }
        })
        .collect();
    let wtensor = Tensor::from_vec(
        class_weights.iter().map(|&w| w as f32).collect::<Vec<_>>(),
        k,
        &dev,
    )?;
    let mut plan: Vec<Vec<usize>> = Vec::new();
    for _ in 0..opts.epochs.max(1) {
        let mut order: Vec<usize> = (0..labels.len()).collect();
        order.shuffle(&mut rng);
        plan.extend(order.chunks(opts.batch_size.max(1)).map(<[usize]>::to_vec));
    }
    let steps = plan.len();
    let groups = vec![
        model.group(opts.lr),
        ParamGroup {
            vars: vec![weight.clone(), bias.clone()],
            lr: opts.head_lr,
        },
    ];
    let loss_curve = fit(groups, opts.weight_decay, steps, observer, |step| {
        let batch = &plan[step];
        let seqs: Vec<&[u32]> = batch.iter().map(|&i| tokens[i].as_slice()).collect();
        let (ids, mask) = padded(&seqs, &dev)?;
        let e = (model.encode(&ids, &mask)? * opts.scale)?;
        let logits = e
            .matmul(&weight.as_tensor().t()?)?
            .broadcast_add(bias.as_tensor())?;
        let target: Vec<u32> = batch.iter().map(|&i| labels[i] as u32).collect();
        let target = Tensor::from_vec(target, batch.len(), &dev)?;
        let logp = candle_nn::ops::log_softmax(&logits, 1)?;
        let picked = logp.gather(&target.unsqueeze(1)?, 1)?.squeeze(1)?;
        let w = wtensor.index_select(&target, 0)?;
        let total = w.sum_all()?;
        Ok(((picked * &w)?.sum_all()?.neg()? / total)?)
    })?;
    Ok((
        TrainedClassifier {
            vars: model.vars,
            weight,
            bias,
        },
        TunedReport {
            examples: labels.len(),
            label_counts: names
                .iter()
                .zip(&counts)
                .map(|(s, &c)| (s.to_string(), c))
                .collect(),
            class_weights,
            steps,
            loss_curve,
            seconds: start.elapsed().as_secs_f64(),
        },
    ))
}

/// What the card must hold to load.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TunedCard {
    pub weights_sha256: String,
    pub head_sha256: String,
    pub labels: Vec<String>,
    pub scale: f64,
    /// Everything else on the card (data, figures, and what a wrapper reads: the stance
    /// model's topic gate, the confidence model's class values).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Write the model directory and its card `card_name` (`card` is merged with the fields
/// loading needs).
pub fn save(
    trained: &TrainedClassifier,
    base: &ModelFiles,
    out: &Path,
    card_name: &str,
    names: &[&str],
    opts: &TunedOptions,
    card: &serde_json::Value,
) -> Result<PathBuf> {
    let weights = crate::finetune::save_model_dir(&trained.vars, base, out)?;
    let head_path = out.join(HEAD_FILE);
    let head: HashMap<String, Tensor> = [
        ("weight".to_string(), trained.weight.as_tensor().clone()),
        ("bias".to_string(), trained.bias.as_tensor().clone()),
    ]
    .into();
    candle_core::safetensors::save(&head, &head_path)?;
    let needed = TunedCard {
        weights_sha256: source::sha256_file(&weights)?,
        head_sha256: source::sha256_file(&head_path)?,
        labels: names.iter().map(|s| s.to_string()).collect(),
        scale: opts.scale,
        extra: card.as_object().cloned().unwrap_or_default(),
    };
    let value = serde_json::to_value(&needed)?;
    let path = out.join(card_name);
    let text = serde_json::to_string_pretty(&value)? + "\n";
    crate::outfile::write_whole(&path, text.as_bytes())?;
    Ok(out.to_path_buf())
}

/// Read a model directory's card `card_name`, refusing one whose labels are not `names` or
/// whose weight files' SHA-256 are not the card's. `train` names the command that writes one.
fn read_card(dir: &Path, card_name: &str, names: &[&str], train: &str) -> Result<TunedCard> {
    let card_path = dir.join(card_name);
    let text = std::fs::read_to_string(&card_path).map_err(|e| {
        Error::Model(format!(
            "{}: {e}; the model directory holds the model files, {HEAD_FILE} and its card \
             {card_name} (`{train} -o DIR` writes all three)",
            card_path.display()
        ))
    })?;
    let card: TunedCard = serde_json::from_str(&text)
        .map_err(|e| Error::Model(format!("{}: {e}", card_path.display())))?;
    if card.labels != names {
        return Err(Error::Model(format!(
            "{}: labels {:?}, expected {names:?}",
            card_path.display(),
            card.labels,
        )));
    }
    // Features are the unit vector times the scale: 0 or below would give every text one
    // label (or the reverse of the trained ones) without any error.
    if !(card.scale.is_finite() && card.scale > 0.0) {
        return Err(Error::Model(format!(
            "{}: \"scale\" is {}, but it must be a positive number (the one the model was \
             trained with, options.scale); restore the card, or retrain with `{train}`",
            card_path.display(),
            card.scale
        )));
    }
    for (file, want) in [
        ("model.safetensors", &card.weights_sha256),
        (HEAD_FILE, &card.head_sha256),
    ] {
        source::check_card_sha256(&dir.join(file), want, &card_path, train)?;
    }
    // The head is checked as it is read (`read_head`).
    source::check_finite_weights(
        &dir.join("model.safetensors"),
        &format!("retrain it with `{train}`, or restore the directory"),
    )?;
    Ok(card)
}

/// A number on the card at `card_path` (`field`) that loading reads: `None` when absent or
/// null, an error naming the field when it is not a number within `range` (`what` says what
/// it is and so why the range).
pub fn card_number(
    card: &TunedCard,
    card_path: &Path,
    field: &str,
    range: std::ops::RangeInclusive<f64>,
    what: &str,
) -> Result<Option<f64>> {
    match card.extra.get(field) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(v) => match v.as_f64() {
            Some(x) if range.contains(&x) => Ok(Some(x)),
            _ => Err(Error::Model(format!(
                "{}: \"{field}\" is {v}, but it must be {what}, between {} and {}; restore \
                 the card",
                card_path.display(),
                range.start(),
                range.end()
            ))),
        },
    }
}

/// One kind of tuned classifier directory: its card's file name, its labels, and the command
/// that writes one (named in errors).
pub struct TunedKind {
    pub card: &'static str,
    pub labels: &'static [&'static str],
    pub train: &'static str,
    /// Card fields of one model a soup must not inherit (a second head fitted on that
    /// model's own features, whose file the soup does not have).
    pub not_in_soup: &'static [&'static str],
}

/// A "model soup": the weighted element-wise mean of tuned classifiers fine-tuned from the same
/// base weights (all of `kind`, with the same scale), written
/// as one model directory at `out` with a card holding the first model's card less its run's
/// own record (data, training, figures, command), each source's record and weights' SHA-256
/// under `averaged_from`, the weights, `card` merged over it, and the new files' SHA-256. Averaging runs fine-tuned from one starting point lands
/// in the same basin and often scores above each run, at the cost of one model at inference
/// (an ensemble would run each). Weights are normalised to sum to 1.
pub fn average(
    kind: &TunedKind,
    dirs: &[PathBuf],
    weights: &[f64],
    out: &Path,
    card: &serde_json::Value,
) -> Result<PathBuf> {
    let (card_name, names, train) = (kind.card, kind.labels, kind.train);
    crate::finetune::check_average_inputs(dirs, weights, out)?;
    let cards = dirs
        .iter()
        .map(|d| read_card(d, card_name, names, train))
        .collect::<Result<Vec<_>>>()?;
    if let Some((d, c)) = dirs
        .iter()
        .zip(&cards)
        .find(|(_, c)| c.scale != cards[0].scale)
    {
        return Err(Error::Model(format!(
            "{}: scale {} differs from {}'s {}; only models trained alike can be averaged",
            d.join(card_name).display(),
            c.scale,
            dirs[0].display(),
            cards[0].scale
        )));
    }
    crate::finetune::copy_model_files(&dirs[0], out)?;
    let mut sha = Vec::new();
    for file in ["model.safetensors", HEAD_FILE] {
        let paths: Vec<PathBuf> = dirs.iter().map(|d| d.join(file)).collect();
        sha.push(crate::finetune::average_safetensors(
            &paths,
            weights,
            &out.join(file),
        )?);
    }
    // What one run was trained on and how it went is not the soup's: each source's record goes
    // under `averaged_from`, from the cards already read and checked.
    let sources: Vec<_> = dirs
        .iter()
        .zip(&cards)
        .map(|(d, c)| (d.as_path(), c.weights_sha256.as_str(), &c.extra))
        .collect();
    let extra = crate::finetune::soup_card(&sources, weights, kind.not_in_soup, card);
    let needed = TunedCard {
        weights_sha256: sha[0].clone(),
        head_sha256: sha[1].clone(),
        labels: cards[0].labels.clone(),
        scale: cards[0].scale,
        extra,
    };
    let text = serde_json::to_string_pretty(&serde_json::to_value(&needed)?)? + "\n";
    crate::outfile::write_whole(&out.join(card_name), text.as_bytes())?;
    Ok(out.to_path_buf())
}

/// A loaded tuned classifier.
pub struct TunedClassifier {
    encoder: Embedder,
    /// (labels, hidden)
    weight: Array2<f32>,
    bias: Array1<f32>,
    pub card: TunedCard,
    pub dir: PathBuf,
}

impl TunedClassifier {
    /// Load a directory whose card `card_name` must name `names` as its labels, refusing files
    /// whose SHA-256 is not the card's. `train` names the command that writes one.
    pub fn load(
        dir: &Path,
        card_name: &str,
        names: &[&str],
        train: &str,
        opts: &EmbedderOptions,
    ) -> Result<Self> {
        let card = read_card(dir, card_name, names, train)?;
        let files = source::resolve(&dir.to_string_lossy())?;
        let encoder = Embedder::load_with(&files, opts)?;
        let (weight, bias) = read_head(&dir.join(HEAD_FILE), names.len(), encoder.dim())?;
        Ok(TunedClassifier {
            encoder,
            weight,
            bias,
            card,
            dir: dir.to_path_buf(),
        })
    }

    /// Class probabilities of each text (rows in the card's label order).
    pub fn probabilities<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        what: &str,
        observer: &dyn Observer,
    ) -> Result<Array2<f32>> {
        let x = self.features(texts, what, observer)?;
        Ok(head_probabilities(&x, &self.weight, &self.bias))
    }

    /// What the head reads for each text: the encoder's pooled unit vector times the card's
    /// scale (what a second head, `super::stance::bags`, is fitted on).
    pub fn features<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        what: &str,
        observer: &dyn Observer,
    ) -> Result<Array2<f32>> {
        let v = self.encoder.embed_all(texts, what, observer)?.vectors;
        Ok(v * self.card.scale as f32)
    }

    /// The head: (labels, hidden) weights and one bias per label.
    pub fn head(&self) -> (&Array2<f32>, &Array1<f32>) {
        (&self.weight, &self.bias)
    }
}

/// Class probabilities of each row of features `x` under a head (`weight`: labels x hidden).
pub fn head_probabilities(
    x: &Array2<f32>,
    weight: &Array2<f32>,
    bias: &Array1<f32>,
) -> Array2<f32> {
    let mut logits = x.dot(&weight.t()) + bias;
    crate::classify::head::softmax_rows(&mut logits);
    logits
}

/// A head file (`weight`: labels x hidden, `bias`), refusing one of another shape than
/// `labels` x `hidden`.
pub fn read_head(path: &Path, labels: usize, hidden: usize) -> Result<(Array2<f32>, Array1<f32>)> {
    let head = candle_core::safetensors::load(path, &Device::Cpu)?;
    let get = |name: &str| -> Result<Tensor> {
        head.get(name)
            .map(|t| t.to_dtype(DType::F32))
            .transpose()?
            .ok_or_else(|| Error::Model(format!("{}: no tensor {name}", path.display())))
    };
    let w = get("weight")?;
    let (k, h) = w.dims2()?;
    let weight = Array2::from_shape_vec((k, h), w.flatten_all()?.to_vec1::<f32>()?)
        .map_err(|e| Error::Model(format!("{}: {e}", path.display())))?;
    let bias = Array1::from_vec(get("bias")?.to_vec1::<f32>()?);
    let bad = source::first_non_finite(weight.iter())
        .map(|f| ("weight", f))
        .or_else(|| source::first_non_finite(bias.iter()).map(|f| ("bias", f)));
    if let Some((name, (i, what))) = bad {
        return Err(source::non_finite(
            path,
            name,
            i,
            what,
            "retrain the model, or restore the file",
        ));
    }
    if k != labels || bias.len() != k || h != hidden {
        return Err(Error::Model(format!(
            "{}: head is {k}x{h} with {} biases; expected {labels}x{hidden}",
            path.display(),
            bias.len(),
        )));
    }
    Ok((weight, bias))
}

/// Write a head file; returns its SHA-256.
pub fn write_head(path: &Path, weight: &Array2<f32>, bias: &Array1<f32>) -> Result<String> {
    let dev = Device::Cpu;
    let w = Tensor::from_vec(
        weight.iter().copied().collect::<Vec<_>>(),
        weight.dim(),
        &dev,
    )?;
    let b = Tensor::from_vec(bias.to_vec(), bias.len(), &dev)?;
    let head: HashMap<String, Tensor> = [("weight".to_string(), w), ("bias".to_string(), b)].into();
    candle_core::safetensors::save(&head, path)?;
    source::sha256_file(path)
}

/// Refuse to write a model into the directory it is made from, however the two are spelled
/// (`models/x`, `./models/x`, an absolute path, a link): copying a file onto itself truncates it.
pub fn refuse_same_dir(from: &Path, out: &Path) -> Result<()> {
    let same = match (std::fs::canonicalize(from), std::fs::canonicalize(out)) {
        (Ok(a), Ok(b)) => a == b,
        // An output that does not exist yet is another directory.
        _ => false,
    };
    if same {
        return Err(Error::Input(format!(
            "{}: write the new model to another directory than {}, the one it starts from",
            out.display(),
            from.display()
        )));
    }
    Ok(())
}

/// Copy `from`'s directory (configuration, tokenizer, weights and head, as they are) to `out`
/// and write its card there with `fields` merged over it: for a model that adds to one
/// already trained (a second head).
pub fn copy_with_card(
    from: &TunedClassifier,
    card_name: &str,
    out: &Path,
    fields: serde_json::Map<String, serde_json::Value>,
) -> Result<PathBuf> {
    refuse_same_dir(&from.dir, out)?;
    crate::finetune::copy_model_files(&from.dir, out)?;
    for file in ["model.safetensors", HEAD_FILE] {
        let src = from.dir.join(file);
        std::fs::copy(&src, out.join(file)).map_err(|e| Error::io(&src, e))?;
    }
    let mut card = from.card.clone();
    card.extra.extend(fields);
    let text = serde_json::to_string_pretty(&serde_json::to_value(&card)?)? + "\n";
    crate::outfile::write_whole(&out.join(card_name), text.as_bytes())?;
    Ok(out.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_is_not_written_over_its_source_however_spelled() {
        let tmp = tempfile::tempdir().expect("tmp");
        let src = tmp.path().join("m");
        std::fs::create_dir_all(&src).expect("dir");
        let dotted = tmp.path().join(".").join("m").join(".");
        let err = refuse_same_dir(&src, &dotted).expect_err("the same directory");
        assert!(err.to_string().contains("another directory"), "{err}");
        assert!(refuse_same_dir(&src, &tmp.path().join("new")).is_ok());
        assert!(refuse_same_dir(&src, tmp.path()).is_ok());
    }
}
