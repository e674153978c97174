//! Thin binary: parse arguments, call the library.

use anyhow::Context;
use claimscope::cli;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "claimscope",
    version = claimscope::BUILD,
    about = "See how different outlets report the same claims"
)]
struct Cli {
    /// Worker threads for the model and search (default: all cores).
    #[arg(long, global = true, env = "CLAIMSCOPE_THREADS")]
    threads: Option<usize>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Embed texts (one per line, or JSONL "text") as sentence-transformers would.
    Embed(cli::embed::EmbedArgs),
    /// Split a corpus into clean sentences with provenance (outlet, doc, byte span).
    Segment(cli::segment::SegmentArgs),
    /// Groups of the same claim told by different documents/outlets.
    Match(cli::matching::MatchArgs),
    /// Documents grouped into stories (the same event or report).
    Stories(cli::stories::StoriesArgs),
    /// Cosine of two texts, or the nearest lines of a corpus to a query.
    Similar(cli::similar::SimilarArgs),
    /// Figures on the test splits of public labelled data.
    #[command(subcommand)]
    Eval(cli::eval::EvalCommand),
    /// CPU throughput of the embedding path (sentences/s, tokens/s, latency, memory, accuracy).
    Bench(cli::bench::BenchArgs),
    /// Train the models (same-claim judge, stance and confidence labellers, their heads), or
    /// average runs into a soup, with their model cards.
    #[command(subcommand)]
    Train(cli::train::TrainCommand),
    /// Label every sentence of a corpus with its asserted confidence, or its stance to a claim.
    Classify(cli::classify::ClassifyArgs),
    /// Build, extend or inspect an on-disk index of a corpus.
    #[command(subcommand)]
    Index(cli::index::IndexCommand),
    /// Fetch a model or show what is in it.
    #[command(subcommand)]
    Model(cli::model::ModelCommand),
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One readable line (plus causes), never a backtrace: these reach end users.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> anyhow::Result<()> {
    // `claimscope ... | head` must end quietly, as other Unix tools do, not panic on EPIPE.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // `export CLAIMSCOPE_MODEL=` (or a compose file's blank entry) means "not set", as it does
    // for most tools; clap would read it as an empty value and fail with a puzzling message.
    for (key, value) in std::env::vars_os() {
        if value.to_string_lossy().trim().is_empty()
            && key.to_string_lossy().starts_with("CLAIMSCOPE_")
        {
            // SAFETY: no other thread exists yet.
            unsafe { std::env::remove_var(&key) };
        }
    }
    let cli = Cli::parse();
    if let Some(n) = cli.threads {
        anyhow::ensure!(n > 0, "--threads must be at least 1");
        // Each thread is an OS thread with its own stack: --threads 100000 spends minutes
        // starting them and looks like a hang. Past a few per core there is nothing to gain.
        let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
        let most = (8 * cores).max(64);
        anyhow::ensure!(
            n <= most,
            "--threads {n} (or CLAIMSCOPE_THREADS): at most {most} on this machine ({cores} cores); more threads than cores only adds overhead"
        );
        // candle's matmul reads RAYON_NUM_THREADS; set it before any pool starts.
        // SAFETY: no other thread exists yet.
        unsafe { std::env::set_var("RAYON_NUM_THREADS", n.to_string()) };
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("thread pool")?;
    }
    match &cli.command {
        Command::Embed(args) => {
            let summary = cli::embed::run(args)?;
            eprintln!("{summary}");
        }
        Command::Similar(args) => cli::similar::run(args)?,
        Command::Segment(args) => cli::segment::run(args)?,
        Command::Match(args) => cli::matching::run(args)?,
        Command::Stories(args) => cli::stories::run(args)?,
        Command::Model(cmd) => cli::model::run(cmd)?,
        Command::Eval(cmd) => cli::eval::run(cmd)?,
        Command::Bench(args) => cli::bench::run(args)?,
        Command::Index(cmd) => cli::index::run(cmd)?,
        Command::Train(cmd) => cli::train::run(cmd)?,
        Command::Classify(args) => cli::classify::run(args)?,
    }
    Ok(())
}
