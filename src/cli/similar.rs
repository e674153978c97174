//! `claimscope similar A B` and `claimscope similar QUERY --corpus FILE... -k 10`.

use std::path::{Path, PathBuf};

use super::{ModelArgs, TableOrJson, Terminal};
use crate::error::{Error, Result};
use crate::index::SearchConfig;
use crate::index::query::{IndexHit, QueryOptions};
use crate::report::shown;

use crate::similar::{self, CorpusHit, CorpusSearch};

#[derive(Debug, clap::Args)]
pub struct SimilarArgs {
    /// Two texts to compare, or one query with --corpus.
    #[arg(required = true, num_args = 1..=2)]
    pub texts: Vec<String>,
    /// Files of texts to search (one per line, or JSONL with "text"): exact search.
    #[arg(long, num_args = 1..)]
    pub corpus: Vec<PathBuf>,
    /// An index built by `claimscope index build` to search (exact or HNSW, as stored).
    #[arg(long, conflicts_with = "corpus")]
    pub index: Option<PathBuf>,
    /// Only results from this outlet, its case ignored (repeatable; with --index).
    #[arg(long, conflicts_with = "corpus")]
    pub outlet: Vec<String>,
    /// No results from this outlet, its case ignored (repeatable; with --index).
    #[arg(long, conflicts_with = "corpus")]
    pub exclude_outlet: Vec<String>,
    /// Only results with at least this cosine.
    #[arg(long, value_parser = super::cosine)]
    pub min_score: Option<f32>,
    /// How many neighbours to print.
    #[arg(short, long, default_value_t = 10, value_parser = super::at_least_one)]
    pub k: usize,
    #[arg(long, value_enum, default_value = "table")]
    pub format: TableOrJson,
    /// How the --corpus files are read.
    #[command(flatten)]
    pub records: super::RecordArgs,
    /// Same-claim judge for two texts (default: the shipped models/judge).
    #[arg(long)]
    pub judge: Option<PathBuf>,
    /// The judge's arithmetic (its threshold was chosen with int8).
    #[arg(long, value_enum, default_value = "int8")]
    pub judge_precision: super::PrecisionArg,
    /// Judge two texts by the cosine rule only.
    #[arg(long, conflicts_with = "judge")]
    pub no_judge: bool,
    #[command(flatten)]
    pub model: ModelArgs,
}

pub fn run(args: &SimilarArgs) -> Result<()> {
    // An outlet both asked for and left out leaves nothing of it: said, not an empty result.
    if let Some(both) = args.outlet.iter().find(|o| {
        args.exclude_outlet
            .iter()
            .any(|x| x.eq_ignore_ascii_case(o))
    }) {
        return Err(Error::Input(format!(
            "--outlet {both} and --exclude-outlet {both} contradict each other: keep one"
        )));
    }
    if args.texts.iter().any(|t| t.trim().is_empty()) {
        return Err(Error::Input(
            "an empty text has no meaning to compare; give some words".into(),
        ));
    }
    match (args.texts.as_slice(), args.corpus.is_empty()) {
        ([a, b], true) => {
            // Search flags with two texts would be ignored without a word.
            let search = [
                ("--index", args.index.is_some()),
                ("--outlet", !args.outlet.is_empty()),
                ("--exclude-outlet", !args.exclude_outlet.is_empty()),
                ("--min-score", args.min_score.is_some()),
            ];
            if let Some((flag, _)) = search.iter().find(|(_, given)| *given) {
                return Err(Error::Input(format!(
                    "{flag} belongs to a search (one text with --index or --corpus); two texts \
                     are compared with each other: drop {flag}, or give one text"
                )));
            }
            super::given_judge(args.judge.as_deref())?;
            let emb = args.model.load()?;
            let score = similar::compare(&emb, a, b, &Terminal::default())?;
            let judge_dir = match (&args.judge, args.no_judge) {
                (Some(d), _) => Some(d.clone()),
                (None, false) => crate::judge::default_dir(),
                (None, true) => None,
            };
            let verdict = match &judge_dir {
                Some(d) => {
                    let j = crate::judge::Judge::load(
                        d,
                        &args.model.options(args.judge_precision.into()),
                    )?;
                    Some(j.judge(a, b)?)
                }
                None => None,
            };
            // Without a judge, the decision is match's cosine rule (its default floor).
            let floor = crate::grouping::GroupingConfig::default().floor;
            match args.format {
                TableOrJson::Json => {
                    let v = match verdict {
                        Some(v) => serde_json::json!({
                            "a": a, "b": b, "cosine": score,
                            "same_claim": v.probability,
                            "judge": v,
                        }),
                        None => serde_json::json!({
                            "a": a, "b": b, "cosine": score,
                            "same_claim": score >= floor,
                            "rule": format!("cosine >= {floor}"),
                        }),
                    };
                    outln!("{v}")?
                }
                TableOrJson::Table => {
                    outln!("{score:.4}")?;
                    match verdict {
                        // The comparison as it came out, as for the cosine rule below.
                        Some(v) => outln!(
                            "same claim: {} (judge cosine {} {} threshold {}, probability {:.2})",
                            if v.same_claim { "yes" } else { "no" },
                            beside(v.cosine, v.threshold),
                            if v.same_claim { ">=" } else { "<" },
                            v.threshold,
                            v.probability
                        )?,
                        // The comparison as it came out, not the rule alone: "no (cosine >=
                        // 0.67)" read as though the rule had passed.
                        None => {
                            let (answer, op) = if score >= floor {
                                ("yes", ">=")
                            } else {
                                ("no", "<")
                            };
                            outln!(
                                "same claim: {answer} (cosine {} {op} {floor}, the cosine rule; \
                                 no judge)",
                                beside(score, floor)
                            )?
                        }
                    }
                }
            }
            Ok(())
        }
        ([query], true) => match &args.index {
            Some(path) => search_index(args, path, query),
            None => Err(Error::Input(
                "one text given: pass a second text to compare with, or --corpus FILE / --index DIR to search".into(),
            )),
        },
        ([query], false) => {
            let term = Terminal::default();
            let records = similar::read_corpus(&args.corpus, args.records.options(), &term)?;
            let emb = args.model.load()?;
            let opts = CorpusSearch {
                k: args.k,
                min_score: args.min_score,
            };
            let hits = similar::search_corpus(&records, query, &emb, &opts, &term)?;
            print_hits(query, &hits, args.format)
        }
        _ => Err(Error::Input(
            "with --corpus, give exactly one query text".into(),
        )),
    }
}

