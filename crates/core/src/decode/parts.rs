//! A large list file read in parts, on threads of their own, with the
//! result of one reading from start to end.

use super::record::{Decoded, FileCx};
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::syntax::{self, Node, PartEnd};

/// Reads a file that holds a list of records; None when its syntax is broken.
///
/// `splits` are offsets where items seem to begin (see
/// [`syntax::list_split_points`]): the parts between them are read and
/// decoded at once on rayon's pool, and joined in order. A part that does not
/// end exactly where the next begins has read on to the end of the file, so
/// the parts after it are dropped unread. Either way the records and
/// diagnostics are exactly those of one reading from start to end: each part
/// reports its records' problems in order, and a syntax error last.
pub(crate) fn many<'s, T: Send>(
    path: &str,
    text: &'s str,
    splits: &[usize],
    diagnostics: &mut Vec<Diagnostic>,
    read: fn(&mut FileCx<'_>, Node<'s>) -> Decoded<'s, T>,
) -> Option<Vec<Decoded<'s, T>>> {
    let starts = std::iter::once(None).chain(splits.iter().copied().map(Some));
    let stops = splits
        .iter()
        .copied()
        .map(Some)
        .chain(std::iter::once(None));
    let bounds: Vec<(Option<usize>, Option<usize>)> = starts.zip(stops).collect();
    let parts: Vec<Part<'s, T>> = match bounds.as_slice() {
        // One part is read on the calling thread: the pool is not needed
        // (nor started, for small files).
        [] | [_] => vec![read_part(path, text, None, None, read)],
        // The calling thread reads the first part itself while the pool's
        // threads read the others, as a hand-made reader would: that keeps
        // the first part's records in the caller's own allocator arena,
        // where the rest of the check frees and grows them (with every part
        // on a pool thread, checking 100,000 people took 7 % more CPU
        // time). The scope waits for every part and passes a part's panic
        // on as it came.
        [(start, stop), later @ ..] => {
            let mut rest: Vec<Option<Part<'s, T>>> = later.iter().map(|_| None).collect();
            let first = rayon::in_place_scope(|scope| {
                for (slot, &(start, stop)) in rest.iter_mut().zip(later) {
                    scope.spawn(move |_| *slot = Some(read_part(path, text, start, stop, read)));
                }
                read_part(path, text, *start, *stop, read)
            });
            // Every slot is filled once the scope has ended.
            std::iter::once(first)
                .chain(rest.into_iter().flatten())
                .collect()
        }
    };
    let mut records = Vec::new();
    for mut part in parts {
        diagnostics.append(&mut part.diagnostics);
        match part.end {
            None => return None,
            Some(end) => {
                if records.is_empty() {
                    records = part.records;
                } else {
                    records.append(&mut part.records);
                }
                if end != PartEnd::Stopped {
                    break;
                }
            }
        }
    }
    Some(records)
}

/// The records and diagnostics of one part of a list file, and how it ended:
/// None after a syntax error.
struct Part<'s, T> {
    records: Vec<Decoded<'s, T>>,
    diagnostics: Vec<Diagnostic>,
    end: Option<PartEnd>,
}

fn read_part<'s, T>(
    path: &str,
    text: &'s str,
    start: Option<usize>,
    stop: Option<usize>,
    read: fn(&mut FileCx<'_>, Node<'s>) -> Decoded<'s, T>,
) -> Part<'s, T> {
    let mut diagnostics = Vec::new();
    let mut records = Vec::new();
    let mut cx = FileCx::new(path, text, &mut diagnostics);
    let end = match syntax::parse_list_part(text, start, stop, |node| {
        records.push(read(&mut cx, node));
    }) {
        Ok(end) => Some(end),
        Err(e) => {
            cx.report(e.offset, None, None, DiagnosticKind::Syntax, e.message);
            None
        }
    };
    Part {
        records,
        diagnostics,
        end,
    }
}
