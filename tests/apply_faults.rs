//! Fault injection for apply, against the in-process fake of the Docker API (the real engine
//! cannot be made to fail on demand). The matrix: a failure at each step of apply, of each kind.
//!
//! | step                                  | request faulted                         | 500 | timeout | dropped |
//! |---------------------------------------|-----------------------------------------|-----|---------|---------|
//! | label a node                          | POST /nodes/{id}/update                 |  x  |    x    |    x    |
//! | create the versioned config           | POST /configs/create                    |  x  |    x    |    x    |
//! | update ucp-interlock                  | POST /services/ucp-interlock/update     |  x  |    x    |    x    |
//! | watch ucp-interlock converge          | GET /services/ucp-interlock (the 4th)   |  x  |    x    |    x    |
//! | remove the stale port holder          | DELETE /services/ucp-interlock-proxy    |  x  |    x    |    x    |
//! | wait for Interlock's new services     | GET /services/ucp-interlock-proxy-…     |  x  |    x    |    x    |
//! | remove the other stale service        | DELETE /services/ucp-interlock-extension|  x  |    x    |    x    |
//!
//! In every case apply exits non-zero and its report says what the core runs, what was done and
//! what was not; then, with the fault gone, apply again converges to the planned state with
//! exactly one config holding the new TOML. Plus: "update out of sequence" once is re-read,
//! re-planned and finished in the same run; always, it fails cleanly; a config "in use" is
//! skipped by pruning with a note.

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;
use support::cli::{show, tool};

use support::fake::{FakeDocker, FakeState, Fault, FaultKind, Method};

const HOST: &str = "node-1";

fn spec(dir: &Path) -> String {
    let mut s = String::new();
    for (name, http, https) in [
        ("dev", 8082, 8445),
        ("test", 8081, 8444),
        ("prod", 8080, 8443),
    ] {
        s.push_str(&format!(
            "[clusters.{name}]\nhttp_port = {http}\nhttps_port = {https}\nproxy_replicas = 1\nnode_label_key = \"it.{name}\"\nnode_label = \"yes\"\nnodes = [\"{HOST}\"]\n\n"
        ));
    }
    let p = dir.join("spec.toml");
    std::fs::write(&p, s).unwrap();
    p.to_str().unwrap().to_string()
}

fn apply(fake: &FakeDocker, dir: &Path, extra: &[&str]) -> Output {
    let spec = spec(dir);
    let host = fake.docker_host();
    let mut args = vec![
        "apply",
        "--host",
        &host,
        "--spec",
        &spec,
        "--auto-approve",
        "--backup-dir",
        dir.to_str().unwrap(),
        "--timeout",
        "2",
        "--wait-timeout",
        "20",
    ];
    args.extend_from_slice(extra);
    tool(&args)
}

/// The planned state: the core on conf-2, the six new services, the old ones gone, the labels
/// set, and exactly one config holding the new TOML.
fn assert_converged(fake: &FakeDocker, context: &str) {
    let s = fake.state();
    assert_eq!(
        s.mounted_config("ucp-interlock", "/config.toml").as_deref(),
        Some("com.docker.ucp.interlock.conf-2"),
        "{context}"
    );
    let names = s.service_names();
    for c in ["dev", "test", "prod"] {
        assert!(
            names.contains(&format!("ucp-interlock-proxy-{c}")),
            "{context}: {names:?}"
        );
        assert!(
            names.contains(&format!("ucp-interlock-extension-{c}")),
            "{context}: {names:?}"
        );
    }
    assert!(
        !names.contains(&"ucp-interlock-proxy".to_string()),
        "{context}: {names:?}"
    );
    assert!(
        !names.contains(&"ucp-interlock-extension".to_string()),
        "{context}: {names:?}"
    );
    let new = s.config_data("com.docker.ucp.interlock.conf-2").unwrap();
    let same: Vec<String> = s
        .config_names()
        .into_iter()
        .filter(|n| s.config_data(n).as_deref() == Some(new.as_str()))
        .collect();
    assert_eq!(
        same,
        ["com.docker.ucp.interlock.conf-2"],
        "{context}: one config with the new TOML"
    );
    let labels = s.node_labels(HOST);
    for c in ["dev", "test", "prod"] {
        assert_eq!(
            labels.get(&format!("it.{c}")).map(String::as_str),
            Some("yes"),
            "{context}"
        );
    }
}

