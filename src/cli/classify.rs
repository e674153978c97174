//! `claimscope classify`: asserted confidence of every sentence of a corpus, or stance of every
//! sentence toward a claim, or stance of given (claim, text) pairs. Streams: sentences are
//! labelled in chunks as documents arrive, so memory stays flat on big corpora.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::Instant;

use serde_json::{Map, Value, json};

use super::CorpusArgs;
use super::ModelArgs;
use crate::classify::base_vectors;
use crate::classify::confidence::ConfidenceModel;
use crate::classify::stance::StanceModel;
use crate::embed::Embedder;
use crate::error::{Error, Result};
use crate::ingest::Corpus;
use crate::observe::{Observer, Silent};
use crate::records::{ReadOptions, Records};
use crate::report::shown;
use crate::segment::{SegmentOptions, segment};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Task {
    Confidence,
    Stance,
}

impl Task {
    /// As the output field of its label and `claimscope train` name it.
    fn name(self) -> &'static str {
        match self {
            Task::Confidence => "confidence",
            Task::Stance => "stance",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ClassifyFormat {
    Jsonl,
    Csv,
    Table,
    /// A Parquet file (needs -o): one row per labelled sentence, nested values flattened.
    Parquet,
}

impl ClassifyFormat {
    fn extension(self) -> &'static str {
        match self {
            ClassifyFormat::Jsonl => "jsonl",
            ClassifyFormat::Csv => "csv",
            ClassifyFormat::Table => "txt",
            ClassifyFormat::Parquet => "parquet",
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ClassifyArgs {
    #[command(flatten)]
    pub input: CorpusArgs,
    #[arg(long, value_enum)]
    pub task: Task,
    /// Stance: the claim every sentence is labelled against. Only sentences the stance model
    /// (--stance-model: by default the shipped pair model) finds related (stance other than
    /// `unrelated`) are printed, unless --all.
    #[arg(long, conflicts_with = "pairs")]
    pub claim: Option<String>,
    /// Stance: a JSONL file of {"claim", "text"} objects; one output line per input line, same
    /// order, other fields carried through (one named like an output field, such as "stance",
    /// as "input_stance"; blank lines are not records and are skipped).
    /// The pairs are the whole input: corpus paths beside it are refused, not ignored, as are
    /// the corpus's reading flags (the pairs file is UTF-8 JSONL with "claim" and "text").
    #[arg(long, conflicts_with_all = [
        "paths", "sentences", "text_field", "id_field", "outlet_field", "date_field",
        "title_field", "url_field", "lossy", "stdin_format", "outlets", "texts",
    ])]
    pub pairs: Option<PathBuf>,
    /// Each input record (line, or JSONL "text") is one sentence: no segmentation. The
    /// corpus's document flags (ids, outlets, dates, --texts) do not apply and are refused.
    #[arg(long, conflicts_with_all = [
        "id_field", "outlet_field", "date_field", "title_field", "url_field", "stdin_format",
        "outlets", "texts",
    ])]
    pub sentences: bool,
    /// Stance with --claim: print unrelated sentences too.
    #[arg(long)]
    pub all: bool,
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: ClassifyFormat,
    /// Output file (needed by --format parquet; the other formats go to stdout without it).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// A head file (the head over pooled vectors; picks it over the fine-tuned models).
    #[arg(long)]
    pub head: Option<PathBuf>,
    #[command(flatten)]
    pub labels: super::labels::LabelArgs,
    /// Print a label whose probability (the "probability" field) is under this as "uncertain".
    #[arg(long, value_parser = super::unit_interval)]
    pub min_prob: Option<f32>,
    /// With --sentences: skip malformed JSONL lines (counted and reported) instead of stopping;
    /// the output then has fewer lines than the input.
    #[arg(long, requires = "sentences", conflicts_with = "pairs")]
    pub skip_bad: bool,
    /// With --sentences: how lines are read (auto: JSONL for .jsonl/.ndjson files or a first
    /// line that starts with `{`, text otherwise), as `embed` reads them.
    #[arg(long, value_enum, default_value = "auto", requires = "sentences")]
    pub input_format: super::InputFormatArg,
    #[command(flatten)]
    pub model: ModelArgs,
}

