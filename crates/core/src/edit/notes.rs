//! Comments that staff wrote in the data files, found and tied to the field
//! they sit beside, so that a rewritten record keeps them.
//!
//! The reader in [`crate::syntax`] skips comments; this scanner finds them
//! again in a stretch of text, stepping over strings so that `//` inside a
//! string is not taken for one.

use crate::decode::Origin;
use crate::syntax::Span;

/// Where a comment goes when its record is written again. Paths name fields
/// as [`Origin`] does: `email`, or `contact.person` inside a nested record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// On its own line above the field.
    Before(String),
    /// At the end of the field's last line.
    After(String),
    /// On its own line after the last field of the record at this path
    /// ("" for the record itself).
    End(String),
}

/// A comment and where it belongs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Note {
    pub anchor: Anchor,
    pub text: String,
}

impl Note {
    #[cfg(test)]
    pub(crate) fn new(anchor: Anchor, text: &str) -> Note {
        Note {
            anchor,
            text: text.to_string(),
        }
    }
}

/// A comment found in a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Comment {
    pub span: Span,
    /// Nothing but white space precedes it on its line.
    pub own_line: bool,
    /// An empty line separates it from what came before.
    pub blank_before: bool,
}

impl Comment {
    pub(crate) fn text(self, source: &str) -> &str {
        source[self.span.start..self.span.end].trim_end()
    }
}

