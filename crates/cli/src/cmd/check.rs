//! `nspm check`: every problem in the data, with its file, line and column,
//! and in the access file beside it when there is one.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use nspm_access::{ACCESS_FILE, Access, AccessError};
use nspm_core::Checked;

use super::Context;
use crate::cli::EXIT_PROBLEM;

#[derive(Debug, clap::Args)]
pub struct Args {}

/// What the check found in the access file.
struct AccessReport {
    path: String,
    grants: usize,
    /// Placed problems, one a line.
    problems: Vec<String>,
}

pub fn run(cx: &mut Context, _args: Args) -> anyhow::Result<ExitCode> {
    let sources = cx.sources()?;
    let checked = nspm_core::check(&sources);
    let access = match cx.data_dir() {
        Some(dir) => check_access(&dir, &checked)?,
        None => None,
    };
    let code = report(cx, &checked, &sources.origin, access.as_ref());
    super::leave_to_exit(checked);
    code
}

/// Checks the access file when the data directory has one: its own
/// problems, and grants naming people the data does not have. A directory
/// without one is reported exactly as before there were access files.
fn check_access(dir: &Path, checked: &Checked) -> anyhow::Result<Option<AccessReport>> {
    let path = dir.join(ACCESS_FILE);
    if !path.exists() {
        return Ok(None);
    }
    let (grants, problems) = match Access::read(dir) {
        Ok(access) => {
            // Only sound data says for certain who is in it.
            let problems = match &checked.society {
                Some(society) => access.unknown_people(|id| society.person(id).is_some()),
                None => Vec::new(),
            };
            (access.grants().len(), problems)
        }
        Err(AccessError::Invalid(problems)) => (0, problems),
        Err(e) => return Err(e.into()),
    };
    Ok(Some(AccessReport {
        path: path.display().to_string(),
        grants,
        problems: problems.iter().map(ToString::to_string).collect(),
    }))
}

fn report(
    cx: &mut Context,
    checked: &Checked,
    origin: &str,
    access: Option<&AccessReport>,
) -> anyhow::Result<ExitCode> {
    let out = &mut cx.out;
    let access_problems = access.map_or(&[][..], |a| &a.problems[..]);
    match &checked.society {
        Some(s) if checked.diagnostics.is_empty() && access_problems.is_empty() => {
            write!(
                out,
                "ok: {} people, {} institutions, {} meetings in {}",
                s.people.len(),
                s.institutions.len(),
                s.meetings.len(),
                origin
            )?;
            if let Some(a) = access {
                let plural = if a.grants == 1 { "" } else { "s" };
                write!(out, "; {} grant{plural} in {}", a.grants, a.path)?;
            }
            writeln!(out)?;
            Ok(ExitCode::SUCCESS)
        }
        _ => {
            for d in &checked.diagnostics {
                writeln!(out, "{d}")?;
            }
            for p in access_problems {
                writeln!(out, "{p}")?;
            }
            let n = checked.diagnostics.len() + access_problems.len();
            let plural = if n == 1 { "" } else { "s" };
            writeln!(out, "{n} problem{plural} in {origin}")?;
            Ok(ExitCode::from(EXIT_PROBLEM))
        }
    }
}
