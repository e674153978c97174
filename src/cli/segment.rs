//! `claimscope segment`: the corpus as clean sentences with provenance.

use std::io::Write;
use std::time::Instant;

use super::CorpusArgs;
use crate::error::{Error, Result};
use crate::ingest::Corpus;
use crate::observe::Observer;
use crate::report::shown;
use crate::segment::{SegmentOptions, segment};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SegmentFormat {
    Table,
    Jsonl,
    Csv,
    /// A Parquet file (needs -o): one row per sentence with its provenance.
    Parquet,
}

#[derive(Debug, clap::Args)]
pub struct SegmentArgs {
    #[command(flatten)]
    pub input: CorpusArgs,
    #[arg(long, value_enum, default_value = "table")]
    pub format: SegmentFormat,
    /// Also show what cleaning dropped, and why (on stderr for jsonl/csv, inline for table).
    #[arg(long)]
    pub explain: bool,
    /// Keep boilerplate and repeated paragraphs as sentences.
    #[arg(long)]
    pub keep_all: bool,
    /// Output file (needed by --format parquet; the other formats go to stdout without it).
    #[arg(short, long)]
    pub output: Option<std::path::PathBuf>,
}

impl SegmentFormat {
    fn extension(self) -> &'static str {
        match self {
            SegmentFormat::Table => "txt",
            SegmentFormat::Jsonl => "jsonl",
            SegmentFormat::Csv => "csv",
            SegmentFormat::Parquet => "parquet",
        }
    }
}

