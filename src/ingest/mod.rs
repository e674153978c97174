//! Reading a corpus: directories, files, globs or stdin; plain text (one article per file),
//! JSONL, CSV/TSV or Parquet (one article per record or row), saved web pages (.html/.htm, the article
//! extracted: `crate::html`) and web archives (.warc/.warc.gz: `crate::warc`). Documents are produced one at a time, so a corpus
//! far larger than memory streams through with flat memory.
//!
//! FNC-1's bodies load with
//! `--text-field articleBody --id-field "Body ID"` (its CSVs have a header row).

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::input::{self, decode};
use crate::observe::Observer;

mod checks;
mod delimited;
mod expand;
mod gzip;
mod json_records;
mod texts;

pub use checks::{DocumentChecks, MIN_REPEAT_WORDS};
use delimited::CsvDocs;
pub use expand::expand;
use gzip::{Damage, Unzipped, is_gzipped};
use json_records::{JsonFile, JsonlDocs, json_file};
pub use texts::{distinct_text_file_name, text_file_name};
use texts::{folder_holding, inputs_in, refuse_text_over_input, write_text};

/// What to read and how: the inputs, the record fields that hold each part of an article, and
/// what to do with bad bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestOptions {
    /// Files, directories (walked recursively for the kinds of [`READ_EXTENSIONS`], each also
    /// gzipped), globs, or `-` for stdin.
    pub paths: Vec<String>,
    /// Field (JSONL key or CSV column) holding the article text.
    pub text_field: String,
    pub id_field: String,
    pub outlet_field: String,
    pub date_field: String,
    pub title_field: String,
    pub url_field: String,
    /// Replace invalid UTF-8 with U+FFFD instead of stopping (byte spans then refer to the
    /// replaced text).
    pub lossy: bool,
    /// How stdin is read: a plain text article, JSONL, CSV or TSV, a saved web page (`Html`)
    /// or a web archive (`Warc`, gzipped or not).
    pub stdin_format: Kind,
    /// Outlet names of web-archive hosts (host without `www.` -> outlet); an unlisted host is
    /// its own outlet.
    pub outlets: Arc<HashMap<String, String>>,
    /// Write each document's text (what byte spans point into: for a web page or an archive
    /// record, the extracted article) to `<dir>/<doc id>.txt`.
    pub texts_dir: Option<PathBuf>,
    /// Read past what would stop the read (a malformed JSONL line, a broken CSV row, a file
    /// that fails to parse): the line, or the rest of the file, is skipped with a warning,
    /// counted as unreadable and listed in [`Corpus::faulty`], and the other inputs are read.
    /// Off for the CLI, which stops at the first such fault with its `file:line`; on for the
    /// Python package's Ray runner, where one bad file of a crawl must not cost the rest.
    pub keep_going: bool,
    /// Metadata flags the caller gave explicitly (`"--outlet-field"`, ...), even with the
    /// default name: a file without such a field is then warned of, as one without any other
    /// name given is. A default alone is optional, so not warned of. Set by
    /// [`IngestOptions::name_fields`].
    pub given_fields: Vec<&'static str>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            paths: Vec::new(),
            text_field: "text".into(),
            id_field: "id".into(),
            outlet_field: "outlet".into(),
            date_field: "date".into(),
            title_field: "title".into(),
            url_field: "url".into(),
            lossy: false,
            stdin_format: Kind::Text,
            outlets: Arc::default(),
            texts_dir: None,
            keep_going: false,
            given_fields: Vec::new(),
        }
    }
}

impl IngestOptions {
    /// Default field names and options for `paths`.
    pub fn for_paths<S: AsRef<str>>(paths: &[S]) -> Self {
        IngestOptions {
            paths: paths.iter().map(|p| p.as_ref().to_string()).collect(),
            ..Default::default()
        }
    }

    /// Names the metadata fields as the CLI's flags (or the Python reader's keywords) give them,
    /// in the flags' order (`--id-field`, `--outlet-field`, `--date-field`, `--title-field`,
    /// `--url-field`): a name given, even the default one, replaces the default and is checked
    /// against every file ([`IngestOptions::given_fields`]); `None` keeps the default, read
    /// where a file has it.
    pub fn name_fields(
        &mut self,
        id: Option<String>,
        outlet: Option<String>,
        date: Option<String>,
        title: Option<String>,
        url: Option<String>,
    ) {
        let slots = [
            ("--id-field", id, &mut self.id_field),
            ("--outlet-field", outlet, &mut self.outlet_field),
            ("--date-field", date, &mut self.date_field),
            ("--title-field", title, &mut self.title_field),
            ("--url-field", url, &mut self.url_field),
        ];
        for (flag, name, field) in slots {
            if let Some(name) = name {
                *field = name;
                self.given_fields.push(flag);
            }
        }
    }

    /// The metadata fields the user named, with their flags: a name other than the default, or
    /// one given explicitly ([`IngestOptions::given_fields`]). A file without such a field is a
    /// typo to say ("Body Id" for "Body ID" made every document a stand-in id, each its own
    /// outlet, unremarked), where a default is optional.
    pub(crate) fn named_fields(&self) -> Vec<(&'static str, &str)> {
        let d = IngestOptions::default();
        [
            ("--id-field", &self.id_field, &d.id_field),
            ("--outlet-field", &self.outlet_field, &d.outlet_field),
            ("--date-field", &self.date_field, &d.date_field),
            ("--title-field", &self.title_field, &d.title_field),
            ("--url-field", &self.url_field, &d.url_field),
        ]
        .into_iter()
        .filter(|(flag, given, default)| given != default || self.given_fields.contains(flag))
        .map(|(flag, given, _)| (flag, given.as_str()))
        .collect()
    }

