//! Stance of a text toward a claim: agree / disagree / discuss / unrelated.
//!
//! Features of a (claim, text) pair: the embeddings [u, v, |u-v|, u*v] (Conneau et al. 2017)
//! plus cheap lexical evidence the embedding blurs: refutation words ("denied", "hoax",
//! "baseless"), negation on either side and whether it differs, attribution/rumour words
//! ("reportedly", "according to", "claims"), a question mark, overlap of names, numbers and
//! content words. Cosine says "same topic"; these say "same side".
//!
//! Training data: Emergent (claim + headline; for/against/observing = agree/disagree/discuss,
//! plus `unrelated` pairs made by pairing each headline with another claim, as FNC-1 did) and
//! FNC-1 (headline + body, the body reduced to its three sentences closest to the headline).

use std::collections::HashMap;
use std::path::Path;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, s};
use rand::SeedableRng;
use rand::seq::{IndexedRandom, SliceRandom};
use serde::Serialize;

use super::cues;
use super::head::{self, Head, HeadMeta, TrainConfig, TrainReport};
use crate::embed::ModelId;
use crate::embed::{Embedder, TextVectors};
use crate::error::{Error, Result};
use crate::observe::Observer;

pub const TASK: &str = "stance";
pub const FEATURES: &str = "stance-v1: [u, v, |u-v|, u*v] + 12 lexical features";
pub const LABELS: [&str; 4] = ["agree", "disagree", "discuss", "unrelated"];
const AGREE: usize = 0;
const DISAGREE: usize = 1;
const DISCUSS: usize = 2;
const UNRELATED: usize = 3;
const EXTRA: usize = 12;
/// Body sentences kept per FNC-1 body: enough to catch "X denied it" a few sentences down.
const BODY_SENTENCES: usize = 3;

const REFUTING: &[&str] = &[
    "deny",
    "denies",
    "denied",
    "denial",
    "false",
    "fake",
    "hoax",
    "debunk",
    "debunked",
    "debunks",
    "refute",
    "refuted",
    "refutes",
    "baseless",
    "untrue",
    "rejected",
    "rejects",
    "dismissed",
    "dismisses",
    "myth",
    "misleading",
    "fabricated",
    "nonsense",
    "incorrect",
    "wrong",
    "disputed",
    "disputes",
    "contrary",
    "retracted",
    "satire",
    "bogus",
    "rubbish",
];

const ATTRIBUTING: &[&str] = &[
    "reportedly",
    "allegedly",
    "alleged",
    "according",
    "claims",
    "claimed",
    "claim",
    "said",
    "says",
    "report",
    "reports",
    "reported",
    "sources",
    "source",
    "rumor",
    "rumors",
    "rumour",
    "rumours",
    "may",
    "might",
    "could",
    "unconfirmed",
    "purportedly",
    "apparently",
    "appears",
    "suggests",
    "possibly",
    "speculation",
    "unverified",
];

const STOP: &[&str] = &[
    "the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "with", "that", "this", "is",
    "are", "was", "were", "be", "been", "it", "its", "as", "at", "by", "from", "has", "have",
    "had", "will", "would", "after", "over", "into", "about", "than", "but", "not", "his", "her",
    "their", "they", "he", "she", "who", "which", "what",
];

fn lower_words(s: &str) -> Vec<String> {
    let l = s.to_lowercase();
    cues::words(&l)
        .into_iter()
        .map(|(a, b)| l[a..b].to_string())
        .collect()
}

fn count_in(words: &[String], list: &[&str]) -> f32 {
    words.iter().filter(|w| list.contains(&w.as_str())).count() as f32
}

fn content(words: &[String]) -> std::collections::HashSet<&str> {
    words
        .iter()
        .map(String::as_str)
        .filter(|w| w.len() > 2 && !STOP.contains(w))
        .collect()
}

