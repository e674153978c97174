//! The on-disk index: records (any serde type), their vectors, and the HNSW graph, in one
//! directory (`corpus.csi/`).
//!
//! ```text
//! corpus.csi/
//!   index.json               manifest: magic, format version, model, counts, files + sha256
//!   seg-000001.safetensors   "vectors" F32 [n, dim] and "offsets" U64 [n + 1]
//!   seg-000001.jsonl         the n records, one JSON object per line
//!   seg-000002.*             the next `add`
//!   ann-000002.usearch       the HNSW graph over all vectors (only above the size threshold)
//! ```
//!
//! # Why this layout
//! - **A directory, not one file**: `add` must not rewrite or re-embed what is there. Each add
//!   writes new segment files and then replaces `index.json` atomically (write, fsync, rename), so
//!   old files are never modified and a crash mid-add leaves the previous index intact; stray
//!   files of an unfinished add are ignored and cleaned up by the next one. A single zip or
//!   safetensors file would need rewriting (safetensors keeps its offsets in a leading header) or
//!   leave dead entries behind on every graph rebuild.
//! - **safetensors for vectors**: already a dependency (candle reads models with it), a
//!   documented, language-neutral format (numpy/torch users can load `vectors` directly), a JSON
//!   header that is validated against the file length on open (so truncation is caught), and an
//!   8-byte-aligned little-endian data block that is memory-mapped in place: opening a 1M-vector
//!   index reads a few bytes, not 1.5 GB.
//! - **JSON Lines for records**: the caller's record type (outlet, doc, span, text) is plain
//!   serde, inspectable with `head`, and record `i` is parsed alone through the byte offsets
//!   stored next to the vectors, so `similar` reads 10 records, not a million.
//! - **usearch's own file for the graph**, memory-mapped by usearch on open (see [`super::ann`]).
//!
//! # Integrity
//! Open checks the manifest (magic, version, model, counts), that every file exists with the
//! recorded size, and every safetensors header; records are parsed, with errors, when read.
//! The graph file is hashed (sha256) before usearch maps it, because C++ code trusts the
//! neighbour ids inside it; vectors and records are read by checked Rust code, and hashing
//! them on every open would read the whole index, so [`Store::verify`] does that on request.
//!
//! One writer at a time: concurrent `add`s to the same directory are not locked out.

use std::borrow::Cow;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use memmap2::Mmap;
use ndarray::ArrayView2;
use safetensors::tensor::{Dtype, SafeTensors, View};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::ann::{AnnParams, Hnsw};
use super::exact::Exact;
use super::neighbour::NeighbourSearch;
use super::search::SearchConfig;
use super::vectors::Vectors;
use crate::embed::ModelId;
use crate::embed::source::sha256_file;
use crate::error::{Error, Result};

/// Written into every manifest; anything else is not ours.
pub const MAGIC: &str = "claimscope-index";
/// Bumped on any change an older reader would misread.
pub const FORMAT_VERSION: u32 = 1;
const MANIFEST: &str = "index.json";
/// Stored vectors must be unit length within this, since search scores are plain dot products.
const NORM_TOLERANCE: f32 = 1e-3;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentEntry {
    pub count: usize,
    pub vectors: FileEntry,
    pub records: FileEntry,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnEntry {
    pub graph: FileEntry,
    pub count: usize,
    pub params: AnnParams,
}

/// `index.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub magic: String,
    pub format_version: u32,
    pub model: ModelId,
    pub count: usize,
    /// Incremented by every write; new files carry it in their names so they never collide.
    pub generation: u64,
    pub segments: Vec<SegmentEntry>,
    #[serde(default)]
    pub ann: Option<AnnEntry>,
    /// Free-form settings of the caller (e.g. how text was segmented), kept across adds.
    #[serde(default)]
    pub meta: serde_json::Map<String, serde_json::Value>,
}

