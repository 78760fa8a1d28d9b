//! `nspm access grant|list|revoke` as staff run them, what `nspm check`
//! says of the access file, and that no export holds anything of it.
//!
//! Every test works on a copy of `tests/fixtures/valid` in `<temp>/data`
//! and runs nspm there with `--data data`, so messages name
//! `data/access.ron` as staff would see them. Snapshots hide what differs
//! from run to run: grant ids, secrets and times.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use nspm_access::{ACCESS_FILE, Access, KEY_FILE, SessionKey, Sha256Hash};
use nspm_core::Timestamp;
use regex::Regex;
use tempfile::TempDir;

use crate::support::{self, nspm, nspm_in as command, run_in as run};

fn copy_of_fixture() -> TempDir {
    let temp = tempfile::tempdir().expect("a temporary directory");
    support::copy_data(&support::fixture("valid"), &temp.path().join("data"));
    temp
}

/// Runs nspm and expects success; returns stdout and stderr.
fn ok(temp: &Path, args: &[&str]) -> (String, String) {
    let output = run(temp, args);
    let (out, err) = texts(&output);
    assert!(output.status.success(), "nspm {args:?} failed: {err}");
    (out, err)
}

fn texts(output: &Output) -> (String, String) {
    (
        String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8"),
        String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8"),
    )
}

/// Runs nspm and expects the exit status given, with the access file as it
/// was (or still absent); returns stderr.
fn refused(temp: &Path, code: i32, args: &[&str]) -> String {
    let before = access_text(temp);
    let output = run(temp, args);
    let (out, err) = texts(&output);
    assert_eq!(
        output.status.code(),
        Some(code),
        "nspm {args:?}: {out}{err}"
    );
    assert_eq!(
        access_text(temp),
        before,
        "nspm {args:?} touched the access file"
    );
    err
}

fn access_text(temp: &Path) -> Option<String> {
    fs::read_to_string(temp.join("data").join(ACCESS_FILE)).ok()
}

fn now() -> Timestamp {
    nspm_store::now()
}

/// What `access grant` printed, and the secrets in it.
struct Granted {
    id: String,
    credential: String,
    feed: String,
    out: String,
    err: String,
}

fn grant(temp: &Path, args: &[&str]) -> Granted {
    let mut all = vec!["access", "grant"];
    all.extend(args);
    let (out, err) = ok(temp, &all);
    let find = |pattern: &str| {
        Regex::new(pattern)
            .unwrap()
            .captures(&out)
            .unwrap_or_else(|| panic!("no {pattern} in {out}"))[1]
            .to_string()
    };
    Granted {
        id: find(r"as grant ([0-9a-f]{12}),"),
        credential: find(r"credential: +(nspm_[A-Za-z0-9_-]{43})\n"),
        feed: find(r"/members/feeds/(nspmfeed_[A-Za-z0-9_-]{43})/calendar\.ics\n"),
        out,
        err,
    }
}

/// Replaces what differs between runs with placeholders of the same width,
/// so that tables stay aligned: grant ids, secrets, and times since 2020
/// (the fixed days the tests give, 2001 and 2999, stay).
fn redact(text: &str, granted: &[&Granted]) -> String {
    let mut text = text.to_string();
    for (i, g) in granted.iter().enumerate() {
        let n = i + 1;
        text = text
            .replace(&g.id, &format!("{:-<12}", format!("<grant{n}>")))
            .replace(&g.credential, &format!("<credential {n}>"))
            .replace(&g.feed, &format!("<feed secret {n}>"));
    }
    let moment = Regex::new(r"20[2-9]\d-\d\d-\d\dT\d\d:\d\d:\d\dZ").unwrap();
    let text = moment.replace_all(&text, "YYYY-MM-DDTHH:MM:SSZ");
    let day = Regex::new(r"20[2-9]\d-\d\d-\d\d").unwrap();
    day.replace_all(&text, "YYYY-MM-DD").into_owned()
}

/// Every secret of a grant, and the hashes kept of them.
fn secrets_of(g: &Granted) -> Vec<String> {
    vec![
        g.credential.clone(),
        g.feed.clone(),
        Sha256Hash::of(&g.credential).to_hex(),
        Sha256Hash::of(&g.feed).to_hex(),
    ]
}

