//! Real parsers read every export, and what they understood is compared
//! with the data: Python's `icalendar` for calendars, `vobject` for cards,
//! ical.js (Thunderbird's parser) for both, and npm's vcard4 for 4.0 cards.
//! Each script prints the same JSON shape (see tests/tools/parse_*.py,
//! parse.mjs and parse_vcard4.mjs). The Rust `ical` crate, which trims the
//! lines it reads, reads every content line whole.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use chrono::Datelike as _;
use nspm_core::{Audience, Meeting, PartialDate, Person, Role, Society};
use nspm_export::VcardVersion;
use serde_json::{Value, json};

use super::lines::unfold;
use super::{Kind, Output, outputs, societies};
use crate::support;

/// Runs a parser over files and gives its JSON, keyed by path. Fails loudly
/// when the parser is missing or rejects a file.
fn parse(program: &Path, script: &str, files: &[PathBuf]) -> HashMap<String, Value> {
    if files.is_empty() {
        return HashMap::new();
    }
    let script = support::root().join("tests/tools").join(script);
    let out = support::tool_stdout(Command::new(program).arg(&script).args(files));
    serde_json::from_str(&out).expect("the parser script prints JSON")
}

fn python() -> PathBuf {
    support::root().join(".tools/venv/bin/python")
}

fn node() -> PathBuf {
    PathBuf::from("node")
}

/// A web address as the exports must write it: percent-encoded where a URI
/// may not hold a character, and at `,` and `;`, which readers split at.
fn as_uri(address: &str) -> String {
    address
        .bytes()
        .map(|b| match b {
            b',' | b';' | b'<' | b'>' | b'"' | b'\\' | b' ' | 0x80.. => format!("%{b:02X}"),
            b => char::from(b).to_string(),
        })
        .collect()
}

fn date_text((y, m, d): (i32, u8, u8)) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

/// The first day of a meeting and the day after its last, or its moments in
/// UTC when it has times; a month or year spans all of it.
fn expected_span(m: &Meeting) -> (String, String) {
    if let Some((start, end)) = m.utc_times() {
        return (start.to_string(), end.to_string());
    }
    let after = |(y, mo, d): (i32, u8, u8)| {
        let next = chrono::NaiveDate::from_ymd_opt(y, mo.into(), d.into())
            .and_then(|day| day.succ_opt())
            .expect("the data's days are real");
        (next.year(), next.month() as u8, next.day() as u8)
    };
    match m.date {
        PartialDate::Day(y, mo, d) => {
            let last = match m.end {
                Some(PartialDate::Day(y, mo, d)) => (y, mo, d),
                _ => (y, mo, d),
            };
            (date_text((y, mo, d)), date_text(after(last)))
        }
        PartialDate::Month(y, mo) => {
            let next = if mo == 12 {
                (y + 1, 1, 1)
            } else {
                (y, mo + 1, 1)
            };
            (date_text((y, mo, 1)), date_text(next))
        }
        PartialDate::Year(y) => (date_text((y, 1, 1)), date_text((y + 1, 1, 1))),
    }
}

fn expected_event(s: &Society, m: &Meeting) -> Value {
    let (start, end) = expected_span(m);
    let summary = match m.date {
        PartialDate::Day(..) => m.title.clone(),
        PartialDate::Month(..) => format!("{} (date: {}, day not known)", m.title, m.date.human()),
        PartialDate::Year(y) => format!("{} (date: {y}, month and day not known)", m.title),
    };
    let venue = m
        .venue
        .as_ref()
        .and_then(|v| s.institution(v.as_str()))
        .map(|i| i.name.as_str());
    let location: Vec<&str> = [venue, m.city.as_deref(), Some(m.country.name())]
        .into_iter()
        .flatten()
        .collect();
    json!({
        "uid": format!("{}@{}.nspm", m.id, s.info.id),
        "summary": summary,
        "start": start,
        "end": end,
        "location": location.join(", "),
        "sequence": m.revision,
        "url": s.info.base_url.as_ref().map(|b| as_uri(&format!("{b}meetings/{}/", m.id))),
        "transparent": !matches!(m.date, PartialDate::Day(..)),
    })
}

fn expected_calendar(s: &Society, kind: Kind) -> Value {
    let (name, meetings): (String, Vec<&Meeting>) = match kind {
        Kind::Meeting(i) => {
            let m = &s.meetings[i];
            (format!("{} ({})", m.title, s.info.short_name), vec![m])
        }
        _ => (
            format!("{} meetings", s.info.short_name),
            s.meetings.iter().collect(),
        ),
    };
    json!({
        "name": name,
        "events": meetings.iter().map(|m| expected_event(s, m)).collect::<Vec<_>>(),
    })
}

