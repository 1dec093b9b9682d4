//! Watching a service update converge, after the docker CLI's
//! `cli/command/service/progress/progress.go`: tasks running the new spec, the monitor window
//! (swarm reports `completed` only after it), tasks on down nodes ignored. Unlike the docker
//! CLI, an automatic rollback or a pause is a failure.
//!
//! The decisions are a pure function of what was observed (`Watch::observe`); `update` only
//! reads the swarm and sleeps.

use std::time::{Duration, Instant};

use super::Observer;
use super::interrupt::Interrupt;
use crate::cluster::{LogSource, Node, Task, TaskDetail, UpdateState, UpdateStatus};
use crate::docker::{ConnectError, Swarm};

/// How an update ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    Converged,
    RolledBack(Failure),
    Paused(Failure),
    TimedOut(String),
    Interrupted,
}

/// What went wrong in the task that made swarm give up.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Failure {
    pub message: String,
    pub task: Option<String>,
    pub task_error: Option<String>,
    pub logs: Vec<String>,
}

/// The next step of a watch, decided from one observation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Not there yet; the text says where it stands.
    Wait(String),
    Converged,
    RolledBack {
        reason: String,
    },
    Paused {
        message: String,
    },
    TimedOut {
        message: String,
    },
}

/// The tasks and nodes read on one poll.
#[derive(Debug, Clone, Copy)]
pub struct Placement<'a> {
    pub tasks: &'a [Task],
    pub nodes: &'a [Node],
}

/// One poll of the service.
#[derive(Debug, Clone, Copy)]
pub struct Observation<'a> {
    pub update: Option<&'a UpdateStatus>,
    /// Replicas the service asks for (`None`: a global service, counted as one).
    pub replicas: Option<u64>,
    /// `None` when the tasks were not read on this poll: the last count stands.
    pub placement: Option<Placement<'a>>,
    pub elapsed: Duration,
}

/// Swarm records no update at all when the spec did not change; after this long without one,
/// running tasks are taken as converged.
const NO_UPDATE_GRACE: Duration = Duration::from_secs(10);

/// What a watch remembers between polls.
#[derive(Debug, Clone)]
pub struct Watch {
    name: String,
    /// When the update before ours started: until swarm records ours, its status is that one's.
    baseline: Option<String>,
    timeout: Duration,
    /// Swarm says why when a rollback starts; by the time it completes it only says "completed".
    reason: Option<String>,
    running: u64,
    polls: u64,
}

/// Running tasks meant to run, on nodes that are not down (`Task::counts_as_running`).
pub fn running(p: Placement<'_>) -> u64 {
    p.tasks
        .iter()
        .filter(|t| t.counts_as_running(p.nodes))
        .count() as u64
}

impl Watch {
    pub fn new(name: &str, baseline: Option<String>, timeout: Duration) -> Self {
        Self {
            name: name.to_string(),
            baseline,
            timeout,
            reason: None,
            running: 0,
            polls: 0,
        }
    }

    /// The state of our update: `None` while the status on the service is an older one's.
    fn ours<'a>(&self, update: Option<&'a UpdateStatus>) -> Option<&'a UpdateState> {
        let u = update?;
        let fresh = u.started_at.is_some() && u.started_at != self.baseline;
        if fresh { u.state.as_ref() } else { None }
    }

    /// Whether this poll must count tasks: to decide (once swarm says `completed`, or while it
    /// says nothing), and about once a second for the progress line.
    pub fn wants_tasks(&mut self, update: Option<&UpdateStatus>) -> bool {
        self.polls += 1;
        matches!(self.ours(update), Some(UpdateState::Completed) | None) || self.polls % 10 == 1
    }

    pub fn observe(&mut self, o: &Observation<'_>) -> Verdict {
        if let Some(p) = o.placement {
            self.running = running(p);
        }
        let (name, run, want) = (&self.name, self.running, o.replicas.unwrap_or(1));
        let message = o.update.and_then(|u| u.message.clone());
        let verdict = match self.ours(o.update) {
            Some(UpdateState::Completed) if run >= want => return Verdict::Converged,
            Some(UpdateState::RollbackCompleted) => {
                let reason = self
                    .reason
                    .clone()
                    .unwrap_or_else(|| "its new task failed".into());
                return Verdict::RolledBack { reason };
            }
            Some(UpdateState::Paused | UpdateState::RollbackPaused) => {
                let message = message.unwrap_or_else(|| "paused".into());
                return Verdict::Paused { message };
            }
            Some(UpdateState::RollbackStarted) => {
                if self.reason.is_none() {
                    self.reason = message.clone();
                }
                format!("{name}: rolling back ({})", message.unwrap_or_default())
            }
            Some(s) => format!("{name}: {}, {run}/{want} tasks running", s.as_str()),
            None if o.elapsed > NO_UPDATE_GRACE && run >= want => return Verdict::Converged,
            None => format!("{name}: waiting for swarm to start the update, {run}/{want} running"),
        };
        if o.elapsed > self.timeout {
            return Verdict::TimedOut {
                message: format!(
                    "{name} had not converged after {}s ({run}/{want} tasks running)",
                    self.timeout.as_secs()
                ),
            };
        }
        Verdict::Wait(verdict)
    }
}

