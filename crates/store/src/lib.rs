//! Changing the society's data files safely.
//!
//! nspm-core works out a change from the files' texts without touching the
//! disk; this crate is the part that does: it lets one writer at a time read,
//! check and write a data directory ([`DataDir::lock`]), and writes each file
//! so that a crash at any moment leaves it wholly old or wholly new
//! ([`Lock::write`]). [`diff`] shows a change before it is made.

mod atomic;
mod diff;
mod lock;

use std::io;
use std::path::PathBuf;
use std::time::Duration;

pub use atomic::write as write_atomically;
pub use diff::diff;
pub use lock::{DataDir, LOCK_FILE, Lock, now};

/// What can go wrong while changing the data on disk.
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
