//! Loading and checking a whole society.
//!
//! Reading files is the only I/O in this crate ([`Sources::read_dir`]); all
//! checking is pure ([`check`], in `load/check.rs`) and reports every
//! problem it finds.

mod check;

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{self, Read as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use check::check;

use crate::decode::Origin;
use crate::diagnostic::{Diagnostic, LineIndex};
use crate::file::DataFile;
use crate::model::Society;
use crate::photo::{MAX_PHOTO_BYTES, PhotoContent};

/// The copy of `data/` compiled into the binary.
const EMBEDDED: [&str; 5] = [
    include_str!("../../../data/society.ron"),
    include_str!("../../../data/institutions.ron"),
    include_str!("../../../data/people.ron"),
    include_str!("../../../data/meetings.ron"),
    include_str!("../../../data/news.ron"),
];

/// What a data file held when it was read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Content {
    Text(String),
    #[default]
    Missing,
    /// Not UTF-8: the line and column (from 1, the column in characters) of
    /// the first byte that does not begin or continue a UTF-8 character.
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

/// The text of each data file, the photos they name, and how to name the
/// files in messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sources {
    /// Shown before each file name: `data` gives `data/people.ron`.
    pub origin: String,
    pub files: [Content; 5],
    /// The photo files read, by their paths inside the data directory as
    /// the people's `photo` fields give them. A photo the data names that
    /// is not here is reported as not read.
    pub photos: BTreeMap<String, PhotoContent>,
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
        let mut files: [Content; 5] = Default::default();
        for file in DataFile::ALL {
            if file != DataFile::Society && !only.contains(&file) {
                files[file.index()] = Content::Skipped;
                continue;
            }
            let path = dir.join(file.file_name());
            files[file.index()] = read_data_file(&path).map_err(|e| io_error(&path, e))?;
        }
        let mut sources = Sources {
            origin: dir.display().to_string(),
            files,
            photos: BTreeMap::new(),
        };
        let named = sources.text(DataFile::People).map(photo_paths);
        sources.read_photos(dir, named.iter().flatten().map(String::as_str));
        Ok(sources)
    }

    /// Reads the photo files at these paths inside `dir` that are not read
    /// yet: for a change that names a new photo, before it is checked. A
    /// path that the check refuses as it stands (absolute, or through `..`)
    /// is never opened.
    pub fn read_photos<'p>(&mut self, dir: &Path, paths: impl IntoIterator<Item = &'p str>) {
        for path in paths {
            if self.photos.contains_key(path) || crate::validate::photo_path(path).is_err() {
                continue;
            }
            self.photos
                .insert(path.to_string(), read_photo_file(dir, path));
        }
    }

    /// The copy of the society's data compiled into this binary. It names
    /// no photos: only the five files are compiled in.
    pub fn embedded() -> Sources {
        Sources {
            origin: "(embedded data)".to_string(),
            files: EMBEDDED.map(|t| Content::Text(t.to_string())),
            photos: BTreeMap::new(),
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

/// The photos a people file names: the paths in its `photo` fields, read
/// by the same reader as the check. A file that never says `photo` (the
/// common case, and the seed's) is not read at all; one the reader cannot
/// read names none, and the check reports why.
fn photo_paths(text: &str) -> Vec<String> {
    use crate::syntax::Value;
    let mut paths = Vec::new();
    if !text.contains("photo") {
        return paths;
    }
    let _ = crate::syntax::parse_list_document(text, |node| {
        let Value::Struct { fields, .. } = node.value else {
            return;
        };
        for field in fields.into_iter().filter(|f| f.name == "photo") {
            if let Value::Tuple {
                name: Some("Some"),
                items,
            } = field.value.value
                && let [item] = items.as_slice()
                && let Value::Str(path) = &item.value
            {
                paths.push(path.to_string());
            }
        }
    });
    paths
}

/// Reads one photo file, by its path inside the data directory: like a
/// data file, only a regular file (a symbolic link to one is fine, when it
/// leads to a file inside the data directory), at most
/// [`MAX_PHOTO_BYTES`] of it, and never waiting to open it.
fn read_photo_file(dir: &Path, path: &str) -> PhotoContent {
    let full = dir.join(path);
    let unreadable = |e: io::Error| PhotoContent::Unreadable {
        reason: e.to_string(),
    };
    match (dir.canonicalize(), full.canonicalize()) {
        (_, Err(e)) if e.kind() == io::ErrorKind::NotFound => return PhotoContent::Missing,
        (Ok(inside), Ok(target)) if !target.starts_with(&inside) => return PhotoContent::Outside,
        _ => {}
    }
    match read_capped(&full, MAX_PHOTO_BYTES) {
        Ok(Read::Bytes(bytes)) => PhotoContent::Bytes(Arc::from(bytes)),
        Ok(Read::Missing) => PhotoContent::Missing,
        Ok(Read::NotAFile(kind)) => PhotoContent::NotAFile { kind },
        Ok(Read::TooLarge) => PhotoContent::TooLarge,
        Err(e) => unreadable(e),
    }
}

/// What reading a file found.
enum Read {
    Bytes(Vec<u8>),
    Missing,
    NotAFile(&'static str),
    TooLarge,
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
    Ok(match read_capped(path, MAX_FILE_BYTES)? {
        Read::Bytes(bytes) => Content::from_bytes(bytes),
        Read::Missing => Content::Missing,
        Read::NotAFile(kind) => Content::NotAFile { kind },
        Read::TooLarge => Content::TooLarge,
    })
}

/// Reads a regular file of at most `cap` bytes, as [`read_data_file`]
/// says, for data files and photos alike.
fn read_capped(path: &Path, cap: u64) -> io::Result<Read> {
    let file = match open_without_waiting(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Read::Missing),
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
    if meta.len() > cap {
        return Ok(Read::TooLarge);
    }
    // The size is only a hint: the file may grow while it is read, and some
    // files (in /proc) say they are empty. The limit holds whatever it says.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(cap + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Ok(Read::TooLarge);
    }
    Ok(Read::Bytes(bytes))
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

fn not_a_file(meta: &std::fs::Metadata) -> Read {
    Read::NotAFile(file_kind(&meta.file_type()))
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
    pub news: Vec<Origin>,
}

/// The outcome of a check: the society when the data is sound, and every
/// problem found, in file order.
#[derive(Debug)]
pub struct Checked {
    pub society: Option<Society>,
    pub diagnostics: Vec<Diagnostic>,
    pub origins: Origins,
}

impl Society {
    /// Loads and checks the data in a directory.
    pub fn load_dir(dir: &Path) -> Result<Society, Error> {
        Society::from_sources(&Sources::read_dir(dir)?)
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
