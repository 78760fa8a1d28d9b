//! Loading and checking a whole society.
//!
//! Reading files is the only I/O in this crate ([`Sources::read_dir`]); all
//! checking is pure ([`check`]) and reports every problem it finds.

use std::cell::OnceCell;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::decode::{self, Decoded, FileCx, Origin};
use crate::diagnostic::{Diagnostic, LineIndex};
use crate::ids::IdTable;
use crate::model::{Id, Index, Society};
use crate::syntax::Span;

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

    fn index(self) -> usize {
        self as usize
    }
}

/// The copy of `data/` compiled into the binary.
const EMBEDDED: [&str; 4] = [
    include_str!("../../../data/society.ron"),
    include_str!("../../../data/institutions.ron"),
    include_str!("../../../data/people.ron"),
    include_str!("../../../data/meetings.ron"),
];

/// What a data file held when it was read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Content {
    Text(String),
    #[default]
    Missing,
    /// Not UTF-8: the byte offset of the first bad byte, and the line and
    /// column before it.
    NotUtf8 {
        line: usize,
        column: usize,
    },
    /// Left unread on purpose by [`Sources::read_dir_only`]: the file is
    /// neither checked nor reported missing, and its records are not loaded.
    Skipped,
}

/// The text of each data file, and how to name the files in messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sources {
    /// Shown before each file name: `data` gives `data/people.ron`.
    pub origin: String,
    pub files: [Content; 4],
}

/// Why a society could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{}", Problems(.0))]
    Invalid(Vec<Diagnostic>),
}

/// Formats a list of diagnostics as a count line, then one line each.
struct Problems<'a>(&'a [Diagnostic]);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(
            f,
            "the data has {n} problem{}",
            if n == 1 { "" } else { "s" }
        )?;
        for d in self.0 {
            write!(f, "\n  {d}")?;
        }
        Ok(())
    }
}

impl Sources {
    /// Reads the data files from a directory. A missing file is recorded as
    /// such (and reported by [`check`]); a directory that cannot be read at
    /// all is an error.
    pub fn read_dir(dir: &Path) -> Result<Sources, Error> {
        Sources::read_dir_only(dir, &DataFile::ALL)
    }

    /// Reads only the files named (and `society.ron`, which every load
    /// needs), for a task that uses nothing from the others: the others are
    /// [`Content::Skipped`]. The society checked from these sources has no
    /// records of the skipped files and says which they are
    /// ([`Society::skipped`]); references into them are not checked.
    pub fn read_dir_only(dir: &Path, only: &[DataFile]) -> Result<Sources, Error> {
        let io_error = |path: &Path, source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(dir).map_err(|e| io_error(dir, e))?;
        if !meta.is_dir() {
            return Err(io_error(
                dir,
                io::Error::new(io::ErrorKind::NotADirectory, "not a directory"),
            ));
        }
        let mut files: [Content; 4] = Default::default();
        for file in DataFile::ALL {
            if file != DataFile::Society && !only.contains(&file) {
                files[file.index()] = Content::Skipped;
                continue;
            }
            let path = dir.join(file.file_name());
            files[file.index()] = match std::fs::read(&path) {
                Ok(bytes) => Content::from_bytes(bytes),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Content::Missing,
                Err(e) => return Err(io_error(&path, e)),
            };
        }
        Ok(Sources {
            origin: dir.display().to_string(),
            files,
        })
    }

    /// The copy of the society's data compiled into this binary.
    pub fn embedded() -> Sources {
        Sources {
            origin: "(embedded data)".to_string(),
            files: EMBEDDED.map(|t| Content::Text(t.to_string())),
        }
    }

    /// True when `dir` holds the society's main file.
    pub fn dir_has_data(dir: &Path) -> bool {
        dir.join(DataFile::Society.file_name()).is_file()
    }

    pub fn text(&self, file: DataFile) -> Option<&str> {
        match &self.files[file.index()] {
            Content::Text(t) => Some(t),
            _ => None,
        }
    }

    pub fn set_text(&mut self, file: DataFile, text: String) {
        self.files[file.index()] = Content::Text(text);
    }

