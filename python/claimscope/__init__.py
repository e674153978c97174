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

import datetime
import json
import math
import os
import warnings
from pathlib import Path
from typing import Any, Iterable, Mapping, Union

import numpy as np

# The classifiers and the same-claim judge ship inside the wheel (models/ of the source tree);
# the library looks for them in $CLAIMSCOPE_MODELS first. A blank setting means unset, as for
# the CLI.
_BUNDLED = Path(__file__).resolve().parent / "models"
if not os.environ.get("CLAIMSCOPE_MODELS", "").strip() and (_BUNDLED / "stance.json").is_file():
    os.environ["CLAIMSCOPE_MODELS"] = str(_BUNDLED)

from ._claimscope import BUILD, DEFAULT_MODEL, Embedder  # noqa: E402
from . import _claimscope as _c  # noqa: E402

# "0.1.0+1a2b3c4d5e6f": the version, and a hash of the sources the library was built from (the
# version does not change with every change of behaviour). `claimscope --version` prints the same.
__version__ = BUILD.split("+")[0]
__build__ = BUILD

__all__ = [
    "DEFAULT_MODEL",
    "ClaimscopeWarning",
    "Embedder",
    "segment",
    "classify_confidence",
    "classify_stance",
    "stories",
    "lead_vectors",
    "match",
    "read_documents",
]

PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]


class ClaimscopeWarning(UserWarning):
    """Something claimscope skipped or read with a doubt (the CLI's `warning:` lines)."""


def _reported(result: tuple[str, list[str]], stacklevel: int = 3) -> Any:
    """The result; its notes raised as warnings at the caller of the public function (the
    stack level of the caller's frame, seen from here)."""
    text, notes = result
    for note in notes:
        warnings.warn(note, ClaimscopeWarning, stacklevel=stacklevel)
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
    id_field: str | None = None,
    outlet_field: str | None = None,
    date_field: str | None = None,
    title_field: str | None = None,
    url_field: str | None = None,
    lossy: bool = False,
) -> list[dict]:
    """Documents of files, directories and globs, read as the CLI reads them (text, JSONL,
    CSV/TSV, saved web pages, WARC archives, any of them gzipped, and Parquet): dicts with id, source,
    outlet, date, title, byline, url, text. One path or a list of them. The keywords are the
    CLI's `--text-field` ... `--lossy`; a field left as None reads its default name (id,
    outlet, date, title, url) where a file has it, and a field named (even by its default name)
    that a file lacks is a ClaimscopeWarning. Inputs that give no document at all raise ValueError.
    `-` (the CLI's stdin) is refused: read `sys.stdin` yourself and pass the documents as
    dicts (a file named `-` is `./-`)."""
    docs, _ = _read(
        paths,
        keep_going=False,
        text_field=text_field,
        id_field=id_field,
        outlet_field=outlet_field,
        date_field=date_field,
        title_field=title_field,
        url_field=url_field,
        lossy=lossy,
    )
    return docs


def _read(paths: PathLike | Iterable[PathLike], keep_going: bool, **options: Any) -> tuple[list[dict], list[tuple[str, str]]]:
    """`read_documents`, and with `keep_going` (Ray's `read`) past a bad line or file: the
    documents, and the inputs that gave none or lost records, each with the last warning about
    it."""
    # A bytes path is one path, as os.open takes it (iterated, it would be a list of ints).
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    names = []
    for p in paths:
        if not isinstance(p, (str, bytes, os.PathLike)):
            raise TypeError(f"paths must be strings, bytes or path objects, not {type(p).__name__}: {p!r}")
        names.append(os.fsdecode(p))
    if not names:
        # The library reads stdin when given no path, as the CLI does; here that would wait
        # on a notebook's or a service's stdin for good.
        raise ValueError("no paths given: pass a file, a directory or a glob")
    if "-" in names:
        # The CLI's `-` is stdin: in a notebook or a service that waits for good, and a script
        # piped into Python has sys.stdin to read itself. Refused, whether stdin is a terminal
        # or not, so a call does not change meaning with how the process was started.
        raise ValueError(
            "'-' (stdin) is not read from Python: read sys.stdin yourself and pass the documents "
            "as dicts to stories() or match(); a file named - is ./-"
        )
    try:
        text, notes, faulty = _c.read_documents_json(names, keep_going=keep_going, **options)
    except UnicodeError:
        raise
    except ValueError as e:
        raise ValueError(_for_python(str(e))) from e
    # Warned at the caller of read_documents or of Ray's read, each one call above this.
    docs = _reported((text, [_for_python(n) for n in notes]), stacklevel=4)
    return docs, [(path, _for_python(why)) for path, why in faulty]


_FLAGS = {
    "--text-field": "text_field=",
    "--id-field": "id_field=",
    "--outlet-field": "outlet_field=",
    "--date-field": "date_field=",
    "--title-field": "title_field=",
    "--url-field": "url_field=",
    "--lossy": "lossy=True",
}


def _for_python(message: str) -> str:
    """The library's message with the CLI's fixes said as Python's: flags as keywords, and no
    advice to read stdin (refused here)."""
    for flag, keyword in _FLAGS.items():
        message = message.replace(flag, keyword)
    return message.replace(", or - to read stdin", "")


