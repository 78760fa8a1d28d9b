//! Importing people from a table, as staff keep member lists in
//! spreadsheets: each row becomes a [`Change`] to one person, made with the
//! same inputs as `nspm people add` and `nspm people edit`, and checked as
//! that edit would be.
//!
//! The table comes parsed (a header and rows of cells, each row with the
//! line it starts on), so that a command line reading CSV and a web form
//! taking an upload share this logic. The whole import is all or nothing:
//! each row's change is applied to the result of the last, every problem of
//! every row is gathered, and the data as it would be after the last row is
//! returned only when there is none.
//!
//! Columns are named as the people CSV export names them (`given_name`,
//! `institution_id`, `roles`) or as the inputs are (`given`, `role`,
//! `email-visibility`); case, spaces and hyphens do not matter. A row finds
//! its person by `id` or, with no id, by email address ignoring case; a
//! row that finds nobody adds a person. An empty cell leaves the field as
//! it is: a blank in a spreadsheet more often means "not known here" than
//! "delete", and clearing stays a deliberate `people edit … --email ''`.

use std::collections::HashMap;
use std::fmt;

use super::change::{Assign, Change, Kind};
use super::refusal::{Refusal, RefusalKind};
use super::{EditError, Listed, Place, apply_checked, list_close, plan, splice};
use crate::date::Timestamp;
use crate::diagnostic::Diagnostic;
use crate::load::Checked;
use crate::load::{self, Sources};
use crate::suggest::Suggestions;
use crate::syntax::Span;

/// A table as read from a file: its header, and its rows in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// The column names as the file writes them.
    pub header: Vec<String>,
    pub rows: Vec<Row>,
}

/// One row of a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The line of the file the row starts on, counted from 1.
    pub line: u64,
    /// The cells, one for each column of the header and in its order; a
    /// row with fewer is read as if the rest were empty.
    pub cells: Vec<String>,
}

/// One problem with an import, at the row and column it lies in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The line the row starts on; that of the header for a problem with
    /// the columns.
    pub line: u64,
    /// The column as the file names it, or as the export would name it when
    /// the file has no such column. None when the problem is the row's as
    /// a whole.
    pub column: Option<String>,
    pub kind: ProblemKind,
}

/// What is wrong with a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// No input of a person has this name; the closest column, when one is
    /// close.
    UnknownColumn { suggestion: Option<String> },
    /// Two columns that give the same input.
    RepeatedColumn { first: String },
    /// Neither an `id` nor an `email` column, so no row could find the
    /// person it is about, and a second import would add everyone again.
    NoKeyColumn,
    /// A row with neither an id nor an email address, for the same reason.
    NoKey,
    /// A row about the same person as an earlier row, which it would undo.
    SamePerson { line: u64, id: String },
    /// The row's change refused, as `people add` or `people edit` would
    /// refuse it. The refusal names inputs; `columns` says which column of
    /// the table (or of the export, where the table has none) gives each.
    Refused {
        refusal: Refusal,
        columns: Vec<(&'static str, String)>,
    },
}

/// Why an import was not made.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The data has problems already; imports start from sound data.
    #[error("{}", EditError::Unsound(.0.clone()))]
    Unsound(Vec<Diagnostic>),
    /// Every problem of every row.
    #[error("{}", Listed("the import was refused, nothing was changed:", .0))]
    Refused(Vec<Problem>),
}

/// What became of one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Added,
    Updated,
    /// The person already had everything the row says.
    Unchanged,
}

/// One row's change, worked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowDone {
    pub line: u64,
    /// The person's id.
    pub id: String,
    pub outcome: Outcome,
    /// What was done, as an edit says it: `added person "kari-nordmann"`.
    pub summary: String,
}

/// An import worked out: the data as it would be, and each row's outcome.
#[derive(Clone, Debug)]
pub struct Imported {
    pub sources: Sources,
    pub rows: Vec<RowDone>,
}

impl Imported {
    /// How many rows had this outcome.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.rows.iter().filter(|r| r.outcome == outcome).count()
    }

    /// False when every row said what the data says already.
    pub fn changed(&self) -> bool {
        self.rows.iter().any(|r| r.outcome != Outcome::Unchanged)
    }

    /// `2 added, 1 updated, 5 unchanged`.
    pub fn tally(&self) -> String {
        format!(
            "{} added, {} updated, {} unchanged",
            self.count(Outcome::Added),
            self.count(Outcome::Updated),
            self.count(Outcome::Unchanged)
        )
    }
}

