"""Corpus runs on Ray, with stories as the unit of work.

    from claimscope.ray import read, run
    summary = run(read(["crawl.warc.gz", "feeds/"]), "out/")   # or any dicts with id, text, ...

Stages:
1. sentences: segment + embed + asserted confidence in `map_batches` on an actor pool (one model
   load per actor), one shard of `shard_size` documents per call -> `out/sentences/part-NNNNN.parquet`
   (provenance, confidence, probability, cues, the 384-float embedding);
2. stories: document leads grouped into stories on the driver with the library's own story
   grouping (the same function as `claimscope stories`; it embeds one lead per document and
   links documents by lead similarity, shared names and numbers, and dates within a window);
3. match, one Ray task per story (`claimscope.match` on that story's documents) ->
   `out/groups/<story>.json`.

Every output file is written under a temporary name and renamed, so a file under its final name
is whole. A rerun on the same documents skips the shards and stories already written: a worker
or driver killed mid-shard loses only the shards in flight, and the rerun redoes them and removes
the temporary files the killed writers left. An output
file that is there but unreadable (cut short, overwritten) is reported, counted, moved to
`out/corrupt/` and redone from the documents. An input file that cannot be read is reported
and skipped with a count by `read`, and the rest of the corpus goes on.

A story never straddles two workers: stage 2 sees every document, so the story of a 2021 report
and its follow-ups is decided once, and stage 3 gets it whole.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pathlib
import resource
import time
import uuid
import warnings
from typing import Any, Iterable, Mapping

import claimscope

_log = logging.getLogger("claimscope.ray")
MANIFEST = "manifest.json"


def _sentence_schema():
    import pyarrow as pa

    text = ["doc", "outlet", "date", "kind", "text", "confidence", "cues"]
    ints = ["paragraph", "index", "start", "end"]
    fields = [pa.field(n, pa.string()) for n in text] + [pa.field(n, pa.int64()) for n in ints]
    fields += [pa.field("probability", pa.float64()), pa.field("embedding", pa.list_(pa.float32(), 384))]
    return pa.schema(fields)


def _write_atomically(path: pathlib.Path, write) -> None:
    """`write(tmp)` then rename: a reader (or a rerun) never sees a half-written file under its
    final name. The temporary name is unique, so two attempts at one shard cannot clash."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _sentences(docs: list[dict], embedder, schema):
    """Stage 1 for a list of documents: a pyarrow table of their sentences, and the seconds spent
    in each step."""
    import pyarrow as pa

    t0 = time.perf_counter()
    rows: list[dict] = []
    for d in docs:
        meta = {k: d[k] for k in ("outlet", "date", "title", "url") if d.get(k)}
        rows.extend(claimscope.segment(d["text"], id=d["id"], **meta))
    texts = [r["text"] for r in rows]
    t1 = time.perf_counter()
    labels = claimscope.classify_confidence(texts) if texts else []
    t2 = time.perf_counter()
    vectors = embedder.embed(texts) if texts else []
    t3 = time.perf_counter()
    cols: dict[str, list] = {
        k: [r[k] for r in rows]
        for k in ("doc", "outlet", "date", "kind", "text", "paragraph", "index", "start", "end")
    }
    cols["confidence"] = [l["confidence"] for l in labels]
    cols["cues"] = [json.dumps(l["cues"]) for l in labels]
    cols["probability"] = [l["probability"] for l in labels]
    cols["embedding"] = [v.tolist() for v in vectors]
    # One schema for every shard: a shard whose dates are all missing must not make the column
    # null-typed and clash with the next.
    table = pa.table({f.name: cols[f.name] for f in schema}, schema=schema)
    return table, {"segment": t1 - t0, "confidence": t2 - t1, "embed": t3 - t2}


