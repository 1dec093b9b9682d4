//! The state of a service's last update, as swarm records it on the service.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Swarm's `UpdateStatus.State`, written as swarm writes it (`rollback_completed`).
#[derive(Debug, Clone, PartialEq, Eq)]
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

    /// The update ended without landing: swarm paused it, or rolled it back (or is doing so).
    pub fn failed(&self) -> bool {
        matches!(
            self,
            UpdateState::Paused
                | UpdateState::RollbackStarted
                | UpdateState::RollbackPaused
                | UpdateState::RollbackCompleted
        )
    }

    /// Swarm is still replacing the service's tasks.
    pub fn in_progress(&self) -> bool {
        matches!(self, UpdateState::Updating | UpdateState::RollbackStarted)
    }
}

impl Serialize for UpdateState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for UpdateState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(UpdateState::parse(&String::deserialize(d)?))
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
