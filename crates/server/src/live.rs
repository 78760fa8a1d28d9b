//! Live data: when the content of the files under the data directory
//! changes, check them again and swap the new snapshot in at once; when the
//! new data fails the check, keep serving the last good data and log every
//! problem, once.
//!
//! Only changes of content count: writes, creations, removals and renames.
//! Opening or reading a file is no change, and must not be one, since each
//! reload reads every file (and would otherwise start the next one).
//!
//! The directory is followed by its path, not by what was there at start:
//! deploys replace it whole (`rm -rf data && cp -r saved data`, or
//! `mv data.new data`), and a watch on the old directory would see nothing
//! of the new one. So the directory that holds it is watched too, for its
//! name, and when a directory comes back at the path it is watched again and
//! its data reloaded.
//!
//! The directory is watched with its subdirectories, for the people's
//! photos (`photos/anna-berg.jpg`): a change to a photo file that the data
//! named when it was last read reloads it, as a change to a data file does,
//! so that a photo added for a person whose data named it already, or
//! replaced, is served at once. Other files under the directory are not
//! the data.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use nspm_core::{DataFile, Sources, check};

use crate::AppState;

/// Editors write a file in several steps (a temporary file, a rename);
/// waiting for this much quiet reloads once per save, not once per step.
const SETTLE: Duration = Duration::from_millis(150);

/// A file written without a pause for longer than this is reloaded anyway,
/// so that a stream of writes cannot hold back the new data for ever.
const MOST_SETTLE: Duration = Duration::from_secs(2);

/// While the directory is missing, how often to look for it again: the
/// watch on its parent finds it at once, this only when that watch could
/// not be set up or missed it.
const RETRY: Duration = Duration::from_secs(1);

/// Watches a data directory for as long as it is kept.
#[derive(Debug)]
pub struct LiveData {
    wake: mpsc::Sender<Wake>,
}

/// Asks the watching thread for a reload now; kept by whatever reloads on
/// request, such as the CLI's SIGHUP handler.
#[derive(Debug, Clone)]
pub struct Reloader {
    wake: mpsc::Sender<Wake>,
}

/// The outcome of one reload, for logs and tests.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Reload {
    Swapped,
    Kept { problems: usize },
    Unreadable(String),
}

/// What wakes the watching thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wake {
    /// The content of a data file changed.
    Files,
    /// The access file or the session key changed.
    Access,
    /// Something happened to the directory's own name: `left` when the
    /// directory watched went from its path (removed, or renamed away).
    Dir {
        left: bool,
    },
    /// Reload now, whatever changed (on request, or after the system lost
    /// track of events).
    Now,
    Stop,
}

impl LiveData {
    /// A handle that asks for a reload now, as if the files had changed.
    pub fn reloader(&self) -> Reloader {
        Reloader {
            wake: self.wake.clone(),
        }
    }
}

impl Drop for LiveData {
    fn drop(&mut self) {
        // The thread owns the watcher; it drops it when it stops.
        let _ = self.wake.send(Wake::Stop);
    }
}

impl Reloader {
    /// Asks for the data to be read again at once; false when the data is
    /// no longer watched (the [`LiveData`] was dropped).
    pub fn reload_now(&self) -> bool {
        self.wake.send(Wake::Now).is_ok()
    }
}

/// Starts watching `dir`; each settled change reloads it into `state`.
pub fn watch(dir: &Path, state: AppState) -> notify::Result<LiveData> {
    let path = followed_path(dir).map_err(notify::Error::io)?;
    let (tx, rx) = mpsc::channel::<Wake>();
    let events = tx.clone();
    let followed = path.clone();
    let photos = Photos::default();
    let snapshot = state.snapshot();
    let named = snapshot
        .society
        .people
        .iter()
        .filter_map(|p| p.photo.as_ref());
    photos.name(&path, named.map(|p| p.path()));
    drop(snapshot);
    let named = photos.clone();
    let mut watcher =
        notify::recommended_watcher(move |event: notify::Result<Event>| match event {
            Ok(event) => {
                for wake in wakes(&event, &followed, &named) {
                    let _ = events.send(wake);
                }
            }
            Err(e) => tracing::warn!(error = %e, "watching the data for changes"),
        })?;
    watcher.watch(&path, RecursiveMode::Recursive)?;
    let watched = identity(&path);
    if let Some(parent) = path.parent()
        && let Err(e) = watcher.watch(parent, RecursiveMode::NonRecursive)
    {
        tracing::warn!(
            dir = %parent.display(),
            error = %e,
            "cannot watch the directory that holds the data; \
             a data directory replaced whole may be noticed late, or only on SIGHUP"
        );
    }
    let mut follow = Follow {
        dir: dir.to_path_buf(),
        path,
        photos,
        watcher,
        watched,
        last_error: None,
        state,
    };
    std::thread::Builder::new()
        .name("nspm-live-data".into())
        .spawn(move || follow.run(&rx))
        .map_err(notify::Error::io)?;
    Ok(LiveData { wake: tx })
}