pub fn run(args: &SegmentArgs) -> Result<()> {
    let term = super::Terminal::default();
    let start = Instant::now();
    let mut parquet = super::parquet_if(
        args.format == SegmentFormat::Parquet,
        args.output.as_deref(),
        crate::segment::sentence_template(),
        || args.input.files(),
    )?;
    let mut out = super::TextOut::open(
        args.output.as_deref(),
        args.format == SegmentFormat::Parquet,
        args.format.extension(),
        || args.input.files(),
    )?;
    let mut corpus = Corpus::open(&args.input.options(), &term)?;
    let mut csv_out =
        (args.format == SegmentFormat::Csv).then(|| csv::Writer::from_writer(Vec::new()));
    let (mut sentences, mut removed, mut bytes) = (0usize, 0usize, 0usize);
    // Counted apart: the corpus is borrowed by the loop.
    let mut sentenceless = 0;
    let mut language = crate::segment::LanguageCheck::default();
    let opts = SegmentOptions {
        keep_all: args.keep_all,
    };
    term.start("documents", None);
    for doc in corpus.by_ref() {
        let doc = doc?;
        term.advance(1);
        bytes += doc.text.len();
        let seg = segment(&doc, opts);
        crate::segment::note_if_sentenceless(&seg, &mut sentenceless, &term);
        language.see(&seg);
        sentences += seg.sentences.len();
        removed += seg.removed.len();
        match args.format {
            SegmentFormat::Parquet => {
                if let Some(p) = parquet.as_mut() {
                    for s in &seg.sentences {
                        p.push(crate::segment::sentence_row(s, &seg)?, None)?;
                    }
                }
            }
            SegmentFormat::Jsonl => {
                for s in &seg.sentences {
                    serde_json::to_writer(&mut out, s)?;
                    out.write_all(b"\n").map_err(|e| out.error(e))?;
                }
            }
            SegmentFormat::Csv => {
                // A document without sentences must not swap out the writer that still owes
                // the header row.
                if let Some(w) = csv_out.as_mut().filter(|_| !seg.sentences.is_empty()) {
                    for s in &seg.sentences {
                        w.serialize(s)?;
                    }
                    // Flush per document so memory stays flat on big corpora.
                    let buf = std::mem::replace(
                        w,
                        csv::WriterBuilder::new()
                            .has_headers(false)
                            .from_writer(Vec::new()),
                    );
                    out.write_all(&buf.into_inner()?)
                        .map_err(|e| out.error(e))?;
                }
            }
            SegmentFormat::Table => {
                writeln!(
                    out,
                    "# {}  outlet: {}  date: {}  title: {}",
                    shown(&seg.doc),
                    shown(&seg.outlet),
                    shown(seg.date.as_deref().unwrap_or("-")),
                    shown(seg.title.as_deref().unwrap_or("-"))
                )
                .map_err(|e| out.error(e))?;
                for s in &seg.sentences {
                    let tag = match s.kind {
                        crate::segment::SentenceKind::Title => "T",
                        crate::segment::SentenceKind::Heading => "H",
                        crate::segment::SentenceKind::Text => " ",
                    };
                    writeln!(
                        out,
                        "{:>3}.{:<3} {tag} {:>6}-{:<6} {}",
                        s.paragraph,
                        s.index,
                        s.start,
                        s.end,
                        shown(&s.text)
                    )
                    .map_err(|e| out.error(e))?;
                }
            }
        }
        if args.explain {
            for r in &seg.removed {
                // For people on stdout or stderr alike: escaped as the table's cells are.
                let line = format!(
                    "  dropped {}:{}-{} [{}] {}",
                    shown(&seg.doc),
                    r.start,
                    r.end,
                    r.reason,
                    shown(r.text.trim())
                );
                if args.format == SegmentFormat::Table {
                    writeln!(out, "{line}").map_err(|e| out.error(e))?;
                } else {
                    eprintln!("{line}");
                }
            }
        }
    }
    term.finish();
    language.warn(&term);
    out.flush().map_err(|e| out.error(e))?;
    let secs = start.elapsed().as_secs_f64();
    corpus.skipped.no_sentences = sentenceless;
    let s = &corpus.skipped;
    eprintln!(
        "{} read, skipped {} (binary {}, empty {}, unreadable {}, no article {}){}, {}{}, {} boilerplate/repeat/marker spans {}; {:.1} MB of text in {:.2} s ({:.1} MB/s)",
        crate::report::counted(corpus.documents, "document", "documents"),
        s.total(),
        s.binary,
        s.empty,
        s.unreadable,
        s.no_article,
        if s.not_pages > 0 {
            format!(
                " and {}",
                crate::report::counted(
                    s.not_pages,
                    "archive record that was not an HTML page",
                    "archive records that were not HTML pages"
                )
            )
        } else {
            String::new()
        },
        crate::report::counted(sentences, "sentence", "sentences"),
        if s.no_sentences > 0 {
            format!(
                " ({} none)",
                crate::report::counted(s.no_sentences, "document gave", "documents gave")
            )
        } else {
            String::new()
        },
        removed,
        // With --keep-all the spans are found and kept, not removed.
        if args.keep_all {
            "found (kept: --keep-all)"
        } else {
            "removed"
        },
        bytes as f64 / 1e6,
        secs,
        bytes as f64 / 1e6 / secs.max(1e-9)
    );
    // As every other command: inputs that gave no document at all are a failed run, not an
    // empty success (each was named above).
    // Inputs with no record at all (a header-only CSV, blank lines, a Parquet file of no rows,
    // an archive of no pages) fail too: an empty output that exits 0 reads as success.
    if corpus.documents == 0 {
        let why = if s.total() > 0 {
            "see the warnings above"
        } else {
            crate::ingest::NO_RECORDS
        };
        return Err(Error::Input(format!(
            "no document could be read from the inputs ({why})"
        )));
    }
    super::no_sentence_at_all(corpus.documents, sentences)?;
    // Put in place only now: a run that read nothing leaves no file that reads as a result.
    if let Some(p) = parquet {
        super::finish_parquet(p, args.output.as_deref())?;
    }
    let file = out.file().map(|p| p.display().to_string());
    out.finish()?;
    if let Some(f) = file {
        eprintln!("wrote {sentences} sentences to {f}");
    }
    Ok(())
}
