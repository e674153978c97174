//! Output files written whole or not at all: into a temporary file beside the destination
//! (`.NAME.XXXXXX.partial`, so the rename stays on one filesystem), synced, then renamed over
//! it. A run killed or failed half way leaves the previous file (or none) under the final name,
//! never half of a new one; a failed or dropped write deletes its temporary file.

use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::{Error, Result};

/// A temporary file in `path`'s directory, named after it. Fails at once, before any work,
/// when the directory does not exist.
pub fn temporary_beside(path: &Path) -> Result<NamedTempFile> {
    let dir = parent_of(path);
    if !dir.is_dir() {
        return Err(Error::Input(format!(
            "{}: the directory {} does not exist; create it or choose another output path",
            path.display(),
            dir.display()
        )));
    }
    // Checked before anything is written: the rename at the end would fail, after hours of
    // work and after any sidecar file was already in place.
    if path.is_dir() {
        return Err(Error::Input(format!(
            "{}: is a directory; give a file name for the output (e.g. {}/out)",
            path.display(),
            path.display()
        )));
    }
    tempfile::Builder::new()
        .prefix(&format!(".{}.", name_of(path)))
        .suffix(".partial")
        .tempfile_in(&dir)
        .map_err(|e| Error::io(&dir, e))
}

/// Sync a finished temporary file and rename it to `path`.
pub fn commit(tmp: NamedTempFile, path: &Path) -> Result<()> {
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// `bytes` as the whole content of `path`, atomically.
pub fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = temporary_beside(path)?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    commit(tmp, path)
}

/// A buffered output file that appears under its name only at [`OutFile::commit`].
pub struct OutFile {
    out: BufWriter<NamedTempFile>,
    path: PathBuf,
}

impl OutFile {
    pub fn create(path: &Path) -> Result<Self> {
        Ok(OutFile {
            out: BufWriter::with_capacity(1 << 20, temporary_beside(path)?),
            path: path.to_path_buf(),
        })
    }

    pub fn commit(self) -> Result<()> {
        let tmp = self
            .out
            .into_inner()
            .map_err(|e| Error::io(&self.path, e.into_error()))?;
        commit(tmp, &self.path)
    }
}

impl Write for OutFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.out.write_all(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

impl Seek for OutFile {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.out.seek(pos)
    }
}

/// An output directory (a model: weights, configuration, card) built under a temporary name
/// beside its destination (`.NAME.XXXXXX.partial`) and swapped in whole at
/// [`StagedDir::commit`]. A training run that fails or is stopped half way leaves the model
/// that was there before untouched, instead of half overwritten; a dropped stage deletes
/// itself. The new directory also never shares files with the one it replaces, so a model
/// may be rewritten from its own weights (`train average A B --output A`).
pub struct StagedDir {
    stage: tempfile::TempDir,
    path: PathBuf,
}

impl StagedDir {
    /// Creates the destination's parent directories, as writing the model in place did; fails
    /// at once, before any work, when that is not possible or the destination is a file.
    pub fn begin(path: &Path) -> Result<Self> {
        let parent = parent_of(path);
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        if path.exists() && !path.is_dir() {
            return Err(Error::Input(format!(
                "{}: is a file; give a directory for the model (a new name, or one to replace)",
                path.display()
            )));
        }
        let stage = tempfile::Builder::new()
            .prefix(&format!(".{}.", name_of(path)))
            .suffix(".partial")
            .tempdir_in(&parent)
            .map_err(|e| Error::io(&parent, e))?;
        Ok(StagedDir {
            stage,
            path: path.to_path_buf(),
        })
    }

    /// Where to write now.
    pub fn path(&self) -> &Path {
        self.stage.path()
    }

