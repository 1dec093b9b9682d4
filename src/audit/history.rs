//! `history`'s model: every Interlock config, newest first, with who applied it, with what,
//! what became of it, and which one is in use and which one rollback would pick.

use serde::Serialize;

use super::labels::recorded;
use super::rollback::{self, Skip};
use super::verdict::{self, Evidence, Fate};
use crate::cluster::{ConfigInfo, CoreHistory};
use crate::interlock::names::config_version;
use crate::time;

#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub version: Option<u64>,
    pub name: String,
    pub id: String,
    /// As the engine sent it (RFC 3339).
    pub created_at: Option<String>,
    /// "3 min ago (2026-11-29 04:36 UTC)".
    pub created: Option<String>,
    /// The client certificate's subject or the local user, when the tool created it.
    pub applied_by: Option<String>,
    /// "interlock-split 0.1.0"; null for a config the tool did not create.
    pub tool: Option<String>,
    pub plan_sha256: Option<String>,
    pub spec_sha256: Option<String>,
    pub outcome: Fate,
    /// Where the outcome was read: `label`, `tasks`, `previous-spec`, `none`.
    pub outcome_from: Evidence,
    pub outcome_detail: Option<String>,
    pub in_use: bool,
    pub rollback_target: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct History {
    pub in_use: String,
    /// What `rollback` would go back to (null: nothing to go back to).
    pub rollback_target: Option<String>,
    /// Whether that target is known to have run.
    pub rollback_verified: bool,
    /// Configs rollback would pass over, and why.
    pub rollback_skips: Vec<Skip>,
    pub configs: Vec<Entry>,
}

fn entry(c: &ConfigInfo, v: verdict::Judgement, now: i64) -> Entry {
    let record = recorded(c);
    let r = record.as_ref();
    Entry {
        version: config_version(&c.name),
        name: c.name.clone(),
        id: c.id.clone(),
        created_at: c.created_at.clone(),
        created: c.created_at.as_deref().map(|t| time::readable(t, now)),
        applied_by: r.and_then(|r| r.by.clone()),
        tool: r.map(|r| r.tool.clone()),
        plan_sha256: r.and_then(|r| r.plan_sha256.clone()),
        spec_sha256: r.and_then(|r| r.spec_sha256.clone()),
        outcome: v.fate,
        outcome_from: v.source,
        outcome_detail: v.detail,
        in_use: false,
        rollback_target: false,
    }
}

/// The history of `configs` with `in_use` mounted by the core, read at `now` (Unix seconds).
pub fn build(configs: &[ConfigInfo], in_use: &ConfigInfo, core: &CoreHistory, now: i64) -> History {
    let judged: Vec<(ConfigInfo, verdict::Judgement)> = configs
        .iter()
        .map(|c| (c.clone(), verdict::of(c, core)))
        .collect();
    let pick = rollback::pick(&judged, in_use);
    let target = pick.as_ref().ok().map(|p| p.id.clone());
    let mut entries: Vec<Entry> = judged
        .into_iter()
        .map(|(c, v)| {
            let mut e = entry(&c, v, now);
            e.in_use = c.id == in_use.id;
            e.rollback_target = target.as_deref() == Some(c.id.as_str());
            e
        })
        .collect();
    entries.sort_by_key(|e| std::cmp::Reverse((e.version.unwrap_or(1), e.name.clone())));
    let (rollback_target, rollback_verified, rollback_skips) = match pick {
        Ok(p) => (Some(p.name), p.verified, p.skipped),
        Err(e) => (None, false, e.skipped),
    };
    History {
        in_use: in_use.name.clone(),
        rollback_target,
        rollback_verified,
        rollback_skips,
        configs: entries,
    }
}

/// The versions `history --diff` compares by default: the one in use and its predecessor.
pub fn default_pair<'a>(
    configs: &'a [ConfigInfo],
    in_use: &'a ConfigInfo,
) -> Option<(&'a ConfigInfo, &'a ConfigInfo)> {
    let v = config_version(&in_use.name).unwrap_or(1);
    let before = configs
        .iter()
        .filter(|c| c.id != in_use.id && config_version(&c.name).unwrap_or(1) < v)
        .max_by_key(|c| config_version(&c.name).unwrap_or(1))?;
    Some((before, in_use))
}

