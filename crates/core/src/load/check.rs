//! The check of a whole society, in its phases: each file's text, each
//! file decoded on its own, the checks across records (ids unique,
//! references resolved), and the society put together when no problem was
//! found.

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::path::Path;

use super::{Checked, Content, Origins, Sources};
use crate::decode::{self, Decoded, FileCx, Origin};
use crate::diagnostic::{Diagnostic, DiagnosticKind, LineIndex};
use crate::file::DataFile;
use crate::ids::IdTable;
use crate::model::{
    Id, Index, Institution, Meeting, NewsItem, Person, RecordKind, Society, SocietyInfo, Visibility,
};
use crate::photo::{self, MAX_PHOTO_BYTES, Photo, PhotoContent};
use crate::suggest::Suggestions;
use crate::syntax::{Node, Span};

/// Decodes and checks all data files, reporting every problem at once.
pub fn check(sources: &Sources) -> Checked {
    let mut report = Reporter::new(sources);
    let mut files = decode_files(sources, &mut report);
    let tables = check_across(&files, &mut report);
    check_photos(sources, &mut files, &mut report);
    assemble(sources, files, tables, report.sorted())
}

/// Where the problems of a check go, each placed in its file. Lines are
/// counted only in a file where a problem is found: sound data, the common
/// case, never pays for them.
struct Reporter<'s> {
    sources: &'s Sources,
    /// Each file as messages name it, such as `data/people.ron`.
    paths: [String; 5],
    lines: [OnceCell<LineIndex<'s>>; 5],
    diagnostics: Vec<Diagnostic>,
}

impl<'s> Reporter<'s> {
    fn new(sources: &'s Sources) -> Self {
        Reporter {
            sources,
            paths: DataFile::ALL.map(|f| sources.display_path(f)),
            lines: Default::default(),
            diagnostics: Vec::new(),
        }
    }

    fn path(&self, file: DataFile) -> &str {
        &self.paths[file.index()]
    }

    fn lines(&self, file: DataFile) -> &LineIndex<'s> {
        let sources = self.sources;
        self.lines[file.index()].get_or_init(|| LineIndex::new(sources.text(file).unwrap_or("")))
    }

    /// The text of a file to decode: None for a file left unread on
    /// purpose, and for one that is missing or not UTF-8, which is reported.
    fn text(&mut self, file: DataFile) -> Option<&'s str> {
        let (line, column, kind, message) = match &self.sources.files[file.index()] {
            Content::Text(t) => return Some(t),
            Content::Skipped => return None,
            // A file that may be missing holds no records when it is.
            Content::Missing if file.optional() => return None,
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
                    super::MAX_FILE_BYTES >> 20
                ),
            ),
        };
        self.diagnostics.push(Diagnostic {
            file: self.path(file).to_string(),
            line,
            column,
            context: None,
            field: None,
            kind,
            message,
        });
        None
    }

    /// Reports a problem found across records, in a field of the record
    /// named as `record`, at a place in a file.
    fn at(
        &mut self,
        (file, span): (DataFile, Span),
        (record, field): (String, &'static str),
        kind: DiagnosticKind,
        message: String,
    ) {
        let (line, column) = self.lines(file).position(span.start);
        self.diagnostics.push(Diagnostic {
            file: self.path(file).to_string(),
            line,
            column,
            context: Some(format!("{record}, field `{field}`")),
            field: Some(field),
            kind,
            message,
        });
    }

    /// The line a place in a file is on.
    fn line_of(&self, file: DataFile, span: Span) -> usize {
        self.lines(file).position(span.start).0
    }

    /// Every problem, file by file, top to bottom.
    fn sorted(self) -> Vec<Diagnostic> {
        let Reporter {
            paths,
            mut diagnostics,
            ..
        } = self;
        let order = |d: &Diagnostic| {
            let file = paths
                .iter()
                .position(|p| *p == d.file)
                .unwrap_or(usize::MAX);
            (file, d.line, d.column)
        };
        diagnostics.sort_by_key(order);
        diagnostics
    }
}

/// Each file's records as decoded, None for a file with no text to decode
/// or whose syntax is broken.
struct Files<'s> {
    society: Option<Decoded<'s, SocietyInfo>>,
    institutions: Option<Vec<Decoded<'s, Institution>>>,
    people: Option<Vec<Decoded<'s, Person>>>,
    meetings: Option<Vec<Decoded<'s, Meeting>>>,
    news: Option<Vec<Decoded<'s, NewsItem>>>,
}

