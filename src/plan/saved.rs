//! Saved plans (`plan --out`): the whole plan, the exact new config, and a fingerprint of what
//! it was computed from, so that apply can show the plan and refuse one the cluster has moved
//! away from.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Plan;

/// Bumped whenever the shape of a saved plan changes. 2: the plan is embedded as the model
/// itself (1 had the actions apart and the plan only for showing).
pub const SAVED_FORMAT_VERSION: u32 = 3;

pub fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// What a plan depends on. Any difference means the plan is stale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub core_service_id: Option<String>,
    pub core_service_version: Option<u64>,
    pub config_id: Option<String>,
    pub config_name: Option<String>,
    pub current_toml_sha256: String,
    pub spec_file: String,
    pub spec_sha256: String,
}

/// One way the present differs from what a plan was saved against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FingerprintDrift {
    /// The spec file changed. The saved plan does not depend on it any more: it is applied as
    /// saved, with a warning.
    Spec { file: String },
    /// The cluster moved: the plan is stale.
    Cluster(ClusterDrift),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterDrift {
    CoreRecreated,
    CoreUpdated {
        from: Option<u64>,
        to: Option<u64>,
    },
    ConfigChanged {
        from: Option<String>,
        to: Option<String>,
    },
    TomlChanged,
}

impl fmt::Display for FingerprintDrift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FingerprintDrift::Spec { file } => write!(f, "the spec {file} was edited"),
            FingerprintDrift::Cluster(c) => c.fmt(f),
        }
    }
}

impl fmt::Display for ClusterDrift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let or_unknown = |v: &Option<String>| v.clone().unwrap_or_else(|| "?".into());
        match self {
            ClusterDrift::CoreRecreated => f.write_str("the ucp-interlock service was recreated"),
            ClusterDrift::CoreUpdated { from, to } => write!(
                f,
                "ucp-interlock was updated (version {} → {})",
                or_unknown(&from.map(|v| v.to_string())),
                or_unknown(&to.map(|v| v.to_string()))
            ),
            ClusterDrift::ConfigChanged { from, to } => write!(
                f,
                "the config in use changed ({} → {})",
                or_unknown(from),
                or_unknown(to)
            ),
            ClusterDrift::TomlChanged => f.write_str("the current Interlock TOML differs"),
        }
    }
}

impl Fingerprint {
    /// What differs between the fingerprint a plan was saved with and the present one.
    pub fn drift(&self, now: &Fingerprint) -> Vec<FingerprintDrift> {
        let mut out = Vec::new();
        if self.core_service_id != now.core_service_id {
            out.push(ClusterDrift::CoreRecreated);
        }
        if self.core_service_version != now.core_service_version {
            out.push(ClusterDrift::CoreUpdated {
                from: self.core_service_version,
                to: now.core_service_version,
            });
        }
        if self.config_id != now.config_id || self.config_name != now.config_name {
            out.push(ClusterDrift::ConfigChanged {
                from: self.config_name.clone(),
                to: now.config_name.clone(),
            });
        }
        if self.current_toml_sha256 != now.current_toml_sha256 {
            out.push(ClusterDrift::TomlChanged);
        }
        let mut out: Vec<FingerprintDrift> =
            out.into_iter().map(FingerprintDrift::Cluster).collect();
        if self.spec_sha256 != now.spec_sha256 {
            out.push(FingerprintDrift::Spec {
                file: now.spec_file.clone(),
            });
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedPlan {
    pub format_version: u32,
    /// The interlock-split that saved it.
    pub tool_version: String,
    pub fingerprint: Fingerprint,
    /// The TOML apply uploads, exactly.
    pub new_config: String,
    /// The plan as `plan` made it (`new_config` aside, which is above).
    pub plan: Plan,
}

/// Why a file cannot be applied as a saved plan.
#[derive(Debug)]
pub enum LoadError {
    NotSavedPlan(serde_json::Error),
    /// Written by another version of interlock-split, in a shape this one does not read.
    Version {
        found: u32,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NotSavedPlan(e) => write!(f, "is not a saved plan: {e}"),
            LoadError::Version { found } => write!(
                f,
                "is a saved plan of format {found}; this interlock-split reads format {SAVED_FORMAT_VERSION}"
            ),
        }
    }
}

impl LoadError {
    pub fn hint(&self) -> &'static str {
        match self {
            LoadError::NotSavedPlan(_) => "make one with `interlock-split plan --out FILE`",
            LoadError::Version { .. } => {
                "plan again with this version (`interlock-split plan --out FILE`), review it, and apply the new file"
            }
        }
    }
}

/// Just the version, read first: a plan of another format fails on its version, not on
/// whichever field changed.
#[derive(Deserialize)]
struct FormatProbe {
    format_version: u32,
}

impl SavedPlan {
    pub fn new(plan: &Plan, fingerprint: Fingerprint) -> Self {
        Self {
            format_version: SAVED_FORMAT_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            fingerprint,
            new_config: plan.new_config.clone(),
            plan: plan.clone(),
        }
    }

