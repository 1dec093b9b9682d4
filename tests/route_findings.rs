//! Every route finding of the live plan on real services, networks and secrets of a real
//! swarm, through a client bundle: each names the service and its hosts. Then an application
//! the saved plan relabels is removed before apply: apply reports it gone and goes on.
//! Skipped (with `SKIP …`) when no Docker engine answers, unless `INTERLOCK_SPLIT_E2E=required`.

use crate::support;

use interlock_model::route::labels;
use serde_json::Value;
use support::apply_bed::ApplyBed;
use support::cli::{envelope, json, show, tool, write};
use support::{TEST_LABEL_KV, docker, docker_ok, docker_ok_stdin};

const DEFAULT_TOML: &str = include_str!("../fixtures/ucp-3.1-default.toml");
const PORTS: [(u16, u16); 3] = [(8082, 8445), (8081, 8444), (8080, 8443)];

/// An application service: no task (the plan reads labels and network attachments only).
struct App<'a> {
    name: &'a str,
    labels: &'a [(&'a str, &'a str)],
    networks: &'a [&'a str],
}

fn create_app(image: &str, app: &App<'_>) {
    let mut args: Vec<String> = ["service", "create", "--detach", "--replicas", "0"]
        .map(String::from)
        .to_vec();
    args.extend([
        "--name".into(),
        app.name.into(),
        "--label".into(),
        TEST_LABEL_KV.into(),
    ]);
    // Every application has its port, but the one whose port is the finding.
    if !app.labels.iter().any(|(k, _)| *k == labels::PORT) {
        args.extend(["--label".into(), format!("{}=8080", labels::PORT)]);
    }
    for (k, v) in app.labels {
        args.extend(["--label".into(), format!("{k}={v}")]);
    }
    for n in app.networks {
        args.extend(["--network".into(), n.to_string()]);
    }
    args.extend([image.to_string(), "app".into(), "8080".into()]);
    docker_ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
}

/// The networks and the secret the applications use, labelled for the bed's cleanup.
fn create_objects() {
    for n in ["rf-front", "rf-back", "rf-dev"] {
        docker_ok(&[
            "network",
            "create",
            "--driver",
            "overlay",
            "--label",
            TEST_LABEL_KV,
            n,
        ]);
    }
    docker_ok_stdin(
        &["secret", "create", "--label", TEST_LABEL_KV, "rf-cert", "-"],
        b"not a key",
    );
}

const H: &str = labels::HOSTS;
const SC: &str = labels::SERVICE_CLUSTER;
const NET: &str = labels::NETWORK;

/// One application per finding (the finding's code, the service, its host).
fn apps() -> Vec<(&'static str, App<'static>)> {
    let front: &[&str] = &["rf-front"];
    vec![
        (
            "route-lost",
            App {
                name: "rf-unlabelled",
                labels: &[(H, "lost.example")],
                networks: front,
            },
        ),
        (
            "route-unmatched",
            App {
                name: "rf-typo",
                labels: &[(H, "typo.example"), (SC, "Prod")],
                networks: front,
            },
        ),
        (
            "network-unreachable",
            App {
                name: "rf-net-missing",
                labels: &[(H, "n1.example"), (SC, "prod"), (NET, "rf-nowhere")],
                networks: front,
            },
        ),
        (
            "network-unreachable",
            App {
                name: "rf-net-elsewhere",
                labels: &[(H, "n2.example"), (SC, "prod"), (NET, "rf-back")],
                networks: front,
            },
        ),
        (
            "network-unreachable",
            App {
                name: "rf-two-nets",
                labels: &[(H, "n3.example"), (SC, "prod")],
                networks: &["rf-front", "rf-back"],
            },
        ),
        (
            "network-unreachable",
            App {
                name: "rf-passthrough",
                labels: &[
                    (H, "n4.example"),
                    (SC, "prod"),
                    (labels::SSL_PASSTHROUGH, "true"),
                ],
                networks: front,
            },
        ),
        (
            "network-unreachable",
            App {
                name: "rf-not-in-networks",
                labels: &[(H, "n5.example"), (SC, "dev"), (NET, "rf-front")],
                networks: front,
            },
        ),
        (
            "tls-secret-missing",
            App {
                name: "rf-tls",
                labels: &[
                    (H, "tls.example"),
                    (SC, "prod"),
                    (labels::SSL_CERT, "rf-cert"),
                    (labels::SSL_KEY, "rf-no-key"),
                ],
                networks: front,
            },
        ),
        (
            "host-in-two-clusters",
            App {
                name: "rf-dup-prod",
                labels: &[(H, "dup.example"), (SC, "prod")],
                networks: front,
            },
        ),
        (
            "host-in-two-clusters",
            App {
                name: "rf-dup-test",
                labels: &[(H, "dup.example"), (SC, "test")],
                networks: front,
            },
        ),
        (
            "app-label-invalid",
            App {
                name: "rf-bad-port",
                labels: &[(H, "port.example"), (SC, "prod"), (labels::PORT, "eighty")],
                networks: front,
            },
        ),
        (
            "app-label-invalid",
            App {
                name: "rf-bad-hosts",
                labels: &[(H, "bad host.example,"), (SC, "prod")],
                networks: front,
            },
        ),
        (
            "apps-overlap",
            App {
                name: "rf-wanted",
                labels: &[(H, "wanted.example")],
                networks: front,
            },
        ),
        (
            "app-in-collection",
            App {
                name: "rf-in-dev",
                labels: &[(H, "dev.example"), (labels::COLLECTION, "/dev")],
                networks: front,
            },
        ),
        (
            "route-moves",
            App {
                name: "rf-mover",
                labels: &[(H, "mover.example")],
                networks: front,
            },
        ),
    ]
}

