//! Members of the society who are not on its committee, and members-only
//! meeting details, over the members fixture: every value there that only
//! members may know holds the word "canary", and nothing else does. No
//! public URL (in any encoding), no file of the static export and no public
//! card or calendar export holds it; the members' exports hold each one.

use std::path::Path;

use axum::http::StatusCode;
use nspm_core::{Audience, Society};
use nspm_server::AppState;

use super::headers::decoded;
use super::{send, send_with};
use crate::support::{self, nspm_ok};

/// The word every members-only value of the fixture holds.
const CANARY: &str = "canary";

fn fixture() -> std::path::PathBuf {
    support::fixture("members")
}

/// A copy of the fixture to change, in a directory of its own.
fn fixture_copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    support::copy_data(&fixture(), &data);
    (temp, data)
}

/// Exports the site of `data` into `out` and finds no canary in any file.
fn export_site_without_canary(data: &Path, out: &Path) {
    nspm_ok(data, &["export", "site", "--out", out.to_str().unwrap()]);
    let files = support::files_under(out);
    assert!(files.len() > 20, "{files:?}");
    for file in files {
        // Images (the preview PNGs) are searched as bytes: a canary is ASCII.
        let text = String::from_utf8_lossy(&std::fs::read(out.join(&file)).unwrap()).into_owned();
        assert_eq!(canary_in(&text), None, "{}", file.display());
    }
}

fn society() -> Society {
    Society::load_dir(&fixture()).unwrap()
}

/// The fixture's members-only people, found by the one rule.
fn members_only(society: &Society) -> Vec<String> {
    society
        .people
        .iter()
        .filter(|p| !p.visible_to(Audience::Public))
        .map(|p| p.id.to_string())
        .collect()
}

/// The diff that `nspm --data DATA args… --dry-run` shows.
fn dry_run(data: &Path, args: &[&str]) -> String {
    nspm_ok(data, &[args, &["--dry-run"]].concat())
}

