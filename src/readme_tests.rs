//! The README's tables of finding codes (every table headed `| code | severity | what |`) list
//! exactly the codes the program can emit, each with the severity it has.

use std::collections::BTreeSet;

use crate::finding::Code;

fn readme() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The codes of every finding-code table.
fn documented(readme: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_table = false;
    for line in readme.lines() {
        if line.trim() == "| code | severity | what |" {
            in_table = true;
            continue;
        }
        if !line.starts_with('|') {
            in_table = false;
            continue;
        }
        if in_table && let Some(code) = line.strip_prefix("| `") {
            out.extend(code.split('`').next().map(str::to_string));
        }
    }
    out
}

#[test]
fn the_readme_documents_every_finding_code_and_no_other() {
    let documented = documented(&readme());
    let listed: BTreeSet<&str> = documented.iter().map(String::as_str).collect();
    let emitted: BTreeSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    let missing: Vec<_> = emitted.difference(&listed).collect();
    let unknown: Vec<_> = listed.difference(&emitted).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "not in the README's code tables: {missing:?}; in them but never emitted: {unknown:?}"
    );
}
