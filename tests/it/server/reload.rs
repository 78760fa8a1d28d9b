//! When the real binary reloads its data: once for each change of a data
//! file's content and never for reading one; again after the data
//! directory is replaced by another at its path; and at once on SIGHUP.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use nspm_core::DataFile;
use rustix::process::Signal;

use super::live::{
    count, data_copy, given_name, people_file, replace_file, wait_for_name, wait_until,
};
use super::running::{Client, Running};
use crate::support;

/// How long the tests watch for reloads that should not happen. Each
/// change is reloaded within moments, so a couple of seconds of quiet says
/// that nothing more is coming.
const OBSERVE: Duration = Duration::from_secs(2);

/// A generous deadline for what should happen within moments.
const SOON: Duration = Duration::from_secs(10);

const RELOADED: &str = "data reloaded";
const KEPT: &str = "still serving the last good data";
const LOST: &str = "the data directory was moved or removed";
const BACK: &str = "the data directory is back";

/// The people file of `dir` with Søren Brunak's given name, whatever it
/// is now, replaced by `given`.
fn renamed(dir: &Path, given: &str) -> String {
    let text = std::fs::read_to_string(dir.join("people.ron")).unwrap();
    let record = text
        .find("id: \"soren-brunak\",")
        .expect("Søren is in the data");
    let start = record + text[record..].find("given: \"").unwrap() + "given: \"".len();
    let end = start + text[start..].find('"').unwrap();
    format!("{}{given}{}", &text[..start], &text[end..])
}

fn serve(data: &Path) -> Running {
    Running::start(&["--data", data.to_str().unwrap()], &[])
}

/// Reads every data file and lists the directory, as `cat`, an editor
/// opening a file, `grep` or a backup would.
fn read_everything(data: &Path) {
    for _ in 0..3 {
        for file in DataFile::ALL {
            std::fs::read(data.join(file.file_name())).unwrap();
        }
        assert!(std::fs::read_dir(data).unwrap().count() >= DataFile::ALL.len());
    }
}

fn reloads(server: &Running) -> usize {
    count(server, RELOADED)
}

fn shell(dir: &Path, script: &str) {
    let status = Command::new("sh")
        .args(["-c", script])
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(status.success(), "{script}: {status}");
}

#[test]
fn reading_the_data_reloads_nothing_and_each_edit_reloads_once() {
    let temp = data_copy();
    let data = temp.path().join("data");
    let people = people_file(&temp);
    let server = serve(&data);

    read_everything(&data);
    std::thread::sleep(OBSERVE);
    assert_eq!(reloads(&server), 0, "{}", server.log().join("\n"));

    // An edit in place: the file is truncated, written and closed.
    std::fs::write(&people, renamed(&data, "Sören")).unwrap();
    wait_for_name(&server, "soren-brunak", "Sören", SOON);
    // The reload's own reading of the files, and the visitors' and
    // anyone else's after it, start nothing more.
    read_everything(&data);
    std::thread::sleep(OBSERVE);
    assert_eq!(reloads(&server), 1, "{}", server.log().join("\n"));

    // An edit by rename, as editors and `nspm` make it.
    replace_file(&people, &renamed(&data, "Soren"));
    wait_for_name(&server, "soren-brunak", "Soren", SOON);
    read_everything(&data);
    std::thread::sleep(OBSERVE);
    assert_eq!(reloads(&server), 2, "{}", server.log().join("\n"));
}

#[test]
fn unsound_data_is_reported_once_per_change() {
    let temp = data_copy();
    let data = temp.path().join("data");
    let people = people_file(&temp);
    let mut server = serve(&data);

    let broken = std::fs::read_to_string(&people).unwrap().replacen(
        "institution: Some(\"university-of-copenhagen\")",
        "institution: Some(\"university-of-atlantis\")",
        1,
    );
    replace_file(&people, &broken);
    server.wait_for_log(KEPT, SOON);
    let problem = count(&server, "university-of-atlantis");
    assert!(problem >= 1, "{}", server.log().join("\n"));
    read_everything(&data);
    std::thread::sleep(OBSERVE);
    let log = server.log().join("\n");
    assert_eq!(count(&server, KEPT), 1, "{log}");
    assert_eq!(count(&server, "university-of-atlantis"), problem, "{log}");
    assert_eq!(reloads(&server), 0, "{log}");
    assert_eq!(given_name(&server, "soren-brunak"), "Søren");
}

