//! Self-tests of the fake Docker engine (`support::fake`): the real binary plans and reports
//! status against it, each fault kind fails a plan with a message that says what happened,
//! bollard (the tool's client library) reads and writes every object it serves, and the
//! simulated Interlock core creates services, rolls back a config it cannot run, and retries a
//! create the swarm refuses.

mod support;

use std::time::{Duration, Instant};
use support::cli::{json as json_of, show, tool};

use bollard::models::{ConfigSpec, NodeSpec, ServiceSpec, TaskSpecContainerSpecConfigs};
use bollard::query_parameters::{
    ListServicesOptions, ListTasksOptions, LogsOptions, UpdateNodeOptions, UpdateServiceOptions,
};
use bollard::{ClientVersion, Docker};
use futures_util::StreamExt;
use serde_json::{Value, json};
use support::bed::{CONFIG_TARGET, CORE_SERVICE, FIRST_CONFIG, UNRELATED_CONFIG};
use support::fake::{
    FakeDocker, FakeState, Fault, FaultKind, Method, OUT_OF_SEQUENCE, PROXY_TYPE, UCP_DEFAULT_TOML,
    core_config_error,
};

const HOST: &str = "node-1";

/// Two service clusters, each with its own ports: what a split of the default config asks for.
const TWO_CLUSTERS: &str = r#"
[Extensions.dev]
  Image = "docker/ucp-interlock-extension:3.1.2"
  ServiceName = "ucp-interlock-extension-dev"
  ProxyImage = "docker/ucp-interlock-proxy:3.1.2"
  ProxyServiceName = "ucp-interlock-proxy-dev"
  ProxyReplicas = 1
  ProxyConstraints = ["node.labels.com.docker.ucp.orchestrator.swarm==true"]
  PublishMode = "ingress"
  PublishedPort = 8082
  TargetPort = 80
  PublishedSSLPort = 8445
  TargetSSLPort = 443
  ServiceCluster = "dev"
[Extensions.prod]
  Image = "docker/ucp-interlock-extension:3.1.2"
  serviceName = "ucp-interlock-extension-prod"
  ProxyImage = "docker/ucp-interlock-proxy:3.1.2"
  proxyservicename = "ucp-interlock-proxy-prod"
  PROXYREPLICAS = 2
  PublishMode = "ingress"
  PublishedPort = 8090
  PublishedSSLPort = 8453
  ServiceCluster = "prod"
"#;

// ---------------------------------------------------------------------------------------------
// helpers

/// The seed's dev/test/prod on the one node: each cluster its own label key, and the node to
/// label, so that the live plan has no placement errors.
fn seed_spec(dir: &std::path::Path) -> String {
    let mut s = String::new();
    for (name, http, https) in [
        ("dev", 8082, 8445),
        ("test", 8081, 8444),
        ("prod", 8080, 8443),
    ] {
        s.push_str(&format!(
            "[clusters.{name}]\nhttp_port = {http}\nhttps_port = {https}\nproxy_replicas = 1\nnode_label_key = \"it.interlock-split.{name}\"\nnode_label = \"yes\"\nnodes = [\"{HOST}\"]\n\n"
        ));
    }
    let path = dir.join("spec.toml");
    std::fs::write(&path, s).unwrap();
    path.to_str().unwrap().to_string()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn bollard(fake: &FakeDocker) -> Docker {
    Docker::connect_with_http(
        &format!("http://{}", fake.addr()),
        5,
        &ClientVersion {
            major_version: 1,
            minor_version: 41,
        },
    )
    .unwrap()
}

/// The message of a bollard error from an engine answer, with its status.
fn api_error(e: bollard::errors::Error) -> (u16, String) {
    match e {
        bollard::errors::Error::DockerResponseServerError {
            status_code,
            message,
        } => (status_code, message),
        other => panic!("not an engine answer: {other:?}"),
    }
}

/// `ucp-interlock`'s spec with the config at /config.toml replaced by `name`.
fn core_spec_with(state: &FakeState, name: &str) -> Value {
    let mut spec = state.service(CORE_SERVICE).unwrap()["Spec"].clone();
    let id = state.config(name).unwrap()["ID"].clone();
    for r in spec["TaskTemplate"]["ContainerSpec"]["Configs"]
        .as_array_mut()
        .unwrap()
    {
        if r["File"]["Name"] == CONFIG_TARGET {
            r["ConfigID"] = id.clone();
            r["ConfigName"] = json!(name);
        }
    }
    spec
}

/// Creates config `name` holding `toml` and points `ucp-interlock` at it.
fn update_core(state: &mut FakeState, name: &str, toml: &str) {
    state.add_config(name, toml.as_bytes(), &[]);
    let spec = core_spec_with(state, name);
    let version = state.service_version(CORE_SERVICE).unwrap();
    state
        .update_service(CORE_SERVICE, version, spec)
        .expect("update accepted");
}

fn label<'a>(svc: &'a Value, key: &str) -> Option<&'a str> {
    svc["Spec"]["Labels"][key].as_str()
}

