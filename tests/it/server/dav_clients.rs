//! The members' address book and calendars as the clients people use see
//! them, against the real `nspm serve` on loopback.
//!
//! vdirsyncer discovers the collections from nothing but the server's
//! address and syncs them into folders; khard and khal, each with its own
//! configuration, read those folders as a member's desktop would. Every
//! exchange goes through a recording proxy (`tests/tools/dav_record.py`),
//! so the tests count what a sync transferred on the wire as well as in
//! vdirsyncer's words, and `tests/tools/dav_xml_check.py` checks the
//! recorded XML against the RFCs. Python's `caldav` finds the calendars
//! from the well-known address and searches them by time range.

use std::io::{BufRead as _, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use regex::Regex;
use serde_json::Value;

use super::running::Running;
use crate::support;

/// The fixture with members (`Member`-role people) and members-only details.
const FIXTURE: &str = "members";
/// The member the tests sign in as, and what only members may know of her.
const MEMBER: &str = "mira-canarymember";
const MEMBER_EMAIL: &str = "mira.canary@example.org";
/// A members-only detail of someone else, and a meeting's members-only
/// address.
const OTHER_HIDDEN_EMAIL: &str = "hidden.member@example.org";
const VENUE_ADDRESS: &str = "Canarystraße 7";

fn venv(program: &str) -> PathBuf {
    support::root().join(".tools/dav-venv/bin").join(program)
}

fn tool(program: &str) -> PathBuf {
    support::root().join("tests/tools").join(program)
}

/// Runs a command to its end and returns its output, whatever its status.
fn output(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| {
        panic!(
            "cannot run {:?} (run tests/tools/install): {e}",
            cmd.get_program()
        )
    })
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The recording proxy in front of a server, killed when dropped.
struct Proxy {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Proxy {
    fn start(upstream: &str, log: PathBuf) -> Proxy {
        let mut child = Command::new(venv("python"))
            .arg(tool("dav_record.py"))
            .arg(upstream)
            .arg(&log)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the recording proxy starts (run tests/tools/install)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("listening on ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the proxy said {line:?}"));
        Proxy { child, port, log }
    }

    /// Every exchange recorded so far.
    fn exchanges(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What one item transfer of a sync did, as vdirsyncer reports it.
#[derive(Debug, PartialEq, Eq, Clone)]
struct Transfer {
    /// `uploading` (new here), `updating` or `deleting`.
    action: String,
    uid: String,
    /// `contacts` or `calendars`, the pair it belongs to.
    pair: String,
}

/// One run of `vdirsyncer sync`.
struct Sync {
    ok: bool,
    output: String,
    transfers: Vec<Transfer>,
}

impl Sync {
    /// What the one transfer of a sync that succeeded did, and to which
    /// pair; fails the test when the sync failed or moved another number.
    fn only_transfer(&self) -> (&str, &str) {
        assert!(self.ok, "the sync failed:\n{}", self.output);
        match self.transfers.as_slice() {
            [t] => (t.action.as_str(), t.pair.as_str()),
            _ => panic!(
                "{} transfers, not one:\n{}",
                self.transfers.len(),
                self.output
            ),
        }
    }
}

/// A member's desktop: vdirsyncer's configuration and folders, and khard's
/// and khal's configurations over them, in a temporary directory.
struct Desktop {
    dir: PathBuf,
}

impl Desktop {
    fn new(dir: PathBuf, base: &str, user: &str, password: &str) -> Desktop {
        std::fs::create_dir_all(&dir).unwrap();
        let d = dir.display();
        let mut config = format!("[general]\nstatus_path = \"{d}/status/\"\n");
        for (pair, kind, ext) in [
            ("contacts", "carddav", "vcf"),
            ("calendars", "caldav", "ics"),
        ] {
            config.push_str(&format!(
                "
[pair {pair}]
a = \"{pair}_remote\"
b = \"{pair}_local\"
collections = [\"from a\"]
metadata = [\"displayname\"]
conflict_resolution = \"a wins\"

[storage {pair}_remote]
type = \"{kind}\"
url = \"{base}\"
username = \"{user}\"
password = \"{password}\"
read_only = true

[storage {pair}_local]
type = \"filesystem\"
path = \"{d}/{pair}/\"
fileext = \".{ext}\"
"
            ));
        }
        std::fs::write(dir.join("vdirsyncer.conf"), config).unwrap();
        Desktop { dir }
    }

    fn vdirsyncer(&self, args: &[&str]) -> Output {
        output(
            Command::new(venv("vdirsyncer"))
                .arg("-c")
                .arg(self.dir.join("vdirsyncer.conf"))
                .args(args)
                .env("HOME", &self.dir)
                .stdin(Stdio::null()),
        )
    }

    /// `vdirsyncer discover`, creating the local folders for every
    /// collection found; the collections' names, per pair.
    fn discover(&self) -> String {
        let mut child = Command::new(venv("vdirsyncer"))
            .arg("-c")
            .arg(self.dir.join("vdirsyncer.conf"))
            .arg("discover")
            .env("HOME", &self.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("vdirsyncer runs (run tests/tools/install)");
        // It asks once per local folder it should create.
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all("y\n".repeat(16).as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let said = text(&out);
        assert!(out.status.success(), "vdirsyncer discover failed:\n{said}");
        said
    }

    fn sync(&self) -> Sync {
        let out = self.vdirsyncer(&["sync"]);
        let said = text(&out);
        let re = Regex::new(
            r"(?m)^(?:Copying \((uploading|updating)\) item (\S+) to|Deleting item (\S+) from) (contacts|calendars)_local/",
        )
        .unwrap();
        let transfers = re
            .captures_iter(&said)
            .map(|c| Transfer {
                action: c.get(1).map_or("deleting", |m| m.as_str()).to_string(),
                uid: c.get(2).or(c.get(3)).unwrap().as_str().to_string(),
                pair: c[4].to_string(),
            })
            .collect();
        Sync {
            ok: out.status.success(),
            output: said,
            transfers,
        }
    }

    /// The local collections of a pair: each folder and the display name
    /// vdirsyncer stored for it.
    fn collections(&self, pair: &str) -> Vec<(PathBuf, String)> {
        let mut found: Vec<_> = std::fs::read_dir(self.dir.join(pair))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .map(|p| {
                let name = std::fs::read_to_string(p.join("displayname")).unwrap_or_default();
                (p, name.trim().to_string())
            })
            .collect();
        found.sort();
        found
    }

    /// The objects synced into a pair's collections, as file name and text.
    fn objects(&self, pair: &str) -> Vec<(String, String)> {
        let mut all = Vec::new();
        for (dir, _) in self.collections(pair) {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "vcf" || e == "ics") {
                    all.push((
                        path.file_name().unwrap().to_string_lossy().into_owned(),
                        std::fs::read_to_string(&path).unwrap(),
                    ));
                }
            }
        }
        all
    }

    /// khard, with a configuration naming every synced address book.
    fn khard(&self, args: &[&str]) -> String {
        let mut config = String::from("[addressbooks]\n");
        for (i, (dir, _)) in self.collections("contacts").iter().enumerate() {
            config.push_str(&format!("[[book{i}]]\npath = {}/\n", dir.display()));
        }
        config.push_str("[general]\neditor = /bin/false\nmerge_editor = /bin/false\n");
        self.configured("khard", &config, args)
    }

    /// khal, with a configuration naming every synced calendar by its
    /// folder's name, and a fresh cache.
    fn khal(&self, args: &[&str]) -> String {
        let mut config = String::from("[calendars]\n");
        for (dir, _) in self.collections("calendars") {
            config.push_str(&format!(
                "[[{}]]\npath = {}/\nreadonly = True\n",
                dir.file_name().unwrap().to_string_lossy(),
                dir.display()
            ));
        }
        config.push_str(
            "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n\
             datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n\
             local_timezone = UTC\ndefault_timezone = UTC\n",
        );
        let db = self.dir.join("khal.db");
        let _ = std::fs::remove_file(&db);
        config.push_str(&format!("[sqlite]\npath = {}\n", db.display()));
        self.configured("khal", &config, args)
    }

    /// Runs a tool of the venv with this configuration (its `-c`) and the
    /// desktop's folder as its home; what it printed.
    fn configured(&self, tool: &str, config: &str, args: &[&str]) -> String {
        let path = self.dir.join(format!("{tool}.conf"));
        std::fs::write(&path, config).unwrap();
        support::tool_stdout(
            Command::new(venv(tool))
                .arg("-c")
                .arg(&path)
                .args(args)
                .env("HOME", &self.dir),
        )
    }
}

/// The members fixture in a temporary directory with access granted to
/// [`MEMBER`], served by the real binary on loopback (where the members'
/// area needs no TLS) behind the recording proxy, and a member's desktop
/// pointed at the proxy.
struct Site {
    temp: tempfile::TempDir,
    server: Running,
    proxy: Proxy,
    desktop: Desktop,
    grant: String,
    credential: String,
}

impl Site {
    fn start() -> Site {
        let temp = tempfile::tempdir().unwrap();
        support::copy_data(&support::fixture(FIXTURE), &temp.path().join("data"));
        let out = support::run_in(temp.path(), &["access", "grant", MEMBER]);
        let said = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{said}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let find =
            |pattern: &str| Regex::new(pattern).unwrap().captures(&said).unwrap()[1].to_string();
        let grant = find(r"as grant ([0-9a-f]{12}),");
        let credential = find(r"credential: +(nspm_[A-Za-z0-9_-]{43})\n");
        let data = temp.path().join("data");
        let server = Running::start(&["--data", data.to_str().unwrap()], &[]);
        let proxy = Proxy::start(
            &format!("http://{}", server.addr),
            temp.path().join("exchanges.jsonl"),
        );
        let desktop = Desktop::new(
            temp.path().join("desktop"),
            &format!("http://127.0.0.1:{}/", proxy.port),
            MEMBER,
            &credential,
        );
        Site {
            temp,
            server,
            proxy,
            desktop,
            grant,
            credential,
        }
    }

    /// Runs `nspm ARGS` on the site's data and waits until the server has
    /// taken the change in (the log line `what` once more than before).
    fn change(&mut self, args: &[&str], what: &str) {
        let before = self.count(what);
        let out = support::run_in(self.temp.path(), args);
        assert!(
            out.status.success(),
            "nspm {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.count(what) == before {
            assert!(
                Instant::now() < deadline,
                "the server did not log {what:?} after nspm {args:?}:\n{}",
                self.server.log().join("\n")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn count(&self, what: &str) -> usize {
        self.server
            .log()
            .iter()
            .filter(|l| l.contains(what))
            .count()
    }
}

/// The hrefs that the multiget reports among `exchanges` asked for.
fn multiget_hrefs(exchanges: &[Value]) -> Vec<String> {
    let href = Regex::new(r"<(?:[A-Za-z0-9]+:)?href>([^<]*)</(?:[A-Za-z0-9]+:)?href>").unwrap();
    exchanges
        .iter()
        .filter(|e| e["method"] == "REPORT")
        .filter_map(|e| e["request_body"]["text"].as_str())
        .filter(|body| body.contains("-multiget"))
        .flat_map(|body| {
            href.captures_iter(body)
                .map(|c| c[1].to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Runs the XML checker over the exchanges recorded so far; its summary.
fn check_xml(site: &Site) -> Value {
    let out = output(
        Command::new(venv("python"))
            .arg(tool("dav_xml_check.py"))
            .arg(&site.proxy.log),
    );
    let summary: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
    assert!(
        out.status.success() && summary["problems"].as_array().is_some_and(Vec::is_empty),
        "the recorded DAV session breaks the RFCs' XML:\n{summary:#}"
    );
    summary
}

/// khal's lines for one day, `calendar|start|end|title|location` each.
fn khal_day(desktop: &Desktop, day: &str) -> Vec<String> {
    let format = "{calendar}|{start-date}|{end-date}|{title}|{location}";
    let mut lines: Vec<String> = desktop
        .khal(&["list", "--day-format", "", "--format", format, day, day])
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(String::from)
        .collect();
    lines.sort();
    lines
}

#[test]
fn vdirsyncer_khard_and_khal_show_a_member_the_directory_and_meetings_and_follow_each_change() {
    if !support::external_tests("the DAV clients") {
        return;
    }
    let mut site = Site::start();
    let society = nspm_core::Society::load_dir(&site.temp.path().join("data")).unwrap();
    let people = society.people_for(nspm_core::Audience::Members).count();
    let meetings = society.meetings.len();

    // Discovery from the server's address alone finds one address book and
    // two calendars.
    let said = site.desktop.discover();
    let first = site.desktop.sync();
    assert!(first.ok, "the first sync failed:\n{}", first.output);
    assert_eq!(site.desktop.collections("contacts").len(), 1, "{said}");
    assert_eq!(site.desktop.collections("calendars").len(), 2, "{said}");
    let count = |sync: &Sync, action: &str, pair: &str| {
        sync.transfers
            .iter()
            .filter(|t| t.action == action && t.pair == pair)
            .count()
    };
    // Everyone a member may see and the society's own card; each meeting
    // once in each calendar.
    assert_eq!(
        count(&first, "uploading", "contacts"),
        people + 1,
        "{}",
        first.output
    );
    assert_eq!(
        count(&first, "uploading", "calendars"),
        2 * meetings,
        "{}",
        first.output
    );
    assert_eq!(first.transfers.len(), people + 1 + 2 * meetings);

    // khard shows the members-only addresses, the member's own and others'.
    let emails = site.desktop.khard(&["email", "--parsable"]);
    for email in [MEMBER_EMAIL, OTHER_HIDDEN_EMAIL] {
        assert!(
            emails.contains(email),
            "khard email lacks {email}:\n{emails}"
        );
    }
    let mira = site.desktop.khard(&["show", "Mira"]);
    assert!(
        mira.contains("Mira Canarymember") && mira.contains(MEMBER_EMAIL),
        "{mira}"
    );

    // khal shows each meeting on its days, in both calendars, and the
    // members-only address in one of them only; a meeting known to the
    // month spans the month, one known to the year the year, and the day
    // after the last is free.
    let berlin = khal_day(&site.desktop, "2016-09-13");
    assert_eq!(berlin.len(), 2, "{berlin:?}");
    for line in &berlin {
        assert!(
            line.contains("|2016-09-12|2016-09-14|Berlin workshop|"),
            "{line}"
        );
    }
    assert_eq!(
        berlin.iter().filter(|l| l.contains(VENUE_ADDRESS)).count(),
        1,
        "the members' calendar alone has the venue's address: {berlin:?}"
    );
    assert_eq!(khal_day(&site.desktop, "2016-09-15"), Vec::<String>::new());
    let bergen = khal_day(&site.desktop, "2015-05-31");
    assert_eq!(bergen.len(), 2, "{bergen:?}");
    assert!(
        bergen
            .iter()
            .all(|l| l.contains("|2015-05-01|2015-05-31|Bergen meeting")),
        "{bergen:?}"
    );
    let year = khal_day(&site.desktop, "2014-07-01");
    assert_eq!(year.len(), 2, "{year:?}");
    assert!(
        year.iter()
            .all(|l| l.contains("|2014-01-01|2014-12-31|First <meeting>")),
        "{year:?}"
    );

    // The recorded session is the RFCs' XML throughout.
    let summary = check_xml(&site);
    assert!(
        summary["methods"]["PROPFIND"].as_u64().unwrap() > 0,
        "{summary:#}"
    );
    assert!(
        summary["reports"]["addressbook-multiget"].as_u64().unwrap() > 0,
        "{summary:#}"
    );
    assert!(
        summary["reports"]["calendar-multiget"].as_u64().unwrap() > 0,
        "{summary:#}"
    );

    // A sync with nothing changed moves nothing.
    let seen = site.proxy.exchanges().len();
    let again = site.desktop.sync();
    assert!(again.ok, "{}", again.output);
    assert_eq!(again.transfers, [], "{}", again.output);
    assert_eq!(
        multiget_hrefs(&site.proxy.exchanges()[seen..]),
        Vec::<String>::new()
    );

    // One edit: the next sync fetches that one card and nothing else, and
    // khard shows the change.
    let moved = "mira.moved@example.org";
    site.change(
        &["people", "edit", MEMBER, "--email", moved],
        "data reloaded",
    );
    let seen = site.proxy.exchanges().len();
    assert_eq!(
        site.desktop.sync().only_transfer(),
        ("updating", "contacts")
    );
    let fetched = multiget_hrefs(&site.proxy.exchanges()[seen..]);
    assert_eq!(
        fetched.len(),
        1,
        "the sync after one edit fetched {fetched:?}"
    );
    let emails = site.desktop.khard(&["email", "--parsable"]);
    assert!(
        emails.contains(moved) && !emails.contains(MEMBER_EMAIL),
        "{emails}"
    );

    // A removal: the card is gone here too.
    site.change(&["people", "remove", "otto-canaryson"], "data reloaded");
    assert_eq!(
        site.desktop.sync().only_transfer(),
        ("deleting", "contacts")
    );
    let listed = site.desktop.khard(&["list", "--parsable"]);
    assert!(
        !listed.contains("Canaryson") && listed.contains("Canarymember"),
        "{listed}"
    );
    assert_eq!(site.desktop.objects("contacts").len(), people);

    // A revoked credential: the sync fails with 401, and no answer after
    // the revocation holds anything members-only.
    let seen = site.proxy.exchanges().len();
    let grant = site.grant.clone();
    site.change(&["access", "revoke", &grant], "access reloaded");
    let refused = site.desktop.sync();
    assert!(
        !refused.ok,
        "a revoked credential still syncs:\n{}",
        refused.output
    );
    assert!(refused.output.contains("401"), "{}", refused.output);
    let after = &site.proxy.exchanges()[seen..];
    assert!(after.iter().any(|e| e["status"] == 401), "{after:?}");
    for e in after {
        let body = e["response_body"].to_string().to_lowercase();
        for secret in [moved, OTHER_HIDDEN_EMAIL, "canarystra", "dana.secret"] {
            assert!(!body.contains(secret), "{secret} after revocation in {e}");
        }
    }
    // The synced folders keep what was synced before.
    assert_eq!(site.desktop.objects("contacts").len(), people);

    // Neither the server's log nor the recording holds the credential.
    let log = site.server.log().join("\n");
    assert!(!log.contains(&site.credential));
    let recorded = std::fs::read_to_string(&site.proxy.log).unwrap();
    assert!(!recorded.contains(&site.credential));
}

/// What Python's caldav finds on the site, from its address alone, with
/// this user and password (`-` and `-` for none).
fn caldav(site: &Site, user: &str, password: &str) -> Vec<Value> {
    let base = format!("http://{}", site.server.addr);
    let out = support::tool_stdout(
        Command::new(venv("python"))
            .arg(tool("caldav_check.py"))
            .args([&base, user, password])
            .args([
                "2015-05-10..2015-05-12",
                "2014-06-01..2014-06-02",
                "2016-09-14..2016-09-15",
                "2016-09-15..2016-09-16",
            ]),
    );
    let found: Value = serde_json::from_str(&out).unwrap();
    found["calendars"].as_array().unwrap().clone()
}

/// Every meeting of the fixture is in the calendar with the dates its ICS
/// gives (DTEND exclusive), and a time-range search from a day inside a
/// month- or year-long span finds it, as one the day after a meeting's
/// last finds nothing.
fn assert_meetings_and_spans(calendar: &Value) {
    let events: Vec<(&str, &str, &str)> = calendar["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["uid"].as_str().unwrap(),
                e["start"].as_str().unwrap(),
                e["end"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        events,
        [
            ("bergen-2015@fixture.nspm", "20150501", "20150601"),
            ("berlin-2016@fixture.nspm", "20160912", "20160915"),
            ("first-2014@fixture.nspm", "20140101", "20150101"),
        ],
        "{calendar:#}"
    );
    let range = &calendar["in_range"];
    for (span, found) in [
        ("2015-05-10..2015-05-12", vec!["bergen-2015@fixture.nspm"]),
        ("2014-06-01..2014-06-02", vec!["first-2014@fixture.nspm"]),
        ("2016-09-14..2016-09-15", vec!["berlin-2016@fixture.nspm"]),
        ("2016-09-15..2016-09-16", vec![]),
    ] {
        assert_eq!(
            range[span],
            serde_json::json!(found),
            "{span}: {calendar:#}"
        );
    }
}

#[test]
fn python_caldav_finds_a_members_calendars_from_the_well_known_address_and_the_spans_by_time_range()
{
    if !support::external_tests("Python's caldav") {
        return;
    }
    let site = Site::start();
    let calendars = caldav(&site, MEMBER, &site.credential);
    assert_eq!(calendars.len(), 2, "{calendars:#?}");
    for calendar in &calendars {
        assert_meetings_and_spans(calendar);
    }
    let with_address = calendars
        .iter()
        .filter(|c| c["events"].to_string().contains(VENUE_ADDRESS))
        .count();
    assert_eq!(
        with_address, 1,
        "the members' calendar alone has the venue's address: {calendars:#?}"
    );
}

#[test]
fn python_caldav_without_a_credential_finds_the_public_calendar_alone() {
    if !support::external_tests("Python's caldav") {
        return;
    }
    let site = Site::start();
    let calendars = caldav(&site, "-", "-");
    assert_eq!(calendars.len(), 1, "{calendars:#?}");
    assert_meetings_and_spans(&calendars[0]);
    let all = serde_json::to_string(&calendars).unwrap().to_lowercase();
    assert!(!all.contains("canary"), "{calendars:#?}");
}
