"""The Python package against the CLI on the example corpus: the same vectors, sentences,
labels and groups, because both are the one library."""

import errno
import json
import pickle
import os
import pathlib
import signal
import subprocess
import threading
import time
import warnings

import numpy as np
import pytest

import claimscope

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "examples" / "election-interference"


def cli(*args: str) -> str:
    exe = os.environ.get("CLAIMSCOPE_BIN", str(ROOT / "target" / "release" / "claimscope"))
    out = subprocess.run([exe, *args], check=True, capture_output=True, text=True)
    return out.stdout


def corpus_documents() -> list[dict]:
    """The example corpus as the CLI reads it: one article per file, id = file stem."""
    return [
        {"id": p.stem, "text": p.read_text(encoding="utf-8")}
        for p in sorted(CORPUS.glob("*.txt"))
    ]


@pytest.fixture(scope="module")
def sentences() -> list[dict]:
    return [json.loads(l) for l in cli("segment", str(CORPUS), "--format", "jsonl").splitlines()]


def test_segment_gives_the_cli_sentences(sentences):
    ours = [s for d in corpus_documents() for s in claimscope.segment(d["text"], id=d["id"])]
    assert ours == sentences


def test_embed_gives_the_cli_vectors(sentences):
    texts = [s["text"] for s in sentences[:40]]
    lines = "\n".join(json.dumps({"text": t}) for t in texts)
    out = subprocess.run(
        [os.environ.get("CLAIMSCOPE_BIN", str(ROOT / "target" / "release" / "claimscope")), "embed"],
        input=lines, check=True, capture_output=True, text=True,
    ).stdout
    want = np.array([json.loads(l)["embedding"] for l in out.splitlines()], dtype=np.float32)
    embedder = claimscope.Embedder()
    got = embedder.embed(texts)
    assert got.dtype == np.float32 and got.shape == (40, 384)
    # The same library: equal to float32 printing precision.
    assert np.abs(got - want).max() < 1e-6
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)
    # It says what it is, and pickles (a Ray task's argument) as the model it was asked for.
    spec = os.environ.get("CLAIMSCOPE_MODEL", "").strip() or "sentence-transformers/all-MiniLM-L6-v2"
    assert repr(embedder) == f"Embedder(model={spec!r}, dim=384)"
    pickled = pickle.dumps(embedder)
    # Unpickled where the environment names another model, it is still the model it was.
    os.environ["CLAIMSCOPE_MODEL"], before = "/nonexistent/model", os.environ.get("CLAIMSCOPE_MODEL")
    try:
        again = pickle.loads(pickled)
    finally:
        if before is None:
            del os.environ["CLAIMSCOPE_MODEL"]
        else:
            os.environ["CLAIMSCOPE_MODEL"] = before
    assert repr(again) == repr(embedder)
    assert np.array_equal(again.embed(texts[:3]), got[:3])


def test_a_text_cut_at_the_window_is_warned_of_as_the_cli_does():
    embedder = claimscope.Embedder()
    with pytest.warns(claimscope.ClaimscopeWarning, match=r"texts\[1\]: text longer than \d+ tokens, truncated"):
        v = embedder.embed(["A short text.", "word " * 400])
    assert v.shape == (2, 384)


def test_labels_of_a_text_cut_at_the_window_are_warned_of_as_the_cli_does():
    # The labelling models read the first 256 tokens only: said, not silent.
    long = "word " * 400
    with pytest.warns(claimscope.ClaimscopeWarning, match=r"1 text was longer than the model's window of \d+ tokens and read only in part, from the start \(at texts\[1\]\)"):
        labels = claimscope.classify_confidence(["A short text.", long])
    assert len(labels) == 2
    # A pair is one window: a long claim leaves little of even a short sentence.
    with pytest.warns(claimscope.ClaimscopeWarning, match=r"2 texts with their claim were longer .* \(the first at texts\[0\]\); shorten them, the claim above all"):
        labels = claimscope.classify_stance(long, ["Moscow denied it.", "It rained."])
    assert len(labels) == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error", claimscope.ClaimscopeWarning)
        claimscope.classify_stance("Russia interfered", ["Moscow denied it."])
        claimscope.classify_confidence(["Moscow denied it."])


def test_confidence_matches_the_cli(sentences):
    out = cli("classify", str(CORPUS), "--task", "confidence", "--format", "jsonl")
    want = [json.loads(l)["confidence"] for l in out.splitlines()]
    got = [l["confidence"] for l in claimscope.classify_confidence([s["text"] for s in sentences])]
    assert got == want


