//! Which config rollback goes back to: the newest config older than the one in use that
//! actually ran. Configs that never ran (rolled back, paused, superseded, failed) are skipped,
//! and so are those with no record, unless no config is known to have run: then the newest of
//! those is taken, and said to be unverified.

use serde::Serialize;

use super::verdict::{Fate, Judgement};
use crate::cluster::ConfigInfo;
use crate::interlock::names::config_version;

/// A config passed over, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skip {
    pub name: String,
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pick {
    pub name: String,
    pub id: String,
    /// Known to have run (false: the newest config with no record at all).
    pub verified: bool,
    pub skipped: Vec<Skip>,
}

/// Nothing to go back to, with what was passed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoTarget {
    pub skipped: Vec<Skip>,
}

fn version(c: &ConfigInfo) -> u64 {
    config_version(&c.name).unwrap_or(1)
}

/// The config to roll back to from `in_use`, among `configs`, each with its verdict.
pub fn pick(configs: &[(ConfigInfo, Judgement)], in_use: &ConfigInfo) -> Result<Pick, NoTarget> {
    let mut older: Vec<&(ConfigInfo, Judgement)> = configs
        .iter()
        .filter(|(c, _)| c.id != in_use.id && version(c) < version(in_use))
        .collect();
    older.sort_by_key(|(c, _)| std::cmp::Reverse((version(c), c.name.clone())));
    let chosen = older
        .iter()
        .position(|(_, v)| v.fate == Fate::Ran)
        .or_else(|| older.iter().position(|(_, v)| v.fate == Fate::Unknown));
    let skips = |n: usize| -> Vec<Skip> {
        older[..n]
            .iter()
            .map(|(c, v)| Skip {
                name: c.name.clone(),
                why: v.why_not(),
            })
            .collect()
    };
    match chosen {
        Some(i) => Ok(Pick {
            name: older[i].0.name.clone(),
            id: older[i].0.id.clone(),
            verified: older[i].1.fate == Fate::Ran,
            skipped: skips(i),
        }),
        None => Err(NoTarget {
            skipped: skips(older.len()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::verdict::Evidence;

    fn config(n: u64) -> ConfigInfo {
        ConfigInfo {
            id: format!("id{n}"),
            name: format!("com.docker.ucp.interlock.conf-{n}"),
            labels: Default::default(),
            created_at: None,
        }
    }

    fn with(n: u64, fate: Fate, source: Evidence) -> (ConfigInfo, Judgement) {
        let detail = (fate == Fate::Failed).then(|| "task: non-zero exit (1)".to_string());
        (
            config(n),
            Judgement {
                fate,
                source,
                detail,
            },
        )
    }

    #[test]
    fn goes_back_past_a_config_that_was_rolled_back() {
        // conf-4 was rejected and rolled back, conf-5 was applied: back to conf-3, not conf-4.
        let cs = [
            with(1, Fate::Unknown, Evidence::None),
            with(2, Fate::Ran, Evidence::Label),
            with(3, Fate::Ran, Evidence::Label),
            with(4, Fate::RolledBack, Evidence::Label),
            with(5, Fate::Ran, Evidence::Label),
        ];
        let p = pick(&cs, &config(5)).unwrap();
        assert_eq!(p.name, "com.docker.ucp.interlock.conf-3");
        assert!(p.verified);
        assert_eq!(
            p.skipped,
            [Skip {
                name: "com.docker.ucp.interlock.conf-4".into(),
                why: "rolled back (recorded on the config)".into()
            }]
        );
    }

    #[test]
    fn swarm_evidence_counts_for_configs_the_tool_did_not_create() {
        let cs = [
            with(1, Fate::Ran, Evidence::PreviousSpec),
            with(2, Fate::Failed, Evidence::Tasks),
            with(3, Fate::Paused, Evidence::Label),
            with(4, Fate::Superseded, Evidence::Label),
            with(5, Fate::Ran, Evidence::Tasks),
        ];
        let p = pick(&cs, &config(5)).unwrap();
        assert_eq!(p.name, "com.docker.ucp.interlock.conf-1");
        let why: Vec<&str> = p.skipped.iter().map(|s| s.why.as_str()).collect();
        assert_eq!(
            why,
            [
                "superseded (recorded on the config)",
                "paused (recorded on the config)",
                "failed (swarm's task history: task: non-zero exit (1))",
            ]
        );
    }

    #[test]
    fn with_no_record_of_any_run_the_newest_unrecorded_one_is_unverified() {
        let cs = [
            with(1, Fate::Unknown, Evidence::None),
            with(2, Fate::Unknown, Evidence::None),
            with(3, Fate::RolledBack, Evidence::Label),
            with(4, Fate::Ran, Evidence::Label),
        ];
        let p = pick(&cs, &config(4)).unwrap();
        assert_eq!(p.name, "com.docker.ucp.interlock.conf-2");
        assert!(!p.verified);
        assert_eq!(p.skipped.len(), 1);
    }

    #[test]
    fn a_known_run_wins_over_a_newer_config_with_no_record() {
        let cs = [
            with(1, Fate::Ran, Evidence::Label),
            with(2, Fate::Unknown, Evidence::None),
            with(3, Fate::Ran, Evidence::Label),
        ];
        let p = pick(&cs, &config(3)).unwrap();
        assert_eq!(p.name, "com.docker.ucp.interlock.conf-1");
        assert_eq!(p.skipped[0].why, "no record that it ever ran");
    }

    #[test]
    fn nothing_to_go_back_to() {
        let cs = [
            with(1, Fate::RolledBack, Evidence::Label),
            with(2, Fate::Ran, Evidence::Label),
            with(3, Fate::Ran, Evidence::Label),
        ];
        let e = pick(&cs, &config(1)).unwrap_err();
        assert!(e.skipped.is_empty(), "nothing is older than conf-1");
        let e = pick(&cs[..2], &config(2)).unwrap_err();
        assert_eq!(e.skipped.len(), 1);
    }
}
