//! Writing one file of an index whole or not at all: into a temporary file in the same
//! directory, synced, then renamed over the final name. A crash leaves either no file or a
//! complete one under its final name, never a torn file; what it can leave is a temporary file,
//! which the next add removes ([`is_leftover`]).
//!
//! Temporary files get `tempfile`'s random, exclusively created names, so two writers never
//! truncate each other's half-written file, and a dropped or failed write deletes its own. Their
//! names start with the final name and end in [`TEMP_SUFFIX`] (`seg-000002.jsonl.Ab12Cd.tmp`),
//! so a leftover tells what it was and is recognisably ours.

use std::fs::File;
use std::path::Path;

use crate::error::{Error, Result};

/// Every temporary file of an index ends with this, as did the fixed `NAME.tmp` names older
/// versions used.
pub(super) const TEMP_SUFFIX: &str = ".tmp";

/// Write `dir/name` by `write(file, path)` into a temporary file (open for writing at `path`),
/// sync it to disk, and rename it to `name`. `write` must leave everything it buffered in the
/// file. The rename is durable once the directory is synced ([`sync_dir`]).
pub(crate) fn write_atomic<T>(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut File, &Path) -> Result<T>,
) -> Result<T> {
    let final_path = dir.join(name);
    let prefix = format!("{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(TEMP_SUFFIX);
    // The temporary becomes the index's file: readable as the umask allows, as every other
    // output, not tempfile's private 0600 (an index built for a team was unreadable to it).
    crate::outfile::with_create_mode(&mut builder, 0o666);
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| Error::io(&final_path, e))?;
    let tmp_path = tmp.path().to_path_buf();
    let out = write(tmp.as_file_mut(), &tmp_path)?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io(&tmp_path, e))?;
    tmp.persist(&final_path)
        .map_err(|e| Error::io(&final_path, e.error))?;
    Ok(out)
}

/// Make the renames in `dir` durable: a rename is only as durable as the directory entry.
/// Best effort, as some filesystems refuse to sync a directory.
pub(super) fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Whether `name` is a temporary file of an index write that never finished. Names starting
/// with `.tmp` are `tempfile`'s defaults, which safetensors' own file writer left behind when
/// earlier versions wrote vectors through it.
pub(super) fn is_leftover(name: &str) -> bool {
    name.ends_with(TEMP_SUFFIX) || name.starts_with(".tmp")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_files_and_leaves_nothing_behind_on_error() {
        let dir = tempfile::tempdir().unwrap();
        write_atomic(dir.path(), "a.json", |f, _| {
            use std::io::Write;
            f.write_all(b"{}").map_err(|e| Error::io("a.json", e))
        })
        .unwrap();
        assert_eq!(std::fs::read(dir.path().join("a.json")).unwrap(), b"{}");
        let failed: Result<()> = write_atomic(dir.path(), "b.json", |_, path| {
            assert!(is_leftover(&path.file_name().unwrap().to_string_lossy()));
            Err(Error::Internal("stop".into()))
        });
        assert!(failed.is_err());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["a.json"]);
    }
}
