//! One writer at a time: an exclusive lock on a file in the data directory,
//! held from reading the data until the last write; and a shared one for
//! reading the data as a writer left it, which a dry run takes.
//!
//! The lock is the operating system's (`flock` on Unix), so it goes away
//! with the process that holds it, even one that is killed. The lock file
//! itself stays, and is never removed: removing it while another process
//! waits on it would let two writers in at once. While held it names its
//! holder, for the message a waiting writer gives up with.
//!
//! The lock file is opened without following a symbolic link, as opening it
//! for writing truncates it: a link there would truncate whatever it points
//! to. It is opened without waiting, and refused unless it is a regular
//! file, so that a FIFO in its place cannot hold a writer up for ever.

use std::fs::{File, TryLockError};
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use nspm_core::{DataFile, Sources, Timestamp};

use crate::faults::Faults;
use crate::{StoreError, atomic};

/// The lock file's name in the data directory.
pub(crate) const LOCK_FILE: &str = ".nspm.lock";

/// How often a waiting writer tries the lock again.
const POLL: Duration = Duration::from_millis(20);

/// A directory of data files that staff change.
#[derive(Debug, Clone)]
pub struct DataDir {
    dir: PathBuf,
    faults: Faults,
    /// The user this writer works for, named in the lock's note.
    user: Option<String>,
}

/// The right to change a data directory, until dropped.
#[derive(Debug)]
pub struct Lock {
    dir: PathBuf,
    file: File,
    faults: Faults,
}

/// What [`Lock::save`] wrote.
#[derive(Debug)]
pub struct Saved {
    /// The files written, in the order they are checked.
    pub written: Vec<DataFile>,
    /// What went wrong after a file was in place, such as a failed flush
    /// ([`StoreError::NotDurable`]): the change is made all the same.
    pub warnings: Vec<StoreError>,
}

impl DataDir {
    pub fn new(dir: impl Into<PathBuf>) -> DataDir {
        DataDir {
            dir: dir.into(),
            faults: Faults::default(),
            user: None,
        }
    }

    /// The same directory, with faults injected into its writes (for tests).
    pub fn with_faults(self, faults: Faults) -> DataDir {
        DataDir { faults, ..self }
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
        let mut file = open_lock(&path, true)?;
        self.wait_for(&mut file, wait, File::try_lock)?;
        let user = self
            .user
            .as_ref()
            .map(|u| format!(", user {u}"))
            .unwrap_or_default();
        let note = format!("{what} (pid {}{user}, since {})", std::process::id(), now());
        file.set_len(0)
            .and_then(|()| file.write_all(note.as_bytes()))
            .map_err(StoreError::io("write", &path))?;
        atomic::clear_data_leftovers(&self.dir)?;
        Ok(Lock {
            dir: self.dir.clone(),
            file,
            faults: self.faults.clone(),
        })
    }

    /// Reads the data as a writer left it, for a change that is only shown
    /// (a dry run): waits up to `wait` for a writer to finish, and holds a
    /// lock shared with other readers while reading, so no writer starts
    /// half-way through.
    ///
    /// It needs no write access. Where the directory is read-only, the lock
    /// file is opened for reading; when there is none there either, no
    /// writer has made one, and the files are read without a lock. Each file
    /// is still read whole, as writers replace files in one step.
    pub fn read(&self, wait: Duration) -> Result<Sources, StoreError> {
        let path = self.dir.join(LOCK_FILE);
        let file = match open_lock(&path, true) {
            Err(e) if is(&e, read_only) => match open_lock(&path, false) {
                Err(e) if is(&e, |e| e.kind() == io::ErrorKind::NotFound) => None,
                opened => Some(opened?),
            },
            opened => Some(opened?),
        };
        if let Some(mut file) = file {
            self.wait_for(&mut file, wait, File::try_lock_shared)?;
            // The lock goes with the file, once the files are read.
            let sources = Sources::read_dir(&self.dir)?;
            drop(file);
            return Ok(sources);
        }
        Ok(Sources::read_dir(&self.dir)?)
    }

    /// Tries `lock` on the lock file until it succeeds or `wait` is over.
    fn wait_for(
        &self,
        file: &mut File,
        wait: Duration,
        lock: fn(&File) -> Result<(), TryLockError>,
    ) -> Result<(), StoreError> {
        // A wait too long to add to the clock is a wait with no end.
        let deadline = Instant::now().checked_add(wait);
        loop {
            match lock(file) {
                Ok(()) => return Ok(()),
                Err(TryLockError::WouldBlock) => {
                    let now = Instant::now();
                    let left = deadline.map_or(POLL, |d| d.saturating_duration_since(now));
                    if left.is_zero() {
                        return Err(StoreError::Busy {
                            dir: self.dir.clone(),
                            holder: holder(file),
                            waited: wait,
                        });
                    }
                    thread::sleep(POLL.min(left));
                }
                Err(TryLockError::Error(e)) => {
                    return Err(StoreError::io("lock", self.dir.join(LOCK_FILE))(e));
                }
            }
        }
    }
}

