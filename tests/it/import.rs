//! `nspm people import`: spreadsheets' CSV (a byte-order mark, semicolons,
//! quoted newlines) read into people, all rows or none, matched by id or
//! email so that a second import changes nothing.
//!
//! Every test works on a copy of `data/` in a temporary directory, and runs
//! nspm there with `--data data`, so messages name `data/people.ron` as staff
//! would see them. The fixtures in tests/fixtures/import/ name invented
//! people only.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use nspm_core::{Person, Society, Sources, Visibility};
use tempfile::TempDir;

use crate::support::{self, run_in as run};

/// A copy of the society's real data in `<temp>/data`.
fn copy_of_data() -> TempDir {
    let temp = tempfile::tempdir().expect("a temporary directory");
    support::copy_data(&support::root().join("data"), &temp.path().join("data"));
    temp
}

fn fixture(name: &str) -> PathBuf {
    support::fixture("import").join(name)
}

/// Imports a fixture, copied into the temporary directory so that
/// messages name it as `people.csv`.
fn import(temp: &Path, name: &str, extra: &[&str]) -> Output {
    fs::copy(fixture(name), temp.join("people.csv")).expect("the fixture copies");
    let mut args = vec!["people", "import", "people.csv"];
    args.extend(extra);
    run(temp, &args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("nspm writes UTF-8")
}

/// Imports and expects success; returns what it printed.
fn imported(temp: &Path, name: &str) -> String {
    let output = import(temp, name, &[]);
    assert!(
        output.status.success(),
        "importing {name} failed: {}",
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// Imports and expects exit status 1 with every file as it was; returns
/// the error message.
fn refused(temp: &Path, name: &str) -> String {
    let before = support::data_files(temp);
    let output = import(temp, name, &[]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "importing {name}: {}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    assert_eq!(
        support::data_files(temp),
        before,
        "a refused import touched a file"
    );
    text(&output.stderr)
}

fn society(temp: &Path) -> Society {
    let sources = Sources::read_dir(&temp.join("data")).expect("the data reads");
    Society::from_sources(&sources).expect("the data checks clean after an import")
}

#[test]
fn a_file_with_a_byte_order_mark_adds_its_people() {
    let temp = copy_of_data();
    let before = society(temp.path()).people.len();
    let out = imported(temp.path(), "bom.csv");
    insta::assert_snapshot!("import_bom", out);
    let society = society(temp.path());
    assert_eq!(society.people.len(), before + 2);
    let kari = society.person("kari-nordmann").expect("Kari is added");
    // The first header is `given_name`, not `\u{feff}given_name`.
    assert_eq!(kari.given, "Kari");
    assert_eq!(
        kari.institution.as_ref().map(|i| i.as_str()),
        Some("university-of-oslo")
    );
    assert_eq!(kari.country.code(), "NO", "the institution's country");
    let email = kari.email.as_ref().expect("an email address");
    assert_eq!(email.visibility, Visibility::Public);
    let lars = society.person("lars-testesen").expect("Lars is added");
    assert_eq!(lars.country.code(), "SE");
    let email = lars.email.as_ref().expect("an email address");
    assert_eq!(
        email.visibility,
        Visibility::Members,
        "new details are for members"
    );
}

#[test]
fn semicolons_and_quoted_newlines_are_read_as_a_spreadsheet_writes_them() {
    let temp = copy_of_data();
    let out = imported(temp.path(), "semicolons.csv");
    insta::assert_snapshot!("import_semicolons", out);
    let society = society(temp.path());
    let sigrid = society.person("sigrid-asheim").expect("Sigrid is added");
    assert_eq!(sigrid.family, "Åsheim");
    assert_eq!(
        sigrid.institution.as_ref().map(|i| i.as_str()),
        Some("aarhus-university")
    );
    let roles: Vec<&str> = sigrid.roles.iter().map(|r| r.slug()).collect();
    assert_eq!(
        roles,
        ["steering-committee", "chair"],
        "one cell, two lines"
    );
    let jens = society.person("jens-ostergard").expect("Jens is added");
    assert_eq!(jens.family, "Østergård");
}

#[test]
fn a_bad_row_in_the_middle_refuses_the_whole_import_naming_every_problem() {
    let temp = copy_of_data();
    let message = refused(temp.path(), "bad-row.csv");
    insta::assert_snapshot!("import_bad_row", message);
    // The good rows before and after the bad ones were not added either.
    for line in ["line 2:", "line 6:"] {
        assert!(!message.contains(line), "{line} is sound: {message}");
    }
    for line in ["line 3:", "line 4:"] {
        assert!(message.contains(line), "{line} is named: {message}");
    }
}

#[test]
fn a_second_import_of_the_same_file_changes_nothing() {
    let temp = copy_of_data();
    imported(temp.path(), "bom.csv");
    let before = support::data_files(temp.path());
    let out = imported(temp.path(), "bom.csv");
    assert_eq!(
        out,
        "nothing changed: 0 added, 0 updated, 2 unchanged (data/people.ron)\n"
    );
    assert_eq!(
        support::data_files(temp.path()),
        before,
        "the files are byte for byte"
    );
}

/// A second import, after bom.csv, finds the person of each row by id, or
/// by email ignoring case, and changes only what the row gives: here a
/// phone number. The columns not given stay as they were.
#[test]
fn a_second_import_changes_only_what_changed() {
    let seed = society(&support::root()).people.len();
    for (file, printed, id, phone) in [
        (
            "updated.csv",
            "line 3: changed person \"lars-testesen\": phone\n\
             0 added, 1 updated, 1 unchanged (data/people.ron)\n",
            "lars-testesen",
            "+46 8 123 999",
        ),
        (
            "by-email.csv",
            "line 2: changed person \"kari-nordmann\": phone\n\
             0 added, 1 updated, 0 unchanged (data/people.ron)\n",
            "kari-nordmann",
            "+47 22 85 50 50",
        ),
    ] {
        let temp = copy_of_data();
        imported(temp.path(), "bom.csv");
        let before = society(temp.path());
        assert_eq!(imported(temp.path(), file), printed);
        let after = society(temp.path());
        assert_eq!(after.people.len(), seed + 2, "{file}: nobody is added");
        let (old, new) = (before.person(id).unwrap(), after.person(id).unwrap());
        assert_eq!(new.phone.as_ref().unwrap().value, phone, "{file}");
        let unchanged = Person {
            phone: old.phone.clone(),
            ..new.clone()
        };
        assert_eq!(&unchanged, old, "{file}: only the phone changes");
    }
}

#[test]
fn a_dry_run_shows_the_diff_and_writes_nothing() {
    let temp = copy_of_data();
    let before = support::data_files(temp.path());
    let output = import(temp.path(), "bom.csv", &["--dry-run"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    insta::assert_snapshot!("import_dry_run", text(&output.stdout));
    assert_eq!(
        text(&output.stderr),
        "dry run, nothing written: 2 added, 0 updated, 0 unchanged (data/people.ron)\n"
    );
    assert_eq!(support::data_files(temp.path()), before);
}

#[test]
fn an_unknown_column_is_named_with_the_closest_one() {
    let temp = copy_of_data();
    let message = refused(temp.path(), "unknown-column.csv");
    insta::assert_snapshot!("import_unknown_column", message);
}

#[test]
fn a_file_that_is_not_utf8_is_refused_naming_the_line_and_column() {
    let temp = copy_of_data();
    // Latin-1, as an old spreadsheet saves "Søren Sørensen" and "Århus".
    let mut file = b"name,email,country\nAnne Gyldig,anne.gyldig@example.org,NO\n".to_vec();
    file.extend(
        b"S\xf8ren S\xf8rensen,soren@example.org,DK\n\"\xc5rhus\nUniversitet\",x@example.org,DK\n",
    );
    fs::write(temp.path().join("latin1.csv"), &file).unwrap();
    let before = support::data_files(temp.path());
    let output = run(temp.path(), &["people", "import", "latin1.csv"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(support::data_files(temp.path()), before);
    insta::assert_snapshot!("import_not_utf8", text(&output.stderr));
}

#[test]
fn a_file_without_an_id_or_email_column_is_refused() {
    let temp = copy_of_data();
    fs::write(temp.path().join("names.csv"), "name,country\nOla Navn,NO\n").unwrap();
    let before = support::data_files(temp.path());
    let output = run(temp.path(), &["people", "import", "names.csv"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(support::data_files(temp.path()), before);
    let message = text(&output.stderr);
    assert!(
        message.contains("line 1: the table needs an \"id\" or an \"email\" column"),
        "{message}"
    );
}

/// What `people list --format csv` writes, read back, is what the data
/// says: the export's columns are the import's.
#[test]
fn the_people_export_imports_as_no_change() {
    let temp = copy_of_data();
    imported(temp.path(), "bom.csv");
    // A position (invented, on this copy only) is exported in its column
    // and read back as the same.
    let position = "Professor of Test Data";
    let edit = run(
        temp.path(),
        &["people", "edit", "ole-andreassen", "--position", position],
    );
    assert!(edit.status.success(), "{}", text(&edit.stderr));
    let export = run(temp.path(), &["people", "list", "--format", "csv"]);
    assert!(export.status.success());
    assert_eq!(
        support::csv_cell(&export.stdout, "ole-andreassen", "position"),
        position
    );
    fs::write(temp.path().join("export.csv"), &export.stdout).unwrap();
    let before = support::data_files(temp.path());
    let output = run(temp.path(), &["people", "import", "export.csv"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let people = society(temp.path()).people.len();
    assert_eq!(
        text(&output.stdout),
        format!("nothing changed: 0 added, 0 updated, {people} unchanged (data/people.ron)\n")
    );
    assert_eq!(support::data_files(temp.path()), before);
}
