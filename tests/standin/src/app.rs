//! The `app` mode: an application service behind the proxies. Every request gets 200 and a
//! body naming the service, the task's host name (its container) and the node, so that a test
//! tells which application and which task answered, through which proxy (`x-proxy-id`).

use std::net::TcpListener;
use std::time::Duration;

use crate::http::{Request, respond};
use crate::{hostname, log, sleep_forever};

/// Listens on `port` and answers every request; never returns.
pub fn run(port: u16) -> ! {
    let service = std::env::var("STANDIN_SERVICE_NAME").unwrap_or_else(|_| "unknown".into());
    let node = std::env::var("STANDIN_NODE").unwrap_or_default();
    let task = hostname();
    let listener = TcpListener::bind(("0.0.0.0", port)).unwrap_or_else(|e| {
        log!("error: app: cannot listen on port {port}: {e}");
        std::process::exit(1)
    });
    log!("app: service {service}, task {task}, listening on port {port}");
    for mut stream in listener.incoming().flatten() {
        let (service, node, task) = (service.clone(), node.clone(), task.clone());
        std::thread::spawn(move || {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let Ok(req) = Request::read(&mut stream) else {
                return;
            };
            let body = format!(
                "interlock-standin app: service {service}, task {task}, node {node}, \
                 host {}, path {}\n",
                req.host(),
                req.path
            );
            respond(&mut stream, 200, &[], &body);
        });
    }
    sleep_forever()
}
