//! From a scraped article to clean sentences that point at their exact source bytes.
//!
//! Cleaning works on lines (scraped articles put one paragraph per line, blank lines or not):
//! metadata markers become metadata, boilerplate and repeated paragraphs are dropped, and every
//! drop is recorded with its reason so `--explain` can show it and `--keep-all` can keep it.
//! Sentence boundaries come from `sentencex` (Wikimedia's segmenter: abbreviations, initials,
//! decimals, quotes, ellipses, missing spaces after periods; ~50 MB/s here), applied per
//! paragraph so a headline without final punctuation never swallows the next paragraph.

use std::collections::HashSet;

use serde::Serialize;

use crate::ingest::Document;
use crate::lexicon::{MONTH_SHORT_FORMS, MONTHS, NEGATIONS, WEEKDAYS};

/// Longest sentence kept whole; longer runs without a boundary (tables, scraped junk) are cut
/// at whitespace so one enormous line can neither hang the splitter nor flood the model.
pub const MAX_SENTENCE_BYTES: usize = 2000;
/// Paragraphs longer than this are pre-cut before the splitter sees them.
const MAX_PARAGRAPH_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SentenceKind {
    /// The article's title (first line without final punctuation).
    Title,
    /// A subhead: a short later line without final punctuation.
    Heading,
    Text,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Sentence {
    pub doc: String,
    pub outlet: String,
    pub date: Option<String>,
    /// Paragraph number in the document (0-based, counting kept paragraphs).
    pub paragraph: usize,
    /// Sentence number in the document (0-based).
    pub index: usize,
    /// Byte span in the document text (the file, or the record's text field):
    /// `text == document[start..end]`.
    pub start: usize,
    pub end: usize,
    pub kind: SentenceKind,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Removal {
    pub doc: String,
    pub start: usize,
    pub end: usize,
    pub reason: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Segmented {
    pub doc: String,
    pub source: String,
    pub outlet: String,
    pub date: Option<String>,
    pub title: Option<String>,
    pub url: Option<String>,
    /// The language the source declares (see `ingest::Document::lang`).
    #[serde(skip)]
    pub lang: Option<String>,
    pub sentences: Vec<Sentence>,
    pub removed: Vec<Removal>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SegmentOptions {
    /// Keep boilerplate and repeated paragraphs as sentences (removals are still listed).
    pub keep_all: bool,
}

/// Lines that are scraping debris, by prefix (lower-cased).
const BOILERPLATE_PREFIXES: &[&str] = &[
    "leave a reply",
    "leave a comment",
    "your email address will not be published",
    "required fields are marked",
    "save my name, email",
    "post comment",
    "cancel reply",
    "read the full story",
    "read more:",
    "read more at",
    "you may also like",
    "related articles",
    "advertisement-",
    "advertisement -",
    "advertisement:",
    "image copyright",
    "image caption",
    // Page furniture of news sites, each found in 5-39 FNC-1 train bodies (more in
    // SENTENCE_PREFIXES, which lines are read with too).
    "poll loading",
    "sorry we are not currently accepting comments",
    // Saved news pages (the html-news pages' furniture).
    "photo credit",
];

/// Prompts that open a short line or sentence (8 words at most): longer, the same words start
/// prose ("Share this picture widely, the police chief told residents", "Click here links in
/// the emails led to a fake login page", "Getty Images later withdrew it").
const PROMPT_PREFIXES: &[&str] = &[
    "share this",
    "share on ",
    "share via",
    "sign up for",
    "subscribe to",
    "click here",
    "gallery:",
    "please enable javascript",
];

/// Credits that open a short line that is no sentence ("Getty Images", "Powered by WordPress"):
/// one that ends as a sentence is prose ("Getty Images declined to comment.").
const CREDIT_PREFIXES: &[&str] = &["getty images", "powered by "];

/// Prefixes that start furniture and no sentence of prose, read in lines and sentences alike
/// (30 words at most).
const SENTENCE_PREFIXES: &[&str] = &[
    "scroll down for video",
    "click here to ",
    "click here for ",
    "follow us",
    "follow me on",
    "order reprints",
    "follow him on twitter",
    "follow her on twitter",
    "follow them on twitter",
    "have something to add to this story",
    "continue reading the main story",
    "[image via",
];

/// "Keep up with the CityLab Daily newsletter.", "Sign up for Command Line, a paid weekly
/// newsletter from ...".
fn newsletter_prompt(lowered: &str) -> bool {
    lowered.contains("newsletter")
        && ["keep up with", "get the", "sign up", "subscribe"]
            .iter()
            .any(|p| lowered.starts_with(p))
}

/// Whole lines or sentences, punctuation aside, that are links to more of the site.
const LINK_LINES: &[&str] = &["see all related", "related coverage"];

/// Headings, alone on a line, over a list of links to other stories (a site's sidebar or
/// "related" box pasted with the article): "MORE STORIES", "Related Stories", "MORE FROM
/// GOLF", "More from Fox News:", "RECOMMENDED:". Matched whole, a final colon aside. Not the
/// labels sites also put above an article or over a list of its own ("Top stories", "Most
/// popular", "Trending now", "Recommended" without its colon): under those, the headline and
/// byline of the article itself, or a list of its facts, went as links.
const LINK_LIST_HEADINGS: &[&str] = &[
    "more stories",
    "related stories",
    "related posts",
    "most read",
    "you might also like",
];

/// Is a line a heading over a list of links ([`LINK_LIST_HEADINGS`], "RECOMMENDED:" with its
/// colon, or "More from" and a name of one to three capitalised words: "More from Fox News:",
/// "MORE FROM GOLF"; not "More from the interview")?
fn link_list_heading(line: &str) -> bool {
    let t = line.trim();
    let l = t.to_lowercase();
    let bare = l.trim_end_matches([':', ' ']);
    let named_source = l.starts_with("more from ")
        && t.get("more from ".len()..).is_some_and(|name| {
            let words: Vec<&str> = name.split_whitespace().collect();
            (1..=3).contains(&words.len())
                && words.iter().all(|w| w.starts_with(char::is_uppercase))
        });
    LINK_LIST_HEADINGS.contains(&bare) || l == "recommended:" || named_source
}

/// A line under a link-list heading that is one more link: a headline (no final stop, at most
/// 20 words, not ending on a function word as a hard-wrapped line of prose does: "... would
/// remain in place until"), a byline or time stamp under it, or a separator. The first line
/// that ends as a sentence, or runs longer, is the article again.
fn listed_link(line: &str) -> bool {
    let l = line.trim().to_lowercase();
    let words = l.split_whitespace().count();
    let last = l
        .split_whitespace()
        .next_back()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .unwrap_or("");
    let cut_off = crate::lexicon::STOPWORDS.contains(&last)
        || ["until", "when", "where", "while", "because", "if"].contains(&last);
    (words <= 20 && !finished(&l) && !cut_off) || (words <= 16 && byline(line.trim()))
}

/// Lines at most under one link-list heading: a sidebar's box is short, and a heading that is
/// no box's must not take the rest of an article with it.
const MAX_LISTED_LINKS: usize = 12;

/// Widget labels glued to what follows them: furniture when no sentence ends the line ("Video
/// loading Watch next Watch this video again", "View galleryForensic personnel unload bodies
/// &hellip;"), prose when one does ("Video loading 12:22 pm Andy Lines Neighbours in shock
/// The Mirror's Andy Lines is down at the scene ...").
const WIDGET_PREFIXES: &[&str] = &["video loading", "view gallery"];

/// Where news pictures come from: a short line that ends with one after a slash is a picture
/// credit ("JIM WATSON/AFP/Getty Images", "(Thomas Coex/AFP/Getty Images)", "CreditChang W.
/// Lee/The New York Times").
const PICTURE_SOURCES: &[&str] = &[
    "getty images",
    "afp",
    "reuters",
    "ap",
    "ap photo",
    "epa",
    "associated press",
    "the new york times",
    "bloomberg",
    "shutterstock",
    "pa",
    "pa images",
    "rex features",
    "rex/shutterstock",
];
/// Whole lines that are form fields or widgets.
const BOILERPLATE_LINES: &[&str] = &[
    "comment",
    "name",
    "name *",
    "email",
    "email *",
    "website",
    "share",
    "tweet",
    "print",
    "on a mobile device?",
    "photo",
    "image",
    "view photo",
    "share it in the comments.",
    "using a mobile device?",
    "(via)",
    "advertisement",
    "about the author",
];

/// Why a line is boilerplate, if it is: the line rules, then what a sentence alone can show.
fn boilerplate(line: &str) -> Option<&'static str> {
    let l = line.trim().to_lowercase();
    let words = l.split_whitespace().count();
    // A long run of prose that merely starts like furniture is kept ("Video loading 12:22 pm
    // Andy Lines Neighbours in shock ..." in a live blog with its breaks lost).
    if words <= 30 && BOILERPLATE_PREFIXES.iter().any(|p| l.starts_with(p)) {
        return Some("boilerplate (comment form, share/follow prompt or link)");
    }
    if words <= 30 && newsletter_prompt(&l) {
        return Some("boilerplate (newsletter prompt)");
    }
    // Not "MORE:" (Metro's links): there the links are often to the same story and state its
    // claims, and the labelled set groups them with the article's own sentences.
    // "Related: 10 Must-Try Beauty Apps", "[ Related: 12 Heartwarming Viral Stories! ]".
    let unbracketed = l.trim_start_matches(['[', '(', ' ']);
    if words <= 15 && unbracketed.starts_with("related:") {
        return Some("boilerplate (related link)");
    }
    // "SEE ALSO:  BendGate Truthers Claim To Have Found The REAL Story ...": a link's title is
    // capitalised and ends without a stop; "See also: the ruling of 2019." is the story's own.
    if words <= 25 && l.starts_with("see also:") && !finished(&l) {
        let title = line.trim()["see also:".len()..].trim_start();
        if title.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit()) {
            return Some("boilerplate (related link)");
        }
    }
    // The Financial Times' sharing notice opens its pasted articles ("High quality global
    // journalism requires investment. Please share this article with others using the link
    // below, ... Email ftsales.support@ft.com to buy additional rights. URL"): taken for the
    // headline, it also put the article in a story of its own.
    if words <= 60 && l.starts_with("high quality global journalism requires investment") {
        return Some("copyright notice");
    }
    // Reuters puts its credit in brackets: "(Reporting by Andrew MacAskill; Editing by ...)".
    let credit = l.strip_prefix('(').unwrap_or(&l);
    if (credit.starts_with("reporting by ") || credit.starts_with("additional reporting by "))
        && (l.contains("editing by") || l.contains(';') || words <= 6)
    {
        return Some("byline (contributor credit)");
    }
    if words <= 16 && byline(line.trim()) {
        return Some("byline (author)");
    }
    // A line that opens with code goes whole; code inside prose goes sentence by sentence (a
    // live blog's 10 KB of updates with one script call keeps its updates).
    if is_markup(&l) && starts_like_code(&l) {
        return Some("markup (HTML comment or script left in the text)");
    }
    furniture(line, &l, words)
}

/// Lower-case words a name may hold ("Jane Doe and John Roe", "Ursula von der Leyen").
const NAME_PARTICLES: &[&str] = &[
    "and", "&", "de", "van", "von", "der", "den", "da", "al", "bin", "la", "le", "du", "of",
];

/// A byline alone on its line: "By" and two to six name words, then perhaps an outlet or a time
/// after a bar, dash or comma ("By Sylvia Westall", "BY EDDIE SCARRY | 01/12/15 12:35 PM", "By
/// Jane Doe and John Roe, Reuters"). Text inputs keep them above the body, where the first
/// short line was taken for the headline. Not "By Friday, Cuba-related accounts were ablaze"
/// (a weekday or a month first) nor "By selling her son ..." (a lower-case word).
fn byline(line: &str) -> bool {
    let Some(rest) = line
        .strip_prefix("By ")
        .or_else(|| line.strip_prefix("BY "))
    else {
        return false;
    };
    let names: Vec<&str> = rest
        .split(['|', '—', '–', ','])
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let Some(first) = names.first() else {
        return false;
    };
    let first = first.trim_end_matches('.').to_lowercase();
    (2..=6).contains(&names.len())
        && !WEEKDAYS.contains(&first.as_str())
        && !MONTHS.contains(&first.as_str())
        && names
            .iter()
            .all(|w| NAME_PARTICLES.contains(w) || w.starts_with(char::is_uppercase))
}

/// What one sentence shows to be furniture whether it stands as a line or inside one:
/// form fields, prompts, credits, counters, notices, lone addresses, bylines, code.
/// `lowered` is `text` trimmed and lower-cased, of `words` words.
fn furniture(text: &str, lowered: &str, words: usize) -> Option<&'static str> {
    let l = lowered;
    let bare = l.trim_end_matches(['.', ':', '!']);
    if BOILERPLATE_LINES.contains(&l) || LINK_LINES.contains(&bare) {
        return Some("boilerplate (form field)");
    }
    if words <= 8 && PROMPT_PREFIXES.iter().any(|p| l.starts_with(p)) {
        return Some("boilerplate (comment form, share/follow prompt or link)");
    }
    if words <= 8 && CREDIT_PREFIXES.iter().any(|p| l.starts_with(p)) && !finished(l) {
        return Some("boilerplate (comment form, share/follow prompt or link)");
    }
    // "Read more", "Read more Hollywood Salaries Revealed…": a link to another story.
    // A link's title is capitalised; "Read more than 200 pages of the leaked report here" is
    // a heading of the story's own.
    let link_title = text
        .trim()
        .get("read more ".len()..)
        .is_some_and(|t| t.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit()));
    if l.trim_end_matches(['.', ':', '…', '»', '>', ' ']) == "read more"
        || (words <= 12 && l.starts_with("read more ") && link_title && !finished(l))
    {
        return Some("boilerplate (related link)");
    }
    if words <= 15 && tweet_trailer(text.trim()) {
        return Some("embedded tweet's credit line");
    }
    // "#KushForCure": hashtags alone.
    if text
        .split_whitespace()
        .all(|w| w.len() > 1 && w.starts_with('#'))
        && words > 0
    {
        return Some("hashtags");
    }
    // "Updated at 11:45 p.m. ET", "Updated 1:39 PM ET": a page's time stamp.
    if words <= 10 && time_stamp(l) {
        return Some("time stamp");
    }
    if words == 1 && lone_handle(text.trim()) {
        return Some("boilerplate (a lone social-media handle)");
    }
    if words <= 30 && SENTENCE_PREFIXES.iter().any(|p| l.starts_with(p)) {
        return Some("boilerplate (comment form, share/follow prompt or link)");
    }
    if words <= 20 && newsletter_prompt(l) {
        return Some("boilerplate (newsletter prompt)");
    }
    if words <= 30 && WIDGET_PREFIXES.iter().any(|p| l.starts_with(p)) && !finished(l) {
        return Some("boilerplate (comment form, share/follow prompt or link)");
    }
    if picture_credit(l, words) || credit_label(l, words) || name_slash_org(text.trim()) {
        return Some("picture credit");
    }
    // A gallery's counter ("1 / 5").
    let number = |s: &str| !s.trim().is_empty() && s.trim().bytes().all(|b| b.is_ascii_digit());
    let unbracketed = l.trim_matches(['(', ')', '[', ']']);
    if unbracketed
        .split_once('/')
        .is_some_and(|(a, b)| number(a) && number(b))
    {
        return Some("picture counter");
    }
    if words <= 12 && follow_prompt(text) {
        return Some("boilerplate (comment form, share/follow prompt or link)");
    }
    let lead =
        l.trim_start_matches(|c: char| !c.is_alphanumeric() && !matches!(c, '(' | '@' | '©'));
    if copyright_notice(lead, words) {
        return Some("copyright notice");
    }
    // A lone address: "youtube.com", "oyaniv@nydailynews.com", "https://t.co/..." under a story.
    if words == 1 && lone_address(l) {
        return Some("boilerplate (a lone web or mail address)");
    }
    if author_initials(text.trim()) {
        return Some("byline (author's initials)");
    }
    if [
        "contributed to this report.",
        "contributed reporting.",
        "contributed to this story.",
        "contributed to this post.",
        "contributed to this article.",
    ]
    .iter()
    // The stop is often left out ("— Kristen Welker and Andrea Mitchell contributed to this
    // report").
    .any(|e| l.trim_end_matches('.').ends_with(e.trim_end_matches('.')))
    {
        return Some("byline (contributor credit)");
    }
    if !l.is_empty() && l.chars().all(|c| !c.is_alphanumeric()) {
        return Some("separator line");
    }
    None
}

