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
    for uri in ["/style.css", "/favicon.svg"] {
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
        ("/style.css", false),
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
