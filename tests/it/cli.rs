//! The `nspm` command line, run as a user runs it: against the embedded data
//! and against the small society in `tests/fixtures/valid`.
//!
//! Whole outputs are insta snapshots (in `snapshots/`); the filters, sort
//! orders, exit codes and layout rules are asserted directly as well, so a
//! wrong snapshot accepted by mistake does not hide them.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::support::{self, nspm, stderr, stdout};
use insta_cmd::assert_cmd_snapshot;

/// Where a case takes its data from.
#[derive(Clone, Copy)]
enum Data {
    /// The copy built into the binary: the tests run in `tests/`, which has
    /// no `data` directory.
    Embedded,
    /// `tests/fixtures/valid`, passed with `--data`.
    Fixture,
}

fn command(data: Data, args: &[&str]) -> Command {
    let mut cmd = nspm();
    if let Data::Fixture = data {
        cmd.args(["--data", "fixtures/valid"]);
    }
    cmd.args(args);
    cmd
}

fn run(data: Data, args: &[&str]) -> Output {
    command(data, args).output().expect("nspm runs")
}

/// The ids a list command prints as JSON, in order.
fn ids(data: Data, args: &[&str]) -> Vec<String> {
    let mut args = args.to_vec();
    args.extend(["--format", "json"]);
    let output = run(data, &args);
    assert!(
        output.status.success(),
        "nspm {args:?} failed: {}",
        stderr(&output)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    json.as_array()
        .expect("a list prints a JSON array")
        .iter()
        .map(|item| {
            item["id"]
                .as_str()
                .expect("every item has an id")
                .to_string()
        })
        .collect()
}

/// Every command in every format, as snapshots named after the case. Each
/// case is a name and the arguments, split at spaces.
#[test]
fn commands_and_formats() {
    let fixture = [
        ("people_list_table", "people list"),
        ("people_list_json", "people list --format json"),
        ("people_list_csv", "people list --format csv"),
        ("people_list_role", "people list --role chair"),
        ("people_show_text", "people show ingrid-berg"),
        ("people_show_json", "people show ingrid-berg --format json"),
        ("people_show_no_institution", "people show mikko-virtanen"),
        ("institutions_list_table", "institutions list"),
        ("institutions_list_json", "institutions list --format json"),
        ("institutions_list_csv", "institutions list --format csv"),
        (
            "institutions_show_text",
            "institutions show university-of-oslo",
        ),
        (
            "institutions_show_json",
            "institutions show university-of-oslo --format json",
        ),
        ("meetings_list_table", "meetings list"),
        ("meetings_list_json", "meetings list --format json"),
        ("meetings_list_csv", "meetings list --format csv"),
        ("meetings_list_year", "meetings list --year 2019"),
        ("meetings_show_text", "meetings show stockholm-2021"),
        ("meetings_show_month", "meetings show oslo-2019"),
        (
            "meetings_show_json",
            "meetings show stockholm-2021 --format json",
        ),
        ("society_text", "society"),
        ("society_json", "society --format json"),
        ("check_fixture", "check"),
    ];
    let embedded = [
        ("embedded_people_list", "people list"),
        ("embedded_institutions_list", "institutions list"),
        ("embedded_meetings_list", "meetings list"),
        ("embedded_society", "society"),
        ("embedded_check", "check"),
        ("unknown_person", "people show soren-brunk"),
        ("unknown_meeting", "meetings show oslo-2061"),
        ("unknown_institution_id", "institutions show uni-oslo"),
        ("unknown_country", "people list --country Narnia"),
        ("unknown_role", "people list --role king"),
        (
            "unknown_institution_filter",
            "people list --institution Narnia",
        ),
    ];
    let cases = (fixture.iter().map(|c| (Data::Fixture, c)))
        .chain(embedded.iter().map(|c| (Data::Embedded, c)));
    for (data, (name, args)) in cases {
        let args: Vec<&str> = args.split(' ').collect();
        assert_cmd_snapshot!(*name, command(data, &args));
    }
}

#[test]
fn country_filter_takes_codes_and_names() {
    let norway = [
        "ole-andreassen",
        "eivind-hovig",
        "kristian-hveem",
        "pal-njolstad",
        "camilla-stoltenberg",
    ];
    for country in ["no", "NO", "Norway", "norway"] {
        assert_eq!(
            ids(Data::Embedded, &["people", "list", "--country", country]),
            norway,
            "--country {country}"
        );
    }
    assert_eq!(
        ids(
            Data::Embedded,
            &["institutions", "list", "--country", "Estonia"]
        ),
        ["university-of-tartu"]
    );
    assert_eq!(
        ids(Data::Embedded, &["meetings", "list", "--country", "is"]),
        ["reykjavik-2014", "reykjavik-2018"]
    );
}

#[test]
fn institution_filter_takes_ids_names_and_aliases() {
    for institution in [
        "Oslo University",
        "University of Oslo",
        "university-of-oslo",
    ] {
        assert_eq!(
            ids(
                Data::Embedded,
                &["people", "list", "--institution", institution]
            ),
            ["ole-andreassen", "eivind-hovig"],
            "--institution {institution}"
        );
    }
    assert_eq!(
        ids(
            Data::Embedded,
            &["people", "list", "--institution", "århus university"]
        ),
        ["anders-borglum"]
    );
}

#[test]
fn search_ignores_case_and_accents() {
    let cases: &[(&str, &[&str])] = &[
        ("soren", &["soren-brunak"]),
        ("kari stefansson", &["kari-stefansson"]),
        ("Kári Stefánsson", &["kari-stefansson"]),
        ("stefansson", &["hreinn-stefansson", "kari-stefansson"]),
        // "Århus University" is another spelling of Aarhus University.
        ("arhus", &["anders-borglum"]),
        ("aarhus", &["anders-borglum"]),
        ("njolstad", &["pal-njolstad"]),
        ("nobody at all", &[]),
    ];
    for &(text, expected) in cases {
        assert_eq!(
            ids(Data::Embedded, &["people", "list", "--search", text]),
            expected,
            "--search {text:?}"
        );
    }
    assert_eq!(
        ids(Data::Embedded, &["meetings", "list", "--search", "malmo"]),
        ["malmo-2017"]
    );
    assert_eq!(
        ids(
            Data::Embedded,
            &["institutions", "list", "--search", "tartu"]
        ),
        ["university-of-tartu"]
    );
}

#[test]
fn lists_are_sorted() {
    // The fixture lists people and meetings out of order; Ødegård sorts as
    // "odegard", before Östberg, although Ø follows Ö in Unicode.
    assert_eq!(
        ids(Data::Fixture, &["people", "list"]),
        [
            "ingrid-berg",
            "anna-lind",
            "ase-odegard",
            "jonas-ostberg",
            "mikko-virtanen"
        ]
    );
    assert_eq!(
        ids(Data::Fixture, &["meetings", "list"]),
        ["oslo-2019", "stockholm-2021"]
    );
    assert_eq!(
        ids(Data::Fixture, &["institutions", "list"]),
        ["karolinska-institute", "university-of-oslo"]
    );
    let meetings = ids(Data::Embedded, &["meetings", "list"]);
    assert_eq!(meetings.first().map(String::as_str), Some("reykjavik-2014"));
    assert_eq!(meetings.last().map(String::as_str), Some("reykjavik-2018"));
}

#[test]
fn staff_see_members_only_details() {
    let output = run(
        Data::Fixture,
        &["people", "show", "ingrid-berg", "--format", "json"],
    );
    let person: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        person["contact"]["email"]["value"],
        "ingrid.berg@fixture.example.org"
    );
    assert_eq!(person["contact"]["email"]["visibility"], "members");
    assert_eq!(person["institution"]["name"], "University of Oslo");
    assert_eq!(person["country"]["code"], "NO");
    assert_eq!(
        person["roles"],
        serde_json::json!(["chair", "steering-committee"])
    );
    let csv = stdout(&run(Data::Fixture, &["people", "list", "--format", "csv"]));
    assert!(csv.contains("ingrid.berg@fixture.example.org"), "{csv}");
}