/// An embedded tweet's last line: a dash, the author, the handle in brackets, the date
/// ("— Jack Moore (@JFXM) January 27, 2015").
fn tweet_trailer(text: &str) -> bool {
    let year = text
        .split_whitespace()
        .next_back()
        .map(|w| w.trim_end_matches('.'))
        .is_some_and(|w| {
            w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()) && ("1990"..="2099").contains(&w)
        });
    // Its second half alone where sentencex cut after the author ("— Corinne." then
    // "(@corinneeee_xoxo) September 8, 2014").
    let dash = text.starts_with(['—', '–', '-']) || text.starts_with("&mdash;");
    (dash && text.contains("(@") || text.starts_with("(@")) && year
}

/// A page's time stamp: "Updated" (or "Published", "Posted") and nothing but when ("Updated at
/// 11:45 p.m. ET", "Updated: Monday, March 2, 2015 1:39 PM"), or a clock time alone ("1:39 PM
/// ET"); not a sentence that starts with the word ("Updated figures are due at 9 a.m.
/// Tuesday.").
fn time_stamp(lowered: &str) -> bool {
    const WHEN: &[&str] = &[
        "at", "on", "as", "of", "a.m", "p.m", "am", "pm", "-", "–", "|",
    ];
    let marked = ["last updated", "updated", "published", "posted"]
        .iter()
        .find_map(|p| lowered.strip_prefix(p));
    let rest = marked.unwrap_or(lowered);
    let (mut digits, mut clock, mut month) = (false, false, false);
    let all_when = rest.split_whitespace().all(|w| {
        let w = w.trim_matches([',', ':', '.', '(', ')']);
        if w.bytes().any(|b| b.is_ascii_digit()) {
            digits = true;
            let b = w.as_bytes();
            clock |= (1..b.len().saturating_sub(1))
                .any(|i| b[i] == b':' && b[i - 1].is_ascii_digit() && b[i + 1].is_ascii_digit());
            return b
                .iter()
                .all(|&c| c.is_ascii_digit() || matches!(c, b':' | b'/' | b'.' | b'-'));
        }
        clock |= matches!(w, "a.m" | "p.m" | "am" | "pm");
        let is_month = MONTHS.contains(&w) || MONTH_SHORT_FORMS.contains(&w);
        month |= is_month;
        w.is_empty()
            || is_month
            || WHEN.contains(&w)
            || WEEKDAYS.contains(&w)
            || TIME_ZONES.contains(&w)
    });
    // A date alone ("Feb. 21, 2019", "Sept. 25, 2018" over a story) is a stamp too; a year
    // alone is not ("2014" may head a list of events).
    all_when
        && if marked.is_some() {
            digits
        } else {
            clock || (digits && month)
        }
}

