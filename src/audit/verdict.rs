//! Whether a config ever ran: from its outcome label when the tool created it, else from what
//! swarm remembers (the core's previous spec and its task history).

use serde::Serialize;

use super::labels::{self, RecordedOutcome};
use crate::cluster::{ConfigInfo, CoreHistory, UpdateState};

/// What is known of a config's run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fate {
    Ran,
    RolledBack,
    Paused,
    Superseded,
    /// Its core tasks all failed or were rejected (swarm's task history).
    Failed,
    /// No label and nothing swarm still remembers.
    Unknown,
}

impl Fate {
    pub fn as_str(self) -> &'static str {
        match self {
            Fate::Ran => "ran",
            Fate::RolledBack => "rolled-back",
            Fate::Paused => "paused",
            Fate::Superseded => "superseded",
            Fate::Failed => "failed",
            Fate::Unknown => "unknown",
        }
    }
}

impl From<RecordedOutcome> for Fate {
    fn from(o: RecordedOutcome) -> Fate {
        match o {
            RecordedOutcome::Ran => Fate::Ran,
            RecordedOutcome::RolledBack => Fate::RolledBack,
            RecordedOutcome::Paused => Fate::Paused,
            RecordedOutcome::Superseded => Fate::Superseded,
        }
    }
}

/// Where the fate was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evidence {
    /// The config's outcome label.
    Label,
    /// The core's tasks.
    Tasks,
    /// The core's previous spec and the state of its last update.
    PreviousSpec,
    None,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Judgement {
    pub fate: Fate,
    pub source: Evidence,
    /// The error of the newest failed task, when that is the evidence.
    pub detail: Option<String>,
}

impl Judgement {
    /// Why rollback would not go back to it, for people.
    pub fn why_not(&self) -> String {
        let from = match self.source {
            Evidence::Label => "recorded on the config",
            Evidence::Tasks => "swarm's task history",
            Evidence::PreviousSpec => "the core's previous spec",
            Evidence::None => "",
        };
        let detail = self
            .detail
            .as_ref()
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        match self.fate {
            Fate::Unknown => "no record that it ever ran".into(),
            Fate::Ran => format!("it ran ({from})"),
            f => format!("{} ({from}{detail})", f.as_str().replace('-', " ")),
        }
    }
}

/// The config's fate: its label first, then the core's tasks, then its previous spec.
pub fn of(config: &ConfigInfo, core: &CoreHistory) -> Judgement {
    let verdict = |fate, source, detail| Judgement {
        fate,
        source,
        detail,
    };
    if let Some(o) = labels::recorded(config).and_then(|r| r.outcome) {
        return verdict(o.into(), Evidence::Label, None);
    }
    let runs: Vec<_> = core
        .runs
        .iter()
        .filter(|r| r.config_id == config.id)
        .collect();
    // A task stopped by a later update ended `shutdown` without an error: it ran until then.
    if runs.iter().any(|r| {
        matches!(r.state.as_str(), "running" | "complete" | "shutdown") && r.error.is_none()
    }) {
        return verdict(Fate::Ran, Evidence::Tasks, None);
    }
    if let Some(r) = runs.first() {
        return verdict(Fate::Failed, Evidence::Tasks, r.error.clone());
    }
    // After an update that completed, the previous spec's config is the one the core ran
    // until then. (An automatic rollback clears the previous spec; a manual one swaps it, so
    // in any other state it tells nothing.)
    let completed = matches!(core.update_state, Some(UpdateState::Completed) | None);
    if completed && core.previous_config.as_deref() == Some(config.name.as_str()) {
        return verdict(Fate::Ran, Evidence::PreviousSpec, None);
    }
    verdict(Fate::Unknown, Evidence::None, None)
}
