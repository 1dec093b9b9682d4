//! UCP/MKE client bundles: the zip as downloaded, or the folder it unzips to. Certificates are
//! read straight from the zip; nothing is written to disk.

use std::io::Read;
use std::path::Path;

use super::endpoint::TlsMaterial;
use super::error::ConnectError;

pub struct Bundle {
    pub host: String,
    pub tls: TlsMaterial,
}

/// The files of a bundle, by base name; the shallowest wins (bundles may wrap a folder).
struct Files(Vec<(String, Vec<u8>)>);

impl Files {
    fn get(&self, names: &[&str]) -> Option<&[u8]> {
        names.iter().find_map(|want| {
            self.0
                .iter()
                .filter(|(path, _)| path == want || path.ends_with(&format!("/{want}")))
                .min_by_key(|(path, _)| path.matches('/').count())
                .map(|(_, data)| data.as_slice())
        })
    }
}

fn from_zip(path: &Path) -> Result<Files, ConnectError> {
    let bad = |error: String| ConnectError::BadBundle {
        path: path.display().to_string(),
        why: error,
    };
    let file = std::fs::File::open(path).map_err(|e| ConnectError::Unreadable {
        what: "client bundle".into(),
        path: path.display().to_string(),
        error: e.to_string(),
    })?;
    let mut zip =
        zip::ZipArchive::new(file).map_err(|e| bad(format!("not a readable zip: {e}")))?;
    let mut files = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| bad(e.to_string()))?;
        if entry.is_dir() || entry.size() > 1 << 20 {
            continue;
        }
        let name = entry
            .name()
            .map_err(|e| bad(e.to_string()))?
            .trim_start_matches("./")
            .to_string();
        let mut data = Vec::new();
        entry
            .read_to_end(&mut data)
            .map_err(|e| bad(e.to_string()))?;
        files.push((name, data));
    }
    Ok(Files(files))
}

fn from_dir(dir: &Path) -> Result<Files, ConnectError> {
    let mut files = Vec::new();
    for rel in [
        "ca.pem",
        "cert.pem",
        "key.pem",
        "env.sh",
        "meta.json",
        "tls/docker/ca.pem",
        "tls/docker/cert.pem",
        "tls/docker/key.pem",
    ] {
        let p = dir.join(rel);
        if p.is_file() {
            let data = std::fs::read(&p).map_err(|e| ConnectError::Unreadable {
                what: format!("bundle file {rel}"),
                path: p.display().to_string(),
                error: e.to_string(),
            })?;
            files.push((rel.to_string(), data));
        }
    }
    Ok(Files(files))
}

/// `DOCKER_HOST` from a bundle's env.sh (`export DOCKER_HOST=tcp://ucp:443`).
pub fn host_from_env_sh(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let l = l.trim().trim_start_matches("export ").trim();
        let v = l.strip_prefix("DOCKER_HOST=")?;
        Some(v.trim().trim_matches('"').trim_matches('\'').to_string())
    })
}

/// The docker endpoint of a context's meta.json.
pub fn host_from_meta(json: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(json).ok()?;
    v.get("Endpoints")?
        .get("docker")?
        .get("Host")?
        .as_str()
        .map(String::from)
}

pub fn read(path: &Path) -> Result<Bundle, ConnectError> {
    let files = if path.is_dir() {
        from_dir(path)?
    } else {
        from_zip(path)?
    };
    let origin = format!("bundle {}", path.display());
    let missing = |name: &str| ConnectError::BadBundle {
        path: path.display().to_string(),
        why: format!("it has no {name}"),
    };
    let host = files
        .get(&["env.sh"])
        .and_then(|t| host_from_env_sh(&String::from_utf8_lossy(t)))
        .or_else(|| files.get(&["meta.json"]).and_then(host_from_meta))
        .ok_or_else(|| missing("DOCKER_HOST (in env.sh or meta.json)"))?;
    let tls = TlsMaterial {
        ca: files
            .get(&["ca.pem"])
            .ok_or_else(|| missing("ca.pem"))?
            .to_vec(),
        cert: files
            .get(&["cert.pem"])
            .ok_or_else(|| missing("cert.pem"))?
            .to_vec(),
        key: files
            .get(&["key.pem"])
            .ok_or_else(|| missing("key.pem"))?
            .to_vec(),
        origin,
    };
    Ok(Bundle { host, tls })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_sh_host() {
        let text = "export COMPOSE_TLS_VERSION=TLSv1_2\nexport DOCKER_CERT_PATH=\"$(pwd)\"\nexport DOCKER_TLS_VERIFY=1\nexport DOCKER_HOST=tcp://ucp.example.com:443\n";
        assert_eq!(
            host_from_env_sh(text).as_deref(),
            Some("tcp://ucp.example.com:443")
        );
        let meta = br#"{"Name":"ucp_admin","Endpoints":{"docker":{"Host":"tcp://ucp:443","SkipTLSVerify":false}}}"#;
        assert_eq!(host_from_meta(meta).as_deref(), Some("tcp://ucp:443"));
    }
}
