//! The audit stamp an apply puts on the config it creates: the plan's and the spec's SHA-256,
//! who (the client certificate's subject, else the local user) and when.

use std::time::SystemTime;

use crate::audit::Stamp;
use crate::docker::Client;
use crate::output::json;
use crate::plan::Plan;
use crate::plan::saved::sha256;
use crate::time;

/// Who applies: the subject of the client certificate, else the local user.
fn who(client: &Client) -> String {
    if let Some(subject) = client.identity() {
        return subject;
    }
    ["USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
        .map_or_else(|| "unknown".into(), |u| format!("{u} (local user)"))
}

/// The plan's hash is that of the plan as `plan --output json` prints it, so that a reviewer
/// can match it against the plan in the ticket.
pub fn stamp(client: &Client, plan: Option<&Plan>, spec_sha256: &str) -> Stamp {
    Stamp {
        plan_sha256: plan.map(|p| sha256(&json::document(p))).unwrap_or_default(),
        spec_sha256: spec_sha256.to_string(),
        by: who(client),
        at: time::rfc3339(time::unix(SystemTime::now())),
    }
}
