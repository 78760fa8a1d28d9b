//! Comments that staff wrote in the data files, found and tied to the field
//! they sit beside, so that a rewritten record keeps them.
//!
//! The reader's lexer ([`crate::syntax`]) finds them in a record's text,
//! stepping over strings so that `//` inside a string is not taken for one.

use crate::decode::Origin;
use crate::syntax::{self, Span};

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

/// Every comment that starts in `range` of `text`, in order, as the
/// reader's own lexer finds them.
pub(crate) fn comments(text: &str, range: Span) -> Vec<Comment> {
    syntax::comments(text, range)
        .into_iter()
        .map(|span| comment_at(text, span))
        .collect()
}

fn comment_at(text: &str, span: Span) -> Comment {
    let before = &text[..span.start];
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    Comment {
        span,
        own_line: before[line_start..].trim().is_empty(),
        blank_before: blank_line_before(text, span.start),
    }
}

/// True when the white space right before `at` holds an empty line.
pub(crate) fn blank_line_before(text: &str, at: usize) -> bool {
    let before = &text[..at];
    let gap = &before[before.trim_end().len()..];
    gap.matches('\n').count() >= 2
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
