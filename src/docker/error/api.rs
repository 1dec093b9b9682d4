//! Why a call to the engine failed: it got no answer, or the engine refused it. The refusals
//! apply decides on are variants (`NotFound`, `OutOfSequence`, `InUse`, `NameConflict`,
//! `NoLeader`), read once from the engine's answer in [`ApiError::from_answer`].

use std::fmt;

use super::quorum::{LeaderLoss, NoLeader};
use super::transport::TransportError;

#[derive(Debug, Clone)]
pub enum ApiError {
    /// No answer came: the network or TLS under the request failed.
    Transport(TransportError),
    /// HTTP 401/403: the bundle's user may not make this call.
    Forbidden {
        call: String,
        status: u16,
        message: String,
    },
    NotManager {
        message: String,
    },
    /// The manager has no leader: it lost contact with a majority of the managers.
    NoLeader(Box<NoLeader>),
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
    /// Any other refusal of the engine (HTTP 4xx).
    Refused {
        call: String,
        status: u16,
        message: String,
    },
    /// The engine answered with something this tool cannot use (a service without the config
    /// it should mount, config data that does not decode).
    Unusable {
        call: String,
        message: String,
    },
}

// The engine's words for outcomes it reports with a generic status code (the gRPC code of
// swarmkit shows only in the text). Read in `from_answer`, nowhere else.
const OUT_OF_SEQUENCE: &str = "update out of sequence";
const IN_USE: &str = "is in use";
const NOT_A_MANAGER: &str = "not a swarm manager";
// A manager without a leader: swarmkit's `errLostQuorum` (raft.go), a request that waited for a
// leader past the engine's own deadline, and a leader that cannot be reached (gRPC Unavailable,
// HTTP 503).
const NO_LEADER: &str = "the swarm does not have a leader";
const DEADLINE: &str = "context deadline exceeded";
const UNAVAILABLE: &str = "rpc error: code = unavailable";

impl ApiError {
    /// What failed, for scripts: stable, in the JSON envelope's `error.kind` (a transport
    /// failure's own kind, or the engine's refusal).
    pub fn kind(&self) -> &'static str {
        use ApiError::*;
        match self {
            Transport(t) => t.kind(),
            Forbidden { .. } => "forbidden",
            NotManager { .. } => "not-manager",
            NoLeader(_) => "no-leader",
            NotFound { .. } => "not-found",
            OutOfSequence { .. } => "out-of-sequence",
            InUse { .. } => "in-use",
            NameConflict { .. } => "name-conflict",
            ServerError { .. } => "server-error",
            Refused { .. } => "refused-by-engine",
            Unusable { .. } => "unusable-answer",
        }
    }

    /// What an engine's refusal means, from its status and, where the status is ambiguous, its
    /// text. This is the one place that reads the engine's text: a 500 may be an
    /// out-of-sequence write, a 400 a config in use, and swarmkit says which only in words.
    pub fn from_answer(call: &str, status: u16, message: &str) -> ApiError {
        let (call, text) = (call.to_string(), message.to_string());
        let lower = message.to_ascii_lowercase();
        if let Some(said) = leader_loss(&lower).filter(|_| status >= 500) {
            return ApiError::NoLeader(Box::new(NoLeader {
                call,
                status,
                message: text,
                said,
                this: None,
                others: Vec::new(),
            }));
        }
        match status {
            401 | 403 => ApiError::Forbidden {
                call,
                status,
                message: text,
            },
            503 if lower.contains(NOT_A_MANAGER) => ApiError::NotManager { message: text },
            _ if lower.contains(OUT_OF_SEQUENCE) => ApiError::OutOfSequence {
                call,
                status,
                message: text,
            },
            404 => ApiError::NotFound {
                call,
                status,
                message: text,
            },
            409 => ApiError::NameConflict {
                call,
                status,
                message: text,
            },
            400 if lower.contains(IN_USE) => ApiError::InUse {
                call,
                status,
                message: text,
            },
            500.. => ApiError::ServerError {
                call,
                status,
                message: text,
            },
            _ => ApiError::Refused {
                call,
                status,
                message: text,
            },
        }
    }

    /// Whether a write that failed this way may have been carried out all the same: its answer
    /// was lost, or the manager lost its leader while the write was under way.
    pub fn may_have_acted(&self) -> bool {
        match self {
            ApiError::Transport(t) => t.may_have_arrived(),
            ApiError::NoLeader(n) => n.may_have_acted(),
            _ => false,
        }
    }

    pub fn message(&self) -> String {
        use ApiError::*;
        match self {
            Transport(t) => t.message(),
            NoLeader(n) => n.message(),
            Forbidden {
                call,
                status,
                message,
            } => format!(
                "HTTP {status} on {call}: the bundle's user lacks permission for it ({message})"
            ),
            NotManager { message } => format!("this node is not a swarm manager: {message}"),
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
            | Refused {
                call,
                status,
                message,
            } => format!("{call} failed with HTTP {status}: {message}"),
            Unusable { call, message } => format!("{call} failed: {message}"),
        }
    }

    pub fn hint(&self) -> Option<String> {
        use ApiError::*;
        Some(match self {
            Transport(t) => return t.hint(),
            NoLeader(n) => n.hint(),
            Forbidden { .. } => "use the bundle of a user with full control over the services, configs and nodes involved (usually an admin)".into(),
            NotManager { .. } => "connect to a manager (UCP's address, or a manager node's socket)".into(),
            OutOfSequence { .. } => "someone changed it meanwhile: run `interlock-split plan` again and review it".into(),
            NameConflict { .. } => "the cluster changed since the plan: run `interlock-split plan` again".into(),
            InUse { .. } => "a service still mounts it; `docker service ls` shows which".into(),
            ServerError { .. } => "the engine failed: check the managers' health, then run again".into(),
            NotFound { .. } | Refused { .. } | Unusable { .. } => return None,
        })
    }
}

/// How the engine's text says the manager has no leader, if it does.
fn leader_loss(lower: &str) -> Option<LeaderLoss> {
    if lower.contains(NO_LEADER) {
        Some(LeaderLoss::NoLeader)
    } else if lower.contains(DEADLINE) {
        Some(LeaderLoss::DeadlineExceeded)
    } else if lower.contains(UNAVAILABLE) {
        Some(LeaderLoss::Unavailable)
    } else {
        None
    }
}

impl From<TransportError> for ApiError {
    fn from(e: TransportError) -> Self {
        ApiError::Transport(e)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ApiError {}
