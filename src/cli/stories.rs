//! `claimscope stories`: documents grouped by the event or report they are about.

use super::{CorpusArgs, TableOrJson};
use crate::error::{Error, Result};
use crate::report::shown;
use crate::segment::{SegmentOptions, read_corpus};
use crate::stories::{StoryOptions, stories};

#[derive(Debug, clap::Args)]
pub struct StoriesArgs {
    #[command(flatten)]
    pub input: CorpusArgs,
    #[arg(long, value_enum, default_value = "table")]
    pub format: TableOrJson,
    /// Mean pair score (lead cosine and name/number overlap) from which documents are one story.
    #[arg(long, default_value_t = StoryOptions::default().threshold, value_parser = super::unit_interval)]
    pub threshold: f32,
    /// Weight of the name-and-number overlap (Jaccard of capitalised words, acronyms and
    /// figures) beside the lead cosine; change `--threshold` with it.
    #[arg(long, default_value_t = StoryOptions::default().entity_weight, value_parser = super::non_negative)]
    pub entity_weight: f32,
    /// Dated documents further apart than this many days are different stories.
    #[arg(long, default_value_t = StoryOptions::default().date_window_days, value_parser = clap::value_parser!(i64).range(0..))]
    pub date_window: i64,
    #[command(flatten)]
    pub model: super::ModelArgs,
}

pub fn run(args: &StoriesArgs) -> Result<()> {
    let term = super::Terminal::default();
    let read = read_corpus(&args.input.options(), SegmentOptions::default(), &term)?;
    super::report_skipped(&read.skipped);
    let docs = read.documents;
    if docs.is_empty() {
        return Err(Error::Input("no documents found in the inputs".into()));
    }
    super::no_sentence_at_all(docs.len(), docs.iter().map(|d| d.sentences.len()).sum())?;
    let embedder = args.model.load()?;
    let opts = StoryOptions {
        threshold: args.threshold,
        entity_weight: args.entity_weight,
        date_window_days: args.date_window,
        ..StoryOptions::default()
    };
    let result = stories(&docs, &embedder, &opts, &term)?;
    match args.format {
        TableOrJson::Json => outln!("{}", serde_json::to_string_pretty(&result)?)?,
        TableOrJson::Table => {
            outln!(
                "{} in {}",
                crate::report::counted(result.stories.len(), "story", "stories"),
                crate::report::counted(docs.len(), "document", "documents")
            )?;
            for s in &result.stories {
                outln!("\n[{}] {}", s.id, shown(&s.title))?;
                for d in &s.documents {
                    outln!(
                        "    {:<12} {:<24} {}",
                        shown(d.date.as_deref().unwrap_or("-")),
                        shown(&d.outlet),
                        shown(&d.doc)
                    )?;
                }
            }
        }
    }
    Ok(())
}
