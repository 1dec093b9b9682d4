//! Keys Interlock needs, with the types it needs.

use crate::finding::{Code, Finding};
use crate::interlock::keys::ext;
use crate::interlock::{Extension, InterlockConfig};
use crate::locate::KeyPath;

pub fn check(cfg: &InterlockConfig, out: &mut Vec<Finding>) {
    if cfg.extensions.is_empty() {
        out.push(
            Finding::error(
                Code::NoExtensions,
                "the config has no [Extensions.<name>] section",
            )
            .hint("Interlock runs no proxy without one; start from the config UCP created"),
        );
    }
    for (a, b) in &cfg.top_level_case_duplicates {
        out.push(case_duplicate(&KeyPath::new(), a, b));
    }
    for e in &cfg.extensions {
        if !e.is_table {
            out.push(
                Finding::error(
                    Code::ExtensionNotTable,
                    format!("extension `{}` is not a table", e.name),
                )
                .at(e.path()),
            );
            continue;
        }
        for p in &e.type_problems {
            out.push(
                Finding::error(
                    Code::WrongType,
                    format!("{} must be {}", p.path, p.expected),
                )
                .at(p.path.clone()),
            );
        }
        for (table, a, b) in &e.case_duplicates {
            out.push(case_duplicate(table, a, b));
        }
        proxy_replicas(e, out);
        publish_mode(e, out);
        images(e, out);
    }
}

fn proxy_replicas(e: &Extension, out: &mut Vec<Finding>) {
    let path = e.path().key(ext::PROXY_REPLICAS);
    let mistyped = e
        .type_problems
        .iter()
        .any(|p| p.path.to_string().ends_with(ext::PROXY_REPLICAS));
    if e.proxy_replicas.is_none() && !mistyped {
        out.push(
            Finding::error(
                Code::MissingProxyReplicas,
                format!(
                    "extension `{}` has no ProxyReplicas: the Interlock core crashes on it",
                    e.name
                ),
            )
            .at(path.clone())
            .hint("set proxy_replicas in the spec (or ProxyReplicas = 2 in the config)"),
        );
    }
    match e.proxy_replicas {
        Some(n) if n < 0 => out.push(
            Finding::error(Code::ProxyReplicas, format!("ProxyReplicas is {n}")).at(path),
        ),
        Some(0) => out.push(
            Finding::warning(
                Code::ProxyReplicas,
                format!("extension `{}` has ProxyReplicas = 0: its service cluster gets no proxy and serves no traffic", e.name),
            )
            .at(path),
        ),
        _ => {}
    }
}

fn publish_mode(e: &Extension, out: &mut Vec<Finding>) {
    if e.publish_mode().is_none() {
        out.push(
            Finding::error(
                Code::PublishMode,
                format!(
                    "PublishMode \"{}\" is not one Interlock knows",
                    e.publish_mode_raw.as_deref().unwrap_or_default()
                ),
            )
            .at(e.path().key(ext::PUBLISH_MODE))
            .hint("use \"ingress\" or \"host\""),
        );
    }
}

fn images(e: &Extension, out: &mut Vec<Finding>) {
    for (key, v) in [(ext::IMAGE, &e.image), (ext::PROXY_IMAGE, &e.proxy_image)] {
        if v.is_none() {
            out.push(
                Finding::warning(
                    Code::MissingImage,
                    format!("extension `{}` has no {key}", e.name),
                )
                .at(e.path().key(key))
                .hint("copy it from the extension UCP created"),
            );
        }
    }
}

fn case_duplicate(table: &KeyPath, a: &str, b: &str) -> Finding {
    Finding::warning(
        Code::KeyCaseDuplicate,
        format!(
            "`{a}` and `{b}` are one key to Interlock, which matches keys case-insensitively; only one of them takes effect"
        ),
    )
    .at(table.clone().key(b))
    .hint(format!("keep one spelling and remove `{b}`"))
}
