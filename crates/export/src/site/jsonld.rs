//! schema.org descriptions of the society, its people and its meetings, as
//! JSON-LD for search engines.
//!
//! Each description is a set of borrowing structs serialized straight to
//! text, rather than a `serde_json::Value` built and then printed: the
//! person and meeting pages each carry one, so this runs 100,000 times for
//! a large society. Fields are declared in the byte order of their names,
//! the order a JSON object map prints its keys in, so that the text is the
//! one readers and tests have always seen.
//!
//! Each description destructures its view whole, so that a field added to a
//! view does not compile here until it is described or said to have no
//! place in schema.org's terms.

use nspm_core::view::{
    ContactView, InstitutionView, MeetingView, NewsView, PersonView, SocietyContactView,
    SocietyView,
};
use serde::Serialize;

/// Where records live on the site, for the `url` fields: absolute when the
/// site has a base URL, left out otherwise (JSON-LD URLs should not depend
/// on which page they sit in).
pub(crate) struct Urls<'a> {
    pub base: Option<&'a str>,
}

impl Urls<'_> {
    fn url(&self, path: &str) -> Option<String> {
        self.base.map(|b| [b, path].concat())
    }
}

const CONTEXT: &str = "https://schema.org";

/// An Organization named and linked to: the society as a person's
/// `memberOf` or a meeting's organizer, or a person's institution.
#[derive(Serialize)]
struct OrganizationRef<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct InstitutionLd<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "alternateName", skip_serializing_if = "<[String]>::is_empty")]
    alternate_name: &'a [String],
    name: &'a str,
    /// The institution's own website when the data gives one, else its page.
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

/// An institution's page: the institution as an Organization.
pub fn institution(i: &InstitutionView, urls: &Urls) -> String {
    let InstitutionView {
        id,
        name,
        aliases,
        // The page's people link to it as their affiliation; its country
        // is the page's text.
        country: _,
        people: _,
        web,
    } = i;
    script_text(&InstitutionLd {
        context: CONTEXT,
        kind: "Organization",
        alternate_name: aliases,
        name,
        url: web
            .clone()
            .or_else(|| urls.url(&["institutions/", id, "/"].concat())),
    })
}

fn society_ref<'a>(society: &'a SocietyView, urls: &Urls) -> OrganizationRef<'a> {
    OrganizationRef {
        kind: "Organization",
        name: &society.name,
        url: urls.url(""),
    }
}

#[derive(Serialize)]
struct PersonLd<'a> {
    #[serde(rename = "@context", skip_serializing_if = "Option::is_none")]
    context: Option<&'static str>,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    affiliation: Option<OrganizationRef<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(rename = "familyName")]
    family_name: &'a str,
    #[serde(rename = "givenName")]
    given_name: &'a str,
    /// The photo's widest size; an absolute URL, so only with a base URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    #[serde(rename = "jobTitle", skip_serializing_if = "Option::is_none")]
    job_title: Option<&'a str>,
    #[serde(rename = "memberOf", skip_serializing_if = "Option::is_none")]
    member_of: Option<OrganizationRef<'a>>,
    name: &'a str,
    #[serde(rename = "sameAs", skip_serializing_if = "Vec::is_empty")]
    same_as: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    telephone: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

/// A person; `member_of` is left out where the person already sits inside
/// the society's own description, and so is `@context`.
fn person_value<'a>(
    p: &'a PersonView,
    member_of: Option<&'a SocietyView>,
    urls: &Urls,
) -> PersonLd<'a> {
    let PersonView {
        id,
        name,
        given_name,
        family_name,
        institution,
        // The page says where a person is from and what they do in the
        // society; the description names them and how to reach them.
        country: _,
        roles: _,
        position,
        contact:
            ContactView {
                email,
                phone,
                orcid,
                web,
            },
        photo,
    } = p;
    let same_as: Vec<String> = [
        orcid
            .as_ref()
            .map(|o| ["https://orcid.org/", &o.value].concat()),
        web.as_ref().map(|w| w.value.clone()),
    ]
    .into_iter()
    .flatten()
    .collect();
    PersonLd {
        context: None,
        kind: "Person",
        affiliation: institution.as_ref().map(|i| OrganizationRef {
            kind: "Organization",
            name: &i.name,
            url: urls.url(&["institutions/", &i.id, "/"].concat()),
        }),
        email: email.as_ref().map(|e| e.value.as_str()),
        family_name,
        given_name,
        // The widest size of the photo, as schema.org's `image`.
        image: photo
            .as_ref()
            .and_then(|p| p.sizes.last())
            .and_then(|s| urls.url(s.jpeg.trim_start_matches('/'))),
        job_title: position.as_deref(),
        member_of: member_of.map(|s| society_ref(s, urls)),
        name,
        same_as,
        telephone: phone.as_ref().map(|t| t.value.as_str()),
        url: urls.url(&["people/", id, "/"].concat()),
    }
}

#[derive(Serialize)]
struct OrganizationLd<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "alternateName")]
    alternate_name: &'a str,
    description: &'a str,
    email: &'a str,
    member: Vec<PersonLd<'a>>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

/// The society as an Organization, with its members, as script text.
pub(crate) fn organization(society: &SocietyView, members: &[PersonView], urls: &Urls) -> String {
    let SocietyView {
        id: _,
        name,
        short_name,
        // The description is the mission's opening sentence; the pages
        // carry the rest.
        initiative: _,
        mission_intro,
        mission: _,
        mission_outro: _,
        background: _,
        contact: SocietyContactView { person: _, email },
        base_url: _,
    } = society;
    script_text(&OrganizationLd {
        context: CONTEXT,
        kind: "Organization",
        alternate_name: short_name,
        description: mission_intro,
        email,
        member: members
            .iter()
            .map(|p| person_value(p, None, urls))
            .collect(),
        name,
        url: urls.url(""),
    })
}

