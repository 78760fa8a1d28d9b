//! The access file, `access.ron`: reading it with every problem placed, and
//! writing it in its one layout.
//!
//! It is read with nspm-core's RON reader, which keeps the place of every
//! value, so that a hand-edited file that went wrong is reported as the
//! data files are: file, line, column, grant and field, every problem at
//! once. nspm rewrites the file whole, so comments added to it are not kept;
//! the header it writes says so.

use std::borrow::Cow;
use std::collections::HashMap;

use nspm_core::syntax::{self, Field, Node, Value};
use nspm_core::{Id, LineIndex, Timestamp};

use crate::Problem;
use crate::grant::{Expiry, Grant, GrantId, Label};
use crate::secret::Sha256Hash;

/// The fields of a grant, in the order they are written.
const FIELDS: [&str; 8] = [
    "id",
    "person",
    "credential_sha256",
    "feed_sha256",
    "granted",
    "expires",
    "label",
    "revoked",
];

const HEADER: &str = "\
// Who may open the members' area, written by `nspm access` (grant, revoke).
// It holds no credential or feed secret, only their SHA-256 hashes: a lost
// one cannot be shown again, so revoke its grant and grant anew. Revoked
// grants stay as history. nspm rewrites this file whole, so comments added
// to it are not kept. It belongs to no export and no repository.
";

/// The grants read, and where each one's `person` field stands (line,
/// column).
pub(crate) struct Read {
    pub grants: Vec<Grant>,
    pub places: Vec<(usize, usize)>,
}

/// Where a grant's fields stand, as byte offsets.
struct Place {
    id: usize,
    person: usize,
}

/// Reads the access file's text; `file` names it in problems.
pub(crate) fn parse(file: &str, text: &str) -> Result<Read, Vec<Problem>> {
    let mut cx = Cx {
        file,
        lines: LineIndex::new(text),
        problems: Vec::new(),
    };
    let mut grants = Vec::new();
    let mut places = Vec::new();
    let read = syntax::parse_list_document(text, |node| {
        if let Some((grant, place)) = cx.grant(node) {
            grants.push(grant);
            places.push(place);
        }
    });
    if let Err(e) = read {
        // The reader stops at a syntax error, after the problems of the
        // grants before it.
        cx.report(e.offset, None, None, e.message);
        return Err(cx.problems);
    }
    cx.repeats(&grants, &places);
    if cx.problems.is_empty() {
        let places = places.iter().map(|p| cx.lines.position(p.person)).collect();
        Ok(Read { grants, places })
    } else {
        Err(cx.problems)
    }
}

/// The access file's text for these grants.
pub(crate) fn write(grants: &[Grant]) -> String {
    let mut out = String::from(HEADER);
    if grants.is_empty() {
        out.push_str("[]\n");
        return out;
    }
    out.push_str("[\n");
    for g in grants {
        let opt =
            |v: Option<String>| v.map_or("None".to_string(), |v| format!("Some({})", quote(&v)));
        let values = [
            quote(g.id.as_str()),
            quote(g.person.as_str()),
            quote(&g.credential_sha256.to_hex()),
            quote(&g.feed_sha256.to_hex()),
            quote(&g.granted.to_string()),
            opt(g.expires.map(|e| e.to_string())),
            opt(g.label.as_ref().map(|l| l.to_string())),
            opt(g.revoked.map(|t| t.to_string())),
        ];
        out.push_str("    Grant(\n");
        for (name, value) in FIELDS.iter().zip(values) {
            out.push_str(&format!("        {name}: {value},\n"));
        }
        out.push_str("    ),\n");
    }
    out.push_str("]\n");
    out
}

/// A RON string. Labels hold no control characters, so a backslash and a
/// quote are all that need escaping.
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// One reading of the file: its lines, and the problems found so far.
struct Cx<'a> {
    file: &'a str,
    lines: LineIndex<'a>,
    problems: Vec<Problem>,
}

