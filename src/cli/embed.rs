//! `claimscope embed`: texts in, one vector per text out, same order, nothing split.

use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{Map, Value};

use super::ModelArgs;
use crate::error::{Error, Result};
use crate::observe::Observer;
use crate::outfile::OutFile;
use crate::records::{Record, Records};
use crate::tables::Renamed;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EmbedFormat {
    /// One JSON object per input on stdout (or -o): its fields plus "embedding".
    Jsonl,
    /// float32 [n, dim] .npy file (needs -o), with a sidecar FILE.texts.jsonl of texts and fields.
    Npy,
    /// A Parquet file (needs -o): the text and fields of each input beside its vector, a
    /// fixed-size list of float32.
    Parquet,
}

#[derive(Debug, clap::Args)]
pub struct EmbedArgs {
    /// Input files (stdin when none, or `-`): one text per line, or JSONL.
    pub files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: EmbedFormat,
    /// Output file (stdout for jsonl when absent).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub records: super::RecordArgs,
    #[command(flatten)]
    pub model: ModelArgs,
}

/// Texts read and embedded per round: large enough to fill sorted batches, small enough that
/// memory stays flat on any corpus size.
const CHUNK: usize = 4096;

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct EmbedSummary {
    pub texts: usize,
    pub tokens: usize,
    pub padded_tokens: usize,
    pub truncated: usize,
    pub empty: usize,
    pub skipped_bad: usize,
    pub seconds: f64,
}

trait Sink {
    /// Input fields whose names the output writes are renamed, and noted in `renamed`.
    fn write(
        &mut self,
        records: &[Record],
        vectors: &ndarray::Array2<f32>,
        renamed: &mut Renamed,
    ) -> Result<()>;
    fn finish(self: Box<Self>, rows: usize) -> Result<()>;
}

pub fn run(args: &EmbedArgs) -> Result<EmbedSummary> {
    if let Some(p) = &args.output {
        check_output(p, args.format, &args.files)?;
    }
    let term = super::Terminal::default();
    let mut records = Records::open(&args.files, args.records.options(), &term)?;
    let embedder = args.model.load()?;
    let dim = embedder.dim();
    let mut sink: Box<dyn Sink> = match (args.format, &args.output) {
        (EmbedFormat::Jsonl, Some(p)) => Box::new(JsonlSink::new(
            Box::new(OutFile::create(p)?),
            Some(p.clone()),
        )),
        (EmbedFormat::Jsonl, None) => {
            Box::new(JsonlSink::new(Box::new(std::io::stdout().lock()), None))
        }
        (EmbedFormat::Npy, Some(p)) => Box::new(NpySink::new(p, dim)?),
        (EmbedFormat::Npy, None) => {
            return Err(Error::Input("--format npy needs -o FILE.npy".to_string()));
        }
        (EmbedFormat::Parquet, out) => Box::new(ParquetSink {
            rows: super::parquet_output(out.as_deref(), Some(dim))?,
            path: out.clone(),
        }),
    };
    let start = Instant::now();
    term.start("texts", None);
    let mut summary = EmbedSummary::default();
    let mut renamed = Renamed::default();
    let mut chunk: Vec<Record> = Vec::with_capacity(CHUNK);
    let mut done = false;
    while !done {
        chunk.clear();
        while chunk.len() < CHUNK {
            match records.next() {
                Some(r) => chunk.push(r?),
                None => {
                    done = true;
                    break;
                }
            }
        }
        if chunk.is_empty() {
            break;
        }
        let texts: Vec<&str> = chunk.iter().map(|r| r.text.as_str()).collect();
        let out = embedder.embed(&texts)?;
        for &i in &out.truncated {
            let r = &chunk[i];
            term.warn(&format!(
                "{}:{}: text longer than {} tokens, truncated as sentence-transformers does",
                r.source,
                r.line,
                embedder.info().max_seq_length
            ));
        }
        sink.write(&chunk, &out.vectors, &mut renamed)?;
        summary.texts += chunk.len();
        summary.tokens += out.tokens;
        summary.padded_tokens += out.padded_tokens;
        summary.truncated += out.truncated.len();
        term.advance(chunk.len() as u64);
    }
    term.finish();
    // As segment: inputs that gave no text at all (an empty file, or every line skipped by
    // --skip-bad) are a failed run, not an empty output that exits 0. The output is left
    // uncommitted, so no empty file appears under its name.
    if let Some(why) = records.stats.nothing_read() {
        return Err(Error::Input(why));
    }
    if let Some(warning) = renamed.warning() {
        term.warn(&warning);
    }
    sink.finish(summary.texts)?;
    summary.empty = records.stats.empty;
    summary.skipped_bad = records.stats.skipped_bad;
    summary.seconds = start.elapsed().as_secs_f64();
    if summary.empty > 0 {
        eprintln!(
            "warning: {} empty text(s) embedded as sentence-transformers does ([CLS] [SEP] only)",
            summary.empty
        );
    }
    if records.stats.lossy_lines > 0 {
        eprintln!(
            "warning: {} line(s) had invalid UTF-8 replaced (--lossy)",
            records.stats.lossy_lines
        );
    }
    Ok(summary)
}

