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

use std::borrow::Cow;
use std::cell::Cell;

use dom_smoothie::{Config, Readability, ReadabilityError, TextMode};
use html5ever::interface::Tracer;
use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeBuilderOpts, TreeSink};
use html5ever::{Attribute, ParseOpts, QualName};

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

/// Pages whose elements nest deeper than this are refused rather than read. Reader view's
/// passes look through each element's descendants, and the parser through its open elements
/// at most tags, so both grow with the square of the depth (10,000 nested `div`s: 12 s;
/// 50,000: over a minute). Real pages nest a few dozen deep (34 at most in
/// ../shared/data/html-news).
const MAX_DEPTH: usize = 2_000;

/// Pages whose elements have more ancestors than this, summed over the elements, are refused
/// rather than read: what reader view's descendant searches cost in all is about this sum
/// (measured: 150-300 ns per ancestor when every ancestor is a `div`, so the limit is 1.5-3 s).
/// Depth alone does not bound it: 1,990 nested `div`s with 50,000 elements at the bottom sum
/// to 100 million and took 17 s. The real pages of html-news sum to 51,000 at most.
const MAX_ANCESTRY: usize = 10_000_000;

/// The most steps the HTML parser may take through the elements it holds open (a name read,
/// two elements compared). Most tags make it look through its stack of open elements, so deep
/// or misnested markup makes its work grow with the square of the page; measured at about 6 ns
/// a step, so the limit is about a second. The real pages of html-news take 170,000 at most.
const MAX_PARSER_STEPS: u64 = 200_000_000;

/// The most elements the parser may hold open at once, counted between pieces of the page: its
/// stack of open elements (as deep as the elements nest) and its list of formatting elements
/// to reopen (`<b>`, `<i>`, `<a>`, ... not yet closed). Real pages hold a few dozen.
const MAX_OPEN: usize = 2 * MAX_DEPTH;

/// The page goes to the parser this many bytes at a time; the limits above are checked
/// between pieces, so a piece's own work is all the parser does past them.
const PIECE_BYTES: usize = 1024;

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
    let doc = parse(page, name, PIECE_BYTES)?;
    let url = url.filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let mut reader =
        Readability::with_document(doc, url, Some(cfg)).map_err(|e| failed(name, e))?;
    // Read from the page Readability has parsed, before it prunes it for the article.
    let own = own_url(&reader.doc);
    let marked_date = marked_date(&reader.doc);
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
    // Readability reads the Open Graph and Dublin Core tags it knows; half the pages of
    // html-news mark their date otherwise (schema.org's `itemprop`, a `date` meta tag), and an
    // undated page is held to no date window in `stories`.
    let published = clean(article.published_time).or(marked_date);
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

