//! Swarm mode on the local engine.

use std::net::{IpAddr, UdpSocket};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use super::lock::lock_file;
use super::{docker, docker_ok, lines, run_with_timeout, wait_for};

/// Node label UCP puts on every node that runs swarm workloads; the default Interlock config
/// constrains the extension and the proxies to it.
pub const UCP_SWARM_NODE_LABEL: &str = "com.docker.ucp.orchestrator.swarm";

/// Makes sure the local engine is a swarm manager and returns its node ID (once per process).
///
/// An inactive engine is initialised with `docker swarm init`, first with Docker's own choice
/// of advertise address, then with each local IPv4 address, then with loopback. A swarm that
/// exists is never left or re-initialised; a worker, locked or erroring node is a panic. The
/// node also gets the label `com.docker.ucp.orchestrator.swarm=true`, as UCP sets it.
pub fn ensure_swarm() -> String {
    static NODE: OnceLock<String> = OnceLock::new();
    NODE.get_or_init(prepare).clone()
}

/// `docker info --format {{.Swarm.LocalNodeState}}` (`inactive`, `active`, `pending`, …).
pub fn local_node_state() -> String {
    docker_ok(&["info", "--format", "{{.Swarm.LocalNodeState}}"])
}

/// Initialises swarm mode if needed, waits for the manager, labels the node.
fn prepare() -> String {
    // Machine-wide: every checkout's tests share the one engine.
    let _init = lock_file(&std::env::temp_dir().join("interlock-split-swarm-init.lock"));
    match local_node_state().as_str() {
        "active" => {}
        "inactive" => init(),
        other => panic!(
            "the local engine's swarm state is {other:?}: the test bed needs an active swarm \
             manager or an inactive engine (it never leaves or re-initialises a swarm)"
        ),
    }
    wait_for(
        "this node to be a swarm manager",
        Duration::from_secs(30),
        || {
            (docker_ok(&["info", "--format", "{{.Swarm.ControlAvailable}}"]) == "true")
                .then_some(())
        },
        || {
            "the engine is in a swarm but is not a manager; the test bed needs a manager node"
                .to_string()
        },
    );
    let node = docker_ok(&["info", "--format", "{{.Swarm.NodeID}}"]);
    let label = docker_ok(&[
        "node",
        "inspect",
        "--format",
        &format!("{{{{index .Spec.Labels \"{UCP_SWARM_NODE_LABEL}\"}}}}"),
        &node,
    ]);
    if label != "true" {
        docker_ok(&[
            "node",
            "update",
            "--label-add",
            &format!("{UCP_SWARM_NODE_LABEL}=true"),
            &node,
        ]);
    }
    node
}

/// `docker swarm init`, trying advertise addresses until one works.
fn init() {
    let mut attempts: Vec<Vec<String>> = vec![Vec::new()];
    for addr in candidate_addresses() {
        attempts.push(vec!["--advertise-addr".into(), addr.to_string()]);
    }
    attempts.push(
        [
            "--advertise-addr",
            "127.0.0.1",
            "--listen-addr",
            "127.0.0.1:2377",
        ]
        .map(String::from)
        .to_vec(),
    );
    let mut errors = Vec::new();
    for extra in attempts {
        let mut args = vec!["swarm", "init"];
        args.extend(extra.iter().map(String::as_str));
        let out = docker(&args);
        if out.status.success() {
            eprintln!(
                "test bed: swarm initialised with `docker {}`",
                args.join(" ")
            );
            return;
        }
        if local_node_state() == "active" {
            return;
        }
        errors.push(format!(
            "docker {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    panic!("cannot initialise swarm mode:\n{}", errors.join("\n"));
}

/// Local IPv4 addresses to advertise: the default route's source address first, then the
/// global addresses `ip -4 addr` lists (Docker's own bridges last).
fn candidate_addresses() -> Vec<IpAddr> {
    let mut out: Vec<IpAddr> = Vec::new();
    if let Ok(sock) = UdpSocket::bind("0.0.0.0:0") {
        // No packet is sent: connecting a UDP socket only picks the route.
        if sock.connect("192.0.2.1:9").is_ok()
            && let Ok(local) = sock.local_addr()
            && !local.ip().is_unspecified()
        {
            out.push(local.ip());
        }
    }
    let mut bridges = Vec::new();
    if let Ok(listing) = run_with_timeout(
        Command::new("ip").args(["-4", "-o", "addr", "show", "scope", "global"]),
        Duration::from_secs(10),
    ) {
        for line in lines(&String::from_utf8_lossy(&listing.stdout)) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (Some(iface), Some(cidr)) = (fields.get(1), fields.get(3)) else {
                continue;
            };
            let Ok(ip) = cidr.split('/').next().unwrap_or("").parse::<IpAddr>() else {
                continue;
            };
            if iface.starts_with("docker") || iface.starts_with("br-") {
                bridges.push(ip);
            } else {
                out.push(ip);
            }
        }
    }
    out.extend(bridges);
    let mut seen = Vec::new();
    out.retain(|ip| {
        let new = !seen.contains(ip);
        seen.push(*ip);
        new
    });
    out
}
