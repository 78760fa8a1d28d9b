//! The HTTP server: the application driven in process with
//! `app(state).oneshot(..)` (the API here, headers and pages in `headers`),
//! and the real binary on a loopback port in the other modules.

mod connections;
mod dav;
mod dav_clients;
mod export;
mod headers;
mod live;
mod members;
pub(crate) mod members_area;
mod private;
mod process;
mod reload;
pub(crate) mod running;
mod tls;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use nspm_core::{DataFile, Society, Sources};
use nspm_server::{AppState, app};
use serde_json::Value;
use tower::ServiceExt;

/// The real data, with contact details of both visibilities added to one
/// person so that tests can prove which reach visitors.
fn society_with_private_details() -> Society {
    let mut sources = Sources::embedded();
    let people = sources.text(DataFile::People).unwrap().replace(
        "        family: \"Brunak\",\n",
        "        family: \"Brunak\",\n        email: Some(Members(\"soren.private@example.org\")),\n        phone: Some(Members(\"+45 35 32 00 00\")),\n        orcid: Some(Public(\"0000-0002-1825-0097\")),\n",
    );
    sources.set_text(DataFile::People, people);
    Society::from_sources(&sources).expect("the changed data is still sound")
}

pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: axum::http::HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Reply {
    pub(crate) fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }

    /// The Content-Type header, or "" without one.
    pub(crate) fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .map_or("", |v| v.to_str().unwrap())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.text()))
    }

    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(&name)
            .unwrap_or_else(|| panic!("no {name} in {:?}", self.headers))
            .to_str()
            .unwrap()
    }
}

/// Sends one request with the given headers through the whole app.
async fn send_with(state: &AppState, method: &str, uri: &str, headers: &[(&str, &str)]) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let res = app(state.clone())
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    Reply {
        status,
        headers,
        body: bytes.to_vec(),
    }
}

pub(crate) async fn send(state: &AppState, method: &str, uri: &str) -> Reply {
    send_with(state, method, uri, &[]).await
}

async fn get(uri: &str) -> Reply {
    send(
        &AppState::new(society_with_private_details()).unwrap(),
        "GET",
        uri,
    )
    .await
}

fn ids(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn api_lists_and_filters_people() {
    let r = get("/api/people").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(r.json().as_array().unwrap().len(), 22);

    let r = get("/api/people?country=Norway&search=oslo").await;
    assert_eq!(ids(&r.json()), ["ole-andreassen", "eivind-hovig"]);
    let r = get("/api/people?institution=Oslo%20University").await;
    assert_eq!(ids(&r.json()), ["ole-andreassen", "eivind-hovig"]);
    let r = get("/api/people?search=kari%20stefansson").await;
    assert_eq!(ids(&r.json()), ["kari-stefansson"]);
    let r = get("/api/people?role=steering-committee&country=").await;
    assert_eq!(r.json().as_array().unwrap().len(), 22);
}

#[tokio::test]
async fn api_shows_one_record_of_each_kind() {
    let r = get("/api/people/soren-brunak").await;
    assert_eq!(r.status, StatusCode::OK);
    let p = r.json();
    assert_eq!(p["name"], "Søren Brunak");
    assert_eq!(p["given_name"], "Søren");
    assert_eq!(p["family_name"], "Brunak");
    assert_eq!(p["institution"]["name"], "University of Copenhagen");
    assert_eq!(p["country"]["code"], "DK");
    assert_eq!(p["country"]["name"], "Denmark");
    assert_eq!(p["roles"][0], "steering-committee");

    let r = get("/api/institutions/aarhus-university").await;
    assert_eq!(r.json()["aliases"][0], "Århus University");
    assert_eq!(r.json()["people"][0], "anders-borglum");

    let r = get("/api/meetings/cold-spring-harbor-2015").await;
    let m = r.json();
    assert_eq!(m["date"], "2015-05");
    assert_eq!(m["date_precision"], "month");
    assert_eq!(m["date_text"], "May 2015");
    assert_eq!(m["venue"]["name"], "Cold Spring Harbor Laboratory");

    let r = get("/api/society").await;
    assert_eq!(
        r.json()["contact"]["email"],
        "NordicPrecisionMedicine@gmail.com"
    );
    assert_eq!(r.json()["mission"].as_array().unwrap().len(), 4);

    let r = get("/api/meetings?year=2017").await;
    assert_eq!(ids(&r.json()), ["copenhagen-2017", "malmo-2017"]);
    let r = get("/api/institutions?search=arhus").await;
    assert_eq!(ids(&r.json()), ["aarhus-university"]);
}

#[tokio::test]
async fn the_api_never_sends_a_members_only_detail() {
    for uri in [
        "/api/people",
        "/api/people/soren-brunak",
        "/api/people?search=soren",
    ] {
        let r = get(uri).await;
        assert!(
            !r.text().contains("soren.private@example.org"),
            "{uri}: {}",
            r.text()
        );
        assert!(!r.text().contains("+45 35 32 00 00"), "{uri}: {}", r.text());
    }
    // A public detail is there.
    let r = get("/api/people/soren-brunak").await;
    assert_eq!(r.json()["contact"]["orcid"]["value"], "0000-0002-1825-0097");
}

#[tokio::test]
async fn api_errors_are_json_with_the_right_status() {
    let r = get("/api/people/soren-brunack").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(r.json()["error"]["status"], 404);
    assert_eq!(
        r.json()["error"]["message"],
        "no person matches \"soren-brunack\"; did you mean soren-brunak?"
    );
    for (uri, status) in [
        ("/api/people?country=Narnia", StatusCode::BAD_REQUEST),
        ("/api/people?role=boss", StatusCode::BAD_REQUEST),
        ("/api/meetings?year=soon", StatusCode::BAD_REQUEST),
        ("/api/people?institution=Hogwarts", StatusCode::NOT_FOUND),
        ("/api/meetings/atlantis-1900", StatusCode::NOT_FOUND),
        ("/api/institutions/hogwarts", StatusCode::NOT_FOUND),
    ] {
        let r = get(uri).await;
        assert_eq!(r.status, status, "{uri}");
        assert_eq!(r.json()["error"]["status"], status.as_u16(), "{uri}");
    }
}

#[tokio::test]
async fn health_and_methods() {
    let r = get("/healthz").await;
    assert_eq!((r.status, r.text()), (StatusCode::OK, "ok\n"));
    let state = AppState::new(society_with_private_details()).unwrap();
    let r = send(&state, "POST", "/api/people").await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.headers[header::ALLOW].to_str().unwrap().contains("GET"));
    let r = send(&state, "HEAD", "/api/people").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.is_empty());
}

