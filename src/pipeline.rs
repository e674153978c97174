//! The commands' defaults as one object, for callers that want `claimscope match` or
//! `classify` without their flags (the Python package): the base model, the shipped same-claim
//! judge (when the models directory holds one) and the shipped labelling models, each at the
//! precision the CLI uses by default. The CLI composes the same parts with its options; a test
//! of the Python package checks that both give the same groups.

use std::path::{Path, PathBuf};

use ndarray::Array2;

use crate::classify::base_vectors;
use crate::classify::confidence::{ConfidenceLabel, ConfidenceModel};
use crate::classify::stance::{StanceLabel, StanceModel};
use crate::embed::{Embedder, EmbedderOptions, Precision};
use crate::error::Result;
use crate::judge::Judge;
use crate::matching::{Classifiers, MatchOptions, MatchResult, match_claims};
use crate::observe::Observer;
use crate::segment::Segmented;
use crate::stories::{Stories, StoryOptions, stories};

pub struct Pipeline {
    pub embedder: Embedder,
    judge: Option<Judge>,
    stance: StanceModel,
    confidence: ConfidenceModel,
}

/// The warning for texts the labelling models read only in part (`cut[i]`: text `i` was longer
/// than the encoder's window), as `classify` gives it: said, not silent, since a long claim
/// leaves the pair model little of the sentence and every row would get the claim's label.
fn cut_note(cut: &[bool], embedder: &Embedder, with_claim: bool) -> Option<String> {
    let first = cut.iter().position(|&c| c)?;
    let count = cut.iter().filter(|&&c| c).count();
    let window = embedder.info().max_seq_length;
    Some(crate::classify::cut_warning(
        count,
        &format!("texts[{first}]"),
        window,
        with_claim,
    ))
}

impl Pipeline {
    /// Load `model` (a model spec, as `--model` takes) and the shipped models.
    pub fn load(model: &str) -> Result<Self> {
        let embedder =
            Embedder::from_spec_with(model, &EmbedderOptions::precision(Precision::F32))?;
        let id = embedder.model_id()?;
        let int8 = EmbedderOptions::precision(Precision::Int8);
        let judge = match crate::judge::default_dir() {
            Some(d) => Some(Judge::load(&d, &int8)?),
            None => None,
        };
        Ok(Pipeline {
            stance: StanceModel::shipped(&id, &int8)?,
            confidence: ConfidenceModel::shipped(&id, &int8)?,
            embedder,
            judge,
        })
    }

    /// What this pipeline's outputs depend on, for a resumable run to record and compare (the
    /// Python package's Ray runs): the build ([`crate::BUILD`]), the embedding model (its name
    /// and weights' SHA-256) and the shipped models, by a SHA-256 of their cards as each is
    /// found (`models_cards_sha256`).
    pub fn identity(&self) -> Result<serde_json::Value> {
        let id = self.embedder.model_id()?;
        Ok(serde_json::json!({
            "build": crate::BUILD,
            "model": id.name,
            "model_sha256": id.weights_sha256,
            // Its tokenizer and configuration too (the sequence length, pooling, the
            // vocabulary): another snapshot of those gives other vectors from the same weights.
            "model_files_sha256": files_sha256(&model_files(Path::new(&self.embedder.info().dir))?)?,
            "models_sha256": models_cards_sha256()?,
        }))
    }

    /// Unit vectors of `texts`, one row each.
    pub fn embed(&self, texts: &[&str], observer: &dyn Observer) -> Result<Array2<f32>> {
        Ok(self.embedder.embed_all(texts, "texts", observer)?.vectors)
    }

    /// Asserted confidence of each sentence.
    pub fn confidence(
        &self,
        texts: &[&str],
        observer: &dyn Observer,
    ) -> Result<Vec<ConfidenceLabel>> {
        if let Some(note) = cut_note(&self.embedder.truncated(texts)?, &self.embedder, false) {
            observer.warn(&note);
        }
        let v = base_vectors(
            self.confidence.needs_vectors(),
            &self.embedder,
            texts,
            observer,
        )?;
        self.confidence.classify(texts, v.view(), observer)
    }

    /// Stance of each sentence toward `claim`.
    pub fn stance(
        &self,
        claim: &str,
        texts: &[&str],
        observer: &dyn Observer,
    ) -> Result<Vec<StanceLabel>> {
        let claims = vec![claim; texts.len()];
        let cut = self.stance.cut(&self.embedder, &claims, texts)?;
        if let Some(note) = cut_note(&cut, &self.embedder, true) {
            observer.warn(&note);
        }
        let needed = self.stance.needs_vectors();
        let c = base_vectors(needed, &self.embedder, &[claim], observer)?;
        let v = base_vectors(needed, &self.embedder, texts, observer)?;
        self.stance
            .toward(claim, c.row(0), texts, v.view(), observer)
    }

