//! Dates that keep the precision they were given.
//!
//! The About page says "May 2015" and "in 2014": a meeting known only to the
//! month must never be shown on a day. [`PartialDate`] holds a year, a month
//! or a day, and everything downstream asks it how precise it is.

use std::fmt;

use chrono::{DateTime, Datelike as _, Month, Months, NaiveDate, NaiveTime, Timelike as _, Utc};
use serde::{Serialize, Serializer};

/// A calendar date known to the year, the month or the day. Dates order by
/// time, a less precise date before the more precise ones within it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PartialDate {
    Year(i32),
    Month(i32, u8),
    Day(i32, u8, u8),
}

/// How precisely a date is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    Year,
    Month,
    Day,
}

impl Precision {
    /// The name JSON gives it: `year`, `month` or `day`.
    pub fn name(self) -> &'static str {
        match self {
            Precision::Year => "year",
            Precision::Month => "month",
            Precision::Day => "day",
        }
    }
}

impl PartialDate {
    /// Reads `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; the error says what is wrong
    /// in plain words.
    pub fn parse(text: &str) -> Result<PartialDate, String> {
        let shape = "expected a date as YYYY, YYYY-MM or YYYY-MM-DD";
        let parts: Vec<&str> = text.split('-').collect();
        let number = |s: &str, len: usize| -> Result<u32, String> {
            if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) {
                Ok(s.parse().unwrap_or(0))
            } else {
                Err(format!("{shape}, found \"{text}\""))
            }
        };
        let year = number(parts[0], 4)? as i32;
        if year == 0 {
            return Err(format!("year 0 does not exist, in \"{text}\""));
        }
        let month = match parts.get(1) {
            None => return Ok(PartialDate::Year(year)),
            Some(m) => number(m, 2)? as u8,
        };
        let Ok(name) = Month::try_from(month) else {
            return Err(format!("there is no month {month}, in \"{text}\""));
        };
        let day = match parts.get(2) {
            None => return Ok(PartialDate::Month(year, month)),
            Some(d) => number(d, 2)? as u8,
        };
        if parts.len() > 3 {
            return Err(format!("{shape}, found \"{text}\""));
        }
        if NaiveDate::from_ymd_opt(year, month.into(), day.into()).is_none() {
            // A four-digit year other than 0 is always within chrono's
            // calendar, so the month's length is known.
            return Err(match name.num_days(year) {
                Some(last) => format!(
                    "{} {year} has {last} days, so \"{text}\" is not a date",
                    name.name()
                ),
                // Never for a four-digit year: chrono's calendar spans them all.
                None => format!("{shape}, found \"{text}\""),
            });
        }
        Ok(PartialDate::Day(year, month, day))
    }

    pub fn year(self) -> i32 {
        match self {
            PartialDate::Year(y) | PartialDate::Month(y, _) | PartialDate::Day(y, _, _) => y,
        }
    }

    pub fn month(self) -> Option<u8> {
        match self {
            PartialDate::Year(_) => None,
            PartialDate::Month(_, m) | PartialDate::Day(_, m, _) => Some(m),
        }
    }

    pub fn day(self) -> Option<u8> {
        match self {
            PartialDate::Day(_, _, d) => Some(d),
            _ => None,
        }
    }

    pub fn precision(self) -> Precision {
        match self {
            PartialDate::Year(_) => Precision::Year,
            PartialDate::Month(..) => Precision::Month,
            PartialDate::Day(..) => Precision::Day,
        }
    }

    /// The date as written in the data: `2015`, `2015-05` or `2015-05-12`.
    pub fn iso(self) -> String {
        match self {
            PartialDate::Year(y) => format!("{y:04}"),
            PartialDate::Month(y, m) => format!("{y:04}-{m:02}"),
            PartialDate::Day(y, m, d) => format!("{y:04}-{m:02}-{d:02}"),
        }
    }

    /// The date for people to read: "2014", "May 2015", "12 May 2015".
    pub fn human(self) -> String {
        match self {
            PartialDate::Year(y) => format!("{y}"),
            PartialDate::Month(y, m) => format!("{} {y}", month_name(m)),
            PartialDate::Day(y, m, d) => format!("{d} {} {y}", month_name(m)),
        }
    }

    /// The days the date covers, as calendars take them: its first day and
    /// the day after its last (an exclusive end). 2015 covers 2015-01-01 up
    /// to 2016-01-01, 2015-05 covers 2015-05-01 up to 2015-06-01, and
    /// 2015-05-12 covers that day up to 2015-05-13. None only for a date
    /// that [`PartialDate::parse`] would refuse.
    pub fn days(self) -> Option<(NaiveDate, NaiveDate)> {
        let (first, months) = match self {
            PartialDate::Year(y) => (NaiveDate::from_ymd_opt(y, 1, 1)?, 12),
            PartialDate::Month(y, m) => (NaiveDate::from_ymd_opt(y, m.into(), 1)?, 1),
            PartialDate::Day(y, m, d) => {
                let day = NaiveDate::from_ymd_opt(y, m.into(), d.into())?;
                return Some((day, day.succ_opt()?));
            }
        };
        Some((first, first.checked_add_months(Months::new(months))?))
    }
}

