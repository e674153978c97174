//! CSV and TSV files: one article per row.

use super::*;

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

pub(super) struct CsvDocs {
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
    /// The documents of a CSV file (a TSV file with `tab`), its header read and checked.
    /// `damage` is where a gzipped input's reader leaves the error that cut it short.
    pub(super) fn open(
        reader: Box<dyn BufRead>,
        tab: bool,
        name: String,
        args: IngestOptions,
        damage: Option<Damage>,
    ) -> Result<Self> {
        let last = std::rc::Rc::new(std::cell::Cell::new(0u8));
        let tail: Box<dyn BufRead> = Box::new(std::io::BufReader::new(LastByte {
            inner: reader,
            last: last.clone(),
        }));
        let rdr = csv::ReaderBuilder::new()
            .delimiter(if tab { b'\t' } else { b',' })
            // A row with more or fewer fields than the header is a broken row (an
            // unquoted delimiter, a cut line): stop at it rather than read shifted columns.
            .flexible(false)
            .from_reader(tail);
        let mut docs = CsvDocs::new(rdr, name, args, last)?;
        docs.damage = damage;
        Ok(docs)
    }

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
