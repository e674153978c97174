//! Neighbour search: exact search against brute force, and the approximate index's recall
//! against exact search on 100k embedding-like vectors.

#[path = "support/synthetic.rs"]
mod synthetic;

use std::time::Instant;

use claimscope::index::{
    AnnParams, Exact, Hnsw, NeighbourSearch, SearchConfig, SearchKind, Vectors, build_search,
};
use ndarray::Array2;

fn ids(r: &[claimscope::index::Neighbour]) -> Vec<usize> {
    r.iter().map(|n| n.id).collect()
}

/// Every score by a plain loop, best first, ties by id.
fn brute(
    data: &Array2<f32>,
    q: &[f32],
    k: usize,
    keep: impl Fn(usize) -> bool,
) -> Vec<(usize, f32)> {
    let mut s: Vec<(usize, f32)> = data
        .rows()
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep(*i))
        .map(|(i, r)| (i, r.iter().zip(q).map(|(a, b)| a * b).sum()))
        .collect();
    s.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    s.truncate(k);
    s
}

fn assert_same(a: &[claimscope::index::Neighbour], b: &[claimscope::index::Neighbour]) {
    assert_eq!(ids(a), ids(b));
    assert!(
        a.iter()
            .zip(b)
            .all(|(x, y)| (x.score - y.score).abs() < 1e-5)
    );
}

#[test]
fn exact_search_equals_brute_force() {
    let (data, queries) = synthetic::clustered(3_000, 40, 48, 1);
    let ex = Exact::new(Vectors::from_array(data.clone()).unwrap());
    let batch = ex.search_batch(queries.view(), 10).unwrap();
    let odd = |id: usize| id % 2 == 1;
    let filtered = ex
        .search_batch_filtered(queries.view(), 7, &|_, id| odd(id))
        .unwrap();
    for (i, q) in queries.rows().into_iter().enumerate() {
        let q = q.to_vec();
        let want = brute(&data, &q, 10, |_| true);
        assert_eq!(ids(&batch[i]), want.iter().map(|w| w.0).collect::<Vec<_>>());
        for (got, want) in batch[i].iter().zip(&want) {
            assert!(
                (got.score - want.1).abs() < 1e-5,
                "{} vs {}",
                got.score,
                want.1
            );
        }
        // One query takes gemm's matrix-vector path, which sums in another order: same ids,
        // scores equal to rounding.
        assert_same(&ex.search(&q, 10).unwrap(), &batch[i]);
        let want_odd = brute(&data, &q, 7, odd);
        assert_eq!(
            ids(&filtered[i]),
            want_odd.iter().map(|w| w.0).collect::<Vec<_>>()
        );
        assert_same(&ex.search_filtered(&q, 7, &odd).unwrap(), &filtered[i]);
    }
}

#[test]
fn all_neighbours_excludes_self_and_filtered_pairs() {
    let (data, _) = synthetic::clustered(1_200, 0, 32, 2);
    let ex = Exact::new(Vectors::from_array(data.clone()).unwrap());
    // "Documents" of 10 consecutive vectors: no neighbour from the same one.
    let doc = |id: usize| id / 10;
    let graph = ex
        .all_neighbours(5, Some(&|q, id| doc(q) != doc(id)))
        .unwrap();
    assert_eq!(graph.len(), 1_200);
    for (q, row) in graph.iter().enumerate() {
        let want = brute(&data, &data.row(q).to_vec(), 5, |id| doc(id) != doc(q));
        assert_eq!(
            ids(row),
            want.iter().map(|w| w.0).collect::<Vec<_>>(),
            "row {q}"
        );
    }
}

#[test]
fn build_search_picks_by_size() {
    let (data, _) = synthetic::clustered(600, 0, 16, 3);
    let v = Vectors::from_array(data).unwrap();
    let mut cfg = SearchConfig::default();
    assert_eq!(
        build_search(v.clone(), &cfg).unwrap().kind(),
        SearchKind::Exact
    );
    cfg.exact_threshold = 500;
    let s = build_search(v, &cfg).unwrap();
    assert_eq!(s.kind(), SearchKind::Approximate);
    assert_eq!((s.len(), s.dim()), (600, 16));
}

#[test]
fn ann_selective_filter_falls_back_to_exact() {
    let (data, queries) = synthetic::clustered(5_000, 5, 32, 4);
    let h = Hnsw::build(
        Vectors::from_array(data.clone()).unwrap(),
        &AnnParams::default(),
    )
    .unwrap();
    // Three allowed ids scattered over unrelated clusters: the graph walk will not meet them.
    let allowed = [17usize, 2_501, 4_999];
    for q in queries.rows() {
        let q = q.to_vec();
        let got = h
            .search_filtered(&q, 10, &|id| allowed.contains(&id))
            .unwrap();
        let want = brute(&data, &q, 10, |id| allowed.contains(&id));
        assert_eq!(ids(&got), want.iter().map(|w| w.0).collect::<Vec<_>>());
    }
    assert!(
        h.search(&[0.0; 3], 10).is_err(),
        "wrong dimension is an error"
    );
}

/// recall@10 of the approximate index against exact search, 100k clustered 384-d vectors, both
/// for held-out queries (`similar`) and for stored vectors excluding themselves (`match`).
#[test]
#[ignore = "slow (builds a 100k-vector HNSW graph, about a minute on 2 cores); CI runs it"]
fn ann_recall_at_10_on_100k() {
    let (n, nq, dim, k) = (100_000, 1_000, 384, 10);
    let t = Instant::now();
    let (data, queries) = synthetic::clustered(n, nq, dim, 42);
    let t_data = t.elapsed();
    let vectors = Vectors::from_array(data).unwrap();
    let exact = Exact::new(vectors.clone());

    let t = Instant::now();
    let ann = Hnsw::build(vectors.clone(), &AnnParams::default()).unwrap();
    let t_build = t.elapsed();

    let t = Instant::now();
    let truth: Vec<Vec<usize>> = exact
        .search_batch(queries.view(), k)
        .unwrap()
        .iter()
        .map(|r| ids(r))
        .collect();
    let t_exact = t.elapsed();
    let t = Instant::now();
    let got: Vec<Vec<usize>> = ann
        .search_batch(queries.view(), k)
        .unwrap()
        .iter()
        .map(|r| ids(r))
        .collect();
    let t_ann = t.elapsed();
    let recall = synthetic::recall(&truth, &got);

    // Stored vectors as queries, themselves excluded: the all-vs-all path of `match`.
    let stored = vectors.to_array();
    let sample = stored.slice(ndarray::s![..1_000, ..]);
    let not_self = |q: usize, id: usize| q != id;
    let truth_self: Vec<Vec<usize>> = exact
        .search_batch_filtered(sample, k, &not_self)
        .unwrap()
        .iter()
        .map(|r| ids(r))
        .collect();
    let got_self: Vec<Vec<usize>> = ann
        .search_batch_filtered(sample, k, &not_self)
        .unwrap()
        .iter()
        .map(|r| ids(r))
        .collect();
    let recall_self = synthetic::recall(&truth_self, &got_self);

    eprintln!(
        "100k x {dim}: data {:.1?}, ANN build {:.1?}, exact {nq} queries {:.1?}, ANN {nq} queries \
         {:.1?}; recall@{k} {recall:.4} (held-out queries), {recall_self:.4} (stored, self excluded)",
        t_data, t_build, t_exact, t_ann
    );
    assert!(recall >= 0.95, "recall@10 {recall}");
    assert!(recall_self >= 0.95, "recall@10 (stored) {recall_self}");
}
