//! The audit labels on the configs apply creates: the one place their keys are spelled. Who
//! applied a config, when, with which tool, plan and spec, and what became of it are read back
//! from a config through `recorded`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::cluster::ConfigInfo;

/// Every audit label starts with this.
pub const PREFIX: &str = "com.docker.interlock-split.";
pub const TOOL: &str = "com.docker.interlock-split.tool";
pub const VERSION: &str = "com.docker.interlock-split.version";
pub const PLAN_SHA256: &str = "com.docker.interlock-split.plan-sha256";
pub const SPEC_SHA256: &str = "com.docker.interlock-split.spec-sha256";
pub const APPLIED_BY: &str = "com.docker.interlock-split.applied-by";
pub const APPLIED_AT: &str = "com.docker.interlock-split.applied-at";
pub const OUTCOME: &str = "com.docker.interlock-split.outcome";

pub const TOOL_NAME: &str = "interlock-split";

/// The audit labels: they tell of one config, so a new config never copies them from its
/// predecessor. Other labels under the same prefix (an operator's own) are copied like any.
const AUDIT_KEYS: [&str; 7] = [
    TOOL,
    VERSION,
    PLAN_SHA256,
    SPEC_SHA256,
    APPLIED_BY,
    APPLIED_AT,
    OUTCOME,
];

pub fn is_audit(key: &str) -> bool {
    AUDIT_KEYS.contains(&key)
}

/// What became of a config apply pointed the core at, written after the watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordedOutcome {
    /// A task ran it: the update converged.
    Ran,
    /// Swarm rolled the update back: the core never ran it.
    RolledBack,
    /// Swarm paused the update.
    Paused,
    /// Another change replaced it before the update finished.
    Superseded,
}

impl RecordedOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordedOutcome::Ran => "ran",
            RecordedOutcome::RolledBack => "rolled-back",
            RecordedOutcome::Paused => "paused",
            RecordedOutcome::Superseded => "superseded",
        }
    }

    pub fn parse(s: &str) -> Option<RecordedOutcome> {
        [
            RecordedOutcome::Ran,
            RecordedOutcome::RolledBack,
            RecordedOutcome::Paused,
            RecordedOutcome::Superseded,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }
}

/// What apply writes on a config it creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub plan_sha256: String,
    pub spec_sha256: String,
    /// The subject of the client certificate, or the local user.
    pub by: String,
    /// RFC 3339, UTC.
    pub at: String,
}

impl Stamp {
    pub fn labels(&self) -> BTreeMap<String, String> {
        [
            (TOOL, TOOL_NAME),
            (VERSION, env!("CARGO_PKG_VERSION")),
            (PLAN_SHA256, self.plan_sha256.as_str()),
            (SPEC_SHA256, self.spec_sha256.as_str()),
            (APPLIED_BY, self.by.as_str()),
            (APPLIED_AT, self.at.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }
}

/// The labels of a new config: the old config's own (such as the collection label), never its
/// audit labels (they tell of the old config), then this apply's.
pub fn for_new_config(
    old: &BTreeMap<String, String>,
    stamp: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = old
        .iter()
        .filter(|(k, _)| !is_audit(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    out.extend(stamp.iter().map(|(k, v)| (k.clone(), v.clone())));
    out
}

/// What a config's labels record of how it was applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// "interlock-split 0.1.0".
    pub tool: String,
    pub plan_sha256: Option<String>,
    pub spec_sha256: Option<String>,
    pub by: Option<String>,
    pub at: Option<String>,
    pub outcome: Option<RecordedOutcome>,
}

/// The record on a config this tool created; `None` for any other config.
pub fn recorded(config: &ConfigInfo) -> Option<Record> {
    let get = |k: &str| config.labels.get(k).filter(|v| !v.is_empty()).cloned();
    let tool = get(TOOL)?;
    Some(Record {
        tool: match get(VERSION) {
            Some(v) => format!("{tool} {v}"),
            None => tool,
        },
        plan_sha256: get(PLAN_SHA256),
        spec_sha256: get(SPEC_SHA256),
        by: get(APPLIED_BY),
        at: get(APPLIED_AT),
        outcome: get(OUTCOME).as_deref().and_then(RecordedOutcome::parse),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp() -> Stamp {
        Stamp {
            plan_sha256: "p".repeat(64),
            spec_sha256: "s".repeat(64),
            by: "CN=admin".into(),
            at: "2026-11-29T04:36:00Z".into(),
        }
    }

    #[test]
    fn a_new_config_keeps_the_old_labels_but_not_its_audit_trail() {
        let old: BTreeMap<String, String> = [
            ("com.docker.ucp.access.label", "/prod"),
            ("com.docker.interlock-split.team", "ingress"),
            (APPLIED_BY, "someone-else"),
            (OUTCOME, "rolled-back"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let labels = for_new_config(&old, &stamp().labels());
        assert_eq!(labels["com.docker.ucp.access.label"], "/prod");
        // A label of the operator's under the same prefix is not an audit label: copied.
        assert_eq!(labels["com.docker.interlock-split.team"], "ingress");
        assert_eq!(labels[APPLIED_BY], "CN=admin");
        assert_eq!(labels[APPLIED_AT], "2026-11-29T04:36:00Z");
        assert_eq!(labels[TOOL], "interlock-split");
        assert_eq!(labels[VERSION], env!("CARGO_PKG_VERSION"));
        assert_eq!(labels[PLAN_SHA256], "p".repeat(64));
        assert_eq!(labels[SPEC_SHA256], "s".repeat(64));
        assert!(
            !labels.contains_key(OUTCOME),
            "the outcome comes after the watch"
        );
        assert!(
            labels
                .keys()
                .all(|k| !k.starts_with(PREFIX) || k.len() > PREFIX.len())
        );
    }

    #[test]
    fn the_record_reads_back_what_was_written() {
        let mut labels = stamp().labels();
        labels.insert(OUTCOME.into(), RecordedOutcome::RolledBack.as_str().into());
        let c = ConfigInfo {
            id: "x".into(),
            name: "conf-2".into(),
            labels,
            created_at: None,
        };
        let r = recorded(&c).unwrap();
        assert_eq!(
            r.tool,
            format!("interlock-split {}", env!("CARGO_PKG_VERSION"))
        );
        assert_eq!(r.by.as_deref(), Some("CN=admin"));
        assert_eq!(r.outcome, Some(RecordedOutcome::RolledBack));
        let plain = ConfigInfo {
            labels: BTreeMap::new(),
            ..c
        };
        assert_eq!(recorded(&plain), None, "a config the tool did not create");
    }

    #[test]
    fn outcomes_round_trip() {
        for o in [
            RecordedOutcome::Ran,
            RecordedOutcome::RolledBack,
            RecordedOutcome::Paused,
            RecordedOutcome::Superseded,
        ] {
            assert_eq!(RecordedOutcome::parse(o.as_str()), Some(o));
        }
        assert_eq!(RecordedOutcome::parse("done"), None);
    }
}
