//! Which files the command-line paths stand for: folders walked, globs expanded, a folder's
//! notes and an index's own files passed over.

use super::*;

/// A folder's documentation by its name: README, LICENSE and their kin, alone or with one
/// extension ("README.md", "LICENSE.txt"; not "license.plate.scandal.txt"). Not "notice",
/// "changes" or "authors": an article may well be called so.
fn folder_note(f: &Path) -> bool {
    const NAMES: &[&str] = &[
        "readme",
        "license",
        "licence",
        "copying",
        "changelog",
        "contributing",
    ];
    let name = f
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let mut parts = name.split('.');
    let stem = parts.next().unwrap_or_default();
    NAMES.contains(&stem) && parts.count() <= 1
}

/// Expand the command-line paths into files, in a stable (sorted) order per argument.
pub fn expand(paths: &[String], observer: &dyn Observer) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p == "-" {
            out.push(PathBuf::from("-"));
            continue;
        }
        let path = Path::new(p);
        if path.is_dir() {
            let mut files: Vec<PathBuf> = walkdir::WalkDir::new(path)
                .follow_links(true)
                .into_iter()
                // An index kept inside the corpus folder holds the corpus's sentences as
                // JSONL: read as input, every sentence would come back as a document.
                // The folder given itself too: `data/*` expands to the index kept there.
                .filter_entry(|e| {
                    let index = is_index_dir(e.path());
                    if index {
                        observer.warn(&format!(
                            "{}: a claimscope index; not read as input",
                            e.path().display()
                        ));
                    }
                    !index
                })
                .filter_map(|e| match e {
                    Ok(e) => Some(e),
                    Err(err) => {
                        // walkdir's own words ("IO error for operation on X: ...") name no
                        // cause a user can act on for the commonest case, a link left dangling.
                        let dangling = |p: &Path| {
                            p.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink())
                                && !p.exists()
                        };
                        observer.warn(&match err.path() {
                            Some(at) if dangling(at) => format!(
                                "{}: a link to a file that is not there; skipped (remove the link or restore its target)",
                                at.display()
                            ),
                            Some(at) => format!(
                                "{}: {}; skipped",
                                at.display(),
                                err.io_error().map_or_else(|| err.to_string(), ToString::to_string)
                            ),
                            None => format!("{err}; skipped"),
                        });
                        None
                    }
                })
                .filter(|e| e.file_type().is_file())
                .map(|e| e.into_path())
                .collect();
            // Files of other kinds (PDFs, images, office files) are left out, but said so:
            // a folder of 40 articles that gives 25 documents must say where the rest went.
            let mut others: BTreeMap<String, usize> = BTreeMap::new();
            files.retain(|f| {
                let hidden = f
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'));
                let read = kind_of(f).is_some();
                if !read && !hidden {
                    let ext = f.extension().map_or_else(
                        || "no extension".to_string(),
                        |e| format!(".{}", e.to_string_lossy().to_ascii_lowercase()),
                    );
                    *others.entry(ext).or_default() += 1;
                }
                read
            });
            // A folder's own documentation (README.md, LICENSE.txt beside the articles of a
            // dataset) is no article: read as one it became a document, an "outlet" and a
            // story of its own. Named on the command line, such a file is read.
            let mut notes: Vec<String> = Vec::new();
            files.retain(|f| {
                let note = folder_note(f);
                if note {
                    notes.push(f.display().to_string());
                }
                !note
            });
            if !notes.is_empty() {
                observer.warn(&format!(
                    "{p}: {} left out as the folder's documentation, not articles ({}); name a file on the command line to read it",
                    notes.len(),
                    notes.join(", ")
                ));
            }
            if !others.is_empty() {
                let n: usize = others.values().sum();
                let kinds: Vec<String> = others.iter().map(|(e, c)| format!("{e} {c}")).collect();
                observer.warn(&format!(
                    "{p}: {n} files of kinds claimscope does not read were left out ({}); convert them to text, JSONL, CSV, Parquet or HTML to include them",
                    kinds.join(", ")
                ));
            }
            files.sort();
            if files.is_empty() {
                observer.warn(&format!(
                    "{p}: no file inside of a kind claimscope reads ({READ_EXTENSIONS}, each also gzipped)"
                ));
            }
            out.extend(files);
        } else if path.exists() {
            if !index_file(path, observer) {
                out.push(path.to_path_buf());
            }
        } else if p.contains(['*', '?', '[']) {
            let matches =
                glob::glob(p).map_err(|e| Error::Input(format!("{p}: bad glob pattern ({e})")))?;
            let mut files: Vec<PathBuf> = matches
                .filter_map(|m| m.ok())
                .filter(|f| f.is_file())
                .collect();
            files.sort();
            if files.is_empty() {
                return Err(Error::Input(format!("{p}: the pattern matches no files")));
            }
            // `data/**/*.jsonl` reaches the segments of an index kept under data/.
            files.retain(|f| !index_file(f, observer));
            out.extend(files);
        } else {
            // The OS's own words: `ErrorKind::NotFound` alone prints "entity not found".
            return Err(Error::Io {
                path: path.to_path_buf(),
                err: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
            });
        }
    }
    if out.is_empty() {
        // Stdin only when no path was given: paths that hold nothing readable are an error, not
        // a cue to wait on the terminal (or to read whatever happens to be piped in).
        if !paths.is_empty() {
            return Err(Error::Input(format!(
                "{}: no file to read (claimscope reads {READ_EXTENSIONS}, each also gzipped); give \
                 such files, or - to read stdin",
                paths.join(" ")
            )));
        }
        out.push(PathBuf::from("-"));
    }
    // A file named twice (a directory and a glob over it, or the same path given twice) is
    // read once: its documents would otherwise match themselves in every group.
    // Stdin too: read a second time it is empty, and would be reported as an empty file.
    let mut seen = std::collections::HashSet::new();
    out.retain(|f| {
        let key = if input::is_stdin(f) {
            f.clone()
        } else {
            std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())
        };
        let first = seen.insert(key);
        if !first {
            observer.warn(&format!("{}: given more than once; read once", f.display()));
        }
        first
    });
    Ok(out)
}

/// True, and said, when `file` is one of an index's own files (its segments hold the corpus's
/// sentences as JSONL: read as input, every sentence would come back as a document).
fn index_file(file: &Path, observer: &dyn Observer) -> bool {
    let Some(dir) = file.parent().filter(|d| is_index_dir(d)) else {
        return false;
    };
    observer.warn(&format!(
        "{}: a file of the claimscope index {}; not read as input",
        file.display(),
        dir.display()
    ));
    true
}

/// Does `dir` hold a claimscope index (its manifest, with the index's magic)?
fn is_index_dir(dir: &Path) -> bool {
    let manifest = dir.join(crate::index::store::MANIFEST);
    manifest.is_file()
        && std::fs::read(&manifest).is_ok_and(|b| {
            serde_json::from_slice::<serde_json::Value>(&b).is_ok_and(|v| {
                v.get("magic").and_then(|m| m.as_str()) == Some(crate::index::store::MAGIC)
            })
        })
}