    /// The warning for a file whose columns lack fields named by their flags. A warning, not a
    /// stop: in a folder of feeds one file may have no date column, and its documents are
    /// then read undated rather than the run refused.
    pub(crate) fn missing_named_columns(&self, name: &str, columns: &[&str]) -> Option<String> {
        let missing: Vec<String> = self
            .named_fields()
            .into_iter()
            .filter(|(_, f)| !columns.contains(f))
            .map(|(flag, f)| named_by(flag, f))
            .collect();
        (!missing.is_empty()).then(|| {
            format!(
                "{name}: no column {}; columns found: {}; its documents are read without it \
                 (check the name: case matters)",
                missing.join(", "),
                columns.join(", ")
            )
        })
    }

    /// The fields a record is read from, in the order tables read them: text, id, outlet,
    /// date, title, url.
    pub(crate) fn fields(&self) -> [&String; 6] {
        [
            &self.text_field,
            &self.id_field,
            &self.outlet_field,
            &self.date_field,
            &self.title_field,
            &self.url_field,
        ]
    }
}

/// The fields of `wanted` that more than one of `columns` is named (a CSV header, a Parquet
/// schema): the first is read, and the user should know which.
pub(crate) fn named_twice<'a>(wanted: &[&'a String], columns: &[&str]) -> Vec<&'a str> {
    let mut twice: Vec<&str> = wanted
        .iter()
        .map(|w| w.as_str())
        .filter(|w| columns.iter().filter(|c| *c == w).count() > 1)
        .collect();
    twice.dedup();
    twice
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Text,
    Jsonl,
    /// A `.json` file: an array of records (or one record, or JSONL under that name).
    Json,
    Csv,
    Tsv,
    Html,
    Warc,
    WarcGz,
    /// One article per row (`crate::parquet_input`); never read from stdin, which cannot seek.
    Parquet,
}

/// One article as read, before cleaning. `text` is exactly the input bytes (or the record's text
/// field), so byte spans computed on it point into the source.
#[derive(Debug, Clone, Serialize)]
pub struct Document {
    pub id: String,
    /// File (and line or record number) the document came from.
    pub source: String,
    pub outlet: Option<String>,
    pub date: Option<String>,
    pub title: Option<String>,
    /// Author line (web pages).
    pub byline: Option<String>,
    pub url: Option<String>,
    /// The language the page declares (`<html lang>`), when it declares one: a page that says
    /// it is not in English is warned of where it is read, and not a second time by its words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    pub text: String,
}

impl Document {
    /// A document known only by an id and its text (a record of a labelled data set, a body of
    /// FNC-1): no outlet, date, title or URL.
    pub fn from_text(id: impl Into<String>, text: impl Into<String>) -> Self {
        let id = id.into();
        Document {
            source: id.clone(),
            id,
            outlet: None,
            date: None,
            title: None,
            byline: None,
            url: None,
            lang: None,
            text: text.into(),
        }
    }
}

/// Why a run read no document when no input was skipped either: every input was empty of
/// records (the CLI and the Python package say it alike).
pub const NO_RECORDS: &str =
    "the inputs hold no records: a header only, blank lines, no rows, or no HTML pages";

/// Why an input produced no document.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SkipCounts {
    pub binary: usize,
    pub empty: usize,
    /// Files that could not be read, archives cut off by a damaged record, and archive pages
    /// whose bytes are not valid in their charset (without --lossy).
    pub unreadable: usize,
    /// Web pages (files or archive records) in which no article was found.
    pub no_article: usize,
    /// Archive records that are not HTML pages (requests, metadata, images): expected in a
    /// crawl, counted so that the totals add up, not reported as lost.
    pub not_pages: usize,
    /// Documents read that gave no sentence (no text, or all of it boilerplate, repeats or
    /// markers): read, so not in `total`, but named as they are met and counted at the end.
    pub no_sentences: usize,
    /// Documents read whose date was given but not understood: read as undated, so the
    /// story window cannot use them.
    pub unread_dates: usize,
    /// Documents given again word for word (the same id, outlet and text, or the same named
    /// outlet, date and article text under another id), read once.
    pub repeats: usize,
}

/// One thing an input yields: a document, or a reason why a part of it gave none.
#[derive(Debug)]
pub enum Entry {
    Doc(Document),
    /// A part of the input could not be read (the message says which part, why, and what of
    /// the input is still read).
    Damaged(String),
    /// A record that would stop the read, skipped under `IngestOptions::keep_going` (named
    /// for the first few, then counted).
    BadRecord(String),
    /// A page without an article.
    NoArticle(String),
    /// An archive record that is no page; the message, if any, says what was wrong with it.
    NotAPage(Option<String>),
    /// Something the reader should know about what was read (nothing was lost).
    Warning(String),
    /// A record whose id field held no usable id (named for the first few, then counted).
    OddId(String),
    /// A record whose outlet, date, title or url field held an object, array or boolean,
    /// left empty (named for the first few, then counted).
    OddField(String),
}

impl SkipCounts {
    pub fn total(&self) -> usize {
        self.binary + self.empty + self.unreadable + self.no_article
    }

