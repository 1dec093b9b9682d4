//! The live plan against the two documented docker read steps, on the local swarm, through a
//! client bundle (the test bed's mTLS front, standing in for UCP's API).
//!
//! Side by side, with the same bundle and TLS settings:
//!
//! - (a) `interlock-split plan --bundle <dir> --spec <spec> --output json`, the release binary
//!   (built here with `cargo build --release --bin interlock-split`, a no-op when up to date);
//! - (b) the README's manual read, as one shell sequence: `docker … service inspect` of
//!   `ucp-interlock` for the name of the config mounted at `/config.toml` (a Go template over
//!   every config, not `index … 0`: the test bed mounts an unrelated config first), then
//!   `docker … config inspect` of that name for its data.
//!
//! The stand-in core runs the UCP 3.1 default config; the spec is the three seed clusters on
//! this one node. After one warm-up each, both run `LIVE_PLAN_RUNS` times (default 15),
//! alternating. Printed for each: min/median/max wall time, and the API requests and TLS
//! handshakes per run as the front counted them. The last line says whether the plan, with all
//! its checks, took less wall time than the two docker commands (medians); a miss ends the
//! bench with exit status 1.
//!
//! Run with `cargo bench --bench live_plan` (or `benches/live_plan.sh`). With
//! `LIVE_PLAN_VERBOSE=1`, one more plan runs with `-v` after the timed runs, and its request
//! trace is printed. Needs a Docker engine
//! (swarm mode is initialised when inactive); without one it prints `SKIP …` and exits 0.

// The test bed; its mod.rs carries `#![allow(dead_code)]` (a bench uses only part of it).
use interlock_testbed as support;

mod common;
use common::{DOCKER_ENV, exit_on_miss, range, release_binary};

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::bed::{CONFIG_TARGET, CORE_SERVICE, FIRST_CONFIG, seed_spec};
use support::{Core, TlsFront, TlsOptions, docker_ok};

/// The config the stand-in core starts with.
const DEFAULT_TOML: &str = include_str!("../fixtures/ucp-3.1-default.toml");
/// How long to wait for the core to create its services.
const WAIT: Duration = Duration::from_secs(40);
/// Timed runs of each, unless `LIVE_PLAN_RUNS` says otherwise.
const DEFAULT_RUNS: usize = 15;

/// The manual read (b): the config at `/config.toml`, then its data. `$1`..`$4` are the CA,
/// certificate, key and host.
const DOCKER_STEPS: &str = r#"set -e
name=$(docker --tlsverify --tlscacert "$1" --tlscert "$2" --tlskey "$3" -H "$4" service inspect --format '{{range .Spec.TaskTemplate.ContainerSpec.Configs}}{{if eq .File.Name "/config.toml"}}{{.ConfigName}}{{end}}{{end}}' ucp-interlock)
docker --tlsverify --tlscacert "$1" --tlscert "$2" --tlskey "$3" -H "$4" config inspect --format '{{ printf "%s" .Spec.Data }}' "$name"
"#;

/// What the front saw during one run, and how long the run took.
struct Sample {
    wall: Duration,
    requests: usize,
    handshakes: usize,
    failed_handshakes: usize,
    log: Vec<String>,
}

/// One of the two contenders.
struct Contender {
    label: &'static str,
    command: Box<dyn Fn() -> Command>,
    /// Checks a run's output; returns what is wrong.
    check: fn(&Output) -> Result<(), String>,
    samples: Vec<Sample>,
}

