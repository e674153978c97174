//! `train stance`, `train stance-pair` and `train stance-body`: the stance head, the pair model and its body head.

use super::*;

#[derive(Debug, Clone, clap::Args)]
pub struct StanceArgs {
    /// Emergent folder (default ../shared/data/emergent).
    #[arg(long)]
    pub(super) data: Option<PathBuf>,
    /// FNC-1 folder (default ../shared/data/fnc1).
    #[arg(long)]
    pub(super) fnc1: Option<PathBuf>,
    /// Train on Emergent only.
    #[arg(long)]
    pub(super) no_fnc1: bool,
    /// Add the hand-labelled sentences of the labelled set's train stories (stance toward
    /// each story's claim; tests/data/devset unless --devset).
    #[arg(long)]
    pub(super) in_domain: bool,
    /// The labelled set (default tests/data/devset).
    #[arg(long, requires = "in_domain")]
    pub(super) devset: Option<PathBuf>,
    /// Copies of each in-domain sentence among the training rows.
    #[arg(long, default_value_t = 20, requires = "in_domain", value_parser = crate::cli::at_least_one)]
    pub(super) in_domain_repeat: usize,
    #[arg(short, long, default_value = "models/stance.safetensors")]
    pub(super) output: PathBuf,
    #[command(flatten)]
    pub(super) hyper: Hyper,
    #[command(flatten)]
    pub(super) model: ModelArgs,
}

pub(super) fn stance(args: &StanceArgs, term: crate::cli::Terminal, start: Instant) -> Result<()> {
    let StanceArgs {
        data,
        fnc1,
        no_fnc1,
        in_domain,
        devset,
        in_domain_repeat,
        output,
        hyper,
        model,
    } = args;
    let emergent = data.clone().unwrap_or_else(|| default_data_dir("emergent"));
    let fnc1 = (!no_fnc1).then(|| fnc1.clone().unwrap_or_else(|| default_data_dir("fnc1")));
    let embedder = model.load()?;
    let cfg = hyper.config(128, 1e-4, 1.0, 4 * embedder.dim());
    let id = embedder.model_id()?;
    let in_domain_pairs = if *in_domain {
        let dir = devset.clone().unwrap_or_else(crate::devset::default_dir);
        let set = crate::devset::DevSet::load(&dir)?;
        crate::devset::stance_pairs(&set.split("train"))?
    } else {
        Vec::new()
    };
    let trained = stance::train::train(
        &embedder,
        id.clone(),
        &stance::train::StanceData {
            emergent: &emergent,
            fnc1: fnc1.as_deref(),
            in_domain: &in_domain_pairs,
            in_domain_repeat: *in_domain_repeat,
        },
        &cfg,
        &term,
    )?;
    trained.head.save(output)?;
    eprintln!(
        "trained in {:.0} s: best validation macro-F1 {:.3} at epoch {}; evaluating on the test splits",
        start.elapsed().as_secs_f64(),
        trained.report.best_val_macro_f1,
        trained.report.best_epoch
    );
    let clf = stance::StanceModel::Head(Box::new(stance::StanceClassifier::load(output, &id)?));
    let em = stance::eval::eval_emergent(&clf, &embedder, &emergent, &term)?;
    let fnc = match &fnc1 {
        Some(d) => Some(stance::eval::eval_fnc1(&clf, &embedder, d, &term)?),
        None => None,
    };
    let card = json!({
        "task": "stance",
        "labels": stance::Stance::ALL,
        "features": stance::FEATURES,
        "embedding_model": id,
        "reproduce": command_line(),
        "claimscope_version": env!("CARGO_PKG_VERSION"),
        "training_data": {
            "emergent": emergent.display().to_string(),
            "fnc1": fnc1.as_ref().map(|p| p.display().to_string()),
            "in_domain_sentences": in_domain_pairs.len(),
            "in_domain_repeat": in_domain.then_some(*in_domain_repeat),
            "mapping": "Emergent for/against/observing = agree/disagree/discuss; unrelated = each Emergent train headline paired with another train claim; FNC-1 bodies reduced to the 3 sentences closest to the headline",
            "sizes": trained.sizes,
            "train_label_counts": stance::Stance::ALL.iter().zip(&trained.label_counts).map(|(l, n)| (l.to_string(), *n)).collect::<std::collections::BTreeMap<_, _>>(),
            "validation": "10% of Emergent claims and 10% of FNC-1 bodies, held out whole",
        },
        "hyper_parameters": cfg,
        "training": trained.report,
        "metrics": {
            "validation_macro_f1": trained.report.best_val_macro_f1,
            "emergent_test": em,
            "fnc1_competition_test": fnc,
        },
        "seconds": start.elapsed().as_secs_f64(),
    });
    write_card(output, &card)
}

