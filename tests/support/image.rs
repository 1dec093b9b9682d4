//! The stand-in's image: the static `interlock-standin` binary in an image FROM scratch.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::lock::{lock_file, target_dir, workspace_dir};
use super::{docker, docker_ok, run_with_timeout};

/// Repository of the stand-in's image; the tag is the first 12 hex digits of the binary's
/// SHA-256.
pub const STANDIN_REPO: &str = "interlock-split-test/standin";

/// The stand-in's image, built and imported once per process.
#[derive(Clone, Debug)]
pub struct StandinImage {
    /// `interlock-split-test/standin:<hash12>`.
    pub tag: String,
    /// The image ID (`sha256:…`). Services run the image by ID, so that swarm never tries to
    /// pull it from a registry (it would for a tag).
    pub id: String,
    /// The static binary the image holds at `/interlock-standin`.
    pub binary: PathBuf,
}

/// Builds `interlock-standin` as a static binary (`cargo build -p interlock-standin --release
/// --target <host>` with `+crt-static` into `target/standin`), imports it with `docker import` unless the tag
/// already exists, and returns the image (once per process; safe across test binaries).
pub fn standin_image() -> StandinImage {
    static IMAGE: OnceLock<StandinImage> = OnceLock::new();
    IMAGE.get_or_init(build_and_import).clone()
}

/// The directory of the static build.
fn standin_target_dir() -> PathBuf {
    target_dir().join("standin")
}

/// Builds the static binary and imports it (under a lock shared by all test binaries).
fn build_and_import() -> StandinImage {
    let dir = standin_target_dir();
    let _lock = lock_file(&dir.join("interlock-split-standin-image.lock"));
    let started = Instant::now();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let triple = host_triple();
    let out = run_with_timeout(
        Command::new(cargo)
            .current_dir(workspace_dir())
            .args([
                "build",
                "--quiet",
                "-p",
                "interlock-standin",
                "--release",
                "--target",
                &triple,
                "--target-dir",
            ])
            .arg(&dir)
            .env("RUSTFLAGS", "-C target-feature=+crt-static")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("CARGO_BUILD_RUSTFLAGS")
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_BUILD_TARGET"),
        Duration::from_secs(600),
    )
    .unwrap_or_else(|e| panic!("building interlock-standin: {e}"));
    assert!(
        out.status.success(),
        "building the static interlock-standin failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let binary = dir.join(&triple).join("release").join("interlock-standin");
    let bytes =
        std::fs::read(&binary).unwrap_or_else(|e| panic!("reading {}: {e}", binary.display()));
    let hash = hex::encode(Sha256::digest(&bytes));
    let tag = format!("{STANDIN_REPO}:{}", &hash[..12]);
    let inspect = docker(&["image", "inspect", "--format", "{{.Id}}", &tag]);
    let id = if inspect.status.success() {
        String::from_utf8_lossy(&inspect.stdout).trim().to_string()
    } else {
        let tar = dir.join(format!("standin-{}.tar", &hash[..12]));
        std::fs::write(&tar, tar_one_file("interlock-standin", &bytes, 0o755))
            .unwrap_or_else(|e| panic!("writing {}: {e}", tar.display()));
        docker_ok(&[
            "import",
            "--change",
            r#"ENTRYPOINT ["/interlock-standin"]"#,
            "--message",
            "interlock-split test bed: stand-in for the Interlock core",
            tar.to_str().expect("UTF-8 path"),
            &tag,
        ]);
        let _ = std::fs::remove_file(&tar);
        docker_ok(&["image", "inspect", "--format", "{{.Id}}", &tag])
    };
    eprintln!(
        "test bed: stand-in image {tag} ({id}) ready in {:.1?}",
        started.elapsed()
    );
    StandinImage { tag, id, binary }
}

/// The host's target triple (`rustc -vV`). Building for it explicitly keeps `+crt-static` off
/// the proc macros (serde's derive), which cannot be linked statically.
fn host_triple() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(rustc).arg("-vV").output().expect("rustc -vV");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc -vV names the host")
        .to_string()
}

/// A ustar archive holding one regular file `name` with `data` and `mode`.
fn tar_one_file(name: &str, data: &[u8], mode: u32) -> Vec<u8> {
    /// Copies `text` into `header` at offset `at`.
    fn put(header: &mut [u8], at: usize, text: &str) {
        header[at..at + text.len()].copy_from_slice(text.as_bytes());
    }
    assert!(name.len() < 100, "tar name too long: {name}");
    let mut header = [0u8; 512];
    put(&mut header, 0, name);
    put(&mut header, 100, &format!("{mode:07o}\0"));
    put(&mut header, 108, "0000000\0"); // uid
    put(&mut header, 116, "0000000\0"); // gid
    put(&mut header, 124, &format!("{:011o}\0", data.len()));
    put(&mut header, 136, "00000000000\0"); // mtime
    put(&mut header, 148, "        "); // checksum placeholder
    header[156] = b'0'; // regular file
    put(&mut header, 257, "ustar\0");
    put(&mut header, 263, "00");
    let sum: u32 = header.iter().map(|&b| u32::from(b)).sum();
    put(&mut header, 148, &format!("{sum:06o}\0 "));
    let mut out = header.to_vec();
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out.extend_from_slice(&[0u8; 1024]);
    out
}