struct Step {
    name: &'static str,
    method: Method,
    path: &'static str,
    nth: usize,
    /// What the report must say the core runs after the failure.
    core_after: &'static str,
}

const STEPS: &[Step] = &[
    Step {
        name: "label a node",
        method: Method::POST,
        path: "/nodes/",
        nth: 1,
        core_after: "runs com.docker.ucp.interlock.conf-1.",
    },
    Step {
        name: "create the config",
        method: Method::POST,
        path: "/configs/create",
        nth: 1,
        core_after: "runs com.docker.ucp.interlock.conf-1.",
    },
    Step {
        name: "update ucp-interlock",
        method: Method::POST,
        path: "/services/ucp-interlock/update",
        nth: 1,
        core_after: "runs com.docker.ucp.interlock.conf-1.",
    },
    Step {
        name: "watch ucp-interlock",
        method: Method::GET,
        // Read for the plan, read for the update's version, read for the spec it edits.
        path: "/services/ucp-interlock",
        nth: 4,
        core_after: "the update to com.docker.ucp.interlock.conf-2 was started",
    },
    Step {
        name: "remove the port holder",
        method: Method::DELETE,
        path: "/services/ucp-interlock-proxy",
        nth: 1,
        core_after: "runs com.docker.ucp.interlock.conf-2.",
    },
    Step {
        name: "await new services",
        method: Method::GET,
        path: "/services/ucp-interlock-proxy-",
        nth: 1,
        core_after: "runs com.docker.ucp.interlock.conf-2.",
    },
    Step {
        name: "remove the other stale service",
        method: Method::DELETE,
        path: "/services/ucp-interlock-extension",
        nth: 1,
        core_after: "runs com.docker.ucp.interlock.conf-2.",
    },
];

fn kinds() -> Vec<(&'static str, FaultKind)> {
    vec![
        (
            "HTTP 500",
            FaultKind::Status(500, "injected failure".into()),
        ),
        ("timeout", FaultKind::Hang(Duration::from_secs(4))),
        ("dropped connection", FaultKind::Drop),
    ]
}

#[test]
fn a_failure_at_any_step_is_reported_and_a_rerun_converges() {
    for step in STEPS {
        for (kind_name, kind) in kinds() {
            let context = format!("{} / {kind_name}", step.name);
            let fake = FakeDocker::start(FakeState::ucp_default(HOST));
            let dir = tempfile::tempdir().unwrap();
            fake.fail(Fault {
                method: Some(step.method.clone()),
                path_contains: step.path.to_string(),
                nth: step.nth,
                times: 1,
                kind: kind.clone(),
            });
            let out = apply(&fake, dir.path(), &[]);
            assert!(
                !out.status.success(),
                "{context}: must fail\n{}",
                show(&out)
            );
            assert!(
                !fake.faulted().is_empty(),
                "{context}: the fault never fired\n{}",
                show(&out)
            );
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(
                text.contains("The cluster now: ucp-interlock"),
                "{context}\n{}",
                show(&out)
            );
            assert!(
                text.contains(step.core_after),
                "{context}: expected `{}`\n{}",
                step.core_after,
                show(&out)
            );
            assert!(text.contains("  failed:\n"), "{context}\n{}", show(&out));
            assert!(
                text.contains("run `interlock-split apply` again"),
                "{context}\n{}",
                show(&out)
            );

            fake.clear_faults();
            let again = apply(&fake, dir.path(), &[]);
            assert_eq!(
                again.status.code(),
                Some(0),
                "{context}: the re-run must finish the job\n{}",
                show(&again)
            );
            assert_converged(&fake, &context);
        }
    }
}

#[test]
fn out_of_sequence_is_replanned_once() {
    let fake = FakeDocker::start(FakeState::ucp_default(HOST));
    let dir = tempfile::tempdir().unwrap();
    fake.fail(Fault::once(
        Some(Method::POST),
        "/services/ucp-interlock/update",
        FaultKind::OutOfSequence,
    ));
    let out = apply(&fake, dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("re-planning once"),
        "{}",
        show(&out)
    );
    assert_converged(&fake, "out of sequence once");

    let fake = FakeDocker::start(FakeState::ucp_default(HOST));
    fake.fail(Fault::always(
        Some(Method::POST),
        "/services/ucp-interlock/update",
        FaultKind::OutOfSequence,
    ));
    let out = apply(&fake, dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("runs com.docker.ucp.interlock.conf-1."),
        "{}",
        show(&out)
    );
    let updates = fake
        .requests()
        .iter()
        .filter(|r| r.starts_with("POST /services/ucp-interlock/update"))
        .count();
    assert_eq!(updates, 2, "one try and one retry after re-planning");
}

