//! The main job: which claims do different outlets share?
//!
//! corpus -> sentences (segment) -> claim units (claims) -> vectors (embed) -> k nearest
//! neighbours from other documents -> complete-linkage groups (grouping) -> report.

use std::fmt::Write as _;

use ndarray::ArrayView2;

use crate::index::{NeighbourSearch, SearchConfig, Vectors, build_search};
use serde::Serialize;

use crate::claims;
use crate::classify::confidence::ConfidenceModel;
use crate::classify::stance::{StanceModel, affirmed_claim};
use crate::classify::{Cue, Level, Stance, StanceLabel};
use crate::embed::Embedder;
use crate::error::{Error, Result};
use crate::grouping::{self, GroupingConfig};
use crate::judge::Judge;
use crate::observe::Observer;
use crate::segment::{Segmented, SentenceKind};
use crate::stories::{self, Story, StoryOptions};

mod denial_check;

#[derive(Debug, Clone, Copy, Serialize)]
pub struct MatchOptions {
    pub grouping: GroupingConfig,
    /// Neighbours fetched per claim as grouping candidates.
    pub k: usize,
    /// Match titles and subheads too (they often state the main claim).
    pub include_headings: bool,
    /// Cut sentences into claim units (attribution frames dropped, a second proposition split
    /// off) before matching; otherwise each sentence is one unit.
    pub split_claims: bool,
    /// Keep a candidate pair only if each is among the other's `mutual` nearest claims in the
    /// other's document (0: off).
    pub mutual: usize,
    /// With the stance head and no judge: keep in a group only members the head reads as
    /// asserting its canonical claim (stance `agree`); the others join the group's `related`
    /// claims. With the pair model or a judge, members are labelled by rule
    /// (`StanceLabel::member_of`) and none is dropped for it (see `annotate`).
    pub require_agree: bool,
    /// With a stance model: members it finds `disagree` toward the canonical claim (a denial
    /// worded like the claim, which the judge's cosine cannot tell apart) join the group's
    /// `related` claims instead, where the related claims' rules let the reading stand (the
    /// two differ in polarity, `StanceLabel::related_to`; the denial floor, `denial_at`).
    pub veto_disagree: bool,
    /// A related claim read as `disagree` stays a denial only at least this similar to the
    /// group's canonical claim; under it, its `disagree` probability moves to `discuss` (None:
    /// no floor). Set with a judge ([`DENIAL_FLOOR`]).
    pub denial_floor: Option<f32>,
    /// Match claims only between documents of the same story (the labelling guide: the same
    /// sentence about two events is two claims); false matches across the whole corpus.
    pub within_stories: bool,
    /// Never group a sentence that negates, refutes or doubts with one that does not (the
    /// related claims' polarity rule): a judge puts a claim and its denial in the same words
    /// together ("prank videos are not staged" beside "... are staged"), which the guide keeps
    /// apart. Off by default: on the labelled dev half it raised precision (0.750 -> 0.806)
    /// but lowered F1 (0.492 -> 0.488). A word rule also parts a claim from a restatement with
    /// a negation anywhere in it ("..., but its authors would not name any channel"), which
    /// the related claims may then show as a denial; and a denial in a document that holds a
    /// member is never among the related claims (README, "Polarity as a cannot-link").
    pub split_polarity: bool,
    /// How documents are grouped into stories.
    pub stories: StoryOptions,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            grouping: GroupingConfig::default(),
            k: 10,
            include_headings: true,
            split_claims: true,
            mutual: 1,
            require_agree: true,
            veto_disagree: false,
            denial_floor: None,
            within_stories: true,
            split_polarity: false,
            stories: StoryOptions::default(),
        }
    }
}

impl MatchOptions {
    /// The options a judge was evaluated with: its threshold (chosen on the dev half) as the
    /// grouping floor, no mutual-best filter (an article that restates a claim in its lead and
    /// a quote keeps both: dev-half pair F1 0.503 without the filter, 0.470 with it), and no
    /// stance check on members (the judge decides membership; the stance head's veto cut
    /// dev-half F1 from 0.503 to 0.345), and whole sentences as units: the judge was trained
    /// on whole labelled sentences, attribution and all, and reads them better than the claim
    /// units cut for the base model (the shipped judge's dev-half pair F1 0.426 -> 0.492, floor
    /// chosen by F0.5; README, "match"). The stance and confidence labels of members then read
    /// whole sentences too, as `classify` and the labelled set do.
    pub fn with_judge(self, threshold: f32) -> Self {
        MatchOptions {
            grouping: GroupingConfig {
                floor: threshold,
                ..self.grouping
            },
            mutual: 0,
            require_agree: false,
            split_claims: false,
            denial_floor: self.denial_floor.or(Some(DENIAL_FLOOR)),
            ..self
        }
    }
}

/// One claim unit with its provenance.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimUnit {
    pub doc: String,
    pub outlet: String,
    /// The full sentence the claim comes from (`text` in JSON, the field name of every record
    /// with a sentence).
    #[serde(rename = "text")]
    pub sentence: String,
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

/// Asserted confidence of a claim, with its cues' byte spans in the document.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimConfidence {
    pub level: Level,
    pub score: f32,
    pub cues: Vec<Cue>,
    /// The model's probability of what it decided: of `level`, or, where the cue rule gave the
    /// level, of the sentence asserting anything (1 for a rule's `none`).
    pub probability: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Member {
    #[serde(flatten)]
    pub unit: ClaimUnit,
    /// Cosine to the canonical claim.
    pub score: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<ClaimConfidence>,
    /// Stance toward the group's canonical claim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stance: Option<StanceLabel>,
}

/// A claim from outside the group that bears on it without asserting it.
#[derive(Debug, Clone, Serialize)]
pub struct Related {
    #[serde(flatten)]
    pub unit: ClaimUnit,
    /// Cosine to the canonical claim.
    pub score: f32,
    pub stance: StanceLabel,
    /// Absent when `--min-prob` hid it as unsure (`hide_unsure`), as a member's is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<ClaimConfidence>,
}

