#!/usr/bin/env bash
# Where the embedding path spends its time, by stage: `claimscope bench` under perf (software
# clock sampling, frame-pointer call chains), each sample charged to the innermost stage on its
# stack (see benches/profile_stages.py for the stages and the symbols that mark them).
#
#   bash benches/profile.sh [PRECISION] [WORKLOAD] [REPEATS]
#   defaults: f32, ../shared/bench/workload-news-10k.txt, 3
#
# Builds the `profiling` profile (release + line tables) with frame pointers in its own target
# directory (target/profiling-fp; the first build takes a few minutes). Needs perf (Debian:
# linux-perf) and perf_event_paranoid <= 2. Leave the machine otherwise idle.
set -euo pipefail
cd "$(dirname "$0")/.."

PRECISION="${1:-f32}"
WORKLOAD="${2:-../shared/bench/workload-news-10k.txt}"
REPEATS="${3:-3}"
THREADS=2
TARGET=target/profiling-fp
OUT="${OUT:-target/profile-$PRECISION-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT"

command -v perf >/dev/null || { echo "perf not found: apt-get install linux-perf" >&2; exit 1; }
RUSTFLAGS="-C force-frame-pointers=yes" CARGO_TARGET_DIR="$TARGET" \
  cargo build --profile profiling --quiet --bin claimscope
BIN="$TARGET/profiling/claimscope"

perf record -F 999 -g -o "$OUT/perf.data" -- \
  "$BIN" --threads "$THREADS" bench --workload "$WORKLOAD" --batch-size 32 \
  --repeats "$REPEATS" --precision "$PRECISION" --accuracy-sample 32 --format json > "$OUT/bench.json" 2> "$OUT/perf-record.log"
perf script -i "$OUT/perf.data" -F tid,ip,sym --no-inline 2>/dev/null \
  | python3 benches/profile_stages.py --json "$OUT/stages.json" | tee "$OUT/stages.txt"
python3 -c "import json,sys; b=json.load(open(sys.argv[1])); print(f\"bench under perf: {b['sentences_per_s']:.1f} sentences/s ({b['precision']}, {b['threads']} threads)\")" "$OUT/bench.json"
echo "(perf data, bench JSON and stage table in $OUT)"
