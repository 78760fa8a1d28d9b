//! Every route's status and headers, in process: content types, downloads,
//! caching and revalidation, compression, HEAD, errors and redirects, and
//! the security headers on every response.

use std::io::Read;

use axum::http::{StatusCode, header};
use nspm_core::Society;
use nspm_server::{AppState, MAX_URI};

use super::{Reply, send, send_with};
use crate::support;

fn embedded() -> AppState {
    AppState::new(Society::load_embedded().unwrap()).unwrap()
}

/// The site fixture sets a base URL, so its site has a sitemap.
fn fixture() -> AppState {
    AppState::new(Society::load_dir(&support::fixture("site")).unwrap()).unwrap()
}

#[tokio::test]
async fn each_kind_of_file_has_its_content_type() {
    let state = embedded();
    for (uri, content_type) in [
        ("/", "text/html; charset=utf-8"),
        ("/committee/", "text/html; charset=utf-8"),
        ("/people/soren-brunak/", "text/html; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/favicon.svg", "image/svg+xml"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/calendar.ics", "text/calendar; charset=utf-8"),
        (
            "/meetings/copenhagen-2017.ics",
            "text/calendar; charset=utf-8",
        ),
        ("/committee.vcf", "text/vcard; charset=utf-8"),
        ("/people/soren-brunak.vcf", "text/vcard; charset=utf-8"),
        ("/society.vcf", "text/vcard; charset=utf-8"),
        ("/api/people", "application/json"),
        ("/api/society", "application/json"),
        ("/healthz", "text/plain; charset=utf-8"),
    ] {
        let r = send(&state, "GET", uri).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        assert_eq!(r.header(header::CONTENT_TYPE), content_type, "{uri}");
    }
    // Without a base URL there is no sitemap; with one it is XML.
    assert_eq!(
        send(&state, "GET", "/sitemap.xml").await.status,
        StatusCode::NOT_FOUND
    );
    let r = send(&fixture(), "GET", "/sitemap.xml").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.header(header::CONTENT_TYPE),
        "application/xml; charset=utf-8"
    );
}