    /// Documents grouped into stories, as `claimscope stories` does by default.
    pub fn stories(&self, docs: &[Segmented], observer: &dyn Observer) -> Result<Stories> {
        stories(docs, &self.embedder, &StoryOptions::default(), observer)
    }

    /// Each document's lead vector, as `stories` computes it: the part of the story grouping
    /// that runs the model, which a cluster spreads over its workers.
    pub fn lead_vectors(&self, docs: &[Segmented], observer: &dyn Observer) -> Result<Array2<f32>> {
        crate::stories::lead_vectors(docs, &self.embedder, &StoryOptions::default(), observer)
    }

    /// `stories` from lead vectors computed before by `lead_vectors` on the same documents.
    pub fn stories_with_leads(
        &self,
        docs: &[Segmented],
        lead_vecs: Array2<f32>,
        observer: &dyn Observer,
    ) -> Result<Stories> {
        // Another model's vectors would link documents by a similarity the threshold was not
        // chosen for, without a word.
        if lead_vecs.nrows() > 0 && lead_vecs.ncols() != self.embedder.dim() {
            return Err(crate::Error::Input(format!(
                "lead vectors of {} values, but this model's have {}: compute them with \
                 lead_vectors of the same model",
                lead_vecs.ncols(),
                self.embedder.dim()
            )));
        }
        crate::stories::stories_with_leads(docs, lead_vecs, &StoryOptions::default(), observer)
    }

    /// Claims shared across documents, as `claimscope match` does by default.
    pub fn match_documents(
        &self,
        docs: &[Segmented],
        observer: &dyn Observer,
    ) -> Result<MatchResult> {
        let opts = match &self.judge {
            Some(j) => MatchOptions::default().with_judge(j.threshold()?),
            None => MatchOptions::default(),
        };
        let heads = Classifiers {
            confidence: &self.confidence,
            stance: &self.stance,
        };
        match_claims(
            docs,
            &self.embedder,
            self.judge.as_ref(),
            &opts,
            Some(&heads),
            observer,
        )
    }
}

/// A SHA-256 over the shipped models as they are found (`classify::default_head_path`, each
/// looked for on its own: they may come from different directories): every `*.json` of each
/// model directory, nested ones too (`1_Pooling/config.json`), and each head's card, by path
/// relative to the model. Each card holds its weights' SHA-256, checked on load, so this
/// changes when any shipped model does. `None` when no shipped model is found.
fn models_cards_sha256() -> Result<Option<String>> {
    use crate::classify::{CONFIDENCE_HEAD, STANCE_HEAD, card_path, default_head_path};
    let mut files = Vec::new();
    for name in [
        STANCE_HEAD,
        CONFIDENCE_HEAD,
        crate::classify::stance::pair::PAIR_DIR,
        crate::classify::confidence::tuned::TUNED_DIR,
        crate::judge::JUDGE_DIR,
    ] {
        let found = default_head_path(name);
        if found.is_dir() {
            files.extend(
                files_in(&found, &["json"])?
                    .into_iter()
                    .map(|(rel, path)| (format!("{name}/{rel}"), path)),
            );
        } else if card_path(&found).is_file() {
            files.push((name.to_string(), card_path(&found)));
        }
    }
    if files.is_empty() {
        return Ok(None);
    }
    files_sha256(&files).map(Some)
}

/// The embedding model's files other than its weights that shape its vectors: configuration
/// and tokenizer (`.json`, and `vocab.txt`).
fn model_files(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    files_in(dir, &["json", "txt"])
}

/// The files under `dir` with one of `extensions`, by path relative to `dir`, in name order.
/// Links are followed: a Hugging Face cache's snapshot holds links to its blobs, whose bytes
/// are what the hash must cover.
fn files_in(dir: &Path, extensions: &[&str]) -> Result<Vec<(String, PathBuf)>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| crate::Error::Model(format!("{}: {e}", dir.display())))?;
        if entry.file_type().is_file()
            && entry
                .path()
                .extension()
                .is_some_and(|e| extensions.iter().any(|x| e == *x))
        {
            let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            files.push((
                rel.to_string_lossy().into_owned(),
                entry.path().to_path_buf(),
            ));
        }
    }
    Ok(files)
}

/// One SHA-256 over files, each named: its name, a NUL, its length and its bytes, so that no
/// two different sets of files hash alike by moving bytes from one file to the next.
fn files_sha256(files: &[(String, PathBuf)]) -> Result<String> {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for (rel, path) in files {
        let bytes = std::fs::read(path).map_err(|e| crate::Error::io(path, e))?;
        hash.update(rel.as_bytes());
        hash.update([0]);
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(&bytes);
    }
    Ok(hex::encode(hash.finalize()))
}
