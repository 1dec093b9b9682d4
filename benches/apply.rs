//! apply against the documented manual write steps, on the local swarm, through a client
//! bundle (the test bed's mTLS front, standing in for UCP's API).
//!
//! The stand-in core starts on the UCP 3.1 default config, and `interlock-split apply` first
//! splits it (not timed) into one service cluster that keeps the default services' names:
//! `[clusters.default]` with `service_name = "ucp-interlock-extension"`,
//! `proxy_service_name = "ucp-interlock-proxy"`, `service_cluster = "default"`. Every measured
//! run then changes only an nginx setting, `[clusters.default.config] MaxConnections`, to a new
//! number, so that it takes exactly "create config `conf-<N+1>`" and "update `ucp-interlock`"
//! (checked once with `plan --output json`, and on every run from the front's request log: no
//! other write request). Side by side, with the same bundle and TLS settings:
//!
//! - (a) `interlock-split apply --bundle <dir> --spec <spec> --auto-approve --backup-dir <tmp>`,
//!   the release binary (built here with `cargo build --release --bin interlock-split`, a no-op
//!   when up to date);
//! - (b) the README's manual steps 6 and 7, as one shell sequence: `docker … config create
//!   com.docker.ucp.interlock.conf-<N+1> <file>`, then `docker … service update
//!   --update-failure-action rollback --config-rm <old> --config-add
//!   source=<new>,target=/config.toml ucp-interlock` (the CLI waits for convergence: no
//!   `--detach`). The TOML comes from `interlock-split render --current <current> --spec <spec>`
//!   beforehand, and the config names are tracked here; neither is timed.
//!
//! Before each run (not timed) the interlock configs other than the one in use and the one
//! before it are removed, so that no apply plans a `prune-configs` step. After one warm-up each,
//! (a) and (b) run `APPLY_RUNS` times (default 6), alternating. Printed for each: min/median/max
//! wall time, the API requests and TLS handshakes per run as the front counted them, and the
//! time from swarm's `UpdateStatus.CompletedAt` of `ucp-interlock` to the process's exit (the
//! wall clock read as soon as the process had exited). Two verdict lines: apply no slower than
//! the manual steps (medians), and apply exiting within 300 ms of swarm reporting convergence
//! (every run).
//!
//! Run with `cargo bench --bench apply` (or `benches/apply.sh`). With `APPLY_VERBOSE=1`, one
//! more apply runs with `-v` after the timed runs, and its output is printed. Needs a Docker
//! engine (swarm mode is initialised when inactive); without one it prints `SKIP …` and exits 0.

// The test bed; its mod.rs carries `#![allow(dead_code)]` (a bench uses only part of it).
use interlock_testbed as support;

mod common;
use common::{range, release_binary};

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use support::bed::{CORE_SERVICE, FIRST_CONFIG};
use support::{Core, TlsFront, TlsOptions, docker, docker_ok};

/// The config the stand-in core starts with.
const DEFAULT_TOML: &str = include_str!("../fixtures/ucp-3.1-default.toml");
/// How long to wait for the core's services, and for swarm to report an update completed.
const WAIT: Duration = Duration::from_secs(60);
/// Timed runs of each, unless `APPLY_RUNS` says otherwise.
const DEFAULT_RUNS: usize = 6;
/// The second target: apply exits within this long after swarm reports convergence.
const EXIT_TARGET_MS: f64 = 300.0;
/// Name prefix of the versioned interlock configs.
const CONF_PREFIX: &str = "com.docker.ucp.interlock.conf-";
/// `MaxConnections` of the first run; every run after it takes the next number.
const FIRST_MAX_CONNECTIONS: u32 = 2001;
/// The environment a client bundle's `env.sh` sets, or a context would: never inherited here.
const DOCKER_ENV: [&str; 6] = [
    "DOCKER_HOST",
    "DOCKER_TLS_VERIFY",
    "DOCKER_CERT_PATH",
    "DOCKER_CONTEXT",
    "DOCKER_TLS",
    "NO_COLOR",
];

