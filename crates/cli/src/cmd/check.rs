//! `nspm check`: every problem in the data, with its file, line and column.

use std::io::Write;
use std::process::ExitCode;

use nspm_core::Checked;

use super::Context;
use crate::cli::EXIT_PROBLEM;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(cx: &mut Context, _args: Args) -> anyhow::Result<ExitCode> {
    let sources = cx.sources()?;
    let checked = nspm_core::check(&sources);
    let code = report(cx, &checked, &sources.origin);
    super::leave_to_exit(checked);
    code
}

fn report(cx: &mut Context, checked: &Checked, origin: &str) -> anyhow::Result<ExitCode> {
    let out = &mut cx.out;
    match &checked.society {
        Some(s) if checked.diagnostics.is_empty() => {
            writeln!(
                out,
                "ok: {} people, {} institutions, {} meetings in {}",
                s.people.len(),
                s.institutions.len(),
                s.meetings.len(),
                origin
            )?;
            Ok(ExitCode::SUCCESS)
        }
        _ => {
            for d in &checked.diagnostics {
                writeln!(out, "{d}")?;
            }
            let n = checked.diagnostics.len();
            let plural = if n == 1 { "" } else { "s" };
            writeln!(out, "{n} problem{plural} in {origin}")?;
            Ok(ExitCode::from(EXIT_PROBLEM))
        }
    }
}
