//! The members' area: members-only details reach members and nobody else.
//!
//! The `members` fixture plants a canary in every members-only field of
//! its people. Access is granted with the real `nspm access grant`; the
//! app is driven in process with the `Transport` the connection loop would
//! give, and the real binary is run for revocation and for its log.

use std::io::Write as _;
use std::net::IpAddr;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use nspm_access::{Access, Expiry, SessionKey};
use nspm_core::{Society, Timestamp};
use nspm_server::{AppState, COOKIE, Transport, app};
use regex::Regex;
use tempfile::TempDir;
use tower::ServiceExt as _;

use super::Reply;
use super::headers::decoded;
use super::running::{Client, Running};
use super::tls::HSTS;
use crate::support;

/// Every canary of the fixture, in each form it takes in a page, a card,
/// a calendar or JSON, with the page where a member must find it.
const CANARIES: &[(&str, &str)] = &[
    ("canary-ada-email@example.org", "/members/people/ada-quote/"),
    ("+47 90 41 37 77", "/members/people/ada-quote/"),
    ("0000-0001-5109-3700", "/members/people/ada-quote/"),
    ("canary-ada-web.example.org", "/members/people/ada-quote/"),
    (
        "canary-dana-email@example.org",
        "/members/people/dana-guest/",
    ),
];

/// Every canary of the fixture's meetings (in a form that no encoding of
/// a page, a calendar or JSON changes), with every members' URL that must
/// hold it.
const MEETING_CANARIES: &[&str] = &[
    "canary-venue-street 7",
    "https://meet.example.org/canary-online-room?pwd=1",
    "https://meet.example.org/canary-bergen-link",
    "canary-notes-first: ring twice.",
    "Bring the canary-notes-second badge.",
];

/// Where a member finds every meeting's members-only details: the
/// members' calendar, the members' meetings page and the members' API.
const MEETING_PAGES: &[&str] = &[
    "/members/calendar.ics",
    "/members/meetings/",
    "/members/api/meetings",
];

/// Pieces of the canaries that also give them away.
pub(super) const TRACES: &[&str] = &["canary", "90 41 37 77", "90413777", "5109-3700"];

/// One grant as `nspm access grant` printed it.
pub(crate) struct Granted {
    pub(crate) id: String,
    pub(crate) credential: String,
    pub(crate) feed: String,
}

/// The fixture in a temporary directory with a grant for ada-quote (valid),
/// one for carl-abroad (revoked) and one for bjorn-long (expired).
pub(super) struct Members {
    pub(super) dir: TempDir,
    pub(super) valid: Granted,
    pub(super) revoked: Granted,
    pub(super) expired: Granted,
}

/// Grants `person` access with the real `nspm access grant` on the data in
/// `dir`.
pub(crate) fn grant(dir: &Path, person: &str) -> Granted {
    let out = support::nspm_ok(dir, &["access", "grant", person]);
    let find = |pattern: &str| Regex::new(pattern).unwrap().captures(&out).unwrap()[1].to_string();
    Granted {
        id: find(r"as grant ([0-9a-f]{12}),"),
        credential: find(r"credential: +(nspm_[A-Za-z0-9_-]{43})\n"),
        feed: find(r"/members/feeds/(nspmfeed_[A-Za-z0-9_-]{43})/calendar\.ics"),
    }
}

pub(super) fn members() -> Members {
    let dir = tempfile::tempdir().unwrap();
    support::copy_data(&support::fixture("members-area"), dir.path());
    let valid = grant(dir.path(), "ada-quote");
    let revoked = grant(dir.path(), "carl-abroad");
    support::nspm_ok(dir.path(), &["access", "revoke", &revoked.id]);
    // The CLI refuses an expiry already past, so this grant is made with
    // the library, as one that has run out would read.
    let mut access = Access::read(dir.path()).unwrap();
    let society = Society::load_dir(dir.path()).unwrap();
    let issued = access
        .grant(
            society.person("bjorn-long").unwrap().id.clone(),
            Timestamp::from_unix(946_684_800),
            Some(Expiry::parse("2001-01-01").unwrap()),
            None,
        )
        .unwrap();
    std::fs::write(dir.path().join(nspm_access::ACCESS_FILE), access.to_ron()).unwrap();
    let expired = Granted {
        id: issued.id.to_string(),
        credential: issued.credential.expose().to_string(),
        feed: issued.feed.expose().to_string(),
    };
    Members {
        dir,
        valid,
        revoked,
        expired,
    }
}

impl Members {
    pub(super) fn state(&self) -> AppState {
        let society = Society::load_dir(self.dir.path()).unwrap();
        let state = AppState::new(society).unwrap();
        state.open_access(self.dir.path()).unwrap();
        state
    }

    /// A session cookie for a grant, signed with the directory's key: what
    /// signing in would have given while the grant was active.
    fn cookie_of(&self, g: &Granted) -> String {
        let key = SessionKey::load(self.dir.path()).unwrap().unwrap();
        let access = Access::read(self.dir.path()).unwrap();
        let grant = access.get(&g.id).unwrap();
        let cookie = nspm_access::Session::issue(
            &key,
            grant,
            grant.granted,
            Duration::from_secs(3650 * 86_400),
        );
        format!("{COOKIE}={}", cookie.expose())
    }
}

pub(super) fn tls(client: &str) -> Transport {
    Transport {
        secure: true,
        own_tls: true,
        client: client.parse().unwrap(),
        loopback: false,
    }
}

