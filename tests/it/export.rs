//! `nspm export site|vcard|ics` as staff run them: where the files go, what
//! the filters and options change, and that a site export never deletes a
//! directory it did not write.

use std::path::Path;
use std::process::Output;

use crate::support::{self, nspm_ok, nspm_on, stderr, stdout};

fn fixture() -> std::path::PathBuf {
    support::fixture("site")
}

/// The FN lines of a card file, in order.
fn names(cards: &str) -> Vec<&str> {
    cards
        .lines()
        .filter_map(|l| l.strip_prefix("FN:"))
        .collect()
}

#[test]
fn a_site_export_writes_every_page_and_replaces_an_earlier_one_whole() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    support::copy_data(&fixture(), &data);
    let out = temp.path().join("public");
    let out_arg = out.to_str().unwrap();

    let first = nspm_on(&data, &["export", "site", "--out", out_arg]);
    assert!(first.status.success(), "{}", stderr(&first));
    let files = support::files_under(&out);
    assert_eq!(
        stderr(&first),
        format!("wrote {} files to {out_arg}\n", files.len() - 1)
    );
    for file in [
        "index.html",
        "committee/index.html",
        "people/dana-guest/index.html",
        "people/dana-guest.vcf",
        "calendar.ics",
        "sitemap.xml",
        "404.html",
        ".nspm-export",
    ] {
        assert!(out.join(file).is_file(), "{file} missing from {files:?}");
    }

    // Dana leaves the society, and someone left a file in the export.
    let removed = nspm_on(&data, &["people", "remove", "dana-guest"]);
    assert!(removed.status.success(), "{}", stderr(&removed));
    std::fs::write(out.join("stray.html"), "left behind").unwrap();
    let second = nspm_on(&data, &["export", "site", "--out", out_arg]);
    assert!(second.status.success(), "{}", stderr(&second));
    let after = support::files_under(&out);
    assert!(!out.join("people/dana-guest").exists(), "{after:?}");
    assert!(!out.join("people/dana-guest.vcf").exists());
    assert!(!out.join("stray.html").exists());
    assert!(out.join("people/ada-quote/index.html").is_file());
    // Nothing but the new export is left beside it either.
    let beside: Vec<_> = std::fs::read_dir(temp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    let mut beside = beside;
    beside.sort();
    assert_eq!(beside, ["data", "public"]);
    // The page count fell by Dana's page, its preview image, her card and
    // its QR code.
    assert!(out.join("preview/people/ada-quote.png").is_file());
    assert!(!out.join("preview/people/dana-guest.png").exists());
    assert!(!out.join("qr/people/dana-guest.svg").exists());
    assert_eq!(after.len(), files.len() - 4);
}

#[test]
fn a_site_export_with_timings_names_each_step_and_counts_the_images_drawn() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("public");
    let out_arg = out.to_str().unwrap();
    let run = nspm_on(
        &fixture(),
        &["export", "site", "--out", out_arg, "--timings"],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    let said = stderr(&run);
    let lines: Vec<&str> = said.lines().collect();
    assert!(lines[0].starts_with("wrote "), "{said}");
    // One line of the steps, each with its wall and CPU time.
    let steps = lines[1].strip_prefix("timings: ").unwrap();
    let names: Vec<&str> = steps
        .split(", ")
        .map(|step| {
            let (name, time) = step.split_once(' ').unwrap();
            let (wall, cpu) = time.split_once(" ms (CPU ").unwrap();
            assert!(wall.parse::<u64>().is_ok(), "{step}");
            assert!(
                cpu.strip_suffix(" ms)").unwrap().parse::<u64>().is_ok(),
                "{step}"
            );
            name
        })
        .collect();
    assert_eq!(names, ["loading", "rendering", "writing"], "{said}");
    // Then one of the preview images and one of the QR codes: as many as
    // the export holds of each.
    for (line, dir, what) in [(2, "preview", "preview images"), (3, "qr", "QR codes")] {
        let drawn = support::files_under(&out.join(dir)).len();
        let images = lines[line].strip_prefix("timings: ").unwrap();
        assert!(
            images.starts_with(&format!("{drawn} {what} drawn in ")),
            "{said}"
        );
        assert!(images.ends_with(" ms each"), "{said}");
        assert!(drawn > 0, "{said}");
    }
    // Then one of the photos, which this data has none of.
    assert_eq!(
        lines[4], "timings: 0 photos resized in 0 ms of CPU time",
        "{said}"
    );
    // Then the rendering's two passes, the pages and then their preview
    // images, each with its wall and CPU time.
    let passes = lines[5]
        .strip_prefix("timings: rendering's passes: pages ")
        .unwrap_or_else(|| panic!("{said}"));
    let (pages, previews) = passes.split_once(", preview images ").unwrap();
    for pass in [pages, previews] {
        let (wall, cpu) = pass.split_once(" ms (CPU ").unwrap();
        assert!(wall.parse::<u64>().is_ok(), "{said}");
        assert!(
            cpu.strip_suffix(" ms)").unwrap().parse::<u64>().is_ok(),
            "{said}"
        );
    }
    // Then the writing of the image files, as many as the export holds.
    let images = support::files_under(&out)
        .iter()
        .filter(|f| {
            [".png", ".svg", ".jpg", ".webp"]
                .iter()
                .any(|ext| f.to_string_lossy().ends_with(ext))
        })
        .count();
    let written = lines[6].strip_prefix("timings: ").unwrap();
    assert!(
        written.starts_with(&format!("{images} image files written in ")),
        "{said}"
    );
    assert!(written.ends_with(" ms of CPU time"), "{said}");
    assert_eq!(lines.len(), 7, "{said}");
}