/// The manual write (b): steps 6 and 7 of the README. `$1`..`$4` are the CA, certificate, key
/// and host; `$5` the new config's name, `$6` its file, `$7` the config in use.
const DOCKER_STEPS: &str = r#"set -e
docker --tlsverify --tlscacert "$1" --tlscert "$2" --tlskey "$3" -H "$4" config create "$5" "$6"
docker --tlsverify --tlscacert "$1" --tlscert "$2" --tlskey "$3" -H "$4" service update --update-failure-action rollback --config-rm "$7" --config-add "source=$5,target=/config.toml" ucp-interlock
"#;

/// The two contenders.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Apply,
    Manual,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Apply => "(a) interlock-split apply --bundle … --auto-approve",
            Kind::Manual => "(b) docker config create + service update",
        }
    }
}

/// What one run cost.
struct Sample {
    wall: Duration,
    requests: usize,
    handshakes: usize,
    failed_handshakes: usize,
    /// Process exit minus swarm's `UpdateStatus.CompletedAt`, in ms (negative: exited before).
    exit_after_completed_ms: f64,
    log: Vec<String>,
    stdout: String,
}

/// Everything a run needs.
struct Bed {
    binary: PathBuf,
    front: TlsFront,
    bundle: PathBuf,
    dir: PathBuf,
    backups: PathBuf,
    /// The config `ucp-interlock` runs, as tracked here.
    current: String,
    /// Its TOML.
    current_toml: String,
    /// The next `MaxConnections`.
    next_value: u32,
}

fn main() {
    if !support::docker_available("apply benchmark") {
        return;
    }
    let runs = std::env::var("APPLY_RUNS")
        .ok()
        .map(|v| {
            v.parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
                .unwrap_or_else(|| panic!("APPLY_RUNS={v:?}: expected a positive number"))
        })
        .unwrap_or(DEFAULT_RUNS);
    let binary = release_binary();

    let core = Core::deploy(DEFAULT_TOML);
    core.wait_running("ucp-interlock-proxy", 2, WAIT);
    core.wait_running("ucp-interlock-extension", 1, WAIT);
    core.wait_running(CORE_SERVICE, 1, WAIT);
    let front = TlsFront::start(TlsOptions::default());
    let tmp = tempfile::tempdir().expect("temporary directory");
    let bundle = tmp.path().join("bundle");
    front.bundle_dir(&bundle);
    let backups = tmp.path().join("backups");
    std::fs::create_dir(&backups).expect("backup directory");
    let mut bed = Bed {
        binary,
        front,
        bundle,
        dir: tmp.path().to_path_buf(),
        backups,
        current: FIRST_CONFIG.to_string(),
        current_toml: DEFAULT_TOML.to_string(),
        next_value: FIRST_MAX_CONNECTIONS,
    };

    // The split into one cluster that keeps the default names (not timed).
    let split_started = Instant::now();
    let split_spec = bed.write("spec-split.toml", &spec(None));
    let out = bed.tool(&[
        "apply".as_ref(),
        "--bundle".as_ref(),
        bed.bundle.as_os_str(),
        "--spec".as_ref(),
        split_spec.as_os_str(),
        "--auto-approve".as_ref(),
        "--backup-dir".as_ref(),
        bed.backups.as_os_str(),
    ]);
    assert!(out.status.success(), "the split failed\n{}", show(&out));
    bed.current = core.config_name();
    assert_eq!(
        bed.current,
        format!("{CONF_PREFIX}2"),
        "the split did not leave the core on conf-2\n{}",
        show(&out)
    );
    bed.current_toml = core.config_toml();
    assert!(
        bed.current_toml.contains("ServiceCluster = \"default\""),
        "the split config has no ServiceCluster:\n{}",
        bed.current_toml
    );
    wait_update_completed(Some(UNIX_EPOCH), &core);
    core.wait_running("ucp-interlock-proxy", 2, WAIT);
    core.wait_running("ucp-interlock-extension", 1, WAIT);

    // The plan of a run is exactly "create config + update ucp-interlock".
    let planned = verify_plan(&bed);
    let setup = split_started.elapsed();

    let mut samples: [Vec<Sample>; 2] = [Vec::new(), Vec::new()];
    let mut warm_up = Vec::new();
    let started = Instant::now();
    for kind in [Kind::Apply, Kind::Manual] {
        warm_up.push(run_once(&mut bed, &core, kind, &[]));
    }
    for _ in 0..runs {
        for (i, kind) in [Kind::Apply, Kind::Manual].into_iter().enumerate() {
            let sample = run_once(&mut bed, &core, kind, &[]);
            samples[i].push(sample);
        }
    }
    let elapsed = started.elapsed();
    let verbose = std::env::var_os("APPLY_VERBOSE")
        .is_some()
        .then(|| run_once(&mut bed, &core, Kind::Apply, &["-v"]));

    let timing = (setup, elapsed);
    report(&bed, &core, &samples, &warm_up, &planned, runs, timing);
    if let Some(s) = verbose {
        println!();
        println!(
            "APPLY_VERBOSE: one more apply, with -v (not counted): {:.1} ms, exit {:+.1} ms after CompletedAt",
            s.wall.as_secs_f64() * 1e3,
            s.exit_after_completed_ms
        );
        print!("{}", s.stdout);
    }
    drop(bed);
    drop(core);
}