/// Nearest sentences of an index, filtered by outlet and score.
fn search_index(args: &SimilarArgs, path: &Path, query: &str) -> Result<()> {
    // The query is embedded as the index's sentences were.
    let emb = args.model.load_at(super::index::index_precision(path)?)?;
    let store = super::index::open_to_read(path, &emb.model_id()?)?;
    let opts = QueryOptions {
        k: args.k,
        outlets: args.outlet.clone(),
        exclude_outlets: args.exclude_outlet.clone(),
        min_score: args.min_score,
    };
    let hits: Vec<IndexHit> = similar::search_index(
        &store,
        &emb,
        query,
        &opts,
        &SearchConfig::default(),
        &Terminal::default(),
    )?;
    match args.format {
        TableOrJson::Json => {
            let v = serde_json::json!({"query": query, "index": path, "results": hits});
            outln!("{}", serde_json::to_string_pretty(&v)?)?;
        }
        TableOrJson::Table => {
            outln!(
                "{:>4}  {:>6}  {:<20} {:<24}  text",
                "rank",
                "score",
                "outlet",
                "doc [start..end]"
            )?;
            for h in &hits {
                let at = format!("{} [{}..{}]", shown(&h.doc), h.start, h.end);
                outln!(
                    "{:>4}  {:>6.4}  {:<20} {:<24}  {}",
                    h.rank,
                    h.score,
                    shown(short(&h.outlet)),
                    at,
                    shown(&h.text)
                )?;
            }
        }
    }
    Ok(())
}

fn print_hits(query: &str, hits: &[CorpusHit], format: TableOrJson) -> Result<()> {
    match format {
        TableOrJson::Json => {
            let v = serde_json::json!({"query": query, "results": hits});
            outln!("{}", serde_json::to_string_pretty(&v)?)?;
        }
        TableOrJson::Table => {
            // Records that say where they sit (segment's JSONL) get the index table's outlet and
            // document columns beside the line they were read from.
            let provenance = hits.iter().any(CorpusHit::has_provenance);
            let columns = |outlet: &str, at: &str| {
                if provenance {
                    format!("{outlet:<20} {at:<24}  ")
                } else {
                    String::new()
                }
            };
            outln!(
                "{:>4}  {:>6}  {:<24}  {}text",
                "rank",
                "score",
                "source:line",
                columns("outlet", "doc [start..end]")
            )?;
            let or_dash = |n: Option<u64>| n.map_or_else(|| "-".into(), |n| n.to_string());
            for h in hits {
                let src = format!("{}:{}", shown(short(&h.source)), h.line);
                let at = format!(
                    "{} [{}..{}]",
                    shown(h.doc.as_deref().unwrap_or("-")),
                    or_dash(h.start),
                    or_dash(h.end)
                );
                let outlet = shown(short(h.outlet.as_deref().unwrap_or("-")));
                outln!(
                    "{:>4}  {:>6.4}  {:<24}  {}{}",
                    h.rank,
                    h.score,
                    src,
                    columns(&outlet, &at),
                    shown(&h.text)
                )?;
            }
        }
    }
    Ok(())
}

/// `score` to four decimals, or as many more as it takes to stay on its side of `floor`
/// (0.66996 shown as 0.6700 would read as >= 0.67).
fn beside(score: f32, floor: f32) -> String {
    let above = score >= floor;
    (4..=9)
        .map(|digits| format!("{score:.digits$}"))
        .find(|s| s.parse::<f32>().is_ok_and(|x| (x >= floor) == above))
        .unwrap_or_else(|| score.to_string())
}

fn short(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::beside;

    #[test]
    fn a_cosine_is_shown_on_its_side_of_the_floor() {
        assert_eq!(beside(0.53, 0.67), "0.5300");
        assert_eq!(beside(0.81234, 0.67), "0.8123");
        // Four decimals would round it up to the floor and read as passing.
        assert_eq!(beside(0.669_96, 0.67), "0.66996");
        assert_eq!(beside(0.67, 0.67), "0.6700");
    }
}
