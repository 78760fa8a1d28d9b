//! Grants of access and the checks that let a member in.
//!
//! A grant names a person and holds the hashes of the credential and the
//! feed secret made for them. It is active from when it was granted until
//! it expires or is revoked; a revoked grant stays in the file as history.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use nspm_core::{Id, PartialDate, Timestamp};
use subtle::Choice;

use crate::secret::{Credential, FeedSecret, Sha256Hash, bytes_ct_eq, hex, random};
use crate::{ACCESS_FILE, AccessError, Problem, file};

/// A grant's public name: 12 lower-case hexadecimal digits, random, shown
/// by `nspm access list` and taken by `nspm access revoke`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GrantId(String);

impl GrantId {
    const DIGITS: usize = 12;

    /// Reads a grant id as `nspm access list` shows it.
    pub fn parse(text: &str) -> Result<GrantId, String> {
        if text.len() == Self::DIGITS
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            Ok(GrantId(text.to_string()))
        } else {
            Err(format!(
                "\"{text}\" is not a grant id: expected 12 lower-case hexadecimal digits, such as \"3f9a0c12b4e7\""
            ))
        }
    }

    fn generate() -> Result<GrantId, AccessError> {
        let bytes = random::<{ GrantId::DIGITS / 2 }>()?;
        Ok(GrantId(hex(bytes.as_ref())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

// The index finds a grant by the id a session cookie names, as text: a
// `GrantId` hashes and compares exactly as its text does.
impl std::borrow::Borrow<str> for GrantId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for GrantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl fmt::Display for GrantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// When a grant stops working: at the end of a day (UTC), or at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// The grant works through this day, until midnight UTC that ends it.
    Day(i32, u8, u8),
    /// The grant works until this moment.
    At(Timestamp),
}

impl Expiry {
    /// Reads a day, `2026-12-31`, or a moment in UTC, `2026-12-31T18:00:00Z`.
    pub fn parse(text: &str) -> Result<Expiry, String> {
        if text.contains('T') {
            return Timestamp::parse(text).map(Expiry::At);
        }
        match PartialDate::parse(text)? {
            PartialDate::Day(y, m, d) => Ok(Expiry::Day(y, m, d)),
            _ => Err(format!(
                "expected a day as YYYY-MM-DD or a UTC time as YYYY-MM-DDTHH:MM:SSZ, found \"{text}\""
            )),
        }
    }

    /// The first moment at which the grant no longer works.
    pub fn ends(self) -> Timestamp {
        match self {
            // The day was read as a real one; the midnight that ends it
            // is where it stops working.
            Expiry::Day(y, m, d) => match PartialDate::Day(y, m, d).days() {
                Some((_, next)) => Timestamp::midnight(next),
                // Unreachable for a day that was read; should one slip
                // through, the grant fails closed.
                None => Timestamp::from_unix(i64::MIN),
            },
            Expiry::At(t) => t,
        }
    }
}

impl fmt::Display for Expiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expiry::Day(y, m, d) => write!(f, "{y:04}-{m:02}-{d:02}"),
            Expiry::At(t) => write!(f, "{t}"),
        }
    }
}

/// What staff note about a grant, such as "board 2026" or "Kari's laptop":
/// one line of text, at most 200 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label(String);

impl Label {
    const MAX: usize = 200;

