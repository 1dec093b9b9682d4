//! Everything that can go wrong reaching the cluster, each with its cause and its fix.

use std::error::Error as StdError;
use std::fmt;

use rustls::{AlertDescription, CertificateError};

#[derive(Debug, Clone)]
pub enum ConnectError {
    BadHost {
        host: String,
        why: String,
    },
    Unreadable {
        what: String,
        path: String,
        error: String,
    },
    IncompleteTls,
    NoDockerConfig,
    InsecureTls,
    UnknownContext {
        name: String,
        path: String,
    },
    BadContext {
        name: String,
        why: String,
    },
    BadBundle {
        path: String,
        why: String,
    },
    BadPem {
        what: String,
        origin: String,
        why: String,
    },
    KeyMismatch {
        origin: String,
    },
    ClientCertExpired {
        origin: String,
        not_after: String,
    },
    ClientCertNotYetValid {
        origin: String,
        not_before: String,
    },
    Refused {
        address: String,
    },
    NoSocket {
        address: String,
    },
    SocketPermission {
        address: String,
    },
    TimedOut {
        address: String,
        call: String,
        secs: u64,
    },
    UnknownCa {
        address: String,
        origin: String,
    },
    ServerCertExpired {
        address: String,
    },
    NameMismatch {
        address: String,
    },
    ClientCertRejected {
        address: String,
        alert: String,
    },
    Tls {
        address: String,
        why: String,
    },
    /// Something answered over TLS, but not as a Docker API (a web server, a load balancer).
    NotDocker {
        address: String,
        /// What answered: status line, `Server` header, the start of the body.
        answered: String,
    },
    /// The server answered the TLS handshake with something that is not TLS (plain HTTP).
    NotTls {
        address: String,
        why: String,
    },
    /// The server closed the connection during the TLS handshake.
    HandshakeClosed {
        address: String,
    },
    Forbidden {
        call: String,
        status: u16,
        message: String,
    },
    NotManager {
        message: String,
    },
    NoInterlock,
    /// The object does not exist (HTTP 404).
    NotFound {
        call: String,
        status: u16,
        message: String,
    },
    /// The object changed since it was read: swarm refused a write at an old version.
    OutOfSequence {
        call: String,
        status: u16,
        message: String,
    },
    /// A config still mounted by a service cannot be removed.
    InUse {
        call: String,
        status: u16,
        message: String,
    },
    /// The name is taken (HTTP 409, "already exists").
    NameConflict {
        call: String,
        status: u16,
        message: String,
    },
    /// The engine failed (HTTP 5xx).
    ServerError {
        call: String,
        status: u16,
        message: String,
    },
    /// The connection closed before the answer came: the request may or may not have been
    /// carried out.
    Dropped {
        address: String,
        call: String,
    },
    /// Any other refusal of the engine (HTTP 4xx).
    Api {
        call: String,
        status: u16,
        message: String,
    },
    Other {
        call: String,
        message: String,
    },
}

impl ConnectError {
    pub fn message(&self) -> String {
        use ConnectError::*;
        match self {
            BadHost { host, why } => format!("cannot use host `{host}`: {why}"),
            Unreadable { what, path, error } => format!("cannot read the {what} `{path}`: {error}"),
            IncompleteTls => {
                "--tls-ca, --tls-cert and --tls-key go together; some are missing".into()
            }
            NoDockerConfig => {
                "cannot find the docker CLI's configuration (no HOME, no DOCKER_CONFIG)".into()
            }
            InsecureTls => {
                "TLS without verification is refused: interlock-split always verifies the server"
                    .into()
            }
            UnknownContext { name, path } => {
                format!("there is no docker context `{name}` (looked for {path})")
            }
            BadContext { name, why } => {
                format!("the docker context `{name}` cannot be used: {why}")
            }
            BadBundle { path, why } => format!("`{path}` is not a usable client bundle: {why}"),
            BadPem { what, origin, why } => {
                format!("the {what} of the {origin} cannot be used: {why}")
            }
            KeyMismatch { origin } => {
                format!(
                    "the client certificate and the private key of the {origin} do not belong together"
                )
            }
            ClientCertExpired { origin, not_after } => {
                format!("the client certificate of the {origin} expired on {not_after}")
            }
            ClientCertNotYetValid { origin, not_before } => {
                format!("the client certificate of the {origin} is not valid before {not_before}")
            }
            Refused { address } => {
                format!("connection to {address} refused: nothing listens there")
            }
            NoSocket { address } => format!("no Docker socket at {address}"),
            SocketPermission { address } => format!("permission denied on {address}"),
            TimedOut {
                address,
                call,
                secs,
            } => {
                format!("{address} did not answer within {secs}s ({call})")
            }
            UnknownCa { address, origin } => format!(
                "the server at {address} presented a certificate that the CA of the {origin} did not sign"
            ),
            ServerCertExpired { address } => {
                format!("the server certificate of {address} has expired")
            }
            NameMismatch { address } => {
                format!("the server certificate of {address} is not valid for that name")
            }
            ClientCertRejected { address, alert } => {
                format!("{address} refused the client certificate ({alert})")
            }
            Tls { address, why } => format!("TLS with {address} failed: {why}"),
            NotDocker { address, answered } => format!(
                "{address} does not look like a Docker API: GET /version was answered with {answered}"
            ),
            NotTls { address, why } => {
                format!(
                    "{address} does not speak TLS: it answered the handshake with plain data ({why})"
                )
            }
            HandshakeClosed { address } => {
                format!("{address} closed the connection during the TLS handshake")
            }
            _ => self.api_message(),
        }
    }

