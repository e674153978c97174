//! Sentence embeddings: model resolution, tokenising, batching, the forward pass, pooling.
//!
//! The goal is the vectors sentence-transformers gives, bit for bit where f32 allows: same
//! token ids (its max length, not the tokenizer.json's), same pooling over the attention mask,
//! same normalisation. Batching is kept apart from the model (the [`Backend`] trait, picked by
//! the caller through [`EmbedderOptions`]): texts are sorted by token count so a batch holds
//! texts of similar length (the fast backend packs them end to end without padding; candle's
//! BERT pads each batch to its longest text), then the output goes back to input order.

pub mod backend;
pub mod config;
pub mod fast;
pub mod model_id;
pub mod quant;
pub mod source;
pub mod table;

use std::collections::HashMap;
use std::path::Path;

use ndarray::Array2;
use serde::Serialize;
use tokenizers::{Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy};

pub use backend::Backend;
pub use config::{PipelineConfig, PoolingMode};
pub use model_id::ModelId;
pub use source::{DEFAULT_MODEL, ModelFiles, Origin};
pub use table::TextVectors;

use crate::error::{Error, Result};
use crate::observe::Observer;

pub const DEFAULT_BATCH_SIZE: usize = 32;

/// Numeric precision of the transformer. `F32` and `Int8` (int8 weights and dynamically
/// quantised activations in every dense layer, the rest f32) run on the fast backend; `F16`
/// and `Bf16` are refused at load time (see [`Embedder::load_with`]). Pooling and
/// normalisation always run in f32.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    #[default]
    F32,
    F16,
    Bf16,
    Int8,
}

impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Precision::F32 => "f32",
            Precision::F16 => "f16",
            Precision::Bf16 => "bf16",
            Precision::Int8 => "int8",
        })
    }
}

impl Precision {
    /// The precision named `name` as [`Display`](std::fmt::Display) writes it.
    pub fn from_name(name: &str) -> Option<Precision> {
        [
            Precision::F32,
            Precision::F16,
            Precision::Bf16,
            Precision::Int8,
        ]
        .into_iter()
        .find(|p| p.to_string() == name)
    }

    pub fn dtype(self) -> candle_core::DType {
        match self {
            Precision::F32 => candle_core::DType::F32,
            Precision::F16 => candle_core::DType::F16,
            Precision::Bf16 => candle_core::DType::BF16,
            // Only the fast backend runs int8, with its own kernels; candle never sees this
            // dtype (`load_with` refuses candle + int8).
            Precision::Int8 => candle_core::DType::U8,
        }
    }
}

/// Which implementation runs the transformer. The caller picks it (text-embeddings-inference's
/// split: the router does not guess the backend).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    /// The packed, unpadded f32/int8 encoder of `fast.rs`.
    #[default]
    Fast,
    /// candle-transformers' BERT on padded batches: the reference for A/B checks.
    Candle,
}

/// How to load a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbedderOptions {
    pub precision: Precision,
    pub backend: BackendKind,
    /// Texts per forward pass.
    pub batch_size: usize,
}

impl Default for EmbedderOptions {
    fn default() -> Self {
        EmbedderOptions {
            precision: Precision::F32,
            backend: BackendKind::Fast,
            batch_size: DEFAULT_BATCH_SIZE,
        }
    }
}

impl EmbedderOptions {
    pub fn precision(precision: Precision) -> Self {
        EmbedderOptions {
            precision,
            ..Default::default()
        }
    }
}

/// Texts per call of the forward pass inside [`Embedder::embed_all`]: large enough that the
/// batcher sorts by length over many texts, small enough that progress moves.
const EMBED_ALL_CHUNK: usize = 1024;

/// What a model is, for `model info`, index headers and classifier cards.
#[derive(Debug, Clone, Serialize)]
pub struct ModelInfo {
    pub name: String,
    pub dir: String,
    pub origin: Origin,
    pub dim: usize,
    pub hidden_size: usize,
    pub layers: usize,
    /// Width of the feed-forward layer (1536 for MiniLM-L6): with `hidden_size` and `layers`,
    /// what the dense FLOPs of a sentence are ([`crate::machine::encoder_flops`]).
    pub intermediate_size: usize,
    pub vocab_size: usize,
    pub max_seq_length: usize,
    pub pooling: Vec<PoolingMode>,
    pub normalize: bool,
    pub do_lower_case: bool,
}

