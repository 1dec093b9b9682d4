//! The tables and the verdicts of the latency bench.

use std::time::Duration;

use crate::common::{range, stats};
use crate::contenders::{Bench, Op, Route, Sample};
use crate::support::docker_ok;

/// How many rounds ran, and how long they took.
pub struct Rounds {
    pub runs: usize,
    pub apply_runs: usize,
    pub read_time: Duration,
    pub write_time: Duration,
}

/// A target: the tool's median at most `ratio` times the docker CLI's, for `op` through the
/// relay of `rtt_ms` with TCP_NODELAY.
struct Target {
    op: Op,
    rtt_ms: u128,
    ratio: f64,
    name: &'static str,
}

const TARGETS: [Target; 3] = [
    Target {
        op: Op::Plan,
        rtt_ms: 50,
        ratio: 0.55,
        name: "live plan at 50 ms RTT <= 0.55x docker service inspect + config inspect",
    },
    Target {
        op: Op::Status,
        rtt_ms: 50,
        ratio: 0.5,
        name: "status at 50 ms RTT <= 0.5x docker service ls + service ps",
    },
    Target {
        op: Op::Plan,
        rtt_ms: 0,
        ratio: 0.5,
        name: "live plan on the loopback (0 ms, TCP_NODELAY) <= 0.5x the docker reads",
    },
];

/// Prints everything; returns the targets missed.
pub fn print(
    bench: &Bench,
    routes: &[Route],
    reads: &[Sample],
    writes: &[Sample],
    rounds: &Rounds,
) -> Vec<&'static str> {
    let docker_version = docker_ok(&[
        "version",
        "--format",
        "{{.Client.Version}} (engine {{.Server.Version}}, API {{.Server.APIVersion}})",
    ]);
    println!(
        "plan, status and apply vs the documented docker CLI steps, through a client bundle \
         (mTLS front {}, HTTP/1.1; the \"h2 front\" rows: a second one offering h2 first) \
         behind a delaying relay",
        bench.front.docker_host()
    );
    println!(
        "binary {}; docker CLI {docker_version}; {} CPUs",
        bench.binary.display(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "reads: 1 warm-up round, then {} rounds, alternating ({:.1} s); apply: the split, 1 warm-up \
         round, then {} rounds ({:.1} s)",
        rounds.runs,
        rounds.read_time.as_secs_f64(),
        rounds.apply_runs,
        rounds.write_time.as_secs_f64()
    );
    println!(
        "per run: conns = TCP connections, flights = client flights (round trips) at the relay; \
         TLS = handshakes, reqs = API requests, h2 = of them over HTTP/2 at the front"
    );
    for op in [Op::Plan, Op::Status, Op::Apply] {
        let samples = if op == Op::Apply { writes } else { reads };
        table(op, routes, samples);
    }
    println!();
    h2_ratios(routes, reads, writes);
    println!();
    let mut missed = exits(routes, writes);
    println!();
    for t in &TARGETS {
        let route = routes
            .iter()
            .position(|r| !r.h2 && r.relay.nodelay() && r.relay.rtt().as_millis() == t.rtt_ms)
            .expect("a relay for every target");
        let ratio = median(reads, t.op, true, route) / median(reads, t.op, false, route);
        let met = ratio <= t.ratio;
        println!(
            "target \"{}\": {} ({ratio:.2}x)",
            t.name,
            if met { "MET" } else { "NOT MET" }
        );
        if !met {
            missed.push(t.name);
        }
    }
    missed
}

fn label(op: Op, by_tool: bool) -> &'static str {
    match (op, by_tool) {
        (Op::Plan, true) => "interlock-split plan --bundle … --output json",
        (Op::Plan, false) => "docker service inspect + config inspect",
        (Op::Status, true) => "interlock-split status --bundle …",
        (Op::Status, false) => "docker service ls + service ps",
        (Op::Apply, true) => "interlock-split apply --bundle … --auto-approve",
        (Op::Apply, false) => "docker config create + service update",
    }
}

fn route_label(route: &Route) -> String {
    format!(
        "{} ms{}{}",
        route.relay.rtt().as_millis(),
        if route.relay.nodelay() {
            ""
        } else {
            ", no TCP_NODELAY"
        },
        if route.h2 { ", h2 front" } else { "" }
    )
}

fn of(samples: &[Sample], op: Op, by_tool: bool, route: usize) -> Vec<&Sample> {
    samples
        .iter()
        .filter(|s| s.op == op && s.by_tool == by_tool && s.route == route)
        .collect()
}

fn median(samples: &[Sample], op: Op, by_tool: bool, route: usize) -> f64 {
    stats(
        of(samples, op, by_tool, route)
            .iter()
            .map(|s| s.wall_ms)
            .collect(),
    )
    .1
}

