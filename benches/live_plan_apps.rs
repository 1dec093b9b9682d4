//! The live plan on a swarm with 1,000 application services against the same plan with none,
//! on the local swarm, through a client bundle (the test bed's mTLS front, standing in for
//! UCP's API).
//!
//! `interlock-split plan --bundle <dir> --spec <spec> --output json` (the release binary,
//! built here with `cargo build --release --bin interlock-split`, a no-op when up to date),
//! in three phases of one warm-up and `LIVE_PLAN_APPS_RUNS` runs each (default 10):
//!
//! 1. no application service (the stand-in core runs UCP 3.1's default config; the spec is
//!    the seed's three clusters on this node, each with its overlay network);
//! 2. after `LIVE_PLAN_APPS_COUNT` (default 1,000) application services are created through
//!    the Engine API (`apps.rs`: hosts, port, a `service_cluster` label on two in three —
//!    the third go to the catch-all cluster —, on their cluster's network, one in four also
//!    on a shared one with `com.docker.lb.network` naming which; replicas 0, no task);
//! 3. no application service again, once they are removed (how far the swarm drifted; right
//!    after the removals it is still busy, so this phase is shown, not compared).
//!
//! After each timed plan, the engine's own `GET /services` is timed on its socket (no front,
//! no TLS): how much of the difference is the engine's answer, which no client can avoid.
//!
//! Every run's output is checked (no error; in phase 2 a route for each application), and the
//! front counts its API requests: the same number in every phase, none naming an application
//! (`GET /services/lpa-…`), or the benchmark fails. The verdict: the median of phase 2 within
//! 1.5× the median of phase 1; a missed target exits 1.
//!
//! With `LIVE_PLAN_APPS_RTT_MS=N` the bundle goes through the delaying relay of the latency
//! benchmark (`common/relay.rs`, TCP_NODELAY) with N ms of round trip, as an operator over a VPN
//! reaches the managers; the engine's own list is still timed on its socket.
//!
//! Run with `cargo bench --bench live_plan_apps` (or `benches/live_plan_apps.sh`). Needs a
//! Docker engine (swarm mode is initialised when inactive); without one it prints `SKIP …` and
//! exits 0. Whatever happens, the services and networks it made are removed (`Apps` on drop,
//! then the bed's cleanup by label).

// The test bed; its mod.rs carries `#![allow(dead_code)]` (a bench uses only part of it).
use interlock_testbed as support;

mod common;
use common::relay::Relay;
use common::{DOCKER_ENV, range, release_binary};

// The applications and the spec, in the directory of this benchmark.
#[path = "live_plan_apps/apps.rs"]
mod apps;
use apps::{Apps, PREFIX};

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::api::{Call, EngineApi};
use support::{Core, TlsFront, TlsOptions};

/// The config the stand-in core starts with.
const DEFAULT_TOML: &str = include_str!("../fixtures/ucp-3.1-default.toml");
/// How long to wait for the core to create its services.
const WAIT: Duration = Duration::from_secs(40);
/// The target: the plan with the applications within this many times the plan without.
const TARGET_RATIO: f64 = 1.5;

/// One timed plan: its wall time and what the front saw.
struct Sample {
    wall: Duration,
    requests: usize,
    handshakes: usize,
    log: Vec<String>,
}

/// A phase: its label, its warm-up and its timed runs.
struct Phase {
    label: String,
    warm_up: Sample,
    samples: Vec<Sample>,
    /// The engine's own answer to `GET /services` on its socket, after each plan: the floor
    /// under what the plan's wait for that list can be.
    engine: Vec<Duration>,
}

/// The plan command and where it runs.
struct Plan<'a> {
    binary: PathBuf,
    bundle: PathBuf,
    spec: PathBuf,
    front: &'a TlsFront,
    api: EngineApi,
}

