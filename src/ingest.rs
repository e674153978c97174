//! Reading a corpus: directories, files, globs or stdin; plain text (one article per file),
//! JSONL, CSV/TSV or Parquet (one article per record or row), saved web pages (.html/.htm, the article
//! extracted: `crate::html`) and web archives (.warc/.warc.gz: `crate::warc`). Documents are produced one at a time, so a corpus
//! far larger than memory streams through with flat memory.
//!
//! FNC-1's bodies load with
//! `--text-field articleBody --id-field "Body ID"` (its CSVs have a header row).

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::input::{self, decode, read_line_capped};
use crate::observe::Observer;

/// What to read and how: the inputs, the record fields that hold each part of an article, and
/// what to do with bad bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestOptions {
    /// Files, directories (walked recursively for .txt .md .jsonl .ndjson .csv .tsv .html .htm
    /// .warc .warc.gz, and any of them gzipped, and .parquet), globs, or `-` for stdin.
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Text,
    Jsonl,
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
}

/// One thing an input yields: a document, or a reason why a part of it gave none.
#[derive(Debug)]
pub enum Entry {
    Doc(Document),
    /// A part of the input could not be read (the message says which part, why, and what of
    /// the input is still read).
    Damaged(String),
    /// A page without an article.
    NoArticle(String),
    /// An archive record that is no page; the message, if any, says what was wrong with it.
    NotAPage(Option<String>),
    /// Something the reader should know about what was read (nothing was lost).
    Warning(String),
    /// A record whose id field held no usable id (named for the first few, then counted).
    OddId(String),
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
                "{} inputs gave no document (binary {}, empty {}, unreadable {}, no article {}){}",
                self.total(),
                self.binary,
                self.empty,
                self.unreadable,
                self.no_article,
                if self.not_pages > 0 {
                    format!("; {} archive records were not HTML pages", self.not_pages)
                } else {
                    String::new()
                }
            )
        });
        let sentenceless = (self.no_sentences > 0).then(|| self.no_sentences_note());
        let undated = (self.unread_dates > 0).then(|| {
            format!(
                "{} documents were read as undated: their date was not understood",
                self.unread_dates
            )
        });
        let notes: Vec<String> = [skipped, sentenceless, undated]
            .into_iter()
            .flatten()
            .collect();
        (!notes.is_empty()).then(|| notes.join("; "))
    }

    /// The count of documents that gave no sentence, for the end of a run.
    pub fn no_sentences_note(&self) -> String {
        format!(
            "{} documents gave no sentence (no text, or all of it boilerplate, repeats or markers: `claimscope segment --explain` lists what was removed, --keep-all keeps it)",
            self.no_sentences
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
        Some("csv") => Some(Kind::Csv),
        Some("tsv") => Some(Kind::Tsv),
        Some("html" | "htm" | "xhtml") => Some(Kind::Html),
        Some("warc") => Some(Kind::Warc),
        Some("parquet") => Some(Kind::Parquet),
        _ => None,
    }
}

/// Whether a path is a saved web page or a web archive (gzipped or not): a corpus of articles,
/// never a file of one text per line.
pub(crate) fn is_page_or_archive(path: &Path) -> bool {
    matches!(kind_of(path), Some(Kind::Html | Kind::Warc | Kind::WarcGz))
}

/// Whether a path is a Parquet file: a corpus of articles by row, never lines of text.
pub(crate) fn is_parquet(path: &Path) -> bool {
    kind_of(path) == Some(Kind::Parquet)
}