/// The photo files the data named when it was last read, by their paths
/// under the followed directory: a change to one is a change of the data.
/// Shared by the watcher's callback, which asks, and the reloads, which
/// name them anew.
#[derive(Clone, Debug, Default)]
struct Photos(Arc<Mutex<HashSet<PathBuf>>>);

impl Photos {
    fn name<'p>(&self, dir: &Path, paths: impl Iterator<Item = &'p str>) {
        let named: HashSet<PathBuf> = paths.map(|p| dir.join(p)).collect();
        if let Ok(mut set) = self.0.lock() {
            *set = named;
        }
    }

    fn contains(&self, path: &Path) -> bool {
        self.0.lock().is_ok_and(|set| set.contains(path))
    }

    /// When the newest of these photo files last changed.
    fn modified(&self) -> Option<nspm_core::Timestamp> {
        let set = self.0.lock().ok()?;
        set.iter()
            .filter_map(|p| std::fs::metadata(p).ok()?.modified().ok())
            .max()
            .map(to_timestamp)
    }
}

/// The path by which the directory is followed: absolute, so that the
/// watch on its parent names it the same way, but with symbolic links left
/// as they are, so that a link swapped to another directory is followed too.
fn followed_path(dir: &Path) -> std::io::Result<PathBuf> {
    let path = std::path::absolute(dir)?;
    if path.file_name().is_some() {
        Ok(path)
    } else {
        // A path ending in `..` names no entry of a parent directory.
        std::fs::canonicalize(&path)
    }
}

/// Which directory is at a path; two directories are the same when this
/// is. (Without inode numbers, any directory counts as the same one; a
/// replacement is then still found by the events of its name.)
type Identity = (u64, u64);

fn identity(path: &Path) -> Option<Identity> {
    let meta = std::fs::metadata(path).ok().filter(|m| m.is_dir())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Some((0, 0))
    }
}

/// What an event means for the data in `dir`; nothing for reads, opens
/// and changes of metadata alone, and nothing for the parent directory's
/// other entries.
fn wakes(event: &Event, dir: &Path, photos: &Photos) -> Vec<Wake> {
    if event.need_rescan() {
        return vec![Wake::Now];
    }
    let mut wakes = Vec::new();
    for (i, path) in event.paths.iter().enumerate() {
        if path == dir {
            if let Some(left) = leaves(&event.kind, i) {
                wakes.push(Wake::Dir { left });
            }
        } else if path.parent() == Some(dir) && changes_content(&event.kind) {
            if is_data_file(path) {
                wakes.push(Wake::Files);
            } else if is_access_file(path) {
                wakes.push(Wake::Access);
            } else if photos.contains(path) {
                wakes.push(Wake::Files);
            }
        } else if path.starts_with(dir) && changes_content(&event.kind) && photos.contains(path) {
            wakes.push(Wake::Files);
        }
    }
    wakes
}

/// For an event on the directory's own path (the `i`th of the event's
/// paths): whether the directory went from it (`Some(true)`), something
/// came to it (`Some(false)`), or neither.
fn leaves(kind: &EventKind, i: usize) -> Option<bool> {
    match kind {
        EventKind::Remove(_) => Some(true),
        EventKind::Create(_) => Some(false),
        EventKind::Modify(ModifyKind::Name(mode)) => Some(match mode {
            RenameMode::To => false,
            // A rename reported with both names gives the old one first.
            RenameMode::Both => i == 0,
            RenameMode::From | RenameMode::Any | RenameMode::Other => true,
        }),
        // What a platform reports without saying what it was is looked
        // into: the directory at the path is compared with the one watched.
        EventKind::Any | EventKind::Other => Some(false),
        EventKind::Access(_) | EventKind::Modify(_) => None,
    }
}

