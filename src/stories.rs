//! Documents grouped into stories: the set of documents about one event or report.
//!
//! Claims are matched within a story (the labelling guide: near-identical sentences about the
//! 2019 flood and the 2023 flood are different claims), and a large corpus is cut into stories
//! before matching. The evidence is document-level and cheap:
//!
//! - the **lead**: the title and the first sentences, embedded and averaged: what the article
//!   is about, as its writer put it first;
//! - **names and numbers** of the whole text (capitalised words that do not open a sentence,
//!   acronyms, figures, years): two reports of one event share their actors and figures, two
//!   reports of similar events share the words but not all the names and numbers;
//! - **dates**: two dated documents further apart than the window are never one story, and two
//!   documents whose leads (with a dated document's own year) name disjoint years ("the 2020
//!   election", "the 2022 midterms") are not either.
//!
//! Candidates come from the neighbour search over lead vectors (so a large corpus is never
//! compared all pairs against all pairs); stories are then formed by average linkage over the
//! candidate scores, a missing pair counting as 0, which keeps a chain A~B~C from joining A
//! and C on B alone. Names are found by a capitalisation rule written here: the NER models of
//! the Rust ecosystem download their weights at run time, which this tool does not do.

use std::collections::{BTreeSet, HashMap};

use chrono::Datelike;
use ndarray::Array2;
use serde::Serialize;

use crate::embed::Embedder;
use crate::error::{Error, Result};
use crate::index::{SearchConfig, Vectors, build_search};
use crate::lexicon::{MONTHS, SENTENCE_OPENERS, WEEKDAYS};
use crate::observe::Observer;
use crate::segment::{Segmented, SentenceKind};

#[derive(Debug, Clone, Copy, Serialize)]
pub struct StoryOptions {
    /// Average pair score from which documents are one story (chosen on the dev stories).
    pub threshold: f32,
    /// Weight of the name-and-number overlap (Jaccard) beside the lead cosine.
    pub entity_weight: f32,
    /// Dated documents further apart than this many days are different stories.
    pub date_window_days: i64,
    /// Text sentences after the title that make the lead.
    pub lead_sentences: usize,
    /// Candidate neighbours per document.
    pub k: usize,
}

