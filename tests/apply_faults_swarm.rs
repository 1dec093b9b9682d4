//! apply's faults end to end: the real binary, through a client bundle and the mTLS front, on
//! the real swarm with the stand-in core, the front failing chosen requests (`support::fault`).
//! The whole matrix (every step × every fault) runs as unit tests of apply's executor on the
//! in-memory swarm (`src/apply/testing/`); here a few representative steps prove the same on the
//! real parts:
//!
//! | step                         | request faulted                      | 500 | timeout | dropped | done, answer lost |
//! |------------------------------|--------------------------------------|-----|---------|---------|-------------------|
//! | create the versioned config  | POST /configs/create                 |  x  |    x    |    x    |         x         |
//! | update ucp-interlock         | POST /services/ucp-interlock/update  |  x  |    x    |    x    |         x         |
//! | remove the stale port holder | DELETE /services/ucp-interlock-proxy |  x  |    x    |    x    |         x         |
//! | bring a drifted proxy in line| POST /services/<proxy>/update        |     |         |         |         x         |
//!
//! Each faulted run exits non-zero and reports what the core runs (compared with what the engine
//! shows afterwards: an update whose answer was lost is "conf-1 or conf-2") and which steps are
//! done, failed and not done; the runs are chained (each is the re-run of the one before, which
//! it must get past), and the last, without a fault, converges with exactly one config holding
//! the new TOML.
//! Plus: "update out of sequence" once is re-planned and finished, twice fails cleanly; Ctrl-C
//! during the core's update; the confirmation prompt on a pseudo-terminal; JSON refusals.

use crate::support;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use support::apply_bed::{ApplyBed, core_config, interlock_configs};
use support::bed::{self, FIRST_CONFIG};
use support::cli::{json, show, tool};
use support::fault::{Fault, FaultKind};
use support::{TlsFront, docker_ok};

const DEFAULT_TOML: &str = include_str!("../fixtures/ucp-3.1-default.toml");
const WAIT: Duration = Duration::from_secs(40);
pub(crate) const CONF_2: &str = "com.docker.ucp.interlock.conf-2";
pub(crate) const CONF_3: &str = "com.docker.ucp.interlock.conf-3";

/// The bed, with the apply every run here makes.
pub(crate) struct Bed(ApplyBed);

impl std::ops::Deref for Bed {
    type Target = ApplyBed;
    fn deref(&self) -> &ApplyBed {
        &self.0
    }
}

impl Bed {
    fn start() -> Bed {
        Bed(ApplyBed::start(DEFAULT_TOML, "it.faults"))
    }

    /// The bed with a front that speaks HTTP/2 to the clients that offer h2 (the tool does).
    pub(crate) fn start_http2() -> Bed {
        let opts = support::TlsOptions {
            http2: true,
            ..Default::default()
        };
        Bed(ApplyBed::start_with(DEFAULT_TOML, "it.faults", opts))
    }

    /// A spec of three service clusters on this node, the first on `http`/`https`.
    pub(crate) fn spec(&self, http: u16, https: u16) -> String {
        self.0
            .spec("spec.toml", [(http, https), (8081, 8444), (8080, 8443)])
    }

    pub(crate) fn apply(&self, spec: &str, extra: &[&str]) -> Output {
        let dir = self.dir.path().to_str().unwrap();
        let mut args = vec![
            "apply",
            "--bundle",
            &self.bundle,
            "--spec",
            spec,
            "--auto-approve",
        ];
        args.extend_from_slice(&[
            "--backup-dir",
            dir,
            "--timeout",
            "2",
            "--wait-timeout",
            "40",
        ]);
        args.extend_from_slice(extra);
        tool(&args)
    }
}

/// The planned state: the core on `config`, which is the only config holding its TOML, the new
/// proxies running, the old proxy and extension gone.
pub(crate) fn assert_converged(config: &str, context: &str) {
    assert_eq!(core_config(), config, "{context}");
    let configs = interlock_configs();
    let toml = &configs.iter().find(|(n, _)| n == config).unwrap().1;
    let holders: Vec<&String> = configs
        .iter()
        .filter(|(_, t)| t == toml)
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        holders,
        [config],
        "{context}: one config holds the new TOML"
    );
    for c in ["dev", "test", "prod"] {
        assert_eq!(bed::running_tasks(&format!("ucp-interlock-proxy-{c}")), 1);
    }
    assert!(
        bed::service_inspect("ucp-interlock-proxy").is_none(),
        "{context}"
    );
    assert!(
        bed::service_inspect("ucp-interlock-extension").is_none(),
        "{context}"
    );
}