#[test]
fn ctrl_c_stops_between_steps_and_says_where_things_stand() {
    let mut state = FakeState::ucp_default(HOST);
    // A slow update, so that Ctrl-C arrives while apply watches it.
    state.update_delay = Duration::from_secs(4);
    let fake = FakeDocker::start(state);
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path());
    let host = fake.docker_host();
    let child = Command::new(env!("CARGO_BIN_EXE_interlock-split"))
        .args([
            "--color",
            "never",
            "apply",
            "--host",
            &host,
            "--spec",
            &spec,
            "--auto-approve",
            "--backup-dir",
        ])
        .arg(dir.path())
        .env_remove("DOCKER_HOST")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the core's update has been sent.
    let start = std::time::Instant::now();
    while !fake
        .requests()
        .iter()
        .any(|r| r.starts_with("POST /services/ucp-interlock/update"))
    {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "apply never updated the core"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = child.id().to_string();
    Command::new("kill").args(["-INT", &pid]).status().unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", show(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Interrupted."), "{}", show(&out));
    assert!(
        text.contains("the update to com.docker.ucp.interlock.conf-2 was started"),
        "{}",
        show(&out)
    );
    assert!(text.contains("  not done:\n"), "{}", show(&out));
    // Nothing after the interrupted step ran: the old proxy is still there.
    assert!(
        fake.state()
            .service_names()
            .contains(&"ucp-interlock-proxy".to_string())
    );
    // And apply again finishes the job.
    let again = apply(&fake, dir.path(), &[]);
    assert_eq!(again.status.code(), Some(0), "{}", show(&again));
    assert_converged(&fake, "after Ctrl-C");
}

#[test]
fn pruning_keeps_recent_configs_and_skips_one_in_use() {
    let fake = FakeDocker::start(FakeState::ucp_default(HOST));
    let dir = tempfile::tempdir().unwrap();
    let spec_path = spec(dir.path());
    let host = fake.docker_host();
    let run = |from: &str, to: &str| {
        let text = std::fs::read_to_string(&spec_path)
            .unwrap()
            .replace(from, to);
        std::fs::write(&spec_path, text).unwrap();
        let out = tool(&[
            "apply",
            "--host",
            &host,
            "--spec",
            &spec_path,
            "--auto-approve",
            "--keep-configs",
            "2",
            "--backup-dir",
            dir.path().to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", show(&out));
        out
    };
    run("8082", "8082"); // conf-2
    run("8082", "9082"); // conf-3
    // At conf-4, conf-1 and conf-2 are beyond the newest two and neither in use nor the previous
    // one; the engine says they are in use (as for a config a service still mounts).
    fake.fail(Fault::always(
        Some(Method::DELETE),
        "/configs/",
        FaultKind::InUse,
    ));
    let out = run("9082", "9182"); // conf-4
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("kept com.docker.ucp.interlock.conf-1 (in use)"),
        "{}",
        show(&out)
    );
    fake.clear_faults();
    let out = run("9182", "9282"); // conf-5
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("removed com.docker.ucp.interlock.conf-1"),
        "{}",
        show(&out)
    );
    let names = fake.state().config_names();
    assert!(
        !names.contains(&"com.docker.ucp.interlock.conf-1".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"com.docker.ucp.interlock.conf-4".to_string()),
        "the previous one stays: {names:?}"
    );
}

