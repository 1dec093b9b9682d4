//! `verify`'s report for people: per host, what each cluster's proxy answered.

use std::fmt::Write;

use super::style::Styler;
use crate::verify::{Check, Expect, Observed, Report};

fn answer(c: &Check) -> String {
    match &c.observed {
        Observed::Status { status } => status.to_string(),
        Observed::NoAnswer { why } => format!("no answer ({why})"),
    }
}

pub fn human(r: &Report, s: &Styler) -> String {
    let mut out = String::new();
    let mut last = None;
    for c in &r.checks {
        let p = &c.probe;
        if last != Some((&p.host, &p.service)) {
            last = Some((&p.host, &p.service));
            let _ = writeln!(out, "{} ({})", s.bold(&p.host), p.service);
        }
        let expect = match p.expect {
            Expect::Routes => "routes it",
            Expect::Refuses => "503",
        };
        let mark = if c.ok {
            s.green("ok")
        } else {
            s.red_bold("FAIL")
        };
        let _ = write!(
            out,
            "  {mark}  {:<10} {}:{} ({}) answered {} (expected: {expect})",
            p.cluster,
            p.endpoint.addr,
            p.endpoint.port,
            p.endpoint.node,
            answer(c)
        );
        if let Some(why) = &c.why {
            let _ = write!(out, ": {why}");
        }
        out.push('\n');
    }
    for u in &r.unreachable_clusters {
        let (mark, unchecked) = if u.routes.is_empty() {
            (s.yellow("note:"), String::new())
        } else {
            (
                s.red_bold("FAIL"),
                format!(": {} not checked", u.routes.join(", ")),
            )
        };
        let _ = writeln!(
            out,
            "{mark} `{}`'s proxy has no address to ask on (no HTTP port, or no running task on a ready node in host mode){unchecked}",
            u.cluster
        );
    }
    let _ = writeln!(
        out,
        "{}",
        if r.failed == 0 {
            s.green(&format!("{} answers, all as expected.", r.passed))
        } else {
            s.red_bold(&format!(
                "{} of {} not as expected.",
                r.failed,
                r.failed + r.passed
            ))
        }
    );
    out
}
