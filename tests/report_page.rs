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
    for (k, g) in groups.iter().enumerate() {
        let claim = g["canonical"]["claim"].as_str().expect("claim");
        let escaped = html_escape::encode_text(claim);
        // Numbered as the table and Markdown number it, the JSON index plus one.
        let id = format!("id=\"group-{}\"", k + 1);
        let at = rendered
            .find(&id)
            .unwrap_or_else(|| panic!("group {} not numbered in the page", k + 1));
        let heading = &rendered[at..at + rendered[at..].find("</h3>").expect("heading")];
        assert!(
            heading.contains(&format!("[{}]</span> {escaped}", k + 1)),
            "group {} is not {claim:?}: {heading}",
            k + 1
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

/// The outlet filter, driven in the browser: every outlet can be picked, the one that only
/// denies included, and an outlet name holding `|`, markup or nothing at all selects exactly
/// the groups it is in.
#[test]
#[ignore = "needs Debian's chromium (installed by .ci/run)"]
fn the_outlet_filter_finds_every_outlet_in_chromium() {
    let tmpdir = tempfile::Builder::new()
        .prefix("claimscope-filter-")
        .tempdir()
        .expect("tmp");
    let dir = tmpdir.path();
    let input = dir.join("hostile.jsonl");
    let doc = |id: &str, outlet: &str, text: &str| {
        serde_json::json!({"id": id, "outlet": outlet, "date": "2021-03-16", "text": text})
            .to_string()
    };
    let lines = [
        doc(
            "a",
            "Fox | News",
            "Putin authorised an influence campaign to help Donald Trump in the 2020 election.",
        ),
        doc(
            "b",
            "</script><b>x</b>",
            "Russian President Putin authorised an influence campaign to help Donald Trump in the 2020 election.",
        ),
        doc(
            "c",
            "Kremlin Daily",
            "Moscow flatly denied that Putin authorised any influence campaign to help Donald Trump in the 2020 election.",
        ),
    ];
    std::fs::write(&input, lines.join("\n") + "\n").expect("write");
    let input = input.to_str().expect("utf-8");
    let json = common::run_ok(&["match", input, "--format", "json"]);
    let result: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    let groups = result["groups"].as_array().expect("groups");
    // Which groups each outlet appears in, members and related claims alike: what the filter
    // must show when that outlet is picked.
    let expect = |outlet: &str| {
        groups
            .iter()
            .filter(|g| {
                ["members", "related"].iter().any(|k| {
                    g[*k]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|m| m["outlet"].as_str() == Some(outlet)))
                })
            })
            .count()
    };
    let html = common::run_ok(&["match", input, "--format", "html"]);
    let page = String::from_utf8_lossy(&html.stdout);
    let probe = r#"<script>
window.addEventListener('load', function(){
  var out = [];
  var sel = document.getElementById('f-outlet');
  Array.prototype.forEach.call(sel.options, function(o){
    if (!o.value) return;
    sel.value = o.value; sel.dispatchEvent(new Event('change'));
    out.push(JSON.stringify([o.textContent, document.querySelectorAll('article.group:not(.hidden)').length]));
  });
  var pre = document.createElement('pre'); pre.id = 'PROBE'; pre.textContent = '[' + out.join(',') + ']';
  document.body.appendChild(pre);
});
</script></body>"#;
    let probed = page.replacen("</body>", probe, 1);
    let path = dir.join("report.html");
    std::fs::write(&path, probed).expect("write");
    let out = browse(
        &format!("file://{}", path.display()),
        &["--virtual-time-budget=3000", "--dump-dom"],
        &dir.join("profile"),
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(!log.contains("Uncaught"), "a script error: {log}");
    let start = dom.find("<pre id=\"PROBE\">").expect("the probe ran") + 16;
    let end = start + dom[start..].find("</pre>").expect("probe end");
    let shown: Vec<(String, usize)> =
        serde_json::from_str(&html_escape::decode_html_entities(&dom[start..end]))
            .expect("probe output");
    let picked: Vec<&str> = shown.iter().map(|(o, _)| o.as_str()).collect();
    for outlet in ["Fox | News", "</script><b>x</b>", "Kremlin Daily"] {
        if expect(outlet) == 0 {
            continue;
        }
        assert!(
            picked.contains(&outlet),
            "{outlet:?} not in the filter: {picked:?}"
        );
    }
    assert!(
        expect("Kremlin Daily") > 0,
        "the denial is not a related claim of any group: {result}"
    );
    for (outlet, n) in &shown {
        assert_eq!(*n, expect(outlet), "groups shown for {outlet:?}");
    }
}
