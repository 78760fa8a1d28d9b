//! The data and the exports on a host that misbehaves: files that are not
//! files, links where files belong, exports killed or failing at each step,
//! a full disk, a read-only data directory, a directory flush that fails,
//! and arguments out of range.
//!
//! Faults come from `NSPM_TEST_FAULTS`, which the binary hands to the store:
//! `STEP=kill` sends the process SIGKILL just before that step, `STEP=eio`
//! makes the step fail as if its system call had. The full disk and the
//! read-only directory are real: a small tmpfs mounted for the test, which
//! needs root (CI runs the tests as root).

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::FileTypeExt as _;
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use tempfile::TempDir;

use crate::support::{self, nspm_in, stderr, stdout};

/// Runs a command to its end; a command that has not ended after a minute
/// hangs, and is killed and reported.
fn finish(mut cmd: Command) -> Output {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nspm starts");
    let id = child.id();
    let (done, ended) = mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    match ended.recv_timeout(Duration::from_secs(60)) {
        Ok(output) => output.expect("nspm runs"),
        Err(_) => {
            let pid = rustix::process::Pid::from_raw(id as i32).unwrap();
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
            panic!("{cmd:?} had not ended after a minute: it hangs");
        }
    }
}

/// The change most tests try: adding a person.
const ADD: [&str; 6] = [
    "people",
    "add",
    "--name",
    "Kari Nordmann",
    "--country",
    "NO",
];

/// A copy of the real data in `<temp>/data`.
fn copy_of_data() -> TempDir {
    let temp = tempfile::tempdir().unwrap();
    support::copy_data(&support::root().join("data"), &temp.path().join("data"));
    temp
}

/// The names in a directory, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// Every file under `dir` with its bytes.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    support::files_under(dir)
        .into_iter()
        .map(|file| {
            let bytes = fs::read(dir.join(&file)).unwrap();
            (file, bytes)
        })
        .collect()
}

/// How many times an OS error is named in a message.
fn os_errors(message: &str) -> usize {
    message.matches("(os error ").count()
}

/// True when the tests that mount a file system may run: as root. Anywhere
/// else they say why they did nothing, except in CI, which runs them as root
/// and where skipping one would hide a failure.
fn may_mount(test: &str) -> bool {
    if rustix::process::geteuid().is_root() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{test} mounts a tmpfs and needs root, as CI runs the tests"
    );
    println!("skipped: {test} mounts a tmpfs, which needs root");
    false
}

/// A tmpfs mounted for one test, unmounted when dropped.
struct Tmpfs {
    path: PathBuf,
}

impl Tmpfs {
    fn mount(path: &Path, kib: u64) -> Tmpfs {
        use rustix::mount::{MountFlags, mount};
        fs::create_dir_all(path).unwrap();
        let options = std::ffi::CString::new(format!("size={kib}k,mode=0755")).unwrap();
        mount(
            "nspm-test",
            path,
            "tmpfs",
            MountFlags::NOSUID | MountFlags::NODEV,
            options.as_c_str(),
        )
        .unwrap_or_else(|e| panic!("cannot mount a tmpfs on {}: {e}", path.display()));
        Tmpfs {
            path: path.to_path_buf(),
        }
    }

    fn remount(&self, flags: rustix::mount::MountFlags, options: &str) {
        // Making it read-only fails while a file on it is open for writing,
        // which a process another test is starting may hold for a moment
        // (between its fork and its exec).
        for _ in 0..500 {
            match rustix::mount::mount_remount(&self.path, flags, options) {
                Err(rustix::io::Errno::BUSY) => std::thread::sleep(Duration::from_millis(10)),
                done => {
                    return done
                        .unwrap_or_else(|e| panic!("cannot remount {}: {e}", self.path.display()));
                }
            }
        }
        panic!("{} stayed busy", self.path.display());
    }

    /// KiB in use.
    fn used(&self) -> u64 {
        let stat = rustix::fs::statvfs(&self.path).unwrap();
        (stat.f_blocks - stat.f_bfree) * stat.f_frsize / 1024
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = rustix::mount::unmount(&self.path, rustix::mount::UnmountFlags::DETACH);
    }
}

// Files that are not files.