#[test]
fn a_grant_prints_its_secrets_once_and_keeps_only_their_hashes() {
    let temp = copy_of_fixture();
    let t = temp.path();
    let g = grant(
        t,
        &[
            "ingrid-berg",
            "--label",
            "Ingrid's laptop",
            "--expires",
            "2999-12-31",
        ],
    );
    insta::assert_snapshot!(
        "grant",
        redact(&format!("{}--- stderr\n{}", g.out, g.err), &[&g])
    );
    // The fixture's site has a base URL, so the feed is a webcal:// address.
    assert!(g.out.contains(&format!(
        "calendar feed: webcal://fixture.example.org/members/feeds/{}/calendar.ics\n",
        g.feed
    )));
    let text = access_text(t).unwrap();
    assert!(!text.contains(&g.credential) && !text.contains(&g.feed));
    assert!(text.contains(&Sha256Hash::of(&g.credential).to_hex()));
    assert!(text.contains(&Sha256Hash::of(&g.feed).to_hex()));
    // What was printed lets Ingrid in, and nobody else.
    let access = Access::read(&t.join("data")).unwrap();
    let in_now = access.verify_basic("ingrid-berg", &g.credential, now());
    assert_eq!(in_now.unwrap().id.as_str(), g.id);
    assert!(
        access
            .verify_basic("anna-lind", &g.credential, now())
            .is_none()
    );
    assert_eq!(
        access.verify_feed(&g.feed, now()).unwrap().id.as_str(),
        g.id
    );
    // A second grant has secrets of its own.
    let second = grant(t, &["ingrid-berg"]);
    assert_ne!(second.credential, g.credential);
    assert_ne!(second.feed, g.feed);
    assert_ne!(second.id, g.id);
    assert_eq!(Access::read(&t.join("data")).unwrap().grants().len(), 2);
}

