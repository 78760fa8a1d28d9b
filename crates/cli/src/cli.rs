//! The command line: global arguments, the list of commands, and how a run
//! ends (exit code and error message).
//!
//! Each command keeps its own clap types in its module under `cmd/`, so a new
//! command is one variant of [`Command`], one match arm in [`cmd::run`] and
//! one module.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use crate::cmd;

/// Exit codes, documented in `nspm --help`.
pub const EXIT_PROBLEM: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

const AFTER_HELP: &str = "\
Data: --data DIR, else $NSPM_DATA, else ./data when it holds society.ron, else the copy built into nspm.

Exit status: 0 on success; 1 when something asked for does not exist (an unknown id or institution), when the data has problems, or when a file cannot be read or written; 2 for a bad argument (an unknown command, option, country, role or format).";

/// Query and check the Nordic Society for Precision Medicine's data.
#[derive(Debug, Parser)]
#[command(name = "nspm", version, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Arguments every command takes.
#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// The directory that holds the society's RON files.
    #[arg(long, global = true, env = "NSPM_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, show, add, change and remove the people in the society's data.
    #[command(subcommand)]
    People(cmd::people::Command),
    /// List, show, add, change and remove institutions.
    #[command(subcommand)]
    Institutions(cmd::institutions::Command),
    /// List, show, add, change and remove the society's meetings.
    #[command(subcommand)]
    Meetings(cmd::meetings::Command),
    /// List, show, add, change and remove the society's announcements.
    #[command(subcommand)]
    News(cmd::news::Command),
    /// Show the society's name, mission and contact.
    Society(cmd::society::Args),
    /// Grant, list and revoke access to the members' area.
    #[command(subcommand)]
    Access(cmd::access::Command),
    /// Check the data and report every problem with its file, line and column.
    ///
    /// The report goes to stdout, as it is what the command was asked for.
    /// When the data is sound: one line "ok: N people, N institutions, N
    /// meetings in DIR", exit status 0. Otherwise: one line per problem,
    /// "file:line:col: context: message", then a line counting them, exit
    /// status 1.
    Check(cmd::check::Args),
    /// Rewrite the data files in the one canonical layout, keeping comments.
    ///
    /// The layout is that of the data as shipped: four spaces of indent, one
    /// field per line, trailing commas. With --check nothing is written: the
    /// changes are shown as a diff, and the exit status is 1 when there are any.
    Fmt(cmd::fmt::Args),
    /// Write the website, contact cards or the meetings calendar as files.
    #[command(subcommand)]
    Export(cmd::export::Command),
    /// Serve the website and the JSON API over HTTP or HTTPS until SIGINT or SIGTERM.
    ///
    /// When the data comes from a directory, changes to its files are
    /// checked and swapped in at once; data that fails the check is logged
    /// and the last good data stays in service. A directory replaced at the
    /// same path (a deploy's `mv data.new data`) is watched again. SIGHUP
    /// reads the data again at once.
    Serve(cmd::serve::Args),
    /// Print a shell completion script.
    Completions(cmd::completions::Args),
    /// Print the manual page, or write one page per command into a directory.
    Man(cmd::man::Args),
}

/// How a list is printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Aligned columns that fit the width: COLUMNS, else the terminal's, else 80.
    #[default]
    Table,
    /// A JSON array; the shapes are documented in docs/json.md.
    Json,
    /// Comma-separated values with a header row.
    Csv,
}

/// How a single record is printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    /// Labelled lines for people to read.
    #[default]
    Text,
    /// One JSON object; the shapes are documented in docs/json.md.
    Json,
}

/// The arguments of every `show` command.
#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The record's id, as the list command prints it.
    pub id: String,
    #[arg(long, value_enum, default_value_t)]
    pub format: ShowFormat,
}

