use crate::cluster::{Network, Snapshot};
use crate::plan::test_fixtures::{SEED, codes, plan_with, service, snapshot, ucp_default};
use crate::plan::{Action, Plan};
use crate::route::labels;

/// An application service with `com.docker.lb.*` labels, on `networks`.
fn app(
    name: &str,
    host: &str,
    cluster: Option<&str>,
    networks: &[&str],
) -> crate::cluster::Service {
    let mut l = vec![(labels::HOSTS, host), (labels::PORT, "8080")];
    if let Some(c) = cluster {
        l.push((labels::SERVICE_CLUSTER, c));
    }
    let mut s = service(name, &[], &l);
    s.networks = networks.iter().map(|n| n.to_string()).collect();
    s
}

fn with(apps: Vec<crate::cluster::Service>) -> Snapshot {
    let mut snap = snapshot();
    snap.networks = ["appnet", "other", "ingress_dev"]
        .iter()
        .map(|n| Network {
            id: format!("id-{n}"),
            name: n.to_string(),
            driver: "overlay".into(),
            labels: Default::default(),
        })
        .collect();
    snap.services.extend(apps);
    snap
}

fn findings_of<'p>(p: &'p Plan, code: &str) -> Vec<&'p str> {
    p.findings
        .iter()
        .filter(|f| f.code == code)
        .map(|f| f.message.as_str())
        .collect()
}

fn step(p: &Plan, f: impl Fn(&Action) -> bool) -> usize {
    p.actions.iter().position(f).expect("the step is planned") + 1
}

/// The walk-through's split cuts the unlabelled application (no cluster keeps the default
/// one), routes the `dev` one, and `Prod` matches nothing: the plan says so, each by name.
#[test]
fn the_walk_throughs_split_says_which_application_loses_its_route() {
    let snap = with(vec![
        app("plain", "plain.example", None, &["appnet"]),
        app("devapp", "dev.example", Some("dev"), &["appnet"]),
        app("prodapp", "prod.example", Some("Prod"), &["appnet"]),
    ]);
    let p = plan_with(&snap, SEED, &ucp_default());
    let lost = findings_of(&p, "route-lost");
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert!(lost[0].contains("`plain` (plain.example)"), "{lost:?}");
    let unmatched: Vec<_> = p
        .findings
        .iter()
        .filter(|f| f.code == "route-unmatched")
        .collect();
    assert_eq!(unmatched.len(), 1);
    assert!(unmatched[0].message.contains("`prodapp` (prod.example)"));
    assert!(
        unmatched[0].hint.as_deref().unwrap().contains("`prod`"),
        "{:?}",
        unmatched[0].hint
    );
    let dev = p.routes.iter().find(|r| r.service == "devapp").unwrap();
    assert_eq!(
        (
            dev.now.as_ref(),
            dev.after.as_ref().map(|a| a.cluster.as_str())
        ),
        (None, Some("dev"))
    );
    assert!(p.has_errors());
}

/// `apps` moves the unlabelled application to dev: relabelled once dev's proxy runs, awaited,
/// and, since prod takes the old proxy's ports, announced as a gap from that proxy's removal
/// until dev routes it.
#[test]
fn apps_relabel_once_the_new_proxy_runs_and_the_gap_is_announced() {
    let snap = with(vec![app("demodev_demo", "demo.example", None, &["appnet"])]);
    let spec = SEED.replace(
        "[clusters.dev]\n",
        "[clusters.dev]\napps = [\"demodev_*\"]\n",
    );
    let p = plan_with(&snap, &spec, &ucp_default());
    assert!(findings_of(&p, "route-lost").is_empty(), "{:?}", p.findings);
    let relabel = step(
        &p,
        |a| matches!(a, Action::RelabelApp { service, to, version: 7, from: None, .. } if service == "demodev_demo" && to == "dev"),
    );
    let awaited = step(
        &p,
        |a| matches!(a, Action::AwaitRoute { service, proxy, .. } if service == "demodev_demo" && proxy == "ucp-interlock-proxy-dev"),
    );
    let new_proxy = step(
        &p,
        |a| matches!(a, Action::AwaitService { service, .. } if service == "ucp-interlock-proxy-dev"),
    );
    let removed = step(
        &p,
        |a| matches!(a, Action::RemoveStaleService { service, .. } if service == "ucp-interlock-proxy"),
    );
    assert!(new_proxy < relabel && relabel < awaited, "{:#?}", p.actions);
    let r = p
        .routes
        .iter()
        .find(|r| r.service == "demodev_demo")
        .unwrap();
    let gap = r.gap.as_ref().expect("a gap");
    assert_eq!((gap.from_step, gap.until_step), (removed, awaited));
    assert_eq!(findings_of(&p, "route-gap").len(), 1);
    assert_eq!(findings_of(&p, "route-moves").len(), 1);
}

