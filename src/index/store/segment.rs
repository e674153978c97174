//! Segment files: what one add writes. `seg-N.safetensors` holds the vectors (`"vectors"` F32
//! `[n, dim]`) and the byte offsets of the records (`"offsets"` U64 `[n + 1]`); `seg-N.jsonl`
//! holds the n records, one JSON object per line.
//!
//! Both files are written once, through [`super::atomic`], and never modified, which is what
//! makes memory-mapping them safe and lets an add leave older segments untouched. Writing hashes
//! the bytes as they pass, so the manifest's sha256 costs no second read. Opening maps both files
//! and checks the tensors against the manifest; records are parsed one at a time, when asked for.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use memmap2::Mmap;
use ndarray::ArrayView2;
use safetensors::tensor::{Dtype, Metadata, TensorInfo};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::atomic::write_atomic;
use super::manifest::{FileEntry, SegmentEntry};
use crate::error::{Error, Result};
use crate::index::vectors::Vectors;

/// The common stem of the two files written by the add of `generation`.
pub(super) fn stem(generation: u64) -> String {
    format!("seg-{generation:06}")
}

/// Whether `name` is a segment file by its name (live or not: the manifest decides that).
pub(super) fn is_segment_file(name: &str) -> bool {
    name.starts_with("seg-") && (name.ends_with(".jsonl") || name.ends_with(".safetensors"))
}

/// One open segment: its records file mapped, and where each record lies in it.
pub(super) struct Segment {
    /// Id of the segment's first record.
    pub(super) start: usize,
    pub(super) count: usize,
    records: Mmap,
    /// The segment's vectors file, mapped, and where its "offsets" tensor's bytes start in it.
    /// Offsets are read from the map when a record is asked for, not copied out at open: held
    /// in memory they were 8 bytes per stored sentence (60 MB at 7.5M), and reading them all
    /// at open made the map's pages resident too, so memory grew with the index.
    vector_file: Arc<Mmap>,
    offsets_at: usize,
}

impl Segment {
    /// Map one segment, check its tensors against the manifest, and add its vectors to
    /// `vectors`; `start` is the id of its first record.
    ///
    /// The header and the two boundary offsets are read with plain reads, never through the
    /// map: a page touched through a map stays in the resident set (with its neighbours: the
    /// kernel maps up to 64 KiB around a fault), so reading them through it cost ~63 KiB of
    /// resident memory per segment, 94 MiB for the 1,498 segments of a 1 GB corpus.
    pub(super) fn open(
        dir: &Path,
        entry: &SegmentEntry,
        start: usize,
        vectors: &mut Vectors,
    ) -> Result<Segment> {
        let corrupt = |detail: String| Error::IndexCorrupt {
            path: dir.to_path_buf(),
            detail: format!("{}: {detail}", entry.vectors.file),
        };
        entry.vectors.check_size(dir)?;
        entry.records.check_size(dir)?;
        let path = dir.join(&entry.vectors.file);
        let mut f = File::open(&path).map_err(|e| Error::io(&path, e))?;
        let layout = Layout::read(&mut f, &path, dir, entry, vectors.dim())?;
        // The first and last offsets are checked here; the ones between are checked when read:
        // a pair that is out of order or outside the records file gives no record
        // (`record_bytes`), and `Store::open` has checked the whole file's sha256.
        let first = read_u64_from(&mut f, &path, layout.offsets_at)?;
        let last = read_u64_from(&mut f, &path, layout.offsets_at + 8 * entry.count)?;
        if first != 0 || last != entry.records.bytes {
            return Err(corrupt("record offsets do not fit the records file".into()));
        }
        // The handle the header was read from: one open per file.
        let map = Arc::new(map_open(&f, &path)?);
        vectors
            .push_mapped(map.clone(), layout.vectors_at, entry.count)
            .map_err(|e| corrupt(e.to_string()))?;
        let records = map_file(&dir.join(&entry.records.file))?;
        Ok(Segment {
            start,
            count: entry.count,
            records,
            vector_file: map,
            offsets_at: layout.offsets_at,
        })
    }