    /// One line for the end of a run when inputs were skipped, so no command loses records
    /// silently (each skipped file also got its own warning as it was met; empty records did
    /// not).
    pub fn summary(&self) -> Option<String> {
        let skipped = (self.total() > 0).then(|| {
            format!(
                "{} gave no document (binary {}, empty {}, unreadable {}, no article {}){}",
                crate::report::counted(self.total(), "file or record", "files or records"),
                self.binary,
                self.empty,
                self.unreadable,
                self.no_article,
                if self.not_pages > 0 {
                    format!(
                        "; {}",
                        crate::report::counted(
                            self.not_pages,
                            "archive record was not an HTML page",
                            "archive records were not HTML pages"
                        )
                    )
                } else {
                    String::new()
                }
            )
        });
        let sentenceless = (self.no_sentences > 0).then(|| self.no_sentences_note());
        let undated = (self.unread_dates > 0).then(|| {
            format!(
                "{}: {} not understood",
                crate::report::counted(
                    self.unread_dates,
                    "document was read as undated",
                    "documents were read as undated"
                ),
                if self.unread_dates == 1 {
                    "its date was"
                } else {
                    "their dates were"
                }
            )
        });
        let repeated = (self.repeats > 0).then(|| {
            format!(
                "{} and read once",
                crate::report::counted(
                    self.repeats,
                    "document was given again word for word",
                    "documents were given again word for word"
                )
            )
        });
        let notes: Vec<String> = [skipped, sentenceless, undated, repeated]
            .into_iter()
            .flatten()
            .collect();
        (!notes.is_empty()).then(|| notes.join("; "))
    }

    /// The count of documents that gave no sentence, for the end of a run.
    pub fn no_sentences_note(&self) -> String {
        format!(
            "{} no sentence (no text, or all of it boilerplate, repeats or markers: `claimscope segment --explain` lists what was removed, --keep-all keeps it)",
            crate::report::counted(self.no_sentences, "document gave", "documents gave")
        )
    }
}

fn kind_of(path: &Path) -> Option<Kind> {
    // Lossy: a name that is not UTF-8 (Latin-1 from an old archive) still has its extension,
    // and a file skipped for its name would vanish from the corpus without a word.
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    if name.ends_with(".warc.gz") {
        return Some(Kind::WarcGz);
    }
    // Feeds and dumps ship compressed: `a.jsonl.gz` is JSONL, read through gunzip.
    if let Some(inner) = name.strip_suffix(".gz") {
        return kind_of(Path::new(inner));
    }
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("txt" | "md" | "text") => Some(Kind::Text),
        Some("jsonl" | "ndjson") => Some(Kind::Jsonl),
        Some("json") => Some(Kind::Json),
        Some("csv") => Some(Kind::Csv),
        Some("tsv") => Some(Kind::Tsv),
        Some("html" | "htm" | "xhtml") => Some(Kind::Html),
        Some("warc") => Some(Kind::Warc),
        Some("parquet") => Some(Kind::Parquet),
        _ => None,
    }
}

/// A field as the warnings about misnamed fields name it: `"pubdate" (named by --date-field)`.
fn named_by(flag: &str, field: &str) -> String {
    format!("\"{field}\" (named by {flag})")
}

/// The extensions `kind_of` reads, as messages list them (each also gzipped, `.gz`).
pub const READ_EXTENSIONS: &str =
    ".txt .text .md .jsonl .ndjson .json .csv .tsv .html .htm .xhtml .warc .parquet";

/// Whether a path is a saved web page or a web archive (gzipped or not): a corpus of articles,
/// never a file of one text per line.
pub(crate) fn is_page_or_archive(path: &Path) -> bool {
    matches!(kind_of(path), Some(Kind::Html | Kind::Warc | Kind::WarcGz))
}

/// Whether a path is a Parquet file: a corpus of articles by row, never lines of text.
pub(crate) fn is_parquet(path: &Path) -> bool {
    kind_of(path) == Some(Kind::Parquet)
}

/// How many of one kind of dropped or doubtful record are named one by one; the rest are
/// counted (a crawl can hold thousands, which would bury every other warning).
const NAMED: usize = 10;

/// Warn `message` for the `count`-th record of its kind while `count` is within [`NAMED`],
/// saying at the last one that `further` are only counted.
pub(crate) fn warn_named(observer: &dyn Observer, count: usize, message: &str, further: &str) {
    if count < NAMED {
        observer.warn(message);
    } else if count == NAMED {
        observer.warn(&format!("{message} (further {further} are only counted)"));
    }
}

/// The input a [`Corpus`] is reading: what it gave so far, for [`Corpus::faulty`].
struct FileState {
    name: String,
    documents: usize,
    /// `SkipCounts::unreadable` and `SkipCounts::total` when the input was opened.
    unreadable_before: usize,
    skipped_before: usize,
    /// The last warning given about the input.
    last_warning: Option<String>,
}

