//! The distribution for bastion hosts: `dist/build-static.sh` makes one static executable,
//! `dist/build-image.sh` puts it in an image FROM scratch (dist/Dockerfile), and that image runs
//! as the README says: `plan` offline on files mounted at /work, `status` against the local
//! engine through its socket, `plan --bundle` through a client bundle, and a cluster named by
//! host name (static glibc resolves it in an image without /etc/nsswitch.conf). Skipped (with
//! `SKIP …`) when no Docker engine answers, unless `INTERLOCK_SPLIT_E2E=required`.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::bed::FIRST_CONFIG;
use support::cli::{json, show, write};
use support::lock::{target_dir, workspace_dir};
use support::{Core, TlsFront, TlsOptions, run_with_timeout};

const DEFAULT_TOML: &str = include_str!("../fixtures/ucp-3.1-default.toml");
const SPEC: &str = include_str!("../templates/environments.toml");
const WAIT: Duration = Duration::from_secs(40);

/// The static binary and the image holding it, built once per process.
struct Dist {
    binary: PathBuf,
    tag: String,
}

/// Runs `dist/build-image.sh` (which runs `dist/build-static.sh`): the scripts an operator runs,
/// so that they are what is tested.
fn dist() -> &'static Dist {
    static DIST: OnceLock<Dist> = OnceLock::new();
    DIST.get_or_init(|| {
        let started = Instant::now();
        let tag = "interlock-split-test/dist:latest";
        let out = run_with_timeout(
            Command::new("sh")
                .arg(workspace_dir().join("dist/build-image.sh"))
                .arg(tag)
                .env("CARGO_TARGET_DIR", target_dir()),
            Duration::from_secs(1200),
        )
        .unwrap_or_else(|e| panic!("running dist/build-image.sh: {e}"));
        assert!(
            out.status.success(),
            "dist/build-image.sh failed: {}",
            show(&out)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), tag);
        let binary = target_dir().join("x86_64-unknown-linux-gnu/release/interlock-split");
        eprintln!(
            "dist: static binary and image {tag} ready in {:.1?}",
            started.elapsed()
        );
        Dist {
            binary,
            tag: tag.to_string(),
        }
    })
}

/// True when the ELF file asks for no program interpreter (no `PT_INTERP`): the kernel runs it
/// without a dynamic loader or any shared library, as a FROM-scratch image needs.
fn has_no_interpreter(elf: &[u8]) -> bool {
    const PT_INTERP: u32 = 3;
    let u16_at = |at: usize| u16::from_le_bytes([elf[at], elf[at + 1]]) as usize;
    let ph_offset = u64::from_le_bytes(elf[0x20..0x28].try_into().unwrap()) as usize;
    let (ph_size, ph_count) = (u16_at(0x36), u16_at(0x38));
    (0..ph_count).all(|i| {
        let at = ph_offset + i * ph_size;
        u32::from_le_bytes(elf[at..at + 4].try_into().unwrap()) != PT_INTERP
    })
}

/// `docker run --rm [docker_args…] IMAGE --color never [args…]` from `dir`.
fn run_image(dir: &Path, docker_args: &[&str], args: &[&str]) -> Output {
    let mut cmd = Command::new("docker");
    cmd.current_dir(dir)
        .args(["run", "--rm"])
        .args(docker_args)
        .arg(&dist().tag)
        .args(["--color", "never"])
        .args(args);
    run_with_timeout(&mut cmd, Duration::from_secs(120)).expect("docker run")
}

/// `-v DIR:/work -w /work`, as the README's command line has it.
fn mount_work(dir: &Path) -> [String; 4] {
    [
        "-v".into(),
        format!("{}:/work", dir.display()),
        "-w".into(),
        "/work".into(),
    ]
}