/// The page parsed as dom_smoothie parses it, refused (naming `name`) when reading it would
/// take far longer than its size warrants: when the parser's own work passes
/// [`MAX_PARSER_STEPS`], its elements [`MAX_ELEMENTS`] or the elements it holds open
/// [`MAX_OPEN`] (checked every `piece` bytes), or when the finished tree nests deeper than
/// [`MAX_DEPTH`] or its ancestry passes [`MAX_ANCESTRY`]. These are measured on the parser and the tree it builds rather than
/// guessed from the tags: the HTML parsing rules (`<div/>` opens a `div`, a stray `</i>`
/// closes nothing, `<li><dd>` nests, `<p><b id=1>x<p><b id=2>x` reopens every `b` before it)
/// are too many for a tag scan to follow.
fn parse(page: &str, name: &str, piece: usize) -> Result<dom_query::Document> {
    let opts = ParseOpts {
        // As dom_query's own `Document::from`, so the tree is the one dom_smoothie would build.
        tree_builder: TreeBuilderOpts {
            scripting_enabled: false,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut parser = html5ever::parse_document(Watched::default(), opts);
    let mut rest = page;
    while !rest.is_empty() {
        let mut cut = piece.max(1).min(rest.len());
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        let (head, tail) = rest.split_at(cut);
        parser.process(StrTendril::from_slice(head));
        rest = tail;
        let builder = &parser.tokenizer.sink;
        builder.sink.check(name)?;
        // Checked before the next piece, not after it: a single tag's work can grow with the
        // square of the open elements (a misnested `</b>` takes each element it passes off
        // the stack one at a time).
        let open = Open::default();
        builder.trace_handles(&open);
        if open.0.get() > MAX_OPEN {
            return Err(Error::Input(format!(
                "{name}: elements nested more than {MAX_DEPTH} deep (more than {MAX_OPEN} left \
                 open at once); not an article page (skipped)"
            )));
        }
    }
    let watched = parser.finish();
    watched.check(name)?;
    let (deepest, ancestry) = shape(&watched.doc);
    if deepest > MAX_DEPTH {
        return Err(Error::Input(format!(
            "{name}: elements nested more than {MAX_DEPTH} deep; not an article page (skipped)"
        )));
    }
    if ancestry > MAX_ANCESTRY {
        return Err(tangled(
            name,
            &format!("its elements have {ancestry} ancestors in all, over {MAX_ANCESTRY}"),
        ));
    }
    Ok(watched.doc)
}

fn tangled(name: &str, why: &str) -> Error {
    Error::Input(format!(
        "{name}: markup too tangled to read in reasonable time ({why}); not an article page \
         (skipped)"
    ))
}

/// The deepest element's depth and the depths summed over all elements, in one walk.
fn shape(doc: &dom_query::Document) -> (usize, usize) {
    let (mut deepest, mut ancestry) = (0usize, 0usize);
    // An explicit stack: recursion would overflow on the very pages this measures.
    let mut todo = vec![(doc.root(), 0usize)];
    while let Some((node, depth)) = todo.pop() {
        if node.is_element() {
            deepest = deepest.max(depth);
            ancestry = ancestry.saturating_add(depth);
        }
        let mut child = node.first_child();
        while let Some(c) = child {
            child = c.next_sibling();
            todo.push((c, depth + 1));
        }
    }
    (deepest, ancestry)
}

/// Counts the elements the parser holds open (its stack of open elements and its list of
/// formatting elements to reopen).
#[derive(Default)]
struct Open(Cell<usize>);

impl Tracer for Open {
    type Handle = <dom_query::Document as TreeSink>::Handle;

    fn trace_handle(&self, _: &Self::Handle) {
        self.0.set(self.0.get() + 1);
    }
}

/// dom_query's document as the parser's sink, counting the work the parser asks of it. Every
/// call goes on to the document unchanged.
#[derive(Default)]
struct Watched {
    doc: dom_query::Document,
    /// Names read and handles compared: the parser's walks through its stack of open elements
    /// and its list of formatting elements.
    steps: Cell<u64>,
    elements: Cell<usize>,
}

impl Watched {
    fn step(&self) {
        self.steps.set(self.steps.get().saturating_add(1));
    }

    fn check(&self, name: &str) -> Result<()> {
        if self.elements.get() > MAX_ELEMENTS {
            return Err(Error::Input(format!(
                "{name}: more than {MAX_ELEMENTS} HTML elements, more than an article page can \
                 have; is it a whole site saved as one file?"
            )));
        }
        if self.steps.get() > MAX_PARSER_STEPS {
            return Err(tangled(
                name,
                &format!(
                    "the HTML parser passed {MAX_PARSER_STEPS} steps through its open elements"
                ),
            ));
        }
        Ok(())
    }
}

impl TreeSink for Watched {
    type Handle = <dom_query::Document as TreeSink>::Handle;
    type Output = Self;
    type ElemName<'a> = <dom_query::Document as TreeSink>::ElemName<'a>;

    fn finish(self) -> Self {
        Watched {
            doc: self.doc.finish(),
            ..self
        }
    }
    fn parse_error(&self, msg: Cow<'static, str>) {
        self.doc.parse_error(msg)
    }
    fn get_document(&self) -> Self::Handle {
        self.doc.get_document()
    }
    fn elem_name<'a>(&'a self, target: &'a Self::Handle) -> Self::ElemName<'a> {
        self.step();
        self.doc.elem_name(target)
    }
    fn create_element(
        &self,
        name: QualName,
        attrs: Vec<Attribute>,
        flags: ElementFlags,
    ) -> Self::Handle {
        self.elements.set(self.elements.get().saturating_add(1));
        self.doc.create_element(name, attrs, flags)
    }
    fn create_comment(&self, text: StrTendril) -> Self::Handle {
        self.doc.create_comment(text)
    }
    fn create_pi(&self, target: StrTendril, data: StrTendril) -> Self::Handle {
        self.doc.create_pi(target, data)
    }
    fn append(&self, parent: &Self::Handle, child: NodeOrText<Self::Handle>) {
        self.doc.append(parent, child)
    }
    fn append_based_on_parent_node(
        &self,
        element: &Self::Handle,
        prev_element: &Self::Handle,
        child: NodeOrText<Self::Handle>,
    ) {
        self.doc
            .append_based_on_parent_node(element, prev_element, child)
    }
    fn append_doctype_to_document(
        &self,
        name: StrTendril,
        public_id: StrTendril,
        system_id: StrTendril,
    ) {
        self.doc
            .append_doctype_to_document(name, public_id, system_id)
    }
    fn mark_script_already_started(&self, node: &Self::Handle) {
        self.doc.mark_script_already_started(node)
    }
    fn pop(&self, node: &Self::Handle) {
        self.doc.pop(node)
    }
    fn get_template_contents(&self, target: &Self::Handle) -> Self::Handle {
        self.doc.get_template_contents(target)
    }
    fn same_node(&self, x: &Self::Handle, y: &Self::Handle) -> bool {
        self.step();
        self.doc.same_node(x, y)
    }
    fn set_quirks_mode(&self, mode: QuirksMode) {
        self.doc.set_quirks_mode(mode)
    }
    fn append_before_sibling(&self, sibling: &Self::Handle, new_node: NodeOrText<Self::Handle>) {
        self.doc.append_before_sibling(sibling, new_node)
    }
    fn add_attrs_if_missing(&self, target: &Self::Handle, attrs: Vec<Attribute>) {
        self.doc.add_attrs_if_missing(target, attrs)
    }
    fn associate_with_form(
        &self,
        target: &Self::Handle,
        form: &Self::Handle,
        nodes: (&Self::Handle, Option<&Self::Handle>),
    ) {
        self.doc.associate_with_form(target, form, nodes)
    }
    fn remove_from_parent(&self, target: &Self::Handle) {
        self.doc.remove_from_parent(target)
    }
    fn reparent_children(&self, node: &Self::Handle, new_parent: &Self::Handle) {
        self.doc.reparent_children(node, new_parent)
    }
    fn is_mathml_annotation_xml_integration_point(&self, handle: &Self::Handle) -> bool {
        self.doc.is_mathml_annotation_xml_integration_point(handle)
    }
    fn set_current_line(&self, line_number: u64) {
        self.doc.set_current_line(line_number)
    }
    fn allow_declarative_shadow_roots(&self, intended_parent: &Self::Handle) -> bool {
        self.doc.allow_declarative_shadow_roots(intended_parent)
    }
    fn attach_declarative_shadow(
        &self,
        location: &Self::Handle,
        template: &Self::Handle,
        attrs: &[Attribute],
    ) -> bool {
        self.doc
            .attach_declarative_shadow(location, template, attrs)
    }
    fn maybe_clone_an_option_into_selectedcontent(&self, option: &Self::Handle) {
        self.doc.maybe_clone_an_option_into_selectedcontent(option)
    }
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

/// Meta tags that carry a page's publication time under names Readability does not read, most
/// specific first.
const DATE_META: &[&str] = &[
    "DC.date.issued",
    "dcterms.issued",
    "DC.date",
    "dcterms.date",
    "date",
    "pubdate",
    "publishdate",
    "published_at",
    "parsely-pub-date",
    "sailthru.date",
];

/// The publication time a page marks up outside Readability's reach: schema.org's
/// `datePublished` (a `meta`'s `content`, a `time`'s `datetime` or `content`), the meta tags of
/// [`DATE_META`], a `<time pubdate>`. Only a value [`day_of`] reads: a page may fill a tag with
/// "Today". Not any `<time>`: a page holds the times of comments and of other stories too.
fn marked_date(page: &dom_query::Document) -> Option<String> {
    let readable = |v: Option<String>| {
        v.map(|v| v.trim().to_string())
            .filter(|v| day_of(v).is_some())
    };
    let item = page.select(r#"[itemprop="datePublished"]"#);
    let from_item = item.iter().find_map(|n| {
        readable(
            n.attr("content")
                .or_else(|| n.attr("datetime"))
                .map(|v| v.to_string()),
        )
    });
    from_item
        .or_else(|| {
            DATE_META.iter().find_map(|name| {
                page.select(&format!(r#"meta[name="{name}" i]"#))
                    .iter()
                    .find_map(|n| readable(n.attr("content").map(|v| v.to_string())))
            })
        })
        .or_else(|| {
            page.select("time[pubdate][datetime]")
                .iter()
                .find_map(|n| readable(n.attr("datetime").map(|v| v.to_string())))
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
    fn the_tree_is_measured_in_one_walk_and_parsed_a_piece_at_a_time_as_in_one_go() {
        let doc = parse(
            "<html><body><div><div><b>x</b></div></div></body></html>",
            "p.html",
            PIECE_BYTES,
        )
        .expect("parsed");
        // html 1, head 2, body 2, div 3, div 4, b 5.
        assert_eq!(shape(&doc), (5, 17));
        // Pieces cut inside tags, entities, a CR LF and multi-byte characters change nothing.
        let page = "<html><head><title>Caf\u{e9} &amp; co</title></head>\r\n<body>\
            <p>Na\u{ef}ve <b>bold <i>both</b> italic</i> &eacute;t\u{e9} \u{65e5}\u{672c}\r\n\
            <table><div>fostered</div><tr><td>cell<td>next</table><li>one<li>two</body>";
        let whole = dom_query::Document::from(page).html();
        for piece in [1, 2, 3, 7, PIECE_BYTES] {
            let doc = parse(page, "p.html", piece).expect("parsed");
            assert_eq!(doc.html(), whole, "pieces of {piece} bytes");
        }
    }

    /// Crafted pages are refused, named, with the message for what they do, or read; quickly
    /// either way, as the limits are measured on what the parser builds. The first three got
    /// past the tag scan that was here before (which skipped `<div/>` and let any end tag
    /// close), which took 1 s for 3,000 of them and minutes for 50,000.
    #[test]
    fn crafted_pages_are_refused_by_what_the_parser_builds() {
        let article = format!(
            "<p>{}</p>",
            "The committee met on Tuesday to discuss the budget. ".repeat(5)
        );
        let page = |junk: &str| format!("<html><body>{article}{junk}</body></html>");
        let refused = |junk: String, what: &str| {
            let e = extract(&page(&junk), "crafted.html", None)
                .err()
                .map(|e| e.to_string());
            assert!(
                e.as_deref()
                    .is_some_and(|e| e.starts_with("crafted.html: ") && e.contains(what)),
                "{what}: {e:?}"
            );
        };
        // `<div/>` opens a div, a stray `</i>` closes nothing, `<li><dd>` nests.
        refused("<div/>".repeat(3_000), "nested more than 2000 deep");
        refused("<div></i>".repeat(3_000), "nested more than 2000 deep");
        refused("<li><dd>".repeat(1_500), "nested more than 2000 deep");
        // Many open at once stop the parser at once, before its work on them grows.
        refused("<span/>".repeat(50_000), "left open at once");
        // Not too deep, but 1,990 divs over 4,100 elements are 10 million ancestors to search.
        refused(
            "<div>".repeat(1_990) + &"<span>x</span>".repeat(4_100),
            "ancestors in all",
        );
        // Each paragraph reopens every `b` before it (different attributes get past the
        // parser's limit of three alike): 12 KB that would make 500,000 elements.
        refused(
            (0..1_000).map(|i| format!("<p><b id={i}>x")).collect(),
            "more than 200000 HTML elements",
        );
        // Harmless, and read: `<a>` closes the `a` before it, and a `table` start tag right
        // inside a table closes that table.
        for junk in ["<a>".repeat(20_000), "<table>".repeat(20_000)] {
            let a = extract(&page(&junk), "fine.html", None).expect("read");
            assert!(a.text.contains("discuss the budget"), "{}", a.text);
        }
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

    /// A date Readability does not read: schema.org's `itemprop` (on a `meta` or a `time`), a
    /// `DC.date.issued` or `date` meta tag; an unreadable value is passed over, and a plain
    /// `<time>` (a comment's, another story's) is not taken.
    #[test]
    fn page_dates_marked_outside_open_graph_are_read() {
        let body = "<article><p>The mayor on Tuesday denied a report that the city had cancelled \
            its bond sale, calling it baseless and saying the sale would go ahead next month.</p>\
            <p>Officials at the treasury said they had not been told of any change at all.</p>\
            </article>";
        for (head, want) in [
            (
                r#"<time itemprop="datePublished" content="2017-01-18T23:00:00-0800">Jan 18</time>"#,
                Some("2017-01-18"),
            ),
            (
                r#"<meta itemprop="datePublished" content="Today"><meta name="DC.date.issued" content="2016-02-01T01:28:49">"#,
                Some("2016-02-01"),
            ),
            (
                r#"<meta name="date" content="2016-02-01 01:28:49">"#,
                Some("2016-02-01"),
            ),
            (
                r#"<time datetime="2016-10-13T17:00:03.000Z">Oct 13</time>"#,
                None,
            ),
        ] {
            let page = format!(
                "<html><head><title>Mayor denies report</title></head><body>{head}{body}</body></html>"
            );
            let a = extract(&page, "p.html", None).expect("an article");
            assert_eq!(a.date.as_deref(), want, "{head}");
        }
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
