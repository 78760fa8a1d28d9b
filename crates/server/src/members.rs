//! The members' area: everything under `/members/`, for signed-in members
//! only, and only over TLS (or from this machine, for trying it out).
//!
//! Three ways in, all checked against the access file as it is now (the
//! live reloader swaps it in within a second of a change): a session
//! cookie (`nspm_session`) that the sign-in form sets, HTTP Basic (the
//! person's id and the credential) on any URL, and a calendar feed whose
//! URL holds the feed secret. Every response under `/members/` is private
//! (`Cache-Control: private, no-store`, `Vary: Authorization, Cookie`).

mod limit;

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{OriginalUri, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use nspm_access::{Access, Grant, Session, SessionKey, verify_cookie};
use nspm_core::{Audience, Timestamp};
use nspm_export::site::members::{ROOT, SEARCH};
use serde::Deserialize;

use crate::{AppState, Served, Transport, http};
pub(crate) use limit::Limiter;

/// The session cookie's name.
pub const COOKIE: &str = "nspm_session";

/// How long a session lasts, unless its grant ends sooner.
pub(crate) const SESSION_LIFETIME: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// The realm HTTP Basic clients are asked for.
const CHALLENGE: &str = "Basic realm=\"NSPM members\", charset=\"UTF-8\"";

/// What the server knows of who may come in: the access file as last read,
/// and the key that signs sessions.
#[derive(Debug)]
pub(crate) struct Gate {
    /// None when the access file could not be read: then nobody gets in
    /// until it can, since a grant revoked in a file that no longer reads
    /// must not stay open.
    pub access: Option<Access>,
    pub key: SessionKey,
}

/// The members' routes, below `/members`.
/// Its routes are full paths, for merging into the app: the guard's layer
/// then covers them alone.
/// The pages themselves (the directory, people, cards) are not routes
/// here: the app's fallback hands every other path under `/members` to
/// [`pages`], which guards them inside the handler. A route would capture
/// and decode the path, and a middleware layer box the inner service and
/// its future, for every request: together a measurable part of a member's
/// card download. The guard is the same function either way.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .nest("/members/api", crate::api::router())
        .route("/members/sign-in", post(sign_in).get(open_page))
        .route("/members/sign-out", post(sign_out))
        .route("/members/feeds/{secret}/calendar.ics", get(feed))
        .layer(axum::middleware::from_fn_with_state(state, guard))
}

/// Whether a path is the members' area's, for the app's fallback.
pub(crate) fn is_members(path: &str) -> bool {
    path.strip_prefix("/members")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The members' pages' content security policy: the site's, but its forms
/// may be sent to this server.
const CSP: &str = concat!(crate::http::csp_up_to_forms!(), "form-action 'self'");

/// The moment against which grants and sessions are judged.
pub(crate) fn now() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Timestamp::from_unix(i64::try_from(secs).unwrap_or(i64::MAX))
}

/// How a request came, for requests built in memory without one: not
/// secure and not from this machine, so such requests get nothing.
fn transport(req: &Request) -> Transport {
    req.extensions()
        .get::<Transport>()
        .copied()
        .unwrap_or(Transport {
            secure: false,
            own_tls: false,
            client: std::net::Ipv4Addr::UNSPECIFIED.into(),
            loopback: false,
        })
}

/// The full path of a request, as it was before the router took the
/// `/members` prefix off.
fn full_path(req: &Request) -> &str {
    req.extensions()
        .get::<OriginalUri>()
        .map_or_else(|| req.uri().path(), |u| u.path())
}

/// Every request under `/members/` passes here: the transport rule, then
/// authentication for all but the sign-in, sign-out and feed URLs (which
/// check their own), then the private headers on whatever the answer is.
async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    guarded(&state, req, |req| next.run(req)).await
}

/// A members' page, behind the guard.
pub(crate) async fn pages(state: &AppState, req: Request) -> Response {
    guarded(state, req, |req| page(state, req)).await
}

/// A members' page under a URL the guard's layer covers.
async fn open_page(State(state): State<AppState>, req: Request) -> Response {
    page(&state, req).await
}

