//! A minimal HTTP/1.1 client for the Engine API over its Unix socket: one request per
//! connection (`Connection: close`), JSON in and out. No tokio, no bollard: the stand-in stays a
//! small static binary.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use serde_json::Value;

/// Engine API version prefix (Docker 20.10 speaks 1.41).
const API: &str = "/v1.41";

/// The Docker Engine API at a Unix socket.
pub struct Docker {
    pub sock: String,
}

/// One HTTP response: status code and body.
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Response {
    /// The body parsed as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The Engine's error message (`{"message": …}`), else the body as text.
    pub fn message(&self) -> String {
        match self.json().get("message").and_then(Value::as_str) {
            Some(m) => m.to_string(),
            None => String::from_utf8_lossy(&self.body).trim().to_string(),
        }
    }

    /// Ok for a 2xx status, else `what: HTTP <status>: <message>`.
    pub fn ok(self, what: &str) -> Result<Response, String> {
        if (200..300).contains(&self.status) {
            Ok(self)
        } else {
            Err(format!("{what}: HTTP {}: {}", self.status, self.message()))
        }
    }
}

impl Docker {
    /// `GET path`, its JSON list (an error unless the status is 200).
    pub fn list(&self, path: &str) -> Result<Vec<Value>, String> {
        let r = self
            .request("GET", path, None)?
            .ok(&format!("GET {path}"))?;
        match r.json() {
            Value::Array(items) => Ok(items),
            other => Err(format!("GET {path}: expected a list, got {other}")),
        }
    }

    /// Sends one request (`Connection: close`) and reads the whole response.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Response, String> {
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
pub fn read_response(mut r: impl BufRead, head_only: bool) -> Result<Response, String> {
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

/// `?filters=…`: the Engine's filter JSON, percent-encoded for a query string.
pub fn filters(f: &Value) -> String {
    let mut out = String::from("?filters=");
    for b in f.to_string().bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_chunked_responses() {
        let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n[1,2\r\n2;x=y\r\n,3\r\n1\r\n]\r\n0\r\n\r\n";
        let r = read_response(&raw[..], false).unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.json(), json!([1, 2, 3]));
    }

    #[test]
    fn encodes_filters() {
        assert_eq!(
            filters(&json!({"desired-state": ["running"]})),
            "?filters=%7B%22desired-state%22%3A%5B%22running%22%5D%7D"
        );
    }
}