    pub fn parse(text: &str) -> Result<Self, LoadError> {
        let FormatProbe { format_version } =
            serde_json::from_str(text).map_err(LoadError::NotSavedPlan)?;
        if format_version != SAVED_FORMAT_VERSION {
            return Err(LoadError::Version {
                found: format_version,
            });
        }
        serde_json::from_str(text).map_err(LoadError::NotSavedPlan)
    }

    /// The plan as saved, with the exact TOML it uploads.
    pub fn into_plan(self) -> Plan {
        Plan {
            new_config: self.new_config,
            ..self.plan
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Inputs, Source, SourceKind, build};
    use crate::spec;

    fn fixture_plan(config: &str, spec_file: &str) -> Plan {
        let current = std::fs::read_to_string(format!("fixtures/{config}")).unwrap();
        let spec_text = std::fs::read_to_string(format!("fixtures/specs/{spec_file}")).unwrap();
        let spec = spec::parse(spec_file, &spec_text).unwrap();
        build(&Inputs {
            current: &current,
            source: Source {
                kind: SourceKind::File,
                path: Some(config.into()),
                config_name: Some("com.docker.ucp.interlock.conf-1".into()),
            },
            spec: &spec,
            spec_text: &spec_text,
            existing_configs: &[],
            snapshot: None,
            keep_configs: 5,
        })
        .unwrap()
    }

    fn fingerprint() -> Fingerprint {
        Fingerprint {
            core_service_id: Some("abc".into()),
            core_service_version: Some(7),
            config_id: Some("c1".into()),
            config_name: Some("com.docker.ucp.interlock.conf-1".into()),
            current_toml_sha256: sha256("toml"),
            spec_file: "spec.toml".into(),
            spec_sha256: sha256("spec"),
        }
    }

    #[test]
    fn plans_round_trip_through_json() {
        let (mut with_actions, mut with_findings) = (0, 0);
        for (config, spec_file) in [
            ("ucp-3.1-default.toml", "seed.toml"),
            ("ucp-3.1-admin-pass.toml", "seed.toml"),
            ("ucp-3.2-host-mode.toml", "seed.toml"),
            ("ucp-3.2-service-clusters.toml", "service-clusters-3.2.toml"),
        ] {
            let plan = fixture_plan(config, spec_file);
            with_actions += usize::from(!plan.actions.is_empty());
            with_findings += usize::from(plan.findings.iter().any(|f| f.path.is_some()));
            let json = serde_json::to_string(&plan).unwrap();
            let back: Plan = serde_json::from_str(&json).unwrap();
            assert_eq!(
                back,
                Plan {
                    new_config: String::new(),
                    ..plan.clone()
                },
                "{config}"
            );

            let saved = SavedPlan::new(&plan, fingerprint());
            let text = serde_json::to_string_pretty(&saved).unwrap();
            assert_eq!(
                SavedPlan::parse(&text).unwrap().into_plan(),
                plan,
                "{config}"
            );
        }
        assert!(with_actions > 0, "plans with actions are read back");
        assert!(with_findings > 0, "findings with key paths are read back");
    }

    #[test]
    fn other_formats_are_refused_by_version() {
        let old = r#"{"format_version": 1, "fingerprint": {}, "new_config": "", "actions": [], "plan": {}}"#;
        let e = SavedPlan::parse(old).unwrap_err();
        assert!(matches!(e, LoadError::Version { found: 1 }), "{e}");
        assert!(e.to_string().contains("format 1"), "{e}");
        assert!(matches!(
            SavedPlan::parse("{}").unwrap_err(),
            LoadError::NotSavedPlan(_)
        ));
    }

    #[test]
    fn drift_is_typed() {
        let then = fingerprint();
        let now = Fingerprint {
            core_service_version: Some(8),
            spec_sha256: sha256("edited"),
            ..then.clone()
        };
        let drift = then.drift(&now);
        assert_eq!(
            drift,
            [
                FingerprintDrift::Cluster(ClusterDrift::CoreUpdated {
                    from: Some(7),
                    to: Some(8)
                }),
                FingerprintDrift::Spec {
                    file: "spec.toml".into()
                }
            ]
        );
        assert_eq!(
            drift[0].to_string(),
            "ucp-interlock was updated (version 7 → 8)"
        );
        assert_eq!(drift[1].to_string(), "the spec spec.toml was edited");
        assert!(then.drift(&then).is_empty());
    }
}
