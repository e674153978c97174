#!/usr/bin/env python3
"""Agreement between the dev half's labels and a second, blind pass (agreement/<story>.jsonl).

Usage: python3 tests/data/devset/agreement/score.py
The second annotator saw only the guide, the story's claim and the sentences in order (no
labels); its files hold {"index", "stance", "confidence"} per sentence of stories/<story>.jsonl.
Prints accuracy and macro-F1 over the four labels of each task, and the confusion table.
"""
import collections
import glob
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
TASKS = {
    "stance": ["agree", "disagree", "discuss", "unrelated"],
    "confidence": ["high", "moderate", "low", "none"],
}


def macro_f1(gold, other, labels):
    f1 = []
    for c in labels:
        tp = sum(g == c and o == c for g, o in zip(gold, other))
        fp = sum(g != c and o == c for g, o in zip(gold, other))
        fn = sum(g == c and o != c for g, o in zip(gold, other))
        f1.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(f1) / len(f1)


def main():
    gold = {t: [] for t in TASKS}
    other = {t: [] for t in TASKS}
    paths = sorted(glob.glob(os.path.join(HERE, "*.jsonl")))
    for path in paths:
        story = os.path.basename(path)[: -len(".jsonl")]
        labelled = [json.loads(l) for l in open(os.path.join(HERE, "..", "stories", f"{story}.jsonl"), encoding="utf-8")]
        second = [json.loads(l) for l in open(path, encoding="utf-8")]
        if [s["index"] for s in second] != list(range(len(labelled))):
            raise SystemExit(f"{path}: needs one line per sentence of stories/{story}.jsonl, in order")
        for t in TASKS:
            gold[t] += [s[t] for s in labelled]
            other[t] += [s[t] for s in second]
    print(f"{len(paths)} stories, {len(gold['stance'])} sentences")
    for t, labels in TASKS.items():
        g, o = gold[t], other[t]
        acc = sum(a == b for a, b in zip(g, o)) / len(g)
        print(f"{t}: accuracy {acc:.3f}, macro-F1 {macro_f1(g, o, labels):.3f}")
        c = collections.Counter(zip(g, o))
        print("  labels \\ second pass: " + " ".join(f"{l:>9}" for l in labels))
        for a in labels:
            print(f"  {a:>20}: " + " ".join(f"{c[(a, b)]:>9}" for b in labels))


if __name__ == "__main__":
    main()
