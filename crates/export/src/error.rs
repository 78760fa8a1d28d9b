//! What can go wrong while exporting.

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
    /// An image could not be drawn; a bug in the SVG this crate writes,
    /// never bad data.
    #[error("cannot draw {what}: {message}")]
    Draw { what: String, message: String },
    /// A person's photo, which the check decoded, could not be resized or
    /// encoded: memory ran out, say.
    #[error("cannot make the sizes of person \"{person}\"'s photo {file}: {message}")]
    Photo {
        person: String,
        file: String,
        message: String,
    },
}
