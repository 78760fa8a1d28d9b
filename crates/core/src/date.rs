//! Dates that keep the precision they were given.
//!
//! The About page says "May 2015" and "in 2014": a meeting known only to the
//! month must never be shown on a day. [`PartialDate`] holds a year, a month
//! or a day, and everything downstream asks it how precise it is.

use std::fmt;

use serde::{Serialize, Serializer};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

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
        if !(1..=12).contains(&month) {
            return Err(format!("there is no month {month}, in \"{text}\""));
        }
        let day = match parts.get(2) {
            None => return Ok(PartialDate::Month(year, month)),
            Some(d) => number(d, 2)? as u8,
        };
        if parts.len() > 3 {
            return Err(format!("{shape}, found \"{text}\""));
        }
        let last = days_in_month(year, month);
        if day == 0 || day > last {
            return Err(format!(
                "{} {year} has {last} days, so \"{text}\" is not a date",
                MONTHS[month as usize - 1]
            ));
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
            PartialDate::Month(y, m) => format!("{} {y}", MONTHS[m as usize - 1]),
            PartialDate::Day(y, m, d) => format!("{d} {} {y}", MONTHS[m as usize - 1]),
        }
    }
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

pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A moment in UTC, to the second, written `YYYY-MM-DDTHH:MM:SSZ`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

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
        let n = |i: usize| fields[i].parse::<u8>().unwrap_or(99);
        let (hour, minute, second) = (n(0), n(1), n(2));
        if hour > 23 || minute > 59 || second > 59 {
            return Err(format!("\"{text}\" is not a time of day"));
        }
        Ok(Timestamp {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn unix(self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }

    /// The moment `secs` seconds after the Unix epoch.
    pub fn from_unix(secs: i64) -> Timestamp {
        let days = secs.div_euclid(86_400);
        let rest = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Timestamp {
            year,
            month,
            day,
            hour: (rest / 3600) as u8,
            minute: (rest % 3600 / 60) as u8,
            second: (rest % 60) as u8,
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
pub fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
pub fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
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
    fn timestamps_round_trip() {
        let t = Timestamp::parse("2018-06-01T12:30:05Z").unwrap();
        assert_eq!(t.to_string(), "2018-06-01T12:30:05Z");
        assert_eq!(Timestamp::from_unix(t.unix()), t);
        assert_eq!(Timestamp::from_unix(0).to_string(), "1970-01-01T00:00:00Z");
        assert!(Timestamp::parse("2018-06-01T24:00:00Z").is_err());
        assert!(Timestamp::parse("2018-06-01 12:00:00").is_err());
    }
}