/// A streaming reader over every document of every input.
pub struct Corpus<'a> {
    args: IngestOptions,
    observer: &'a dyn Observer,
    files: std::vec::IntoIter<PathBuf>,
    current: Option<Box<dyn Iterator<Item = Result<Entry>>>>,
    pub skipped: SkipCounts,
    pub documents: usize,
    /// File names written under `--texts`, to catch two documents with one id.
    texts_written: HashMap<String, String>,
    /// The unread-date and repeated-id checks of every document handed on.
    checks: DocumentChecks,
    /// Records whose id field held an object, array or boolean (see `JsonlDocs`).
    odd_ids: usize,
    odd_fields: usize,
    /// Records skipped under `IngestOptions::keep_going` (named for the first few).
    bad_records: usize,
    /// The input being read, for [`Corpus::faulty`].
    file: Option<FileState>,
    /// The inputs that gave no document, or lost records to damage or to a fault read past
    /// (`IngestOptions::keep_going`), each with the last warning given about it: what Ray's
    /// `read` lists as skipped.
    pub faulty: Vec<(String, String)>,
    /// Where the current gzip input's reader leaves the error that ended it early.
    gz_damage: Option<Damage>,
    /// The id of each one-article file (see `file_ids`).
    ids: HashMap<PathBuf, String>,
    /// Under `--texts DIR`: the inputs that are files of `DIR` under their own name, keyed by
    /// that name in lower case (file systems that ignore case make `A.txt` and `a.txt` one
    /// file). A document's text written to one of those names would replace the input.
    inputs_in_texts: HashMap<String, PathBuf>,
}

impl<'a> Corpus<'a> {
    /// Warn `message` about the input being read (remembered for [`Corpus::faulty`]).
    fn warn(&mut self, message: &str) {
        self.observer.warn(message);
        self.remember(message);
    }

    fn remember(&mut self, message: &str) {
        if let Some(f) = self.file.as_mut() {
            f.last_warning = Some(message.to_string());
        }
    }

    fn begin_file(&mut self, path: &Path) {
        self.file = Some(FileState {
            name: input::display_name(path),
            documents: 0,
            unreadable_before: self.skipped.unreadable,
            skipped_before: self.skipped.total(),
            last_warning: None,
        });
    }

    /// Done with the current input: listed in `faulty` when it lost records (damage, or a
    /// fault read past), or gave no document because something in it was skipped.
    fn end_file(&mut self) {
        let Some(f) = self.file.take() else {
            return;
        };
        let lost = self.skipped.unreadable > f.unreadable_before;
        let none = f.documents == 0 && self.skipped.total() > f.skipped_before;
        if lost || none {
            let why = f.last_warning.unwrap_or_else(|| "gave no document".into());
            self.faulty.push((f.name, why));
        }
    }

    /// Under `IngestOptions::keep_going`, `e` ends the current input instead of the read:
    /// warned and counted unreadable. False when the read must stop at it.
    fn read_past(&mut self, e: &Error) -> bool {
        if !self.args.keep_going || matches!(e, Error::Cancelled) {
            return false;
        }
        let read = self.file.as_ref().is_some_and(|f| f.documents > 0);
        self.cut_short(&e.to_string(), "it", read);
        true
    }

    /// Warn that the current input ends early at `why` (a fault, `the fault`) and count it
    /// unreadable. `after_records`: records before it were read.
    fn cut_short(&mut self, why: &str, the_fault: &str, after_records: bool) {
        let what = if after_records {
            format!("; the records before {the_fault} were read, the rest is lost")
        } else {
            "; skipped".to_string()
        };
        self.warn(&format!("{why}{what}"));
        self.skipped.unreadable += 1;
    }

    /// Checks the paths (a missing file or an empty glob fails here, before any reading) and
    /// returns the stream; warnings about skipped inputs go to `observer` as they are met.
    pub fn open(args: &IngestOptions, observer: &'a dyn Observer) -> Result<Self> {
        let files = expand(&args.paths, observer)?;
        let ids = file_ids(&files);
        let inputs_in_texts = args
            .texts_dir
            .as_deref()
            .map(|dir| inputs_in(dir, &files))
            .unwrap_or_default();
        if let Some(dir) = &args.texts_dir {
            if let Some(folder) = folder_holding(dir, &args.paths) {
                observer.warn(&format!(
                    "--texts {}: inside the input folder {}; a later run over that folder will \
                     read the texts back as articles (write them beside it instead)",
                    dir.display(),
                    folder
                ));
            }
            // A one-article file's text is named after its id, known now: a text that would
            // replace an input is refused before any is written.
            for id in files.iter().filter_map(|f| ids.get(f)) {
                refuse_text_over_input(dir, &text_file_name(id), id, &inputs_in_texts)?;
            }
        }
        Ok(Corpus {
            ids,
            inputs_in_texts,
            args: args.clone(),
            observer,
            files: files.into_iter(),
            current: None,
            skipped: SkipCounts::default(),
            documents: 0,
            texts_written: Default::default(),
            checks: DocumentChecks::default(),
            odd_ids: 0,
            odd_fields: 0,
            bad_records: 0,
            file: None,
            faulty: Vec::new(),
            gz_damage: None,
        })
    }

    /// Warn of the damage the current gzip input met, if any, and count it as unreadable.
    /// `after_records`: records before the damage were read.
    fn take_gz_damage(&mut self, after_records: bool) -> bool {
        let Some(why) = self
            .gz_damage
            .take()
            .and_then(|d| d.lock().ok().and_then(|mut d| d.take()))
        else {
            return false;
        };
        self.cut_short(&why, "the damage", after_records);
        true
    }

    /// The id of a one-article input: the run's (`file_ids`), or stdin's.
    fn id_of(&self, path: &Path, stdin: bool) -> String {
        self.ids
            .get(path)
            .cloned()
            .unwrap_or_else(|| file_id(path, stdin))
    }

