//! Read-only CardDAV (RFC 6352) and CalDAV (RFC 4791) over the snapshot's
//! collections, with WebDAV sync (RFC 6578) and discovery (RFC 6764).
//!
//! # URL layout
//!
//! ```text
//! /.well-known/carddav        301 to /dav/addressbooks/ (members only, so clients authenticate)
//! /.well-known/caldav         301 to /dav/
//! /  (PROPFIND, OPTIONS)      answered as /dav/, for clients given only the server's address
//! /dav/                       the root: current-user-principal and the home sets (members only,
//!                             so that a client discovering from the address asks for credentials)
//! /dav/principals/public/     the principal of anyone without a credential (the public calendar's owner)
//! /dav/principals/member/     the principal of a member (members only)
//! /dav/addressbooks/          addressbook-home-set (members only)
//! /dav/addressbooks/members/  the members' directory, one vCard per person and the society's own
//!     {UUID}.vcf              a card, named by its UID without `urn:uuid:`
//! /dav/calendars/             calendar-home-set: the public calendar, and for members theirs
//! /dav/calendars/public/      the meetings, readable by anyone
//! /dav/calendars/members/     the meetings with members-only details (members only)
//!     {UID}.ics               one VCALENDAR with one meeting's VEVENT, named by its UID
//! ```
//!
//! Members authenticate exactly as in the members' area (HTTP Basic with
//! the person's id and credential, only over TLS or from this machine,
//! failures rate-limited per address: `members::dav_reader`); a members'
//! resource, the root among them, asked for without a credential gets 401
//! with a Basic challenge, and every answer to a member is `private,
//! no-store`. Without a credential only the public calendar, its home and
//! the public principal answer, for a calendar app subscribed to the
//! public calendar by its URL. Multistatus answers are compressed (gzip or
//! br, as Accept-Encoding prefers); objects are sent as they are, so that
//! a GET's ETag is the listing's `getetag`.
//! Everything is read-only: the write methods get 403 with the
//! `DAV:need-privileges` precondition, and other methods 405 with Allow.

mod collection;
mod filter;
mod report;
mod xml;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use nspm_core::Audience;

use crate::AppState;
use crate::pages::{Condition, Encoding, precondition};
pub(crate) use collection::Dav;
use collection::{Collection, Kind, Object};
use xml::{CALDAV, CARDDAV, CS, DAV, Element};

pub(crate) const ROOT: &str = "/dav/";
const PRINCIPALS: &str = "/dav/principals/";
const PUBLIC_PRINCIPAL: &str = "/dav/principals/public/";
const MEMBER_PRINCIPAL: &str = "/dav/principals/member/";
const ADDRESSBOOKS: &str = "/dav/addressbooks/";
pub(crate) const ADDRESSBOOK: &str = "/dav/addressbooks/members/";
const CALENDARS: &str = "/dav/calendars/";
pub(crate) const PUBLIC_CALENDAR: &str = "/dav/calendars/public/";
pub(crate) const MEMBERS_CALENDAR: &str = "/dav/calendars/members/";
pub(crate) const WELL_KNOWN_CARDDAV: &str = "/.well-known/carddav";
pub(crate) const WELL_KNOWN_CALDAV: &str = "/.well-known/caldav";

/// The largest request body read; larger ones get 413. A multiget of
/// every card of ten thousand members is about 700 KB.
pub(crate) const MAX_BODY: usize = 1024 * 1024;

/// What OPTIONS advertises (RFC 4918 section 18, RFC 6352 section 6.1,
/// RFC 4791 section 5.1).
const DAV_CLASSES: &str = "1, 3, addressbook, calendar-access";
const ALLOW: &str = "OPTIONS, GET, HEAD, PROPFIND, REPORT";

/// Methods that would change something: refused with a precondition.
const WRITES: &[&str] = &[
    "PUT",
    "DELETE",
    "PROPPATCH",
    "MKCOL",
    "MKCALENDAR",
    "MOVE",
    "COPY",
    "LOCK",
    "UNLOCK",
    "POST",
    "ACL",
];

