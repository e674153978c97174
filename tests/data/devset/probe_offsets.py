#!/usr/bin/env python3
"""Probe: per-class log-probability offsets on the stance pair model, cross-checked across the
dev half's two parts (the first eight dev stories and the six added on 2026-12-08).

Offsets are added to log p before the argmax (agree, disagree, unrelated on a grid of quarters
-2..+2, discuss fixed at 0; ties go to the smallest sum of absolute offsets). Written down before
the run: offsets fitted on one part must lift macro-F1 on the other by 0.01 or more, both ways,
before offsets fitted on all fourteen would be built. `--unrelated-only` fits the unrelated
offset alone (the post-hoc second rule, README "classify").

    python3 tests/data/devset/probe_offsets.py pairs > /tmp/pairs.jsonl
    claimscope classify --task stance --pairs /tmp/pairs.jsonl --format jsonl > /tmp/scored.jsonl
    python3 tests/data/devset/probe_offsets.py score /tmp/scored.jsonl [--unrelated-only]

The test half is in the pairs file (so one classify run serves a later reading) but this script
never scores it.
"""
import glob
import itertools
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LABELS = ["agree", "disagree", "discuss", "unrelated"]
NEW_DEV = {"vice-ceo-dinner", "app-store-rig", "russian-actor-testicles", "widower-voicemail",
           "pizza-tip-2000", "kim-name-ban"}
GRID = [x / 4 for x in range(-8, 9)]


def pairs():
    for m in sorted(glob.glob(os.path.join(HERE, "stories", "*.meta.json"))):
        meta = json.load(open(m, encoding="utf-8"))
        if meta["split"] == "train":
            continue
        for line in open(os.path.join(HERE, "stories", meta["story"] + ".jsonl"), encoding="utf-8"):
            s = json.loads(line)
            print(json.dumps({"claim": meta["claim"], "text": s["text"], "gold": s["stance"],
                              "story": meta["story"], "split": meta["split"]}, ensure_ascii=False))


def macro(rows, off):
    tp, fp, fn = ({c: 0 for c in LABELS} for _ in range(3))
    for r in rows:
        s = r["scores"]
        pred = max(LABELS, key=lambda c: math.log(max(s[c], 1e-9)) + off.get(c, 0.0))
        if pred == r["gold"]:
            tp[pred] += 1
        else:
            fp[pred] += 1
            fn[r["gold"]] += 1
    return sum(2 * tp[c] / (2 * tp[c] + fp[c] + fn[c]) if tp[c] else 0.0 for c in LABELS) / 4


def fit(rows, unrelated_only):
    best = None
    combos = ([(0.0, 0.0, u) for u in GRID] if unrelated_only
              else itertools.product(GRID, GRID, GRID))
    for a, d, u in combos:
        off = {"agree": a, "disagree": d, "unrelated": u}
        key = (round(macro(rows, off), 6), -(abs(a) + abs(d) + abs(u)))
        if best is None or key > best[0]:
            best = (key, off)
    return best[1]


def score(path, unrelated_only):
    rows = [json.loads(l) for l in open(path, encoding="utf-8")]
    old = [r for r in rows if r["split"] == "dev" and r["story"] not in NEW_DEV]
    new = [r for r in rows if r["split"] == "dev" and r["story"] in NEW_DEV]
    for name, fit_on, other in [("old eight", old, new), ("new six", new, old)]:
        off = fit(fit_on, unrelated_only)
        print(f"fitted on the {name}: {off}: {macro(fit_on, {}):.3f} -> {macro(fit_on, off):.3f}; "
              f"the other part {macro(other, {}):.3f} -> {macro(other, off):.3f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["pairs"]:
        pairs()
    elif sys.argv[1:2] == ["score"]:
        score(sys.argv[2], "--unrelated-only" in sys.argv)
    else:
        raise SystemExit(__doc__)
