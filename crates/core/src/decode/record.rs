//! The framework every record is read with: a file's diagnostics, a record
//! opened and its fields taken one by one, each converted or reported.

use std::borrow::Cow;
use std::cell::OnceCell;

use crate::diagnostic::{Diagnostic, DiagnosticKind, LineIndex};
use crate::model::MAX_FIELDS;
use crate::suggest::Suggestions;
use crate::syntax::{Field, Node, Span, Value};

/// Where a record and its fields stood in its file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    /// The whole record, from its name to its closing parenthesis.
    pub span: Span,
    /// Each field's value.
    pub fields: Vec<(&'static str, Span)>,
}

impl Origin {
    pub fn field(&self, name: &str) -> Option<Span> {
        self.fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, s)| s)
    }
}

/// A record as read from a file: the value when it was sound, and what could
/// be read of its id in any case.
#[derive(Debug)]
pub(crate) struct Decoded<'s, T> {
    pub value: Option<T>,
    /// Borrowed from the file's text unless it held an escape.
    pub id: Option<Cow<'s, str>>,
    pub origin: Origin,
}

/// A problem in a value: where, and what.
#[derive(Debug)]
pub(crate) struct Problem {
    pub span: Span,
    pub kind: DiagnosticKind,
    pub message: String,
}

pub(super) type Conv<T> = Result<T, Problem>;

/// A value that breaks a rule of its field.
pub(super) fn problem(node: &Node<'_>, message: impl Into<String>) -> Problem {
    Problem {
        span: node.span,
        kind: DiagnosticKind::InvalidValue,
        message: message.into(),
    }
}

/// A value of another shape than its field takes.
pub(super) fn wrong_type(node: &Node<'_>, message: impl Into<String>) -> Problem {
    Problem {
        kind: DiagnosticKind::WrongType,
        ..problem(node, message)
    }
}

/// One file being decoded: its text, and where its diagnostics go.
pub(crate) struct FileCx<'a> {
    path: &'a str,
    text: &'a str,
    /// Where lines start, counted only once a problem needs it: sound data,
    /// the common case, never pays for it (a large file has a million lines).
    lines: OnceCell<LineIndex<'a>>,
    pub diagnostics: &'a mut Vec<Diagnostic>,
}

impl<'a> FileCx<'a> {
    pub(crate) fn new(path: &'a str, text: &'a str, diagnostics: &'a mut Vec<Diagnostic>) -> Self {
        FileCx {
            path,
            text,
            lines: OnceCell::new(),
            diagnostics,
        }
    }

    pub(crate) fn report(
        &mut self,
        offset: usize,
        context: Option<String>,
        field: Option<&'static str>,
        kind: DiagnosticKind,
        message: String,
    ) {
        let (line, column) = self
            .lines
            .get_or_init(|| LineIndex::new(self.text))
            .position(offset);
        self.diagnostics.push(Diagnostic {
            file: self.path.to_string(),
            line,
            column,
            context,
            field,
            kind,
            message,
        });
    }
}

/// A struct record being read field by field.
pub(super) struct Record<'c, 'a, 's> {
    pub(super) cx: &'c mut FileCx<'a>,
    /// What the record is, such as "person"; with the id, it names the
    /// record in messages. Kept apart so that the name is only written out
    /// when there is a problem to report.
    pub(super) kind: &'c str,
    pub(super) id: Option<Cow<'s, str>>,
    pub(super) span: Span,
    /// The fields as given.
    pub(super) fields: Vec<Field<'s>>,
    /// For each declared field (in `known`'s order), which of `fields` gave
    /// it, until it is taken; `NONE` when none did.
    pub(super) slots: [u32; MAX_FIELDS],
    /// Where the field after the last one taken is declared.
    pub(super) next: usize,
    /// The names the record's declaration gives its fields.
    pub(super) known: &'static [&'static str],
    /// The same fields as diagnostics name them: as `known`, or with the
    /// outer record's field before them for a nested record.
    pub(super) paths: &'static [&'static str],
    pub(super) origin: Origin,
    pub(super) sound: bool,
}

