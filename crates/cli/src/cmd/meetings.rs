//! `nspm meetings list` and `nspm meetings show`.

use std::process::ExitCode;

use nspm_core::edit::Kind;
use nspm_core::query::Filters;
use nspm_core::view::MeetingView;
use nspm_core::{Audience, RecordKind};

use super::{Context, edit};

/// Staff see every meeting detail, the members-only ones too.
const STAFF: Audience = Audience::Members;
use crate::cli::{ListFormat, ShowArgs};
use crate::output::{Row, ref_cells};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List meetings, oldest first.
    List(ListArgs),
    /// Show one meeting.
    Show(ShowArgs),
    /// Add a meeting; the id is made from its city (or title) and year unless --id is given.
    Add(edit::AddArgs<edit::MeetingFields>),
    /// Change a meeting's fields; '' clears an optional one. Its revision rises by one.
    Edit(edit::EditArgs<edit::MeetingFields>),
    /// Remove a meeting.
    Remove(edit::RemoveArgs),
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
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
    #[arg(long, value_enum, default_value_t)]
    format: ListFormat,
}

pub fn run(cx: &mut Context, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Add(args) => return edit::add(cx, args),
        Command::Edit(args) => return edit::edit(cx, args),
        Command::Remove(args) => return edit::remove(cx, Kind::Meeting, args),
        Command::List(args) => {
            let society = cx.society()?;
            let query = Filters {
                country: args.country,
                year: args.year.map(|y| y.to_string()),
                search: args.search,
                ..Filters::default()
            }
            .meetings()
            .map_err(crate::cli::filter_error)?;
            let views: Vec<MeetingView> = society
                .meetings_matching(&query)
                .into_iter()
                .map(|m| MeetingView::new(&society, m, STAFF))
                .collect();
            cx.out.list(args.format, &views)?;
        }
        Command::Show(args) => {
            let society = cx.society()?;
            let meeting = society
                .meeting(&args.id)
                .ok_or_else(|| society.not_found(RecordKind::Meeting, &args.id))?;
            let view = MeetingView::new(&society, meeting, STAFF);
            cx.out.record(args.format, &view, |out| {
                let mut fields = vec![
                    ("id", view.id.clone()),
                    ("title", view.title.clone()),
                    ("date", view.date_text.clone()),
                    ("ends", view.end.clone().unwrap_or_default()),
                    ("times", view.times_text().unwrap_or_default()),
                    ("place", place(&view)),
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
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
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
    const TABLE: &'static [&'static str] = &["ID", "DATE", "TITLE", "COUNTRY"];

    fn table(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.date.clone(),
            self.title.clone(),
            self.country.name.to_string(),
        ]
    }

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
