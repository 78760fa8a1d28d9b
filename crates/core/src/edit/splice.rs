//! Changing one record in a file's text while leaving every other byte as
//! staff wrote it.
//!
//! Each function takes the text and spans from [`crate::check`]'s origins
//! and returns the new text and the span of the bytes that replaced the old.
//! Records in list files sit one indent deep, as the canonical layout has
//! them; the record texts given here are written at that depth.

use crate::syntax::Span;

/// A text after a splice: `span` is where the new bytes stand in it.
#[derive(Debug)]
pub(crate) struct Spliced {
    pub text: String,
    pub span: Span,
}

fn splice(text: &str, old: Span, new: &str) -> Spliced {
    let mut out = String::with_capacity(text.len() + new.len());
    out.push_str(&text[..old.start]);
    out.push_str(new);
    out.push_str(&text[old.end..]);
    Spliced {
        text: out,
        span: Span::new(old.start, old.start + new.len()),
    }
}

/// Where the line holding `at` starts, when only white space precedes `at`
/// on it.
fn bare_line_start(text: &str, at: usize) -> Option<usize> {
    let start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    text[start..at].trim().is_empty().then_some(start)
}

/// Replaces the record at `span` with `record`, a record text whose first
/// line carries its indent. The indent before the old record goes with it.
pub(crate) fn replace(text: &str, span: Span, record: &str) -> Spliced {
    let (old, new) = replacement(text, span, record);
    splice(text, old, new)
}

/// The bytes a record at `span` takes with it when `record` replaces it,
/// and the text that goes in their place.
fn replacement<'r>(text: &str, span: Span, record: &'r str) -> (Span, &'r str) {
    match bare_line_start(text, span.start) {
        Some(start) => (Span::new(start, span.end), record),
        None => (span, record.trim_start()),
    }
}

/// [`replace`] for many records at once, in one pass over the text: each
/// span is a record's, and no two are the same record's.
pub(crate) fn replace_all(text: &str, records: &mut [(Span, String)]) -> String {
    records.sort_by_key(|(span, _)| span.start);
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for (span, record) in records.iter() {
        let (old, new) = replacement(text, *span, record);
        out.push_str(&text[done..old.start]);
        out.push_str(new);
        done = old.end;
    }
    out.push_str(&text[done..]);
    out
}

/// Adds `record` as the last item of the list that `close` (the `]`) ends;
/// `last` is the current last record, which gains a comma if it has none.
pub(crate) fn append(text: &str, close: usize, last: Option<Span>, record: &str) -> Spliced {
    let mut text = text.to_string();
    let mut close = close;
    if let Some(last) = last {
        let after = &text[last.end..close];
        if !after.trim_start().starts_with(',') {
            text.insert(last.end, ',');
            close += 1;
        }
    }
    match bare_line_start(&text, close) {
        Some(start) => splice(&text, Span::new(start, start), &format!("{record},\n")),
        None => {
            let mut spliced = splice(&text, Span::new(close, close), &format!("\n{record},\n"));
            spliced.span.start += 1;
            spliced
        }
    }
}

/// Removes the record at `span` with its comma, and with its line(s) when it
/// has them to itself. Comments around it stay: they may say more than the
/// record did, and nothing staff wrote by hand is dropped unasked.
pub(crate) fn remove(text: &str, span: Span) -> Spliced {
    let mut end = span.end;
    let rest = &text[end..];
    let spaces = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    if rest[spaces..].starts_with(',') {
        end += spaces + 1;
    }
    let rest = &text[end..];
    let blank = rest.len() - rest.trim_start_matches([' ', '\t', '\r']).len();
    let next = &rest[blank..];
    match bare_line_start(text, span.start) {
        Some(start) if next.is_empty() || next.starts_with('\n') => {
            let stop = (end + blank + 1).min(text.len());
            splice(text, Span::new(start, stop), "")
        }
        // A comment after the record keeps the line, in the record's place.
        Some(_) if next.starts_with("//") || next.starts_with("/*") => {
            splice(text, Span::new(span.start, end + blank), "")
        }
        _ => splice(text, Span::new(span.start, end), ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str =
        "// top\n[\n    A(x: 1),\n    // about B\n    B(x: 2), // trailing\n    C(x: 3),\n]\n";

    fn span_of(text: &str, needle: &str) -> Span {
        let start = text.find(needle).unwrap();
        Span::new(start, start + needle.len())
    }

    #[test]
    fn replacing_touches_only_the_record() {
        let got = replace(
            LIST,
            span_of(LIST, "C(x: 3)"),
            "    C(\n        x: 4,\n    )",
        );
        assert_eq!(
            got.text,
            "// top\n[\n    A(x: 1),\n    // about B\n    B(x: 2), // trailing\n    C(\n        x: 4,\n    ),\n]\n"
        );
        assert_eq!(
            &got.text[got.span.start..got.span.end],
            "    C(\n        x: 4,\n    )"
        );
    }

    #[test]
    fn appending_goes_before_the_closing_bracket() {
        let got = append(
            LIST,
            LIST.rfind(']').unwrap(),
            Some(span_of(LIST, "C(x: 3)")),
            "    D()",
        );
        assert!(
            got.text.ends_with("    C(x: 3),\n    D(),\n]\n"),
            "{}",
            got.text
        );
        assert_eq!(&got.text[got.span.start..got.span.end], "    D(),\n");

        let bare = "[A(x: 1)]";
        let got = append(bare, 8, Some(Span::new(1, 8)), "    D()");
        assert_eq!(got.text, "[A(x: 1),\n    D(),\n]");

        let empty = "[]\n";
        let got = append(empty, 1, None, "    D()");
        assert_eq!(got.text, "[\n    D(),\n]\n");
    }

    #[test]
    fn removing_takes_the_comma_and_the_line_but_not_the_comments() {
        let got = remove(LIST, span_of(LIST, "A(x: 1)"));
        assert_eq!(
            got.text,
            "// top\n[\n    // about B\n    B(x: 2), // trailing\n    C(x: 3),\n]\n"
        );
        let got = remove(LIST, span_of(LIST, "B(x: 2)"));
        assert_eq!(
            got.text,
            "// top\n[\n    A(x: 1),\n    // about B\n    // trailing\n    C(x: 3),\n]\n"
        );
        let got = remove("[A(x: 1), B(x: 2)]", Span::new(10, 17));
        assert_eq!(got.text, "[A(x: 1), ]");
    }
}
