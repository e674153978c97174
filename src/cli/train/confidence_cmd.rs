//! `train confidence` and `train confidence-tuned`: the confidence head and the fine-tuned model.

use super::*;

#[derive(Debug, Clone, clap::Args)]
pub struct ConfidenceArgs {
    /// Pei & Jurgens folder (default ../shared/data/pei-certainty).
    #[arg(long)]
    pub(super) data: Option<PathBuf>,
    /// Add the hand-labelled sentences of the labelled set's train stories.
    #[arg(long)]
    pub(super) in_domain: bool,
    /// The labelled set (default tests/data/devset).
    #[arg(long, requires = "in_domain")]
    pub(super) devset: Option<PathBuf>,
    /// Copies of each in-domain sentence among the training rows.
    #[arg(long, default_value_t = 5, requires = "in_domain", value_parser = crate::cli::at_least_one)]
    pub(super) in_domain_repeat: usize,
    #[arg(short, long, default_value = "models/confidence.safetensors")]
    pub(super) output: PathBuf,
    #[command(flatten)]
    pub(super) hyper: Hyper,
    #[command(flatten)]
    pub(super) model: ModelArgs,
}

pub(super) fn confidence(args: &ConfidenceArgs, start: Instant) -> Result<()> {
    let ConfidenceArgs {
        data,
        in_domain,
        devset,
        in_domain_repeat,
        output,
        hyper,
        model,
    } = args;
    let dir = data
        .clone()
        .unwrap_or_else(|| default_data_dir("pei-certainty"));
    let embedder = model.load()?;
    let cfg = hyper.config(32, 0.1, 10.0, embedder.dim());
    let id = embedder.model_id()?;
    let train_rows = confidence::data::load_pei(&dir, "train")?;
    let medians = confidence::train::medians_by_cue(&train_rows);
    eprintln!("train medians of Pei & Jurgens scores by main-clause cue level:");
    for (name, n, m) in &medians {
        eprintln!("  {name:<9} {n:>5} sentences, median {m:.2}");
    }
    let sentences = if *in_domain {
        let d = devset.clone().unwrap_or_else(crate::devset::default_dir);
        crate::devset::confidence_sentences(&crate::devset::DevSet::load(&d)?.split("train"))?
    } else {
        Vec::new()
    };
    let trained = confidence::train::train(
        &embedder,
        id.clone(),
        &dir,
        &cfg,
        &confidence::train::InDomain {
            sentences: &sentences,
            repeat: *in_domain_repeat,
        },
    )?;
    trained.head.save(output)?;
    let clf = confidence::ConfidenceModel::Head(Box::new(confidence::ConfidenceClassifier::load(
        output, &id,
    )?));
    let test = confidence::eval::evaluate(&clf, &embedder, &dir, "test")?;
    let val = confidence::eval::evaluate(&clf, &embedder, &dir, "val")?;
    let card = json!({
        "task": "confidence",
        "labels": ["high", "moderate", "low", "none"],
        "head_labels": trained.head.labels(),
        "features": confidence::FEATURES,
        "embedding_model": id,
        "reproduce": command_line(),
        "claimscope_version": env!("CARGO_PKG_VERSION"),
        "training_data": {
            "pei_certainty": dir.display().to_string(),
            "train_sentences": trained.train_size,
            "validation_sentences": trained.val_size,
            "mapping": format!("score >= {} high, >= {} moderate, else low (edges: midpoints of the train medians by cue level below); none is decided by rule (question, fragment, verbless heading)", confidence::HIGH_FROM, confidence::LOW_BELOW),
            "train_medians_by_cue_level": medians.iter().map(|(n, c, m)| json!({"cue_level": n, "sentences": c, "median": m})).collect::<Vec<_>>(),
            "class_values": trained.head.meta.class_values,
        },
        "hyper_parameters": cfg,
        "training": trained.report,
        "metrics": { "validation": val, "test": test },
        "seconds": start.elapsed().as_secs_f64(),
    });
    write_card(output, &card)
}

