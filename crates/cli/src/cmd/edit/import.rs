//! `nspm people import FILE.csv`: reads a spreadsheet's CSV into a table
//! for nspm-core's import, and writes the result as an edit is written.
//!
//! The reading is the command line's part: a byte-order mark is dropped,
//! the separator is a comma or (as spreadsheets in Nordic locales write) a
//! semicolon, whichever the header line has more of, and every cell must
//! be UTF-8. Rows whose every cell is empty, as spreadsheets leave below a
//! list, are skipped.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use nspm_core::edit::import::{self, ImportError, Outcome, Row, Table};

use super::{Context, Options, busy, lock, read, warn_written, writable_dir};

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// A CSV file with a header row naming its columns as `people list
    /// --format csv` does (id, given_name, family_name, institution,
    /// country, roles, email, email_visibility, …).
    #[arg(value_name = "FILE.csv")]
    file: PathBuf,
    #[command(flatten)]
    options: Options,
}

/// A cell that is not UTF-8, found while reading.
struct NotUtf8 {
    line: u64,
    column: String,
}

pub fn run(cx: &mut Context, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let shown = args.file.display().to_string();
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {shown}"))?;
    let (table, not_utf8) = parse(&bytes).with_context(|| format!("cannot read {shown}"))?;

    let data = writable_dir(cx)?;
    let options = &args.options;
    let (mut before, lock) = if options.dry_run {
        (read(&data, &options.wait)?, None)
    } else {
        let lock = lock(&data, &options.wait)?;
        (lock.read()?, Some(lock))
    };
    // The photos the rows name are read with the data, to be checked with it.
    before.read_photos(data.path(), table.photos());
    let progress = crate::cmd::progress("checking rows", table.rows.len());
    let result = import::import(&before, &table, nspm_store::now(), &mut |n| {
        progress.set_position(n as u64)
    });
    progress.finish_and_clear();
    let refused = |mut lines: Vec<(u64, String)>| {
        lines.extend(
            not_utf8
                .iter()
                .map(|n| (n.line, format!("line {}: column \"{}\": the cell is not UTF-8 text; save the file as CSV UTF-8", n.line, n.column))),
        );
        // Problems in the order of the file; a row's own keep their order.
        lines.sort_by_key(|(line, _)| *line);
        let n = lines.len();
        let s = if n == 1 { "" } else { "s" };
        let mut message =
            format!("{shown}: the import was refused, nothing was changed: {n} problem{s}");
        for (_, line) in lines {
            message.push_str("\n  ");
            message.push_str(&line);
        }
        anyhow::anyhow!(message)
    };
    let imported = match result {
        Err(ImportError::Refused(problems)) => {
            return Err(refused(
                problems.iter().map(|p| (p.line, p.to_string())).collect(),
            ));
        }
        Err(e @ ImportError::Unsound(_)) => return Err(e.into()),
        Ok(_) if !not_utf8.is_empty() => return Err(refused(Vec::new())),
        Ok(imported) => imported,
    };
    let path = before.display_path(nspm_core::DataFile::People);
    let tally = imported.tally();
    match lock {
        None => {
            write!(cx.out, "{}", nspm_store::diff(&before, &imported.sources))?;
            cx.out.flush()?;
            eprintln!("dry run, nothing written: {tally} ({path})");
        }
        Some(_) if !imported.changed() => {
            writeln!(cx.out, "nothing changed: {tally} ({path})")?;
        }
        Some(lock) => {
            let saved = lock.save(&before, &imported.sources).map_err(busy)?;
            for row in imported
                .rows
                .iter()
                .filter(|r| r.outcome != Outcome::Unchanged)
            {
                writeln!(cx.out, "line {}: {}", row.line, row.summary)?;
            }
            writeln!(cx.out, "{tally} ({path})")?;
            cx.out.flush()?;
            warn_written(saved.warnings);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The table in `bytes`, and the cells that are not UTF-8 (their rows left
/// out of the table, so that the rest can still be checked).
fn parse(bytes: &[u8]) -> anyhow::Result<(Table, Vec<NotUtf8>)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator(bytes))
        .from_reader(bytes);
    let mut table = Table::default();
    let mut not_utf8 = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut first = true;
    loop {
        let line = reader.position().line();
        if !reader
            .read_byte_record(&mut record)
            .with_context(|| format!("line {line}"))?
        {
            break;
        }
        let line = record.position().map_or(line, |p| p.line());
        let mut cells = Vec::with_capacity(record.len());
        let mut whole = true;
        for (i, cell) in record.iter().enumerate() {
            match std::str::from_utf8(cell) {
                Ok(text) => cells.push(text.to_string()),
                Err(_) => {
                    let column = match table.header.get(i) {
                        Some(name) if !first => name.clone(),
                        _ => format!("{}", i + 1),
                    };
                    not_utf8.push(NotUtf8 { line, column });
                    whole = false;
                    cells.push(String::new());
                }
            }
        }
        if first {
            first = false;
            table.header = cells;
        } else if whole && cells.iter().any(|c| !c.trim().is_empty()) {
            table.rows.push(Row { line, cells });
        }
    }
    if first {
        anyhow::bail!("the file is empty; it needs a header row naming its columns");
    }
    Ok((table, not_utf8))
}

/// The separator of the header line: a semicolon when it has more of them
/// than commas, else a comma. Quoted text is not counted.
fn separator(bytes: &[u8]) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0, 0, false);
    for &b in bytes {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}
