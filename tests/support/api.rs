//! The local engine's API spoken directly over its socket, several requests at a time: for a
//! benchmark that creates a thousand services, where one `docker` process per object would
//! take minutes.

use std::path::PathBuf;

use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::Value;

/// One request: method, path (without an API version: the engine's own), JSON body.
#[derive(Clone, Debug)]
pub struct Call {
    pub method: &'static str,
    pub path: String,
    pub body: Option<Value>,
}

impl Call {
    pub fn get(path: impl Into<String>) -> Call {
        Call {
            method: "GET",
            path: path.into(),
            body: None,
        }
    }

    pub fn post(path: impl Into<String>, body: Value) -> Call {
        Call {
            method: "POST",
            path: path.into(),
            body: Some(body),
        }
    }

    pub fn delete(path: impl Into<String>) -> Call {
        Call {
            method: "DELETE",
            path: path.into(),
            body: None,
        }
    }
}

/// The engine's answer: status and JSON body (`Null` when empty or not JSON).
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// A client of the engine at `/var/run/docker.sock`.
pub struct EngineApi {
    sock: PathBuf,
    rt: tokio::runtime::Runtime,
}

impl Default for EngineApi {
    fn default() -> Self {
        EngineApi::local()
    }
}

impl EngineApi {
    pub fn local() -> EngineApi {
        EngineApi {
            sock: PathBuf::from("/var/run/docker.sock"),
            rt: tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a tokio runtime"),
        }
    }

    /// One request.
    pub fn call(&self, call: Call) -> Result<Answer, String> {
        self.all(vec![call], 1).pop().expect("one answer")
    }

    /// Every call, `width` at a time (each of `width` connections takes its share in turn);
    /// the answers in the order of `calls`.
    pub fn all(&self, calls: Vec<Call>, width: usize) -> Vec<Result<Answer, String>> {
        let width = width.clamp(1, calls.len().max(1));
        let mut shares: Vec<Vec<(usize, Call)>> = vec![Vec::new(); width];
        for (i, c) in calls.into_iter().enumerate() {
            shares[i % width].push((i, c));
        }
        let sock = self.sock.clone();
        self.rt.block_on(async move {
            let tasks: Vec<_> = shares
                .into_iter()
                .map(|share| tokio::spawn(in_turn(sock.clone(), share)))
                .collect();
            let mut out: Vec<(usize, Result<Answer, String>)> = Vec::new();
            for t in tasks {
                out.extend(t.await.expect("an API task"));
            }
            out.sort_by_key(|(i, _)| *i);
            out.into_iter().map(|(_, a)| a).collect()
        })
    }
}

/// `share`'s calls one after the other over one connection (a new one after a failure).
async fn in_turn(sock: PathBuf, share: Vec<(usize, Call)>) -> Vec<(usize, Result<Answer, String>)> {
    let mut sender = None;
    let mut out = Vec::new();
    for (i, call) in share {
        if sender.is_none() {
            match connect(&sock).await {
                Ok(s) => sender = Some(s),
                Err(e) => {
                    out.push((i, Err(e)));
                    continue;
                }
            }
        }
        let s = sender.as_mut().expect("connected");
        let answer = send(s, &call).await;
        if answer.is_err() {
            sender = None;
        }
        out.push((i, answer));
    }
    out
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(sock: &std::path::Path) -> Result<Sender, String> {
    let stream = tokio::net::UnixStream::connect(sock)
        .await
        .map_err(|e| format!("{}: {e}", sock.display()))?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

async fn send(sender: &mut Sender, call: &Call) -> Result<Answer, String> {
    let what = format!("{} {}", call.method, call.path);
    let body = call
        .body
        .as_ref()
        .map(|b| Bytes::from(b.to_string()))
        .unwrap_or_default();
    let req = Request::builder()
        .method(call.method)
        .uri(&call.path)
        .header("Host", "docker")
        .header("Content-Type", "application/json")
        .body(Full::new(body))
        .map_err(|e| format!("{what}: {e}"))?;
    sender.ready().await.map_err(|e| format!("{what}: {e}"))?;
    let resp = sender
        .send_request(req)
        .await
        .map_err(|e| format!("{what}: {e}"))?;
    let status = resp.status().as_u16();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("{what}: reading the answer: {e}"))?
        .to_bytes();
    Ok(Answer {
        status,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    })
}
