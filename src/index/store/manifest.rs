//! `index.json`: what an index holds (magic, format version, model, counts, segment and graph
//! files with their sizes and sha256), and everything that can be checked from it alone.
//!
//! The manifest is the index's commit record: a file belongs to the index only once the manifest
//! names it, so reading and validating it is kept apart from the files it points to. Checks run
//! from the cheapest and most telling first (is this an index at all, which version, which
//! model) so a foreign or newer directory gets an error about that, not about a missing field.

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::embed::ModelId;
use crate::embed::source::sha256_file;
use crate::error::{Error, Result};
use crate::index::ann::AnnParams;

/// Written into every manifest; anything else is not ours.
pub const MAGIC: &str = "claimscope-index";
/// Bumped on any change an older reader would misread. Version 2: several graphs, each over a
/// run of whole segments (`graphs`), instead of one graph over everything (`ann`); version 1
/// manifests are still read (their graph becomes `graphs[0]`).
pub const FORMAT_VERSION: u32 = 2;
/// The oldest version this reader still understands.
const OLDEST_READABLE: u32 = 1;
/// The manifest's file name inside the index directory.
pub const MANIFEST: &str = "index.json";

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

/// One HNSW graph file and the ids it covers: `start..start + count`, always whole segments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnnEntry {
    pub graph: FileEntry,
    /// Id of the first vector in the graph (its local id 0). Absent in version 1: 0.
    #[serde(default)]
    pub start: usize,
    pub count: usize,
    pub params: AnnParams,
}

impl AnnEntry {
    /// One past the last id the graph covers.
    pub fn end(&self) -> usize {
        self.start + self.count
    }
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
    /// The graphs, in id order, covering `0..covered()` without gaps; the vectors after that
    /// (none, once a graph is wanted) are searched exactly. Several graphs rather than one so
    /// that building or extending a graph holds at most `SearchConfig::graph_max` vectors in
    /// memory, however big the index grows.
    #[serde(default)]
    pub graphs: Vec<AnnEntry>,
    /// Version 1's single graph, read and moved into `graphs`; never written.
    #[serde(default, rename = "ann", skip_serializing)]
    legacy_ann: Option<AnnEntry>,
    /// Free-form settings of the caller (e.g. how text was segmented), kept across adds.
    #[serde(default)]
    pub meta: serde_json::Map<String, serde_json::Value>,
    /// The graph file the last add replaced, kept until the next add: a reader that read the
    /// previous manifest just before the add committed can still open the graph it names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired_graph: Option<String>,
}

impl Manifest {
    /// The manifest of a new, empty index.
    pub fn new(model: ModelId) -> Self {
        Manifest {
            magic: MAGIC.into(),
            format_version: FORMAT_VERSION,
            model,
            count: 0,
            generation: 0,
            segments: Vec::new(),
            graphs: Vec::new(),
            legacy_ann: None,
            meta: Default::default(),
            retired_graph: None,
        }
    }

