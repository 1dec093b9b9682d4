//! Two operators at once, end to end: the real binary through a client bundle and the mTLS
//! front, on the real swarm with the stand-in core. Another operator moves `ucp-interlock` to
//! their own config while apply waits at the confirmation prompt on a real pseudo-terminal;
//! two applies of different specs start together, several rounds; another operator gives a
//! node label the saved plan sets a value of their own. Neither ever replaces the other's
//! config or label: the one that loses says what changed and exits 3 (or 6, superseded).

use crate::support;

use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::apply_bed::{ApplyBed, core_config, interlock_configs};
use support::bed::{self, FIRST_CONFIG};
use support::cli::{envelope, show, tool, write};
use support::{docker_ok, docker_ok_stdin, node_update};

const DEFAULT_TOML: &str = include_str!("../fixtures/ucp-3.1-default.toml");
const THEIRS: &str = "com.docker.ucp.interlock.conf-42";
const APPLIED_BY: &str = "com.docker.interlock-split.applied-by";
/// The prefix of the node label keys of this file's specs.
const LABELS: &str = "it.two";

/// The bed, with the spawning of applies these tests race.
struct Bed(ApplyBed);

impl std::ops::Deref for Bed {
    type Target = ApplyBed;
    fn deref(&self) -> &ApplyBed {
        &self.0
    }
}

impl Bed {
    fn start() -> Bed {
        Bed(ApplyBed::start(DEFAULT_TOML, LABELS))
    }

    /// A spec of three service clusters on this node, dev on `http`/`https`.
    fn spec(&self, file: &str, http: u16, https: u16) -> String {
        self.0
            .spec(file, [(http, https), (8081, 8444), (8080, 8443)])
    }

    /// `apply --auto-approve` started, not awaited.
    fn spawn_apply(&self, spec: &str) -> Child {
        Command::new(env!("CARGO_BIN_EXE_interlock-split"))
            .args(["--color", "never", "apply", "--bundle", &self.bundle])
            .args(["--spec", spec, "--auto-approve", "--wait-timeout", "60"])
            .args(["--backup-dir", self.dir.path().to_str().unwrap()])
            .env_remove("DOCKER_HOST")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }
}

fn assert_no_two_configs_alike(context: &str) {
    let configs = interlock_configs();
    for (i, (a, ta)) in configs.iter().enumerate() {
        for (b, tb) in &configs[i + 1..] {
            assert!(ta != tb, "{context}: {a} and {b} hold the same TOML");
        }
    }
}

/// Another operator: uploads their own config (labelled with their name) and moves the core to
/// it, waiting until it runs.
fn another_operator_moves_the_core() {
    let toml = format!("{DEFAULT_TOML}\n# another operator's change\n");
    let label = format!("{APPLIED_BY}=CN=bob");
    docker_ok_stdin(
        &["config", "create", "--label", &label, THEIRS, "-"],
        toml.as_bytes(),
    );
    let from = core_config();
    docker_ok(&[
        "service",
        "update",
        "--detach=false",
        "--config-rm",
        &from,
        "--config-add",
        &format!("source={THEIRS},target=/config.toml"),
        "ucp-interlock",
    ]);
}

#[test]
fn another_operator_at_the_prompt_and_two_applies_at_once() {
    if !support::docker_available("another_operator_at_the_prompt_and_two_applies_at_once") {
        return;
    }
    let bed = Bed::start();
    let started = Instant::now();
    moved_while_at_the_prompt(&bed);
    for round in 0..3u16 {
        two_applies_at_once(&bed, round);
    }
    node_labelled_after_the_plan(&bed);
    eprintln!("two operators at once: {:.1?}", started.elapsed());
}

/// apply waits at the prompt on a pseudo-terminal; the core moves to another operator's config;
/// `yes` then changes nothing of theirs: exit 3, and the report says whose config is in use.
fn moved_while_at_the_prompt(bed: &Bed) {
    let spec = bed.spec("prompt.toml", 8082, 8445);
    let cmd = format!(
        "{} --color never apply --bundle {} --spec {spec} --backup-dir {}",
        env!("CARGO_BIN_EXE_interlock-split"),
        bed.bundle,
        bed.dir.path().display()
    );
    let mut child = Command::new("script")
        .args(["-q", "-e", "-c", &cmd, "/dev/null"])
        .env_remove("DOCKER_HOST")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("util-linux `script` runs the tool on a pseudo-terminal");
    std::thread::sleep(Duration::from_secs(2));
    another_operator_moves_the_core();
    use std::io::Write;
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"yes\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Only 'yes' is accepted"), "{}", show(&out));
    assert_eq!(out.status.code(), Some(3), "{}", show(&out));
    for says in [
        format!("now uses {THEIRS} (created "),
        "by CN=bob".into(),
        format!("not {FIRST_CONFIG}"),
        "nothing more was changed".into(),
    ] {
        assert!(text.contains(&says), "`{says}`\n{}", show(&out));
    }
    assert!(!text.contains("HTTP"), "no raw HTTP text\n{}", show(&out));
    assert!(
        !text.contains("rollback`"),
        "no rollback hint\n{}",
        show(&out)
    );
    assert_eq!(core_config(), THEIRS, "their config stays in use");
    assert_no_two_configs_alike("after the prompt");
}

