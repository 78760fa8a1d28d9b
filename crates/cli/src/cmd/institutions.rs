//! `nspm institutions list` and `nspm institutions show`.

use std::io::Write;
use std::process::ExitCode;

use nspm_core::edit::Kind;
use nspm_core::query::Filters;
use nspm_core::view::InstitutionView;
use nspm_core::{Audience, RecordKind};

use super::{Context, edit};
use crate::cli::{ListFormat, ShowArgs};
use crate::output::Row;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List institutions, sorted by name.
    List(ListArgs),
    /// Show one institution and its people.
    Show(ShowArgs),
    /// Add an institution; the id is made from the name unless --id is given.
    Add(edit::AddArgs<edit::InstitutionFields>),
    /// Change an institution's fields; '' clears an optional one.
    Edit(edit::EditArgs<edit::InstitutionFields>),
    /// Remove an institution; refused while people belong to it or meetings name it.
    Remove(edit::RemoveArgs),
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Only institutions in this country: an ISO code (NO) or a name (Norway).
    #[arg(long, value_name = "CODE|NAME", value_parser = crate::cli::country)]
    country: Option<String>,
    /// Only institutions whose name, other spellings or country contain every
    /// word, ignoring case and accents.
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    format: ListFormat,
}

pub fn run(cx: &mut Context, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Add(args) => return edit::add(cx, args),
        Command::Edit(args) => return edit::edit(cx, args),
        Command::Remove(args) => return edit::remove(cx, Kind::Institution, args),
        Command::List(args) => {
            let society = cx.society()?;
            let query = Filters {
                country: args.country,
                search: args.search,
                ..Filters::default()
            }
            .institutions()
            .map_err(crate::cli::filter_error)?;
            let views: Vec<InstitutionView> = society
                .institutions_matching(&query)
                .into_iter()
                .map(|i| InstitutionView::new(&society, i, STAFF))
                .collect();
            cx.out.list(args.format, &views)?;
        }
        Command::Show(args) => {
            let society = cx.society()?;
            let institution = society
                .institution(&args.id)
                .ok_or_else(|| society.not_found(RecordKind::Institution, &args.id))?;
            let view = InstitutionView::new(&society, institution, STAFF);
            cx.out.record(args.format, &view, |out| {
                out.fields(&[
                    ("id", view.id.clone()),
                    ("name", view.name.clone()),
                    ("aliases", view.aliases.join(", ")),
                    ("country", view.country.name.to_string()),
                    ("web", view.web.clone().unwrap_or_default()),
                    ("people", view.people.len().to_string()),
                ])?;
                let people: Vec<Vec<String>> = society
                    .people_at(institution, STAFF)
                    .map(|p| vec![p.id.to_string(), p.name()])
                    .collect();
                if !people.is_empty() {
                    writeln!(out)?;
                    out.table(&["ID", "NAME"], &people)?;
                }
                Ok(())
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Staff know of everyone, members-only people too, as `people list` shows them.
const STAFF: Audience = Audience::Members;

impl Row for InstitutionView {
    const TABLE: &'static [&'static str] = &["ID", "NAME", "COUNTRY", "PEOPLE"];

    fn table(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.name.clone(),
            self.country.name.to_string(),
            self.people.len().to_string(),
        ]
    }

    const CSV: &'static [&'static str] =
        &["id", "name", "aliases", "country_code", "country", "people"];

    fn csv(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.name.clone(),
            self.aliases.join(";"),
            self.country.code.to_string(),
            self.country.name.to_string(),
            self.people.join(";"),
        ]
    }
}
