//! `train judge` and `train judge-pair`: the same-claim judge, as a bi-encoder or a cross-encoder.

use super::*;

#[derive(Debug, Clone, clap::Args)]
pub struct JudgeArgs {
    /// FNC-1 folder (default ../shared/data/fnc1).
    #[arg(long)]
    pub(super) fnc1: Option<PathBuf>,
    /// The dev set whose stories are left out of training.
    #[arg(long)]
    pub(super) devset: Option<PathBuf>,
    #[arg(short, long, default_value = "models/judge")]
    pub(super) output: PathBuf,
    #[arg(long, default_value_t = JudgeOptions::default().max_pairs, value_parser = crate::cli::at_least_one)]
    pub(super) max_pairs: usize,
    #[arg(long, default_value_t = JudgeOptions::default().epochs, value_parser = crate::cli::at_least_one)]
    pub(super) epochs: usize,
    #[arg(long, default_value_t = JudgeOptions::default().lr, value_parser = crate::cli::learning_rate)]
    pub(super) lr: f64,
    #[arg(long, default_value_t = JudgeOptions::default().seed)]
    pub(super) seed: u64,
    /// Add the hand-labelled stories of these splits of the dev set ("train", "dev", or
    /// both comma-separated; never "test", which is for reporting).
    #[arg(long, value_delimiter = ',')]
    pub(super) gold: Vec<String>,
    /// Only these labelled stories (comma-separated ids) of the --gold splits: how the
    /// shipped judge, trained before the train split grew, is reproduced.
    #[arg(long, value_delimiter = ',')]
    pub(super) stories: Vec<String>,
    /// Train on the hand-labelled pairs alone.
    #[arg(long)]
    pub(super) no_silver: bool,
    /// `groups`: every cross-document pair of batches of one labelled story, same group
    /// against the rest, logistic loss (hand-labelled stories only); `pairs`: ranking loss
    /// over silver and labelled pairs.
    #[arg(long, value_enum, default_value_t = Objective::Groups)]
    pub(super) objective: Objective,
    /// Sentences per step (groups) or pairs per step (pairs).
    #[arg(long, default_value_t = JudgeOptions::default().batch_size, value_parser = crate::cli::at_least_one)]
    pub(super) train_batch: usize,
    /// Groups objective: add a negated copy of each grouped sentence with an auxiliary to
    /// flip ("was arrested" / "was not arrested") as a hard negative of its original, the
    /// copies of one group a group of their own (the guide: a denial is its own claim).
    #[arg(long)]
    pub(super) negations: bool,
    /// Groups objective: add the written rewordings of the train stories' claim groups and
    /// their near misses (`DIR/<story>.jsonl`, e.g. tests/data/devset/rewordings), each in a
    /// document of its own.
    #[arg(long, value_name = "DIR")]
    pub(super) rewordings: Option<PathBuf>,
    #[command(flatten)]
    pub(super) model: ModelArgs,
}

