//! Reading a corpus: directories, files, globs or stdin; plain text (one article per file),
//! JSONL or CSV/TSV (one article per record). Documents are produced one at a time, so a corpus
//! far larger than memory streams through with flat memory.
//!
//! FNC-1's bodies load with
//! `--text-field articleBody --id-field "Body ID"` (its CSVs have a header row).

use std::io::BufRead;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::input::{self, decode, read_line_capped};
use crate::observe::Observer;

/// What to read and how: the inputs, the record fields that hold each part of an article, and
/// what to do with bad bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestOptions {
    /// Files, directories (walked recursively for .txt .md .jsonl .ndjson .csv .tsv), globs, or
    /// `-` for stdin.
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
    /// How stdin is read: a plain text article, JSONL or CSV.
    pub stdin_format: Kind,
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
    pub unreadable: usize,
}

impl SkipCounts {
    pub fn total(&self) -> usize {
        self.binary + self.empty + self.unreadable
    }

    /// One line for the end of a run when inputs were skipped, so no command loses records
    /// silently (each skipped file also got its own warning as it was met; empty records did
    /// not).
    pub fn summary(&self) -> Option<String> {
        (self.total() > 0).then(|| {
            format!(
                "{} inputs gave no document (binary {}, empty {}, unreadable {})",
                self.total(),
                self.binary,
                self.empty,
                self.unreadable
            )
        })
    }
}

fn kind_of(path: &Path) -> Option<Kind> {
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
        _ => None,
    }
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
                .filter_map(|e| match e {
                    Ok(e) => Some(e),
                    Err(err) => {
                        observer.warn(&format!("{err}; skipped"));
                        None
                    }
                })
                .filter(|e| e.file_type().is_file() && kind_of(e.path()).is_some())
                .map(|e| e.into_path())
                .collect();
            files.sort();
            if files.is_empty() {
                observer.warn(&format!("{p}: no .txt/.md/.jsonl/.csv/.tsv files inside"));
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
            return Err(Error::Io {
                path: path.to_path_buf(),
                err: std::io::Error::from(std::io::ErrorKind::NotFound),
            });
        }
    }
    if out.is_empty() {
        out.push(PathBuf::from("-"));
    }
    Ok(out)
}

/// A streaming reader over every document of every input.
pub struct Corpus<'a> {
    args: IngestOptions,
    observer: &'a dyn Observer,
    files: std::vec::IntoIter<PathBuf>,
    current: Option<Box<dyn Iterator<Item = Result<Document>>>>,
    pub skipped: SkipCounts,
    pub documents: usize,
}

impl<'a> Corpus<'a> {
    /// Checks the paths (a missing file or an empty glob fails here, before any reading) and
    /// returns the stream; warnings about skipped inputs go to `observer` as they are met.
    pub fn open(args: &IngestOptions, observer: &'a dyn Observer) -> Result<Self> {
        let files = expand(&args.paths, observer)?;
        Ok(Corpus {
            args: args.clone(),
            observer,
            files: files.into_iter(),
            current: None,
            skipped: SkipCounts::default(),
            documents: 0,
        })
    }

    fn open_file(
        &mut self,
        path: &Path,
    ) -> Result<Option<Box<dyn Iterator<Item = Result<Document>>>>> {
        let stdin = input::is_stdin(path);
        let name = input::display_name(path);
        let mut reader = match input::open(path) {
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
        if head.is_empty() {
            self.observer.warn(&format!("{name}: empty file; skipped"));
            self.skipped.empty += 1;
            return Ok(None);
        }
        if input::looks_binary(head) {
            self.observer
                .warn(&format!("{name}: binary data (NUL bytes); skipped"));
            self.skipped.binary += 1;
            return Ok(None);
        }
        let kind = if stdin {
            self.args.stdin_format
        } else {
            kind_of(path).unwrap_or(Kind::Text)
        };
        let args = self.args.clone();
        match kind {
            Kind::Text => {
                let bytes = input::read_capped(
                    reader.as_mut(),
                    &name,
                    "split it into one file per article",
                )?;
                let text = decode(bytes, args.lossy, &name)?;
                let id = if stdin {
                    "stdin".to_string()
                } else {
                    path.file_stem()
                        .and_then(|s| s.to_str())
                        .unwrap_or("doc")
                        .to_string()
                };
                let doc = Document {
                    id,
                    source: name,
                    outlet: None,
                    date: None,
                    title: None,
                    url: None,
                    text,
                };
                Ok(Some(Box::new(std::iter::once(Ok(doc)))))
            }
            Kind::Jsonl => Ok(Some(Box::new(JsonlDocs {
                reader,
                name,
                line: 0,
                args,
            }))),
            Kind::Csv | Kind::Tsv => {
                let rdr = csv::ReaderBuilder::new()
                    .delimiter(if kind == Kind::Tsv { b'\t' } else { b',' })
                    // A row with more or fewer fields than the header is a broken row (an
                    // unquoted delimiter, a cut line): stop at it rather than read shifted columns.
                    .flexible(false)
                    .from_reader(reader);
                Ok(Some(Box::new(CsvDocs::new(rdr, name, args)?)))
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
                    Some(Ok(doc)) if doc.text.trim().is_empty() => {
                        self.skipped.empty += 1;
                        continue;
                    }
                    Some(Ok(doc)) => {
                        self.documents += 1;
                        return Some(Ok(doc));
                    }
                    Some(Err(e)) => {
                        self.current = None;
                        self.files = Vec::new().into_iter();
                        return Some(Err(e));
                    }
                    None => self.current = None,
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
}

impl Iterator for JsonlDocs {
    type Item = Result<Document>;
    fn next(&mut self) -> Option<Result<Document>> {
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
            let v: Value = match serde_json::from_str(&text) {
                Ok(v) => v,
                Err(e) => return Some(Err(Error::Input(format!("{at}: malformed JSON ({e})")))),
            };
            let a = &self.args;
            let Some(body) = v.get(&a.text_field).and_then(Value::as_str) else {
                return Some(Err(Error::Input(format!(
                    "{at}: no string field \"{}\" (use --text-field to name the text field)",
                    a.text_field
                ))));
            };
            return Some(Ok(Document {
                id: str_field(v.get(&a.id_field))
                    .unwrap_or_else(|| format!("{}#{}", short_name(&self.name), self.line)),
                source: at,
                outlet: str_field(v.get(&a.outlet_field)),
                date: str_field(v.get(&a.date_field)),
                title: str_field(v.get(&a.title_field)),
                url: str_field(v.get(&a.url_field)),
                text: body.to_string(),
            }));
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
            return Err(Error::Input(format!(
                "{name}: no column \"{}\"; columns found: {}. Name the text column with --text-field",
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
            url: f.next().flatten(),
            text,
        }))
    }
}