/// A resource of the DAV tree.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Resource<'a> {
    /// `/dav/`, or `/` when asked there.
    Root(&'a str),
    Principals,
    Principal(Audience),
    AddressbookHome,
    CalendarHome,
    Collection(&'a Collection),
    Object(&'a Collection, &'a Object),
}

impl<'a> Resource<'a> {
    /// The resource at `path` (percent-decoded), the trailing slash of a
    /// collection optional.
    fn find(dav: &'a Dav, path: &'a str) -> Option<Resource<'a>> {
        if path == "/" {
            return Some(Resource::Root("/"));
        }
        let dir = if path.ends_with('/') {
            path.to_string()
        } else {
            format!("{path}/")
        };
        let fixed = match dir.as_str() {
            ROOT => Some(Resource::Root(ROOT)),
            PRINCIPALS => Some(Resource::Principals),
            PUBLIC_PRINCIPAL => Some(Resource::Principal(Audience::Public)),
            MEMBER_PRINCIPAL => Some(Resource::Principal(Audience::Members)),
            ADDRESSBOOKS => Some(Resource::AddressbookHome),
            CALENDARS => Some(Resource::CalendarHome),
            _ => None,
        };
        if fixed.is_some() {
            return fixed;
        }
        for c in dav.collections() {
            if dir == c.path {
                return Some(Resource::Collection(c));
            }
            if let Some(name) = path.strip_prefix(c.path) {
                return c.get(name).map(|o| Resource::Object(c, o));
            }
        }
        None
    }

    pub(crate) fn href(&self) -> String {
        match self {
            Resource::Root(p) => (*p).to_string(),
            Resource::Principals => PRINCIPALS.into(),
            Resource::Principal(a) => principal(*a).into(),
            Resource::AddressbookHome => ADDRESSBOOKS.into(),
            Resource::CalendarHome => CALENDARS.into(),
            Resource::Collection(c) => c.path.into(),
            Resource::Object(c, o) => format!("{}{}", c.path, encode(&o.name)),
        }
    }

    /// Who may read it.
    fn audience(&self) -> Audience {
        match self {
            // Discovery starts at the root, and a client given only the
            // server's address learns there that it must sign in: asked
            // without a credential, the root answers 401 with the Basic
            // challenge, as mature servers do, where the public principal
            // would leave the client content with the public calendar and
            // never ask for the member's credential.
            Resource::Root(_) => Audience::Members,
            Resource::Principals | Resource::CalendarHome => Audience::Public,
            Resource::Principal(a) => *a,
            Resource::AddressbookHome => Audience::Members,
            Resource::Collection(c) | Resource::Object(c, _) => c.audience,
        }
    }

    /// Its members (Depth: 1) that `reader` may see.
    fn children(&self, dav: &'a Dav, reader: Audience) -> Vec<Resource<'a>> {
        let all: Vec<Resource<'a>> = match self {
            Resource::Root(_) => vec![
                Resource::Principals,
                Resource::AddressbookHome,
                Resource::CalendarHome,
            ],
            Resource::Principals => vec![
                Resource::Principal(Audience::Public),
                Resource::Principal(Audience::Members),
            ],
            Resource::AddressbookHome => vec![Resource::Collection(&dav.addressbook)],
            Resource::CalendarHome => vec![
                Resource::Collection(&dav.public),
                Resource::Collection(&dav.members),
            ],
            Resource::Collection(c) => c.objects().iter().map(|o| Resource::Object(c, o)).collect(),
            Resource::Principal(_) | Resource::Object(..) => Vec::new(),
        };
        all.into_iter()
            .filter(|r| reader.sees_audience(r.audience()))
            .collect()
    }
}

/// Whether a reader may see what is for `needed`.
trait Sees {
    fn sees_audience(self, needed: Audience) -> bool;
}

impl Sees for Audience {
    fn sees_audience(self, needed: Audience) -> bool {
        self == Audience::Members || needed == Audience::Public
    }
}

