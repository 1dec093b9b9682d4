//! Waiting for nodes whose state swarm does not know yet. A new leader marks every node
//! `unknown` until the node reports, a few seconds after a leader change or after a partition
//! heals: read then, the cluster looks as if healthy nodes could take nothing. The live
//! commands wait a bounded time for such nodes to report, saying so, then read the cluster
//! again; nodes still unknown after that are planned as unknown (`node-state-unknown`), never
//! as down.

use std::time::{Duration, Instant};

use super::live::to_cli;
use crate::cli::CliError;
use crate::cluster::{Node, NodeState};
use crate::docker::{Client, LiveState, Swarm};
use crate::output::printer::Printer;

/// Long enough for nodes to report to a new leader (a few seconds), short enough for a change
/// window.
const WAIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_secs(1);

fn unknown(nodes: &[Node]) -> Vec<&str> {
    nodes
        .iter()
        .filter(|n| n.state == NodeState::Unknown)
        .map(|n| n.hostname.as_str())
        .collect()
}

fn nodes_text(names: &[&str]) -> String {
    let s = if names.len() == 1 { "" } else { "s" };
    format!("{} node{s} ({})", names.len(), names.join(", "))
}

/// `state` as it is when no node is of unknown state; otherwise read again once they have
/// reported, or after [`WAIT`].
pub async fn settle(
    client: &Client,
    state: LiveState,
    with_tasks: bool,
    printer: Printer,
) -> Result<LiveState, CliError> {
    let first = unknown(&state.snapshot.nodes);
    if first.is_empty() {
        return Ok(state);
    }
    printer.status(&format!(
        "swarm does not know the state of {} yet (a new leader marks every node unknown until it reports): waiting up to {} s",
        nodes_text(&first),
        WAIT.as_secs()
    ));
    let start = Instant::now();
    let mut left: Vec<String> = first.iter().map(|s| s.to_string()).collect();
    while !left.is_empty() && start.elapsed() < WAIT {
        tokio::time::sleep(POLL).await;
        let nodes = client.nodes().await.map_err(to_cli)?;
        let now: Vec<String> = unknown(&nodes).iter().map(|s| s.to_string()).collect();
        if !now.is_empty() && now != left {
            let names: Vec<&str> = now.iter().map(String::as_str).collect();
            printer.status(&format!("      still waiting for {}", nodes_text(&names)));
        }
        left = now;
    }
    let secs = start.elapsed().as_secs_f64();
    printer.status(&if left.is_empty() {
        format!("      every node has reported after {secs:.1} s: reading the cluster again")
    } else {
        format!("      still not known after {secs:.0} s: going on with them as unknown, neither able to take a task nor down")
    });
    client.live_state(with_tasks).await.map_err(to_cli)
}
