//! How long the bulk vCard file and the calendar take for the embedded data.
//! Run in release: `cargo run --release -p nspm-export --example export_timing`.

use std::time::Instant;

use nspm_core::{Audience, Society};
use nspm_export::{CalendarOptions, CardOptions, VcardVersion, ics, stamp_from, vcard};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let society = Society::load_embedded()?;
    let people: Vec<_> = society.people.iter().collect();
    let meetings: Vec<_> = society.meetings.iter().collect();
    let cards = CardOptions {
        version: VcardVersion::V3,
        audience: Audience::Members,
    };
    let calendar = CalendarOptions {
        audience: Audience::Public,
        stamp: stamp_from(&society, std::env::var("SOURCE_DATE_EPOCH").ok().as_deref())?,
    };
    let rounds = 10_000;
    let mut bytes = 0;
    let start = Instant::now();
    for _ in 0..rounds {
        bytes += vcard::cards(&society, &people, &cards).len();
        bytes += ics::calendar(&society, &meetings, &calendar).len();
    }
    let each = start.elapsed() / rounds;
    println!(
        "cards + calendar for {} people and {} meetings: {each:?} per pair ({} bytes each)",
        people.len(),
        meetings.len(),
        bytes / rounds as usize
    );
    Ok(())
}
