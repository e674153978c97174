//! Parquet input: one article per row, its fields in the columns `IngestOptions` names (as for
//! JSONL and CSV). Corpora are often kept as Parquet (pandas, Polars, Spark, DuckDB, and
//! claimscope's own Ray runs write it), so a folder of them is read, not skipped.
//!
//! Only the named columns are read, one row group and one batch of rows at a time, so a wide
//! file or a long one streams, and a damaged row group costs only its own rows. Any flat column
//! type reads as text: an integer id, a `Date32` or timestamp date, a dictionary-encoded outlet,
//! bytes (decoded as UTF-8 as text files are, `--lossy` applying).

use std::fs::File;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_cast::CastOptions;
use arrow_schema::DataType;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReader,
    ParquetRecordBatchReaderBuilder,
};

use crate::error::{Error, Result};
use crate::ingest::{Document, Entry, IngestOptions};

/// Rows per batch: a batch's texts are held at once, and news articles run to tens of KiB.
const BATCH_ROWS: usize = 256;

/// The fields read, in this order: text, id, outlet, date, title, url.
const TEXT: usize = 0;
const ID: usize = 1;
const OUTLET: usize = 2;
const DATE: usize = 3;
const TITLE: usize = 4;
const URL: usize = 5;

/// The documents of one Parquet file, row by row.
pub(crate) struct ParquetDocs {
    file: File,
    meta: ArrowReaderMetadata,
    mask: ProjectionMask,
    name: String,
    short: String,
    lossy: bool,
    /// Column names of the fields read (None: not in the file, or not readable as text).
    fields: [Option<String>; 6],
    /// Said once, before the first document: columns left out and why.
    notes: std::vec::IntoIter<String>,
    /// The next row group to open, and the one being read with the rows before it.
    next_group: usize,
    reader: Option<ParquetRecordBatchReader>,
    group_first_row: usize,
    group_rows: usize,
    /// The current batch: its columns as text (in the order of `fields`), the next row in it, and
    /// the rows of the group before it.
    batch: Vec<Option<StringArray>>,
    at: usize,
    batch_first_row: usize,
    damaged: bool,
}

/// Why a file could not be opened as Parquet: the file is skipped (like a damaged archive),
/// not the run stopped.
pub(crate) struct Unreadable(pub String);