/// Checks `--country` as people type it. Countries are a fixed list, so an
/// unknown one is a usage error (exit 2) that clap reports with the option;
/// the text goes on to nspm-core's filters, which read it as the API's do.
pub fn country(text: &str) -> Result<String, nspm_core::QueryError> {
    nspm_core::query::parse_country(text).map(|_| text.to_string())
}

/// Checks `--role`; like countries, roles are a fixed list.
pub fn role(text: &str) -> Result<String, nspm_core::QueryError> {
    nspm_core::query::parse_role(text).map(|_| text.to_string())
}

/// What a deployment of the website fixes, beside the data: `nspm export
/// site` and `nspm serve` take the same flags.
#[derive(Debug, clap::Args)]
pub struct Deploy {
    /// The site's address, an absolute http(s) URL such as
    /// https://nspm.example.org/; over the data's base_url. It gives the
    /// sitemap, canonical links and the webcal link.
    #[arg(long, value_name = "URL", value_parser = base_url)]
    pub base_url: Option<String>,
    /// The day the site is made for, as YYYY-MM-DD: meetings not over by
    /// then lead the home and meetings pages. Else the day of
    /// SOURCE_DATE_EPOCH, else today in UTC (and `serve` renders again
    /// each midnight UTC).
    #[arg(long, value_name = "DATE", value_parser = day)]
    pub today: Option<nspm_core::PartialDate>,
}

impl Deploy {
    /// The day to render for: `--today`, else `stamp`'s day (from
    /// SOURCE_DATE_EPOCH), else None for the clock's.
    pub fn fixed_day(&self, stamp: Option<nspm_core::Timestamp>) -> Option<nspm_core::PartialDate> {
        self.today.or_else(|| stamp.map(nspm_core::Timestamp::day))
    }

    /// Says on stderr, in one line, what a site without an address lacks.
    pub fn note_without_base_url(&self, society: &nspm_core::Society) {
        if self.base_url.is_none() && society.info.base_url.is_none() {
            eprintln!(
                "nspm: note: no base URL (give --base-url or set base_url in society.ron), so these are off: sitemap, canonical links, webcal, QR codes, preview-image URLs"
            );
        }
    }
}

/// Checks `--base-url`: an absolute http(s) URL, given a final `/`.
pub fn base_url(text: &str) -> Result<String, String> {
    nspm_core::validate::base_url(text.trim())
}

/// Checks `--today`: a day, as YYYY-MM-DD.
pub fn day(text: &str) -> Result<nspm_core::PartialDate, String> {
    match nspm_core::PartialDate::parse(text.trim())? {
        day @ nspm_core::PartialDate::Day(..) => Ok(day),
        _ => Err(format!("\"{text}\" is not a day: expected YYYY-MM-DD")),
    }
}

/// A filter that names nothing, with its flag.
pub fn filter_error(e: nspm_core::query::FilterError) -> anyhow::Error {
    anyhow::anyhow!("--{}: {}", e.filter.name(), e.error)
}

/// The longest any option may make nspm wait: a day. Far longer waits are
/// mistakes, and one long enough would not fit the system's clock.
const MAX_SECONDS: f64 = 86_400.0;

/// Reads a number of seconds from 0 to a day, such as `--wait 2.5`; any
/// other is a usage error (exit 2) that clap reports with the option.
pub fn seconds(text: &str) -> Result<Duration, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| (0.0..=MAX_SECONDS).contains(s))
        .map(Duration::from_secs_f64)
        .ok_or_else(|| format!("expected a number of seconds from 0 to {MAX_SECONDS} (a day)"))
}

/// Parses the arguments, runs the command and turns the outcome into an exit
/// code, printing any error chain to stderr.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout and succeed; the rest are usage
            // errors. A closed stdout while printing help is not an error.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match cmd::run(cli) {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nspm: error: {e:#}");
            ExitCode::from(EXIT_PROBLEM)
        }
    }
}

/// True when the error comes from writing to a pipe whose reader has gone,
/// as when the output is piped into `head`: the reader has what it wanted.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