#[tokio::test]
async fn downloads_are_attachments_and_pages_are_not() {
    let state = embedded();
    for (uri, name) in [
        ("/calendar.ics", "calendar.ics"),
        ("/meetings/copenhagen-2017.ics", "copenhagen-2017.ics"),
        ("/committee.vcf", "committee.vcf"),
        ("/people/soren-brunak.vcf", "soren-brunak.vcf"),
        ("/society.vcf", "society.vcf"),
    ] {
        let r = send(&state, "GET", uri).await;
        assert_eq!(
            r.header(header::CONTENT_DISPOSITION),
            format!("attachment; filename=\"{name}\""),
            "{uri}"
        );
    }
    for uri in ["/", "/meetings/", "/style.css", "/api/meetings", "/nowhere"] {
        let r = send(&state, "GET", uri).await;
        assert!(
            !r.headers.contains_key(header::CONTENT_DISPOSITION),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn a_matching_etag_gets_304_and_another_gets_the_page() {
    let state = embedded();
    let first = send(&state, "GET", "/committee/").await;
    let etag = first.header(header::ETAG).to_string();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
    // The tag follows the bytes: the same on another load of the same data,
    // different for another page.
    assert_eq!(
        send(&embedded(), "GET", "/committee/")
            .await
            .header(header::ETAG),
        etag
    );
    assert_ne!(send(&state, "GET", "/").await.header(header::ETAG), etag);

    for tags in [
        etag.clone(),
        format!("W/{etag}"),
        format!("\"other\", {etag}"),
        "*".to_string(),
    ] {
        let r = send_with(&state, "GET", "/committee/", &[("if-none-match", &tags)]).await;
        assert_eq!(r.status, StatusCode::NOT_MODIFIED, "{tags}");
        assert!(r.body.is_empty());
        assert_eq!(r.header(header::ETAG), etag);
        assert_eq!(r.header(header::CACHE_CONTROL), "no-cache");
    }
    let r = send_with(
        &state,
        "GET",
        "/committee/",
        &[("if-none-match", "\"0000000000000000-0\"")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, first.body);
    // The 404 page is never "not modified": its tag says nothing about
    // the URL asked for.
    let missing = send(&state, "GET", "/nowhere").await;
    let r = send_with(
        &state,
        "GET",
        "/nowhere",
        &[("if-none-match", missing.header(header::ETAG))],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body, missing.body);
}

#[tokio::test]
async fn what_the_data_shapes_is_revalidated_and_assets_are_cached() {
    let state = embedded();
    for uri in ["/style.css", "/favicon.svg", "/icon-192.png"] {
        let r = send(&state, "GET", uri).await;
        assert_eq!(
            r.header(header::CACHE_CONTROL),
            "public, max-age=3600",
            "{uri}"
        );
    }
    for uri in [
        "/",
        "/committee/",
        "/calendar.ics",
        "/people/soren-brunak.vcf",
        // A page's preview image is drawn from the data, as the page is.
        "/preview/committee.png",
        "/nowhere",
        "/api/people",
        "/api/people/nobody",
        "/healthz",
    ] {
        let r = send(&state, "GET", uri).await;
        assert_eq!(r.header(header::CACHE_CONTROL), "no-cache", "{uri}");
    }
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::BrotliDecompress(&mut &bytes[..], &mut out).unwrap();
    out
}

/// The body as sent, decoded by its Content-Encoding.
pub(super) fn decoded(r: &Reply) -> Vec<u8> {
    match r
        .headers
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap())
    {
        None => r.body.clone(),
        Some("gzip") => gunzip(&r.body),
        Some("br") => unbrotli(&r.body),
        Some(other) => panic!("unexpected encoding {other}"),
    }
}

#[tokio::test]
async fn bodies_are_compressed_as_the_client_prefers() {
    let state = embedded();
    // Brotli is kept for bodies of 4 KiB or more; smaller text bodies have
    // gzip only, which a client that prefers brotli gets instead when it
    // accepts gzip.
    for (uri, has_br) in [
        ("/", true),
        ("/committee/", true),
        ("/committee.vcf", true),
        ("/style.css", true),
        ("/calendar.ics", false),
    ] {
        let plain = send(&state, "GET", uri).await;
        assert!(
            !plain.headers.contains_key(header::CONTENT_ENCODING),
            "{uri}"
        );
        assert_eq!(plain.header(header::VARY), "Accept-Encoding", "{uri}");
        let mut tags = vec![plain.header(header::ETAG).to_string()];
        // Each Accept-Encoding with what a file with brotli gets, and what
        // a file with gzip only gets.
        for (accept, with_br, gzip_only) in [
            ("gzip", Some("gzip"), Some("gzip")),
            ("br", Some("br"), None),
            ("gzip, deflate, br", Some("br"), Some("gzip")),
            ("br, gzip;q=0.5", Some("br"), Some("gzip")),
            ("gzip;q=1, br;q=0.5", Some("gzip"), Some("gzip")),
            ("br;q=0, gzip", Some("gzip"), Some("gzip")),
            ("BR;Q=0, gzip", Some("gzip"), Some("gzip")),
            ("br, gzip;q=0", Some("br"), None),
            ("gzip;q=0", None, None),
            ("gzip;q=0, br;q=0", None, None),
            ("*", Some("br"), Some("gzip")),
            ("*;q=0", None, None),
            ("identity", None, None),
            ("deflate", None, None),
        ] {
            let encoding = if has_br { with_br } else { gzip_only };
            let r = send_with(&state, "GET", uri, &[("accept-encoding", accept)]).await;
            let got = r
                .headers
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap());
            assert_eq!(got, encoding, "{uri} with {accept}");
            assert_eq!(decoded(&r), plain.body, "{uri} with {accept}");
            assert_eq!(
                r.header(header::CONTENT_LENGTH),
                r.body.len().to_string(),
                "{uri} with {accept}"
            );
            if encoding.is_some() {
                assert!(r.body.len() < plain.body.len(), "{uri} with {accept}");
            }
            // Each encoding is its own representation with its own tag, and
            // revalidates against it.
            let tag = r.header(header::ETAG).to_string();
            if !tags.contains(&tag) {
                tags.push(tag.clone());
            }
            let again = send_with(
                &state,
                "GET",
                uri,
                &[("accept-encoding", accept), ("if-none-match", &tag)],
            )
            .await;
            assert_eq!(
                again.status,
                StatusCode::NOT_MODIFIED,
                "{uri} with {accept}"
            );
        }
        // The body as it is, gzip, and brotli where there is one: each
        // with its own tag.
        assert_eq!(tags.len(), if has_br { 3 } else { 2 }, "{uri}: {tags:?}");
    }
    // Small files are not worth compressing.
    let r = send_with(
        &state,
        "GET",
        "/robots.txt",
        &[("accept-encoding", "br, gzip")],
    )
    .await;
    assert!(!r.headers.contains_key(header::CONTENT_ENCODING));
}

#[tokio::test]
async fn head_has_the_headers_of_get_and_no_body() {
    let state = embedded();
    for uri in [
        "/",
        "/calendar.ics",
        "/people/soren-brunak.vcf",
        "/favicon.svg",
        "/nowhere",
        "/committee",
        "/api/people",
        "/api/people/nobody",
        "/healthz",
    ] {
        for accept in ["", "gzip", "br"] {
            let headers: &[(&str, &str)] = &[("accept-encoding", accept)];
            let get = send_with(&state, "GET", uri, headers).await;
            let head = send_with(&state, "HEAD", uri, headers).await;
            assert_eq!(head.status, get.status, "{uri}");
            assert_eq!(head.headers, get.headers, "{uri}");
            assert!(head.body.is_empty(), "{uri}");
        }
    }
}

#[tokio::test]
async fn a_missing_page_is_the_sites_404_page() {
    let state = embedded();
    let page = state.snapshot();
    let page = page.pages.get("/404.html").unwrap().body().clone();
    for uri in [
        "/nowhere",
        "/people/nobody/",
        "/style.css/",
        // A directory's index.html redirects to it only where the site has
        // the directory, and only by the name the export writes.
        "/people/nobody/index.html",
        "/style.css/index.html",
        "/committee/index.htm",
        "/committee/index.html/",
    ] {
        let r = send(&state, "GET", uri).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(r.header(header::CONTENT_TYPE), "text/html; charset=utf-8");
        assert_eq!(r.body, page, "{uri}");
    }
    assert!(String::from_utf8_lossy(&page).contains("<h1>"));
}

#[tokio::test]
async fn other_methods_get_405_with_allow() {
    let state = embedded();
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"] {
        for uri in [
            "/",
            "/committee/",
            "/style.css",
            "/calendar.ics",
            "/nowhere",
        ] {
            // OPTIONS on `/` is DAV's, which clients given only the
            // server's address probe (`server::dav` tests it).
            if method == "OPTIONS" && uri == "/" {
                continue;
            }
            let r = send(&state, method, uri).await;
            assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
            assert_eq!(r.header(header::ALLOW), "GET, HEAD", "{method} {uri}");
        }
        for uri in [
            "/api/society",
            "/api/people",
            "/api/people/soren-brunak",
            "/api/meetings?year=2017",
        ] {
            let r = send(&state, method, uri).await;
            assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
            assert_eq!(r.header(header::ALLOW), "GET,HEAD", "{method} {uri}");
            assert_eq!(r.json()["error"]["status"], 405, "{method} {uri}");
        }
        let r = send(&state, method, "/healthz").await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(r.header(header::ALLOW), "GET,HEAD", "{method}");
    }
}

#[tokio::test]
async fn an_unknown_api_path_is_a_json_404() {
    let state = embedded();
    for method in ["GET", "POST"] {
        for uri in [
            "/api",
            "/api/",
            "/api/nothing",
            "/api/people/a/b",
            "/api/people/",
        ] {
            let r = send(&state, method, uri).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {uri}");
            assert_eq!(r.header(header::CONTENT_TYPE), "application/json");
            assert_eq!(r.json()["error"]["status"], 404, "{method} {uri}");
            assert!(
                r.json()["error"]["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("no API endpoint at /api"),
                "{method} {uri}: {}",
                r.text()
            );
        }
    }
}

#[tokio::test]
async fn an_overlong_target_gets_414() {
    let state = embedded();
    let long_path = format!("/{}", "a".repeat(MAX_URI));
    let long_query = format!("/api/people?search={}", "a".repeat(MAX_URI));
    for uri in [&long_path, &long_query] {
        let r = send(&state, "GET", uri).await;
        assert_eq!(r.status, StatusCode::URI_TOO_LONG);
    }
    // Right at the limit the request goes through.
    let at_limit = format!("/{}", "a".repeat(MAX_URI - 1));
    assert_eq!(
        send(&state, "GET", &at_limit).await.status,
        StatusCode::NOT_FOUND
    );
}

/// Each target redirects permanently, for GET and HEAD, to its address,
/// where the page is.
async fn assert_redirects(state: &AppState, cases: &[(&str, &str)]) {
    for (uri, to) in cases {
        for method in ["GET", "HEAD"] {
            let r = send(state, method, uri).await;
            assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT, "{method} {uri}");
            assert_eq!(r.header(header::LOCATION), *to, "{method} {uri}");
        }
        assert_eq!(send(state, "GET", to).await.status, StatusCode::OK, "{to}");
    }
}

#[tokio::test]
async fn a_page_without_its_slash_redirects_to_it() {
    let state = embedded();
    assert_redirects(
        &state,
        &[
            ("/committee", "/committee/"),
            ("/meetings", "/meetings/"),
            ("/people/soren-brunak", "/people/soren-brunak/"),
            ("/contact", "/contact/"),
        ],
    )
    .await;
    // Only where the page exists.
    assert_eq!(
        send(&state, "GET", "/people/nobody").await.status,
        StatusCode::NOT_FOUND
    );
}

/// A method, a target, request headers and the status expected.
type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], u16);

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let state = embedded();
    let etag = send(&state, "GET", "/")
        .await
        .header(header::ETAG)
        .to_string();
    let long = format!("/{}", "a".repeat(MAX_URI + 1));
    let cases: &[Case] = &[
        ("GET", "/", &[], 200),
        ("GET", "/", &[("if-none-match", &etag)], 304),
        ("GET", "/", &[("accept-encoding", "br")], 200),
        ("HEAD", "/committee/", &[], 200),
        ("GET", "/calendar.ics", &[], 200),
        ("GET", "/", &[("if-match", "\"other\"")], 412),
        ("GET", "/committee", &[], 308),
        ("GET", "/committee/index.html?a=1", &[], 308),
        ("GET", "/nowhere", &[], 404),
        ("POST", "/", &[], 405),
        ("GET", &long, &[], 414),
        ("GET", "/api/people", &[], 200),
        ("GET", "/api/people/nobody", &[], 404),
        ("GET", "/api/people?country=Narnia", &[], 400),
        ("GET", "/api/people?countyr=NO", &[], 400),
        ("DELETE", "/api/people", &[], 405),
        ("GET", "/api/nothing", &[], 404),
        ("GET", "/healthz", &[], 200),
    ];
    for (method, uri, headers, status) in cases {
        let r = send_with(&state, method, uri, headers).await;
        let what = format!("{method} {}", &uri[..uri.len().min(40)]);
        assert_eq!(r.status.as_u16(), *status, "{what}");
        let csp = r.header(header::CONTENT_SECURITY_POLICY);
        assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
        assert!(!csp.contains("unsafe-eval"), "{what}: {csp}");
        assert!(csp.contains("default-src 'none'"), "{what}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
        assert_eq!(
            r.header(header::X_CONTENT_TYPE_OPTIONS),
            "nosniff",
            "{what}"
        );
        assert_eq!(r.header(header::REFERRER_POLICY), "no-referrer", "{what}");
        assert_eq!(r.header(header::X_FRAME_OPTIONS), "DENY", "{what}");
    }
}

