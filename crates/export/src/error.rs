use std::path::PathBuf;

/// What can go wrong while rendering or writing an export.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
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
}