fn main() {
    if !support::docker_available("live_plan benchmark") {
        return;
    }
    let runs = std::env::var("LIVE_PLAN_RUNS")
        .ok()
        .map(|v| {
            v.parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
                .unwrap_or_else(|| panic!("LIVE_PLAN_RUNS={v:?}: expected a positive number"))
        })
        .unwrap_or(DEFAULT_RUNS);
    let binary = release_binary();

    let core = Core::deploy(DEFAULT_TOML);
    core.wait_running("ucp-interlock-proxy", 2, WAIT);
    core.wait_running("ucp-interlock-extension", 1, WAIT);
    let host = support::bed::hostname(&core.node);
    let front = TlsFront::start(TlsOptions::default());
    let dir = tempfile::tempdir().expect("temporary directory");
    let bundle = dir.path().join("bundle");
    front.bundle_dir(&bundle);
    let spec = dir.path().join("spec.toml");
    std::fs::write(&spec, seed_spec(&host)).expect("writing the spec");

    let plan = {
        let (binary, bundle, spec) = (binary.clone(), bundle.clone(), spec.clone());
        Contender {
            label: "(a) interlock-split plan --bundle … --output json",
            command: Box::new(move || {
                let mut cmd = Command::new(&binary);
                cmd.args(["--color", "never", "plan", "--bundle"])
                    .arg(&bundle)
                    .arg("--spec")
                    .arg(&spec)
                    .args(["--output", "json"]);
                cmd
            }),
            check: check_plan,
            samples: Vec::new(),
        }
    };
    let docker_steps = {
        let (bundle, host) = (bundle.clone(), front.docker_host());
        Contender {
            label: "(b) docker service inspect + config inspect",
            command: Box::new(move || {
                let mut cmd = Command::new("sh");
                cmd.arg("-c")
                    .arg(DOCKER_STEPS)
                    .arg("sh")
                    .arg(bundle.join("ca.pem"))
                    .arg(bundle.join("cert.pem"))
                    .arg(bundle.join("key.pem"))
                    .arg(&host);
                cmd
            }),
            check: check_docker_steps,
            samples: Vec::new(),
        }
    };
    let mut contenders = [plan, docker_steps];

    let started = Instant::now();
    let mut warm_up = Vec::new();
    for c in &contenders {
        warm_up.push(run_once(c, &front));
    }
    for _ in 0..runs {
        for c in &mut contenders {
            let sample = run_once(c, &front);
            c.samples.push(sample);
        }
    }
    let elapsed = started.elapsed();
    let verbose = std::env::var_os("LIVE_PLAN_VERBOSE").is_some().then(|| {
        let mut cmd = (contenders[0].command)();
        for var in DOCKER_ENV {
            cmd.env_remove(var);
        }
        let out = cmd.arg("-v").output().expect("running the plan with -v");
        String::from_utf8_lossy(&out.stderr).into_owned()
    });

    let missed = report(&contenders, &warm_up, &front, &binary, runs, elapsed);
    if let Some(text) = verbose {
        println!();
        println!("LIVE_PLAN_VERBOSE: one more plan, with -v (not timed):");
        print!("{text}");
    }
    drop(front);
    drop(core);
    exit_on_miss(&missed);
}

