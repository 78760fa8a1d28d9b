//! Checks on the bytes and content lines of every export, written from the
//! RFCs rather than from the writers' code.

use std::collections::{HashMap, HashSet};

use nspm_core::{Audience, PartialDate, Visibility};
use nspm_export::VcardVersion;

use super::{Kind, Output, hostile, outputs, societies};

/// One unfolded content line: `NAME;PARAMS:VALUE`.
#[derive(Debug)]
pub(super) struct Line {
    pub(super) name: String,
    params: String,
    pub(super) value: String,
}

/// Unfolds a file (RFC 5545 section 3.1) into its content lines.
pub(super) fn unfold(text: &str) -> Vec<Line> {
    text.replace("\r\n ", "")
        .split_terminator("\r\n")
        .map(|l| {
            let (head, value) = l
                .split_once(':')
                .unwrap_or_else(|| panic!("no colon: {l:?}"));
            let (name, params) = head.split_once(';').unwrap_or((head, ""));
            Line {
                name: name.to_ascii_uppercase(),
                params: params.to_string(),
                value: value.to_string(),
            }
        })
        .collect()
}

/// The separators in a text value that are not escaped, and whether every
/// backslash starts one of the escapes the RFCs allow.
fn unescaped_separators(value: &str) -> (usize, usize, bool) {
    let (mut semicolons, mut commas, mut escapes_ok) = (0, 0, true);
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                escapes_ok &= matches!(chars.next(), Some('\\' | ';' | ',' | 'n' | 'N'));
            }
            ';' => semicolons += 1,
            ',' => commas += 1,
            _ => {}
        }
    }
    (semicolons, commas, escapes_ok)
}

/// Properties whose value is a single text, in either format.
const TEXT: &[&str] = &[
    "FN",
    "TITLE",
    "ROLE",
    "NICKNAME",
    "SUMMARY",
    "LOCATION",
    "DESCRIPTION",
    "NAME",
    "X-WR-CALNAME",
    "X-WR-CALDESC",
];

/// Structured vCard properties and how many `;` separate their components.
const STRUCTURED: &[(&str, usize)] = &[("N", 4), ("ADR", 6), ("ORG", 0)];

#[test]
fn every_line_is_crlf_ended_folded_at_75_octets_and_utf8_never_after_white_space() {
    for (society, s) in societies() {
        for o in outputs(&s) {
            let bytes = o.text.as_bytes();
            let at = format!("{society}/{}", o.name);
            assert!(bytes.ends_with(b"\r\n"), "{at}: no final CRLF");
            for (i, &b) in bytes.iter().enumerate() {
                if b == b'\n' {
                    assert!(i > 0 && bytes[i - 1] == b'\r', "{at}: bare LF at byte {i}");
                }
                if b == b'\r' {
                    assert_eq!(bytes.get(i + 1), Some(&b'\n'), "{at}: bare CR at byte {i}");
                }
            }
            for (n, physical) in bytes.split(|&b| b == b'\n').enumerate() {
                let content = physical.strip_suffix(b"\r").unwrap_or(physical);
                assert!(
                    content.len() <= 75,
                    "{at}: line {} has {} octets",
                    n + 1,
                    content.len()
                );
                // Each physical line is valid UTF-8 on its own: no character
                // was split by folding.
                assert!(
                    std::str::from_utf8(content).is_ok(),
                    "{at}: line {} splits a character",
                    n + 1
                );
            }
            // No line that is folded ends in white space, which readers
            // that trim lines would drop.
            let physical: Vec<&str> = o.text.split("\r\n").collect();
            for (n, pair) in physical.windows(2).enumerate() {
                let folded = pair[1].starts_with(' ');
                assert!(
                    !(folded && pair[0].ends_with(char::is_whitespace)),
                    "{at}: line {} is folded after white space: {:?}",
                    n + 1,
                    pair[0]
                );
            }
        }
    }
}