impl<'c, 'a, 's> Record<'c, 'a, 's> {
    /// Opens `Name(field: …, …)`, reporting a wrong name, unknown fields and
    /// fields given twice. `kind` names the record in messages ("person").
    pub(super) fn open(
        cx: &'c mut FileCx<'a>,
        node: Node<'s>,
        type_name: &str,
        kind: &'c str,
        known: &'static [&'static str],
    ) -> Result<Self, Span> {
        let span = node.span;
        let fields = match node.value {
            Value::Struct { name, fields } if name.is_none_or(|n| n == type_name) => fields,
            Value::Struct { name: Some(n), .. } | Value::Tuple { name: Some(n), .. } => {
                cx.report(
                    span.start,
                    None,
                    None,
                    DiagnosticKind::WrongRecord,
                    format!("expected a {type_name}(…) record, found `{n}`"),
                );
                return Err(span);
            }
            other => {
                cx.report(
                    span.start,
                    None,
                    None,
                    DiagnosticKind::WrongRecord,
                    format!(
                        "expected a {type_name}(…) record with named fields, found {}",
                        other.kind()
                    ),
                );
                return Err(span);
            }
        };
        // Messages name the record by its id when it has a readable one.
        let id = fields
            .iter()
            .find(|f| f.name == "id")
            .and_then(|f| match &f.value.value {
                Value::Str(s) => Some(s.clone()),
                _ => None,
            });
        let mut record = Record {
            cx,
            kind,
            id,
            span,
            fields: Vec::new(),
            slots: [NONE; MAX_FIELDS],
            next: 0,
            known,
            paths: known,
            origin: Origin {
                span,
                fields: Vec::with_capacity(fields.len()),
            },
            sound: true,
        };
        // Files give the fields in their declared order (the canonical
        // writer does), so each name is looked for from the place after the
        // last one's: one comparison per field for a file in that layout.
        let mut after = 0;
        for (i, field) in fields.iter().enumerate() {
            let given = u32::try_from(i).unwrap_or(NONE);
            let slot =
                place(known, after, field.name).and_then(|at| Some((at, record.slots.get(at)?)));
            let Some((at, &slot)) = slot else {
                let hint = Suggestions::new(known.iter().copied())
                    .best(field.name)
                    .map(|k| format!("; did you mean `{k}`?"))
                    .unwrap_or_else(|| format!("; expected one of: {}", known.join(", ")));
                let message = format!("unknown field `{}`{hint}", field.name);
                let kind = DiagnosticKind::UnknownField;
                record.report_at(field.name_span.start, None, kind, message);
                continue;
            };
            after = at + 1;
            if slot != NONE {
                let message = format!("field `{}` is given twice", field.name);
                let kind = DiagnosticKind::RepeatedField;
                record.report_at(field.name_span.start, None, kind, message);
            } else {
                record.slots[at] = given;
            }
        }
        record.fields = fields;
        Ok(record)
    }

    /// The record as messages name it: `person "kari-stefansson"`.
    pub(super) fn label(&self) -> String {
        match &self.id {
            Some(id) => format!("{} \"{id}\"", self.kind),
            None => self.kind.to_string(),
        }
    }

    /// Reports a problem with the record, in a field of it when one is
    /// named.
    pub(super) fn report_at(
        &mut self,
        offset: usize,
        field: Option<&'static str>,
        kind: DiagnosticKind,
        message: String,
    ) {
        self.report(offset, field, field, kind, message);
    }

    /// Reports a problem; the message names the record and the field
    /// `shown`, and the diagnostic carries the field it is `about`.
    fn report(
        &mut self,
        offset: usize,
        shown: Option<&str>,
        about: Option<&'static str>,
        kind: DiagnosticKind,
        message: String,
    ) {
        self.sound = false;
        let context = match shown {
            Some(f) => format!("{}, field `{f}`", self.label()),
            None => self.label(),
        };
        let field = about.map(|name| {
            let at = self.known.iter().position(|k| *k == name);
            at.map_or(name, |i| self.paths[i])
        });
        self.cx.report(offset, Some(context), field, kind, message);
    }

    pub(super) fn take(&mut self, name: &'static str) -> Option<Node<'s>> {
        // A name the declaration does not give would never be found.
        debug_assert!(self.known.contains(&name), "`{name}` is not declared");
        // Readers take the fields in their declared order too.
        let at = place(self.known, self.next, name)?;
        self.next = at + 1;
        let given = std::mem::replace(self.slots.get_mut(at)?, NONE);
        let field = self.fields.get_mut(usize::try_from(given).ok()?)?;
        let span = field.value.span;
        // The field's value is moved out; the record keeps a unit in its place.
        let unit = Node {
            span,
            value: Value::Unit,
        };
        self.origin.fields.push((name, span));
        Some(std::mem::replace(&mut field.value, unit))
    }

    pub(super) fn convert<T>(
        &mut self,
        name: &'static str,
        node: &Node<'s>,
        conv: impl FnOnce(&Node<'s>) -> Conv<T>,
    ) -> Option<T> {
        match conv(node) {
            Ok(v) => Some(v),
            Err(p) => {
                self.report_at(p.span.start, Some(name), p.kind, p.message);
                None
            }
        }
    }

    /// A field that must be there.
    pub(super) fn required<T>(
        &mut self,
        name: &'static str,
        conv: impl FnOnce(&Node<'s>) -> Conv<T>,
    ) -> Option<T> {
        match self.take(name) {
            Some(node) => self.convert(name, &node, conv),
            None => {
                self.missing(name);
                None
            }
        }
    }

    /// Reports a problem with a field, at its value, or at the record when
    /// the field is not there.
    pub(super) fn report_field(
        &mut self,
        field: &'static str,
        kind: DiagnosticKind,
        message: String,
    ) {
        let at = self
            .origin
            .field(field)
            .map_or(self.span.start, |s| s.start);
        self.report_at(at, Some(field), kind, message);
    }

    pub(super) fn missing(&mut self, name: &'static str) {
        let start = self.span.start;
        let message = format!("missing field `{name}`");
        self.report(
            start,
            None,
            Some(name),
            DiagnosticKind::MissingField,
            message,
        );
    }

    /// A field that may be left out; `default` stands in for it then.
    pub(super) fn optional<T>(
        &mut self,
        name: &'static str,
        default: T,
        conv: impl FnOnce(&Node<'s>) -> Conv<T>,
    ) -> Option<T> {
        match self.take(name) {
            Some(node) => self.convert(name, &node, conv),
            None => Some(default),
        }
    }

    pub(super) fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Decoded<'s, T> {
        let id = self.id;
        let value = if self.sound { build() } else { None };
        Decoded {
            value,
            id,
            origin: self.origin,
        }
    }
}

/// No field given.
const NONE: u32 = u32::MAX;

/// Where `name` stands among the declared names, looked for from `from`
/// onwards first and then from the start.
fn place(known: &[&str], from: usize, name: &str) -> Option<usize> {
    let (before, rest) = known.split_at(from.min(known.len()));
    rest.iter()
        .position(|k| *k == name)
        .map(|i| from + i)
        .or_else(|| before.iter().position(|k| *k == name))
}

/// A record that could not be opened: nothing of it is known but its place.
pub(super) fn failed<'s, T>(span: Span) -> Decoded<'s, T> {
    Decoded {
        value: None,
        id: None,
        origin: Origin {
            span,
            fields: Vec::new(),
        },
    }
}
