//! What swarm itself remembers of the configs the core ran: the config of its previous spec,
//! the state of its last update, and its task history (each task with the config it mounted).
//! Configs this tool did not create have no labels; this is their only record.

use serde::{Deserialize, Serialize};

use super::UpdateState;

/// One task of the core: which config it mounted and how far it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoreRun {
    pub config_id: String,
    pub config_name: String,
    /// Swarm's task state: `running`, `shutdown`, `failed`, `rejected`, …
    pub state: String,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoreHistory {
    /// The config mounted by the core's previous spec (the one before its last update).
    pub previous_config: Option<String>,
    pub update_state: Option<UpdateState>,
    /// The core's tasks swarm still keeps (a few per slot).
    pub runs: Vec<CoreRun>,
}
