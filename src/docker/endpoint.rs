//! Where to connect, and with which credentials: the endpoint as data. How it is chosen from the
//! flags, the environment, contexts and bundles is `resolve`'s job.

use std::path::PathBuf;

use super::error::ConnectError;

pub const DEFAULT_SOCKET: &str = "/var/run/docker.sock";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    Unix(PathBuf),
    Tcp { host: String, port: u16 },
}

impl std::fmt::Display for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Address::Unix(p) => write!(f, "unix://{}", p.display()),
            Address::Tcp { host, port } => write!(f, "tcp://{host}:{port}"),
        }
    }
}

/// PEM material for mutual TLS. Only `ca` is trusted for the server, as the docker CLI does.
#[derive(Clone)]
pub struct TlsMaterial {
    pub ca: Vec<u8>,
    pub cert: Vec<u8>,
    pub key: Vec<u8>,
    /// Where they came from, for messages: "bundle ./ucp-bundle-admin.zip".
    pub origin: String,
}

impl std::fmt::Debug for TlsMaterial {
    // Never print key material, not even in debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsMaterial")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
pub struct Endpoint {
    pub address: Address,
    pub tls: Option<TlsMaterial>,
    /// How it was chosen: "--bundle x.zip", "context prod", "DOCKER_HOST", "local socket".
    pub source: String,
}

/// The connection flags, as given.
#[derive(Debug, Clone, Default)]
pub struct ConnectArgs {
    pub bundle: Option<PathBuf>,
    pub host: Option<String>,
    pub tls_ca: Option<PathBuf>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub context: Option<String>,
}

/// Parses `unix:///path`, `tcp://host:port`, `https://host:port`, `host:port`.
pub fn parse_host(url: &str) -> Result<Address, ConnectError> {
    let bad = |why: &str| ConnectError::BadHost {
        host: url.to_string(),
        why: why.to_string(),
    };
    if let Some(path) = url.strip_prefix("unix://") {
        return Ok(Address::Unix(PathBuf::from(path)));
    }
    let rest = ["tcp://", "https://", "http://"]
        .iter()
        .find_map(|p| url.strip_prefix(p))
        .unwrap_or(url);
    if url.contains("://") && rest == url {
        return Err(bad(
            "only unix:// and tcp:// hosts are supported (ssh:// and npipe:// are not)",
        ));
    }
    let rest = rest.trim_end_matches('/');
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || rest.starts_with('[') => {
            let port = p
                .parse::<u16>()
                .map_err(|_| bad("the port is not a number"))?;
            (h, port)
        }
        _ => (rest, 2376),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(bad("no host name"));
    }
    Ok(Address::Tcp {
        host: host.to_string(),
        port,
    })
}
