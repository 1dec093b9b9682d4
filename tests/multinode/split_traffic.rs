//! Benchmarks (`tests/traffic_during_apply.sh apps`), not timed tests: HTTP at 20 requests/s
//! per application host while apply splits a cluster whose applications carry no
//! service-cluster label, as the walk-through does (the default extension renamed, its proxy
//! removed), on the stand-in core. The walk-through's spec alone is refused (`route-lost`);
//! with `catch_all` on prod, or with `apps` moving every application to dev, the saved plan is
//! applied while each host is probed through a front that fails over from the old proxy's node
//! to the new cluster's, from apply's start to 1 s after the old proxy stops answering; per
//! host: sent, failed, the longest gap, when the failures were (against apply's steps), when
//! the new node alone first answered, and the gap the plan announced (`routes[].gap`), which
//! must match.

use super::split_routes::base_spec;
use super::*;
use interlock_model::route::labels;
use support::multinode_apps::{App, AppService};
use support::multinode_core::http_request;
use support::prober_by_host::{HostProber, HostStats, HostTarget};

/// The unlabelled applications: service, host.
const APPS: [(&str, &str); 3] = [
    ("plain", "plain.example"),
    ("shop", "shop.example"),
    ("blog", "blog.example"),
];
/// The worker of the default proxy before the split: a node of none of the new clusters.
const OLD_WORKER: usize = 3;
/// The default proxy's HTTP port (UCP's default config).
const OLD_PORT: u16 = 8080;

/// Where the spec sends the unlabelled applications.
#[derive(Debug, Clone, Copy)]
enum Keep {
    /// `catch_all = true` on prod: prod's extension keeps the default, unnamed service cluster.
    CatchAllOnProd,
    /// `apps = [...]` on dev: each application relabelled for dev.
    AppsToDev,
}

impl Keep {
    /// The new cluster's worker and HTTP port.
    fn target(self) -> (usize, u16) {
        match self {
            Keep::CatchAllOnProd => (2, ENVIRONMENTS[2].1),
            Keep::AppsToDev => (0, ENVIRONMENTS[0].1),
        }
    }

    fn spec(self, bed: &MultiNode) -> String {
        let base = base_spec(bed);
        match self {
            Keep::CatchAllOnProd => base.replacen(
                "[clusters.prod]\n",
                "[clusters.prod]\ncatch_all = true\n",
                1,
            ),
            Keep::AppsToDev => {
                let names: Vec<&str> = APPS.iter().map(|a| a.0).collect();
                base.replacen(
                    "[clusters.dev]\n",
                    &format!("[clusters.dev]\napps = {names:?}\n"),
                    1,
                )
            }
        }
    }
}

