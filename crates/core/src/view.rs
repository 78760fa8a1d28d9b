//! The society as plain records for JSON, templates and tables.
//!
//! These are the shapes the CLI prints with `--format json`, the API serves
//! and the templates render. They resolve references (a person's institution
//! comes with its name) and show a contact detail only to an audience that
//! may see it. The field names are part of the documented interface: add
//! fields freely, but never rename or remove one.

use serde::Serialize;

use crate::country::Country;
use crate::date::{Precision, Timestamp};
use crate::model::{Audience, Detail, Institution, Meeting, Person, Society, Visibility};

#[derive(Debug, Clone, Serialize)]
pub struct CountryView {
    pub code: &'static str,
    pub name: &'static str,
}

impl From<Country> for CountryView {
    fn from(c: Country) -> Self {
        CountryView {
            code: c.code(),
            name: c.name(),
        }
    }
}

/// A reference to another record: its id and its name.
#[derive(Debug, Clone, Serialize)]
pub struct Ref {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DetailView {
    pub value: String,
    pub visibility: Visibility,
}

/// The contact details an audience may see; absent ones are left out.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ContactView {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<DetailView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<DetailView>,
    /// The bare iD, `0000-0002-1825-0097`; its URL is `https://orcid.org/` + iD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orcid: Option<DetailView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web: Option<DetailView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    pub id: String,
    pub name: String,
    pub given_name: String,
    pub family_name: String,
    pub institution: Option<Ref>,
    pub country: CountryView,
    pub roles: Vec<&'static str>,
    pub contact: ContactView,
}

impl PersonView {
    pub fn new(society: &Society, p: &Person, audience: Audience) -> Self {
        let visible = |d: &Option<Detail>| {
            d.as_ref()
                .filter(|d| audience.sees(d.visibility))
                .map(|d| DetailView {
                    value: d.value.clone(),
                    visibility: d.visibility,
                })
        };
        PersonView {
            id: p.id.to_string(),
            name: p.name(),
            given_name: p.given.clone(),
            family_name: p.family.clone(),
            institution: society.institution_of(p).map(|i| Ref {
                id: i.id.to_string(),
                name: i.name.clone(),
            }),
            country: p.country.into(),
            roles: p.roles.iter().map(|r| r.slug()).collect(),
            contact: ContactView {
                email: visible(&p.email),
                phone: visible(&p.phone),
                orcid: visible(&p.orcid),
                web: visible(&p.web),
            },
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct InstitutionView {
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub country: CountryView,
    /// The ids of the people who belong to it, sorted by name.
    pub people: Vec<String>,
}

impl InstitutionView {
    pub fn new(society: &Society, i: &Institution) -> Self {
        InstitutionView {
            id: i.id.to_string(),
            name: i.name.clone(),
            aliases: i.aliases.clone(),
            country: i.country.into(),
            people: society.people_at(i).map(|p| p.id.to_string()).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MeetingView {
    pub id: String,
    pub title: String,
    /// As precise as known: `2014`, `2015-05` or `2015-05-12`.
    pub date: String,
    pub date_precision: Precision,
    /// For people to read: "2014", "May 2015", "12 May 2015".
    pub date_text: String,
    /// The last day of a meeting of several days.
    pub end: Option<String>,
    pub city: Option<String>,
    pub venue: Option<Ref>,
    pub country: CountryView,
    pub summary: Option<String>,
    pub revision: u32,
    pub modified: Option<Timestamp>,
}

impl MeetingView {
    pub fn new(society: &Society, m: &Meeting) -> Self {
        MeetingView {
            id: m.id.to_string(),
            title: m.title.clone(),
            date: m.date.iso(),
            date_precision: m.date.precision(),
            date_text: m.date.human(),
            end: m.end.map(|d| d.iso()),
            city: m.city.clone(),
            venue: m
                .venue
                .as_ref()
                .and_then(|v| society.institution(v.as_str()))
                .map(|i| Ref {
                    id: i.id.to_string(),
                    name: i.name.clone(),
                }),
            country: m.country.into(),
            summary: m.summary.clone(),
            revision: m.revision,
            modified: m.modified,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SocietyView {
    pub id: String,
    pub name: String,
    pub short_name: String,
    pub initiative: crate::model::Initiative,
    pub mission_intro: String,
    pub mission: Vec<String>,
    pub mission_outro: String,
    pub background: Vec<String>,
    pub contact: SocietyContactView,
    pub base_url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SocietyContactView {
    pub person: Option<Ref>,
    pub email: String,
}

impl SocietyView {
    pub fn new(society: &Society) -> Self {
        let info = &society.info;
        SocietyView {
            id: info.id.to_string(),
            name: info.name.clone(),
            short_name: info.short_name.clone(),
            initiative: info.initiative.clone(),
            mission_intro: info.mission_intro.clone(),
            mission: info.mission.clone(),
            mission_outro: info.mission_outro.clone(),
            background: info.background.clone(),
            contact: SocietyContactView {
                person: society.contact_person().map(|p| Ref {
                    id: p.id.to_string(),
                    name: p.name(),
                }),
                email: info.contact.email.clone(),
            },
            base_url: info.base_url.clone(),
        }
    }
}