/// What `index info` shows.
#[derive(Debug, Clone, Serialize)]
pub struct StoreInfo {
    pub path: PathBuf,
    pub format_version: u32,
    pub model: ModelId,
    pub count: usize,
    pub dim: usize,
    pub segments: usize,
    /// Vectors covered by the persisted graph, if there is one.
    pub ann: Option<AnnEntry>,
    pub bytes: u64,
    pub meta: serde_json::Map<String, serde_json::Value>,
}

/// What [`Store::add`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddSummary {
    pub added: usize,
    pub total: usize,
    pub graph: GraphAction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GraphAction {
    /// Below the threshold: exact search, no graph.
    None,
    Built,
    Extended,
}

struct Segment {
    start: usize,
    count: usize,
    records: Mmap,
    offsets: Vec<u64>,
}

/// An open index whose records are of type `T`.
pub struct Store<T> {
    path: PathBuf,
    manifest: Manifest,
    vectors: Vectors,
    segments: Vec<Segment>,
    _records: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Store<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("manifest", &self.manifest)
            .finish()
    }
}

impl<T: Serialize + DeserializeOwned> Store<T> {
    /// A new empty index at `path`, which must not exist (or be an empty directory).
    pub fn create(path: impl AsRef<Path>, model: ModelId) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        if model.dim == 0 {
            return Err(Error::Input(
                "a model of dimension 0 cannot be indexed".into(),
            ));
        }
        if path.exists() {
            let empty_dir = fs::read_dir(&path)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
            if !empty_dir {
                return Err(Error::IndexExists { path });
            }
        }
        fs::create_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        let store = Store {
            vectors: Vectors::empty(model.dim),
            manifest: Manifest {
                magic: MAGIC.into(),
                format_version: FORMAT_VERSION,
                model,
                count: 0,
                generation: 0,
                segments: Vec::new(),
                ann: None,
                meta: Default::default(),
            },
            path,
            segments: Vec::new(),
            _records: PhantomData,
        };
        store.write_manifest(&store.manifest)?;
        Ok(store)
    }

    /// Open an index. With `expect`, refuse one built with another model: its vectors would be
    /// compared with queries from a different space.
    pub fn open(path: impl AsRef<Path>, expect: Option<&ModelId>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let manifest = read_manifest(&path)?;
        if let Some(want) = expect
            && !manifest.model.same_model(want)
        {
            return Err(Error::IndexModel {
                path,
                index: manifest.model.to_string(),
                expected: want.to_string(),
            });
        }
        let corrupt = |detail: String| Error::IndexCorrupt {
            path: path.clone(),
            detail,
        };
        let total: usize = manifest.segments.iter().map(|s| s.count).sum();
        if total != manifest.count {
            return Err(corrupt(format!(
                "manifest counts {} records but its segments hold {total}",
                manifest.count
            )));
        }
        if let Some(ann) = &manifest.ann {
            if ann.count > manifest.count {
                return Err(corrupt(format!(
                    "graph covers {} vectors, the index has {}",
                    ann.count, manifest.count
                )));
            }
            check_size(&path, &ann.graph)?;
        }
        let mut vectors = Vectors::empty(manifest.model.dim);
        let mut segments = Vec::with_capacity(manifest.segments.len());
        for entry in &manifest.segments {
            let start = vectors.len();
            segments.push(open_segment(&path, entry, start, &mut vectors)?);
        }
        Ok(Store {
            path,
            manifest,
            vectors,
            segments,
            _records: PhantomData,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn model(&self) -> &ModelId {
        &self.manifest.model
    }

    pub fn len(&self) -> usize {
        self.manifest.count
    }

    pub fn is_empty(&self) -> bool {
        self.manifest.count == 0
    }

    pub fn dim(&self) -> usize {
        self.manifest.model.dim
    }

    pub fn vectors(&self) -> &Vectors {
        &self.vectors
    }

    pub fn meta(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.manifest.meta
    }

    /// Set a free-form setting; written with the next [`add`](Self::add) or [`flush_meta`](Self::flush_meta).
    pub fn set_meta(&mut self, key: impl Into<String>, value: serde_json::Value) {
        self.manifest.meta.insert(key.into(), value);
    }

    pub fn flush_meta(&mut self) -> Result<()> {
        self.manifest.generation += 1;
        self.write_manifest(&self.manifest)
    }

    /// Record `id` (ids follow insertion order across all adds).
    pub fn record(&self, id: usize) -> Result<T> {
        let seg = self
            .segment_of(id)
            .ok_or_else(|| Error::Input(format!("record {id} is past the end ({})", self.len())))?;
        let i = id - seg.start;
        let (a, b) = (seg.offsets[i] as usize, seg.offsets[i + 1] as usize);
        let line = seg
            .records
            .get(a..b)
            .ok_or_else(|| self.corrupt(format!("record {id} lies outside its file")))?;
        serde_json::from_slice(line).map_err(|e| self.corrupt(format!("record {id}: {e}")))
    }

    /// All records in id order.
    pub fn records(&self) -> impl Iterator<Item = Result<T>> + '_ {
        (0..self.len()).map(|id| self.record(id))
    }

    fn segment_of(&self, id: usize) -> Option<&Segment> {
        let i = self.segments.partition_point(|s| s.start + s.count <= id);
        self.segments.get(i).filter(|s| id >= s.start)
    }

    fn corrupt(&self, detail: String) -> Error {
        Error::IndexCorrupt {
            path: self.path.clone(),
            detail,
        }
    }

    /// A searcher over all vectors: the persisted graph (memory-mapped) when there is one and
    /// `config` wants approximate search at this size, exact search below the threshold, and a
    /// graph built in memory if the threshold asks for one the index does not have.
    pub fn searcher(&self, config: &SearchConfig) -> Result<Box<dyn NeighbourSearch>> {
        if !config.wants_ann(self.len()) {
            return Ok(Box::new(Exact::new(self.vectors.clone())));
        }
        match &self.manifest.ann {
            Some(ann) if ann.count == self.len() => {
                let file = self.path.join(&ann.graph.file);
                check_sha(&self.path, &ann.graph)?;
                let mut params = ann.params.clone();
                // Search-time knobs come from the caller; build-time ones from the file.
                params.expansion_search = config.ann.expansion_search;
                params.oversample = config.ann.oversample;
                Ok(Box::new(Hnsw::view(&file, self.vectors.clone(), &params)?))
            }
            _ => Ok(Box::new(Hnsw::build(self.vectors.clone(), &config.ann)?)),
        }
    }

    /// Append records with their vectors (`records[i]` belongs to `vectors.row(i)`), without
    /// touching what is stored. The graph is built once the total reaches
    /// `config.exact_threshold`, and extended (not rebuilt) by later adds.
    pub fn add(
        &mut self,
        records: &[T],
        vectors: ArrayView2<f32>,
        config: &SearchConfig,
    ) -> Result<AddSummary> {
        self.check_new_vectors(records.len(), &vectors)?;
        let mut manifest = self.manifest.clone();
        manifest.generation += 1;
        let generation = manifest.generation;
        self.remove_strays();
        let mut graph = GraphAction::None;
        let mut new_vectors = self.vectors.clone();
        let mut added = Vectors::empty(self.dim());
        let mut new_segment = None;
        let mut old_graph = None;
        if !records.is_empty() {
            let stem = format!("seg-{generation:06}");
            let (rec_entry, offsets) = self.write_records(&stem, records)?;
            let vec_entry = self.write_vectors(&stem, &vectors, &offsets)?;
            let entry = SegmentEntry {
                count: records.len(),
                vectors: vec_entry,
                records: rec_entry,
            };
            // Read back through the same path as `open`, so what was written is what is served.
            let seg = open_segment(&self.path, &entry, self.len(), &mut added)?;
            new_vectors.extend(&added)?;
            manifest.segments.push(entry);
            manifest.count += records.len();
            new_segment = Some(seg);
        }
        if config.wants_ann(manifest.count)
            && manifest
                .ann
                .as_ref()
                .is_none_or(|a| a.count < manifest.count)
        {
            let file = format!("ann-{generation:06}.usearch");
            let hnsw = match &manifest.ann {
                Some(a)
                    if a.count == self.len()
                        && a.params.quantization == config.ann.quantization =>
                {
                    let old = self.path.join(&a.graph.file);
                    // usearch trusts the neighbour ids in the file, as in `searcher`.
                    check_sha(&self.path, &a.graph)?;
                    let mut h = Hnsw::load(&old, self.vectors.clone(), &a.params)?;
                    h.extend(&added)?;
                    graph = GraphAction::Extended;
                    h
                }
                _ => {
                    graph = GraphAction::Built;
                    Hnsw::build(new_vectors.clone(), &config.ann)?
                }
            };
            let tmp = self.path.join(format!("{file}.tmp"));
            hnsw.save(&tmp)?;
            let final_path = self.path.join(&file);
            fs::rename(&tmp, &final_path).map_err(|e| Error::io(&final_path, e))?;
            let params = hnsw.params().clone();
            old_graph = manifest.ann.replace(AnnEntry {
                graph: file_entry(&self.path, &file)?,
                count: manifest.count,
                params,
            });
        }
        self.write_manifest(&manifest)?;
        // Committed: the old graph is no longer referenced.
        if let Some(old) = old_graph {
            let _ = fs::remove_file(self.path.join(old.graph.file));
        }
        self.manifest = manifest;
        self.vectors = new_vectors;
        self.segments.extend(new_segment);
        Ok(AddSummary {
            added: records.len(),
            total: self.len(),
            graph,
        })
    }

    fn check_new_vectors(&self, n: usize, vectors: &ArrayView2<f32>) -> Result<()> {
        if vectors.nrows() != n {
            return Err(Error::Input(format!(
                "{n} records but {} vectors",
                vectors.nrows()
            )));
        }
        if vectors.ncols() != self.dim() {
            return Err(Error::Dimension {
                what: "vectors to add".into(),
                expected: self.dim(),
                found: vectors.ncols(),
            });
        }
        for (i, row) in vectors.rows().into_iter().enumerate() {
            let norm = row.dot(&row).sqrt();
            if !norm.is_finite() || (norm - 1.0).abs() > NORM_TOLERANCE {
                return Err(Error::Input(format!(
                    "vector {i} has norm {norm}, not 1: the index compares unit vectors by dot product"
                )));
            }
        }
        Ok(())
    }

    /// Files of an add that never committed (crash, full disk): ours by name, not in the
    /// manifest.
    fn remove_strays(&self) {
        let Ok(dir) = fs::read_dir(&self.path) else {
            return;
        };
        let mut live: Vec<&str> = vec![MANIFEST];
        for s in &self.manifest.segments {
            live.push(&s.vectors.file);
            live.push(&s.records.file);
        }
        if let Some(a) = &self.manifest.ann {
            live.push(&a.graph.file);
        }
        for e in dir.flatten() {
            let name = e.file_name();
            let Some(name) = name.to_str() else { continue };
            let ours = name.ends_with(".tmp")
                || (name.starts_with("seg-")
                    && (name.ends_with(".jsonl") || name.ends_with(".safetensors")))
                || (name.starts_with("ann-") && name.ends_with(".usearch"));
            if ours && !live.contains(&name) {
                let _ = fs::remove_file(e.path());
            }
        }
    }

    fn write_records(&self, stem: &str, records: &[T]) -> Result<(FileEntry, Vec<u64>)> {
        let name = format!("{stem}.jsonl");
        let path = self.path.join(&name);
        let tmp = self.path.join(format!("{name}.tmp"));
        let file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let mut w = HashingWriter::new(BufWriter::new(file));
        let mut offsets = Vec::with_capacity(records.len() + 1);
        offsets.push(0u64);
        for r in records {
            serde_json::to_writer(&mut w, r).map_err(|e| Error::Input(format!("record: {e}")))?;
            w.write_all(b"\n").map_err(|e| Error::io(&tmp, e))?;
            offsets.push(w.written);
        }
        let (bytes, sha256, buf) = w.finish();
        let file = buf
            .into_inner()
            .map_err(|e| Error::io(&tmp, e.into_error()))?;
        file.sync_all().map_err(|e| Error::io(&tmp, e))?;
        fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
        Ok((
            FileEntry {
                file: name,
                bytes,
                sha256,
            },
            offsets,
        ))
    }

    fn write_vectors(
        &self,
        stem: &str,
        vectors: &ArrayView2<f32>,
        offsets: &[u64],
    ) -> Result<FileEntry> {
        let name = format!("{stem}.safetensors");
        let path = self.path.join(&name);
        let tmp = self.path.join(format!("{name}.tmp"));
        let std = vectors.as_standard_layout();
        let floats = std.as_slice().unwrap_or(&[]);
        let tensors = [
            (
                "vectors",
                Raw {
                    dtype: Dtype::F32,
                    shape: vec![vectors.nrows(), vectors.ncols()],
                    data: le_bytes(floats),
                },
            ),
            (
                "offsets",
                Raw {
                    dtype: Dtype::U64,
                    shape: vec![offsets.len()],
                    data: le_bytes(offsets),
                },
            ),
        ];
        safetensors::serialize_to_file(tensors, None, &tmp)
            .map_err(|e| Error::io(&tmp, std::io::Error::other(e)))?;
        File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::io(&tmp, e))?;
        fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
        file_entry(&self.path, &name)
    }

    fn write_manifest(&self, manifest: &Manifest) -> Result<()> {
        let path = self.path.join(MANIFEST);
        let tmp = self.path.join(format!("{MANIFEST}.tmp"));
        let json = serde_json::to_vec_pretty(manifest)?;
        let mut f = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        f.write_all(&json)
            .and_then(|_| f.sync_all())
            .map_err(|e| Error::io(&tmp, e))?;
        fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
        // The rename is durable only once the directory entry is.
        if let Ok(d) = File::open(&self.path) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    pub fn info(&self) -> StoreInfo {
        let m = &self.manifest;
        let bytes = m
            .segments
            .iter()
            .map(|s| s.vectors.bytes + s.records.bytes)
            .chain(m.ann.iter().map(|a| a.graph.bytes))
            .sum();
        StoreInfo {
            path: self.path.clone(),
            format_version: m.format_version,
            model: m.model.clone(),
            count: m.count,
            dim: m.model.dim,
            segments: m.segments.len(),
            ann: m.ann.clone(),
            bytes,
            meta: m.meta.clone(),
        }
    }

    /// Read everything: every file against its sha256, every record parsed, every vector
    /// finite. Slow on a big index (it reads all of it); for `index info --verify`.
    pub fn verify(&self) -> Result<()> {
        for s in &self.manifest.segments {
            check_sha(&self.path, &s.vectors)?;
            check_sha(&self.path, &s.records)?;
        }
        if let Some(a) = &self.manifest.ann {
            check_sha(&self.path, &a.graph)?;
        }
        for r in self.records() {
            r?;
        }
        for (start, block) in self.vectors.blocks() {
            if let Some(i) = block.iter().position(|x| !x.is_finite()) {
                return Err(self.corrupt(format!(
                    "vector {} has a non-finite component",
                    start + i / self.dim()
                )));
            }
        }
        Ok(())
    }
}

fn read_manifest(path: &Path) -> Result<Manifest> {
    let not_index = |detail: &str| Error::NotAnIndex {
        path: path.to_path_buf(),
        detail: detail.to_string(),
    };
    let corrupt = |detail: String| Error::IndexCorrupt {
        path: path.to_path_buf(),
        detail,
    };
    match fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::IndexMissing {
                path: path.to_path_buf(),
            });
        }
        Err(e) => return Err(Error::io(path, e)),
        Ok(m) if !m.is_dir() => return Err(not_index("a file, not an index directory")),
        Ok(_) => {}
    }
    let mpath = path.join(MANIFEST);
    let bytes = match fs::read(&mpath) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(not_index("no index.json in the directory"));
        }
        Err(e) => return Err(Error::io(&mpath, e)),
        Ok(b) => b,
    };
    // Magic and version first, from an untyped parse: a newer version may have a shape this
    // one cannot deserialize, and that deserves a version error, not "missing field".
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| corrupt(format!("index.json is not valid JSON ({e})")))?;
    if value.get("magic").and_then(|m| m.as_str()) != Some(MAGIC) {
        return Err(not_index("index.json lacks the claimscope magic"));
    }
    let version = value
        .get("format_version")
        .and_then(|v| v.as_u64())
        .ok_or_else(|| corrupt("index.json has no format_version".into()))?;
    if version != u64::from(FORMAT_VERSION) {
        return Err(Error::IndexVersion {
            path: path.to_path_buf(),
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let manifest: Manifest =
        serde_json::from_value(value).map_err(|e| corrupt(format!("index.json: {e}")))?;
    if manifest.model.dim == 0 {
        return Err(corrupt("index.json: model dimension 0".into()));
    }
    Ok(manifest)
}

/// A file must exist with exactly the size the manifest recorded.
fn check_size(dir: &Path, entry: &FileEntry) -> Result<()> {
    // A name with a separator would let a crafted manifest point outside the index.
    if entry.file.contains(['/', '\\']) || entry.file.starts_with('.') {
        return Err(Error::IndexCorrupt {
            path: dir.to_path_buf(),
            detail: format!(
                "index.json names a file outside the index: {:?}",
                entry.file
            ),
        });
    }
    let path = dir.join(&entry.file);
    let found = match fs::metadata(&path) {
        Ok(m) => m.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::IndexCorrupt {
                path: dir.to_path_buf(),
                detail: format!("{} is missing", entry.file),
            });
        }
        Err(e) => return Err(Error::io(&path, e)),
    };
    if found < entry.bytes {
        return Err(Error::IndexTruncated {
            path: dir.to_path_buf(),
            file: entry.file.clone(),
            expected: entry.bytes,
            found,
        });
    }
    if found > entry.bytes {
        return Err(Error::IndexCorrupt {
            path: dir.to_path_buf(),
            detail: format!("{} has {found} bytes, {} expected", entry.file, entry.bytes),
        });
    }
    Ok(())
}