impl Table {
    /// The photo files the table names (its `photo` column), by their paths
    /// inside the data directory: a front end reads them into the sources
    /// ([`Sources::read_photos`]) before the import is checked.
    pub fn photos(&self) -> impl Iterator<Item = &str> {
        let at = self
            .header
            .iter()
            .position(|c| input_of(&normal(c)) == Some("photo"));
        self.rows
            .iter()
            .filter_map(move |row| row.cells.get(at?))
            .map(|cell| cell.trim())
            .filter(|cell| !cell.is_empty())
    }
}

/// The export's column names for the inputs whose names differ from them,
/// and the other names a column may have. The columns of an input with no
/// entry here are named as the input, `_` for `-`.
const COLUMNS: &[(&str, &str)] = &[
    ("given_name", "given"),
    ("family_name", "family"),
    ("institution_id", "institution"),
    ("country_code", "country"),
    ("roles", "role"),
];

/// Other names a column may have, as spreadsheets often head them; never
/// suggested or used to name a column the table lacks.
const ALIASES: &[(&str, &str)] = &[("e_mail", "email")];

/// Pairs of columns that the export writes for one input, a record's id
/// or code beside its name for people to read. With both in a table, the
/// first is read and the second is the label it is in the export.
const LABELLED: &[(&str, &str)] = &[
    ("institution_id", "institution"),
    ("country_code", "country"),
];

/// A column's name as compared: lower case, `_` for spaces and hyphens.
fn normal(column: &str) -> String {
    column
        .trim()
        .to_lowercase()
        .replace(|c: char| c == '-' || c.is_whitespace(), "_")
}

/// The input a column gives, by its normal name.
fn input_of(column: &str) -> Option<&'static str> {
    if let Some((_, input)) = COLUMNS.iter().chain(ALIASES).find(|(c, _)| *c == column) {
        return Some(input);
    }
    Kind::Person
        .fields()
        .find(|input| input.replace('-', "_") == column)
}

/// The column the export would name an input by, for a problem with an
/// input that the table has no column for.
fn column_of(input: &str) -> String {
    // An institution or a country is named most simply by its own column,
    // which takes a name as well as an id or code.
    let labelled = |column: &str| LABELLED.iter().any(|(id, _)| *id == column);
    match COLUMNS.iter().find(|(c, i)| *i == input && !labelled(c)) {
        Some((column, _)) => column.to_string(),
        None => input.replace('-', "_"),
    }
}

/// Every column name a table may use, for suggestions.
fn known_columns() -> Vec<String> {
    let mut all: Vec<String> = COLUMNS.iter().map(|(c, _)| c.to_string()).collect();
    all.extend(Kind::Person.fields().map(|i| i.replace('-', "_")));
    all.sort();
    all.dedup();
    all
}

/// The table's columns: which input each gives, if it is read.
struct Columns {
    /// For each column of the header, the input it gives, or None when it
    /// is not read (a label beside an id).
    inputs: Vec<Option<&'static str>>,
    /// The header as written.
    names: Vec<String>,
}

impl Columns {
    fn new(header: &[String], problems: &mut Vec<Problem>) -> Columns {
        let known = known_columns();
        let normals: Vec<String> = header.iter().map(|c| normal(c)).collect();
        let mut inputs: Vec<Option<&'static str>> = Vec::with_capacity(header.len());
        for (i, column) in normals.iter().enumerate() {
            let Some(input) = input_of(column) else {
                let suggestion = Suggestions::new(known.iter().map(String::as_str))
                    .best(column)
                    .map(str::to_string);
                problems.push(Problem {
                    line: 1,
                    column: Some(header[i].clone()),
                    kind: ProblemKind::UnknownColumn { suggestion },
                });
                inputs.push(None);
                continue;
            };
            let earlier = inputs.iter().position(|e| *e == Some(input));
            match earlier {
                None => inputs.push(Some(input)),
                Some(at) => {
                    let pair = (normals[at].as_str(), column.as_str());
                    let flipped = (pair.1, pair.0);
                    if LABELLED.contains(&pair) {
                        inputs.push(None);
                    } else if LABELLED.contains(&flipped) {
                        // The id column comes second: it is read, and the
                        // label before it is not.
                        inputs[at] = None;
                        inputs.push(Some(input));
                    } else {
                        problems.push(Problem {
                            line: 1,
                            column: Some(header[i].clone()),
                            kind: ProblemKind::RepeatedColumn {
                                first: header[at].clone(),
                            },
                        });
                        inputs.push(None);
                    }
                }
            }
        }
        let columns = Columns {
            inputs,
            names: header.to_vec(),
        };
        if columns.at("id").is_none() && columns.at("email").is_none() && !header.is_empty() {
            problems.push(Problem {
                line: 1,
                column: None,
                kind: ProblemKind::NoKeyColumn,
            });
        }
        columns
    }

