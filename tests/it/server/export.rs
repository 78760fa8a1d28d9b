//! The server and `nspm export site` give the same site at the same
//! addresses: every exported file is served at its URL with the same bytes;
//! the other addresses a static host answers for it (`committee/index.html`
//! itself, and `/committee` without its slash) redirect there; and the
//! server has no URL the export lacks.

use std::collections::BTreeSet;
use std::path::Path;

use axum::http::{StatusCode, header};
use nspm_core::Society;
use nspm_server::AppState;

use super::send;
use crate::support;

/// The URL path a static host serves a file of the export at: the inverse
/// of `Site::file_for`.
fn url_of(file: &Path) -> String {
    let file = file.to_str().unwrap();
    match file.strip_suffix("index.html") {
        Some(dir) => format!("/{dir}"),
        None => format!("/{file}"),
    }
}

/// Exports the site of `data` (the embedded copy when `None`) with the
/// binary and compares it with what the server answers for the same data.
async fn export_matches_server(data: Option<&Path>) {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("site");
    let mut cmd = support::nspm();
    if let Some(dir) = data {
        cmd.arg("--data").arg(dir);
    }
    let run = cmd
        .args(["export", "site", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");

    let society = match data {
        Some(dir) => Society::load_dir(dir).unwrap(),
        None => Society::load_embedded().unwrap(),
    };
    let state = AppState::new(society).unwrap();
    let mut exported = BTreeSet::new();
    for file in support::files_under(&out) {
        // The mark that lets the next export replace the directory is not
        // part of the site.
        if file == Path::new(nspm_store::EXPORT_MARK) {
            continue;
        }
        let url = url_of(&file);
        let r = send(&state, "GET", &url).await;
        assert_eq!(r.status, StatusCode::OK, "{url}");
        assert!(
            r.body == std::fs::read(out.join(&file)).unwrap(),
            "{url} differs from {}",
            file.display()
        );
        // A static host serves a directory's page at the file's own
        // address and redirects the address without the slash; the server
        // sends both to the page's one URL.
        let own = format!("/{}", file.to_str().unwrap());
        let slashless = url.strip_suffix('/').filter(|s| !s.is_empty());
        for other in [Some(own.as_str()), slashless].into_iter().flatten() {
            if other == url {
                continue;
            }
            let r = send(&state, "GET", other).await;
            assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT, "{other}");
            assert_eq!(r.header(header::LOCATION), url, "{other}");
        }
        exported.insert(url);
    }
    let snapshot = state.snapshot();
    let served: BTreeSet<String> = snapshot.pages.paths().map(String::from).collect();
    assert_eq!(served, exported);
    assert!(served.len() > 20, "{served:?}");
    // Every photo of the data is among them, in each size and format.
    let photos = snapshot.society.people.iter().filter(|p| p.photo.is_some());
    for person in photos {
        for size in &nspm_core::view::PersonView::new(
            &snapshot.society,
            person,
            nspm_core::Audience::Public,
        )
        .photo
        .unwrap()
        .sizes
        {
            assert!(
                served.contains(&size.jpeg) && served.contains(&size.webp),
                "{size:?}"
            );
        }
    }
}

#[tokio::test]
async fn the_embedded_site_is_served_as_exported() {
    export_matches_server(None).await;
}

#[tokio::test]
async fn a_site_with_a_base_url_is_served_as_exported() {
    // With a photo, whose files are served as exported too.
    let temp = support::with_photo(&support::fixture("site"), "ada-quote");
    export_matches_server(Some(&temp.path().join("data"))).await;
}

/// A stamp given to the state (the command line passes `SOURCE_DATE_EPOCH`)
/// is the DTSTAMP of every calendar, after a reload too.
#[tokio::test]
async fn a_fixed_stamp_holds_for_every_reload() {
    let stamp = nspm_core::Timestamp::parse("2023-11-14T22:13:20Z").unwrap();
    let state = AppState::with_stamp(Society::load_embedded().unwrap(), Some(stamp)).unwrap();
    let stamps = |ics: &str| -> BTreeSet<String> {
        ics.lines()
            .filter_map(|l| l.strip_prefix("DTSTAMP:"))
            .map(String::from)
            .collect()
    };
    let fixed = BTreeSet::from(["20231114T221320Z".to_string()]);
    let r = send(&state, "GET", "/calendar.ics").await;
    assert_eq!(stamps(r.text()), fixed);
    // Without the stamp, the fixture's calendar would state its latest
    // change (2019-10-01T08:30:00Z).
    state
        .replace(Society::load_dir(&support::fixture("site")).unwrap(), None)
        .unwrap();
    let r = send(&state, "GET", "/calendar.ics").await;
    assert!(
        r.text().contains("UID:bergen-2015@"),
        "the reload is served"
    );
    assert_eq!(stamps(r.text()), fixed);
}