impl Bed {
    /// Writes `text` to `name` in the temporary directory and returns its path.
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        path
    }

    /// The release binary with `args`, without the caller's `DOCKER_*` environment (not timed).
    fn tool(&self, args: &[&std::ffi::OsStr]) -> Output {
        let mut cmd = Command::new(&self.binary);
        for var in DOCKER_ENV {
            cmd.env_remove(var);
        }
        cmd.args(["--color", "never"]).args(args);
        support::run_with_timeout(&mut cmd, Duration::from_secs(300))
            .unwrap_or_else(|e| panic!("running {cmd:?}: {e}"))
    }

    /// The command a run of `kind` times.
    fn command(&self, kind: Kind, spec: &Path, new: &str, file: &Path, extra: &[&str]) -> Command {
        let mut cmd = match kind {
            Kind::Apply => {
                let mut cmd = Command::new(&self.binary);
                cmd.args(["--color", "never"])
                    .args(extra)
                    .arg("apply")
                    .arg("--bundle")
                    .arg(&self.bundle)
                    .arg("--spec")
                    .arg(spec)
                    .arg("--auto-approve")
                    .arg("--backup-dir")
                    .arg(&self.backups);
                cmd
            }
            Kind::Manual => {
                let mut cmd = Command::new("sh");
                cmd.arg("-c")
                    .arg(DOCKER_STEPS)
                    .arg("sh")
                    .arg(self.bundle.join("ca.pem"))
                    .arg(self.bundle.join("cert.pem"))
                    .arg(self.bundle.join("key.pem"))
                    .arg(self.front.docker_host())
                    .arg(new)
                    .arg(file)
                    .arg(&self.current);
                cmd
            }
        };
        for var in DOCKER_ENV {
            cmd.env_remove(var);
        }
        cmd.stdin(std::process::Stdio::null());
        cmd
    }
}

/// The spec: the one cluster keeping the default names, with `MaxConnections` when given.
fn spec(max_connections: Option<u32>) -> String {
    let mut s = String::from(
        "[clusters.default]\nservice_name = \"ucp-interlock-extension\"\nproxy_service_name = \"ucp-interlock-proxy\"\nservice_cluster = \"default\"\n",
    );
    if let Some(n) = max_connections {
        s.push_str(&format!(
            "\n[clusters.default.config]\nMaxConnections = {n}\n"
        ));
    }
    s
}

