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

    /// The metadata fields given names other than their defaults, with their flags: a name the
    /// user gave, so a file without it is a typo to say ("Body Id" for "Body ID" made every
    /// document a stand-in id, each its own outlet, unremarked), where a default is optional.
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
        .filter(|(_, given, default)| given != default)
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
                "{}: their date was not understood",
                crate::report::counted(
                    self.unread_dates,
                    "document was read as undated",
                    "documents were read as undated"
                )
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

/// Where a gzipped input broke off, when it did: set by its `Unzipped`, read by the corpus
/// reader (to name the damage) and by the CSV reader (to drop the row cut there).
type Damage = Arc<std::sync::Mutex<Option<String>>>;

/// A gunzipping reader that ends where the compressed data is cut short or damaged (a
/// half-downloaded feed), leaving the reason in `damage`, so the records before the damage are
/// read and the file is counted unreadable, as a damaged web archive is, instead of the whole
/// run failing on a read error.
struct Unzipped {
    inner: flate2::read::MultiGzDecoder<Box<dyn BufRead>>,
    name: String,
    damage: Damage,
    done: bool,
}

impl Unzipped {
    fn new(inner: Box<dyn BufRead>, name: &str) -> Self {
        Unzipped {
            inner: flate2::read::MultiGzDecoder::new(inner),
            name: name.to_string(),
            damage: Default::default(),
            done: false,
        }
    }
}

impl std::io::Read for Unzipped {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.done {
            return Ok(0);
        }
        match self.inner.read(buf) {
            Ok(n) => Ok(n),
            Err(e) => {
                self.done = true;
                if let Ok(mut d) = self.damage.lock() {
                    *d = Some(format!("{}: cannot unpack gzip ({e})", self.name));
                }
                Ok(0)
            }
        }
    }
}

/// A gzip file read through gunzip (a web archive's records are unpacked by its own reader).
fn is_gzipped(path: &Path) -> bool {
    let name = path.to_string_lossy().to_ascii_lowercase();
    name.ends_with(".gz") && !name.ends_with(".warc.gz")
}

/// A folder's documentation by its name: README, LICENSE and their kin, alone or with one
/// extension ("README.md", "LICENSE.txt"; not "license.plate.scandal.txt"). Not "notice",
/// "changes" or "authors": an article may well be called so.
fn folder_note(f: &Path) -> bool {
    const NAMES: &[&str] = &[
        "readme",
        "license",
        "licence",
        "copying",
        "changelog",
        "contributing",
    ];
    let name = f
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let mut parts = name.split('.');
    let stem = parts.next().unwrap_or_default();
    NAMES.contains(&stem) && parts.count() <= 1
}

