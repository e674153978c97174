"""Corpus runs on Ray, with stories as the unit of work.

    from claimscope.ray import read, run
    summary = run(read(["crawl.warc.gz", "feeds/"]), "out/")   # or any dicts with id, text, ...

Stages:
1. sentences: segment + embed + asserted confidence in `map_batches` on an actor pool (one model
   load per actor), one shard of `shard_size` documents per call -> `out/sentences/part-NNNNN.parquet`
   (provenance, confidence, probability, cues, the 384-float embedding);
2. stories: each document's lead vector (its title and first sentences, embedded) computed on
   the workers, one task per shard -> `out/leads/part-NNNNN.parquet` (`doc`, `lead`: a rerun
   reads them instead of embedding again), then the documents grouped into stories on the driver with
   the library's own story grouping (the same function as `claimscope stories`, given those
   vectors: it links documents by lead similarity, shared names and numbers, and dates within a
   window, and runs no model);
3. match, one Ray task per story (`claimscope.match` on that story's documents) ->
   `out/groups/<story>.json`.

Every output file is written under a temporary name and renamed, so a file under its final name
is whole. A rerun on the same documents skips the shards and stories already written: a worker
or driver killed mid-shard loses only the shards in flight, and the rerun redoes them and removes
the temporary files the killed writers left. What is the same is decided by content: each
document's id, text, outlet, date, title and url are fingerprinted, `manifest.json` holds the
fingerprint of every shard, a rerun on other documents (or on the same ids with other text) is
refused, each shard file carries its fingerprint and each story's groups file is named by the
fingerprint of its documents, so no stage skips work done on other documents. An output
file that is there but unreadable (cut short, overwritten, or a shard damaged in place, caught
by the page checksums it is written with) is reported, counted, moved to
`out/corrupt/` and redone from the documents. An input file (or JSONL line) that cannot be read
is reported and skipped with a count by `read`, and the rest of the corpus goes on.

A story never straddles two workers: stage 2 sees every document, so the story of a 2021 report
and its follow-ups is decided once, and stage 3 gets it whole.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import os
import pathlib
import resource
import time
import uuid
import warnings
from typing import Any, Iterable, Mapping

import numpy as np

import claimscope

_log = logging.getLogger("claimscope.ray")
MANIFEST = "manifest.json"


# The embedding model's width (all-MiniLM-L6-v2: the manifest's identity pins the model, so
# every vector of a run has it).
_WIDTH = 384


def _sentence_schema():
    import pyarrow as pa

    text = ["doc", "outlet", "date", "kind", "text", "confidence", "cues"]
    ints = ["paragraph", "index", "start", "end"]
    fields = [pa.field(n, pa.string()) for n in text] + [pa.field(n, pa.int64()) for n in ints]
    fields += [pa.field("probability", pa.float64()), pa.field("embedding", pa.list_(pa.float32(), _WIDTH))]
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


def _fingerprint(doc: Mapping[str, Any]) -> str:
    """A document's content: its id, text and the metadata its sentences carry."""
    fields = [doc.get(k) for k in ("id", "text", "outlet", "date", "title", "url")]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()


def _fingerprint_of(prints: Iterable[str]) -> str:
    """Of a shard's or a story's documents, in their order."""
    return hashlib.sha256("\n".join(prints).encode()).hexdigest()[:16]


