//! A production-shaped swarm on this machine: one or three managers and several workers, each a
//! `dockerd` in its own network namespace ([`super::engine`], [`super::netns`]), joined into one
//! swarm, with the stand-in's image loaded into every engine, UCP's node labels (the swarm
//! orchestrator label, a collection per worker), and per manager an mTLS front with a client
//! bundle on its API (as UCP serves its API on every manager). It never touches the machine's
//! own engine or its swarm.
//!
//! One bed at a time on the machine (a lock file in the temp dir). Dropping it removes
//! everything it made, and starting one first removes what an aborted run left.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::engine::{self, Engine, bed_root};
use super::image::standin_image;
use super::lock::lock_file;
use super::netns;
use super::swarm::UCP_SWARM_NODE_LABEL;
use super::{E2E_ENV, TlsFront, TlsOptions, lines, run_with_timeout, wait_for};

/// How long an engine may take to stop before it is killed (and its mounts, processes and
/// cgroups are removed by hand). A worker's clean stop waits 5 s for the ingress network's
/// removal, which the bed does not need.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// UCP's collection label on nodes (and configs).
pub const COLLECTION_LABEL: &str = "com.docker.ucp.access.label";

/// The running bed.
pub struct MultiNode {
    /// The engines: the managers first (`[0]` made the swarm), then the workers.
    pub engines: Vec<Engine>,
    /// Per manager, the mTLS front on its API.
    pub fronts: Vec<TlsFront>,
    /// The stand-in's image ID, loaded into every engine.
    pub image: String,
    /// Held while the bed is up: guards of its objects ([`super::multinode_apps`]) hold a
    /// weak reference, and leave what they guard to the bed's teardown once it is gone.
    pub(super) alive: std::sync::Arc<()>,
    /// How many of the engines are managers.
    managers: usize,
    /// The manager the bed's own `docker` commands go to (one that is up).
    control: usize,
    /// Managers cut off from the others ([`super::partition`]).
    pub(super) cut: Vec<usize>,
    _lock: File,
}

impl MultiNode {
    /// Starts a manager and one worker per entry of `collections` (the worker's
    /// `com.docker.ucp.access.label`), and prints how long it took.
    pub fn start(collections: &[&str]) -> MultiNode {
        MultiNode::start_with_managers(1, collections)
    }