    /// Read the manifest of the index directory `path`: is it an index, of this version, with
    /// a usable model.
    pub fn read(path: &Path) -> Result<Manifest> {
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
        if !(u64::from(OLDEST_READABLE)..=u64::from(FORMAT_VERSION)).contains(&version) {
            return Err(Error::IndexVersion {
                path: path.to_path_buf(),
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let mut manifest: Manifest =
            serde_json::from_value(value).map_err(|e| corrupt(format!("index.json: {e}")))?;
        // An older index is read into this version's shape; `format_version` stays what is on
        // disk (`index info` shows it) until the next write, which writes this version.
        if let Some(ann) = manifest.legacy_ann.take()
            && manifest.graphs.is_empty()
        {
            manifest.graphs.push(ann);
        }
        if manifest.model.dim == 0 {
            return Err(corrupt("index.json: model dimension 0".into()));
        }
        Ok(manifest)
    }

    /// The manifest agrees with itself (counts) and its graph file has the recorded size.
    /// Segment files are checked when they are opened.
    pub fn check(&self, path: &Path) -> Result<()> {
        let corrupt = |detail: String| Error::IndexCorrupt {
            path: path.to_path_buf(),
            detail,
        };
        let total: usize = self.segments.iter().map(|s| s.count).sum();
        if total != self.count {
            return Err(corrupt(format!(
                "manifest counts {} records but its segments hold {total}",
                self.count
            )));
        }
        // Graphs run back to back from id 0, each starting and ending on a segment boundary
        // (a graph's vectors are whole segments' blocks).
        let mut boundaries = std::collections::HashSet::from([0usize]);
        let mut at = 0;
        for s in &self.segments {
            at += s.count;
            boundaries.insert(at);
        }
        let mut expected = 0;
        for g in &self.graphs {
            // Counts come from the file: no arithmetic on them before they are bounded.
            let fits = g.start == expected && g.count > 0 && g.count <= self.count - g.start;
            if !fits || !boundaries.contains(&g.end()) {
                return Err(corrupt(format!(
                    "graph {} covers ids {}..{}, which do not follow on from {expected} at a \
                     segment boundary within the index's {}",
                    g.graph.file,
                    g.start,
                    g.end(),
                    self.count
                )));
            }
            expected = g.end();
            g.graph.check_size(path)?;
        }
        // The next add deletes the retired graph: it must be a graph file of this index that
        // nothing else names, never a path outside it or a live file.
        if let Some(r) = &self.retired_graph {
            let live = self.graphs.iter().any(|g| &g.graph.file == r);
            if !inside_index(r) || !super::is_graph_file(r) || live {
                return Err(corrupt(format!(
                    "retired_graph {r:?} is not a retired graph file of this index"
                )));
            }
        }
        Ok(())
    }

    /// Ids `0..covered()` are in a graph.
    pub fn covered(&self) -> usize {
        self.graphs.last().map_or(0, AnnEntry::end)
    }

    /// Every file the manifest names, itself included: what an add must not remove.
    pub fn live_files(&self) -> Vec<&str> {
        let mut live: Vec<&str> = vec![MANIFEST];
        for s in &self.segments {
            live.push(&s.vectors.file);
            live.push(&s.records.file);
        }
        live.extend(self.graphs.iter().map(|g| g.graph.file.as_str()));
        live.extend(self.retired_graph.as_deref());
        live
    }
}

/// A file name the manifest may give: a name with a separator (or `..`) would let a crafted
/// manifest point outside the index, and dot names are the temporary files of writes.
fn inside_index(name: &str) -> bool {
    !name.contains(['/', '\\']) && !name.starts_with('.')
}

impl FileEntry {
    /// The entry of `dir/name` as it is on disk now (its size, and its sha256 read back).
    pub fn of(dir: &Path, name: &str) -> Result<FileEntry> {
        let path = dir.join(name);
        let bytes = fs::metadata(&path).map_err(|e| Error::io(&path, e))?.len();
        Ok(FileEntry {
            file: name.to_string(),
            bytes,
            sha256: sha256_file(&path)?,
        })
    }

    /// The file must exist in `dir` with exactly the size the manifest recorded.
    pub fn check_size(&self, dir: &Path) -> Result<()> {
        if !inside_index(&self.file) {
            return Err(Error::IndexCorrupt {
                path: dir.to_path_buf(),
                detail: format!("index.json names a file outside the index: {:?}", self.file),
            });
        }
        let path = dir.join(&self.file);
        let found = match fs::metadata(&path) {
            Ok(m) => m.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::IndexCorrupt {
                    path: dir.to_path_buf(),
                    detail: format!("{} is missing", self.file),
                });
            }
            Err(e) => return Err(Error::io(&path, e)),
        };
        if found < self.bytes {
            return Err(Error::IndexTruncated {
                path: dir.to_path_buf(),
                file: self.file.clone(),
                expected: self.bytes,
                found,
            });
        }
        if found > self.bytes {
            return Err(Error::IndexCorrupt {
                path: dir.to_path_buf(),
                detail: format!("{} has {found} bytes, {} expected", self.file, self.bytes),
            });
        }
        Ok(())
    }

    /// [`check_size`](Self::check_size), then the whole file against its sha256.
    pub fn check_sha(&self, dir: &Path) -> Result<()> {
        self.check_size(dir)?;
        let sha = sha256_file(&dir.join(&self.file))?;
        if !sha.eq_ignore_ascii_case(&self.sha256) {
            return Err(Error::IndexCorrupt {
                path: dir.to_path_buf(),
                detail: format!(
                    "{} does not match the sha256 index.json records for it (its bytes changed \
                     after it was written: disk damage, an interrupted copy or an edit)",
                    self.file
                ),
            });
        }
        Ok(())
    }
}