#[test]
fn what_is_not_a_regular_file_is_a_located_problem_and_nothing_hangs() {
    let temp = copy_of_data();
    let data = temp.path().join("data");
    // A FIFO nobody writes to, a directory, and a link to an endless device.
    fs::remove_file(data.join("people.ron")).unwrap();
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        data.join("people.ron"),
        rustix::fs::Mode::from_raw_mode(0o644),
    )
    .unwrap();
    fs::remove_file(data.join("meetings.ron")).unwrap();
    fs::create_dir(data.join("meetings.ron")).unwrap();
    fs::remove_file(data.join("institutions.ron")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", data.join("institutions.ron")).unwrap();

    let checked = finish(nspm_in(temp.path(), &["check"]));
    assert_eq!(checked.status.code(), Some(1), "{}", stderr(&checked));
    let rule = "is in this file's place: nspm reads data only from regular files (a symbolic link to one is fine)";
    assert_eq!(
        stdout(&checked),
        format!(
            "data/institutions.ron:1:1: a character device {rule}\n\
             data/people.ron:1:1: a FIFO (named pipe) {rule}\n\
             data/meetings.ron:1:1: a directory {rule}\n\
             3 problems in data\n"
        )
    );

    // A change waits for nothing either, and writes nothing.
    let added = finish(nspm_in(temp.path(), &ADD));
    assert_eq!(added.status.code(), Some(1));
    assert!(
        stderr(&added).contains(&format!("data/people.ron:1:1: a FIFO (named pipe) {rule}")),
        "{}",
        stderr(&added)
    );
    let people = fs::symlink_metadata(data.join("people.ron")).unwrap();
    assert!(people.file_type().is_fifo(), "the FIFO is still there");
}

#[test]
fn a_data_file_over_the_size_limit_is_a_problem_that_names_the_limit() {
    let temp = copy_of_data();
    let people = temp.path().join("data/people.ron");
    // Sparse: it takes no room on the disk.
    fs::File::create(&people)
        .unwrap()
        .set_len(nspm_core::MAX_FILE_BYTES + 1)
        .unwrap();
    let checked = finish(nspm_in(temp.path(), &["check"]));
    assert_eq!(checked.status.code(), Some(1));
    assert_eq!(
        stdout(&checked),
        "data/people.ron:1:1: the file is larger than 256 MiB, the most nspm reads from one data file\n\
         1 problem in data\n"
    );
}

// Killed and failing exports.

/// Two versions of the site fixture's data, and each one's export, made
/// without faults.
struct Versions {
    temp: TempDir,
    old: BTreeMap<PathBuf, Vec<u8>>,
    new: BTreeMap<PathBuf, Vec<u8>>,
}

impl Versions {
    fn new() -> Versions {
        let temp = tempfile::tempdir().unwrap();
        support::copy_data(&support::fixture("site"), &temp.path().join("old"));
        support::copy_data(&support::fixture("site"), &temp.path().join("new"));
        let mut remove = support::nspm();
        remove
            .arg("--data")
            .arg(temp.path().join("new"))
            .args(["people", "remove", "dana-guest"]);
        let removed = finish(remove);
        assert!(removed.status.success(), "{}", stderr(&removed));
        let mut versions = Versions {
            old: BTreeMap::new(),
            new: BTreeMap::new(),
            temp,
        };
        versions.old = versions.export_fresh("old");
        versions.new = versions.export_fresh("new");
        assert_ne!(versions.old, versions.new);
        versions
    }

    fn export_fresh(&self, version: &str) -> BTreeMap<PathBuf, Vec<u8>> {
        let out = self.temp.path().join(format!("{version}-site"));
        let done = self.export(version, &out, "");
        assert!(done.status.success(), "{}", stderr(&done));
        tree(&out)
    }

    /// Exports one version's site into `out`, with the faults given.
    fn export(&self, version: &str, out: &Path, faults: &str) -> Output {
        let mut cmd = support::nspm();
        cmd.arg("--data")
            .arg(self.temp.path().join(version))
            .args(["export", "site", "--out"])
            .arg(out)
            .env("NSPM_TEST_FAULTS", faults);
        finish(cmd)
    }
}

/// Where an export stands after an interrupted run.
#[derive(Debug, PartialEq)]
enum Left {
    Old,
    New,
    Missing,
}

