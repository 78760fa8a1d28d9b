//! What staff ask for, and how each field they give becomes a value in a
//! record.
//!
//! Values pass through as typed, wherever the checks of [`crate::check`]
//! can judge them in the new text (a date, an email address, a country code
//! that no loose reading recognises); they turn into problems here only when
//! they cannot be written as RON at all (a role that does not exist, a
//! visibility other than public or members) or name a record that does not
//! exist.

use super::refusal::{Refusal, RefusalKind};
use super::write::{Rec, Val};
use crate::file::DataFile;
use crate::model::{Institution, Meeting, NewsItem, Person, RecordKind, Role, Society};
use crate::suggest::Suggestions;
use crate::text::slug;
use crate::{Country, PartialDate};

/// The kinds of record staff add, change and remove.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Person,
    Institution,
    Meeting,
    News,
}

impl Kind {
    /// The kind of record this is.
    pub fn record(self) -> RecordKind {
        match self {
            Kind::Person => RecordKind::Person,
            Kind::Institution => RecordKind::Institution,
            Kind::Meeting => RecordKind::Meeting,
            Kind::News => RecordKind::News,
        }
    }

    /// The record's name in messages: "person".
    pub fn noun(self) -> &'static str {
        self.record().noun()
    }

    pub fn file(self) -> DataFile {
        self.record().file()
    }

    /// The inputs a change may give, in the order front ends list them.
    pub fn inputs(self) -> &'static [Input] {
        match self {
            Kind::Person => PERSON_INPUTS,
            Kind::Institution => INSTITUTION_INPUTS,
            Kind::Meeting => MEETING_INPUTS,
            Kind::News => NEWS_INPUTS,
        }
    }

    /// The names of the inputs: `email`, `email-visibility`. A front end
    /// shows each its own way, the command line as a flag.
    pub fn fields(self) -> impl Iterator<Item = &'static str> {
        self.inputs().iter().map(|i| i.name)
    }

    /// The input that set a record's field: of those that set it, the one
    /// the change gave, else the one named as the field, else the first.
    pub(crate) fn input_for(self, field: &str, given: &[Assign]) -> Option<String> {
        let setting = || self.inputs().iter().filter(|i| i.sets.contains(&field));
        let input = setting()
            .find(|i| given.iter().any(|a| a.field == i.name))
            .or_else(|| setting().find(|i| i.name == field))
            .or_else(|| setting().next())?;
        Some(input.name.to_string())
    }

    /// The record's fields that no input sets, since the change itself does:
    /// a meeting's revision and the time it was changed.
    #[cfg(test)]
    pub(crate) fn automatic(self) -> &'static [&'static str] {
        match self {
            Kind::Meeting => &["revision", "modified"],
            Kind::Person | Kind::Institution | Kind::News => &[],
        }
    }
}

/// One input of a change, and the fields of the record it sets. Every field
/// of a record is set by an input or by the change itself
/// (`Kind::automatic`); a test holds the tables below to the records'
/// declarations, and to what each input does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Input {
    /// Its name, such as `email-visibility`.
    pub name: &'static str,
    /// The fields it sets.
    pub sets: &'static [&'static str],
    /// True when it may be given more than once, each time adding an item.
    pub repeats: bool,
}

const fn input(name: &'static str, sets: &'static [&'static str]) -> Input {
    Input {
        name,
        sets,
        repeats: false,
    }
}

const fn repeating(name: &'static str, sets: &'static [&'static str]) -> Input {
    Input {
        repeats: true,
        ..input(name, sets)
    }
}

const PERSON_INPUTS: &[Input] = &[
    input("id", &["id"]),
    // Given and family name at once, split at the last space.
    input("name", &["given", "family"]),
    input("given", &["given"]),
    input("family", &["family"]),
    input("institution", &["institution"]),
    input("country", &["country"]),
    repeating("role", &["roles"]),
    input("position", &["position"]),
    input("email", &["email"]),
    input("email-visibility", &["email"]),
    input("phone", &["phone"]),
    input("phone-visibility", &["phone"]),
    input("orcid", &["orcid"]),
    input("orcid-visibility", &["orcid"]),
    input("web", &["web"]),
    input("web-visibility", &["web"]),
    // A path inside the data directory; the file must be there.
    input("photo", &["photo"]),
];

const INSTITUTION_INPUTS: &[Input] = &[
    input("id", &["id"]),
    input("name", &["name"]),
    repeating("alias", &["aliases"]),
    input("country", &["country"]),
    input("web", &["web"]),
];

const MEETING_INPUTS: &[Input] = &[
    input("id", &["id"]),
    input("title", &["title"]),
    input("date", &["date"]),
    input("end", &["end"]),
    input("starts", &["starts"]),
    input("ends", &["ends"]),
    input("zone", &["zone"]),
    input("city", &["city"]),
    input("venue", &["venue"]),
    input("country", &["country"]),
    input("summary", &["summary"]),
    input("venue-address", &["venue_address"]),
    input("online-link", &["online_link"]),
    input("notes", &["notes"]),
];

const NEWS_INPUTS: &[Input] = &[
    input("id", &["id"]),
    input("date", &["date"]),
    input("title", &["title"]),
    input("text", &["text"]),
    repeating("meeting", &["meetings"]),
];

/// One field as given: `--email kari@example.org` is `("email",
/// "kari@example.org")`. An empty value clears an optional field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assign {
    pub field: String,
    pub value: String,
}

impl Assign {
    pub fn new(field: impl Into<String>, value: impl Into<String>) -> Assign {
        Assign {
            field: field.into(),
            value: value.into(),
        }
    }
}

/// A change to one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A new record; its id is made from its name unless `id` is given.
    Add {
        kind: Kind,
        fields: Vec<Assign>,
    },
    Edit {
        kind: Kind,
        id: String,
        fields: Vec<Assign>,
    },
    Remove {
        kind: Kind,
        id: String,
    },
}

