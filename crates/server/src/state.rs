//! What the server serves: one checked snapshot of the data at a time, and
//! who may open the members' area.

use std::path::Path;
use std::sync::{Arc, Mutex};

use arc_swap::{ArcSwap, ArcSwapOption};
use nspm_access::{Access, AccessError, SessionKey};
use nspm_core::{PartialDate, Society, Timestamp};
use nspm_export::site::members::ROOT;
use nspm_export::{ExportError, MembersForms, MembersSite, Site, SiteOptions, stamp_for};

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
    /// to members, and its pages rendered only while someone can sign in.
    pub members: MembersPages,
    /// The address book and calendars for CardDAV and CalDAV.
    pub(crate) dav: crate::dav::Dav,
}

/// The members' side of a snapshot, ready to send.
#[derive(Debug)]
pub struct MembersPages {
    /// Every members' page and download, rendered from this snapshot's
    /// data while the access file holds a grant that can sign in, and
    /// none otherwise: with no one to read them, the members' pages of a
    /// large society would hold memory for nothing. [`AppState`] renders
    /// them when a grant comes and drops them when the last one goes, in
    /// this snapshot, without rendering the public site again.
    pages: ArcSwapOption<Pages>,
    /// When the data behind the pages last changed, for their Last-Modified.
    modified: Timestamp,
    pub sign_in: Served,
    pub sign_in_failed: Served,
    pub needs_tls: Served,
    /// What the members' pages and the search page, rendered per request,
    /// are made with.
    pub options: SiteOptions,
}

impl MembersPages {
    /// The members' pages, while they are rendered.
    pub fn pages(&self) -> Option<Arc<Pages>> {
        self.pages.load_full()
    }

    /// As [`MembersPages::pages`], for a request answered without awaiting
    /// anything (see [`AppState::peek`]).
    pub(crate) fn peek(&self) -> arc_swap::Guard<Option<Arc<Pages>>> {
        self.pages.load()
    }