type Conv<T> = Result<T, String>;

impl Cx<'_> {
    fn report(
        &mut self,
        offset: usize,
        grant: Option<&str>,
        field: Option<&'static str>,
        message: String,
    ) {
        let (line, column) = self.lines.position(offset);
        self.problems.push(Problem {
            file: self.file.to_string(),
            line,
            column,
            grant: grant.map(str::to_string),
            field,
            message,
        });
    }

    /// Reads one `Grant(…)`; a grant with any problem is reported and left
    /// out.
    fn grant(&mut self, node: Node<'_>) -> Option<(Grant, Place)> {
        let start = node.span.start;
        let fields = match node.value {
            Value::Struct { name, fields } if name.is_none_or(|n| n == "Grant") => fields,
            other => {
                let found = match other {
                    Value::Struct { name: Some(n), .. } | Value::Tuple { name: Some(n), .. } => {
                        format!("`{n}`")
                    }
                    other => other.kind().to_string(),
                };
                let message =
                    format!("expected a Grant(…) record with named fields, found {found}");
                self.report(start, None, None, message);
                return None;
            }
        };
        // Messages name the grant by its id when it has a readable one.
        let id = fields
            .iter()
            .find(|f| f.name == "id")
            .and_then(|f| match &f.value.value {
                Value::Str(s) => Some(s.to_string()),
                _ => None,
            });
        let id = id.as_deref();
        let before = self.problems.len();
        let mut slots: [Option<Field<'_>>; FIELDS.len()] = Default::default();
        for field in fields {
            match FIELDS.iter().position(|&k| k == field.name) {
                Some(i) if slots[i].is_some() => {
                    let message = format!("field `{}` is given twice", field.name);
                    self.report(field.name_span.start, id, None, message);
                }
                Some(i) => slots[i] = Some(field),
                None => {
                    // Jaro-Winkler, as for the data files: field names are
                    // short, and misspelt ones keep their first letters.
                    let closest = FIELDS
                        .into_iter()
                        .map(|k| (strsim::jaro_winkler(field.name, k), k))
                        .filter(|(score, _)| *score > 0.8)
                        .max_by(|a, b| a.0.total_cmp(&b.0));
                    let hint = match closest {
                        Some((_, k)) => format!("; did you mean `{k}`?"),
                        None => format!("; expected one of: {}", FIELDS.join(", ")),
                    };
                    let message = format!("unknown field `{}`{hint}", field.name);
                    self.report(field.name_span.start, id, None, message);
                }
            }
        }
        let [
            id_f,
            person,
            credential,
            feed,
            granted,
            expires,
            label,
            revoked,
        ] = slots;
        let at = |f: &Option<Field<'_>>| f.as_ref().map_or(start, |f| f.value.span.start);
        let place = Place {
            id: at(&id_f),
            person: at(&person),
        };
        let revoked_at = at(&revoked);
        for (name, slot) in [
            ("id", &id_f),
            ("person", &person),
            ("credential_sha256", &credential),
            ("feed_sha256", &feed),
            ("granted", &granted),
        ] {
            if slot.is_none() {
                self.report(start, id, None, format!("missing field `{name}`"));
            }
        }
        // Each field is read even after one has failed, so that one reading
        // reports every problem.
        let values = (
            self.value(id, id_f, |n| string(n).and_then(|s| GrantId::parse(&s))),
            self.value(id, person, |n| string(n).and_then(|s| s.parse::<Id>())),
            self.value(id, credential, hash),
            self.value(id, feed, hash),
            self.value(id, granted, timestamp),
            self.optional(id, expires, |n| string(n).and_then(|s| Expiry::parse(&s))),
            self.optional(id, label, |n| string(n).and_then(|s| Label::new(&s))),
            self.optional(id, revoked, timestamp),
        );
        let (
            Some(id_v),
            Some(person),
            Some(credential_sha256),
            Some(feed_sha256),
            Some(granted),
            Some(expires),
            Some(label),
            Some(revoked),
        ) = values
        else {
            return None;
        };
        if let Some(when) = revoked
            && when < granted
        {
            let message = format!("revoked at {when}, before it was granted at {granted}");
            self.report(revoked_at, id, Some("revoked"), message);
        }
        let grant = Grant {
            id: id_v,
            person,
            credential_sha256,
            feed_sha256,
            granted,
            expires,
            label,
            revoked,
        };
        (self.problems.len() == before).then_some((grant, place))
    }

    /// A field's value, or None when it is missing (already reported) or
    /// wrong (reported here).
    fn value<T>(
        &mut self,
        grant: Option<&str>,
        field: Option<Field<'_>>,
        conv: impl FnOnce(&Node<'_>) -> Conv<T>,
    ) -> Option<T> {
        let field = field?;
        match conv(&field.value) {
            Ok(v) => Some(v),
            Err(message) => {
                let name = FIELDS.into_iter().find(|&k| k == field.name);
                self.report(field.value.span.start, grant, name, message);
                None
            }
        }
    }

    /// A field that may be left out or `None`; `Some(…)` holds its value.
    fn optional<T>(
        &mut self,
        grant: Option<&str>,
        field: Option<Field<'_>>,
        conv: impl FnOnce(&Node<'_>) -> Conv<T>,
    ) -> Option<Option<T>> {
        match field {
            None => Some(None),
            field => self.value(grant, field, |node| match &node.value {
                Value::Ident("None") => Ok(None),
                Value::Tuple {
                    name: Some("Some"),
                    items,
                } if items.len() == 1 => conv(&items[0]).map(Some),
                other => Err(format!(
                    "expected `None` or `Some(…)`, found {}",
                    other.kind()
                )),
            }),
        }
    }

    /// Two grants may not share an id, a credential or a feed secret;
    /// the second of each pair is reported, at its id.
    fn repeats(&mut self, grants: &[Grant], places: &[Place]) {
        let mut ids: HashMap<&str, usize> = HashMap::new();
        let mut credentials: HashMap<String, &str> = HashMap::new();
        let mut feeds: HashMap<String, &str> = HashMap::new();
        for (g, place) in grants.iter().zip(places) {
            let id = g.id.as_str();
            let mut messages = Vec::new();
            if let Some(&first) = ids.get(id) {
                let (line, _) = self.lines.position(first);
                messages.push(format!(
                    "grant id \"{id}\" is given twice, first on line {line}"
                ));
            } else {
                ids.insert(id, place.id);
            }
            if let Some(other) = credentials.insert(g.credential_sha256.to_hex(), id) {
                messages.push(format!(
                    "the same credential hash as grant \"{other}\": each grant has its own credential"
                ));
            }
            if let Some(other) = feeds.insert(g.feed_sha256.to_hex(), id) {
                messages.push(format!(
                    "the same feed secret hash as grant \"{other}\": each grant has its own feed"
                ));
            }
            for message in messages {
                self.report(place.id, Some(id), None, message);
            }
        }
    }
}

fn string(node: &Node<'_>) -> Conv<String> {
    match &node.value {
        Value::Str(s) => Ok(Cow::to_string(s)),
        other => Err(format!("expected a string, found {}", other.kind())),
    }
}

fn hash(node: &Node<'_>) -> Conv<Sha256Hash> {
    string(node).and_then(|s| Sha256Hash::parse_hex(&s))
}

fn timestamp(node: &Node<'_>) -> Conv<Timestamp> {
    string(node).and_then(|s| Timestamp::parse(&s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grant::Access;

    fn t(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    /// The problems found in a file, one a line.
    fn problems(text: &str) -> String {
        match Access::parse("data/access.ron", text) {
            Ok(_) => "no problems".to_string(),
            Err(problems) => problems
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    const HASH: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    const HASH2: &str = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";

    fn grant_text(extra: &str) -> String {
        format!(
            "[\n    Grant(\n        id: \"3f9a0c12b4e7\",\n        person: \"kari-stefansson\",\n        credential_sha256: \"{HASH}\",\n        feed_sha256: \"{HASH2}\",\n        granted: \"2025-06-01T12:00:00Z\",\n{extra}    ),\n]\n"
        )
    }

    #[test]
    fn the_file_round_trips() {
        let mut access = Access::default();
        assert_eq!(
            Access::parse("access.ron", &access.to_ron())
                .unwrap()
                .grants(),
            []
        );
        let now = t("2025-06-01T12:00:00Z");
        access
            .grant(
                "kari-stefansson".parse::<Id>().unwrap(),
                now,
                Some(Expiry::parse("2026-12-31").unwrap()),
                Some(Label::new(r#"Kári's "work" laptop \ dock"#).unwrap()),
            )
            .unwrap();
        let revoked = access
            .grant(
                "soren-brunak".parse::<Id>().unwrap(),
                now,
                Some(Expiry::parse("2026-01-01T08:30:00Z").unwrap()),
                None,
            )
            .unwrap();
        access.revoke(&revoked.id, t("2025-06-02T09:00:00Z"));
        access
            .grant("soren-brunak".parse::<Id>().unwrap(), now, None, None)
            .unwrap();
        let text = access.to_ron();
        let read = Access::parse("access.ron", &text).unwrap();
        assert_eq!(read.grants(), access.grants());
        assert_eq!(read.to_ron(), text);
        assert!(text.starts_with("// Who may open the members' area"));
    }

    #[test]
    fn a_hand_written_grant_with_fields_left_out_reads() {
        assert_eq!(problems(&grant_text("")), "no problems");
        let text = grant_text("        expires: Some(\"2026-12-31\"),\n        label: None,\n");
        let access = Access::parse("access.ron", &text).unwrap();
        let g = &access.grants()[0];
        assert_eq!(g.expires, Some(Expiry::Day(2026, 12, 31)));
        assert_eq!(g.label, None);
        assert_eq!(g.revoked, None);
    }

    #[test]
    fn every_problem_is_placed_with_its_grant_and_field() {
        let text = grant_text(
            "        expires: Some(\"2026-13-01\"),\n        label: \"laptop\",\n        lable: None,\n        revoked: Some(\"2025-01-01T00:00:00Z\"),\n",
        )
        .replace("\"kari-stefansson\"", "\"Kari Stefansson\"")
        .replace(HASH2, "not-hex");
        assert_eq!(
            problems(&text),
            "\
data/access.ron:10:9: grant \"3f9a0c12b4e7\": unknown field `lable`; did you mean `label`?
data/access.ron:4:17: grant \"3f9a0c12b4e7\", field `person`: \"Kari Stefansson\" is not a valid id: use lower-case letters and digits joined by single hyphens, such as \"kari-stefansson\"
data/access.ron:6:22: grant \"3f9a0c12b4e7\", field `feed_sha256`: expected a SHA-256 hash as 64 lower-case hexadecimal digits, found 7 characters
data/access.ron:8:18: grant \"3f9a0c12b4e7\", field `expires`: there is no month 13, in \"2026-13-01\"
data/access.ron:9:16: grant \"3f9a0c12b4e7\", field `label`: expected `None` or `Some(…)`, found a string"
        );
    }

    #[test]
    fn missing_fields_repeats_and_wrong_records_are_reported() {
        let missing = "[\n    Grant(id: \"3f9a0c12b4e7\", person: \"kari-stefansson\", person: \"x\"),\n    Person(id: \"x\"),\n    (),\n]\n";
        assert_eq!(
            problems(missing),
            "\
data/access.ron:2:58: grant \"3f9a0c12b4e7\": field `person` is given twice
data/access.ron:2:5: grant \"3f9a0c12b4e7\": missing field `credential_sha256`
data/access.ron:2:5: grant \"3f9a0c12b4e7\": missing field `feed_sha256`
data/access.ron:2:5: grant \"3f9a0c12b4e7\": missing field `granted`
data/access.ron:3:5: expected a Grant(…) record with named fields, found `Person`
data/access.ron:4:5: expected a Grant(…) record with named fields, found `()`"
        );
        let one = grant_text("");
        let body = one.trim_start_matches("[\n").trim_end_matches("]\n");
        let twice = format!("[\n{body}{body}]\n");
        assert_eq!(
            problems(&twice),
            "\
data/access.ron:10:13: grant \"3f9a0c12b4e7\": grant id \"3f9a0c12b4e7\" is given twice, first on line 3
data/access.ron:10:13: grant \"3f9a0c12b4e7\": the same credential hash as grant \"3f9a0c12b4e7\": each grant has its own credential
data/access.ron:10:13: grant \"3f9a0c12b4e7\": the same feed secret hash as grant \"3f9a0c12b4e7\": each grant has its own feed"
        );
        let backwards = grant_text("        revoked: Some(\"2025-05-01T00:00:00Z\"),\n");
        assert_eq!(
            problems(&backwards),
            "data/access.ron:8:18: grant \"3f9a0c12b4e7\", field `revoked`: revoked at 2025-05-01T00:00:00Z, before it was granted at 2025-06-01T12:00:00Z"
        );
    }

    #[test]
    fn a_malformed_file_is_a_placed_problem_and_never_a_panic() {
        assert_eq!(
            problems("Grant()"),
            "data/access.ron:1:1: expected `[` to open the list of records, found `G`"
        );
        assert_eq!(
            problems(""),
            "data/access.ron:1:1: expected `[` to open the list of records, found the end of the file"
        );
        let text = grant_text("");
        // Every prefix of a good file, and every byte of it replaced by
        // another, reads or fails without a panic.
        for n in 0..text.len() {
            if text.is_char_boundary(n) {
                let _ = Access::parse("access.ron", &text[..n]);
            }
        }
        for i in 0..text.len() {
            for b in [b'(', b')', b'"', b'[', b']', b',', b'\\', b' '] {
                let mut bytes = text.clone().into_bytes();
                bytes[i] = b;
                let _ = Access::parse_bytes("access.ron", bytes);
            }
        }
        let err = Access::parse_bytes("data/access.ron", b"[\n  \xff]".to_vec()).unwrap_err();
        assert_eq!(
            err[0].to_string(),
            "data/access.ron:2:3: the file is not UTF-8 text: save it as UTF-8"
        );
    }

    #[test]
    fn a_missing_file_means_no_grants() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Access::read(dir.path()).unwrap().grants().is_empty());
        std::fs::write(dir.path().join(crate::ACCESS_FILE), "[(").unwrap();
        let err = Access::read(dir.path()).unwrap_err();
        let path = dir.path().display();
        assert_eq!(
            err.to_string(),
            format!(
                "{path}/access.ron has 1 problem\n  {path}/access.ron:1:3: expected a value, found the end of the file"
            )
        );
    }

    #[test]
    fn grants_of_people_not_in_the_data_are_placed_unless_revoked() {
        let text = grant_text("");
        let access = Access::parse("data/access.ron", &text).unwrap();
        assert!(access.unknown_people(|p| p == "kari-stefansson").is_empty());
        let problems = access.unknown_people(|_| false);
        assert_eq!(
            problems[0].to_string(),
            "data/access.ron:4:17: grant \"3f9a0c12b4e7\", field `person`: no person \"kari-stefansson\" in people.ron: revoke the grant, or add the person back"
        );
        let revoked = grant_text("        revoked: Some(\"2025-07-01T00:00:00Z\"),\n");
        let access = Access::parse("data/access.ron", &revoked).unwrap();
        assert!(access.unknown_people(|_| false).is_empty());
    }
}
