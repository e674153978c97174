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
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
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
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
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
}
