//! `claimscope train ...`: fit a head or fine-tune a model, write it and its model card.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::json;

use super::ModelArgs;
use crate::classify::head::TrainConfig;
use crate::classify::tuned::TunedOptions;
use crate::classify::{confidence, stance};
use crate::error::{Error, Result};
use crate::eval::default_data_dir;
use crate::judge::{self, JudgeOptions};

#[derive(Debug, Clone, clap::Subcommand)]
pub enum TrainCommand {
    /// Stance toward a claim, on Emergent (+ unrelated pairs) and FNC-1 train.
    Stance {
        /// Emergent folder (default ../shared/data/emergent).
        #[arg(long)]
        data: Option<PathBuf>,
        /// FNC-1 folder (default ../shared/data/fnc1).
        #[arg(long)]
        fnc1: Option<PathBuf>,
        /// Train on Emergent only.
        #[arg(long)]
        no_fnc1: bool,
        /// Add the hand-labelled sentences of the labelled set's train stories (stance toward
        /// each story's claim; tests/data/devset unless --devset).
        #[arg(long)]
        in_domain: bool,
        /// The labelled set (default tests/data/devset).
        #[arg(long, requires = "in_domain")]
        devset: Option<PathBuf>,
        /// Copies of each in-domain sentence among the training rows.
        #[arg(long, default_value_t = 20, requires = "in_domain", value_parser = super::at_least_one)]
        in_domain_repeat: usize,
        #[arg(short, long, default_value = "models/stance.safetensors")]
        output: PathBuf,
        #[command(flatten)]
        hyper: Hyper,
        #[command(flatten)]
        model: ModelArgs,
    },
    /// The same-claim judge: all-MiniLM-L6-v2 fine-tuned on silver cross-outlet pairs mined
    /// from FNC-1 train (the dev set's stories left out); writes a model directory.
    Judge {
        /// FNC-1 folder (default ../shared/data/fnc1).
        #[arg(long)]
        fnc1: Option<PathBuf>,
        /// The dev set whose stories are left out of training.
        #[arg(long)]
        devset: Option<PathBuf>,
        #[arg(short, long, default_value = "models/judge")]
        output: PathBuf,
        #[arg(long, default_value_t = JudgeOptions::default().max_pairs, value_parser = super::at_least_one)]
        max_pairs: usize,
        #[arg(long, default_value_t = JudgeOptions::default().epochs, value_parser = super::at_least_one)]
        epochs: usize,
        #[arg(long, default_value_t = JudgeOptions::default().lr, value_parser = super::learning_rate)]
        lr: f64,
        #[arg(long, default_value_t = JudgeOptions::default().seed)]
        seed: u64,
        /// Add the hand-labelled stories of these splits of the dev set ("train", "dev", or
        /// both comma-separated; never "test", which is for reporting).
        #[arg(long, value_delimiter = ',')]
        gold: Vec<String>,
        /// Only these labelled stories (comma-separated ids) of the --gold splits: how the
        /// shipped judge, trained before the train split grew, is reproduced.
        #[arg(long, value_delimiter = ',')]
        stories: Vec<String>,
        /// Train on the hand-labelled pairs alone.
        #[arg(long)]
        no_silver: bool,
        /// `groups`: every cross-document pair of batches of one labelled story, same group
        /// against the rest, logistic loss (hand-labelled stories only); `pairs`: ranking loss
        /// over silver and labelled pairs.
        #[arg(long, value_enum, default_value_t = Objective::Groups)]
        objective: Objective,
        /// Sentences per step (groups) or pairs per step (pairs).
        #[arg(long, default_value_t = JudgeOptions::default().batch_size, value_parser = super::at_least_one)]
        train_batch: usize,
        /// Groups objective: add a negated copy of each grouped sentence with an auxiliary to
        /// flip ("was arrested" / "was not arrested") as a hard negative of its original, the
        /// copies of one group a group of their own (the guide: a denial is its own claim).
        #[arg(long)]
        negations: bool,
        /// Groups objective: add the written rewordings of the train stories' claim groups and
        /// their near misses (`DIR/<story>.jsonl`, e.g. tests/data/devset/rewordings), each in a
        /// document of its own.
        #[arg(long, value_name = "DIR")]
        rewordings: Option<PathBuf>,
        #[command(flatten)]
        model: ModelArgs,
    },
    /// The same-claim judge as a cross-encoder: all-MiniLM-L6-v2 fine-tuned to read two
    /// sentences together and say whether they assert the same claim, on the labelled set's
    /// train stories (every same-claim cross-document pair, both orders; hard and random
    /// same-story negatives). Writes a model directory with its card; chooses the threshold on
    /// the dev half (written into the card) and prints dev and test pair P/R/F1 beside the base
    /// model's cosine on the same pairs.
    JudgePair {
        /// The labelled set (default tests/data/devset).
        #[arg(long)]
        devset: Option<PathBuf>,
        /// Only these labelled train stories (comma-separated ids).
        #[arg(long, value_delimiter = ',')]
        stories: Vec<String>,
        /// Negatives per positive, hardest first by base-model cosine.
        #[arg(long, default_value_t = crate::judge::pair::PairSampling::default().hard, value_parser = super::non_negative_f64)]
        hard: f64,
        /// Negatives per positive drawn at random from the rest.
        #[arg(long, default_value_t = crate::judge::pair::PairSampling::default().random, value_parser = super::non_negative_f64)]
        random: f64,
        /// Precision the judge is evaluated at (as match runs it).
        #[arg(long, value_enum, default_value = "int8", ignore_case = true)]
        judge_precision: super::PrecisionArg,
        #[arg(short, long, default_value = "models/judge-pair")]
        output: PathBuf,
        #[command(flatten)]
        tune: TuneArgs,
        #[command(flatten)]
        model: ModelArgs,
    },
    /// Stance as a pair model: all-MiniLM-L6-v2 fine-tuned to read claim and sentence together,
    /// on the labelled set's train stories (sentence stance toward each story's claim, plus
    /// sentences paired with other stories' claims as unrelated) and Emergent train headlines;
    /// writes a model directory with its card, and the dev/test figures of the labelled set.
    StancePair {
        /// Emergent folder (default ../shared/data/emergent).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Leave Emergent out (labelled sentences only).
        #[arg(long)]
        no_emergent: bool,
        /// The labelled set (default tests/data/devset).
        #[arg(long)]
        devset: Option<PathBuf>,
        /// Copies of each labelled train sentence among the examples.
        #[arg(long, default_value_t = 2, value_parser = super::at_least_one)]
        gold_repeat: usize,
        /// Share of each labelled story's sentences also paired with another story's claim
        /// as unrelated.
        #[arg(long, default_value_t = 0.3, value_parser = super::share)]
        unrelated_share: f64,
        /// Per labelled story, this many of its plain assertions of the claim also stand in
        /// for the claim, with the story's other sentences labelled as toward the claim
        /// (about 50 pairs a story each, not repeated by --gold-repeat; 0: none).
        #[arg(long, default_value_t = 0)]
        claim_variants: usize,
        /// Topic gate written into the card: a pair whose base-model cosine is under this is
        /// `unrelated` whatever the model says.
        #[arg(long, value_parser = super::cosine)]
        unrelated_below: Option<f32>,
        /// Only these labelled train stories (comma-separated ids): how a model trained before
        /// the train split grew is reproduced (its card lists them).
        #[arg(long, value_delimiter = ',')]
        stories: Vec<String>,
        /// More labelled pairs to train on: JSONL, one {"claim", "text", "label"} per line.
        #[arg(long)]
        extra_pairs: Option<PathBuf>,
        /// Add every labelled pair again toward its claim denied by rule ("was arrested" ->
        /// "was not arrested"; claims of one auxiliary only), agree and disagree swapped,
        /// repeated as --gold-repeat repeats the labelled pairs.
        #[arg(long)]
        negations: bool,
        /// The --extra-pairs come from the FNC-1 train stories of this Body ID parity (a
        /// story's parity is its smallest Body ID's): written on the card, so that `eval
        /// stance` chooses its FNC-1 gate and class weights on the other stories.
        #[arg(long, value_enum, requires = "extra_pairs")]
        fnc1_stories_seen: Option<crate::classify::stance::bags::Parity>,
        #[arg(short, long, default_value = "models/stance-pair")]
        output: PathBuf,
        #[command(flatten)]
        tune: TuneArgs,
        #[command(flatten)]
        model: ModelArgs,
    },
    /// A second head for the stance pair model: stance of a whole FNC-1 body, fitted on FNC-1
    /// train bodies read as bags of sentences (the body's label on the mean of its sentences'
    /// probabilities, as `eval stance` reads a body), the encoder and the sentence head kept as
    /// they are. Prints each setting's figures on the held-out bodies (the other Body ID
    /// parity); writes the model with its body head when one setting is given with --output.
    StanceBody {
        /// The pair model the head is added to.
        #[arg(long, default_value = "models/stance-pair")]
        from: PathBuf,
        /// FNC-1 folder (default ../shared/data/fnc1).
        #[arg(long)]
        fnc1: Option<PathBuf>,
        /// The labelled set (default tests/data/devset): its dev and test stories' FNC-1
        /// stories are left out.
        #[arg(long)]
        devset: Option<PathBuf>,
        /// The FNC-1 stories fitted on (by their smallest Body ID); the others are held out.
        #[arg(long, value_enum, default_value = "even")]
        bodies: stance::bags::Parity,
        /// Class weights of the loss: (mean count / class count)^this (comma-separated: each
        /// is fitted and scored).
        #[arg(long, value_delimiter = ',', value_parser = super::non_negative_f64, default_value = "0.5")]
        balance: Vec<f64>,
        /// L2 pull of the head toward the sentence head (comma-separated, as --balance).
        #[arg(long, value_delimiter = ',', value_parser = super::non_negative_f64, default_value = "0.01")]
        anchor: Vec<f64>,
        #[arg(long, default_value_t = stance::bags::RefitOptions::default().steps, value_parser = super::at_least_one)]
        steps: usize,
        #[arg(long, default_value_t = stance::bags::RefitOptions::default().lr, value_parser = super::learning_rate)]
        lr: f64,
        /// Only the first N (headline, body) pairs of each parity (in FNC-1's file order): a
        /// quick run.
        #[arg(long, value_parser = super::at_least_one)]
        max_pairs: Option<usize>,
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        model: ModelArgs,
    },
    /// Asserted confidence from a fine-tuned encoder: all-MiniLM-L6-v2 and a four-way head
    /// trained end to end on Pei & Jurgens train and the labelled set's train sentences; writes
    /// a model directory with its card, and the dev/test figures of the labelled set.
    ConfidenceTuned {
        /// Pei & Jurgens folder (default ../shared/data/pei-certainty).
        #[arg(long)]
        data: Option<PathBuf>,
        /// The labelled set (default tests/data/devset).
        #[arg(long)]
        devset: Option<PathBuf>,
        /// Copies of each labelled train sentence among the examples.
        #[arg(long, default_value_t = 2, value_parser = super::at_least_one)]
        gold_repeat: usize,
        /// Who decides the level of an asserted sentence: the model, the cue rule where it
        /// finds a main-clause cue then the model, or the rule then high.
        #[arg(long, value_enum, default_value = "rule-then-model")]
        hedges: HedgesArg,
        /// Only these labelled train stories (comma-separated ids), as for stance-pair.
        #[arg(long, value_delimiter = ',')]
        stories: Vec<String>,
        #[arg(short, long, default_value = "models/confidence-tuned")]
        output: PathBuf,
        #[command(flatten)]
        tune: TuneArgs,
        #[command(flatten)]
        model: ModelArgs,
    },
    /// A "model soup": the weighted mean of two or more stance pair models, fine-tuned
    /// confidence models or same-claim judges trained from the same base weights, as one model
    /// directory; prints its dev/test figures on the labelled set (a judge's come from `eval
    /// claims --save-threshold`). The kind is read from the first directory's card.
    Average {
        /// Model directories written by `train stance-pair`, `train confidence-tuned` or `train
        /// judge`.
        #[arg(required = true, num_args = 2..)]
        dirs: Vec<PathBuf>,
        /// One weight per directory (comma-separated; default equal).
        #[arg(long, value_delimiter = ',')]
        weights: Vec<f64>,
        /// The labelled set (default tests/data/devset), for the figures.
        #[arg(long)]
        devset: Option<PathBuf>,
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        model: ModelArgs,
    },
    /// Asserted confidence, on Pei & Jurgens' sentence-level certainty.
    Confidence {
        /// Pei & Jurgens folder (default ../shared/data/pei-certainty).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Add the hand-labelled sentences of the labelled set's train stories.
        #[arg(long)]
        in_domain: bool,
        /// The labelled set (default tests/data/devset).
        #[arg(long, requires = "in_domain")]
        devset: Option<PathBuf>,
        /// Copies of each in-domain sentence among the training rows.
        #[arg(long, default_value_t = 5, requires = "in_domain", value_parser = super::at_least_one)]
        in_domain_repeat: usize,
        #[arg(short, long, default_value = "models/confidence.safetensors")]
        output: PathBuf,
        #[command(flatten)]
        hyper: Hyper,
        #[command(flatten)]
        model: ModelArgs,
    },
}

