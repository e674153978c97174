//! Pei & Jurgens' sentence-level certainty of science findings (`sentence-level-certainty.jsonl`):
//! the only public graded certainty set, read for training and evaluation. Errors name the file
//! and line, since the file is hand-downloaded and easily the wrong one.

use std::path::Path;

use crate::error::{Error, Result};

/// One Pei & Jurgens sentence.
pub struct Scored {
    pub text: String,
    pub score: f64,
}

/// `sentence-level-certainty.jsonl` rows of one split.
pub fn load_pei(dir: &Path, split: &str) -> Result<Vec<Scored>> {
    let path = dir.join("sentence-level-certainty.jsonl");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |what: String| Error::Input(format!("{}:{}: {what}", path.display(), i + 1));
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        let field = |k: &str| v.get(k).ok_or_else(|| bad(format!("missing field {k:?}")));
        if field("split")?.as_str() != Some(split) {
            continue;
        }
        let finding = field("finding")?
            .as_str()
            .ok_or_else(|| bad("\"finding\" is not a string".into()))?;
        let score = field("sentence-level-certainty")?
            .as_f64()
            .filter(|s| (1.0..=6.0).contains(s))
            .ok_or_else(|| bad("\"sentence-level-certainty\" is not a number in 1..6".into()))?;
        out.push(Scored {
            text: finding.to_string(),
            score,
        });
    }
    if out.is_empty() {
        return Err(Error::Input(format!(
            "{}: no sentences of split {split:?}",
            path.display()
        )));
    }
    Ok(out)
}
