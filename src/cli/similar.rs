//! `claimscope similar A B` and `claimscope similar QUERY --corpus FILE... -k 10`.

use std::path::PathBuf;

use serde::Serialize;

use super::{ModelArgs, TableOrJson};
use crate::embed::cosine;
use crate::error::{Error, Result};
use crate::records::{ReadOptions, read_all};

#[derive(Debug, clap::Args)]
pub struct SimilarArgs {
    /// Two texts to compare, or one query with --corpus.
    #[arg(required = true, num_args = 1..=2)]
    pub texts: Vec<String>,
    /// Files of texts to search (one per line, or JSONL with "text"): exact search.
    #[arg(long, num_args = 1..)]
    pub corpus: Vec<PathBuf>,
    /// How many neighbours to print.
    #[arg(short, long, default_value_t = 10)]
    pub k: usize,
    #[arg(long, value_enum, default_value = "table")]
    pub format: TableOrJson,
    #[command(flatten)]
    pub model: ModelArgs,
}

#[derive(Debug, Serialize)]
pub struct Hit {
    pub rank: usize,
    pub score: f32,
    pub text: String,
    pub source: String,
    pub line: usize,
}

pub fn run(args: &SimilarArgs) -> Result<()> {
    if args.texts.iter().any(|t| t.trim().is_empty()) {
        return Err(Error::Input(
            "an empty text has no meaning to compare; give some words".into(),
        ));
    }
    match (args.texts.as_slice(), args.corpus.is_empty()) {
        ([a, b], true) => {
            let emb = args.model.load()?;
            let out = emb.embed(&[a.as_str(), b.as_str()])?;
            let score = cosine(
                out.vectors.row(0).as_slice().unwrap_or(&[]),
                out.vectors.row(1).as_slice().unwrap_or(&[]),
            );
            match args.format {
                TableOrJson::Json => {
                    println!("{}", serde_json::json!({"a": a, "b": b, "cosine": score}))
                }
                TableOrJson::Table => println!("{score:.4}"),
            }
            warn_truncated(&out.truncated, &["A", "B"], emb.info().max_seq_length);
            Ok(())
        }
        ([query], false) => {
            let hits = search_corpus(args, query)?;
            print_hits(query, &hits, args.format)
        }
        ([_], true) => Err(Error::Input(
            "one text given: pass a second text to compare with, or --corpus FILE to search".into(),
        )),
        _ => Err(Error::Input(
            "with --corpus, give exactly one query text".into(),
        )),
    }
}

fn warn_truncated(idx: &[usize], names: &[&str], max: usize) {
    for &i in idx {
        eprintln!(
            "warning: text {} is longer than {max} tokens and was truncated",
            names.get(i).unwrap_or(&"?")
        );
    }
}

/// Exact search: corpus sizes given on a command line are small enough that one matrix-vector
/// product beats building any index.
pub fn search_corpus(args: &SimilarArgs, query: &str) -> Result<Vec<Hit>> {
    let (records, stats) = read_all(&args.corpus, ReadOptions::default())?;
    let records: Vec<_> = records
        .into_iter()
        .filter(|r| !r.text.trim().is_empty())
        .collect();
    if records.is_empty() {
        return Err(Error::Input(format!(
            "the corpus has no non-empty texts ({} records read)",
            stats.records
        )));
    }
    let emb = args.model.load()?;
    let q = emb.embed(&[query])?;
    warn_truncated(&q.truncated, &["QUERY"], emb.info().max_seq_length);
    let pb = super::progress(Some(records.len() as u64), "texts");
    let mut scores = Vec::with_capacity(records.len());
    for chunk in records.chunks(1024) {
        let texts: Vec<&str> = chunk.iter().map(|r| r.text.as_str()).collect();
        let out = emb.embed(&texts)?;
        scores.extend(out.vectors.dot(&q.vectors.row(0)).iter().copied());
        pb.inc(chunk.len() as u64);
    }
    pb.finish_and_clear();
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    Ok(order
        .into_iter()
        .take(args.k)
        .enumerate()
        .map(|(rank, i)| Hit {
            rank: rank + 1,
            score: scores[i],
            text: records[i].text.clone(),
            source: records[i].source.clone(),
            line: records[i].line,
        })
        .collect())
}

fn print_hits(query: &str, hits: &[Hit], format: TableOrJson) -> Result<()> {
    match format {
        TableOrJson::Json => {
            let v = serde_json::json!({"query": query, "results": hits});
            println!(
                "{}",
                serde_json::to_string_pretty(&v).map_err(|e| Error::Other(e.to_string()))?
            );
        }
        TableOrJson::Table => {
            println!("{:>4}  {:>6}  {:<24}  text", "rank", "score", "source:line");
            for h in hits {
                let src = format!("{}:{}", short(&h.source), h.line);
                println!("{:>4}  {:>6.4}  {:<24}  {}", h.rank, h.score, src, h.text);
            }
        }
    }
    Ok(())
}

fn short(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}
