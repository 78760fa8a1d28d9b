//! The API's OpenAPI document (`/api/openapi.json`) holds to the truth: it
//! describes every route the app has and nothing else, every filter the API
//! reads, and every answer the API gives matches the schema documented for
//! its status. Schemathesis then fuzzes the running server against it.

mod schema;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use nspm_core::Society;
use nspm_server::AppState;
use serde_json::Value;

use crate::server::{Reply, send};
use crate::support;

async fn get(state: &AppState, uri: &str) -> Reply {
    send(state, "GET", uri).await
}

fn json(r: &Reply, uri: &str) -> Value {
    serde_json::from_str(r.text()).unwrap_or_else(|e| panic!("{uri}: {e}: {}", r.text()))
}

/// The real data, and a fixture with what the real data lacks so far:
/// contact details of both visibilities, a meeting with an end, a revision
/// and a modification time.
fn societies() -> Vec<(&'static str, AppState)> {
    let fixture = Society::load_dir(&support::fixture("valid")).unwrap();
    vec![
        (
            "embedded",
            AppState::new(Society::load_embedded().unwrap()).unwrap(),
        ),
        ("fixture", AppState::new(fixture).unwrap()),
    ]
}

async fn document(state: &AppState) -> Value {
    let r = get(state, "/api/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.content_type(), "application/json");
    json(&r, "/api/openapi.json")
}

fn operations(doc: &Value) -> impl Iterator<Item = (&str, &Value)> {
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(path, item)| (path.as_str(), &item["get"]))
}

/// An operation's parameters with their `$ref`s followed.
fn parameters<'a>(doc: &'a Value, op: &'a Value) -> Vec<&'a Value> {
    op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| match p["$ref"].as_str() {
            Some(r) => schema::resolve(doc, r).unwrap_or_else(|| panic!("{r} does not resolve")),
            None => p,
        })
        .collect()
}

fn query_names<'a>(doc: &'a Value, op: &'a Value) -> BTreeSet<&'a str> {
    parameters(doc, op)
        .into_iter()
        .filter(|p| p["in"] == "query")
        .map(|p| p["name"].as_str().unwrap())
        .collect()
}

/// Every `$ref` anywhere in `v`.
fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// Query-string encoding for the test's own values.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn the_document_describes_every_route_and_only_those() {
    let (_, state) = &societies()[0];
    let doc = document(state).await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], "/");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));

    let documented: BTreeSet<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let routed = nspm_server::routes();
    let routed: BTreeSet<&str> = routed.iter().map(String::as_str).collect();
    assert_eq!(documented, routed, "the document's paths and the router's");

    let mut ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        // Every route is GET only (axum adds HEAD); the document says so.
        let methods: Vec<&String> = item.as_object().unwrap().keys().collect();
        assert_eq!(methods, ["get"], "{path}");
        let op = &item["get"];
        assert!(
            ids.insert(op["operationId"].as_str().unwrap()),
            "{path}: operationId repeats"
        );
        let in_path: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .collect();
        let declared: BTreeSet<&str> = parameters(&doc, op)
            .into_iter()
            .filter(|p| p["in"] == "path")
            .inspect(|p| assert_eq!(p["required"], true, "{path}: a path parameter is required"))
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(in_path, declared, "{path}: path parameters");
        for (status, res) in op["responses"].as_object().unwrap() {
            let res = match res["$ref"].as_str() {
                Some(r) => schema::resolve(&doc, r).unwrap(),
                None => res,
            };
            assert!(
                res["description"].is_string(),
                "{path} {status}: no description"
            );
            assert!(res["content"].is_object(), "{path} {status}: no content");
        }
    }

    let mut all = Vec::new();
    refs(&doc, &mut all);
    for r in all {
        assert!(schema::resolve(&doc, r).is_some(), "{r} does not resolve");
    }
}

