//! What the server serves: one checked snapshot of the data at a time, and
//! who may open the members' area.

use std::path::Path;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use nspm_access::{Access, AccessError, SessionKey};
use nspm_core::{PartialDate, Society, Timestamp};
use nspm_export::site::members::ROOT;
use nspm_export::{ExportError, MembersSite, Site, SiteOptions, stamp_for};

use crate::members::{Gate, Limiter};
use crate::{Pages, Served};

/// One loaded, checked version of the data and everything derived from it:
/// the site rendered and compressed, ready to send.
#[derive(Debug)]
pub struct Snapshot {
    pub society: Society,
    /// When the data's files last changed, as it was given to render this.
    pub files: Option<Timestamp>,
    /// The day it was rendered for.
    pub today: PartialDate,
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

/// What a deployment fixes for every snapshot it renders: the command line
/// reads them from its flags and environment.
#[derive(Clone, Debug, Default)]
pub struct Deployment {
    /// The stamp every calendar states, if one was fixed.
    pub stamp: Option<Timestamp>,
    /// The site's address, over the data's `base_url`.
    pub base_url: Option<String>,
    /// The day the site is made for, if fixed; else the day in UTC by the
    /// clock, and the site is rendered again when it changes.
    pub today: Option<PartialDate>,
}

impl Deployment {
    /// A deployment that fixes nothing but, if given, the calendars' stamp.
    pub fn stamped(stamp: Option<Timestamp>) -> Deployment {
        Deployment {
            stamp,
            ..Deployment::default()
        }
    }

    /// The day to render for now.
    pub fn today(&self) -> PartialDate {
        self.today.unwrap_or_else(clock_day)
    }
}

/// Today's date in UTC, by the clock.
pub fn clock_day() -> PartialDate {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Timestamp::from_unix(i64::try_from(secs).unwrap_or(i64::MAX)).day()
}

impl Snapshot {
    /// Renders the site for `society` and prepares every file for sending;
    /// `stamp` is as for [`AppState::with_stamp`], `files` when the data's
    /// files last changed on disk, if they are on disk. The site is made
    /// for the clock's day in UTC.
    pub fn build(
        society: Society,
        stamp: Option<Timestamp>,
        files: Option<Timestamp>,
    ) -> Result<Snapshot, ExportError> {
        let deployment = Deployment::stamped(stamp);
        Snapshot::build_for(society, &deployment, deployment.today(), files)
    }

    /// As [`Snapshot::build`], for a deployment and the day given.
    pub fn build_for(
        mut society: Society,
        deployment: &Deployment,
        today: PartialDate,
        files: Option<Timestamp>,
    ) -> Result<Snapshot, ExportError> {
        if let Some(base) = &deployment.base_url {
            society.info.base_url = Some(base.clone());
        }
        let stamp = stamp_for(&society, deployment.stamp);
        let options = SiteOptions { stamp, today };
        let site = Site::build(&society, &options)?;
        let dav = crate::dav::Dav::build(&society, deployment.stamp);
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
            files,
            today,
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
    deployment: Arc<Deployment>,
    /// Held while a snapshot is rendered and swapped in, so that a new
    /// day's rendering never swaps out data that a reload brought meanwhile.
    rendering: Arc<Mutex<()>>,
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
        AppState::for_deployment(society, Deployment::stamped(stamp), files)
    }

