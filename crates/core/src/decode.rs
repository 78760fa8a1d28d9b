//! From the RON tree to typed records, with a diagnostic for every problem.
//!
//! Each file is decoded on its own. A record with a problem is reported and
//! left out, and decoding goes on, so that one run lists every problem.
//! What needs the whole society (duplicate ids, references) is checked later
//! in [`crate::load`], from the spans kept here.
//!
//! This file reads each kind of record; `record.rs` is the framework it
//! reads them with, `convert.rs` turns values into types, `clock.rs` holds a
//! meeting's rules across fields, and `parts.rs` reads a large list file in
//! parts at once.

mod clock;
mod convert;
mod parts;
mod record;

use convert::{
    base_url_value, checked, country_value, date_value, detail, id_value, line, link, list, option,
    orcid_check, photo_value, revision_value, role, text, time_of_day, timestamp, zone_value,
};
pub(crate) use parts::many;
pub use record::Origin;
use record::{Conv, Record, failed};
pub(crate) use record::{Decoded, FileCx};

use crate::diagnostic::DiagnosticKind;
use crate::model::{
    Contact, Initiative, Institution, Meeting, MembersOnly, Nested, NewsItem, Person, RecordKind,
    SocietyInfo,
};
use crate::syntax::{self, Node};
use crate::validate;

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
    let base_url = r.optional("base_url", None, |n| option(n, base_url_value));
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
    // alone, even when it carries a stray `id` field; its diagnostics name
    // its fields by their paths in the outer one.
    inner.id = None;
    inner.paths = T::PATHS;
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
    let web = r.optional("web", None, |n| option(n, link));
    r.finish(|| {
        Some(Institution {
            id: id?,
            name: name?,
            aliases: aliases?,
            country: country?,
            web: web?,
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
    let position = r.optional("position", None, |n| option(n, line));
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
    let photo = r.optional("photo", None, |n| option(n, photo_value));
    r.finish(|| {
        Some(Person {
            id: id?,
            given: given?,
            family: family?,
            institution: institution?,
            country: country?,
            roles: roles?,
            position: position?,
            email: email?,
            phone: phone?,
            orcid: orcid?,
            web: web?,
            photo: photo?,
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
    // The fields that were read are judged together, by the clock rules.
    if let Some(date) = date {
        if let Some(Some(last)) = end
            && let Some(why) = clock::end_problem(date, last)
        {
            r.report_field("end", DiagnosticKind::Inconsistent, why);
        }
        if let (Some(end), Some(starts), Some(ends), Some(zone)) = (end, starts, ends, zone)
            && let Some((field, why)) = clock::times_problem(date, end, starts, ends, zone)
        {
            r.report_field(field, DiagnosticKind::Inconsistent, why);
        }
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

pub(crate) fn news<'s>(cx: &mut FileCx<'_>, node: Node<'s>) -> Decoded<'s, NewsItem> {
    let kind = RecordKind::News.noun();
    let mut r = match Record::open(cx, node, NewsItem::NAME, kind, NewsItem::FIELDS) {
        Ok(r) => r,
        Err(span) => return failed(span),
    };
    let id = r.required("id", id_value);
    let date = r.required("date", date_value);
    let title = r.required("title", line);
    let text = r.required("text", text);
    let meetings = r.optional("meetings", Vec::new(), |n| list(n, id_value));
    r.finish(|| {
        Some(NewsItem {
            id: id?,
            date: date?,
            title: title?,
            text: text?,
            meetings: meetings?,
        })
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
            cx.report(e.offset, None, None, DiagnosticKind::Syntax, e.message);
            None
        }
    }
}

#[cfg(test)]
mod tests;
