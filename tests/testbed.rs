//! Smoke tests of the real-swarm test bed (`tests/support`): the stand-in core spawns the
//! default services, the mTLS front serves the real docker CLI, and swarm rolls back a core
//! given a broken config. Skipped (with `SKIP …` on stderr) when no Docker engine answers,
//! unless `INTERLOCK_SPLIT_E2E=required`.

use crate::support;

use std::time::Duration;

use serde_json::Value;
use support::bed::{self, CORE_SERVICE, FIRST_CONFIG};
use support::{Core, KeyKind, TEST_LABEL_KV, TlsFront, TlsOptions};

const DEFAULT_TOML: &str = include_str!("../fixtures/ucp-3.1-default.toml");
const MISSING_PROXY_REPLICAS: &str = include_str!("../fixtures/broken/missing-proxy-replicas.toml");
const WAIT: Duration = Duration::from_secs(30);

/// The published ports of a service's endpoint spec: (published, target, mode).
fn ports(service: &Value) -> Vec<(u64, u64, String)> {
    service
        .pointer("/Spec/EndpointSpec/Ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["PublishedPort"].as_u64().unwrap_or(0),
                p["TargetPort"].as_u64().unwrap_or(0),
                p["PublishMode"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Stdout and stderr of a finished command, for assertion messages.
fn text(out: &std::process::Output) -> String {
    format!(
        "status {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn standin_core_spawns_the_default_services_and_the_front_lists_them() {
    if !support::docker_available(
        "standin_core_spawns_the_default_services_and_the_front_lists_them",
    ) {
        return;
    }
    let core = Core::deploy(DEFAULT_TOML);

    let extension = core.wait_service("ucp-interlock-extension", WAIT);
    assert_eq!(
        extension["Spec"]["Labels"]["type"],
        "com.docker.interlock.core.extension"
    );
    assert_eq!(
        extension["Spec"]["Labels"]["com.docker.interlock-split.standin.image"],
        "docker/ucp-interlock-extension:3.1.2"
    );
    let proxy = core.wait_service("ucp-interlock-proxy", WAIT);
    assert_eq!(
        proxy["Spec"]["Labels"]["type"],
        "com.docker.interlock.core.proxy"
    );
    assert_eq!(
        proxy["Spec"]["Labels"]["com.docker.ucp.InstanceID"],
        "fewho8k85kyc6iqypvvdh3ntm"
    );
    assert_eq!(
        proxy["Spec"]["Labels"]["com.docker.interlock-split.test"],
        "1"
    );
    assert_eq!(proxy["Spec"]["Mode"]["Replicated"]["Replicas"], 2);
    assert_eq!(
        proxy["Spec"]["TaskTemplate"]["ContainerSpec"]["Labels"]["com.docker.ucp.InstanceID"],
        "fewho8k85kyc6iqypvvdh3ntm"
    );
    assert_eq!(
        ports(&proxy),
        vec![
            (8080, 80, "ingress".to_string()),
            (8443, 443, "ingress".to_string())
        ]
    );
    core.wait_running("ucp-interlock-proxy", 2, WAIT);
    core.wait_running("ucp-interlock-extension", 1, WAIT);
    assert_eq!(
        bed::services_with_label(TEST_LABEL_KV),
        vec![
            "ucp-interlock",
            "ucp-interlock-extension",
            "ucp-interlock-proxy"
        ]
    );
    // The TOML is not the first config of the core: tools must look for /config.toml.
    assert_eq!(core.config_name(), FIRST_CONFIG);
    assert_eq!(core.config_toml().trim_end(), DEFAULT_TOML.trim_end());

    let front = TlsFront::start(TlsOptions::default());
    let dir = tempfile::tempdir().unwrap();
    front.bundle_dir(dir.path());
    let out = front
        .docker_command(dir.path())
        .args(["service", "ls", "--format", "{{.Name}}"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "docker service ls through the front:\n{}",
        text(&out)
    );
    let listed = String::from_utf8_lossy(&out.stdout);
    for name in [
        CORE_SERVICE,
        "ucp-interlock-extension",
        "ucp-interlock-proxy",
    ] {
        assert!(
            listed.lines().any(|l| l == name),
            "{name} not listed:\n{listed}"
        );
    }
    assert!(front.handshakes() >= 1 && front.requests() >= 1);
    assert!(
        front
            .request_log()
            .iter()
            .any(|r| r.starts_with("GET /v1.") && r.contains("/services")),
        "{:?}",
        front.request_log()
    );
}

#[test]
fn front_refuses_bad_client_certificates_and_denies_paths() {
    if !support::docker_available("front_refuses_bad_client_certificates_and_denies_paths") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (what, opts) in [
        (
            "a client cert from another CA",
            TlsOptions {
                client_cert_from_other_ca: true,
                ..TlsOptions::default()
            },
        ),
        (
            "an expired client cert",
            TlsOptions {
                expired_client_cert: true,
                ..TlsOptions::default()
            },
        ),
        (
            "a server cert from another CA",
            TlsOptions {
                server_cert_from_other_ca: true,
                ..TlsOptions::default()
            },
        ),
    ] {
        let front = TlsFront::start(opts);
        let bundle = dir.path().join(what.replace(' ', "-"));
        front.bundle_dir(&bundle);
        let out = front
            .docker_command(&bundle)
            .args(["version", "--format", "{{.Server.Version}}"])
            .output()
            .unwrap();
        assert!(
            !out.status.success(),
            "{what} was accepted:\n{}",
            text(&out)
        );
        assert_eq!(front.requests(), 0, "{what}: requests went through");
        assert_eq!(front.handshakes(), 0, "{what}: a handshake completed");
        // The client may exit before the front has counted the failed handshake.
        support::wait_for(
            &format!("{what}: a failed handshake to be counted"),
            Duration::from_secs(5),
            || (front.failed_handshakes() >= 1).then_some(()),
            || format!("handshake errors: {:?}", front.handshake_errors()),
        );
        eprintln!("{what}: refused: {:?}", front.handshake_errors());
    }

    // An RSA bundle works, and a denied path is answered like UCP does.
    let front = TlsFront::start(TlsOptions {
        client_key: KeyKind::Rsa,
        deny_paths: vec![("/configs".into(), 403)],
        ..TlsOptions::default()
    });
    assert!(
        front
            .key_pem()
            .starts_with("-----BEGIN RSA PRIVATE KEY-----")
    );
    let bundle = dir.path().join("rsa");
    front.bundle_dir(&bundle);
    let out = front
        .docker_command(&bundle)
        .args(["version", "--format", "{{.Server.Version}}"])
        .output()
        .unwrap();
    assert!(out.status.success(), "RSA bundle:\n{}", text(&out));
    let out = front
        .docker_command(&bundle)
        .args(["config", "ls"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("access denied: the user lacks permission"),
        "{}",
        text(&out)
    );
}

#[test]
fn bundle_zip_holds_the_files_of_a_ucp_bundle() {
    // No engine needed: the front only serves when asked.
    let front = TlsFront::start(TlsOptions {
        client_key: KeyKind::Pkcs8,
        ..TlsOptions::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ucp-bundle-admin.zip");
    front.bundle_zip(&path);
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let mut names: Vec<String> = zip.file_names().map(|n| n.unwrap().to_string()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "ca.pem", "cert.pem", "env.cmd", "env.ps1", "env.sh", "key.pem"
        ]
    );
    let mut env = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("env.sh").unwrap(), &mut env).unwrap();
    assert_eq!(
        env,
        format!(
            "export DOCKER_HOST=tcp://127.0.0.1:{}\nexport DOCKER_TLS_VERIFY=1\nexport DOCKER_CERT_PATH=\"$(pwd)\"\n",
            front.port()
        )
    );
    let mut key = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("key.pem").unwrap(), &mut key).unwrap();
    assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"), "{key}");
}

#[test]
fn swarm_rolls_the_core_back_from_a_config_without_proxy_replicas() {
    if !support::docker_available("swarm_rolls_the_core_back_from_a_config_without_proxy_replicas")
    {
        return;
    }
    let core = Core::deploy(DEFAULT_TOML);
    core.wait_service("ucp-interlock-proxy", WAIT);
    core.wait_running(CORE_SERVICE, 1, WAIT);

    bed::create_config(
        "com.docker.ucp.interlock.conf-2",
        MISSING_PROXY_REPLICAS.as_bytes(),
    );
    let out = support::run_with_timeout(
        std::process::Command::new("docker").args([
            "service",
            "update",
            "--update-failure-action",
            "rollback",
            "--update-monitor",
            "3s",
            "--config-rm",
            FIRST_CONFIG,
            "--config-add",
            "source=com.docker.ucp.interlock.conf-2,target=/config.toml",
            CORE_SERVICE,
        ]),
        Duration::from_secs(60),
    )
    .unwrap();
    // The known trap: the update command succeeds although swarm rolled the service back.
    assert!(out.status.success(), "{}", text(&out));
    support::wait_for(
        "ucp-interlock to be rolled back",
        WAIT,
        || (bed::update_state(CORE_SERVICE).as_deref() == Some("rollback_completed")).then_some(()),
        || core.explain(Some(CORE_SERVICE)),
    );
    assert_eq!(core.config_name(), FIRST_CONFIG);
    let log = core.wait_log("ProxyReplicas is missing", WAIT);
    assert!(
        log.lines()
            .any(|l| l.starts_with("interlock-standin: error: invalid config /config.toml")),
        "{log}"
    );
}
