//! `interlock-standin`: a stand-in for the Interlock core (`ucp-interlock`), used only by the
//! swarm test bed of `interlock-split` (see `tests/support/`).
//!
//! It is built as a static binary and imported into an image FROM scratch, because the test
//! machines cannot pull images. Modes, by first argument:
//!
//! * `core`: read `/config.toml` (env `STANDIN_CONFIG` overrides) like the Interlock core does,
//!   refuse a broken config with exit status 1 (TOML syntax error, an extension without
//!   `ProxyReplicas`, a key of the wrong type, an `Image` tagged `:broken`), and otherwise create, once, the extension, proxy
//!   and config services of every `[Extensions.<name>]`. It never updates an existing service
//!   (the real core does not move existing proxies either). A failed create (a port already in
//!   use, a constraint swarm refuses) is logged and retried on the next round, every
//!   `STANDIN_POLL_MS` (default 1000) milliseconds.
//! * `sleep`: block forever (extension and config services).
//! * `proxy P1 P2 …`: answer every HTTP request on the TCP ports with `200 OK` and a body naming
//!   the service, its service cluster and the node (proxy services; env `STANDIN_SERVICE_NAME`,
//!   `STANDIN_SERVICE_CLUSTER`, and `STANDIN_NODE`, which swarm fills in from a template).
//!
//! Every mode exits at once on SIGTERM, SIGINT, SIGQUIT and SIGHUP, even as PID 1.
//!
//! Environment of the `core` mode: `STANDIN_IMAGE` (required: the image every created service
//! runs, normally this binary's own image), `STANDIN_TEST_LABEL` (`key=value`, added to every
//! created service), `STANDIN_DOCKER_SOCK` (default `/var/run/docker.sock`).

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use serde_json::{Map, Value, json};

use extensions::{Extension, parse_config};

mod extensions;

use interlock_model::extension::DEFAULT_TARGET_PORT;
use interlock_model::extension::DEFAULT_TARGET_SSL_PORT;
use interlock_model::interlock::{ServiceRole, TYPE_LABEL};

/// Label that tells the image an Interlock config asked for (the stand-in runs its own image).
const IMAGE_LABEL: &str = "com.docker.interlock-split.standin.image";
/// Label naming the `[Extensions.<name>]` table a service was created for.
const EXTENSION_LABEL: &str = "com.docker.interlock-split.standin.extension";
/// Interlock's service-cluster label.
const CLUSTER_LABEL: &str = "com.docker.interlock.service.cluster";
/// Engine API version prefix (Docker 20.10 speaks 1.41).
const API: &str = "/v1.41";

macro_rules! log {
    ($($arg:tt)*) => {
        eprintln!("interlock-standin: {}", format!($($arg)*))
    };
}

unsafe extern "C" {
    /// libc `signal(2)`: installs `handler` for `sig`.
    fn signal(sig: i32, handler: extern "C" fn(i32)) -> usize;
    /// libc `_exit(2)`: ends the process at once (async-signal-safe).
    fn _exit(code: i32) -> !;
}

/// Signal handler: leave at once (async-signal-safe).
extern "C" fn on_signal(_sig: i32) {
    // SAFETY: `_exit` is async-signal-safe and never returns.
    unsafe { _exit(0) }
}

/// Installs `on_signal` for SIGHUP, SIGINT, SIGQUIT and SIGTERM. As PID 1 of a container a
/// process without handlers ignores these signals, which would make every stop wait for the
/// grace period and then SIGKILL.
fn install_signal_handlers() {
    for sig in [1, 2, 3, 15] {
        // SAFETY: installing a handler that only calls `_exit`.
        unsafe {
            signal(sig, on_signal);
        }
    }
}

/// Dispatches on the mode (first argument).
fn main() {
    install_signal_handlers();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("core") => core(),
        Some("sleep") => sleep_forever(),
        Some("proxy") => {
            let ports: Result<Vec<u16>, _> = args[1..].iter().map(|p| p.parse::<u16>()).collect();
            match ports {
                Ok(ports) if !ports.is_empty() => proxy(&ports),
                _ => {
                    log!("error: usage: interlock-standin proxy PORT [PORT…]");
                    std::process::exit(2)
                }
            }
        }
        _ => {
            log!("error: usage: interlock-standin core | sleep | proxy PORT [PORT…]");
            std::process::exit(2)
        }
    }
}