/// Decodes each file on its own, reporting the problems inside it.
fn decode_files<'s>(sources: &'s Sources, report: &mut Reporter<'s>) -> Files<'s> {
    let society = report.text(DataFile::Society).and_then(|text| {
        let path = sources.display_path(DataFile::Society);
        let mut cx = FileCx::new(&path, text, &mut report.diagnostics);
        decode::single(&mut cx, text, decode::society)
    });
    Files {
        society,
        institutions: list_file(report, DataFile::Institutions, decode::institution),
        people: list_file(report, DataFile::People, decode::person),
        meetings: list_file(report, DataFile::Meetings, decode::meeting),
        news: list_file(report, DataFile::News, decode::news),
    }
}

/// Decodes a file of records, in parts at once when it is large.
fn list_file<'s, T: Send>(
    report: &mut Reporter<'s>,
    file: DataFile,
    read: fn(&mut FileCx<'_>, Node<'s>) -> Decoded<'s, T>,
) -> Option<Vec<Decoded<'s, T>>> {
    let text = report.text(file)?;
    let path = &report.paths[file.index()];
    let splits = splits(text);
    decode::many(path, text, &splits, &mut report.diagnostics, read)
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

/// The tables that found each file's ids unique, for the society's index.
type Tables = [Option<IdTable>; 4];

/// The checks across records: ids unique in each file, and every reference
/// to a record that exists.
fn check_across(files: &Files<'_>, report: &mut Reporter<'_>) -> Tables {
    let institution_ids = unique_ids(
        files.institutions.as_deref(),
        RecordKind::Institution,
        report,
    );
    let person_ids = unique_ids(files.people.as_deref(), RecordKind::Person, report);
    let meeting_ids = unique_ids(files.meetings.as_deref(), RecordKind::Meeting, report);
    let news_ids = unique_ids(files.news.as_deref(), RecordKind::News, report);
    for n in files.news.iter().flatten() {
        let targets = n.value.as_ref().map(|n| n.meetings.as_slice());
        for target in targets.unwrap_or_default() {
            let to = (RecordKind::Meeting, &meeting_ids);
            reference_check(RecordKind::News, n, "meetings", Some(target), to, report);
        }
    }
    for p in files.people.iter().flatten() {
        let target = p.value.as_ref().and_then(|p| p.institution.as_ref());
        let to = (RecordKind::Institution, &institution_ids);
        reference_check(RecordKind::Person, p, "institution", target, to, report);
    }
    for m in files.meetings.iter().flatten() {
        let target = m.value.as_ref().and_then(|m| m.venue.as_ref());
        let to = (RecordKind::Institution, &institution_ids);
        reference_check(RecordKind::Meeting, m, "venue", target, to, report);
    }
    if let Some(s) = &files.society {
        let target = s.value.as_ref().and_then(|s| s.contact.person.as_ref());
        let to = (RecordKind::Person, &person_ids);
        reference_check(RecordKind::Society, s, "contact.person", target, to, report);
        public_contact_check(s, target, files.people.as_deref(), &person_ids, report);
    }
    // The tables that found the ids unique outlive the records they were
    // read from: they may become the society's index.
    [institution_ids, person_ids, meeting_ids, news_ids].map(|t| t.map(|t| t.first))
}

/// Checks the photo file of every person who names one, as read into the
/// sources, and puts the checked photo in the person's record; a photo that
/// cannot be shown is reported at the person's `photo`. Each file is
/// decoded once however many people name it, the files at once on rayon's
/// pool (decoding a photo takes far longer than reading a record).
fn check_photos(sources: &Sources, files: &mut Files<'_>, report: &mut Reporter<'_>) {
    use rayon::prelude::*;

    let Some(people) = files.people.as_mut() else {
        return;
    };
    let mut named: Vec<&str> = people
        .iter()
        .filter_map(|p| p.value.as_ref()?.photo.as_ref())
        .map(|photo| photo.path())
        .collect();
    if named.is_empty() {
        return;
    }
    named.sort_unstable();
    named.dedup();
    let display = |path: &str| Path::new(&sources.origin).join(path).display().to_string();
    let judged: BTreeMap<String, Result<Photo, String>> = named
        .into_par_iter()
        .with_max_len(1)
        .map(|path| {
            let file = display(path);
            let outcome = match sources.photos.get(path) {
                Some(PhotoContent::Bytes(bytes)) => photo::inspect(path, bytes.clone())
                    .map_err(|problem| format!("the photo {file} {problem}")),
                Some(PhotoContent::Missing) => Err(format!("the photo file {file} is missing")),
                Some(PhotoContent::NotAFile { kind }) => Err(format!(
                    "{kind} is at {file}: nspm reads photos only from regular files (a symbolic link to one is fine)"
                )),
                Some(PhotoContent::TooLarge) => Err(format!(
                    "the photo file {file} is larger than {} MiB, the most nspm reads for a photo",
                    MAX_PHOTO_BYTES >> 20
                )),
                Some(PhotoContent::Outside) => Err(format!(
                    "the photo {file} leads outside the data directory through a symbolic link"
                )),
                Some(PhotoContent::Unreadable { reason }) => {
                    Err(format!("the photo file {file} cannot be read: {reason}"))
                }
                None => Err(format!("the photo {file} was not read with the data")),
            };
            (path.to_string(), outcome)
        })
        .collect();
    for person in people.iter_mut() {
        let Some(named) = person.value.as_mut().and_then(|p| p.photo.as_mut()) else {
            continue;
        };
        match judged.get(named.path()) {
            Some(Ok(photo)) => *named = photo.clone(),
            Some(Err(message)) => {
                let span = person.origin.field("photo").unwrap_or(person.origin.span);
                let label = match &person.id {
                    Some(id) => format!("{} \"{id}\"", RecordKind::Person),
                    None => RecordKind::Person.to_string(),
                };
                report.at(
                    (DataFile::People, span),
                    (label, "photo"),
                    DiagnosticKind::InvalidValue,
                    message.clone(),
                );
            }
            None => {}
        }
    }
}

