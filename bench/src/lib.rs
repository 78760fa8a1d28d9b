//! Benchmark tooling for nspm: a generator of synthetic societies of any
//! size, written as the same four RON files as `data/`.
//!
//! The same seed gives the same files, byte for byte, on every machine, so a
//! figure in BENCHMARKS.md can be reproduced from its command line. Every
//! society written passes `nspm-core`'s check; the tests load one to prove it.
//!
//! ```
//! let files = nspm_bench::generate(&nspm_bench::Shape {
//!     people: 10,
//!     meetings: 3,
//!     institutions: 2,
//!     seed: 1,
//!     members: 0,
//! });
//! assert!(files.people.contains("Person("));
//! ```

mod institutions;
mod meetings;
mod people;
mod rng;
mod ron;
mod words;

use std::io;
use std::path::Path;

pub use rng::Rng;

/// How a benchmark tool that only succeeds or fails ends: exit code 0, or
/// the error chain after the tool's `name` on standard error and 1.
pub fn exit(name: &str, result: anyhow::Result<()>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// How large a society to make, and from which seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub people: usize,
    pub meetings: usize,
    pub institutions: usize,
    pub seed: u64,
    /// The percentage of the people outside the committee who are members
    /// of the society (role `Member`), and so known to members only. With
    /// none, the files are as they were before the generator knew the role.
    pub members: u8,
}

/// The text of the four data files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Files {
    pub society: String,
    pub institutions: String,
    pub people: String,
    pub meetings: String,
}

impl Files {
    /// The files with their names in a data directory.
    pub fn named(&self) -> [(&'static str, &str); 4] {
        [
            ("society.ron", &self.society),
            ("institutions.ron", &self.institutions),
            ("people.ron", &self.people),
            ("meetings.ron", &self.meetings),
        ]
    }

    /// Writes the files into `dir`, creating it if need be.
    pub fn write_to(&self, dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)?;
        for (name, text) in self.named() {
            std::fs::write(dir.join(name), text)?;
        }
        Ok(())
    }

    /// The size of all four files, in bytes.
    pub fn total_len(&self) -> usize {
        self.named().iter().map(|(_, t)| t.len()).sum()
    }
}

/// Each file draws from its own stream of numbers, so that asking for more
/// meetings leaves the people as they were.
fn stream(seed: u64, file: u64) -> Rng {
    let mut mix = Rng::new(seed ^ file.wrapping_mul(0x2545_f491_4f6c_dd1d));
    Rng::new(mix.next_u64())
}

/// A list file of `what`, about `bytes` long: its header, the items that
/// `write` writes (drawing from the file's own stream, the `file`th), and
/// the closing bracket; and what `write` returned.
fn list_file<R>(
    seed: u64,
    (what, file): (&str, u64),
    bytes: usize,
    write: impl FnOnce(&mut String, &mut Rng) -> R,
) -> (String, R) {
    let mut text =
        format!("// Synthetic {what}, written by nspm-gen with seed {seed}: not real data.\n[\n");
    text.reserve(bytes);
    let made = write(&mut text, &mut stream(seed, file));
    text.push_str("]\n");
    (text, made)
}

/// Makes a society of the given shape.
pub fn generate(shape: &Shape) -> Files {
    let seed = shape.seed;
    let (institutions, insts) = list_file(
        seed,
        ("institutions", 1),
        shape.institutions * 160,
        |t, r| institutions::write(t, r, shape.institutions),
    );
    let (people, contact) = list_file(seed, ("people", 2), shape.people * 330, |t, r| {
        people::write(t, r, shape.people, shape.members, &insts)
    });
    let (meetings, ()) = list_file(seed, ("meetings", 3), shape.meetings * 330, |t, r| {
        meetings::write(t, r, shape.meetings, &insts)
    });

    Files {
        society: society(shape, contact.as_deref()),
        institutions,
        people,
        meetings,
    }
}

/// The society file: the real society's words, naming the first synthetic
/// person as its contact.
fn society(shape: &Shape, contact: Option<&str>) -> String {
    let mut person = String::new();
    match contact {
        Some(id) => {
            person.push_str("Some(");
            ron::quote(&mut person, id);
            person.push(')');
        }
        None => person.push_str("None"),
    }
    format!(
        r#"// A synthetic society, written by nspm-gen with seed {seed}: not real data.
Society(
    id: "nspm",
    name: "Nordic Society for Precision Medicine",
    short_name: "NSPM",
    initiative: Initiative(
        name: "Nordic Precision Medicine Initiative",
        short_name: "NPMI",
    ),
    mission_intro: "The Nordic Society for Precision Medicine (NSPM) was created in order to:",
    mission: [
        "establish a Nordic framework for research into the genetics of human diseases;",
        "and uphold and promote the highest legal, regulatory, social, and ethical standards.",
    ],
    mission_outro: "We will do this by working with pertinent experts and other stakeholders.",
    background: [
        "A synthetic history of a synthetic society, for measuring how fast nspm reads its data.",
    ],
    contact: Contact(
        person: {person},
        email: "NordicPrecisionMedicine@gmail.com",
    ),
    base_url: Some("https://nspm.example.org/"),
)
"#,
        seed = shape.seed
    )
}

#[cfg(test)]
mod tests;