/// Expand the command-line paths into files, in a stable (sorted) order per argument.
pub fn expand(paths: &[String], observer: &dyn Observer) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p == "-" {
            out.push(PathBuf::from("-"));
            continue;
        }
        let path = Path::new(p);
        if path.is_dir() {
            let mut files: Vec<PathBuf> = walkdir::WalkDir::new(path)
                .follow_links(true)
                .into_iter()
                // An index kept inside the corpus folder holds the corpus's sentences as
                // JSONL: read as input, every sentence would come back as a document.
                // The folder given itself too: `data/*` expands to the index kept there.
                .filter_entry(|e| {
                    let index = is_index_dir(e.path());
                    if index {
                        observer.warn(&format!(
                            "{}: a claimscope index; not read as input",
                            e.path().display()
                        ));
                    }
                    !index
                })
                .filter_map(|e| match e {
                    Ok(e) => Some(e),
                    Err(err) => {
                        // walkdir's own words ("IO error for operation on X: ...") name no
                        // cause a user can act on for the commonest case, a link left dangling.
                        let dangling = |p: &Path| {
                            p.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink())
                                && !p.exists()
                        };
                        observer.warn(&match err.path() {
                            Some(at) if dangling(at) => format!(
                                "{}: a link to a file that is not there; skipped (remove the link or restore its target)",
                                at.display()
                            ),
                            Some(at) => format!(
                                "{}: {}; skipped",
                                at.display(),
                                err.io_error().map_or_else(|| err.to_string(), ToString::to_string)
                            ),
                            None => format!("{err}; skipped"),
                        });
                        None
                    }
                })
                .filter(|e| e.file_type().is_file())
                .map(|e| e.into_path())
                .collect();
            // Files of other kinds (PDFs, images, office files) are left out, but said so:
            // a folder of 40 articles that gives 25 documents must say where the rest went.
            let mut others: BTreeMap<String, usize> = BTreeMap::new();
            files.retain(|f| {
                let hidden = f
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'));
                let read = kind_of(f).is_some();
                if !read && !hidden {
                    let ext = f.extension().map_or_else(
                        || "no extension".to_string(),
                        |e| format!(".{}", e.to_string_lossy().to_ascii_lowercase()),
                    );
                    *others.entry(ext).or_default() += 1;
                }
                read
            });
            // A folder's own documentation (README.md, LICENSE.txt beside the articles of a
            // dataset) is no article: read as one it became a document, an "outlet" and a
            // story of its own. Named on the command line, such a file is read.
            let mut notes: Vec<String> = Vec::new();
            files.retain(|f| {
                let note = folder_note(f);
                if note {
                    notes.push(f.display().to_string());
                }
                !note
            });
            if !notes.is_empty() {
                observer.warn(&format!(
                    "{p}: {} left out as the folder's documentation, not articles ({}); name a file on the command line to read it",
                    notes.len(),
                    notes.join(", ")
                ));
            }
            if !others.is_empty() {
                let n: usize = others.values().sum();
                let kinds: Vec<String> = others.iter().map(|(e, c)| format!("{e} {c}")).collect();
                observer.warn(&format!(
                    "{p}: {n} files of kinds claimscope does not read were left out ({}); convert them to text, JSONL, CSV, Parquet or HTML to include them",
                    kinds.join(", ")
                ));
            }
            files.sort();
            if files.is_empty() {
                observer.warn(&format!(
                    "{p}: no file inside of a kind claimscope reads ({READ_EXTENSIONS}, each also gzipped)"
                ));
            }
            out.extend(files);
        } else if path.exists() {
            if !index_file(path, observer) {
                out.push(path.to_path_buf());
            }
        } else if p.contains(['*', '?', '[']) {
            let matches =
                glob::glob(p).map_err(|e| Error::Input(format!("{p}: bad glob pattern ({e})")))?;
            let mut files: Vec<PathBuf> = matches
                .filter_map(|m| m.ok())
                .filter(|f| f.is_file())
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(Error::Input(format!("{p}: the pattern matches no files")));
            }
            // `data/**/*.jsonl` reaches the segments of an index kept under data/.
            files.retain(|f| !index_file(f, observer));
            out.extend(files);
        } else {
            // The OS's own words: `ErrorKind::NotFound` alone prints "entity not found".
            return Err(Error::Io {
                path: path.to_path_buf(),
                err: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
            });
        }
    }
    if out.is_empty() {
        // Stdin only when no path was given: paths that hold nothing readable are an error, not
        // a cue to wait on the terminal (or to read whatever happens to be piped in).
        if !paths.is_empty() {
            return Err(Error::Input(format!(
                "{}: no file to read (claimscope reads {READ_EXTENSIONS}, each also gzipped); give \
                 such files, or - to read stdin",
                paths.join(" ")
            )));
        }
        out.push(PathBuf::from("-"));
    }
    // A file named twice (a directory and a glob over it, or the same path given twice) is
    // read once: its documents would otherwise match themselves in every group.
    // Stdin too: read a second time it is empty, and would be reported as an empty file.
    let mut seen = std::collections::HashSet::new();
    out.retain(|f| {
        let key = if input::is_stdin(f) {
            f.clone()
        } else {
            std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())
        };
        let first = seen.insert(key);
        if !first {
            observer.warn(&format!("{}: given more than once; read once", f.display()));
        }
        first
    });
    Ok(out)
}

/// True, and said, when `file` is one of an index's own files (its segments hold the corpus's
/// sentences as JSONL: read as input, every sentence would come back as a document).
fn index_file(file: &Path, observer: &dyn Observer) -> bool {
    let Some(dir) = file.parent().filter(|d| is_index_dir(d)) else {
        return false;
    };
    observer.warn(&format!(
        "{}: a file of the claimscope index {}; not read as input",
        file.display(),
        dir.display()
    ));
    true
}

