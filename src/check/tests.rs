use super::*;
use crate::finding::Code;

fn findings(text: &str) -> Vec<Finding> {
    let (_, cfg) = InterlockConfig::parse(text).unwrap();
    config(&cfg)
}

fn codes(text: &str) -> Vec<(&'static str, String)> {
    findings(text)
        .into_iter()
        .map(|f| {
            (
                f.code.as_str(),
                f.path.map(|p| p.to_string()).unwrap_or_default(),
            )
        })
        .collect()
}

const EXT: &str = "Image = \"i\"\nProxyImage = \"p\"\nProxyReplicas = 2\n";

fn ext(name: &str, body: &str) -> String {
    format!(
        "[Extensions.{name}]\n{EXT}ServiceName = \"e-{name}\"\nProxyServiceName = \"p-{name}\"\nServiceCluster = \"{name}\"\n{body}"
    )
}

#[test]
fn shipped_configs_have_no_errors() {
    for f in [
        "ucp-3.0-default.toml",
        "ucp-3.1-default.toml",
        "ucp-3.2-host-mode.toml",
        "ucp-3.2-service-clusters.toml",
    ] {
        let text = std::fs::read_to_string(format!("fixtures/{f}")).unwrap();
        let errs: Vec<_> = findings(&text)
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        assert!(errs.is_empty(), "{f}: {errs:?}");
    }
}

#[test]
fn ingress_port_shared_by_two_extensions() {
    let text = ext("a", "PublishedPort = 8080\n") + &ext("b", "PublishedPort = 8080\n");
    assert_eq!(
        codes(&text),
        [("port-conflict", "Extensions.b.PublishedPort".to_string())]
    );
    // Host mode may share.
    let text = ext("a", "PublishMode = \"host\"\nPublishedPort = 8080\n")
        + &ext("b", "PublishMode = \"host\"\nPublishedPort = 8080\n");
    assert!(codes(&text).is_empty());
}

#[test]
fn ucp_ports_and_range() {
    let c = codes(&ext("a", "PublishedPort = 443\nPublishedSSLPort = 70000\n"));
    assert!(
        c.contains(&("port-reserved", "Extensions.a.PublishedPort".into())),
        "{c:?}"
    );
    assert!(c.contains(&("port-range", "Extensions.a.PublishedSSLPort".into())));
    let f = findings(&ext("a", "PublishedPort = 12380\n"));
    assert_eq!(f[0].severity, Severity::Error);
    // Host mode on workers only: fine.
    let c = codes(&ext(
        "a",
        "PublishMode = \"host\"\nPublishedPort = 2377\nProxyConstraints = [\"node.role==worker\"]\n",
    ));
    assert!(c.is_empty(), "{c:?}");
    let f = findings(&ext("a", "PublishedPort = 80\n"));
    assert_eq!(
        (f[0].code.as_str(), f[0].severity),
        ("port-dtr", Severity::Warning)
    );
}

#[test]
fn missing_proxy_replicas_and_bad_constraints() {
    let text = "[Extensions.a]\nImage = \"i\"\nProxyImage = \"p\"\nServiceName = \"e\"\nProxyConstraints = [\"node.labels.com.docker.interlock.service.cluster=dev\"]\n";
    let f = findings(text);
    assert_eq!(f[0].code, "missing-proxy-replicas");
    let c = f
        .iter()
        .find(|f| f.code == Code::InvalidConstraint)
        .unwrap();
    assert_eq!(
        c.hint.as_deref(),
        Some("write it as \"node.labels.com.docker.interlock.service.cluster==dev\"")
    );
    assert_eq!(
        c.path.as_ref().unwrap().to_string(),
        "Extensions.a.ProxyConstraints[0]"
    );
}

#[test]
fn duplicate_names_and_clusters() {
    let text = ext("a", "")
        + &ext("b", "")
            .replace("p-b", "p-a")
            .replace("ServiceCluster = \"b\"", "ServiceCluster = \"A\"");
    let c = codes(&text);
    assert!(
        c.contains(&(
            "duplicate-service-cluster",
            "Extensions.b.ServiceCluster".into()
        )),
        "{c:?}"
    );
    assert!(c.contains(&(
        "duplicate-service-name",
        "Extensions.b.ProxyServiceName".into()
    )));
    let c = codes(&ext("a", "").replace("e-a", "e.a"));
    assert_eq!(
        c,
        [("invalid-name", "Extensions.a.ServiceName".to_string())]
    );
}

#[test]
fn case_duplicates_and_types() {
    let c = codes(&ext(
        "a",
        "[Extensions.a.Config]\nRLimitNoFile = 1\nRlimitNoFile = 2\n",
    ));
    assert_eq!(
        c,
        [(
            "key-case-duplicate",
            "Extensions.a.Config.RlimitNoFile".to_string()
        )]
    );
    let c = codes(&ext("a", "PublishedPort = \"80\"\n"));
    assert_eq!(
        c,
        [("wrong-type", "Extensions.a.PublishedPort".to_string())]
    );
}

#[test]
fn one_finding_per_shared_port_names_every_extension() {
    let text: String = ["a", "b", "c"]
        .iter()
        .map(|n| ext(n, "PublishedPort = 8080\n"))
        .collect();
    let f: Vec<_> = findings(&text)
        .into_iter()
        .filter(|f| f.code == Code::PortConflict)
        .collect();
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(
        f[0].path.as_ref().unwrap().to_string(),
        "Extensions.b.PublishedPort"
    );
    assert!(
        f[0].message
            .contains("PublishedPort of `a`, PublishedPort of `c`"),
        "{}",
        f[0].message
    );
}
