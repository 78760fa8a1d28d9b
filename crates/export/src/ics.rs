//! Meeting calendars: iCalendar (RFC 5545) with the calendar properties of
//! RFC 7986, for `/calendar.ics` and `/meetings/{id}.ics`.
//!
//! # Dates as precise as the data, and no more
//!
//! - A meeting known to the day is an all-day event: `DTSTART;VALUE=DATE`
//!   on its first day and an exclusive `DTEND` the day after its last.
//! - A meeting with times (`starts`, `ends`, `zone`) is a timed event in UTC
//!   (`DTSTART:…Z`), converted with the zone's own rules, so no VTIMEZONE is
//!   needed and every client places it right.
//! - A meeting known only to the month or the year spans that whole month or
//!   year, so the society's history still shows in calendars. It is flagged
//!   in its SUMMARY ("(date: May 2015, day not known)") and DESCRIPTION, and
//!   is `TRANSP:TRANSPARENT` so it blocks no one's time. It never sits on a
//!   particular day that the data does not give.
//!
//! There is no METHOD: these are published calendars, not invitations.

use chrono::{Datelike as _, NaiveDate};
use nspm_core::{Audience, Meeting, PartialDate, Society, Timestamp};

use crate::text::{Lines, PRODID, uri};

/// How to write a calendar, and for whom.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CalendarOptions {
    /// Who reads it. Meetings carry no members-only field today; the
    /// audience is taken so that one added later is filtered here.
    pub audience: Audience,
    /// DTSTAMP of every event: see [`crate::stamp_for`].
    pub stamp: Timestamp,
}

/// How often subscribers should fetch the calendar again.
const REFRESH: &str = "P1D";

/// The calendar of the given meetings, in the order given.
pub fn calendar(society: &Society, meetings: &[&Meeting], opts: &CalendarOptions) -> String {
    let info = &society.info;
    let name = format!("{} meetings", info.short_name);
    let description = format!("Meetings of the {}", info.name);
    write(society, &name, &description, "calendar.ics", meetings, opts)
}

/// A calendar holding one meeting, to add it alone.
pub fn meeting_calendar(society: &Society, meeting: &Meeting, opts: &CalendarOptions) -> String {
    let name = format!("{} ({})", meeting.title, society.info.short_name);
    let description = format!("{}: {}", society.info.name, meeting.title);
    let path = format!("meetings/{}.ics", meeting.id);
    write(society, &name, &description, &path, &[meeting], opts)
}

/// The path of a meeting's page below the site's base URL.
fn page_path(meeting: &Meeting) -> String {
    format!("meetings/{}/", meeting.id)
}

fn write(
    society: &Society,
    name: &str,
    description: &str,
    path: &str,
    meetings: &[&Meeting],
    opts: &CalendarOptions,
) -> String {
    let mut out = Lines::new();
    begin(&mut out);
    out.text("NAME", name);
    out.text("X-WR-CALNAME", name);
    out.text("DESCRIPTION", description);
    out.text("X-WR-CALDESC", description);
    if let Some(base) = &society.info.base_url {
        out.prop("SOURCE;VALUE=URI", &uri(&format!("{base}{path}")));
    }
    out.prop("REFRESH-INTERVAL;VALUE=DURATION", REFRESH);
    out.prop("X-PUBLISHED-TTL", REFRESH);
    for meeting in meetings {
        write_event(&mut out, society, meeting, opts);
    }
    out.prop("END", "VCALENDAR");
    out.finish()
}

/// A calendar object resource for CalDAV (RFC 4791 section 4.1): one
/// meeting's VEVENT in a VCALENDAR that says nothing of a feed (no name,
/// source or refresh interval, which belong to the collection). Its events
/// are in UTC or all-day, so it needs no VTIMEZONE.
pub fn event_object(society: &Society, meeting: &Meeting, opts: &CalendarOptions) -> String {
    let mut out = Lines::new();
    begin(&mut out);
    write_event(&mut out, society, meeting, opts);
    out.prop("END", "VCALENDAR");
    out.finish()
}

fn begin(out: &mut Lines) {
    out.prop("BEGIN", "VCALENDAR");
    out.prop("VERSION", "2.0");
    out.prop("PRODID", PRODID);
    out.prop("CALSCALE", "GREGORIAN");
}

