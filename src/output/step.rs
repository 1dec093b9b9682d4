//! What a step of apply did, in words: the one place that words `apply::StepOutcome`.

use crate::apply::{KeptReason, StepOutcome, StepReport};
use crate::interlock::CORE_SERVICE;

/// The step's outcome, or why it failed; empty for a step not run.
pub fn detail(step: &StepReport) -> String {
    match (&step.outcome, &step.error) {
        (Some(o), _) => words(o),
        (None, Some(e)) => e.clone(),
        (None, None) => String::new(),
    }
}

pub fn words(o: &StepOutcome) -> String {
    match o {
        StepOutcome::Labelled {
            key,
            value,
            already,
        } => format!(
            "{key}={value} {}",
            if *already { "already set" } else { "set" }
        ),
        StepOutcome::Created {
            name,
            from,
            copied_labels,
        } if !copied_labels.is_empty() => format!(
            "created {name} with the labels of {from} ({})",
            copied_labels.join(", ")
        ),
        StepOutcome::Created { name, .. } => format!("created {name}"),
        StepOutcome::Reused {
            name,
            earlier_run: true,
        } => format!("{name} already holds this config (left by an earlier run): reused"),
        StepOutcome::Reused { name, .. } => format!("{name} already holds this config: reused"),
        StepOutcome::CoreRuns {
            config,
            already: true,
            ..
        } => format!("{CORE_SERVICE} already runs {config}"),
        StepOutcome::CoreRuns {
            config, host_port, ..
        } => format!(
            "{CORE_SERVICE} runs {config}, converged{}",
            host_port
                .map(|p| format!(" (its port {p} published in host mode)"))
                .unwrap_or_default()
        ),
        StepOutcome::Removed {
            service,
            already: true,
        } => format!("{service} was already gone"),
        StepOutcome::Removed { service, .. } => format!("removed {service}"),
        StepOutcome::Running {
            service,
            running,
            wanted,
            ports,
        } => format!("{service}: {running}/{wanted} running{}", publishing(ports)),
        StepOutcome::Reconciled { service } => {
            format!("{service} updated in place to the config's constraints, replicas and ports")
        }
        StepOutcome::Pruned { removed, in_use } => pruned(removed, in_use),
        StepOutcome::NetworkCreated { .. }
        | StepOutcome::Relabelled { .. }
        | StepOutcome::AppGone { .. }
        | StepOutcome::Routed { .. }
        | StepOutcome::RouteUnobservable { .. } => route_words(o),
        StepOutcome::Kept { service, reason } => match reason {
            KeptReason::NoCleanup => format!("kept {service} (--no-cleanup)"),
            KeptReason::NoReconcile => {
                format!("left {service} as it is (--no-reconcile); it does not match the config")
            }
        },
    }
}

/// What the steps that move applications did.
fn route_words(o: &StepOutcome) -> String {
    match o {
        StepOutcome::NetworkCreated { name, already } => match already {
            true => format!("network {name} was there already"),
            false => format!("created overlay network {name}"),
        },
        StepOutcome::Relabelled {
            service,
            to,
            already,
        } => format!(
            "{service}: com.docker.lb.service_cluster={to} {}",
            if *already { "already set" } else { "set" }
        ),
        StepOutcome::AppGone { service } => {
            format!("{service} was removed since the plan: nothing to move")
        }
        StepOutcome::Routed {
            service,
            proxy,
            hosts,
        } => format!("{proxy} routes {service} ({})", hosts.join(", ")),
        StepOutcome::RouteUnobservable { proxy, config_path } => format!(
            "{proxy} mounts no config at {config_path} (Interlock's hitless mode?): its routes cannot be read, so apply did not wait for them"
        ),
        other => unreachable!("not a route step's outcome: {other:?}"),
    }
}

fn publishing(ports: &[u16]) -> String {
    if ports.is_empty() {
        return String::new();
    }
    let ps: Vec<String> = ports.iter().map(u16::to_string).collect();
    format!(", publishing {}", ps.join(", "))
}

fn pruned(removed: &[String], in_use: &[String]) -> String {
    let mut out = format!(
        "removed {}",
        if removed.is_empty() {
            "none".into()
        } else {
            removed.join(", ")
        }
    );
    if !in_use.is_empty() {
        let kept: Vec<String> = in_use.iter().map(|n| format!("{n} (in use)")).collect();
        out.push_str(&format!("; kept {}", kept.join(", ")));
    }
    out
}
