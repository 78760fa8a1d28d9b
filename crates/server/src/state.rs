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
    /// `stamp` is as for [`AppState::with_stamp`].
    pub fn build(society: Society, stamp: Option<Timestamp>) -> Result<Snapshot, ExportError> {
        let stamp = stamp_for(&society, stamp);
        let site = Site::build(&society, &SiteOptions { stamp })?;
        // The moment the calendars give as DTSTAMP is also the files'
        // Last-Modified: both say when the data last changed.
        let pages = Pages::from_site(site, stamp);
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
        Ok(AppState {
            current: Arc::new(ArcSwap::from_pointee(Snapshot::build(society, stamp)?)),
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
    pub fn replace(&self, society: Society) -> Result<(), ExportError> {
        let next = Snapshot::build(society, self.stamp)?;
        self.current.store(Arc::new(next));
        Ok(())
    }
}