fn changes_content(kind: &EventKind) -> bool {
    match kind {
        // Closing a file that was open for writing ends a write.
        EventKind::Access(access) => *access == AccessKind::Close(AccessMode::Write),
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Any
        | EventKind::Other
        | EventKind::Create(_)
        | EventKind::Modify(_)
        | EventKind::Remove(_) => true,
    }
}

fn is_data_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| DataFile::ALL.iter().any(|f| f.file_name() == n))
}

fn is_access_file(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n == nspm_access::ACCESS_FILE || n == nspm_access::KEY_FILE)
}

/// What woke the thread since it last reloaded.
#[derive(Debug, Default)]
struct Batch {
    files: bool,
    access: bool,
    dir: bool,
    left: bool,
    now: bool,
    stop: bool,
}

impl Batch {
    fn add(&mut self, wake: Wake) {
        match wake {
            Wake::Files => self.files = true,
            Wake::Access => self.access = true,
            Wake::Dir { left } => {
                self.dir = true;
                self.left |= left;
            }
            Wake::Now => self.now = true,
            Wake::Stop => self.stop = true,
        }
    }
}

/// The watching thread's state.
struct Follow {
    /// The directory as given, for reading and for messages.
    dir: PathBuf,
    /// The directory as followed (see [`followed_path`]).
    path: PathBuf,
    /// The photos the data named when last read.
    photos: Photos,
    watcher: RecommendedWatcher,
    /// The directory watched, `None` while none is.
    watched: Option<Identity>,
    /// The last reason the directory could not be watched again, so that a
    /// lasting one is logged once, not at every retry.
    last_error: Option<String>,
    state: AppState,
}

/// Where the directory stands after a look at its path.
enum Found {
    Same,
    Back,
    Missing,
}

impl Follow {
    fn run(&mut self, rx: &mpsc::Receiver<Wake>) {
        loop {
            let first = if self.watched.is_some() {
                rx.recv().unwrap_or(Wake::Stop)
            } else {
                match rx.recv_timeout(RETRY) {
                    Ok(wake) => wake,
                    Err(mpsc::RecvTimeoutError::Timeout) => Wake::Dir { left: false },
                    Err(mpsc::RecvTimeoutError::Disconnected) => Wake::Stop,
                }
            };
            let mut batch = Batch::default();
            batch.add(first);
            let deadline = Instant::now() + MOST_SETTLE;
            while !batch.now && !batch.stop {
                let remaining = deadline.saturating_duration_since(Instant::now());
                if remaining.is_zero() {
                    break;
                }
                match rx.recv_timeout(SETTLE.min(remaining)) {
                    Ok(wake) => batch.add(wake),
                    Err(_) => break,
                }
            }
            // A request for now still takes in what has already come.
            while let Ok(wake) = rx.try_recv() {
                batch.add(wake);
            }
            if batch.stop {
                return;
            }
            self.handle(&batch);
        }
    }

    fn handle(&mut self, batch: &Batch) {
        let mut read = batch.files || batch.now;
        let mut access = batch.access || batch.now;
        if batch.dir || batch.now || self.watched.is_none() {
            match self.look(batch.left) {
                Found::Same => {}
                Found::Back => {
                    read = true;
                    access = true;
                }
                // Nothing to read but on request, where the reload's own
                // message says why nothing was reloaded.
                Found::Missing => read = batch.now,
            }
        }
        // The access file first: it is quick to read, and a revocation
        // should not wait for the site to render.
        if access {
            reload_access(&self.dir, &self.state);
        }
        if read {
            reload(&self.dir, &self.state, Some((&self.path, &self.photos)));
        }
    }

    /// Compares the directory at the path with the one watched and, when
    /// it is another or came back, watches it.
    fn look(&mut self, left: bool) -> Found {
        let at_path = identity(&self.path);
        if let Some(watched) = self.watched {
            if !left && at_path == Some(watched) {
                return Found::Same;
            }
            tracing::warn!(
                dir = %self.dir.display(),
                "the data directory was moved or removed; still serving the last good data"
            );
            // The watch may be gone with the directory already: nothing to
            // undo then.
            let _ = self.watcher.unwatch(&self.path);
            self.watched = None;
            self.last_error = None;
        }
        if at_path.is_none() {
            return Found::Missing;
        }
        match self.watcher.watch(&self.path, RecursiveMode::Recursive) {
            Ok(()) => {
                // Taken after the watch is set, so that a directory swapped
                // in between is the one watched or is seen to change.
                self.watched = identity(&self.path);
                self.last_error = None;
                tracing::info!(
                    dir = %self.dir.display(),
                    "the data directory is back; watching it again"
                );
                Found::Back
            }
            Err(e) => {
                let error = e.to_string();
                if self.last_error.as_ref() != Some(&error) {
                    tracing::warn!(
                        dir = %self.dir.display(),
                        %error,
                        "cannot watch the data directory; still serving the last good data"
                    );
                    self.last_error = Some(error);
                }
                Found::Missing
            }
        }
    }
}

