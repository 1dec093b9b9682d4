//! File locks shared by all test binaries (and all threads of one binary).

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The cargo target directory: `CARGO_TARGET_DIR` when set, else `<workspace>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                workspace_dir().join(dir)
            }
        }
        _ => workspace_dir().join("target"),
    }
}

/// The workspace root (the `interlock-split` package directory; this crate is `tests/support`).
pub fn workspace_dir() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.join("../..")
        .canonicalize()
        .unwrap_or_else(|e| panic!("the workspace above {}: {e}", here.display()))
}

/// Opens (creating it and its directory) `path` and takes an exclusive `flock` on it, blocking
/// until it is free. The lock is released when the returned file is dropped.
pub fn lock_file(path: &Path) -> File {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    }
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(path)
        .unwrap_or_else(|e| panic!("opening lock file {}: {e}", path.display()));
    file.lock()
        .unwrap_or_else(|e| panic!("locking {}: {e}", path.display()));
    file
}

/// Exclusive use of the swarm's one `ucp-interlock` service name (and of the test objects on
/// the engine), held for a test's duration and released on drop.
///
/// It locks `target/interlock-split-swarm.lock` and, because the engine is shared by every
/// checkout on the machine, also `$TMPDIR/interlock-split-swarm.lock` (always in that order).
pub struct SwarmLock {
    _files: Vec<File>,
}

impl SwarmLock {
    /// Blocks until this test is the only one using the swarm test bed.
    pub fn acquire() -> SwarmLock {
        let started = Instant::now();
        let files = vec![
            lock_file(&target_dir().join("interlock-split-swarm.lock")),
            lock_file(&std::env::temp_dir().join("interlock-split-swarm.lock")),
        ];
        let waited = started.elapsed();
        if waited.as_secs() >= 1 {
            eprintln!("test bed: waited {waited:.1?} for the swarm lock");
        }
        SwarmLock { _files: files }
    }
}