/// A social-media handle alone on its line ("@NelsonSchwartz" under a byline).
fn lone_handle(text: &str) -> bool {
    text.strip_prefix('@').is_some_and(|h| {
        !h.is_empty() && h.len() <= 30 && h.chars().all(|c| c.is_alphanumeric() || c == '_')
    })
}

/// An author's initials closing an article, as German and Austrian outlets sign ("(bsc)",
/// "(dpa/jk)"): a bracketed run of two to four lowercase letters, or two such runs joined by
/// a slash. Lowercase only, so an acronym in brackets ("(NATO)", "(AP)") is not one.
fn author_initials(text: &str) -> bool {
    let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) else {
        return false;
    };
    let initials =
        |s: &str| (2..=4).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_lowercase());
    match inner.split_once('/') {
        Some((a, b)) => initials(a) && initials(b),
        None => initials(inner),
    }
}

/// Ad and widget code pasted into article text (FNC-1 train bodies: `<!-- google_ad_client
/// = ...`, `(function(d, s, id) { var js, ...`): an HTML comment, or a line of JavaScript (a
/// function with a body and statements, or `var x = ...;`), or a style sheet of an embed (`.embed-container
/// {position: relative; ...}`: a brace block of `name: value;` declarations). Prose has no
/// `function(` followed by `{` and `;`, nor braces around colons and semicolons.
pub(crate) fn is_markup(lowered: &str) -> bool {
    lowered.starts_with("<!--")
        || lowered.starts_with("//-->")
        || lowered.starts_with("<script")
        || ((lowered.contains("function(") || lowered.contains("function ("))
            && lowered.contains('{')
            && lowered.contains(';'))
        || (lowered.starts_with("var ") && lowered.contains(" = ") && lowered.contains(';'))
        || lowered.contains("<![cdata[")
        || style_block(lowered)
}

/// "—— >> Follow Evan McMurry (@evanmcmurry) on Twitter", "Follow The Daily Dot on Twitter.":
/// "Follow", then only a name (capitalised words, a handle), then "on" a network. "Follow the
/// money, he said on Twitter" is prose.
fn follow_prompt(line: &str) -> bool {
    let lead = line.trim_start_matches(|c: char| !c.is_alphanumeric());
    let Some(rest) = lead
        .strip_prefix("Follow ")
        .or_else(|| lead.strip_prefix("FOLLOW "))
    else {
        return false;
    };
    let words: Vec<&str> = rest.split_whitespace().collect();
    let network = |w: &str| {
        let w = w
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        ["twitter", "facebook", "instagram"].contains(&w.as_str())
    };
    // "... on Twitter", "... on Twitter: @JM_Beck", "... on Twitter (@jasonsickles).",
    // "Follow on Twitter @jmolinet".
    let Some(on) = (0..words.len().saturating_sub(1))
        .find(|&i| words[i].eq_ignore_ascii_case("on") && network(words[i + 1]))
    else {
        return false;
    };
    let handle = |w: &&str| w.trim_start_matches(['(', ':']).starts_with('@') || *w == ":";
    words[..on]
        .iter()
        .all(|w| w.starts_with(|c: char| c.is_uppercase() || c == '@' || c == '('))
        && words[on + 2..].iter().all(handle)
}

/// "Copyright 2014 The Associated Press. All rights reserved.", "© 2015 Reuters": the word
/// or sign, then a year or the sign; a sentence about copyright ("Copyright law changed") is
/// none.
fn copyright_notice(lead: &str, words: usize) -> bool {
    let rest = lead
        .strip_prefix("copyright")
        .or_else(|| lead.strip_prefix('©'))
        .map(str::trim_start);
    let notice = rest.is_some_and(|r| {
        r.starts_with(|c: char| c.is_ascii_digit()) || r.starts_with('©') || r.starts_with("(c)")
    });
    (notice && words <= 40) || (words <= 6 && lead.trim_end_matches('.') == "all rights reserved")
}

/// One word that is a web or mail address: a dot, no spaces, a known ending, letters around.
fn lone_address(lowered: &str) -> bool {
    if lowered.starts_with("http://") || lowered.starts_with("https://") {
        return true;
    }
    let w = lowered.trim_end_matches(['.', ',', ')']);
    // "pic.twitter.com/Tve77ov5JZ": the host before a path.
    let w = w.split_once('/').map_or(w, |(host, _)| host);
    let host = w.rsplit_once('@').map_or(w, |(_, h)| h);
    let host = host.strip_prefix("www.").unwrap_or(host);
    host.contains('.')
        && !host.starts_with('.')
        && [
            ".com", ".org", ".net", ".co.uk", ".co", ".gov", ".edu", ".tv", ".io", ".sg", ".au",
            ".ca", ".in", ".ie", ".de", ".fr", ".info", ".us", ".ly", ".me",
        ]
        .iter()
        .any(|t| host.ends_with(t))
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
}

/// Does a line open with code rather than prose?
fn starts_like_code(lowered: &str) -> bool {
    [
        "<!",
        "//",
        "<script",
        "(function",
        "function",
        "var ",
        "{",
        ".",
    ]
    .iter()
    .any(|p| lowered.starts_with(p))
}

/// A credit under a picture (`lowered`, of `words` words): a short line whose last part after a
/// slash is an agency ("JIM WATSON/AFP/Getty Images"); a short line in brackets with a slash or
/// an agency alone ("(Ellen M. Banner / The Seattle Times)", "(Reuters)"); or one that opens
/// with "credit" or "photo by" and is no sentence ("CreditKirsten Luce for The New York Times").
fn picture_credit(lowered: &str, words: usize) -> bool {
    let bare =
        lowered.trim_matches(|c: char| matches!(c, '(' | ')' | '[' | ']') || c.is_whitespace());
    let agency_last = bare
        .rsplit_once('/')
        .is_some_and(|(_, last)| PICTURE_SOURCES.contains(&last.trim()));
    let bracketed = lowered.starts_with('(') && lowered.ends_with(')');
    (words <= 10 && agency_last)
        || (words <= 8
            && ((bracketed && (bare.contains('/') || PICTURE_SOURCES.contains(&bare)))
                || ((lowered.starts_with("credit") || lowered.starts_with("photo by "))
                    && !ends_with_sentence_punct(lowered))))
}

/// A labelled credit in a few words, no sentence: "Foto: LA NACION", "(Bild: Hersteller)",
/// "Photo: Reuters" (`lowered`, of `words` words).
fn credit_label(lowered: &str, words: usize) -> bool {
    const LABELS: &[&str] = &[
        "foto:",
        "fotos:",
        "photo:",
        "photos:",
        "photograph:",
        "picture:",
        "image:",
        "images:",
        "illustration:",
        "bild:",
        "imagen:",
        "crédito:",
        "credit:",
        "credits:",
        "image credit",
        "photo credit",
        "image by ",
        "images via ",
        "image via ",
        "photo via ",
        "photos via ",
    ];
    let bare = lowered.trim_start_matches(['(', '[']);
    words <= 8 && !ends_with_sentence_punct(lowered) && LABELS.iter().any(|p| bare.starts_with(p))
}

