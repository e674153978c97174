//! Reading texts for `embed`, `similar --corpus` and `classify --sentences`: one text per line,
//! or JSONL with a text field per line. No segmentation happens here: a record is a text.
//!
//! Reading streams line by line so a corpus larger than memory can be embedded. Every problem
//! names the file and line, because "invalid input" without a place is useless on a 1 GB file.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::input;
use crate::observe::Observer;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputFormat {
    /// JSONL for .jsonl/.ndjson files or when the first line starts with `{`; text otherwise.
    #[default]
    Auto,
    /// One text per line.
    Text,
    /// One JSON object per line with a text field.
    Jsonl,
}

#[derive(Debug, Clone)]
pub struct ReadOptions {
    pub format: InputFormat,
    pub text_field: String,
    /// Replace invalid UTF-8 with U+FFFD instead of stopping.
    pub lossy: bool,
    /// Skip malformed JSONL lines (counted) instead of stopping.
    pub skip_bad: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: InputFormat::Auto,
            text_field: "text".into(),
            lossy: false,
            skip_bad: false,
        }
    }
}

/// One input text and where it came from.
#[derive(Debug, Clone)]
pub struct Record {
    pub source: String,
    pub line: usize,
    pub text: String,
    /// The other JSONL fields, carried through to the output.
    pub fields: Map<String, Value>,
}

#[derive(Debug, Clone, Default)]
pub struct ReadStats {
    pub records: usize,
    pub empty: usize,
    pub skipped_bad: usize,
    pub lossy_lines: usize,
    /// Each input read to its end, in order: what it gave, so that a run that read no record
    /// can say of each file why ([`ReadStats::nothing_read`]).
    pub files: Vec<FileCount>,
}

/// What one input gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileCount {
    /// As the input is named in messages (`<stdin>` for stdin).
    pub name: String,
    pub lines: usize,
    pub records: usize,
    /// Malformed JSONL lines skipped under `skip_bad`.
    pub skipped_bad: usize,
}

/// At most this many inputs are named when none gave a record; the rest are counted.
const NAMED_FILES: usize = 5;

impl ReadStats {
    /// When no input gave a record, why, file by file: the message a command that has nothing
    /// to work on fails with (an empty output that exits 0 reads as success). `None` when
    /// some record was read.
    pub fn nothing_read(&self) -> Option<String> {
        if self.records > 0 {
            return None;
        }
        let mut why = self.first_files(|f| format!("{}: {}", f.name, f.why_none()));
        if why.is_empty() {
            why.push("no input was read".into());
        }
        Some(format!(
            "no text could be read from the inputs ({})",
            why.join("; ")
        ))
    }

    /// The inputs read, as messages name them: the first few of many, the rest counted.
    pub fn file_names(&self) -> String {
        self.first_files(|f| f.name.clone()).join(", ")
    }

    /// `each` of the first [`NAMED_FILES`] inputs, then "and N more" for the rest.
    fn first_files(&self, each: impl Fn(&FileCount) -> String) -> Vec<String> {
        let mut out: Vec<String> = self.files.iter().take(NAMED_FILES).map(each).collect();
        if self.files.len() > NAMED_FILES {
            out.push(format!("and {} more", self.files.len() - NAMED_FILES));
        }
        out
    }
}

impl FileCount {
    /// Why this input gave no record.
    fn why_none(&self) -> String {
        let blank = self.lines.saturating_sub(self.skipped_bad);
        match (self.lines, self.skipped_bad, blank) {
            (0, _, _) => "empty".into(),
            (1, _, 0) => "its one line skipped as malformed (--skip-bad)".into(),
            (n, _, 0) => format!("all {n} lines skipped as malformed (--skip-bad)"),
            (_, 0, _) => "blank lines only".into(),
            (_, s, b) => {
                format!("every line skipped: {s} malformed (--skip-bad), {b} blank")
            }
        }
    }
}

/// A stream of records over several inputs (`-` or no input means stdin).
pub struct Records<'a> {
    observer: &'a dyn Observer,
    inputs: std::vec::IntoIter<PathBuf>,
    current: Option<(String, Box<dyn BufRead>, bool)>,
    line: usize,
    opts: ReadOptions,
    pub stats: ReadStats,
    /// What the input being read has given so far.
    file: FileCount,
    buf: Vec<u8>,
    /// The line break of the file being read (see `open_next`).
    sep: u8,
    /// Whether the inputs that gave nothing have been named (once, at the end).
    warned_silent_inputs: bool,
}

