//! CardDAV and CalDAV: discovery, PROPFIND, GET, the REPORTs and sync, on
//! the `members-area` fixture with access granted by the real
//! `nspm access grant`, driven in process over the `Transport` the
//! connection loop would give. Every multistatus is read with roxmltree,
//! a strict namespace-aware XML parser of its own, and checked against
//! RFC 4918's shape (one href per response, status lines, propstats).

use axum::http::StatusCode;
use nspm_core::Society;
use nspm_server::{AppState, Transport};

use super::Reply;
use super::members_area::{Members, TRACES, basic, call, members, tls, unfolded};
use crate::support;

const DAV: &str = "DAV:";
const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
const CARDDAV: &str = "urn:ietf:params:xml:ns:carddav";
const CS: &str = "http://calendarserver.org/ns/";

/// One `DAV:response` of a multistatus.
#[derive(Debug, Clone)]
struct Entry {
    href: String,
    /// The response's own status, for one without propstats.
    status: Option<u16>,
    /// (namespace, name, status, text of the value with its children's).
    props: Vec<(String, String, u16, String)>,
    /// The value's child elements, by (namespace, name), per property.
    children: Vec<(String, Vec<(String, String)>)>,
}

impl Entry {
    fn prop(&self, ns: &str, name: &str) -> Option<&str> {
        self.props
            .iter()
            .find(|(n, l, s, _)| n == ns && l == name && *s == 200)
            .map(|(.., v)| v.as_str())
    }

    fn missing(&self, ns: &str, name: &str) -> bool {
        self.props
            .iter()
            .any(|(n, l, s, _)| n == ns && l == name && *s == 404)
    }

    fn kids(&self, name: &str) -> Vec<(String, String)> {
        self.children
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, k)| k.clone())
            .unwrap_or_default()
    }
}

/// A parsed multistatus: its responses and its sync-token.
#[derive(Debug)]
struct Multistatus {
    entries: Vec<Entry>,
    token: Option<String>,
}

impl Multistatus {
    fn get(&self, href: &str) -> &Entry {
        self.entries
            .iter()
            .find(|e| e.href == href)
            .unwrap_or_else(|| panic!("no response for {href} in {:#?}", self.entries))
    }

    fn hrefs(&self) -> Vec<&str> {
        self.entries.iter().map(|e| e.href.as_str()).collect()
    }
}

fn status_line(text: &str) -> u16 {
    let t = text.trim();
    let rest = t
        .strip_prefix("HTTP/1.1 ")
        .unwrap_or_else(|| panic!("not a status line: {t:?}"));
    let (code, reason) = rest.split_at(3);
    assert!(
        reason.starts_with(' ') && reason.len() > 1,
        "no reason phrase: {t:?}"
    );
    code.parse().unwrap()
}

fn text_of(n: roxmltree::Node) -> String {
    n.descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect()
}

/// Reads a 207 body with roxmltree and checks its shape.
fn multistatus(r: &Reply) -> Multistatus {
    assert_eq!(r.status, StatusCode::MULTI_STATUS, "{}", r.text());
    assert!(
        r.header(axum::http::header::CONTENT_TYPE)
            .starts_with("application/xml")
    );
    let doc = roxmltree::Document::parse(r.text()).unwrap_or_else(|e| panic!("{e}: {}", r.text()));
    let root = doc.root_element();
    assert_eq!(root.tag_name().namespace(), Some(DAV));
    assert_eq!(root.tag_name().name(), "multistatus");
    let mut entries = Vec::new();
    let mut token = None;
    for resp in root.children().filter(|n| n.is_element()) {
        let tag = resp.tag_name();
        assert_eq!(tag.namespace(), Some(DAV));
        if tag.name() == "sync-token" {
            token = Some(text_of(resp));
            continue;
        }
        assert_eq!(tag.name(), "response");
        let hrefs: Vec<_> = resp
            .children()
            .filter(|n| n.has_tag_name((DAV, "href")))
            .collect();
        assert_eq!(hrefs.len(), 1, "one href per response: {}", r.text());
        let href = text_of(hrefs[0]);
        assert!(href.starts_with('/'), "{href}");
        let status = resp
            .children()
            .find(|n| n.has_tag_name((DAV, "status")))
            .map(|s| status_line(&text_of(s)));
        let mut props = Vec::new();
        let mut children = Vec::new();
        let propstats: Vec<_> = resp
            .children()
            .filter(|n| n.has_tag_name((DAV, "propstat")))
            .collect();
        assert!(
            status.is_some() == propstats.is_empty(),
            "a response has either a status or propstats: {}",
            r.text()
        );
        for ps in propstats {
            let code = status_line(&text_of(
                ps.children()
                    .find(|n| n.has_tag_name((DAV, "status")))
                    .expect("a propstat has a status"),
            ));
            let prop = ps
                .children()
                .find(|n| n.has_tag_name((DAV, "prop")))
                .expect("a propstat has a prop");
            for p in prop.children().filter(|n| n.is_element()) {
                let ns = p.tag_name().namespace().unwrap_or("").to_string();
                let name = p.tag_name().name().to_string();
                children.push((
                    name.clone(),
                    p.descendants()
                        .skip(1)
                        .filter(|d| d.is_element())
                        .map(|d| {
                            (
                                d.tag_name().namespace().unwrap_or("").to_string(),
                                d.tag_name().name().to_string(),
                            )
                        })
                        .collect(),
                ));
                props.push((ns, name, code, text_of(p)));
            }
        }
        entries.push(Entry {
            href,
            status,
            props,
            children,
        });
    }
    Multistatus { entries, token }
}

/// The precondition element of a DAV:error body.
fn condition(r: &Reply) -> (String, String) {
    let doc = roxmltree::Document::parse(r.text()).unwrap_or_else(|e| panic!("{e}: {}", r.text()));
    let root = doc.root_element();
    assert!(root.has_tag_name((DAV, "error")), "{}", r.text());
    let c = root.children().find(|n| n.is_element()).unwrap();
    (
        c.tag_name().namespace().unwrap_or("").to_string(),
        c.tag_name().name().to_string(),
    )
}

/// A DAV client: a fixture with grants, and requests over TLS.
struct Client {
    m: Members,
    state: AppState,
    auth: String,
}

impl Client {
    fn new() -> Client {
        let m = members();
        let state = m.state();
        let auth = basic("ada-quote", &m.valid.credential);
        Client { m, state, auth }
    }

    async fn anon(&self, method: &str, uri: &str, headers: &[(&str, &str)], body: &str) -> Reply {
        call(
            &self.state,
            method,
            uri,
            headers,
            Some(tls("198.51.100.20")),
            body,
        )
        .await
    }

