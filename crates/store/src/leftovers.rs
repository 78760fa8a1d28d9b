//! What interrupted writers leave behind, and whose it is.
//!
//! Every temporary file or directory this crate makes ends in the id of the
//! process that made it. A later writer removes one only when that process
//! is gone: a live one may still be writing it, and nothing else tells a
//! half-written temporary from one in use.

use std::fs;
use std::path::{Path, PathBuf};

use crate::StoreError;

/// This process's id, as temporary names end in it.
pub(crate) fn own_id() -> u32 {
    std::process::id()
}

/// True when the process whose id `text` is has ended. An id that is this
/// process's own names a leftover of an earlier process that had the same
/// id (this one makes its temporaries only after clearing); text that is no
/// process id names nothing of ours, and counts as in use.
fn owner_gone(text: &str) -> bool {
    let Ok(id) = text.parse::<u32>() else {
        return false;
    };
    id == own_id() || !alive(id)
}

#[cfg(unix)]
fn alive(id: u32) -> bool {
    use rustix::process::{Pid, test_kill_process};
    let Some(pid) = i32::try_from(id).ok().and_then(Pid::from_raw) else {
        return false;
    };
    // Signal 0 asks whether the process exists without touching it; EPERM
    // means it does, but belongs to someone else.
    match test_kill_process(pid) {
        Ok(()) => true,
        Err(e) => e != rustix::io::Errno::SRCH,
    }
}

#[cfg(not(unix))]
fn alive(_: u32) -> bool {
    // Without a way to ask, every leftover is taken to be in use.
    true
}

/// The entries of `dir` whose names are `prefix` followed by the id of a
/// process that has ended, with the rest of the name after `prefix`.
pub(crate) fn of_ended_processes(dir: &Path, prefix: &str) -> Result<Vec<PathBuf>, StoreError> {
    let entries = fs::read_dir(dir).map_err(StoreError::io("read", dir))?;
    Ok(entries
        .flatten()
        .filter(|entry| {
            let name = entry.file_name();
            name.to_str()
                .and_then(|n| n.strip_prefix(prefix))
                .is_some_and(owner_gone)
        })
        .map(|entry| entry.path())
        .collect())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The names in a directory, sorted.
    pub(crate) fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<_> = fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    /// The id of a process that has ended.
    pub(crate) fn ended_process() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let id = child.id();
        child.wait().unwrap();
        id
    }

    #[cfg(unix)]
    #[test]
    fn only_leftovers_of_ended_processes_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let gone = ended_process();
        // The parent of this test runs as long as it does.
        let live = std::os::unix::process::parent_id();
        for name in [
            format!(".x.new-{gone}"),
            format!(".x.new-{live}"),
            ".x.new-mine".to_string(),
            format!(".y.new-{gone}"),
        ] {
            fs::create_dir(dir.path().join(name)).unwrap();
        }
        let found = of_ended_processes(dir.path(), ".x.new-").unwrap();
        assert_eq!(found, [dir.path().join(format!(".x.new-{gone}"))]);
    }
}
