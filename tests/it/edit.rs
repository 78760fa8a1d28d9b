//! Staff changing the data from the command line: `add`, `edit`, `remove`
//! for each kind of record, `--dry-run`, `nspm fmt`, two writers at once,
//! and writers killed at random moments.
//!
//! Every test works on a copy of `data/` in a temporary directory, and runs
//! nspm there with `--data data`, so messages name `data/people.ron` as staff
//! would see them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use nspm_core::{Society, Sources, Timestamp};
use tempfile::TempDir;

use crate::support::{self, nspm, stderr, stdout, words};

/// A copy of the society's real data in `<temp>/data`.
fn copy_of_data() -> TempDir {
    let temp = tempfile::tempdir().expect("a temporary directory");
    support::copy_data(&support::root().join("data"), &temp.path().join("data"));
    temp
}

/// nspm in `temp` with `--data data` and the words of a command line as
/// staff type it.
fn command(temp: &Path, line: &str) -> std::process::Command {
    support::nspm_in(temp, &words(line))
}

/// [`command`], run to its end.
fn run(temp: &Path, line: &str) -> std::process::Output {
    support::run_in(temp, &words(line))
}

/// Runs nspm and expects success; returns what it printed.
fn ok(temp: &Path, line: &str) -> String {
    let output = run(temp, line);
    assert!(
        output.status.success(),
        "nspm {line} failed: {}",
        stderr(&output)
    );
    stdout(&output)
}

/// Runs nspm and expects exit status 1 with every file as it was; returns
/// the error message.
fn refused(temp: &Path, line: &str) -> String {
    let before = support::data_files(temp);
    let output = run(temp, line);
    assert_eq!(
        output.status.code(),
        Some(1),
        "nspm {line}: {}{}",
        stdout(&output),
        stderr(&output)
    );
    assert_eq!(
        support::data_files(temp),
        before,
        "nspm {line} touched a file"
    );
    stderr(&output)
}

fn people_text(temp: &Path) -> String {
    fs::read_to_string(temp.join("data/people.ron")).unwrap()
}

fn society(temp: &Path) -> Society {
    Society::load_dir(&temp.join("data")).expect("the data checks clean")
}

fn now() -> Timestamp {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    Timestamp::from_unix(secs.as_secs() as i64)
}

