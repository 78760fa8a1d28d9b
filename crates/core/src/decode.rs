//! From the RON tree to typed records, with a diagnostic for every problem.
//!
//! Each file is decoded on its own. A record with a problem is reported and
//! left out, and decoding goes on, so that one run lists every problem.
//! What needs the whole society (duplicate ids, references) is checked later
//! in [`crate::load`], from the spans kept here.

use std::borrow::Cow;
use std::cell::OnceCell;

use rayon::iter::{IntoParallelRefIterator as _, ParallelIterator as _};

use crate::country::Country;
use crate::date::{PartialDate, Timestamp};
use crate::diagnostic::{Diagnostic, DiagnosticKind, LineIndex};
use crate::model::{
    Contact, Detail, Id, Initiative, Institution, Meeting, MembersOnly, Nested, Person, RecordKind,
    Role, SocietyInfo, Visibility,
};
use crate::query::Suggestions;
use crate::syntax::{self, Field, Node, PartEnd, Span, Value};
use crate::time::{Local, TimeOfDay, Zone};
use crate::validate;

/// Where a record and its fields stood in its file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// The whole record, from its name to its closing parenthesis.
    pub span: Span,
    /// Each field's value.
    pub fields: Vec<(&'static str, Span)>,
}

impl Origin {
    pub fn field(&self, name: &str) -> Option<Span> {
        self.fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, s)| s)
    }
}

/// A record as read from a file: the value when it was sound, and what could
/// be read of its id in any case.
#[derive(Debug)]
pub(crate) struct Decoded<'s, T> {
    pub value: Option<T>,
    /// Borrowed from the file's text unless it held an escape.
    pub id: Option<Cow<'s, str>>,
    pub origin: Origin,
}

/// A problem in a value: where, and what.
#[derive(Debug)]
pub(crate) struct Problem {
    pub span: Span,
    pub kind: DiagnosticKind,
    pub message: String,
}

type Conv<T> = Result<T, Problem>;

/// A value that breaks a rule of its field.
fn problem(node: &Node<'_>, message: impl Into<String>) -> Problem {
    Problem {
        span: node.span,
        kind: DiagnosticKind::InvalidValue,
        message: message.into(),
    }
}

/// A value of another shape than its field takes.
fn wrong_type(node: &Node<'_>, message: impl Into<String>) -> Problem {
    Problem {
        kind: DiagnosticKind::WrongType,
        ..problem(node, message)
    }
}

/// One file being decoded: its text, and where its diagnostics go.
pub(crate) struct FileCx<'a> {
    path: &'a str,
    text: &'a str,
    /// Where lines start, counted only once a problem needs it: sound data,
    /// the common case, never pays for it (a large file has a million lines).
    lines: OnceCell<LineIndex<'a>>,
    pub diagnostics: &'a mut Vec<Diagnostic>,
}

impl<'a> FileCx<'a> {
    pub(crate) fn new(path: &'a str, text: &'a str, diagnostics: &'a mut Vec<Diagnostic>) -> Self {
        FileCx {
            path,
            text,
            lines: OnceCell::new(),
            diagnostics,
        }
    }

    pub(crate) fn report(
        &mut self,
        offset: usize,
        context: Option<String>,
        kind: DiagnosticKind,
        message: String,
    ) {
        let (line, column) = self
            .lines
            .get_or_init(|| LineIndex::new(self.text))
            .position(offset);
        self.diagnostics.push(Diagnostic {
            file: self.path.to_string(),
            line,
            column,
            context,
            kind,
            message,
        });
    }
}

/// A struct record being read field by field.
struct Record<'c, 'a, 's> {
    cx: &'c mut FileCx<'a>,
    /// What the record is, such as "person"; with the id, it names the
    /// record in messages. Kept apart so that the name is only written out
    /// when there is a problem to report.
    kind: &'c str,
    id: Option<Cow<'s, str>>,
    span: Span,
    fields: Vec<Option<Field<'s>>>,
    /// The names the record's declaration gives its fields.
    known: &'static [&'static str],
    origin: Origin,
    sound: bool,
}

