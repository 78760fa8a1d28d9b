//! Changing the society's data as staff do from the command line, and the
//! canonical layout that `nspm fmt` writes.
//!
//! Everything here is pure: it takes [`Sources`] and returns new
//! [`Sources`], or says why not. An edit touches only the bytes of the one
//! record it changes: the new record's text is spliced in where the old one
//! stood (or before the list's closing bracket, for a new one), so comments,
//! order and layout elsewhere stay as staff wrote them. A changed record is
//! written in the canonical layout, its comments kept beside their fields.
//!
//! Every change is judged as a whole: the new texts are checked exactly as
//! `nspm check` would check them, and any problem refuses the change.

mod change;
pub mod import;
mod layout;
mod notes;
mod record;
mod refusal;
mod splice;
pub(crate) mod write;

use std::fmt;

pub use change::{Assign, Change, Input, Kind};
pub use refusal::{Refusal, RefusalKind};

use crate::date::Timestamp;
use crate::diagnostic::{Diagnostic, DiagnosticKind, LineIndex};
use crate::file::DataFile;
use crate::load::{self, Checked, Origins, Sources};
use crate::model::Society;
use crate::query::QueryError;
use crate::syntax::{self, Span};
use write::{Rec, Val};

/// Why a change was not made.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// The data has problems already; edits start from sound data.
    #[error("{}", Listed("the data must check clean before it is changed; it has", .0))]
    Unsound(Vec<Diagnostic>),
    #[error(transparent)]
    NotFound(#[from] QueryError),
    /// The change would break a rule; each entry says which and where.
    #[error("{}", Listed("the change was refused: it would leave", .0))]
    Refused(Vec<Refusal>),
}

impl EditError {
    /// The error in words, each input of the change named by `name`, as
    /// [`Refusal::message`] names them.
    pub fn message(&self, name: &dyn Fn(&str) -> String) -> String {
        match self {
            EditError::Refused(problems) => {
                let lines: Vec<String> = problems.iter().map(|p| p.message(name)).collect();
                Listed("the change was refused: it would leave", &lines).to_string()
            }
            other => other.to_string(),
        }
    }
}

/// A heading with a count of problems, then one problem a line.
struct Listed<'a, T>(&'a str, &'a [T]);

