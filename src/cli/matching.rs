//! `claimscope match`: groups of the same claim across outlets.

use super::CorpusArgs;
use crate::error::{Error, Result};
use crate::grouping::GroupingConfig;

use crate::matching::{Classifiers, MatchOptions, match_claims};
use crate::report;
use crate::segment::{SegmentOptions, read_corpus};
use crate::stories::StoryOptions;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MatchFormat {
    Table,
    Json,
    /// Markdown (`md` or `markdown`).
    #[value(alias = "markdown")]
    Md,
    /// One self-contained page (styles and script inline): `-o report.html` or `> report.html`.
    Html,
    /// A Parquet file (needs -o): one row per group member (and related claim).
    Parquet,
}

impl MatchFormat {
    /// The file extension of the format, for the output path suggested instead of an input.
    fn extension(self) -> &'static str {
        match self {
            MatchFormat::Table => "txt",
            MatchFormat::Json => "json",
            MatchFormat::Md => "md",
            MatchFormat::Html => "html",
            MatchFormat::Parquet => "parquet",
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct MatchArgs {
    #[command(flatten)]
    pub input: CorpusArgs,
    /// Match the sentences of an index (`claimscope index build`) instead of reading PATHS:
    /// its segmentation and provenance are used as stored.
    #[arg(long, conflicts_with = "paths")]
    pub index: Option<std::path::PathBuf>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: MatchFormat,
    /// Output file (needed by --format parquet; the other formats go to stdout without it).
    /// Written whole when the run ends, so a failed run leaves no half page behind.
    #[arg(short, long)]
    pub output: Option<std::path::PathBuf>,
    /// Minimum cosine between every two claims of a group (default: the judge's threshold,
    /// chosen on the dev half; without a judge 0.67, chosen on STS-B train, see `claimscope
    /// eval stsb`).
    #[arg(long, value_parser = super::finite)]
    pub floor: Option<f32>,
    /// Same-claim judge deciding group membership (default: the shipped models/judge).
    #[arg(long)]
    pub judge: Option<std::path::PathBuf>,
    /// The judge's arithmetic: int8 weights (the fast encoder's dynamic quantisation), or f32.
    #[arg(long, value_enum, default_value = "int8")]
    pub judge_precision: super::PrecisionArg,
    /// Group by the base model's cosine alone, without the judge (sentences cut into claim
    /// units, mutual best match, floor 0.67).
    #[arg(long, conflicts_with = "judge")]
    pub no_judge: bool,
    /// Minimum number of documents a group must span.
    #[arg(long, default_value_t = 2, value_parser = super::at_least_two)]
    pub min_docs: usize,
    /// At most one sentence per document in a group (by default an article's lead, quote and
    /// summary of one claim all join it, as the labelling guide groups them).
    #[arg(long)]
    pub one_per_doc: bool,
    /// Cut sentences into claim units (attribution dropped, second propositions split off)
    /// even with a judge; without one they always are. The judge reads whole sentences
    /// better (README, "match").
    #[arg(long)]
    pub split_claims: bool,
    /// Neighbours per claim considered for grouping.
    #[arg(short, long, default_value_t = 10, value_parser = super::neighbours)]
    pub k: usize,
    /// Link two claims only if each is among the other's N nearest claims in the other's
    /// document (1: mutual best match between two articles; 0 turns it off). Default: 0 with
    /// the judge, 1 without.
    #[arg(long, value_parser = super::neighbours_or_none)]
    pub mutual: Option<usize>,
    /// Leave titles and subheads out of matching.
    #[arg(long)]
    pub no_headings: bool,
    /// Skip the confidence and stance labels (and with them the stance head's check, see
    /// --any-stance): groups are as the judge, or with --no-judge the base model's cosine,
    /// forms them.
    #[arg(long)]
    pub no_labels: bool,
    /// With --no-judge and the stance head (--stance-model head): keep group members whatever
    /// the head reads of them (by default only members it finds asserting the group's canonical
    /// claim, stance `agree`, stay; those it finds discussing or denying it are listed as
    /// related). With a judge, or the pair model (the default stance model), members are
    /// labelled by rule, `agree` or `discuss` when they keep a distance, and none is dropped
    /// for its stance.
    #[arg(long)]
    pub any_stance: bool,
    /// Members the stance model finds `disagree` toward the group's canonical claim leave the
    /// group and are listed as related (a denial worded like the claim), where the related
    /// claims' rules let that reading stand: the two differ in polarity, and with a judge the
    /// member is at least --denial-floor similar. With a judge or the
    /// pair model the members that stay are labelled by rule (`agree`, or `discuss` when
    /// distanced). Needs the labels (refused with --no-labels, which drops the stance model).
    #[arg(long, conflicts_with = "no_labels")]
    pub veto_disagree: bool,
    /// Never group a sentence that negates, refutes or doubts ("not", "denied", "hoax") with
    /// one that does not: a claim and its denial in the same words stay apart. Precision up,
    /// recall down a little (labelled dev half: P 0.750 -> 0.806, F1 0.492 -> 0.488).
    #[arg(long)]
    pub split_polarity: bool,
    /// A related claim the stance model reads as `disagree` is shown as denying the group's
    /// claim only at least this similar to it; under it, `discuss` (0: no floor). Default
    /// with a judge 0.55; none without one (the base model's cosine was not measured for it).
    #[arg(long, value_parser = super::unit_interval, conflicts_with = "no_labels")]
    pub denial_floor: Option<f32>,
    /// Hide labels given with probability under this: a member's stance or confidence is left
    /// out, related claims with an unsure stance are not listed, and confidence differences
    /// are judged on the labels left. A member's stance decided by rule has probability 1; a
    /// confidence level the cue rule gives carries the model's probability that the sentence
    /// asserts anything.
    #[arg(long, value_parser = super::unit_interval)]
    pub min_prob: Option<f32>,
    /// Match claims across stories too (by default only documents of the same story, as
    /// `claimscope stories` groups them, are compared).
    #[arg(long)]
    pub across_stories: bool,
    /// Story grouping threshold (see `claimscope stories --threshold`).
    #[arg(long, default_value_t = StoryOptions::default().threshold, value_parser = super::unit_interval)]
    pub story_threshold: f32,
    /// A confidence head file (the head over pooled vectors; picks it over the fine-tuned
    /// model).
    #[arg(long)]
    pub confidence_head: Option<std::path::PathBuf>,
    /// A stance head file (the head over pooled vectors; picks it over the pair model).
    #[arg(long)]
    pub stance_head: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub labels: super::labels::LabelArgs,
    #[command(flatten)]
    pub model: super::ModelArgs,
}

pub fn run(args: &MatchArgs) -> Result<()> {
    let term = super::Terminal::default();
    if let Some(f) = args.floor
        && !(0.0..=1.0).contains(&f)
    {
        return Err(Error::Input(format!("--floor {f} must be between 0 and 1")));
    }
    super::labels::given_head("--stance-head", args.stance_head.as_deref(), "stance")?;
    super::labels::given_head(
        "--confidence-head",
        args.confidence_head.as_deref(),
        "confidence",
    )?;
    super::given_judge(args.judge.as_deref())?;
    let inputs = || {
        // An index's files are inputs too: `-o` inside its folder would replace one of them.
        let mut inputs = match &args.index {
            None => args.input.files(),
            Some(dir) => walkdir::WalkDir::new(dir)
                .into_iter()
                .filter_map(|e| e.ok())
                .filter(|e| e.file_type().is_file())
                .map(walkdir::DirEntry::into_path)
                .collect(),
        };
        inputs.extend(
            args.confidence_head
                .iter()
                .chain(&args.stance_head)
                .cloned(),
        );
        inputs
    };
    let parquet_format = args.format == MatchFormat::Parquet;
    let parquet = super::parquet_if(
        parquet_format,
        args.output.as_deref().filter(|_| parquet_format),
        report::member_row_template(),
        inputs,
    )?;
    // Every other format can go to a file too (`--format html -o report.html`, as the
    // README's examples write with `>`): refused, as Parquet is, when it is one of the inputs.
    if let Some(o) = args.output.as_deref().filter(|_| !parquet_format) {
        // Said before the run, not after it: a folder, or a file in a folder that is not there.
        super::check_output_file(o, args.format.extension(), inputs)?;
    }
    let embedder = args.model.load()?;
    let docs = match &args.index {
        Some(path) => {
            let store = super::index::open_to_read(path, &embedder.model_id()?)?;
            crate::index::corpus::documents(&store, &term)?
        }
        None => {
            if args.input.paths.is_empty() {
                return Err(Error::Input(
                    "nothing to match: give PATHS (files, directories, globs, -) or --index".into(),
                ));
            }
            let read = read_corpus(&args.input.options(), SegmentOptions::default(), &term)?;
            super::report_skipped(&read.skipped);
            read.documents
        }
    };
    if docs.is_empty() {
        return Err(Error::Input(
            "no documents to match (all inputs were empty, binary or unreadable)".into(),
        ));
    }
    super::no_sentence_at_all(docs.len(), docs.iter().map(|d| d.sentences.len()).sum())?;
    let judge_dir = match (&args.judge, args.no_judge) {
        (Some(d), _) => Some(d.clone()),
        (None, false) => crate::judge::default_dir(),
        (None, true) => None,
    };
    let judge = match &judge_dir {
        Some(d) => Some(crate::judge::Judge::load(
            d,
            &args.model.options(args.judge_precision.into()),
        )?),
        None => None,
    };
    let base = MatchOptions {
        grouping: GroupingConfig {
            min_docs: args.min_docs,
            one_per_document: args.one_per_doc,
            ..GroupingConfig::default()
        },
        k: args.k,
        include_headings: !args.no_headings,
        require_agree: !args.any_stance && !args.no_labels,
        veto_disagree: args.veto_disagree && !args.no_labels,
        split_polarity: args.split_polarity,
        within_stories: !args.across_stories,
        stories: StoryOptions {
            threshold: args.story_threshold,
            ..StoryOptions::default()
        },
        ..MatchOptions::default()
    };
    let mut opts = match &judge {
        Some(j) => base.with_judge(j.threshold()?),
        None => base,
    };
    if let Some(f) = args.floor {
        opts.grouping.floor = f;
    }
    if let Some(f) = args.denial_floor {
        opts.denial_floor = Some(f);
    }
    opts.split_claims |= args.split_claims;
    if let Some(m) = args.mutual {
        opts.mutual = m;
    }
    let mut result = if args.no_labels {
        match_claims(&docs, &embedder, judge.as_ref(), &opts, None, &term)?
    } else {
        let id = embedder.model_id()?;
        let confidence =
            args.labels
                .confidence(args.confidence_head.as_deref(), &id, &args.model)?;
        let stance = args
            .labels
            .stance(args.stance_head.as_deref(), &id, &args.model)?;
        let heads = Classifiers {
            confidence: &confidence,
            stance: &stance,
        };
        match_claims(&docs, &embedder, judge.as_ref(), &opts, Some(&heads), &term)?
    };
    if let Some(p) = args.min_prob {
        crate::matching::hide_unsure(&mut result, p);
    }
    let text = match args.format {
        MatchFormat::Json => format!("{}\n", serde_json::to_string_pretty(&result)?),
        MatchFormat::Table => report::table(&result),
        MatchFormat::Md => report::markdown(&result),
        MatchFormat::Html => crate::report_html::page(&result, &docs),
        MatchFormat::Parquet => {
            if let Some(mut p) = parquet {
                for row in report::member_rows(&result) {
                    p.push(row, None)?;
                }
                super::finish_parquet(p, args.output.as_deref())?;
            }
            return Ok(());
        }
    };
    match args.output.as_deref() {
        Some(o) => {
            crate::outfile::write_whole(o, text.as_bytes())?;
            eprintln!(
                "wrote {} to {}",
                crate::report::counted(result.groups.len(), "group", "groups"),
                o.display()
            );
        }
        None => out!("{text}")?,
    }
    Ok(())
}
