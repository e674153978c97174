//! The on-disk index: records (any serde type), their vectors, and the HNSW graph, in one
//! directory (`corpus.csi/`).
//!
//! ```text
//! corpus.csi/
//!   index.json               manifest: magic, format version, model, counts, files + sha256
//!   seg-000001.safetensors   "vectors" F32 [n, dim] and "offsets" U64 [n + 1]
//!   seg-000001.jsonl         the n records, one JSON object per line
//!   seg-000002.*             the next `add`
//!   ann-000002.usearch       an HNSW graph over whole segments (only above the size threshold;
//!                            a new graph every `graph_max` vectors, so building one never
//!                            holds the whole index in memory; `ann-N-K.usearch` for the
//!                            K-th further graph one add writes)
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
//! recorded size, every segment file against its sha256, and every safetensors header; records
//! are parsed, with errors, when read. Hashing the segments reads the whole index on every open
//! (measured: 0.23 s a core per 100,000 sentences of a 384-dimension model, 183 MB, from the
//! page cache; segments are hashed in parallel), but without it a few damaged bytes inside the
//! vectors or records passed every other check and a sentence silently stopped being found or
//! showed another text. A graph file is hashed before usearch maps it (C++ code trusts the
//! neighbour ids inside it), when a search first needs it; exact search never reads it.
//! [`Store::verify`] also parses every record and checks every vector is finite.
//!
//! One writer at a time: concurrent `add`s to the same directory are not locked out.
//!
//! # Files of this module
//! - `manifest`: `index.json`, reading and validating it, and the file entries it lists.
//! - `segment`: writing, mapping and reading the `seg-N` files.
//! - `atomic`: the write-to-temporary, sync, rename helper every file goes through.
//! - here: [`Store`], which ties them together (create, open, add, search, verify).

use std::fs;
use std::io::Write;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use ndarray::ArrayView2;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::ann::Hnsw;
use super::exact::Exact;
use super::neighbour::NeighbourSearch;
use super::search::SearchConfig;
use super::shards::{Part, Shards};
use super::vectors::Vectors;
use crate::embed::ModelId;
use crate::error::{Error, Result};

mod atomic;
use atomic::write_atomic;
mod manifest;
mod segment;

use atomic::sync_dir;
pub use manifest::{AnnEntry, FORMAT_VERSION, FileEntry, MAGIC, MANIFEST, Manifest, SegmentEntry};
use segment::Segment;

/// Stored vectors must be unit length within this, since search scores are plain dot products.
const NORM_TOLERANCE: f32 = 1e-3;

/// What `index info` shows.
#[derive(Debug, Clone, Serialize)]
pub struct StoreInfo {
    pub path: PathBuf,
    pub format_version: u32,
    pub model: ModelId,
    pub count: usize,
    pub dim: usize,
    pub segments: usize,
    /// The persisted graphs and the ids each covers (none: exact search).
    pub graphs: Vec<AnnEntry>,
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

/// An open index whose records are of type `T`.
pub struct Store<T> {
    path: PathBuf,
    manifest: Manifest,
    vectors: Vectors,
    segments: Vec<Segment>,
    _records: PhantomData<fn() -> T>,
    /// `index.lock`, held exclusively from this store's first add to its drop: two writers
    /// would both write the next generation's segment and remove each other's files.
    writer: Option<fs::File>,
}

/// The lock file a writer holds (see `Store::writer`).
pub const WRITER_LOCK: &str = "index.lock";

impl<T> std::fmt::Debug for Store<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("manifest", &self.manifest)
            .finish()
    }
}

