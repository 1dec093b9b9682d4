//! What an apply or a rollback did, as data: the output layer renders it for people or as JSON.

use serde::Serialize;

use crate::exit::ExitStatus;
use crate::plan::Action;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepStatus {
    Done,
    Skipped,
    Failed,
    NotRun,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    pub action: Action,
    pub status: StepStatus,
    pub detail: String,
    pub millis: u128,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Applied,
    NothingToDo,
    /// Nothing was changed: the plan had errors, it was not confirmed, or the cluster could not
    /// be read.
    Refused,
    /// Nothing was changed: the saved plan no longer matches the cluster.
    PlanStale,
    Failed,
    RolledBack,
    Paused,
    OutOfSequence,
    /// Another operator changed the cluster since the plan: apply stopped, changing nothing
    /// more.
    ClusterMoved,
    /// Our update was replaced by another before it converged.
    Superseded,
    Interrupted,
}

impl From<Outcome> for ExitStatus {
    /// The one mapping from what apply or rollback did to the exit code.
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Applied | Outcome::NothingToDo => ExitStatus::Success,
            Outcome::RolledBack => ExitStatus::RolledBack,
            Outcome::Paused => ExitStatus::Paused,
            Outcome::Interrupted => ExitStatus::Interrupted,
            Outcome::PlanStale | Outcome::ClusterMoved => ExitStatus::PlanStale,
            Outcome::Superseded => ExitStatus::Superseded,
            Outcome::Failed | Outcome::OutOfSequence | Outcome::Refused => ExitStatus::Failure,
        }
    }
}

/// Whether the write of an interrupted step reached swarm.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Request {
    /// The step failed before its write was sent.
    #[default]
    NotSent,
    /// Sent, and the answer was lost: swarm may or may not have carried it out.
    SentNoAnswer,
    /// Sent and accepted: the update it started may still be in progress.
    Accepted,
}

/// Which config the core runs at the end.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CoreState {
    /// The config the core was last seen to run (empty when the cluster was not read).
    pub config: String,
    /// An update to this config was started and its outcome is not known: the core runs
    /// `config` or this one (`interlock-split status` tells).
    pub pending_update_to: Option<String>,
    /// After a rollback or pause: no task runs `config` yet (swarm is still restarting it).
    pub restarting: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplyReport {
    pub format_version: u32,
    pub outcome: Outcome,
    pub steps: Vec<StepReport>,
    pub core: CoreState,
    pub previous_config: String,
    pub backup: Option<String>,
    pub error: Option<String>,
    pub hint: Option<String>,
    /// After an interrupted step (timeout, dropped connection, Ctrl-C): whether its write was
    /// sent.
    pub request: Option<Request>,
    pub failed_task: Option<String>,
    pub task_error: Option<String>,
    pub logs: Vec<String>,
    /// What went wrong beside the outcome and did not change it (an audit label refused).
    pub warnings: Vec<String>,
}

impl ApplyReport {
    /// A report of a run that has not done anything yet, with the core on `config`.
    pub fn new(config: &str) -> Self {
        Self {
            format_version: 2,
            outcome: Outcome::Applied,
            steps: Vec::new(),
            core: CoreState {
                config: config.to_string(),
                pending_update_to: None,
                restarting: false,
            },
            previous_config: config.to_string(),
            backup: None,
            error: None,
            hint: None,
            request: None,
            failed_task: None,
            task_error: None,
            logs: Vec::new(),
            warnings: Vec::new(),
        }
    }
}
