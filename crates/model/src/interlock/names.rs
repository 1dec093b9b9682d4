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

/// The number after the last `-` of a config name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    None,
    N(u64),
    /// Digits too many for a u64: no next version can be named after it.
    TooBig,
}

/// Splits `name` into the part before a trailing `-<N>` and N.
fn split_version(name: &str) -> (&str, Version) {
    if let Some((prefix, n)) = name.rsplit_once('-')
        && !n.is_empty()
        && n.chars().all(|c| c.is_ascii_digit())
    {
        return match n.parse() {
            Ok(n) => (prefix, Version::N(n)),
            Err(_) => (prefix, Version::TooBig),
        };
    }
    (name, Version::None)
}

/// Why no next config name can be given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextNameError {
    /// The name in use (or given) is not one swarm accepts.
    Invalid { name: String, problem: String },
    /// The highest version is the largest number there is: one more would go backwards.
    Overflow { name: String },
}

impl NextNameError {
    pub fn message(&self) -> String {
        match self {
            NextNameError::Invalid { name, problem } => {
                format!("config name {name:?} {problem}")
            }
            NextNameError::Overflow { name } => format!(
                "config name {name:?} has the highest version a config name can have; the next one cannot be numbered"
            ),
        }
    }

    pub fn hint(&self) -> &'static str {
        match self {
            NextNameError::Invalid { .. } => {
                "Docker config names are letters, digits, '-', '_' and '.', start and end with a letter or digit, at most 64 characters"
            }
            NextNameError::Overflow { .. } => {
                "give the new config a name of another form by hand (e.g. com.docker.ucp.interlock.conf-1 after removing the old ones), or remove the config with the huge version"
            }
        }
    }
}

/// The name for the next version of the core's config.
///
/// Keeps the form of the config in use (`com.docker.ucp.interlock.conf-<N>`, or
/// `…service-clusters.conf-<N>` which early UCP 3.0/3.1 needed), takes one more than the highest
/// version of that form among `existing`, and never returns a name that exists. A name with no
/// number (`service.interlock.conf`) counts as version 1. The docs' `cut -d '-' -f 2` breaks on
/// both of those; this is the replacement. A version that cannot grow is refused, never wrapped.
pub fn next_config_name(current: &str, existing: &[String]) -> Result<String, NextNameError> {
    if let Some(problem) = config_name_problem(current) {
        return Err(NextNameError::Invalid {
            name: current.to_string(),
            problem,
        });
    }
    let overflow = |name: &str| NextNameError::Overflow {
        name: name.to_string(),
    };
    let (prefix, n) = split_version(current);
    let mut highest = match n {
        Version::N(n) => n,
        Version::None => 1,
        Version::TooBig => return Err(overflow(current)),
    };
    for name in existing {
        match split_version(name) {
            (p, Version::N(m)) if p == prefix => highest = highest.max(m),
            (p, Version::TooBig) if p == prefix => return Err(overflow(name)),
            _ => {}
        }
    }
    let mut next = highest;
    loop {
        next = next.checked_add(1).ok_or_else(|| overflow(current))?;
        let candidate = format!("{prefix}-{next}");
        if let Some(problem) = config_name_problem(&candidate) {
            return Err(NextNameError::Invalid {
                name: candidate,
                problem,
            });
        }
        if !existing.iter().any(|e| e == &candidate) {
            return Ok(candidate);
        }
    }
}

/// The version number in a config name, for sorting config history.
pub fn config_version(name: &str) -> Option<u64> {
    match split_version(name).1 {
        Version::N(n) => Some(n),
        Version::TooBig => Some(u64::MAX),
        Version::None => None,
    }
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
            Ok("com.docker.ucp.interlock.conf-2".to_string())
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
            Ok("com.docker.ucp.interlock.conf-8".to_string())
        );
        assert_eq!(
            next_config_name("com.docker.ucp.interlock.service-clusters.conf-1", &[]),
            Ok("com.docker.ucp.interlock.service-clusters.conf-2".to_string())
        );
        assert_eq!(
            next_config_name("com.docker.ucp.interlock.service-clusters.conf", &[]),
            Ok("com.docker.ucp.interlock.service-clusters.conf-2".to_string())
        );
        assert_eq!(
            next_config_name("service.interlock.conf", &s(&["service.interlock.conf-2"])),
            Ok("service.interlock.conf-3".to_string())
        );
        assert_eq!(config_version("com.docker.ucp.interlock.conf-12"), Some(12));
    }

    #[test]
    fn versions_that_cannot_grow_are_refused() {
        let max = format!("com.docker.ucp.interlock.conf-{}", u64::MAX);
        assert_eq!(
            next_config_name(&max, &[]),
            Err(NextNameError::Overflow { name: max.clone() })
        );
        // On the cluster: the highest existing version is the one that cannot grow.
        let r = next_config_name(
            "com.docker.ucp.interlock.conf-3",
            std::slice::from_ref(&max),
        );
        assert!(matches!(r, Err(NextNameError::Overflow { .. })), "{r:?}");
        let huge = "com.docker.ucp.interlock.conf-99999999999999999999999";
        let r = next_config_name("com.docker.ucp.interlock.conf-1", &[huge.to_string()]);
        assert!(matches!(r, Err(NextNameError::Overflow { .. })), "{r:?}");
    }

    #[test]
    fn config_names_are_checked_as_docker_checks_them() {
        for bad in ["my config", "-conf", "conf-", "conf/1", "", &"a".repeat(65)] {
            let r = next_config_name(bad, &[]);
            assert!(
                matches!(r, Err(NextNameError::Invalid { .. })),
                "{bad:?}: {r:?}"
            );
        }
        // A next name that would pass 64 characters is refused too.
        let long = format!("{}-9", "a".repeat(62));
        assert!(matches!(
            next_config_name(&long, &[]),
            Err(NextNameError::Invalid { .. })
        ));
        assert_eq!(config_name_problem("com.docker.ucp.interlock.conf-1"), None);
    }
}
