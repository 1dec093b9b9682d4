//! The core keeping each proxy's config in line with the applications of its service cluster,
//! as Interlock does: the config rendered from the routes, a Docker config per content, the
//! proxy service updated (with the version just read) only when its config or its networks
//! differ, so that a proxy whose routes did not change never restarts. A proxy of an extension
//! no longer in the config is never looked at: it keeps serving its last config.

use interlock_model::route::proxy_config::render;
use serde_json::{Value, json};

use crate::core_mode::EXTENSION_LABEL;
use crate::core_mode::{Core, wanted_ports};
use crate::extensions::Extension;
use crate::journal::Journal;
use crate::log;
use crate::proxy_mount::{self, PREFIX};
use crate::routes::{SwarmView, routes, text};

/// What an extension's proxy should mount and join.
pub struct Desired {
    /// The proxy config (nginx.conf).
    pub text: String,
    /// The IDs of the networks it joins, sorted.
    pub network_ids: Vec<String>,
    /// `host (n upstreams), …`, for the log.
    summary: String,
}

impl Desired {
    /// The name of the Docker config holding [`Desired::text`].
    pub fn config_name(&self) -> String {
        proxy_mount::name_of(&self.text)
    }

    /// Mounts config `id` at the extension's `ProxyConfigPath` in `spec` and sets its networks.
    pub fn mount(&self, spec: &mut Value, ext: &Extension, id: &str) {
        let task = &spec["TaskTemplate"];
        let with = proxy_mount::with_routes(
            &json!({ "TaskTemplate": task }),
            &ext.proxy_config_path,
            id,
            &self.config_name(),
            &self.network_ids,
        );
        spec["TaskTemplate"] = with["TaskTemplate"].clone();
    }
}

impl Core {
    /// What the proxy of `ext` should serve now; applications it cannot route are logged (once
    /// per reason), as are networks that do not exist.
    pub fn desired(&self, ext: &Extension, swarm: &SwarmView, journal: &mut Journal) -> Desired {
        let r = routes(&ext.model, &self.cfg, swarm);
        for (service, why) in &r.skipped {
            journal.once(
                &format!("skip/{}/{service}/{why}", ext.name),
                &format!(
                    "core: extension {} cannot route application {service}: {why}; left out",
                    ext.name
                ),
            );
        }
        let mut network_ids = Vec::new();
        for name in &r.networks {
            match swarm.network(name).and_then(|n| text(n, "/Id")) {
                Some(id) => network_ids.push(id.to_string()),
                None => journal.once(
                    &format!("no-network/{}/{name}", ext.name),
                    &format!(
                        "core: the proxy of extension {} cannot join network {name}: it does not exist",
                        ext.name
                    ),
                ),
            }
        }
        network_ids.sort();
        let summary = r
            .hosts
            .iter()
            .map(|h| format!("{} ({} upstreams)", h.host, h.upstreams.len()))
            .collect::<Vec<_>>()
            .join(", ");
        Desired {
            text: render(&r.hosts, &wanted_ports(ext)),
            network_ids,
            summary,
        }
    }

    /// The ID of the Docker config holding `desired`'s text, created when missing.
    pub fn ensure_config(
        &self,
        ext: &Extension,
        desired: &Desired,
        swarm: &SwarmView,
    ) -> Result<String, String> {
        let name = desired.config_name();
        if let Some(c) = swarm
            .configs
            .iter()
            .find(|c| text(c, "/Spec/Name") == Some(name.as_str()))
        {
            return Ok(text(c, "/ID").unwrap_or_default().to_string());
        }
        let body = proxy_mount::create_body(&desired.text, &Value::Object(self.own_labels(ext)));
        let r = self
            .docker
            .request("POST", "/configs/create", Some(&body))?
            .ok(&format!("creating config {name}"))?;
        let id = text(&r.json(), "/ID").unwrap_or_default().to_string();
        log!(
            "core: created proxy config {name} ({id}) for extension {}",
            ext.name
        );
        Ok(id)
    }

    /// Updates proxy service `svc` of `ext` when the config it mounts at `ProxyConfigPath` or
    /// its networks differ from `desired`; leaves it alone otherwise.
    pub fn reconcile_proxy(
        &self,
        ext: &Extension,
        svc: &Value,
        desired: &Desired,
        swarm: &SwarmView,
        journal: &mut Journal,
    ) {
        let name = text(svc, "/Spec/Name").unwrap_or_default();
        let mounted = proxy_mount::mounted_text(svc, &ext.proxy_config_path, swarm);
        let same_config = mounted.as_deref() == Some(desired.text.as_str());
        if same_config && proxy_mount::attached(svc, swarm) == desired.network_ids {
            journal.state(
                &format!("serves/{name}"),
                &format!(
                    "core: proxy {name} of extension {} serves: [{}]",
                    ext.name, desired.summary
                ),
            );
            journal.ok(&format!("update/{name}"));
            return;
        }
        let key = format!("update/{name}");
        let what = format!("updating proxy {name} of extension {}", ext.name);
        let result = self.ensure_config(ext, desired, swarm).and_then(|id| {
            let version = svc
                .pointer("/Version/Index")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            let mut spec = svc["Spec"].clone();
            desired.mount(&mut spec, ext, &id);
            let path = format!(
                "/services/{}/update?version={version}",
                text(svc, "/ID").unwrap_or(name)
            );
            self.docker
                .request("POST", &path, Some(&spec))?
                .ok("update")
        });
        match result {
            Ok(_) => {
                journal.ok(&key);
                log!(
                    "core: updated proxy {name} of extension {}: config {}, serving [{}]",
                    ext.name,
                    desired.config_name(),
                    desired.summary
                );
            }
            Err(e) => journal.error(&key, &format!("error: {what}: {e}; retrying")),
        }
    }

    /// Removes the proxy configs a stand-in core made that no service mounts any more (and
    /// that no extension is about to mount: `keep`).
    pub fn prune_configs(&self, swarm: &SwarmView, keep: &[String], journal: &mut Journal) {
        let used = proxy_mount::in_use(swarm);
        for c in &swarm.configs {
            let name = text(c, "/Spec/Name").unwrap_or_default();
            let ours = c
                .pointer("/Spec/Labels")
                .is_some_and(|l| l.get(EXTENSION_LABEL).is_some());
            if !name.starts_with(PREFIX)
                || !ours
                || used.contains(&name)
                || keep.iter().any(|k| k == name)
            {
                continue;
            }
            let id = text(c, "/ID").unwrap_or(name);
            match self
                .docker
                .request("DELETE", &format!("/configs/{id}"), None)
            {
                Ok(r) if (200..300).contains(&r.status) || r.status == 404 => {
                    log!("core: removed proxy config {name}, which no service mounts");
                }
                Ok(r) => journal.error(
                    &format!("prune/{name}"),
                    &format!(
                        "error: removing config {name}: HTTP {}: {}",
                        r.status,
                        r.message()
                    ),
                ),
                Err(e) => journal.error(
                    &format!("prune/{name}"),
                    &format!("error: removing config {name}: {e}"),
                ),
            }
        }
    }
}
