//! The benchmark's application services and their overlay networks, created and removed
//! through the Engine API (a thousand `docker service create` would take minutes), and the
//! spec that splits them.
//!
//! Every object carries the test bed's label (so that `Core`'s cleanup removes what an aborted
//! run left) and [`BENCH_LABEL`] (so that [`Apps`] removes exactly its own, on drop too).

use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use crate::support::TEST_LABEL;
use crate::support::api::{Call, EngineApi};
use interlock_model::route::labels;

/// Carried by every object the benchmark creates (value `1`).
pub const BENCH_LABEL: &str = "com.docker.interlock-split.bench.live-plan-apps";
/// Names of the benchmark's services and networks start with it.
pub const PREFIX: &str = "lpa-";
/// Requests in flight while creating or removing.
const WIDTH: usize = 8;

/// The three clusters of the spec, each with its overlay network; the last is the catch-all
/// (its applications carry no `service_cluster` label).
const CLUSTERS: [&str; 3] = ["dev", "test", "prod"];
/// A fourth network some applications are also on (then `com.docker.lb.network` says which
/// one the proxy uses).
const SHARED: &str = "lpa-shared";

fn network_of(cluster: &str) -> String {
    format!("{PREFIX}{cluster}")
}

/// The service spec of application `i`: hosts, port, a cluster label on two in three, its
/// cluster's network (the one it moves to, for those the spec moves) (and the shared one on one in four, with the label naming which), no
/// task (replicas 0: the plan reads labels and network attachments only).
pub fn service_spec(i: usize, image: &str) -> Value {
    let cluster = CLUSTERS[i % CLUSTERS.len()];
    // The unlabelled `lpa-app-09xx` are the ones the spec moves to `test`: on its network.
    let moved = cluster == "prod" && (900..1000).contains(&i);
    let own = network_of(if moved { "test" } else { cluster });
    let host = format!("app-{i:04}.example");
    let hosts = if i.is_multiple_of(5) {
        format!("{host},www.{host}")
    } else {
        host
    };
    let mut l = Map::new();
    for (k, v) in [
        (TEST_LABEL, "1".to_string()),
        (BENCH_LABEL, "1".to_string()),
        (labels::HOSTS, hosts),
        (labels::PORT, "8080".to_string()),
    ] {
        l.insert(k.to_string(), json!(v));
    }
    if cluster != "prod" {
        l.insert(labels::SERVICE_CLUSTER.to_string(), json!(cluster));
    }
    let mut networks = vec![json!({ "Target": own })];
    if i.is_multiple_of(4) {
        networks.push(json!({ "Target": SHARED }));
    }
    if i % 4 <= 1 {
        l.insert(labels::NETWORK.to_string(), json!(own));
    }
    json!({
        "Name": format!("{PREFIX}app-{i:04}"),
        "Labels": l,
        "TaskTemplate": {
            "ContainerSpec": { "Image": image, "Args": ["app", "8080"] },
            "Networks": networks,
        },
        "Mode": { "Replicated": { "Replicas": 0 } },
    })
}

/// The spec: the seed's three clusters on this node (`support::bed::seed_spec`), each with
/// its network; `prod` keeps the unlabelled applications (`catch_all`), `test` takes the
/// unlabelled `lpa-app-09*` by a glob (relabels).
pub fn spec(host: &str) -> String {
    let mut s = crate::support::bed::seed_spec(host);
    for name in ["dev", "test", "prod"] {
        let mut extra = format!("networks = [\"{}\"]\n", network_of(name));
        match name {
            "prod" => extra.push_str("catch_all = true\n"),
            "test" => extra.push_str(&format!("apps = [\"{PREFIX}app-09*\"]\n")),
            _ => {}
        }
        let header = format!("[clusters.{name}]\n");
        s = s.replacen(&header, &format!("{header}{extra}"), 1);
    }
    s
}

/// The benchmark's networks, and its services once [`Apps::create`] made them; removed on drop.
pub struct Apps {
    api: EngineApi,
    image: String,
}

impl Apps {
    /// Creates the networks (before the first plan: they are no application).
    pub fn new(image: &str) -> Apps {
        let apps = Apps {
            api: EngineApi::local(),
            image: image.to_string(),
        };
        let names: Vec<String> = CLUSTERS
            .iter()
            .map(|c| network_of(c))
            .chain([SHARED.to_string()])
            .collect();
        let calls = names
            .iter()
            .map(|n| {
                Call::post(
                    "/networks/create",
                    json!({
                        "Name": n,
                        "Driver": "overlay",
                        "CheckDuplicate": true,
                        "Labels": { (TEST_LABEL): "1", (BENCH_LABEL): "1" },
                    }),
                )
            })
            .collect();
        expect_all("creating network", apps.api.all(calls, WIDTH));
        apps
    }

    /// Creates `n` application services; returns how long it took.
    pub fn create(&self, n: usize) -> Duration {
        let started = Instant::now();
        let calls = (0..n)
            .map(|i| Call::post("/services/create", service_spec(i, &self.image)))
            .collect();
        expect_all("creating service", self.api.all(calls, WIDTH));
        let elapsed = started.elapsed();
        let listed = self.services().len();
        assert_eq!(listed, n, "{n} services created, {listed} listed");
        elapsed
    }

    /// IDs of the benchmark's services.
    fn services(&self) -> Vec<String> {
        self.ids("services")
    }

    /// IDs of the benchmark's objects of `kind` (`services`, `networks`).
    fn ids(&self, kind: &str) -> Vec<String> {
        let filter = json!({ "label": [format!("{BENCH_LABEL}=1")] }).to_string();
        let path = format!("/{kind}?filters={}", encode(&filter));
        let answer = self
            .api
            .call(Call::get(path))
            .unwrap_or_else(|e| panic!("listing {kind}: {e}"));
        assert!(answer.ok(), "listing {kind}: {answer:?}");
        answer
            .body
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| o.get("ID").or_else(|| o.get("Id")))
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    }

    /// Removes the services; returns how long it took, waiting until none is listed.
    pub fn remove_services(&self) -> Result<Duration, String> {
        let started = Instant::now();
        self.remove("services", Duration::from_secs(120))?;
        Ok(started.elapsed())
    }

    /// Removes every object of `kind`, again until none is left or `timeout` passes.
    fn remove(&self, kind: &str, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = self.ids(kind);
            if left.is_empty() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(format!("{} {kind} still there", left.len()));
            }
            let calls = left
                .iter()
                .map(|id| Call::delete(format!("/{kind}/{id}")))
                .collect();
            // A 404 is one gone meanwhile; anything else is tried again on the next round.
            self.api.all(calls, WIDTH);
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Apps {
    fn drop(&mut self) {
        let done = self
            .remove("services", Duration::from_secs(180))
            .and_then(|()| self.remove("networks", Duration::from_secs(60)));
        if let Err(e) = done {
            // Core's cleanup, next, removes what carries the test label.
            eprintln!("live_plan_apps: cleanup incomplete: {e}");
        }
    }
}

/// Panics on the first call that failed, naming it.
fn expect_all(what: &str, answers: Vec<Result<crate::support::api::Answer, String>>) {
    for (i, a) in answers.into_iter().enumerate() {
        match a {
            Ok(a) if a.ok() => {}
            Ok(a) => panic!("{what} #{i}: {} {}", a.status, a.body),
            Err(e) => panic!("{what} #{i}: {e}"),
        }
    }
}

/// `text` percent-encoded for a query string.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
