//! `nspm access grant|list|revoke`: who may open the members' area.
//!
//! Grants live in `access.ron` beside the data (nspm-access reads and
//! writes its text); changes to it take the data directory's lock and are
//! written atomically by nspm-store, as edits to the data are.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use nspm_access::{ACCESS_FILE, Access, Expiry, Grant, GrantId, Label};
use nspm_core::{Society, Sources, Timestamp};
use nspm_store::DataDir;
use serde::Serialize;

use super::{Context, edit};
use crate::cli::ListFormat;
use crate::output::{Column, Row};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Give a person access to the members' area, and print their new
    /// credential and calendar feed address, once.
    ///
    /// Only their hashes are kept, in access.ron beside the data: hand them
    /// to the person privately, as they cannot be shown again.
    Grant(GrantArgs),
    /// List every grant of access, revoked and expired ones too; never a
    /// credential.
    List(ListArgs),
    /// Revoke one grant by its id, or every active grant of a person.
    ///
    /// The grant stays listed as revoked; its credential, feed address and
    /// sessions stop working.
    Revoke(RevokeArgs),
}

#[derive(Debug, clap::Args)]
pub struct GrantArgs {
    /// The person's id, as `nspm people list` prints it.
    #[arg(value_name = "PERSON")]
    person: String,
    /// The last day the grant works (YYYY-MM-DD, through midnight UTC), or
    /// the moment it stops (YYYY-MM-DDTHH:MM:SSZ). Without it, the grant
    /// works until revoked.
    #[arg(long, value_name = "DATE", value_parser = future_expiry)]
    expires: Option<Expiry>,
    /// A note for staff, such as whose device the credential is for.
    #[arg(long, value_name = "TEXT", value_parser = label)]
    label: Option<Label>,
    #[command(flatten)]
    options: Options,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[arg(long, value_enum, default_value_t)]
    format: ListFormat,
}

#[derive(Debug, clap::Args)]
pub struct RevokeArgs {
    /// A grant's id, as `nspm access list` prints it, or a person's id.
    #[arg(value_name = "PERSON|GRANT_ID")]
    target: String,
    #[command(flatten)]
    options: Options,
}

/// What `grant` and `revoke` share with the edit commands.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// Say what would change, and write nothing.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    wait: edit::Wait,
}

pub fn run(cx: &mut Context, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Grant(args) => grant(cx, args),
        Command::List(args) => list(cx, &args),
        Command::Revoke(args) => revoke(cx, &args),
    }
}

/// Reads `--expires`; one that has passed is a usage error (exit 2).
fn future_expiry(text: &str) -> Result<Expiry, String> {
    let expiry = Expiry::parse(text)?;
    if expiry.ends() <= nspm_store::now() {
        return Err(format!(
            "{expiry} has passed: give a later day or time, or leave --expires out"
        ));
    }
    Ok(expiry)
}

fn label(text: &str) -> Result<Label, String> {
    Label::new(text)
}

/// The data directory, which keeps the access file; the copy built into
/// nspm has none.
fn access_dir(cx: &Context) -> anyhow::Result<PathBuf> {
    let dir = cx.data_dir().context(
        "access is kept beside the data, in a data directory: give --data DIR, set NSPM_DATA, or run where ./data holds society.ron",
    )?;
    anyhow::ensure!(
        Sources::dir_has_data(&dir),
        "{} holds no society.ron: access is kept beside the society's data",
        dir.display()
    );
    Ok(dir)
}

fn access_path(dir: &Path) -> String {
    dir.join(ACCESS_FILE).display().to_string()
}

