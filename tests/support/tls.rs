//! An mTLS front to the local engine, standing in for UCP/MKE's API (port 443 behind a client
//! bundle): TLS on `127.0.0.1:<random port>`, client certificate required and verified against
//! the bundle's CA, HTTP/1.1 proxied to `/var/run/docker.sock`.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HOST, HeaderMap, HeaderValue};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{RootCertStore, ServerConfig};

use super::fault::{Fault, FaultKind, Faults, message};
use super::keys;

/// The client key of a bundle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeyKind {
    /// ECDSA P-256 in SEC1 PEM (`EC PRIVATE KEY`), as UCP issues it.
    #[default]
    Ec,
    /// RSA 2048 in PKCS#1 PEM (`RSA PRIVATE KEY`).
    Rsa,
    /// A freshly generated ECDSA P-256 key in PKCS#8 PEM (`PRIVATE KEY`).
    Pkcs8,
}

/// How to start a [`TlsFront`].
#[derive(Clone, Debug)]
pub struct TlsOptions {
    /// The bundle's client key type.
    pub client_key: KeyKind,
    /// The bundle's client certificate expired in 2021.
    pub expired_client_cert: bool,
    /// The bundle's client certificate is signed by another CA than the one the front trusts.
    pub client_cert_from_other_ca: bool,
    /// The front's server certificate is signed by another CA than the bundle's `ca.pem`
    /// (the client should refuse it: "unknown authority").
    pub server_cert_from_other_ca: bool,
    /// Requests whose path starts with a prefix are answered with that status and a UCP-like
    /// JSON error instead of being proxied. A prefix matches the path as sent and the path
    /// without its API version (`/v1.41/configs/create` matches `/configs`).
    pub deny_paths: Vec<(String, u16)>,
    /// The engine's socket (default `/var/run/docker.sock`).
    pub docker_sock: PathBuf,
    /// Every request is answered with this, as a web server (not a Docker API) would.
    pub web_page: Option<WebPage>,
    /// Each request waits this long before it is answered, as if the cluster were far away:
    /// requests sent one after another then take as many times as long, concurrent ones once.
    pub answer_delay: Option<std::time::Duration>,
}

/// A web server's answer: status, `Server` header, HTML body.
#[derive(Clone, Debug)]
pub struct WebPage {
    pub status: u16,
    pub server: &'static str,
    pub body: String,
}

impl Default for TlsOptions {
    fn default() -> Self {
        TlsOptions {
            client_key: KeyKind::Ec,
            expired_client_cert: false,
            client_cert_from_other_ca: false,
            server_cert_from_other_ca: false,
            deny_paths: Vec::new(),
            docker_sock: PathBuf::from("/var/run/docker.sock"),
            web_page: None,
            answer_delay: None,
        }
    }
}

/// Counters and the request log, shared with the server thread.
#[derive(Default)]
struct Stats {
    requests: AtomicUsize,
    handshakes: AtomicUsize,
    failed_handshakes: AtomicUsize,
    request_log: Mutex<Vec<String>>,
    /// When each request came in and when its answer's head went out.
    spans: Mutex<Vec<(std::time::Instant, std::time::Instant)>>,
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
    handshake_errors: Mutex<Vec<String>>,
    faults: Faults,
}

/// What the server tasks need.
struct State {
    stats: Arc<Stats>,
    deny_paths: Vec<(String, u16)>,
    docker_sock: PathBuf,
    web_page: Option<WebPage>,
    answer_delay: Option<std::time::Duration>,
}

