//! Live data: when the files under the data directory change, check them
//! again and swap the new snapshot in at once; when the new data fails the
//! check, keep serving the last good data and log every problem.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};
use nspm_core::{DataFile, Sources, check};

use crate::AppState;

/// Editors write a file in several steps (a temporary file, a rename);
/// waiting for this much quiet reloads once per save, not once per step.
const SETTLE: Duration = Duration::from_millis(150);

/// Watches a data directory for as long as it is kept.
#[derive(Debug)]
pub struct LiveData {
    _watcher: notify::RecommendedWatcher,
}

/// The outcome of one reload, for logs and tests.
#[derive(Debug, PartialEq, Eq)]
pub enum Reload {
    Swapped,
    Kept { problems: usize },
    Unreadable(String),
}

/// Starts watching `dir`; each settled change reloads it into `state`.
pub fn watch(dir: &Path, state: AppState) -> notify::Result<LiveData> {
    let (tx, rx) = mpsc::channel::<()>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && event.paths.iter().any(|p| is_data_file(p))
        {
            let _ = tx.send(());
        }
    })?;
    watcher.watch(dir, RecursiveMode::NonRecursive)?;
    let dir = dir.to_path_buf();
    std::thread::Builder::new()
        .name("nspm-live-data".into())
        .spawn(move || {
            // The loop ends when the watcher, and with it the sender, is dropped.
            while rx.recv().is_ok() {
                while rx.recv_timeout(SETTLE).is_ok() {}
                reload(&dir, &state);
            }
        })
        .map_err(notify::Error::io)?;
    Ok(LiveData { _watcher: watcher })
}

fn is_data_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| DataFile::ALL.iter().any(|f| f.file_name() == n))
}

/// Reads, checks and, when sound, swaps in the data in `dir`.
pub fn reload(dir: &Path, state: &AppState) -> Reload {
    let sources = match Sources::read_dir(dir) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "data not reloaded; still serving the last good data");
            return Reload::Unreadable(e.to_string());
        }
    };
    let checked = check(&sources);
    match checked.society {
        Some(society) => match state.replace(society) {
            Ok(()) => {
                tracing::info!(dir = %dir.display(), "data reloaded");
                Reload::Swapped
            }
            Err(e) => {
                tracing::warn!(error = %e, "data not reloaded; still serving the last good data");
                Reload::Unreadable(e.to_string())
            }
        },
        None => {
            for d in &checked.diagnostics {
                tracing::warn!("{d}");
            }
            tracing::warn!(
                problems = checked.diagnostics.len(),
                "data not reloaded; still serving the last good data"
            );
            Reload::Kept {
                problems: checked.diagnostics.len(),
            }
        }
    }
}
