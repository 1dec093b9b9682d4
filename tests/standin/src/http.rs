//! The little HTTP/1.1 server side the proxy and app modes speak: one request per connection,
//! its head read and parsed, an answer written, the connection closed.

use std::io::{Read, Write};
use std::net::TcpStream;

/// The most a request or response head may take.
const MAX_HEAD: usize = 64 * 1024;

/// One request: its head parsed, and what was read after the head (the start of the body).
pub struct Request {
    pub method: String,
    pub path: String,
    pub version: String,
    pub headers: Vec<(String, String)>,
    pub rest: Vec<u8>,
}

/// Reads up to the end of a head (`\r\n\r\n`): the head, and the bytes read after it.
pub fn read_head(stream: &mut impl Read) -> std::io::Result<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Ok((buf, rest));
        }
        if buf.len() > MAX_HEAD {
            return Err(std::io::Error::other("head too large"));
        }
        match stream.read(&mut chunk)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

impl Request {
    /// Reads and parses one request head from `stream`.
    pub fn read(stream: &mut impl Read) -> std::io::Result<Request> {
        let (head, rest) = read_head(stream)?;
        let text = String::from_utf8_lossy(&head);
        let mut lines = text.split("\r\n");
        let mut first = lines.next().unwrap_or_default().split_whitespace();
        let mut part = || first.next().unwrap_or_default().to_string();
        let (method, path, version) = (part(), part(), part());
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        Ok(Request {
            method,
            path,
            version,
            headers,
            rest,
        })
    }

    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `Host` header without its port, lower case (nginx matches `server_name` so).
    pub fn host(&self) -> String {
        let host = self.header("host").unwrap_or_default();
        let bare = match host.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or(v6),
            None => match host.rsplit_once(':') {
                Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
                _ => host,
            },
        };
        bare.to_ascii_lowercase()
    }

    /// `Content-Length` (0 without it).
    pub fn content_length(&self) -> u64 {
        self.header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    /// The head to send upstream: the same request line and headers, with `Connection: close`
    /// instead of whatever the client asked (one request per upstream connection).
    pub fn upstream_head(&self) -> Vec<u8> {
        let mut out = format!("{} {} {}\r\n", self.method, self.path, self.version);
        for (k, v) in &self.headers {
            let hop = ["connection", "keep-alive", "proxy-connection"];
            if !hop.iter().any(|h| k.eq_ignore_ascii_case(h)) {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
        }
        out.push_str("Connection: close\r\n\r\n");
        out.into_bytes()
    }
}

/// The reason phrase of the statuses the stand-in writes.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        502 => "Bad Gateway",
        503 => "Service Temporarily Unavailable",
        _ => "",
    }
}

/// Writes a whole answer (`Connection: close`) with a plain-text `body` and extra `headers`.
pub fn respond(stream: &mut TcpStream, status: u16, headers: &[(&str, &str)], body: &str) {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n",
        reason(status),
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(raw: &str) -> Request {
        Request::read(&mut raw.as_bytes()).unwrap()
    }

    #[test]
    fn reads_the_host_without_its_port() {
        let r = req("GET /a HTTP/1.1\r\nHOST: Demo.Example:8082\r\n\r\nbody");
        assert_eq!((r.method.as_str(), r.path.as_str()), ("GET", "/a"));
        assert_eq!(r.host(), "demo.example");
        assert_eq!(r.rest, b"body");
        assert_eq!(
            req("GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n").host(),
            "::1"
        );
        assert_eq!(req("GET / HTTP/1.1\r\n\r\n").host(), "");
    }

    #[test]
    fn the_upstream_head_closes_the_connection() {
        let r = req(
            "POST / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\n",
        );
        let head = String::from_utf8(r.upstream_head()).unwrap();
        assert_eq!(
            head,
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nConnection: close\r\n\r\n"
        );
        assert_eq!(r.content_length(), 3);
    }
}
