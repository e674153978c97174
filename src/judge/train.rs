//! Training the same-claim judge: all-MiniLM-L6-v2 fine-tuned so that two news sentences asserting the
//! same core claim in different words land close, and same-topic sentences with another claim
//! do not.
//!
//! Why a fine-tuned bi-encoder rather than a cross-encoder: measured here, cross-encoders tuned
//! on paraphrase data scored *worse* on cross-outlet news than plain cosine (the data, not the
//! architecture, was the problem), and a bi-encoder keeps `match` on the neighbour index and
//! the fast encoder: the judge is just another sentence-transformers model directory.
//!
//! Two objectives. `train_groups` (the shipped judge) learns from hand-labelled stories: every
//! cross-document pair of a batch of one story, same claim group against the rest. `train`
//! (`--objective pairs`) learns from pairs. Silver pairs are mined from FNC-1 *train*: for every
//! headline, the sentence of each body that FNC-1 labels `agree` that is closest to the
//! headline states it, so (headline, that sentence) and (that sentence, the same of another
//! agreeing body) are pairs asserting one claim in two outlets' words. Batches never hold two
//! pairs of one story, so the other pairs of a batch are true negatives (multiple-negatives
//! ranking loss, as sentence-transformers trains its own models). Stories of the hand-labelled
//! dev set are left out entirely. Training runs in candle (autograd, AdamW), seeded.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor, Var};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use serde::Serialize;

use crate::classify::stance::Stance;
use crate::classify::stance::data::load_fnc1;
use crate::devset::StoryComponents;
use crate::embed::{Embedder, ModelFiles, TextVectors};
use crate::error::Result;
use crate::finetune::{TrainBert, cut, fit, fit_until, padded};
use crate::ingest::Document;
use crate::observe::Observer;
use crate::segment::{SegmentOptions, SentenceKind, segment};

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct JudgeOptions {
    /// Pairs used at most (after shuffling).
    pub max_pairs: usize,
    pub epochs: usize,
    /// Pairs per step; every other pair of the batch is a negative.
    pub batch_size: usize,
    pub lr: f64,
    pub weight_decay: f64,
    /// Cosine scale of the ranking loss (sentence-transformers' default, 20).
    pub scale: f64,
    /// Tokens kept per text while training (news sentences are shorter).
    pub max_tokens: usize,
    /// Least cosine between a headline and the body sentence taken to state it.
    pub min_anchor_cosine: f32,
    /// Sentence-sentence pairs per headline at most.
    pub pairs_per_headline: usize,
    /// A hard negative is at most this similar to the headline (and never the anchor).
    pub max_negative_cosine: f32,
    /// Group objective: the loss's logit is `group_scale * (cosine - group_margin)`.
    pub group_scale: f64,
    pub group_margin: f64,
    pub seed: u64,
    /// Stop after this many steps of the planned run, the learning-rate schedule unchanged
    /// (the loss curve's first tenths are then the full run's): a quick check that a long run
    /// reproduces. Never set for a model that ships.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_after: Option<usize>,
}

impl Default for JudgeOptions {
    fn default() -> Self {
        JudgeOptions {
            max_pairs: 6000,
            epochs: 1,
            batch_size: 32,
            lr: 2e-5,
            weight_decay: 0.01,
            scale: 20.0,
            max_tokens: 96,
            min_anchor_cosine: 0.45,
            pairs_per_headline: 3,
            max_negative_cosine: 0.4,
            group_scale: 10.0,
            group_margin: 0.5,
            seed: 13,
            stop_after: None,
        }
    }
}

/// Two texts asserting one claim, and the story they come from.
#[derive(Debug, Clone, Serialize)]
pub struct SilverPair {
    pub a: String,
    pub b: String,
    /// FNC-1 story (connected component of headlines and bodies).
    pub story: usize,
    /// "headline-sentence" or "sentence-sentence" (silver), "gold" (hand-labelled).
    pub kind: &'static str,
    /// A sentence of the same story that does not state the claim. Mining requires one (a pair
    /// is kept only where the story offers a same-topic, other-claim sentence) and records it
    /// for inspection; the ranking loss uses the batch's other pairs as negatives, not this.
    pub negative: String,
}

