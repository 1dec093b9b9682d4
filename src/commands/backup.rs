//! The backup apply writes before it changes anything: the TOML in use, under a name that
//! sorts by time and says when it was taken (`interlock-backup-<config>-20261129T043619Z.toml`).
//!
//! It is written whole or not at all: to a temporary file, synced, then linked under its name
//! (a link never replaces a file, so a backup is never overwritten), so that a full disk or a
//! crash leaves no empty or half file that looks like a backup.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::cli::{CliError, ErrorCode};
use crate::docker::LiveState;
use crate::time;

/// The current TOML, kept where the operator can find it, readable by the owner only.
pub fn write(dir: &str, state: &LiveState) -> Result<String, CliError> {
    let stamp = time::stamp(time::unix(SystemTime::now()));
    let dir = Path::new(dir);
    let base = format!("interlock-backup-{}-{stamp}", state.config.name);
    let tmp = dir.join(format!(".{base}.{}.tmp", std::process::id()));
    let written =
        write_synced(&tmp, state.toml.as_bytes()).and_then(|()| publish(&tmp, dir, &base));
    // The temporary file goes whatever happened: published, it is a second name of the backup.
    let _ = std::fs::remove_file(&tmp);
    written.map(|p| p.display().to_string()).map_err(|e| {
        CliError::new(
            ErrorCode::WriteFailed,
            format!(
                "cannot write the backup of {} in {}: {e}",
                state.config.name,
                dir.display()
            ),
        )
        .nothing_changed()
        .hint("point --backup-dir at a writable directory with room for it")
    })
}

/// Writes `data` to a new file at `path` (mode 0600) and syncs it to disk.
fn write_synced(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path)?;
    f.write_all(data)?;
    f.sync_all()
}

/// Links the written file under the first free name: `<base>.toml`, then `<base>-1.toml`, … (a
/// re-run in the same second).
fn publish(tmp: &Path, dir: &Path, base: &str) -> std::io::Result<PathBuf> {
    for n in 0..100 {
        let suffix = if n == 0 {
            String::new()
        } else {
            format!("-{n}")
        };
        let path = dir.join(format!("{base}{suffix}.toml"));
        match std::fs::hard_link(tmp, &path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        "a hundred backups of this config were written this second",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(toml: &str) -> LiveState {
        LiveState {
            snapshot: Default::default(),
            core: crate::cluster::Service {
                id: "core".into(),
                name: "ucp-interlock".into(),
                version: 1,
                labels: Default::default(),
                replicas: Some(1),
                constraints: Vec::new(),
                ports: Vec::new(),
                configs: Vec::new(),
                image: String::new(),
                update: None,
                networks: Vec::new(),
            },
            config: crate::cluster::ConfigInfo {
                id: "c1".into(),
                name: "com.docker.ucp.interlock.conf-1".into(),
                labels: Default::default(),
                created_at: None,
            },
            toml: toml.into(),
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut n: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    }

    #[test]
    fn two_backups_in_one_second_get_two_names_and_nothing_else_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap();
        let a = write(d, &state("a = 1\n")).unwrap();
        let b = write(d, &state("b = 2\n")).unwrap();
        assert_ne!(a, b);
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "a = 1\n");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "b = 2\n");
        assert_eq!(names(dir.path()).len(), 2, "{:?}", names(dir.path()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&a).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_directory_that_cannot_take_it_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nowhere");
        let e = write(missing.to_str().unwrap(), &state("a = 1\n")).unwrap_err();
        assert!(
            e.message.contains("cannot write the backup"),
            "{}",
            e.message
        );
        assert!(e.nothing_changed);
        assert!(names(dir.path()).is_empty());
    }
}
