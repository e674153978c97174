//! Which models label stance and asserted confidence: the flags `classify`, `match` and `eval`
//! share, and the one place that turns them into the library's models.

use std::path::Path;

use crate::classify::confidence::{ConfidenceClassifier, ConfidenceModel, tuned};
use crate::classify::stance::{StanceClassifier, StanceModel, pair};
use crate::classify::{CONFIDENCE_HEAD, STANCE_HEAD, default_head_path};
use crate::embed::ModelId;
use crate::error::{Error, Result};

/// What `--stance-model` / `--confidence-model` name to pick the heads over pooled vectors.
const HEAD: &str = "head";

#[derive(Debug, Clone, clap::Args)]
pub struct LabelArgs {
    /// Stance model: a pair-model directory (claim and sentence read together), or "head" for
    /// the head over two pooled vectors. Default: the shipped models/stance-pair, else the head.
    #[arg(long)]
    pub stance_model: Option<String>,
    /// Confidence model: a fine-tuned model directory, or "head" for the head over the pooled
    /// vector and cues. Default: the shipped models/confidence-tuned, else the head.
    #[arg(long)]
    pub confidence_model: Option<String>,
    /// Precision of the fine-tuned labelling models' encoders.
    #[arg(long, value_enum, default_value = "int8", ignore_case = true)]
    pub label_precision: super::PrecisionArg,
}

impl LabelArgs {
    /// The stance model; `head` is an explicit head file (`--stance-head`, `--head`), which
    /// picks the head.
    pub fn stance(
        &self,
        head: Option<&Path>,
        id: &ModelId,
        model: &super::ModelArgs,
    ) -> Result<StanceModel> {
        self.stance_named(
            self.stance_model.as_deref(),
            "--stance-model",
            head,
            id,
            model,
        )
    }

    /// The stance model `choice` names, as --stance-model takes it, with errors naming `flag`
    /// (`eval --against` loads a second model so).
    pub fn stance_named(
        &self,
        choice: Option<&str>,
        flag: &str,
        head: Option<&Path>,
        id: &ModelId,
        model: &super::ModelArgs,
    ) -> Result<StanceModel> {
        let opts = model.options(self.label_precision.into());
        match (head, choice) {
            (Some(h), _) => Ok(StanceClassifier::load(h, id)?.into()),
            (None, Some(HEAD)) => {
                Ok(StanceClassifier::load(&default_head_path(STANCE_HEAD), id)?.into())
            }
            (None, Some(dir)) => {
                super::given_model_path(
                    flag,
                    Path::new(dir),
                    &format!(
                        "a stance model is the directory `claimscope train stance-pair -o DIR` \
                         writes (or \"{HEAD}\" picks the head over pooled vectors)"
                    ),
                )?;
                Ok(pair::StancePairModel::load(Path::new(dir), &opts)
                    .map_err(|e| named(e, flag))?
                    .into())
            }
            (None, None) => StanceModel::shipped(id, &opts),
        }
    }

    /// The confidence model; `head` as for [`LabelArgs::stance`].
    pub fn confidence(
        &self,
        head: Option<&Path>,
        id: &ModelId,
        model: &super::ModelArgs,
    ) -> Result<ConfidenceModel> {
        let choice = self.confidence_model.as_deref();
        self.confidence_named(choice, "--confidence-model", head, id, model)
    }

    /// The confidence model `choice` names, as --confidence-model takes it, with errors naming
    /// `flag`.
    pub fn confidence_named(
        &self,
        choice: Option<&str>,
        flag: &str,
        head: Option<&Path>,
        id: &ModelId,
        model: &super::ModelArgs,
    ) -> Result<ConfidenceModel> {
        let opts = model.options(self.label_precision.into());
        match (head, choice) {
            (Some(h), _) => Ok(ConfidenceClassifier::load(h, id)?.into()),
            (None, Some(HEAD)) => {
                Ok(ConfidenceClassifier::load(&default_head_path(CONFIDENCE_HEAD), id)?.into())
            }
            (None, Some(dir)) => {
                super::given_model_path(
                    flag,
                    Path::new(dir),
                    &format!(
                        "a confidence model is the directory `claimscope train confidence-tuned \
                         -o DIR` writes (or \"{HEAD}\" picks the head over pooled vectors)"
                    ),
                )?;
                Ok(tuned::TunedConfidence::load(Path::new(dir), &opts)
                    .map_err(|e| named(e, flag))?
                    .into())
            }
            (None, None) => ConfidenceModel::shipped(id, &opts),
        }
    }
}

/// Refuses a head file named by `flag` (`--head`, `--stance-head`, ...) that does not exist;
/// `task` is `stance` or `confidence`, as `claimscope train` names them.
pub fn given_head(flag: &str, head: Option<&Path>, task: &str) -> Result<()> {
    match head {
        Some(h) => super::given_model_path(
            flag,
            h,
            &format!("a {task} head is the file `claimscope train {task} -o FILE` writes"),
        ),
        None => Ok(()),
    }
}

/// A model error with the flag that chose the model, so the fix is clear.
fn named(e: Error, flag: &str) -> Error {
    match e {
        Error::Model(m) => Error::Model(format!(
            "{m} ({flag} takes a model directory, or \"{HEAD}\" for the head)"
        )),
        other => other,
    }
}