class _SentenceShards:
    """Stage 1 on one actor: the models load once, in the constructor; each call writes whole
    shards and returns one row of figures per shard."""

    def __init__(self, out: str, cpus: int = 1) -> None:
        _threads(cpus)
        self.out = pathlib.Path(out)
        self.embedder = claimscope.Embedder()
        self.schema = _sentence_schema()

    def __call__(self, batch: Mapping[str, Any]) -> dict:
        import pyarrow.parquet as pq

        figures: dict[str, list] = {
            k: [] for k in ("shard", "docs", "rows", "segment", "confidence", "embed", "write", "pid", "rss_mib")
        }
        for shard, docs_json in zip(batch["shard"], batch["docs"]):
            docs = json.loads(str(docs_json))
            table, seconds = _sentences(docs, self.embedder, self.schema)
            t = time.perf_counter()
            _write_atomically(self.out / _shard_name(int(shard)), lambda p: pq.write_table(table, p))
            seconds["write"] = time.perf_counter() - t
            figures["shard"].append(int(shard))
            figures["docs"].append(len(docs))
            figures["rows"].append(table.num_rows)
            for k in ("segment", "confidence", "embed", "write"):
                figures[k].append(seconds[k])
            figures["pid"].append(os.getpid())
            figures["rss_mib"].append(_peak_rss_mib())
        return figures


def _threads(cpus: int) -> None:
    """The library's thread pool is sized when first used, from RAYON_NUM_THREADS: set it to the
    CPUs Ray gave this worker, or every worker would start one thread per core of the node."""
    os.environ.setdefault("RAYON_NUM_THREADS", str(max(1, int(cpus))))


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _shard_name(i: int) -> str:
    return f"part-{i:05d}.parquet"


def _match_story(story: str, docs: list[dict], out: str, cpus: float) -> dict:
    """Stage 3 for one story: its groups, written atomically."""
    _threads(int(cpus))
    path = pathlib.Path(out) / f"{story}.json"
    t = time.perf_counter()
    result = claimscope.match(docs)
    for g in result["groups"]:
        g["story"] = story
    _write_atomically(path, lambda p: p.write_text(json.dumps(result["groups"])))
    return {"story": story, "seconds": time.perf_counter() - t, "documents": len(docs), "pid": os.getpid(), "rss_mib": _peak_rss_mib()}


def _gather(pending: list, what: str, every: float = 10.0) -> list:
    """`ray.get` of the story tasks, with a progress line in the driver's log every `every`
    seconds (Ray Data logs stage 1's progress itself; plain tasks only show in the dashboard)."""
    import ray

    results, left, last = [], list(pending), time.monotonic()
    while left:
        done, left = ray.wait(left, num_returns=len(left), timeout=every)
        results.extend(ray.get(done))
        if left and time.monotonic() - last >= every:
            _log.info("%s: %d of %d stories done", what, len(results), len(pending))
            last = time.monotonic()
    _log.info("%s: %d stories done", what, len(results))
    return results


def _readable_parquet(path: pathlib.Path) -> bool:
    import pyarrow.parquet as pq

    try:
        pq.read_metadata(path)
        return True
    except Exception:  # noqa: BLE001 - any failure to read the footer means a damaged file
        return False


def _readable_json(path: pathlib.Path) -> bool:
    try:
        return isinstance(json.loads(path.read_text(encoding="utf-8")), list)
    except (OSError, ValueError):
        return False


def _set_aside(path: pathlib.Path, corrupt: list[str], root: pathlib.Path) -> None:
    """Move an unreadable output to `out/corrupt/` (kept for a look, out of the dataset that
    Spark, DuckDB or pyarrow read from `out/sentences/`)."""
    name = str(path.relative_to(root))
    aside = root / "corrupt" / name
    aside.parent.mkdir(parents=True, exist_ok=True)
    warnings.warn(f"{path}: unreadable output file (cut short or overwritten); moved to {aside} and redone")
    corrupt.append(name)
    os.replace(path, aside)


class Documents(list):
    """The documents `read` found, and the input files it had to skip: `skipped` is a list of
    (path, reason)."""

    skipped: list[tuple[str, str]]