    /// A Parquet file is read through its footer, so it is opened by path, not as a stream.
    fn open_parquet(
        &mut self,
        path: &Path,
        name: &str,
        gzipped: bool,
    ) -> Option<Box<dyn Iterator<Item = Result<Entry>>>> {
        if gzipped {
            self.warn(&format!(
                "{name}: a gzipped Parquet file cannot be read in place (Parquet compresses its own pages); gunzip it; skipped"
            ));
            self.skipped.unreadable += 1;
            return None;
        }
        match crate::parquet_input::ParquetDocs::open(path, name, short_name(name), &self.args) {
            Ok(Ok(docs)) => Some(Box::new(docs)),
            Ok(Err(e)) => Some(Box::new(std::iter::once(Err(e)))),
            Err(crate::parquet_input::Unreadable(why)) => {
                self.warn(&format!("{why}; skipped"));
                self.skipped.unreadable += 1;
                None
            }
        }
    }

    fn open_file(
        &mut self,
        path: &Path,
    ) -> Result<Option<Box<dyn Iterator<Item = Result<Entry>>>>> {
        let stdin = input::is_stdin(path);
        let name = input::display_name(path);
        let gzipped = !stdin && is_gzipped(path);
        if !stdin && is_parquet(path) {
            return Ok(self.open_parquet(path, &name, gzipped));
        }
        self.gz_damage = None;
        let mut reader = match input::open(path) {
            Ok(r) if gzipped => {
                let unzipped = Unzipped::new(r, &name);
                self.gz_damage = Some(unzipped.damage.clone());
                Box::new(std::io::BufReader::new(unzipped))
            }
            Ok(r) => r,
            Err(e) => {
                self.warn(&format!("{name}: {e}; skipped"));
                self.skipped.unreadable += 1;
                return Ok(None);
            }
        };
        // A file gzipped under a plain name (`feed.jsonl` that a server or a script
        // compressed) is read through gunzip as its bytes say: read as text it was "invalid
        // UTF-8 at byte 1". Archives keep their own handling below.
        let magic = matches!(reader.fill_buf(), Ok(h) if h.starts_with(input::GZIP_MAGIC));
        if magic && !stdin && !gzipped && !matches!(kind_of(path), Some(Kind::Warc | Kind::WarcGz))
        {
            self.warn(&format!(
                "{name}: gzip-compressed although its name does not end in .gz; read through \
                 gunzip (rename it {name}.gz to say so)"
            ));
            let unzipped = Unzipped::new(reader, &name);
            self.gz_damage = Some(unzipped.damage.clone());
            reader = Box::new(std::io::BufReader::new(unzipped));
        }
        let head = match reader.fill_buf() {
            Ok(h) => h,
            Err(e) => {
                self.warn(&format!("{name}: {e}; skipped"));
                self.skipped.unreadable += 1;
                return Ok(None);
            }
        };
        if head.is_empty() && self.take_gz_damage(false) {
            return Ok(None);
        }
        if head.is_empty() {
            self.warn(&format!("{name}: empty file; skipped"));
            self.skipped.empty += 1;
            return Ok(None);
        }
        let kind = if stdin {
            self.args.stdin_format
        } else {
            kind_of(path).unwrap_or(Kind::Text)
        };
        let gzip = head.starts_with(input::GZIP_MAGIC);
        // An archive is read as what its bytes are, whatever its name says: archives are
        // renamed and re-served (`.warc` that a server gzipped, `.warc.gz` unpacked on download).
        let kind = match kind {
            Kind::Warc | Kind::WarcGz if gzip => Kind::WarcGz,
            Kind::Warc | Kind::WarcGz => Kind::Warc,
            other => other,
        };
        if stdin && gzip && kind != Kind::WarcGz {
            self.warn(&format!(
                "{name}: gzip-compressed data; pipe it through `gunzip -c`, or pass \
                 --stdin-format warc if it is a gzipped web archive; skipped"
            ));
            self.skipped.binary += 1;
            return Ok(None);
        }
        if stdin && kind == Kind::Text {
            // Read as one plain article, JSONL, a page or an archive becomes sentences of raw
            // markup.
            let looks = if input::looks_like_jsonl(head) {
                Some(("starts with '{'", "jsonl if it is JSONL"))
            } else if crate::warc::looks_like_warc(head) {
                Some((
                    "starts with a WARC version line",
                    "warc if it is a web archive",
                ))
            } else if crate::warc::looks_like_html(head) {
                Some((
                    "starts as an HTML page does",
                    "html if it is a saved web page",
                ))
            } else {
                None
            };
            if let Some((looks, format)) = looks {
                self.warn(&format!(
                    "{name}: {looks} but is read as one plain-text article; pass \
                     --stdin-format {format}"
                ));
            }
        }
        // A gzip stream is binary by nature, and an archive holds images and compressed
        // pages: the archive reader judges each record. In JSONL a stray NUL is one bad
        // record, which the reader names by line, not a reason to drop the file.
        // A saved page's byte-order mark is read as its charset (`warc::decode_page`).
        let utf16 = input::is_utf16(head);
        let utf16_page = kind == Kind::Html && utf16;
        if !matches!(kind, Kind::WarcGz | Kind::Warc) && !utf16_page && utf16 {
            // Text in an encoding not read here, not binary data: the summary says so.
            self.warn(&format!("{}; skipped", input::utf16_fix(&name)));
            self.skipped.unreadable += 1;
            return Ok(None);
        }
        // A CSV whose header reads is a table: a NUL further down is one bad row, named by
        // the reader, not a reason to drop every good row.
        let binary = match kind {
            Kind::WarcGz | Kind::Warc | Kind::Jsonl => false,
            // UTF-16 is half NUL bytes.
            Kind::Html if utf16_page => false,
            Kind::Csv | Kind::Tsv => {
                let first = head.split(|&b| b == b'\n').next().unwrap_or(head);
                input::looks_binary(first)
            }
            _ => input::looks_binary(head),
        };
        if binary {
            self.warn(&format!("{name}: binary data (NUL bytes); skipped"));
            self.skipped.binary += 1;
            return Ok(None);
        }
        let args = self.args.clone();
        match kind {
            Kind::Parquet => Err(Error::Input(format!(
                "{name}: Parquet cannot be read from stdin; give the file's path"
            ))),
            Kind::Text => {
                let bytes = input::read_capped(
                    reader.as_mut(),
                    &name,
                    "split it into one file per article",
                )?;
                let text = decode(bytes, args.lossy, &name)?;
                let doc = Document {
                    source: name,
                    ..Document::from_text(self.id_of(path, stdin), text)
                };
                Ok(Some(Box::new(std::iter::once(Ok(Entry::Doc(doc))))))
            }
            Kind::Html => {
                let bytes =
                    input::read_capped(reader.as_mut(), &name, "save the article page alone")?;
                // Decoded as an archive's pages are: a saved page is in the charset its
                // byte-order mark or `<meta>` tag names (Latin-1, Shift_JIS), not always UTF-8.
                let page = crate::warc::decode_page(&bytes, None, args.lossy)
                    .map_err(|why| Error::Input(format!("{name}: {why}")))?;
                if let Some(why) = &page.replaced {
                    self.warn(&format!(
                        "{name}: {why}; read with U+FFFD for the bytes that are not (--lossy)"
                    ));
                }
                if let Some(why) = &page.note {
                    self.warn(&format!("{name}: {why}"));
                }
                let entry = match crate::html::extract(&page.text, &name, None) {
                    Ok(a) => {
                        if let Some(lang) = a.lang.as_deref().filter(|l| !is_english(l)) {
                            self.warn(&format!(
                                "{name}: the page says it is in {lang:?}; {NOT_ENGLISH}"
                            ));
                        }
                        // A host the --outlets map names, else the site the page names, else
                        // the host of its own address, as a crawl's records are named.
                        let host = a.url.as_deref().and_then(crate::warc::host_of);
                        let mapped = host.as_ref().and_then(|h| args.outlets.get(h).cloned());
                        Entry::Doc(Document {
                            id: self.id_of(path, stdin),
                            source: name,
                            outlet: mapped.or(a.site).or(host),
                            date: a.date,
                            title: a.title,
                            byline: a.byline,
                            url: a.url,
                            lang: a.lang,
                            text: a.text,
                        })
                    }
                    Err(Error::Input(msg)) => Entry::NoArticle(msg),
                    Err(e) => return Err(e),
                };
                Ok(Some(Box::new(std::iter::once(Ok(entry)))))
            }
            Kind::Warc => Ok(Some(Box::new(crate::warc::WarcDocs::new(
                reader,
                name,
                args.outlets.clone(),
                args.lossy,
            )))),
            Kind::WarcGz => {
                let gz = std::io::BufReader::new(flate2::read::MultiGzDecoder::new(reader));
                Ok(Some(Box::new(crate::warc::WarcDocs::new(
                    gz,
                    name,
                    args.outlets.clone(),
                    args.lossy,
                ))))
            }
            Kind::Jsonl => Ok(Some(Box::new(JsonlDocs::new(reader, name, args)))),
            Kind::Json => {
                let bytes =
                    input::read_capped(reader.as_mut(), &name, "write it as JSONL instead")?;
                let text = decode(bytes, args.lossy, &name)?;
                match json_file(text, &name, &args) {
                    Ok(entries) => Ok(Some(entries)),
                    Err(JsonFile::NotRecords(why)) => {
                        self.warn(&format!("{name}: {why}; skipped"));
                        self.skipped.unreadable += 1;
                        Ok(None)
                    }
                    Err(JsonFile::Failed(e)) => Err(e),
                }
            }
            Kind::Csv | Kind::Tsv => {
                let docs = CsvDocs::open(
                    reader,
                    kind == Kind::Tsv,
                    name,
                    args,
                    self.gz_damage.clone(),
                )?;
                Ok(Some(Box::new(docs)))
            }
        }
    }
}