/// Sentences are labelled this many at a time.
const CHUNK: usize = 1024;

/// One unit to label: its text, the fields that say where it came from, and the input's own.
struct Item {
    text: String,
    /// Written by the tool (source and line, or the sentence's place): never renamed.
    fields: Map<String, Value>,
    /// The input record's other fields, carried through beside the output's.
    input: Map<String, Value>,
    /// `file:line` of the record, for the warning about renamed fields.
    at: String,
    /// Added to cue offsets so they point into the same document as `start`/`end`.
    offset: usize,
}

enum Labeller {
    Confidence(ConfidenceModel),
    Stance {
        clf: StanceModel,
        claim: String,
        claim_vec: ndarray::Array1<f32>,
        all: bool,
    },
}

struct Writer {
    format: ClassifyFormat,
    out: super::TextOut,
    csv_header: Option<Vec<String>>,
    /// Fields left out of the CSV (each named once, as first met).
    left_out: std::collections::BTreeSet<String>,
    written: usize,
    counts: BTreeMap<String, usize>,
    parquet: Option<crate::tables::ParquetRows>,
    /// Labels whose probability is under this are printed as "uncertain".
    min_prob: Option<f32>,
    /// Input fields renamed because the output writes their names.
    renamed: crate::tables::Renamed,
    /// Texts the model read only in part (longer than its window), and where the first was.
    cut: usize,
    first_cut: Option<String>,
}

impl Writer {
    /// A CSV run that labelled nothing (every sentence unrelated, say) still writes its header,
    /// from `template` (the fields a row would have): a 0-byte file is not a CSV table, and
    /// pandas' `read_csv` refuses it.
    fn header_if_empty(&mut self, template: &Map<String, Value>) -> Result<()> {
        if self.format != ClassifyFormat::Csv || self.written > 0 {
            return Ok(());
        }
        let flat = crate::tables::flatten(template.clone());
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        w.write_record(flat.keys())?;
        self.out
            .write_all(&w.into_inner()?)
            .map_err(|e| self.out.error(e))
    }

    /// Counts the texts of `cut` (one flag per text, in order) that the model read only in
    /// part, keeping the place of the first (`place(i)`).
    fn note_cut(&mut self, cut: &[bool], place: impl Fn(usize) -> String) {
        for (i, _) in cut.iter().enumerate().filter(|(_, c)| **c) {
            self.cut += 1;
            self.first_cut.get_or_insert_with(|| place(i));
        }
    }

    /// The end-of-run warning about texts read only in part, if any: said, not silent, as
    /// `embed` says its truncated texts (a claim of 250 tokens leaves the pair model nothing of
    /// the sentence, and every row would get the claim's label).
    fn cut_warning(&self, embedder: &Embedder, pairs: bool) -> Option<String> {
        let first = self.first_cut.as_deref()?;
        let window = embedder.info().max_seq_length;
        Some(crate::classify::cut_warning(self.cut, first, window, pairs))
    }
}

/// Where an item is, for a warning: its `file:line`, else its document and byte offset.
fn place_of(item: &Item) -> String {
    if !item.at.is_empty() {
        return item.at.clone();
    }
    let doc = item
        .fields
        .get("doc")
        .and_then(Value::as_str)
        .unwrap_or("?");
    let start = item
        .fields
        .get("start")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    format!("document {doc}, byte {start}")
}

/// What a label under `--min-prob` is printed as.
const UNCERTAIN: &str = "uncertain";

fn csv_cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) if a.iter().all(|x| x.get("text").is_some()) => a
            .iter()
            .filter_map(|x| x.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("; "),
        Some(other) => other.to_string(),
    }
}

/// At most `max` characters of `s`, control characters escaped for the terminal.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        shown(s).into_owned()
    } else {
        format!("{}…", shown(&s.chars().take(max - 1).collect::<String>()))
    }
}

