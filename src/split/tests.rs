use super::*;
use crate::finding::Code;
use crate::spec;

pub(crate) const SEED_SPEC: &str = r#"
[clusters.dev]
http_port = 8082
https_port = 8445
proxy_replicas = 1
node_label = "dev"

[clusters.test]
http_port = 8081
https_port = 8444
proxy_replicas = 1
node_label = "test"

[clusters.prod]
http_port = 8080
https_port = 8443
proxy_replicas = 1
node_label = "prod"
"#;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("fixtures/{name}")).unwrap()
}

fn run(current: &str, spec_text: &str) -> SplitOutcome {
    let spec = spec::parse("spec.toml", spec_text).unwrap();
    split(current, &spec).unwrap()
}

#[test]
fn seed_split_of_the_ucp_default() {
    let cur = fixture("ucp-3.1-default.toml");
    let out = run(&cur, SEED_SPEC);
    let (_, cfg) = InterlockConfig::parse(&out.text).unwrap();
    let names: Vec<_> = cfg.extensions.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["dev", "test", "prod"]);
    let dev = cfg.extension("dev").unwrap();
    assert_eq!(
        dev.proxy_service_name.as_deref(),
        Some("ucp-interlock-proxy-dev")
    );
    assert_eq!(
        dev.service_name.as_deref(),
        Some("ucp-interlock-extension-dev")
    );
    assert_eq!(dev.published_port, Some(8082));
    assert_eq!(dev.published_ssl_port, Some(8445));
    assert_eq!(dev.proxy_replicas, Some(1));
    assert_eq!(
        dev.proxy_constraints.last().map(String::as_str),
        Some("node.labels.com.docker.interlock.service.cluster==dev")
    );
    assert!(out.template.removed);
    assert_eq!(out.removed_extensions, ["default"]);
    assert!(
        out.clusters
            .iter()
            .all(|c| c.status == ClusterStatus::Create)
    );
    // Escapes in log formats survive byte for byte, in every copy.
    let escaped = r#"MainLogFormat = "'$remote_addr - $remote_user [$time_local] \"$request\" '\n\t\t    '$status"#;
    assert_eq!(out.text.matches(escaped).count(), 3);
    // Sub-tables are grouped under their cluster, in spec order.
    let headers: Vec<&str> = out
        .text
        .lines()
        .filter(|l| l.trim_start().starts_with('['))
        .map(str::trim)
        .collect();
    assert_eq!(
        headers,
        [
            "[Extensions]",
            "[Extensions.dev]",
            "[Extensions.dev.Labels]",
            "[Extensions.dev.ContainerLabels]",
            "[Extensions.dev.ProxyLabels]",
            "[Extensions.dev.ProxyContainerLabels]",
            "[Extensions.dev.Config]",
            "[Extensions.test]",
            "[Extensions.test.Labels]",
            "[Extensions.test.ContainerLabels]",
            "[Extensions.test.ProxyLabels]",
            "[Extensions.test.ProxyContainerLabels]",
            "[Extensions.test.Config]",
            "[Extensions.prod]",
            "[Extensions.prod.Labels]",
            "[Extensions.prod.ContainerLabels]",
            "[Extensions.prod.ProxyLabels]",
            "[Extensions.prod.ProxyContainerLabels]",
            "[Extensions.prod.Config]",
        ]
    );
}

#[test]
fn second_run_is_a_no_op_on_every_fixture() {
    for f in [
        "ucp-3.0-default.toml",
        "ucp-3.1-default.toml",
        "ucp-3.2-host-mode.toml",
    ] {
        let cur = fixture(f);
        let once = run(&cur, SEED_SPEC);
        let twice = run(&once.text, SEED_SPEC);
        assert_eq!(twice.text, once.text, "{f}");
        assert!(
            twice
                .clusters
                .iter()
                .all(|c| c.status == ClusterStatus::Unchanged),
            "{f}"
        );
        assert!(twice.removed_extensions.is_empty());
        assert_eq!(twice.template.substitute_for.as_deref(), Some("default"));
    }
}

#[test]
fn already_split_config_is_left_alone_by_its_own_spec() {
    let cur = fixture("ucp-3.2-service-clusters.toml");
    let spec_text = r#"
template = "east"
[clusters.east]
service_cluster = "east"
http_port = 80
https_port = 8443
config_service_name = "ucp-interlock-config-{name}"
[clusters.west]
http_port = 80
https_port = 8443
"#;
    let out = run(&cur, spec_text);
    assert_eq!(out.text, cur);
    assert!(
        out.clusters
            .iter()
            .all(|c| c.status == ClusterStatus::Unchanged)
    );
}

