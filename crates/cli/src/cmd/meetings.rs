//! `nspm meetings list` and `nspm meetings show`.

use std::io;

use nspm_core::query::Filters;
use nspm_core::view::MeetingView;
use nspm_core::{Meeting, Society};

use super::edit;
use super::records::{self, Listing};
use crate::output::{Column, Output, Row, ref_cells};

/// `nspm meetings`.
pub type Command = records::Command<edit::MeetingFields, Filter>;

/// Which meetings `meetings list` lists.
#[derive(Debug, clap::Args)]
pub struct Filter {
    /// Only meetings in this country: an ISO code (IS) or a name (Iceland).
    #[arg(long, value_name = "CODE|NAME", value_parser = crate::cli::country)]
    country: Option<String>,
    /// Only meetings that began in this year.
    #[arg(long)]
    year: Option<i32>,
    /// Only meetings whose title, place, date or summary contain every word,
    /// ignoring case and accents.
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
}

impl Listing for Filter {
    type Record = Meeting;

    fn select<'s>(&self, society: &'s Society) -> anyhow::Result<Vec<&'s Meeting>> {
        let Filter {
            country,
            year,
            search,
        } = self;
        let query = Filters {
            country: country.clone(),
            year: year.map(|y| y.to_string()),
            search: search.clone(),
            ..Filters::default()
        }
        .meetings()
        .map_err(crate::cli::filter_error)?;
        Ok(society.meetings_matching(&query))
    }

    fn text(out: &mut Output, _: &Society, _: &Meeting, view: &MeetingView) -> io::Result<()> {
        let mut fields = vec![
            ("id", view.id.clone()),
            ("title", view.title.clone()),
            ("date", view.date_text.clone()),
            ("ends", view.end.clone().unwrap_or_default()),
            ("times", view.times_text().unwrap_or_default()),
            ("place", place(view)),
            ("country", view.country.name.to_string()),
            ("summary", view.summary.clone().unwrap_or_default()),
            ("revision", view.revision.to_string()),
            (
                "modified",
                view.modified.map(|t| t.to_string()).unwrap_or_default(),
            ),
        ];
        // The members-only details, for staff, where the meeting has them.
        let members_only = [
            ("venue address", &view.venue_address),
            ("online link", &view.online_link),
            ("notes", &view.notes),
        ];
        for (name, value) in members_only {
            if let Some(value) = value {
                fields.push((name, format!("{value} (members only)")));
            }
        }
        out.fields(&fields)
    }

    const LIST: &'static str = "List meetings, oldest first";
    const SHOW: &'static str = "Show one meeting";
}

/// The venue and the city, as far as the data names them.
fn place(view: &MeetingView) -> String {
    let venue = view.venue.as_ref().map(|v| v.name.as_str());
    [venue, view.city.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ")
}

impl Row for MeetingView {
    // The place is left out of the table to leave room for titles; the
    // other formats and `meetings show` carry it.
    const TABLE: &'static [Column<Self>] = &[
        ("ID", |m| m.id.clone()),
        ("DATE", |m| m.date.clone()),
        ("TITLE", |m| m.title.clone()),
        ("COUNTRY", |m| m.country.name.to_string()),
    ];

    const CSV: &'static [&'static str] = &[
        "id",
        "title",
        "date",
        "date_precision",
        "end",
        "city",
        "venue_id",
        "venue",
        "country_code",
        "country",
        "summary",
        "revision",
        "modified",
        "starts",
        "ends",
        "zone",
    ];

    fn csv(&self) -> Vec<String> {
        let MeetingView {
            id,
            title,
            date,
            date_precision,
            // `date` says the same for a table to sort by.
            date_text: _,
            end,
            city,
            venue,
            country,
            summary,
            revision,
            modified,
            starts,
            ends,
            zone,
            // A CSV file is passed around as a list of meetings, so it keeps
            // to what anyone may see; JSON and `meetings show` give staff
            // the members-only details.
            venue_address: _,
            online_link: _,
            notes: _,
        } = self;
        let [venue_id, venue] = ref_cells(venue);
        vec![
            id.clone(),
            title.clone(),
            date.clone(),
            date_precision.name().to_string(),
            end.clone().unwrap_or_default(),
            city.clone().unwrap_or_default(),
            venue_id,
            venue,
            country.code.to_string(),
            country.name.to_string(),
            summary.clone().unwrap_or_default(),
            revision.to_string(),
            modified.map(|t| t.to_string()).unwrap_or_default(),
            // The times come last, so the columns before them stay where
            // they were for scripts that read them by position.
            starts.map(|t| t.to_string()).unwrap_or_default(),
            ends.map(|t| t.to_string()).unwrap_or_default(),
            zone.map(|z| z.to_string()).unwrap_or_default(),
        ]
    }
}