/// The month's name in English, as the About page writes dates. A month out
/// of 1 to 12 is no date [`PartialDate::parse`] gives, and has no name.
fn month_name(month: u8) -> &'static str {
    Month::try_from(month).map_or("", |m| m.name())
}

impl PartialDate {
    fn sort_key(self) -> (i32, u8, u8) {
        (
            self.year(),
            self.month().unwrap_or(0),
            self.day().unwrap_or(0),
        )
    }
}

impl Ord for PartialDate {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for PartialDate {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iso())
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

/// A moment in UTC, to the second, written `YYYY-MM-DDTHH:MM:SSZ`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    pub fn parse(text: &str) -> Result<Timestamp, String> {
        let err = || format!("expected a UTC time as YYYY-MM-DDTHH:MM:SSZ, found \"{text}\"");
        let (date, time) = text.split_once('T').ok_or_else(err)?;
        let PartialDate::Day(year, month, day) = PartialDate::parse(date)? else {
            return Err(err());
        };
        let time = time.strip_suffix('Z').ok_or_else(err)?;
        let fields: Vec<&str> = time.split(':').collect();
        if fields.len() != 3
            || fields
                .iter()
                .any(|f| f.len() != 2 || !f.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(err());
        }
        let n = |i: usize| fields[i].parse::<u32>().unwrap_or(99);
        // The date is known to be real; chrono refuses hours past 23 and
        // minutes or seconds past 59.
        NaiveDate::from_ymd_opt(year, month.into(), day.into())
            .zip(NaiveTime::from_hms_opt(n(0), n(1), n(2)))
            .map(|(date, time)| Timestamp(date.and_time(time).and_utc()))
            .ok_or_else(|| format!("\"{text}\" is not a time of day"))
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn unix(self) -> i64 {
        self.0.timestamp()
    }

    /// The moment `secs` seconds after the Unix epoch. Beyond chrono's
    /// calendar (some 262,000 years either way) it is the calendar's first
    /// or last second.
    pub const fn from_unix(secs: i64) -> Timestamp {
        let (min, max) = (
            DateTime::<Utc>::MIN_UTC.timestamp(),
            DateTime::<Utc>::MAX_UTC.timestamp(),
        );
        let secs = if secs < min {
            min
        } else if secs > max {
            max
        } else {
            secs
        };
        match DateTime::from_timestamp(secs, 0) {
            Some(t) => Timestamp(t),
            None => Timestamp(DateTime::UNIX_EPOCH),
        }
    }

    /// The day this moment falls on in UTC.
    pub fn day(self) -> PartialDate {
        let d = self.0.date_naive();
        // Months and days are small numbers, whatever the date.
        PartialDate::Day(d.year(), d.month() as u8, d.day() as u8)
    }

    /// The first moment of `day` in UTC.
    pub fn midnight(day: NaiveDate) -> Timestamp {
        Timestamp(day.and_time(NaiveTime::MIN).and_utc())
    }

    /// The moment in ISO 8601's basic format, without separators, as
    /// iCalendar writes it: `20180601T120000Z`.
    pub fn basic(self) -> String {
        self.written("", "")
    }

