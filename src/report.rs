//! Rendering match results for people (terminal table, Markdown) and for programs (JSON).

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::matching::{ClaimConfidence, MatchGroup, MatchResult};

/// What a wire-copy group carries: "one text carried by 3 outlets", or, when its documents are
/// one outlet's (a page saved twice), "one text in 2 documents of one outlet".
pub(crate) fn carried_by(g: &MatchGroup) -> String {
    if g.outlets.len() >= 2 {
        return format!("one text carried by {} outlets", g.outlets.len());
    }
    let mut docs: Vec<&str> = g.members.iter().map(|m| m.unit.doc.as_str()).collect();
    docs.sort_unstable();
    docs.dedup();
    format!("one text in {} documents of one outlet", docs.len())
}

/// "moderate [likely]": the level and the main-clause cues that carry it.
fn confidence_tag(c: Option<&ClaimConfidence>) -> String {
    let Some(c) = c else { return String::new() };
    let cues: Vec<&str> = c
        .cues
        .iter()
        .filter(|q| q.main_clause)
        .map(|q| q.text.as_str())
        .collect();
    if cues.is_empty() {
        c.level.to_string()
    } else {
        format!("{} [{}]", c.level, cues.join(", "))
    }
}

fn flag(g: &MatchGroup) -> Option<String> {
    g.confidence_spread
        .as_ref()
        .map(|s| format!("CONFIDENCE DIFFERS, {}", s.note))
}

/// Document text as a terminal table cell: control characters (C0, tab and line breaks
/// included, DEL and C1) written as escapes (`\u{1b}`, `\r`, `\t`), so that a document can
/// neither send the terminal escape sequences (colours, a new window title, cursor moves) nor
/// overwrite or break a row, and what is shown is what the data holds. Escapes rather than
/// U+FFFD: they say which character is there, and U+FFFD already stands for undecodable
/// bytes (`--lossy`). Only for people: JSON, CSV and Parquet keep the text as it is.
pub fn shown(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// At most `max` characters of `s`, shown as [`shown`] (cut first, so an escape is never cut).
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        shown(s).into_owned()
    } else {
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", shown(&cut))
    }
}

/// "1 group", "5 groups": a count with its noun in the right number.
pub(crate) fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn table(r: &MatchResult) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} of the same claim across documents ({}, {}, {}; cosine floor {:.2})",
        counted(r.groups.len(), "group", "groups"),
        counted(r.documents, "document", "documents"),
        counted(r.sentences, "sentence", "sentences"),
        counted(r.claims, "claim", "claims"),
        r.options.grouping.floor
    );
    for (i, g) in r.groups.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n[{}] {}  ({}: {})",
            i + 1,
            clip(&g.canonical.claim, 110),
            counted(g.outlets.len(), "outlet", "outlets"),
            shown(&g.outlets.join(", "))
        );
        if g.wire_copy {
            let _ = writeln!(out, "    = wire copy: {}", carried_by(g));
        }
        if let Some(f) = flag(g) {
            let _ = writeln!(out, "    ! {}", shown(&f));
        }
        for m in &g.members {
            let _ = writeln!(
                out,
                "    {:.3}  {:<22} {:<24} {:<9} {}",
                m.score,
                clip(&m.unit.outlet, 22),
                clip(&confidence_tag(m.confidence.as_ref()), 24),
                m.stance.as_ref().map_or("", |s| s.stance.as_str()),
                clip(&m.unit.sentence, 110)
            );
        }
        if !g.related.is_empty() {
            // Nearest claims of other documents, with the stance model's reading toward this
            // one: "other outlets on this claim" promised what most rows are not (other claims
            // of the same story).
            let _ = writeln!(
                out,
                "    related claims in other documents (stance toward this claim):"
            );
            for r in &g.related {
                let _ = writeln!(
                    out,
                    "    {:.3}  {:<22} {:<24} {:<9} {}",
                    r.score,
                    clip(&r.unit.outlet, 22),
                    clip(&confidence_tag(r.confidence.as_ref()), 24),
                    r.stance.stance.as_str(),
                    clip(&r.unit.sentence, 110)
                );
            }
        }
    }
    out
}