    /// The JSON line of record `i` of this segment (counted from its start), or `None` when `i`
    /// is past its end or the offsets point outside the file.
    pub(super) fn record_bytes(&self, i: usize) -> Option<&[u8]> {
        if i >= self.count {
            return None;
        }
        let a = read_u64(&self.vector_file, self.offsets_at + 8 * i)?;
        let b = read_u64(&self.vector_file, self.offsets_at + 8 * (i + 1))?;
        self.records
            .get(usize::try_from(a).ok()?..usize::try_from(b).ok()?)
    }
}

/// The little-endian u64 at byte `at` of `bytes`, or `None` past the end.
fn read_u64(bytes: &[u8], at: usize) -> Option<u64> {
    let b = bytes.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(b.try_into().ok()?))
}

/// A segment's vectors read into memory with plain reads, not through its map: graph building
/// touches every vector once, and pages touched through a map stay in the process's resident
/// set until it ends, so a build over a big index would look (and be accounted) as big as the
/// index. Read this way they pass through the page cache only, and memory holds the segment's
/// vectors once.
pub(super) fn read_vectors(dir: &Path, entry: &SegmentEntry, dim: usize) -> Result<Vec<f32>> {
    use std::io::{Read, Seek, SeekFrom};
    let path = dir.join(&entry.vectors.file);
    let mut f = File::open(&path).map_err(|e| Error::io(&path, e))?;
    let layout = Layout::read(&mut f, &path, dir, entry, dim)?;
    f.seek(SeekFrom::Start(layout.vectors_at as u64))
        .map_err(|e| Error::io(&path, e))?;
    let mut out = vec![0f32; entry.count * dim];
    f.read_exact(bytemuck::cast_slice_mut(&mut out))
        .map_err(|e| Error::io(&path, e))?;
    if cfg!(target_endian = "big") {
        for x in &mut out {
            *x = f32::from_bits(u32::from_le(x.to_bits()));
        }
    }
    Ok(out)
}

/// Where a segment file's two tensors start (byte offsets in the file), from its safetensors
/// header read with plain reads and checked against the manifest: `"vectors"` F32
/// `[count, dim]` and `"offsets"` U64 `[count + 1]`, each wholly inside the file. Parsed here
/// rather than by the safetensors crate, which parses a header only from a buffer holding the
/// whole file (a map, whose pages would then count as resident; see [`Segment::open`]).
struct Layout {
    vectors_at: usize,
    offsets_at: usize,
}

/// Largest safetensors header accepted: a segment's is ~200 bytes.
const MAX_HEADER: u64 = 1 << 20;

impl Layout {
    /// `f` is the open vectors file of `entry`, at `path` in index `dir`.
    fn read(
        f: &mut File,
        path: &Path,
        dir: &Path,
        entry: &SegmentEntry,
        dim: usize,
    ) -> Result<Layout> {
        use std::io::Read;
        let corrupt = |detail: String| Error::IndexCorrupt {
            path: dir.to_path_buf(),
            detail: format!("{}: {detail}", entry.vectors.file),
        };
        let len = f.metadata().map_err(|e| Error::io(path, e))?.len();
        let mut n = [0u8; 8];
        f.read_exact(&mut n)
            .map_err(|_| corrupt("shorter than a safetensors header".into()))?;
        let n = u64::from_le_bytes(n);
        if n > MAX_HEADER || n.saturating_add(8) > len {
            return Err(corrupt(format!("safetensors header of {n} bytes")));
        }
        let mut header = vec![0u8; n as usize];
        f.read_exact(&mut header).map_err(|e| Error::io(path, e))?;
        let header: serde_json::Value =
            serde_json::from_slice(&header).map_err(|e| corrupt(format!("header: {e}")))?;
        let data_start = 8 + n;
        let data_len = len - data_start;
        // Where tensor `name` starts, if it is `dtype` of `shape` and inside the data section.
        let place = |name: &str, dtype: &str, shape: serde_json::Value, bytes: u64| {
            let info = &header[name];
            let range = info["data_offsets"]
                .as_array()
                .and_then(|o| Some((o.first()?.as_u64()?, o.get(1)?.as_u64()?)));
            match range {
                Some((a, b))
                    if info["dtype"] == dtype
                        && info["shape"] == shape
                        && b.checked_sub(a) == Some(bytes)
                        && b <= data_len =>
                {
                    usize::try_from(data_start + a)
                        .map_err(|_| corrupt(format!("{name}: offset out of range")))
                }
                _ => Err(corrupt(format!(
                    "{name} are {} {} at {}, expected {dtype} {shape}",
                    info["dtype"], info["shape"], info["data_offsets"]
                ))),
            }
        };
        // The manifest's count is input too: sizes that overflow are a corrupt index.
        let count = entry.count as u64;
        let too_many = || corrupt(format!("{} records is more than a file holds", entry.count));
        let vector_bytes = count.checked_mul(dim as u64 * 4).ok_or_else(too_many)?;
        let offset_bytes = count
            .checked_add(1)
            .and_then(|c| c.checked_mul(8))
            .ok_or_else(too_many)?;
        Ok(Layout {
            vectors_at: place(
                "vectors",
                "F32",
                serde_json::json!([entry.count, dim]),
                vector_bytes,
            )?,
            offsets_at: place(
                "offsets",
                "U64",
                serde_json::json!([count + 1]),
                offset_bytes,
            )?,
        })
    }
}

