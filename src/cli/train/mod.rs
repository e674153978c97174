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

mod average;
mod confidence_cmd;
mod judge_cmd;
mod stance_cmd;

use average::AverageArgs;
use confidence_cmd::{ConfidenceArgs, ConfidenceTunedArgs};
use judge_cmd::{JudgeArgs, JudgePairArgs};
use stance_cmd::{StanceArgs, StanceBodyArgs, StancePairArgs};

#[derive(Debug, Clone, clap::Subcommand)]
pub enum TrainCommand {
    /// The stance head over pooled vectors (`--stance-model head`), on Emergent (+ unrelated
    /// pairs) and FNC-1 train.
    Stance(StanceArgs),
    /// The same-claim judge: all-MiniLM-L6-v2 fine-tuned so that sentences of one claim group
    /// of the hand-labelled train stories are close and the rest of their story is not (needs
    /// `--gold train`; with `--objective pairs`, silver cross-outlet pairs mined from FNC-1
    /// train instead); writes a model directory with its card.
    Judge(JudgeArgs),
    /// The same-claim judge as a cross-encoder: all-MiniLM-L6-v2 fine-tuned to read two
    /// sentences together and say whether they assert the same claim, on the labelled set's
    /// train stories (every same-claim cross-document pair, both orders; hard and random
    /// same-story negatives). Writes a model directory with its card; chooses the threshold on
    /// the dev half (written into the card) and prints dev and test pair P/R/F1 beside the base
    /// model's cosine on the same pairs.
    JudgePair(JudgePairArgs),
    /// Stance as a pair model: all-MiniLM-L6-v2 fine-tuned to read claim and sentence together,
    /// on the labelled set's train stories (sentence stance toward each story's claim, plus
    /// sentences paired with other stories' claims as unrelated) and Emergent train headlines;
    /// writes a model directory with its card, and the dev/test figures of the labelled set.
    StancePair(StancePairArgs),
    /// A second head for the stance pair model: stance of a whole FNC-1 body, fitted on FNC-1
    /// train bodies read as bags of sentences (the body's label on the mean of its sentences'
    /// probabilities, as `eval stance` reads a body), the encoder and the sentence head kept as
    /// they are. Prints each setting's figures on the held-out bodies (the other Body ID
    /// parity); writes the model with its body head when one setting is given with --output.
    StanceBody(StanceBodyArgs),
    /// Asserted confidence from a fine-tuned encoder: all-MiniLM-L6-v2 and a four-way head
    /// trained end to end on Pei & Jurgens train and the labelled set's train sentences; writes
    /// a model directory with its card, and the dev/test figures of the labelled set.
    ConfidenceTuned(ConfidenceTunedArgs),
    /// A "model soup": the weighted mean of two or more stance pair models, fine-tuned
    /// confidence models or same-claim judges trained from the same base weights, as one model
    /// directory; prints its dev/test figures on the labelled set (a judge's come from `eval
    /// claims --save-threshold`). The kind is read from the first directory's card.
    Average(AverageArgs),
    /// The confidence head over pooled vectors and cue features (`--confidence-model head`),
    /// on Pei & Jurgens' sentence-level certainty.
    Confidence(ConfidenceArgs),
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
            Self::Judge(a) => Some(&mut a.output),
            Self::JudgePair(a) => Some(&mut a.output),
            Self::StancePair(a) => Some(&mut a.output),
            Self::ConfidenceTuned(a) => Some(&mut a.output),
            Self::Average(a) => Some(&mut a.output),
            Self::StanceBody(a) => a.output.as_mut(),
            Self::Stance(_) | Self::Confidence(_) => None,
        }
    }

    /// The head file the command writes (its card beside it, `NAME.json`), for those that
    /// write one.
    fn head_output(&self) -> Option<&Path> {
        match self {
            Self::Stance(a) => Some(&a.output),
            Self::Confidence(a) => Some(&a.output),
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
        TrainCommand::Stance(a) => stance_cmd::stance(a, term, start),
        TrainCommand::Judge(a) => judge_cmd::judge(a, term),
        TrainCommand::JudgePair(a) => judge_cmd::judge_pair(a, term),
        TrainCommand::StancePair(a) => stance_cmd::stance_pair(a, term),
        TrainCommand::StanceBody(a) => stance_cmd::stance_body(a, term),
        TrainCommand::ConfidenceTuned(a) => confidence_cmd::confidence_tuned(a, term),
        TrainCommand::Average(a) => average::average(a, term, judge_written),
        TrainCommand::Confidence(a) => confidence_cmd::confidence(a, start),
    }
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
            super::average::soup_fnc1_seen(&dirs)
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
