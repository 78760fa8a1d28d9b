//! The files that hold a society's data.

/// The files that make up a society's data, in the order they are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataFile {
    Society,
    Institutions,
    People,
    Meetings,
}

impl DataFile {
    pub const ALL: [DataFile; 4] = [
        DataFile::Society,
        DataFile::Institutions,
        DataFile::People,
        DataFile::Meetings,
    ];

    pub fn file_name(self) -> &'static str {
        match self {
            DataFile::Society => "society.ron",
            DataFile::Institutions => "institutions.ron",
            DataFile::People => "people.ron",
            DataFile::Meetings => "meetings.ron",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}
