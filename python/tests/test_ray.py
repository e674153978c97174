"""The Ray pipeline as a cluster on this machine (a head and a second node, ray.cluster_utils):
on the example corpus plus FNC-1 train bodies, the same stories and groups as `claimscope match`
on the same documents, the sentences written as Parquet, and a rerun that skips every story;
workers killed mid-shard and damaged outputs lose nothing on rerun; an unreadable input file is
skipped with a count."""

import csv
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

ray = pytest.importorskip("ray", reason="needs Ray (pip install 'ray[data]'; .ci/run installs it)")
from ray.cluster_utils import Cluster  # noqa: E402

import claimscope  # noqa: E402
from claimscope.ray import read, run  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = pathlib.Path(os.environ.get("CLAIMSCOPE_SHARED", ROOT.parent / "shared"))
# FNC-1 *train* bodies (not the competition-test bodies, which are acceptance data): enough for
# several multi-document stories, few enough for CI: 60 and the example corpus give more than
# ten groups and several shards a stage (120 took three of CI's minutes for the pipeline test
# alone, 60 one and a half).
FNC1_BODIES = int(os.environ.get("CLAIMSCOPE_RAY_BODIES", "60"))


def cli(*args: str) -> str:
    exe = os.environ.get("CLAIMSCOPE_BIN", str(ROOT / "target" / "release" / "claimscope"))
    return subprocess.run([exe, *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def cluster():
    c = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    c.add_node(num_cpus=1)
    ray.init(address=c.address)
    yield c
    ray.shutdown()
    c.shutdown()


def documents(tmp: pathlib.Path, bodies: int = FNC1_BODIES) -> pathlib.Path:
    docs = read([ROOT / "examples" / "election-interference"])
    with open(SHARED / "data" / "fnc1" / "train_bodies.csv", newline="", encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f)):
            if i >= bodies:
                break
            docs.append({"id": f"fnc1-{row['Body ID']}", "text": row["articleBody"]})
    path = tmp / "docs.jsonl"
    path.write_text("".join(json.dumps({"id": d["id"], "text": d["text"]}) + "\n" for d in docs))
    return path


def key(groups):
    return sorted(
        (g["story"], tuple(sorted((m["doc"], m["start"], m["end"]) for m in g["members"])))
        for g in groups
    )


def test_the_pipeline_on_a_local_cluster_gives_the_cli_groups(cluster, tmp_path):
    assert len(ray.nodes()) == 2
    corpus = documents(tmp_path)
    docs = read([corpus])
    out = tmp_path / "out"
    got = run(docs, str(out), actors=2)
    want = json.loads(cli("match", str(corpus), "--format", "json"))

    assert [sorted(d["doc"] for d in s["documents"]) for s in got["stories"]] == [
        sorted(d["doc"] for d in s["documents"]) for s in want["stories"]
    ]
    assert key(got["groups"]) == key(want["groups"])
    assert len(got["groups"]) > 10

    import pyarrow.parquet as pq

    sentences = pq.read_table(out / "sentences")
    segmented = cli("segment", str(corpus), "--format", "jsonl").splitlines()
    assert sentences.num_rows == len(segmented)
    assert set(sentences.column("confidence").to_pylist()) <= {"high", "moderate", "low", "none"}
    assert len(sentences.column("embedding")[0].as_py()) == 384
    # Stage 2's lead vectors are kept, one row per document in the run's order, and are the
    # library's own.
    assert got["leads"]["written"] == got["leads"]["shards"] == got["sentences"]["shards"]
    leads = pq.read_table(out / "leads")
    assert leads.column("doc").to_pylist() == [d["id"] for d in docs]
    kept = np.array(leads.column("lead").to_pylist(), dtype=np.float32)
    assert np.allclose(kept, claimscope.lead_vectors(docs), atol=1e-6)

    again = run(docs, str(out), actors=2)
    assert again["written"] == 0 and again["skipped"] == got["written"] + got["skipped"]
    assert again["sentences"]["written"] == 0
    assert again["leads"]["written"] == 0 and again["leads"]["skipped"] == again["leads"]["shards"]
    assert again["stories"] == got["stories"]
    assert again["sentences"]["skipped"] == again["sentences"]["shards"] > 1
    assert key(again["groups"]) == key(got["groups"])


DRIVER = """
import json, sys, ray
from claimscope.ray import read, run
ray.init(address=sys.argv[1])
run(read([sys.argv[2]]), sys.argv[3], actors=2, shard_size=2)
"""


def stage_one_workers() -> list[int]:
    """Process ids of the actors running stage 1 (Ray names the process after the actor)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = pathlib.Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if b"ray::" in cmdline and b"SentenceShards" in cmdline:
                pids.append(int(entry))
    return pids


def test_killed_workers_and_damaged_outputs_lose_nothing_on_rerun(cluster, tmp_path):
    corpus = documents(tmp_path, bodies=40)
    out = tmp_path / "out"
    parts = out / "sentences"

    # A driver in its own process; once the first shard is written, kill -9 the driver and then
    # every stage-1 worker (mid-shard: the others are still running). The driver goes first:
    # killed workers alone are restarted by Ray and the run would simply finish.
    driver = subprocess.Popen([sys.executable, "-c", DRIVER, cluster.address, str(corpus), str(out)])
    deadline = time.time() + 300
    while time.time() < deadline and not (parts.exists() and any(parts.glob("part-*.parquet"))):
        assert driver.poll() is None, "the driver ended before writing a shard"
        time.sleep(0.05)
    killed = stage_one_workers()  # listed first: the driver's death soon ends them too
    driver.kill()
    for pid in killed:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    written_at_kill = len(list(parts.glob("part-*.parquet")))
    driver.wait()
    assert killed, "no stage-1 worker found to kill"
    shards_before = sorted(p.name for p in parts.glob("part-*.parquet"))

    # The rerun completes, keeps what was written, removes the temporary files of the killed
    # writers (the kill leaves one only when it lands mid-write, so one more stands for that
    # case every time), and equals the CLI.
    (parts / ".part-00000.parquet.0123456789abcdef.partial").write_bytes(b"PAR1 cut short")
    left = {p.name for p in parts.glob(".*partial")}
    docs = read([corpus])
    got = run(docs, str(out), actors=2, shard_size=2)
    assert left <= {pathlib.Path(s).name for s in got["stale"]}
    assert got["sentences"]["skipped"] >= len(shards_before) >= 1
    assert got["sentences"]["written"] + got["sentences"]["skipped"] == got["sentences"]["shards"]
    assert written_at_kill < got["sentences"]["shards"], "the kill came after the last shard"
    assert got["sentences"]["written"] >= 1, "the rerun redid the shards the kill cut off"
    print(f"killed {len(killed)} workers with {written_at_kill} of {got['sentences']['shards']} shards written; "
          f"{len(shards_before)} when the driver ended; the rerun wrote {got['sentences']['written']}")
    assert not list(parts.glob(".*partial")), "no temporary file left under the output"

    import pyarrow.parquet as pq

    segmented = cli("segment", str(corpus), "--format", "jsonl").splitlines()
    assert pq.read_table(parts).num_rows == len(segmented)
    want = json.loads(cli("match", str(corpus), "--format", "json"))
    assert key(got["groups"]) == key(want["groups"])

    # Damaged outputs: a shard cut short, a shard damaged in place behind its intact footer (16
    # bytes mid-file, among the vectors: the page checksums), one whose first column's data page
    # header lost its page type (a reader skips such a page without an error: the row count)
    # and a story's groups overwritten are reported, counted, set aside and redone; the rest is
    # skipped.
    shard = parts / "part-00003.parquet"
    shard.write_bytes(shard.read_bytes()[:100])
    inside = parts / "part-00005.parquet"
    damaged = bytearray(inside.read_bytes())
    for i in range(len(damaged) // 2, len(damaged) // 2 + 16):
        damaged[i] ^= 0xFF
    inside.write_bytes(bytes(damaged))
    header = parts / "part-00007.parquet"
    damaged = bytearray(header.read_bytes())
    damaged[pq.read_metadata(header).row_group(0).column(0).data_page_offset + 1] ^= 0x01
    header.write_bytes(bytes(damaged))
    for p in (inside, header):
        assert pq.read_metadata(p).num_rows > 0, "the footer is intact"
    story = sorted((out / "groups").glob("*.json"))[0]
    story.write_text('[{"members": [')
    lead = out / "leads" / "part-00002.parquet"
    damaged = bytearray(lead.read_bytes())
    for i in range(len(damaged) // 2, len(damaged) // 2 + 16):
        damaged[i] ^= 0xFF
    lead.write_bytes(bytes(damaged))
    cut = out / "leads" / "part-00004.parquet"
    cut.write_bytes(cut.read_bytes()[:200])
    with pytest.warns(claimscope.ClaimscopeWarning, match=r"unreadable output file"):
        again = run(docs, str(out), actors=2, shard_size=2)
    assert sorted(again["corrupt"]) == sorted(
        [f"groups/{story.name}", "leads/part-00002.parquet", "leads/part-00004.parquet"]
        + [f"sentences/part-0000{i}.parquet" for i in (3, 5, 7)]
    )
    assert again["sentences"]["written"] == 3 and again["written"] == 1
    assert again["leads"]["written"] == 2 and again["leads"]["skipped"] == again["leads"]["shards"] - 2
    assert (out / "corrupt" / "sentences" / "part-00003.parquet").exists()
    assert pq.read_table(parts).num_rows == len(segmented)
    assert key(again["groups"]) == key(want["groups"])

    # The same directory with other documents is refused, not mixed.
    with pytest.raises(ValueError, match="other documents"):
        run(docs[1:], str(out), actors=2, shard_size=2)


def test_an_unreadable_input_file_is_skipped_with_a_count(tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({"id": "a", "text": "One sentence here. And another one."}) + "\n")
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 not really")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "ok.txt").write_text("A plain article. It has two sentences.")
    (folder / "broken.jsonl").write_text('{"id": "x", "text": ')
    with pytest.warns(claimscope.ClaimscopeWarning, match=r"2 files or records gave no document"):
        docs = read([good, bad, folder])
    assert sorted(d["id"] for d in docs) == ["a", "ok"]
    assert sorted(pathlib.Path(p).name for p, _ in docs.skipped) == ["bad.parquet", "broken.jsonl"]


def test_read_gives_the_ids_and_warnings_of_read_documents(tmp_path):
    # Saved pages are often SITE/index.html: the CLI names them apart by their folders, and
    # reads a file given twice (its folder and its name) once. read() read each path on its
    # own: both were "index", and run() then refused the corpus for a repeated id.
    for site in ("cnn", "bbc"):
        (tmp_path / site).mkdir()
        (tmp_path / site / "index.txt").write_text(f"The {site} article says the bridge will close.")
    paths = [tmp_path / "cnn", tmp_path / "cnn" / "index.txt", tmp_path / "bbc"]
    with pytest.warns(claimscope.ClaimscopeWarning, match=r"index\.txt: given more than once; read once"):
        want = claimscope.read_documents(paths)
    with pytest.warns(claimscope.ClaimscopeWarning, match=r"index\.txt: given more than once; read once"):
        got = read(paths)
    assert [d["id"] for d in got] == [d["id"] for d in want] == ["cnn/index", "bbc/index"]
    assert got == want and got.skipped == []

    # One malformed JSONL line costs that line, with a warning, not its file (before, the file
    # was skipped whole, and the folder read file by file lost the ids above).
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps({"id": "x", "text": "The first record reads."}) + "\n"
        + '{"id": "y", "text": \n'
        + json.dumps({"id": "z", "text": "The third record reads too."}) + "\n"
    )
    with pytest.warns(claimscope.ClaimscopeWarning, match=r"feed\.jsonl:2: malformed JSON.*; skipped"):
        got = read([tmp_path])
    assert [d["id"] for d in got] == ["bbc/index", "cnn/index", "x", "z"]
    assert [(pathlib.Path(p).name, why.split(": ")[0]) for p, why in got.skipped] == [("feed.jsonl", str(feed) + ":2")]
    # The CLI's reader still stops there: read_documents is the CLI's.
    with pytest.raises(ValueError, match=r"feed\.jsonl:2: malformed JSON"):
        claimscope.read_documents([tmp_path])
    # One bytes path is one path, as read_documents takes it (iterated, a list of ints).
    with pytest.warns(claimscope.ClaimscopeWarning, match=r"feed\.jsonl:2: malformed JSON"):
        assert [d["id"] for d in read(os.fsencode(str(feed)))] == ["x", "z"]


def test_a_mistyped_path_or_an_empty_corpus_is_refused_by_read(tmp_path):
    # A typo gave an empty "successful" run and a manifest of no shards, which then refused the
    # corrected rerun.
    with pytest.raises(FileNotFoundError, match=r"corpus-typo"):
        read([tmp_path / "corpus-typo"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match=r"no file to read"):
        read([tmp_path / "empty"])
    (tmp_path / "blank.txt").write_text("   \n")
    with pytest.raises(ValueError, match=r"no document could be read"):
        read([tmp_path / "blank.txt"])


@pytest.fixture
def no_cluster(monkeypatch):
    """A run that starts or joins a cluster fails the test: what it checks first must stop it."""

    def refuse(*args, **kwargs):
        raise AssertionError("ray.init was called")

    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", refuse)


def test_run_checks_its_arguments_and_documents_before_starting(tmp_path, no_cluster):
    # run() checks its arguments and documents before it starts or joins a cluster, and before
    # it writes anything (actors=0 failed in Ray after the manifest was written; run([]) wrote
    # an empty run).
    out = tmp_path / "out"
    doc = [{"id": "a", "text": "Officials said the bridge will close in May."}]
    with pytest.raises(ValueError, match=r"no documents to run on"):
        run([], str(out))
    inf = float("inf")
    for bad in ({"actors": 0}, {"actors": 1.5}, {"actor_cpus": 0}, {"match_cpus": -1}, {"shard_size": True}, {"actor_cpus": inf}, {"match_cpus": float("nan")}):
        with pytest.raises(ValueError, match=rf"{next(iter(bad))} must be"):
            run(doc, str(out), **bad)
    with pytest.raises(TypeError, match=r"documents\[0\] must be a dict"):
        run(["just a text"], str(out))
    assert not out.exists()


def test_a_rerun_on_documents_whose_text_changed_is_refused(cluster, tmp_path):
    # The same ids with other text (or another outlet): the manifest fingerprinted ids only, so
    # the rerun skipped every shard and story and returned the first run's groups.
    v1 = [
        {"id": "a", "outlet": "X", "text": "Putin authorised an influence campaign to help Donald Trump in the 2020 election."},
        {"id": "b", "outlet": "Y", "text": "Russian President Putin authorised an influence campaign to help Donald Trump in the 2020 election."},
        {"id": "c", "outlet": "Z", "text": "Putin approved an influence campaign meant to help Donald Trump in the 2020 election, officials said."},
    ]
    out = tmp_path / "out"
    first = run(v1, str(out), actors=1, shard_size=1)
    assert first["written"] >= 1 and first["groups"]
    v2 = [dict(d, text=d["text"].replace("Putin", "Xi").replace("Donald Trump", "Joe Biden")) for d in v1]
    with pytest.raises(ValueError, match=r"other documents \(the documents of 3 shard\(s\) differ in id, text or metadata"):
        run(v2, str(out), actors=1, shard_size=1)
    with pytest.raises(ValueError, match=r"other documents"):
        run([dict(v1[0], outlet="W")] + v1[1:], str(out), actors=1, shard_size=1)

    # Skips are keyed by content, not by position: a shard file of other documents under this
    # shard's name (shard 0's over shard 1's), or groups of a story as it was grouped before,
    # are set aside and redone, not taken for this run's.
    parts = out / "sentences"
    (parts / "part-00001.parquet").write_bytes((parts / "part-00000.parquet").read_bytes())
    (out / "groups" / "s0.json").write_text(json.dumps([{"story": "s0", "members": []}]))
    with pytest.warns(claimscope.ClaimscopeWarning, match=r"output of other documents than this run's"):
        again = run(v1, str(out), actors=1, shard_size=1)
    assert sorted(again["superseded"]) == ["groups/s0.json", "sentences/part-00001.parquet"]
    assert again["sentences"]["written"] == 1 and again["skipped"] == first["written"]
    assert key(again["groups"]) == key(first["groups"])

    import pyarrow.parquet as pq

    rows = sum(len(claimscope.segment(d["text"], id=d["id"], outlet=d["outlet"])) for d in v1)
    assert pq.read_table(parts).num_rows == rows
    assert set(pq.read_table(parts / "part-00001.parquet").column("doc").to_pylist()) == {"b"}


def test_a_run_of_another_build_or_other_models_is_refused(tmp_path, no_cluster):
    # The version stays 0.1.0 while segmentation and models change: a rerun by another build
    # skipped the shards already written and mixed two builds' sentences in one dataset. The
    # manifest records the build and the models, and a rerun by another is refused before a
    # cluster is started or anything is written.
    from claimscope import ray as cray

    out = tmp_path / "out"
    doc = [{"id": "a", "text": "Officials said the bridge will close in May."}]
    me = cray._identity()
    assert me["build"] == claimscope.__build__ and claimscope.__build__.startswith(claimscope.__version__ + "+")
    assert me["model_sha256"] and me["model_files_sha256"] and me["models_sha256"] and me["package_sha256"]
    # A stage-1 actor on a node with another wheel or other models refuses before any work.
    with pytest.raises(RuntimeError, match=r"runs another claimscope build or other models"):
        cray._SentenceShards(str(tmp_path / "shards"), identity=dict(me, package_sha256="0" * 64))
    # And so does a stage-3 task, before it writes a groups file every rerun would trust.
    groups = tmp_path / "story-0.json"
    with pytest.raises(RuntimeError, match=r"runs another claimscope build or other models"):
        cray._match_story("story", doc, str(groups), 1, dict(me, model_files_sha256="0" * 64))
    assert not groups.exists()
    prints = [cray._fingerprint_of([cray._fingerprint(d) for d in doc])]
    for field, other in (("build", "0.1.0+000000000000"), ("models_sha256", "0" * 64)):
        out.mkdir(exist_ok=True)
        manifest = {"format": cray._FORMAT, "library": dict(me, **{field: other}), "shard_size": 64, "shards": prints}
        (out / "manifest.json").write_text(json.dumps(manifest))
        said = f"another claimscope build or other models ({field} {other} then, {me[field]} now)"
        with pytest.raises(ValueError, match=re.escape(said)):
            run(doc, str(out))
        assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]
    # A manifest of the format before (no build recorded) cannot say which build wrote it.
    (out / "manifest.json").write_text(json.dumps({"format": 2, "shard_size": 64, "shards": prints}))
    with pytest.raises(ValueError, match=r"cannot tell which build and models wrote it"):
        run(doc, str(out))


def test_a_folder_reads_the_parquet_files_inside_it(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    # A folder of a Ray run's inputs often holds Parquet beside text: before, the folder gave
    # its text files and left the Parquet out with a warning.
    (tmp_path / "ok.txt").write_text("A plain article. It has two sentences.")
    pq.write_table(
        pa.table({"id": ["p1", "p2"], "outlet": ["Wire", "Daily"], "text": ["Row one says this.", "Row two says that."]}),
        tmp_path / "rows.parquet",
    )
    docs = read([tmp_path])
    assert sorted(d["id"] for d in docs) == ["ok", "p1", "p2"]
    assert {d["id"]: d.get("outlet") for d in docs}["p2"] == "Daily"
    assert docs.skipped == []


def test_a_run_refuses_repeated_ids_and_a_bad_shard_size_before_starting(tmp_path):
    text = "Officials said the bridge will close in May."
    # Two documents under one id were matched as one (the last, against itself): refused.
    with pytest.raises(ValueError, match=r"'a' \(documents 0 and 2\).*its own id"):
        run([{"id": "a", "text": text}, {"id": "b", "text": text}, {"id": "a", "text": text}], str(tmp_path / "out"))
    for bad in (0, -1):
        with pytest.raises(ValueError, match=r"shard_size must be"):
            run([{"id": "a", "text": text}], str(tmp_path / "out"), shard_size=bad)
    # Nothing was started or written.
    assert not (tmp_path / "out").exists()


def test_outputs_a_worker_wrote_where_the_driver_cannot_see_them_stop_the_run(tmp_path):
    # Workers on another node write on that node's disk when the output directory is not on
    # shared storage: the driver then saw no groups file and returned a run short of stories
    # without a word.
    from claimscope.ray import _written_where_seen

    there = tmp_path / "part-00000.parquet"
    there.write_bytes(b"x")
    _written_where_seen([there], "stage 1 (sentences)")
    with pytest.raises(RuntimeError, match=r"stage 3 \(match per story\): 1 of 2 output files.*storage every node"):
        _written_where_seen([there, tmp_path / "a-0.json"], "stage 3 (match per story)")