#[test]
fn the_list_shows_who_has_access_and_never_a_secret() {
    let temp = copy_of_fixture();
    let t = temp.path();
    let open = grant(t, &["ingrid-berg"]);
    let labelled = grant(t, &["anna-lind", "--label", "board, 2026"]);
    let ending = grant(t, &["mikko-virtanen", "--expires", "2999-12-31"]);
    ok(t, &["access", "revoke", &labelled.id]);
    // Staff may also edit the file by hand: here a grant is made to have
    // expired already.
    let path = t.join("data").join(ACCESS_FILE);
    let text = fs::read_to_string(&path).unwrap();
    fs::write(
        &path,
        text.replace("Some(\"2999-12-31\")", "Some(\"2001-02-03\")"),
    )
    .unwrap();

    let all = [&open, &labelled, &ending];
    for format in ["table", "json", "csv"] {
        let (out, err) = ok(t, &["access", "list", "--format", format]);
        assert_eq!(err, "");
        for g in all {
            for secret in secrets_of(g) {
                assert!(!out.contains(&secret), "{format} shows a secret: {out}");
            }
            assert!(out.contains(&g.id), "{format} lacks grant {}: {out}", g.id);
        }
        insta::assert_snapshot!(format!("list_{format}"), redact(&out, &all));
    }
    let (json, _) = ok(t, &["access", "list", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let status: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["status"].as_str().unwrap())
        .collect();
    assert_eq!(status, ["active", "revoked", "expired"]);
}

#[test]
fn revoking_ends_a_grant_and_keeps_it_as_history() {
    let temp = copy_of_fixture();
    let t = temp.path();
    let first = grant(t, &["ingrid-berg"]);
    let second = grant(t, &["ingrid-berg", "--label", "phone"]);
    let other = grant(t, &["anna-lind"]);
    let all = [&first, &second, &other];

    // A dry run says what it would revoke, and writes nothing.
    let dry = run(t, &["access", "revoke", "ingrid-berg", "--dry-run"]);
    assert!(dry.status.success());
    let (out, err) = texts(&dry);
    assert_eq!(out, "");
    insta::assert_snapshot!("revoke_dry_run", redact(&err, &all));
    let access = Access::read(&t.join("data")).unwrap();
    assert!(access.grants().iter().all(|g| g.revoked.is_none()));

    // One grant by its id.
    let (out, _) = ok(t, &["access", "revoke", &first.id]);
    assert_eq!(
        out,
        format!(
            "revoked grant {} of ingrid-berg (data/access.ron)\n",
            first.id
        )
    );
    let access = Access::read(&t.join("data")).unwrap();
    assert!(
        access
            .verify_basic("ingrid-berg", &first.credential, now())
            .is_none()
    );
    assert!(access.verify_feed(&first.feed, now()).is_none());
    assert!(
        access
            .verify_basic("ingrid-berg", &second.credential, now())
            .is_some()
    );

    // Every active grant of a person; the one revoked already stays as it was.
    let revoked_at = access.get(&first.id).unwrap().revoked;
    let (out, _) = ok(t, &["access", "revoke", "ingrid-berg"]);
    assert_eq!(
        out,
        format!(
            "revoked grant {} of ingrid-berg, \"phone\" (data/access.ron)\n",
            second.id
        )
    );
    let access = Access::read(&t.join("data")).unwrap();
    assert_eq!(access.get(&first.id).unwrap().revoked, revoked_at);
    assert!(
        access
            .verify_basic("ingrid-berg", &second.credential, now())
            .is_none()
    );
    assert!(
        access
            .verify_basic("anna-lind", &other.credential, now())
            .is_some()
    );
    assert_eq!(access.grants().len(), 3, "revoked grants stay listed");

    // Revoking again changes nothing and says so.
    let before = access_text(t);
    let (out, err) = ok(t, &["access", "revoke", "ingrid-berg"]);
    assert_eq!(out, "");
    assert_eq!(
        err,
        "nothing to revoke: ingrid-berg has no active grant (data/access.ron)\n"
    );
    let (_, err) = ok(t, &["access", "revoke", &first.id]);
    assert!(
        err.starts_with(&format!(
            "nothing to revoke: grant {} of ingrid-berg was revoked at ",
            first.id
        )),
        "{err}"
    );
    assert_eq!(access_text(t), before);

    // Someone with no grant, or a mistyped name: exit 1 with a suggestion.
    let err = refused(t, 1, &["access", "revoke", "ingrid-berq"]);
    assert_eq!(
        err,
        "nspm: error: no grant or person with access matches \"ingrid-berq\"; did you mean ingrid-berg?\n"
    );
    let err = refused(t, 1, &["access", "revoke", "mikko-virtanen"]);
    assert_eq!(
        err,
        "nspm: error: no grant or person with access matches \"mikko-virtanen\"\n"
    );
}

#[test]
fn bad_grants_are_refused_and_nothing_is_written() {
    let temp = copy_of_fixture();
    let t = temp.path();
    let err = refused(t, 1, &["access", "grant", "ingrid-bergg"]);
    assert_eq!(
        err,
        "nspm: error: no person matches \"ingrid-bergg\"; did you mean ingrid-berg?\n"
    );
    // Bad arguments are usage errors (exit 2), named with their option.
    for (option, value, message) in [
        (
            "--expires",
            "2001-01-01",
            "invalid value '2001-01-01' for '--expires <DATE>': 2001-01-01 has passed: give a later day or time, or leave --expires out",
        ),
        ("--expires", "2999-02-30", "February 2999 has 28 days"),
        (
            "--expires",
            "2999-05",
            "expected a day as YYYY-MM-DD or a UTC time",
        ),
        ("--label", "two\nlines", "a label must be one line"),
    ] {
        let err = refused(t, 2, &["access", "grant", "ingrid-berg", option, value]);
        assert!(err.contains(message), "{err}");
    }
    // A dry run checks all the same, says what it would do, and writes
    // nothing; it prints no secret, as none will exist.
    let dry = run(t, &["access", "grant", "ingrid-berg", "--dry-run"]);
    assert!(dry.status.success());
    assert_eq!(
        texts(&dry),
        (
            String::new(),
            "dry run, nothing written: would grant access to ingrid-berg, with no expiry (data/access.ron)\n".to_string()
        )
    );
    assert_eq!(access_text(t), None);
    // A broken access file is never overwritten: the grant is refused with
    // the file's problems.
    let path = t.join("data").join(ACCESS_FILE);
    fs::write(&path, "[\n    Grant(id: 12),\n]\n").unwrap();
    let err = refused(t, 1, &["access", "grant", "ingrid-berg"]);
    assert!(
        err.starts_with("nspm: error: data/access.ron has 5 problems\n  data/access.ron:2:5: missing field `person`\n"),
        "{err}"
    );
}

#[test]
fn the_embedded_data_has_no_access() {
    // The tests run in tests/, which holds no data directory, so nspm uses
    // the copy built into it.
    for args in [
        &["access", "grant", "kari-stefansson"][..],
        &["access", "list"],
        &["access", "revoke", "kari-stefansson"],
    ] {
        let output = nspm().args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(1));
        let (out, err) = texts(&output);
        assert_eq!(out, "");
        assert_eq!(
            err,
            "nspm: error: access is kept beside the data, in a data directory: give --data DIR, set NSPM_DATA, or run where ./data holds society.ron\n"
        );
    }
}