/// Fine-tuning options of the end-to-end classifiers (encoder and head trained together).
#[derive(Debug, Clone, clap::Args)]
pub struct TuneArgs {
    #[arg(long, default_value_t = TunedOptions::default().epochs, value_parser = super::at_least_one)]
    pub epochs: usize,
    /// Peak learning rate of the encoder.
    #[arg(long, default_value_t = TunedOptions::default().lr, value_parser = super::learning_rate)]
    pub lr: f64,
    /// Peak learning rate of the new head.
    #[arg(long, default_value_t = TunedOptions::default().head_lr, value_parser = super::learning_rate)]
    pub head_lr: f64,
    #[arg(long, default_value_t = TunedOptions::default().batch_size, value_parser = super::at_least_one)]
    pub train_batch: usize,
    /// Class weights in the loss: (mean count / class count)^balance.
    #[arg(long, default_value_t = TunedOptions::default().balance, value_parser = super::non_negative_f64)]
    pub balance: f64,
    #[arg(long, default_value_t = TunedOptions::default().seed)]
    pub seed: u64,
}

impl TuneArgs {
    fn options(&self) -> TunedOptions {
        TunedOptions {
            epochs: self.epochs,
            lr: self.lr,
            head_lr: self.head_lr,
            batch_size: self.train_batch,
            balance: self.balance,
            seed: self.seed,
            ..TunedOptions::default()
        }
    }
}