/// One tokenised text.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub ids: Vec<u32>,
    /// The text had more tokens than `max_seq_length` and was cut.
    pub truncated: bool,
}

/// Vectors of a call to [`Embedder::embed`], in input order.
#[derive(Debug, Clone)]
pub struct Embeddings {
    pub vectors: Array2<f32>,
    /// Non-padding tokens fed to the model (special tokens included).
    pub tokens: usize,
    /// Tokens the model processed including padding, to show what batching wastes.
    pub padded_tokens: usize,
    /// Indices (into the input) of the texts that were truncated.
    pub truncated: Vec<usize>,
}

pub struct Embedder {
    /// Hashing the weights takes a few hundred milliseconds: done once, on first request.
    id: std::sync::OnceLock<ModelId>,
    tokenizer: Tokenizer,
    backend: Box<dyn Backend>,
    pipeline: PipelineConfig,
    info: ModelInfo,
    batch_size: usize,
    precision: Precision,
}

/// The start of `text` that holds its first `max_seq_length` tokens, and whether anything
/// was cut. The tokenizer reads a whole text before it truncates: a line of 10 MB took 0.8 GB
/// and one of 40 MB 2.9 GB. A token is at most 100 characters of one word (a longer word is
/// one `[UNK]`) of 4 bytes each, so `max_seq_length * 404` bytes hold the window unless the text
/// is mostly blank space or its words run past 100 characters (then the window may end
/// early: such a text has no sentence to read anyway).
pub fn window_prefix(text: &str, max_seq_length: usize) -> (&str, bool) {
    let limit = max_seq_length.max(1) * 404;
    if text.len() <= limit {
        return (text, false);
    }
    let mut at = limit;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    (&text[..at], true)
}

impl Embedder {
    /// Resolve `spec` (a directory or a hub id) and load it.
    pub fn from_spec(spec: &str) -> Result<Self> {
        Self::from_spec_with(spec, &EmbedderOptions::default())
    }

    pub fn from_spec_with(spec: &str, opts: &EmbedderOptions) -> Result<Self> {
        let files = source::resolve(spec)?;
        Self::load_with(&files, opts)
    }

    pub fn load(files: &ModelFiles) -> Result<Self> {
        Self::load_with(files, &EmbedderOptions::default())
    }

    pub fn load_with(files: &ModelFiles, opts: &EmbedderOptions) -> Result<Self> {
        let precision = opts.precision;
        // Half precision is refused rather than run: candle-transformers' BERT builds its
        // additive attention mask as (1 - mask) * f32::MIN in the model's dtype, where f32::MIN
        // becomes -inf, so every kept position gets 0 * -inf = NaN.
        if matches!(precision, Precision::F16 | Precision::Bf16) {
            return Err(Error::Model(format!(
                "precision {precision} is not available: candle-transformers' BERT returns NaN vectors in half precision on CPU (its attention mask multiplies 0 by -inf); use f32 or int8"
            )));
        }
        let bert = config::read_bert_config(files)?;
        let pipeline = PipelineConfig::read(files, bert.max_position_embeddings)?;
        let tokenizer = load_tokenizer(&files.path("tokenizer.json"), pipeline.max_seq_length)?;
        // A tokenizer from another model would hand the encoder ids past its embedding table.
        let vocab = tokenizer.get_vocab_size(true);
        if vocab > bert.vocab_size {
            return Err(Error::Model(format!(
                "{}: {vocab} tokens, but config.json's vocab_size is {}: the tokenizer belongs to \
                 another model; download the model directory again",
                files.path("tokenizer.json").display(),
                bert.vocab_size
            )));
        }
        let backend: Box<dyn Backend> = match opts.backend {
            BackendKind::Candle if precision == Precision::Int8 => {
                return Err(Error::Model(
                    "the candle backend has no int8 path; use the fast backend for --precision int8"
                        .into(),
                ));
            }
            BackendKind::Candle => {
                Box::new(backend::CandleBert::load(files, &bert, precision.dtype())?)
            }
            BackendKind::Fast => Box::new(fast::FastBert::load(
                &files.path("model.safetensors"),
                &bert,
                precision == Precision::Int8,
            )?),
        };
        let info = ModelInfo {
            name: files.name.clone(),
            dir: files.dir.display().to_string(),
            origin: files.origin,
            dim: bert.hidden_size * pipeline.pooling.len(),
            hidden_size: bert.hidden_size,
            layers: bert.num_hidden_layers,
            intermediate_size: bert.intermediate_size,
            vocab_size: bert.vocab_size,
            max_seq_length: pipeline.max_seq_length,
            pooling: pipeline.pooling.clone(),
            normalize: pipeline.normalize,
            do_lower_case: pipeline.do_lower_case,
        };
        Ok(Embedder {
            id: std::sync::OnceLock::new(),
            tokenizer,
            backend,
            pipeline,
            info,
            batch_size: opts.batch_size.max(1),
            precision,
        })
    }