fn principal(a: Audience) -> &'static str {
    match a {
        Audience::Public => PUBLIC_PRINCIPAL,
        Audience::Members => MEMBER_PRINCIPAL,
    }
}

/// A name as it goes into an href: anything but unreserved characters and
/// `@` percent-encoded.
fn encode(name: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'@');
    percent_encoding::utf8_percent_encode(name, SET).to_string()
}

/// The path an href names: an absolute URL's path, percent-decoded.
fn href_path(href: &str) -> Option<String> {
    let href = href.trim();
    let path = match href.find("://") {
        Some(i) => {
            let rest = &href[i + 3..];
            &rest[rest.find('/')?..]
        }
        None => href,
    };
    let path = path.split(['?', '#']).next().unwrap_or(path);
    percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .ok()
        .map(|p| p.into_owned())
}

/// `/.well-known/carddav` and `/.well-known/caldav` (RFC 6764 section 5).
pub(crate) fn well_known(path: &str) -> Option<Response> {
    let to = match path.trim_end_matches('/') {
        WELL_KNOWN_CARDDAV => ADDRESSBOOKS,
        WELL_KNOWN_CALDAV => ROOT,
        _ => return None,
    };
    let mut res = StatusCode::MOVED_PERMANENTLY.into_response();
    res.headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static(to));
    Some(res)
}

/// Whether a request to the site's `/` is DAV's.
pub(crate) fn is_dav_method(method: &Method) -> bool {
    method.as_str() == "PROPFIND" || method == Method::OPTIONS
}

/// Every request under `/dav/`, and PROPFIND and OPTIONS on `/`.
pub(crate) async fn handle(State(state): State<AppState>, req: Request) -> Response {
    let method = req.method().clone();
    if method == Method::OPTIONS {
        return options();
    }
    let reader = match crate::members::dav_reader(&state, &req) {
        Ok(a) => a,
        Err(refused) => return *refused,
    };
    let coding = Encoding::preferred(req.headers());
    let mut res = answer(&state, req, reader).await;
    if res.status() == StatusCode::MULTI_STATUS {
        res = compress(res, coding).await;
    }
    let h = res.headers_mut();
    if reader == Audience::Members {
        crate::members::private(h);
    } else {
        // What a collection lists depends on who asks.
        let vary = match h.get(header::VARY) {
            Some(v) => format!("{}, Authorization", v.to_str().unwrap_or("")),
            None => "Authorization".into(),
        };
        if let Ok(v) = HeaderValue::from_str(&vary) {
            h.insert(header::VARY, v);
        }
    }
    res
}

/// A multistatus answer compressed as the client prefers: the listing of
/// ten thousand cards is some 3 MB of XML and their multiget 7 MB, which
/// gzip makes a fifth of that. These answers have no ETag and are made
/// for each request, so they are compressed on the way out; the objects
/// themselves (GET) are sent as they are, a kilobyte or two each, so that
/// the ETag a GET gives is the `getetag` the listing gave (a compressed
/// representation would need a tag of its own, as the site's files have,
/// and a client comparing the two would fetch every object again).
async fn compress(res: Response, coding: Encoding) -> Response {
    let (mut parts, body) = res.into_parts();
    // Another Accept-Encoding gets another body, whether this one was
    // compressed or not.
    parts
        .headers
        .insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    // The body is a string already in memory: reading it cannot fail or
    // wait.
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    // Compressing megabytes takes tens of milliseconds: off the threads
    // that serve the other requests.
    let plain = bytes.clone();
    let compressed = tokio::task::spawn_blocking(move || coding.compress(&plain, &content_type))
        .await
        .ok()
        .flatten();
    let body = match compressed {
        Some((name, out)) => {
            parts
                .headers
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
            Body::from(out)
        }
        None => Body::from(bytes),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, body)
}

