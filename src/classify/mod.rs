//! Small classifiers on sentence embeddings: asserted confidence of a sentence and stance of a
//! sentence toward a claim. The heads are trained here on public data (`claimscope train`),
//! shipped in `models/` with a model card each, and refuse to run on another embedding model.
//!
//! Layout, by job: `cues` (the confidence cue scan) and `head` (the trainable classifier and its
//! file) are shared; `confidence` and `stance` are each a runtime module (labels, features,
//! classifier: what `match` and `classify` load) with `data`, `train` and `eval` beside it.
//! Imports run one way, from training and evaluation to the runtime and from there to `cues`,
//! `head`, `crate::lexicon` and `crate::metrics`, so no two modules import each other.

pub mod confidence;
pub mod cues;
pub mod head;
pub mod stance;
pub mod tuned;

use std::path::PathBuf;

pub use confidence::{ConfidenceClassifier, ConfidenceLabel};
pub use cues::{Cue, Level};
pub use stance::{Stance, StanceClassifier, StanceLabel};

/// File names of the shipped heads.
pub const STANCE_HEAD: &str = "stance.safetensors";
pub const CONFIDENCE_HEAD: &str = "confidence.safetensors";

/// Where a shipped head is looked for when no path is given: `$CLAIMSCOPE_MODELS`, then
/// `./models`, then beside the running program (`models/` next to it, or
/// `../share/claimscope/models` as packages lay files out), then the `models/` folder of the
/// source tree this binary was built from. The program's own folder comes before the source
/// tree so that a binary copied elsewhere with its models finds those, not a checkout that may
/// have moved on.
pub fn default_head_path(file: &str) -> PathBuf {
    let beside_exe = std::env::current_exe().ok().and_then(|exe| {
        let dir = exe.parent()?.to_path_buf();
        Some([dir.join("models"), dir.join("../share/claimscope/models")])
    });
    let candidates = [
        std::env::var_os("CLAIMSCOPE_MODELS").map(PathBuf::from),
        Some(PathBuf::from("models")),
    ]
    .into_iter()
    .flatten()
    .chain(beside_exe.into_iter().flatten())
    .chain(std::iter::once(PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/models"
    ))));
    candidates
        .map(|d| d.join(file))
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("models").join(file))
}

/// The error for a model file that cannot be read: when it is missing, say where shipped models
/// are looked for and how to point there, because the usual cause is a program (a pip-installed
/// wheel, a copied binary) run away from the checkout it was built in.
pub fn model_file_error(path: &std::path::Path, err: std::io::Error) -> crate::error::Error {
    if err.kind() != std::io::ErrorKind::NotFound {
        return crate::error::Error::io(path, err);
    }
    crate::error::Error::Model(format!(
        "{}: not found; shipped models are looked for in $CLAIMSCOPE_MODELS, ./models, models/ beside \
         the program (or ../share/claimscope/models) and {}/models: set CLAIMSCOPE_MODELS to the \
         models/ folder of a claimscope checkout, copy that folder beside the program, or pass the file's path",
        path.display(),
        env!("CARGO_MANIFEST_DIR")
    ))
}

/// The warning for texts a labelling model read only in part, in one wording for every caller
/// (the CLI's `classify`, the Python package): `count` texts longer than the encoder's `window`
/// of tokens, the first at `first` as the caller places it (`file:line`, `texts[3]`).
/// `with_claim`: the stance pair model reads claim and text as one window, so the claim is what
/// to shorten first.
pub fn cut_warning(count: usize, first: &str, window: usize, with_claim: bool) -> String {
    let (texts, was, it, at) = if count == 1 {
        ("text", "was", "it", "at")
    } else {
        ("texts", "were", "them", "the first at")
    };
    // "their claim" reads right for one claim shared by every text (`classify --claim`, the
    // Python package) and for a claim per pair (`--pairs`) alike.
    let (claim, fix) = match (with_claim, count == 1) {
        (false, _) => ("", ""),
        (true, true) => (" with its claim", ", the claim above all"),
        (true, false) => (" with their claim", ", the claim above all"),
    };
    format!(
        "{count} {texts}{claim} {was} longer than the model's window of {window} tokens and \
         read only in part, from the start ({at} {first}); shorten {it}{fix}"
    )
}

/// The card written beside a head: `models/NAME.json` for `models/NAME.safetensors`.
pub fn card_path(head: &std::path::Path) -> PathBuf {
    head.with_extension("json")
}

/// The base model's vectors of `texts` when a labelling model reads them (`needed`: the heads
/// always, the tuned models not, the pair model for its topic gate), else a zero-width matrix
/// (nothing reads it, so nothing is embedded).
pub fn base_vectors(
    needed: bool,
    embedder: &crate::embed::Embedder,
    texts: &[&str],
    observer: &dyn crate::observe::Observer,
) -> crate::error::Result<ndarray::Array2<f32>> {
    if needed {
        Ok(embedder.embed_all(texts, "sentences", observer)?.vectors)
    } else {
        Ok(ndarray::Array2::zeros((texts.len(), 0)))
    }
}

#[cfg(test)]
mod tests {
    use super::cut_warning;

    /// Every branch of the one wording the CLI and the Python package give.
    #[test]
    fn the_cut_warning_agrees_with_its_count() {
        assert_eq!(
            cut_warning(1, "a.txt:3", 256, false),
            "1 text was longer than the model's window of 256 tokens and read only in part, \
             from the start (at a.txt:3); shorten it"
        );
        assert_eq!(
            cut_warning(4, "texts[2]", 256, false),
            "4 texts were longer than the model's window of 256 tokens and read only in part, \
             from the start (the first at texts[2]); shorten them"
        );
        assert!(
            cut_warning(1, "p.jsonl:2", 256, true).starts_with("1 text with its claim was longer")
        );
        assert!(
            cut_warning(2, "p.jsonl:2", 256, true)
                .ends_with("(the first at p.jsonl:2); shorten them, the claim above all")
        );
    }
}