#[derive(Debug, Clone, clap::Args)]
pub struct ConfidenceTunedArgs {
    /// Pei & Jurgens folder (default ../shared/data/pei-certainty).
    #[arg(long)]
    pub(super) data: Option<PathBuf>,
    /// The labelled set (default tests/data/devset).
    #[arg(long)]
    pub(super) devset: Option<PathBuf>,
    /// Copies of each labelled train sentence among the examples.
    #[arg(long, default_value_t = 2, value_parser = crate::cli::at_least_one)]
    pub(super) gold_repeat: usize,
    /// Who decides the level of an asserted sentence: the model, the cue rule where it
    /// finds a main-clause cue then the model, or the rule then high.
    #[arg(long, value_enum, default_value = "rule-then-model")]
    pub(super) hedges: HedgesArg,
    /// Only these labelled train stories (comma-separated ids), as for stance-pair.
    #[arg(long, value_delimiter = ',')]
    pub(super) stories: Vec<String>,
    #[arg(short, long, default_value = "models/confidence-tuned")]
    pub(super) output: PathBuf,
    #[command(flatten)]
    pub(super) tune: TuneArgs,
    #[command(flatten)]
    pub(super) model: ModelArgs,
}

pub(super) fn confidence_tuned(
    args: &ConfidenceTunedArgs,
    term: crate::cli::Terminal,
) -> Result<()> {
    let ConfidenceTunedArgs {
        data,
        devset,
        gold_repeat,
        hedges,
        stories,
        output,
        tune,
        model,
    } = args;
    use crate::classify::confidence::tuned;
    let dir = data
        .clone()
        .unwrap_or_else(|| default_data_dir("pei-certainty"));
    let pei = confidence::data::load_pei(&dir, "train")?;
    let devset = devset.clone().unwrap_or_else(crate::devset::default_dir);
    let set = crate::devset::DevSet::load(&devset)?;
    let train_stories = train_split(&set, stories)?;
    let labelled = crate::devset::confidence_sentences(&train_stories)?;
    let (texts, labels) = tuned::examples(&pei, &labelled, *gold_repeat);
    eprintln!(
        "{} examples: {} Pei & Jurgens train, {} labelled sentences x {gold_repeat}",
        texts.len(),
        pei.len(),
        labelled.len()
    );
    let opts = tune.options();
    let files = crate::embed::source::resolve(&model.model)?;
    let embedder = model.load()?;
    let (trained, report) = tuned::train(&files, &embedder, &texts, &labels, &opts, &term)?;
    print_trained(&report);
    let card = json!({
        "task": "asserted confidence (fine-tuned encoder; none also by rule)",
        "base_model": files.name,
        "data": {
            "pei_certainty_train": pei.len(),
            "level_edges": {"low_below": confidence::LOW_BELOW, "high_from": confidence::HIGH_FROM},
            "labelled_train_stories": train_stories.iter().map(|s| &s.meta.story).collect::<Vec<_>>(),
            "labelled_train_sentences": labelled.len(),
            "gold_repeat": gold_repeat,
        },
        "options": opts,
        "training": report,
        "command": command_line(),
    });
    tuned::save(
        &trained,
        &files,
        output,
        &opts,
        tuned::class_values(&pei),
        (*hedges).into(),
        &card,
    )?;
    let loaded = tuned::TunedConfidence::load(output, &crate::embed::EmbedderOptions::default())?;
    let loaded = confidence::ConfidenceModel::Tuned(Box::new(loaded));
    print_halves(|half| {
        crate::devset::evaluate_confidence(&set.split(half), &embedder, &loaded, &term)
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum HedgesArg {
    Model,
    RuleThenModel,
    Rule,
}

impl From<HedgesArg> for confidence::tuned::Hedges {
    fn from(h: HedgesArg) -> Self {
        match h {
            HedgesArg::Model => Self::Model,
            HedgesArg::RuleThenModel => Self::RuleThenModel,
            HedgesArg::Rule => Self::Rule,
        }
    }
}