/// A photographer's credit with no agency we know: a name, a slash, an organisation
/// ("Devindra Hardawar/AOL", "Jean Baptiste Lacroix/WireImage"; not "Senate Widens
/// Trump/Russia Probe", "Rolls Royce/BMW Talks Stall"). Case matters here, so it
/// reads the line as written.
fn name_slash_org(line: &str) -> bool {
    if line.split_whitespace().count() > 6 || ends_with_sentence_punct(line) {
        return false;
    }
    let Some((who, org)) = line.split_once('/') else {
        return false;
    };
    let capitalised = |s: &str| {
        s.split_whitespace()
            .all(|w| w.chars().next().is_some_and(char::is_uppercase))
    };
    let (who_words, org_words) = (
        who.split_whitespace().count(),
        org.split_whitespace().count(),
    );
    // Two names and an outlet of one or two words; three names and one; an agency in capitals
    // and its photographer ("THE CANADIAN PRESS/Adrian Wyld").
    let agency = who.trim().chars().all(|c| !c.is_lowercase());
    ((who_words == 2 && org_words <= 2)
        || (who_words == 3 && org_words == 1)
        || (agency && (1..=3).contains(&who_words) && org_words <= 3))
        && org_words >= 1
        && !org.contains('/')
        && capitalised(who)
        && capitalised(org)
}

/// Why one sentence of a paragraph is furniture, if it is: the rules no sentence of prose
/// trips ([`furniture`] and code), and a short "Source: ..." credit ending a caption. Saved pages and
/// scraped bodies glue furniture to prose lines ("... to lessen the exposure to winter
/// weather.CreditKirsten Luce for The New York Times", "... on a neon sign. (AP)",
/// "... for two years. Source: Supplied", "ON A MOBILE DEVICE? CLICK HERE TO WATCH THE
/// VIDEO.", a script call inside a live blog's paragraph), where the line rules cannot see it.
/// `alone`: the sentence is its whole line, which the line rules (and [`furniture`] with them)
/// have already read, so only what they leave to sentences is checked again.
fn sentence_furniture(sentence: &str, last: bool, alone: bool) -> Option<&'static str> {
    let l = sentence.trim().to_lowercase();
    let words = l.split_whitespace().count();
    if last && words <= 4 && l.starts_with("source:") && !ends_with_sentence_punct(&l) {
        return Some("picture credit");
    }
    if is_markup(&l) {
        return Some("markup (HTML comment or script left in the text)");
    }
    if alone {
        return None;
    }
    furniture(sentence, &l, words)
}

/// Does a sentence end as one, past a trailing ellipsis or HTML entity ("... in the
/// outskirts&nbsp;&hellip;" does not)?
fn finished(lowered: &str) -> bool {
    let mut end = lowered;
    while let Some(t) = ["&hellip;", "&nbsp;", "…"]
        .iter()
        .find_map(|e| end.trim_end().strip_suffix(e))
    {
        end = t;
    }
    ends_with_sentence_punct(end)
}

/// Does `text` hold a `{ ... }` block with a `name: value;` declaration in it?
fn style_block(text: &str) -> bool {
    text.split('{').skip(1).any(|after| {
        after
            .split_once('}')
            .is_some_and(|(block, _)| block.contains(':') && block.contains(';'))
    })
}

/// Ends with a sentence's closing punctuation (quotes, brackets and spaces after it looked
/// through), the full-width stops of scripts written without spaces included. Segmentation's
/// boilerplate tests and matching's fragment test ask the same question.
pub(crate) fn ends_with_sentence_punct(s: &str) -> bool {
    s.trim_end_matches(|c: char| c.is_whitespace() || "\"'”’)]»」』）".contains(c))
        .ends_with(['.', '!', '?', ';', ':', '…', '。', '！', '？'])
}

/// Words of a paragraph for near-duplicate checks: case and punctuation do not matter.
fn norm_words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The words of a paragraph (`norm_words`) that change what it claims though they change
/// little of its wording: numbers and negations ("t" is what "didn't" leaves).
fn claim_tokens(words: &[String]) -> impl Iterator<Item = &str> {
    words
        .iter()
        .map(String::as_str)
        .filter(|w| w.bytes().any(|b| b.is_ascii_digit()) || *w == "t" || NEGATIONS.contains(w))
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let inter = a.intersection(b).count() as f64;
    inter / (a.len() + b.len()).saturating_sub(inter as usize).max(1) as f64
}

/// A leading ` date YYYY-MM-DD ` marker: its byte length (with spaces) and the date.
fn date_marker(text: &str, at: usize) -> Option<(usize, String)> {
    let rest = &text[at..];
    let trimmed = rest.trim_start();
    let lead = rest.len() - trimmed.len();
    let after = trimmed.strip_prefix("date ")?;
    let date: String = after.chars().take(10).collect();
    let b = date.as_bytes();
    let is_date = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    // "date 2020-13-45" is no date: the line keeps it as text.
    if !is_date || chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d").is_err() {
        return None;
    }
    let after_date = &after[10..];
    let spaces = after_date.len() - after_date.trim_start_matches(' ').len();
    Some((lead + 5 + 10 + spaces, date))
}

/// A line of the document: byte range without the newline.
#[derive(Debug, Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
}

/// Lines end at LF, CRLF (the CR is trimmed as whitespace) or a lone CR: old Mac files and some
/// exports end lines with CR alone, and a file read as one line would run its headline into the
/// first paragraph.
fn lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            out.push(Line { start, end: i });
            start = i + 1;
        } else if b == 0xE2 && matches!(bytes.get(i + 1..i + 3), Some([0x80, 0xA8 | 0xA9])) {
            // U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR (JSON exports of web text
            // carry them where the page had a break).
            out.push(Line { start, end: i });
            start = i + 3;
        }
    }
    if start < text.len() {
        out.push(Line {
            start,
            end: text.len(),
        });
    }
    out
}

/// A numbered line's number and where its text starts: "1. Banksy isn't from Liverpool",
/// "10) Ant-Man".
fn list_number(text: &str, (start, end): (usize, usize)) -> Option<(u32, usize)> {
    let s = &text[start..end];
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=3).contains(&digits) {
        return None;
    }
    let rest = s[digits..]
        .strip_prefix(". ")
        .or_else(|| s[digits..].strip_prefix(") "))?
        .trim_start();
    if !rest.starts_with(|c: char| c.is_alphabetic() || c == '"' || c == '“') {
        return None;
    }
    Some((s[..digits].parse().ok()?, end - rest.len()))
}

/// Lines of a numbered list lose their numbers, as bullets do: the claim is what follows ("1."
/// alone was what sentencex made of it). A line is an item when the numbered line before or
/// after it carries the number before or after its own, so a German ordinal ("1. FC Köln
/// gewann", "5. Mai 2015 - Die Polizei ...") keeps its number.
fn strip_list_numbers(text: &str, paras: &mut [(usize, usize)]) {
    let numbered: Vec<(usize, u32, usize)> = paras
        .iter()
        .enumerate()
        .filter_map(|(i, &p)| list_number(text, p).map(|(n, at)| (i, n, at)))
        .collect();
    for (k, &(i, n, at)) in numbered.iter().enumerate() {
        let before = k > 0 && numbered[k - 1].1 + 1 == n;
        let after = numbered.get(k + 1).is_some_and(|next| next.1 == n + 1);
        if before || after {
            paras[i].0 = at;
        }
    }
}

/// Trim whitespace (and a BOM, and bullet markers) from a byte range.
fn trim_range(text: &str, start: usize, end: usize) -> (usize, usize) {
    let s = &text[start..end];
    let left = s.len()
        - s.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
            .len();
    let mut start = start + left;
    let s = &text[start..end];
    // Bullets: "- ", "* ", "• ", "· " at the start of a line item.
    for bullet in ["- ", "* ", "• ", "· ", "– "] {
        if let Some(rest) = s.strip_prefix(bullet) {
            start += s.len() - rest.trim_start().len();
            break;
        }
    }
    let s = &text[start..end];
    let right = s.len() - s.trim_end().len();
    (start, end - right)
}

