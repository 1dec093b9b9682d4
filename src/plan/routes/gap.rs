//! Where the order of the actions leaves an application without a route. Its old route ends
//! when the proxy serving it goes (removed), or when that proxy's extension stops routing it
//! with the new config; its new route serves once the step that awaits it is done. When the
//! first comes before the second, the plan says so: no order of the steps avoids it, since a
//! proxy holding a port the new one needs must go first, and a config change reaches every
//! proxy of its extension at once.

use super::{AppRoute, Gap};
use crate::extension::services::proxy_name;
use crate::finding::{Code, Finding};
use crate::interlock::{InterlockConfig, ServiceRole};
use crate::plan::Action;

/// Fills in each moving application's gap, if any, and says where there is one.
pub fn gaps(routes: &mut [AppRoute], actions: &[Action], new: &InterlockConfig) -> Vec<Finding> {
    let step = |f: &dyn Fn(&Action) -> bool| actions.iter().position(f).map(|i| i + 1);
    let mut out = Vec::new();
    for r in routes.iter_mut().filter(|r| r.moves()) {
        let (Some(now), Some(after)) = (&r.now, &r.after) else {
            continue;
        };
        let service = r.service.clone();
        let Some(until) =
            step(&|a| matches!(a, Action::AwaitRoute { service: s, .. } if *s == service))
        else {
            continue;
        };
        let removed = step(
            &|a| matches!(a, Action::RemoveStaleService { service: s, .. } if *s == now.proxy),
        );
        let reconfigured = new.extensions.iter().any(|e| proxy_name(e) == now.proxy);
        let (from, why) = match removed {
            Some(i) => (
                i,
                format!(
                    "`{}`, which routes it now, is removed before `{}`'s proxy routes it",
                    now.proxy, after.cluster
                ),
            ),
            // Its proxy stays and is reconfigured: with a relabel, both proxies change at the
            // same Interlock poll; with the config alone, the old one drops it at once.
            None if reconfigured && r.relabel.is_some() => continue,
            None if reconfigured => {
                match step(&|a| matches!(a, Action::UpdateCoreService { .. })) {
                    Some(i) => (
                        i,
                        format!(
                            "`{}` stops routing it as soon as the core runs the new config",
                            now.proxy
                        ),
                    ),
                    None => continue,
                }
            }
            // An orphaned proxy keeps serving its last config until it is removed, after.
            None => continue,
        };
        if from < until {
            let adopter = removed.and_then(|i| sole_taker(&actions[i - 1]));
            out.push(finding(r, from, until, &why, adopter));
            r.gap = Some(Gap {
                from_step: from,
                until_step: until,
                why,
            });
        }
    }
    out
}

/// The one cluster that needs the ports of a proxy apply removes: it could adopt that proxy.
fn sole_taker(removal: &Action) -> Option<(&str, &str)> {
    match removal {
        Action::RemoveStaleService {
            service,
            role: ServiceRole::Proxy,
            needed_by,
            ..
        } if needed_by.len() == 1 => Some((needed_by[0].as_str(), service.as_str())),
        _ => None,
    }
}

/// The spec line that lets `cluster` take over the running `proxy` by a rolling update instead
/// of its removal: the one edit that avoids a handover gap.
pub fn adopt_line(cluster: &str, proxy: &str) -> String {
    format!(
        "add `adopt_proxy = \"{proxy}\"` under `[clusters.{cluster}]` in the spec: `{cluster}` then takes over the running proxy by a rolling update instead of its removal, and its ports stay served"
    )
}

fn finding(
    r: &AppRoute,
    from: usize,
    until: usize,
    why: &str,
    adopter: Option<(&str, &str)>,
) -> Finding {
    Finding::warning(
        Code::RouteGap,
        format!(
            "application `{}` ({}) has no route from step {from} until step {until} is done: {why}",
            r.service,
            r.hosts.join(", ")
        ),
    )
    .hint(match adopter {
        Some((cluster, proxy)) => format!(
            "no order of these steps avoids it: {}; or run apply in a change window",
            adopt_line(cluster, proxy)
        ),
        None => "no order avoids it: run apply in a change window; or give the new cluster other ports, so that the old proxy keeps serving until the new one does".into(),
    })
}
