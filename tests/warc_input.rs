//! Web archives as archivers other than Common Crawl write them, through the binary: pages in
//! the charset their headers declare, `resource` records (wget, browser archivers), responses
//! without a Content-Type or with an HTTP/2 status line, archives whose name says the wrong
//! compression, and archives and pages piped to stdin.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const PARA: &str = "The committee met on Tuesday to discuss the budget for next year and \
    agreed on the plan after a long debate about roads.";

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A page reader view finds an article in, with `para` as its body.
fn page(title: &str, para: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head><title>{title}</title></head><body><article>\
         <p>{para} {PARA}</p><p>{PARA} {para}</p></article></body></html>"
    )
}

/// One WARC record; `block_type` is the record's own Content-Type.
fn record(out: &mut Vec<u8>, kind: &str, block_type: &str, uri: &str, body: &[u8]) {
    let head = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\n\
         WARC-Date: 2024-03-05T10:00:00Z\r\nContent-Type: {block_type}\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(b"\r\n\r\n");
}

/// A `response` record of an HTTP message: `status` line, `headers`, then `payload`.
fn response(out: &mut Vec<u8>, uri: &str, status: &str, headers: &str, payload: &[u8]) {
    let mut body = format!("{status}\r\n{headers}\r\n").into_bytes();
    body.extend_from_slice(payload);
    record(
        out,
        "response",
        "application/http; msgtype=response",
        uri,
        &body,
    );
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).expect("gzip");
    gz.finish().expect("gzip")
}

/// `segment --format jsonl` of `args`, stdin from `input` when given: (sentences, stderr).
fn segment(args: &[&str], input: Option<&[u8]>) -> (Output, Vec<serde_json::Value>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_claimscope"));
    cmd.arg("segment")
        .args(args)
        .args(["--format", "jsonl"])
        .env("CLAIMSCOPE_MODEL", common::model_spec())
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    if let Some(bytes) = input {
        stdin.write_all(bytes).expect("write stdin");
    }
    drop(stdin);
    let out = child.wait_with_output().expect("wait");
    let sentences = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("jsonl"))
        .collect();
    (out, sentences)
}

/// The documents of the sentences, in order of first appearance.
fn docs(sentences: &[serde_json::Value]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in sentences {
        let d = s["doc"].as_str().expect("doc").to_string();
        if !out.contains(&d) {
            out.push(d);
        }
    }
    out
}

