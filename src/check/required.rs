//! Keys Interlock needs, with the types it needs.

use crate::finding::Finding;
use crate::interlock::InterlockConfig;
use crate::interlock::keys::ext;
use crate::locate::KeyPath;

pub fn check(cfg: &InterlockConfig, out: &mut Vec<Finding>) {
    if cfg.extensions.is_empty() {
        out.push(
            Finding::error(
                "no-extensions",
                "the config has no [Extensions.<name>] section",
            )
            .hint("Interlock runs no proxy without one; start from the config UCP created"),
        );
    }
    for (a, b) in &cfg.top_level_case_duplicates {
        out.push(case_duplicate(&KeyPath::new(), a, b));
    }
    for e in &cfg.extensions {
        let path = e.path();
        if !e.is_table {
            out.push(
                Finding::error(
                    "extension-not-table",
                    format!("extension `{}` is not a table", e.name),
                )
                .at(path),
            );
            continue;
        }
        for p in &e.type_problems {
            out.push(
                Finding::error("wrong-type", format!("{} must be {}", p.path, p.expected))
                    .at(p.path.clone()),
            );
        }
        for (table, a, b) in &e.case_duplicates {
            out.push(case_duplicate(table, a, b));
        }
        if e.proxy_replicas.is_none()
            && !e
                .type_problems
                .iter()
                .any(|p| p.path.to_string().ends_with(ext::PROXY_REPLICAS))
        {
            out.push(
                Finding::error(
                    "missing-proxy-replicas",
                    format!(
                        "extension `{}` has no ProxyReplicas: the Interlock core crashes on it",
                        e.name
                    ),
                )
                .at(path.clone().key(ext::PROXY_REPLICAS))
                .hint("set proxy_replicas in the spec (or ProxyReplicas = 2 in the config)"),
            );
        }
        if let Some(n) = e.proxy_replicas {
            if n < 0 {
                out.push(
                    Finding::error("proxy-replicas", format!("ProxyReplicas is {n}"))
                        .at(path.clone().key(ext::PROXY_REPLICAS)),
                );
            } else if n == 0 {
                out.push(
                    Finding::warning(
                        "proxy-replicas",
                        format!("extension `{}` has ProxyReplicas = 0: its service cluster gets no proxy and serves no traffic", e.name),
                    )
                    .at(path.clone().key(ext::PROXY_REPLICAS)),
                );
            }
        }
        if e.publish_mode().is_none() {
            out.push(
                Finding::error(
                    "publish-mode",
                    format!(
                        "PublishMode \"{}\" is not one Interlock knows",
                        e.publish_mode_raw.as_deref().unwrap_or_default()
                    ),
                )
                .at(path.clone().key(ext::PUBLISH_MODE))
                .hint("use \"ingress\" or \"host\""),
            );
        }
        for (key, v) in [(ext::IMAGE, &e.image), (ext::PROXY_IMAGE, &e.proxy_image)] {
            if v.is_none() {
                out.push(
                    Finding::warning(
                        "missing-image",
                        format!("extension `{}` has no {key}", e.name),
                    )
                    .at(path.clone().key(key))
                    .hint("copy it from the extension UCP created"),
                );
            }
        }
    }
}

fn case_duplicate(table: &KeyPath, a: &str, b: &str) -> Finding {
    Finding::warning(
        "key-case-duplicate",
        format!(
            "`{a}` and `{b}` are one key to Interlock, which matches keys case-insensitively; only one of them takes effect"
        ),
    )
    .at(table.clone().key(b))
    .hint(format!("keep one spelling and remove `{b}`"))
}
