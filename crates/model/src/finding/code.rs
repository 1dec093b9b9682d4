//! Finding codes: stable, for scripts, one enum so that a code is never misspelt and the
//! README's tables can be checked against the whole list.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a finding is about. Written as its kebab-case string (`port-conflict`) everywhere it
/// leaves the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    AdoptNotAProxy,
    AdoptProxyNotFound,
    AppInCollection,
    AppLabelInvalid,
    AppNotFound,
    AppUnrouted,
    AppsOverlap,
    CollectionMismatch,
    ConfigVersionOverflow,
    CoreUpdateFailed,
    DuplicateCluster,
    DuplicateServiceCluster,
    DuplicateServiceName,
    ExtensionNotTable,
    ExtensionRemoved,
    HostInTwoClusters,
    InvalidConfigName,
    InvalidConstraint,
    InvalidName,
    KeyCaseDuplicate,
    MissingImage,
    MissingProxyReplicas,
    MissingServiceCluster,
    MissingServiceName,
    NetworkUnreachable,
    NoEligibleNode,
    NoExtensions,
    NodeNotFound,
    NodeStateUnknown,
    OrphanProxyServing,
    PortConflict,
    PortDtr,
    PortInUse,
    PortRange,
    PortReserved,
    ProxyDrift,
    ProxyHandover,
    ProxyReplicas,
    PublishMode,
    RouteGap,
    RouteLost,
    RouteMoves,
    RouteUnmatched,
    RoutesDiffer,
    ServiceMissing,
    SingleProxy,
    SpecInvalid,
    SpecNoClusters,
    SpecUnknownKey,
    StalePortHolder,
    StaleService,
    TasksNotRunning,
    TemplateMissing,
    TemplateSubstituted,
    TlsSecretMissing,
    TomlSyntax,
    TooFewNodes,
    UnknownConstraintAttribute,
    UnsupportedLayout,
    UpdateInProgress,
    WrongType,
}

