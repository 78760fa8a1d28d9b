//! Writing a file so that a crash leaves it wholly old or wholly new.
//!
//! The new text goes to a temporary file in the same directory (so that the
//! rename below stays within one file system), which is flushed to disk;
//! then a rename puts it in the old file's place in one step, and flushing
//! the directory makes the rename itself survive a power cut.
//!
//! A file that is a symbolic link is written through: the temporary file
//! and the rename are in the directory of the file the link points to, so
//! the link stays a link and its target gets the new text. Renaming over
//! the link itself would leave the real file with the old text, and the data
//! directory with a copy that no longer follows it.

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::faults::{Faults, Step};
use crate::{StoreError, leftovers};

/// The marker in the names of temporary files, which start with a dot and
/// end in the writer's process id.
const TEMP_MARK: &str = ".nspm-tmp.";

/// Replaces `path`'s content with `text`, atomically and durably; through
/// to its target when `path` is a symbolic link. The file keeps its
/// permissions.
///
/// `Ok(Some(warning))` means the text is in place but flushing the
/// directory failed, so it may not survive a power cut: the write is done,
/// and should not be repeated as if it had failed.
pub fn write(path: &Path, text: &str, faults: &Faults) -> Result<Option<StoreError>, StoreError> {
    let path = &resolve(path)?;
    // Another writer's leftover is no reason to refuse this write; the
    // data's are cleared for certain when its lock is taken.
    let _ = clear_leftovers(path);
    let dir = dir_of(path);
    let temp = dir.join(format!(
        ".{}{TEMP_MARK}{}",
        file_name(path),
        leftovers::own_id()
    ));
    let result = write_via(&temp, path, text, faults);
    if result.is_err() {
        // The temporary file is ours; if it is left over, nothing else
        // would clear it until the next edit.
        let _ = fs::remove_file(&temp);
    }
    result?;
    Ok(sync_dir(dir, faults)
        .err()
        .map(|source| StoreError::NotDurable {
            file: path.clone(),
            dir: dir.to_path_buf(),
            source,
        }))
}

/// The file a write to `path` changes: `path`, or the file its link points
/// to, however many links lead there.
fn resolve(path: &Path) -> Result<PathBuf, StoreError> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            fs::canonicalize(path).map_err(StoreError::io("follow the link", path))
        }
        _ => Ok(path.to_path_buf()),
    }
}

/// The directory a file is in; a bare file name's is the current one.
pub(crate) fn dir_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

fn write_via(temp: &Path, path: &Path, text: &str, faults: &Faults) -> Result<(), StoreError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(temp)
        .map_err(StoreError::io("create", temp))?;
    faults
        .before(Step::Write)
        .and_then(|()| file.write_all(text.as_bytes()))
        .map_err(StoreError::io("write", temp))?;
    if let Ok(meta) = fs::metadata(path) {
        file.set_permissions(meta.permissions())
            .map_err(StoreError::io("set the permissions of", temp))?;
    }
    file.sync_all().map_err(StoreError::io("flush", temp))?;
    drop(file);
    faults
        .before(Step::Rename)
        .and_then(|()| fs::rename(temp, path))
        .map_err(StoreError::io("replace", path))
}

/// Flushes a directory's entries, so that a rename in it is on disk.
pub(crate) fn sync_dir(dir: &Path, faults: &Faults) -> std::io::Result<()> {
    faults.before(Step::SyncDir)?;
    if cfg!(unix) {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Removes the temporary files that writers of `path` killed half-way left
/// beside it (those of live writers stay). `path` is the file written: the
/// target when the name given is a link.
fn clear_leftovers(path: &Path) -> Result<(), StoreError> {
    let prefix = format!(".{}{TEMP_MARK}", file_name(path));
    for left in leftovers::of_ended_processes(dir_of(path), &prefix)? {
        fs::remove_file(&left).map_err(StoreError::io("remove", &left))?;
    }
    Ok(())
}

/// Clears what writers killed half-way left behind for the data files in
/// `dir`, beside each file or the target of its link.
pub(crate) fn clear_data_leftovers(dir: &Path) -> Result<(), StoreError> {
    for file in nspm_core::DataFile::ALL {
        // A link that leads nowhere has nothing beside its target; the
        // check reports the file as missing.
        if let Ok(path) = resolve(&dir.join(file.file_name())) {
            clear_leftovers(&path)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leftovers::tests::{ended_process, names};

    #[test]
    fn writing_replaces_the_text_and_keeps_the_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("people.ron");
        fs::write(&path, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        }
        assert!(write(&path, "new", &Faults::default()).unwrap().is_none());
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
        }
        assert_eq!(names(dir.path()), ["people.ron"]);
    }

    #[test]
    fn leftovers_of_ended_writers_are_cleared_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let gone = ended_process();
        let live = std::os::unix::process::parent_id();
        fs::write(
            dir.path().join(format!(".people.ron.nspm-tmp.{gone}")),
            "half",
        )
        .unwrap();
        fs::write(
            dir.path().join(format!(".people.ron.nspm-tmp.{live}")),
            "busy",
        )
        .unwrap();
        fs::write(dir.path().join("people.ron"), "whole").unwrap();
        clear_data_leftovers(dir.path()).unwrap();
        assert_eq!(
            names(dir.path()),
            [format!(".people.ron.nspm-tmp.{live}"), "people.ron".into()]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_written_through_to_its_target_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        let data = dir.path().join("data");
        fs::create_dir_all(&real).unwrap();
        fs::create_dir_all(&data).unwrap();
        fs::write(real.join("people.ron"), "old").unwrap();
        std::os::unix::fs::symlink("../real/people.ron", data.join("people.ron")).unwrap();
        let link = data.join("people.ron");
        assert!(write(&link, "new", &Faults::default()).unwrap().is_none());
        assert!(link.is_symlink(), "the link was replaced");
        assert_eq!(fs::read_to_string(real.join("people.ron")).unwrap(), "new");
        assert_eq!(names(&real), ["people.ron"]);
        assert_eq!(names(&data), ["people.ron"]);
    }

    #[test]
    fn a_failed_flush_of_the_directory_is_a_warning_after_the_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("people.ron");
        fs::write(&path, "old").unwrap();
        let faults: Faults = "sync-dir=eio".parse().unwrap();
        let warning = write(&path, "new", &faults).unwrap().unwrap();
        assert!(
            matches!(warning, StoreError::NotDurable { .. }),
            "{warning}"
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
    }
}