fn check_sha(dir: &Path, entry: &FileEntry) -> Result<()> {
    check_size(dir, entry)?;
    let sha = sha256_file(&dir.join(&entry.file))?;
    if !sha.eq_ignore_ascii_case(&entry.sha256) {
        return Err(Error::IndexCorrupt {
            path: dir.to_path_buf(),
            detail: format!("{} does not match its sha256", entry.file),
        });
    }
    Ok(())
}

fn file_entry(dir: &Path, name: &str) -> Result<FileEntry> {
    let path = dir.join(name);
    let bytes = fs::metadata(&path).map_err(|e| Error::io(&path, e))?.len();
    Ok(FileEntry {
        file: name.to_string(),
        bytes,
        sha256: sha256_file(&path)?,
    })
}

fn map_file(path: &Path) -> Result<Mmap> {
    let f = File::open(path).map_err(|e| Error::io(path, e))?;
    // SAFETY: the index's files are never modified after they are written (adds create new
    // files), so the map stays valid; another process truncating them under us is outside
    // what any mmap-based reader can defend against.
    unsafe { Mmap::map(&f) }.map_err(|e| Error::io(path, e))
}

/// Map one segment, check its tensors against the manifest, and add its vectors to `vectors`.
fn open_segment(
    dir: &Path,
    entry: &SegmentEntry,
    start: usize,
    vectors: &mut Vectors,
) -> Result<Segment> {
    let corrupt = |detail: String| Error::IndexCorrupt {
        path: dir.to_path_buf(),
        detail: format!("{}: {detail}", entry.vectors.file),
    };
    check_size(dir, &entry.vectors)?;
    check_size(dir, &entry.records)?;
    let map = Arc::new(map_file(&dir.join(&entry.vectors.file))?);
    let st = SafeTensors::deserialize(&map).map_err(|e| corrupt(e.to_string()))?;
    let vt = st
        .tensor("vectors")
        .map_err(|e| corrupt(format!("vectors: {e}")))?;
    let dim = vectors.dim();
    if vt.dtype() != Dtype::F32 || vt.shape() != [entry.count, dim] {
        return Err(corrupt(format!(
            "vectors are {:?} {:?}, expected F32 [{}, {dim}]",
            vt.dtype(),
            vt.shape(),
            entry.count
        )));
    }
    let ot = st
        .tensor("offsets")
        .map_err(|e| corrupt(format!("offsets: {e}")))?;
    if ot.dtype() != Dtype::U64 || ot.shape() != [entry.count + 1] {
        return Err(corrupt(format!(
            "offsets are {:?} {:?}, expected U64 [{}]",
            ot.dtype(),
            ot.shape(),
            entry.count + 1
        )));
    }
    let offsets: Vec<u64> = ot
        .data()
        .chunks_exact(8)
        .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0xff; 8])))
        .collect();
    let monotonic = offsets.windows(2).all(|w| w[0] <= w[1]);
    if offsets.first() != Some(&0) || !monotonic || offsets.last() != Some(&entry.records.bytes) {
        return Err(corrupt("record offsets do not fit the records file".into()));
    }
    let offset = vt.data().as_ptr() as usize - map.as_ptr() as usize;
    vectors
        .push_mapped(map.clone(), offset, entry.count)
        .map_err(|e| corrupt(e.to_string()))?;
    let records = map_file(&dir.join(&entry.records.file))?;
    Ok(Segment {
        start,
        count: entry.count,
        records,
        offsets,
    })
}

