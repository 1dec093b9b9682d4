//! The split keeps every application's route, through the tool and a client bundle, on the
//! stand-in that routes like Interlock: the walk-through's spec alone would cut the unlabelled
//! applications, so `plan` names them (`route-lost`) and `apply` refuses; with `catch_all` and
//! `apps` the plan says where each one goes, apply creates dev's `ingress_dev` network, relabels
//! the application `apps` names without restarting it, and `verify` finds every host answered by
//! its cluster's proxy only; then Step 9's demo on `ingress_dev` is answered by dev's, the plan
//! stays empty, and `verify` fails when the demo stops answering.

use super::routes::{DEMO, DEMO_HOST, demo_app};
use super::*;
use interlock_model::route::labels;
use support::multinode_apps::App;
use support::multinode_core::http_request;

const PLAIN: (&str, &str) = ("plain", "plain.example");
const SHOP: (&str, &str) = ("shop", "shop.example");
/// The worker the default proxy runs on before the split, and prod's after it.
const PROD_WORKER: usize = 2;

/// The walk-through's three workers; two unlabelled applications on an overlay network; the
/// core running UCP's default config with its proxy in host mode on prod's worker, answering
/// both.
fn bed_with_apps() -> (MultiNode, Vec<support::multinode_apps::AppService>) {
    let bed = MultiNode::start(&["/dev", "/test", "/prod"]);
    let host = bed.worker(PROD_WORKER).hostname.clone();
    bed.docker_ok(&["node", "update", "--label-add", "ingress=true", &host]);
    let net = bed.create_network("apps", &[]);
    std::mem::forget(net); // the bed's teardown removes it with the engines
    let apps = [PLAIN, SHOP]
        .iter()
        .map(|(name, host)| {
            bed.deploy_app(&App {
                networks: vec!["apps".into()],
                replicas: 1,
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
    for (_, host) in [PLAIN, SHOP] {
        answered(&bed, PROD_WORKER, 8080, host);
    }
    (bed, apps)
}

/// Waits until the proxy on worker `w`'s `port` answers `host` with 200.
fn answered(bed: &MultiNode, w: usize, port: u16, host: &str) {
    support::wait_for(
        &format!("{host} answered on worker {w}:{port}"),
        WAIT,
        || {
            http_request(&bed.worker(w).address, port, host, "/")
                .ok()
                .filter(|a| a.status == 200)
        },
        || bed.explain("ucp-interlock-proxy"),
    );
}

/// The walk-through's spec, without the bed's pin of the default proxy to prod's worker.
pub(super) fn base_spec(bed: &MultiNode) -> String {
    walkthrough_spec(bed).replacen(
        "[defaults]\n",
        "[defaults]\nproxy_constraints = { replace = [\"node.labels.com.docker.ucp.orchestrator.swarm==true\", \"node.platform.os==linux\"] }\n",
        1,
    )
}

/// The walk-through's spec, prod keeping the unlabelled applications (`catch_all`), test taking
/// the shop (`apps`), dev's proxy on `ingress_dev` (`networks`), which does not exist yet.
fn routes_spec(bed: &MultiNode) -> String {
    base_spec(bed)
        .replacen(
            "[clusters.dev]\n",
            "[clusters.dev]\nnetworks = [\"ingress_dev\"]\n",
            1,
        )
        .replacen(
            "[clusters.test]\n",
            &format!("[clusters.test]\napps = [\"{}\"]\n", SHOP.0),
            1,
        )
        .replacen(
            "[clusters.prod]\n",
            "[clusters.prod]\ncatch_all = true\n",
            1,
        )
}

/// `verify --output json` until it exits `code`; its result.
fn verify_until(bundle: &str, code: i32, bed: &MultiNode) -> Value {
    support::wait_for(
        &format!("verify to exit {code}"),
        WAIT,
        || {
            let out = tool(&["verify", "--bundle", bundle, "--output", "json"]);
            (out.status.code() == Some(code)).then(|| (json(&out), show(&out)))
        },
        || bed.explain("ucp-interlock"),
    )
    .0
}

/// The clusters whose proxy answered `host` as its own, by the verify report.
fn routed_by(report: &Value, host: &str) -> Vec<String> {
    let mut out: Vec<String> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["host"] == host && c["expect"] == "routes" && c["ok"] == true)
        .map(|c| c["cluster"].as_str().unwrap().to_string())
        .collect();
    out.dedup();
    out
}

fn codes(plan: &Value) -> Vec<(String, String)> {
    plan["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_split_keeps_every_applications_route() {
    if !available("the_split_keeps_every_applications_route") {
        return;
    }
    let (bed, apps) = bed_with_apps();
    let dir = tempfile::tempdir().unwrap();
    let bundle = bed.bundle(dir.path());
    let before = verify_until(&bundle, 0, &bed);
    assert_eq!(routed_by(&before, PLAIN.1), ["default"], "{before:#}");

    the_walkthrough_alone_is_refused(&bed, &bundle, dir.path());
    let shop_tasks = bed.task_ids(SHOP.0);
    split_with_routes(&bed, &bundle, dir.path());
    assert_eq!(
        bed.task_ids(SHOP.0),
        shop_tasks,
        "the relabel restarted no task"
    );
    step9_through_dev(&bed, &bundle, dir.path());
    drop(bed);
    drop(apps);
    assert_no_leftovers();
}

/// Without `apps` or `catch_all`, both unlabelled applications would lose their route: the plan
/// names each, apply refuses and changes nothing.
fn the_walkthrough_alone_is_refused(bed: &MultiNode, bundle: &str, dir: &std::path::Path) {
    let spec = write(dir, "walkthrough.toml", &base_spec(bed));
    let out = tool(&[
        "plan", "--bundle", bundle, "--spec", &spec, "--output", "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let plan = json(&out);
    let lost: Vec<String> = codes(&plan)
        .into_iter()
        .filter(|(c, _)| c == "route-lost")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(lost.len(), 2, "{}", show(&out));
    assert_eq!(
        plan["summary"]["errors"],
        2,
        "route-lost are its only errors: {}",
        show(&out)
    );
    for (name, host) in [PLAIN, SHOP] {
        assert!(
            lost.iter().any(|m| m.contains(name) && m.contains(host)),
            "{lost:?}"
        );
    }
    let config = bed.docker_ok(&[
        "service",
        "inspect",
        "--format",
        "{{json .Spec.TaskTemplate.ContainerSpec.Configs}}",
        "ucp-interlock",
    ]);
    let out = tool(&[
        "apply",
        "--bundle",
        bundle,
        "--spec",
        &spec,
        "--auto-approve",
        "--backup-dir",
        &dir.to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let after = bed.docker_ok(&[
        "service",
        "inspect",
        "--format",
        "{{json .Spec.TaskTemplate.ContainerSpec.Configs}}",
        "ucp-interlock",
    ]);
    assert_eq!(after, config, "a refused apply changed the core");
    answered(bed, PROD_WORKER, 8080, PLAIN.1);
}

/// With the routes in the spec: the plan moves the plain application to prod (a gap while the
/// default proxy hands prod its port), relabels the shop for test and creates `ingress_dev`;
/// apply does it; verify agrees; the next plan is empty.
fn split_with_routes(bed: &MultiNode, bundle: &str, dir: &std::path::Path) {
    let spec = write(dir, "routes.toml", &routes_spec(bed));
    let out = tool(&[
        "plan", "--bundle", bundle, "--spec", &spec, "--output", "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let plan = json(&out);
    let kinds: Vec<&str> = plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["kind"].as_str())
        .collect();
    for kind in ["create-network", "relabel-app", "await-route"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    let human = tool(&["plan", "--bundle", bundle, "--spec", &spec]);
    let text = String::from_utf8_lossy(&human.stdout);
    for line in [
        "Routes:",
        "relabel application shop",
        "create overlay network ingress_dev",
    ] {
        assert!(text.contains(line), "{line}: {}", show(&human));
    }
    apply(bundle, &spec, dir);

    let collection = bed.docker_ok(&[
        "network",
        "inspect",
        "--format",
        &format!("{{{{index .Labels \"{}\"}}}}", labels::COLLECTION),
        "ingress_dev",
    ]);
    assert_eq!(collection, "/dev", "ingress_dev is in dev's collection");
    let label = bed.docker_ok(&[
        "service",
        "inspect",
        "--format",
        &format!("{{{{index .Spec.Labels \"{}\"}}}}", labels::SERVICE_CLUSTER),
        SHOP.0,
    ]);
    assert_eq!(label, "test");
    let report = verify_until(bundle, 0, bed);
    assert_eq!(routed_by(&report, PLAIN.1), ["prod"], "{report:#}");
    assert_eq!(routed_by(&report, SHOP.1), ["test"], "{report:#}");
    assert_empty_plan(bundle, &spec);
}

/// Step 9: the demo on `ingress_dev`, labelled dev, is answered by dev's proxy only, and the
/// plan stays empty; with no task left, verify says dev no longer routes it.
fn step9_through_dev(bed: &MultiNode, bundle: &str, dir: &std::path::Path) {
    let demo = bed.deploy_app(&demo_app());
    let report = verify_until(bundle, 0, bed);
    assert_eq!(routed_by(&report, DEMO_HOST), ["dev"], "{report:#}");
    assert_empty_plan(bundle, &dir.join("routes.toml").to_string_lossy());

    bed.docker_ok(&["service", "scale", "--detach", &format!("{DEMO}=0")]);
    // Dev's proxy may be restarting onto its new config for a moment (then unreachable, its
    // host unchecked, also a failure); wait for the answer itself.
    let out = support::wait_for(
        "verify to find dev's proxy not answering the demo",
        WAIT,
        || {
            let out = tool(&["verify", "--bundle", bundle, "--output", "json"]);
            let failed = failed_checks(&support::cli::envelope(&out));
            (out.status.code() == Some(1) && !failed.is_empty()).then_some(out)
        },
        || bed.explain(DEMO),
    );
    let doc = support::cli::envelope(&out);
    assert_eq!(doc["error"]["code"], "routes-wrong", "{}", show(&out));
    assert!(
        failed_checks(&doc)
            .iter()
            .all(|c| c["host"] == DEMO_HOST && c["cluster"] == "dev"),
        "only the demo at dev fails: {}",
        show(&out)
    );
    drop(demo);
}

/// The checks of a verify envelope that failed.
fn failed_checks(doc: &Value) -> Vec<Value> {
    doc["result"]["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["ok"] == false)
        .cloned()
        .collect()
}

fn assert_empty_plan(bundle: &str, spec: &str) {
    let out = tool(&[
        "plan", "--bundle", bundle, "--spec", spec, "--output", "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let plan = json(&out);
    assert_eq!(plan["actions"], Value::Array(Vec::new()), "{}", show(&out));
    assert_eq!(plan["changed"], false, "{}", show(&out));
}
