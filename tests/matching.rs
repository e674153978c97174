//! `match` on the example corpus: the claims the three 2021 articles share come out as groups
//! spanning outlets, and nothing is matched within one document.

mod common;

use claimscope::ingest::{Corpus, IngestOptions};
use claimscope::matching::{MatchOptions, MatchResult, match_claims};
use claimscope::observe::Silent;
use claimscope::segment::{SegmentOptions, segment};

fn run() -> MatchResult {
    let args = IngestOptions::for_paths(&[
        common::project("examples/election-interference").to_string_lossy()
    ]);
    let docs: Vec<_> = Corpus::open(&args, &claimscope::observe::Silent)
        .expect("open")
        .map(|d| segment(&d.expect("doc"), SegmentOptions::default()))
        .collect();
    match_claims(
        &docs,
        common::embedder(),
        None,
        &MatchOptions::default(),
        None,
        &Silent,
    )
    .expect("match")
}

/// The group whose members mention all `words`, with the outlets it spans.
fn find<'a>(r: &'a MatchResult, words: &[&str]) -> Option<&'a claimscope::matching::MatchGroup> {
    r.groups.iter().find(|g| {
        g.members
            .iter()
            .any(|m| words.iter().all(|w| m.unit.sentence.contains(w)))
    })
}

#[test]
fn shared_claims_of_the_2021_articles() {
    let r = run();
    for g in &r.groups {
        let mut docs: Vec<&str> = g.members.iter().map(|m| m.unit.doc.as_str()).collect();
        let n = docs.len();
        docs.sort();
        docs.dedup();
        assert_eq!(docs.len(), n, "a group holds one claim per document");
        assert!(n >= 2);
        for m in &g.members {
            assert!(m.score >= r.options.grouping.floor - 1e-6);
        }
    }
    let putin = find(&r, &["Putin", "authorised"]).expect("Putin authorised group");
    assert!(
        putin.outlets.len() >= 3,
        "Putin claim spans the three 2021 articles: {:?}",
        putin.outlets
    );
    assert!(putin.outlets.contains(&"BBC News".to_string()));

    let iran = find(&r, &["Iran", "influence campaign"]).expect("Iran campaign group");
    assert!(
        iran.members.iter().all(|m| m.unit.claim.contains("Iran")),
        "{:?}",
        iran.members
    );

    let china = find(&r, &["China", "stability"]).expect("China did not interfere group");
    assert!(china.outlets.len() >= 2);

    let votes = find(&r, &["foreign", "votes"]).expect("no foreign actor changed votes group");
    assert!(
        votes
            .members
            .iter()
            .all(|m| m.unit.sentence.contains("foreign"))
    );

    assert!(r.groups.len() <= 15, "too many groups: {}", r.groups.len());
}

/// The report `claimscope match` prints on the example corpus with its defaults (the shipped
/// judge and labelling models, through `Pipeline`, which composes them as the CLI does):
/// groups, members, levels, cues, stances, related claims and drift flags. A change to any stage
/// upstream shows here as a reviewable diff (`cargo insta review`).
#[test]
fn example_corpus_report_snapshot() {
    let args = IngestOptions::for_paths(&[
        common::project("examples/election-interference").to_string_lossy()
    ]);
    let docs: Vec<_> = Corpus::open(&args, &Silent)
        .expect("open")
        .map(|d| segment(&d.expect("doc"), SegmentOptions::default()))
        .collect();
    let pipeline = claimscope::pipeline::Pipeline::load(&common::model_spec()).expect("models");
    let r = pipeline.match_documents(&docs, &Silent).expect("match");
    for g in &r.groups {
        // The canonical member states the group's claim by construction, whatever the pair
        // model would read into a negated claim beside itself.
        let first = g.members[0].stance.as_ref().expect("labelled");
        assert_eq!(first.stance, claimscope::classify::Stance::Agree, "{g:?}");
    }
    insta::assert_snapshot!(claimscope::report::table(&r));
}

/// `match --format json` with `args` after the paths, parsed.
fn match_json(paths: &[&str], args: &[&str]) -> serde_json::Value {
    let mut all = vec!["match"];
    all.extend_from_slice(paths);
    all.extend_from_slice(&["--format", "json"]);
    all.extend_from_slice(args);
    let out = common::run_ok(&all);
    serde_json::from_slice(&out.stdout).expect("match JSON")
}

fn groups(v: &serde_json::Value) -> &[serde_json::Value] {
    v["groups"].as_array().map_or(&[], Vec::as_slice)
}

