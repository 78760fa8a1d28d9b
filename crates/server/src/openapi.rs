//! The API's OpenAPI document, served at `/api/openapi.json`.
//!
//! The document is written by hand in `openapi.json` beside this file and
//! served as it stands, so what clients read is exactly what is reviewed.
//! The integration tests hold it to the router (every route described) and
//! to the API's answers (every response matches its schema), and
//! schemathesis checks it against the running server.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// The document's text.
pub(crate) const DOCUMENT: &str = include_str!("openapi.json");

pub(crate) async fn document() -> Response {
    let mut res = DOCUMENT.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}