/// Every comment that starts in `range` of `text`, in order.
pub(crate) fn comments(text: &str, range: Span) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let end = range.end.min(bytes.len());
    let mut found = Vec::new();
    let mut i = range.start;
    while i < end {
        match bytes[i] {
            b'"' => i = skip_string(bytes, i),
            b'\'' => i = skip_char(bytes, i),
            b'r' if is_raw_string(bytes, i) => i = skip_raw_string(text, i),
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let stop = text[i..].find('\n').map_or(text.len(), |n| i + n);
                found.push(comment_at(text, i, stop));
                i = stop;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let stop = block_end(bytes, i);
                found.push(comment_at(text, i, stop));
                i = stop;
            }
            b if b.is_ascii_alphanumeric() || b == b'_' => {
                // Step over a whole identifier, so that the `r` in `for` is
                // never mistaken for the start of a raw string.
                while i < end && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    found
}

fn comment_at(text: &str, start: usize, end: usize) -> Comment {
    let before = &text[..start];
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    Comment {
        span: Span::new(start, end),
        own_line: before[line_start..].trim().is_empty(),
        blank_before: blank_line_before(text, start),
    }
}

/// True when the white space right before `at` holds an empty line.
pub(crate) fn blank_line_before(text: &str, at: usize) -> bool {
    let before = &text[..at];
    let gap = &before[before.trim_end().len()..];
    gap.matches('\n').count() >= 2
}

fn skip_string(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn skip_char(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    if bytes.get(i) == Some(&b'\\') {
        i += 2;
    }
    while i < bytes.len() && bytes[i] != b'\'' {
        i += 1;
    }
    (i + 1).min(bytes.len())
}

/// `r"…"` or `r#"…"#`, as opposed to a raw identifier `r#name`.
fn is_raw_string(bytes: &[u8], i: usize) -> bool {
    let mut j = i + 1;
    while bytes.get(j) == Some(&b'#') {
        j += 1;
    }
    bytes.get(j) == Some(&b'"')
}

fn skip_raw_string(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    let mut hashes = 0;
    while bytes.get(i) == Some(&b'#') {
        hashes += 1;
        i += 1;
    }
    let closing = format!("\"{}", "#".repeat(hashes));
    match text[i + 1..].find(&closing) {
        Some(n) => i + 1 + n + closing.len(),
        None => text.len(),
    }
}

/// The end of a block comment, which may nest.
fn block_end(bytes: &[u8], start: usize) -> usize {
    let mut level = 0usize;
    let mut i = start;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'/', b'*') => {
                level += 1;
                i += 2;
            }
            (b'*', b'/') => {
                level -= 1;
                i += 2;
                if level == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The comments inside a record, each tied to the field it belongs with.
///
/// A comment on its own line belongs above the next field; one at the end
/// of a line belongs after the field that line ends. A comment inside a
/// field's value that is not a nested record (between the items of a list,
/// say) goes above that field, since the value is written anew.
pub(crate) fn record_notes(text: &str, origin: &Origin) -> Vec<Note> {
    let mut fields: Vec<(&str, Span)> = origin.fields.clone();
    fields.sort_by_key(|(_, s)| (s.start, std::cmp::Reverse(s.end)));
    comments(text, origin.span)
        .into_iter()
        .map(|c| Note {
            anchor: anchor(&fields, c),
            text: c.text(text).to_string(),
        })
        .collect()
}

fn anchor(fields: &[(&str, Span)], c: Comment) -> Anchor {
    let at = c.span.start;
    // The innermost field whose value holds the comment.
    let container = fields
        .iter()
        .filter(|(_, s)| s.start <= at && at < s.end)
        .min_by_key(|(_, s)| s.end - s.start)
        .map(|(name, _)| *name);
    let in_scope = |name: &str| match container {
        Some(parent) => name
            .strip_prefix(parent)
            .and_then(|rest| rest.strip_prefix('.'))
            .is_some_and(|rest| !rest.contains('.')),
        None => !name.contains('.'),
    };
    let scope: Vec<&(&str, Span)> = fields.iter().filter(|(n, _)| in_scope(n)).collect();
    if let Some(parent) = container
        && scope.is_empty()
    {
        return Anchor::Before(parent.to_string());
    }
    if !c.own_line
        && let Some((name, _)) = scope
            .iter()
            .filter(|(_, s)| s.end <= at)
            .max_by_key(|(_, s)| s.end)
    {
        return Anchor::After(name.to_string());
    }
    match scope
        .iter()
        .filter(|(_, s)| s.start > at)
        .min_by_key(|(_, s)| s.start)
    {
        Some((name, _)) => Anchor::Before(name.to_string()),
        None => Anchor::End(container.unwrap_or("").to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<(String, bool)> {
        comments(src, Span::new(0, src.len()))
            .into_iter()
            .map(|c| (c.text(src).to_string(), c.own_line))
            .collect()
    }

    #[test]
    fn comments_are_found_but_not_inside_strings() {
        let src =
            "// a\nX(s: \"// no\", r: r#\"/* no */\"#, c: '\"', /* b /* n */ */ t: 1) // c\r\n";
        assert_eq!(
            texts(src),
            [
                ("// a".to_string(), true),
                ("/* b /* n */ */".to_string(), false),
                ("// c".to_string(), false),
            ]
        );
    }

    #[test]
    fn blank_lines_before_a_comment_are_noticed() {
        let src = "1,\n\n  // spaced\n// close\n";
        let found = comments(src, Span::new(0, src.len()));
        assert!(found[0].blank_before);
        assert!(!found[1].blank_before);
    }

    fn notes_of(src: &str) -> Vec<(Anchor, String)> {
        let mut origins = Vec::new();
        let mut diagnostics = Vec::new();
        let mut cx = crate::decode::FileCx::new("f", src, &mut diagnostics);
        let decoded = crate::decode::single(&mut cx, src, crate::decode::society).unwrap();
        origins.push(decoded.origin);
        record_notes(src, &origins[0])
            .into_iter()
            .map(|n| (n.anchor, n.text))
            .collect()
    }

    #[test]
    fn comments_are_tied_to_their_fields() {
        let src = "Society( // head\n    id: \"x\", // trails id\n    // above name\n    name: \"n\",\n    mission: [\n        // inside a list\n        \"m\",\n    ],\n    contact: Contact(\n        // above email\n        email: \"e@x.org\", // trails email\n        // end of contact\n    ),\n    // end of record\n)";
        let b = |s: &str| Anchor::Before(s.to_string());
        let a = |s: &str| Anchor::After(s.to_string());
        let e = |s: &str| Anchor::End(s.to_string());
        assert_eq!(
            notes_of(src),
            [
                (b("id"), "// head".to_string()),
                (a("id"), "// trails id".to_string()),
                (b("name"), "// above name".to_string()),
                (b("mission"), "// inside a list".to_string()),
                (b("contact.email"), "// above email".to_string()),
                (a("contact.email"), "// trails email".to_string()),
                (e("contact"), "// end of contact".to_string()),
                (e(""), "// end of record".to_string()),
            ]
        );
    }
}