/// A failed run's report: what the core runs (`runs`: "conf-1." or "conf-1 or conf-2: …"),
/// the failed step, the way on.
fn assert_reported(out: &Output, runs: &str, failed_step: &str, context: &str) {
    assert!(!out.status.success(), "{context}: must fail\n{}", show(out));
    let text = String::from_utf8_lossy(&out.stdout);
    let says = format!("The cluster now: ucp-interlock runs {runs}");
    assert!(text.contains(&says), "{context}: `{says}`\n{}", show(out));
    let failed = text.split("  failed:\n").nth(1).unwrap_or_default();
    assert!(
        failed
            .lines()
            .next()
            .unwrap_or_default()
            .contains(failed_step),
        "{context}: the failed step is `{failed_step}`\n{}",
        show(out)
    );
    assert!(
        text.contains("run `interlock-split apply` again"),
        "{context}\n{}",
        show(out)
    );
}

const KINDS: [FaultKind; 4] = [
    FaultKind::ServerError,
    FaultKind::Hang,
    FaultKind::Drop,
    FaultKind::DropAfter,
];

pub(crate) const CREATE: &str = "/configs/create";
pub(crate) const UPDATE: &str = "/services/ucp-interlock/update";
pub(crate) const LOST: &str =
    "the step's request was sent and its answer was lost: swarm may have carried it out";

/// What a run faulted with `kind` on `path` must say the core runs, and the config the engine
/// must then show on the core: an update whose answer was lost may have started (and with
/// `DropAfter` it did), so the report says conf-1 or conf-2.
fn expected(path: &str, kind: FaultKind) -> (String, &'static str) {
    let pending = format!(
        "{FIRST_CONFIG} or {CONF_2}: the update to {CONF_2} was started and its outcome is not known"
    );
    match (path, kind) {
        (CREATE, _) | (UPDATE, FaultKind::ServerError) => {
            (format!("{FIRST_CONFIG}."), FIRST_CONFIG)
        }
        (UPDATE, FaultKind::DropAfter) => (pending, CONF_2),
        (UPDATE, _) => (pending, FIRST_CONFIG),
        _ => (format!("{CONF_2}."), CONF_2),
    }
}

/// What the engine did with a request whose answer the front dropped: it was carried out.
fn assert_carried_out(path: &str, context: &str) {
    match path {
        CREATE => assert!(
            interlock_configs().iter().any(|(n, _)| n == CONF_2),
            "{context}: the engine created {CONF_2}"
        ),
        UPDATE => assert_eq!(core_config(), CONF_2, "{context}"),
        _ => assert!(
            bed::service_inspect("ucp-interlock-proxy").is_none(),
            "{context}: the engine removed it"
        ),
    }
}

/// An apply of `spec` with `kind` on the first `method` request to `path`: it fails at
/// `failed_step` and reports what the engine shows afterwards.
pub(crate) fn faulted_apply(
    bed: &Bed,
    spec: &str,
    (method, path, kind): (&'static str, &str, FaultKind),
    failed_step: &str,
) -> Output {
    let context = format!("{kind:?} on {method} {path}");
    bed.front.fail(Fault::new(method, path, kind));
    let out = bed.apply(spec, &[]);
    assert_eq!(
        bed.front.faults_fired().len(),
        1,
        "{context}\n{}",
        show(&out)
    );
    let (runs, engine) = expected(path, kind);
    assert_reported(&out, &runs, failed_step, &context);
    if kind != FaultKind::ServerError {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(LOST), "{context}\n{}", show(&out));
    }
    // The report against what the engine did, read after the fault.
    assert_eq!(core_config(), engine, "{context}");
    if kind == FaultKind::DropAfter {
        assert_carried_out(path, &context);
    }
    let configs = interlock_configs().len();
    assert!(configs <= 2, "{context}: at most one new config");
    out
}

