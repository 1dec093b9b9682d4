//! A client bundle as UCP's zip has it, for a front at `tcp://127.0.0.1:<port>`: written as a
//! directory, as a zip, or used by the docker CLI.

use std::io::Write;
use std::path::Path;
use std::process::Command;

/// The bundle's certificates and the front's address.
#[derive(Clone, Debug)]
pub struct Bundle {
    /// `tcp://127.0.0.1:<port>`, as `DOCKER_HOST` in `env.sh`.
    pub docker_host: String,
    pub ca_pem: String,
    pub cert_pem: String,
    pub key_pem: String,
}

impl Bundle {
    /// `ca.pem`, `cert.pem`, `key.pem`, `env.sh`, `env.ps1`, `env.cmd`.
    pub fn files(&self) -> Vec<(&'static str, String)> {
        let host = &self.docker_host;
        vec![
            ("ca.pem", self.ca_pem.clone()),
            ("cert.pem", self.cert_pem.clone()),
            ("key.pem", self.key_pem.clone()),
            (
                "env.sh",
                format!(
                    "export DOCKER_HOST={host}\nexport DOCKER_TLS_VERIFY=1\nexport DOCKER_CERT_PATH=\"$(pwd)\"\n"
                ),
            ),
            (
                "env.ps1",
                format!(
                    "$env:DOCKER_HOST=\"{host}\"\r\n$env:DOCKER_TLS_VERIFY=1\r\n\
                     $env:DOCKER_CERT_PATH=$(Split-Path $script:MyInvocation.MyCommand.Path)\r\n"
                ),
            ),
            (
                "env.cmd",
                format!(
                    "@echo off\r\nset DOCKER_HOST={host}\r\nset DOCKER_TLS_VERIFY=1\r\nset DOCKER_CERT_PATH=%~dp0\r\n"
                ),
            ),
        ]
    }

    /// Writes the bundle into `dir` (created if needed; `key.pem` mode 0600).
    pub fn write_dir(&self, dir: &Path) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
        for (name, text) in self.files() {
            let path = dir.join(name);
            std::fs::write(&path, text)
                .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
            if name == "key.pem" {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                    .unwrap_or_else(|e| panic!("chmod {}: {e}", path.display()));
            }
        }
    }

    /// Writes the bundle as a zip at `path`, the files at the root as in UCP's download.
    pub fn write_zip(&self, path: &Path) {
        let file = std::fs::File::create(path)
            .unwrap_or_else(|e| panic!("creating {}: {e}", path.display()));
        let mut zip = zip::ZipWriter::new(file);
        for (name, text) in self.files() {
            let mode = if name == "key.pem" { 0o600 } else { 0o644 };
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .unix_permissions(mode);
            zip.start_file(name, options).expect("zip entry");
            zip.write_all(text.as_bytes()).expect("zip data");
        }
        zip.finish().expect("finishing the zip");
    }

    /// `docker --tlsverify --tlscacert … --tlscert … --tlskey … -H <docker_host>` for the bundle
    /// written with [`Bundle::write_dir`] into `dir` (without the caller's `DOCKER_*`
    /// environment).
    pub fn docker_command(&self, dir: &Path) -> Command {
        let mut cmd = Command::new("docker");
        cmd.env_remove("DOCKER_HOST")
            .env_remove("DOCKER_CONTEXT")
            .env_remove("DOCKER_TLS_VERIFY")
            .env_remove("DOCKER_CERT_PATH")
            .arg("--tlsverify")
            .arg("--tlscacert")
            .arg(dir.join("ca.pem"))
            .arg("--tlscert")
            .arg(dir.join("cert.pem"))
            .arg("--tlskey")
            .arg(dir.join("key.pem"))
            .arg("-H")
            .arg(&self.docker_host);
        cmd
    }
}