fn member_texts(g: &serde_json::Value) -> Vec<&str> {
    g["members"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter_map(|m| m["text"].as_str())
        .collect()
}

/// A JSONL corpus of `(id, outlet, text)` articles at `path`.
fn write_articles(path: &std::path::Path, articles: &[(&str, &str, &str)]) {
    let jsonl: String = articles
        .iter()
        .map(|(id, outlet, text)| {
            serde_json::json!({"id": id, "outlet": outlet, "text": text}).to_string() + "\n"
        })
        .collect();
    std::fs::write(path, jsonl).expect("write corpus");
}

/// Without a judge the base model's cosine groups, and with the default stance model (the pair
/// model) members are labelled by the member rule, as with a judge: the stance check read them
/// with the pair model, which takes a restatement for `discuss`, and dropped every group ("0
/// groups").
#[test]
fn no_judge_on_the_example_corpus_keeps_the_shared_claims() {
    let example = common::project("examples/election-interference");
    let v = match_json(&[&example.to_string_lossy()], &["--no-judge"]);
    assert!(v["judge"].is_null(), "no judge ran: {}", v["judge"]);
    let gs = groups(&v);
    assert!(!gs.is_empty(), "--no-judge found no group");
    for g in gs {
        let outlets = g["outlets"].as_array().map_or(0, Vec::len);
        assert!(outlets >= 2, "a group spans two outlets: {g}");
        let members = g["members"].as_array().map_or(&[][..], Vec::as_slice);
        assert_eq!(members[0]["stance"]["stance"], "agree", "{g}");
        for m in members {
            let stance = m["stance"]["stance"].as_str().unwrap_or("none");
            // The rule's labels: asserted, or reported at a distance; never a denial.
            assert!(["agree", "discuss"].contains(&stance), "{m}");
            assert_eq!(m["stance"]["probability"], 1.0, "decided by rule: {m}");
        }
    }
    // The Putin claim of the three 2021 articles, in each outlet's words.
    let putin = gs
        .iter()
        .find(|g| {
            member_texts(g)
                .iter()
                .any(|t| t.contains("Putin") && t.contains("authorised"))
        })
        .expect("the Putin group");
    let outlets: Vec<&str> = putin["outlets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o.as_str())
        .collect();
    assert!(outlets.len() >= 3, "{outlets:?}");
    assert!(outlets.contains(&"BBC News"), "{outlets:?}");
    for m in putin["members"].as_array().into_iter().flatten() {
        assert_eq!(
            m["stance"]["stance"], "agree",
            "each outlet asserts it: {m}"
        );
    }
}

/// Three reports of one dam collapse, each with list items ("5.", "6."), lone country names and
/// a numbered line: units that assert nothing must never be group members, while the claim the
/// three share is grouped, with the judge and without.
#[test]
fn list_items_numbers_and_lone_names_are_never_members() {
    let dir = tempfile::tempdir().expect("tempdir");
    let articles = [
        (
            "a",
            "Daily Courier",
            "The Riverside dam collapsed on Tuesday night, flooding three villages downstream.\n\n\
             Engineers had warned for years that the spillway was cracked.\n\n\
             Countries that sent rescue teams:\n\nGermany\n\nItaly\n\nFrance\n\n\
             What we know so far:\n\n5.\n\n6.\n\n7.\n\n2019",
        ),
        (
            "b",
            "Evening Post",
            "Three villages were flooded when the Riverside dam gave way late on Tuesday.\n\n\
             Rescue teams arrived from abroad on Wednesday morning.\n\n\
             Germany\n\nSpain\n\nCanada\n\n5.\n\n6.\n\n7.\n\n2019",
        ),
        (
            "c",
            "River Times",
            "The Riverside dam burst on Tuesday night and water swept through three villages below it.\n\n\
             Residents said they had little warning before the water arrived.\n\n\
             Canada\n\nAustralia\n\nItaly\n\n5.\n\n6.\n\n7.\n\n2019",
        ),
    ];
    let path = dir.path().join("dam.jsonl");
    write_articles(&path, &articles);
    let path = path.to_string_lossy();
    let fragments = [
        "5.",
        "6.",
        "7.",
        "2019",
        "Germany",
        "Italy",
        "France",
        "Spain",
        "Canada",
        "Australia",
    ];
    for args in [&[][..], &["--no-judge"][..]] {
        let v = match_json(&[&path], args);
        let gs = groups(&v);
        for g in gs {
            for t in member_texts(g) {
                assert!(
                    !fragments.contains(&t.trim()),
                    "{args:?}: {t:?}, which asserts nothing, is a member of {g}"
                );
            }
        }
        let dam = gs
            .iter()
            .find(|g| member_texts(g).iter().any(|t| t.contains("Riverside dam")))
            .unwrap_or_else(|| panic!("{args:?}: the dam collapse is not grouped: {v}"));
        assert!(
            dam["outlets"].as_array().map_or(0, Vec::len) >= 2,
            "{args:?}: {dam}"
        );
    }
}

/// A stance check that takes every group away says so: the run would otherwise read as "no
/// claim shared". A claim and its denial in the same words, grouped by a low floor and vetoed.
/// The veto follows the related claims' rule for `disagree`: two reports of one denial, which
/// the pair model reads as denying each other (README, "Members' stance when a judge groups"),
/// are one claim and stay grouped.
#[test]
fn a_stance_check_that_removes_every_group_warns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |name: &str, docs: &[(&str, &str, &str)], veto: bool| {
        let path = dir.path().join(name);
        write_articles(&path, docs);
        let path = path.to_string_lossy().into_owned();
        let mut args = vec!["match", &path, "--no-judge", "--floor", "0.3"];
        if veto {
            args.push("--veto-disagree");
        }
        let out = common::run_ok(&args);
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let denials = [
        (
            "a",
            "Daily Courier",
            "Banksy has not been arrested, his publicist said.",
        ),
        (
            "b",
            "Evening Post",
            "The story of the arrest of Banksy is a hoax, his publicist said.",
        ),
    ];
    for veto in [false, true] {
        let (out, err) = run("denials.jsonl", &denials, veto);
        assert!(out.starts_with("1 group of"), "veto {veto}: {out}");
        assert!(!err.contains("stance check"), "{err}");
    }
    let contrary = [
        (
            "a",
            "Daily Courier",
            "Banksy was arrested in London on Monday, police said.",
        ),
        (
            "b",
            "Evening Post",
            "Banksy was not arrested in London on Monday, police said.",
        ),
    ];
    let (out, err) = run("contrary.jsonl", &contrary, false);
    assert!(
        out.starts_with("1 group of"),
        "grouped without the veto: {out}"
    );
    assert!(!err.contains("stance check"), "{err}");
    let (out, err) = run("contrary.jsonl", &contrary, true);
    assert!(out.starts_with("0 groups"), "{out}");
    assert!(
        err.contains("the stance check removed every group found (1)")
            && err.contains("leaving out --veto-disagree keeps them"),
        "{err}"
    );
}

/// The cells of a Markdown table row as GFM splits them: a backslash escapes the character after
/// it (a backslash or a pipe among them), and an unescaped pipe ends a cell.
fn gfm_cells(row: &str) -> usize {
    let (mut pipes, mut escaped) = (0usize, false);
    for c in row.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '|' => pipes += 1,
            _ => {}
        }
    }
    pipes.saturating_sub(1)
}