#[derive(Debug, Clone, clap::Args)]
pub struct StancePairArgs {
    /// Emergent folder (default ../shared/data/emergent).
    #[arg(long)]
    pub(super) data: Option<PathBuf>,
    /// Leave Emergent out (labelled sentences only).
    #[arg(long)]
    pub(super) no_emergent: bool,
    /// The labelled set (default tests/data/devset).
    #[arg(long)]
    pub(super) devset: Option<PathBuf>,
    /// Copies of each labelled train sentence among the examples.
    #[arg(long, default_value_t = 2, value_parser = crate::cli::at_least_one)]
    pub(super) gold_repeat: usize,
    /// Share of each labelled story's sentences also paired with another story's claim
    /// as unrelated.
    #[arg(long, default_value_t = 0.3, value_parser = crate::cli::share)]
    pub(super) unrelated_share: f64,
    /// Per labelled story, this many of its plain assertions of the claim also stand in
    /// for the claim, with the story's other sentences labelled as toward the claim
    /// (about 50 pairs a story each, not repeated by --gold-repeat; 0: none).
    #[arg(long, default_value_t = 0)]
    pub(super) claim_variants: usize,
    /// Topic gate written into the card: a pair whose base-model cosine is under this is
    /// `unrelated` whatever the model says.
    #[arg(long, value_parser = crate::cli::cosine)]
    pub(super) unrelated_below: Option<f32>,
    /// Only these labelled train stories (comma-separated ids): how a model trained before
    /// the train split grew is reproduced (its card lists them).
    #[arg(long, value_delimiter = ',')]
    pub(super) stories: Vec<String>,
    /// More labelled pairs to train on: JSONL, one {"claim", "text", "label"} per line.
    #[arg(long)]
    pub(super) extra_pairs: Option<PathBuf>,
    /// Add every labelled pair again toward its claim denied by rule ("was arrested" ->
    /// "was not arrested"; claims of one auxiliary only), agree and disagree swapped,
    /// repeated as --gold-repeat repeats the labelled pairs.
    #[arg(long)]
    pub(super) negations: bool,
    /// The --extra-pairs come from the FNC-1 train stories of this Body ID parity (a
    /// story's parity is its smallest Body ID's): written on the card, so that `eval
    /// stance` chooses its FNC-1 gate and class weights on the other stories.
    #[arg(long, value_enum, requires = "extra_pairs")]
    pub(super) fnc1_stories_seen: Option<crate::classify::stance::bags::Parity>,
    #[arg(short, long, default_value = "models/stance-pair")]
    pub(super) output: PathBuf,
    #[command(flatten)]
    pub(super) tune: TuneArgs,
    #[command(flatten)]
    pub(super) model: ModelArgs,
}