/// Replaces the data directory with `swap`, run by the shell in the
/// directory that holds `data` and `replacement`, a copy of the data with
/// Søren renamed "Swapped"; then checks that the new directory's data is
/// served, that a later edit in it is too, that the loss and the return
/// were logged, and that each of the two changes was reloaded once.
fn followed_after(replacement: &str, swap: &[&str]) -> (tempfile::TempDir, Running) {
    let temp = data_copy();
    let data = temp.path().join("data");
    let other = temp.path().join(replacement);
    support::copy_data(&data, &other);
    std::fs::write(other.join("people.ron"), renamed(&other, "Swapped")).unwrap();
    let mut server = serve(&data);

    for step in swap {
        shell(temp.path(), step);
        if !data.exists() {
            // While the directory is missing the server says so and keeps
            // serving what it had.
            server.wait_for_log(LOST, SOON);
            assert_eq!(given_name(&server, "soren-brunak"), "Søren");
        }
    }
    server.wait_for_log(LOST, SOON);
    let back = server.wait_for_log(BACK, SOON);
    assert!(back.contains(" INFO "), "{back}");
    wait_for_name(&server, "soren-brunak", "Swapped", SOON);

    // The new directory is watched: a later edit in it is served.
    std::fs::write(data.join("people.ron"), renamed(&data, "Later")).unwrap();
    wait_for_name(&server, "soren-brunak", "Later", SOON);
    std::thread::sleep(OBSERVE);
    let log = server.log().join("\n");
    assert_eq!(count(&server, LOST), 1, "{log}");
    assert_eq!(count(&server, BACK), 1, "{log}");
    // One reload when the directory came back, one for the edit.
    assert_eq!(reloads(&server), 2, "{log}");
    // The file watcher's notes on its own bookkeeping are not logged: the
    // two lines above say what happened.
    assert!(!log.contains("watch descriptor"), "{log}");
    assert!(!log.contains("from the watches"), "{log}");
    (temp, server)
}

#[test]
fn a_data_directory_removed_and_copied_back_is_followed() {
    // The two steps apart, so that the directory is missing for a while.
    followed_after("saved", &["rm -rf data", "cp -r saved data"]);
    // And at once, as a deploy script runs them.
    followed_after("saved", &["rm -rf data && cp -r saved data"]);
}

#[test]
fn a_data_directory_moved_away_and_replaced_is_followed() {
    let (temp, server) = followed_after("data.new", &["mv data data.old && mv data.new data"]);

    // The old directory, wherever it went, is no longer the data.
    let old = temp.path().join("data.old");
    std::fs::write(old.join("people.ron"), renamed(&old, "Old")).unwrap();
    std::thread::sleep(OBSERVE);
    assert_eq!(reloads(&server), 2, "{}", server.log().join("\n"));
    assert_eq!(given_name(&server, "soren-brunak"), "Later");
}

#[test]
fn sighup_reloads_the_data_at_once_and_serving_goes_on() {
    // The people file is a link into a directory that is not watched, so
    // that only the signal can bring its change in.
    let temp = data_copy();
    let data = temp.path().join("data");
    let elsewhere = temp.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::rename(data.join("people.ron"), elsewhere.join("people.ron")).unwrap();
    std::os::unix::fs::symlink("../elsewhere/people.ron", data.join("people.ron")).unwrap();
    let mut server = serve(&data);
    std::fs::write(elsewhere.join("people.ron"), renamed(&elsewhere, "Hangup")).unwrap();

    server.signal(Signal::HUP);
    let line = server.wait_for_log("SIGHUP", SOON);
    assert!(line.contains("reloading the data"), "{line}");
    wait_for_name(&server, "soren-brunak", "Hangup", SOON);
    server.wait_for_log(RELOADED, SOON);
    assert!(server.is_running());

    // Again, with nothing changed and a visitor's connection open: the
    // data is read again and the visitor still answered.
    let mut client = Client::connect(server.addr);
    server.signal(Signal::HUP);
    wait_until(SOON, || reloads(&server) == 2);
    assert_eq!(client.get("/healthz").unwrap().status, 200);
    assert_eq!(given_name(&server, "soren-brunak"), "Hangup");
    assert!(server.is_running());
}