/// Blocks forever (until a signal ends the process).
fn sleep_forever() -> ! {
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

// ---------------------------------------------------------------------------------------------
// proxy mode

/// Listens on every port and answers each request with `200 OK` naming the service.
fn proxy(ports: &[u16]) -> ! {
    let service = std::env::var("STANDIN_SERVICE_NAME").unwrap_or_else(|_| "unknown".into());
    let cluster = std::env::var("STANDIN_SERVICE_CLUSTER").unwrap_or_default();
    let node = std::env::var("STANDIN_NODE").unwrap_or_default();
    let host = hostname();
    for &port in ports {
        let listener = match TcpListener::bind(("0.0.0.0", port)) {
            Ok(l) => l,
            Err(e) => {
                log!("error: proxy: cannot listen on port {port}: {e}");
                std::process::exit(1)
            }
        };
        log!("proxy: service {service} listening on port {port}");
        let body = format!(
            "interlock-standin proxy: service {service}, host {host}, port {port}, \
             service cluster {cluster}, node {node}\n"
        );
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let body = body.clone();
                std::thread::spawn(move || answer(stream, &body));
            }
        });
    }
    sleep_forever()
}

/// Reads one request head (best effort) and answers `200 OK` with `body`.
fn answer(mut stream: TcpStream, body: &str) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while head.len() < 64 * 1024 && !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
}

/// The container's host name (env `HOSTNAME`, else `/etc/hostname`).
fn hostname() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

// ---------------------------------------------------------------------------------------------
// a minimal HTTP/1.1 client for the Engine API over the Unix socket

/// The Docker Engine API at a Unix socket.
struct Docker {
    sock: String,
}

/// One HTTP response: status code and body.
struct Response {
    status: u16,
    body: Vec<u8>,
}

impl Response {
    /// The body parsed as JSON (`Null` when it is not JSON).
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The Engine's error message (`{"message": …}`), else the body as text.
    fn message(&self) -> String {
        match self.json().get("message").and_then(Value::as_str) {
            Some(m) => m.to_string(),
            None => String::from_utf8_lossy(&self.body).trim().to_string(),
        }
    }
}

impl Docker {
    /// Sends one request (`Connection: close`) and reads the whole response.
    fn request(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Response, String> {
        let stream = UnixStream::connect(&self.sock)
            .map_err(|e| format!("cannot connect to {}: {e}", self.sock))?;
        stream.set_read_timeout(Some(Duration::from_secs(60))).ok();
        stream.set_write_timeout(Some(Duration::from_secs(60))).ok();
        let payload = body.map(Value::to_string).unwrap_or_default();
        let mut head = format!(
            "{method} {API}{path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: interlock-standin\r\nConnection: close\r\n"
        );
        if body.is_some() {
            head.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                payload.len()
            ));
        }
        head.push_str("\r\n");
        let mut writer = &stream;
        writer
            .write_all(head.as_bytes())
            .and_then(|_| writer.write_all(payload.as_bytes()))
            .and_then(|_| writer.flush())
            .map_err(|e| format!("{method} {path}: write: {e}"))?;
        read_response(BufReader::new(&stream), method == "HEAD")
            .map_err(|e| format!("{method} {path}: {e}"))
    }
}