/// The lines removed from `before` and added in `after`, as one hunk: both
/// texts share everything above and below it.
fn hunk(before: &str, after: &str) -> (Vec<String>, Vec<String>) {
    let old: Vec<&str> = before.lines().collect();
    let new: Vec<&str> = after.lines().collect();
    let top = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let bottom = old[top..]
        .iter()
        .rev()
        .zip(new[top..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let own = |lines: &[&str]| lines.iter().map(|l| l.to_string()).collect();
    (
        own(&old[top..old.len() - bottom]),
        own(&new[top..new.len() - bottom]),
    )
}

#[test]
fn adding_a_person_as_the_issue_does() {
    let temp = copy_of_data();
    let t = temp.path();
    // Kári is in the data already; take him out so his id is free again.
    ok(t, "people remove kari-stefansson");
    let before = people_text(t);
    let out = ok(
        t,
        "people add --name 'Kári Stefánsson' --institution decode-genetics --country IS --role steering-committee",
    );
    assert_eq!(out, "added person \"kari-stefansson\" (data/people.ron)\n");
    let (gone, added) = hunk(&before, &people_text(t));
    assert!(gone.is_empty());
    assert_eq!(
        added.join("\n"),
        r#"    Person(
        id: "kari-stefansson",
        given: "Kári",
        family: "Stefánsson",
        institution: Some("decode-genetics"),
        country: "IS",
        roles: [SteeringCommittee],
    ),"#
    );
    // The new record is the last before the closing bracket.
    assert!(people_text(t).ends_with("    ),\n]\n"));

    // A second person of the same name gets the next free id.
    let out = ok(t, "people add --name 'Kári Stefánsson' --country is");
    assert_eq!(
        out,
        "added person \"kari-stefansson-2\" (data/people.ron)\n"
    );
    let s = society(t);
    let second = s.person("kari-stefansson-2").unwrap();
    assert_eq!(
        (second.institution.as_ref(), second.country.code()),
        (None, "IS")
    );
}

#[test]
fn editing_a_person_changes_only_that_record() {
    let temp = copy_of_data();
    let t = temp.path();
    let before = people_text(t);
    let out = ok(
        t,
        "people edit kari-stefansson --email kari@example.org --email-visibility members",
    );
    assert_eq!(
        out,
        "changed person \"kari-stefansson\": email (data/people.ron)\n"
    );
    let (gone, added) = hunk(&before, &people_text(t));
    assert!(gone.is_empty());
    assert_eq!(
        added,
        ["        email: Some(Members(\"kari@example.org\")),"]
    );
    let shown = ok(t, "people show kari-stefansson");
    assert!(shown.contains("kari@example.org (members only)"), "{shown}");

    // Making it public, then clearing it, leaves the file as it began.
    ok(t, "people edit kari-stefansson --email-visibility public");
    assert!(people_text(t).contains("email: Some(Public(\"kari@example.org\"))"));
    ok(t, "people edit kari-stefansson --email ''");
    assert_eq!(people_text(t), before);
}

#[test]
fn an_edit_keeps_the_comments_in_and_around_its_record() {
    let temp = copy_of_data();
    let t = temp.path();
    let original = people_text(t);
    let at = original.find("id: \"kari-stefansson\"").unwrap();
    let (head, tail) = original.split_at(at);
    let tail = tail
        .replacen("\"Stefánsson\",", "\"Stefánsson\", // with an accent", 1)
        .replacen(
            "        roles:",
            "        // Founder of deCODE.\n        roles:",
            1,
        );
    let text = format!("{head}{tail}");
    fs::write(t.join("data/people.ron"), &text).unwrap();
    ok(t, "people edit kari-stefansson --institution ''");
    let (gone, added) = hunk(&text, &people_text(t));
    assert_eq!(gone, ["        institution: Some(\"decode-genetics\"),"]);
    assert_eq!(added, ["        institution: None,"]);
    // A field taken out takes its comment above the record, not away.
    ok(t, "people edit kari-stefansson --role ''");
    let after = people_text(t);
    assert!(
        after.contains("    // Founder of deCODE.\n    Person(\n        id: \"kari-stefansson\","),
        "{after}"
    );
    assert!(after.contains("family: \"Stefánsson\", // with an accent\n"));
    assert_eq!(after.matches("//").count(), text.matches("//").count());
}

#[test]
fn meetings_are_added_and_changed_with_a_new_revision() {
    let temp = copy_of_data();
    let t = temp.path();
    let out = ok(
        t,
        "meetings add --title 'Oslo meeting' --date 2019-05 --city Oslo --country NO",
    );
    assert_eq!(out, "added meeting \"oslo-2019\" (data/meetings.ron)\n");
    let start = now();
    ok(
        t,
        "meetings edit oslo-2019 --summary 'Plans for a road map.'",
    );
    ok(
        t,
        "meetings edit oslo-2019 --date 2019-05-14 --end 2019-05-15",
    );
    let s = society(t);
    let m = s.meeting("oslo-2019").unwrap();
    assert_eq!(m.revision, 2);
    let modified = m.modified.expect("a changed meeting records when");
    assert!(start <= modified && modified <= now(), "{modified}");
    assert_eq!(m.summary.as_deref(), Some("Plans for a road map."));
    assert_eq!(m.date.iso(), "2019-05-14");

    // Asking for what it already says changes nothing, not even the revision.
    let out = ok(t, "meetings edit oslo-2019 --city Oslo");
    assert_eq!(
        out,
        "meeting \"oslo-2019\" already says so; nothing changed (data/meetings.ron)\n"
    );
    assert_eq!(society(t).meeting("oslo-2019").unwrap().revision, 2);
}

#[test]
fn news_is_added_changed_listed_and_removed_even_from_no_file() {
    let temp = copy_of_data();
    let news = temp.path().join("data/news.ron");
    // A data directory from before there was news.
    fs::remove_file(&news).unwrap();
    assert_eq!(ok(temp.path(), "news list --format json"), "[]\n");
    let err = refused(
        temp.path(),
        "news add --title Oslo --text Soon. --meeting oslo-2061",
    );
    assert!(
        err.contains("--date is needed for a new news item"),
        "{err}"
    );
    let err = refused(
        temp.path(),
        "news add --title Oslo --date 2019 --text Soon. --meeting oslo-2061",
    );
    assert!(
        err.contains("no meeting has the id \"oslo-2061\"; did you mean \"oslo-2016\"?"),
        "{err}"
    );
    assert!(!news.exists());
    let added = ok(
        temp.path(),
        "news add --title 'A call for members' --date 2019-03 --text 'Write to *us*.' --meeting oslo-2016",
    );
    assert_eq!(
        added,
        "added news item \"a-call-for-members\" (data/news.ron)\n"
    );
    let s = society(temp.path());
    assert_eq!(s.news.len(), 1);
    assert_eq!(s.news[0].text, "Write to *us*.");
    ok(temp.path(), "news edit a-call-for-members --meeting ''");
    assert!(society(temp.path()).news[0].meetings.is_empty());
    let shown = ok(temp.path(), "news show a-call-for-members");
    assert!(shown.contains("date:  March 2019"), "{shown}");
    ok(temp.path(), "news remove a-call-for-members");
    assert!(society(temp.path()).news.is_empty());
    let err = refused(temp.path(), "news remove a-call-for-members");
    assert!(err.contains("a-call-for-members"), "{err}");
}

#[test]
fn institutions_are_added_changed_and_removed() {
    let temp = copy_of_data();
    let t = temp.path();
    let out = ok(
        t,
        "institutions add --name 'Uppsala University' --alias 'Uppsala universitet' --country Sweden",
    );
    assert_eq!(
        out,
        "added institution \"uppsala-university\" (data/institutions.ron)\n"
    );
    ok(
        t,
        "people edit maria-gomez --institution 'uppsala universitet'",
    );
    assert_eq!(
        society(t)
            .person("maria-gomez")
            .unwrap()
            .institution
            .as_ref()
            .map(|i| i.as_str()),
        Some("uppsala-university")
    );
    let message = refused(t, "institutions remove uppsala-university");
    assert!(message.contains("person \"maria-gomez\", field `institution`: no institution has the id \"uppsala-university\""), "{message}");
    ok(t, "people edit maria-gomez --institution lund-university");
    let out = ok(t, "institutions remove uppsala-university");
    assert_eq!(
        out,
        "removed institution \"uppsala-university\" (data/institutions.ron)\n"
    );
    assert_eq!(
        support::data_files(t),
        support::data_files(copy_of_data().path())
    );
}

#[test]
fn removing_an_institution_people_belong_to_is_refused_and_names_them() {
    let temp = copy_of_data();
    let message = refused(temp.path(), "institutions remove lund-university");
    insta::assert_snapshot!(message, @r#"
    nspm: error: the change was refused: it would leave 3 problems
      data/people.ron:40:22: person "paul-franks", field `institution`: no institution has the id "lund-university"
      data/people.ron:48:22: person "maria-gomez", field `institution`: no institution has the id "lund-university"
      data/people.ron:56:22: person "leif-groop", field `institution`: no institution has the id "lund-university"
    "#);
}

#[test]
fn every_bad_value_is_listed_and_nothing_is_written() {
    let temp = copy_of_data();
    let t = temp.path();
    let message = refused(
        t,
        "meetings add --title 'Bergen meeting' --date 2019-13 --city Bergen --country XX --venue 'bergen uni'",
    );
    insta::assert_snapshot!(message, @r#"
    nspm: error: the change was refused: it would leave 3 problems
      --venue: no institution matches "bergen uni"
      meeting "bergen-2019", field `date`: there is no month 13, in "2019-13"
      meeting "bergen-2019", field `country`: unknown country code "XX"; use an ISO 3166-1 alpha-2 code such as "NO"
    "#);
    let message = refused(
        t,
        "people add --name Anna --email anna(at)example.org --role chiar",
    );
    insta::assert_snapshot!(message, @r#"
    nspm: error: the change was refused: it would leave 4 problems
      --name "Anna" has no space between a given and a family name; give --given and --family
      --country is needed for a new person (or --institution, to take its country)
      --role: unknown role "chiar"; expected one of: steering-committee, chair, vice-chair, secretary, treasurer, member
      person, field `email`: malformed email address "anna(at)example.org": it has no `@`
    "#);
}

#[test]
fn unknown_ids_duplicates_and_unknown_flags_are_refused() {
    let temp = copy_of_data();
    let t = temp.path();
    let message = refused(t, "people edit soren-brunk --phone '+45 35 32 50 00'");
    assert_eq!(
        message,
        "nspm: error: no person matches \"soren-brunk\"; did you mean soren-brunak?\n"
    );
    let message = refused(
        t,
        "institutions add --id lund-university --name Lund --country SE",
    );
    assert!(
        message.contains("duplicate id \"lund-university\""),
        "{message}"
    );
    let message = refused(t, "meetings edit oslo-2016 --id oslo");
    assert!(
        message.contains("--id: a meeting's id cannot change"),
        "{message}"
    );

    // An unknown flag is a usage error, which nspm exits 2 for, before it
    // reads or writes anything.
    let before = support::data_files(t);
    let output = run(t, "people edit soren-brunak --emial s@example.org");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("a similar argument exists: '--email'"));
    assert_eq!(support::data_files(t), before);
}

#[test]
fn a_dry_run_shows_the_diff_and_writes_nothing() {
    let temp = copy_of_data();
    let t = temp.path();
    let before = support::data_files(t);
    let output = run(
        t,
        "people edit soren-brunak --web https://www.cbs.dtu.dk/ --web-visibility public --dry-run",
    );
    assert!(output.status.success());
    assert_eq!(support::data_files(t), before);
    insta::assert_snapshot!(stdout(&output), @r#"
    --- data/people.ron
    +++ data/people.ron
    @@ -16,6 +16,7 @@
             institution: Some("university-of-copenhagen"),
             country: "DK",
             roles: [SteeringCommittee],
    +        web: Some(Public("https://www.cbs.dtu.dk/")),
         ),
         Person(
             id: "anders-borglum",
    "#);
    assert_eq!(
        stderr(&output),
        "dry run, nothing written: changed person \"soren-brunak\": web (data/people.ron)\n"
    );
}

#[test]
fn changes_need_a_data_directory() {
    let output = nspm()
        .args(["people", "remove", "ole-andreassen"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("changes need a data directory"));
}

#[test]
fn fmt_rewrites_a_hand_written_file_and_keeps_every_comment() {
    let temp = copy_of_data();
    let t = temp.path();
    assert_eq!(
        ok(t, "fmt --check"),
        "ok: every file is in the canonical layout\n"
    );
    let by_hand = fs::read_to_string(support::fixture("edit/people-by-hand.ron")).unwrap();
    fs::write(t.join("data/people.ron"), &by_hand).unwrap();
    let before = society(t);

    let output = run(t, "fmt --check");
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).starts_with("--- data/people.ron\n+++ data/people.ron\n"));
    assert_eq!(
        stderr(&output),
        "nspm: error: not in the canonical layout: data/people.ron; run `nspm fmt` to rewrite it\n"
    );
    assert_eq!(people_text(t), by_hand, "--check writes nothing");

    assert_eq!(ok(t, "fmt"), "formatted data/people.ron\n");
    let expected =
        fs::read_to_string(support::fixture("edit/people-by-hand.formatted.ron")).unwrap();
    assert_eq!(people_text(t), expected);
    assert_eq!(society(t), before, "formatting changes no value");
    assert_eq!(ok(t, "fmt"), "ok: every file is in the canonical layout\n");
    assert_eq!(people_text(t), expected);
}

#[test]
fn a_writer_waits_for_the_lock_and_names_its_holder_when_it_gives_up() {
    let temp = copy_of_data();
    let t = temp.path();
    let held = nspm_store::DataDir::new(t.join("data"))
        .lock(Duration::ZERO, "the edit test")
        .unwrap();
    let started = Instant::now();
    let message = refused(
        t,
        "people edit ole-andreassen --phone '+47 22 00 00 00' --wait 0.3",
    );
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(
        message
            .starts_with("nspm: error: the data in data is being changed by the edit test (pid "),
        "{message}"
    );
    assert!(message.contains("gave up after waiting 0.3 s"), "{message}");

    // Let go while a second writer waits: it goes ahead.
    let mut waiting = command(
        t,
        "people edit ole-andreassen --phone '+47 22 00 00 00' --wait 30",
    )
    .stdout(Stdio::null())
    .spawn()
    .unwrap();
    thread::sleep(Duration::from_millis(200));
    drop(held);
    assert!(waiting.wait().unwrap().success());
    assert!(society(t).person("ole-andreassen").unwrap().phone.is_some());
}

#[test]
fn writers_at_once_never_lose_each_others_changes() {
    let temp = copy_of_data();
    let t = temp.path();
    let before = society(t).people.len();
    let writers: Vec<_> = (0..8)
        .map(|i| {
            command(
                t,
                &format!("people add --name 'Writer Number{i}' --country FI --wait 60"),
            )
            .stdout(Stdio::null())
            .spawn()
            .unwrap()
        })
        .collect();
    for mut w in writers {
        assert!(w.wait().unwrap().success());
    }
    let s = society(t);
    assert_eq!(s.people.len(), before + 8);
    for i in 0..8 {
        assert!(
            s.person(&format!("writer-number{i}")).is_some(),
            "writer {i} lost"
        );
    }
}

/// A small random number generator, so that the crash test needs no crate;
/// its seed is printed so that a failure can be replayed.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// Kills nspm with SIGKILL at random moments while it edits, hundreds of
/// times, and checks after each kill that every file reads and checks clean
/// and that the edited record is wholly old or wholly new.
#[test]
fn a_writer_killed_at_any_moment_leaves_each_record_old_or_new() {
    let temp = copy_of_data();
    let t = temp.path();
    let seed = std::env::var("NSPM_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    println!("crash test seed: NSPM_CRASH_SEED={seed}");
    let mut rng = XorShift(seed);

    // How long one edit takes on this machine, so kills land throughout one.
    let edit = |i: usize| {
        command(
            t,
            &format!(
                "meetings edit oslo-2016 --title 'Oslo meeting {i}' --summary 'Summary {i}' --wait 30"
            ),
        )
    };
    /// Enough kills to land on both sides of a write many times over.
    const ROUNDS: usize = 150;
    // The median of a few runs, since one can be slowed by a busy machine.
    let mut times: Vec<u64> = (1000..1005)
        .map(|i| {
            let timer = Instant::now();
            assert!(edit(i).output().unwrap().status.success());
            timer.elapsed().as_micros() as u64
        })
        .collect();
    times.sort_unstable();
    let span = times[2];

    // A fixed number of rounds, however busy the machine: a count that
    // depended on the time taken would fail a test for the machine's load.
    let (mut last, mut applied, mut killed_before, mut people) = (1004, 5, 0, 0);
    let base_people = society(t).people.len();
    let mut rounds = 0;
    while rounds < ROUNDS {
        rounds += 1;
        let i = rounds;
        // Every third round adds a person instead, to kill splices that
        // insert as well as those that replace.
        let adding = i % 3 == 0;
        let mut child = if adding {
            command(
                t,
                &format!("people add --name 'Crash Tester{i}' --country NO --wait 30"),
            )
        } else {
            edit(i)
        }
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
        thread::sleep(Duration::from_micros(rng.below(span)));
        let _ = child.kill();
        let finished = child.wait().unwrap().success();

        let sources = Sources::read_dir(&t.join("data")).unwrap();
        let checked = nspm_core::check(&sources);
        assert!(
            checked.diagnostics.is_empty(),
            "round {i} (seed {seed}) left broken data: {:#?}",
            checked.diagnostics
        );
        let s = checked.society.unwrap();
        if adding {
            let there = s.person(&format!("crash-tester{i}")).is_some();
            assert!(!finished || there, "round {i}: a finished add is missing");
            people += usize::from(there);
            assert_eq!(s.people.len(), base_people + people);
            killed_before += usize::from(!there);
            continue;
        }
        let m = s.meeting("oslo-2016").unwrap();
        let n: usize = m
            .title
            .strip_prefix("Oslo meeting ")
            .and_then(|n| n.parse().ok())
            .expect("a title the test wrote");
        assert!(n == last || n == i, "round {i}: title from round {n}");
        assert_eq!(
            m.summary.as_deref(),
            Some(format!("Summary {n}").as_str()),
            "round {i}: half a record"
        );
        if n == i {
            last = i;
            applied += 1;
        } else {
            assert!(!finished, "round {i}: a finished edit is missing");
            killed_before += 1;
        }
        assert_eq!(m.revision as usize, applied, "round {i}: revision");
    }
    println!(
        "{rounds} rounds, {killed_before} killed before writing, {applied} edits landed, {people} people added"
    );
    assert!(
        killed_before > 0 && applied > 1,
        "the kills did not fall on both sides of a write"
    );

    // The next writer clears what killed ones left behind.
    ok(t, "meetings edit oslo-2016 --title 'Oslo meeting'");
    let left: Vec<PathBuf> = fs::read_dir(t.join("data"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("nspm-tmp"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}