    /// The path shown for a file in messages.
    pub fn display_path(&self, file: DataFile) -> String {
        Path::new(&self.origin)
            .join(file.file_name())
            .display()
            .to_string()
    }
}

impl Content {
    pub fn from_bytes(bytes: Vec<u8>) -> Content {
        match String::from_utf8(bytes) {
            Ok(text) => Content::Text(text),
            Err(e) => {
                let good = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                // The prefix is valid UTF-8 by definition of `valid_up_to`.
                let prefix = std::str::from_utf8(&bytes[..good]).unwrap_or("");
                let (line, column) = LineIndex::new(prefix).position(good);
                Content::NotUtf8 { line, column }
            }
        }
    }
}

/// Where each record stood, for tools that edit the files in place.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origins {
    pub society: Origin,
    pub institutions: Vec<Origin>,
    pub people: Vec<Origin>,
    pub meetings: Vec<Origin>,
}

/// The outcome of a check: the society when the data is sound, and every
/// problem found, in file order.
#[derive(Debug)]
pub struct Checked {
    pub society: Option<Society>,
    pub diagnostics: Vec<Diagnostic>,
    pub origins: Origins,
}

/// Decodes and checks all data files, reporting every problem at once.
pub fn check(sources: &Sources) -> Checked {
    let mut diagnostics = Vec::new();
    let mut origins = Origins::default();
    let paths = DataFile::ALL.map(|f| sources.display_path(f));

    let text_of = |file: DataFile, diagnostics: &mut Vec<Diagnostic>| -> Option<&str> {
        let path = &paths[file.index()];
        let (line, column, message) = match &sources.files[file.index()] {
            Content::Text(t) => return Some(t),
            Content::Skipped => return None,
            Content::Missing => (
                1,
                1,
                format!("missing file: the data needs {}", file.file_name()),
            ),
            Content::NotUtf8 { line, column } => (
                *line,
                *column,
                "the file is not UTF-8 text: save it as UTF-8".to_string(),
            ),
        };
        diagnostics.push(Diagnostic {
            file: path.clone(),
            line,
            column,
            context: None,
            message,
        });
        None
    };

    let mut society = None;
    if let Some(text) = text_of(DataFile::Society, &mut diagnostics) {
        let mut cx = FileCx::new(&paths[0], text, &mut diagnostics);
        society = decode::single(&mut cx, text, decode::society);
    }
    let institutions = text_of(DataFile::Institutions, &mut diagnostics).and_then(|text| {
        let path = &paths[DataFile::Institutions.index()];
        decode::many(
            path,
            text,
            &splits(text),
            &mut diagnostics,
            decode::institution,
        )
    });
    let people = text_of(DataFile::People, &mut diagnostics).and_then(|text| {
        let path = &paths[DataFile::People.index()];
        decode::many(path, text, &splits(text), &mut diagnostics, decode::person)
    });
    let meetings = text_of(DataFile::Meetings, &mut diagnostics).and_then(|text| {
        let path = &paths[DataFile::Meetings.index()];
        decode::many(path, text, &splits(text), &mut diagnostics, decode::meeting)
    });

    // Checks across records. Each needs the lines of the file where the
    // problem lies; they are counted only when a problem is found.
    let lines: [OnceCell<LineIndex<'_>>; 4] = Default::default();
    let mut at = |file: DataFile, span: Span, context: String, message: String| {
        let index =
            lines[file.index()].get_or_init(|| LineIndex::new(sources.text(file).unwrap_or("")));
        let (line, column) = index.position(span.start);
        diagnostics.push(Diagnostic {
            file: paths[file.index()].clone(),
            line,
            column,
            context: Some(context),
            message,
        });
    };
    let line_of = |file: DataFile, span: Span| {
        lines[file.index()]
            .get_or_init(|| LineIndex::new(sources.text(file).unwrap_or("")))
            .position(span.start)
            .0
    };
    let institution_ids = institutions.as_ref().map(|list| {
        unique_ids(
            list,
            DataFile::Institutions,
            "institution",
            &line_of,
            &mut at,
        )
    });
    let person_ids = people
        .as_ref()
        .map(|list| unique_ids(list, DataFile::People, "person", &line_of, &mut at));
    let meeting_ids = meetings
        .as_ref()
        .map(|list| unique_ids(list, DataFile::Meetings, "meeting", &line_of, &mut at));

    if let Some(people) = &people {
        for p in people {
            let target = p.value.as_ref().and_then(|p| p.institution.as_ref());
            reference_check(
                DataFile::People,
                "person",
                p,
                "institution",
                target,
                "institution",
                &institution_ids,
                &mut at,
            );
        }
    }
    if let Some(meetings) = &meetings {
        for m in meetings {
            let target = m.value.as_ref().and_then(|m| m.venue.as_ref());
            reference_check(
                DataFile::Meetings,
                "meeting",
                m,
                "venue",
                target,
                "institution",
                &institution_ids,
                &mut at,
            );
        }
    }
    if let Some(s) = &society {
        let target = s.value.as_ref().and_then(|s| s.contact.person.as_ref());
        reference_check(
            DataFile::Society,
            "society",
            s,
            "contact.person",
            target,
            "person",
            &person_ids,
            &mut at,
        );
    }

    // The tables that found the ids unique outlive the records they were
    // read from: they may become the society's index.
    let tables = [institution_ids, person_ids, meeting_ids].map(|t| t.map(|t| t.first));

    // Problems are listed file by file, top to bottom.
    let order = |d: &Diagnostic| {
        let file = paths
            .iter()
            .position(|p| *p == d.file)
            .unwrap_or(usize::MAX);
        (file, d.line, d.column)
    };
    diagnostics.sort_by_key(order);

    if let Some(s) = &society {
        origins.society = s.origin.clone();
    }
    let institutions = split(institutions, &mut origins.institutions);
    let people = split(people, &mut origins.people);
    let meetings = split(meetings, &mut origins.meetings);
    let society = match society.and_then(|s| s.value) {
        Some(info) if diagnostics.is_empty() => {
            let index = index_of(tables, &institutions, &people, &meetings);
            let skipped = DataFile::ALL
                .into_iter()
                .filter(|f| sources.files[f.index()] == Content::Skipped)
                .collect();
            Some(Society {
                info,
                institutions,
                people,
                meetings,
                index,
                skipped,
            })
        }
        _ => None,
    };
    Checked {
        society,
        diagnostics,
        origins,
    }
}

/// Below this size a list file is read on one thread: handing parts to the
/// pool (and starting its threads) would cost more than it saves, and the
/// embedded data (11 KB) is read in about a millisecond.
const PARALLEL_MIN_BYTES: usize = 1 << 20;

/// Where to cut a list file into parts to read at once, one per thread of
/// rayon's pool: none for a small file or a pool of one thread. The pool is
/// asked (and so started) only when a file is large.
fn splits(text: &str) -> Vec<usize> {
    if text.len() < PARALLEL_MIN_BYTES {
        return Vec::new();
    }
    // Each part should be worth a thread of its own.
    let parts = rayon::current_num_threads().min(text.len() / (PARALLEL_MIN_BYTES / 2));
    if parts < 2 {
        return Vec::new();
    }
    crate::syntax::list_split_points(text, parts)
}

/// The society's index: the tables that found the ids unique, which hold the
/// positions of the records in their files. With no problem found every
/// record is sound and kept, so these are its positions in the society too;
/// the counts are compared all the same, and the index built anew should
/// they differ.
fn index_of(
    tables: [Option<IdTable>; 3],
    institutions: &[crate::model::Institution],
    people: &[crate::model::Person],
    meetings: &[crate::model::Meeting],
) -> Index {
    let [institution_ids, person_ids, meeting_ids] = tables;
    match (institution_ids, person_ids, meeting_ids) {
        (Some(i), Some(p), Some(m))
            if i.len() == institutions.len()
                && p.len() == people.len()
                && m.len() == meetings.len() =>
        {
            Index {
                institutions: i,
                people: p,
                meetings: m,
            }
        }
        _ => Index::build(institutions, people, meetings),
    }
}

/// Splits decoded records into their sound values and their origins.
fn split<T>(list: Option<Vec<Decoded<'_, T>>>, origins: &mut Vec<Origin>) -> Vec<T> {
    let Some(mut list) = list else {
        return Vec::new();
    };
    origins.reserve_exact(list.len());
    origins.extend(list.iter_mut().map(|d| std::mem::take(&mut d.origin)));
    // Collecting from the list's own iterator lets the standard library
    // write the values into the list's buffer, which is larger, rather than
    // into a second buffer while the first is still held: at 100,000 people
    // that second buffer was the high-water mark of a load.
    let mut values: Vec<T> = list.into_iter().filter_map(|d| d.value).collect();
    values.shrink_to_fit();
    values
}

/// The ids of one file's records, by position, and where each id is first
/// found.
struct Ids<'r> {
    ids: Vec<Option<&'r str>>,
    first: IdTable,
}

