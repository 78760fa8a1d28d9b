//! `nspm-load DIR|--embedded`: loads and checks a society through nspm-core
//! and prints its counts, so that a benchmark can time the whole process.
//! Problems are printed one a line, and the exit code is then non-zero.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, bail};
use nspm_core::{Sources, check};

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("nspm-load: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<bool> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sources = match args.as_slice() {
        [flag] if flag == "--embedded" => Sources::embedded(),
        [dir] if !dir.starts_with('-') => Sources::read_dir(Path::new(dir))?,
        _ => bail!("usage: nspm-load DIR | nspm-load --embedded"),
    };
    let checked = check(&sources);
    for d in &checked.diagnostics {
        println!("{d}");
    }
    let Some(s) = checked.society else {
        eprintln!("{} problem(s)", checked.diagnostics.len());
        return Ok(false);
    };
    println!(
        "{} people, {} institutions, {} meetings",
        s.people.len(),
        s.institutions.len(),
        s.meetings.len()
    );
    Ok(true)
}