/// Refuses, before the model is loaded, an `-o` that would replace an input (the .npy file's
/// sidecar included) or a .npy file that cannot be written where `-o` points.
fn check_output(path: &Path, format: EmbedFormat, inputs: &[PathBuf]) -> Result<()> {
    let ext = match format {
        EmbedFormat::Jsonl => "jsonl",
        EmbedFormat::Npy => "npy",
        EmbedFormat::Parquet => "parquet",
    };
    super::refuse_input(path, inputs, ext)?;
    super::output_matches_format(path, ext)?;
    if format != EmbedFormat::Npy {
        return Ok(());
    }
    let side = sidecar_path(path);
    if let Some(input) = crate::outfile::same_as_input(&side, inputs) {
        return Err(Error::Input(format!(
            "-o {}: its sidecar {} is the same file as the input {}; writing it would replace \
             the input. Choose another output path, e.g. -o {}",
            path.display(),
            side.display(),
            input.display(),
            path.with_extension("out.npy").display()
        )));
    }
    // Asked before opening: opening a FIFO would wait for a reader only to fail at the end.
    if crate::outfile::writes_in_place(path)? {
        return Err(Error::Input(format!(
            "-o {}: --format npy needs a regular file (its header is rewritten with the row \
             count at the end, and its sidecar is written beside it); give a file path, or \
             use --format jsonl or parquet to write to a pipe or device",
            path.display()
        )));
    }
    Ok(())
}

impl std::fmt::Display for EmbedSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "embedded {} texts ({} tokens, {} truncated, {} empty, {} skipped) in {:.2} s: {:.1} texts/s",
            self.texts,
            self.tokens,
            self.truncated,
            self.empty,
            self.skipped_bad,
            self.seconds,
            self.texts as f64 / self.seconds.max(1e-9)
        )
    }
}

struct ParquetSink {
    rows: crate::tables::ParquetRows,
    path: Option<PathBuf>,
}

impl Sink for ParquetSink {
    fn write(
        &mut self,
        records: &[Record],
        vectors: &ndarray::Array2<f32>,
        renamed: &mut Renamed,
    ) -> Result<()> {
        for (r, v) in records.iter().zip(vectors.rows()) {
            let v: Vec<f32> = v.to_vec();
            let row = record_json(r, Map::new(), &[EMBEDDING], true, renamed);
            self.rows.push(row, Some(&v))?;
        }
        Ok(())
    }

    fn finish(self: Box<Self>, _rows: usize) -> Result<()> {
        super::finish_parquet(self.rows, self.path.as_deref())
    }
}

/// Where JSON lines go: stdout, or a file that appears under its name once complete.
trait LineOut: Write {
    fn finish(self: Box<Self>) -> Result<()>;
}

impl LineOut for std::io::StdoutLock<'static> {
    fn finish(mut self: Box<Self>) -> Result<()> {
        self.flush().map_err(|e| Error::io("<stdout>", e))
    }
}

impl LineOut for OutFile {
    fn finish(self: Box<Self>) -> Result<()> {
        self.commit()
    }
}

struct JsonlSink {
    out: Box<dyn LineOut>,
    path: PathBuf,
}

impl JsonlSink {
    fn new(out: Box<dyn LineOut>, path: Option<PathBuf>) -> Self {
        let path = path.unwrap_or_else(|| PathBuf::from("<stdout>"));
        JsonlSink { out, path }
    }
}

#[derive(serde::Serialize)]
struct EmbeddedLine<'a> {
    #[serde(flatten)]
    fields: &'a Map<String, Value>,
    embedding: &'a [f32],
}

/// The name of the vector's field (JSONL) or column (Parquet).
const EMBEDDING: &str = "embedding";