/// Two applications moved to dev: both relabelled, then both awaited, so that dev's proxy is
/// reconfigured for them together; while the old proxy is gone, each is without a route until
/// the last wait through dev's proxy, since each move restarts it.
#[test]
fn apps_moved_together_are_relabelled_first_and_gapped_until_the_last_wait() {
    let snap = with(vec![
        app("a", "a.example", None, &["appnet"]),
        app("b", "b.example", None, &["appnet"]),
    ]);
    let spec = SEED.replace(
        "[clusters.dev]\n",
        "[clusters.dev]\napps = [\"a\", \"b\"]\n",
    );
    let p = plan_with(&snap, &spec, &ucp_default());
    let kinds: Vec<&str> = p
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::RelabelApp { .. } => Some("relabel"),
            Action::AwaitRoute { .. } => Some("await"),
            _ => None,
        })
        .collect();
    assert_eq!(kinds, ["relabel", "relabel", "await", "await"]);
    let last = step(
        &p,
        |a| matches!(a, Action::AwaitRoute { service, .. } if service == "b"),
    );
    for r in &p.routes {
        let gap = r.gap.as_ref().expect("a gap");
        assert_eq!(gap.until_step, last, "{r:#?}");
    }
}

/// A glob never takes an application labelled for another cluster; its exact name does.
#[test]
fn a_glob_leaves_an_application_labelled_elsewhere_its_name_moves_it() {
    let snap = with(vec![
        app("demodev_a", "a.example", Some("prod"), &["appnet"]),
        app("demodev_b", "b.example", Some("prod"), &["appnet"]),
    ]);
    let spec = SEED.replace(
        "[clusters.dev]\n",
        "[clusters.dev]\napps = [\"demodev_*\", \"demodev_b\"]\n",
    );
    let p = plan_with(&snap, &spec, &ucp_default());
    let relabelled: Vec<&str> = p
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::RelabelApp { service, .. } => Some(service.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(relabelled, ["demodev_b"]);
}

/// `catch_all` on the cluster that adopts the default proxy: the unlabelled application stays
/// on that very proxy, relabelled by none, with no gap.
#[test]
fn catch_all_with_the_adopted_proxy_keeps_unlabelled_applications_where_they_are() {
    let snap = with(vec![app("plain", "plain.example", None, &["appnet"])]);
    let spec = SEED.replace(
        "[clusters.prod]\n",
        "[clusters.prod]\ncatch_all = true\nadopt_proxy = \"ucp-interlock-proxy\"\n",
    );
    let p = plan_with(&snap, &spec, &ucp_default());
    let r = &p.routes[0];
    assert_eq!(r.now.as_ref().unwrap().proxy, "ucp-interlock-proxy");
    assert_eq!(r.after.as_ref().unwrap().proxy, "ucp-interlock-proxy");
    assert!(
        r.relabel.is_none() && r.gap.is_none() && !r.moves(),
        "{r:#?}"
    );
    assert!(
        !codes(&p).iter().any(|c| c.starts_with("route-")),
        "{:?}",
        p.findings
    );
    assert!(
        !p.actions
            .iter()
            .any(|a| matches!(a, Action::RelabelApp { .. } | Action::AwaitRoute { .. }))
    );
}

/// `apps` moves the unlabelled application to dev while prod adopts the default proxy: the new
/// config has that proxy serve prod only, so it drops the application at the core's first poll
/// on it, before the relabel (done first, the old config would drop it as soon): a gap from the
/// core's update until dev routes it, with the two-apply way round.
#[test]
fn apps_away_from_an_adopted_proxy_announce_the_drop_at_the_switch() {
    let snap = with(vec![app("plain", "plain.example", None, &["appnet"])]);
    let spec = SEED
        .replace("[clusters.dev]\n", "[clusters.dev]\napps = [\"plain\"]\n")
        .replace(
            "[clusters.prod]\n",
            "[clusters.prod]\nadopt_proxy = \"ucp-interlock-proxy\"\n",
        );
    let p = plan_with(&snap, &spec, &ucp_default());
    let switched = step(&p, |a| matches!(a, Action::UpdateCoreService { .. }));
    let awaited = step(
        &p,
        |a| matches!(a, Action::AwaitRoute { service, .. } if service == "plain"),
    );
    let gap = p.routes[0].gap.as_ref().expect("a gap");
    assert_eq!((gap.from_step, gap.until_step), (switched, awaited));
    assert!(gap.why.contains("reconfigured"), "{}", gap.why);
    let f = p.findings.iter().find(|f| f.code == "route-gap").unwrap();
    assert!(f.hint.as_deref().unwrap().contains("catch_all"), "{f:?}");
}

/// With `catch_all` on the adopting cluster the adopted proxy keeps serving the unlabelled
/// application under the new config, until the relabel moves it to dev: no gap.
#[test]
fn apps_away_from_an_adopted_catch_all_proxy_move_with_no_gap() {
    let snap = with(vec![app("plain", "plain.example", None, &["appnet"])]);
    let spec = SEED
        .replace("[clusters.dev]\n", "[clusters.dev]\napps = [\"plain\"]\n")
        .replace(
            "[clusters.prod]\n",
            "[clusters.prod]\ncatch_all = true\nadopt_proxy = \"ucp-interlock-proxy\"\n",
        );
    let p = plan_with(&snap, &spec, &ucp_default());
    let r = &p.routes[0];
    assert!(r.moves() && r.gap.is_none(), "{r:#?}");
    assert!(findings_of(&p, "route-gap").is_empty(), "{:?}", p.findings);
}

/// The networks a cluster's proxy joins are created before the core runs the config that
/// names them, in the cluster's collection; an application outside them is unreachable.
#[test]
fn missing_networks_are_created_first_and_applications_are_checked_against_them() {
    let snap = with(vec![
        app("inside", "in.example", Some("dev"), &["ingress_dev2"]),
        app("outside", "out.example", Some("dev"), &["appnet"]),
        app("two", "two.example", Some("dev"), &["appnet", "other"]),
    ]);
    let spec = SEED.replace(
        "[clusters.dev]\n",
        "[clusters.dev]\nnetworks = [\"ingress_dev2\"]\n",
    );
    let p = plan_with(&snap, &spec, &ucp_default());
    let created = step(
        &p,
        |a| matches!(a, Action::CreateNetwork { name, labels, .. } if name == "ingress_dev2" && labels.get(labels::COLLECTION).map(String::as_str) == Some("/dev")),
    );
    let config = step(&p, |a| matches!(a, Action::CreateConfig { .. }));
    assert!(created < config);
    let unreachable = findings_of(&p, "network-unreachable");
    assert_eq!(unreachable.len(), 2, "{unreachable:?}");
    assert!(
        unreachable
            .iter()
            .any(|m| m.contains("`outside`") && m.contains("not in the cluster's Networks"))
    );
    assert!(
        unreachable
            .iter()
            .any(|m| m.contains("`two`") && m.contains("several networks"))
    );
}

#[test]
fn secrets_hosts_collections_and_bad_labels() {
    let mut tls = app("shop", "shop.example", Some("dev"), &["appnet"]);
    tls.labels
        .insert(labels::SSL_CERT.into(), "shop_cert".into());
    let twice = app("shop2", "shop.example", Some("prod"), &["appnet"]);
    let mut broken = app("broken", "broken.example", Some("prod"), &["appnet"]);
    broken.labels.insert(labels::PORT.into(), "http".into());
    let mut stray = app("stray", "stray.example", None, &["appnet"]);
    stray
        .labels
        .insert(labels::COLLECTION.into(), "/dev".into());
    let snap = with(vec![tls, twice, broken, stray]);
    let p = plan_with(&snap, SEED, &ucp_default());
    assert!(findings_of(&p, "tls-secret-missing")[0].contains("shop_cert"));
    assert!(findings_of(&p, "host-in-two-clusters")[0].contains("shop.example"));
    assert!(findings_of(&p, "app-label-invalid")[0].contains(labels::PORT));
    let proposal = p
        .findings
        .iter()
        .find(|f| f.code == "app-in-collection")
        .unwrap();
    assert!(
        proposal
            .hint
            .as_deref()
            .unwrap()
            .contains("apps = [\"stray\"]"),
        "{proposal:?}"
    );
}

/// A service without `com.docker.lb.port` is routed by no proxy (Interlock has no port of its
/// tasks to send to): the split loses it nothing, `apps` still relabels it, and apply waits
/// for no proxy to route it; the bad label is said.
#[test]
fn an_application_without_a_port_is_routed_by_none_and_not_awaited() {
    let mut portless = app("demodev_demo", "demo.example", None, &["appnet"]);
    portless.labels.remove(labels::PORT);
    let spec = SEED.replace(
        "[clusters.dev]\n",
        "[clusters.dev]\napps = [\"demodev_*\"]\n",
    );
    let p = plan_with(&with(vec![portless]), &spec, &ucp_default());
    assert!(findings_of(&p, "route-lost").is_empty(), "{:?}", p.findings);
    assert!(findings_of(&p, "app-label-invalid")[0].contains(labels::PORT));
    let r = &p.routes[0];
    assert_eq!((&r.now, &r.after), (&None, &None), "{r:?}");
    assert!(
        p.actions
            .iter()
            .any(|a| matches!(a, Action::RelabelApp { .. }))
    );
    assert!(
        !p.actions
            .iter()
            .any(|a| matches!(a, Action::AwaitRoute { .. }))
    );
}