/// Hyper-parameters; the defaults per task are the ones the shipped heads were trained with
/// (chosen on the validation split).
#[derive(Debug, Clone, clap::Args)]
pub struct Hyper {
    /// Hidden units (0: softmax regression). Default: 128 for stance, 32 for confidence.
    #[arg(long)]
    pub hidden: Option<usize>,
    /// L2 penalty. Default: 1e-4 for stance, 0.1 for confidence.
    #[arg(long, value_parser = super::non_negative)]
    pub l2: Option<f32>,
    #[arg(long, default_value_t = 1e-3, value_parser = super::positive)]
    pub lr: f32,
    #[arg(long, default_value_t = 60, value_parser = super::at_least_one)]
    pub max_epochs: usize,
    #[arg(long, default_value_t = 8)]
    pub patience: usize,
    #[arg(long, default_value_t = 13)]
    pub seed: u64,
    /// Scale of the hand-made features against the embedding dimensions after standardising.
    /// Default: 1 for stance, 10 for confidence.
    #[arg(long, value_parser = super::positive)]
    pub emphasis: Option<f32>,
}

impl Hyper {
    fn config(&self, hidden: usize, l2: f32, emphasis: f32, extra_from: usize) -> TrainConfig {
        TrainConfig {
            emphasis: Some((extra_from, self.emphasis.unwrap_or(emphasis))),
            hidden: self.hidden.unwrap_or(hidden),
            l2: self.l2.unwrap_or(l2),
            lr: self.lr,
            max_epochs: self.max_epochs,
            patience: self.patience,
            seed: self.seed,
            ..TrainConfig::default()
        }
    }
}