/// `match --format markdown` of article text holding terminal escape sequences (ESC, BEL), a
/// pipe, a backslash before a pipe and a line break: no raw control character reaches the
/// report (a `cat` of it would have run them), and every row keeps its six cells.
#[test]
fn markdown_output_escapes_control_characters_and_keeps_its_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let docs = [
        (
            // A backslash before a pipe, in the doc cell.
            "C:\\|a",
            "Daily \u{1b}]0;owned\u{7}Courier",
            "The Riverside dam collapsed on Tuesday night | flooding three villages \
             \u{1b}[31mdownstream\u{1b}[0m.\n\n\
             Engineers had warned for years that the spillway was cracked.",
        ),
        (
            "b",
            "Evening Post",
            "Three villages were flooded when the Riverside dam gave way late on Tuesday night.\n\n\
             Rescue teams arrived from abroad on Wednesday morning.",
        ),
        (
            "c",
            "River Times",
            "The Riverside dam burst on Tuesday night and water swept through three villages \
             below it.\n\nResidents said they had little warning.",
        ),
    ];
    let path = dir.path().join("dam.jsonl");
    write_articles(&path, &docs);
    for format in ["markdown", "md"] {
        let out = common::run_ok(&["match", &path.to_string_lossy(), "--format", format]);
        let md = String::from_utf8(out.stdout).expect("utf-8");
        assert!(
            !md.chars().any(|c| c.is_control() && c != '\n'),
            "a raw control character in: {md:?}"
        );
        let rows: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
        for row in &rows {
            assert_eq!(gfm_cells(row), 6, "a broken row: {row:?}");
        }
        // The escaped sentence is there (else nothing above was tested).
        let courier = rows
            .iter()
            .find(|r| r.contains("Riverside dam collapsed"))
            .unwrap_or_else(|| panic!("the ESC sentence is not in the report: {md}"));
        assert!(
            courier.contains("Daily \\\\u{1b}\\]0;owned\\\\u{7}Courier")
                && courier.contains("night \\| flooding")
                && courier.contains("\\\\u{1b}\\[31mdownstream")
                && courier.contains("| C:\\\\\\|a [0.."),
            "{courier}"
        );
    }
}