    /// Where the column that gives `input` stands.
    fn at(&self, input: &str) -> Option<usize> {
        self.inputs.iter().position(|i| *i == Some(input))
    }

    /// The column for an input, as the table names it.
    fn name(&self, input: &str) -> String {
        match self.at(input) {
            Some(at) => self.names[at].clone(),
            None => column_of(input),
        }
    }
}

/// The record fields that the check names in a problem's context, read
/// back into the input that sets them: ``person "x", field `email` `` is the
/// `email` input's.
fn input_of_diagnostic(d: &Diagnostic) -> Option<&'static str> {
    let context = d.context.as_deref()?;
    let (_, field) = context.rsplit_once("field ")?;
    Kind::Person
        .inputs()
        .iter()
        .find(|i| i.sets.contains(&field.trim().trim_matches('`')))
        .map(|i| i.name)
}

/// Works out the import of `table` into `sources`: the changes of every
/// row, or every problem with them. `now` is the time of the change, as
/// for [`super::apply`]. `done` is told after each row how many rows are
/// done, for a front end to show progress on a long import.
///
/// Every row is first worked out against the data as it was, all rows are
/// put in the text at once and the data is checked once: an import of
/// thousands of rows takes about as long as one check. When that finds
/// anything wrong, or a row's change depends on an earlier row's, the rows
/// are applied again one after another, each checked as its own edit would
/// be, so that every problem is placed at its row and column and the result
/// is that of applying the rows in turn.
pub fn import(
    sources: &Sources,
    table: &Table,
    now: Timestamp,
    done: &mut dyn FnMut(usize),
) -> Result<Imported, ImportError> {
    let checked = load::check(sources);
    if checked.society.is_none() {
        return Err(ImportError::Unsound(checked.diagnostics));
    }
    let mut problems = Vec::new();
    let columns = Columns::new(&table.header, &mut problems);
    if !problems.is_empty() {
        return Err(ImportError::Refused(problems));
    }
    if let Some(imported) = at_once(sources, &checked, table, &columns, now, done) {
        return Ok(imported);
    }
    row_by_row(sources, checked, table, &columns, now, done)
}

/// The rows of an import as they find their people: each row's change, and
/// who the rows so far have added or edited.
struct Rows<'c> {
    columns: &'c Columns,
    /// The people as the rows leave them, by id, with their email
    /// addresses in lower case, so that each row finds its person without
    /// checking the data again.
    emails: Vec<(String, Option<String>)>,
    /// The line of the row that added or edited each person.
    seen: HashMap<String, u64>,
}

/// A row's change and whom it is about.
struct RowChange {
    change: Change,
    /// The person's place in [`Rows::emails`]; None for a person added.
    found: Option<usize>,
    /// The row's email address, in lower case.
    email: Option<String>,
}