pub fn segment(doc: &Document, opts: SegmentOptions) -> Segmented {
    let text = doc.text.as_str();
    let mut removed: Vec<Removal> = Vec::new();
    let remove = |removed: &mut Vec<Removal>, s: usize, e: usize, reason: &str| {
        removed.push(Removal {
            doc: doc.id.clone(),
            start: s,
            end: e,
            reason: reason.to_string(),
            text: text[s..e].to_string(),
        });
    };
    let mut date = doc.date.clone();
    let mut outlet = doc.outlet.clone();
    let mut title = doc.title.clone();

    // Non-empty lines, trimmed.
    let mut paras: Vec<(usize, usize)> = lines(text)
        .into_iter()
        .map(|l| trim_range(text, l.start, l.end))
        .filter(|(s, e)| e > s)
        .collect();

    strip_list_numbers(text, &mut paras);

    // Date markers may sit at the start of any paragraph (003 has one mid-text).
    for p in paras.iter_mut() {
        if let Some((len, d)) = date_marker(text, p.0) {
            remove(
                &mut removed,
                p.0,
                (p.0 + len).min(p.1),
                "date marker (kept as metadata)",
            );
            if date.is_none() {
                date = Some(d);
            }
            *p = trim_range(text, (p.0 + len).min(p.1), p.1);
        }
    }
    paras.retain(|(s, e)| e > s);

    // "CNN" then "—": an outlet name standing alone above the article.
    if paras.len() >= 2 {
        let (s0, e0) = paras[0];
        let first = &text[s0..e0];
        let second = &text[paras[1].0..paras[1].1];
        let lone_dash = second.chars().all(|c| matches!(c, '—' | '–' | '-' | ' '));
        if lone_dash && first.split_whitespace().count() <= 4 && !ends_with_sentence_punct(first) {
            if outlet.is_none() {
                outlet = Some(first.to_string());
            }
            remove(&mut removed, s0, e0, "outlet name line (kept as metadata)");
            remove(&mut removed, paras[1].0, paras[1].1, "separator line");
            paras.drain(0..2);
        }
    }

    let mut kept: Vec<(usize, usize, bool)> = Vec::new(); // (start, end, is_boilerplate_or_dup)
    let mut seen: Vec<(Vec<String>, HashSet<String>, usize)> = Vec::new();
    let mut source_outlet = None;
    // Under a link-list heading: the lines that follow are links until one reads as prose.
    // Only after the article has begun (a sentence of prose kept, not boilerplate): a sidebar
    // comes after the body's first lines, and a label above the article is no list of links.
    let mut links_left = 0;
    let mut prose_seen = false;
    for (i, &(s, e)) in paras.iter().enumerate() {
        let line = &text[s..e];
        if prose_seen && link_list_heading(line) {
            links_left = MAX_LISTED_LINKS;
            let why = "boilerplate (heading of a list of links)";
            remove(&mut removed, s, e, why);
            kept.push((s, e, true));
            continue;
        }
        if links_left > 0 {
            // A line the next one continues in lower case is hard-wrapped prose, not a
            // headline; a whole quotation is a quote pulled out of the article.
            let continued = paras
                .get(i + 1)
                .is_some_and(|&(ns, ne)| text[ns..ne].trim_start().starts_with(char::is_lowercase));
            let t = line.trim();
            let quoted = t.starts_with(['"', '“']) && t.ends_with(['"', '”']);
            if listed_link(line) && !continued && !quoted && !t.starts_with(char::is_lowercase) {
                links_left -= 1;
                let why = "boilerplate (related link, in a list of links)";
                remove(&mut removed, s, e, why);
                kept.push((s, e, true));
                continue;
            }
            links_left = 0;
        }
        // A source line names an outlet or a credit in a few words (every one in FNC-1 train
        // has at most eight); a longer paragraph after "Source:" is prose that keeps its text.
        if let Some(src) = line
            .strip_prefix("Source:")
            .or_else(|| line.strip_prefix("SOURCE:"))
            .filter(|src| src.split_whitespace().count() <= 12)
        {
            // Only a footer names the outlet ("Source: BBC News" at the end); "Source: Getty
            // Images" under a picture mid-article is a credit.
            if i + 3 >= paras.len() && !src.trim().is_empty() {
                source_outlet = Some(src.trim().to_string());
            }
            remove(&mut removed, s, e, "source line (kept as metadata)");
            kept.push((s, e, true));
            continue;
        }
        if let Some(reason) = boilerplate(line) {
            remove(&mut removed, s, e, reason);
            kept.push((s, e, true));
            continue;
        }
        let words = norm_words(line);
        let set: HashSet<String> = words.iter().cloned().collect();
        // Repeats: identical words, or (for paragraphs long enough to judge) >= 90% word overlap
        // where one paragraph's words hold the other's (a copy with ", officials said" added, a
        // caption repeating the text), with the same numbers and negations in the same order.
        // A word put in another's place ("seven" for "three", "fell" for "rose"), an added "not"
        // ("was not linked" after "was linked") or another figure ("won 48 percent" after "won
        // 52 percent") is a correction or a denial, the very sentence a reader of claims looks
        // for, not a copy.
        // Sets whose sizes differ by more than 10% cannot reach that, so most pairs cost nothing.
        let dup = seen.iter().find(|(w, ws, _)| {
            *w == words
                || (words.len() >= 8
                    && w.len() >= 8
                    && ws.len().min(set.len()) * 10 >= ws.len().max(set.len()) * 9
                    && jaccard(ws, &set) >= 0.9
                    && (ws.is_subset(&set) || set.is_subset(ws))
                    && claim_tokens(w).eq(claim_tokens(&words)))
        });
        if let Some((_, _, first)) = dup {
            remove(
                &mut removed,
                s,
                e,
                &format!("repeats the paragraph at byte {first}"),
            );
            kept.push((s, e, true));
            continue;
        }
        // A kept line that ends as a sentence, long enough not to be a label ("Skip to main
        // content."), starts the article.
        prose_seen |= finished(&line.to_lowercase()) && words.len() >= 6;
        if seen.len() < 2000 {
            seen.push((words, set, s));
        }
        kept.push((s, e, false));
    }

    let outlet = outlet.or(source_outlet).unwrap_or_else(|| doc.id.clone());
    let mut sentences = Vec::new();
    let mut para_no = 0;
    let mut first_text_para = true;
    for (s, e, dropped) in kept {
        if dropped && !opts.keep_all {
            continue;
        }
        let mut pieces = split_paragraph(text, s, e);
        let (mut s, mut e) = (s, e);
        let mut had_furniture = false;
        if !dropped {
            let last = pieces.len().saturating_sub(1);
            let mut at = 0;
            pieces.retain(|&(ps, pe)| {
                let furniture = sentence_furniture(&text[ps..pe], at == last, last == 0);
                at += 1;
                if let Some(reason) = furniture {
                    had_furniture = true;
                    let within = if last > 0 { ", in a line of prose" } else { "" };
                    remove(&mut removed, ps, pe, &format!("{reason}{within}"));
                }
                furniture.is_none() || opts.keep_all
            });
            match (pieces.first(), pieces.last()) {
                // What is left is judged as a line of its own (a caption without its credit
                // is a sentence, not a heading).
                (Some(first), Some(last)) => (s, e) = (first.0, last.1),
                _ => continue,
            }
        }
        let line = &text[s..e];
        let no_punct = !ends_with_sentence_punct(line) && line.split_whitespace().count() <= 30;
        // The first short unpunctuated line is the title, unless the document names another
        // (a page's headline, a JSONL title field): then it is a heading, such as a photo
        // credit or a section label above the body.
        // Whether the document names this line as its title (None: it names none). A
        // headline it names is the title however it ends: headlines end in "?", "!" or a
        // quote as often as in nothing ("Where do relations go after the vote?").
        let named = doc
            .title
            .as_deref()
            .map(|t| t.split_whitespace().eq(line.split_whitespace()));
        let (names_this, names_another) = (named == Some(true), named == Some(false));
        let kind = if first_text_para && !dropped && (names_this || (no_punct && !names_another)) {
            if title.is_none() {
                title = Some(line.to_string());
            }
            SentenceKind::Title
        } else if no_punct {
            SentenceKind::Heading
        } else {
            SentenceKind::Text
        };
        if !dropped {
            first_text_para = false;
        }
        // A headline the document names (a page's, a record's title field) is one unit
        // whatever sentencex makes of it ("'What is the sea telling us?': Māori tribes fearful
        // ..." was two titles, the first a fragment), unless it held furniture (gone, or kept
        // apart by --keep-all). Not a title guessed from a short first line, nor a heading:
        // a line without a final stop is as often a caption or a tweet of two sentences
        // ("Ebola has a 90% casualty rate in areas such as West Africa. In America the
        // mortality rate is 50/50").
        let whole = kind == SentenceKind::Title
            && names_this
            && !had_furniture
            && pieces.len() > 1
            && e - s <= MAX_SENTENCE_BYTES;
        if whole {
            pieces = vec![(s, e)];
        }
        for (ss, se) in pieces {
            sentences.push(Sentence {
                doc: doc.id.clone(),
                outlet: outlet.clone(),
                date: date.clone(),
                paragraph: para_no,
                index: sentences.len(),
                start: ss,
                end: se,
                kind,
                text: text[ss..se].to_string(),
            });
        }
        para_no += 1;
    }
    removed.sort_by_key(|r| r.start);
    Segmented {
        doc: doc.id.clone(),
        source: doc.source.clone(),
        outlet,
        date,
        title,
        url: doc.url.clone(),
        lang: doc.lang.clone(),
        sentences,
        removed,
    }
}

/// Largest index <= `at` that is a char boundary and, if possible, just after whitespace.
fn cut_point(text: &str, start: usize, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    // Not between a letter and its combining accent, or inside an emoji sequence.
    let mut graphemes = unicode_segmentation::GraphemeCursor::new(at, text.len(), true);
    if graphemes.is_boundary(text, 0) == Ok(false)
        && let Ok(Some(b)) = graphemes.prev_boundary(text, 0)
        && b > start
    {
        at = b;
    }
    let piece = &text[start..at];
    match piece.char_indices().rev().find(|(_, c)| c.is_whitespace()) {
        // After the whitespace character, whatever its width (U+00A0 is two bytes).
        Some((ws, c)) if ws > (at - start) / 2 => start + ws + c.len_utf8(),
        _ => at,
    }
}

