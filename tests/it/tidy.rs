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
    support::tool_stdout(cargo().args([
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
    ]))
    .lines()
    .filter_map(|l| l.split_whitespace().next())
    .map(str::to_string)
    .collect()
}

/// Asserts that `package` depends on each of `needed` and on none of
/// `banned` in normal builds.
fn assert_dependencies(package: &str, needed: &[&str], banned: &[&str]) {
    let deps = normal_dependencies(package);
    for needed in needed {
        assert!(
            deps.iter().any(|d| d == needed),
            "{package} does not depend on {needed}: {deps:?}"
        );
    }
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
    assert_dependencies(
        "nspm-core",
        &[],
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
    assert_dependencies(
        "nspm-export",
        &["nspm-core"],
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
    assert_dependencies(
        "nspm-access",
        &["nspm-core"],
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
    // What is not formatted is in the failure, with the command to run.
    support::tool_stdout(cargo().args(["fmt", "--all", "--check"]));
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

/// The modules of nspm-core and the modules each uses (`crate::name`), from
/// the source outside tests and comments. A module's files are `name.rs`
/// and those under `name/`.
fn core_modules() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let src = support::root().join("crates/core/src");
    let mut uses = std::collections::BTreeMap::new();
    for file in support::files_under(&src) {
        let first = file
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        let is_tests = file.file_stem().is_some_and(|s| s == "tests");
        if module == "lib" || is_tests || file.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(src.join(&file)).unwrap();
        let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
        let used: &mut std::collections::BTreeSet<String> = uses.entry(module.clone()).or_default();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (at, _) in line.match_indices("crate::") {
                let name: String = line[at + 7..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if name != module && !name.is_empty() {
                    used.insert(name);
                }
            }
        }
    }
    uses
}

/// nspm-core's modules use each other without cycles, so that each can be
/// read, and tested, knowing only those below it.
#[test]
fn core_modules_have_no_cycles() {
    let uses = core_modules();
    assert!(uses.contains_key("model") && uses.contains_key("load"));
    for start in uses.keys() {
        let mut seen = std::collections::BTreeSet::new();
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), vec![start.clone()])];
        while let Some((module, path)) = stack.pop() {
            for next in uses.get(&module).into_iter().flatten() {
                assert!(
                    next != start,
                    "nspm-core's modules use each other in a cycle: {} -> {next}",
                    path.join(" -> ")
                );
                if seen.insert(next.clone()) {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
}

/// ARCHITECTURE.md's code map names every source file of the workspace's
/// crates, so that a new module cannot go unexplained; the CLI's commands
/// count as named by "one module per command under `cmd/`".
#[test]
fn the_code_map_names_every_source_file() {
    let map = std::fs::read_to_string(support::root().join("ARCHITECTURE.md")).unwrap();
    let crates = support::root().join("crates");
    let mut missing = Vec::new();
    for krate in std::fs::read_dir(&crates).unwrap() {
        let src = krate.unwrap().path().join("src");
        if !src.is_dir() {
            continue;
        }
        for file in support::files_under(&src) {
            let name = file.file_name().unwrap().to_string_lossy().to_string();
            let command = file.starts_with("cmd") && file.components().count() == 2;
            let tests = name == "tests.rs" || file.extension().is_none_or(|e| e != "rs");
            if command
                || tests
                || name == "lib.rs"
                || map.contains(&format!("`{name}`"))
                || map.contains(&name)
            {
                continue;
            }
            missing.push(src.join(&file).display().to_string());
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md's code map does not name {missing:?}"
    );
}
