//! The handover of the default proxy's ports to prod, on a bed whose default proxy serves them in
//! host mode on the two nodes that become prod's: prod adopts the running proxy (`adopt_proxy`)
//! and apply reconciles it by a rolling update, or (the benchmark's other mode) apply removes it
//! and Interlock creates `ucp-interlock-proxy-prod`.

use super::*;

/// Workers that carry the default proxy before the split, and prod after it.
const PROD_WORKERS: [usize; 2] = [2, 3];
const DEFAULT_PROXY: &str = "ucp-interlock-proxy";
/// The template's own proxy constraints, and the pin to the ingress nodes the bed adds.
const SWARM_LINUX: &str =
    r#""node.labels.com.docker.ucp.orchestrator.swarm==true", "node.platform.os==linux""#;

/// Four workers (/dev, /test, /prod, /prod); the default proxy in host mode, 2 replicas, pinned
/// to the two /prod workers by an `ingress=true` label.
fn handover_bed() -> MultiNode {
    let bed = MultiNode::start(&["/dev", "/test", "/prod", "/prod"]);
    for i in PROD_WORKERS {
        let host = bed.worker(i).hostname.clone();
        bed.docker_ok(&["node", "update", "--label-add", "ingress=true", &host]);
    }
    let toml = DEFAULT_TOML
        .replace(r#"PublishMode = "ingress""#, r#"PublishMode = "host""#)
        .replace(
            &format!("ProxyConstraints = [{SWARM_LINUX}]"),
            &format!(r#"ProxyConstraints = [{SWARM_LINUX}, "node.labels.ingress==true"]"#),
        );
    assert!(toml.contains("ingress==true") && toml.contains(r#"= "host""#));
    bed.deploy_core(&toml);
    let prod = prod_hosts(&bed);
    bed.wait_running_on(DEFAULT_PROXY, &[&prod[0], &prod[1]], WAIT);
    bed
}

fn prod_hosts(bed: &MultiNode) -> Vec<String> {
    PROD_WORKERS
        .iter()
        .map(|&i| bed.worker(i).hostname.clone())
        .collect()
}

/// The walk-through's spec without the ingress pin, prod with 2 proxies on its two nodes,
/// adopting the default proxy or not.
fn handover_spec(bed: &MultiNode, adopt: bool) -> String {
    let prod = prod_hosts(bed);
    let adopt = if adopt {
        format!("adopt_proxy = \"{DEFAULT_PROXY}\"\n")
    } else {
        String::new()
    };
    spec_for(bed, &ENVIRONMENTS)
        .replacen(
            "[defaults]\n",
            &format!("[defaults]\nproxy_constraints = {{ replace = [{SWARM_LINUX}] }}\n"),
            1,
        )
        .replacen(
            &format!("nodes = [\"{}\"]\n", prod[0]),
            &format!("nodes = {prod:?}\nproxy_replicas = 2\n{adopt}"),
            1,
        )
}

/// `docker service inspect --format FORMAT service`.
fn inspect(bed: &MultiNode, format: &str, service: &str) -> String {
    bed.docker_ok(&["service", "inspect", "--format", format, service])
}

#[test]
fn prod_adopts_the_default_proxy_by_a_rolling_update() {
    if !available("prod_adopts_the_default_proxy_by_a_rolling_update") {
        return;
    }
    let bed = handover_bed();
    let dir = tempfile::tempdir().unwrap();
    let bundle = bed.bundle(dir.path());
    let spec = write(dir.path(), "spec.toml", &handover_spec(&bed, true));
    let container = "{{json .Spec.TaskTemplate.ContainerSpec}}";
    let (id, before, tasks) = (
        inspect(&bed, "{{.ID}}", DEFAULT_PROXY),
        inspect(&bed, container, DEFAULT_PROXY),
        bed.task_ids(DEFAULT_PROXY),
    );
    assert_eq!(
        tasks.len(),
        2,
        "the default proxy runs 2 tasks before the split"
    );
    let out = tool(&[
        "plan", "--bundle", &bundle, "--spec", &spec, "--output", "json",
    ]);
    let plan = json(&out);
    let has = |kind: &str| {
        plan["actions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|a| a["kind"] == kind && a["service"] == DEFAULT_PROXY)
    };
    assert!(
        has("reconcile-proxy") && !has("remove-stale-service"),
        "{}",
        show(&out)
    );
    apply(&bundle, &spec, dir.path());

    // The same service, on prod's nodes now, with prod's replicas; its containers and tasks as
    // they were.
    let prod = prod_hosts(&bed);
    bed.wait_running_on(DEFAULT_PROXY, &[&prod[0], &prod[1]], WAIT);
    assert_eq!(inspect(&bed, "{{.ID}}", DEFAULT_PROXY), id, "not recreated");
    assert_eq!(inspect(&bed, container, DEFAULT_PROXY), before);
    // Only its constraints drifted, and both tasks' nodes satisfy the new ones: swarm keeps
    // them (no restart, so no gap on prod's ports).
    assert_eq!(
        bed.task_ids(DEFAULT_PROXY),
        tasks,
        "the adopted proxy's tasks were restarted"
    );
    assert_eq!(
        inspect(&bed, "{{.Spec.Mode.Replicated.Replicas}}", DEFAULT_PROXY),
        "2"
    );
    let gone = bed
        .manager()
        .docker(&["service", "inspect", "ucp-interlock-proxy-prod"]);
    assert!(
        !gone.status.success(),
        "Interlock created no second prod proxy"
    );
    for port in [8080, 8443] {
        for (i, e) in bed.engines.iter().enumerate() {
            let answer = http_get(&e.address, port);
            if i >= 1 && PROD_WORKERS.contains(&(i - 1)) {
                let body = answer.unwrap_or_else(|err| panic!("{}:{port}: {err}", e.hostname));
                let expect = format!("service {DEFAULT_PROXY}, ");
                assert!(
                    body.contains(&expect) && body.contains(&format!("node {}", e.hostname)),
                    "{body}"
                );
            } else {
                assert!(answer.is_err(), "{}:{port} answered {answer:?}", e.hostname);
            }
        }
    }
    // dev and test are served as in the walk-through.
    for (i, (name, http, _, _)) in ENVIRONMENTS.iter().enumerate().take(2) {
        let body = support::wait_for(
            &format!("{name} to answer"),
            WAIT,
            || http_get(&bed.worker(i).address, *http).ok(),
            || bed.explain(&format!("ucp-interlock-proxy-{name}")),
        );
        assert!(body.contains(&format!("service cluster {name}")), "{body}");
    }
    let out = tool(&[
        "plan", "--bundle", &bundle, "--spec", &spec, "--output", "json",
    ]);
    assert_eq!(
        json(&out)["actions"],
        Value::Array(Vec::new()),
        "{}",
        show(&out)
    );
    drop(bed);
    assert_no_leftovers();
}

/// Probes every environment's ports on its nodes, and prod's ports through a front that fails
/// over between prod's two nodes, while apply hands prod the default proxy's ports.
fn traffic_during_handover(adopt: bool) {
    let bed = handover_bed();
    let dir = tempfile::tempdir().unwrap();
    let bundle = bed.bundle(dir.path());
    let spec = write(dir.path(), "spec.toml", &handover_spec(&bed, adopt));
    let node = |i: usize| bed.worker(i).address.clone();
    let mut groups: Vec<(Vec<String>, u16)> = Vec::new();
    for (i, (_, http, https, _)) in ENVIRONMENTS.iter().enumerate() {
        let nodes = if i == 2 {
            PROD_WORKERS.to_vec()
        } else {
            vec![i]
        };
        for port in [*http, *https] {
            groups.extend(nodes.iter().map(|&n| (vec![node(n)], port)));
        }
    }
    for port in [8080, 8443] {
        groups.push((PROD_WORKERS.iter().map(|&n| node(n)).collect(), port));
    }
    let interval = Duration::from_millis(50);
    let prober =
        support::prober::Prober::start_failover(&groups, interval, 6_000, Duration::from_secs(300));
    let started = std::time::Instant::now();
    apply(&bundle, &spec, dir.path());
    let took = started.elapsed();
    std::thread::sleep(Duration::from_secs(1));
    let how = if adopt {
        "prod adopts ucp-interlock-proxy (rolling update)"
    } else {
        "ucp-interlock-proxy removed, ucp-interlock-proxy-prod created"
    };
    eprintln!(
        "\n{how}: apply took {took:.1?}; 20 requests/s per port, from its start to 1 s after it"
    );
    eprintln!(
        "{:<26} {:>5} {:>6} {:>7} {:>12}",
        "node(s)", "port", "sent", "failed", "longest gap"
    );
    for s in prober.finish() {
        eprintln!(
            "{:<26} {:>5} {:>6} {:>7} {:>12}",
            s.address,
            s.port,
            s.sent,
            s.failed,
            format!("{:.2?}", s.longest_gap)
        );
    }
    drop(bed);
    assert_no_leftovers();
}

/// A benchmark (`tests/traffic_during_apply.sh handover`): apply removes the default proxy.
#[test]
#[ignore = "a benchmark: run tests/traffic_during_apply.sh handover"]
fn traffic_during_handover_by_removal() {
    if available("traffic_during_handover_by_removal") {
        traffic_during_handover(false);
    }
}

/// A benchmark (`tests/traffic_during_apply.sh handover`): prod adopts the default proxy.
#[test]
#[ignore = "a benchmark: run tests/traffic_during_apply.sh handover"]
fn traffic_during_handover_by_adoption() {
    if available("traffic_during_handover_by_adoption") {
        traffic_during_handover(true);
    }
}
