"""Scale figures of the Ray pipeline (`claimscope.ray.run`) on a ~100k-sentence corpus built from
../shared: throughput per stage-1 worker, wall time of each stage, peak memory per actor and
task, bytes moved to the story tasks, output bytes per sentence.

    python examples/ray/scale.py --shared ../shared --work /tmp/scale [--actors 2]

The corpus (the same recipe as the 101k-sentence run of the scaling issue): FNC-1 bodies as they
are, and the 10k news workload, MRPC, STS-B and ClimateX sentences and the Emergent headlines in
20-sentence documents. Used for timing only: nothing is labelled, trained or tuned on it.
"""

from __future__ import annotations

import argparse
import collections
import csv
import glob
import json
import os
import pathlib
import statistics
import time


def make_corpus(shared: pathlib.Path, path: pathlib.Path) -> int:
    csv.field_size_limit(10**9)
    n = 0
    with open(path, "w", encoding="utf-8") as out:
        for f in ["train_bodies.csv", "competition_test_bodies.csv"]:
            with open(shared / "data" / "fnc1" / f, encoding="utf-8", newline="") as src:
                for r in csv.DictReader(src):
                    body = int(r["Body ID"])
                    out.write(json.dumps({"id": f"{f[:5]}-{body}", "outlet": f"fnc1-{body % 50}", "text": r["articleBody"]}) + "\n")
                    n += 1
        sents = [l.strip() for l in open(shared / "bench" / "workload-news-10k.txt", encoding="utf-8") if l.strip()]
        for f in sorted(glob.glob(str(shared / "data" / "mrpc" / "*"))):
            if f.endswith((".tsv", ".txt")) and "README" not in f:
                for r in csv.reader(open(f, encoding="utf-8", errors="replace"), delimiter="\t", quoting=csv.QUOTE_NONE):
                    sents += [x for x in r[-2:] if len(x) > 30]
        for f in sorted(glob.glob(str(shared / "data" / "stsb" / "*"))):
            if f.endswith((".tsv", ".csv")):
                delim = "\t" if f.endswith(".tsv") else ","
                for r in csv.reader(open(f, encoding="utf-8", errors="replace"), delimiter=delim, quoting=csv.QUOTE_NONE):
                    sents += [x for x in r if len(x) > 30 and " " in x]
        climatex = shared / "data" / "climatex" / "ipcc_statements_dataset.tsv"
        for r in csv.reader(open(climatex, encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE):
            sents += [x for x in r if len(x) > 40 and " " in x][:1] * 3
        emergent = shared / "data" / "emergent" / "url-versions-2015-06-14-clean.csv"
        for r in csv.DictReader(open(emergent, encoding="utf-8")):
            sents.append(r["articleHeadline"])
        for i in range(0, len(sents), 20):
            text = "\n\n".join(s if s.endswith((".", "!", "?")) else s + "." for s in sents[i : i + 20])
            out.write(json.dumps({"id": f"mix-{i // 20}", "outlet": f"mix-{(i // 20) % 40}", "text": text}) + "\n")
            n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(pathlib.Path(__file__).resolve().parents[3] / "shared"))
    ap.add_argument("--work", default="/tmp/claimscope-scale")
    ap.add_argument("--actors", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--shard-size", type=int, default=64)
    ap.add_argument("--limit", type=int, default=0, help="first N documents only (a quick try)")
    args = ap.parse_args()

    import logging

    import ray
    from claimscope.ray import read, run

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")

    work = pathlib.Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus.jsonl"
    if not corpus.exists():
        print(f"corpus: {make_corpus(pathlib.Path(args.shared), corpus)} documents -> {corpus}")
    docs = read([corpus])
    if args.limit:
        docs = docs[: args.limit]
    out = work / f"out-{args.actors}x{args.shard_size}-{len(docs)}"
    if out.exists():
        raise SystemExit(f"{out} exists: remove it for a fresh measurement (a rerun would skip the work)")

    ray.init(num_cpus=os.cpu_count())
    t = time.perf_counter()
    summary = run(docs, str(out), actors=args.actors, shard_size=args.shard_size)
    total = time.perf_counter() - t

    figures = summary["sentences"]["figures"]
    rows = sum(f["rows"] for f in figures)
    text_bytes = sum(len(d["text"].encode()) for d in docs)
    story_docs = [m["doc"] for s in summary["stories"] if len(s["documents"]) >= 2 for m in s["documents"]]
    by_id = {d["id"]: d for d in docs}
    moved = sum(len(json.dumps(by_id[d]).encode()) for d in story_docs)
    parquet = sum(p.stat().st_size for p in (out / "sentences").glob("*.parquet"))
    leads = sum(len(json.dumps({k: d.get(k) for k in ("id", "outlet", "date", "title")}).encode()) + 1536 for d in docs)

    print(f"\n{len(docs)} documents, {rows} sentences, {text_bytes / 2**20:.1f} MiB of text; {args.actors} actors x 1 CPU, shards of {args.shard_size} documents")
    print(f"total {total:.1f} s; stage wall times: " + ", ".join(f"{k} {v:.1f} s" for k, v in summary["seconds"].items()))
    per = collections.defaultdict(lambda: collections.Counter())
    for f in figures:
        c = per[f["pid"]]
        for k in ("rows", "segment", "confidence", "embed", "write"):
            c[k] += f[k]
        c["rss"] = max(c["rss"], f["rss_mib"])
    print("\nstage 1 per worker (busy time = segment + confidence + embed + write):")
    print("| worker | sentences | busy s | sentences/s | segment | confidence | embed | write | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for pid, c in sorted(per.items()):
        busy = c["segment"] + c["confidence"] + c["embed"] + c["write"]
        shares = " | ".join(f"{100 * c[k] / busy:.0f}%" for k in ("segment", "confidence", "embed", "write"))
        print(f"| {pid} | {c['rows']} | {busy:.1f} | {c['rows'] / busy:.1f} | {shares} | {c['rss']:.0f} |")
    print(f"stage 1 overall: {rows / summary['seconds']['sentences']:.1f} sentences/s wall on {args.actors} workers")

    m = summary["matched"]
    secs = [x["seconds"] for x in m]
    print(f"\nstage 3: {len(m)} stories with >= 2 documents ({len(story_docs)} documents), "
          f"task seconds sum {sum(secs):.1f}, median {statistics.median(secs):.2f}, max {max(secs):.1f}; "
          f"peak RSS per task worker {max(x['rss_mib'] for x in m):.0f} MiB; groups {len(summary['groups'])}")
    print(f"bytes to story tasks: {moved / 2**20:.1f} MiB ({moved / max(rows, 1):.0f} B per sentence of the corpus)")
    print(f"stage 2 input if leads come as vectors: ~{leads / 2**20:.1f} MiB ({leads / len(docs):.0f} B per document)")
    print(f"sentences Parquet: {parquet / 2**20:.1f} MiB ({parquet / max(rows, 1):.0f} B per sentence)")
    import resource

    print(f"driver peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    (out / "figures.json").write_text(json.dumps({k: summary[k] for k in ("seconds", "sentences", "matched")}, indent=1))


if __name__ == "__main__":
    main()