/// The walk-through's workers and one more for the default proxy (host mode, 1 replica, pinned
/// there by an `ingress=true` label); the unlabelled applications on an overlay network, each
/// answered by the default proxy.
fn traffic_bed() -> (MultiNode, Vec<AppService>) {
    let bed = MultiNode::start(&["/dev", "/test", "/prod", "/"]);
    let host = bed.worker(OLD_WORKER).hostname.clone();
    bed.docker_ok(&["node", "update", "--label-add", "ingress=true", &host]);
    let net = bed.create_network("apps", &[]);
    std::mem::forget(net); // the bed's teardown removes it with the engines
    let apps = APPS
        .iter()
        .map(|(name, host)| {
            bed.deploy_app(&App {
                networks: vec!["apps".into()],
                ..App::new(name, 8080)
                    .label(labels::HOSTS, host)
                    .label(labels::PORT, "8080")
            })
        })
        .collect();
    let toml = DEFAULT_TOML
        .replace(r#"PublishMode = "ingress""#, r#"PublishMode = "host""#)
        .replace("ProxyReplicas = 2", "ProxyReplicas = 1")
        .replace(
            r#"ProxyConstraints = ["#,
            r#"ProxyConstraints = ["node.labels.ingress==true", "#,
        );
    bed.deploy_core(&toml);
    for (_, host) in APPS {
        support::wait_for(
            &format!("{host} answered by the default proxy"),
            WAIT,
            || {
                http_request(&bed.worker(OLD_WORKER).address, OLD_PORT, host, "/")
                    .ok()
                    .filter(|a| a.status == 200)
            },
            || bed.explain("ucp-interlock-proxy"),
        );
    }
    (bed, apps)
}

/// The walk-through's spec alone cuts every application: the plan names each (`route-lost`).
fn assert_refused(bed: &MultiNode, bundle: &str, dir: &std::path::Path) {
    let spec = write(dir, "walkthrough.toml", &base_spec(bed));
    let out = tool(&[
        "plan", "--bundle", bundle, "--spec", &spec, "--output", "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let lost = json(&out)["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["code"] == "route-lost")
        .count();
    assert_eq!(lost, APPS.len(), "{}", show(&out));
}

/// `plan --out`: the saved plan's path and its plan.
fn save_plan(bundle: &str, spec: &str, dir: &std::path::Path) -> (String, Value) {
    let path = dir.join("split.plan").to_string_lossy().into_owned();
    let out = tool(&["plan", "--bundle", bundle, "--spec", spec, "--out", &path]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    (path, saved["plan"].clone())
}

/// The gap the plan announces for `service`: `(from_step, until_step)`, or none.
fn announced(plan: &Value, service: &str) -> Option<(usize, usize)> {
    let r = plan["routes"]
        .as_array()
        .expect("routes[]")
        .iter()
        .find(|r| r["service"] == service)
        .unwrap_or_else(|| panic!("{service} in routes[]: {plan:#}"));
    let gap = &r["gap"];
    (!gap.is_null()).then(|| {
        let n = |k: &str| gap[k].as_u64().expect("step number") as usize;
        (n("from_step"), n("until_step"))
    })
}

/// Each step's start and end, from the prober's start: apply's own start (`took` less the
/// steps' time) and then the steps one after the other.
fn step_times(report: &Value, took: Duration) -> Vec<(String, Duration, Duration)> {
    let steps = report["steps"].as_array().expect("steps[]");
    let millis = |s: &Value| Duration::from_millis(s["millis"].as_u64().unwrap_or(0));
    let total: Duration = steps.iter().map(millis).sum();
    let mut at = took.saturating_sub(total);
    steps
        .iter()
        .map(|s| {
            let start = at;
            at += millis(s);
            let kind = s["action"]["kind"].as_str().unwrap_or("?").to_string();
            (kind, start, at)
        })
        .collect()
}

fn secs(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64())
}

/// The row of one host: its figures, when its failures were, and the announced gap.
fn row(s: &HostStats, gap: Option<(usize, usize)>) -> String {
    let failures = s
        .failures
        .map_or("-".into(), |(a, b)| format!("{}–{} s", secs(a), secs(b)));
    let gap = gap.map_or("none".into(), |(a, b)| format!("steps {a}–{b}"));
    let first = s
        .first_answer
        .map_or("-".into(), |d| format!("{} s", secs(d)));
    format!(
        "{:<14} {:<36} {:>5} {:>7} {:>12} {:>14} {:>13} {:>12}",
        s.host,
        s.endpoints,
        s.sent,
        s.failed,
        format!("{:.2?}", s.longest_gap),
        failures,
        first,
        gap
    )
}

/// The failures of a host match the gap the plan announced: none without one; with one, some,
/// all between the start of its first step and the end of its last (with 0.5 s for the
/// probe's rhythm and apply's own start).
fn assert_consistent(
    s: &HostStats,
    gap: Option<(usize, usize)>,
    steps: &[(String, Duration, Duration)],
) {
    match (gap, s.failures) {
        (None, None) => {}
        (None, Some(_)) => panic!(
            "{}: {} failed with no gap announced: {s:?}",
            s.host, s.failed
        ),
        (Some(g), None) => panic!(
            "{}: the plan announced a gap {g:?} and none was seen",
            s.host
        ),
        (Some((from, until)), Some((first, last))) => {
            let slack = Duration::from_millis(500);
            let (begin, end) = (steps[from - 1].1, steps[until - 1].2);
            assert!(
                first + slack >= begin && last <= end + slack,
                "{}: failures {first:?}–{last:?} outside steps {from}–{until} ({begin:?}–{end:?})",
                s.host
            );
        }
    }
}

/// Plans with `keep`, then probes every host through a front over the old proxy's node and
/// the new cluster's (and through the new one alone) while apply runs the saved plan, to 1 s
/// after the old proxy stops answering (which is after apply exits); prints the figures and
/// checks the front's against the plan's gaps.
fn traffic_during_split(keep: Keep) {
    let (bed, apps) = traffic_bed();
    let dir = tempfile::tempdir().unwrap();
    let bundle = bed.bundle(dir.path());
    assert_refused(&bed, &bundle, dir.path());
    let spec = write(dir.path(), "spec.toml", &keep.spec(&bed));
    let (plan_file, plan) = save_plan(&bundle, &spec, dir.path());
    let (worker, port) = keep.target();
    let front = [
        (bed.worker(OLD_WORKER).address.clone(), OLD_PORT),
        (bed.worker(worker).address.clone(), port),
    ];
    // Each host through the front, then through the new cluster's node alone (when it first
    // answers there: the route the front fails over to once the old proxy stops).
    let targets: Vec<HostTarget> = [front.to_vec(), front[1..].to_vec()]
        .iter()
        .flat_map(|endpoints| {
            APPS.iter().map(|(_, host)| HostTarget {
                host: host.to_string(),
                endpoints: endpoints.clone(),
            })
        })
        .collect();
    let rate = support::prober::Rate {
        interval: Duration::from_millis(50),
        max_count: 6_000,
        max_time: Duration::from_secs(300),
    };
    let prober = HostProber::start(&targets, rate);
    let started = std::time::Instant::now();
    let out = tool(&[
        "apply",
        &plan_file,
        "--bundle",
        &bundle,
        "--auto-approve",
        "--output",
        "json",
        "--backup-dir",
        &dir.path().to_string_lossy(),
    ]);
    let took = started.elapsed();
    // apply is done once it has removed the old proxy; its task stops a few seconds later:
    // probe on until then, and 1 s more.
    let stopped = old_proxy_stopped(&bed).map(|()| started.elapsed());
    std::thread::sleep(Duration::from_secs(1));
    let stats = prober.finish();
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let steps = step_times(&json(&out), took);
    report(keep, (took, stopped), &steps, &stats, &plan);
    assert!(stopped.is_some(), "the old proxy was retired and stopped");
    for s in &stats[APPS.len()..] {
        assert!(s.first_answer.is_some(), "the new route serves: {s:?}");
    }
    for (s, (service, _)) in stats.iter().zip(APPS) {
        let gap = announced(&plan, service);
        if matches!(keep, Keep::CatchAllOnProd) {
            assert_eq!(s.failed, 0, "{}: catch_all loses no request: {s:?}", s.host);
        }
        assert_consistent(s, gap, &steps);
    }
    drop(bed);
    drop(apps);
    assert_no_leftovers();
}

/// Waits (up to 30 s) until the old proxy's node answers no application host.
fn old_proxy_stopped(bed: &MultiNode) -> Option<()> {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        let answered = APPS.iter().any(|(_, host)| {
            http_request(&bed.worker(OLD_WORKER).address, OLD_PORT, host, "/")
                .is_ok_and(|a| a.status == 200)
        });
        if !answered {
            return Some(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

fn report(
    keep: Keep,
    (took, stopped): (Duration, Option<Duration>),
    steps: &[(String, Duration, Duration)],
    stats: &[HostStats],
    plan: &Value,
) {
    let stopped = stopped.map_or("not within 30 s".into(), |d| format!("at {} s", secs(d)));
    eprintln!(
        "\n{keep:?}: apply took {took:.1?}; the old proxy stopped answering {stopped}; \
         apply's steps, from the probes' start:"
    );
    for (i, (kind, start, end)) in steps.iter().enumerate() {
        eprintln!(
            "  {:>2}. {kind:<22} {}–{} s",
            i + 1,
            secs(*start),
            secs(*end)
        );
    }
    eprintln!(
        "{:<14} {:<36} {:>5} {:>7} {:>12} {:>14} {:>13} {:>12}",
        "host",
        "front (old node|new), new node",
        "sent",
        "failed",
        "longest gap",
        "failures",
        "first answer",
        "plan's gap"
    );
    for (s, (service, _)) in stats.iter().zip(APPS.iter().cycle()) {
        eprintln!("{}", row(s, announced(plan, service)));
    }
}

/// A benchmark (`tests/traffic_during_apply.sh apps`): prod keeps the unlabelled applications.
#[test]
#[ignore = "a benchmark: run tests/traffic_during_apply.sh apps"]
fn traffic_during_split_with_catch_all() {
    if available("traffic_during_split_with_catch_all") {
        traffic_during_split(Keep::CatchAllOnProd);
    }
}

/// A benchmark (`tests/traffic_during_apply.sh apps`): every application relabelled for dev.
#[test]
#[ignore = "a benchmark: run tests/traffic_during_apply.sh apps"]
fn traffic_during_split_with_apps() {
    if available("traffic_during_split_with_apps") {
        traffic_during_split(Keep::AppsToDev);
    }
}
