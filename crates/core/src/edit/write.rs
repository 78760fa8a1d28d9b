//! The one canonical layout of the data files, the layout `data/*.ron` is
//! written in: four spaces of indent, one field per line, a trailing comma
//! after every field and item, strings escaped as the `ron` crate escapes
//! them, short lists on one line and long ones one item per line.
//!
//! The writer works on [`Val`], a small tree of RON values, rather than on
//! the model types, so that an edit can put a value the user typed into a
//! record before the checks have judged it; the checks then run on the text.

use super::notes::{Anchor, Note};

/// How long a line may grow before a list is written one item per line.
const WIDTH: usize = 100;

const INDENT: &str = "    ";

/// A RON value as the data files use them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Val {
    Str(String),
    /// A unit variant such as `SteeringCommittee`, or `None`.
    Ident(&'static str),
    Int(u32),
    /// A variant holding one value: `Some("…")`, `Public("…")`.
    Wrap(&'static str, Box<Val>),
    List(Vec<Val>),
    Record(Rec),
}

impl Val {
    pub(crate) fn str(text: impl Into<String>) -> Val {
        Val::Str(text.into())
    }

    pub(crate) fn some(inner: Val) -> Val {
        Val::Wrap("Some", Box::new(inner))
    }

    /// `Some("…")` when there is text, `None` when not.
    pub(crate) fn opt_str(text: Option<&str>) -> Val {
        match text {
            Some(t) => Val::some(Val::str(t)),
            None => Val::Ident("None"),
        }
    }
}

/// A named record such as `Person(…)`, its fields in the canonical order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rec {
    pub name: &'static str,
    /// Every field this kind of record may have, in the order they are written.
    pub order: &'static [&'static str],
    pub fields: Vec<(&'static str, Val)>,
}

impl Rec {
    pub(crate) fn new(name: &'static str, order: &'static [&'static str]) -> Rec {
        Rec {
            name,
            order,
            fields: Vec::new(),
        }
    }

    pub(crate) fn get(&self, field: &str) -> Option<&Val> {
        self.fields
            .iter()
            .find(|(n, _)| *n == field)
            .map(|(_, v)| v)
    }

    /// Sets a field, or with `None` leaves it out; the field keeps its place
    /// in the canonical order either way.
    pub(crate) fn set(&mut self, field: &'static str, value: Option<Val>) {
        // A field the record does not declare would be written where no
        // reader takes it.
        debug_assert!(self.order.contains(&field), "`{field}` is not declared");
        let at = self.fields.iter().position(|(n, _)| *n == field);
        match (at, value) {
            (Some(i), Some(v)) => self.fields[i].1 = v,
            (Some(i), None) => {
                self.fields.remove(i);
            }
            (None, Some(v)) => {
                let rank = |name: &str| self.order.iter().position(|n| *n == name);
                let mine = rank(field);
                let i = self
                    .fields
                    .iter()
                    .position(|(n, _)| rank(n) > mine)
                    .unwrap_or(self.fields.len());
                self.fields.insert(i, (field, v));
            }
            (None, None) => {}
        }
    }

    /// Appends a field; for building records in order.
    pub(crate) fn with(mut self, field: &'static str, value: Val) -> Rec {
        self.set(field, Some(value));
        self
    }

    /// Appends a field when there is a value.
    pub(crate) fn with_opt(mut self, field: &'static str, value: Option<Val>) -> Rec {
        self.set(field, value);
        self
    }
}

/// Writes a string as RON writes it: each character through
/// `char::escape_debug`, between double quotes.
pub(crate) fn quote(text: &str, out: &mut String) {
    out.push('"');
    out.extend(text.chars().flat_map(char::escape_debug));
    out.push('"');
}

/// Writes a record at `depth` levels of indent, the comments in `notes`
/// placed by their anchors. The first line is indented too; nothing follows
/// the closing parenthesis. Comments whose field the record no longer has are
/// written above the record, so that none is lost.
pub(crate) fn record(rec: &Rec, depth: usize, notes: &[Note]) -> String {
    let mut used = vec![false; notes.len()];
    let mut body = String::new();
    let indent = INDENT.repeat(depth);
    body.push_str(&indent);
    write_record(rec, "", depth, notes, &mut used, &mut body);
    let mut out = String::new();
    for (note, used) in notes.iter().zip(&used) {
        if !used {
            out.push_str(&indent);
            out.push_str(&note.text);
            out.push('\n');
        }
    }
    out.push_str(&body);
    out
}

/// Writes `Name(`, the fields, and the indented `)`; `path` names the record
/// among its parent's fields ("" for the top), as the notes' anchors do.
fn write_record(
    rec: &Rec,
    path: &str,
    depth: usize,
    notes: &[Note],
    used: &mut [bool],
    out: &mut String,
) {
    let inner = INDENT.repeat(depth + 1);
    out.push_str(rec.name);
    out.push_str("(\n");
    for (name, value) in &rec.fields {
        let field_path = if path.is_empty() {
            (*name).to_string()
        } else {
            format!("{path}.{name}")
        };
        own_lines(
            notes,
            used,
            &Anchor::Before(field_path.clone()),
            &inner,
            out,
        );
        let line_start = out.len();
        out.push_str(&inner);
        out.push_str(name);
        out.push_str(": ");
        match value {
            Val::Record(r) => write_record(r, &field_path, depth + 1, notes, used, out),
            Val::List(items) => {
                // `line_start` marks where this field's line began, so that
                // the width of the one-line form can be measured.
                let head = out[line_start..].chars().count();
                write_list(items, depth + 1, head, out);
            }
            other => write_inline(other, out),
        }
        out.push(',');
        trailing(notes, used, &Anchor::After(field_path), out);
        out.push('\n');
    }
    own_lines(notes, used, &Anchor::End(path.to_string()), &inner, out);
    out.push_str(&INDENT.repeat(depth));
    out.push(')');
}

/// Writes each comment at `anchor` on a line of its own.
fn own_lines(notes: &[Note], used: &mut [bool], anchor: &Anchor, indent: &str, out: &mut String) {
    for (note, used) in notes.iter().zip(used.iter_mut()) {
        if !*used && note.anchor == *anchor {
            *used = true;
            out.push_str(indent);
            out.push_str(&note.text);
            out.push('\n');
        }
    }
}

/// Appends the first comment that trails `anchor` to the current line. A
/// second one cannot share the line (a `//` comment runs to its end), so any
/// more are left for the caller to place above the record.
fn trailing(notes: &[Note], used: &mut [bool], anchor: &Anchor, out: &mut String) {
    if let Some(i) = notes
        .iter()
        .enumerate()
        .position(|(i, n)| !used[i] && n.anchor == *anchor)
    {
        used[i] = true;
        out.push(' ');
        out.push_str(&notes[i].text);
    }
}

/// A list on one line when the line stays within [`WIDTH`] characters,
/// else one item per line. `head` is how many characters precede it.
fn write_list(items: &[Val], depth: usize, head: usize, out: &mut String) {
    let mut one_line = String::from("[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            one_line.push_str(", ");
        }
        write_inline(item, &mut one_line);
    }
    one_line.push(']');
    // The comma after the list counts too.
    let fits = head + one_line.chars().count() < WIDTH;
    if items.is_empty() || fits {
        out.push_str(&one_line);
        return;
    }
    out.push_str("[\n");
    for item in items {
        out.push_str(&INDENT.repeat(depth + 1));
        write_inline(item, out);
        out.push_str(",\n");
    }
    out.push_str(&INDENT.repeat(depth));
    out.push(']');
}

