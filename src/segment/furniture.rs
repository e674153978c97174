//! Page furniture: the lines and sentences that are scraping debris (boilerplate, bylines,
//! credits, prompts, link lists, code), each found with the reason `--explain` shows.

use super::boundaries::TIME_ZONES;
use super::*;

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
pub(super) fn link_list_heading(line: &str) -> bool {
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
pub(super) fn listed_link(line: &str) -> bool {
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
pub(super) const MAX_LISTED_LINKS: usize = 12;

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
pub(super) fn boilerplate(line: &str) -> Option<&'static str> {
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
pub(super) fn furniture(text: &str, lowered: &str, words: usize) -> Option<&'static str> {
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
pub(super) fn sentence_furniture(sentence: &str, last: bool, alone: bool) -> Option<&'static str> {
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
pub(super) fn finished(lowered: &str) -> bool {
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
