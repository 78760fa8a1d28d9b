//! Synthetic meetings, oldest first, dated to the year, the month or the day
//! as the About page dates its own, some over several days and some revised.

use std::collections::HashMap;
use std::fmt::Write;

use nspm_core::text::slug;

use crate::institutions::Inst;
use crate::rng::Rng;
use crate::ron;
use crate::words::{FIELDS, LANDS, MEETING_KINDS, SUMMARIES};

struct Meeting {
    /// Year, month and day, zero where unknown, for ordering.
    when: (u32, u32, u32),
    end: Option<u32>,
    title: String,
    city: Option<&'static str>,
    venue: Option<usize>,
    country: &'static str,
    summary: Option<&'static str>,
    revision: Option<u32>,
    modified: Option<String>,
}

/// Writes `count` meetings as the body of `meetings.ron`.
pub fn write(out: &mut String, rng: &mut Rng, count: usize, insts: &[Inst]) {
    let mut meetings: Vec<Meeting> = (0..count).map(|_| meeting(rng, insts)).collect();
    meetings.sort_by_key(|m| m.when);

    let mut taken: HashMap<String, u32> = HashMap::with_capacity(count);
    for m in &meetings {
        let (year, month, day) = m.when;
        let place = m.city.map_or_else(|| "meeting".to_string(), slug);
        let base = format!("{place}-{year}");
        let seen = taken.entry(base.clone()).or_insert(0);
        *seen += 1;
        let id = match *seen {
            1 => base,
            n => format!("{base}-{n}"),
        };

        out.push_str("    Meeting(\n");
        ron::field_str(out, "id", &id);
        ron::field_str(out, "title", &m.title);
        let date = match (month, day) {
            (0, _) => format!("{year}"),
            (_, 0) => format!("{year}-{month:02}"),
            _ => format!("{year}-{month:02}-{day:02}"),
        };
        ron::field_str(out, "date", &date);
        if let Some(end) = m.end {
            let end = format!("{year}-{month:02}-{end:02}");
            ron::field_opt(out, "end", Some(&end));
        }
        if m.city.is_some() {
            ron::field_opt(out, "city", m.city);
        }
        if let Some(v) = m.venue {
            ron::field_opt(out, "venue", Some(&insts[v].id));
        }
        let _ = writeln!(out, "        country: \"{}\",", m.country);
        ron::field_opt(out, "summary", m.summary);
        if let Some(r) = m.revision {
            let _ = writeln!(out, "        revision: {r},");
        }
        if let Some(t) = &m.modified {
            ron::field_opt(out, "modified", Some(t));
        }
        out.push_str("    ),\n");
    }
}

fn meeting(rng: &mut Rng, insts: &[Inst]) -> Meeting {
    let year = rng.between(1995, 2030);
    // A fifth are known to the year, two fifths to the month, the rest to
    // the day. Days stop at 24 so that a meeting of up to four more days
    // stays within its month.
    let (month, day) = match rng.below(5) {
        0 => (0, 0),
        1 | 2 => (rng.between(1, 12), 0),
        _ => (rng.between(1, 12), rng.between(1, 24)),
    };
    let end = (day > 0 && rng.percent(50)).then(|| day + rng.between(1, 4));

    let venue = (!insts.is_empty() && rng.percent(40)).then(|| rng.below(insts.len()));
    let (city, country) = match venue {
        Some(v) => (Some(insts[v].city), LANDS[insts[v].land].code),
        None => {
            let land = rng.pick(LANDS);
            let city = rng.percent(95).then(|| *rng.pick(land.cities));
            (city, land.code)
        }
    };

    let field = *rng.pick(FIELDS);
    let title = rng
        .pick(MEETING_KINDS)
        .replace("{c}", city.unwrap_or("Online"))
        .replace("{f}", field)
        .replace("{y}", &year.to_string());
    let summary = rng.percent(70).then(|| *rng.pick(SUMMARIES));
    let revision = rng.percent(30).then(|| rng.between(1, 6));
    let modified = revision.filter(|_| rng.percent(80)).map(|_| {
        format!(
            "{}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            rng.between(2018, 2025),
            rng.between(1, 12),
            rng.between(1, 28),
            rng.between(0, 23),
            rng.between(0, 59),
            rng.between(0, 59)
        )
    });
    Meeting {
        when: (year, month, day),
        end,
        title,
        city,
        venue,
        country,
        summary,
        revision,
        modified,
    }
}
