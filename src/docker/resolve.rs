//! Where to connect, and with which credentials, in the docker CLI's order of precedence:
//! `--bundle`, then `--host` with `--tls-*`, then `--context` / `DOCKER_CONTEXT` / the CLI's
//! current context, then `DOCKER_HOST` (+ `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`), then the
//! local socket.

use std::path::{Path, PathBuf};

use super::endpoint::{Address, ConnectArgs, DEFAULT_SOCKET, Endpoint, TlsMaterial, parse_host};
use super::error::ConnectError;
use super::{bundle, context};

/// The process environment, injectable for tests.
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;
    fn home(&self) -> Option<PathBuf>;
}

pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }

    fn home(&self) -> Option<PathBuf> {
        std::env::var_os("HOME").map(PathBuf::from)
    }
}

fn read(path: &Path, what: &str) -> Result<Vec<u8>, ConnectError> {
    std::fs::read(path).map_err(|e| ConnectError::Unreadable {
        what: what.to_string(),
        path: path.display().to_string(),
        error: e.to_string(),
    })
}

fn tls_from_dir(dir: &Path, origin: String) -> Result<TlsMaterial, ConnectError> {
    Ok(TlsMaterial {
        ca: read(&dir.join("ca.pem"), "CA certificate (ca.pem)")?,
        cert: read(&dir.join("cert.pem"), "client certificate (cert.pem)")?,
        key: read(&dir.join("key.pem"), "private key (key.pem)")?,
        origin,
    })
}

/// `--host`, with the TLS files given beside it (all three or none).
fn from_host(host: &str, args: &ConnectArgs) -> Result<Endpoint, ConnectError> {
    let address = parse_host(host)?;
    let given = [&args.tls_ca, &args.tls_cert, &args.tls_key];
    let tls = match given {
        [Some(ca), Some(cert), Some(key)] => Some(TlsMaterial {
            ca: read(ca, "CA certificate (--tls-ca)")?,
            cert: read(cert, "client certificate (--tls-cert)")?,
            key: read(key, "private key (--tls-key)")?,
            origin: "--tls-ca/--tls-cert/--tls-key".into(),
        }),
        [None, None, None] => None,
        _ => return Err(ConnectError::IncompleteTls),
    };
    Ok(Endpoint {
        address,
        tls,
        source: "--host".into(),
    })
}

/// `DOCKER_HOST`, with TLS from `DOCKER_CERT_PATH` when `DOCKER_TLS_VERIFY` is set.
fn from_docker_host(host: &str, env: &dyn Env) -> Result<Endpoint, ConnectError> {
    let address = parse_host(host)?;
    let tls = match (
        &address,
        env.var("DOCKER_TLS_VERIFY"),
        env.var("DOCKER_TLS"),
    ) {
        (Address::Tcp { .. }, Some(_), _) => {
            let dir = env
                .var("DOCKER_CERT_PATH")
                .map(PathBuf::from)
                .or_else(|| env.home().map(|h| h.join(".docker")))
                .ok_or(ConnectError::NoDockerConfig)?;
            Some(tls_from_dir(
                &dir,
                format!("DOCKER_CERT_PATH {}", dir.display()),
            )?)
        }
        (Address::Tcp { .. }, None, Some(_)) => return Err(ConnectError::InsecureTls),
        _ => None,
    };
    Ok(Endpoint {
        address,
        tls,
        source: "DOCKER_HOST".into(),
    })
}

pub fn resolve(args: &ConnectArgs, env: &dyn Env) -> Result<Endpoint, ConnectError> {
    if let Some(path) = &args.bundle {
        let b = bundle::read(path)?;
        return Ok(Endpoint {
            address: parse_host(&b.host)?,
            tls: Some(b.tls),
            source: format!("client bundle {}", path.display()),
        });
    }

    if let Some(host) = &args.host {
        return from_host(host, args);
    }

    let docker_config = env
        .var("DOCKER_CONFIG")
        .map(PathBuf::from)
        .or_else(|| env.home().map(|h| h.join(".docker")));
    let (context_name, context_source) = match (&args.context, env.var("DOCKER_CONTEXT")) {
        (Some(c), _) => (Some(c.clone()), "--context"),
        (None, Some(c)) => (Some(c), "DOCKER_CONTEXT"),
        (None, None) => (
            docker_config.as_deref().and_then(context::current),
            "the docker CLI's current context",
        ),
    };
    // DOCKER_HOST wins over the CLI's current context (as in the docker CLI), not over an
    // explicit --context or DOCKER_CONTEXT.
    let explicit_context = args.context.is_some() || env.var("DOCKER_CONTEXT").is_some();
    if let Some(name) = context_name.filter(|n| n != "default")
        && (explicit_context || env.var("DOCKER_HOST").is_none())
    {
        let dir = docker_config.ok_or(ConnectError::NoDockerConfig)?;
        let ctx = context::read(&dir, &name)?;
        return Ok(Endpoint {
            address: parse_host(&ctx.host)?,
            tls: ctx.tls,
            source: format!("context {name} ({context_source})"),
        });
    }

    if let Some(host) = env.var("DOCKER_HOST") {
        return from_docker_host(&host, env);
    }

    Ok(Endpoint {
        address: Address::Unix(PathBuf::from(DEFAULT_SOCKET)),
        tls: None,
        source: "the local socket".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct FakeEnv(HashMap<&'static str, String>, Option<PathBuf>);

    impl Env for FakeEnv {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).cloned()
        }
        fn home(&self) -> Option<PathBuf> {
            self.1.clone()
        }
    }

    #[test]
    fn hosts() {
        assert_eq!(
            parse_host("tcp://ucp.example.com:443").unwrap(),
            Address::Tcp {
                host: "ucp.example.com".into(),
                port: 443
            }
        );
        assert_eq!(
            parse_host("unix:///var/run/docker.sock").unwrap(),
            Address::Unix("/var/run/docker.sock".into())
        );
        assert!(parse_host("ssh://me@host").is_err());
        assert!(parse_host("tcp://h:x").is_err());
    }

    #[test]
    fn precedence_falls_through_to_the_socket() {
        let env = FakeEnv(HashMap::new(), None);
        let e = resolve(&ConnectArgs::default(), &env).unwrap();
        assert_eq!(e.address, Address::Unix(DEFAULT_SOCKET.into()));
        let env = FakeEnv(
            HashMap::from([("DOCKER_HOST", "tcp://10.0.0.1:2375".to_string())]),
            None,
        );
        let e = resolve(&ConnectArgs::default(), &env).unwrap();
        assert_eq!(e.source, "DOCKER_HOST");
        assert!(e.tls.is_none());
        let env = FakeEnv(
            HashMap::from([
                ("DOCKER_HOST", "tcp://h:2376".to_string()),
                ("DOCKER_TLS", "1".to_string()),
            ]),
            None,
        );
        assert!(matches!(
            resolve(&ConnectArgs::default(), &env),
            Err(ConnectError::InsecureTls)
        ));
    }

    #[test]
    fn host_flag_needs_all_three_tls_files() {
        let args = ConnectArgs {
            host: Some("tcp://h:443".into()),
            tls_ca: Some("ca.pem".into()),
            ..Default::default()
        };
        let env = FakeEnv(HashMap::new(), None);
        assert!(matches!(
            resolve(&args, &env),
            Err(ConnectError::IncompleteTls)
        ));
    }
}