/// The end of the last ". ", "? " or "! " (the mark, a closing quote or bracket, then white
/// space) in the second half of `text[start..at]`, where a paragraph too long for one piece
/// is best cut: sentencex reads "in May. Voters" as one sentence, so its own ends cannot be
/// relied on to find one.
fn sentence_end_before(text: &str, start: usize, at: usize) -> Option<usize> {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let window = &text[start..at];
    let half = window.len() / 2;
    for (i, c) in window.char_indices().rev() {
        if i < half {
            break;
        }
        if !c.is_whitespace() {
            continue;
        }
        // `c` is white space at `i`: look back past closing marks for the sentence's mark.
        let before = window[..i].trim_end_matches(['"', '\'', '”', '’', ')', ']']);
        if before.ends_with(['.', '?', '!']) {
            return Some(start + i + c.len_utf8());
        }
    }
    None
}

/// Sentence spans of one paragraph `text[start..end]`.
fn split_paragraph(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut pos = start;
    while pos < end {
        // (where the piece ends, whether that is inside a sentence)
        let (piece_end, mid_sentence) = if end - pos > MAX_PARAGRAPH_BYTES {
            match sentence_end_before(text, pos, pos + MAX_PARAGRAPH_BYTES) {
                Some(at) => (at, false),
                None => (cut_point(text, pos, pos + MAX_PARAGRAPH_BYTES), true),
            }
        } else {
            (end, false)
        };
        let piece = &text[pos..piece_end];
        let mut bounds = sentencex::get_sentence_boundaries("en", piece);
        // A piece cut at white space (no sentence end in its second half) ends inside a
        // sentence: its last one is read again with what follows, from its own start (when
        // it is not the piece's only one, which must go as it is for the loop to move on).
        let mut next = piece_end;
        if mid_sentence {
            // The last sentence with words in it (sentencex may end with a blank span).
            let last = bounds
                .iter()
                .rposition(|b| !piece[b.start_byte..b.end_byte].trim().is_empty());
            if let Some(k) = last.filter(|&k| bounds[k].start_byte > 0) {
                next = pos + bounds[k].start_byte;
                bounds.truncate(k);
            }
        }
        for b in bounds {
            let (a, z) = trim_range(text, pos + b.start_byte, pos + b.end_byte);
            if z > a {
                out.push((a, z));
            }
        }
        pos = next;
    }
    let out = split_spans(text, out, false_abbreviation_cuts);
    let out = carry_opening_quotes(text, split_spans(text, out, quote_cuts));
    // Runs still too long are cut last: cut first, a run of sentences sentencex had not told
    // apart ("... open in May. Voters ...") was cut at 2,000 bytes mid-sentence before the
    // repairs above could split it at its real ends.
    let mut cut = Vec::with_capacity(out.len());
    for (mut s, e) in repair_boundaries(text, out) {
        while e > s && e - s > MAX_SENTENCE_BYTES {
            let at = cut_point(text, s, s + MAX_SENTENCE_BYTES);
            let (a, z) = trim_range(text, s, at);
            if z > a {
                cut.push((a, z));
            }
            s = at;
        }
        let (a, z) = trim_range(text, s, e);
        if z > a {
            cut.push((a, z));
        }
    }
    cut
}

/// sentencex sometimes ends a sentence after the mark that opens the next one ("... Indyk
/// said. “" then "That has nothing to do with ..."): a mark after a space at a span's end
/// moves to the start of the span after it, so that both sentences read as written.
fn carry_opening_quotes(text: &str, mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    for k in 0..spans.len().saturating_sub(1) {
        let (s, e) = spans[k];
        let span = &text[s..e];
        let Some(mark) = span
            .chars()
            .next_back()
            .filter(|c| matches!(c, '“' | '‘' | '"'))
        else {
            continue;
        };
        let body = &span[..span.len() - mark.len_utf8()];
        let trimmed = body.trim_end();
        // Only a mark after a space, with a sentence before it: "he said. “" and not a span
        // that is the mark alone. A straight mark opens only where the double marks before it
        // are paired, either mark closing either as in `quotations` ("It's over. \" He left"
        // closes a quotation: it stays).
        let unpaired_before = || {
            body.chars()
                .filter(|c| matches!(c, '"' | '“' | '”'))
                .count()
                % 2
                == 1
        };
        if trimmed.len() == body.len() || trimmed.is_empty() || (mark == '"' && unpaired_before()) {
            continue;
        }
        let (next_s, next_e) = spans[k + 1];
        // Spans come in order without overlap; `get` keeps that an assumption, not a panic.
        if !text
            .get(e..next_s)
            .is_some_and(|b| b.chars().all(char::is_whitespace))
        {
            continue;
        }
        spans[k] = (s, s + trimmed.len());
        // Spans are the input's bytes: a space after the mark, if any, stays as written.
        spans[k + 1] = (e - mark.len_utf8(), next_e);
    }
    spans
}

/// Words that end in a full stop inside a quotation without ending its sentence ("Apple Inc.
/// Chief", "Sens. McCain"), besides the titles before a name ([`NAME_TITLES`]) and months'
/// short forms; lower-cased, without the stop. Initials ("J. Paul") and words with a stop
/// inside ("U.S.", "a.m.") are told apart by their shape.
const QUOTE_ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "st", "jr", "sr", "vs", "etc", "inc", "co", "corp", "ltd", "mt", "ave", "blvd",
    "rd", "dept", "univ", "est", "fig", "approx", "pvt", "sens", "reps", "bros", "fr", "hon",
    "cmdr", "brig", "msgr", "messrs", "esq", "assn", "mfg", "thu", "thurs", "tue", "tues", "fri",
    "calif", "fla", "ariz", "tenn", "ky", "okla", "colo", "conn", "wis", "ala", "ark", "del", "ga",
    "ind", "kan", "md", "mich", "minn", "mo", "mont", "neb", "nev", "pa", "va", "vt", "wyo",
    "sgts", "lts", "govs", "asst", "pres", "atty", "gens", "secy", "amb",
];

/// Short forms that are also words ("the sun.", "they wed."), abbreviations only as written.
const QUOTE_ABBREVIATIONS_AS_WRITTEN: &[&str] = &["Wed", "Sat", "Sun"];

/// Balanced quotations of `piece` as (opening mark, closing mark) byte offsets, in double
/// marks and in single ones (British and many wire styles quote in single marks: 'We lost.
/// They won,' he said.). Either double mark closes either (copy-edited news mixes them: “Yes,"
/// said Pvt. Manning, "we did it.”), so the narration between two quotations is not taken for
/// a quotation's inside.
pub(crate) fn quotations(piece: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, char)> = None;
    for (i, c) in piece.char_indices() {
        match (open, c) {
            (None, '“' | '"') => open = Some((i, c)),
            (Some((a, _)), '”' | '"') => {
                out.push((a, i));
                open = None;
            }
            (Some(_), '“') => open = Some((i, c)),
            _ => {}
        }
    }
    out.extend(single_quotations(piece));
    out
}

/// Quotations in single marks. The closing mark is also the apostrophe ("don’t", "Jones'
/// car"), so a mark opens only at a word's start (after a space, a bracket or the piece's
/// start, before a letter, not an elision such as "'Tis") and closes only after a stop or a
/// comma (before a space, a stop or the end), never after a letter: the opening of "the
/// '60s" and a plural possessive cannot pair into a quotation over narration.
fn single_quotations(piece: &str) -> Vec<(usize, usize)> {
    // Words a leading mark elides a letter of ("'Tis", "rock 'n' roll"): no quotation opens.
    const ELISIONS: &[&str] = &["tis", "twas", "em", "til", "n", "cause", "round"];
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    let mut before: Option<char> = None;
    for (i, c) in piece.char_indices() {
        let prev = before.replace(c);
        if !matches!(c, '\'' | '‘' | '’') {
            continue;
        }
        let rest = &piece[i + c.len_utf8()..];
        let after = rest.chars().next();
        let word = &rest[..rest
            .find(|w: char| !w.is_alphabetic())
            .unwrap_or(rest.len())];
        // Not before a digit ("the '60s") or an elision.
        let at_word_start = prev
            .is_none_or(|b| b.is_whitespace() || matches!(b, '(' | '[' | '"' | '“'))
            && after.is_some_and(char::is_alphabetic)
            && !ELISIONS.iter().any(|e| word.eq_ignore_ascii_case(e));
        // A quotation closes after its last word's punctuation ("... guessing,' he said"); a
        // mark after a letter is a possessive ("the Browns' company") and closes nothing.
        let at_word_end = prev.is_some_and(|b| matches!(b, '.' | ',' | '!' | '?'))
            && after.is_none_or(|a| {
                a.is_whitespace() || matches!(a, '.' | ',' | ';' | ':' | ')' | '"' | '”')
            });
        match open {
            None if c != '’' && at_word_start => open = Some(i),
            Some(a) if c != '‘' && at_word_end => {
                out.push((a, i));
                open = None;
            }
            _ => {}
        }
    }
    out
}

