//! Rendering match results for people (terminal table, Markdown) and for programs (JSON).

use std::fmt::Write as _;

use crate::matching::MatchResult;

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
        for m in &g.members {
            let _ = writeln!(
                out,
                "    {:.3}  {:<22} {}",
                m.score,
                clip(&m.claim.outlet, 22),
                clip(&m.claim.text, 120)
            );
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
            "## {}. {}\n\nOutlets: {}\n\n| score | outlet | doc | sentence |\n|---|---|---|---|",
            i + 1,
            g.canonical.claim.replace('|', "\\|"),
            g.outlets.join(", ")
        );
        for m in &g.members {
            let _ = writeln!(
                out,
                "| {:.3} | {} | {} [{}..{}] | {} |",
                m.score,
                m.claim.outlet.replace('|', "\\|"),
                m.claim.doc,
                m.claim.start,
                m.claim.end,
                m.claim.text.replace('|', "\\|")
            );
        }
        out.push('\n');
    }
    out
}