    pub fn with_batch_size(mut self, n: usize) -> Self {
        self.batch_size = n.max(1);
        self
    }

    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// Name, dimension and the sha256 of the weights file: what indexes and heads record.
    pub fn model_id(&self) -> Result<ModelId> {
        if let Some(id) = self.id.get() {
            return Ok(id.clone());
        }
        let weights = Path::new(&self.info.dir).join("model.safetensors");
        let sha = source::sha256_file(&weights)?;
        let id = ModelId::new(self.info.name.clone(), self.dim()).with_weights_sha256(sha);
        Ok(self.id.get_or_init(|| id).clone())
    }

    pub fn dim(&self) -> usize {
        self.info.dim
    }

    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// The precision the encoder runs at: what an index records, so that its vectors are all
    /// of one kind.
    pub fn precision(&self) -> Precision {
        self.precision
    }

    pub fn backend_name(&self) -> &'static str {
        self.backend.name()
    }

    /// Token ids as sentence-transformers makes them: stripped text, lower-cased if the model
    /// says so, special tokens added, truncated at the model's `max_seq_length`.
    pub fn tokenize<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Result<Vec<Tokens>> {
        let mut cut = vec![false; texts.len()];
        let inputs: Vec<String> = texts
            .iter()
            .zip(cut.iter_mut())
            .map(|(t, cut)| {
                let s;
                (s, *cut) = window_prefix(t.as_ref().trim(), self.pipeline.max_seq_length);
                if self.pipeline.do_lower_case {
                    s.to_lowercase()
                } else {
                    s.to_string()
                }
            })
            .collect();
        let encodings = self
            .tokenizer
            .encode_batch(inputs, true)
            .map_err(|e| Error::Tokenizer(e.to_string()))?;
        Ok(encodings
            .into_iter()
            .zip(cut)
            .map(|(e, cut)| Tokens {
                truncated: cut || !e.get_overflowing().is_empty(),
                ids: e.get_ids().to_vec(),
            })
            .collect())
    }

    /// Which of `texts` are longer than the model's `max_seq_length` and would be read only in
    /// part (cut from the end), one flag per text: for a warning where the embedding itself is
    /// made elsewhere (a classifier's own encoder).
    pub fn truncated<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Result<Vec<bool>> {
        Ok(self.tokenize(texts)?.iter().map(|t| t.truncated).collect())
    }

    /// Embed texts; the result rows are in input order.
    pub fn embed<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Result<Embeddings> {
        let tokens = self.tokenize(texts)?;
        self.embed_tokens(&tokens)
    }

    /// Embed any number of texts in chunks, reporting progress in `what` units through
    /// `observer`; rows in input order. Every corpus-sized embedding goes through here.
    ///
    /// Each distinct text is encoded once and its vector copied to every row that repeats it:
    /// news corpora repeat sentences (wire copy, boilerplate: 14% of the 100k-sentence scale
    /// corpus), and a claim read toward the same canonical claim twice is one pair. `tokens`
    /// and `padded_tokens` count the work done, so over the distinct texts; `truncated` lists
    /// every input row whose text was cut. (`embed`, which `claimscope embed` and `bench`
    /// use, encodes every row as given.)
    pub fn embed_all<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        what: &str,
        observer: &dyn Observer,
    ) -> Result<Embeddings> {
        observer.start(what, Some(texts.len() as u64));
        // First occurrence order, so the batches (and the output) do not depend on hashing.
        let mut first: HashMap<&str, usize> = HashMap::with_capacity(texts.len());
        let mut distinct: Vec<&str> = Vec::new();
        let row_of: Vec<usize> = texts
            .iter()
            .map(|t| {
                *first.entry(t.as_ref()).or_insert_with(|| {
                    distinct.push(t.as_ref());
                    distinct.len() - 1
                })
            })
            .collect();
        let mut copies = vec![0u64; distinct.len()];
        for &r in &row_of {
            copies[r] += 1;
        }
        let mut unique = Array2::zeros((distinct.len(), self.dim()));
        let (mut tokens, mut padded_tokens) = (0, 0);
        let mut cut = vec![false; distinct.len()];
        for (c, chunk) in distinct.chunks(EMBED_ALL_CHUNK).enumerate() {
            let offset = c * EMBED_ALL_CHUNK;
            let e = self.embed(chunk)?;
            unique
                .slice_mut(ndarray::s![offset..offset + chunk.len(), ..])
                .assign(&e.vectors);
            tokens += e.tokens;
            padded_tokens += e.padded_tokens;
            for i in e.truncated {
                cut[i + offset] = true;
            }
            observer.advance(copies[offset..offset + chunk.len()].iter().sum());
            crate::observe::go_on(observer)?;
        }
        observer.finish();
        let vectors = if distinct.len() == texts.len() {
            unique
        } else {
            unique.select(ndarray::Axis(0), &row_of)
        };
        Ok(Embeddings {
            vectors,
            tokens,
            padded_tokens,
            truncated: (0..texts.len()).filter(|&i| cut[row_of[i]]).collect(),
        })
    }

    /// Embed already tokenised texts (lets a caller tokenise the next chunk while this one runs).
    pub fn embed_tokens(&self, tokens: &[Tokens]) -> Result<Embeddings> {
        self.embed_tokens_inner(tokens, None)
    }

    /// [`Embedder::embed`], also pushing each batch's forward-pass seconds to `latencies`.
    pub fn embed_timed<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        latencies: &mut Vec<f64>,
    ) -> Result<Embeddings> {
        let tokens = self.tokenize(texts)?;
        self.embed_tokens_inner(&tokens, Some(latencies))
    }

    fn embed_tokens_inner(
        &self,
        tokens: &[Tokens],
        mut latencies: Option<&mut Vec<f64>>,
    ) -> Result<Embeddings> {
        let n = tokens.len();
        let dim = self.dim();
        let mut vectors = Array2::<f32>::zeros((n, dim));
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| tokens[i].ids.len());
        let chunks: Vec<&[usize]> = order.chunks(self.batch_size).collect();
        let padded: usize = chunks
            .iter()
            .map(|c| c.len() * c.iter().map(|&i| tokens[i].ids.len()).max().unwrap_or(0))
            .sum();
        let run = |chunk: &&[usize]| -> Result<(Vec<f32>, f64)> {
            let seqs: Vec<&[u32]> = chunk.iter().map(|&i| tokens[i].ids.as_slice()).collect();
            let t = std::time::Instant::now();
            let out = self.backend.embed(&seqs, &self.pipeline.pooling)?;
            Ok((out, t.elapsed().as_secs_f64()))
        };
        let outputs: Vec<Result<(Vec<f32>, f64)>> = if self.backend.parallel_batches() {
            use rayon::prelude::*;
            chunks.par_iter().map(run).collect()
        } else {
            chunks.iter().map(run).collect()
        };
        for (chunk, out) in chunks.iter().zip(outputs) {
            let (out, secs) = out?;
            if let Some(l) = latencies.as_deref_mut() {
                l.push(secs);
            }
            if out.len() != chunk.len() * dim {
                return Err(Error::Internal(format!(
                    "backend returned {} values for {} texts of dimension {dim}",
                    out.len(),
                    chunk.len()
                )));
            }
            for (row, &i) in out.chunks_exact(dim).zip(chunk.iter()) {
                let mut dst = vectors.row_mut(i);
                dst.iter_mut().zip(row).for_each(|(d, s)| *d = *s);
                if self.pipeline.normalize {
                    normalize(dst.as_slice_mut().unwrap_or(&mut []));
                }
            }
        }
        Ok(Embeddings {
            vectors,
            tokens: tokens.iter().map(|t| t.ids.len()).sum(),
            padded_tokens: padded,
            truncated: tokens
                .iter()
                .enumerate()
                .filter(|(_, t)| t.truncated)
                .map(|(i, _)| i)
                .collect(),
        })
    }
}