/// A gunzipping reader that ends where the compressed data is cut short or damaged (a
/// half-downloaded feed), leaving the reason in `damage`, so the records before the damage are
/// read and the file is counted unreadable, as a damaged web archive is, instead of the whole
/// run failing on a read error.
struct Unzipped {
    inner: flate2::read::MultiGzDecoder<Box<dyn BufRead>>,
    name: String,
    damage: Arc<std::sync::Mutex<Option<String>>>,
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

/// The first bytes of every gzip stream.
const GZIP_MAGIC: &[u8] = b"\x1f\x8b";

/// A gzip file read through gunzip (a web archive's records are unpacked by its own reader).
fn is_gzipped(path: &Path) -> bool {
    let name = path.to_string_lossy().to_ascii_lowercase();
    name.ends_with(".gz") && !name.ends_with(".warc.gz")
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
                .filter_entry(|e| {
                    let index = e.depth() > 0 && is_index_dir(e.path());
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
                        observer.warn(&format!("{err}; skipped"));
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
                    "{p}: no .txt/.md/.jsonl/.csv/.tsv/.html/.warc files (or .gz of them) or .parquet files inside"
                ));
            }
            out.extend(files);
        } else if path.exists() {
            out.push(path.to_path_buf());
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
                "{}: no file to read (claimscope reads .txt .md .jsonl .ndjson .csv .tsv .html \
                 .htm .warc, any of them gzipped, and .parquet); give such files, or - to read stdin",
                paths.join(" ")
            )));
        }
        out.push(PathBuf::from("-"));
    }
    // A file named twice (a directory and a glob over it, or the same path given twice) is
    // read once: its documents would otherwise match themselves in every group.
    let mut seen = std::collections::HashSet::new();
    out.retain(|f| {
        if input::is_stdin(f) {
            return true;
        }
        let key = std::fs::canonicalize(f).unwrap_or_else(|_| f.clone());
        let first = seen.insert(key);
        if !first {
            observer.warn(&format!("{}: given more than once; read once", f.display()));
        }
        first
    });
    Ok(out)
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

/// A streaming reader over every document of every input.
pub struct Corpus<'a> {
    args: IngestOptions,
    observer: &'a dyn Observer,
    files: std::vec::IntoIter<PathBuf>,
    current: Option<Box<dyn Iterator<Item = Result<Entry>>>>,
    pub skipped: SkipCounts,
    pub documents: usize,
    /// File names written under `--texts`, to catch two documents with one id.
    texts_written: std::collections::HashSet<String>,
    /// Ids given so far, to name a document that repeats one (outputs could not tell the
    /// two apart).
    /// Held as 64-bit hashes, not strings: 8 bytes a document instead of the id's length plus
    /// a string's overhead, so a crawl of millions of documents stays flat in memory. Two ids
    /// share a hash about once in 10^19 pairs; a clash would only warn of a repeat wrongly.
    ids_seen: std::collections::HashSet<u64>,
    duplicate_ids: usize,
    /// Records whose id field held an object, array or boolean (see `JsonlDocs`).
    odd_ids: usize,
    /// Where the current gzip input's reader leaves the error that ended it early.
    gz_damage: Option<Arc<std::sync::Mutex<Option<String>>>>,
    /// The id of each one-article file (see `file_ids`).
    ids: HashMap<PathBuf, String>,
}