#[test]
fn text_values_have_no_unescaped_separators() {
    for (society, s) in societies() {
        for o in outputs(&s) {
            for l in unfold(&o.text) {
                let at = format!("{society}/{}: {}:{}", o.name, l.name, l.value);
                assert!(
                    !l.value.chars().any(|c| c.is_control() && c != '\t'),
                    "{at}"
                );
                if TEXT.contains(&l.name.as_str()) {
                    // iCalendar and vCard 3.0 escape `;` in all text; RFC
                    // 6350 allows it in 4.0's single values, and readers
                    // that split every value at a bare `;` need it there.
                    let (semicolons, commas, escapes_ok) = unescaped_separators(&l.value);
                    assert_eq!((semicolons, commas, escapes_ok), (0, 0, true), "{at}");
                }
                if let Some(&(_, separators)) = STRUCTURED.iter().find(|(n, _)| *n == l.name) {
                    let (semicolons, commas, escapes_ok) = unescaped_separators(&l.value);
                    assert_eq!(
                        (semicolons, commas, escapes_ok),
                        (separators, 0, true),
                        "{at}"
                    );
                }
            }
        }
    }
}

/// The unfolded lines of an output, as text, for looking values up.
fn unfolded(o: &Output) -> String {
    o.text.replace("\r\n ", "")
}

#[test]
fn hostile_text_comes_out_escaped_and_folded() {
    let s = hostile();
    let outs = outputs(&s);
    let find = |name: &str| outs.iter().find(|o| o.name == name).map(unfolded).unwrap();
    let v3 = find("cards_v3_members.vcf");
    let v4 = find("cards_v4_members.vcf");
    let ics = find("calendar_public.ics");
    let run: String = "Þórðurßøæåöü".chars().cycle().take(300).collect();
    for cards in [&v3, &v4] {
        for line in [
            // Separators escaped in single text values too, in both versions.
            r#"FN:<script>alert("x")</script> O'Brien\; Jr.\, \\ "Bob""#,
            r#"FN:Society\; of\, \\ "Hostile" <script>alert(1)</script>"#,
            "TITLE:Member of the I\\;N\\,I Steering Committee and Treasurer of H\\;S\\,\\\\",
            // A semicolon, comma, backslash, quotes and markup in a name.
            r#"N:O'Brien\; Jr.\, \\ "Bob";<script>alert("x")</script>;;;"#,
            r#"ORG:Institute\; Dept\, \\Back\\ "Quoted""#,
            "ADR;TYPE=work:;;;;;;Denmark",
            // URI values are not escaped, so separators are percent-encoded.
            "URL:https://hostile.example.org/a%2Cb%3Bc?d=1&e=%3C2%3E",
            // Emoji and combining marks, whole however the line was folded.
            "FN:Zoe\u{308} Maria Nguye\u{302}\u{303}n \u{1F469}\u{1F3FD}\u{200D}\u{1F52C} Brønsted-Ærø 🧬 Ðurđević van der Berg",
            // A line break in a name.
            &format!(r"FN:{run} Ünïcödé\nSecond line"),
            &format!(r"N:Ünïcödé\nSecond line;{run};;;"),
        ] {
            assert!(
                cards.contains(&format!("\r\n{line}\r\n")),
                "missing {line:?} in\n{cards}"
            );
        }
    }
    for line in [
        r#"SUMMARY:Meeting\; with\, \\ "quotes" <script>alert(2)</script>"#,
        r#"LOCATION:Institute\; Dept\, \\Back\\ "Quoted"\, Køge\, Sjælland\; DK\, Denmark"#,
        &format!(
            r#"DESCRIPTION:First line\nsecond line\; with\, separators \\ and "quotes"\nthird line {run}"#
        ),
        &format!("SUMMARY:{run} (date: July 2019\\, day not known)"),
    ] {
        assert!(
            ics.contains(&format!("\r\n{line}\r\n")),
            "missing {line:?} in\n{ics}"
        );
    }
    // The 300-letter run, two octets a letter, is folded over several lines.
    let raw = &outs
        .iter()
        .find(|o| o.name == "calendar_public.ics")
        .unwrap()
        .text;
    assert!(!raw.contains(&run));
}

