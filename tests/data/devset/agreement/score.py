#!/usr/bin/env python3
"""Agreement between the labels and a second, blind pass (agreement/<story>.jsonl), per half.

Usage: python3 tests/data/devset/agreement/score.py
The second annotators saw only the guide, the story's claim and the sentences in order (no
labels); their files hold {"index", "stance", "confidence", "group"} per sentence of
stories/<story>.jsonl (dev: "group" from a third blind pass, by other annotators, that saw each
sentence's document id as well; test: one blind pass for all three, with document ids). Prints accuracy and macro-F1 over the four labels of each task
with the confusion table, and for the claim groups the pair precision / recall / F1 of the
second pass against the labels, as `claimscope eval claims` scores a model (two sentences of one
group from different documents form a pair).
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


def group_pairs(rows, groups):
    """Cross-document sentence pairs that share a group."""
    out = set()
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            if groups[i] is not None and groups[i] == groups[j] and rows[i]["doc"] != rows[j]["doc"]:
                out.add((i, j))
    return out


def score(stories):
    """Print the agreement over `stories` (names of agreement files, without .jsonl)."""
    gold = {t: [] for t in TASKS}
    pairs = [0, 0, 0]  # both, second pass, labels
    grouped = []
    other = {t: [] for t in TASKS}
    for story in stories:
        path = os.path.join(HERE, f"{story}.jsonl")
        labelled = [json.loads(l) for l in open(os.path.join(HERE, "..", "stories", f"{story}.jsonl"), encoding="utf-8")]
        second = [json.loads(l) for l in open(path, encoding="utf-8")]
        if [s["index"] for s in second] != list(range(len(labelled))):
            raise SystemExit(f"{path}: needs one line per sentence of stories/{story}.jsonl, in order")
        # Groups count only for a story whose second pass labelled them (every line has
        # "group"): a missing key is not a sentence left ungrouped.
        if all("group" in s for s in second):
            ours = group_pairs(labelled, [s["group"] for s in labelled])
            theirs = group_pairs(labelled, [s["group"] for s in second])
            pairs[0] += len(ours & theirs)
            pairs[1] += len(theirs)
            pairs[2] += len(ours)
            grouped.append(story)
        for t in TASKS:
            gold[t] += [s[t] for s in labelled]
            other[t] += [s[t] for s in second]
    print(f"{len(stories)} stories, {len(gold['stance'])} sentences")
    for t, labels in TASKS.items():
        g, o = gold[t], other[t]
        acc = sum(a == b for a, b in zip(g, o)) / len(g)
        print(f"{t}: accuracy {acc:.3f}, macro-F1 {macro_f1(g, o, labels):.3f}")
        c = collections.Counter(zip(g, o))
        print("  labels \\ second pass: " + " ".join(f"{l:>9}" for l in labels))
        for a in labels:
            print(f"  {a:>20}: " + " ".join(f"{c[(a, b)]:>9}" for b in labels))
    both, theirs, ours = pairs
    if not grouped:
        print("claim groups: n/a (no second pass labelled groups)")
        return
    p = both / theirs if theirs else 0.0
    r = both / ours if ours else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(
        f"claim groups ({len(grouped)} stories): pair precision {p:.3f}, recall {r:.3f}, F1 {f1:.3f} "
        f"({both} pairs in both, {theirs} in the second pass, {ours} in the labels)"
    )


def main():
    """Each half of the labelled set on its own (dev, then test), as the models are reported."""
    halves = collections.defaultdict(list)
    for path in sorted(glob.glob(os.path.join(HERE, "*.jsonl"))):
        story = os.path.basename(path)[: -len(".jsonl")]
        meta = json.load(open(os.path.join(HERE, "..", "stories", f"{story}.meta.json"), encoding="utf-8"))
        halves[meta["split"]].append(story)
    for half in sorted(halves, key=lambda h: (h != "dev", h)):
        print(f"== {half} half: the {len(halves[half])} stories read a second time")
        score(halves[half])


if __name__ == "__main__":
    main()
