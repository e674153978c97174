//! What identifies the model that made a vector: index headers and classifier heads carry it,
//! so vectors of one model are never searched or classified with another's.

use serde::{Deserialize, Serialize};

/// Which model made the vectors. Two ids name the same model when their dimensions agree and,
/// if both carry a weights digest, the digests agree; otherwise name and revision must agree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelId {
    pub name: String,
    pub dim: usize,
    /// sha256 of the model's weights file: identifies the weights whatever the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
}

impl ModelId {
    pub fn new(name: impl Into<String>, dim: usize) -> Self {
        ModelId {
            name: name.into(),
            dim,
            weights_sha256: None,
            revision: None,
        }
    }

    pub fn with_weights_sha256(mut self, sha: impl Into<String>) -> Self {
        self.weights_sha256 = Some(sha.into());
        self
    }

    pub fn with_revision(mut self, rev: impl Into<String>) -> Self {
        self.revision = Some(rev.into());
        self
    }

    pub fn same_model(&self, other: &ModelId) -> bool {
        if self.dim != other.dim {
            return false;
        }
        match (&self.weights_sha256, &other.weights_sha256) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => self.name == other.name && self.revision == other.revision,
        }
    }
}

impl std::fmt::Display for ModelId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({} dims", self.name, self.dim)?;
        if let Some(r) = &self.revision {
            write!(f, ", revision {r}")?;
        }
        if let Some(s) = &self.weights_sha256 {
            write!(f, ", weights sha256 {}", s.get(..12).unwrap_or(s))?;
        }
        f.write_str(")")
    }
}