# The key of a shard file's Parquet metadata that holds its fingerprint.
_SHARD_KEY = b"claimscope.shard"


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

    def __init__(self, out: str, cpus: int = 1, identity: dict | None = None) -> None:
        _threads(cpus)
        # A node with another wheel or other models would write shards the manifest does not
        # describe: each actor checks itself against the driver's identity before any work.
        _same_as_driver(identity)
        self.out = pathlib.Path(out)
        self.embedder = claimscope.Embedder()
        self.schema = _sentence_schema()

    def __call__(self, batch: Mapping[str, Any]) -> dict:
        import pyarrow.parquet as pq

        figures: dict[str, list] = {
            k: [] for k in ("shard", "docs", "rows", "segment", "confidence", "embed", "write", "pid", "rss_mib")
        }
        for shard, fingerprint, docs_json in zip(batch["shard"], batch["fingerprint"], batch["docs"]):
            docs = json.loads(str(docs_json))
            # The shard's fingerprint goes in the file, so a rerun skips it only for the same
            # documents.
            schema = self.schema.with_metadata({_SHARD_KEY: str(fingerprint).encode()})
            table, seconds = _sentences(docs, self.embedder, schema)
            t = time.perf_counter()
            # Page checksums: a rerun reads every page against them (`_parquet_fingerprint`).
            _write_atomically(
                self.out / _shard_name(int(shard)), lambda p: pq.write_table(table, p, write_page_checksum=True)
            )
            seconds["write"] = time.perf_counter() - t
            figures["shard"].append(int(shard))
            figures["docs"].append(len(docs))
            figures["rows"].append(table.num_rows)
            for k in ("segment", "confidence", "embed", "write"):
                figures[k].append(seconds[k])
            figures["pid"].append(os.getpid())
            figures["rss_mib"].append(_peak_rss_mib())
        return figures


@functools.cache
def _worker_identity() -> dict:
    """This process's `_identity`, once: it hashes the installed package and models. Read only."""
    return _identity()


def _same_as_driver(identity: dict | None) -> None:
    """A node with another wheel or other models would write outputs the manifest does not
    describe, which every rerun then trusts: each worker checks itself against the driver's
    identity before any work (`None`: not asked)."""
    if identity is None:
        return
    mine = _worker_identity()
    if mine != identity:
        raise RuntimeError(
            f"this worker ({os.uname().nodename}) runs another claimscope build or other models "
            f"({_library_difference(identity, mine)}; the driver's first): install the same "
            "wheel and models (CLAIMSCOPE_MODELS) on every node"
        )


def _threads(cpus: int) -> None:
    """The library's thread pool is sized when first used, from RAYON_NUM_THREADS: set it to the
    CPUs Ray gave this worker, or every worker would start one thread per core of the node."""
    os.environ.setdefault("RAYON_NUM_THREADS", str(max(1, int(cpus))))


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _shard_name(i: int) -> str:
    return f"part-{i:05d}.parquet"


def _story_name(story: str, prints: Iterable[str]) -> str:
    """A story's groups file: named by the story and the fingerprint of its documents (their
    `_fingerprint`s, in order), so a rerun whose story grouping differs (another version of the
    library) redoes the story instead of reusing groups of other documents under the same story
    id."""
    return f"{story}-{_fingerprint_of(prints)}.json"


def _match_story(story: str, docs: list[dict], path: str, cpus: float, identity: dict | None = None) -> dict:
    """Stage 3 for one story: its groups, written atomically to `path` (`_story_name`), by a
    worker of the driver's build and models (`_same_as_driver`)."""
    _threads(int(cpus))
    _same_as_driver(identity)
    t = time.perf_counter()
    result = claimscope.match(docs)
    for g in result["groups"]:
        g["story"] = story
    _write_atomically(pathlib.Path(path), lambda p: p.write_text(json.dumps(result["groups"])))
    return {"story": story, "seconds": time.perf_counter() - t, "documents": len(docs), "pid": os.getpid(), "rss_mib": _peak_rss_mib()}


def _lead_vectors(
    i: int, docs: list[dict], cpus: float, identity: dict | None = None, path: str | None = None, fingerprint: str = ""
) -> tuple[int, Any]:
    """Stage 2's model work for one shard's documents, on a worker of the driver's build and
    models: their lead vectors (`claimscope.lead_vectors`), with the shard's index, also written
    atomically to `path` (when given) with the shard's fingerprint, so that a rerun reads them
    instead of embedding every lead again (at 100M sentences about 90 core-hours)."""
    _threads(int(cpus))
    _same_as_driver(identity)
    vectors = claimscope.lead_vectors(docs)
    if path is not None:
        _write_atomically(pathlib.Path(path), lambda p: _write_leads(p, docs, vectors, fingerprint))
    return i, vectors


