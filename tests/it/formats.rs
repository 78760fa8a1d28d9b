//! The vCard and iCalendar exports: snapshots of the fixture society, byte
//! level checks of every output, hostile text, audiences, determinism, and
//! real parsers (Python's icalendar and vobject, ical.js, vcard4 and the
//! Rust `ical` crate) compared with the data.
//!
//! Every check runs over three societies: the embedded data, the fixture
//! society (base URL, members-only details, every date precision, timed
//! meetings) and the hostile society (separators, escapes, markup, quotes,
//! a 300-letter non-ASCII run, emoji, combining marks and, set after
//! loading since the loader refuses it, a name with a line break).

mod lines;
mod parsers;

use nspm_core::{Audience, Meeting, Person, Society};
use nspm_export::{CalendarOptions, CardOptions, VcardVersion, ics, stamp_from, vcard};

use crate::support;

const VERSIONS: [VcardVersion; 2] = [VcardVersion::V3, VcardVersion::V4];
const AUDIENCES: [Audience; 2] = [Audience::Public, Audience::Members];

/// The family name given to a hostile person after loading: the loader
/// refuses line breaks in names, but the writers must not trust that.
const NAME_WITH_NEWLINE: &str = "Ünïcödé\nSecond line";

fn embedded() -> Society {
    Society::load_embedded().unwrap()
}

fn fixture() -> Society {
    Society::load_dir(&support::fixture("formats/society")).unwrap()
}

fn hostile() -> Society {
    let mut s = Society::load_dir(&support::fixture("formats/hostile")).unwrap();
    let i = s.people.iter().position(|p| p.id.as_str() == "long-name");
    s.people[i.unwrap()].family = NAME_WITH_NEWLINE.to_string();
    s
}

/// The fixture society with a photo for one person (made by the test),
/// so that every check of the cards meets a PHOTO.
fn with_photo() -> Society {
    let temp = support::with_photo(&support::fixture("formats/society"), "ingrid-berg");
    Society::load_dir(&temp.path().join("data")).unwrap()
}

fn societies() -> [(&'static str, Society); 4] {
    [
        ("embedded", embedded()),
        ("fixture", fixture()),
        ("hostile", hostile()),
        ("photo", with_photo()),
    ]
}

/// What an output file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Cards(VcardVersion, Audience),
    Calendar(Audience),
    /// One meeting's calendar: the index of the meeting.
    Meeting(usize),
}

#[derive(Debug)]
struct Output {
    name: String,
    kind: Kind,
    text: String,
}

fn everyone(society: &Society) -> Vec<&Person> {
    society.people.iter().collect()
}

fn all_meetings(society: &Society) -> Vec<&Meeting> {
    society.meetings.iter().collect()
}

fn calendar_options(society: &Society, audience: Audience) -> CalendarOptions {
    CalendarOptions {
        audience,
        stamp: stamp_from(society, None).unwrap(),
    }
}

fn label(version: VcardVersion, audience: Audience) -> String {
    format!("{version:?}_{audience:?}").to_lowercase()
}

/// The options of every kind of card file: each version for each audience.
fn every_card_options() -> impl Iterator<Item = CardOptions> {
    VERSIONS.into_iter().flat_map(|version| {
        AUDIENCES
            .into_iter()
            .map(move |audience| CardOptions { version, audience })
    })
}

/// Every file the exports make for a society.
fn outputs(society: &Society) -> Vec<Output> {
    let mut out = Vec::new();
    for opts in every_card_options() {
        out.push(Output {
            name: format!("cards_{}.vcf", label(opts.version, opts.audience)),
            kind: Kind::Cards(opts.version, opts.audience),
            text: vcard::cards(society, &everyone(society), &opts),
        });
    }
    for audience in AUDIENCES {
        out.push(Output {
            name: format!("calendar_{audience:?}.ics").to_lowercase(),
            kind: Kind::Calendar(audience),
            text: ics::calendar(
                society,
                &all_meetings(society),
                &calendar_options(society, audience),
            ),
        });
    }
    for (i, m) in society.meetings.iter().enumerate() {
        out.push(Output {
            name: format!("meeting_{}.ics", m.id),
            kind: Kind::Meeting(i),
            text: ics::meeting_calendar(society, m, &calendar_options(society, Audience::Public)),
        });
    }
    out
}

