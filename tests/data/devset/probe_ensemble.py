"""Probe (2026-12-07, thirty-fifth session): stance models averaged by their probabilities, on
the labelled dev half (the README's stance table, "probability ensembles again").

Every labelled sentence of the dev and test stories is read toward its story's claim by each
model (`claimscope classify --task stance --pairs`, int8, with the distancing rule as shipped),
and macro-F1 is reported on dev for each model alone and for the mean of the probabilities of
each combination asked for. The shipped soup's dev figure (0.604) from this script equals
`claimscope eval stance --devset`'s, which checks the pairs. Test figures only with TEST=1.

    python3 tests/data/devset/probe_ensemble.py BIN OUT_DIR NAME=MODEL_DIR... [--combos A+B,A+B+C]

Needs numpy. Writes OUT_DIR/pairs.jsonl and one OUT_DIR/out-NAME.jsonl per model (reused).
"""

import pathlib
import sys

# This folder's select.py (the labelled set's story selection) would shadow the standard
# library's `select`, which subprocess imports.
sys.path[:] = [p for p in sys.path if pathlib.Path(p or ".").resolve() != pathlib.Path(__file__).resolve().parent]

import argparse  # noqa: E402
import glob  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
LABELS = ["agree", "disagree", "discuss", "unrelated"]


def labelled_pairs():
    rows = []
    for meta in sorted(glob.glob(str(HERE / "stories" / "*.meta.json"))):
        m = json.load(open(meta, encoding="utf-8"))
        if m["split"] not in ("dev", "test"):
            continue
        for line in open(meta.replace(".meta.json", ".jsonl"), encoding="utf-8"):
            s = json.loads(line)
            if s.get("stance") in LABELS:
                rows.append({"claim": m["claim"], "text": s["text"], "split": m["split"], "gold": s["stance"],
                             "story": m["story"]})
    return rows


def write_pairs(rows, path):
    """The `classify --task stance --pairs` input for `rows`, one line each, in order."""
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({"claim": r["claim"], "text": r["text"]}) + "\n")


def probabilities(binary, out, name, model, pairs):
    path = out / f"out-{name}.jsonl"
    if not path.exists():
        with open(path, "w", encoding="utf-8") as f:
            subprocess.run(
                [binary, "classify", "--task", "stance", "--pairs", str(pairs), "--format", "jsonl",
                 "--stance-model", model],
                stdout=f, check=True,
            )
    return np.array([[json.loads(l)["scores"][c] for c in LABELS] for l in open(path, encoding="utf-8")])


def macro_f1(rows, probs, split, keep=lambda r: True):
    """Macro-F1 of the argmax of `probs` (any scores) over the rows of `split` that `keep` keeps."""
    idx = [i for i, r in enumerate(rows) if r["split"] == split and keep(r)]
    gold = np.array([LABELS.index(rows[i]["gold"]) for i in idx])
    pred = probs[idx].argmax(1)
    f1 = []
    for c in range(len(LABELS)):
        tp = ((pred == c) & (gold == c)).sum()
        f1.append(0.0 if tp == 0 else 2 * tp / ((pred == c).sum() + (gold == c).sum()))
    return float(np.mean(f1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("out")
    ap.add_argument("models", nargs="+", help="NAME=MODEL_DIR")
    ap.add_argument("--combos", default="", help="comma-separated NAME+NAME+... to average")
    a = ap.parse_args()
    out = pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = labelled_pairs()
    pairs = out / "pairs.jsonl"
    write_pairs(rows, pairs)
    probs = {n: probabilities(a.binary, out, n, m, pairs) for n, m in (x.split("=", 1) for x in a.models)}
    splits = ["dev", "test"] if os.environ.get("TEST") else ["dev"]
    for name, p in probs.items():
        print(name, " ".join(f"{s} {macro_f1(rows, p, s):.3f}" for s in splits))
    for combo in filter(None, a.combos.split(",")):
        p = np.mean([probs[n] for n in combo.split("+")], axis=0)
        print(combo, " ".join(f"{s} {macro_f1(rows, p, s):.3f}" for s in splits))


if __name__ == "__main__":
    main()
