//! The HTTP transport under bollard: one pooled client for the whole command (a few
//! connections, opened side by side for concurrent reads and kept alive for the rest),
//! per-request timing for `-v`, and counts of requests and connections for the end-of-command
//! summary.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bollard::{BollardRequest, ClientVersion, Docker};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tower_service::Service;

use super::answer::Answer;
use super::endpoint::{Address, Endpoint};
use super::error::ConnectError;
use super::pool::{Limited, POOL};
use super::tls;
use super::trace::Trace;

/// What the command asked of the API.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicUsize,
    pub connections: AtomicUsize,
    /// The server answered over HTTP/2, so concurrent requests share one connection.
    pub multiplexed: AtomicBool,
    /// `/v1.40`, once an engine older than the client said so (see [`API`]). bollard's URL
    /// join drops the version from every path, so the transport puts it back.
    pub version_prefix: Mutex<Option<String>>,
    /// The head of the answer to `GET /_ping`: the server's API version, and what answered when
    /// the negotiation fails.
    pub first_answer: OnceLock<Answer>,
    /// The server sent something after a handshake (see [`Limited::hearing`]).
    pub heard: Arc<AtomicBool>,
}

/// The API version the client speaks, and the one its requests carry until the engine says
/// it is older: Docker 20.10 and later have it, so the reads need not wait for the
/// negotiation. An older engine refuses it with its own version in `Api-Version`: the read is
/// sent again at that version ([`older_engine`]), and the negotiation keeps it for the rest.
pub const API: (usize, usize) = (1, 41);

/// The version negotiation's request: every engine answers it, with its `Api-Version`.
const PING: &str = "/_ping";

impl Stats {
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    /// Whether the server has sent anything after a TLS handshake: an HTTP/2 server's preface
    /// or any answer. Then it accepted the client certificate.
    pub fn heard(&self) -> bool {
        self.heard.load(Ordering::Relaxed)
    }

    pub fn multiplexed(&self) -> bool {
        self.multiplexed.load(Ordering::Relaxed)
    }

    /// The `/vX.Y` every path but the negotiation's own carries.
    pub fn prefix(&self) -> String {
        let lowered = self.version_prefix.lock().ok().and_then(|p| p.clone());
        lowered.unwrap_or_else(|| format!("/v{}.{}", API.0, API.1))
    }

    /// Takes the engine's older version for the requests that follow.
    pub fn lower_to(&self, prefix: &str) {
        if let Ok(mut p) = self.version_prefix.lock() {
            *p = Some(prefix.to_string());
        }
    }
}

/// The `/vX.Y` to resend a request with, when the engine refused it (400) for a version newer
/// than its own (`Api-Version`, on every answer of the engine). `None`: not that refusal.
pub fn older_engine(status: u16, api_version: Option<&str>, sent: &str) -> Option<String> {
    let theirs = parse_api_version(api_version?)?;
    (status == 400 && theirs < parse_api_version(sent)?)
        .then(|| format!("/v{}.{}", theirs.0, theirs.1))
}

/// `1.41` (or `/v1.41`) as numbers.
pub fn parse_api_version(v: &str) -> Option<(usize, usize)> {
    let (major, minor) = v.trim().trim_start_matches("/v").split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// Puts the API version in front of an unversioned path; the negotiation's `GET /_ping` goes
/// without one, as an engine of any version answers it.
fn versioned(mut req: BollardRequest, stats: &Stats) -> BollardRequest {
    let prefix = stats.prefix();
    let uri = req.uri().clone();
    let pq = uri
        .path_and_query()
        .map_or("/".to_string(), |p| p.as_str().to_string());
    if pq.starts_with("/v1.") || pq == PING {
        return req;
    }
    let mut parts = uri.into_parts();
    parts.path_and_query = format!("{prefix}{pq}").parse().ok();
    if let Ok(u) = hyper::Uri::from_parts(parts) {
        *req.uri_mut() = u;
    }
    req
}

/// Counts the connections its inner connector opens (for TLS: the handshakes).
#[derive(Clone)]
struct Counting<C> {
    inner: C,
    stats: Arc<Stats>,
}

impl<C, R> Service<R> for Counting<C>
where
    C: Service<R>,
{
    type Response = C::Response;
    type Error = C::Error;
    type Future = C::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: R) -> Self::Future {
        self.stats.connections.fetch_add(1, Ordering::Relaxed);
        self.inner.call(req)
    }
}

type Reply = Pin<
    Box<
        dyn Future<Output = Result<hyper::Response<hyper::body::Incoming>, bollard::errors::Error>>
            + Send,
    >,