/// A running mTLS front; stops (and drops its connections) on drop.
pub struct TlsFront {
    addr: SocketAddr,
    ca_pem: String,
    cert_pem: String,
    key_pem: String,
    stats: Arc<Stats>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// A CA: its parameters, key and self-signed certificate.
struct Ca {
    params: CertificateParams,
    key: KeyPair,
    cert: Certificate,
}

impl Ca {
    /// A fresh ECDSA P-256 CA named `name`.
    fn new(name: &str) -> Ca {
        let key = KeyPair::generate().expect("CA key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params.self_signed(&key).expect("CA certificate");
        Ca { params, key, cert }
    }

    /// A leaf certificate for `key`, named `cn`, with `sans` and `usage`; `expired` makes it
    /// valid only in 2020.
    fn issue(
        &self,
        key: &KeyPair,
        cn: &str,
        sans: &[&str],
        usage: ExtendedKeyUsagePurpose,
        expired: bool,
    ) -> Certificate {
        let sans: Vec<String> = sans.iter().map(|s| s.to_string()).collect();
        let mut params = CertificateParams::new(sans).expect("leaf params");
        params.distinguished_name.push(DnType::CommonName, cn);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![usage];
        params.use_authority_key_identifier_extension = true;
        if expired {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        }
        let issuer = Issuer::from_params(&self.params, &self.key);
        params.signed_by(key, &issuer).expect("leaf certificate")
    }
}

impl TlsFront {
    /// Generates the certificates and starts serving on `127.0.0.1:<random port>` in a
    /// background thread with its own tokio runtime.
    pub fn start(opts: TlsOptions) -> TlsFront {
        let ca = Ca::new("interlock-split test UCP CA");
        let other_ca = Ca::new("interlock-split test OTHER CA");

        let server_key = KeyPair::generate().expect("server key");
        let server_issuer = if opts.server_cert_from_other_ca {
            &other_ca
        } else {
            &ca
        };
        let server_cert = server_issuer.issue(
            &server_key,
            "ucp.interlock-split.test",
            &["localhost", "127.0.0.1"],
            ExtendedKeyUsagePurpose::ServerAuth,
            false,
        );

        let (client_key, key_pem) = match opts.client_key {
            KeyKind::Ec => (
                KeyPair::from_pem(keys::EC_PKCS8).expect("EC test key"),
                keys::EC_SEC1.to_string(),
            ),
            KeyKind::Rsa => (
                KeyPair::from_pem(keys::RSA_PKCS8).expect("RSA test key"),
                keys::RSA_PKCS1.to_string(),
            ),
            KeyKind::Pkcs8 => {
                let key = KeyPair::generate().expect("client key");
                let pem = key.serialize_pem();
                (key, pem)
            }
        };
        let client_issuer = if opts.client_cert_from_other_ca {
            &other_ca
        } else {
            &ca
        };
        let client_cert = client_issuer.issue(
            &client_key,
            "admin",
            &[],
            ExtendedKeyUsagePurpose::ClientAuth,
            opts.expired_client_cert,
        );

        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore::empty();
        roots
            .add(ca.cert.der().clone())
            .expect("CA into the root store");
        let verifier =
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .expect("client verifier");
        let chain: Vec<CertificateDer<'static>> = vec![server_cert.der().clone()];
        let server_key_der =
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_client_cert_verifier(verifier)
            .with_single_cert(chain, server_key_der)
            .expect("server certificate");
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = TlsAcceptor::from(Arc::new(config));

        let stats = Arc::new(Stats::default());
        let state = Arc::new(State {
            stats: stats.clone(),
            deny_paths: opts.deny_paths.clone(),
            docker_sock: opts.docker_sock.clone(),
            web_page: opts.web_page.clone(),
            answer_delay: opts.answer_delay,
        });
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding the TLS front");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("front address");
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel();
        let thread = std::thread::Builder::new()
            .name(format!("tls-front-{}", addr.port()))
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("tokio runtime");
                rt.block_on(serve(listener, acceptor, state, shutdown_rx));
                rt.shutdown_timeout(std::time::Duration::from_secs(1));
            })
            .expect("TLS front thread");

        TlsFront {
            addr,
            ca_pem: ca.cert.pem(),
            cert_pem: client_cert.pem(),
            key_pem,
            stats,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        }
    }

    /// The address it listens on (`127.0.0.1:<port>`).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `tcp://127.0.0.1:<port>`, as `DOCKER_HOST` in the bundle's `env.sh`.
    pub fn docker_host(&self) -> String {
        format!("tcp://127.0.0.1:{}", self.addr.port())
    }

    /// The bundle's `ca.pem` (the CA the front trusts for clients and normally the server's).
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The bundle's `cert.pem` (client certificate).
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The bundle's `key.pem` (client key).
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// HTTP requests received over completed handshakes (denied ones included).
    pub fn requests(&self) -> usize {
        self.stats.requests.load(Ordering::SeqCst)
    }

