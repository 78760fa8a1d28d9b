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