def _write_leads(path: pathlib.Path, docs: list[dict], vectors: np.ndarray, fingerprint: str) -> None:
    """One shard's lead vectors as Parquet: a row per document (`doc`, `lead`), the shard's
    fingerprint in the metadata and page checksums, as the sentence shards are written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    lead = pa.FixedSizeListArray.from_arrays(pa.array(vectors.reshape(-1), pa.float32()), vectors.shape[1])
    table = pa.table({"doc": pa.array([d["id"] for d in docs], pa.string()), "lead": lead})
    table = table.replace_schema_metadata({_SHARD_KEY: fingerprint.encode()})
    # No dictionary for the floats: it only adds to vectors that never repeat a value (2,280 B
    # a document with it at 64 a shard, 1,557 without).
    pq.write_table(table, path, write_page_checksum=True, use_dictionary=["doc"])


def _read_leads(path: pathlib.Path, fingerprint: str, ids: list[str]) -> np.ndarray | str:
    """A shard's lead vectors written by an earlier run (`_write_leads`), or why they cannot be
    used: "corrupt" (unreadable, a page against its checksum, or not one vector per document)
    or "superseded" (written for other documents)."""
    import pyarrow as pa

    read = _verified(path, keep=True)  # one pass: the checks and the vectors
    if read is None:
        return "corrupt"
    held, table = read
    if held != fingerprint:
        return "superseded"
    try:
        lead = table.column("lead").combine_chunks()
        docs = table.column("doc").to_pylist()
    except Exception:  # noqa: BLE001 - a file without these columns is damaged
        return "corrupt"
    # Another layout (a width or type `_write_leads` does not write) is damaged too: the
    # linking would refuse it and stop the run instead of redoing the shard.
    if lead.type != pa.list_(pa.float32(), _WIDTH) or lead.null_count or docs != ids:
        return "corrupt"
    vectors = lead.flatten().to_numpy(zero_copy_only=False).reshape(-1, _WIDTH)
    return vectors if np.isfinite(vectors).all() else "corrupt"


def _gather(pending: list, what: str, every: float = 10.0, unit: str = "stories") -> list:
    """`ray.get` of plain tasks, in the order they finish, with a progress line in the driver's
    log every `every` seconds (Ray Data logs stage 1's progress itself; plain tasks only show in
    the dashboard)."""
    import ray

    results, left, last = [], list(pending), time.monotonic()
    while left:
        done, left = ray.wait(left, num_returns=len(left), timeout=every)
        results.extend(ray.get(done))
        if left and time.monotonic() - last >= every:
            _log.info("%s: %d of %d %s done", what, len(results), len(pending), unit)
            last = time.monotonic()
    _log.info("%s: %d %s done", what, len(results), unit)
    return results


def _verified(path: pathlib.Path, keep: bool = False) -> tuple[str, Any] | None:
    """An output Parquet file read whole against the page checksums it was written with: the
    fingerprint it carries ("" when none) and, with `keep`, its table; None when it is
    unreadable. A page damaged in place behind an intact footer (storage, a stray write) passed
    as whole when only the footer was read, and the float vectors, which compress poorly, are
    mostly stored as they are, with nothing else to catch it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        with pq.ParquetFile(path, page_checksum_verification=True) as f:
            meta = f.metadata.metadata or {}
            batches, rows = [], 0
            for b in f.iter_batches():
                rows += b.num_rows
                if keep:
                    batches.append(b)
            # A checksum covers a page's data, not its header: a header whose page type is
            # damaged makes the reader skip the page without an error, and the file reads as
            # fewer rows than its footer holds.
            if rows != f.metadata.num_rows:
                return None
            table = pa.Table.from_batches(batches, schema=f.schema_arrow) if keep else None
    except Exception:  # noqa: BLE001 - any failure to read the file means a damaged file
        return None
    return meta.get(_SHARD_KEY, b"").decode("utf-8", "replace"), table