fn role_title(s: &Society, role: Role) -> String {
    match role {
        Role::SteeringCommittee => format!(
            "Member of the {} Steering Committee",
            s.info.initiative.short_name
        ),
        other => format!("{} of {}", other.label(), s.info.short_name),
    }
}

fn expected_person(s: &Society, p: &Person, version: VcardVersion, audience: Audience) -> Value {
    let visible = |d: &Option<nspm_core::Detail>| -> Option<String> {
        d.as_ref()
            .filter(|d| audience.sees(d.visibility))
            .map(|d| d.value.clone())
    };
    let tel = visible(&p.phone).map(|t| match version {
        VcardVersion::V3 => t,
        VcardVersion::V4 => format!("tel:{}", t.replace(' ', "-")),
    });
    let urls: Vec<String> = [
        visible(&p.orcid).map(|o| format!("https://orcid.org/{o}")),
        visible(&p.web).map(|w| as_uri(&w)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let titles: Vec<String> = p.roles.iter().map(|&r| role_title(s, r)).collect();
    json!({
        "version": version_number(version),
        "kind": "individual",
        "fn": p.name(),
        "family": p.family,
        "given": p.given,
        "org": s.institution_of(p).map(|i| i.name.clone()),
        "title": (!titles.is_empty()).then(|| titles.join(" and ")),
        "roles": p.roles.iter().map(|r| r.label()).collect::<Vec<_>>(),
        "country": p.country.name(),
        "emails": visible(&p.email).into_iter().collect::<Vec<_>>(),
        "tels": tel.into_iter().collect::<Vec<_>>(),
        "urls": urls,
        // The card's JPEG, byte for byte, as base64.
        "photo": nspm_export::photo::card_jpeg(p)
            .map(|jpeg| base64::engine::general_purpose::STANDARD.encode(jpeg)),
    })
}

fn version_number(version: VcardVersion) -> &'static str {
    match version {
        VcardVersion::V3 => "3.0",
        VcardVersion::V4 => "4.0",
    }
}

fn expected_cards(s: &Society, version: VcardVersion, audience: Audience) -> Value {
    let society = json!({
        "version": version_number(version),
        "kind": "org",
        "fn": s.info.name,
        "family": "",
        "given": "",
        "org": s.info.name,
        "title": null,
        "roles": [],
        "country": null,
        "emails": [s.info.contact.email],
        "tels": [],
        "urls": s.info.base_url.iter().map(|b| as_uri(b)).collect::<Vec<_>>(),
        "photo": null,
    });
    let mut all = vec![society];
    all.extend(
        s.people
            .iter()
            .map(|p| expected_person(s, p, version, audience)),
    );
    Value::Array(all)
}

/// Takes the UIDs out of parsed cards (they are random-looking by design)
/// and gives them by full name, so they can be compared across parsers,
/// versions and audiences.
fn take_uids(cards: &mut Value, uids: &mut HashMap<String, String>, at: &str) {
    for card in cards.as_array_mut().unwrap() {
        let card = card.as_object_mut().unwrap();
        let uid = card
            .remove("uid")
            .and_then(|u| u.as_str().map(String::from));
        let uid = uid.unwrap_or_else(|| panic!("{at}: a card without UID"));
        // As JSON, so that a name a parser split into parts (a list) is
        // kept apart from the others and the comparison below shows it.
        let name = card["fn"].to_string();
        let first = uids.entry(name.clone()).or_insert_with(|| uid.clone());
        assert_eq!(*first, uid, "{at}: {name} has two UIDs");
    }
}

/// Takes the descriptions out of parsed events and checks that each holds
/// the meeting's summary, line breaks intact.
fn take_descriptions(calendar: &mut Value, s: &Society, kind: Kind, at: &str) {
    let meetings: Vec<&Meeting> = match kind {
        Kind::Meeting(i) => vec![&s.meetings[i]],
        _ => s.meetings.iter().collect(),
    };
    let events = calendar["events"].as_array_mut().unwrap();
    for (event, m) in events.iter_mut().zip(meetings) {
        let description = event.as_object_mut().unwrap().remove("description");
        let description = description
            .as_ref()
            .and_then(Value::as_str)
            .unwrap_or_default();
        if let Some(summary) = &m.summary {
            let summary = summary.replace("\r\n", "\n");
            assert!(
                description.contains(&summary),
                "{at}: {} description {description:?}",
                m.id
            );
        }
        if !matches!(m.date, PartialDate::Day(..)) {
            assert!(description.contains("not known"), "{at}: {}", m.id);
        }
    }
}

/// ical.js reads every vCard's single text values by the grammar of RFC
/// 6350, in which `\;` is no escape, so it keeps the backslash of the `\;`
/// that RFC 2426 requires in 3.0 and RFC 6350's own section 3.4 allows in
/// 4.0 (and that Evolution and vcard4 need there, since they split every
/// value at a bare `;`). Its structured values (N, ORG) are read right.
/// This undoes that one known difference, for the single text values only,
/// so everything else is still compared.
fn undo_icaljs_semicolons(cards: &mut Value) {
    for card in cards.as_array_mut().unwrap() {
        for key in ["fn", "title"] {
            if let Some(Value::String(text)) = card.get_mut(key) {
                *text = text.replace("\\;", ";");
            }
        }
    }
}

#[test]
fn real_parsers_read_what_the_data_says() {
    if !support::external_tests("the comparison with icalendar, vobject, ical.js and vcard4") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut compared = 0;
    for (society, s) in societies() {
        let outs: Vec<Output> = outputs(&s);
        let mut paths = Vec::new();
        for o in &outs {
            let path = dir.path().join(format!("{society}_{}", o.name));
            std::fs::write(&path, &o.text).unwrap();
            paths.push(path);
        }
        // The files of the kinds a parser reads.
        let of = |kind: fn(Kind) -> bool| -> Vec<PathBuf> {
            outs.iter()
                .zip(&paths)
                .filter(|(o, _)| kind(o.kind))
                .map(|(_, p)| p.clone())
                .collect()
        };
        let mut parsed: Vec<(&str, HashMap<String, Value>)> = vec![
            (
                "icalendar",
                parse(
                    &python(),
                    "parse_ics.py",
                    &of(|k| !matches!(k, Kind::Cards(..))),
                ),
            ),
            (
                "vobject",
                parse(
                    &python(),
                    "parse_vcf.py",
                    &of(|k| matches!(k, Kind::Cards(..))),
                ),
            ),
            ("ical.js", parse(&node(), "parse.mjs", &paths)),
            (
                "vcard4",
                parse(
                    &node(),
                    "parse_vcard4.mjs",
                    &of(|k| matches!(k, Kind::Cards(VcardVersion::V4, _))),
                ),
            ),
        ];
        let mut uids = HashMap::new();
        for (o, path) in outs.iter().zip(&paths) {
            let key = path.display().to_string();
            for (parser, results) in parsed.iter_mut() {
                let Some(got) = results.get_mut(&key) else {
                    continue;
                };
                let at = format!("{parser} on {society}/{}", o.name);
                let expected = match o.kind {
                    Kind::Cards(version, audience) => {
                        if *parser == "ical.js" {
                            undo_icaljs_semicolons(got);
                        }
                        take_uids(got, &mut uids, &at);
                        expected_cards(&s, version, audience)
                    }
                    kind => {
                        take_descriptions(got, &s, kind, &at);
                        expected_calendar(&s, kind)
                    }
                };
                assert_eq!(*got, expected, "{at}");
                compared += 1;
            }
        }
        let distinct: std::collections::HashSet<&String> = uids.values().collect();
        assert_eq!(
            distinct.len(),
            uids.len(),
            "{society}: two cards share a UID"
        );
    }
    // Each output read by two parsers, icalendar or vobject, and ical.js;
    // the two 4.0 card files of each society by vcard4 as well.
    assert_eq!(
        compared,
        2 * (12 + 12 + 8 + 12) + 4 * 2,
        "every output was compared"
    );
}

/// The Rust `ical` crate trims white space off the end of every physical
/// line before it unfolds them, as other readers do, so a folded line that
/// ended in a space would lose it ("spans thewhole month"). It must read
/// every content line of every export as RFC 5545's unfolding gives it.
#[test]
fn a_reader_that_trims_lines_reads_every_value_whole() {
    for (society, s) in societies() {
        for o in outputs(&s) {
            let at = format!("{society}/{}", o.name);
            let expected = unfold(&o.text);
            let read: Vec<ical::property::Property> =
                ical::PropertyParser::from_reader(o.text.as_bytes())
                    .map(|p| p.unwrap_or_else(|e| panic!("{at}: {e}")))
                    .collect();
            assert_eq!(read.len(), expected.len(), "{at}: content lines");
            for (got, line) in read.iter().zip(&expected) {
                assert_eq!(got.name.to_ascii_uppercase(), line.name, "{at}");
                assert_eq!(
                    got.value.as_deref().unwrap_or_default(),
                    line.value,
                    "{at}: {}",
                    line.name
                );
            }
        }
    }
}
