//! `add`, `edit` and `remove` for people, institutions and meetings: the
//! glue between the flags, nspm-core's edit (which works the change out and
//! checks it) and nspm-store (which locks the data and writes it safely).

mod fields;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use nspm_core::edit::{self, Assign, Change, Kind};
use nspm_store::DataDir;

pub use fields::{InstitutionFields, MeetingFields, PersonFields};

use super::Context;

/// The fields of one kind of record, as flags.
pub trait Fields: clap::Args {
    const KIND: Kind;
    /// The flags given, in the order the command line names them.
    fn assigns(&self) -> Vec<Assign>;
}

/// How long to wait for another change to the same data to finish.
#[derive(Debug, clap::Args)]
pub struct Wait {
    /// Seconds to wait while someone else changes the data, before giving up.
    #[arg(long = "wait", value_name = "SECONDS", default_value_t = 5.0)]
    seconds: f64,
}

impl Wait {
    pub(super) fn duration(&self) -> anyhow::Result<Duration> {
        Duration::try_from_secs_f64(self.seconds)
            .ok()
            .context("--wait takes a number of seconds from 0 up")
    }
}

#[derive(Debug, clap::Args)]
pub struct Options {
    /// Show the change as a unified diff, and write nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    wait: Wait,
}

#[derive(Debug, clap::Args)]
pub struct AddArgs<F: Fields> {
    #[command(flatten)]
    fields: F,
    #[command(flatten)]
    options: Options,
}

#[derive(Debug, clap::Args)]
pub struct EditArgs<F: Fields> {
    /// The id of the record to change.
    #[arg(value_name = "ID")]
    record: String,
    #[command(flatten)]
    fields: F,
    #[command(flatten)]
    options: Options,
}

#[derive(Debug, clap::Args)]
pub struct RemoveArgs {
    /// The id of the record to remove.
    #[arg(value_name = "ID")]
    record: String,
    #[command(flatten)]
    options: Options,
}

pub fn add<F: Fields>(cx: &mut Context, args: AddArgs<F>) -> anyhow::Result<ExitCode> {
    let change = Change::Add {
        kind: F::KIND,
        fields: args.fields.assigns(),
    };
    run(cx, &change, &args.options)
}

pub fn edit<F: Fields>(cx: &mut Context, args: EditArgs<F>) -> anyhow::Result<ExitCode> {
    let change = Change::Edit {
        kind: F::KIND,
        id: args.record,
        fields: args.fields.assigns(),
    };
    run(cx, &change, &args.options)
}

pub fn remove(cx: &mut Context, kind: Kind, args: RemoveArgs) -> anyhow::Result<ExitCode> {
    let change = Change::Remove {
        kind,
        id: args.record,
    };
    run(cx, &change, &args.options)
}

/// The directory a change is written to; the copy built into nspm cannot be.
pub(super) fn writable_dir(cx: &Context) -> anyhow::Result<PathBuf> {
    cx.data_dir().context(
        "changes need a data directory: give --data DIR, set NSPM_DATA, or run where ./data holds society.ron",
    )
}

/// What this run does, for the message of another that waits on it.
pub(super) fn what() -> String {
    let mut line = String::from("nspm");
    for arg in std::env::args().skip(1).take(4) {
        line.push(' ');
        line.push_str(&arg);
    }
    line
}

/// Reads, checks and writes the data under the lock, so that no other change
/// can come between; on any refusal nothing is written.
fn run(cx: &mut Context, change: &Change, options: &Options) -> anyhow::Result<ExitCode> {
    let dir = writable_dir(cx)?;
    let lock = DataDir::new(&dir)
        .by_user(super::user())
        .lock(options.wait.duration()?, &what())?;
    let before = lock.read()?;
    let edited = edit::apply(&before, change, nspm_store::now())?;
    let path = before.display_path(edited.file);
    if options.dry_run {
        write!(cx.out, "{}", nspm_store::diff(&before, &edited.sources))?;
        cx.out.flush()?;
        eprintln!("dry run, nothing written: {} ({path})", edited.summary);
    } else {
        lock.save(&before, &edited.sources)?;
        writeln!(cx.out, "{} ({path})", edited.summary)?;
    }
    Ok(ExitCode::SUCCESS)
}