/// The 12 lexical features of a pair (`cos` from normalised embeddings).
fn lexical(claim: &str, text: &str, cos: f32, out: &mut [f32]) {
    let (cw, tw) = (lower_words(claim), lower_words(text));
    let neg_c = cues::count_negations(claim) as f32;
    let neg_t = cues::count_negations(text) as f32;
    let (cc, tc) = (content(&cw), content(&tw));
    let inter = cc.intersection(&tc).count() as f32;
    let union = cc.union(&tc).count().max(1) as f32;
    let pair = crate::pair::features(cos, claim, text);
    out[0] = cos;
    out[1] = count_in(&tw, REFUTING);
    out[2] = neg_t;
    out[3] = neg_c;
    out[4] = f32::from((neg_t > 0.0) != (neg_c > 0.0));
    out[5] = count_in(&tw, ATTRIBUTING);
    out[6] = f32::from(text.contains('?'));
    out[7] = pair[2] as f32;
    out[8] = pair[3] as f32;
    out[9] = pair[4] as f32;
    out[10] = inter / union;
    out[11] = inter / cc.len().max(1) as f32;
}

/// Feature rows of pairs: `u` claim vectors, `v` text vectors (normalised), row i with row i.
pub fn features(
    claims: &[&str],
    texts: &[&str],
    u: ArrayView2<f32>,
    v: ArrayView2<f32>,
) -> Array2<f32> {
    let (n, d) = u.dim();
    let mut x = Array2::zeros((n, 4 * d + EXTRA));
    for i in 0..n {
        let (a, b) = (u.row(i), v.row(i));
        let mut row = x.row_mut(i);
        row.slice_mut(s![..d]).assign(&a);
        row.slice_mut(s![d..2 * d]).assign(&b);
        row.slice_mut(s![2 * d..3 * d])
            .assign(&(&a - &b).mapv(f32::abs));
        row.slice_mut(s![3 * d..4 * d]).assign(&(&a * &b));
        let cos = a.dot(&b);
        if let Some(extra) = row.as_slice_mut() {
            lexical(claims[i], texts[i], cos, &mut extra[4 * d..]);
        }
    }
    x
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct StanceScores {
    pub agree: f32,
    pub disagree: f32,
    pub discuss: f32,
    pub unrelated: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct StanceLabel {
    pub stance: &'static str,
    pub scores: StanceScores,
}

impl StanceLabel {
    fn from_probs(p: ArrayView1<f32>) -> Self {
        StanceLabel {
            stance: LABELS[head::argmax(p)],
            scores: StanceScores {
                agree: p[AGREE],
                disagree: p[DISAGREE],
                discuss: p[DISCUSS],
                unrelated: p[UNRELATED],
            },
        }
    }

    pub fn related(&self) -> bool {
        self.stance != LABELS[UNRELATED]
    }
}

pub struct StanceClassifier {
    head: Head,
    guard: bool,
}

impl StanceClassifier {
    pub fn load(path: &Path, model: &ModelId) -> Result<Self> {
        let head = Head::load(path)?;
        head.check(path, TASK, FEATURES, model)?;
        if head.labels() != LABELS {
            return Err(Error::Model(format!(
                "{}: labels {:?}, expected {LABELS:?}",
                path.display(),
                head.labels()
            )));
        }
        Ok(StanceClassifier { head, guard: true })
    }

    pub fn head(&self) -> &Head {
        &self.head
    }

    /// Class probabilities, with `disagree` guarded: a text with no refutation or negation word
    /// cannot deny anything, whatever the embedding says. Heads trained on headlines and FNC-1
    /// bodies otherwise call long on-topic sentences "disagree" because they differ from the
    /// claim (see the README's stance section for the effect on the test figures).
    pub fn probabilities(
        &self,
        claims: &[&str],
        texts: &[&str],
        u: ArrayView2<f32>,
        v: ArrayView2<f32>,
    ) -> Result<Array2<f32>> {
        let x = features(claims, texts, u, v);
        let mut p = self.head.predict_proba(x.view())?;
        if self.guard {
            let d = u.ncols();
            for (mut row, xr) in p.rows_mut().into_iter().zip(x.rows()) {
                let evidence = xr[4 * d + 1] + xr[4 * d + 2];
                if evidence == 0.0 {
                    row[DISAGREE] = 0.0;
                    let sum = row.sum().max(1e-12);
                    row.mapv_inplace(|q| q / sum);
                }
            }
        }
        Ok(p)
    }

    /// Turn the `disagree` guard off (to measure the head alone).
    pub fn unguarded(mut self) -> Self {
        self.guard = false;
        self
    }

    /// Stance of each text (rows of `v`) toward its claim (rows of `u`).
    pub fn classify(
        &self,
        claims: &[&str],
        texts: &[&str],
        u: ArrayView2<f32>,
        v: ArrayView2<f32>,
    ) -> Result<Vec<StanceLabel>> {
        let p = self.probabilities(claims, texts, u, v)?;
        Ok(p.rows().into_iter().map(StanceLabel::from_probs).collect())
    }

    /// Stance of many texts toward one claim.
    pub fn toward(
        &self,
        claim: &str,
        claim_vec: ArrayView1<f32>,
        texts: &[&str],
        v: ArrayView2<f32>,
    ) -> Result<Vec<StanceLabel>> {
        let n = texts.len();
        let mut u = Array2::zeros((n, claim_vec.len()));
        u.rows_mut()
            .into_iter()
            .for_each(|mut r| r.assign(&claim_vec));
        let claims = vec![claim; n];
        self.classify(&claims, texts, u.view(), v)
    }
}

/// A labelled (claim, text) pair; `text` may be a reduced article body.
#[derive(Debug, Clone)]
pub struct LabelledPair {
    pub claim: String,
    pub text: String,
    pub label: usize,
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

fn label_index(raw: &str, path: &Path, line: u64) -> Result<usize> {
    match raw.trim() {
        "for" | "agree" => Ok(AGREE),
        "against" | "disagree" => Ok(DISAGREE),
        "observing" | "discuss" => Ok(DISCUSS),
        "unrelated" => Ok(UNRELATED),
        other => Err(Error::Input(format!(
            "{}:{line}: unknown stance label {other:?} (expected for/against/observing or agree/disagree/discuss/unrelated)",
            path.display()
        ))),
    }
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
            label: label_index(&get(si), &path, line)?,
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
                label: UNRELATED,
                group: p.group.clone(),
            });
        }
    }
    pairs.extend(extra);
    Ok(())
}

