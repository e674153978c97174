//! Article extraction measured on ../shared/data/html-news (34 pages with the text and metadata
//! Firefox's reader view extracts): body word precision/recall/F1 (bags of lower-cased words)
//! and agreement of title, byline, site name and published day, for claimscope's extractor
//! (dom_smoothie, formatted text) and for legible, the other maintained Readability port.
//!
//! ```text
//! cargo run --release --example html_extract [SHARED_DIR]
//! ```

use std::collections::HashMap;
use std::path::PathBuf;

use claimscope::eval::shared_dir;

#[derive(Default)]
struct Tally {
    pages: usize,
    failed: usize,
    correct: usize,
    extracted: usize,
    expected: usize,
    f1_sum: f64,
    meta: [usize; 4],
    seconds: f64,
}

struct Meta {
    title: Option<String>,
    byline: Option<String>,
    site: Option<String>,
    published: Option<String>,
}

fn words(text: &str) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        *out.entry(w.to_lowercase()).or_insert(0) += 1;
    }
    out
}

fn norm(s: &Option<String>) -> String {
    s.as_deref()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn day(s: &Option<String>) -> String {
    norm(s).chars().take(10).collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let shared = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(shared_dir);
    let dir = shared.join("data/html-news");
    let mut pages: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("source.html").exists())
        .collect();
    pages.sort();
    let mut tallies: [(&str, Tally); 2] = [
        ("dom_smoothie (claimscope)", Tally::default()),
        ("legible", Tally::default()),
    ];
    for page in &pages {
        let html = String::from_utf8_lossy(&std::fs::read(page.join("source.html"))?).into_owned();
        let expected_html = std::fs::read_to_string(page.join("expected.html"))?;
        // A space before every tag: block boundaries must not glue words together.
        let expected_text = dom_query::Document::from(expected_html.replace('<', " <"))
            .select("body")
            .text()
            .to_string();
        let gold: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
            page.join("expected-metadata.json"),
        )?)?;
        let g = |k: &str| gold[k].as_str().map(str::to_string);
        let gold_meta = Meta {
            title: g("title"),
            byline: g("byline"),
            site: g("siteName"),
            published: g("publishedTime"),
        };
        let want = words(&expected_text);
        let name = page.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        for (which, tally) in tallies.iter_mut() {
            tally.pages += 1;
            let t0 = std::time::Instant::now();
            let got = if which.starts_with("dom_smoothie") {
                claimscope::html::extract(&html, name, None).ok().map(|a| {
                    (
                        a.text,
                        Meta {
                            title: a.title,
                            byline: a.byline,
                            site: a.site,
                            published: a.published,
                        },
                    )
                })
            } else {
                legible::parse(&html, None, None).ok().map(|a| {
                    (
                        a.text_content,
                        Meta {
                            title: Some(a.title),
                            byline: a.byline,
                            site: a.site_name,
                            published: a.published_time,
                        },
                    )
                })
            };
            tally.seconds += t0.elapsed().as_secs_f64();
            let Some((text, meta)) = got else {
                tally.failed += 1;
                tally.expected += want.values().sum::<usize>();
                continue;
            };
            let have = words(&text);
            let correct: usize = have
                .iter()
                .map(|(w, n)| (*n).min(*want.get(w).unwrap_or(&0)))
                .sum();
            let (nh, nw) = (have.values().sum::<usize>(), want.values().sum::<usize>());
            tally.correct += correct;
            tally.extracted += nh;
            tally.expected += nw;
            let (p, r) = (
                correct as f64 / nh.max(1) as f64,
                correct as f64 / nw.max(1) as f64,
            );
            tally.f1_sum += if p + r > 0.0 {
                2.0 * p * r / (p + r)
            } else {
                0.0
            };
            let agree = [
                norm(&meta.title) == norm(&gold_meta.title),
                norm(&meta.byline) == norm(&gold_meta.byline),
                norm(&meta.site) == norm(&gold_meta.site),
                day(&meta.published) == day(&gold_meta.published),
            ];
            if !agree[1] {
                eprintln!(
                    "{which} {name}: byline {:?}, expected {:?}",
                    meta.byline, gold_meta.byline
                );
            }
            for (i, a) in agree.iter().enumerate() {
                tally.meta[i] += usize::from(*a);
            }
        }
    }
    println!(
        "| extractor | pages failed | word P | word R | word F1 (pooled) | mean page F1 | title | byline | site | date | ms per page |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for (which, t) in &tallies {
        let p = t.correct as f64 / t.extracted.max(1) as f64;
        let r = t.correct as f64 / t.expected.max(1) as f64;
        let n = t.pages;
        println!(
            "| {which} | {} of {n} | {p:.3} | {r:.3} | {:.3} | {:.3} | {}/{n} | {}/{n} | {}/{n} | {}/{n} | {:.1} |",
            t.failed,
            2.0 * p * r / (p + r),
            t.f1_sum / n as f64,
            t.meta[0],
            t.meta[1],
            t.meta[2],
            t.meta[3],
            t.seconds * 1000.0 / n as f64
        );
    }
    Ok(())
}