/// Reads a status line, headers and a body (Content-Length, chunked, or up to EOF).
fn read_response(mut r: impl BufRead, head_only: bool) -> Result<Response, String> {
    let mut line = String::new();
    r.read_line(&mut line).map_err(|e| format!("read: {e}"))?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {line:?}"))?;
    let mut length: Option<usize> = None;
    let mut chunked = false;
    loop {
        line.clear();
        if r.read_line(&mut line).map_err(|e| format!("read: {e}"))? == 0 {
            return Err("connection closed in the headers".into());
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((name, value)) = l.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = value.parse().ok();
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.to_ascii_lowercase().contains("chunked");
            }
        }
    }
    let mut body = Vec::new();
    if head_only || status == 204 || status == 304 || (100..200).contains(&status) {
        // no body
    } else if chunked {
        loop {
            line.clear();
            r.read_line(&mut line)
                .map_err(|e| format!("read chunk size: {e}"))?;
            let size = line.trim().split(';').next().unwrap_or("");
            let size = usize::from_str_radix(size.trim(), 16)
                .map_err(|_| format!("bad chunk size {line:?}"))?;
            if size == 0 {
                // trailers, up to the empty line
                loop {
                    line.clear();
                    let n = r.read_line(&mut line).map_err(|e| format!("read: {e}"))?;
                    if n == 0 || line.trim_end().is_empty() {
                        break;
                    }
                }
                break;
            }
            let start = body.len();
            body.resize(start + size, 0);
            r.read_exact(&mut body[start..])
                .map_err(|e| format!("read chunk: {e}"))?;
            let mut crlf = [0u8; 2];
            r.read_exact(&mut crlf)
                .map_err(|e| format!("read chunk end: {e}"))?;
        }
    } else if let Some(n) = length {
        body.resize(n, 0);
        r.read_exact(&mut body)
            .map_err(|e| format!("read body: {e}"))?;
    } else {
        r.read_to_end(&mut body)
            .map_err(|e| format!("read body: {e}"))?;
    }
    Ok(Response { status, body })
}

// ---------------------------------------------------------------------------------------------
// core mode

/// What the core has logged, so that a state that lasts (a service that exists, a create that
/// keeps failing the same way) is logged once, not every round.
#[derive(Default)]
struct Journal {
    said: HashSet<String>,
    failing: HashMap<String, (String, u64)>,
}

impl Journal {
    /// Logs `line` the first time `key` is seen.
    fn once(&mut self, key: &str, line: &str) {
        if self.said.insert(key.to_string()) {
            log!("{line}");
        }
    }

    /// Logs the failure `line` of `key` unless it repeats the last one (every 60th repeat is
    /// logged again, with the count).
    fn error(&mut self, key: &str, line: &str) {
        let entry = self
            .failing
            .entry(key.to_string())
            .or_insert_with(|| (String::new(), 0));
        if entry.0 == line {
            entry.1 += 1;
            if entry.1.is_multiple_of(60) {
                log!("{line} (failed {} times)", entry.1 + 1);
            }
        } else {
            *entry = (line.to_string(), 0);
            log!("{line}");
        }
    }

    /// Forgets the failure of `key` after it succeeded.
    fn ok(&mut self, key: &str) {
        self.failing.remove(key);
    }
}

/// The environment of the core mode.
struct Core {
    docker: Docker,
    image: String,
    test_label: Option<(String, String)>,
}

/// Leaves with status 1 after logging `message`: how the real core reacts to a bad config.
fn fail(message: &str) -> ! {
    log!("error: {message}");
    std::process::exit(1)
}

/// The `core` mode: reads and checks the config, then creates missing services forever.
fn core() -> ! {
    let path = std::env::var("STANDIN_CONFIG").unwrap_or_else(|_| "/config.toml".into());
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| fail(&format!("cannot read config {path}: {e}")));
    let extensions =
        parse_config(&text).unwrap_or_else(|e| fail(&format!("invalid config {path}: {e}")));
    let image = std::env::var("STANDIN_IMAGE")
        .ok()
        .filter(|i| !i.is_empty())
        .unwrap_or_else(|| fail("STANDIN_IMAGE is not set"));
    let test_label = match std::env::var("STANDIN_TEST_LABEL") {
        Ok(l) if !l.is_empty() => match l.split_once('=') {
            Some((k, v)) => Some((k.to_string(), v.to_string())),
            None => fail(&format!("STANDIN_TEST_LABEL {l:?} is not key=value")),
        },
        _ => None,
    };
    let poll = std::env::var("STANDIN_POLL_MS")
        .ok()
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(1000);
    let sock =
        std::env::var("STANDIN_DOCKER_SOCK").unwrap_or_else(|_| "/var/run/docker.sock".into());
    let names: Vec<&str> = extensions.iter().map(|e| e.name.as_str()).collect();
    log!(
        "core: loaded {path}: {} extension(s): {}",
        extensions.len(),
        names.join(", ")
    );
    let core = Core {
        docker: Docker { sock },
        image,
        test_label,
    };
    let mut journal = Journal::default();
    loop {
        if let Err(e) = core.round(&extensions, &mut journal) {
            journal.error("round", &format!("error: {e}; retrying"));
        }
        std::thread::sleep(Duration::from_millis(poll));
    }
}

