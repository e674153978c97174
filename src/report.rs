//! Rendering match results for people (terminal table, Markdown) and for programs (JSON).

use std::fmt::Write as _;

use crate::matching::{ClaimConfidence, MatchGroup, MatchResult};

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

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

pub fn table(r: &MatchResult) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} groups of the same claim across documents ({} documents, {} sentences, {} claims; cosine floor {:.2})",
        r.groups.len(),
        r.documents,
        r.sentences,
        r.claims,
        r.options.grouping.floor
    );
    for (i, g) in r.groups.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n[{}] {}  ({} outlets: {})",
            i + 1,
            clip(&g.canonical.claim, 110),
            g.outlets.len(),
            g.outlets.join(", ")
        );
        if let Some(f) = flag(g) {
            let _ = writeln!(out, "    ! {f}");
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
            let _ = writeln!(out, "    other outlets on this claim:");
            for r in &g.related {
                let _ = writeln!(
                    out,
                    "    {:.3}  {:<22} {:<24} {:<9} {}",
                    r.score,
                    clip(&r.unit.outlet, 22),
                    clip(&confidence_tag(Some(&r.confidence)), 24),
                    r.stance.stance.as_str(),
                    clip(&r.unit.sentence, 110)
                );
            }
        }
    }
    out
}

pub fn markdown(r: &MatchResult) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Shared claims\n\n{} groups across {} documents ({} claims compared).\n",
        r.groups.len(),
        r.documents,
        r.claims
    );
    for (i, g) in r.groups.iter().enumerate() {
        let _ = writeln!(
            out,
            "## {}. {}\n\nOutlets: {}\n",
            i + 1,
            g.canonical.claim.replace('|', "\\|"),
            g.outlets.join(", ")
        );
        if let Some(f) = flag(g) {
            let _ = writeln!(out, "**{f}**\n");
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
                c.outlet.replace('|', "\\|"),
                c.doc,
                c.start,
                c.end,
                confidence_tag(conf),
                stance,
                c.sentence.replace('|', "\\|")
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
                "\nOther outlets that disagree with or only discuss it:\n\n| score | outlet | doc | confidence | stance | sentence |\n|---|---|---|---|---|---|"
            );
            for r in &g.related {
                row(
                    &mut out,
                    r.score,
                    &r.unit,
                    Some(&r.confidence),
                    r.stance.stance.as_str(),
                );
            }
        }
        out.push('\n');
    }
    out
}