/// A person of the society, as script text.
pub fn person(p: &PersonView, society: &SocietyView, urls: &Urls) -> String {
    script_text(&PersonLd {
        context: Some(CONTEXT),
        ..person_value(p, Some(society), urls)
    })
}

#[derive(Serialize)]
struct EventLd<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(rename = "endDate", skip_serializing_if = "Option::is_none")]
    end_date: Option<&'a str>,
    #[serde(rename = "eventAttendanceMode")]
    event_attendance_mode: &'static str,
    location: PlaceLd<'a>,
    name: &'a str,
    organizer: OrganizationRef<'a>,
    #[serde(rename = "startDate")]
    start_date: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct PlaceLd<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    address: AddressLd<'a>,
    name: &'a str,
}

#[derive(Serialize)]
struct AddressLd<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "addressCountry")]
    country: &'a str,
    #[serde(rename = "addressLocality", skip_serializing_if = "Option::is_none")]
    locality: Option<&'a str>,
}

/// A meeting as an Event, as script text. Its dates stay as precise as the
/// data knows them: ISO 8601 allows `2015-05` or `2014`, and a day is never
/// made up.
pub fn event(m: &MeetingView, society: &SocietyView, urls: &Urls) -> String {
    let MeetingView {
        id,
        title,
        date,
        // ISO 8601 in `date` says as much as these do.
        date_precision: _,
        date_text: _,
        end,
        city,
        venue,
        country,
        summary,
        // How often a meeting changed, and when, is for calendars.
        revision: _,
        modified: _,
        // The event's dates stay days, months or years here; the page and
        // the calendar give the times by the meeting's own clocks.
        starts: _,
        ends: _,
        zone: _,
        // Members only: the site's JSON-LD is public, always.
        venue_address: _,
        online_link: _,
        notes: _,
    } = m;
    let place_name = venue
        .as_ref()
        .map(|v| v.name.as_str())
        .or(city.as_deref())
        .unwrap_or(country.name);
    script_text(&EventLd {
        context: CONTEXT,
        kind: "Event",
        description: summary.as_deref(),
        end_date: end.as_deref(),
        event_attendance_mode: "https://schema.org/OfflineEventAttendanceMode",
        location: PlaceLd {
            kind: "Place",
            address: AddressLd {
                kind: "PostalAddress",
                country: country.code,
                locality: city.as_deref(),
            },
            name: place_name,
        },
        name: title,
        organizer: society_ref(society, urls),
        start_date: date,
        url: urls.url(&["meetings/", id, "/"].concat()),
    })
}

#[derive(Serialize)]
struct NewsArticleLd<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "about", skip_serializing_if = "Vec::is_empty")]
    about: Vec<EventRef<'a>>,
    #[serde(rename = "articleBody")]
    article_body: &'a str,
    author: OrganizationRef<'a>,
    #[serde(rename = "datePublished")]
    date_published: &'a str,
    headline: &'a str,
    publisher: OrganizationRef<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

/// A meeting an article tells of.
#[derive(Serialize)]
struct EventRef<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

/// A news item as a schema.org NewsArticle, published by the society; its
/// date stays as precise as the data has it (ISO 8601 allows `2018-06`).
pub fn news_article(n: &NewsView, society: &SocietyView, urls: &Urls) -> String {
    let NewsView {
        id,
        date,
        // ISO 8601 in `date` says as much as these do.
        date_precision: _,
        date_text: _,
        title,
        text,
        meetings,
    } = n;
    script_text(&NewsArticleLd {
        context: CONTEXT,
        kind: "NewsArticle",
        about: meetings
            .iter()
            .map(|m| EventRef {
                kind: "Event",
                name: &m.name,
                url: urls.url(&format!("meetings/{}/", m.id)),
            })
            .collect(),
        article_body: text,
        author: society_ref(society, urls),
        date_published: date,
        headline: title,
        publisher: society_ref(society, urls),
        url: urls.url(&format!("news/{id}/")),
    })
}

/// JSON that is safe inside `<script type="application/ld+json">`: `<`, `>`
/// and `&` become `\u` escapes, so no text in the data can close the
/// element or open a comment, and the JSON still means the same.
fn script_text(value: &impl Serialize) -> String {
    const SCRIPT: super::Escapes =
        super::Escapes(&[(b'<', "\\u003c"), (b'>', "\\u003e"), (b'&', "\\u0026")]);
    // Room for a person's or a meeting's description, so that the buffer
    // is not grown a few bytes at a time.
    let mut bytes = Vec::with_capacity(1024);
    serde_json::to_writer_pretty(&mut bytes, value).expect("JSON-LD always serializes");
    let json = String::from_utf8(bytes).expect("serde_json writes UTF-8");
    if !json.bytes().any(|b| matches!(b, b'<' | b'>' | b'&')) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    // Writing to a String cannot fail.
    let _ = super::escape_into(&mut out, &json, &SCRIPT);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn script_text_cannot_close_the_element() {
        let value = json!({"name": "</script><!-- & x"});
        let out = script_text(&value);
        assert!(!out.contains('<') && !out.contains('>') && !out.contains('&'));
        let back: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back, value);
    }
}
