//! The backup apply writes before it changes anything: the TOML in use, under a name that
//! sorts by time and says when it was taken (`interlock-backup-<config>-20261129T043619Z.toml`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::cli::CliError;
use crate::docker::LiveState;

/// The current TOML, kept where the operator can find it, readable by the owner only.
pub fn write(dir: &str, state: &LiveState) -> Result<String, CliError> {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (path, mut f) = create(Path::new(dir), &state.config.name, &utc_stamp(secs))?;
    f.write_all(state.toml.as_bytes()).map_err(|e| {
        CliError::user(format!("cannot write the backup {}: {e}", path.display())).nothing_changed()
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
                return Err(CliError::user(format!(
                    "cannot write the backup {}: {e}",
                    path.display()
                ))
                .nothing_changed()
                .hint("point --backup-dir at a writable directory"));
            }
        }
    }
}

/// Seconds since the epoch as ISO 8601 basic format in UTC: `20261129T043619Z`.
pub fn utc_stamp(secs: u64) -> String {
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_utc_in_basic_format() {
        assert_eq!(utc_stamp(0), "19700101T000000Z");
        assert_eq!(utc_stamp(1_795_926_979), "20261129T043619Z");
        // A leap day and the last second of a century leap year.
        assert_eq!(utc_stamp(1_709_208_000), "20240229T120000Z");
        assert_eq!(utc_stamp(978_307_199), "20001231T235959Z");
    }

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
