//! A directory on a file system with no room left: a small tmpfs, filled to the last byte, to
//! see what a program does when a write fails with "no space left on device". Needs root (to
//! mount); unmounted on drop.

use std::io::Write;
use std::path::Path;
use std::process::Command;

pub struct FullDir {
    dir: tempfile::TempDir,
}

impl FullDir {
    /// The mounted, full directory; `Err` with the reason when it cannot be made here.
    pub fn make() -> Result<FullDir, String> {
        let dir = tempfile::tempdir().map_err(|e| format!("a temporary directory: {e}"))?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "cannot mount a tmpfs (needs root): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let full = FullDir { dir };
        full.fill().map_err(|e| format!("filling the tmpfs: {e}"))?;
        Ok(full)
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a filler until the file system refuses another byte.
    fn fill(&self) -> std::io::Result<()> {
        let mut f = std::fs::File::create(self.path().join("filler"))?;
        for chunk in [4096usize, 1] {
            let buf = vec![0u8; chunk];
            while f.write_all(&buf).and_then(|()| f.flush()).is_ok() {}
        }
        Ok(())
    }

    /// The names in the directory, the filler aside.
    pub fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.path())
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n != "filler")
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }
}

impl Drop for FullDir {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}
