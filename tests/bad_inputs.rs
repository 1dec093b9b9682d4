//! The corpus of bad inputs under `fixtures/bad/`: configs, specs, saved plans, bundles that
//! fail before connecting, and flags. Each case is a directory holding its input files and a
//! `case.toml`:
//!
//! ```toml
//! args = ["validate", "config.toml"]   # run in the case's directory
//! exit = 1                             # the exit code
//! code = "port-conflict"               # a finding code the output names (optional)
//! message = "PublishedPort of `a`"     # a fragment of stdout or stderr
//! json = true                          # stdout is one JSON document (optional)
//! ```
//!
//! For every case: the exit code, the code and the fragment, no panic, no raw control
//! character reaching the terminal, and no input file changed or created (hashed before and
//! after). Every case runs twice: as is, and with `--color always`, where the only escape
//! sequences let through are the tool's own colour codes (a config value such as
//! `"\u001b[8m"`, which hides what follows, is printed escaped). Nothing here reaches a Docker
//! engine: `DOCKER_HOST` points at a closed port.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use sha2::{Digest, Sha256};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    args: Vec<String>,
    exit: i32,
    code: Option<String>,
    message: String,
    #[serde(default)]
    json: bool,
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bad")
}

/// Every file under `dir` with the SHA-256 of its bytes.
fn hashes(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in fs::read_dir(&d).expect("reading a corpus directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                todo.push(path);
            } else {
                let bytes = fs::read(&path).expect("reading a corpus file");
                out.insert(path, hex::encode(Sha256::digest(&bytes)));
            }
        }
    }
    out
}

/// The colour codes the tool's styler writes (`src/output/style.rs`).
const OWN_COLOURS: [&str; 9] = ["0", "1", "2", "31", "32", "33", "36", "1;31", "1;33"];

fn run(dir: &Path, case: &Case, colour: bool) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_interlock-split"));
    if colour {
        cmd.args(["--color", "always"]);
    }
    cmd.current_dir(dir).args(&case.args);
    for var in [
        "NO_COLOR",
        "COLUMNS",
        "INTERLOCK_SPLIT_SPEC",
        "DOCKER_CONTEXT",
        "DOCKER_TLS_VERIFY",
        "DOCKER_CERT_PATH",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("DOCKER_HOST", "tcp://127.0.0.1:9")
        .env("DOCKER_CONFIG", dir.join("no-docker-config"));
    let out = cmd.output().expect("running the binary");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The first control character that is not a line break, a tab or (with `colour`) the start
/// of one of the tool's own colour codes.
fn raw_control(text: &str, colour: bool) -> Option<String> {
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if colour && c == '\x1b' {
            let own = OWN_COLOURS
                .iter()
                .map(|code| format!("\x1b[{code}m"))
                .find(|sgr| rest.starts_with(sgr.as_str()));
            if let Some(sgr) = own {
                rest = &rest[sgr.len()..];
                continue;
            }
        }
        if c.is_control() && !matches!(c, '\n' | '\t') {
            return Some(rest.chars().take(8).collect());
        }
        rest = &rest[c.len_utf8()..];
    }
    None
}

/// What is wrong with one case's outcome, if anything.
fn check(name: &str, dir: &Path, colour: bool) -> Vec<String> {
    let text = fs::read_to_string(dir.join("case.toml")).expect("every case has a case.toml");
    let case: Case = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}/case.toml: {e}"));
    let before = hashes(dir);
    let (exit, stdout, stderr) = run(dir, &case, colour);
    let both = format!("{stdout}{stderr}");
    let mut problems = Vec::new();
    if exit != case.exit {
        problems.push(format!("exit {exit}, expected {}", case.exit));
    }
    if let Some(code) = &case.code
        && !both.contains(code.as_str())
    {
        problems.push(format!("finding code `{code}` not in the output"));
    }
    // The fragment is plain text: colour codes may sit inside it.
    if !both.contains(&case.message) && !strip_own_colours(&both).contains(&case.message) {
        problems.push(format!("{:?} not in the output", case.message));
    }
    if both.contains("panicked") {
        problems.push("the binary panicked".into());
    }
    if let Some(at) = raw_control(&both, colour) {
        problems.push(format!(
            "a raw control character reached the terminal, at {at:?}"
        ));
    }
    if case.json && serde_json::from_str::<serde_json::Value>(&stdout).is_err() {
        problems.push("stdout is not one JSON document".into());
    }
    if hashes(dir) != before {
        problems.push("an input file changed, or a file was created".into());
    }
    if !problems.is_empty() {
        problems.insert(0, format!("--- stdout:\n{stdout}--- stderr:\n{stderr}---"));
    }
    let how = if colour { " (--color always)" } else { "" };
    problems
        .into_iter()
        .map(|p| format!("{name}{how}: {p}"))
        .collect()
}

fn strip_own_colours(text: &str) -> String {
    OWN_COLOURS.iter().fold(text.to_string(), |t, code| {
        t.replace(&format!("\x1b[{code}m"), "")
    })
}

#[test]
fn every_bad_input_is_refused_clearly_and_changes_nothing() {
    let mut cases: Vec<(String, PathBuf)> = fs::read_dir(corpus())
        .expect("fixtures/bad exists")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.join("case.toml").is_file())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    cases.sort();
    assert!(cases.len() >= 20, "the corpus has {} cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .flat_map(|(name, dir)| [false, true].map(|colour| check(name, dir, colour)))
        .flatten()
        .collect();
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
