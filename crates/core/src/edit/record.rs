//! The model's records as [`Rec`] values, in the canonical form: fields in
//! the order their declarations list them, optional fields left out while
//! they hold their default (no city, no roles, revision 0). Each record is
//! destructured whole, so a field added to one does not compile until it is
//! written here.

use super::write::{Rec, Val};
use crate::model::{
    Contact, Detail, Initiative, Institution, Meeting, MembersOnly, NewsItem, Person, SocietyInfo,
    Visibility,
};

/// `Some(Public("…"))` or `Some(Members("…"))`.
pub(crate) fn detail(d: &Detail) -> Val {
    let who = match d.visibility {
        Visibility::Public => "Public",
        Visibility::Members => "Members",
    };
    Val::some(Val::Wrap(who, Box::new(Val::str(&d.value))))
}

fn strings(items: &[String]) -> Val {
    Val::List(items.iter().map(Val::str).collect())
}

fn non_empty(list: Val) -> Option<Val> {
    match &list {
        Val::List(items) if items.is_empty() => None,
        _ => Some(list),
    }
}

pub(crate) fn person(p: &Person) -> Rec {
    let Person {
        id,
        given,
        family,
        institution,
        country,
        roles,
        position,
        email,
        phone,
        orcid,
        web,
        photo,
    } = p;
    let roles = Val::List(roles.iter().map(|r| Val::Ident(r.variant())).collect());
    Rec::new(Person::NAME, Person::FIELDS)
        .with("id", Val::str(id.as_str()))
        .with("given", Val::str(given))
        .with("family", Val::str(family))
        .with(
            "institution",
            Val::opt_str(institution.as_ref().map(|i| i.as_str())),
        )
        .with("country", Val::str(country.code()))
        .with_opt("roles", non_empty(roles))
        .with_opt(
            "position",
            position.as_deref().map(|p| Val::some(Val::str(p))),
        )
        .with_opt("email", email.as_ref().map(detail))
        .with_opt("phone", phone.as_ref().map(detail))
        .with_opt("orcid", orcid.as_ref().map(detail))
        .with_opt("web", web.as_ref().map(detail))
        .with_opt(
            "photo",
            photo.as_ref().map(|p| Val::some(Val::str(p.path()))),
        )
}

pub(crate) fn institution(i: &Institution) -> Rec {
    let Institution {
        id,
        name,
        aliases,
        country,
        web,
    } = i;
    Rec::new(Institution::NAME, Institution::FIELDS)
        .with("id", Val::str(id.as_str()))
        .with("name", Val::str(name))
        .with_opt("aliases", non_empty(strings(aliases)))
        .with("country", Val::str(country.code()))
        .with_opt("web", web.as_deref().map(|w| Val::some(Val::str(w))))
}

pub(crate) fn meeting(m: &Meeting) -> Rec {
    let Meeting {
        id,
        title,
        date,
        end,
        starts,
        ends,
        zone,
        city,
        venue,
        country,
        summary,
        venue_address,
        online_link,
        notes,
        revision,
        modified,
    } = m;
    let some = |text: String| Val::some(Val::Str(text));
    let members_only = |v: &Option<MembersOnly>| v.as_ref().map(|v| some(v.0.clone()));
    Rec::new(Meeting::NAME, Meeting::FIELDS)
        .with("id", Val::str(id.as_str()))
        .with("title", Val::str(title))
        .with("date", Val::Str(date.iso()))
        .with_opt("end", end.map(|d| some(d.iso())))
        .with_opt("starts", starts.map(|t| some(t.to_string())))
        .with_opt("ends", ends.map(|t| some(t.to_string())))
        .with_opt("zone", zone.map(|z| some(z.name().to_string())))
        .with_opt("city", city.clone().map(some))
        .with_opt("venue", venue.as_ref().map(|v| some(v.to_string())))
        .with("country", Val::str(country.code()))
        .with_opt("summary", summary.clone().map(some))
        .with_opt("venue_address", members_only(venue_address))
        .with_opt("online_link", members_only(online_link))
        .with_opt("notes", members_only(notes))
        .with_opt("revision", (*revision > 0).then_some(Val::Int(*revision)))
        .with_opt("modified", modified.map(|t| some(t.to_string())))
}

pub(crate) fn news(n: &NewsItem) -> Rec {
    let NewsItem {
        id,
        date,
        title,
        text,
        meetings,
    } = n;
    let meetings = Val::List(meetings.iter().map(|m| Val::str(m.as_str())).collect());
    Rec::new(NewsItem::NAME, NewsItem::FIELDS)
        .with("id", Val::str(id.as_str()))
        .with("date", Val::Str(date.iso()))
        .with("title", Val::str(title))
        .with("text", Val::str(text))
        .with_opt("meetings", non_empty(meetings))
}

/// The society's own record. Unlike the lists' records it writes every
/// field, `None` included, since it is one record that staff read whole.
pub(crate) fn society(s: &SocietyInfo) -> Rec {
    let SocietyInfo {
        id,
        name,
        short_name,
        initiative:
            Initiative {
                name: initiative_name,
                short_name: initiative_short,
            },
        mission_intro,
        mission,
        mission_outro,
        background,
        contact: Contact { person, email },
        base_url,
    } = s;
    let initiative = Rec::new(Initiative::NAME, Initiative::FIELDS)
        .with("name", Val::str(initiative_name))
        .with("short_name", Val::str(initiative_short));
    let contact = Rec::new(Contact::NAME, Contact::FIELDS)
        .with("person", Val::opt_str(person.as_ref().map(|p| p.as_str())))
        .with("email", Val::str(email));
    Rec::new(SocietyInfo::NAME, SocietyInfo::FIELDS)
        .with("id", Val::str(id.as_str()))
        .with("name", Val::str(name))
        .with("short_name", Val::str(short_name))
        .with("initiative", Val::Record(initiative))
        .with("mission_intro", Val::str(mission_intro))
        .with("mission", strings(mission))
        .with("mission_outro", Val::str(mission_outro))
        .with("background", strings(background))
        .with("contact", Val::Record(contact))
        .with("base_url", Val::opt_str(base_url.as_deref()))
}
