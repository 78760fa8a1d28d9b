//! `nspm-gen`: writes a synthetic society of any size as data files.
//!
//! ```text
//! nspm-gen --people 100000 --meetings 10000 --institutions 2000 --seed 1 --out DIR
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use nspm_bench::{Shape, generate};

const USAGE: &str =
    "usage: nspm-gen [--people N] [--meetings N] [--institutions N] [--members PERCENT] [--seed N] --out DIR

Writes society.ron, institutions.ron, people.ron and meetings.ron into DIR.
The same seed gives the same files. Defaults: 1000 people, 100 meetings,
50 institutions, seed 1, no members outside the committee (--members 40:
four in ten of the others have the role Member, known to members only).";

fn main() -> ExitCode {
    nspm_bench::exit("nspm-gen", run())
}

fn run() -> Result<()> {
    let mut shape = Shape {
        people: 1000,
        meetings: 100,
        institutions: 50,
        seed: 1,
        members: 0,
    };
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--help" || arg == "-h" {
            println!("{USAGE}");
            return Ok(());
        }
        let Some(value) = args.next() else {
            bail!("{arg} needs a value\n\n{USAGE}");
        };
        let number = || -> Result<u64> {
            value
                .parse()
                .with_context(|| format!("{arg} expects a whole number, found \"{value}\""))
        };
        match arg.as_str() {
            "--people" => shape.people = number()? as usize,
            "--meetings" => shape.meetings = number()? as usize,
            "--institutions" => shape.institutions = number()? as usize,
            "--seed" => shape.seed = number()?,
            "--members" => {
                shape.members = u8::try_from(number()?)
                    .ok()
                    .filter(|p| *p <= 100)
                    .with_context(|| {
                        format!("--members expects a percentage, 0 to 100, found \"{value}\"")
                    })?;
            }
            "--out" => out = Some(PathBuf::from(&value)),
            _ => bail!("unknown argument \"{arg}\"\n\n{USAGE}"),
        }
    }
    let Some(out) = out else {
        bail!("--out DIR is required\n\n{USAGE}");
    };
    let files = generate(&shape);
    files
        .write_to(&out)
        .with_context(|| format!("cannot write the society into {}", out.display()))?;
    eprintln!(
        "wrote {} people, {} meetings, {} institutions ({} bytes) into {}",
        shape.people,
        shape.meetings,
        shape.institutions,
        files.total_len(),
        out.display()
    );
    Ok(())
}