/// The text of all sentences of `doc`.
fn text_of(sentences: &[serde_json::Value], doc: &str) -> String {
    sentences
        .iter()
        .filter(|s| s["doc"] == doc)
        .filter_map(|s| s["text"].as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn tmp() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("claimscope-warc-input-")
        .tempdir()
        .expect("tmp")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn archive_pages_are_read_in_their_charset_and_bad_bytes_are_named_not_replaced() {
    let dir = tmp();
    let mut w = Vec::new();
    let french = "Le comité s'est réuni mardi pour discuter du budget de l'année prochaine.";
    let latin = encoding_rs::WINDOWS_1252
        .encode(&page("Café", french))
        .0
        .into_owned();
    // Record 1: the HTTP header names the charset (and the page does not).
    response(
        &mut w,
        "https://fr.example/1",
        "HTTP/1.1 200 OK",
        "Content-Type: text/html; charset=iso-8859-1\r\n",
        &latin,
    );
    // Record 2: only the page's own meta tag does. (Its text differs by a sentence: the same
    // text from the same site twice would be read once, as a page crawled twice.)
    let meta = page("Café", &format!("{french} Le maire a voté contre.")).replace(
        "<head>",
        "<head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\">",
    );
    let meta = encoding_rs::WINDOWS_1252.encode(&meta).0.into_owned();
    response(
        &mut w,
        "https://fr.example/2",
        "HTTP/1.1 200 OK",
        "Content-Type: text/html\r\n",
        &meta,
    );
    // Record 3: says nothing, and is not UTF-8.
    response(
        &mut w,
        "https://fr.example/3",
        "HTTP/1.1 200 OK",
        "Content-Type: text/html\r\n",
        &latin,
    );
    let warc = dir.path().join("fr.warc");
    std::fs::write(&warc, &w).expect("write");

    let (out, sentences) = segment(&[path(&warc)], None);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(docs(&sentences), ["fr#1", "fr#2"], "{err}");
    for doc in ["fr#1", "fr#2"] {
        let text = text_of(&sentences, doc);
        assert!(text.contains("Le comité s'est réuni"), "{doc}: {text}");
        assert!(!text.contains('\u{fffd}'), "{doc}: {text}");
    }
    assert!(
        err.contains("fr.warc: record 3: the page is not valid UTF-8 at byte")
            && err.contains("UTF-8 assumed")
            && err.contains("--lossy"),
        "{err}"
    );
    assert!(err.contains("unreadable 1"), "{err}");

    // Asked for, the undeclared page is read with its bad bytes replaced, and said once at
    // the end of the archive (a crawl's thousands of pages get one line, the first named).
    let (out, sentences) = segment(&[path(&warc), "--lossy"], None);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("fr.warc: record 3: the page is not valid UTF-8 at byte")
            && err.contains("read with U+FFFD for the bytes that are not (--lossy)"),
        "{err}"
    );
    assert_eq!(docs(&sentences), ["fr#1", "fr#2", "fr#3"]);
    assert!(text_of(&sentences, "fr#3").contains("comit\u{fffd}"));
    assert!(text_of(&sentences, "fr#1").contains("comité"));
}

/// Saved `.html` files go through the archive's decoding: a byte-order mark, else the charset
/// the page's `<meta>` names, else UTF-8; bad bytes stop the run naming the file, or under
/// `--lossy` are replaced with a warning naming it (before, every saved page was read as UTF-8
/// and a Latin-1 page stopped the run, or came out as U+FFFD under `--lossy`).
#[test]
fn saved_pages_are_read_in_the_charset_they_declare() {
    let dir = tmp();
    let french = "Le comité s'est réuni mardi pour discuter du budget de l'année prochaine.";
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).expect("write");
        p
    };
    let with_meta =
        |meta: &str, para: &str| page("Café", para).replace("<head>", &format!("<head>{meta}"));
    let latin = write(
        "latin.html",
        &encoding_rs::WINDOWS_1252
            .encode(&with_meta("<meta charset=\"windows-1252\">", french))
            .0,
    );
    let japanese = "委員会は火曜日に来年の予算について話し合った。";
    let sjis = write(
        "sjis.htm",
        &encoding_rs::SHIFT_JIS
            .encode(&with_meta(
                "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\">",
                japanese,
            ))
            .0,
    );
    let mut utf16 = vec![0xff, 0xfe];
    for unit in page("Café", french).encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let utf16 = write("utf16.html", &utf16);
    let texts = dir.path().join("texts");

    let (out, sentences) = segment(
        &[
            path(&latin),
            path(&sjis),
            path(&utf16),
            "--texts",
            path(&texts),
        ],
        None,
    );
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(docs(&sentences), ["latin", "sjis", "utf16"], "{err}");
    for (doc, want) in [("latin", french), ("sjis", japanese), ("utf16", french)] {
        let text = text_of(&sentences, doc);
        assert!(text.contains(want), "{doc}: {text}");
        assert!(!text.contains('\u{fffd}'), "{doc}: {text}");
        let written = std::fs::read_to_string(texts.join(format!("{doc}.txt"))).expect("text");
        assert!(written.contains(want), "{doc}: {written}");
    }
    // From stdin too.
    let (out, sentences) = segment(
        &["--stdin-format", "html"],
        Some(&std::fs::read(&latin).expect("read")),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(text_of(&sentences, &docs(&sentences)[0]).contains(french));

    // Declares nothing and is not UTF-8: named with the fix; under --lossy read, and named.
    let bare = write(
        "bare.html",
        &encoding_rs::WINDOWS_1252.encode(&page("Café", french)).0,
    );
    let (out, _) = segment(&[path(&bare)], None);
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("bare.html: the page is not valid UTF-8 at byte")
            && err.contains("UTF-8 assumed")
            && err.contains("--lossy"),
        "{err}"
    );
    let (out, sentences) = segment(&[path(&bare), "--lossy"], None);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(text_of(&sentences, "bare").contains("comit\u{fffd}"));
    assert!(
        err.contains("warning: ") && err.contains("bare.html: the page is not valid UTF-8"),
        "{err}"
    );
}

#[test]
fn resource_records_headerless_and_http2_responses_are_pages() {
    let dir = tmp();
    let mut w = Vec::new();
    record(
        &mut w,
        "warcinfo",
        "application/warc-fields",
        "",
        b"software: test\r\n",
    );
    // A page saved whole: no HTTP message, its type in the record's own header.
    record(
        &mut w,
        "resource",
        "text/html; charset=utf-8",
        "https://saved.example/a",
        page("Saved", "Saved whole by an archiver.").as_bytes(),
    );
    record(
        &mut w,
        "resource",
        "image/png",
        "https://saved.example/a.png",
        b"\x89PNG\r\n\x1a\n",
    );
    // Served without a Content-Type: a page by its opening; the rest named.
    response(
        &mut w,
        "https://bare.example/b",
        "HTTP/1.1 200 OK",
        "Server: x\r\n",
        format!("\r\n  {}", page("Bare", "Served without a type.")).as_bytes(),
    );
    response(
        &mut w,
        "https://bare.example/c",
        "HTTP/1.1 200 OK",
        "Server: x\r\n",
        b"var x = 1;",
    );
    // An empty redirect loses nothing and is not named.
    response(
        &mut w,
        "https://bare.example/d",
        "HTTP/1.1 301 Moved Permanently",
        "Location: /b\r\n",
        b"",
    );
    // HTTP/2 and HTTP/3 as archivers write them: the version alone, lower-case headers.
    for (n, status) in [(5, "HTTP/2 200"), (6, "HTTP/3 200")] {
        response(
            &mut w,
            &format!("https://h2.example/{n}"),
            status,
            "content-type: text/html\r\n",
            page("H2", &format!("Served over {status}.")).as_bytes(),
        );
    }
    let warc = dir.path().join("kinds.warc.gz");
    std::fs::write(&warc, gzip(&w)).expect("write");

    let (out, sentences) = segment(&[path(&warc)], None);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(
        docs(&sentences),
        ["kinds#2", "kinds#4", "kinds#7", "kinds#8"],
        "{err}"
    );
    let outlets: Vec<&str> = sentences
        .iter()
        .filter_map(|s| s["outlet"].as_str())
        .collect();
    assert!(outlets.contains(&"saved.example") && outlets.contains(&"h2.example"));
    assert!(text_of(&sentences, "kinds#2").contains("Saved whole by an archiver."));
    assert!(text_of(&sentences, "kinds#4").contains("Served without a type."));
    assert!(text_of(&sentences, "kinds#7").contains("Served over HTTP/2 200."));
    assert!(
        err.contains("kinds.warc.gz: record 5: no Content-Type"),
        "{err}"
    );
    assert!(!err.contains("record 6"), "{err}");
    assert!(!err.contains("HTTP version"), "{err}");
    // warcinfo, the image, the script and the redirect.
    assert!(
        err.contains("4 archive records that were not HTML pages"),
        "{err}"
    );
}

