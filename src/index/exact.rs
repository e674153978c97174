//! Exact neighbour search: the [`NeighbourSearch`] that scores every stored vector. It needs no
//! build step and is the right choice below [`super::search::DEFAULT_EXACT_THRESHOLD`] vectors;
//! the kernel itself lives in `index::scan`, which the approximate search's fallback shares.

use ndarray::ArrayView2;

use super::neighbour::{Neighbour, NeighbourSearch, PairFilter, SearchKind};
use super::scan;
use super::vectors::Vectors;
use crate::error::Result;

/// Brute-force search: every query against every stored vector.
#[derive(Debug, Clone)]
pub struct Exact {
    vectors: Vectors,
}

impl Exact {
    pub fn new(vectors: Vectors) -> Self {
        Exact { vectors }
    }
}

impl NeighbourSearch for Exact {
    fn kind(&self) -> SearchKind {
        SearchKind::Exact
    }

    fn vectors(&self) -> &Vectors {
        &self.vectors
    }

    fn search_batch_with(
        &self,
        queries: ArrayView2<f32>,
        k: usize,
        keep: Option<&PairFilter>,
    ) -> Result<Vec<Vec<Neighbour>>> {
        scan::top_k(&self.vectors, queries, k, keep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::index::scan::DATA_TILE;
    use ndarray::Array2;

    fn brute(data: &Array2<f32>, q: &[f32], k: usize) -> Vec<usize> {
        let mut s: Vec<(f32, usize)> = data
            .rows()
            .into_iter()
            .enumerate()
            .map(|(i, r)| (r.iter().zip(q).map(|(a, b)| a * b).sum(), i))
            .collect();
        s.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        s.into_iter().take(k).map(|x| x.1).collect()
    }

    #[test]
    fn exact_matches_brute_force_with_strided_queries() {
        // Odd sizes so tiles are ragged; several blocks so ids cross block boundaries.
        let dim = 7;
        let n = 2 * DATA_TILE + 13;
        let data = Array2::from_shape_fn((n, dim), |(i, j)| ((i * 31 + j * 17) % 23) as f32 - 11.0);
        let mut v = Vectors::from_array(data.slice(ndarray::s![..1000, ..]).to_owned()).unwrap();
        v.push_owned(
            data.slice(ndarray::s![1000.., ..])
                .iter()
                .copied()
                .collect(),
        )
        .unwrap();
        let ex = Exact::new(v);
        // A transposed (column-major) query matrix exercises the stride handling.
        let qt = Array2::from_shape_fn((dim, 5), |(j, i)| ((i * 7 + j * 3) % 5) as f32 - 2.0);
        let queries = qt.t();
        let got = ex.search_batch(queries, 10).unwrap();
        for (i, row) in queries.rows().into_iter().enumerate() {
            let q: Vec<f32> = row.to_vec();
            let ids: Vec<usize> = got[i].iter().map(|n| n.id).collect();
            assert_eq!(ids, brute(&data, &q, 10), "query {i}");
            assert_eq!(ex.search(&q, 10).unwrap(), got[i]);
        }
    }

    #[test]
    fn filters_and_edge_cases() {
        let data = Array2::from_shape_fn((50, 4), |(i, j)| {
            (i as f32) * if j == 0 { 1.0 } else { 0.0 }
        });
        let ex = Exact::new(Vectors::from_array(data).unwrap());
        let q = [1.0, 0.0, 0.0, 0.0];
        let even = ex.search_filtered(&q, 3, &|id| id % 2 == 0).unwrap();
        assert_eq!(
            even.iter().map(|n| n.id).collect::<Vec<_>>(),
            vec![48, 46, 44]
        );
        assert!(ex.search(&q, 0).unwrap().is_empty());
        assert_eq!(ex.search(&q, 500).unwrap().len(), 50);
        assert!(matches!(
            ex.search(&[1.0, 0.0], 3),
            Err(Error::Dimension { .. })
        ));
        assert!(ex.search(&[f32::NAN, 0.0, 0.0, 0.0], 3).is_err());
        let all = ex.all_neighbours(2, None).unwrap();
        assert_eq!(all.len(), 50);
        assert!(
            all.iter()
                .enumerate()
                .all(|(i, r)| r.iter().all(|n| n.id != i))
        );
        let empty = Exact::new(Vectors::empty(4));
        assert!(empty.search(&q, 3).unwrap().is_empty());
    }
}
