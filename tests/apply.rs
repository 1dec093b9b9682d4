//! apply and rollback on a real swarm, through a client bundle: the seed walk-through's split
//! end to end, idempotence, a changed spec, a config the core rejects (a real swarm rollback),
//! a stale saved plan, and rollback. Skipped (with `SKIP …`) when no Docker engine answers,
//! unless `INTERLOCK_SPLIT_E2E=required`.

use crate::support;

use support::cli::{show, tool, write};

use serde_json::Value;
use support::apply_bed::{ApplyBed, core_config, interlock_configs};
use support::bed::{self, FIRST_CONFIG};
use support::docker_ok;

const DEFAULT_TOML: &str = include_str!("../fixtures/ucp-3.1-default.toml");

const SEED_PORTS: [(u16, u16); 3] = [(8082, 8445), (8081, 8444), (8080, 8443)];

/// The names of the Interlock configs on the swarm, sorted.
fn config_names() -> Vec<String> {
    interlock_configs().into_iter().map(|(n, _)| n).collect()
}

fn ports(name: &str) -> Vec<(u64, u64)> {
    let v: Value = serde_json::from_str(&docker_ok(&[
        "service",
        "inspect",
        "--format",
        "{{json .Spec.EndpointSpec.Ports}}",
        name,
    ]))
    .unwrap();
    let mut out: Vec<(u64, u64)> = v
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["PublishedPort"].as_u64().unwrap_or(0),
                p["TargetPort"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    out.sort();
    out
}

/// A backup that cannot be written (the disk is full) stops apply before any change, and leaves
/// no file that looks like a backup (an empty one would be mistaken for the old config).
#[test]
fn a_backup_that_cannot_be_written_stops_apply_and_leaves_nothing() {
    if !support::docker_available("a_backup_that_cannot_be_written_stops_apply_and_leaves_nothing")
    {
        return;
    }
    let full = match support::fullfs::FullDir::make() {
        Ok(f) => f,
        Err(why) if std::env::var(support::E2E_ENV).as_deref() == Ok("required") => {
            panic!("{}=required but {why}", support::E2E_ENV)
        }
        Err(why) => return eprintln!("SKIP a_backup_that_cannot_be_written: {why}"),
    };
    let bed = ApplyBed::start(DEFAULT_TOML, "it.interlock-split");
    let spec = bed.spec("spec.toml", SEED_PORTS);
    let out = tool(&[
        "apply",
        "--bundle",
        &bed.bundle,
        "--spec",
        &spec,
        "--auto-approve",
        "--backup-dir",
        full.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot write the backup") && err.contains("nothing was changed"),
        "{}",
        show(&out)
    );
    assert_eq!(core_config(), FIRST_CONFIG, "nothing was changed");
    assert_eq!(config_names(), [FIRST_CONFIG], "no config was uploaded");
    assert_eq!(
        full.entries(),
        Vec::<String>::new(),
        "no file was left behind"
    );
}

#[test]
fn seed_scenario_end_to_end() {
    if !support::docker_available("seed_scenario_end_to_end") {
        return;
    }
    let bed = ApplyBed::start(DEFAULT_TOML, "it.interlock-split");
    let (dir, bundle) = (&bed.dir, bed.bundle.as_str());
    let spec = bed.spec("spec.toml", SEED_PORTS);
    let backups = dir.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    let backup_dir = backups.to_str().unwrap();

    // Without a terminal and without --auto-approve, nothing happens.
    let out = tool(&[
        "apply",
        "--bundle",
        bundle,
        "--spec",
        &spec,
        "--backup-dir",
        backup_dir,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no terminal to confirm"),
        "{}",
        show(&out)
    );
    assert_eq!(core_config(), FIRST_CONFIG);

    // The split as a change ticket has it: planned, saved, reviewed, applied from the file,
    // which shows the very plan that was reviewed.
    let split_plan = dir.path().join("split-plan.json");
    let planned = tool(&[
        "plan",
        "--bundle",
        bundle,
        "--spec",
        &spec,
        "--out",
        split_plan.to_str().unwrap(),
    ]);
    assert_eq!(planned.status.code(), Some(0), "{}", show(&planned));
    let out = tool(&[
        "apply",
        split_plan.to_str().unwrap(),
        "--bundle",
        bundle,
        "--backup-dir",
        backup_dir,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    // Without a terminal, each step ends in one line with its result and duration.
    let log = String::from_utf8_lossy(&out.stderr);
    let ends: Vec<&str> = log
        .lines()
        .filter(|l| l.starts_with('[') && l.contains(" … "))
        .filter(|l| l.contains(" … done in ") || l.contains(" … skipped in "))
        .collect();
    assert!(
        ends.iter()
            .any(|l| l.starts_with("[5/13] update service ucp-interlock:")
                && l.contains(" … done in ")
                && l.contains(" s: ucp-interlock runs com.docker.ucp.interlock.conf-2")),
        "{log}"
    );
    assert_eq!(ends.len(), 13, "every step ends in a line: {log}");
    assert!(
        !log.contains('\x1b'),
        "no colour or spinner in a log: {log}"
    );
    let reviewed = String::from_utf8_lossy(&planned.stdout);
    assert!(
        reviewed.contains("Actions, in the order apply takes them:"),
        "{reviewed}"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with(reviewed.as_ref()),
        "apply FILE shows the plan as `plan` did:\n{reviewed}\n---\n{}",
        show(&out)
    );
    assert_eq!(core_config(), "com.docker.ucp.interlock.conf-2");
    snap_run!("apply_saved_seed_split", &bed.host, out);
    let labels: Value = serde_json::from_str(&docker_ok(&[
        "config",
        "inspect",
        "--format",
        "{{json .Spec.Labels}}",
        "com.docker.ucp.interlock.conf-2",
    ]))
    .unwrap();
    let l = |k: &str| {
        labels[format!("com.docker.interlock-split.{k}")]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        (l("tool"), l("version")),
        ("interlock-split".into(), env!("CARGO_PKG_VERSION").into()),
        "{labels}"
    );
    assert_eq!(
        (l("applied-by"), l("outcome")),
        ("admin".into(), "ran".into()),
        "{labels}"
    );
    assert_eq!(
        (l("plan-sha256").len(), l("spec-sha256").len()),
        (64, 64),
        "{labels}"
    );
    assert!(l("applied-at").ends_with('Z'), "{labels}");
    let h = history(bundle, "conf-2", Some("conf-1"));
    assert_eq!(outcome(&h, "conf-2"), "ran");
    let out = tool(&["history", "--bundle", bundle, "--output", "json"]);
    snap_run!("history_json_after_the_split", &bed.host, out);
    for (c, (http, https)) in ["dev", "test", "prod"].iter().zip(SEED_PORTS) {
        let proxy = format!("ucp-interlock-proxy-{c}");
        assert_eq!(
            ports(&proxy),
            [(u64::from(http), 80), (u64::from(https), 443)]
        );
        let constraints = docker_ok(&[
            "service",
            "inspect",
            "--format",
            "{{json .Spec.TaskTemplate.Placement.Constraints}}",
            &proxy,
        ]);
        assert!(
            constraints.contains(&format!("node.labels.it.interlock-split.{c}==yes")),
            "{constraints}"
        );
        assert_eq!(bed::running_tasks(&proxy), 1);
        assert!(bed::service_inspect(&format!("ucp-interlock-extension-{c}")).is_some());
    }
    assert!(
        bed::service_inspect("ucp-interlock-proxy").is_none(),
        "the old proxy is gone"
    );
    assert!(
        bed::service_inspect("ucp-interlock-extension").is_none(),
        "the old extension is gone"
    );
    let backup = std::fs::read_dir(&backups)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), DEFAULT_TOML);
    let name = backup.file_name().unwrap().to_string_lossy().into_owned();
    let stamp = name
        .strip_prefix(&format!("interlock-backup-{FIRST_CONFIG}-"))
        .and_then(|r| r.strip_suffix(".toml"))
        .unwrap_or_else(|| panic!("{name}"));
    assert!(
        stamp.len() == 16
            && stamp.as_bytes()[8] == b'T'
            && stamp.ends_with('Z')
            && stamp[..8]
                .chars()
                .chain(stamp[9..15].chars())
                .all(|c| c.is_ascii_digit()),
        "a UTC timestamp such as 20261129T043619Z: {name}"
    );
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&backup).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // The new config carries the old one's labels (the UCP collection).
    let labels = docker_ok(&[
        "config",
        "inspect",
        "--format",
        "{{json .Spec.Labels}}",
        "com.docker.ucp.interlock.conf-2",
    ]);
    assert!(labels.contains("com.docker.ucp.access.label"), "{labels}");

    // Again: nothing to do, no new config.
    let out = tool(&[
        "apply",
        "--bundle",
        bundle,
        "--spec",
        &spec,
        "--auto-approve",
        "--backup-dir",
        backup_dir,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("No changes."),
        "{}",
        show(&out)
    );
    assert_eq!(
        config_names(),
        [FIRST_CONFIG, "com.docker.ucp.interlock.conf-2"]
    );

    // New ports: conf-3, and the existing proxies follow.
    let moved = [(9082, 9445), (9081, 9444), (9080, 9443)];
    let spec3 = bed.spec("spec3.toml", moved);
    let out = tool(&[
        "apply",
        "--bundle",
        bundle,
        "--spec",
        &spec3,
        "--auto-approve",
        "--backup-dir",
        backup_dir,
        "--output",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let report = support::cli::json(&out);
    assert_eq!(report["outcome"], "applied");
    snap_run!("apply_json_ports_moved", &bed.host, out);
    assert_eq!(core_config(), "com.docker.ucp.interlock.conf-3");
    for (c, (http, https)) in ["dev", "test", "prod"].iter().zip(moved) {
        assert_eq!(
            ports(&format!("ucp-interlock-proxy-{c}")),
            [(u64::from(http), 80), (u64::from(https), 443)]
        );
    }

    // A config the core rejects: swarm rolls back, apply says so with the task's logs.
    let broken = format!(
        "{}\n[clusters.dev.extension]\nImage = \"docker/ucp-interlock-extension:broken\"\n",
        bed.spec_text(moved)
    );
    let spec4 = write(dir.path(), "spec4.toml", &broken);
    let before: Vec<String> = bed::services_with_label(support::TEST_LABEL_KV);
    let out = tool(&[
        "apply",
        "--bundle",
        bundle,
        "--spec",
        &spec4,
        "--auto-approve",
        "--backup-dir",
        backup_dir,
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", show(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("swarm rolled it back"), "{text}");
    assert!(
        text.contains("manifest unknown"),
        "the core's log line is shown: {text}"
    );
    assert!(
        text.contains("ucp-interlock runs com.docker.ucp.interlock.conf-3"),
        "{text}"
    );
    assert_eq!(core_config(), "com.docker.ucp.interlock.conf-3");
    assert_eq!(
        bed::services_with_label(support::TEST_LABEL_KV),
        before,
        "nothing removed"
    );
    snap_run!("apply_rolled_back_by_swarm", &bed.host, out);

    // A saved plan made stale by a change in between is refused.
    let saved = dir.path().join("plan.json");
    let spec5 = bed.spec("spec5.toml", SEED_PORTS);
    let out = tool(&[
        "plan",
        "--bundle",
        bundle,
        "--spec",
        &spec5,
        "--out",
        saved.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    docker_ok(&[
        "service",
        "update",
        "--detach",
        "--label-add",
        "touched=1",
        "ucp-interlock",
    ]);
    let out = tool(&[
        "apply",
        saved.to_str().unwrap(),
        "--bundle",
        bundle,
        "--backup-dir",
        backup_dir,
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("ucp-interlock was updated"),
        "{}",
        show(&out)
    );
    assert_eq!(core_config(), "com.docker.ucp.interlock.conf-3");

    // rollback returns to the previous config.
    let out = tool(&["rollback", "--bundle", bundle, "--auto-approve"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(core_config(), "com.docker.ucp.interlock.conf-2");
    snap_run!("rollback_to_previous", &bed.host, out);
    let h = history(bundle, "conf-2", Some("conf-1"));
    assert_eq!(outcome(&h, "conf-3"), "ran");
    assert_eq!(outcome(&h, "conf-4"), "rolled-back");

    // Another rejected config, then a good one: rollback goes back past both rejected ones to
    // the last config that ran, and says which it skipped.
    let out = tool(&[
        "apply",
        "--bundle",
        bundle,
        "--spec",
        &spec4,
        "--auto-approve",
        "--backup-dir",
        backup_dir,
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", show(&out));
    // (The rejected TOML may be the one conf-4 holds already: then conf-4 is reused.)
    let h = history(bundle, "conf-2", Some("conf-1"));
    let rejected = h["configs"][0]["name"].as_str().unwrap().to_string();
    assert_eq!(h["configs"][0]["outcome"], "rolled-back", "{h:#}");
    let other = [(8092, 8455), (8091, 8454), (8090, 8453)];
    let spec6 = bed.spec("spec6.toml", other);
    let out = tool(&[
        "apply",
        "--bundle",
        bundle,
        "--spec",
        &spec6,
        "--auto-approve",
        "--backup-dir",
        backup_dir,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let latest = core_config();
    let h = history(bundle, latest.rsplit('.').next().unwrap(), Some("conf-3"));
    let skips: Vec<&str> = h["rollback_skips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(skips.contains(&rejected.as_str()), "{h:#}");
    assert!(skips.contains(&"com.docker.ucp.interlock.conf-4"), "{h:#}");
    let human = tool(&["history", "--bundle", bundle]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("would go back to com.docker.ucp.interlock.conf-3"),
        "{text}"
    );
    assert!(
        text.contains("ago (20"),
        "relative and absolute times: {text}"
    );
    assert!(text.contains("admin, with interlock-split"), "{text}");
    let diff = tool(&["history", "--bundle", bundle, "--diff"]);
    let text = String::from_utf8_lossy(&diff.stdout);
    assert!(
        text.contains(&format!("+++ {latest}")) && text.contains("PublishedPort = 8090"),
        "{}",
        show(&diff)
    );
    let out = tool(&["rollback", "--bundle", bundle, "--auto-approve"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "skipped com.docker.ucp.interlock.conf-4: rolled back (recorded on the config)"
        ),
        "{text}"
    );
    assert_eq!(core_config(), "com.docker.ucp.interlock.conf-3");
    let h = history(bundle, "conf-3", Some("conf-2"));
    assert_eq!(outcome(&h, latest.rsplit('.').next().unwrap()), "ran");
    let out = tool(&[
        "rollback",
        "--bundle",
        bundle,
        "--to",
        "com.docker.ucp.interlock.conf-2",
        "--auto-approve",
        "--output",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(core_config(), "com.docker.ucp.interlock.conf-2");
    snap_run!("rollback_json_to_named", &bed.host, out);
    drop(bed);
}

/// `history --output json`, checked for the config in use and rollback's target.
fn history(bundle: &str, in_use: &str, target: Option<&str>) -> Value {
    let out = tool(&["history", "--bundle", bundle, "--output", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let h = support::cli::json(&out);
    let full = |v: &str| format!("com.docker.ucp.interlock.{v}");
    assert_eq!(h["in_use"], full(in_use), "{h:#}");
    assert_eq!(
        h["rollback_target"].as_str(),
        target.map(full).as_deref(),
        "{h:#}"
    );
    let configs = h["configs"].as_array().unwrap();
    for c in configs {
        assert_eq!(c["in_use"], c["name"] == full(in_use));
        // Every config after the first was created by apply through the bundle (CN=admin).
        if c["version"].as_u64() > Some(1) {
            assert_eq!(c["applied_by"], "admin", "{c:#}");
            assert_eq!(c["plan_sha256"].as_str().map(str::len), Some(64), "{c:#}");
            assert!(c["created"].as_str().unwrap().contains(" UTC)"), "{c:#}");
        }
    }
    h
}

fn outcome(h: &Value, version: &str) -> String {
    let name = format!("com.docker.ucp.interlock.{version}");
    let c = h["configs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name.as_str());
    c.map(|c| c["outcome"].as_str().unwrap().to_string())
        .unwrap_or_default()
}