    pub fn new(text: &str) -> Result<Label, String> {
        if text.trim().is_empty() {
            return Err("a label must not be empty".to_string());
        }
        if text.chars().any(char::is_control) {
            return Err(
                "a label must be one line, without line breaks or control characters".to_string(),
            );
        }
        let n = text.chars().count();
        if n > Label::MAX {
            return Err(format!(
                "a label has at most {} characters; this one has {n}",
                Label::MAX
            ));
        }
        Ok(Label(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a grant stands at a given moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Active,
    Expired,
    Revoked,
}

impl Status {
    /// The word `nspm access list` shows: `active`, `expired`, `revoked`.
    pub fn name(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Expired => "expired",
            Status::Revoked => "revoked",
        }
    }
}

/// One person's access to the members' area.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub id: GrantId,
    /// The person's id in `people.ron`, also their user name for HTTP Basic.
    pub person: Id,
    pub credential_sha256: Sha256Hash,
    pub feed_sha256: Sha256Hash,
    pub granted: Timestamp,
    pub expires: Option<Expiry>,
    /// What staff noted about the grant, such as whose device it is for.
    pub label: Option<Label>,
    /// When the grant was revoked, if it was.
    pub revoked: Option<Timestamp>,
}

impl Grant {
    pub fn status(&self, now: Timestamp) -> Status {
        if self.revoked.is_some() {
            Status::Revoked
        } else if self.expires.is_some_and(|e| now >= e.ends()) {
            Status::Expired
        } else {
            Status::Active
        }
    }

    pub fn is_active(&self, now: Timestamp) -> bool {
        self.status(now) == Status::Active
    }
}

/// Which of a grant's secrets a request presents.
#[derive(Clone, Copy, Debug)]
enum Secret {
    Credential,
    Feed,
}

/// A new grant and its secrets, which exist only here: the access file
/// keeps their hashes.
#[derive(Debug)]
pub struct Issued {
    pub id: GrantId,
    pub credential: Credential,
    pub feed: FeedSecret,
}

/// Every grant in the access file, in the order they were made.
#[derive(Clone, Debug, Default)]
pub struct Access {
    grants: Vec<Grant>,
    /// The file the grants were read from, as messages name it.
    file: Option<String>,
    /// Where each grant's `person` field stands in that file (line, column),
    /// for [`Access::unknown_people`]; none for a grant made since.
    places: Vec<Option<(usize, usize)>>,
    index: Index,
}

/// Where each grant stands in [`Access::grants`], by what a request
/// presents: the grant's id (which a session cookie names), and the hashes
/// of its credential and of its feed secret. A request is then checked
/// against the grants that hold what it presents, not against every grant:
/// with thousands of members, comparing a presented hash with each grant's
/// cost far more than the rest of serving the request.
///
/// Looking a hash up gives nothing away that comparing with every grant
/// would have kept: the key is the SHA-256 hash of what was presented, and
/// the map places it by a hash of that hash keyed afresh at random in each
/// process (std's `RandomState`), so how long a lookup takes depends on
/// no stored hash that anyone could aim at; and equal hashes are compared
/// in constant time (see [`Sha256Hash`]). Even a stored hash learnt whole
/// would not give its credential, 256 random bits, back.
#[derive(Clone, Default)]
struct Index {
    /// The first grant with each id: ids are unique unless the file was
    /// edited by hand, and [`Access::get`] has always found the first.
    by_id: HashMap<GrantId, usize>,
    by_credential: HashMap<Sha256Hash, Vec<usize>>,
    by_feed: HashMap<Sha256Hash, Vec<usize>>,
}

impl Index {
    fn of(grants: &[Grant]) -> Index {
        let mut index = Index::default();
        for (i, g) in grants.iter().enumerate() {
            index.add(i, g);
        }
        index
    }

    fn add(&mut self, i: usize, g: &Grant) {
        self.by_id.entry(g.id.clone()).or_insert(i);
        self.by_credential
            .entry(g.credential_sha256)
            .or_default()
            .push(i);
        self.by_feed.entry(g.feed_sha256).or_default().push(i);
    }
}

impl fmt::Debug for Index {
    // The grants themselves are in the `Debug` of `Access`; the index
    // would only repeat them, hashes and all.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Index")
            .field("grants", &self.by_id.len())
            .finish_non_exhaustive()
    }
}