#[test]
fn cards_are_well_formed() {
    for (society, s) in societies() {
        let mut uids_by_fn: HashMap<String, HashSet<String>> = HashMap::new();
        for o in outputs(&s) {
            let Kind::Cards(version, _) = o.kind else {
                continue;
            };
            let at = format!("{society}/{}", o.name);
            let lines = unfold(&o.text);
            let cards: Vec<&[Line]> = lines.split_inclusive(|l| l.name == "END").collect();
            assert_eq!(cards.len(), 1 + s.people.len(), "{at}");
            let mut uids = HashSet::new();
            for card in cards {
                assert_eq!(
                    (card[0].name.as_str(), card[0].value.as_str()),
                    ("BEGIN", "VCARD"),
                    "{at}"
                );
                let last = &card[card.len() - 1];
                assert_eq!(last.value, "VCARD", "{at}");
                // VERSION right after BEGIN (RFC 6350 requires it; 3.0 readers
                // expect it too), and exactly once.
                let number = if version == VcardVersion::V3 {
                    "3.0"
                } else {
                    "4.0"
                };
                assert_eq!(
                    (card[1].name.as_str(), card[1].value.as_str()),
                    ("VERSION", number),
                    "{at}"
                );
                let count = |name: &str| card.iter().filter(|l| l.name == name).count();
                assert_eq!(count("VERSION"), 1, "{at}");
                assert_eq!(count("BEGIN"), 1, "{at}");
                assert_eq!(count("FN"), 1, "{at}");
                assert_eq!(count("N"), 1, "{at}");
                assert_eq!(count("UID"), 1, "{at}");
                let uid = &card.iter().find(|l| l.name == "UID").unwrap().value;
                assert!(
                    uid.starts_with("urn:uuid:") && uid.len() == 45,
                    "{at}: {uid}"
                );
                assert!(uids.insert(uid.clone()), "{at}: UID {uid} twice");
                let name = &card.iter().find(|l| l.name == "FN").unwrap().value;
                uids_by_fn
                    .entry(name.clone())
                    .or_default()
                    .insert(uid.clone());
            }
            // The society's card shows as an organisation in both versions.
            let first = cards_kind(&lines);
            assert_eq!(
                first,
                if version == VcardVersion::V3 {
                    "X-ABSHOWAS:COMPANY"
                } else {
                    "KIND:org"
                },
                "{at}"
            );
        }
        // The same person has the same UID in every version and audience.
        for (name, uids) in uids_by_fn {
            assert_eq!(uids.len(), 1, "{society}: {name} has UIDs {uids:?}");
        }
    }
}

fn cards_kind(lines: &[Line]) -> String {
    lines
        .iter()
        .take_while(|l| l.name != "END")
        .find(|l| l.name == "KIND" || l.name == "X-ABSHOWAS")
        .map(|l| format!("{}:{}", l.name, l.value))
        .unwrap_or_default()
}

#[test]
fn calendar_events_are_complete_and_honest_about_dates() {
    for (society, s) in societies() {
        for o in outputs(&s) {
            if matches!(o.kind, Kind::Cards(..)) {
                continue;
            }
            let at = format!("{society}/{}", o.name);
            let lines = unfold(&o.text);
            let calendar_props: Vec<&str> = lines
                .iter()
                .take_while(|l| l.name != "BEGIN" || l.value == "VCALENDAR")
                .map(|l| l.name.as_str())
                .collect();
            for needed in [
                "VERSION",
                "PRODID",
                "NAME",
                "X-WR-CALNAME",
                "REFRESH-INTERVAL",
                "X-PUBLISHED-TTL",
            ] {
                assert!(calendar_props.contains(&needed), "{at}: no {needed}");
            }
            assert!(!lines.iter().any(|l| l.name == "METHOD"), "{at}: METHOD");
            let zones: HashSet<&str> = lines
                .iter()
                .filter(|l| l.name == "TZID")
                .map(|l| l.value.as_str())
                .collect();
            for l in &lines {
                if let Some(tzid) = l.params.split(';').find_map(|p| p.strip_prefix("TZID=")) {
                    assert!(
                        zones.contains(tzid),
                        "{at}: TZID {tzid} without a VTIMEZONE"
                    );
                }
            }
            let events: Vec<&[Line]> = lines
                .split(|l| l.name == "BEGIN" && l.value == "VEVENT")
                .skip(1)
                .map(|rest| {
                    let end = rest.iter().position(|l| l.name == "END").unwrap();
                    &rest[..end]
                })
                .collect();
            let meetings: Vec<_> = match o.kind {
                Kind::Meeting(i) => vec![&s.meetings[i]],
                _ => s.meetings.iter().collect(),
            };
            assert_eq!(events.len(), meetings.len(), "{at}");
            let mut uids = HashSet::new();
            for (event, m) in events.iter().zip(meetings) {
                let at = format!("{at}: {}", m.id);
                let get = |name: &str| -> Vec<&Line> {
                    event.iter().filter(|l| l.name == name).collect()
                };
                for needed in ["UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE"] {
                    assert_eq!(get(needed).len(), 1, "{at}: {needed}");
                }
                assert!(uids.insert(get("UID")[0].value.clone()), "{at}: UID twice");
                assert_eq!(get("UID")[0].value, format!("{}@{}.nspm", m.id, s.info.id));
                assert_eq!(get("SEQUENCE")[0].value, m.revision.to_string(), "{at}");
                assert_eq!(
                    get("LAST-MODIFIED").len(),
                    usize::from(m.modified.is_some()),
                    "{at}"
                );
                let (start, end) = (get("DTSTART")[0], get("DTEND")[0]);
                assert_eq!(
                    start.params, end.params,
                    "{at}: DTSTART and DTEND of different kinds"
                );
                assert!(
                    end.value > start.value,
                    "{at}: DTEND {} not after DTSTART {}",
                    end.value,
                    start.value
                );
                let summary = &get("SUMMARY")[0].value;
                let transparent = get("TRANSP")
                    .first()
                    .is_some_and(|l| l.value == "TRANSPARENT");
                match m.date {
                    PartialDate::Day(..) => {
                        assert!(!summary.contains("not known"), "{at}");
                        let timed = m.starts.is_some();
                        assert_eq!(start.params.is_empty(), timed, "{at}");
                        if timed {
                            assert!(
                                start.value.ends_with('Z') && end.value.ends_with('Z'),
                                "{at}"
                            );
                        } else {
                            assert_eq!(start.params, "VALUE=DATE", "{at}");
                        }
                    }
                    PartialDate::Month(y, mo) => {
                        assert!(summary.ends_with(r"\, day not known)"), "{at}: {summary}");
                        assert!(transparent, "{at}");
                        assert_eq!(start.value, format!("{y:04}{mo:02}01"), "{at}");
                    }
                    PartialDate::Year(y) => {
                        assert!(
                            summary.ends_with(r"\, month and day not known)"),
                            "{at}: {summary}"
                        );
                        assert!(transparent, "{at}");
                        assert_eq!(
                            (start.value.as_str(), end.value.clone()),
                            (format!("{y}0101").as_str(), format!("{}0101", y + 1)),
                            "{at}"
                        );
                    }
                }
                // A page link only when it can be absolute.
                let urls = get("URL");
                match &s.info.base_url {
                    Some(base) => {
                        assert_eq!(urls[0].value, format!("{base}meetings/{}/", m.id), "{at}")
                    }
                    None => assert!(urls.is_empty(), "{at}"),
                }
            }
        }
    }
}

