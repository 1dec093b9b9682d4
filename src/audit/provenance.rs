//! Who made a config and when, as far as the cluster records it: the engine's creation time,
//! and the author label interlock-split writes on the configs it creates (a config made by
//! hand or by UCP has none). Every reader of that label goes through `provenance`.

use std::fmt;

use serde::Serialize;

pub use super::labels::APPLIED_BY;
use crate::cluster::ConfigInfo;

/// A config, when it was created and by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    pub config: String,
    pub created_at: Option<String>,
    pub by: Option<String>,
}

pub fn provenance(c: &ConfigInfo) -> Provenance {
    Provenance {
        config: c.name.clone(),
        created_at: c.created_at.clone(),
        by: c.labels.get(APPLIED_BY).cloned(),
    }
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.config)?;
        match (&self.created_at, &self.by) {
            (Some(at), Some(by)) => write!(f, " (created {at} by {by})"),
            (Some(at), None) => write!(f, " (created {at}; its author is not recorded)"),
            (None, Some(by)) => write!(f, " (created by {by})"),
            (None, None) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_who_and_when_where_recorded() {
        let mut c = ConfigInfo {
            id: "x".into(),
            name: "conf-42".into(),
            labels: Default::default(),
            created_at: Some("2024-05-01T10:00:00Z".into()),
        };
        assert_eq!(
            provenance(&c).to_string(),
            "conf-42 (created 2024-05-01T10:00:00Z; its author is not recorded)"
        );
        c.labels.insert(APPLIED_BY.into(), "CN=alice".into());
        assert_eq!(
            provenance(&c).to_string(),
            "conf-42 (created 2024-05-01T10:00:00Z by CN=alice)"
        );
    }
}