/// `plan --output json` for the next run's spec: exactly create-config then
/// update-core-service, no error, nothing stale. Returns the actions, for the report.
fn verify_plan(bed: &Bed) -> Vec<String> {
    let spec_path = bed.write("spec-verify.toml", &spec(Some(bed.next_value)));
    let out = bed.tool(&[
        "plan".as_ref(),
        "--bundle".as_ref(),
        bed.bundle.as_os_str(),
        "--spec".as_ref(),
        spec_path.as_os_str(),
        "--output".as_ref(),
        "json".as_ref(),
    ]);
    assert!(out.status.success(), "plan failed\n{}", show(&out));
    let doc: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("plan --output json: not JSON ({e})\n{}", show(&out)));
    // The plan is the envelope's result.
    let plan = &doc["result"];
    let actions = plan["actions"].as_array().cloned().unwrap_or_default();
    let kinds: Vec<&str> = actions
        .iter()
        .map(|a| a["kind"].as_str().unwrap_or("?"))
        .collect();
    let next = format!("{CONF_PREFIX}{}", version(&bed.current) + 1);
    let ok = kinds == ["create-config", "update-core-service"]
        && actions[0]["name"] == next.as_str()
        && actions[1]["from"] == bed.current.as_str()
        && actions[1]["to"] == next.as_str()
        && plan["summary"]["errors"] == 0
        && plan["summary"]["stale_services"] == 0
        && plan["current"]["config_name"] == bed.current.as_str();
    assert!(
        ok,
        "the plan of a MaxConnections change is not exactly create-config {next} + update-core-service \
         {} → {next}:\nactions: {}\nsummary: {}\nfindings: {}",
        bed.current,
        serde_json::to_string_pretty(&actions).unwrap_or_default(),
        plan["summary"],
        plan["findings"]
    );
    kinds.iter().map(|k| k.to_string()).collect()
}

