//! Saved plans (`plan --out`): the plan, the exact new config, and a fingerprint of what it was
//! computed from, so that apply can refuse a plan the cluster has moved away from.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Action, Plan};

pub const SAVED_FORMAT_VERSION: u32 = 1;

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

impl Fingerprint {
    /// What differs between the fingerprint a plan was saved with and the present one.
    pub fn drift(&self, now: &Fingerprint) -> Vec<String> {
        let mut out = Vec::new();
        if self.core_service_id != now.core_service_id {
            out.push("the ucp-interlock service was recreated".to_string());
        }
        if self.core_service_version != now.core_service_version {
            out.push(format!(
                "ucp-interlock was updated (version {} → {})",
                self.core_service_version
                    .map_or("?".into(), |v| v.to_string()),
                now.core_service_version
                    .map_or("?".into(), |v| v.to_string())
            ));
        }
        if self.config_id != now.config_id || self.config_name != now.config_name {
            out.push(format!(
                "the config in use changed ({} → {})",
                self.config_name.as_deref().unwrap_or("?"),
                now.config_name.as_deref().unwrap_or("?")
            ));
        }
        if self.current_toml_sha256 != now.current_toml_sha256 {
            out.push("the current Interlock TOML differs".to_string());
        }
        if self.spec_sha256 != now.spec_sha256 {
            out.push(format!("the spec {} was edited", now.spec_file));
        }
        out
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedPlan {
    pub format_version: u32,
    pub fingerprint: Fingerprint,
    /// The TOML apply uploads, exactly.
    pub new_config: String,
    pub actions: Vec<Action>,
    /// The plan as `plan --output json` prints it, for showing before applying.
    pub plan: serde_json::Value,
}

impl SavedPlan {
    pub fn new(plan: &Plan, fingerprint: Fingerprint) -> Self {
        Self {
            format_version: SAVED_FORMAT_VERSION,
            fingerprint,
            new_config: plan.new_config.clone(),
            actions: plan.actions.clone(),
            plan: serde_json::to_value(plan).expect("plans serialize"),
        }
    }
}
