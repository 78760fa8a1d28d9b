//! One writer at a time: an exclusive lock on a file in the data directory,
//! held from reading the data until the last write.
//!
//! The lock is the operating system's (`flock` on Unix), so it goes away
//! with the process that holds it, even one that is killed. The lock file
//! itself stays, and is never removed: removing it while another process
//! waits on it would let two writers in at once. While held it names its
//! holder, for the message a waiting writer gives up with.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use nspm_core::{DataFile, Sources, Timestamp};

use crate::{StoreError, atomic};

/// The lock file's name in the data directory.
pub const LOCK_FILE: &str = ".nspm.lock";

/// How often a waiting writer tries the lock again.
const POLL: Duration = Duration::from_millis(20);

/// A directory of data files that staff change.
#[derive(Debug, Clone)]
pub struct DataDir {
    dir: PathBuf,
    /// The user this writer works for, named in the lock's note.
    user: Option<String>,
}

/// The right to change a data directory, until dropped.
#[derive(Debug)]
pub struct Lock {
    dir: PathBuf,
    file: File,
}

impl DataDir {
    pub fn new(dir: impl Into<PathBuf>) -> DataDir {
        DataDir {
            dir: dir.into(),
            user: None,
        }
    }

    /// Names the user this writer works for (the command line passes
    /// `USER`), for the message another writer gives if it gives up waiting.
    pub fn by_user(self, user: Option<String>) -> DataDir {
        DataDir { user, ..self }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Takes the directory's lock, waiting up to `wait` for another writer
    /// to finish. `what` says what this writer does ("nspm people add"), for
    /// the message another writer gives if it gives up waiting.
    pub fn lock(&self, wait: Duration, what: &str) -> Result<Lock, StoreError> {
        let path = self.dir.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(StoreError::io("open the lock file", &path))?;
        let deadline = Instant::now() + wait;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return Err(StoreError::Busy {
                            dir: self.dir.clone(),
                            holder: holder(&mut file),
                            waited: wait,
                        });
                    }
                    thread::sleep(POLL.min(deadline - now));
                }
                Err(TryLockError::Error(e)) => {
                    return Err(StoreError::io("lock", &path)(e));
                }
            }
        }
        let user = self
            .user
            .as_ref()
            .map(|u| format!(", user {u}"))
            .unwrap_or_default();
        let note = format!("{what} (pid {}{user}, since {})", std::process::id(), now());
        file.set_len(0)
            .and_then(|()| file.write_all(note.as_bytes()))
            .map_err(StoreError::io("write", &path))?;
        atomic::clear_leftovers(&self.dir)?;
        Ok(Lock {
            dir: self.dir.clone(),
            file,
        })
    }
}

impl Lock {
    /// The data as it is now; nobody else can change it while the lock is
    /// held.
    pub fn read(&self) -> Result<Sources, StoreError> {
        Ok(Sources::read_dir(&self.dir)?)
    }

    /// Replaces one data file's text, atomically and durably.
    pub fn write(&self, file: DataFile, text: &str) -> Result<(), StoreError> {
        atomic::write(&self.dir.join(file.file_name()), text)
    }

    /// Writes every file whose text differs between `before` and `after`;
    /// returns those files.
    pub fn save(&self, before: &Sources, after: &Sources) -> Result<Vec<DataFile>, StoreError> {
        let mut written = Vec::new();
        for file in DataFile::ALL {
            if let Some(text) = after.text(file)
                && before.text(file) != Some(text)
            {
                self.write(file, text)?;
                written.push(file);
            }
        }
        Ok(written)
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // The note names a holder that is leaving; the lock itself goes
        // with the file handle.
        let _ = self.file.set_len(0);
    }
}

/// What the lock file says about its holder.
fn holder(file: &mut File) -> String {
    let mut note = String::new();
    let _ = file.read_to_string(&mut note);
    match note.trim() {
        "" => "another nspm".to_string(),
        note => note.to_string(),
    }
}

/// The current moment in UTC, to the second: when a change is made.
pub fn now() -> Timestamp {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Timestamp::from_unix(i64::try_from(secs).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_waits_then_names_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path());
        let first = data.lock(Duration::ZERO, "nspm people add").unwrap();
        let started = Instant::now();
        let err = data
            .lock(Duration::from_millis(200), "nspm fmt")
            .unwrap_err();
        assert!(started.elapsed() >= Duration::from_millis(200));
        let message = err.to_string();
        assert!(
            message.contains("is being changed by nspm people add (pid "),
            "{message}"
        );
        drop(first);
        data.lock(Duration::ZERO, "nspm fmt").unwrap();
    }

    #[test]
    fn the_note_names_the_user_given() {
        let dir = tempfile::tempdir().unwrap();
        let note = |data: DataDir| {
            let _held = data.lock(Duration::ZERO, "nspm fmt").unwrap();
            std::fs::read_to_string(dir.path().join(LOCK_FILE)).unwrap()
        };
        let by_ada = note(DataDir::new(dir.path()).by_user(Some("ada".into())));
        let pid = std::process::id();
        assert!(
            by_ada.starts_with(&format!("nspm fmt (pid {pid}, user ada, since ")),
            "{by_ada}"
        );
        let nobody = note(DataDir::new(dir.path()));
        assert!(
            nobody.starts_with(&format!("nspm fmt (pid {pid}, since ")),
            "{nobody}"
        );
    }

    #[test]
    fn a_writer_waiting_gets_the_lock_when_it_is_let_go() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path());
        let first = data.lock(Duration::ZERO, "first").unwrap();
        let waiter = {
            let data = data.clone();
            thread::spawn(move || data.lock(Duration::from_secs(10), "second").map(drop))
        };
        thread::sleep(Duration::from_millis(100));
        drop(first);
        waiter.join().unwrap().unwrap();
    }
}
