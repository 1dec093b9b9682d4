//! On a production-shaped swarm (one manager, three workers in the collections /dev, /test,
//! /prod, each a `dockerd` in its own network namespace, see `support::multinode`), through a
//! client bundle and the real binary: the seed walk-through's dev/test/prod split with one label
//! key and three values, answered over HTTP by each environment's proxy on its own node only;
//! the live plan's node checks on real nodes (unlabelled, too few, drained, down, wrong
//! collection); `status` after a worker's engine stops; and a bed that cleans up after a panic.
//!
//! Skipped (with `SKIP …`) without a Docker engine or where namespaces and engines cannot be
//! made, unless `INTERLOCK_SPLIT_E2E=required`.

use crate::support;

mod managers;
mod partition;

use std::time::Duration;

use serde_json::Value;
use support::cli::{json, show, tool, write};
use support::multinode::{MultiNode, multinode_available};
use support::multinode_core::http_get;

mod handover;
mod routes;
mod split_routes;
mod split_traffic;

const DEFAULT_TOML: &str = include_str!("../fixtures/ucp-3.1-default.toml");
const WAIT: Duration = Duration::from_secs(60);
/// The walk-through's environments: name, HTTP port, HTTPS port, collection (worker `i`).
const ENVIRONMENTS: [(&str, u16, u16, &str); 3] = [
    ("dev", 8082, 8445, "/dev"),
    ("test", 8081, 8444, "/test"),
    ("prod", 8080, 8443, "/prod"),
];
const LABEL_KEY: &str = "com.docker.interlock.service.cluster";

/// Both gates: a Docker engine, and namespaces and engines of our own.
fn available(test: &str) -> bool {
    support::docker_available(test) && multinode_available(test)
}

/// A bed in the walk-through's shape, with the core running UCP's default config.
fn walkthrough_bed() -> MultiNode {
    let collections: Vec<&str> = ENVIRONMENTS.iter().map(|e| e.3).collect();
    let bed = MultiNode::start(&collections);
    bed.deploy_core(DEFAULT_TOML);
    wait_proxies(&bed, "ucp-interlock-proxy", 2);
    bed
}

/// Waits until `service` has `n` running tasks (on any nodes).
fn wait_proxies(bed: &MultiNode, service: &str, n: usize) {
    support::wait_for(
        &format!("{service} to run {n} task(s)"),
        WAIT,
        || (bed.running_nodes(service).len() == n).then_some(()),
        || bed.explain(service),
    );
}

/// The walk-through's spec: host mode, one label key, a value and a node per environment.
fn walkthrough_spec(bed: &MultiNode) -> String {
    spec_for(bed, &ENVIRONMENTS)
}

/// The walk-through's spec with the environments (and ports) given: environment `i` on worker `i`.
fn spec_for(bed: &MultiNode, environments: &[(&str, u16, u16, &str)]) -> String {
    let mut s = format!(
        "[defaults]\nproxy_replicas = 1\npublish_mode = \"host\"\nnode_label_key = \"{LABEL_KEY}\"\n\n"
    );
    for (i, (name, http, https, collection)) in environments.iter().enumerate() {
        s.push_str(&format!(
            "[clusters.{name}]\nhttp_port = {http}\nhttps_port = {https}\nnode_label = \"{name}\"\n\
             collection = \"{collection}\"\nnodes = [\"{}\"]\n\n",
            bed.worker(i).hostname
        ));
    }
    s
}

