//! The society's data, as typed values.
//!
//! Every value here has passed the check: ids are well formed and unique,
//! references resolve, countries are ISO codes, dates are real. Code that
//! holds a [`Society`] can rely on that.

use std::fmt;
use std::sync::OnceLock;

use serde::{Serialize, Serializer};

use crate::country::Country;
use crate::date::{PartialDate, Timestamp};
use crate::file::DataFile;
use crate::ids::IdTable;
use crate::photo::Photo;
use crate::time::{TimeOfDay, Zone};

/// Declares a record of the data files: the struct, and from the same one
/// list of fields, its name in the files (`NAME`) and its fields' names in
/// the order the canonical layout writes them (`FIELDS`). Reading checks
/// field names against `FIELDS` and the writer writes in its order, so a
/// field added here is known to both; every other place that shows a record
/// destructures it whole, and fails to compile until it says what it does
/// with the new field (ARCHITECTURE.md, "Adding a field").
///
/// A record that sits in a field of another (`nested in contact`) is
/// [`Nested`] too.
macro_rules! record {
    (
        $(#[$meta:meta])*
        pub struct $name:ident as $ron:literal nested in $outer:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        record! {
            $(#[$meta])*
            pub struct $name as $ron {
                $( $(#[$fmeta])* pub $field: $ty, )*
            }
        }

        impl Nested for $name {
            const NAME: &'static str = $name::NAME;
            const FIELDS: &'static [&'static str] = $name::FIELDS;
            const FIELD: &'static str = stringify!($outer);
            const PATHS: &'static [&'static str] =
                &[$(concat!(stringify!($outer), ".", stringify!($field))),*];
        }
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident as $ron:literal {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $name {
            /// The record's name in the data files.
            pub const NAME: &'static str = $ron;
            /// Its fields, in the order the canonical layout writes them.
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];
        }

        // The reader keeps a place for each declared field.
        const _: () = assert!($name::FIELDS.len() <= $crate::model::MAX_FIELDS);
    };
}

/// The most fields a record may declare.
pub(crate) const MAX_FIELDS: usize = 32;

#[cfg(test)]
pub(crate) use record;

/// A record that sits in a field of another, as the society's contact does.
pub(crate) trait Nested {
    /// As the record's own `NAME` and `FIELDS`.
    const NAME: &'static str;
    const FIELDS: &'static [&'static str];
    /// The outer record's field that holds it: `contact`.
    const FIELD: &'static str;
    /// Its fields' names as the outer record knows them: `contact.email`,
    /// in the order of its `FIELDS`.
    const PATHS: &'static [&'static str];
}

/// A record's id: lower-case words joined by hyphens, unique among its kind,
/// and the last part of the record's URL.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(pub(crate) String);

impl Id {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An id read from text elsewhere than the data files (the members' access
/// file names people by id): the text must pass [`crate::validate::id`].
impl std::str::FromStr for Id {
    type Err = String;

    fn from_str(text: &str) -> Result<Id, String> {
        crate::validate::id(text).map(|()| Id(text.to_string()))
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::borrow::Borrow<str> for Id {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// The kinds of record in the data: the society's own, and those of the
/// four lists, each kind in a file of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecordKind {
    Society,
    Institution,
    Person,
    Meeting,
    News,
}

impl RecordKind {
    /// The record's name in messages: "person".
    pub fn noun(self) -> &'static str {
        match self {
            RecordKind::Society => "society",
            RecordKind::Institution => "institution",
            RecordKind::Person => "person",
            RecordKind::Meeting => "meeting",
            RecordKind::News => "news item",
        }
    }

    /// The file that holds records of this kind.
    pub fn file(self) -> DataFile {
        match self {
            RecordKind::Society => DataFile::Society,
            RecordKind::Institution => DataFile::Institutions,
            RecordKind::Person => DataFile::People,
            RecordKind::Meeting => DataFile::Meetings,
            RecordKind::News => DataFile::News,
        }
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.noun())
    }
}

/// Who may see a contact detail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Anyone: the website, the public API, public exports.
    Public,
    /// Members only: exports made with `--audience members`.
    Members,
}

/// Who is reading, and so which contact details they may see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Audience {
    Public,
    Members,
}

