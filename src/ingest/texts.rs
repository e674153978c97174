//! `--texts DIR`: each document's text written to a file of its own, never over an input.

use super::*;

/// The file a document's text goes to under `--texts`: its id with path separators and other
/// characters a file name cannot hold replaced, so an id never escapes the directory.
pub fn text_file_name(id: &str) -> String {
    let name: String = id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '#') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = name.trim_start_matches('.');
    // File systems refuse names over 255 bytes, and a crawl's ids can be whole URLs: a long id
    // keeps its start, made unique again by a hash of the whole.
    const MOST: usize = 180;
    if name.len() > MOST {
        use sha2::Digest;
        let mut cut = MOST;
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        let hash = sha2::Sha256::digest(id.as_bytes());
        return format!("{}-{}.txt", &name[..cut], hex::encode(&hash[..8]));
    }
    format!("{}.txt", if name.is_empty() { "doc" } else { name })
}

/// [`text_file_name`] with a hash of the whole id before `.txt`: for an id whose file name
/// another id already has.
pub fn distinct_text_file_name(id: &str) -> String {
    use sha2::Digest;
    let base = text_file_name(id);
    let stem = base.strip_suffix(".txt").unwrap_or(&base);
    let mut cut = stem.len().min(180);
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    let hash = sha2::Sha256::digest(id.as_bytes());
    format!("{}~{}.txt", &stem[..cut], hex::encode(&hash[..4]))
}

/// The inputs among `files` that are in `dir` under their own name (`dir` the input folder,
/// or one that holds some of them), keyed as `Corpus::inputs_in_texts` is.
pub(super) fn inputs_in(dir: &Path, files: &[PathBuf]) -> HashMap<String, PathBuf> {
    files
        .iter()
        .filter_map(|f| {
            let name = f.file_name()?;
            crate::outfile::same_as_input(&dir.join(name), std::slice::from_ref(f))?;
            Some((name.to_string_lossy().to_lowercase(), f.clone()))
        })
        .collect()
}

/// The input folder among `paths` (walked for inputs) that holds `dir` or is it, if any. `dir`
/// need not exist yet: its nearest existing ancestor is resolved (symlinks, `..`).
pub(super) fn folder_holding<'p>(dir: &Path, paths: &'p [String]) -> Option<&'p str> {
    let resolved = |p: &Path| -> Option<PathBuf> {
        let abs = std::path::absolute(p).ok()?;
        let mut rest = Vec::new();
        let mut at = abs.as_path();
        loop {
            if let Ok(real) = at.canonicalize() {
                return Some(rest.iter().rev().fold(real, |acc, n| acc.join(n)));
            }
            rest.push(at.file_name()?.to_owned());
            at = at.parent()?;
        }
    };
    let dir = resolved(dir)?;
    paths
        .iter()
        .map(String::as_str)
        .filter(|p| Path::new(p).is_dir())
        .find(|p| resolved(Path::new(p)).is_some_and(|folder| dir.starts_with(folder)))
}

/// Refuses `dir/name`, the text of document `id`, when it is one of the inputs (`inputs`, from
/// [`inputs_in`]): writing it would replace the input with the document's text (its cleaned
/// article, U+FFFD for bad bytes under `--lossy`).
pub(super) fn refuse_text_over_input(
    dir: &Path,
    name: &str,
    id: &str,
    inputs: &HashMap<String, PathBuf>,
) -> Result<()> {
    let Some(input) = inputs.get(&name.to_lowercase()) else {
        return Ok(());
    };
    let path = dir.join(name);
    // A folder beside the inputs' own: inside it, a later run over the same folder would read
    // the texts back as inputs.
    let beside = |d: &Path| {
        d.file_name()
            .map(|n| d.with_file_name(format!("{}-texts", n.to_string_lossy())))
    };
    // `.` and `..` have no name of their own: their full path has.
    let instead = beside(dir)
        .or_else(|| dir.canonicalize().ok().as_deref().and_then(beside))
        .unwrap_or_else(|| PathBuf::from("texts"));
    crate::outfile::refuse_input(
        &format!(
            "--texts {}: {} (the text of document {id:?})",
            dir.display(),
            path.display()
        ),
        &path,
        std::slice::from_ref(input),
        &format!(
            "Give --texts another folder, one that holds none of the inputs, e.g. --texts {}",
            instead.display()
        ),
    )
}

pub(super) fn write_text(dir: &Path, name: &str, doc: &Document) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Input(format!(
            "{}: --texts names a folder to write each document's text into, and this is a file; \
             give a new or existing folder",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    crate::outfile::write_whole(&dir.join(name), doc.text.as_bytes())
}