impl<'a> Records<'a> {
    /// Checks every path, then streams; lines skipped under `skip_bad` are reported to
    /// `observer`.
    pub fn open(paths: &[PathBuf], opts: ReadOptions, observer: &'a dyn Observer) -> Result<Self> {
        // Check every path before reading any, so a typo in the last of ten files fails at once
        // rather than after an hour of embedding.
        for p in paths {
            if p.as_os_str() == "-" {
                continue;
            }
            let meta = std::fs::metadata(p).map_err(|e| Error::io(p, e))?;
            if meta.is_dir() {
                return Err(Error::Input(format!(
                    "{}: is a directory; give the files inside it (e.g. {}/*.txt), or use \
                     `claimscope segment` which walks directories",
                    p.display(),
                    p.display()
                )));
            }
        }
        let inputs = if paths.is_empty() {
            vec![PathBuf::from("-")]
        } else {
            paths.to_vec()
        };
        Ok(Records {
            observer,
            inputs: inputs.into_iter(),
            current: None,
            line: 0,
            opts,
            stats: ReadStats::default(),
            file: FileCount::default(),
            buf: Vec::new(),
            sep: b'\n',
            warned_silent_inputs: false,
        })
    }

    fn open_next(&mut self) -> Result<bool> {
        let Some(path) = self.inputs.next() else {
            return Ok(false);
        };
        let name = input::display_name(&path);
        let mut reader = input::open(&path).map_err(|e| Error::io(&path, e))?;
        let head = reader.fill_buf().map_err(|e| Error::io(&path, e))?;
        if input::is_utf16(head) {
            return Err(Error::Input(input::utf16_fix(&name)));
        }
        if self.opts.format == InputFormat::Auto && crate::ingest::is_page_or_archive(&path) {
            // Read as lines, a page would be markup and an archive its headers. Which files
            // are pages or archives is ingest's one list of kinds (`.html.gz` included).
            return Err(Error::Input(format!(
                "{name}: a saved web page or web archive is read as a corpus of articles \
                 (segment, match, classify, stories), not as one text per line; take its \
                 sentences with `claimscope segment {name} --format jsonl > sentences.jsonl` and \
                 give that file, or pass --input-format text to read its lines as they are"
            )));
        }
        if crate::ingest::is_parquet(&path) {
            return Err(Error::Input(format!(
                "{name}: a Parquet file is read as a corpus of articles (segment, match, \
                 classify, stories), not as one text per line; take its sentences with \
                 `claimscope segment {name} --format jsonl > sentences.jsonl` and give that file"
            )));
        }
        if head.starts_with(input::GZIP_MAGIC) {
            return Err(Error::Input(format!(
                "{name}: gzip-compressed; texts are read one per line from plain files: unpack \
                 it first (gunzip -k {name}, or zcat {name} | claimscope ... -)"
            )));
        }
        if input::looks_binary(head) {
            return Err(Error::Input(format!(
                "{name}: looks like a binary file (NUL bytes near the start); give a UTF-8 text or JSONL file"
            )));
        }
        // A JSON array (one document of many records) read by lines would make texts of its
        // brackets and `"id": "a",` lines. The article readers take arrays as they are.
        if self.opts.format != InputFormat::Text
            && looks_like_json_array(&name, head, self.opts.format == InputFormat::Jsonl)
        {
            // The article readers take an array from a file named .json only: under another
            // name the advice has to say so.
            let named_json = Path::new(&name)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"));
            let or = if named_json {
                "or give it"
            } else {
                "or name it .json and give it"
            };
            return Err(Error::Input(format!(
                "{name}: a JSON array; texts are read one per line (JSONL, one object a line): \
                 convert it with `jq -c '.[]' {name} > texts.jsonl`, {or} as a corpus of \
                 articles (segment, match, stories, classify without --sentences), which read \
                 .json arrays as they are"
            )));
        }
        // Old Mac files end their lines with a bare CR: read by LF alone, the whole file
        // would be one text.
        self.sep = if head.contains(&b'\r') && !head.contains(&b'\n') {
            b'\r'
        } else {
            b'\n'
        };
        let jsonl = match self.opts.format {
            InputFormat::Jsonl => true,
            InputFormat::Text => false,
            InputFormat::Auto => {
                let ext = Path::new(&name)
                    .extension()
                    .and_then(|e| e.to_str())
                    .unwrap_or("")
                    .to_ascii_lowercase();
                if matches!(ext.as_str(), "csv" | "tsv") {
                    // Read as lines, a header would be a text and a quoted newline would cut
                    // one text in two.
                    return Err(Error::Input(format!(
                        "{name}: a CSV/TSV file is read as a corpus of articles (segment, match, \
                         classify, stories with --text-field), not as one text per line; convert \
                         it to JSONL, or pass --input-format text to read its lines as they are"
                    )));
                }
                matches!(ext.as_str(), "jsonl" | "ndjson")
                    || (ext != "txt" && input::looks_like_jsonl(head))
            }
        };
        self.file = FileCount {
            name: name.clone(),
            ..FileCount::default()
        };
        self.current = Some((name, reader, jsonl));
        self.line = 0;
        Ok(true)
    }