impl Audience {
    pub fn sees(self, visibility: Visibility) -> bool {
        match (self, visibility) {
            (_, Visibility::Public) => true,
            (Audience::Members, Visibility::Members) => true,
            (Audience::Public, Visibility::Members) => false,
        }
    }
}

/// A contact detail and who may see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Detail {
    pub value: String,
    pub visibility: Visibility,
}

/// A value known to members only by its nature, such as a meeting's venue
/// address. Outside core its text is reached through
/// [`MembersOnly::for_audience`] alone, so no output shows it without saying
/// who reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct MembersOnly(pub(crate) String);

impl MembersOnly {
    /// The text, if this audience may see it.
    pub fn for_audience(&self, audience: Audience) -> Option<&str> {
        audience
            .sees(Visibility::Members)
            .then_some(self.0.as_str())
    }
}

/// A role a person holds in the society.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    SteeringCommittee,
    Chair,
    ViceChair,
    Secretary,
    Treasurer,
    /// Belongs to the society but not to its committee: known to members
    /// only (see [`Person::visibility`]).
    Member,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::SteeringCommittee,
        Role::Chair,
        Role::ViceChair,
        Role::Secretary,
        Role::Treasurer,
        Role::Member,
    ];

    /// Who may know that someone holds this role: the committee and the
    /// society's offices are public, membership alone is not.
    pub fn visibility(self) -> Visibility {
        match self {
            Role::SteeringCommittee
            | Role::Chair
            | Role::ViceChair
            | Role::Secretary
            | Role::Treasurer => Visibility::Public,
            Role::Member => Visibility::Members,
        }
    }

    /// The name in the data files: `SteeringCommittee`.
    pub fn variant(self) -> &'static str {
        match self {
            Role::SteeringCommittee => "SteeringCommittee",
            Role::Chair => "Chair",
            Role::ViceChair => "ViceChair",
            Role::Secretary => "Secretary",
            Role::Treasurer => "Treasurer",
            Role::Member => "Member",
        }
    }

    /// The name on the command line and in JSON: `steering-committee`.
    pub fn slug(self) -> &'static str {
        match self {
            Role::SteeringCommittee => "steering-committee",
            Role::Chair => "chair",
            Role::ViceChair => "vice-chair",
            Role::Secretary => "secretary",
            Role::Treasurer => "treasurer",
            Role::Member => "member",
        }
    }

    /// The name for people to read: "Steering committee".
    pub fn label(self) -> &'static str {
        match self {
            Role::SteeringCommittee => "Steering committee",
            Role::Chair => "Chair",
            Role::ViceChair => "Vice-chair",
            Role::Secretary => "Secretary",
            Role::Treasurer => "Treasurer",
            Role::Member => "Member",
        }
    }

    /// Reads either the slug or the data-file name, ignoring case.
    pub fn parse(text: &str) -> Option<Role> {
        let wanted = text.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        Role::ALL.into_iter().find(|r| {
            r.slug() == wanted || r.variant().to_ascii_lowercase() == wanted.replace('-', "")
        })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

record! {
    /// The initiative the society formalised.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize)]
    pub struct Initiative as "Initiative" nested in initiative {
        pub name: String,
        pub short_name: String,
    }
}

record! {
    /// How to reach the society.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize)]
    pub struct Contact as "Contact" nested in contact {
        /// The person who answers, if the data names one.
        pub person: Option<Id>,
        /// The society's own address; always public.
        pub email: String,
    }
}

record! {
    /// The society itself.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize)]
    pub struct SocietyInfo as "Society" {
        pub id: Id,
        pub name: String,
        pub short_name: String,
        pub initiative: Initiative,
        pub mission_intro: String,
        pub mission: Vec<String>,
        pub mission_outro: String,
        pub background: Vec<String>,
        pub contact: Contact,
        /// Where the website lives, such as `https://nspm.example.org/`; exports
        /// use relative links while it is unset.
        pub base_url: Option<String>,
    }
}

record! {
    /// A university, institute or company that people belong to.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize)]
    pub struct Institution as "Institution" {
        pub id: Id,
        pub name: String,
        /// Other spellings of the name; searches match them too.
        pub aliases: Vec<String>,
        pub country: Country,
        /// The institution's own website, an `http(s)` URL.
        pub web: Option<String>,
    }
}

record! {
    /// A person named in the society's data.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize)]
    pub struct Person as "Person" {
        pub id: Id,
        pub given: String,
        pub family: String,
        /// None when the data gives no institution.
        pub institution: Option<Id>,
        pub country: Country,
        pub roles: Vec<Role>,
        /// What the person does where they work, such as "Professor of
        /// Genetics"; public, like the name.
        pub position: Option<String>,
        pub email: Option<Detail>,
        pub phone: Option<Detail>,
        /// The bare iD, `0000-0002-1825-0097`.
        pub orcid: Option<Detail>,
        pub web: Option<Detail>,
        /// A photo, a file inside the data directory such as
        /// `photos/anna-berg.jpg`; public, like the name.
        pub photo: Option<Photo>,
    }
}

impl Person {
    /// Given name then family name, as the About page writes them.
    pub fn name(&self) -> String {
        [self.given.as_str(), " ", &self.family].concat()
    }

    pub(crate) fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Who may know of this person at all. This is the one rule every
    /// output follows, through [`Person::visible_to`]: someone whose roles
    /// are all members-only (an ordinary member) is known to members only,
    /// with no page, card, API entry, count or map mark in public. A person
    /// with no role at all (the data may name someone for their
    /// institution or as the contact) stays public, as before roles could
    /// be members-only.
    pub fn visibility(&self) -> Visibility {
        let members_only = |r: &Role| r.visibility() == Visibility::Members;
        if !self.roles.is_empty() && self.roles.iter().all(members_only) {
            Visibility::Members
        } else {
            Visibility::Public
        }
    }

    /// Whether this audience may know of this person.
    pub fn visible_to(&self, audience: Audience) -> bool {
        audience.sees(self.visibility())
    }

    /// The roles this audience may know of: a committee member who is also
    /// a member of the society is shown to the public on the committee alone.
    pub fn roles_for(&self, audience: Audience) -> impl Iterator<Item = Role> + '_ {
        self.roles
            .iter()
            .copied()
            .filter(move |r| audience.sees(r.visibility()))
    }

    /// The contact details this audience may see, with their kinds.
    pub fn details(&self, audience: Audience) -> impl Iterator<Item = (DetailKind, &Detail)> {
        // Destructured whole, so that a new field is judged a detail or not.
        let Person {
            id: _,
            given: _,
            family: _,
            institution: _,
            country: _,
            roles: _,
            position: _,
            email,
            phone,
            orcid,
            web,
            // Public always, like the name: not a detail.
            photo: _,
        } = self;
        [
            (DetailKind::Email, email),
            (DetailKind::Phone, phone),
            (DetailKind::Orcid, orcid),
            (DetailKind::Web, web),
        ]
        .into_iter()
        .filter_map(move |(kind, d)| {
            d.as_ref()
                .filter(|d| audience.sees(d.visibility))
                .map(|d| (kind, d))
        })
    }
}