/// Does `dir` hold a claimscope index (its manifest, with the index's magic)?
fn is_index_dir(dir: &Path) -> bool {
    let manifest = dir.join(crate::index::store::MANIFEST);
    manifest.is_file()
        && std::fs::read(&manifest).is_ok_and(|b| {
            serde_json::from_slice::<serde_json::Value>(&b).is_ok_and(|v| {
                v.get("magic").and_then(|m| m.as_str()) == Some(crate::index::store::MAGIC)
            })
        })
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

/// Texts of this many words or fewer are not taken for a repeat by outlet and text alone
/// (`DocumentChecks::is_repeat`): a brief, a headline, a tweet recur as new items.
pub const MIN_REPEAT_WORDS: usize = 25;

/// The checks every reader of documents makes on each document it hands on: a date given but
/// not understood (the document is then undated for the story window), and an id given to an
/// earlier document (outputs name documents by id, so two alike cannot be told apart). One per
/// run: it remembers the ids seen. Shared by the file readers and the Python package's dicts.
#[derive(Debug, Default)]
pub struct DocumentChecks {
    /// Held as 64-bit hashes, not strings: 8 bytes a document instead of the id's length plus
    /// a string's overhead, so a crawl of millions of documents stays flat in memory. Two ids
    /// share a hash about once in 10^19 pairs; a clash would only warn of a repeat wrongly.
    ids_seen: std::collections::HashSet<u64>,
    repeated_ids: usize,
    unread_dates: usize,
    /// Whole documents (id, outlet, text) seen, as 128-bit hashes: a clash would drop a
    /// document, so twice the bits of the ids' warning-only hash.
    docs_seen: std::collections::HashSet<u128>,
    /// Texts seen under a named outlet, the same way: the same text from the same outlet
    /// under another id is a page crawled twice or a feed item repeated.
    outlet_texts_seen: std::collections::HashSet<u128>,
    repeats: usize,
    odd_dates: usize,
    /// The day of the run, read once: dates more than a year after it are named.
    today: Option<chrono::NaiveDate>,
}

impl DocumentChecks {
    /// True when `doc` is an earlier document given again word for word (the same id, outlet
    /// and text: a record twice in a feed, a file given twice under two names), warned of (the
    /// first few by name, then counted). Its caller reads it once: twice, every sentence
    /// would be matched with its own copy as a claim "shared" by two documents.
    ///
    /// The same article text from the same named outlet and date under another id (a page
    /// crawled twice, a feed item repeated under a new id) is a repeat too: read twice, each of
    /// its sentences made a one-outlet "shared claim" with its own copy. The same text from two
    /// outlets is syndicated copy and is kept, as are texts of [`MIN_REPEAT_WORDS`] words or
    /// fewer (an outlet's recurring brief) and the same text on another date.
    pub fn is_repeat(&mut self, doc: &Document, observer: &dyn Observer) -> bool {
        use std::hash::{Hash, Hasher};
        let key_of = |parts: &dyn Fn(&mut std::collections::hash_map::DefaultHasher)| {
            let half = |seed: u8| {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                seed.hash(&mut h);
                parts(&mut h);
                h.finish()
            };
            (u128::from(half(1)) << 64) | u128::from(half(2))
        };
        let whole = key_of(&|h| (&doc.id, &doc.outlet, &doc.text).hash(h));
        let new_whole = self.docs_seen.insert(whole);
        // Only articles: a short item an outlet repeats ("Oil prices rose on Monday." a week
        // apart, a headline feed) is another document; so is the same text on another date.
        let article = doc.text.split_whitespace().nth(MIN_REPEAT_WORDS).is_some();
        let new_text = match &doc.outlet {
            Some(outlet) if article => self
                .outlet_texts_seen
                .insert(key_of(&|h| (outlet, &doc.date, &doc.text).hash(h))),
            _ => true,
        };
        if new_whole && new_text {
            return false;
        }
        self.repeats += 1;
        let what = if new_whole {
            "the same outlet, date and text under another id: a page crawled twice or a feed item repeated"
        } else {
            "the same id, outlet and text"
        };
        warn_named(
            observer,
            self.repeats,
            &format!(
                "{}: document {:?} repeats an earlier one word for word ({what}); read once",
                doc.source, doc.id
            ),
            "repeated documents",
        );
        true
    }

    /// Warns `observer` of what is doubtful about `doc` (the first few of each kind by name,
    /// then counted); true when its date was given but not understood, for the caller's count.
    pub fn check(&mut self, doc: &Document, observer: &dyn Observer) -> bool {
        use crate::dates::DateNote;
        let today = *self
            .today
            .get_or_insert_with(|| chrono::Utc::now().date_naive());
        let note = crate::dates::date_note(&doc.source, &doc.id, doc.date.as_deref(), today);
        let unread = matches!(note, Some(DateNote::Unread(_)));
        match note {
            Some(DateNote::Unread(note)) => {
                self.unread_dates += 1;
                warn_named(observer, self.unread_dates, &note, "unread dates");
            }
            Some(DateNote::FarAhead(note)) => {
                self.odd_dates += 1;
                warn_named(observer, self.odd_dates, &note, "dates far in the future");
            }
            None => {}
        }
        if !self.ids_seen.insert(id_hash(&doc.id)) {
            self.repeated_ids += 1;
            warn_named(
                observer,
                self.repeated_ids,
                &format!(
                    "{}: document id {:?} was given to an earlier document too; outputs name both alike (give each document its own id)",
                    doc.source, doc.id
                ),
                "repeated ids",
            );
        }
        unread
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
                    id: self.id_of(path, stdin),
                    source: name,
                    outlet: None,
                    date: None,
                    title: None,
                    byline: None,
                    url: None,
                    lang: None,
                    text,
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
                let last = std::rc::Rc::new(std::cell::Cell::new(0u8));
                let tail: Box<dyn BufRead> = Box::new(std::io::BufReader::new(LastByte {
                    inner: reader,
                    last: last.clone(),
                }));
                let rdr = csv::ReaderBuilder::new()
                    .delimiter(if kind == Kind::Tsv { b'\t' } else { b',' })
                    // A row with more or fewer fields than the header is a broken row (an
                    // unquoted delimiter, a cut line): stop at it rather than read shifted columns.
                    .flexible(false)
                    .from_reader(tail);
                let mut docs = CsvDocs::new(rdr, name, args, last)?;
                docs.damage = self.gz_damage.clone();
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

/// The file a document's text goes to under `--texts`: its id with path separators and other
/// characters a file name cannot hold replaced, so an id never escapes the directory.
pub fn text_file_name(id: &str) -> String {
    let name: String = id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '#') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = name.trim_start_matches('.');
    // File systems refuse names over 255 bytes, and a crawl's ids can be whole URLs: a long id
    // keeps its start, made unique again by a hash of the whole.
    const MOST: usize = 180;
    if name.len() > MOST {
        use sha2::Digest;
        let mut cut = MOST;
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        let hash = sha2::Sha256::digest(id.as_bytes());
        return format!("{}-{}.txt", &name[..cut], hex::encode(&hash[..8]));
    }
    format!("{}.txt", if name.is_empty() { "doc" } else { name })
}

/// [`text_file_name`] with a hash of the whole id before `.txt`: for an id whose file name
/// another id already has.
pub fn distinct_text_file_name(id: &str) -> String {
    use sha2::Digest;
    let base = text_file_name(id);
    let stem = base.strip_suffix(".txt").unwrap_or(&base);
    let mut cut = stem.len().min(180);
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    let hash = sha2::Sha256::digest(id.as_bytes());
    format!("{}~{}.txt", &stem[..cut], hex::encode(&hash[..4]))
}

/// The inputs among `files` that are in `dir` under their own name (`dir` the input folder,
/// or one that holds some of them), keyed as `Corpus::inputs_in_texts` is.
fn inputs_in(dir: &Path, files: &[PathBuf]) -> HashMap<String, PathBuf> {
    files
        .iter()
        .filter_map(|f| {
            let name = f.file_name()?;
            crate::outfile::same_as_input(&dir.join(name), std::slice::from_ref(f))?;
            Some((name.to_string_lossy().to_lowercase(), f.clone()))
        })
        .collect()
}

/// The input folder among `paths` (walked for inputs) that holds `dir` or is it, if any. `dir`
/// need not exist yet: its nearest existing ancestor is resolved (symlinks, `..`).
fn folder_holding<'p>(dir: &Path, paths: &'p [String]) -> Option<&'p str> {
    let resolved = |p: &Path| -> Option<PathBuf> {
        let abs = std::path::absolute(p).ok()?;
        let mut rest = Vec::new();
        let mut at = abs.as_path();
        loop {
            if let Ok(real) = at.canonicalize() {
                return Some(rest.iter().rev().fold(real, |acc, n| acc.join(n)));
            }
            rest.push(at.file_name()?.to_owned());
            at = at.parent()?;
        }
    };
    let dir = resolved(dir)?;
    paths
        .iter()
        .map(String::as_str)
        .filter(|p| Path::new(p).is_dir())
        .find(|p| resolved(Path::new(p)).is_some_and(|folder| dir.starts_with(folder)))
}

