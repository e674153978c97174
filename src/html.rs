//! The article in a saved web page: its body text (navigation, ads, share buttons, comments and
//! scripts left behind) and its metadata, by dom_smoothie, a port of Firefox's reader view
//! (Readability). Measured against legible, the other maintained port, on
//! ../shared/data/html-news (`cargo run --release --example html_extract`; figures in the
//! README): the same body word F1 (0.998), legible finds the expected byline on 4 more pages,
//! but its text is one line per article, while dom_smoothie's formatted text keeps paragraphs
//! and list items on lines of their own; segmentation needs those boundaries (paragraph
//! numbers, headings, boilerplate lines, no words glued across items).
//!
//! The extracted text is what the rest of claimscope reads: sentence byte spans point into it,
//! not into the page (`--texts DIR` writes it beside the output).

use dom_smoothie::{Config, Readability, ReadabilityError, TextMode};

use crate::error::{Error, Result};

/// What a page yields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Article {
    pub title: Option<String>,
    pub byline: Option<String>,
    pub site: Option<String>,
    /// The published time as the page gives it.
    pub published: Option<String>,
    /// Its day, YYYY-MM-DD, when the page's time reads as one (the story window's unit).
    pub date: Option<String>,
    /// The page's own address (`<link rel="canonical">`, else `og:url`), absolute http(s): a
    /// saved page's outlet when it names no site.
    pub url: Option<String>,
    /// The page's language as it declares it (`<html lang>`), lower-cased.
    pub lang: Option<String>,
    /// The body, one paragraph a line.
    pub text: String,
}

/// Pages with more elements than this are refused rather than parsed: a saved page of this size
/// is a crawl artefact, and Readability's scoring grows faster than linearly with it.
const MAX_ELEMENTS: usize = 200_000;

/// Pages whose elements nest deeper than this are refused rather than parsed. The HTML parsing
/// algorithm looks through the stack of open elements at each start tag, so parse time grows
/// with the square of the depth (10,000 nested `div`s: 17 s; 100,000: half an hour). Real
/// pages nest a few dozen deep.
const MAX_DEPTH: usize = 2_000;

/// Fewer visible characters than this is page furniture, not an article.
const MIN_CHARS: usize = 100;

/// Extract the article of one page; `name` (the file or record) is for messages, `url` makes
/// relative links absolute and must be absolute when given.
pub fn extract(page: &str, name: &str, url: Option<&str>) -> Result<Article> {
    let cfg = Config {
        // Formatted keeps block elements as separate lines: paragraphs for segmentation, and
        // no words glued across a closing tag.
        text_mode: TextMode::Formatted,
        max_elements_to_parse: MAX_ELEMENTS,
        ..Config::default()
    };
    if nesting_depth(page) > MAX_DEPTH {
        return Err(Error::Input(format!(
            "{name}: elements nested more than {MAX_DEPTH} deep; not an article page (skipped)"
        )));
    }
    let url = url.filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let mut reader = Readability::new(page, url, Some(cfg)).map_err(|e| failed(name, e))?;
    // Read from the page Readability has parsed, before it prunes it for the article.
    let own = own_url(&reader.doc);
    // Picture furniture inside the article: a picture's credit element goes ("© Provided by
    // Business Insider Inc" came out glued to the first sentence; only inside a figure or a
    // caption: a quotation's `attribution` names its speaker), and an inline caption is made a
    // block of its own, so its text is a line of its own instead of the start of a paragraph.
    reader
        .doc
        .select(
            r#"figure [class~="attribution"], figure [class~="credit"], figure [class~="credits"],
            [class~="caption"] [class~="attribution"], [class~="caption"] [class~="credit"],
            figcaption [class~="attribution"], figcaption [class~="credit"]"#,
        )
        .remove();
    reader.doc.select(r#"span[class~="caption"]"#).rename("div");
    let article = reader.parse().map_err(|e| failed(name, e))?;
    let text = tidy(&article.text_content);
    // Readability falls back to the whole body when it finds no article, so a menu page
    // "extracts" its links; under a short paragraph's worth of text is no article. Counted in
    // characters, not words: Japanese and Chinese pages have no spaces between words.
    if text.chars().filter(|c| !c.is_whitespace()).count() < MIN_CHARS {
        return Err(no_article(name));
    }
    let clean = |s: Option<String>| {
        s.map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|s| !s.is_empty())
    };
    let published = clean(article.published_time);
    let site = clean(article.site_name);
    let title = clean(Some(article.title)).map(|t| without_site(t, site.as_deref()));
    // Readability's article leaves the headline out (it is the page's, above the body), but a
    // headline is the article's first claim, and a plain-text copy of the same article starts
    // with it: so the text does too, unless the body already opens with it.
    let text = match &title {
        Some(t)
            if text
                .lines()
                .find(|l| !l.trim().is_empty())
                .is_none_or(|first| first.split_whitespace().ne(t.split_whitespace())) =>
        {
            format!("{t}\n\n{text}")
        }
        _ => text,
    };
    Ok(Article {
        title,
        byline: clean(article.byline),
        // Some pages give their address as the site's name ("http://www.tmz.com").
        site: site.map(|s| {
            if s.contains("://") {
                crate::warc::host_of(&s).unwrap_or(s)
            } else {
                s
            }
        }),
        date: published.as_deref().and_then(day_of),
        published,
        url: own,
        lang: clean(article.lang).map(|l| l.to_ascii_lowercase()),
        text,
    })
}