impl Writer {
    fn new(format: ClassifyFormat, min_prob: Option<f32>, out: super::TextOut) -> Self {
        Writer {
            format,
            min_prob,
            out,
            csv_header: None,
            left_out: Default::default(),
            written: 0,
            counts: BTreeMap::new(),
            parquet: None,
            renamed: Default::default(),
            cut: 0,
            first_cut: None,
        }
    }

    /// Write a labelled row: `key` holds the label, or "uncertain" when its probability is
    /// under `--min-prob`; "probability" is always there. `own` are the tool's other fields,
    /// `input` the input record's, renamed where the tool writes their names (`at` is the
    /// record's place, for the warning).
    fn labelled(
        &mut self,
        key: &str,
        label: &str,
        probability: f32,
        mut own: Map<String, Value>,
        input: Map<String, Value>,
        at: &str,
    ) -> Result<()> {
        let shown = if self.min_prob.is_some_and(|m| probability < m) {
            UNCERTAIN
        } else {
            label
        };
        own.insert(key.into(), json!(shown));
        own.insert("probability".into(), json!(probability));
        // CSV and Parquet flatten objects, so the names they hold are the flattened ones.
        let flat = matches!(self.format, ClassifyFormat::Csv | ClassifyFormat::Parquet);
        let row =
            crate::tables::with_input(own, input, &[], flat, &mut self.renamed, &|| at.to_string());
        self.row(shown, row)
    }

    fn row(&mut self, label: &str, row: Map<String, Value>) -> Result<()> {
        *self.counts.entry(label.to_string()).or_default() += 1;
        self.written += 1;
        match self.format {
            ClassifyFormat::Jsonl => {
                serde_json::to_writer(&mut self.out, &row)?;
                self.out.write_all(b"\n").map_err(|e| self.out.error(e))
            }
            ClassifyFormat::Parquet => match self.parquet.as_mut() {
                Some(p) => p.push(row, None),
                None => Err(Error::Internal("parquet output not opened".into())),
            },
            ClassifyFormat::Csv => {
                // Nested values (scores, cues) are flattened: scores to one column per class,
                // cues to their words.
                let flat = crate::tables::flatten(row);
                let header = self
                    .csv_header
                    .get_or_insert_with(|| flat.keys().cloned().collect())
                    .clone();
                // Carried-through fields can vary between records; CSV's columns cannot.
                for k in flat.keys().filter(|k| !header.contains(k)) {
                    if self.left_out.insert(k.clone()) {
                        eprintln!(
                            "warning: field {k:?} first appears after the CSV header was written \
                             and is left out of the CSV; use --format jsonl to keep every field"
                        );
                    }
                }
                let mut w = csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(Vec::new());
                if self.written == 1 {
                    w.write_record(&header)?;
                }
                w.write_record(header.iter().map(|k| csv_cell(flat.get(k))))?;
                let bytes = w.into_inner()?;
                self.out.write_all(&bytes).map_err(|e| self.out.error(e))
            }
            ClassifyFormat::Table => {
                let outlet = row.get("outlet").and_then(Value::as_str).unwrap_or("");
                // The model's probability of its label, also under "uncertain" (a class that
                // has no score of its own).
                let score = row
                    .get("score")
                    .or_else(|| row.get("probability"))
                    .and_then(Value::as_f64)
                    .unwrap_or(0.0);
                let cues = csv_cell(row.get("cues"));
                let text = row.get("text").and_then(Value::as_str).unwrap_or("");
                writeln!(
                    self.out,
                    "{label:<9} {score:>5.2}  {:<18} {:<24} {}",
                    clip(outlet, 18),
                    clip(&cues, 24),
                    clip(text, 100)
                )
                .map_err(|e| self.out.error(e))
            }
        }
    }
}

