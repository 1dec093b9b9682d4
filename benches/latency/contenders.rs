//! The routes (a relay and a bundle pointing at it) and what runs through them: the tool's
//! `plan`, `status` and `apply`, and the docker CLI steps each replaces, timed and counted.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

use crate::common::DOCKER_ENV;
use crate::common::relay::{Counts, Relay};
use crate::common::writes::{
    CONF_PREFIX, DOCKER_STEPS, check_writes, prune_configs, show, signed_ms, spec, version,
    wait_update_completed, write_requests,
};
use crate::support::bed::{CORE_SERVICE, FIRST_CONFIG, seed_spec};
use crate::support::{Core, TlsFront};
use crate::{DEFAULT_TOML, WAIT, bundle_dir};

/// The manual read that `plan` replaces: the config at `/config.toml`, then its data. `$1`..`$4`
/// are the CA, certificate, key and host (as in benches/live_plan.rs).
const READ_STEPS: &str = r#"set -e
name=$(docker --tlsverify --tlscacert "$1" --tlscert "$2" --tlskey "$3" -H "$4" service inspect --format '{{range .Spec.TaskTemplate.ContainerSpec.Configs}}{{if eq .File.Name "/config.toml"}}{{.ConfigName}}{{end}}{{end}}' ucp-interlock)
docker --tlsverify --tlscacert "$1" --tlscert "$2" --tlskey "$3" -H "$4" config inspect --format '{{ printf "%s" .Spec.Data }}' "$name"
"#;

/// The manual read that `status` replaces: every service, then the tasks of Interlock's.
const STATUS_STEPS: &str = r#"set -e
docker --tlsverify --tlscacert "$1" --tlscert "$2" --tlskey "$3" -H "$4" service ls
docker --tlsverify --tlscacert "$1" --tlscert "$2" --tlskey "$3" -H "$4" service ps ucp-interlock ucp-interlock-extension ucp-interlock-proxy
"#;

/// What is measured.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Op {
    Plan,
    Status,
    Apply,
}

/// A relay in front of a front, and a bundle whose `env.sh` points at the relay.
pub struct Route {
    pub relay: Relay,
    pub bundle: PathBuf,
    /// The front behind the relay: counts are taken there.
    pub front: Rc<TlsFront>,
    /// The front offers h2 in ALPN before http/1.1.
    pub h2: bool,
}

impl Route {
    pub fn new(relay: Relay, front: Rc<TlsFront>, h2: bool, tmp: &Path) -> Route {
        let bundle = bundle_dir(tmp, &relay, h2);
        front.bundle_dir(&bundle);
        relay.point_bundle(&bundle);
        Route {
            relay,
            bundle,
            front,
            h2,
        }
    }

    /// `sh -c <steps> sh <ca> <cert> <key> <host> <extra…>`.
    fn docker_steps(&self, steps: &str, extra: &[&std::ffi::OsStr]) -> Command {
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(steps)
            .arg("sh")
            .arg(self.bundle.join("ca.pem"))
            .arg(self.bundle.join("cert.pem"))
            .arg(self.bundle.join("key.pem"))
            .arg(self.relay.docker_host())
            .args(extra);
        cmd
    }
}

/// One timed run and what the relay and the front counted during it.
#[derive(Clone, Debug)]
pub struct Sample {
    pub op: Op,
    pub by_tool: bool,
    /// Index of the route.
    pub route: usize,
    pub wall_ms: f64,
    pub relay: Counts,
    pub handshakes: usize,
    pub requests: usize,
    /// The requests of `requests` the front served over HTTP/2.
    pub h2_requests: usize,
    /// When the command exited.
    pub ended: SystemTime,
    /// apply alone: the exit less swarm's `CompletedAt` of the core's update, in ms.
    pub exit_after_completed_ms: Option<f64>,
    /// The tool's apply alone: when its watch decided (it sends the outcome label at once)
    /// less `CompletedAt`, in ms.
    pub decided_after_completed_ms: Option<f64>,
}

impl Sample {
    pub fn at(mut self, route: usize) -> Sample {
        self.route = route;
        self
    }
}

/// The release binary, the HTTP/1.1 front, and the state of the config `ucp-interlock` runs.
pub struct Bench {
    pub binary: PathBuf,
    pub front: Rc<TlsFront>,
    dir: PathBuf,
    plan_spec: PathBuf,
    current: String,
    current_toml: String,
    next_value: u32,
}

