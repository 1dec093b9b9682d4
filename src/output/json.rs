//! JSON output: every command's document is one envelope, whatever happened — the format, the
//! tool, the command, its exit code, on failure an error with a stable code, and the command's
//! result (the same models the human output renders).

use serde::Serialize;

use crate::finding::Finding;

/// The envelope's version, bumped when it or any command's result changes incompatibly.
/// 3: the envelope (before it, each command's document had a version of its own).
pub const FORMAT_VERSION: u32 = 3;

/// Why the command failed, for scripts: `code` is stable.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorDoc {
    pub code: &'static str,
    /// Within `code`, what exactly failed, where the tool knows (`transport`: `refused`,
    /// `timed-out`, `dropped`, …; `api`: `not-found`, `out-of-sequence`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    pub message: String,
    pub hints: Vec<String>,
    /// The located problems behind the error (spec or plan errors, say).
    pub findings: Vec<Finding>,
}

#[derive(Serialize)]
struct Envelope<'a, T: Serialize> {
    format_version: u32,
    tool_version: &'static str,
    command: &'a str,
    exit_code: u8,
    error: Option<&'a ErrorDoc>,
    /// The command's product; `null` when it failed before it had one.
    result: Option<&'a T>,
}

/// The document of `command`, ended by a newline.
pub fn envelope<T: Serialize>(
    command: &str,
    exit_code: u8,
    error: Option<&ErrorDoc>,
    result: Option<&T>,
) -> String {
    document(&Envelope {
        format_version: FORMAT_VERSION,
        tool_version: env!("CARGO_PKG_VERSION"),
        command,
        exit_code,
        error,
        result,
    })
}

pub fn document<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("the models always serialize");
    s.push('\n');
    s
}