def _parquet_fingerprint(path: pathlib.Path) -> str | None:
    """The fingerprint a sentence shard carries, or None when it is unreadable (`_verified`)."""
    read = _verified(path)
    return None if read is None else read[0]


def _readable_json(path: pathlib.Path) -> bool:
    try:
        return isinstance(json.loads(path.read_text(encoding="utf-8")), list)
    except (OSError, ValueError):
        return False


def _set_aside(path: pathlib.Path, into: list[str], root: pathlib.Path, why: str = "corrupt") -> None:
    """Move an unreadable output to `out/corrupt/`, or one of other documents to
    `out/superseded/` (kept for a look, out of the dataset that Spark, DuckDB or pyarrow read
    from `out/sentences/`)."""
    name = str(path.relative_to(root))
    aside = root / why / name
    aside.parent.mkdir(parents=True, exist_ok=True)
    # ClaimscopeWarning, as every other warning of the package, so that one filter catches them.
    if why == "corrupt":
        note = f"{path}: unreadable output file (cut short, overwritten or damaged in place); moved to {aside} and redone"
    else:
        note = f"{path}: output of other documents than this run's; moved to {aside}"
    warnings.warn(note, claimscope.ClaimscopeWarning, stacklevel=3)
    into.append(name)
    os.replace(path, aside)


class Documents(list):
    """The documents `read` found, and the input files it had to skip or read in part:
    `skipped` is a list of (path, reason)."""

    skipped: list[tuple[str, str]]


def read(paths: str | bytes | os.PathLike | Iterable[str | bytes | os.PathLike], **options: Any) -> Documents:
    """Documents of a corpus, read as the CLI reads them and as `claimscope.read_documents`
    reads the same list (the same ids, one-article files named apart by their folders as
    `cnn/index`, a file given twice read once; the same warnings): text, JSONL, CSV, Parquet,
    saved pages, WARC. `options`: `read_documents`' keywords (`text_field=`, ...).

    Where the CLI stops, `read` goes on: a malformed JSONL line is skipped, and a file that
    cannot be read (or the rest of it, from a fault on) is skipped, each with a
    ClaimscopeWarning, and listed in the result's `skipped` with the reason. A path that is not
    there raises FileNotFoundError, and inputs that give no document at all raise ValueError,
    before any run starts on them."""
    # One path, as read_documents takes it (bytes too: a bytes object is a path, not a list).
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    paths = list(paths)
    docs, skipped = claimscope._read(paths, keep_going=True, **options)
    if not docs:
        # A run on nothing would write an empty output directory whose manifest then refuses
        # the corrected rerun.
        raise ValueError(
            "no document could be read from " + " ".join(os.fsdecode(p) for p in paths)
            + "".join(f"; {p}: {why}" for p, why in skipped[:10])
        )
    out = Documents(docs)
    out.skipped = skipped
    return out


def _documents(documents: Iterable[Mapping[str, Any]]) -> list[dict]:
    docs = claimscope._documents(documents)
    if not docs:
        raise ValueError("no documents to run on: give dicts with at least \"text\" (read() reads files)")
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
    for sub in ("sentences", "leads", "groups", ""):
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


# The manifest's format: 3 records the library's build and models; 2 fingerprinted each
# document's content; 1 (no "format" key) held its ids only.
_FORMAT = 3


@functools.lru_cache(maxsize=1)
def _package_sha256() -> str:
    """The installed package itself: its compiled extension (the library and its bindings) and
    its Python files, which shape the outputs too and are not in the library's build hash."""
    here = pathlib.Path(claimscope.__file__).resolve().parent
    files = [pathlib.Path(claimscope._c.__file__).resolve()] + sorted(here.glob("*.py"))
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode() + b"\0")
        h.update(f.read_bytes())
    return h.hexdigest()


