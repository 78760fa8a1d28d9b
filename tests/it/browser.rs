//! A visitor's walk through the running site in headless Chromium
//! (tests/tools/e2e.mjs): from the home page to the committee, to a person
//! and their contact card, to the meetings and their calendar, every step a
//! click, on a phone and on a desktop. The screenshots it takes land in
//! `artifacts/screenshots/<width>/` for people to look at.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use nspm_core::Society;
use serde_json::Value;

use crate::support;

const WIDTHS: [u64; 2] = [375, 1280];
const PAGES: [&str; 4] = ["home", "committee", "person", "meetings"];

/// The width and height a PNG file declares in its header.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 24,
        "{} is not a PNG file",
        path.display()
    );
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

/// Runs a browser tool of tests/tools on these arguments and reads its
/// report, in which no request may have left the machine.
fn report_of(tool: &str, args: &[&OsStr]) -> Value {
    let tools = support::root().join("tests/tools");
    let stdout = support::tool_stdout(
        Command::new("node")
            .arg(tools.join(tool))
            .args(args)
            .current_dir(&tools),
    );
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(report["blocked"], serde_json::json!([]));
    report
}

/// The text of a file the walk downloaded, once its type and name are
/// checked.
fn downloaded<'a>(file: &'a Value, media_type: &str, name: &str) -> &'a str {
    let content_type = file["content_type"].as_str().unwrap();
    assert!(content_type.starts_with(media_type), "{file}");
    assert_eq!(file["file_name"], name, "{file}");
    file["text"].as_str().unwrap()
}