    /// Starts `managers` managers and one worker per entry of `collections`.
    pub fn start_with_managers(managers: usize, collections: &[&str]) -> MultiNode {
        let lock = bed_lock();
        let started = Instant::now();
        if bed_root().exists() || !netns::namespaces().is_empty() {
            let errors = remove_everything();
            assert!(
                errors.is_empty(),
                "cannot remove the leftovers of an earlier run: {errors:?}"
            );
            eprintln!(
                "multi-node bed: removed the leftovers of an earlier run in {:.1?}",
                started.elapsed()
            );
        }
        let started = Instant::now();
        let image = standin_image();
        let tar = export_image(&image.tag);
        netns::create_bridge().unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<String> = (1..=managers)
            .map(|i| format!("mn-manager-{i}"))
            .chain((1..=collections.len()).map(|i| format!("mn-worker-{i}")))
            .collect();
        let engines: Vec<Engine> = std::thread::scope(|s| {
            let handles: Vec<_> = names
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let tar = &tar;
                    s.spawn(move || {
                        netns::create_node(i)?;
                        let e = Engine::start(i, name)?;
                        e.docker_ok(&["load", "--quiet", "--input", &tar.to_string_lossy()]);
                        Ok::<Engine, String>(e)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("engine thread"))
                .collect::<Result<_, _>>()
        })
        .unwrap_or_else(|e| panic!("starting the engines: {e}"));
        let _ = std::fs::remove_file(&tar);
        form_swarm(&engines, managers, collections);
        let fronts = engines[..managers]
            .iter()
            .map(|m| {
                TlsFront::start(TlsOptions {
                    docker_sock: m.sock.clone(),
                    ..TlsOptions::default()
                })
            })
            .collect();
        eprintln!(
            "multi-node bed: {} engines up, swarm formed, images loaded in {:.1?}",
            engines.len(),
            started.elapsed()
        );
        MultiNode {
            engines,
            fronts,
            image: image.id,
            alive: std::sync::Arc::new(()),
            managers,
            control: 0,
            cut: Vec::new(),
            _lock: lock,
        }
    }

    /// The manager the bed's own commands go to (the first one, until it is stopped).
    pub fn manager(&self) -> &Engine {
        &self.engines[self.control]
    }

    /// Manager `i` (from 0; `0` made the swarm).
    pub fn manager_at(&self, i: usize) -> &Engine {
        assert!(
            i < self.managers,
            "the bed has {} manager(s)",
            self.managers
        );
        &self.engines[i]
    }

    /// How many of the engines are managers.
    pub fn manager_count(&self) -> usize {
        self.managers
    }

    /// The bed's own commands go to another manager than `i` (stopped or cut off).
    pub(super) fn avoid(&mut self, i: usize) {
        if self.control == i {
            self.control = (i + 1) % self.managers;
        }
    }

    /// Worker `i` (from 0).
    pub fn worker(&self, i: usize) -> &Engine {
        &self.engines[self.managers + i]
    }

    /// `docker ARGS…` on the manager; panics unless it succeeds.
    pub fn docker_ok(&self, args: &[&str]) -> String {
        self.manager().docker_ok(args)
    }

    /// Writes the first manager's client bundle as a zip into `dir` and returns its path.
    pub fn bundle(&self, dir: &Path) -> String {
        self.bundle_of(0, dir)
    }

    /// Writes manager `i`'s client bundle (its own front) as a zip into `dir`.
    pub fn bundle_of(&self, i: usize, dir: &Path) -> String {
        let zip = dir.join(format!("bundle-{}.zip", i + 1));
        self.fronts[i].bundle_zip(&zip);
        zip.to_string_lossy().into_owned()
    }

    /// Stops manager `i` as a node goes down: its API front (every open connection dropped
    /// unanswered) and its engine. The bed's own commands then go to the next manager.
    pub fn stop_manager(&mut self, i: usize) {
        assert!(self.managers > 1, "the only manager cannot be stopped");
        self.fronts[i].stop();
        self.engines[i].stop(STOP_GRACE);
        self.avoid(i);
    }

    /// Stops worker `i`'s engine (a node going down) and waits until the manager says Down.
    pub fn stop_worker(&mut self, i: usize) {
        let hostname = self.worker(i).hostname.clone();
        self.engines[self.managers + i].stop(STOP_GRACE);
        wait_for(
            &format!("{hostname} to be Down"),
            Duration::from_secs(60),
            || (self.node_status(&hostname) == "down").then_some(()),
            || self.docker_ok(&["node", "ls"]),
        );
    }

    /// The hostname of the raft leader, as the bed's manager sees it (none during an election).
    pub fn leader(&self) -> Option<String> {
        let out =
            self.manager()
                .docker(&["node", "ls", "--format", "{{.Hostname}} {{.ManagerStatus}}"]);
        lines(&String::from_utf8_lossy(&out.stdout))
            .iter()
            .find_map(|l| l.strip_suffix(" Leader").map(str::to_string))
    }

    /// `.Status.State` of the node `hostname` (`ready`, `down`, …).
    pub fn node_status(&self, hostname: &str) -> String {
        self.docker_ok(&["node", "inspect", "--format", "{{.Status.State}}", hostname])
    }
}

impl Drop for MultiNode {
    fn drop(&mut self) {
        let started = Instant::now();
        // The partition rules first, even after a panic: the namespaces take them with them
        // too, but a bed never leaves a rule it cannot account for.
        let mut errors = self.heal_all();
        for f in self.fronts.iter_mut() {
            f.stop();
        }
        std::thread::scope(|s| {
            for e in self.engines.iter_mut() {
                s.spawn(move || e.stop(STOP_GRACE));
            }
        });
        let stopped = started.elapsed();
        errors.extend(remove_everything());
        eprintln!(
            "multi-node bed: torn down in {:.1?} (engines stopped in {stopped:.1?})",
            started.elapsed()
        );
        if !errors.is_empty() {
            eprintln!("multi-node bed: teardown incomplete: {errors:?}");
            if !std::thread::panicking() {
                panic!("multi-node bed: teardown incomplete: {errors:?}");
            }
        }
    }
}

/// The machine-wide lock of the multi-node bed (one bed at a time), held until dropped. A test
/// that looks for leftovers holds it too, so that it never sees another test's bed.
pub fn bed_lock() -> File {
    lock_file(&std::env::temp_dir().join("interlock-split-multinode.lock"))
}

/// `docker save` of the stand-in's image from the machine's engine (a read) into the bed's
/// folder, so that every node loads the same image ID.
fn export_image(tag: &str) -> PathBuf {
    std::fs::create_dir_all(bed_root()).expect("creating the bed's folder");
    let tar = bed_root().join("standin.tar");
    super::docker_ok(&["save", "--output", &tar.to_string_lossy(), tag]);
    tar
}

/// `swarm init` on the first manager, `swarm join` of the other managers and the workers,
/// UCP's node labels.
fn form_swarm(engines: &[Engine], managers: usize, collections: &[&str]) {
    let manager = &engines[0];
    manager.docker_ok(&["swarm", "init", "--advertise-addr", &manager.address]);
    let manager_token = manager.docker_ok(&["swarm", "join-token", "-q", "manager"]);
    let worker_token = manager.docker_ok(&["swarm", "join-token", "-q", "worker"]);
    let remote = format!("{}:2377", manager.address);
    for (i, e) in engines.iter().enumerate().skip(1) {
        let token = if i < managers {
            &manager_token
        } else {
            &worker_token
        };
        e.docker_ok(&[
            "swarm",
            "join",
            "--token",
            token,
            "--advertise-addr",
            &e.address,
            &remote,
        ]);
    }
    wait_for(
        "every node to be Ready",
        Duration::from_secs(60),
        || {
            let states = lines(&manager.docker_ok(&["node", "ls", "--format", "{{.Status}}"]));
            (states.len() == engines.len() && states.iter().all(|s| s == "Ready")).then_some(())
        },
        || manager.docker_ok(&["node", "ls"]),
    );
    let swarm_label = format!("{UCP_SWARM_NODE_LABEL}=true");
    for m in &engines[..managers] {
        manager.docker_ok(&["node", "update", "--label-add", &swarm_label, &m.hostname]);
    }
    for (w, collection) in engines[managers..].iter().zip(collections) {
        let collection = format!("{COLLECTION_LABEL}={collection}");
        manager.docker_ok(&[
            "node",
            "update",
            "--label-add",
            &swarm_label,
            "--label-add",
            &collection,
            &w.hostname,
        ]);
    }
}

/// Removes whatever a bed (this one, or an aborted earlier run) left: engines and every process
/// in their namespaces and cgroups, mounts, namespaces, links, the bridge, the firewall rule,
/// cgroup folders and files. Returns what could not be removed.
pub fn remove_everything() -> Vec<String> {
    let stale = engine::stale_engine_pids();
    for pid in &stale {
        let _ = netns::sh("kill", &["-TERM", pid]);
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    while stale
        .iter()
        .any(|pid| Path::new(&format!("/proc/{pid}")).exists())
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(100));
    }
    for ns in netns::namespaces() {
        engine::kill_namespace(&ns);
    }
    let mut errors = engine::remove_cgroups();
    errors.extend(engine::unmount_under(&bed_root()));
    errors.extend(netns::remove_all());
    if bed_root().exists()
        && let Err(e) = std::fs::remove_dir_all(bed_root())
    {
        errors.push(format!("removing {}: {e}", bed_root().display()));
    }
    errors
}

