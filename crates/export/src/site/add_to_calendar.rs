//! Links that open a meeting in Google Calendar's or Outlook's new-event
//! form, filled in from the same entry as the meeting's `.ics` file
//! (`ics::event`): an all-day meeting keeps its exclusive end
//! (the day after its last), a timed one is in UTC.

use nspm_core::{Audience, Meeting, PartialDate, Society};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

use crate::ics::{self, When};

/// What a query value must have encoded: everything but RFC 3986's
/// unreserved characters.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The add-to-calendar links of one meeting.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Links {
    pub google: String,
    pub outlook: String,
}

/// The links for `meeting`, or none when it is not known to the day. The
/// `.ics` file spans the whole month or year of such a meeting, flagged in
/// its summary; a link would carry that span's first day in its address,
/// which a page must never show as the meeting's date.
pub fn links(society: &Society, meeting: &Meeting, audience: Audience) -> Option<Links> {
    if !matches!(meeting.date, PartialDate::Day(..)) {
        return None;
    }
    let event = ics::event(society, meeting, audience);
    let span = event.span.as_ref()?;
    let details = event.description.as_deref().unwrap_or("");
    let (google_dates, start, end, all_day) = match span {
        When::Timed(s, e) => (
            format!("{}/{}", s.basic(), e.basic()),
            s.to_string(),
            e.to_string(),
            false,
        ),
        When::AllDay(s, e) => (
            format!("{}/{}", ics::date(*s), ics::date(*e)),
            s.format("%Y-%m-%d").to_string(),
            e.format("%Y-%m-%d").to_string(),
            true,
        ),
    };
    let google = query(
        "https://calendar.google.com/calendar/render",
        &[
            ("action", "TEMPLATE"),
            ("text", &event.summary),
            ("dates", &google_dates),
            ("details", details),
            ("location", &event.location),
        ],
    );
    let mut outlook = vec![
        ("path", "/calendar/action/compose"),
        ("rru", "addevent"),
        ("subject", event.summary.as_str()),
        ("startdt", &start),
        ("enddt", &end),
    ];
    if all_day {
        outlook.push(("allday", "true"));
    }
    outlook.extend([("body", details), ("location", &event.location)]);
    let outlook = query(
        "https://outlook.live.com/calendar/0/deeplink/compose",
        &outlook,
    );
    Some(Links { google, outlook })
}

/// `base` with the query `pairs`, each value percent-encoded.
fn query(base: &str, pairs: &[(&str, &str)]) -> String {
    let mut url = String::from(base);
    for (i, (key, value)) in pairs.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(key);
        url.push('=');
        url.extend(utf8_percent_encode(value, QUERY));
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_encoded_and_keys_kept() {
        assert_eq!(
            query("https://x.org/a", &[("text", "Malmö & more"), ("d", "1/2")]),
            "https://x.org/a?text=Malm%C3%B6%20%26%20more&d=1%2F2"
        );
    }
}