impl<'r> Ids<'r> {
    fn contains(&self, id: &str) -> bool {
        self.first
            .get(id, |i| self.ids.get(i).copied().flatten())
            .is_some()
    }

    fn all(&self) -> impl Iterator<Item = &'r str> + '_ {
        self.first.positions().filter_map(|i| self.ids[i])
    }
}

/// Reports every id used twice in one file; returns each id with the index
/// of its first record.
fn unique_ids<'r, T>(
    records: &'r [Decoded<'_, T>],
    file: DataFile,
    kind: &str,
    line_of: &dyn Fn(DataFile, Span) -> usize,
    at: &mut dyn FnMut(DataFile, Span, String, String),
) -> Ids<'r> {
    let ids: Vec<Option<&str>> = records.iter().map(|r| r.id.as_deref()).collect();
    let mut first = IdTable::with_capacity(records.len());
    let id_of = |i: usize| ids.get(i).copied().flatten();
    for (i, record) in records.iter().enumerate() {
        let Some(id) = record.id.as_deref() else {
            continue;
        };
        if let Some(j) = first.insert(id, i, id_of) {
            let span = record.origin.field("id").unwrap_or(record.origin.span);
            let earlier = line_of(file, records[j].origin.span);
            at(
                file,
                span,
                format!("{kind} \"{id}\", field `id`"),
                format!("duplicate id \"{id}\": the {kind} on line {earlier} has it already"),
            );
        }
    }
    Ids { ids, first }
}

