//! Shared helpers for the integration tests.

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/cli sits two levels below the workspace root")
        .to_path_buf()
}

/// A path under `tests/fixtures`.
pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// `nspm ARGS` run in `temp` on the data in `temp/data`, as the edit, access
/// and import tests run it.
pub fn nspm_in(temp: &Path, args: &[&str]) -> std::process::Command {
    let mut cmd = nspm();
    cmd.current_dir(temp).args(["--data", "data"]).args(args);
    cmd
}

/// `nspm --data DATA ARGS`, run to its end.
pub fn nspm_on(data: &Path, args: &[&str]) -> std::process::Output {
    nspm()
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .expect("nspm runs")
}

/// [`nspm_on`], which must succeed (else the test fails with what nspm
/// said): its standard output.
pub fn nspm_ok(data: &Path, args: &[&str]) -> String {
    let out = nspm_on(data, args);
    assert!(out.status.success(), "nspm {args:?}: {}", stderr(&out));
    stdout(&out)
}

/// What a command wrote to standard output, which must be UTF-8.
pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

/// The words of a command line as staff type it: a word in single or double
/// quotes may hold spaces ('Kári Stefánsson'), and '' is an empty one, as a
/// shell reads them; nothing else is special.
pub fn words(line: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut rest = line.trim_start();
    while let Some(c) = rest.chars().next() {
        let (word, after) = match c {
            '\'' | '"' => rest[1..].split_once(c).unwrap_or((&rest[1..], "")),
            _ => rest.split_once(char::is_whitespace).unwrap_or((rest, "")),
        };
        words.push(word);
        rest = after.trim_start();
    }
    words
}

/// The bytes of every data file in `<temp>/data`, None for one that is not
/// there: what a test compares before and after a change.
pub fn data_files(temp: &Path) -> Vec<Option<Vec<u8>>> {
    nspm_core::DataFile::ALL
        .iter()
        .map(|f| std::fs::read(temp.join("data").join(f.file_name())).ok())
        .collect()
}

/// What a command wrote to standard error, which must be UTF-8.
pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// [`nspm_in`], run to its end.
pub fn run_in(temp: &Path, args: &[&str]) -> std::process::Output {
    nspm_in(temp, args).output().expect("nspm runs")
}

/// Runs an outside tool to its end, failing the test with its stderr (and
/// what it printed) if it cannot start or fails; what it printed.
pub fn tool_stdout(cmd: &mut std::process::Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!(
            "cannot run {:?} (run tests/tools/install): {e}",
            cmd.get_program()
        )
    });
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{:?} {:?} failed:\n{}\n{stdout}",
        cmd.get_program(),
        cmd.get_args().collect::<Vec<_>>(),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The `nspm` binary built for these tests.
pub fn nspm() -> std::process::Command {
    nspm_under(&[])
}

/// The `nspm` binary run by `wrapper` (a program and its arguments, which
/// runs the command that follows them, as `prlimit` does), set up as
/// [`nspm`] sets it up.
pub fn nspm_under(wrapper: &[&str]) -> std::process::Command {
    let binary = env!("CARGO_BIN_EXE_nspm");
    let mut cmd = match wrapper {
        [] => std::process::Command::new(binary),
        [program, args @ ..] => {
            let mut cmd = std::process::Command::new(program);
            cmd.args(args).arg(binary);
            cmd
        }
    };
    cmd.current_dir(root().join("tests"));
    cmd.env_remove("NSPM_DATA").env("NO_COLOR", "1");
    cmd
}

/// True when the tests that need outside tools should run. When false, it
/// prints that the test is skipped and that `what` ("schemathesis") runs
/// with `NSPM_EXTERNAL_TESTS=1`, and the test returns.
pub fn external_tests(what: &str) -> bool {
    let on = std::env::var_os("NSPM_EXTERNAL_TESTS").is_some_and(|v| v == "1");
    if !on {
        eprintln!("skipped: {what} runs with NSPM_EXTERNAL_TESTS=1");
    }
    on
}

/// Copies the society's data files from `from` into `to`, creating it; a
/// file that may be missing (news.ron) is copied when it is there.
pub fn copy_data(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for file in nspm_core::DataFile::ALL {
        let name = file.file_name();
        if file.optional() && !from.join(name).exists() {
            continue;
        }
        std::fs::copy(from.join(name), to.join(name))
            .unwrap_or_else(|e| panic!("cannot copy {name} from {}: {e}", from.display()));
    }
}

/// Every file under `dir`, as paths relative to it, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// A photo made for a test: a `width`×`height` picture (a gradient with a
/// dark square, so that a resize has edges to keep), encoded as `format`.
pub fn photo_bytes(width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        let square = x > width / 3 && x < width * 2 / 3 && y > height / 3 && y < height * 2 / 3;
        if square {
            image::Rgb([20, 30, 40])
        } else {
            image::Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 160])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    picture
        .write_to(&mut out, format)
        .expect("the photo encodes");
    out.into_inner()
}

/// The photo the photo fixtures give a person: a portrait of 600×800.
pub const PHOTO_SIZE: (u32, u32) = (600, 800);

/// A copy of the data in `from` in a new temporary directory's `data/`,
/// where the person `id` has a photo: a generated JPEG of [`PHOTO_SIZE`]
/// at `data/photos/ID.jpg`, named by a `photo` field in `people.ron`.
pub fn with_photo(from: &Path, id: &str) -> tempfile::TempDir {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    copy_data(from, &data);
    std::fs::create_dir(data.join("photos")).unwrap();
    let (w, h) = PHOTO_SIZE;
    let jpeg = photo_bytes(w, h, image::ImageFormat::Jpeg);
    std::fs::write(data.join(format!("photos/{id}.jpg")), jpeg).unwrap();
    name_photo(&data, id, &format!("photos/{id}.jpg"));
    temp
}

/// Gives the person `id` in `data/people.ron` the photo at `path`, by a
/// line after their id.
pub fn name_photo(data: &Path, id: &str, path: &str) {
    let people = data.join("people.ron");
    let text = std::fs::read_to_string(&people).unwrap();
    let at = format!("id: \"{id}\",\n");
    assert!(
        text.contains(&at),
        "no person \"{id}\" in {}",
        people.display()
    );
    let text = text.replacen(&at, &format!("{at}        photo: Some(\"{path}\"),\n"), 1);
    std::fs::write(&people, text).unwrap();
}

/// A CSV column, by its header, of the row whose first cell is `id`.
pub fn csv_cell(csv: &[u8], id: &str, column: &str) -> String {
    let mut rows = csv::Reader::from_reader(csv);
    let at = rows
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no {column} column"));
    let row = rows
        .records()
        .map(Result::unwrap)
        .find(|r| &r[0] == id)
        .unwrap_or_else(|| panic!("no row {id}"));
    row[at].to_string()
}
