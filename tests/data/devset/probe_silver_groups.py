"""Probe (2026-12-07, thirty-fourth session; lost, nothing built): silver claim groups for the
same-claim judge from FNC-1 train stories no labelled body belongs to. Figures: the README,
"Same-claim judge: what was tried".

    python3 tests/data/devset/probe_silver_groups.py prepare SHARED OUT
    claimscope segment OUT/bodies.jsonl --format jsonl > OUT/segments.jsonl
    python3 tests/data/devset/probe_silver_groups.py pairs SHARED OUT
    claimscope classify --task stance --pairs OUT/pairs.jsonl --format jsonl > OUT/labelled.jsonl
    python3 tests/data/devset/probe_silver_groups.py write SHARED OUT
    claimscope train judge --gold train --devset OUT/devset --epochs 4 --lr 3e-5 \
        --stories IDS12,$(cat OUT/kept.txt) -o judge-12-silver
    claimscope eval claims --judge judge-12-silver --choose-floor --no-labels

Stage 1 (`prepare`): FNC-1 train story components (related stances) that share no body with
the labelled set; per story the claim = the headline with most `agree` bodies; writes
bodies.jsonl (docs to segment) and the story plan.
Stage 2 (`pairs`): from `claimscope segment` output, writes claim/text pairs for classify.
Stage 3 (`write`): from classify output, S = p(agree) >= 0.9 in bodies labelled agree toward
the claim, D = p(disagree) >= 0.8 in bodies labelled disagree; a group kept only with sentences
from >= 2 documents, capped at 12 (seeded); writes a probe dev set dir (originals + silver, split
train).
"""
import csv, json, os, random, sys, collections

SH = os.path.join(sys.argv[2], "data", "fnc1")
DEV = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[3]
csv.field_size_limit(10**9)
# same event area as a held-out story (banksy-charlie-hebdo), decided by claim words before any label was read
EXCLUDE = {"silver-056"}

def prepare():
    bodies = {r["Body ID"]: r["articleBody"] for r in csv.DictReader(open(f"{SH}/train_bodies.csv", encoding="utf-8"))}
    rows = list(csv.DictReader(open(f"{SH}/train_stances.reconstructed.csv", encoding="utf-8")))
    parent = {}
    def find(x):
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x]); x = parent[x]
        return x
    for r in rows:
        if r["Stance"] != "unrelated":
            a, b = find("H:" + r["Headline"]), find("B:" + r["Body ID"])
            if a != b: parent[a] = b
    labelled = set()
    for l in open(f"{DEV}/documents.jsonl"):
        d = json.loads(l); labelled.add(d["id"].replace("fnc1-train-", ""))
    comp = collections.defaultdict(lambda: {"bodies": set(), "rows": []})
    for r in rows:
        if r["Stance"] == "unrelated": continue
        c = comp[find("B:" + r["Body ID"])]
        c["bodies"].add(r["Body ID"]); c["rows"].append(r)
    plan = []
    for root, c in comp.items():
        if c["bodies"] & labelled: continue
        by_h = collections.defaultdict(dict)
        for r in c["rows"]: by_h[r["Headline"]][r["Body ID"]] = r["Stance"]
        h = max(sorted(by_h), key=lambda h: (sum(v == "agree" for v in by_h[h].values()), len(by_h[h])))
        lab = by_h[h]
        if sum(v == "agree" for v in lab.values()) + sum(v == "disagree" for v in lab.values()) < 2: continue
        plan.append({"claim": h, "bodies": lab})
    plan.sort(key=lambda p: min(int(b) for b in p["bodies"]))
    for i, p in enumerate(plan): p["story"] = f"silver-{i:03d}"
    json.dump(plan, open(f"{OUT}/plan.json", "w"), indent=0)
    with open(f"{OUT}/bodies.jsonl", "w") as f:
        for p in plan:
            for b in sorted(p["bodies"], key=int):
                f.write(json.dumps({"id": f"fnc1-train-{b}", "text": bodies[b]}) + "\n")
    print(len(plan), "stories", sum(len(p["bodies"]) for p in plan), "bodies", file=sys.stderr)

def pairs():
    plan = json.load(open(f"{OUT}/plan.json"))
    claim_of = {f"fnc1-train-{b}": p["claim"] for p in plan for b in p["bodies"]}
    n = 0
    with open(f"{OUT}/pairs.jsonl", "w") as f:
        for l in open(f"{OUT}/segments.jsonl"):
            s = json.loads(l)
            if s.get("kind", "text") != "text": continue
            f.write(json.dumps({"claim": claim_of[s["doc"]], "text": s["text"], "doc": s["doc"], "start": s["start"], "end": s["end"]}) + "\n"); n += 1
    print(n, "pairs", file=sys.stderr)

def write():
    plan = json.load(open(f"{OUT}/plan.json"))
    rng = random.Random(13)
    preds = collections.defaultdict(list)
    for l in open(f"{OUT}/labelled.jsonl"):
        r = json.loads(l); preds[r["doc"]].append(r)
    texts = {json.loads(l)["id"]: json.loads(l)["text"] for l in open(f"{OUT}/bodies.jsonl")}
    dst = f"{OUT}/devset"; os.makedirs(f"{dst}/stories", exist_ok=True)
    for fn in os.listdir(f"{DEV}/stories"):
        t = f"{dst}/stories/{fn}"
        if not os.path.exists(t): os.symlink(f"{DEV}/stories/{fn}", t)
    docs_out = open(f"{dst}/documents.jsonl", "w")
    docs_out.write(open(f"{DEV}/documents.jsonl").read())
    kept = []; stats = collections.Counter()
    for p in plan:
        if p["story"] in EXCLUDE: continue
        groups = {"S": [], "D": []}
        for b, lab in p["bodies"].items():
            doc = f"fnc1-train-{b}"
            for r in preds.get(doc, []):
                sc = r["scores"]; st = r["stance"]["label"] if isinstance(r["stance"], dict) else r["stance"]
                if lab == "agree" and st == "agree" and sc["agree"] >= 0.9: groups["S"].append(r)
                if lab == "disagree" and st == "disagree" and sc["disagree"] >= 0.8: groups["D"].append(r)
        rows = []
        for g, mem in groups.items():
            if len({m["doc"] for m in mem}) < 2: continue
            if len(mem) > 12: mem = rng.sample(mem, 12)
            stats[g] += len(mem); stats[g + "groups"] += 1
            for m in mem:
                rows.append({"story": p["story"], "doc": m["doc"], "index": 0, "paragraph": 0, "start": m["start"], "end": m["end"], "kind": "text", "text": m["text"], "group": g, "stance": "agree" if g == "S" else "disagree", "confidence": "high", "cues": []})
        if not rows: continue
        rows.sort(key=lambda r: (r["doc"], r["start"]))
        kept.append(p["story"])
        with open(f"{dst}/stories/{p['story']}.jsonl", "w") as f:
            for r in rows: f.write(json.dumps(r) + "\n")
        json.dump({"story": p["story"], "split": "train", "claim": p["claim"]}, open(f"{dst}/stories/{p['story']}.meta.json", "w"))
        for b in sorted(p["bodies"], key=int):
            docs_out.write(json.dumps({"id": f"fnc1-train-{b}", "story": p["story"], "text": texts[f"fnc1-train-{b}"]}) + "\n")
    open(f"{OUT}/kept.txt", "w").write(",".join(kept))
    print(len(kept), "stories", dict(stats), file=sys.stderr)

{"prepare": prepare, "pairs": pairs, "write": write}[sys.argv[1]]()