    /// Completed TLS handshakes (verified client certificate).
    pub fn handshakes(&self) -> usize {
        self.stats.handshakes.load(Ordering::SeqCst)
    }

    /// TLS handshakes that failed (refused client certificate, client refusing the server, …).
    pub fn failed_handshakes(&self) -> usize {
        self.stats.failed_handshakes.load(Ordering::SeqCst)
    }

    /// The errors of the failed handshakes, oldest first.
    pub fn handshake_errors(&self) -> Vec<String> {
        self.stats.handshake_errors.lock().unwrap().clone()
    }

    /// `"<METHOD> <path?query>"` of every request received, oldest first.
    pub fn request_log(&self) -> Vec<String> {
        self.stats.request_log.lock().unwrap().clone()
    }

    /// The most requests it was answering at one time.
    pub fn most_in_flight(&self) -> usize {
        self.stats.most_in_flight.load(Ordering::SeqCst)
    }

    /// How many rounds the requests took: the longest run of requests each sent after the
    /// previous one was answered (1 when all overlap; the request count when none does).
    pub fn rounds(&self) -> usize {
        rounds(&self.stats.spans.lock().unwrap())
    }

    /// Arms `fault` (see [`super::fault`]).
    pub fn fail(&self, fault: Fault) {
        self.stats.faults.arm(fault);
    }

    /// Disarms every fault that has not fired.
    pub fn clear_faults(&self) {
        self.stats.faults.clear();
    }

    /// The faults that fired since the last call, as `"<kind> on <METHOD> <path>"`.
    pub fn faults_fired(&self) -> Vec<String> {
        self.stats.faults.take_fired()
    }

    /// The bundle's files as UCP's zip has them: `ca.pem`, `cert.pem`, `key.pem`, `env.sh`,
    /// `env.ps1`, `env.cmd`.
    pub fn bundle_files(&self) -> Vec<(&'static str, String)> {
        let host = self.docker_host();
        vec![
            ("ca.pem", self.ca_pem.clone()),
            ("cert.pem", self.cert_pem.clone()),
            ("key.pem", self.key_pem.clone()),
            (
                "env.sh",
                format!(
                    "export DOCKER_HOST={host}\nexport DOCKER_TLS_VERIFY=1\nexport DOCKER_CERT_PATH=\"$(pwd)\"\n"
                ),
            ),
            (
                "env.ps1",
                format!(
                    "$env:DOCKER_HOST=\"{host}\"\r\n$env:DOCKER_TLS_VERIFY=1\r\n\
                     $env:DOCKER_CERT_PATH=$(Split-Path $script:MyInvocation.MyCommand.Path)\r\n"
                ),
            ),
            (
                "env.cmd",
                format!(
                    "@echo off\r\nset DOCKER_HOST={host}\r\nset DOCKER_TLS_VERIFY=1\r\nset DOCKER_CERT_PATH=%~dp0\r\n"
                ),
            ),
        ]
    }

    /// Writes the client bundle into `dir` (created if needed; `key.pem` mode 0600).
    pub fn bundle_dir(&self, dir: &Path) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        for (name, text) in self.bundle_files() {
            let path = dir.join(name);
            std::fs::write(&path, text)
                .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
            if name == "key.pem" {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                    .unwrap_or_else(|e| panic!("chmod {}: {e}", path.display()));
            }
        }
    }

    /// Writes the client bundle as a zip at `path`, the files at the root as in UCP's download.
    pub fn bundle_zip(&self, path: &Path) {
        let file = std::fs::File::create(path)
            .unwrap_or_else(|e| panic!("creating {}: {e}", path.display()));
        let mut zip = zip::ZipWriter::new(file);
        for (name, text) in self.bundle_files() {
            let mode = if name == "key.pem" { 0o600 } else { 0o644 };
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .unix_permissions(mode);
            zip.start_file(name, options).expect("zip entry");
            zip.write_all(text.as_bytes()).expect("zip data");
        }
        zip.finish().expect("finishing the zip");
    }

    /// `docker --tlsverify --tlscacert … --tlscert … --tlskey … -H tcp://127.0.0.1:<port>` for
    /// a bundle written with [`TlsFront::bundle_dir`] into `dir` (without the caller's
    /// `DOCKER_*` environment).
    pub fn docker_command(&self, dir: &Path) -> Command {
        let mut cmd = Command::new("docker");
        cmd.env_remove("DOCKER_HOST")
            .env_remove("DOCKER_CONTEXT")
            .env_remove("DOCKER_TLS_VERIFY")
            .env_remove("DOCKER_CERT_PATH")
            .arg("--tlsverify")
            .arg("--tlscacert")
            .arg(dir.join("ca.pem"))
            .arg("--tlscert")
            .arg(dir.join("cert.pem"))
            .arg("--tlskey")
            .arg(dir.join("key.pem"))
            .arg("-H")
            .arg(self.docker_host());
        cmd
    }
}

