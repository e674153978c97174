//! The vectors of an index: row-major f32 `[n, dim]`, owned or memory-mapped, in one or more
//! blocks that share one id space (ids run through the blocks in order).
//!
//! Blocks exist because an index grows by appending segments: each `add` writes a new file, and
//! copying the old vectors into one contiguous buffer on every open would throw away what memory
//! mapping buys. Search code walks blocks, which it would do anyway to stay cache-sized.

use std::sync::Arc;

use memmap2::Mmap;
use ndarray::{Array2, ArrayView2};

use crate::error::{Error, Result};

/// Where one block's floats live.
enum Backing {
    Owned(Vec<f32>),
    /// `len` floats at byte `offset` of the map; alignment and bounds were checked on creation.
    Mapped {
        map: Arc<Mmap>,
        offset: usize,
        len: usize,
    },
}

impl Backing {
    fn as_slice(&self) -> &[f32] {
        match self {
            Backing::Owned(v) => v,
            // Cannot fail: `Vectors::push_mapped` checked the range and the alignment.
            Backing::Mapped { map, offset, len } => {
                bytemuck::cast_slice(&map[*offset..*offset + len * 4])
            }
        }
    }
}

struct Block {
    start: usize,
    rows: usize,
    data: Arc<Backing>,
}

/// Unit-length f32 vectors addressed by `0..len()`. Cloning is cheap (blocks are shared).
#[derive(Clone)]
pub struct Vectors {
    dim: usize,
    len: usize,
    blocks: Vec<Arc<Block>>,
}

impl std::fmt::Debug for Vectors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vectors")
            .field("dim", &self.dim)
            .field("len", &self.len)
            .field("blocks", &self.blocks.len())
            .finish()
    }
}

impl Vectors {
    pub fn empty(dim: usize) -> Self {
        Vectors {
            dim,
            len: 0,
            blocks: Vec::new(),
        }
    }

    /// Owned vectors from a row-major buffer of `n * dim` floats.
    pub fn from_vec(dim: usize, data: Vec<f32>) -> Result<Self> {
        let mut v = Vectors::empty(dim);
        v.push_owned(data)?;
        Ok(v)
    }

    pub fn from_array(a: Array2<f32>) -> Result<Self> {
        let dim = a.ncols();
        let data = if a.is_standard_layout() {
            a.into_raw_vec_and_offset().0
        } else {
            a.iter().copied().collect()
        };
        Self::from_vec(dim, data)
    }

    pub fn from_view(a: ArrayView2<f32>) -> Result<Self> {
        Self::from_vec(a.ncols(), a.iter().copied().collect())
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Append owned rows. Non-finite values are refused here, once, so that search code can
    /// rank with a plain total order without NaN winning every comparison.
    pub fn push_owned(&mut self, data: Vec<f32>) -> Result<()> {
        self.check_rows(&data)?;
        if let Some(i) = data.iter().position(|x| !x.is_finite()) {
            return Err(Error::Input(format!(
                "vector {} has a non-finite component",
                self.len + i / self.dim.max(1)
            )));
        }
        self.push(Backing::Owned(data));
        Ok(())
    }

    /// Append `rows` rows that sit at byte `offset` of `map`, little-endian f32. Not scanned for
    /// NaN: that would read the whole file on open; `Store::verify` covers corruption instead.
    pub fn push_mapped(&mut self, map: Arc<Mmap>, offset: usize, rows: usize) -> Result<()> {
        let len = rows
            .checked_mul(self.dim)
            .ok_or_else(|| Error::Input("vector block too large".into()))?;
        let end = len
            .checked_mul(4)
            .and_then(|b| b.checked_add(offset))
            .filter(|&e| e <= map.len())
            .ok_or_else(|| {
                Error::Input(format!(
                    "vector block of {rows} x {} floats does not fit its file",
                    self.dim
                ))
            })?;
        if bytemuck::try_cast_slice::<u8, f32>(&map[offset..end]).is_err() {
            return Err(Error::Input("vector block is not 4-byte aligned".into()));
        }
        if cfg!(target_endian = "big") {
            // The file is little-endian: a big-endian host gets a converted copy.
            let data = map[offset..end]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            self.push(Backing::Owned(data));
        } else {
            self.push(Backing::Mapped { map, offset, len });
        }
        Ok(())
    }

    /// Append all blocks of `other` (shared, not copied).
    pub fn extend(&mut self, other: &Vectors) -> Result<()> {
        if other.dim != self.dim {
            return Err(Error::Dimension {
                what: "appended vectors".into(),
                expected: self.dim,
                found: other.dim,
            });
        }
        for b in &other.blocks {
            self.push_shared(b.data.clone(), b.rows);
        }
        Ok(())
    }

    /// Ids `start..start + len` as vectors of their own (ids from 0), sharing the blocks. Only
    /// on block boundaries, which is where the index's graphs start and end (whole segments).
    pub fn range(&self, start: usize, len: usize) -> Result<Vectors> {
        let end = start
            .checked_add(len)
            .filter(|&e| e <= self.len)
            .ok_or_else(|| {
                Error::Input(format!("ids {start}..+{len} past the end ({})", self.len))
            })?;
        let mut out = Vectors::empty(self.dim);
        for b in self
            .blocks
            .iter()
            .filter(|b| b.start >= start && b.start < end)
        {
            out.push_shared(b.data.clone(), b.rows);
        }
        if out.len != len
            || self
                .blocks
                .iter()
                .any(|b| b.start < start && b.start + b.rows > start)
        {
            return Err(Error::Input(format!(
                "ids {start}..{end} do not fall on block boundaries"
            )));
        }
        Ok(out)
    }

    fn check_rows(&self, data: &[f32]) -> Result<()> {
        if self.dim == 0 {
            return Err(Error::Input("vectors of dimension 0".into()));
        }
        if !data.len().is_multiple_of(self.dim) {
            return Err(Error::Input(format!(
                "{} floats is not a whole number of {}-dimensional vectors",
                data.len(),
                self.dim
            )));
        }
        Ok(())
    }

    fn push(&mut self, data: Backing) {
        let rows = data.as_slice().len() / self.dim;
        self.push_shared(Arc::new(data), rows);
    }

    fn push_shared(&mut self, data: Arc<Backing>, rows: usize) {
        if rows == 0 {
            return;
        }
        self.blocks.push(Arc::new(Block {
            start: self.len,
            rows,
            data,
        }));
        self.len += rows;
    }

    /// Row `id`, or None past the end.
    pub fn row(&self, id: usize) -> Option<&[f32]> {
        if id >= self.len {
            return None;
        }
        // Blocks are few (one per append), so a binary search over starts is plenty.
        let b = match self.blocks.binary_search_by(|b| b.start.cmp(&id)) {
            Ok(i) => &self.blocks[i],
            Err(i) => &self.blocks[i.checked_sub(1)?],
        };
        let local = id - b.start;
        b.data
            .as_slice()
            .get(local * self.dim..(local + 1) * self.dim)
    }

    /// `(first id, rows as a [rows, dim] slice)` for each block, in id order.
    pub fn blocks(&self) -> impl Iterator<Item = (usize, &[f32])> + '_ {
        self.blocks.iter().map(|b| (b.start, b.data.as_slice()))
    }