/// When a meeting's event takes place, as its DTSTART and DTEND say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// A timed event, from one moment to another.
    Timed(Timestamp, Timestamp),
    /// An all-day event from its first day up to the day after its last
    /// (DTEND is exclusive): a meeting known only to the month or the year
    /// spans the whole month or year.
    AllDay(NaiveDate, NaiveDate),
}

impl When {
    /// The span in seconds since the Unix epoch, the end exclusive. An
    /// all-day event's dates are floating (RFC 5545 section 3.3.4); with
    /// no time zone of its own the calendar takes them as UTC days, as
    /// RFC 4791 section 9.9 lets a server do for a calendar without one.
    pub fn unix_span(self) -> (i64, i64) {
        match self {
            When::Timed(s, e) => (s.unix(), e.unix()),
            When::AllDay(s, e) => {
                let midnight =
                    |d: NaiveDate| d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp();
                (midnight(s), midnight(e))
            }
        }
    }
}

/// When `meeting` takes place; None only for dates the check refuses.
pub fn when(meeting: &Meeting) -> Option<When> {
    match (meeting.date, meeting.utc_times()) {
        (PartialDate::Day(..), Some((starts, ends))) => Some(When::Timed(starts, ends)),
        (PartialDate::Day(y, m, d), None) => {
            let (y, m, d) = meeting.last_day().unwrap_or((y, m, d));
            all_day(meeting.date, PartialDate::Day(y, m, d))
        }
        (date, _) => all_day(date, date),
    }
}

/// An all-day event from the first day of `first` up to the day after the
/// last day of `last`.
fn all_day(first: PartialDate, last: PartialDate) -> Option<When> {
    let (start, _) = first.days()?;
    let (_, end) = last.days()?;
    Some(When::AllDay(start, end))
}

/// The UID of a meeting's event: the same for the same meeting on every
/// machine, and unlike any other society's.
pub fn uid(society: &Society, meeting: &Meeting) -> String {
    format!("{}@{}.nspm", meeting.id, society.info.id)
}

/// A meeting's calendar entry as the audience may see it: what the
/// calendar files write and what the add-to-calendar links send.
#[derive(Clone, Debug)]
pub(crate) struct Event<'a> {
    pub(crate) span: Option<When>,
    pub(crate) summary: String,
    pub(crate) location: String,
    pub(crate) description: Option<String>,
    /// A date known only to the month or year blocks no one's time.
    pub(crate) transparent: bool,
    pub(crate) conference: Option<&'a str>,
}

pub(crate) fn event<'a>(society: &Society, meeting: &'a Meeting, audience: Audience) -> Event<'a> {
    // Every field of a meeting has its place in the event below (the id in
    // the UID, the venue, city and country in the location): named here,
    // so that a field added to meetings does not compile until it has one.
    let Meeting {
        id: _,
        title: _,
        date: _,
        end: _,
        starts: _,
        ends: _,
        zone: _,
        city: _,
        venue: _,
        country: _,
        summary: _,
        // The members-only details, each only as the audience may see it:
        // the address in the location, the link as a CONFERENCE, the
        // notes in the description.
        venue_address,
        online_link,
        notes: members_notes,
        revision: _,
        modified: _,
    } = meeting;
    fn shown(v: &Option<nspm_core::MembersOnly>, audience: Audience) -> Option<&str> {
        v.as_ref().and_then(|v| v.for_audience(audience))
    }
    let members_only = |v| shown(v, audience);
    let mut notes = Vec::new();
    let mut summary = meeting.title.clone();
    let mut transparent = false;
    let span = when(meeting);
    match meeting.date {
        PartialDate::Day(..) => {
            if let (Some(When::Timed(..)), Some(s), Some(e), Some(zone)) =
                (span, meeting.starts, meeting.ends, meeting.zone)
            {
                notes.push(format!("Time: {s} to {e}, {zone} time."));
            }
        }
        PartialDate::Month(..) => {
            let when = meeting.date.human();
            summary.push_str(&format!(" (date: {when}, day not known)"));
            notes.push(format!(
                "Date: {when}. The day is not known, so this entry spans the whole month."
            ));
            transparent = true;
        }
        PartialDate::Year(y) => {
            summary.push_str(&format!(" (date: {y}, month and day not known)"));
            notes.push(format!(
                "Date: {y}. The month and day are not known, so this entry spans the whole year."
            ));
            transparent = true;
        }
    }
    if let Some(text) = &meeting.summary {
        notes.push(text.clone());
    }
    if let Some(text) = members_only(members_notes) {
        notes.push(text.to_string());
    }
    let conference = members_only(online_link);
    if let Some(link) = conference {
        notes.push(format!("Online: {link}"));
    }
    Event {
        span,
        summary,
        location: location(society, meeting, members_only(venue_address)),
        description: (!notes.is_empty()).then(|| notes.join("\n\n")),
        transparent,
        conference,
    }
}