pub(super) fn stance_pair(args: &StancePairArgs, term: crate::cli::Terminal) -> Result<()> {
    let StancePairArgs {
        data,
        no_emergent,
        devset,
        gold_repeat,
        unrelated_share,
        claim_variants,
        unrelated_below,
        stories,
        extra_pairs,
        negations,
        fnc1_stories_seen,
        output,
        tune,
        model,
    } = args;
    use crate::classify::stance::{data as stance_data, pair};
    let devset = devset.clone().unwrap_or_else(crate::devset::default_dir);
    let set = crate::devset::DevSet::load(&devset)?;
    let train_stories = train_split(&set, stories)?;
    let mut examples = Vec::new();
    let gold = crate::devset::stance_pairs(&train_stories)?;
    for _ in 0..*gold_repeat {
        examples.extend(gold.iter().cloned());
    }
    let unrelated =
        crate::devset::cross_story_unrelated(&train_stories, *unrelated_share, tune.seed);
    let n_unrelated = unrelated.len();
    examples.extend(unrelated);
    let flips = if *negations {
        stance_data::toward_denied_claims(&gold)
    } else {
        Vec::new()
    };
    let n_flips = flips.len();
    // Labelled sentences toward another wording of their claim: repeated as they are.
    for _ in 0..*gold_repeat {
        examples.extend(flips.iter().cloned());
    }
    let variants = crate::devset::claim_variants(&train_stories, *claim_variants, tune.seed)?;
    let n_variants = variants.len();
    examples.extend(variants);
    let emergent_dir = data.clone().unwrap_or_else(|| default_data_dir("emergent"));
    let emergent = if *no_emergent {
        Vec::new()
    } else {
        stance_data::load_emergent(&emergent_dir, "train")?
    };
    let n_emergent = emergent.len();
    examples.extend(emergent);
    let extra = match extra_pairs {
        Some(path) => stance_data::load_pairs_jsonl(path)?,
        None => Vec::new(),
    };
    let n_extra = extra.len();
    examples.extend(extra);
    eprintln!(
        "{} examples: {} labelled sentences x {gold_repeat}, {n_unrelated} cross-story unrelated, {n_variants} toward other wordings of the claim, {n_emergent} Emergent train, {n_extra} extra pairs, {n_flips} toward denied claims x {gold_repeat}",
        examples.len(),
        gold.len()
    );
    let opts = tune.options();
    let files = crate::embed::source::resolve(&model.model)?;
    let embedder = model.load()?;
    let (trained, report) = pair::train(&files, &embedder, &examples, &opts, &term)?;
    print_trained(&report);
    let card = json!({
        "task": "stance toward a claim (pair model: claim [SEP] sentence)",
        "unrelated_below": unrelated_below,
        (crate::classify::stance::bags::SEEN_FIELD): fnc1_stories_seen.map(|p| p.as_str()),
        "base_model": files.name,
        "data": {
            "labelled_train_stories": train_stories.iter().map(|s| &s.meta.story).collect::<Vec<_>>(),
            "labelled_sentences": gold.len(),
            "gold_repeat": gold_repeat,
            "cross_story_unrelated": n_unrelated,
            "claim_variants": claim_variants,
            "claim_variant_pairs": n_variants,
            "toward_denied_claims": n_flips,
            "emergent_train": n_emergent,
            "extra_pairs": extra_pairs.as_ref().map(|p| json!({"file": p, "pairs": n_extra, "sha256": crate::embed::source::sha256_file(p).ok()})),
        },
        "options": opts,
        "training": report,
        "command": command_line(),
    });
    pair::save(&trained, &files, output, &opts, &card)?;
    let loaded = pair::StancePairModel::load(output, &crate::embed::EmbedderOptions::default())?;
    let loaded = stance::StanceModel::Pair(Box::new(loaded));
    print_halves(|half| crate::devset::evaluate_stance(&set.split(half), &embedder, &loaded, &term))
}

#[derive(Debug, Clone, clap::Args)]
pub struct StanceBodyArgs {
    /// The pair model the head is added to.
    #[arg(long, default_value = "models/stance-pair")]
    pub(super) from: PathBuf,
    /// FNC-1 folder (default ../shared/data/fnc1).
    #[arg(long)]
    pub(super) fnc1: Option<PathBuf>,
    /// The labelled set (default tests/data/devset): its dev and test stories' FNC-1
    /// stories are left out.
    #[arg(long)]
    pub(super) devset: Option<PathBuf>,
    /// The FNC-1 stories fitted on (by their smallest Body ID); the others are held out.
    #[arg(long, value_enum, default_value = "even")]
    pub(super) bodies: stance::bags::Parity,
    /// Class weights of the loss: (mean count / class count)^this (comma-separated: each
    /// is fitted and scored).
    #[arg(long, value_delimiter = ',', value_parser = crate::cli::non_negative_f64, default_value = "0.5")]
    pub(super) balance: Vec<f64>,
    /// L2 pull of the head toward the sentence head (comma-separated, as --balance).
    #[arg(long, value_delimiter = ',', value_parser = crate::cli::non_negative_f64, default_value = "0.01")]
    pub(super) anchor: Vec<f64>,
    #[arg(long, default_value_t = stance::bags::RefitOptions::default().steps, value_parser = crate::cli::at_least_one)]
    pub(super) steps: usize,
    #[arg(long, default_value_t = stance::bags::RefitOptions::default().lr, value_parser = crate::cli::learning_rate)]
    pub(super) lr: f64,
    /// Only the first N (headline, body) pairs of each parity (in FNC-1's file order): a
    /// quick run.
    #[arg(long, value_parser = crate::cli::at_least_one)]
    pub(super) max_pairs: Option<usize>,
    #[arg(short, long)]
    pub(super) output: Option<PathBuf>,
    #[command(flatten)]
    pub(super) model: ModelArgs,
}

