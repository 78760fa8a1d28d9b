//! The DAV collections of one snapshot: every object rendered once per
//! load of the data, its strong ETag, and the collection's sync token, all
//! derived from the content so that they are the same after a restart.
//!
//! # Sync tokens
//!
//! A collection's token is a hash of its sorted (name, ETag) list: the same
//! content gives the same token on every start, and a reload that changes
//! nothing keeps it. To answer "what changed since token T" the server
//! keeps, beside the current objects, the (name, ETag) lists of the last
//! [`HISTORY`] states it has served (a few hundred kilobytes each for ten
//! thousand cards: the names are shared with the objects, the ETags are 16
//! bytes). A client holding the current token is told "nothing changed",
//! after a restart too; one holding a token of a state this process has
//! seen gets exactly the objects that differ and a 404 entry for each that
//! went; any other token gets the `DAV:valid-sync-token` error, after which
//! RFC 6578 section 3.2 has the client sync afresh from an empty token.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use nspm_core::{Audience, MeetingQuery, PeopleQuery, Society, Timestamp};
use nspm_export::ics::{self, CalendarOptions};
use nspm_export::vcard::{self, CardOptions, VcardVersion};
use rayon::iter::{IntoParallelIterator as _, ParallelIterator as _};
use sha2::{Digest as _, Sha256};

/// How many earlier states of each collection a process remembers.
pub(crate) const HISTORY: usize = 16;

/// The prefix of every sync token (RFC 6578 wants a URI).
const TOKEN_PREFIX: &str = "urn:nspm:sync:";

/// What a collection holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Addressbook,
    Calendar,
}

/// A hash of content, as ETags and tokens carry it.
pub(crate) type Digest = [u8; 16];

/// One vCard or one VCALENDAR with its VEVENT.
#[derive(Debug)]
pub(crate) struct Object {
    /// Its name in the collection: the UID (a card's without `urn:uuid:`)
    /// and `.vcf` or `.ics`.
    pub name: Arc<str>,
    pub etag: Digest,
    /// vCard 3.0 or the calendar object.
    pub body: Bytes,
    /// The same card in vCard 4.0, for clients that ask for it.
    pub v4: Option<Bytes>,
    /// When the event takes place, in seconds since the epoch, the end
    /// exclusive (for calendar-query's time-range).
    pub span: Option<(i64, i64)>,
}

impl Object {
    fn new(name: String, body: String, v4: Option<String>, span: Option<(i64, i64)>) -> Object {
        Object {
            etag: digest(&[body.as_bytes()]),
            name: name.into(),
            body: Bytes::from(body),
            v4: v4.map(Bytes::from),
            span,
        }
    }

    /// The ETag as HTTP and `getetag` give it: strong, quoted.
    pub(crate) fn etag(&self) -> String {
        format!("\"{}\"", hex(&self.etag))
    }
}

/// An earlier state of a collection: its token and its sorted
/// (name, ETag) list.
#[derive(Debug, Clone)]
struct Past {
    token: Digest,
    entries: Arc<Vec<(Arc<str>, Digest)>>,
}

/// An address book or a calendar.
#[derive(Debug)]
pub(crate) struct Collection {
    /// Its URL path, ending in `/`.
    pub path: &'static str,
    pub kind: Kind,
    /// Who may read it.
    pub audience: Audience,
    pub display_name: String,
    pub description: String,
    /// Sorted by name.
    objects: Vec<Object>,
    by_name: HashMap<Arc<str>, usize>,
    token: Digest,
    /// Earlier states, the newest first.
    history: Vec<Past>,
}

/// What changed since a token.
#[derive(Debug)]
pub(crate) struct Changes<'a> {
    pub changed: Vec<&'a Object>,
    pub removed: Vec<Arc<str>>,
}

impl Collection {
    fn new(
        path: &'static str,
        kind: Kind,
        audience: Audience,
        display_name: String,
        description: String,
        mut objects: Vec<Object>,
    ) -> Collection {
        objects.sort_by(|a, b| a.name.cmp(&b.name));
        // Two records with one UID would be one object; the check keeps ids
        // unique, so this only guards the invariant.
        objects.dedup_by(|a, b| a.name == b.name);
        let by_name = objects
            .iter()
            .enumerate()
            .map(|(i, o)| (o.name.clone(), i))
            .collect();
        let mut parts: Vec<&[u8]> = vec![path.as_bytes()];
        for o in &objects {
            parts.push(o.name.as_bytes());
            parts.push(&o.etag);
        }
        let token = digest(&parts);
        Collection {
            path,
            kind,
            audience,
            display_name,
            description,
            objects,
            by_name,
            token,
            history: Vec::new(),
        }
    }