    /// The moment with `date` between the parts of the date and `time`
    /// between those of the time. Field by field rather than with chrono's
    /// `%Y`, which adds a sign to years past 9999.
    fn written(self, date: &str, time: &str) -> String {
        let t = self.0;
        format!(
            "{:04}{date}{:02}{date}{:02}T{:02}{time}{:02}{time}{:02}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written("-", ":"))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_names_match_json() {
        for p in [Precision::Year, Precision::Month, Precision::Day] {
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.name()));
        }
    }

    fn check(input: &str, expected: &str) {
        let got = match PartialDate::parse(input) {
            Ok(d) => format!("{} ({})", d.iso(), d.human()),
            Err(e) => e,
        };
        assert_eq!(got, expected, "input {input:?}");
    }

    #[test]
    fn parsing_keeps_precision() {
        check("2014", "2014 (2014)");
        check("2015-05", "2015-05 (May 2015)");
        check("2017-12-01", "2017-12-01 (1 December 2017)");
        check("2024-02-29", "2024-02-29 (29 February 2024)");
    }

    #[test]
    fn impossible_dates_are_refused() {
        check("2017-13", "there is no month 13, in \"2017-13\"");
        check(
            "2017-02-30",
            "February 2017 has 28 days, so \"2017-02-30\" is not a date",
        );
        check(
            "2023-02-29",
            "February 2023 has 28 days, so \"2023-02-29\" is not a date",
        );
        check(
            "May 2015",
            "expected a date as YYYY, YYYY-MM or YYYY-MM-DD, found \"May 2015\"",
        );
        check(
            "2015-5",
            "expected a date as YYYY, YYYY-MM or YYYY-MM-DD, found \"2015-5\"",
        );
        check("0000", "year 0 does not exist, in \"0000\"");
        check(
            "",
            "expected a date as YYYY, YYYY-MM or YYYY-MM-DD, found \"\"",
        );
        check(
            "2015-05-01-02",
            "expected a date as YYYY, YYYY-MM or YYYY-MM-DD, found \"2015-05-01-02\"",
        );
    }

    #[test]
    fn dates_order_by_time() {
        let d = |s| PartialDate::parse(s).unwrap();
        assert!(d("2014") < d("2015-05"));
        assert!(d("2015-05") < d("2015-05-01"));
        assert!(d("2018") < d("2018-06"));
        assert!(d("2017-12") > d("2017-05-31"));
    }

    #[test]
    fn a_date_covers_its_days_up_to_an_exclusive_end() {
        let days = |text: &str| {
            let (first, end) = PartialDate::parse(text).unwrap().days().unwrap();
            format!("{first} {end}")
        };
        assert_eq!(days("2015"), "2015-01-01 2016-01-01");
        assert_eq!(days("2015-05"), "2015-05-01 2015-06-01");
        assert_eq!(days("2017-12"), "2017-12-01 2018-01-01");
        assert_eq!(days("2024-02"), "2024-02-01 2024-03-01");
        assert_eq!(days("2024-02-28"), "2024-02-28 2024-02-29");
        assert_eq!(days("2024-02-29"), "2024-02-29 2024-03-01");
        assert_eq!(days("2017-12-31"), "2017-12-31 2018-01-01");
        assert_eq!(days("9999-12-31"), "9999-12-31 +10000-01-01");
        // Only a date made by hand can be one that does not exist.
        assert_eq!(PartialDate::Day(2023, 2, 29).days(), None);
        assert_eq!(PartialDate::Month(2023, 13).days(), None);
    }

    #[test]
    fn timestamps_count_seconds_from_1970() {
        let t = |text| Timestamp::parse(text).unwrap();
        assert_eq!(t("2023-11-14T22:13:20Z").unix(), 1_700_000_000);
        assert_eq!(t("2000-03-01T00:00:00Z").unix(), 951_868_800);
        assert_eq!(t("1969-12-31T23:59:59Z").unix(), -1);
        assert_eq!(t("0001-01-01T00:00:00Z").unix(), -62_135_596_800);
        assert_eq!(
            Timestamp::from_unix(253_402_300_799).to_string(),
            "9999-12-31T23:59:59Z"
        );
        // Written as before for a moment past 9999 (a time zone's day can
        // end there), without the sign chrono's own format would add.
        assert_eq!(
            Timestamp::from_unix(253_402_300_800).to_string(),
            "10000-01-01T00:00:00Z"
        );
        // Far beyond the calendar, the moment stays at its end.
        assert_eq!(
            Timestamp::from_unix(i64::MAX),
            Timestamp::from_unix(i64::MAX / 2)
        );
        assert_eq!(
            Timestamp::from_unix(i64::MIN),
            Timestamp::from_unix(i64::MIN / 2)
        );
        assert_eq!(
            Timestamp::midnight(PartialDate::parse("2018-06").unwrap().days().unwrap().0),
            t("2018-06-01T00:00:00Z")
        );
        assert_eq!(
            Timestamp::parse("2018-06-01T23:59:60Z").unwrap_err(),
            "\"2018-06-01T23:59:60Z\" is not a time of day"
        );
        assert_eq!(
            Timestamp::parse("2018-02-30T12:00:00Z").unwrap_err(),
            "February 2018 has 28 days, so \"2018-02-30\" is not a date"
        );
    }

    #[test]
    fn timestamps_round_trip() {
        let t = Timestamp::parse("2018-06-01T12:30:05Z").unwrap();
        assert_eq!(t.to_string(), "2018-06-01T12:30:05Z");
        assert_eq!(t.basic(), "20180601T123005Z");
        assert_eq!(Timestamp::from_unix(t.unix()), t);
        assert_eq!(Timestamp::from_unix(0).to_string(), "1970-01-01T00:00:00Z");
        assert!(Timestamp::parse("2018-06-01T24:00:00Z").is_err());
        assert!(Timestamp::parse("2018-06-01 12:00:00").is_err());
    }
}
