//! What `status` flags, as findings with stable codes (listed in the README's `status` section).

use crate::cluster::Service;
use crate::extension::{ImpliedService, ProxySpec, drift};
use crate::finding::{Code, Finding};
use crate::interlock::CORE_SERVICE;
use crate::interlock::Extension;

pub fn missing(e: &Extension, s: &ImpliedService) -> Finding {
    Finding::error(
        Code::ServiceMissing,
        format!(
            "{} service `{}` of `{}` does not exist: Interlock has not created it",
            s.role.as_str(),
            s.name,
            e.name
        ),
    )
    .at(e.path().key(s.key()))
    .hint(format!(
        "is {CORE_SERVICE} running this config? `docker service logs {CORE_SERVICE}` says why it did not create it"
    ))
}

/// Fewer tasks running than desired (a global service has no desired count).
pub fn tasks(svc: &Service, running: u64) -> Option<Finding> {
    let desired = svc.replicas?;
    (running < desired).then(|| {
        Finding::error(
            Code::TasksNotRunning,
            format!("{running} of {desired} tasks of `{}` running", svc.name),
        )
        .hint(format!("`docker service ps {}` shows why", svc.name))
    })
}

/// The proxy against what its extension describes: the plan's `proxy-drift`, word for word.
pub fn proxy(e: &Extension, svc: &Service) -> Option<Finding> {
    let found = drift::drift(&svc.proxy_spec(), &ProxySpec::of(e));
    (!found.is_empty()).then(|| drift::finding(e, &svc.name, &found))
}

pub fn stale(name: &str) -> Finding {
    Finding::warning(
        Code::StaleService,
        format!("`{name}` looks like Interlock's but the config in use does not name it"),
    )
    .hint("`interlock-split plan` lists it as stale and apply removes it (unless --no-cleanup)")
}

/// An update of the service swarm is still carrying out (one an apply cut off, say).
pub fn update_in_progress(svc: &Service) -> Option<Finding> {
    let state = svc.update_state().filter(|s| s.in_progress())?.as_str();
    Some(
        Finding::warning(
            Code::UpdateInProgress,
            format!("an update of `{}` is in progress ({state})", svc.name),
        )
        .hint(format!(
            "`docker service ps {}` shows its tasks; run `interlock-split status` again once it is done",
            svc.name
        )),
    )
}

pub fn core_update(core: &Service) -> Option<Finding> {
    let state = core.update_state().filter(|s| s.failed())?.as_str();
    Some(
        Finding::error(
            Code::CoreUpdateFailed,
            format!(
                "the last update of `{}` ended {state}{}",
                core.name,
                core.update_message()
                    .map(|m| format!(" ({m})"))
                    .unwrap_or_default()
            ),
        )
        .hint(format!(
            "`docker service inspect {}` shows the update status; fix the cause and apply again, or `interlock-split rollback`",
            core.name
        )),
    )
}