/// Runs `c` once, checks its output and returns what it cost.
fn run_once(c: &Contender, front: &TlsFront) -> Sample {
    let mut cmd = (c.command)();
    for var in DOCKER_ENV {
        cmd.env_remove(var);
    }
    let (requests, handshakes, failed) = (
        front.requests(),
        front.handshakes(),
        front.failed_handshakes(),
    );
    let logged = front.request_log().len();
    let start = Instant::now();
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{}: cannot run {cmd:?}: {e}", c.label));
    let wall = start.elapsed();
    if let Err(e) = (c.check)(&out) {
        panic!(
            "{}: {e}\nexit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            c.label,
            out.status.code(),
            truncated(&String::from_utf8_lossy(&out.stdout)),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Sample {
        wall,
        requests: front.requests() - requests,
        handshakes: front.handshakes() - handshakes,
        failed_handshakes: front.failed_handshakes() - failed,
        log: front.request_log().split_off(logged),
    }
}

/// The plan ran, read the live config at `/config.toml` and found no error.
fn check_plan(out: &Output) -> Result<(), String> {
    if out.status.code() != Some(0) {
        return Err("the plan failed".into());
    }
    let envelope: Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("not JSON ({e})"))?;
    // The plan is the envelope's `result` (see "JSON output" in the README).
    let plan = &envelope["result"];
    if plan["current"]["kind"] != "cluster" || plan["current"]["config_name"] != FIRST_CONFIG {
        return Err(format!(
            "planned from {} instead of the live {FIRST_CONFIG}",
            plan["current"]
        ));
    }
    if plan["summary"]["errors"] != 0 {
        return Err(format!("the plan has errors: {}", plan["summary"]));
    }
    Ok(())
}

/// The two docker commands printed the TOML the core runs with.
fn check_docker_steps(out: &Output) -> Result<(), String> {
    if !out.status.success() {
        return Err("the docker commands failed".into());
    }
    if String::from_utf8_lossy(&out.stdout).trim() != DEFAULT_TOML.trim() {
        return Err(format!(
            "did not print the config at {CONFIG_TARGET} of {CORE_SERVICE}"
        ));
    }
    Ok(())
}

/// Prints the table, the request patterns and the verdict; returns the targets missed.
fn report(
    contenders: &[Contender],
    warm_up: &[Sample],
    front: &TlsFront,
    binary: &Path,
    runs: usize,
    elapsed: Duration,
) -> Vec<&'static str> {
    let docker_version = docker_ok(&[
        "version",
        "--format",
        "{{.Client.Version}} (engine {{.Server.Version}}, API {{.Server.APIVersion}})",
    ]);
    println!(
        "live plan vs the documented docker read steps, through a client bundle (mTLS front {}, HTTP/1.1)",
        front.docker_host()
    );
    println!(
        "binary {}; docker CLI {docker_version}; {} CPUs",
        binary.display(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "1 warm-up each, then {runs} runs each, alternating ({:.1} s)",
        elapsed.as_secs_f64()
    );
    println!();
    println!(
        "{:<50} {:>8} {:>8} {:>8} {:>14} {:>16}",
        "", "min ms", "median", "max ms", "API requests", "TLS handshakes"
    );
    let mut medians = Vec::new();
    for c in contenders {
        let mut walls: Vec<f64> = c
            .samples
            .iter()
            .map(|s| s.wall.as_secs_f64() * 1e3)
            .collect();
        walls.sort_by(f64::total_cmp);
        let median = median(&walls);
        medians.push(median);
        println!(
            "{:<50} {:>8.1} {:>8.1} {:>8.1} {:>14} {:>16}",
            c.label,
            walls[0],
            median,
            walls[walls.len() - 1],
            range(c.samples.iter().map(|s| s.requests)),
            range(c.samples.iter().map(|s| s.handshakes)),
        );
    }
    println!();
    for (c, w) in contenders.iter().zip(warm_up) {
        println!("{} — requests of the warm-up run:", c.label);
        println!("    {}", w.log.join(", "));
    }
    let failed: usize = contenders
        .iter()
        .flat_map(|c| &c.samples)
        .chain(warm_up)
        .map(|s| s.failed_handshakes)
        .sum();
    if failed > 0 {
        println!(
            "note: {failed} failed TLS handshake(s): {:?}",
            front.handshake_errors()
        );
    }
    println!();
    let (plan, docker) = (medians[0], medians[1]);
    let verdict = if plan < docker {
        format!(
            "MET: median {plan:.1} ms < {docker:.1} ms ({:.0}% of the docker commands' time)",
            plan / docker * 100.0
        )
    } else {
        format!(
            "NOT MET: median {plan:.1} ms >= {docker:.1} ms ({:.0}% of the docker commands' time)",
            plan / docker * 100.0
        )
    };
    println!(
        "target \"the plan, with all its checks, in less wall time than the two docker commands\": {verdict}"
    );
    if plan < docker {
        Vec::new()
    } else {
        vec!["the plan in less wall time than the two docker commands"]
    }
}

/// The median of sorted `values`.
fn median(values: &[f64]) -> f64 {
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// The first 2000 characters of `text`.
fn truncated(text: &str) -> String {
    text.chars().take(2000).collect()
}
