//! Three managers, each with its own API front and bundle: the manager behind the bundle stops
//! while apply watches the core's update. apply reports the lost connection and what it knows,
//! exits non-zero and never claims success; a re-run through another manager converges with no
//! duplicate config.

use std::time::Instant;

use serde_json::Value;

use super::{DEFAULT_TOML, WAIT, available, wait_proxies, walkthrough_spec};
use crate::support;
use support::cli::{json, show, tool, write};
use support::multinode::MultiNode;

const CORE: &str = "ucp-interlock";

/// The config names `ucp-interlock` points at, as manager `m` sees them.
pub(super) fn core_configs(bed: &MultiNode, m: usize) -> String {
    let out = bed.manager_at(m).docker(&[
        "service",
        "inspect",
        "--format",
        "{{range .Spec.TaskTemplate.ContainerSpec.Configs}}{{.ConfigName}} {{end}}",
        CORE,
    ]);
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The data (base64) of every Interlock config, by name.
pub(super) fn interlock_configs(bed: &MultiNode) -> Vec<(String, String)> {
    let names = bed.docker_ok(&["config", "ls", "--format", "{{.Name}}"]);
    support::lines(&names)
        .into_iter()
        .filter(|n| n.starts_with("com.docker.ucp.interlock.conf-"))
        .map(|n| {
            let data = bed.docker_ok(&["config", "inspect", "--format", "{{json .Spec.Data}}", &n]);
            (n, data)
        })
        .collect()
}

/// Waits until swarm has accepted the core's update (B sees the new config on the core) and
/// apply has gone on to watch it through A (a read after the update's answer).
pub(super) fn wait_watching_through_a(bed: &MultiNode) {
    support::wait_for(
        "apply to watch the core's update through A",
        WAIT,
        || {
            let log = bed.fronts[0].request_log();
            let update = log.iter().position(|r| {
                r.starts_with("POST ") && r.contains("/services/ucp-interlock/update")
            })?;
            let watching = log[update + 1..].iter().any(|r| r.starts_with("GET"));
            (watching && core_configs(bed, 1).contains("conf-2")).then_some(())
        },
        || bed.fronts[0].request_log().join("\n"),
    );
}

/// `apply --auto-approve --output json` of `spec` through `bundle`.
pub(super) fn apply_json(bundle: &str, spec: &str, dir: &std::path::Path) -> std::process::Output {
    tool(&[
        "apply",
        "--bundle",
        bundle,
        "--spec",
        spec,
        "--auto-approve",
        "--wait-timeout",
        "60",
        "--backup-dir",
        &dir.to_string_lossy(),
        "--output",
        "json",
    ])
}

#[test]
fn apply_reports_the_manager_lost_mid_apply_and_another_manager_finishes() {
    if !available("apply_reports_the_manager_lost_mid_apply_and_another_manager_finishes") {
        return;
    }
    let started = Instant::now();
    let collections: Vec<&str> = super::ENVIRONMENTS.iter().map(|e| e.3).collect();
    let mut bed = MultiNode::start_with_managers(3, &collections);
    // The core on manager B, which stays up (see `deploy_core_on`).
    bed.deploy_core_on(1, DEFAULT_TOML);
    wait_proxies(&bed, "ucp-interlock-proxy", 2);
    let dir = tempfile::tempdir().unwrap();
    let (bundle_a, bundle_b) = (bed.bundle_of(0, dir.path()), bed.bundle_of(1, dir.path()));
    let spec = write(dir.path(), "spec.toml", &walkthrough_spec(&bed));
    let a = bed.manager_at(0).hostname.clone();
    assert_eq!(
        bed.leader().as_deref(),
        Some(a.as_str()),
        "A made the swarm"
    );

    // A stops once swarm has accepted the core's update (B sees the new config on the core)
    // and apply has gone on to watch it through A (a read after the update's answer).
    let out = std::thread::scope(|s| {
        let run = s.spawn(|| apply_json(&bundle_a, &spec, dir.path()));
        wait_watching_through_a(&bed);
        let bed = &mut bed;
        bed.stop_manager(0);
        run.join().expect("apply thread")
    });
    eprintln!("apply through A when A stops:\n{}", show(&out));
    let report = json(&out);
    assert_ne!(out.status.code(), Some(0), "{}", show(&out));
    assert_ne!(report["outcome"], "applied", "{}", show(&out));
    assert_eq!(
        report["core"]["config"],
        "com.docker.ucp.interlock.conf-1",
        "{}",
        show(&out)
    );
    assert_eq!(
        report["core"]["pending_update_to"],
        "com.docker.ucp.interlock.conf-2",
        "the update was accepted; its outcome is not known: {}",
        show(&out)
    );
    let status = |kind: &str| -> Vec<Value> {
        report["steps"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s["action"]["kind"] == kind)
            .map(|s| s["status"].clone())
            .collect()
    };
    assert_eq!(status("create-config"), ["done"], "{}", show(&out));
    // The step cut short is the watch of an update swarm accepted.
    assert_eq!(report["request"], "accepted", "{}", show(&out));
    let error = report["error"].as_str().unwrap_or_default();
    assert!(error.contains("lost the connection"), "{}", show(&out));

    // Quorum holds with B and C: the leader moves off A.
    support::wait_for(
        "a leader other than A",
        WAIT,
        || bed.leader().filter(|l| *l != a),
        || bed.docker_ok(&["node", "ls"]),
    );

    // A new leader holds every node Unknown until it hears from it (the workers reconnect to
    // B or C). The tool would wait for them (the partition test shows it); this test is about
    // the stopped manager, so it starts from Ready nodes.
    support::wait_for(
        "every node but A to be Ready",
        WAIT,
        || {
            let nodes = bed.docker_ok(&["node", "ls", "--format", "{{.Hostname}} {{.Status}}"]);
            support::lines(&nodes)
                .iter()
                .filter(|l| !l.starts_with(&format!("{a} ")))
                .all(|l| l.ends_with(" Ready"))
                .then_some(())
        },
        || bed.docker_ok(&["node", "ls"]),
    );
    // The re-run through B finishes the job.
    let rerun = apply_json(&bundle_b, &spec, dir.path());
    eprintln!("apply again through B:\n{}", show(&rerun));
    assert_eq!(rerun.status.code(), Some(0), "{}", show(&rerun));
    assert_eq!(core_configs(&bed, 1), "com.docker.ucp.interlock.conf-2");
    let configs = interlock_configs(&bed);
    let new = &configs
        .iter()
        .find(|(n, _)| n.ends_with("conf-2"))
        .expect("conf-2")
        .1;
    let holding: Vec<&String> = configs
        .iter()
        .filter(|(_, d)| d == new)
        .map(|c| &c.0)
        .collect();
    assert_eq!(
        holding.len(),
        1,
        "one config holds the new TOML: {configs:?}"
    );
    for (i, (name, ..)) in super::ENVIRONMENTS.iter().enumerate() {
        let node = bed.worker(i).hostname.clone();
        bed.wait_running_on(&format!("ucp-interlock-proxy-{name}"), &[&node], WAIT);
    }
    let out = tool(&[
        "plan", "--bundle", &bundle_b, "--spec", &spec, "--output", "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let plan = json(&out);
    assert_eq!(plan["actions"], Value::Array(Vec::new()), "{}", show(&out));
    eprintln!(
        "manager loss test took {:.1?} (bed included)",
        started.elapsed()
    );
    drop(bed);
    super::assert_no_leftovers();
}