pub(super) fn judge(args: &JudgeArgs, term: crate::cli::Terminal) -> Result<()> {
    let JudgeArgs {
        fnc1,
        devset,
        output,
        max_pairs,
        epochs,
        lr,
        seed,
        gold,
        stories: only,
        no_silver,
        objective,
        train_batch,
        negations,
        rewordings,
        model,
    } = args;
    if let Some(g) = gold.iter().find(|g| !matches!(g.as_str(), "train" | "dev")) {
        return Err(Error::Input(format!(
            "--gold {g:?}: takes \"train\" and/or \"dev\"; the test half of the dev set is for reporting only"
        )));
    }
    if *no_silver && gold.is_empty() {
        return Err(Error::Input(
            "--no-silver leaves nothing to train on: add --gold train".into(),
        ));
    }
    // Flags of the other objective would be dropped without a word.
    let stray = match objective {
        Objective::Pairs => [
            ("--negations", *negations),
            ("--rewordings", rewordings.is_some()),
        ]
        .into_iter()
        .find(|(_, given)| *given),
        Objective::Groups => [("--no-silver", *no_silver)]
            .into_iter()
            .find(|(_, given)| *given),
    };
    if let Some((flag, _)) = stray {
        return Err(Error::Input(format!(
            "{flag} belongs to the other --objective ({}): drop it, or choose that \
             objective",
            match objective {
                Objective::Pairs => "groups",
                Objective::Groups => "pairs",
            }
        )));
    }
    if *objective == Objective::Pairs && *train_batch < 2 {
        return Err(Error::Input(
            "--train-batch 1 leaves no in-batch negatives for the ranking loss (the \
             loss is 0 and nothing is learnt): give 2 or more"
                .into(),
        ));
    }
    // A split named twice would repeat each of its stories.
    if let Some(g) = gold
        .iter()
        .enumerate()
        .find_map(|(i, g)| gold[..i].contains(g).then_some(g))
    {
        return Err(Error::Input(format!("--gold {g:?} is named twice")));
    }
    let fnc1 = fnc1.clone().unwrap_or_else(|| default_data_dir("fnc1"));
    let devset = devset.clone().unwrap_or_else(crate::devset::default_dir);
    let set = crate::devset::DevSet::load(&devset)?;
    let exclude = set.fnc1_body_ids();
    let files = crate::embed::source::resolve(&model.model)?;
    let embedder = model.load()?;
    let opts = JudgeOptions {
        max_pairs: *max_pairs,
        epochs: *epochs,
        lr: *lr,
        seed: *seed,
        ..JudgeOptions::default()
    };
    let opts = JudgeOptions {
        batch_size: *train_batch,
        ..opts
    };
    let labelled: Vec<&crate::devset::DevStory> = gold
        .iter()
        .flat_map(|g| set.split(g))
        .filter(|s| only.is_empty() || only.contains(&s.meta.story))
        .collect();
    if let Some(missing) = only
        .iter()
        .find(|id| !labelled.iter().any(|s| &s.meta.story == *id))
    {
        return Err(Error::Input(format!(
            "--stories: no story {missing:?} in the --gold splits {gold:?} of {}",
            devset.display()
        )));
    }
    if *objective == Objective::Groups {
        if labelled.is_empty() {
            return Err(Error::Input(
                "--objective groups trains on hand-labelled stories: add --gold train".into(),
            ));
        }
        let mut stories: Vec<judge::LabelledStory> = labelled
            .iter()
            .map(|s| judge::LabelledStory::of(s))
            .collect();
        let mut written = serde_json::Value::Null;
        if let Some(dir) = rewordings {
            let extra = judge::rewordings::load(dir, &labelled)?;
            let mut used = Vec::new();
            for (story, built) in labelled.iter().zip(stories.iter_mut()) {
                let rows = extra.get(&story.meta.story).map_or(&[][..], Vec::as_slice);
                used.extend(rows);
                *built = built.with_rewordings(story, rows)?;
            }
            eprintln!(
                "{} written rewordings and near misses added ({} of {} stories have them)",
                used.len(),
                extra.values().filter(|r| !r.is_empty()).count(),
                labelled.len()
            );
            written = json!({"dir": dir, "sentences": used.len(), "lines_sha256": judge::rewordings::digest(used)});
        }
        if *negations {
            let before: usize = stories.iter().map(|s| s.texts.len()).sum();
            stories = stories
                .iter()
                .map(judge::LabelledStory::with_negations)
                .collect();
            let after: usize = stories.iter().map(|s| s.texts.len()).sum();
            eprintln!(
                "{} negated copies of labelled claim sentences added",
                after - before
            );
        }
        eprintln!(
            "{} labelled stories, {} sentences, {} same-claim pairs",
            stories.len(),
            stories.iter().map(|s| s.texts.len()).sum::<usize>(),
            stories
                .iter()
                .map(judge::LabelledStory::positives)
                .sum::<usize>()
        );
        let (vars, report) = judge::train_groups(&files, &embedder, &stories, &opts, &term)?;
        let gold_splits = gold.join(",");
        let only_stories = if only.is_empty() {
            String::new()
        } else {
            format!(" --stories {}", only.join(","))
        };
        let command = format!(
            "claimscope train judge --gold {gold_splits}{only_stories} --objective groups --epochs {epochs} --lr {lr} --train-batch {train_batch} --seed {seed}{}{}",
            if *negations { " --negations" } else { "" },
            rewordings
                .as_ref()
                .map(|d| format!(" --rewordings {}", shell_word(&d.to_string_lossy())))
                .unwrap_or_default()
        );
        return write_judge(
            &vars,
            &report,
            &files,
            output,
            &opts,
            &command,
            &json!({"labelled_stories": labelled.iter().map(|s| &s.meta.story).collect::<Vec<_>>(), "splits": gold, "negated_copies": negations, "rewordings": written}),
        );
    }
    let mut pairs = if *no_silver {
        Vec::new()
    } else {
        judge::mine_pairs(&fnc1, &exclude, &embedder, &opts, &term)?
    };
    if !labelled.is_empty() {
        pairs.extend(judge::gold_pairs(&labelled, &embedder, &term)?);
    }
    let count = |k: &str| pairs.iter().filter(|p| p.kind == k).count();
    eprintln!(
        "{} pairs: silver {} headline-sentence, {} sentence-sentence; hand-labelled {}",
        pairs.len(),
        count("headline-sentence"),
        count("sentence-sentence"),
        count("gold")
    );
    let (vars, report) = judge::train_pairs(&files, &embedder, &pairs, &opts, &term)?;
    let command = format!(
        "claimscope train judge --objective pairs --max-pairs {max_pairs} --epochs {epochs} --lr {lr} --train-batch {train_batch} --seed {seed}{}{}{}",
        if gold.is_empty() {
            String::new()
        } else {
            format!(" --gold {}", gold.join(","))
        },
        if only.is_empty() {
            String::new()
        } else {
            format!(" --stories {}", only.join(","))
        },
        if *no_silver { " --no-silver" } else { "" }
    );
    write_judge(
        &vars,
        &report,
        &files,
        output,
        &opts,
        &command,
        &json!({"fnc1": fnc1.display().to_string(), "left_out_dev_set_bodies": exclude.len(), "splits": gold}),
    )
}

