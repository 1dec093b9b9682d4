//! Watching a service update converge, after the docker CLI's
//! `cli/command/service/progress/progress.go`: tasks running the new spec, the monitor window
//! (swarm reports `completed` only after it), tasks on down nodes ignored. Unlike the docker
//! CLI, an automatic rollback or a pause is a failure.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bollard::query_parameters::{ListTasksOptionsBuilder, LogsOptionsBuilder};
use futures_util::StreamExt;

use super::interrupt::Interrupt;
use super::ui::Ui;
use crate::docker::{Client, ConnectError};

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

// Short enough that apply exits well within 300 ms of swarm reporting convergence.
const POLL: Duration = Duration::from_millis(100);

/// The update status a service shows now, with when it started.
async fn status(
    client: &Client,
    name: &str,
) -> Result<
    (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<u64>,
        String,
    ),
    ConnectError,
> {
    let s = client
        .call(
            &format!("GET /services/{name}"),
            client.docker().inspect_service(name, None),
        )
        .await?;
    let id = s.id.clone().unwrap_or_default();
    let replicas = s
        .spec
        .as_ref()
        .and_then(|sp| sp.mode.as_ref())
        .and_then(|m| m.replicated.as_ref())
        .map(|r| r.replicas.unwrap_or(1).max(0) as u64);
    let u = s.update_status;
    Ok((
        u.as_ref().and_then(|u| u.state).map(|s| s.to_string()),
        u.as_ref()
            .and_then(|u| u.started_at.as_ref())
            .map(|d| d.to_string()),
        u.and_then(|u| u.message),
        replicas,
        id,
    ))
}

/// When the last update of `name` started, to tell a new update's status from an old one.
pub async fn last_update_start(
    client: &Client,
    name: &str,
) -> Result<Option<String>, ConnectError> {
    Ok(status(client, name).await?.1)
}

/// Running tasks of the service's current spec, on nodes that are not down.
pub async fn running(client: &Client, service_id: &str) -> Result<u64, ConnectError> {
    let mut filters = HashMap::new();
    filters.insert("service", vec![service_id]);
    filters.insert("desired-state", vec!["running"]);
    let opts = ListTasksOptionsBuilder::new().filters(&filters).build();
    let tasks = client.call("GET /tasks", client.docker().list_tasks(Some(opts)));
    let nodes = client.call("GET /nodes", client.docker().list_nodes(None));
    // Over HTTP/1.1 two requests at once need two connections (two TLS handshakes).
    let (tasks, nodes) = if client.stats.multiplexed() {
        tokio::join!(tasks, nodes)
    } else {
        (tasks.await, nodes.await)
    };
    let down: Vec<String> = nodes?
        .into_iter()
        .filter(|n| {
            n.status
                .as_ref()
                .and_then(|s| s.state)
                .map(|s| s.to_string())
                .as_deref()
                == Some("down")
        })
        .filter_map(|n| n.id)
        .collect();
    Ok(tasks?
        .into_iter()
        .filter(|t| !t.node_id.as_ref().is_some_and(|n| down.contains(n)))
        .filter(|t| {
            t.status
                .as_ref()
                .and_then(|s| s.state)
                .map(|s| s.to_string())
                .as_deref()
                == Some("running")
        })
        .count() as u64)
}