#[test]
fn public_output_contains_no_members_only_value() {
    for (society, s) in societies() {
        let hidden: Vec<&str> = s
            .people
            .iter()
            .flat_map(|p| p.details(Audience::Members))
            .filter(|(_, d)| d.visibility == Visibility::Members)
            .map(|(_, d)| d.value.as_str())
            .collect();
        if society != "embedded" {
            assert!(
                !hidden.is_empty(),
                "{society} has members-only details to test with"
            );
        }
        for o in outputs(&s) {
            let text = unfolded(&o);
            let members = matches!(o.kind, Kind::Cards(_, Audience::Members));
            for value in &hidden {
                // A phone number is written as a tel: URI in 4.0.
                let tel = value.replace(' ', "-");
                let shown = text.contains(value) || (value.starts_with('+') && text.contains(&tel));
                assert_eq!(shown, members, "{society}/{}: {value}", o.name);
            }
        }
    }
}

/// Members see every detail in the data; the public sees only the public ones.
#[test]
fn members_cards_carry_every_detail() {
    let s = super::fixture();
    let outs = outputs(&s);
    let v3 = unfolded(
        outs.iter()
            .find(|o| o.name == "cards_v3_members.vcf")
            .unwrap(),
    );
    for line in [
        "EMAIL;TYPE=INTERNET:ingrid.berg@uib.example.org",
        "TEL;TYPE=WORK,VOICE:+47 55 58 00 00",
        "URL:https://orcid.org/0000-0002-1825-0097",
        "URL:https://members.example.org/ingrid",
        "EMAIL;TYPE=INTERNET:jon.private@example.is",
        "URL:https://orcid.org/0000-0001-5109-3700",
    ] {
        assert!(v3.contains(&format!("\r\n{line}\r\n")), "{line}");
    }
    let v4 = unfolded(
        outs.iter()
            .find(|o| o.name == "cards_v4_public.vcf")
            .unwrap(),
    );
    assert!(v4.contains("\r\nTEL;VALUE=uri;TYPE=work,voice:tel:+46-18-471-00-00\r\n"));
    assert!(!v4.contains("jon.private"));
}