/// The kinds of contact detail a person may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DetailKind {
    Email,
    Phone,
    Orcid,
    Web,
}

impl DetailKind {
    pub fn field(self) -> &'static str {
        match self {
            DetailKind::Email => "email",
            DetailKind::Phone => "phone",
            DetailKind::Orcid => "orcid",
            DetailKind::Web => "web",
        }
    }
}

record! {
    /// A meeting in the society's history.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize)]
    pub struct Meeting as "Meeting" {
        pub id: Id,
        pub title: String,
        /// When it began, as precisely as known.
        pub date: PartialDate,
        /// The last day of a meeting of several days; only with a day-precise date.
        pub end: Option<PartialDate>,
        /// When it starts on its first day, by the clocks of `zone`; only with a
        /// day-precise date, and always with `ends` and `zone`.
        pub starts: Option<TimeOfDay>,
        /// When it ends on its last day (`end`, or else `date`), by the same clocks.
        pub ends: Option<TimeOfDay>,
        /// The IANA time zone its times are read in.
        pub zone: Option<Zone>,
        pub city: Option<String>,
        /// The institution that hosted it, if the data names one.
        pub venue: Option<Id>,
        pub country: Country,
        pub summary: Option<String>,
        /// The street address of the venue, for members on their way there.
        pub venue_address: Option<MembersOnly>,
        /// Where members join online: an http(s) URL.
        pub online_link: Option<MembersOnly>,
        /// Notes for members: the agenda, how to get in.
        pub notes: Option<MembersOnly>,
        /// Rises each time the meeting is changed, so calendars update it.
        pub revision: u32,
        /// When the meeting was last changed, if recorded.
        pub modified: Option<Timestamp>,
    }
}