/// One row per group member and per related claim, for tables (`match --format parquet`):
/// story, group number, the canonical claim, where the member is and how it is labelled.
pub fn member_rows(r: &MatchResult) -> Vec<serde_json::Map<String, serde_json::Value>> {
    use serde_json::{Value, json};
    let mut rows = Vec::new();
    for (i, g) in r.groups.iter().enumerate() {
        let mut push = |role: &str,
                        u: &crate::matching::ClaimUnit,
                        score: f32,
                        stance: Option<&crate::classify::StanceLabel>,
                        conf: Option<&ClaimConfidence>| {
            let row = json!({
                "story": g.story,
                "group": i,
                "canonical": g.canonical.claim,
                "role": role,
                "doc": u.doc,
                "outlet": u.outlet,
                "start": u.start,
                "end": u.end,
                "sentence_start": u.sentence_start,
                "sentence_end": u.sentence_end,
                "text": u.sentence,
                "claim": u.claim,
                "score": score,
                "stance": stance.map(|s| s.stance.as_str()),
                "stance_probability": stance.map(|s| s.probability),
                "confidence": conf.map(|c| c.level.to_string()),
                "confidence_probability": conf.map(|c| c.probability),
                // The cue objects as `match --format json` has them; a list goes into the
                // file as JSON text, as `classify`'s cues do.
                "cues": conf.map(|c| serde_json::to_value(&c.cues).unwrap_or(Value::Null)),
                "wire_copy": g.wire_copy,
                "confidence_differs": g.confidence_differs,
            });
            if let Value::Object(m) = row {
                rows.push(m);
            }
        };
        for m in &g.members {
            push(
                "member",
                &m.unit,
                m.score,
                m.stance.as_ref(),
                m.confidence.as_ref(),
            );
        }
        for rel in &g.related {
            push(
                "related",
                &rel.unit,
                rel.score,
                Some(&rel.stance),
                rel.confidence.as_ref(),
            );
        }
    }
    rows
}

