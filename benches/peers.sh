#!/usr/bin/env bash
# claimscope against the Python peers (sentence-transformers on PyTorch, ONNX Runtime fp32/int8)
# in one round on one machine: same workload, batch 32, 2 threads, a fresh process per run,
# runs interleaved (peers, then claimscope f32 and int8, R times) so drifts in
# machine load hit everyone alike. Prints medians and claimscope's ratios to each peer.
#
#   bash benches/peers.sh [REPEATS] [WORKLOAD]
#   defaults: 5, ../shared/bench/workload-news-10k.txt
#
# Needs ../shared/bench (the peers' harness); sets the peers up with its setup-peers.sh on first
# use (a venv of ~5 GiB under /tmp/peers). Leave the machine otherwise idle while it runs
# (about 2 minutes per repeat).
set -euo pipefail
cd "$(dirname "$0")/.."

REPEATS="${1:-5}"
WORKLOAD="${2:-../shared/bench/workload-news-10k.txt}"
SHARED=../shared/bench
VENV=/tmp/peers
MODEL=/tmp/models/all-MiniLM-L6-v2
THREADS=2
OUT="${OUT:-target/peers-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"

[ -x "$VENV/bin/python" ] && [ -f "$MODEL/onnx/model-int8.onnx" ] || bash "$SHARED/setup-peers.sh" "$VENV" "$MODEL"
cargo build --release --quiet
BIN=target/release/claimscope

for r in $(seq 1 "$REPEATS"); do
  echo "round $r/$REPEATS" >&2
  "$VENV/bin/python" "$SHARED/peers.py" run --model "$MODEL" --texts "$WORKLOAD" --batch-size 32 \
    --threads "$THREADS" --repeats 1 --json "$OUT/peers-$r.json" >/dev/null
  for p in f32 int8; do
    "$BIN" --threads "$THREADS" bench --workload "$WORKLOAD" --batch-size 32 --repeats 1 \
      --precision "$p" --format json > "$OUT/claimscope-$p-$r.json"
  done
done

python3 - "$OUT" "$REPEATS" <<'EOF'
import json, statistics, sys
out, n = sys.argv[1], int(sys.argv[2])
rows, runs = {}, []
for r in range(1, n + 1):
    peers = json.load(open(f"{out}/peers-{r}.json"))["summary"]
    for p, s in peers.items():
        rows.setdefault(p, []).append((s["sentences_per_s_median"], s["tokens_per_s_median"], s["peak_rss_mib_median"], s["cos_vs_torch_mean"], s["cos_vs_torch_min"]))
    for p in ("f32", "int8"):
        c = json.load(open(f"{out}/claimscope-{p}-{r}.json"))
        runs.append(c)
        rows.setdefault(f"claimscope-{p}", []).append((c["sentences_per_s"], c["tokens_per_s"], c["peak_rss_mib"], c["cos_vs_f32_mean"], c["cos_vs_f32_min"]))
med = {p: [statistics.median(x[i] for x in v) for i in range(3)] + [v[-1][3], min(x[4] for x in v if x[4] is not None) if v[-1][4] is not None else None] for p, v in rows.items()}
# The machine and its f32 GEMM rate, as claimscope bench measured them in this round (every
# claimscope run measures it; the median over the round), and the GEMM-only bound it implies.
machine = runs[-1]["machine"]
gflops = statistics.median(c["machine"]["gemm_gflops"] for c in runs)
bound = gflops * 1e9 / runs[-1]["flops_per_sentence"]
print(f"machine: {machine['cpu']} ({machine['cpu_id']}), {machine['logical_cpus']} logical CPUs, {' '.join(machine['simd'])}")
print(f"f32 GEMM {gflops:.1f} GFLOP/s on {machine['gemm_threads']} threads (median of the round; {machine['gemm_shapes']})")
print(f"GEMM-only bound {bound:.1f} sentences/s ({runs[-1]['flops_per_sentence'] / 1e6:.0f} MFLOP a sentence)")
print(f"median of {n} interleaved runs; batch 32, {2} threads")
print(f"{'who':16s} {'sent/s':>8s} {'tok/s':>8s} {'RSS MiB':>8s} {'cos mean':>9s} {'cos min':>8s}  {'x torch':>7s} {'x ort32':>7s} {'x ort8':>7s} {'bound':>6s}")
for p, (s, t, m, cm, cn) in med.items():
    ratio = lambda q: f"{s / med[q][0]:7.2f}" if q in med else "      -"
    cms = f"{cm:.6f}" if cm is not None else "-"
    cns = f"{cn:.5f}" if cn is not None else "-"
    print(f"{p:16s} {s:8.1f} {t:8.0f} {m:8.0f} {cms:>9s} {cns:>8s}  {ratio('torch')} {ratio('ort-fp32')} {ratio('ort-int8')} {s / bound:6.0%}")
json.dump({"repeats": n, "median": med, "runs": rows, "machine": machine, "gemm_gflops": gflops, "bound_sentences_per_s": bound}, open(f"{out}/summary.json", "w"), indent=2)
print(f"(cosines: peers against torch, claimscope against its own f32; all runs in {out})")
EOF