fn write_event(out: &mut Lines, society: &Society, meeting: &Meeting, opts: &CalendarOptions) {
    let event = event(society, meeting, opts.audience);
    out.prop("BEGIN", "VEVENT");
    out.prop("UID", &uid(society, meeting));
    out.prop("DTSTAMP", &opts.stamp.basic());
    out.prop("SEQUENCE", &meeting.revision.to_string());
    if let Some(modified) = meeting.modified {
        out.prop("LAST-MODIFIED", &modified.basic());
    }
    match &event.span {
        Some(When::Timed(starts, ends)) => {
            out.prop("DTSTART", &starts.basic());
            out.prop("DTEND", &ends.basic());
        }
        Some(When::AllDay(start, end)) => {
            out.prop("DTSTART;VALUE=DATE", &date(*start));
            out.prop("DTEND;VALUE=DATE", &date(*end));
        }
        None => {}
    }
    out.text("SUMMARY", &event.summary);
    out.text("LOCATION", &event.location);
    if let Some(link) = event.conference {
        // RFC 7986's CONFERENCE, which calendar apps offer as "join".
        out.prop(
            "CONFERENCE;VALUE=URI;FEATURE=VIDEO;LABEL=Join online",
            &uri(link),
        );
    }
    if let Some(text) = &event.description {
        out.text("DESCRIPTION", text);
    }
    // A relative URL would mean nothing inside a calendar client.
    if let Some(base) = &society.info.base_url {
        out.prop(
            "URL;VALUE=URI",
            &uri(&format!("{base}{}", page_path(meeting))),
        );
    }
    if event.transparent {
        out.prop("TRANSP", "TRANSPARENT");
    }
    out.prop("END", "VEVENT");
}

/// Venue, city and country, as far as the data gives them.
/// The venue, its street address where the reader may see it, the city and
/// the country.
fn location(society: &Society, meeting: &Meeting, address: Option<&str>) -> String {
    let venue = meeting
        .venue
        .as_ref()
        .and_then(|v| society.institution(v.as_str()))
        .map(|i| i.name.as_str());
    [
        venue,
        address,
        meeting.city.as_deref(),
        Some(meeting.country.name()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ")
}

pub(crate) fn date(d: NaiveDate) -> String {
    format!("{:04}{:02}{:02}", d.year(), d.month(), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The DTSTART and DTEND lines of an all-day event from `first` to `last`.
    fn span(first: &str, last: &str) -> String {
        let d = |s| PartialDate::parse(s).unwrap();
        let Some(When::AllDay(start, end)) = all_day(d(first), d(last)) else {
            panic!("{first} to {last} is no span");
        };
        format!(
            "DTSTART;VALUE=DATE:{}\r\nDTEND;VALUE=DATE:{}\r\n",
            date(start),
            date(end)
        )
    }

    #[test]
    fn the_day_after_crosses_months_and_years() {
        let day_after = |d: &str| {
            let lines = span(d, d);
            lines
                .split("\r\n")
                .find_map(|l| l.strip_prefix("DTEND;VALUE=DATE:"))
                .unwrap()
                .to_string()
        };
        assert_eq!(day_after("2017-12-31"), "20180101");
        assert_eq!(day_after("2024-02-28"), "20240229");
        assert_eq!(day_after("2023-02-28"), "20230301");
        assert_eq!(day_after("2017-12"), "20180101");
        assert_eq!(day_after("2017"), "20180101");
        assert_eq!(
            span("2019-05-14", "2019-05-16"),
            "DTSTART;VALUE=DATE:20190514\r\nDTEND;VALUE=DATE:20190517\r\n"
        );
    }
}