#[derive(Debug, Clone, clap::Args)]
pub struct JudgePairArgs {
    /// The labelled set (default tests/data/devset).
    #[arg(long)]
    pub(super) devset: Option<PathBuf>,
    /// Only these labelled train stories (comma-separated ids).
    #[arg(long, value_delimiter = ',')]
    pub(super) stories: Vec<String>,
    /// Negatives per positive, hardest first by base-model cosine.
    #[arg(long, default_value_t = crate::judge::pair::PairSampling::default().hard, value_parser = crate::cli::non_negative_f64)]
    pub(super) hard: f64,
    /// Negatives per positive drawn at random from the rest.
    #[arg(long, default_value_t = crate::judge::pair::PairSampling::default().random, value_parser = crate::cli::non_negative_f64)]
    pub(super) random: f64,
    /// Precision the judge is evaluated at (as match runs it).
    #[arg(long, value_enum, default_value = "int8", ignore_case = true)]
    pub(super) judge_precision: crate::cli::PrecisionArg,
    #[arg(short, long, default_value = "models/judge-pair")]
    pub(super) output: PathBuf,
    #[command(flatten)]
    pub(super) tune: TuneArgs,
    #[command(flatten)]
    pub(super) model: ModelArgs,
}

pub(super) fn judge_pair(args: &JudgePairArgs, term: crate::cli::Terminal) -> Result<()> {
    let JudgePairArgs {
        devset,
        stories,
        hard,
        random,
        judge_precision,
        output,
        tune,
        model,
    } = args;
    use crate::judge::pair::{self, PairJudge, PairSampling};
    use crate::judge::train::LabelledStory;
    let devset = devset.clone().unwrap_or_else(crate::devset::default_dir);
    let set = crate::devset::DevSet::load(&devset)?;
    let chosen = train_split(&set, stories)?;
    let train_stories: Vec<LabelledStory> = chosen.iter().map(|s| LabelledStory::of(s)).collect();
    let files = crate::embed::source::resolve(&model.model)?;
    let embedder = model.load()?;
    let sampling = PairSampling {
        hard: *hard,
        random: *random,
        seed: tune.seed,
    };
    let examples = pair::training_pairs(&train_stories, &embedder, &sampling, &term)?;
    let same = examples.iter().filter(|e| e.same).count();
    eprintln!(
        "{} examples from {} stories: {same} same-claim (both orders), {} different",
        examples.len(),
        train_stories.len(),
        examples.len() - same
    );
    let opts = tune.options();
    let (trained, report) = pair::train(&files, &embedder, &examples, &opts, &term)?;
    print_trained(&report);
    let mut card = json!({
        "task": "same claim (cross-encoder: sentence [SEP] sentence)",
        "base_model": files.name,
        "data": {
            "labelled_train_stories": chosen.iter().map(|s| &s.meta.story).collect::<Vec<_>>(),
            "same_examples": same,
            "different_examples": examples.len() - same,
            "sampling": sampling,
        },
        "options": opts,
        "training": report,
        "command": command_line(),
    });
    pair::save(&trained, &files, output, &opts, &card)?;
    let judge = PairJudge::load(output, &model.options((*judge_precision).into()))?;
    // The bare-pair scoring `eval claims` reports for cosine: every cross-document
    // sentence pair of a half, one threshold chosen on dev.
    use crate::devset::{best_threshold, gold_pairs, score_threshold};
    let (dev, test) = (set.split("dev"), set.split("test"));
    let judged = |half: &[&crate::devset::DevStory]| {
        crate::devset::score_sentence_pairs(half, |texts, pairs| {
            let pairs: Vec<(&str, &str)> =
                pairs.iter().map(|&(i, j)| (texts[i], texts[j])).collect();
            judge.same_probability(&pairs, &term)
        })
    };
    let (gd, gt) = (gold_pairs(&dev), gold_pairs(&test));
    let (threshold, dm) = best_threshold(&gd, &judged(&dev)?);
    let tm = score_threshold(&gt, &judged(&test)?, threshold);
    let cosines = |half| crate::devset::sentence_pair_cosines(half, &embedder, &term);
    let (ctheta, cdm) = best_threshold(&gd, &cosines(&dev)?);
    let ctm = score_threshold(&gt, &cosines(&test)?, ctheta);
    for (what, th, d, t) in [
        ("pair judge", threshold, &dm, &tm),
        ("base cosine", ctheta, &cdm, &ctm),
    ] {
        eprintln!(
            "{what:<12} threshold {th:.2} (best F1 on dev): dev P {:.3} R {:.3} F1 {:.3}; test P {:.3} R {:.3} F1 {:.3}",
            d.precision, d.recall, d.f1, t.precision, t.recall, t.f1
        );
    }
    card["threshold"] = json!(threshold);
    card["figures"] = json!({
        "pairs": "every cross-document sentence pair of each half of the labelled set",
        "precision": format!("{judge_precision:?}").to_lowercase(),
        "dev": dm, "test": tm,
        "base_cosine": {"threshold": ctheta, "dev": cdm, "test": ctm},
    });
    pair::save_card(output, &card)?;
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Objective {
    Groups,
    Pairs,
}

/// The judge's model directory and its card (`judge.json`).
pub(super) fn write_judge(
    vars: &judge::TrainedJudge,
    report: &judge::JudgeReport,
    files: &crate::embed::ModelFiles,
    output: &std::path::Path,
    opts: &JudgeOptions,
    command: &str,
    data: &serde_json::Value,
) -> Result<()> {
    let weights = judge::save(vars, files, output)?;
    // A run that diverged fails here, before its model replaces the one under -o, not at the
    // first load after it.
    crate::embed::source::check_finite_weights(
        &weights,
        "the run diverged: train again with a lower --lr",
    )?;
    let sha = crate::embed::source::sha256_file(&weights)?;
    let card = json!({
        "task": "same-claim judge (sentence encoder)",
        "base_model": files.name,
        "weights_sha256": sha,
        "probability_scale": opts.group_scale,
        "data": data,
        "options": opts,
        "training": report,
        "command": command,
    });
    let text = serde_json::to_string_pretty(&card)?;
    let path = output.join("judge.json");
    crate::outfile::write_whole(&path, text.as_bytes())?;
    eprintln!(
        "trained: {} steps, {:.0} s; loss {:?}",
        report.steps, report.seconds, report.loss_curve
    );
    Ok(())
}
