//! `claimscope index build|add|info`: a corpus segmented and embedded once, searched many times.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::{CorpusArgs, ModelArgs, TableOrJson, Terminal};
use crate::embed::Embedder;
use crate::embed::Precision;
use crate::error::{Error, Result};
use crate::index::corpus::{ADD_CHUNK, AddOptions, CorpusAdded, add_documents, recorded_precision};
use crate::index::search::DEFAULT_GRAPH_MAX;
use crate::index::{SearchConfig, Store};
use crate::segment::{SegmentOptions, Sentence};

/// How `index build` and `index add` write: shared by both.
#[derive(Debug, clap::Args)]
pub struct GrowArgs {
    /// Sentences embedded and committed per add: memory holds one chunk, and a run killed
    /// half way keeps the chunks it committed.
    #[arg(long, default_value_t = ADD_CHUNK)]
    chunk: usize,
    /// Vectors per HNSW graph file: building or extending a graph holds it in memory (about
    /// 600 bytes a vector), and a query searches every graph, so bigger graphs query faster and
    /// take more memory to build.
    #[arg(long, default_value_t = DEFAULT_GRAPH_MAX, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    graph_max: usize,
    /// Continue a killed build or add: run it again with --resume and it continues after its
    /// last committed chunk. Documents the index already holds (same outlet, id and first
    /// sentence) are never stored twice; with --resume they are expected, without it `index
    /// add` warns about them. `index build --resume` opens the index if it exists.
    #[arg(long)]
    resume: bool,
    /// Precision of the encoder that embeds the sentences: int8 builds ~2x faster, its vectors
    /// within ~1% cosine of f32's. The index records it; an add uses the index's (default: f32
    /// for a new index).
    #[arg(long, value_enum, ignore_case = true)]
    precision: Option<super::PrecisionArg>,
}

/// The precision an index's vectors were embedded at (read from its manifest alone, before the
/// model is loaded to embed more or a query).
pub fn index_precision(path: &std::path::Path) -> Result<Precision> {
    let manifest = crate::index::store::Manifest::read(path)?;
    recorded_precision(&manifest.meta, path)
}

#[derive(Debug, clap::Subcommand)]
pub enum IndexCommand {
    /// Segment, embed and store every sentence of a corpus with its provenance.
    Build {
        #[command(flatten)]
        input: CorpusArgs,
        /// Index directory to create (conventionally NAME.csi).
        #[arg(short, long)]
        output: PathBuf,
        #[command(flatten)]
        model: ModelArgs,
        #[command(flatten)]
        grow: GrowArgs,
    },
    /// Append documents to an index without re-embedding what is there.
    Add {
        /// The index directory.
        #[arg(long)]
        index: PathBuf,
        #[command(flatten)]
        input: CorpusArgs,
        #[command(flatten)]
        model: ModelArgs,
        #[command(flatten)]
        grow: GrowArgs,
    },
    /// What an index holds: model, format version, dimensions, counts per outlet.
    Info {
        index: PathBuf,
        #[arg(long, value_enum, default_value = "table")]
        format: TableOrJson,
    },
}

/// Segment, embed and store the corpus; returns what was read and stored for the summary line.
fn add_corpus(
    store: &mut Store<Sentence>,
    input: &CorpusArgs,
    emb: &Embedder,
    grow: &GrowArgs,
) -> Result<CorpusAdded> {
    let term = Terminal::default();
    let config = SearchConfig {
        graph_max: grow.graph_max,
        ..Default::default()
    };
    let added = add_documents(
        store,
        &input.options(),
        emb,
        &config,
        &term,
        &AddOptions {
            segmentation: SegmentOptions::default(),
            chunk: grow.chunk,
            resume: grow.resume,
        },
    )?;
    super::report_skipped(&added.skipped);
    if added.already_stored > 0 && grow.resume {
        eprintln!(
            "resumed: {} of {} documents were already in the index and were skipped",
            added.already_stored, added.documents
        );
    }
    if added.sentences == 0 && added.already_stored == 0 {
        return Err(Error::Input("no sentences found in the inputs".into()));
    }
    Ok(added)
}

/// The index at `path` opened to read from (`similar --index`, `match --index`), refused when
/// it holds no sentence: a build stopped before its first chunk leaves an index with none, and
/// a search of it would print an empty table and exit 0.
pub fn open_to_read(
    path: &std::path::Path,
    model_id: &crate::embed::ModelId,
) -> Result<Store<Sentence>> {
    let store: Store<Sentence> = Store::open(path, Some(model_id))?;
    if store.is_empty() {
        return Err(Error::Input(format!(
            "{}: the index holds no sentences (a build stopped before its first chunk was \
             stored?): rerun it, `claimscope index build PATHS -o {} --resume`, or add to it \
             with `claimscope index add`",
            path.display(),
            path.display()
        )));
    }
    Ok(store)
}

