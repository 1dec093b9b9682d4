//! A service as apply watches it: its current spec version and the state of its last update.

use serde::{Deserialize, Serialize};

use super::Service;

/// Swarm's `UpdateStatus.State`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdateState {
    Updating,
    Paused,
    Completed,
    RollbackStarted,
    RollbackPaused,
    RollbackCompleted,
    /// A state this tool does not know (a newer engine); kept, never acted on.
    Other(String),
}

impl UpdateState {
    /// Swarm's own spelling (`rollback_completed`), for messages.
    pub fn as_str(&self) -> &str {
        match self {
            UpdateState::Updating => "updating",
            UpdateState::Paused => "paused",
            UpdateState::Completed => "completed",
            UpdateState::RollbackStarted => "rollback_started",
            UpdateState::RollbackPaused => "rollback_paused",
            UpdateState::RollbackCompleted => "rollback_completed",
            UpdateState::Other(s) => s,
        }
    }

    pub fn parse(s: &str) -> UpdateState {
        match s {
            "updating" => UpdateState::Updating,
            "paused" => UpdateState::Paused,
            "completed" => UpdateState::Completed,
            "rollback_started" => UpdateState::RollbackStarted,
            "rollback_paused" => UpdateState::RollbackPaused,
            "rollback_completed" => UpdateState::RollbackCompleted,
            other => UpdateState::Other(other.to_string()),
        }
    }
}

/// Swarm's record of the last update of a service. It stays on the service after the update
/// ended, so a new update is told from an old one by `started_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateStatus {
    pub state: Option<UpdateState>,
    /// RFC 3339, as the engine sends it; compared for equality only.
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
    /// Swarm's reason (set while a rollback runs, cleared when it completes).
    pub message: Option<String>,
}

/// A service read for a write: `service.version` is the version a write must send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceStatus {
    pub service: Service,
    /// `None` when no update was ever recorded on the service.
    pub update: Option<UpdateStatus>,
}

impl ServiceStatus {
    pub fn update_state(&self) -> Option<&UpdateState> {
        self.update.as_ref().and_then(|u| u.state.as_ref())
    }

    pub fn update_started(&self) -> Option<&str> {
        self.update.as_ref().and_then(|u| u.started_at.as_deref())
    }
}
