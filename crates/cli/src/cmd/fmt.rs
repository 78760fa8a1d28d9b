//! `nspm fmt`: every data file in the one canonical layout, comments kept.

use std::io::Write as _;
use std::process::ExitCode;

use nspm_core::DataFile;

use super::Context;
use super::edit::{Wait, lock, warn_written, writable_dir};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write nothing: show how each file would change, and exit 1 when one
    /// would.
    #[arg(long)]
    check: bool,
    #[command(flatten)]
    wait: Wait,
}

pub fn run(cx: &mut Context, args: Args) -> anyhow::Result<ExitCode> {
    if args.check {
        let before = cx.sources()?;
        let after = nspm_core::edit::format(&before)?;
        let unformatted = differing(&before, &after);
        if unformatted.is_empty() {
            writeln!(cx.out, "ok: every file is in the canonical layout")?;
            return Ok(ExitCode::SUCCESS);
        }
        write!(cx.out, "{}", nspm_store::diff(&before, &after))?;
        anyhow::bail!(
            "not in the canonical layout: {}; run `nspm fmt` to rewrite {}",
            unformatted.join(", "),
            if unformatted.len() == 1 { "it" } else { "them" }
        );
    }
    let dir = writable_dir(cx)?;
    let lock = lock(&dir, &args.wait)?;
    let before = lock.read()?;
    let after = nspm_core::edit::format(&before)?;
    let saved = lock.save(&before, &after)?;
    if saved.written.is_empty() {
        writeln!(cx.out, "ok: every file is in the canonical layout")?;
    }
    for file in saved.written {
        writeln!(cx.out, "formatted {}", before.display_path(file))?;
    }
    cx.out.flush()?;
    warn_written(saved.warnings);
    Ok(ExitCode::SUCCESS)
}

fn differing(before: &nspm_core::Sources, after: &nspm_core::Sources) -> Vec<String> {
    DataFile::ALL
        .into_iter()
        .filter(|&f| before.text(f) != after.text(f))
        .map(|f| before.display_path(f))
        .collect()
}
