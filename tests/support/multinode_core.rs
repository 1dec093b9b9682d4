//! The Interlock core (the stand-in) on the multi-node bed's manager, and what the tests read
//! back: where each service's tasks run, and what a node's published port answers (to a
//! request with a `Host`, or the proxy's `/nginx_status`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use super::bed::{
    CONFIG_TARGET, CORE_CONFIG_PREFIX, CORE_SERVICE, FIRST_CONFIG, UCP_ACCESS_LABEL_KV,
};
use super::engine::Engine;
use super::multinode::MultiNode;
use super::{TEST_LABEL_KV, lines, wait_for};

impl MultiNode {
    /// Creates `com.docker.ucp.interlock.conf-1` (holding `toml`) and the `ucp-interlock`
    /// service on the manager, the stand-in reading the manager's API through its socket.
    pub fn deploy_core(&self, toml: &str) {
        self.deploy_core_on(0, toml);
    }

    /// As [`MultiNode::deploy_core`], on manager `i`. With several managers the core is pinned
    /// to that one: like UCP's `ucp-interlock` it is one task on a manager, but the engines
    /// share this machine's filesystem, so its socket mount names one engine's socket and a task
    /// rescheduled to another manager would talk to the wrong (or a stopped) engine.
    pub fn deploy_core_on(&self, i: usize, toml: &str) {
        let m = self.manager_at(i);
        let pin = format!("node.hostname=={}", m.hostname);
        create_core_config(m, 1, toml);
        let mount = format!(
            "type=bind,source={},target=/var/run/docker.sock",
            m.sock.display()
        );
        m.docker_ok(&[
            "service",
            "create",
            "--detach",
            "--no-resolve-image",
            "--name",
            CORE_SERVICE,
            "--label",
            TEST_LABEL_KV,
            "--label",
            UCP_ACCESS_LABEL_KV,
            "--constraint",
            "node.role==manager",
            "--constraint",
            &pin,
            "--mount",
            &mount,
            "--config",
            &format!("source={FIRST_CONFIG},target={CONFIG_TARGET}"),
            "--env",
            &format!("STANDIN_IMAGE={}", self.image),
            "--env",
            &format!("STANDIN_TEST_LABEL={TEST_LABEL_KV}"),
            "--env",
            "STANDIN_POLL_MS=300",
            "--restart-delay",
            "1s",
            "--stop-grace-period",
            "2s",
            &self.image,
            "core",
        ]);
    }

    /// Makes the core run `toml`, as apply does: a new config `com.docker.ucp.interlock.conf-<n>`
    /// and `ucp-interlock` rolled onto it in place of `conf-<n - 1>` (not waited for).
    pub fn update_core(&self, n: u32, toml: &str) {
        let m = self.manager();
        let old = format!("{CORE_CONFIG_PREFIX}conf-{}", n - 1);
        let new = create_core_config(m, n, toml);
        m.docker_ok(&[
            "service",
            "update",
            "--detach",
            "--config-rm",
            &old,
            "--config-add",
            &format!("source={new},target={CONFIG_TARGET}"),
            CORE_SERVICE,
        ]);
    }

    /// Hostnames of the nodes where `service` has a task that is running and meant to run,
    /// sorted.
    pub fn running_nodes(&self, service: &str) -> Vec<String> {
        let out = self.manager().docker(&[
            "service",
            "ps",
            "--filter",
            "desired-state=running",
            "--format",
            "{{.Node}} {{.CurrentState}}",
            service,
        ]);
        let mut nodes: Vec<String> = lines(&String::from_utf8_lossy(&out.stdout))
            .iter()
            .filter_map(|l| l.split_once(' '))
            .filter(|(_, state)| state.starts_with("Running"))
            .map(|(node, _)| node.to_string())
            .collect();
        nodes.sort();
        nodes
    }

    /// Waits until `service` runs exactly on `nodes` (hostnames, sorted).
    pub fn wait_running_on(&self, service: &str, nodes: &[&str], timeout: Duration) {
        wait_for(
            &format!("{service} to run on {nodes:?}"),
            timeout,
            || (self.running_nodes(service) == nodes).then_some(()),
            || self.explain(service),
        )
    }

    /// Services, the tasks of `service`, the core's log: for a timeout's panic.
    pub fn explain(&self, service: &str) -> String {
        let text = |args: &[&str]| {
            let out = self.manager().docker(args);
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        };
        format!(
            "docker node ls:\n{}\ndocker service ls:\n{}\ndocker service ps {service}:\n{}\n{CORE_SERVICE} log:\n{}",
            text(&["node", "ls"]),
            text(&["service", "ls"]),
            text(&["service", "ps", "--no-trunc", service]),
            text(&["service", "logs", "--raw", CORE_SERVICE]),
        )
    }
}

/// Creates the core's config `com.docker.ucp.interlock.conf-<n>` holding `toml` on `m`, with
/// the labels UCP gives it; its name.
fn create_core_config(m: &Engine, n: u32, toml: &str) -> String {
    let name = format!("{CORE_CONFIG_PREFIX}conf-{n}");
    let path = super::engine::bed_root().join(format!("conf-{n}.toml"));
    std::fs::write(&path, toml).expect("writing the core's config");
    m.docker_ok(&[
        "config",
        "create",
        "--label",
        TEST_LABEL_KV,
        "--label",
        UCP_ACCESS_LABEL_KV,
        &name,
        &path.to_string_lossy(),
    ]);
    name
}

/// What a node's port answered to one request.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    /// The head's header lines, as sent (`x-proxy-id: …`).
    pub headers: Vec<String>,
    pub body: String,
}

impl Answer {
    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then_some(v.trim())
        })
    }
}

/// `GET path` with `Host: host` to `address:port` from the root namespace (what a load
/// balancer in front of the nodes sends): the answer, or why there is none.
pub fn http_request(address: &str, port: u16, host: &str, path: &str) -> Result<Answer, String> {
    let addr = format!("{address}:{port}");
    let sock: std::net::SocketAddr = addr.parse().map_err(|e| format!("{addr}: {e}"))?;
    let mut stream = TcpStream::connect_timeout(&sock, Duration::from_secs(2))
        .map_err(|e| format!("{addr}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(3)))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| format!("{addr}: {e}"))?;
    let mut reply = String::new();
    stream
        .read_to_string(&mut reply)
        .map_err(|e| format!("{addr}: {e}"))?;
    let (head, body) = reply
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("{addr}: no HTTP answer: {reply:?}"))?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{addr}: bad status line in {reply:?}"))?;
    Ok(Answer {
        status,
        headers: lines.map(str::to_string).collect(),
        body: body.to_string(),
    })
}

/// `GET /nginx_status` to `address:port` (the proxy's health page, on any host, as in
/// Interlock's template): the body when it answers 200, or why not.
pub fn http_get(address: &str, port: u16) -> Result<String, String> {
    let addr = format!("{address}:{port}");
    let answer = http_request(address, port, &addr, "/nginx_status")?;
    match answer.status {
        200 => Ok(answer.body),
        _ => Err(format!("{addr}: unexpected answer {answer:?}")),
    }
}
