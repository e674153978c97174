"""The Ray pipeline as a cluster on this machine (a head and a second node, ray.cluster_utils):
on the example corpus plus FNC-1 train bodies, the same stories and groups as `claimscope match`
on the same documents, the sentences written as Parquet, and a rerun that skips every story;
workers killed mid-shard and damaged outputs lose nothing on rerun; an unreadable input file is
skipped with a count."""

import csv
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

ray = pytest.importorskip("ray", reason="needs Ray (pip install 'ray[data]'; .ci/run installs it)")
from ray.cluster_utils import Cluster  # noqa: E402

import claimscope  # noqa: E402
from claimscope.ray import read, run  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = pathlib.Path(os.environ.get("CLAIMSCOPE_SHARED", ROOT.parent / "shared"))
# FNC-1 *train* bodies (not the competition-test bodies, which are acceptance data): enough for
# several multi-document stories, few enough for CI.
FNC1_BODIES = int(os.environ.get("CLAIMSCOPE_RAY_BODIES", "120"))


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

    again = run(docs, str(out), actors=2)
    assert again["written"] == 0 and again["skipped"] == got["written"] + got["skipped"]
    assert again["sentences"]["written"] == 0
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

    # Damaged outputs: a shard cut short and a story's groups overwritten are reported, counted,
    # set aside and redone; the rest is skipped.
    shard = parts / "part-00003.parquet"
    shard.write_bytes(shard.read_bytes()[:100])
    story = sorted((out / "groups").glob("*.json"))[0]
    story.write_text('[{"members": [')
    again = run(docs, str(out), actors=2, shard_size=2)
    assert sorted(again["corrupt"]) == sorted([f"groups/{story.name}", "sentences/part-00003.parquet"])
    assert again["sentences"]["written"] == 1 and again["written"] == 1
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
    with pytest.warns(UserWarning, match="2 input file"):
        docs = read([good, bad, folder])
    assert sorted(d["id"] for d in docs) == ["a", "ok"]
    assert sorted(pathlib.Path(p).name for p, _ in docs.skipped) == ["bad.parquet", "broken.jsonl"]


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
