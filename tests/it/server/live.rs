//! Live data on the real binary: a sound change to the files is served
//! within moments, an unsound one is logged and the last good data stays,
//! and under a stream of requests every response is wholly one version.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::running::{Client, Running};
use crate::support;

/// A temporary copy of the society's real data, in `<temp>/data`.
pub(super) fn data_copy() -> tempfile::TempDir {
    let temp = tempfile::tempdir().unwrap();
    support::copy_data(&support::root().join("data"), &temp.path().join("data"));
    temp
}

pub(super) fn people_file(temp: &tempfile::TempDir) -> std::path::PathBuf {
    temp.path().join("data/people.ron")
}

/// Replaces a file the way editors and `nspm` do: a new file renamed over
/// the old one.
pub(super) fn replace_file(path: &Path, text: &str) {
    let fresh = path.with_extension("ron.tmp");
    std::fs::write(&fresh, text).unwrap();
    std::fs::rename(&fresh, path).unwrap();
}

pub(super) fn given_name(server: &Running, id: &str) -> String {
    let r = server.get(&format!("/api/people/{id}"));
    assert_eq!(r.status, 200, "{}", r.text());
    let person: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    person["given_name"].as_str().unwrap().to_string()
}

/// Polls until `given_name(id)` is `want`, returning how long it took.
pub(super) fn wait_for_name(server: &Running, id: &str, want: &str, limit: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let got = given_name(server, id);
        if got == want {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < limit,
            "still {got:?} after {limit:?}, not {want:?}:\n{}",
            server.log().join("\n")
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

#[test]
fn changed_files_are_served_and_broken_ones_are_not() {
    let temp = data_copy();
    let people = people_file(&temp);
    let data = temp.path().join("data");
    let mut server = Running::start(&["--data", data.to_str().unwrap()], &[]);
    assert_eq!(given_name(&server, "soren-brunak"), "Søren");

    // An edit in place, as a plain `write` does it.
    let original = std::fs::read_to_string(&people).unwrap();
    let renamed = original.replace("given: \"Søren\"", "given: \"Sören\"");
    std::fs::write(&people, &renamed).unwrap();
    let took = wait_for_name(&server, "soren-brunak", "Sören", Duration::from_secs(10));
    eprintln!("the change was served after {took:?}");
    let page = server.get("/people/soren-brunak/");
    assert!(page.text().contains("Sören Brunak"));
    server.wait_for_log("data reloaded", Duration::from_secs(1));

    // A reference to an institution that does not exist fails the check:
    // the problem is logged with its place, and the last good data stays.
    let broken = renamed.replacen(
        "given: \"Sören\",\n        family: \"Brunak\",\n        institution: Some(\"university-of-copenhagen\")",
        "given: \"Broken\",\n        family: \"Brunak\",\n        institution: Some(\"university-of-atlantis\")",
        1,
    );
    assert_ne!(broken, renamed);
    replace_file(&people, &broken);
    let line = server.wait_for_log("university-of-atlantis", Duration::from_secs(10));
    assert!(line.contains(" WARN "), "{line}");
    assert!(line.contains("people.ron:"), "{line}");
    server.wait_for_log("still serving the last good data", Duration::from_secs(5));
    assert_eq!(given_name(&server, "soren-brunak"), "Sören");
    assert!(
        server
            .get("/people/soren-brunak/")
            .text()
            .contains("Sören Brunak")
    );

    // Text that is not RON at all is refused the same way.
    // Counted first: the refusal is logged once, and may come at once.
    let kept_before = count(&server, "still serving the last good data");
    replace_file(&people, &original[..original.len() / 2]);
    wait_until(Duration::from_secs(10), || {
        count(&server, "still serving the last good data") > kept_before
    });
    assert_eq!(given_name(&server, "soren-brunak"), "Sören");

    // Mended, the data is served again.
    replace_file(&people, &original);
    wait_for_name(&server, "soren-brunak", "Søren", Duration::from_secs(10));
}

pub(super) fn count(server: &Running, needle: &str) -> usize {
    server.log().iter().filter(|l| l.contains(needle)).count()
}

pub(super) fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "gave up after {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The people file with every given name marked with generation `g`, so
/// that one page or list shows the marker many times over.
fn generation(original: &str, g: u32) -> String {
    original.replace("given: \"", &format!("given: \"Gen{g:04} "))
}

/// Every generation marker in a body.
fn markers(body: &str) -> Vec<u32> {
    body.match_indices("Gen")
        .filter_map(|(i, _)| body.get(i + 3..i + 7)?.parse().ok())
        .collect()
}

/// What one client saw.
#[derive(Debug, Default)]
struct Seen {
    requests: usize,
    generations: BTreeSet<u32>,
}

#[test]
fn under_load_every_response_is_wholly_one_version() {
    // The clients ask until the writer has made its last version and they
    // have seen it; the caps only stop a test that went wrong, so that a
    // slow machine (each reload renders every page and preview image
    // again) never runs out of them first.
    const REQUEST_CAP: usize = 2_000_000;
    const TIME_CAP: Duration = Duration::from_secs(180);
    const CLIENTS: usize = 2;
    // The last rewrite is sound (17 % 4 == 1), so the test can wait for it.
    const LAST: u32 = 17;

    let temp = data_copy();
    let people = people_file(&temp);
    let original = std::fs::read_to_string(&people).unwrap();
    replace_file(&people, &generation(&original, 0));
    let data = temp.path().join("data");
    let server = Arc::new(Running::start(&["--data", data.to_str().unwrap()], &[]));
    // Generations written soundly; a response may show only these.
    let valid = Arc::new(Mutex::new(BTreeSet::from([0u32])));
    let last = LAST;
    let start = Instant::now();
    let finished = Arc::new(AtomicBool::new(false));
    // Every generation any client has seen, so that the writer can wait
    // for each sound version to be served before it changes the data.
    let served = Arc::new(Mutex::new(BTreeSet::new()));

    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let server = Arc::clone(&server);
            let valid = Arc::clone(&valid);
            let finished = Arc::clone(&finished);
            let served = Arc::clone(&served);
            std::thread::spawn(move || {
                let paths = [
                    "/committee/",
                    "/api/people",
                    "/api/people/soren-brunak",
                    "/people/soren-brunak/",
                    "/committee.vcf",
                ];
                let mut client = Client::connect(server.addr);
                let mut seen = Seen::default();
                let mut newest = 0;
                while seen.requests < REQUEST_CAP && start.elapsed() < TIME_CAP {
                    let path = paths[(seen.requests + c) % paths.len()];
                    let reply = client
                        .get(path)
                        .unwrap_or_else(|e| panic!("request {} for {path}: {e}", seen.requests));
                    seen.requests += 1;
                    assert_eq!(reply.status, 200, "{path}");
                    let found = markers(reply.text());
                    // The page lists everyone, the card file has each
                    // person's card: each shows every marker of one version.
                    let least = if path.contains("soren") { 1 } else { 22 };
                    assert!(found.len() >= least, "{path}: {found:?}");
                    let g = found[0];
                    assert!(found.iter().all(|m| *m == g), "{path} mixes {found:?}");
                    let sound = valid.lock().unwrap().contains(&g);
                    assert!(sound, "{path} shows {g}, which failed the check");
                    // A request that starts after another ended never sees
                    // older data, whichever part of the site it asks for.
                    assert!(g >= newest, "{path} went back from {newest} to {g}");
                    newest = g;
                    if seen.generations.insert(g) {
                        served.lock().unwrap().insert(g);
                    }
                    if finished.load(Ordering::Relaxed) && g == last {
                        break;
                    }
                }
                seen
            })
        })
        .collect();

    let wait_until_served = |g: u32| {
        wait_until(Duration::from_secs(10), || {
            served.lock().unwrap().contains(&g)
        });
    };
    wait_until_served(0);
    for g in 1..=last {
        if g % 4 == 2 || g % 4 == 3 {
            // Unsound: a person's country that does not exist, or the file
            // cut short. The server must log it and keep what it had.
            let bad = generation(&original, g);
            let bad = if g % 4 == 2 {
                bad.replacen("country: \"DK\"", "country: \"XX\"", 1)
            } else {
                bad[..bad.len() * 2 / 3].to_string()
            };
            let kept = count(&server, "still serving the last good data");
            replace_file(&people, &bad);
            wait_until(Duration::from_secs(10), || {
                count(&server, "still serving the last good data") > kept
            });
        } else {
            valid.lock().unwrap().insert(g);
            // Half the sound rewrites go in place, half by rename.
            if g % 2 == 0 {
                std::fs::write(&people, generation(&original, g)).unwrap();
            } else {
                replace_file(&people, &generation(&original, g));
            }
            // Each is served before the next change.
            wait_until_served(g);
        }
    }
    finished.store(true, Ordering::Relaxed);
    let seen: Vec<Seen> = clients.into_iter().map(|c| c.join().unwrap()).collect();
    let requests: usize = seen.iter().map(|s| s.requests).sum();
    let generations: BTreeSet<u32> = seen.iter().flat_map(|s| s.generations.clone()).collect();
    eprintln!(
        "{requests} requests in {:?}, generations seen: {generations:?}",
        start.elapsed()
    );
    assert!(
        seen.iter().all(|s| s.generations.contains(&last)),
        "the last version was not served before the time ran out: {seen:?}"
    );
    assert_eq!(generations, *valid.lock().unwrap());
    assert!(count(&server, "data reloaded") >= 9);
    assert!(requests >= 200, "{requests}");
}