// ---------------------------------------------------------------------------------------------
// the real binary against the fake

#[test]
fn plan_reads_the_fake_as_it_reads_a_swarm() {
    let fake = FakeDocker::start(FakeState::ucp_default(HOST));
    let dir = tempfile::tempdir().unwrap();
    let spec = seed_spec(dir.path());
    let out = tool(&[
        "-v",
        "plan",
        "--host",
        &fake.docker_host(),
        "--spec",
        &spec,
        "--output",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let plan = json_of(&out);
    assert_eq!(plan["current"]["kind"], "cluster");
    // The TOML at /config.toml, although another config is mounted first.
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
    assert_eq!(plan["actions"][5]["frees_ports"], json!([8080, 8443]));
    assert_eq!(plan["summary"]["errors"], 0, "{}", show(&out));

    // Every request reached a route, and -v counted what the fake saw.
    assert!(
        fake.unknown_routes().is_empty(),
        "{:?}",
        fake.unknown_routes()
    );
    let requests = fake.requests();
    assert_eq!(requests[0], "GET /version", "{requests:?}");
    assert!(
        requests.contains(&"GET /services?status=true".to_string()),
        "{requests:?}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    let summary = err
        .lines()
        .find(|l| l.contains("API requests over"))
        .unwrap_or_else(|| panic!("{err}"));
    let n: usize = summary.split_whitespace().next().unwrap().parse().unwrap();
    assert_eq!(n, requests.len(), "{summary}\n{requests:?}");
    assert!(summary.contains("over 1 connection"), "{summary}");
    // A plan changes nothing.
    assert_eq!(fake.state().config_names().len(), 2);
}

#[test]
fn status_shows_the_default_services() {
    let fake = FakeDocker::start(FakeState::ucp_default(HOST));
    let out = tool(&["status", "--host", &fake.docker_host(), "--output", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let report = json_of(&out);
    assert_eq!(report["core"]["config"], FIRST_CONFIG, "{}", show(&out));
    assert_eq!(report["core"]["running"], 1, "{}", show(&out));
    let services = report["clusters"][0]["services"].as_array().unwrap();
    let by_name = |name: &str| {
        services
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("no {name}: {}", show(&out)))
    };
    let ext = by_name("ucp-interlock-extension");
    assert_eq!(
        (ext["exists"].clone(), ext["running"].clone()),
        (json!(true), json!(1))
    );
    let proxy = by_name("ucp-interlock-proxy");
    assert_eq!(proxy["desired"], 2, "{}", show(&out));
    assert_eq!(proxy["running"], 2, "{}", show(&out));
    assert_eq!(proxy["nodes"], json!([HOST]), "{}", show(&out));
    assert_eq!(
        proxy["ports"],
        json!(["8080→80/tcp ingress", "8443→443/tcp ingress"]),
        "{}",
        show(&out)
    );
    assert_eq!(report["problems"], 0, "{}", show(&out));

    // And the human report names them.
    let out = tool(&["status", "--host", &fake.docker_host()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("ucp-interlock-proxy"), "{}", show(&out));
    assert!(text.contains("ucp-interlock-extension"), "{}", show(&out));
}

/// Runs `plan` against a fresh fake with `fault` armed; returns the fake and stderr.
fn faulted_plan(fault: Fault, extra: &[&str]) -> (FakeDocker, String) {
    let fake = FakeDocker::start(FakeState::ucp_default(HOST));
    fake.fail(fault);
    let dir = tempfile::tempdir().unwrap();
    let spec = seed_spec(dir.path());
    let host = fake.docker_host();
    let mut args = vec!["plan", "--host", host.as_str(), "--spec", spec.as_str()];
    args.extend_from_slice(extra);
    let out = tool(&args);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert_eq!(fake.faulted().len(), 1, "{:?}", fake.faulted());
    (fake, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_server_error_names_the_call() {
    let (_, err) = faulted_plan(
        Fault::once(
            Some(Method::GET),
            "/nodes",
            FaultKind::Status(500, "boom".into()),
        ),
        &[],
    );
    assert!(
        err.contains("GET /nodes failed with HTTP 500: boom"),
        "{err}"
    );
}

#[test]
fn a_hang_is_a_timeout() {
    let start = Instant::now();
    let (_, err) = faulted_plan(
        Fault::once(None, "/configs", FaultKind::Hang(Duration::from_secs(20))),
        &["--timeout", "1"],
    );
    assert!(err.contains("did not answer within 1s"), "{err}");
    assert!(err.contains("GET /configs"), "{err}");
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn a_dropped_connection_is_a_connection_error() {
    let (_, err) = faulted_plan(
        Fault::once(None, "/services/ucp-interlock", FaultKind::Drop),
        &[],
    );
    assert!(err.contains("GET /services/ucp-interlock failed"), "{err}");
    assert!(err.to_lowercase().contains("connection"), "{err}");
}

#[test]
fn out_of_sequence_and_in_use_are_the_engines_messages() {
    let (_, err) = faulted_plan(
        Fault::once(Some(Method::GET), "/services?", FaultKind::OutOfSequence),
        &[],
    );
    assert!(
        err.contains(&format!(
            "GET /services failed with HTTP 500: {OUT_OF_SEQUENCE}"
        )),
        "{err}"
    );
    let (fake, err) = faulted_plan(
        Fault::once(Some(Method::GET), "/configs/", FaultKind::InUse),
        &[],
    );
    assert!(
        err.contains(&format!(
            "HTTP 400: rpc error: code = InvalidArgument desc = config '{FIRST_CONFIG}' is in use by the following service: {CORE_SERVICE}"
        )),
        "{err}"
    );
    // The faulted request never reached the handler.
    assert_eq!(fake.state().config_names().len(), 2);
}

#[test]
fn faults_hit_the_nth_matching_request_for_times_requests() {
    let fake = FakeDocker::start(FakeState::ucp_default(HOST));
    fake.fail(Fault {
        method: Some(Method::GET),
        path_contains: "/_ping".into(),
        nth: 2,
        times: 2,
        kind: FaultKind::Status(503, "busy".into()),
    });
    let docker = bollard(&fake);
    let results: Vec<bool> = runtime().block_on(async {
        let mut r = Vec::new();
        for _ in 0..4 {
            r.push(docker.ping().await.is_ok());
        }
        // Other paths are not affected.
        assert!(docker.version().await.is_ok());
        r
    });
    assert_eq!(results, [true, false, false, true]);
    assert_eq!(fake.faulted().len(), 2, "{:?}", fake.faulted());
    fake.clear_faults();
    assert!(runtime().block_on(docker.ping()).is_ok());
}

// ---------------------------------------------------------------------------------------------
// bollard against the fake: every object deserialises, writes behave like the engine's

#[test]
fn bollard_reads_and_writes_every_object() {
    let fake = FakeDocker::start(FakeState::ucp_default(HOST));
    let docker = bollard(&fake);
    runtime().block_on(async {
        let version = docker.version().await.unwrap();
        assert_eq!(version.api_version.as_deref(), Some("1.41"));
        assert_eq!(version.min_api_version.as_deref(), Some("1.12"));
        let info = docker.info().await.unwrap();
        let swarm = info.swarm.unwrap();
        assert_eq!(swarm.control_available, Some(true));

        // Nodes.
        let nodes = docker.list_nodes(None).await.unwrap();
        assert_eq!(nodes.len(), 1);
        let node = docker.inspect_node(HOST).await.unwrap();
        assert_eq!(node.id, nodes[0].id);
        let spec = node.spec.clone().unwrap();
        assert_eq!(
            spec.labels.as_ref().unwrap()["com.docker.ucp.orchestrator.swarm"],
            "true"
        );

        // Services, with their status.
        let services = docker
            .list_services(Some(ListServicesOptions {
                status: Some(true),
                ..Default::default()
            }))
            .await
            .unwrap();
        assert_eq!(services.len(), 3);
        let proxy = services
            .iter()
            .find(|s| s.spec.as_ref().unwrap().name.as_deref() == Some("ucp-interlock-proxy"))
            .unwrap();
        let status = proxy.service_status.as_ref().unwrap();
        assert_eq!((status.running_tasks, status.desired_tasks), (Some(2), Some(2)));
        let ports = proxy.endpoint.as_ref().unwrap().ports.as_ref().unwrap();
        assert_eq!(ports[0].published_port, Some(8080));
        let proxy_id = proxy.id.clone().unwrap();

        // Tasks, filtered as the CLI filters them.
        let tasks = docker
            .list_tasks(Some(ListTasksOptions {
                filters: Some(
                    [
                        ("service".to_string(), vec!["ucp-interlock-proxy".to_string()]),
                        ("desired-state".to_string(), vec!["running".to_string()]),
                    ]
                    .into(),
                ),
            }))
            .await
            .unwrap();
        assert_eq!(tasks.len(), 2);
        assert!(tasks.iter().all(|t| t.service_id.as_deref() == Some(proxy_id.as_str())));
        let task = docker.inspect_task(tasks[0].id.as_deref().unwrap()).await.unwrap();
        assert_eq!(task.node_id, node.id);

        // Configs: by name, data in base64.
        let configs = docker.list_configs(None).await.unwrap();
        assert_eq!(configs.len(), 2);
        let conf = docker.inspect_config(FIRST_CONFIG).await.unwrap();
        let spec = conf.spec.unwrap();
        use base64::Engine as _;
        let data = base64::engine::general_purpose::STANDARD
            .decode(spec.data.unwrap())
            .unwrap();
        assert_eq!(String::from_utf8(data).unwrap(), UCP_DEFAULT_TOML);
        assert_eq!(spec.labels.unwrap()["com.docker.ucp.access.label"], "/");

        // A duplicate config name is refused, as the engine refuses it.
        let dup = docker
            .create_config(ConfigSpec {
                name: Some(FIRST_CONFIG.into()),
                data: Some("eA==".into()),
                ..Default::default()
            })
            .await
            .unwrap_err();
        let (code, message) = api_error(dup);
        assert_eq!(code, 409);
        assert!(message.contains("already exists"), "{message}");
        // A config in use cannot be removed.
        let (code, message) = api_error(docker.delete_config(FIRST_CONFIG).await.unwrap_err());
        assert_eq!(code, 400);
        assert_eq!(
            message,
            format!(
                "rpc error: code = InvalidArgument desc = config '{FIRST_CONFIG}' is in use by the following service: {CORE_SERVICE}"
            )
        );
        // A new one can, until a service uses it.
        let created = docker
            .create_config(ConfigSpec {
                name: Some("com.docker.ucp.interlock.conf-2".into()),
                data: Some(base64::engine::general_purpose::STANDARD.encode("x = 1\n")),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(fake.state().config_data("com.docker.ucp.interlock.conf-2").unwrap() == "x = 1\n");
        docker.delete_config(&created.id).await.unwrap();
        assert_eq!(fake.state().config_names().len(), 2);

        // A stale version is refused; the current one is accepted, and the update converges.
        let svc = docker.inspect_service("ucp-interlock-proxy", None).await.unwrap();
        let version = svc.version.as_ref().unwrap().index.unwrap() as i32;
        let mut spec: ServiceSpec = svc.spec.clone().unwrap();
        spec.mode.as_mut().unwrap().replicated.as_mut().unwrap().replicas = Some(1);
        let stale = docker
            .update_service(
                "ucp-interlock-proxy",
                spec.clone(),
                UpdateServiceOptions {
                    version: version - 1,
                    ..Default::default()
                },
                None,
            )
            .await
            .unwrap_err();
        assert_eq!(api_error(stale), (500, OUT_OF_SEQUENCE.to_string()));
        docker
            .update_service(
                "ucp-interlock-proxy",
                spec,
                UpdateServiceOptions {
                    version,
                    ..Default::default()
                },
                None,
            )
            .await
            .unwrap();
        let svc = docker.inspect_service("ucp-interlock-proxy", None).await.unwrap();
        assert!(svc.version.unwrap().index.unwrap() > version as u64);
        assert_eq!(
            svc.update_status.unwrap().state.unwrap().to_string(),
            "updating"
        );
        assert!(fake.state().service("ucp-interlock-proxy").unwrap()["PreviousSpec"].is_object());
        fake.wait_for("the proxy update to complete", Duration::from_secs(5), |s| {
            (s.update_state("ucp-interlock-proxy").as_deref() == Some("completed")).then_some(())
        });
        assert_eq!(fake.state().running_tasks("ucp-interlock-proxy"), 1);

        // Node labels: the whole spec goes back, with the node's version.
        let node = docker.inspect_node(HOST).await.unwrap();
        let mut spec: NodeSpec = node.spec.unwrap();
        spec.labels
            .as_mut()
            .unwrap()
            .insert("com.docker.interlock.service.cluster".into(), "dev".into());
        docker
            .update_node(
                HOST,
                spec,
                UpdateNodeOptions {
                    version: node.version.unwrap().index.unwrap() as i64,
                },
            )
            .await
            .unwrap();
        let labels = fake.state().node_labels(HOST);
        assert_eq!(labels["com.docker.interlock.service.cluster"], "dev");
        assert_eq!(labels["com.docker.ucp.orchestrator.swarm"], "true");

        // Logs, in the multiplexed stream format.
        let lines: Vec<String> = docker
            .service_logs(
                "ucp-interlock",
                Some(LogsOptions {
                    stdout: true,
                    stderr: true,
                    ..Default::default()
                }),
            )
            .map(|l| l.unwrap().to_string())
            .collect()
            .await;
        assert!(
            lines
                .iter()
                .any(|l| l.contains("created proxy service ucp-interlock-proxy")),
            "{lines:?}"
        );
        assert!(lines.iter().all(|l| l.ends_with('\n')), "{lines:?}");
        let task_lines: Vec<String> = docker
            .task_logs(
                tasks[0].id.as_deref().unwrap(),
                Some(LogsOptions {
                    stdout: true,
                    timestamps: true,
                    ..Default::default()
                }),
            )
            .map(|l| l.unwrap().to_string())
            .collect()
            .await;
        assert_eq!(task_lines.len(), 1, "{task_lines:?}");
        assert!(task_lines[0].starts_with("2024-05-01T"), "{task_lines:?}");

        // Removing a service removes its tasks.
        docker.delete_service("ucp-interlock-extension").await.unwrap();
        let gone = docker
            .list_tasks(Some(ListTasksOptions {
                filters: Some(
                    [("service".to_string(), vec!["ucp-interlock-extension".to_string()])].into(),
                ),
            }))
            .await
            .unwrap_err();
        assert_eq!(
            api_error(gone),
            (404, "service ucp-interlock-extension not found".to_string()),
            "the daemon resolves the service filter"
        );
        assert!(fake.state().service("ucp-interlock-extension").is_none());
        let (code, _) = api_error(
            docker
                .inspect_service("ucp-interlock-extension", None)
                .await
                .unwrap_err(),
        );
        assert_eq!(code, 404);
    });
    assert!(
        fake.unknown_routes().is_empty(),
        "{:?}",
        fake.unknown_routes()
    );
}

#[test]
fn unknown_routes_are_404_and_logged() {
    let fake = FakeDocker::start(FakeState::ucp_default(HOST));
    let docker = bollard(&fake);
    let err = runtime()
        .block_on(docker.inspect_swarm())
        .expect_err("no /swarm route");
    let (code, message) = api_error(err);
    assert_eq!(code, 404);
    assert!(message.contains("no route for GET /swarm"), "{message}");
    assert_eq!(fake.unknown_routes(), ["GET /swarm"]);
}

// ---------------------------------------------------------------------------------------------
// the simulated core

#[test]
fn the_core_creates_the_services_of_a_new_config() {
    let mut state = FakeState::ucp_default(HOST);
    update_core(&mut state, "com.docker.ucp.interlock.conf-2", TWO_CLUSTERS);
    assert_eq!(
        state.update_state(CORE_SERVICE).as_deref(),
        Some("updating")
    );
    // Nothing yet: the core is starting.
    assert!(state.service("ucp-interlock-proxy-dev").is_none());
    state.settle();
    assert_eq!(
        state.update_state(CORE_SERVICE).as_deref(),
        Some("completed")
    );
    assert_eq!(
        state.mounted_config(CORE_SERVICE, CONFIG_TARGET).as_deref(),
        Some("com.docker.ucp.interlock.conf-2")
    );
    assert_eq!(
        state.service_names(),
        [
            "ucp-interlock",
            "ucp-interlock-extension",
            "ucp-interlock-extension-dev",
            "ucp-interlock-extension-prod",
            "ucp-interlock-proxy",
            "ucp-interlock-proxy-dev",
            "ucp-interlock-proxy-prod",
        ],
        "the core creates the four, and leaves the old ones alone"
    );
    let proxy = state.service("ucp-interlock-proxy-prod").unwrap();
    assert_eq!(label(proxy, "type"), Some(PROXY_TYPE));
    assert_eq!(proxy["Spec"]["Mode"]["Replicated"]["Replicas"], 2);
    assert_eq!(
        proxy["Spec"]["EndpointSpec"]["Ports"],
        json!([
            { "Protocol": "tcp", "TargetPort": 80, "PublishedPort": 8090, "PublishMode": "ingress" },
            { "Protocol": "tcp", "TargetPort": 443, "PublishedPort": 8453, "PublishMode": "ingress" },
        ])
    );
    assert_eq!(
        proxy["Endpoint"]["Ports"],
        proxy["Spec"]["EndpointSpec"]["Ports"]
    );
    assert_eq!(state.running_tasks("ucp-interlock-proxy-prod"), 2);
    let dev = state.service("ucp-interlock-proxy-dev").unwrap();
    assert_eq!(
        dev["Spec"]["TaskTemplate"]["Placement"]["Constraints"],
        json!(["node.labels.com.docker.ucp.orchestrator.swarm==true"])
    );
    let ext = state.service("ucp-interlock-extension-dev").unwrap();
    assert_eq!(
        label(ext, "type"),
        Some("com.docker.interlock.core.extension")
    );
    assert!(
        state
            .service_logs(CORE_SERVICE)
            .contains("created proxy service ucp-interlock-proxy-dev"),
        "{}",
        state.service_logs(CORE_SERVICE)
    );
    // The old task is shut down, the new one runs.
    assert_eq!(state.running_tasks(CORE_SERVICE), 1);
    assert_eq!(state.tasks_of(CORE_SERVICE).len(), 2);
}

#[test]
fn the_core_over_http_converges_after_the_delay() {
    let fake = FakeDocker::start(FakeState::ucp_default(HOST));
    let docker = bollard(&fake);
    runtime().block_on(async {
        use base64::Engine as _;
        let created = docker
            .create_config(ConfigSpec {
                name: Some("com.docker.ucp.interlock.conf-2".into()),
                data: Some(base64::engine::general_purpose::STANDARD.encode(TWO_CLUSTERS)),
                ..Default::default()
            })
            .await
            .unwrap();
        let core = docker.inspect_service(CORE_SERVICE, None).await.unwrap();
        let mut spec = core.spec.unwrap();
        let configs: &mut Vec<TaskSpecContainerSpecConfigs> = spec
            .task_template
            .as_mut()
            .unwrap()
            .container_spec
            .as_mut()
            .unwrap()
            .configs
            .as_mut()
            .unwrap();
        for c in configs.iter_mut() {
            if c.file.as_ref().unwrap().name.as_deref() == Some(CONFIG_TARGET) {
                c.config_id = Some(created.id.clone());
                c.config_name = Some("com.docker.ucp.interlock.conf-2".into());
            }
        }
        docker
            .update_service(
                CORE_SERVICE,
                spec,
                UpdateServiceOptions {
                    version: core.version.unwrap().index.unwrap() as i32,
                    ..Default::default()
                },
                None,
            )
            .await
            .unwrap();
    });
    let start = Instant::now();
    fake.wait_for("the core update to complete", Duration::from_secs(5), |s| {
        (s.update_state(CORE_SERVICE).as_deref() == Some("completed")).then_some(())
    });
    assert!(
        start.elapsed() >= Duration::from_millis(100),
        "{:?}",
        start.elapsed()
    );
    let state = fake.state();
    for name in [
        "ucp-interlock-extension-dev",
        "ucp-interlock-proxy-dev",
        "ucp-interlock-extension-prod",
        "ucp-interlock-proxy-prod",
    ] {
        assert!(
            state.service(name).is_some(),
            "{name}: {:?}",
            state.service_names()
        );
    }
    // The old conf-1 is free to go now that nothing mounts it.
    let docker = bollard(&fake);
    runtime()
        .block_on(docker.delete_config(FIRST_CONFIG))
        .unwrap();
    assert!(
        fake.unknown_routes().is_empty(),
        "{:?}",
        fake.unknown_routes()
    );
}

#[test]
fn a_config_without_proxy_replicas_rolls_back() {
    let broken = include_str!("../fixtures/broken/missing-proxy-replicas.toml");
    assert!(
        core_config_error(broken)
            .unwrap()
            .contains("ProxyReplicas is missing")
    );
    assert_eq!(core_config_error(UCP_DEFAULT_TOML), None);

    let mut state = FakeState::ucp_default(HOST);
    let before = state.service(CORE_SERVICE).unwrap()["Spec"].clone();
    update_core(&mut state, "com.docker.ucp.interlock.conf-2", broken);
    assert_eq!(
        state.update_state(CORE_SERVICE).as_deref(),
        Some("updating")
    );
    assert_eq!(state.running_tasks(CORE_SERVICE), 0, "the new task crashed");
    state.settle();

    let core = state.service(CORE_SERVICE).unwrap();
    assert_eq!(core["UpdateStatus"]["State"], "rollback_completed");
    assert_eq!(core["UpdateStatus"]["Message"], "rollback completed");
    assert_eq!(core["Spec"], before, "the previous spec is back");
    assert!(core.get("PreviousSpec").is_none());
    assert_eq!(
        state.mounted_config(CORE_SERVICE, CONFIG_TARGET).as_deref(),
        Some(FIRST_CONFIG)
    );
    let failed: Vec<&Value> = state
        .tasks_of(CORE_SERVICE)
        .into_iter()
        .filter(|t| t["Status"]["State"] == "failed")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["Status"]["Err"], "task: non-zero exit (1)");
    assert_eq!(
        state.running_tasks(CORE_SERVICE),
        1,
        "the old config runs again"
    );
    let logs = state.service_logs(CORE_SERVICE);
    assert!(
        logs.contains("level=fatal msg=\"invalid config /config.toml: Extensions.dev: ProxyReplicas is missing"),
        "{logs}"
    );
    assert!(state.service("ucp-interlock-proxy-dev").is_none());
    // The broken config is no longer used, and can go.
    state
        .remove_config("com.docker.ucp.interlock.conf-2")
        .unwrap();
}

#[test]
fn the_rollback_goes_through_rollback_started_over_http() {
    // Slow enough that polling every 10 ms cannot miss a state, even on a busy machine.
    let mut state = FakeState::ucp_default(HOST);
    state.update_delay = Duration::from_millis(800);
    let fake = FakeDocker::start(state);
    let broken = include_str!("../fixtures/broken/syntax-error.toml");
    assert!(
        core_config_error(broken)
            .unwrap()
            .starts_with("TOML syntax error")
    );
    fake.modify(|s| update_core(s, "com.docker.ucp.interlock.conf-2", broken));
    let mut seen = Vec::new();
    let message = fake.wait_for("the rollback to complete", Duration::from_secs(5), |s| {
        let state = s.update_state(CORE_SERVICE).unwrap();
        if seen.last() != Some(&state) {
            seen.push(state.clone());
        }
        if state == "rollback_started" {
            let m = s.service(CORE_SERVICE).unwrap()["UpdateStatus"]["Message"].clone();
            return Some(m);
        }
        None
    });
    let task = fake
        .state()
        .tasks_of(CORE_SERVICE)
        .into_iter()
        .find(|t| t["Status"]["State"] == "failed")
        .map(|t| t["ID"].as_str().unwrap().to_string())
        .unwrap();
    assert_eq!(
        message,
        json!(format!(
            "update rolled back due to failure or early termination of task {task}"
        ))
    );
    fake.wait_for("rollback_completed", Duration::from_secs(5), |s| {
        (s.update_state(CORE_SERVICE).as_deref() == Some("rollback_completed")).then_some(())
    });
    assert_eq!(
        seen.first().map(String::as_str),
        Some("updating"),
        "{seen:?}"
    );
    // bollard decodes the failed task's logs, stderr included.
    let docker = bollard(&fake);
    let lines: Vec<String> = runtime().block_on(
        docker
            .task_logs(
                &task,
                Some(LogsOptions {
                    stderr: true,
                    ..Default::default()
                }),
            )
            .map(|l| l.unwrap().to_string())
            .collect(),
    );
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("TOML syntax error"), "{lines:?}");
}

#[test]
fn without_rollback_a_failed_update_pauses() {
    let mut state = FakeState::ucp_default(HOST);
    let broken = include_str!("../fixtures/broken/missing-proxy-replicas.toml");
    state.add_config("com.docker.ucp.interlock.conf-2", broken.as_bytes(), &[]);
    let mut spec = core_spec_with(&state, "com.docker.ucp.interlock.conf-2");
    spec.as_object_mut().unwrap().remove("UpdateConfig");
    let version = state.service_version(CORE_SERVICE).unwrap();
    state.update_service(CORE_SERVICE, version, spec).unwrap();
    state.settle();
    let core = state.service(CORE_SERVICE).unwrap();
    assert_eq!(core["UpdateStatus"]["State"], "paused");
    assert!(
        core["UpdateStatus"]["Message"]
            .as_str()
            .unwrap()
            .starts_with("update paused due to failure or early termination of task ")
    );
    assert_eq!(
        state.mounted_config(CORE_SERVICE, CONFIG_TARGET).as_deref(),
        Some("com.docker.ucp.interlock.conf-2"),
        "a paused update keeps the new spec"
    );
    assert_eq!(state.running_tasks(CORE_SERVICE), 0);
    // A manual rollback (`rollback=previous`) brings the old config back.
    let version = state.service_version(CORE_SERVICE).unwrap();
    state.rollback_service(CORE_SERVICE, version).unwrap();
    state.settle();
    assert_eq!(
        state.update_state(CORE_SERVICE).as_deref(),
        Some("rollback_completed")
    );
    assert_eq!(
        state.mounted_config(CORE_SERVICE, CONFIG_TARGET).as_deref(),
        Some(FIRST_CONFIG)
    );
    assert_eq!(state.running_tasks(CORE_SERVICE), 1);
}

#[test]
fn the_core_retries_a_proxy_whose_port_is_held() {
    let mut state = FakeState::ucp_default(HOST);
    let clash = TWO_CLUSTERS.replace("PublishedPort = 8090", "PublishedPort = 8080");
    update_core(&mut state, "com.docker.ucp.interlock.conf-2", &clash);
    state.settle();
    assert!(state.service("ucp-interlock-proxy-prod").is_none());
    assert!(state.service("ucp-interlock-extension-prod").is_some());
    let logs = state.service_logs(CORE_SERVICE);
    let proxy_id = state.service("ucp-interlock-proxy").unwrap()["ID"].clone();
    assert!(
        logs.contains(&format!(
            "error creating proxy service ucp-interlock-proxy-prod for extension prod: rpc error: code = InvalidArgument desc = port '8080' is already in use by service 'ucp-interlock-proxy' ({}) as an ingress port; retrying",
            proxy_id.as_str().unwrap()
        )),
        "{logs}"
    );
    // Logged once, however often the core retries.
    state.settle();
    assert_eq!(logs, state.service_logs(CORE_SERVICE));
    // The stale proxy goes; the next round creates the new one.
    state.remove_service("ucp-interlock-proxy").unwrap();
    state.settle();
    assert_eq!(state.running_tasks("ucp-interlock-proxy-prod"), 2);
}

#[test]
fn tasks_wait_for_a_node_that_satisfies_their_constraints() {
    let mut state = FakeState::ucp_default(HOST);
    let needs_label = TWO_CLUSTERS.replace(
        "ProxyConstraints = [\"node.labels.com.docker.ucp.orchestrator.swarm==true\"]",
        "ProxyConstraints = [\"node.labels.com.docker.interlock.service.cluster==dev\"]",
    );
    update_core(&mut state, "com.docker.ucp.interlock.conf-2", &needs_label);
    state.settle();
    let task = state.tasks_of("ucp-interlock-proxy-dev")[0].clone();
    assert_eq!(task["Status"]["State"], "pending");
    assert_eq!(
        task["Status"]["Err"],
        "no suitable node (scheduling constraints not satisfied on 1 node)"
    );
    // Labelling the node (values match case-insensitively) lets it run.
    let node = state.node(HOST).unwrap().clone();
    let mut spec = node["Spec"].clone();
    spec["Labels"]["com.docker.interlock.service.cluster"] = json!("DEV");
    let version = node["Version"]["Index"].as_u64().unwrap();
    state.update_node(HOST, version, spec.clone()).unwrap();
    assert_eq!(state.running_tasks("ucp-interlock-proxy-dev"), 1);
    // A stale node version is refused.
    assert_eq!(
        state.update_node(HOST, version, spec).unwrap_err().message,
        OUT_OF_SEQUENCE
    );
    // Leaving out the role would demote the only manager: refused.
    let version = state.node(HOST).unwrap()["Version"]["Index"]
        .as_u64()
        .unwrap();
    let err = state
        .update_node(HOST, version, json!({ "Labels": {} }))
        .unwrap_err();
    assert!(err.message.contains("demote the last manager"), "{err:?}");
}

#[test]
fn swarm_refuses_what_it_refuses() {
    let mut state = FakeState::ucp_default(HOST);
    let svc = |name: &str, extra: Value| {
        let mut spec = json!({
            "Name": name,
            "TaskTemplate": { "ContainerSpec": { "Image": "busybox" } },
        });
        for (k, v) in extra.as_object().unwrap() {
            spec[k] = v.clone();
        }
        spec
    };
    let err = state
        .create_service(svc(
            "bad",
            json!({ "TaskTemplate": { "ContainerSpec": { "Image": "x" }, "Placement": { "Constraints": ["node.labels.x=dev"] } } }),
        ))
        .unwrap_err();
    assert_eq!(
        (err.status, err.message.as_str()),
        (
            400,
            "rpc error: code = InvalidArgument desc = constraint expected one operator from ==, !="
        )
    );
    let err = state
        .create_service(svc("ucp-interlock-proxy", json!({})))
        .unwrap_err();
    assert_eq!(err.status, 409);
    let err = state
        .create_service(svc(
            "uses-missing",
            json!({ "TaskTemplate": { "ContainerSpec": { "Image": "x", "Configs": [{ "ConfigID": "nope", "ConfigName": "gone", "File": { "Name": "/x" } }] } } }),
        ))
        .unwrap_err();
    assert_eq!(
        err.message,
        "rpc error: code = InvalidArgument desc = config not found: gone"
    );
    let err = state
        .create_service(svc("no image", json!({ "TaskTemplate": {} })))
        .unwrap_err();
    assert_eq!(err.status, 400);
    // Host mode: one task per node and port.
    let host = json!({ "Mode": { "Replicated": { "Replicas": 2 } }, "EndpointSpec": { "Ports": [{ "TargetPort": 80, "PublishedPort": 9000, "PublishMode": "host" }] } });
    state.create_service(svc("host-mode", host)).unwrap();
    let states: Vec<Value> = state
        .tasks_of("host-mode")
        .iter()
        .map(|t| t["Status"]["State"].clone())
        .collect();
    assert_eq!(states, [json!("running"), json!("pending")]);
    state.add_node("node-2", "worker", &[]);
    assert_eq!(state.running_tasks("host-mode"), 2);
    // The config mounted by the unrelated reference is in use too.
    let err = state.remove_config(UNRELATED_CONFIG).unwrap_err();
    assert!(
        err.message
            .contains("in use by the following service: ucp-interlock"),
        "{err:?}"
    );
}
