"""The Ray pipeline as a cluster on this machine (a head and a second node, ray.cluster_utils):
on the example corpus plus FNC-1 train bodies, the same stories and groups as `claimscope match`
on the same documents, the sentences written as Parquet, and a rerun that skips every story."""

import csv
import json
import os
import pathlib
import subprocess

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


def documents(tmp: pathlib.Path) -> pathlib.Path:
    docs = read([ROOT / "examples" / "election-interference"])
    with open(SHARED / "data" / "fnc1" / "train_bodies.csv", newline="", encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f)):
            if i >= FNC1_BODIES:
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
    assert key(again["groups"]) == key(got["groups"])