    fn next_record(&mut self) -> Result<Option<Record>> {
        loop {
            if self.current.is_none() && !self.open_next()? {
                self.warn_inputs_that_gave_nothing();
                return Ok(None);
            }
            let Some((name, reader, jsonl)) = self.current.as_mut() else {
                return Ok(None);
            };
            self.buf.clear();
            let line = self.line + 1;
            let n = input::read_until_capped(reader.as_mut(), &mut self.buf, self.sep, || {
                format!("{name}:{line}")
            })?;
            if n == 0 {
                self.stats.files.push(std::mem::take(&mut self.file));
                self.current = None;
                continue;
            }
            self.line += 1;
            self.file.lines += 1;
            let line_no = self.line;
            while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
                self.buf.pop();
            }
            let text = match std::str::from_utf8(&self.buf) {
                // A byte-order mark opens the file, not its first text.
                Ok(s) if line_no == 1 => s.trim_start_matches('\u{feff}').to_string(),
                Ok(s) => s.to_string(),
                Err(e) if self.opts.lossy => {
                    let _ = e;
                    self.stats.lossy_lines += 1;
                    String::from_utf8_lossy(&self.buf).into_owned()
                }
                Err(e) => {
                    return Err(Error::Input(format!(
                        "{name}:{line_no}: invalid UTF-8 at byte {} of the line; convert the file to \
                         UTF-8 (e.g. iconv) or pass --lossy to replace bad bytes",
                        e.valid_up_to()
                    )));
                }
            };
            if !*jsonl {
                self.stats.records += 1;
                self.file.records += 1;
                if text.trim().is_empty() {
                    self.stats.empty += 1;
                }
                return Ok(Some(Record {
                    source: name.clone(),
                    line: line_no,
                    text,
                    fields: Map::new(),
                }));
            }
            if text.trim().is_empty() {
                // A blank line in JSONL carries no record; not an error, not a text.
                continue;
            }
            match parse_jsonl(&text, &self.opts.text_field, self.opts.lossy) {
                Ok((t, fields)) => {
                    self.stats.records += 1;
                    self.file.records += 1;
                    if t.trim().is_empty() {
                        self.stats.empty += 1;
                    }
                    return Ok(Some(Record {
                        source: name.clone(),
                        line: line_no,
                        text: t,
                        fields,
                    }));
                }
                Err(msg) if self.opts.skip_bad => {
                    self.stats.skipped_bad += 1;
                    self.file.skipped_bad += 1;
                    self.observer
                        .warn(&format!("{name}:{line_no}: {msg}; skipped (--skip-bad)"));
                }
                Err(msg) => {
                    return Err(Error::Input(format!(
                        "{name}:{line_no}: {msg}; fix the line, or pass --skip-bad to skip such lines (they are counted)"
                    )));
                }
            }
        }
    }
}

impl Records<'_> {
    /// At the end of a run that read something, each input that gave no record is named: an
    /// empty file among full ones would otherwise vanish from the output without a word. (A
    /// run that read nothing fails instead, with [`ReadStats::nothing_read`].) Said once.
    fn warn_inputs_that_gave_nothing(&mut self) {
        if self.stats.records == 0 || self.warned_silent_inputs {
            return;
        }
        self.warned_silent_inputs = true;
        for f in self.stats.files.iter().filter(|f| f.records == 0) {
            self.observer.warn(&format!(
                "{}: gave no text ({}); the other inputs were read",
                f.name,
                f.why_none()
            ));
        }
    }
}

impl Iterator for Records<'_> {
    type Item = Result<Record>;
    fn next(&mut self) -> Option<Self::Item> {
        match self.next_record() {
            Ok(Some(r)) => Some(Ok(r)),
            Ok(None) => None,
            Err(e) => {
                // Stop after an error: continuing would silently drop the bad record.
                self.inputs = Vec::new().into_iter();
                self.current = None;
                Some(Err(e))
            }
        }
    }
}