def read(paths: Iterable[str]) -> Documents:
    """Documents of a corpus, read as the CLI reads them: text, JSONL, CSV, Parquet (a `text`
    column, and `id`, `outlet`, `date`, `title`, `url` when present), saved pages, WARC. A file
    that cannot be read is skipped with a warning and listed in the result's `skipped`; the other
    files are read."""
    docs = Documents()
    docs.skipped = []
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    for p in (os.fspath(p) for p in paths):
        docs.extend(_read_one(p, docs.skipped))
    if docs.skipped:
        warnings.warn(f"{len(docs.skipped)} input file(s) skipped: " + "; ".join(f"{p}: {r}" for p, r in docs.skipped))
    return docs


def _read_one(path: str, skipped: list[tuple[str, str]]) -> list[dict]:
    try:
        return claimscope.read_documents([path])
    except Exception as e:  # noqa: BLE001 - the library raises ValueError and OSError kinds
        if os.path.isdir(path):
            # One bad file must not cost the rest of its directory: read it file by file.
            out: list[dict] = []
            for entry in sorted(os.listdir(path)):
                if not entry.startswith("."):
                    out.extend(_read_one(os.path.join(path, entry), skipped))
            return out
        skipped.append((path, str(e).splitlines()[0] if str(e) else type(e).__name__))
        return []


def _documents(documents: Iterable[Mapping[str, Any]]) -> list[dict]:
    docs = []
    for i, d in enumerate(documents):
        if not isinstance(d.get("text"), str):
            raise ValueError(f"document {i}: no string \"text\"")
        given = d.get("id")
        doc = {"id": f"doc{i}" if given is None else str(given), "text": d["text"]}
        for k in ("outlet", "date", "title", "url"):
            if d.get(k):
                doc[k] = str(d[k])
        docs.append(doc)
    # Stories and groups name documents by id: two documents under one id would be matched as
    # one (the last of them, against itself), so the run refuses them before any work.
    seen: dict[str, int] = {}
    repeated = []
    for i, doc in enumerate(docs):
        if doc["id"] in seen:
            repeated.append(f"{doc['id']!r} (documents {seen[doc['id']]} and {i})")
        seen.setdefault(doc["id"], i)
    if repeated:
        raise ValueError(
            f"{len(repeated)} document id(s) given more than once: " + "; ".join(repeated[:10])
            + "; give each document its own id"
        )
    return docs


def _sweep_partials(out_dir: pathlib.Path) -> list[str]:
    """Remove the temporary files a killed worker or driver left behind (`kill -9` skips
    `_write_atomically`'s cleanup): nothing reads them, and they would sit in the Parquet
    dataset's directory for good. A rerun owns its output directory, so any temporary file
    there is from a dead writer; two runs at once on one directory are not supported (the
    manifest and the skip logic assume one writer)."""
    removed = []
    for sub in ("sentences", "groups", ""):
        d = out_dir / sub
        for tmp in sorted(d.glob(".*.partial")):
            try:
                tmp.unlink()
                removed.append(str(tmp.relative_to(out_dir)))
            except FileNotFoundError:
                pass
    if removed:
        _log.info("removed %d temporary file(s) left by an interrupted run", len(removed))
    return removed


def _shards(docs: list[dict], shard_size: int) -> list[list[dict]]:
    return [docs[i : i + shard_size] for i in range(0, len(docs), shard_size)]


def _check_manifest(out_dir: pathlib.Path, shards: list[list[dict]], shard_size: int) -> None:
    """A rerun must see the same documents in the same shards, or skipping the shards already
    written would mix two corpora: each shard's document ids are fingerprinted in
    `manifest.json` by the first run and checked by every rerun."""
    prints = [hashlib.sha256("\n".join(d["id"] for d in s).encode()).hexdigest()[:16] for s in shards]
    manifest = {"shard_size": shard_size, "shards": prints}
    path = out_dir / MANIFEST
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as e:
            raise ValueError(f"{path}: unreadable ({e}); remove it and the outputs beside it, or use a new directory") from None
        if old != manifest:
            raise ValueError(f"{out_dir}: holds a run of other documents (or another shard_size); use a new output directory")
    else:
        _write_atomically(path, lambda p: p.write_text(json.dumps(manifest)))


