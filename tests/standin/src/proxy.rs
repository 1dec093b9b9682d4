//! The `proxy` mode: the stand-in for Interlock's nginx proxy. At start it reads the config the
//! core mounted (env `STANDIN_PROXY_CONFIG`, default `/etc/nginx/nginx.conf`; Interlock's
//! proxy likewise restarts to take a new one), then on every target port:
//!
//! * `/nginx_status`, on any host: 200 with a body naming the service, its service cluster and
//!   the node (the template has `stub_status` in every server);
//! * a served host (the `Host` header, port stripped): forwarded to one of its upstreams (the
//!   application's task addresses), in turn, the next one tried when one does not answer, the
//!   application's answer copied back with `x-proxy-id` and `x-upstream-addr`, as Interlock's
//!   template adds them;
//! * any other host: 503, Interlock's default server.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use interlock_model::route::proxy_config::{ServedHost, parse};

use crate::core_mode::PROXY_CONFIG_ENV;
use crate::http::{Request, read_head, respond};
use crate::{hostname, log, sleep_forever};
use interlock_model::extension::DEFAULT_PROXY_CONFIG_PATH;

/// How long the proxy waits for an upstream to accept a connection before trying the next.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// How long it waits for an upstream's answer.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The proxy: who it is, and the hosts its config serves.
struct Proxy {
    service: String,
    cluster: String,
    node: String,
    hostname: String,
    hosts: Vec<ServedHost>,
    /// Round-robin over a host's upstreams.
    next: AtomicUsize,
}

/// Reads the config and listens on every port; never returns.
pub fn run(ports: &[u16]) -> ! {
    let path = std::env::var(PROXY_CONFIG_ENV).unwrap_or_else(|_| DEFAULT_PROXY_CONFIG_PATH.into());
    let hosts = match std::fs::read_to_string(&path) {
        Ok(text) => parse(&text),
        Err(e) => {
            log!("proxy: no config at {path} ({e}): every host gets 503");
            Vec::new()
        }
    };
    let proxy = Arc::new(Proxy {
        service: std::env::var("STANDIN_SERVICE_NAME").unwrap_or_else(|_| "unknown".into()),
        cluster: std::env::var("STANDIN_SERVICE_CLUSTER").unwrap_or_default(),
        node: std::env::var("STANDIN_NODE").unwrap_or_default(),
        hostname: hostname(),
        hosts,
        next: AtomicUsize::new(0),
    });
    for h in &proxy.hosts {
        log!("proxy: serving {} -> {}", h.host, h.upstreams.join(" "));
    }
    for &port in ports {
        let listener = TcpListener::bind(("0.0.0.0", port)).unwrap_or_else(|e| {
            log!("error: proxy: cannot listen on port {port}: {e}");
            std::process::exit(1)
        });
        log!("proxy: service {} listening on port {port}", proxy.service);
        let proxy = proxy.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let proxy = proxy.clone();
                std::thread::spawn(move || proxy.handle(stream, port));
            }
        });
    }
    sleep_forever()
}

impl Proxy {
    /// Answers one connection.
    fn handle(&self, mut client: TcpStream, port: u16) {
        let _ = client.set_read_timeout(Some(Duration::from_secs(5)));
        let Ok(req) = Request::read(&mut client) else {
            return;
        };
        let id = [("x-proxy-id", self.hostname.as_str())];
        if req.path.starts_with("/nginx_status") {
            return respond(&mut client, 200, &id, &self.status(port));
        }
        let host = req.host();
        match self
            .hosts
            .iter()
            .find(|h| h.host.eq_ignore_ascii_case(&host))
        {
            Some(served) => self.forward(&mut client, &req, served),
            None => respond(
                &mut client,
                503,
                &id,
                "503 Service Temporarily Unavailable\n",
            ),
        }
    }

    /// The `/nginx_status` body: the service, its service cluster, the node.
    fn status(&self, port: u16) -> String {
        format!(
            "interlock-standin proxy: service {}, host {}, port {port}, service cluster {}, \
             node {}, serving {} host(s)\n",
            self.service,
            self.hostname,
            self.cluster,
            self.node,
            self.hosts.len()
        )
    }