#[tokio::test]
async fn the_documents_examples_match_their_schemas() {
    let (_, state) = &societies()[0];
    let doc = document(state).await;
    let mut checked = 0;
    for (path, op) in operations(&doc) {
        for p in parameters(&doc, op) {
            if let Some(example) = p.get("example") {
                let problems = schema::validate(&doc, &p["schema"], example);
                assert!(problems.is_empty(), "{path} {}: {problems:#?}", p["name"]);
                checked += 1;
            }
        }
    }
    for res in doc["components"]["responses"]
        .as_object()
        .unwrap()
        .values()
        .chain(operations(&doc).flat_map(|(_, op)| op["responses"].as_object().unwrap().values()))
    {
        for media in res["content"]
            .as_object()
            .into_iter()
            .flat_map(|c| c.values())
        {
            if let Some(example) = media.get("example") {
                let problems = schema::validate(&doc, &media["schema"], example);
                assert!(problems.is_empty(), "{example}: {problems:#?}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 15, "only {checked} examples");
}

/// A meeting's times and zone come as the data gives them, in the fixture
/// whose meeting has them, and as nulls for a meeting without; so the
/// document's schema is held to both.
#[tokio::test]
async fn meetings_give_their_times_and_zone() {
    let (_, state) = &societies()[1];
    let uri = "/api/meetings/stockholm-2021";
    let timed = json(&get(state, uri).await, uri);
    assert_eq!(
        [&timed["starts"], &timed["ends"], &timed["zone"]],
        ["09:00", "16:00", "Europe/Stockholm"]
    );
    let uri = "/api/meetings";
    let list = json(&get(state, uri).await, uri);
    let untimed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "oslo-2019")
        .unwrap();
    assert_eq!(
        [&untimed["starts"], &untimed["ends"], &untimed["zone"]],
        [&Value::Null; 3]
    );
}

/// The requests that between them reach every documented status of every
/// operation: each list with no filter, with each filter's documented
/// example, with a value nothing matches, with an empty value and with one
/// that is not UTF-8; each record the lists name; an unknown id, one that
/// is not UTF-8, a query parameter no operation takes, and a request
/// target too long to read.
async fn requests(doc: &Value, state: &AppState) -> Vec<(String, String)> {
    // Longer than the 2048 bytes the server reads of a request target.
    let long = "a".repeat(3000);
    let mut out = Vec::new();
    for (path, op) in operations(doc) {
        if let Some((list, _)) = path.split_once("/{id}") {
            let records = json(&get(state, list).await, list);
            for record in records.as_array().unwrap() {
                let id = record["id"].as_str().unwrap();
                out.push((path.to_string(), format!("{list}/{id}")));
            }
            for id in ["no-such-record", "%FF", "a%20b", "no-such-record?zzqx=1"] {
                out.push((path.to_string(), format!("{list}/{id}")));
            }
            out.push((path.to_string(), format!("{list}/x?pad={long}")));
            continue;
        }
        out.push((path.to_string(), path.to_string()));
        out.push((path.to_string(), format!("{path}?pad={long}")));
        out.push((path.to_string(), format!("{path}?zzqx=1")));
        for p in parameters(doc, op)
            .into_iter()
            .filter(|p| p["in"] == "query")
        {
            let name = p["name"].as_str().unwrap();
            let example = match &p["example"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            for value in [example.as_str(), "zzqx", "", "%FF"] {
                let value = if value == "%FF" {
                    value.to_string()
                } else {
                    encode(value)
                };
                out.push((path.to_string(), format!("{path}?{name}={value}")));
            }
        }
    }
    out
}

#[tokio::test]
async fn every_answer_matches_the_schema_documented_for_its_status() {
    let mut statuses = BTreeSet::new();
    for (data, state) in societies() {
        let doc = document(&state).await;
        let requests = requests(&doc, &state).await;
        assert!(
            requests.len() > 40,
            "{data}: only {} requests",
            requests.len()
        );
        for (path, uri) in requests {
            let r = get(&state, &uri).await;
            let op = &doc["paths"][&path]["get"];
            let status = r.status.as_str();
            let mut documented = &op["responses"][status];
            if let Some(reference) = documented["$ref"].as_str() {
                documented = schema::resolve(&doc, reference).unwrap();
            }
            assert!(
                documented.is_object(),
                "{data} {uri}: status {status} is not documented: {}",
                r.text()
            );
            let media_type = r.content_type().split(';').next().unwrap().trim();
            let media = &documented["content"][media_type];
            assert!(
                media.is_object(),
                "{data} {uri}: {status} is documented without {media_type}"
            );
            if media_type == "application/json" {
                let body = json(&r, &uri);
                let problems = schema::validate(&doc, &media["schema"], &body);
                assert!(problems.is_empty(), "{data} {uri}: {problems:#?}");
                if !r.status.is_success() {
                    assert_eq!(body["error"]["status"], r.status.as_u16(), "{uri}");
                }
            }
            statuses.insert((path, r.status.as_u16()));
        }
    }
    // Every documented status of every operation was met at least once, so
    // no status is documented that the API cannot give.
    let (_, state) = &societies()[0];
    let doc = document(state).await;
    for (path, op) in operations(&doc) {
        for status in op["responses"].as_object().unwrap().keys() {
            let status: u16 = status.parse().unwrap();
            assert!(
                statuses.contains(&(path.to_string(), status)),
                "{path}: documents {status} but no request got it"
            );
        }
    }
}

#[tokio::test]
async fn the_api_reads_the_documented_filters_and_no_others() {
    let (_, state) = &societies()[0];
    let doc = document(state).await;
    let documented: BTreeSet<&str> = operations(&doc)
        .flat_map(|(_, op)| query_names(&doc, op))
        .collect();
    for (path, op) in operations(&doc) {
        if path.contains('{') || !path.starts_with("/api/") || path.ends_with(".json") {
            continue;
        }
        let unfiltered = get(state, path).await.body;
        // A filter is read when a value nothing matches changes the answer
        // (to fewer records, or a 400 for a value it cannot take); a
        // parameter the operation does not take is refused with a 400 that
        // names it as unknown.
        let candidates = documented
            .iter()
            .copied()
            .chain(["q", "text", "name", "limit"]);
        let read: BTreeSet<&str> = {
            let mut read = BTreeSet::new();
            for name in candidates {
                let uri = format!("{path}?{name}=zzqx");
                let answer = get(state, &uri).await;
                let unknown = format!("unknown query parameter \"{name}\"");
                if answer.status == StatusCode::BAD_REQUEST
                    && json(&answer, &uri)["error"]["message"]
                        .as_str()
                        .unwrap()
                        .starts_with(&unknown)
                {
                    continue;
                }
                assert_ne!(answer.body, unfiltered, "{uri}: neither read nor refused");
                read.insert(name);
            }
            read
        };
        assert_eq!(
            read,
            query_names(&doc, op),
            "{path}: filters read vs documented"
        );
    }
}

/// Schemathesis, from PyPI (tests/tools/requirements.txt), generates
/// requests from the document and checks the running server's answers
/// against it.
#[test]
fn schemathesis_finds_the_running_server_true_to_its_document() {
    if !support::external_tests("schemathesis") {
        return;
    }
    let tool = support::root().join(".tools/venv/bin/schemathesis");
    assert!(
        tool.is_file(),
        "{} is missing: run tests/tools/install",
        tool.display()
    );
    let server = crate::server::running::Running::start(&[], &[]);
    let work = tempfile::tempdir().unwrap();
    let junit = work.path().join("junit.xml");
    let mut schemathesis = std::process::Command::new(&tool);
    schemathesis
        .arg("run")
        .arg(format!("http://{}/api/openapi.json", server.addr))
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--max-examples",
            "30",
            "--workers",
            "2",
            "--generation-database",
            "none",
            "--no-color",
            "--report",
            "junit",
            "--report-junit-path",
        ])
        .arg(&junit)
        // Schemathesis leaves its working files where it runs.
        .current_dir(work.path());
    let stdout = support::tool_stdout(&mut schemathesis);
    assert!(stdout.contains("No issues found"), "{stdout}");
    // Every operation was tested, except the one that serves the document
    // itself, which schemathesis leaves out.
    let report = std::fs::read_to_string(&junit).unwrap();
    for path in nspm_server::routes() {
        if path != "/api/openapi.json" {
            assert!(
                report.contains(&format!("testcase name=\"GET {path}\"")),
                "schemathesis did not test {path}:\n{stdout}"
            );
        }
    }
}
