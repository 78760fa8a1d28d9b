//! Whole files in the canonical layout, with every comment kept: the
//! comments between records stay between them, those inside a record move
//! with the field they sit beside, and one empty line where staff left one
//! or more between records or comments stays too.

use super::notes::{self, Comment};
use super::write::{self, Rec};
use crate::decode::Origin;
use crate::syntax::Span;

const INDENT: &str = "    ";

/// A list file (`people.ron` and the like): `records` are its records in
/// file order with their origins, `open` and `close` its brackets.
pub(crate) fn list_file(text: &str, open: Span, close: Span, records: &[(&Origin, Rec)]) -> String {
    let mut out = String::new();
    lead(text, open.start, &mut out);
    out.push('[');
    let mut from = open.end;
    for (i, (origin, rec)) in records.iter().enumerate() {
        gap(text, Span::new(from, origin.span.start), 1, &mut out);
        if i > 0 && notes::blank_line_before(text, origin.span.start) && !out.ends_with("\n\n") {
            out.push('\n');
        }
        out.push_str(&write::record(rec, 1, &notes::record_notes(text, origin)));
        out.push(',');
        from = origin.span.end;
    }
    gap(text, Span::new(from, close.start), 1, &mut out);
    out.push(']');
    gap(text, Span::new(close.end, text.len()), 0, &mut out);
    out
}

/// A file of one record (`society.ron`).
pub(crate) fn single_file(text: &str, origin: &Origin, rec: &Rec) -> String {
    let mut out = String::new();
    lead(text, origin.span.start, &mut out);
    out.push_str(&write::record(rec, 0, &notes::record_notes(text, origin)));
    gap(text, Span::new(origin.span.end, text.len()), 0, &mut out);
    out
}

/// The comments before the first value, each on its own line.
fn lead(text: &str, end: usize, out: &mut String) {
    for (i, c) in notes::comments(text, Span::new(0, end))
        .into_iter()
        .enumerate()
    {
        if i > 0 && c.blank_before {
            out.push('\n');
        }
        out.push_str(c.text(text));
        out.push('\n');
    }
    if !out.is_empty() && notes::blank_line_before(text, end) {
        out.push('\n');
    }
}

/// The comments between two items, written after the line `out` ends with:
/// the first stays at the end of that line if it shared it in the source,
/// the others get lines of their own at `depth`. Leaves `out` at the start
/// of a new line; the record that follows writes its own indent.
fn gap(text: &str, range: Span, depth: usize, out: &mut String) {
    let found: Vec<Comment> = notes::comments(text, range);
    let mut rest = found.as_slice();
    if let Some((first, others)) = found.split_first()
        && !first.own_line
    {
        out.push(' ');
        out.push_str(first.text(text));
        rest = others;
    }
    out.push('\n');
    for (i, c) in rest.iter().enumerate() {
        // An empty line right after an opening bracket says nothing.
        let opens = i == 0 && out.ends_with("[\n");
        if c.blank_before && !opens && !out.ends_with("\n\n") {
            out.push('\n');
        }
        out.push_str(&INDENT.repeat(depth));
        out.push_str(c.text(text));
        out.push('\n');
    }
}