impl Bench {
    pub fn new(binary: PathBuf, front: Rc<TlsFront>, tmp: &Path, host: &str) -> Bench {
        let plan_spec = tmp.join("plan-spec.toml");
        std::fs::write(&plan_spec, seed_spec(host)).expect("writing the spec");
        Bench {
            binary,
            front,
            dir: tmp.to_path_buf(),
            plan_spec,
            current: FIRST_CONFIG.to_string(),
            current_toml: DEFAULT_TOML.to_string(),
            next_value: 3001,
        }
    }

    /// The release binary with `args`, without the caller's `DOCKER_*` environment.
    fn tool(&self, args: &[&std::ffi::OsStr]) -> Command {
        let mut cmd = Command::new(&self.binary);
        cmd.args(["--color", "never"]).args(args);
        cmd
    }

    /// One run of `plan` or `status`, by the tool or by the docker CLI, through `route`.
    pub fn read(&self, route: &Route, op: Op, by_tool: bool) -> Sample {
        let bundle = route.bundle.as_os_str();
        let cmd = match (op, by_tool) {
            (Op::Plan, true) => self.tool(&[
                "plan".as_ref(),
                "--bundle".as_ref(),
                bundle,
                "--spec".as_ref(),
                self.plan_spec.as_os_str(),
                "--output".as_ref(),
                "json".as_ref(),
            ]),
            (Op::Plan, false) => route.docker_steps(READ_STEPS, &[]),
            (Op::Status, true) => self.tool(&["status".as_ref(), "--bundle".as_ref(), bundle]),
            (Op::Status, false) => route.docker_steps(STATUS_STEPS, &[]),
            (Op::Apply, _) => unreachable!("apply is not a read"),
        };
        let (sample, out, _) = self.timed(route, op, by_tool, cmd);
        if let Err(e) = check_read(op, by_tool, &out) {
            panic!("{op:?} (by the tool: {by_tool}): {e}\n{}", show(&out));
        }
        sample
    }

    /// Runs `cmd` (stdin closed, no `DOCKER_*` environment) and counts what it cost.
    fn timed(
        &self,
        route: &Route,
        op: Op,
        by_tool: bool,
        mut cmd: Command,
    ) -> (Sample, Output, Vec<(SystemTime, String)>) {
        for var in DOCKER_ENV {
            cmd.env_remove(var);
        }
        cmd.stdin(Stdio::null());
        let front = &route.front;
        let (counts, handshakes, requests, h2_requests) = (
            route.relay.counts(),
            front.handshakes(),
            front.requests(),
            front.http2_requests(),
        );
        let logged = front.timed_request_log().len();
        let start = Instant::now();
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
        let (wall, ended) = (start.elapsed(), SystemTime::now());
        let sample = Sample {
            op,
            by_tool,
            route: 0,
            wall_ms: wall.as_secs_f64() * 1e3,
            relay: route.relay.counts() - counts,
            handshakes: front.handshakes() - handshakes,
            requests: front.requests() - requests,
            h2_requests: front.http2_requests() - h2_requests,
            ended,
            exit_after_completed_ms: None,
            decided_after_completed_ms: None,
        };
        (sample, out, front.timed_request_log().split_off(logged))
    }

    /// Splits the default config into one cluster that keeps the default names, through the
    /// front directly (not timed), so that every apply after it is two writes.
    pub fn split(&mut self, core: &Core) {
        let bundle = self.dir.join("bundle-direct");
        self.front.bundle_dir(&bundle);
        let spec_path = self.write("spec-split.toml", &spec(None));
        let out = self
            .apply_command(&bundle, &spec_path)
            .output()
            .expect("running the split");
        assert!(out.status.success(), "the split failed\n{}", show(&out));
        wait_update_completed(None, core);
        core.wait_running(CORE_SERVICE, 1, WAIT);
        core.wait_running("ucp-interlock-proxy", 2, WAIT);
        self.current = core.config_name();
        self.current_toml = core.config_toml();
    }

    fn apply_command(&self, bundle: &Path, spec_path: &Path) -> Command {
        let backups = self.dir.join("backups");
        std::fs::create_dir_all(&backups).expect("backup directory");
        let mut cmd = self.tool(&[
            "apply".as_ref(),
            "--bundle".as_ref(),
            bundle.as_os_str(),
            "--spec".as_ref(),
            spec_path.as_os_str(),
            "--auto-approve".as_ref(),
            "--backup-dir".as_ref(),
            backups.as_os_str(),
        ]);
        for var in DOCKER_ENV {
            cmd.env_remove(var);
        }
        cmd
    }