#[test]
fn a_fault_at_a_step_is_reported_and_a_rerun_converges() {
    if !support::docker_available("a_fault_at_a_step_is_reported_and_a_rerun_converges") {
        return;
    }
    let bed = Bed::start();
    let spec = bed.spec(8082, 8445);
    let steps = [
        ("POST", CREATE, "create config"),
        ("POST", UPDATE, "update service ucp-interlock"),
        (
            "DELETE",
            "/services/ucp-interlock-proxy",
            "remove stale proxy service",
        ),
    ];
    let started = Instant::now();
    for (method, path, failed_step) in steps {
        for kind in KINDS {
            faulted_apply(&bed, &spec, (method, path, kind), failed_step);
        }
    }
    let out = bed.apply(&spec, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    // The engine removed the port holder whose answer was lost, and Interlock created prod's
    // proxy at once: the re-run's plan awaits only services that do not exist yet, so that
    // proxy may still be starting when it ends.
    for c in ["dev", "test", "prod"] {
        let proxy = format!("ucp-interlock-proxy-{c}");
        support::wait_for(
            &format!("{proxy} to run"),
            WAIT,
            || (bed::running_tasks(&proxy) == 1).then_some(()),
            || show(&out),
        );
    }
    assert_converged(CONF_2, "the re-run without a fault");
    a_proxy_update_whose_answer_is_lost(&bed);
    eprintln!("fault matrix on the swarm: {:.1?}", started.elapsed());
}

/// A proxy's update carried out by the engine, its answer lost: the report says it may have
/// happened; the engine shows the new ports; the rerun converges with no duplicate config.
fn a_proxy_update_whose_answer_is_lost(bed: &Bed) {
    let moved = bed.spec(8182, 8545);
    let proxy = "ucp-interlock-proxy-dev";
    let path = format!("/services/{proxy}/update");
    bed.front
        .fail(Fault::new("POST", &path, FaultKind::DropAfter));
    let out = bed.apply(&moved, &[]);
    assert_eq!(bed.front.faults_fired().len(), 1, "{}", show(&out));
    let context = "DropAfter on the proxy's update";
    let step = format!("bring existing proxy {proxy}");
    assert_reported(&out, &format!("{CONF_3}."), &step, context);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(LOST), "{context}\n{}", show(&out));
    let published = bed::service_inspect(proxy)
        .and_then(|s| s.pointer("/Spec/EndpointSpec/Ports").cloned())
        .unwrap_or_default()
        .to_string();
    assert!(
        published.contains("8182"),
        "{context}: the engine did it: {published}"
    );
    let out = bed.apply(&moved, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(core_config(), CONF_3);
    let configs = interlock_configs();
    let toml = &configs.iter().find(|(n, _)| n == CONF_3).unwrap().1;
    let holders = configs.iter().filter(|(_, t)| t == toml).count();
    assert_eq!(holders, 1, "{context}: one config holds the new TOML");
}

/// `interlock-split apply` on a real pseudo-terminal (util-linux `script`), answering the prompt.
fn apply_on_a_terminal(bed: &Bed, spec: &str, answer: &str) -> Output {
    let cmd = format!(
        "{} --color never apply --bundle {} --spec {spec} --backup-dir {}",
        env!("CARGO_BIN_EXE_interlock-split"),
        bed.bundle,
        bed.dir.path().display()
    );
    let mut child = Command::new("script")
        .args(["-q", "-e", "-c", &cmd, "/dev/null"])
        .env_remove("DOCKER_HOST")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("util-linux `script` runs the tool on a pseudo-terminal");
    // Answer once the question is on the terminal.
    std::thread::sleep(Duration::from_secs(2));
    use std::io::Write;
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(format!("{answer}\n").as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// Requests that would change the cluster, seen by the front.
fn writes(front: &TlsFront) -> Vec<String> {
    let read_only = |r: &String| r.starts_with("GET ") || r.starts_with("HEAD ");
    front
        .request_log()
        .into_iter()
        .filter(|r| !read_only(r))
        .collect()
}

fn core_updates(front: &TlsFront) -> usize {
    let update =
        |r: &&String| r.starts_with("POST ") && r.contains("/services/ucp-interlock/update");
    front.request_log().iter().filter(update).count()
}

/// Refusals, then out of sequence twice, Ctrl-C during the core's update, the prompt, a stale
/// saved plan, and out of sequence once.
#[test]
fn out_of_sequence_ctrl_c_and_the_prompt() {
    if !support::docker_available("out_of_sequence_ctrl_c_and_the_prompt") {
        return;
    }
    let bed = Bed::start();
    let started = Instant::now();
    let spec = bed.spec(8082, 8445);
    let bundle = bed.bundle.as_str();

    // No terminal and no --auto-approve: refused, and the runbook still gets its document.
    let out = tool(&[
        "apply", "--bundle", bundle, "--spec", &spec, "--output", "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let report = json(&out);
    assert_eq!(report["outcome"], "refused");
    let error = report["error"].as_str().unwrap();
    assert!(error.contains("no terminal to confirm"), "{report}");
    // On a terminal, only 'yes' goes on.
    let out = apply_on_a_terminal(&bed, &spec, "y");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Only 'yes' is accepted"), "{}", show(&out));
    assert!(
        text.contains("apply cancelled; nothing was changed"),
        "{}",
        show(&out)
    );
    assert_eq!(writes(&bed.front), Vec::<String>::new(), "nothing written");
    assert_eq!(core_config(), FIRST_CONFIG);

    // Out of sequence on the update and again after re-planning: a clean failure.
    let update = "/services/ucp-interlock/update";
    bed.front
        .fail(Fault::new("POST", update, FaultKind::OutOfSequence));
    bed.front.fail(Fault {
        nth: 2,
        ..Fault::new("POST", update, FaultKind::OutOfSequence)
    });
    let out = bed.apply(&spec, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        support::cli::stderr(&out).contains("re-planning once"),
        "{}",
        show(&out)
    );
    let says = format!("runs {FIRST_CONFIG}.");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&says),
        "{}",
        show(&out)
    );
    assert_eq!(
        core_updates(&bed.front),
        2,
        "one try and one after re-planning"
    );
    assert_eq!(core_config(), FIRST_CONFIG);

    ctrl_c_during_the_core_update(&bed, &spec);
    let out = apply_on_a_terminal(&bed, &spec, "yes");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Applied."),
        "{}",
        show(&out)
    );
    assert_converged(CONF_2, "after Ctrl-C, confirmed on a terminal");

    let moved = bed.spec(9082, 9445);
    stale_saved_plan_in_json(&bed, &moved);
    // Out of sequence once: re-read, re-planned and finished in the same run.
    bed.front
        .fail(Fault::new("POST", update, FaultKind::OutOfSequence));
    let out = bed.apply(&moved, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(
        support::cli::stderr(&out).contains("re-planning once"),
        "{}",
        show(&out)
    );
    assert_eq!(bed.front.faults_fired().len(), 3);
    assert_converged(CONF_3, "out of sequence once");
    eprintln!("out of sequence, Ctrl-C, prompt: {:.1?}", started.elapsed());
}

/// Ctrl-C while apply watches the core's update: exit 130, where things stand, nothing after.
fn ctrl_c_during_the_core_update(bed: &Bed, spec: &str) {
    let before = core_updates(&bed.front);
    let child = Command::new(env!("CARGO_BIN_EXE_interlock-split"))
        .args([
            "--color",
            "never",
            "apply",
            "--bundle",
            &bed.bundle,
            "--spec",
            spec,
        ])
        .args(["--auto-approve", "--backup-dir"])
        .arg(bed.dir.path())
        .env_remove("DOCKER_HOST")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while core_updates(&bed.front) == before {
        assert!(start.elapsed() < WAIT, "apply never updated the core");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let pid = child.id().to_string();
    Command::new("kill").args(["-INT", &pid]).status().unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", show(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Interrupted."), "{}", show(&out));
    let started = format!("the update to {CONF_2} was started");
    assert!(text.contains(&started), "{}", show(&out));
    assert!(text.contains("  not done:\n"), "{}", show(&out));
    assert!(
        bed::service_inspect("ucp-interlock-proxy").is_some(),
        "nothing after the interrupted step ran"
    );
    // Swarm goes on with the update; the re-run starts once it is over.
    support::wait_for(
        "the core's update to end",
        WAIT,
        || (bed::update_state("ucp-interlock").as_deref() == Some("completed")).then_some(()),
        || bed.core.explain(Some("ucp-interlock")),
    );
}

/// A saved plan the cluster has moved away from: `plan-stale` in JSON, nothing written.
fn stale_saved_plan_in_json(bed: &Bed, spec: &str) {
    let saved = bed.save_plan(spec, "plan.json");
    let saved = saved.as_str();
    let touch = ["service", "update", "--detach", "--label-add", "touched=1"];
    docker_ok(&[&touch[..], &["ucp-interlock"]].concat());
    let written = writes(&bed.front).len();
    let out = tool(&["apply", saved, "--bundle", &bed.bundle, "--output", "json"]);
    assert_eq!(out.status.code(), Some(3), "{}", show(&out));
    let report = json(&out);
    assert_eq!(report["outcome"], "plan-stale");
    let error = report["error"].as_str().unwrap();
    assert!(error.contains("ucp-interlock was updated"), "{report}");
    assert_eq!(writes(&bed.front).len(), written, "nothing written");
}