impl Default for StoryOptions {
    fn default() -> Self {
        StoryOptions {
            // Chosen by `eval stories` on FNC-1 train: the best mean document-pair F2
            // (`eval::STORY_BETA`: a split story costs `match` more than a joined one) over its
            // dev half, the labelled dev stories and three samples of stories with same-topic
            // neighbours and of 40-50 reports (`tests/data/stories-samples`), every weight and
            // threshold tried. At the earlier 0.5 / 0.34 a lead cosine of 0.6 alone joined
            // reports of different events on one topic (two death hoaxes sharing "Nelson").
            threshold: 0.26,
            entity_weight: 1.5,
            date_window_days: 7,
            lead_sentences: 3,
            k: 20,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StoryDocument {
    pub doc: String,
    pub outlet: String,
    /// The date as the input gave it.
    pub date: Option<String>,
    /// The day it was read as (YYYY-MM-DD), or null when the document is undated for the
    /// date window (no date, or one not read: ambiguous, impossible).
    pub day: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Story {
    pub id: String,
    /// The title (or first sentence) of the story's most central document that states
    /// something; the most central one's when every title asks or exclaims.
    pub title: String,
    pub documents: Vec<StoryDocument>,
}

/// Stories, and for each input document the index of its story.
#[derive(Debug, Clone, Serialize)]
pub struct Stories {
    pub stories: Vec<Story>,
    #[serde(skip)]
    pub story_of: Vec<usize>,
}

/// What one document contributes as evidence.
struct Evidence {
    names: BTreeSet<String>,
    /// The years the lead names, and a dated document's own year.
    lead_years: BTreeSet<u32>,
    day: Option<i64>,
}

/// Capitalised words that name no actor: the calendar (`lexicon::WEEKDAYS`, `MONTHS`) and forms
/// of address. (Sentence openers such as "The" or "According" are `lexicon::SENTENCE_OPENERS`.)
const TITLES: &[&str] = &["mr", "mrs", "ms", "dr"];

fn not_a_name(lower: &str) -> bool {
    SENTENCE_OPENERS.contains(&lower)
        || TITLES.contains(&lower)
        || WEEKDAYS.contains(&lower)
        || MONTHS.contains(&lower)
}

fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '.' || c == ','))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
}

/// Names (lower-cased) and numbers of one sentence; the first word is a name only if it is an
/// acronym or a number, since every sentence opens with a capital.
fn names_and_numbers(sentence: &str, out: &mut BTreeSet<String>) {
    // A headline in Title Case capitalises every word: there only acronyms and numbers are
    // names ("Report Points To Russian Interference" would add "points", "to", ...), else a
    // Title-Case page shares fewer of its names with a plain report of the same event.
    let alphabetic: Vec<&str> = words(sentence)
        .filter(|w| w.chars().next().is_some_and(char::is_alphabetic))
        .collect();
    let capitalised = alphabetic
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count();
    // Names alone can fill most of a sentence ("Kim Jong Un met Donald Trump in Singapore"):
    // Title Case capitalises its small words too.
    const SMALL: &[&str] = &[
        "a", "an", "the", "to", "in", "of", "for", "on", "and", "by", "at", "with", "from", "as",
        "is", "are", "after", "over", "into", "but", "or",
    ];
    let small_capitalised = alphabetic.iter().skip(1).any(|w| {
        w.chars().next().is_some_and(char::is_uppercase)
            && SMALL.contains(&w.to_lowercase().as_str())
    });
    let title_case =
        alphabetic.len() >= 4 && capitalised * 10 >= alphabetic.len() * 7 && small_capitalised;
    // A sentence in capitals has no acronyms to tell apart: every word would be one, and two
    // wire reports of different crimes shared "police", "said", "a", "man".
    let upper_words = alphabetic
        .iter()
        .filter(|w| w.chars().count() > 1 && !w.chars().any(char::is_lowercase))
        .count();
    let all_caps = alphabetic.len() >= 4 && upper_words * 10 >= alphabetic.len() * 7;
    for (i, w) in words(sentence).enumerate() {
        let first = w.chars().next().unwrap_or(' ');
        if first.is_ascii_digit() {
            let n: String = w.chars().filter(|c| *c != ',').collect();
            // A single digit ("2 people", "1 of 3") is in most reports of anything: it joined
            // a story of Facebook's purchases to one of Yahoo's sale on "1".
            if n.len() > 1 {
                out.insert(n);
            }
            continue;
        }
        let upper = w.chars().filter(|c| c.is_uppercase()).count();
        let acronym = !all_caps && upper >= 2 && upper * 2 >= w.chars().count();
        // A brand written with an inner capital ("iPhone", "eBay") is a name wherever it is.
        let inner = first.is_lowercase() && w.chars().skip(1).any(char::is_uppercase);
        if (first.is_uppercase() && i > 0 && !title_case) || acronym || inner {
            let l = w
                .trim_end_matches("'s")
                .trim_end_matches("’s")
                .to_lowercase();
            if l.chars().count() > 1 && !not_a_name(&l) {
                out.insert(l);
            }
        }
    }
}

fn years(s: &str, out: &mut BTreeSet<u32>) {
    for w in words(s) {
        if w.len() == 4
            && let Ok(y) = w.parse::<u32>()
            && (1900..2100).contains(&y)
        {
            out.insert(y);
        }
    }
}

/// Days since 1970-01-01 of a day.
fn day_number(d: chrono::NaiveDate) -> Option<i64> {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
    Some((d - epoch).num_days())
}

/// The lead's texts: the title, then the first text sentences.
fn lead(d: &Segmented, n: usize) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    if let Some(t) = d.title.as_deref() {
        out.push(t);
    } else if let Some(s) = d.sentences.iter().find(|s| s.kind == SentenceKind::Title) {
        out.push(&s.text);
    }
    out.extend(
        d.sentences
            .iter()
            .filter(|s| s.kind == SentenceKind::Text)
            .take(n)
            .map(|s| s.text.as_str()),
    );
    if out.is_empty()
        && let Some(s) = d.sentences.first()
    {
        out.push(&s.text);
    }
    out
}

/// Jaccard of two ascending lists of name ids.
fn jaccard(a: &[u32], b: &[u32]) -> f32 {
    let (mut i, mut j, mut inter) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                inter += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f32 / union as f32
    }
}

/// May two documents be one story at all (dates, years)? Two dated documents are held to the
/// date window alone: the years their leads name also held them apart before, and split
/// same-day reports of one shooting because one lead gave the gunman's birth year. Beside an
/// undated document, the years of the leads decide (a dated document's own year among them).
fn compatible(a: &Evidence, b: &Evidence, window: i64) -> bool {
    let disjoint =
        |x: &BTreeSet<u32>, y: &BTreeSet<u32>| !x.is_empty() && !y.is_empty() && x.is_disjoint(y);
    match (a.day, b.day) {
        (Some(x), Some(y)) => (x - y).abs() <= window,
        _ => !disjoint(&a.lead_years, &b.lead_years),
    }
}

