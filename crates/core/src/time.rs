//! Times of day and the IANA time zones they are read in.
//!
//! A meeting known to the day may also say when it starts and ends, as the
//! clocks showed where it was held: `starts: Some("09:00")`, `ends:
//! Some("17:30")`, `zone: Some("Europe/Oslo")`. The zone's own rules (summer
//! time included) turn those into moments in UTC, which is what calendars
//! are given.

use std::fmt;

use chrono::{LocalResult, TimeZone};
use serde::{Serialize, Serializer};

use crate::date::Timestamp;
use crate::suggest::Suggestions;

/// A time of day on a 24-hour clock, to the minute: `09:00`, `17:30`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimeOfDay {
    pub hour: u8,
    pub minute: u8,
}

impl TimeOfDay {
    /// Reads `HH:MM`; the error says what is wrong in plain words.
    pub fn parse(text: &str) -> Result<TimeOfDay, String> {
        let shape =
            || format!("expected a time of day as HH:MM, such as \"09:00\", found \"{text}\"");
        let (h, m) = text.split_once(':').ok_or_else(shape)?;
        let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
        if !two_digits(h) || !two_digits(m) {
            return Err(shape());
        }
        let (hour, minute) = (h.parse().unwrap_or(99), m.parse().unwrap_or(99));
        if hour > 23 || minute > 59 {
            return Err(format!(
                "\"{text}\" is not a time of day: hours run 00-23 and minutes 00-59"
            ));
        }
        Ok(TimeOfDay { hour, minute })
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A time zone of the IANA database, such as `Europe/Oslo`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Zone(chrono_tz::Tz);

/// What a local time turns out to be in a zone on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Local {
    /// One moment, as on most days.
    At(Timestamp),
    /// The clocks went back over this time, so it happened twice; the earlier
    /// moment is given.
    Twice(Timestamp),
    /// The clocks skipped this time: it did not happen there that day.
    Skipped,
}

impl Zone {
    /// Reads an IANA zone name, exactly as the database spells it. The error
    /// suggests the closest real name.
    pub fn parse(text: &str) -> Result<Zone, String> {
        if let Ok(tz) = text.parse::<chrono_tz::Tz>() {
            return Ok(Zone(tz));
        }
        // A name in the wrong case folds to the same as the real one, and
        // is the closest of all.
        let names = chrono_tz::TZ_VARIANTS.iter().map(|t| t.name());
        let hint = Suggestions::new(names)
            .best(text)
            .map(|n| format!("; did you mean \"{n}\"?"))
            .unwrap_or_else(|| "; use an IANA name such as \"Europe/Oslo\"".to_string());
        Err(format!("unknown time zone \"{text}\"{hint}"))
    }

    /// The IANA name: `Europe/Oslo`.
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// The moment in UTC when the clocks in this zone showed `time` on the
    /// given day.
    pub(crate) fn local(self, (year, month, day): (i32, u8, u8), time: TimeOfDay) -> Local {
        let result = self.0.with_ymd_and_hms(
            year,
            u32::from(month),
            u32::from(day),
            u32::from(time.hour),
            u32::from(time.minute),
            0,
        );
        let utc = |t: chrono::DateTime<chrono_tz::Tz>| Timestamp::from_unix(t.timestamp());
        match result {
            LocalResult::Single(t) => Local::At(utc(t)),
            LocalResult::Ambiguous(earlier, _) => Local::Twice(utc(earlier)),
            LocalResult::None => Local::Skipped,
        }
    }

    /// Like [`Zone::local`], but None for a time the clocks skipped.
    pub(crate) fn to_utc(self, day: (i32, u8, u8), time: TimeOfDay) -> Option<Timestamp> {
        match self.local(day, time) {
            Local::At(t) | Local::Twice(t) => Some(t),
            Local::Skipped => None,
        }
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

// A zone serializes as it displays, by its IANA name, as a time of day does.
impl Serialize for Zone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_day() {
        assert_eq!(TimeOfDay::parse("09:00").unwrap().to_string(), "09:00");
        assert_eq!(TimeOfDay::parse("23:59").unwrap().to_string(), "23:59");
        assert_eq!(
            TimeOfDay::parse("24:00").unwrap_err(),
            "\"24:00\" is not a time of day: hours run 00-23 and minutes 00-59"
        );
        for bad in ["9:00", "0900", "09:0", "09:00:00", "", "ab:cd"] {
            assert!(
                TimeOfDay::parse(bad)
                    .unwrap_err()
                    .starts_with("expected a time of day as HH:MM"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn zones_are_real_iana_names() {
        assert_eq!(Zone::parse("Europe/Oslo").unwrap().name(), "Europe/Oslo");
        // A near miss is offered the real name; a wild one, an example.
        for (given, message) in [
            (
                "europe/oslo",
                "unknown time zone \"europe/oslo\"; did you mean \"Europe/Oslo\"?",
            ),
            (
                "Europe/Olso",
                "unknown time zone \"Europe/Olso\"; did you mean \"Europe/Oslo\"?",
            ),
            (
                "Nowhere",
                "unknown time zone \"Nowhere\"; use an IANA name such as \"Europe/Oslo\"",
            ),
        ] {
            assert_eq!(Zone::parse(given).unwrap_err(), message);
        }
        assert!(Zone::parse("CEST").is_err());
    }

    #[test]
    fn local_times_follow_the_zone_rules() {
        let oslo = Zone::parse("Europe/Oslo").unwrap();
        let t = |h, m| TimeOfDay { hour: h, minute: m };
        // Winter: UTC+1; summer: UTC+2.
        assert_eq!(
            oslo.to_utc((2019, 1, 15), t(9, 0)).unwrap().to_string(),
            "2019-01-15T08:00:00Z"
        );
        assert_eq!(
            oslo.to_utc((2019, 5, 14), t(9, 0)).unwrap().to_string(),
            "2019-05-14T07:00:00Z"
        );
        // On 31 March 2019 the clocks went from 02:00 to 03:00.
        assert_eq!(oslo.local((2019, 3, 31), t(2, 30)), Local::Skipped);
        // On 27 October 2019 they went from 03:00 back to 02:00.
        assert_eq!(
            oslo.local((2019, 10, 27), t(2, 30)),
            Local::Twice(Timestamp::parse("2019-10-27T00:30:00Z").unwrap())
        );
        let reykjavik = Zone::parse("Atlantic/Reykjavik").unwrap();
        assert_eq!(
            reykjavik
                .to_utc((2018, 6, 1), t(17, 30))
                .unwrap()
                .to_string(),
            "2018-06-01T17:30:00Z"
        );
    }
}