/// Does `word`, before a full stop in a quotation, not end a sentence?
fn abbreviation_in_quote(word: &str) -> bool {
    // "then-Gov." is "Gov.".
    let word = word.rsplit('-').next().unwrap_or(word);
    let lowered = word.to_lowercase();
    let title = NAME_TITLES.iter().any(|t| {
        t.strip_suffix('.')
            .is_some_and(|t| t.eq_ignore_ascii_case(word))
    });
    word.chars().count() == 1
        || word.contains('.')
        || title
        || QUOTE_ABBREVIATIONS.contains(&lowered.as_str())
        || MONTH_SHORT_FORMS.contains(&lowered.as_str())
        || QUOTE_ABBREVIATIONS_AS_WRITTEN.contains(&word)
}

/// sentencex never ends a sentence inside a balanced quotation, so a quoted passage of several
/// sentences stays one (“There is a fundamental rule in journalism. That is double-checking,
/// and in this case it was not done,” the spokesman said.): about 3% of the sentences of
/// FNC-1's train bodies, each carrying two or more claims as one. So each span is cut
/// after a sentence end inside a quotation (or before one that opens a quotation), where
/// the next word is capitalised, the word before is no abbreviation, and both pieces keep at
/// least three and two words ("No. I never said that" and "I did it. Really." stay whole).
///
/// Returns the byte offsets in `piece` of those cuts, each just after the stop.
fn quote_cuts(piece: &str) -> Vec<usize> {
    let quotes = quotations(piece);
    if quotes.is_empty() {
        return Vec::new();
    }
    let mut cuts = Vec::new();
    let mut last = 0;
    let mut prev: Option<char> = None;
    for (i, c) in piece.char_indices() {
        let before = prev;
        prev = Some(c);
        if !matches!(c, '.' | '!' | '?') || before.is_none_or(|b| b.is_whitespace() || b == '.') {
            continue;
        }
        let after = &piece[i + 1..];
        let rest = after.trim_start();
        if rest.len() == after.len() || rest.is_empty() {
            continue;
        }
        let next_at = piece.len() - rest.len();
        let inside = quotes.iter().any(|&(a, b)| a < i && i < b);
        let opens = quotes.iter().any(|&(a, _)| a == next_at);
        if !inside && !opens {
            continue;
        }
        if c == '.' {
            let word = piece[last..i]
                .split_whitespace()
                .next_back()
                .unwrap_or("")
                .trim_start_matches(['"', '“', '(', '[', '\'', '‘']);
            if abbreviation_in_quote(word) {
                continue;
            }
        }
        let next_word = rest.trim_start_matches(['"', '“', '\'', '‘']);
        let mut chars = next_word.chars();
        let capitalised = match (chars.next(), chars.next()) {
            (Some('I'), None) => true,
            (Some(a), Some(b)) => {
                a.is_uppercase()
                    && (b.is_lowercase()
                        || b == '\''
                        || b == '’'
                        || (matches!(a, 'I' | 'A') && b == ' '))
            }
            _ => false,
        };
        if !capitalised {
            continue;
        }
        let cut = i + 1;
        if piece[last..cut].split_whitespace().count() >= 3
            && piece[cut..].split_whitespace().count() >= 2
        {
            cuts.push(cut);
            last = cut;
        }
    }
    cuts
}

/// Words sentencex takes for abbreviations that in news end sentences as often as not ("rose
/// 3.5 percent in May. Economists ...", "No. Numerous reports ...", "paid to Yahoo. Its
/// shareholders ..."): a boundary after one, before a capitalised word, is restored.
const FALSE_ABBREVIATIONS: &[&str] = &["May.", "No.", "Yahoo.", "Fed."];

/// Byte offsets in `piece` just after a [`FALSE_ABBREVIATIONS`] word followed by a space and a
/// word that starts with a capital and goes on in lower case (not "No. 2", not "May. AP").
fn false_abbreviation_cuts(piece: &str) -> Vec<usize> {
    let mut cuts: Vec<usize> = FALSE_ABBREVIATIONS
        .iter()
        .flat_map(|w| {
            piece.match_indices(w).filter_map(move |(at, _)| {
                let word_start = at == 0 || piece[..at].ends_with(char::is_whitespace);
                let rest = piece[at + w.len()..].strip_prefix(' ')?;
                let mut c = rest.chars();
                let capitalised = c.next().is_some_and(char::is_uppercase)
                    && c.next().is_some_and(char::is_lowercase);
                (word_start && capitalised).then_some(at + w.len())
            })
        })
        .collect();
    cuts.sort_unstable();
    cuts
}

/// Each span cut where `cuts` says in its text (ascending offsets, each just after a stop); the
/// piece after a cut starts past the whitespace there.
fn split_spans(
    text: &str,
    spans: Vec<(usize, usize)>,
    cuts: impl Fn(&str) -> Vec<usize>,
) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        let mut from = s;
        for cut in cuts(&text[s..e]) {
            out.push((from, s + cut));
            let rest = &text[s + cut..e];
            from = s + cut + (rest.len() - rest.trim_start().len());
        }
        out.push((from, e));
    }
    out
}

/// Titles that stand before a name and do not end a sentence in news prose ("He met Ms.
/// Clinton", "Ft. Devens", "Sgt. At Arms Kevin Vickers", "the Dr. Who series"); sentencex
/// knows "Mr." and "Mrs." but splits after these.
const NAME_TITLES: &[&str] = &[
    "Ms.", "Dr.", "Sgt.", "Ft.", "Lt.", "Col.", "Capt.", "Cpl.", "Gov.", "Sen.", "Rep.", "Prof.",
    "Rev.", "Gen.", "Maj.", "Adm.", "Det.", "Supt.", "Insp.", "Ofc.",
];

/// What may follow "a.m." or "p.m." in the same sentence: a weekday (`lexicon::WEEKDAYS`) or a
/// time zone.
const TIME_ZONES: &[&str] = &[
    "et", "est", "edt", "ct", "cst", "cdt", "mt", "mst", "mdt", "pt", "pst", "pdt", "gmt", "bst",
    "utc", "cet", "local",
];

/// Verbs of an attribution that follows a quoted question or exclamation ("Will it work?"
/// Forte said.).
const SPEECH_VERBS: &[&str] = &[
    "said",
    "says",
    "asked",
    "asks",
    "told",
    "added",
    "adds",
    "wrote",
    "writes",
    "tweeted",
    "explained",
    "replied",
    "insisted",
    "continued",
    "recalled",
    "wondered",
    "shouted",
    "yelled",
    "joked",
    "exclaimed",
    "cried",
    "screamed",
];

/// Joins sentences sentencex split where news prose does not end one: after a title before a
/// name, after "a.m."/"p.m." before a weekday, a time zone or a lower-case word, a dateline
/// before its "(AP) —", a list number before its item ("1." "Finland"), and a quoted question
/// or exclamation before its short attribution. Each join keeps the text between the two.
fn repair_boundaries(text: &str, spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        // Never past the length cap: the pieces of a run cut for length stay cut.
        if let Some(last) = out.last_mut()
            && e - last.0 <= MAX_SENTENCE_BYTES
            && joins(&text[last.0..last.1], &text[s..e])
        {
            last.1 = e;
            continue;
        }
        out.push((s, e));
    }
    out
}