    /// As [`AppState::with_files`], with all that the deployment fixes.
    pub fn for_deployment(
        society: Society,
        deployment: Deployment,
        files: Option<Timestamp>,
    ) -> Result<AppState, StateError> {
        let gate = Gate {
            access: Some(Access::default()),
            // No grant exists, so nothing is ever signed with this key.
            key: SessionKey::generate()?,
        };
        let today = deployment.today();
        let snapshot = Snapshot::build_for(society, &deployment, today, files)?;
        Ok(AppState {
            current: Arc::new(ArcSwap::from_pointee(snapshot)),
            gate: Arc::new(ArcSwap::from_pointee(gate)),
            limiter: Arc::new(Limiter::default()),
            deployment: Arc::new(deployment),
            rendering: Arc::new(Mutex::new(())),
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
        let _rendering = self.rendering.lock().unwrap_or_else(|e| e.into_inner());
        let today = self.deployment.today();
        let mut next = Snapshot::build_for(society, &self.deployment, today, files)?;
        // The sync tokens the last snapshot gave stay answerable.
        next.dav.inherit(&self.current.load().dav);
        self.current.store(Arc::new(next));
        Ok(())
    }

    /// Renders the same data again when the day the site is made for has
    /// changed since it was rendered (the upcoming meetings depend on it);
    /// true when it did.
    pub fn new_day(&self) -> Result<bool, ExportError> {
        let _rendering = self.rendering.lock().unwrap_or_else(|e| e.into_inner());
        let today = self.deployment.today();
        let current = self.snapshot();
        if current.today == today {
            return Ok(false);
        }
        let society = current.society.clone();
        let next = Snapshot::build_for(society, &self.deployment, today, current.files)?;
        self.current.store(Arc::new(next));
        Ok(true)
    }

    /// The deployment this state renders for.
    pub fn deployment(&self) -> &Deployment {
        &self.deployment
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A meeting that ended yesterday by the clock, in the embedded data.
    fn society_with_a_meeting_that_just_ended() -> Society {
        let mut sources = nspm_core::Sources::embedded();
        let day = clock_day();
        let (first, _) = day.days().unwrap();
        let yesterday = first.pred_opt().unwrap().format("%Y-%m-%d").to_string();
        let meetings = sources
            .text(nspm_core::DataFile::Meetings)
            .unwrap()
            .replacen("date: \"2018-06\"", &format!("date: \"{yesterday}\""), 1);
        sources.set_text(nspm_core::DataFile::Meetings, meetings);
        Society::from_sources(&sources).unwrap()
    }

    fn home(state: &AppState) -> Vec<u8> {
        let snapshot = state.snapshot();
        snapshot.pages.get("/").unwrap().body().to_vec()
    }

    #[test]
    fn a_new_day_renders_the_same_data_again() {
        let society = society_with_a_meeting_that_just_ended();
        let state = AppState::for_deployment(society.clone(), Deployment::default(), None).unwrap();
        // The day of the snapshot is the clock's: nothing to do.
        assert!(!state.new_day().unwrap());
        // As if it had been rendered yesterday, when the meeting was on.
        let (first, _) = clock_day().days().unwrap();
        let yesterday =
            nspm_core::PartialDate::parse(&first.pred_opt().unwrap().to_string()).unwrap();
        let old = Snapshot::build_for(society, state.deployment(), yesterday, None).unwrap();
        state.current.store(Arc::new(old));
        assert!(
            String::from_utf8(home(&state))
                .unwrap()
                .contains("Upcoming meetings")
        );
        assert!(state.new_day().unwrap());
        assert_eq!(state.snapshot().today, clock_day());
        assert!(
            !String::from_utf8(home(&state))
                .unwrap()
                .contains("Upcoming meetings")
        );
    }

    #[test]
    fn a_fixed_day_and_base_url_hold_for_every_rendering() {
        let deployment = Deployment {
            base_url: Some("https://nspm.example.org/".into()),
            today: Some(nspm_core::PartialDate::parse("2018-06-10").unwrap()),
            ..Deployment::default()
        };
        let society = Society::load_embedded().unwrap();
        let state = AppState::for_deployment(society.clone(), deployment, None).unwrap();
        assert!(!state.new_day().unwrap());
        state.replace(society, None).unwrap();
        let page = String::from_utf8(home(&state)).unwrap();
        assert!(
            page.contains("Upcoming meetings"),
            "the Reykjavik meeting of June 2018"
        );
        assert!(page.contains("<link rel=\"canonical\" href=\"https://nspm.example.org/\">"));
        assert!(state.snapshot().pages.get("/sitemap.xml").is_some());
    }
}