impl<T: fmt::Display> fmt::Display for Listed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.1.len();
        write!(f, "{} {n} problem{}", self.0, if n == 1 { "" } else { "s" })?;
        for p in self.1 {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

/// A change worked out: the data as it would be, and what changed.
#[derive(Debug, Clone)]
pub struct Edited {
    pub sources: Sources,
    /// The file the change touches.
    pub file: DataFile,
    /// The id of the record added, changed or removed.
    pub id: String,
    /// What was done, for people: `changed person "x": email, country`.
    pub summary: String,
    /// False when the change asked for what the data already says.
    pub changed: bool,
}

/// Works out a change against `sources`. `now` becomes a changed meeting's
/// `modified` time.
pub fn apply(sources: &Sources, change: &Change, now: Timestamp) -> Result<Edited, EditError> {
    apply_checked(sources, &load::check(sources), change, now).map(|(edited, _)| edited)
}

/// Where a change puts its record in its file's text.
pub(crate) enum Place {
    /// After the last record.
    Append(String),
    /// In place of the record at the span.
    Replace(Span, String),
    Remove(Span),
    /// Nowhere: the change asked for what the data says.
    Nothing,
}

/// A change worked out against checked data, before it is put in the text
/// and the data checked again.
pub(crate) struct Planned {
    pub place: Place,
    pub id: String,
    pub summary: String,
    pub changed: bool,
    /// What the inputs themselves were refused for.
    pub problems: Vec<Refusal>,
}

/// Works a change out against `society`, the `text` of the change's file
/// and its records' `origins` in it: the record text and where it goes.
pub(crate) fn plan(
    society: &Society,
    text: &str,
    origins: &[crate::decode::Origin],
    change: &Change,
    now: Timestamp,
) -> Result<Planned, EditError> {
    let kind = change.kind();
    let noun = kind.noun();
    let (place, id, summary, changed, problems) = match change {
        Change::Add { fields, .. } => {
            let mut input = change::Given::new(kind, fields);
            let mut rec = change::empty(kind);
            input.apply(&mut rec, society, true);
            if kind == Kind::Meeting {
                rec.set("modified", Some(Val::some(Val::Str(now.to_string()))));
            }
            // Without an id (the name gave none) the record goes to the
            // check without one; the input's problems say why.
            let id = input.new_id(&rec, society);
            rec.set("id", id.clone().map(Val::Str));
            let id = id.unwrap_or_default();
            let record = write::record(&rec, 1, &[]);
            let summary = format!("added {noun} \"{id}\"");
            (Place::Append(record), id, summary, true, input.problems)
        }
        Change::Edit { id, fields, .. } => {
            let at = position(society, kind, id)?;
            let origin = &origins[at];
            let old = current(society, kind, at);
            let mut rec = old.clone();
            let mut input = change::Given::new(kind, fields);
            if input.has("id") {
                input.refuse("id", RefusalKind::IdFixed);
            }
            input.apply(&mut rec, society, false);
            let fields_changed = differing(&old, &rec);
            let changed = !fields_changed.is_empty();
            if changed && kind == Kind::Meeting {
                // Calendars tell a changed event from a new one by its
                // unchanging UID and its rising SEQUENCE.
                let revision = match rec.get("revision") {
                    Some(Val::Int(n)) => *n,
                    _ => 0,
                };
                rec.set("revision", Some(Val::Int(revision.saturating_add(1))));
                rec.set("modified", Some(Val::some(Val::Str(now.to_string()))));
            }
            let place = if changed {
                let notes = notes::record_notes(text, origin);
                Place::Replace(origin.span, write::record(&rec, 1, &notes))
            } else {
                Place::Nothing
            };
            let summary = if changed {
                format!("changed {noun} \"{id}\": {}", fields_changed.join(", "))
            } else {
                format!("{noun} \"{id}\" already says so; nothing changed")
            };
            (place, id.clone(), summary, changed, input.problems)
        }
        Change::Remove { id, .. } => {
            let at = position(society, kind, id)?;
            let summary = format!("removed {noun} \"{id}\"");
            (
                Place::Remove(origins[at].span),
                id.clone(),
                summary,
                true,
                Vec::new(),
            )
        }
    };
    Ok(Planned {
        place,
        id,
        summary,
        changed,
        problems,
    })
}

/// As [`apply`], given the check of `sources` made already; with the
/// change, the check of the data as it would be, or None when the change
/// changed nothing and the check given stands. An import applies row after
/// row so, checking the data once a row rather than twice.
pub(crate) fn apply_checked(
    sources: &Sources,
    checked: &Checked,
    change: &Change,
    now: Timestamp,
) -> Result<(Edited, Option<Checked>), EditError> {
    let Some(society) = &checked.society else {
        return Err(EditError::Unsound(checked.diagnostics.clone()));
    };
    let kind = change.kind();
    let file = kind.file();
    // A file that may be missing starts as an empty list when it is.
    let text = match sources.text(file) {
        Some(text) => text,
        None if file.optional() => EMPTY_LIST,
        None => "",
    };
    let origins = origins_of(&checked.origins, kind);
    let Planned {
        place: at,
        id,
        summary,
        changed,
        mut problems,
    } = plan(society, text, origins, change, now)?;
    let spliced = match at {
        Place::Append(record) => {
            let last = origins.last().map(|o| o.span);
            splice::append(text, list_close(text), last, &record)
        }
        Place::Replace(span, record) => splice::replace(text, span, &record),
        Place::Remove(span) => splice::remove(text, span),
        Place::Nothing => splice::Spliced {
            text: text.to_string(),
            span: Span::new(0, 0),
        },
    };

    let mut after = sources.clone();
    after.set_text(file, spliced.text.clone());
    // Sound data left as it was is sound still.
    let judged = changed.then(|| load::check(&after));
    let missing_flagged = !problems.is_empty();
    for d in judged.iter().flat_map(|j| &j.diagnostics) {
        // A required field left out is already reported as its input.
        if missing_flagged && d.kind == DiagnosticKind::MissingField {
            continue;
        }
        let mut refusal = place(d, kind, sources, &after, file, &spliced);
        if let RefusalKind::Data { placed: false, .. } = refusal.kind {
            // In the changed record, the problem lies with what an input set.
            refusal.field = d.field.and_then(|f| kind.input_for(f, given(change)));
        }
        problems.push(refusal);
    }
    if !problems.is_empty() {
        return Err(EditError::Refused(problems));
    }
    let edited = Edited {
        sources: after,
        file,
        id,
        summary,
        changed,
    };
    Ok((edited, judged))
}

/// A list file with no records yet, as the first record added to a missing
/// one finds it.
const EMPTY_LIST: &str = "[\n]\n";

/// Every file in the canonical layout, comments kept. The data must check
/// clean, since the layout is written from the checked values.
pub fn format(sources: &Sources) -> Result<Sources, EditError> {
    let checked: Checked = load::check(sources);
    let Some(society) = &checked.society else {
        return Err(EditError::Unsound(checked.diagnostics));
    };
    let mut out = sources.clone();
    let origins = &checked.origins;
    for file in DataFile::ALL {
        let Some(text) = sources.text(file) else {
            // A missing file that may be missing stays so; a skipped one
            // is not ours to write.
            continue;
        };
        let new = match file {
            DataFile::Society => {
                layout::single_file(text, &origins.society, &record::society(&society.info))
            }
            _ => {
                let (open, close) = list_brackets(text);
                let recs: Vec<Rec> = match file {
                    DataFile::People => society.people.iter().map(record::person).collect(),
                    DataFile::Institutions => society
                        .institutions
                        .iter()
                        .map(record::institution)
                        .collect(),
                    DataFile::News => society.news.iter().map(record::news).collect(),
                    _ => society.meetings.iter().map(record::meeting).collect(),
                };
                let list = match file {
                    DataFile::People => &origins.people,
                    DataFile::Institutions => &origins.institutions,
                    DataFile::News => &origins.news,
                    _ => &origins.meetings,
                };
                let pairs: Vec<_> = list.iter().zip(recs).collect();
                layout::list_file(text, open, close, &pairs)
            }
        };
        out.set_text(file, new);
    }
    Ok(out)
}

fn origins_of(origins: &Origins, kind: Kind) -> &[crate::decode::Origin] {
    match kind {
        Kind::Person => &origins.people,
        Kind::Institution => &origins.institutions,
        Kind::Meeting => &origins.meetings,
        Kind::News => &origins.news,
    }
}

/// The brackets of a list file that has passed the check.
fn list_brackets(text: &str) -> (Span, Span) {
    syntax::parse_list_document(text, |_| {}).unwrap_or_default()
}

fn list_close(text: &str) -> usize {
    list_brackets(text).1.start
}

/// Where the record with this id stands in its list, which in sound data is
/// also where its origin stands.
fn position(society: &Society, kind: Kind, id: &str) -> Result<usize, QueryError> {
    let found = match kind {
        Kind::Person => society.people.iter().position(|p| p.id.as_str() == id),
        Kind::Institution => society
            .institutions
            .iter()
            .position(|i| i.id.as_str() == id),
        Kind::Meeting => society.meetings.iter().position(|m| m.id.as_str() == id),
        Kind::News => society.news.iter().position(|n| n.id.as_str() == id),
    };
    found.ok_or_else(|| society.not_found(kind.record(), id))
}

fn current(society: &Society, kind: Kind, at: usize) -> Rec {
    match kind {
        Kind::Person => record::person(&society.people[at]),
        Kind::Institution => record::institution(&society.institutions[at]),
        Kind::Meeting => record::meeting(&society.meetings[at]),
        Kind::News => record::news(&society.news[at]),
    }
}

/// The names of the fields that differ between two versions of a record.
fn differing(old: &Rec, new: &Rec) -> Vec<&'static str> {
    old.order
        .iter()
        .copied()
        .filter(|f| old.get(f) != new.get(f))
        .collect()
}

