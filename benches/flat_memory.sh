#!/usr/bin/env bash
# Peak memory and throughput of the streaming commands as the corpus grows (README, "Flat
# memory"): `segment`, `classify --task confidence` and `index build` on FNC-1 train bodies
# repeated to each size, one after another, each under /usr/bin/time -v.
#
#   bash benches/flat_memory.sh 1 8 100 1000        # sizes in MB (1000 = ten copies of 100)
#
# Environment: CLAIMSCOPE (binary; default target/release/claimscope, built if missing), SHARED
# (default ../shared), OUT (work directory, default target/flat), STEPS (default "segment
# classify index"), INDEX_FLAGS (default "--chunk 5000"; e.g. add "--precision int8"). An
# index build that is killed can be continued: STEPS=index INDEX_FLAGS="... --resume" writes
# into the same OUT. Prints one line per run: step, MB, peak RSS MiB, wall s, sentences/s.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CLAIMSCOPE:-target/release/claimscope}
SHARED=${SHARED:-../shared}
OUT=${OUT:-target/flat}
STEPS=${STEPS:-segment classify index}
INDEX_FLAGS=${INDEX_FLAGS:---chunk 5000}
[ -x "$BIN" ] || cargo build --release --bin claimscope
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time; Debian: apt-get install time)" >&2; exit 1; }
mkdir -p "$OUT"

corpus() { # MB -> path of the corpus, generated once
  local mb=$1 f="$OUT/c$1.jsonl"
  if [ ! -s "$f" ]; then
    if [ "$mb" -ge 1000 ] && [ $((mb % 100)) -eq 0 ]; then
      python3 benches/flat_corpus.py "$SHARED/data/fnc1" 100000000 --copies $((mb / 100)) > "$f.tmp"
    else
      python3 benches/flat_corpus.py "$SHARED/data/fnc1" $((mb * 1000000)) > "$f.tmp"
    fi
    mv "$f.tmp" "$f"
  fi
  echo "$f"
}

report() { # step MB timefile -> one line
  local rss wall n
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$3")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.1f", s}' "$3")
  n=$(grep -Eo '(classified|indexed|added) [0-9]+ sentences' "$3" | tail -1 | grep -Eo '[0-9]+' || true)
  [ -n "$n" ] || n=$(grep -Eo '^[0-9]+ sentences' "$3" | tail -1 | grep -Eo '[0-9]+' || echo 0)
  printf '%-9s %6s MB  peak %6s MiB  %9s s  %8s sentences  %8.1f sentences/s\n' \
    "$1" "$2" "$rss" "$wall" "$n" "$(echo "$n $wall" | awk '{print ($2 > 0) ? $1 / $2 : 0}')"
}

for mb in "$@"; do
  f=$(corpus "$mb")
  for step in $STEPS; do
    t="$OUT/$step-$mb.time"
    case $step in
      segment)  /usr/bin/time -v "$BIN" segment "$f" --format jsonl 2> "$t" | wc -l > "$OUT/segment-$mb.count"
                echo "$(cat "$OUT/segment-$mb.count") sentences" >> "$t" ;;
      classify) /usr/bin/time -v "$BIN" classify --task confidence "$f" --format jsonl > /dev/null 2> "$t" ;;
      index)    case " $INDEX_FLAGS " in *" --resume "*) ;; *) rm -rf "$OUT/i$mb.csi" ;; esac
                # shellcheck disable=SC2086
                /usr/bin/time -v "$BIN" index build $INDEX_FLAGS -o "$OUT/i$mb.csi" "$f" > /dev/null 2> "$t" ;;
      *) echo "unknown step $step" >&2; exit 2 ;;
    esac
    report "$step" "$mb" "$t"
  done
done
