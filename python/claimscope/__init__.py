"""claimscope: see how different outlets report the same claims.

The Rust library behind the `claimscope` command, called from Python. Results are the CLI's
JSON contracts as Python dicts and lists; vectors are NumPy float32 arrays.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping

from ._claimscope import DEFAULT_MODEL, Embedder
from . import _claimscope as _c

__all__ = [
    "DEFAULT_MODEL",
    "Embedder",
    "segment",
    "classify_confidence",
    "classify_stance",
    "stories",
    "match",
    "read_documents",
]


def read_documents(paths: Iterable[str]) -> list[dict]:
    """Documents of files, directories and globs, read as the CLI reads them (text, JSONL,
    CSV/TSV, saved web pages, WARC archives): dicts with id, source, outlet, date, title,
    byline, url, text."""
    return json.loads(_c.read_documents_json([str(p) for p in paths]))


def segment(text: str, **meta: Any) -> list[dict]:
    """Sentences of one article with provenance (`claimscope segment --format jsonl` rows).

    `meta`: id, outlet, date (YYYY-MM-DD), title, url.
    """
    return json.loads(_c.segment_json(text, **meta))


def classify_confidence(texts: Iterable[str]) -> list[dict]:
    """Asserted confidence of each sentence: confidence (high/moderate/low/none), score,
    probability, cues."""
    return json.loads(_c.classify_confidence_json(list(texts)))


def classify_stance(claim: str, texts: Iterable[str]) -> list[dict]:
    """Stance of each sentence toward `claim`: stance (agree/disagree/discuss/unrelated),
    scores, probability."""
    return json.loads(_c.classify_stance_json(claim, list(texts)))


def _docs(documents: Iterable[Mapping[str, Any]]) -> str:
    return json.dumps([dict(d) for d in documents])


def stories(documents: Iterable[Mapping[str, Any]]) -> dict:
    """Documents (dicts with id, text, outlet, date, title, url) grouped into stories:
    `claimscope stories --format json`."""
    return json.loads(_c.stories_json(_docs(documents)))


def match(documents: Iterable[Mapping[str, Any]]) -> dict:
    """Claims shared across documents: the JSON of `claimscope match --format json`."""
    return json.loads(_c.match_json(_docs(documents)))
