#!/usr/bin/env python3
"""Charge each perf sample to the innermost pipeline stage on its call chain.

Reads `perf script -F tid,ip,sym --no-inline` on stdin. A stage is recognised by a symbol on
the stack (the encoder's dense layers are separate never-inlined functions for this reason);
samples of the bench's model loading and the f32 reference model of the accuracy check are
left out, as the bench leaves them out of its timer. Prints each stage's share of the timed
samples and the top leaf symbols inside it.
"""
import argparse
import collections
import json
import re
import sys

# (stage, regex on a frame's symbol); the first stage found walking from the leaf wins.
STAGES = [
    ("GEMM QKV   [t,384]x[384,1152]", r"fast::gemm_qkv"),
    ("GEMM attn out [t,384]x[384,384]", r"fast::gemm_attn_out"),
    ("GEMM FFN in  [t,384]x[384,1536]", r"fast::gemm_inter"),
    ("GEMM FFN out [t,1536]x[1536,384]", r"fast::gemm_out"),
    ("attention (QK^T, softmax, PV)", r"fast::attention"),
    ("residual + layer norm", r"fast::add_norm_rows"),
    ("GELU", r"fast::gelu_erf"),
    ("embeddings + buffers", r"FastBert::encode"),
    ("pooling", r"as claimscope::embed::backend::Backend>::embed"),
    ("tokenisation", r"tokenizers::|Embedder::tokenize"),
    ("sort, scatter, normalise", r"Embedder::embed_tokens_inner"),
]
# Frames that mark work outside the timed loop.
UNTIMED = r"Embedder::load_with|FastBert::load|bench::run::.*cos|embed::cosine|CandleBert"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json")
    args = ap.parse_args()
    stages = [(n, re.compile(p)) for n, p in STAGES]
    untimed = re.compile(UNTIMED)
    counts = collections.Counter()
    leaves = collections.defaultdict(collections.Counter)
    stack, total_all = [], 0

    def flush():
        nonlocal total_all
        if not stack:
            return
        total_all += 1
        syms = [s for _, s in stack]
        if any(untimed.search(s) for s in syms):
            counts["(untimed: load, accuracy check)"] += 1
            return
        name = "other (rayon, allocator, idle)"
        for s in syms:
            hit = next((n for n, r in stages if r.search(s)), None)
            if hit:
                name = hit
                break
        counts[name] += 1
        leaves[name][re.sub(r"::h[0-9a-f]{16}$", "", syms[0])[:90]] += 1

    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line.strip():
            flush()
            stack = []
            continue
        if not line.startswith(("\t", " ")):
            flush()
            stack = []
            continue
        parts = line.strip().split(None, 1)
        stack.append((parts[0], parts[1] if len(parts) > 1 else "?"))
    flush()

    timed = sum(c for n, c in counts.items() if not n.startswith("(untimed"))
    print(f"{total_all} samples, {timed} in the timed embedding path")
    print(f"{'stage':36s} {'share':>7s}  top leaf symbols")
    rows = []
    for name, c in counts.most_common():
        if name.startswith("(untimed"):
            continue
        top = ", ".join(f"{s} {100 * k / c:.0f}%" for s, k in leaves[name].most_common(2))
        print(f"{name:36s} {100 * c / timed:6.1f}%  {top}")
        rows.append({"stage": name, "samples": c, "share": c / timed})
    if args.json:
        json.dump({"samples": total_all, "timed": timed, "stages": rows}, open(args.json, "w"), indent=2)


if __name__ == "__main__":
    main()