/// One run of `kind`: the spec with a new `MaxConnections`, the rendered TOML and the config
/// names (not timed), then the run, then the checks and swarm's `CompletedAt` (not timed).
fn run_once(bed: &mut Bed, core: &Core, kind: Kind, extra: &[&str]) -> Sample {
    let value = bed.next_value;
    bed.next_value += 1;
    prune_configs(&bed.current);
    let spec_path = bed.write(&format!("spec-{value}.toml"), &spec(Some(value)));
    let current_path = bed.write("current.toml", &bed.current_toml);
    let rendered = bed.tool(&[
        "render".as_ref(),
        "--current".as_ref(),
        current_path.as_os_str(),
        "--spec".as_ref(),
        spec_path.as_os_str(),
    ]);
    assert!(
        rendered.status.success(),
        "render failed\n{}",
        show(&rendered)
    );
    let new_toml = String::from_utf8_lossy(&rendered.stdout).into_owned();
    assert!(
        new_toml.contains(&format!("MaxConnections = {value}")) && new_toml != bed.current_toml,
        "render did not set MaxConnections = {value}:\n{new_toml}"
    );
    let new_path = bed.write(&format!("new-{value}.toml"), &new_toml);
    let new = format!("{CONF_PREFIX}{}", version(&bed.current) + 1);

    let mut cmd = bed.command(kind, &spec_path, &new, &new_path, extra);
    let front = &bed.front;
    let (requests, handshakes, failed) = (
        front.requests(),
        front.handshakes(),
        front.failed_handshakes(),
    );
    let logged = front.request_log().len();
    let started_wall = SystemTime::now();
    let start = Instant::now();
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{}: cannot run {cmd:?}: {e}", kind.label()));
    let wall = start.elapsed();
    let exited = SystemTime::now();
    let log = front.request_log().split_off(logged);
    let (requests, handshakes, failed_handshakes) = (
        front.requests() - requests,
        front.handshakes() - handshakes,
        front.failed_handshakes() - failed,
    );

    let fail = |what: String| -> ! {
        panic!(
            "{} (MaxConnections = {value}, {} → {new}): {what}\n{}\nrequests: {}",
            kind.label(),
            bed.current,
            show(&out),
            log.join(", ")
        )
    };
    if !out.status.success() {
        fail("the run failed".into());
    }
    let writes = write_requests(&log);
    let expected_update = match kind {
        Kind::Apply => "services/ucp-interlock/update",
        // The docker CLI updates the service by its ID.
        Kind::Manual => "/update",
    };
    if writes.len() != 2
        || !writes[0].ends_with("/configs/create")
        || !writes[1].starts_with("POST ")
        || !writes[1].ends_with(expected_update)
    {
        fail(format!(
            "expected exactly POST …/configs/create then POST …/services/…/update, got {writes:?}"
        ));
    }
    let completed = wait_update_completed(Some(started_wall), core);
    let running = core.config_name();
    if running != new {
        fail(format!("ucp-interlock runs {running}, not {new}"));
    }
    let toml = core.config_toml();
    if toml.trim_end() != new_toml.trim_end() {
        fail(format!(
            "{new} does not hold the rendered TOML:\n{toml}\n--- rendered\n{new_toml}"
        ));
    }
    core.wait_running(CORE_SERVICE, 1, WAIT);
    bed.current = new;
    bed.current_toml = new_toml;
    Sample {
        wall,
        requests,
        handshakes,
        failed_handshakes,
        exit_after_completed_ms: signed_ms(exited, completed),
        log,
        stdout: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

/// The requests of `log` that change something (neither GET nor HEAD), without their query,
/// but apply's audit labels on configs (`POST /configs/{id}/update`, the outcome it records
/// after the steps): the steps' own writes.
fn write_requests(log: &[String]) -> Vec<&str> {
    let audit = |l: &str| {
        l.contains("/configs/") && l.split('?').next().is_some_and(|p| p.ends_with("/update"))
    };
    log.iter()
        .filter(|l| !l.starts_with("GET ") && !l.starts_with("HEAD ") && !audit(l))
        .map(|l| l.split('?').next().unwrap_or(l))
        .collect()
}

/// Removes the interlock configs other than `in_use` and the one before it, through the local
/// socket, so that no plan has a `prune-configs` step (not timed).
fn prune_configs(in_use: &str) {
    let mut names: Vec<String> =
        support::lines(&docker_ok(&["config", "ls", "--format", "{{.Name}}"]))
            .into_iter()
            .filter(|n| n.starts_with(CONF_PREFIX))
            .collect();
    names.sort_by_key(|n| version(n));
    let keep_from = names
        .iter()
        .position(|n| n == in_use)
        .map_or(0, |i| i.saturating_sub(1));
    let old: Vec<&str> = names[..keep_from].iter().map(String::as_str).collect();
    if old.is_empty() {
        return;
    }
    let mut args = vec!["config", "rm"];
    args.extend(&old);
    let out = docker(&args);
    assert!(
        out.status.success(),
        "docker config rm {old:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The version of a `…conf-<N>` name (1 without a number).
fn version(name: &str) -> u64 {
    name.rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

/// Waits until `ucp-interlock`'s update status is `completed`, for an update started after
/// `since`, and returns its `CompletedAt`.
fn wait_update_completed(since: Option<SystemTime>, core: &Core) -> SystemTime {
    let deadline = Instant::now() + WAIT;
    loop {
        let status = docker_ok(&[
            "service",
            "inspect",
            "--format",
            "{{json .UpdateStatus}}",
            CORE_SERVICE,
        ]);
        let v: Value = serde_json::from_str(&status).unwrap_or(Value::Null);
        let time = |key: &str| {
            v[key].as_str().map(|s| {
                parse_rfc3339(s)
                    .unwrap_or_else(|| panic!("UpdateStatus.{key} = {s:?}: not RFC3339"))
            })
        };
        let fresh = match (since, time("StartedAt")) {
            (Some(since), Some(started)) => started >= since,
            (None, _) => true,
            (Some(_), None) => false,
        };
        match (v["State"].as_str(), time("CompletedAt")) {
            (Some("completed"), Some(completed)) if fresh => return completed,
            (Some(state), _) if fresh && state != "updating" => panic!(
                "the update of {CORE_SERVICE} ended {state}: {status}\n{}",
                core.explain(Some(CORE_SERVICE))
            ),
            _ => {}
        }
        if Instant::now() >= deadline {
            panic!(
                "swarm did not report the update of {CORE_SERVICE} completed within {WAIT:?}: {status}\n{}",
                core.explain(Some(CORE_SERVICE))
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `a − b` in milliseconds, negative when `a` is earlier.
fn signed_ms(a: SystemTime, b: SystemTime) -> f64 {
    match a.duration_since(b) {
        Ok(d) => d.as_secs_f64() * 1e3,
        Err(e) => -e.duration().as_secs_f64() * 1e3,
    }
}

/// An RFC 3339 time as swarm writes it (`2026-11-22T07:27:44.123456789Z`, or with an offset).
fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    let (date, rest) = s.split_once('T')?;
    let mut d = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (d.next()??, d.next()??, d.next()??);
    let (time, offset) = match rest.strip_suffix(['Z', 'z']) {
        Some(t) => (t, 0),
        None => {
            let i = rest.rfind(['+', '-'])?;
            let (t, z) = rest.split_at(i);
            let (h, m) = z[1..].split_once(':')?;
            let secs = h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60;
            (t, if z.starts_with('-') { -secs } else { secs })
        }
    };
    let (hms, frac) = time.split_once('.').unwrap_or((time, ""));
    let mut t = hms.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let (hour, minute, second) = (t.next()??, t.next()??, t.next()??);
    let frac = &frac[..frac.len().min(9)];
    let nanos: u32 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<9}").parse().ok()?
    };
    // Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset;
    Some(UNIX_EPOCH + Duration::new(u64::try_from(secs).ok()?, nanos))
}

/// Exit status, stdout and stderr of `out`.
fn show(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Min, median, max of `values` (sorted here).
fn stats(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let median = if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    };
    (values[0], median, values[n - 1])
}

/// The requests of a run grouped by method and path (query left out), in order of first use.
fn request_pattern(log: &[String]) -> String {
    let mut groups: Vec<(String, usize)> = Vec::new();
    for l in log {
        let key = l.split('?').next().unwrap_or(l).to_string();
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => groups.push((key, 1)),
        }
    }
    groups
        .iter()
        .map(|(k, n)| {
            if *n == 1 {
                k.clone()
            } else {
                format!("{k} ×{n}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Prints the tables, the request patterns and the two verdicts.
fn report(
    bed: &Bed,
    core: &Core,
    samples: &[Vec<Sample>; 2],
    warm_up: &[Sample],
    planned: &[String],
    runs: usize,
    (setup, elapsed): (Duration, Duration),
) {
    let docker_version = docker_ok(&[
        "version",
        "--format",
        "{{.Client.Version}} (engine {{.Server.Version}}, API {{.Server.APIVersion}})",
    ]);
    let monitor = docker_ok(&[
        "service",
        "inspect",
        "--format",
        "{{.Spec.UpdateConfig.Monitor}} (order {{.Spec.UpdateConfig.Order}}, failure action {{.Spec.UpdateConfig.FailureAction}})",
        CORE_SERVICE,
    ]);
    println!(
        "apply vs the documented manual write steps, through a client bundle (mTLS front {}, HTTP/1.1)",
        bed.front.docker_host()
    );
    println!(
        "binary {}; docker CLI {docker_version}; {} CPUs",
        bed.binary.display(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "each run: MaxConnections changed, planned as [{}] (checked with plan --output json); \
         {CORE_SERVICE} update monitor {monitor}; the core image {}",
        planned.join(", "),
        core.image.id
    );
    println!(
        "split and plan check {:.1} s; 1 warm-up each, then {runs} runs each, alternating, {:.1} s; \
         last config {}",
        setup.as_secs_f64(),
        elapsed.as_secs_f64(),
        bed.current
    );
    println!();
    println!(
        "{:<54} {:>9} {:>9} {:>9} {:>13} {:>15}",
        "wall time", "min ms", "median", "max ms", "API requests", "TLS handshakes"
    );
    let mut medians = Vec::new();
    for (kind, s) in [Kind::Apply, Kind::Manual].into_iter().zip(samples) {
        let (lo, med, hi) = stats(s.iter().map(|s| s.wall.as_secs_f64() * 1e3).collect());
        medians.push(med);
        println!(
            "{:<54} {lo:>9.1} {med:>9.1} {hi:>9.1} {:>13} {:>15}",
            kind.label(),
            range(s.iter().map(|s| s.requests)),
            range(s.iter().map(|s| s.handshakes)),
        );
    }
    println!();
    println!(
        "{:<54} {:>9} {:>9} {:>9} {:>13}",
        "exit − swarm's UpdateStatus.CompletedAt", "min ms", "median", "max ms", "runs < 300 ms"
    );
    let mut delays = Vec::new();
    for (kind, s) in [Kind::Apply, Kind::Manual].into_iter().zip(samples) {
        let (lo, med, hi) = stats(s.iter().map(|s| s.exit_after_completed_ms).collect());
        delays.push(hi);
        let under = s
            .iter()
            .filter(|s| s.exit_after_completed_ms < EXIT_TARGET_MS)
            .count();
        println!(
            "{:<54} {lo:>+9.1} {med:>+9.1} {hi:>+9.1} {:>13}",
            kind.label(),
            format!("{under}/{}", s.len())
        );
    }
    for (kind, s) in [Kind::Apply, Kind::Manual].into_iter().zip(samples) {
        let each: Vec<String> = s
            .iter()
            .map(|s| {
                format!(
                    "{:.0} ms ({:+.0})",
                    s.wall.as_secs_f64() * 1e3,
                    s.exit_after_completed_ms
                )
            })
            .collect();
        println!("  {} each run: {}", kind.label(), each.join(", "));
    }
    println!();
    for (kind, w) in [Kind::Apply, Kind::Manual].into_iter().zip(warm_up) {
        println!(
            "{} — warm-up run: {:.1} ms, exit {:+.1} ms after CompletedAt, {} requests, {} handshakes:",
            kind.label(),
            w.wall.as_secs_f64() * 1e3,
            w.exit_after_completed_ms,
            w.requests,
            w.handshakes
        );
        println!("    {}", request_pattern(&w.log));
    }
    let failed: usize = samples
        .iter()
        .flatten()
        .chain(warm_up)
        .map(|s| s.failed_handshakes)
        .sum();
    if failed > 0 {
        println!(
            "note: {failed} failed TLS handshake(s): {:?}",
            bed.front.handshake_errors()
        );
    }
    println!();
    let (apply, manual) = (medians[0], medians[1]);
    let verdict = if apply <= manual {
        format!(
            "MET: median {apply:.1} ms <= {manual:.1} ms ({:.0}% of the manual steps' time)",
            apply / manual * 100.0
        )
    } else {
        format!(
            "NOT MET: median {apply:.1} ms > {manual:.1} ms ({:.0}% of the manual steps' time)",
            apply / manual * 100.0
        )
    };
    println!("target \"apply no slower than the manual steps\": {verdict}");
    let (apply, manual) = (delays[0], delays[1]);
    let verdict = if apply < EXIT_TARGET_MS {
        format!(
            "MET: at most {apply:+.1} ms after swarm's CompletedAt over {runs} runs (docker CLI: at most {manual:+.1} ms)"
        )
    } else {
        format!(
            "NOT MET: up to {apply:+.1} ms after swarm's CompletedAt over {runs} runs (docker CLI: at most {manual:+.1} ms)"
        )
    };
    println!("target \"apply exits within 300 ms of swarm reporting convergence\": {verdict}");
}
