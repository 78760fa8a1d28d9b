//! The Nordic Society for Precision Medicine's data: its types, how it is
//! loaded and checked, and the questions asked of it.
//!
//! The data lives as RON files in a directory (`society.ron`,
//! `institutions.ron`, `people.ron`, `meetings.ron`, and `news.ron`, which may
//! be missing); a copy is compiled in.
//! [`check`] reads them all and reports every problem with its file, line and
//! column; [`Society`] is the result when there are none, and every value in
//! it has passed the checks.
//!
//! This crate knows nothing of HTTP, command lines or templates: its only I/O
//! is reading the data files ([`Sources::read_dir`]).
//!
//! ```
//! let society = nspm_core::Society::load_embedded().unwrap();
//! let found = society.people_matching(&nspm_core::PeopleQuery {
//!     text: Some("soren".into()),
//!     ..Default::default()
//! }, nspm_core::Audience::Public);
//! assert_eq!(found[0].name(), "Søren Brunak");
//! ```

pub mod country;
pub mod date;
mod decode;
mod diagnostic;
pub mod edit;
mod file;
mod ids;
mod load;
mod model;
pub mod photo;
pub mod query;
pub mod suggest;
pub mod syntax;
pub mod text;
pub mod time;
pub mod validate;
pub mod view;

pub use country::Country;
pub use date::{PartialDate, Precision, Timestamp};
pub use decode::Origin;
pub use diagnostic::{Diagnostic, DiagnosticKind, LineIndex};
pub use file::DataFile;
pub use load::{Checked, Content, Error, Origins, Sources, check};
pub use load::{MAX_FILE_BYTES, file_kind};
pub use model::{
    Audience, Contact, Detail, DetailKind, Id, Initiative, Institution, Meeting, MembersOnly,
    NewsItem, Person, RecordKind, Role, Society, SocietyInfo, Visibility,
};
pub use query::{InstitutionQuery, MeetingQuery, PeopleQuery, QueryError};
pub use time::{TimeOfDay, Zone};