thread_local! {
    /// Set while this thread decodes a Parquet file's bytes under [`guarded`].
    static DECODING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, a decode of a file's bytes, turning a panic in it into an error. The parquet and
/// arrow crates assert on some damaged pages (a bitmap shorter than its count, offsets out of
/// range) instead of returning an error; a damaged file must cost its rows, not the run. While
/// `f` runs, the panic hook stays quiet on this thread (the damage is reported as a warning);
/// every other panic is printed as before.
fn guarded<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !DECODING.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    DECODING.with(|d| d.set(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    DECODING.with(|d| d.set(false));
    result.map_err(|payload| {
        let why = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "the decoder failed".into());
        format!("damaged data: {why}")
    })
}

/// A column chunk whose place in the file is negative or past its end: damaged metadata, on
/// which the parquet crate asserts (panics) when it reads the chunk, so it is caught here.
fn out_of_range(meta: &ArrowReaderMetadata, file: &File) -> Option<String> {
    let len = file.metadata().map_or(u64::MAX, |m| m.len());
    for (g, group) in meta.metadata().row_groups().iter().enumerate() {
        if group.num_rows() < 0 {
            return Some(format!("row group {g} has {} rows", group.num_rows()));
        }
        for c in group.columns() {
            let start = c.dictionary_page_offset().unwrap_or(c.data_page_offset());
            let fits = u64::try_from(start)
                .ok()
                .zip(u64::try_from(c.compressed_size()).ok())
                .and_then(|(s, n)| s.checked_add(n))
                .is_some_and(|end| end <= len)
                && c.data_page_offset() >= 0;
            if !fits {
                return Some(format!(
                    "row group {g}: a column chunk at byte {start}, {} bytes long, lies outside the file's {len} bytes",
                    c.compressed_size()
                ));
            }
        }
    }
    None
}

/// Whether a column holds one value per row that reads as text.
fn is_nested(t: &DataType) -> bool {
    match t {
        DataType::Dictionary(_, v) => is_nested(v),
        t => t.is_nested() || matches!(t, DataType::Union(..)),
    }
}

impl ParquetDocs {
    /// Opens `path`. `Err(Unreadable)` for a file that is no readable Parquet (cut short, another
    /// format under the name); `Ok(Err(_))` for a readable file whose text column is missing or
    /// not text, which stops the run as a CSV without its text column does.
    pub(crate) fn open(
        path: &Path,
        name: &str,
        short: &str,
        args: &IngestOptions,
    ) -> std::result::Result<Result<Self>, Unreadable> {
        let file = File::open(path).map_err(|e| Unreadable(format!("{name}: {e}")))?;
        let meta = guarded(|| {
            ArrowReaderMetadata::load(&file, ArrowReaderOptions::default())
                .map_err(|e| e.to_string())
        })
        .and_then(|m| m)
        .map_err(|e| {
            Unreadable(format!(
                "{name}: not a readable Parquet file ({e}); if it was cut short, write it again"
            ))
        })?;
        if let Some(why) = out_of_range(&meta, &file) {
            return Err(Unreadable(format!(
                "{name}: not a readable Parquet file ({why}); if it was cut short, write it again"
            )));
        }
        let schema = meta.schema().clone();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        let type_of = |n: &str| {
            schema
                .field_with_name(n)
                .ok()
                .map(|f| f.data_type().clone())
        };
        let Some(text_type) = type_of(&args.text_field) else {
            return Ok(Err(Error::Input(format!(
                "{name}: no column \"{}\"; columns found: {}. Name the text column with --text-field",
                args.text_field,
                names.join(", ")
            ))));
        };
        let mut notes = Vec::new();
        notes.extend(args.missing_named_columns(name, &names));
        if is_nested(&text_type) {
            return Ok(Err(Error::Input(format!(
                "{name}: column \"{}\" is {text_type}, not one text per row; join it into a string \
                 column (e.g. paragraphs joined by blank lines), or name another with --text-field",
                args.text_field
            ))));
        }
        let wanted = args.fields();
        let fields = wanted.map(|w| {
            let t = type_of(w)?;
            // A nested or boolean id is a field read under the wrong name, as in JSONL; other
            // nested fields (a title with parts) are left out rather than stop the run.
            let odd_id = w == &args.id_field && matches!(t, DataType::Boolean);
            if is_nested(&t) || odd_id {
                let fix = if w == &args.id_field {
                    format!(
                        "documents are called {short}#ROW (use --id-field to name the id field)"
                    )
                } else {
                    "left out".to_string()
                };
                notes.push(format!("{name}: column \"{w}\" is {t}, not text; {fix}"));
                return None;
            }
            Some(w.clone())
        });
        // Two columns of one name (Parquet allows it, Arrow looks up the first): the user
        // should know which one is read, as for a CSV header.
        for w in crate::ingest::named_twice(&wanted, &names) {
            notes.push(format!(
                "{name}: column \"{w}\" appears more than once; the first is read (rename the \
                 others to read them instead)"
            ));
        }
        // Top-level columns only: an Arrow field's index is its root's index in the Parquet
        // schema, so the projection reads just these columns from disk.
        let roots: Vec<usize> = names
            .iter()
            .enumerate()
            .filter(|(_, n)| fields.iter().flatten().any(|f| f == *n))
            .map(|(i, _)| i)
            .collect();
        let mask = ProjectionMask::roots(meta.parquet_schema(), roots);
        Ok(Ok(ParquetDocs {
            file,
            meta,
            mask,
            name: name.to_string(),
            short: short.to_string(),
            lossy: args.lossy,
            fields,
            notes: notes.into_iter(),
            next_group: 0,
            reader: None,
            group_first_row: 0,
            group_rows: 0,
            batch: Vec::new(),
            at: 0,
            batch_first_row: 0,
            damaged: false,
        }))
    }

    /// Opens the next row group; `None` after the last.
    fn open_group(&mut self) -> Option<std::result::Result<(), String>> {
        let groups = self.meta.metadata().row_groups();
        let g = self.next_group;
        let group = groups.get(g)?;
        self.next_group += 1;
        self.group_first_row += self.group_rows;
        self.group_rows = usize::try_from(group.num_rows()).unwrap_or(0);
        self.batch.clear();
        self.at = 0;
        self.batch_first_row = self.group_first_row;
        let file = match self.file.try_clone() {
            Ok(f) => f,
            Err(e) => return Some(Err(e.to_string())),
        };
        let (meta, mask) = (self.meta.clone(), self.mask.clone());
        let built = guarded(|| {
            ParquetRecordBatchReaderBuilder::new_with_metadata(file, meta)
                .with_projection(mask)
                .with_row_groups(vec![g])
                .with_batch_size(BATCH_ROWS)
                .build()
                .map_err(|e| e.to_string())
        });
        Some(built.and_then(|b| b).map(|r| self.reader = Some(r)))
    }

    /// The rows of the current row group from `first` on are lost to `why`: said, and the file
    /// counted unreadable once.
    fn lose_group_rest(&mut self, first: usize, why: &str) -> Entry {
        self.reader = None;
        let last = self.group_first_row + self.group_rows;
        let msg = format!(
            "{}: rows {}-{last} (row group {}) cannot be read ({why}); the file's other rows are read",
            self.name,
            first + 1,
            self.next_group - 1
        );
        if std::mem::replace(&mut self.damaged, true) {
            Entry::Warning(msg)
        } else {
            Entry::Damaged(msg)
        }
    }

    /// The batch's columns as text; `first` is the batch's first row in the file.
    fn load_at(&self, batch: &RecordBatch, first: usize) -> Result<Vec<Option<StringArray>>> {
        self.fields
            .iter()
            .map(|f| {
                let Some(f) = f else { return Ok(None) };
                let Some(col) = batch.column_by_name(f) else {
                    return Ok(None);
                };
                let at = |i: usize| format!("{} row {}", self.name, first + i + 1);
                as_text(col, self.lossy, &at)
                    .map(Some)
                    .map_err(|e| match e {
                        Unconverted::Bytes(e) => e,
                        Unconverted::Cast(why) => Error::Input(format!(
                            "{}: column \"{f}\" ({}) cannot be read as text: {why}",
                            self.name,
                            col.data_type()
                        )),
                    })
            })
            .collect()
    }

    fn value(&self, k: usize, i: usize) -> Option<&str> {
        let col = self.batch.get(k)?.as_ref()?;
        (!col.is_null(i)).then(|| col.value(i))
    }
}

/// Why a column did not convert: bytes that are no UTF-8 (the error names the row and the fix),
/// or a cast Arrow refused.
enum Unconverted {
    Bytes(Error),
    Cast(String),
}

/// A column as text, whatever flat Arrow type holds it. Bytes are decoded as text files are
/// (stopping at invalid UTF-8 unless `lossy`); other casts refuse a value they cannot convert
/// instead of making it null, which would drop the record as empty.
fn as_text(
    col: &ArrayRef,
    lossy: bool,
    at: &dyn Fn(usize) -> String,
) -> std::result::Result<StringArray, Unconverted> {
    let cast_err = |e: arrow_schema::ArrowError| Unconverted::Cast(e.to_string());
    let col = match col.data_type() {
        DataType::Dictionary(_, v) => arrow_cast::cast(col, v).map_err(cast_err)?,
        _ => col.clone(),
    };
    let bytes: Option<Vec<Option<&[u8]>>> = match col.data_type() {
        DataType::Binary => Some(col.as_binary::<i32>().iter().collect()),
        DataType::LargeBinary => Some(col.as_binary::<i64>().iter().collect()),
        DataType::BinaryView => Some(col.as_binary_view().iter().collect()),
        DataType::FixedSizeBinary(_) => Some(col.as_fixed_size_binary().iter().collect()),
        _ => None,
    };
    if let Some(bytes) = bytes {
        let texts = bytes
            .into_iter()
            .enumerate()
            .map(|(i, b)| {
                b.map(|b| crate::input::decode(b.to_vec(), lossy, &at(i)))
                    .transpose()
            })
            .collect::<Result<Vec<Option<String>>>>()
            .map_err(Unconverted::Bytes)?;
        return Ok(StringArray::from(texts));
    }
    // A time zone the cast would have to look up (`"UTC"`, `"Europe/Paris"`) needs a zone
    // database; the stored values are UTC instants, so they are written as such.
    let col = match col.data_type() {
        DataType::Timestamp(unit, Some(_)) => {
            let data = col
                .to_data()
                .into_builder()
                .data_type(DataType::Timestamp(*unit, Some("+00:00".into())))
                .build()
                .map_err(cast_err)?;
            arrow_array::make_array(data)
        }
        _ => col,
    };
    let strict = CastOptions {
        safe: false,
        ..CastOptions::default()
    };
    let cast = arrow_cast::cast_with_options(&col, &DataType::Utf8, &strict).map_err(cast_err)?;
    Ok(cast.as_string::<i32>().clone())
}

impl Iterator for ParquetDocs {
    type Item = Result<Entry>;
    fn next(&mut self) -> Option<Result<Entry>> {
        if let Some(note) = self.notes.next() {
            return Some(Ok(Entry::Warning(note)));
        }
        loop {
            if self.at
                < self
                    .batch
                    .first()
                    .map_or(0, |c| c.as_ref().map_or(0, Array::len))
            {
                break;
            }
            if self.reader.is_none() {
                match self.open_group()? {
                    Ok(()) => {}
                    Err(why) => {
                        let first = self.group_first_row;
                        return Some(Ok(self.lose_group_rest(first, &why)));
                    }
                }
            }
            let reader = self.reader.as_mut()?;
            let read =
                guarded(|| reader.next()).and_then(|r| r.transpose().map_err(|e| e.to_string()));
            match read {
                Ok(None) => self.reader = None,
                Err(why) => {
                    let first = self.batch_first_row + self.at;
                    return Some(Ok(self.lose_group_rest(first, &why)));
                }
                Ok(Some(batch)) => {
                    let first = self.batch_first_row + self.at;
                    // A batch whose buffers disagree with its counts panics when read.
                    let loaded = match guarded(|| self.load_at(&batch, first)) {
                        Ok(loaded) => loaded,
                        Err(why) => return Some(Ok(self.lose_group_rest(first, &why))),
                    };
                    self.batch_first_row = first;
                    self.at = 0;
                    match loaded {
                        Ok(cols) => self.batch = cols,
                        Err(e) => {
                            // A value that is no text (invalid UTF-8 without --lossy) stops
                            // the run, as it does in the other formats; nothing follows it.
                            self.reader = None;
                            self.next_group = usize::MAX;
                            self.batch.clear();
                            return Some(Err(e));
                        }
                    }
                }
            }
        }
        let i = self.at;
        self.at += 1;
        let row = self.batch_first_row + i + 1;
        let field = |k: usize| {
            self.value(k, i)
                .filter(|s| !s.trim().is_empty())
                .map(str::to_string)
        };
        Some(Ok(Entry::Doc(Document {
            id: field(ID).unwrap_or_else(|| format!("{}#{row}", self.short)),
            source: format!("{} row {row}", self.name),
            outlet: field(OUTLET),
            date: field(DATE),
            title: field(TITLE),
            byline: None,
            url: field(URL),
            lang: None,
            text: self.value(TEXT, i).unwrap_or_default().to_string(),
        })))
    }
}
