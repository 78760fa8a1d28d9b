//! The society as plain records for JSON, templates and tables.
//!
//! These are the shapes the CLI prints with `--format json`, the API serves
//! and the templates render. They resolve references (a person's institution
//! comes with its name) and show a contact detail only to an audience that
//! may see it. The field names are part of the documented interface: add
//! fields freely, but never rename or remove one.
//!
//! Each view is made from its record destructured whole, so a field added
//! to a record does not compile here until its view shows it or says why
//! not; the integration tests hold the views' fields to the API's OpenAPI
//! document and docs/json.md.

use serde::Serialize;

use crate::country::Country;
use crate::date::{Precision, Timestamp};
use crate::model::{
    Audience, Contact, Detail, Id, Institution, Meeting, MembersOnly, NewsItem, Person, RecordKind,
    Society, SocietyInfo, Visibility,
};
use crate::photo::{self, Photo};
use crate::query::QueryError;
use crate::time::{TimeOfDay, Zone};

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

impl Ref {
    /// The institution a record names (a person's, a meeting's venue), with
    /// its name.
    fn institution(society: &Society, id: Option<&Id>) -> Option<Ref> {
        let i = society.institution(id?.as_str())?;
        Some(Ref {
            id: i.id.as_str().to_owned(),
            name: i.name.clone(),
        })
    }
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
    /// What the person does where they work, when the data says.
    pub position: Option<String>,
    pub contact: ContactView,
    /// The photo in the sizes the site serves it, when the data has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photo: Option<PhotoView>,
}