#[test]
fn grants_made_at_once_are_all_kept() {
    let temp = copy_of_fixture();
    let t = temp.path();
    let children: Vec<_> = (0..6)
        .map(|i| {
            command(
                t,
                &[
                    "access",
                    "grant",
                    "ingrid-berg",
                    "--label",
                    &format!("n{i}"),
                    "--wait",
                    "60",
                ],
            )
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", texts(&output).1);
    }
    let access = Access::read(&t.join("data")).unwrap();
    let mut labels: Vec<String> = access
        .grants()
        .iter()
        .map(|g| g.label.as_ref().unwrap().to_string())
        .collect();
    labels.sort();
    assert_eq!(labels, ["n0", "n1", "n2", "n3", "n4", "n5"]);
}

#[test]
fn no_export_holds_anything_of_the_access_files() {
    let temp = copy_of_fixture();
    let t = temp.path();
    let data = t.join("data");
    let granted = [
        grant(t, &["ingrid-berg"]),
        grant(t, &["anna-lind", "--label", "x"]),
    ];
    // The server makes the key when it first needs it; make it here as it
    // would, so that it lies beside the data as in service.
    let key = SessionKey::load_or_create(&data).unwrap();
    drop(key);
    let key_bytes = fs::read(data.join(KEY_FILE)).unwrap();
    assert_eq!(key_bytes.len(), 32);

    let mut needles: Vec<Vec<u8>> = vec![key_bytes.clone()];
    for g in &granted {
        needles.extend(secrets_of(g).into_iter().map(String::into_bytes));
        needles.push(g.id.clone().into_bytes());
    }
    let hex_key: String = key_bytes.iter().map(|b| format!("{b:02x}")).collect();
    needles.push(hex_key.into_bytes());

    let out = t.join("site");
    ok(t, &["export", "site", "--out", out.to_str().unwrap()]);
    let files = support::files_under(&out);
    assert!(files.len() > 10, "{files:?}");
    let mut exports: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|f| (f.display().to_string(), fs::read(out.join(f)).unwrap()))
        .collect();
    for (name, args) in [
        (
            "members.vcf",
            &["export", "vcard", "--audience", "members"][..],
        ),
        ("public.vcf", &["export", "vcard"]),
        ("calendar.ics", &["export", "ics", "--audience", "members"]),
    ] {
        let output = run(t, args);
        assert!(output.status.success());
        exports.push((name.to_string(), output.stdout));
    }
    for (name, bytes) in &exports {
        assert!(!name.contains("access"), "an export wrote {name}");
        for needle in &needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == &needle[..]),
                "{name} holds a secret, a hash, a grant id or the key"
            );
        }
    }
}

#[test]
fn the_access_files_are_never_committed() {
    for path in ["data/access.ron", "data/access.key"] {
        let status = Command::new("git")
            .current_dir(support::root())
            .args(["check-ignore", "--quiet", "--no-index", path])
            .status()
            .expect("git runs");
        assert!(status.success(), "{path} is not ignored by .gitignore");
    }
}

#[test]
fn check_reports_the_access_file_when_there_is_one() {
    let temp = copy_of_fixture();
    let t = temp.path();
    // No access file: the report is the one it always was.
    let (out, _) = ok(t, &["check"]);
    assert_eq!(out, "ok: 5 people, 2 institutions, 2 meetings in data\n");
    grant(t, &["ingrid-berg"]);
    let (out, _) = ok(t, &["check"]);
    assert_eq!(
        out,
        "ok: 5 people, 2 institutions, 2 meetings in data; 1 grant in data/access.ron\n"
    );
    let path = t.join("data").join(ACCESS_FILE);
    let good = fs::read_to_string(&path).unwrap();
    let id = Regex::new(r#"id: "([0-9a-f]{12})""#)
        .unwrap()
        .captures(&good)
        .unwrap()[1]
        .to_string();

    // A grant for someone who has left the data, one hand-edited wrong, and
    // a file cut short.
    let cases = [
        (
            "check_unknown_person",
            good.replace("\"ingrid-berg\"", "\"ingrid-bergman\""),
        ),
        (
            "check_malformed",
            good.replace("revoked: None", "revoked: Some(\"yesterday\")"),
        ),
        ("check_syntax_error", good.replace("    ),\n]", "    ),\n")),
    ];
    for (name, text) in cases {
        fs::write(&path, &text).unwrap();
        let output = run(t, &["check"]);
        assert_eq!(output.status.code(), Some(1), "{name}");
        let (out, _) = texts(&output);
        insta::assert_snapshot!(name, out.replace(&id, "[grant]"));
    }
}