pub(super) fn basic(user: &str, password: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// Sends one request as it would come over `transport`.
pub(super) async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    transport: Option<Transport>,
    body: &str,
) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let mut req = req.body(Body::from(body.to_string())).unwrap();
    if let Some(t) = transport {
        req.extensions_mut().insert(t);
    }
    let res = app(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

async fn get(state: &AppState, uri: &str, headers: &[(&str, &str)], t: Transport) -> Reply {
    call(state, "GET", uri, headers, Some(t), "").await
}

/// The body as text with vCard and iCalendar lines unfolded, so that a
/// canary folded over two lines is still found.
pub(super) fn unfolded(r: &Reply) -> String {
    // Images (the preview PNGs) are searched as bytes: a canary is ASCII.
    String::from_utf8_lossy(&decoded(r))
        .replace("\r\n ", "")
        .replace("\r\n\t", "")
}

/// Every URL of the site and of the members' area, and of both APIs.
fn every_url(state: &AppState, m: &Members) -> Vec<String> {
    let snap = state.snapshot();
    let mut urls: Vec<String> = snap.pages.paths().map(String::from).collect();
    let members = snap.members.pages().expect("a grant can sign in");
    urls.extend(members.paths().map(String::from));
    for api in ["/api", "/members/api"] {
        urls.push(format!("{api}/people"));
        urls.push(format!("{api}/people?search=canary"));
        for p in &snap.society.people {
            urls.push(format!("{api}/people/{}", p.id));
        }
        urls.push(format!("{api}/meetings"));
        urls.push(format!("{api}/meetings?country=DE"));
        for m in &snap.society.meetings {
            urls.push(format!("{api}/meetings/{}", m.id));
        }
    }
    urls.extend(
        [
            "/members",
            "/members/search",
            "/members/search?q=ada",
            "/members/search?q=canary",
            "/members/sign-in",
            "/members/nowhere",
        ]
        .map(String::from),
    );
    for g in [&m.valid, &m.revoked, &m.expired] {
        urls.push(format!("/members/feeds/{}/calendar.ics", g.feed));
    }
    urls
}

#[tokio::test]
async fn nothing_private_reaches_anyone_without_a_valid_credential() {
    let m = members();
    let state = m.state();
    let urls = every_url(&state, &m);
    assert!(urls.iter().any(|u| u.starts_with("/members/people/")));
    for page in MEETING_PAGES {
        assert!(urls.iter().any(|u| u == page), "{page} is not crawled");
    }
    assert!(urls.iter().any(|u| u == "/meetings/berlin-2016/"));
    let wrong = basic("ada-quote", &format!("{}x", m.valid.credential));
    let unknown = basic("nobody", &m.valid.credential);
    let expired = basic("bjorn-long", &m.expired.credential);
    let revoked = basic("carl-abroad", &m.revoked.credential);
    let revoked_cookie = m.cookie_of(&m.revoked);
    let expired_cookie = m.cookie_of(&m.expired);
    let forged = format!("{COOKIE}=v1.{}.1.99999999999.AAAA", m.valid.id);
    let valid = basic("ada-quote", &m.valid.credential);
    let none: &[(&str, &str)] = &[];
    let tries: Vec<(Vec<(&str, &str)>, Transport)> = vec![
        (none.to_vec(), tls("192.0.2.1")),
        (vec![("authorization", wrong.as_str())], tls("192.0.2.2")),
        (vec![("authorization", unknown.as_str())], tls("192.0.2.3")),
        (vec![("authorization", expired.as_str())], tls("192.0.2.4")),
        (vec![("authorization", revoked.as_str())], tls("192.0.2.5")),
        (vec![("cookie", revoked_cookie.as_str())], tls("192.0.2.6")),
        (vec![("cookie", expired_cookie.as_str())], tls("192.0.2.7")),
        (vec![("cookie", forged.as_str())], tls("192.0.2.8")),
        // A valid credential over plain HTTP from elsewhere gets nothing.
        (
            vec![("authorization", valid.as_str())],
            Transport {
                secure: false,
                own_tls: false,
                client: "192.0.2.9".parse().unwrap(),
                loopback: false,
            },
        ),
    ];
    let mut checked = 0;
    for (headers, t) in &tries {
        for url in &urls {
            // The valid feed is a credential of its own; it is tried with
            // the valid grant below.
            if url.contains(&m.valid.feed) && t.secure {
                continue;
            }
            for encoding in ["identity", "gzip", "br"] {
                let mut h = headers.clone();
                h.push(("accept-encoding", encoding));
                let r = get(&state, url, &h, *t).await;
                let body = unfolded(&r);
                for trace in TRACES {
                    assert!(
                        !body.contains(trace),
                        "{url} with {headers:?} ({encoding}) shows {trace}: {}",
                        r.status
                    );
                }
                if url.starts_with("/members") {
                    assert_ne!(r.status, StatusCode::OK, "{url} with {headers:?}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "only {checked} responses");
}

#[tokio::test]
async fn a_member_finds_every_canary_where_it_belongs() {
    let m = members();
    let state = m.state();
    let auth = basic("ada-quote", &m.valid.credential);
    let t = tls("198.51.100.1");
    for (canary, page) in CANARIES {
        let r = get(&state, page, &[("authorization", &auth)], t).await;
        assert_eq!(r.status, StatusCode::OK, "{page}");
        assert!(unfolded(&r).contains(canary), "{page} lacks {canary}");
        let card = page.trim_end_matches('/').to_string() + ".vcf";
        let r = get(&state, &card, &[("authorization", &auth)], t).await;
        assert!(unfolded(&r).contains(canary), "{card} lacks {canary}");
        let id = page.trim_end_matches('/').rsplit('/').next().unwrap();
        let r = get(
            &state,
            &format!("/members/api/people/{id}"),
            &[("authorization", &auth)],
            t,
        )
        .await;
        assert!(r.text().contains(canary), "the API on {id} lacks {canary}");
    }
    // Every meeting's members-only details are in the members' calendar,
    // the members' meetings page and the members' API, and each meeting's
    // own in its entry of the API.
    for page in MEETING_PAGES {
        for encoding in ["identity", "gzip", "br"] {
            let h = [
                ("authorization", auth.as_str()),
                ("accept-encoding", encoding),
            ];
            let r = get(&state, page, &h, t).await;
            assert_eq!(r.status, StatusCode::OK, "{page}");
            let text = unfolded(&r).replace("&amp;", "&").replace("\\n", "\n");
            for canary in MEETING_CANARIES {
                assert!(text.contains(canary), "{page} ({encoding}) lacks {canary}");
            }
        }
    }
    let berlin = get(
        &state,
        "/members/api/meetings/berlin-2016",
        &[("authorization", &auth)],
        t,
    )
    .await
    .json();
    assert_eq!(
        berlin["venue_address"],
        "canary-venue-street 7, 10115 Berlin"
    );
    assert_eq!(
        berlin["online_link"],
        "https://meet.example.org/canary-online-room?pwd=1&x=2"
    );
    assert_eq!(
        berlin["notes"],
        "canary-notes-first: ring twice.\nBring the canary-notes-second badge."
    );
    let page = get(&state, "/members/meetings/", &[("authorization", &auth)], t).await;
    assert!(
        page.text()
            .contains("<a href=\"https://meet.example.org/canary-online-room?pwd=1&amp;x=2\">"),
        "{}",
        page.text()
    );
    // The calendar puts them where calendar apps show them.
    let calendar = unfolded(
        &get(
            &state,
            "/members/calendar.ics",
            &[("authorization", &auth)],
            t,
        )
        .await,
    );
    for line in [
        "LOCATION:Berlin Institute\\, canary-venue-street 7\\, 10115 Berlin\\, Berlin\\, Germany\r\n",
        "CONFERENCE;VALUE=URI;FEATURE=VIDEO;LABEL=Join online:https://meet.example.org/canary-online-room?pwd=1&x=2\r\n",
    ] {
        assert!(calendar.contains(line), "{line}: {calendar}");
    }

    // The directory shows the emails and phones; the committee's cards
    // hold the committee's members-only details.
    let dir = get(&state, "/members/", &[("authorization", &auth)], t).await;
    for canary in [
        "canary-ada-email@example.org",
        "+47 90 41 37 77",
        "canary-dana-email",
    ] {
        assert!(dir.text().contains(canary), "the directory lacks {canary}");
    }
    let committee = get(
        &state,
        "/members/committee.vcf",
        &[("authorization", &auth)],
        t,
    )
    .await;
    assert!(unfolded(&committee).contains("canary-ada-email@example.org"));
    // Search is diacritic-blind, as the CLI's: "bjorn" finds Björn.
    let found = get(
        &state,
        "/members/search?q=bjorn",
        &[("authorization", &auth)],
        t,
    )
    .await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(
        found.text().contains("/members/people/bjorn-long/"),
        "{}",
        found.text()
    );
    assert!(!found.text().contains("/members/people/ada-quote/"));
    // The feed URL lets a calendar app in without signing in.
    let feed = format!("/members/feeds/{}/calendar.ics", m.valid.feed);
    let r = get(&state, &feed, &[], t).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().starts_with("BEGIN:VCALENDAR"));
    // From this machine the area may be tried without TLS.
    let local = Transport {
        secure: false,
        own_tls: false,
        client: IpAddr::from([127, 0, 0, 1]),
        loopback: true,
    };
    let r = get(&state, "/members/", &[("authorization", &auth)], local).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn signing_in_needs_the_sites_own_origin_and_gives_a_strict_cookie() {
    let m = members();
    let state = m.state();
    let t = tls("198.51.100.2");
    let form = format!("person=ada-quote&credential={}", m.valid.credential);
    let post = |headers: Vec<(&'static str, &'static str)>, body: String| {
        let state = state.clone();
        async move {
            let mut h = vec![
                ("host", "members.example.org"),
                ("content-type", "application/x-www-form-urlencoded"),
            ];
            h.extend(headers);
            call(&state, "POST", "/members/sign-in", &h, Some(t), &body).await
        }
    };
    for headers in [
        vec![],
        vec![("origin", "https://evil.example.net")],
        vec![("origin", "null")],
        vec![("origin", "http://members.example.org")],
        vec![("referer", "https://members.example.org.evil.example.net/")],
    ] {
        let r = post(headers.clone(), form.clone()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert!(r.headers.get(header::SET_COOKIE).is_none());
    }
    let wrong = post(
        vec![("origin", "https://members.example.org")],
        "person=ada-quote&credential=nspm_wrong".into(),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.headers.get(header::SET_COOKIE).is_none());
    assert!(wrong.text().contains("role=\"alert\""));

    let ok = post(
        vec![("origin", "https://members.example.org")],
        form.clone(),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.header(header::LOCATION), "/members/");
    let set = ok.header(header::SET_COOKIE).to_string();
    let attributes: Vec<&str> = set.split("; ").collect();
    for flag in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/members/"] {
        assert!(attributes.contains(&flag), "{set}");
    }
    let max_age: u64 = attributes
        .iter()
        .find_map(|a| a.strip_prefix("Max-Age="))
        .unwrap()
        .parse()
        .unwrap();
    assert!(max_age > 86_400 && max_age <= 31 * 86_400, "{set}");
    // A Referer of the site's own serves as well as an Origin.
    let by_referer = post(
        vec![("referer", "https://members.example.org/members/")],
        form.clone(),
    )
    .await;
    assert_eq!(by_referer.status, StatusCode::SEE_OTHER);

    let cookie = attributes[0].to_string();
    let r = get(&state, "/members/", &[("cookie", &cookie)], t).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("canary-ada-email@example.org"));

    // Sign-out is a POST from the site itself, and clears the cookie.
    let h = [("host", "members.example.org")];
    let r = call(&state, "POST", "/members/sign-out", &h, Some(t), "").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let h = [
        ("host", "members.example.org"),
        ("origin", "https://members.example.org"),
        ("cookie", cookie.as_str()),
    ];
    let r = call(&state, "POST", "/members/sign-out", &h, Some(t), "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let cleared = r.header(header::SET_COOKIE);
    assert!(cleared.starts_with(&format!("{COOKIE}=;")), "{cleared}");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
}

#[tokio::test]
async fn an_unauthenticated_request_gets_the_form_with_a_challenge() {
    let m = members();
    let state = m.state();
    let t = tls("198.51.100.3");
    let r = get(&state, "/members/people/ada-quote/", &[], t).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(
        r.header(header::WWW_AUTHENTICATE)
            .starts_with("Basic realm=\"NSPM members\"")
    );
    assert!(
        r.text().contains("action=\"../../../members/sign-in\"")
            || r.text().contains("members/sign-in\"")
    );
    assert!(r.text().contains("type=\"password\""));
    // A browser's own navigation is not asked for Basic, so that it shows
    // the form rather than its login dialog.
    let r = get(&state, "/members/", &[("sec-fetch-mode", "navigate")], t).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(!r.header(header::WWW_AUTHENTICATE).starts_with("Basic"));
    // Over plain HTTP from elsewhere: the reason, and no form.
    let plain = Transport {
        secure: false,
        own_tls: false,
        client: "198.51.100.3".parse().unwrap(),
        loopback: false,
    };
    let r = get(&state, "/members/", &[], plain).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("--tls-cert"));
    assert!(!r.text().contains("type=\"password\""));
    // So are requests that say nothing of how they came.
    let r = call(&state, "GET", "/members/", &[], None, "").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn members_responses_are_private_and_public_ones_are_not_marked() {
    let m = members();
    let state = m.state();
    let t = tls("198.51.100.4");
    let auth = basic("ada-quote", &m.valid.credential);
    for (url, headers) in [
        ("/members/", vec![("authorization", auth.as_str())]),
        (
            "/members/committee.vcf",
            vec![
                ("authorization", auth.as_str()),
                ("accept-encoding", "gzip"),
            ],
        ),
        (
            "/members/api/people",
            vec![("authorization", auth.as_str())],
        ),
        ("/members/", vec![]),
    ] {
        let r = get(&state, url, &headers, t).await;
        assert_eq!(
            r.header(header::CACHE_CONTROL),
            "private, no-store",
            "{url}"
        );
        let vary = r.header(header::VARY);
        assert!(
            vary.contains("Authorization") && vary.contains("Cookie"),
            "{url}: {vary}"
        );
    }
    // A members' page's links send no Referer to other sites, and the
    // site's own forms still send their Origin.
    let r = get(&state, "/members/", &[], t).await;
    assert_eq!(r.header(header::REFERRER_POLICY), "same-origin");
    assert!(
        r.header(header::CONTENT_SECURITY_POLICY)
            .contains("form-action 'self'")
    );
    let public = get(&state, "/committee/", &[], t).await;
    assert_eq!(public.header(header::REFERRER_POLICY), "no-referrer");
    assert!(
        public
            .header(header::CONTENT_SECURITY_POLICY)
            .contains("form-action 'none'")
    );
    assert!(!public.header(header::CACHE_CONTROL).contains("private"));
    assert!(!public.header(header::VARY).contains("Cookie"));
}

/// The fixture in a temporary directory with no access file: nobody can
/// sign in yet.
fn without_grants() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    support::copy_data(&support::fixture("members-area"), dir.path());
    dir
}

#[tokio::test]
async fn the_members_pages_are_rendered_only_while_someone_can_sign_in() {
    let dir = without_grants();
    let data = dir.path();
    let load = || Society::load_dir(data).unwrap();
    let state = AppState::new(load()).unwrap();
    state.open_access(data).unwrap();
    let t = tls("198.51.100.6");
    let card = "/members/people/ada-quote.vcf";
    // No access file: no one to render the members' pages for, and the
    // public site and the sign-in form are served as ever.
    assert!(state.snapshot().members.pages().is_none());
    let r = get(&state, "/members/", &[], t).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text().contains("type=\"password\""), "the sign-in form");
    assert_eq!(
        get(&state, "/committee/", &[], t).await.status,
        StatusCode::OK
    );

    // A grant opens the area as soon as the access file is read.
    let ada = grant(data, "ada-quote");
    state.open_access(data).unwrap();
    assert!(state.snapshot().members.pages().is_some());
    let auth = basic("ada-quote", &ada.credential);
    let r = get(&state, card, &[("authorization", &auth)], t).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(unfolded(&r).contains("canary-ada-email@example.org"));
    // A reload of the data renders them again with it.
    state.replace(load(), None).unwrap();
    assert!(state.snapshot().members.pages().is_some());

    // Revoking the last grant drops them, and the credential is refused.
    support::nspm_ok(data, &["access", "revoke", &ada.id]);
    state.open_access(data).unwrap();
    assert!(state.snapshot().members.pages().is_none());
    let r = get(&state, card, &[("authorization", &auth)], t).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(!r.text().contains("canary"));
    state.replace(load(), None).unwrap();
    assert!(state.snapshot().members.pages().is_none());

    // A grant whose person is not in the data lets nobody in, so it
    // renders nothing either; its person's return does.
    let bjorn = grant(data, "bjorn-long");
    let people = std::fs::read_to_string(data.join("people.ron")).unwrap();
    let start = people
        .find("    Person(\n        id: \"bjorn-long\"")
        .unwrap();
    let end = start + people[start..].find("    ),\n").unwrap() + "    ),\n".len();
    std::fs::write(
        data.join("people.ron"),
        format!("{}{}", &people[..start], &people[end..]),
    )
    .unwrap();
    state.replace(load(), None).unwrap();
    state.open_access(data).unwrap();
    assert!(state.snapshot().members.pages().is_none());
    std::fs::write(data.join("people.ron"), &people).unwrap();
    state.replace(load(), None).unwrap();
    assert!(state.snapshot().members.pages().is_some());
    let auth = basic("bjorn-long", &bjorn.credential);
    let r = get(&state, "/members/", &[("authorization", &auth)], t).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[test]
fn granting_access_to_a_server_started_without_grants_opens_the_members_area() {
    let dir = without_grants();
    let data = dir.path();
    let server = Running::start(&["--data", data.to_str().unwrap()], &[]);
    let r = get_with(&server, "/members/", "");
    assert_eq!(r.status, 401);
    assert!(!r.text().contains("canary"));
    const RELOADED: &str = "access reloaded";
    let reloads = |server: &Running| server.log().iter().filter(|l| l.contains(RELOADED)).count();
    let before = reloads(&server);
    let ada = grant(data, "ada-quote");
    let start = Instant::now();
    let auth = format!("Authorization: {}\r\n", basic("ada-quote", &ada.credential));
    // Each reload of the access file is asked once, so that the
    // attempts made before the grant is read stay far below the limit of
    // failed sign-ins; the pages are rendered before the reload is logged.
    let mut seen = before;
    let took = loop {
        let now = reloads(&server);
        if now > seen {
            seen = now;
            let r = get_with(&server, "/members/", &auth);
            if r.status == 200 {
                assert!(r.text().contains("canary-ada-email@example.org"));
                break start.elapsed();
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the grant does not let its member in after 20 s:\n{}",
            server.log().join("\n")
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    eprintln!("the new grant let its member in after {took:?}");
    let card = get_with(&server, "/members/people/ada-quote.vcf", &auth);
    assert_eq!(card.status, 200);
    assert!(card.text().starts_with("BEGIN:VCARD\r\n"));
    // Revoking it closes the area again, as for any grant.
    support::nspm_ok(data, &["access", "revoke", &ada.id]);
    let refused = refused_within(&server, "/members/", &auth, 401);
    eprintln!("the revoked grant was refused after {refused:?}");
}

#[tokio::test]
async fn a_thousand_guesses_from_one_address_get_nowhere_while_a_member_is_served() {
    let m = members();
    let state = m.state();
    let attacker = tls("203.0.113.7");
    let member = tls("198.51.100.5");
    let valid = basic("ada-quote", &m.valid.credential);
    let mut limited = 0;
    for i in 0..1000 {
        let guess = basic("ada-quote", &format!("nspm_guess{i}"));
        let r = get(&state, "/members/", &[("authorization", &guess)], attacker).await;
        assert_ne!(r.status, StatusCode::OK, "guess {i} got in");
        if i < 10 {
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "guess {i}");
        } else {
            assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "guess {i}");
            let wait: u64 = r.header(header::RETRY_AFTER).parse().unwrap();
            assert!((1..=60).contains(&wait));
            limited += 1;
        }
        if i % 100 == 0 {
            let ok = get(&state, "/members/", &[("authorization", &valid)], member).await;
            assert_eq!(
                ok.status,
                StatusCode::OK,
                "the member was refused at guess {i}"
            );
        }
    }
    assert_eq!(limited, 990);
    // Even the right credential from the limited address waits: the limit
    // holds whatever is tried, so guessing cannot go on by luck.
    let r = get(&state, "/members/", &[("authorization", &valid)], attacker).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // The sign-in form and the feeds count against the same address.
    let r = get(
        &state,
        "/members/feeds/nspmfeed_guess/calendar.ics",
        &[],
        attacker,
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

/// Sends a request with a body over a fresh connection to the real server.
fn post(server: &Running, path: &str, headers: &str, body: &str) -> super::running::Reply {
    let mut c = Client::connect(server.addr);
    let host = server.addr.to_string();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\n{headers}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    c.stream().write_all(request.as_bytes()).unwrap();
    c.read_reply().unwrap()
}

fn get_with(server: &Running, path: &str, headers: &str) -> super::running::Reply {
    let mut c = Client::connect(server.addr);
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\n{headers}\r\n",
        server.addr
    );
    c.stream().write_all(request.as_bytes()).unwrap();
    c.read_reply().unwrap()
}

#[test]
fn revoking_ends_an_open_session_at_once_and_the_log_holds_no_secret() {
    let m = members();
    let dir = m.dir.path().to_str().unwrap();
    let mut server = Running::start(&["--data", dir], &[]);
    let form = format!("person=ada-quote&credential={}", m.valid.credential);
    let signed_in = post(&server, "/members/sign-in", "", &form);
    assert_eq!(signed_in.status, 303, "{}", signed_in.text());
    let cookie = signed_in
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let cookie_header = format!("Cookie: {cookie}\r\n");
    let r = get_with(&server, "/members/", &cookie_header);
    assert_eq!(r.status, 200);
    assert!(r.text().contains("canary-ada-email@example.org"));
    let auth = format!(
        "Authorization: {}\r\n",
        basic("ada-quote", &m.valid.credential)
    );
    assert_eq!(
        get_with(&server, "/members/committee.vcf", &auth).status,
        200
    );
    let feed = format!("/members/feeds/{}/calendar.ics", m.valid.feed);
    assert_eq!(get_with(&server, &feed, "").status, 200);

    let out = Command::new(env!("CARGO_BIN_EXE_nspm"))
        .args(["--data", dir, "access", "revoke", &m.valid.id])
        .output()
        .unwrap();
    assert!(out.status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = get_with(&server, "/members/", &cookie_header);
        if r.status == 401 {
            assert!(!r.text().contains("canary"));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the session still works after revocation"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(get_with(&server, "/members/", &auth).status, 401);
    assert_eq!(get_with(&server, &feed, "").status, 404);

    server.wait_for_log(
        "/members/feeds/<redacted>/calendar.ics",
        Duration::from_secs(10),
    );
    let log = server.log().join("\n");
    let value = cookie.split_once('=').unwrap().1;
    for secret in [m.valid.credential.as_str(), m.valid.feed.as_str(), value] {
        assert!(!log.contains(secret), "the log holds a secret:\n{log}");
    }
    // The MAC alone would do as well as the cookie: it is not there either.
    let mac = value.rsplit('.').next().unwrap();
    assert!(!log.contains(mac));
}

#[test]
fn a_member_signs_in_browses_searches_downloads_and_signs_out_in_chromium() {
    if !support::external_tests("the members' walk in Chromium") {
        return;
    }
    let m = members();
    let server = Running::start(&["--data", m.dir.path().to_str().unwrap()], &[]);
    let tools = support::root().join("tests/tools");
    let stdout = support::tool_stdout(
        Command::new("node")
            .arg(tools.join("members.mjs"))
            .arg(format!("http://{}/", server.addr))
            .args(["ada-quote", &m.valid.credential, "bjorn"])
            .current_dir(&tools),
    );
    let r: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(r["first"]["status"], 401, "{r:#}");
    assert_eq!(r["first"]["h1"], "Members' sign-in");
    assert_eq!(r["directory"]["path"], "/members/");
    assert_eq!(r["directory"]["h1"], "Members' directory");
    assert!(
        r["directory"]["text"]
            .as_str()
            .unwrap()
            .contains("canary-dana-email@example.org")
    );
    let cookie = &r["cookie"];
    assert_eq!(cookie["httpOnly"], true, "{r:#}");
    assert_eq!(cookie["secure"], true);
    assert_eq!(cookie["sameSite"], "Strict");
    assert_eq!(cookie["path"], "/members/");
    assert!(
        cookie["expires"].as_f64().unwrap() > 0.0,
        "a session cookie has a lifetime"
    );
    assert_eq!(r["cookie_seen_by_script"], false);
    assert!(
        r["search"]["url"]
            .as_str()
            .unwrap()
            .ends_with("/members/search?q=bjorn")
    );
    assert!(r["search"]["text"].as_str().unwrap().contains("Björn"));
    assert_eq!(r["person"]["path"], "/members/people/bjorn-long/");
    assert_eq!(r["card"]["file_name"], "bjorn-long.vcf");
    assert!(
        r["card"]["text"]
            .as_str()
            .unwrap()
            .starts_with("BEGIN:VCARD\r\n")
    );
    assert_eq!(r["signed_out"]["h1"], "Members' sign-in");
    assert_eq!(r["signed_out"]["cookies"], serde_json::json!([]));
}

/// Signs in by the form on a real server; the cookie as a request sends it.
fn sign_in_cookie(server: &Running, g: &Granted, person: &str) -> String {
    let form = format!("person={person}&credential={}", g.credential);
    let r = post(server, "/members/sign-in", "", &form);
    assert_eq!(r.status, 303, "{}", r.text());
    r.header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

/// Waits until `server` refuses `headers` on `path` with `status`; how long
/// that took. A busy machine may take long, so the wait is generous; the
/// time is printed for the lead.
fn refused_within(server: &Running, path: &str, headers: &str, status: u16) -> Duration {
    let start = Instant::now();
    loop {
        let r = get_with(server, path, headers);
        if r.status == status {
            assert!(!r.text().contains("canary"), "{path}");
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{path} still answers {} after 20 s",
            r.status
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A member's three ways in, as request headers and a path: a session
/// cookie signed in with one grant, HTTP Basic with another (or the same)
/// and the first grant's calendar feed.
struct WaysIn {
    cookie: String,
    auth: String,
    feed: String,
}

impl WaysIn {
    fn open(server: &Running, person: &str, session: &Granted, basic_grant: &Granted) -> WaysIn {
        WaysIn {
            cookie: format!("Cookie: {}\r\n", sign_in_cookie(server, session, person)),
            auth: format!(
                "Authorization: {}\r\n",
                basic(person, &basic_grant.credential)
            ),
            feed: format!("/members/feeds/{}/calendar.ics", session.feed),
        }
    }

    fn all_work(&self, server: &Running) {
        assert_eq!(get_with(server, "/members/", &self.cookie).status, 200);
        assert_eq!(get_with(server, "/members/", &self.auth).status, 200);
        assert_eq!(get_with(server, &self.feed, "").status, 200);
    }

    /// Waits until every way is refused.
    fn all_refused(&self, server: &Running) {
        refused_within(server, "/members/", &self.cookie, 401);
        refused_within(server, "/members/", &self.auth, 401);
        refused_within(server, &self.feed, "", 404);
    }
}

#[test]
fn a_session_survives_a_restart_and_is_shared_by_servers_on_one_data_directory() {
    let m = members();
    let dir = m.dir.path().to_str().unwrap();
    let first = Running::start(&["--data", dir], &[]);
    let cookie = format!(
        "Cookie: {}\r\n",
        sign_in_cookie(&first, &m.valid, "ada-quote")
    );
    let directory = |server: &Running| {
        let r = get_with(server, "/members/", &cookie);
        assert_eq!(r.status, 200, "{}", r.text());
        assert!(r.text().contains("canary-ada-email@example.org"));
    };
    directory(&first);
    // A second instance on the same data directory, as behind a load
    // balancer, accepts the first one's cookie.
    let second = Running::start(&["--data", dir], &[]);
    directory(&second);
    // The first stops; a new process in its place takes the same cookie.
    drop(first);
    let restarted = Running::start(&["--data", dir], &[]);
    directory(&restarted);
    directory(&second);

    // Revoking on the data directory ends the session on both.
    support::nspm_ok(m.dir.path(), &["access", "revoke", &m.valid.id]);
    let a = refused_within(&second, "/members/", &cookie, 401);
    let b = refused_within(&restarted, "/members/", &cookie, 401);
    eprintln!("the session was refused after {a:?} and {b:?}");
}

#[test]
fn removing_a_person_revokes_their_grants_and_their_credential_stops_working() {
    let m = members();
    let data = m.dir.path();
    let dana = grant(data, "dana-guest");
    let dana_too = grant(data, "dana-guest");
    let dir = data.to_str().unwrap();
    let server = Running::start(&["--data", dir], &[]);
    let dana_in = WaysIn::open(&server, "dana-guest", &dana, &dana_too);
    dana_in.all_work(&server);

    // A dry run names the grants it would revoke and writes nothing.
    let access_file = data.join(nspm_access::ACCESS_FILE);
    let before = std::fs::read_to_string(&access_file).unwrap();
    let out = support::nspm()
        .args(["--data", dir, "people", "remove", "dana-guest", "--dry-run"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    for g in [&dana, &dana_too] {
        assert!(
            stderr.contains(&format!(
                "dry run, nothing written: would revoke grant {} of dana-guest",
                g.id
            )),
            "{stderr}"
        );
    }
    assert_eq!(std::fs::read_to_string(&access_file).unwrap(), before);
    assert_eq!(get_with(&server, "/members/", &dana_in.auth).status, 200);

    // A removal that is refused revokes nothing: Ada is the contact.
    let refused = support::nspm()
        .args(["--data", dir, "people", "remove", "ada-quote"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&access_file).unwrap(), before);

    // The removal revokes both of Dana's grants, and names them.
    let out = support::nspm_ok(data, &["people", "remove", "dana-guest"]);
    for g in [&dana, &dana_too] {
        assert!(
            out.contains(&format!("revoked grant {} of dana-guest", g.id)),
            "{out}"
        );
    }
    let list = support::nspm_ok(data, &["access", "list", "--format", "json"]);
    let grants: serde_json::Value = serde_json::from_str(&list).unwrap();
    let statuses: Vec<&str> = grants
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["person"] == "dana-guest")
        .map(|g| g["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["revoked", "revoked"], "{list}");
    dana_in.all_refused(&server);
    // The valid member is still served.
    let ada = format!(
        "Authorization: {}\r\n",
        basic("ada-quote", &m.valid.credential)
    );
    assert_eq!(get_with(&server, "/members/", &ada).status, 200);
}

#[test]
fn a_grant_whose_person_left_the_data_by_hand_lets_nobody_in() {
    let m = members();
    let data = m.dir.path();
    let bjorn = grant(data, "bjorn-long");
    let server = Running::start(&["--data", data.to_str().unwrap()], &[]);
    let bjorn_in = WaysIn::open(&server, "bjorn-long", &bjorn, &bjorn);
    bjorn_in.all_work(&server);
    // Staff take Björn out of people.ron in an editor: his grant is still
    // active in access.ron, and still lets nobody in.
    let people = data.join("people.ron");
    let text = std::fs::read_to_string(&people).unwrap();
    let start = text
        .find("    Person(\n        id: \"bjorn-long\"")
        .unwrap();
    let end = start + text[start..].find("    ),\n").unwrap() + "    ),\n".len();
    std::fs::write(&people, format!("{}{}", &text[..start], &text[end..])).unwrap();
    bjorn_in.all_refused(&server);
    let form = format!("person=bjorn-long&credential={}", bjorn.credential);
    assert_eq!(post(&server, "/members/sign-in", "", &form).status, 401);
    // `nspm check` names the grant.
    let out = support::nspm()
        .args(["--data", data.to_str().unwrap(), "check"])
        .output()
        .unwrap();
    let report =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(report.contains("bjorn-long"), "{report}");
}

/// The status curl gets for `url` through Caddy, with `extra` arguments.
fn status_through(caddy: &super::tls::Caddy, url: &str, extra: &[&str]) -> String {
    let resolve = format!("localhost:{}:127.0.0.1", caddy.port);
    support::tool_stdout(
        Command::new("curl")
            .args(["--silent", "--show-error", "--output", "/dev/null"])
            .args(["--write-out", "%{http_code}", "--resolve", &resolve])
            .arg("--cacert")
            .arg(&caddy.root)
            .args(extra)
            .arg(url),
    )
}

#[test]
fn a_member_signs_in_through_caddy_and_machines_use_basic() {
    if !support::external_tests("Caddy") {
        return;
    }
    let m = members();
    let dir = m.dir.path().to_str().unwrap();
    // Without --behind-proxy, nspm would take Caddy's requests for plain
    // HTTP and refuse the form's https Origin.
    let server = Running::start(&["--data", dir], &["--behind-proxy", "127.0.0.1"]);
    let caddy = super::tls::Caddy::start(server.addr);
    let port = caddy.port;
    let site = format!("https://localhost:{port}");
    let origin = format!("Origin: {site}");
    let curl = |path: &str, version: &str, extra: &[&str]| {
        let (negotiated, head, body) =
            super::tls::curl_with(&format!("{site}{path}"), &caddy.root, version, port, extra);
        assert_eq!(negotiated, version, "{path}");
        (head.to_ascii_lowercase(), String::from_utf8(body).unwrap())
    };
    for version in ["2", "1.1"] {
        let jars = tempfile::tempdir().unwrap();
        let jar = jars.path().join("cookies.txt");
        let jar = jar.to_str().unwrap();
        // Signing in by the form: a 303 to the directory and the cookie,
        // which curl keeps as a browser would (a Secure cookie over https).
        let form = format!("person=ada-quote&credential={}", m.valid.credential);
        let (head, _) = curl(
            "/members/sign-in",
            version,
            &["--cookie-jar", jar, "--header", &origin, "--data", &form],
        );
        assert!(head.contains(" 303"), "{head}");
        assert!(head.contains("location: /members/\r\n"), "{head}");
        let set = head
            .lines()
            .find(|l| l.starts_with("set-cookie: nspm_session="))
            .unwrap_or_else(|| panic!("no cookie: {head}"));
        for flag in ["httponly", "secure", "samesite=strict"] {
            assert!(set.contains(flag), "{set}");
        }
        let kept = std::fs::read_to_string(jar).unwrap();
        assert!(kept.contains("nspm_session"), "{kept}");

        // The cookie opens the directory, a private answer over HTTPS.
        let (head, body) = curl("/members/", version, &["--cookie", jar]);
        assert!(body.contains("canary-ada-email@example.org"), "{body}");
        assert!(body.contains("Members' directory"));
        assert!(
            head.contains("cache-control: private, no-store\r\n"),
            "{head}"
        );
        assert!(
            head.contains(&format!("strict-transport-security: {HSTS}\r\n")),
            "{head}"
        );

        // Signing out clears the cookie, and the directory asks again.
        let (head, _) = curl(
            "/members/sign-out",
            version,
            &[
                "--cookie",
                jar,
                "--cookie-jar",
                jar,
                "--header",
                &origin,
                "--data",
                "",
            ],
        );
        assert!(head.contains(" 303"), "{head}");
        let kept = std::fs::read_to_string(jar).unwrap();
        assert!(!kept.contains("nspm_session"), "{kept}");
        let url = format!("{site}/members/");
        assert_eq!(status_through(&caddy, &url, &["--cookie", jar]), "401");

        // Machines send HTTP Basic through the proxy.
        let user = format!("ada-quote:{}", m.valid.credential);
        let (head, card) = curl("/members/committee.vcf", version, &["--user", &user]);
        assert!(head.contains("content-type: text/vcard"), "{head}");
        assert!(
            card.replace("\r\n ", "")
                .contains("canary-ada-email@example.org")
        );
        let wrong = format!("ada-quote:{}x", m.valid.credential);
        let vcf = format!("{site}/members/committee.vcf");
        assert_eq!(status_through(&caddy, &vcf, &["--user", &wrong]), "401");
    }
    // The form from another site is refused through the proxy too.
    let url = format!("{site}/members/sign-in");
    let form = format!("person=ada-quote&credential={}", m.valid.credential);
    let evil = [
        "--header",
        "Origin: https://evil.example.net",
        "--data",
        &form,
    ];
    assert_eq!(status_through(&caddy, &url, &evil), "403");
}
