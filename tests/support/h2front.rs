//! An HTTP/2 front to the local engine, as a manager whose TLS server speaks h2: `nghttpx`
//! (Debian's `nghttp2-proxy`) on `127.0.0.1:<free port>` with TLS, client certificate required
//! and verified against the bundle's CA, h2 and http/1.1 in ALPN, HTTP/1.1 to the engine's
//! socket. Its access log says, for every request, the protocol ALPN chose and the client
//! certificate's subject.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::E2E_ENV;
use super::bundle::Bundle;
use super::certs::Material;
use super::tls::TlsOptions;

/// One line of the access log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logged {
    /// ALPN's choice: `h2`, `http/1.1`, or `-` when none.
    pub alpn: String,
    /// The verified client certificate's subject (`CN=admin`).
    pub client: String,
    pub method: String,
    pub path: String,
    pub status: u16,
}

/// A running nghttpx; killed on drop.
pub struct H2Front {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
    bundle: Bundle,
}

/// `nghttpx` on the PATH or in /usr/sbin (Debian installs it there, off a user's PATH).
/// Otherwise prints `SKIP <test>: …` and returns None, or panics when the real-swarm tests are
/// required.
pub fn nghttpx(test: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain([PathBuf::from("/usr/sbin")])
        .map(|d| d.join("nghttpx"))
        .find(|p| p.is_file());
    if found.is_none() {
        let reason = "nghttpx is not installed (apt-get install nghttp2-proxy)";
        if std::env::var(E2E_ENV).as_deref() == Ok("required") {
            panic!("{test}: {E2E_ENV}=required but {reason}");
        }
        eprintln!("SKIP {test}: {reason}");
    }
    found
}

/// A port nothing listens on now (the kernel's choice, released for nghttpx to bind).
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    l.local_addr().expect("its address").port()
}

impl H2Front {
    /// Writes the certificates, starts `nghttpx` and waits until it listens.
    pub fn start(nghttpx: &Path) -> H2Front {
        let material = Material::new(&TlsOptions::default());
        let dir = tempfile::tempdir().expect("the front's directory");
        let file = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("writing the front's files");
            path
        };
        let ca = file("ca.pem", &material.ca.pem());
        let cert = file("server.pem", &material.server_cert.pem());
        let key = file("server-key.pem", &material.server_key.serialize_pem());
        let port = free_port();
        let log = dir.path().join("access.log");
        let child = Command::new(nghttpx)
            .arg("--conf=/dev/null")
            .arg(format!("--frontend=127.0.0.1,{port}"))
            .arg("--backend=unix:/var/run/docker.sock;;proto=http/1.1")
            .arg("--verify-client")
            .arg(format!("--verify-client-cacert={}", ca.display()))
            .arg(format!("--accesslog-file={}", log.display()))
            .arg("--accesslog-format=$alpn\t$tls_client_subject_name\t$method\t$path\t$status")
            .arg(format!(
                "--errorlog-file={}",
                dir.path().join("error.log").display()
            ))
            .args(["--workers=1", "--no-ocsp"])
            .arg(&key)
            .arg(&cert)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", nghttpx.display()));
        let front = H2Front {
            child,
            port,
            bundle: Bundle {
                docker_host: format!("tcp://127.0.0.1:{port}"),
                ca_pem: material.ca.pem(),
                cert_pem: material.client_cert.pem(),
                key_pem: material.client_key_pem,
            },
            dir,
        };
        front.wait_listening();
        front
    }

    fn wait_listening(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nghttpx does not listen on {}:\n{}",
                self.port,
                self.error_log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The client bundle for this front.
    pub fn bundle(&self) -> &Bundle {
        &self.bundle
    }

    /// nghttpx's error log (its notices included).
    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }

    /// Every request served so far, oldest first.
    pub fn requests(&self) -> Vec<Logged> {
        let text = std::fs::read_to_string(self.dir.path().join("access.log")).unwrap_or_default();
        text.lines()
            .filter_map(|line| {
                let f: Vec<&str> = line.split('\t').collect();
                let [alpn, client, method, path, status] = f[..] else {
                    return None;
                };
                Some(Logged {
                    alpn: alpn.into(),
                    client: client.into(),
                    method: method.into(),
                    path: path.into(),
                    status: status.parse().ok()?,
                })
            })
            .collect()
    }
}

impl Drop for H2Front {
    fn drop(&mut self) {
        // Its worker process ends with it.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
