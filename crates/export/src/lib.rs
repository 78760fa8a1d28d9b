//! Renders the society's data for members and visitors: the website's pages,
//! vCard contact cards and iCalendar meeting feeds.
//!
//! It depends on `nspm-core` only; the CLI writes what it renders to disk and
//! the server holds it in memory, so both serve the same bytes.

mod error;
pub mod site;

pub use error::ExportError;
pub use site::{Page, Site, SiteOptions};