/// Writes a value that the data files keep on one line.
fn write_inline(value: &Val, out: &mut String) {
    match value {
        Val::Str(s) => quote(s, out),
        Val::Ident(name) => out.push_str(name),
        Val::Int(n) => out.push_str(&n.to_string()),
        Val::Wrap(name, inner) => {
            out.push_str(name);
            out.push('(');
            write_inline(inner, out);
            out.push(')');
        }
        Val::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_inline(item, out);
            }
            out.push(']');
        }
        // Records nest only as fields, which `write_record` handles; inside
        // a list or a variant one is written in RON's one-line form.
        Val::Record(r) => {
            out.push_str(r.name);
            out.push('(');
            for (i, (name, v)) in r.fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(name);
                out.push_str(": ");
                write_inline(v, out);
            }
            out.push(')');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORDER: &[&str] = &["id", "name", "aliases", "contact", "country"];

    fn sample() -> Rec {
        Rec::new("Institution", ORDER)
            .with("id", Val::str("a"))
            .with("name", Val::str("Say \"hi\"\tO'Neil\n"))
            .with("country", Val::str("NO"))
    }

    #[test]
    fn strings_are_escaped_as_ron_escapes_them() {
        for text in [
            "plain",
            "Say \"hi\"",
            "O'Neil",
            "tab\there",
            "a\\b",
            "é\u{301}",
            "\u{7}",
        ] {
            let mut mine = String::new();
            quote(text, &mut mine);
            assert_eq!(mine, ron::to_string(text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn records_are_one_field_a_line_with_trailing_commas() {
        let text = record(&sample(), 1, &[]);
        assert_eq!(
            text,
            "    Institution(\n        id: \"a\",\n        name: \"Say \\\"hi\\\"\\tO\\'Neil\\n\",\n        country: \"NO\",\n    )"
        );
    }

    #[test]
    fn fields_keep_the_canonical_order_when_set_later() {
        let mut rec = sample();
        rec.set("aliases", Some(Val::List(vec![Val::str("b")])));
        let names: Vec<&str> = rec.fields.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["id", "name", "aliases", "country"]);
        rec.set("name", None);
        assert!(rec.get("name").is_none());
    }

    #[test]
    fn long_lists_break_one_item_a_line() {
        let short = sample().with("aliases", Val::List(vec![Val::str("b"), Val::str("c")]));
        assert!(record(&short, 1, &[]).contains("        aliases: [\"b\", \"c\"],\n"));
        let long = sample().with("aliases", Val::List(vec![Val::str("x".repeat(90))]));
        assert!(record(&long, 1, &[]).contains(&format!(
            "        aliases: [\n            \"{}\",\n        ],\n",
            "x".repeat(90)
        )));
    }

    #[test]
    fn nested_records_and_comments_find_their_places() {
        let contact = Rec::new("Contact", &["person", "email"])
            .with("person", Val::opt_str(None))
            .with("email", Val::str("e@x.org"));
        let rec = sample().with("contact", Val::Record(contact));
        let notes = [
            Note::new(Anchor::Before("contact".into()), "// who answers"),
            Note::new(Anchor::After("contact.person".into()), "// nobody yet"),
            Note::new(Anchor::End(String::new()), "// the end"),
            Note::new(Anchor::Before("web".into()), "// its field is gone"),
        ];
        let text = record(&rec, 0, &notes);
        assert_eq!(
            text,
            "// its field is gone\nInstitution(\n    id: \"a\",\n    name: \"Say \\\"hi\\\"\\tO\\'Neil\\n\",\n    // who answers\n    contact: Contact(\n        person: None, // nobody yet\n        email: \"e@x.org\",\n    ),\n    country: \"NO\",\n    // the end\n)"
        );
    }
}
