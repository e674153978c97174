#!/usr/bin/env python3
"""Check labelled stories against LABELLING.md's rules before they are used.

Usage: python3 tests/data/devset/check.py [STORY ...]   (default: every story with a meta.json)
Checks: every sentence labelled with a known value; spans match documents.jsonl; a group holds
sentences of at least two documents; cues only on moderate/low sentences (and such a sentence
names its cue, each cue appearing in the sentence); the meta has a claim and a split.
Exit status 1 with one line per problem.
"""
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
STANCES = {"agree", "disagree", "discuss", "unrelated"}
LEVELS = {"high", "moderate", "low", "none"}


def check(story, docs):
    problems = []
    meta_path = os.path.join(HERE, "stories", f"{story}.meta.json")
    try:
        meta = json.load(open(meta_path, encoding="utf-8"))
    except (OSError, ValueError) as e:
        return [f"{meta_path}: {e}"]
    if not meta.get("claim") or meta.get("split") not in {"dev", "test", "train"}:
        problems.append(f"{meta_path}: needs a claim and a split of dev/test/train")
    if meta.get("story") != story:
        problems.append(f"{meta_path}: story is {meta.get('story')!r}, not {story!r}")
    path = os.path.join(HERE, "stories", f"{story}.jsonl")
    groups = {}
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        where = f"{path}:{n}"
        try:
            s = json.loads(line)
        except ValueError as e:
            problems.append(f"{where}: {e}")
            continue
        text = docs.get(s.get("doc"), "")
        if text.encode("utf-8")[s["start"]:s["end"]].decode("utf-8", "replace") != s["text"]:
            problems.append(f"{where}: span {s['start']}..{s['end']} does not match {s['doc']}")
        if s.get("stance") not in STANCES:
            problems.append(f"{where}: stance {s.get('stance')!r}")
        if s.get("confidence") not in LEVELS:
            problems.append(f"{where}: confidence {s.get('confidence')!r}")
        cues = s.get("cues")
        if not isinstance(cues, list):
            problems.append(f"{where}: cues must be a list")
        elif s.get("confidence") in {"high", "none"} and cues:
            problems.append(f"{where}: cues {cues} on a {s['confidence']} sentence")
        elif s.get("confidence") in {"moderate", "low"} and not cues:
            problems.append(f"{where}: a {s['confidence']} sentence names no cue")
        else:
            for c in cues:
                if c.lower() not in s["text"].lower():
                    problems.append(f"{where}: cue {c!r} is not in the sentence")
        g = s.get("group")
        if g is not None:
            if not isinstance(g, str) or not g:
                problems.append(f"{where}: group must be null or a short id")
            else:
                groups.setdefault(g, set()).add(s["doc"])
    for g, ds in sorted(groups.items()):
        if len(ds) < 2:
            problems.append(f"{path}: group {g!r} has sentences of one document only")
    return problems


def main(args):
    docs = {}
    for line in open(os.path.join(HERE, "documents.jsonl"), encoding="utf-8"):
        d = json.loads(line)
        docs[d["id"]] = d["text"]
    stories = args or sorted(
        os.path.basename(p)[: -len(".meta.json")]
        for p in glob.glob(os.path.join(HERE, "stories", "*.meta.json"))
    )
    problems = [p for st in stories for p in check(st, docs)]
    for p in problems:
        print(p)
    print(f"{len(stories)} stories checked, {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