/// Group `docs` into stories.
pub fn stories(
    docs: &[Segmented],
    embedder: &Embedder,
    opts: &StoryOptions,
    observer: &dyn Observer,
) -> Result<Stories> {
    Ok(StoryGraph::build(docs, embedder, opts, observer)?
        .stories(opts.threshold, opts.entity_weight))
}

/// Each document's lead vector (row `i` for `docs[i]`): the mean of its lead sentences'
/// vectors, renormalised. The only step of the story grouping that runs the model, so a
/// cluster computes it on its workers, a slice of the documents each, and the one process
/// that must see every document only links them (`stories_with_leads`).
pub fn lead_vectors(
    docs: &[Segmented],
    embedder: &Embedder,
    opts: &StoryOptions,
    observer: &dyn Observer,
) -> Result<Array2<f32>> {
    let leads: Vec<Vec<&str>> = docs.iter().map(|d| lead(d, opts.lead_sentences)).collect();
    let flat: Vec<&str> = leads.iter().flatten().copied().collect();
    let mut lead_vecs = Array2::<f32>::zeros((docs.len(), embedder.dim()));
    if flat.is_empty() {
        return Ok(lead_vecs);
    }
    let v = embedder
        .embed_all(&flat, "lead sentences", observer)?
        .vectors;
    let mut row = 0;
    for (i, l) in leads.iter().enumerate() {
        let mut acc = lead_vecs.row_mut(i);
        for _ in 0..l.len() {
            acc += &v.row(row);
            row += 1;
        }
        let norm = acc.dot(&acc).sqrt().max(1e-12);
        acc /= norm;
    }
    Ok(lead_vecs)
}

/// Lead vectors fit `n` documents: one row each, of some width, every value finite (`name`
/// gives document `i`'s id for the message). Vectors of other documents of the same number
/// cannot be told from these, so the caller keeps the two together.
pub fn check_lead_vectors(
    lead_vecs: ndarray::ArrayView2<f32>,
    n: usize,
    name: impl Fn(usize) -> String,
) -> Result<()> {
    if lead_vecs.nrows() != n || (n > 0 && lead_vecs.ncols() == 0) {
        return Err(Error::Input(format!(
            "{} lead vectors of {} values for {} documents: give one per document, in their \
             order, as lead_vectors returns them",
            lead_vecs.nrows(),
            lead_vecs.ncols(),
            n
        )));
    }
    if let Some((i, _)) = lead_vecs
        .rows()
        .into_iter()
        .enumerate()
        .find(|(_, r)| r.iter().any(|x| !x.is_finite()))
    {
        return Err(Error::Input(format!(
            "the lead vector of document {i} ({}) holds a value that is not a finite number: \
             compute it again with lead_vectors",
            name(i)
        )));
    }
    Ok(())
}

/// Group `docs` into stories from lead vectors computed before (`lead_vectors`, on these
/// documents with these options): the same stories as `stories`, without the model.
pub fn stories_with_leads(
    docs: &[Segmented],
    lead_vecs: Array2<f32>,
    opts: &StoryOptions,
    observer: &dyn Observer,
) -> Result<Stories> {
    Ok(StoryGraph::with_leads(docs, lead_vecs, opts, observer)?
        .stories(opts.threshold, opts.entity_weight))
}

/// The evidence of a corpus and its candidate pairs with their lead cosine and name overlap:
/// everything but the threshold and the overlap's weight, so a sweep embeds the leads once.
pub struct StoryGraph<'a> {
    docs: &'a [Segmented],
    /// First lead text of each document (its title, or first sentence).
    titles: Vec<String>,
    lead_vecs: Array2<f32>,
    evidence: Vec<Evidence>,
    /// (lead cosine, name-and-number Jaccard) of each candidate pair.
    pairs: HashMap<(usize, usize), (f32, f32)>,
    /// Each document's names and numbers as ascending ids: the overlap of two is a merge of
    /// integers, not of strings (average linkage scores every member pair of two clusters
    /// that meet, millions for a story of thousands of documents).
    name_ids: Vec<Vec<u32>>,
    date_window_days: i64,
}

impl<'a> StoryGraph<'a> {
    pub fn build(
        docs: &'a [Segmented],
        embedder: &Embedder,
        opts: &StoryOptions,
        observer: &dyn Observer,
    ) -> Result<Self> {
        let lead_vecs = lead_vectors(docs, embedder, opts, observer)?;
        Self::with_leads(docs, lead_vecs, opts, observer)
    }