/// A record's text and fields beside `own` (the tool's other fields) and the names in `also`
/// (written apart): an input field of one of those names, or `text` when the text came from
/// another field (`--text-field body`), is kept renamed (`input_text`), not overwritten or
/// doubled. `flat` flattens objects, for Parquet.
fn record_json(
    r: &Record,
    mut own: Map<String, Value>,
    also: &[&str],
    flat: bool,
    renamed: &mut Renamed,
) -> Map<String, Value> {
    own.insert("text".into(), Value::String(r.text.clone()));
    let at = || format!("{}:{}", r.source, r.line);
    crate::tables::with_input(own, r.fields.clone(), also, flat, renamed, &at)
}

impl Sink for JsonlSink {
    fn write(
        &mut self,
        records: &[Record],
        vectors: &ndarray::Array2<f32>,
        renamed: &mut Renamed,
    ) -> Result<()> {
        for (r, v) in records.iter().zip(vectors.rows()) {
            let fields = record_json(r, Map::new(), &[EMBEDDING], false, renamed);
            let embedding: Vec<f32> = v.to_vec();
            // A struct rather than a json! value: serde_json keeps f32 as the shortest f32
            // decimal, where a Value would widen it to f64 digits.
            let line = EmbeddedLine {
                fields: &fields,
                embedding: &embedding,
            };
            serde_json::to_writer(&mut self.out, &line)?;
            self.out
                .write_all(b"\n")
                .map_err(|e| Error::io(&self.path, e))?;
        }
        Ok(())
    }
    fn finish(self: Box<Self>, _rows: usize) -> Result<()> {
        self.out.finish()
    }
}

/// Streams rows into a .npy file whose header is rewritten with the final row count at the end.
/// Written by hand because ndarray-npy needs the whole array (or its shape) up front, and a
/// corpus of unknown length should not have to sit in memory to be saved.
struct NpySink {
    out: OutFile,
    path: PathBuf,
    side: OutFile,
    side_path: PathBuf,
    dim: usize,
    row: usize,
}

const NPY_HEADER_LEN: usize = 128;

fn npy_header(rows: usize, dim: usize) -> Vec<u8> {
    let dict = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {dim}), }}");
    let mut h = b"\x93NUMPY\x01\x00".to_vec();
    let body_len = NPY_HEADER_LEN - 10;
    h.extend_from_slice(&(body_len as u16).to_le_bytes());
    let mut body = dict.into_bytes();
    body.resize(body_len - 1, b' ');
    body.push(b'\n');
    h.extend_from_slice(&body);
    h
}

impl NpySink {
    fn new(path: &Path, dim: usize) -> Result<Self> {
        let side_path = sidecar_path(path);
        let mut out = OutFile::create(path)?;
        out.write_all(&npy_header(0, dim))
            .map_err(|e| Error::io(path, e))?;
        Ok(NpySink {
            out,
            path: path.to_path_buf(),
            side: OutFile::create(&side_path)?,
            side_path,
            dim,
            row: 0,
        })
    }
}

/// `x.npy` -> `x.texts.jsonl`: row number, text and carried fields of each vector.
pub fn sidecar_path(npy: &Path) -> PathBuf {
    let stem = npy
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("embeddings");
    npy.with_file_name(format!("{stem}.texts.jsonl"))
}

impl Sink for NpySink {
    fn write(
        &mut self,
        records: &[Record],
        vectors: &ndarray::Array2<f32>,
        renamed: &mut Renamed,
    ) -> Result<()> {
        for (r, v) in records.iter().zip(vectors.rows()) {
            for x in v.iter() {
                self.out
                    .write_all(&x.to_le_bytes())
                    .map_err(|e| Error::io(&self.path, e))?;
            }
            let mut own = Map::new();
            // The vector's row in the .npy file, whatever the input's own "row" says.
            own.insert("row".into(), Value::from(self.row));
            let obj = record_json(r, own, &[], false, renamed);
            serde_json::to_writer(&mut self.side, &obj)?;
            self.side
                .write_all(b"\n")
                .map_err(|e| Error::io(&self.side_path, e))?;
            self.row += 1;
        }
        Ok(())
    }
    fn finish(mut self: Box<Self>, rows: usize) -> Result<()> {
        debug_assert_eq!(rows, self.row);
        let header = npy_header(self.row, self.dim);
        let p = self.path.clone();
        self.out
            .seek(SeekFrom::Start(0))
            .map_err(|e| Error::io(&p, e))?;
        self.out.write_all(&header).map_err(|e| Error::io(&p, e))?;
        // The texts first: a vectors file under its name always has its sidecar.
        self.side.commit()?;
        self.out.commit()
    }
}
