//! How long each step of `nspm export site` takes for a data directory:
//! loading, rendering the site, writing it into a fresh directory.
//! Run in release:
//! `cargo run --release -p nspm-store --example site_timing -- DATA OUT`
//! (OUT must not exist, or be an earlier export; it is replaced).

use std::path::PathBuf;
use std::time::Instant;

use nspm_core::Society;
use nspm_export::{Site, SiteOptions, stamp_from};
use nspm_store::ExportDir;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(data), Some(out)) = (args.next(), args.next()) else {
        return Err("usage: site_timing DATA OUT".into());
    };
    let start = Instant::now();
    let society = Society::load_dir(&data)?;
    let loaded = start.elapsed();
    let start = Instant::now();
    let site = Site::build(
        &society,
        &SiteOptions {
            stamp: stamp_from(&society, None)?,
            // A day after every meeting the benchmark's societies hold.
            today: nspm_core::PartialDate::Day(2100, 1, 1),
        },
    )?;
    let built = start.elapsed();
    let start = Instant::now();
    let files = ExportDir::new(&out).replace(site.files())?.files;
    let written = start.elapsed();
    println!(
        "load {loaded:.2?}, render {built:.2?} ({} resources), write {written:.2?} ({files} files)",
        site.len()
    );
    Ok(())
}