// Short enough that apply exits well within 300 ms of swarm reporting convergence.
const POLL: Duration = Duration::from_millis(100);

/// The newest task that failed or was rejected, or that carries an error.
pub fn latest_failure(tasks: &[TaskDetail]) -> Option<&TaskDetail> {
    tasks
        .iter()
        .filter(|t| {
            matches!(t.task.state.as_str(), "failed" | "rejected") || t.task.error.is_some()
        })
        .max_by(|a, b| a.updated_at.cmp(&b.updated_at))
}

/// The most recent failed task of a service and the last lines of its logs: the task's own
/// container's, or the service's (which mix in earlier tasks) when that is out of reach.
pub async fn failure_details(swarm: &impl Swarm, service_id: &str, message: String) -> Failure {
    let mut f = Failure {
        message,
        ..Default::default()
    };
    let tasks = swarm.tasks(service_id).await.unwrap_or_default();
    let failed = latest_failure(&tasks);
    if let Some(t) = failed {
        f.task = Some(t.id.clone());
        f.task_error = t.task.error.clone();
    }
    if let Some(c) = failed.and_then(|t| t.container_id.clone()) {
        f.logs = swarm.logs(&LogSource::Container(c), 10).await;
    }
    if f.logs.is_empty() {
        f.logs = swarm
            .logs(&LogSource::Service(service_id.to_string()), 10)
            .await;
    }
    f
}

/// Reads the service's tasks and the nodes (together when the transport allows).
async fn placement(
    swarm: &impl Swarm,
    service_id: &str,
) -> Result<(Vec<Task>, Vec<Node>), ConnectError> {
    let tasks = swarm.tasks(service_id).await?;
    let nodes = swarm.nodes().await?;
    Ok((tasks.into_iter().map(|t| t.task).collect(), nodes))
}

/// Waits for the update of `name` that started after `baseline` to converge.
pub async fn update(
    swarm: &impl Swarm,
    name: &str,
    baseline: Option<String>,
    timeout: Duration,
    ui: &mut dyn Observer,
    interrupt: &Interrupt,
) -> Result<Ending, ConnectError> {
    let start = Instant::now();
    let mut watch = Watch::new(name, baseline, timeout);
    loop {
        if interrupt.is_set() {
            return Ok(Ending::Interrupted);
        }
        let status = swarm.service(name).await?;
        let read = if watch.wants_tasks(status.update.as_ref()) {
            Some(placement(swarm, &status.service.id).await?)
        } else {
            None
        };
        let verdict = watch.observe(&Observation {
            update: status.update.as_ref(),
            replicas: status.service.replicas,
            placement: read
                .as_ref()
                .map(|(tasks, nodes)| Placement { tasks, nodes }),
            elapsed: start.elapsed(),
        });
        let id = &status.service.id;
        match verdict {
            Verdict::Wait(text) => ui.progress(&text),
            Verdict::Converged => return Ok(Ending::Converged),
            Verdict::RolledBack { reason } => {
                let why = format!("swarm rolled the update back: {reason}");
                return Ok(Ending::RolledBack(failure_details(swarm, id, why).await));
            }
            Verdict::Paused { message } => {
                return Ok(Ending::Paused(failure_details(swarm, id, message).await));
            }
            Verdict::TimedOut { message } => return Ok(Ending::TimedOut(message)),
        }
        tokio::time::sleep(POLL).await;
    }
}

#[cfg(test)]
#[path = "watch_tests.rs"]
mod tests;
