//! Output files written whole or not at all: into a temporary file beside the destination
//! (`.NAME.XXXXXX.partial`, so the rename stays on one filesystem), synced, then renamed over
//! it. A run killed or failed half way leaves the previous file (or none) under the final name,
//! never half of a new one; a failed or dropped write deletes its temporary file.
//!
//! What is already at the path decides the details. A FIFO, a device or a descriptor
//! (`/dev/stdout`, `/dev/fd/N`) is written in place: renaming over it would swap a pipe the
//! user is reading, or `/dev/null`, for a regular file. A symlink is followed: the file it
//! names is replaced and the link stays a link. A new file gets the mode `File::create` would
//! give (0666 less the umask), an existing one keeps its own.

use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::{Error, Result};

/// Where the bytes of one output go until [`Destination::commit`].
pub struct Destination {
    /// As the user named it, for messages.
    path: PathBuf,
    how: How,
}

enum How {
    /// A temporary file beside `target` (the path with its symlinks followed), renamed over
    /// it at the end.
    Staged { tmp: NamedTempFile, target: PathBuf },
    /// A FIFO, device or descriptor, written as the run goes.
    InPlace(File),
}

impl Destination {
    /// Opens `path` for writing. Fails at once, before any work, when its directory does not
    /// exist or it is a directory. Opening a FIFO waits for its reader, as a shell's `>` does.
    pub fn open(path: &Path) -> Result<Self> {
        if writes_in_place(path)? {
            let mut options = std::fs::OpenOptions::new();
            options.write(true);
            // `cmd -o /dev/stdout >> log` must add to the log: the descriptor's file is the
            // shell's to truncate or not.
            if is_descriptor(path) {
                options.append(true);
            }
            let file = options.open(path).map_err(|e| Error::io(path, e))?;
            return Ok(Destination {
                path: path.to_path_buf(),
                how: How::InPlace(file),
            });
        }
        let target = follow_links(path)?;
        let existing = std::fs::metadata(&target).ok().map(|m| m.permissions());
        let tmp = temporary_beside(&target, existing.is_none())?;
        if let Some(permissions) = existing {
            tmp.as_file()
                .set_permissions(permissions)
                .map_err(|e| Error::io(tmp.path(), e))?;
        }
        Ok(Destination {
            path: path.to_path_buf(),
            how: How::Staged { tmp, target },
        })
    }

    /// Whether the output goes straight to a FIFO, device or descriptor (no seeking back).
    pub fn in_place(&self) -> bool {
        matches!(self.how, How::InPlace(_))
    }

    pub fn file(&self) -> &File {
        match &self.how {
            How::Staged { tmp, .. } => tmp.as_file(),
            How::InPlace(f) => f,
        }
    }

    fn file_mut(&mut self) -> &mut File {
        match &mut self.how {
            How::Staged { tmp, .. } => tmp.as_file_mut(),
            How::InPlace(f) => f,
        }
    }

    /// Sync a staged file and rename it over its target; an in-place output is already there.
    pub fn commit(self) -> Result<()> {
        match self.how {
            How::Staged { tmp, target } => {
                tmp.as_file()
                    .sync_all()
                    .map_err(|e| Error::io(&self.path, e))?;
                tmp.persist(&target)
                    .map_err(|e| Error::io(&self.path, e.error))?;
                Ok(())
            }
            How::InPlace(_) => Ok(()),
        }
    }
}

impl Write for Destination {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file_mut().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file_mut().flush()
    }
}

impl Seek for Destination {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.file_mut().seek(pos)
    }
}

/// Whether `path` would be written in place (see the module): something there that is not a
/// regular file, or a descriptor. Asked before opening, since opening a FIFO blocks.
pub fn writes_in_place(path: &Path) -> Result<bool> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(Error::Input(format!(
            "{}: is a directory; give a file name for the output (e.g. {}/out)",
            path.display(),
            path.display()
        ))),
        Ok(m) => Ok(!m.is_file() || is_descriptor(path)),
        Err(_) => Ok(false),
    }
}

