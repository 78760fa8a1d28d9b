//! One declaration per field: every field of every view is documented, in
//! the API's OpenAPI document and in docs/json.md, and ARCHITECTURE.md's
//! walk-through for adding a field names places that exist. The places that
//! Rust checks (reading, writing, the views and exports) fail to compile
//! when a field is forgotten; those that it cannot see are checked here.

use std::collections::BTreeSet;

use nspm_core::view::{InstitutionView, MeetingView, PersonView, SocietyView};
use nspm_core::{Audience, Society};
use serde::Serialize;
use serde_json::Value;

use crate::support;

/// The dotted paths of every field in a JSON value, objects inside lists
/// included: `contact.email.value`.
fn paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (name, inner) in map {
                let path = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}.{name}")
                };
                paths(inner, &path, out);
                out.insert(path);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| paths(i, prefix, out)),
        _ => {}
    }
}

/// The fields of every view, each with every field present somewhere: the
/// site fixture gives each record kind every field (a person a photo,
/// made here), and members see every contact detail.
fn views() -> Vec<(&'static str, BTreeSet<String>)> {
    let with_photo = support::with_photo(&support::fixture("site"), "ada-quote");
    let society = Society::load_dir(&with_photo.path().join("data")).unwrap();
    let s = &society;
    // The members fixture gives meetings their members-only details.
    let with_members = Society::load_dir(&support::fixture("members")).unwrap();
    let members = &with_members;
    fn fields<T: Serialize>(views: impl Iterator<Item = T>) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for v in views {
            paths(&serde_json::to_value(v).unwrap(), "", &mut out);
        }
        out
    }
    vec![
        (
            "Person",
            fields(
                s.people
                    .iter()
                    .map(|p| PersonView::new(s, p, Audience::Members)),
            ),
        ),
        (
            "Institution",
            fields(
                s.institutions
                    .iter()
                    .map(|i| InstitutionView::new(s, i, Audience::Members)),
            ),
        ),
        (
            "Meeting",
            fields(
                members
                    .meetings
                    .iter()
                    .map(|m| MeetingView::new(members, m, Audience::Members)),
            ),
        ),
        ("Society", fields(std::iter::once(SocietyView::new(s)))),
    ]
}

/// The schema a path leads to from `schema`, through `$ref`s, `anyOf`s,
/// properties and list items; None when the document has no such field.
fn schema_at<'a>(doc: &'a Value, schema: &'a Value, path: &[&str]) -> Option<&'a Value> {
    if let Some(target) = schema["$ref"].as_str() {
        let name = target.strip_prefix("#/components/schemas/")?;
        return schema_at(doc, &doc["components"]["schemas"][name], path);
    }
    if let Some(options) = schema["anyOf"].as_array() {
        return options.iter().find_map(|o| schema_at(doc, o, path));
    }
    if schema["type"] == "array" {
        return schema_at(doc, &schema["items"], path);
    }
    let Some((first, rest)) = path.split_first() else {
        return Some(schema);
    };
    schema_at(doc, schema["properties"].get(*first)?, rest)
}

