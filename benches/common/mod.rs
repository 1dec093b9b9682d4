//! What the benches share: the release binary they time, and how they summarise samples.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use crate::support;
use crate::support::lock::{target_dir, workspace_dir};

/// Builds the release binary (`cargo build --release --bin interlock-split`, a no-op when it is
/// up to date) and returns its path; panics with what to do when that fails.
pub fn release_binary() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let binary = target_dir().join("release").join("interlock-split");
    let out = support::run_with_timeout(
        Command::new(&cargo).current_dir(workspace_dir()).args([
            "build",
            "--release",
            "--quiet",
            "--bin",
            "interlock-split",
        ]),
        Duration::from_secs(600),
    );
    match out {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "`cargo build --release --bin interlock-split` failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!("cannot run `{cargo} build --release --bin interlock-split`: {e}"),
    }
    assert!(
        binary.is_file(),
        "the release binary {} is missing after `cargo build --release --bin interlock-split`",
        binary.display()
    );
    binary
}

/// `"6"` when every run had the same count, else `"min–max"`.
pub fn range(counts: impl Iterator<Item = usize>) -> String {
    let counts: Vec<usize> = counts.collect();
    let (lo, hi) = (
        counts.iter().min().copied().unwrap_or(0),
        counts.iter().max().copied().unwrap_or(0),
    );
    if lo == hi {
        lo.to_string()
    } else {
        format!("{lo}–{hi}")
    }
}
