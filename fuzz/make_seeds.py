"""Seed inputs of the fuzz targets, written into fuzz/regressions/<target>/ (the stable
regression test runs them too). Small, hand-made or built here, nothing copied from news pages:

    python3 fuzz/make_seeds.py MODEL_DIR CLAIMSCOPE_BIN

MODEL_DIR: the default model's snapshot (its tokenizer and configs shape the model seed, with
a 40-word vocabulary and an 8-wide, one-layer BERT of random weights); CLAIMSCOPE_BIN builds a
three-sentence index for the index seed and the Parquet seed (its sentences of the article, a
`text` column among others, written by `segment --format parquet`).
"""

import json
import pathlib
import random
import struct
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent / "regressions"
MARK = b"\xff\xfe\xfd\xfc"
KINDS = ["txt", "jsonl", "csv", "html", "warc", "parquet", "json"]


def put(target: str, name: str, data: bytes) -> None:
    d = ROOT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


ARTICLE = (
    "Officials deny report of hacking\n\n"
    "The ministry said on Tuesday that the claims were \"completely unfounded\". "
    "Analysts, however, believe the campaign probably began in 2016; a spokesman declined to comment.\n\n"
    "U.S. officials said Mr. Smith may have known. It is unclear whether he did!\n"
)


def ingest() -> None:
    put("ingest", "seed-txt", bytes([KINDS.index("txt")]) + ARTICLE.encode())
    lines = [json.dumps({"id": f"a{i}", "outlet": "Wire", "date": "2021-03-0" + str(i + 1), "text": ARTICLE}) for i in range(2)]
    put("ingest", "seed-jsonl", bytes([KINDS.index("jsonl")]) + ("\n".join(lines) + "\n").encode())
    records = [{"id": f"j{i}", "outlet": "Wire", "text": ARTICLE} for i in range(2)]
    put("ingest", "seed-json", bytes([KINDS.index("json")]) + json.dumps(records, indent=1).encode())
    csv = 'id,outlet,text\nc1,Daily,"' + ARTICLE.replace('"', '""') + '"\nc2,Daily,"Short one. Two."\n'
    put("ingest", "seed-csv", bytes([KINDS.index("csv")]) + csv.encode())
    paras = "".join(f"<p>{p}</p>" for p in ARTICLE.split("\n\n")[1:]) * 3
    html = (
        "<!doctype html><html><head><title>Officials deny report</title>"
        '<meta property="og:site_name" content="Example News">'
        '<meta property="article:published_time" content="2021-03-02T10:00:00Z"></head>'
        f"<body><nav>Home | World</nav><article><h1>Officials deny report</h1>{paras}</article>"
        "<footer>Copyright</footer></body></html>"
    )
    put("ingest", "seed-html", bytes([KINDS.index("html")]) + html.encode())
    payload = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html.encode()
    warc = (
        b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: https://www.example.com/news/1\r\n"
        b"WARC-Date: 2021-03-02T10:00:00Z\r\nContent-Type: application/http; msgtype=response\r\n"
        + f"Content-Length: {len(payload)}\r\n\r\n".encode()
        + payload
        + b"\r\n\r\n"
    )
    put("ingest", "seed-warc", bytes([KINDS.index("warc")]) + warc)