#[tokio::test]
async fn an_if_match_that_matches_nothing_gets_412() {
    let state = embedded();
    let page = send(&state, "GET", "/committee/").await;
    let etag = page.header(header::ETAG).to_string();
    let gzip = send_with(&state, "GET", "/committee/", &[("accept-encoding", "gzip")]).await;
    let gzip_etag = gzip.header(header::ETAG).to_string();
    // `*` matches any current representation; a list matches when one of
    // its tags is the representation's own, compared strongly.
    for (accept, tags) in [
        ("", etag.as_str()),
        ("", "*"),
        ("", &format!("\"other\", {etag}")),
        ("gzip", gzip_etag.as_str()),
    ] {
        let headers = [("accept-encoding", accept), ("if-match", tags)];
        let r = send_with(&state, "GET", "/committee/", &headers).await;
        assert_eq!(r.status, StatusCode::OK, "{accept} {tags}");
        assert_eq!(decoded(&r), page.body, "{accept} {tags}");
    }
    for (accept, tags) in [
        ("", "\"other\""),
        // A weak tag never matches strongly, even with the same opaque part.
        ("", &format!("W/{etag}")),
        ("", "not-a-tag"),
        // Each encoding is its own representation with its own tag.
        ("gzip", etag.as_str()),
        ("", gzip_etag.as_str()),
    ] {
        for method in ["GET", "HEAD"] {
            let headers = [("accept-encoding", accept), ("if-match", tags)];
            let r = send_with(&state, method, "/committee/", &headers).await;
            assert_eq!(
                r.status,
                StatusCode::PRECONDITION_FAILED,
                "{method} {accept} {tags}"
            );
            assert_ne!(decoded(&r), page.body, "{method} {accept} {tags}");
        }
    }
    // If-Match is decided before If-None-Match.
    let r = send_with(
        &state,
        "GET",
        "/committee/",
        &[("if-match", "\"other\""), ("if-none-match", &etag)],
    )
    .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    // Preconditions do not turn other answers into 412 (RFC 9110 §13.2.1):
    // the 404 page, redirects and 405 stay as they are.
    for (method, uri, status) in [
        ("GET", "/nowhere", StatusCode::NOT_FOUND),
        ("GET", "/committee", StatusCode::PERMANENT_REDIRECT),
        ("POST", "/committee/", StatusCode::METHOD_NOT_ALLOWED),
    ] {
        let r = send_with(&state, method, uri, &[("if-match", "\"other\"")]).await;
        assert_eq!(r.status, status, "{method} {uri}");
    }
}