    /// Put the staged directory under the destination's name. A directory already there is
    /// first renamed aside and removed only once the new one is in place, so at every moment
    /// one whole model is on disk (between the two renames, under the aside name).
    pub fn commit(self) -> Result<()> {
        let stage = self.stage.keep();
        let undo = |e: std::io::Error| {
            let _ = std::fs::remove_dir_all(&stage);
            Error::io(&self.path, e)
        };
        if self.path.is_dir() {
            let aside = tempfile::Builder::new()
                .prefix(&format!(".{}.", name_of(&self.path)))
                .suffix(".old")
                .tempdir_in(parent_of(&self.path))
                .map_err(undo)?
                .keep();
            // `rename` replaces an empty directory, which `aside` is.
            std::fs::rename(&self.path, &aside).map_err(undo)?;
            if let Err(e) = std::fs::rename(&stage, &self.path) {
                // Put the old model back rather than leave no model under the name.
                let _ = std::fs::rename(&aside, &self.path);
                return Err(undo(e));
            }
            std::fs::remove_dir_all(&aside).map_err(|e| Error::io(&aside, e))?;
        } else {
            std::fs::rename(&stage, &self.path).map_err(undo)?;
        }
        Ok(())
    }
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn name_of(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("out")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appears_only_when_committed_and_a_dropped_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.npy");
        std::fs::write(&p, b"old").unwrap();
        let mut f = OutFile::create(&p).unwrap();
        f.write_all(b"new content").unwrap();
        f.flush().unwrap();
        assert_eq!(
            std::fs::read(&p).unwrap(),
            b"old",
            "not replaced before commit"
        );
        f.commit().unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new content");

        let g = OutFile::create(&p).unwrap();
        drop(g);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            names,
            ["out.npy"],
            "a dropped file leaves no temporary behind"
        );

        let missing = dir.path().join("no/such/dir/x.txt");
        let e = write_whole(&missing, b"x").unwrap_err().to_string();
        assert!(e.contains("does not exist"), "{e}");
        // A directory as the output is refused before a temporary file is made beside it.
        let e = OutFile::create(dir.path()).err().map(|e| e.to_string());
        assert!(
            e.as_deref().is_some_and(|e| e.contains("is a directory")),
            "{e:?}"
        );
    }

    #[test]
    fn a_staged_directory_replaces_the_old_one_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("model");
        std::fs::create_dir(&model).unwrap();
        std::fs::write(model.join("weights"), b"old").unwrap();
        std::fs::write(model.join("stale"), b"from the old model").unwrap();

        // Dropped (a failed or stopped run): the old model stays, whole, and nothing is left.
        let stage = StagedDir::begin(&model).unwrap();
        std::fs::write(stage.path().join("weights"), b"half").unwrap();
        drop(stage);
        assert_eq!(std::fs::read(model.join("weights")).unwrap(), b"old");
        let names = |d: &Path| -> Vec<String> {
            let mut v: Vec<String> = std::fs::read_dir(d)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        assert_eq!(names(dir.path()), ["model"]);

        // Committed: the new directory whole, none of the old one's files.
        let stage = StagedDir::begin(&model).unwrap();
        std::fs::write(stage.path().join("weights"), b"new").unwrap();
        assert_eq!(std::fs::read(model.join("weights")).unwrap(), b"old");
        stage.commit().unwrap();
        assert_eq!(names(&model), ["weights"]);
        assert_eq!(std::fs::read(model.join("weights")).unwrap(), b"new");
        assert_eq!(
            names(dir.path()),
            ["model"],
            "no staging or old directory left"
        );

        // A new name.
        let fresh = dir.path().join("fresh");
        let stage = StagedDir::begin(&fresh).unwrap();
        std::fs::write(stage.path().join("w"), b"x").unwrap();
        stage.commit().unwrap();
        assert_eq!(names(&fresh), ["w"]);

        // Parents are made, as before staging.
        let deep = dir.path().join("new/models/judge");
        StagedDir::begin(&deep).unwrap().commit().unwrap();
        assert!(deep.is_dir());
        let e = StagedDir::begin(&fresh.join("w"))
            .err()
            .map(|e| e.to_string());
        assert!(
            e.as_deref().is_some_and(|e| e.contains("is a file")),
            "{e:?}"
        );
    }
}
