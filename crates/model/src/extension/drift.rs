//! How a proxy that exists differs from what its extension describes. Interlock never changes a
//! proxy it has created, so every difference stays until apply (or an operator) fixes it.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::constraints::ConstraintSet;
use super::proxy::{PortSpec, ProxySpec};
use crate::finding::{Code, Finding};
use crate::interlock::keys::ext;
use crate::interlock::{Extension, PublishMode};

/// One way a proxy differs from its spec; `have` is the proxy, `want` the config.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "kebab-case")]
pub enum Drift {
    Constraints {
        have: ConstraintSet,
        want: ConstraintSet,
    },
    Replicas {
        have: u64,
        want: u64,
    },
    /// The published→target pairs differ.
    Ports {
        have: Vec<PortSpec>,
        want: Vec<PortSpec>,
    },
    /// A port is published in another mode than the config's.
    PublishMode {
        have: PublishMode,
        want: PublishMode,
    },
}

fn port_list(ps: &[PortSpec]) -> String {
    if ps.is_empty() {
        return "none".into();
    }
    ps.iter()
        .map(PortSpec::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Drift::Constraints { have, want } => write!(
                f,
                "constraints [{}] → [{}]",
                have.as_slice().join(", "),
                want.as_slice().join(", ")
            ),
            Drift::Replicas { have, want } => write!(f, "replicas {have} → {want}"),
            Drift::Ports { have, want } => {
                write!(f, "ports {} → {}", port_list(have), port_list(want))
            }
            Drift::PublishMode { have, want } => {
                write!(f, "publish mode {} → {}", have.as_str(), want.as_str())
            }
        }
    }
}

/// Every way `have` differs from `want`. Replicas are compared only when both are known.
pub fn drift(have: &ProxySpec, want: &ProxySpec) -> Vec<Drift> {
    let mut out = Vec::new();
    if have.constraints != want.constraints {
        out.push(Drift::Constraints {
            have: have.constraints.clone(),
            want: want.constraints.clone(),
        });
    }
    if let (Some(h), Some(w)) = (have.replicas, want.replicas)
        && h != w
    {
        out.push(Drift::Replicas { have: h, want: w });
    }
    let pairs = |s: &ProxySpec| -> BTreeSet<(u16, u16)> {
        s.ports.iter().map(|p| (p.published, p.target)).collect()
    };
    if pairs(have) != pairs(want) {
        out.push(Drift::Ports {
            have: have.ports.clone(),
            want: want.ports.clone(),
        });
    }
    if let Some(p) = have.ports.iter().find(|p| p.mode != want.mode) {
        out.push(Drift::PublishMode {
            have: p.mode,
            want: want.mode,
        });
    }
    out
}

/// The `proxy-drift` finding, worded once for plan and status.
pub fn finding(e: &Extension, service: &str, drift: &[Drift]) -> Finding {
    let changes: Vec<String> = drift.iter().map(Drift::to_string).collect();
    Finding::warning(
        Code::ProxyDrift,
        format!(
            "proxy service `{service}` differs from what the config says for `{}` ({}); Interlock does not change proxies it has created",
            e.name,
            changes.join("; ")
        ),
    )
    .at(e.path().key(ext::PROXY_SERVICE_NAME))
    .hint("apply brings it in line (a rolling update of the proxy); `--no-reconcile` leaves it")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(
        constraints: &[&str],
        replicas: Option<u64>,
        ports: &[(u16, u16)],
        mode: PublishMode,
    ) -> ProxySpec {
        ProxySpec {
            constraints: ConstraintSet::new(constraints.iter().map(|s| s.to_string()).collect()),
            replicas,
            ports: ports
                .iter()
                .map(|&(published, target)| PortSpec {
                    role: None,
                    published,
                    target,
                    mode,
                })
                .collect(),
            mode,
        }
    }

    const IN: PublishMode = PublishMode::Ingress;

    #[test]
    fn no_drift_when_only_spelling_differs() {
        let have = spec(
            &["NODE.LABELS.env == dev"],
            Some(2),
            &[(8443, 443), (8080, 80)],
            IN,
        );
        let want = spec(
            &["node.labels.env==DEV"],
            Some(2),
            &[(8080, 80), (8443, 443)],
            IN,
        );
        assert_eq!(drift(&have, &want), []);
    }

    /// Swarm looks a label up by its name as written, so another case is another label.
    #[test]
    fn a_label_name_in_another_case_is_drift() {
        let have = spec(&["node.labels.Env==dev"], Some(2), &[], IN);
        let want = spec(&["node.labels.env==dev"], Some(2), &[], IN);
        assert!(matches!(
            drift(&have, &want).as_slice(),
            [Drift::Constraints { .. }]
        ));
    }

    #[test]
    fn each_difference_is_one_drift() {
        let have = spec(&["node.role==worker"], Some(1), &[(8080, 80)], IN);
        let want = spec(&[], Some(2), &[(8090, 80)], PublishMode::Host);
        let d = drift(&have, &want);
        let text: Vec<String> = d.iter().map(Drift::to_string).collect();
        assert_eq!(
            text,
            [
                "constraints [node.role==worker] → []",
                "replicas 1 → 2",
                "ports 8080→80 → 8090→80",
                "publish mode ingress → host",
            ]
        );
    }

    #[test]
    fn unknown_replicas_are_not_compared() {
        let have = spec(&[], None, &[], IN);
        let want = spec(&[], Some(3), &[], IN);
        assert_eq!(drift(&have, &want), []);
    }

    #[test]
    fn the_finding_names_the_service_and_every_change() {
        let e = Extension {
            name: "dev".into(),
            ..Default::default()
        };
        let d = [Drift::Replicas { have: 1, want: 2 }];
        let f = finding(&e, "p-dev", &d);
        assert_eq!(f.code, "proxy-drift");
        assert!(f.message.contains("`p-dev`") && f.message.contains("replicas 1 → 2"));
        assert_eq!(
            f.path.unwrap().to_string(),
            "Extensions.dev.ProxyServiceName"
        );
    }

    #[test]
    fn round_trips_through_json() {
        let d = vec![
            Drift::Constraints {
                have: ConstraintSet::new(vec!["a==b".into()]),
                want: ConstraintSet::default(),
            },
            Drift::PublishMode {
                have: IN,
                want: PublishMode::Host,
            },
        ];
        let json = serde_json::to_string(&d).unwrap();
        assert!(json.contains(r#""what":"publish-mode""#), "{json}");
        let back: Vec<Drift> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, d);
    }
}