/// The guard itself, around `inner`, which answers a request let through.
async fn guarded<F, Fut>(state: &AppState, mut req: Request, inner: F) -> Response
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Response>,
{
    let t = transport(&req);
    let mut res = if !t.secure && !t.loopback {
        state.peek().members.needs_tls.respond(
            req.method(),
            req.headers(),
            StatusCode::FORBIDDEN,
            None,
        )
    } else {
        let path = full_path(&req);
        let open = path == "/members/sign-in"
            || path == "/members/sign-out"
            || path.starts_with("/members/feeds/");
        let api = path.starts_with("/members/api");
        if open {
            inner(req).await
        } else {
            match authenticate(state, req.headers(), t) {
                Auth::Member => {
                    // For the API, which serves whichever audience the
                    // request carries; the pages are the members' anyway.
                    if api {
                        req.extensions_mut().insert(Audience::Members);
                    }
                    inner(req).await
                }
                Auth::Anonymous => sign_in_page(state, &req, false),
                Auth::Refused => sign_in_page(state, &req, true),
                Auth::Limited(wait) => too_many(wait),
            }
        }
    };
    private(res.headers_mut());
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    // Under `no-referrer`, the site's policy, browsers send `Origin: null`
    // with a form's POST, and the sign-in could not tell its own form from
    // another site's. `same-origin` sends nothing to other sites (no
    // members' URL, let alone a feed's, leaves in a Referer) and lets the
    // server's own pages be known by their Origin.
    res.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    res
}

/// Marks a members' response as for this reader alone.
pub(crate) fn private(h: &mut HeaderMap) {
    const VARY: &str = "Authorization, Cookie";
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    // The two values every members' response has are written without
    // building a string for each response.
    let vary = match h.get(header::VARY) {
        None => HeaderValue::from_static(VARY),
        Some(v) if v.is_empty() => HeaderValue::from_static(VARY),
        Some(v) if v == "Accept-Encoding" => {
            HeaderValue::from_static("Accept-Encoding, Authorization, Cookie")
        }
        Some(v) => match HeaderValue::from_str(&format!("{}, {VARY}", v.to_str().unwrap_or(""))) {
            Ok(v) => v,
            Err(_) => return,
        },
    };
    h.insert(header::VARY, vary);
}

enum Auth {
    Member,
    Anonymous,
    /// Credentials were sent and were wrong.
    Refused,
    /// The client has failed too often; try again after this long.
    Limited(Duration),
}

fn authenticate(state: &AppState, headers: &HeaderMap, t: Transport) -> Auth {
    let gate = state.gate();
    let now = now();
    let Some(access) = &gate.access else {
        return Auth::Anonymous;
    };
    // A session cookie is signed, so it cannot be guessed: checking it
    // needs no rate limit, and a member signed in from a busy address
    // (an office behind one NAT) is served whatever others there try.
    for value in cookies(headers, COOKIE) {
        if in_society(state, verify_cookie(&gate.key, value, access, now)).is_some() {
            return Auth::Member;
        }
    }
    let Some(authorization) = headers.get(header::AUTHORIZATION) else {
        return Auth::Anonymous;
    };
    if let Some(wait) = state.limiter().blocked(t.client, Instant::now()) {
        return Auth::Limited(wait);
    }
    let mut buf = [0u8; BASIC_MAX];
    match basic(authorization, &mut buf) {
        Some((person, credential))
            if in_society(state, access.verify_basic(person, credential, now)).is_some() =>
        {
            Auth::Member
        }
        _ => {
            state.limiter().fail(t.client, Instant::now());
            Auth::Refused
        }
    }
}

/// The grant when its person is in the data as now loaded: a person
/// removed from the data (by hand, past `nspm people remove`, which revokes
/// their grants) is no member, whatever the access file still says.
fn in_society<'g>(state: &AppState, grant: Option<&'g Grant>) -> Option<&'g Grant> {
    grant.filter(|g| state.peek().society.person(g.person.as_str()).is_some())
}

/// Who a request to the DAV collections comes from: a member when it
/// carries a valid credential, the public when it carries none. A
/// credential is checked exactly as in the members' area: only over TLS
/// (or from this machine), and failures count against the address; a
/// wrong one is refused rather than served as the public, so that a client
/// with a stale credential learns at once.
pub(crate) fn dav_reader(state: &AppState, req: &Request) -> Result<Audience, Box<Response>> {
    if !req.headers().contains_key(header::AUTHORIZATION) {
        return Ok(Audience::Public);
    }
    let t = transport(req);
    if !t.secure && !t.loopback {
        return Err(Box::new(dav_needs_tls()));
    }
    match authenticate(state, req.headers(), t) {
        Auth::Member => Ok(Audience::Members),
        Auth::Anonymous => Ok(Audience::Public),
        Auth::Refused => Err(Box::new(dav_unauthorized())),
        Auth::Limited(wait) => Err(Box::new(too_many(wait))),
    }
}