    pub(crate) fn objects(&self) -> &[Object] {
        &self.objects
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Object> {
        self.by_name.get(name).map(|&i| &self.objects[i])
    }

    /// The sync token, also the CalendarServer ctag.
    pub(crate) fn token(&self) -> String {
        format!("{TOKEN_PREFIX}{}", hex(&self.token))
    }

    fn entries(&self) -> Arc<Vec<(Arc<str>, Digest)>> {
        Arc::new(
            self.objects
                .iter()
                .map(|o| (o.name.clone(), o.etag))
                .collect(),
        )
    }

    /// What changed since `token`, or None for a token this process does
    /// not know.
    pub(crate) fn changes_since(&self, token: &str) -> Option<Changes<'_>> {
        let digest = parse_token(token)?;
        if digest == self.token {
            return Some(Changes {
                changed: Vec::new(),
                removed: Vec::new(),
            });
        }
        let past = self.history.iter().find(|p| p.token == digest)?;
        let old: HashMap<&str, &Digest> = past
            .entries
            .iter()
            .map(|(name, etag)| (&**name, etag))
            .collect();
        let changed = self
            .objects
            .iter()
            .filter(|o| old.get(&*o.name) != Some(&&o.etag))
            .collect();
        let removed = past
            .entries
            .iter()
            .filter(|(name, _)| !self.by_name.contains_key(name))
            .map(|(name, _)| name.clone())
            .collect();
        Some(Changes { changed, removed })
    }

    /// Remembers `previous` (this collection as the last snapshot had it)
    /// and the states it remembered.
    fn inherit(&mut self, previous: &Collection) {
        let mut history = Vec::with_capacity(HISTORY);
        if previous.token != self.token {
            history.push(Past {
                token: previous.token,
                entries: previous.entries(),
            });
        }
        for past in &previous.history {
            if history.len() >= HISTORY {
                break;
            }
            if past.token != self.token && history.iter().all(|p| p.token != past.token) {
                history.push(past.clone());
            }
        }
        self.history = history;
    }
}

/// The three collections.
#[derive(Debug)]
pub(crate) struct Dav {
    pub addressbook: Collection,
    pub public: Collection,
    pub members: Collection,
}

impl Dav {
    /// Renders every object; `fixed` is the stamp the command line fixed,
    /// if it did (see [`nspm_export::meeting_stamp`]).
    pub(crate) fn build(society: &Society, fixed: Option<Timestamp>) -> Dav {
        let short = &society.info.short_name;
        let card = |version| CardOptions {
            version,
            audience: Audience::Members,
        };
        let people = society.people_matching(&PeopleQuery::default(), Audience::Members);
        let mut cards: Vec<Object> = people
            .into_par_iter()
            .map(|p| {
                let uid = vcard::person_uid(society, p);
                Object::new(
                    card_name(&uid),
                    vcard::person_card(society, p, &card(VcardVersion::V3)),
                    Some(vcard::person_card(society, p, &card(VcardVersion::V4))),
                    None,
                )
            })
            .collect();
        cards.push(Object::new(
            card_name(&vcard::society_uid(society)),
            vcard::society_card(society, &card(VcardVersion::V3)),
            Some(vcard::society_card(society, &card(VcardVersion::V4))),
            None,
        ));
        let meetings = society.meetings_matching(&MeetingQuery::default());
        let events = |audience| -> Vec<Object> {
            meetings
                .iter()
                .map(|m| {
                    let opts = CalendarOptions {
                        audience,
                        stamp: nspm_export::meeting_stamp(m, fixed),
                    };
                    Object::new(
                        format!("{}.ics", ics::uid(society, m)),
                        ics::event_object(society, m, &opts),
                        None,
                        ics::when(m).map(ics::When::unix_span),
                    )
                })
                .collect()
        };
        Dav {
            addressbook: Collection::new(
                super::ADDRESSBOOK,
                Kind::Addressbook,
                Audience::Members,
                format!("{short} members"),
                format!("The {} members' directory", society.info.name),
                cards,
            ),
            public: Collection::new(
                super::PUBLIC_CALENDAR,
                Kind::Calendar,
                Audience::Public,
                format!("{short} meetings"),
                format!("Meetings of the {}", society.info.name),
                events(Audience::Public),
            ),
            members: Collection::new(
                super::MEMBERS_CALENDAR,
                Kind::Calendar,
                Audience::Members,
                format!("{short} meetings (members)"),
                format!(
                    "Meetings of the {}, with the details for members",
                    society.info.name
                ),
                events(Audience::Members),
            ),
        }
    }

    /// Carries over what `previous` remembered, for the sync tokens it gave.
    pub(crate) fn inherit(&mut self, previous: &Dav) {
        self.addressbook.inherit(&previous.addressbook);
        self.public.inherit(&previous.public);
        self.members.inherit(&previous.members);
    }

    pub(crate) fn collections(&self) -> [&Collection; 3] {
        [&self.addressbook, &self.public, &self.members]
    }
}

/// A card's name in the address book: its UUID.
fn card_name(uid: &str) -> String {
    format!("{}.vcf", uid.strip_prefix("urn:uuid:").unwrap_or(uid))
}

fn digest(parts: &[&[u8]]) -> Digest {
    let mut h = Sha256::new();
    for p in parts {
        // Each part's length first, so that no two lists hash alike.
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    let full = h.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

fn hex(d: &Digest) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

fn parse_token(token: &str) -> Option<Digest> {
    let hex = token.trim().strip_prefix(TOKEN_PREFIX)?;
    if hex.len() != 32 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}
