//! The transformer forward pass behind a trait, apart from tokenising and batching
//! (the split text-embeddings-inference uses), so a faster kernel can replace the reference
//! one without touching the callers.

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};

use super::config::PoolingMode;
use super::source::ModelFiles;
use crate::error::{Error, Result};

pub trait Backend: Send + Sync {
    /// Width of one pooled vector for one pooling mode.
    fn hidden_size(&self) -> usize;
    /// Short name for reports.
    fn name(&self) -> &'static str;
    /// Pooled (not normalised) embeddings of `seqs` (token ids with special tokens, no padding),
    /// row-major `[seqs.len(), hidden_size * pooling.len()]`.
    fn embed(&self, seqs: &[&[u32]], pooling: &[PoolingMode]) -> Result<Vec<f32>>;
    /// Whether the batcher should run several batches at once (each on one thread) rather
    /// than one batch at a time with the backend's own threading.
    fn parallel_batches(&self) -> bool {
        false
    }
}

/// candle-transformers' BERT, padded to the longest sequence of the batch.
pub struct CandleBert {
    model: BertModel,
    hidden: usize,
    pad_id: u32,
    device: Device,
}

impl CandleBert {
    pub fn load(files: &ModelFiles, config: &Config, dtype: DType) -> Result<Self> {
        let device = Device::Cpu;
        let weights = files.path("model.safetensors");
        // mmap: the weights are paged in on demand and shared with the page cache.
        // SAFETY: candle's tensors borrow the mapped bytes for the model's lifetime, so the
        // file must not be truncated or rewritten while this backend lives. Model files sit in
        // the Hugging Face cache or a directory the user named, and claimscope itself only
        // ever replaces them by renaming a new snapshot into place (a new inode: the old map
        // stays valid); an outside process that truncates the file in place would break any
        // mmap reader, Python's included.
        let vb = unsafe { VarBuilder::from_mmaped_safetensors(&[&weights], dtype, &device) }
            .map_err(|e| {
                Error::Model(format!(
                    "{}: cannot read safetensors ({e}); the file is corrupt or truncated, re-download it",
                    weights.display()
                ))
            })?;
        let model = BertModel::load(vb, config).map_err(|e| {
            Error::Model(format!(
                "{}: does not hold the BERT weights config.json describes ({e})",
                weights.display()
            ))
        })?;
        Ok(CandleBert {
            model,
            hidden: config.hidden_size,
            pad_id: config.pad_token_id as u32,
            device,
        })
    }
}

impl Backend for CandleBert {
    fn hidden_size(&self) -> usize {
        self.hidden
    }

    fn name(&self) -> &'static str {
        "candle-bert"
    }

    fn embed(&self, seqs: &[&[u32]], pooling: &[PoolingMode]) -> Result<Vec<f32>> {
        let b = seqs.len();
        if b == 0 {
            return Ok(Vec::new());
        }
        let len = seqs.iter().map(|s| s.len()).max().unwrap_or(0).max(1);
        let mut ids = vec![self.pad_id; b * len];
        let mut mask = vec![0f32; b * len];
        for (i, s) in seqs.iter().enumerate() {
            ids[i * len..i * len + s.len()].copy_from_slice(s);
            mask[i * len..i * len + s.len()]
                .iter_mut()
                .for_each(|m| *m = 1.0);
        }
        let ids = Tensor::from_vec(ids, (b, len), &self.device)?;
        let type_ids = ids.zeros_like()?;
        let mask = Tensor::from_vec(mask, (b, len), &self.device)?;
        let hidden = self
            .model
            .forward(&ids, &type_ids, Some(&mask))?
            .to_dtype(DType::F32)?;
        let pooled = pool(&hidden, &mask, pooling)?;
        Ok(pooled.flatten_all()?.to_vec1::<f32>()?)
    }
}

/// Pooling over the attention mask, as sentence-transformers' `Pooling` module does it.
pub fn pool(hidden: &Tensor, mask: &Tensor, modes: &[PoolingMode]) -> Result<Tensor> {
    let mask3 = mask
        .unsqueeze(2)?
        .broadcast_as(hidden.shape())?
        .contiguous()?;
    let mut parts = Vec::with_capacity(modes.len());
    for mode in modes {
        let t = match mode {
            PoolingMode::Cls => hidden.narrow(1, 0, 1)?.squeeze(1)?,
            PoolingMode::Max => {
                // Padded positions must never win the max: push them far below any activation.
                let neg = ((mask3.ones_like()? - &mask3)? * -1e9)?;
                (hidden * &mask3)?.add(&neg)?.max(1)?
            }
            PoolingMode::Mean | PoolingMode::MeanSqrtLen => {
                let sum = (hidden * &mask3)?.sum(1)?;
                let count = mask.sum_keepdim(1)?.clamp(1e-9f32, f32::MAX)?;
                let denom = if *mode == PoolingMode::Mean {
                    count
                } else {
                    count.sqrt()?
                };
                sum.broadcast_div(&denom)?
            }
        };
        parts.push(t);
    }
    Ok(Tensor::cat(&parts, 1)?)
}
