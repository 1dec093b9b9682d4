//! What fails before any request is sent: the endpoint and the credentials to reach it.

use std::fmt;

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
    /// The HTTP client could not be built (it is built before it connects).
    ClientSetup {
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
            ClientSetup { message } => format!("cannot set up the client: {message}"),
        }
    }

    pub fn hint(&self) -> String {
        use ConnectError::*;
        match self {
            BadHost { .. } => "write it as tcp://HOST:PORT or unix:///path/to/docker.sock".into(),
            Unreadable { .. } => "check the path and its permissions".into(),
            IncompleteTls => "give all three, or none for a plain connection".into(),
            NoDockerConfig => "set HOME or DOCKER_CONFIG, or use --bundle / --host".into(),
            InsecureTls => {
                "set DOCKER_TLS_VERIFY=1 with DOCKER_CERT_PATH, or use the client bundle (--bundle)"
                    .into()
            }
            UnknownContext { .. } => "`docker context ls` lists the contexts".into(),
            BadContext { .. } => {
                "`docker context inspect NAME` shows it; recreate it or use --bundle".into()
            }
            BadBundle { .. } => {
                "download a new client bundle from UCP (My Profile → Client Bundles)".into()
            }
            BadPem { .. } => {
                "PEM files are expected; an encrypted key must be decrypted first".into()
            }
            KeyMismatch { .. } => {
                "cert.pem and key.pem come from different bundles; use one bundle's files together"
                    .into()
            }
            ClientCertExpired { .. } | ClientCertNotYetValid { .. } => {
                "download a new client bundle from UCP (My Profile → Client Bundles)".into()
            }
            ClientSetup { .. } => "check the host and the TLS files".into(),
        }
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ConnectError {}
