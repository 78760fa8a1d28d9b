//! Renders the society's data for members and visitors: the public website
//! ([`Site`]), the members' pages the server shows behind a sign-in
//! ([`MembersSite`]), vCard contact cards and iCalendar meeting feeds.
//!
//! It depends on `nspm-core` alone, returns bytes and does no file I/O and
//! no compression: the CLI has `nspm-store` write what it renders to disk,
//! and the server holds it in memory (compressing it once per load), so
//! both give the same bytes. It reads no environment either: the caller
//! passes in `SOURCE_DATE_EPOCH`'s text ([`stamp_from`]). Pages and card
//! blocks are rendered on rayon's pool, in order.
//!
//! ```
//! use nspm_core::{Audience, Society};
//! use nspm_export::{CalendarOptions, CardOptions, ics, stamp_from, vcard};
//!
//! let society = Society::load_embedded().unwrap();
//! let people: Vec<_> = society.people.iter().collect();
//! let cards = vcard::cards(&society, &people, &CardOptions::default());
//! assert!(cards.starts_with("BEGIN:VCARD\r\nVERSION:3.0\r\n"));
//!
//! let opts = CalendarOptions { audience: Audience::Public, stamp: stamp_from(&society, None).unwrap() };
//! let meetings: Vec<_> = society.meetings.iter().collect();
//! let calendar = ics::calendar(&society, &meetings, &opts);
//! assert!(calendar.contains("UID:oslo-2016@nspm.nspm\r\n"));
//! assert!(calendar.contains("SUMMARY:Oslo meeting (date: September 2016\\, day not known)\r\n"));
//! ```

mod error;
pub mod ics;
mod parallel;
pub mod photo;
mod raster;
pub mod site;
mod stamp;
mod text;
pub mod vcard;

pub use error::ExportError;
pub use ics::CalendarOptions;
pub use site::{Done, MembersForms, MembersSite, Page, Progress, Site, SiteOptions, thread_cpu};
pub use stamp::{meeting_stamp, source_date_epoch, stamp_for, stamp_from};
pub use vcard::{CardOptions, VcardVersion};