def run(
    documents: Iterable[Mapping[str, Any]],
    out: str,
    *,
    actors: int = 2,
    shard_size: int = 64,
    actor_cpus: int = 1,
    match_cpus: int = 1,
) -> dict:
    """Run the three stages on the connected Ray cluster (`ray.init` first; a local one is
    started when none is).

    `actors`: stage-1 actors (each loads the models once); `shard_size`: documents per stage-1
    shard (the unit of resumption: a rerun needs the same documents, order and shard_size, which
    `manifest.json` checks); `actor_cpus` / `match_cpus`: CPUs Ray reserves for each actor and
    each story task, and the threads each uses.

    Returns the story of every document and the groups, as `claimscope match --format json` has
    them (`story` is the story id of stage 2); `written`/`skipped`: stories matched in this run
    or found done; `sentences`: shards written and skipped, with the figures of each shard
    written; `matched`: the figures of each story matched; `corrupt`: output files found
    unreadable and redone; `stale`: temporary files of an interrupted run, removed; `seconds`:
    wall time of each stage."""
    # The run's arguments are checked before a cluster is started or joined.
    if not isinstance(shard_size, int) or shard_size < 1:
        raise ValueError(f"shard_size must be a whole number of documents, at least 1, not {shard_size!r}")
    docs = _documents(documents)

    import ray

    if not ray.is_initialized():
        ray.init()
    out_dir = pathlib.Path(out)
    sentences_dir = out_dir / "sentences"
    groups_dir = out_dir / "groups"
    sentences_dir.mkdir(parents=True, exist_ok=True)
    groups_dir.mkdir(parents=True, exist_ok=True)
    stale = _sweep_partials(out_dir)
    shards = _shards(docs, shard_size)
    _check_manifest(out_dir, shards, shard_size)
    corrupt: list[str] = []
    seconds: dict[str, float] = {}

    t = time.perf_counter()
    todo = []
    for i, shard in enumerate(shards):
        path = sentences_dir / _shard_name(i)
        if path.exists() and not _readable_parquet(path):
            _set_aside(path, corrupt, out_dir)
        if not path.exists():
            todo.append({"shard": i, "docs": json.dumps(shard)})
    figures: list[dict] = []
    if todo:
        ds = ray.data.from_items(todo, override_num_blocks=len(todo))
        ds = ds.map_batches(
            _SentenceShards,
            fn_constructor_kwargs={"out": str(sentences_dir), "cpus": actor_cpus},
            batch_size=1,
            num_cpus=actor_cpus,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=actors),
        )
        figures = [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()} for row in ds.take_all()]
    seconds["sentences"] = time.perf_counter() - t

    t = time.perf_counter()
    stories = claimscope.stories(docs)
    seconds["stories"] = time.perf_counter() - t

    t = time.perf_counter()
    by_id = {d["id"]: d for d in docs}
    match = ray.remote(num_cpus=match_cpus)(_match_story)
    pending, done = [], 0
    for s in stories["stories"]:
        if len(s["documents"]) < 2:
            continue
        path = groups_dir / f"{s['id']}.json"
        if path.exists() and not _readable_json(path):
            _set_aside(path, corrupt, out_dir)
        if path.exists():
            done += 1
            continue
        pending.append(match.remote(s["id"], [by_id[m["doc"]] for m in s["documents"]], str(groups_dir), match_cpus))
    matched = _gather(pending, "stage 3 (match per story)")
    groups = []
    for s in stories["stories"]:
        path = groups_dir / f"{s['id']}.json"
        if path.exists():
            groups.extend(json.loads(path.read_text(encoding="utf-8")))
    seconds["match"] = time.perf_counter() - t
    return {
        "stories": stories["stories"],
        "groups": groups,
        "written": len(matched),
        "skipped": done,
        "matched": matched,
        "sentences": {"shards": len(shards), "written": len(figures), "skipped": len(shards) - len(todo), "figures": figures},
        "corrupt": corrupt,
        "stale": stale,
        "seconds": seconds,
    }
