//! The tool over HTTP/2, which it offers in ALPN: a manager whose TLS server speaks h2 gets
//! every command's requests over it.
//!
//! * Every command through `nghttpx` (Debian's `nghttp2-proxy`), a real h2 server in front of
//!   the real swarm: TLS with client-certificate verification, HTTP/1.1 to the engine's socket.
//!   plan, status, apply (the seed split), history and rollback, each request logged by nghttpx
//!   with the protocol ALPN chose: all HTTP/2.
//! * Faults under h2, at the mTLS front serving h2 (`TlsOptions::http2`): a read-only command
//!   with each fault (500, "out of sequence", dropped connection, reset, no answer) says and
//!   exits the same over HTTP/2 as over HTTP/1.1; apply with faults at its steps reports them
//!   as the HTTP/1.1 matrix expects (`apply_faults_swarm`), and "out of sequence" once is
//!   re-planned and finished.

use crate::support;

use std::process::Output;
use std::time::Instant;

use serde_json::Value;
use support::apply_bed::{ApplyBed, core_config};
use support::bed::FIRST_CONFIG;
use support::cli::{json, show, tool};
use support::fault::{Fault, FaultKind};
use support::h2front::{self, H2Front};
use support::{TlsFront, TlsOptions};

use crate::apply_faults_swarm::{
    Bed, CONF_2, CONF_3, CREATE, LOST, UPDATE, assert_converged, faulted_apply,
};

const DEFAULT_TOML: &str = include_str!("../fixtures/ucp-3.1-default.toml");
const SEED_PORTS: [(u16, u16); 3] = [(8082, 8445), (8081, 8444), (8080, 8443)];

fn ok(out: Output, what: &str) -> Output {
    assert_eq!(out.status.code(), Some(0), "{what}\n{}", show(&out));
    out
}

#[test]
fn every_command_over_http2_through_nghttpx() {
    let test = "every_command_over_http2_through_nghttpx";
    if !support::docker_available(test) {
        return;
    }
    let Some(nghttpx) = h2front::nghttpx(test) else {
        return;
    };
    let bed = ApplyBed::start(DEFAULT_TOML, "it.h2");
    let started = Instant::now();
    let front = H2Front::start(&nghttpx);
    let zip = bed.dir.path().join("h2-bundle.zip");
    front.bundle().write_zip(&zip);
    let bundle = zip.to_str().unwrap();
    let backups = bed.dir.path().to_str().unwrap();
    let spec = bed.spec("spec.toml", SEED_PORTS);

    let out = ok(
        tool(&["-v", "plan", "--bundle", bundle, "--spec", &spec]),
        "plan",
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Actions, in the order apply takes them:"),
        "{}",
        show(&out)
    );
    // The tool saw it too: its reads went out together over HTTP/2. (The reads sent before the
    // first handshake ends open connections of their own; the requests then share one.)
    let summary = format!("to tcp://127.0.0.1:{} (HTTP/2, concurrent)", front.port());
    assert!(
        support::cli::stderr(&out).contains(&summary),
        "{}",
        show(&out)
    );
    let out = ok(
        tool(&["status", "--bundle", bundle, "--output", "json"]),
        "status",
    );
    assert_eq!(json(&out)["core"]["config"], FIRST_CONFIG, "{}", show(&out));
    let apply = [
        "apply",
        "--bundle",
        bundle,
        "--spec",
        &spec,
        "--auto-approve",
        "--backup-dir",
        backups,
    ];
    ok(tool(&apply), "apply");
    assert_eq!(core_config(), CONF_2);
    let out = ok(
        tool(&["history", "--bundle", bundle, "--output", "json"]),
        "history",
    );
    let h: Value = json(&out);
    assert_eq!(h["in_use"], CONF_2, "{h:#}");
    assert_eq!(h["rollback_target"], FIRST_CONFIG, "{h:#}");
    assert_eq!(h["configs"][0]["applied_by"], "admin", "{h:#}");
    ok(
        tool(&["rollback", "--bundle", bundle, "--auto-approve"]),
        "rollback",
    );
    assert_eq!(core_config(), FIRST_CONFIG);

    let requests = front.requests();
    let not_h2: Vec<_> = requests.iter().filter(|r| r.alpn != "h2").collect();
    assert!(not_h2.is_empty(), "requests not over HTTP/2: {not_h2:?}");
    assert!(
        requests.iter().all(|r| r.client == "CN=admin"),
        "every request with the bundle's certificate: {requests:?}"
    );
    let failed: Vec<_> = requests.iter().filter(|r| r.status >= 500).collect();
    assert!(failed.is_empty(), "{failed:?}");
    let writes = requests.iter().filter(|r| r.method != "GET").count();
    assert!(
        writes >= 5,
        "apply and rollback wrote through h2: {requests:?}"
    );
    eprintln!(
        "nghttpx: {} requests ({writes} writes), all HTTP/2, in {:.1?}",
        requests.len(),
        started.elapsed()
    );
}