async fn answer(state: &AppState, req: Request, reader: Audience) -> Response {
    // The body is read first (within the cap), whatever the answer: hyper
    // closes a connection whose request body was left unread, and a client
    // that sends its credential only after a 401 asks again on the same
    // connection (Python's caldav then failed now and then with "remote
    // end closed connection without response").
    let (parts, body) = req.into_parts();
    let body = read_body(&parts.headers, body).await;
    let req = Request::from_parts(parts, Body::empty());
    let snap = state.snapshot();
    let dav = &snap.dav;
    let raw = req.uri().path().to_string();
    let method = req.method().as_str().to_string();
    // A write is refused wherever it is aimed, a new object's name too.
    if WRITES.contains(&method.as_str()) {
        return refuse_write(&raw);
    }
    let Some(path) = href_path(&raw) else {
        return not_found();
    };
    let Some(resource) = Resource::find(dav, &path) else {
        return not_found();
    };
    if !reader.sees_audience(resource.audience()) {
        return crate::members::dav_challenge(&req);
    }
    match method.as_str() {
        "GET" | "HEAD" => get(&req, resource),
        "PROPFIND" | "REPORT" => {
            let depth = match depth(req.headers()) {
                Ok(d) => d,
                Err(r) => return *r,
            };
            let body = match body {
                Ok(b) => b,
                Err(r) => return *r,
            };
            let ctx = Ctx { dav, reader };
            if method == "PROPFIND" {
                propfind(&ctx, resource, depth, &body)
            } else {
                report::report(&ctx, resource, depth, &body)
            }
        }
        _ => {
            let mut res = text(
                StatusCode::METHOD_NOT_ALLOWED,
                "the DAV collections are read-only\n",
            );
            res.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(ALLOW));
            res
        }
    }
}

fn options() -> Response {
    let mut res = StatusCode::OK.into_response();
    let h = res.headers_mut();
    h.insert("dav", HeaderValue::from_static(DAV_CLASSES));
    h.insert(header::ALLOW, HeaderValue::from_static(ALLOW));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(0));
    res
}

/// The Depth header: 0, 1 or None for infinity (also its default, RFC 4918
/// section 9.1).
fn depth(headers: &HeaderMap) -> Result<Option<u8>, Box<Response>> {
    match headers.get("depth").map(|v| v.as_bytes()) {
        Some(b"0") => Ok(Some(0)),
        Some(b"1") => Ok(Some(1)),
        Some(v) if v.eq_ignore_ascii_case(b"infinity") => Ok(None),
        None => Ok(None),
        Some(_) => Err(Box::new(error(
            StatusCode::BAD_REQUEST,
            "the Depth header must be 0, 1 or infinity",
        ))),
    }
}

async fn read_body(headers: &HeaderMap, body: Body) -> Result<Vec<u8>, Box<Response>> {
    let too_large = || {
        Box::new(error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("request bodies may be at most {MAX_BODY} bytes"),
        ))
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, MAX_BODY)
        .await
        .map(|b| b.to_vec())
        .map_err(|_| too_large())
}

/// What every property and report is computed with.
pub(crate) struct Ctx<'a> {
    pub dav: &'a Dav,
    pub reader: Audience,
}

/// A property name.
pub(crate) type Name = (String, String);

/// What a PROPFIND asks for.
pub(crate) enum Wanted {
    All,
    Names,
    These(Vec<Name>),
}

/// The names inside a `DAV:prop`.
pub(crate) fn prop_names(prop: &Element) -> Vec<Name> {
    prop.children
        .iter()
        .map(|c| (c.ns.clone(), c.name.clone()))
        .collect()
}

fn propfind(ctx: &Ctx, resource: Resource, depth: Option<u8>, body: &[u8]) -> Response {
    let Some(depth) = depth else {
        return error_condition(StatusCode::FORBIDDEN, DAV, "propfind-finite-depth");
    };
    let wanted = if body.iter().all(u8::is_ascii_whitespace) {
        Wanted::All
    } else {
        let root = match xml::parse(body) {
            Ok(r) => r,
            Err(e) => return error(StatusCode::BAD_REQUEST, &e.to_string()),
        };
        if !root.is(DAV, "propfind") {
            return error(StatusCode::BAD_REQUEST, "the body must be a DAV:propfind");
        }
        if let Some(prop) = root.child(DAV, "prop") {
            Wanted::These(prop_names(prop))
        } else if root.child(DAV, "propname").is_some() {
            Wanted::Names
        } else if root.child(DAV, "allprop").is_some() {
            Wanted::All
        } else {
            return error(
                StatusCode::BAD_REQUEST,
                "a propfind holds prop, propname or allprop",
            );
        }
    };
    let mut ms = Multistatus::new();
    let mut list = vec![resource];
    if depth == 1 {
        list.extend(resource.children(ctx.dav, ctx.reader));
    }
    for r in list {
        ms.props(ctx, &r, &wanted, Data::NONE);
    }
    ms.finish()
}