def _identity() -> dict:
    """What the outputs depend on besides the documents: the library's build (a hash of its
    sources: the version alone stays the same while segmentation and models change), the
    installed package, the embedding model and the shipped models."""
    return dict(json.loads(claimscope._c.identity_json()), package_sha256=_package_sha256())


def _check_manifest(out_dir: pathlib.Path, prints: list[str], shard_size: int, identity: dict) -> None:
    """A rerun must see the same documents in the same shards, run by the same build with the
    same models, or skipping the shards already written would mix two corpora, or two versions'
    sentences: each shard's documents (id, text, outlet, date, title, url) are fingerprinted in
    `manifest.json` by the first run with the build and models (`_identity`), and checked by
    every rerun. Refuses before anything is written; writes the manifest of a new run."""
    manifest = {"format": _FORMAT, "library": identity, "shard_size": shard_size, "shards": prints}
    path = out_dir / MANIFEST
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise ValueError(f"{path}: unreadable ({e}); remove it and the outputs beside it, or use a new directory") from None
        if not isinstance(old, dict) or old.get("format") != _FORMAT:
            raise ValueError(
                f"{out_dir}: holds a run of an earlier claimscope.ray, whose manifest.json cannot tell "
                "which build and models wrote it; use a new output directory"
            )
        if old.get("library") != identity:
            raise ValueError(
                f"{out_dir}: holds a run of another claimscope build or other models "
                f"({_library_difference(old.get('library'), identity)}); its sentences, lead vectors and groups would mix "
                "with this build's: use a new output directory"
            )
        if old != manifest:
            raise ValueError(f"{out_dir}: holds a run of other documents ({_difference(old, manifest)}); use a new output directory")
        return
    # Outputs without a manifest are not this run's (a run writes its manifest before any
    # output): skipping them could return another corpus's groups.
    held = [p for sub in ("sentences", "leads", "groups") for p in sorted((out_dir / sub).glob("*")) if not p.name.startswith(".")]
    if held:
        raise ValueError(f"{out_dir}: holds outputs ({held[0]}) but no {MANIFEST}; use a new output directory")
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_atomically(path, lambda p: p.write_text(json.dumps(manifest)))


def _library_difference(old: Any, new: dict) -> str:
    """Which of build, model and models differ, with the values then and now."""
    old = old if isinstance(old, dict) else {}
    said = [f"{k} {old.get(k)} then, {v} now" for k, v in new.items() if old.get(k) != v]
    return "; ".join(said) or "the library differs"


def _difference(old: dict, new: dict) -> str:
    """What differs between two manifests, in a few words."""
    if old.get("shard_size") != new["shard_size"]:
        return f"shard_size {old.get('shard_size')} then, {new['shard_size']} now"
    before, now = old.get("shards") or [], new["shards"]
    changed = [i for i, (a, b) in enumerate(zip(before, now)) if a != b]
    said = []
    if len(before) != len(now):
        said.append(f"{len(before)} shards then, {len(now)} now")
    if changed:
        said.append(f"the documents of {len(changed)} shard(s) differ in id, text or metadata, first shard {changed[0]}")
    return "; ".join(said) or "the manifest differs"


def _written_where_seen(paths: list[pathlib.Path], stage: str) -> None:
    """Refuses a stage whose workers reported success but whose files the driver cannot see:
    written on another node's disk, the run's results would be lost without a word."""
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise RuntimeError(
            f"{stage}: {len(missing)} of {len(paths)} output files are not where the workers wrote "
            f"them, as this process sees it (first: {missing[0]}); the output directory must be on "
            "storage every node of the cluster shares"
        )