/// Opens the lock file, creating it when `create` (for reading and
/// writing; else for reading alone), never through a link and never
/// waiting; anything but a regular file there is refused.
fn open_lock(path: &Path, create: bool) -> Result<File, StoreError> {
    let failed = |e: io::Error| match std::fs::symlink_metadata(path) {
        // The error (ELOOP, EISDIR, ENXIO) says less than what is there.
        Ok(meta) if !meta.is_file() => StoreError::BadLockFile {
            path: path.to_path_buf(),
            kind: nspm_core::file_kind(&meta.file_type()),
        },
        _ => StoreError::io("open the lock file", path)(e),
    };
    let file = open_no_follow(path, create).map_err(failed)?;
    let meta = file.metadata().map_err(failed)?;
    if !meta.is_file() {
        return Err(StoreError::BadLockFile {
            path: path.to_path_buf(),
            kind: nspm_core::file_kind(&meta.file_type()),
        });
    }
    Ok(file)
}

#[cfg(unix)]
fn open_no_follow(path: &Path, create: bool) -> io::Result<File> {
    use rustix::fs::{Mode, OFlags};
    let mut flags = OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    flags |= if create {
        OFlags::RDWR | OFlags::CREATE
    } else {
        OFlags::RDONLY
    };
    // Read and write for all, less the umask, as std creates files.
    let mode = Mode::from_raw_mode(0o666);
    Ok(File::from(rustix::fs::open(path, flags, mode)?))
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path, create: bool) -> io::Result<File> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(create)
        .create(create)
        .truncate(false)
        .open(path)
}

/// True when `e` is an I/O error that `test` picks.
fn is(e: &StoreError, test: impl Fn(&io::Error) -> bool) -> bool {
    matches!(e, StoreError::Io { source, .. } if test(source))
}

/// True for the errors of a directory this process may not write in.
fn read_only(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::PermissionDenied
    )
}

impl Lock {
    /// The data as it is now; nobody else can change it while the lock is
    /// held.
    pub fn read(&self) -> Result<Sources, StoreError> {
        Ok(Sources::read_dir(&self.dir)?)
    }

    /// Replaces one data file's text, atomically and durably; through to
    /// its target when the file is a symbolic link. `Ok(Some(warning))`:
    /// the text is in place, but may not be durable yet.
    pub fn write(&self, file: DataFile, text: &str) -> Result<Option<StoreError>, StoreError> {
        atomic::write(&self.dir.join(file.file_name()), text, &self.faults)
    }

    /// Writes every file whose text differs between `before` and `after`.
    pub fn save(&self, before: &Sources, after: &Sources) -> Result<Saved, StoreError> {
        let mut saved = Saved {
            written: Vec::new(),
            warnings: Vec::new(),
        };
        for file in DataFile::ALL {
            if let Some(text) = after.text(file)
                && before.text(file) != Some(text)
            {
                saved.warnings.extend(self.write(file, text)?);
                saved.written.push(file);
            }
        }
        Ok(saved)
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
    fn a_writer_waiting_gets_the_lock_when_it_is_let_go() {
        // A wait too long to add to the clock is one without end, not a
        // panic.
        for wait in [Duration::from_secs(10), Duration::MAX] {
            let dir = tempfile::tempdir().unwrap();
            let data = DataDir::new(dir.path());
            let first = data.lock(Duration::ZERO, "first").unwrap();
            let waiter = {
                let data = data.clone();
                thread::spawn(move || data.lock(wait, "second").map(drop))
            };
            thread::sleep(Duration::from_millis(100));
            drop(first);
            waiter.join().unwrap().unwrap();
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_lock_file_that_is_a_link_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let precious = dir.path().join("precious.txt");
        std::fs::write(&precious, "keep me").unwrap();
        std::os::unix::fs::symlink(&precious, dir.path().join(LOCK_FILE)).unwrap();
        let data = DataDir::new(dir.path());
        for err in [
            data.lock(Duration::ZERO, "nspm fmt").unwrap_err(),
            data.read(Duration::ZERO).unwrap_err(),
        ] {
            assert_eq!(
                err.to_string(),
                format!(
                    "{} is a symbolic link, not a lock file: nspm does not follow or open it; remove it and run again",
                    dir.path().join(LOCK_FILE).display()
                )
            );
        }
        assert_eq!(std::fs::read_to_string(&precious).unwrap(), "keep me");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_in_the_lock_files_place_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK_FILE);
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &path,
            rustix::fs::Mode::from_raw_mode(0o600),
        )
        .unwrap();
        let err = DataDir::new(dir.path())
            .lock(Duration::ZERO, "nspm fmt")
            .unwrap_err();
        assert!(
            err.to_string()
                .ends_with("is a FIFO (named pipe), not a lock file: nspm does not follow or open it; remove it and run again"),
            "{err}"
        );
    }

    #[test]
    fn a_reader_waits_for_a_writer_and_shares_with_readers() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path());
        let writer = data.lock(Duration::ZERO, "nspm people add").unwrap();
        let err = data.read(Duration::from_millis(100)).unwrap_err();
        assert!(
            err.to_string()
                .contains("is being changed by nspm people add"),
            "{err}"
        );
        drop(writer);
        // The data is missing here, which only the check reports.
        data.read(Duration::ZERO).unwrap();
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
}
