//! What a sentence-transformers model directory says about itself.
//!
//! Everything that changes the vectors is read from the model's own files rather than assumed:
//! the maximum length, the pooling, whether the output is normalised, whether text is
//! lower-cased before tokenising. A wrong guess here gives vectors that look fine and are not.

use std::path::Path;

use serde::Deserialize;

use super::source::ModelFiles;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PoolingMode {
    Cls,
    Max,
    Mean,
    MeanSqrtLen,
}

/// The sentence-transformers pipeline around the transformer.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PipelineConfig {
    pub max_seq_length: usize,
    pub do_lower_case: bool,
    /// Concatenated in this order, as sentence-transformers does when several are on.
    pub pooling: Vec<PoolingMode>,
    pub normalize: bool,
}

#[derive(Deserialize)]
struct SbertConfig {
    max_seq_length: Option<usize>,
    #[serde(default)]
    do_lower_case: bool,
}

#[derive(Deserialize)]
struct Module {
    #[serde(default)]
    path: String,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize, Default)]
struct PoolingConfig {
    #[serde(default)]
    pooling_mode_cls_token: bool,
    #[serde(default)]
    pooling_mode_mean_tokens: bool,
    #[serde(default)]
    pooling_mode_max_tokens: bool,
    #[serde(default)]
    pooling_mode_mean_sqrt_len_tokens: bool,
    #[serde(default)]
    pooling_mode_weightedmean_tokens: bool,
    #[serde(default)]
    pooling_mode_lasttoken: bool,
}

pub(crate) fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| {
        Error::Model(format!(
            "{}: not valid JSON for this file ({e}); the model directory looks corrupt, re-download it",
            path.display()
        ))
    })
}

impl PipelineConfig {
    pub fn read(files: &ModelFiles, max_position_embeddings: usize) -> Result<Self> {
        let sbert_path = files.path("sentence_bert_config.json");
        let (max_seq_length, do_lower_case) = if sbert_path.is_file() {
            let c: SbertConfig = read_json(&sbert_path)?;
            (
                c.max_seq_length.unwrap_or(max_position_embeddings),
                c.do_lower_case,
            )
        } else {
            (max_position_embeddings, false)
        };
        let max_seq_length = max_seq_length.min(max_position_embeddings);

        let modules_path = files.path("modules.json");
        let modules: Vec<Module> = if modules_path.is_file() {
            read_json(&modules_path)?
        } else {
            Vec::new()
        };
        let normalize = modules.iter().any(|m| m.kind.ends_with(".Normalize"));
        let pooling_dir = modules
            .iter()
            .find(|m| m.kind.ends_with(".Pooling"))
            .map(|m| m.path.clone())
            .unwrap_or_else(|| "1_Pooling".to_string());
        let pooling_path = files.path(&format!("{pooling_dir}/config.json"));
        let p: PoolingConfig = if pooling_path.is_file() {
            read_json(&pooling_path)?
        } else {
            PoolingConfig::default()
        };
        if p.pooling_mode_weightedmean_tokens || p.pooling_mode_lasttoken {
            return Err(Error::Model(format!(
                "{}: weighted-mean and last-token pooling are not supported (mean, CLS, max and \
                 mean-sqrt-len are)",
                pooling_path.display()
            )));
        }
        let mut pooling = Vec::new();
        if p.pooling_mode_cls_token {
            pooling.push(PoolingMode::Cls);
        }
        if p.pooling_mode_max_tokens {
            pooling.push(PoolingMode::Max);
        }
        if p.pooling_mode_mean_tokens {
            pooling.push(PoolingMode::Mean);
        }
        if p.pooling_mode_mean_sqrt_len_tokens {
            pooling.push(PoolingMode::MeanSqrtLen);
        }
        if pooling.is_empty() {
            // sentence-transformers' default for a bare transformer.
            pooling.push(PoolingMode::Mean);
        }
        Ok(PipelineConfig {
            max_seq_length,
            do_lower_case,
            pooling,
            normalize,
        })
    }
}

/// The transformer's config.json, checked for an architecture we can run.
pub fn read_bert_config(files: &ModelFiles) -> Result<candle_transformers::models::bert::Config> {
    let path = files.path("config.json");
    let raw: serde_json::Value = read_json(&path)?;
    let model_type = raw.get("model_type").and_then(|v| v.as_str()).unwrap_or("");
    let archs: Vec<&str> = raw
        .get("architectures")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default();
    if model_type != "bert" && !archs.iter().any(|a| a.starts_with("Bert")) {
        return Err(Error::Model(format!(
            "{}: model_type {model_type:?} (architectures {archs:?}) is not supported; claimscope \
             runs BERT-family sentence-transformers models (model_type \"bert\")",
            path.display()
        )));
    }
    let config: candle_transformers::models::bert::Config =
        serde_json::from_value(raw).map_err(|e| {
            Error::Model(format!(
                "{}: not a usable BERT config ({e})",
                path.display()
            ))
        })?;
    // Shapes the encoder divides and indexes by: a zero or a ragged head split would panic or
    // leave part of every vector unwritten.
    let (h, heads) = (config.hidden_size, config.num_attention_heads);
    if h == 0
        || heads == 0
        || h % heads != 0
        || config.num_hidden_layers == 0
        || config.intermediate_size == 0
        || config.vocab_size == 0
        || config.max_position_embeddings == 0
    {
        return Err(Error::Model(format!(
            "{}: inconsistent sizes (hidden_size {h}, num_attention_heads {heads}, \
             num_hidden_layers {}, intermediate_size {}, vocab_size {}, max_position_embeddings \
             {}); the file is damaged or not this model's: download the model again",
            path.display(),
            config.num_hidden_layers,
            config.intermediate_size,
            config.vocab_size,
            config.max_position_embeddings
        )));
    }
    Ok(config)
}
