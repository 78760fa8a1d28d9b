//! REPORT: addressbook-multiget and addressbook-query (RFC 6352 section 8),
//! calendar-multiget and calendar-query (RFC 4791 section 7), and
//! sync-collection (RFC 6578). Any other report (expand-property among
//! them) gets 403 with `DAV:supported-report`.

use axum::http::StatusCode;
use axum::response::Response;
use nspm_core::Audience;

use super::collection::{Collection, Kind};
use super::filter::{self, FilterError};
use super::xml::{self, CALDAV, CARDDAV, DAV, Element};
use super::{Ctx, Data, Form, Multistatus, Resource, Sees as _, Wanted, error, error_condition};

pub(super) fn report(ctx: &Ctx, resource: Resource, _depth: Option<u8>, body: &[u8]) -> Response {
    let root = match xml::parse(body) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let collection = match resource {
        Resource::Collection(c) => Some(c),
        Resource::Object(c, _) => Some(c),
        _ => None,
    };
    let kind = collection.map(|c| c.kind);
    let report = (root.ns.as_str(), root.name.as_str());
    let fits = match report {
        (CARDDAV, "addressbook-multiget" | "addressbook-query") => kind == Some(Kind::Addressbook),
        (CALDAV, "calendar-multiget" | "calendar-query") => kind == Some(Kind::Calendar),
        (DAV, "sync-collection") => matches!(resource, Resource::Collection(_)),
        _ => false,
    };
    let Some(c) = collection.filter(|_| fits) else {
        return error_condition(StatusCode::FORBIDDEN, DAV, "supported-report");
    };
    let (wanted, data) = match wanted(&root) {
        Ok(w) => w,
        Err(r) => return *r,
    };
    match report.1 {
        "addressbook-multiget" | "calendar-multiget" => multiget(ctx, c, &root, &wanted, data),
        "addressbook-query" | "calendar-query" => query(ctx, c, resource, &root, &wanted, data),
        _ => sync(ctx, c, &root, &wanted, data),
    }
}

/// The properties a report asks for, and which form of the objects'
/// data; a vCard version or type this server cannot give is refused
/// (RFC 6352 section 8.7, `supported-address-data`).
fn wanted(root: &Element) -> Result<(Wanted, Data<'_>), Box<Response>> {
    if root.child(DAV, "allprop").is_some() {
        return Ok((Wanted::All, Data::NONE));
    }
    let Some(prop) = root.child(DAV, "prop") else {
        return Ok((
            Wanted::These(vec![(DAV.into(), "getetag".into())]),
            Data::NONE,
        ));
    };
    let mut data = Data::NONE;
    if let Some(ad) = prop.child(CARDDAV, "address-data") {
        let ctype = ad.attr("content-type").unwrap_or("text/vcard");
        let version = ad.attr("version").unwrap_or("3.0");
        let form = match (ctype.eq_ignore_ascii_case("text/vcard"), version) {
            (true, "3.0") => Form::Default,
            (true, "4.0") => Form::V4,
            _ => {
                return Err(Box::new(error_condition(
                    StatusCode::FORBIDDEN,
                    CARDDAV,
                    "supported-address-data",
                )));
            }
        };
        data = Data {
            form,
            request: Some(ad),
        };
    }
    if let Some(cd) = prop.child(CALDAV, "calendar-data") {
        let ctype = cd.attr("content-type").unwrap_or("text/calendar");
        let version = cd.attr("version").unwrap_or("2.0");
        if !ctype.eq_ignore_ascii_case("text/calendar") || version != "2.0" {
            return Err(Box::new(error_condition(
                StatusCode::FORBIDDEN,
                CALDAV,
                "supported-calendar-data",
            )));
        }
        data = Data {
            form: Form::Default,
            request: Some(cd),
        };
    }
    Ok((Wanted::These(super::prop_names(prop)), data))
}

fn multiget(
    ctx: &Ctx,
    c: &Collection,
    root: &Element,
    wanted: &Wanted,
    data: Data<'_>,
) -> Response {
    let mut ms = Multistatus::new();
    for h in root.children.iter().filter(|e| e.is(DAV, "href")) {
        let object = super::href_path(&h.text)
            .and_then(|p| p.strip_prefix(c.path).map(str::to_string))
            .and_then(|name| c.get(&name));
        match object {
            Some(o) => ms.props(ctx, &Resource::Object(c, o), wanted, data),
            None => ms.status(h.text.trim(), "404 Not Found"),
        }
    }
    ms.finish()
}

