//! The stance datasets, read and embedded: Emergent (claim + headline; for/against/observing =
//! agree/disagree/discuss, plus `unrelated` pairs made by pairing each headline with another
//! claim, as FNC-1 did) and FNC-1 (headline + body, the body reduced to its three sentences
//! closest to the headline).
//!
//! Training and evaluation both start from a `PairSet` built here, so the two read the data
//! one way; the runtime classifier (`super`) never needs this module.

use std::collections::HashMap;
use std::path::Path;

use ndarray::{Array1, Array2};
use rand::SeedableRng;
use rand::seq::IndexedRandom;

use super::{Stance, features};
use crate::embed::{Embedder, TextVectors};
use crate::error::{Error, Result};
use crate::observe::Observer;

/// Body sentences kept per FNC-1 body: enough to catch "X denied it" a few sentences down.
const BODY_SENTENCES: usize = 3;

/// A labelled (claim, text) pair; `text` may be a reduced article body.
#[derive(Debug, Clone)]
pub struct LabelledPair {
    pub claim: String,
    pub text: String,
    pub label: Stance,
    /// Group for validation splits and unrelated sampling (Emergent claim id / FNC-1 body id).
    pub group: String,
}

fn csv_reader(path: &Path) -> Result<csv::Reader<std::fs::File>> {
    csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .map_err(|e| Error::Input(format!("{}: {e}", path.display())))
}

fn column(headers: &csv::StringRecord, name: &str, path: &Path) -> Result<usize> {
    headers.iter().position(|h| h == name).ok_or_else(|| {
        Error::Input(format!(
            "{}: no column {name:?} (columns: {})",
            path.display(),
            headers.iter().collect::<Vec<_>>().join(", ")
        ))
    })
}

/// Emergent's for/against/observing or FNC-1's own names.
fn label_of(raw: &str, path: &Path, line: u64) -> Result<Stance> {
    match raw.trim() {
        "for" | "agree" => Ok(Stance::Agree),
        "against" | "disagree" => Ok(Stance::Disagree),
        "observing" | "discuss" => Ok(Stance::Discuss),
        "unrelated" => Ok(Stance::Unrelated),
        other => Err(Error::Input(format!(
            "{}:{line}: unknown stance label {other:?} (expected for/against/observing or agree/disagree/discuss/unrelated)",
            path.display()
        ))),
    }
}

/// Labelled pairs of the user's own: JSONL, one `{"claim", "text", "label"}` per line
/// (`label` one of agree/disagree/discuss/unrelated; other fields ignored). Blank lines are
/// skipped; anything else that is not such a record stops with its `file:line`.
pub fn load_pairs_jsonl(path: &Path) -> Result<Vec<LabelledPair>> {
    #[derive(serde::Deserialize)]
    struct Row {
        claim: String,
        text: String,
        label: String,
    }
    let rows: Vec<(usize, Row)> =
        crate::input::read_jsonl(path, " (expected {\"claim\", \"text\", \"label\"})")?;
    rows.into_iter()
        .map(|(line, row)| {
            let at = format!("{}:{line}", path.display());
            let label = Stance::parse(row.label.trim()).ok_or_else(|| {
                Error::Input(format!(
                    "{at}: label {:?} is not one of agree, disagree, discuss, unrelated",
                    row.label
                ))
            })?;
            if row.claim.trim().is_empty() || row.text.trim().is_empty() {
                return Err(Error::Input(format!(
                    "{at}: empty claim or text; a pair needs both"
                )));
            }
            Ok(LabelledPair {
                claim: row.claim,
                text: row.text,
                label,
                group: format!("extra:{line}"),
            })
        })
        .collect()
}

/// The labelled pairs again toward their claims denied, with `agree` and `disagree` swapped:
/// to teach the pair model that an assertion and a denial of one proposition in the same words
/// take opposite sides (it reads "Banksy was not arrested" as close to "Banksy was arrested",
/// both about the claim, and calls many denials `discuss` or `unrelated`). `discuss` and
/// `unrelated` stay (raising or ignoring a proposition does the same to its denial), so the
/// model cannot learn "a negated claim means a side". Only claims of one auxiliary, denied by
/// rule (`judge::negate::deny`), so the "not" covers the whole claim; each pair once.
///
/// The sentences themselves are not flipped: read on the 20-story recipe's sentences, about
/// half of the `agree` sentences denied by the same rule put the "not" on a side proposition
/// ("The other five victims have not been identified", "TMZ has not learned"), and most
/// `disagree` sentences made positive keep a second denial ("denied the report ... Reports of
/// Judd Nelson's death are accurate", "This is the first death hoax"). News sentences carry
/// many clauses; the written claims carry one.
pub fn toward_denied_claims(pairs: &[LabelledPair]) -> Vec<LabelledPair> {
    use crate::judge::negate;
    let mut denied_claims: HashMap<&str, Option<String>> = HashMap::new();
    let mut out = Vec::new();
    for p in pairs {
        let denied = denied_claims.entry(p.claim.as_str()).or_insert_with(|| {
            (negate::auxiliary_count(&p.claim) == 1)
                .then(|| negate::deny(&p.claim))
                .flatten()
        });
        let Some(claim) = denied else {
            continue;
        };
        let label = match p.label {
            Stance::Agree => Stance::Disagree,
            Stance::Disagree => Stance::Agree,
            other => other,
        };
        out.push(LabelledPair {
            claim: claim.clone(),
            text: p.text.clone(),
            label,
            group: p.group.clone(),
        });
    }
    out
}