/// Which object body a report puts in `address-data` or `calendar-data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// Not asked for.
    None,
    Default,
    /// vCard 4.0.
    V4,
}

/// What a report asks of the objects' data: which form, and the request's
/// `address-data` or `calendar-data` element, whose children (if any) name
/// the parts to return (RFC 6352 section 10.4, RFC 4791 section 9.6).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Data<'a> {
    pub form: Form,
    pub request: Option<&'a Element>,
}

impl Data<'_> {
    pub(crate) const NONE: Data<'static> = Data {
        form: Form::None,
        request: None,
    };
}

/// Every property this server knows, in the order allprop lists them.
const KNOWN: &[(&str, &str)] = &[
    (DAV, "resourcetype"),
    (DAV, "displayname"),
    (DAV, "getetag"),
    (DAV, "getcontenttype"),
    (DAV, "getcontentlength"),
    (DAV, "sync-token"),
    (CS, "getctag"),
    (DAV, "supported-report-set"),
    (DAV, "current-user-principal"),
    (DAV, "current-user-privilege-set"),
    (DAV, "principal-URL"),
    (DAV, "owner"),
    (CARDDAV, "addressbook-home-set"),
    (CALDAV, "calendar-home-set"),
    (CARDDAV, "addressbook-description"),
    (CALDAV, "calendar-description"),
    (CARDDAV, "supported-address-data"),
    (CALDAV, "supported-calendar-data"),
    (CALDAV, "supported-calendar-component-set"),
];

fn href(path: &str) -> String {
    format!("<D:href>{}</D:href>", xml::escape(path))
}

