//! Everything that can go wrong reaching the cluster, each a variant with its cause and its fix,
//! in three layers: what fails before any request ([`ConnectError`]: the endpoint and the
//! credentials), what leaves a request without an answer ([`TransportError`]: the network and
//! TLS under it), and a call's failure ([`ApiError`]: no answer, or the engine's refusal).
//! `Swarm` returns `ApiError`, so apply decides on the engine's answers and never meets a bundle
//! problem; commands see the umbrella [`Error`].

mod api;
mod classify;
mod connect;
mod quorum;
mod transport;

pub use api::ApiError;
pub use classify::classify;
pub use connect::ConnectError;
pub use quorum::{LeaderLoss, Manager, NoLeader};
pub use transport::TransportError;

use std::fmt;

/// Why a command could not read or change the cluster.
#[derive(Debug, Clone)]
pub enum Error {
    /// Before any request: where to connect and with which credentials.
    Connect(ConnectError),
    /// A call failed.
    Api(ApiError),
    /// There is no `ucp-interlock` service: Layer 7 routing is not enabled.
    NoInterlock,
}

impl Error {
    pub fn message(&self) -> String {
        match self {
            Error::Connect(e) => e.message(),
            Error::Api(e) => e.message(),
            Error::NoInterlock => {
                "Layer 7 routing is not enabled: there is no `ucp-interlock` service".into()
            }
        }
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Connect(e) => Some(e.hint()),
            Error::Api(e) => e.hint(),
            Error::NoInterlock => Some(
                "enable it in UCP: Admin Settings → Layer 7 Routing → Enable Layer 7 Routing, then run again"
                    .into(),
            ),
        }
    }
}

impl From<ConnectError> for Error {
    fn from(e: ConnectError) -> Self {
        Error::Connect(e)
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(e)
    }
}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        Error::Api(ApiError::Transport(e))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for Error {}