impl Change {
    /// The photo files a change names, by their paths inside the data
    /// directory: a front end reads them into the sources
    /// ([`crate::Sources::read_photos`]) before the change is checked.
    pub fn photos(&self) -> impl Iterator<Item = &str> {
        let fields = match self {
            Change::Add { fields, .. } | Change::Edit { fields, .. } => fields.as_slice(),
            Change::Remove { .. } => &[],
        };
        fields
            .iter()
            .filter(|a| a.field == "photo")
            .map(|a| a.value.trim())
            .filter(|v| !v.is_empty())
    }

    pub fn kind(&self) -> Kind {
        match self {
            Change::Add { kind, .. } | Change::Edit { kind, .. } | Change::Remove { kind, .. } => {
                *kind
            }
        }
    }
}

/// The fields of one change, checked for names and repeats, with the
/// problems found on the way.
pub(crate) struct Given<'a> {
    kind: Kind,
    assigns: &'a [Assign],
    pub problems: Vec<Refusal>,
}

impl<'a> Given<'a> {
    pub(crate) fn new(kind: Kind, assigns: &'a [Assign]) -> Given<'a> {
        let mut problems = Vec::new();
        for (i, a) in assigns.iter().enumerate() {
            match kind.inputs().iter().find(|k| k.name == a.field) {
                None => {
                    let suggestion = Suggestions::new(kind.fields()).best(&a.field);
                    let problem = RefusalKind::UnknownField { suggestion };
                    problems.push(Refusal::new(kind, &a.field, problem));
                }
                Some(k) if !k.repeats && assigns[..i].iter().any(|b| b.field == a.field) => {
                    problems.push(Refusal::new(kind, &a.field, RefusalKind::GivenTwice));
                }
                Some(_) => {}
            }
        }
        Given {
            kind,
            assigns,
            problems,
        }
    }

    fn get(&self, field: &str) -> Option<&'a str> {
        self.assigns
            .iter()
            .find(|a| a.field == field)
            .map(|a| a.value.trim())
    }