/// Runs `nspm --data DATA args…`, which must fail with status 1 (the data
/// or the change is refused); its standard output and error.
fn nspm_refused(data: &Path, args: &[&str]) -> (String, String) {
    let out = support::nspm()
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .expect("nspm runs");
    assert_eq!(out.status.code(), Some(1), "nspm {args:?}");
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Where `text` holds the canary, if it does: a few characters around the
/// first place, for the failure message.
fn canary_in(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let at = lower.find(CANARY)?;
    let start = lower[..at]
        .char_indices()
        .rev()
        .nth(40)
        .map_or(0, |(i, _)| i);
    Some(lower[start..].chars().take(120).collect())
}

#[test]
fn the_fixture_has_members_only_people_and_only_there_the_canary() {
    let s = society();
    assert_eq!(members_only(&s), ["mira-canarymember", "otto-canaryson"]);
    // Carl is on the committee and a member: public, and the public does not
    // learn that he is a member.
    let carl = s.person("carl-abroad").unwrap();
    assert!(carl.visible_to(Audience::Public));
    assert_eq!(
        carl.roles_for(Audience::Public)
            .map(|r| r.slug())
            .collect::<Vec<_>>(),
        ["steering-committee"]
    );
    // Every public value of the public people is free of the canary, so a
    // canary found below is a leak.
    for p in s.people_for(Audience::Public) {
        let view = nspm_core::view::PersonView::new(&s, p, Audience::Public);
        let json = serde_json::to_string(&view).unwrap();
        assert_eq!(canary_in(&json), None, "{json}");
    }
}

#[tokio::test]
async fn no_public_url_knows_of_a_member_or_a_members_only_detail() {
    let s = society();
    let hidden = members_only(&s);
    let mut urls: Vec<String> = [
        "/api/society",
        "/api/people",
        "/api/people?role=member",
        "/api/people?country=FI",
        "/api/people?search=mira",
        "/api/people?institution=bergen-lab",
        "/api/institutions",
        "/api/meetings",
        "/people/mira-canarymember/",
        "/people/mira-canarymember.vcf",
    ]
    .map(String::from)
    .to_vec();
    urls.extend(s.people.iter().map(|p| format!("/api/people/{}", p.id)));
    urls.extend(
        s.institutions
            .iter()
            .map(|i| format!("/api/institutions/{}", i.id)),
    );
    urls.extend(s.meetings.iter().map(|m| format!("/api/meetings/{}", m.id)));
    let state = AppState::new(s).unwrap();
    let pages: Vec<String> = state.snapshot().pages.paths().map(String::from).collect();
    assert!(pages.iter().any(|p| p == "/sitemap.xml"), "{pages:?}");
    urls.extend(pages);

    for url in &urls {
        for accept in ["identity", "gzip", "br"] {
            let r = send_with(&state, "GET", url, &[("accept-encoding", accept)]).await;
            let body = String::from_utf8_lossy(&decoded(&r)).into_owned();
            let unknown = url.contains(CANARY);
            // An API 404 names the id asked for, as for any unknown id;
            // that echo is the visitor's own text, and nothing else may hold
            // the canary.
            let asked = url.rsplit('/').next().unwrap_or_default();
            let rest = if unknown {
                body.replace(asked, "")
            } else {
                body.clone()
            };
            assert_eq!(canary_in(&rest), None, "{url} ({accept})");
            assert_eq!(
                r.status,
                if unknown {
                    StatusCode::NOT_FOUND
                } else {
                    StatusCode::OK
                },
                "{url}: {body}"
            );
        }
    }

    // A member's id is as unknown as an id no one has: the same 404, and
    // no member suggested for a near miss.
    for id in &hidden {
        let member = send(&state, "GET", &format!("/api/people/{id}")).await;
        let nobody = send(&state, "GET", "/api/people/nobody-at-all").await;
        assert_eq!(member.status, StatusCode::NOT_FOUND);
        assert_eq!(
            member.json()["error"]["message"]
                .as_str()
                .unwrap()
                .replace(id.as_str(), "X"),
            nobody.json()["error"]["message"]
                .as_str()
                .unwrap()
                .replace("nobody-at-all", "X")
        );
    }
    let near = send(&state, "GET", "/api/people/mira-canarymembr").await;
    let rest = near.text().replace("mira-canarymembr", "");
    assert_eq!(canary_in(&rest), None, "{}", near.text());

    // The counts are of public people: Bergen's lab lists Ada alone, the
    // public API four people, Carl without his membership.
    let bergen = send(&state, "GET", "/api/institutions/bergen-lab").await;
    assert_eq!(bergen.json()["people"], serde_json::json!(["ada-quote"]));
    let people = send(&state, "GET", "/api/people").await.json();
    assert_eq!(people.as_array().unwrap().len(), 4);
    let carl = send(&state, "GET", "/api/people/carl-abroad").await.json();
    assert_eq!(carl["roles"], serde_json::json!(["steering-committee"]));
    let page = send(&state, "GET", "/institutions/bergen-lab/").await;
    assert!(page.text().contains("1 person named by"), "{}", page.text());
}

/// The number in the text after `before` and before `after`.
fn number_between(text: &str, before: &str, after: &str) -> usize {
    let start = text.find(before).unwrap_or_else(|| panic!("no {before:?}")) + before.len();
    let rest = &text[start..];
    rest[..rest.find(after).unwrap()].trim().parse().unwrap()
}

#[test]
fn a_static_export_and_public_cards_and_calendars_hold_no_canary() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("site");
    let data = fixture();
    export_site_without_canary(&data, &out);
    assert!(!out.join("people/otto-canaryson").exists());

    // The home and committee pages count the committee: three people from
    // three countries, none of them a member only; the map marks three.
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert_eq!(
        number_between(&home, "steering committee</a>: ", " members"),
        3
    );
    assert_eq!(number_between(&home, "members from ", " countries"), 3);
    let committee = std::fs::read_to_string(out.join("committee/index.html")).unwrap();
    assert_eq!(
        number_between(&committee, "steering committee: ", " members"),
        3
    );
    assert_eq!(number_between(&committee, "members from ", " countries"), 3);
    assert!(!committee.contains("Finland"), "a mark for Finland");

    for args in [
        &["export", "vcard"][..],
        &["export", "vcard", "--vcard-version", "4.0"],
        &["export", "vcard", "--role", "member"],
        &["export", "ics"],
    ] {
        let text = nspm_ok(&data, args);
        assert_eq!(canary_in(&text), None, "{args:?}");
    }
    let public = nspm_ok(&data, &["export", "vcard"]);
    // The society's own card comes first.
    assert_eq!(public.matches("BEGIN:VCARD").count(), 1 + 4);
}

#[test]
fn the_members_exports_hold_every_members_only_value() {
    let data = fixture();
    let cards = nspm_ok(&data, &["export", "vcard", "--audience", "members"]);
    assert_eq!(cards.matches("BEGIN:VCARD").count(), 1 + 6);
    for expected in [
        "FN:Mira Canarymember",
        "mira.canary@example.org",
        "https://example.org/canary-mira",
        "FN:Otto Canaryson",
        "ROLE:Member",
    ] {
        assert!(cards.contains(expected), "{expected}: {cards}");
    }
    let members = nspm_ok(
        &data,
        &[
            "export",
            "vcard",
            "--audience",
            "members",
            "--role",
            "member",
        ],
    );
    assert_eq!(members.matches("BEGIN:VCARD").count(), 1 + 3, "{members}");
}

