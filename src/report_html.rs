//! The match report as one self-contained HTML page (`match --format html`): stories, their
//! claim groups with the outlets side by side, each member's sentence with its hedge cues
//! marked, its confidence and stance, "hedge dropped" drift flagged, wire copy folded, filters
//! by outlet, drift and stance, and every member linked to its place in the article text
//! (the documents' sentences are in the page, so it works offline and from a mail attachment).
//! Styles and the filter script are inline; nothing is fetched.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use crate::matching::{ClaimConfidence, ClaimUnit, MatchGroup, MatchResult};
use crate::report::counted;
use crate::segment::Segmented;

const STYLE: &str = r#"
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2327;background:#f6f7f9}
header{background:#1d2327;color:#fff;padding:14px 22px}
header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;color:#c9d1d9}
#filters{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid #d0d7de;padding:10px 22px;display:flex;gap:18px;flex-wrap:wrap;align-items:center}
#filters label{font-size:13px}
main{padding:8px 22px 40px;max-width:1400px}
section.story{margin-top:18px}
section.story>h2{font-size:17px;margin:0 0 6px;color:#444}
article.group{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:12px 14px;margin:10px 0}
article.group h3{margin:0 0 4px;font-size:16px}
.meta{font-size:12px;color:#57606a}
.flag{display:inline-block;background:#fff3cd;border:1px solid #e0b300;color:#6a4a00;border-radius:4px;padding:1px 6px;font-size:12px;margin:4px 0}
.outlets{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:10px;margin-top:8px}
.member{border:1px solid #e1e4e8;border-radius:6px;padding:8px 10px;background:#fbfcfd}
.member .outlet{font-weight:600;font-size:13px}
.member p{margin:4px 0}
mark{background:#ffe08a;padding:0 1px;border-radius:2px}
.tag{display:inline-block;font-size:11px;border-radius:10px;padding:0 7px;margin-right:4px;border:1px solid #ccc}
.lv-high{background:#dff5e1;border-color:#8fd19e}.lv-moderate{background:#fff5d6;border-color:#e8c66a}
.lv-low{background:#fde2e1;border-color:#eea29f}.lv-none{background:#eceff3}
.st-agree{background:#e6f0ff;border-color:#9cc0ff}.st-disagree{background:#ffe3e3;border-color:#ff9c9c}
.st-discuss{background:#f1e8ff;border-color:#c3a6ff}.st-unrelated{background:#eee}
details.wire>summary{cursor:pointer;color:#57606a}
.related{margin-top:8px;font-size:13px}
.related li{margin:3px 0}
section#documents{margin-top:30px}
section#documents details{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:6px 0;padding:6px 10px}
.sent{display:inline}
.sent.target{background:#ffe08a;outline:2px solid #e0b300}
.hidden{display:none}
"#;

const SCRIPT: &str = r#"
(function(){
  var groups = Array.prototype.slice.call(document.querySelectorAll('article.group'));
  var outlet = document.getElementById('f-outlet');
  var drift = document.getElementById('f-drift');
  var stance = document.getElementById('f-stance');
  var count = document.getElementById('f-count');
  function apply(){
    var shown = 0;
    groups.forEach(function(g){
      var ok = (!outlet.value || g.dataset.outlets.split(' ').indexOf(outlet.value) >= 0)
        && (!drift.checked || g.dataset.drift === '1')
        && (!stance.value || g.dataset.stances.split('|').indexOf(stance.value) >= 0);
      g.classList.toggle('hidden', !ok);
      if (ok) shown++;
    });
    document.querySelectorAll('section.story').forEach(function(s){
      s.classList.toggle('hidden', !s.querySelector('article.group:not(.hidden)'));
    });
    count.textContent = shown + ' of ' + groups.length + (groups.length === 1 ? ' group' : ' groups') + ' shown';
  }
  [outlet, drift, stance].forEach(function(el){ el.addEventListener('change', apply); });
  function reveal(){
    document.querySelectorAll('.sent.target').forEach(function(e){ e.classList.remove('target'); });
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (!el) return;
    for (var p = el.parentElement; p; p = p.parentElement) { if (p.tagName === 'DETAILS') p.open = true; }
    el.classList.add('target');
    el.scrollIntoView({block: 'center'});
  }
  window.addEventListener('hashchange', reveal);
  apply();
  reveal();
})();
"#;

/// The anchor of a sentence: document number and the sentence's byte start.
fn anchor(doc: usize, start: usize) -> String {
    format!("d{doc}-{start}")
}

/// The sentence of `unit` with its cues marked (main-clause cues, the ones that set the level).
/// Cue spans in a match result are document offsets, like the claims'.
fn marked(unit: &ClaimUnit, conf: Option<&ClaimConfidence>) -> String {
    let sentence = unit.sentence.as_str();
    let mut spans: Vec<(usize, usize)> = conf
        .map(|c| {
            c.cues
                .iter()
                .filter(|q| q.main_clause)
                .filter_map(|q| {
                    let s = q.start.checked_sub(unit.sentence_start)?;
                    let e = q.end.checked_sub(unit.sentence_start)?;
                    (s < e && sentence.get(s..e).is_some()).then_some((s, e))
                })
                .collect()
        })
        .unwrap_or_default();
    spans.sort();
    let mut out = String::new();
    let mut at = 0;
    for (s, e) in spans {
        if s < at {
            continue;
        }
        out += &text(&sentence[at..s]);
        let _ = write!(out, "<mark>{}</mark>", text(&sentence[s..e]));
        at = e;
    }
    out += &text(&sentence[at..]);
    out
}

fn confidence_tags(c: Option<&ClaimConfidence>) -> String {
    match c {
        Some(c) => format!(
            r#"<span class="tag lv-{l}" title="confidence, p={p:.2}">{l}</span>"#,
            l = c.level,
            p = c.probability
        ),
        None => String::new(),
    }
}

fn stance_tag(stance: &str, p: f32) -> String {
    format!(
        r#"<span class="tag st-{stance}" title="stance toward the claim, p={p:.2}">{stance}</span>"#
    )
}

/// A member's card: outlet, sentence, labels, link to the article.
fn card(
    out: &mut String,
    unit: &ClaimUnit,
    conf: Option<&ClaimConfidence>,
    stance: Option<(&str, f32)>,
    score: f32,
) {
    let _ = write!(
        out,
        r##"<div class="member"><div class="outlet">{}</div><p>{}</p><div>{}{}<span class="meta">cos {score:.2} · <a href="#{}">in the article</a> ({})</span></div></div>"##,
        text(&unit.outlet),
        marked(unit, conf),
        confidence_tags(conf),
        stance.map(|(s, p)| stance_tag(s, p)).unwrap_or_default(),
        anchor(unit.doc_index, unit.sentence_start),
        text(&unit.doc),
    );
}

/// Every outlet of the result, members' and related claims' alike (so the outlet that only
/// denies can be picked too), numbered for the filter: the page refers to an outlet by its
/// number, so no outlet name (a `|`, quotes, an empty name) can break the filter.
fn outlet_numbers(r: &MatchResult) -> BTreeMap<&str, usize> {
    let names: BTreeSet<&str> = r
        .groups
        .iter()
        .flat_map(|g| {
            g.outlets
                .iter()
                .map(String::as_str)
                .chain(g.related.iter().map(|r| r.unit.outlet.as_str()))
        })
        .collect();
    names.into_iter().enumerate().map(|(i, n)| (n, i)).collect()
}

/// One group; `n` is its number in the table and Markdown reports (1-based; the Parquet
/// `group` column and the JSON array index are `n - 1`), so a group can be found across formats.
fn group(out: &mut String, n: usize, g: &MatchGroup, numbers: &BTreeMap<&str, usize>) {
    let mut stances: BTreeSet<&str> = g
        .members
        .iter()
        .filter_map(|m| m.stance.as_ref().map(|s| s.stance.as_str()))
        .collect();
    stances.extend(g.related.iter().map(|r| r.stance.stance.as_str()));
    let outlets: BTreeSet<String> = g
        .outlets
        .iter()
        .map(String::as_str)
        .chain(g.related.iter().map(|r| r.unit.outlet.as_str()))
        .filter_map(|o| numbers.get(o).map(|n| format!("o{n}")))
        .collect();
    let _ = write!(
        out,
        r#"<article class="group" id="group-{n}" data-outlets="{}" data-drift="{}" data-stances="{}"><h3><span class="meta">[{n}]</span> {}</h3><div class="meta">{} · {}</div>"#,
        outlets.into_iter().collect::<Vec<_>>().join(" "),
        u8::from(g.confidence_spread.is_some()),
        attr(&stances.into_iter().collect::<Vec<_>>().join("|")),
        text(&g.canonical.claim),
        counted(g.outlets.len(), "outlet", "outlets"),
        counted(g.members.len(), "member", "members"),
    );
    if let Some(s) = &g.confidence_spread {
        let _ = write!(
            out,
            r#"<div class="flag">Confidence differs: {}</div>"#,
            text(&s.note)
        );
    }
    let mut cards = String::new();
    for m in &g.members {
        card(
            &mut cards,
            &m.unit,
            m.confidence.as_ref(),
            m.stance
                .as_ref()
                .map(|s| (s.stance.as_str(), s.probability)),
            m.score,
        );
    }
    if g.wire_copy {
        let _ = write!(
            out,
            r#"<details class="wire"><summary>Wire copy: {} (show)</summary><div class="outlets">{cards}</div></details>"#,
            crate::report::carried_by(g)
        );
    } else {
        let _ = write!(out, r#"<div class="outlets">{cards}</div>"#);
    }
    if !g.related.is_empty() {
        out.push_str(
            r#"<div class="related">Related claims in other documents (their stance toward this claim):<ul>"#,
        );
        for r in &g.related {
            let _ = write!(
                out,
                r##"<li><b>{}</b> {}{} {} <a href="#{}">in the article</a></li>"##,
                text(&r.unit.outlet),
                stance_tag(r.stance.stance.as_str(), r.stance.probability),
                confidence_tags(r.confidence.as_ref()),
                marked(&r.unit, r.confidence.as_ref()),
                anchor(r.unit.doc_index, r.unit.sentence_start),
            );
        }
        out.push_str("</ul></div>");
    }
    out.push_str("</article>");
}

/// A group with its number in the table and Markdown reports.
type Numbered<'a> = (usize, &'a MatchGroup);

/// "N stories" in the header: the stories the page shows (those holding a group), and how many
/// were found when that is more ("1317 claim groups in 32 stories" over 30 sections read as two
/// lost).
fn stories_shown(r: &MatchResult) -> String {
    let shown: BTreeSet<&str> = r.groups.iter().map(|g| g.story.as_str()).collect();
    let n = counted(shown.len(), "story", "stories");
    if shown.len() == r.stories.len() {
        n
    } else {
        format!("{n} (of {} found)", r.stories.len())
    }
}

/// The whole page. `docs` are the documents the result was computed from, in the same order
/// (group members refer to them by index).
pub fn page(r: &MatchResult, docs: &[Segmented]) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let numbers = outlet_numbers(r);
    let drifting = r
        .groups
        .iter()
        .filter(|g| g.confidence_spread.is_some())
        .count();
    let _ = write!(
        out,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>claimscope: shared claims</title><style>{STYLE}</style></head><body><header><h1>Shared claims across outlets</h1><p>{} in {}, from {} ({} compared); {} where the outlets' confidence differs.</p></header>"#,
        counted(r.groups.len(), "claim group", "claim groups"),
        stories_shown(r),
        counted(r.documents, "document", "documents"),
        counted(r.claims, "claim", "claims"),
        counted(drifting, "group", "groups"),
    );
    out.push_str(
        r#"<div id="filters"><label>Outlet <select id="f-outlet"><option value="">all</option>"#,
    );
    for (o, n) in &numbers {
        let name = if o.is_empty() { "(no outlet)" } else { o };
        let _ = write!(out, r#"<option value="o{n}">{}</option>"#, text(name));
    }
    out.push_str(r#"</select></label><label><input type="checkbox" id="f-drift"> only groups where confidence differs</label><label>Stance <select id="f-stance"><option value="">any</option><option value="agree">has agree</option><option value="disagree">has disagree</option><option value="discuss">has discuss</option></select></label><span id="f-count" class="meta"></span></div><main>"#);

    // Groups under their stories, in the order of the result (independent reports before wire
    // copy within each story).
    let titles: HashMap<&str, &str> = r
        .stories
        .iter()
        .map(|s| (s.id.as_str(), s.title.as_str()))
        .collect();
    let mut by_story: BTreeMap<usize, (&str, Vec<Numbered>)> = BTreeMap::new();
    let mut order: HashMap<&str, usize> = HashMap::new();
    for (k, g) in r.groups.iter().enumerate() {
        let n = order.len();
        let i = *order.entry(g.story.as_str()).or_insert(n);
        by_story
            .entry(i)
            .or_insert((g.story.as_str(), Vec::new()))
            .1
            .push((k + 1, g));
    }
    for (story, groups) in by_story.values() {
        let _ = write!(
            out,
            r#"<section class="story" id="story-{}"><h2>Story {}: {}</h2>"#,
            attr(story),
            text(story),
            text(titles.get(story).copied().unwrap_or(""))
        );
        for &(n, g) in groups.iter().filter(|(_, g)| !g.wire_copy) {
            group(&mut out, n, g, &numbers);
        }
        for &(n, g) in groups.iter().filter(|(_, g)| g.wire_copy) {
            group(&mut out, n, g, &numbers);
        }
        out.push_str("</section>");
    }
    if r.groups.is_empty() {
        out.push_str(r#"<p>No claim is shared by two or more documents.</p>"#);
    }

    out.push_str(r#"<section id="documents"><h2>Articles</h2>"#);
    for (i, d) in docs.iter().enumerate() {
        let _ = write!(
            out,
            r#"<details id="doc-{i}"><summary><b>{}</b> · {} · {}{}</summary><p>"#,
            text(&d.outlet),
            text(&d.doc),
            text(d.title.as_deref().unwrap_or("")),
            d.date
                .as_deref()
                .map(|x| format!(" · {}", text(x)))
                .unwrap_or_default()
        );
        let mut paragraph = d.sentences.first().map_or(0, |s| s.paragraph);
        for s in &d.sentences {
            if s.paragraph != paragraph {
                out.push_str("</p><p>");
                paragraph = s.paragraph;
            }
            let _ = write!(
                out,
                r#"<span class="sent" id="{}">{}</span> "#,
                anchor(i, s.start),
                text(&s.text)
            );
        }
        out.push_str("</p></details>");
    }
    let _ = writeln!(
        out,
        "</section></main><script>{SCRIPT}</script></body></html>"
    );
    out
}