pub fn run(cmd: &IndexCommand) -> Result<()> {
    match cmd {
        IndexCommand::Build {
            input,
            output,
            model,
            grow,
        } => {
            // Asked before the model is loaded; the store refuses it too, but later.
            if output.exists() && !output.is_dir() {
                let what = if output.is_file() {
                    "is a file"
                } else {
                    "is not a directory"
                };
                return Err(Error::Input(format!(
                    "-o {}: {what}, and an index is a directory (of segment files and a \
                     manifest); choose another -o, or remove the file",
                    output.display()
                )));
            }
            let existing = grow.resume && output.join(crate::index::store::MANIFEST).exists();
            let precision = match (grow.precision, existing) {
                (Some(p), _) => p.into(),
                (None, true) => index_precision(output)?,
                (None, false) => Precision::F32,
            };
            let emb = model.load_at(precision)?;
            let id = emb.model_id()?;
            let mut store: Store<Sentence> = if existing {
                Store::open(output, Some(&id))?
            } else {
                Store::create(output, id).map_err(|e| match e {
                    Error::IndexExists { path }
                        if path.join(crate::index::store::MANIFEST).exists() =>
                    {
                        Error::Input(format!(
                            "{}: already an index; choose another output path, continue a \
                             killed build with --resume, add documents with `claimscope index \
                             add`, or remove it",
                            path.display()
                        ))
                    }
                    // A folder of other files: "remove it" would be advice to delete them.
                    Error::IndexExists { path } => Error::Input(format!(
                        "{}: a folder that is not an index (it holds other files); give the \
                         index a path of its own, e.g. -o {}",
                        path.display(),
                        path.join("corpus.csi").display()
                    )),
                    e => e,
                })?
            };
            let (docs, n) = match add_corpus(&mut store, input, &emb, grow) {
                Ok(added) => (added.documents, added.sentences),
                // An index this run created and left empty would only block the retry
                // ("already exists"); one holding whole adds stays for --resume.
                Err(e) if !existing && store.is_empty() => {
                    drop(store);
                    if let Err(rm) = std::fs::remove_dir_all(output) {
                        eprintln!(
                            "warning: {}: could not remove the empty index: {rm}",
                            output.display()
                        );
                    }
                    return Err(e);
                }
                Err(e) => return Err(e),
            };
            eprintln!(
                "indexed {} of {} into {}",
                crate::report::counted(n, "sentence", "sentences"),
                crate::report::counted(docs, "document", "documents"),
                output.display()
            );
        }
        IndexCommand::Add {
            index,
            input,
            model,
            grow,
        } => {
            let precision = match grow.precision {
                Some(p) => p.into(),
                None => index_precision(index)?,
            };
            let emb = model.load_at(precision)?;
            let mut store: Store<Sentence> = Store::open(index, Some(&emb.model_id()?))?;
            let added = add_corpus(&mut store, input, &emb, grow)?;
            let (n, old) = (added.sentences, added.already_stored);
            if n == 0 && old > 0 {
                let which = if old == added.documents {
                    if old == 1 {
                        "the 1 document is".to_string()
                    } else {
                        format!("all {old} documents are")
                    }
                } else {
                    format!(
                        "{old} of {} documents are (the others hold no sentence)",
                        added.documents
                    )
                };
                // The only add a run that stores nothing makes builds the graphs a killed run
                // never reached.
                let state = if added.adds == 0 {
                    "it is unchanged"
                } else {
                    "its search graphs were completed"
                };
                eprintln!(
                    "nothing added: {which} already in {}; {state} ({})",
                    index.display(),
                    crate::report::counted(store.len(), "sentence", "sentences")
                );
            } else if old > 0 {
                eprintln!(
                    "added {} of {} ({old} already in the index, skipped); {} in all",
                    crate::report::counted(n, "sentence", "sentences"),
                    crate::report::counted(added.documents - old, "document", "documents"),
                    store.len()
                );
            } else {
                eprintln!(
                    "added {} of {}; {} in all",
                    crate::report::counted(n, "sentence", "sentences"),
                    crate::report::counted(added.documents, "document", "documents"),
                    store.len()
                );
            }
        }
        IndexCommand::Info { index, format } => {
            let store: Store<Sentence> = Store::open(index, None)?;
            let mut per_outlet: BTreeMap<String, (usize, std::collections::BTreeSet<String>)> =
                BTreeMap::new();
            for r in store.records() {
                let s = r?;
                let e = per_outlet.entry(s.outlet.clone()).or_default();
                e.0 += 1;
                e.1.insert(s.doc.clone());
            }
            let info = store.info();
            match format {
                TableOrJson::Json => {
                    let outlets: BTreeMap<&String, serde_json::Value> = per_outlet
                        .iter()
                        .map(|(k, (n, d))| {
                            (k, serde_json::json!({"sentences": n, "documents": d.len()}))
                        })
                        .collect();
                    let v = serde_json::json!({"info": info, "outlets": outlets});
                    outln!("{}", serde_json::to_string_pretty(&v)?)?;
                }
                TableOrJson::Table => {
                    outln!("index           {}", info.path.display())?;
                    outln!("format version  {}", info.format_version)?;
                    outln!(
                        "model           {} (dim {}, {} vectors)",
                        info.model.name,
                        info.dim,
                        recorded_precision(&info.meta, &info.path)?
                    )?;
                    outln!(
                        "sentences       {} in {} segment(s), {} bytes",
                        info.count,
                        info.segments,
                        info.bytes
                    )?;
                    outln!(
                        "search          {}",
                        match info.graphs.len() {
                            0 => "exact".to_string(),
                            1 => "HNSW graph".to_string(),
                            n => format!("HNSW, {n} graphs"),
                        }
                    )?;
                    outln!("outlets")?;
                    for (k, (n, d)) in &per_outlet {
                        outln!(
                            "  {:<30} {n:>7} {} in {}",
                            crate::report::shown(k),
                            if *n == 1 { "sentence " } else { "sentences" },
                            crate::report::counted(d.len(), "document", "documents")
                        )?;
                    }
                }
            }
        }
    }
    Ok(())
}