#[tokio::test]
async fn a_reload_swaps_the_whole_society_at_once() {
    let state = AppState::new(Society::load_embedded().unwrap()).unwrap();
    assert_eq!(
        send(&state, "GET", "/api/people/soren-brunak").await.json()["contact"],
        serde_json::json!({})
    );
    state.replace(society_with_private_details(), None).unwrap();
    let r = send(&state, "GET", "/api/people/soren-brunak").await;
    assert_eq!(r.json()["contact"]["orcid"]["value"], "0000-0002-1825-0097");
}

#[tokio::test]
async fn unknown_or_undecodable_query_parameters_get_a_json_400_naming_them() {
    let state = AppState::new(Society::load_embedded().unwrap()).unwrap();
    for (uri, message) in [
        // The misspelt filter used to be ignored, listing everyone.
        (
            "/api/people?countyr=NO",
            "unknown query parameter \"countyr\"; did you mean country?",
        ),
        (
            "/api/people?contry=NO",
            "unknown query parameter \"contry\"; did you mean country?",
        ),
        (
            "/api/meetings?year=2017&seach=oslo",
            "unknown query parameter \"seach\"; did you mean search?",
        ),
        (
            "/api/institutions?limit=10",
            "unknown query parameter \"limit\"; expected one of country, search",
        ),
        (
            "/api/society?lang=en",
            "unknown query parameter \"lang\"; this endpoint takes none",
        ),
        (
            "/api/people/soren-brunak?fields=name",
            "unknown query parameter \"fields\"; this endpoint takes none",
        ),
        (
            "/api/openapi.json?format=yaml",
            "unknown query parameter \"format\"; this endpoint takes none",
        ),
        (
            "/api/people?search=%FF",
            "query parameter \"search\" is not valid UTF-8",
        ),
        (
            "/api/meetings?country=%C3",
            "query parameter \"country\" is not valid UTF-8",
        ),
        (
            "/api/people?%FFname=x",
            "query parameter \"%FFname\" is not valid UTF-8",
        ),
        (
            "/api/people?country=NO&country=SE",
            "query parameter \"country\" is given more than once",
        ),
        ("/api/people?=NO", "a query parameter has no name"),
    ] {
        let r = send(&state, "GET", uri).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{uri}: {}", r.text());
        assert_eq!(r.headers[header::CONTENT_TYPE], "application/json", "{uri}");
        assert_eq!(r.json()["error"]["status"], 400, "{uri}");
        assert_eq!(r.json()["error"]["message"], message, "{uri}");
    }
    // What a form sends still reads: `+` for a space, percent-encoded
    // UTF-8, empty values, a parameter without a value, stray `&`.
    for (uri, expected) in [
        (
            "/api/people?search=kari+stefansson",
            vec!["kari-stefansson"],
        ),
        (
            "/api/people?search=s%C3%B8ren&country=",
            vec!["soren-brunak"],
        ),
        ("/api/people?&search=brunak&&role", vec!["soren-brunak"]),
    ] {
        let r = send(&state, "GET", uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text());
        assert_eq!(ids(&r.json()), expected, "{uri}");
    }
}