/// A tensor for `safetensors::serialize_to_file`.
struct Raw<'a> {
    dtype: Dtype,
    shape: Vec<usize>,
    data: Cow<'a, [u8]>,
}

impl View for Raw<'_> {
    fn dtype(&self) -> Dtype {
        self.dtype
    }
    fn shape(&self) -> &[usize] {
        &self.shape
    }
    fn data(&self) -> Cow<'_, [u8]> {
        Cow::Borrowed(&self.data)
    }
    fn data_len(&self) -> usize {
        self.data.len()
    }
}

/// Little-endian bytes of plain numbers: a borrow on little-endian hosts, a copy otherwise.
fn le_bytes<P: bytemuck::Pod + ToLe>(xs: &[P]) -> Cow<'_, [u8]> {
    if cfg!(target_endian = "little") {
        Cow::Borrowed(bytemuck::cast_slice(xs))
    } else {
        Cow::Owned(xs.iter().flat_map(|x| x.to_le_vec()).collect())
    }
}

trait ToLe {
    fn to_le_vec(&self) -> Vec<u8>;
}
impl ToLe for f32 {
    fn to_le_vec(&self) -> Vec<u8> {
        self.to_le_bytes().to_vec()
    }
}
impl ToLe for u64 {
    fn to_le_vec(&self) -> Vec<u8> {
        self.to_le_bytes().to_vec()
    }
}

/// Counts and hashes what passes through, so a file's digest costs no second read.
struct HashingWriter<W> {
    inner: W,
    hash: Sha256,
    written: u64,
}

impl<W: Write> HashingWriter<W> {
    fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hash: Sha256::new(),
            written: 0,
        }
    }
    fn finish(self) -> (u64, String, W) {
        (self.written, hex::encode(self.hash.finalize()), self.inner)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
