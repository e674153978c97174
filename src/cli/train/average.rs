//! `train average`: a soup, the element-wise mean of fine-tuned runs of one kind.

use super::*;

#[derive(Debug, Clone, clap::Args)]
pub struct AverageArgs {
    /// Model directories written by `train stance-pair`, `train confidence-tuned` or `train
    /// judge`.
    #[arg(required = true, num_args = 2..)]
    pub(super) dirs: Vec<PathBuf>,
    /// One weight per directory (comma-separated; default equal).
    #[arg(long, value_delimiter = ',')]
    pub(super) weights: Vec<f64>,
    /// The labelled set (default tests/data/devset), for the figures.
    #[arg(long)]
    pub(super) devset: Option<PathBuf>,
    #[arg(short, long)]
    pub(super) output: PathBuf,
    #[command(flatten)]
    pub(super) model: ModelArgs,
}

pub(super) fn average(
    args: &AverageArgs,
    term: crate::cli::Terminal,
    judge_written: &mut bool,
) -> Result<()> {
    let AverageArgs {
        dirs,
        weights,
        devset,
        output,
        model,
    } = args;
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
    let set =
        crate::devset::DevSet::load(&devset.clone().unwrap_or_else(crate::devset::default_dir))?;
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
        let loaded =
            stance::StanceModel::Pair(Box::new(pair::StancePairModel::load(output, &opts)?));
        print_halves(|half| {
            crate::devset::evaluate_stance(&set.split(half), &embedder, &loaded, &term)
        })
    } else {
        let loaded = confidence::ConfidenceModel::Tuned(Box::new(tuned::TunedConfidence::load(
            output, &opts,
        )?));
        print_halves(|half| {
            crate::devset::evaluate_confidence(&set.split(half), &embedder, &loaded, &term)
        })
    }
}

/// `train average` takes model directories of one kind it can average, each known by its
/// card: a missing directory, one that is no model, a kind it cannot average or a mix of kinds
/// is named before anything is loaded (the first directory's kind was assumed, and a
/// misspelt path was reported as a missing `confidence-tuned.json`).
pub(super) fn check_average_kinds(dirs: &[PathBuf]) -> Result<()> {
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
pub(super) fn soup_fnc1_seen(
    dirs: &[PathBuf],
) -> Result<Option<crate::classify::stance::bags::Parity>> {
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
