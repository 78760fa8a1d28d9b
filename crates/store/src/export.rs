//! Writing an export as a directory that replaces the previous one whole.
//!
//! The files go into a fresh directory beside the output (on the same file
//! system, so it can be renamed into place), named `.NAME.new-PID`. Where
//! the kernel offers it (Linux's `renameat2` with `RENAME_EXCHANGE`), the
//! fresh directory and the output then swap names in one step, so the
//! output is at every moment wholly the old export or wholly the new one,
//! whenever the process is killed and whatever fails; the old export, now
//! under the fresh directory's name, is removed afterwards. Elsewhere the old
//! export is first moved aside (`.NAME.old-PID`) and the new one moved into
//! place: a process killed between the two leaves no output, and the next
//! export moves the old one back before it starts.
//!
//! Whatever fails before the swap, the fresh directory is removed and the
//! old export stays as it was; what a killed export leaves beside the
//! output is removed by the next export, once the process named in it has
//! ended. Nothing is left to accumulate, even on a full disk.
//!
//! The files themselves are not flushed to disk one by one: an export is
//! made again from the data in seconds, while flushing each of 200,000 files
//! would take many times longer than writing them. The directory is flushed
//! after the swap.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::atomic::{dir_of, sync_dir};
use crate::faults::{Faults, Step};
use crate::{StoreError, leftovers};

/// The file that marks a directory as written by [`ExportDir::replace`], so
/// that a later export may replace it whole.
pub const EXPORT_MARK: &str = ".nspm-export";

const MARK_TEXT: &str =
    "written by `nspm export site`; the next export replaces this directory whole\n";

/// A directory that an export fills and replaces whole.
#[derive(Clone, Debug)]
pub struct ExportDir {
    dir: PathBuf,
    faults: Faults,
}

/// What [`ExportDir::replace`] did.
#[derive(Debug)]
pub struct Exported {
    /// How many files the export holds, not counting [`EXPORT_MARK`].
    pub files: usize,
    /// What went wrong once the new export was in place: a failed flush
    /// ([`StoreError::NotDurable`]), an old export that could not be removed
    /// ([`StoreError::OldExportLeft`]). The export is made all the same.
    pub warnings: Vec<StoreError>,
}

impl ExportDir {
    pub fn new(dir: impl Into<PathBuf>) -> ExportDir {
        ExportDir {
            dir: dir.into(),
            faults: Faults::default(),
        }
    }

    /// The same directory, with faults injected into its writing (for
    /// tests).
    pub fn with_faults(self, faults: Faults) -> ExportDir {
        ExportDir { faults, ..self }
    }

    /// Makes `files` (each a path relative to the directory, and its bytes)
    /// the whole content of the directory, so that no file of an earlier
    /// export lingers. The directory must be new, empty, or an earlier
    /// export (it holds [`EXPORT_MARK`]): anything else is refused rather
    /// than deleted. When the directory is a symbolic link, the directory it
    /// points to is replaced and the link stays.
    ///
    /// Each folder is made once, before its first file. The files are
    /// written on one thread: on ext4, two threads writing the site took as
    /// long as one and twice the system time, and on tmpfs they gained
    /// nothing measurable on a shared machine.
    pub fn replace<'a, P: AsRef<Path>>(
        &self,
        files: impl IntoIterator<Item = (P, &'a [u8])>,
    ) -> Result<Exported, StoreError> {
        let dir = target(&self.dir)?;
        let parent = dir_of(&dir);
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // The directories above are made as `mkdir -p` would.
        fs::create_dir_all(parent).map_err(StoreError::io("create", parent))?;
        let mut warnings = clear_leftovers(&dir, parent, &name)?;
        let existing = match fs::read_dir(&dir) {
            Ok(mut entries) => Some(entries.next().is_some()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(StoreError::io("read", &dir)(e)),
        };
        if existing == Some(true) && !dir.join(EXPORT_MARK).is_file() {
            return Err(StoreError::NotAnExport { path: dir });
        }

        let id = leftovers::own_id();
        let fresh = parent.join(format!(".{name}{NEW}{id}"));
        fs::create_dir(&fresh).map_err(StoreError::io("create", &fresh))?;
        let placed = self.write_all(&fresh, files).and_then(|count| {
            let old = parent.join(format!(".{name}{OLD}{id}"));
            let old = self.swap(&fresh, &dir, existing.is_some(), &old)?;
            Ok((count, old))
        });
        let (files, old) = match placed {
            Ok(placed) => placed,
            Err(e) => {
                // The fresh directory is this export's alone; the old
                // export is where it was.
                let _ = fs::remove_dir_all(&fresh);
                return Err(e);
            }
        };
        if let Err(source) = sync_dir(parent, &self.faults) {
            warnings.push(StoreError::NotDurable {
                file: dir.clone(),
                dir: parent.to_path_buf(),
                source,
            });
        }
        if let Some(old) = old
            && let Err(source) = self
                .faults
                .before(Step::RemoveOld)
                .and_then(|()| fs::remove_dir_all(&old))
        {
            warnings.push(StoreError::OldExportLeft { path: old, source });
        }
        Ok(Exported { files, warnings })
    }

    /// Writes every file and the mark under `fresh`; returns how many files
    /// there are besides the mark.
    fn write_all<'a, P: AsRef<Path>>(
        &self,
        fresh: &Path,
        files: impl IntoIterator<Item = (P, &'a [u8])>,
    ) -> Result<usize, StoreError> {
        let mut made: HashSet<PathBuf> = HashSet::new();
        let mut count = 0;
        for (relative, bytes) in files {
            let relative = relative.as_ref();
            let file = fresh.join(relative);
            let failed = StoreError::io("write", &file);
            // A path that leaves the directory would write outside it.
            let inside = relative
                .components()
                .all(|c| matches!(c, Component::Normal(_)));
            if !inside || relative.as_os_str().is_empty() {
                return Err(failed(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "not a path inside the export",
                )));
            }
            if let Some(parent) = file.parent()
                && !made.contains(parent)
            {
                fs::create_dir_all(parent).map_err(StoreError::io("create", parent))?;
                made.insert(parent.to_path_buf());
            }
            self.faults
                .before(Step::Write)
                .and_then(|()| fs::write(&file, bytes))
                .map_err(failed)?;
            count += 1;
        }
        let mark = fresh.join(EXPORT_MARK);
        fs::write(&mark, MARK_TEXT).map_err(StoreError::io("write", &mark))?;
        Ok(count)
    }

