//! The live plan and `status` on a real swarm, through a client bundle and an mTLS front, as an
//! operator runs them against UCP. Every connection error an operator can meet is produced for
//! real. Skipped (with `SKIP …`) when no Docker engine answers, unless
//! `INTERLOCK_SPLIT_E2E=required`.

use crate::support;

use std::net::TcpListener;
use std::path::Path;
use std::process::Output;
use std::time::Duration;
use support::cli::{json, show, stderr, tool, tool_env, write};

use serde_json::Value;
use support::bed::{self, FIRST_CONFIG, hostname, seed_spec};
use support::relay::Relay;
use support::{Core, KeyKind, SwarmLock, TEST_LABEL_KV, TlsFront, TlsOptions, WebPage, docker_ok};

const DEFAULT_TOML: &str = include_str!("../fixtures/ucp-3.1-default.toml");
const WAIT: Duration = Duration::from_secs(40);

/// Node labels a test adds, removed again however the test ends.
struct NodeLabels {
    node: String,
    keys: Vec<String>,
}

impl NodeLabels {
    fn add(node: &str, labels: &[(&str, &str)]) -> NodeLabels {
        for (k, v) in labels {
            let out = support::node_update(&["--label-add", &format!("{k}={v}")], node);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        NodeLabels {
            node: node.to_string(),
            keys: labels.iter().map(|(k, _)| k.to_string()).collect(),
        }
    }
}

impl Drop for NodeLabels {
    fn drop(&mut self) {
        for k in &self.keys {
            let _ = support::node_update(&["--label-rm", k], &self.node);
        }
    }
}

#[test]
fn live_plan_through_a_client_bundle() {
    if !support::docker_available("live_plan_through_a_client_bundle") {
        return;
    }
    let core = Core::deploy(DEFAULT_TOML);
    core.wait_service("ucp-interlock-proxy", WAIT);
    let host = hostname(&core.node);
    let front = TlsFront::start(TlsOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("ucp-bundle-admin.zip");
    front.bundle_zip(&zip);
    let spec = write(dir.path(), "spec.toml", &seed_spec(&host));
    let saved = dir.path().join("plan.json");

    let out = tool(&[
        "-v",
        "plan",
        "--bundle",
        zip.to_str().unwrap(),
        "--spec",
        &spec,
        "--output",
        "json",
        "--out",
        saved.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let plan = json(&out);
    assert_eq!(plan["current"]["kind"], "cluster");
    // The TOML comes from the config at /config.toml, although another config is mounted first.
    assert_eq!(plan["current"]["config_name"], FIRST_CONFIG);
    let kinds: Vec<&str> = plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "label-node",
            "label-node",
            "label-node",
            "create-config",
            "update-core-service",
            "remove-stale-service",
            "await-service",
            "await-service",
            "await-service",
            "await-service",
            "await-service",
            "await-service",
            "remove-stale-service"
        ],
        "{}",
        show(&out)
    );
    assert_eq!(
        plan["actions"][3]["name"],
        "com.docker.ucp.interlock.conf-2"
    );
    assert_eq!(plan["actions"][5]["service"], "ucp-interlock-proxy");
    assert_eq!(
        plan["actions"][5]["frees_ports"],
        serde_json::json!([8080, 8443])
    );
    assert_eq!(plan["summary"]["errors"], 0, "{}", show(&out));
    snap_run!("live_plan_json", &host, out);

    // -v shows each request and a count that matches what the front saw.
    let err = stderr(&out);
    assert!(err.contains("from client bundle"), "{err}");
    // The services without `?status=true`: its counts are not read.
    assert!(err.contains("api: GET /v1.41/services → 200"), "{err}");
    assert!(err.contains("api: GET /_ping → 200"), "{err}");
    let summary = err
        .lines()
        .find(|l| l.contains("API requests over"))
        .unwrap_or_else(|| panic!("{err}"));
    let requests: usize = summary.split_whitespace().next().unwrap().parse().unwrap();
    assert_eq!(requests, front.requests(), "{summary}");
    // One TLS handshake per connection of the pool, which no more than five make up.
    let connections: usize = summary.split_whitespace().nth(4).unwrap().parse().unwrap();
    assert_eq!(front.handshakes(), connections, "{summary}");
    assert!((1..=5).contains(&connections), "{summary}");

    // The saved plan: owner-only, with the fingerprint apply checks.
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(&saved).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let saved: Value = serde_json::from_slice(&std::fs::read(&saved).unwrap()).unwrap();
    let core_id = docker_ok(&["service", "inspect", "--format", "{{.ID}}", "ucp-interlock"]);
    let core_version = docker_ok(&[
        "service",
        "inspect",
        "--format",
        "{{.Version.Index}}",
        "ucp-interlock",
    ]);
    assert_eq!(saved["fingerprint"]["core_service_id"], core_id.as_str());
    assert_eq!(
        saved["fingerprint"]["core_service_version"].to_string(),
        core_version
    );
    assert_eq!(saved["fingerprint"]["config_name"], FIRST_CONFIG);
    assert!(
        saved["new_config"]
            .as_str()
            .unwrap()
            .contains("[Extensions.prod]")
    );

    // The same through the unzipped folder, in human form.
    let folder = dir.path().join("bundle");
    front.bundle_dir(&folder);
    let out = tool(&[
        "plan",
        "--bundle",
        folder.to_str().unwrap(),
        "--spec",
        &spec,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("label node"), "{text}");
    assert!(
        text.contains("create config com.docker.ucp.interlock.conf-2"),
        "{text}"
    );
    snap_run!("live_plan_human", &host, out);
    drop(core);
}

#[test]
fn live_findings_on_a_real_swarm() {
    if !support::docker_available("live_findings_on_a_real_swarm") {
        return;
    }
    let core = Core::deploy(DEFAULT_TOML);
    core.wait_running("ucp-interlock-proxy", 2, WAIT);
    let host = hostname(&core.node);
    let image = core.image.id.clone();
    // Another application holds 8082; an old proxy from an earlier, hand-made split lingers.
    docker_ok(&[
        "service",
        "create",
        "--detach",
        "--name",
        "billing-web",
        "--label",
        TEST_LABEL_KV,
        "--publish",
        "8082:80",
        &image,
        "sleep",
    ]);
    docker_ok(&[
        "service",
        "create",
        "--detach",
        "--name",
        "old-proxy-blue",
        "--label",
        TEST_LABEL_KV,
        "--label",
        "type=com.docker.interlock.core.proxy",
        "--publish",
        "9182:80",
        &image,
        "sleep",
    ]);
    // The node sits in the /prod collection.
    let _labels = NodeLabels::add(&core.node, &[("com.docker.ucp.access.label", "/prod")]);

    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "spec.toml",
        &format!(
            r#"
# keeps the default extension, with one replica instead of two: the proxy has drifted
[clusters.default]
service_name = "ucp-interlock-extension"
proxy_service_name = "ucp-interlock-proxy"
proxy_replicas = 1

[clusters.dev]
http_port = 8082
https_port = 8445
node_label_key = "it.interlock-split.dev"
node_label = "yes"
collection = "/dev"
nodes = ["{host}"]

# nobody carries this label
[clusters.qa]
http_port = 8083
https_port = 8446
node_label_key = "it.interlock-split.qa"
node_label = "yes"

[clusters.edge]
publish_mode = "host"
proxy_replicas = 2
http_port = 8090
https_port = 8490
node_label_key = "it.interlock-split.edge"
node_label = "yes"
nodes = ["{host}", "no-such-node"]
"#
        ),
    );
    let out = tool(&["plan", "--spec", &spec, "--output", "json"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "errors expected\n{}",
        show(&out)
    );
    let plan = json(&out);
    let codes: Vec<&str> = plan["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    for code in [
        "port-in-use",
        "no-eligible-node",
        "too-few-nodes",
        "proxy-drift",
        "collection-mismatch",
        "node-not-found",
    ] {
        assert!(
            codes.contains(&code),
            "{code} missing from {codes:?}\n{}",
            show(&out)
        );
    }
    let port = plan["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "port-in-use")
        .unwrap();
    assert!(
        port["message"].as_str().unwrap().contains("billing-web"),
        "{port}"
    );
    let stale: Vec<&str> = plan["stale_services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service"].as_str().unwrap())
        .collect();
    assert_eq!(stale, ["old-proxy-blue"], "{}", show(&out));
    assert!(
        plan["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "reconcile-proxy" && a["service"] == "ucp-interlock-proxy")
    );
    drop(core);
}

#[test]
fn no_changes_when_the_cluster_already_matches() {
    if !support::docker_available("no_changes_when_the_cluster_already_matches") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let spec_text = "[clusters.default]\nservice_name = \"ucp-interlock-extension\"\nproxy_service_name = \"ucp-interlock-proxy\"\nservice_cluster = \"default\"\n";
    let spec = write(dir.path(), "spec.toml", spec_text);
    let current = write(dir.path(), "current.toml", DEFAULT_TOML);
    // The config that already matches the spec is what the core runs.
    let rendered = tool(&["render", "--current", &current, "--spec", &spec]);
    assert_eq!(rendered.status.code(), Some(0), "{}", show(&rendered));
    let core = Core::deploy(&String::from_utf8(rendered.stdout).unwrap());
    core.wait_running("ucp-interlock-proxy", 2, WAIT);
    let out = tool(&["plan", "--spec", &spec, "--detailed-exitcode"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("No changes."),
        "{}",
        show(&out)
    );
    drop(core);
}

#[test]
fn status_before_and_after_the_core_creates_per_cluster_services() {
    if !support::docker_available("status_before_and_after_the_core_creates_per_cluster_services") {
        return;
    }
    let core = Core::deploy(DEFAULT_TOML);
    core.wait_running("ucp-interlock-proxy", 2, WAIT);
    core.wait_running("ucp-interlock-extension", 1, WAIT);
    let front = TlsFront::start(TlsOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("bundle.zip");
    front.bundle_zip(&zip);

    let out = tool(&[
        "status",
        "--bundle",
        zip.to_str().unwrap(),
        "--output",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let st = json(&out);
    assert_eq!(st["core"]["config"], FIRST_CONFIG);
    assert_eq!(st["clusters"][0]["name"], "default");
    let proxy = &st["clusters"][0]["services"][1];
    assert_eq!(proxy["name"], "ucp-interlock-proxy");
    assert_eq!(proxy["running"], 2);
    assert_eq!(proxy["desired"], 2);
    assert_eq!(st["problems"], 0, "{}", show(&out));

    // Split it by hand, the documented way, and let the core create the new services.
    let host = hostname(&core.node);
    let _labels = NodeLabels::add(
        &core.node,
        &[
            ("it.interlock-split.dev", "yes"),
            ("it.interlock-split.test", "yes"),
            ("it.interlock-split.prod", "yes"),
        ],
    );
    let spec = write(
        dir.path(),
        "spec.toml",
        &seed_spec(&host)
            .replace("8080", "8090")
            .replace("8443", "8493"),
    );
    let current = write(dir.path(), "current.toml", DEFAULT_TOML);
    let rendered = tool(&["render", "--current", &current, "--spec", &spec]);
    assert_eq!(rendered.status.code(), Some(0), "{}", show(&rendered));
    bed::create_config("com.docker.ucp.interlock.conf-2", &rendered.stdout);
    docker_ok(&[
        "service",
        "update",
        "--detach",
        "--config-rm",
        FIRST_CONFIG,
        "--config-add",
        "source=com.docker.ucp.interlock.conf-2,target=/config.toml",
        "ucp-interlock",
    ]);
    for c in ["dev", "test", "prod"] {
        core.wait_running(&format!("ucp-interlock-proxy-{c}"), 1, WAIT);
        core.wait_running(&format!("ucp-interlock-extension-{c}"), 1, WAIT);
    }
    core.wait_update_completed("ucp-interlock", WAIT);

    let out = tool(&[
        "status",
        "--bundle",
        zip.to_str().unwrap(),
        "--output",
        "json",
    ]);
    let st = json(&out);
    assert_eq!(
        st["core"]["config"],
        "com.docker.ucp.interlock.conf-2",
        "{}",
        show(&out)
    );
    let names: Vec<&str> = st["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dev", "test", "prod"]);
    for c in st["clusters"].as_array().unwrap() {
        for s in c["services"].as_array().unwrap() {
            assert_eq!(s["problems"], serde_json::json!([]), "{s}");
            assert_eq!(s["nodes"], serde_json::json!([host]), "{s}");
        }
    }
    // The default services are still there: stale, flagged, and the exit code says so.
    let stale: Vec<&str> = st["stale"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        stale,
        ["ucp-interlock-extension", "ucp-interlock-proxy"],
        "{}",
        show(&out)
    );
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    snap_run!("status_json_split_with_stale", &host, out);
    let configs: Vec<(&str, bool)> = st["configs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["in_use"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        configs,
        [
            (FIRST_CONFIG, false),
            ("com.docker.ucp.interlock.conf-2", true)
        ]
    );

    let human = tool(&["status", "--bundle", zip.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("Stale services:"), "{text}");
    assert!(text.contains("* com.docker.ucp.interlock.conf-2"), "{text}");
    snap_run!("status_human_split_with_stale", &host, human);
    drop(core);
}

/// How long the front takes to answer each request in `reads_overlap_at_a_distance`: long
/// beside the engine's own answer, so that requests in turn and requests together differ, and
/// beside a TLS handshake on a loaded machine (CI runs the multi-node tests beside it). At
/// 200 ms, a handshake starved past another connection's first answer once made the core's
/// read wait for that connection: a round the client's order did not make.
const FAR: Duration = Duration::from_millis(600);

/// What one live command made of a far cluster: its requests' rounds, the most in flight,
/// the connections, the wall time.
fn at_a_distance(front: &TlsFront, args: &[&str]) -> (usize, String) {
    let started = std::time::Instant::now();
    let out = tool(args);
    let took = started.elapsed();
    // Status exits 1 when it finds problems: what counts here is that it read the cluster.
    assert!(
        stderr(&out).contains("API requests over") || out.status.code() == Some(0),
        "{}",
        show(&out)
    );
    let rounds = front.rounds();
    let summary = format!(
        "{}: {} requests in {rounds} rounds, up to {} at once, over {} connections, in {} ms \
         with {FAR:?} an answer; {:?}",
        args[1],
        front.requests(),
        front.most_in_flight(),
        front.handshakes(),
        took.as_millis(),
        front.request_log()
    );
    eprintln!("{summary}");
    assert!(front.handshakes() <= 5, "{summary}");
    (rounds, summary)
}

/// Far from the cluster the live commands do not read in turn: through a front that answers
/// each request after [`FAR`], the plan's reads (the version negotiation among them) take two
/// rounds, the core and then the config it mounts, the independent reads beside them;
/// history's (and rollback's) read of the core's tasks adds none; status reads the proxies'
/// configs, which the core's TOML names, in one more.
#[test]
fn reads_overlap_at_a_distance() {
    if !support::docker_available("reads_overlap_at_a_distance") {
        return;
    }
    let core = Core::deploy(DEFAULT_TOML);
    core.wait_service("ucp-interlock-proxy", WAIT);
    let host = hostname(&core.node);
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "spec.toml", &seed_spec(&host));
    let far = || {
        let front = TlsFront::start(TlsOptions {
            answer_delay: Some(FAR),
            ..TlsOptions::default()
        });
        let zip = zip_of(&front, dir.path());
        (front, zip)
    };
    // Status reads a third round: the configs of the proxies the core's TOML names.
    for (cmd, extra, most) in [
        ("plan", vec!["--spec", spec.as_str()], 2),
        ("status", vec![], 3),
        ("history", vec![], 2),
    ] {
        let (front, zip) = far();
        let mut args = vec!["-v", cmd, "--bundle", zip.to_str().unwrap()];
        args.extend(extra);
        let (rounds, summary) = at_a_distance(&front, &args);
        assert!(rounds <= most, "{summary}");
        assert!(front.most_in_flight() >= 4, "{summary}");
    }
    // The same plan through a relay that makes each round trip 100 ms: figures only, with
    // the `-v` lines that time each request (never a timed assertion).
    let front = TlsFront::start(TlsOptions::default());
    let relay = Relay::start(front.addr(), RTT / 2);
    let bundle = bundle_to(&front, dir.path(), relay.port());
    let started = std::time::Instant::now();
    let out = tool(&[
        "-v",
        "plan",
        "--bundle",
        bundle.to_str().unwrap(),
        "--spec",
        &spec,
    ]);
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    eprintln!(
        "plan over a {RTT:?} round trip: {} ms, {:.1} round trips (TCP connect and TLS handshake included)\n{}",
        took.as_millis(),
        took.as_secs_f64() / RTT.as_secs_f64(),
        stderr(&out)
    );
}

/// The round trip of the relay in `reads_overlap_at_a_distance`: a VPN to a far cluster.
const RTT: Duration = Duration::from_millis(100);

/// A plan attempt through `front`'s bundle; returns stderr, asserting exit 1.
fn failing_plan(bundle: &Path, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "spec.toml",
        "[clusters.dev]\nhttp_port = 8082\n",
    );
    let mut args = vec![
        "plan",
        "--bundle",
        bundle.to_str().unwrap(),
        "--spec",
        &spec,
    ];
    args.extend_from_slice(extra);
    let out = tool(&args);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    stderr(&out)
}

fn zip_of(front: &TlsFront, dir: &Path) -> std::path::PathBuf {
    let p = dir.join("bundle.zip");
    front.bundle_zip(&p);
    p
}

#[test]
fn connection_errors_name_the_cause_and_the_fix() {
    if !support::docker_available("connection_errors_name_the_cause_and_the_fix") {
        return;
    }
    // Nothing here may find a ucp-interlock of another test.
    let _lock = SwarmLock::acquire();
    let dir = tempfile::tempdir().unwrap();

    // Layer 7 routing not enabled: no ucp-interlock at all.
    let front = TlsFront::start(TlsOptions::default());
    let err = failing_plan(&zip_of(&front, dir.path()), &[]);
    assert!(err.contains("Layer 7 routing is not enabled"), "{err}");
    assert!(err.contains("Enable Layer 7 Routing"), "{err}");

    // HTTP 403 from UCP: the bundle's user lacks permission, for the named call.
    let front = TlsFront::start(TlsOptions {
        deny_paths: vec![("/services".into(), 403)],
        ..Default::default()
    });
    let err = failing_plan(&zip_of(&front, dir.path()), &[]);
    assert!(err.contains("HTTP 403 on GET /services"), "{err}");
    assert!(err.contains("lacks permission"), "{err}");

    // Not a swarm manager.
    let front = TlsFront::start(TlsOptions {
        deny_paths: vec![("/nodes".into(), 503)],
        ..Default::default()
    });
    let err = failing_plan(&zip_of(&front, dir.path()), &[]);
    assert!(err.contains("not a swarm manager"), "{err}");
    assert!(err.contains("connect to a manager"), "{err}");

    // The server's certificate is not from the bundle's CA.
    let front = TlsFront::start(TlsOptions {
        server_cert_from_other_ca: true,
        ..Default::default()
    });
    let err = failing_plan(&zip_of(&front, dir.path()), &[]);
    assert!(err.contains("did not sign"), "{err}");

    // An expired client certificate: named before connecting.
    let front = TlsFront::start(TlsOptions {
        expired_client_cert: true,
        ..Default::default()
    });
    let err = failing_plan(&zip_of(&front, dir.path()), &[]);
    assert!(err.contains("expired"), "{err}");
    assert!(err.contains("download a new client bundle"), "{err}");
    assert_eq!(
        front.handshakes() + front.failed_handshakes(),
        0,
        "no connection for a bundle known to be bad"
    );

    // A client certificate the cluster does not accept.
    let front = TlsFront::start(TlsOptions {
        client_cert_from_other_ca: true,
        ..Default::default()
    });
    let err = failing_plan(&zip_of(&front, dir.path()), &[]);
    assert!(
        err.contains("refused the client certificate") || err.contains("TLS with"),
        "{err}"
    );

    // Certificate and key from two different bundles.
    let other = TlsFront::start(TlsOptions {
        client_key: KeyKind::Rsa,
        ..Default::default()
    });
    let mixed = dir.path().join("mixed");
    front.bundle_dir(&mixed);
    std::fs::write(mixed.join("key.pem"), other.key_pem()).unwrap();
    let err = failing_plan(&mixed, &[]);
    assert!(err.contains("do not belong together"), "{err}");

    // A missing key.
    std::fs::remove_file(mixed.join("key.pem")).unwrap();
    let err = failing_plan(&mixed, &[]);
    assert!(err.contains("no key.pem"), "{err}");

    // Connection refused: the bundle points at a port nothing listens on.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let refused = dir.path().join("refused");
    other.bundle_dir(&refused);
    std::fs::write(
        refused.join("env.sh"),
        format!("export DOCKER_HOST=tcp://127.0.0.1:{closed}\n"),
    )
    .unwrap();
    let err = failing_plan(&refused, &[]);
    assert!(err.contains("refused"), "{err}");
    assert!(err.contains("check the host and port"), "{err}");

    // Timeout: something accepts the connection and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let holder = std::thread::spawn(move || {
        let conns: Vec<_> = silent.incoming().take(1).filter_map(Result::ok).collect();
        std::thread::sleep(Duration::from_secs(4));
        drop(conns);
    });
    std::fs::write(
        refused.join("env.sh"),
        format!("export DOCKER_HOST=tcp://127.0.0.1:{port}\n"),
    )
    .unwrap();
    let err = failing_plan(&refused, &["--timeout", "1"]);
    assert!(err.contains("did not answer within 1s"), "{err}");
    holder.join().unwrap();
}

/// A bundle whose env.sh points at `port` on 127.0.0.1.
fn bundle_to(front: &TlsFront, dir: &Path, port: u16) -> std::path::PathBuf {
    let path = dir.join(format!("to-{port}"));
    front.bundle_dir(&path);
    std::fs::write(
        path.join("env.sh"),
        format!("export DOCKER_HOST=tcp://127.0.0.1:{port}\n"),
    )
    .unwrap();
    path
}

/// Serves each of `n` connections with `serve` on a thread; returns the port.
fn raw_server(n: usize, serve: fn(std::net::TcpStream)) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().take(n).flatten() {
            serve(s);
        }
    });
    port
}

/// What answers is not a Docker API: each case says so, names what answered, and says what to
/// check. No engine is needed.
#[test]
fn servers_that_are_not_a_docker_api_are_named() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();

