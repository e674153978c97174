"""Corpus runs on Ray, with stories as the unit of work.

    from claimscope.ray import read, run
    summary = run(read(["crawl.warc.gz", "feeds/"]), "out/")   # or any dicts with id, text, ...

Stages:
1. sentences: segment + embed + asserted confidence in `map_batches` over documents, on an actor
   pool (one model load per actor) -> `out/sentences/*.parquet` (provenance, confidence,
   probability, cues, the 384-float embedding);
2. stories: document leads grouped into stories on the driver with the library's own story
   grouping (the same function as `claimscope stories`; it embeds one lead per document and
   links documents by lead similarity, shared names and numbers, and dates within a window);
3. match, one Ray task per story (`claimscope.match` on that story's documents) ->
   `out/groups/<story>.json`, written under a temporary name and renamed: a rerun skips the
   stories already written (resumable), so a killed run loses at most the stories in flight.

A story never straddles two workers: stage 2 sees every document, so the story of a 2021 report
and its follow-ups is decided once, and stage 3 gets it whole.
"""

from __future__ import annotations

import json
import os
import pathlib
from typing import Any, Iterable, Mapping

import claimscope


def _sentence_schema():
    import pyarrow as pa

    text = ["doc", "outlet", "date", "kind", "text", "confidence", "cues"]
    ints = ["paragraph", "index", "start", "end"]
    fields = [pa.field(n, pa.string()) for n in text] + [pa.field(n, pa.int64()) for n in ints]
    fields += [pa.field("probability", pa.float64()), pa.field("embedding", pa.list_(pa.float32(), 384))]
    return pa.schema(fields)


class _Sentences:
    """Stage 1 on one actor: the models load once, in the constructor."""

    def __init__(self) -> None:
        self.embedder = claimscope.Embedder()
        self.schema = _sentence_schema()

    def __call__(self, batch: Mapping[str, Any]):
        import pyarrow as pa

        rows: list[dict] = []
        for i in range(len(batch["id"])):
            meta = {k: str(batch[k][i]) for k in ("outlet", "date", "title") if k in batch and batch[k][i]}
            rows.extend(claimscope.segment(str(batch["text"][i]), id=str(batch["id"][i]), **meta))
        texts = [r["text"] for r in rows]
        labels = claimscope.classify_confidence(texts) if texts else []
        vectors = self.embedder.embed(texts) if texts else []
        cols: dict[str, list] = {
            k: [r[k] for r in rows]
            for k in ("doc", "outlet", "date", "kind", "text", "paragraph", "index", "start", "end")
        }
        cols["confidence"] = [l["confidence"] for l in labels]
        cols["cues"] = [json.dumps(l["cues"]) for l in labels]
        cols["probability"] = [l["probability"] for l in labels]
        cols["embedding"] = [v.tolist() for v in vectors]
        # One schema for every batch: a batch whose dates are all missing must not make the
        # column null-typed and clash with the next.
        return pa.table({f.name: cols[f.name] for f in self.schema}, schema=self.schema)


def _match_story(story: str, docs: list[dict], out: str) -> str:
    """Stage 3 for one story: its groups, written atomically."""
    path = pathlib.Path(out) / f"{story}.json"
    if path.exists():
        return "skipped"
    result = claimscope.match(docs)
    for g in result["groups"]:
        g["story"] = story
    tmp = path.with_suffix(".json.partial")
    tmp.write_text(json.dumps(result["groups"]))
    os.replace(tmp, path)
    return "written"


def read(paths: Iterable[str]) -> list[dict]:
    """Documents of a corpus: Parquet files (a `text` column, and `id`, `outlet`, `date`,
    `title`, `url` when present) through pyarrow; everything else (text, JSONL, CSV, saved
    pages, WARC) as the CLI reads it."""
    paths = [str(p) for p in paths]
    docs: list[dict] = []
    parquet = [p for p in paths if p.endswith(".parquet")]
    if parquet:
        import pyarrow.parquet as pq

        for p in parquet:
            docs.extend(pq.read_table(p).to_pylist())
    rest = [p for p in paths if not p.endswith(".parquet")]
    if rest:
        docs.extend(claimscope.read_documents(rest))
    return docs


def _documents(documents: Iterable[Mapping[str, Any]]) -> list[dict]:
    docs = []
    for i, d in enumerate(documents):
        if not isinstance(d.get("text"), str):
            raise ValueError(f"document {i}: no string \"text\"")
        doc = {"id": str(d.get("id", f"doc{i}")), "text": d["text"]}
        for k in ("outlet", "date", "title", "url"):
            if d.get(k):
                doc[k] = str(d[k])
        docs.append(doc)
    return docs


def run(documents: Iterable[Mapping[str, Any]], out: str, *, actors: int = 2, batch_size: int = 16) -> dict:
    """Run the three stages on the connected Ray cluster (`ray.init` first; a local one is
    started when none is). Returns the story of every document and the groups, as
    `claimscope match --format json` has them (`story` is the story id of stage 2)."""
    import ray

    if not ray.is_initialized():
        ray.init()
    docs = _documents(documents)
    out_dir = pathlib.Path(out)
    (out_dir / "groups").mkdir(parents=True, exist_ok=True)

    sentences = out_dir / "sentences"
    if not sentences.exists():
        ds = ray.data.from_items(docs)
        ds = ds.map_batches(
            _Sentences,
            batch_size=batch_size,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=actors),
        )
        tmp = out_dir / "sentences.partial"
        ds.write_parquet(str(tmp))
        os.replace(tmp, sentences)

    stories = claimscope.stories(docs)
    by_id = {d["id"]: d for d in docs}
    match = ray.remote(_match_story)
    pending = [
        match.remote(s["id"], [by_id[m["doc"]] for m in s["documents"]], str(out_dir / "groups"))
        for s in stories["stories"]
        if len(s["documents"]) >= 2
    ]
    states = ray.get(pending)
    groups = []
    for s in stories["stories"]:
        path = out_dir / "groups" / f"{s['id']}.json"
        if path.exists():
            groups.extend(json.loads(path.read_text()))
    return {
        "stories": stories["stories"],
        "groups": groups,
        "written": states.count("written"),
        "skipped": states.count("skipped"),
    }
