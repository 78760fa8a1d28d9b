//! The files that hold a society's data.

/// The files that make up a society's data, in the order they are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataFile {
    Society,
    Institutions,
    People,
    Meetings,
    /// The society's announcements. Unlike the others it may be missing: a
    /// data directory made before there was news has none.
    News,
}

impl DataFile {
    pub const ALL: [DataFile; 5] = [
        DataFile::Society,
        DataFile::Institutions,
        DataFile::People,
        DataFile::Meetings,
        DataFile::News,
    ];

    pub fn file_name(self) -> &'static str {
        match self {
            DataFile::Society => "society.ron",
            DataFile::Institutions => "institutions.ron",
            DataFile::People => "people.ron",
            DataFile::Meetings => "meetings.ron",
            DataFile::News => "news.ron",
        }
    }

    /// True for a file whose absence means no records rather than a problem.
    pub fn optional(self) -> bool {
        self == DataFile::News
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}
