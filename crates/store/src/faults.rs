//! Faults injected at named steps of a write, so that tests can show what a
//! crash or a failing disk at each step leaves behind.
//!
//! A plan such as `exchange=kill` or `sync-dir=eio,remove-old=eio` names a
//! step and what happens just before it: the process is killed (SIGKILL, as
//! a crash or `kill -9` would), or the step fails with that error number as
//! if its system call had returned it. Each fault fires every time its step
//! comes. The default plan injects nothing; a program reads a plan from
//! wherever it likes (the `nspm` binary from `NSPM_TEST_FAULTS`), as this
//! library reads no environment.

use std::io;
use std::str::FromStr;

use crate::StoreError;

/// A step at which a write can be interrupted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// Writing one file's bytes: a data file's temporary file, or one file
    /// of an export.
    Write,
    /// Renaming a data file's temporary file into its place.
    Rename,
    /// Flushing a directory after a rename in it.
    SyncDir,
    /// Swapping a new export with the old one in one step.
    Exchange,
    /// Where the swap is not offered: moving the old export aside.
    MoveOld,
    /// Moving the new export into place.
    MoveNew,
    /// Removing the old export once the new one is in place.
    RemoveOld,
}

impl Step {
    const ALL: [Step; 7] = [
        Step::Write,
        Step::Rename,
        Step::SyncDir,
        Step::Exchange,
        Step::MoveOld,
        Step::MoveNew,
        Step::RemoveOld,
    ];

    /// The step's name in a plan.
    pub fn name(self) -> &'static str {
        match self {
            Step::Write => "write",
            Step::Rename => "rename",
            Step::SyncDir => "sync-dir",
            Step::Exchange => "exchange",
            Step::MoveOld => "move-old",
            Step::MoveNew => "move-new",
            Step::RemoveOld => "remove-old",
        }
    }
}

/// What happens at a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    Kill,
    Fail(i32),
}

/// The error numbers a plan may name, with their names.
#[cfg(unix)]
fn errors() -> [(&'static str, i32); 4] {
    use rustix::io::Errno;
    [
        ("eio", Errno::IO.raw_os_error()),
        ("enospc", Errno::NOSPC.raw_os_error()),
        ("einval", Errno::INVAL.raw_os_error()),
        ("erofs", Errno::ROFS.raw_os_error()),
    ]
}

#[cfg(not(unix))]
fn errors() -> [(&'static str, i32); 0] {
    []
}

/// Which faults to inject where; none by default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    at: Vec<(Step, Fault)>,
}

impl FromStr for Faults {
    type Err = StoreError;

    /// Reads a plan: `STEP=FAULT` pairs separated by commas; an empty plan
    /// injects nothing.
    fn from_str(plan: &str) -> Result<Faults, StoreError> {
        let mut at = Vec::new();
        for pair in plan.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let bad = || StoreError::FaultPlan {
                pair: pair.to_string(),
                steps: Step::ALL.map(Step::name).join(", "),
                faults: ["kill"]
                    .into_iter()
                    .chain(errors().map(|(name, _)| name))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            let (step, fault) = pair.split_once('=').ok_or_else(bad)?;
            let step = Step::ALL
                .into_iter()
                .find(|s| s.name() == step.trim())
                .ok_or_else(bad)?;
            let fault = match fault.trim() {
                "kill" => Fault::Kill,
                name => errors()
                    .into_iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, code)| Fault::Fail(code))
                    .ok_or_else(bad)?,
            };
            at.push((step, fault));
        }
        Ok(Faults { at })
    }
}

impl Faults {
    /// Called just before `step`: kills the process, or returns the error
    /// the step is to fail with, when the plan says so.
    pub(crate) fn before(&self, step: Step) -> io::Result<()> {
        match self.at.iter().find(|(s, _)| *s == step) {
            None => Ok(()),
            Some((_, Fault::Fail(code))) => Err(io::Error::from_raw_os_error(*code)),
            Some((_, Fault::Kill)) => kill_self(),
        }
    }
}

/// Ends the process at once, as `kill -9` would: no destructor runs and no
/// buffer is flushed.
fn kill_self() -> ! {
    #[cfg(unix)]
    {
        use rustix::process::{Signal, getpid, kill_process};
        let _ = kill_process(getpid(), Signal::KILL);
    }
    // SIGKILL cannot be caught, so this is reached only where there is no
    // such signal.
    std::process::abort()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_are_read_and_bad_ones_say_what_is_allowed() {
        let plan: Faults = "exchange=einval, remove-old=eio".parse().unwrap();
        assert!(plan.before(Step::Write).is_ok());
        let error = plan.before(Step::RemoveOld).unwrap_err();
        assert_eq!(error.raw_os_error(), Some(5));
        assert_eq!("".parse::<Faults>().unwrap(), Faults::default());
        let message = "swap=kill".parse::<Faults>().unwrap_err().to_string();
        assert!(
            message.starts_with("unknown fault \"swap=kill\": expected STEP=FAULT, with STEP one of write, rename, sync-dir, exchange,"),
            "{message}"
        );
        assert!(message.ends_with("FAULT one of kill, eio, enospc, einval, erofs"));
    }
}
