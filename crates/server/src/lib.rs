//! The society's website and read-only JSON API over HTTP, built on axum.
//!
//! [`app`] builds the router over an [`AppState`], so tests drive it with
//! `app(state).oneshot(request)` and no socket; [`serve_with`] runs it on a
//! listener until shutdown. The state holds one loaded snapshot of the data
//! behind an atomic pointer: a reload swaps in a whole new snapshot, so no
//! request ever sees half of one and half of the other.

mod api;
mod dav;
mod error;
mod front;
mod http;
mod live;
mod members;
mod openapi;
mod pages;
mod state;
mod transport;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};

pub use error::AppError;
pub use front::{Front, Proxy, ProxyError, Tls, TlsError, TlsPart};
pub use http::{Limits, MAX_HEADERS, MAX_URI};
pub use live::{LiveData, Reloader, files_modified, follow_the_days, watch};
pub use members::COOKIE;
pub use pages::{Pages, Served};
pub use state::{AppState, Deployment, MembersPages, Snapshot, StateError, clock_day};
pub use transport::Transport;

/// Where the health check answers.
const HEALTHZ: &str = "/healthz";
/// Where the JSON API lives.
const API: &str = "/api";

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route(HEALTHZ, get(healthz))
        .nest(API, api::router())
        .merge(members::router(state.clone()))
        .route("/dav", any(dav::handle))
        .route("/dav/", any(dav::handle))
        .route("/dav/{*rest}", any(dav::handle))
        .fallback(site)
        .layer(axum::middleware::from_fn(http::policy))
        .with_state(state)
}

/// The paths the app routes itself, in axum's syntax (`/api/people/{id}`),
/// which is also OpenAPI's; every other path is a file of the site.
pub fn routes() -> Vec<String> {
    std::iter::once(HEALTHZ.to_string())
        .chain(api::paths().map(|p| format!("{API}{p}")))
        .collect()
}

/// Every path that is not the API is a file of the site: the same bytes as
/// the static export, or the site's 404 page.
async fn site(State(state): State<AppState>, req: Request) -> Response {
    let path = req.uri().path();
    if members::is_members(path) {
        return members::pages(&state, req).await;
    }
    // Clients given only the server's address ask `/` and the well-known
    // URLs (RFC 6764) where the DAV collections are.
    if path == "/" && dav::is_dav_method(req.method()) {
        return dav::handle(State(state), req).await;
    }
    if let Some(to) = dav::well_known(path) {
        return to;
    }
    let path = req.uri().path();
    if let Some(refused) = refuse(path, req.method(), API) {
        return refused;
    }
    let snap = state.peek();
    let pages = &snap.pages;
    if let Some(page) = pages.get(path) {
        return page.respond(
            req.method(),
            req.headers(),
            StatusCode::OK,
            pages.modified(),
        );
    }
    // "/committee" and "/committee/index.html" mean "/committee/": send the
    // visitor to the page's one URL, with the query they asked with.
    if let Some(to) = pages.canonical(path) {
        return redirect(to, req.uri().query());
    }
    match pages.get(nspm_export::site::NOT_FOUND) {
        Some(page) => page.respond(req.method(), req.headers(), StatusCode::NOT_FOUND, None),
        None => http::text(StatusCode::NOT_FOUND, "not found\n"),
    }
}

/// The answer, before any page is looked for, to a request for `path` that
/// no page can answer: an API client gets JSON for a path under `api` that
/// does not exist, whatever the method, like every other API error; any
/// other method than GET and HEAD gets 405.
fn refuse(path: &str, method: &Method, api: &str) -> Option<Response> {
    if path
        .strip_prefix(api)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    {
        return Some(AppError::NotFound(format!("no API endpoint at {path}")).into_response());
    }
    if method != Method::GET && method != Method::HEAD {
        let mut res = http::text(
            StatusCode::METHOD_NOT_ALLOWED,
            "only GET and HEAD are allowed\n",
        );
        res.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return Some(res);
    }
    None
}

/// A permanent redirect to `path` with `query`. 308 rather than 301: the
/// two mean the same for the GET and HEAD that reach here (other methods
/// get 405 first), every browser and client library of the last ten years
/// follows both, and 308 is the one status for all of the site's
/// redirects.
fn redirect(path: &str, query: Option<&str>) -> Response {
    let mut location = path.to_string();
    if let Some(query) = query {
        location.push('?');
        location.push_str(query);
    }
    // A request target may carry UTF-8 as it is, which a header may not:
    // such bytes are sent percent-encoded, as a browser would send them.
    let location =
        percent_encoding::utf8_percent_encode(&location, percent_encoding::CONTROLS).to_string();
    let mut res = StatusCode::PERMANENT_REDIRECT.into_response();
    // Only visible ASCII is left, which a header value always takes.
    if let Ok(v) = HeaderValue::try_from(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// Serves the app on `listener` until `shutdown` completes, then finishes
/// the requests in flight, with the timeouts of `limits`, and over TLS or
/// behind trusted proxies as `front` says.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    state: AppState,
    limits: Limits,
    front: Front,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    http::run(listener, app(state), limits, front, shutdown).await
}
