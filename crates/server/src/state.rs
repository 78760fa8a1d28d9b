//! What the server serves: one checked snapshot of the data at a time.

use std::sync::Arc;

use arc_swap::ArcSwap;
use nspm_core::{Society, Timestamp};
use nspm_export::{ExportError, Site, SiteOptions, stamp_for};

use crate::Pages;

/// One loaded, checked version of the data and everything derived from it:
/// the site rendered and compressed, ready to send.
#[derive(Debug)]
pub struct Snapshot {
    pub society: Society,
    pub pages: Pages,
}

impl Snapshot {
    /// Renders the site for `society` and prepares every file for sending;
    /// `stamp` is as for [`AppState::with_stamp`], `files` when the data's
    /// files last changed on disk, if they are on disk.
    pub fn build(
        society: Society,
        stamp: Option<Timestamp>,
        files: Option<Timestamp>,
    ) -> Result<Snapshot, ExportError> {
        let stamp = stamp_for(&society, stamp);
        let site = Site::build(&society, &SiteOptions { stamp })?;
        // Last-Modified is the later of the calendars' DTSTAMP (when the
        // data says it last changed) and the files' own time. The stamp
        // alone moves only with a meeting's `modified`, so an edit to a
        // person would leave it, and a client that sends only dates would
        // be told its stale copy is current; every edit moves the files'.
        let pages = Pages::from_site(site, files.map_or(stamp, |f| f.max(stamp)));
        Ok(Snapshot { society, pages })
    }
}

/// Shared by every request; cloning is cheap.
#[derive(Clone, Debug)]
pub struct AppState {
    current: Arc<ArcSwap<Snapshot>>,
    /// The stamp every calendar states, if one was fixed.
    stamp: Option<Timestamp>,
}

impl AppState {
    /// The state for `society`, its calendars stamped as the data says
    /// (see [`nspm_export::stamp_for`]).
    pub fn new(society: Society) -> Result<AppState, ExportError> {
        AppState::with_stamp(society, None)
    }

    /// The state for `society`, with `stamp` as the DTSTAMP of every
    /// calendar when it is given (the command line passes
    /// `SOURCE_DATE_EPOCH`), for this data and every reload.
    pub fn with_stamp(society: Society, stamp: Option<Timestamp>) -> Result<AppState, ExportError> {
        AppState::with_files(society, stamp, None)
    }

    /// As [`AppState::with_stamp`], for data read from files last changed
    /// at `files` (see [`crate::files_modified`]).
    pub fn with_files(
        society: Society,
        stamp: Option<Timestamp>,
        files: Option<Timestamp>,
    ) -> Result<AppState, ExportError> {
        let snapshot = Snapshot::build(society, stamp, files)?;
        Ok(AppState {
            current: Arc::new(ArcSwap::from_pointee(snapshot)),
            stamp,
        })
    }

    /// The snapshot a request works on from start to end.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// The current snapshot for a request that is answered without
    /// awaiting anything: unlike [`AppState::snapshot`] it touches no shared
    /// reference count, so requests on different cores do not contend for
    /// one cache line.
    pub(crate) fn peek(&self) -> arc_swap::Guard<Arc<Snapshot>> {
        self.current.load()
    }

    /// Renders newly loaded data and swaps it in for every request that
    /// starts after this; on failure the current snapshot stays.
    /// `files` is when the data's files last changed, as for
    /// [`AppState::with_files`].
    pub fn replace(&self, society: Society, files: Option<Timestamp>) -> Result<(), ExportError> {
        let next = Snapshot::build(society, self.stamp, files)?;
        self.current.store(Arc::new(next));
        Ok(())
    }
}