/// A config by version number (`4`) or by name.
pub fn find<'a>(configs: &'a [ConfigInfo], what: &str) -> Option<&'a ConfigInfo> {
    configs.iter().find(|c| c.name == what).or_else(|| {
        let n: u64 = what.parse().ok()?;
        configs.iter().find(|c| config_version(&c.name) == Some(n))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::labels::{self, RecordedOutcome, Stamp};
    use crate::cluster::CoreRun;

    fn config(n: u64, outcome: Option<RecordedOutcome>) -> ConfigInfo {
        let mut labels = std::collections::BTreeMap::new();
        if let Some(o) = outcome {
            let stamp = Stamp {
                plan_sha256: format!("plan{n}"),
                spec_sha256: format!("spec{n}"),
                by: "CN=admin".into(),
                at: "2026-11-29T04:36:00Z".into(),
            };
            labels = stamp.labels();
            labels.insert(labels::OUTCOME.into(), o.as_str().into());
        }
        ConfigInfo {
            id: format!("id{n}"),
            name: format!("com.docker.ucp.interlock.conf-{n}"),
            labels,
            created_at: Some(format!("2026-11-29T04:3{n}:00.5Z")),
        }
    }

    fn seed() -> (Vec<ConfigInfo>, CoreHistory) {
        let configs = vec![
            config(1, None),
            config(2, Some(RecordedOutcome::Ran)),
            config(3, Some(RecordedOutcome::RolledBack)),
            config(4, Some(RecordedOutcome::Ran)),
        ];
        let core = CoreHistory {
            previous_config: None,
            update_state: None,
            runs: vec![CoreRun {
                config_id: "id1".into(),
                config_name: configs[0].name.clone(),
                state: "shutdown".into(),
                error: None,
            }],
        };
        (configs, core)
    }

    #[test]
    fn each_config_with_its_record_newest_first() {
        let (configs, core) = seed();
        let now = time::parse_rfc3339("2026-11-29T04:40:00Z").unwrap();
        let h = build(&configs, &configs[3], &core, now);
        let names: Vec<u64> = h.configs.iter().filter_map(|e| e.version).collect();
        assert_eq!(names, [4, 3, 2, 1]);
        let e4 = &h.configs[0];
        assert!(e4.in_use && !e4.rollback_target);
        assert_eq!(
            e4.created.as_deref(),
            Some("6 min ago (2026-11-29 04:34 UTC)")
        );
        assert_eq!(e4.applied_by.as_deref(), Some("CN=admin"));
        assert_eq!(e4.plan_sha256.as_deref(), Some("plan4"));
        assert_eq!(h.configs[1].outcome, Fate::RolledBack);
        assert!(
            h.configs[2].rollback_target,
            "conf-2: the last one that ran"
        );
        assert_eq!(
            h.rollback_target.as_deref(),
            Some("com.docker.ucp.interlock.conf-2")
        );
        assert_eq!(h.rollback_skips.len(), 1);
        let e1 = &h.configs[3];
        assert_eq!((e1.outcome, e1.outcome_from), (Fate::Ran, Evidence::Tasks));
        assert_eq!(e1.tool, None, "the tool did not create conf-1");
    }

    #[test]
    fn the_default_diff_is_the_config_in_use_against_its_predecessor() {
        let (configs, _) = seed();
        let (a, b) = default_pair(&configs, &configs[3]).unwrap();
        assert_eq!((a.id.as_str(), b.id.as_str()), ("id3", "id4"));
        assert!(default_pair(&configs, &configs[0]).is_none());
        assert_eq!(find(&configs, "2").map(|c| c.id.as_str()), Some("id2"));
        assert_eq!(
            find(&configs, "com.docker.ucp.interlock.conf-3").map(|c| c.id.as_str()),
            Some("id3")
        );
        assert!(find(&configs, "9").is_none());
    }
}