impl<'c, 'a, 's> Record<'c, 'a, 's> {
    /// Opens `Name(field: …, …)`, reporting a wrong name, unknown fields and
    /// fields given twice. `kind` names the record in messages ("person").
    fn open(
        cx: &'c mut FileCx<'a>,
        node: Node<'s>,
        type_name: &str,
        kind: &'c str,
        known: &'static [&'static str],
    ) -> Result<Self, Span> {
        let span = node.span;
        let fields = match node.value {
            Value::Struct { name, fields } if name.is_none_or(|n| n == type_name) => fields,
            Value::Struct { name: Some(n), .. } | Value::Tuple { name: Some(n), .. } => {
                cx.report(
                    span.start,
                    None,
                    DiagnosticKind::WrongRecord,
                    format!("expected a {type_name}(…) record, found `{n}`"),
                );
                return Err(span);
            }
            other => {
                cx.report(
                    span.start,
                    None,
                    DiagnosticKind::WrongRecord,
                    format!(
                        "expected a {type_name}(…) record with named fields, found {}",
                        other.kind()
                    ),
                );
                return Err(span);
            }
        };
        // Messages name the record by its id when it has a readable one.
        let id = fields
            .iter()
            .find(|f| f.name == "id")
            .and_then(|f| match &f.value.value {
                Value::Str(s) => Some(s.clone()),
                _ => None,
            });
        let mut record = Record {
            cx,
            kind,
            id,
            span,
            fields: Vec::with_capacity(fields.len()),
            known,
            origin: Origin {
                span,
                fields: Vec::with_capacity(fields.len()),
            },
            sound: true,
        };
        for field in fields {
            if !known.contains(&field.name) {
                let hint = Suggestions::new(known.iter().copied())
                    .best(field.name)
                    .map(|k| format!("; did you mean `{k}`?"))
                    .unwrap_or_else(|| format!("; expected one of: {}", known.join(", ")));
                let message = format!("unknown field `{}`{hint}", field.name);
                let kind = DiagnosticKind::UnknownField;
                record.report_at(field.name_span.start, None, kind, message);
            } else if record.fields.iter().flatten().any(|f| f.name == field.name) {
                let message = format!("field `{}` is given twice", field.name);
                let kind = DiagnosticKind::RepeatedField;
                record.report_at(field.name_span.start, None, kind, message);
            } else {
                record.fields.push(Some(field));
            }
        }
        Ok(record)
    }

    /// The record as messages name it: `person "kari-stefansson"`.
    fn label(&self) -> String {
        match &self.id {
            Some(id) => format!("{} \"{id}\"", self.kind),
            None => self.kind.to_string(),
        }
    }

    fn report_at(
        &mut self,
        offset: usize,
        field: Option<&str>,
        kind: DiagnosticKind,
        message: String,
    ) {
        self.sound = false;
        let context = match field {
            Some(f) => format!("{}, field `{f}`", self.label()),
            None => self.label(),
        };
        self.cx.report(offset, Some(context), kind, message);
    }

    fn take(&mut self, name: &'static str) -> Option<Node<'s>> {
        // A name the declaration does not give would never be found.
        debug_assert!(self.known.contains(&name), "`{name}` is not declared");
        let slot = self
            .fields
            .iter_mut()
            .find(|f| f.as_ref().is_some_and(|f| f.name == name))?;
        let field = slot.take()?;
        self.origin.fields.push((name, field.value.span));
        Some(field.value)
    }

    fn convert<T>(
        &mut self,
        name: &'static str,
        node: &Node<'s>,
        conv: impl FnOnce(&Node<'s>) -> Conv<T>,
    ) -> Option<T> {
        match conv(node) {
            Ok(v) => Some(v),
            Err(p) => {
                self.report_at(p.span.start, Some(name), p.kind, p.message);
                None
            }
        }
    }

    /// A field that must be there.
    fn required<T>(
        &mut self,
        name: &'static str,
        conv: impl FnOnce(&Node<'s>) -> Conv<T>,
    ) -> Option<T> {
        match self.take(name) {
            Some(node) => self.convert(name, &node, conv),
            None => {
                self.missing(name);
                None
            }
        }
    }

    fn missing(&mut self, name: &str) {
        let start = self.span.start;
        let message = format!("missing field `{name}`");
        self.report_at(start, None, DiagnosticKind::MissingField, message);
    }

    /// A field that may be left out; `default` stands in for it then.
    fn optional<T>(
        &mut self,
        name: &'static str,
        default: T,
        conv: impl FnOnce(&Node<'s>) -> Conv<T>,
    ) -> Option<T> {
        match self.take(name) {
            Some(node) => self.convert(name, &node, conv),
            None => Some(default),
        }
    }

    fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Decoded<'s, T> {
        let id = self.id;
        let value = if self.sound { build() } else { None };
        Decoded {
            value,
            id,
            origin: self.origin,
        }
    }
}

// Value converters: each turns one node into one typed value or a problem.

fn string(node: &Node<'_>) -> Conv<String> {
    match &node.value {
        Value::Str(s) => Ok(s.to_string()),
        other => Err(wrong_type(
            node,
            format!("expected a string, found {}", other.kind()),
        )),
    }
}

/// A string that must say something: not empty, not only white space.
fn text(node: &Node<'_>) -> Conv<String> {
    let s = string(node)?;
    if s.trim().is_empty() {
        return Err(problem(node, "must not be empty"));
    }
    Ok(s)
}

/// Text shown as one line: a name or a title, with no line breaks.
fn line(node: &Node<'_>) -> Conv<String> {
    let s = text(node)?;
    if s.chars().any(|c| c.is_control()) {
        return Err(problem(
            node,
            "must be one line, without line breaks or control characters",
        ));
    }
    Ok(s)
}

fn checked(node: &Node<'_>, check: fn(&str) -> Result<(), String>) -> Conv<String> {
    let s = string(node)?;
    check(&s).map_err(|m| problem(node, m))?;
    Ok(s)
}

/// A link that calendar apps and browsers open: an http(s) URL.
fn link(node: &Node<'_>) -> Conv<String> {
    checked(node, validate::web_url)
}

fn id_value(node: &Node<'_>) -> Conv<Id> {
    checked(node, validate::id).map(Id)
}

fn option<'s, T>(node: &Node<'s>, inner: impl FnOnce(&Node<'s>) -> Conv<T>) -> Conv<Option<T>> {
    match &node.value {
        Value::Ident("None") => Ok(None),
        Value::Tuple {
            name: Some("Some"),
            items,
        } if items.len() == 1 => inner(&items[0]).map(Some),
        other => Err(wrong_type(
            node,
            format!("expected `None` or `Some(…)`, found {}", other.kind()),
        )),
    }
}

fn list<'s, T>(node: &Node<'s>, mut inner: impl FnMut(&Node<'s>) -> Conv<T>) -> Conv<Vec<T>> {
    match &node.value {
        Value::List(items) => items.iter().map(&mut inner).collect(),
        other => Err(wrong_type(
            node,
            format!("expected a list `[…]`, found {}", other.kind()),
        )),
    }
}

fn country_value(node: &Node<'_>) -> Conv<Country> {
    let code = string(node)?;
    Country::from_code(&code).ok_or_else(|| {
        let hint = match Country::from_code(&code.to_ascii_uppercase()) {
            Some(c) => format!("; write it in capitals: \"{}\"", c.code()),
            None => match Country::parse_loose(&code) {
                Some(c) => format!("; {} is \"{}\"", c.name(), c.code()),
                None => "; use an ISO 3166-1 alpha-2 code such as \"NO\"".to_string(),
            },
        };
        problem(node, format!("unknown country code \"{code}\"{hint}"))
    })
}

fn date_value(node: &Node<'_>) -> Conv<PartialDate> {
    let s = string(node)?;
    PartialDate::parse(&s).map_err(|m| problem(node, m))
}

fn timestamp(node: &Node<'_>) -> Conv<Timestamp> {
    let s = string(node)?;
    Timestamp::parse(&s).map_err(|m| problem(node, m))
}

fn time_of_day(node: &Node<'_>) -> Conv<TimeOfDay> {
    let s = string(node)?;
    TimeOfDay::parse(&s).map_err(|m| problem(node, m))
}

fn zone_value(node: &Node<'_>) -> Conv<Zone> {
    let s = string(node)?;
    Zone::parse(&s).map_err(|m| problem(node, m))
}

fn revision_value(node: &Node<'_>) -> Conv<u32> {
    match node.value {
        Value::Int(n) if (0..=i128::from(u32::MAX)).contains(&n) => Ok(n as u32),
        ref other => Err(wrong_type(
            node,
            format!("expected a whole number from 0 up, found {}", other.kind()),
        )),
    }
}

fn role(node: &Node<'_>) -> Conv<Role> {
    let names = || Role::ALL.map(Role::variant).join(", ");
    match &node.value {
        Value::Ident(name) => Role::ALL
            .into_iter()
            .find(|r| r.variant() == *name)
            .ok_or_else(|| {
                problem(
                    node,
                    format!("unknown role `{name}`; expected one of: {}", names()),
                )
            }),
        other => Err(wrong_type(
            node,
            format!(
                "expected a role such as `SteeringCommittee`, found {}",
                other.kind()
            ),
        )),
    }
}

/// `Public("…")` or `Members("…")`, the value passing `check`.
fn detail(node: &Node<'_>, check: fn(&str) -> Result<(), String>) -> Conv<Detail> {
    let (visibility, items) = match &node.value {
        Value::Tuple {
            name: Some("Public"),
            items,
        } => (Visibility::Public, items),
        Value::Tuple {
            name: Some("Members"),
            items,
        } => (Visibility::Members, items),
        other => {
            return Err(wrong_type(
                node,
                format!(
                    "expected `Public(\"…\")` or `Members(\"…\")` to say who may see it, found {}",
                    other.kind()
                ),
            ));
        }
    };
    let [value] = items.as_slice() else {
        return Err(wrong_type(
            node,
            "expected exactly one value inside the parentheses",
        ));
    };
    let text = checked(value, check)?;
    Ok(Detail {
        value: text,
        visibility,
    })
}

fn orcid_check(text: &str) -> Result<(), String> {
    validate::orcid(text)
}

// Records.

pub(crate) fn society<'s>(cx: &mut FileCx<'_>, node: Node<'s>) -> Decoded<'s, SocietyInfo> {
    let kind = RecordKind::Society.noun();
    let mut r = match Record::open(cx, node, SocietyInfo::NAME, kind, SocietyInfo::FIELDS) {
        Ok(r) => r,
        Err(span) => return failed(span),
    };
    let id = r.required("id", id_value);
    let name = r.required("name", line);
    let short_name = r.required("short_name", line);
    let initiative = nested(&mut r, initiative_record);
    let mission_intro = r.required("mission_intro", text);
    let mission = r.required("mission", |n| list(n, text));
    let mission_outro = r.required("mission_outro", text);
    let background = r.required("background", |n| list(n, text));
    let contact = nested(&mut r, contact_record);
    let base_url = r.optional("base_url", None, |n| {
        option(n, |n| checked(n, validate::web_url)).map(|u| {
            u.map(|mut u| {
                if !u.ends_with('/') {
                    u.push('/');
                }
                u
            })
        })
    });
    // Missing nested records are reported after the other fields.
    for field in [Initiative::FIELD, Contact::FIELD] {
        if r.origin.field(field).is_none() {
            r.missing(field);
        }
    }
    r.finish(|| {
        Some(SocietyInfo {
            id: id?,
            name: name?,
            short_name: short_name?,
            initiative: initiative?,
            mission_intro: mission_intro?,
            mission: mission?,
            mission_outro: mission_outro?,
            background: background?,
            contact: contact?,
            base_url: base_url?,
        })
    })
}

/// Reads the record nested in a field of another, reporting through the
/// outer record so that a problem marks it unsound. None when it is
/// missing too, which the caller reports.
fn nested<'s, T: Nested>(
    outer: &mut Record<'_, '_, 's>,
    read: fn(&mut Record<'_, '_, 's>) -> Option<T>,
) -> Option<T> {
    let field = T::FIELD;
    let node = outer.take(field)?;
    let label = format!("{}, field `{field}`", outer.label());
    let before = outer.cx.diagnostics.len();
    let mut inner = match Record::open(outer.cx, node, T::NAME, &label, T::FIELDS) {
        Ok(r) => r,
        Err(_) => {
            outer.sound = false;
            return None;
        }
    };
    // Past its opening, a nested record is named by the outer one's label
    // alone, even when it carries a stray `id` field.
    inner.id = None;
    let value = read(&mut inner);
    let sound = inner.sound;
    outer
        .origin
        .fields
        .extend(inner.origin.fields.iter().map(|&(n, s)| {
            // The inner record knows its fields by their declared names, which
            // PATHS gives in the same order.
            let at = T::FIELDS.iter().position(|f| *f == n).unwrap_or_default();
            (T::PATHS[at], s)
        }));
    if !sound || outer.cx.diagnostics.len() > before {
        outer.sound = false;
        return None;
    }
    value
}

fn initiative_record(r: &mut Record<'_, '_, '_>) -> Option<Initiative> {
    let name = r.required("name", line);
    let short_name = r.required("short_name", line);
    Some(Initiative {
        name: name?,
        short_name: short_name?,
    })
}

fn contact_record(r: &mut Record<'_, '_, '_>) -> Option<Contact> {
    let person = r.optional("person", None, |n| option(n, id_value));
    let email = r.required("email", |n| checked(n, validate::email));
    Some(Contact {
        person: person?,
        email: email?,
    })
}

fn failed<'s, T>(span: Span) -> Decoded<'s, T> {
    Decoded {
        value: None,
        id: None,
        origin: Origin {
            span,
            fields: Vec::new(),
        },
    }
}

pub(crate) fn institution<'s>(cx: &mut FileCx<'_>, node: Node<'s>) -> Decoded<'s, Institution> {
    let kind = RecordKind::Institution.noun();
    let mut r = match Record::open(cx, node, Institution::NAME, kind, Institution::FIELDS) {
        Ok(r) => r,
        Err(span) => return failed(span),
    };
    let id = r.required("id", id_value);
    let name = r.required("name", line);
    let aliases = r.optional("aliases", Vec::new(), |n| list(n, line));
    let country = r.required("country", country_value);
    r.finish(|| {
        Some(Institution {
            id: id?,
            name: name?,
            aliases: aliases?,
            country: country?,
        })
    })
}

pub(crate) fn person<'s>(cx: &mut FileCx<'_>, node: Node<'s>) -> Decoded<'s, Person> {
    let kind = RecordKind::Person.noun();
    let mut r = match Record::open(cx, node, Person::NAME, kind, Person::FIELDS) {
        Ok(r) => r,
        Err(span) => return failed(span),
    };
    let id = r.required("id", id_value);
    let given = r.required("given", line);
    let family = r.required("family", line);
    let institution = r.required("institution", |n| option(n, id_value));
    let country = r.required("country", country_value);
    let roles = r.optional("roles", Vec::new(), |n| list(n, role));
    let email = r.optional("email", None, |n| option(n, |n| detail(n, validate::email)));
    let phone = r.optional("phone", None, |n| option(n, |n| detail(n, validate::phone)));
    let orcid = r.optional("orcid", None, |n| {
        option(n, |n| {
            detail(n, orcid_check).map(|mut d| {
                // Only a URL form needs a new string; a bare iD stays as read.
                let bare = validate::orcid_digits(&d.value);
                if bare.len() != d.value.len() {
                    d.value = bare.to_string();
                }
                d
            })
        })
    });
    let web = r.optional("web", None, |n| option(n, |n| detail(n, validate::web_url)));
    r.finish(|| {
        Some(Person {
            id: id?,
            given: given?,
            family: family?,
            institution: institution?,
            country: country?,
            roles: roles?,
            email: email?,
            phone: phone?,
            orcid: orcid?,
            web: web?,
        })
    })
}

pub(crate) fn meeting<'s>(cx: &mut FileCx<'_>, node: Node<'s>) -> Decoded<'s, Meeting> {
    let kind = RecordKind::Meeting.noun();
    let mut r = match Record::open(cx, node, Meeting::NAME, kind, Meeting::FIELDS) {
        Ok(r) => r,
        Err(span) => return failed(span),
    };
    let id = r.required("id", id_value);
    let title = r.required("title", line);
    let date = r.required("date", date_value);
    let end = r.optional("end", None, |n| option(n, date_value));
    let starts = r.optional("starts", None, |n| option(n, time_of_day));
    let ends = r.optional("ends", None, |n| option(n, time_of_day));
    let zone = r.optional("zone", None, |n| option(n, zone_value));
    let city = r.optional("city", None, |n| option(n, line));
    let venue = r.optional("venue", None, |n| option(n, id_value));
    let country = r.required("country", country_value);
    let summary = r.optional("summary", None, |n| option(n, text));
    let members_only =
        |n: &Node<'_>, read: fn(&Node<'_>) -> Conv<String>| option(n, |n| read(n).map(MembersOnly));
    let venue_address = r.optional("venue_address", None, |n| members_only(n, line));
    let online_link = r.optional("online_link", None, |n| members_only(n, link));
    let notes = r.optional("notes", None, |n| members_only(n, text));
    let revision = r.optional("revision", 0, revision_value);
    let modified = r.optional("modified", None, |n| option(n, timestamp));
    if let (Some(start), Some(Some(last))) = (date, end) {
        let why = match (start, last) {
            (PartialDate::Day(..), PartialDate::Day(..)) if last < start => Some(format!(
                "the meeting ends ({last}) before it begins ({start})"
            )),
            (PartialDate::Day(..), PartialDate::Day(..)) => None,
            _ => Some(
                "an end date needs a start and end known to the day, such as \"2019-05-14\""
                    .to_string(),
            ),
        };
        if let Some(why) = why {
            let at = r.origin.field("end").map_or(r.span.start, |s| s.start);
            r.report_at(at, Some("end"), DiagnosticKind::Inconsistent, why);
        }
    }
    if let (Some(date), Some(end), Some(starts), Some(ends), Some(zone)) =
        (date, end, starts, ends, zone)
        && let Some((field, why)) = clock_problem(date, end, starts, ends, zone)
    {
        let at = r.origin.field(field).map_or(r.span.start, |s| s.start);
        r.report_at(at, Some(field), DiagnosticKind::Inconsistent, why);
    }
    r.finish(|| {
        Some(Meeting {
            id: id?,
            title: title?,
            date: date?,
            end: end?,
            starts: starts?,
            ends: ends?,
            zone: zone?,
            city: city?,
            venue: venue?,
            country: country?,
            summary: summary?,
            venue_address: venue_address?,
            online_link: online_link?,
            notes: notes?,
            revision: revision?,
            modified: modified?,
        })
    })
}

/// What is wrong with a meeting's times, and in which field: times need a
/// day, come as a set of `starts`, `ends` and `zone`, must exist on the
/// zone's clocks that day, and must end after they start.
fn clock_problem(
    date: PartialDate,
    end: Option<PartialDate>,
    starts: Option<TimeOfDay>,
    ends: Option<TimeOfDay>,
    zone: Option<Zone>,
) -> Option<(&'static str, String)> {
    let given = [
        ("starts", starts.is_some()),
        ("ends", ends.is_some()),
        ("zone", zone.is_some()),
    ];
    let &(first, _) = given.iter().find(|(_, there)| *there)?;
    let PartialDate::Day(y, m, d) = date else {
        return Some((
            first,
            format!(
                "a meeting with times needs a date known to the day, such as \"2019-05-14\", not \"{date}\""
            ),
        ));
    };
    if let Some(&(missing, _)) = given.iter().find(|(_, there)| !*there) {
        return Some((
            first,
            format!("`starts`, `ends` and `zone` go together: `{missing}` is missing"),
        ));
    }
    let (starts, ends, zone) = (starts?, ends?, zone?);
    let last = match end {
        Some(PartialDate::Day(y, m, d)) => (y, m, d),
        _ => (y, m, d),
    };
    let moment = |field, day: (i32, u8, u8), time| match zone.local(day, time) {
        Local::At(t) | Local::Twice(t) => Ok(t),
        Local::Skipped => Err((
            field,
            format!(
                "{time} did not happen in {zone} on {:04}-{:02}-{:02}: the clocks skipped it",
                day.0, day.1, day.2
            ),
        )),
    };
    let begin = match moment("starts", (y, m, d), starts) {
        Ok(t) => t,
        Err(e) => return Some(e),
    };
    let finish = match moment("ends", last, ends) {
        Ok(t) => t,
        Err(e) => return Some(e),
    };
    (finish <= begin).then(|| {
        (
            "ends",
            format!("the meeting ends ({ends}) before or as it starts ({starts})"),
        )
    })
}

/// Reads a file that holds one record.
pub(crate) fn single<'s, T>(
    cx: &mut FileCx<'_>,
    text: &'s str,
    read: impl FnOnce(&mut FileCx<'_>, Node<'s>) -> Decoded<'s, T>,
) -> Option<Decoded<'s, T>> {
    match syntax::parse_document(text) {
        Ok(node) => Some(read(cx, node)),
        Err(e) => {
            cx.report(e.offset, None, DiagnosticKind::Syntax, e.message);
            None
        }
    }
}