>;

type Hyper<C> = Client<C, <BollardRequest as HasBody>::Body>;

/// Wraps a hyper client in bollard's transport interface, timing each request.
fn transport<C>(
    client: Hyper<C>,
    rewrite: impl Fn(BollardRequest) -> BollardRequest + Send + Sync + 'static,
    stats: Arc<Stats>,
    printer: Trace,
) -> impl Fn(BollardRequest) -> Reply + Send + Sync + 'static
where
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    let rewrite = Arc::new(rewrite);
    move |req: BollardRequest| {
        let req = versioned(req, &stats);
        // A read can be sent again as it was, should an older engine refuse its version.
        let again = (req.method() == hyper::Method::GET)
            .then(|| (req.uri().clone(), req.headers().clone()));
        let (client, stats, rewrite) = (client.clone(), Arc::clone(&stats), Arc::clone(&rewrite));
        Box::pin(async move {
            let res = send(&client, rewrite(req), &stats, printer).await;
            if let (Ok(r), Some((uri, headers))) = (&res, again) {
                let theirs = r.headers().get("api-version").and_then(|v| v.to_str().ok());
                let sent = sent_version(&uri);
                if let Some(prefix) = older_engine(r.status().as_u16(), theirs, &sent) {
                    stats.lower_to(&prefix);
                    if let Some(req) = resend(uri, headers, &sent, &prefix) {
                        let res = send(&client, rewrite(req), &stats, printer).await;
                        return res.map_err(bollard::errors::Error::from);
                    }
                }
            }
            res.map_err(bollard::errors::Error::from)
        }) as Reply
    }
}

/// A read again, at the engine's older version.
fn resend(
    uri: hyper::Uri,
    headers: hyper::HeaderMap,
    sent: &str,
    prefix: &str,
) -> Option<BollardRequest> {
    let pq = uri.path_and_query()?.as_str();
    let pq = format!("{prefix}{}", pq.get(sent.len()..)?);
    let mut parts = uri.into_parts();
    parts.path_and_query = Some(pq.parse().ok()?);
    let mut req = hyper::Request::get(hyper::Uri::from_parts(parts).ok()?)
        .body(bollard::body_full(Default::default()))
        .ok()?;
    *req.headers_mut() = headers;
    Some(req)
}

/// The `/vX.Y` a request's path starts with (empty for the negotiation's `/_ping`).
fn sent_version(uri: &hyper::Uri) -> String {
    let path = uri.path();
    match path.strip_prefix("/v").and_then(|r| r.split_once('/')) {
        Some((v, _)) if v.contains('.') && v.chars().all(|c| c.is_ascii_digit() || c == '.') => {
            format!("/v{v}")
        }
        _ => String::new(),
    }
}

/// Sends one request, counting and timing it for `-v`.
async fn send<C>(
    client: &Hyper<C>,
    req: BollardRequest,
    stats: &Stats,
    printer: Trace,
) -> Result<hyper::Response<hyper::body::Incoming>, hyper_util::client::legacy::Error>
where
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    let method = req.method().clone();
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    stats.requests.fetch_add(1, Ordering::Relaxed);
    let start = Instant::now();
    let res = client.request(req).await;
    let ms = start.elapsed().as_millis();
    if let Ok(r) = &res {
        if r.version() == hyper::Version::HTTP_2 {
            stats.multiplexed.store(true, Ordering::Relaxed);
        }
        if path == PING {
            let _ = stats.first_answer.get_or_init(|| Answer::of(r));
        }
    }
    match &res {
        Ok(r) => printer.note(&format!(
            "api: {method} {path} → {} ({ms} ms)",
            r.status().as_u16()
        )),
        Err(e) => printer.note(&format!("api: {method} {path} → error: {e} ({ms} ms)")),
    }
    res
}

/// Names the body type of bollard's requests, which bollard does not export.
pub trait HasBody {
    type Body;
}

impl<B> HasBody for hyper::Request<B> {
    type Body = B;
}

/// `inner`, its connections counted.
fn counting<C>(inner: C, stats: &Arc<Stats>) -> Counting<C> {
    Counting {
        inner,
        stats: Arc::clone(stats),
    }
}

fn http_connector(timeout: Duration) -> HttpConnector {
    let mut c = HttpConnector::new();
    c.enforce_http(false);
    c.set_connect_timeout(Some(timeout));
    c.set_nodelay(true);
    c
}

