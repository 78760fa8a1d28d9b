//! `nspm check` on one data directory per kind of problem: every problem is
//! listed, each with its file, line and column, and a clean society passes.
//!
//! Each case is a directory under `tests/fixtures/check/` holding a
//! `case.txt` that says what is wrong, and the data files. The snapshot is
//! what the checker reports.

use nspm_core::{Sources, check};

use crate::support;

/// Checks one data directory and renders the report as staff see it, with
/// paths shown relative to the fixtures folder so snapshots are stable.
fn report(dir: &std::path::Path) -> String {
    let mut sources = Sources::read_dir(dir).expect("fixture directory is readable");
    sources.origin = dir
        .strip_prefix(support::fixture("check"))
        .unwrap_or(dir)
        .display()
        .to_string();
    let checked = check(&sources);
    let mut out = String::new();
    for d in &checked.diagnostics {
        out.push_str(&d.to_string());
        out.push('\n');
    }
    out.push_str(&format!(
        "{} problem(s); society {}\n",
        checked.diagnostics.len(),
        if checked.society.is_some() {
            "loaded"
        } else {
            "refused"
        }
    ));
    out
}

#[test]
fn every_kind_of_problem_is_reported_with_its_place() {
    insta::glob!("../fixtures/check", "*/case.txt", |case| {
        let dir = case.parent().unwrap();
        let about = std::fs::read_to_string(case).unwrap();
        let report = report(dir);
        // Every broken directory is refused with at least one problem, and
        // every problem names a line and column within its file.
        assert!(report.contains("society refused"), "{report}");
        insta::with_settings!({ description => about.trim() }, {
            insta::assert_snapshot!(report);
        });
    });
}

#[test]
fn the_real_data_is_clean() {
    let report = report(&support::root().join("data"));
    assert_eq!(report, "0 problem(s); society loaded\n");
}

/// Each problem comes with its kind as a value beside its words, so that
/// code never needs to read the message to tell problems apart.
#[test]
fn every_problem_carries_its_kind() {
    use nspm_core::DiagnosticKind::*;
    let cases = [
        ("bad-orcid", vec![InvalidValue; 3]),
        ("deep-nesting", vec![Syntax]),
        ("duplicate-id", vec![DuplicateId; 2]),
        ("empty-dir", vec![MissingFile; 4]),
        ("impossible-date", vec![InvalidValue; 3]),
        ("malformed-email", vec![InvalidValue; 3]),
        (
            "many-problems",
            vec![UnknownField, InvalidValue, InvalidValue, InvalidValue],
        ),
        ("missing-field", vec![MissingField; 2]),
        ("missing-reference", vec![UnknownReference; 3]),
        ("not-utf8", vec![NotUtf8]),
        ("syntax-error", vec![Syntax]),
        ("truncated", vec![Syntax]),
        ("unknown-country", vec![InvalidValue; 3]),
        ("unknown-field", vec![UnknownField; 2]),
        ("wrong-types", vec![WrongType, WrongType, InvalidValue]),
    ];
    for (case, expected) in cases {
        let sources = Sources::read_dir(&support::fixture("check").join(case)).unwrap();
        let kinds: Vec<_> = check(&sources).diagnostics.iter().map(|d| d.kind).collect();
        assert_eq!(kinds, expected, "{case}");
    }
}

/// A problem with a field names that field as a value too, as its record
/// declares it: `contact.email` inside the society's contact.
#[test]
fn every_problem_with_a_field_names_it() {
    let cases = [
        (
            "malformed-email",
            vec![Some("contact.email"), Some("email"), Some("email")],
        ),
        ("missing-field", vec![Some("family"), Some("date")]),
        (
            "missing-reference",
            vec![Some("contact.person"), Some("institution"), Some("venue")],
        ),
        ("duplicate-id", vec![Some("id"), Some("id")]),
        ("unknown-field", vec![None, None]),
        ("syntax-error", vec![None]),
    ];
    for (case, expected) in cases {
        let sources = Sources::read_dir(&support::fixture("check").join(case)).unwrap();
        let fields: Vec<_> = check(&sources)
            .diagnostics
            .iter()
            .map(|d| d.field)
            .collect();
        assert_eq!(fields, expected, "{case}");
    }
}
