//! `interlock-standin`: a stand-in for the Interlock core (`ucp-interlock`), its proxies and
//! the applications behind them, used only by the swarm test bed of `interlock-split` (see
//! `tests/support/`).
//!
//! It is built as a static binary and imported into an image FROM scratch, because the test
//! machines cannot pull images. Modes, by first argument:
//!
//! * `core`: read `/config.toml` (env `STANDIN_CONFIG` overrides) like the Interlock core does,
//!   refuse a broken config with exit status 1 (TOML syntax error, an extension without
//!   `ProxyReplicas`, a key of the wrong type, an `Image` tagged `:broken`), and otherwise, every
//!   `STANDIN_POLL_MS` (default 1000) milliseconds: create, once, the extension, proxy and
//!   config services of every `[Extensions.<name>]` (never changing their specs afterwards: the
//!   real core does not move existing proxies either), and write each proxy's config from the
//!   applications labelled for its service cluster, replacing the Docker config its proxy
//!   mounts when the routes change (`core`, `reconcile`, `routes`). What fails (a port already
//!   in use, a constraint swarm refuses, an update out of sequence) is logged and retried on the
//!   next round.
//! * `sleep`: block forever (extension and config services).
//! * `proxy P1 P2 …`: route by `Host` on the TCP ports, from the config the core mounted
//!   (`proxy`); `/nginx_status` names the service, its service cluster and the node (env
//!   `STANDIN_SERVICE_NAME`, `STANDIN_SERVICE_CLUSTER`, and `STANDIN_NODE`, which swarm fills
//!   in from a template).
//! * `app PORT`: an application: 200 naming the service, the task and the node (`app`).
//!
//! Every mode exits at once on SIGTERM, SIGINT, SIGQUIT and SIGHUP, even as PID 1.
//!
//! Environment of the `core` mode: `STANDIN_IMAGE` (required: the image every created service
//! runs, normally this binary's own image), `STANDIN_TEST_LABEL` (`key=value`, added to every
//! created service and config), `STANDIN_DOCKER_SOCK` (default `/var/run/docker.sock`).

use std::time::Duration;

mod app;
mod core_mode;
mod docker;
mod extensions;
mod http;
mod journal;
mod proxy;
mod proxy_mount;
mod reconcile;
mod routes;

/// Logs one line to stderr, prefixed with the program's name.
#[macro_export]
macro_rules! log {
    ($($arg:tt)*) => {
        eprintln!("interlock-standin: {}", format!($($arg)*))
    };
}

unsafe extern "C" {
    /// libc `signal(2)`: installs `handler` for `sig`.
    fn signal(sig: i32, handler: extern "C" fn(i32)) -> usize;
    /// libc `_exit(2)`: ends the process at once (async-signal-safe).
    fn _exit(code: i32) -> !;
}

/// Signal handler: leave at once (async-signal-safe).
extern "C" fn on_signal(_sig: i32) {
    // SAFETY: `_exit` is async-signal-safe and never returns.
    unsafe { _exit(0) }
}

/// Installs `on_signal` for SIGHUP, SIGINT, SIGQUIT and SIGTERM. As PID 1 of a container a
/// process without handlers ignores these signals, which would make every stop wait for the
/// grace period and then SIGKILL.
fn install_signal_handlers() {
    for sig in [1, 2, 3, 15] {
        // SAFETY: installing a handler that only calls `_exit`.
        unsafe {
            signal(sig, on_signal);
        }
    }
}

const USAGE: &str = "usage: interlock-standin core | sleep | proxy PORT [PORT…] | app PORT";

/// Dispatches on the mode (first argument).
fn main() {
    install_signal_handlers();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let ports: Result<Vec<u16>, _> = args.iter().skip(1).map(|p| p.parse::<u16>()).collect();
    match (args.first().map(String::as_str), ports) {
        (Some("core"), _) => core_mode::run(),
        (Some("sleep"), _) => sleep_forever(),
        (Some("proxy"), Ok(ports)) if !ports.is_empty() => proxy::run(&ports),
        (Some("app"), Ok(ports)) if ports.len() == 1 => app::run(ports[0]),
        _ => {
            log!("error: {USAGE}");
            std::process::exit(2)
        }
    }
}

/// Leaves with status 1 after logging `message`: how the real core reacts to a bad config.
fn fail(message: &str) -> ! {
    log!("error: {message}");
    std::process::exit(1)
}

/// Blocks forever (until a signal ends the process).
fn sleep_forever() -> ! {
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

/// The container's host name (env `HOSTNAME`, else `/etc/hostname`).
fn hostname() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}
