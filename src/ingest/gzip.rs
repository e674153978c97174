//! Gzipped inputs read through gunzip, stopping where the data is damaged instead of failing the run.

use super::*;

/// Where a gzipped input broke off, when it did: set by its `Unzipped`, read by the corpus
/// reader (to name the damage) and by the CSV reader (to drop the row cut there).
pub(super) type Damage = Arc<std::sync::Mutex<Option<String>>>;

/// A gunzipping reader that ends where the compressed data is cut short or damaged (a
/// half-downloaded feed), leaving the reason in `damage`, so the records before the damage are
/// read and the file is counted unreadable, as a damaged web archive is, instead of the whole
/// run failing on a read error.
pub(super) struct Unzipped {
    inner: flate2::read::MultiGzDecoder<Box<dyn BufRead>>,
    name: String,
    pub(super) damage: Damage,
    done: bool,
}

impl Unzipped {
    pub(super) fn new(inner: Box<dyn BufRead>, name: &str) -> Self {
        Unzipped {
            inner: flate2::read::MultiGzDecoder::new(inner),
            name: name.to_string(),
            damage: Default::default(),
            done: false,
        }
    }
}

impl std::io::Read for Unzipped {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.done {
            return Ok(0);
        }
        match self.inner.read(buf) {
            Ok(n) => Ok(n),
            Err(e) => {
                self.done = true;
                if let Ok(mut d) = self.damage.lock() {
                    *d = Some(format!("{}: cannot unpack gzip ({e})", self.name));
                }
                Ok(0)
            }
        }
    }
}

/// A gzip file read through gunzip (a web archive's records are unpacked by its own reader).
pub(super) fn is_gzipped(path: &Path) -> bool {
    let name = path.to_string_lossy().to_ascii_lowercase();
    name.ends_with(".gz") && !name.ends_with(".warc.gz")
}