/// Refuses `dir/name`, the text of document `id`, when it is one of the inputs (`inputs`, from
/// [`inputs_in`]): writing it would replace the input with the document's text (its cleaned
/// article, U+FFFD for bad bytes under `--lossy`).
fn refuse_text_over_input(
    dir: &Path,
    name: &str,
    id: &str,
    inputs: &HashMap<String, PathBuf>,
) -> Result<()> {
    let Some(input) = inputs.get(&name.to_lowercase()) else {
        return Ok(());
    };
    let path = dir.join(name);
    // A folder beside the inputs' own: inside it, a later run over the same folder would read
    // the texts back as inputs.
    let beside = |d: &Path| {
        d.file_name()
            .map(|n| d.with_file_name(format!("{}-texts", n.to_string_lossy())))
    };
    // `.` and `..` have no name of their own: their full path has.
    let instead = beside(dir)
        .or_else(|| dir.canonicalize().ok().as_deref().and_then(beside))
        .unwrap_or_else(|| PathBuf::from("texts"));
    crate::outfile::refuse_input(
        &format!(
            "--texts {}: {} (the text of document {id:?})",
            dir.display(),
            path.display()
        ),
        &path,
        std::slice::from_ref(input),
        &format!(
            "Give --texts another folder, one that holds none of the inputs, e.g. --texts {}",
            instead.display()
        ),
    )
}