/// The little-endian u64 at byte `at` of an open file, by a plain read.
fn read_u64_from(f: &mut File, path: &Path, at: usize) -> Result<u64> {
    use std::io::{Read, Seek, SeekFrom};
    let mut b = [0u8; 8];
    f.seek(SeekFrom::Start(at as u64))
        .and_then(|_| f.read_exact(&mut b))
        .map_err(|e| Error::io(path, e))?;
    Ok(u64::from_le_bytes(b))
}

/// A segment's record lines read with plain buffered reads, for a scan of every record: read
/// through the map, the records files of a big index would stay in the resident set (see
/// [`read_vectors`]). Checks the file holds `entry.count` lines, no more and no fewer.
pub(super) struct RecordLines {
    reader: std::io::BufReader<File>,
    path: std::path::PathBuf,
    left: usize,
    line: Vec<u8>,
}

impl RecordLines {
    pub(super) fn open(dir: &Path, entry: &SegmentEntry) -> Result<RecordLines> {
        let path = dir.join(&entry.records.file);
        let f = File::open(&path).map_err(|e| Error::io(&path, e))?;
        Ok(RecordLines {
            reader: std::io::BufReader::with_capacity(1 << 16, f),
            path,
            left: entry.count,
            line: Vec::new(),
        })
    }

    /// The next record's line (without its newline), `None` after the last; an error when the
    /// file ends early or holds more lines than its entry counts.
    pub(super) fn next_line(&mut self) -> Result<Option<&[u8]>> {
        use std::io::BufRead;
        self.line.clear();
        let n = self
            .reader
            .read_until(b'\n', &mut self.line)
            .map_err(|e| Error::io(&self.path, e))?;
        let corrupt = |detail: &str| Error::IndexCorrupt {
            path: self.path.clone(),
            detail: detail.to_string(),
        };
        if self.left == 0 {
            return if n == 0 {
                Ok(None)
            } else {
                Err(corrupt("more records than the manifest counts"))
            };
        }
        if n == 0 || self.line.last() != Some(&b'\n') {
            return Err(corrupt("fewer records than the manifest counts"));
        }
        self.left -= 1;
        Ok(Some(&self.line[..n - 1]))
    }
}

fn map_file(path: &Path) -> Result<Mmap> {
    let f = File::open(path).map_err(|e| Error::io(path, e))?;
    map_open(&f, path)
}

/// Map a file already open (`path` names it in errors).
fn map_open(f: &File, path: &Path) -> Result<Mmap> {
    // SAFETY: the index's files are never modified after they are written (adds create new
    // files), so the map stays valid; another process truncating them under us is outside
    // what any mmap-based reader can defend against.
    unsafe { Mmap::map(f) }.map_err(|e| Error::io(path, e))
}