fn grant(cx: &mut Context, args: GrantArgs) -> anyhow::Result<ExitCode> {
    let dir = access_dir(cx)?;
    let lock = DataDir::new(&dir).lock(args.options.wait.duration(), &edit::what())?;
    // Read under the lock, so that the person cannot be removed between
    // this check and the grant.
    let sources = lock.read()?;
    let society = Society::from_sources(&sources)
        .with_context(|| format!("cannot load the data in {}", sources.origin))?;
    let person = society
        .person(&args.person)
        .ok_or_else(|| society.not_found(nspm_core::RecordKind::Person, &args.person))?;
    let mut access = Access::read(&dir)?;
    let issued = access.grant(
        person.id.clone(),
        nspm_store::now(),
        args.expires,
        args.label,
    )?;
    let path = access_path(&dir);
    let until = match args.expires {
        None => "with no expiry".to_string(),
        Some(e @ Expiry::Day(..)) => format!("through {e} UTC"),
        Some(e @ Expiry::At(_)) => format!("until {e}"),
    };
    if args.options.dry_run {
        eprintln!(
            "dry run, nothing written: would grant access to {}, {until} ({path})",
            person.id
        );
        return Ok(ExitCode::SUCCESS);
    }
    let warning =
        nspm_store::write_atomically(&dir.join(ACCESS_FILE), &access.to_ron(), &cx.faults)?;
    edit::warn_written(warning.into_iter().collect());
    drop(lock);
    let base_url = society.info.base_url.as_deref();
    writeln!(
        cx.out,
        "granted access to {} as grant {}, {until} ({path})",
        person.id, issued.id
    )?;
    cx.out.fields(&[
        ("user name", person.id.to_string()),
        ("credential", issued.credential.expose().to_string()),
        ("calendar feed", issued.feed.url(base_url)),
    ])?;
    cx.out.flush()?;
    eprintln!(
        "note: the credential and the feed address are shown only now and cannot be shown again: only their hashes are kept. Hand them to {} privately; if one is lost, revoke the grant (nspm access revoke {}) and grant anew.",
        person.name(),
        issued.id
    );
    Ok(ExitCode::SUCCESS)
}

fn list(cx: &mut Context, args: &ListArgs) -> anyhow::Result<ExitCode> {
    let dir = access_dir(cx)?;
    let access = Access::read(&dir)?;
    let now = nspm_store::now();
    let rows: Vec<GrantRow> = access
        .grants()
        .iter()
        .map(|g| GrantRow::new(g, now))
        .collect();
    cx.out.list(args.format, &rows)?;
    Ok(ExitCode::SUCCESS)
}

