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

/// The `nspm` binary built for these tests.
#[allow(dead_code)]
pub fn nspm() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_nspm"));
    cmd.current_dir(root().join("tests"));
    cmd.env_remove("NSPM_DATA").env("NO_COLOR", "1");
    cmd
}

/// True when the tests that need outside tools should run. When false, such
/// a test prints why it did nothing and returns.
#[allow(dead_code)]
pub fn external_tests() -> bool {
    std::env::var_os("NSPM_EXTERNAL_TESTS").is_some_and(|v| v == "1")
}

/// Copies the society's data files from `from` into `to`, creating it.
#[allow(dead_code)]
pub fn copy_data(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for file in nspm_core::DataFile::ALL {
        let name = file.file_name();
        std::fs::copy(from.join(name), to.join(name))
            .unwrap_or_else(|e| panic!("cannot copy {name} from {}: {e}", from.display()));
    }
}

/// Every file under `dir`, as paths relative to it, sorted.
#[allow(dead_code)]
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

/// `nspm serve` on a free loopback port over the embedded data, as a
/// visitor's browser or an API client meets it; stopped when dropped.
#[allow(dead_code)]
pub struct Served {
    child: std::process::Child,
    /// The site's root, `http://127.0.0.1:PORT/`.
    pub base: String,
}

/// Starts the real binary and waits until it says where it listens.
#[allow(dead_code)]
pub fn serve() -> Served {
    use std::io::BufRead as _;
    use std::process::Stdio;

    let mut child = nspm()
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nspm serve starts");
    let stderr = child.stderr.take().expect("stderr is piped");
    let (tx, rx) = std::sync::mpsc::channel();
    // The thread keeps reading after the address is known, so the server
    // never blocks on a full pipe while it logs requests.
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if let Some(at) = line.find("serving http://") {
                let _ = tx.send(line[at + "serving ".len()..].trim().to_string());
            }
        }
    });
    match rx.recv_timeout(std::time::Duration::from_secs(60)) {
        Ok(base) => Served { child, base },
        Err(_) => {
            let _ = child.kill();
            let status = child.wait().expect("nspm serve was started");
            panic!("nspm serve did not say where it listens within a minute ({status})");
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
