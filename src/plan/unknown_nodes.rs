//! Nodes whose state swarm does not know yet. A new leader marks every node `unknown` until the
//! node reports (a few seconds after a leader change, or after a partition heals): a plan made
//! then must not call a healthy node ineligible. The command waits a while for such nodes
//! first; if the placement of a service still hangs on them, this finding says so.

use crate::cluster::Node;
use crate::finding::{Code, Finding};
use crate::interlock::Extension;
use crate::locate::KeyPath;

/// Where a service stands that would need more ready nodes than there are, counting the nodes
/// of unknown state that satisfy its constraints.
pub struct Pending<'a> {
    /// `proxy` or `extension`.
    pub what: &'a str,
    pub ready: usize,
    pub needed: i64,
    pub awaiting: &'a [&'a Node],
}

/// `node-state-unknown`: a warning, never `no-eligible-node`, with the advice to plan again.
pub fn finding(e: &Extension, at: KeyPath, p: &Pending<'_>) -> Finding {
    let names: Vec<&str> = p.awaiting.iter().map(|n| n.hostname.as_str()).collect();
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            one.to_string()
        } else {
            many.to_string()
        }
    };
    Finding::warning(
        Code::NodeStateUnknown,
        format!(
            "`{}` needs {} ready node{} for its {what} and has {ready}; {} ({}) satisfy its constraints but swarm does not know {} state yet (a new leader marks every node unknown until it reports): whether its {what} can run there is not known",
            e.name,
            p.needed,
            if p.needed == 1 { "" } else { "s" },
            plural(names.len(), "one node", &format!("{} nodes", names.len())),
            names.join(", "),
            plural(names.len(), "its", "their"),
            what = p.what,
            ready = p.ready,
        ),
    )
    .at(at)
    .hint("plan again in a few seconds, once the nodes have reported (`docker node ls` shows them Ready)")
}
