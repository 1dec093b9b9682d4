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

/// What a step did, as data; `output::apply` words it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum StepOutcome {
    /// The node label was set (`already`: it was set before).
    Labelled {
        key: String,
        value: String,
        already: bool,
    },
    /// The config was created, with the labels of the config in use it copied (the audit
    /// labels are not copied: they are this run's own).
    Created {
        name: String,
        from: String,
        copied_labels: Vec<String>,
    },
    /// A config of exactly this TOML was there already and is used: left by an earlier,
    /// interrupted run, or taken under the planned name by a run of the same plan.
    Reused { name: String, earlier_run: bool },
    /// The core runs the config (`already`: it did before; `host_port`: its own port published
    /// in host mode with it).
    CoreRuns {
        config: String,
        already: bool,
        host_port: Option<u16>,
    },
    /// The service was removed (`already`: it was gone before).
    Removed { service: String, already: bool },
    /// A service Interlock created runs, with its ports.
    Running {
        service: String,
        running: u64,
        wanted: u64,
        ports: Vec<u16>,
    },
    /// The proxy was updated in place to the config's constraints, replicas and ports.
    Reconciled { service: String },
    /// Old configs were removed; those still in use were kept.
    Pruned {
        removed: Vec<String>,
        in_use: Vec<String>,
    },
    /// The step was skipped, on the operator's word.
    Kept { service: String, reason: KeptReason },
    /// The overlay network was created (`already`: one of that name was there).
    NetworkCreated { name: String, already: bool },
    /// The application's service-cluster label was set (`already`: it was set before).
    Relabelled {
        service: String,
        to: String,
        already: bool,
    },
    /// The application was removed since the plan: nothing to relabel or wait for.
    AppGone { service: String },
    /// The proxy serves the application's hosts.
    Routed {
        service: String,
        proxy: String,
        hosts: Vec<String>,
    },
    /// The proxy mounts no config where its extension says (Interlock's hitless mode streams
    /// it): its routes cannot be read, so the step could not wait for them.
    RouteUnobservable { proxy: String, config_path: String },
}

/// Why a step was skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeptReason {
    /// `--no-cleanup`: the stale service stays.
    NoCleanup,
    /// `--no-reconcile`: the drifted proxy stays as it is.
    NoReconcile,
}

impl StepOutcome {
    /// Done, or skipped on the operator's word.
    pub fn status(&self) -> StepStatus {
        match self {
            StepOutcome::Kept { .. } => StepStatus::Skipped,
            _ => StepStatus::Done,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    pub action: Action,
    pub status: StepStatus,
    /// What a step that ran did.
    pub outcome: Option<StepOutcome>,
    /// Why a failed step failed.
    pub error: Option<String>,
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

impl Outcome {
    /// As JSON writes it (`rolled-back`): the envelope's error code for this outcome.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::NothingToDo => "nothing-to-do",
            Outcome::Refused => "refused",
            Outcome::PlanStale => "plan-stale",
            Outcome::Failed => "failed",
            Outcome::RolledBack => "rolled-back",
            Outcome::Paused => "paused",
            Outcome::OutOfSequence => "out-of-sequence",
            Outcome::ClusterMoved => "cluster-moved",
            Outcome::Superseded => "superseded",
            Outcome::Interrupted => "interrupted",
        }
    }
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
    pub outcome: Outcome,
    /// In JSON with each step's words beside its outcome (`output::apply`).
    #[serde(skip)]
    pub steps: Vec<StepReport>,
    pub core: CoreState,
    pub previous_config: String,
    pub backup: Option<String>,
    pub error: Option<String>,
    /// The failed call's kind (`ApiError::kind`), for the JSON envelope's error.
    #[serde(skip)]
    pub error_kind: Option<&'static str>,
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
            error_kind: None,
            hint: None,
            request: None,
            failed_task: None,
            task_error: None,
            logs: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outcome_reads_as_json_writes_it() {
        for o in [
            Outcome::Applied,
            Outcome::NothingToDo,
            Outcome::Refused,
            Outcome::PlanStale,
            Outcome::Failed,
            Outcome::RolledBack,
            Outcome::Paused,
            Outcome::OutOfSequence,
            Outcome::ClusterMoved,
            Outcome::Superseded,
            Outcome::Interrupted,
        ] {
            let json = serde_json::to_string(&o).unwrap();
            assert_eq!(json, format!("\"{}\"", o.as_str()));
        }
    }
}