impl Iterator for Corpus<'_> {
    type Item = Result<Document>;
    fn next(&mut self) -> Option<Result<Document>> {
        loop {
            if let Some(it) = self.current.as_mut() {
                match it.next() {
                    Some(Ok(Entry::Damaged(msg))) => {
                        self.warn(&msg);
                        self.skipped.unreadable += 1;
                        continue;
                    }
                    Some(Ok(Entry::NoArticle(msg))) => {
                        self.warn(&format!("{msg}; skipped"));
                        self.skipped.no_article += 1;
                        continue;
                    }
                    Some(Ok(Entry::Warning(msg))) => {
                        self.warn(&msg);
                        continue;
                    }
                    Some(Ok(Entry::OddId(msg))) => {
                        self.odd_ids += 1;
                        warn_named(self.observer, self.odd_ids, &msg, "records with such ids");
                        continue;
                    }
                    Some(Ok(Entry::OddField(msg))) => {
                        self.odd_fields += 1;
                        warn_named(
                            self.observer,
                            self.odd_fields,
                            &msg,
                            "records with such fields",
                        );
                        continue;
                    }
                    Some(Ok(Entry::NotAPage(why))) => {
                        if let Some(why) = why {
                            self.warn(&format!("{why}; skipped"));
                        }
                        self.skipped.not_pages += 1;
                        continue;
                    }
                    Some(Ok(Entry::BadRecord(msg))) => {
                        self.bad_records += 1;
                        self.skipped.unreadable += 1;
                        warn_named(self.observer, self.bad_records, &msg, "unreadable records");
                        self.remember(&msg);
                        continue;
                    }
                    Some(Ok(Entry::Doc(doc))) if doc.text.trim().is_empty() => {
                        self.skipped.empty += 1;
                        let msg = format!("{} (document {}): no text; skipped", doc.source, doc.id);
                        warn_named(self.observer, self.skipped.empty, &msg, "empty records");
                        self.remember(&msg);
                        continue;
                    }
                    Some(Ok(Entry::Doc(doc))) => {
                        if self.checks.is_repeat(&doc, self.observer) {
                            self.skipped.repeats += 1;
                            continue;
                        }
                        if self.checks.check(&doc, self.observer) {
                            self.skipped.unread_dates += 1;
                        }
                        if let Some(dir) = &self.args.texts_dir {
                            let mut name = text_file_name(&doc.id);
                            match self.texts_written.get(&name) {
                                Some(earlier) if *earlier == doc.id => {
                                    self.observer.warn(&format!(
                                        "{}: document id {:?} is used twice; {} now holds this document's text and spans of the earlier one no longer point into it",
                                        doc.source,
                                        doc.id,
                                        dir.join(&name).display()
                                    ));
                                }
                                // Two ids one file name (`a/b` and `a_b`): the later one's
                                // text goes to a name of its own, said, so that neither
                                // document's spans point into the other's text.
                                Some(earlier) => {
                                    let other = distinct_text_file_name(&doc.id);
                                    self.observer.warn(&format!(
                                        "{}: document id {:?} gives the file name {name} that {:?} has; its text is written to {}",
                                        doc.source,
                                        doc.id,
                                        earlier,
                                        dir.join(&other).display()
                                    ));
                                    name = other;
                                }
                                None => {}
                            }
                            self.texts_written.insert(name.clone(), doc.id.clone());
                            // A record's id is known only now: its text is refused here,
                            // before it is written, when it would replace an input.
                            let written =
                                refuse_text_over_input(dir, &name, &doc.id, &self.inputs_in_texts)
                                    .and_then(|()| write_text(dir, &name, &doc));
                            if let Err(e) = written {
                                self.files = Vec::new().into_iter();
                                self.current = None;
                                return Some(Err(e));
                            }
                        }
                        self.documents += 1;
                        if let Some(f) = self.file.as_mut() {
                            f.documents += 1;
                        }
                        return Some(Ok(doc));
                    }
                    Some(Err(e)) => {
                        self.current = None;
                        // A gzip file cut short ends in a broken record: the cut is the fault
                        // to report, not the record, and the other files are still read.
                        if self.take_gz_damage(true) || self.read_past(&e) {
                            self.end_file();
                            continue;
                        }
                        self.files = Vec::new().into_iter();
                        return Some(Err(e));
                    }
                    None => {
                        self.current = None;
                        // A gzip file cut short ends its records early, named here.
                        self.take_gz_damage(true);
                        self.end_file();
                    }
                }
            }
            let path = self.files.next()?;
            self.begin_file(&path);
            match self.open_file(&path) {
                Ok(Some(it)) => self.current = Some(it),
                Ok(None) => self.end_file(),
                Err(e) if self.read_past(&e) => self.end_file(),
                Err(e) => {
                    self.files = Vec::new().into_iter();
                    return Some(Err(e));
                }
            }
        }
    }
}

