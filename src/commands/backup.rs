//! The backup apply writes before it changes anything: the TOML in use, under a name that
//! sorts by time and says when it was taken (`interlock-backup-<config>-20261129T043619Z.toml`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::cli::{CliError, ErrorCode};
use crate::docker::LiveState;
use crate::time;

/// The current TOML, kept where the operator can find it, readable by the owner only.
pub fn write(dir: &str, state: &LiveState) -> Result<String, CliError> {
    let stamp = time::stamp(time::unix(SystemTime::now()));
    let (path, mut f) = create(Path::new(dir), &state.config.name, &stamp)?;
    f.write_all(state.toml.as_bytes()).map_err(|e| {
        CliError::new(
            ErrorCode::WriteFailed,
            format!("cannot write the backup {}: {e}", path.display()),
        )
        .nothing_changed()
    })?;
    Ok(path.display().to_string())
}

/// Creates a new file, never an existing one: a re-run in the same second gets `-1`, `-2`, ….
fn create(dir: &Path, config: &str, stamp: &str) -> Result<(PathBuf, std::fs::File), CliError> {
    let mut n = 0;
    loop {
        let suffix = if n == 0 {
            String::new()
        } else {
            format!("-{n}")
        };
        let path = dir.join(format!("interlock-backup-{config}-{stamp}{suffix}.toml"));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        match opts.open(&path) {
            Ok(f) => return Ok((path, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => {
                return Err(CliError::new(
                    ErrorCode::WriteFailed,
                    format!("cannot write the backup {}: {e}", path.display()),
                )
                .nothing_changed()
                .hint("point --backup-dir at a writable directory"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_never_overwrites_another() {
        let dir = tempfile::tempdir().unwrap();
        let names: Vec<String> = (0..3)
            .map(|_| {
                let (p, _) = create(dir.path(), "conf-1", "20261129T043619Z").unwrap();
                p.file_name().unwrap().to_string_lossy().into_owned()
            })
            .collect();
        assert_eq!(
            names,
            [
                "interlock-backup-conf-1-20261129T043619Z.toml",
                "interlock-backup-conf-1-20261129T043619Z-1.toml",
                "interlock-backup-conf-1-20261129T043619Z-2.toml",
            ]
        );
    }
}