/// A bollard client for `endpoint`, not yet connected (the first request connects).
pub fn docker(
    endpoint: &Endpoint,
    timeout: Duration,
    stats: Arc<Stats>,
    printer: Trace,
) -> Result<Docker, ConnectError> {
    let secs = timeout.as_secs().max(1);
    let version = ClientVersion {
        major_version: API.0,
        minor_version: API.1,
    };
    let builder = || {
        let mut b = Client::builder(TokioExecutor::new());
        b.pool_idle_timeout(Duration::from_secs(30));
        b
    };
    let map_err = |e: bollard::errors::Error| ConnectError::ClientSetup {
        message: e.to_string(),
    };
    match (&endpoint.address, &endpoint.tls) {
        (Address::Unix(path), _) => {
            let connector = Limited::new(
                counting(hyperlocal::UnixConnector, &stats),
                POOL,
                "socket connect",
                printer,
            );
            let client = builder().build(connector);
            let socket = path.clone();
            let rewrite = move |mut req: BollardRequest| {
                let pq = req
                    .uri()
                    .path_and_query()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_else(|| "/".into());
                *req.uri_mut() = hyperlocal::Uri::new(&socket, &pq).into();
                req
            };
            Docker::connect_with_custom_transport(
                transport(client, rewrite, stats, printer),
                Some("http://localhost"),
                secs,
                &version,
            )
            .map_err(map_err)
        }
        (Address::Tcp { host, port }, Some(material)) => {
            let config = tls::client_config(material)?;
            let https = hyper_rustls::HttpsConnectorBuilder::new()
                .with_tls_config(config)
                .https_only()
                .enable_http1()
                .enable_http2()
                .wrap_connector(counting(http_connector(timeout), &stats));
            let https = Limited::new(https, POOL, "TCP connect and TLS handshake", printer)
                .hearing(Arc::clone(&stats.heard));
            let client = builder().build(https);
            Docker::connect_with_custom_transport(
                transport(client, |r| r, stats, printer),
                Some(format!("https://{host}:{port}")),
                secs,
                &version,
            )
            .map_err(map_err)
        }
        (Address::Tcp { host, port }, None) => {
            let tcp = counting(http_connector(timeout), &stats);
            let client = builder().build(Limited::new(tcp, POOL, "TCP connect", printer));
            Docker::connect_with_custom_transport(
                transport(client, |r| r, stats, printer),
                Some(format!("http://{host}:{port}")),
                secs,
                &version,
            )
            .map_err(map_err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_engine_refusing_the_version_gives_its_own() {
        assert_eq!(
            older_engine(400, Some("1.40"), "/v1.41"),
            Some("/v1.40".into())
        );
        // The same or a newer engine, or another refusal: nothing to resend.
        assert_eq!(older_engine(400, Some("1.41"), "/v1.41"), None);
        assert_eq!(older_engine(400, Some("1.43"), "/v1.41"), None);
        assert_eq!(older_engine(404, Some("1.40"), "/v1.41"), None);
        assert_eq!(older_engine(400, None, "/v1.41"), None);
        assert_eq!(older_engine(400, Some("1.40"), ""), None);
    }

    #[test]
    fn the_version_a_path_was_sent_with() {
        let uri = |s: &str| s.parse::<hyper::Uri>().unwrap();
        assert_eq!(sent_version(&uri("http://h/v1.41/nodes?x=1")), "/v1.41");
        assert_eq!(sent_version(&uri("http://h/_ping")), "");
        assert_eq!(sent_version(&uri("http://h/volumes/x")), "");
    }

    #[test]
    fn a_read_is_resent_at_the_older_version() {
        let uri: hyper::Uri = "https://ucp:443/v1.41/tasks?filters=x".parse().unwrap();
        let req = resend(uri, hyper::HeaderMap::new(), "/v1.41", "/v1.40").unwrap();
        assert_eq!(
            req.uri().to_string(),
            "https://ucp:443/v1.40/tasks?filters=x"
        );
        assert_eq!(req.method(), hyper::Method::GET);
    }

    #[test]
    fn paths_carry_the_version_but_the_negotiation() {
        let stats = Stats::default();
        let req = |p: &str| {
            hyper::Request::get(format!("http://h{p}"))
                .body(bollard::body_full(Default::default()))
                .unwrap()
        };
        let path = |r: BollardRequest| r.uri().path().to_string();
        assert_eq!(path(versioned(req("/nodes"), &stats)), "/v1.41/nodes");
        assert_eq!(path(versioned(req("/_ping"), &stats)), "/_ping");
        stats.lower_to("/v1.40");
        assert_eq!(path(versioned(req("/nodes"), &stats)), "/v1.40/nodes");
    }
}
