//! The HTTP transport under bollard: one pooled client for the whole command (so one TLS
//! handshake serves every sequential request), per-request timing for `-v`, and counts of
//! requests and connections for the end-of-command summary.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
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
use super::tls;
use super::trace::Trace;

/// What the command asked of the API.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicUsize,
    pub connections: AtomicUsize,
    /// The server answered over HTTP/2, so concurrent requests share one connection.
    pub multiplexed: AtomicBool,
    /// `/v1.41`, once negotiated. bollard's URL join drops the version from every path, so
    /// the transport puts it back.
    pub version_prefix: OnceLock<String>,
    /// The head of the first answer: when the negotiation fails, it names what answered.
    pub first_answer: OnceLock<Answer>,
}

impl Stats {
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::Relaxed)
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    pub fn multiplexed(&self) -> bool {
        self.multiplexed.load(Ordering::Relaxed)
    }
}

/// Puts the negotiated API version in front of an unversioned path.
fn versioned(mut req: BollardRequest, stats: &Stats) -> BollardRequest {
    let Some(prefix) = stats.version_prefix.get() else {
        return req;
    };
    let uri = req.uri().clone();
    let pq = uri
        .path_and_query()
        .map_or("/".to_string(), |p| p.as_str().to_string());
    if pq.starts_with("/v1.") {
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

/// Wraps a hyper client in bollard's transport interface, timing each request.
fn transport<C>(
    client: Client<C, <BollardRequest as HasBody>::Body>,
    rewrite: impl Fn(BollardRequest) -> BollardRequest + Send + Sync + 'static,
    stats: Arc<Stats>,
    printer: Trace,
) -> impl Fn(BollardRequest) -> Reply + Send + Sync + 'static
where
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    move |req: BollardRequest| {
        let req = rewrite(versioned(req, &stats));
        let client = client.clone();
        let stats = Arc::clone(&stats);
        let method = req.method().clone();
        let path = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default();
        Box::pin(async move {
            stats.requests.fetch_add(1, Ordering::Relaxed);
            let start = Instant::now();
            let res = client.request(req).await;
            let ms = start.elapsed().as_millis();
            if let Ok(r) = &res {
                if r.version() == hyper::Version::HTTP_2 {
                    stats.multiplexed.store(true, Ordering::Relaxed);
                }
                let _ = stats.first_answer.get_or_init(|| Answer::of(r));
            }
            match &res {
                Ok(r) => printer.note(&format!(
                    "api: {method} {path} → {} ({ms} ms)",
                    r.status().as_u16()
                )),
                Err(e) => printer.note(&format!("api: {method} {path} → error: {e} ({ms} ms)")),
            }
            res.map_err(bollard::errors::Error::from)
        }) as Reply
    }
}

/// Names the body type of bollard's requests, which bollard does not export.
pub trait HasBody {
    type Body;
}

impl<B> HasBody for hyper::Request<B> {
    type Body = B;
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
        major_version: 1,
        minor_version: 41,
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
            let connector = Counting {
                inner: hyperlocal::UnixConnector,
                stats: Arc::clone(&stats),
            };
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
                .wrap_connector(Counting {
                    inner: http_connector(timeout),
                    stats: Arc::clone(&stats),
                });
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
            let client = builder().build(Counting {
                inner: http_connector(timeout),
                stats: Arc::clone(&stats),
            });
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
