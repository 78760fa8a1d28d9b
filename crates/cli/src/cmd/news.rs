//! `nspm news list|show|add|edit|remove`: the society's announcements.

use std::io;

use nspm_core::view::NewsView;
use nspm_core::{NewsItem, Society};

use super::edit;
use super::records::{self, Listing};
use crate::output::{Column, Output, Row};

/// `nspm news`.
pub type Command = records::Command<edit::NewsFields, All>;

/// `news list` lists every announcement: there are few, and all public.
#[derive(Debug, clap::Args)]
pub struct All {}

impl Listing for All {
    type Record = NewsItem;

    fn select<'s>(&self, society: &'s Society) -> anyhow::Result<Vec<&'s NewsItem>> {
        Ok(society.news_newest_first())
    }

    fn text(out: &mut Output, _: &Society, _: &NewsItem, view: &NewsView) -> io::Result<()> {
        out.fields(&[
            ("id", view.id.clone()),
            ("date", view.date_text.clone()),
            ("title", view.title.clone()),
            ("meetings", meeting_ids(view)),
            ("text", view.text.clone()),
        ])
    }

    const LIST: &'static str = "List the announcements, the latest first";
    const SHOW: &'static str = "Show one announcement";
}

/// The meetings an announcement tells of, by id, as `--meeting` takes them.
fn meeting_ids(view: &NewsView) -> String {
    let ids: Vec<&str> = view.meetings.iter().map(|m| m.id.as_str()).collect();
    ids.join(", ")
}

impl Row for NewsView {
    const TABLE: &'static [Column<Self>] = &[
        ("ID", |n| n.id.clone()),
        ("DATE", |n| n.date.clone()),
        ("TITLE", |n| n.title.clone()),
    ];

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