    /// The graph from lead vectors computed before (`lead_vectors`), checked by
    /// `check_lead_vectors`.
    pub fn with_leads(
        docs: &'a [Segmented],
        lead_vecs: Array2<f32>,
        opts: &StoryOptions,
        observer: &dyn Observer,
    ) -> Result<Self> {
        let n = docs.len();
        check_lead_vectors(lead_vecs.view(), n, |i| docs[i].doc.clone())?;
        if n == 0 {
            return Ok(StoryGraph {
                docs,
                titles: Vec::new(),
                lead_vecs,
                evidence: Vec::new(),
                pairs: HashMap::new(),
                name_ids: Vec::new(),
                date_window_days: opts.date_window_days,
            });
        }
        let leads: Vec<Vec<&str>> = docs.iter().map(|d| lead(d, opts.lead_sentences)).collect();
        let evidence: Vec<Evidence> = docs
            .iter()
            .zip(&leads)
            .map(|(d, l)| {
                let mut names = BTreeSet::new();
                for s in &d.sentences {
                    names_and_numbers(&s.text, &mut names);
                }
                if let Some(t) = &d.title {
                    names_and_numbers(t, &mut names);
                }
                let mut lead_years = BTreeSet::new();
                for s in l {
                    years(s, &mut lead_years);
                }
                // A dated report is about its own year too (000 of the example corpus, dated
                // 2021, leads with "the 2020 election"). The other years its lead names stay:
                // beside an undated copy of the same text they are what the two share.
                let day = d.date.as_deref().and_then(crate::dates::day_of);
                if let Some(day) = day {
                    lead_years.insert(day.year() as u32);
                }
                Evidence {
                    names,
                    lead_years,
                    day: day.and_then(day_number),
                }
            })
            .collect();

        let mut ids: HashMap<&str, u32> = HashMap::new();
        let name_ids: Vec<Vec<u32>> = evidence
            .iter()
            .map(|e| {
                let mut v: Vec<u32> = e
                    .names
                    .iter()
                    .map(|n| {
                        let next = ids.len() as u32;
                        *ids.entry(n.as_str()).or_insert(next)
                    })
                    .collect();
                v.sort_unstable();
                v
            })
            .collect();
        let parts = |i: usize, j: usize| -> (f32, f32) {
            (
                lead_vecs.row(i).dot(&lead_vecs.row(j)),
                jaccard(&name_ids[i], &name_ids[j]),
            )
        };
        crate::observe::go_on(observer)?;
        // Candidate pairs from the neighbour search over lead vectors.
        let searcher = build_search(
            Vectors::from_view(lead_vecs.view())?,
            &SearchConfig::default(),
        )?;
        let k = opts.k.min(n.saturating_sub(1));
        let mut pair: HashMap<(usize, usize), (f32, f32)> = HashMap::new();
        if k > 0 {
            let ok = |q: usize, id: usize| {
                compatible(&evidence[q], &evidence[id], opts.date_window_days)
            };
            for (i, ns) in searcher
                .all_neighbours(k, Some(&ok))?
                .into_iter()
                .enumerate()
            {
                for nb in ns {
                    let key = (i.min(nb.id), i.max(nb.id));
                    pair.entry(key).or_insert_with(|| parts(key.0, key.1));
                }
            }
        }
        Ok(StoryGraph {
            docs,
            titles: leads
                .iter()
                .map(|l| l.first().map_or(String::new(), |t| t.to_string()))
                .collect(),
            lead_vecs,
            evidence,
            pairs: pair,
            name_ids,
            date_window_days: opts.date_window_days,
        })
    }

