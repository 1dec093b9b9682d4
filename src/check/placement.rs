//! Placement constraints of extensions and proxies.

use crate::finding::{Code, Finding};
use crate::interlock::InterlockConfig;
use crate::interlock::constraint::{self, Subject};
use crate::interlock::keys::ext;

pub fn check(cfg: &InterlockConfig, out: &mut Vec<Finding>) {
    for e in &cfg.extensions {
        for (key, list, what) in [
            (ext::CONSTRAINTS, &e.constraints, "extension"),
            (ext::PROXY_CONSTRAINTS, &e.proxy_constraints, "proxy"),
        ] {
            for (i, expr) in list.iter().enumerate() {
                let path = e.path().key(key).index(i);
                match constraint::parse(expr) {
                    Err(r) => {
                        let hint = match &r.suggestion {
                            Some(s) => format!("write it as \"{s}\""),
                            None => "swarm constraints take the form key==value or key!=value".into(),
                        };
                        out.push(
                            Finding::error(
                                Code::InvalidConstraint,
                                format!(
                                    "constraint \"{expr}\" is refused by swarm ({}): Interlock cannot create the {what} service of `{}`",
                                    r.reason, e.name
                                ),
                            )
                            .at(path)
                            .hint(hint),
                        );
                    }
                    Ok(c) if !Subject::of_key(&c.key).known() => out.push(
                        Finding::warning(
                            Code::UnknownConstraintAttribute,
                            format!("constraint \"{expr}\": swarm knows no node attribute `{}`, so no node matches", c.key),
                        )
                        .at(path)
                        .hint("use node.labels.<key>, node.role, node.hostname, node.id, node.platform.os or engine.labels.<key>"),
                    ),
                    Ok(_) => {}
                }
            }
        }
    }
}