fn write_text(dir: &Path, name: &str, doc: &Document) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Input(format!(
            "{}: --texts names a folder to write each document's text into, and this is a file; \
             give a new or existing folder",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    crate::outfile::write_whole(&dir.join(name), doc.text.as_bytes())
}

fn str_field(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

struct JsonlDocs {
    reader: Box<dyn BufRead>,
    name: String,
    line: usize,
    args: IngestOptions,
    /// Entries held back, behind a warning about them.
    pending: std::collections::VecDeque<Entry>,
    /// The fields named by their flags (`IngestOptions::named_fields`) no record has had yet,
    /// said at the end of the file: records may leave a field out, all of them leaving it out
    /// is a misspelt name.
    unseen: Vec<(&'static str, String)>,
    records: usize,
    /// The line break: `\r` in a file of old-Mac line ends (no `\n` in its first block), read
    /// by `\n` as one record of every line.
    sep: u8,
}

impl Iterator for JsonlDocs {
    type Item = Result<Entry>;
    fn next(&mut self) -> Option<Result<Entry>> {
        if let Some(e) = self.pending.pop_front() {
            return Some(Ok(e));
        }
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let line = self.line + 1;
            match input::read_until_capped(&mut self.reader, &mut buf, self.sep, || {
                format!("{}:{line}", self.name)
            }) {
                Ok(0) => {
                    if self.records == 0 || self.unseen.is_empty() {
                        return None;
                    }
                    let said = std::mem::take(&mut self.unseen)
                        .into_iter()
                        .map(|(flag, f)| named_by(flag, &f))
                        .collect::<Vec<_>>()
                        .join(", ");
                    return Some(Ok(Entry::Warning(format!(
                        "{}: no record has the field {said}; check the name (case matters)",
                        self.name
                    ))));
                }
                Ok(_) => {}
                Err(e) => return Some(Err(e)),
            }
            self.line += 1;
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let at = format!("{}:{}", self.name, self.line);
            let text = match decode(std::mem::take(&mut buf), self.args.lossy, &at) {
                Ok(t) => t,
                Err(e) => return Some(self.bad_line(e)),
            };
            // A byte-order mark (Windows and Excel exports start with one) is not JSON.
            let json = if self.line == 1 {
                text.trim_start_matches('\u{feff}')
            } else {
                &text
            };
            let v: Value = match input::parse_json_record(json, self.args.lossy) {
                Ok(v) => v,
                Err(e) => {
                    let why = crate::input::malformed_json_line(&e);
                    return Some(self.bad_line(Error::Input(format!("{at}: {why}"))));
                }
            };
            let fallback = format!("{}#{}", short_name(&self.name), self.line);
            self.records += 1;
            self.unseen.retain(|(_, f)| v.get(f).is_none());
            match json_record(&v, at, fallback, &self.args) {
                Ok((doc, notes)) => {
                    // The notes first, then the document they are about.
                    self.pending.extend(notes);
                    self.pending.push_back(Entry::Doc(doc));
                    return self.pending.pop_front().map(Ok);
                }
                Err(e) => return Some(self.bad_line(e)),
            }
        }
    }
}

impl JsonlDocs {
    fn new(mut reader: Box<dyn BufRead>, name: String, args: IngestOptions) -> Self {
        let sep = match reader.fill_buf() {
            Ok(head) if head.contains(&b'\r') && !head.contains(&b'\n') => b'\r',
            _ => b'\n',
        };
        let unseen = args
            .named_fields()
            .into_iter()
            .map(|(flag, f)| (flag, f.to_string()))
            .collect();
        JsonlDocs {
            reader,
            sep,
            name,
            line: 0,
            args,
            pending: Default::default(),
            unseen,
            records: 0,
        }
    }

    /// A line read whole that gives no record: the end of the read, or under
    /// `IngestOptions::keep_going` that line alone (a JSONL line is a record of its own, so the
    /// lines after it are read as they are).
    fn bad_line(&self, e: Error) -> Result<Entry> {
        if self.args.keep_going {
            Ok(Entry::BadRecord(format!("{e}; skipped")))
        } else {
            Err(e)
        }
    }
}

/// One JSON record (a JSONL line, an element of a JSON array) as a document, with the notes
/// to say first: an id or a metadata field that is not a string or number is a field read
/// under the wrong name (or a nested schema), and the stand-in must not pass unremarked.
fn json_record(
    v: &Value,
    at: String,
    fallback_id: String,
    a: &IngestOptions,
) -> Result<(Document, Vec<Entry>)> {
    // A line of another JSON kind has no fields at all: no --text-field can fix it.
    if !v.is_object() {
        let kind = match v {
            Value::Array(_) => {
                "an array (a JSON array of records is read from a file named .json, or convert it with `jq -c '.[]'`)"
            }
            Value::String(_) => "a string",
            Value::Number(_) => "a number",
            Value::Bool(_) => "a boolean",
            _ => "null",
        };
        return Err(Error::Input(format!(
            "{at}: not a JSON object but {kind}; each record is one object like {{\"{}\": \"...\"}}",
            a.text_field
        )));
    }
    // A null text (pandas writes a missing body so) is a record without text, skipped and
    // counted as an empty CSV cell or a null Parquet value is; a text of another type is a
    // field read under the wrong name.
    let body = match v.get(&a.text_field) {
        Some(Value::String(s)) => s.as_str(),
        Some(Value::Null) => "",
        Some(other) => {
            let kind = match other {
                Value::Number(_) => "a number",
                Value::Bool(_) => "a boolean",
                Value::Array(_) => "an array",
                _ => "an object",
            };
            return Err(Error::Input(format!(
                "{at}: field \"{}\" is {kind}, not a string (use --text-field to name the text field)",
                a.text_field
            )));
        }
        None => {
            return Err(Error::Input(format!(
                "{at}: no string field \"{}\" (use --text-field to name the text field)",
                a.text_field
            )));
        }
    };
    let kind_of = |x: &Value| match x {
        Value::Object(_) => Some("an object"),
        Value::Array(_) => Some("an array"),
        Value::Bool(_) => Some("a boolean"),
        _ => None,
    };
    let doc = Document {
        id: str_field(v.get(&a.id_field)).unwrap_or(fallback_id),
        source: at,
        outlet: str_field(v.get(&a.outlet_field)),
        date: str_field(v.get(&a.date_field)),
        title: str_field(v.get(&a.title_field)),
        byline: None,
        url: str_field(v.get(&a.url_field)),
        lang: None,
        text: body.to_string(),
    };
    let mut notes = Vec::new();
    if let Some(kind) = v.get(&a.id_field).and_then(kind_of) {
        notes.push(Entry::OddId(format!(
            "{}: field \"{}\" is {kind}, not a string or number; the document is called {:?} (use --id-field to name the id field)",
            doc.source, a.id_field, doc.id
        )));
    } else if v
        .get(&a.id_field)
        .and_then(Value::as_str)
        .is_some_and(|id| id.trim().is_empty())
    {
        // An empty id is an id lost on the way (a blank cell exported), not a choice: the
        // stand-in is said, as for an id of the wrong type.
        notes.push(Entry::OddId(format!(
            "{}: field \"{}\" is empty; the document is called {:?}",
            doc.source, a.id_field, doc.id
        )));
    }
    let fields = [
        (&a.outlet_field, "--outlet-field"),
        (&a.date_field, "--date-field"),
        (&a.title_field, "--title-field"),
        (&a.url_field, "--url-field"),
    ];
    for (field, flag) in fields {
        if let Some(kind) = v.get(field).and_then(kind_of) {
            notes.push(Entry::OddField(format!(
                "{}: field \"{field}\" is {kind}, not a string or number, and is ignored (flatten it, e.g. jq, or name another field with {flag})",
                doc.source
            )));
        }
    }
    Ok((doc, notes))
}

enum JsonFile {
    /// Valid JSON that holds no records to read (the reason); the file is skipped.
    NotRecords(String),
    Failed(Error),
}

/// A `.json` file: an array of records, one record, or JSONL under a `.json` name (exports often
/// are). Records keep the line they start on, as JSONL's do.
fn json_file(
    text: String,
    name: &str,
    a: &IngestOptions,
) -> std::result::Result<Box<dyn Iterator<Item = Result<Entry>>>, JsonFile> {
    let body = text.trim_start_matches('\u{feff}');
    // The line a record starts on: the line breaks before its place in `body`, counted on
    // from the previous record's (records come in order), so a big array is read in one pass.
    let (mut counted, mut line) = (0usize, 1usize);
    let mut line_at = |pos: usize| {
        let pos = pos.clamp(counted, body.len());
        line += body.as_bytes()[counted..pos]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted = pos;
        line
    };
    let records: Vec<(usize, Value)> = match body.trim_start().as_bytes().first() {
        Some(b'[') => {
            // Borrowed raw values are slices of `body`, which is how each finds its line.
            let raw: Vec<&serde_json::value::RawValue> =
                serde_json::from_str(body).map_err(|e| {
                    JsonFile::Failed(Error::Input(format!(
                        "{name}:{}: malformed JSON ({e}); fix the file or write it as JSONL",
                        e.line()
                    )))
                })?;
            // An array of numbers or names is some other JSON (a folder's sidecar), not a
            // broken records file: skipped, as a wrapping object is.
            if raw
                .first()
                .is_some_and(|r| !r.get().trim_start().starts_with('{'))
            {
                return Err(JsonFile::NotRecords(
                    "a JSON array whose first element is not an object (a record)".into(),
                ));
            }
            let mut out = Vec::with_capacity(raw.len());
            for r in &raw {
                let pos = (r.get().as_ptr() as usize).saturating_sub(body.as_ptr() as usize);
                let line = line_at(pos);
                let mut v: Value = serde_json::from_str(r.get())
                    .map_err(|e| JsonFile::Failed(Error::Input(format!("{name}:{line}: {e}"))))?;
                input::exact_big_integers(&mut v, r.get());
                out.push((line, v));
            }
            out
        }
        Some(b'{') => match serde_json::from_str::<Value>(body) {
            Ok(mut v) => {
                input::exact_big_integers(&mut v, body);
                if v.get(&a.text_field).is_none() {
                    // An API answer wraps its records: say which field holds them.
                    let arrays: Vec<&String> = v
                        .as_object()
                        .map(|o| {
                            o.iter()
                                .filter(|(_, x)| {
                                    x.as_array()
                                        .is_some_and(|xs| xs.first().is_some_and(Value::is_object))
                                })
                                .map(|(k, _)| k)
                                .collect()
                        })
                        .unwrap_or_default();
                    let why = match arrays.as_slice() {
                        [k] => format!(
                            "a JSON object without a \"{}\" field; its array \"{k}\" looks like the records: extract them (jq -c '.{k}[]' FILE > FILE.jsonl) or name the text field with --text-field",
                            a.text_field
                        ),
                        _ => format!(
                            "a JSON object without a \"{}\" field, not an article record (name the text field with --text-field)",
                            a.text_field
                        ),
                    };
                    return Err(JsonFile::NotRecords(why));
                }
                vec![(line_at(0), v)]
            }
            // Several objects one after another: JSONL under a .json name.
            Err(e) if e.classify() == serde_json::error::Category::Syntax => {
                let reader: Box<dyn BufRead> = Box::new(std::io::Cursor::new(text.into_bytes()));
                return Ok(Box::new(JsonlDocs::new(
                    reader,
                    name.to_string(),
                    a.clone(),
                )));
            }
            Err(e) => {
                return Err(JsonFile::Failed(Error::Input(format!(
                    "{name}:{}: malformed JSON ({e})",
                    e.line()
                ))));
            }
        },
        _ => {
            return Err(JsonFile::NotRecords(
                "JSON that is neither an array of records nor a record".into(),
            ));
        }
    };
    let a = a.clone();
    let name = name.to_string();
    // Lines that hold more than one element (a one-line array): there the line alone does not
    // say which record, so the element is named too.
    let mut per_line: HashMap<usize, usize> = HashMap::new();
    for (line, _) in &records {
        *per_line.entry(*line).or_default() += 1;
    }
    Ok(Box::new(records.into_iter().enumerate().flat_map(
        move |(i, (line, v))| {
            if !v.is_object() {
                return vec![Err(Error::Input(format!(
                    "{name}:{line}: element {i} of the array is not an object (a record with a \"{}\" field)",
                    a.text_field
                )))];
            }
            let at = if per_line.get(&line).is_some_and(|&n| n > 1) {
                format!("{name}:{line} (element {i} of the array)")
            } else {
                format!("{name}:{line}")
            };
            let fallback = format!("{}#{}", short_name(&name), i + 1);
            match json_record(&v, at, fallback, &a) {
                Ok((doc, mut notes)) => {
                    notes.push(Entry::Doc(doc));
                    notes.into_iter().map(Ok).collect()
                }
                Err(e) => vec![Err(e)],
            }
        },
    )))
}

fn short_name(name: &str) -> &str {
    Path::new(name)
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or(name)
}

/// A reader that remembers the last byte it passed on other than white space: how a CSV
/// reader's caller can tell a quoted field that ran to the end of the file unclosed (the csv
/// crate reads it as one long field, silently taking every later row into it) from one that
/// was closed.
struct LastByte {
    inner: Box<dyn BufRead>,
    last: std::rc::Rc<std::cell::Cell<u8>>,
}

impl Read for LastByte {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(&b) = buf[..n].iter().rev().find(|b| !b.is_ascii_whitespace()) {
            self.last.set(b);
        }
        Ok(n)
    }
}

struct CsvDocs {
    rdr: csv::Reader<Box<dyn BufRead>>,
    name: String,
    cols: [Option<usize>; 6],
    row: usize,
    lossy: bool,
    last: std::rc::Rc<std::cell::Cell<u8>>,
    /// Said once, before the first row.
    warning: Option<String>,
    /// A record read ahead (see `next`).
    ahead: Option<csv::ByteRecord>,
    /// A gzipped file's damage (`Unzipped`): the record being read when the data broke off ends
    /// there, cut short, and parses as a row all the same ("c995" with 5 of its 30 words, as a
    /// document), so a record read once the damage is known is dropped with the rest.
    damage: Option<Damage>,
}

/// The csv crate's error, said with the file, the line and the fix.
fn csv_error(name: &str, e: &csv::Error) -> Error {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => {
            let line = pos
                .as_ref()
                .map_or(String::new(), |p| format!(":{}", p.line()));
            Error::Input(format!(
                "{name}{line}: the row has {len} fields, the header {expected_len}; a field that \
                 holds the delimiter or a line break must be in double quotes, a quote inside a \
                 quoted field doubled (\"\"), and a quote opened must be closed"
            ))
        }
        _ => Error::Input(format!("{name}: {e}")),
    }
}

