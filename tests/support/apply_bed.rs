//! What a real-swarm apply starts from: the stand-in core running a config with its proxy up,
//! the mTLS front with a client bundle for it, the node's hostname, and specs that split the
//! default config into three service clusters on that node. The node labels those specs make
//! apply set are removed again however the test ends.

use std::time::Duration;

use base64::Engine;

use super::bed::Core;
use super::cli::write;
use super::tls::{TlsFront, TlsOptions};
use super::{docker_ok, lines, node_update};

/// The clusters of every spec here, in the order of a spec's ports.
const CLUSTERS: [&str; 3] = ["dev", "test", "prod"];

pub struct ApplyBed {
    pub front: TlsFront,
    /// Where the bundle, the specs and the backups go.
    pub dir: tempfile::TempDir,
    /// The client bundle's path.
    pub bundle: String,
    /// The node's hostname, as specs name it.
    pub host: String,
    pub core: Core,
    label_prefix: &'static str,
}

impl ApplyBed {
    /// The core on `toml`, its proxy's two tasks running. Each test file gives its own
    /// `label_prefix` (the specs' node label keys are `<prefix>.<cluster>`).
    pub fn start(toml: &str, label_prefix: &'static str) -> ApplyBed {
        ApplyBed::start_with(toml, label_prefix, TlsOptions::default())
    }

    /// [`ApplyBed::start`] with a front started with `opts` (HTTP/2 with `http2`).
    pub fn start_with(toml: &str, label_prefix: &'static str, opts: TlsOptions) -> ApplyBed {
        let core = Core::deploy(toml);
        core.wait_running("ucp-interlock-proxy", 2, Duration::from_secs(40));
        let host = super::bed::hostname(&core.node);
        let front = TlsFront::start(opts);
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("bundle.zip");
        front.bundle_zip(&zip);
        let bundle = zip.to_str().unwrap().to_string();
        ApplyBed {
            front,
            dir,
            bundle,
            host,
            core,
            label_prefix,
        }
    }

    /// A spec of dev, test and prod on this node, at `ports` (HTTP, HTTPS) each in that order.
    /// One node cannot carry three values of one key: each cluster gets its own label key.
    pub fn spec_text(&self, ports: [(u16, u16); 3]) -> String {
        let mut s = String::new();
        for (name, (http, https)) in CLUSTERS.iter().zip(ports) {
            s.push_str(&format!(
                "[clusters.{name}]\nhttp_port = {http}\nhttps_port = {https}\nproxy_replicas = 1\nnode_label_key = \"{}.{name}\"\nnode_label = \"yes\"\nnodes = [\"{}\"]\n\n",
                self.label_prefix, self.host
            ));
        }
        s
    }

    /// `plan --spec SPEC --out NAME` through the bundle, checked to exit 0; the saved plan's path.
    pub fn save_plan(&self, spec: &str, name: &str) -> String {
        let saved = self.dir.path().join(name);
        let saved = saved.to_str().unwrap();
        let out = super::cli::tool(&[
            "plan",
            "--bundle",
            &self.bundle,
            "--spec",
            spec,
            "--out",
            saved,
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", super::cli::show(&out));
        saved.to_string()
    }

    /// [`ApplyBed::spec_text`] written to `file` in the bed's directory; its path.
    pub fn spec(&self, file: &str, ports: [(u16, u16); 3]) -> String {
        write(self.dir.path(), file, &self.spec_text(ports))
    }
}

impl Drop for ApplyBed {
    fn drop(&mut self) {
        for c in CLUSTERS {
            let key = format!("{}.{c}", self.label_prefix);
            let _ = node_update(&["--label-rm", &key], &self.core.node);
        }
    }
}

/// The config the core mounts at `/config.toml` (empty when none).
pub fn core_config() -> String {
    docker_ok(&[
        "service",
        "inspect",
        "--format",
        r#"{{range .Spec.TaskTemplate.ContainerSpec.Configs}}{{if eq .File.Name "/config.toml"}}{{.ConfigName}}{{end}}{{end}}"#,
        "ucp-interlock",
    ])
}

/// The Interlock configs on the swarm with their TOML, by name.
pub fn interlock_configs() -> Vec<(String, String)> {
    let names = docker_ok(&["config", "ls", "--format", "{{.Name}}"]);
    let mut out: Vec<(String, String)> = lines(&names)
        .into_iter()
        .filter(|n| n.starts_with("com.docker.ucp.interlock.conf-"))
        .map(|n| {
            let data = docker_ok(&["config", "inspect", "--format", "{{json .Spec.Data}}", &n]);
            let b64: String = serde_json::from_str(&data).unwrap();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap();
            (n, String::from_utf8(bytes).unwrap())
        })
        .collect();
    out.sort();
    out
}