/// `apply --auto-approve` of `spec`; panics unless it exits 0.
fn apply(bundle: &str, spec: &str, dir: &std::path::Path) {
    let out = tool(&[
        "apply",
        "--bundle",
        bundle,
        "--spec",
        spec,
        "--auto-approve",
        "--backup-dir",
        &dir.to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
}

/// Nothing of a bed is left on the machine.
fn assert_no_leftovers() {
    let _lock = support::multinode::bed_lock();
    let left = support::netns::namespaces();
    assert!(left.is_empty(), "namespaces left: {left:?}");
    let left = support::netns::links();
    assert!(left.is_empty(), "links left: {left:?}");
    assert!(
        !support::netns::has_forward_rule(),
        "the FORWARD rule is left"
    );
    assert!(
        support::engine::stale_engine_pids().is_empty(),
        "engines left"
    );
    assert!(
        !support::engine::bed_root().exists(),
        "the bed's folder is left"
    );
}

#[test]
fn walkthrough_split_serves_each_environment_on_its_own_nodes() {
    if !available("walkthrough_split_serves_each_environment_on_its_own_nodes") {
        return;
    }
    let bed = walkthrough_bed();
    let dir = tempfile::tempdir().unwrap();
    let bundle = bed.bundle(dir.path());
    let spec = write(dir.path(), "spec.toml", &walkthrough_spec(&bed));
    apply(&bundle, &spec, dir.path());

    for (i, (name, http, https, _)) in ENVIRONMENTS.iter().enumerate() {
        let node = bed.worker(i).hostname.clone();
        let label = bed.docker_ok(&[
            "node",
            "inspect",
            "--format",
            &format!("{{{{index .Spec.Labels \"{LABEL_KEY}\"}}}}"),
            &node,
        ]);
        assert_eq!(label, *name, "apply labelled {node}");
        let proxy = format!("ucp-interlock-proxy-{name}");
        bed.wait_running_on(&proxy, &[&node], WAIT);
        bed.wait_running_on(&format!("ucp-interlock-extension-{name}"), &[&node], WAIT);
        // Each environment's ports answer on its node, from its proxy; nowhere else.
        for port in [*http, *https] {
            let expect = format!("service cluster {name}, node {node}");
            let body = support::wait_for(
                &format!("{proxy} to answer on {node}:{port}"),
                WAIT,
                || http_get(&bed.worker(i).address, port).ok(),
                || bed.explain(&proxy),
            );
            assert!(body.contains(&expect), "{node}:{port} answered {body:?}");
            for other in bed.engines.iter().filter(|e| e.hostname != node) {
                let answer = http_get(&other.address, port);
                assert!(
                    answer.is_err(),
                    "{}:{port} answered {answer:?}",
                    other.hostname
                );
            }
        }
    }
    for gone in ["ucp-interlock-proxy", "ucp-interlock-extension"] {
        let out = bed.manager().docker(&["service", "inspect", gone]);
        assert!(!out.status.success(), "{gone} was removed");
    }

    // Then the plan is empty.
    let out = tool(&[
        "plan", "--bundle", &bundle, "--spec", &spec, "--output", "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let plan = json(&out);
    assert_eq!(plan["actions"], Value::Array(Vec::new()), "{}", show(&out));
    assert_eq!(plan["changed"], false, "{}", show(&out));
    drop(bed);
    assert_no_leftovers();
}

/// The finding codes of `plan --output json` with `spec_text`, and the run (for messages).
fn finding_codes(bundle: &str, dir: &std::path::Path, spec_text: &str) -> (Vec<String>, String) {
    let spec = write(dir, "live-spec.toml", spec_text);
    let out = tool(&[
        "plan", "--bundle", bundle, "--spec", &spec, "--output", "json",
    ]);
    let plan = json(&out);
    let codes = plan["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["code"].as_str().map(str::to_string))
        .collect();
    (codes, show(&out))
}

/// A host-mode cluster `prod` with `replicas` proxies, to be placed on `nodes`.
fn prod_spec(replicas: u32, nodes: &[&str]) -> String {
    format!(
        "[clusters.prod]\nhttp_port = 8080\nhttps_port = 8443\nproxy_replicas = {replicas}\n\
         publish_mode = \"host\"\nnode_label = \"prod\"\nnode_label_key = \"{LABEL_KEY}\"\n\
         nodes = {nodes:?}\n"
    )
}

#[test]
fn live_plan_checks_real_nodes() {
    if !available("live_plan_checks_real_nodes") {
        return;
    }
    let mut bed = walkthrough_bed();
    let dir = tempfile::tempdir().unwrap();
    let bundle = bed.bundle(dir.path());
    let (w1, w2, w3) = (
        bed.worker(0).hostname.clone(),
        bed.worker(1).hostname.clone(),
        bed.worker(2).hostname.clone(),
    );

    // No node carries the cluster's label, and none is listed: no proxy can be placed.
    let unplaced = format!(
        "[clusters.qa]\nhttp_port = 8090\nhttps_port = 8490\nnode_label = \"qa\"\nnode_label_key = \"{LABEL_KEY}\"\n"
    );
    let (codes, run) = finding_codes(&bundle, dir.path(), &unplaced);
    assert!(codes.contains(&"no-eligible-node".into()), "{run}");

    // Host mode, two proxies, one labelled node.
    let (codes, run) = finding_codes(&bundle, dir.path(), &prod_spec(2, &[&w3]));
    assert!(codes.contains(&"too-few-nodes".into()), "{run}");
    let (codes, run) = finding_codes(&bundle, dir.path(), &prod_spec(2, &[&w2, &w3]));
    assert!(!codes.contains(&"too-few-nodes".into()), "{run}");

    // A drained node is not counted.
    bed.docker_ok(&["node", "update", "--availability", "drain", &w2]);
    let (codes, run) = finding_codes(&bundle, dir.path(), &prod_spec(2, &[&w2, &w3]));
    assert!(codes.contains(&"too-few-nodes".into()), "drained: {run}");
    bed.docker_ok(&["node", "update", "--availability", "active", &w2]);

    // A node in another collection than the cluster's.
    bed.docker_ok(&[
        "node",
        "update",
        "--label-add",
        &format!("{LABEL_KEY}=dev"),
        &w2,
    ]);
    let dev = format!(
        "[clusters.dev]\nhttp_port = 8082\nhttps_port = 8445\nnode_label = \"dev\"\n\
         node_label_key = \"{LABEL_KEY}\"\ncollection = \"/dev\"\nnodes = [\"{w1}\"]\n"
    );
    let (codes, run) = finding_codes(&bundle, dir.path(), &dev);
    assert!(codes.contains(&"collection-mismatch".into()), "{run}");
    assert!(run.contains(&w2), "the node is named: {run}");
    bed.docker_ok(&["node", "update", "--label-rm", LABEL_KEY, &w2]);

    // A node whose engine stopped (Down) is not counted.
    bed.stop_worker(1);
    let (codes, run) = finding_codes(&bundle, dir.path(), &prod_spec(2, &[&w2, &w3]));
    assert!(codes.contains(&"too-few-nodes".into()), "down: {run}");
    drop(bed);
    assert_no_leftovers();
}

#[test]
fn status_flags_a_proxy_on_a_down_node() {
    if !available("status_flags_a_proxy_on_a_down_node") {
        return;
    }
    let mut bed = walkthrough_bed();
    let dir = tempfile::tempdir().unwrap();
    let bundle = bed.bundle(dir.path());
    let spec = write(dir.path(), "spec.toml", &walkthrough_spec(&bed));
    apply(&bundle, &spec, dir.path());
    let dev_node = bed.worker(0).hostname.clone();
    bed.wait_running_on("ucp-interlock-proxy-dev", &[&dev_node], WAIT);
    let out = tool(&["status", "--bundle", &bundle]);
    assert_eq!(out.status.code(), Some(0), "all up: {}", show(&out));

    bed.stop_worker(0);
    let out = tool(&["status", "--bundle", &bundle, "--output", "json"]);
    let report = json(&out);
    let proxy = report["clusters"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["services"].as_array().into_iter().flatten())
        .find(|s| s["name"] == "ucp-interlock-proxy-dev")
        .cloned()
        .unwrap_or_else(|| panic!("no dev proxy in the report: {}", show(&out)));
    let flagged =
        proxy["running"] == 0 || proxy["problems"].as_array().is_some_and(|p| !p.is_empty());
    assert!(
        flagged,
        "the dev proxy's only task is on the Down node {dev_node}, yet status shows it running \
         and unflagged: {}",
        show(&out)
    );
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    drop(bed);
    assert_no_leftovers();
}

#[test]
fn bed_is_removed_even_when_a_test_panics() {
    if !available("bed_is_removed_even_when_a_test_panics") {
        return;
    }
    let result = std::panic::catch_unwind(|| {
        let bed = MultiNode::start(&["/dev"]);
        let nodes = bed.docker_ok(&["node", "ls", "--format", "{{.Hostname}} {{.Status}}"]);
        assert_eq!(
            support::lines(&nodes).len(),
            2,
            "a manager and a worker: {nodes}"
        );
        panic!("a test failing with the bed up");
    });
    assert!(result.is_err());
    assert_no_leftovers();
}

#[test]
fn apply_reports_a_proxy_whose_node_goes_down_while_it_is_created() {
    if !available("apply_reports_a_proxy_whose_node_goes_down_while_it_is_created") {
        return;
    }
    let mut bed = walkthrough_bed();
    let dir = tempfile::tempdir().unwrap();
    let bundle = bed.bundle(dir.path());
    let spec = write(dir.path(), "spec.toml", &walkthrough_spec(&bed));
    let dev_node = bed.worker(0).hostname.clone();
    let backups = dir.path().to_string_lossy().into_owned();
    let out = std::thread::scope(|s| {
        let run = s.spawn(|| {
            tool(&[
                "apply",
                "--bundle",
                &bundle,
                "--spec",
                &spec,
                "--auto-approve",
                "--wait-timeout",
                "25",
                "--backup-dir",
                &backups,
                "--output",
                "json",
            ])
        });
        // apply labels the nodes first; dev's engine stops before its proxy is created.
        support::wait_for(
            &format!("apply to label {dev_node}"),
            WAIT,
            || {
                let labels = bed.docker_ok(&[
                    "node",
                    "inspect",
                    "--format",
                    "{{json .Spec.Labels}}",
                    &dev_node,
                ]);
                labels.contains(LABEL_KEY).then_some(())
            },
            || bed.docker_ok(&["node", "ls"]),
        );
        bed.engines[1].stop(Duration::from_secs(3));
        run.join().expect("apply thread")
    });
    let report = json(&out);
    assert_ne!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(report["outcome"], "failed", "{}", show(&out));
    let failed: Vec<&Value> = report["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["status"] == "failed")
        .collect();
    // The first of dev's services apply waits for is the step that fails (the extension, which
    // is pinned to the same node as the proxy).
    assert!(
        failed.len() == 1
            && failed[0]["action"]["kind"] == "await-service"
            && failed[0]["action"]["cluster"] == "dev",
        "waiting for a dev service is the failed step: {}",
        show(&out)
    );
    // The other environments are served all the same.
    for (i, (name, http, _, _)) in ENVIRONMENTS.iter().enumerate().skip(1) {
        let node = bed.worker(i).hostname.clone();
        bed.wait_running_on(&format!("ucp-interlock-proxy-{name}"), &[&node], WAIT);
        let body = support::wait_for(
            &format!("{name} to answer on {node}"),
            WAIT,
            || http_get(&bed.worker(i).address, *http).ok(),
            || bed.explain(&format!("ucp-interlock-proxy-{name}")),
        );
        assert!(
            body.contains(&format!("service cluster {name}, node {node}")),
            "{body}"
        );
    }
    drop(bed);
    assert_no_leftovers();
}

/// Sends HTTP to every environment's ports on its node while apply runs `spec`, and prints per
/// port: requests sent, failed, the longest time without an answer, the first answer.
fn probe_apply(bed: &MultiNode, bundle: &str, spec: &str, dir: &std::path::Path, phase: &str) {
    let targets: Vec<(String, u16)> = [ENVIRONMENTS[0], MOVED_DEV]
        .iter()
        .chain(&ENVIRONMENTS[1..])
        .flat_map(|(name, http, https, _)| {
            let i = ENVIRONMENTS.iter().position(|e| e.0 == *name).unwrap();
            [http, https].map(|p| (bed.worker(i).address.clone(), *p))
        })
        .collect();
    let prober = support::prober::Prober::start(
        &targets,
        Duration::from_millis(50),
        6_000,
        Duration::from_secs(300),
    );
    let started = std::time::Instant::now();
    apply(bundle, spec, dir);
    let took = started.elapsed();
    std::thread::sleep(Duration::from_secs(1));
    eprintln!(
        "\n{phase}: apply took {took:.1?}; 20 requests/s per port, from its start to 1 s after it"
    );
    eprintln!(
        "{:<16} {:>5} {:>6} {:>7} {:>12} {:>13}",
        "node", "port", "sent", "failed", "longest gap", "first answer"
    );
    for s in prober.finish() {
        eprintln!(
            "{:<16} {:>5} {:>6} {:>7} {:>12} {:>13}",
            s.address,
            s.port,
            s.sent,
            s.failed,
            format!("{:.2?}", s.longest_gap),
            s.first_answer
                .map_or("never".into(), |d| format!("{d:.2?}")),
        );
    }
}

/// dev on other ports, for the second apply of the benchmark.
const MOVED_DEV: (&str, u16, u16, &str) = ("dev", 9082, 9445, "/dev");

/// A benchmark, not a timed test (`tests/traffic_during_apply.sh`): traffic on every
/// environment's ports during the walk-through's split in host mode, then during a second apply
/// that moves only dev's ports.
#[test]
#[ignore = "a benchmark: run tests/traffic_during_apply.sh"]
fn traffic_during_apply() {
    if !available("traffic_during_apply") {
        return;
    }
    let bed = walkthrough_bed();
    let dir = tempfile::tempdir().unwrap();
    let bundle = bed.bundle(dir.path());
    let spec = write(dir.path(), "spec.toml", &walkthrough_spec(&bed));
    probe_apply(&bed, &bundle, &spec, dir.path(), "the split (ports appear)");
    let moved = [MOVED_DEV, ENVIRONMENTS[1], ENVIRONMENTS[2]];
    let spec = write(dir.path(), "moved.toml", &spec_for(&bed, &moved));
    probe_apply(
        &bed,
        &bundle,
        &spec,
        dir.path(),
        "dev moves to 9082/9445 (test and prod stay)",
    );
    drop(bed);
    assert_no_leftovers();
}
