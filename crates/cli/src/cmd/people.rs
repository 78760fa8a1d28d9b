//! `nspm people list`, `show`, `add`, `edit`, `remove` and `import`.

use std::process::ExitCode;

use nspm_core::edit::Kind;
use nspm_core::query::Filters;
use nspm_core::view::{DetailView, PersonView};
use nspm_core::{Audience, Person, RecordKind, Society};

use super::{Context, edit};
use crate::cli::{ListFormat, ShowArgs};
use crate::output::{Row, ref_cells};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List people, sorted by family name then given name.
    List(ListArgs),
    /// Show one person, with every contact detail.
    Show(ShowArgs),
    /// Add a person; the id is made from the name unless --id is given.
    Add(edit::AddArgs<edit::PersonFields>),
    /// Change a person's fields; '' clears an optional one.
    Edit(edit::EditArgs<edit::PersonFields>),
    /// Remove a person, revoking their access to the members' area; refused
    /// while the society names them as its contact.
    Remove(edit::RemoveArgs),
    /// Add and update people from a CSV file, all rows or none: a row finds
    /// its person by id or email, and an empty cell changes nothing.
    Import(edit::ImportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    filter: Filter,
    #[arg(long, value_enum, default_value_t)]
    format: ListFormat,
}

/// Which people a command works on; `people list` and `export vcard` share it.
#[derive(Debug, clap::Args)]
pub struct Filter {
    /// Only people from this country: an ISO code (NO) or a name (Norway).
    #[arg(long, value_name = "CODE|NAME", value_parser = crate::cli::country)]
    country: Option<String>,
    /// Only people at this institution: its id, name or another spelling.
    #[arg(long, value_name = "ID|NAME")]
    institution: Option<String>,
    /// Only people with this role, such as steering-committee or chair.
    #[arg(long, value_parser = crate::cli::role)]
    role: Option<String>,
    /// Only people whose name, institution or country contain every word,
    /// ignoring case and accents ("soren" finds Søren).
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
}

impl Filter {
    /// The people chosen whom this audience may know of, sorted by family
    /// name then given name.
    pub fn select<'s>(
        &self,
        society: &'s Society,
        audience: Audience,
    ) -> anyhow::Result<Vec<&'s Person>> {
        let query = Filters {
            country: self.country.clone(),
            institution: self.institution.clone(),
            role: self.role.clone(),
            search: self.search.clone(),
            ..Filters::default()
        }
        .people(society)
        .map_err(crate::cli::filter_error)?;
        Ok(society.people_matching(&query, audience))
    }
}

pub fn run(cx: &mut Context, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Add(args) => return edit::add(cx, args),
        Command::Edit(args) => return edit::edit(cx, args),
        Command::Remove(args) => return edit::remove(cx, Kind::Person, args),
        Command::Import(args) => return edit::import(cx, args),
        Command::List(args) => {
            let society = cx.society()?;
            let views: Vec<PersonView> = args
                .filter
                .select(&society, Audience::Members)?
                .into_iter()
                .map(|p| PersonView::new(&society, p, Audience::Members))
                .collect();
            cx.out.list(args.format, &views)?;
        }
        Command::Show(args) => {
            let society = cx.society()?;
            let person = society
                .person(&args.id)
                .ok_or_else(|| society.not_found(RecordKind::Person, &args.id))?;
            let view = PersonView::new(&society, person, Audience::Members);
            cx.out.record(args.format, &view, |out| {
                out.fields(&[
                    ("id", view.id.clone()),
                    ("name", view.name.clone()),
                    ("institution", institution_text(&view)),
                    ("country", view.country.name.to_string()),
                    ("roles", view.roles.join(", ")),
                    ("position", view.position.clone().unwrap_or_default()),
                    ("email", detail_text(&view.contact.email)),
                    ("phone", detail_text(&view.contact.phone)),
                    ("orcid", detail_text(&view.contact.orcid)),
                    ("web", detail_text(&view.contact.web)),
                ])
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn institution_text(view: &PersonView) -> String {
    view.institution
        .as_ref()
        .map(|i| format!("{} ({})", i.name, i.id))
        .unwrap_or_default()
}

/// A contact detail, marked when only members may see it.
fn detail_text(detail: &Option<DetailView>) -> String {
    match detail {
        Some(d) if d.visibility == nspm_core::Visibility::Members => {
            format!("{} (members only)", d.value)
        }
        Some(d) => d.value.clone(),
        None => String::new(),
    }
}

/// The bare value of a detail, for CSV.
fn detail_value(detail: &Option<DetailView>) -> String {
    detail.as_ref().map(|d| d.value.clone()).unwrap_or_default()
}

impl Row for PersonView {
    // Roles are left out of the table to leave room for names; the other
    // formats and `people show` carry them.
    const TABLE: &'static [&'static str] = &["ID", "NAME", "INSTITUTION", "COUNTRY"];

    fn table(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.name.clone(),
            self.institution
                .as_ref()
                .map(|i| i.name.clone())
                .unwrap_or_default(),
            self.country.name.to_string(),
        ]
    }

    const CSV: &'static [&'static str] = &[
        "id",
        "name",
        "given_name",
        "family_name",
        "institution_id",
        "institution",
        "country_code",
        "country",
        "roles",
        "email",
        "phone",
        "orcid",
        "web",
    ];

    fn csv(&self) -> Vec<String> {
        let [inst_id, inst_name] = ref_cells(&self.institution);
        vec![
            self.id.clone(),
            self.name.clone(),
            self.given_name.clone(),
            self.family_name.clone(),
            inst_id,
            inst_name,
            self.country.code.to_string(),
            self.country.name.to_string(),
            self.roles.join(";"),
            detail_value(&self.contact.email),
            detail_value(&self.contact.phone),
            detail_value(&self.contact.orcid),
            detail_value(&self.contact.web),
        ]
    }
}