    /// Block views as ndarray matrices.
    pub fn views(&self) -> impl Iterator<Item = (usize, ArrayView2<'_, f32>)> + '_ {
        let dim = self.dim;
        self.blocks().map(move |(start, s)| {
            let rows = s.len() / dim;
            // An invariant, not input: every block holds a whole number of rows.
            let view = ArrayView2::from_shape((rows, dim), s).expect("block of whole rows");
            (start, view)
        })
    }

    /// A contiguous owned copy (for tests and small indexes).
    pub fn to_array(&self) -> Array2<f32> {
        let mut out = Vec::with_capacity(self.len * self.dim);
        for (_, s) in self.blocks() {
            out.extend_from_slice(s);
        }
        Array2::from_shape_vec((self.len, self.dim), out).expect("len rows of dim floats")
    }

    /// Bytes held in process memory (mapped blocks count as 0: the page cache holds them).
    pub fn owned_bytes(&self) -> usize {
        self.blocks
            .iter()
            .map(|b| match &*b.data {
                Backing::Owned(v) => v.len() * 4,
                Backing::Mapped { .. } => 0,
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_across_blocks() {
        let mut v = Vectors::from_vec(2, vec![0.0, 1.0, 2.0, 3.0]).unwrap();
        v.push_owned(vec![4.0, 5.0]).unwrap();
        assert_eq!(v.len(), 3);
        assert_eq!(v.row(0), Some(&[0.0, 1.0][..]));
        assert_eq!(v.row(1), Some(&[2.0, 3.0][..]));
        assert_eq!(v.row(2), Some(&[4.0, 5.0][..]));
        assert_eq!(v.row(3), None);
        assert_eq!(v.to_array().shape(), &[3, 2]);
    }

    #[test]
    fn ranges_share_whole_blocks() {
        let mut v = Vectors::from_vec(1, vec![0.0, 1.0]).unwrap();
        v.push_owned(vec![2.0, 3.0, 4.0]).unwrap();
        v.push_owned(vec![5.0]).unwrap();
        let r = v.range(2, 4).unwrap();
        assert_eq!(r.len(), 4);
        assert_eq!(r.row(0), Some(&[2.0][..]));
        assert_eq!(r.row(3), Some(&[5.0][..]));
        assert_eq!(
            v.range(0, 2)
                .unwrap()
                .to_array()
                .into_raw_vec_and_offset()
                .0,
            vec![0.0, 1.0]
        );
        assert!(v.range(1, 2).is_err(), "starts inside a block");
        assert!(v.range(2, 2).is_err(), "ends inside a block");
        assert!(v.range(5, 2).is_err(), "past the end");
    }

    #[test]
    fn refuses_ragged_and_nan() {
        assert!(Vectors::from_vec(2, vec![0.0, 1.0, 2.0]).is_err());
        assert!(Vectors::from_vec(2, vec![0.0, f32::NAN]).is_err());
        assert!(Vectors::from_vec(0, vec![]).is_err());
    }
}
