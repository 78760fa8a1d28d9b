//! Loading and checking a whole society.
//!
//! Reading files is the only I/O in this crate ([`Sources::read_dir`]); all
//! checking is pure ([`check`]) and reports every problem it finds.

use std::cell::OnceCell;
use std::fmt;
use std::fs::File;
use std::io::{self, Read as _};
use std::path::{Path, PathBuf};

use crate::decode::{self, Decoded, FileCx, Origin};
use crate::diagnostic::{Diagnostic, DiagnosticKind, LineIndex};
use crate::ids::IdTable;
use crate::model::{Id, Index, Person, RecordKind, Society, SocietyInfo, Visibility};
use crate::query::Suggestions;
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
    /// Something other than a regular file in the file's place: what it is,
    /// such as "a FIFO (named pipe)". It is never read from.
    NotAFile {
        kind: &'static str,
    },
    /// A regular file larger than [`MAX_FILE_BYTES`]; read no further.
    TooLarge,
}

/// The largest data file read. The benchmark society of 100,000 people
/// keeps 33 MB of RON, so real data stays far below this. Devices such as
/// `/dev/zero` are refused before any reading, as they are not regular
/// files; the limit is there for a regular file that grows while it is read
/// or whose file system misstates its size, which would otherwise take all
/// memory.
pub const MAX_FILE_BYTES: u64 = 256 << 20;

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
            files[file.index()] = read_data_file(&path).map_err(|e| io_error(&path, e))?;
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

/// Reads one data file: only a regular file (a symbolic link to one is
/// fine), and at most [`MAX_FILE_BYTES`] of it. Anything else in its place
/// is a [`Content`] that `check` reports at the file, not an error, so that
/// every other problem is still found.
///
/// What the file is comes from the opened file itself (fstat), so that it
/// cannot be swapped between the look and the read; and it is opened
/// without waiting, since opening a FIFO waits for a writer, which may never
/// come.
fn read_data_file(path: &Path) -> io::Result<Content> {
    let file = match open_without_waiting(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Content::Missing),
        // A socket cannot be opened at all (ENXIO), nor can some devices;
        // what is there explains the failure better than the error.
        Err(e) => match std::fs::metadata(path) {
            Ok(meta) if !meta.is_file() => return Ok(not_a_file(&meta)),
            _ => return Err(e),
        },
    };
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Ok(not_a_file(&meta));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Ok(Content::TooLarge);
    }
    // The size is only a hint: the file may grow while it is read, and some
    // files (in /proc) say they are empty. The limit holds whatever it says.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Ok(Content::TooLarge);
    }
    Ok(Content::from_bytes(bytes))
}

#[cfg(unix)]
fn open_without_waiting(path: &Path) -> io::Result<File> {
    use rustix::fs::{Mode, OFlags};
    // O_NOCTTY: a terminal device in a file's place must not become the
    // process's controlling terminal by being opened.
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    Ok(File::from(rustix::fs::open(path, flags, Mode::empty())?))
}

#[cfg(not(unix))]
fn open_without_waiting(path: &Path) -> io::Result<File> {
    File::open(path)
}

fn not_a_file(meta: &std::fs::Metadata) -> Content {
    Content::NotAFile {
        kind: file_kind(&meta.file_type()),
    }
}