/// Reads a file that holds a list of records; None when its syntax is broken.
///
/// `splits` are offsets where items seem to begin (see
/// [`syntax::list_split_points`]): the parts between them are read and
/// decoded at once on rayon's pool, and joined in order. A part that does not
/// end exactly where the next begins has read on to the end of the file, so
/// the parts after it are dropped unread. Either way the records and
/// diagnostics are exactly those of one reading from start to end: each part
/// reports its records' problems in order, and a syntax error last.
pub(crate) fn many<'s, T: Send>(
    path: &str,
    text: &'s str,
    splits: &[usize],
    diagnostics: &mut Vec<Diagnostic>,
    read: fn(&mut FileCx<'_>, Node<'s>) -> Decoded<'s, T>,
) -> Option<Vec<Decoded<'s, T>>> {
    let starts = std::iter::once(None).chain(splits.iter().copied().map(Some));
    let stops = splits
        .iter()
        .copied()
        .map(Some)
        .chain(std::iter::once(None));
    let bounds: Vec<(Option<usize>, Option<usize>)> = starts.zip(stops).collect();
    let parts: Vec<Part<'s, T>> = match bounds.as_slice() {
        // One part is read on the calling thread: the pool is not needed
        // (nor started, for small files).
        [] | [_] => vec![read_part(path, text, None, None, read)],
        // rayon keeps the parts in order and passes a part's panic on as
        // it came, once the others are done.
        _ => bounds
            .par_iter()
            .map(|&(start, stop)| read_part(path, text, start, stop, read))
            .collect(),
    };
    let mut records = Vec::new();
    for mut part in parts {
        diagnostics.append(&mut part.diagnostics);
        match part.end {
            None => return None,
            Some(end) => {
                if records.is_empty() {
                    records = part.records;
                } else {
                    records.append(&mut part.records);
                }
                if end != PartEnd::Stopped {
                    break;
                }
            }
        }
    }
    Some(records)
}