/// Body sentences worth pairing: running text of a plausible sentence length.
fn body_sentences(id: &str, text: &str) -> Vec<String> {
    let doc = Document::from_text(id, text);
    segment(&doc, SegmentOptions::default())
        .sentences
        .into_iter()
        .filter(|s| s.kind == SentenceKind::Text && (30..=400).contains(&s.text.len()))
        .map(|s| s.text)
        .collect()
}

/// Silver pairs from FNC-1 train, leaving out every story that holds one of `exclude_bodies`.
pub fn mine_pairs(
    fnc1: &Path,
    exclude_bodies: &HashSet<String>,
    embedder: &Embedder,
    opts: &JudgeOptions,
    observer: &dyn Observer,
) -> Result<Vec<SilverPair>> {
    let (rows, bodies) = load_fnc1(fnc1, "train")?;
    let mut comp = StoryComponents::of(&rows);
    let excluded: HashSet<String> = exclude_bodies
        .iter()
        .map(|b| comp.find(&format!("B:{b}")))
        .collect();
    // Agreeing bodies per headline, in file order, stories left out.
    let mut agree: Vec<(String, Vec<String>)> = Vec::new();
    let mut at: HashMap<String, usize> = HashMap::new();
    for (h, b, s) in &rows {
        if *s != Stance::Agree || excluded.contains(&comp.find(&format!("H:{h}"))) {
            continue;
        }
        let i = *at.entry(h.clone()).or_insert_with(|| {
            agree.push((h.clone(), Vec::new()));
            agree.len() - 1
        });
        if !agree[i].1.contains(b) {
            agree[i].1.push(b.clone());
        }
    }
    let mut sentences: HashMap<String, Vec<String>> = HashMap::new();
    for (_, bs) in &agree {
        for b in bs {
            if !sentences.contains_key(b) {
                let text = bodies.get(b).map_or("", String::as_str);
                sentences.insert(b.clone(), body_sentences(b, text));
            }
        }
    }
    let table = TextVectors::build(
        embedder,
        agree
            .iter()
            .map(|(h, _)| h.as_str())
            .chain(sentences.values().flatten().map(String::as_str)),
        "headlines and body sentences",
        observer,
    )?;
    let mut pairs = Vec::new();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut push = |a: &str,
                    b: &str,
                    neg: &str,
                    story: usize,
                    kind: &'static str,
                    out: &mut Vec<SilverPair>| {
        if a == b || neg == a || neg == b {
            return;
        }
        let key = if a < b {
            (a.to_string(), b.to_string())
        } else {
            (b.to_string(), a.to_string())
        };
        if seen.insert(key) {
            out.push(SilverPair {
                a: a.to_string(),
                b: b.to_string(),
                story,
                kind,
                negative: neg.to_string(),
            });
        }
    };
    let mut story_ids: HashMap<String, usize> = HashMap::new();
    for (h, bs) in &agree {
        let root = comp.find(&format!("H:{h}"));
        let n = story_ids.len();
        let story = *story_ids.entry(root).or_insert(n);
        let hv = table.get(h)?;
        // Per agreeing body: the sentence that states the headline, and the most similar
        // sentence of that body that does not (same topic, another claim).
        let mut anchors: Vec<(&str, &str)> = Vec::new();
        for b in bs {
            let mut best: Option<(f32, &str)> = None;
            let mut negative: Option<(f32, &str)> = None;
            for s in sentences.get(b).map_or(&[][..], Vec::as_slice) {
                let c = table.get(s)?.dot(&hv);
                if best.is_none_or(|(x, _)| c > x) {
                    best = Some((c, s));
                }
                if c <= opts.max_negative_cosine && negative.is_none_or(|(x, _)| c > x) {
                    negative = Some((c, s));
                }
            }
            if let (Some((c, s)), Some((_, n))) = (best, negative)
                && c >= opts.min_anchor_cosine
            {
                anchors.push((s, n));
            }
        }
        for &(s, n) in &anchors {
            push(h, s, n, story, "headline-sentence", &mut pairs);
        }
        let mut n = 0;
        'outer: for (i, &(a, _)) in anchors.iter().enumerate() {
            for &(b, neg) in &anchors[i + 1..] {
                if n >= opts.pairs_per_headline {
                    break 'outer;
                }
                push(a, b, neg, story, "sentence-sentence", &mut pairs);
                n += 1;
            }
        }
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(opts.seed);
    pairs.shuffle(&mut rng);
    pairs.truncate(opts.max_pairs);
    Ok(pairs)
}

