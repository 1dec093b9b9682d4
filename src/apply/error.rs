//! Why a step stopped the run: each a variant with its message and hint, so that the executor
//! and the report decide on variants, never on text.

use std::fmt;

use super::watch::Failure;
use crate::audit::provenance::Provenance;
use crate::docker::{ApiError, TransportError};
use crate::interlock::CORE_SERVICE;

#[derive(Debug, Clone)]
pub enum StepError {
    /// A call to the swarm failed.
    Swarm(ApiError),
    /// The new TOML does not parse (a saved plan edited by hand).
    BadConfig(String),
    /// A create-config action without a name (planned from a file).
    NoConfigName,
    /// The core update ran without a config to point at.
    NoNewConfig,
    /// Another operator changed the cluster since the plan: nothing more is changed.
    Moved(Moved),
    /// Another update of the service replaced ours before it converged.
    Superseded(String),
    /// The new proxy did not route an application in time: its config lacks `hosts`, or
    /// (`running`: tasks on it, tasks wanted) too few of its tasks run the config that has them.
    NotRouted {
        service: String,
        proxy: String,
        hosts: Vec<String>,
        running: Option<(u64, u64)>,
        secs: u64,
    },
    /// The core's update did not converge in time.
    NotConverged {
        message: String,
    },
    /// A service Interlock should create did not come up in time.
    NotCreated {
        service: String,
        secs: u64,
        logs: Vec<String>,
    },
    /// Swarm rolled back or paused the update of a proxy.
    ProxyUpdateFailed {
        service: String,
        message: String,
    },
    /// Swarm rolled back the core's update: the core is on its old config.
    RolledBack(Failure),
    /// Swarm paused the core's update half-way.
    Paused(Failure),
    /// What was being written (the core, a node, an application's service) changed between
    /// reading and writing it (swarm's optimistic concurrency); `what` names it.
    OutOfSequence {
        what: String,
    },
    Interrupted,
}

impl StepError {
    pub fn message(&self) -> String {
        match self {
            // Mid-apply, a manager that refuses new connections and one that drops the open
            // one are the same event for the operator: it went away.
            StepError::Swarm(
                e @ ApiError::Transport(
                    TransportError::Refused { .. } | TransportError::Dropped { .. },
                ),
            ) => format!("lost the connection to the manager: {}", e.message()),
            StepError::Swarm(e) => e.message(),
            StepError::BadConfig(m) => m.clone(),
            StepError::NoConfigName => "the plan names no config".into(),
            StepError::NoNewConfig => format!("no new config to point {CORE_SERVICE} at"),
            StepError::Moved(m) => m.to_string(),
            StepError::Superseded(by) => {
                format!("our update was superseded before it converged: {by}")
            }
            StepError::NotConverged { message } => message.clone(),
            StepError::NotRouted {
                service,
                proxy,
                hosts,
                running: None,
                secs,
            } => format!(
                "{proxy} did not route {} of {service} within {secs}s",
                hosts.join(", ")
            ),
            StepError::NotRouted {
                service,
                proxy,
                hosts,
                running: Some((running, want)),
                secs,
            } => format!(
                "{proxy}'s config routes {} of {service}, but after {secs}s {running} of its {want} tasks run it",
                hosts.join(", ")
            ),
            StepError::NotCreated {
                service,
                secs,
                logs,
            } => format!(
                "{service} was not created and running within {secs}s; the core's last log lines:\n{}",
                logs.iter()
                    .map(|l| format!("    {l}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
            StepError::ProxyUpdateFailed { service, message } => {
                format!("updating {service} failed: {message}")
            }
            StepError::RolledBack(f) | StepError::Paused(f) => f.message.clone(),
            StepError::OutOfSequence { what } => {
                format!("{what} changed while it was being updated (update out of sequence)")
            }
            StepError::Interrupted => "interrupted".into(),
        }
    }

    pub fn hint(&self) -> Option<String> {
        match self {
            // The address worked when apply read the cluster: the manager went down, and
            // another manager's bundle reaches the same swarm.
            StepError::Swarm(ApiError::Transport(TransportError::Refused { .. })) => Some(
                "the manager stopped answering during apply: run `interlock-split status` through another manager (its client bundle), then apply again through it (steps already done are recognised)"
                    .into(),
            ),
            StepError::Swarm(e) => e.hint(),
            StepError::Moved(_) => Some(
                "review what changed with `interlock-split plan` (it plans from the config in use now) and apply again if it is still wanted"
                    .into(),
            ),
            StepError::Superseded(_) => Some(
                "someone else changed the service meanwhile: `interlock-split status` shows what runs now; review with `interlock-split plan` before applying again"
                    .into(),
            ),
            StepError::NotConverged { .. } => {
                Some("`interlock-split status` shows where it stands".into())
            }
            StepError::NotRouted { proxy, .. } => Some(format!(
                "`docker service logs ucp-interlock` says why Interlock did not configure it; `interlock-split status` shows the routes {proxy} serves. The old route stays until apply runs again"
            )),
            StepError::NotCreated { .. } => Some(
                "`interlock-split status` shows what exists; raise --wait-timeout if the cluster is slow"
                    .into(),
            ),
            StepError::ProxyUpdateFailed { service, .. } => Some(format!(
                "`docker service ps {service}` shows why; or remove it and Interlock recreates it from the config"
            )),
            _ => None,
        }
    }
}

/// How the cluster moved away from the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Moved {
    /// The core points at another config than the one the plan was made from.
    ConfigInUse { now: Provenance, planned: String },
    /// A config of the planned name holds other content.
    NameTaken { taken: Provenance },
    /// An application's service-cluster label is neither the one planned from nor the one
    /// planned.
    AppRelabelled {
        service: String,
        now: Option<String>,
    },
    /// A node's label is neither the value planned from nor the one planned.
    NodeRelabelled {
        hostname: String,
        key: String,
        now: Option<String>,
    },
}

impl fmt::Display for Moved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Moved::ConfigInUse { now, planned } => write!(
                f,
                "the cluster changed under the plan: {CORE_SERVICE} now uses {now}, not {planned}, which the plan was made from; nothing more was changed"
            ),
            Moved::NameTaken { taken } => write!(
                f,
                "the cluster changed under the plan: {taken} already exists with other content; nothing more was changed"
            ),
            Moved::AppRelabelled { service, now } => write!(
                f,
                "the cluster changed under the plan: `{service}` is now labelled com.docker.lb.service_cluster={}; it was left as it is and nothing more was changed",
                now.as_deref().unwrap_or("(none)")
            ),
            Moved::NodeRelabelled { hostname, key, now } => write!(
                f,
                "the cluster changed under the plan: node {hostname} now has {key}={}; it was left as it is and nothing more was changed",
                now.as_deref().unwrap_or("(none)")
            ),
        }
    }
}

impl From<ApiError> for StepError {
    fn from(e: ApiError) -> Self {
        StepError::Swarm(e)
    }
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for StepError {}