fn main() {
    if !support::docker_available("live_plan_apps benchmark") {
        return;
    }
    let runs = positive_env("LIVE_PLAN_APPS_RUNS", 10);
    let rtt = std::env::var("LIVE_PLAN_APPS_RTT_MS").map_or(0, |v| {
        v.parse::<u64>()
            .unwrap_or_else(|_| panic!("LIVE_PLAN_APPS_RTT_MS={v:?}: expected milliseconds"))
    });
    let count = positive_env("LIVE_PLAN_APPS_COUNT", 1000);
    let binary = release_binary();

    let core = Core::deploy(DEFAULT_TOML);
    core.wait_running("ucp-interlock-proxy", 2, WAIT);
    core.wait_running("ucp-interlock-extension", 1, WAIT);
    let host = support::bed::hostname(&core.node);
    // Declared after the core: dropped (its services removed) before the core's cleanup.
    let apps = Apps::new(&core.image.id);
    let front = TlsFront::start(TlsOptions::default());
    let dir = tempfile::tempdir().expect("temporary directory");
    let bundle = dir.path().join("bundle");
    front.bundle_dir(&bundle);
    let relay = (rtt > 0).then(|| through_relay(&front, &bundle, Duration::from_millis(rtt)));
    let spec = dir.path().join("spec.toml");
    std::fs::write(&spec, apps::spec(&host)).expect("writing the spec");
    let plan = Plan {
        binary: binary.clone(),
        bundle,
        spec,
        front: &front,
        api: EngineApi::local(),
    };

    let started = Instant::now();
    let none = plan.phase("no application service", runs, 0);
    let created = apps.create(count);
    let with = plan.phase(&format!("{count} application services"), runs, count);
    hold(&plan);
    let removed = apps
        .remove_services()
        .unwrap_or_else(|e| panic!("removing the application services: {e}"));
    let again = plan.phase("none again, once removed", runs, 0);
    let elapsed = started.elapsed();

    let phases = [none, with, again];
    check_requests(&phases);
    println!(
        "live plan with and without {count} application services, through a client bundle (mTLS front {}{}, HTTP/1.1)",
        front.docker_host(),
        relay
            .as_ref()
            .map(|r| format!(", behind a relay of {} ms RTT at {}", rtt, r.docker_host()))
            .unwrap_or_default()
    );
    println!(
        "binary {}; {} CPUs; 1 warm-up then {runs} runs per phase ({:.1} s in all; {count} services created in {:.1} s, removed in {:.1} s)",
        binary.display(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        elapsed.as_secs_f64(),
        created.as_secs_f64(),
        removed.as_secs_f64()
    );
    let met = report(&phases);
    drop(relay);
    drop(front);
    drop(apps);
    drop(core);
    if !met {
        std::process::exit(1);
    }
}

/// A relay of `rtt` in front of `front`, and the bundle in `dir` pointed at it.
fn through_relay(front: &TlsFront, dir: &std::path::Path, rtt: Duration) -> Relay {
    let relay = Relay::start(front.addr(), rtt, true);
    relay.point_bundle(dir);
    relay
}

/// With `LIVE_PLAN_APPS_HOLD=N`, keeps the swarm with its applications for N seconds after
/// phase 2 and prints the plan command, to profile it by hand.
fn hold(plan: &Plan<'_>) {
    let Ok(secs) = std::env::var("LIVE_PLAN_APPS_HOLD") else {
        return;
    };
    let secs: u64 = secs
        .parse()
        .expect("LIVE_PLAN_APPS_HOLD: a number of seconds");
    eprintln!(
        "holding {secs} s: {} plan --bundle {} --spec {} --output json",
        plan.binary.display(),
        plan.bundle.display(),
        plan.spec.display()
    );
    std::thread::sleep(Duration::from_secs(secs));
}

/// `var` as a positive number, or `default` when unset.
fn positive_env(var: &str, default: usize) -> usize {
    std::env::var(var).ok().map_or(default, |v| {
        v.parse::<usize>()
            .ok()
            .filter(|&n| n > 0)
            .unwrap_or_else(|| panic!("{var}={v:?}: expected a positive number"))
    })
}

impl Plan<'_> {
    /// One warm-up, then `runs` timed plans, each expecting `apps` routes.
    fn phase(&self, label: &str, runs: usize, apps: usize) -> Phase {
        let warm_up = self.run(apps);
        let mut samples = Vec::new();
        let mut engine = Vec::new();
        for _ in 0..runs {
            samples.push(self.run(apps));
            engine.push(self.list_services());
        }
        Phase {
            label: label.to_string(),
            warm_up,
            samples,
            engine,
        }
    }

    /// How long the engine takes to answer `GET /services` (the list the plan reads) on its
    /// socket, without the front.
    fn list_services(&self) -> Duration {
        let start = Instant::now();
        let answer = self
            .api
            .call(Call::get("/services"))
            .unwrap_or_else(|e| panic!("GET /services: {e}"));
        assert!(answer.ok(), "GET /services: {answer:?}");
        start.elapsed()
    }

    /// Runs the plan once, checks its output and returns what it cost.
    fn run(&self, apps: usize) -> Sample {
        let mut cmd = Command::new(&self.binary);
        cmd.args(["--color", "never", "plan", "--bundle"])
            .arg(&self.bundle)
            .arg("--spec")
            .arg(&self.spec)
            .args(["--output", "json"]);
        for var in DOCKER_ENV {
            cmd.env_remove(var);
        }
        let front = self.front;
        let (requests, handshakes) = (front.requests(), front.handshakes());
        let logged = front.request_log().len();
        let start = Instant::now();
        let out = cmd.output().expect("running interlock-split plan");
        let wall = start.elapsed();
        let stdout = String::from_utf8_lossy(&out.stdout);
        if let Err(e) = check_plan(out.status.code(), &stdout, apps) {
            panic!(
                "the plan ({apps} applications): {e}\nexit {:?}\n--- stdout\n{}\n--- stderr\n{}",
                out.status.code(),
                stdout.chars().take(3000).collect::<String>(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Sample {
            wall,
            requests: front.requests() - requests,
            handshakes: front.handshakes() - handshakes,
            log: front.request_log().split_off(logged),
        }
    }
}

/// The plan ran without an error and routes each of the `apps` applications.
fn check_plan(code: Option<i32>, stdout: &str, apps: usize) -> Result<(), String> {
    let out: Value = serde_json::from_str(stdout).map_err(|e| format!("not JSON ({e})"))?;
    let plan = &out["result"];
    if plan["summary"]["errors"] != 0 {
        return Err(format!("the plan has errors: {}", plan["summary"]));
    }
    if code != Some(0) {
        return Err("the plan failed".into());
    }
    let routes = plan["routes"].as_array().map_or(0, Vec::len);
    if routes != apps {
        return Err(format!("{routes} routes for {apps} applications"));
    }
    let unrouted = plan["routes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["after"].is_null())
        .count();
    if unrouted > 0 {
        return Err(format!(
            "{unrouted} applications routed by no cluster after"
        ));
    }
    Ok(())
}

/// Every run made the same requests, whatever the number of services, and none named one
/// service: the plan reads lists. (In any order: the independent reads go out together.)
fn check_requests(phases: &[Phase]) {
    let sorted = |log: &[String]| {
        let mut log = log.to_vec();
        log.sort();
        log
    };
    let first = sorted(&phases[0].warm_up.log);
    for p in phases {
        for s in std::iter::once(&p.warm_up).chain(&p.samples) {
            if let Some(r) = s.log.iter().find(|r| r.contains(PREFIX)) {
                panic!("{}: a request for one application: {r}", p.label);
            }
            assert_eq!(
                sorted(&s.log),
                first,
                "{}: other requests than with no application",
                p.label
            );
        }
    }
}

/// Prints the table, the requests and the verdict; whether the target is met.
fn report(phases: &[Phase]) -> bool {
    println!();
    println!(
        "{:<36} {:>8} {:>8} {:>8} {:>14} {:>16} {:>22}",
        "", "min ms", "median", "max ms", "API requests", "TLS handshakes", "engine GET /services"
    );
    for p in phases {
        let walls = sorted_ms(&p.samples);
        let mut engine: Vec<f64> = p.engine.iter().map(|d| ms(*d)).collect();
        engine.sort_by(f64::total_cmp);
        println!(
            "{:<36} {:>8.1} {:>8.1} {:>8.1} {:>14} {:>16} {:>19.1} ms",
            p.label,
            walls[0],
            median(&walls),
            walls[walls.len() - 1],
            range(p.samples.iter().map(|s| s.requests)),
            range(p.samples.iter().map(|s| s.handshakes)),
            median(&engine),
        );
    }
    println!();
    println!("requests of every run, in every phase (the same list, in any order):");
    println!("    {}", phases[0].warm_up.log.join(", "));
    println!();
    // Phase 3 is not the baseline: right after a thousand removals the swarm is still busy
    // (its medians run higher), which would flatter the ratio.
    let (base, with) = (
        median(&sorted_ms(&phases[0].samples)),
        median(&sorted_ms(&phases[1].samples)),
    );
    let ratio = with / base;
    let met = ratio <= TARGET_RATIO;
    println!(
        "target \"the plan with {} within {TARGET_RATIO}x the plan with none\": {}: median {with:.1} ms / {base:.1} ms = {ratio:.2}x",
        phases[1].label,
        if met { "MET" } else { "NOT MET" }
    );
    let engine = |p: &Phase| {
        let mut v: Vec<f64> = p.engine.iter().map(|d| ms(*d)).collect();
        v.sort_by(f64::total_cmp);
        median(&v)
    };
    println!(
        "of the plan's +{:.1} ms, the engine's own answer to GET /services on its socket takes +{:.1} ms ({:.1} -> {:.1} ms)",
        with - base,
        engine(&phases[1]) - engine(&phases[0]),
        engine(&phases[0]),
        engine(&phases[1])
    );
    met
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The samples' wall times in milliseconds, sorted.
fn sorted_ms(samples: &[Sample]) -> Vec<f64> {
    let mut walls: Vec<f64> = samples.iter().map(|s| ms(s.wall)).collect();
    walls.sort_by(f64::total_cmp);
    walls
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