    /// Stories at `threshold` (mean pair score), a pair scoring its lead cosine and
    /// `entity_weight` times its name overlap, over `1 + entity_weight`.
    pub fn stories(&self, threshold: f32, entity_weight: f32) -> Stories {
        let (docs, lead_vecs, evidence) = (self.docs, &self.lead_vecs, &self.evidence);
        let n = docs.len();
        let window = self.date_window_days;
        let combine =
            |cos: f32, overlap: f32| (cos + entity_weight * overlap) / (1.0 + entity_weight);
        let scores: HashMap<(usize, usize), f32> = self
            .pairs
            .iter()
            .map(|(&k, &(cos, overlap))| (k, combine(cos, overlap)))
            .collect();
        let exact = |i: usize, j: usize| -> f32 {
            combine(
                lead_vecs.row(i).dot(&lead_vecs.row(j)),
                jaccard(&self.name_ids[i], &self.name_ids[j]),
            )
        };
        let clusters = average_linkage(n, &scores, exact, threshold, |a, b| {
            a.iter().all(|&i| {
                b.iter()
                    .all(|&j| compatible(&evidence[i], &evidence[j], window))
            })
        });

        let mut story_of = vec![0; n];
        let mut out = Vec::with_capacity(clusters.len());
        for (si, members) in clusters.iter().enumerate() {
            for &i in members {
                story_of[i] = si;
            }
            // A document's centrality: the sum of its lead's cosines to the other members'.
            // Summed pair by pair for a story of a few documents (as it always was, so ties fall
            // as before); a large one through the sum of its vectors, x . sum - x . x, since
            // pair by pair it costs the square of its size (5,000 documents: 25M products).
            let total = (members.len() > 64).then(|| {
                members.iter().fold(
                    ndarray::Array1::<f32>::zeros(lead_vecs.ncols()),
                    |acc, &y| acc + lead_vecs.row(y),
                )
            });
            let s = |x: usize| -> f32 {
                let v = lead_vecs.row(x);
                match &total {
                    Some(t) => v.dot(t) - v.dot(&v),
                    None => members
                        .iter()
                        .filter(|&&y| y != x)
                        .map(|&y| v.dot(&lead_vecs.row(y)))
                        .sum(),
                }
            };
            // The title a reader sees: the most central document's, unless it asks or
            // exclaims ("Did you see the Bugatti ...?", "Holy Motor City gossip!"), which names
            // no event; then the most central one that states something.
            let mut by_centrality: Vec<(f32, usize)> = members.iter().map(|&x| (s(x), x)).collect();
            by_centrality.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let title = by_centrality
                .iter()
                .map(|&(_, x)| &self.titles[x])
                .find(|t| states(t))
                .or_else(|| by_centrality.first().map(|&(_, x)| &self.titles[x]))
                .cloned()
                .unwrap_or_default();
            out.push(Story {
                id: format!("s{}", si + 1),
                title,
                documents: members
                    .iter()
                    .map(|&i| StoryDocument {
                        doc: docs[i].doc.clone(),
                        outlet: docs[i].outlet.clone(),
                        date: docs[i].date.clone(),
                        day: docs[i]
                            .date
                            .as_deref()
                            .and_then(crate::dates::day_of)
                            .map(|d| d.format("%Y-%m-%d").to_string()),
                    })
                    .collect(),
            });
        }
        Stories {
            stories: out,
            story_of,
        }
    }
}