fn parse_jsonl(
    line: &str,
    field: &str,
    lossy: bool,
) -> std::result::Result<(String, Map<String, Value>), String> {
    let value: Value =
        input::parse_json_record(line, lossy).map_err(|e| input::malformed_json_line(&e))?;
    let Value::Object(mut map) = value else {
        return Err("a JSONL line must be an object like {\"text\": \"...\"}".to_string());
    };
    match map.remove(field) {
        Some(Value::String(s)) => Ok((s, map)),
        // Said as what it is: the field is there, and no --text-field would help.
        Some(Value::Null) => Err(format!(
            "\"{field}\" is null (a missing value): give a string (\"\" for an empty text) or \
             leave the line out, since every line is one output row"
        )),
        None => Err(format!(
            "no \"{field}\" field (use --text-field to name another)"
        )),
        Some(other) => Err(format!(
            "\"{field}\" is not a string but {}",
            json_kind(&other)
        )),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Read a whole small file of texts (used for `similar --corpus`), with the same checks.
pub fn read_all(
    paths: &[PathBuf],
    opts: ReadOptions,
    observer: &dyn Observer,
) -> Result<(Vec<Record>, ReadStats)> {
    let mut records = Records::open(paths, opts, observer)?;
    let mut out = Vec::new();
    for r in records.by_ref() {
        out.push(r?);
    }
    Ok((out, records.stats))
}

/// A JSON array, not lines of text: the first byte past a byte-order mark and blanks is `[`,
/// and the file is `.json`, or is read as JSONL (`jsonl`, or a name that is not a text's)
/// with an object or a string next ("[Reuters] ..." is a text, and so is a `.txt` file
/// whatever it opens with).
fn looks_like_json_array(name: &str, head: &[u8], jsonl: bool) -> bool {
    let head = head
        .strip_prefix(b"\xef\xbb\xbf".as_slice())
        .unwrap_or(head);
    let mut rest = head.iter().skip_while(|b| b.is_ascii_whitespace());
    if rest.next() != Some(&b'[') {
        return false;
    }
    let ext = Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if ext == "json" {
        return true;
    }
    let text_ext = matches!(ext.as_str(), "txt" | "text" | "md");
    (jsonl || !text_ext)
        && matches!(
            rest.find(|b| !b.is_ascii_whitespace()),
            Some(b'{') | Some(b'"') | Some(b']')
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_arrays_are_told_from_texts_that_open_with_a_bracket() {
        let array = |name: &str, head: &str, jsonl: bool| {
            looks_like_json_array(name, head.as_bytes(), jsonl)
        };
        assert!(array("a.jsonl", "[\n  {\"id\": \"a\"}", false));
        assert!(array("a", "\u{feff} [\"one\", \"two\"]", false));
        assert!(array("a.json", "[1, 2]", false));
        assert!(array("a.txt", "[{\"id\": 1}]", true));
        // A text file is read as lines whatever it opens with, unless JSONL was asked for.
        assert!(!array("a.txt", "[\"Quoted\"] is how it began.", false));
        assert!(!array("a", "[Reuters] Shares fell.", false));
        assert!(!array("a.jsonl", "{\"text\": \"[x]\"}", false));
    }

    /// Each input that gave nothing is named with its reason, the first few of many.
    #[test]
    fn nothing_read_names_each_input_and_counts_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for i in 0..7 {
            let p = dir.path().join(format!("e{i}.jsonl"));
            std::fs::write(&p, if i == 0 { "{bad\n" } else { "" }).unwrap();
            paths.push(p);
        }
        let opts = ReadOptions {
            skip_bad: true,
            ..ReadOptions::default()
        };
        let (records, stats) = read_all(&paths, opts.clone(), &crate::observe::Silent).unwrap();
        assert!(records.is_empty());
        let why = stats.nothing_read().unwrap_or_default();
        assert!(
            why.starts_with("no text could be read from the inputs (")
                && why.contains("e0.jsonl: its one line skipped as malformed (--skip-bad)")
                && why.contains("e4.jsonl: empty; and 2 more)")
                && !why.contains("e5.jsonl"),
            "{why}"
        );
        std::fs::write(&paths[1], "{\"text\": \"one\"}\n").unwrap();
        let (_, stats) = read_all(&paths, opts, &crate::observe::Silent).unwrap();
        assert_eq!(stats.nothing_read(), None);
    }

    /// An empty input beside one that gave texts is named at the end, with why; the input
    /// that gave texts is not.
    #[test]
    fn an_input_that_gave_nothing_beside_others_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let full = dir.path().join("full.txt");
        let empty = dir.path().join("empty.txt");
        let blank = dir.path().join("blank.jsonl");
        std::fs::write(&full, "one\ntwo\n").unwrap();
        std::fs::write(&empty, "").unwrap();
        std::fs::write(&blank, "\n\n").unwrap();
        let seen = crate::observe::Collect::default();
        let paths = [full, empty, blank];
        let (records, _) = read_all(&paths, ReadOptions::default(), &seen).unwrap();
        assert_eq!(records.len(), 2);
        let warnings = seen.warnings();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].ends_with("empty.txt: gave no text (empty); the other inputs were read"),
            "{warnings:?}"
        );
        assert!(
            warnings[1].contains("blank.jsonl: gave no text (blank lines only)"),
            "{warnings:?}"
        );
    }
}
