//! One node of the multi-node bed: a `dockerd` in its own network namespace, with its own
//! hostname, data-root, exec-root, socket and cgroup parent, started detached from the test.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::netns::{self, PREFIX};
use super::run_with_timeout;

/// Where every engine keeps its files (short: containerd's socket paths must fit 108 bytes).
pub fn bed_root() -> PathBuf {
    std::env::temp_dir().join("isplit-mn")
}

/// A running engine.
pub struct Engine {
    /// Node number in the bed (0 is the first manager).
    pub index: usize,
    /// The node's hostname (what `docker node ls` shows).
    pub hostname: String,
    /// The node's address on the test subnet.
    pub address: String,
    /// The engine's API socket.
    pub sock: PathBuf,
    dir: PathBuf,
    child: Option<Child>,
}

impl Engine {
    /// Starts `dockerd` for node `index` in its namespace (made by [`netns::create_node`])
    /// and waits until it answers.
    pub fn start(index: usize, hostname: &str) -> Result<Engine, String> {
        let dir = bed_root().join(format!("n{index}"));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let config = dir.join("daemon.json");
        // The machine's /etc/docker/daemon.json sets data-root; dockerd refuses a flag the
        // file also sets, so every engine gets an empty file of its own.
        std::fs::write(&config, "{}\n").map_err(|e| e.to_string())?;
        let log = std::fs::File::create(dir.join("dockerd.log")).map_err(|e| e.to_string())?;
        let sock = dir.join("docker.sock");
        let ns = netns::namespace(index);
        let dockerd = format!(
            "hostname {hostname} && exec dockerd --config-file {cfg} --data-root {d}/data \
             --exec-root {d}/exec --pidfile {d}/dockerd.pid -H unix://{sock} \
             --cgroup-parent {ns} --bip 172.31.{n}.1/24",
            cfg = config.display(),
            d = dir.display(),
            sock = sock.display(),
            n = 10 + index,
        );
        // nsenter, not `ip netns exec` (which remounts /sys and hides the cgroup mounts);
        // setsid so that the engine does not die with the test's process group.
        let child = Command::new("setsid")
            .arg("nsenter")
            .arg(format!("--net=/var/run/netns/{ns}"))
            .args(["unshare", "--uts", "sh", "-c", &dockerd])
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("starting dockerd for {hostname}: {e}"))?;
        let engine = Engine {
            index,
            hostname: hostname.to_string(),
            address: netns::address(index),
            sock,
            dir,
            child: Some(child),
        };
        engine.wait_ready()?;
        Ok(engine)
    }

    /// Waits (30 s at most) until the engine answers `docker info`.
    fn wait_ready(&self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if self
                .docker(&["info", "--format", "{{.ID}}"])
                .status
                .success()
            {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "the engine of {} does not answer after 30 s; its log:\n{}",
                    self.hostname,
                    self.log()
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `DOCKER_HOST` for this engine.
    pub fn docker_host(&self) -> String {
        format!("unix://{}", self.sock.display())
    }

    /// `docker ARGS…` against this engine (never the machine's own), 2 minutes at most.
    pub fn docker(&self, args: &[&str]) -> Output {
        docker_on(&self.docker_host(), args)
            .unwrap_or_else(|e| panic!("docker {} on {}: {e}", args.join(" "), self.hostname))
    }

    /// `docker ARGS…` against this engine; panics (with stderr) unless it succeeds.
    pub fn docker_ok(&self, args: &[&str]) -> String {
        let out = self.docker(args);
        assert!(
            out.status.success(),
            "docker {} on {} failed: {}",
            args.join(" "),
            self.hostname,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// The engine's own log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("dockerd.log")).unwrap_or_default()
    }

    /// True while the engine process runs.
    pub fn running(&mut self) -> bool {
        matches!(self.child.as_mut().map(Child::try_wait), Some(Ok(None)))
    }

    /// Stops the engine (TERM, then KILL after `grace`) and everything left in its namespace.
    pub fn stop(&mut self, grace: Duration) {
        if let Some(mut child) = self.child.take() {
            let pid = child.id().to_string();
            let _ = netns::sh("kill", &["-TERM", &pid]);
            let deadline = Instant::now() + grace;
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        kill_namespace(&netns::namespace(self.index));
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.stop(Duration::from_secs(15));
    }
}

/// `docker ARGS…` against the engine at `docker_host` (a bed engine's `DOCKER_HOST`), 2
/// minutes at most. For what must outlive a borrow of the bed (a guard's drop).
pub fn docker_on(docker_host: &str, args: &[&str]) -> std::io::Result<Output> {
    let mut cmd = Command::new("docker");
    cmd.env_remove("DOCKER_CONTEXT")
        .env_remove("DOCKER_TLS_VERIFY")
        .env_remove("DOCKER_CERT_PATH")
        .env("DOCKER_HOST", docker_host)
        .args(args);
    run_with_timeout(&mut cmd, Duration::from_secs(120))
}

/// KILLs every process left in namespace `ns` (an engine of an aborted run, its containerd and
/// shims).
pub fn kill_namespace(ns: &str) {
    for _ in 0..50 {
        let pids = netns::pids_in(ns);
        if pids.is_empty() {
            return;
        }
        for pid in pids {
            let _ = netns::sh("kill", &["-KILL", &pid.to_string()]);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Unmounts everything under `root` (deepest first), as a KILLed engine leaves its mounts.
pub fn unmount_under(root: &Path) -> Vec<String> {
    let root = root.to_string_lossy().to_string();
    let text = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let mut points: Vec<String> = text
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .filter(|p| p.starts_with(&root))
        .map(str::to_string)
        .collect();
    points.sort_by_key(|p| std::cmp::Reverse(p.len()));
    points.dedup();
    points
        .iter()
        .filter_map(|p| netns::sh("umount", &["-l", p]).err())
        .collect()
}

/// The cgroup folders the engines' `--cgroup-parent` made, deepest first.
fn cgroup_dirs() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    walk(&e.path(), out);
                }
            }
        }
        out.push(dir.to_path_buf());
    }
    let mut out = Vec::new();
    for controller in std::fs::read_dir("/sys/fs/cgroup").into_iter().flatten() {
        let Ok(controller) = controller else { continue };
        for e in std::fs::read_dir(controller.path()).into_iter().flatten() {
            let Ok(e) = e else { continue };
            if e.file_name()
                .to_string_lossy()
                .starts_with(&format!("{PREFIX}-"))
            {
                walk(&e.path(), &mut out);
            }
        }
    }
    out
}

/// KILLs the processes left in the bed's cgroups (containers of a KILLed engine), then removes
/// the folders.
pub fn remove_cgroups() -> Vec<String> {
    for dir in cgroup_dirs() {
        let procs = std::fs::read_to_string(dir.join("cgroup.procs")).unwrap_or_default();
        for pid in procs.split_whitespace() {
            let _ = netns::sh("kill", &["-KILL", pid]);
        }
    }
    let mut errors = Vec::new();
    for dir in cgroup_dirs() {
        let mut result = std::fs::remove_dir(&dir);
        for _ in 0..20 {
            if result.is_ok() || !dir.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
            result = std::fs::remove_dir(&dir);
        }
        if let Err(e) = result
            && dir.exists()
        {
            errors.push(format!("rmdir {}: {e}", dir.display()));
        }
    }
    errors
}

/// PIDs of engines of an earlier run, from their pidfiles (the namespace may be gone).
pub fn stale_engine_pids() -> Vec<String> {
    let mut pids = Vec::new();
    for e in std::fs::read_dir(bed_root())
        .into_iter()
        .flatten()
        .flatten()
    {
        if let Ok(pid) = std::fs::read_to_string(e.path().join("dockerd.pid")) {
            let pid = pid.trim().to_string();
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            // Only a dockerd that uses this bed's files, never the machine's own engine.
            if String::from_utf8_lossy(&cmdline).contains(&*bed_root().to_string_lossy()) {
                pids.push(pid);
            }
        }
    }
    pids
}