#[tokio::test]
async fn the_slash_redirect_keeps_the_query_string() {
    assert_redirects(
        &embedded(),
        &[
            ("/committee?from=newsletter", "/committee/?from=newsletter"),
            (
                "/people/soren-brunak?a=1&b=%C3%B8",
                "/people/soren-brunak/?a=1&b=%C3%B8",
            ),
            // UTF-8 sent as it is goes on percent-encoded, as a header must.
            ("/contact?q=søren", "/contact/?q=s%C3%B8ren"),
        ],
    )
    .await;
}

#[tokio::test]
async fn a_directorys_index_html_redirects_to_the_directory() {
    let state = embedded();
    assert_redirects(
        &state,
        &[
            ("/index.html", "/"),
            ("/committee/index.html", "/committee/"),
            ("/people/soren-brunak/index.html", "/people/soren-brunak/"),
            ("/meetings/index.html?year=2017", "/meetings/?year=2017"),
        ],
    )
    .await;
    // Only for a directory the site has, and only for the name the export
    // writes: see `a_missing_page_is_the_sites_404_page`.
}

/// The valid fixture's data, whose one recorded change is a meeting's
/// `modified`.
fn valid() -> AppState {
    AppState::new(Society::load_dir(&support::fixture("valid")).unwrap()).unwrap()
}