/// Emergent's `url-versions-2015-06-14-clean-{split}.csv`.
pub fn load_emergent(dir: &Path, split: &str) -> Result<Vec<LabelledPair>> {
    let path = dir.join(format!("url-versions-2015-06-14-clean-{split}.csv"));
    let mut rdr = csv_reader(&path)?;
    let h = rdr
        .headers()
        .map_err(|e| Error::Input(format!("{}: {e}", path.display())))?
        .clone();
    let (ci, hi, si, ki) = (
        column(&h, "claimHeadline", &path)?,
        column(&h, "articleHeadline", &path)?,
        column(&h, "articleHeadlineStance", &path)?,
        column(&h, "claimId", &path)?,
    );
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| Error::Input(format!("{}: {e}", path.display())))?;
        let line = rec.position().map_or(0, |p| p.line());
        let get = |i: usize| rec.get(i).unwrap_or("").to_string();
        out.push(LabelledPair {
            claim: get(ci),
            text: get(hi),
            label: label_of(&get(si), &path, line)?,
            group: get(ki),
        });
    }
    Ok(out)
}

/// `unrelated` pairs for Emergent. FNC-1 paired headlines with random other stories, which
/// teaches only "another topic is unrelated"; a corpus about one event needs "same topic,
/// another claim is unrelated" too. So each headline gets one random other claim and its
/// nearest other claim by cosine (a hard negative).
pub fn add_unrelated(embedder: &Embedder, pairs: &mut Vec<LabelledPair>, seed: u64) -> Result<()> {
    let mut claims: Vec<(String, String)> = pairs
        .iter()
        .map(|p| (p.group.clone(), p.claim.clone()))
        .collect();
    claims.sort();
    claims.dedup();
    if claims.len() < 2 {
        return Ok(());
    }
    let claim_texts: Vec<&str> = claims.iter().map(|c| c.1.as_str()).collect();
    let cv = embedder.embed(&claim_texts)?.vectors;
    let heads: Vec<&str> = pairs.iter().map(|p| p.text.as_str()).collect();
    let hv = embedder.embed(&heads)?.vectors;
    let sims = hv.dot(&cv.t());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut extra = Vec::new();
    for (i, p) in pairs.iter().enumerate() {
        let other = |j: usize| claims[j].0 != p.group;
        let nearest = sims
            .row(i)
            .iter()
            .enumerate()
            .filter(|&(j, _)| other(j))
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(j, _)| j);
        let random = (0..8)
            .filter_map(|_| {
                (0..claims.len())
                    .collect::<Vec<_>>()
                    .choose(&mut rng)
                    .copied()
            })
            .find(|&j| other(j));
        for j in [random, nearest].into_iter().flatten() {
            extra.push(LabelledPair {
                claim: claims[j].1.clone(),
                text: p.text.clone(),
                label: Stance::Unrelated,
                group: p.group.clone(),
            });
        }
    }
    pairs.extend(extra);
    Ok(())
}

/// FNC-1 (headline, Body ID, label) rows.
pub type Fnc1Rows = Vec<(String, String, Stance)>;

