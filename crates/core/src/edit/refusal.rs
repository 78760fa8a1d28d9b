//! Why a change was refused, as values: which kind of record, which input,
//! what is wrong with it. The words come with them, but each front end names
//! the inputs its own way: the command line as its flags (`--email`), a form
//! by its labels, an API by its parameters.

use std::fmt;

use super::change::Kind;
use crate::diagnostic::Diagnostic;
use crate::model::Role;
use crate::query::QueryError;

/// One reason a change was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The kind of record the change is to.
    pub record: Kind,
    /// The input the problem lies with, by its name among [`Kind::fields`],
    /// or as it was given when it is none of them. For a problem that the
    /// check found in the changed record, the input that set the field it
    /// lies in; None for one elsewhere in the data.
    pub field: Option<String>,
    pub kind: RefusalKind,
}

/// What is wrong with a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefusalKind {
    /// No input has this name; the closest one, when one is close.
    UnknownField { suggestion: Option<&'static str> },
    /// An input that takes one value, given more than once.
    GivenTwice,
    /// An input that a new record needs, left out.
    Needed,
    /// The country, needed for a new record unless the input `from` names
    /// a record (an institution) to take it from.
    CountryNeeded { from: &'static str },
    /// A record's id never changes: links and calendars know it by it.
    IdFixed,
    /// A name with no space to split it at into a given and a family name.
    Unsplit { name: String },
    /// The input names no institution.
    NoSuchInstitution(QueryError),
    /// No role has this name.
    UnknownRole { text: String },
    /// A visibility other than public or members.
    NotVisibility { text: String },
    /// A visibility given while the input `detail` clears its detail.
    VisibilityWhileClearing { detail: &'static str },
    /// A visibility for the detail of input `detail`, which the record
    /// does not have and the change does not give.
    VisibilityWithoutDetail { detail: &'static str },
    /// No id given, and none can be made from the record's name.
    NoId,
    /// A problem the check found in the data as it would be. Inside the
    /// changed record it has no place in any file yet, and only its record
    /// and field name it (`placed` false); elsewhere its line and column are
    /// those of the file as it stands.
    Data {
        diagnostic: Diagnostic,
        placed: bool,
    },
}

impl Refusal {
    pub(crate) fn new(record: Kind, field: &str, kind: RefusalKind) -> Refusal {
        Refusal {
            record,
            field: Some(field.to_string()),
            kind,
        }
    }

    /// The refusal in words, each input named by `name`: the command line
    /// gives `--email` for `email`, a form its label.
    pub fn message(&self, name: &dyn Fn(&str) -> String) -> String {
        let noun = self.record.noun();
        let field = name(self.field.as_deref().unwrap_or_default());
        match &self.kind {
            RefusalKind::UnknownField { suggestion } => {
                let hint = match suggestion {
                    Some(s) => format!("; did you mean {}?", name(s)),
                    None => {
                        let all: Vec<String> = self.record.fields().map(name).collect();
                        format!("; a {noun} has: {}", all.join(", "))
                    }
                };
                format!("{field}: a {noun} has no such field{hint}")
            }
            RefusalKind::GivenTwice => format!("{field} is given more than once"),
            RefusalKind::Needed => format!("{field} is needed for a new {noun}"),
            RefusalKind::CountryNeeded { from } => format!(
                "{field} is needed for a new {noun} (or {}, to take its country)",
                name(from)
            ),
            RefusalKind::IdFixed => format!(
                "{field}: a {noun}'s id cannot change, since links and calendars know it by it; remove the {noun} and add it anew instead"
            ),
            RefusalKind::Unsplit { name: text } => format!(
                "{field} \"{text}\" has no space between a given and a family name; give {} and {}",
                name("given"),
                name("family")
            ),
            RefusalKind::NoSuchInstitution(e) => format!("{field}: {e}"),
            RefusalKind::UnknownRole { text } => format!(
                "{field}: unknown role \"{text}\"; expected one of: {}",
                Role::ALL.map(Role::slug).join(", ")
            ),
            RefusalKind::NotVisibility { text } => {
                format!("{field}: \"{text}\" is not a visibility; expected public or members")
            }
            RefusalKind::VisibilityWhileClearing { detail } => {
                format!("{field} makes no sense while {} clears it", name(detail))
            }
            RefusalKind::VisibilityWithoutDetail { detail } => format!(
                "{field}: the {noun} has no {detail} to show or hide; give {} too",
                name(detail)
            ),
            RefusalKind::NoId => format!("cannot make an id from the {noun}'s name; give {field}"),
            RefusalKind::Data {
                diagnostic,
                placed: true,
            } => diagnostic.to_string(),
            RefusalKind::Data {
                diagnostic: d,
                placed: false,
            } => match &d.context {
                Some(c) => format!("{c}: {}", d.message),
                None => d.message.clone(),
            },
        }
    }
}

/// The refusal in words, each input named as the data files name fields:
/// `` `email` ``.
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(&|name| format!("`{name}`")))
    }
}
