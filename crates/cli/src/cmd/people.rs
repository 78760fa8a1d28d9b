//! `nspm people list`, `show`, `add`, `edit`, `remove` and `import`.

use std::io;
use std::process::ExitCode;

use nspm_core::query::Filters;
use nspm_core::view::{DetailView, PersonView};
use nspm_core::{Audience, Person, Society};

use super::records::{self, Listing, STAFF};
use super::{Context, edit};
use crate::output::{Column, Output, Row, ref_cells};

/// `nspm people`: the commands every kind of record has, and `import`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    #[command(flatten)]
    Records(records::Command<edit::PersonFields, Filter>),
    /// Add and update people from a CSV file, all rows or none: a row finds
    /// its person by id or email, and an empty cell changes nothing.
    Import(edit::ImportArgs),
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
    pub fn chosen<'s>(
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

impl Listing for Filter {
    type Record = Person;

    fn select<'s>(&self, society: &'s Society) -> anyhow::Result<Vec<&'s Person>> {
        self.chosen(society, STAFF)
    }

    fn text(out: &mut Output, _: &Society, person: &Person, view: &PersonView) -> io::Result<()> {
        out.fields(&[
            ("id", view.id.clone()),
            ("name", view.name.clone()),
            ("institution", institution_text(view)),
            ("country", view.country.name.to_string()),
            ("roles", view.roles.join(", ")),
            ("position", view.position.clone().unwrap_or_default()),
            ("email", detail_text(&view.contact.email)),
            ("phone", detail_text(&view.contact.phone)),
            ("orcid", detail_text(&view.contact.orcid)),
            ("web", detail_text(&view.contact.web)),
            ("photo", photo_path(person)),
        ])
    }

    const LIST: &'static str = "List people, sorted by family name then given name";
    const SHOW: &'static str = "Show one person, with every contact detail";
}

pub fn run(cx: &mut Context, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Records(records) => records.run(cx),
        Command::Import(args) => edit::import(cx, args),
    }
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

/// The photo's file as the data names it, inside the data directory.
fn photo_path(person: &Person) -> String {
    person
        .photo
        .as_ref()
        .map(|p| p.path().to_string())
        .unwrap_or_default()
}

/// The bare value of a detail, for CSV.
fn detail_value(detail: &Option<DetailView>) -> String {
    detail.as_ref().map(|d| d.value.clone()).unwrap_or_default()
}

impl Row for PersonView {
    // Roles are left out of the table to leave room for names; the other
    // formats and `people show` carry them.
    const TABLE: &'static [Column<Self>] = &[
        ("ID", |p| p.id.clone()),
        ("NAME", |p| p.name.clone()),
        ("INSTITUTION", |p| {
            p.institution
                .as_ref()
                .map(|i| i.name.clone())
                .unwrap_or_default()
        }),
        ("COUNTRY", |p| p.country.name.to_string()),
    ];

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
        "position",
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
            self.position.clone().unwrap_or_default(),
        ]
    }
}