def test_stance_toward_a_claim():
    labels = claimscope.classify_stance(
        "Russia interfered in the 2020 US election",
        ["Russia interfered in the 2020 election, US intelligence says.",
         "The recipe needs two eggs and a cup of flour."],
    )
    assert labels[0]["stance"] in ("agree", "discuss")
    assert labels[1]["stance"] == "unrelated"


def test_stories_and_match_give_the_cli_groups():
    docs = corpus_documents()
    want = json.loads(cli("match", str(CORPUS), "--format", "json"))
    got = claimscope.match(docs)
    key = lambda r: [(g["story"], sorted((m["doc"], m["start"], m["end"]) for m in g["members"])) for g in r["groups"]]
    assert key(got) == key(want)
    assert len(got["groups"]) > 0
    s = claimscope.stories(docs)
    assert [sorted(d["doc"] for d in st["documents"]) for st in s["stories"]] == \
           [sorted(d["doc"] for d in st["documents"]) for st in want["stories"]]


def test_stories_from_lead_vectors_computed_apart_are_the_same():
    """Ray's stage 2: lead vectors computed a slice of the documents at a time (on workers),
    stacked in order, and the stories linked from them: the same stories as one call."""
    docs = corpus_documents()
    whole = claimscope.stories(docs)
    assert len(whole["stories"]) >= 2
    leads = np.vstack([claimscope.lead_vectors(docs[:2]), claimscope.lead_vectors(docs[2:])])
    assert leads.shape == (len(docs), 384) and leads.dtype == np.float32
    assert np.allclose(np.linalg.norm(leads, axis=1), 1.0, atol=1e-5)
    assert claimscope.stories(docs, lead_vectors=leads) == whole
    with pytest.raises(ValueError, match=f"{len(docs) - 1} lead vectors of 384 values for {len(docs)} documents"):
        claimscope.stories(docs, lead_vectors=leads[1:])
    with pytest.raises(ValueError, match="2-D float32 array"):
        claimscope.stories(docs, lead_vectors=leads.astype(np.float64))
    bad = leads.copy()
    bad[1, 0] = np.nan
    with pytest.raises(ValueError, match=rf"document 1 \({docs[1]['id']}\)"):
        claimscope.stories(docs, lead_vectors=bad)
    with pytest.raises(ValueError, match="768 values, but this model's have 384"):
        claimscope.stories(docs, lead_vectors=np.zeros((len(docs), 768), np.float32))
    # A repeat (the same text from the same outlet under another id, which `stories` reads
    # once) in another slice than its original: a row per document given, the same stories.
    twice = [dict(d, outlet="Wire") for d in docs]
    twice.append(dict(twice[0], id="again"))
    parts = [claimscope.lead_vectors(twice[:3]), claimscope.lead_vectors(twice[3:])]
    assert sum(len(p) for p in parts) == len(twice)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", claimscope.ClaimscopeWarning)
        want = claimscope.stories(twice)
        assert claimscope.stories(twice, lead_vectors=np.vstack(parts)) == want
    assert "again" not in [d["doc"] for s in want["stories"] for d in s["documents"]]


def test_bad_input_is_a_value_error():
    with pytest.raises(ValueError, match="no string \"text\""):
        claimscope.match([{"id": "a"}])


def test_mistakes_users_make_are_named(tmp_path):
    # A lone string where a list belongs would be read character by character.
    with pytest.raises(TypeError, match=r"list of strings"):
        claimscope.classify_confidence("The sky may be blue.")
    with pytest.raises(TypeError, match=r"list of strings"):
        claimscope.classify_stance("Taxes will rise.", "Taxes will rise, he said.")
    with pytest.raises(ValueError, match=r"claim is empty"):
        claimscope.classify_stance("  ", ["Taxes will rise, he said."])
    with pytest.raises(ValueError, match=r"texts\[1\] is empty"):
        claimscope.classify_stance("Taxes will rise.", ["Taxes will rise, he said.", ""])
    with pytest.raises(TypeError, match=r"documents\[0\]"):
        claimscope.stories(["just a text"])
    with pytest.raises(ValueError, match=r'documents\[0\]\["outlet"\] is \["CNN"\]'):
        claimscope.stories([{"id": "a", "text": "The bridge will close.", "outlet": ["CNN"]}])
    # A model directory that is not there is what open() would raise.
    with pytest.raises(FileNotFoundError, match=r"no-such-model: does not exist") as e:
        claimscope.Embedder(str(tmp_path / "no-such-model"))
    assert e.value.errno == errno.ENOENT and e.value.filename.endswith("no-such-model")
    # Inputs that hold no record are a failed read, as in the CLI, not an empty corpus.
    header = tmp_path / "header.csv"
    header.write_text("id,text\n")
    with pytest.raises(ValueError, match=r"no document could be read.*hold no records"):
        claimscope.read_documents(header)
    # A number is an id, as in the CLI's JSONL.
    got = claimscope.stories([{"id": 5, "text": "The bridge will close in May, officials said."}])
    assert got["stories"][0]["documents"][0]["doc"] == "5"