#[test]
fn archives_are_read_by_their_bytes_whatever_their_names_say() {
    let dir = tmp();
    let mut w = Vec::new();
    response(
        &mut w,
        "https://news.example/1",
        "HTTP/1.1 200 OK",
        "Content-Type: text/html\r\n",
        page("One", "The first story.").as_bytes(),
    );
    let gz_named_plain = dir.path().join("zipped.warc");
    std::fs::write(&gz_named_plain, gzip(&w)).expect("write");
    // Another page: the same one twice from one site would be read once (a page crawled twice).
    let mut w = Vec::new();
    response(
        &mut w,
        "https://news.example/2",
        "HTTP/1.1 200 OK",
        "Content-Type: text/html\r\n",
        page("Two", "The second story.").as_bytes(),
    );
    let plain_named_gz = dir.path().join("plain.warc.gz");
    std::fs::write(&plain_named_gz, &w).expect("write");

    let (out, sentences) = segment(&[path(&gz_named_plain), path(&plain_named_gz)], None);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(docs(&sentences), ["zipped#1", "plain#1"], "{err}");
    assert!(!err.contains("damaged"), "{err}");
}

#[test]
fn stdin_reads_archives_and_pages_when_told_and_says_so_when_not() {
    let mut w = Vec::new();
    response(
        &mut w,
        "https://news.example/1",
        "HTTP/1.1 200 OK",
        "Content-Type: text/html\r\n",
        page("One", "The first story.").as_bytes(),
    );
    for archive in [w.clone(), gzip(&w)] {
        let (out, sentences) = segment(&["-", "--stdin-format", "warc"], Some(&archive));
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(docs(&sentences), ["<stdin>#1"]);
        assert!(text_of(&sentences, "<stdin>#1").contains("The first story."));
        assert_eq!(sentences[0]["outlet"], "news.example");
    }
    let html = page("One", "The first story.");
    let (out, sentences) = segment(&["-", "--stdin-format", "html"], Some(html.as_bytes()));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = text_of(&sentences, "stdin");
    assert!(
        text.contains("The first story.") && !text.contains("<p>"),
        "{text}"
    );

    // Read as the default plain text, each is named with the flag that reads it.
    let (out, _) = segment(&["-"], Some(&w));
    assert!(
        stderr(&out).contains("<stdin>: starts with a WARC version line but is read as one plain-text article; pass --stdin-format warc"),
        "{}",
        stderr(&out)
    );
    let (out, _) = segment(&["-"], Some(html.as_bytes()));
    assert!(
        stderr(&out).contains("pass --stdin-format html"),
        "{}",
        stderr(&out)
    );
    let (out, _) = segment(&["-"], Some(&gzip(&w)));
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("<stdin>: gzip-compressed data") && err.contains("--stdin-format warc"),
        "{err}"
    );
}

/// A page record whose transfer encoding is broken is damage, not a record of another kind:
/// counted unreadable, never among the records that "were not HTML pages" (found by a review,
/// 2026-12-06).
#[test]
fn a_damaged_page_record_is_counted_unreadable() {
    let mut w = Vec::new();
    let good = page("Tax rise", "The finance minister raised taxes.");
    response(
        &mut w,
        "https://news.example/1",
        "HTTP/1.1 200 OK",
        "Content-Type: text/html; charset=utf-8\r\n",
        good.as_bytes(),
    );
    response(
        &mut w,
        "https://news.example/2",
        "HTTP/1.1 200 OK",
        "Content-Type: text/html\r\nTransfer-Encoding: chunked\r\n",
        b"zz\r\nabc\r\n0\r\n\r\n",
    );
    let (out, sentences) = segment(&["-", "--stdin-format", "warc"], Some(&w));
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(!sentences.is_empty(), "{err}");
    assert!(
        err.contains("record 2") && err.contains("unreadable 1"),
        "{err}"
    );
    assert!(!err.contains("not HTML pages"), "{err}");
}