impl Labeller {
    fn label(&self, embedder: &Embedder, items: &[Item], w: &mut Writer) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        let texts: Vec<&str> = items.iter().map(|i| i.text.as_str()).collect();
        // Base-model vectors: the heads read them, and stance prints each text's similarity to
        // the claim; a fine-tuned confidence model reads only the text.
        let needed = match self {
            Labeller::Confidence(c) => c.needs_vectors(),
            Labeller::Stance { .. } => true,
        };
        let vectors = base_vectors(needed, embedder, &texts, &Silent)?;
        match self {
            Labeller::Confidence(c) => {
                w.note_cut(&embedder.truncated(&texts)?, |i| place_of(&items[i]));
                let labels = c.classify(&texts, vectors.view(), &Silent)?;
                for (item, l) in items.iter().zip(labels) {
                    let mut row = item.fields.clone();
                    row.insert("score".into(), json!(l.score));
                    let cues: Vec<Value> = l
                        .cues
                        .iter()
                        .map(|c| {
                            json!({"text": c.text, "start": c.start + item.offset, "end": c.end + item.offset,
                                   "level": c.level, "kind": c.kind, "main_clause": c.main_clause})
                        })
                        .collect();
                    row.insert("cues".into(), Value::Array(cues));
                    // Always present (null when a proposition is asserted), so CSV columns,
                    // fixed by the first row, never drop it.
                    row.insert("reason".into(), json!(l.reason));
                    w.labelled(
                        "confidence",
                        l.confidence.as_str(),
                        l.probability,
                        row,
                        item.input.clone(),
                        &item.at,
                    )?;
                }
            }
            Labeller::Stance {
                clf,
                claim,
                claim_vec,
                all,
            } => {
                let claims = vec![claim.as_str(); texts.len()];
                w.note_cut(&clf.cut(embedder, &claims, &texts)?, |i| {
                    place_of(&items[i])
                });
                let labels =
                    clf.toward(claim, claim_vec.view(), &texts, vectors.view(), &Silent)?;
                for ((item, l), v) in items.iter().zip(labels).zip(vectors.rows()) {
                    if !all && !l.related() {
                        *w.counts
                            .entry("unrelated (not printed)".into())
                            .or_default() += 1;
                        continue;
                    }
                    let mut row = item.fields.clone();
                    row.insert("scores".into(), json!(l.scores));
                    row.insert("similarity".into(), json!(v.dot(claim_vec)));
                    w.labelled(
                        "stance",
                        l.stance.as_str(),
                        l.probability,
                        row,
                        item.input.clone(),
                        &item.at,
                    )?;
                }
            }
        }
        Ok(())
    }
}

/// Flags that mean nothing for the task asked, refused before the model is loaded.
fn check_task_flags(args: &ClassifyArgs) -> Result<()> {
    super::labels::given_head("--head", args.head.as_deref(), args.task.name())?;
    if args.task == Task::Stance && args.claim.is_none() && args.pairs.is_none() {
        return Err(Error::Input(
            "--task stance needs --claim \"TEXT\" (label a corpus against it) or --pairs FILE.jsonl ({\"claim\", \"text\"} per line)".into(),
        ));
    }
    if args.task == Task::Confidence && (args.claim.is_some() || args.pairs.is_some()) {
        return Err(Error::Input(
            "--claim and --pairs belong to --task stance; confidence needs only the corpus".into(),
        ));
    }
    // Accepted silently, --all would let a user believe some sentences had been held back.
    if args.all && args.claim.is_none() {
        let instead = match args.task {
            Task::Confidence => "--task confidence prints every sentence already",
            Task::Stance => "--pairs prints a label for every line already",
        };
        return Err(Error::Input(format!(
            "--all is for --task stance with --claim: it prints the sentences the stance model \
             finds unrelated to the claim too; {instead}, so drop --all"
        )));
    }
    Ok(())
}