/// A row of [`member_rows`] with placeholder values of the right types: the columns of a
/// Parquet file when no group was found.
pub fn member_row_template() -> serde_json::Map<String, serde_json::Value> {
    let row = serde_json::json!({
        "story": "", "group": 0, "canonical": "", "role": "", "doc": "", "outlet": "",
        "start": 0, "end": 0, "sentence_start": 0, "sentence_end": 0, "text": "", "claim": "",
        "score": 0.5, "stance": "", "stance_probability": 0.5, "confidence": "",
        "confidence_probability": 0.5, "cues": [], "wire_copy": false, "confidence_differs": false,
    });
    match row {
        serde_json::Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

/// Article text as Markdown shows it: HTML in it is text, not markup (a page's `<script>` or
/// `<b>` would otherwise reach whatever renders the report), a pipe does not end a cell, a line
/// break is a space (as Markdown shows one inside a paragraph) and does not end a row or a
/// heading, and other control characters are escapes as [`shown`] writes them (a raw ESC would
/// reach the terminal of anyone who reads the report with `cat`). A backslash is escaped too,
/// so that it shows as itself and cannot take the escape off the pipe after it.
fn md_text(s: &str) -> String {
    let flat = s.replace(['\n', '\r'], " ");
    let mut out = String::with_capacity(s.len());
    for c in shown(&flat).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            // Emphasis, code spans, strike-through and links: news text has "s**t", "#blurka_"
            // handles and [brackets] that would otherwise change how the rest of the cell reads.
            '*' | '_' | '`' | '~' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

pub fn markdown(r: &MatchResult) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Shared claims\n\n{} across {} ({} compared).\n",
        counted(r.groups.len(), "group", "groups"),
        counted(r.documents, "document", "documents"),
        counted(r.claims, "claim", "claims"),
    );
    for (i, g) in r.groups.iter().enumerate() {
        let _ = writeln!(
            out,
            "## {}. {}\n\nOutlets: {}\n",
            i + 1,
            md_text(&g.canonical.claim),
            md_text(&g.outlets.join(", "))
        );
        if g.wire_copy {
            let _ = writeln!(out, "*Wire copy: {}.*\n", carried_by(g));
        }
        if let Some(f) = flag(g) {
            // The note names outlets, which are document text.
            let _ = writeln!(out, "**{}**\n", md_text(&f));
        }
        let _ = writeln!(
            out,
            "| score | outlet | doc | confidence | stance | sentence |\n|---|---|---|---|---|---|"
        );
        let row = |out: &mut String,
                   score: f32,
                   c: &crate::matching::ClaimUnit,
                   conf: Option<&ClaimConfidence>,
                   stance: &str| {
            let _ = writeln!(
                out,
                "| {:.3} | {} | {} [{}..{}] | {} | {} | {} |",
                score,
                md_text(&c.outlet),
                md_text(&c.doc),
                c.start,
                c.end,
                confidence_tag(conf),
                stance,
                md_text(&c.sentence)
            );
        };
        for m in &g.members {
            row(
                &mut out,
                m.score,
                &m.unit,
                m.confidence.as_ref(),
                m.stance.as_ref().map_or("", |s| s.stance.as_str()),
            );
        }
        if !g.related.is_empty() {
            let _ = writeln!(
                out,
                "\nRelated claims in other documents (their stance toward this claim):\n\n| score | outlet | doc | confidence | stance | sentence |\n|---|---|---|---|---|---|"
            );
            for r in &g.related {
                row(
                    &mut out,
                    r.score,
                    &r.unit,
                    r.confidence.as_ref(),
                    r.stance.stance.as_str(),
                );
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::stance::{Stance, StanceLabel, StanceScores};
    use crate::classify::{Cue, Level, cues::CueKind};
    use crate::matching::{
        ClaimUnit, ConfidenceSpread, LevelOutlets, MatchOptions, Member, Related,
    };

    fn unit(doc: &str, outlet: &str, sentence: &str) -> ClaimUnit {
        ClaimUnit {
            doc: doc.into(),
            outlet: outlet.into(),
            sentence: sentence.into(),
            start: 10,
            end: 10 + sentence.len(),
            claim: sentence.into(),
            sentence_start: 10,
            sentence_end: 10 + sentence.len(),
            doc_index: 0,
        }
    }

    fn cue(text: &str, level: Level, main_clause: bool) -> Cue {
        Cue {
            text: text.into(),
            start: 0,
            end: text.len(),
            level,
            kind: CueKind::Hedge,
            main_clause,
        }
    }

    fn stance(s: Stance) -> StanceLabel {
        StanceLabel {
            stance: s,
            scores: StanceScores {
                agree: 0.7,
                disagree: 0.1,
                discuss: 0.1,
                unrelated: 0.1,
            },
            probability: 0.7,
        }
    }

    fn result() -> MatchResult {
        let canonical = unit("a", "Wire | One", "Putin authorised the operation.");
        let plain = Member {
            unit: canonical.clone(),
            score: 1.0,
            confidence: Some(ClaimConfidence {
                probability: 1.0,
                level: Level::High,
                score: 5.5,
                cues: vec![],
            }),
            stance: Some(stance(Stance::Agree)),
        };
        let hedged = Member {
            unit: unit(
                "b",
                "BBC News",
                "Putin is likely to have authorised it, which may matter.",
            ),
            score: 0.81234,
            confidence: Some(ClaimConfidence {
                probability: 1.0,
                level: Level::Moderate,
                score: 4.0,
                // Only the main clause's cue belongs in the tag.
                cues: vec![
                    cue("likely", Level::Moderate, true),
                    cue("may", Level::Low, false),
                ],
            }),
            stance: Some(stance(Stance::Agree)),
        };
        let denial = Related {
            unit: unit(
                "c",
                "Embassy",
                &format!("Russia called it baseless {}", "x".repeat(200)),
            ),
            score: 0.5,
            stance: stance(Stance::Disagree),
            confidence: Some(ClaimConfidence {
                probability: 1.0,
                level: Level::High,
                score: 5.0,
                cues: vec![],
            }),
        };
        MatchResult {
            documents: 3,
            sentences: 12,
            claims: 14,
            options: MatchOptions::default(),
            judge: None,
            stories: Vec::new(),
            groups: vec![MatchGroup {
                story: "s1".into(),
                wire_copy: false,
                canonical,
                members: vec![plain, hedged],
                outlets: vec!["Wire | One".into(), "BBC News".into()],
                confidence_differs: true,
                confidence_spread: Some(ConfidenceSpread {
                    levels: vec![LevelOutlets {
                        level: Level::High,
                        outlets: vec!["Wire | One".into()],
                        cues: vec![],
                    }],
                    note: "hedge dropped: high: Wire | One (plainly); moderate: BBC News (with \"likely\")"
                        .into(),
                }),
                related: vec![denial],
            }],
        }
    }

    /// `--min-prob` hides a related claim's unsure confidence as it does a member's: the claim
    /// stays listed (its stance is sure), its level goes from every format.
    #[test]
    fn min_prob_hides_a_related_claims_unsure_confidence() {
        let mut r = result();
        let related = &mut r.groups[0].related[0];
        let level = related.confidence.as_mut().expect("a level");
        level.probability = 0.4;
        crate::matching::hide_unsure(&mut r, 0.3);
        assert!(
            r.groups[0].related[0].confidence.is_some(),
            "0.4 is over 0.3"
        );
        crate::matching::hide_unsure(&mut r, 0.5);
        let related = &r.groups[0].related;
        assert_eq!(related.len(), 1, "its stance (0.7) is sure: still listed");
        assert!(related[0].confidence.is_none());
        let json = serde_json::to_value(&related[0]).expect("json");
        assert!(json.get("confidence").is_none(), "{json}");
        assert_eq!(json["stance"]["stance"], "disagree", "{json}");
        let rows = member_rows(&r);
        assert_eq!(rows[2]["role"], "related");
        assert!(rows[2]["confidence"].is_null(), "{:?}", rows[2]);
        let t = table(&r);
        let line = t
            .lines()
            .find(|l| l.contains("Russia called it baseless"))
            .expect("the related claim is listed");
        assert!(!line.contains("high"), "{line}");
    }

    #[test]
    fn table_shows_levels_main_clause_cues_stances_and_the_drift_flag() {
        let t = table(&result());
        assert!(t.starts_with("1 group of the same claim across documents (3 documents, 12 sentences, 14 claims; cosine floor 0.67)"), "{t}");
        assert!(
            t.contains("! CONFIDENCE DIFFERS, hedge dropped: high: Wire | One"),
            "{t}"
        );
        assert!(t.contains("moderate [likely]"), "{t}");
        assert!(!t.contains("[likely, may]"), "subordinate cue shown: {t}");
        assert!(t.contains("0.812"), "{t}");
        assert!(
            t.contains("related claims in other documents (stance toward this claim):"),
            "{t}"
        );
        // Long sentences are clipped with an ellipsis, never cut inside a character.
        assert!(t.contains('…'), "{t}");
        insta::assert_snapshot!(t);
    }

    #[test]
    fn a_documents_control_characters_are_escaped_in_the_table() {
        assert_eq!(
            shown("plain text, “quoted” – 日本"),
            "plain text, “quoted” – 日本"
        );
        assert_eq!(
            shown("a\u{1b}]0;t\u{7}b\rc\td\ne\u{7f}f\u{9b}g"),
            r"a\u{1b}]0;t\u{7}b\rc\td\ne\u{7f}f\u{9b}g"
        );
        let mut r = result();
        let m = &mut r.groups[0].members[1];
        m.unit.outlet = "BBC\u{1b}[2J News".into();
        m.unit.sentence = "Putin \u{1b}]0;pwned\u{7}is likely\r to have authorised it.".into();
        let t = table(&r);
        assert!(!t.chars().any(|c| c.is_control() && c != '\n'), "{t:?}");
        assert!(t.contains(r"BBC\u{1b}[2J News"), "{t}");
        assert!(
            t.contains(r"Putin \u{1b}]0;pwned\u{7}is likely\r to have"),
            "{t}"
        );
    }

    #[test]
    fn member_rows_have_the_template_columns_and_types() {
        let rows = member_rows(&result());
        // two members and one related claim
        assert_eq!(rows.len(), 3);
        let t = member_row_template();
        for r in &rows {
            assert_eq!(
                r.keys().collect::<Vec<_>>(),
                t.keys().collect::<Vec<_>>(),
                "the template's columns are the rows' columns"
            );
            for (k, v) in r.iter().filter(|(_, v)| !v.is_null()) {
                let tv = &t[k];
                let same = (v.is_string() && tv.is_string())
                    || (v.is_boolean() && tv.is_boolean())
                    || (v.is_u64() && tv.is_u64())
                    || (v.is_f64() && tv.is_f64())
                    || (v.is_array() && tv.is_array());
                assert!(same, "{k}: {v} vs template {tv}");
            }
        }
        assert_eq!(rows[2]["role"], "related");
        assert_eq!(rows[2]["stance"], "disagree");
    }

    #[test]
    fn markdown_escapes_pipes_and_lists_spans() {
        let m = markdown(&result());
        assert!(
            m.contains("| Wire \\| One | a [10..41] | high | agree |"),
            "{m}"
        );
        assert!(!m.contains("| Wire | One |"), "unescaped pipe: {m}");
        assert!(
            m.contains("Related claims in other documents (their stance toward this claim)"),
            "{m}"
        );
        insta::assert_snapshot!(m);
    }

    /// Markdown's inline marks in article text stay text: "s**t" is not emphasis, a handle's
    /// underscores do not italicise the rest of the cell, brackets do not make a link.
    #[test]
    fn markdown_keeps_inline_marks_in_article_text_as_text() {
        assert_eq!(
            md_text("s**t, _hype_ and `code` ~~gone~~ [a](b)"),
            "s\\*\\*t, \\_hype\\_ and \\`code\\` \\~\\~gone\\~\\~ \\[a\\](b)"
        );
    }

    #[test]
    fn markdown_shows_html_in_article_text_as_text() {
        assert_eq!(
            md_text("a <script>x()</script> & <b>b</b> | c\nd"),
            "a &lt;script&gt;x()&lt;/script&gt; &amp; &lt;b&gt;b&lt;/b&gt; \\| c d"
        );
    }

    /// Control characters are escapes as the terminal table's, and a backslash before a pipe
    /// cannot unescape it (cmark-gfm reads `\\|` as an escaped backslash and a cell's end).
    #[test]
    fn markdown_text_has_no_raw_control_characters_and_keeps_its_cells() {
        assert_eq!(
            md_text("red \u{1b}[31mtext\u{1b}[0m\ttab\u{7}\u{85}"),
            "red \\\\u{1b}\\[31mtext\\\\u{1b}\\[0m\\\\ttab\\\\u{7}\\\\u{85}"
        );
        assert_eq!(md_text("C:\\dir\\|x\r\ny"), "C:\\\\dir\\\\\\|x  y");
        assert!(!md_text("a\u{1b}b\u{9b}c").chars().any(char::is_control));
        // The confidence note names outlets: escaped as well.
        let mut r = result();
        r.groups[0].outlets[0].insert(0, '\u{1b}');
        if let Some(s) = r.groups[0].confidence_spread.as_mut() {
            s.note.insert(0, '\u{1b}');
        }
        let m = markdown(&r);
        assert!(!m.chars().any(|c| c.is_control() && c != '\n'), "{m:?}");
        assert!(
            m.contains("**CONFIDENCE DIFFERS, \\\\u{1b}hedge dropped"),
            "{m}"
        );
    }

    #[test]
    fn clip_counts_characters() {
        assert_eq!(clip("äöü", 3), "äöü");
        assert_eq!(clip("äöüß", 3), "äö…");
    }
}