impl<'c> Rows<'c> {
    fn new(columns: &'c Columns, checked: &Checked) -> Rows<'c> {
        let emails = checked
            .society
            .iter()
            .flat_map(|s| &s.people)
            .map(|p| {
                let email = p.email.as_ref().map(|d| d.value.to_lowercase());
                (p.id.to_string(), email)
            })
            .collect();
        Rows {
            columns,
            emails,
            seen: HashMap::new(),
        }
    }

    /// The change a row asks for, or its problem.
    fn change(&self, row: &Row) -> Result<RowChange, Box<Problem>> {
        let columns = self.columns;
        let cell = |input: &str| {
            columns
                .at(input)
                .and_then(|at| row.cells.get(at))
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
        };
        let mut fields = Vec::new();
        for (at, input) in columns.inputs.iter().enumerate() {
            let (Some(input), Some(value)) = (input, row.cells.get(at)) else {
                continue;
            };
            if *input == "role" {
                // One cell holds every role, as the export writes them.
                for role in value.split([';', ',']).map(str::trim) {
                    if !role.is_empty() {
                        fields.push(Assign::new(*input, role));
                    }
                }
            } else if !value.trim().is_empty() {
                fields.push(Assign::new(*input, value.trim()));
            }
        }
        let email = cell("email").map(str::to_lowercase);
        let emails = &self.emails;
        let found = match (cell("id"), &email) {
            (Some(id), _) => emails.iter().position(|(known, _)| known == id),
            (None, Some(email)) => emails
                .iter()
                .position(|(_, known)| known.as_ref() == Some(email)),
            (None, None) => {
                return Err(Box::new(Problem {
                    line: row.line,
                    column: None,
                    kind: ProblemKind::NoKey,
                }));
            }
        };
        let change = match found {
            Some(at) => {
                let id = emails[at].0.clone();
                if let Some(&line) = self.seen.get(&id) {
                    return Err(Box::new(Problem {
                        line: row.line,
                        column: None,
                        kind: ProblemKind::SamePerson { line, id },
                    }));
                }
                // An address that differs from the one known only in case
                // is the same address; its spelling in the data stays.
                let same = email.is_some() && emails[at].1 == email;
                fields.retain(|a| a.field != "id" && !(same && a.field == "email"));
                Change::Edit {
                    kind: Kind::Person,
                    id,
                    fields,
                }
            }
            None => Change::Add {
                kind: Kind::Person,
                fields,
            },
        };
        Ok(RowChange {
            change,
            found,
            email,
        })
    }

    /// Notes that a row's change was made to the person now called `id`,
    /// and what became of it.
    fn done(
        &mut self,
        row: &Row,
        c: &RowChange,
        id: &str,
        changed: bool,
        summary: String,
    ) -> RowDone {
        match c.found {
            Some(at) => {
                if let Some(email) = &c.email {
                    self.emails[at].1 = Some(email.clone());
                }
            }
            None => self.emails.push((id.to_string(), c.email.clone())),
        }
        self.seen.insert(id.to_string(), row.line);
        let outcome = match (&c.change, changed) {
            (Change::Add { .. }, _) => Outcome::Added,
            (_, true) => Outcome::Updated,
            (_, false) => Outcome::Unchanged,
        };
        RowDone {
            line: row.line,
            id: id.to_string(),
            outcome,
            summary,
        }
    }
}

/// The import with every row worked out against the data as it was and
/// the data checked once; None when anything is wrong or a row's change
/// may depend on an earlier one's, for [`row_by_row`] to work out.
fn at_once(
    sources: &Sources,
    checked: &Checked,
    table: &Table,
    columns: &Columns,
    now: Timestamp,
    done: &mut dyn FnMut(usize),
) -> Option<Imported> {
    let society = checked.society.as_ref()?;
    let file = Kind::Person.file();
    let text = sources.text(file).unwrap_or_default();
    let origins = &checked.origins.people;
    let mut rows = Rows::new(columns, checked);
    let mut added: Vec<String> = Vec::new();
    let mut replaced: Vec<(Span, String)> = Vec::new();
    let mut outcomes = Vec::new();
    for (n, row) in table.rows.iter().enumerate() {
        done(n);
        let c = rows.change(row).ok()?;
        let planned = plan(society, text, origins, &c.change, now).ok()?;
        if !planned.problems.is_empty() {
            return None;
        }
        // An id made from a name is unique among the people as they were;
        // two rows may make the same one, which the row-by-row import
        // tells apart.
        if c.found.is_none() && rows.seen.contains_key(&planned.id) {
            return None;
        }
        match planned.place {
            Place::Append(record) => added.push(record),
            Place::Replace(span, record) => replaced.push((span, record)),
            Place::Nothing => {}
            Place::Remove(_) => return None,
        }
        outcomes.push(rows.done(row, &c, &planned.id, planned.changed, planned.summary));
    }
    done(table.rows.len());
    let mut after = sources.clone();
    if !added.is_empty() || !replaced.is_empty() {
        // The new records go after the last one first: that touches no
        // byte before the last record's end, where every replaced span lies.
        let grown = if added.is_empty() {
            text.to_string()
        } else {
            let last = origins.last().map(|o| o.span);
            splice::append(text, list_close(text), last, &added.join(",\n")).text
        };
        after.set_text(file, splice::replace_all(&grown, &mut replaced));
        if !load::check(&after).diagnostics.is_empty() {
            return None;
        }
    }
    Some(Imported {
        sources: after,
        rows: outcomes,
    })
}

/// The import applied row after row, each row's change checked as that
/// edit would be, gathering every problem of every row.
fn row_by_row(
    sources: &Sources,
    checked: Checked,
    table: &Table,
    columns: &Columns,
    now: Timestamp,
    done: &mut dyn FnMut(usize),
) -> Result<Imported, ImportError> {
    let mut rows = Rows::new(columns, &checked);
    let mut checked = checked;
    let mut current = sources.clone();
    let mut outcomes = Vec::new();
    let mut problems = Vec::new();

    for (n, row) in table.rows.iter().enumerate() {
        done(n);
        let c = match rows.change(row) {
            Ok(c) => c,
            Err(problem) => {
                problems.push(*problem);
                continue;
            }
        };
        match apply_checked(&current, &checked, &c.change, now) {
            Ok((edited, judged)) => {
                if let Some(judged) = judged {
                    checked = judged;
                }
                outcomes.push(rows.done(row, &c, &edited.id, edited.changed, edited.summary));
                current = edited.sources;
            }
            Err(EditError::Refused(refusals)) => {
                for refusal in refusals {
                    let input = match (&refusal.field, &refusal.kind) {
                        (Some(field), _) => Kind::Person.fields().find(|f| f == field),
                        (None, RefusalKind::Data { diagnostic, placed }) if !placed => {
                            input_of_diagnostic(diagnostic)
                        }
                        _ => None,
                    };
                    problems.push(Problem {
                        line: row.line,
                        column: input.map(|i| columns.name(i)),
                        kind: ProblemKind::Refused {
                            refusal,
                            columns: Kind::Person
                                .fields()
                                .map(|i| (i, columns.name(i)))
                                .collect(),
                        },
                    });
                }
            }
            // The data checked clean and each row starts from a result that
            // did too, and every person edited was found above.
            Err(EditError::Unsound(diagnostics)) => return Err(ImportError::Unsound(diagnostics)),
            Err(e @ EditError::NotFound(_)) => {
                unreachable!("a person found by the import is missing: {e}")
            }
        }
    }
    done(table.rows.len());
    if !problems.is_empty() {
        return Err(ImportError::Refused(problems));
    }
    Ok(Imported {
        sources: current,
        rows: outcomes,
    })
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: ", self.line)?;
        let column = self.column.as_deref().unwrap_or_default();
        match &self.kind {
            ProblemKind::UnknownColumn { suggestion } => {
                write!(f, "column \"{column}\": a person has no such field")?;
                match suggestion {
                    Some(s) => write!(f, "; did you mean \"{s}\"?"),
                    None => write!(f, "; the columns are: {}", known_columns().join(", ")),
                }
            }
            ProblemKind::RepeatedColumn { first } => {
                write!(f, "column \"{column}\" gives what column \"{first}\" gives")
            }
            ProblemKind::NoKeyColumn => f.write_str(
                "the table needs an \"id\" or an \"email\" column, to find each row's person again on the next import",
            ),
            ProblemKind::NoKey => f.write_str(
                "the row has neither an id nor an email address, so the next import could not find its person again",
            ),
            ProblemKind::SamePerson { line, id } => {
                write!(f, "the row is about person \"{id}\", as line {line} is")
            }
            ProblemKind::Refused { refusal, columns } => {
                // The refusal names its inputs; each is told as the column
                // that gives it.
                let name = |input: &str| {
                    let column = columns
                        .iter()
                        .find(|(i, _)| *i == input)
                        .map_or(input, |(_, c)| c.as_str());
                    format!("column \"{column}\"")
                };
                match &refusal.kind {
                    RefusalKind::Data {
                        diagnostic,
                        placed: false,
                    } if self.column.is_some() => {
                        write!(f, "column \"{column}\": {}", diagnostic.message)
                    }
                    _ => f.write_str(&refusal.message(&name)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::edit::tests::NOW;

    fn table(header: &[&str], rows: &[(u64, &[&str])]) -> Table {
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: rows
                .iter()
                .map(|(line, cells)| Row {
                    line: *line,
                    cells: cells.iter().map(|c| c.to_string()).collect(),
                })
                .collect(),
        }
    }

    fn problems(table: &Table) -> Vec<Problem> {
        match import(&Sources::embedded(), table, NOW, &mut |_| {}) {
            Err(ImportError::Refused(problems)) => problems,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    /// The import that puts every row in at once and checks once gives
    /// what applying the rows in turn gives, and steps aside where it could
    /// not: two people whose names make the same id.
    #[test]
    fn rows_at_once_give_what_rows_in_turn_give() {
        let header = [
            "id",
            "given_name",
            "family_name",
            "country",
            "email",
            "phone",
        ];
        let rows: &[(u64, &[&str])] = &[
            (2, &["", "Kari", "Nordmann", "NO", "kari@example.org", ""]),
            (3, &["soren-brunak", "", "", "", "", "+45 12 34 56 78"]),
            (4, &["ole-andreassen", "", "", "", "", ""]),
            (5, &["", "Lars", "Testesen", "SE", "lars@example.org", ""]),
        ];
        let sources = Sources::embedded();
        let checked = load::check(&sources);
        let mut nothing = Vec::new();
        let t = table(&header, rows);
        let columns = Columns::new(&t.header, &mut nothing);
        let fast = at_once(&sources, &checked, &t, &columns, NOW, &mut |_| {}).unwrap();
        let slow = row_by_row(
            &sources,
            load::check(&sources),
            &t,
            &columns,
            NOW,
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(fast.rows, slow.rows);
        assert_eq!(fast.tally(), "2 added, 1 updated, 1 unchanged");
        for file in crate::DataFile::ALL {
            assert_eq!(fast.sources.text(file), slow.sources.text(file), "{file:?}");
        }
        // Two Kari Nordmanns: the second's id depends on the first's.
        let twice: &[(u64, &[&str])] = &[
            (2, &["", "Kari", "Nordmann", "NO", "kari@example.org", ""]),
            (3, &["", "Kari", "Nordmann", "NO", "kari.n@example.org", ""]),
        ];
        let t = table(&header, twice);
        assert!(at_once(&sources, &checked, &t, &columns, NOW, &mut |_| {}).is_none());
        let both = import(&sources, &t, NOW, &mut |_| {}).unwrap();
        assert_eq!(both.count(Outcome::Added), 2);
        assert_ne!(both.rows[0].id, both.rows[1].id);
    }

    /// A front end gets each problem as values: the line, the column as
    /// the table names it, and the rule, which the words follow.
    #[test]
    fn problems_are_values_with_their_line_and_column() {
        let t = table(
            &["Name", "Country", "ROLES", "E-mail"],
            &[
                (2, &["Ada Prøve", "NO", "chair", "ada@example.org"]),
                (3, &["Bo Prøve", "NO", "chiar", "bo@example.org"]),
                (5, &["Cy Prøve", "NO", "", "ADA@example.org"]),
            ],
        );
        let found = problems(&t);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].line, 3);
        assert_eq!(found[0].column.as_deref(), Some("ROLES"));
        assert!(matches!(
            &found[0].kind,
            ProblemKind::Refused { refusal, .. }
                if refusal.kind == RefusalKind::UnknownRole { text: "chiar".into() }
        ));
        assert_eq!(found[1].line, 5);
        assert_eq!(
            found[1].kind,
            ProblemKind::SamePerson {
                line: 2,
                id: "ada-prove".into()
            },
            "line 5's address is line 2's, ignoring case"
        );
    }

    #[test]
    fn columns_are_checked_before_any_row() {
        let t = table(&["email", "Email", "web_visiblity"], &[]);
        let found = problems(&t);
        assert_eq!(
            found.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "line 1: column \"Email\" gives what column \"email\" gives",
                "line 1: column \"web_visiblity\": a person has no such field; did you mean \"web_visibility\"?",
            ]
        );
    }

    /// Every input of a person is a column by its own name (the people
    /// export's columns are held to the import in tests/it/import.rs).
    #[test]
    fn every_input_is_a_column() {
        for input in Kind::Person.fields() {
            assert_eq!(input_of(&normal(input)), Some(input), "{input}");
        }
    }
}
