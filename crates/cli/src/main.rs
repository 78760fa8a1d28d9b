//! `nspm`: the staff's command line over the society's data.
//!
//! The binary is glue: clap types in [`cli`], one module per command under
//! [`cmd`], and the table, JSON and CSV writers in [`output`]. Everything
//! about the data itself lives in nspm-core.

mod cli;
mod cmd;
mod output;

use std::process::ExitCode;

/// mimalloc rather than the system's allocator: rendering a site makes and
/// frees many small strings and values a page, and with mimalloc a site
/// export runs about a seventh fewer instructions (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::main()
}