    async fn member(&self, method: &str, uri: &str, headers: &[(&str, &str)], body: &str) -> Reply {
        let mut h = headers.to_vec();
        h.push(("authorization", &self.auth));
        call(
            &self.state,
            method,
            uri,
            &h,
            Some(tls("198.51.100.21")),
            body,
        )
        .await
    }

    async fn propfind(&self, uri: &str, depth: &str, body: &str) -> Multistatus {
        multistatus(
            &self
                .member("PROPFIND", uri, &[("depth", depth)], body)
                .await,
        )
    }

    /// Reads the data again, as the live reloader does after an edit.
    fn reload(&self) {
        let society = Society::load_dir(self.m.dir.path()).unwrap();
        self.state.replace(society, None).unwrap();
    }
}

const PROPS: &str = r#"<?xml version="1.0"?>
<d:propfind xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav" xmlns:cal="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/">
  <d:prop>
    <d:resourcetype/><d:displayname/><d:getetag/><d:getcontenttype/><cs:getctag/><d:sync-token/>
    <d:supported-report-set/><card:supported-address-data/><cal:supported-calendar-data/>
    <cal:supported-calendar-component-set/><card:addressbook-home-set/><cal:calendar-home-set/>
    <d:current-user-principal/><d:principal-URL/><d:owner/><d:current-user-privilege-set/>
    <x:color xmlns:x="http://example.org/unknown"/>
  </d:prop>
</d:propfind>"#;

const ADDRESSBOOK: &str = "/dav/addressbooks/members/";
const PUBLIC: &str = "/dav/calendars/public/";
const MEMBERS: &str = "/dav/calendars/members/";

#[tokio::test]
async fn clients_discover_the_collections_from_the_servers_address() {
    let c = Client::new();
    for (from, to) in [
        ("/.well-known/carddav", "/dav/addressbooks/"),
        ("/.well-known/caldav", "/dav/"),
    ] {
        for method in ["GET", "PROPFIND"] {
            let r = c.anon(method, from, &[], "").await;
            assert_eq!(r.status, StatusCode::MOVED_PERMANENTLY, "{method} {from}");
            assert_eq!(r.header(axum::http::header::LOCATION), to);
        }
    }
    let r = c.anon("OPTIONS", "/dav/", &[], "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.header("dav".parse().unwrap()),
        "1, 3, addressbook, calendar-access"
    );
    let allow = r.header(axum::http::header::ALLOW);
    for m in ["OPTIONS", "GET", "HEAD", "PROPFIND", "REPORT"] {
        assert!(allow.contains(m), "{allow}");
    }
    assert!(!allow.contains("PUT"));
    // Without a credential, the root asks for one, as mature servers do,
    // so that a client given only the address prompts for the member's
    // person id and credential rather than settling for the public.
    let body = r#"<propfind xmlns="DAV:"><prop><current-user-principal/><calendar-home-set xmlns="urn:ietf:params:xml:ns:caldav"/><addressbook-home-set xmlns="urn:ietf:params:xml:ns:carddav"/></prop></propfind>"#;
    for root in ["/", "/dav/", "/dav"] {
        let r = c.anon("PROPFIND", root, &[("depth", "0")], body).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{root}");
        assert!(
            r.header(axum::http::header::WWW_AUTHENTICATE)
                .starts_with("Basic realm="),
            "{root}"
        );
        assert!(!r.text().contains("principals"), "{root}: {}", r.text());
    }
    // The public calendar stays readable by its URL, and names the public
    // principal; its home lists it alone.
    let ms = multistatus(&c.anon("PROPFIND", PUBLIC, &[("depth", "0")], body).await);
    assert_eq!(
        ms.get(PUBLIC).prop(DAV, "current-user-principal"),
        Some("/dav/principals/public/")
    );
    let home = multistatus(
        &c.anon("PROPFIND", "/dav/calendars/", &[("depth", "1")], PROPS)
            .await,
    );
    assert_eq!(home.hrefs(), ["/dav/calendars/", PUBLIC]);
    let principal = multistatus(
        &c.anon(
            "PROPFIND",
            "/dav/principals/public/",
            &[("depth", "0")],
            body,
        )
        .await,
    );
    let p = principal.get("/dav/principals/public/");
    assert_eq!(p.prop(CALDAV, "calendar-home-set"), Some("/dav/calendars/"));
    assert!(p.missing(CARDDAV, "addressbook-home-set"));
    // A member is told of their principal and both homes.
    let ms = c.propfind("/", "0", body).await;
    let root = ms.get("/");
    assert_eq!(
        root.prop(DAV, "current-user-principal"),
        Some("/dav/principals/member/")
    );
    assert_eq!(
        root.prop(CARDDAV, "addressbook-home-set"),
        Some("/dav/addressbooks/")
    );
    let ms = c.propfind("/dav/principals/member/", "0", PROPS).await;
    let p = ms.get("/dav/principals/member/");
    assert_eq!(
        p.prop(DAV, "principal-URL"),
        Some("/dav/principals/member/")
    );
    assert_eq!(p.prop(CALDAV, "calendar-home-set"), Some("/dav/calendars/"));
    assert_eq!(p.kids("resourcetype"), [(DAV.into(), "principal".into())]);
    let home = c.propfind("/dav/calendars/", "1", PROPS).await;
    assert_eq!(home.hrefs(), ["/dav/calendars/", PUBLIC, MEMBERS]);
    let home = c.propfind("/dav/addressbooks/", "1", PROPS).await;
    assert_eq!(home.hrefs(), ["/dav/addressbooks/", ADDRESSBOOK]);
}

