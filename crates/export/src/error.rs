//! What can go wrong while exporting.

use std::path::PathBuf;

/// Why an export could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// `SOURCE_DATE_EPOCH` is set but is not a count of seconds.
    #[error(
        "SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01T00:00:00Z, found \"{value}\""
    )]
    SourceDateEpoch { value: String },
    /// A template failed to render; a bug in this crate, never bad data.
    #[error("cannot render {page}: {source:#}")]
    Render {
        page: String,
        source: minijinja::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The export would replace a directory that nspm did not write.
    #[error(
        "{} is not empty and holds no earlier export of the site ({} is missing): choose an empty or new directory",
        path.display(),
        crate::site::EXPORT_MARK
    )]
    NotAnExport { path: PathBuf },
}