#[test]
fn changed_spec_updates_in_place_adds_and_removes() {
    let cur = fixture("ucp-3.1-default.toml");
    let once = run(&cur, SEED_SPEC);
    let changed = SEED_SPEC.replace("8082", "9082").replace(
        "[clusters.prod]\nhttp_port = 8080\nhttps_port = 8443\nproxy_replicas = 1",
        "[clusters.prod]\nhttp_port = 8080\nhttps_port = 8443\nproxy_replicas = 3",
    );
    let changed = changed
        .replace("[clusters.test]", "[clusters.qa]")
        .replace("node_label = \"test\"", "node_label = \"qa\"");
    let out = run(&once.text, &changed);
    let (_, cfg) = InterlockConfig::parse(&out.text).unwrap();
    let names: Vec<_> = cfg.extensions.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["dev", "qa", "prod"]);
    assert_eq!(cfg.extension("dev").unwrap().published_port, Some(9082));
    assert_eq!(cfg.extension("prod").unwrap().proxy_replicas, Some(3));
    assert_eq!(out.removed_extensions, ["test"]);
    let st: Vec<_> = out.clusters.iter().map(|c| c.status).collect();
    assert_eq!(
        st,
        [
            ClusterStatus::Update,
            ClusterStatus::Create,
            ClusterStatus::Update
        ]
    );
    assert_eq!(out.clusters[0].changed_keys, ["PublishedPort"]);
    // Exactly one of each section.
    assert_eq!(out.text.matches("[Extensions.dev]").count(), 1);
    assert_eq!(out.text.matches("[Extensions.qa.Config]").count(), 1);
    assert!(out.notes.iter().any(|n| n.code == Code::ExtensionRemoved));
}

#[test]
fn keeps_template_when_asked_and_places_clusters_after_it() {
    let cur = fixture("ucp-3.1-default.toml");
    let out = run(&cur, &format!("keep_template = true\n{SEED_SPEC}"));
    let (_, cfg) = InterlockConfig::parse(&out.text).unwrap();
    let names: Vec<_> = cfg.extensions.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["default", "dev", "test", "prod"]);
    // The template's lines are untouched: the file starts with the original.
    let template_part = &cur[..cur.find("UnderscoresInHeaders").unwrap()];
    assert!(out.text.starts_with(template_part));
}

#[test]
fn works_without_extensions_header_and_with_either_spelling() {
    let cur = "PollInterval = \"3s\"\n\n# the only extension\n[Extensions.default]\n  Image = \"x\"\n  ProxyReplicas = 2\n  proxyservicename = \"p\"\n  [Extensions.default.Config]\n    RlimitNoFile = 65535\n";
    let out = run(
        cur,
        "[clusters.a]\nhttp_port = 1080\n[clusters.b]\nhttp_port = 1081\n[clusters.b.config]\nRLimitNoFile = 1024\n",
    );
    assert!(!out.text.contains("[Extensions]\n"));
    assert!(out.text.contains("# the only extension\n[Extensions.a]"));
    // The existing spelling is kept, not duplicated.
    assert!(out.text.contains("RlimitNoFile = 1024"));
    assert!(!out.text.contains("RLimitNoFile"));
    assert!(
        out.text
            .contains("proxyservicename = \"ucp-interlock-proxy-a\"")
    );
    assert_eq!(out.text.matches("# the only extension").count(), 1);
}

#[test]
fn template_missing_is_an_error() {
    let spec = spec::parse("s.toml", "template = \"nope\"\n[clusters.a]\n").unwrap();
    let err = split(&fixture("ucp-3.1-default.toml"), &spec).unwrap_err();
    assert!(matches!(err, SplitError::TemplateMissing { .. }));
    assert!(err.to_finding().hint.unwrap().contains("default"));
}

#[test]
fn labels_and_escape_hatch_land_in_the_right_tables() {
    let cur = fixture("ucp-3.2-host-mode.toml");
    let out = run(
        &cur,
        "[clusters.a]\nnetworks = [\"anet\"]\n[clusters.a.proxy_labels]\nteam = \"web\"\n[clusters.a.extension]\nProxyStopGracePeriod = \"10s\"\n[clusters.a.config]\nMaxConnections = 4096\n",
    );
    assert!(
        out.text
            .contains("  [Extensions.a.ProxyLabels]\n      team = \"web\"\n")
            || out.text.contains("[Extensions.a.ProxyLabels]\n"),
        "{}",
        out.text
    );
    assert!(out.text.contains("MaxConnections = 4096"));
    assert!(out.text.contains("ProxyStopGracePeriod = \"10s\""));
    assert!(out.text.contains("Networks = [\"anet\"]"));
    let again = run(
        &out.text,
        "[clusters.a]\nnetworks = [\"anet\"]\n[clusters.a.proxy_labels]\nteam = \"web\"\n[clusters.a.extension]\nProxyStopGracePeriod = \"10s\"\n[clusters.a.config]\nMaxConnections = 4096\n",
    );
    assert_eq!(again.text, out.text);
}