#[test]
fn fixture_snapshots() {
    let s = fixture();
    for opts in every_card_options() {
        let text = vcard::cards(&s, &everyone(&s), &opts);
        let name = format!("fixture_{}.vcf", label(opts.version, opts.audience));
        insta::assert_snapshot!(name, text);
    }
    let public = ics::calendar(
        &s,
        &all_meetings(&s),
        &calendar_options(&s, Audience::Public),
    );
    let members = ics::calendar(
        &s,
        &all_meetings(&s),
        &calendar_options(&s, Audience::Members),
    );
    // Meetings have no members-only field, so both audiences get one file.
    assert_eq!(public, members);
    insta::assert_snapshot!("fixture.ics", public);
    let h = hostile();
    let opts = CardOptions {
        version: VcardVersion::V3,
        audience: Audience::Members,
    };
    insta::assert_snapshot!(
        "hostile_v3_members.vcf",
        vcard::cards(&h, &everyone(&h), &opts)
    );
    insta::assert_snapshot!(
        "hostile.ics",
        ics::calendar(
            &h,
            &all_meetings(&h),
            &calendar_options(&h, Audience::Public)
        )
    );
}

#[test]
fn single_cards_and_calendars_are_the_bulk_file_in_parts() {
    let s = fixture();
    for opts in every_card_options() {
        let mut parts = vcard::society_card(&s, &opts);
        for p in &s.people {
            parts.push_str(&vcard::person_card(&s, p, &opts));
        }
        assert_eq!(parts, vcard::cards(&s, &everyone(&s), &opts));
    }
    let opts = calendar_options(&s, Audience::Public);
    let one = ics::meeting_calendar(&s, &s.meetings[2], &opts);
    let events: Vec<&str> = one.matches("BEGIN:VEVENT").collect();
    assert_eq!(events.len(), 1);
    assert!(one.contains("UID:bergen-2019@nfs.nspm\r\n"), "{one}");
    assert!(one.contains("SOURCE;VALUE=URI:https://nfs.example.org/meetings/bergen-2019.ics\r\n"));
}

#[test]
fn exports_are_deterministic() {
    for (name, s) in societies() {
        let first: Vec<String> = outputs(&s).into_iter().map(|o| o.text).collect();
        let again: Vec<String> = outputs(&s).into_iter().map(|o| o.text).collect();
        assert_eq!(first, again, "{name}");
    }
}

#[test]
fn the_stamp_comes_from_source_date_epoch_or_the_data_never_the_clock() {
    let s = fixture();
    // The latest `modified` of the fixture's meetings.
    assert_eq!(
        stamp_from(&s, None).unwrap().to_string(),
        "2019-10-01T08:30:00Z"
    );
    // The embedded data records no changes, so the stamp is the start of
    // its latest meeting's date, June 2018.
    assert_eq!(
        stamp_from(&embedded(), None).unwrap().to_string(),
        "2018-06-01T00:00:00Z"
    );
    assert_eq!(
        stamp_from(&s, Some("1700000000")).unwrap().to_string(),
        "2023-11-14T22:13:20Z"
    );
    for bad in ["", "soon", "-5", "1.5", "99999999999999"] {
        let err = stamp_from(&s, Some(bad)).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01T00:00:00Z, found \"{bad}\""
            )
        );
    }
    let ics = ics::calendar(
        &s,
        &all_meetings(&s),
        &calendar_options(&s, Audience::Public),
    );
    assert_eq!(
        ics.matches("DTSTAMP:20191001T083000Z\r\n").count(),
        s.meetings.len()
    );
}