    fn all(&self, field: &str) -> Option<Vec<&'a str>> {
        let values: Vec<&str> = self
            .assigns
            .iter()
            .filter(|a| a.field == field)
            .map(|a| a.value.trim())
            .filter(|v| !v.is_empty())
            .collect();
        self.assigns
            .iter()
            .any(|a| a.field == field)
            .then_some(values)
    }

    pub(crate) fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    pub(crate) fn refuse(&mut self, field: &str, kind: RefusalKind) {
        self.problems.push(Refusal::new(self.kind, field, kind));
    }

    /// Sets the fields given onto `rec`, a copy of the record being edited
    /// or an empty one being added.
    pub(crate) fn apply(&mut self, rec: &mut Rec, society: &Society, adding: bool) {
        match self.kind {
            Kind::Person => self.person(rec, society, adding),
            Kind::Institution => self.institution(rec, adding),
            Kind::Meeting => self.meeting(rec, society, adding),
            Kind::News => self.news(rec, adding),
        }
    }

    fn text(&self, rec: &mut Rec, field: &'static str, flag: &str) {
        if let Some(v) = self.get(flag) {
            rec.set(field, Some(Val::str(v)));
        }
    }

    /// An optional text: `Some("…")`, or left out when given empty.
    fn optional(&self, rec: &mut Rec, field: &'static str) {
        self.optional_from(rec, field, field);
    }

    /// As [`Given::optional`], for an input named apart from its field
    /// (`venue-address` sets `venue_address`).
    fn optional_from(&self, rec: &mut Rec, input: &str, field: &'static str) {
        if let Some(v) = self.get(input) {
            rec.set(field, (!v.is_empty()).then(|| Val::some(Val::str(v))));
        }
    }

    fn country(&mut self, rec: &mut Rec, adding: bool, fallback: Option<Country>) {
        let code = match self.get("country") {
            // A name or a lower-case code is read as people mean it; what no
            // reading recognises goes in as typed, for the check to explain.
            Some(v) => Country::parse_loose(v).map_or_else(|| v.to_string(), |c| c.code().into()),
            None if adding => match fallback {
                Some(c) => c.code().to_string(),
                None => {
                    let from = if self.kind == Kind::Meeting {
                        "venue"
                    } else {
                        "institution"
                    };
                    self.refuse("country", RefusalKind::CountryNeeded { from });
                    return;
                }
            },
            None => return,
        };
        rec.set("country", Some(Val::Str(code)));
    }

    fn required(&mut self, flags: &[&str]) {
        for flag in flags {
            if !self.has(flag) {
                self.refuse(flag, RefusalKind::Needed);
            }
        }
    }

    /// An institution named by id, name or alias; None when given empty.
    fn institution_ref(&mut self, society: &Society, flag: &str) -> Option<Option<Val>> {
        let v = self.get(flag)?;
        if v.is_empty() {
            return Some(None);
        }
        match society.resolve_institution(v) {
            Ok(i) => Some(Some(Val::Str(i.id.to_string()))),
            Err(e) => {
                self.refuse(flag, RefusalKind::NoSuchInstitution(e));
                None
            }
        }
    }

    fn person(&mut self, rec: &mut Rec, society: &Society, adding: bool) {
        if let Some(name) = self.get("name") {
            match name.rsplit_once(char::is_whitespace) {
                Some((given, family)) => {
                    rec.set("given", Some(Val::str(given.trim())));
                    rec.set("family", Some(Val::str(family)));
                }
                None if self.has("given") && self.has("family") => {}
                None => self.refuse(
                    "name",
                    RefusalKind::Unsplit {
                        name: name.to_string(),
                    },
                ),
            }
        }
        self.text(rec, "given", "given");
        self.text(rec, "family", "family");
        if adding && !self.has("name") {
            self.required(&["given", "family"]);
        }
        let institution = self.institution_ref(society, "institution");
        if let Some(value) = &institution {
            rec.set(
                "institution",
                Some(value.clone().map_or(Val::Ident("None"), Val::some)),
            );
        } else if adding {
            rec.set("institution", Some(Val::Ident("None")));
        }
        let fallback = match &institution {
            Some(Some(Val::Str(id))) => society.institution(id).map(|i| i.country),
            _ => None,
        };
        self.country(rec, adding, fallback);
        if let Some(roles) = self.all("role") {
            let mut list = Vec::new();
            for text in roles {
                match Role::parse(text) {
                    Some(r) if !list.contains(&Val::Ident(r.variant())) => {
                        list.push(Val::Ident(r.variant()));
                    }
                    Some(_) => {}
                    None => self.refuse(
                        "role",
                        RefusalKind::UnknownRole {
                            text: text.to_string(),
                        },
                    ),
                }
            }
            rec.set("roles", (!list.is_empty()).then_some(Val::List(list)));
        }
        self.optional(rec, "position");
        for field in ["email", "phone", "orcid", "web"] {
            self.detail(rec, field);
        }
        self.optional(rec, "photo");
    }

    /// A contact detail and who may see it. A new detail is for members
    /// only unless `--…-visibility public` says otherwise: nothing becomes
    /// public by accident.
    fn detail(&mut self, rec: &mut Rec, field: &'static str) {
        let flag = format!("{field}-visibility");
        let visibility = match self.get(&flag) {
            None => None,
            Some(v) => match v.to_ascii_lowercase().as_str() {
                "public" => Some("Public"),
                "members" => Some("Members"),
                _ => {
                    let text = v.to_string();
                    self.refuse(&flag, RefusalKind::NotVisibility { text });
                    return;
                }
            },
        };
        let current = match rec.get(field) {
            Some(Val::Wrap(_, inner)) => match inner.as_ref() {
                Val::Wrap(who, value) => Some((*who, value.as_ref().clone())),
                _ => None,
            },
            _ => None,
        };
        let value = match (self.get(field), current) {
            (Some(""), _) => {
                if visibility.is_some() {
                    let problem = RefusalKind::VisibilityWhileClearing { detail: field };
                    self.refuse(&flag, problem);
                }
                rec.set(field, None);
                return;
            }
            (Some(v), Some((who, _))) => (visibility.unwrap_or(who), Val::str(v)),
            (Some(v), None) => (visibility.unwrap_or("Members"), Val::str(v)),
            (None, Some((who, old))) => (visibility.unwrap_or(who), old),
            (None, None) => {
                if visibility.is_some() {
                    let problem = RefusalKind::VisibilityWithoutDetail { detail: field };
                    self.refuse(&flag, problem);
                }
                return;
            }
        };
        let (who, value) = value;
        rec.set(field, Some(Val::some(Val::Wrap(who, Box::new(value)))));
    }

    fn institution(&mut self, rec: &mut Rec, adding: bool) {
        if adding {
            self.required(&["name"]);
        }
        self.text(rec, "name", "name");
        if let Some(aliases) = self.all("alias") {
            let list: Vec<Val> = aliases.into_iter().map(Val::str).collect();
            rec.set("aliases", (!list.is_empty()).then_some(Val::List(list)));
        }
        self.country(rec, adding, None);
        self.optional(rec, "web");
    }

    fn meeting(&mut self, rec: &mut Rec, society: &Society, adding: bool) {
        if adding {
            self.required(&["title", "date"]);
        }
        self.text(rec, "title", "title");
        self.text(rec, "date", "date");
        self.optional(rec, "end");
        self.optional(rec, "starts");
        self.optional(rec, "ends");
        self.optional(rec, "zone");
        self.optional(rec, "city");
        let venue = self.institution_ref(society, "venue");
        if let Some(value) = &venue {
            rec.set("venue", value.clone().map(Val::some));
        }
        let fallback = match &venue {
            Some(Some(Val::Str(id))) => society.institution(id).map(|i| i.country),
            _ => None,
        };
        self.country(rec, adding, fallback);
        self.optional(rec, "summary");
        self.optional_from(rec, "venue-address", "venue_address");
        self.optional_from(rec, "online-link", "online_link");
        self.optional(rec, "notes");
    }

    /// An announcement. The meetings go in by id as given: the check
    /// names one that no meeting has, with the closest that one has.
    fn news(&mut self, rec: &mut Rec, adding: bool) {
        if adding {
            self.required(&["date", "title", "text"]);
        }
        self.text(rec, "date", "date");
        self.text(rec, "title", "title");
        self.text(rec, "text", "text");
        if let Some(meetings) = self.all("meeting") {
            let mut list = Vec::new();
            for id in meetings {
                if !list.contains(&Val::str(id)) {
                    list.push(Val::str(id));
                }
            }
            rec.set("meetings", (!list.is_empty()).then_some(Val::List(list)));
        }
    }

    /// The id for a new record: the one given, or one made from its name
    /// that no record of its kind has yet.
    pub(crate) fn new_id(&mut self, rec: &Rec, society: &Society) -> Option<String> {
        if let Some(id) = self.get("id") {
            return Some(id.to_string());
        }
        let text = |field: &str| match rec.get(field) {
            Some(Val::Str(s)) => Some(s.clone()),
            Some(Val::Wrap(_, inner)) => match inner.as_ref() {
                Val::Str(s) => Some(s.clone()),
                _ => None,
            },
            _ => None,
        };
        let base = match self.kind {
            Kind::Person => format!(
                "{} {}",
                text("given").unwrap_or_default(),
                text("family").unwrap_or_default()
            ),
            Kind::Institution => text("name").unwrap_or_default(),
            // An announcement is named by its title.
            Kind::News => text("title").unwrap_or_default(),
            // Meetings are named by place and year, as `oslo-2016` is.
            Kind::Meeting => {
                let place = text("city").or_else(|| text("title")).unwrap_or_default();
                // A date the check will refuse still names its year, so
                // the refusal can name the meeting as it would be.
                let year = text("date").and_then(|d| match PartialDate::parse(&d) {
                    Ok(date) => Some(date.year().to_string()),
                    Err(_) => d
                        .get(..4)
                        .filter(|y| y.bytes().all(|b| b.is_ascii_digit()))
                        .map(str::to_string),
                });
                match year {
                    Some(year) => format!("{place} {year}"),
                    None => place,
                }
            }
        };
        let base = slug(&base);
        if base.is_empty() {
            if self.problems.is_empty() {
                self.refuse("id", RefusalKind::NoId);
            }
            return None;
        }
        let taken = |id: &str| match self.kind {
            Kind::Person => society.person(id).is_some(),
            Kind::Institution => society.institution(id).is_some(),
            Kind::Meeting => society.meeting(id).is_some(),
            Kind::News => society.news_item(id).is_some(),
        };
        let mut id = base.clone();
        let mut n = 2;
        while taken(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        Some(id)
    }
}

/// An empty record of this kind, to be filled by a [`Given`].
pub(crate) fn empty(kind: Kind) -> Rec {
    match kind {
        Kind::Person => Rec::new(Person::NAME, Person::FIELDS),
        Kind::Institution => Rec::new(Institution::NAME, Institution::FIELDS),
        Kind::Meeting => Rec::new(Meeting::NAME, Meeting::FIELDS),
        Kind::News => Rec::new(NewsItem::NAME, NewsItem::FIELDS),
    }
}
