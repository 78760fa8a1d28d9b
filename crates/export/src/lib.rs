//! Renders the society's data for members and visitors: the website's pages,
//! vCard contact cards and iCalendar meeting feeds.
//!
//! It depends on `nspm-core` only; the CLI writes what it renders to disk and
//! the server holds it in memory, so both serve the same bytes.

mod error;
pub mod ics;
pub mod site;
mod stamp;
mod text;
pub mod vcard;

pub use error::ExportError;
pub use ics::CalendarOptions;
pub use site::{Page, Site, SiteOptions};
pub use stamp::{stamp_from, stamp_from_env};
pub use vcard::{CardOptions, VcardVersion};
