//! The write side the apply benches share: the spec of a run (an nginx setting changed, so
//! that the plan is exactly "create config + update `ucp-interlock`"), the documented manual
//! steps, the checks of the writes a run made, and swarm's view of the core's update.

// Each bench uses its own part of this file.
#![allow(dead_code)]

use std::process::Output;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::support;
use crate::support::bed::CORE_SERVICE;
use crate::support::{Core, docker, docker_ok};

/// Name prefix of the versioned interlock configs.
pub const CONF_PREFIX: &str = "com.docker.ucp.interlock.conf-";
/// How long to wait for swarm to report an update completed.
pub const WAIT: Duration = Duration::from_secs(60);

/// The manual write: steps 6 and 7 of the README. `$1`..`$4` are the CA, certificate, key and
/// host; `$5` the new config's name, `$6` its file, `$7` the config in use.
pub const DOCKER_STEPS: &str = r#"set -e
docker --tlsverify --tlscacert "$1" --tlscert "$2" --tlskey "$3" -H "$4" config create "$5" "$6"
docker --tlsverify --tlscacert "$1" --tlscert "$2" --tlskey "$3" -H "$4" service update --update-failure-action rollback --config-rm "$7" --config-add "source=$5,target=/config.toml" ucp-interlock
"#;

/// The spec: the one cluster keeping the default names, with `MaxConnections` when given.
pub fn spec(max_connections: Option<u32>) -> String {
    let mut s = String::from(
        "[clusters.default]\nservice_name = \"ucp-interlock-extension\"\nproxy_service_name = \"ucp-interlock-proxy\"\nservice_cluster = \"default\"\n",
    );
    if let Some(n) = max_connections {
        s.push_str(&format!(
            "\n[clusters.default.config]\nMaxConnections = {n}\n"
        ));
    }
    s
}

/// The writes a run of `kind` must make, in order: the config created, `ucp-interlock` updated
/// and, by apply alone, the outcome label on the new config (`POST /configs/<id>/update`, once
/// the update is seen complete).
pub fn check_writes(by_apply: bool, writes: &[&str]) -> Result<(), String> {
    let (update, expected) = match by_apply {
        true => (
            "services/ucp-interlock/update",
            "POST …/configs/create, POST …/services/ucp-interlock/update, POST …/configs/<id>/update (the outcome label)",
        ),
        // The docker CLI updates the service by its ID.
        false => (
            "/update",
            "POST …/configs/create, POST …/services/<id>/update",
        ),
    };
    let ok = writes.len() == if by_apply { 3 } else { 2 }
        && writes[0].starts_with("POST ")
        && writes[0].ends_with("/configs/create")
        && writes[1].starts_with("POST ")
        && writes[1].ends_with(update)
        && (!by_apply
            || (writes[2].starts_with("POST ")
                && writes[2].contains("/configs/")
                && writes[2].ends_with("/update")));
    if ok {
        Ok(())
    } else {
        Err(format!("expected exactly {expected}, got {writes:?}"))
    }
}

/// The requests of `log` that change something (neither GET nor HEAD), without their query.
pub fn write_requests(log: &[String]) -> Vec<&str> {
    log.iter()
        .filter(|l| !l.starts_with("GET ") && !l.starts_with("HEAD "))
        .map(|l| l.split('?').next().unwrap_or(l))
        .collect()
}

/// Removes the interlock configs other than `in_use` and the one before it, through the local
/// socket, so that no plan has a `prune-configs` step (not timed).
pub fn prune_configs(in_use: &str) {
    let mut names: Vec<String> =
        support::lines(&docker_ok(&["config", "ls", "--format", "{{.Name}}"]))
            .into_iter()
            .filter(|n| n.starts_with(CONF_PREFIX))
            .collect();
    names.sort_by_key(|n| version(n));
    let keep_from = names
        .iter()
        .position(|n| n == in_use)
        .map_or(0, |i| i.saturating_sub(1));
    let old: Vec<&str> = names[..keep_from].iter().map(String::as_str).collect();
    if old.is_empty() {
        return;
    }
    let mut args = vec!["config", "rm"];
    args.extend(&old);
    let out = docker(&args);
    assert!(
        out.status.success(),
        "docker config rm {old:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The version of a `…conf-<N>` name (1 without a number).
pub fn version(name: &str) -> u64 {
    name.rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}

/// Waits until `ucp-interlock`'s update status is `completed`, for an update started after
/// `since`, and returns its `CompletedAt`.
pub fn wait_update_completed(since: Option<SystemTime>, core: &Core) -> SystemTime {
    let deadline = Instant::now() + WAIT;
    loop {
        let status = docker_ok(&[
            "service",
            "inspect",
            "--format",
            "{{json .UpdateStatus}}",
            CORE_SERVICE,
        ]);
        let v: Value = serde_json::from_str(&status).unwrap_or(Value::Null);
        let time = |key: &str| {
            v[key].as_str().map(|s| {
                parse_rfc3339(s)
                    .unwrap_or_else(|| panic!("UpdateStatus.{key} = {s:?}: not RFC3339"))
            })
        };
        let fresh = match (since, time("StartedAt")) {
            (Some(since), Some(started)) => started >= since,
            (None, _) => true,
            (Some(_), None) => false,
        };
        match (v["State"].as_str(), time("CompletedAt")) {
            (Some("completed"), Some(completed)) if fresh => return completed,
            (Some(state), _) if fresh && state != "updating" => panic!(
                "the update of {CORE_SERVICE} ended {state}: {status}\n{}",
                core.explain(Some(CORE_SERVICE))
            ),
            _ => {}
        }
        if Instant::now() >= deadline {
            panic!(
                "swarm did not report the update of {CORE_SERVICE} completed within {WAIT:?}: {status}\n{}",
                core.explain(Some(CORE_SERVICE))
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `a − b` in milliseconds, negative when `a` is earlier.
pub fn signed_ms(a: SystemTime, b: SystemTime) -> f64 {
    match a.duration_since(b) {
        Ok(d) => d.as_secs_f64() * 1e3,
        Err(e) => -e.duration().as_secs_f64() * 1e3,
    }
}

/// An RFC 3339 time as swarm writes it (`2026-11-22T07:27:44.123456789Z`, or with an offset).
pub fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    let (date, rest) = s.split_once('T')?;
    let mut d = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (d.next()??, d.next()??, d.next()??);
    let (time, offset) = match rest.strip_suffix(['Z', 'z']) {
        Some(t) => (t, 0),
        None => {
            let i = rest.rfind(['+', '-'])?;
            let (t, z) = rest.split_at(i);
            let (h, m) = z[1..].split_once(':')?;
            let secs = h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60;
            (t, if z.starts_with('-') { -secs } else { secs })
        }
    };
    let (hms, frac) = time.split_once('.').unwrap_or((time, ""));
    let mut t = hms.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let (hour, minute, second) = (t.next()??, t.next()??, t.next()??);
    let frac = &frac[..frac.len().min(9)];
    let nanos: u32 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<9}").parse().ok()?
    };
    // Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset;
    Some(UNIX_EPOCH + Duration::new(u64::try_from(secs).ok()?, nanos))
}

/// Exit status, stdout and stderr of `out`.
pub fn show(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