/// The valid fixture's data with its one recorded change (a meeting's
/// `modified`) set to `modified`, or removed with `None`.
fn valid_changed_at(modified: Option<&str>) -> AppState {
    let mut sources = nspm_core::Sources::read_dir(&support::fixture("valid")).unwrap();
    let old = "        modified: Some(\"2021-08-01T12:00:00Z\"),\n";
    let meetings = sources.text(nspm_core::DataFile::Meetings).unwrap();
    assert!(meetings.contains(old));
    let new = modified.map_or(String::new(), |m| {
        format!("        modified: Some(\"{m}\"),\n")
    });
    let meetings = meetings.replace(old, &new);
    sources.set_text(nspm_core::DataFile::Meetings, meetings);
    AppState::new(Society::from_sources(&sources).unwrap()).unwrap()
}

/// When the valid fixture's data last changed, as its one meeting with a
/// `modified` records it.
const FIXTURE_CHANGED: &str = "Sun, 01 Aug 2021 12:00:00 GMT";

#[tokio::test]
async fn files_carry_last_modified_from_the_data() {
    let state = valid();
    for uri in [
        "/",
        "/committee/",
        "/calendar.ics",
        "/meetings/stockholm-2021.ics",
        "/committee.vcf",
        "/style.css",
    ] {
        for method in ["GET", "HEAD"] {
            let r = send(&state, method, uri).await;
            assert_eq!(r.status, StatusCode::OK, "{method} {uri}");
            assert_eq!(r.header(header::LAST_MODIFIED), FIXTURE_CHANGED, "{uri}");
        }
    }
    // Not the clock or the start: the same on another start with the
    // same data.
    let again = valid();
    let r = send(&again, "GET", "/calendar.ics").await;
    assert_eq!(r.header(header::LAST_MODIFIED), FIXTURE_CHANGED);
    // Without a recorded change, the data's latest date, as in DTSTAMP:
    // the real data's latest meeting is of June 2018.
    let r = send(&embedded(), "GET", "/calendar.ics").await;
    assert_eq!(
        r.header(header::LAST_MODIFIED),
        "Fri, 01 Jun 2018 00:00:00 GMT"
    );
    assert!(String::from_utf8_lossy(&r.body).contains("DTSTAMP:20180601T000000Z"));
    // A date the data gives that is still to come is no modification date.
    let future = valid_changed_at(Some("2999-01-01T00:00:00Z"));
    let r = send(&future, "GET", "/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.headers.contains_key(header::LAST_MODIFIED));
    let r = send_with(
        &future,
        "GET",
        "/",
        &[("if-modified-since", "Fri, 01 Jan 2999 00:00:00 GMT")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    // The site's 404 page says nothing of when the missing page changed.
    let r = send(&state, "GET", "/nowhere").await;
    assert!(!r.headers.contains_key(header::LAST_MODIFIED));
}

#[tokio::test]
async fn if_modified_since_the_last_change_gets_304() {
    let state = valid();
    let page = send(&state, "GET", "/calendar.ics").await;
    let etag = page.header(header::ETAG).to_string();
    // The three forms of HTTP-date a recipient must read (RFC 9110 §5.6.7).
    for date in [
        FIXTURE_CHANGED,
        "Sunday, 01-Aug-21 12:00:00 GMT",
        "Sun Aug  1 12:00:00 2021",
    ] {
        for method in ["GET", "HEAD"] {
            let r = send_with(
                &state,
                method,
                "/calendar.ics",
                &[("if-modified-since", date)],
            )
            .await;
            assert_eq!(r.status, StatusCode::NOT_MODIFIED, "{method} {date}");
            assert!(r.body.is_empty());
            assert_eq!(r.header(header::ETAG), etag);
            assert_eq!(r.header(header::LAST_MODIFIED), FIXTURE_CHANGED);
        }
    }
    for (headers, status) in [
        // A second before the change: the file has changed since.
        (
            vec![("if-modified-since", "Sun, 01 Aug 2021 11:59:59 GMT")],
            StatusCode::OK,
        ),
        // Not a date at all, or a list of them: ignored.
        (vec![("if-modified-since", "yesterday")], StatusCode::OK),
        (
            vec![(
                "if-modified-since",
                "Sun, 01 Aug 2021 12:00:00 GMT, Sun, 01 Aug 2021 12:00:00 GMT",
            )],
            StatusCode::OK,
        ),
        // If-None-Match, when present, decides alone (RFC 9110 §13.1.3).
        (
            vec![
                ("if-modified-since", FIXTURE_CHANGED),
                ("if-none-match", "\"other\""),
            ],
            StatusCode::OK,
        ),
        (
            vec![
                ("if-modified-since", "Sun, 01 Aug 2021 11:59:59 GMT"),
                ("if-none-match", etag.as_str()),
            ],
            StatusCode::NOT_MODIFIED,
        ),
    ] {
        let r = send_with(&state, "GET", "/calendar.ics", &headers).await;
        assert_eq!(r.status, status, "{headers:?}");
        if status == StatusCode::OK {
            assert_eq!(r.body, page.body, "{headers:?}");
        }
    }
    // Only for a file that is there, and only for GET and HEAD.
    let r = send_with(
        &state,
        "GET",
        "/nowhere",
        &[("if-modified-since", FIXTURE_CHANGED)],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = send_with(
        &state,
        "POST",
        "/calendar.ics",
        &[("if-modified-since", FIXTURE_CHANGED)],
    )
    .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn a_client_that_only_sends_dates_gets_each_change() {
    // An edit that records a later change: the calendar a client holds from
    // before is sent again, with the new date.
    let state = valid();
    let before = send(&state, "GET", "/calendar.ics").await;
    let later = valid_changed_at(Some("2022-03-04T05:06:07Z"));
    let r = send_with(
        &later,
        "GET",
        "/calendar.ics",
        &[("if-modified-since", FIXTURE_CHANGED)],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_ne!(r.body, before.body);
    assert_eq!(
        r.header(header::LAST_MODIFIED),
        "Fri, 04 Mar 2022 05:06:07 GMT"
    );
    // The data's latest date can also move back, when the newest change is
    // undone: a client holding the newer date must not be told that
    // nothing changed, so only the date the file carries now counts as
    // "not modified", not every later one.
    let undone = valid_changed_at(None);
    let r = send(&undone, "GET", "/calendar.ics").await;
    assert_eq!(
        r.header(header::LAST_MODIFIED),
        "Tue, 14 Sep 2021 00:00:00 GMT"
    );
    for date in [FIXTURE_CHANGED, "Fri, 04 Mar 2022 05:06:07 GMT"] {
        let r = send_with(
            &undone,
            "GET",
            "/calendar.ics",
            &[("if-modified-since", date)],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{date}");
        assert!(!r.body.is_empty());
    }
}

#[tokio::test]
async fn if_unmodified_since_before_the_last_change_gets_412() {
    let state = valid();
    for (date, status) in [
        (FIXTURE_CHANGED, StatusCode::OK),
        ("Mon, 02 Aug 2021 00:00:00 GMT", StatusCode::OK),
        (
            "Sun, 01 Aug 2021 11:59:59 GMT",
            StatusCode::PRECONDITION_FAILED,
        ),
        ("not a date", StatusCode::OK),
    ] {
        let r = send_with(&state, "GET", "/", &[("if-unmodified-since", date)]).await;
        assert_eq!(r.status, status, "{date}");
    }
    // If-Match, when present, decides instead.
    let etag = send(&state, "GET", "/")
        .await
        .header(header::ETAG)
        .to_string();
    let r = send_with(
        &state,
        "GET",
        "/",
        &[
            ("if-match", &etag),
            ("if-unmodified-since", "Sun, 01 Aug 2021 11:59:59 GMT"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
}

/// Page weight on the wire: every page of the society's site, as a browser
/// gets it (`Accept-Encoding: gzip, deflate, br`), weighs at most 30 KB, and the
/// committee page (with its map) under 60 KB. Prints each page's sizes,
/// for BENCHMARKS.md.
#[tokio::test]
async fn no_page_is_heavy_on_the_wire() {
    const KB: usize = 1000;
    let state = embedded();
    let options = nspm_export::SiteOptions {
        stamp: nspm_core::Timestamp::parse("2026-01-01T00:00:00Z").unwrap(),
        today: nspm_core::PartialDate::parse("2026-01-01").unwrap(),
    };
    let site = nspm_export::Site::build(&Society::load_embedded().unwrap(), &options).unwrap();
    let mut pages: Vec<&str> = site
        .iter()
        .filter(|(_, p)| p.content_type == nspm_export::site::content_type::HTML)
        .map(|(path, _)| path)
        .chain(["/style.css", "/favicon.svg"])
        .collect();
    pages.sort();
    eprintln!(
        "{:<48} {:>8} {:>8} {:>8} {:>8}",
        "path", "plain", "gzip", "br only", "browser"
    );
    for path in pages {
        let uri = if path == "/404.html" {
            "/no-such-page/"
        } else {
            path
        };
        let mut sizes = Vec::new();
        for accept in ["identity", "gzip", "br", "gzip, deflate, br"] {
            let r = send_with(&state, "GET", uri, &[("accept-encoding", accept)]).await;
            sizes.push(r.body.len());
        }
        eprintln!(
            "{path:<48} {:>8} {:>8} {:>8} {:>8}",
            sizes[0], sizes[1], sizes[2], sizes[3]
        );
        let limit = if path == "/committee/" {
            60 * KB
        } else {
            30 * KB
        };
        let wire = sizes[3];
        assert!(
            wire <= limit,
            "{path} weighs {wire} bytes compressed, over {limit}"
        );
        assert!(sizes[0] > 0, "{path}");
    }
}