/// L2 normalisation with the same epsilon as torch.nn.functional.normalize.
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.iter_mut().for_each(|x| *x /= norm);
}

/// Cosine of two vectors (not assumed normalised).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (na * nb).max(1e-12)
}

/// The message of a caught panic.
fn panic_text(payload: &Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "the tokenizers library panicked".into())
}

fn load_tokenizer(path: &Path, max_len: usize) -> Result<Tokenizer> {
    let bad = |e: &dyn std::fmt::Display| {
        Error::Model(format!(
            "{}: cannot load tokenizer ({e}); the file is corrupt or not a tokenizers JSON, re-download it",
            path.display()
        ))
    };
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    // tokenizers 0.23 panics on some malformed files instead of returning its error (invalid
    // JSON inside `decoder`, a bad escape or a lone surrogate in one of its strings, hits its
    // `expect("Helper")`; found by fuzzing). So the file must parse as JSON, strings decoded,
    // before tokenizers sees it (`IgnoredAny` does not decode escapes: the fuzzer got a lone
    // surrogate past it), and a panic while it parses is still the same error.
    let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| bad(&e))?;
    // It also panics when a template names a special token its post-processor does not define
    // ("no entry found for key", at the first encode; third fuzzer crash).
    if let Some(pp) = json.get("post_processor") {
        check_templates(pp).map_err(|e| bad(&e))?;
    }
    let parsed = std::panic::catch_unwind(|| Tokenizer::from_bytes(&bytes))
        .map_err(|p| bad(&panic_text(&p)))?;
    let mut tokenizer = parsed.map_err(|e| bad(&e))?;
    // tokenizer.json of this model pads every text to 128 and cuts at 128; sentence-transformers
    // replaces both with its max_seq_length and padding to the longest text of the batch (which
    // the batcher does itself).
    tokenizer.with_padding(None);
    tokenizer
        .with_truncation(Some(TruncationParams {
            max_length: max_len,
            strategy: TruncationStrategy::LongestFirst,
            stride: 0,
            direction: TruncationDirection::Right,
        }))
        .map_err(|e| Error::Tokenizer(format!("{}: {e}", path.display())))?;
    // One encode now, so a tokenizer that fails (or panics) on text is refused at load with
    // the file named, not in the middle of a corpus: the checks above cover the panics the
    // fuzzer found, this catches the ones it has not.
    let probe = std::panic::catch_unwind(|| tokenizer.encode("A probe sentence.", true))
        .map_err(|p| bad(&panic_text(&p)))?;
    probe.map_err(|e| bad(&e))?;
    Ok(tokenizer)
}

