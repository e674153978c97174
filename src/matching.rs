//! The main job: which claims do different outlets share?
//!
//! corpus -> sentences (segment) -> claim units (claims) -> vectors (embed) -> k nearest
//! neighbours from other documents -> complete-linkage groups (grouping) -> report.

use ndarray::{Array2, ArrayView2, s};
use serde::Serialize;

use crate::claims;
use crate::embed::Embedder;
use crate::error::Result;
use crate::grouping::{self, GroupingConfig};
use crate::segment::{Segmented, SentenceKind};

#[derive(Debug, Clone, Copy, Serialize)]
pub struct MatchOptions {
    pub grouping: GroupingConfig,
    /// Neighbours fetched per claim as grouping candidates.
    pub k: usize,
    /// Match titles and subheads too (they often state the main claim).
    pub include_headings: bool,
    /// Keep a candidate pair only if each is among the other's `mutual` nearest claims in the
    /// other's document (0: off).
    pub mutual: usize,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            grouping: GroupingConfig::default(),
            k: 10,
            include_headings: true,
            mutual: 1,
        }
    }
}

/// One claim unit with its provenance.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimRef {
    pub doc: String,
    pub outlet: String,
    /// The full sentence the claim comes from.
    pub text: String,
    /// Byte span of the claim in the document.
    pub start: usize,
    pub end: usize,
    /// The claim as matched (attribution frame dropped, second proposition split off).
    pub claim: String,
    pub sentence_start: usize,
    pub sentence_end: usize,
    #[serde(skip)]
    pub doc_index: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Member {
    #[serde(flatten)]
    pub claim: ClaimRef,
    /// Cosine to the canonical claim.
    pub score: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct MatchGroup {
    pub canonical: ClaimRef,
    pub members: Vec<Member>,
    pub outlets: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MatchResult {
    pub documents: usize,
    pub sentences: usize,
    pub claims: usize,
    pub options: MatchOptions,
    pub groups: Vec<MatchGroup>,
}

/// Claim units of segmented documents, in order.
pub fn claim_units(docs: &[Segmented], include_headings: bool) -> Vec<ClaimRef> {
    let mut out = Vec::new();
    for (di, d) in docs.iter().enumerate() {
        for s in &d.sentences {
            if s.kind != SentenceKind::Text && !include_headings {
                continue;
            }
            for c in claims::claims(&s.text) {
                out.push(ClaimRef {
                    doc: d.doc.clone(),
                    outlet: d.outlet.clone(),
                    text: s.text.clone(),
                    start: s.start + c.start,
                    end: s.start + c.end,
                    claim: c.text,
                    sentence_start: s.start,
                    sentence_end: s.end,
                    doc_index: di,
                });
            }
        }
    }
    out
}

/// Exact k nearest neighbours (cosine on normalised rows) from other documents, in row blocks
/// so memory stays at block x n.
pub fn knn_other_docs(v: ArrayView2<f32>, docs: &[usize], k: usize) -> Vec<(usize, usize, f32)> {
    const BLOCK: usize = 1024;
    let n = v.nrows();
    let mut out = Vec::with_capacity(n * k);
    let vt = v.t();
    for b in (0..n).step_by(BLOCK) {
        let end = (b + BLOCK).min(n);
        let sims: Array2<f32> = v.slice(s![b..end, ..]).dot(&vt);
        for (r, row) in sims.rows().into_iter().enumerate() {
            let i = b + r;
            let mut cand: Vec<(usize, f32)> = row
                .iter()
                .enumerate()
                .filter(|&(j, _)| docs[j] != docs[i])
                .map(|(j, &x)| (j, x))
                .collect();
            let kk = k.min(cand.len());
            if kk == 0 {
                continue;
            }
            cand.select_nth_unstable_by(kk - 1, |a, b| b.1.total_cmp(&a.1));
            out.extend(cand[..kk].iter().map(|&(j, x)| (i, j, x)));
        }
    }
    out
}

/// Pairs (i, j) where j is among i's `m` best claims *of j's document* and i among j's `m` best
/// of i's document: two articles reporting the same claim align on it, while a generic
/// sentence that is a little similar to everything rarely is anyone's best match.
fn mutual_only(
    candidates: Vec<(usize, usize, f32)>,
    docs: &[usize],
    m: usize,
) -> Vec<(usize, usize, f32)> {
    use std::collections::HashMap;
    let mut best: HashMap<(usize, usize), Vec<(usize, f32)>> = HashMap::new();
    for &(i, j, x) in &candidates {
        best.entry((i, docs[j])).or_default().push((j, x));
    }
    for b in best.values_mut() {
        b.sort_by(|a, c| c.1.total_cmp(&a.1));
        b.truncate(m);
    }
    let top = |i: usize, j: usize| {
        best.get(&(i, docs[j]))
            .is_some_and(|b| b.iter().any(|&(x, _)| x == j))
    };
    candidates
        .into_iter()
        .filter(|&(i, j, _)| top(i, j) && top(j, i))
        .collect()
}

pub fn match_claims(
    docs: &[Segmented],
    embedder: &Embedder,
    opts: &MatchOptions,
) -> Result<MatchResult> {
    let units = claim_units(docs, opts.include_headings);
    let texts: Vec<&str> = units.iter().map(|u| u.claim.as_str()).collect();
    let pb = crate::cli::progress(Some(texts.len() as u64), "claims");
    let mut vectors = Array2::<f32>::zeros((texts.len(), embedder.dim()));
    for (c, chunk) in texts.chunks(1024).enumerate() {
        let e = embedder.embed(chunk)?;
        vectors
            .slice_mut(s![c * 1024..c * 1024 + chunk.len(), ..])
            .assign(&e.vectors);
        pb.inc(chunk.len() as u64);
    }
    pb.finish_and_clear();
    let doc_of: Vec<usize> = units.iter().map(|u| u.doc_index).collect();
    let mut candidates = knn_other_docs(vectors.view(), &doc_of, opts.k.max(opts.mutual));
    if opts.mutual > 0 {
        candidates = mutual_only(candidates, &doc_of, opts.mutual);
    }
    let groups = grouping::group(vectors.view(), &doc_of, &candidates, &opts.grouping);
    let groups = groups
        .into_iter()
        .map(|g| {
            let canonical = units[g.members[0]].clone();
            let members: Vec<Member> = g
                .members
                .iter()
                .zip(&g.scores)
                .map(|(&i, &score)| Member {
                    claim: units[i].clone(),
                    score,
                })
                .collect();
            let mut outlets: Vec<String> = members.iter().map(|m| m.claim.outlet.clone()).collect();
            outlets.sort();
            outlets.dedup();
            MatchGroup {
                canonical,
                members,
                outlets,
            }
        })
        .collect();
    Ok(MatchResult {
        documents: docs.len(),
        sentences: docs.iter().map(|d| d.sentences.len()).sum(),
        claims: units.len(),
        options: *opts,
        groups,
    })
}