fn write_card(path: &std::path::Path, card: &serde_json::Value) -> Result<()> {
    let card_path = crate::classify::card_path(path);
    let text = serde_json::to_string_pretty(card)?;
    crate::outfile::write_whole(&card_path, (text + "\n").as_bytes())?;
    eprintln!("wrote {} and {}", path.display(), card_path.display());
    Ok(())
}

/// What a fine-tuning run did, on stderr.
fn print_trained(report: &crate::classify::tuned::TunedReport) {
    eprintln!(
        "trained: {} steps, {:.0} s; loss {:?}",
        report.steps, report.seconds, report.loss_curve
    );
}

/// A freshly written model's figures on both halves of the labelled set, on stderr.
fn print_halves(score: impl Fn(&str) -> Result<crate::devset::LabelScore>) -> Result<()> {
    for half in ["dev", "test"] {
        let s = score(half)?;
        eprintln!(
            "labelled set {half}: macro-F1 {:.3}, accuracy {:.3}",
            s.macro_f1, s.accuracy
        );
    }
    Ok(())
}

pub(super) fn command_line() -> String {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| shell_word(&a.to_string_lossy()).into_owned())
        .collect();
    format!("claimscope {}", args.join(" "))
}

/// `word` as a shell reads it back: a card's command is pasted into a shell to reproduce the
/// model, so a path with a space or a quote in it is quoted.
fn shell_word(word: &str) -> std::borrow::Cow<'_, str> {
    // Only a NUL byte is refused, and an argument cannot hold one.
    shlex::try_quote(word).unwrap_or(std::borrow::Cow::Borrowed(word))
}