#[test]
fn csv_lists_a_persons_position_and_an_institutions_web_address() {
    let temp = tempfile::tempdir().unwrap();
    support::copy_data(&support::fixture("valid"), &temp.path().join("data"));
    for edit in [
        &["people", "edit", "anna-lind", "--position", "Professor"][..],
        &[
            "institutions",
            "edit",
            "karolinska-institute",
            "--web",
            "https://ki.fixture.example.org/",
        ],
    ] {
        let out = support::run_in(temp.path(), edit);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let people = support::run_in(temp.path(), &["people", "list", "--format", "csv"]);
    assert_eq!(
        support::csv_cell(&people.stdout, "anna-lind", "position"),
        "Professor"
    );
    assert_eq!(
        support::csv_cell(&people.stdout, "ingrid-berg", "position"),
        ""
    );
    let institutions = support::run_in(temp.path(), &["institutions", "list", "--format", "csv"]);
    assert_eq!(
        support::csv_cell(&institutions.stdout, "karolinska-institute", "web"),
        "https://ki.fixture.example.org/"
    );
    assert_eq!(
        support::csv_cell(&institutions.stdout, "university-of-oslo", "web"),
        ""
    );
}

#[test]
fn unknown_ids_exit_1_with_suggestions() {
    let output = run(Data::Embedded, &["people", "show", "soren-brunk"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let err = stderr(&output);
    assert!(err.starts_with("nspm: error: "), "{err}");
    assert!(err.contains("soren-brunak"), "{err}");
}

#[test]
fn bad_arguments_name_the_argument() {
    // Countries and roles are fixed lists: a wrong one is a usage error.
    for (args, option, code) in [
        (
            &["people", "list", "--country", "Narnia"][..],
            "--country",
            2,
        ),
        (&["meetings", "list", "--country", "Narnia"], "--country", 2),
        (&["people", "list", "--role", "king"], "--role", 2),
        (&["people", "list", "--format", "xml"], "--format", 2),
        // Institutions are data: a missing one is "not found".
        (
            &["people", "list", "--institution", "Narnia University"],
            "--institution",
            1,
        ),
    ] {
        let output = run(Data::Embedded, args);
        assert_eq!(output.status.code(), Some(code), "nspm {args:?}");
        assert!(output.stdout.is_empty(), "nspm {args:?}");
        let err = stderr(&output);
        assert!(err.contains(option), "nspm {args:?}: {err}");
        assert!(err.contains("Narnia") || err.contains("king") || err.contains("xml"));
    }
}

#[test]
fn data_comes_from_the_flag_the_environment_or_the_embedded_copy() {
    let count = |cmd: &mut Command| {
        let output = cmd.arg("check").output().unwrap();
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output)
    };
    assert_eq!(
        count(&mut nspm()),
        "ok: 22 people, 13 institutions, 6 meetings in (embedded data)\n"
    );
    assert_eq!(
        count(nspm().args(["--data", "fixtures/valid"])),
        "ok: 5 people, 2 institutions, 2 meetings in fixtures/valid\n"
    );
    assert_eq!(
        count(nspm().env("NSPM_DATA", "fixtures/valid")),
        "ok: 5 people, 2 institutions, 2 meetings in fixtures/valid\n"
    );
    // The flag wins over the environment.
    assert_eq!(
        count(
            nspm()
                .env("NSPM_DATA", "fixtures/valid")
                .args(["--data", "../data"])
        ),
        "ok: 22 people, 13 institutions, 6 meetings in ../data\n"
    );

    // ./data is used when it holds the society's files.
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(&dir.path().join("data"));
    assert_eq!(
        count(nspm().current_dir(dir.path())),
        "ok: 5 people, 2 institutions, 2 meetings in data\n"
    );
    // A ./data without them is not the society's, so the embedded copy is.
    let other = tempfile::tempdir().unwrap();
    std::fs::create_dir(other.path().join("data")).unwrap();
    std::fs::write(other.path().join("data/notes.txt"), "not ours").unwrap();
    assert_eq!(
        count(nspm().current_dir(other.path())),
        "ok: 22 people, 13 institutions, 6 meetings in (embedded data)\n"
    );
}

#[test]
fn a_missing_data_directory_is_an_error() {
    let output = run(Data::Embedded, &["--data", "no-such-dir", "people", "list"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stderr(&output),
        "nspm: error: cannot read no-such-dir: No such file or directory (os error 2)\n"
    );
}

fn copy_fixture(to: &Path) {
    support::copy_data(&support::fixture("valid"), to);
}

/// Replaces text in a copied data file, insisting that it was there.
fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn check_reports_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("broken");
    copy_fixture(&data);
    // Five problems, in the order the report lists them.
    for (file, from, to) in [
        (
            "society.ron",
            "Some(\"ingrid-berg\")",
            "Some(\"ingrid-borg\")",
        ),
        ("people.ron", "country: \"FI\"", "country: \"XX\""),
        (
            "people.ron",
            "Some(\"karolinska-institute\")",
            "Some(\"karolinska\")",
        ),
        (
            "people.ron",
            "ingrid.berg@fixture.example.org",
            "ingrid.berg",
        ),
        ("meetings.ron", "\"2019-05\"", "\"2019-13\""),
    ] {
        edit(&data.join(file), from, to);
    }

    let mut cmd = nspm();
    cmd.current_dir(dir.path())
        .args(["--data", "broken", "check"]);
    let output = cmd.output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report = stdout(&output);
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 6, "{report}");
    assert_eq!(lines[5], "5 problems in broken");
    for (line, file) in lines.iter().zip([
        "broken/society.ron:",
        "broken/people.ron:",
        "broken/people.ron:",
        "broken/people.ron:",
        "broken/meetings.ron:",
    ]) {
        assert!(line.starts_with(file), "{line}");
    }
    assert_cmd_snapshot!("check_broken", cmd);

    // Other commands refuse the data, listing the same problems.
    let output = nspm()
        .current_dir(dir.path())
        .args(["--data", "broken", "people", "list"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.starts_with("nspm: error: cannot load the data in broken: the data has 5 problems"),
        "{err}"
    );
}

#[test]
fn tables_fit_the_width() {
    let lists: [&[&str]; 3] = [
        &["people", "list"],
        &["institutions", "list"],
        &["meetings", "list"],
    ];
    for data in [Data::Embedded, Data::Fixture] {
        for args in lists {
            for (columns, limit) in [(None, 80), (Some("60"), 60), (Some("40"), 40)] {
                let mut cmd = command(data, args);
                if let Some(c) = columns {
                    cmd.env("COLUMNS", c);
                } else {
                    cmd.env_remove("COLUMNS");
                }
                let out = stdout(&cmd.output().unwrap());
                assert!(out.lines().count() > 1, "{out}");
                for line in out.lines() {
                    // Every character in these tables takes one column.
                    assert!(
                        line.chars().count() <= limit,
                        "nspm {args:?} with COLUMNS={columns:?}: {line:?} is wider than {limit}"
                    );
                }
            }
        }
    }
    // The embedded institutions are too wide for 80 columns, so they are cut.
    let out = stdout(&run(Data::Embedded, &["institutions", "list"]));
    assert!(out.contains("Norwegian University of Sci…"), "{out}");
}

/// The output of `nspm` run with stdout on a pseudo-terminal, as in a shell:
/// NO_COLOR and COLUMNS unset but for those in `env`, and the terminal
/// `columns` wide (0 leaves its size unset, as a new one's is).
fn on_terminal(args: &[&str], env: &[(&str, &str)], columns: u16) -> String {
    on_terminal_with(args, env, columns, false)
}

/// [`on_terminal`], with standard error on the same terminal too when
/// `stderr` is true (else piped and dropped).
fn on_terminal_with(args: &[&str], env: &[(&str, &str)], columns: u16, stderr: bool) -> String {
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).unwrap();
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    if columns > 0 {
        let size = rustix::termios::Winsize {
            ws_row: 40,
            ws_col: columns,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        rustix::termios::tcsetwinsize(&master, size).unwrap();
    }
    let name = ptsname(&master, Vec::new()).unwrap();
    let terminal = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(name.to_str().unwrap())
        .unwrap();
    let mut child = {
        let mut cmd = nspm();
        cmd.env_remove("NO_COLOR").env_remove("COLUMNS");
        cmd.envs(env.iter().copied());
        if stderr {
            cmd.stderr(terminal.try_clone().unwrap());
        } else {
            cmd.stderr(Stdio::piped());
        }
        cmd.args(args).stdout(terminal);
        cmd.spawn().unwrap()
        // Dropping the command closes this process's copy of the terminal, so
        // reading ends when the child exits.
    };
    // The output is drained while the child runs: a terminal buffers only a
    // few KiB, and a child whose output nobody reads would wait for ever.
    let mut master = std::fs::File::from(master);
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let mut buf = [0; 4096];
        // Linux reports EIO once the other side is closed and drained.
        while let Ok(n @ 1..) = master.read(&mut buf) {
            out.extend_from_slice(&buf[..n]);
        }
        out
    });
    let status = child.wait().unwrap();
    assert!(status.success());
    String::from_utf8(reader.join().unwrap()).unwrap()
}

