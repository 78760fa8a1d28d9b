//! A small JSON Schema validator for the keywords the OpenAPI document uses.
//!
//! It knows a subset of JSON Schema 2020-12 (OpenAPI 3.1's dialect) and
//! refuses every keyword outside it, so the document cannot lean on a rule
//! that these tests would silently skip. Schemathesis checks the same
//! document with a full validator against the running server.

use serde_json::Value;

/// Keywords that only describe and constrain nothing.
const ANNOTATIONS: &[&str] = &["description", "title", "example", "examples", "format"];

/// Checks `value` against `schema`, resolving `$ref`s in `root` (the whole
/// OpenAPI document). Returns one line per problem, each naming where in the
/// value it lies; none means the value is valid.
pub fn validate(root: &Value, schema: &Value, value: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    check(root, schema, value, "", &mut problems);
    problems
}

/// The schema a local `$ref` such as `#/components/schemas/Person` names.
pub fn resolve<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    root.pointer(reference.strip_prefix('#')?)
}

fn check(root: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    let Some(keywords) = schema.as_object() else {
        out.push(format!("{at}: the schema is not an object: {schema}"));
        return;
    };
    for (keyword, arg) in keywords {
        match keyword.as_str() {
            "$ref" => match arg.as_str().and_then(|r| resolve(root, r)) {
                Some(target) => check(root, target, value, at, out),
                None => out.push(format!("{at}: $ref {arg} does not resolve")),
            },
            "type" => {
                let types: Vec<&str> = match arg {
                    Value::String(t) => vec![t.as_str()],
                    Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                    _ => vec![],
                };
                if !types.iter().any(|t| has_type(value, t)) {
                    out.push(format!("{at}: {value} is not of type {arg}"));
                }
            }
            "properties" => {
                if let (Some(props), Some(obj)) = (arg.as_object(), value.as_object()) {
                    for (name, sub) in props {
                        if let Some(v) = obj.get(name) {
                            check(root, sub, v, &format!("{at}/{name}"), out);
                        }
                    }
                }
            }
            "required" => {
                if let Some(obj) = value.as_object() {
                    for name in arg
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                    {
                        if !obj.contains_key(name) {
                            out.push(format!("{at}: lacks the required field {name:?}"));
                        }
                    }
                }
            }
            "additionalProperties" => {
                if arg != &Value::Bool(false) {
                    out.push(format!("{at}: only additionalProperties: false is known"));
                } else if let Some(obj) = value.as_object() {
                    let known = schema.get("properties").and_then(Value::as_object);
                    for name in obj.keys() {
                        if !known.is_some_and(|k| k.contains_key(name)) {
                            out.push(format!("{at}: has the undocumented field {name:?}"));
                        }
                    }
                }
            }
            "items" => {
                for (i, item) in value.as_array().into_iter().flatten().enumerate() {
                    check(root, arg, item, &format!("{at}/{i}"), out);
                }
            }
            "anyOf" => {
                let options = arg.as_array().map(Vec::as_slice).unwrap_or_default();
                if !options.iter().any(|o| validate(root, o, value).is_empty()) {
                    out.push(format!("{at}: {value} matches none of {arg}"));
                }
            }
            "enum" => {
                if !arg.as_array().is_some_and(|a| a.contains(value)) {
                    out.push(format!("{at}: {value} is not one of {arg}"));
                }
            }
            "const" => {
                if arg != value {
                    out.push(format!("{at}: {value} is not {arg}"));
                }
            }
            "pattern" => {
                if let Some(s) = value.as_str() {
                    let pattern = arg.as_str().unwrap_or_default();
                    match regex::Regex::new(pattern) {
                        Ok(re) if re.is_match(s) => {}
                        Ok(_) => out.push(format!("{at}: {value} does not match /{pattern}/")),
                        Err(e) => out.push(format!("{at}: bad pattern /{pattern}/: {e}")),
                    }
                }
            }
            "minLength" | "maxLength" => {
                if let (Some(s), Some(n)) = (value.as_str(), arg.as_u64()) {
                    // JSON Schema counts characters, not bytes.
                    let len = s.chars().count() as u64;
                    let ok = if keyword == "minLength" {
                        len >= n
                    } else {
                        len <= n
                    };
                    if !ok {
                        out.push(format!("{at}: {value} breaks {keyword} {n}"));
                    }
                }
            }
            "minimum" | "maximum" => {
                if let (Some(x), Some(n)) = (value.as_f64(), arg.as_f64()) {
                    let ok = if keyword == "minimum" { x >= n } else { x <= n };
                    if !ok {
                        out.push(format!("{at}: {value} breaks {keyword} {n}"));
                    }
                }
            }
            k if ANNOTATIONS.contains(&k) => {}
            k => out.push(format!(
                "{at}: the schema keyword {k:?} is not known to this validator"
            )),
        }
    }
}

fn has_type(value: &Value, t: &str) -> bool {
    match t {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        _ => false,
    }
}

#[test]
fn the_validator_catches_what_it_claims_to() {
    let root = serde_json::json!({
        "components": {"schemas": {"Id": {"type": "string", "pattern": "^[a-z]+$"}}}
    });
    let schema = serde_json::json!({
        "type": "object",
        "required": ["id", "n"],
        "additionalProperties": false,
        "properties": {
            "id": {"$ref": "#/components/schemas/Id"},
            "n": {"type": "integer", "minimum": 0, "maximum": 9},
            "tag": {"anyOf": [{"type": "null"}, {"enum": ["a", "b"]}]},
            "name": {"type": ["string", "null"], "minLength": 2}
        }
    });
    let ok = serde_json::json!({"id": "abc", "n": 3, "tag": null, "name": "Åse"});
    assert_eq!(validate(&root, &schema, &ok), Vec::<String>::new());
    for (bad, why) in [
        (serde_json::json!({"id": "ABC", "n": 3}), "does not match"),
        (serde_json::json!({"id": "abc"}), "required field \"n\""),
        (serde_json::json!({"id": "abc", "n": 10}), "maximum"),
        (serde_json::json!({"id": "abc", "n": 1.5}), "not of type"),
        (
            serde_json::json!({"id": "abc", "n": 1, "x": 0}),
            "undocumented field \"x\"",
        ),
        (
            serde_json::json!({"id": "abc", "n": 1, "tag": "c"}),
            "matches none",
        ),
        (
            serde_json::json!({"id": "abc", "n": 1, "name": "Å"}),
            "minLength",
        ),
    ] {
        let problems = validate(&root, &schema, &bad).join("\n");
        assert!(problems.contains(why), "{bad}: {problems}");
    }
    let unknown = serde_json::json!({"oneOf": []});
    assert!(validate(&root, &unknown, &Value::Null)[0].contains("not known"));
}