/// Four written reports of a study that found prank videos staged: two that report it, one
/// YouTuber who says his video was not staged, a rival study that says they are not.
fn prank_reports(path: &std::path::Path) {
    write_articles(
        path,
        &[
            (
                "a",
                "Daily Post",
                "Prank videos under scrutiny\n\nA large number of YouTube prank videos are \
                 staged, according to a study published on Monday. The researchers watched 500 \
                 popular clips.",
            ),
            (
                "c",
                "Morning Herald",
                "Study: prank videos faked\n\nMany of the most popular prank videos on YouTube \
                 are staged, a study published on Monday found. The study looked at 500 clips.",
            ),
            (
                "b",
                "Evening Star",
                "Prankster defends his clips\n\nOne YouTuber named in the study rejected its \
                 findings. He maintains that the video was not staged. His channel has two \
                 million subscribers.",
            ),
            (
                "d",
                "City Times",
                "Prank study disputed\n\nYouTube prank videos are not staged, a rival study \
                 found on Monday. It looked at 300 clips.",
            ),
        ],
    );
}

/// With a judge, a related claim the stance model reads as a denial is shown as one only if its
/// positive form is the group's claim (`matching/denial_check.rs`): "YouTube prank videos are
/// not staged" denies that prank videos were faked; "He maintains that the video was not
/// staged" speaks of one video, and its positive form is another claim. The pair model reads
/// both as `disagree` (checked here too, so that `discuss` is the check's doing).
#[test]
fn a_denial_needs_its_positive_form_to_be_the_claim() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("pranks.jsonl");
    prank_reports(&path);
    let unrelated_claim = "He maintains that the video was not staged.";
    let denial = "YouTube prank videos are not staged, a rival study found on Monday.";
    let v = match_json(&[path.to_str().expect("utf-8")], &[]);
    let group = groups(&v)
        .iter()
        .find(|g| {
            g["related"].as_array().is_some_and(|r| {
                [unrelated_claim, denial]
                    .iter()
                    .all(|t| r.iter().any(|x| x["text"] == *t))
            })
        })
        .unwrap_or_else(|| panic!("no group lists both as related claims: {v}"));
    let stance_of = |t: &str| -> String {
        let r = group["related"].as_array().expect("related");
        let x = r.iter().find(|x| x["text"] == t).expect("listed");
        x["stance"]["stance"].as_str().expect("stance").to_string()
    };
    assert_eq!(stance_of(denial), "disagree", "{group}");
    assert_eq!(stance_of(unrelated_claim), "discuss", "{group}");
    // The pair model, read alone, calls both denials of the group's claim.
    let claim = group["canonical"]["text"].as_str().expect("canonical");
    let pairs = dir.path().join("pairs.jsonl");
    let lines: String = [unrelated_claim, denial]
        .iter()
        .map(|t| serde_json::json!({"claim": claim, "text": t}).to_string() + "\n")
        .collect();
    std::fs::write(&pairs, lines).expect("pairs");
    let out = common::run_ok(&[
        "classify",
        "--task",
        "stance",
        "--pairs",
        pairs.to_str().expect("utf-8"),
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let labels: Vec<String> = stdout
        .lines()
        .map(|line| {
            let r: serde_json::Value = serde_json::from_str(line).expect("jsonl");
            r["stance"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    assert_eq!(labels, ["disagree", "disagree"], "{stdout}");
}

/// `--split-polarity`: the judge groups "YouTube prank videos are not staged" with "... are
/// staged" (the same words); with the flag no group holds a sentence that negates beside one
/// that does not.
#[test]
fn split_polarity_keeps_a_claim_and_its_denial_apart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("pranks.jsonl");
    prank_reports(&path);
    // Per group: whether a member denies ("not staged"), and whether one asserts ("are staged").
    let sides = |args: &[&str]| -> Vec<(bool, bool)> {
        let v = match_json(&[path.to_str().expect("utf-8")], args);
        groups(&v)
            .iter()
            .map(|g| {
                let texts = member_texts(g);
                (
                    texts.iter().any(|t| t.contains("not staged")),
                    texts.iter().any(|t| t.contains("are staged")),
                )
            })
            .collect()
    };
    let mixed = |gs: &[(bool, bool)]| gs.iter().filter(|&&(d, a)| d && a).count();
    assert!(
        mixed(&sides(&[])) > 0,
        "the judge no longer groups the two: the test needs new texts"
    );
    let split = sides(&["--split-polarity"]);
    assert_eq!(mixed(&split), 0, "{split:?}");
    // The restatements of the study are still one group.
    assert!(split.contains(&(false, true)), "{split:?}");
}
