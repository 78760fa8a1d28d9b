//! Problems found in the data, each tied to a file, line and column.

use std::fmt;

use serde::Serialize;

/// What kind of problem a diagnostic reports. The message says it for
/// people; the kind is for code that treats some problems apart, such as an
/// edit that has named a missing field already and leaves out the check's
/// report of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagnosticKind {
    /// A data file is not there.
    MissingFile,
    /// A data file is not UTF-8 text.
    NotUtf8,
    /// Something other than a regular file (a FIFO, a device, a directory)
    /// is in a data file's place.
    NotAFile,
    /// A data file larger than the most nspm reads.
    TooLarge,
    /// The text is not RON that the reader can read.
    Syntax,
    /// A value where a record belongs, or a record of another kind.
    WrongRecord,
    /// A field that the record does not have.
    UnknownField,
    /// A field given twice in one record.
    RepeatedField,
    /// A field the record needs, left out.
    MissingField,
    /// A value of the wrong shape: a number where a string belongs.
    WrongType,
    /// A value of the right shape that breaks a rule: an email address
    /// without `@`, an unknown country code, an impossible date.
    InvalidValue,
    /// Fields of one record that disagree: a meeting that ends before it
    /// begins.
    Inconsistent,
    /// An id that another record of the same kind has already.
    DuplicateId,
    /// A reference to a record that does not exist.
    UnknownReference,
}

/// One problem in the data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file as the user named it, such as `data/people.ron`.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// Which record and field, such as `person "soren-brunak", field email`.
    pub context: Option<String>,
    /// The field the problem lies with, as its record declares it
    /// (`contact.email` inside a nested record), when it lies with one: for
    /// a form to mark it, or an edit to name the input that set it.
    pub field: Option<&'static str>,
    pub kind: DiagnosticKind,
    /// What is wrong, in plain words.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if let Some(context) = &self.context {
            write!(f, "{context}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Turns byte offsets into lines and columns, as diagnostics give them.
#[derive(Debug)]
pub struct LineIndex<'s> {
    text: &'s str,
    starts: Vec<usize>,
}

impl<'s> LineIndex<'s> {
    pub fn new(text: &'s str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { text, starts }
    }

    /// The 1-based line and character column of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        // An offset inside a character counts as that character.
        let column = self
            .text
            .get(start..)
            .map(|rest| {
                rest.char_indices()
                    .take_while(|&(i, _)| start + i < offset)
                    .count()
            })
            .unwrap_or(0);
        (line + 1, column + 1)
    }

    /// The byte offset of a 1-based line and character column: the inverse
    /// of [`LineIndex::position`]. Past the end of a line or the text, it
    /// stops there.
    pub fn offset(&self, line: usize, column: usize) -> usize {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        let line_len = rest.find('\n').unwrap_or(rest.len());
        start
            + rest[..line_len]
                .char_indices()
                .nth(column.saturating_sub(1))
                .map_or(line_len, |(i, _)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let idx = LineIndex::new("ab\nSøren x\n");
        assert_eq!(idx.position(0), (1, 1));
        assert_eq!(idx.position(3), (2, 1));
        // "Sø" is 3 bytes; the space after "Søren" is the 6th character.
        assert_eq!(idx.position(3 + 6), (2, 6));
        assert_eq!(idx.position(100), (3, 1));
    }

    #[test]
    fn offsets_invert_positions() {
        let text = "ab\nSøren x\n";
        let idx = LineIndex::new(text);
        for offset in text.char_indices().map(|(i, _)| i) {
            let (line, column) = idx.position(offset);
            assert_eq!(idx.offset(line, column), offset);
        }
        assert_eq!(idx.offset(9, 1), text.len());
    }
}
