//! Thin binary: parse arguments, call the library.

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "claimscope", version, about = "See how different outlets report the same claims")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {}
}