/// Average linkage over a sparse candidate graph: merge the two clusters with the highest mean
/// pair score while it is at least `threshold` and `may_join` allows. Two clusters are compared
/// only when a candidate pair joins them (two clusters with none between them score 0), and then
/// over every pair of their members: a pair the candidate search did not list is scored by
/// `score`. Counting such pairs as 0 instead cut every story of more documents than the search's
/// neighbours into pieces (50 reports of one beheading came out as six stories at 20
/// neighbours: most of each report's fellows were never listed, and each absent pair pulled the
/// mean down). Clusters come out ordered by their smallest member, members ascending.
///
/// Written here because the clustering crates (kodama and the like) take a dense condensed
/// matrix, n^2 memory for n documents, and have no veto. The best pair comes off a max-heap
/// whose entries go stale when either cluster changes (each cluster carries a version), so a
/// merge costs the merged cluster's neighbours, not a scan of every pair (the scan this
/// replaced grew with the square of the corpus: 3.2 s for 5,583 documents of 20 candidates
/// each, against 0.05 s; 20,000 documents 0.34 s, measured when absent pairs counted 0).
/// Scoring every member pair makes a story of S documents cost about S^2 / 2 pair scores as it
/// forms, whatever the corpus around it: an independent review measured 25 s for one story of
/// 5,000 documents with the names compared as strings, before they became integer ids (not
/// measured since). `may_join` only ever sees larger clusters
/// as they grow, and a veto between two members stays a veto, so a refused pair is dropped
/// until one of its clusters changes.
fn average_linkage(
    n: usize,
    pairs: &HashMap<(usize, usize), f32>,
    score: impl Fn(usize, usize) -> f32,
    threshold: f32,
    may_join: impl Fn(&[usize], &[usize]) -> bool,
) -> Vec<Vec<usize>> {
    use std::cmp::{Ordering, Reverse};
    use std::collections::BinaryHeap;

    /// Highest mean first; among equal means the smaller (a, b), as a scan in key order would.
    struct Entry {
        avg: f32,
        pair: Reverse<(usize, usize)>,
        versions: (u32, u32),
    }
    impl PartialEq for Entry {
        fn eq(&self, other: &Self) -> bool {
            self.cmp(other) == Ordering::Equal
        }
    }
    impl Eq for Entry {}
    impl PartialOrd for Entry {
        fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
            Some(self.cmp(other))
        }
    }
    impl Ord for Entry {
        fn cmp(&self, other: &Self) -> Ordering {
            self.avg
                .total_cmp(&other.avg)
                .then_with(|| self.pair.cmp(&other.pair))
        }
    }

    let mut members: Vec<Option<Vec<usize>>> = (0..n).map(|i| Some(vec![i])).collect();
    let mut version = vec![0u32; n];
    // Sum of pair scores from each live cluster to its neighbours, over all their member pairs.
    let mut sums: Vec<HashMap<usize, f32>> = vec![HashMap::new(); n];
    for (&(a, b), &s) in pairs {
        if a < n && b < n && a != b {
            sums[a].insert(b, s);
            sums[b].insert(a, s);
        }
    }
    let mut heap = BinaryHeap::new();
    let push = |heap: &mut BinaryHeap<Entry>,
                members: &[Option<Vec<usize>>],
                version: &[u32],
                a: usize,
                b: usize,
                s: f32| {
        let (a, b) = (a.min(b), a.max(b));
        let (Some(ma), Some(mb)) = (&members[a], &members[b]) else {
            return;
        };
        let avg = s / (ma.len() * mb.len()) as f32;
        if avg >= threshold {
            heap.push(Entry {
                avg,
                pair: Reverse((a, b)),
                versions: (version[a], version[b]),
            });
        }
    };
    for (a, row) in sums.iter().enumerate() {
        for (&b, &s) in row {
            if a < b {
                push(&mut heap, &members, &version, a, b, s);
            }
        }
    }
    while let Some(e) = heap.pop() {
        let Reverse((a, b)) = e.pair;
        if (version[a], version[b]) != e.versions {
            continue;
        }
        let (Some(ma), Some(mb)) = (&members[a], &members[b]) else {
            continue;
        };
        if !may_join(ma, mb) {
            continue;
        }
        // Merge b into a.
        let Some(mb) = members[b].take() else {
            continue;
        };
        let Some(ma) = members[a].take() else {
            continue;
        };
        version[a] += 1;
        version[b] += 1;
        // The merged cluster's sum with each neighbour of either part. A part that was not a
        // neighbour of it has its member pairs scored now, so every sum stays one over all
        // member pairs.
        let from_a = std::mem::take(&mut sums[a]);
        let from_b = std::mem::take(&mut sums[b]);
        let score = &score;
        let part = |of: &[usize], c: usize, known: Option<&f32>, members: &[Option<Vec<usize>>]| {
            known.copied().unwrap_or_else(|| {
                members[c].as_deref().map_or(0.0, |mc| {
                    of.iter()
                        .flat_map(|&i| mc.iter().map(move |&j| score(i, j)))
                        .sum()
                })
            })
        };
        let mut next: HashMap<usize, f32> = HashMap::new();
        for &c in from_a.keys().chain(from_b.keys()) {
            if c == a || c == b || next.contains_key(&c) {
                continue;
            }
            let total =
                part(&ma, c, from_a.get(&c), &members) + part(&mb, c, from_b.get(&c), &members);
            sums[c].remove(&b);
            sums[c].insert(a, total);
            next.insert(c, total);
        }
        sums[a] = next;
        let mut merged = ma;
        merged.extend(mb);
        merged.sort_unstable();
        members[a] = Some(merged);
        // Every neighbour of the new cluster has a new mean with it.
        let row: Vec<(usize, f32)> = sums[a].iter().map(|(&c, &s)| (c, s)).collect();
        for (c, s) in row {
            push(&mut heap, &members, &version, a, c, s);
        }
    }
    let mut out: Vec<Vec<usize>> = members.into_iter().flatten().collect();
    out.sort_by_key(|m| m[0]);
    out
}

/// Whether a title states something: not a question or an exclamation. Short last parts
/// after a separator may be a site's or a section's name ("Has Banksy been arrested? | UK News
/// | BBC News": a title read from a record keeps the suffixes the page importer strips), so the
/// title and what comes before each of them must all state; closing quotes, an ellipsis and a
/// short tag in brackets ("(VIDEO)") are looked past.
fn states(title: &str) -> bool {
    const SEPARATORS: [&str; 5] = [" - ", " | ", " \u{b7} ", " \u{2013} ", " \u{2014} "];
    // The whole title, then up to three parts before short suffixes.
    let mut part = title;
    for _ in 0..=3 {
        if asks(part) {
            return false;
        }
        match SEPARATORS
            .iter()
            .filter_map(|m| part.rfind(m))
            .max()
            .filter(|&at| part.len() - at <= 60)
        {
            Some(at) => part = &part[..at],
            None => break,
        }
    }
    true
}