#[test]
fn an_export_killed_at_any_step_leaves_the_old_or_the_new_and_the_next_clears_up() {
    let versions = Versions::new();
    // The plan, what the output is right after the kill, and what is beside
    // it then. With the swap in one step (all but the first and the last
    // three cases) the output is always whole; the two-rename fallback for
    // file systems without it can leave it missing between its renames, and
    // the next export puts the old one back.
    let cases = [
        ("write=kill", Left::Old, &[".public.new-"][..]),
        ("exchange=kill", Left::Old, &[".public.new-"]),
        ("sync-dir=kill", Left::New, &[".public.new-"]),
        ("remove-old=kill", Left::New, &[".public.new-"]),
        (
            "exchange=einval,move-old=kill",
            Left::Old,
            &[".public.new-"],
        ),
        (
            "exchange=einval,move-new=kill",
            Left::Missing,
            &[".public.new-", ".public.old-"],
        ),
        (
            "exchange=einval,remove-old=kill",
            Left::New,
            &[".public.old-"],
        ),
    ];
    for (faults, left, beside) in cases {
        let temp = tempfile::tempdir().unwrap();
        let out = temp.path().join("public");
        assert!(versions.export("old", &out, "").status.success());

        let killed = versions.export("new", &out, faults);
        assert_eq!(killed.status.signal(), Some(9), "{faults}: {killed:?}");
        let now = match out.exists() {
            false => Left::Missing,
            true if tree(&out) == versions.old => Left::Old,
            true if tree(&out) == versions.new => Left::New,
            true => panic!("{faults}: the output is neither export"),
        };
        assert_eq!(now, left, "{faults}");
        let found: Vec<String> = names(temp.path())
            .into_iter()
            .filter(|n| n != "public")
            .collect();
        assert_eq!(found.len(), beside.len(), "{faults}: {found:?}");
        for (name, prefix) in found.iter().zip(beside) {
            assert!(name.starts_with(prefix), "{faults}: {found:?}");
        }
        if left == Left::Missing {
            // The old export was moved aside whole.
            let aside = found
                .iter()
                .find(|n| n.starts_with(".public.old-"))
                .unwrap();
            assert_eq!(tree(&temp.path().join(aside)), versions.old, "{faults}");
        }

        let next = versions.export("new", &out, "");
        assert!(next.status.success(), "{faults}: {}", stderr(&next));
        assert_eq!(tree(&out), versions.new, "{faults}");
        assert_eq!(names(temp.path()), ["public"], "{faults}");
    }

    // The first export of all, killed before it takes its place.
    let temp = tempfile::tempdir().unwrap();
    let out = temp.path().join("public");
    let killed = versions.export("new", &out, "move-new=kill");
    assert_eq!(killed.status.signal(), Some(9));
    assert!(!out.exists());
    assert!(versions.export("new", &out, "").status.success());
    assert_eq!(names(temp.path()), ["public"]);
}

#[test]
fn an_export_that_fails_at_any_step_leaves_the_old_whole_and_nothing_beside() {
    let versions = Versions::new();
    let eio = "Input/output error (os error 5)";
    // The plan, whether the export is still made (the failure came after
    // the new one was in place), and what it says.
    let cases = [
        ("write=eio", false, "cannot write "),
        ("exchange=eio", false, "cannot replace "),
        ("exchange=einval,move-old=eio", false, "cannot move aside "),
        ("exchange=einval,move-new=eio", false, "cannot replace "),
        ("exchange=einval", true, ""),
        (
            "sync-dir=eio",
            true,
            "but may not be durable yet: cannot flush ",
        ),
        (
            "remove-old=eio",
            true,
            "the previous one could not be removed from ",
        ),
        (
            "exchange=einval,remove-old=eio",
            true,
            "the previous one could not be removed from ",
        ),
    ];
    for (faults, made, says) in cases {
        let temp = tempfile::tempdir().unwrap();
        let out = temp.path().join("public");
        assert!(versions.export("old", &out, "").status.success());

        let run = versions.export("new", &out, faults);
        let message = stderr(&run);
        assert!(message.contains(says), "{faults}: {message}");
        if says.is_empty() {
            assert_eq!(os_errors(&message), 0, "{faults}: {message}");
        } else {
            assert!(message.contains(eio), "{faults}: {message}");
            assert_eq!(os_errors(&message), 1, "{faults}: {message}");
        }
        if made {
            assert!(run.status.success(), "{faults}: {message}");
            assert_eq!(tree(&out), versions.new, "{faults}");
            if !says.is_empty() {
                assert!(message.contains("nspm: warning: "), "{faults}: {message}");
            }
        } else {
            assert_eq!(run.status.code(), Some(1), "{faults}: {message}");
            assert!(message.starts_with("nspm: error: "), "{faults}: {message}");
            assert_eq!(tree(&out), versions.old, "{faults}");
        }
        // What the failed step could not remove, the next export does.
        if !faults.contains("remove-old") {
            assert_eq!(names(temp.path()), ["public"], "{faults}");
        }
        assert!(versions.export("new", &out, "").status.success());
        assert_eq!(names(temp.path()), ["public"], "{faults}");
    }
}

