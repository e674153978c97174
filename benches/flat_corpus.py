#!/usr/bin/env python3
"""Write the JSONL corpus of the flat-memory measurements (README, "Flat memory").

FNC-1 *train* bodies (never the competition-test ones: acceptance data) in file order, repeated
until the next line would pass SIZE bytes: ids r{repeat}-{body id}, outlets outlet{id % 17}.
With --copies K the result is K copies of that corpus, ids prefixed k{copy}- (how the 1 GB file
was made: ten copies of the 100 MB one).

Usage: python3 benches/flat_corpus.py ../shared/data/fnc1 SIZE [--copies K] > corpus.jsonl
  SIZE in bytes, e.g. 100000000. Deterministic: the same files give the same bytes.
"""
import csv
import json
import sys


def lines(fnc1, limit):
    with open(f"{fnc1}/train_bodies.csv", encoding="utf-8") as f:
        bodies = [(r["Body ID"], r["articleBody"]) for r in csv.DictReader(f)]
    size, repeat = 0, 0
    while True:
        for bid, text in bodies:
            line = json.dumps({"id": f"r{repeat}-{bid}", "outlet": f"outlet{int(bid) % 17}",
                               "text": text}) + "\n"
            n = len(line.encode("utf-8"))
            if size + n > limit:
                return
            size += n
            yield line
        repeat += 1


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--copies"):
        sys.exit(__doc__)
    fnc1, limit = argv[0], int(argv[1])
    copies = int(argv[3]) if len(argv) == 4 else 0
    out = sys.stdout
    if copies == 0:
        out.writelines(lines(fnc1, limit))
        return
    base = list(lines(fnc1, limit))
    for k in range(copies):
        for line in base:
            out.write(line.replace('{"id": "', f'{{"id": "k{k}-', 1))


if __name__ == "__main__":
    main(sys.argv[1:])
