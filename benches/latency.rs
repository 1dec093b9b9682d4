//! `plan`, `status` and `apply` against the documented docker CLI steps at a set round-trip
//! time, on the local swarm, through a client bundle: the test bed's mTLS front (standing in
//! for UCP's API) behind a user-space relay that delays every chunk by RTT/2 each way
//! (benches/common/relay.rs; there is no netem here).
//!
//! Side by side, with the same bundle and TLS settings, through the same relay:
//!
//! - plan: `interlock-split plan --bundle … --spec … --output json` vs `docker service inspect`
//!   of `ucp-interlock` + `docker config inspect` of the config at `/config.toml`;
//! - status: `interlock-split status --bundle …` vs `docker service ls` + `docker service ps`
//!   of the three interlock services;
//! - apply: `interlock-split apply --bundle … --auto-approve` vs `docker config create` +
//!   `docker service update --config-rm … --config-add …`, a change that needs exactly those two
//!   writes (an nginx setting, as in benches/apply.rs; the split to one cluster that keeps the
//!   default names is done first, not timed).
//!
//! The relays: 0 ms without TCP_NODELAY (as socat: small writes wait for a delayed ACK), and
//! 0, 50 and 100 ms with TCP_NODELAY (as Go servers and UCP's API do), in front of a front
//! that offers http/1.1 alone; and 0 and 50 ms with TCP_NODELAY in front of a second front
//! that offers h2 first (the tool then speaks HTTP/2 on one connection; the docker CLI stays on
//! HTTP/1.1, which the front's count of HTTP/2 requests shows). After one warm-up round, every
//! round runs each contender once through each relay, alternating (`LATENCY_RUNS` rounds,
//! default 5; apply through the TCP_NODELAY relays of the HTTP/1.1 front and the 50 ms one of
//! the h2 front, `LATENCY_APPLY_RUNS` rounds, default 2, each taking swarm's 5 s update
//! monitor). Printed for each: min/median/max wall time, and per run the TCP connections and
//! client flights (the times a client sent after having received: round trips) the relay
//! counted, and the TLS handshakes, API requests and HTTP/2 requests the front counted; for
//! apply also the time from swarm's `CompletedAt` of the core's update to the command's exit
//! and, for the tool, to its watch's decision: apply sends its outcome label the moment the
//! watch decides, so the decision is when the front received that write less half a round trip.
//!
//! Targets: plan at 50 ms ≤ 0.55× the docker reads; status at 50 ms ≤ 0.5× service ls +
//! service ps; plan at 0 ms (TCP_NODELAY) ≤ 0.5×; through every relay apply's watch deciding
//! at most one watch tick (100 ms) plus one round trip after `CompletedAt`, and on the loopback
//! apply exiting within 300 ms of it, medians. A missed target ends the bench with exit
//! status 1.
//!
//! Run with `cargo bench --bench latency` (or `benches/latency.sh`). Needs a Docker engine
//! (swarm mode is initialised when inactive); without one it prints `SKIP …` and exits 0.

// The test bed; its mod.rs carries `#![allow(dead_code)]` (a bench uses only part of it).
use interlock_testbed as support;

mod common;
#[path = "latency/contenders.rs"]
mod contenders;
#[path = "latency/report.rs"]
mod report;

use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

use common::relay::Relay;
use common::release_binary;
use contenders::{Bench, Op, Route, Sample};
use support::bed::CORE_SERVICE;
use support::{Core, TlsFront, TlsOptions};

/// The config the stand-in core starts with.
const DEFAULT_TOML: &str = include_str!("../fixtures/ucp-3.1-default.toml");
/// How long to wait for the core's services.
const WAIT: Duration = Duration::from_secs(60);

fn main() {
    if !support::docker_available("latency benchmark") {
        return;
    }
    let runs = count_from_env("LATENCY_RUNS", 5);
    let apply_runs = count_from_env("LATENCY_APPLY_RUNS", 2);
    let binary = release_binary();

    let core = Core::deploy(DEFAULT_TOML);
    core.wait_running("ucp-interlock-proxy", 2, WAIT);
    core.wait_running("ucp-interlock-extension", 1, WAIT);
    core.wait_running(CORE_SERVICE, 1, WAIT);
    let host = support::bed::hostname(&core.node);
    let front = Rc::new(TlsFront::start(TlsOptions::default()));
    let tmp = tempfile::tempdir().expect("temporary directory");
    let routes = routes(&front, tmp.path());
    let mut bench = Bench::new(binary, front, tmp.path(), &host);

    let started = std::time::Instant::now();
    let mut reads: Vec<Sample> = Vec::new();
    for round in 0..=runs {
        for (r, route) in routes.iter().enumerate() {
            for op in [Op::Plan, Op::Status] {
                for by_tool in [true, false] {
                    let s = bench.read(route, op, by_tool);
                    if round > 0 {
                        reads.push(s.at(r));
                    }
                }
            }
        }
    }
    let read_time = started.elapsed();

    let started = std::time::Instant::now();
    bench.split(&core);
    let mut writes: Vec<Sample> = Vec::new();
    for round in 0..=apply_runs {
        for (r, route) in routes.iter().enumerate().filter(|(_, r)| applies(r)) {
            for by_tool in [true, false] {
                let s = bench.apply(route, by_tool, &core);
                if round > 0 {
                    writes.push(s.at(r));
                }
            }
        }
    }
    let write_time = started.elapsed();

    let rounds = report::Rounds {
        runs,
        apply_runs,
        read_time,
        write_time,
    };
    let missed = report::print(&bench, &routes, &reads, &writes, &rounds);
    drop(routes);
    drop(bench);
    drop(tmp);
    drop(core);
    common::exit_on_miss(&missed);
}

/// A positive count from `var`, else `default`.
fn count_from_env(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .map(|v| {
            v.parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
                .unwrap_or_else(|| panic!("{var}={v:?}: expected a positive number"))
        })
        .unwrap_or(default)
}

/// The relays: in front of `front` (HTTP/1.1 alone) at 0 ms without TCP_NODELAY, and at 0, 50
/// and 100 ms with it; in front of a second front offering h2 at 0 and 50 ms with it.
fn routes(front: &Rc<TlsFront>, tmp: &Path) -> Vec<Route> {
    let h2_front = Rc::new(TlsFront::start(TlsOptions {
        http2: true,
        ..TlsOptions::default()
    }));
    [
        (0, false, false),
        (0, true, false),
        (50, true, false),
        (100, true, false),
        (0, true, true),
        (50, true, true),
    ]
    .into_iter()
    .map(|(ms, nodelay, h2)| {
        let behind = if h2 { &h2_front } else { front };
        let relay = Relay::start(behind.addr(), Duration::from_millis(ms), nodelay);
        Route::new(relay, Rc::clone(behind), h2, tmp)
    })
    .collect()
}

/// Whether apply runs through `route`: every TCP_NODELAY relay of the HTTP/1.1 front, and the
/// 50 ms one of the h2 front (each apply costs swarm's 5 s monitor, so not more).
fn applies(route: &Route) -> bool {
    route.relay.nodelay() && (!route.h2 || route.relay.rtt().as_millis() == 50)
}

/// Where a bundle for `route` lives.
fn bundle_dir(tmp: &Path, relay: &Relay, h2: bool) -> PathBuf {
    tmp.join(format!(
        "bundle-{}ms-{}{}",
        relay.rtt().as_millis(),
        if relay.nodelay() { "nodelay" } else { "nagle" },
        if h2 { "-h2" } else { "" }
    ))
}
