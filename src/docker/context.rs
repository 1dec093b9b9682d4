//! Docker CLI contexts (`docker context create …`), read as the CLI stores them.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::bundle::host_from_meta;
use super::endpoint::TlsMaterial;
use super::error::ConnectError;

pub struct DockerContext {
    pub host: String,
    pub tls: Option<TlsMaterial>,
}

/// The CLI's current context (`currentContext` in config.json).
pub fn current(docker_config: &Path) -> Option<String> {
    let text = std::fs::read(docker_config.join("config.json")).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&text).ok()?;
    v.get("currentContext")?
        .as_str()
        .filter(|s| !s.is_empty())
        .map(String::from)
}

fn id(name: &str) -> String {
    hex::encode(Sha256::digest(name.as_bytes()))
}

pub fn read(docker_config: &Path, name: &str) -> Result<DockerContext, ConnectError> {
    let meta_path = docker_config
        .join("contexts/meta")
        .join(id(name))
        .join("meta.json");
    let meta = std::fs::read(&meta_path).map_err(|_| ConnectError::UnknownContext {
        name: name.to_string(),
        path: meta_path.display().to_string(),
    })?;
    let v: serde_json::Value =
        serde_json::from_slice(&meta).map_err(|e| ConnectError::BadContext {
            name: name.to_string(),
            why: e.to_string(),
        })?;
    let docker = v.get("Endpoints").and_then(|e| e.get("docker"));
    if docker
        .and_then(|d| d.get("SkipTLSVerify"))
        .and_then(serde_json::Value::as_bool)
        == Some(true)
    {
        return Err(ConnectError::InsecureTls);
    }
    let host = host_from_meta(&meta).ok_or_else(|| ConnectError::BadContext {
        name: name.to_string(),
        why: "it has no docker endpoint".into(),
    })?;
    let tls_dir = docker_config
        .join("contexts/tls")
        .join(id(name))
        .join("docker");
    let tls = if tls_dir.join("cert.pem").is_file() {
        let read = |f: &str| {
            std::fs::read(tls_dir.join(f)).map_err(|e| ConnectError::Unreadable {
                what: format!("context {name}'s {f}"),
                path: tls_dir.join(f).display().to_string(),
                error: e.to_string(),
            })
        };
        Some(TlsMaterial {
            ca: read("ca.pem")?,
            cert: read("cert.pem")?,
            key: read("key.pem")?,
            origin: format!("context {name}"),
        })
    } else {
        None
    };
    Ok(DockerContext { host, tls })
}
