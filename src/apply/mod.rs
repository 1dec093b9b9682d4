//! apply: runs the plan's actions, in order, and only those. Every step says what it did; on
//! any failure the report says exactly what state the cluster is in and how to go on.

mod core;
pub mod interrupt;
mod steps;
#[cfg(test)]
mod testing;
pub mod ui;
pub mod watch;

use std::time::{Duration, Instant};

use serde::Serialize;

pub use interrupt::Interrupt;
pub use ui::Ui;
pub use watch::Failure;

use crate::docker::{Client, LiveState};
use crate::output::human;
use crate::plan::{Action, When};

#[derive(Debug, Clone)]
pub struct Options {
    pub wait_timeout: Duration,
    /// Remove the stale services that do not block a new proxy (`--no-cleanup` keeps them).
    pub cleanup: bool,
    /// Bring drifted proxies in line (`--no-reconcile` leaves them).
    pub reconcile: bool,
}

/// Why a step stopped the run.
#[derive(Debug, Clone)]
pub enum StepError {
    Failed(String, Option<String>),
    RolledBack(Failure),
    Paused(Failure),
    /// The core changed between reading and updating it (swarm's optimistic concurrency).
    OutOfSequence,
    Interrupted,
}

/// What has happened to the cluster so far, for reports.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// The config the core runs now.
    pub core_on: String,
    pub core_updating: bool,
    /// (id, name) of the config created or reused.
    pub new_config: Option<(String, String)>,
    pub removed: Vec<String>,
}

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
    Interrupted,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplyReport {
    pub format_version: u32,
    pub outcome: Outcome,
    pub steps: Vec<StepReport>,
    /// The config `ucp-interlock` runs at the end (empty when the cluster was not read).
    pub core_config: String,
    pub previous_config: String,
    pub backup: Option<String>,
    pub error: Option<String>,
    pub hint: Option<String>,
    pub failed_task: Option<String>,
    pub task_error: Option<String>,
    pub logs: Vec<String>,
}

impl ApplyReport {
    /// A report of a run that has not done anything yet, with the core on `config`.
    pub fn new(config: &str) -> Self {
        Self {
            format_version: 1,
            outcome: Outcome::Applied,
            steps: Vec::new(),
            core_config: config.to_string(),
            previous_config: config.to_string(),
            backup: None,
            error: None,
            hint: None,
            failed_task: None,
            task_error: None,
            logs: Vec::new(),
        }
    }
}

pub fn describe(a: &Action) -> String {
    human::action(a, &crate::output::style::Styler::new(false))
}