def _positive(name: str, value: Any, whole: bool) -> None:
    ok = (
        isinstance(value, int if whole else (int, float))
        and not isinstance(value, bool)
        and value > 0
        and math.isfinite(value)
    )
    if not ok:
        what = "a whole number, at least 1" if whole else "a number above 0"
        raise ValueError(f"{name} must be {what}, not {value!r}")


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

    `documents`: dicts with `text` and `id` (and `outlet`, `date`, `title`, `url`), taken as
    `claimscope.match` takes them; each id once. `actors`: stage-1 actors (each loads the models
    once); `shard_size`: documents per stage-1 shard (the unit of resumption: a rerun needs the
    same documents, order and shard_size, which `manifest.json` checks by each document's id,
    text and metadata); `actor_cpus` / `match_cpus`: CPUs Ray reserves for each actor and each
    plain task (a story of stage 3, a shard's lead vectors in stage 2), and the threads each
    uses. Bad arguments, no documents, a repeated id and an output directory of another run are
    refused before a cluster is started or joined and before anything is written.

    Returns the story of every document and the groups, as `claimscope match --format json` has
    them (`story` is the story id of stage 2); `written`/`skipped`: stories matched in this run
    or found done; `sentences`: shards written and skipped, with the figures of each shard
    written; `leads`: stage 2's lead-vector shards written, and skipped (read from an earlier
    run); `matched`: the figures of each story matched; `corrupt`: output files found
    unreadable and redone; `superseded`: output files of other documents (a story the library
    now groups otherwise), moved to `out/superseded/`; `stale`: temporary files of an
    interrupted run, removed; `seconds`: wall time of each stage (`stories_linking`: the
    driver's part of stage 2)."""
    # The run's arguments, its documents and its output directory are checked before a
    # cluster is started or joined, and before anything is written.
    _positive("shard_size", shard_size, whole=True)
    _positive("actors", actors, whole=True)
    _positive("actor_cpus", actor_cpus, whole=False)
    _positive("match_cpus", match_cpus, whole=False)
    docs = _documents(documents)
    # Absolute: workers do not run in the driver's working directory (on a cluster started
    # elsewhere a relative path would be written somewhere else, or on another node).
    out_dir = pathlib.Path(out).expanduser().resolve()
    if out_dir.exists() and not out_dir.is_dir():
        raise NotADirectoryError(f"{out_dir}: not a directory; give the directory the run writes into")
    shards = _shards(docs, shard_size)
    # Each document's fingerprint once, in order (shards are consecutive runs of documents):
    # shards and stories are named by them.
    each = [_fingerprint(d) for d in docs]
    prints = [_fingerprint_of(each[i : i + shard_size]) for i in range(0, len(docs), shard_size)]
    doc_prints = {d["id"]: p for d, p in zip(docs, each)}
    identity = _identity()
    _check_manifest(out_dir, prints, shard_size, identity)
    sentences_dir = out_dir / "sentences"
    leads_dir = out_dir / "leads"
    groups_dir = out_dir / "groups"
    sentences_dir.mkdir(parents=True, exist_ok=True)
    leads_dir.mkdir(parents=True, exist_ok=True)
    groups_dir.mkdir(parents=True, exist_ok=True)
    stale = _sweep_partials(out_dir)

    import ray

    if not ray.is_initialized():
        ray.init()
    corrupt: list[str] = []
    superseded: list[str] = []
    seconds: dict[str, float] = {}

    t = time.perf_counter()
    todo = []
    for i, shard in enumerate(shards):
        path = sentences_dir / _shard_name(i)
        if path.exists():
            held = _parquet_fingerprint(path)
            if held is None:
                _set_aside(path, corrupt, out_dir)
            elif held != prints[i]:
                _set_aside(path, superseded, out_dir, "superseded")
        if not path.exists():
            todo.append({"shard": i, "fingerprint": prints[i], "docs": json.dumps(shard)})
    figures: list[dict] = []
    if todo:
        ds = ray.data.from_items(todo, override_num_blocks=len(todo))
        ds = ds.map_batches(
            _SentenceShards,
            fn_constructor_kwargs={"out": str(sentences_dir), "cpus": actor_cpus, "identity": identity},
            batch_size=1,
            num_cpus=actor_cpus,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=actors),
        )
        figures = [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()} for row in ds.take_all()]
        _written_where_seen([sentences_dir / _shard_name(t["shard"]) for t in todo], "stage 1 (sentences)")
    seconds["sentences"] = time.perf_counter() - t

    t = time.perf_counter()
    # The model's part of the grouping, a lead vector per document, runs on the workers, one
    # task per shard; the driver, which must see every document so that no story is split
    # between workers, only links them (it embedded every lead itself before: the limit of a
    # large run, see the README's cost model).
    # Plain tasks, like stage 3's: Ray reuses a worker process for either, and the library's
    # thread pool keeps the size the first task gave it, so both are sized by `match_cpus`.
    # The vectors of an earlier run are read instead (checked like the sentence shards: the
    # page checksums, the fingerprint, one vector per document in order).
    leads = ray.remote(num_cpus=match_cpus)(_lead_vectors)
    parts, pending = [], []
    for i, shard in enumerate(shards):
        path = leads_dir / _shard_name(i)
        if path.exists():
            held = _read_leads(path, prints[i], [d["id"] for d in shard])
            if isinstance(held, np.ndarray):
                parts.append((i, held))
                continue
            _set_aside(path, corrupt if held == "corrupt" else superseded, out_dir, held)
        pending.append(leads.remote(i, shard, match_cpus, identity, str(path), prints[i]))
    leads_written = len(pending)
    parts.extend(_gather(pending, "stage 2 (lead vectors)", unit="shards"))
    if leads_written:
        _written_where_seen([leads_dir / _shard_name(i) for i in range(len(shards))], "stage 2 (lead vectors)")
    parts.sort(key=lambda r: r[0])
    lead_vectors = np.vstack([v for _, v in parts])
    del parts  # the driver holds every lead vector: once, not twice
    t_link = time.perf_counter()
    stories = claimscope.stories(docs, lead_vectors=lead_vectors)
    del lead_vectors
    seconds["stories_linking"] = time.perf_counter() - t_link
    seconds["stories"] = time.perf_counter() - t

    t = time.perf_counter()
    by_id = {d["id"]: d for d in docs}
    match = ray.remote(num_cpus=match_cpus)(_match_story)
    pending, done = [], 0
    names: dict[str, str] = {}
    for s in stories["stories"]:
        if len(s["documents"]) < 2:
            continue
        members = [by_id[m["doc"]] for m in s["documents"]]
        path = groups_dir / _story_name(s["id"], (doc_prints[m["id"]] for m in members))
        names[s["id"]] = path.name
        if path.exists() and not _readable_json(path):
            _set_aside(path, corrupt, out_dir)
        if path.exists():
            done += 1
            continue
        pending.append(match.remote(s["id"], members, str(path), match_cpus, identity))
    matched = _gather(pending, "stage 3 (match per story)")
    _written_where_seen([groups_dir / n for n in names.values()], "stage 3 (match per story)")
    # Groups files of stories this run does not have (the library grouped these documents
    # otherwise before) are set aside, so out/groups/ holds this run's groups only.
    ours = set(names.values())
    for path in sorted(groups_dir.glob("*.json")):
        if path.name not in ours:
            _set_aside(path, superseded, out_dir, "superseded")
    groups = []
    for s in stories["stories"]:
        # Every story of two or more documents has its file (`_written_where_seen` above).
        if s["id"] in names:
            groups.extend(json.loads((groups_dir / names[s["id"]]).read_text(encoding="utf-8")))
    seconds["match"] = time.perf_counter() - t
    return {
        "stories": stories["stories"],
        "groups": groups,
        "written": len(matched),
        "skipped": done,
        "matched": matched,
        "sentences": {"shards": len(shards), "written": len(figures), "skipped": len(shards) - len(todo), "figures": figures},
        "leads": {"shards": len(shards), "written": leads_written, "skipped": len(shards) - leads_written},
        "corrupt": corrupt,
        "superseded": superseded,
        "stale": stale,
        "seconds": seconds,
    }
