//! The real-swarm test bed shared by the integration tests (`mod support;`).
//!
//! * [`docker_available`]: the gate every Docker test calls first.
//! * [`swarm::ensure_swarm`]: swarm mode on the local engine (initialised when inactive).
//! * [`image::standin_image`]: the stand-in for the Interlock core, built static and imported
//!   as an image FROM scratch (nothing can be pulled here).
//! * [`lock::SwarmLock`]: serialises the tests that use the one `ucp-interlock` service.
//! * [`bed::Core`]: a `ucp-interlock` service run by the stand-in, with cleanup on drop.
//! * [`apply_bed::ApplyBed`]: what a real-swarm apply starts from (the core, the front, a bundle,
//!   the node's hostname, specs of three service clusters on it).
//! * [`tls::TlsFront`]: an mTLS front to the local engine, like UCP's, with client bundles
//!   ([`bundle`], certificates from [`certs`]), [`fault`]s injected on chosen requests, over
//!   HTTP/1.1 or HTTP/2.
//! * [`h2front::H2Front`]: `nghttpx` as an HTTP/2 front to the local engine, with the same
//!   certificates, its access log saying each request's protocol.
//! * [`api::EngineApi`]: the local engine's API over its socket, many requests at a time (a
//!   benchmark's thousand services).
//! * [`fullfs::FullDir`]: a directory on a full file system (a backup that cannot be written).
//! * [`multinode::MultiNode`]: a manager and workers, each a `dockerd` in its own network
//!   namespace ([`engine`], [`netns`]), with the core on the manager ([`multinode_core`]),
//!   application services and their overlay networks ([`multinode_apps`]), and traffic probes
//!   per port ([`prober`]) or per application host ([`prober_by_host`]).
//! * [`relay::Relay`]: a TCP relay that delays every chunk, to stand for a far cluster.
//!
//! Every object the test bed creates carries the label [`TEST_LABEL`]`=1`, so that leftovers of
//! an aborted run can be found and removed.
#![allow(dead_code)]

pub mod api;
pub mod apply_bed;
pub mod bed;
pub mod bundle;
pub mod certs;
pub mod cli;
pub mod engine;
pub mod fault;
pub mod fullfs;
pub mod h2front;
pub mod image;
pub mod keys;
pub mod lock;
pub mod multinode;
pub mod multinode_apps;
pub mod multinode_core;
pub mod netns;
pub mod partition;
pub mod prober;
pub mod prober_by_host;
pub mod relay;
#[macro_use]
pub mod snap;
pub mod swarm;
pub mod tls;

use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

// Not every test binary uses every re-export.
#[allow(unused_imports)]
pub use bed::Core;
#[allow(unused_imports)]
pub use lock::SwarmLock;
#[allow(unused_imports)]
pub use tls::{KeyKind, TlsFront, TlsOptions, WebPage};

/// Label carried by every service and config of the test bed (value `1`).
pub const TEST_LABEL: &str = "com.docker.interlock-split.test";

/// `TEST_LABEL=1`, as passed to `--label` and `--filter label=`.
pub const TEST_LABEL_KV: &str = "com.docker.interlock-split.test=1";

/// Environment variable that turns a missing Docker engine from a skip into a failure.
pub const E2E_ENV: &str = "INTERLOCK_SPLIT_E2E";

/// True when the Docker engine answers (`docker info`). Otherwise prints
/// `SKIP <test>: <reason>` to stderr and returns false, or panics with the reason when
/// `INTERLOCK_SPLIT_E2E=required`.
pub fn docker_available(test: &str) -> bool {
    let reason = match run_with_timeout(
        Command::new("docker").args(["info", "--format", "{{.ServerVersion}}"]),
        Duration::from_secs(30),
    ) {
        Err(e) => format!("cannot run the docker CLI: {e}"),
        Ok(out)
            if out.status.success() && !String::from_utf8_lossy(&out.stdout).trim().is_empty() =>
        {
            return true;
        }
        Ok(out) => format!(
            "the Docker engine does not answer: {}",
            first_line(&String::from_utf8_lossy(&out.stderr))
        ),
    };
    if std::env::var(E2E_ENV).as_deref() == Ok("required") {
        panic!("{test}: {E2E_ENV}=required but {reason}");
    }
    eprintln!("SKIP {test}: {reason}");
    false
}

/// The first non-empty line of `text` (or a placeholder).
fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("(no output)")
        .to_string()
}

/// Runs `cmd` (stdin closed, output captured), killing it after `timeout`.
pub fn run_with_timeout(cmd: &mut Command, timeout: Duration) -> std::io::Result<Output> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("timed out after {timeout:?}: {cmd:?}"),
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ok(Output {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    })
}

/// Runs `docker <args>` against the local engine (2 minutes at most) and returns its output,
/// whatever the exit status.
pub fn docker(args: &[&str]) -> Output {
    run_with_timeout(Command::new("docker").args(args), Duration::from_secs(120))
        .unwrap_or_else(|e| panic!("docker {}: {e}", args.join(" ")))
}

/// `docker node update ARGS… NODE` on the local engine. The tests share its one node and write
/// it at once, and the CLI sends the version it just read: swarm refuses a write that crossed
/// another as out of sequence, which is no failure of the test, so it is sent again.
pub fn node_update(args: &[&str], node: &str) -> Output {
    let mut full = vec!["node", "update"];
    full.extend_from_slice(args);
    full.push(node);
    for _ in 0..5 {
        let out = docker(&full);
        if out.status.success() || !String::from_utf8_lossy(&out.stderr).contains("out of sequence")
        {
            return out;
        }
    }
    docker(&full)
}

/// Runs `docker <args>`, panics (showing stderr) unless it succeeds, and returns its trimmed
/// stdout.
pub fn docker_ok(args: &[&str]) -> String {
    let out = docker(args);
    assert!(
        out.status.success(),
        "docker {} failed ({}):\n{}{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Runs `docker <args>` with `input` on stdin (for `docker config create NAME -`), panicking
/// unless it succeeds; returns the trimmed stdout.
pub fn docker_ok_stdin(args: &[&str], input: &[u8]) -> String {
    use std::io::Write;
    let mut child = Command::new("docker")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("docker {}: {e}", args.join(" ")));
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(input)
        .unwrap_or_else(|e| panic!("docker {}: writing stdin: {e}", args.join(" ")));
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("docker {}: {e}", args.join(" ")));
    assert!(
        out.status.success(),
        "docker {} failed ({}):\n{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Non-empty trimmed lines of `text`.
pub fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Polls `probe` every 200 ms until it returns `Some`, or panics after `timeout` with `what`
/// and the text `explain()` returns (e.g. `docker service ps` output).
pub fn wait_for<T>(
    what: &str,
    timeout: Duration,
    mut probe: impl FnMut() -> Option<T>,
    explain: impl FnOnce() -> String,
) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = probe() {
            return v;
        }
        if Instant::now() >= deadline {
            panic!(
                "timed out after {timeout:?} waiting for {what}\n{}",
                explain()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