/// `/dev/stdout`, `/dev/fd/3`, `/proc/self/fd/1`: names of an open descriptor. Renaming over
/// the file one points to would cut it off from the shell's redirection (`>> log`).
fn is_descriptor(path: &Path) -> bool {
    ["/dev/stdout", "/dev/stderr"]
        .iter()
        .any(|d| path == Path::new(d))
        || path.starts_with("/dev/fd")
        || (path.starts_with("/proc") && path.components().any(|c| c.as_os_str() == "fd"))
}

/// `path` with its symlinks followed to the file they name, which need not exist yet (a
/// dangling link names the file to create). The rename then replaces that file and leaves
/// the links as they are, as writing through them would.
fn follow_links(path: &Path) -> Result<PathBuf> {
    let mut p = path.to_path_buf();
    // The kernel's own limit on a chain of links (ELOOP).
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p).map_err(|e| Error::io(&p, e))?;
                p = if to.is_absolute() {
                    to
                } else {
                    parent_of(&p).join(to)
                };
            }
            _ => return Ok(p),
        }
    }
    Err(Error::Input(format!(
        "{}: too many levels of symbolic links; give the file's own path",
        path.display()
    )))
}

/// The first of `inputs` that is the same file as `output` (same device and inode, so a
/// symlink or hard link to an input counts), when `output` exists. An output written over one
/// of the run's inputs would replace it with the result, after it was read; a character
/// device (`/dev/null`) is never the same file in that sense. `-` (stdin) is no file.
pub fn same_as_input<'a>(output: &Path, inputs: &'a [PathBuf]) -> Option<&'a Path> {
    let out = std::fs::metadata(output).ok()?;
    if is_char_device(&out) {
        return None;
    }
    inputs
        .iter()
        .filter(|i| i.as_os_str() != "-")
        .find(|i| std::fs::metadata(i).is_ok_and(|m| same_file(&out, &m, output, i)))
        .map(PathBuf::as_path)
}

/// Refuses `output` when it is the same file as one of `inputs` (see [`same_as_input`]): it
/// would replace that input with the result. `what` names the output as the user gave it
/// (`-o out.parquet`), `instead` is the fix. Every output a run could write over its own input
/// is refused with this one message.
pub fn refuse_input(what: &str, output: &Path, inputs: &[PathBuf], instead: &str) -> Result<()> {
    match same_as_input(output, inputs) {
        None => Ok(()),
        Some(input) => Err(Error::Input(format!(
            "{what}: is the same file as the input {}; writing the output there would replace \
             the input. {instead}",
            input.display()
        ))),
    }
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata, _: &Path, _: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata, a: &Path, b: &Path) -> bool {
    matches!((std::fs::canonicalize(a), std::fs::canonicalize(b)), (Ok(a), Ok(b)) if a == b)
}

#[cfg(unix)]
fn is_char_device(m: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    m.file_type().is_char_device()
}

#[cfg(not(unix))]
fn is_char_device(_: &std::fs::Metadata) -> bool {
    false
}

/// A temporary file in `path`'s directory, named after it; `new`: with the mode a new file
/// gets. Fails at once, before any work, when the directory does not exist.
fn temporary_beside(path: &Path, new: bool) -> Result<NamedTempFile> {
    let dir = parent_of(path);
    if !dir.is_dir() {
        return Err(Error::Input(format!(
            "{}: the directory {} does not exist; create it or choose another output path",
            path.display(),
            dir.display()
        )));
    }
    let prefix = format!(".{}.", name_of(path));
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".partial");
    if new {
        with_create_mode(&mut builder, 0o666);
    }
    builder.tempfile_in(&dir).map_err(|e| Error::io(&dir, e))
}

/// `tempfile` makes its files 0600 and directories 0700, private as a temporary should be.
/// An output is no temporary: it gets `mode` less the umask, as `File::create` and
/// `create_dir` give, which the kernel applies at creation (no umask read-and-restore, which
/// would race with the other threads creating files).
pub(crate) fn with_create_mode(builder: &mut tempfile::Builder<'_, '_>, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = (builder, mode);
}

