//! The commands, one module each, and what they share: where the data comes
//! from and where the output goes.

pub mod access;
pub mod check;
pub mod completions;
pub mod edit;
pub mod export;
pub mod fmt;
pub mod institutions;
pub mod man;
pub mod meetings;
pub mod news;
pub mod people;
pub mod records;
pub mod serve;
pub mod society;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use nspm_core::{DataFile, Society, Sources, Timestamp};

use crate::cli::{Cli, Command, GlobalArgs};
use crate::output::Output;

/// What every command may need. The data is read only by the commands that
/// use it, so `nspm completions` and `nspm man` work anywhere.
#[derive(Debug)]
pub struct Context {
    global: GlobalArgs,
    pub out: Output,
    /// Faults to inject into writes, from `NSPM_TEST_FAULTS`: a hook for the
    /// tests of what a crash or a failing disk at each step of a write
    /// leaves behind (see `nspm_store::Faults`). Unset, it injects nothing.
    pub faults: nspm_store::Faults,
}

impl Context {
    /// Where the data comes from: `--data` or `NSPM_DATA`, else `./data`
    /// when it holds the society's files, else the embedded copy.
    pub fn data_dir(&self) -> Option<PathBuf> {
        if let Some(dir) = &self.global.data {
            return Some(dir.clone());
        }
        let local = Path::new("data");
        Sources::dir_has_data(local).then(|| local.to_path_buf())
    }

    /// The text of the data files, unchecked.
    pub fn sources(&self) -> anyhow::Result<Sources> {
        self.sources_only(&DataFile::ALL)
    }

    /// The text of `society.ron` and the files named, unchecked; the
    /// others are skipped. The embedded copy is small and read whole.
    fn sources_only(&self, only: &[DataFile]) -> anyhow::Result<Sources> {
        match self.data_dir() {
            Some(dir) => Ok(Sources::read_dir_only(&dir, only)?),
            None => Ok(Sources::embedded()),
        }
    }

    /// The checked society; any problem in the data is an error that lists
    /// them all.
    pub fn society(&self) -> anyhow::Result<Society> {
        self.society_only(&DataFile::ALL)
    }

    /// The society checked from `society.ron` and the files named alone, for
    /// a command that needs nothing from the others: problems in those are
    /// not its concern (`nspm check` finds them).
    pub fn society_only(&self, only: &[DataFile]) -> anyhow::Result<Society> {
        let sources = self.sources_only(only)?;
        Society::from_sources(&sources)
            .with_context(|| format!("cannot load the data in {}", sources.origin))
    }
}

/// Prints something that went wrong after the work was done (a file is
/// written but may not be durable yet), in the form `main` prints errors.
pub fn warn(warning: impl Into<anyhow::Error>) {
    eprintln!("nspm: warning: {:#}", warning.into());
}

/// Leaves a large value to the end of the process: a command calls this
/// with what it no longer needs just before it returns and the process
/// ends. Freeing a large society value by value (a million strings for
/// 100,000 people) took a fifth of a run; the system takes the memory back
/// at exit all at once.
pub fn leave_to_exit<T>(value: T) {
    std::mem::forget(value);
}

/// A bar on standard error for `what` ("checking rows") of `len` steps,
/// drawn only when standard error is a terminal (indicatif draws nothing
/// otherwise, so piped or redirected output stays quiet); the command
/// clears it when the work is done.
pub fn progress(what: &str, len: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(len as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    let template = format!("{what} {{bar:40}} {{pos}}/{{len}} {{eta}}");
    let style = indicatif::ProgressStyle::with_template(&template)
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// The stamp `SOURCE_DATE_EPOCH` fixes for what is exported (iCalendar's
/// DTSTAMP), if it is set. Commands that export read it before they read
/// the data, so that a value that is no stamp stops them at once, and pass
/// it to the libraries, which read no environment.
pub fn source_date_epoch() -> anyhow::Result<Option<Timestamp>> {
    match std::env::var_os("SOURCE_DATE_EPOCH") {
        Some(value) => Ok(Some(nspm_export::source_date_epoch(
            &value.to_string_lossy(),
        )?)),
        None => Ok(None),
    }
}

/// The user a command that changes the data works for, as the shell names
/// them, for the note its lock leaves to other writers.
pub fn user() -> Option<String> {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .ok()
}

/// Runs one command; an `Err` is printed by `main` and exits 1.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let faults = match std::env::var("NSPM_TEST_FAULTS") {
        Ok(plan) => plan.parse().context("NSPM_TEST_FAULTS")?,
        Err(_) => nspm_store::Faults::default(),
    };
    let mut cx = Context {
        global: cli.global,
        out: Output::stdout(),
        faults,
    };
    let code = match cli.command {
        Command::People(c) => people::run(&mut cx, c)?,
        Command::Institutions(c) => c.run(&mut cx)?,
        Command::Meetings(c) => c.run(&mut cx)?,
        Command::News(c) => c.run(&mut cx)?,
        Command::Society(a) => society::run(&mut cx, a)?,
        Command::Access(c) => access::run(&mut cx, c)?,
        Command::Check(a) => check::run(&mut cx, a)?,
        Command::Fmt(a) => fmt::run(&mut cx, a)?,
        Command::Export(c) => export::run(&mut cx, c)?,
        Command::Serve(a) => serve::run(&mut cx, a)?,
        Command::Completions(a) => completions::run(&mut cx, a)?,
        Command::Man(a) => man::run(&mut cx, a)?,
    };
    cx.out.flush()?;
    Ok(code)
}