impl TlsFront {
    /// Stops serving: the listener closes and every open connection is dropped without an
    /// answer, as when the manager behind UCP's API goes down. Stopping twice is harmless.
    pub fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Accepts connections until `shutdown` fires.
async fn serve(
    listener: std::net::TcpListener,
    acceptor: TlsAcceptor,
    state: Arc<State>,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                if let Ok((tcp, _)) = accepted {
                    // Go servers (dockerd, UCP) turn Nagle off; without this, small final TLS records wait
                    // ~40 ms for a delayed ACK and every measurement through the front is skewed.
                    let _ = tcp.set_nodelay(true);
                    tokio::spawn(connection(tcp, acceptor.clone(), state.clone()));
                }
            }
        }
    }
}

/// One client connection: the TLS handshake (counted), then HTTP/1.1.
async fn connection(tcp: tokio::net::TcpStream, acceptor: TlsAcceptor, state: Arc<State>) {
    let tls = match acceptor.accept(tcp).await {
        Ok(tls) => {
            state.stats.handshakes.fetch_add(1, Ordering::SeqCst);
            tls
        }
        Err(e) => {
            state.stats.failed_handshakes.fetch_add(1, Ordering::SeqCst);
            state
                .stats
                .handshake_errors
                .lock()
                .unwrap()
                .push(e.to_string());
            return;
        }
    };
    let svc_state = state.clone();
    let service = service_fn(move |req| handle(req, svc_state.clone()));
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(tls), service)
        .await;
}

/// The response body type of the front.
type Body = BoxBody<Bytes, hyper::Error>;

/// `answer`, timed: the spans and the count of requests in flight.
async fn handle(
    req: Request<Incoming>,
    state: Arc<State>,
) -> Result<Response<Body>, std::io::Error> {
    let start = std::time::Instant::now();
    let now = state.stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    state.stats.most_in_flight.fetch_max(now, Ordering::SeqCst);
    if let Some(d) = state.answer_delay {
        tokio::time::sleep(d).await;
    }
    let res = answer(req, state.clone()).await;
    state.stats.in_flight.fetch_sub(1, Ordering::SeqCst);
    let end = std::time::Instant::now();
    state.stats.spans.lock().unwrap().push((start, end));
    res
}

/// The longest chain of spans each starting after the previous one ended (greedy by end: the
/// most spans no two of which overlap).
fn rounds(spans: &[(std::time::Instant, std::time::Instant)]) -> usize {
    let mut by_end = spans.to_vec();
    by_end.sort_by_key(|s| s.1);
    let mut last = None;
    let mut n = 0;
    for (start, end) in by_end {
        if last.is_none_or(|l| start >= l) {
            n += 1;
            last = Some(end);
        }
    }
    n
}

