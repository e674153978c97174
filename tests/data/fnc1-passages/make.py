"""FNC-1 train passages as extra pairs for the stance pair model (`train stance-pair
--extra-pairs even.jsonl --fnc1-stories-seen even`): an FNC-1 headline and the three sentences
of its body that share most words with it, in body order, labelled with the body's stance.

Usage (from the repository root; deterministic, seeded):

    python3 tests/data/fnc1-passages/make.py even CLAIMSCOPE > tests/data/fnc1-passages/even.jsonl
    python3 tests/data/fnc1-passages/make.py even CLAIMSCOPE all 1515 > more.jsonl   # other mixes

where CLAIMSCOPE is a built `claimscope` binary (its `segment` splits the bodies). Which pairs:
related FNC-1 train pairs (agree, disagree, discuss) of the stories of one Body ID parity
(a story is a connected component of headlines and bodies linked by a related stance; its
parity is its smallest Body ID's, as `claimscope train stance-body` splits), leaving out every
story that holds a body of the labelled set's dev or test half or a headline of Emergent test
(FNC-1 was built from Emergent's articles: its headlines are Emergent's, and Emergent's test
figure should not read stories trained on). Every `disagree` pair, and 600
each of `agree` and `discuss`, drawn with seed 13. Stories of the other parity are left for
`eval stance` to choose its FNC-1 gate and class weights on.
"""
import collections
import csv
import glob
import json
import os
import random
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
FNC1 = os.path.join(ROOT, "..", "shared", "data", "fnc1")
DEVSET = os.path.join(ROOT, "tests", "data", "devset", "stories")
EMERGENT_TEST = os.path.join(ROOT, "..", "shared", "data", "emergent",
                             "url-versions-2015-06-14-clean-test.csv")
PER_CLASS = {"agree": 600, "disagree": None, "discuss": 600}
STOP = set("the a an of to in and is was for on that with by as at from it be has have are "
           "were this said".split())


def main(parity, claimscope):
    if parity not in ("even", "odd"):
        sys.exit("parity must be even or odd")
    rows = list(csv.DictReader(open(os.path.join(FNC1, "train_stances.reconstructed.csv"))))
    bodies = {r["Body ID"]: r["articleBody"]
              for r in csv.DictReader(open(os.path.join(FNC1, "train_bodies.csv")))}
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in rows:
        if r["Stance"] != "unrelated":
            parent[find("H:" + r["Headline"])] = find("B:" + r["Body ID"])
    held = set()
    for m in glob.glob(os.path.join(DEVSET, "*.meta.json")):
        if json.load(open(m))["split"] == "train":
            continue
        for line in open(m.replace(".meta.json", ".jsonl")):
            held.add(json.loads(line)["doc"].replace("fnc1-train-", ""))
    held_stories = {find("B:" + b) for b in held}
    emergent_test = {r["articleHeadline"].strip().lower()
                     for r in csv.DictReader(open(EMERGENT_TEST, encoding="utf-8"))}
    held_stories |= {find(k) for k in list(parent)
                     if k.startswith("H:") and k[2:].strip().lower() in emergent_test}
    smallest = {}
    for k in list(parent):
        if k.startswith("B:"):
            c = find(k)
            smallest[c] = min(smallest.get(c, 10**9), int(k[2:]))
    by_label = collections.defaultdict(list)
    for r in rows:
        if r["Stance"] == "unrelated":
            continue
        c = find("B:" + r["Body ID"])
        if c in held_stories or (smallest[c] % 2 == 0) != (parity == "even"):
            continue
        by_label[r["Stance"]].append(r)
    rng = random.Random(13)
    picked = []
    for label, rs in sorted(by_label.items()):
        rs = sorted(rs, key=lambda r: (r["Body ID"], r["Headline"]))
        rng.shuffle(rs)
        picked += rs if PER_CLASS[label] is None else rs[: PER_CLASS[label]]
    needed = sorted({r["Body ID"] for r in picked}, key=int)
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for b in needed:
            f.write(json.dumps({"id": b, "outlet": "fnc1", "text": bodies[b]}) + "\n")
        path = f.name
    try:
        out = subprocess.run([claimscope, "segment", path, "--format", "jsonl"],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(path)
    sentences = collections.defaultdict(list)
    for line in out.splitlines():
        s = json.loads(line)
        if s.get("kind", "text") == "text":
            sentences[s["doc"]].append(s["text"])

    def words(t):
        return {w for w in re.findall(r"[a-z0-9']+", t.lower()) if w not in STOP}

    counts = collections.Counter()
    for r in picked:
        ss = sentences.get(r["Body ID"], [])
        if not ss:
            continue
        h = words(r["Headline"])
        order = sorted(range(len(ss)),
                       key=lambda i: -len(h & words(ss[i])) / (1 + len(words(ss[i]))) ** 0.5)
        text = " ".join(ss[i] for i in sorted(order[:3]))
        print(json.dumps({"claim": r["Headline"], "text": text, "label": r["Stance"]}))
        counts[r["Stance"]] += 1
    print(f"{parity} stories: {dict(counts)}", file=sys.stderr)


if __name__ == "__main__":
    # Optional: how many `agree` and `discuss` pairs to draw (a number, or "all"), for trying
    # other mixes; the committed file is the default, 600 each.
    if len(sys.argv) not in (3, 5):
        sys.exit(__doc__)
    if len(sys.argv) == 5:
        for label, n in zip(("agree", "discuss"), sys.argv[3:]):
            PER_CLASS[label] = None if n == "all" else int(n)
    main(sys.argv[1], sys.argv[2])