/// Write `stem.jsonl`, one record per line; returns its entry and the byte offset of every
/// line start plus the end (`records.len() + 1` offsets), which go next to the vectors.
pub(super) fn write_records<T: Serialize>(
    dir: &Path,
    stem: &str,
    records: &[T],
) -> Result<(FileEntry, Vec<u64>)> {
    let name = format!("{stem}.jsonl");
    let (bytes, sha256, offsets) = write_atomic(dir, &name, |file, tmp| {
        let mut w = HashingWriter::new(BufWriter::new(file));
        let mut offsets = Vec::with_capacity(records.len() + 1);
        offsets.push(0u64);
        for r in records {
            serde_json::to_writer(&mut w, r).map_err(|e| Error::Input(format!("record: {e}")))?;
            w.write_all(b"\n").map_err(|e| Error::io(tmp, e))?;
            offsets.push(w.written);
        }
        let (bytes, sha256, buf) = w.finish();
        buf.into_inner()
            .map_err(|e| Error::io(tmp, e.into_error()))?;
        Ok((bytes, sha256, offsets))
    })?;
    Ok((
        FileEntry {
            file: name,
            bytes,
            sha256,
        },
        offsets,
    ))
}

/// Write `stem.safetensors` with the vectors and the record offsets.
pub(super) fn write_vectors(
    dir: &Path,
    stem: &str,
    vectors: &ArrayView2<f32>,
    offsets: &[u64],
) -> Result<FileEntry> {
    let name = format!("{stem}.safetensors");
    let std = vectors.as_standard_layout();
    let floats = std.as_slice().unwrap_or(&[]);
    let tensors = [
        Tensor {
            name: "vectors",
            dtype: Dtype::F32,
            shape: vec![vectors.nrows(), vectors.ncols()],
            data: le_bytes(floats),
        },
        Tensor {
            name: "offsets",
            dtype: Dtype::U64,
            shape: vec![offsets.len()],
            data: le_bytes(offsets),
        },
    ];
    let (bytes, sha256) = write_atomic(dir, &name, |file, tmp| {
        let mut w = HashingWriter::new(BufWriter::new(file));
        write_safetensors(&mut w, &tensors, tmp)?;
        let (bytes, sha256, buf) = w.finish();
        buf.into_inner()
            .map_err(|e| Error::io(tmp, e.into_error()))?;
        Ok((bytes, sha256))
    })?;
    Ok(FileEntry {
        file: name,
        bytes,
        sha256,
    })
}

/// One tensor to write: little-endian bytes with their dtype and shape.
struct Tensor<'a> {
    name: &'a str,
    dtype: Dtype,
    shape: Vec<usize>,
    data: Cow<'a, [u8]>,
}

/// The bytes `safetensors::serialize` produces for `tensors` (a unit test holds it to that),
/// streamed into `w`. safetensors' own file writer cannot be used: it renames its own
/// temporary file over the path it is given, so the file could not be synced through
/// [`write_atomic`]'s handle, and its leftovers after a crash would be unnamed `.tmpXXXXXX`
/// files; serializing to memory first would hold a second copy of every vector being added.
fn write_safetensors(w: &mut impl Write, tensors: &[Tensor], path: &Path) -> Result<()> {
    // safetensors' order: by descending dtype alignment, then by name.
    let mut order: Vec<&Tensor> = tensors.iter().collect();
    order.sort_by(|a, b| b.dtype.cmp(&a.dtype).then(a.name.cmp(b.name)));
    let mut offset = 0;
    let mut infos = Vec::with_capacity(order.len());
    for t in &order {
        let end = offset + t.data.len();
        infos.push((
            t.name.to_string(),
            TensorInfo {
                dtype: t.dtype,
                shape: t.shape.clone(),
                data_offsets: (offset, end),
            },
        ));
        offset = end;
    }
    let mut header = serde_json::to_string(&Metadata::new(None, infos)?)?.into_bytes();
    // The data block starts 8-byte aligned, so mapped vectors can be read in place.
    header.resize(header.len().next_multiple_of(8), b' ');
    let io = |e| Error::io(path, e);
    w.write_all(&(header.len() as u64).to_le_bytes())
        .map_err(io)?;
    w.write_all(&header).map_err(io)?;
    for t in order {
        w.write_all(&t.data).map_err(io)?;
    }
    Ok(())
}