/// Batches (indices into `stories`, the story of each pair) in which no two pairs share a
/// story (their texts would be false negatives).
fn batches(stories: &[usize], size: usize) -> Vec<Vec<usize>> {
    let mut out: Vec<(Vec<usize>, HashSet<usize>)> = Vec::new();
    let mut open = 0;
    for (i, &story) in stories.iter().enumerate() {
        let mut placed = false;
        for (b, seen) in out.iter_mut().skip(open) {
            if b.len() < size && !seen.contains(&story) {
                b.push(i);
                seen.insert(story);
                placed = true;
                break;
            }
        }
        if !placed {
            out.push((vec![i], [story].into()));
        }
        while open < out.len() && out[open].0.len() >= size {
            open += 1;
        }
    }
    out.into_iter()
        .map(|(b, _)| b)
        .filter(|b| b.len() > 1)
        .collect()
}

/// Write the trained judge as a model directory (f16 weights); returns the weights' path.
pub fn save(trained: &TrainedJudge, base: &ModelFiles, out: &Path) -> Result<PathBuf> {
    crate::finetune::save_model_dir(&trained.vars, base, out)
}

/// The trained weights, by their names in the base model's file.
pub struct TrainedJudge {
    vars: Vec<(String, Var)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct JudgeReport {
    pub pairs: usize,
    pub headline_sentence_pairs: usize,
    pub sentence_sentence_pairs: usize,
    pub gold_pairs: usize,
    /// Steps run: fewer than `planned_steps` when `JudgeOptions::stop_after` stopped the run.
    pub steps: usize,
    /// Steps of the whole run's plan (its learning-rate schedule).
    pub planned_steps: usize,
    /// Mean loss over each tenth of training.
    pub loss_curve: Vec<f64>,
    pub seconds: f64,
}

/// Fine-tune the base model on `pairs`; returns the trained variables.
pub fn train(
    base: &ModelFiles,
    embedder: &Embedder,
    pairs: &[SilverPair],
    opts: &JudgeOptions,
    observer: &dyn Observer,
) -> Result<(TrainedJudge, JudgeReport)> {
    let start = std::time::Instant::now();
    let dev = Device::Cpu;
    let model = TrainBert::load(base)?;
    // Tokens of every text once, cut to the training length (keeping [SEP] last).
    let texts: Vec<&str> = pairs
        .iter()
        .flat_map(|p| [p.a.as_str(), p.b.as_str()])
        .collect();
    let tokens: Vec<Vec<u32>> = embedder
        .tokenize(&texts)?
        .into_iter()
        .map(|t| cut(t.ids, opts.max_tokens))
        .collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(opts.seed.wrapping_add(1));
    let mut plan: Vec<Vec<usize>> = Vec::new();
    for _ in 0..opts.epochs.max(1) {
        let mut order: Vec<usize> = (0..pairs.len()).collect();
        order.shuffle(&mut rng);
        let stories: Vec<usize> = order.iter().map(|&i| pairs[i].story).collect();
        for b in batches(&stories, opts.batch_size) {
            plan.push(b.into_iter().map(|j| order[j]).collect());
        }
    }
    let steps = plan.len();
    let loss_curve = fit(
        vec![model.group(opts.lr)],
        opts.weight_decay,
        steps,
        observer,
        |step| {
            let batch = &plan[step];
            let a: Vec<&[u32]> = batch.iter().map(|&i| tokens[2 * i].as_slice()).collect();
            let b: Vec<&[u32]> = batch
                .iter()
                .map(|&i| tokens[2 * i + 1].as_slice())
                .collect();
            let (ia, ma) = padded(&a, &dev)?;
            let (ib, mb) = padded(&b, &dev)?;
            let ea = model.encode(&ia, &ma)?;
            let eb = model.encode(&ib, &mb)?;
            let sim = (ea.matmul(&eb.t()?)? * opts.scale)?;
            let target = Tensor::arange(0u32, batch.len() as u32, &dev)?;
            Ok(((candle_nn::loss::cross_entropy(&sim, &target)?
                + candle_nn::loss::cross_entropy(&sim.t()?, &target)?)?
                / 2.0)?)
        },
    )?;
    Ok((
        TrainedJudge { vars: model.vars },
        JudgeReport {
            pairs: pairs.len(),
            headline_sentence_pairs: pairs
                .iter()
                .filter(|p| p.kind == "headline-sentence")
                .count(),
            sentence_sentence_pairs: pairs
                .iter()
                .filter(|p| p.kind == "sentence-sentence")
                .count(),
            gold_pairs: pairs.iter().filter(|p| p.kind == "gold").count(),
            steps,
            planned_steps: steps,
            loss_curve,
            seconds: start.elapsed().as_secs_f64(),
        },
    ))
}

/// Hand-labelled pairs of one half of the dev set: two sentences of one claim group from
/// different documents, with the hard negative the labels give for free (the sentence of the
/// second document most similar to the first that is *not* in its group). `story` is the
/// group, so a batch never holds two pairs of one claim and every other positive in it is a
/// true negative.
pub fn gold_pairs(
    stories: &[&crate::devset::DevStory],
    embedder: &Embedder,
    observer: &dyn Observer,
) -> Result<Vec<SilverPair>> {
    let table = TextVectors::build(
        embedder,
        stories
            .iter()
            .flat_map(|s| &s.sentences)
            .map(|s| s.text.as_str()),
        "labelled sentences",
        observer,
    )?;
    let mut out = Vec::new();
    let mut groups: HashMap<(usize, &str), usize> = HashMap::new();
    for (si, st) in stories.iter().enumerate() {
        for a in &st.sentences {
            let Some(ga) = a.group.as_deref() else {
                continue;
            };
            let n = groups.len();
            let gid = *groups.entry((si, ga)).or_insert(n);
            for b in &st.sentences {
                if b.doc == a.doc
                    || b.group.as_deref() != Some(ga)
                    || a.start > b.start && a.doc > b.doc
                {
                    continue;
                }
                let av = table.get(&a.text)?;
                let mut negative: Option<(f32, &str)> = None;
                for n in st
                    .sentences
                    .iter()
                    .filter(|n| n.doc == b.doc && n.group.as_deref() != Some(ga))
                {
                    let c = table.get(&n.text)?.dot(&av);
                    if negative.is_none_or(|(x, _)| c > x) {
                        negative = Some((c, &n.text));
                    }
                }
                if let Some((_, n)) = negative {
                    out.push(SilverPair {
                        a: a.text.clone(),
                        b: b.text.clone(),
                        story: 1_000_000 + gid,
                        kind: "gold",
                        negative: n.to_string(),
                    });
                }
            }
        }
    }
    Ok(out)
}

/// The sentences of one hand-labelled story, for the group objective: which document each
/// comes from and which claim group (if any) it belongs to.
#[derive(Debug, Clone)]
pub struct LabelledStory {
    pub texts: Vec<String>,
    pub doc: Vec<usize>,
    pub group: Vec<Option<usize>>,
}

impl LabelledStory {
    pub fn of(story: &crate::devset::DevStory) -> Self {
        let mut docs: HashMap<&str, usize> = HashMap::new();
        let groups = Self::group_ids(story);
        let mut out = LabelledStory {
            texts: Vec::new(),
            doc: Vec::new(),
            group: Vec::new(),
        };
        for s in &story.sentences {
            let n = docs.len();
            out.doc.push(*docs.entry(s.doc.as_str()).or_insert(n));
            out.group.push(s.group.as_deref().map(|g| groups[g]));
            out.texts.push(s.text.clone());
        }
        out
    }

