//! Running the real binary from tests, the way an operator's shell would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;

/// Docker settings of the caller that must not leak into a test's run.
const CLEARED: [&str; 7] = [
    "DOCKER_HOST",
    "DOCKER_TLS_VERIFY",
    "DOCKER_CERT_PATH",
    "DOCKER_CONTEXT",
    "DOCKER_TLS",
    "DOCKER_CONFIG",
    "NO_COLOR",
];

/// The `interlock-split` binary under test: `INTERLOCK_SPLIT_BIN` when set, else the one cargo
/// built beside the running test binary (`target/<profile>/deps/it-…` → `target/<profile>/`).
pub fn binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("INTERLOCK_SPLIT_BIN") {
        return PathBuf::from(bin);
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let dir = exe.parent().expect("the test binary's folder");
    let dir = if dir.ends_with("deps") {
        dir.parent().expect("the profile folder")
    } else {
        dir
    };
    let bin = dir.join("interlock-split");
    assert!(
        bin.is_file(),
        "{} is missing: build it with `cargo build` (cargo test does)",
        bin.display()
    );
    bin
}

/// `interlock-split --color never ARGS…`, with none of the caller's Docker settings.
pub fn tool(args: &[&str]) -> Output {
    tool_env(args, &[])
}

/// The same, with extra environment.
pub fn tool_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(binary());
    for var in CLEARED {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied())
        .args(["--color", "never"])
        .args(args);
    let out =
        super::run_with_timeout(&mut cmd, Duration::from_secs(300)).expect("run interlock-split");
    // INTERLOCK_SPLIT_TEST_SHOW=1 prints what an operator would see, for review.
    if std::env::var_os("INTERLOCK_SPLIT_TEST_SHOW").is_some() {
        eprintln!("$ interlock-split {}\n{}", args.join(" "), show(&out));
    }
    out
}

/// Exit code, stdout and stderr, for assertion messages.
pub fn show(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Stdout as the one JSON document a command prints (the envelope), checked: its format, and
/// an exit code that is the process's own. Panics showing the run otherwise.
pub fn envelope(out: &Output) -> Value {
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", show(out)));
    assert_eq!(doc["format_version"], 3, "not the envelope:\n{}", show(out));
    assert_eq!(
        doc["exit_code"].as_i64(),
        out.status.code().map(i64::from),
        "the envelope's exit code is the process's:\n{}",
        show(out)
    );
    doc
}

/// The command's product: the envelope's `result`.
pub fn json(out: &Output) -> Value {
    envelope(out)["result"].clone()
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}
