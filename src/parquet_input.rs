//! Parquet input: one article per row, its fields in the columns `IngestOptions` names (as for
//! JSONL and CSV). Corpora are often kept as Parquet (pandas, Polars, Spark, DuckDB, and
//! claimscope's own Ray runs write it), so a folder of them is read, not skipped.
//!
//! Only the named columns are read, one batch of rows at a time, so a wide file or a long one
//! streams. Any column type Arrow can cast to text is accepted: an integer id, a `Date32` or
//! timestamp date, a dictionary-encoded outlet.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch, StringArray};
use arrow_schema::DataType;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};

use crate::error::{Error, Result};
use crate::ingest::{Document, Entry, IngestOptions};

/// Rows per batch: a batch's texts are held at once, and news articles run to tens of KiB.
const BATCH_ROWS: usize = 256;

/// The documents of one Parquet file, row by row.
pub(crate) struct ParquetDocs {
    reader: ParquetRecordBatchReader,
    name: String,
    short: String,
    /// Column names in the order text, id, outlet, date, title, url (None: not in the file).
    fields: [Option<String>; 6],
    /// The current batch's columns as text, in the order of `fields`.
    batch: Vec<Option<Arc<StringArray>>>,
    at: usize,
    len: usize,
    /// Rows read before the current batch.
    row: usize,
    done: bool,
}

/// Why a file could not be opened as Parquet: the file is skipped (like a damaged archive),
/// not the run stopped.
pub(crate) struct Unreadable(pub String);

impl ParquetDocs {
    /// Opens `path`. `Err(Unreadable)` for a file that is no readable Parquet (cut short, another
    /// format under the name); `Ok(Err(_))` for a readable file without the text column, which
    /// stops the run as a CSV without it does.
    pub(crate) fn open(
        path: &Path,
        name: &str,
        short: &str,
        args: &IngestOptions,
    ) -> std::result::Result<Result<Self>, Unreadable> {
        let file = File::open(path).map_err(|e| Unreadable(format!("{name}: {e}")))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| {
            Unreadable(format!(
                "{name}: not a readable Parquet file ({e}); if it was cut short, write it again"
            ))
        })?;
        let schema = builder.schema().clone();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        if !names.contains(&args.text_field.as_str()) {
            return Ok(Err(Error::Input(format!(
                "{name}: no column \"{}\"; columns found: {}. Name the text column with --text-field",
                args.text_field,
                names.join(", ")
            ))));
        }
        let wanted = [
            &args.text_field,
            &args.id_field,
            &args.outlet_field,
            &args.date_field,
            &args.title_field,
            &args.url_field,
        ];
        let fields = wanted.map(|w| names.contains(&w.as_str()).then(|| w.clone()));
        // Top-level columns only: an Arrow field's index is its root's index in the Parquet
        // schema, so the projection reads just these columns from disk.
        let roots: Vec<usize> = names
            .iter()
            .enumerate()
            .filter(|(_, n)| fields.iter().flatten().any(|f| f == *n))
            .map(|(i, _)| i)
            .collect();
        let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
        let reader = match builder
            .with_projection(mask)
            .with_batch_size(BATCH_ROWS)
            .build()
        {
            Ok(r) => r,
            Err(e) => return Err(Unreadable(format!("{name}: {e}"))),
        };
        Ok(Ok(ParquetDocs {
            reader,
            name: name.to_string(),
            short: short.to_string(),
            fields,
            batch: Vec::new(),
            at: 0,
            len: 0,
            row: 0,
            done: false,
        }))
    }

    fn load(&mut self, batch: RecordBatch) -> Result<()> {
        self.row += self.len;
        self.at = 0;
        self.len = batch.num_rows();
        self.batch = self
            .fields
            .iter()
            .map(|f| {
                let Some(f) = f else { return Ok(None) };
                let Some(col) = batch.column_by_name(f) else {
                    return Ok(None);
                };
                as_text(col.as_ref()).map(Some).map_err(|why| {
                    Error::Input(format!(
                        "{}: column \"{f}\" ({}) cannot be read as text: {why}",
                        self.name,
                        col.data_type()
                    ))
                })
            })
            .collect::<Result<_>>()?;
        Ok(())
    }
}

/// A column as text, whatever Arrow type holds it.
fn as_text(col: &dyn Array) -> std::result::Result<Arc<StringArray>, String> {
    let cast = arrow_cast::cast(col, &DataType::Utf8).map_err(|e| e.to_string())?;
    Ok(Arc::new(cast.as_string::<i32>().clone()))
}

impl Iterator for ParquetDocs {
    type Item = Result<Entry>;
    fn next(&mut self) -> Option<Result<Entry>> {
        while self.at >= self.len {
            if self.done {
                return None;
            }
            match self.reader.next() {
                None => {
                    self.done = true;
                    return None;
                }
                Some(Err(e)) => {
                    // A damaged page of rows: the rows before it are kept, the file counted
                    // unreadable, as a damaged web archive is.
                    self.done = true;
                    let row = self.row + self.len + 1;
                    return Some(Ok(Entry::Damaged(format!(
                        "{}: rows from {row} on cannot be read ({e}); the rows before are kept",
                        self.name
                    ))));
                }
                Some(Ok(batch)) => {
                    if let Err(e) = self.load(batch) {
                        self.done = true;
                        return Some(Err(e));
                    }
                }
            }
        }
        let i = self.at;
        self.at += 1;
        let row = self.row + i + 1;
        let get = |k: usize| -> Option<String> {
            let col = self.batch.get(k)?.as_ref()?;
            (!col.is_null(i))
                .then(|| col.value(i))
                .filter(|s| !s.trim().is_empty())
                .map(str::to_string)
        };
        let text = self.batch[0]
            .as_ref()
            .filter(|c| !c.is_null(i))
            .map(|c| c.value(i).to_string())
            .unwrap_or_default();
        Some(Ok(Entry::Doc(Document {
            id: get(1).unwrap_or_else(|| format!("{}#{row}", self.short)),
            source: format!("{} row {row}", self.name),
            outlet: get(2),
            date: get(3),
            title: get(4),
            byline: None,
            url: get(5),
            text,
        })))
    }
}