#[tokio::test]
async fn propfind_reports_every_property_and_404_for_unknown_ones() {
    let c = Client::new();
    let ms = c.propfind(ADDRESSBOOK, "1", PROPS).await;
    // The society's card and one per person of the fixture.
    assert_eq!(ms.entries.len(), 1 + 5, "{:#?}", ms.hrefs());
    let book = ms.get(ADDRESSBOOK);
    assert_eq!(
        book.kids("resourcetype"),
        [
            (DAV.into(), "collection".into()),
            (CARDDAV.into(), "addressbook".into())
        ]
    );
    assert_eq!(book.prop(DAV, "displayname"), Some("S&T members"));
    let token = book.prop(DAV, "sync-token").unwrap();
    assert!(token.starts_with("urn:nspm:sync:"), "{token}");
    assert_eq!(book.prop(CS, "getctag"), Some(token));
    let reports: Vec<String> = book
        .kids("supported-report-set")
        .into_iter()
        .filter(|(ns, n)| !(ns == DAV && (n == "supported-report" || n == "report")))
        .map(|(_, n)| n)
        .collect();
    assert_eq!(
        reports,
        [
            "addressbook-multiget",
            "addressbook-query",
            "sync-collection"
        ]
    );
    assert_eq!(
        book.kids("supported-address-data"),
        [
            (CARDDAV.into(), "address-data-type".into()),
            (CARDDAV.into(), "address-data-type".into())
        ]
    );
    assert_eq!(book.prop(DAV, "owner"), Some("/dav/principals/member/"));
    assert_eq!(
        book.kids("current-user-privilege-set"),
        [
            (DAV.into(), "privilege".into()),
            (DAV.into(), "read".into()),
            (DAV.into(), "privilege".into()),
            (DAV.into(), "read-current-user-privilege-set".into())
        ]
    );
    assert!(book.missing("http://example.org/unknown", "color"));
    assert!(book.missing(DAV, "getetag"));
    assert!(book.missing(CALDAV, "supported-calendar-data"));
    for card in ms.entries.iter().filter(|e| e.href != ADDRESSBOOK) {
        assert!(card.href.starts_with(ADDRESSBOOK) && card.href.ends_with(".vcf"));
        let etag = card.prop(DAV, "getetag").unwrap();
        assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
        assert_eq!(
            card.prop(DAV, "getcontenttype"),
            Some("text/vcard; charset=utf-8")
        );
        assert_eq!(card.kids("resourcetype"), []);
        assert!(card.missing(DAV, "sync-token"));
    }
    let cal = c.propfind(MEMBERS, "0", PROPS).await;
    let cal = cal.get(MEMBERS);
    assert_eq!(
        cal.kids("resourcetype"),
        [
            (DAV.into(), "collection".into()),
            (CALDAV.into(), "calendar".into())
        ]
    );
    assert_eq!(
        cal.kids("supported-calendar-component-set"),
        [(CALDAV.into(), "comp".into())]
    );
    assert_eq!(
        cal.kids("supported-calendar-data"),
        [(CALDAV.into(), "calendar-data".into())]
    );
    // allprop and an empty body give the same; propname names them.
    let all = c.propfind(PUBLIC, "0", "").await;
    assert!(all.get(PUBLIC).prop(DAV, "sync-token").is_some());
    let names = c
        .propfind(
            PUBLIC,
            "0",
            r#"<propfind xmlns="DAV:"><propname/></propfind>"#,
        )
        .await;
    assert_eq!(names.get(PUBLIC).prop(DAV, "sync-token"), Some(""));
    // Depth infinity, given or by default, is refused (RFC 4918 9.1).
    for depth in [&[("depth", "infinity")][..], &[]] {
        let r = c.member("PROPFIND", ADDRESSBOOK, depth, PROPS).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(condition(&r), (DAV.into(), "propfind-finite-depth".into()));
    }
}

#[tokio::test]
async fn objects_are_served_with_the_etag_propfind_reported() {
    let c = Client::new();
    let ms = c.propfind(MEMBERS, "1", PROPS).await;
    let events: Vec<&Entry> = ms.entries.iter().filter(|e| e.href != MEMBERS).collect();
    assert_eq!(events.len(), 3);
    assert!(events.iter().any(|e| e.href
        == "/dav/calendars/members/berlin-2016@members-area.nspm.ics"
        || e.href.starts_with("/dav/calendars/members/berlin-2016@")));
    for e in &events {
        let etag = e.prop(DAV, "getetag").unwrap();
        let r = c.member("GET", &e.href, &[], "").await;
        assert_eq!(r.status, StatusCode::OK, "{}", e.href);
        assert_eq!(r.header(axum::http::header::ETAG), etag);
        assert!(
            r.header(axum::http::header::CONTENT_TYPE)
                .starts_with("text/calendar")
        );
        assert_eq!(
            r.header(axum::http::header::CACHE_CONTROL),
            "private, no-store"
        );
        let ics = unfolded(&r);
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1, "{ics}");
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        let head = c.member("HEAD", &e.href, &[], "").await;
        assert_eq!(head.status, StatusCode::OK);
        assert!(head.body.is_empty());
        assert_eq!(head.header(axum::http::header::ETAG), etag);
        let again = c
            .member("GET", &e.href, &[("if-none-match", etag)], "")
            .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
        assert!(again.body.is_empty());
    }
    let berlin = events
        .iter()
        .find(|e| e.href.contains("berlin-2016"))
        .unwrap();
    let r = c.member("GET", &berlin.href, &[], "").await;
    assert!(unfolded(&r).contains("canary-notes-first"), "{}", r.text());
    // The public calendar's event has no members-only detail.
    let public = berlin.href.replace(MEMBERS, PUBLIC);
    let r = c.anon("GET", &public, &[], "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!unfolded(&r).contains("anary"), "{}", r.text());
    assert!(unfolded(&r).contains("SUMMARY:Berlin workshop"));
    let r = c
        .anon("GET", "/dav/calendars/public/nothing.ics", &[], "")
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A card, found by its UID.
    let book = c.propfind(ADDRESSBOOK, "1", PROPS).await;
    let mut found = false;
    for e in book.entries.iter().filter(|e| e.href != ADDRESSBOOK) {
        let r = c.member("GET", &e.href, &[], "").await;
        assert_eq!(
            r.header(axum::http::header::ETAG),
            e.prop(DAV, "getetag").unwrap()
        );
        let card = unfolded(&r);
        assert!(card.starts_with("BEGIN:VCARD\r\nVERSION:3.0\r\n"), "{card}");
        let uid = e
            .href
            .trim_start_matches(ADDRESSBOOK)
            .trim_end_matches(".vcf");
        assert!(card.contains(&format!("UID:urn:uuid:{uid}\r\n")), "{card}");
        found |= card.contains("canary-ada-email@example.org");
    }
    assert!(found, "the members-only email is in the address book");
}