def segment(text: str, **meta: Any) -> list[dict]:
    """Sentences of one article with provenance (`claimscope segment --format jsonl` rows;
    `start`/`end` are UTF-8 byte offsets).

    `meta`: id, outlet, date, title, url (strings; a number, a date or datetime and NumPy
    scalars are taken as for `stories`). A date that is not understood is a
    ClaimscopeWarning, as the CLI warns.
    """
    given = {}
    for k, v in meta.items():
        v = _field(v, f"{k}=")
        # A float as JSON writes it, as `stories` reads one; a list or a bool is refused by
        # the call, naming the keyword.
        given[k] = json.dumps(v) if isinstance(v, float) else v
    return _reported(_c.segment_json(text, **given))


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


# The fields the library reads from a document; other keys (a DataFrame's other columns) are
# not its business and are left behind.
_FIELDS = ("id", "text", "outlet", "date", "title", "url", "byline")


def _field(value: Any, where: str) -> Any:
    """One field as the library takes it: a string, or a number it reads as the CLI reads one
    in JSONL. What pandas and NumPy hand over is taken as what it stands for: a date or
    datetime (a pandas Timestamp) in ISO format, a NumPy scalar as its Python value, an int as
    its decimal digits (JSON would carry a big one as a float: 10**30 became "1e+30"). A
    missing-value marker (NaN, NaT, pandas' NA) is refused, naming the field: it is no value,
    and the library would read "nan" as an outlet or an id."""
    if value is None or isinstance(value, str):
        return value
    shown, missing = value, type(value).__name__ in ("NaTType", "NAType")
    if isinstance(value, np.generic):
        if isinstance(value, np.datetime64):
            # Read at microseconds, a datetime's own precision (at nanoseconds it is an int).
            missing = bool(np.isnat(value))
            value = value.astype("datetime64[us]")
        value = value.item()
    kind = type(value).__name__
    if missing or (isinstance(value, float) and math.isnan(value)):
        raise ValueError(
            f"{where} is {shown} (a missing value): give None, or leave the field out, for a "
            "document without it (pandas: df.astype(object).where(df.notna(), None))"
        )
    if isinstance(value, float) and math.isinf(value):
        raise ValueError(f"{where} is {value}: give a string or a finite number")
    if isinstance(value, bool):
        return value  # refused by the library, with its place
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, (float, list, dict)):
        return value
    raise TypeError(f"{where} is a {kind} ({value!r}): give a string or a number")


def _docs(documents: Iterable[Mapping[str, Any]]) -> str:
    if isinstance(documents, Mapping):
        raise TypeError("documents must be a list of dicts, not one dict: give a list of dicts, [document]")
    docs = []
    for i, d in enumerate(_texts(documents, "documents", "dicts")):
        if not isinstance(d, Mapping):
            raise TypeError(f"documents[{i}] must be a dict with at least \"text\", not {type(d).__name__}")
        if "text" in d and d["text"] is None:
            raise ValueError(f'documents[{i}]["text"] is None: no string "text"; every document needs its text')
        docs.append({k: _field(d[k], f"documents[{i}][{k!r}]".replace("'", '"')) for k in _FIELDS if k in d})
    try:
        # ensure_ascii off: a lone surrogate then fails as UnicodeEncodeError, as in every other call.
        return json.dumps(docs, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as e:
        raise ValueError(f"documents hold a value JSON cannot carry ({e}); give strings or numbers") from None


def _documents(documents: Iterable[Mapping[str, Any]]) -> list[dict]:
    """Documents given as dicts as the library reads them (`id`, `source`, `outlet`, `date`,
    `title`, `byline`, `url`, `text`; an id left out is `doc<i>`): what Ray's runner ships to
    its workers, so every stage sees the ids and fields `stories` and `match` see."""
    return json.loads(_c.documents_json(_docs(documents)))


def stories(documents: Iterable[Mapping[str, Any]], lead_vectors: Any = None) -> dict:
    """Documents (dicts with id, text, outlet, date, title, url) grouped into stories:
    `claimscope stories --format json`. `lead_vectors`: the documents' lead vectors as
    `lead_vectors(documents)` returns them (computed elsewhere, a slice of the documents at a
    time, rows stacked in order); then this call runs no model, and the stories are the same."""
    docs = _docs(documents)
    if lead_vectors is None:
        return _reported(_c.stories_json(docs))
    v = np.asarray(lead_vectors)
    if v.ndim != 2 or v.dtype != np.float32:
        raise ValueError(
            f"lead_vectors must be a 2-D float32 array, one row per document, as lead_vectors() "
            f"returns; got {v.ndim}-D {v.dtype} (vectors of lead_vectors() that were converted: "
            f"np.asarray(v, dtype=np.float32))"
        )
    return _reported(_c.stories_json(docs, np.ascontiguousarray(v)))


def lead_vectors(documents: Iterable[Mapping[str, Any]]) -> np.ndarray:
    """Each document's lead vector (float32, one row per document given, in order, a repeated
    document too, which `stories` drops where it sees both copies): the part of `stories` that
    runs the model (its title and first sentences, embedded and averaged). A
    cluster computes them on its workers and gives them to `stories(documents, lead_vectors=...)`,
    so the one process that sees every document only links them."""
    vectors, notes = _c.lead_vectors_json(_docs(documents))
    for note in notes:
        warnings.warn(note, ClaimscopeWarning, stacklevel=2)
    return vectors


def match(documents: Iterable[Mapping[str, Any]]) -> dict:
    """Claims shared across documents: the JSON of `claimscope match --format json`."""
    return _reported(_c.match_json(_docs(documents)))
