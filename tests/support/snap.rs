//! Snapshots of what an operator reads from a live run (plan, status, apply, rollback), with
//! what differs from run to run replaced by a placeholder: swarm IDs, times, durations, temp
//! paths, the node's hostname, the front's port, hashes.

use std::process::Output;

/// The filters, in order: more specific patterns first.
fn filters(host: &str) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = vec![
        // RFC 3339 times, with or without fractions and zone.
        (
            r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?".into(),
            "[time]".into(),
        ),
        // Readable times: "3 min ago (2026-11-29 04:36 UTC)", compact UTC stamps.
        (
            r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}( UTC)?".into(),
            "[time]".into(),
        ),
        (r"\d{8}T\d{6}Z".into(), "[stamp]".into()),
        (
            r"(just now|\d+ (s|sec|min|h|hours?|days?) ago)".into(),
            "[ago]".into(),
        ),
        // Swarm words its rollback reason only while the rollback runs, which a poll may miss;
        // the failed task's own log line (kept) is what says why.
        (
            r"swarm rolled the update back: [^\n]*".into(),
            "swarm rolled the update back: [reason]".into(),
        ),
        // Temp directories (tempfile's `.tmpXXXXXX`).
        (r"/tmp/\.tmp[A-Za-z0-9]+".into(), "[tmp]".into()),
        (r"/tmp/[A-Za-z0-9._-]+".into(), "[tmp]".into()),
        // The mTLS front listens on a random port.
        (r"127\.0\.0\.1:\d+".into(), "127.0.0.1:[port]".into()),
        // SHA-256 hex, then swarm IDs (25 lowercase alphanumerics) and container IDs.
        (r"\b[0-9a-f]{64}\b".into(), "[sha256]".into()),
        (r"\b[0-9a-z]{25}\b".into(), "[id]".into()),
        (r"\b[0-9a-f]{12}\b".into(), "[id]".into()),
        // The tool's own durations only ("done in 5.9 s", "failed after 2.0 s", "(1.2s)",
        // "(15 ms)"), never a config's values (`PollInterval = "3s"`), and JSON millis.
        (r"\b(in|after) \d+(\.\d+)? s\b".into(), "$1 [dur]".into()),
        (r"\(\d+(\.\d+)? ?m?s\)".into(), "([dur])".into()),
        (r#""millis": \d+"#.into(), r#""millis": 0"#.into()),
        // Epoch-second backup suffixes.
        (r"-\d{10}(-\d+)?\.toml".into(), "-[stamp].toml".into()),
    ];
    if !host.is_empty() {
        f.push((regex_escape(host), "[host]".into()));
    }
    f
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$#&-~".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

/// Settings that redact a live run's output; `host` is the node's hostname.
pub fn settings(host: &str) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    for (pattern, with) in filters(host) {
        s.add_filter(&pattern, with);
    }
    s.set_prepend_module_to_snapshot(true);
    s
}

/// The exit code, stdout and stderr of a run, as one text to snapshot.
pub fn run_text(out: &Output) -> String {
    format!(
        "exit: {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Snapshots a run's stdout (and exit code) under `name`, redacted.
#[macro_export]
macro_rules! snap_run {
    ($name:expr, $host:expr, $out:expr) => {{
        let out = &$out;
        let text = format!(
            "exit: {:?}\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout)
        );
        $crate::snap::settings($host).bind(|| insta::assert_snapshot!($name, text));
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redact(text: &str) -> String {
        let mut out = text.to_string();
        for (pattern, with) in filters("") {
            let re = regex_lite(&pattern);
            out = re.replace_all(&out, with.as_str()).into_owned();
        }
        out
    }

    fn regex_lite(pattern: &str) -> regex::Regex {
        regex::Regex::new(pattern).unwrap()
    }

    #[test]
    fn durations_of_the_tool_go_and_config_values_stay() {
        assert_eq!(
            redact("[2/9] update … done in 5.9 s: ok (1.2s) api (15 ms)"),
            "[2/9] update … done in [dur]: ok ([dur]) api ([dur])"
        );
        assert_eq!(
            redact("PollInterval = \"3s\"\nKeepaliveTimeout = \"75s\""),
            "PollInterval = \"3s\"\nKeepaliveTimeout = \"75s\""
        );
    }
}