def ingest_parquet(bin_path: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        article = pathlib.Path(d) / "a.txt"
        article.write_text(ARTICLE)
        out = pathlib.Path(d) / "a.parquet"
        subprocess.run([bin_path, "segment", str(article), "--format", "parquet", "-o", str(out)], check=True)
        put("ingest", "seed-parquet", bytes([KINDS.index("parquet")]) + out.read_bytes())


def sentences() -> None:
    for i, s in enumerate(
        [
            "The ministry said the claims were unfounded, but analysts believe the campaign probably began in 2016.",
            "Although officials deny it, it is almost certain that the servers were breached; a spokesman declined to comment.",
            "We are highly confident that Russia did not interfere, according to the report — which may be wrong.",
            "İstanbul’da ÇOK büyük bir olay — perhaps; ﬁnally, it might be STRASSE or straße.",
        ]
    ):
        put("claims", f"seed-{i}", s.encode())
        put("cues", f"seed-{i}", s.encode())


def index(binary: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t = pathlib.Path(tmp)
        (t / "docs.jsonl").write_text(json.dumps({"id": "d", "outlet": "Wire", "text": ARTICLE}) + "\n")
        subprocess.run([binary, "index", "build", str(t / "docs.jsonl"), "-o", str(t / "idx")], check=True)
        files = [t / "idx" / n for n in ["index.json", "seg-000001.jsonl", "seg-000001.safetensors"]]
        put("index_files", "seed-index", MARK.join(p.read_bytes() for p in files) + MARK)


def safetensors(tensors: dict) -> bytes:
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, (shape, values) in tensors.items():
        data = struct.pack(f"<{len(values)}f", *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


def model(model_dir: str) -> None:
    src = pathlib.Path(model_dir)
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + (
        "a b the of and to in is was said officials report claims campaign russia putin not deny "
        "may probably ##s ##ed ##ing . , ; ! ? \" ' - it he she they"
    ).split()
    vocab = {w: i for i, w in enumerate(words)}
    tok = json.loads((src / "tokenizer.json").read_text())
    tok["model"]["vocab"] = vocab
    tok["added_tokens"] = [dict(t, id=vocab[t["content"]]) for t in tok["added_tokens"] if t["content"] in vocab]
    for name, spec in tok["post_processor"]["special_tokens"].items():
        spec["ids"] = [vocab[name]]
    tok["truncation"] = None
    tok["padding"] = None
    h, inter, positions, v = 8, 16, 32, len(words)
    rng = random.Random(7)

    def rand(*shape):
        n = 1
        for d in shape:
            n *= d
        return (list(shape), [rng.gauss(0, 0.1) for _ in range(n)])

    def ones(n):
        return ([n], [1.0] * n)

    def zeros(n):
        return ([n], [0.0] * n)

    t = {
        "embeddings.word_embeddings.weight": rand(v, h),
        "embeddings.position_embeddings.weight": rand(positions, h),
        "embeddings.token_type_embeddings.weight": rand(2, h),
        "embeddings.LayerNorm.weight": ones(h),
        "embeddings.LayerNorm.bias": zeros(h),
    }
    p = "encoder.layer.0."
    for n in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"]:
        t[p + n + ".weight"], t[p + n + ".bias"] = rand(h, h), zeros(h)
    t[p + "attention.output.LayerNorm.weight"], t[p + "attention.output.LayerNorm.bias"] = ones(h), zeros(h)
    t[p + "intermediate.dense.weight"], t[p + "intermediate.dense.bias"] = rand(inter, h), zeros(inter)
    t[p + "output.dense.weight"], t[p + "output.dense.bias"] = rand(h, inter), zeros(h)
    t[p + "output.LayerNorm.weight"], t[p + "output.LayerNorm.bias"] = ones(h), zeros(h)
    config = json.loads((src / "config.json").read_text())
    config.update(hidden_size=h, num_attention_heads=2, num_hidden_layers=1, intermediate_size=inter, vocab_size=v, max_position_embeddings=positions)
    sbert = {"max_seq_length": 24, "do_lower_case": False}
    pooling = json.loads((src / "1_Pooling" / "config.json").read_text())
    pooling["word_embedding_dimension"] = h
    parts = [
        json.dumps(config).encode(),
        json.dumps(tok).encode(),
        json.dumps(sbert).encode(),
        (src / "modules.json").read_bytes(),
        json.dumps(pooling).encode(),
        safetensors(t),
    ]
    put("model_files", "seed-tiny-bert", MARK.join(parts))


if __name__ == "__main__":
    ingest()
    ingest_parquet(sys.argv[2])
    sentences()
    index(sys.argv[2])
    model(sys.argv[1])