    /// One change of `MaxConnections`, by apply or by the docker CLI, through `route`; checked
    /// from the front's request log and swarm's view (not timed), with the time between swarm's
    /// `CompletedAt` of the update and the command's exit.
    pub fn apply(&mut self, route: &Route, by_tool: bool, core: &Core) -> Sample {
        let value = self.next_value;
        self.next_value += 1;
        prune_configs(&self.current);
        let spec_path = self.write(&format!("spec-{value}.toml"), &spec(Some(value)));
        let cmd = if by_tool {
            self.apply_command(&route.bundle, &spec_path)
        } else {
            let (new, file) = self.render(&spec_path, value);
            let current = self.current.clone();
            route.docker_steps(
                DOCKER_STEPS,
                &[new.as_ref(), file.as_os_str(), current.as_ref()],
            )
        };
        let since = SystemTime::now();
        let (mut sample, out, timed_log) = self.timed(route, Op::Apply, by_tool, cmd);
        let log: Vec<String> = timed_log.iter().map(|(_, r)| r.clone()).collect();
        let writes = write_requests(&log);
        if let Err(e) = check_writes(by_tool, &writes).and(if out.status.success() {
            Ok(())
        } else {
            Err("the run failed".into())
        }) {
            panic!("apply (by the tool: {by_tool}): {e}\n{}", show(&out));
        }
        let completed = wait_update_completed(Some(since), core);
        sample.exit_after_completed_ms = Some(signed_ms(sample.ended, completed));
        sample.decided_after_completed_ms = by_tool.then(|| {
            let decided = outcome_label_sent(&timed_log, route.relay.rtt());
            signed_ms(decided, completed)
        });
        core.wait_running(CORE_SERVICE, 1, WAIT);
        self.current = core.config_name();
        self.current_toml = core.config_toml();
        assert!(
            self.current_toml
                .contains(&format!("MaxConnections = {value}")),
            "ucp-interlock runs {} without MaxConnections = {value}",
            self.current
        );
        sample
    }

    /// The next config's name and a file holding its TOML, as the manual steps need them.
    fn render(&self, spec_path: &Path, value: u32) -> (String, PathBuf) {
        let current_path = self.write("current.toml", &self.current_toml);
        let out = self
            .tool(&[
                "render".as_ref(),
                "--current".as_ref(),
                current_path.as_os_str(),
                "--spec".as_ref(),
                spec_path.as_os_str(),
            ])
            .output()
            .expect("running render");
        assert!(out.status.success(), "render failed\n{}", show(&out));
        let file = self.write(
            &format!("new-{value}.toml"),
            &String::from_utf8_lossy(&out.stdout),
        );
        let new = format!("{CONF_PREFIX}{}", version(&self.current) + 1);
        (new, file)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        path
    }
}

/// What a read must have printed.
fn check_read(op: Op, by_tool: bool, out: &Output) -> Result<(), String> {
    let stdout = String::from_utf8_lossy(&out.stdout);
    match (op, by_tool) {
        (Op::Plan, true) => {
            if out.status.code() != Some(0) {
                return Err("the plan failed".into());
            }
            let envelope: Value =
                serde_json::from_str(&stdout).map_err(|e| format!("not JSON ({e})"))?;
            let plan = &envelope["result"];
            if plan["current"]["config_name"] != FIRST_CONFIG || plan["summary"]["errors"] != 0 {
                return Err(format!(
                    "not a plan of the live {FIRST_CONFIG} without errors: {}",
                    plan["summary"]
                ));
            }
        }
        (Op::Plan, false) if !out.status.success() || stdout.trim() != DEFAULT_TOML.trim() => {
            return Err("the docker commands did not print the config in use".into());
        }
        // Exit 1 is "problems flagged": the stand-in's tasks may be anything.
        (Op::Status, true) if !matches!(out.status.code(), Some(0 | 1)) => {
            return Err("status failed".into());
        }
        (Op::Status, true) if !stdout.contains("ucp-interlock-proxy") => {
            return Err("status did not list the proxy".into());
        }
        (Op::Status, false) if !out.status.success() || !stdout.contains("ucp-interlock-proxy") => {
            return Err("the docker commands did not list the proxy".into());
        }
        _ => {}
    }
    Ok(())
}

/// When apply sent its outcome label: the front received the label write (the last `POST
/// /configs/<id>/update`) half a round trip after the client sent it, through the relay. apply
/// sends it the moment its watch decides (the config was read during the watch).
fn outcome_label_sent(log: &[(SystemTime, String)], rtt: Duration) -> SystemTime {
    let (at, _) = log
        .iter()
        .rev()
        .find(|(_, r)| r.starts_with("POST ") && r.contains("/configs/") && r.contains("/update"))
        .expect("apply wrote no outcome label");
    *at - rtt / 2
}