/// How deep the page's elements nest, by a linear scan of its tags: start tags push, end tags
/// pop, and the tags a parser closes by itself (void elements, `p`, `li`, table cells, ...)
/// are not counted; comments and the text of `script` and `style` are skipped. An estimate
/// for refusing pathological pages before the parser (whose own depth check would be the
/// quadratic walk this avoids), so it errs low on sloppy markup, never high on sane pages.
fn nesting_depth(page: &str) -> usize {
    const NOT_NESTING: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "tbody",
        "thead", "tfoot", "rb", "rt", "rp", "html", "head", "body",
    ];
    let b = page.as_bytes();
    // Every index below sits just after an ASCII byte (`<`, `>`, `--`, a tag name), so it is
    // a char boundary for the slicing `find` does.
    let find = |from: usize, pat: &str| page[from..].find(pat).map(|e| from + e);
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while let Some(lt) = find(i, "<") {
        i = lt + 1;
        if b[i..].starts_with(b"!--") {
            i = find(i, "-->").map_or(b.len(), |e| e + 3);
            continue;
        }
        let close = b.get(i) == Some(&b'/');
        let start = i + usize::from(close);
        let len = b[start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-')
            .count();
        if len == 0 || !b[start].is_ascii_alphabetic() {
            continue;
        }
        let name = page[start..start + len].to_ascii_lowercase();
        let end = find(start, ">").unwrap_or(b.len());
        i = end;
        if NOT_NESTING.contains(&name.as_str()) || b[..end].ends_with(b"/") {
            continue;
        }
        if close {
            depth = depth.saturating_sub(1);
        } else if name == "script" || name == "style" {
            // Raw text up to its end tag, in any case.
            while let Some(e) = find(i, "</") {
                i = e + 2;
                if b[i..].len() >= len && b[i..i + len].eq_ignore_ascii_case(name.as_bytes()) {
                    break;
                }
            }
        } else {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    deepest
}

/// A headline without the site's name that pages append to it ("... Supporters?' | Breitbart",
/// "... - Yahoo!ニュース"): the name is the outlet, not a sentence of the article.
fn without_site(title: String, site: Option<&str>) -> String {
    let Some(site) = site.filter(|s| !s.is_empty()) else {
        return title;
    };
    [" | ", " - ", " – ", " — "]
        .iter()
        .filter_map(|sep| title.rsplit_once(sep))
        .find(|(head, tail)| tail.trim().eq_ignore_ascii_case(site) && !head.trim().is_empty())
        .map_or_else(|| title.clone(), |(head, _)| head.trim_end().to_string())
}

/// The page's own address: `<link rel="canonical" href>`, else `<meta property="og:url">`,
/// when absolute http(s) or scheme-relative (`//host/path`, taken as https: the host is what
/// names the outlet). Readability's article keeps neither.
fn own_url(page: &dom_query::Document) -> Option<String> {
    let canonical = page
        .select(r#"link[rel="canonical"]"#)
        .attr("href")
        .map(|h| h.to_string());
    let og = || {
        page.select(r#"meta[property="og:url"]"#)
            .attr("content")
            .map(|c| c.to_string())
    };
    canonical
        .into_iter()
        .chain(og())
        .map(|u| {
            let u = u.trim();
            match u.strip_prefix("//") {
                Some(rest) => format!("https://{rest}"),
                None => u.to_string(),
            }
        })
        .find(|u| {
            (u.starts_with("http://") || u.starts_with("https://"))
                && url::Url::parse(u).is_ok_and(|p| p.host_str().is_some())
        })
}

fn no_article(name: &str) -> Error {
    Error::Input(format!(
        "{name}: no article found in the page (reader view finds no body text); \
         if it is an index or a login page leave it out, if the text is plain save it as .txt"
    ))
}

fn failed(name: &str, e: ReadabilityError) -> Error {
    match e {
        ReadabilityError::GrabFailed => no_article(name),
        ReadabilityError::TooManyElements(found, max) => Error::Input(format!(
            "{name}: {found} HTML elements, more than the {max} an article page can have; \
             is it a whole site saved as one file?"
        )),
        other => Error::Input(format!("{name}: {other}")),
    }
}

/// One paragraph a line: trailing spaces cut, runs of blank lines folded, non-breaking spaces
/// made plain (segmentation and the tokenizer see ordinary words).
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let line = line.replace('\u{a0}', " ");
        let line = line.trim();
        if !line.is_empty() {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// YYYY-MM-DD of the day a page's published time names.
fn day_of(time: &str) -> Option<String> {
    crate::dates::day_of(time).map(|d| d.format("%Y-%m-%d").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_measured_in_one_pass_and_a_pathological_page_is_refused() {
        assert_eq!(
            nesting_depth("<html><body><div><div><b>x</b></div></div></body></html>"),
            3
        );
        // Tags a parser closes by itself, comments, self-closing tags and script text do not nest.
        let sloppy = "<div><p>a<p>b<li>c<br><img src=x><!-- <div><div> --><span/>\
                      <script>if (a <div && b) { s = '<div><div>'; }</SCRIPT><i>d</i></div>";
        assert_eq!(nesting_depth(sloppy), 2);
        assert_eq!(nesting_depth("a < b and <3 and </ and <"), 0);
        let deep = format!(
            "<html><body>{}<p>{}</p>{}</body></html>",
            "<div>".repeat(100_000),
            "A sentence long enough to be an article, said nobody. ".repeat(5),
            "</div>".repeat(100_000)
        );
        let e = extract(&deep, "deep.html", None)
            .err()
            .map(|e| e.to_string());
        assert!(
            e.as_deref()
                .is_some_and(|e| e.contains("deep.html") && e.contains("nested more than")),
            "{e:?}"
        );
    }

    #[test]
    fn body_and_metadata_come_out_and_furniture_stays_behind() {
        let page = r#"<html><head><title>Mayor denies report | Daily Bugle</title>
            <meta property="og:site_name" content="Daily Bugle">
            <meta property="article:published_time" content="2024-03-05T10:00:00Z">
            <meta name="author" content="Jane Roe"></head>
            <body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
            <article><h1>Mayor denies report</h1>
            <p>The mayor on Tuesday denied a report that the city had cancelled its bond sale,
            calling it baseless and saying the sale would go ahead next month as planned.</p>
            <p>Officials at the treasury said they had not been told of any change, and the
            council will meet on Thursday to review the schedule and the rates.</p>
            <p>Residents who spoke to the paper were unconvinced and said they would attend.</p>
            </article><div class="share">Share on Facebook</div>
            <script>var x = "do not read me";</script></body></html>"#;
        let a = extract(page, "bugle.html", None).expect("an article");
        assert!(a.text.contains("denied a report"), "{}", a.text);
        assert!(a.text.contains("\n"), "paragraphs are lines: {}", a.text);
        assert!(!a.text.contains("do not read me") && !a.text.contains("Share on"));
        // The headline opens the text once, whether or not the reader view kept it.
        let title = a.title.clone().expect("a title");
        assert!(a.text.starts_with(&format!("{title}\n")), "{}", a.text);
        assert_eq!(a.text.matches(title.as_str()).count(), 1, "{}", a.text);
        assert_eq!(a.site.as_deref(), Some("Daily Bugle"));
        assert_eq!(a.byline.as_deref(), Some("Jane Roe"));
        assert_eq!(a.date.as_deref(), Some("2024-03-05"));
    }

    /// MSN's inline picture: credit and caption spans inside the first paragraph.
    #[test]
    fn a_credit_element_goes_and_an_inline_caption_is_its_own_line() {
        let page = r#"<html><head><title>Mario comes to the iPhone</title></head><body><article>
            <p><span class="storyimage"><span class="caption truncate">
            <span class="attribution">© Provided by Business Insider Inc</span>
            <span>Nintendo/Apple</span></span></span>
            Nintendo and Apple shocked the world earlier this year by announcing a new game,
            the company's first foray into mobile gaming on the phone.</p>
            <p>It will launch on iPhone and iPad on December 15, for a flat fee of $9.99, and
            a sample of the game modes will be free to play for everyone.</p>
            </article></body></html>"#;
        let a = extract(page, "msn.html", None).expect("an article");
        assert!(!a.text.contains("Provided by"), "{}", a.text);
        // A quotation's attribution is no picture credit: its speaker stays.
        let quote = page.replace(
            "</article>",
            r#"<blockquote><p>We will not back down on this, whatever the courts decide.</p>
            <p class="attribution">Senator Mark Warner, on the ruling</p></blockquote></article>"#,
        );
        let q = extract(&quote, "msn.html", None).expect("an article");
        assert!(q.text.contains("Senator Mark Warner"), "{}", q.text);
        assert!(
            a.text
                .lines()
                .any(|l| l.trim_start().starts_with("Nintendo and Apple shocked")),
            "the sentence starts its own line: {}",
            a.text
        );
    }

    #[test]
    fn the_site_name_leaves_the_headline() {
        assert_eq!(
            without_site(
                "Snopes writer asks a question | Breitbart".into(),
                Some("Breitbart")
            ),
            "Snopes writer asks a question"
        );
        assert_eq!(
            without_site(
                "Pipes burst - Yahoo!ニュース".into(),
                Some("Yahoo!ニュース")
            ),
            "Pipes burst"
        );
        // Another outlet's name, or a dash inside the headline, stays.
        assert_eq!(
            without_site("Yahoo News - Latest News".into(), Some("us.yahoo.com")),
            "Yahoo News - Latest News"
        );
        assert_eq!(
            without_site("Breitbart".into(), Some("Breitbart")),
            "Breitbart"
        );
    }

    const BODY: &str = "<body><article><h1>Mayor denies report</h1><p>The mayor on Tuesday \
        denied a report that the city had cancelled its bond sale, calling it baseless and \
        saying the sale would go ahead next month as planned.</p></article></body></html>";

    #[test]
    fn the_page_gives_its_address_language_and_a_site_name_that_is_an_address() {
        let page = format!(
            r#"<html lang="fr-FR"><head><link rel="canonical" href="https://www.bugle.example/a/1">
            <meta property="og:url" content="https://other.example/x">
            <meta property="og:site_name" content="http://www.bugle.example"></head>{BODY}"#
        );
        let a = extract(&page, "p.html", None).expect("an article");
        assert_eq!(a.url.as_deref(), Some("https://www.bugle.example/a/1"));
        assert_eq!(a.lang.as_deref(), Some("fr-fr"));
        assert_eq!(a.site.as_deref(), Some("bugle.example"));
        // A relative canonical link is passed over for og:url; no head, no address.
        let page = format!(
            r#"<html><HEAD><link rel="canonical" href="/a/1">
            <meta property="og:url" content="https://bugle.example/a/1"></HEAD>{BODY}"#
        );
        let a = extract(&page, "p.html", None).expect("an article");
        assert_eq!(a.url.as_deref(), Some("https://bugle.example/a/1"));
        assert_eq!(a.lang, None);
        let a = extract(&format!("<html>{BODY}"), "p.html", None).expect("an article");
        assert_eq!(a.url, None);
        // A scheme-relative canonical link (yahoo's `//us.yahoo.com/news/`) names its host.
        let page = format!(
            r#"<html><head><link rel="canonical" href="//us.bugle.example/news/"></head>{BODY}"#
        );
        let a = extract(&page, "p.html", None).expect("an article");
        assert_eq!(a.url.as_deref(), Some("https://us.bugle.example/news/"));
    }

    #[test]
    fn a_page_without_an_article_is_a_clear_error() {
        let err = extract(
            "<html><body><nav>Home</nav></body></html>",
            "empty.html",
            None,
        )
        .expect_err("no article");
        assert!(err.to_string().contains("empty.html: no article"), "{err}");
    }

    #[test]
    fn days_of_both_time_formats() {
        assert_eq!(
            day_of("2015-07-24T05:36:09+01:00").as_deref(),
            Some("2015-07-24")
        );
        assert_eq!(
            day_of("Fri, 24 Jul 2015 05:36:09 +0100").as_deref(),
            Some("2015-07-24")
        );
        assert_eq!(day_of("yesterday"), None);
    }
}
