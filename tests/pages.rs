//! Saved web pages and web archives through the binary: ../shared/data/html-news (34 real pages)
//! as .html files and as a WARC written here, the extracted texts that byte spans point into,
//! and the bad inputs of the kind (a truncated archive, a page with no article, a binary file
//! named .html).

mod common;

use std::io::Write;
use std::path::Path;
use std::process::Output;

use claimscope::eval::shared_dir;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// (name, page) of every html-news page.
fn pages() -> Vec<(String, Vec<u8>)> {
    let dir = shared_dir().join("data/html-news");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("html-news")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("source.html").exists())
        .map(|p| {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .expect("name")
                .to_string();
            (name, std::fs::read(p.join("source.html")).expect("page"))
        })
        .collect();
    out.sort();
    assert_eq!(out.len(), 34, "html-news has 34 pages");
    out
}

/// One WARC record, written out by hand (the format is a header block and a body; the warc
/// crate's writer is not used because it can write fewer body bytes than its Content-Length).
fn record(out: &mut impl Write, kind: &str, uri: Option<&str>, body: &[u8]) {
    let mut head = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{:08x}-0000-0000-0000-000000000000>\r\nWARC-Date: 2024-03-05T10:00:00Z\r\n",
        body.len()
    );
    if kind == "response" || kind == "request" {
        head += &format!("Content-Type: application/http; msgtype={kind}\r\n");
    }
    if let Some(u) = uri {
        head += &format!("WARC-Target-URI: {u}\r\n");
    }
    head += &format!("Content-Length: {}\r\n\r\n", body.len());
    out.write_all(head.as_bytes()).expect("write");
    out.write_all(body).expect("write");
    out.write_all(b"\r\n\r\n").expect("write");
}

/// A gzipped WARC of the pages as a crawler writes it: a warcinfo record, and per page a
/// request and a response; one image response besides.
fn write_warc(path: &Path) {
    let file = std::fs::File::create(path).expect("create");
    let mut w = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    record(&mut w, "warcinfo", None, b"software: claimscope test");
    for (name, page) in pages() {
        let uri = format!("https://www.{name}.example/news/story");
        record(
            &mut w,
            "request",
            Some(&uri),
            b"GET /news/story HTTP/1.1\r\n\r\n",
        );
        let mut body =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n".to_vec();
        body.extend_from_slice(&page);
        record(&mut w, "response", Some(&uri), &body);
    }
    let png = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG";
    record(&mut w, "response", Some("https://cdn.example/a.png"), png);
    w.finish().expect("finish").flush().expect("flush");
}

/// A fresh directory, removed when the test ends (failed or not).
fn tmp(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("claimscope-pages-{name}-"))
        .tempdir()
        .expect("tmp")
}

/// Sentences of `segment --format jsonl` output, each checked against the text file its span
/// points into; returns (doc, outlet) per sentence.
fn check_spans(out: &Output, texts: &Path) -> Vec<(String, String)> {
    assert!(out.status.success(), "{}", stderr(out));
    let mut seen = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let s: serde_json::Value = serde_json::from_str(line).expect("jsonl");
        let doc = s["doc"].as_str().expect("doc").to_string();
        let text = std::fs::read_to_string(texts.join(claimscope::ingest::text_file_name(&doc)))
            .expect("the document's text was written");
        let (start, end) = (
            s["start"].as_u64().expect("start") as usize,
            s["end"].as_u64().expect("end") as usize,
        );
        assert_eq!(
            text.get(start..end),
            s["text"].as_str(),
            "{doc} {start}..{end}"
        );
        seen.push((doc, s["outlet"].as_str().unwrap_or("").to_string()));
    }
    seen
}

/// `segment --format jsonl --texts TEXTS` of `input`, every span checked.
fn segment_checked(input: &Path, texts: &Path) -> (Output, Vec<(String, String)>) {
    let out = common::run(&[
        "segment",
        input.to_str().expect("utf-8"),
        "--format",
        "jsonl",
        "--texts",
        texts.to_str().expect("utf-8"),
    ]);
    let seen = check_spans(&out, texts);
    (out, seen)
}

#[test]
fn saved_pages_give_their_articles_with_spans_into_the_written_texts() {
    let tmpdir = tmp("html");
    let dir = tmpdir.path().to_path_buf();
    let (input, texts) = (dir.join("in"), dir.join("texts"));
    std::fs::create_dir_all(&input).expect("mkdir");
    for (name, page) in pages() {
        std::fs::write(input.join(format!("{name}.html")), page).expect("write");
    }
    let (out, seen) = segment_checked(&input, &texts);
    let docs: std::collections::BTreeSet<&str> = seen.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(docs.len(), 34, "every page gives sentences: {docs:?}");
    // The reader view's site name is the outlet.
    assert!(
        seen.iter().any(|(d, o)| d == "bbc-1" && o == "BBC News"),
        "{seen:?}"
    );
    // Page furniture stays behind: no sentence is a share button or a script.
    let all = String::from_utf8_lossy(&out.stdout);
    assert!(!all.contains("function(") && !all.contains("Share on Facebook"));
}

