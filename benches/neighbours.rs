//! Neighbour search at 10k, 100k and 1M synthetic 384-d vectors (embedding-like clusters, see
//! tests/support/synthetic.rs), on a rayon pool of 2 threads.
//!
//! One-shot figures (things too slow to repeat: graph build, all-vs-all, writing and opening an
//! index) are timed once and printed as a table with memory: `rss+` is the growth of resident
//! memory over the step, `peak+` the growth of the peak (VmHWM, reset before the step). Query
//! latencies go through criterion.
//!
//! ```text
//! cargo bench --bench neighbours                      # all sizes; the 1M graph takes minutes
//! NEIGHBOURS_SIZES=10000,100000 cargo bench --bench neighbours
//! NEIGHBOURS_THREADS=1 NEIGHBOURS_EF_ADD=64 cargo bench --bench neighbours
//! ```
//! Exact all-vs-all is skipped above 100k (it is quadratic: about 100x the 100k time at 1M), and
//! the index written at 1M has no graph (writing one would rebuild the graph a second time).

#[path = "../tests/support/synthetic.rs"]
mod synthetic;

use std::hint::black_box;
use std::time::{Duration, Instant};

use claimscope::embed::ModelId;
use claimscope::index::{
    AnnParams, Exact, Hnsw, Neighbour, NeighbourSearch, SearchConfig, Store, Vectors,
};
use criterion::Criterion;

const DIM: usize = 384;
const QUERIES: usize = 1_000;
const K: usize = 10;

fn env_usize(name: &str) -> Option<usize> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// (VmRSS, VmHWM) in MiB, from /proc (Linux).
fn mem() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

struct Row {
    n: usize,
    step: String,
    secs: f64,
    rss: f64,
    peak: f64,
    note: String,
}

/// Run `f` once, timing it and measuring memory growth.
fn once<T>(rows: &mut Vec<Row>, n: usize, step: &str, f: impl FnOnce() -> T) -> T {
    // Resetting the peak makes VmHWM the high-water mark of this step alone.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let (rss0, _) = mem();
    let t = Instant::now();
    let out = f();
    let secs = t.elapsed().as_secs_f64();
    let (rss1, hwm) = mem();
    rows.push(Row {
        n,
        step: step.into(),
        secs,
        rss: rss1 - rss0,
        peak: hwm - rss0,
        note: String::new(),
    });
    eprintln!("[{n}] {step}: {secs:.2} s, rss {:+.0} MiB", rss1 - rss0);
    out
}

fn ids(r: &[Vec<Neighbour>]) -> Vec<Vec<usize>> {
    r.iter().map(|v| v.iter().map(|n| n.id).collect()).collect()
}

fn bench_queries(
    c: &mut Criterion,
    name: &str,
    s: &dyn NeighbourSearch,
    queries: &ndarray::Array2<f32>,
) {
    let mut i = 0;
    c.bench_function(name, |b| {
        b.iter(|| {
            i = (i + 1) % queries.nrows();
            let q = queries.row(i);
            black_box(s.search(q.as_slice().unwrap_or(&[]), K).ok())
        })
    });
}

fn main() {
    let threads = env_usize("NEIGHBOURS_THREADS").unwrap_or(2);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .expect("first rayon pool");
    let sizes: Vec<usize> = std::env::var("NEIGHBOURS_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000, 1_000_000]);
    let mut params = AnnParams::default();
    if let Some(ef) = env_usize("NEIGHBOURS_EF_ADD") {
        params.expansion_add = ef;
    }
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let mut rows = Vec::new();
    let tmp = tempfile::tempdir().expect("temporary directory");

    for &n in &sizes {
        let (data, queries) = once(&mut rows, n, "generate data", || {
            synthetic::clustered(n, QUERIES, DIM, 42)
        });
        let vectors = Vectors::from_array(data).expect("finite vectors");
        let exact = Exact::new(vectors.clone());
        bench_queries(&mut c, &format!("exact/query/{n}"), &exact, &queries);
        let truth = once(&mut rows, n, "exact: 1000-query batch", || {
            ids(&exact.search_batch(queries.view(), K).expect("exact search"))
        });
        if n <= 100_000 {
            once(&mut rows, n, "exact: all-vs-all top-10", || {
                exact
                    .all_neighbours(K, None)
                    .expect("exact all-vs-all")
                    .len()
            });
        }

        let ann = once(&mut rows, n, "ANN: build graph", || {
            Hnsw::build(vectors.clone(), &params).expect("graph")
        });
        if let Some(r) = rows.last_mut() {
            r.note = format!(
                "M={} ef_add={} {:?}, usearch holds {:.0} MiB",
                params.connectivity,
                params.expansion_add,
                params.quantization,
                ann.memory_usage() as f64 / 1048576.0
            );
        }
        bench_queries(&mut c, &format!("ann/query/{n}"), &ann, &queries);
        let got = once(&mut rows, n, "ANN: 1000-query batch", || {
            ids(&ann.search_batch(queries.view(), K).expect("ann search"))
        });
        if let Some(r) = rows.last_mut() {
            r.note = format!("recall@10 {:.4}", synthetic::recall(&truth, &got));
        }
        once(&mut rows, n, "ANN: all-vs-all top-10", || {
            ann.all_neighbours(K, None).expect("ann all-vs-all").len()
        });
        drop(ann);
        drop(exact);

        // Through the on-disk index: write, reopen (memory-mapped), search.
        let with_graph = n <= 100_000;
        let cfg = SearchConfig {
            exact_threshold: if with_graph { 0 } else { usize::MAX },
            ann: params.clone(),
            ..Default::default()
        };
        let path = tmp.path().join(format!("bench-{n}.csi"));
        let records: Vec<u32> = (0..n as u32).collect();
        let stored = vectors.to_array();
        drop(vectors);
        once(
            &mut rows,
            n,
            "index: write (records, vectors, graph)",
            || {
                let mut st =
                    Store::<u32>::create(&path, ModelId::new("synthetic", DIM)).expect("create");
                st.add(&records, stored.view(), &cfg).expect("add");
            },
        );
        if let Some(r) = rows.last_mut() {
            r.note = if with_graph {
                "graph included".into()
            } else {
                "no graph at 1M (see doc)".into()
            };
        }
        drop(stored);
        let st = once(&mut rows, n, "index: open", || {
            Store::<u32>::open(&path, None).expect("open")
        });
        let searcher = once(&mut rows, n, "index: searcher (maps graph)", || {
            st.searcher(&cfg).expect("searcher")
        });
        bench_queries(
            &mut c,
            &format!("index-{}/query/{n}", searcher.kind()).replace(' ', "_"),
            searcher.as_ref(),
            &queries,
        );
        let (rss, _) = mem();
        rows.push(Row {
            n,
            step: "index: resident after queries".into(),
            secs: f64::NAN,
            rss,
            peak: f64::NAN,
            note: "absolute VmRSS, mapped pages included".into(),
        });
        drop(searcher);
        drop(st);
        let _ = std::fs::remove_dir_all(&path);
    }
    c.final_summary();

    println!(
        "\n{:>9}  {:<40} {:>9} {:>10} {:>10}  note",
        "n", "step", "seconds", "rss+ MiB", "peak+ MiB"
    );
    for r in &rows {
        println!(
            "{:>9}  {:<40} {:>9.2} {:>10.0} {:>10.0}  {}",
            r.n, r.step, r.secs, r.rss, r.peak, r.note
        );
    }
}