impl CsvDocs {
    fn new(
        mut rdr: csv::Reader<Box<dyn BufRead>>,
        name: String,
        a: IngestOptions,
        last: std::rc::Rc<std::cell::Cell<u8>>,
    ) -> Result<Self> {
        let raw = rdr
            .byte_headers()
            .map_err(|e| Error::Input(format!("{name}: cannot read the header row ({e})")))?;
        // A column name of bad bytes would be read lossily and match no field: the column's
        // values would then be lost without a word, where a bad byte in a row stops the run.
        if !a.lossy
            && let Some((k, e)) = raw
                .iter()
                .enumerate()
                .find_map(|(k, h)| std::str::from_utf8(h).err().map(|e| (k, e)))
        {
            return Err(Error::Input(format!(
                "{name}:1: invalid UTF-8 in the header row (column {}, byte {} of its name); \
                 convert it to UTF-8 (e.g. iconv -f latin1 -t utf-8) or pass --lossy",
                k + 1,
                e.valid_up_to()
            )));
        }
        let headers: Vec<String> = raw
            .iter()
            .map(|h| {
                String::from_utf8_lossy(h)
                    .trim_start_matches('\u{feff}')
                    .trim()
                    .to_string()
            })
            .collect();
        let find = |f: &str| headers.iter().position(|h| h == f);
        if find(&a.text_field).is_none() {
            // One column whose name holds the field among semicolons: another delimiter, not
            // another column name.
            let fix = if headers.len() == 1 && headers[0].contains(';') {
                "The header looks semicolon-separated; claimscope reads comma-separated .csv and \
                 tab-separated .tsv: convert the file (e.g. save it as CSV with commas)"
            } else {
                "Name the text column with --text-field"
            };
            return Err(Error::Input(format!(
                "{name}: no column \"{}\"; columns found: {}. {fix}",
                a.text_field,
                headers.join(", ")
            )));
        }
        let names: Vec<&str> = headers.iter().map(String::as_str).collect();
        let missing = a.missing_named_columns(&name, &names);
        let cols = a.fields().map(|f| find(f));
        let twice = named_twice(&a.fields(), &names);
        let twice = (!twice.is_empty()).then(|| {
            format!(
                "{name}: the header names column {} more than once; the first of each is read \
                 (rename the others to read them instead)",
                twice
                    .iter()
                    .map(|f| format!("{f:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
        Ok(CsvDocs {
            rdr,
            name,
            cols,
            row: 0,
            lossy: a.lossy,
            last,
            // Both said before the first row, one line.
            warning: match (missing, twice) {
                (Some(a), Some(b)) => Some(format!("{a}; {b}")),
                (a, b) => a.or(b),
            },
            ahead: None,
            damage: None,
        })
    }

    fn read(&mut self) -> Result<Option<csv::ByteRecord>> {
        let mut rec = csv::ByteRecord::new();
        match self.rdr.read_byte_record(&mut rec) {
            Ok(false) => Ok(None),
            Ok(true) => Ok(Some(rec)),
            Err(e) => Err(csv_error(&self.name, &e)),
        }
    }
}

impl Iterator for CsvDocs {
    type Item = Result<Entry>;
    fn next(&mut self) -> Option<Result<Entry>> {
        if let Some(w) = self.warning.take() {
            return Some(Ok(Entry::Warning(w)));
        }
        let rec = match self.ahead.take() {
            Some(r) => r,
            None => match self.read() {
                Ok(Some(r)) => r,
                Ok(None) => return None,
                Err(e) => return Some(Err(e)),
            },
        };
        let damaged = self
            .damage
            .as_ref()
            .is_some_and(|d| d.lock().map(|d| d.is_some()).unwrap_or(true));
        // A row that ended in its line break before the damage is whole (a file without a
        // final line break, then trailing garbage, loses its last row: it cannot be told
        // from one cut mid-field).
        if damaged && !matches!(self.last.get(), b'\n' | b'\r') {
            // The caller names the damage and counts the file unreadable.
            return None;
        }
        self.row += 1;
        let line = rec.position().map(|p| p.line()).unwrap_or(self.row as u64);
        let at = format!("{}:{line}", self.name);
        // A quote opened in the last field and never closed takes every line after it into
        // that field: the record ends at the end of the file, holds a line break, and the file
        // does not end in the closing quote. The rows it swallowed would be lost unremarked.
        let suspect =
            self.last.get() != b'"' && rec.iter().next_back().is_some_and(|f| f.contains(&b'\n'));
        if suspect {
            // Only the last record can have run to the end: look one record ahead.
            match self.read() {
                Ok(None) => {
                    return Some(Err(Error::Input(format!(
                        "{at}: a double quote opened in this row is never closed, so every line \
                         after it was read into one field; close the quote, or double a quote \
                         that is part of the text (\"\")"
                    ))));
                }
                Ok(r) => self.ahead = r,
                Err(e) => return Some(Err(e)),
            }
        }
        if rec.iter().any(|f| f.contains(&0)) {
            return Some(Err(Error::Input(format!(
                "{at}: a NUL byte in the row (binary data in a text column); remove it (e.g. \
                 tr -d '\\000' < FILE) or fix the export"
            ))));
        }
        let get = |i: Option<usize>| -> Result<Option<String>> {
            match i.and_then(|i| rec.get(i).map(|b| (i, b))) {
                None => Ok(None),
                // The decoder counts bytes from the field's start: say which field.
                Some((i, b)) => decode(
                    b.to_vec(),
                    self.lossy,
                    &format!(
                        "{at} (column {}, bytes counted from the field's start)",
                        i + 1
                    ),
                )
                .map(|s| Some(s).filter(|s| !s.trim().is_empty())),
            }
        };
        let fields: Result<Vec<Option<String>>> = self.cols.iter().map(|&c| get(c)).collect();
        let mut f = match fields {
            Ok(f) => f.into_iter(),
            Err(e) => return Some(Err(e)),
        };
        let text = f.next().flatten().unwrap_or_default();
        let id = f
            .next()
            .flatten()
            .unwrap_or_else(|| format!("{}#{}", short_name(&self.name), self.row));
        Some(Ok(Entry::Doc(Document {
            id,
            source: at,
            outlet: f.next().flatten(),
            date: f.next().flatten(),
            title: f.next().flatten(),
            byline: None,
            url: f.next().flatten(),
            lang: None,
            text,
        })))
    }
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
