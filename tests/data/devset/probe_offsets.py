#!/usr/bin/env python3
"""Probe: per-class log-probability offsets on the stance pair model, cross-checked across the
dev half's two parts (the first eight dev stories and the six added on 2026-12-08).

Offsets are added to log p before the argmax (agree, disagree, unrelated on a grid of quarters
-2..+2, discuss fixed at 0; ties go to the smallest sum of absolute offsets). Written down before
the run: offsets fitted on one part must lift macro-F1 on the other by 0.01 or more, both ways,
before offsets fitted on all fourteen would be built. `--unrelated-only` fits the unrelated
offset alone (the post-hoc second rule, README "classify").

    python3 tests/data/devset/probe_offsets.py pairs /tmp/pairs.jsonl
    claimscope classify --task stance --pairs /tmp/pairs.jsonl --format jsonl > /tmp/scored.jsonl
    python3 tests/data/devset/probe_offsets.py score /tmp/scored.jsonl [--unrelated-only]

The pairs and the scoring are `probe_ensemble.py`'s (every dev and test sentence toward its
story's claim, in the same order); the test half is in the pairs file but this script never
scores it. Needs numpy.
"""
import itertools
import json
import sys

import numpy as np

from probe_ensemble import LABELS, labelled_pairs, macro_f1, write_pairs

NEW_DEV = {"vice-ceo-dinner", "app-store-rig", "russian-actor-testicles", "widower-voicemail",
           "pizza-tip-2000", "kim-name-ban"}
GRID = [x / 4 for x in range(-8, 9)]
PARTS = {"old eight": lambda r: r["story"] not in NEW_DEV, "new six": lambda r: r["story"] in NEW_DEV}


def fit(rows, logp, keep, unrelated_only):
    """The offsets with the best macro-F1 on the dev rows `keep` keeps (smallest on a tie)."""
    best = None
    combos = ([(0.0, 0.0, u) for u in GRID] if unrelated_only
              else itertools.product(GRID, GRID, GRID))
    for a, d, u in combos:
        off = np.array([a, d, 0.0, u])
        key = (round(macro_f1(rows, logp + off, "dev", keep), 6), -(abs(a) + abs(d) + abs(u)))
        if best is None or key > best[0]:
            best = (key, off)
    return best[1]


def score(path, unrelated_only):
    rows = labelled_pairs()
    scored = [json.loads(l) for l in open(path, encoding="utf-8")]
    if [s["text"] for s in scored] != [r["text"] for r in rows]:
        raise SystemExit(f"{path}: not the classify output of this labelled set's pairs")
    logp = np.log(np.maximum([[s["scores"][c] for c in LABELS] for s in scored], 1e-9))
    for name, other in [("old eight", "new six"), ("new six", "old eight")]:
        off = fit(rows, logp, PARTS[name], unrelated_only)
        f = lambda part, o: macro_f1(rows, logp + o, "dev", PARTS[part])  # noqa: E731
        print(f"fitted on the {name}: {dict(zip(LABELS, off.tolist()))}: {f(name, 0):.3f} -> "
              f"{f(name, off):.3f}; the other part {f(other, 0):.3f} -> {f(other, off):.3f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["pairs"] and len(sys.argv) == 3:
        write_pairs(labelled_pairs(), sys.argv[2])
    elif sys.argv[1:2] == ["score"]:
        score(sys.argv[2], "--unrelated-only" in sys.argv)
    else:
        raise SystemExit(__doc__)