/// FNC-1 (headline, Body ID, label) rows.
pub type Fnc1Rows = Vec<(String, String, usize)>;

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
            label_index(rec.get(si).unwrap_or(""), &spath, line)?,
        ));
    }
    Ok((rows, body))
}

/// Sentences of an article body (the project's own segmenter).
fn body_sentences(id: &str, text: &str) -> Vec<String> {
    let doc = crate::ingest::Document {
        id: id.to_string(),
        source: id.to_string(),
        outlet: None,
        date: None,
        title: None,
        url: None,
        text: text.to_string(),
    };
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
    pub labels: Vec<usize>,
    pub groups: Vec<String>,
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

    fn claim_refs(&self) -> Vec<&str> {
        self.claims.iter().map(String::as_str).collect()
    }

    fn text_refs(&self) -> Vec<&str> {
        self.texts.iter().map(String::as_str).collect()
    }

    fn len(&self) -> usize {
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
    })
}

/// FNC-1 (headline, body) pairs: each body reduced to its `BODY_SENTENCES` sentences closest to
/// the headline; their mean vector (renormalised) and their text stand for the body.
pub fn embed_fnc1(
    embedder: &Embedder,
    rows: &[(String, String, usize)],
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
    }
    Ok(PairSet {
        claims: rows.iter().map(|r| r.0.clone()).collect(),
        texts,
        u,
        v,
        labels: rows.iter().map(|r| r.2).collect(),
        groups: rows.iter().map(|r| format!("fnc1:{}", r.1)).collect(),
    })
}

/// Indices into (train, validation): about `frac` of the groups go to validation.
fn split_by_group(groups: &[String], frac: f64, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut names: Vec<&String> = groups.iter().collect();
    names.sort();
    names.dedup();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    names.shuffle(&mut rng);
    let k = ((names.len() as f64) * frac).ceil() as usize;
    let val: std::collections::HashSet<&String> = names.into_iter().take(k).collect();
    (0..groups.len()).partition(|&i| !val.contains(&groups[i]))
}

