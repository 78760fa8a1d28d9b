//! `nspm completions SHELL`: a completion script generated from the clap
//! definition, so it never falls behind the commands.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;
use clap_complete::Shell;

use super::Context;
use crate::cli::Cli;

/// Print a completion script; for bash, `nspm completions bash >
/// ~/.local/share/bash-completion/completions/nspm`.
#[derive(Debug, clap::Args)]
pub struct Args {
    shell: Shell,
}

pub fn run(cx: &mut Context, args: Args) -> anyhow::Result<ExitCode> {
    // clap_complete panics when a write fails, so the script is made in
    // memory and written by us: a closed pipe then ends the run quietly.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "nspm", &mut script);
    cx.out.write_all(&script)?;
    Ok(ExitCode::SUCCESS)
}