#[test]
fn the_static_binary_plans_offline_in_a_scratch_image() {
    if !support::docker_available("the_static_binary_plans_offline_in_a_scratch_image") {
        return;
    }
    let dist = dist();
    let elf = std::fs::read(&dist.binary).unwrap();
    assert_eq!(&elf[..4], b"\x7fELF", "{}", dist.binary.display());
    assert!(
        has_no_interpreter(&elf),
        "{} needs a dynamic loader: it would not run FROM scratch",
        dist.binary.display()
    );
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "config.orig.toml", DEFAULT_TOML);
    write(dir.path(), "spec.toml", SPEC);
    let args = [
        "plan",
        "--current",
        "config.orig.toml",
        "--spec",
        "spec.toml",
    ];

    let work = mount_work(dir.path());
    let work: Vec<&str> = work.iter().map(String::as_str).collect();
    let out = run_image(
        dir.path(),
        &work,
        &[&args[..], &["--out", "split.plan"]].concat(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("into 3 service clusters"), "{}", show(&out));
    // The same binary outside the image prints the same plan.
    let direct = run_with_timeout(
        Command::new(&dist.binary)
            .current_dir(dir.path())
            .args(["--color", "never"])
            .args(args),
        Duration::from_secs(60),
    )
    .unwrap();
    assert_eq!(stdout, String::from_utf8_lossy(&direct.stdout));
    // The plan was written into the mounted directory, private to its owner.
    use std::os::unix::fs::PermissionsExt;
    let saved = std::fs::metadata(dir.path().join("split.plan")).expect("split.plan written");
    assert_eq!(saved.permissions().mode() & 0o777, 0o600);
}

#[test]
fn the_image_reads_the_swarm_through_the_socket_a_bundle_and_a_host_name() {
    if !support::docker_available(
        "the_image_reads_the_swarm_through_the_socket_a_bundle_and_a_host_name",
    ) {
        return;
    }
    let tag = &dist().tag;
    let core = Core::deploy(DEFAULT_TOML);
    core.wait_running("ucp-interlock-proxy", 2, WAIT);
    core.wait_running("ucp-interlock-extension", 1, WAIT);

    let socket = ["-v", "/var/run/docker.sock:/var/run/docker.sock"];
    let out = run_image(Path::new("/"), &socket, &["status", "--output", "json"]);
    assert_eq!(out.status.code(), Some(0), "{tag}: {}", show(&out));
    let st = json(&out);
    assert_eq!(st["core"]["config"], FIRST_CONFIG);
    assert_eq!(st["clusters"][0]["services"][1]["running"], 2);
    assert_eq!(st["problems"], 0, "{}", show(&out));

    // The front listens on the host's loopback: the container shares the host's network.
    let front = TlsFront::start(TlsOptions::default());
    let dir = tempfile::tempdir().unwrap();
    front.bundle_zip(&dir.path().join("bundle.zip"));
    front.bundle_dir(&dir.path().join("bundle"));
    write(
        dir.path(),
        "interlock-split.toml",
        &one_cluster_spec(&core.node),
    );
    let mut docker_args: Vec<String> = mount_work(dir.path()).into();
    docker_args.extend(["--network".into(), "host".into()]);
    let docker_args: Vec<&str> = docker_args.iter().map(String::as_str).collect();

    let out = run_image(
        dir.path(),
        &docker_args,
        &["plan", "--bundle", "bundle.zip", "--output", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let plan: Value = json(&out);
    assert_eq!(plan["current"]["config_name"], FIRST_CONFIG);
    assert_eq!(plan["clusters"][0]["name"], "dev");

    let host = format!("tcp://localhost:{}", front.port());
    let by_name = [
        "status",
        "--host",
        &host,
        "--tls-ca",
        "bundle/ca.pem",
        "--tls-cert",
        "bundle/cert.pem",
        "--tls-key",
        "bundle/key.pem",
        "--output",
        "json",
    ];
    let out = run_image(dir.path(), &docker_args, &by_name);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(json(&out)["core"]["config"], FIRST_CONFIG);
    drop(core);
}

/// One service cluster on the test bed's one node, under a label key of its own.
fn one_cluster_spec(node_id: &str) -> String {
    let host = support::bed::hostname(node_id);
    format!(
        "[clusters.dev]\nhttp_port = 8082\nhttps_port = 8445\nproxy_replicas = 1\n\
         node_label_key = \"it.interlock-split.dev\"\nnode_label = \"yes\"\nnodes = [\"{host}\"]\n"
    )
}