/// One table: a row per route and contender.
fn table(op: Op, routes: &[Route], samples: &[Sample]) {
    println!();
    println!(
        "{:<24} {:<48} {:>9} {:>9} {:>9} {:>6} {:>6} {:>8} {:>5} {:>5} {:>5}",
        "RTT", "", "min ms", "median", "max ms", "ratio", "conns", "flights", "TLS", "reqs", "h2"
    );
    for (r, route) in routes.iter().enumerate() {
        let docker = of(samples, op, false, r);
        if docker.is_empty() {
            continue;
        }
        let docker_median = median(samples, op, false, r);
        for by_tool in [true, false] {
            let s = of(samples, op, by_tool, r);
            let (lo, med, hi) = stats(s.iter().map(|s| s.wall_ms).collect());
            println!(
                "{:<24} {:<48} {lo:>9.1} {med:>9.1} {hi:>9.1} {:>6} {:>6} {:>8} {:>5} {:>5} {:>5}",
                if by_tool {
                    route_label(route)
                } else {
                    String::new()
                },
                label(op, by_tool),
                if by_tool {
                    format!("{:.2}", med / docker_median)
                } else {
                    String::new()
                },
                range(s.iter().map(|s| s.relay.connections)),
                range(s.iter().map(|s| s.relay.flights)),
                range(s.iter().map(|s| s.handshakes)),
                range(s.iter().map(|s| s.requests)),
                range(s.iter().map(|s| s.h2_requests)),
            );
        }
    }
}

/// The tool through the h2 front against the tool through the HTTP/1.1 front at the same RTT,
/// and against the docker CLI through the h2 front.
fn h2_ratios(routes: &[Route], reads: &[Sample], writes: &[Sample]) {
    for (r, route) in routes.iter().enumerate().filter(|(_, r)| r.h2) {
        let Some(h1) = routes.iter().position(|o| {
            !o.h2
                && o.relay.nodelay() == route.relay.nodelay()
                && o.relay.rtt() == route.relay.rtt()
        }) else {
            continue;
        };
        for op in [Op::Plan, Op::Status, Op::Apply] {
            let samples = if op == Op::Apply { writes } else { reads };
            if of(samples, op, true, r).is_empty() || of(samples, op, true, h1).is_empty() {
                continue;
            }
            let tool = median(samples, op, true, r);
            println!(
                "{:?} through the {}: {:.2}x the tool through the HTTP/1.1 front, {:.2}x the docker CLI through the same front",
                op,
                route_label(route),
                tool / median(samples, op, true, h1),
                tool / median(samples, op, false, r),
            );
        }
    }
}

/// One watch tick: the time between the starts of two polls of the update.
const WATCH_TICK_MS: f64 = 100.0;
/// apply's exit after `CompletedAt` on the loopback (the outcome label written).
const LOOPBACK_EXIT_MS: f64 = 300.0;

/// A row of the exits table: what, by the tool, the figure, the target on its median.
type ExitRow = (&'static str, bool, fn(&Sample) -> Option<f64>, Option<f64>);

/// The time from swarm's `CompletedAt` of the core's update to apply's watch deciding (when
/// it sent the outcome label) and to the exit, per route, and the docker CLI's exit; the
/// targets on apply's medians; returns the targets missed.
fn exits(routes: &[Route], writes: &[Sample]) -> Vec<&'static str> {
    println!(
        "after swarm's CompletedAt of the core's update (ms; targets on apply's medians: the watch \
         decides within one tick, {WATCH_TICK_MS} ms, + one RTT; on the loopback apply exits \
         within {LOOPBACK_EXIT_MS} ms; at a distance it exits after the outcome label's write, \
         one more round trip)"
    );
    println!(
        "{:<24} {:<48} {:>9} {:>9} {:>9} {:>14}",
        "RTT", "", "min ms", "median", "max ms", "target"
    );
    let mut missed = Vec::new();
    for (r, route) in routes.iter().enumerate() {
        let rtt = route.relay.rtt().as_secs_f64() * 1e3;
        let rows: [ExitRow; 3] = [
            (
                "apply: the watch decided",
                true,
                |s| s.decided_after_completed_ms,
                Some(WATCH_TICK_MS + rtt),
            ),
            (
                "apply: exit",
                true,
                |s| s.exit_after_completed_ms,
                (rtt == 0.0).then_some(LOOPBACK_EXIT_MS),
            ),
            (
                label(Op::Apply, false),
                false,
                |s| s.exit_after_completed_ms,
                None,
            ),
        ];
        for (i, (what, by_tool, field, limit)) in rows.into_iter().enumerate() {
            let s = of(writes, Op::Apply, by_tool, r);
            if s.is_empty() {
                continue;
            }
            let (lo, med, hi) = stats(s.iter().filter_map(|s| field(s)).collect());
            let verdict = match limit {
                None => String::new(),
                Some(l) if med <= l => format!("{l:.0} MET"),
                Some(l) => {
                    missed.push(match i {
                        0 => "apply's watch decides within one tick (100 ms) + one RTT of CompletedAt",
                        _ => "apply exits within 300 ms of CompletedAt on the loopback",
                    });
                    format!("{l:.0} NOT MET")
                }
            };
            let first = if i == 0 {
                route_label(route)
            } else {
                String::new()
            };
            println!("{first:<24} {what:<48} {lo:>9.1} {med:>9.1} {hi:>9.1} {verdict:>14}");
        }
    }
    missed.dedup();
    missed
}