/// `bytes` as the whole content of `path`, atomically.
pub fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut out = Destination::open(path)?;
    out.write_all(bytes).map_err(|e| Error::io(path, e))?;
    out.commit()
}

/// A buffered output file that appears under its name only at [`OutFile::commit`].
pub struct OutFile {
    out: BufWriter<Destination>,
    path: PathBuf,
}

impl OutFile {
    pub fn create(path: &Path) -> Result<Self> {
        Ok(OutFile {
            out: BufWriter::with_capacity(1 << 20, Destination::open(path)?),
            path: path.to_path_buf(),
        })
    }

    pub fn commit(self) -> Result<()> {
        let dest = self
            .out
            .into_inner()
            .map_err(|e| Error::io(&self.path, e.into_error()))?;
        dest.commit()
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
    /// The permissions of the directory it replaces, given to the new one at the end (not
    /// before: a read-only model directory would refuse the run's own writes).
    existing: Option<std::fs::Permissions>,
}

impl StagedDir {
    /// Creates the destination's parent directories, as writing the model in place did; fails
    /// at once, before any work, when that is not possible or the destination is a file.
    /// A directory already there is replaced whole at the end, so it must be empty or a model:
    /// hold one of `cards` (the model cards a run writes). `-o models` or `-o data` would
    /// otherwise delete every file in them when the run finished.
    pub fn begin(path: &Path, cards: &[&str]) -> Result<Self> {
        let parent = parent_of(path);
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        if path.exists() && !path.is_dir() {
            return Err(Error::Input(format!(
                "{}: is a file; give a directory for the model (a new name, or one to replace)",
                path.display()
            )));
        }
        if path.is_dir() && !cards.iter().any(|c| path.join(c).is_file()) {
            let mut entries = std::fs::read_dir(path).map_err(|e| Error::io(path, e))?;
            if entries.next().is_some() {
                return Err(Error::Input(format!(
                    "{}: a directory that holds no model ({}); the output directory is replaced \
                     whole when the run ends, so this would delete what it holds: give a new \
                     directory name (e.g. {}), an empty directory, or a model directory to replace",
                    path.display(),
                    cards.join(", "),
                    path.join("model").display()
                )));
            }
        }
        let existing = std::fs::metadata(path).ok().map(|m| m.permissions());
        let prefix = format!(".{}.", name_of(path));
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".partial");
        if existing.is_none() {
            with_create_mode(&mut builder, 0o777);
        }
        let stage = builder
            .tempdir_in(&parent)
            .map_err(|e| Error::io(&parent, e))?;
        Ok(StagedDir {
            stage,
            path: path.to_path_buf(),
            existing,
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
        if let Some(permissions) = &self.existing
            && let Err(e) = std::fs::set_permissions(&stage, permissions.clone())
        {
            let _ = std::fs::remove_dir_all(&stage);
            return Err(Error::io(&self.path, e));
        }
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

    /// What the tests' "models" hold: `weights`, or a card.
    const CARDS: &[&str] = &["weights", "card.json"];

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

    /// New outputs get what `File::create` / `create_dir` give under the same umask; outputs
    /// replacing a file or model keep its mode.
    #[cfg(unix)]
    #[test]
    fn modes_are_those_of_a_plain_create_or_of_the_file_replaced() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain");
        std::fs::File::create(&plain).unwrap();
        let plain_dir = dir.path().join("plain-dir");
        std::fs::create_dir(&plain_dir).unwrap();

        let p = dir.path().join("out.jsonl");
        write_whole(&p, b"x").unwrap();
        assert_eq!(mode(&p), mode(&plain));
        let mut f = OutFile::create(&dir.path().join("b.npy")).unwrap();
        f.write_all(b"y").unwrap();
        f.commit().unwrap();
        assert_eq!(mode(&dir.path().join("b.npy")), mode(&plain));
        let model = dir.path().join("model");
        StagedDir::begin(&model, CARDS).unwrap().commit().unwrap();
        assert_eq!(mode(&model), mode(&plain_dir));

        for m in [0o640, 0o664, 0o444] {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(m)).unwrap();
            write_whole(&p, b"z").unwrap();
            assert_eq!((mode(&p), std::fs::read(&p).unwrap()), (m, b"z".to_vec()));
        }
        // Read-only too: the mode is given at the end, after the run has written its files.
        for m in [0o750, 0o555] {
            std::fs::set_permissions(&model, std::fs::Permissions::from_mode(m)).unwrap();
            let stage = StagedDir::begin(&model, CARDS).unwrap();
            std::fs::write(stage.path().join("weights"), b"new").unwrap();
            stage.commit().unwrap();
            assert_eq!(mode(&model), m);
            std::fs::set_permissions(&model, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_same_file_is_found_through_links_and_fifos_are_written_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.jsonl");
        std::fs::write(&input, b"{}").unwrap();
        let other = dir.path().join("other.jsonl");
        std::fs::write(&other, b"{}").unwrap();
        let soft = dir.path().join("soft.parquet");
        std::os::unix::fs::symlink("in.jsonl", &soft).unwrap();
        let hard = dir.path().join("hard.parquet");
        std::fs::hard_link(&input, &hard).unwrap();
        let inputs = [PathBuf::from("-"), other.clone(), input.clone()];
        for out in [&input, &soft, &hard] {
            assert_eq!(same_as_input(out, &inputs), Some(input.as_path()));
        }
        assert_eq!(same_as_input(&other, &inputs[..1]), None);
        assert_eq!(same_as_input(&dir.path().join("new"), &inputs), None);

        let fifo = dir.path().join("f");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        assert!(writes_in_place(&fifo).unwrap());
        assert!(!writes_in_place(&input).unwrap());
        assert!(!writes_in_place(&soft).unwrap());
        assert!(!writes_in_place(&dir.path().join("new")).unwrap());
        assert!(writes_in_place(dir.path()).is_err());

        // A symlink: the file it names is replaced, the link stays.
        write_whole(&soft, b"through the link").unwrap();
        assert!(std::fs::symlink_metadata(&soft).unwrap().is_symlink());
        assert_eq!(std::fs::read(&input).unwrap(), b"through the link");
    }

    #[test]
    fn a_staged_directory_replaces_the_old_one_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("model");
        std::fs::create_dir(&model).unwrap();
        std::fs::write(model.join("weights"), b"old").unwrap();
        std::fs::write(model.join("stale"), b"from the old model").unwrap();

        // Dropped (a failed or stopped run): the old model stays, whole, and nothing is left.
        let stage = StagedDir::begin(&model, CARDS).unwrap();
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
        let stage = StagedDir::begin(&model, CARDS).unwrap();
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
        let stage = StagedDir::begin(&fresh, CARDS).unwrap();
        std::fs::write(stage.path().join("w"), b"x").unwrap();
        stage.commit().unwrap();
        assert_eq!(names(&fresh), ["w"]);

        // Parents are made, as before staging.
        let deep = dir.path().join("new/models/judge");
        StagedDir::begin(&deep, CARDS).unwrap().commit().unwrap();
        assert!(deep.is_dir());
        let e = StagedDir::begin(&fresh.join("w"), CARDS)
            .err()
            .map(|e| e.to_string());
        assert!(
            e.as_deref().is_some_and(|e| e.contains("is a file")),
            "{e:?}"
        );
    }

    /// A directory that holds files but no model card is refused before any work, and left
    /// as it was: replaced whole at the end, `-o models` would delete every model in it. An
    /// empty directory is taken.
    #[test]
    fn a_directory_that_is_no_model_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let models = dir.path().join("models");
        std::fs::create_dir_all(models.join("judge")).unwrap();
        std::fs::write(models.join("judge/weights"), b"keep").unwrap();
        let e = StagedDir::begin(&models, CARDS)
            .err()
            .map(|e| e.to_string());
        assert!(
            e.as_deref()
                .is_some_and(|e| e.contains("holds no model (weights, card.json)")
                    && e.contains("give a new directory name")),
            "{e:?}"
        );
        assert_eq!(
            std::fs::read(models.join("judge/weights")).unwrap(),
            b"keep"
        );
        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        StagedDir::begin(&empty, CARDS).unwrap().commit().unwrap();
    }
}
