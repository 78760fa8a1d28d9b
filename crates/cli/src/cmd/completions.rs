//! `nspm completions SHELL`: a completion script generated from the clap
//! definition, so it never falls behind the commands.

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
    clap_complete::generate(args.shell, &mut Cli::command(), "nspm", &mut cx.out);
    Ok(ExitCode::SUCCESS)
}