impl TrainCommand {
    /// The model directory the command writes, for those that write one (the others write a
    /// head file and its card, each atomically by itself).
    fn output_dir_mut(&mut self) -> Option<&mut PathBuf> {
        match self {
            Self::Judge { output, .. }
            | Self::JudgePair { output, .. }
            | Self::StancePair { output, .. }
            | Self::ConfidenceTuned { output, .. }
            | Self::Average { output, .. } => Some(output),
            Self::StanceBody { output, .. } => output.as_mut(),
            Self::Stance { .. } | Self::Confidence { .. } => None,
        }
    }

    /// The head file the command writes (its card beside it, `NAME.json`), for those that
    /// write one.
    fn head_output(&self) -> Option<&Path> {
        match self {
            Self::Stance { output, .. } | Self::Confidence { output, .. } => Some(output),
            _ => None,
        }
    }
}

/// The cards of the model directories `train` writes: a directory holding one is a model.
const MODEL_CARDS: [&str; 4] = [
    judge::CARD,
    judge::pair::CARD,
    crate::classify::stance::pair::CARD,
    crate::classify::confidence::tuned::CARD,
];

/// `train average` takes model directories of one kind it can average, each known by its
/// card: a missing directory, one that is no model, a kind it cannot average or a mix of kinds
/// is named before anything is loaded (the first directory's kind was assumed, and a
/// misspelt path was reported as a missing `confidence-tuned.json`).
fn check_average_kinds(dirs: &[PathBuf]) -> Result<()> {
    let averaged: Vec<&str> = MODEL_CARDS
        .into_iter()
        .filter(|c| *c != judge::pair::CARD)
        .collect();
    let mut kinds = Vec::with_capacity(dirs.len());
    for d in dirs {
        if !d.is_dir() {
            return Err(Error::Input(format!(
                "{}: does not exist or is not a directory; `train average` takes the model \
                 directories of runs of one kind",
                d.display()
            )));
        }
        if d.join(judge::pair::CARD).is_file() {
            return Err(Error::Input(format!(
                "{}: a cross-encoder judge (`train judge-pair`); `train average` averages \
                 judges (`train judge`), stance pair models and fine-tuned confidence models",
                d.display()
            )));
        }
        let Some(card) = averaged.iter().find(|c| d.join(c).is_file()) else {
            return Err(Error::Input(format!(
                "{}: holds no model card ({}); `train average` takes directories that `train \
                 judge`, `train stance-pair` or `train confidence-tuned` wrote",
                d.display(),
                averaged.join(", ")
            )));
        };
        kinds.push(*card);
    }
    if kinds.iter().any(|k| *k != kinds[0]) {
        let each: Vec<String> = dirs
            .iter()
            .zip(&kinds)
            .map(|(d, k)| format!("{} ({k})", d.display()))
            .collect();
        return Err(Error::Input(format!(
            "models of different kinds cannot be averaged: {}",
            each.join(", ")
        )));
    }
    Ok(())
}