/// Answers an armed fault or a denied path, or proxies the request to the engine. An error
/// makes hyper close the connection without an answer.
async fn answer(
    req: Request<Incoming>,
    state: Arc<State>,
) -> Result<Response<Body>, std::io::Error> {
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    state.stats.requests.fetch_add(1, Ordering::SeqCst);
    state
        .stats
        .request_log
        .lock()
        .unwrap()
        .push(format!("{} {target}", req.method()));
    match state
        .stats
        .faults
        .hit(req.method().as_str(), strip_version(&target))
    {
        Some(FaultKind::Drop) => return Err(std::io::ErrorKind::ConnectionAborted.into()),
        Some(FaultKind::DropAfter) => {
            // The whole answer is awaited: the engine has acted once it has sent it.
            if let Ok(resp) = forward(req, &target, &state.docker_sock).await {
                let _ = resp.into_body().collect().await;
            }
            return Err(std::io::ErrorKind::ConnectionAborted.into());
        }
        Some(FaultKind::Hang) => {
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
            return Ok(json_error(504, "the test front hung on purpose"));
        }
        Some(kind) => return Ok(json_error(500, message(kind))),
        None => {}
    }
    if let Some(page) = &state.web_page {
        return Ok(web_page(page));
    }
    if let Some(status) = denied(&state.deny_paths, req.uri().path()) {
        let message = match status {
            403 => "access denied: the user lacks permission",
            401 => "unauthorized",
            // What dockerd answers on a worker node.
            503 => {
                "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager."
            }
            _ => "denied by the interlock-split test front",
        };
        return Ok(json_error(status, message));
    }
    match forward(req, &target, &state.docker_sock).await {
        Ok(resp) => Ok(resp),
        Err(e) => Ok(json_error(
            502,
            &format!("test front: cannot reach the engine: {e}"),
        )),
    }
}

/// The status `deny_paths` gives `path` (matched with and without its `/vX.Y` prefix).
fn denied(deny_paths: &[(String, u16)], path: &str) -> Option<u16> {
    let unversioned = strip_version(path);
    deny_paths
        .iter()
        .find(|(prefix, _)| {
            path.starts_with(prefix.as_str()) || unversioned.starts_with(prefix.as_str())
        })
        .map(|(_, status)| *status)
}

/// `path` without a leading `/v<major>.<minor>` segment.
fn strip_version(path: &str) -> &str {
    if let Some(rest) = path.strip_prefix("/v") {
        let end = rest.find('/').unwrap_or(rest.len());
        let version = &rest[..end];
        if !version.is_empty() && version.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return if end == rest.len() { "/" } else { &rest[end..] };
        }
    }
    path
}

fn web_page(page: &WebPage) -> Response<Body> {
    Response::builder()
        .status(StatusCode::from_u16(page.status).unwrap_or(StatusCode::OK))
        .header("Server", page.server)
        .header("Content-Type", "text/html")
        .body(
            Full::new(Bytes::from(page.body.clone()))
                .map_err(|never| match never {})
                .boxed(),
        )
        .expect("web page")
}

/// A JSON error `{"message": …}` with `status`, as the engine and UCP answer.
fn json_error(status: u16, message: &str) -> Response<Body> {
    let body = serde_json::json!({ "message": message }).to_string();
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN))
        .header("Content-Type", "application/json")
        .body(
            Full::new(Bytes::from(body))
                .map_err(|never| match never {})
                .boxed(),
        )
        .expect("error response")
}

/// Hop-by-hop headers that are not forwarded.
fn strip_hop_headers(headers: &mut HeaderMap) {
    for name in [
        "connection",
        "keep-alive",
        "proxy-connection",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    ] {
        headers.remove(name);
    }
}

/// Sends the request to the engine over a new Unix socket connection, streaming both bodies.
async fn forward(
    req: Request<Incoming>,
    target: &str,
    sock: &Path,
) -> Result<Response<Body>, String> {
    let stream = tokio::net::UnixStream::connect(sock)
        .await
        .map_err(|e| format!("{}: {e}", sock.display()))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let (mut parts, body) = req.into_parts();
    parts.uri = target.parse().map_err(|e| format!("{target}: {e}"))?;
    strip_hop_headers(&mut parts.headers);
    parts
        .headers
        .insert(HOST, HeaderValue::from_static("docker"));
    let resp = sender
        .send_request(Request::from_parts(parts, body))
        .await
        .map_err(|e| e.to_string())?;
    let (mut parts, body) = resp.into_parts();
    strip_hop_headers(&mut parts.headers);
    Ok(Response::from_parts(parts, body.boxed()))
}