/// Little-endian bytes of plain numbers: a borrow on little-endian hosts, a copy otherwise.
fn le_bytes<P: bytemuck::Pod + ToLe>(xs: &[P]) -> Cow<'_, [u8]> {
    if cfg!(target_endian = "little") {
        Cow::Borrowed(bytemuck::cast_slice(xs))
    } else {
        Cow::Owned(xs.iter().flat_map(|x| x.to_le_vec()).collect())
    }
}

trait ToLe {
    fn to_le_vec(&self) -> Vec<u8>;
}
impl ToLe for f32 {
    fn to_le_vec(&self) -> Vec<u8> {
        self.to_le_bytes().to_vec()
    }
}
impl ToLe for u64 {
    fn to_le_vec(&self) -> Vec<u8> {
        self.to_le_bytes().to_vec()
    }
}

/// Counts and hashes what passes through, so a file's digest costs no second read.
struct HashingWriter<W> {
    inner: W,
    hash: Sha256,
    written: u64,
}

impl<W: Write> HashingWriter<W> {
    fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hash: Sha256::new(),
            written: 0,
        }
    }
    fn finish(self) -> (u64, String, W) {
        (self.written, hex::encode(self.hash.finalize()), self.inner)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use safetensors::tensor::View;

    impl View for &Tensor<'_> {
        fn dtype(&self) -> Dtype {
            self.dtype
        }
        fn shape(&self) -> &[usize] {
            &self.shape
        }
        fn data(&self) -> Cow<'_, [u8]> {
            Cow::Borrowed(&self.data)
        }
        fn data_len(&self) -> usize {
            self.data.len()
        }
    }

    #[test]
    fn safetensors_bytes_are_what_safetensors_writes() {
        let floats: Vec<f32> = (0..21).map(|i| i as f32 * 0.25 - 1.0).collect();
        let offsets: Vec<u64> = vec![0, 5, 17, 40, 41];
        // Three rows of 7 make an odd header length, so the padding is exercised too.
        let tensors = [
            Tensor {
                name: "vectors",
                dtype: Dtype::F32,
                shape: vec![3, 7],
                data: le_bytes(&floats),
            },
            Tensor {
                name: "offsets",
                dtype: Dtype::U64,
                shape: vec![offsets.len()],
                data: le_bytes(&offsets),
            },
        ];
        let mut ours = Vec::new();
        write_safetensors(&mut ours, &tensors, Path::new("-")).unwrap();
        let theirs = safetensors::serialize(tensors.iter().map(|t| (t.name, t)), None).unwrap();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn written_segment_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let records = ["a", "b\nc", ""];
        let (rec, offsets) = write_records(dir.path(), "seg-000001", &records).unwrap();
        let v = ndarray::Array2::from_shape_fn((3, 2), |(i, j)| (i * 2 + j) as f32);
        let vec = write_vectors(dir.path(), "seg-000001", &v.view(), &offsets).unwrap();
        let entry = SegmentEntry {
            count: 3,
            vectors: vec.clone(),
            records: rec.clone(),
        };
        // The digests taken while writing are those of the files on disk.
        assert_eq!(FileEntry::of(dir.path(), &vec.file).unwrap(), vec);
        assert_eq!(FileEntry::of(dir.path(), &rec.file).unwrap(), rec);
        let mut vectors = Vectors::empty(2);
        let seg = Segment::open(dir.path(), &entry, 0, &mut vectors).unwrap();
        assert_eq!(vectors.to_array(), v);
        // Read with plain reads (graph building), the same floats; the wrong shape is refused.
        assert_eq!(
            read_vectors(dir.path(), &entry, 2).unwrap(),
            v.iter().copied().collect::<Vec<f32>>()
        );
        assert!(read_vectors(dir.path(), &entry, 3).is_err());
        assert_eq!(seg.record_bytes(1), Some(&b"\"b\\nc\"\n"[..]));
        assert_eq!(seg.record_bytes(3), None);
        drop(seg);

        // A middle offset past the file, between a good first and last: the segment opens
        // (only the ends are read at open) and the records it bounds are refused, not read out
        // of bounds; the others still read.
        let mut bad = offsets.clone();
        bad[1] = 1000;
        let vec = write_vectors(dir.path(), "seg-000002", &v.view(), &bad).unwrap();
        let entry = SegmentEntry {
            count: 3,
            vectors: vec,
            records: rec.clone(),
        };
        let seg = Segment::open(dir.path(), &entry, 0, &mut Vectors::empty(2)).unwrap();
        assert_eq!(seg.record_bytes(0), None);
        assert_eq!(seg.record_bytes(1), None);
        assert_eq!(seg.record_bytes(2), Some(&b"\"\"\n"[..]));
        // A wrong last offset is caught at open.
        let mut bad = offsets.clone();
        *bad.last_mut().unwrap() += 1;
        let vec = write_vectors(dir.path(), "seg-000003", &v.view(), &bad).unwrap();
        let entry = SegmentEntry {
            count: 3,
            vectors: vec,
            records: rec.clone(),
        };
        assert!(Segment::open(dir.path(), &entry, 0, &mut Vectors::empty(2)).is_err());
    }

    /// The header is parsed by hand (plain reads, see `Layout`), so every way it can lie is an
    /// `IndexCorrupt` error: never a panic, an overflow or a read past the file.
    #[test]
    fn lying_headers_are_corrupt_index_errors() {
        let dir = tempfile::tempdir().unwrap();
        let (rec, offsets) = write_records(dir.path(), "seg-000001", &["a", "b"]).unwrap();
        let v = ndarray::Array2::from_elem((2, 2), 0.5f32);
        let good = write_vectors(dir.path(), "seg-000001", &v.view(), &offsets).unwrap();
        let bytes = std::fs::read(dir.path().join(&good.file)).unwrap();
        let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        let header = std::str::from_utf8(&bytes[8..8 + n]).unwrap().to_string();
        let open = |name: &str, file: Vec<u8>, count: usize| {
            std::fs::write(dir.path().join(name), file).unwrap();
            let entry = SegmentEntry {
                count,
                vectors: FileEntry::of(dir.path(), name).unwrap(),
                records: rec.clone(),
            };
            let opened = Segment::open(dir.path(), &entry, 0, &mut Vectors::empty(2)).map(|_| ());
            let read = read_vectors(dir.path(), &entry, 2).map(|_| ());
            (opened, read)
        };
        let with_header = |h: &str| {
            let mut f = (h.len() as u64).to_le_bytes().to_vec();
            f.extend_from_slice(h.as_bytes());
            f.extend_from_slice(&bytes[8 + n..]);
            f
        };
        // The good file opens, so each case below fails for its own reason.
        let (o, r) = open("seg-ok.safetensors", bytes.clone(), 2);
        assert!(o.is_ok() && r.is_ok(), "{o:?} {r:?}");
        let mut long = bytes.clone();
        long[..8].copy_from_slice(&u64::MAX.to_le_bytes());
        let moved = header.replacen("[24,40]", "[4000,4016]", 1);
        assert_ne!(moved, header, "the test edits the vectors' data offsets");
        let cases: Vec<(&str, Vec<u8>, usize)> = vec![
            ("header longer than the file", long, 2),
            ("shorter than a header", bytes[..5].to_vec(), 2),
            ("header not JSON", with_header(&"x".repeat(n)), 2),
            ("data past the end", with_header(&moved), 2),
            ("count beyond any file", bytes.clone(), usize::MAX),
            ("count other than the header's", bytes.clone(), 3),
        ];
        for (i, (what, file, count)) in cases.into_iter().enumerate() {
            let (o, r) = open(&format!("seg-bad{i}.safetensors"), file, count);
            for got in [o, r] {
                assert!(
                    matches!(got, Err(Error::IndexCorrupt { .. })),
                    "{what}: {got:?}"
                );
            }
        }
    }
}
