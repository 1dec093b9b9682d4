//! Network partitions on the multi-node bed: a manager cut off from the other managers by
//! firewall rules inside its own namespace ([`super::netns::cut`]). Its engine keeps answering
//! (unlike a stopped manager), but without a leader once it has lost the majority. The bed
//! removes the rules when it heals the node, on drop (even after a panic), and with the
//! namespaces of an aborted run.

use std::time::Duration;

use super::multinode::MultiNode;
use super::{netns, wait_for};

impl MultiNode {
    /// Cuts manager `i` off from every other manager (the workers still reach it). The bed's
    /// own commands then go to another manager, on the majority side.
    pub fn cut_manager(&mut self, i: usize) {
        let others: Vec<String> = (0..self.manager_count())
            .filter(|&m| m != i)
            .map(|m| self.manager_at(m).address.clone())
            .collect();
        netns::cut(self.manager_at(i).index, &others).unwrap_or_else(|e| panic!("{e}"));
        self.cut.push(i);
        self.avoid(i);
    }

    /// Removes manager `i`'s partition rules.
    pub fn heal_manager(&mut self, i: usize) {
        let errors = netns::heal(self.manager_at(i).index);
        assert!(errors.is_empty(), "healing manager {i}: {errors:?}");
        self.cut.retain(|&m| m != i);
    }

    /// Waits until manager `i` itself says the swarm has no leader: it has lost the majority,
    /// and every call through it now fails at once.
    pub fn wait_no_leader_on(&self, i: usize, timeout: Duration) {
        let m = self.manager_at(i);
        wait_for(
            &format!("{} to say the swarm has no leader", m.hostname),
            timeout,
            || {
                let out = m.docker(&["node", "ls"]);
                String::from_utf8_lossy(&out.stderr)
                    .contains("does not have a leader")
                    .then_some(())
            },
            || String::from_utf8_lossy(&m.docker(&["node", "ls"]).stderr).into_owned(),
        );
    }

    /// Removes every partition rule the bed made (on drop, before the engines stop).
    pub(super) fn heal_all(&mut self) -> Vec<String> {
        let cut = std::mem::take(&mut self.cut);
        cut.iter()
            .flat_map(|&i| netns::heal(self.manager_at(i).index))
            .collect()
    }
}
