//! JSONL and JSON files: one article per record.

use super::*;

fn str_field(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(super) struct JsonlDocs {
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
    pub(super) fn new(mut reader: Box<dyn BufRead>, name: String, args: IngestOptions) -> Self {
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

pub(super) enum JsonFile {
    /// Valid JSON that holds no records to read (the reason); the file is skipped.
    NotRecords(String),
    Failed(Error),
}

/// A `.json` file: an array of records, one record, or JSONL under a `.json` name (exports often
/// are). Records keep the line they start on, as JSONL's do.
pub(super) fn json_file(
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
