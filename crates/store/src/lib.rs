//! Changing the society's data files safely, and writing exports whole.
//!
//! nspm-core works out a change from the files' texts without touching the
//! disk, and nspm-export renders files as bytes; this crate is the part that
//! writes: it lets one writer at a time read, check and write a data
//! directory ([`DataDir::lock`]), writes each file so that a crash at any
//! moment leaves it wholly old or wholly new ([`Lock::write`]), and puts an
//! export in place of the previous one in one step ([`ExportDir::replace`]).
//! [`diff`] shows a change before it is made; [`Faults`] lets tests
//! interrupt each step.

mod atomic;
mod diff;
mod export;
mod faults;
mod leftovers;
mod lock;

use std::io;
use std::path::PathBuf;
use std::time::Duration;

pub use atomic::write as write_atomically;
pub use diff::diff;
pub use export::{EXPORT_MARK, ExportDir, Exported};
pub use faults::Faults;
pub use lock::{DataDir, Lock, Saved, now};

/// What can go wrong while changing the data on disk or writing an export.
///
/// The variants that hold an `io::Error` give it as their source and leave
/// it out of their own message, so that a chain printed whole names it once.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot {action} {}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "the data in {} is being changed by {holder}; gave up after waiting {} s",
        dir.display(),
        waited.as_secs_f32()
    )]
    Busy {
        dir: PathBuf,
        /// Who holds the lock, as the holder wrote it, or "another nspm".
        holder: String,
        waited: Duration,
    },
    /// Something other than a regular file is where the lock file belongs.
    /// A symbolic link is never followed there: opening the lock truncates
    /// it, which would truncate whatever the link points to.
    #[error(
        "{} is {kind}, not a lock file: nspm does not follow or open it; remove it and run again",
        path.display()
    )]
    BadLockFile { path: PathBuf, kind: &'static str },
    /// A file is in place, but flushing its directory to disk failed, so a
    /// power cut could still undo it. It is a warning, not a failure: the
    /// change is made, and making it again would make it twice.
    #[error(
        "{} is written but may not be durable yet: cannot flush {}",
        file.display(),
        dir.display()
    )]
    NotDurable {
        file: PathBuf,
        dir: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The export would replace a directory that nspm did not write.
    #[error(
        "{} is not empty and holds no earlier export of the site ({EXPORT_MARK} is missing): choose an empty or new directory",
        path.display()
    )]
    NotAnExport { path: PathBuf },
    /// A warning: the new export is in place, but the old one, moved aside,
    /// could not be removed; the next export removes it.
    #[error(
        "the new export is in place, but the previous one could not be removed from {} (the next export removes it)",
        path.display()
    )]
    OldExportLeft {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "unknown fault {pair:?}: expected STEP=FAULT, with STEP one of {steps}, and FAULT one of {faults}"
    )]
    FaultPlan {
        pair: String,
        steps: String,
        faults: String,
    },
    #[error(transparent)]
    Load(#[from] nspm_core::Error),
}

impl StoreError {
    fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> StoreError {
        let path = path.into();
        move |source| StoreError::Io {
            action,
            path,
            source,
        }
    }
}