fn query(
    ctx: &Ctx,
    c: &Collection,
    resource: Resource,
    root: &Element,
    wanted: &Wanted,
    data: Data<'_>,
) -> Response {
    let Some(f) = root.child(
        if c.kind == Kind::Addressbook {
            CARDDAV
        } else {
            CALDAV
        },
        "filter",
    ) else {
        // A calendar-query must have a filter; an addressbook-query without
        // one matches every card (RFC 6352 section 10.3 makes it optional
        // in practice, clients send an empty one).
        if c.kind == Kind::Calendar {
            return error_condition(StatusCode::FORBIDDEN, CALDAV, "valid-filter");
        }
        return answer_query(ctx, c, resource, None, wanted, data, limit(root));
    };
    if let Err(e) = filter::check_collations(f) {
        return filter_error(c.kind, e);
    }
    answer_query(ctx, c, resource, Some(f), wanted, data, limit(root))
}

/// `<limit><nresults>N</nresults></limit>`, RFC 6352 section 8.6.1.
fn limit(root: &Element) -> Option<usize> {
    let n = root
        .child(CARDDAV, "limit")
        .or_else(|| root.child(DAV, "limit"))?;
    n.children
        .iter()
        .find(|e| e.name == "nresults")
        .and_then(|e| e.text.trim().parse().ok())
}

fn answer_query(
    ctx: &Ctx,
    c: &Collection,
    resource: Resource,
    f: Option<&Element>,
    wanted: &Wanted,
    data: Data<'_>,
    limit: Option<usize>,
) -> Response {
    let candidates: Vec<_> = match resource {
        Resource::Object(_, o) => vec![o],
        _ => c.objects().iter().collect(),
    };
    let mut ms = Multistatus::new();
    let mut n = 0;
    for o in candidates {
        let matched = match f {
            None => Ok(true),
            Some(f) => match c.kind {
                Kind::Addressbook => filter::card_matches(f, o),
                Kind::Calendar => filter::event_matches(f, o),
            },
        };
        match matched {
            Ok(true) => {
                if limit.is_some_and(|l| n >= l) {
                    // RFC 6352 section 8.6.1: a truncated answer says so.
                    ms.status(c.path, "507 Insufficient Storage");
                    break;
                }
                n += 1;
                ms.props(ctx, &Resource::Object(c, o), wanted, data);
            }
            Ok(false) => {}
            Err(e) => return filter_error(c.kind, e),
        }
    }
    ms.finish()
}

fn filter_error(kind: Kind, e: FilterError) -> Response {
    let ns = if kind == Kind::Addressbook {
        CARDDAV
    } else {
        CALDAV
    };
    let condition = match e {
        FilterError::Collation => "supported-collation",
        FilterError::Unsupported => "supported-filter",
        FilterError::Invalid => "valid-filter",
    };
    error_condition(StatusCode::FORBIDDEN, ns, condition)
}

/// RFC 6578 section 3: everything for an empty token, what changed since
/// a known one, `valid-sync-token` for any other.
fn sync(ctx: &Ctx, c: &Collection, root: &Element, wanted: &Wanted, data: Data<'_>) -> Response {
    debug_assert!(ctx.reader.sees_audience(c.audience) || c.audience == Audience::Public);
    let token = root
        .child(DAV, "sync-token")
        .map(|t| t.text.trim())
        .unwrap_or("");
    if let Some(level) = root.child(DAV, "sync-level") {
        let level = level.text.trim();
        if level != "1" && level != "infinite" {
            return error(StatusCode::BAD_REQUEST, "sync-level must be 1 or infinite");
        }
    }
    let mut ms = Multistatus::new();
    if token.is_empty() {
        for o in c.objects() {
            ms.props(ctx, &Resource::Object(c, o), wanted, data);
        }
    } else {
        let Some(changes) = c.changes_since(token) else {
            return error_condition(StatusCode::FORBIDDEN, DAV, "valid-sync-token");
        };
        for o in changes.changed {
            ms.props(ctx, &Resource::Object(c, o), wanted, data);
        }
        for name in changes.removed {
            ms.status(
                &format!("{}{}", c.path, super::encode(&name)),
                "404 Not Found",
            );
        }
    }
    ms.raw(&format!(
        "<D:sync-token>{}</D:sync-token>",
        xml::escape(&c.token())
    ));
    ms.finish()
}
