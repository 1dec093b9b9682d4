//! What the benches share: the release binary they time, and how they summarise samples.

// Each bench uses its own part of this module.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

pub mod relay;
pub mod writes;

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

/// Ends a bench that missed a target with exit status 1, once everything is printed and the
/// bed is cleaned up: a missed target fails the benchmark run (not `cargo test`, which never
/// times anything).
pub fn exit_on_miss(missed: &[&str]) {
    if missed.is_empty() {
        return;
    }
    eprintln!("missed target(s): {}", missed.join("; "));
    std::process::exit(1);
}

/// The environment a client bundle's `env.sh` sets, or a context would: never inherited by
/// what a bench times.
pub const DOCKER_ENV: [&str; 6] = [
    "DOCKER_HOST",
    "DOCKER_TLS_VERIFY",
    "DOCKER_CERT_PATH",
    "DOCKER_CONTEXT",
    "DOCKER_TLS",
    "NO_COLOR",
];

/// Min, median, max of `values` (sorted here).
pub fn stats(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let median = if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    };
    (values[0], median, values[n - 1])
}