/// Does `next` continue the sentence `prev`?
fn joins(prev: &str, next: &str) -> bool {
    let mut back = prev.split_whitespace().rev();
    let title = back
        .next()
        .unwrap_or("")
        .trim_start_matches(['(', '"', '“', '\'', '‘']);
    let last_word = title.to_lowercase();
    // "Sunset Dr." is a street, "30 ft." a length: a title follows neither a name nor a number.
    let before = back.next().unwrap_or("");
    let after_name = before.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit())
        && !before.ends_with([':', ',', ';']);
    let first = next.split_whitespace().next().unwrap_or("");
    let first_bare = first
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    let starts_upper = next.chars().next().is_some_and(char::is_uppercase);
    let starts_lower = next.chars().next().is_some_and(char::is_lowercase);
    if NAME_TITLES.contains(&title) && !after_name && starts_upper {
        return true;
    }
    if (last_word == "a.m." || last_word == "p.m.")
        && (starts_lower
            || (WEEKDAYS.contains(&first_bare.as_str())
                || TIME_ZONES.contains(&first_bare.as_str())))
    {
        return true;
    }
    // "WOBURN, Mass." "(AP) — A 113-year-old ...": a dateline and its agency.
    let words = prev.split_whitespace().count();
    if words <= 5
        && next.starts_with('(')
        && next.split_once(')').is_some_and(|(tag, rest)| {
            tag.len() <= 24 && rest.trim_start().starts_with(['—', '–', '-'])
        })
    {
        return true;
    }
    // "Sen. Kelly Ayotte, R-N." "H., had worked ...": a state's initials ("N.H.", "N.Y.")
    // cut after the first; the piece after is one more initial and goes on in lower case.
    let initial_end = title
        .rsplit(['-', '.'])
        .nth(1)
        .is_some_and(|w| w.len() == 1 && w.starts_with(|c: char| c.is_ascii_uppercase()));
    let mut first_chars = first.chars();
    let next_initial = matches!(
        (first_chars.next(), first_chars.next(), first_chars.next()),
        (Some(a), Some('.'), c) if a.is_ascii_uppercase() && c.is_none_or(|c| matches!(c, ',' | ';' | ':' | ')'))
    );
    let goes_on_lower = next
        .split_whitespace()
        .nth(1)
        .is_some_and(|w| w.starts_with(char::is_lowercase));
    if initial_end && next_initial && goes_on_lower {
        return true;
    }
    // "1." "Finland": a list number before its item.
    if let Some(n) = prev.strip_suffix('.')
        && (1..=3).contains(&n.len())
        && n.bytes().all(|b| b.is_ascii_digit())
    {
        return true;
    }
    // "Will it work?" "Forte said."
    let quoted_question = prev
        .strip_suffix(['"', '”', '\'', '’'])
        .is_some_and(|p| p.ends_with(['?', '!']));
    // Only a bare attribution, the verb first or last ("Forte said.", "said Mr. Abana."): "Will
    // it work?" "Engineers said the tests passed." are two sentences.
    let verb = |w: Option<&str>| {
        w.is_some_and(|w| SPEECH_VERBS.contains(&w.trim_end_matches('.').to_lowercase().as_str()))
    };
    let mut ws = next.split_whitespace();
    let attribution = next.split_whitespace().count() <= 5
        && next.ends_with('.')
        && (verb(ws.next()) || verb(ws.next_back()));
    quoted_question && attribution
}

/// A document that gave no sentence would drop out of every output without a trace: it is
/// counted in `count`, and the first few are named (source, id and why) as warnings.
pub fn note_if_sentenceless(
    seg: &Segmented,
    count: &mut usize,
    observer: &dyn crate::observe::Observer,
) {
    if !seg.sentences.is_empty() {
        return;
    }
    *count += 1;
    let why = if seg.removed.is_empty() {
        "it has no text".to_string()
    } else {
        let n = seg.removed.len();
        format!(
            "all of its text was removed as boilerplate, repeats or markers ({n} span{}; \
             `claimscope segment --explain` lists them, --keep-all keeps them)",
            if n == 1 { "" } else { "s" }
        )
    };
    crate::ingest::warn_named(
        observer,
        *count,
        &format!("{} (document {}): no sentence: {why}", seg.source, seg.doc),
        "such documents",
    );
}

/// A corpus read and segmented, with what its inputs skipped.
pub struct SegmentedCorpus {
    pub documents: Vec<Segmented>,
    pub skipped: crate::ingest::SkipCounts,
}

/// Read every document of the inputs, segment it and hand it to `each` (one document in memory
/// at a time), reporting progress per document; returns what the inputs skipped. The first
/// error, of reading or of `each`, stops it.
pub fn each_document(
    input: &crate::ingest::IngestOptions,
    opts: SegmentOptions,
    observer: &dyn crate::observe::Observer,
    mut each: impl FnMut(Segmented) -> crate::error::Result<()>,
) -> crate::error::Result<crate::ingest::SkipCounts> {
    let mut corpus = crate::ingest::Corpus::open(input, observer)?;
    observer.start("documents", None);
    // Counted apart: the corpus is borrowed by the loop.
    let mut sentenceless = 0;
    let mut language = LanguageCheck::default();
    for d in corpus.by_ref() {
        let seg = segment(&d?, opts);
        note_if_sentenceless(&seg, &mut sentenceless, observer);
        language.see(&seg);
        each(seg)?;
        observer.advance(1);
        crate::observe::go_on(observer)?;
    }
    observer.finish();
    language.warn(observer);
    corpus.skipped.no_sentences = sentenceless;
    Ok(std::mem::take(&mut corpus.skipped))
}

/// Under this share of English function words (`lexicon::STOPWORDS`) a document is read as
/// not English. On the html-news pages English ones hold 0.29-0.42 and the Czech, Portuguese,
/// German, Spanish, French and Japanese ones 0.00-0.04; a page that declares no language
/// (La Nación's) was labelled without a word of warning.
const MIN_ENGLISH_SHARE: f64 = 0.12;

/// The share of a document's words that are English function words, or `None` when it has
/// too few words (30) to tell.
fn english_share(seg: &Segmented) -> Option<f64> {
    let (mut words, mut english) = (0usize, 0usize);
    for s in &seg.sentences {
        for w in s
            .text
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| !w.is_empty())
        {
            // Chinese and Japanese put no spaces between words: each ideograph, kana or
            // syllable block counts as one, so a short article is not "too few words to tell".
            let unspaced = w.chars().filter(|&c| unspaced_script(c)).count();
            if unspaced > 0 {
                words += unspaced;
                continue;
            }
            words += 1;
            if crate::lexicon::STOPWORDS
                .iter()
                .any(|x| x.eq_ignore_ascii_case(w))
            {
                english += 1;
            }
        }
    }
    (words >= 30).then(|| english as f64 / words as f64)
}

/// Letters of scripts written without spaces between words: CJK ideographs, kana, Hangul
/// syllables, Thai.
fn unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF
        | 0xAC00..=0xD7AF | 0x0E00..=0x0E7F | 0x20000..=0x2FFFF)
}

/// The documents of a run that read as not English (under 12% English function words), said
/// once at the end: the model and the cue words are English, and a page that declares no
/// language (or a text file, which cannot) was labelled without a word of warning.
#[derive(Debug, Default)]
pub struct LanguageCheck {
    /// How many documents read as not English, and the first `SHOWN` of their ids (a crawl
    /// can hold millions; the warning names five).
    foreign: usize,
    shown: Vec<String>,
}

/// Documents the language warning names; the rest are counted.
const SHOWN: usize = 5;

impl LanguageCheck {
    pub fn see(&mut self, seg: &Segmented) {
        // A page that declared another language was warned of where it was read.
        if seg
            .lang
            .as_deref()
            .is_some_and(|l| !crate::ingest::is_english(l))
        {
            return;
        }
        if english_share(seg).is_some_and(|share| share < MIN_ENGLISH_SHARE) {
            self.foreign += 1;
            if self.shown.len() < SHOWN {
                self.shown.push(seg.doc.clone());
            }
        }
    }

    pub fn warn(&self, observer: &dyn crate::observe::Observer) {
        if self.foreign == 0 {
            return;
        }
        let more = if self.foreign > SHOWN { ", ..." } else { "" };
        observer.warn(&format!(
            "{} document(s) read as not in English by their words ({}{more}): {}",
            self.foreign,
            self.shown.join(", "),
            crate::ingest::NOT_ENGLISH
        ));
    }
}

/// Every document of the inputs, segmented.
pub fn read_corpus(
    input: &crate::ingest::IngestOptions,
    opts: SegmentOptions,
    observer: &dyn crate::observe::Observer,
) -> crate::error::Result<SegmentedCorpus> {
    let mut documents = Vec::new();
    let skipped = each_document(input, opts, observer, |d| {
        documents.push(d);
        Ok(())
    })?;
    Ok(SegmentedCorpus { documents, skipped })
}

/// A sentence as a table row (`segment --format parquet`): its fields and its document's title
/// and URL.
pub fn sentence_row(
    s: &Sentence,
    doc: &Segmented,
) -> crate::error::Result<serde_json::Map<String, serde_json::Value>> {
    let serde_json::Value::Object(mut row) = serde_json::to_value(s)? else {
        return Err(crate::error::Error::Internal(
            "a sentence is not an object".into(),
        ));
    };
    row.insert("title".into(), doc.title.clone().into());
    row.insert("url".into(), doc.url.clone().into());
    Ok(row)
}

/// A [`sentence_row`] with placeholder values of the right types: the columns of an output no
/// sentence came to.
pub fn sentence_template() -> serde_json::Map<String, serde_json::Value> {
    let s = Sentence {
        doc: String::new(),
        outlet: String::new(),
        date: None,
        paragraph: 0,
        index: 0,
        start: 0,
        end: 0,
        kind: SentenceKind::Text,
        text: String::new(),
    };
    let doc = Segmented {
        doc: String::new(),
        source: String::new(),
        outlet: String::new(),
        date: None,
        title: None,
        url: None,
        lang: None,
        sentences: Vec::new(),
        removed: Vec::new(),
    };
    sentence_row(&s, &doc).unwrap_or_default()
}
