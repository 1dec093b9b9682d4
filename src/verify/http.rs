//! One HTTP/1.1 GET with a chosen `Host` header to a node's address and port, within a time
//! limit: how `verify` asks a proxy about a host. Plain HTTP, as the proxies' published HTTP
//! ports serve it; nothing but the swarm's own node addresses is ever asked.

use std::time::Duration;

use http_body_util::Empty;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;

use super::{Endpoint, Observed};

pub async fn get(ep: &Endpoint, host: &str, timeout: Duration) -> Observed {
    match tokio::time::timeout(timeout, request(ep, host)).await {
        Ok(Ok(status)) => Observed::Status { status },
        Ok(Err(why)) => Observed::NoAnswer { why },
        Err(_) => Observed::NoAnswer {
            why: format!("no answer within {:.1} s", timeout.as_secs_f64()),
        },
    }
}

async fn request(ep: &Endpoint, host: &str) -> Result<u16, String> {
    let stream = tokio::net::TcpStream::connect((ep.addr.as_str(), ep.port))
        .await
        .map_err(|e| e.to_string())?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let req = hyper::Request::get("/")
        .header(hyper::header::HOST, host)
        .header(
            hyper::header::USER_AGENT,
            concat!("interlock-split/", env!("CARGO_PKG_VERSION"), " verify"),
        )
        .body(Empty::<Bytes>::new())
        .map_err(|e| e.to_string())?;
    let res = sender.send_request(req).await.map_err(|e| e.to_string())?;
    Ok(res.status().as_u16())
}
