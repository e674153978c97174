"""claimscope: see how different outlets report the same claims.

The Rust library behind the `claimscope` command, called from Python. Results are the CLI's
JSON contracts as Python dicts and lists; vectors are NumPy float32 arrays. What the CLI prints
as a warning (a skipped file, an unread date, a repeated id) is raised as a
`ClaimscopeWarning` through Python's `warnings`.

Offsets (`start`, `end` of sentences, members and cues) are UTF-8 byte offsets into the text, as
in the CLI's output: `text.encode()[start:end].decode()` is the span.

Worker processes: the model's thread pool does not survive `fork`. Start workers with the
"spawn" or "forkserver" method, or use the model only inside them; a forked child of a process
that ran the model gets a RuntimeError instead of hanging.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any, Iterable, Mapping, Union

# The classifiers and the same-claim judge ship inside the wheel (models/ of the source tree);
# the library looks for them in $CLAIMSCOPE_MODELS first. A blank setting means unset, as for
# the CLI.
_BUNDLED = Path(__file__).resolve().parent / "models"
if not os.environ.get("CLAIMSCOPE_MODELS", "").strip() and (_BUNDLED / "stance.json").is_file():
    os.environ["CLAIMSCOPE_MODELS"] = str(_BUNDLED)

from ._claimscope import DEFAULT_MODEL, Embedder  # noqa: E402
from . import _claimscope as _c  # noqa: E402

__all__ = [
    "DEFAULT_MODEL",
    "ClaimscopeWarning",
    "Embedder",
    "segment",
    "classify_confidence",
    "classify_stance",
    "stories",
    "match",
    "read_documents",
]

PathLike = Union[str, "os.PathLike[str]"]


class ClaimscopeWarning(UserWarning):
    """Something claimscope skipped or read with a doubt (the CLI's `warning:` lines)."""


def _reported(result: tuple[str, list[str]]) -> Any:
    text, notes = result
    for note in notes:
        warnings.warn(note, ClaimscopeWarning, stacklevel=3)
    return json.loads(text)


def _texts(texts: Iterable[Any], name: str, of: str = "strings") -> list[Any]:
    # A lone string is iterable too: read as a list, it would be one item per character.
    if isinstance(texts, (str, bytes)):
        raise TypeError(f"{name} must be a list of {of}, not one {type(texts).__name__}; wrap it: [{name}]")
    return list(texts)


def read_documents(
    paths: PathLike | Iterable[PathLike],
    *,
    text_field: str = "text",
    id_field: str = "id",
    outlet_field: str = "outlet",
    date_field: str = "date",
    title_field: str = "title",
    url_field: str = "url",
    lossy: bool = False,
) -> list[dict]:
    """Documents of files, directories and globs, read as the CLI reads them (text, JSONL,
    CSV/TSV, saved web pages, WARC archives, any of them gzipped, and Parquet): dicts with id, source,
    outlet, date, title, byline, url, text. One path or a list of them. The keywords are the
    CLI's `--text-field` ... `--lossy`. Inputs that give no document at all raise ValueError."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    names = []
    for p in paths:
        if not isinstance(p, (str, os.PathLike)):
            raise TypeError(f"paths must be strings or path objects, not {type(p).__name__}: {p!r}")
        names.append(os.fspath(p))
    if not names:
        # The library reads stdin when given no path, as the CLI does; here that would wait
        # on a notebook's or a service's stdin for good.
        raise ValueError("no paths given: pass a file, a directory or a glob")
    try:
        result = _c.read_documents_json(
            names,
            text_field=text_field,
            id_field=id_field,
            outlet_field=outlet_field,
            date_field=date_field,
            title_field=title_field,
            url_field=url_field,
            lossy=lossy,
        )
    except UnicodeError:
        raise
    except ValueError as e:
        # The library's fixes name the CLI's flags; here they are keywords.
        raise ValueError(_as_keywords(str(e))) from e
    text, notes = result
    return _reported((text, [_as_keywords(n) for n in notes]))


_FLAGS = {
    "--text-field": "text_field=",
    "--id-field": "id_field=",
    "--outlet-field": "outlet_field=",
    "--date-field": "date_field=",
    "--title-field": "title_field=",
    "--url-field": "url_field=",
    "--lossy": "lossy=True",
}


def _as_keywords(message: str) -> str:
    for flag, keyword in _FLAGS.items():
        message = message.replace(flag, keyword)
    return message


def segment(text: str, **meta: Any) -> list[dict]:
    """Sentences of one article with provenance (`claimscope segment --format jsonl` rows;
    `start`/`end` are UTF-8 byte offsets).

    `meta`: id, outlet, date, title, url.
    """
    return json.loads(_c.segment_json(text, **meta))


def classify_confidence(texts: Iterable[str]) -> list[dict]:
    """Asserted confidence of each sentence: confidence (high/moderate/low/none), score,
    probability, cues (with UTF-8 byte offsets)."""
    return _reported(_c.classify_confidence_json(_texts(texts, "texts")))


def classify_stance(claim: str, texts: Iterable[str]) -> list[dict]:
    """Stance of each sentence toward `claim`: stance (agree/disagree/discuss/unrelated),
    scores, probability. An empty claim or sentence is refused (ValueError), as the CLI
    refuses it."""
    if not isinstance(claim, str):
        raise TypeError(f"claim must be a string, not {type(claim).__name__}")
    if not claim.strip():
        raise ValueError("claim is empty: give the claim the sentences are read against")
    texts = _texts(texts, "texts")
    for i, t in enumerate(texts):
        if isinstance(t, str) and not t.strip():
            raise ValueError(f"texts[{i}] is empty: a stance needs a sentence to read")
    return _reported(_c.classify_stance_json(claim, texts))


def _docs(documents: Iterable[Mapping[str, Any]]) -> str:
    docs = []
    for i, d in enumerate(_texts(documents, "documents", "dicts")):
        if not isinstance(d, Mapping):
            raise TypeError(f"documents[{i}] must be a dict with at least \"text\", not {type(d).__name__}")
        docs.append(dict(d))
    try:
        # ensure_ascii off: a lone surrogate then fails as UnicodeEncodeError, as in every other call.
        return json.dumps(docs, allow_nan=False, ensure_ascii=False)
    except ValueError as e:
        raise ValueError(f"documents hold a value JSON cannot carry ({e}); give strings or numbers") from None


def stories(documents: Iterable[Mapping[str, Any]]) -> dict:
    """Documents (dicts with id, text, outlet, date, title, url) grouped into stories:
    `claimscope stories --format json`."""
    return _reported(_c.stories_json(_docs(documents)))


def match(documents: Iterable[Mapping[str, Any]]) -> dict:
    """Claims shared across documents: the JSON of `claimscope match --format json`."""
    return _reported(_c.match_json(_docs(documents)))