    fn render(
        society: &Society,
        options: &SiteOptions,
        modified: Timestamp,
    ) -> Result<Pages, ExportError> {
        Ok(Pages::from_site(
            MembersSite::pages(society, options)?,
            modified,
        ))
    }
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
        Snapshot::build_for(society, &deployment, deployment.today(), files, true)
    }

    /// As [`Snapshot::build`], for a deployment and the day given; the
    /// members' pages are rendered only when `members` is true (see
    /// [`MembersPages::pages`]).
    pub fn build_for(
        mut society: Society,
        deployment: &Deployment,
        today: PartialDate,
        files: Option<Timestamp>,
        members: bool,
    ) -> Result<Snapshot, ExportError> {
        if let Some(base) = &deployment.base_url {
            society.info.base_url = Some(base.clone());
        }
        let stamp = stamp_for(&society, deployment.stamp);
        let options = SiteOptions { stamp, today };
        let site = Site::build(&society, &options)?;
        let dav = crate::dav::Dav::build(&society, deployment.stamp);
        let forms = MembersForms::build(&society, &options)?;
        // Last-Modified is the later of the calendars' DTSTAMP (when the
        // data says it last changed) and the files' own time. The stamp
        // alone moves only with a meeting's `modified`, so an edit to a
        // person would leave it, and a client that sends only dates would
        // be told its stale copy is current; every edit moves the files'.
        let modified = files.map_or(stamp, |f| f.max(stamp));
        let pages = Pages::from_site(site, modified);
        let served = |p: nspm_export::Page| Served::new(ROOT, p.bytes, p.content_type);
        let members_pages = if members {
            Some(Arc::new(MembersPages::render(
                &society, &options, modified,
            )?))
        } else {
            None
        };
        let members = MembersPages {
            pages: ArcSwapOption::new(members_pages),
            modified,
            sign_in: served(forms.sign_in),
            sign_in_failed: served(forms.sign_in_failed),
            needs_tls: served(forms.needs_tls),
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

/// Shared by every request; cloning is cheap: one reference count, which
/// matters as every request clones it for each layer and handler that
/// takes it, on whichever core it runs.
#[derive(Clone, Debug)]
pub struct AppState {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    current: ArcSwap<Snapshot>,
    gate: ArcSwap<Gate>,
    limiter: Limiter,
    deployment: Deployment,
    /// Held while a snapshot is rendered and swapped in, so that a new
    /// day's rendering never swaps out data that a reload brought meanwhile.
    rendering: Mutex<()>,
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
        // No grant yet, so no one to render the members' pages for.
        let snapshot = Snapshot::build_for(society, &deployment, today, files, false)?;
        Ok(AppState {
            shared: Arc::new(Shared {
                current: ArcSwap::from_pointee(snapshot),
                gate: ArcSwap::from_pointee(gate),
                limiter: Limiter::default(),
                deployment,
                rendering: Mutex::new(()),
            }),
        })
    }

    /// The snapshot a request works on from start to end.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.shared.current.load_full()
    }

    /// The current snapshot for a request that is answered without
    /// awaiting anything: unlike [`AppState::snapshot`] it touches no shared
    /// reference count, so requests on different cores do not contend for
    /// one cache line.
    pub(crate) fn peek(&self) -> arc_swap::Guard<Arc<Snapshot>> {
        self.shared.current.load()
    }

    /// Renders newly loaded data and swaps it in for every request that
    /// starts after this; on failure the current snapshot stays.
    /// `files` is when the data's files last changed, as for
    /// [`AppState::with_files`].
    pub fn replace(&self, society: Society, files: Option<Timestamp>) -> Result<(), ExportError> {
        let _rendering = self
            .shared
            .rendering
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let today = self.shared.deployment.today();
        let members = self.can_sign_in(&society);
        let next = Snapshot::build_for(society, &self.shared.deployment, today, files, members)?;
        self.install(next);
        Ok(())
    }

    /// Swaps `next` in for the current snapshot, every sync token the
    /// current one answers staying answerable (the DAV history carried
    /// over). Called under the rendering lock.
    fn install(&self, mut next: Snapshot) {
        next.dav.inherit(&self.shared.current.load().dav);
        self.shared.current.store(Arc::new(next));
    }

    /// Renders the same data again when the day the site is made for has
    /// changed since it was rendered (the upcoming meetings depend on it);
    /// true when it did.
    pub fn new_day(&self) -> Result<bool, ExportError> {
        let _rendering = self
            .shared
            .rendering
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let today = self.shared.deployment.today();
        let current = self.snapshot();
        if current.today == today {
            return Ok(false);
        }
        let society = current.society.clone();
        let members = self.can_sign_in(&society);
        let next = Snapshot::build_for(
            society,
            &self.shared.deployment,
            today,
            current.files,
            members,
        )?;
        drop(current);
        self.install(next);
        Ok(true)
    }

    /// The deployment this state renders for.
    pub fn deployment(&self) -> &Deployment {
        &self.shared.deployment
    }

    /// Reads the access file and the session key in the data directory
    /// (making the key when there is none), lets in whom it grants, and
    /// renders the members' pages when anyone can sign in.
    pub fn open_access(&self, dir: &Path) -> Result<(), StateError> {
        let key = SessionKey::load_or_create(dir)?;
        let access = Access::read(dir)?;
        self.set_gate(Some(access), key);
        self.fit_members()?;
        Ok(())
    }

    /// Reads the access file and key again. When either cannot be read,
    /// nobody is let in until they can: a revocation must never be undone
    /// by a file that fails to read. The members' pages follow, rendered
    /// or dropped as the grants now say, after the new grants apply.
    pub(crate) fn reload_access(&self, dir: &Path) -> Result<(), AccessError> {
        let read = self.read_access(dir);
        if let Err(e) = self.fit_members() {
            tracing::error!(error = %e, "cannot render the members' pages");
        }
        read
    }

    fn read_access(&self, dir: &Path) -> Result<(), AccessError> {
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
        self.shared.gate.store(Arc::new(Gate { access, key }));
    }

    fn close_gate(&self) {
        let key = self.shared.gate.load().key.clone();
        self.set_gate(None, key);
    }

    /// Whether anyone can sign in to the members' area of `society` now:
    /// the access file as last read holds a grant that is active and whose
    /// person is in the data. Time only ends grants (none starts later), so
    /// a grant that cannot sign in now never can until the file changes.
    fn can_sign_in(&self, society: &Society) -> bool {
        let now = crate::members::now();
        self.shared
            .gate
            .load()
            .access
            .as_ref()
            .is_some_and(|access| {
                access
                    .grants()
                    .iter()
                    .any(|g| g.is_active(now) && society.person(g.person.as_str()).is_some())
            })
    }

    /// Renders the current snapshot's members' pages when someone can sign
    /// in and they are not there, and drops them when nobody can. Called
    /// after each change of the grants, which apply at once: a revocation
    /// never waits for this, and a member let in before the pages are
    /// there is asked to try again in a moment.
    fn fit_members(&self) -> Result<(), ExportError> {
        let _rendering = self
            .shared
            .rendering
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let snap = self.snapshot();
        let members = &snap.members;
        match (self.can_sign_in(&snap.society), members.peek().is_some()) {
            (true, false) => {
                let pages =
                    MembersPages::render(&snap.society, &members.options, members.modified)?;
                members.pages.store(Some(Arc::new(pages)));
            }
            (false, true) => members.pages.store(None),
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn gate(&self) -> arc_swap::Guard<Arc<Gate>> {
        self.shared.gate.load()
    }

    pub(crate) fn limiter(&self) -> &Limiter {
        &self.shared.limiter
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A meeting that ended yesterday by the clock, in the embedded data.
    fn society_with_a_meeting_that_just_ended() -> Society {
        let mut sources = nspm_core::Sources::embedded();
        let yesterday = yesterday();
        let meetings = sources
            .text(nspm_core::DataFile::Meetings)
            .unwrap()
            .replacen("date: \"2018-06\"", &format!("date: \"{yesterday}\""), 1);
        sources.set_text(nspm_core::DataFile::Meetings, meetings);
        Society::from_sources(&sources).unwrap()
    }

    /// The day before the clock's.
    fn yesterday() -> nspm_core::PartialDate {
        let (first, _) = clock_day().days().unwrap();
        nspm_core::PartialDate::parse(&first.pred_opt().unwrap().to_string()).unwrap()
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
        let old =
            Snapshot::build_for(society, state.deployment(), yesterday(), None, false).unwrap();
        state.shared.current.store(Arc::new(old));
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
    fn a_new_day_keeps_the_sync_tokens_earlier_reloads_gave() {
        let embedded = Society::from_sources(&nspm_core::Sources::embedded()).unwrap();
        let state = AppState::for_deployment(embedded, Deployment::default(), None).unwrap();
        let before = state.snapshot().dav.public.token();
        // An edit moves one meeting: a client holding the token from before
        // it is told of that one meeting.
        state
            .replace(society_with_a_meeting_that_just_ended(), None)
            .unwrap();
        let changed = |state: &AppState| {
            state
                .snapshot()
                .dav
                .public
                .changes_since(&before)
                .map(|c| c.changed.len())
        };
        assert_eq!(changed(&state), Some(1));
        // As if that had been rendered yesterday, remembering what it did.
        let society = state.snapshot().society.clone();
        let old =
            Snapshot::build_for(society, state.deployment(), yesterday(), None, false).unwrap();
        state.install(old);
        assert!(state.new_day().unwrap());
        assert_eq!(
            changed(&state),
            Some(1),
            "the token from before the edit is forgotten"
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