/// `status` through `front` with `kind` on its read of the core's service: exit code and what
/// it says, the front's address made neutral. (Over HTTP/2 the reads go out together: a fault
/// on "the first read of /services" would hit whichever arrives first.)
fn faulted_status(front: &TlsFront, bundle: &str, kind: FaultKind) -> (Option<i32>, String) {
    front.fail(Fault::new("GET", "/services/ucp-interlock", kind));
    let out = tool(&["status", "--bundle", bundle, "--timeout", "2"]);
    assert_eq!(front.faults_fired().len(), 1, "{kind:?}\n{}", show(&out));
    let said = support::cli::stderr(&out).replace(&front.port().to_string(), "PORT");
    (out.status.code(), said)
}

/// The call an error names: `GET /nodes` in `error: GET /nodes failed: …`.
fn call(said: &str) -> &str {
    said.strip_prefix("error: ")
        .and_then(|rest| rest.split(" failed").next())
        .unwrap_or_default()
}

#[test]
fn faults_say_the_same_over_http2_as_over_http1() {
    let test = "faults_say_the_same_over_http2_as_over_http1";
    if !support::docker_available(test) {
        return;
    }
    let bed = ApplyBed::start(DEFAULT_TOML, "it.h2");
    let h2 = TlsFront::start(TlsOptions {
        http2: true,
        ..Default::default()
    });
    let zip = bed.dir.path().join("h2-bundle.zip");
    h2.bundle_zip(&zip);
    let kinds = [
        FaultKind::ServerError,
        FaultKind::OutOfSequence,
        FaultKind::Drop,
        FaultKind::Reset,
        FaultKind::Hang,
    ];
    for kind in kinds {
        let h1_said = faulted_status(&bed.front, &bed.bundle, kind);
        let mut h2_said = faulted_status(&h2, zip.to_str().unwrap(), kind);
        if kind == FaultKind::Drop && !call(&h2_said.1).is_empty() {
            // Over HTTP/2 the dropped connection carried status's concurrent reads too: the
            // first to fail may be another call than the faulted one, failed the same way.
            h2_said.1 = h2_said.1.replace(call(&h2_said.1), call(&h1_said.1));
        }
        assert_eq!(h2_said, h1_said, "{kind:?}: HTTP/2 as HTTP/1.1");
        assert_ne!(h1_said.0, Some(0), "{kind:?}: {}", h1_said.1);
        eprintln!("{kind:?}: exit {:?}, {}", h1_said.0, h1_said.1.trim());
    }
    assert_eq!(bed.front.http2_requests(), 0);
    assert_eq!(h2.http2_requests(), h2.requests(), "all HTTP/2");
}

#[test]
fn apply_faults_over_http2_are_reported_as_over_http1() {
    let test = "apply_faults_over_http2_are_reported_as_over_http1";
    if !support::docker_available(test) {
        return;
    }
    let bed = Bed::start_http2();
    let started = Instant::now();
    let spec = bed.spec(8082, 8445);
    let runs = [
        (CREATE, FaultKind::ServerError, "create config"),
        (CREATE, FaultKind::Reset, "create config"),
        (CREATE, FaultKind::Drop, "create config"),
        (CREATE, FaultKind::DropAfter, "create config"),
        (UPDATE, FaultKind::Reset, "update service ucp-interlock"),
        (UPDATE, FaultKind::Drop, "update service ucp-interlock"),
    ];
    for (path, kind, step) in runs {
        let out = faulted_apply(&bed, &spec, ("POST", path, kind), step);
        assert_eq!(out.status.code(), Some(1), "{kind:?}\n{}", show(&out));
    }
    // Out of sequence once: re-read, re-planned and finished in the same run.
    bed.front
        .fail(Fault::new("POST", UPDATE, FaultKind::OutOfSequence));
    let out = ok(bed.apply(&spec, &[]), "out of sequence once");
    assert!(
        support::cli::stderr(&out).contains("re-planning once"),
        "{}",
        show(&out)
    );
    assert_eq!(bed.front.faults_fired().len(), 1);
    assert_converged(CONF_2, "out of sequence once, over HTTP/2");
    lost_answer_at_the_core_update(&bed);
    assert_eq!(
        bed.front.http2_requests(),
        bed.front.requests(),
        "all HTTP/2"
    );
    eprintln!(
        "apply faults over HTTP/2: {} requests in {:.1?}",
        bed.front.requests(),
        started.elapsed()
    );
}

/// The core's update carried out by the engine and its answer lost (the stream's connection
/// closed after the engine answered): the report says either config may run and that the request
/// was sent, the engine says which, and a re-run converges.
fn lost_answer_at_the_core_update(bed: &Bed) {
    let spec = bed.spec(8092, 8455);
    bed.front
        .fail(Fault::new("POST", UPDATE, FaultKind::DropAfter));
    let out = bed.apply(&spec, &[]);
    let context = "DropAfter on the core's update, over HTTP/2";
    assert_eq!(out.status.code(), Some(1), "{context}\n{}", show(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let says = format!(
        "The cluster now: ucp-interlock runs {CONF_2} or {CONF_3}: the update to {CONF_3} was \
         started and its outcome is not known"
    );
    assert!(text.contains(&says), "{context}: `{says}`\n{}", show(&out));
    assert!(text.contains(LOST), "{context}\n{}", show(&out));
    assert_eq!(
        core_config(),
        CONF_3,
        "{context}: the engine carried it out"
    );
    ok(bed.apply(&spec, &[]), "the re-run after the lost answer");
    assert_converged(CONF_3, "after the lost answer, over HTTP/2");
}
