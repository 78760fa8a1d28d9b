//! What the server serves: one checked snapshot of the data at a time, and
//! who may open the members' area.

use std::path::Path;
use std::sync::Arc;

use arc_swap::ArcSwap;
use nspm_access::{Access, AccessError, SessionKey};
use nspm_core::{Society, Timestamp};
use nspm_export::site::members::ROOT;
use nspm_export::{ExportError, MembersSite, Site, SiteOptions, stamp_for};

use crate::members::{Gate, Limiter};
use crate::{Pages, Served};

/// One loaded, checked version of the data and everything derived from it:
/// the site rendered and compressed, ready to send.
#[derive(Debug)]
pub struct Snapshot {
    pub society: Society,
    pub pages: Pages,
    /// The members' side, rendered with members-only details; served only
    /// to members.
    pub members: MembersPages,
    /// The address book and calendars for CardDAV and CalDAV.
    pub(crate) dav: crate::dav::Dav,
}

/// The members' side of a snapshot, ready to send.
#[derive(Debug)]
pub struct MembersPages {
    pub pages: Pages,
    pub sign_in: Served,
    pub sign_in_failed: Served,
    pub needs_tls: Served,
    /// What the members' search page, rendered per request, is made with.
    pub options: SiteOptions,
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
        let fixed = stamp;
        let stamp = stamp_for(&society, stamp);
        let options = SiteOptions { stamp };
        let site = Site::build(&society, &options)?;
        let dav = crate::dav::Dav::build(&society, fixed);
        let members = MembersSite::build(&society, &options)?;
        // Last-Modified is the later of the calendars' DTSTAMP (when the
        // data says it last changed) and the files' own time. The stamp
        // alone moves only with a meeting's `modified`, so an edit to a
        // person would leave it, and a client that sends only dates would
        // be told its stale copy is current; every edit moves the files'.
        let modified = files.map_or(stamp, |f| f.max(stamp));
        let pages = Pages::from_site(site, modified);
        let served = |p: nspm_export::Page| Served::new(ROOT, p.bytes, p.content_type);
        let members = MembersPages {
            pages: Pages::from_site(members.pages, modified),
            sign_in: served(members.sign_in),
            sign_in_failed: served(members.sign_in_failed),
            needs_tls: served(members.needs_tls),
            options,
        };
        Ok(Snapshot {
            society,
            pages,
            members,
            dav,
        })
    }
}

/// Why a state could not be made.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Access(#[from] AccessError),
}

/// Shared by every request; cloning is cheap.
#[derive(Clone, Debug)]
pub struct AppState {
    current: Arc<ArcSwap<Snapshot>>,
    gate: Arc<ArcSwap<Gate>>,
    limiter: Arc<Limiter>,
    /// The stamp every calendar states, if one was fixed.
    stamp: Option<Timestamp>,
}

impl AppState {
    /// The state for `society`, its calendars stamped as the data says
    /// (see [`nspm_export::stamp_for`]); its members' area lets nobody in
    /// until [`AppState::open_access`] reads an access file.
    pub fn new(society: Society) -> Result<AppState, StateError> {
        AppState::with_stamp(society, None)
    }

    /// The state for `society`, with `stamp` as the DTSTAMP of every
    /// calendar when it is given (the command line passes
    /// `SOURCE_DATE_EPOCH`), for this data and every reload.
    pub fn with_stamp(society: Society, stamp: Option<Timestamp>) -> Result<AppState, StateError> {
        AppState::with_files(society, stamp, None)
    }

    /// As [`AppState::with_stamp`], for data read from files last changed
    /// at `files` (see [`crate::files_modified`]).
    pub fn with_files(
        society: Society,
        stamp: Option<Timestamp>,
        files: Option<Timestamp>,
    ) -> Result<AppState, StateError> {
        let gate = Gate {
            access: Some(Access::default()),
            // No grant exists, so nothing is ever signed with this key.
            key: SessionKey::generate()?,
        };
        let snapshot = Snapshot::build(society, stamp, files)?;
        Ok(AppState {
            current: Arc::new(ArcSwap::from_pointee(snapshot)),
            gate: Arc::new(ArcSwap::from_pointee(gate)),
            limiter: Arc::new(Limiter::default()),
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
        let mut next = Snapshot::build(society, self.stamp, files)?;
        // The sync tokens the last snapshot gave stay answerable.
        next.dav.inherit(&self.current.load().dav);
        self.current.store(Arc::new(next));
        Ok(())
    }

    /// Reads the access file and the session key in the data directory
    /// (making the key when there is none) and lets in whom it grants.
    pub fn open_access(&self, dir: &Path) -> Result<(), AccessError> {
        let key = SessionKey::load_or_create(dir)?;
        let access = Access::read(dir)?;
        self.set_gate(Some(access), key);
        Ok(())
    }

    /// Reads the access file and key again. When either cannot be read,
    /// nobody is let in until they can: a revocation must never be undone
    /// by a file that fails to read.
    pub(crate) fn reload_access(&self, dir: &Path) -> Result<(), AccessError> {
        let key = match SessionKey::load(dir) {
            Ok(Some(key)) => key,
            Ok(None) => SessionKey::load_or_create(dir).inspect_err(|_| self.close_gate())?,
            Err(e) => {
                self.close_gate();
                return Err(e);
            }
        };
        match Access::read(dir) {
            Ok(access) => {
                self.set_gate(Some(access), key);
                Ok(())
            }
            Err(e) => {
                self.set_gate(None, key);
                Err(e)
            }
        }
    }

    fn set_gate(&self, access: Option<Access>, key: SessionKey) {
        self.gate.store(Arc::new(Gate { access, key }));
    }

    fn close_gate(&self) {
        let key = self.gate.load().key.clone();
        self.set_gate(None, key);
    }

    pub(crate) fn gate(&self) -> arc_swap::Guard<Arc<Gate>> {
        self.gate.load()
    }

    pub(crate) fn limiter(&self) -> &Limiter {
        &self.limiter
    }
}