/// What a page in another language costs, for the warnings that name one.
pub(crate) const NOT_ENGLISH: &str = "the model and the cue words are English: similarities and labels of text in other languages are unreliable";

/// Whether a declared language is English ("en", "en-GB", "EN_us").
pub(crate) fn is_english(lang: &str) -> bool {
    let l = lang.trim().to_ascii_lowercase();
    l == "en" || l.starts_with("en-") || l.starts_with("en_")
}

/// Ids of the one-article files (text and HTML) among `files`: each its name without the
/// extension, unless another such file has the same name (saved pages are often
/// `SITE/index.html`): then as many of its parent folders as tell them apart, joined by `/`
/// (`cnn/source`, `bbc-1/source`). Two ids alike would put two documents' sentences under one
/// name in every output.
fn file_ids(files: &[PathBuf]) -> HashMap<PathBuf, String> {
    let one_article: Vec<&PathBuf> = files
        .iter()
        .filter(|p| !input::is_stdin(p))
        .filter(|p| matches!(kind_of(p), Some(Kind::Text | Kind::Html) | None))
        .collect();
    // Components from the file back to the root, the file without its extension.
    let parts: Vec<Vec<String>> = one_article
        .iter()
        .map(|p| {
            let mut c = vec![file_id(p, false)];
            c.extend(
                p.parent()
                    .into_iter()
                    .flat_map(|d| d.components().rev())
                    .filter_map(|c| match c {
                        std::path::Component::Normal(s) => s.to_str().map(str::to_string),
                        _ => None,
                    }),
            );
            c
        })
        .collect();
    let id_at = |i: usize, depth: usize| -> String {
        let n = depth.min(parts[i].len());
        parts[i][..n]
            .iter()
            .rev()
            .cloned()
            .collect::<Vec<_>>()
            .join("/")
    };
    let mut depth = vec![1usize; one_article.len()];
    loop {
        let mut seen: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, &d) in depth.iter().enumerate() {
            seen.entry(id_at(i, d)).or_default().push(i);
        }
        let mut deeper = false;
        for same in seen.values().filter(|v| v.len() > 1) {
            // The same file named twice stays one id; others go one folder further up.
            if same.iter().all(|&i| one_article[i] == one_article[same[0]]) {
                continue;
            }
            for &i in same {
                if depth[i] < parts[i].len() {
                    depth[i] += 1;
                    deeper = true;
                }
            }
        }
        if !deeper {
            break;
        }
    }
    let mut ids: HashMap<PathBuf, String> = HashMap::new();
    let mut holders: HashMap<String, Vec<&PathBuf>> = HashMap::new();
    for (i, p) in one_article.iter().enumerate() {
        let id = id_at(i, depth[i]);
        holders.entry(id.clone()).or_default().push(p);
        ids.insert((*p).clone(), id);
    }
    // Files no folder tells apart (`doc.txt` beside `doc.html`): the path as given.
    for paths in holders.values() {
        let first = paths[0];
        if paths.iter().any(|p| *p != first) {
            for p in paths {
                ids.insert((*p).clone(), p.display().to_string());
            }
        }
    }
    ids
}