/// FNC-1 stances of a split with their bodies: `train` (the reconstructed train stances) or
/// `test` (the competition test set).
pub fn load_fnc1(dir: &Path, split: &str) -> Result<(Fnc1Rows, HashMap<String, String>)> {
    let (stances, bodies) = match split {
        "train" => ("train_stances.reconstructed.csv", "train_bodies.csv"),
        "test" => (
            "competition_test_stances.csv",
            "competition_test_bodies.csv",
        ),
        other => {
            return Err(Error::Input(format!(
                "FNC-1 split {other:?}: train or test"
            )));
        }
    };
    let bpath = dir.join(bodies);
    let mut rdr = csv_reader(&bpath)?;
    let h = rdr
        .headers()
        .map_err(|e| Error::Input(format!("{}: {e}", bpath.display())))?
        .clone();
    let (ii, bi) = (
        column(&h, "Body ID", &bpath)?,
        column(&h, "articleBody", &bpath)?,
    );
    let mut body = HashMap::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| Error::Input(format!("{}: {e}", bpath.display())))?;
        body.insert(
            rec.get(ii).unwrap_or("").to_string(),
            rec.get(bi).unwrap_or("").to_string(),
        );
    }
    let spath = dir.join(stances);
    let mut rdr = csv_reader(&spath)?;
    let h = rdr
        .headers()
        .map_err(|e| Error::Input(format!("{}: {e}", spath.display())))?
        .clone();
    let (hi, ii, si) = (
        column(&h, "Headline", &spath)?,
        column(&h, "Body ID", &spath)?,
        column(&h, "Stance", &spath)?,
    );
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| Error::Input(format!("{}: {e}", spath.display())))?;
        let line = rec.position().map_or(0, |p| p.line());
        let id = rec.get(ii).unwrap_or("").to_string();
        if !body.contains_key(&id) {
            return Err(Error::Input(format!(
                "{}:{line}: Body ID {id} is not in {}",
                spath.display(),
                bpath.display()
            )));
        }
        rows.push((
            rec.get(hi).unwrap_or("").to_string(),
            id,
            label_of(rec.get(si).unwrap_or(""), &spath, line)?,
        ));
    }
    Ok((rows, body))
}

/// Sentences of an article body (the project's own segmenter).
fn body_sentences(id: &str, text: &str) -> Vec<String> {
    let doc = crate::ingest::Document::from_text(id, text);
    let seg = crate::segment::segment(&doc, crate::segment::SegmentOptions::default());
    let mut out: Vec<String> = seg.sentences.into_iter().map(|s| s.text).collect();
    if out.is_empty() {
        out.push(text.trim().to_string());
    }
    out
}

/// Pair tensors ready for the head.
pub struct PairSet {
    pub claims: Vec<String>,
    pub texts: Vec<String>,
    pub u: Array2<f32>,
    pub v: Array2<f32>,
    pub labels: Vec<Stance>,
    pub groups: Vec<String>,
    /// FNC-1: the body sentences each text joins (closest to the headline first); empty for
    /// sentence pairs.
    pub parts: Vec<Vec<String>>,
}

impl PairSet {
    pub fn features(&self) -> Array2<f32> {
        features(
            &self.claim_refs(),
            &self.text_refs(),
            self.u.view(),
            self.v.view(),
        )
    }

    pub(crate) fn claim_refs(&self) -> Vec<&str> {
        self.claims.iter().map(String::as_str).collect()
    }

    pub(crate) fn text_refs(&self) -> Vec<&str> {
        self.texts.iter().map(String::as_str).collect()
    }

    pub(crate) fn len(&self) -> usize {
        self.labels.len()
    }
}

/// Sentence pairs (Emergent) embedded.
pub fn embed_pairs(
    embedder: &Embedder,
    pairs: &[LabelledPair],
    observer: &dyn Observer,
) -> Result<PairSet> {
    let table = TextVectors::build(
        embedder,
        pairs
            .iter()
            .flat_map(|p| [p.claim.as_str(), p.text.as_str()]),
        "sentences",
        observer,
    )?;
    let d = embedder.dim();
    let mut u = Array2::zeros((pairs.len(), d));
    let mut v = Array2::zeros((pairs.len(), d));
    for (i, p) in pairs.iter().enumerate() {
        u.row_mut(i).assign(&table.get(&p.claim)?);
        v.row_mut(i).assign(&table.get(&p.text)?);
    }
    Ok(PairSet {
        claims: pairs.iter().map(|p| p.claim.clone()).collect(),
        texts: pairs.iter().map(|p| p.text.clone()).collect(),
        u,
        v,
        labels: pairs.iter().map(|p| p.label).collect(),
        groups: pairs.iter().map(|p| p.group.clone()).collect(),
        parts: Vec::new(),
    })
}