/// The inputs a change gives.
fn given(change: &Change) -> &[change::Assign] {
    match change {
        Change::Add { fields, .. } | Change::Edit { fields, .. } => fields,
        Change::Remove { .. } => &[],
    }
}

/// A problem found in the data as it would be, told so that staff can find
/// it: inside the new record by its record and field alone (it is not in
/// any file yet), elsewhere by its place in the file as it is now.
fn place(
    d: &Diagnostic,
    kind: Kind,
    before: &Sources,
    after: &Sources,
    file: DataFile,
    spliced: &splice::Spliced,
) -> Refusal {
    let refusal = |diagnostic: Diagnostic, placed| Refusal {
        record: kind,
        field: None,
        kind: RefusalKind::Data { diagnostic, placed },
    };
    if d.file != after.display_path(file) {
        return refusal(d.clone(), true);
    }
    let new_text = after.text(file).unwrap_or_default();
    let offset = LineIndex::new(new_text).offset(d.line, d.column);
    let span = spliced.span;
    if span.start <= offset && offset < span.end {
        return refusal(d.clone(), false);
    }
    let old_len = before.text(file).unwrap_or_default().len();
    let grown = new_text.len() as isize - old_len as isize;
    let old_offset = if offset < span.start {
        offset
    } else {
        (offset as isize - grown).max(0) as usize
    };
    let (line, column) = LineIndex::new(before.text(file).unwrap_or_default()).position(old_offset);
    let moved = Diagnostic {
        line,
        column,
        ..d.clone()
    };
    refusal(moved, true)
}

#[cfg(test)]
mod tests;