/// The bed's dev/test/prod spec with the routes keys of this test.
fn findings_spec(bed: &ApplyBed) -> String {
    bed.spec_text(PORTS)
        .replacen(
            "[clusters.dev]\n",
            "[clusters.dev]\nnetworks = [\"rf-dev\"]\ncollection = \"/dev\"\napps = [\"rf-wanted\"]\n",
            1,
        )
        .replacen(
            "[clusters.test]\n",
            "[clusters.test]\napps = [\"rf-wanted\", \"rf-nothing-*\"]\n",
            1,
        )
        .replacen("[clusters.prod]\n", "[clusters.prod]\napps = [\"rf-mover\"]\n", 1)
}

#[test]
fn every_route_finding_on_real_services() {
    if !support::docker_available("every_route_finding_on_real_services") {
        return;
    }
    let bed = ApplyBed::start(DEFAULT_TOML, "it.route-findings");
    create_objects();
    let image = bed.core.image.id.clone();
    let apps = apps();
    for (_, app) in &apps {
        create_app(&image, app);
    }
    let spec = write(bed.dir.path(), "findings.toml", &findings_spec(&bed));
    let out = tool(&[
        "plan",
        "--bundle",
        &bed.bundle,
        "--spec",
        &spec,
        "--output",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let findings = json(&out)["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (code, app) in &apps {
        let host = app.labels[0].1.split(',').next().unwrap();
        let named = |f: &&Value| {
            let m = f["message"].as_str().unwrap_or_default();
            f["code"] == *code
                && m.contains(app.name)
                && (m.contains(host) || *code == "app-label-invalid")
        };
        assert!(
            findings.iter().any(|f| named(&f)),
            "{code} for {}: {}",
            app.name,
            show(&out)
        );
    }
    let not_found = findings.iter().any(|f| {
        f["code"] == "app-not-found"
            && f["message"]
                .as_str()
                .unwrap_or_default()
                .contains("rf-nothing-*")
    });
    assert!(not_found, "{}", show(&out));
    let typo = findings
        .iter()
        .find(|f| f["code"] == "route-unmatched" && f["message"].to_string().contains("rf-typo"))
        .unwrap();
    assert!(
        typo["hint"].as_str().unwrap_or_default().contains("prod"),
        "{typo}"
    );
    let in_dev = findings
        .iter()
        .find(|f| f["code"] == "app-in-collection")
        .unwrap();
    assert!(
        in_dev["hint"]
            .as_str()
            .unwrap_or_default()
            .contains("rf-in-dev"),
        "the exact apps line: {in_dev}"
    );

    an_application_gone_before_apply_is_reported(&bed, &apps);
    drop(bed);
}

/// With only the mover and an unlabelled application left, prod keeping the unlabelled ones
/// and test taking the mover: the saved plan relabels it; it is removed before apply, which
/// says so and applies the rest.
fn an_application_gone_before_apply_is_reported(bed: &ApplyBed, apps: &[(&str, App<'_>)]) {
    for (_, app) in apps
        .iter()
        .filter(|(_, a)| !["rf-unlabelled", "rf-mover"].contains(&a.name))
    {
        docker_ok(&["service", "rm", app.name]);
    }
    let text = bed
        .spec_text(PORTS)
        .replacen(
            "[clusters.test]\n",
            "[clusters.test]\napps = [\"rf-mover\"]\n",
            1,
        )
        .replacen(
            "[clusters.prod]\n",
            "[clusters.prod]\ncatch_all = true\n",
            1,
        );
    let spec = write(bed.dir.path(), "moves.toml", &text);
    let saved = bed.save_plan(&spec, "moves.plan.json");
    docker_ok(&["service", "rm", "rf-mover"]);
    let out = tool(&[
        "apply",
        &saved,
        "--bundle",
        &bed.bundle,
        "--auto-approve",
        "--output",
        "json",
        "--backup-dir",
        &bed.dir.path().to_string_lossy(),
    ]);
    let doc = envelope(&out);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let steps = doc["result"]["steps"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let gone = steps
        .iter()
        .any(|s| s.to_string().contains("rf-mover") && s.to_string().contains("gone"));
    assert!(
        gone,
        "the report says the application is gone: {}",
        show(&out)
    );
    let label = docker(&["service", "inspect", "rf-unlabelled"]);
    assert!(label.status.success(), "the other application is untouched");
}