pub(super) fn stance_body(args: &StanceBodyArgs, term: crate::cli::Terminal) -> Result<()> {
    let StanceBodyArgs {
        from,
        fnc1,
        devset,
        bodies,
        balance,
        anchor,
        steps,
        lr,
        max_pairs,
        output,
        model,
    } = args;
    use crate::classify::stance::{bags, pair};
    if let Some(bad) = balance
        .iter()
        .chain(anchor)
        .chain([lr])
        .find(|v| !v.is_finite() || **v < 0.0)
    {
        return Err(Error::Input(format!(
            "--balance, --anchor and --lr take numbers of 0 or more, not {bad}"
        )));
    }
    if output.is_some() && balance.len() * anchor.len() != 1 {
        return Err(Error::Input(format!(
            "--output writes one model: give one --balance and one --anchor, not {} and {}",
            balance.len(),
            anchor.len()
        )));
    }
    let set =
        crate::devset::DevSet::load(&devset.clone().unwrap_or_else(crate::devset::default_dir))?;
    let embedder = model.load()?;
    let start_model = pair::StancePairModel::load(from, &crate::embed::EmbedderOptions::default())?;
    // The stories the model already read stay on its card: a head fitted on the others
    // would leave `eval stance` none to choose its gate on, unseen by both.
    if let Some(seen) = start_model.fnc1_bodies_seen()
        && seen != *bodies
    {
        return Err(Error::Input(format!(
            "{}: the model was trained on FNC-1 train's {} stories; fit its body head on \
             the same ones (--bodies {}), so that the {} stories stay held out",
            from.display(),
            seen.as_str(),
            seen.as_str(),
            seen.other().as_str()
        )));
    }
    let fnc1 = fnc1.clone().unwrap_or_else(|| default_data_dir("fnc1"));
    let held = set.fnc1_held_out_body_ids();
    let featurise = |b: &[bags::Bag]| -> Result<bags::BagFeatures> {
        bags::BagFeatures::of(b, |t| {
            start_model
                .tuned()
                .features(t, "FNC-1 body sentence pairs", &term)
        })
    };
    let [fit, held_out] = bags::fnc1_bags(&fnc1, &held, *bodies, *max_pairs, &embedder, &term)?;
    let fit_bags = featurise(&fit)?;
    let held_bags = featurise(&held_out)?;
    eprintln!(
        "FNC-1 train: {} related pairs of the {} stories to fit ({} sentences), {} of the {} stories held out",
        fit_bags.labels.len(),
        bodies.as_str(),
        fit_bags.owner.len(),
        held_bags.labels.len(),
        bodies.other().as_str()
    );
    let (w0, b0) = start_model.tuned().head();
    let row = |name: &str, s: &bags::BagScores| {
        eprintln!(
            "{name:<24} held-out pairs: accuracy {:.3}, macro-F1 {:.3} (agree {:.3}, disagree {:.3}, discuss {:.3})",
            s.accuracy, s.macro_f1, s.f1[0], s.f1[1], s.f1[2]
        );
    };
    row("sentence head", &bags::score_bags(&held_bags, w0, b0));
    let mut last = None;
    for &a in anchor {
        for &bal in balance {
            let opts = bags::RefitOptions {
                steps: *steps,
                lr: *lr,
                balance: bal,
                anchor: a,
            };
            let (w, b, report) = bags::refit(w0, b0, &fit_bags, &opts, &crate::observe::Silent)?;
            let scores = bags::score_bags(&held_bags, &w, &b);
            row(&format!("balance {bal}, anchor {a}"), &scores);
            last = Some((w, b, opts, report, scores));
        }
    }
    if let (Some(out), Some((w, b, opts, report, scores))) = (output, last) {
        let record = json!({
            "task": "stance of a whole body toward a claim, read sentence by sentence and averaged (FNC-1's body labels); `match` and `classify` use the sentence head",
            "from": from.display().to_string(),
            "data": {
                "fnc1_train_stories": bodies.as_str(),
                "left_out": "every FNC-1 story holding a labelled dev or test body; the other stories; unrelated pairs",
                "bags": fit_bags.labels.len(),
                "max_pairs": max_pairs,
                "sentences": fit_bags.owner.len(),
            },
            "options": opts,
            "training": report,
            "held_out_bodies": scores,
            "command": command_line(),
        });
        start_model.save_with_body_head(&w, &b, *bodies, out, record)?;
    }
    Ok(())
}
