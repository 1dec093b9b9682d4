//! A manager with no leader. Cut off from a majority of the managers (a network partition, or
//! too few managers up), its engine still answers, but swarm can neither be read nor changed
//! through it. The engine says so in one of three ways, told apart in `ApiError::from_answer`.

/// How the manager said it has no leader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaderLoss {
    /// "The swarm does not have a leader": refused at once, before anything was done.
    NoLeader,
    /// "context deadline exceeded": no leader answered within the engine's own time limit. A
    /// write may still have been committed by the managers on the other side.
    DeadlineExceeded,
    /// "rpc error: code = Unavailable": the leader could not be reached; a write may have
    /// reached it before the connection failed.
    Unavailable,
}

/// A manager as the tool last knew it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manager {
    pub id: String,
    /// Its address, without the swarm port.
    pub addr: String,
    /// From the last node list read (none was read before a command's first call).
    pub hostname: Option<String>,
}

impl Manager {
    /// `mn-manager-2 (10.213.77.12)`, or `10.213.77.12 (node 3k2j8f1l2m4n)` without a hostname.
    pub fn name(&self) -> String {
        match &self.hostname {
            Some(h) => format!("{h} ({})", self.addr),
            None => format!(
                "{} (node {})",
                self.addr,
                self.id.get(..12).unwrap_or(&self.id)
            ),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NoLeader {
    pub call: String,
    pub status: u16,
    /// The engine's own words.
    pub message: String,
    pub said: LeaderLoss,
    /// The manager behind the connection, when it told (`GET /info`).
    pub this: Option<Manager>,
    /// The other managers: those this manager knows (`GET /info`, which a manager answers
    /// without a leader), named by the last node list read.
    pub others: Vec<Manager>,
}

impl NoLeader {
    /// Whether a write that got this answer may have been carried out all the same.
    pub fn may_have_acted(&self) -> bool {
        self.said != LeaderLoss::NoLeader
    }

    pub fn message(&self) -> String {
        let this = match &self.this {
            Some(m) => format!("the manager behind this connection, {},", m.name()),
            None => "the manager behind this connection".into(),
        };
        let what = match self.said {
            LeaderLoss::NoLeader => {
                "has no leader: it has lost contact with a majority of the swarm's managers"
            }
            LeaderLoss::DeadlineExceeded => {
                "got no answer from a leader in time: it has most likely lost contact with a majority of the swarm's managers"
            }
            LeaderLoss::Unavailable => {
                "cannot reach the swarm's leader: it has most likely lost contact with a majority of the swarm's managers"
            }
        };
        let engine = match self.said {
            LeaderLoss::NoLeader => "the swarm does not have a leader",
            LeaderLoss::DeadlineExceeded => "context deadline exceeded",
            LeaderLoss::Unavailable => "leader unavailable",
        };
        format!(
            "{this} {what} (a network partition, or too few managers up), so swarm can neither be read nor changed through it ({}: HTTP {}, {engine})",
            self.call, self.status
        )
    }

    pub fn hint(&self) -> String {
        let last = "If they all say the same, more than half of the managers are down: bring them back first";
        if self.others.is_empty() {
            return format!(
                "connect through another manager (its client bundle, or --host with its address): `docker node ls` on a manager that has a leader lists them. {last}"
            );
        }
        let names: Vec<String> = self.others.iter().map(Manager::name).collect();
        format!(
            "connect through a manager on the majority side, with its client bundle or its address (--host tcp://ADDRESS:PORT and this bundle's certificates). The other managers, as last known: {}. {last}",
            names.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::ApiError;
    use super::*;

    fn said(status: u16, text: &str) -> Option<LeaderLoss> {
        match ApiError::from_answer("GET /nodes", status, text) {
            ApiError::NoLeader(n) => Some(n.said),
            _ => None,
        }
    }

    /// The engine's words, as dockerd 20.10 answers on a manager cut from the majority.
    #[test]
    fn the_three_ways_a_manager_says_it_has_no_leader() {
        let no_leader = "rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.";
        assert_eq!(said(500, no_leader), Some(LeaderLoss::NoLeader));
        let deadline = "rpc error: code = DeadlineExceeded desc = context deadline exceeded";
        assert_eq!(said(500, deadline), Some(LeaderLoss::DeadlineExceeded));
        let unavailable = "rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing dial tcp 10.213.77.12:2377: i/o timeout\"";
        assert_eq!(said(503, unavailable), Some(LeaderLoss::Unavailable));
        // Not a server error, or other words: not a lost leader.
        assert_eq!(said(400, no_leader), None);
        assert_eq!(
            said(
                500,
                "rpc error: code = Unknown desc = update out of sequence"
            ),
            None
        );
        let not_manager = "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state.";
        assert!(matches!(
            ApiError::from_answer("GET /nodes", 503, not_manager),
            ApiError::NotManager { .. }
        ));
    }

    #[test]
    fn the_message_says_what_happened_and_the_hint_names_the_others() {
        let manager = |id: &str, addr: &str, host: Option<&str>| Manager {
            id: id.into(),
            addr: addr.into(),
            hostname: host.map(String::from),
        };
        let n = NoLeader {
            call: "GET /nodes".into(),
            status: 500,
            message: "rpc error: code = Unknown desc = The swarm does not have a leader.".into(),
            said: LeaderLoss::NoLeader,
            this: Some(manager("a", "10.0.0.1", Some("m1"))),
            others: vec![
                manager("b", "10.0.0.2", Some("m2")),
                manager("c0123456789abcdef", "10.0.0.3", None),
            ],
        };
        assert!(!n.may_have_acted());
        let m = n.message();
        assert!(m.starts_with("the manager behind this connection, m1 (10.0.0.1), has no leader: it has lost contact with a majority"), "{m}");
        assert!(
            m.ends_with("(GET /nodes: HTTP 500, the swarm does not have a leader)"),
            "{m}"
        );
        let h = n.hint();
        assert!(
            h.contains("m2 (10.0.0.2), 10.0.0.3 (node c0123456789a)"),
            "{h}"
        );
        let lost = NoLeader {
            said: LeaderLoss::DeadlineExceeded,
            others: Vec::new(),
            ..n
        };
        assert!(lost.may_have_acted());
        assert!(
            lost.hint()
                .contains("`docker node ls` on a manager that has a leader")
        );
    }
}
