//! An mTLS front to the local engine, standing in for UCP/MKE's API (port 443 behind a client
//! bundle): TLS on `127.0.0.1:<random port>`, client certificate required and verified against
//! the bundle's CA, HTTP/1.1 proxied to `/var/run/docker.sock`. With
//! [`TlsOptions::http2`] it offers h2 in ALPN and serves the clients that choose it over
//! HTTP/2, as a manager whose TLS server speaks h2 does.

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
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{RootCertStore, ServerConfig};

use super::bundle::Bundle;
use super::certs::Material;
use super::fault::{Fault, FaultKind, Faults, message};

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
    /// ALPN offers h2 before http/1.1: a client that offers h2 gets HTTP/2.
    pub http2: bool,
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
            http2: false,
            answer_delay: None,
        }
    }
}

/// Counters and the request log, shared with the server thread.
#[derive(Default)]
struct Stats {
    requests: AtomicUsize,
    http2_requests: AtomicUsize,
    handshakes: AtomicUsize,
    failed_handshakes: AtomicUsize,
    /// When each request came in (the machine's clock), and its method and target.
    request_log: Mutex<Vec<(std::time::SystemTime, String)>>,
    /// When each request came in and when its answer's head went out.
    spans: Mutex<Vec<(std::time::Instant, std::time::Instant)>>,
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
    handshake_errors: Mutex<Vec<String>>,
    faults: Faults,
    /// Set by [`TlsFront::stop`] before the runtime goes: a forward cut short by the shutdown
    /// is then dropped unanswered, as the manager's own API server would be, not turned into
    /// a 502 that no stopped manager sends.
    stopping: std::sync::atomic::AtomicBool,
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
    bundle: Bundle,
    stats: Arc<Stats>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl TlsFront {
    /// Generates the certificates and starts serving on `127.0.0.1:<random port>` in a
    /// background thread with its own tokio runtime.
    pub fn start(opts: TlsOptions) -> TlsFront {
        let material = Material::new(&opts);
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore::empty();
        roots
            .add(material.ca.der().clone())
            .expect("CA into the root store");
        let verifier =
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .expect("client verifier");
        let chain: Vec<CertificateDer<'static>> = vec![material.server_cert.der().clone()];
        let server_key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            material.server_key.serialize_der(),
        ));
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_client_cert_verifier(verifier)
            .with_single_cert(chain, server_key_der)
            .expect("server certificate");
        config.alpn_protocols = if opts.http2 {
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        } else {
            vec![b"http/1.1".to_vec()]
        };
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
            bundle: Bundle {
                docker_host: format!("tcp://127.0.0.1:{}", addr.port()),
                ca_pem: material.ca.pem(),
                cert_pem: material.client_cert.pem(),
                key_pem: material.client_key_pem,
            },
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
        self.bundle.docker_host.clone()
    }

    /// The bundle's `ca.pem` (the CA the front trusts for clients and normally the server's).
    pub fn ca_pem(&self) -> &str {
        &self.bundle.ca_pem
    }

    /// The bundle's `cert.pem` (client certificate).
    pub fn cert_pem(&self) -> &str {
        &self.bundle.cert_pem
    }

    /// The bundle's `key.pem` (client key).
    pub fn key_pem(&self) -> &str {
        &self.bundle.key_pem
    }

    /// HTTP requests received over completed handshakes (denied ones included).
    pub fn requests(&self) -> usize {
        self.stats.requests.load(Ordering::SeqCst)
    }

    /// Of those, the requests received over HTTP/2.
    pub fn http2_requests(&self) -> usize {
        self.stats.http2_requests.load(Ordering::SeqCst)
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
        let log = self.stats.request_log.lock().unwrap();
        log.iter().map(|(_, r)| r.clone()).collect()
    }

    /// [`TlsFront::request_log`] with the time each request came in.
    pub fn timed_request_log(&self) -> Vec<(std::time::SystemTime, String)> {
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
        self.bundle.files()
    }

    /// Writes the client bundle into `dir` (created if needed; `key.pem` mode 0600).
    pub fn bundle_dir(&self, dir: &Path) {
        self.bundle.write_dir(dir)
    }

    /// Writes the client bundle as a zip at `path`, the files at the root as in UCP's download.
    pub fn bundle_zip(&self, path: &Path) {
        self.bundle.write_zip(path)
    }

    /// `docker --tlsverify --tlscacert … --tlscert … --tlskey … -H tcp://127.0.0.1:<port>` for
    /// a bundle written with [`TlsFront::bundle_dir`] into `dir` (without the caller's
    /// `DOCKER_*` environment).
    pub fn docker_command(&self, dir: &Path) -> Command {
        self.bundle.docker_command(dir)
    }
}

