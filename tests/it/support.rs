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
