//! Parquet output (`--format parquet -o FILE`): rows as the JSON outputs have them, written as
//! columns that pandas, Polars, DuckDB and Spark read. Nested values are flattened one level
//! (`scores.agree` -> `scores_agree`); lists and deeper objects are kept as JSON text. Input
//! fields whose names the output takes are kept renamed ([`with_input`]). Column
//! types come from the first batch of rows (numbers: Int64 when whole, else Float64; booleans;
//! everything else text). An embedding is a fixed-size list of float32.
//!
//! The file is written beside its destination under a temporary name and renamed into place
//! when complete, so a killed run never leaves a half-written file under the final name.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{FixedSizeListBuilder, Float32Builder, StringBuilder};
use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// Rows buffered before a batch is written: memory stays flat whatever the row count.
const BATCH_ROWS: usize = 8192;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Float,
    Bool,
    Text,
}

impl Kind {
    fn data_type(self) -> DataType {
        match self {
            Kind::Int => DataType::Int64,
            Kind::Float => DataType::Float64,
            Kind::Bool => DataType::Boolean,
            Kind::Text => DataType::Utf8,
        }
    }
}

/// The element of the `embedding` column's lists.
fn item_field() -> Arc<Field> {
    Arc::new(Field::new("item", DataType::Float32, false))
}

/// What a finished file holds, and what did not fit it.
#[derive(Debug, Clone, Default)]
pub struct Written {
    pub rows: usize,
    /// Fields first seen after the columns were fixed (left out).
    pub left_out: BTreeSet<String>,
    /// Fields whose value did not fit their column's type (written as null).
    pub mistyped: BTreeSet<String>,
}

/// A row waiting for its batch: the flattened fields and the vector, if any.
type Row = (Map<String, Value>, Option<Vec<f32>>);

/// A Parquet file being written, row by row.
pub struct ParquetRows {
    path: PathBuf,
    dest: Option<crate::outfile::Destination>,
    writer: Option<ArrowWriter<File>>,
    columns: Vec<(String, Kind)>,
    schema: Option<SchemaRef>,
    /// Width of the `embedding` column, when there is one.
    dim: Option<usize>,
    pending: Vec<Row>,
    /// Rows written so far and what did not fit: returned by `finish`.
    written: Written,
    /// A row of the usual shape with typed placeholder values: the columns of a file no row
    /// came to.
    template: Option<Map<String, Value>>,
}

impl ParquetRows {
    /// Start `path`; `dim` adds an `embedding` column of that many float32 per row. Fails at
    /// once, before any work, when the directory does not exist.
    pub fn create(path: &Path, dim: Option<usize>) -> Result<Self> {
        let dest = crate::outfile::Destination::open(path)?;
        Ok(ParquetRows {
            path: path.to_path_buf(),
            dest: Some(dest),
            writer: None,
            columns: Vec::new(),
            schema: None,
            dim,
            pending: Vec::new(),
            written: Written::default(),
            template: None,
        })
    }

    /// The columns an empty result gets: those of `row` (a row as the command writes them,
    /// with placeholder values of the right types), so that an empty file is still a table
    /// readers accept and a union with non-empty runs lines up.
    pub fn with_template(mut self, row: Map<String, Value>) -> Self {
        self.template = Some(row);
        self
    }