/// Whether a title, or the part of one before a site's name, ends in a question or an
/// exclamation, or holds nothing.
fn asks(title: &str) -> bool {
    let mut end = title;
    loop {
        let before = end;
        end = end.trim_end_matches(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '"' | '\'' | '.' | '\u{2026}' | '\u{201d}' | '\u{2019}' | '\u{bb}' | '\u{203a}'
                )
        });
        if end.ends_with([')', ']']) {
            // A short tag after the title goes whole ("(VIDEO)"); otherwise only the bracket,
            // so that a bracketed question still ends in its question mark.
            end = match end.rfind(['(', '[']) {
                Some(open) if open > 0 && end.len() - open <= 20 => &end[..open],
                _ => &end[..end.len() - 1],
            };
        }
        if end == before {
            break;
        }
    }
    end.is_empty() || end.ends_with(['?', '!'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_and_exclamations_state_nothing() {
        for t in [
            "Banksy arrested in London, reports say",
            "Report: \"Russia interfered\"",
            "Police say \u{201c}no arrest\u{201d}",
            "Banksy arrested in London - BBC News",
            "What we know about the arrest, and what we do not - a long subtitle of many words",
            "Banksy arrested (VIDEO)",
        ] {
            assert!(states(t), "{t}");
        }
        for t in [
            "Did you see the Bugatti?",
            "Holy Motor City gossip!",
            "Is he really dead?\u{201d} ",
            "(Is this real?)",
            "\u{00ab}Is Banksy arrested?\u{00bb}",
            "Has Banksy been arrested in London? - BBC News",
            "Banksy arrested! | The Sun",
            "Is the pandemic over? (VIDEO)",
            "Is the pandemic over?\u{2026}",
            "Has the pandemic ended? \u{b7} BBC News",
            "Has the pandemic ended? - The Independent Online Edition, World News",
            "Has Banksy been arrested? | UK News | BBC News",
            "[Has Banksy been arrested in London?]",
            "Is the pandemic over? (and what happens next?)",
            "",
        ] {
            assert!(!states(t), "{t}");
        }
    }

    #[test]
    fn names_skip_the_opening_capital_but_keep_acronyms_and_numbers() {
        let mut s = BTreeSet::new();
        names_and_numbers(
            "The report by the ODNI says Putin authorised 15 operations in 2020, 3 of them on iPhone.",
            &mut s,
        );
        let got: Vec<&str> = s.iter().map(String::as_str).collect();
        assert_eq!(got, ["15", "2020", "iphone", "odni", "putin"]);
        let mut s = BTreeSet::new();
        names_and_numbers(
            "Report Points To Russian Interference In 2020 US Election",
            &mut s,
        );
        let got: Vec<&str> = s.iter().map(String::as_str).collect();
        assert_eq!(got, ["2020", "us"]);
        let mut s = BTreeSet::new();
        names_and_numbers("Kim Jong Un met Donald Trump in Singapore.", &mut s);
        let got: Vec<&str> = s.iter().map(String::as_str).collect();
        assert_eq!(got, ["donald", "jong", "singapore", "trump", "un"]);
        let mut s = BTreeSet::new();
        names_and_numbers("POLICE SAID A MAN WAS STABBED IN LEEDS ON 12 MAY", &mut s);
        let got: Vec<&str> = s.iter().map(String::as_str).collect();
        assert_eq!(got, ["12"]);
    }

    #[test]
    fn dates_and_years_keep_stories_apart() {
        // `own`: the dated document's own year, which joins the named ones in `lead_years`.
        let ev = |day: Option<i64>, named: &[u32], own: Option<u32>| Evidence {
            names: BTreeSet::new(),
            lead_years: named.iter().copied().chain(own).collect(),
            day,
        };
        assert!(compatible(
            &ev(Some(10), &[], None),
            &ev(Some(15), &[], None),
            7
        ));
        assert!(!compatible(
            &ev(Some(10), &[], None),
            &ev(Some(400), &[], None),
            7
        ));
        assert!(!compatible(
            &ev(None, &[2020], None),
            &ev(None, &[2022, 2018], None),
            7
        ));
        assert!(compatible(
            &ev(None, &[2020], None),
            &ev(None, &[], None),
            7
        ));
        // 31 December 2020 and 1 January 2021: one day apart, one story may hold both.
        let dec31 = ev(Some(18627), &[], Some(2020));
        let jan1 = ev(Some(18628), &[], Some(2021));
        assert!(compatible(&dec31, &jan1, 7));
        // Two dated documents in the window are not parted by the years their leads name (a
        // birth year, a target); the own year still parts an undated one.
        assert!(compatible(
            &ev(Some(10), &[2019], Some(2020)),
            &ev(Some(12), &[2023], Some(2020)),
            7
        ));
        assert!(!compatible(&dec31, &ev(None, &[2022], None), 7));
        let day = |s: &str| crate::dates::day_of(s).and_then(day_number);
        assert_eq!(day("1970-01-02"), Some(1));
        assert_eq!(day("2021-03-17T10:00"), day("2021-03-17"));
        assert_eq!(day("17 March 2021"), day("2021-03-17"));
        assert_eq!(day("March 2021"), None);
    }

    #[test]
    fn average_linkage_does_not_chain() {
        // 0~1 and 1~2 are strong, 0~2 absent: the mean of 2 with {0, 1} is (0.9 + 0) / 2.
        let pairs: HashMap<(usize, usize), f32> =
            [((0, 1), 0.9), ((1, 2), 0.9), ((3, 4), 0.7)].into();
        let none = |_, _| 0.0;
        let c = average_linkage(5, &pairs, none, 0.6, |_, _| true);
        assert_eq!(c, vec![vec![0, 1], vec![2], vec![3, 4]]);
        // A veto keeps even a strong pair apart.
        let c = average_linkage(5, &pairs, none, 0.6, |a, b| {
            !(a.contains(&3) && b.contains(&4))
        });
        assert_eq!(c, vec![vec![0, 1], vec![2], vec![3], vec![4]]);
    }

    /// The definition, as a plain scan: every round, over every two live clusters that a
    /// candidate pair joins, the mean of `score` over all their member pairs; the best
    /// compatible one merges.
    fn average_linkage_by_scan(
        n: usize,
        pairs: &HashMap<(usize, usize), f32>,
        score: impl Fn(usize, usize) -> f32,
        threshold: f32,
        may_join: impl Fn(&[usize], &[usize]) -> bool,
    ) -> Vec<Vec<usize>> {
        let mut members: Vec<Option<Vec<usize>>> = (0..n).map(|i| Some(vec![i])).collect();
        loop {
            let mut best: Option<(f32, usize, usize)> = None;
            for a in 0..n {
                for b in a + 1..n {
                    let (Some(ma), Some(mb)) = (&members[a], &members[b]) else {
                        continue;
                    };
                    let joined = ma.iter().any(|&i| {
                        mb.iter()
                            .any(|&j| pairs.contains_key(&(i.min(j), i.max(j))))
                    });
                    if !joined {
                        continue;
                    }
                    // Summed in the order the heap's merges add them up is not the point: the
                    // scores are on a grid that f32 sums exactly.
                    let sum: f32 = ma
                        .iter()
                        .flat_map(|&i| mb.iter().map(move |&j| (i, j)))
                        .map(|(i, j)| score(i, j))
                        .sum();
                    let avg = sum / (ma.len() * mb.len()) as f32;
                    if avg >= threshold && may_join(ma, mb) && best.is_none_or(|(x, _, _)| avg > x)
                    {
                        best = Some((avg, a, b));
                    }
                }
            }
            let Some((_, a, b)) = best else { break };
            let mb = members[b].take().expect("live");
            let ma = members[a].as_mut().expect("live");
            ma.extend(mb);
            ma.sort_unstable();
        }
        let mut out: Vec<Vec<usize>> = members.into_iter().flatten().collect();
        out.sort_by_key(|m| m[0]);
        out
    }

    #[test]
    fn average_linkage_by_heap_is_the_scan() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for round in 0..300 {
            let n = rng.random_range(2..40);
            // Every pair has a score (on a coarse grid of quarters, so that ties and their
            // order are tested and sums are exact); the candidates are some of them.
            let grid: Vec<Vec<f32>> = (0..n)
                .map(|_| {
                    (0..n)
                        .map(|_| f32::from(rng.random_range(0u8..=4)) / 4.0)
                        .collect()
                })
                .collect();
            let score = |i: usize, j: usize| grid[i.min(j)][i.max(j)];
            let mut pairs = HashMap::new();
            for _ in 0..rng.random_range(0..n * 4) {
                let (a, b) = (rng.random_range(0..n), rng.random_range(0..n));
                if a != b {
                    let (a, b) = (a.min(b), a.max(b));
                    pairs.insert((a, b), score(a, b));
                }
            }
            // Some documents may never share a story (as two dates too far apart).
            let apart: Vec<(usize, usize)> = (0..rng.random_range(0..4))
                .map(|_| (rng.random_range(0..n), rng.random_range(0..n)))
                .collect();
            let may_join = |x: &[usize], y: &[usize]| {
                !apart.iter().any(|&(p, q)| {
                    (x.contains(&p) && y.contains(&q)) || (x.contains(&q) && y.contains(&p))
                })
            };
            let t = f32::from(rng.random_range(1u8..=8)) / 10.0;
            assert_eq!(
                average_linkage(n, &pairs, score, t, may_join),
                average_linkage_by_scan(n, &pairs, score, t, may_join),
                "round {round}: n {n}, threshold {t}, pairs {pairs:?}, apart {apart:?}"
            );
        }
    }
}
