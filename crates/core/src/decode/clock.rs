//! The rules a meeting's dates and times follow together: a meeting of
//! several days ends after it begins, and times come as a set, on a day,
//! by clocks that showed them.

use crate::date::PartialDate;
use crate::time::{Local, TimeOfDay, Zone};

/// What is wrong with a meeting's last day, given its first: both must be
/// known to the day, and it must not end before it begins.
pub(super) fn end_problem(start: PartialDate, last: PartialDate) -> Option<String> {
    match (start, last) {
        (PartialDate::Day(..), PartialDate::Day(..)) if last < start => Some(format!(
            "the meeting ends ({last}) before it begins ({start})"
        )),
        (PartialDate::Day(..), PartialDate::Day(..)) => None,
        _ => Some(
            "an end date needs a start and end known to the day, such as \"2019-05-14\""
                .to_string(),
        ),
    }
}

/// What is wrong with a meeting's times, and in which field: times need a
/// day, come as a set of `starts`, `ends` and `zone`, must exist on the
/// zone's clocks that day, and must end after they start.
pub(super) fn times_problem(
    date: PartialDate,
    end: Option<PartialDate>,
    starts: Option<TimeOfDay>,
    ends: Option<TimeOfDay>,
    zone: Option<Zone>,
) -> Option<(&'static str, String)> {
    let given = [
        ("starts", starts.is_some()),
        ("ends", ends.is_some()),
        ("zone", zone.is_some()),
    ];
    let &(first, _) = given.iter().find(|(_, there)| *there)?;
    let PartialDate::Day(y, m, d) = date else {
        return Some((
            first,
            format!(
                "a meeting with times needs a date known to the day, such as \"2019-05-14\", not \"{date}\""
            ),
        ));
    };
    if let Some(&(missing, _)) = given.iter().find(|(_, there)| !*there) {
        return Some((
            first,
            format!("`starts`, `ends` and `zone` go together: `{missing}` is missing"),
        ));
    }
    let (starts, ends, zone) = (starts?, ends?, zone?);
    let last = match end {
        Some(PartialDate::Day(y, m, d)) => (y, m, d),
        _ => (y, m, d),
    };
    let moment = |field, day: (i32, u8, u8), time| match zone.local(day, time) {
        Local::At(t) | Local::Twice(t) => Ok(t),
        Local::Skipped => Err((
            field,
            format!(
                "{time} did not happen in {zone} on {:04}-{:02}-{:02}: the clocks skipped it",
                day.0, day.1, day.2
            ),
        )),
    };
    let begin = match moment("starts", (y, m, d), starts) {
        Ok(t) => t,
        Err(e) => return Some(e),
    };
    let finish = match moment("ends", last, ends) {
        Ok(t) => t,
        Err(e) => return Some(e),
    };
    (finish <= begin).then(|| {
        (
            "ends",
            format!("the meeting ends ({ends}) before or as it starts ({starts})"),
        )
    })
}