    /// Puts `fresh` in the place of `dir`; returns where the old export is
    /// now, for removal, if there was one.
    fn swap(
        &self,
        fresh: &Path,
        dir: &Path,
        existing: bool,
        old: &Path,
    ) -> Result<Option<PathBuf>, StoreError> {
        let faults = &self.faults;
        let replace = StoreError::io("replace", dir);
        if !existing {
            faults
                .before(Step::MoveNew)
                .and_then(|()| fs::rename(fresh, dir))
                .map_err(replace)?;
            return Ok(None);
        }
        match faults
            .before(Step::Exchange)
            .and_then(|()| exchange(fresh, dir))
        {
            // The old export now has the fresh directory's name.
            Ok(()) => return Ok(Some(fresh.to_path_buf())),
            Err(e) if !unsupported(&e) => return Err(replace(e)),
            Err(_) => {}
        }
        faults
            .before(Step::MoveOld)
            .and_then(|()| fs::rename(dir, old))
            .map_err(StoreError::io("move aside", dir))?;
        if let Err(e) = faults
            .before(Step::MoveNew)
            .and_then(|()| fs::rename(fresh, dir))
        {
            // Best effort: should this fail too, the next export moves the
            // old one back.
            let _ = fs::rename(old, dir);
            return Err(replace(e));
        }
        Ok(Some(old.to_path_buf()))
    }
}

/// The marks in the names of an export's fresh directory and of the old
/// export moved aside, which end in the process's id.
const NEW: &str = ".new-";
const OLD: &str = ".old-";

/// The directory to replace: `dir`, or the one it points to when it is a
/// link (which need not exist yet); with a name of its own (not `.` or
/// `..`), so that it can be renamed.
fn target(dir: &Path) -> Result<PathBuf, StoreError> {
    let mut dir = dir.to_path_buf();
    // As many links as the kernel follows in one path.
    for _ in 0..40 {
        match fs::read_link(&dir) {
            Ok(to) => dir = dir_of(&dir).join(to),
            Err(_) => break,
        }
    }
    if matches!(dir.components().next_back(), Some(Component::Normal(_))) {
        return Ok(dir);
    }
    let dir = fs::canonicalize(&dir).map_err(StoreError::io("find", &dir))?;
    if dir.file_name().is_none() {
        return Err(StoreError::io("replace", &dir)(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the root directory cannot be an export",
        )));
    }
    Ok(dir)
}

/// Swaps two paths in one step.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    Ok(renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE)?)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

/// True when a swap failed because the kernel or the file system does not
/// offer it (EINVAL from a file system without it, ENOSYS from a kernel
/// without `renameat2`), rather than because of the paths.
fn unsupported(e: &io::Error) -> bool {
    #[cfg(unix)]
    {
        use rustix::io::Errno;
        let codes = [Errno::INVAL, Errno::NOSYS, Errno::OPNOTSUPP];
        if codes
            .iter()
            .any(|c| e.raw_os_error() == Some(c.raw_os_error()))
        {
            return true;
        }
    }
    e.kind() == io::ErrorKind::Unsupported
}