#[test]
fn a_visitor_clicks_through_to_a_card_and_the_calendar() {
    if !support::external_tests("the walk in Chromium") {
        return;
    }
    let tools = support::root().join("tests/tools");
    for needed in [
        tools.join("node_modules/playwright-core"),
        "/usr/bin/chromium".into(),
    ] {
        assert!(
            needed.exists(),
            "{} is missing: run tests/tools/install",
            needed.display()
        );
    }
    let society = Society::load_embedded().unwrap();
    // A name beyond ASCII shows that the card keeps it whole.
    let person = society
        .people
        .iter()
        .find(|p| !p.name().is_ascii())
        .unwrap_or(&society.people[0]);
    let name = person.name();

    let shots = support::root().join("artifacts/screenshots");
    if shots.exists() {
        std::fs::remove_dir_all(&shots).unwrap();
    }
    let server = crate::server::running::Running::start(&[], &[]);
    let base = format!("http://{}/", server.addr);
    let report = report_of(
        "e2e.mjs",
        &[base.as_ref(), shots.as_os_str(), name.as_ref()],
    );

    let walks = report["walks"].as_array().unwrap();
    assert_eq!(walks.len(), WIDTHS.len());
    for (walk, width) in walks.iter().zip(WIDTHS) {
        assert_eq!(walk["width"], width);
        let visited = walk["visited"].as_array().unwrap();
        let names: Vec<&str> = visited
            .iter()
            .map(|v| v["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, PAGES, "{width} px");
        assert_eq!(visited[2]["path"], format!("/people/{}/", person.id));
        assert_eq!(visited[2]["h1"], name.as_str());
        for page in visited {
            let (w, h) = png_size(Path::new(page["screenshot"].as_str().unwrap()));
            assert_eq!(u64::from(w), width, "{page}");
            assert!(h >= 600, "{page}: {h} px tall");
        }

        let text = downloaded(&walk["card"], "text/vcard", &format!("{}.vcf", person.id));
        assert!(text.starts_with("BEGIN:VCARD\r\n"), "{text}");
        assert!(text.contains(&format!("\r\nFN:{name}\r\n")), "{text}");
        assert!(text.ends_with("END:VCARD\r\n"), "{text}");

        let text = downloaded(&walk["calendar"], "text/calendar", "calendar.ics");
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
        assert_eq!(
            text.matches("BEGIN:VEVENT\r\n").count(),
            society.meetings.len(),
            "{text}"
        );
    }
    // Both widths of every page, and nothing else.
    let mut files = Vec::new();
    for width in WIDTHS {
        for entry in std::fs::read_dir(shots.join(width.to_string())).unwrap() {
            files.push(entry.unwrap().path());
        }
    }
    assert_eq!(files.len(), WIDTHS.len() * PAGES.len(), "{files:?}");
}

/// The pages whose looks are proven: one of every kind.
const LOOKS: [(&str, &str); 8] = [
    ("home", "/"),
    ("committee", "/committee/"),
    ("person", "/people/kari-stefansson/"),
    ("institution", "/institutions/decode-genetics/"),
    ("meetings", "/meetings/"),
    ("meeting", "/meetings/oslo-2016/"),
    ("contact", "/contact/"),
    ("not-found", "/no-such-page/"),
];

/// How every kind of page looks in Chromium (tests/tools/looks.mjs): at
/// 320, 375, 414 and 1280 px, light and dark, the header has one height on
/// every page, nothing scrolls sideways and axe finds nothing; the dark
/// scheme is really dark; printing hides the navigation and prints the
/// addresses of outside links. The screenshots (320, 375 and 1280 px, both
/// schemes) and A4 PDFs land in `target/artifacts/looks/` for people to
/// look at.
#[test]
fn every_kind_of_page_looks_right_at_every_width_in_both_schemes_and_in_print() {
    if !support::external_tests("the looks in Chromium") {
        return;
    }
    let out = support::root().join("target/artifacts/looks");
    if out.exists() {
        std::fs::remove_dir_all(&out).unwrap();
    }
    let server = crate::server::running::Running::start(&[], &[]);
    let pages: Vec<String> = LOOKS
        .iter()
        .map(|(name, path)| format!("{name}=http://{}{path}", server.addr))
        .collect();
    let args: Vec<&OsStr> = std::iter::once(out.as_os_str())
        .chain(pages.iter().map(OsStr::new))
        .collect();
    let report = report_of("looks.mjs", &args);

    let views = report["views"].as_array().unwrap();
    assert_eq!(views.len(), LOOKS.len() * 4 * 2);
    let mut backgrounds = std::collections::BTreeMap::new();
    for scheme in ["light", "dark"] {
        for width in [320, 375, 414, 1280] {
            let here: Vec<&Value> = views
                .iter()
                .filter(|v| v["scheme"] == scheme && v["width"] == width)
                .collect();
            assert_eq!(here.len(), LOOKS.len(), "{scheme} {width}");
            let heights: Vec<(&str, f64)> = here
                .iter()
                .map(|v| {
                    (
                        v["name"].as_str().unwrap(),
                        v["header_height"].as_f64().unwrap(),
                    )
                })
                .collect();
            assert!(
                heights.iter().all(|(_, h)| *h == heights[0].1),
                "{scheme} {width} px: the header's height differs between pages: {heights:?}"
            );
            for v in &here {
                assert!(
                    v["scroll_width"].as_u64() <= v["client_width"].as_u64(),
                    "{scheme} {width} px: {} scrolls sideways: {v}",
                    v["name"]
                );
                assert_eq!(v["violations"], serde_json::json!([]), "{v}");
                backgrounds.insert(scheme, v["background"].as_str().unwrap().to_string());
                if let Some(shot) = v["screenshot"].as_str() {
                    let (w, h) = png_size(Path::new(shot));
                    assert_eq!(u64::from(w), width, "{v}");
                    assert!(h >= 400, "{v}: {h} px tall");
                }
            }
        }
    }
    assert_eq!(backgrounds["light"], "rgb(255, 255, 255)");
    assert_ne!(
        backgrounds["dark"], backgrounds["light"],
        "the dark scheme changes nothing"
    );

    let prints = report["prints"].as_array().unwrap();
    assert_eq!(prints.len(), LOOKS.len());
    for print in prints {
        assert_eq!(print["nav_shown"], false, "{print}");
        let pdf = std::fs::read(print["pdf"].as_str().unwrap()).unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "{print}");
    }
    let contact = prints.iter().find(|p| p["name"] == "contact").unwrap();
    assert!(
        contact["printed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h.as_str().unwrap().starts_with("mailto:")),
        "the contact page's address is not printed: {contact}"
    );
}
