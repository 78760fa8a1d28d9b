//! Project rules that a command can check, run as ordinary tests.

use std::process::Command;

use crate::support;

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(support::root());
    cmd
}

/// The crates a package depends on in normal builds, by name.
fn normal_dependencies(package: &str) -> Vec<String> {
    let out = cargo()
        .args([
            "tree",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
            "-p",
            package,
        ])
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// Asserts that `package` depends on none of `banned` in normal builds.
fn assert_depends_on_none(package: &str, banned: &[&str]) {
    let deps = normal_dependencies(package);
    for banned in banned {
        assert!(
            !deps.iter().any(|d| d == banned),
            "{package} depends on {banned}: {deps:?}"
        );
    }
}

/// Architecture Invariant: core knows nothing of HTTP, command lines,
/// templates or async runtimes, nor of who may open the members' area.
#[test]
fn core_depends_on_no_front_end_crate() {
    assert_depends_on_none(
        "nspm-core",
        &[
            "axum",
            "tokio",
            "hyper",
            "clap",
            "minijinja",
            "tower",
            "nspm-access",
        ],
    );
}

/// Architecture Invariant: export depends on core only, never on a front end
/// nor on the store (it renders bytes, and the store writes them), nor on
/// the access crate, so no export can hold anything of access.
#[test]
fn export_depends_on_core_and_no_front_end() {
    assert!(
        normal_dependencies("nspm-export")
            .iter()
            .any(|d| d == "nspm-core")
    );
    assert_depends_on_none(
        "nspm-export",
        &[
            "axum",
            "tokio",
            "hyper",
            "clap",
            "nspm-cli",
            "nspm-server",
            "nspm-store",
            "nspm-access",
        ],
    );
}

/// Architecture Invariant: the access crate is a library of the domain, like
/// core: no front end, no templates, nothing that renders or writes pages.
#[test]
fn access_depends_on_core_and_no_front_end() {
    assert!(
        normal_dependencies("nspm-access")
            .iter()
            .any(|d| d == "nspm-core")
    );
    assert_depends_on_none(
        "nspm-access",
        &[
            "axum",
            "tokio",
            "hyper",
            "clap",
            "minijinja",
            "nspm-export",
            "nspm-store",
            "nspm-cli",
            "nspm-server",
        ],
    );
}

#[test]
fn code_is_formatted() {
    let out = cargo()
        .args(["fmt", "--all", "--check"])
        .output()
        .expect("cargo fmt runs");
    assert!(
        out.status.success(),
        "run `cargo fmt`:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Architecture Invariant: the libraries read no environment. What the
/// environment says (`SOURCE_DATE_EPOCH`, the user's name) is read by the
/// command line and passed in, so that a library behaves the same in every
/// process that calls it the same way.
#[test]
fn libraries_read_no_environment() {
    let mut readers = Vec::new();
    for krate in ["core", "export", "server", "store"] {
        let src = support::root().join("crates").join(krate).join("src");
        for file in support::files_under(&src) {
            let text = std::fs::read_to_string(src.join(&file)).unwrap();
            for (n, line) in text.lines().enumerate() {
                // `env::var` also finds `var_os`, `vars` and `vars_os`.
                if line.contains("env::var") {
                    readers.push(format!("crates/{krate}/src/{}:{}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(readers.is_empty(), "environment read at {readers:?}");
}