#[test]
fn sighup_with_the_data_built_in_is_logged_and_serving_goes_on() {
    let mut server = Running::start(&[], &[]);
    server.signal(Signal::HUP);
    let line = server.wait_for_log("SIGHUP", SOON);
    assert!(line.contains("built into the binary"), "{line}");
    assert_eq!(server.get("/healthz").status, 200);
    assert!(server.is_running());
}

/// Sends a GET with one If-Modified-Since and no ETag, as calendar clients
/// that keep only dates do.
fn get_since(server: &Running, path: &str, since: &str) -> super::running::Reply {
    let mut client = Client::connect(server.addr);
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nIf-Modified-Since: {since}\r\n\r\n");
    std::io::Write::write_all(client.stream(), request.as_bytes()).unwrap();
    client.read_reply().unwrap()
}

#[test]
fn an_edit_to_a_person_moves_last_modified_so_date_only_clients_get_it() {
    let temp = data_copy();
    let data = temp.path().join("data");
    // Files last changed long before anything the data records, so that
    // the first date served is the data's own.
    let long_ago = std::time::UNIX_EPOCH + Duration::from_secs(946_684_800);
    for file in DataFile::ALL {
        std::fs::File::options()
            .write(true)
            .open(data.join(file.file_name()))
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
    }
    let server = serve(&data);
    let first = server.get("/committee/");
    let date = first.header("last-modified").unwrap().to_string();
    assert_eq!(get_since(&server, "/committee/", &date).status, 304);

    // A person's edit records no date in the data, only in the file.
    replace_file(&people_file(&temp), &renamed(&data, "Sørena"));
    wait_for_name(&server, "soren-brunak", "Sørena", SOON);
    let after = get_since(&server, "/committee/", &date);
    assert_eq!(after.status, 200, "{:?}", after.headers);
    assert!(after.text().contains("Sørena"));
    let moved = after.header("last-modified").unwrap();
    assert_ne!(moved, date);
    assert_eq!(get_since(&server, "/committee/", moved).status, 304);
}

/// A photo lives in a folder of the data directory: replacing its file, or
/// adding the file of a photo the data names already, reloads the data and
/// the site serves the new photo; a file beside it that the data does not
/// name reloads nothing.
#[test]
fn a_changed_or_added_photo_reloads_the_data() {
    use image::{GenericImageView as _, ImageFormat};

    let temp = data_copy();
    let data = temp.path().join("data");
    std::fs::create_dir(data.join("photos")).unwrap();
    let photo = data.join("photos/soren.jpg");
    std::fs::write(&photo, support::photo_bytes(300, 400, ImageFormat::Jpeg)).unwrap();
    support::name_photo(&data, "soren-brunak", "photos/soren.jpg");
    let server = serve(&data);
    let shown = |server: &Running| {
        let r = server.get("/people/soren-brunak/photo-160.jpg");
        (r.status == 200).then(|| image::load_from_memory(&r.body).unwrap().dimensions())
    };
    assert_eq!(shown(&server), Some((160, 213)));

    // A file the data does not name, in the same folder, is no change.
    std::fs::write(data.join("photos/other.jpg"), b"not the data").unwrap();
    std::thread::sleep(OBSERVE);
    assert_eq!(reloads(&server), 0, "{}", server.log().join("\n"));

    // The photo replaced by a wider one, by rename as tools do.
    let fresh = data.join("photos/soren.jpg.new");
    std::fs::write(&fresh, support::photo_bytes(400, 400, ImageFormat::Jpeg)).unwrap();
    std::fs::rename(&fresh, &photo).unwrap();
    wait_until(SOON, || shown(&server) == Some((160, 160)));
    assert_eq!(reloads(&server), 1, "{}", server.log().join("\n"));

    // Removed, the data is refused and the last good photo served; put
    // back, it is served again.
    std::fs::remove_file(&photo).unwrap();
    wait_until(SOON, || count(&server, KEPT) >= 1);
    assert_eq!(shown(&server), Some((160, 160)));
    std::fs::write(&photo, support::photo_bytes(300, 600, ImageFormat::Jpeg)).unwrap();
    wait_until(SOON, || shown(&server) == Some((160, 320)));
}
