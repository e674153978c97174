"""Probe of the issue's option (b): do aligned arguments (shared names, numbers, content words,
negation) add to base-model cosine as a same-claim judge? A logistic model over pair features,
fitted on the train stories' cross-document pairs, its threshold chosen on dev, scored on test;
bare cosine with its threshold chosen on dev beside it. `--oracle-stance` adds the labelled
stance of both sentences (an upper bound for a stance-consistency filter, not a method).

    cat tests/data/devset/stories/*.jsonl > /tmp/all.jsonl
    claimscope embed /tmp/all.jsonl --format npy -o /tmp/base.npy
    python3 tests/data/devset/probe_alignment.py /tmp/all.jsonl /tmp/base.npy [--oracle-stance]

Needs numpy. Figures of 2026-12-02 are in the README (`match`, "What was tried").
"""
import collections
import itertools
import json
import os
import re
import sys

import numpy as np

rows = [json.loads(l) for l in open(sys.argv[1])]
E = np.load(sys.argv[2])
oracle = "--oracle-stance" in sys.argv
assert len(rows) == len(E), "vectors and sentences differ in number"
readme = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "README.md")).read()
split = {m.group(1): m.group(2)
         for m in re.finditer(r"^\| ([a-z0-9-]+) \| (dev|test|train) \|", readme, re.M)}
STOP = set("a an the of to in on at for and or but is are was were be been being has have had "
           "it its this that these those with by from as he she they his her their them we i "
           "you not no".split())
NEG = re.compile(r"\b(not|no|never|n't|denied|denies|deny|false|hoax|fake|untrue)\b", re.I)


def nums(t):
    return set(re.findall(r"\d+(?:[.,]\d+)?", t))


def names(t):
    toks = re.findall(r"[A-Za-z][\w'’-]*", t)
    return {w.lower() for i, w in enumerate(toks) if w[0].isupper() and i > 0}


def content(t):
    return {w.lower()[:6] for w in re.findall(r"[A-Za-z]+", t) if w.lower() not in STOP and len(w) > 2}


def jaccard(x, y):
    return len(x & y) / len(x | y) if x | y else 0.0


def features(i, j):
    a, b = rows[i]["text"], rows[j]["text"]
    c = float(E[i] @ E[j])
    na, nb, ca, cb = nums(a), nums(b), content(a), content(b)
    la, lb = len(a.split()), len(b.split())
    f = [c, c * c, jaccard(names(a), names(b)), jaccard(ca, cb),
         len(ca & cb) / max(1, min(len(ca), len(cb))),
         float(bool(na and nb and not na & nb)), float(bool(na & nb)),
         float(bool(NEG.search(a)) != bool(NEG.search(b))), abs(np.log(la / lb)), np.log(min(la, lb))]
    if oracle:
        sa, sb = rows[i]["stance"], rows[j]["stance"]
        f += [float("disagree" in (sa, sb) and sa != sb), float(sa == sb), float("unrelated" in (sa, sb))]
    return f


by_story = collections.defaultdict(list)
for i, r in enumerate(rows):
    by_story[r["story"]].append(i)
X = {"train": [], "dev": [], "test": []}
Y = {"train": [], "dev": [], "test": []}
for story, idx in by_story.items():
    for i, j in itertools.combinations(idx, 2):
        if rows[i]["doc"] == rows[j]["doc"]:
            continue
        X[split[story]].append(features(i, j))
        Y[split[story]].append(rows[i]["group"] is not None and rows[i]["group"] == rows[j]["group"])
X = {k: np.array(v) for k, v in X.items()}
Y = {k: np.array(v, float) for k, v in Y.items()}
mu, sd = X["train"].mean(0), X["train"].std(0) + 1e-9
Z = {k: (v - mu) / sd for k, v in X.items()}


def fit(z, y, l2=1e-3, steps=3000, lr=0.5):
    # Balanced logistic regression by plain gradient descent: deterministic, no extra package.
    w, b = np.zeros(z.shape[1]), 0.0
    sw = np.where(y > 0, (1 - y).sum() / y.sum(), 1.0)
    sw /= sw.mean()
    for _ in range(steps):
        g = (1 / (1 + np.exp(-(z @ w + b))) - y) * sw
        w -= lr * (z.T @ g / len(y) + l2 * w)
        b -= lr * g.mean()
    return w, b


def prf(score, y, t):
    pred = score >= t
    tp = (pred & (y > 0)).sum()
    p, r = tp / max(1, pred.sum()), tp / y.sum()
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def best(score, y):
    return max(np.quantile(score, np.linspace(0.5, 0.999, 400)), key=lambda t: prf(score, y, t)[2])


for name, score in [("bare cosine", {k: X[k][:, 0] for k in X}),
                    ("cosine + alignment" + (" + gold stance" if oracle else ""),
                     (lambda w, b: {k: Z[k] @ w + b for k in Z})(*fit(Z["train"], Y["train"])))]:
    t = best(score["dev"], Y["dev"])
    print("%-40s dev P/R/F1 %.3f %.3f %.3f   test %.3f %.3f %.3f" % (
        name, *prf(score["dev"], Y["dev"], t), *prf(score["test"], Y["test"], t)))