/// The words in backticks in the table of a section of docs/json.md:
/// `` `id`, `name` `` and `` `{code, name}` `` give id, name and code. The
/// example above a table does not count: a field is documented when the
/// table says what it means.
fn documented_words(section: &str) -> BTreeSet<String> {
    let table: String = section
        .lines()
        .filter(|l| l.starts_with('|'))
        .collect::<Vec<_>>()
        .join("\n");
    table
        .split('`')
        .skip(1)
        .step_by(2)
        .flat_map(|code| {
            code.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn every_view_field_is_documented() {
    let root = support::root();
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("crates/server/src/openapi.json")).unwrap(),
    )
    .unwrap();
    let guide = std::fs::read_to_string(root.join("docs/json.md")).unwrap();
    for (view, fields) in views() {
        let schema = &doc["components"]["schemas"][view];
        assert!(schema.is_object(), "openapi.json has no schema {view}");
        let heading = format!("### {view}\n");
        let start = guide
            .find(&heading)
            .unwrap_or_else(|| panic!("docs/json.md has no section {heading}"));
        let rest = &guide[start + heading.len()..];
        let section = &rest[..rest.find("\n### ").unwrap_or(rest.len())];
        let words = documented_words(section);
        for field in &fields {
            let path: Vec<&str> = field.split('.').collect();
            assert!(
                schema_at(&doc, schema, &path).is_some(),
                "{view} field `{field}` is not in crates/server/src/openapi.json (schema {view})"
            );
            let last = path[path.len() - 1];
            assert!(
                words.contains(last),
                "{view} field `{field}` is not in docs/json.md (section {view})"
            );
        }
    }
}

/// The checks above find a field that is left out.
#[test]
fn a_field_left_out_of_the_documents_is_found() {
    let doc = serde_json::json!({
        "components": {"schemas": {
            "Ref": {"type": "object", "properties": {"id": {}, "name": {}}},
            "P": {"type": "object", "properties": {
                "institution": {"anyOf": [{"$ref": "#/components/schemas/Ref"}, {"type": "null"}]},
                "tags": {"type": "array", "items": {"type": "object", "properties": {"label": {}}}},
            }},
        }}
    });
    let p = &doc["components"]["schemas"]["P"];
    assert!(schema_at(&doc, p, &["institution", "name"]).is_some());
    assert!(schema_at(&doc, p, &["tags", "label"]).is_some());
    assert!(schema_at(&doc, p, &["institution", "photo"]).is_none());
    assert!(schema_at(&doc, p, &["photo"]).is_none());
    let words = documented_words("| `id`, `name` | `{code, name}` or `null` | photo |");
    assert!(words.contains("code") && words.contains("null"));
    assert!(!words.contains("photo"));
}

/// The walk-through in ARCHITECTURE.md names files that exist, tests that
/// exist, and every place that the checks for a new field look at.
#[test]
fn the_walk_through_for_adding_a_field_stays_true() {
    let root = support::root();
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let start = text
        .find("## Adding a field\n")
        .expect("ARCHITECTURE.md has a section \"Adding a field\"");
    let rest = &text[start..];
    let section = &rest[..rest[3..].find("\n## ").map_or(rest.len(), |n| n + 3)];
    let named: Vec<&str> = section.split('`').skip(1).step_by(2).collect();
    let mut sources = String::new();
    for dir in ["crates", "tests/it"] {
        let dir = root.join(dir);
        for file in support::files_under(&dir) {
            if file.extension().is_some_and(|e| e == "rs") {
                sources.push_str(&std::fs::read_to_string(dir.join(file)).unwrap());
            }
        }
    }
    for name in &named {
        if name.contains('/') {
            assert!(
                root.join(name).exists(),
                "ARCHITECTURE.md names {name}, which is not there"
            );
        } else if name.starts_with("every_") {
            assert!(
                sources.contains(&format!("fn {name}(")),
                "ARCHITECTURE.md names the test {name}, which is not there"
            );
        }
    }
    for place in [
        "crates/core/src/model.rs",
        "crates/core/src/decode.rs",
        "crates/core/src/edit/record.rs",
        "crates/core/src/edit/change.rs",
        "crates/cli/src/cmd/edit/fields.rs",
        "crates/core/src/view.rs",
        "crates/export/src/site/jsonld.rs",
        "crates/export/src/vcard.rs",
        "crates/export/templates/",
        "crates/server/src/openapi.json",
        "docs/json.md",
        "every_field_survives_the_canonical_writer",
        "every_field_is_set_by_an_input_that_sets_it",
        "every_input_is_a_flag_and_every_flag_is_given",
        "every_view_field_is_documented",
    ] {
        assert!(
            named.contains(&place),
            "the walk-through does not name {place}"
        );
    }
}