impl<T: Serialize + DeserializeOwned> Store<T> {
    /// A new empty index at `path`, which must not exist (or be an empty directory, or hold only
    /// the temporary manifest of a create that was killed).
    pub fn create(path: impl AsRef<Path>, model: ModelId) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        if model.dim == 0 {
            return Err(Error::Input(
                "a model of dimension 0 cannot be indexed".into(),
            ));
        }
        if path.exists() && !path.is_dir() {
            // Else read_dir's bare "Not a directory", which names neither cause nor fix.
            return Err(Error::Input(format!(
                "{}: is not a directory, and an index is one; choose another path, or remove \
                 what is there",
                path.display()
            )));
        }
        if path.exists() {
            // A create killed before its manifest was renamed into place leaves the directory
            // with only a temporary file in it: no index, so not a reason to refuse a new one.
            let names: Vec<String> = fs::read_dir(&path)
                .map_err(|e| Error::io(&path, e))?
                .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
                .collect::<std::io::Result<_>>()
                .map_err(|e| Error::io(&path, e))?;
            let only_leftovers = names
                .iter()
                .all(|n| n.starts_with(MANIFEST) && atomic::is_leftover(n));
            if !only_leftovers {
                return Err(Error::IndexExists { path });
            }
            for n in &names {
                let _ = fs::remove_file(path.join(n));
            }
        }
        fs::create_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        let mut store = Store {
            vectors: Vectors::empty(model.dim),
            manifest: Manifest::new(model),
            path,
            segments: Vec::new(),
            _records: PhantomData,
            writer: None,
        };
        commit(&store.path, &mut store.manifest)?;
        Ok(store)
    }

    /// Open an index. With `expect`, refuse one built with another model: its vectors would be
    /// compared with queries from a different space.
    pub fn open(path: impl AsRef<Path>, expect: Option<&ModelId>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        // An add that commits while we read can retire a file the manifest we read names: then
        // a newer manifest is there, and reading again gives a consistent state. A file missing
        // under an unchanged manifest is damage, reported.
        let mut tries = 0;
        loop {
            let manifest = Manifest::read(&path)?;
            let generation = manifest.generation;
            match Self::open_manifest(path.clone(), manifest, expect) {
                Err(_) if tries < 10 && generation_moved(&path, generation) => tries += 1,
                result => return result,
            }
        }
    }

    fn open_manifest(path: PathBuf, manifest: Manifest, expect: Option<&ModelId>) -> Result<Self> {
        if let Some(want) = expect
            && !manifest.model.same_model(want)
        {
            return Err(Error::IndexModel {
                path,
                index: manifest.model.to_string(),
                expected: want.to_string(),
            });
        }
        manifest.check(&path)?;
        check_segments(&path, &manifest.segments)?;
        let mut vectors = Vectors::empty(manifest.model.dim);
        let mut segments = Vec::with_capacity(manifest.segments.len());
        for entry in &manifest.segments {
            let start = vectors.len();
            segments.push(Segment::open(&path, entry, start, &mut vectors)?);
        }
        Ok(Store {
            path,
            manifest,
            vectors,
            segments,
            _records: PhantomData,
            writer: None,
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

    /// Remove a setting (kept in memory until the next add commits the manifest).
    pub fn remove_meta(&mut self, key: &str) {
        self.manifest.meta.remove(key);
    }

    pub fn flush_meta(&mut self) -> Result<()> {
        self.manifest.generation += 1;
        commit(&self.path, &mut self.manifest)
    }

    /// Record `id` (ids follow insertion order across all adds).
    pub fn record(&self, id: usize) -> Result<T> {
        let seg = self
            .segment_of(id)
            .ok_or_else(|| Error::Input(format!("record {id} is past the end ({})", self.len())))?;
        let line = seg
            .record_bytes(id - seg.start)
            .ok_or_else(|| self.corrupt(format!("record {id} lies outside its file")))?;
        serde_json::from_slice(line).map_err(|e| self.corrupt(format!("record {id}: {e}")))
    }

    /// All records in id order.
    pub fn records(&self) -> impl Iterator<Item = Result<T>> + '_ {
        (0..self.len()).map(|id| self.record(id))
    }

    /// Every record in id order, read with plain reads rather than through the maps, for scans
    /// of a whole index (resuming a build over one of millions of records): `records()` would
    /// leave every records file in the process's resident set, this passes them through the
    /// page cache only. `f` is called once per record; its error stops the scan.
    pub fn scan_records(&self, mut f: impl FnMut(T) -> Result<()>) -> Result<()> {
        let mut id = 0;
        for entry in &self.manifest.segments {
            let mut lines = segment::RecordLines::open(&self.path, entry)?;
            while let Some(line) = lines.next_line()? {
                let r = serde_json::from_slice(line)
                    .map_err(|e| self.corrupt(format!("record {id}: {e}")))?;
                f(r)?;
                id += 1;
            }
        }
        Ok(())
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

    /// A searcher over all vectors: the persisted graphs (memory-mapped, one search per graph,
    /// answers merged) when there are some and `config` wants approximate search at this size,
    /// exact search below the threshold, and a graph built in memory if the threshold asks for
    /// one the index does not have.
    pub fn searcher(&self, config: &SearchConfig) -> Result<Box<dyn NeighbourSearch>> {
        if !config.wants_ann(self.len()) {
            return Ok(Box::new(Exact::new(self.vectors.clone())));
        }
        if self.manifest.graphs.is_empty() {
            return Ok(Box::new(Hnsw::build(self.vectors.clone(), &config.ann)?));
        }
        let mut parts = Vec::with_capacity(self.manifest.graphs.len() + 1);
        for g in &self.manifest.graphs {
            let file = self.path.join(&g.graph.file);
            let mut params = g.params.clone();
            // Search-time knobs come from the caller; build-time ones from the file.
            params.expansion_search = config.ann.expansion_search;
            params.oversample = config.ann.oversample;
            // usearch trusts the neighbour ids in the file: hashed before it maps it.
            let graph = g
                .graph
                .check_sha(&self.path)
                .and_then(|()| Hnsw::view(&file, self.vectors.range(g.start, g.count)?, &params));
            match graph {
                Ok(h) => parts.push(Part {
                    start: g.start,
                    searcher: Box::new(h),
                }),
                // Two adds committed since this store was opened and a graph it knew (the last,
                // the only one an add replaces) is gone. Its segments are immutable and still
                // there, so exact search over its range answers for the state this reader opened.
                Err(_)
                    if !file.exists() && generation_moved(&self.path, self.manifest.generation) =>
                {
                    parts.push(Part {
                        start: g.start,
                        searcher: Box::new(Exact::new(self.vectors.range(g.start, g.count)?)),
                    });
                }
                Err(e) => return Err(e),
            }
        }
        let covered = self.manifest.covered();
        if covered < self.len() {
            // Added while no graph was wanted (another threshold): scanned exactly.
            parts.push(Part {
                start: covered,
                searcher: Box::new(Exact::new(
                    self.vectors.range(covered, self.len() - covered)?,
                )),
            });
        }
        if parts.len() == 1
            && let Some(p) = parts.pop()
        {
            return Ok(p.searcher);
        }
        Ok(Box::new(Shards::new(parts, self.vectors.clone())?))
    }

    /// Append records with their vectors (`records[i]` belongs to `vectors.row(i)`), without
    /// touching what is stored. Once the total reaches `config.exact_threshold`, every segment
    /// not yet in a graph goes into one: the last graph is extended while it stays within
    /// `config.graph_max` vectors, then new graphs are started, each over whole segments.
    pub fn add(
        &mut self,
        records: &[T],
        vectors: ArrayView2<f32>,
        config: &SearchConfig,
    ) -> Result<AddSummary> {
        self.check_new_vectors(records.len(), &vectors)?;
        self.lock_for_writing()?;
        let mut manifest = self.manifest.clone();
        manifest.generation += 1;
        let generation = manifest.generation;
        self.remove_strays();
        let mut new_vectors = self.vectors.clone();
        let mut new_segment = None;
        if !records.is_empty() {
            let stem = segment::stem(generation);
            let (rec_entry, offsets) = segment::write_records(&self.path, &stem, records)?;
            let vec_entry = segment::write_vectors(&self.path, &stem, &vectors, &offsets)?;
            let entry = SegmentEntry {
                count: records.len(),
                vectors: vec_entry,
                records: rec_entry,
            };
            // Read back through the same path as `open`, so what was written is what is served.
            let mut added = Vectors::empty(self.dim());
            let seg = Segment::open(&self.path, &entry, self.len(), &mut added)?;
            new_vectors.extend(&added)?;
            manifest.segments.push(entry);
            manifest.count += records.len();
            new_segment = Some(seg);
        }
        let mut graph = GraphAction::None;
        let mut old_graph = None;
        if config.wants_ann(manifest.count) && manifest.covered() < manifest.count {
            let (action, replaced) = self.graph_uncovered(&mut manifest, &new_vectors, config)?;
            graph = action;
            // The replaced graph stays one more add, for readers that opened the index just
            // before this one commits; the one retired by the previous add goes.
            if let Some(replaced) = replaced {
                old_graph = manifest.retired_graph.replace(replaced);
            }
        }
        commit(&self.path, &mut manifest)?;
        // Committed: the graph retired by the previous add is no longer referenced.
        if let Some(old) = old_graph {
            let _ = fs::remove_file(self.path.join(old));
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

    /// Put the segments of `manifest` after its last graph into graphs (written, not yet
    /// committed): the last graph extended while it stays within `graph_max` and was built with
    /// the same quantisation, then new graphs, each packing whole segments up to `graph_max`.
    /// Returns what was done and the graph file the extension replaced.
    fn graph_uncovered(
        &self,
        manifest: &mut Manifest,
        all: &Vectors,
        config: &SearchConfig,
    ) -> Result<(GraphAction, Option<String>)> {
        let generation = manifest.generation;
        let covered = manifest.covered();
        let mut seg_start = 0;
        let uncovered: Vec<(usize, &SegmentEntry)> = manifest
            .segments
            .iter()
            .map(|s| {
                seg_start += s.count;
                (seg_start - s.count, s)
            })
            .filter(|(start, _)| *start >= covered)
            .collect();
        // Segments taken from `rest` while `held` plus their vectors stays within graph_max
        // (always at least one: a segment bigger than graph_max gets a graph of its own), and
        // how many vectors they hold.
        let take = |rest: &[(usize, &SegmentEntry)], held: usize| {
            let (mut n, mut added) = (0, 0);
            while let Some((_, s)) = rest.get(n) {
                if n > 0 && held + added + s.count > config.graph_max {
                    break;
                }
                added += s.count;
                n += 1;
            }
            (n, added)
        };
        // Segment by segment, read with plain reads (see `segment::read_vectors`) and dropped
        // once inserted: memory holds the graph and one segment's vectors, and the graph keeps
        // the mapped vectors for re-scoring.
        let insert = |h: &mut Hnsw, segs: &[(usize, &SegmentEntry)]| -> Result<()> {
            for &(start, s) in segs {
                let rows = Vectors::from_vec(
                    self.dim(),
                    segment::read_vectors(&self.path, s, self.dim())?,
                )?;
                h.extend_from(&all.range(start, s.count)?, &rows)?;
            }
            Ok(())
        };
        let mut files = 0;
        let mut next_file = || {
            files += 1;
            graph_file(generation, files - 1)
        };
        let mut action = GraphAction::None;
        let mut replaced = None;
        let mut rest = &uncovered[..];
        if let Some(last) = manifest.graphs.last_mut()
            && last.params.quantization == config.ann.quantization
            && rest
                .first()
                .is_some_and(|(_, s)| last.count + s.count <= config.graph_max)
        {
            let (n, added) = take(rest, last.count);
            let old = self.path.join(&last.graph.file);
            // usearch trusts the neighbour ids in the file, as in `searcher`.
            last.graph.check_sha(&self.path)?;
            let mut h = Hnsw::load(&old, all.range(last.start, last.count)?, &last.params)?;
            insert(&mut h, &rest[..n])?;
            let file = next_file();
            // usearch writes by path; it truncates and rewrites the temporary file in place,
            // so syncing the handle makes the graph durable before the manifest names it.
            write_atomic(&self.path, &file, |_, tmp| h.save(tmp))?;
            replaced = Some(std::mem::replace(
                &mut last.graph,
                FileEntry::of(&self.path, &file)?,
            ));
            last.count += added;
            action = GraphAction::Extended;
            rest = &rest[n..];
        }
        while let Some(&(start, _)) = rest.first() {
            let (n, count) = take(rest, 0);
            // One graph in memory at a time: built, saved, dropped.
            let mut h = Hnsw::empty(self.dim(), &config.ann)?;
            insert(&mut h, &rest[..n])?;
            let file = next_file();
            write_atomic(&self.path, &file, |_, tmp| h.save(tmp))?;
            manifest.graphs.push(AnnEntry {
                graph: FileEntry::of(&self.path, &file)?,
                start,
                count,
                params: h.params().clone(),
            });
            action = GraphAction::Built;
            rest = &rest[n..];
        }
        Ok((action, replaced.map(|r| r.file)))
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
    /// Takes the writer's lock once (held until the store is dropped), then checks that no
    /// other writer committed since this store read its manifest: adding on a stale manifest
    /// would write over the other run's generation.
    fn lock_for_writing(&mut self) -> Result<()> {
        if self.writer.is_some() {
            return Ok(());
        }
        let path = self.path.join(WRITER_LOCK);
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(Error::Input(format!(
                    "{}: another claimscope run is adding to this index; wait for it to finish, \
                     then run this one again (two writers at once would lose each other's \
                     segments)",
                    self.path.display()
                )));
            }
            Err(fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
        }
        let on_disk = Manifest::read(&self.path)?;
        if on_disk.generation != self.manifest.generation {
            return Err(Error::Input(format!(
                "{}: another run added to this index after this one opened it; run this one \
                 again (with --resume to skip what is stored)",
                self.path.display()
            )));
        }
        self.writer = Some(file);
        Ok(())
    }

    fn remove_strays(&self) {
        let Ok(dir) = fs::read_dir(&self.path) else {
            return;
        };
        let live = self.manifest.live_files();
        for e in dir.flatten() {
            let name = e.file_name();
            let Some(name) = name.to_str() else { continue };
            let ours =
                atomic::is_leftover(name) || segment::is_segment_file(name) || is_graph_file(name);
            if ours && !live.contains(&name) {
                let _ = fs::remove_file(e.path());
            }
        }
    }

    pub fn info(&self) -> StoreInfo {
        let m = &self.manifest;
        let bytes = m
            .segments
            .iter()
            .map(|s| s.vectors.bytes + s.records.bytes)
            .chain(m.graphs.iter().map(|a| a.graph.bytes))
            .sum();
        StoreInfo {
            path: self.path.clone(),
            format_version: m.format_version,
            model: m.model.clone(),
            count: m.count,
            dim: m.model.dim,
            segments: m.segments.len(),
            graphs: m.graphs.clone(),
            bytes,
            meta: m.meta.clone(),
        }
    }

    /// Read everything: every graph file against its sha256 (the segment files were checked
    /// by `open`), every record parsed, every vector finite. Slow on a big index (it reads all
    /// of it); for tests and the fuzz checks.
    pub fn verify(&self) -> Result<()> {
        // The segment files were checked against their sha256 by `open`.
        for g in &self.manifest.graphs {
            g.graph.check_sha(&self.path)?;
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

/// Write `manifest` as the index's `index.json`, in this reader's format version: an index read
/// in an older one is rewritten in this one, and from then on older claimscopes refuse it.
fn commit(path: &Path, manifest: &mut Manifest) -> Result<()> {
    manifest.format_version = FORMAT_VERSION;
    let json = serde_json::to_vec_pretty(manifest)?;
    write_atomic(path, MANIFEST, |f, tmp| {
        f.write_all(&json).map_err(|e| Error::io(tmp, e))
    })?;
    // The rename is durable only once the directory entry is.
    sync_dir(path);
    Ok(())
}

/// Every file of `segments` against the size and sha256 `index.json` records, before anything
/// is served from them. A changed byte inside a vector block or a record keeps every structural
/// check happy (the header and the offsets still fit) and only moves or renames a sentence, so
/// without this a damaged index answered quietly wrong. It reads the whole index once per open,
/// through the page cache (plain reads, not the maps, so nothing stays resident); segments are
/// hashed in parallel.
fn check_segments(path: &Path, segments: &[SegmentEntry]) -> Result<()> {
    use rayon::prelude::*;
    segments.par_iter().try_for_each(|s| {
        s.vectors.check_sha(path)?;
        s.records.check_sha(path)
    })
}

/// Whether an add has committed in `path` since the manifest of `generation` was read.
fn generation_moved(path: &Path, generation: u64) -> bool {
    Manifest::read(path).is_ok_and(|m| m.generation != generation)
}

/// The `k`th graph file written by the add of `generation`.
fn graph_file(generation: u64, k: usize) -> String {
    if k == 0 {
        format!("ann-{generation:06}.usearch")
    } else {
        format!("ann-{generation:06}-{k}.usearch")
    }
}

pub(super) fn is_graph_file(name: &str) -> bool {
    name.starts_with("ann-") && name.ends_with(".usearch")
}