impl Core {
    /// One pass: create every missing service of every extension.
    fn round(&self, extensions: &[Extension], journal: &mut Journal) -> Result<(), String> {
        let response = self.docker.request("GET", "/services", None)?;
        if response.status != 200 {
            return Err(format!(
                "listing services: HTTP {}: {}",
                response.status,
                response.message()
            ));
        }
        let services = response.json();
        let services = services.as_array().cloned().unwrap_or_default();
        for ext in extensions {
            for (kind, name) in wanted(ext) {
                if let Some(id) = find(&services, ext, kind, name.as_deref()) {
                    let key = format!("{}/{}", kind.as_str(), name.as_deref().unwrap_or(&id));
                    journal.once(
                        &key,
                        &format!(
                            "core: {} service {} of extension {} exists: leaving it as it is",
                            kind.as_str(),
                            name.as_deref().unwrap_or(&id),
                            ext.name
                        ),
                    );
                    continue;
                }
                let spec = self.spec(ext, kind, name.as_deref());
                let shown = name.as_deref().unwrap_or("(unnamed)");
                let key = format!("create {}/{}/{shown}", ext.name, kind.as_str());
                match self.docker.request("POST", "/services/create", Some(&spec)) {
                    Ok(r) if r.status == 201 || r.status == 200 => {
                        let id = r
                            .json()
                            .get("ID")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string();
                        journal.ok(&key);
                        log!(
                            "core: created {} service {shown} ({id}) for extension {}",
                            kind.as_str(),
                            ext.name
                        );
                    }
                    Ok(r) => journal.error(
                        &key,
                        &format!(
                            "error: creating {} service {shown} for extension {}: HTTP {}: {}; retrying",
                            kind.as_str(),
                            ext.name,
                            r.status,
                            r.message()
                        ),
                    ),
                    Err(e) => journal.error(
                        &key,
                        &format!(
                            "error: creating {} service {shown} for extension {}: {e}; retrying",
                            kind.as_str(),
                            ext.name
                        ),
                    ),
                }
            }
        }
        journal.ok("round");
        Ok(())
    }

