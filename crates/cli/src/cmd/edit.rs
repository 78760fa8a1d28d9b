//! `add`, `edit` and `remove` for people, institutions, meetings and news: the
//! glue between the flags, nspm-core's edit (which works the change out and
//! checks it) and nspm-store (which locks the data and writes it safely).

mod fields;
mod import;

use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use nspm_core::edit::{self, Assign, Change, EditError, Kind};
use nspm_store::{DataDir, Lock, StoreError};

pub use fields::{InstitutionFields, MeetingFields, NewsFields, PersonFields};
pub use import::{ImportArgs, run as import};

use super::Context;

/// The fields of one kind of record, as flags.
pub trait Fields: clap::Args {
    const KIND: Kind;
    /// The one-line helps of the kind's `add`, `edit` and `remove`, as clap
    /// shows them (without a closing period).
    const ADD: &'static str;
    const EDIT: &'static str;
    const REMOVE: &'static str;
    /// The flags given, in the order the command line names them.
    fn assigns(&self) -> Vec<Assign>;
}

/// How long to wait for another change to the same data to finish.
#[derive(Debug, clap::Args)]
pub struct Wait {
    /// Seconds to wait while someone else changes the data, before giving up.
    #[arg(
        long = "wait",
        value_name = "SECONDS",
        default_value = "5",
        value_parser = crate::cli::seconds
    )]
    seconds: Duration,
}

impl Wait {
    pub(super) fn duration(&self) -> Duration {
        self.seconds
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

/// The commands that change records of one kind, flattened into that
/// kind's commands after `list` and `show`.
#[derive(Debug, clap::Subcommand)]
pub enum Changes<F: Fields> {
    #[command(about = F::ADD)]
    Add(AddArgs<F>),
    #[command(about = F::EDIT)]
    Edit(EditArgs<F>),
    #[command(about = F::REMOVE)]
    Remove(RemoveArgs),
}

impl<F: Fields> Changes<F> {
    pub fn run(self, cx: &mut Context) -> anyhow::Result<ExitCode> {
        match self {
            Changes::Add(args) => add(cx, args),
            Changes::Edit(args) => edit(cx, args),
            Changes::Remove(args) => remove(cx, F::KIND, args),
        }
    }
}

fn add<F: Fields>(cx: &mut Context, args: AddArgs<F>) -> anyhow::Result<ExitCode> {
    let change = Change::Add {
        kind: F::KIND,
        fields: args.fields.assigns(),
    };
    run(cx, &change, &args.options)
}

fn edit<F: Fields>(cx: &mut Context, args: EditArgs<F>) -> anyhow::Result<ExitCode> {
    let change = Change::Edit {
        kind: F::KIND,
        id: args.record,
        fields: args.fields.assigns(),
    };
    run(cx, &change, &args.options)
}

fn remove(cx: &mut Context, kind: Kind, args: RemoveArgs) -> anyhow::Result<ExitCode> {
    let change = Change::Remove {
        kind,
        id: args.record,
    };
    run(cx, &change, &args.options)
}

/// The directory a change is written to; the copy built into nspm cannot be.
pub(super) fn writable_dir(cx: &Context) -> anyhow::Result<DataDir> {
    let dir = cx.data_dir().context(
        "changes need a data directory: give --data DIR, set NSPM_DATA, or run where ./data holds society.ron",
    )?;
    Ok(DataDir::new(dir)
        .with_faults(cx.faults.clone())
        .by_user(super::user()))
}

/// Takes the data directory's lock, waiting as long as `wait` says; giving
/// up, it says how to wait longer.
pub(super) fn lock(data: &DataDir, wait: &Wait) -> anyhow::Result<Lock> {
    data.lock(wait.duration(), &what()).map_err(busy)
}

/// Reads the data under a shared lock, for a dry run, waiting as long as
/// `wait` says.
fn read(data: &DataDir, wait: &Wait) -> anyhow::Result<nspm_core::Sources> {
    data.read(wait.duration()).map_err(busy)
}

/// A store error in the command line's words: a lock held too long says
/// how to wait longer.
fn busy(e: StoreError) -> anyhow::Error {
    match e {
        e @ StoreError::Busy { .. } => anyhow::anyhow!("{e} (raise --wait to wait longer)"),
        other => other.into(),
    }
}

/// An input of a change as the command line names it: its flag.
fn flag(field: &str) -> String {
    format!("--{field}")
}

/// A refused or impossible change, in words that name the flags.
fn explained(e: EditError) -> anyhow::Error {
    match e {
        EditError::Refused(_) => anyhow::anyhow!(e.message(&flag)),
        other => other.into(),
    }
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
/// can come between; on any refusal nothing is written. A dry run only
/// reads, as a writer left the data, and needs no write access.
fn run(cx: &mut Context, change: &Change, options: &Options) -> anyhow::Result<ExitCode> {
    let data = writable_dir(cx)?;
    let (mut before, lock) = if options.dry_run {
        (read(&data, &options.wait)?, None)
    } else {
        let lock = lock(&data, &options.wait)?;
        (lock.read()?, Some(lock))
    };
    // A photo the change names is read with the data, to be checked with it.
    before.read_photos(data.path(), change.photos());
    let now = nspm_store::now();
    let edited = edit::apply(&before, change, now).map_err(explained)?;
    let path = before.display_path(edited.file);
    // A person removed is no longer let in: their grants are revoked under
    // the same lock, before the data is written, so that no moment has an
    // active grant for someone the data no longer holds.
    let revoked = match change {
        Change::Remove {
            kind: Kind::Person,
            id,
        } => super::access::revoke_removed(data.path(), id, now, options.dry_run, &cx.faults)?,
        _ => Vec::new(),
    };
    match lock {
        None => {
            write!(cx.out, "{}", nspm_store::diff(&before, &edited.sources))?;
            cx.out.flush()?;
            for line in &revoked {
                eprintln!("dry run, nothing written: would revoke {line}");
            }
            eprintln!("dry run, nothing written: {} ({path})", edited.summary);
        }
        Some(lock) => {
            let saved = lock.save(&before, &edited.sources)?;
            for line in &revoked {
                writeln!(cx.out, "revoked {line}")?;
            }
            writeln!(cx.out, "{} ({path})", edited.summary)?;
            cx.out.flush()?;
            warn_written(saved.warnings);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Warns of what went wrong after a change was written, saying that it
/// is made: repeating the command would make it twice.
pub(super) fn warn_written(warnings: Vec<nspm_store::StoreError>) {
    for warning in warnings {
        super::warn(
            anyhow::Error::from(warning).context("the change is made (do not make it again)"),
        );
    }
}