#[test]
fn an_export_onto_a_full_disk_leaves_the_old_one_and_takes_no_room() {
    if !may_mount("an_export_onto_a_full_disk_leaves_the_old_one_and_takes_no_room") {
        return;
    }
    let versions = Versions::new();
    let temp = tempfile::tempdir().unwrap();
    let disk = Tmpfs::mount(&temp.path().join("disk"), 4096);
    let out = disk.path.join("public");
    assert!(versions.export("old", &out, "").status.success());
    // Room for the old export and half of another, a few hundred KiB.
    let used = disk.used();
    disk.remount(
        rustix::mount::MountFlags::empty(),
        &format!("size={}k", used + used / 2),
    );

    for attempt in 1..=3 {
        let run = versions.export("new", &out, "");
        let message = stderr(&run);
        assert_eq!(run.status.code(), Some(1), "attempt {attempt}: {message}");
        assert!(
            message.starts_with(&format!(
                "nspm: error: cannot write {}/.public.new-",
                disk.path.display()
            )),
            "{message}"
        );
        assert!(
            message.ends_with(": No space left on device (os error 28)\n"),
            "{message}"
        );
        assert_eq!(os_errors(&message), 1, "{message}");
        assert_eq!(names(&disk.path), ["public"], "attempt {attempt}");
        assert_eq!(tree(&out), versions.old, "attempt {attempt}");
        assert_eq!(disk.used(), used, "attempt {attempt} kept room");
    }

    // With room again, the next export goes in.
    disk.remount(rustix::mount::MountFlags::empty(), "size=4096k");
    assert!(versions.export("new", &out, "").status.success());
    assert_eq!(tree(&out), versions.new);
    assert_eq!(names(&disk.path), ["public"]);
}

#[test]
fn os_errors_are_named_once() {
    // /proc takes no new directories.
    let site = finish({
        let mut cmd = support::nspm();
        cmd.args(["export", "site", "--out", "/proc/nspm-test-site"]);
        cmd
    });
    assert_eq!(site.status.code(), Some(1));
    let message = stderr(&site);
    assert!(
        message.starts_with("nspm: error: cannot create /proc/.nspm-test-site.new-"),
        "{message}"
    );
    assert!(
        message.ends_with(": No such file or directory (os error 2)\n"),
        "{message}"
    );
    assert_eq!(os_errors(&message), 1, "{message}");

    let card = finish({
        let mut cmd = support::nspm();
        cmd.args(["export", "vcard", "--out", "/proc/nspm-test.vcf"]);
        cmd
    });
    assert_eq!(card.status.code(), Some(1));
    assert_eq!(os_errors(&stderr(&card)), 1, "{}", stderr(&card));
}

// Links.

#[test]
fn a_lock_file_that_is_a_link_is_refused_and_its_target_kept_even_by_a_dry_run() {
    let temp = copy_of_data();
    let precious = temp.path().join("precious.txt");
    fs::write(&precious, "not to be truncated").unwrap();
    std::os::unix::fs::symlink("../precious.txt", temp.path().join("data/.nspm.lock")).unwrap();
    let before = tree(&temp.path().join("data"));
    for dry in [true, false] {
        let mut args = ADD.to_vec();
        if dry {
            args.push("--dry-run");
        }
        let run = finish(nspm_in(temp.path(), &args));
        assert_eq!(run.status.code(), Some(1), "dry run {dry}");
        assert_eq!(
            stderr(&run),
            "nspm: error: data/.nspm.lock is a symbolic link, not a lock file: nspm does not follow or open it; remove it and run again\n"
        );
        assert_eq!(
            fs::read_to_string(&precious).unwrap(),
            "not to be truncated"
        );
        assert_eq!(tree(&temp.path().join("data")), before);
    }
}

#[test]
fn a_data_file_that_is_a_link_is_written_through_to_its_target() {
    let temp = copy_of_data();
    let t = temp.path();
    // The real file lives elsewhere, as when data is kept in another
    // checkout; the data directory links to it.
    fs::create_dir(t.join("real")).unwrap();
    fs::rename(t.join("data/people.ron"), t.join("real/people.ron")).unwrap();
    std::os::unix::fs::symlink("../real/people.ron", t.join("data/people.ron")).unwrap();

    let added = finish(nspm_in(t, &ADD));
    assert!(added.status.success(), "{}", stderr(&added));
    let link = fs::symlink_metadata(t.join("data/people.ron")).unwrap();
    assert!(link.file_type().is_symlink(), "the link became a file");
    let real = fs::read_to_string(t.join("real/people.ron")).unwrap();
    assert!(real.contains("id: \"kari-nordmann\""), "{real}");
    assert_eq!(names(&t.join("real")), ["people.ron"]);
    assert_eq!(
        names(&t.join("data")),
        [
            ".nspm.lock",
            "institutions.ron",
            "meetings.ron",
            "news.ron",
            "people.ron",
            "society.ron"
        ]
    );
    let society = nspm_core::Society::load_dir(&t.join("data")).unwrap();
    assert!(society.person("kari-nordmann").is_some());
}