#[test]
fn a_site_export_goes_into_a_new_or_empty_directory_but_no_other() {
    let temp = tempfile::tempdir().unwrap();
    let empty = temp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = nspm_on(
        &fixture(),
        &["export", "site", "--out", empty.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(empty.join("index.html").is_file());

    // A directory of someone's own files is left exactly as it was.
    let mine = temp.path().join("mine");
    std::fs::create_dir_all(mine.join("notes")).unwrap();
    std::fs::write(mine.join("index.html"), "my own page").unwrap();
    std::fs::write(mine.join("notes/todo.txt"), "buy milk").unwrap();
    let out = nspm_on(
        &fixture(),
        &["export", "site", "--out", mine.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        format!(
            "nspm: error: {} is not empty and holds no earlier export of the site (.nspm-export is missing): choose an empty or new directory\n",
            mine.display()
        )
    );
    assert_eq!(
        support::files_under(&mine),
        [Path::new("index.html"), Path::new("notes/todo.txt")]
    );
    assert_eq!(
        std::fs::read_to_string(mine.join("index.html")).unwrap(),
        "my own page"
    );
    let mut beside: Vec<_> = std::fs::read_dir(temp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    beside.sort();
    assert_eq!(beside, ["empty", "mine"]);
}

#[test]
fn vcard_export_follows_filters_version_and_audience() {
    let data = fixture();
    let cards = nspm_ok(&data, &["export", "vcard"]);
    // The society's card first, then everyone by family name.
    assert_eq!(names(&cards).len(), 5, "{cards}");
    assert_eq!(cards.matches("BEGIN:VCARD\r\n").count(), 5);
    assert_eq!(cards.matches("VERSION:3.0\r\n").count(), 5);
    assert!(
        cards.split_inclusive('\n').all(|l| l.ends_with("\r\n")),
        "lines end in CRLF"
    );
    assert!(!cards.contains("hidden.member@example.org"));
    assert!(!cards.contains("dana.secret@example.org"));

    for (filter, people) in [
        (&["--country", "NO"][..], 1),
        (&["--country", "Sweden"][..], 1),
        (&["--role", "chair"][..], 1),
        (&["--role", "steering-committee"][..], 3),
        (&["--institution", "berlin-institute"][..], 1),
        (&["--search", "bjorn"][..], 1),
        (&["--search", "nobody at all"][..], 0),
    ] {
        let out = nspm_on(&data, &[&["export", "vcard"][..], filter].concat());
        assert!(out.status.success(), "{filter:?}: {}", stderr(&out));
        assert_eq!(
            names(&stdout(&out)).len(),
            people + 1,
            "{filter:?}: {}",
            stdout(&out)
        );
    }
    let bjorn = stdout(&nspm_on(&data, &["export", "vcard", "--search", "bjorn"]));
    assert!(names(&bjorn)[1].starts_with("Björn "), "{bjorn}");

    let v4 = stdout(&nspm_on(
        &data,
        &["export", "vcard", "--vcard-version", "4.0"],
    ));
    assert_eq!(v4.matches("VERSION:4.0\r\n").count(), 5);
    assert!(!v4.contains("VERSION:3.0"));

    let members = stdout(&nspm_on(
        &data,
        &["export", "vcard", "--audience", "members"],
    ));
    assert!(members.contains("hidden.member@example.org"));
    assert!(members.contains("dana.secret@example.org"));
    assert!(members.contains("+47 99 99 99 99"));

    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("cards.vcf");
    let out = nspm_on(
        &data,
        &[
            "export",
            "vcard",
            "--country",
            "NO",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(names(&written).len(), 2);
    assert!(written.contains("O'Quote"));
}

#[test]
fn vcard_export_refuses_bad_arguments() {
    let data = fixture();
    for (args, code, message) in [
        (&["--vcard-version", "2.1"][..], 2, "invalid value '2.1'"),
        (&["--country", "Narnia"][..], 2, "Narnia"),
        (
            &["--audience", "everyone"][..],
            2,
            "invalid value 'everyone'",
        ),
        (&["--institution", "Hogwarts"][..], 1, "--institution"),
    ] {
        let out = nspm_on(&data, &[&["export", "vcard"][..], args].concat());
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
        assert_eq!(stdout(&out), "", "{args:?}");
    }
}

#[test]
fn ics_export_writes_every_meeting() {
    let data = fixture();
    let calendar = nspm_ok(&data, &["export", "ics"]);
    assert!(calendar.starts_with("BEGIN:VCALENDAR\r\n"), "{calendar}");
    assert!(calendar.ends_with("END:VCALENDAR\r\n"));
    assert_eq!(calendar.matches("BEGIN:VEVENT\r\n").count(), 3);
    for uid in ["first-2014", "bergen-2015", "berlin-2016"] {
        assert!(calendar.contains(uid), "{uid}");
    }

    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("meetings.ics");
    let out = nspm_on(&data, &["export", "ics", "--out", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), calendar);

    // A file in a directory that does not exist is an error, not a panic.
    let nowhere = temp.path().join("no/such/dir/meetings.ics");
    let out = nspm_on(
        &data,
        &["export", "ics", "--out", nowhere.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with(&format!("nspm: error: cannot write {}", nowhere.display())),
        "{}",
        stderr(&out)
    );
}

#[test]
fn ics_export_reads_no_people_and_still_checks_what_it_reads() {
    let whole = nspm_on(&fixture(), &["export", "ics"]);
    assert!(whole.status.success(), "{}", stderr(&whole));

    // The calendar holds nothing of people, so a broken people.ron, or none,
    // changes not a byte of it.
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    support::copy_data(&fixture(), &data);
    std::fs::write(data.join("people.ron"), "[ Person(id: \"broken\",").unwrap();
    let without = nspm_on(&data, &["export", "ics"]);
    assert!(without.status.success(), "{}", stderr(&without));
    assert_eq!(stdout(&without), stdout(&whole));
    std::fs::remove_file(data.join("people.ron")).unwrap();
    let without = nspm_on(&data, &["export", "ics"]);
    assert_eq!(stdout(&without), stdout(&whole));
    // `nspm check` still reads every file.
    let out = nspm_on(&data, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let missing = format!(
        "{}:1:1: missing file: the data needs people.ron\n",
        data.join("people.ron").display()
    );
    assert!(stdout(&out).starts_with(&missing), "{}", stdout(&out));

    // What the calendar does read is checked as ever.
    support::copy_data(&fixture(), &data);
    let meetings = std::fs::read_to_string(data.join("meetings.ron")).unwrap();
    let broken = meetings.replacen(
        "venue: Some(\"bergen-lab\")",
        "venue: Some(\"bergen-lbb\")",
        1,
    );
    assert_ne!(broken, meetings);
    std::fs::write(data.join("meetings.ron"), &broken).unwrap();
    let line = broken
        .lines()
        .position(|l| l.contains("bergen-lbb"))
        .unwrap()
        + 1;
    let out = nspm_on(&data, &["export", "ics"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    let expected = format!(
        "{}:{line}:16: meeting \"bergen-2015\", field `venue`: no institution has the id \"bergen-lbb\"; did you mean \"bergen-lab\"?",
        data.join("meetings.ron").display()
    );
    assert!(stderr(&out).contains(&expected), "{}", stderr(&out));
}

/// Runs `nspm args…` with `SOURCE_DATE_EPOCH` set to `value`.
fn with_epoch(value: &str, args: &[&str]) -> Output {
    support::nspm()
        .env("SOURCE_DATE_EPOCH", value)
        .args(args)
        .output()
        .expect("nspm runs")
}

#[test]
fn source_date_epoch_stamps_every_calendar_export() {
    let data = fixture();
    let data = data.to_str().unwrap();
    let out = with_epoch("1700000000", &["--data", data, "export", "ics"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let calendar = stdout(&out);
    assert_eq!(calendar.matches("DTSTAMP:").count(), 3, "{calendar}");
    assert_eq!(calendar.matches("DTSTAMP:20231114T221320Z\r\n").count(), 3);

    let temp = tempfile::tempdir().unwrap();
    let site = temp.path().join("site");
    let out = with_epoch(
        "1700000000",
        &[
            "--data",
            data,
            "export",
            "site",
            "--out",
            site.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let served = std::fs::read_to_string(site.join("calendar.ics")).unwrap();
    assert_eq!(served, calendar);
}

#[test]
fn a_bad_source_date_epoch_stops_every_export_before_it_reads_the_data() {
    let temp = tempfile::tempdir().unwrap();
    let target = temp.path().join("out");
    let target = target.to_str().unwrap();
    let data = fixture();
    let data = data.to_str().unwrap();
    let nowhere = temp.path().join("no-data");
    let nowhere = nowhere.to_str().unwrap();
    for value in ["soon", "-5", "1.5", ""] {
        let expected = format!(
            "nspm: error: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01T00:00:00Z, found \"{value}\"\n"
        );
        for args in [
            &["--data", data, "export", "ics", "--out", target][..],
            &["--data", data, "export", "vcard", "--out", target],
            &["--data", data, "export", "site", "--out", target],
            // The variable is read first: it is named even when the data
            // could not be read at all.
            &["--data", nowhere, "export", "ics"],
        ] {
            let out = with_epoch(value, args);
            assert_eq!(out.status.code(), Some(1), "{args:?}");
            assert_eq!(stderr(&out), expected, "{args:?}");
            assert_eq!(stdout(&out), "", "{args:?}");
            assert!(!Path::new(target).exists(), "{args:?} wrote {target}");
        }
    }
}

#[test]
fn a_bad_source_date_epoch_stops_the_server_before_it_listens() {
    let mut child = support::nspm()
        .env("SOURCE_DATE_EPOCH", "soon")
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("nspm starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("nspm serve went on with a bad SOURCE_DATE_EPOCH");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stderr(&out),
        "nspm: error: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01T00:00:00Z, found \"soon\"\n"
    );
}

#[test]
fn the_command_line_gives_the_site_its_address_and_its_day() {
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("public");
    let out_arg = out.to_str().unwrap();
    let data = support::root().join("data");
    // The real data has no base URL: one line says what is off.
    let plain = nspm_on(
        &data,
        &["export", "site", "--out", out_arg, "--today", "2018-06-30"],
    );
    assert!(plain.status.success(), "{}", stderr(&plain));
    let said = stderr(&plain);
    let note = said.lines().nth(1).unwrap();
    assert_eq!(
        note,
        "nspm: note: no base URL (give --base-url or set base_url in society.ron), so these are off: sitemap, canonical links, webcal, QR codes, preview-image URLs"
    );
    assert!(!out.join("sitemap.xml").exists());
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(home.contains("Upcoming meetings"), "June 2018 is not over");
    // The flag's address wins over the data's, and a wrong one names the flag.
    let based = nspm_on(
        &data,
        &[
            "export",
            "site",
            "--out",
            out_arg,
            "--base-url",
            "https://nspm.example.org",
            "--today",
            "2018-07-01",
        ],
    );
    assert!(based.status.success(), "{}", stderr(&based));
    assert!(!stderr(&based).contains("note"));
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("<loc>https://nspm.example.org/news/society-formation-announced/</loc>")
    );
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(!home.contains("Upcoming meetings"));
    for (flag, value) in [
        ("--base-url", "nspm.example.org"),
        ("--base-url", "https://x.org/?a"),
        ("--today", "2018-07"),
    ] {
        let bad = nspm_on(&data, &["export", "site", "--out", out_arg, flag, value]);
        assert_eq!(bad.status.code(), Some(2), "{flag} {value}");
        assert!(
            stderr(&bad).contains(&format!("invalid value '{value}' for '{flag}")),
            "{}",
            stderr(&bad)
        );
    }
    // SOURCE_DATE_EPOCH gives the day when --today does not.
    let fixed = support::nspm()
        .arg("--data")
        .arg(&data)
        .args(["export", "site", "--out", out_arg])
        .env("SOURCE_DATE_EPOCH", "1528502400") // 2018-06-09
        .output()
        .unwrap();
    assert!(fixed.status.success(), "{}", stderr(&fixed));
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(home.contains("Upcoming meetings"));
}