/// FNC-1 (headline, body) pairs: each body reduced to its `BODY_SENTENCES` sentences closest to
/// the headline; their mean vector (renormalised) and their text stand for the body.
pub fn embed_fnc1(
    embedder: &Embedder,
    rows: &[(String, String, Stance)],
    bodies: &HashMap<String, String>,
    observer: &dyn Observer,
) -> Result<PairSet> {
    let mut ids: Vec<&String> = rows.iter().map(|r| &r.1).collect();
    ids.sort();
    ids.dedup();
    let sentences: HashMap<&String, Vec<String>> = ids
        .iter()
        .map(|&id| {
            (
                id,
                body_sentences(id, bodies.get(id).map_or("", String::as_str)),
            )
        })
        .collect();
    let table = TextVectors::build(
        embedder,
        rows.iter()
            .map(|r| r.0.as_str())
            .chain(sentences.values().flatten().map(String::as_str)),
        "headlines and body sentences",
        observer,
    )?;
    let d = embedder.dim();
    let n = rows.len();
    let mut u = Array2::zeros((n, d));
    let mut v = Array2::zeros((n, d));
    let mut texts = Vec::with_capacity(n);
    let mut parts = Vec::with_capacity(n);
    for (i, (headline, id, _)) in rows.iter().enumerate() {
        let h = table.get(headline)?;
        u.row_mut(i).assign(&h);
        let sents = sentences.get(id).map_or(&[][..], Vec::as_slice);
        let mut scored: Vec<(f32, &String)> = sents
            .iter()
            .map(|s| Ok((table.get(s)?.dot(&h), s)))
            .collect::<Result<_>>()?;
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored.truncate(BODY_SENTENCES);
        let mut mean = Array1::<f32>::zeros(d);
        for (_, s) in &scored {
            mean += &table.get(s)?;
        }
        let norm = mean.dot(&mean).sqrt().max(1e-12);
        v.row_mut(i).assign(&(mean / norm));
        texts.push(
            scored
                .iter()
                .map(|(_, s)| s.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        );
        parts.push(scored.iter().map(|(_, s)| s.to_string()).collect());
    }
    Ok(PairSet {
        claims: rows.iter().map(|r| r.0.clone()).collect(),
        texts,
        u,
        v,
        labels: rows.iter().map(|r| r.2).collect(),
        groups: rows.iter().map(|r| format!("fnc1:{}", r.1)).collect(),
        parts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_toward_a_denied_claim_swap_sides_and_keep_the_rest() {
        let pair = |claim: &str, text: &str, label| LabelledPair {
            claim: claim.into(),
            text: text.into(),
            label,
            group: "g".into(),
        };
        let claim = "Banksy was arrested by London police.";
        let pairs = [
            pair(
                claim,
                "Police said Banksy was arrested on Monday.",
                Stance::Agree,
            ),
            pair(claim, "The story is a hoax.", Stance::Disagree),
            pair(claim, "Reports claim he was arrested.", Stance::Discuss),
            pair(claim, "Bristol is a city.", Stance::Unrelated),
        ];
        let flipped = toward_denied_claims(&pairs);
        let denied = "Banksy was not arrested by London police.";
        assert!(flipped.iter().all(|p| p.claim == denied));
        assert_eq!(
            flipped.iter().map(|p| p.label).collect::<Vec<_>>(),
            [
                Stance::Disagree,
                Stance::Agree,
                Stance::Discuss,
                Stance::Unrelated
            ]
        );
        assert!(flipped.iter().zip(&pairs).all(|(f, p)| f.text == p.text));
        // A claim of two propositions is not denied as a whole by one "not", and a claim that
        // already negates is left alone.
        for claim in [
            "Banksy was arrested and his identity was revealed.",
            "Banksy was not arrested.",
        ] {
            let pairs = [pair(claim, "The story is a hoax.", Stance::Disagree)];
            assert!(toward_denied_claims(&pairs).is_empty(), "{claim}");
        }
    }

    #[test]
    fn own_pairs_are_read_and_bad_lines_named() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("pairs.jsonl");
        let good = "{\"claim\":\"Banksy was arrested\",\"text\":\"He was not arrested.\",\"label\":\"disagree\",\"source\":\"x\"}\n\n\
                    {\"claim\":\"Banksy was arrested\",\"text\":\"Police held him.\",\"label\":\"agree\"}\n";
        std::fs::write(&path, good).expect("write");
        let pairs = load_pairs_jsonl(&path).expect("reads");
        assert_eq!(pairs.len(), 2);
        assert_eq!(pairs[0].label, Stance::Disagree);
        assert_eq!(pairs[1].label, Stance::Agree);
        for (bad, says) in [
            (
                "{\"claim\":\"c\",\"text\":\"t\",\"label\":\"refutes\"}",
                "is not one of",
            ),
            ("{\"claim\":\"c\",\"text\":\"t\"}", "expected {\"claim\""),
            (
                "{\"claim\":\"c\",\"text\":\" \",\"label\":\"agree\"}",
                "empty claim or text",
            ),
            (
                "{\"claim\":\"c\",\"text\":\"t",
                "a JSONL record is one line",
            ),
        ] {
            std::fs::write(&path, format!("{good}{bad}\n")).expect("write");
            let err = load_pairs_jsonl(&path).expect_err(bad).to_string();
            assert!(
                err.contains("pairs.jsonl:4:") && err.contains(says),
                "{err}"
            );
        }
    }
}