// Edges.

/// What `cmd` said when it refused its arguments (exit code 2).
fn argument_error(cmd: Command) -> String {
    let run = finish(cmd);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    stderr(&run)
}

#[test]
fn durations_out_of_range_are_argument_errors() {
    let temp = copy_of_data();
    for wait in ["1e19", "86401", "-1", "nan", "inf", "soon"] {
        let flag = format!("--wait={wait}");
        let said = argument_error(nspm_in(temp.path(), &[&ADD[..], &[flag.as_str()]].concat()));
        assert!(
            said.starts_with(&format!(
                "error: invalid value '{wait}' for '--wait <SECONDS>': expected a number of seconds from 0 to 86400 (a day)\n"
            )),
            "{said}"
        );
    }
    for timeout in ["1e19", "0", "-3"] {
        let mut cmd = support::nspm();
        cmd.args(["serve", "--addr", "127.0.0.1:0"])
            .arg(format!("--header-timeout={timeout}"));
        let said = argument_error(cmd);
        assert!(
            said.contains("expected a number of seconds above 0, up to 86400 (a day)"),
            "--header-timeout {timeout}: {said}"
        );
    }
    // The longest wait allowed is taken, and not waited for when no one
    // holds the lock.
    let run = finish(nspm_in(
        temp.path(),
        &[&ADD[..], &["--wait", "86400"]].concat(),
    ));
    assert!(run.status.success(), "{}", stderr(&run));
}

#[test]
fn a_dry_run_works_on_a_read_only_data_directory() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    // Root may write anywhere the permissions forbid, so as root the
    // directory is a file system mounted read-only.
    let _disk = if rustix::process::geteuid().is_root() {
        let disk = Tmpfs::mount(&data, 1024);
        support::copy_data(&support::root().join("data"), &data);
        disk.remount(rustix::mount::MountFlags::RDONLY, "");
        Some(disk)
    } else {
        support::copy_data(&support::root().join("data"), &data);
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(&data, fs::Permissions::from_mode(0o555)).unwrap();
        None
    };
    let before = tree(&data);

    let dry = finish(nspm_in(temp.path(), &[&ADD[..], &["--dry-run"]].concat()));
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(stdout(&dry).starts_with("--- data/people.ron\n+++ data/people.ron\n"));
    assert_eq!(
        stderr(&dry),
        "dry run, nothing written: added person \"kari-nordmann\" (data/people.ron)\n"
    );
    assert_eq!(tree(&data), before, "no lock file, no change");

    // A real change is refused, with the reason named once.
    let real = finish(nspm_in(temp.path(), &ADD));
    assert_eq!(real.status.code(), Some(1));
    let message = stderr(&real);
    assert!(
        message.starts_with("nspm: error: cannot open the lock file data/.nspm.lock: "),
        "{message}"
    );
    assert_eq!(os_errors(&message), 1, "{message}");
    assert_eq!(tree(&data), before);

    if _disk.is_none() {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(&data, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn a_failed_flush_after_an_edit_is_a_warning_that_the_change_is_made() {
    let temp = copy_of_data();
    let t = temp.path();
    let mut cmd = nspm_in(t, &ADD);
    cmd.env("NSPM_TEST_FAULTS", "sync-dir=eio");
    let run = finish(cmd);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(
        stdout(&run),
        "added person \"kari-nordmann\" (data/people.ron)\n"
    );
    assert_eq!(
        stderr(&run),
        "nspm: warning: the change is made (do not make it again): data/people.ron is written but may not be durable yet: cannot flush data: Input/output error (os error 5)\n"
    );
    let society = nspm_core::Society::load_dir(&t.join("data")).unwrap();
    assert!(society.person("kari-nordmann").is_some());

    // A failure before the rename changes nothing and leaves nothing.
    let before = tree(&t.join("data"));
    let edit = [
        "people",
        "edit",
        "kari-nordmann",
        "--phone",
        "+47 22 00 00 00",
    ];
    for faults in ["write=eio", "rename=eio"] {
        let mut cmd = nspm_in(t, &edit);
        cmd.env("NSPM_TEST_FAULTS", faults);
        let run = finish(cmd);
        assert_eq!(run.status.code(), Some(1), "{faults}");
        assert_eq!(os_errors(&stderr(&run)), 1, "{}", stderr(&run));
        assert_eq!(tree(&t.join("data")), before, "{faults}");
    }
}
