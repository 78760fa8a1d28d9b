//! `nspm institutions list` and `nspm institutions show`.

use std::io::{self, Write};

use nspm_core::query::Filters;
use nspm_core::view::InstitutionView;
use nspm_core::{Institution, Society};

use super::edit;
use super::records::{self, Listing, STAFF};
use crate::output::{Column, Output, Row};

/// `nspm institutions`.
pub type Command = records::Command<edit::InstitutionFields, Filter>;

/// Which institutions `institutions list` lists.
#[derive(Debug, clap::Args)]
pub struct Filter {
    /// Only institutions in this country: an ISO code (NO) or a name (Norway).
    #[arg(long, value_name = "CODE|NAME", value_parser = crate::cli::country)]
    country: Option<String>,
    /// Only institutions whose name, other spellings or country contain every
    /// word, ignoring case and accents.
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
}

impl Listing for Filter {
    type Record = Institution;

    fn select<'s>(&self, society: &'s Society) -> anyhow::Result<Vec<&'s Institution>> {
        let Filter { country, search } = self;
        let query = Filters {
            country: country.clone(),
            search: search.clone(),
            ..Filters::default()
        }
        .institutions()
        .map_err(crate::cli::filter_error)?;
        Ok(society.institutions_matching(&query))
    }

    fn text(
        out: &mut Output,
        society: &Society,
        institution: &Institution,
        view: &InstitutionView,
    ) -> io::Result<()> {
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
    }

    const LIST: &'static str = "List institutions, sorted by name";
    const SHOW: &'static str = "Show one institution and its people";
}

impl Row for InstitutionView {
    const TABLE: &'static [Column<Self>] = &[
        ("ID", |i| i.id.clone()),
        ("NAME", |i| i.name.clone()),
        ("COUNTRY", |i| i.country.name.to_string()),
        ("PEOPLE", |i| i.people.len().to_string()),
    ];

    const CSV: &'static [&'static str] = &[
        "id",
        "name",
        "aliases",
        "country_code",
        "country",
        "people",
        "web",
    ];

    fn csv(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.name.clone(),
            self.aliases.join(";"),
            self.country.code.to_string(),
            self.country.name.to_string(),
            self.people.join(";"),
            self.web.clone().unwrap_or_default(),
        ]
    }
}