/// The FNC-1 train stories (by parity) the stance pair models in `dirs` saw, together: `eval
/// stance` chooses its FNC-1 gate on the others, so a soup of runs that saw both has none left.
fn soup_fnc1_seen(dirs: &[PathBuf]) -> Result<Option<crate::classify::stance::bags::Parity>> {
    use crate::classify::stance::{bags, pair};
    let mut seen: Option<(bags::Parity, &PathBuf)> = None;
    for d in dirs {
        let path = d.join(pair::CARD);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let fields: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text)
            .map_err(|e| {
                Error::Model(format!(
                    "{}: not a readable model card: {e}",
                    path.display()
                ))
            })?;
        let Some(p) = pair::fnc1_seen(&fields, &path)? else {
            continue;
        };
        match seen {
            Some((q, first)) if q != p => {
                return Err(Error::Input(format!(
                    "{} saw FNC-1 train's {} stories and {} its {} ones: their soup would have \
                     seen both, leaving `eval stance` no FNC-1 train story to choose its gate \
                     on; average runs that saw one parity (or none)",
                    first.display(),
                    q.as_str(),
                    d.display(),
                    p.as_str()
                )));
            }
            Some(_) => {}
            None => seen = Some((p, d)),
        }
    }
    Ok(seen.map(|(p, _)| p))
}

/// Refuses, before any training, a head output that cannot take the head and its card: a
/// directory, or a `.json` name (the card, `NAME.json`, would be written over the head).
fn check_head_output(head: &Path) -> Result<()> {
    if head.is_dir() {
        return Err(Error::Input(format!(
            "{}: is a directory; give the head's file name (e.g. {})",
            head.display(),
            head.join("head.safetensors").display()
        )));
    }
    if crate::classify::card_path(head) == head {
        return Err(Error::Input(format!(
            "{}: the model card is written beside the head as NAME.json, which would replace \
             the head itself; give a .safetensors name (e.g. {})",
            head.display(),
            head.with_extension("safetensors").display()
        )));
    }
    Ok(())
}

/// Runs a training command. A model directory is written under a temporary name beside the
/// destination and swapped in only when the run has finished (`outfile::StagedDir`): a run
/// that fails or is stopped after an hour leaves the model that was there before, whole.
pub fn run(cmd: &TrainCommand) -> Result<()> {
    let mut cmd = cmd.clone();
    if let Some(head) = cmd.head_output() {
        check_head_output(head)?;
    }
    let Some(out) = cmd.output_dir_mut() else {
        return train(&cmd, &mut false);
    };
    let destination = out.clone();
    // A directory there is replaced only when it is a model (or empty).
    let stage = crate::outfile::StagedDir::begin(&destination, &MODEL_CARDS)?;
    *out = stage.path().to_path_buf();
    let mut judge_written = false;
    train(&cmd, &mut judge_written)?;
    stage.commit()?;
    eprintln!("wrote {}", destination.display());
    if judge_written {
        eprintln!(
            "choose its threshold on the dev half: claimscope eval claims --judge {} --save-threshold",
            destination.display()
        );
    }
    Ok(())
}