    /// The messages of what the engine answered.
    fn api_message(&self) -> String {
        use ConnectError::*;
        match self {
            Forbidden {
                call,
                status,
                message,
            } => {
                format!(
                    "HTTP {status} on {call}: the bundle's user lacks permission for it ({message})"
                )
            }
            NotManager { message } => format!("this node is not a swarm manager: {message}"),
            NoInterlock => {
                "Layer 7 routing is not enabled: there is no `ucp-interlock` service".into()
            }
            NotFound {
                call,
                status,
                message,
            }
            | OutOfSequence {
                call,
                status,
                message,
            }
            | InUse {
                call,
                status,
                message,
            }
            | NameConflict {
                call,
                status,
                message,
            }
            | ServerError {
                call,
                status,
                message,
            }
            | Api {
                call,
                status,
                message,
            } => format!("{call} failed with HTTP {status}: {message}"),
            Dropped { address, call } => {
                format!("{call} failed: {address} closed the connection before answering")
            }
            Other { call, message } => format!("{call} failed: {message}"),
            _ => unreachable!("connection and TLS errors are worded in `message`"),
        }
    }

    pub fn hint(&self) -> Option<String> {
        use ConnectError::*;
        Some(match self {
            BadHost { .. } => "write it as tcp://HOST:PORT or unix:///path/to/docker.sock".into(),
            Unreadable { .. } => "check the path and its permissions".into(),
            IncompleteTls => "give all three, or none for a plain connection".into(),
            NoDockerConfig => "set HOME or DOCKER_CONFIG, or use --bundle / --host".into(),
            InsecureTls => "set DOCKER_TLS_VERIFY=1 with DOCKER_CERT_PATH, or use the client bundle (--bundle)".into(),
            UnknownContext { .. } => "`docker context ls` lists the contexts".into(),
            BadContext { .. } => "`docker context inspect NAME` shows it; recreate it or use --bundle".into(),
            BadBundle { .. } => "download a new client bundle from UCP (My Profile → Client Bundles)".into(),
            BadPem { .. } => "PEM files are expected; an encrypted key must be decrypted first".into(),
            KeyMismatch { .. } => "cert.pem and key.pem come from different bundles; use one bundle's files together".into(),
            ClientCertExpired { .. } | ClientCertNotYetValid { .. } => {
                "download a new client bundle from UCP (My Profile → Client Bundles)".into()
            }
            Refused { .. } => "check the host and port (UCP listens on 443), and that the manager is up".into(),
            NoSocket { .. } => "is Docker running here? Otherwise point at the cluster with --bundle, --context or DOCKER_HOST".into(),
            SocketPermission { .. } => "run as a member of the docker group, or use a client bundle".into(),
            TimedOut { .. } => "check the network path to the manager, or raise --timeout".into(),
            UnknownCa { .. } => "is this the bundle of this cluster? UCP's bundle ca.pem must have signed the server's certificate".into(),
            ServerCertExpired { .. } => "the cluster's certificates need renewing; TLS verification stays on".into(),
            NameMismatch { .. } => "connect with the name the certificate was issued for (the one in the bundle's env.sh)".into(),
            ClientCertRejected { .. } => "the certificate may be expired, revoked, or from another cluster: download a new bundle".into(),
            Tls { .. } => return None,
            NotDocker { .. } => "check the host and port: UCP/MKE's API is the address in the bundle's env.sh (port 443 by default), a Docker engine's is usually tcp://HOST:2376".into(),
            NotTls { .. } => "check the port: is it a plain-HTTP service? A Docker engine without TLS (port 2375) is reached with --host tcp://HOST:2375 and no TLS files".into(),
            HandshakeClosed { .. } => "check the host and port (UCP listens on 443); a proxy or firewall on the way may cut TLS, or the server may refuse this client's TLS version".into(),
            Forbidden { .. } => "use the bundle of a user with full control over the services, configs and nodes involved (usually an admin)".into(),
            NotManager { .. } => "connect to a manager (UCP's address, or a manager node's socket)".into(),
            NoInterlock => "enable it in UCP: Admin Settings → Layer 7 Routing → Enable Layer 7 Routing, then run again".into(),
            OutOfSequence { .. } => "someone changed it meanwhile: run `interlock-split plan` again and review it".into(),
            NameConflict { .. } => "the cluster changed since the plan: run `interlock-split plan` again".into(),
            InUse { .. } => "a service still mounts it; `docker service ls` shows which".into(),
            Dropped { .. } => "`interlock-split status` shows whether the change was made; then run again".into(),
            ServerError { .. } => "the engine failed: check the managers' health, then run again".into(),
            NotFound { .. } | Api { .. } | Other { .. } => return None,
        })
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl StdError for ConnectError {}

// The engine's words for outcomes it reports with a generic status code (the gRPC code of
// swarmkit shows only in the text). Read in `api_outcome`, nowhere else.
const OUT_OF_SEQUENCE: &str = "update out of sequence";
const IN_USE: &str = "is in use";
const NOT_A_MANAGER: &str = "not a swarm manager";

/// What an engine's refusal means, from its status and, where the status is ambiguous, its
/// text. This is the one place that reads the engine's text: a 500 may be an out-of-sequence
/// write, a 400 a config in use, and swarmkit says which only in words.
fn api_outcome(call: &str, status: u16, message: &str) -> ConnectError {
    let (call, text) = (call.to_string(), message.to_string());
    let lower = message.to_ascii_lowercase();
    match status {
        401 | 403 => ConnectError::Forbidden {
            call,
            status,
            message: text,
        },
        503 if lower.contains(NOT_A_MANAGER) => ConnectError::NotManager { message: text },
        _ if lower.contains(OUT_OF_SEQUENCE) => ConnectError::OutOfSequence {
            call,
            status,
            message: text,
        },
        404 => ConnectError::NotFound {
            call,
            status,
            message: text,
        },
        409 => ConnectError::NameConflict {
            call,
            status,
            message: text,
        },
        400 if lower.contains(IN_USE) => ConnectError::InUse {
            call,
            status,
            message: text,
        },
        500.. => ConnectError::ServerError {
            call,
            status,
            message: text,
        },
        _ => ConnectError::Api {
            call,
            status,
            message: text,
        },
    }
}

/// Finds the TLS or I/O cause inside a transport error.
pub fn classify(
    err: &bollard::errors::Error,
    call: &str,
    address: &str,
    origin: &str,
    secs: u64,
) -> ConnectError {
    use bollard::errors::Error as B;
    match err {
        B::DockerResponseServerError {
            status_code,
            message,
        } => return api_outcome(call, *status_code, message),
        B::RequestTimeoutError => {
            return ConnectError::TimedOut {
                address: address.into(),
                call: call.into(),
                secs,
            };
        }
        _ => {}
    }
    // A TLS alert can sit below an "incomplete message" from hyper: the TLS cause wins.
    if let Some(t) = tls_in_chain(err) {
        return tls_error(t, address, origin);
    }
    if let B::HyperLegacyError { err: e } = err
        && e.is_connect()
        && let Some(c) = handshake_cut(e, address)
    {
        return c;
    }
    let mut source: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(h) = e.downcast_ref::<hyper::Error>()
            && (h.is_incomplete_message() || h.is_canceled())
        {
            return ConnectError::Dropped {
                address: address.into(),
                call: call.into(),
            };
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(c) = io_error(io.kind(), call, address, secs)
        {
            return c;
        }
        source = e.source();
    }
    ConnectError::Other {
        call: call.into(),
        message: chain(err),
    }
}

/// A connection cut while it was being set up. Opening a TCP connection reads nothing, so an
/// end of stream (or a reset) here came during the TLS handshake.
fn handshake_cut(err: &hyper_util::client::legacy::Error, address: &str) -> Option<ConnectError> {
    use std::io::ErrorKind as K;
    let mut source = err.source();
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && matches!(innermost(io).kind(), K::UnexpectedEof | K::ConnectionReset)
            && rustls_in(io).is_none()
        {
            return Some(ConnectError::HandshakeClosed {
                address: address.into(),
            });
        }
        source = e.source();
    }
    None
}

/// The I/O error inside (possibly nested) I/O errors: hyper-rustls wraps the handshake's own.
fn innermost(io: &std::io::Error) -> &std::io::Error {
    match io
        .get_ref()
        .and_then(|e| e.downcast_ref::<std::io::Error>())
    {
        Some(inner) => innermost(inner),
        None => io,
    }
}

/// When the answer to the version negotiation is not the Docker API's: says what answered.
/// `answer` is the head of that answer, as the transport saw it.
pub fn not_docker(
    err: &bollard::errors::Error,
    answer: Option<&super::transport::Answer>,
    address: &str,
) -> Option<ConnectError> {
    use bollard::errors::Error as B;
    let answer = answer?;
    let body = match err {
        B::JsonDataError { contents, .. } => Some(contents.as_str()),
        B::JsonSerdeError { .. } | B::APIVersionParseError {} => None,
        // The API's refusals are JSON; a web page with an error status is not the API.
        B::DockerResponseServerError { message, .. } if !answer.api_version && !answer.json => {
            Some(message.as_str())
        }
        _ => return None,
    };
    let mut answered = format!("`{}`", answer.status_line);
    if let Some(server) = &answer.server {
        answered.push_str(&format!(" from `{}`", excerpt(server, 60)));
    }
    match body.map(|b| excerpt(b, 80)) {
        Some(b) if !b.is_empty() => answered.push_str(&format!(", body `{b}`")),
        Some(_) => answered.push_str(", with an empty body"),
        None => answered.push_str(", without a Docker API version"),
    }
    Some(ConnectError::NotDocker {
        address: address.into(),
        answered,
    })
}

/// The start of a server's text, safe to print: control characters escaped, at most `max`
/// characters.
fn excerpt(text: &str, max: usize) -> String {
    let text = text.trim();
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// What an I/O failure says about the connection, when it says something.
fn io_error(
    kind: std::io::ErrorKind,
    call: &str,
    address: &str,
    secs: u64,
) -> Option<ConnectError> {
    use std::io::ErrorKind as K;
    let address = address.to_string();
    Some(match kind {
        K::ConnectionRefused => ConnectError::Refused { address },
        K::NotFound => ConnectError::NoSocket { address },
        K::PermissionDenied => ConnectError::SocketPermission { address },
        K::TimedOut => ConnectError::TimedOut {
            address,
            call: call.into(),
            secs,
        },
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => {
            ConnectError::Dropped {
                address,
                call: call.into(),
            }
        }
        _ => return None,
    })
}

/// The first TLS error anywhere in the chain, nested I/O errors included.
fn tls_in_chain<'a>(err: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    let mut source: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(t) = e.downcast_ref::<rustls::Error>() {
            return Some(t);
        }
        if let Some(t) = e.downcast_ref::<std::io::Error>().and_then(rustls_in) {
            return Some(t);
        }
        source = e.source();
    }
    None
}