#[test]
fn headers_are_bold_on_a_terminal_unless_no_color() {
    let bold = on_terminal(&["people", "list"], &[], 0);
    assert!(bold.starts_with("\x1b[1mID"), "{bold:?}");
    assert!(bold.contains("Søren Brunak"));
    for value in ["1", "true"] {
        let plain = on_terminal(&["people", "list"], &[("NO_COLOR", value)], 0);
        assert!(!plain.contains('\x1b'), "{plain:?}");
        assert!(plain.starts_with("ID "), "{plain:?}");
    }
    // An empty NO_COLOR does not count, as no-color.org says.
    assert!(on_terminal(&["people", "list"], &[("NO_COLOR", "")], 0).starts_with("\x1b[1m"));
    // Piped output is never bold, NO_COLOR or not.
    let mut cmd = command(Data::Embedded, &["people", "list"]);
    cmd.env_remove("NO_COLOR");
    assert!(!stdout(&cmd.output().unwrap()).contains('\x1b'));
}

#[test]
fn tables_fit_the_terminal_they_are_shown_in() {
    let args = ["institutions", "list"];
    let long = "Norwegian University of Science and Technology";
    let widest = |out: &str| out.lines().map(|l| l.trim_end().chars().count()).max();
    // A wide terminal shows whole names that 80 columns would cut.
    let wide = on_terminal(&args, &[("NO_COLOR", "1")], 150);
    assert!(wide.contains(long), "{wide}");
    assert!(widest(&wide) > Some(80), "{wide}");
    assert!(widest(&wide) <= Some(150), "{wide}");
    // A narrow one gets a table no wider than itself.
    let narrow = on_terminal(&args, &[("NO_COLOR", "1")], 50);
    assert!(!narrow.contains(long), "{narrow}");
    assert!(widest(&narrow) <= Some(50), "{narrow}");
    // COLUMNS, set by whoever runs nspm, wins over the terminal's size.
    let asked = on_terminal(&args, &[("NO_COLOR", "1"), ("COLUMNS", "60")], 150);
    assert!(widest(&asked) <= Some(60), "{asked}");
    // A terminal that reports no size gets 80 columns.
    let no_size = on_terminal(&args, &[("NO_COLOR", "1")], 0);
    assert!(
        no_size.contains("Norwegian University of Sci…"),
        "{no_size}"
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    for args in [
        &["people", "list"][..],
        &["people", "list", "--format", "json"],
        &["people", "list", "--format", "csv"],
        &["society"],
        &["completions", "bash"],
        &["man"],
    ] {
        let mut child = nspm()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before nspm has written anything.
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(0), "nspm {args:?}");
        assert_eq!(stderr(&output), "", "nspm {args:?}");
    }
}