/// True when a multi-node bed can be made here: root, the tools, a network namespace. Otherwise
/// prints `SKIP <test>: <reason>` and returns false, or panics when `INTERLOCK_SPLIT_E2E=required`.
pub fn multinode_available(test: &str) -> bool {
    static PROBE: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    let reason = match PROBE.get_or_init(probe) {
        Ok(()) => return true,
        Err(reason) => reason,
    };
    if std::env::var(E2E_ENV).as_deref() == Ok("required") {
        panic!("{test}: {E2E_ENV}=required but a multi-node bed cannot be made: {reason}");
    }
    eprintln!("SKIP {test}: a multi-node bed cannot be made: {reason}");
    false
}

/// Why a multi-node bed cannot be made here, if it cannot.
fn probe() -> Result<(), String> {
    for tool in [
        "ip", "iptables", "nsenter", "unshare", "setsid", "dockerd", "umount",
    ] {
        let found = run_with_timeout(
            Command::new("sh").args(["-c", &format!("command -v {tool}")]),
            Duration::from_secs(10),
        )
        .is_ok_and(|o| o.status.success());
        if !found {
            return Err(format!("`{tool}` is not installed"));
        }
    }
    // Not under the bed's prefix, so that a bed's cleanup in another process never takes it.
    let probe = format!("{}probe-{}", netns::PREFIX, std::process::id());
    netns::sh("ip", &["netns", "add", &probe])
        .map_err(|e| format!("cannot make a network namespace (needs root): {e}"))?;
    netns::sh("ip", &["netns", "del", &probe])?;
    netns::sh("iptables", &["-S", "FORWARD"])
        .map_err(|e| format!("cannot read the firewall: {e}"))?;
    Ok(())
}