    /// The story's claim groups numbered in order of first appearance: the numbers in `group`.
    fn group_ids(story: &crate::devset::DevStory) -> HashMap<&str, usize> {
        let mut ids: HashMap<&str, usize> = HashMap::new();
        for g in story.sentences.iter().filter_map(|s| s.group.as_deref()) {
            let n = ids.len();
            ids.entry(g).or_insert(n);
        }
        ids
    }

    /// The story with a negated copy of every grouped sentence that has an auxiliary to flip
    /// (`super::negate`): each copy in a document of its own beside its original's (so it pairs
    /// with the original as a negative), the copies of one group a group of their own (the
    /// denials of that claim). The copies follow the originals, so the new rows are the ones
    /// past `self.texts.len()`.
    pub fn with_negations(&self) -> Self {
        let docs = self.doc.iter().max().map_or(0, |d| d + 1);
        let groups = self.group.iter().flatten().max().map_or(0, |g| g + 1);
        let mut out = self.clone();
        for i in 0..self.texts.len() {
            let (Some(g), Some(neg)) = (self.group[i], super::negate::negate(&self.texts[i]))
            else {
                continue;
            };
            out.texts.push(neg);
            out.doc.push(docs + self.doc[i]);
            out.group.push(Some(groups + g));
        }
        out
    }

