//! Nothing the server sends shows a detail the data keeps for members: a
//! crawl of every site URL (in every encoding) and every API URL over the
//! site fixture, whose people have members-only emails and phones.

use axum::http::StatusCode;
use nspm_core::{Audience, Society};
use nspm_server::AppState;

use super::headers::decoded;
use super::{send, send_with};
use crate::support;

/// Each members-only detail of the society, in the forms it could take
/// in HTML, JSON, vCard or a `tel:`/`mailto:` link.
fn secrets(society: &Society) -> Vec<String> {
    let mut found = Vec::new();
    for person in &society.people {
        let public: Vec<_> = person.details(Audience::Public).collect();
        for (kind, detail) in person.details(Audience::Members) {
            if public.iter().any(|(k, _)| *k == kind) {
                continue;
            }
            let value = detail.value.clone();
            if let Some((local, _)) = value.split_once('@') {
                found.push(local.to_string());
            } else {
                found.push(value.replace(' ', ""));
                found.push(value.chars().filter(char::is_ascii_digit).collect());
            }
            found.push(value);
        }
    }
    found
}

#[tokio::test]
async fn no_url_shows_a_members_only_detail() {
    let society = Society::load_dir(&support::fixture("site")).unwrap();
    let secrets = secrets(&society);
    // The fixture has them, so the crawl below could find them.
    for expected in [
        "hidden.member@example.org",
        "+47 99 99 99 99",
        "dana.secret",
    ] {
        assert!(secrets.iter().any(|s| s == expected), "{secrets:?}");
    }

    let mut urls: Vec<String> = [
        "/api/society",
        "/api/people",
        "/api/people?search=ada",
        "/api/people?country=NO",
        "/api/people?role=chair",
        "/api/institutions",
        "/api/meetings",
        "/nowhere",
    ]
    .map(String::from)
    .to_vec();
    urls.extend(
        society
            .people
            .iter()
            .map(|p| format!("/api/people/{}", p.id)),
    );
    urls.extend(
        society
            .institutions
            .iter()
            .map(|i| format!("/api/institutions/{}", i.id)),
    );
    urls.extend(
        society
            .meetings
            .iter()
            .map(|m| format!("/api/meetings/{}", m.id)),
    );
    let state = AppState::new(society).unwrap();
    urls.extend(state.snapshot().pages.paths().map(String::from));
    assert!(urls.iter().any(|u| u.ends_with(".vcf")));
    assert!(urls.iter().any(|u| u.ends_with(".ics")));

    let mut checked = 0;
    for url in &urls {
        for accept in ["identity", "gzip", "br"] {
            let r = send_with(&state, "GET", url, &[("accept-encoding", accept)]).await;
            assert!(
                r.status == StatusCode::OK || url == "/nowhere",
                "{url}: {}",
                r.status
            );
            let body = String::from_utf8_lossy(&decoded(&r)).into_owned();
            for secret in &secrets {
                assert!(!body.contains(secret.as_str()), "{url} shows {secret}");
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} responses");
    // The people themselves are there, with their public details.
    let ada = send(&state, "GET", "/people/ada-quote.vcf").await;
    assert!(ada.text().contains("0000-0002-1825-0097"));
}