/// Runs `actions`. Stops at the first failure; steps not reached are reported as not run.
pub async fn execute(
    client: &Client,
    state: &LiveState,
    new_config: &str,
    actions: &[Action],
    opts: &Options,
    ui: &mut Ui,
    interrupt: &Interrupt,
) -> ApplyReport {
    let mut progress = Progress {
        core_on: state.config.name.clone(),
        ..Default::default()
    };
    let mut report = ApplyReport::new(&state.config.name);
    let total = actions.len();
    for (i, action) in actions.iter().enumerate() {
        if interrupt.is_set() {
            report.outcome = Outcome::Interrupted;
            break;
        }
        ui.step(i + 1, total, &describe(action));
        let start = Instant::now();
        let result = run_step(
            client,
            state,
            new_config,
            action,
            opts,
            &mut progress,
            ui,
            interrupt,
        )
        .await;
        let millis = start.elapsed().as_millis();
        match result {
            Ok((status, detail)) => {
                ui.done(&format!("{detail} ({:.1}s)", millis as f64 / 1000.0));
                report.steps.push(StepReport {
                    action: action.clone(),
                    status,
                    detail,
                    millis,
                });
            }
            Err(e) => {
                let (outcome, detail) = match &e {
                    StepError::Failed(m, h) => {
                        report.hint = h.clone();
                        (Outcome::Failed, m.clone())
                    }
                    StepError::RolledBack(f) | StepError::Paused(f) => {
                        report.failed_task = f.task.clone();
                        report.task_error = f.task_error.clone();
                        report.logs = f.logs.clone();
                        let o = if matches!(e, StepError::RolledBack(_)) {
                            Outcome::RolledBack
                        } else {
                            Outcome::Paused
                        };
                        (o, f.message.clone())
                    }
                    StepError::OutOfSequence => (
                        Outcome::OutOfSequence,
                        "ucp-interlock changed while it was being updated (update out of sequence)"
                            .into(),
                    ),
                    StepError::Interrupted => (Outcome::Interrupted, "interrupted".into()),
                };
                ui.done(&format!(
                    "failed: {}",
                    detail.lines().next().unwrap_or_default()
                ));
                report.outcome = outcome;
                report.error = Some(detail.clone());
                report.steps.push(StepReport {
                    action: action.clone(),
                    status: StepStatus::Failed,
                    detail,
                    millis,
                });
                break;
            }
        }
    }
    for action in actions.iter().skip(report.steps.len()) {
        report.steps.push(StepReport {
            action: action.clone(),
            status: StepStatus::NotRun,
            detail: String::new(),
            millis: 0,
        });
    }
    report.core_config = match (&progress.new_config, progress.core_updating) {
        (Some((_, new)), true) => format!(
            "{} or {new}: the update to {new} was started and its outcome is not known (`interlock-split status` tells)",
            progress.core_on
        ),
        _ => progress.core_on,
    };
    report
}

#[allow(clippy::too_many_arguments)]
async fn run_step(
    client: &Client,
    state: &LiveState,
    new_config: &str,
    action: &Action,
    opts: &Options,
    progress: &mut Progress,
    ui: &mut Ui,
    interrupt: &Interrupt,
) -> Result<(StepStatus, String), StepError> {
    let done = |d: String| Ok((StepStatus::Done, d));
    match action {
        Action::LabelNode {
            node, key, value, ..
        } => done(steps::label_node(client, node, key, value).await?),
        Action::CreateConfig { name, .. } => {
            let name = name
                .clone()
                .ok_or_else(|| StepError::Failed("the plan names no config".into(), None))?;
            done(steps::create_config(client, state, &name, new_config, progress).await?)
        }
        Action::UpdateCoreService { to, .. } => {
            // A rollback, or a re-run after the config was created: the config exists already.
            if progress.new_config.is_none()
                && let Some(c) = to
                    .as_ref()
                    .and_then(|n| state.snapshot.configs.iter().find(|c| &c.name == n))
            {
                progress.new_config = Some((c.id.clone(), c.name.clone()));
            }
            done(
                steps::update_core(
                    client,
                    new_config,
                    progress,
                    opts.wait_timeout,
                    ui,
                    interrupt,
                )
                .await?,
            )
        }
        Action::RemoveStaleService { service, when, .. } => {
            if *when == When::AfterNewProxies && !opts.cleanup {
                return Ok((
                    StepStatus::Skipped,
                    format!("kept {service} (--no-cleanup)"),
                ));
            }
            done(steps::remove_service(client, service, progress, ui).await?)
        }
        Action::AwaitService {
            service,
            replicas,
            ports,
            ..
        } => done(
            steps::await_service(
                client,
                service,
                *replicas,
                ports,
                opts.wait_timeout,
                ui,
                interrupt,
            )
            .await?,
        ),
        Action::ReconcileProxy { service, .. } => {
            if !opts.reconcile {
                return Ok((
                    StepStatus::Skipped,
                    format!(
                        "left {service} as it is (--no-reconcile); it does not match the config"
                    ),
                ));
            }
            done(
                steps::reconcile_proxy(
                    client,
                    service,
                    new_config,
                    opts.wait_timeout,
                    ui,
                    interrupt,
                )
                .await?,
            )
        }
        Action::PruneConfigs { remove, .. } => done(steps::prune_configs(client, remove).await?),
    }
}