    /// The story with written sentences added (`super::rewordings`), each in a document of its
    /// own: a rewording in its group (a positive of every member and of the group's other
    /// rewordings), a near miss in none (a hard negative of everything). `story` must be the
    /// labelled story this was built from: group ids are matched by name, and a rewording of a
    /// group the story lacks is refused (as a near miss it would be a negative of its own claim).
    pub fn with_rewordings(
        &self,
        story: &crate::devset::DevStory,
        extra: &[super::rewordings::Rewording],
    ) -> crate::error::Result<Self> {
        let ids = Self::group_ids(story);
        let docs = self.doc.iter().max().map_or(0, |d| d + 1);
        let mut out = self.clone();
        for (k, r) in extra.iter().enumerate() {
            let group = match r.group.as_deref() {
                None => None,
                Some(g) => Some(ids.get(g).copied().ok_or_else(|| {
                    crate::error::Error::Input(format!(
                        "rewording {:?}: story {:?} has no group {g:?}",
                        r.text, story.meta.story
                    ))
                })?),
            };
            out.texts.push(r.text.clone());
            out.doc.push(docs + k);
            out.group.push(group);
        }
        Ok(out)
    }

    /// Cross-document pairs of one group (the gold pairs of the guide's scoring).
    pub fn positives(&self) -> usize {
        self.cross_pairs().iter().filter(|p| p.2).count()
    }

