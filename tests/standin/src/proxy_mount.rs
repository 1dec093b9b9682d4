//! The proxy's config as a Docker config, as Interlock keeps it: `com.docker.interlock.proxy.<hash>`
//! mounted at the extension's `ProxyConfigPath`, found through the proxy service's config
//! entries by target (never by name), and replaced in the service's spec when the routes change.
//! Pure: the core's requests are in `reconcile`.

use base64::Engine as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::routes::{SwarmView, items, text};

/// The name prefix of the proxy configs Interlock writes.
pub const PREFIX: &str = "com.docker.interlock.proxy.";

/// `com.docker.interlock.proxy.<first 12 hex of the SHA-256 of text>`: the same routes give the
/// same name, so that nothing changes while they do not.
pub fn name_of(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{PREFIX}{}", &hex[..12])
}

/// The config entry of `spec` (a service's `Spec`) mounted at `path`.
fn entry<'a>(spec: &'a Value, path: &str) -> Option<&'a Value> {
    items(spec, "/TaskTemplate/ContainerSpec/Configs").find(|c| text(c, "/File/Name") == Some(path))
}

/// The text of the config service `svc` mounts at `path`, read from the configs of `swarm`.
pub fn mounted_text(svc: &Value, path: &str, swarm: &SwarmView) -> Option<String> {
    let spec = svc.get("Spec")?;
    let id = text(entry(spec, path)?, "/ConfigID")?;
    let config = swarm.configs.iter().find(|c| text(c, "/ID") == Some(id))?;
    let data = base64::engine::general_purpose::STANDARD
        .decode(text(config, "/Spec/Data").unwrap_or_default())
        .ok()?;
    String::from_utf8(data).ok()
}

/// The network IDs service `svc` is attached to (targets given by name resolved), sorted.
pub fn attached(svc: &Value, swarm: &SwarmView) -> Vec<String> {
    let mut ids: Vec<String> = items(svc, "/Spec/TaskTemplate/Networks")
        .filter_map(|n| text(n, "/Target"))
        .map(|t| {
            swarm
                .network(t)
                .and_then(|n| text(n, "/Id"))
                .unwrap_or(t)
                .to_string()
        })
        .collect();
    ids.sort();
    ids
}

/// The config reference that mounts config `id` (`name`) at `path`, read-only.
pub fn reference(path: &str, id: &str, name: &str) -> Value {
    json!({
        "File": { "Name": path, "UID": "0", "GID": "0", "Mode": 0o444 },
        "ConfigID": id,
        "ConfigName": name,
    })
}

/// `spec` with config `id` (`name`) mounted at `path` instead of whatever was there, every
/// other config entry kept, and exactly the networks `network_ids`.
pub fn with_routes(
    spec: &Value,
    path: &str,
    id: &str,
    name: &str,
    network_ids: &[String],
) -> Value {
    let mut spec = spec.clone();
    let container = &mut spec["TaskTemplate"]["ContainerSpec"];
    let mut configs: Vec<Value> = items(container, "/Configs")
        .filter(|c| text(c, "/File/Name") != Some(path))
        .cloned()
        .collect();
    configs.push(reference(path, id, name));
    container["Configs"] = Value::Array(configs);
    let networks: Vec<Value> = network_ids.iter().map(|n| json!({ "Target": n })).collect();
    spec["TaskTemplate"]["Networks"] = Value::Array(networks);
    spec
}

/// The names of the configs some service mounts (at any path).
pub fn in_use(swarm: &SwarmView) -> Vec<&str> {
    swarm
        .services
        .iter()
        .flat_map(|s| items(s, "/Spec/TaskTemplate/ContainerSpec/Configs"))
        .filter_map(|c| text(c, "/ConfigName"))
        .collect()
}

/// The body of `POST /configs/create` for `text`.
pub fn create_body(text: &str, labels: &Value) -> Value {
    json!({
        "Name": name_of(text),
        "Labels": labels,
        "Data": base64::engine::general_purpose::STANDARD.encode(text),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATH: &str = "/etc/nginx/nginx.conf";

    #[test]
    fn names_follow_the_content() {
        assert_eq!(name_of("a"), name_of("a"));
        assert_ne!(name_of("a"), name_of("b"));
        assert_eq!(name_of("a").len(), PREFIX.len() + 12);
    }

    #[test]
    fn the_config_is_found_by_target_and_replaced_there_only() {
        let data = base64::engine::general_purpose::STANDARD.encode("conf v1");
        let svc = json!({ "Spec": { "TaskTemplate": {
            "ContainerSpec": { "Configs": [
                reference("/other", "o1", "other"),
                reference(PATH, "c1", "any-name-at-all"),
            ] },
            "Networks": [{ "Target": "ingress_dev" }],
        } } });
        let swarm = SwarmView {
            configs: vec![json!({ "ID": "c1", "Spec": { "Data": data } })],
            networks: vec![json!({ "Id": "n1", "Name": "ingress_dev" })],
            ..SwarmView::default()
        };
        assert_eq!(mounted_text(&svc, PATH, &swarm).as_deref(), Some("conf v1"));
        assert_eq!(mounted_text(&svc, "/x", &swarm), None);
        assert_eq!(attached(&svc, &swarm), ["n1"]);
        let spec = with_routes(&svc["Spec"], PATH, "c2", "n2", &["n9".into()]);
        let configs = &spec["TaskTemplate"]["ContainerSpec"]["Configs"];
        assert_eq!(configs[0]["ConfigID"], "o1");
        assert_eq!(configs[1]["ConfigID"], "c2");
        assert_eq!(configs.as_array().unwrap().len(), 2);
        assert_eq!(
            spec["TaskTemplate"]["Networks"],
            json!([{ "Target": "n9" }])
        );
    }
}
