//! Written rewordings of the labelled train stories' claim groups (`tests/data/devset/rewordings/
//! <story>.jsonl`), extra training sentences for the same-claim judge.
//!
//! The labelled stories give few ways of saying one claim (a group has two or three members,
//! often wire copies of each other), and the judge's misses on dev are mostly the same claim
//! in other words ("Only it's bullshit." / "the story was based on ..."). Each line here is a
//! sentence written, by the guide, as another outlet would put one group's claim (`rewording`,
//! carrying that group's id) or a same-topic sentence with another claim (`near-miss`, no
//! group). Every one goes into a document of its own, so it pairs with every labelled
//! sentence: a rewording as a positive of its group, a near miss as a hard negative.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;

use crate::devset::DevStory;
use crate::error::{Error, Result};

/// One written sentence.
#[derive(Debug, Clone, Deserialize)]
pub struct Rewording {
    pub story: String,
    /// The claim group it states; `None` for a near miss.
    pub group: Option<String>,
    /// The group it was written from.
    pub of: String,
    pub kind: String,
    pub text: String,
    /// Stance toward the story's claim and asserted confidence, by the guide.
    pub stance: String,
    pub confidence: String,
    #[serde(default)]
    pub cues: Vec<String>,
}

/// The rewordings of these stories, by story id, read from `dir/<story>.jsonl`. A story
/// without a file has none; a line that is not a rewording of its story (malformed, another
/// story, a group the story does not have, a rewording without a group) stops the run with
/// its `file:line`, since a wrong group id would teach the judge a wrong pair.
pub fn load(dir: &Path, stories: &[&DevStory]) -> Result<HashMap<String, Vec<Rewording>>> {
    if !dir.is_dir() {
        return Err(Error::Input(format!(
            "--rewordings {}: not a folder (it holds <story>.jsonl files; the shipped set is tests/data/devset/rewordings)",
            dir.display()
        )));
    }
    let mut out = HashMap::new();
    for story in stories {
        let id = &story.meta.story;
        let path = dir.join(format!("{id}.jsonl"));
        if !path.exists() {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let groups: HashSet<&str> = story
            .sentences
            .iter()
            .filter_map(|s| s.group.as_deref())
            .collect();
        let mut rows = Vec::new();
        // A byte-order mark opens the file, not its first line.
        for (n, line) in text.trim_start_matches('\u{feff}').lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let at = format!("{}:{}", path.display(), n + 1);
            let r: Rewording = serde_json::from_str(line)
                .map_err(|e| Error::Input(format!("{at}: not a rewording line ({e})")))?;
            if &r.story != id {
                return Err(Error::Input(format!(
                    "{at}: \"story\" is {:?}, but the file is {id:?}'s",
                    r.story
                )));
            }
            if r.text.trim().is_empty() {
                return Err(Error::Input(format!("{at}: empty \"text\"")));
            }
            match (r.kind.as_str(), r.group.as_deref()) {
                ("rewording", Some(g)) if !groups.contains(g) => {
                    return Err(Error::Input(format!(
                        "{at}: group {g:?} is not a claim group of {id:?} (its groups: {})",
                        sorted(&groups)
                    )));
                }
                ("rewording", None) => {
                    return Err(Error::Input(format!(
                        "{at}: a rewording needs the \"group\" it states"
                    )));
                }
                ("near-miss", Some(g)) => {
                    return Err(Error::Input(format!(
                        "{at}: a near miss states another claim than group {g:?}: its \"group\" is null"
                    )));
                }
                ("rewording", Some(_)) | ("near-miss", None) => {}
                (k, _) => {
                    return Err(Error::Input(format!(
                        "{at}: \"kind\" is {k:?}; it is \"rewording\" or \"near-miss\""
                    )));
                }
            }
            rows.push(r);
        }
        out.insert(id.clone(), rows);
    }
    if out.is_empty() {
        return Err(Error::Input(format!(
            "--rewordings {}: no <story>.jsonl file for any of the {} stories trained on (the shipped set is tests/data/devset/rewordings)",
            dir.display(),
            stories.len()
        )));
    }
    Ok(out)
}

/// A digest of the lines as read (story, group, kind, text): what a model card records, so
/// that two runs on different labels of the same texts are told apart.
pub fn digest<'a>(rows: impl IntoIterator<Item = &'a Rewording>) -> String {
    use sha2::Digest as _;
    let mut d = sha2::Sha256::new();
    for r in rows {
        let line = serde_json::json!([r.story, r.group, r.kind, r.text]).to_string();
        d.update(line.as_bytes());
        d.update(b"\n");
    }
    hex::encode(d.finalize())
}