/// The outcome: the records' origins always, and the society when no
/// problem was found.
fn assemble(
    sources: &Sources,
    files: Files<'_>,
    tables: Tables,
    diagnostics: Vec<Diagnostic>,
) -> Checked {
    let mut origins = Origins::default();
    if let Some(s) = &files.society {
        origins.society = s.origin.clone();
    }
    let institutions = split(files.institutions, &mut origins.institutions);
    let people = split(files.people, &mut origins.people);
    let meetings = split(files.meetings, &mut origins.meetings);
    let news = split(files.news, &mut origins.news);
    let society = match files.society.and_then(|s| s.value) {
        Some(info) if diagnostics.is_empty() => {
            let index = index_of(tables, &institutions, &people, &meetings, &news);
            let skipped = DataFile::ALL
                .into_iter()
                .filter(|f| sources.files[f.index()] == Content::Skipped)
                .collect();
            Some(Society {
                info,
                institutions,
                people,
                meetings,
                news,
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

/// The society's index: the tables that found the ids unique, which hold the
/// positions of the records in their files. With no problem found every
/// record is sound and kept, so these are its positions in the society too;
/// the counts are compared all the same, and the index built anew should
/// they differ.
fn index_of(
    tables: Tables,
    institutions: &[Institution],
    people: &[Person],
    meetings: &[Meeting],
    news: &[NewsItem],
) -> Index {
    let [institution_ids, person_ids, meeting_ids, news_ids] = tables;
    // A news file that is missing or skipped has no table, and no items.
    let news_ids = news_ids.or_else(|| news.is_empty().then(IdTable::default));
    match (institution_ids, person_ids, meeting_ids, news_ids) {
        (Some(i), Some(p), Some(m), Some(n))
            if i.len() == institutions.len()
                && p.len() == people.len()
                && m.len() == meetings.len()
                && n.len() == news.len() =>
        {
            Index {
                institutions: i,
                people: p,
                meetings: m,
                news: n,
            }
        }
        _ => Index::build(institutions, people, meetings, news),
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

/// Reports every id used twice in one file; returns each id with the index
/// of its first record, or nothing for a file that could not be read.
fn unique_ids<'r, T>(
    records: Option<&'r [Decoded<'_, T>]>,
    kind: RecordKind,
    report: &mut Reporter<'_>,
) -> Option<Ids<'r>> {
    let records = records?;
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
            let earlier = report.line_of(file, records[j].origin.span);
            report.at(
                (file, span),
                (format!("{kind} \"{id}\""), "id"),
                DiagnosticKind::DuplicateId,
                format!("duplicate id \"{id}\": the {kind} on line {earlier} has it already"),
            );
        }
    }
    Some(Ids {
        ids,
        first,
        suggestions: OnceCell::new(),
    })
}

/// Reports a reference from `record`'s `field` to a `target` that no record
/// of the kind it refers `to` has, with the closest id that one has.
fn reference_check<T>(
    kind: RecordKind,
    record: &Decoded<'_, T>,
    field: &'static str,
    target: Option<&Id>,
    (target_kind, known): (RecordKind, &Option<Ids<'_>>),
    report: &mut Reporter<'_>,
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
        Some(id) => format!("{kind} \"{id}\""),
        None => kind.to_string(),
    };
    report.at(
        (kind.file(), span),
        (label, field),
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
    report: &mut Reporter<'_>,
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
    let record = match &society.id {
        Some(id) => format!("society \"{id}\""),
        None => "society".to_string(),
    };
    report.at(
        (RecordKind::Society.file(), span),
        (record, field),
        DiagnosticKind::InvalidValue,
        format!(
            "the contact is public, but person \"{}\" is known to members only (every role is members-only)",
            person.id
        ),
    );
}