    /// Sends the request to the host's upstreams in turn until one answers; 502 when none does.
    fn forward(&self, client: &mut TcpStream, req: &Request, served: &ServedHost) {
        let n = served.upstreams.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        for i in 0..n {
            let addr = &served.upstreams[(start + i) % n];
            if self.relay(client, req, addr).is_ok() {
                return;
            }
        }
        let id = [("x-proxy-id", self.hostname.as_str())];
        let body = format!("502 Bad Gateway: no upstream of {} answers\n", served.host);
        respond(client, 502, &id, &body);
    }

    /// One try on upstream `addr`. An error means nothing was sent to the client yet, so the
    /// next upstream can be tried.
    fn relay(&self, client: &mut TcpStream, req: &Request, addr: &str) -> std::io::Result<()> {
        let sock: SocketAddr = addr.parse().map_err(std::io::Error::other)?;
        let mut up = TcpStream::connect_timeout(&sock, CONNECT_TIMEOUT)?;
        up.set_read_timeout(Some(READ_TIMEOUT))?;
        up.write_all(&req.upstream_head())?;
        up.write_all(&req.rest)?;
        let left = req.content_length().saturating_sub(req.rest.len() as u64);
        std::io::copy(&mut (&*client).take(left), &mut up)?;
        let (head, rest) = read_head(&mut up)?;
        // From here on the client has an answer started: errors only end it.
        let text = String::from_utf8_lossy(&head);
        let (status_line, headers) = text.split_once("\r\n").unwrap_or((&text, ""));
        let ours = format!(
            "x-proxy-id: {}\r\nx-upstream-addr: {addr}\r\n",
            self.hostname
        );
        let _ = client
            .write_all(format!("{status_line}\r\n{ours}{headers}").as_bytes())
            .and_then(|_| client.write_all(&rest))
            .and_then(|_| std::io::copy(&mut up, client).map(|_| ()))
            .and_then(|_| client.flush());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An upstream on a local port answering every request with `body`, and its address.
    fn upstream(body: &'static str) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        std::thread::spawn(move || {
            for mut s in listener.incoming().flatten() {
                if Request::read(&mut s).is_ok() {
                    respond(&mut s, 200, &[], body);
                }
            }
        });
        addr
    }

    /// A local address where nothing listens.
    fn refused() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().to_string()
    }

    /// Sends `request` to a proxy serving `hosts` and returns the whole answer.
    fn ask(hosts: Vec<ServedHost>, request: &str) -> String {
        let proxy = Proxy {
            service: "ucp-interlock-proxy-dev".into(),
            cluster: "dev".into(),
            node: "node-1".into(),
            hostname: "c0ffee".into(),
            hosts,
            next: AtomicUsize::new(0),
        };
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        client.write_all(request.as_bytes()).unwrap();
        let (conn, _) = listener.accept().unwrap();
        proxy.handle(conn, 80);
        let mut answer = String::new();
        client.read_to_string(&mut answer).unwrap();
        answer
    }

    fn served(host: &str, upstreams: Vec<String>) -> Vec<ServedHost> {
        vec![ServedHost {
            host: host.into(),
            upstreams,
        }]
    }

    #[test]
    fn a_served_host_goes_to_an_upstream_that_answers() {
        let app = upstream("hello from the app\n");
        let hosts = served("demo.example", vec![refused(), app.clone()]);
        let answer = ask(hosts, "GET / HTTP/1.1\r\nHost: Demo.Example:8082\r\n\r\n");
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(
            answer.contains(&format!("x-upstream-addr: {app}\r\n")),
            "{answer}"
        );
        assert!(answer.contains("x-proxy-id: c0ffee\r\n"), "{answer}");
        assert!(answer.ends_with("\r\n\r\nhello from the app\n"), "{answer}");
    }

    #[test]
    fn any_other_host_gets_503_and_a_dead_host_502() {
        let hosts = served("demo.example", vec![refused()]);
        let answer = ask(
            hosts.clone(),
            "GET / HTTP/1.1\r\nHost: other.example\r\n\r\n",
        );
        assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
        let answer = ask(hosts, "GET / HTTP/1.1\r\nHost: demo.example\r\n\r\n");
        assert!(answer.starts_with("HTTP/1.1 502 "), "{answer}");
    }

    #[test]
    fn nginx_status_names_the_proxy_on_any_host() {
        let answer = ask(vec![], "GET /nginx_status HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(
            answer.contains("service ucp-interlock-proxy-dev, host c0ffee, port 80, service cluster dev, node node-1"),
            "{answer}"
        );
    }
}
