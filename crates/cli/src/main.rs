//! `nspm`: the staff's command line over the society's data.
//!
//! The binary is glue: clap types in [`cli`], one module per command under
//! [`cmd`], and the table, JSON and CSV writers in [`output`]. Everything
//! about the data itself lives in nspm-core.

mod cli;
mod cmd;
mod output;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
