//! schema.org descriptions of the society, its people and its meetings, as
//! JSON-LD for search engines.

use nspm_core::view::{MeetingView, PersonView, SocietyView};
use serde_json::{Map, Value, json};

/// Where records live on the site, for the `url` fields: absolute when the
/// site has a base URL, left out otherwise (JSON-LD URLs should not depend
/// on which page they sit in).
pub struct Urls<'a> {
    pub base: Option<&'a str>,
}

impl Urls<'_> {
    fn url(&self, path: &str) -> Option<Value> {
        self.base.map(|b| Value::String(format!("{b}{path}")))
    }
}

fn object(pairs: Vec<(&str, Option<Value>)>) -> Value {
    let map: Map<String, Value> = pairs
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
        .collect();
    Value::Object(map)
}

fn text(s: &str) -> Option<Value> {
    Some(Value::String(s.to_string()))
}

fn society_ref(society: &SocietyView, urls: &Urls) -> Value {
    object(vec![
        ("@type", text("Organization")),
        ("name", text(&society.name)),
        ("url", urls.url("")),
    ])
}

/// A person; `member_of` is left out where the person already sits inside
/// the society's own description.
fn person_value(p: &PersonView, member_of: Option<&SocietyView>, urls: &Urls) -> Value {
    let same_as: Vec<Value> = [
        p.contact
            .orcid
            .as_ref()
            .map(|o| format!("https://orcid.org/{}", o.value)),
        p.contact.web.as_ref().map(|w| w.value.clone()),
    ]
    .into_iter()
    .flatten()
    .map(Value::String)
    .collect();
    object(vec![
        ("@type", text("Person")),
        ("name", text(&p.name)),
        ("givenName", text(&p.given_name)),
        ("familyName", text(&p.family_name)),
        ("url", urls.url(&format!("people/{}/", p.id))),
        (
            "affiliation",
            p.institution.as_ref().map(|i| {
                object(vec![
                    ("@type", text("Organization")),
                    ("name", text(&i.name)),
                    ("url", urls.url(&format!("institutions/{}/", i.id))),
                ])
            }),
        ),
        ("memberOf", member_of.map(|s| society_ref(s, urls))),
        ("email", p.contact.email.as_ref().map(|e| json!(e.value))),
        (
            "telephone",
            p.contact.phone.as_ref().map(|t| json!(t.value)),
        ),
        (
            "sameAs",
            (!same_as.is_empty()).then_some(Value::Array(same_as)),
        ),
    ])
}

/// The society as an Organization, with its members.
pub fn organization(society: &SocietyView, members: &[PersonView], urls: &Urls) -> Value {
    object(vec![
        ("@context", text("https://schema.org")),
        ("@type", text("Organization")),
        ("name", text(&society.name)),
        ("alternateName", text(&society.short_name)),
        ("description", text(&society.mission_intro)),
        ("email", text(&society.contact.email)),
        ("url", urls.url("")),
        (
            "member",
            Some(Value::Array(
                members
                    .iter()
                    .map(|p| person_value(p, None, urls))
                    .collect(),
            )),
        ),
    ])
}

pub fn person(p: &PersonView, society: &SocietyView, urls: &Urls) -> Value {
    let mut value = person_value(p, Some(society), urls);
    value["@context"] = json!("https://schema.org");
    value
}

/// A meeting as an Event. Its dates stay as precise as the data knows them:
/// ISO 8601 allows `2015-05` or `2014`, and a day is never made up.
pub fn event(m: &MeetingView, society: &SocietyView, urls: &Urls) -> Value {
    let place_name = m
        .venue
        .as_ref()
        .map(|v| v.name.clone())
        .or_else(|| m.city.clone())
        .unwrap_or_else(|| m.country.name.to_string());
    object(vec![
        ("@context", text("https://schema.org")),
        ("@type", text("Event")),
        ("name", text(&m.title)),
        ("startDate", text(&m.date)),
        ("endDate", m.end.as_deref().and_then(text)),
        ("description", m.summary.as_deref().and_then(text)),
        ("url", urls.url(&format!("meetings/{}/", m.id))),
        (
            "eventAttendanceMode",
            text("https://schema.org/OfflineEventAttendanceMode"),
        ),
        (
            "location",
            Some(object(vec![
                ("@type", text("Place")),
                ("name", text(&place_name)),
                (
                    "address",
                    Some(object(vec![
                        ("@type", text("PostalAddress")),
                        ("addressLocality", m.city.as_deref().and_then(text)),
                        ("addressCountry", text(m.country.code)),
                    ])),
                ),
            ])),
        ),
        ("organizer", Some(society_ref(society, urls))),
    ])
}

/// JSON that is safe inside `<script type="application/ld+json">`: `<`, `>`
/// and `&` become `\u` escapes, so no text in the data can close the
/// element or open a comment, and the JSON still means the same.
pub fn script_text(value: &Value) -> String {
    let json = serde_json::to_string_pretty(value).expect("JSON values always serialize");
    super::escape_with(&json, |c| match c {
        '<' => Some("\\u003c"),
        '>' => Some("\\u003e"),
        '&' => Some("\\u0026"),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_text_cannot_close_the_element() {
        let value = json!({"name": "</script><!-- & x"});
        let out = script_text(&value);
        assert!(!out.contains('<') && !out.contains('>') && !out.contains('&'));
        let back: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back, value);
    }
}
