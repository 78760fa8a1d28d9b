//! The one moment an export states as "now" (iCalendar's DTSTAMP), chosen so
//! that the same data always gives the same bytes.

use nspm_core::{Society, Timestamp};

use crate::ExportError;

/// The stamp for an export: `SOURCE_DATE_EPOCH` when it is set (the
/// reproducible-builds convention), else the latest `modified` of any
/// meeting, else the first moment of the latest meeting's date as the data
/// gives it (2018-06 gives 2018-06-01T00:00:00Z), else 1970-01-01T00:00:00Z
/// for a society with no meetings. Never the clock, so exporting twice gives
/// byte-identical files; and not the epoch while the data has any date, as
/// calendar programs show DTSTAMP and 1970 looks broken.
pub fn stamp_from_env(society: &Society) -> Result<Timestamp, ExportError> {
    let value = std::env::var_os("SOURCE_DATE_EPOCH");
    stamp_from(
        society,
        value.as_ref().map(|v| v.to_string_lossy()).as_deref(),
    )
}

/// [`stamp_from_env`] with the variable's value given, so it can be tested
/// without changing the process's environment.
pub fn stamp_from(
    society: &Society,
    source_date_epoch: Option<&str>,
) -> Result<Timestamp, ExportError> {
    match source_date_epoch {
        Some(text) => text
            .trim()
            .parse::<i64>()
            .ok()
            // Years past 9999 cannot be written in either format.
            .filter(|secs| (0..=253_402_300_799).contains(secs))
            .map(Timestamp::from_unix)
            .ok_or_else(|| ExportError::SourceDateEpoch {
                value: text.to_string(),
            }),
        None => Ok(society
            .meetings
            .iter()
            .filter_map(|m| m.modified)
            .max()
            .or_else(|| {
                let latest = society.meetings.iter().map(|m| m.date).max()?;
                let (first, _) = latest.days()?;
                Some(Timestamp::midnight(first))
            })
            .unwrap_or_else(|| Timestamp::from_unix(0))),
    }
}