/// Outlets asserting the group's claim at different confidence.
#[derive(Debug, Clone, Serialize)]
pub struct ConfidenceSpread {
    /// Levels asserted, most certain first, each with the outlets and cues.
    pub levels: Vec<LevelOutlets>,
    /// "hedge dropped" reading: who states it flatly and who hedges it.
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LevelOutlets {
    pub level: Level,
    pub outlets: Vec<String>,
    pub cues: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MatchGroup {
    /// Id of the story (`stories` below) of the canonical claim's document.
    pub story: String,
    pub canonical: ClaimUnit,
    pub members: Vec<Member>,
    pub outlets: Vec<String>,
    /// Syndicated copy: every member is the canonical sentence nearly word for word, in three
    /// or more documents. Reported as one claim carried by `outlets.len()` outlets and listed
    /// after the groups of independently worded reports, which are what a comparison is for.
    pub wire_copy: bool,
    /// True when members assert the claim at different confidence levels.
    pub confidence_differs: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence_spread: Option<ConfidenceSpread>,
    /// Claims from other documents that disagree with or only discuss this one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
}

/// The heads that label members of groups; `match` without them still groups.
pub struct Classifiers<'a> {
    pub confidence: &'a ConfidenceModel,
    pub stance: &'a StanceModel,
}

/// Candidates for a group's disagreeing/discussing claims: the nearest claims from documents
/// outside the group, at least this similar to the canonical claim.
const RELATED_FLOOR: f32 = 0.45;
const RELATED_CANDIDATES: usize = 20;

/// With a judge, the similarity a related claim needs to its group's canonical claim to be
/// shown as denying it. A denial is the same proposition with the other polarity, and the
/// judge, trained with negated copies apart, still puts a claim and its denial close ("Banksy
/// was arrested in London" / "Banksy has not been arrested": 0.75); the pair model's
/// `disagree` toward a claim further off is mostly another claim with a "not" in it, or a
/// debunk of the story beside a side claim it does not address. Chosen at 0.55 by F0.5 over
/// 0.45 (none) .. 0.65 on an independent review's verdicts on six FNC-1 train stories
/// (README, "Who denies what").
pub const DENIAL_FLOOR: f32 = 0.55;
const RELATED_SHOWN: usize = 5;

#[derive(Debug, Clone, Serialize)]
pub struct MatchResult {
    pub documents: usize,
    pub sentences: usize,
    pub claims: usize,
    pub options: MatchOptions,
    /// The same-claim judge that decided membership (its weights' SHA-256 and threshold), or
    /// `None` when the base model's cosine did: which of the two ran changes every group, and
    /// whether the judge is found depends on where the models are looked for.
    pub judge: Option<JudgeUsed>,
    pub groups: Vec<MatchGroup>,
    /// The stories the documents were grouped into (one per document when matching across
    /// stories was asked for without story grouping).
    pub stories: Vec<Story>,
}

/// Which judge a `match` ran with.
#[derive(Debug, Clone, Serialize)]
pub struct JudgeUsed {
    pub weights_sha256: String,
    pub threshold: Option<f32>,
}

/// Whether a claim unit asserts nothing another document could share, so that it is never
/// matched: no letter at all ("5.", "2019"), page code, or what the confidence rule calls a
/// fragment (fewer than three words) standing without a sentence's closing punctuation: a list
/// item or label ("Germany", "Canada"). By the labelling guide a group holds sentences that
/// assert one proposition; such units only look alike ("Germany" beside "Italy", list numbers
/// beside list numbers) and filled whole groups of a page's lists. The rule's other `none`s
/// stay matchable: a short sentence closed as one is an elliptical statement the guide groups
/// ("Hairgate." with "Now, there's #HairGate" in the labelled set), a question or a headline
/// the rule finds no verb in can name the claim, and its verb test is an English word list.
pub fn asserts_nothing(text: &str) -> bool {
    if !text.chars().any(char::is_alphabetic) {
        return true;
    }
    match crate::classify::confidence::no_proposition(text) {
        Some("empty" | "markup or code") => true,
        Some("fragment") => !crate::segment::ends_with_sentence_punct(text),
        _ => false,
    }
}

/// Claim units of segmented documents, in order: each sentence cut by `claims::claims` when
/// `split`, else each sentence whole; units that assert nothing (`asserts_nothing`) left out.
pub fn claim_units(docs: &[Segmented], include_headings: bool, split: bool) -> Vec<ClaimUnit> {
    let mut out = Vec::new();
    for (di, d) in docs.iter().enumerate() {
        for s in &d.sentences {
            if s.kind != SentenceKind::Text && !include_headings {
                continue;
            }
            let units = if split {
                claims::claims(&s.text)
            } else {
                vec![claims::Claim {
                    start: 0,
                    end: s.text.len(),
                    text: s.text.clone(),
                }]
            };
            for c in units.into_iter().filter(|c| !asserts_nothing(&c.text)) {
                out.push(ClaimUnit {
                    doc: d.doc.clone(),
                    outlet: d.outlet.clone(),
                    sentence: s.text.clone(),
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

/// Each claim's k nearest claims from other documents, through the project's neighbour search
/// (`build_search`: the exact blocked product below `SearchConfig::exact_threshold` claims, an
/// HNSW graph above it, so a large corpus is never compared all pairs against all pairs).
pub fn knn_other_docs(
    searcher: &dyn NeighbourSearch,
    docs: &[usize],
    k: usize,
) -> Result<Vec<(usize, usize, f32)>> {
    if searcher.is_empty() || k == 0 {
        return Ok(Vec::new());
    }
    let other_doc = |q: usize, id: usize| docs[q] != docs[id];
    let all = searcher.all_neighbours(k, Some(&other_doc))?;
    Ok(all
        .into_iter()
        .enumerate()
        .flat_map(|(i, ns)| ns.into_iter().map(move |n| (i, n.id, n.score)))
        .collect())
}

/// Each claim's k nearest claims from other documents of its story: each story searched
/// exactly on its own. A story is small, and a graph search filtered to one story's few claims
/// among 100,000 visits most of the graph for every query (measured: the filtered HNSW search
/// took over five minutes of a 100k-claim run, 47% of it in usearch's filtered search).
pub fn knn_within_stories(
    vectors: ArrayView2<f32>,
    docs: &[usize],
    story_of_doc: &[usize],
    k: usize,
) -> Result<Vec<(usize, usize, f32)>> {
    let mut members: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (i, &d) in docs.iter().enumerate() {
        members.entry(story_of_doc[d]).or_default().push(i);
    }
    let mut out = Vec::new();
    for ids in members.values().filter(|ids| ids.len() > 1 && k > 0) {
        let exact =
            crate::index::Exact::new(Vectors::from_array(vectors.select(ndarray::Axis(0), ids))?);
        let other_doc = |q: usize, id: usize| docs[ids[q]] != docs[ids[id]];
        for (q, ns) in exact
            .all_neighbours(k, Some(&other_doc))?
            .into_iter()
            .enumerate()
        {
            out.extend(ns.into_iter().map(|n| (ids[q], ids[n.id], n.score)));
        }
    }
    Ok(out)
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

/// Groups of the same claim across the documents' claim units. `embedder` (the base model)
/// groups documents into stories and feeds the heads; a `judge`, when given, decides group
/// membership: candidates are the judge's nearest neighbours and `opts.grouping.floor` applies
/// to its cosine (members' `score` is then the judge's cosine to the canonical claim).
pub fn match_claims(
    docs: &[Segmented],
    embedder: &Embedder,
    judge: Option<&Judge>,
    opts: &MatchOptions,
    heads: Option<&Classifiers>,
    observer: &dyn Observer,
) -> Result<MatchResult> {
    let grouped = stories::stories(docs, embedder, &opts.stories, observer)?;
    let story_of_doc = opts.within_stories.then_some(grouped.story_of.as_slice());
    let units = claim_units(docs, opts.include_headings, opts.split_claims);
    let texts: Vec<&str> = units.iter().map(|u| u.claim.as_str()).collect();
    // The vectors that decide membership: the judge's when there is one, else the base
    // model's.
    let group_vectors = match judge {
        Some(j) => j.encoder.embed_all(&texts, "claims (judge)", observer)?,
        None => embedder.embed_all(&texts, "claims", observer)?,
    }
    .vectors;
    let doc_of: Vec<usize> = units.iter().map(|u| u.doc_index).collect();
    // One searcher over every claim serves candidates across stories and the related claims;
    // within stories without heads nothing reads it, and at 100k claims it is an HNSW build.
    let searcher = if story_of_doc.is_none() || heads.is_some() {
        Some(build_search(
            Vectors::from_view(group_vectors.view())?,
            &SearchConfig::default(),
        )?)
    } else {
        None
    };
    let k = opts.k.max(opts.mutual);
    let mut candidates = match (story_of_doc, &searcher) {
        (Some(story), _) => knn_within_stories(group_vectors.view(), &doc_of, story, k)?,
        (None, Some(s)) => knn_other_docs(s.as_ref(), &doc_of, k)?,
        (None, None) => {
            return Err(Error::Internal("no neighbour search across stories".into()));
        }
    };
    if opts.split_polarity {
        // Complete linkage merges only along candidate pairs, so a group never mixes
        // polarities once no candidate pair does. Before the mutual-best filter, so that a
        // claim whose best partner is its denial keeps its next one. Whole sentences: a claim
        // unit may have lost the frame that denies ("Russia denied that ...").
        let negative: Vec<bool> = units
            .iter()
            .map(|u| crate::classify::stance::polarity(&u.sentence))
            .collect();
        candidates.retain(|&(i, j, _)| negative[i] == negative[j]);
    }
    if opts.mutual > 0 {
        candidates = mutual_only(candidates, &doc_of, opts.mutual);
    }
    crate::observe::go_on(observer)?;
    let groups = grouping::group(group_vectors.view(), &doc_of, &candidates, &opts.grouping);
    let groups = groups
        .into_iter()
        .map(|g| {
            let canonical = units[g.members[0]].clone();
            let story = grouped
                .stories
                .get(
                    grouped
                        .story_of
                        .get(canonical.doc_index)
                        .copied()
                        .unwrap_or(0),
                )
                .map_or_else(String::new, |s| s.id.clone());
            let members: Vec<Member> = g
                .members
                .iter()
                .zip(&g.scores)
                .map(|(&i, &score)| Member {
                    unit: units[i].clone(),
                    score,
                    confidence: None,
                    stance: None,
                })
                .collect();
            let mut outlets: Vec<String> = members.iter().map(|m| m.unit.outlet.clone()).collect();
            outlets.sort();
            outlets.dedup();
            MatchGroup {
                story,
                canonical,
                members,
                outlets,
                wire_copy: false,
                confidence_differs: false,
                confidence_spread: None,
                related: Vec::new(),
            }
        })
        .collect();
    let mut groups: Vec<MatchGroup> = groups;
    if let Some(h) = heads {
        let index_groups: Vec<Vec<usize>> = grouped_indices(&groups, &units);
        let canon: Vec<usize> = index_groups
            .iter()
            .filter_map(|m| m.first().copied())
            .collect();
        let searcher = searcher
            .as_deref()
            .ok_or_else(|| Error::Internal("no neighbour search for the related claims".into()))?;
        let pool = related_pool(group_vectors.view(), searcher, &canon)?;
        // The claims the heads read: group members and related candidates.
        let mut read: Vec<usize> = index_groups.iter().flatten().copied().collect();
        for (members, near) in index_groups.iter().zip(&pool) {
            let docs: Vec<usize> = members.iter().map(|&i| units[i].doc_index).collect();
            let Some(&c) = members.first() else { continue };
            let cand = related_candidates(near, &docs, c, &units, story_of_doc);
            read.extend(cand.into_iter().map(|(j, _)| j));
        }
        read.sort_unstable();
        read.dedup();
        // Heads over pooled vectors read base-model vectors (they were trained on them).
        // Without a judge those are the grouping vectors; with one, only the claims read are
        // embedded by the base model (into their rows; the others stay zero and unread)
        // instead of a second pass over every claim. Fine-tuned models read the text itself,
        // and the pair model's topic gate is not needed where the judge chose the pairs
        // (`pairs_on_topic`): with a judge and fine-tuned models there is no base-model pass at
        // all (73 s of 6 min 38 s on the 100k-sentence corpus).
        let on_topic = pairs_on_topic(
            judge.is_some(),
            opts.grouping.floor,
            h.stance.reads_vectors(),
        );
        let heads_vectors: Option<ndarray::Array2<f32>> = match judge {
            None => None,
            Some(_) if h.confidence.needs_vectors() || (!on_topic && h.stance.needs_vectors()) => {
                let picked: Vec<&str> = read.iter().map(|&i| texts[i]).collect();
                let v = embedder
                    .embed_all(&picked, "claims (heads)", observer)?
                    .vectors;
                let mut all = ndarray::Array2::<f32>::zeros((units.len(), v.ncols()));
                for (row, &i) in read.iter().enumerate() {
                    all.row_mut(i).assign(&v.row(row));
                }
                Some(all)
            }
            Some(_) => Some(ndarray::Array2::<f32>::zeros((units.len(), 0))),
        };
        let base = heads_vectors
            .as_ref()
            .map_or(group_vectors.view(), |v| v.view());
        let space = ClaimSpace {
            units: &units,
            vectors: base,
            read: &read,
            pool,
            story_of_doc,
            on_topic,
            judge: judge.map(|judge| denial_check::DenialCheck {
                judge,
                vectors: group_vectors.view(),
                threshold: judge.card.threshold.unwrap_or(opts.grouping.floor),
            }),
        };
        groups = annotate(groups, &index_groups, space, h, opts, observer)?;
    }
    mark_wire_copies(&mut groups);
    Ok(MatchResult {
        documents: docs.len(),
        sentences: docs.iter().map(|d| d.sentences.len()).sum(),
        claims: units.len(),
        options: *opts,
        judge: judge.map(|j| JudgeUsed {
            weights_sha256: j.card.weights_sha256.clone(),
            threshold: j.card.threshold,
        }),
        groups,
        stories: grouped.stories,
    })
}

/// Whether every pair the stance model reads in `annotate` was chosen by a judge close enough
/// to stand in for the pair model's topic gate, so the gate (and the base-model pass that
/// feeds it) is skipped (`StanceModel::classify_on_topic`). Members are within the grouping
/// floor of their canonical claim on the judge's cosine (complete linkage), related claims at
/// least `RELATED_FLOOR`; a floor under that (`--floor 0.3`) lets in pairs nobody measured, so
/// the gate stays. The judge's cosine and the gate's base-model cosine are different tests,
/// not nested: on the 100k-sentence scale corpus with the shipped judge, 1 of the 80,405 pairs
/// read was under the gate (base cosine 0.092, judged on topic, rightly). The stance head reads
/// the vectors themselves and always gets them.
fn pairs_on_topic(judge: bool, floor: f32, stance_reads_vectors: bool) -> bool {
    judge && floor >= RELATED_FLOOR && !stance_reads_vectors
}

/// Cosine to the canonical claim from which a member is the same text (re-punctuated,
/// re-cased, a word changed): agency copy carried by several outlets.
const WIRE_COPY_COSINE: f32 = 0.95;
const WIRE_COPY_DOCS: usize = 3;
/// Near-identical groups two documents must share to be one text carried twice (an agency
/// story two outlets both ran, a page saved twice): then their other near-identical groups
/// are copy too, though only two documents hold them.
const COPY_PAIR_GROUPS: usize = 3;

/// Flags syndicated copy and moves it after the other groups (stable: each part keeps its
/// order). A group is copy when every member is the canonical sentence nearly word for word
/// and either three or more documents carry it (not a quotation: three outlets quoting one
/// statement word for word report the speaker's claim, they do not syndicate), or its
/// documents are copies of one another (each two share `COPY_PAIR_GROUPS` near-identical
/// groups: two outlets running one Reuters story share dozens of sentences, which a count of
/// documents alone never flagged; quotations do not count toward those groups).
fn mark_wire_copies(groups: &mut [MatchGroup]) {
    let docs_of = |g: &MatchGroup| {
        let mut d: Vec<usize> = g.members.iter().map(|m| m.unit.doc_index).collect();
        d.sort_unstable();
        d.dedup();
        d
    };
    let near: Vec<bool> = groups
        .iter()
        .map(|g| g.members.iter().all(|m| m.score >= WIRE_COPY_COSINE))
        .collect();
    let docs: Vec<Vec<usize>> = groups.iter().map(docs_of).collect();
    // Asked only of near-identical groups: no other group can be copy.
    let quoted: Vec<bool> = groups
        .iter()
        .zip(&near)
        .map(|(g, &n)| n && quotation(&g.canonical.sentence))
        .collect();
    // Only shared prose counts as evidence of copy: two outlets quoting one statement in full
    // share its sentences word for word without running each other's story.
    let mut shared: std::collections::HashMap<(usize, usize), usize> = Default::default();
    for ((d, _), _) in docs
        .iter()
        .zip(&near)
        .zip(&quoted)
        .filter(|((_, n), q)| **n && !**q)
    {
        for (i, &a) in d.iter().enumerate() {
            for &b in &d[i + 1..] {
                *shared.entry((a, b)).or_default() += 1;
            }
        }
    }
    for (((g, near), d), quoted) in groups.iter_mut().zip(near).zip(docs).zip(quoted) {
        let copies = d.len() >= 2
            && d.iter().enumerate().all(|(i, &a)| {
                d[i + 1..]
                    .iter()
                    .all(|&b| shared.get(&(a, b)).copied().unwrap_or(0) >= COPY_PAIR_GROUPS)
            });
        let carried = d.len() >= WIRE_COPY_DOCS && !quoted;
        g.wire_copy = near && (copies || carried);
    }
    groups.sort_by_key(|g| g.wire_copy);
}

/// A sentence that is mostly a quotation: it opens with a quotation mark, or its quotations
/// (as segmentation finds them, `segment::quotations`) are most of it ("“We will work with the
/// United Kingdom ...,” Obama said.").
fn quotation(sentence: &str) -> bool {
    let t = sentence.trim_start();
    let inside: usize = crate::segment::quotations(t)
        .iter()
        .map(|(a, b)| b - a)
        .sum();
    t.starts_with(['"', '“', '‘', '«', '„']) || inside * 2 > t.len()
}

/// The claims of a run with their vectors, neighbour search and stories.
struct ClaimSpace<'a> {
    units: &'a [ClaimUnit],
    /// Base-model vectors; only the rows of `read` are filled.
    vectors: ArrayView2<'a, f32>,
    /// The claims the heads read (sorted): group members and related candidates.
    read: &'a [usize],
    /// Each group's canonical claim's nearest claims, best first (`related_pool`).
    pool: Vec<Vec<(usize, f32)>>,
    /// Story of each document, when matching stays within stories.
    story_of_doc: Option<&'a [usize]>,
    /// A judge chose every pair the stance model reads: no topic gate (nor its vectors).
    on_topic: bool,
    /// A judge decided membership: members are labelled by `StanceLabel::member_of` (as they
    /// are with the pair model), and a denial needs its positive form to be the other side's
    /// claim by the judge (`denial_check`).
    judge: Option<denial_check::DenialCheck<'a>>,
}

/// Unit indices of each group's members (canonical first), recovered by span.
fn grouped_indices(groups: &[MatchGroup], units: &[ClaimUnit]) -> Vec<Vec<usize>> {
    let mut at = std::collections::HashMap::new();
    for (i, u) in units.iter().enumerate() {
        at.insert((u.doc_index, u.start, u.end), i);
    }
    groups
        .iter()
        .map(|g| {
            g.members
                .iter()
                .filter_map(|m| {
                    at.get(&(m.unit.doc_index, m.unit.start, m.unit.end))
                        .copied()
                })
                .collect()
        })
        .collect()
}

fn in_document(c: &crate::classify::ConfidenceLabel, unit: &ClaimUnit) -> ClaimConfidence {
    ClaimConfidence {
        level: c.confidence,
        score: c.score,
        probability: c.probability,
        cues: c
            .cues
            .iter()
            .map(|q| Cue {
                start: q.start + unit.start,
                end: q.end + unit.start,
                ..q.clone()
            })
            .collect(),
    }
}

/// Confidence of every member, stance of every member toward the canonical claim, the
/// confidence spread across outlets, and related claims from outside the group that
/// disagree with it or only discuss it.
///
/// Cosine alone puts claims about the same thing in one group ("Russia called the allegations
/// baseless" beside "the report points to Russian interference"); a group is meant to hold
/// claims that assert the same proposition, which is what the stance head's `agree` says. So
/// with `require_agree` and the head, members it does not find `agree` toward the canonical
/// claim leave the group (those it finds `discuss`/`disagree` join its related claims), and a
/// group left with fewer than `min_docs` documents is dropped (`--any-stance` keeps them; a
/// run that loses every group this way, or to `veto_disagree`, warns).
fn annotate(
    groups: Vec<MatchGroup>,
    members: &[Vec<usize>],
    space: ClaimSpace,
    h: &Classifiers,
    opts: &MatchOptions,
    observer: &dyn Observer,
) -> Result<Vec<MatchGroup>> {
    let ClaimSpace {
        units,
        vectors: v,
        read,
        pool,
        story_of_doc,
        on_topic,
        judge,
    } = space;
    let judged = judge.is_some();
    let texts: Vec<&str> = units.iter().map(|u| u.claim.as_str()).collect();
    let read_texts: Vec<&str> = read.iter().map(|&i| texts[i]).collect();
    let read_conf = h.confidence.classify(
        &read_texts,
        v.select(ndarray::Axis(0), read).view(),
        observer,
    )?;
    let mut conf_of: Vec<Option<crate::classify::ConfidenceLabel>> = vec![None; units.len()];
    for (&i, c) in read.iter().zip(read_conf) {
        conf_of[i] = Some(c);
    }
    let conf = |i: usize| -> Result<ClaimConfidence> {
        conf_of[i]
            .as_ref()
            .map(|c| in_document(c, &units[i]))
            .ok_or_else(|| Error::Internal(format!("claim {i} was not read by the heads")))
    };
    // Every group's members toward its canonical claim, read as one batch (a call per group
    // left the pair model a handful of pairs at a time: one core, minutes of no progress on a
    // large corpus). The canonical claim is the group's claim whatever a model would say of it
    // to itself (a pair model reads a negated claim beside itself as a denial), so only the
    // other members are read against it.
    // What a member says of its canonical claim is the rule's (`StanceLabel::member_of`, on
    // whole sentences: a claim unit may have lost the frame that distances it) wherever a
    // judge grouped, and wherever the stance model is the pair model, judge or not: read
    // toward another sentence of the same claim the pair model takes a restatement in other
    // words for `discuss` (37% of the labelled set's member pairs right, the rule 93%; README,
    // "Members' stance when a judge groups"), so `require_agree` on its reading emptied every
    // group of `match --no-judge`. As with a judge, a member the rule finds distanced stays,
    // labelled `discuss`: the guide groups a distanced report of the same proposition (only a
    // denial is not a member), and dropping them cost recall for no precision (labelled set,
    // no judge, dev pair F1 0.297 kept, 0.259 dropped). The head keeps its own reading and
    // check, which it was made for. The model reads the members only where its reading is
    // used: the head's check, or a veto.
    let by_rule = judged || !h.stance.reads_vectors();
    let model_reads = !by_rule || opts.veto_disagree;
    let member_of =
        |c: usize, i: usize| StanceLabel::member_of(&units[c].sentence, &units[i].sentence);
    let member_pairs: Vec<(usize, usize)> = if model_reads {
        members
            .iter()
            .filter_map(|idx| idx.split_first())
            .flat_map(|(&c, rest)| rest.iter().map(move |&i| (c, i)))
            .collect()
    } else {
        Vec::new()
    };
    let mut member_stances = read_pairs(
        h,
        &texts,
        (!on_topic).then_some(v),
        &member_pairs,
        "group members (stance)",
        observer,
    )?
    .into_iter();
    // Groups that keep enough documents, with their related candidates, read in a second batch.
    let mut pending = Vec::with_capacity(groups.len());
    let mut pool = pool.into_iter();
    let mut emptied = 0;
    for (mut g, idx) in groups.into_iter().zip(members) {
        let Some(&c) = idx.first() else { continue };
        let near = pool.next().unwrap_or_default();
        let model: Vec<Option<StanceLabel>> = if model_reads {
            member_stances
                .by_ref()
                .take(idx.len() - 1)
                .map(Some)
                .collect()
        } else {
            vec![None; idx.len() - 1]
        };
        let mut kept = Vec::with_capacity(idx.len());
        let mut members = Vec::with_capacity(idx.len());
        // Claims moved out of the group, with their unit indices: the denial check below reads
        // their sentences and the judge's vectors by index.
        let mut removed: Vec<(usize, Related)> = Vec::new();
        for ((mut m, &i), model) in std::mem::take(&mut g.members)
            .into_iter()
            .zip(idx)
            .zip(std::iter::once(None).chain(model))
        {
            // The canonical claim asserts itself, whatever a model would read into it.
            let st = match &model {
                _ if i == c => StanceLabel::asserts_itself(),
                _ if by_rule => member_of(c, i),
                Some(st) => st.clone(),
                None => {
                    return Err(Error::Internal(format!(
                        "member {i} was not read by the stance model"
                    )));
                }
            };
            // A veto, and a member the head's check moves out, follow the related claims'
            // rule for `disagree` (`StanceLabel::related_to`): a model's `disagree` between two
            // sentences of one polarity is another claim's "not", no denial, and a member it
            // would veto stays.
            let toward = |l: StanceLabel| l.related_to(&units[c].sentence, &units[i].sentence);
            // And the denial floor, as for a related claim: a member under it is no denial.
            let denial = model
                .map(|l| toward(l).denial_at(m.score, opts.denial_floor))
                .filter(|s| opts.veto_disagree && s.stance == Stance::Disagree);
            let out = denial.or_else(|| {
                (opts.require_agree && !by_rule && st.stance != Stance::Agree)
                    .then(|| toward(st.clone()))
            });
            if let Some(out) = out {
                if matches!(out.stance, Stance::Disagree | Stance::Discuss) {
                    let related = Related {
                        unit: m.unit,
                        score: m.score,
                        stance: out,
                        confidence: Some(conf(i)?),
                    };
                    removed.push((i, related));
                }
                continue;
            }
            m.confidence = Some(conf(i)?);
            m.stance = Some(st);
            members.push(m);
            kept.push(i);
        }
        let mut docs: Vec<usize> = kept.iter().map(|&i| units[i].doc_index).collect();
        docs.sort_unstable();
        docs.dedup();
        if docs.len() < opts.grouping.min_docs.max(2) {
            emptied += 1;
            continue;
        }
        g.members = members;
        g.outlets = g.members.iter().map(|m| m.unit.outlet.clone()).collect();
        g.outlets.sort();
        g.outlets.dedup();
        g.confidence_spread = spread(&g.members);
        g.confidence_differs = g.confidence_spread.is_some();

        // Related: nearest claims from documents outside the group. Outside every document of
        // the group as it was found, as the claims the heads read were chosen (`read` in
        // `match_claims`): a member dropped above (read `unrelated`) would otherwise open its
        // document's other claims, which nothing read, and the run stopped on them.
        // (That covers the documents of the members taken out above too: related claims
        // already labelled, not candidates again.)
        let mut group_docs: Vec<usize> = idx.iter().map(|&i| units[i].doc_index).collect();
        group_docs.sort_unstable();
        group_docs.dedup();
        let cand = related_candidates(&near, &group_docs, c, units, story_of_doc);
        pending.push((g, c, removed, cand));
    }
    if pending.is_empty() && emptied > 0 {
        // Every group the vectors found, gone: say so, or the run reads as "no shared claims".
        let keep = match (opts.require_agree && !by_rule, opts.veto_disagree) {
            (true, true) => "--any-stance without --veto-disagree keeps them",
            (true, false) => "--any-stance keeps them",
            _ => "leaving out --veto-disagree keeps them",
        };
        observer.warn(&format!(
            "the stance check removed every group found ({emptied}): the members it moved to the \
             related claims left fewer than {} documents in each; {keep}",
            opts.grouping.min_docs.max(2)
        ));
    }
    let related_pairs: Vec<(usize, usize)> = pending
        .iter()
        .flat_map(|(_, c, _, cand)| cand.iter().map(move |&(j, _)| (*c, j)))
        .collect();
    let mut related_stances = read_pairs(
        h,
        &texts,
        (!on_topic).then_some(v),
        &related_pairs,
        "related claims (stance)",
        observer,
    )?
    .into_iter();
    let mut kept_groups = Vec::with_capacity(pending.len());
    for (g, c, mut removed, cand) in pending {
        for (&(j, score), stance) in cand.iter().zip(related_stances.by_ref().take(cand.len())) {
            let stance = stance
                .related_to(&units[c].sentence, &units[j].sentence)
                .denial_at(score, opts.denial_floor);
            if matches!(stance.stance, Stance::Disagree | Stance::Discuss) {
                let related = Related {
                    unit: units[j].clone(),
                    score,
                    stance,
                    confidence: Some(conf(j)?),
                };
                removed.push((j, related));
            }
        }
        kept_groups.push((g, c, removed));
    }
    if let Some(check) = judge {
        // Every group's denials in one batch of positive forms; checked before the lists are
        // cut, so that a demoted denial does not stand in for a nearer claim.
        let is_denial = |r: &Related| r.stance.stance == Stance::Disagree;
        let denials: Vec<(usize, usize)> = kept_groups
            .iter()
            .flat_map(|(_, c, removed)| {
                removed
                    .iter()
                    .filter(|(_, r)| is_denial(r))
                    .map(move |&(j, _)| (*c, j))
            })
            .collect();
        let stands = check.stands(&denials, units, observer)?;
        debug_assert_eq!(stands.len(), denials.len());
        let mut stands = stands.into_iter();
        for (_, _, removed) in &mut kept_groups {
            for (_, r) in removed.iter_mut().filter(|(_, r)| is_denial(r)) {
                if stands.next() == Some(false) {
                    r.stance = r.stance.clone().disagree_as_discuss();
                }
            }
        }
    }
    let mut kept_groups: Vec<MatchGroup> = kept_groups
        .into_iter()
        .map(|(mut g, _, removed)| {
            g.related = finish_related(removed.into_iter().map(|(_, r)| r).collect());
            g
        })
        .collect();
    // Filtering changed sizes: restore grouping's order, widest coverage first, then tightest.
    kept_groups.sort_by(|a, b| {
        let mean = |g: &MatchGroup| {
            g.members.iter().map(|m| m.score).sum::<f32>() / g.members.len() as f32
        };
        b.members
            .len()
            .cmp(&a.members.len())
            .then_with(|| mean(b).total_cmp(&mean(a)))
    });
    Ok(kept_groups)
}

/// Stance of each `(claim, text)` pair of claim indices, in order, in chunks of
/// `STANCE_CHUNK` pairs under one progress stage (each chunk selects its own base vectors for
/// the topic gate: all at once would hold two vectors per pair, hundreds of MB on a large
/// corpus). `v: None`: the pairs are on topic (`StanceModel::classify_on_topic`).
fn read_pairs(
    h: &Classifiers,
    texts: &[&str],
    v: Option<ArrayView2<f32>>,
    pairs: &[(usize, usize)],
    what: &str,
    observer: &dyn Observer,
) -> Result<Vec<StanceLabel>> {
    const STANCE_CHUNK: usize = 16_384;
    let mut out = Vec::with_capacity(pairs.len());
    if pairs.is_empty() {
        return Ok(out);
    }
    // A claim that negates is read in its positive form and each reading turned back
    // (`affirmed_claim`); the topic gate keeps the claim's own vector, as the topic is the same.
    let mut affirmed: std::collections::HashMap<usize, String> = std::collections::HashMap::new();
    if h.stance.reads_positive_forms() {
        let mut claims_read: Vec<usize> = pairs.iter().map(|&(c, _)| c).collect();
        claims_read.sort_unstable();
        claims_read.dedup();
        affirmed.extend(
            claims_read
                .into_iter()
                .filter_map(|c| affirmed_claim(texts[c]).map(|a| (c, a))),
        );
    }
    observer.start(what, Some(pairs.len() as u64));
    let progress = crate::observe::WithinStage(observer);
    for chunk in pairs.chunks(STANCE_CHUNK) {
        let (ci, ti): (Vec<usize>, Vec<usize>) = chunk.iter().copied().unzip();
        let claims: Vec<&str> = ci
            .iter()
            .map(|&i| affirmed.get(&i).map_or(texts[i], String::as_str))
            .collect();
        let others: Vec<&str> = ti.iter().map(|&i| texts[i]).collect();
        let read = match v {
            Some(v) => {
                let u = v.select(ndarray::Axis(0), &ci);
                let w = v.select(ndarray::Axis(0), &ti);
                h.stance
                    .classify(&claims, &others, u.view(), w.view(), &progress)?
            }
            None => h.stance.classify_on_topic(&claims, &others, &progress)?,
        };
        out.extend(ci.iter().zip(read).map(|(c, label)| {
            if affirmed.contains_key(c) {
                label.toward_negation()
            } else {
                label
            }
        }));
    }
    observer.finish();
    Ok(out)
}

/// For each canonical claim, its nearest claims at least `RELATED_FLOOR` similar, best first, a
/// few more than shown so that leaving out the group's own documents still leaves enough.
fn related_pool(
    v: ArrayView2<f32>,
    searcher: &dyn NeighbourSearch,
    canon: &[usize],
) -> Result<Vec<Vec<(usize, f32)>>> {
    const KEEP: usize = RELATED_CANDIDATES + 64;
    if canon.is_empty() {
        return Ok(Vec::new());
    }
    let queries = v.select(ndarray::Axis(0), canon);
    Ok(searcher
        .search_batch(queries.view(), KEEP)?
        .into_iter()
        .map(|ns| {
            ns.into_iter()
                .take_while(|n| n.score >= RELATED_FLOOR)
                .map(|n| (n.id, n.score))
                .collect()
        })
        .collect())
}

/// The claims of `near` (a canonical claim's nearest, best first) that may be its related
/// claims: from documents outside the group, of the canonical claim's story, the first few.
fn related_candidates(
    near: &[(usize, f32)],
    group_docs: &[usize],
    canonical: usize,
    units: &[ClaimUnit],
    story_of_doc: Option<&[usize]>,
) -> Vec<(usize, f32)> {
    let same_story = |j: usize| {
        story_of_doc.is_none_or(|s| s[units[j].doc_index] == s[units[canonical].doc_index])
    };
    near.iter()
        .copied()
        .filter(|&(j, _)| !group_docs.contains(&units[j].doc_index) && same_story(j))
        .take(RELATED_CANDIDATES)
        .collect()
}

/// Denials first (what a reader comparing outlets looks for), then by similarity; a few.
fn finish_related(mut related: Vec<Related>) -> Vec<Related> {
    related.sort_by(|a, b| {
        (b.stance.stance == Stance::Disagree)
            .cmp(&(a.stance.stance == Stance::Disagree))
            .then(b.score.total_cmp(&a.score))
    });
    related.truncate(RELATED_SHOWN);
    related
}

/// Drop the labels the models gave with probability under `min_prob`: a member's stance or
/// confidence goes (absent, not guessed), a related claim whose stance is unsure is no longer
/// listed and one whose confidence is unsure loses that label, and confidence spreads are
/// recomputed from the labels left, so no "hedge dropped" flag rests on an unsure label.
pub fn hide_unsure(result: &mut MatchResult, min_prob: f32) {
    for g in &mut result.groups {
        for m in &mut g.members {
            m.stance.take_if(|s| s.probability < min_prob);
            m.confidence.take_if(|c| c.probability < min_prob);
        }
        g.related.retain(|r| r.stance.probability >= min_prob);
        for r in &mut g.related {
            r.confidence.take_if(|c| c.probability < min_prob);
        }
        g.confidence_spread = spread(&g.members);
        g.confidence_differs = g.confidence_spread.is_some();
    }
}

/// Where outlets assert a group's claim at different confidence. Only members that assert it
/// count (stance `agree`; a stance hidden as unsure by `--min-prob` does not): a distanced report ("a video that ISIS claims
/// shows ...") is `high` by the guide, distancing being stance, not confidence, so counting it
/// would report the outlets that distance themselves as stating the claim "plainly". Only
/// levels words carry count: a hedged level needs a hedge cue in the member's main clause, so a
/// head's unexplained "moderate" never raises the flag. And outlets must differ: each outlet's
/// set of levels is compared, not each sentence's, so an article whose headline states what its
/// body hedges differs from an outlet that only states it (the headline dropped the hedge), but
/// two copies of one article (a page saved twice, the same wire text), each with the same
/// headline and body, do not.
fn spread(members: &[Member]) -> Option<ConfidenceSpread> {
    // A stance hidden as unsure (`--min-prob`) is no evidence that the member asserts.
    let asserts = |m: &&Member| m.stance.as_ref().is_some_and(|s| s.stance == Stance::Agree);
    let mut levels: Vec<LevelOutlets> = Vec::new();
    // Each outlet's levels, as a bit set over `Level`.
    let mut by_outlet: Vec<(&str, u8)> = Vec::new();
    for m in members.iter().filter(asserts) {
        let Some(c) = &m.confidence else { continue };
        let carried = match c.level {
            Level::High => true,
            Level::None => false,
            level => c.cues.iter().any(|q| {
                q.main_clause
                    && q.kind != crate::classify::cues::CueKind::Booster
                    && q.level == level
            }),
        };
        if !carried {
            continue;
        }
        let bit = 1u8 << (c.level as u8);
        match by_outlet.iter_mut().find(|(o, _)| *o == m.unit.outlet) {
            Some((_, set)) => *set |= bit,
            None => by_outlet.push((&m.unit.outlet, bit)),
        }
        let entry = match levels.iter_mut().position(|l| l.level == c.level) {
            Some(p) => &mut levels[p],
            None => {
                levels.push(LevelOutlets {
                    level: c.level,
                    outlets: Vec::new(),
                    cues: Vec::new(),
                });
                levels.last_mut()?
            }
        };
        if !entry.outlets.contains(&m.unit.outlet) {
            entry.outlets.push(m.unit.outlet.clone());
        }
        for q in c.cues.iter().filter(|q| q.main_clause) {
            let w = q.text.to_lowercase();
            if !entry.cues.contains(&w) {
                entry.cues.push(w);
            }
        }
    }
    let outlets_differ = by_outlet
        .first()
        .is_some_and(|f| by_outlet.iter().any(|o| o.1 != f.1));
    if levels.len() < 2 || !outlets_differ {
        return None;
    }
    levels.sort_by_key(|l| l.level);
    let describe = |l: &LevelOutlets| {
        let how = if l.cues.is_empty() {
            "plainly".to_string()
        } else {
            format!("with \"{}\"", l.cues.join("\", \""))
        };
        format!("{}: {} ({how})", l.level, l.outlets.join(", "))
    };
    let parts: Vec<String> = levels.iter().map(describe).collect();
    let what = if levels[0].level == Level::High {
        "hedge dropped"
    } else {
        "hedged differently"
    };
    // An outlet on both sides (a headline that states what its body hedges) is said to be, or
    // the note reads as two outlets where one wrote both.
    let both: Vec<&str> = by_outlet
        .iter()
        .filter(|(_, set)| set.count_ones() > 1)
        .map(|(o, _)| *o)
        .collect();
    let mut note = format!("{what}: {}", parts.join("; "));
    if !both.is_empty() {
        let _ = write!(note, " (at more than one level: {})", both.join(", "));
    }
    Some(ConfidenceSpread { levels, note })
}

#[cfg(test)]
mod wire_copy_tests {
    use super::*;

    fn group(scores: &[f32]) -> MatchGroup {
        let unit = |d: usize| ClaimUnit {
            doc: format!("d{d}"),
            outlet: format!("o{d}"),
            sentence: "Scroll down for video of the launch.".into(),
            start: 0,
            end: 10,
            claim: "Scroll down for video of the launch.".into(),
            sentence_start: 0,
            sentence_end: 10,
            doc_index: d,
        };
        let members: Vec<Member> = scores
            .iter()
            .enumerate()
            .map(|(d, &score)| Member {
                unit: unit(d),
                score,
                confidence: None,
                stance: None,
            })
            .collect();
        MatchGroup {
            story: "s1".into(),
            canonical: unit(0),
            outlets: (0..scores.len()).map(|d| format!("o{d}")).collect(),
            members,
            wire_copy: false,
            confidence_differs: false,
            confidence_spread: None,
            related: Vec::new(),
        }
    }

    #[test]
    fn near_identical_text_in_three_documents_is_wire_copy_and_goes_last() {
        let mut groups = vec![
            group(&[1.0, 0.99, 0.97, 0.98]),
            group(&[1.0, 0.80, 0.75]),
            group(&[1.0, 0.99]),
        ];
        mark_wire_copies(&mut groups);
        let flags: Vec<(usize, bool)> = groups
            .iter()
            .map(|g| (g.members.len(), g.wire_copy))
            .collect();
        // Reworded reports first; two documents are not yet syndication.
        assert_eq!(flags, [(3, false), (2, false), (4, true)]);
    }

    /// Two documents that share three near-identical groups are one text carried twice: each
    /// of those groups is copy. Three outlets quoting one statement word for word are not.
    #[test]
    fn two_copies_of_one_text_are_wire_copy_and_a_shared_quotation_is_not() {
        let with = |mut g: MatchGroup, sentence: &str| {
            for m in &mut g.members {
                m.unit.sentence = sentence.into();
            }
            g.canonical.sentence = sentence.into();
            g
        };
        let mut pair: Vec<MatchGroup> = (0..3).map(|_| group(&[1.0, 0.99])).collect();
        mark_wire_copies(&mut pair);
        assert!(pair.iter().all(|g| g.wire_copy));
        let mut two: Vec<MatchGroup> = (0..2).map(|_| group(&[1.0, 0.99])).collect();
        mark_wire_copies(&mut two);
        assert!(two.iter().all(|g| !g.wire_copy));
        let quoted = "“We will work with the United Kingdom and a broad coalition,” Obama said.";
        let mut q = vec![with(group(&[1.0, 0.99, 0.98]), quoted)];
        mark_wire_copies(&mut q);
        assert!(!q[0].wire_copy);
        // Two articles quoting one three-sentence statement in full share three groups of
        // quotation, not a text.
        let mut quoted_pair: Vec<MatchGroup> =
            (0..3).map(|_| with(group(&[1.0, 0.99]), quoted)).collect();
        mark_wire_copies(&mut quoted_pair);
        assert!(quoted_pair.iter().all(|g| !g.wire_copy));
        assert!(quotation("\"It is over,\" he said."));
        assert!(!quotation(
            "The minister said the \"plan\" would cut costs by half this year."
        ));
    }
}

#[cfg(test)]
mod spread_tests {
    use super::*;
    use crate::classify::cues::CueKind;

    /// A member of `outlet` at `level`, with a main-clause hedge cue when hedged, and `stance`.
    fn member(outlet: &str, level: Level, stance: Stance) -> Member {
        let cues = match level {
            Level::Moderate | Level::Low => vec![Cue {
                text: "likely".into(),
                start: 0,
                end: 6,
                level,
                kind: CueKind::Estimative,
                main_clause: true,
            }],
            _ => Vec::new(),
        };
        Member {
            unit: ClaimUnit {
                doc: outlet.into(),
                outlet: outlet.into(),
                sentence: "likely so".into(),
                start: 0,
                end: 9,
                claim: "likely so".into(),
                sentence_start: 0,
                sentence_end: 9,
                doc_index: 0,
            },
            score: 1.0,
            confidence: Some(ClaimConfidence {
                level,
                score: 0.0,
                cues,
                probability: 1.0,
            }),
            stance: Some(StanceLabel {
                stance,
                scores: crate::classify::stance::StanceScores {
                    agree: 1.0,
                    disagree: 0.0,
                    discuss: 0.0,
                    unrelated: 0.0,
                },
                probability: 1.0,
            }),
        }
    }

    #[test]
    fn outlets_not_sentences_differ_and_distanced_reports_do_not_count() {
        use Level::{High, Low, Moderate};
        use Stance::{Agree, Discuss};
        // The example corpus's Putin claim: one outlet's headline states what its body hedges,
        // another outlet only states it. The headline dropped the hedge: flagged.
        let putin = [
            member("BBC", High, Agree),
            member("Wire", High, Agree),
            member("BBC", Moderate, Agree),
        ];
        let s = spread(&putin).expect("flagged");
        assert!(
            s.note.starts_with("hedge dropped: high: BBC, Wire"),
            "{}",
            s.note
        );
        // BBC is on both sides: said, so the note does not read as two outlets.
        assert!(
            s.note.ends_with(" (at more than one level: BBC)"),
            "{}",
            s.note
        );
        // Two copies of one article (a page saved twice): the same levels, no difference
        // between outlets.
        let copies = [
            member("nytimes.com", High, Agree),
            member("nytimes-2", High, Agree),
            member("nytimes.com", Low, Agree),
            member("nytimes-2", Low, Agree),
        ];
        assert!(spread(&copies).is_none());
        // "A video that ISIS claims shows ...": distanced, `high` by the guide, is not an
        // outlet stating the claim plainly beside one that hedges it.
        let distanced = [member("A", High, Discuss), member("B", Low, Agree)];
        assert!(spread(&distanced).is_none());
        let hedged = [
            member("A", Moderate, Agree),
            member("B", Low, Agree),
            member("C", Low, Agree),
        ];
        let s = spread(&hedged).expect("flagged");
        assert!(s.note.starts_with("hedged differently"), "{}", s.note);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_items_numbers_and_labels_assert_nothing_short_sentences_do() {
        for nothing in [
            "5.",
            "10.",
            "2019",
            "—",
            "Germany",
            "Canada",
            "Page 2",
            ".embed-container {position: relative; height: 0;} iframe { top: 0; }",
        ] {
            assert!(asserts_nothing(nothing), "{nothing:?}");
        }
        for something in [
            // Elliptical sentences, closed as sentences: the labelled set groups them.
            "Hairgate.",
            "Not likely.",
            "I’m alive!",
            "回答した。",
            // The confidence rule's other `none`s can name a claim.
            "Did Russia interfere in the election?",
            "Nearly killed by Taliban sniper",
            "Russia denied it.",
        ] {
            assert!(!asserts_nothing(something), "{something:?}");
        }
    }

    #[test]
    fn the_gate_is_skipped_only_where_a_judge_chose_every_pair() {
        assert!(pairs_on_topic(true, 0.66, false));
        assert!(pairs_on_topic(true, RELATED_FLOOR, false));
        assert!(
            !pairs_on_topic(false, 0.66, false),
            "no judge: the base model's neighbours, the gate stays"
        );
        assert!(
            !pairs_on_topic(true, 0.30, false),
            "members under the related floor were never measured against the gate"
        );
        assert!(
            !pairs_on_topic(true, 0.66, true),
            "the stance head reads the vectors"
        );
    }
}