/// A person's photo as the site serves it: each size as JPEG and WebP, and
/// the size a page shows it at (the smallest), so that a page can set
/// `width` and `height` and nothing moves as it loads.
#[derive(Debug, Clone, Serialize)]
pub struct PhotoView {
    pub width: u32,
    pub height: u32,
    /// Smallest first.
    pub sizes: Vec<PhotoSizeView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhotoSizeView {
    pub width: u32,
    pub height: u32,
    /// The files' URL paths from the site's root, such as
    /// `/people/anna-berg/photo-320.jpg`: under `/members/` for a person
    /// only members know of, whose page is there.
    pub jpeg: String,
    pub webp: String,
}

impl PhotoView {
    fn new(p: &Person, photo: &Photo) -> PhotoView {
        let folder = match p.visibility() {
            Visibility::Public => ["/people/", p.id.as_str(), "/"].concat(),
            Visibility::Members => ["/members/people/", p.id.as_str(), "/"].concat(),
        };
        let sizes: Vec<PhotoSizeView> = photo
            .page_sizes()
            .into_iter()
            .map(|(width, height)| PhotoSizeView {
                width,
                height,
                jpeg: format!("{folder}{}", photo::page_file(width, "jpg")),
                webp: format!("{folder}{}", photo::page_file(width, "webp")),
            })
            .collect();
        let (width, height) = sizes.first().map_or((0, 0), |s| (s.width, s.height));
        PhotoView {
            width,
            height,
            sizes,
        }
    }
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
        let Person {
            id,
            given,
            family,
            institution,
            country,
            // Through `Person::roles_for`, so that a role the reader may not
            // know of is left out.
            roles: _,
            position,
            email,
            phone,
            orcid,
            web,
            photo,
        } = p;
        PersonView {
            id: id.as_str().to_owned(),
            name: p.name(),
            given_name: given.clone(),
            family_name: family.clone(),
            institution: Ref::institution(society, institution.as_ref()),
            country: (*country).into(),
            roles: p.roles_for(audience).map(|r| r.slug()).collect(),
            position: position.clone(),
            contact: ContactView {
                email: visible(email),
                phone: visible(phone),
                orcid: visible(orcid),
                web: visible(web),
            },
            photo: photo.as_ref().map(|photo| PhotoView::new(p, photo)),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct InstitutionView {
    pub id: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub country: CountryView,
    /// The institution's website, when the data gives one.
    pub web: Option<String>,
    /// The ids of the people who belong to it whom the reader may know of,
    /// sorted by name.
    pub people: Vec<String>,
}

impl InstitutionView {
    /// The institution with the people this audience may know of.
    pub fn new(society: &Society, i: &Institution, audience: Audience) -> Self {
        let Institution {
            id,
            name,
            aliases,
            country,
            web,
        } = i;
        InstitutionView {
            id: id.as_str().to_owned(),
            name: name.clone(),
            aliases: aliases.clone(),
            country: (*country).into(),
            web: web.clone(),
            people: society
                .people_at(i, audience)
                .map(|p| p.id.as_str().to_owned())
                .collect(),
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
    /// When it starts on its first day, `HH:MM` by the clocks of `zone`.
    pub starts: Option<TimeOfDay>,
    /// When it ends on its last day, `HH:MM` by the same clocks.
    pub ends: Option<TimeOfDay>,
    /// The IANA time zone of `starts` and `ends`, such as `Europe/Oslo`.
    pub zone: Option<Zone>,
    pub city: Option<String>,
    pub venue: Option<Ref>,
    pub country: CountryView,
    pub summary: Option<String>,
    /// Members only, as the next two: left out for the public, and when
    /// the meeting has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub venue_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub online_link: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub revision: u32,
    pub modified: Option<Timestamp>,
}

impl MeetingView {
    /// The meeting as this audience may see it: its members-only details
    /// for members alone.
    pub fn new(society: &Society, m: &Meeting, audience: Audience) -> Self {
        let members_only = |v: &Option<MembersOnly>| {
            v.as_ref()
                .and_then(|v| v.for_audience(audience))
                .map(str::to_string)
        };
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
        MeetingView {
            id: id.as_str().to_owned(),
            title: title.clone(),
            date: date.iso(),
            date_precision: date.precision(),
            date_text: date.human(),
            end: end.map(|d| d.iso()),
            starts: *starts,
            ends: *ends,
            zone: *zone,
            city: city.clone(),
            venue: Ref::institution(society, venue.as_ref()),
            country: (*country).into(),
            summary: summary.clone(),
            venue_address: members_only(venue_address),
            online_link: members_only(online_link),
            notes: members_only(notes),
            revision: *revision,
            modified: *modified,
        }
    }

    /// The times for people to read, by the clocks of the meeting's own
    /// zone: "09:00–17:30 (Europe/Oslo)". None for a meeting without times.
    pub fn times_text(&self) -> Option<String> {
        let (starts, ends, zone) = (self.starts?, self.ends?, self.zone?);
        Some(format!("{starts}–{ends} ({zone})"))
    }
}

/// An announcement. Everything in one is public.
#[derive(Debug, Clone, Serialize)]
pub struct NewsView {
    pub id: String,
    /// As precise as known: `2018`, `2018-06` or `2018-06-14`.
    pub date: String,
    pub date_precision: Precision,
    /// For people to read: "June 2018".
    pub date_text: String,
    pub title: String,
    /// Light Markdown, as staff wrote it; the site renders it with raw
    /// HTML escaped.
    pub text: String,
    /// The meetings it tells of, with their titles.
    pub meetings: Vec<Ref>,
}

impl NewsView {
    pub fn new(society: &Society, n: &NewsItem) -> Self {
        let NewsItem {
            id,
            date,
            title,
            text,
            meetings,
        } = n;
        NewsView {
            id: id.as_str().to_owned(),
            date: date.iso(),
            date_precision: date.precision(),
            date_text: date.human(),
            title: title.clone(),
            text: text.clone(),
            meetings: meetings
                .iter()
                .filter_map(|m| society.meeting(m.as_str()))
                .map(|m| Ref {
                    id: m.id.as_str().to_owned(),
                    name: m.title.clone(),
                })
                .collect(),
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
        let SocietyInfo {
            id,
            name,
            short_name,
            initiative,
            mission_intro,
            mission,
            mission_outro,
            background,
            contact: Contact { person, email },
            base_url,
        } = &society.info;
        SocietyView {
            id: id.as_str().to_owned(),
            name: name.clone(),
            short_name: short_name.clone(),
            initiative: initiative.clone(),
            mission_intro: mission_intro.clone(),
            mission: mission.clone(),
            mission_outro: mission_outro.clone(),
            background: background.clone(),
            contact: SocietyContactView {
                person: person
                    .as_ref()
                    .and_then(|p| society.person(p.as_str()))
                    .map(|p| Ref {
                        id: p.id.as_str().to_owned(),
                        name: p.name(),
                    }),
                email: email.clone(),
            },
            base_url: base_url.clone(),
        }
    }
}

/// A kind of record that is found by id and shown through its view. The
/// CLI's `show` and `list` and the API's handlers go through it, so that
/// they find a record, refuse an unknown id (with the same suggestions) and
/// turn records into views alike.
pub trait Viewed: Sized {
    /// The kind, for the error that names an unknown id.
    const KIND: RecordKind;
    /// What every output shows of a record of this kind.
    type View: Serialize + 'static;
    /// The record with this id, if this audience may know of it.
    fn get<'s>(society: &'s Society, id: &str, audience: Audience) -> Option<&'s Self>;
    /// The record as this audience may see it.
    fn view(&self, society: &Society, audience: Audience) -> Self::View;
}

/// Says how a record is found and viewed: `viewed!(Record => View, Kind,
/// |society, id, audience| lookup, |society, record, audience| view)`.
macro_rules! viewed {
    ($record:ident => $view:ident, $kind:ident, $get:expr, $new:expr $(,)?) => {
        impl Viewed for $record {
            const KIND: RecordKind = RecordKind::$kind;
            type View = $view;

            fn get<'s>(society: &'s Society, id: &str, audience: Audience) -> Option<&'s Self> {
                let get: fn(&'s Society, &str, Audience) -> Option<&'s Self> = $get;
                get(society, id, audience)
            }

            fn view(&self, society: &Society, audience: Audience) -> $view {
                let new: fn(&Society, &Self, Audience) -> $view = $new;
                new(society, self, audience)
            }
        }
    };
}

viewed!(Person => PersonView, Person, |s, id, a| s.person_for(id, a), PersonView::new);
viewed!(
    Institution => InstitutionView,
    Institution,
    |s, id, _| s.institution(id),
    InstitutionView::new,
);
viewed!(Meeting => MeetingView, Meeting, |s, id, _| s.meeting(id), MeetingView::new);
// Every announcement is public, so its view is the same for every audience.
viewed!(NewsItem => NewsView, News, |s, id, _| s.news_item(id), |s, n, _| NewsView::new(s, n));

impl Society {
    /// The record of this kind with this id that this audience may know of,
    /// or the error that names the closest ids it may know of.
    pub fn find<R: Viewed>(&self, id: &str, audience: Audience) -> Result<&R, QueryError> {
        R::get(self, id, audience).ok_or_else(|| self.not_found_for(R::KIND, id, audience))
    }

    /// These records' views, as this audience may see them, in their order.
    pub fn views<'s, R: Viewed + 's>(
        &self,
        records: impl IntoIterator<Item = &'s R>,
        audience: Audience,
    ) -> Vec<R::View> {
        records
            .into_iter()
            .map(|r| r.view(self, audience))
            .collect()
    }
}
