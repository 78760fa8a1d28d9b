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
    // Without a credential, `/` names the public principal, whose home
    // holds the public calendar alone.
    let body = r#"<propfind xmlns="DAV:"><prop><current-user-principal/><calendar-home-set xmlns="urn:ietf:params:xml:ns:caldav"/><addressbook-home-set xmlns="urn:ietf:params:xml:ns:carddav"/></prop></propfind>"#;
    let ms = multistatus(&c.anon("PROPFIND", "/", &[("depth", "0")], body).await);
    let root = ms.get("/");
    assert_eq!(
        root.prop(DAV, "current-user-principal"),
        Some("/dav/principals/public/")
    );
    assert_eq!(
        root.prop(CALDAV, "calendar-home-set"),
        Some("/dav/calendars/")
    );
    assert!(root.missing(CARDDAV, "addressbook-home-set"));
    let home = multistatus(
        &c.anon("PROPFIND", "/dav/calendars/", &[("depth", "1")], PROPS)
            .await,
    );
    assert_eq!(home.hrefs(), ["/dav/calendars/", PUBLIC]);
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

#[tokio::test]
async fn members_collections_need_a_credential_and_tls() {
    let c = Client::new();
    for uri in [
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