    /// The service spec the core creates for `kind` of `ext`.
    fn spec(&self, ext: &Extension, kind: ServiceRole, name: Option<&str>) -> Value {
        let (mut labels, container_labels, constraints, image, args, replicas) = match kind {
            ServiceRole::Extension => (
                ext.labels.clone(),
                ext.container_labels.clone(),
                ext.constraints.clone(),
                ext.image.clone(),
                vec!["sleep".to_string()],
                1,
            ),
            ServiceRole::Proxy => (
                ext.proxy_labels.clone(),
                ext.proxy_container_labels.clone(),
                ext.proxy.constraints.as_slice().to_vec(),
                ext.proxy_image.clone(),
                proxy_args(ext),
                ext.proxy.replicas.unwrap_or(1),
            ),
            ServiceRole::Config => (
                ext.labels.clone(),
                ext.container_labels.clone(),
                ext.constraints.clone(),
                ext.config_image
                    .clone()
                    .unwrap_or_else(|| ext.image.clone()),
                vec!["sleep".to_string()],
                1,
            ),
        };
        labels.insert(TYPE_LABEL.into(), kind.type_label().into());
        labels.insert(EXTENSION_LABEL.into(), ext.name.clone());
        labels.insert(IMAGE_LABEL.into(), image);
        if let Some(cluster) = &ext.service_cluster {
            labels.insert(CLUSTER_LABEL.into(), cluster.clone());
        }
        if let Some((k, v)) = &self.test_label {
            labels.insert(k.clone(), v.clone());
        }
        let mut spec = Map::new();
        if let Some(name) = name {
            spec.insert("Name".into(), json!(name));
        }
        spec.insert("Labels".into(), json!(labels));
        spec.insert(
            "TaskTemplate".into(),
            json!({
                "ContainerSpec": {
                    "Image": self.image,
                    "Args": args,
                    "Labels": container_labels,
                    "Env": [
                        format!("STANDIN_SERVICE_NAME={}", name.unwrap_or("")),
                        format!("STANDIN_SERVICE_CLUSTER={}", ext.service_cluster.as_deref().unwrap_or("")),
                        // Swarm fills in the node's hostname, so that a proxy's reply names it.
                        "STANDIN_NODE={{.Node.Hostname}}".to_string(),
                    ],
                    "StopGracePeriod": 2_000_000_000u64,
                },
                "Placement": { "Constraints": constraints },
                "RestartPolicy": { "Condition": "any", "Delay": 1_000_000_000u64 },
            }),
        );
        spec.insert(
            "Mode".into(),
            json!({ "Replicated": { "Replicas": replicas } }),
        );
        if kind == ServiceRole::Proxy {
            let ports: Vec<Value> = ext
                .proxy
                .ports
                .iter()
                .map(|p| {
                    json!({
                        "Protocol": "tcp",
                        "TargetPort": p.target,
                        "PublishedPort": p.published,
                        "PublishMode": p.mode.as_str(),
                    })
                })
                .collect();
            spec.insert(
                "EndpointSpec".into(),
                json!({ "Mode": "vip", "Ports": ports }),
            );
        }
        Value::Object(spec)
    }
}

/// The services the core creates for `ext`: those the model says it implies, and an extension
/// service even without a `ServiceName` (Docker then names it at random).
fn wanted(ext: &Extension) -> Vec<(ServiceRole, Option<String>)> {
    let named = |role| {
        ext.services
            .iter()
            .find(|s| s.role == role)
            .map(|s| s.name.clone())
    };
    let mut out = vec![
        (ServiceRole::Extension, named(ServiceRole::Extension)),
        (ServiceRole::Proxy, named(ServiceRole::Proxy)),
    ];
    if let Some(name) = named(ServiceRole::Config) {
        out.push((ServiceRole::Config, Some(name)));
    }
    out
}

/// `proxy PORT…`: the proxy listens on its ports' targets (Interlock's 80 and 443 when the
/// config publishes none).
fn proxy_args(ext: &Extension) -> Vec<String> {
    let mut targets: Vec<u16> = ext.proxy.ports.iter().map(|p| p.target).collect();
    if targets.is_empty() {
        targets = vec![DEFAULT_TARGET_PORT, DEFAULT_TARGET_SSL_PORT];
    }
    std::iter::once("proxy".to_string())
        .chain(targets.iter().map(u16::to_string))
        .collect()
}

/// The ID of the existing service for `kind` of `ext`: by name, or (for an extension without a
/// `ServiceName`, which Docker names at random) by the stand-in's labels.
fn find(
    services: &[Value],
    ext: &Extension,
    kind: ServiceRole,
    name: Option<&str>,
) -> Option<String> {
    let spec_str =
        |s: &Value, ptr: &str| s.pointer(ptr).and_then(Value::as_str).map(str::to_string);
    services.iter().find_map(|s| {
        let found = match name {
            Some(name) => spec_str(s, "/Spec/Name").as_deref() == Some(name),
            None => {
                spec_str(
                    s,
                    &format!("/Spec/Labels/{}", EXTENSION_LABEL.replace('/', "~1")),
                )
                .as_deref()
                    == Some(ext.name.as_str())
                    && spec_str(s, &format!("/Spec/Labels/{TYPE_LABEL}")).as_deref()
                        == Some(kind.type_label())
            }
        };
        if found { spec_str(s, "/ID") } else { None }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_chunked_responses() {
        let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n[1,2\r\n2;x=y\r\n,3\r\n1\r\n]\r\n0\r\n\r\n";
        let r = read_response(&raw[..], false).unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.json(), json!([1, 2, 3]));
    }
}