#[test]
fn completions_and_manual_pages() {
    let output = run(Data::Embedded, &["completions", "bash"]);
    assert!(output.status.success());
    let script = stdout(&output);
    assert!(script.contains("people"), "{script}");
    assert!(script.contains("institutions"));
    assert!(script.contains("complete"));

    let output = run(Data::Embedded, &["completions", "fish"]);
    assert!(stdout(&output).contains("complete -c nspm"));

    let page = stdout(&run(Data::Embedded, &["man"]));
    assert!(page.contains(".TH nspm 1"), "{page}");
    assert!(page.contains("people"));

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    let output = run(Data::Embedded, &["man", "--out", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    for page in [
        "nspm.1",
        "nspm-people.1",
        "nspm-people-list.1",
        "nspm-check.1",
    ] {
        let text = std::fs::read_to_string(out.join(page)).unwrap();
        assert!(text.contains(".TH"), "{page}");
        assert!(stdout(&output).contains(page));
    }
    let list = std::fs::read_to_string(out.join("nspm-people-list.1")).unwrap();
    assert!(list.contains("\\-\\-country"), "{list}");
}

#[test]
fn output_larger_than_a_terminals_buffer_arrives_whole() {
    // Some 80 KB, well past what a pseudo-terminal buffers before its
    // writer has to wait for a reader.
    let args = ["completions", "bash"];
    let piped = stdout(&run(Data::Embedded, &args));
    assert!(piped.len() > 64 * 1024, "{}", piped.len());
    let shown = on_terminal(&args, &[("NO_COLOR", "1")], 0);
    // A terminal turns each newline into CR LF on the way out.
    assert_eq!(shown.replace("\r\n", "\n"), piped);
}

#[test]
fn a_site_export_shows_its_progress_on_a_terminal_and_nothing_when_piped() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    // With a base URL, so that no note on the features it turns on joins
    // the summary.
    let args = [
        "export",
        "site",
        "--base-url",
        "https://nspm.example.org/",
        "--out",
        out.to_str().unwrap(),
    ];
    let shown = on_terminal_with(&args, &[("NO_COLOR", "1")], 100, true);
    for step in ["rendering pages", "writing files"] {
        assert!(shown.contains(step), "{shown:?}");
    }
    // Each bar is cleared once its step is done; the summary stays.
    assert!(shown.contains("wrote "), "{shown:?}");
    assert!(out.join("index.html").is_file());

    // Piped, standard error holds the summary and nothing else.
    let piped = run(Data::Embedded, &args);
    assert!(piped.status.success());
    let said = String::from_utf8(piped.stderr).unwrap();
    let files = said
        .strip_prefix("wrote ")
        .and_then(|s| s.strip_suffix(&format!(" files to {}\n", out.display())))
        .and_then(|n| n.parse::<usize>().ok());
    assert!(files.is_some_and(|n| n > 10), "{said:?}");
    assert!(!said.contains('\r') && !said.contains('\x1b'), "{said:?}");
}