/// The TLS error inside (possibly nested) I/O errors. `io::Error::source` skips the error it
/// wraps, so the chain alone never reaches it.
fn rustls_in(io: &std::io::Error) -> Option<&rustls::Error> {
    let inner = io.get_ref()?;
    if let Some(t) = inner.downcast_ref::<rustls::Error>() {
        return Some(t);
    }
    inner.downcast_ref::<std::io::Error>().and_then(rustls_in)
}

fn chain(err: &dyn StdError) -> String {
    let mut out = err.to_string();
    let mut s = err.source();
    while let Some(e) = s {
        let t = e.to_string();
        if !out.contains(&t) {
            out.push_str(": ");
            out.push_str(&t);
        }
        s = e.source();
    }
    out
}

fn tls_error(e: &rustls::Error, address: &str, origin: &str) -> ConnectError {
    let address = address.to_string();
    match e {
        rustls::Error::InvalidCertificate(c) => match c {
            CertificateError::UnknownIssuer | CertificateError::BadSignature => {
                ConnectError::UnknownCa {
                    address,
                    origin: origin.into(),
                }
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                ConnectError::ServerCertExpired { address }
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                ConnectError::NameMismatch { address }
            }
            other => ConnectError::Tls {
                address,
                why: format!("{other:?}"),
            },
        },
        rustls::Error::AlertReceived(a) => match a {
            AlertDescription::BadCertificate
            | AlertDescription::CertificateExpired
            | AlertDescription::CertificateRevoked
            | AlertDescription::CertificateUnknown
            | AlertDescription::UnknownCA
            | AlertDescription::CertificateRequired
            | AlertDescription::AccessDenied => ConnectError::ClientCertRejected {
                address,
                alert: format!("{a:?}"),
            },
            other => ConnectError::Tls {
                address,
                why: format!("the server sent {other:?}"),
            },
        },
        rustls::Error::InvalidMessage(m) => ConnectError::NotTls {
            address,
            why: format!("{m:?}"),
        },
        other => ConnectError::Tls {
            address,
            why: other.to_string(),
        },
    }
}