/// The value of property `name` of `r` as XML, or None when `r` has none.
fn property(ctx: &Ctx, r: &Resource, ns: &str, local: &str, data: Data) -> Option<String> {
    let collection = match r {
        Resource::Collection(c) => Some(*c),
        _ => None,
    };
    let object = match r {
        Resource::Object(c, o) => Some((*c, *o)),
        _ => None,
    };
    let is_home_or_root = matches!(
        r,
        Resource::Root(_)
            | Resource::Principal(_)
            | Resource::AddressbookHome
            | Resource::CalendarHome
    );
    let v = match (ns, local) {
        (DAV, "resourcetype") => match r {
            Resource::Principal(_) => "<D:principal/>".to_string(),
            Resource::Object(..) => String::new(),
            Resource::Collection(c) => match c.kind {
                Kind::Addressbook => "<D:collection/><CR:addressbook/>".into(),
                Kind::Calendar => "<D:collection/><C:calendar/>".into(),
            },
            _ => "<D:collection/>".into(),
        },
        (DAV, "displayname") => xml::escape(&match r {
            Resource::Root(_) => "NSPM".to_string(),
            Resource::Principals => "Principals".into(),
            Resource::Principal(Audience::Public) => "Anyone".into(),
            Resource::Principal(Audience::Members) => "Member".into(),
            Resource::AddressbookHome => "Address books".into(),
            Resource::CalendarHome => "Calendars".into(),
            Resource::Collection(c) => c.display_name.clone(),
            Resource::Object(_, o) => o.name.to_string(),
        })
        .into_owned(),
        (DAV, "getetag") => xml::escape(&object?.1.etag()).into_owned(),
        (DAV, "getcontenttype") => content_type(object?.0.kind).to_string(),
        (DAV, "getcontentlength") => object?.1.body.len().to_string(),
        (DAV, "sync-token") => collection?.token(),
        (CS, "getctag") => collection?.token(),
        (DAV, "supported-report-set") => {
            let reports: &[(&str, &str)] = match collection?.kind {
                Kind::Addressbook => &[
                    ("CR", "addressbook-multiget"),
                    ("CR", "addressbook-query"),
                    ("D", "sync-collection"),
                ],
                Kind::Calendar => &[
                    ("C", "calendar-multiget"),
                    ("C", "calendar-query"),
                    ("D", "sync-collection"),
                ],
            };
            reports
                .iter()
                .map(|(p, n)| {
                    format!("<D:supported-report><D:report><{p}:{n}/></D:report></D:supported-report>")
                })
                .collect()
        }
        (DAV, "current-user-principal") => href(principal(ctx.reader)),
        (DAV, "current-user-privilege-set") => {
            "<D:privilege><D:read/></D:privilege><D:privilege><D:read-current-user-privilege-set/></D:privilege>"
                .into()
        }
        (DAV, "principal-URL") => match r {
            Resource::Principal(a) => href(principal(*a)),
            _ => return None,
        },
        (DAV, "owner") => match r {
            Resource::Collection(c) => href(principal(c.audience)),
            _ => return None,
        },
        (CARDDAV, "addressbook-home-set") if is_home_or_root && ctx.reader == Audience::Members => {
            href(ADDRESSBOOKS)
        }
        (CALDAV, "calendar-home-set") if is_home_or_root => href(CALENDARS),
        (CARDDAV, "addressbook-description") | (CALDAV, "calendar-description") => {
            let c = collection?;
            let matches = (c.kind == Kind::Addressbook) == (ns == CARDDAV);
            if !matches {
                return None;
            }
            xml::escape(&c.description).into_owned()
        }
        (CARDDAV, "supported-address-data") if collection?.kind == Kind::Addressbook => {
            "<CR:address-data-type content-type=\"text/vcard\" version=\"3.0\"/><CR:address-data-type content-type=\"text/vcard\" version=\"4.0\"/>".into()
        }
        (CALDAV, "supported-calendar-data") if collection?.kind == Kind::Calendar => {
            "<C:calendar-data content-type=\"text/calendar\" version=\"2.0\"/>".into()
        }
        (CALDAV, "supported-calendar-component-set") if collection?.kind == Kind::Calendar => {
            "<C:comp name=\"VEVENT\"/>".into()
        }
        (CARDDAV, "address-data") => {
            let (c, o) = object?;
            if c.kind != Kind::Addressbook || data.form == Form::None {
                return None;
            }
            let body = match (data.form, &o.v4) {
                (Form::V4, Some(v4)) => v4,
                _ => &o.body,
            };
            object_data(&filter::subset(body, data.request, CARDDAV))
        }
        (CALDAV, "calendar-data") => {
            let (c, o) = object?;
            if c.kind != Kind::Calendar || data.form == Form::None {
                return None;
            }
            object_data(&filter::subset(&o.body, data.request, CALDAV))
        }
        _ => return None,
    };
    Some(v)
}

/// An object's bytes as the text of `address-data` or `calendar-data`.
/// The carriage returns of its CRLF line ends are written as character
/// references: XML readers turn a raw CRLF into LF (XML 1.0 section 2.11),
/// and the object would reach the client other than GET gives it.
fn object_data(body: &[u8]) -> String {
    xml::escape(&String::from_utf8_lossy(body)).replace('\r', "&#13;")
}

fn content_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Addressbook => "text/vcard; charset=utf-8",
        Kind::Calendar => "text/calendar; charset=utf-8; component=VEVENT",
    }
}

/// A 207 Multi-Status body being written.
pub(crate) struct Multistatus {
    out: String,
}

impl Multistatus {
    pub(crate) fn new() -> Multistatus {
        Multistatus {
            out: format!(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus {}>",
                xml::DECLARATIONS
            ),
        }
    }

