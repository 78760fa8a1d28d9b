//! Writing a file so that a crash leaves it wholly old or wholly new.
//!
//! The new text goes to a temporary file in the same directory (so that the
//! rename below stays within one file system), which is flushed to disk;
//! then a rename puts it in the old file's place in one step, and flushing
//! the directory makes the rename itself survive a power cut.

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::StoreError;

/// The marker in the names of temporary files, which start with a dot.
const TEMP_MARK: &str = ".nspm-tmp.";

/// Replaces `path`'s content with `text`, atomically and durably. The file
/// keeps its permissions.
pub fn write(path: &Path, text: &str) -> Result<(), StoreError> {
    // A bare file name has an empty parent: that is the current directory.
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = dir.join(format!(".{name}{TEMP_MARK}{}", std::process::id()));
    let result = write_via(&temp, path, text);
    if result.is_err() {
        // The temporary file is ours; if it is left over, nothing else
        // would clear it until the next edit.
        let _ = fs::remove_file(&temp);
    }
    result?;
    sync_dir(dir)
}

fn write_via(temp: &Path, path: &Path, text: &str) -> Result<(), StoreError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(temp)
        .map_err(StoreError::io("create", temp))?;
    file.write_all(text.as_bytes())
        .map_err(StoreError::io("write", temp))?;
    if let Ok(meta) = fs::metadata(path) {
        file.set_permissions(meta.permissions())
            .map_err(StoreError::io("set the permissions of", temp))?;
    }
    file.sync_all().map_err(StoreError::io("flush", temp))?;
    drop(file);
    fs::rename(temp, path).map_err(StoreError::io("replace", path))
}

/// Flushes a directory's entries, so that a rename in it is on disk.
fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    if cfg!(unix) {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(StoreError::io("flush", dir))?;
    }
    Ok(())
}

/// Removes temporary files that a writer killed half-way left behind. Only
/// call it while holding the lock, when no other writer can have one open.
pub(crate) fn clear_leftovers(dir: &Path) -> Result<Vec<PathBuf>, StoreError> {
    let mut removed = Vec::new();
    let entries = fs::read_dir(dir).map_err(StoreError::io("read", dir))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.contains(TEMP_MARK) {
            let path = entry.path();
            fs::remove_file(&path).map_err(StoreError::io("remove", &path))?;
            removed.push(path);
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        write(&path, "new").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
        }
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, ["people.ron"]);
    }

    #[test]
    fn leftovers_are_cleared_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(".people.ron.nspm-tmp.42"), "half").unwrap();
        fs::write(dir.path().join("people.ron"), "whole").unwrap();
        let removed = clear_leftovers(dir.path()).unwrap();
        assert_eq!(removed.len(), 1);
        assert!(dir.path().join("people.ron").exists());
    }
}