pub fn run(args: &ClassifyArgs) -> Result<()> {
    check_task_flags(args)?;
    let start = Instant::now();
    // Every input the output must not overwrite.
    let inputs = || {
        let mut inputs = if args.pairs.is_none() {
            args.input.files()
        } else {
            Vec::new()
        };
        inputs.extend(args.pairs.iter().chain(&args.head).cloned());
        inputs
    };
    let out = super::TextOut::open(
        args.output.as_deref(),
        args.format == ClassifyFormat::Parquet,
        args.format.extension(),
        inputs,
    )?;
    let mut w = Writer::new(args.format, args.min_prob, out);
    let mut template = crate::segment::sentence_template();
    template.insert(args.task.name().into(), json!(""));
    template.insert("probability".into(), json!(0.5));
    // The fields of a row, for the header of a CSV with no row.
    let mut csv_template = if args.pairs.is_some() {
        let mut t = Map::new();
        t.insert("claim".into(), json!(""));
        t.insert("text".into(), json!(""));
        t
    } else {
        template.clone()
    };
    if args.task == Task::Stance {
        csv_template.insert("stance".into(), json!(""));
        csv_template.insert("probability".into(), json!(0.5));
        let scores: Map<String, Value> = crate::classify::stance::Stance::ALL
            .iter()
            .map(|l| (l.as_str().to_string(), json!(0.0)))
            .collect();
        csv_template.insert("scores".into(), Value::Object(scores));
        if args.pairs.is_none() {
            csv_template.insert("similarity".into(), json!(0.0));
        }
    } else {
        csv_template.insert("score".into(), json!(0.0));
        csv_template.insert("cues".into(), json!([]));
        csv_template.insert("reason".into(), json!(""));
    }
    w.parquet = super::parquet_if(
        args.format == ClassifyFormat::Parquet,
        args.output.as_deref(),
        template,
        inputs,
    )?;
    let embedder = args.model.load()?;
    let id = embedder.model_id()?;
    let labelled = if let Some(p) = &args.pairs {
        let clf = args.labels.stance(args.head.as_deref(), &id, &args.model)?;
        run_pairs(&clf, &embedder, p, &mut w)?
    } else {
        let labeller = match args.task {
            Task::Confidence => Labeller::Confidence(args.labels.confidence(
                args.head.as_deref(),
                &id,
                &args.model,
            )?),
            Task::Stance => {
                let claim = args.claim.clone().unwrap_or_default();
                if claim.trim().is_empty() {
                    return Err(Error::Input(
                        "--claim is empty: give the claim's text".into(),
                    ));
                }
                let e = embedder.embed(&[claim.as_str()])?;
                Labeller::Stance {
                    clf: args.labels.stance(args.head.as_deref(), &id, &args.model)?,
                    claim,
                    claim_vec: e.vectors.row(0).to_owned(),
                    all: args.all,
                }
            }
        };
        if args.sentences {
            run_records(args, &labeller, &embedder, &mut w)?
        } else {
            run_corpus(args, &labeller, &embedder, &mut w)?
        }
    };
    w.header_if_empty(&csv_template)?;
    let out = std::mem::replace(&mut w.out, super::TextOut::stdout());
    let file = out.file().map(|p| p.display().to_string());
    out.finish()?;
    if let Some(f) = file {
        eprintln!("wrote {} rows to {f}", w.written);
    }
    if let Some(warning) = w.renamed.warning() {
        eprintln!("warning: {warning}");
    }
    // --pairs is a stance task too (check_task_flags).
    if let Some(warning) = w.cut_warning(&embedder, args.task == Task::Stance) {
        eprintln!("warning: {warning}");
    }
    if let Some(p) = w.parquet.take() {
        super::finish_parquet(p, args.output.as_deref())?;
    }
    let secs = start.elapsed().as_secs_f64();
    let counts: Vec<String> = w.counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
    eprintln!(
        "classified {labelled} sentences in {secs:.2} s ({:.0} sentences/s, model load included): {}",
        labelled as f64 / secs.max(1e-9),
        counts.join(", ")
    );
    Ok(())
}