pub struct Trained {
    pub head: Head,
    pub report: TrainReport,
    pub sizes: HashMap<String, usize>,
    pub label_counts: Vec<usize>,
}

pub struct StanceData<'a> {
    pub emergent: &'a Path,
    pub fnc1: Option<&'a Path>,
}

/// Train on Emergent train (+ its unrelated pairs) and, if given, FNC-1 train; validation is
/// 10% of Emergent's claims and 10% of FNC-1's bodies, held out whole.
pub fn train(
    embedder: &Embedder,
    model: ModelId,
    data: &StanceData,
    cfg: &TrainConfig,
    observer: &dyn Observer,
) -> Result<Trained> {
    let mut em = load_emergent(data.emergent, "train")?;
    let emergent_related = em.len();
    add_unrelated(embedder, &mut em, cfg.seed)?;
    let mut sets = vec![embed_pairs(embedder, &em, observer)?];
    let mut sizes: HashMap<String, usize> = HashMap::new();
    sizes.insert("emergent_train_related".into(), emergent_related);
    sizes.insert(
        "emergent_train_unrelated_added".into(),
        em.len() - emergent_related,
    );
    if let Some(dir) = data.fnc1 {
        let (rows, bodies) = load_fnc1(dir, "train")?;
        sizes.insert("fnc1_train".into(), rows.len());
        sets.push(embed_fnc1(embedder, &rows, &bodies, observer)?);
    }
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    let mut groups = Vec::new();
    for set in &sets {
        xs.push(set.features());
        ys.extend_from_slice(&set.labels);
        groups.extend(set.groups.iter().cloned());
    }
    let views: Vec<ArrayView2<f32>> = xs.iter().map(|x| x.view()).collect();
    let x = ndarray::concatenate(ndarray::Axis(0), &views)?;
    let (tr, va) = split_by_group(&groups, 0.1, cfg.seed);
    let xt = head::rows(x.view(), &tr);
    let xv = head::rows(x.view(), &va);
    let yt: Vec<usize> = tr.iter().map(|&i| ys[i]).collect();
    let yv: Vec<usize> = va.iter().map(|&i| ys[i]).collect();
    sizes.insert("train".into(), tr.len());
    sizes.insert("validation".into(), va.len());
    let mut label_counts = vec![0; LABELS.len()];
    yt.iter().for_each(|&y| label_counts[y] += 1);
    for (c, &n) in label_counts.iter().enumerate() {
        if n < 10 {
            return Err(Error::Input(format!(
                "only {n} training examples of {:?}: too few to learn it",
                LABELS[c]
            )));
        }
    }
    let meta = HeadMeta {
        task: TASK.into(),
        labels: LABELS.iter().map(|s| s.to_string()).collect(),
        features: FEATURES.into(),
        embedding_model: model,
        class_values: None,
    };
    let (head, report) = Head::fit(meta, xt.view(), &yt, xv.view(), &yv, cfg)?;
    Ok(Trained {
        head,
        report,
        sizes,
        label_counts,
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct EmergentEval {
    pub pairs: usize,
    /// Three classes (for/against/observing), the head's choice among agree/disagree/discuss.
    pub accuracy: f64,
    pub macro_f1: f64,
    pub per_class: Vec<head::ClassScores>,
    pub majority_accuracy: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Fnc1Eval {
    pub pairs: usize,
    /// Official FNC-1 score as a percentage of the maximum.
    pub weighted_score: f64,
    pub macro_f1: f64,
    pub accuracy: f64,
    pub per_class: Vec<head::ClassScores>,
    /// Gold (rows) against predicted (columns), in label order.
    pub confusion: Vec<Vec<usize>>,
    pub baseline_weighted_score: f64,
}

pub fn eval_emergent(
    c: &StanceClassifier,
    embedder: &Embedder,
    dir: &Path,
    observer: &dyn Observer,
) -> Result<EmergentEval> {
    let pairs = load_emergent(dir, "test")?;
    let set = embed_pairs(embedder, &pairs, observer)?;
    let p = c.probabilities(
        &set.claim_refs(),
        &set.text_refs(),
        set.u.view(),
        set.v.view(),
    )?;
    let pred: Vec<usize> = p
        .rows()
        .into_iter()
        .map(|r| head::argmax(r.slice(s![..UNRELATED])))
        .collect();
    let names: Vec<String> = LABELS[..UNRELATED].iter().map(|s| s.to_string()).collect();
    let mut counts = [0usize; 3];
    set.labels.iter().for_each(|&y| counts[y.min(2)] += 1);
    Ok(EmergentEval {
        pairs: set.len(),
        accuracy: head::accuracy(&pred, &set.labels),
        macro_f1: head::macro_f1(&pred, &set.labels, 3),
        per_class: head::per_class(&pred, &set.labels, &names),
        majority_accuracy: counts.iter().copied().max().unwrap_or(0) as f64
            / set.len().max(1) as f64,
    })
}

/// The official FNC-1 score: 0.25 for a correct `unrelated`, 0.25 for calling a related pair
/// related, 0.75 more for its exact label; as a percentage of the best possible.
pub fn fnc1_score(pred: &[usize], gold: &[usize]) -> f64 {
    let mut score = 0.0;
    let mut best = 0.0;
    for (&p, &g) in pred.iter().zip(gold) {
        best += if g == UNRELATED { 0.25 } else { 1.0 };
        if p == g {
            score += 0.25;
            if g != UNRELATED {
                score += 0.5;
            }
        }
        if g != UNRELATED && p != UNRELATED {
            score += 0.25;
        }
    }
    100.0 * score / f64::max(best, 1e-12)
}

pub fn eval_fnc1(
    c: &StanceClassifier,
    embedder: &Embedder,
    dir: &Path,
    observer: &dyn Observer,
) -> Result<Fnc1Eval> {
    let (rows, bodies) = load_fnc1(dir, "test")?;
    let set = embed_fnc1(embedder, &rows, &bodies, observer)?;
    let p = c.probabilities(
        &set.claim_refs(),
        &set.text_refs(),
        set.u.view(),
        set.v.view(),
    )?;
    let pred = head::argmax_rows(p.view());
    let names: Vec<String> = LABELS.iter().map(|s| s.to_string()).collect();
    let mut confusion = vec![vec![0usize; 4]; 4];
    for (&g, &q) in set.labels.iter().zip(&pred) {
        confusion[g][q] += 1;
    }
    Ok(Fnc1Eval {
        pairs: set.len(),
        weighted_score: fnc1_score(&pred, &set.labels),
        macro_f1: head::macro_f1(&pred, &set.labels, 4),
        accuracy: head::accuracy(&pred, &set.labels),
        per_class: head::per_class(&pred, &set.labels, &names),
        confusion,
        baseline_weighted_score: 79.53,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_score_matches_the_scorer() {
        // From fnc-1's scorer.py logic: perfect = 100; all-unrelated on a 1 related +
        // 3 unrelated set = 0.75 / 1.75.
        let gold = [AGREE, UNRELATED, UNRELATED, UNRELATED];
        assert!((fnc1_score(&gold, &gold) - 100.0).abs() < 1e-9);
        let all_unrelated = [UNRELATED; 4];
        assert!((fnc1_score(&all_unrelated, &gold) - 100.0 * 0.75 / 1.75).abs() < 1e-9);
        // Related but wrong label earns the 0.25 of relatedness only.
        let wrong = [DISCUSS, UNRELATED, UNRELATED, UNRELATED];
        assert!((fnc1_score(&wrong, &gold) - 100.0 * 1.0 / 1.75).abs() < 1e-9);
    }

    #[test]
    fn refutation_and_negation_features_fire() {
        let mut f = [0.0f32; EXTRA];
        lexical(
            "Russia interfered in the election",
            "Russia called the allegations baseless and denied it did not",
            0.7,
            &mut f,
        );
        assert_eq!(f[0], 0.7);
        assert!(f[1] >= 2.0, "{f:?}");
        assert_eq!(f[4], 1.0, "negation only on the text side: {f:?}");
    }
}