    /// Add a row (a JSON object as the JSONL output has it) and, with an embedding column, its
    /// vector.
    pub fn push(&mut self, row: Map<String, Value>, vector: Option<&[f32]>) -> Result<()> {
        if let (Some(dim), Some(v)) = (self.dim, vector)
            && v.len() != dim
        {
            return Err(Error::Dimension {
                what: "embedding".into(),
                expected: dim,
                found: v.len(),
            });
        }
        self.pending
            .push((flatten(row), vector.map(<[f32]>::to_vec)));
        if self.pending.len() >= BATCH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    pub fn rows(&self) -> usize {
        self.written.rows + self.pending.len()
    }

    fn fix_columns(&mut self) -> Result<()> {
        let template = self.template.clone().map(flatten);
        let mut names: Vec<String> = Vec::new();
        for (row, _) in &self.pending {
            for k in row.keys() {
                if !names.contains(k) {
                    names.push(k.clone());
                }
            }
        }
        self.columns = names
            .into_iter()
            .map(|n| {
                // A column all null in the first batch (no labels asked for, say) takes the
                // template's type, so files of labelled and unlabelled runs concatenate.
                let kind = kind_of(self.pending.iter().filter_map(|(r, _)| r.get(&n)))
                    .or_else(|| kind_of(template.as_ref().and_then(|t| t.get(&n)).into_iter()))
                    .unwrap_or(Kind::Text);
                (n, kind)
            })
            .collect();
        let mut fields: Vec<Field> = self
            .columns
            .iter()
            .map(|(n, k)| Field::new(n, k.data_type(), true))
            .collect();
        if let Some(dim) = self.dim {
            // Two columns of one name make a file pyarrow refuses to read; the callers rename
            // an input's `embedding` (`with_input`), so this is a bug if it happens.
            if self.columns.iter().any(|(n, _)| n == "embedding") {
                return Err(Error::Internal(
                    "a field named \"embedding\" beside the embedding column".into(),
                ));
            }
            let dim = i32::try_from(dim)
                .map_err(|_| Error::Input(format!("embedding width {dim} too large")))?;
            fields.push(Field::new(
                "embedding",
                DataType::FixedSizeList(item_field(), dim),
                false,
            ));
        }
        let schema: SchemaRef = Arc::new(Schema::new(fields));
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build();
        // Parquet is written front to back (the footer last), so a FIFO or device takes it.
        let file = self
            .dest
            .as_ref()
            .ok_or_else(|| Error::Internal("parquet file already finished".into()))?
            .file()
            .try_clone()
            .map_err(|e| Error::io(&self.path, e))?;
        self.writer = Some(ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(pq)?);
        self.schema = Some(schema);
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        if self.schema.is_none() {
            self.fix_columns()?;
        }
        let rows = std::mem::take(&mut self.pending);
        let known: BTreeSet<&str> = self.columns.iter().map(|(n, _)| n.as_str()).collect();
        for (r, _) in &rows {
            for k in r.keys().filter(|k| !known.contains(k.as_str())) {
                self.written.left_out.insert(k.clone());
            }
        }
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(self.columns.len() + 1);
        for (name, kind) in &self.columns {
            let values = rows
                .iter()
                .map(|(r, _)| r.get(name).filter(|v| !v.is_null()));
            let mut bad = false;
            let array: ArrayRef = match kind {
                Kind::Int => Arc::new(Int64Array::from(typed(values, Value::as_i64, &mut bad))),
                Kind::Float => Arc::new(Float64Array::from(typed(values, Value::as_f64, &mut bad))),
                Kind::Bool => Arc::new(BooleanArray::from(typed(values, Value::as_bool, &mut bad))),
                Kind::Text => {
                    let mut b = StringBuilder::with_capacity(rows.len(), rows.len() * 32);
                    for v in values {
                        match v {
                            None => b.append_null(),
                            Some(Value::String(s)) => b.append_value(s),
                            Some(other) => b.append_value(other.to_string()),
                        }
                    }
                    Arc::new(b.finish())
                }
            };
            if bad {
                self.written.mistyped.insert(name.clone());
            }
            arrays.push(array);
        }
        if let Some(dim) = self.dim {
            let mut b = FixedSizeListBuilder::with_capacity(
                Float32Builder::with_capacity(rows.len() * dim),
                dim as i32,
                rows.len(),
            )
            .with_field(item_field());
            for (_, v) in &rows {
                match v {
                    Some(v) => {
                        b.values().append_slice(v);
                        b.append(true);
                    }
                    None => {
                        return Err(Error::Internal("a row without its embedding".into()));
                    }
                }
            }
            arrays.push(Arc::new(b.finish()));
        }
        let schema = self
            .schema
            .clone()
            .ok_or_else(|| Error::Internal("parquet schema not fixed".into()))?;
        let batch =
            RecordBatch::try_new(schema, arrays).map_err(|e| Error::Internal(e.to_string()))?;
        self.writer
            .as_mut()
            .ok_or_else(|| Error::Internal("parquet writer missing".into()))?
            .write(&batch)
            .map_err(pq)?;
        self.written.rows += rows.len();
        Ok(())
    }

    /// Write what is left, close the file and move it to its name. A run with no rows still
    /// writes a file, with the template's columns, so a pipeline finds its output.
    pub fn finish(mut self) -> Result<Written> {
        if self.pending.is_empty() && self.schema.is_none() {
            // A Parquet file needs a column; without a template, `text` is the one every
            // command's rows have.
            let template = self.template.take().unwrap_or_else(|| {
                let mut m = Map::new();
                m.insert("text".into(), Value::String(String::new()));
                m
            });
            self.pending
                .push((flatten(template), self.dim.map(|d| vec![0.0; d])));
            self.fix_columns()?;
            self.pending.clear();
        }
        self.flush()?;
        if let Some(w) = self.writer.take() {
            w.close().map_err(pq)?;
        }
        self.dest
            .take()
            .ok_or_else(|| Error::Internal("parquet file already finished".into()))?
            .commit()?;
        Ok(self.written)
    }
}

/// A column's values as `T`: a value of another type becomes null and sets `bad`.
fn typed<'a, T>(
    values: impl Iterator<Item = Option<&'a Value>>,
    get: fn(&Value) -> Option<T>,
    bad: &mut bool,
) -> Vec<Option<T>> {
    values
        .map(|v| {
            let x = v.and_then(get);
            *bad |= v.is_some() && x.is_none();
            x
        })
        .collect()
}