/// What a search for a matching secret found, and how much work it did.
struct Scan<'a> {
    found: Option<&'a Grant>,
    /// How many grants the person and the secret were compared with: those
    /// that hold the presented secret's hash, whichever person was named.
    /// Only the tests read it, to show that the work does not depend on
    /// the person named or on whether the person has any grant.
    #[cfg_attr(not(test), allow(dead_code))]
    compared: usize,
}

impl Access {
    /// Reads the access file in a data directory; no file means no grants.
    pub fn read(dir: &Path) -> Result<Access, AccessError> {
        let path = dir.join(ACCESS_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Access::default()),
            Err(e) => return Err(AccessError::io("read", path)(e)),
        };
        let name = path.display().to_string();
        Access::parse_bytes(&name, bytes).map_err(AccessError::Invalid)
    }

    /// Reads the access file's bytes; `file` names it in problems.
    pub(crate) fn parse_bytes(file: &str, bytes: Vec<u8>) -> Result<Access, Vec<Problem>> {
        match nspm_core::Content::from_bytes(bytes) {
            nspm_core::Content::Text(text) => Access::parse(file, &text),
            nspm_core::Content::NotUtf8 { line, column } => Err(vec![Problem {
                file: file.to_string(),
                line,
                column,
                grant: None,
                field: None,
                message: "the file is not UTF-8 text: save it as UTF-8".to_string(),
            }]),
            // `from_bytes` makes text or says where it is not UTF-8.
            _ => Ok(Access::default()),
        }
    }

    /// Reads the access file's text; `file` names it in problems. Every
    /// problem is reported, each with its line and column.
    pub fn parse(file: &str, text: &str) -> Result<Access, Vec<Problem>> {
        let read = file::parse(file, text)?;
        Ok(Access {
            index: Index::of(&read.grants),
            grants: read.grants,
            file: Some(file.to_string()),
            places: read.places.into_iter().map(Some).collect(),
        })
    }

    /// The access file's text, in its one layout.
    pub fn to_ron(&self) -> String {
        file::write(&self.grants)
    }

    /// Every grant, revoked and expired ones too, oldest first.
    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }

    pub fn get(&self, id: &str) -> Option<&Grant> {
        let i = *self.index.by_id.get(id)?;
        self.grants.get(i)
    }

    /// The grant with this id when it is active now.
    pub fn active(&self, id: &str, now: Timestamp) -> Option<&Grant> {
        self.get(id).filter(|g| g.is_active(now))
    }

    /// Every grant of one person, oldest first.
    pub fn of_person<'a>(&'a self, person: &'a str) -> impl Iterator<Item = &'a Grant> + 'a {
        self.grants
            .iter()
            .filter(move |g| g.person.as_str() == person)
    }

    /// Grants a person access from `now`: makes a credential and a feed
    /// secret, and adds a grant holding their hashes.
    pub fn grant(
        &mut self,
        person: Id,
        now: Timestamp,
        expires: Option<Expiry>,
        label: Option<Label>,
    ) -> Result<Issued, AccessError> {
        // Twelve random digits make a repeat most unlikely, but not
        // impossible, and an id must name one grant.
        let id = loop {
            let id = GrantId::generate()?;
            if self.get(id.as_str()).is_none() {
                break id;
            }
        };
        let credential = Credential::generate()?;
        let feed = FeedSecret::generate()?;
        let grant = Grant {
            id: id.clone(),
            person,
            credential_sha256: credential.sha256(),
            feed_sha256: feed.sha256(),
            granted: now,
            expires,
            label,
            revoked: None,
        };
        self.index.add(self.grants.len(), &grant);
        self.grants.push(grant);
        self.places.push(None);
        Ok(Issued {
            id,
            credential,
            feed,
        })
    }

    /// Revokes a grant at `now`. False when there is no such grant or it
    /// was revoked already: the earlier revocation stands.
    pub fn revoke(&mut self, id: &GrantId, now: Timestamp) -> bool {
        let grant = self
            .index
            .by_id
            .get(id.as_str())
            .and_then(|&i| self.grants.get_mut(i));
        match grant {
            Some(g) if g.revoked.is_none() => {
                g.revoked = Some(now);
                true
            }
            _ => false,
        }
    }

    /// The active grant of `person` whose credential this is, for HTTP
    /// Basic and the sign-in form. A wrong credential, an unknown person, and
    /// an expired or revoked grant all give `None`; a wrong credential after
    /// the same work whoever is named.
    pub fn verify_basic(&self, person: &str, credential: &str, now: Timestamp) -> Option<&Grant> {
        self.scan(
            Sha256Hash::of(credential),
            Secret::Credential,
            Some(person),
            now,
        )
        .found
    }

    /// The active grant whose feed secret this is.
    pub fn verify_feed(&self, secret: &str, now: Timestamp) -> Option<&Grant> {
        self.scan(Sha256Hash::of(secret), Secret::Feed, None, now)
            .found
    }

    /// Finds the grants that hold a presented secret's hash (see [`Index`]
    /// for why the lookup tells nothing) and compares each one's hash and
    /// person with what was presented in constant time, whether or not an
    /// earlier one matched: the time taken depends on the presented secret
    /// alone, never on which person was named or how close the secret came.
    fn scan(
        &self,
        presented: Sha256Hash,
        kind: Secret,
        person: Option<&str>,
        now: Timestamp,
    ) -> Scan<'_> {
        let (candidates, hash): (_, fn(&Grant) -> &Sha256Hash) = match kind {
            Secret::Credential => (&self.index.by_credential, |g| &g.credential_sha256),
            Secret::Feed => (&self.index.by_feed, |g| &g.feed_sha256),
        };
        let mut found = None;
        let mut compared = 0;
        let holders = candidates.get(&presented).map_or(&[][..], Vec::as_slice);
        for grant in holders.iter().filter_map(|&i| self.grants.get(i)) {
            let person_matches = match person {
                Some(p) => bytes_ct_eq(grant.person.as_str().as_bytes(), p.as_bytes()),
                None => Choice::from(1),
            };
            let matches = hash(grant).ct_eq(&presented) & person_matches;
            compared += 1;
            // Only a presented secret that is right takes this branch, and
            // by then the caller is in.
            if bool::from(matches) && found.is_none() && grant.is_active(now) {
                found = Some(grant);
            }
        }
        Scan { found, compared }
    }

    /// A problem for each grant not yet revoked whose person `is_person`
    /// does not know, placed at its `person` field. A revoked grant of a
    /// person since removed is history, and no problem.
    pub fn unknown_people(&self, is_person: impl Fn(&str) -> bool) -> Vec<Problem> {
        let file = self.file.as_deref().unwrap_or(ACCESS_FILE);
        self.grants
            .iter()
            .zip(&self.places)
            .filter(|(g, _)| g.revoked.is_none() && !is_person(g.person.as_str()))
            .map(|(g, place)| {
                let (line, column) = place.unwrap_or((1, 1));
                Problem {
                    file: file.to_string(),
                    line,
                    column,
                    grant: Some(g.id.to_string()),
                    field: Some("person"),
                    message: format!(
                        "no person \"{}\" in people.ron: revoke the grant, or add the person back",
                        g.person
                    ),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    fn person(id: &str) -> Id {
        id.parse().unwrap()
    }

    /// Access with two people's grants; returns it and Kari's secrets.
    fn two_grants() -> (Access, Issued) {
        let mut access = Access::default();
        let now = t("2025-06-01T12:00:00Z");
        let kari = access
            .grant(person("kari-stefansson"), now, None, None)
            .unwrap();
        access
            .grant(
                person("soren-brunak"),
                now,
                None,
                Some(Label::new("laptop").unwrap()),
            )
            .unwrap();
        (access, kari)
    }

    #[test]
    fn the_right_credential_lets_its_person_in_and_nobody_else() {
        let (access, kari) = two_grants();
        let now = t("2025-06-02T00:00:00Z");
        let c = kari.credential.expose();
        let grant = access.verify_basic("kari-stefansson", c, now).unwrap();
        assert_eq!(grant.id, kari.id);
        assert!(access.verify_basic("soren-brunak", c, now).is_none());
        assert!(access.verify_basic("nobody", c, now).is_none());
        assert!(
            access
                .verify_basic("kari-stefansson", "nspm_x", now)
                .is_none()
        );
        assert!(access.verify_basic("kari-stefansson", "", now).is_none());
        // The feed secret is no credential, nor the other way round.
        let f = kari.feed.expose();
        assert!(access.verify_basic("kari-stefansson", f, now).is_none());
        assert_eq!(access.verify_feed(f, now).unwrap().id, kari.id);
        assert!(access.verify_feed(c, now).is_none());
    }

    #[test]
    fn an_unknown_person_and_a_wrong_credential_take_the_same_path() {
        let (mut access, kari) = two_grants();
        let now = t("2025-06-02T00:00:00Z");
        // More grants, so that a wrong credential could be compared with
        // many people's and a person with many grants.
        for _ in 0..20 {
            access
                .grant(person("soren-brunak"), now, None, None)
                .unwrap();
        }
        let c = kari.credential.expose();
        let wrong = Credential::generate().unwrap();
        let scan = |person: &str, credential: &str| {
            access.scan(
                Sha256Hash::of(credential),
                Secret::Credential,
                Some(person),
                now,
            )
        };
        // A wrong credential is compared with nobody's grants, whoever is
        // named: a person with many grants, with one, or with none.
        for credential in [wrong.expose(), "not even a credential", ""] {
            for person in ["kari-stefansson", "soren-brunak", "nobody"] {
                let s = scan(person, credential);
                assert!(s.found.is_none(), "{person}");
                assert_eq!(s.compared, 0, "{person}");
            }
        }
        // The right credential is compared with its own grant, whoever is
        // named, and lets in only its person.
        for person in ["soren-brunak", "nobody", "kari-stefansson"] {
            let s = scan(person, c);
            assert_eq!(s.compared, 1, "{person}");
            assert_eq!(s.found.is_some(), person == "kari-stefansson", "{person}");
        }
    }

    #[test]
    fn a_credential_copied_into_two_grants_lets_in_the_active_one_only() {
        // The access file refuses one hash in two grants, but the index
        // keeps a list of grants for each hash rather than trusting that:
        // each grant holding it is looked at, and only an active one of the
        // person named lets them in. The copy is made here in memory, past
        // the file's check, to show that.
        let (mut access, kari) = two_grants();
        let now = t("2025-06-02T00:00:00Z");
        let copy = access
            .grant(person("kari-stefansson"), now, None, None)
            .unwrap();
        let last = access.grants.len() - 1;
        access.grants[last].credential_sha256 = kari.credential.sha256();
        access.index = Index::of(&access.grants);
        let c = kari.credential.expose();
        assert_eq!(
            access.verify_basic("kari-stefansson", c, now).unwrap().id,
            kari.id
        );
        assert!(access.revoke(&kari.id, now));
        assert_eq!(
            access.verify_basic("kari-stefansson", c, now).unwrap().id,
            copy.id
        );
        assert!(
            access
                .verify_basic("kari-stefansson", copy.credential.expose(), now)
                .is_none()
        );
        assert!(access.revoke(&copy.id, now));
        assert!(access.verify_basic("kari-stefansson", c, now).is_none());
    }

    #[test]
    fn expired_and_revoked_grants_never_authenticate() {
        let mut access = Access::default();
        let granted = t("2025-06-01T12:00:00Z");
        let expiring = |access: &mut Access, expiry: &str| {
            let expires = Some(Expiry::parse(expiry).unwrap());
            access
                .grant(person("kari-stefansson"), granted, expires, None)
                .unwrap()
        };
        let day = expiring(&mut access, "2025-06-30");
        let c = day.credential.expose();
        // The day counts whole, in UTC.
        let late = t("2025-06-30T23:59:59Z");
        assert!(access.verify_basic("kari-stefansson", c, late).is_some());
        let over = t("2025-07-01T00:00:00Z");
        assert!(access.verify_basic("kari-stefansson", c, over).is_none());
        assert!(access.verify_feed(day.feed.expose(), over).is_none());
        assert_eq!(access.grants()[0].status(over), Status::Expired);

        let moment = expiring(&mut access, "2025-06-10T08:00:00Z");
        let c = moment.credential.expose();
        let before = t("2025-06-10T07:59:59Z");
        assert!(access.verify_basic("kari-stefansson", c, before).is_some());
        let at = t("2025-06-10T08:00:00Z");
        assert!(access.verify_basic("kari-stefansson", c, at).is_none());

        let open = access
            .grant(person("kari-stefansson"), granted, None, None)
            .unwrap();
        let now = t("2025-06-02T00:00:00Z");
        let c = open.credential.expose();
        assert!(access.verify_basic("kari-stefansson", c, now).is_some());
        assert!(access.revoke(&open.id, now));
        assert!(!access.revoke(&open.id, t("2025-06-03T00:00:00Z")));
        assert_eq!(access.get(open.id.as_str()).unwrap().revoked, Some(now));
        assert!(access.verify_basic("kari-stefansson", c, now).is_none());
        assert!(access.verify_feed(open.feed.expose(), now).is_none());
        assert_eq!(access.grants()[2].status(now), Status::Revoked);
    }

    #[test]
    fn expiry_reads_a_day_or_a_moment() {
        assert_eq!(
            Expiry::parse("2026-12-31").unwrap().ends(),
            t("2027-01-01T00:00:00Z")
        );
        assert_eq!(
            Expiry::parse("2026-12-31T18:00:00Z").unwrap().to_string(),
            "2026-12-31T18:00:00Z"
        );
        assert_eq!(
            Expiry::parse("2026-02-03").unwrap().to_string(),
            "2026-02-03"
        );
        for bad in [
            "2026",
            "2026-12",
            "2026-02-30",
            "31.12.2026",
            "2026-12-31T18:00",
        ] {
            assert!(Expiry::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn labels_are_one_line_of_text() {
        assert_eq!(
            Label::new("Kari's laptop").unwrap().as_str(),
            "Kari's laptop"
        );
        assert!(Label::new(&"é".repeat(200)).is_ok());
        for bad in ["", "  ", "two\nlines", "tab\there", &"x".repeat(201)] {
            assert!(Label::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn debug_of_grants_shows_no_secret_and_no_hash() {
        let (access, kari) = two_grants();
        let shown = format!("{access:?} {access:#?} {kari:?} {kari:#?}");
        for g in access.grants() {
            assert!(!shown.contains(&g.credential_sha256.to_hex()), "{shown}");
            assert!(!shown.contains(&g.feed_sha256.to_hex()), "{shown}");
        }
        assert!(!shown.contains(kari.credential.expose()), "{shown}");
        assert!(!shown.contains(kari.feed.expose()), "{shown}");
        // What is no secret is there to help whoever reads it.
        assert!(shown.contains(kari.id.as_str()), "{shown}");
        assert!(shown.contains("kari-stefansson"), "{shown}");
    }

    #[test]
    fn grant_ids_are_twelve_hex_digits() {
        let (access, kari) = two_grants();
        assert_eq!(GrantId::parse(kari.id.as_str()).unwrap(), kari.id);
        assert_ne!(access.grants()[0].id, access.grants()[1].id);
        for bad in [
            "",
            "3f9a0c12b4e",
            "3F9A0C12B4E7",
            "3f9a0c12b4e7a",
            "kari-stefans",
        ] {
            assert!(GrantId::parse(bad).is_err(), "{bad}");
        }
    }
}