fn run_corpus(
    args: &ClassifyArgs,
    l: &Labeller,
    embedder: &Embedder,
    w: &mut Writer,
) -> Result<usize> {
    let term = super::Terminal::default();
    let mut corpus = Corpus::open(&args.input.options(), &term)?;
    term.start("sentences", None);
    let mut batch: Vec<Item> = Vec::new();
    let mut n = 0;
    // Counted apart: the corpus is borrowed by the loop.
    let mut sentenceless = 0;
    let mut language = crate::segment::LanguageCheck::default();
    for doc in corpus.by_ref() {
        let seg = segment(&doc?, SegmentOptions::default());
        crate::segment::note_if_sentenceless(&seg, &mut sentenceless, &term);
        language.see(&seg);
        for s in seg.sentences {
            let fields = match serde_json::to_value(&s) {
                Ok(Value::Object(m)) => m,
                _ => Map::new(),
            };
            batch.push(Item {
                offset: s.start,
                text: s.text,
                fields,
                input: Map::new(),
                at: String::new(),
            });
        }
        if batch.len() >= CHUNK {
            l.label(embedder, &batch, w)?;
            n += batch.len();
            term.advance(batch.len() as u64);
            batch.clear();
        }
    }
    l.label(embedder, &batch, w)?;
    n += batch.len();
    term.finish();
    language.warn(&term);
    corpus.skipped.no_sentences = sentenceless;
    super::report_skipped(&corpus.skipped);
    if corpus.documents == 0 {
        return Err(Error::Input(
            "no documents to classify (all inputs were empty, binary or unreadable)".into(),
        ));
    }
    super::no_sentence_at_all(corpus.documents, n)?;
    Ok(n)
}

fn run_records(
    args: &ClassifyArgs,
    l: &Labeller,
    embedder: &Embedder,
    w: &mut Writer,
) -> Result<usize> {
    let term = super::Terminal::default();
    let paths: Vec<PathBuf> = crate::ingest::expand(&args.input.paths, &term)?;
    // `--sentences` reads lines or JSONL; a CSV read as lines would classify its header and
    // split quoted fields (unless asked for: --input-format text).
    if let Some(p) = paths
        .iter()
        .filter(|_| args.input_format == super::InputFormatArg::Auto)
        .find(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("tsv"))
        })
    {
        return Err(Error::Input(format!(
            "{}: --sentences reads plain lines or JSONL, not CSV/TSV; drop --sentences to read \
             it as a corpus (with --text-field), convert it to JSONL, or pass --input-format \
             text to read its lines as they are",
            p.display()
        )));
    }
    let opts = ReadOptions {
        text_field: args.input.text_field.clone(),
        lossy: args.input.lossy,
        skip_bad: args.skip_bad,
        format: args.input_format.into(),
    };
    let mut records = Records::open(&paths, opts, &term)?;
    term.start("sentences", None);
    let mut batch = Vec::new();
    let mut n = 0;
    for r in records.by_ref() {
        let r = r?;
        let mut fields = Map::new();
        fields.insert("source".into(), json!(r.source));
        fields.insert("line".into(), json!(r.line));
        fields.insert("text".into(), json!(r.text));
        batch.push(Item {
            at: format!("{}:{}", r.source, r.line),
            text: r.text,
            fields,
            input: r.fields,
            offset: 0,
        });
        if batch.len() >= CHUNK {
            l.label(embedder, &batch, w)?;
            n += batch.len();
            term.advance(batch.len() as u64);
            batch.clear();
        }
    }
    l.label(embedder, &batch, w)?;
    term.finish();
    // As segment and the corpus above: no sentence read is a failed run, not an empty output.
    if let Some(why) = records.stats.nothing_read() {
        return Err(Error::Input(why));
    }
    // Labelled, one row per line as promised, but said: an empty text asserts nothing, and
    // toward a claim its label is the model's guess.
    if records.stats.empty > 0 {
        term.warn(&format!(
            "{} empty line(s) labelled as they are (their rows keep the output in step with the \
             input; an empty text's stance is the model's guess): drop blank lines to leave them \
             out",
            records.stats.empty
        ));
    }
    if records.stats.lossy_lines > 0 {
        term.warn(&format!(
            "{} line(s) had invalid UTF-8 replaced (--lossy)",
            records.stats.lossy_lines
        ));
    }
    Ok(n + batch.len())
}