    /// The cross-document pairs `(i, j, same claim)`, `i < j`.
    pub fn cross_pairs(&self) -> Vec<(usize, usize, bool)> {
        let n = self.texts.len();
        (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
            .filter(|&(i, j)| self.doc[i] != self.doc[j])
            .map(|(i, j)| {
                (
                    i,
                    j,
                    self.group[i].is_some() && self.group[i] == self.group[j],
                )
            })
            .collect()
    }
}

/// Fine-tune on whole labelled stories: each step encodes a random batch of one story's
/// sentences and scores *every* cross-document pair in it, same group against everything
/// else, with a balanced logistic loss on the scaled cosine. This is the decision `match`
/// takes (one threshold on the cosine of two sentences of one story), and it sees the hard
/// negatives the labels give for free: same story, same actors, another claim. The ranking
/// loss of `train` never sees them, which is why it learned little more than cosine knew.
pub fn train_groups(
    base: &ModelFiles,
    embedder: &Embedder,
    stories: &[LabelledStory],
    opts: &JudgeOptions,
    observer: &dyn Observer,
) -> Result<(TrainedJudge, JudgeReport)> {
    let start = std::time::Instant::now();
    let dev = Device::Cpu;
    let model = TrainBert::load(base)?;
    let mut tokens: Vec<Vec<Vec<u32>>> = Vec::with_capacity(stories.len());
    for s in stories {
        let texts: Vec<&str> = s.texts.iter().map(String::as_str).collect();
        tokens.push(
            embedder
                .tokenize(&texts)?
                .into_iter()
                .map(|t| cut(t.ids, opts.max_tokens))
                .collect(),
        );
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(opts.seed.wrapping_add(2));
    let mut plan: Vec<(usize, Vec<usize>)> = Vec::new();
    for _ in 0..opts.epochs.max(1) {
        let mut epoch = Vec::new();
        for (si, s) in stories.iter().enumerate() {
            let mut order: Vec<usize> = (0..s.texts.len()).collect();
            order.shuffle(&mut rng);
            for chunk in order.chunks(opts.batch_size.max(2)) {
                let docs: HashSet<usize> = chunk.iter().map(|&i| s.doc[i]).collect();
                if docs.len() > 1 {
                    epoch.push((si, chunk.to_vec()));
                }
            }
        }
        epoch.shuffle(&mut rng);
        plan.extend(epoch);
    }
    let steps = plan.len();
    let loss_curve = fit_until(
        vec![model.group(opts.lr)],
        opts.weight_decay,
        steps,
        opts.stop_after,
        observer,
        |step| {
            let (si, batch) = &plan[step];
            let s = &stories[*si];
            let seqs: Vec<&[u32]> = batch.iter().map(|&i| tokens[*si][i].as_slice()).collect();
            let (ids, mask) = padded(&seqs, &dev)?;
            let e = model.encode(&ids, &mask)?;
            let n = batch.len();
            let (mut pos, mut neg) = (vec![0f32; n * n], vec![0f32; n * n]);
            for (a, &i) in batch.iter().enumerate() {
                for (b, &j) in batch.iter().enumerate().skip(a + 1) {
                    if s.doc[i] == s.doc[j] {
                        continue;
                    }
                    if s.group[i].is_some() && s.group[i] == s.group[j] {
                        pos[a * n + b] = 1.0;
                    } else {
                        neg[a * n + b] = 1.0;
                    }
                }
            }
            let (np, nn) = (pos.iter().sum::<f32>(), neg.iter().sum::<f32>());
            // softplus(z) = -log sigmoid(-z): the logistic loss of a negative at logit z.
            let z = ((e.matmul(&e.t()?)? - opts.group_margin)? * opts.group_scale)?;
            let softplus = |t: &Tensor| -> Result<Tensor> { Ok((t.exp()? + 1.0)?.log()?) };
            let mut loss = Tensor::zeros((), DType::F32, &dev)?;
            if np > 0.0 {
                let w = Tensor::from_vec(pos, (n, n), &dev)?;
                loss = (loss + (softplus(&z.neg()?)? * w)?.sum_all()? / f64::from(np))?;
            }
            if nn > 0.0 {
                let w = Tensor::from_vec(neg, (n, n), &dev)?;
                loss = (loss + (softplus(&z)? * w)?.sum_all()? / f64::from(nn))?;
            }
            Ok(loss)
        },
    )?;
    let positives: usize = stories.iter().map(LabelledStory::positives).sum();
    Ok((
        TrainedJudge { vars: model.vars },
        JudgeReport {
            pairs: positives,
            headline_sentence_pairs: 0,
            sentence_sentence_pairs: 0,
            gold_pairs: positives,
            steps: opts.stop_after.map_or(steps, |s| s.min(steps)),
            planned_steps: steps,
            loss_curve,
            seconds: start.elapsed().as_secs_f64(),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negated_copies_deny_their_originals_and_group_with_each_other() {
        let story = LabelledStory {
            texts: vec![
                "Banksy was arrested in London.".into(),
                "The artist has been arrested, police said.".into(),
                "Police declined to comment.".into(),
                "Banksy posted a new mural.".into(),
            ],
            doc: vec![0, 1, 1, 2],
            group: vec![Some(0), Some(0), None, Some(1)],
        };
        let with = story.with_negations();
        // The ungrouped sentence gets no copy, nor does the one without an auxiliary.
        assert_eq!(with.texts.len() - story.texts.len(), 2);
        assert_eq!(with.texts[4], "Banksy was not arrested in London.");
        assert_eq!(
            with.texts[5],
            "The artist has not been arrested, police said."
        );
        assert_eq!(&with.doc[4..], &[3, 4]);
        assert_eq!(&with.group[4..], &[Some(2), Some(2)]);
        let pairs = with.cross_pairs();
        let same = |i, j| pairs.iter().find(|p| (p.0, p.1) == (i, j)).map(|p| p.2);
        assert_eq!(same(0, 1), Some(true), "the original claim's pair stays");
        assert_eq!(
            same(0, 4),
            Some(false),
            "a claim and its denial are different claims"
        );
        assert_eq!(same(1, 4), Some(false));
        assert_eq!(
            same(4, 5),
            Some(true),
            "the denials of one claim are one claim"
        );
        assert_eq!(with.positives(), story.positives() + 1);
    }
}