/// Clears what exports of `dir` killed half-way left beside it: moves an
/// old export that was moved aside back into place when `dir` is missing,
/// and removes the rest. Removals that fail are warnings, for the export
/// itself can go ahead.
fn clear_leftovers(dir: &Path, parent: &Path, name: &str) -> Result<Vec<StoreError>, StoreError> {
    let mut warnings = Vec::new();
    let fresh = leftovers::of_ended_processes(parent, &format!(".{name}{NEW}"))?;
    let old = leftovers::of_ended_processes(parent, &format!(".{name}{OLD}"))?;
    for (left, moved_aside) in old
        .into_iter()
        .map(|p| (p, true))
        .chain(fresh.into_iter().map(|p| (p, false)))
    {
        if !fs::symlink_metadata(&left).is_ok_and(|m| m.is_dir()) {
            continue;
        }
        // An old export is moved aside whole, and removed only once the new
        // one is in place: with the output missing, it is the last export.
        if moved_aside && fs::symlink_metadata(dir).is_err() && fs::rename(&left, dir).is_ok() {
            continue;
        }
        if let Err(e) = fs::remove_dir_all(&left) {
            warnings.push(StoreError::io("remove", &left)(e));
        }
    }
    Ok(warnings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leftovers::tests::{ended_process, names};

    fn files(texts: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static [u8])> {
        texts.iter().map(|(p, t)| (*p, t.as_bytes())).collect()
    }

    #[test]
    fn an_export_replaces_the_last_one_whole() {
        let temp = tempfile::tempdir().unwrap();
        let out = temp.path().join("site");
        let first = ExportDir::new(&out)
            .replace(files(&[("index.html", "one"), ("a/b/c.html", "deep")]))
            .unwrap();
        assert_eq!(first.files, 2);
        assert!(first.warnings.is_empty());
        let second = ExportDir::new(&out)
            .replace(files(&[("index.html", "two")]))
            .unwrap();
        assert_eq!(second.files, 1);
        assert_eq!(names(&out), [EXPORT_MARK, "index.html"]);
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        assert_eq!(names(temp.path()), ["site"]);
    }

    #[test]
    fn paths_outside_the_export_are_refused() {
        let temp = tempfile::tempdir().unwrap();
        let out = temp.path().join("site");
        for path in ["../escape.html", "/etc/escape", ""] {
            let err = ExportDir::new(&out)
                .replace(files(&[("index.html", "one"), (path, "x")]))
                .unwrap_err();
            assert!(err.to_string().starts_with("cannot write "), "{err}");
            assert_eq!(names(temp.path()), Vec::<String>::new(), "{path}");
        }
    }

    #[test]
    fn where_there_is_no_swap_the_old_export_is_moved_aside_then_removed() {
        let temp = tempfile::tempdir().unwrap();
        let out = temp.path().join("site");
        ExportDir::new(&out)
            .replace(files(&[("old.html", "old")]))
            .unwrap();
        let faults: Faults = "exchange=einval".parse().unwrap();
        let done = ExportDir::new(&out)
            .with_faults(faults)
            .replace(files(&[("new.html", "new")]))
            .unwrap();
        assert!(done.warnings.is_empty());
        assert_eq!(names(&out), [EXPORT_MARK, "new.html"]);
        assert_eq!(names(temp.path()), ["site"]);
    }

    #[test]
    fn leftovers_of_ended_exports_are_cleared_and_a_moved_old_one_restored() {
        let temp = tempfile::tempdir().unwrap();
        let gone = ended_process();
        let old = temp.path().join(format!(".site.old-{gone}"));
        fs::create_dir(&old).unwrap();
        fs::write(old.join(EXPORT_MARK), MARK_TEXT).unwrap();
        fs::write(old.join("old.html"), "old").unwrap();
        fs::create_dir(temp.path().join(format!(".site.new-{gone}"))).unwrap();
        let live = std::os::unix::process::parent_id();
        fs::create_dir(temp.path().join(format!(".site.new-{live}"))).unwrap();
        fs::create_dir(temp.path().join(format!(".other.new-{gone}"))).unwrap();

        let out = temp.path().join("site");
        let warnings = clear_leftovers(&out, temp.path(), "site").unwrap();
        assert!(warnings.is_empty());
        assert_eq!(names(&out), [EXPORT_MARK, "old.html"]);
        assert_eq!(
            names(temp.path()),
            [
                format!(".other.new-{gone}"),
                format!(".site.new-{live}"),
                "site".to_string()
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_to_the_output_stays_and_its_target_is_replaced() {
        let temp = tempfile::tempdir().unwrap();
        let real = temp.path().join("real");
        let link = temp.path().join("public");
        std::os::unix::fs::symlink("real", &link).unwrap();
        ExportDir::new(&link)
            .replace(files(&[("index.html", "one")]))
            .unwrap();
        ExportDir::new(&link)
            .replace(files(&[("index.html", "two")]))
            .unwrap();
        assert!(link.is_symlink(), "the link was replaced");
        assert_eq!(fs::read_to_string(real.join("index.html")).unwrap(), "two");
        assert_eq!(names(temp.path()), ["public", "real"]);
    }
}