impl<'a> Corpus<'a> {
    /// Checks the paths (a missing file or an empty glob fails here, before any reading) and
    /// returns the stream; warnings about skipped inputs go to `observer` as they are met.
    pub fn open(args: &IngestOptions, observer: &'a dyn Observer) -> Result<Self> {
        let files = expand(&args.paths, observer)?;
        let ids = file_ids(&files);
        Ok(Corpus {
            ids,
            args: args.clone(),
            observer,
            files: files.into_iter(),
            current: None,
            skipped: SkipCounts::default(),
            documents: 0,
            texts_written: Default::default(),
            ids_seen: Default::default(),
            duplicate_ids: 0,
            odd_ids: 0,
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
        let what = if after_records {
            "; the records before the damage were read, the rest is lost"
        } else {
            "; skipped"
        };
        self.observer.warn(&format!("{why}{what}"));
        self.skipped.unreadable += 1;
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
            self.observer.warn(&format!(
                "{name}: a gzipped Parquet file cannot be read in place (Parquet compresses its own pages); gunzip it; skipped"
            ));
            self.skipped.unreadable += 1;
            return None;
        }
        match crate::parquet_input::ParquetDocs::open(path, name, short_name(name), &self.args) {
            Ok(Ok(docs)) => Some(Box::new(docs)),
            Ok(Err(e)) => Some(Box::new(std::iter::once(Err(e)))),
            Err(crate::parquet_input::Unreadable(why)) => {
                self.observer.warn(&format!("{why}; skipped"));
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
                self.observer.warn(&format!("{name}: {e}; skipped"));
                self.skipped.unreadable += 1;
                return Ok(None);
            }
        };
        let head = match reader.fill_buf() {
            Ok(h) => h,
            Err(e) => {
                self.observer.warn(&format!("{name}: {e}; skipped"));
                self.skipped.unreadable += 1;
                return Ok(None);
            }
        };
        if head.is_empty() && self.take_gz_damage(false) {
            return Ok(None);
        }
        if head.is_empty() {
            self.observer.warn(&format!("{name}: empty file; skipped"));
            self.skipped.empty += 1;
            return Ok(None);
        }
        let kind = if stdin {
            self.args.stdin_format
        } else {
            kind_of(path).unwrap_or(Kind::Text)
        };
        let gzip = head.starts_with(GZIP_MAGIC);
        // An archive is read as what its bytes are, whatever its name says: archives are
        // renamed and re-served (`.warc` that a server gzipped, `.warc.gz` unpacked on download).
        let kind = match kind {
            Kind::Warc | Kind::WarcGz if gzip => Kind::WarcGz,
            Kind::Warc | Kind::WarcGz => Kind::Warc,
            other => other,
        };
        if stdin && gzip && kind != Kind::WarcGz {
            self.observer.warn(&format!(
                "{name}: gzip-compressed data; pipe it through `gunzip -c`, or pass \
                 --stdin-format warc if it is a gzipped web archive; skipped"
            ));
            self.skipped.binary += 1;
            return Ok(None);
        }
        if stdin && kind == Kind::Text {
            // Read as one plain article, JSONL, a page or an archive becomes sentences of raw
            // markup.
            let (looks, format) = if input::looks_like_jsonl(head) {
                ("starts with '{'", "jsonl if it is JSONL")
            } else if crate::warc::looks_like_warc(head) {
                (
                    "starts with a WARC version line",
                    "warc if it is a web archive",
                )
            } else if crate::warc::looks_like_html(head) {
                (
                    "starts as an HTML page does",
                    "html if it is a saved web page",
                )
            } else {
                ("", "")
            };
            if !looks.is_empty() {
                self.observer.warn(&format!(
                    "{name}: {looks} but is read as one plain-text article; pass \
                     --stdin-format {format}"
                ));
            }
        }
        // A gzip stream is binary by nature, and an archive holds images and compressed
        // pages: the archive reader judges each record. In JSONL a stray NUL is one bad
        // record, which the reader names by line, not a reason to drop the file.
        if !matches!(kind, Kind::WarcGz | Kind::Warc) && input::is_utf16(head) {
            self.observer
                .warn(&format!("{}; skipped", input::utf16_fix(&name)));
            self.skipped.binary += 1;
            return Ok(None);
        }
        if !matches!(kind, Kind::WarcGz | Kind::Warc | Kind::Jsonl) && input::looks_binary(head) {
            self.observer
                .warn(&format!("{name}: binary data (NUL bytes); skipped"));
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
                    text,
                };
                Ok(Some(Box::new(std::iter::once(Ok(Entry::Doc(doc))))))
            }
            Kind::Html => {
                let bytes =
                    input::read_capped(reader.as_mut(), &name, "save the article page alone")?;
                let page = decode(bytes, args.lossy, &name)?;
                let entry = match crate::html::extract(&page, &name, None) {
                    Ok(a) => {
                        if let Some(lang) = a.lang.as_deref().filter(|l| !is_english(l)) {
                            self.observer.warn(&format!(
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
            Kind::Jsonl => Ok(Some(Box::new(JsonlDocs {
                reader,
                name,
                line: 0,
                args,
                pending: None,
            }))),
            Kind::Csv | Kind::Tsv => {
                let rdr = csv::ReaderBuilder::new()
                    .delimiter(if kind == Kind::Tsv { b'\t' } else { b',' })
                    // A row with more or fewer fields than the header is a broken row (an
                    // unquoted delimiter, a cut line): stop at it rather than read shifted columns.
                    .flexible(false)
                    .from_reader(reader);
                Ok(Some(Box::new(
                    CsvDocs::new(rdr, name, args)?.map(|r| r.map(Entry::Doc)),
                )))
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
                        self.observer.warn(&msg);
                        self.skipped.unreadable += 1;
                        continue;
                    }
                    Some(Ok(Entry::NoArticle(msg))) => {
                        self.observer.warn(&format!("{msg}; skipped"));
                        self.skipped.no_article += 1;
                        continue;
                    }
                    Some(Ok(Entry::Warning(msg))) => {
                        self.observer.warn(&msg);
                        continue;
                    }
                    Some(Ok(Entry::OddId(msg))) => {
                        self.odd_ids += 1;
                        warn_named(self.observer, self.odd_ids, &msg, "records with such ids");
                        continue;
                    }
                    Some(Ok(Entry::NotAPage(why))) => {
                        if let Some(why) = why {
                            self.observer.warn(&format!("{why}; skipped"));
                        }
                        self.skipped.not_pages += 1;
                        continue;
                    }
                    Some(Ok(Entry::Doc(doc))) if doc.text.trim().is_empty() => {
                        self.skipped.empty += 1;
                        warn_named(
                            self.observer,
                            self.skipped.empty,
                            &format!("{} (document {}): no text; skipped", doc.source, doc.id),
                            "empty records",
                        );
                        continue;
                    }
                    Some(Ok(Entry::Doc(doc))) => {
                        if let Some(note) =
                            crate::dates::unread_note(&doc.source, &doc.id, doc.date.as_deref())
                        {
                            self.skipped.unread_dates += 1;
                            warn_named(
                                self.observer,
                                self.skipped.unread_dates,
                                &note,
                                "unread dates",
                            );
                        }
                        if !self.ids_seen.insert(id_hash(&doc.id)) {
                            self.duplicate_ids += 1;
                            warn_named(
                                self.observer,
                                self.duplicate_ids,
                                &format!(
                                    "{}: document id {:?} was given to an earlier document too; outputs name both alike (give each document its own id)",
                                    doc.source, doc.id
                                ),
                                "repeated ids",
                            );
                        }
                        if let Some(dir) = &self.args.texts_dir {
                            let name = text_file_name(&doc.id);
                            if !self.texts_written.insert(name.clone()) {
                                self.observer.warn(&format!(
                                    "{}: document id {:?} is used twice (or maps to the same file name); {} now holds this document's text and spans of the earlier one no longer point into it",
                                    doc.source,
                                    doc.id,
                                    dir.join(&name).display()
                                ));
                            }
                            if let Err(e) = write_text(dir, &doc) {
                                self.files = Vec::new().into_iter();
                                self.current = None;
                                return Some(Err(e));
                            }
                        }
                        self.documents += 1;
                        return Some(Ok(doc));
                    }
                    Some(Err(e)) => {
                        self.current = None;
                        // A gzip file cut short ends in a broken record: the cut is the fault
                        // to report, not the record, and the other files are still read.
                        if self.take_gz_damage(true) {
                            continue;
                        }
                        self.files = Vec::new().into_iter();
                        return Some(Err(e));
                    }
                    None => {
                        self.current = None;
                        // A gzip file cut short ends its records early, named here.
                        self.take_gz_damage(true);
                    }
                }
            }
            let path = self.files.next()?;
            match self.open_file(&path) {
                Ok(Some(it)) => self.current = Some(it),
                Ok(None) => {}
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

fn write_text(dir: &Path, doc: &Document) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let path = dir.join(text_file_name(&doc.id));
    crate::outfile::write_whole(&path, doc.text.as_bytes())
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
    /// A document held back one call, behind a warning about it.
    pending: Option<Document>,
}

impl Iterator for JsonlDocs {
    type Item = Result<Entry>;
    fn next(&mut self) -> Option<Result<Entry>> {
        if let Some(doc) = self.pending.take() {
            return Some(Ok(Entry::Doc(doc)));
        }
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let line = self.line + 1;
            match read_line_capped(&mut self.reader, &mut buf, || {
                format!("{}:{line}", self.name)
            }) {
                Ok(0) => return None,
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
                Err(e) => return Some(Err(e)),
            };
            // A byte-order mark (Windows and Excel exports start with one) is not JSON.
            let json = if self.line == 1 {
                text.trim_start_matches('\u{feff}')
            } else {
                &text
            };
            let v: Value = match serde_json::from_str(json) {
                Ok(v) => v,
                Err(e) => {
                    let why = crate::input::malformed_json_line(&e);
                    return Some(Err(Error::Input(format!("{at}: {why}"))));
                }
            };
            let a = &self.args;
            let Some(body) = v.get(&a.text_field).and_then(Value::as_str) else {
                return Some(Err(Error::Input(format!(
                    "{at}: no string field \"{}\" (use --text-field to name the text field)",
                    a.text_field
                ))));
            };
            let doc = Document {
                id: str_field(v.get(&a.id_field))
                    .unwrap_or_else(|| format!("{}#{}", short_name(&self.name), self.line)),
                source: at,
                outlet: str_field(v.get(&a.outlet_field)),
                date: str_field(v.get(&a.date_field)),
                title: str_field(v.get(&a.title_field)),
                byline: None,
                url: str_field(v.get(&a.url_field)),
                text: body.to_string(),
            };
            // An id that is an object, array or boolean is a field read under the wrong name
            // (or a nested schema); the stand-in id must not pass unremarked.
            if let Some(given) = v
                .get(&a.id_field)
                .filter(|x| x.is_object() || x.is_array() || x.is_boolean())
            {
                let kind = match given {
                    Value::Object(_) => "an object",
                    Value::Array(_) => "an array",
                    _ => "a boolean",
                };
                let warning = format!(
                    "{}: field \"{}\" is {kind}, not a string or number; the document is called {:?} (use --id-field to name the id field)",
                    doc.source, a.id_field, doc.id
                );
                self.pending = Some(doc);
                return Some(Ok(Entry::OddId(warning)));
            }
            return Some(Ok(Entry::Doc(doc)));
        }
    }
}

fn short_name(name: &str) -> &str {
    Path::new(name)
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or(name)
}

struct CsvDocs {
    rdr: csv::Reader<Box<dyn BufRead>>,
    name: String,
    cols: [Option<usize>; 6],
    row: usize,
    lossy: bool,
}

impl CsvDocs {
    fn new(mut rdr: csv::Reader<Box<dyn BufRead>>, name: String, a: IngestOptions) -> Result<Self> {
        let headers: Vec<String> = rdr
            .byte_headers()
            .map_err(|e| Error::Input(format!("{name}: cannot read the header row ({e})")))?
            .iter()
            .map(|h| {
                String::from_utf8_lossy(h)
                    .trim_start_matches('\u{feff}')
                    .trim()
                    .to_string()
            })
            .collect();
        let find = |f: &str| headers.iter().position(|h| h == f);
        let Some(text) = find(&a.text_field) else {
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
        };
        let cols = [
            Some(text),
            find(&a.id_field),
            find(&a.outlet_field),
            find(&a.date_field),
            find(&a.title_field),
            find(&a.url_field),
        ];
        Ok(CsvDocs {
            rdr,
            name,
            cols,
            row: 0,
            lossy: a.lossy,
        })
    }
}

impl Iterator for CsvDocs {
    type Item = Result<Document>;
    fn next(&mut self) -> Option<Result<Document>> {
        let mut rec = csv::ByteRecord::new();
        match self.rdr.read_byte_record(&mut rec) {
            Ok(false) => return None,
            Ok(true) => {}
            Err(e) => return Some(Err(Error::Input(format!("{}: {e}", self.name)))),
        }
        self.row += 1;
        let line = rec.position().map(|p| p.line()).unwrap_or(self.row as u64);
        let at = format!("{}:{line}", self.name);
        let get = |i: Option<usize>| -> Result<Option<String>> {
            match i.and_then(|i| rec.get(i)) {
                None => Ok(None),
                Some(b) => decode(b.to_vec(), self.lossy, &at)
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
        Some(Ok(Document {
            id,
            source: at,
            outlet: f.next().flatten(),
            date: f.next().flatten(),
            title: f.next().flatten(),
            byline: None,
            url: f.next().flatten(),
            text,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