    // An HTTPS web server (it even accepts the client certificate).
    let web = TlsFront::start(TlsOptions {
        web_page: Some(WebPage {
            status: 200,
            server: "nginx/1.25.3",
            body: "<html>\r\n<head><title>Welcome\x1b[31m to nginx!</title></head></html>".into(),
        }),
        ..Default::default()
    });
    let err = failing_plan(&zip_of(&web, dir.path()), &[]);
    assert!(err.contains("does not look like a Docker API"), "{err}");
    assert!(
        err.contains("`HTTP/1.1 200 OK` from `nginx/1.25.3`"),
        "{err}"
    );
    assert!(
        err.contains("<html>\\r\\n<head><title>Welcome\\u{1b}[31m"),
        "{err}"
    );
    assert!(
        !err.contains('\x1b'),
        "control characters are escaped: {err}"
    );
    assert!(err.contains("check the host and port"), "{err}");
    assert!(!err.contains("deserialize"), "{err}");

    // A web server's error page.
    let web = TlsFront::start(TlsOptions {
        web_page: Some(WebPage {
            status: 404,
            server: "Apache",
            body: "<h1>Not Found</h1>".into(),
        }),
        ..Default::default()
    });
    let err = failing_plan(&zip_of(&web, dir.path()), &[]);
    assert!(
        err.contains("`HTTP/1.1 404 Not Found` from `Apache`, body `<h1>Not Found</h1>`"),
        "{err}"
    );