/// The listings and reports come compressed as the client prefers, the
/// same XML once decoded; the objects come as they are, with the ETag the
/// listing gave, whatever the client accepts.
#[tokio::test]
async fn multistatus_answers_are_compressed_and_objects_keep_their_etag() {
    let c = Client::new();
    let events = c.propfind(MEMBERS, "1", PROPS).await;
    let multiget = format!(
        r#"<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop>{}</C:calendar-multiget>"#,
        events
            .hrefs()
            .iter()
            .filter(|h| **h != MEMBERS)
            .map(|h| format!("<D:href>{h}</D:href>"))
            .collect::<String>()
    );
    for (method, uri, body) in [
        ("PROPFIND", ADDRESSBOOK, PROPS),
        ("PROPFIND", PUBLIC, PROPS),
        ("REPORT", MEMBERS, multiget.as_str()),
    ] {
        let h = |accept: &'static str| [("depth", "1"), ("accept-encoding", accept)];
        let plain = c.member(method, uri, &[("depth", "1")], body).await;
        assert_eq!(plain.status, StatusCode::MULTI_STATUS, "{uri}");
        assert!(plain.headers.get("content-encoding").is_none());
        for (accept, coding) in [
            ("gzip, deflate", Some("gzip")),
            ("gzip, deflate, br", Some("br")),
            ("br;q=0.5, gzip", Some("gzip")),
            ("identity", None),
            ("gzip;q=0, br;q=0", None),
        ] {
            let r = c.member(method, uri, &h(accept), body).await;
            assert_eq!(r.status, StatusCode::MULTI_STATUS, "{uri} {accept}");
            assert_eq!(
                r.headers
                    .get("content-encoding")
                    .map(|v| v.to_str().unwrap()),
                coding,
                "{uri} {accept}"
            );
            let vary = r.header(axum::http::header::VARY);
            assert!(vary.contains("Accept-Encoding"), "{uri}: {vary}");
            assert!(vary.contains("Authorization"), "{uri}: {vary}");
            assert_eq!(super::headers::decoded(&r), plain.body, "{uri} {accept}");
            if coding.is_some() {
                assert!(
                    r.body.len() * 2 < plain.body.len(),
                    "{uri} {accept}: {} of {} bytes",
                    r.body.len(),
                    plain.body.len()
                );
                let length: usize = r
                    .header(axum::http::header::CONTENT_LENGTH)
                    .parse()
                    .unwrap();
                assert_eq!(length, r.body.len());
            }
        }
    }
    // The public calendar's listing, as anyone gets it, is compressed too.
    let r = c
        .anon(
            "PROPFIND",
            PUBLIC,
            &[("depth", "1"), ("accept-encoding", "gzip")],
            PROPS,
        )
        .await;
    assert_eq!(r.header(axum::http::header::CONTENT_ENCODING), "gzip");
    assert_eq!(
        r.header(axum::http::header::VARY),
        "Accept-Encoding, Authorization"
    );
    // The objects: the body as it is and the listing's ETag.
    let ms = c.propfind(ADDRESSBOOK, "1", PROPS).await;
    let cards: Vec<&Entry> = ms
        .entries
        .iter()
        .filter(|e| e.href != ADDRESSBOOK)
        .collect();
    assert!(!cards.is_empty());
    for e in cards {
        let r = c
            .member(
                "GET",
                &e.href,
                &[("accept-encoding", "gzip, deflate, br")],
                "",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.headers.get("content-encoding").is_none(), "{}", e.href);
        assert_eq!(
            r.header(axum::http::header::ETAG),
            e.prop(DAV, "getetag").unwrap()
        );
        assert!(r.text().starts_with("BEGIN:VCARD\r\n"));
    }
}

