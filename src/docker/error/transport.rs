//! What leaves a request without an answer from the engine: the network and TLS under it.

use std::fmt;

#[derive(Debug, Clone)]
pub enum TransportError {
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
    /// The connection closed before the answer came: the request may or may not have been
    /// carried out.
    Dropped {
        address: String,
        call: String,
    },
    /// Any other failure below HTTP.
    Other {
        call: String,
        message: String,
    },
}

impl TransportError {
    /// Whether the request may have reached the engine: it was sent and its answer was lost.
    /// A connection that could not be opened, or TLS that failed, sent nothing.
    pub fn may_have_arrived(&self) -> bool {
        matches!(
            self,
            TransportError::TimedOut { .. }
                | TransportError::Dropped { .. }
                | TransportError::Other { .. }
        )
    }

    /// What failed, for scripts: stable, in the JSON envelope's `error.kind`.
    pub fn kind(&self) -> &'static str {
        use TransportError::*;
        match self {
            Refused { .. } => "refused",
            NoSocket { .. } => "no-socket",
            SocketPermission { .. } => "socket-permission",
            TimedOut { .. } => "timed-out",
            UnknownCa { .. } => "unknown-ca",
            ServerCertExpired { .. } => "server-cert-expired",
            NameMismatch { .. } => "name-mismatch",
            ClientCertRejected { .. } => "client-cert-rejected",
            Tls { .. } => "tls",
            NotDocker { .. } => "not-docker",
            NotTls { .. } => "not-tls",
            HandshakeClosed { .. } => "handshake-closed",
            Dropped { .. } => "dropped",
            Other { .. } => "other",
        }
    }

    pub fn message(&self) -> String {
        use TransportError::*;
        match self {
            Refused { address } => {
                format!("connection to {address} refused: nothing listens there")
            }
            NoSocket { address } => format!("no Docker socket at {address}"),
            SocketPermission { address } => format!("permission denied on {address}"),
            TimedOut {
                address,
                call,
                secs,
            } => format!("{address} did not answer within {secs}s ({call})"),
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
                "{address} does not look like a Docker API: GET /_ping was answered with {answered}"
            ),
            NotTls { address, why } => {
                format!(
                    "{address} does not speak TLS: it answered the handshake with plain data ({why})"
                )
            }
            HandshakeClosed { address } => {
                format!("{address} closed the connection during the TLS handshake")
            }
            Dropped { address, call } => {
                format!("{call} failed: {address} closed the connection before answering")
            }
            Other { call, message } => format!("{call} failed: {message}"),
        }
    }

    pub fn hint(&self) -> Option<String> {
        use TransportError::*;
        Some(match self {
            Refused { .. } => "check the host and port (UCP listens on 443), and that the manager is up".into(),
            NoSocket { .. } => "is Docker running here? Otherwise point at the cluster with --bundle, --context or DOCKER_HOST".into(),
            SocketPermission { .. } => "run as a member of the docker group, or use a client bundle".into(),
            TimedOut { .. } => "check the network path to the manager, or raise --timeout".into(),
            UnknownCa { .. } => "is this the bundle of this cluster? UCP's bundle ca.pem must have signed the server's certificate".into(),
            ServerCertExpired { .. } => "the cluster's certificates need renewing; TLS verification stays on".into(),
            NameMismatch { .. } => "connect with the name the certificate was issued for (the one in the bundle's env.sh)".into(),
            ClientCertRejected { .. } => "the certificate may be expired, revoked, or from another cluster: download a new bundle".into(),
            Tls { .. } | Other { .. } => return None,
            NotDocker { .. } => "check the host and port: UCP/MKE's API is the address in the bundle's env.sh (port 443 by default), a Docker engine's is usually tcp://HOST:2376".into(),
            NotTls { .. } => "check the port: is it a plain-HTTP service? A Docker engine without TLS (port 2375) is reached with --host tcp://HOST:2375 and no TLS files".into(),
            HandshakeClosed { .. } => "check the host and port (UCP listens on 443); a proxy or firewall on the way may cut TLS, or the server may refuse this client's TLS version".into(),
            Dropped { .. } => "`interlock-split status` shows whether the change was made; then run again".into(),
        })
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for TransportError {}