/// Every special token a template post-processor (alone or in a Sequence) uses is one it
/// defines. Judged by shape, not by `type`: tokenizers reads an object with templates as a
/// TemplateProcessing whatever its `type` says (the fuzzer renamed the key and still got the
/// panic).
fn check_templates(pp: &serde_json::Value) -> std::result::Result<(), String> {
    for p in pp
        .get("processors")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
    {
        check_templates(p)?;
    }
    let defined = pp.get("special_tokens").and_then(|t| t.as_object());
    for which in ["single", "pair"] {
        for piece in pp
            .get(which)
            .and_then(|p| p.as_array())
            .into_iter()
            .flatten()
        {
            // A single-sequence template naming the second sequence indexes past the one
            // encoding tokenizers has at encode time (fifth fuzzer crash).
            if which == "single"
                && piece.pointer("/Sequence/id").and_then(|i| i.as_str()) == Some("B")
            {
                return Err(
                    "post_processor's single template uses sequence B, which a single text does not have"
                        .into(),
                );
            }
            let Some(id) = piece.pointer("/SpecialToken/id").and_then(|i| i.as_str()) else {
                continue;
            };
            if !defined.is_some_and(|d| d.contains_key(id)) {
                return Err(format!(
                    "post_processor template uses special token {id:?}, which its special_tokens do not define"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::window_prefix;

    #[test]
    fn an_enormous_text_is_cut_to_its_window_on_a_char_boundary() {
        let text = "é".repeat(5_000_000);
        let (cut, was) = window_prefix(&text, 256);
        assert!(
            was && cut.len() <= 256 * 404 && cut.len() > 256 * 400,
            "{}",
            cut.len()
        );
        assert!(text.starts_with(cut));
        assert_eq!(window_prefix("short", 256), ("short", false));
    }
}