fn sorted(groups: &HashSet<&str>) -> String {
    let mut g: Vec<&str> = groups.iter().copied().collect();
    g.sort_unstable();
    g.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devset::{Labelled, StoryMeta};
    use crate::judge::LabelledStory;

    fn sentence(doc: &str, text: &str, group: Option<&str>) -> Labelled {
        Labelled {
            story: "banksy".into(),
            doc: doc.into(),
            start: 0,
            end: text.len(),
            text: text.into(),
            group: group.map(Into::into),
            stance: "agree".into(),
            confidence: "high".into(),
            cues: Vec::new(),
        }
    }

    fn story() -> DevStory {
        DevStory {
            meta: StoryMeta {
                story: "banksy".into(),
                split: "train".into(),
                claim: "Banksy was arrested.".into(),
            },
            documents: Vec::new(),
            sentences: vec![
                sentence("d1", "Banksy was arrested in London.", Some("A")),
                sentence("d2", "Police detained the street artist.", Some("A")),
                sentence("d2", "The story is a hoax.", Some("H")),
                sentence("d3", "It was a satire site.", Some("H")),
            ],
        }
    }

    fn line(group: Option<&str>, kind: &str, text: &str) -> String {
        serde_json::json!({"story": "banksy", "group": group, "of": "A", "kind": kind,
            "text": text, "stance": "agree", "confidence": "high", "cues": []})
        .to_string()
    }

    #[test]
    fn rewordings_join_their_group_and_near_misses_join_none() {
        let dir = tempfile::tempdir().unwrap();
        let rows = [
            line(
                Some("H"),
                "rewording",
                "There is no truth to the arrest report.",
            ),
            line(None, "near-miss", "Banksy unveiled a new mural in Bristol."),
            line(Some("H"), "rewording", "The arrest story was made up."),
        ];
        std::fs::write(dir.path().join("banksy.jsonl"), rows.join("\n") + "\n\n").unwrap();
        let story = story();
        let loaded = load(dir.path(), &[&story]).unwrap();
        let extra = &loaded["banksy"];
        assert_eq!(extra.len(), 3, "the blank line is not a record");
        let base = LabelledStory::of(&story);
        let with = base.with_rewordings(&story, extra).unwrap();
        assert_eq!(with.texts.len(), 7);
        // Each written sentence is a document of its own, after the labelled ones.
        assert_eq!(&with.doc[4..], &[3, 4, 5]);
        assert_eq!(with.group[4], with.group[2], "a rewording of H is in H");
        assert_eq!(with.group[5], None, "a near miss is in no group");
        assert_eq!(with.group[6], with.group[2]);
        assert_ne!(with.group[4], with.group[0]);
        // H had one cross-document pair; each rewording pairs with both members and with
        // the other rewording: 1 + 2 + 2 + 1.
        assert_eq!(base.positives(), 2);
        assert_eq!(with.positives(), 2 + 5);
    }

    #[test]
    fn a_line_naming_a_group_the_story_lacks_is_refused_with_its_place() {
        let dir = tempfile::tempdir().unwrap();
        let rows = [
            line(Some("A"), "rewording", "Police detained him."),
            line(Some("Z"), "rewording", "Banksy was held."),
        ];
        std::fs::write(dir.path().join("banksy.jsonl"), rows.join("\n")).unwrap();
        let story = story();
        let err = load(dir.path(), &[&story]).unwrap_err().to_string();
        assert!(err.contains("banksy.jsonl:2"), "{err}");
        assert!(err.contains("\"Z\"") && err.contains("A, H"), "{err}");
        for (bad, says) in [
            (line(None, "rewording", "x"), "needs the \"group\""),
            (line(Some("A"), "near-miss", "x"), "its \"group\" is null"),
            (line(Some("A"), "paraphrase", "x"), "\"paraphrase\""),
            (line(Some("A"), "rewording", " "), "empty \"text\""),
            ("{\"story\": 1}".to_string(), "not a rewording line"),
        ] {
            std::fs::write(dir.path().join("banksy.jsonl"), &bad).unwrap();
            let err = load(dir.path(), &[&story]).unwrap_err().to_string();
            assert!(
                err.contains(says) && err.contains("banksy.jsonl:1"),
                "{err}"
            );
        }
        assert!(
            load(&dir.path().join("missing"), &[&story])
                .unwrap_err()
                .to_string()
                .contains("not a folder")
        );
        // A folder with no file for any story trained on is a wrong folder, not "no rewordings".
        let empty = tempfile::tempdir().unwrap();
        let err = load(empty.path(), &[&story]).unwrap_err().to_string();
        assert!(err.contains("no <story>.jsonl file"), "{err}");
    }

    #[test]
    fn a_rewording_of_a_missing_group_is_refused_and_labels_change_the_digest() {
        let story = story();
        let row = |group: Option<&str>, kind: &str| -> Rewording {
            serde_json::from_str(&line(group, kind, "Banksy was held.")).unwrap()
        };
        let err = LabelledStory::of(&story)
            .with_rewordings(&story, &[row(Some("Z"), "rewording")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("no group \"Z\""), "{err}");
        let (a, n) = (row(Some("A"), "rewording"), row(None, "near-miss"));
        assert_ne!(digest([&a]), digest([&n]), "same text, other label");
        assert_ne!(
            digest([&a, &n]),
            digest([&n, &a]),
            "the order is part of the data"
        );
    }
}
