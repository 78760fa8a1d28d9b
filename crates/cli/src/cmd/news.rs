//! `nspm news list|show|add|edit|remove`: the society's announcements.

use std::process::ExitCode;

use nspm_core::RecordKind;
use nspm_core::edit::Kind;
use nspm_core::view::NewsView;

use super::{Context, edit};
use crate::cli::{ListFormat, ShowArgs};
use crate::output::Row;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List the announcements, the latest first.
    List(ListArgs),
    /// Show one announcement.
    Show(ShowArgs),
    /// Add an announcement; the id is made from its title unless --id is given.
    Add(edit::AddArgs<edit::NewsFields>),
    /// Change an announcement's fields; --meeting '' clears its meetings.
    Edit(edit::EditArgs<edit::NewsFields>),
    /// Remove an announcement.
    Remove(edit::RemoveArgs),
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[arg(long, value_enum, default_value_t)]
    format: ListFormat,
}

pub fn run(cx: &mut Context, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Add(args) => return edit::add(cx, args),
        Command::Edit(args) => return edit::edit(cx, args),
        Command::Remove(args) => return edit::remove(cx, Kind::News, args),
        Command::List(args) => {
            let society = cx.society()?;
            let views: Vec<NewsView> = society
                .news_newest_first()
                .into_iter()
                .map(|n| NewsView::new(&society, n))
                .collect();
            cx.out.list(args.format, &views)?;
        }
        Command::Show(args) => {
            let society = cx.society()?;
            let item = society
                .news_item(&args.id)
                .ok_or_else(|| society.not_found(RecordKind::News, &args.id))?;
            let view = NewsView::new(&society, item);
            cx.out.record(args.format, &view, |out| {
                out.fields(&[
                    ("id", view.id.clone()),
                    ("date", view.date_text.clone()),
                    ("title", view.title.clone()),
                    ("meetings", meeting_ids(&view)),
                    ("text", view.text.clone()),
                ])
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The meetings an announcement tells of, by id, as `--meeting` takes them.
fn meeting_ids(view: &NewsView) -> String {
    let ids: Vec<&str> = view.meetings.iter().map(|m| m.id.as_str()).collect();
    ids.join(", ")
}

impl Row for NewsView {
    const TABLE: &'static [&'static str] = &["ID", "DATE", "TITLE"];

    fn table(&self) -> Vec<String> {
        vec![self.id.clone(), self.date.clone(), self.title.clone()]
    }

    const CSV: &'static [&'static str] = &[
        "id",
        "date",
        "date_precision",
        "title",
        "text",
        "meeting_ids",
    ];

    fn csv(&self) -> Vec<String> {
        let NewsView {
            id,
            date,
            date_precision,
            // `date` says the same for a table to sort by.
            date_text: _,
            title,
            text,
            meetings: _,
        } = self;
        vec![
            id.clone(),
            date.clone(),
            date_precision.name().to_string(),
            title.clone(),
            text.clone(),
            meeting_ids(self).replace(", ", ";"),
        ]
    }
}