impl Meeting {
    /// The last day of a meeting known to the day: `end` when it lasted
    /// several days, else its one day. None for a month or a year.
    pub fn last_day(&self) -> Option<(i32, u8, u8)> {
        match (self.date, self.end) {
            (PartialDate::Day(..), Some(PartialDate::Day(y, m, d)))
            | (PartialDate::Day(y, m, d), _) => Some((y, m, d)),
            _ => None,
        }
    }

    /// Whether the meeting is still to come or under way on `today`: its
    /// last day (the last it may be, for a month or a year) is not past.
    /// A `today` known to less than the day counts as its first day.
    pub fn upcoming(&self, today: PartialDate) -> bool {
        let last = match self.end {
            Some(end) if matches!(self.date, PartialDate::Day(..)) => end,
            _ => self.date,
        };
        match (last.days(), today.days()) {
            (Some((_, after)), Some((day, _))) => day < after,
            _ => false,
        }
    }

    /// The moments in UTC when a timed meeting starts and ends; None for a
    /// meeting known only to the day or less.
    pub fn utc_times(&self) -> Option<(Timestamp, Timestamp)> {
        let (PartialDate::Day(y, m, d), Some(starts), Some(ends), Some(zone)) =
            (self.date, self.starts, self.ends, self.zone)
        else {
            return None;
        };
        Some((
            zone.to_utc((y, m, d), starts)?,
            zone.to_utc(self.last_day()?, ends)?,
        ))
    }
}

record! {
    /// An announcement of the society's, dated as precisely as known.
    #[derive(Clone, Debug, PartialEq, Eq, Serialize)]
    pub struct NewsItem as "News" {
        pub id: Id,
        /// When it was announced: a year, a month or a day.
        pub date: PartialDate,
        pub title: String,
        /// The announcement in light Markdown (paragraphs, emphasis, links,
        /// lists); raw HTML in it is shown as text, never as markup.
        pub text: String,
        /// The meetings it tells of, by id.
        pub meetings: Vec<Id>,
    }
}

/// The whole society: its own facts and every record, checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Society {
    pub info: SocietyInfo,
    pub institutions: Vec<Institution>,
    pub people: Vec<Person>,
    pub meetings: Vec<Meeting>,
    /// The announcements, in the data's order (`Society::news_newest_first`
    /// sorts them).
    pub news: Vec<NewsItem>,
    #[serde(skip)]
    pub(crate) index: Index,
    /// The people of each institution, once asked for.
    #[serde(skip)]
    pub(crate) members: MembersOnce,
    /// The files left unread by a partial load: their lists are empty.
    #[serde(skip)]
    pub(crate) skipped: Vec<DataFile>,
}

/// Positions of records by id, built once at load.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Index {
    pub institutions: IdTable,
    pub people: IdTable,
    pub meetings: IdTable,
    pub news: IdTable,
}

