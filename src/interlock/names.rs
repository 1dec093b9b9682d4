//! Names swarm accepts, and the versioned names of the core's config.

/// Swarm's rule for service names: a DNS label (`[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*`, at most
/// 63 characters). Returns why a name is refused.
pub fn service_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("is empty".into());
    }
    if name.len() > 63 {
        return Some(format!(
            "is {} characters long; swarm allows at most 63",
            name.len()
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Some(format!(
            "contains {c:?}; swarm service names allow only letters, digits, '-' and '_'"
        ));
    }
    let first = name.chars().next().unwrap();
    let last = name.chars().last().unwrap();
    if !first.is_ascii_alphanumeric() || !last.is_ascii_alphanumeric() {
        return Some("must start and end with a letter or digit".into());
    }
    None
}

/// Swarm's rule for config names: `[a-zA-Z0-9]+(?:[a-zA-Z0-9-_.]*[a-zA-Z0-9])?`, at most 64.
pub fn config_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("is empty".into());
    }
    if name.len() > 64 {
        return Some(format!(
            "is {} characters long; swarm allows at most 64",
            name.len()
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Some(format!("contains {c:?}"));
    }
    let first = name.chars().next().unwrap();
    let last = name.chars().last().unwrap();
    if !first.is_ascii_alphanumeric() || !last.is_ascii_alphanumeric() {
        return Some("must start and end with a letter or digit".into());
    }
    None
}

/// The default name UCP gives the core's config.
pub const DEFAULT_CONFIG_PREFIX: &str = "com.docker.ucp.interlock.conf";

/// Splits `name` into the part before a trailing `-<N>` and N.
fn split_version(name: &str) -> (&str, Option<u64>) {
    if let Some((prefix, n)) = name.rsplit_once('-')
        && !n.is_empty()
        && n.chars().all(|c| c.is_ascii_digit())
        && let Ok(n) = n.parse()
    {
        return (prefix, Some(n));
    }
    (name, None)
}

/// The name for the next version of the core's config.
///
/// Keeps the form of the config in use (`com.docker.ucp.interlock.conf-<N>`, or
/// `…service-clusters.conf-<N>` which early UCP 3.0/3.1 needed), takes one more than the highest
/// version of that form among `existing`, and never returns a name that exists. A name with no
/// number (`service.interlock.conf`) counts as version 1. The docs' `cut -d '-' -f 2` breaks on
/// both of those; this is the replacement.
pub fn next_config_name(current: &str, existing: &[String]) -> String {
    let (prefix, n) = split_version(current);
    let mut highest = n.unwrap_or(1);
    for name in existing {
        if name == prefix {
            highest = highest.max(1);
        }
        if let (p, Some(m)) = split_version(name)
            && p == prefix
        {
            highest = highest.max(m);
        }
    }
    let mut next = highest + 1;
    loop {
        let candidate = format!("{prefix}-{next}");
        if !existing.iter().any(|e| e == &candidate) {
            return candidate;
        }
        next += 1;
    }
}

/// The version number in a config name, for sorting config history.
pub fn config_version(name: &str) -> Option<u64> {
    split_version(name).1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names() {
        assert_eq!(service_name_problem("ucp-interlock-proxy-dev"), None);
        assert!(service_name_problem("proxy.dev").is_some());
        assert!(service_name_problem("-dev").is_some());
        assert!(service_name_problem(&"a".repeat(64)).is_some());
        assert!(service_name_problem("").is_some());
    }

    #[test]
    fn next_names() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            next_config_name(
                "com.docker.ucp.interlock.conf-1",
                &s(&["com.docker.ucp.interlock.conf-1"])
            ),
            "com.docker.ucp.interlock.conf-2"
        );
        // The highest existing version wins, not the one in use (after a rollback).
        assert_eq!(
            next_config_name(
                "com.docker.ucp.interlock.conf-2",
                &s(&[
                    "com.docker.ucp.interlock.conf-2",
                    "com.docker.ucp.interlock.conf-7"
                ])
            ),
            "com.docker.ucp.interlock.conf-8"
        );
        assert_eq!(
            next_config_name("com.docker.ucp.interlock.service-clusters.conf-1", &[]),
            "com.docker.ucp.interlock.service-clusters.conf-2"
        );
        assert_eq!(
            next_config_name("com.docker.ucp.interlock.service-clusters.conf", &[]),
            "com.docker.ucp.interlock.service-clusters.conf-2"
        );
        assert_eq!(
            next_config_name("service.interlock.conf", &s(&["service.interlock.conf-2"])),
            "service.interlock.conf-3"
        );
        assert_eq!(config_version("com.docker.ucp.interlock.conf-12"), Some(12));
    }
}