/// `--pairs FILE.jsonl`: every line labelled, in order. The whole file is read and checked
/// before the first label is written: a malformed line stops the run with its place and no
/// output, because a shorter output (the lines before it) would misalign with the input. A
/// file with no pair fails as an empty input does.
fn run_pairs(
    clf: &StanceModel,
    embedder: &Embedder,
    path: &PathBuf,
    w: &mut Writer,
) -> Result<usize> {
    let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        if path.is_dir() {
            return Err(Error::Input(format!(
                "{}: a directory; --pairs takes one JSONL file of {{\"claim\", \"text\"}} lines",
                path.display()
            )));
        }
        let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        Box::new(std::io::BufReader::new(f))
    };
    // Each line's fields, claim, text and place.
    type Pair = (Map<String, Value>, String, String, String);
    let mut rows: Vec<Pair> = Vec::new();
    // By bytes, so that bad UTF-8 is said with its place (`lines` says only that it is bad).
    for (i, line) in reader.split(b'\n').enumerate() {
        let at = format!("{}:{}", path.display(), i + 1);
        let mut line = line.map_err(|e| Error::io(path, e))?;
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        let line = String::from_utf8(line).map_err(|e| {
            Error::Input(format!(
                "{at}: invalid UTF-8 at byte {} of the line; convert the file to UTF-8 (e.g. \
                 iconv -f latin1 -t utf-8)",
                e.utf8_error().valid_up_to()
            ))
        })?;
        // A byte-order mark (editors on Windows write one) is not part of the first record.
        let line = if i == 0 {
            line.trim_start_matches('\u{feff}').to_string()
        } else {
            line
        };
        if line.trim().is_empty() {
            continue;
        }
        let mut obj: Value = serde_json::from_str(&line).map_err(|e| {
            let why = crate::input::malformed_json_line(&e);
            Error::Input(format!(
                "{at}: {why} (each line needs \"claim\" and \"text\")"
            ))
        })?;
        crate::input::exact_big_integers(&mut obj, &line);
        let Value::Object(obj) = obj else {
            return Err(Error::Input(format!(
                "{at}: not a JSON object (each line needs \"claim\" and \"text\")"
            )));
        };
        let get = |k: &str| -> Result<String> {
            obj.get(k)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| {
                    Error::Input(format!(
                        "{at}: no string field {k:?} (each line needs \"claim\" and \"text\")"
                    ))
                })
        };
        let (claim, text) = (get("claim")?, get("text")?);
        if claim.trim().is_empty() {
            return Err(Error::Input(format!(
                "{at}: the claim is empty; a stance needs a claim to be toward"
            )));
        }
        if text.trim().is_empty() {
            // An empty text takes no stance; a label for it would be the model's guess.
            return Err(Error::Input(format!(
                "{at}: the text is empty; give the sentence to label, or drop the line"
            )));
        }
        rows.push((obj, claim, text, at));
    }
    if rows.is_empty() {
        return Err(Error::Input(format!(
            "{}: no pairs (the file is empty or blank); give one {{\"claim\", \"text\"}} \
             object per line",
            path.display()
        )));
    }
    let n = rows.len();
    let term = super::Terminal::default();
    term.start("pairs", Some(n as u64));
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Pair> = rows.by_ref().take(CHUNK).collect();
        let claims: Vec<&str> = chunk.iter().map(|r| r.1.as_str()).collect();
        let texts: Vec<&str> = chunk.iter().map(|r| r.2.as_str()).collect();
        w.note_cut(&clf.cut(embedder, &claims, &texts)?, |i| chunk[i].3.clone());
        let u = base_vectors(clf.needs_vectors(), embedder, &claims, &Silent)?;
        let v = base_vectors(clf.needs_vectors(), embedder, &texts, &Silent)?;
        let labels = clf.classify(&claims, &texts, u.view(), v.view(), &Silent)?;
        let done = chunk.len();
        for ((fields, _, _, at), l) in chunk.into_iter().zip(labels) {
            let mut own = Map::new();
            own.insert("scores".into(), json!(l.scores));
            // The input's "stance" (a gold label, say) is kept renamed, not overwritten.
            w.labelled("stance", l.stance.as_str(), l.probability, own, fields, &at)?;
        }
        term.advance(done as u64);
    }
    term.finish();
    Ok(n)
}