/// The answer to a members' DAV resource asked for without a credential:
/// 401 with the Basic challenge, or 403 where no credential may be sent.
pub(crate) fn dav_challenge(req: &Request) -> Response {
    let t = transport(req);
    if !t.secure && !t.loopback {
        return dav_needs_tls();
    }
    dav_unauthorized()
}

fn dav_unauthorized() -> Response {
    let mut res = http::text(
        StatusCode::UNAUTHORIZED,
        "this collection is for members: sign in with your person id and credential\n",
    );
    res.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(CHALLENGE),
    );
    private(res.headers_mut());
    res
}

fn dav_needs_tls() -> Response {
    http::text(
        StatusCode::FORBIDDEN,
        "members' collections are served only over https: the server needs --tls-cert and --tls-key, or a proxy that terminates TLS\n",
    )
}

/// The user name and password of an HTTP Basic `Authorization` header,
/// decoded into `buf` (no allocation per request); None when the header is
/// not Basic, not base64 or longer than `buf` holds.
fn basic<'b>(value: &HeaderValue, buf: &'b mut [u8; BASIC_MAX]) -> Option<(&'b str, &'b str)> {
    let text = value.to_str().ok()?;
    let (scheme, encoded) = text.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let n = base64::engine::general_purpose::STANDARD
        .decode_slice(encoded.trim(), buf)
        .ok()?;
    let decoded = std::str::from_utf8(buf.get(..n)?).ok()?;
    decoded.split_once(':')
}

/// The longest decoded Basic credentials read: far more than a person's id
/// and a credential take.
const BASIC_MAX: usize = 1024;

/// Every value of the cookie `name` in the request's Cookie headers.
fn cookies<'h>(headers: &'h HeaderMap, name: &'h str) -> impl Iterator<Item = &'h str> + 'h {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(move |pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then_some(v)
        })
}

/// 401 with the sign-in form as its body. Browsers show the form; HTTP
/// Basic clients read the challenge. A browser's own navigation is asked
/// for no Basic credentials, since it would answer with its login dialog
/// in place of the form; it is challenged with a scheme of its own that no
/// browser prompts for, which still makes the 401 a proper one.
fn sign_in_page(state: &AppState, req: &Request, failed: bool) -> Response {
    let snap = state.peek();
    let page = if failed {
        &snap.members.sign_in_failed
    } else {
        &snap.members.sign_in
    };
    let mut res = page.respond(req.method(), req.headers(), StatusCode::UNAUTHORIZED, None);
    let challenge = if is_navigation(req.headers()) {
        "Form realm=\"NSPM members\", action=\"/members/sign-in\""
    } else {
        CHALLENGE
    };
    res.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    res
}

/// Whether a browser is loading a page for its user to see (Fetch
/// Metadata, sent by every current browser).
fn is_navigation(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-mode")
        .is_some_and(|v| v.as_bytes() == b"navigate")
}

fn too_many(wait: Duration) -> Response {
    let mut res = http::text(
        StatusCode::TOO_MANY_REQUESTS,
        "too many failed sign-ins from this address: try again later\n",
    );
    let secs = wait.as_secs().max(1);
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    res
}

/// A form that posts here must come from this server's own pages: the
/// Origin (or, without one, the Referer) must be this server's origin.
fn same_origin(headers: &HeaderMap, t: Transport) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let scheme = if t.secure { "https" } else { "http" };
    let own = format!("{scheme}://{host}");
    if let Some(origin) = headers.get(header::ORIGIN) {
        return origin.as_bytes().eq_ignore_ascii_case(own.as_bytes());
    }
    headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .is_some_and(|r| {
            r.len() > own.len()
                && r[..own.len()].eq_ignore_ascii_case(&own)
                && r.as_bytes()[own.len()] == b'/'
        })
}

fn forbidden_origin() -> Response {
    http::text(
        StatusCode::FORBIDDEN,
        "this form may only be sent from this site's own sign-in page\n",
    )
}

#[derive(Deserialize)]
struct SignIn {
    person: String,
    credential: String,
}

async fn sign_in(State(state): State<AppState>, req: Request) -> Response {
    let t = transport(&req);
    if !same_origin(req.headers(), t) {
        return forbidden_origin();
    }
    if let Some(wait) = state.limiter().blocked(t.client, Instant::now()) {
        return too_many(wait);
    }
    let (parts, body) = req.into_parts();
    let form = match axum::body::to_bytes(body, 16 * 1024).await {
        Ok(bytes) => serde_urlencoded::from_bytes::<SignIn>(&bytes).ok(),
        Err(_) => None,
    };
    let req = Request::from_parts(parts, Body::empty());
    let gate = state.gate();
    let now = now();
    let grant = form.as_ref().and_then(|f| {
        let access = gate.access.as_ref()?;
        in_society(
            &state,
            access.verify_basic(f.person.trim(), f.credential.trim(), now),
        )
    });
    let Some(grant) = grant else {
        state.limiter().fail(t.client, Instant::now());
        return sign_in_page(&state, &req, true);
    };
    let cookie = Session::issue(&gate.key, grant, now, SESSION_LIFETIME);
    let set = format!(
        "{COOKIE}={}; Max-Age={}; Path={ROOT}; HttpOnly; Secure; SameSite=Strict",
        cookie.expose(),
        cookie.max_age(now)
    );
    see_other(Some(&set))
}