/// The command's work, writing to the output it names; `judge_written` is set when that
/// output is a judge without its threshold (a soup), which `run` names once it is in place.
fn train(cmd: &TrainCommand, judge_written: &mut bool) -> Result<()> {
    let term = super::Terminal::default();
    let start = Instant::now();
    match cmd {
        TrainCommand::Judge {
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
        } => {
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
                        "--objective groups trains on hand-labelled stories: add --gold train"
                            .into(),
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
                let (vars, report) =
                    judge::train_groups(&files, &embedder, &stories, &opts, &term)?;
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
        TrainCommand::Stance {
            data,
            fnc1,
            no_fnc1,
            in_domain,
            devset,
            in_domain_repeat,
            output,
            hyper,
            model,
        } => {
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
            let clf =
                stance::StanceModel::Head(Box::new(stance::StanceClassifier::load(output, &id)?));
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
        TrainCommand::JudgePair {
            devset,
            stories,
            hard,
            random,
            judge_precision,
            output,
            tune,
            model,
        } => {
            use crate::judge::pair::{self, PairJudge, PairSampling};
            use crate::judge::train::LabelledStory;
            let devset = devset.clone().unwrap_or_else(crate::devset::default_dir);
            let set = crate::devset::DevSet::load(&devset)?;
            let chosen = train_split(&set, stories)?;
            let train_stories: Vec<LabelledStory> =
                chosen.iter().map(|s| LabelledStory::of(s)).collect();
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
        TrainCommand::StancePair {
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
        } => {
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
            let variants =
                crate::devset::claim_variants(&train_stories, *claim_variants, tune.seed)?;
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
            let loaded =
                pair::StancePairModel::load(output, &crate::embed::EmbedderOptions::default())?;
            let loaded = stance::StanceModel::Pair(Box::new(loaded));
            print_halves(|half| {
                crate::devset::evaluate_stance(&set.split(half), &embedder, &loaded, &term)
            })
        }
        TrainCommand::StanceBody {
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
        } => {
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
            let set = crate::devset::DevSet::load(
                &devset.clone().unwrap_or_else(crate::devset::default_dir),
            )?;
            let embedder = model.load()?;
            let start_model =
                pair::StancePairModel::load(from, &crate::embed::EmbedderOptions::default())?;
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
            let [fit, held_out] =
                bags::fnc1_bags(&fnc1, &held, *bodies, *max_pairs, &embedder, &term)?;
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
                    let (w, b, report) =
                        bags::refit(w0, b0, &fit_bags, &opts, &crate::observe::Silent)?;
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
        TrainCommand::ConfidenceTuned {
            data,
            devset,
            gold_repeat,
            hedges,
            stories,
            output,
            tune,
            model,
        } => {
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
            let loaded =
                tuned::TunedConfidence::load(output, &crate::embed::EmbedderOptions::default())?;
            let loaded = confidence::ConfidenceModel::Tuned(Box::new(loaded));
            print_halves(|half| {
                crate::devset::evaluate_confidence(&set.split(half), &embedder, &loaded, &term)
            })
        }
        TrainCommand::Average {
            dirs,
            weights,
            devset,
            output,
            model,
        } => {
            use crate::classify::confidence::tuned;
            use crate::classify::stance::pair;
            let weights = if weights.is_empty() {
                vec![1.0; dirs.len()]
            } else {
                weights.clone()
            };
            check_average_kinds(dirs)?;
            let mut card = json!({"command": command_line()});
            if dirs[0].join(crate::judge::CARD).is_file() {
                // A judge's figures come with its threshold, chosen on the dev half by `eval
                // claims`, as for a judge `train judge` writes.
                crate::judge::average(dirs, &weights, output, &card)?;
                *judge_written = true;
                return Ok(());
            }
            // One kind, checked above.
            let kind = if dirs[0].join(pair::CARD).is_file() {
                &pair::KIND
            } else {
                &tuned::KIND
            };
            let set = crate::devset::DevSet::load(
                &devset.clone().unwrap_or_else(crate::devset::default_dir),
            )?;
            if kind.card == pair::CARD {
                // A run that saw FNC-1 train stories of one parity makes the soup see them.
                if let Some(p) = soup_fnc1_seen(dirs)? {
                    card[crate::classify::stance::bags::SEEN_FIELD] = p.as_str().into();
                }
            }
            crate::classify::tuned::average(kind, dirs, &weights, output, &card)?;
            let embedder = model.load()?;
            let opts = crate::embed::EmbedderOptions::default();
            if kind.card == pair::CARD {
                let loaded = stance::StanceModel::Pair(Box::new(pair::StancePairModel::load(
                    output, &opts,
                )?));
                print_halves(|half| {
                    crate::devset::evaluate_stance(&set.split(half), &embedder, &loaded, &term)
                })
            } else {
                let loaded = confidence::ConfidenceModel::Tuned(Box::new(
                    tuned::TunedConfidence::load(output, &opts)?,
                ));
                print_halves(|half| {
                    crate::devset::evaluate_confidence(&set.split(half), &embedder, &loaded, &term)
                })
            }
        }
        TrainCommand::Confidence {
            data,
            in_domain,
            devset,
            in_domain_repeat,
            output,
            hyper,
            model,
        } => {
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
                crate::devset::confidence_sentences(
                    &crate::devset::DevSet::load(&d)?.split("train"),
                )?
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
            let clf = confidence::ConfidenceModel::Head(Box::new(
                confidence::ConfidenceClassifier::load(output, &id)?,
            ));
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
    }
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Objective {
    Groups,
    Pairs,
}

/// The judge's model directory and its card (`judge.json`).
fn write_judge(
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

/// The labelled set's train stories, or only those named (each must be one of them).
fn train_split<'a>(
    set: &'a crate::devset::DevSet,
    only: &[String],
) -> Result<Vec<&'a crate::devset::DevStory>> {
    let train = set.split("train");
    if let Some(missing) = only
        .iter()
        .find(|id| !train.iter().any(|s| &s.meta.story == *id))
    {
        return Err(Error::Input(format!(
            "--stories: no train story {missing:?} in {}",
            set.dir.display()
        )));
    }
    Ok(train
        .into_iter()
        .filter(|s| only.is_empty() || only.contains(&s.meta.story))
        .collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_soup_sees_the_fnc1_stories_its_runs_saw_and_not_both_halves() {
        use crate::classify::stance::{bags::Parity, pair};
        let tmp = tempfile::tempdir().expect("temp dir");
        let run = |name: &str, seen: serde_json::Value| {
            let d = tmp.path().join(name);
            std::fs::create_dir(&d).expect("dir");
            let card = serde_json::json!({ "fnc1_train_bodies_seen": seen });
            std::fs::write(d.join(pair::CARD), card.to_string()).expect("card");
            d
        };
        let (plain, even, odd, bad) = (
            run("plain", serde_json::Value::Null),
            run("even", "even".into()),
            run("odd", "odd".into()),
            run("bad", "both".into()),
        );
        let seen = |dirs: &[&std::path::PathBuf]| {
            let dirs: Vec<_> = dirs.iter().map(|d| d.to_path_buf()).collect();
            super::soup_fnc1_seen(&dirs)
        };
        assert_eq!(seen(&[&plain, &plain]).expect("none"), None);
        assert_eq!(seen(&[&plain, &even]).expect("even"), Some(Parity::Even));
        assert_eq!(seen(&[&odd, &plain, &odd]).expect("odd"), Some(Parity::Odd));
        let both = seen(&[&even, &plain, &odd]).expect_err("both halves");
        assert!(both.to_string().contains("no FNC-1 train story"), "{both}");
        let bad = seen(&[&bad]).expect_err("not a parity");
        assert!(
            bad.to_string().contains("must be \"even\" or \"odd\""),
            "{bad}"
        );
    }

    #[test]
    fn a_card_command_quotes_what_a_shell_would_split() {
        assert_eq!(
            super::shell_word("tests/data/devset/rewordings"),
            "tests/data/devset/rewordings"
        );
        // A shell expands `$HOME` inside double quotes too: only single quotes keep it.
        assert!(super::shell_word("$HOME").starts_with('\''));
        for word in ["my data/rewordings", "it's", "a\"b", ""] {
            let quoted = super::shell_word(word);
            assert_eq!(
                shlex::split(&quoted).expect("splits"),
                vec![word.to_string()],
                "{word:?} -> {quoted}"
            );
        }
    }
}