/// Pages saved one folder each under one file name (`SITE/source.html`, as the data set and
/// many "save page" tools lay them out): every page keeps an id of its own, a page that names
/// no site takes its own address's host as the outlet, and a page in another language is
/// named in a warning.
#[test]
fn pages_of_one_file_name_keep_ids_of_their_own_and_outlets_from_their_addresses() {
    let tmpdir = tmp("html-folders");
    let dir = tmpdir.path().to_path_buf();
    let (input, texts) = (dir.join("in"), dir.join("texts"));
    for (name, page) in pages() {
        std::fs::create_dir_all(input.join(&name)).expect("mkdir");
        std::fs::write(input.join(&name).join("source.html"), page).expect("write");
    }
    let (out, seen) = segment_checked(&input, &texts);
    let err = stderr(&out);
    let docs: std::collections::BTreeSet<&str> = seen.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(docs.len(), 34, "one id per page: {docs:?}");
    assert!(docs.contains("bbc-1/source"), "{docs:?}");
    assert!(!err.contains("used twice"), "{err}");
    assert!(
        seen.iter()
            .any(|(d, o)| d == "nytimes-1/source" && o == "nytimes.com"),
        "{seen:?}"
    );
    // An outlet is a site, a host, or (a page naming neither) the page's own id: never the
    // bare file name every page shares.
    assert!(
        seen.iter()
            .all(|(d, o)| o != "source" && (!o.ends_with("/source") || o == d)),
        "{seen:?}"
    );
    assert!(
        err.contains("lemonde-1/source.html: the page says it is in \"fr\"")
            && !err.contains("bbc-1/source.html: the page says"),
        "{err}"
    );
    // Warned of once: a page that declares French is not named again by the word check, which
    // still finds the page that declares nothing (La Nación's).
    let by_words = err
        .lines()
        .find(|l| l.contains("read as not in English by their words"))
        .unwrap_or_default();
    assert!(
        by_words.contains("la-nacion/source") && !by_words.contains("lemonde-1/source"),
        "{err}"
    );
}

#[test]
fn a_web_archive_gives_one_document_per_html_response_and_counts_the_rest() {
    let tmpdir = tmp("warc");
    let dir = tmpdir.path().to_path_buf();
    let (warc, texts) = (dir.join("news.warc.gz"), dir.join("texts"));
    write_warc(&warc);
    let (out, seen) = segment_checked(&warc, &texts);
    let docs: std::collections::BTreeSet<&str> = seen.iter().map(|(d, _)| d.as_str()).collect();
    assert_eq!(docs.len(), 34, "{docs:?}");
    // The outlet is the URL's host without www.
    assert!(seen.iter().any(|(_, o)| o == "bbc-1.example"), "{seen:?}");
    let err = stderr(&out);
    assert!(err.contains("34 documents read"), "{err}");
    // Pages in other languages are named once for the archive, with their languages.
    let foreign = err
        .lines()
        .find(|l| l.contains("news.warc.gz: ") && l.contains("say they are in another language"))
        .unwrap_or_else(|| panic!("no language note: {err}"));
    assert!(
        foreign.contains(" of 34 articles") && foreign.contains("fr ") && foreign.contains("de "),
        "{foreign}"
    );
    // warcinfo + 34 requests + the image
    assert!(
        err.contains("36 archive records that were not HTML pages"),
        "{err}"
    );

    // Cut in the middle: the records before the cut are read, the damage is named, and the run
    // does not fail for the other inputs.
    let bytes = std::fs::read(&warc).expect("read");
    let cut = dir.join("cut.warc.gz");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    let out = common::run(&["segment", cut.to_str().expect("utf-8"), "--format", "jsonl"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("cut.warc.gz: record") && err.contains("is damaged"),
        "{err}"
    );
    // The first page (aktualne) is Czech: the archive's language note still comes.
    assert!(
        err.contains("cut.warc.gz: ") && err.contains("say they are in another language (cs 1"),
        "{err}"
    );
    let n: std::collections::BTreeSet<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("jsonl")["doc"].to_string())
        .collect();
    assert!(
        n.len() >= 5 && n.len() < 34,
        "{} documents before the cut",
        n.len()
    );
}