impl Code {
    /// Every code, in the order of `as_str`.
    pub const ALL: [Code; 61] = [
        Code::AdoptNotAProxy,
        Code::AdoptProxyNotFound,
        Code::AppInCollection,
        Code::AppLabelInvalid,
        Code::AppNotFound,
        Code::AppUnrouted,
        Code::AppsOverlap,
        Code::CollectionMismatch,
        Code::ConfigVersionOverflow,
        Code::CoreUpdateFailed,
        Code::DuplicateCluster,
        Code::DuplicateServiceCluster,
        Code::DuplicateServiceName,
        Code::ExtensionNotTable,
        Code::ExtensionRemoved,
        Code::HostInTwoClusters,
        Code::InvalidConfigName,
        Code::InvalidConstraint,
        Code::InvalidName,
        Code::KeyCaseDuplicate,
        Code::MissingImage,
        Code::MissingProxyReplicas,
        Code::MissingServiceCluster,
        Code::MissingServiceName,
        Code::NetworkUnreachable,
        Code::NoEligibleNode,
        Code::NoExtensions,
        Code::NodeNotFound,
        Code::NodeStateUnknown,
        Code::OrphanProxyServing,
        Code::PortConflict,
        Code::PortDtr,
        Code::PortInUse,
        Code::PortRange,
        Code::PortReserved,
        Code::ProxyDrift,
        Code::ProxyHandover,
        Code::ProxyReplicas,
        Code::PublishMode,
        Code::RouteGap,
        Code::RouteLost,
        Code::RouteMoves,
        Code::RouteUnmatched,
        Code::RoutesDiffer,
        Code::ServiceMissing,
        Code::SingleProxy,
        Code::SpecInvalid,
        Code::SpecNoClusters,
        Code::SpecUnknownKey,
        Code::StalePortHolder,
        Code::StaleService,
        Code::TasksNotRunning,
        Code::TemplateMissing,
        Code::TemplateSubstituted,
        Code::TlsSecretMissing,
        Code::TomlSyntax,
        Code::TooFewNodes,
        Code::UnknownConstraintAttribute,
        Code::UnsupportedLayout,
        Code::UpdateInProgress,
        Code::WrongType,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::AdoptNotAProxy => "adopt-not-a-proxy",
            Code::AdoptProxyNotFound => "adopt-proxy-not-found",
            Code::AppInCollection => "app-in-collection",
            Code::AppLabelInvalid => "app-label-invalid",
            Code::AppNotFound => "app-not-found",
            Code::AppUnrouted => "app-unrouted",
            Code::AppsOverlap => "apps-overlap",
            Code::CollectionMismatch => "collection-mismatch",
            Code::ConfigVersionOverflow => "config-version-overflow",
            Code::CoreUpdateFailed => "core-update-failed",
            Code::DuplicateCluster => "duplicate-cluster",
            Code::DuplicateServiceCluster => "duplicate-service-cluster",
            Code::DuplicateServiceName => "duplicate-service-name",
            Code::ExtensionNotTable => "extension-not-table",
            Code::ExtensionRemoved => "extension-removed",
            Code::HostInTwoClusters => "host-in-two-clusters",
            Code::InvalidConfigName => "invalid-config-name",
            Code::InvalidConstraint => "invalid-constraint",
            Code::InvalidName => "invalid-name",
            Code::KeyCaseDuplicate => "key-case-duplicate",
            Code::MissingImage => "missing-image",
            Code::MissingProxyReplicas => "missing-proxy-replicas",
            Code::MissingServiceCluster => "missing-service-cluster",
            Code::MissingServiceName => "missing-service-name",
            Code::NetworkUnreachable => "network-unreachable",
            Code::NoEligibleNode => "no-eligible-node",
            Code::NoExtensions => "no-extensions",
            Code::NodeNotFound => "node-not-found",
            Code::NodeStateUnknown => "node-state-unknown",
            Code::OrphanProxyServing => "orphan-proxy-serving",
            Code::PortConflict => "port-conflict",
            Code::PortDtr => "port-dtr",
            Code::PortInUse => "port-in-use",
            Code::PortRange => "port-range",
            Code::PortReserved => "port-reserved",
            Code::ProxyDrift => "proxy-drift",
            Code::ProxyHandover => "proxy-handover",
            Code::ProxyReplicas => "proxy-replicas",
            Code::PublishMode => "publish-mode",
            Code::RouteGap => "route-gap",
            Code::RouteLost => "route-lost",
            Code::RouteMoves => "route-moves",
            Code::RouteUnmatched => "route-unmatched",
            Code::RoutesDiffer => "routes-differ",
            Code::ServiceMissing => "service-missing",
            Code::SingleProxy => "single-proxy",
            Code::SpecInvalid => "spec-invalid",
            Code::SpecNoClusters => "spec-no-clusters",
            Code::SpecUnknownKey => "spec-unknown-key",
            Code::StalePortHolder => "stale-port-holder",
            Code::StaleService => "stale-service",
            Code::TasksNotRunning => "tasks-not-running",
            Code::TemplateMissing => "template-missing",
            Code::TemplateSubstituted => "template-substituted",
            Code::TlsSecretMissing => "tls-secret-missing",
            Code::TomlSyntax => "toml-syntax",
            Code::TooFewNodes => "too-few-nodes",
            Code::UnknownConstraintAttribute => "unknown-constraint-attribute",
            Code::UnsupportedLayout => "unsupported-layout",
            Code::UpdateInProgress => "update-in-progress",
            Code::WrongType => "wrong-type",
        }
    }

    pub fn parse(s: &str) -> Option<Code> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Code::parse(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown finding code `{s}`")))
    }
}

/// Scripts and tests read codes as text.
impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back() {
        for c in Code::ALL {
            assert_eq!(Code::parse(c.as_str()), Some(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<Code>(&json).unwrap(), c);
        }
        assert!(serde_json::from_str::<Code>("\"no-such-code\"").is_err());
    }
}