    /// One response with the properties `wanted` of `r`: those it has in a
    /// 200 propstat, the others in a 404 one.
    pub(crate) fn props(&mut self, ctx: &Ctx, r: &Resource, wanted: &Wanted, data: Data) {
        let mut found = String::new();
        let mut missing = String::new();
        match wanted {
            Wanted::All | Wanted::Names => {
                for (ns, local) in KNOWN {
                    if let Some(v) = property(ctx, r, ns, local, data) {
                        let v = if matches!(wanted, Wanted::Names) {
                            ""
                        } else {
                            &v
                        };
                        xml::element(&mut found, ns, local, v);
                    }
                }
            }
            Wanted::These(names) => {
                for (ns, local) in names {
                    match property(ctx, r, ns, local, data) {
                        Some(v) => xml::element(&mut found, ns, local, &v),
                        None => xml::element(&mut missing, ns, local, ""),
                    }
                }
            }
        }
        self.out.push_str("<D:response>");
        self.out.push_str(&href(&r.href()));
        for (props, status) in [(found, "200 OK"), (missing, "404 Not Found")] {
            if !props.is_empty() {
                self.out.push_str(&format!(
                    "<D:propstat><D:prop>{props}</D:prop><D:status>HTTP/1.1 {status}</D:status></D:propstat>"
                ));
            }
        }
        self.out.push_str("</D:response>");
    }

    /// A response with a status and no properties.
    pub(crate) fn status(&mut self, path: &str, status: &str) {
        self.out.push_str(&format!(
            "<D:response>{}<D:status>HTTP/1.1 {status}</D:status></D:response>",
            href(path)
        ));
    }

    pub(crate) fn raw(&mut self, xml: &str) {
        self.out.push_str(xml);
    }

    pub(crate) fn finish(mut self) -> Response {
        self.out.push_str("</D:multistatus>\n");
        xml_response(StatusCode::MULTI_STATUS, self.out)
    }
}

fn xml_response(status: StatusCode, body: String) -> Response {
    let mut res = (status, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml; charset=utf-8"),
    );
    res
}

/// A DAV:error with a precondition element and nothing in it.
pub(crate) fn error_condition(status: StatusCode, ns: &str, condition: &str) -> Response {
    xml_response(status, xml::error_body(ns, condition, ""))
}

/// A DAV:error that says in words what is wrong with the request.
pub(crate) fn error(status: StatusCode, message: &str) -> Response {
    xml_response(
        status,
        xml::error_body(DAV, "responsedescription", &xml::escape(message)),
    )
}

fn refuse_write(path: &str) -> Response {
    xml_response(
        StatusCode::FORBIDDEN,
        xml::error_body(
            DAV,
            "need-privileges",
            &format!(
                "<D:resource>{}<D:privilege><D:write/></D:privilege></D:resource>",
                href(path)
            ),
        ),
    )
}

fn not_found() -> Response {
    text(StatusCode::NOT_FOUND, "no such DAV resource\n")
}

fn text(status: StatusCode, body: &'static str) -> Response {
    crate::http::text(status, body)
}

/// GET and HEAD: an object's bytes with its ETag; a collection's name.
fn get(req: &Request, resource: Resource) -> Response {
    let Resource::Object(c, o) = resource else {
        return text(
            StatusCode::OK,
            "a DAV collection: add this server's address to an address book or calendar app\n",
        );
    };
    let etag = HeaderValue::from_str(&o.etag()).expect("hex digits are a valid header");
    let method = req.method();
    let mut res = Response::builder();
    let h = res.headers_mut().expect("a fresh builder has headers");
    h.insert(header::ETAG, etag.clone());
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if precondition(req.headers(), method, &etag, None) == Condition::NotModified {
        return res
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .expect("static headers are valid");
    }
    if precondition(req.headers(), method, &etag, None) == Condition::Failed {
        return text(
            StatusCode::PRECONDITION_FAILED,
            "precondition failed: the object is not the version the request names\n",
        );
    }
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(c.kind)),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(o.body.len()));
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(o.body.clone())
    };
    res.status(StatusCode::OK)
        .body(body)
        .expect("static headers are valid")
}