/// A Parquet error: the file system's (a full disk, a lost mount) as an I/O error of the
/// output, which the user can act on; anything else is ours.
fn pq(e: parquet::errors::ParquetError) -> Error {
    match e {
        parquet::errors::ParquetError::External(inner) => {
            match inner.downcast::<std::io::Error>() {
                Ok(io) => Error::io("the Parquet output", *io),
                Err(other) => Error::Internal(format!("parquet: {other}")),
            }
        }
        e => Error::Internal(format!("parquet: {e}")),
    }
}

/// Objects become `key_sub` columns (one level); everything else stays as it is. A flattened
/// name that another field already has is renamed as [`with_input`] does, so no value is lost.
pub fn flatten(row: Map<String, Value>) -> Map<String, Value> {
    with_input(
        Map::new(),
        row,
        &[],
        true,
        &mut Renamed::default(),
        &String::new,
    )
}

/// What an input field is renamed to when its name is taken: the same name with this in front.
pub const INPUT_PREFIX: &str = "input_";

/// Input fields written under another name, each with the first record where it happened:
/// said once, at the end of a run.
#[derive(Debug, Default, Clone)]
pub struct Renamed(BTreeMap<(String, String), String>);

impl Renamed {
    fn note(&mut self, from: &str, to: &str, place: &dyn Fn() -> String) {
        self.0
            .entry((from.to_string(), to.to_string()))
            .or_insert_with(place);
    }

    /// `from -> to` for every rename, in name order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.keys().map(|(a, b)| (a.as_str(), b.as_str()))
    }

    /// The warning to print once per run, when anything was renamed.
    pub fn warning(&self) -> Option<String> {
        if self.0.is_empty() {
            return None;
        }
        let list: Vec<String> = self
            .0
            .iter()
            .map(|((from, to), at)| {
                if at.is_empty() {
                    format!("{from:?} -> {to:?}")
                } else {
                    format!("{from:?} -> {to:?} (first at {at})")
                }
            })
            .collect();
        Some(format!(
            "input fields kept under new names, because the output writes fields of those names \
             itself (or two input fields flatten to one name): {}",
            list.join(", ")
        ))
    }
}

/// Whether `name` is a reserved name with [`INPUT_PREFIX`] in front zero or more times.
fn in_chain(name: &str, reserved: &BTreeSet<&str>) -> bool {
    let mut n = name;
    loop {
        if reserved.contains(n) {
            return true;
        }
        match n.strip_prefix(INPUT_PREFIX) {
            Some(rest) => n = rest,
            None => return false,
        }
    }
}

/// A row of the output's own fields (`own`) with the input's fields beside them. The output's
/// fields, and `also` (written apart, such as an embedding column), keep their names and
/// values; every input field is kept: one named `N` where `N` is one of those names with
/// [`INPUT_PREFIX`] in front zero or more times (`stance`, `input_stance`, ...) gets one more
/// prefix (`input_stance`, `input_input_stance`, ...). The name depends only on the field's own
/// name, never on the record's other fields, so a renamed column means the same in every row.
/// With `flat` (CSV, Parquet) objects become `key_sub` fields, and the output's flattened
/// names are reserved too; an input field flattened onto a name another input field has
/// (`meta.a` beside `meta_a`) gets the prefix until its name is free. Each rename is noted in
/// `renamed` with `place`.
pub fn with_input(
    own: Map<String, Value>,
    input: Map<String, Value>,
    also: &[&str],
    flat: bool,
    renamed: &mut Renamed,
    place: &dyn Fn() -> String,
) -> Map<String, Value> {
    // In a flat row the output's objects are reserved by their own name too, so an input
    // field is named the same whichever format it is written in.
    let unflattened: Vec<String> = own.keys().cloned().collect();
    let own = if flat { flatten_own(own) } else { own };
    let mut reserved: BTreeSet<&str> = own.keys().map(String::as_str).collect();
    reserved.extend(unflattened.iter().map(String::as_str));
    reserved.extend(also.iter().copied());
    let shift = |name: String| {
        if in_chain(&name, &reserved) {
            format!("{INPUT_PREFIX}{name}")
        } else {
            name
        }
    };
    // Fields that are not flattened first, so a nested value is the one renamed when both
    // want a name: a top-level field's name is what its user wrote.
    let mut plain = Vec::new();
    let mut nested = Vec::new();
    for (k, v) in input {
        match v {
            Value::Object(o) if flat => {
                for (k2, v2) in o {
                    nested.push((format!("{k}.{k2}"), format!("{k}_{k2}"), v2));
                }
            }
            other => plain.push((k.clone(), k, other)),
        }
    }
    let mut out = Map::new();
    for (origin, name, value) in plain.into_iter().chain(nested) {
        let mut to = shift(name.clone());
        while out.contains_key(&to) || reserved.contains(to.as_str()) {
            to = format!("{INPUT_PREFIX}{to}");
        }
        if to != name {
            renamed.note(&origin, &to, place);
        }
        out.insert(to, value);
    }
    out.extend(own);
    out
}