    // A plain-HTTP server where TLS is expected.
    let port = raw_server(1, |mut s| {
        let mut buf = [0u8; 1024];
        let _ = s.read(&mut buf);
        let _ = s.write_all(
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
    });
    let err = failing_plan(&bundle_to(&web, dir.path(), port), &[]);
    assert!(
        err.contains(&format!("tcp://127.0.0.1:{port} does not speak TLS")),
        "{err}"
    );
    assert!(err.contains("plain-HTTP"), "{err}");

    // A server that closes the connection in the middle of the TLS handshake.
    let port = raw_server(1, |mut s| {
        let mut buf = [0u8; 1024];
        let _ = s.read(&mut buf);
    });
    let err = failing_plan(&bundle_to(&web, dir.path(), port), &[]);
    assert!(
        err.contains(&format!(
            "tcp://127.0.0.1:{port} closed the connection during the TLS handshake"
        )),
        "{err}"
    );
    assert!(err.contains("check the host and port"), "{err}");
}

/// Reached the cluster and read it: with no ucp-interlock deployed, the one error left is that
/// Layer 7 routing is not enabled.
fn reached(out: &Output, front: &TlsFront, before: usize) {
    let err = stderr(out);
    assert!(
        err.contains("Layer 7 routing is not enabled"),
        "{}",
        show(out)
    );
    assert!(
        front.requests() > before,
        "the front saw nothing: {}",
        show(out)
    );
}

#[test]
fn every_way_to_connect_reaches_the_cluster() {
    if !support::docker_available("every_way_to_connect_reaches_the_cluster") {
        return;
    }
    let _lock = SwarmLock::acquire();
    let front = TlsFront::start(TlsOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle");
    front.bundle_dir(&bundle);
    let spec = write(
        dir.path(),
        "spec.toml",
        "[clusters.dev]\nhttp_port = 8082\n",
    );
    let file = |f: &str| bundle.join(f).to_str().unwrap().to_string();
    let host = front.docker_host();

    // --host with --tls-ca/--tls-cert/--tls-key.
    let n = front.requests();
    let out = tool_env(
        &[
            "plan",
            "--host",
            &host,
            "--tls-ca",
            &file("ca.pem"),
            "--tls-cert",
            &file("cert.pem"),
            "--tls-key",
            &file("key.pem"),
            "--spec",
            &spec,
        ],
        &[],
    );
    reached(&out, &front, n);

    // DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, as a bundle's env.sh sets them.
    let n = front.requests();
    let cert_path = bundle.to_str().unwrap();
    let env = [
        ("DOCKER_HOST", host.as_str()),
        ("DOCKER_TLS_VERIFY", "1"),
        ("DOCKER_CERT_PATH", cert_path),
    ];
    reached(&tool_env(&["plan", "--spec", &spec], &env), &front, n);

    // TLS without verification is refused.
    let out = tool_env(
        &["plan", "--spec", &spec],
        &[("DOCKER_HOST", host.as_str()), ("DOCKER_TLS", "1")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("without verification is refused"),
        "{}",
        show(&out)
    );

    // A docker context made by the real docker CLI: by --context, by DOCKER_CONTEXT, and as the
    // CLI's current context.
    let config = dir.path().join("docker-config");
    let config_s = config.to_str().unwrap();
    docker_ok(&[
        "--config",
        config_s,
        "context",
        "create",
        "itest",
        "--docker",
        &format!(
            "host={host},ca={},cert={},key={}",
            file("ca.pem"),
            file("cert.pem"),
            file("key.pem")
        ),
    ]);
    let n = front.requests();
    reached(
        &tool_env(
            &["plan", "--context", "itest", "--spec", &spec],
            &[("DOCKER_CONFIG", config_s)],
        ),
        &front,
        n,
    );
    let n = front.requests();
    reached(
        &tool_env(
            &["plan", "--spec", &spec],
            &[("DOCKER_CONFIG", config_s), ("DOCKER_CONTEXT", "itest")],
        ),
        &front,
        n,
    );
    docker_ok(&["--config", config_s, "context", "use", "itest"]);
    let n = front.requests();
    reached(
        &tool_env(&["plan", "--spec", &spec], &[("DOCKER_CONFIG", config_s)]),
        &front,
        n,
    );
    let out = tool_env(
        &["plan", "--context", "nope", "--spec", &spec],
        &[("DOCKER_CONFIG", config_s)],
    );
    assert!(
        stderr(&out).contains("there is no docker context `nope`"),
        "{}",
        show(&out)
    );

    // --bundle comes first: a DOCKER_HOST pointing nowhere does not matter.
    let n = front.requests();
    let out = tool_env(
        &["plan", "--bundle", cert_path, "--spec", &spec],
        &[
            ("DOCKER_HOST", "tcp://127.0.0.1:1"),
            ("DOCKER_TLS_VERIFY", "1"),
        ],
    );
    reached(&out, &front, n);
}