#[test]
fn staff_add_a_member_who_stays_out_of_the_public_site() {
    let (temp, data) = fixture_copy();
    let add = support::words("people add --name 'Nora Canaryadded' --country SE --role member");
    let diff = dry_run(&data, &add);
    assert!(diff.contains("+        roles: [Member],"), "{diff}");
    assert!(
        diff.contains("+        id: \"nora-canaryadded\","),
        "{diff}"
    );
    nspm_ok(&data, &add);
    let s = Society::load_dir(&data).unwrap();
    let nora = s.person("nora-canaryadded").unwrap();
    assert!(!nora.visible_to(Audience::Public));

    // A committee member who becomes a member only leaves the public site.
    let diff = dry_run(&data, &["people", "edit", "bjorn-long", "--role", "member"]);
    assert!(
        diff.contains("-        roles: [SteeringCommittee],"),
        "{diff}"
    );
    assert!(diff.contains("+        roles: [Member],"), "{diff}");

    let out = temp.path().join("site");
    export_site_without_canary(&data, &out);
    assert!(out.join("people/bjorn-long/index.html").exists());
}

#[test]
fn the_societys_contact_cannot_be_a_member_only() {
    let (_temp, data) = fixture_copy();
    let path = data.join("society.ron");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("Some(\"ada-quote\")", "Some(\"otto-canaryson\")"),
    )
    .unwrap();
    let (report, _) = nspm_refused(&data, &["check"]);
    assert!(
        report.contains(
            "society \"fixture\", field `contact.person`: the contact is public, but person \"otto-canaryson\" is known to members only"
        ),
        "{report}"
    );
}

/// A calendar's text with its folded lines joined again (RFC 5545 3.1).
fn unfolded(ics: &str) -> String {
    ics.replace("\r\n ", "")
}

#[test]
fn the_members_calendar_holds_the_members_only_meeting_details() {
    let data = fixture();
    let members = unfolded(&nspm_ok(&data, &["export", "ics", "--audience", "members"]));
    for expected in [
        "LOCATION:Berlin Institute\\, Canarystraße 7\\, 10115 Berlin\\, Berlin\\, Germany\r\n",
        "CONFERENCE;VALUE=URI;FEATURE=VIDEO;LABEL=Join online:https://meet.example.org/canary-room?pwd=1&x=2\r\n",
        "Canary notes: ring twice.\\nBring the canary badge.",
    ] {
        assert!(members.contains(expected), "{expected}: {members}");
    }
    // The public calendar has the same events, without them.
    let public = unfolded(&nspm_ok(&data, &["export", "ics"]));
    assert!(public.contains("LOCATION:Berlin Institute\\, Berlin\\, Germany\r\n"));
    assert!(!public.contains("CONFERENCE"));

    // Staff see them in `meetings show` and the JSON.
    let show = nspm_ok(&data, &["meetings", "show", "berlin-2016"]);
    assert!(
        show.contains("venue address: Canarystraße 7, 10115 Berlin (members only)"),
        "{show}"
    );
    let json: serde_json::Value = serde_json::from_str(&nspm_ok(
        &data,
        &["meetings", "show", "berlin-2016", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(
        json["online_link"],
        "https://meet.example.org/canary-room?pwd=1&x=2"
    );
}

#[test]
fn staff_set_and_clear_meeting_details_and_a_bad_link_is_refused_with_its_place() {
    let (temp, data) = fixture_copy();
    let set = support::words(
        "meetings edit bergen-2015 --venue-address 'Canaryveien 1, 5007 Bergen' \
         --online-link https://meet.example.org/canary-bergen --notes 'Canary agenda.'",
    );
    let dry = dry_run(&data, &set);
    for line in [
        "+        venue_address: Some(\"Canaryveien 1, 5007 Bergen\"),",
        "+        online_link: Some(\"https://meet.example.org/canary-bergen\"),",
        "+        notes: Some(\"Canary agenda.\"),",
    ] {
        assert!(dry.contains(line), "{line}: {dry}");
    }
    nspm_ok(&data, &set);
    let written = std::fs::read_to_string(data.join("meetings.ron")).unwrap();
    assert!(written.contains("        notes: Some(\"Canary agenda.\"),\n"));
    export_site_without_canary(&data, &temp.path().join("site"));

    // An empty value clears a detail.
    let diff = dry_run(&data, &["meetings", "edit", "bergen-2015", "--notes", ""]);
    assert!(
        diff.contains("-        notes: Some(\"Canary agenda.\"),"),
        "{diff}"
    );

    // A link that is not http(s) is refused, naming the input, and nothing
    // is written.
    let bad = support::nspm()
        .arg("--data")
        .arg(&data)
        .args([
            "meetings",
            "edit",
            "bergen-2015",
            "--online-link",
            "ftp://x.org/",
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let stderr = String::from_utf8(bad.stderr).unwrap();
    assert!(stderr.contains("online_link"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(data.join("meetings.ron")).unwrap(),
        written
    );

    // In the file, the check places the problem at its line and field.
    std::fs::write(
        data.join("meetings.ron"),
        written.replace(
            "https://meet.example.org/canary-bergen",
            "meet.example.org/canary-bergen",
        ),
    )
    .unwrap();
    let (report, _) = nspm_refused(&data, &["check"]);
    assert!(
        report.contains("meetings.ron:")
            && report.contains("meeting \"bergen-2015\", field `online_link`"),
        "{report}"
    );
}