def test_reading_files_warns_as_the_cli_does(tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps({"id": "a", "date": "10/05/2020", "body": "The bridge will close in May."}) + "\n",
        encoding="utf-8",
    )
    # One path (a str or a Path) is one path, not a sequence of one-letter paths; the CLI's
    # reading flags are keywords; what the CLI warns about is a ClaimscopeWarning.
    with pytest.warns(claimscope.ClaimscopeWarning, match=r"10/05/2020.*not understood"):
        docs = claimscope.read_documents(feed, text_field="body")
    assert [d["id"] for d in docs] == ["a"] and docs[0]["text"] == "The bridge will close in May."
    with pytest.raises(ValueError, match=r'no string field "text".*use text_field= to name'):
        claimscope.read_documents(str(feed))
    # A field left as None is optional (this feed has no outlet); named, even by its default
    # name, it is checked, as the CLI's --outlet-field is.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", claimscope.ClaimscopeWarning)
        warnings.filterwarnings("error", message=r".*no record has the field", category=claimscope.ClaimscopeWarning)
        claimscope.read_documents(feed, text_field="body")
    with pytest.warns(claimscope.ClaimscopeWarning, match=r'no record has the field "outlet" \(named by outlet_field=\)'):
        assert claimscope.read_documents(feed, text_field="body", outlet_field="outlet") == docs
    with pytest.raises(ValueError, match=r"no paths given"):
        claimscope.read_documents([])
    # A bytes path is a path too, as os.open takes it, alone or in a list.
    with pytest.warns(claimscope.ClaimscopeWarning, match=r"not understood"):
        for one in (bytes(feed), [bytes(feed)]):
            assert claimscope.read_documents(one, text_field="body") == docs
    with pytest.raises(TypeError, match=r"paths must be strings, bytes or path objects, not int"):
        claimscope.read_documents([3])
    with pytest.warns(claimscope.ClaimscopeWarning, match=r"date '?\"?10/05/2020.*not understood"):
        claimscope.stories([{"id": "a", "date": "10/05/2020", "text": "The bridge will close in May."}])
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match=r"no document could be read.*empty file"):
        claimscope.read_documents([empty])
    # A file that is not there is what open() would raise: FileNotFoundError with its errno and
    # file name.
    with pytest.raises(FileNotFoundError, match=r"nowhere\.jsonl") as e:
        claimscope.read_documents(tmp_path / "nowhere.jsonl")
    assert e.value.errno == errno.ENOENT and e.value.filename == str(tmp_path / "nowhere.jsonl")


def _embed_in_child(texts):
    try:
        return claimscope.Embedder().embed(texts).shape
    except RuntimeError as e:
        return str(e)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is a POSIX start method")
def test_a_forked_child_is_told_instead_of_hanging():
    import multiprocessing

    texts = ["Officials said the claim may be false."] * 8
    claimscope.Embedder().embed(texts)
    with multiprocessing.get_context("fork").Pool(1) as pool:
        said = pool.apply_async(_embed_in_child, (texts,)).get(timeout=60)
    assert "before this process was forked" in said and "spawn" in said


@pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="POSIX signals")
def test_ctrl_c_stops_a_long_call_between_chunks():
    # Distinct texts (repeats are encoded once), four chunks of the encoder's 1,024: stopped
    # after the first, a quarter of the whole.
    texts = [f"Report {i}: the bridge in district {i % 97} will close for {i % 13} weeks." for i in range(4 * 1024)]
    embedder = claimscope.Embedder()
    embedder.embed(texts[:64])  # the first call's set-up is not part of the measure
    start = time.monotonic()
    embedder.embed(texts)
    whole = time.monotonic() - start
    # Interrupted a fifth of the way in, the call stops at the next chunk's end and raises
    # KeyboardInterrupt; before, it ran to the end and raised only then.
    timer = threading.Timer(whole / 5, lambda: os.kill(os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        embedder.embed(texts)
    stopped = time.monotonic() - start
    timer.join()
    assert stopped < whole * 0.7, (stopped, whole)
    # The embedder still works after it.
    assert embedder.embed(texts[:2]).shape == (2, 384)
    # What the caller's own signal handler raises is what the call raises, not KeyboardInterrupt.
    def time_is_up(signum, frame):
        raise TimeoutError("the caller's deadline")

    previous = signal.signal(signal.SIGUSR1, time_is_up)
    try:
        timer = threading.Timer(whole / 5, lambda: os.kill(os.getpid(), signal.SIGUSR1))
        timer.start()
        with pytest.raises(TimeoutError, match="deadline"):
            embedder.embed(texts)
        timer.join()
    finally:
        signal.signal(signal.SIGUSR1, previous)


def test_repeated_ids_and_unread_dates_warn_as_the_cli_does():
    # The CLI warns of both (the same check, `ingest::DocumentChecks`); before, Python said
    # nothing of a repeated id given as dicts, nor of segment's unread date.
    docs = [
        {"id": "a", "text": "Putin authorised the influence campaign to help Trump.", "outlet": "X"},
        {"id": "a", "text": "Putin authorised an influence campaign to help Trump.", "outlet": "Y"},
    ]
    with pytest.warns(claimscope.ClaimscopeWarning, match=r'documents\[1\]: document id "a" was given to an earlier document too'):
        claimscope.match(docs)
    with pytest.warns(claimscope.ClaimscopeWarning, match=r'date "yesterday" not understood'):
        rows = claimscope.segment("The bridge will close in May, officials said.", id="b", date="yesterday")
    assert rows[0]["doc"] == "b"


def test_stdin_is_not_waited_on(tmp_path):
    # '-' is the CLI's stdin: in a notebook the call waited for good.
    with pytest.raises(ValueError, match=r"'-' \(stdin\) is not read from Python.*sys\.stdin"):
        claimscope.read_documents("-")
    with pytest.raises(ValueError, match=r"stdin"):
        claimscope.read_documents([tmp_path, "-"])
    # An empty folder is refused with advice Python can follow (not "or - to read stdin").
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match=r"no file to read") as e:
        claimscope.read_documents(empty)
    assert str(e.value).endswith("give such files") and "to read stdin" not in str(e.value)


def test_values_a_pandas_user_passes_are_taken_or_named():
    import datetime

    text = "The bridge will close in May, officials said. Residents may object."
    # A date, a datetime (a pandas Timestamp is one) and NumPy scalars are what they stand for;
    # other keys (a DataFrame's other columns) are left alone. Before: "Object of type date is
    # not JSON serializable".
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", claimscope.ClaimscopeWarning)
        got = claimscope.stories([
            {"id": np.int64(7), "text": text, "date": datetime.date(2020, 10, 21), "score": np.float32(0.5)},
            {"id": 8, "text": text, "date": datetime.datetime(2020, 10, 22, 7, 28), "extra": object()},
        ])
        rows = claimscope.segment(text, id=np.int64(9), date=datetime.date(2020, 10, 21), outlet=np.str_("Wire"))
    assert sorted(d["doc"] for s in got["stories"] for d in s["documents"]) == ["7", "8"]
    assert rows[0]["doc"] == "9" and rows[0]["date"] == "2020-10-21" and rows[0]["outlet"] == "Wire"
    # A blank outlet or date is none, as the CLI reads a blank field (an outlet "" was an
    # outlet of its own).
    blank = claimscope.segment(text, id="b", outlet=" ", date="")
    missing = claimscope.segment(text, id="b")
    assert [(r.get("outlet"), r.get("date")) for r in blank] == [(r.get("outlet"), r.get("date")) for r in missing]
    assert blank[0].get("outlet") != " " and blank[0].get("date") is None
    blank = claimscope.stories([{"id": "c", "text": text, "outlet": "", "date": " "}])
    missing = claimscope.stories([{"id": "c", "text": text}])
    assert blank == missing
    # An int id is its decimal digits (JSON carried 10**30 as a float: "1e+30").
    got = claimscope.stories([{"text": text, "id": 10**30}])
    assert got["stories"][0]["documents"][0]["doc"] == "1" + "0" * 30
    # A missing value (NaN, NaT) is refused naming the document and the field.
    with pytest.raises(ValueError, match=r'documents\[1\]\["outlet"\] is nan \(a missing value\)'):
        claimscope.match([{"id": "a", "text": text}, {"id": "b", "text": text, "outlet": float("nan")}])
    with pytest.raises(ValueError, match=r'documents\[0\]\["date"\] is NaT'):
        claimscope.stories([{"id": "a", "text": text, "date": np.datetime64("NaT")}])
    with pytest.raises(ValueError, match=r'documents\[0\]\["text"\] is None'):
        claimscope.stories([{"id": "a", "text": None}])
    with pytest.raises(TypeError, match=r'documents\[0\]\["title"\] is a Decimal'):
        import decimal

        claimscope.stories([{"id": "a", "text": text, "title": decimal.Decimal("1.5")}])
    # One dict where the list belongs: said so (it was read as its keys, "documents[0] must be
    # a dict").
    with pytest.raises(TypeError, match=r"give a list of dicts"):
        claimscope.stories({"id": "a", "text": text})