async fn sign_out(req: Request) -> Response {
    if !same_origin(req.headers(), transport(&req)) {
        return forbidden_origin();
    }
    let clear = format!("{COOKIE}=; Max-Age=0; Path={ROOT}; HttpOnly; Secure; SameSite=Strict");
    see_other(Some(&clear))
}

/// 303 to the members' area's front page, setting a cookie.
fn see_other(cookie: Option<&str>) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    let h = res.headers_mut();
    h.insert(header::LOCATION, HeaderValue::from_static(ROOT));
    if let Some(v) = cookie.and_then(|c| HeaderValue::from_str(c).ok()) {
        h.insert(header::SET_COOKIE, v);
    }
    res
}

/// The calendar for apps that cannot sign in, at a URL holding the feed
/// secret. A wrong secret counts as a failed sign-in.
async fn feed(State(state): State<AppState>, Path(secret): Path<String>, req: Request) -> Response {
    let t = transport(&req);
    if let Some(wait) = state.limiter().blocked(t.client, Instant::now()) {
        return too_many(wait);
    }
    let gate = state.gate();
    let ok = in_society(
        &state,
        gate.access
            .as_ref()
            .and_then(|a| a.verify_feed(&secret, now())),
    )
    .is_some();
    if !ok {
        state.limiter().fail(t.client, Instant::now());
        return http::text(StatusCode::NOT_FOUND, "no such feed\n");
    }
    let snap = state.peek();
    let Some(pages) = &*snap.members.peek() else {
        return preparing();
    };
    match pages.get(&format!("{ROOT}calendar.ics")) {
        Some(cal) => cal.respond(
            req.method(),
            req.headers(),
            StatusCode::OK,
            pages.modified(),
        ),
        None => http::text(StatusCode::NOT_FOUND, "no such feed\n"),
    }
}

/// The answer to a member let in by a grant that came moments ago, while
/// the members' pages, which exist only while someone can sign in, are
/// still being rendered.
fn preparing() -> Response {
    let mut res = http::text(
        StatusCode::SERVICE_UNAVAILABLE,
        "the members' area is being prepared: try again in a moment\n",
    );
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    res
}

#[derive(Deserialize)]
struct SearchParams {
    #[serde(default)]
    q: String,
}

/// A members' page, for a member (the guard has let them in).
async fn page(state: &AppState, req: Request) -> Response {
    let path = full_path(&req);
    if let Some(refused) = crate::refuse(path, req.method(), "/members/api") {
        return refused;
    }
    // The sign-in form's own URL shows the directory to a member.
    if path == "/members" || path == "/members/sign-in" {
        return crate::redirect(ROOT, None);
    }
    let snap = state.peek();
    let members = &snap.members;
    if path == SEARCH {
        let q = req
            .uri()
            .query()
            .and_then(|q| serde_urlencoded::from_str::<SearchParams>(q).ok())
            .map(|p| p.q)
            .unwrap_or_default();
        return match nspm_export::site::members::search(&snap.society, &members.options, &q) {
            Ok(p) => Served::new(SEARCH, p.bytes, p.content_type).respond(
                req.method(),
                req.headers(),
                StatusCode::OK,
                None,
            ),
            Err(e) => {
                tracing::error!(error = %e, "cannot render the members' search");
                http::text(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the search could not be shown\n",
                )
            }
        };
    }
    let Some(pages) = &*members.peek() else {
        return preparing();
    };
    if let Some(p) = pages.get(path) {
        return p.respond(
            req.method(),
            req.headers(),
            StatusCode::OK,
            pages.modified(),
        );
    }
    if let Some(to) = pages.canonical(path) {
        return crate::redirect(to, req.uri().query());
    }
    match snap.pages.get(nspm_export::site::NOT_FOUND) {
        Some(p) => p.respond(req.method(), req.headers(), StatusCode::NOT_FOUND, None),
        None => http::text(StatusCode::NOT_FOUND, "not found\n"),
    }
}