/// What a kind of file is, in words: "a directory", "a FIFO (named pipe)".
pub fn file_kind(kind: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        let unix = [
            (kind.is_fifo(), "a FIFO (named pipe)"),
            (kind.is_char_device(), "a character device"),
            (kind.is_block_device(), "a block device"),
            (kind.is_socket(), "a socket"),
        ];
        if let Some((_, what)) = unix.into_iter().find(|(is, _)| *is) {
            return what;
        }
    }
    if kind.is_dir() {
        "a directory"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_file() {
        "a regular file"
    } else {
        "something other than a regular file"
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
        let (line, column, kind, message) = match &sources.files[file.index()] {
            Content::Text(t) => return Some(t),
            Content::Skipped => return None,
            Content::Missing => (
                1,
                1,
                DiagnosticKind::MissingFile,
                format!("missing file: the data needs {}", file.file_name()),
            ),
            Content::NotUtf8 { line, column } => (
                *line,
                *column,
                DiagnosticKind::NotUtf8,
                "the file is not UTF-8 text: save it as UTF-8".to_string(),
            ),
            Content::NotAFile { kind } => (
                1,
                1,
                DiagnosticKind::NotAFile,
                format!(
                    "{kind} is in this file's place: nspm reads data only from regular files (a symbolic link to one is fine)"
                ),
            ),
            Content::TooLarge => (
                1,
                1,
                DiagnosticKind::TooLarge,
                format!(
                    "the file is larger than {} MiB, the most nspm reads from one data file",
                    MAX_FILE_BYTES >> 20
                ),
            ),
        };
        diagnostics.push(Diagnostic {
            file: path.clone(),
            line,
            column,
            context: None,
            kind,
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
    let mut at = |file: DataFile, span: Span, context: String, kind, message: String| {
        let index =
            lines[file.index()].get_or_init(|| LineIndex::new(sources.text(file).unwrap_or("")));
        let (line, column) = index.position(span.start);
        diagnostics.push(Diagnostic {
            file: paths[file.index()].clone(),
            line,
            column,
            context: Some(context),
            kind,
            message,
        });
    };
    let line_of = |file: DataFile, span: Span| {
        lines[file.index()]
            .get_or_init(|| LineIndex::new(sources.text(file).unwrap_or("")))
            .position(span.start)
            .0
    };
    let institution_ids = institutions
        .as_ref()
        .map(|list| unique_ids(list, RecordKind::Institution, &line_of, &mut at));
    let person_ids = people
        .as_ref()
        .map(|list| unique_ids(list, RecordKind::Person, &line_of, &mut at));
    let meeting_ids = meetings
        .as_ref()
        .map(|list| unique_ids(list, RecordKind::Meeting, &line_of, &mut at));

    if let Some(people) = &people {
        for p in people {
            let target = p.value.as_ref().and_then(|p| p.institution.as_ref());
            reference_check(
                RecordKind::Person,
                p,
                "institution",
                target,
                RecordKind::Institution,
                &institution_ids,
                &mut at,
            );
        }
    }
    if let Some(meetings) = &meetings {
        for m in meetings {
            let target = m.value.as_ref().and_then(|m| m.venue.as_ref());
            reference_check(
                RecordKind::Meeting,
                m,
                "venue",
                target,
                RecordKind::Institution,
                &institution_ids,
                &mut at,
            );
        }
    }
    if let Some(s) = &society {
        let target = s.value.as_ref().and_then(|s| s.contact.person.as_ref());
        reference_check(
            RecordKind::Society,
            s,
            "contact.person",
            target,
            RecordKind::Person,
            &person_ids,
            &mut at,
        );
        public_contact_check(s, target, people.as_deref(), &person_ids, &mut at);
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
                members: Default::default(),
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
    /// The ids to suggest for a missing one, folded once for all.
    suggestions: OnceCell<Suggestions<'r>>,
}

impl<'r> Ids<'r> {
    fn contains(&self, id: &str) -> bool {
        self.first
            .get(id, |i| self.ids.get(i).copied().flatten())
            .is_some()
    }

    /// The id closest to a missing one, if any is close.
    fn closest(&self, missing: &str) -> Option<&'r str> {
        self.suggestions
            .get_or_init(|| Suggestions::new(self.first.positions().filter_map(|i| self.ids[i])))
            .best(missing)
    }
}

/// Reports a problem at a place in a file, in the context given.
type Report<'a> = dyn FnMut(DataFile, Span, String, DiagnosticKind, String) + 'a;

/// Reports every id used twice in one file; returns each id with the index
/// of its first record.
fn unique_ids<'r, T>(
    records: &'r [Decoded<'_, T>],
    kind: RecordKind,
    line_of: &dyn Fn(DataFile, Span) -> usize,
    at: &mut Report<'_>,
) -> Ids<'r> {
    let file = kind.file();
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
                DiagnosticKind::DuplicateId,
                format!("duplicate id \"{id}\": the {kind} on line {earlier} has it already"),
            );
        }
    }
    Ids {
        ids,
        first,
        suggestions: OnceCell::new(),
    }
}

fn reference_check<T>(
    kind: RecordKind,
    record: &Decoded<'_, T>,
    field: &str,
    target: Option<&Id>,
    target_kind: RecordKind,
    known: &Option<Ids<'_>>,
    at: &mut Report<'_>,
) {
    let (Some(target), Some(known)) = (target, known) else {
        return;
    };
    if known.contains(target.as_str()) {
        return;
    }
    let span = record.origin.field(field).unwrap_or(record.origin.span);
    let hint = known
        .closest(target.as_str())
        .map(|s| format!("; did you mean \"{s}\"?"))
        .unwrap_or_default();
    let label = match &record.id {
        Some(id) => format!("{kind} \"{id}\", field `{field}`"),
        None => format!("{kind}, field `{field}`"),
    };
    at(
        kind.file(),
        span,
        label,
        DiagnosticKind::UnknownReference,
        format!("no {target_kind} has the id \"{target}\"{hint}"),
    );
}

/// The society's contact is shown to everyone (the contact page, the API's
/// society, the site's JSON-LD), so it must be someone the public may know
/// of: naming a members-only person there is refused rather than either
/// showing them or hiding the contact.
fn public_contact_check(
    society: &Decoded<'_, SocietyInfo>,
    target: Option<&Id>,
    people: Option<&[Decoded<'_, Person>]>,
    known: &Option<Ids<'_>>,
    at: &mut Report<'_>,
) {
    let (Some(target), Some(people), Some(known)) = (target, people, known) else {
        return;
    };
    let found = known
        .first
        .get(target.as_str(), |i| known.ids.get(i).copied().flatten())
        .and_then(|i| people.get(i))
        .and_then(|p| p.value.as_ref());
    let Some(person) = found.filter(|p| p.visibility() == Visibility::Members) else {
        return;
    };
    let field = "contact.person";
    let span = society.origin.field(field).unwrap_or(society.origin.span);
    let label = match &society.id {
        Some(id) => format!("society \"{id}\", field `{field}`"),
        None => format!("society, field `{field}`"),
    };
    at(
        RecordKind::Society.file(),
        span,
        label,
        DiagnosticKind::InvalidValue,
        format!(
            "the contact is public, but person \"{}\" is known to members only (every role is members-only)",
            person.id
        ),
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