/// apply on a real pseudo-terminal (util-linux `script`), answering the prompt.
fn apply_on_a_terminal(fake: &FakeDocker, dir: &Path, answer: &str) -> Output {
    let spec = spec(dir);
    let cmd = format!(
        "{} --color never apply --host {} --spec {spec} --backup-dir {}",
        env!("CARGO_BIN_EXE_interlock-split"),
        fake.docker_host(),
        dir.display()
    );
    let mut child = Command::new("script")
        .args(["-q", "-e", "-c", &cmd, "/dev/null"])
        .env_remove("DOCKER_HOST")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("util-linux `script` runs the tool on a pseudo-terminal");
    // Answer once the question is on the terminal.
    std::thread::sleep(Duration::from_secs(2));
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{answer}\n").as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn on_a_terminal_apply_asks_and_only_yes_goes_on() {
    let fake = FakeDocker::start(FakeState::ucp_default(HOST));
    let dir = tempfile::tempdir().unwrap();
    let out = apply_on_a_terminal(&fake, dir.path(), "y");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Only 'yes' is accepted"), "{}", show(&out));
    assert!(
        text.contains("apply cancelled; nothing was changed"),
        "{}",
        show(&out)
    );
    assert_eq!(
        fake.state()
            .mounted_config("ucp-interlock", "/config.toml")
            .as_deref(),
        Some("com.docker.ucp.interlock.conf-1")
    );
    assert!(
        !fake.requests().iter().any(|r| r.starts_with("POST")),
        "nothing written: {:?}",
        fake.requests()
    );

    let out = apply_on_a_terminal(&fake, dir.path(), "yes");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Applied."),
        "{}",
        show(&out)
    );
    assert_converged(&fake, "confirmed on a terminal");
}

#[test]
fn host_mode_publishes_the_core_port_in_host_mode() {
    let fake = FakeDocker::start(FakeState::ucp_default(HOST));
    let dir = tempfile::tempdir().unwrap();
    let spec = support::cli::write(
        dir.path(),
        "host.toml",
        &format!(
            "[clusters.edge]\npublish_mode = \"host\"\nhttp_port = 80\nhttps_port = 8443\nproxy_replicas = 1\nnode_label_key = \"it.edge\"\nnode_label = \"yes\"\nnodes = [\"{HOST}\"]\nproxy_constraints = [\"node.role==manager\"]\n"
        ),
    );
    let host = fake.docker_host();
    let out = tool(&[
        "apply",
        "--host",
        &host,
        "--spec",
        &spec,
        "--auto-approve",
        "--backup-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("core port published in host mode"),
        "{}",
        show(&out)
    );
    let state = fake.state();
    let core = state.service("ucp-interlock").unwrap();
    let ports = core
        .pointer("/Spec/EndpointSpec/Ports")
        .cloned()
        .unwrap_or_default();
    assert!(
        ports
            .as_array()
            .into_iter()
            .flatten()
            .any(|p| p["TargetPort"] == 8080 && p["PublishMode"] == "host"),
        "the core publishes its port (ListenAddr :8080) in host mode: {ports}"
    );
}

#[test]
fn json_output_reports_a_refusal_too() {
    let fake = FakeDocker::start(FakeState::ucp_default(HOST));
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path());
    let host = fake.docker_host();
    // No terminal and no --auto-approve: refused, and the runbook still gets its document.
    let out = tool(&[
        "apply", "--host", &host, "--spec", &spec, "--output", "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let report = support::cli::json(&out);
    assert_eq!(report["outcome"], "refused");
    assert!(
        report["error"]
            .as_str()
            .unwrap()
            .contains("no terminal to confirm"),
        "{report}"
    );
    assert!(
        !fake.requests().iter().any(|r| r.starts_with("POST")),
        "nothing written"
    );
    // A saved plan the cluster has moved away from.
    let saved = dir.path().join("plan.json");
    let out = tool(&[
        "plan",
        "--host",
        &host,
        "--spec",
        &spec,
        "--out",
        saved.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    // Someone updates ucp-interlock in between (a label, say): the plan is stale.
    fake.modify(|s| {
        let version = s.service_version("ucp-interlock").unwrap();
        let mut spec = s.service("ucp-interlock").unwrap()["Spec"].clone();
        spec["Labels"]["touched"] = "yes".into();
        s.update_service("ucp-interlock", version, spec).unwrap();
    });
    let out = tool(&[
        "apply",
        saved.to_str().unwrap(),
        "--host",
        &host,
        "--output",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", show(&out));
    let report = support::cli::json(&out);
    assert_eq!(report["outcome"], "plan-stale");
    assert!(
        report["error"]
            .as_str()
            .unwrap()
            .contains("ucp-interlock was updated"),
        "{report}"
    );
    assert!(
        !fake
            .requests()
            .iter()
            .any(|r| r.starts_with("POST /configs")),
        "nothing written"
    );
}