#[allow(clippy::too_many_arguments)]
fn reference_check<T>(
    file: DataFile,
    kind: &str,
    record: &Decoded<'_, T>,
    field: &str,
    target: Option<&Id>,
    target_kind: &str,
    known: &Option<Ids<'_>>,
    at: &mut dyn FnMut(DataFile, Span, String, String),
) {
    let (Some(target), Some(known)) = (target, known) else {
        return;
    };
    if known.contains(target.as_str()) {
        return;
    }
    let span = record.origin.field(field).unwrap_or(record.origin.span);
    let hint = crate::query::suggest(target.as_str(), known.all())
        .first()
        .map(|s| format!("; did you mean \"{s}\"?"))
        .unwrap_or_default();
    let label = match &record.id {
        Some(id) => format!("{kind} \"{id}\", field `{field}`"),
        None => format!("{kind}, field `{field}`"),
    };
    at(
        file,
        span,
        label,
        format!("no {target_kind} has the id \"{target}\"{hint}"),
    );
}

impl Society {
    /// Loads and checks the data in a directory.
    pub fn load_dir(dir: &Path) -> Result<Society, Error> {
        Society::from_sources(&Sources::read_dir(dir)?)
    }

    /// Loads and checks only some of the files in a directory (see
    /// [`Sources::read_dir_only`]); the society says which it left out.
    pub fn load_dir_only(dir: &Path, only: &[DataFile]) -> Result<Society, Error> {
        Society::from_sources(&Sources::read_dir_only(dir, only)?)
    }

    /// Loads and checks the copy of the data compiled into this binary.
    pub fn load_embedded() -> Result<Society, Error> {
        Society::from_sources(&Sources::embedded())
    }

    pub fn from_sources(sources: &Sources) -> Result<Society, Error> {
        let checked = check(sources);
        checked.society.ok_or(Error::Invalid(checked.diagnostics))
    }
}

#[cfg(test)]
mod tests;