/// Reads the access file and session key in `dir` again; when they cannot
/// be read, the members' area lets nobody in until they can.
pub(crate) fn reload_access(dir: &Path, state: &AppState) {
    match state.reload_access(dir) {
        Ok(()) => tracing::info!(dir = %dir.display(), "access reloaded"),
        Err(e) => tracing::warn!(
            error = %e,
            "the access file cannot be read: nobody may sign in to the members' area until it can"
        ),
    }
}

/// Reads, checks and, when sound, swaps in the data in `dir`; names the
/// photos the data names to `photos`, under the followed path.
fn reload(dir: &Path, state: &AppState, photos: Option<(&Path, &Photos)>) -> Reload {
    // The files' time is taken before their text: a write that lands in
    // between then moves it again for the reload it starts, whereas one
    // taken after could already count a change whose text this reload
    // missed, and that reload would give the new text the same date.
    let mut files = files_modified(dir);
    // A photo changed alone changes its files as a data file does its
    // pages: the photos named when the data was last read count too.
    if let Some((_, photos)) = photos {
        files = files.max(photos.modified());
    }
    let sources = match Sources::read_dir(dir) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "data not reloaded; still serving the last good data");
            return Reload::Unreadable(e.to_string());
        }
    };
    if let Some((followed, photos)) = photos {
        photos.name(followed, sources.photos.keys().map(String::as_str));
    }
    let checked = check(&sources);
    match checked.society {
        Some(society) => match state.replace(society, files) {
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

/// When the newest of the data files in `dir` last changed, to the
/// second; None when none of them has a time to tell.
pub fn files_modified(dir: &Path) -> Option<nspm_core::Timestamp> {
    DataFile::ALL
        .iter()
        .filter_map(|f| {
            std::fs::metadata(dir.join(f.file_name()))
                .ok()?
                .modified()
                .ok()
        })
        .max()
        .map(to_timestamp)
}

/// A file's time, to the second.
fn to_timestamp(t: std::time::SystemTime) -> nspm_core::Timestamp {
    match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => nspm_core::Timestamp::from_unix(i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
        Err(e) => nspm_core::Timestamp::from_unix(
            -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
        ),
    }
}

/// Renders the site again each time the day changes in UTC, with the same
/// data, so that a meeting moves from upcoming to history on the day after
/// it ends; returns at once when the deployment fixes the day. Runs until
/// the runtime ends.
pub async fn follow_the_days(state: AppState) {
    if state.deployment().today.is_some() {
        return;
    }
    loop {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        // A second past midnight, so the clock is surely on the new day.
        let wait = 86_400 - secs % 86_400 + 1;
        tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
        let rendering = state.clone();
        match tokio::task::spawn_blocking(move || rendering.new_day()).await {
            Ok(Ok(true)) => tracing::info!("a new day: the site is rendered again"),
            Ok(Ok(false)) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "the site could not be rendered for the new day")
            }
            Err(e) => tracing::warn!(error = %e, "the site could not be rendered for the new day"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, DataChange, MetadataKind, RemoveKind};

    fn event(kind: EventKind, paths: &[&str]) -> Event {
        paths
            .iter()
            .fold(Event::new(kind), |e, p| e.add_path(PathBuf::from(p)))
    }

    fn wakes_of(kind: EventKind, paths: &[&str]) -> Vec<Wake> {
        let photos = Photos::default();
        photos.name(
            Path::new("/srv/data"),
            ["photos/anna.jpg", "kari.png"].into_iter(),
        );
        wakes(&event(kind, paths), Path::new("/srv/data"), &photos)
    }

    #[test]
    fn reads_and_opens_are_no_change() {
        for kind in [
            EventKind::Access(AccessKind::Open(AccessMode::Any)),
            EventKind::Access(AccessKind::Read),
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
            EventKind::Modify(ModifyKind::Metadata(MetadataKind::Any)),
        ] {
            assert_eq!(wakes_of(kind, &["/srv/data/people.ron"]), [], "{kind:?}");
            assert_eq!(wakes_of(kind, &["/srv/data"]), [], "{kind:?}");
        }
    }

    #[test]
    fn changes_of_content_wake_once_per_data_file() {
        for kind in [
            EventKind::Modify(ModifyKind::Data(DataChange::Any)),
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
            EventKind::Create(CreateKind::File),
            EventKind::Remove(RemoveKind::File),
            EventKind::Modify(ModifyKind::Name(RenameMode::To)),
        ] {
            assert_eq!(
                wakes_of(kind, &["/srv/data/people.ron"]),
                [Wake::Files],
                "{kind:?}"
            );
            // Other files, here or beside the directory, are not the data.
            assert_eq!(wakes_of(kind, &["/srv/data/people.ron.tmp"]), []);
            assert_eq!(wakes_of(kind, &["/srv/people.ron"]), []);
        }
    }

    #[test]
    fn a_photo_the_data_names_wakes_for_the_data_and_no_other_file_does() {
        for kind in [
            EventKind::Modify(ModifyKind::Data(DataChange::Any)),
            EventKind::Create(CreateKind::File),
            EventKind::Remove(RemoveKind::File),
            EventKind::Modify(ModifyKind::Name(RenameMode::To)),
        ] {
            for named in ["/srv/data/photos/anna.jpg", "/srv/data/kari.png"] {
                assert_eq!(wakes_of(kind, &[named]), [Wake::Files], "{kind:?} {named}");
            }
            for other in [
                "/srv/data/photos/anna.jpg.tmp",
                "/srv/data/photos/other.jpg",
                "/srv/photos/anna.jpg",
            ] {
                assert_eq!(wakes_of(kind, &[other]), [], "{kind:?} {other}");
            }
        }
        let read = EventKind::Access(AccessKind::Read);
        assert_eq!(wakes_of(read, &["/srv/data/photos/anna.jpg"]), []);
    }

    #[test]
    fn the_access_file_and_key_wake_for_access_alone() {
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        for file in ["/srv/data/access.ron", "/srv/data/access.key"] {
            assert_eq!(wakes_of(write, &[file]), [Wake::Access], "{file}");
            let read = EventKind::Access(AccessKind::Read);
            assert_eq!(wakes_of(read, &[file]), [], "{file}");
        }
        assert_eq!(wakes_of(write, &["/srv/data/access.ron.tmp"]), []);
    }

    #[test]
    fn the_directory_leaving_and_arriving_are_told_apart() {
        let left = Wake::Dir { left: true };
        let came = Wake::Dir { left: false };
        assert_eq!(
            wakes_of(EventKind::Remove(RemoveKind::Folder), &["/srv/data"]),
            [left]
        );
        assert_eq!(
            wakes_of(EventKind::Create(CreateKind::Folder), &["/srv/data"]),
            [came]
        );
        assert_eq!(
            wakes_of(
                EventKind::Modify(ModifyKind::Name(RenameMode::From)),
                &["/srv/data"]
            ),
            [left]
        );
        assert_eq!(
            wakes_of(
                EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
                &["/srv/data", "/srv/data.old"]
            ),
            [left]
        );
        assert_eq!(
            wakes_of(
                EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
                &["/srv/data.new", "/srv/data"]
            ),
            [came]
        );
        assert_eq!(
            wakes_of(EventKind::Create(CreateKind::Folder), &["/srv/other"]),
            []
        );
    }

    #[test]
    fn the_followed_path_is_an_entry_of_its_parent() {
        for dir in [".", "..", "data/", "./data", "crates/../data", "/"] {
            let path = followed_path(Path::new(dir)).unwrap();
            assert!(path.is_absolute(), "{dir}: {}", path.display());
            if let (Some(parent), Some(name)) = (path.parent(), path.file_name()) {
                // Events of the parent's watch name the directory so.
                assert_eq!(parent.join(name), path, "{dir}");
            } else {
                assert_eq!(path, Path::new("/"), "{dir}");
            }
        }
    }

    #[test]
    fn a_lost_track_of_events_reloads() {
        let rescan = Event::new(EventKind::Other).set_flag(notify::event::Flag::Rescan);
        let photos = Photos::default();
        assert_eq!(wakes(&rescan, Path::new("/srv/data"), &photos), [Wake::Now]);
    }
}