impl Index {
    /// An index of records whose ids are known to be unique.
    pub(crate) fn build(
        institutions: &[Institution],
        people: &[Person],
        meetings: &[Meeting],
        news: &[NewsItem],
    ) -> Index {
        fn by_id<T>(items: &[T], id: impl Fn(&T) -> &Id) -> IdTable {
            let mut table = IdTable::with_capacity(items.len());
            let id_of = |i: usize| items.get(i).map(|x| id(x).as_str());
            for (i, item) in items.iter().enumerate() {
                table.insert(id(item).as_str(), i, id_of);
            }
            table
        }
        Index {
            institutions: by_id(institutions, |x| &x.id),
            people: by_id(people, |x| &x.id),
            meetings: by_id(meetings, |x| &x.id),
            news: by_id(news, |x| &x.id),
        }
    }
}

/// The people of every institution: the positions of its people in the
/// society's list, sorted, institution after institution. `query.rs` works
/// them out; [`Society::people_at`] asks for them.
#[derive(Clone, Debug)]
pub(crate) struct Members {
    /// Where each institution's people begin in `people`, by the
    /// institution's position, and where the last one's end.
    pub starts: Vec<usize>,
    pub people: Vec<usize>,
}

impl Members {
    pub(crate) fn of_institution(&self, at: usize) -> &[usize] {
        match (self.starts.get(at), self.starts.get(at + 1)) {
            (Some(&start), Some(&end)) => &self.people[start..end],
            _ => &[],
        }
    }
}

/// The people of each institution, found the first time they are asked for
/// and kept with the society that they come from. Being derived from the
/// records, which societies compare, two are always equal.
#[derive(Clone, Debug, Default)]
pub(crate) struct MembersOnce(pub OnceLock<Members>);

impl PartialEq for MembersOnce {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for MembersOnce {}

impl Society {
    pub fn institution(&self, id: &str) -> Option<&Institution> {
        let list = &self.institutions;
        self.index.institutions.find(list, id, |x| x.id.as_str())
    }

    pub fn person(&self, id: &str) -> Option<&Person> {
        self.index.people.find(&self.people, id, |x| x.id.as_str())
    }

    /// The people this audience may know of, in the data's order. Every
    /// output that lists people starts here or filters by
    /// [`Person::visible_to`], so the public never meets a members-only person.
    pub fn people_for(&self, audience: Audience) -> impl Iterator<Item = &Person> {
        self.people.iter().filter(move |p| p.visible_to(audience))
    }

    /// A person by id, if this audience may know of them: for the public,
    /// a members-only person is as unknown as an id no one has.
    pub fn person_for(&self, id: &str, audience: Audience) -> Option<&Person> {
        self.person(id).filter(|p| p.visible_to(audience))
    }

    pub fn meeting(&self, id: &str) -> Option<&Meeting> {
        self.index
            .meetings
            .find(&self.meetings, id, |x| x.id.as_str())
    }

    pub fn news_item(&self, id: &str) -> Option<&NewsItem> {
        self.index.news.find(&self.news, id, |x| x.id.as_str())
    }

    /// The announcements, the latest first; items of the same date keep
    /// the data's order. A date known to the month sorts as its first day.
    pub fn news_newest_first(&self) -> Vec<&NewsItem> {
        let mut items: Vec<&NewsItem> = self.news.iter().collect();
        items.sort_by_key(|n| std::cmp::Reverse(n.date));
        items
    }

    /// The data files this society was loaded without (see
    /// [`crate::Sources::read_dir_only`]); empty for a full load. Their lists here
    /// are empty whatever the files hold.
    pub fn skipped(&self) -> &[DataFile] {
        &self.skipped
    }

    /// The institution a person belongs to, if any.
    pub fn institution_of(&self, person: &Person) -> Option<&Institution> {
        person
            .institution
            .as_ref()
            .and_then(|id| self.institution(id.as_str()))
    }

    /// The person named as the society's contact, if any.
    pub fn contact_person(&self) -> Option<&Person> {
        self.info
            .contact
            .person
            .as_ref()
            .and_then(|id| self.person(id.as_str()))
    }
}