/// The id of a one-article file: its name without the extension.
fn file_id(path: &Path, stdin: bool) -> String {
    if stdin {
        return "stdin".into();
    }
    let unzipped;
    let path = match path.file_name().and_then(|n| n.to_str()) {
        Some(n) if is_gzipped(path) => {
            unzipped = PathBuf::from(&n[..n.len() - 3]);
            unzipped.as_path()
        }
        _ => path,
    };
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "doc".into())
}

/// A 64-bit hash of a document id, for the repeated-id check.
fn id_hash(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

fn short_name(name: &str) -> &str {
    Path::new(name)
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages list what is read: every extension they name is read, and every one read
    /// is named (the lists had drifted apart: `.text` read but unnamed, `.htm` left out).
    #[test]
    fn the_listed_extensions_are_the_ones_read() {
        let listed: Vec<&str> = READ_EXTENSIONS.split_whitespace().collect();
        for ext in &listed {
            let name = format!("a{ext}");
            assert!(
                kind_of(Path::new(&name)).is_some(),
                "{name} is listed but not read"
            );
            assert!(
                kind_of(Path::new(&format!("{name}.gz"))).is_some(),
                "{name}.gz"
            );
        }
        for ext in [
            "txt", "text", "md", "jsonl", "ndjson", "json", "csv", "tsv", "html", "htm", "xhtml",
            "warc", "parquet", "TXT",
        ] {
            let read = kind_of(Path::new(&format!("a.{ext}"))).is_some();
            let dotted = format!(".{}", ext.to_ascii_lowercase());
            assert!(read && listed.contains(&dotted.as_str()), "{ext}");
        }
        assert!(kind_of(Path::new("a.pdf")).is_none());
    }

    #[test]
    fn text_file_names_stay_inside_the_folder_and_within_the_length_limit() {
        assert_eq!(text_file_name("../etc/passwd"), "_etc_passwd.txt");
        assert_eq!(text_file_name(".."), "doc.txt");
        let url = format!("https://example.com/{}", "é".repeat(200));
        let long = text_file_name(&url);
        assert!(long.len() <= 255, "{}", long.len());
        // Two ids that share their first 180 bytes still get two files.
        assert_ne!(long, text_file_name(&format!("{url}x")));
        assert!(long.starts_with("https___example.com_é"), "{long}");
    }

    #[test]
    fn one_article_files_of_one_name_are_told_apart_by_their_folders() {
        let p = |s: &str| PathBuf::from(s);
        let files = [
            p("pages/cnn/index.html"),
            p("pages/bbc/index.html"),
            p("old/cnn/index.html"),
            p("notes/report.txt"),
            p("a/doc.txt"),
            p("a/doc.html"),
            p("feed.jsonl"),
            p("-"),
        ];
        let ids = file_ids(&files);
        let id = |s: &str| ids.get(&p(s)).map(String::as_str);
        assert_eq!(id("pages/cnn/index.html"), Some("pages/cnn/index"));
        assert_eq!(id("old/cnn/index.html"), Some("old/cnn/index"));
        assert_eq!(id("pages/bbc/index.html"), Some("bbc/index"));
        // A name of its own stays the name (the ids every earlier run gave).
        assert_eq!(id("notes/report.txt"), Some("report"));
        // No folder tells these two apart: the paths as given.
        assert_eq!(id("a/doc.txt"), Some("a/doc.txt"));
        assert_eq!(id("a/doc.html"), Some("a/doc.html"));
        // Many-document files and stdin name their documents themselves.
        assert_eq!(id("feed.jsonl"), None);
        assert_eq!(id("-"), None);
        // The same file named twice is one id.
        let twice = file_ids(&[p("x/a.txt"), p("x/a.txt")]);
        assert_eq!(twice.get(&p("x/a.txt")).map(String::as_str), Some("a"));
    }

    #[test]
    fn english_is_any_en_tag() {
        assert!(is_english("en") && is_english("en-GB") && is_english("EN_us"));
        assert!(!is_english("es") && !is_english("eng-x") && !is_english("fr-FR"));
    }
}