/// The records and diagnostics of one part of a list file, and how it ended:
/// None after a syntax error.
struct Part<'s, T> {
    records: Vec<Decoded<'s, T>>,
    diagnostics: Vec<Diagnostic>,
    end: Option<PartEnd>,
}

fn read_part<'s, T>(
    path: &str,
    text: &'s str,
    start: Option<usize>,
    stop: Option<usize>,
    read: fn(&mut FileCx<'_>, Node<'s>) -> Decoded<'s, T>,
) -> Part<'s, T> {
    let mut diagnostics = Vec::new();
    let mut records = Vec::new();
    let mut cx = FileCx::new(path, text, &mut diagnostics);
    let end = match syntax::parse_list_part(text, start, stop, |node| {
        records.push(read(&mut cx, node));
    }) {
        Ok(end) => Some(end),
        Err(e) => {
            cx.report(e.offset, None, DiagnosticKind::Syntax, e.message);
            None
        }
    };
    Part {
        records,
        diagnostics,
        end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::write::{Rec, Val, record};
    use crate::load::{DataFile, Sources, check};

    crate::model::record! {
        /// A record that only this test has, declared as the real ones are,
        /// with a field that none of them has.
        #[derive(Debug, PartialEq, Eq)]
        pub struct Member as "Member" {
            pub id: Id,
            pub name: String,
            pub photo: Option<String>,
        }
    }

    fn member<'s>(cx: &mut FileCx<'_>, node: Node<'s>) -> Decoded<'s, Member> {
        let mut r = match Record::open(cx, node, Member::NAME, "member", Member::FIELDS) {
            Ok(r) => r,
            Err(span) => return failed(span),
        };
        let id = r.required("id", id_value);
        let name = r.required("name", line);
        let photo = r.optional("photo", None, |n| option(n, line));
        r.finish(|| {
            Some(Member {
                id: id?,
                name: name?,
                photo: photo?,
            })
        })
    }

    /// The one declaration gives the reader the fields it knows (and the
    /// names it suggests) and the writer their order.
    #[test]
    fn a_field_is_declared_once_for_reading_and_writing() {
        assert_eq!(Member::FIELDS, ["id", "name", "photo"]);
        let text = "Member(photo: Some(\"a.jpg\"), id: \"a\", name: \"A\")";
        let mut diagnostics = Vec::new();
        let mut cx = FileCx::new("m.ron", text, &mut diagnostics);
        let read = single(&mut cx, text, member).unwrap();
        let value = read.value.unwrap();
        assert_eq!(value.photo.as_deref(), Some("a.jpg"));
        let written = Rec::new(Member::NAME, Member::FIELDS)
            .with("photo", Val::opt_str(value.photo.as_deref()))
            .with("name", Val::str(&value.name))
            .with("id", Val::str(value.id.as_str()));
        assert_eq!(
            record(&written, 0, &[]),
            "Member(\n    id: \"a\",\n    name: \"A\",\n    photo: Some(\"a.jpg\"),\n)"
        );
        let text = "Member(id: \"a\", name: \"A\", phot: None)";
        let mut cx = FileCx::new("m.ron", text, &mut diagnostics);
        assert_eq!(single(&mut cx, text, member).unwrap().value, None);
        assert_eq!(
            diagnostics[0].to_string(),
            "m.ron:1:28: member \"a\": unknown field `phot`; did you mean `photo`?"
        );
    }

    /// Checks the embedded data with `meetings.ron` replaced by one meeting
    /// made of `fields`; gives the diagnostics, or the meeting's UTC times.
    fn meeting(fields: &str) -> Result<String, Vec<String>> {
        let mut sources = Sources::embedded();
        let text = format!(
            "[\n    Meeting(\n        id: \"m\",\n        title: \"T\",\n        country: \"NO\",\n{fields}\n    ),\n]\n"
        );
        sources.set_text(DataFile::Meetings, text);
        let checked = check(&sources);
        match checked.society {
            Some(s) => Ok(match s.meetings[0].utc_times() {
                Some((a, b)) => format!("{a} to {b}"),
                None => "untimed".to_string(),
            }),
            None => Err(checked.diagnostics.iter().map(|d| d.to_string()).collect()),
        }
    }

    fn err(fields: &str) -> String {
        match meeting(fields) {
            Ok(ok) => panic!("expected a problem, got {ok}"),
            Err(d) => d.join("\n"),
        }
    }

    #[test]
    fn timed_meetings_convert_with_the_zone_rules() {
        let fields = r#"        date: "2019-05-14",
        starts: Some("09:00"),
        ends: Some("17:30"),
        zone: Some("Europe/Oslo"),"#;
        assert_eq!(
            meeting(fields).unwrap(),
            "2019-05-14T07:00:00Z to 2019-05-14T15:30:00Z"
        );
        let several_days = r#"        date: "2019-10-26",
        end: Some("2019-10-28"),
        starts: Some("09:00"),
        ends: Some("12:00"),
        zone: Some("Europe/Oslo"),"#;
        assert_eq!(
            meeting(several_days).unwrap(),
            "2019-10-26T07:00:00Z to 2019-10-28T11:00:00Z"
        );
        assert_eq!(
            meeting(r#"        date: "2019-05-14","#).unwrap(),
            "untimed"
        );
    }

    #[test]
    fn times_problems_name_file_line_and_field() {
        assert_eq!(
            err(r#"        date: "2019-05",
        starts: Some("09:00"),
        ends: Some("17:30"),
        zone: Some("Europe/Oslo"),"#),
            "(embedded data)/meetings.ron:7:17: meeting \"m\", field `starts`: a meeting with times needs a date known to the day, such as \"2019-05-14\", not \"2019-05\""
        );
        assert_eq!(
            err(r#"        date: "2019-05-14",
        starts: Some("09:00"),
        zone: Some("Europe/Oslo"),"#),
            "(embedded data)/meetings.ron:7:17: meeting \"m\", field `starts`: `starts`, `ends` and `zone` go together: `ends` is missing"
        );
        assert_eq!(
            err(r#"        date: "2019-05-14",
        starts: Some("9am"),
        ends: Some("17:30"),
        zone: Some("Europe/Olso"),"#),
            "(embedded data)/meetings.ron:7:22: meeting \"m\", field `starts`: expected a time of day as HH:MM, such as \"09:00\", found \"9am\"\n\
             (embedded data)/meetings.ron:9:20: meeting \"m\", field `zone`: unknown time zone \"Europe/Olso\"; did you mean \"Europe/Oslo\"?"
        );
        assert_eq!(
            err(r#"        date: "2019-05-14",
        starts: Some("17:30"),
        ends: Some("09:00"),
        zone: Some("Europe/Oslo"),"#),
            "(embedded data)/meetings.ron:8:15: meeting \"m\", field `ends`: the meeting ends (09:00) before or as it starts (17:30)"
        );
        assert_eq!(
            err(r#"        date: "2019-03-31",
        starts: Some("02:30"),
        ends: Some("17:30"),
        zone: Some("Europe/Oslo"),"#),
            "(embedded data)/meetings.ron:7:17: meeting \"m\", field `starts`: 02:30 did not happen in Europe/Oslo on 2019-03-31: the clocks skipped it"
        );
    }
}