impl TlsFront {
    /// Stops serving: the listener closes and every open connection is dropped without an
    /// answer, as when the manager behind UCP's API goes down. Stopping twice is harmless.
    pub fn stop(&mut self) {
        self.stats.stopping.store(true, Ordering::SeqCst);
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

/// What a request's fault does to its connection: [`connection`] waits on `cut`.
#[derive(Default)]
struct Conn {
    /// The protocol chosen in ALPN is HTTP/2.
    http2: bool,
    cut: tokio::sync::Notify,
    /// Close with a TCP reset (RST) instead of an orderly close (FIN).
    reset: std::sync::atomic::AtomicBool,
}

/// One client connection: the TLS handshake (counted), then HTTP/1.1 or, when ALPN chose h2,
/// HTTP/2, until the client closes it or a fault cuts it.
async fn connection(tcp: tokio::net::TcpStream, acceptor: TlsAcceptor, state: Arc<State>) {
    // A second descriptor of the socket: a reset sets SO_LINGER 0 on it once hyper owns the
    // stream. The socket closes when both are dropped, both at the end of this function.
    let Some((tcp, spare)) = tcp
        .into_std()
        .and_then(|s| Ok((s.try_clone()?, s)))
        .ok()
        .and_then(|(a, b)| Some((tokio::net::TcpStream::from_std(a).ok()?, b)))
    else {
        return;
    };
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
    let conn = Arc::new(Conn {
        http2: tls.get_ref().1.alpn_protocol() == Some(b"h2"),
        ..Conn::default()
    });
    let (svc_state, svc_conn) = (state.clone(), conn.clone());
    let service = service_fn(move |req| handle(req, svc_state.clone(), svc_conn.clone()));
    let io = TokioIo::new(tls);
    let served = async {
        if conn.http2 {
            let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
                .serve_connection(io, service)
                .await;
        } else {
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await;
        }
    };
    tokio::select! {
        _ = served => {}
        _ = conn.cut.notified() => {}
    }
    if conn.reset.load(Ordering::SeqCst)
        && let Ok(spare) = tokio::net::TcpStream::from_std(spare)
    {
        let _ = spare.set_zero_linger();
    }
}

/// Closes the request's connection without an answer (with a TCP reset when `reset`): the
/// connection task drops it, and this request with it.
async fn cut(conn: &Conn, reset: bool) -> Result<Response<Body>, std::io::Error> {
    conn.reset.store(reset, Ordering::SeqCst);
    conn.cut.notify_one();
    std::future::pending().await
}

/// The response body type of the front.
type Body = BoxBody<Bytes, hyper::Error>;

/// `answer`, timed: the spans and the count of requests in flight.
async fn handle(
    req: Request<Incoming>,
    state: Arc<State>,
    conn: Arc<Conn>,
) -> Result<Response<Body>, std::io::Error> {
    let start = std::time::Instant::now();
    let now = state.stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    state.stats.most_in_flight.fetch_max(now, Ordering::SeqCst);
    if let Some(d) = state.answer_delay {
        tokio::time::sleep(d).await;
    }
    let res = answer(req, state.clone(), conn).await;
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
/// makes hyper reset the request's HTTP/2 stream (HTTP/1.1 has none: it resets the connection).
async fn answer(
    req: Request<Incoming>,
    state: Arc<State>,
    conn: Arc<Conn>,
) -> Result<Response<Body>, std::io::Error> {
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    state.stats.requests.fetch_add(1, Ordering::SeqCst);
    if req.version() == hyper::Version::HTTP_2 {
        state.stats.http2_requests.fetch_add(1, Ordering::SeqCst);
    }
    state.stats.request_log.lock().unwrap().push((
        std::time::SystemTime::now(),
        format!("{} {target}", req.method()),
    ));
    match state
        .stats
        .faults
        .hit(req.method().as_str(), strip_version(&target))
    {
        Some(FaultKind::Drop) => return cut(&conn, false).await,
        Some(FaultKind::Reset) if conn.http2 => {
            return Err(std::io::ErrorKind::ConnectionReset.into());
        }
        Some(FaultKind::Reset) => return cut(&conn, true).await,
        Some(FaultKind::DropAfter) => {
            // The whole answer is awaited: the engine has acted once it has sent it.
            if let Ok(resp) = forward(req, &target, &state.docker_sock).await {
                let _ = resp.into_body().collect().await;
            }
            return cut(&conn, false).await;
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
        Err(e) if state.stats.stopping.load(Ordering::SeqCst) => Err(std::io::Error::other(
            format!("the front stopped while the engine answered: {e}"),
        )),
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