/// The output's own objects as `key_sub` fields: its names never meet (they are the tool's).
fn flatten_own(row: Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in row {
        match v {
            Value::Object(o) => {
                for (k2, v2) in o {
                    out.insert(format!("{k}_{k2}"), v2);
                }
            }
            other => {
                out.insert(k, other);
            }
        }
    }
    out
}

/// The column type that holds every non-null value of a column's first batch; `None` when
/// every value is null (the template then says what the column holds).
fn kind_of<'a>(values: impl Iterator<Item = &'a Value>) -> Option<Kind> {
    let mut kind: Option<Kind> = None;
    for v in values {
        let k = match v {
            Value::Null => continue,
            Value::Bool(_) => Kind::Bool,
            Value::Number(n) if n.is_i64() || n.is_u64() => Kind::Int,
            Value::Number(_) => Kind::Float,
            _ => Kind::Text,
        };
        kind = Some(match (kind, k) {
            (None, k) => k,
            (Some(a), b) if a == b => a,
            (Some(Kind::Int), Kind::Float) | (Some(Kind::Float), Kind::Int) => Kind::Float,
            _ => Kind::Text,
        });
    }
    kind
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read_back(path: &Path) -> Vec<RecordBatch> {
        let file = File::open(path).expect("open");
        parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .expect("parquet")
            .build()
            .expect("reader")
            .collect::<std::result::Result<Vec<_>, _>>()
            .expect("batches")
    }

    #[test]
    fn rows_round_trip_with_types_nesting_and_vectors() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("out.parquet");
        let mut w = ParquetRows::create(&path, Some(3)).expect("create");
        for i in 0..10_000i64 {
            let row = json!({"doc": format!("d{i}"), "start": i, "p": 0.5, "ok": i % 2 == 0,
                              "scores": {"agree": 0.25}, "cues": [{"text": "may"}], "date": null});
            let Value::Object(row) = row else {
                unreachable!()
            };
            w.push(row, Some(&[i as f32, 1.0, 2.0])).expect("push");
        }
        // The temporary file is not under the final name until finished.
        assert!(!path.exists());
        assert_eq!(w.finish().expect("finish").rows, 10_000);
        let batches = read_back(&path);
        let schema = batches[0].schema();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        // Columns in name order (rows are JSON objects), the vector last.
        assert_eq!(
            names,
            [
                "cues",
                "date",
                "doc",
                "ok",
                "p",
                "scores_agree",
                "start",
                "embedding"
            ]
        );
        assert_eq!(schema.field(6).data_type(), &DataType::Int64);
        assert_eq!(schema.field(4).data_type(), &DataType::Float64);
        assert_eq!(schema.field(3).data_type(), &DataType::Boolean);
        assert_eq!(
            batches.iter().map(RecordBatch::num_rows).sum::<usize>(),
            10_000
        );
        let cues = batches[0]
            .column(0)
            .as_any()
            .downcast_ref::<arrow_array::StringArray>()
            .expect("text");
        assert_eq!(cues.value(0), r#"[{"text":"may"}]"#);
        let emb = batches[0]
            .column(7)
            .as_any()
            .downcast_ref::<arrow_array::FixedSizeListArray>()
            .expect("list");
        assert_eq!(emb.value_length(), 3);
        let files = std::fs::read_dir(dir.path()).expect("dir").count();
        assert_eq!(files, 1, "no temporary file left behind");
    }

    #[test]
    fn an_empty_result_is_a_table_with_the_template_columns() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("empty.parquet");
        let Value::Object(t) = json!({"doc": "", "start": 0, "p": 0.5}) else {
            unreachable!()
        };
        let w = ParquetRows::create(&path, None)
            .expect("create")
            .with_template(t);
        assert_eq!(w.finish().expect("finish").rows, 0);
        let file = File::open(&path).expect("open");
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .expect("parquet");
        let schema = reader.schema().clone();
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, ["doc", "p", "start"]);
        assert_eq!(schema.field(2).data_type(), &DataType::Int64);
    }

    #[test]
    fn a_column_null_in_every_row_takes_the_template_type() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("nulls.parquet");
        let Value::Object(t) = json!({"doc": "", "p": 0.5, "n": 0, "ok": false}) else {
            unreachable!()
        };
        let mut w = ParquetRows::create(&path, None)
            .expect("create")
            .with_template(t);
        let row = json!({"doc": "a", "p": null, "n": null, "ok": null, "other": null});
        w.push(obj(row), None).expect("push");
        assert_eq!(w.finish().expect("finish").rows, 1);
        let file = File::open(&path).expect("open");
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .expect("parquet");
        let schema = reader.schema().clone();
        let kind = |n: &str| schema.field_with_name(n).expect(n).data_type().clone();
        assert_eq!(kind("p"), DataType::Float64);
        assert_eq!(kind("n"), DataType::Int64);
        assert_eq!(kind("ok"), DataType::Boolean);
        // A column the template does not know stays text.
        assert_eq!(kind("other"), DataType::Utf8);
    }
    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn input_fields_are_renamed_by_their_own_name_alone_and_none_is_lost() {
        let own = obj(json!({"stance": "agree", "scores": {"agree": 0.9}}));
        let mut renamed = Renamed::default();
        let row = with_input(
            own.clone(),
            obj(
                json!({"stance": "gold", "input_stance": "older", "input_input_stance": "oldest",
                       "id": 7, "input_id": 8}),
            ),
            &["embedding"],
            false,
            &mut renamed,
            &|| "f:1".to_string(),
        );
        assert_eq!(
            Value::Object(row),
            json!({"stance": "agree", "scores": {"agree": 0.9}, "input_stance": "gold",
                   "input_input_stance": "older", "input_input_input_stance": "oldest",
                   "id": 7, "input_id": 8})
        );
        // Another record without `stance`: its `input_stance` gets the same name as above.
        let row = with_input(
            own.clone(),
            obj(json!({"input_stance": "alone", "embedding": [1]})),
            &["embedding"],
            false,
            &mut renamed,
            &|| "f:2".to_string(),
        );
        assert_eq!(row["input_input_stance"], "alone");
        assert_eq!(row["input_embedding"], json!([1]));
        assert!(!row.contains_key("input_stance") && !row.contains_key("embedding"));
        let pairs: Vec<(&str, &str)> = renamed.pairs().collect();
        assert_eq!(
            pairs,
            [
                ("embedding", "input_embedding"),
                ("input_input_stance", "input_input_input_stance"),
                ("input_stance", "input_input_stance"),
                ("stance", "input_stance"),
            ]
        );
        let w = renamed.warning().unwrap_or_default();
        assert!(
            w.contains("\"stance\" -> \"input_stance\" (first at f:1)"),
            "{w}"
        );
        assert!(
            w.contains("\"embedding\" -> \"input_embedding\" (first at f:2)"),
            "{w}"
        );

        // Flat: the output's flattened names are reserved, and two input fields flattened
        // to one name are both kept.
        let mut renamed = Renamed::default();
        let row = with_input(
            own,
            obj(json!({"scores_agree": 5, "meta": {"a": 1}, "meta_a": 2})),
            &[],
            true,
            &mut renamed,
            &String::new,
        );
        assert_eq!(
            Value::Object(row),
            json!({"stance": "agree", "scores_agree": 0.9, "input_scores_agree": 5,
                   "meta_a": 2, "input_meta_a": 1})
        );
        assert_eq!(
            renamed.pairs().collect::<Vec<_>>(),
            [
                ("meta.a", "input_meta_a"),
                ("scores_agree", "input_scores_agree")
            ]
        );
        assert!(Renamed::default().warning().is_none());
    }

    #[test]
    fn a_missing_directory_is_refused_before_any_work() {
        let err = ParquetRows::create(Path::new("/no/such/dir/out.parquet"), None)
            .err()
            .expect("refused");
        assert!(
            err.to_string().contains("/no/such/dir does not exist"),
            "{err}"
        );
    }
}
