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
    /// An index built by `claimscope index build` to search (exact or HNSW, as stored).
    #[arg(long, conflicts_with = "corpus")]
    pub index: Option<PathBuf>,
    /// Only results from this outlet (repeatable; with --index).
    #[arg(long, conflicts_with = "corpus")]
    pub outlet: Vec<String>,
    /// No results from this outlet (repeatable; with --index).
    #[arg(long, conflicts_with = "corpus")]
    pub exclude_outlet: Vec<String>,
    /// Only results with at least this cosine.
    #[arg(long, value_parser = super::finite)]
    pub min_score: Option<f32>,
    /// How many neighbours to print.
    #[arg(short, long, default_value_t = 10, value_parser = super::at_least_one)]
    pub k: usize,
    #[arg(long, value_enum, default_value = "table")]
    pub format: TableOrJson,
    #[command(flatten)]
    pub model: ModelArgs,
}

#[derive(Debug, Serialize)]
pub struct IndexHit {
    pub rank: usize,
    pub score: f32,
    pub outlet: String,
    pub doc: String,
    pub start: usize,
    pub end: usize,
    pub text: String,
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
        ([query], true) if args.index.is_some() => search_index(args, query),
        ([query], false) => {
            let hits = search_corpus(args, query)?;
            print_hits(query, &hits, args.format)
        }
        ([_], true) => Err(Error::Input(
            "one text given: pass a second text to compare with, or --corpus FILE / --index DIR to search".into(),
        )),
        _ => Err(Error::Input(
            "with --corpus, give exactly one query text".into(),
        )),
    }
}

/// Nearest sentences of an index. Outlet filters over-fetch and filter (records are read only
/// for candidates), widening until `k` pass or the index is exhausted.
fn search_index(args: &SimilarArgs, query: &str) -> Result<()> {
    use crate::index::search::SearchConfig;
    use crate::index::store::Store;
    use crate::segment::Sentence;
    let Some(path) = &args.index else {
        return Ok(());
    };
    let emb = args.model.load()?;
    let store: Store<Sentence> = Store::open(path, Some(&emb.model_id()?))?;
    let q = emb.embed(&[query])?;
    warn_truncated(&q.truncated, &["QUERY"], emb.info().max_seq_length);
    let searcher = store.searcher(&SearchConfig::default())?;
    let filtered =
        !args.outlet.is_empty() || !args.exclude_outlet.is_empty() || args.min_score.is_some();
    let mut fetch = if filtered {
        args.k.saturating_mul(20).max(200)
    } else {
        args.k
    };
    let hits = loop {
        let found = searcher.search(
            q.vectors.row(0).as_slice().unwrap_or(&[]),
            fetch.min(store.len()),
        )?;
        let mut hits = Vec::new();
        // Results come best first: once one is under --min-score, widening cannot help.
        let mut below_min = false;
        for n in &found {
            if args.min_score.is_some_and(|m| n.score < m) {
                below_min = true;
                break;
            }
            let s = store.record(n.id)?;
            if (!args.outlet.is_empty() && !args.outlet.contains(&s.outlet))
                || args.exclude_outlet.contains(&s.outlet)
            {
                continue;
            }
            hits.push(IndexHit {
                rank: hits.len() + 1,
                score: n.score,
                outlet: s.outlet,
                doc: s.doc,
                start: s.start,
                end: s.end,
                text: s.text,
            });
            if hits.len() == args.k {
                break;
            }
        }
        if hits.len() >= args.k || fetch >= store.len() || !filtered || below_min {
            break hits;
        }
        fetch = fetch.saturating_mul(4);
    };
    match args.format {
        TableOrJson::Json => {
            let v = serde_json::json!({"query": query, "index": path, "results": hits});
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        TableOrJson::Table => {
            println!(
                "{:>4}  {:>6}  {:<20} {:<24}  text",
                "rank", "score", "outlet", "doc [start..end]"
            );
            for h in &hits {
                let at = format!("{} [{}..{}]", h.doc, h.start, h.end);
                println!(
                    "{:>4}  {:>6.4}  {:<20} {:<24}  {}",
                    h.rank,
                    h.score,
                    short(&h.outlet),
                    at,
                    h.text
                );
            }
        }
    }
    Ok(())
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
    let term = super::Terminal::default();
    let (records, stats) = read_all(&args.corpus, ReadOptions::default(), &term)?;
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
    let texts: Vec<&str> = records.iter().map(|r| r.text.as_str()).collect();
    let vectors = emb.embed_all(&texts, "texts", &term)?.vectors;
    let scores: Vec<f32> = vectors.dot(&q.vectors.row(0)).to_vec();
    let mut order: Vec<usize> = (0..records.len())
        .filter(|&i| args.min_score.is_none_or(|m| scores[i] >= m))
        .collect();
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
            println!("{}", serde_json::to_string_pretty(&v)?);
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