/// The most recent failed task of a service and the last lines of the service's logs.
pub async fn failure_details(client: &Client, service_id: &str, message: String) -> Failure {
    let mut filters = HashMap::new();
    filters.insert("service", vec![service_id]);
    let opts = ListTasksOptionsBuilder::new().filters(&filters).build();
    let mut f = Failure {
        message,
        ..Default::default()
    };
    let mut container: Option<String> = None;
    if let Ok(mut tasks) = client
        .call("GET /tasks", client.docker().list_tasks(Some(opts)))
        .await
    {
        tasks.sort_by_key(|t| {
            t.updated_at
                .as_ref()
                .map(|d| d.to_string())
                .unwrap_or_default()
        });
        if let Some(t) = tasks.iter().rev().find(|t| {
            let st = t
                .status
                .as_ref()
                .and_then(|s| s.state)
                .map(|s| s.to_string())
                .unwrap_or_default();
            matches!(st.as_str(), "failed" | "rejected")
                || t.status.as_ref().and_then(|s| s.err.as_ref()).is_some()
        }) {
            f.task = t.id.clone();
            f.task_error = t.status.as_ref().and_then(|s| s.err.clone());
            container = t
                .status
                .as_ref()
                .and_then(|s| s.container_status.as_ref())
                .and_then(|c| c.container_id.clone());
        }
    }
    // The failed task's own container logs; the service's logs (which mix in the tasks that
    // ran before it) when that container is out of reach.
    let opts = || {
        LogsOptionsBuilder::new()
            .stdout(true)
            .stderr(true)
            .tail("20")
            .build()
    };
    let deadline = Instant::now() + Duration::from_secs(5);
    if let Some(c) = &container {
        let mut stream = client.docker().logs(c, Some(opts()));
        while let Ok(Some(Ok(chunk))) =
            tokio::time::timeout_at(deadline.into(), stream.next()).await
        {
            push_lines(&mut f.logs, &chunk.into_bytes());
        }
    }
    if f.logs.is_empty() {
        let mut stream = client.docker().service_logs(service_id, Some(opts()));
        while let Ok(Some(Ok(chunk))) =
            tokio::time::timeout_at(deadline.into(), stream.next()).await
        {
            push_lines(&mut f.logs, &chunk.into_bytes());
        }
    }
    let keep = f.logs.len().saturating_sub(10);
    f.logs.drain(..keep);
    f
}

fn push_lines(out: &mut Vec<String>, bytes: &[u8]) {
    for l in String::from_utf8_lossy(bytes).lines() {
        if !l.trim().is_empty() {
            out.push(l.to_string());
        }
    }
}

/// Waits for the update of `name` that started after `baseline` to converge.
pub async fn update(
    client: &Client,
    name: &str,
    baseline: Option<String>,
    timeout: Duration,
    ui: &mut Ui,
    interrupt: &Interrupt,
) -> Result<Ending, ConnectError> {
    let start = Instant::now();
    // Swarm says why when a rollback starts; by the time it completes it only says "completed".
    let mut reason: Option<String> = None;
    let mut polls: u64 = 0;
    let mut run: u64 = 0;
    loop {
        if interrupt.is_set() {
            return Ok(Ending::Interrupted);
        }
        let (state, started, message, replicas, id) = status(client, name).await?;
        // Until swarm records the new update, the status on the service is the previous one's.
        let fresh = started.is_some() && started != baseline;
        let want = replicas.unwrap_or(1);
        let state = if fresh { state } else { None };
        // Task counts are needed to decide only once swarm says `completed`; for the progress
        // line, about once a second is enough.
        polls += 1;
        let need_count = matches!(state.as_deref(), Some("completed") | None) || polls % 10 == 1;
        if need_count {
            run = running(client, &id).await?;
        }
        match state.as_deref() {
            Some("completed") if run >= want => return Ok(Ending::Converged),
            Some("rollback_completed") => {
                // The reason is on the status only while the rollback runs, which a poll can miss.
                let why = match reason {
                    Some(r) => format!("swarm rolled the update back: {r}"),
                    None => "swarm rolled the update back: its new task failed".to_string(),
                };
                let _ = message;
                let f = failure_details(client, &id, why).await;
                return Ok(Ending::RolledBack(f));
            }
            Some("paused") | Some("rollback_paused") => {
                let f =
                    failure_details(client, &id, message.unwrap_or_else(|| "paused".into())).await;
                return Ok(Ending::Paused(f));
            }
            Some("rollback_started") => {
                ui.progress(&format!(
                    "{name}: rolling back ({})",
                    message.clone().unwrap_or_default()
                ));
                if reason.is_none() {
                    reason = message;
                }
            }
            Some(s) => ui.progress(&format!("{name}: {s}, {run}/{want} tasks running")),
            None if start.elapsed() > Duration::from_secs(10) && run >= want => {
                // Swarm recorded no update at all: the spec did not change.
                return Ok(Ending::Converged);
            }
            None => ui.progress(&format!(
                "{name}: waiting for swarm to start the update, {run}/{want} running"
            )),
        }
        if start.elapsed() > timeout {
            return Ok(Ending::TimedOut(format!(
                "{name} had not converged after {}s ({run}/{want} tasks running)",
                timeout.as_secs()
            )));
        }
        tokio::time::sleep(POLL).await;
    }
}