#[tokio::test]
async fn members_collections_need_a_credential_and_tls() {
    let c = Client::new();
    for uri in [
        "/",
        "/dav/",
        ADDRESSBOOK,
        MEMBERS,
        "/dav/addressbooks/",
        "/dav/principals/member/",
    ] {
        let r = c.anon("PROPFIND", uri, &[("depth", "0")], PROPS).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{uri}");
        assert!(
            r.header(axum::http::header::WWW_AUTHENTICATE)
                .starts_with("Basic realm=")
        );
    }
    // The public calendar needs none, even over plain HTTP.
    let r = call(&c.state, "PROPFIND", PUBLIC, &[("depth", "1")], None, PROPS).await;
    assert_eq!(multistatus(&r).entries.len(), 4);
    // A credential over plain HTTP from elsewhere is refused.
    let plain = Transport {
        secure: false,
        own_tls: false,
        client: "192.0.2.30".parse().unwrap(),
        loopback: false,
    };
    let h = [("authorization", c.auth.as_str()), ("depth", "0")];
    let r = call(&c.state, "PROPFIND", ADDRESSBOOK, &h, Some(plain), PROPS).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A wrong credential is refused, not taken for the public.
    let wrong = basic("ada-quote", "nspm_wrong");
    let h = [("authorization", wrong.as_str()), ("depth", "0")];
    let r = call(
        &c.state,
        "PROPFIND",
        PUBLIC,
        &h,
        Some(tls("192.0.2.31")),
        PROPS,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

/// Every request a client makes, with every kind of credential that is
/// not valid: no canary in any answer, and no members' resource served.
#[tokio::test]
async fn nothing_members_only_reaches_anyone_without_a_valid_credential() {
    let c = Client::new();
    let book = c.propfind(ADDRESSBOOK, "1", PROPS).await;
    let cal = c.propfind(MEMBERS, "1", PROPS).await;
    let mut hrefs: Vec<String> = book
        .entries
        .iter()
        .chain(&cal.entries)
        .map(|e| e.href.clone())
        .collect();
    hrefs.extend(
        [
            "/",
            "/dav/",
            "/dav/principals/",
            "/dav/principals/member/",
            "/dav/principals/public/",
            "/dav/addressbooks/",
            "/dav/calendars/",
            PUBLIC,
        ]
        .map(String::from),
    );
    let multiget = format!(
        r#"<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/><C:address-data/></D:prop>{}</C:addressbook-multiget>"#,
        book.hrefs()
            .iter()
            .map(|h| format!("<D:href>{h}</D:href>"))
            .collect::<String>()
    );
    let sync = r#"<D:sync-collection xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/><C:calendar-data/></D:prop></D:sync-collection>"#;
    let m = &c.m;
    let wrong = basic("ada-quote", &format!("{}x", m.valid.credential));
    let expired = basic("bjorn-long", &m.expired.credential);
    let revoked = basic("carl-abroad", &m.revoked.credential);
    let valid = basic("ada-quote", &m.valid.credential);
    let plain = Transport {
        secure: false,
        own_tls: false,
        client: "192.0.2.49".parse().unwrap(),
        loopback: false,
    };
    let tries: Vec<(Option<&str>, Transport)> = vec![
        (None, tls("192.0.2.40")),
        (Some(&wrong), tls("192.0.2.41")),
        (Some(&expired), tls("192.0.2.42")),
        (Some(&revoked), tls("192.0.2.43")),
        (Some(&valid), plain),
    ];
    let mut checked = 0;
    for (auth, t) in &tries {
        for href in &hrefs {
            for (method, depth, body) in [
                ("GET", "0", ""),
                ("PROPFIND", "1", PROPS),
                ("PROPFIND", "1", ""),
                ("REPORT", "1", multiget.as_str()),
                ("REPORT", "1", sync),
            ] {
                let mut h = vec![("depth", depth)];
                if let Some(a) = auth {
                    h.push(("authorization", a));
                }
                let r = call(&c.state, method, href, &h, Some(*t), body).await;
                let text = unfolded(&r);
                for trace in TRACES {
                    assert!(
                        !text.contains(trace),
                        "{method} {href} with {auth:?} shows {trace}: {text}"
                    );
                }
                let members_only = href.starts_with(ADDRESSBOOK)
                    || href.starts_with(MEMBERS)
                    || href == "/"
                    || href == "/dav/"
                    || href == "/dav/addressbooks/"
                    || href == "/dav/principals/member/";
                // `/` answers GET with the website's home page.
                let site = href == "/" && method == "GET";
                if (members_only || auth.is_some()) && !site {
                    assert!(
                        !r.status.is_success(),
                        "{method} {href} with {auth:?}: {}",
                        r.status
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 300, "{checked}");
}

#[tokio::test]
async fn write_methods_are_refused_with_a_precondition() {
    let c = Client::new();
    for method in [
        "PUT",
        "DELETE",
        "PROPPATCH",
        "MKCOL",
        "MKCALENDAR",
        "MOVE",
        "COPY",
        "LOCK",
        "UNLOCK",
    ] {
        for uri in [ADDRESSBOOK, PUBLIC, "/dav/calendars/public/x.ics"] {
            let r = c
                .member(method, uri, &[], "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {uri}");
            assert_eq!(condition(&r), (DAV.into(), "need-privileges".into()));
        }
    }
    let r = c.member("BREW", PUBLIC, &[], "").await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.header(axum::http::header::ALLOW).contains("PROPFIND"));
    // Nothing changed.
    let before = c.propfind(PUBLIC, "1", PROPS).await;
    assert_eq!(before.entries.len(), 4);
}

#[tokio::test]
async fn hostile_and_broken_bodies_get_a_4xx_with_a_dav_error() {
    let c = Client::new();
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&x;</D:displayname></D:prop></D:propfind>"#;
    let lol = format!(
        r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">{}]><D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&lol9;</D:displayname></D:prop></D:propfind>"#,
        (1..10)
            .map(|i| format!(
                "<!ENTITY lol{i} \"{}\">",
                format!("&lol{};", i - 1)
                    .replace("&lol0;", "&lol;")
                    .repeat(10)
            ))
            .collect::<String>()
    );
    let undefined = r#"<D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&x;</D:displayname></D:prop></D:propfind>"#;
    for (body, what) in [
        (xxe, "external entity"),
        (lol.as_str(), "entity expansion"),
        (undefined, "undefined entity"),
        ("<D:propfind xmlns:D=\"DAV:\"><D:prop>", "unclosed"),
        ("<propfind><prop/></propfind>", "no namespace"),
        ("not xml", "text"),
    ] {
        for method in ["PROPFIND", "REPORT"] {
            let r = c.member(method, PUBLIC, &[("depth", "0")], body).await;
            assert!(r.status.is_client_error(), "{what} {method}: {}", r.status);
            assert!(!r.text().contains("root:"), "{what}");
            let (ns, _) = condition(&r);
            assert_eq!(ns, DAV);
        }
    }
    let big = format!(
        r#"<D:propfind xmlns:D="DAV:"><D:prop>{}</D:prop></D:propfind>"#,
        "<D:displayname/>".repeat(80_000)
    );
    assert!(big.len() > 1024 * 1024);
    let r = c.member("PROPFIND", PUBLIC, &[("depth", "0")], &big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let r = c
        .member(
            "REPORT",
            PUBLIC,
            &[("depth", "0")],
            r#"<D:expand-property xmlns:D="DAV:"><D:property name="owner"/></D:expand-property>"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(condition(&r), (DAV.into(), "supported-report".into()));
    let r = c
        .member(
            "REPORT",
            PUBLIC,
            &[("depth", "1")],
            r#"<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/></D:prop></C:addressbook-multiget>"#,
        )
        .await;
    assert_eq!(condition(&r), (DAV.into(), "supported-report".into()));
}

/// The sync token of a collection, from a member's PROPFIND.
async fn token(c: &Client, uri: &str) -> String {
    let ms = c
        .propfind(
            uri,
            "0",
            r#"<propfind xmlns="DAV:"><prop><sync-token/></prop></propfind>"#,
        )
        .await;
    ms.get(uri).prop(DAV, "sync-token").unwrap().to_string()
}

async fn sync(c: &Client, uri: &str, token: &str) -> Reply {
    let body = format!(
        r#"<?xml version="1.0"?><sync-collection xmlns="DAV:"><sync-token>{token}</sync-token><sync-level>1</sync-level><prop><getetag/></prop></sync-collection>"#
    );
    c.member("REPORT", uri, &[("depth", "0")], &body).await
}

#[tokio::test]
async fn sync_after_an_edit_gives_one_card_and_after_a_removal_one_404() {
    let c = Client::new();
    let full = multistatus(&sync(&c, ADDRESSBOOK, "").await);
    assert_eq!(full.entries.len(), 5);
    let t0 = full.token.clone().unwrap();
    assert_eq!(t0, token(&c, ADDRESSBOOK).await);
    // Nothing changed: nothing to fetch.
    let none = multistatus(&sync(&c, ADDRESSBOOK, &t0).await);
    assert!(none.entries.is_empty());
    assert_eq!(none.token.as_deref(), Some(t0.as_str()));

    let dir = c.m.dir.path();
    support::nspm_ok(
        dir,
        &[
            "people",
            "edit",
            "dana-guest",
            "--email",
            "canary-dana-new@example.org",
        ],
    );
    c.reload();
    let changed = multistatus(&sync(&c, ADDRESSBOOK, &t0).await);
    assert_eq!(changed.entries.len(), 1, "{:#?}", changed.entries);
    let card = &changed.entries[0];
    assert!(card.prop(DAV, "getetag").is_some());
    let r = c.member("GET", &card.href, &[], "").await;
    assert!(unfolded(&r).contains("canary-dana-new@example.org"));
    let t1 = changed.token.clone().unwrap();
    assert_ne!(t1, t0);
    // The calendars did not change.
    let cal = token(&c, PUBLIC).await;

    support::nspm_ok(dir, &["people", "remove", "dana-guest"]);
    c.reload();
    let removed = multistatus(&sync(&c, ADDRESSBOOK, &t1).await);
    assert_eq!(removed.entries.len(), 1, "{:#?}", removed.entries);
    assert_eq!(removed.entries[0].href, card.href);
    assert_eq!(removed.entries[0].status, Some(404));
    // From the first token both changes show as the one removal.
    let both = multistatus(&sync(&c, ADDRESSBOOK, &t0).await);
    assert_eq!(both.entries.len(), 1);
    assert_eq!(both.entries[0].status, Some(404));
    assert_eq!(token(&c, PUBLIC).await, cal);
    let t2 = removed.token.unwrap();

    // A new process on the same data gives the same tokens and knows the
    // current one; an older one gets the precondition error.
    let fresh = Client {
        state: {
            let state = AppState::new(Society::load_dir(dir).unwrap()).unwrap();
            state.open_access(dir).unwrap();
            state
        },
        auth: c.auth.clone(),
        m: c.m,
    };
    assert_eq!(token(&fresh, ADDRESSBOOK).await, t2);
    let current = multistatus(&sync(&fresh, ADDRESSBOOK, &t2).await);
    assert!(current.entries.is_empty());
    for stale in [
        t0.as_str(),
        "urn:nspm:sync:00000000000000000000000000000000",
        "garbage",
    ] {
        let r = sync(&fresh, ADDRESSBOOK, stale).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{stale}");
        assert_eq!(condition(&r), (DAV.into(), "valid-sync-token".into()));
    }
}

/// A REPORT as a member, with Depth 1.
async fn report(c: &Client, uri: &str, body: &str) -> Reply {
    c.member("REPORT", uri, &[("depth", "1")], body).await
}

/// The FN of every card an addressbook-query with `filter` finds.
async fn query_names(c: &Client, filter: &str) -> Vec<String> {
    let body = format!(
        r#"<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/><C:address-data/></D:prop><C:filter{filter}</C:filter></C:addressbook-query>"#
    );
    let ms = multistatus(&report(c, ADDRESSBOOK, &body).await);
    let mut names: Vec<String> = ms
        .entries
        .iter()
        .map(|e| {
            let card = e
                .prop(CARDDAV, "address-data")
                .unwrap()
                .replace("\r\n ", "");
            card.lines()
                .find_map(|l| l.strip_prefix("FN:"))
                .unwrap()
                .trim()
                .to_string()
        })
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn addressbook_reports_find_cards_by_name_and_email() {
    let c = Client::new();
    let book = c.propfind(ADDRESSBOOK, "1", PROPS).await;
    let cards: Vec<&Entry> = book
        .entries
        .iter()
        .filter(|e| e.href != ADDRESSBOOK)
        .collect();
    // multiget: the cards asked for, in 3.0 by default and 4.0 on request,
    // and a 404 for a name that is not there.
    let hrefs: String = cards
        .iter()
        .take(2)
        .map(|e| format!("<D:href>{}</D:href>", e.href))
        .collect::<String>()
        + "<D:href>/dav/addressbooks/members/nobody.vcf</D:href>";
    for (data, version) in [
        ("<C:address-data/>", "3.0"),
        (
            r#"<C:address-data content-type="text/vcard" version="4.0"/>"#,
            "4.0",
        ),
    ] {
        let body = format!(
            r#"<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/>{data}</D:prop>{hrefs}</C:addressbook-multiget>"#
        );
        let ms = multistatus(&report(&c, ADDRESSBOOK, &body).await);
        assert_eq!(ms.entries.len(), 3);
        for e in &cards[..2] {
            let got = ms.get(&e.href);
            assert_eq!(got.prop(DAV, "getetag"), e.prop(DAV, "getetag"));
            let card = got.prop(CARDDAV, "address-data").unwrap();
            assert!(
                card.starts_with(&format!("BEGIN:VCARD\r\nVERSION:{version}\r\n")),
                "{card}"
            );
        }
        assert_eq!(
            ms.get("/dav/addressbooks/members/nobody.vcf").status,
            Some(404)
        );
    }
    let r = report(
        &c,
        ADDRESSBOOK,
        r#"<C:addressbook-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><C:address-data content-type="application/vcard+json"/></D:prop></C:addressbook-multiget>"#,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        condition(&r),
        (CARDDAV.into(), "supported-address-data".into())
    );

    // addressbook-query: text-match on FN and EMAIL, each match type, the
    // collations, negation and allof.
    let fn_match = |text: &str, attrs: &str| {
        format!(
            r#"><C:prop-filter name="FN"><C:text-match{attrs}>{text}</C:text-match></C:prop-filter>"#
        )
    };
    assert_eq!(query_names(&c, &fn_match("björn", "")).await.len(), 1);
    assert_eq!(query_names(&c, &fn_match("BJÖRN", "")).await.len(), 1);
    // i;unicode-casemap (RFC 5051), CardDAV's default, named or not: an o
    // with a combining diaeresis is the ö of the card, in any case; octet
    // and ASCII comparisons see different characters.
    let decomposed = "BJO\u{308}RN";
    for attrs in ["", r#" collation="i;unicode-casemap""#] {
        assert_eq!(
            query_names(&c, &fn_match(decomposed, attrs)).await.len(),
            1,
            "{attrs}"
        );
    }
    for attrs in [r#" collation="i;octet""#, r#" collation="i;ascii-casemap""#] {
        assert!(
            query_names(&c, &fn_match(decomposed, attrs))
                .await
                .is_empty(),
            "{attrs}"
        );
    }
    assert!(
        query_names(&c, &fn_match("BJÖRN", r#" collation="i;ascii-casemap""#))
            .await
            .is_empty()
    );
    assert!(
        query_names(&c, &fn_match("dana", r#" collation="i;octet""#))
            .await
            .is_empty()
    );
    assert_eq!(
        query_names(&c, &fn_match("Dana Guest", r#" match-type="equals""#)).await,
        ["Dana Guest"]
    );
    assert!(
        query_names(&c, &fn_match("Dana", r#" match-type="equals""#))
            .await
            .is_empty()
    );
    assert_eq!(
        query_names(&c, &fn_match("carl", r#" match-type="starts-with""#)).await,
        ["Carl Abroad"]
    );
    assert_eq!(
        query_names(&c, &fn_match("abroad", r#" match-type="ends-with""#)).await,
        ["Carl Abroad"]
    );
    let everyone = query_names(&c, ">").await;
    assert_eq!(everyone.len(), 5, "{everyone:?}");
    let not_carl = query_names(&c, &fn_match("carl", r#" negate-condition="yes""#)).await;
    assert_eq!(not_carl.len(), 4);
    assert!(!not_carl.contains(&"Carl Abroad".to_string()));
    // The members-only email is found, as members see it.
    let email =
        r#"><C:prop-filter name="EMAIL"><C:text-match>canary-ada</C:text-match></C:prop-filter>"#;
    let found = query_names(&c, email).await;
    assert_eq!(found.len(), 1);
    assert!(found[0].starts_with("Ada"), "{found:?}");
    let no_email = query_names(
        &c,
        r#"><C:prop-filter name="EMAIL"><C:is-not-defined/></C:prop-filter>"#,
    )
    .await;
    assert_eq!(no_email, ["Carl Abroad"]);
    let email_at =
        r#"<C:prop-filter name="EMAIL"><C:text-match>example.org</C:text-match></C:prop-filter>"#;
    let any = query_names(&c, &format!("{}{email_at}", fn_match("a", ""))).await;
    assert!(any.contains(&"Carl Abroad".to_string()), "{any:?}");
    let both = query_names(
        &c,
        &format!(r#" test="allof"{}{email_at}"#, fn_match("a", "")),
    )
    .await;
    assert!(!both.is_empty() && both.len() < any.len(), "{both:?}");
    assert!(both.iter().all(|n| n != "Carl Abroad"), "{both:?}");
    // A limit truncates, and says so with a 507 for the collection.
    let body = r#"<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/></D:prop><C:filter/><C:limit><C:nresults>2</C:nresults></C:limit></C:addressbook-query>"#;
    let ms = multistatus(&report(&c, ADDRESSBOOK, body).await);
    assert_eq!(ms.entries.len(), 3);
    assert_eq!(ms.get(ADDRESSBOOK).status, Some(507));
    let r = report(&c, ADDRESSBOOK, &format!(
        r#"<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/></D:prop><C:filter{}</C:filter></C:addressbook-query>"#,
        fn_match("x", r#" collation="i;klingon""#)
    ))
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        condition(&r),
        (CARDDAV.into(), "supported-collation".into())
    );
    // Refused too when no card has the property it would compare, and in a
    // calendar-query, with CalDAV's namespace.
    let r = report(&c, ADDRESSBOOK, r#"<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><D:getetag/></D:prop><C:filter><C:prop-filter name="X-NOBODY-HAS-THIS"><C:text-match collation="i;klingon">x</C:text-match></C:prop-filter></C:filter></C:addressbook-query>"#).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        condition(&r),
        (CARDDAV.into(), "supported-collation".into())
    );
    let r = report(&c, PUBLIC, r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match collation="i;basic">workshop</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"#).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(condition(&r), (CALDAV.into(), "supported-collation".into()));
    // The collations there are are taken in a calendar-query.
    for collation in ["i;ascii-casemap", "i;unicode-casemap", "i;octet"] {
        let r = report(&c, PUBLIC, &format!(r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match collation="{collation}">Berlin workshop</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"#)).await;
        assert_eq!(
            multistatus(&r).entries.len(),
            1,
            "{collation}: {}",
            r.text()
        );
    }
}

/// The SUMMARY of every event a calendar-query for the range finds.
async fn in_range(c: &Client, cal: &str, start: &str, end: &str) -> Vec<String> {
    let body = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:prop><d:getetag/><c:calendar-data/></d:prop>
  <c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">
    <c:time-range start="{start}" end="{end}"/>
  </c:comp-filter></c:comp-filter></c:filter>
</c:calendar-query>"#
    );
    let ms = multistatus(&report(c, cal, &body).await);
    let mut found: Vec<String> = ms
        .entries
        .iter()
        .map(|e| {
            let ics = e
                .prop(CALDAV, "calendar-data")
                .unwrap()
                .replace("\r\n ", "");
            ics.lines()
                .find_map(|l| l.strip_prefix("SUMMARY:"))
                .unwrap()
                .to_string()
        })
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn calendar_reports_honour_month_and_year_long_spans() {
    let c = Client::new();
    // The year-long 2014 meeting covers any day of 2014 and none of 2015.
    let first = "First <meeting> (date: 2014\\, month and day not known)";
    assert_eq!(
        in_range(&c, PUBLIC, "20140701T000000Z", "20140702T000000Z").await,
        [first]
    );
    assert_eq!(
        in_range(&c, PUBLIC, "20141231T230000Z", "20150101T000000Z").await,
        [first]
    );
    assert!(
        in_range(&c, PUBLIC, "20150101T000000Z", "20150102T000000Z")
            .await
            .is_empty()
    );
    // The month-long May 2015 one covers its last day, not June.
    let bergen = "Bergen meeting (date: May 2015\\, day not known)";
    assert_eq!(
        in_range(&c, PUBLIC, "20150531T120000Z", "20150531T130000Z").await,
        [bergen]
    );
    assert!(
        in_range(&c, PUBLIC, "20150601T000000Z", "20150602T000000Z")
            .await
            .is_empty()
    );
    // The three days in Berlin end before the 15th.
    assert_eq!(
        in_range(&c, MEMBERS, "20160914T000000Z", "20160915T000000Z").await,
        ["Berlin workshop"]
    );
    assert!(
        in_range(&c, MEMBERS, "20160915T000000Z", "20160916T000000Z")
            .await
            .is_empty()
    );
    assert_eq!(
        in_range(&c, MEMBERS, "20000101T000000Z", "20300101T000000Z")
            .await
            .len(),
        3
    );
    // An open end, a missing filter, a time that is not UTC.
    let open = r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20160101T000000Z"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"#;
    assert_eq!(
        multistatus(&report(&c, PUBLIC, open).await).entries.len(),
        1
    );
    let todo = r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"/></C:comp-filter></C:filter></C:calendar-query>"#;
    assert!(
        multistatus(&report(&c, PUBLIC, todo).await)
            .entries
            .is_empty()
    );
    let summary = r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match>WORKSHOP</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"#;
    assert_eq!(
        multistatus(&report(&c, PUBLIC, summary).await)
            .entries
            .len(),
        1
    );
    let nofilter = r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/></D:prop></C:calendar-query>"#;
    let r = report(&c, PUBLIC, nofilter).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(condition(&r), (CALDAV.into(), "valid-filter".into()));
    let local = open.replace("20160101T000000Z", "20160101T000000");
    let r = report(&c, PUBLIC, &local).await;
    assert_eq!(condition(&r), (CALDAV.into(), "valid-filter".into()));
    // calendar-multiget gives the same bytes as GET.
    let cal = c.propfind(MEMBERS, "1", PROPS).await;
    let hrefs: String = cal
        .entries
        .iter()
        .filter(|e| e.href != MEMBERS)
        .map(|e| format!("<D:href>{}</D:href>", e.href))
        .collect();
    let body = format!(
        r#"<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:getetag/><C:calendar-data/></D:prop>{hrefs}</C:calendar-multiget>"#
    );
    let ms = multistatus(&report(&c, MEMBERS, &body).await);
    assert_eq!(ms.entries.len(), 3);
    for e in &ms.entries {
        let r = c.member("GET", &e.href, &[], "").await;
        assert_eq!(e.prop(CALDAV, "calendar-data").unwrap(), r.text());
    }
}

#[tokio::test]
async fn sync_after_a_meeting_edit_gives_that_one_event() {
    let c = Client::new();
    let full = multistatus(&sync(&c, MEMBERS, "").await);
    assert_eq!(full.entries.len(), 3);
    let t0 = full.token.unwrap();
    support::nspm_ok(
        c.m.dir.path(),
        &[
            "meetings",
            "edit",
            "bergen-2015",
            "--summary",
            "A spring meeting.",
        ],
    );
    c.reload();
    let changed = multistatus(&sync(&c, MEMBERS, &t0).await);
    assert_eq!(changed.hrefs().len(), 1, "{:#?}", changed.hrefs());
    assert!(changed.entries[0].href.contains("bergen-2015"));
}

#[tokio::test]
async fn failed_credentials_on_dav_are_rate_limited_like_the_members_area() {
    let c = Client::new();
    let attacker = tls("203.0.113.50");
    let mut statuses = Vec::new();
    for i in 0..12 {
        let guess = basic("ada-quote", &format!("nspm_guess{i}"));
        let h = [("authorization", guess.as_str()), ("depth", "0")];
        let r = call(&c.state, "PROPFIND", ADDRESSBOOK, &h, Some(attacker), PROPS).await;
        statuses.push(r.status.as_u16());
    }
    assert_eq!(statuses[..10], [401; 10]);
    assert_eq!(statuses[10..], [429, 429]);
    // A member elsewhere is served all the while.
    let ms = c.propfind(ADDRESSBOOK, "0", PROPS).await;
    assert_eq!(ms.entries.len(), 1);
}

/// A request to the real server over a fresh connection, as a Reply of
/// the in-process kind so that the same checks read it.
fn over_tcp(
    server: &super::running::Running,
    method: &str,
    path: &str,
    auth: &str,
    body: &str,
) -> Reply {
    use std::io::Write as _;
    let mut c = super::running::Client::connect(server.addr);
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: {auth}\r\nDepth: 0\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\r\n{body}",
        server.addr,
        body.len()
    );
    c.stream().write_all(request.as_bytes()).unwrap();
    let r = c.read_reply().unwrap();
    let mut headers = axum::http::HeaderMap::new();
    for (name, value) in &r.headers {
        headers.append(
            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    Reply {
        status: StatusCode::from_u16(r.status).unwrap(),
        headers,
        body: r.body,
    }
}

#[test]
fn the_real_server_syncs_one_card_after_an_edit_it_reloads_by_itself() {
    let m = members();
    let dir = m.dir.path().to_str().unwrap();
    let mut server = super::running::Running::start(&["--data", dir], &[]);
    let auth = basic("ada-quote", &m.valid.credential);
    let sync = |token: &str| {
        let body = format!(
            r#"<sync-collection xmlns="DAV:"><sync-token>{token}</sync-token><sync-level>1</sync-level><prop><getetag/></prop></sync-collection>"#
        );
        over_tcp(&server, "REPORT", ADDRESSBOOK, &auth, &body)
    };
    let full = multistatus(&sync(""));
    assert_eq!(full.entries.len(), 5);
    let t0 = full.token.unwrap();
    support::nspm_ok(
        m.dir.path(),
        &["people", "edit", "ada-quote", "--phone", "+47 90 41 37 78"],
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let changed = loop {
        let ms = multistatus(&sync(&t0));
        if !ms.entries.is_empty() {
            break ms;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the edit never reached the address book"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(changed.entries.len(), 1, "{:#?}", changed.entries);
    let r = over_tcp(&server, "GET", &changed.entries[0].href, &auth, "");
    assert!(unfolded(&r).contains("+47 90 41 37 78"));
    // Without the credential the book is closed; the log holds none.
    let r = over_tcp(
        &server,
        "PROPFIND",
        ADDRESSBOOK,
        "Basic bm9ib2R5Om5vdGhpbmc=",
        PROPS,
    );
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    server.wait_for_log("PROPFIND", std::time::Duration::from_secs(10));
    let log = server.log().join("\n");
    assert!(!log.contains(&m.valid.credential), "{log}");
    assert!(!log.contains(auth.trim_start_matches("Basic ")), "{log}");
}

/// The names of the content lines of an object, unfolded.
fn line_names(object: &str) -> Vec<String> {
    object
        .replace("\r\n ", "")
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| l.split([';', ':']).next().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn reports_return_only_the_parts_of_an_object_asked_for() {
    let c = Client::new();
    let body = r#"<C:addressbook-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav"><D:prop><C:address-data><C:prop name="FN"/><C:prop name="EMAIL"/></C:address-data></D:prop><C:filter><C:prop-filter name="EMAIL"><C:text-match>canary-ada</C:text-match></C:prop-filter></C:filter></C:addressbook-query>"#;
    let ms = multistatus(&report(&c, ADDRESSBOOK, body).await);
    let card = ms.entries[0].prop(CARDDAV, "address-data").unwrap();
    assert_eq!(
        line_names(card),
        ["BEGIN", "VERSION", "FN", "EMAIL", "END"],
        "{card}"
    );
    assert!(card.contains("canary-ada-email@example.org"));
    let body = r#"<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><C:calendar-data><C:comp name="VCALENDAR"><C:prop name="VERSION"/><C:comp name="VEVENT"><C:prop name="UID"/><C:prop name="SUMMARY"/></C:comp></C:comp></C:calendar-data></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY"><C:text-match>workshop</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"#;
    let ms = multistatus(&report(&c, MEMBERS, body).await);
    assert_eq!(ms.entries.len(), 1);
    let ics = ms.entries[0].prop(CALDAV, "calendar-data").unwrap();
    assert_eq!(
        line_names(ics),
        ["BEGIN", "VERSION", "BEGIN", "UID", "SUMMARY", "END", "END"],
        "{ics}"
    );
    assert!(!ics.contains("anary"), "{ics}");
}

#[test]
fn a_client_challenged_for_its_credential_asks_again_on_the_same_connection() {
    use std::io::Write as _;
    let m = members();
    let dir = m.dir.path().to_str().unwrap();
    let server = super::running::Running::start(&["--data", dir], &[]);
    let auth = basic("ada-quote", &m.valid.credential);
    // As Python's caldav and Thunderbird do: the first PROPFIND of the
    // root goes without a credential, its body written after its head,
    // and once challenged the client sends it again, signed in, on the
    // connection it has.
    let mut c = super::running::Client::connect(server.addr);
    for (authorization, status) in [
        (String::new(), 401),
        (format!("Authorization: {auth}\r\n"), 207),
    ] {
        let head = format!(
            "PROPFIND / HTTP/1.1\r\nHost: {}\r\n{authorization}Depth: 0\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\r\n",
            server.addr,
            PROPS.len()
        );
        c.stream()
            .write_all(head.as_bytes())
            .unwrap_or_else(|e| panic!("the connection was closed under the client: {e}"));
        // The body comes a moment later, as over a real network.
        std::thread::sleep(std::time::Duration::from_millis(200));
        c.stream()
            .write_all(PROPS.as_bytes())
            .unwrap_or_else(|e| panic!("the connection was closed under the client: {e}"));
        let reply = c
            .read_reply()
            .unwrap_or_else(|e| panic!("no answer where {status} was due: {e}"));
        assert_eq!(reply.status, status, "{}", reply.text());
        assert_ne!(reply.header("connection"), Some("close"));
    }
}
