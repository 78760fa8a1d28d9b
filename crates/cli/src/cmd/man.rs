//! `nspm man`: manual pages generated from the clap definition.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::CommandFactory;
use clap_mangen::Man;

use super::Context;
use crate::cli::Cli;

/// Print the manual page for nspm, or with --out write one page per command
/// (nspm.1, nspm-people-list.1, ...) and list the files written.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The directory to write the pages into; created when missing.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub fn run(cx: &mut Context, args: Args) -> anyhow::Result<ExitCode> {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    match args.out {
        None => Man::new(command).render(&mut cx.out)?,
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let mut written = Vec::new();
            write_pages(command, &dir, &mut written)
                .with_context(|| format!("cannot write manual pages to {}", dir.display()))?;
            for path in written {
                writeln!(cx.out, "{}", path.display())?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the page of a command and of each command under it.
fn write_pages(
    command: clap::Command,
    dir: &Path,
    written: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    let subs: Vec<clap::Command> = command
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .cloned()
        .collect();
    written.push(Man::new(command).generate_to(dir)?);
    for sub in subs {
        write_pages(sub, dir, written)?;
    }
    Ok(())
}