#[test]
fn crlf_and_bom_files_stay_unchanged_when_nothing_changes() {
    let lf = "[Extensions.a]\n  ServiceCluster = \"a\"\n  ServiceName = \"ucp-interlock-extension-a\"\n  ProxyServiceName = \"ucp-interlock-proxy-a\"\n";
    for cur in [lf.replace('\n', "\r\n"), format!("\u{feff}{lf}")] {
        let out = run(&cur, "[clusters.a]\n");
        assert_eq!(out.text, cur);
        assert!(!out.changed(&cur));
    }
    // And a change keeps the line endings.
    let cur = lf.replace('\n', "\r\n");
    let out = run(&cur, "[clusters.a]\nhttp_port = 8081\n");
    assert!(
        out.text.contains("PublishedPort = 8081\r\n"),
        "{:?}",
        out.text
    );
    assert!(!out.text.replace("\r\n", "").contains('\n'));
}

#[test]
fn label_keys_are_case_sensitive_config_keys_are_not() {
    let cur = "[Extensions.a]\n  ProxyReplicas = 1\n  [Extensions.a.ProxyLabels]\n    \"com.docker.ucp.InstanceID\" = \"x\"\n  [Extensions.a.Config]\n    RlimitNoFile = 1\n";
    let out = run(
        cur,
        "[clusters.a]\n[clusters.a.proxy_labels]\n\"com.docker.ucp.instanceid\" = \"y\"\n[clusters.a.config]\nRLimitNoFile = 2\n",
    );
    assert!(out.text.contains("\"com.docker.ucp.InstanceID\" = \"x\""));
    assert!(out.text.contains("\"com.docker.ucp.instanceid\" = \"y\""));
    assert!(out.text.contains("RlimitNoFile = 2"));
    assert!(!out.text.contains("RLimitNoFile"));
}

#[test]
fn spec_config_keys_differing_in_case_are_refused() {
    let errs = spec::parse(
        "s.toml",
        "[clusters.a.config]\nRLimitNoFile = 1\nrlimitnofile = 2\n",
    )
    .unwrap_err();
    assert!(errs[0].message.contains("case-insensitively"), "{errs:?}");
}

#[test]
fn existing_clusters_keep_their_names_new_ones_get_defaults() {
    // UCP 3.0's service-clusters example: hand-picked names on both clusters. Listing them
    // and adding a third must not rename (retire and recreate) the running ones.
    let cur = fixture("ucp-3.0-service-clusters.toml");
    let spec = "template = \"us-east\"\nkeep_template = true\n\n[clusters.us-east]\n\n[clusters.us-west]\n\n[clusters.eu]\nhttp_port = 8080\nhttps_port = 8443\n";
    let out = run(&cur, spec);
    let (_, cfg) = InterlockConfig::parse(&out.text).unwrap();
    for region in ["us-east", "us-west"] {
        let e = cfg.extension(region).unwrap();
        assert_eq!(
            e.service_name.as_deref(),
            Some(format!("interlock-ext-{region}").as_str())
        );
        assert_eq!(
            e.proxy_service_name.as_deref(),
            Some(format!("interlock-proxy-{region}").as_str())
        );
        assert_eq!(e.service_cluster.as_deref(), Some(region));
    }
    let status = |n: &str| out.clusters.iter().find(|c| c.name == n).unwrap().status;
    assert_eq!(status("us-east"), ClusterStatus::Unchanged);
    assert_eq!(status("us-west"), ClusterStatus::Unchanged);
    let eu = cfg.extension("eu").unwrap();
    assert_eq!(
        eu.service_name.as_deref(),
        Some("ucp-interlock-extension-eu")
    );
    assert_eq!(
        eu.proxy_service_name.as_deref(),
        Some("ucp-interlock-proxy-eu")
    );
    assert_eq!(eu.service_cluster.as_deref(), Some("eu"));
    // The 3.2 example (whose names are the defaults) is still left as it is.
    let cur = fixture("ucp-3.2-service-clusters.toml");
    let out = run(&cur, &fixture("specs/service-clusters-3.2.toml"));
    assert_eq!(out.text, cur);
    // A name the spec sets is written, existing cluster or not.
    let out = run(
        &fixture("ucp-3.0-service-clusters.toml"),
        "template = \"us-east\"\nkeep_template = true\n[clusters.us-east]\nproxy_service_name = \"edge-{name}\"\n[clusters.us-west]\n",
    );
    let (_, cfg) = InterlockConfig::parse(&out.text).unwrap();
    let e = cfg.extension("us-east").unwrap();
    assert_eq!(e.proxy_service_name.as_deref(), Some("edge-us-east"));
    assert_eq!(e.service_name.as_deref(), Some("interlock-ext-us-east"));
}