#[test]
fn pages_without_an_article_and_binary_pages_are_named_and_skipped() {
    let tmpdir = tmp("bad");
    let dir = tmpdir.path().to_path_buf();
    std::fs::write(
        dir.join("menu.html"),
        "<html><body><nav><a href='/'>Home</a></nav></body></html>",
    )
    .expect("write");
    std::fs::write(dir.join("image.html"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").expect("write");
    let (name, page) = pages().swap_remove(0);
    std::fs::write(dir.join(format!("{name}.html")), page).expect("write");
    let out = common::run(&["segment", dir.to_str().expect("utf-8"), "--format", "jsonl"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("menu.html: no article found"), "{err}");
    assert!(err.contains("image.html: binary data"), "{err}");
    assert!(err.contains("1 document read"), "{err}");
    assert!(!out.stdout.is_empty());
}

#[test]
fn a_web_archive_goes_through_match_and_classify() {
    let tmpdir = tmp("warc-match");
    let dir = tmpdir.path().to_path_buf();
    let warc = dir.join("news.warc.gz");
    write_warc(&warc);
    let w = warc.to_str().expect("utf-8");
    let run = common::run_ok;
    let seg = run(&["segment", w, "--format", "jsonl"]);
    let sentences = String::from_utf8_lossy(&seg.stdout).lines().count();
    let out = run(&["classify", w, "--task", "confidence", "--format", "jsonl"]);
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("jsonl"))
        .collect();
    assert_eq!(
        lines.len(),
        sentences,
        "every sentence of the archive labelled"
    );
    assert!(lines.iter().all(|l| l["confidence"].is_string()));
    let out = run(&["match", w, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let docs: usize = v["stories"]
        .as_array()
        .expect("stories")
        .iter()
        .map(|s| s["documents"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(docs, 34, "every page in a story");
    assert!(v["groups"].is_array());

    // The 34 pages are 34 different articles. At the default name weight (0.5) four pairs join
    // (a console review and a list of VR games, two French pages on different news: README,
    // "stories"); weighing shared names more keeps every page apart.
    let out = run(&[
        "stories",
        w,
        "--format",
        "json",
        "--entity-weight",
        "4",
        "--threshold",
        "0.2",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let stories = v["stories"].as_array().map_or(0, Vec::len);
    assert_eq!(stories, 34, "{}", v["stories"]);
}

/// An uncompressed archive holds binary records (images, gzip-encoded pages) near its start:
/// it is read record by record like a `.warc.gz`, not dropped whole as "binary data". A page
/// nested absurdly deep is refused at once, named, instead of taking the parser half an hour.
#[test]
fn an_uncompressed_archive_with_binary_records_and_a_pathological_page_are_read() {
    let tmpdir = tmp("plain-warc");
    let dir = tmpdir.path().to_path_buf();
    let article = "<html><head><title>Council approves budget</title></head><body><article>\
        <p>The city council approved the budget on Tuesday after a long debate about road repairs.</p>\
        <p>Members said the plan would fund new buses and cut waiting times across the district.</p>\
        </article></body></html>";
    let warc = dir.join("crawl.warc");
    {
        let mut f = std::fs::File::create(&warc).expect("create");
        let png =
            b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        record(&mut f, "response", Some("https://cdn.example/a.png"), png);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(article.as_bytes()).expect("gzip");
        let mut body =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n"
                .to_vec();
        body.extend_from_slice(&gz.finish().expect("gzip"));
        record(
            &mut f,
            "response",
            Some("https://news.example/budget"),
            &body,
        );
    }
    let deep = dir.join("deep.html");
    std::fs::write(
        &deep,
        format!(
            "<html><body>{}{article}{}</body></html>",
            "<div>".repeat(50_000),
            "</div>".repeat(50_000)
        ),
    )
    .expect("write");
    let out = common::run(&["segment", dir.to_str().expect("utf-8"), "--format", "jsonl"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let docs: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("jsonl"))
        .collect();
    assert!(
        docs.iter().any(|s| s["outlet"] == "news.example"
            && s["text"]
                .as_str()
                .is_some_and(|t| t.contains("approved the budget"))),
        "{docs:?} {err}"
    );
    assert!(
        err.contains("1 archive record that was not an HTML page"),
        "{err}"
    );
    assert!(
        err.contains("deep.html") && err.contains("nested more than"),
        "{err}"
    );
    assert!(!err.contains("binary data"), "{err}");
}

/// Pages crafted to get past a scan of their tags (`<div/>` opens a `div` in HTML, a stray
/// `</i>` closes nothing) are refused by what the parser builds, named, and the run goes on;
/// before, the first took minutes.
#[test]
fn pages_crafted_against_the_nesting_limit_are_refused_and_the_run_goes_on() {
    let tmpdir = tmp("crafted");
    let dir = tmpdir.path();
    let article = format!(
        "<p>{}</p>",
        "The committee met on Tuesday to discuss the budget. ".repeat(5)
    );
    let page = |junk: &str| format!("<html><body>{article}{junk}</body></html>");
    std::fs::write(dir.join("good.html"), page("")).expect("write");
    std::fs::write(dir.join("selfclosing.html"), page(&"<div/>".repeat(50_000))).expect("write");
    std::fs::write(dir.join("stray.html"), page(&"<div></i>".repeat(10_000))).expect("write");
    let out = common::run(&["segment", dir.to_str().expect("utf-8"), "--format", "jsonl"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("discuss the budget"), "{stdout}");
    for name in ["selfclosing.html", "stray.html"] {
        assert!(
            err.lines()
                .any(|l| l.contains(name) && l.contains("nested more than 2000 deep")),
            "{name}: {err}"
        );
    }
    assert!(err.contains("1 document read, skipped 2"), "{err}");
}