fn revoke(cx: &mut Context, args: &RevokeArgs) -> anyhow::Result<ExitCode> {
    let dir = access_dir(cx)?;
    let lock = DataDir::new(&dir).lock(args.options.wait.duration(), &edit::what())?;
    let mut access = Access::read(&dir)?;
    let now = nspm_store::now();
    let path = access_path(&dir);
    let target = args.target.as_str();
    // A grant's id first: those are the more precise, and no person's id
    // is twelve hexadecimal digits in practice.
    let chosen: Vec<GrantId> = match access.get(target) {
        Some(g) if g.revoked.is_some() => {
            let when = g.revoked.map(|t| t.to_string()).unwrap_or_default();
            eprintln!(
                "nothing to revoke: grant {} of {} was revoked at {when} ({path})",
                g.id, g.person
            );
            return Ok(ExitCode::SUCCESS);
        }
        Some(g) => vec![g.id.clone()],
        None => {
            let mut grants = access.of_person(target).peekable();
            if grants.peek().is_none() {
                return Err(no_grant(&access, target));
            }
            let active: Vec<GrantId> = grants
                .filter(|g| g.is_active(now))
                .map(|g| g.id.clone())
                .collect();
            if active.is_empty() {
                eprintln!("nothing to revoke: {target} has no active grant ({path})");
                return Ok(ExitCode::SUCCESS);
            }
            active
        }
    };
    let lines = revoke_all(&mut access, &chosen, now);
    if args.options.dry_run {
        for line in &lines {
            eprintln!("dry run, nothing written: would revoke {line} ({path})");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let warning =
        nspm_store::write_atomically(&dir.join(ACCESS_FILE), &access.to_ron(), &cx.faults)?;
    edit::warn_written(warning.into_iter().collect());
    drop(lock);
    for line in &lines {
        writeln!(cx.out, "revoked {line} ({path})")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Revokes each grant, and says which it revoked: "grant ID of PERSON"
/// and its label.
fn revoke_all(access: &mut Access, ids: &[GrantId], now: Timestamp) -> Vec<String> {
    let mut lines = Vec::new();
    for id in ids {
        access.revoke(id, now);
        if let Some(g) = access.get(id.as_str()) {
            let label = g
                .label
                .as_ref()
                .map(|l| format!(", \"{l}\""))
                .unwrap_or_default();
            lines.push(format!("grant {} of {}{label}", g.id, g.person));
        }
    }
    lines
}

/// Revokes every active grant of a person being removed from the data in
/// `dir`, whose lock the caller holds; writes nothing on a dry run. Each
/// line names a grant revoked and the access file.
pub(super) fn revoke_removed(
    dir: &Path,
    person: &str,
    now: Timestamp,
    dry_run: bool,
    faults: &nspm_store::Faults,
) -> anyhow::Result<Vec<String>> {
    let mut access = Access::read(dir)?;
    let active: Vec<GrantId> = access
        .of_person(person)
        .filter(|g| g.is_active(now))
        .map(|g| g.id.clone())
        .collect();
    if active.is_empty() {
        return Ok(Vec::new());
    }
    let path = access_path(dir);
    let lines = revoke_all(&mut access, &active, now);
    if !dry_run {
        let warning =
            nspm_store::write_atomically(&dir.join(ACCESS_FILE), &access.to_ron(), faults)?;
        edit::warn_written(warning.into_iter().collect());
    }
    Ok(lines.into_iter().map(|l| format!("{l} ({path})")).collect())
}

/// Neither a grant nor a person with access: suggest the closest of both.
fn no_grant(access: &Access, target: &str) -> anyhow::Error {
    let mut names: Vec<&str> = access.grants().iter().map(|g| g.id.as_str()).collect();
    for g in access.grants() {
        if !names.contains(&g.person.as_str()) {
            names.push(g.person.as_str());
        }
    }
    let hint = match nspm_core::suggest::suggest(target, names.into_iter()).as_slice() {
        [] => String::new(),
        [one] => format!("; did you mean {one}?"),
        many => format!("; did you mean one of {}?", many.join(", ")),
    };
    anyhow::anyhow!("no grant or person with access matches \"{target}\"{hint}")
}

/// One grant as `nspm access list` shows it: never a secret or a hash.
#[derive(Debug, Serialize)]
struct GrantRow {
    id: String,
    person: String,
    label: Option<String>,
    granted: Timestamp,
    /// As given: a day (`2026-12-31`, through its end in UTC) or a moment.
    expires: Option<String>,
    revoked: Option<Timestamp>,
    /// `active`, `expired` or `revoked`, now.
    status: &'static str,
}

impl GrantRow {
    fn new(g: &Grant, now: Timestamp) -> GrantRow {
        GrantRow {
            id: g.id.to_string(),
            person: g.person.to_string(),
            label: g.label.as_ref().map(Label::to_string),
            granted: g.granted,
            expires: g.expires.map(|e| e.to_string()),
            revoked: g.revoked,
            status: g.status(now).name(),
        }
    }
}

impl Row for GrantRow {
    const TABLE: &'static [Column<Self>] = &[
        ("GRANT", |g| g.id.clone()),
        ("PERSON", |g| g.person.clone()),
        ("LABEL", |g| g.label.clone().unwrap_or_default()),
        // The day is enough to tell grants apart in a table; the other
        // formats give the moment.
        ("GRANTED", |g| {
            let granted = g.granted.to_string();
            granted.get(..10).unwrap_or(&granted).to_string()
        }),
        ("EXPIRES", |g| g.expires.clone().unwrap_or_default()),
        ("STATUS", |g| g.status.to_string()),
    ];

    const CSV: &'static [&'static str] = &[
        "id", "person", "label", "granted", "expires", "revoked", "status",
    ];

    fn csv(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.person.clone(),
            self.label.clone().unwrap_or_default(),
            self.granted.to_string(),
            self.expires.clone().unwrap_or_default(),
            self.revoked.map(|t| t.to_string()).unwrap_or_default(),
            self.status.to_string(),
        ]
    }
}