fn finished(child: Child) -> Output {
    child.wait_with_output().unwrap()
}

/// Two applies of different specs started together: exactly one wins, the other exits 3 (or 6)
/// saying why; the core runs the winner's config, and no two configs hold the same TOML.
fn two_applies_at_once(bed: &Bed, round: u16) {
    let a = bed.spec("a.toml", 8082 + 10 * round, 8445 + 10 * round);
    let b = bed.spec("b.toml", 8182 + 10 * round, 8545 + 10 * round);
    let (ca, cb) = (bed.spawn_apply(&a), bed.spawn_apply(&b));
    let outs = [finished(ca), finished(cb)];
    let context = format!("round {round}");
    let won: Vec<&Output> = outs.iter().filter(|o| o.status.success()).collect();
    let lost: Vec<&Output> = outs.iter().filter(|o| !o.status.success()).collect();
    let all = outs.iter().map(show).collect::<Vec<_>>().join("\n----\n");
    assert_eq!(won.len(), 1, "{context}: exactly one wins\n{all}");
    let loser = lost[0];
    assert!(
        matches!(loser.status.code(), Some(3) | Some(6)),
        "{context}: the other exits 3 or 6\n{all}"
    );
    let text = String::from_utf8_lossy(&loser.stdout);
    assert!(
        text.contains("another operator changed the cluster") || text.contains("Superseded"),
        "{context}: a clear message\n{all}"
    );
    assert!(!text.contains("HTTP"), "{context}: no raw HTTP text\n{all}");
    let winner = String::from_utf8_lossy(&won[0].stdout);
    let runs = core_config();
    assert!(
        winner.contains(&format!("Applied. ucp-interlock runs {runs}.")),
        "{context}: the core runs the winner's config {runs}\n{all}"
    );
    assert_eq!(bed::running_tasks("ucp-interlock"), 1, "{context}");
    assert_no_two_configs_alike(&context);
    eprintln!("{context}:\n{all}");
}

/// A saved plan that relabels dev's node (`it.two.dev`: yes → blue); before it is applied,
/// another operator sets the key to `green`. apply reads the node, finds neither value, leaves
/// theirs and stops, as it says to a terminal and in JSON: exit 3, `cluster-moved`, and the
/// engine shows their label and the core on the config it ran.
fn node_labelled_after_the_plan(bed: &Bed) {
    let text = bed
        .spec_text([(8082, 8445), (8081, 8444), (8080, 8443)])
        .replacen("node_label = \"yes\"", "node_label = \"blue\"", 1);
    let spec = write(bed.dir.path(), "blue.toml", &text);
    let saved = bed.save_plan(&spec, "blue.plan.json");
    let saved = saved.as_str();
    let ours = format!("{LABELS}.dev");
    let before = core_config();
    let set = node_update(&["--label-add", &format!("{ours}=green")], &bed.host);
    assert!(set.status.success(), "{}", show(&set));
    let backups = bed.dir.path().to_str().unwrap();
    let args = ["apply", saved, "--bundle", &bed.bundle, "--auto-approve"];
    let args = [&args[..], &["--backup-dir", backups]].concat();
    let out = tool(&args);
    assert_eq!(out.status.code(), Some(3), "{}", show(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    for says in [
        "Stopped: another operator changed the cluster since the plan.".to_string(),
        format!("node {} now has {ours}=green", bed.host),
        "nothing of theirs was replaced".into(),
    ] {
        assert!(text.contains(&says), "`{says}`\n{}", show(&out));
    }
    let out = tool(&[&args[..], &["--output", "json"]].concat());
    let doc = envelope(&out);
    assert_eq!(out.status.code(), Some(3), "{}", show(&out));
    assert_eq!(doc["result"]["outcome"], "cluster-moved", "{}", show(&out));
    let error = doc["result"]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains(&format!("now has {ours}=green")),
        "the report names their value: {}",
        show(&out)
    );
    let format = format!("{{{{index .Spec.Labels \"{ours}\"}}}}");
    let label = docker_ok(&["node", "inspect", "--format", &format, &bed.host]);
    assert_eq!(label, "green", "their label stands on the engine");
    assert_eq!(core_config(), before, "the core was not touched");
}
