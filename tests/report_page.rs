//! `match --format html` in a real browser: headless Chromium (Debian's `chromium`; `.ci/run`
//! installs it) loads the page from disk with the network unused, the rendered DOM holds every
//! group `match --format json` finds, the filter script ran without a console error, a link to
//! a member's place in the article opens that article and marks the sentence, and a screenshot
//! is written to target/tmp/report-screenshot.png for a person to look at.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn chromium() -> PathBuf {
    let path = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    assert!(
        path.exists(),
        "{}: no Chromium; install Debian's chromium package (.ci/run does) or set CHROMIUM",
        path.display()
    );
    path
}

/// Chromium headless on `url` with `extra` arguments; the flags keep it off the network (this
/// machine's network is closed, and the page must not need one).
fn browse(url: &str, extra: &[&str], profile: &Path) -> Output {
    let profile = format!("--user-data-dir={}", profile.display());
    let mut args = vec![
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
        profile.as_str(),
    ];
    args.extend_from_slice(extra);
    args.push(url);
    Command::new("timeout")
        .arg("120")
        .arg(chromium())
        .args(&args)
        .output()
        .expect("run chromium")
}

#[test]
#[ignore = "needs Debian's chromium (installed by .ci/run)"]
fn the_report_renders_every_group_in_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("examples/election-interference");
    let corpus = corpus.to_str().expect("utf-8");
    let json = common::run_ok(&["match", corpus, "--format", "json"]);
    let result: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    let groups = result["groups"].as_array().expect("groups");
    assert!(!groups.is_empty());

    let tmpdir = tempfile::Builder::new()
        .prefix("claimscope-report-")
        .tempdir()
        .expect("tmp");
    let dir = tmpdir.path();
    let page = dir.join("report.html");
    let html = common::run_ok(&["match", corpus, "--format", "html"]);
    std::fs::write(&page, &html.stdout).expect("write");
    let text = String::from_utf8_lossy(&html.stdout);
    // Self-contained: nothing to fetch.
    for needle in ["src=\"http", "href=\"http", "<link", "@import", "url("] {
        assert!(
            !text.contains(needle),
            "the page fetches something: {needle}"
        );
    }
    let url = format!("file://{}", page.display());

    let dom = browse(&url, &["--dump-dom"], &dir.join("profile"));
    let rendered = String::from_utf8_lossy(&dom.stdout);
    let log = String::from_utf8_lossy(&dom.stderr);
    assert!(!log.contains("Uncaught"), "a script error: {log}");
    assert_eq!(
        rendered.matches("<article class=\"group").count(),
        groups.len(),
        "one article element per group"
    );
    for g in groups {
        let claim = g["canonical"]["claim"].as_str().expect("claim");
        let escaped = html_escape::encode_text(claim);
        assert!(
            rendered.contains(escaped.as_ref()),
            "group {claim:?} not in the page"
        );
        for m in g["members"].as_array().expect("members") {
            let outlet = m["outlet"].as_str().expect("outlet");
            assert!(rendered.contains(html_escape::encode_text(outlet).as_ref()));
        }
    }
    // The filter script ran: it wrote its count.
    let shown = format!("{0} of {0} groups shown", groups.len());
    assert!(rendered.contains(&shown), "filter script did not run");

    // A member's link opens its article and marks the sentence.
    let start = text.find("href=\"#d").expect("a member link") + 7;
    let anchor: String = text[start..].chars().take_while(|c| *c != '"').collect();
    let dom = browse(
        &format!("{url}#{anchor}"),
        &["--dump-dom"],
        &dir.join("profile"),
    );
    let rendered = String::from_utf8_lossy(&dom.stdout);
    let target = format!("class=\"sent target\" id=\"{anchor}\"");
    assert!(
        rendered.contains(&target),
        "{anchor} not marked after navigation"
    );
    let doc = anchor
        .trim_start_matches('d')
        .split('-')
        .next()
        .expect("doc");
    assert!(
        rendered.contains(&format!("<details id=\"doc-{doc}\" open=\"\">")),
        "article {doc} not opened"
    );

    // In the build's own temporary directory (target/tmp): it exists wherever the target
    // directory is (CARGO_TARGET_DIR included).
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-screenshot.png");
    let _ = std::fs::remove_file(&shot);
    let arg = format!("--screenshot={}", shot.display());
    let out = browse(
        &url,
        &[&arg, "--window-size=1400,2000"],
        &dir.join("profile"),
    );
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 50_000,
        "screenshot of {size} bytes: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
