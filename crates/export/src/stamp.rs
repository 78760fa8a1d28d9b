//! The one moment an export states as "now" (iCalendar's DTSTAMP), chosen so
//! that the same data always gives the same bytes.

use nspm_core::{Society, Timestamp};

use crate::ExportError;

/// The stamp for an export: `fixed` when it is given (the command line
/// passes `SOURCE_DATE_EPOCH` here, the reproducible-builds convention,
/// read with [`source_date_epoch`]), else the latest `modified` of any
/// meeting, else the first moment of the latest meeting's date as the data
/// gives it (2018-06 gives 2018-06-01T00:00:00Z), else 1970-01-01T00:00:00Z
/// for a society with no meetings. Never the clock, so exporting twice gives
/// byte-identical files; and not the epoch while the data has any date, as
/// calendar programs show DTSTAMP and 1970 looks broken.
pub fn stamp_for(society: &Society, fixed: Option<Timestamp>) -> Timestamp {
    fixed
        .or_else(|| society.meetings.iter().filter_map(|m| m.modified).max())
        .or_else(|| {
            let latest = society.meetings.iter().map(|m| m.date).max()?;
            let (first, _) = latest.days()?;
            Some(Timestamp::midnight(first))
        })
        .unwrap_or(Timestamp::from_unix(0))
}

/// The stamp of one meeting's own calendar object (a CalDAV resource):
/// `fixed` when it is given, else the meeting's `modified`, else the first
/// moment of its date. Unlike [`stamp_for`] it depends on that meeting
/// alone, so an edit to one meeting changes no other meeting's object.
pub fn meeting_stamp(meeting: &nspm_core::Meeting, fixed: Option<Timestamp>) -> Timestamp {
    fixed
        .or(meeting.modified)
        .or_else(|| Some(Timestamp::midnight(meeting.date.days()?.0)))
        .unwrap_or(Timestamp::from_unix(0))
}

/// [`stamp_for`] with the value of `SOURCE_DATE_EPOCH` as text, if it is
/// set; an error when that is not a stamp.
pub fn stamp_from(
    society: &Society,
    source_date_epoch: Option<&str>,
) -> Result<Timestamp, ExportError> {
    let fixed = source_date_epoch.map(self::source_date_epoch).transpose()?;
    Ok(stamp_for(society, fixed))
}

/// Reads the value of `SOURCE_DATE_EPOCH`: a whole number of seconds since
/// 1970-01-01T00:00:00Z, white space around it allowed.
pub fn source_date_epoch(text: &str) -> Result<Timestamp, ExportError> {
    text.trim()
        .parse::<i64>()
        .ok()
        // Years past 9999 cannot be written in either format.
        .filter(|secs| (0..=253_402_300_799).contains(secs))
        .map(Timestamp::from_unix)
        .ok_or_else(|| ExportError::SourceDateEpoch {
            value: text.to_string(),
        })
}
