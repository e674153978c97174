//! The commands' defaults as one object, for callers that want `claimscope match` or
//! `classify` without their flags (the Python package): the base model, the shipped same-claim
//! judge (when the models directory holds one) and the shipped labelling models, each at the
//! precision the CLI uses by default. The CLI composes the same parts with its options; a test
//! of the Python package checks that both give the same groups.

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
