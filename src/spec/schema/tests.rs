use std::path::Path;

use serde_json::Value;

use super::*;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&schema()).expect("the schema is a valid JSON Schema")
}

/// The problems the schema finds in a TOML spec, converted to JSON as an editor does.
fn problems(text: &str) -> Vec<String> {
    let doc: Value = toml::from_str(text).expect("the spec is TOML");
    validator()
        .iter_errors(&doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn the_committed_schema_is_current() {
    let committed =
        std::fs::read_to_string(root().join("schema").join(FILE_NAME)).unwrap_or_default();
    assert!(
        committed == json(),
        "schema/{FILE_NAME} is out of date; regenerate it with\n    \
         cargo run -- schema > schema/{FILE_NAME}"
    );
}

#[test]
fn every_starter_and_good_fixture_spec_validates() {
    let mut files: Vec<String> = std::fs::read_dir(root().join("templates"))
        .expect("templates/")
        .map(|e| {
            format!(
                "templates/{}",
                e.expect("entry").file_name().to_string_lossy()
            )
        })
        .collect();
    files.sort();
    assert!(files.len() >= 2, "{files:?}");
    for spec in [
        "seed",
        "service-clusters-3.2",
        "clash-with-kept-template",
        "no-clusters",
    ] {
        files.push(format!("fixtures/specs/{spec}.toml"));
    }
    for f in files {
        assert_eq!(problems(&read(&f)), Vec::<String>::new(), "{f}");
    }
}

#[test]
fn the_bad_fixture_specs_are_flagged_where_the_parser_flags_them() {
    for (spec, at) in [
        ("unknown-key", "/clusters/dev"),
        ("port-out-of-range", "/clusters/dev/http_port"),
        ("bad-constraint", "/clusters/dev/proxy_constraints"),
    ] {
        let found = problems(&read(&format!("fixtures/specs/{spec}.toml")));
        assert!(found.iter().any(|p| p.starts_with(at)), "{spec}: {found:?}");
    }
}

#[test]
fn typos_and_per_cluster_fields_in_defaults_are_flagged() {
    assert_eq!(problems("[clusters.dev]\nhttp_port = 8080\n").len(), 0);
    assert_eq!(problems("[clusters.dev]\nhttp_prot = 8080\n").len(), 1);
    assert_eq!(problems("[defaults]\nnodes = [\"n1\"]\n").len(), 1);
    assert_eq!(problems("[defaults]\npublish_mode = \"hots\"\n").len(), 1);
    assert_eq!(problems("[defaults]\nproxy_replicas = -1\n").len(), 1);
    let edits = "[clusters.dev]\nconstraints = { add = [\"a==b\"], drop = [] }\n";
    assert_eq!(problems(edits).len(), 1);
    assert_eq!(
        problems("[clusters.dev.extension]\nProxyStopGracePeriod = \"10s\"\n").len(),
        0
    );
}

/// The rows of the README table that follows `heading`: (names in the first column, meaning).
fn readme_rows(readme: &str, heading: &str) -> Vec<(Vec<String>, String)> {
    let section = readme
        .split(heading)
        .nth(1)
        .expect("the heading is in the README");
    let mut rows = Vec::new();
    for line in section.lines().skip_while(|l| !l.starts_with('|')).skip(2) {
        let Some(row) = line.strip_prefix('|') else {
            break;
        };
        let cells: Vec<&str> = row
            .trim_end_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        let meaning = cells.last().expect("cells");
        let names = cells[0]
            .split(", ")
            .map(|n| {
                let n = n.trim_matches('`').trim_matches(['[', ']']);
                let last = n.split('.').rfind(|s| !s.starts_with('<')).unwrap_or(n);
                last.to_string()
            })
            .collect();
        rows.push((names, meaning.to_string()));
    }
    rows
}

/// (property, description) of a schema object, in order.
fn described(obj: &Value) -> Vec<(String, String)> {
    obj["properties"]
        .as_object()
        .expect("properties")
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v["description"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn expected(rows: Vec<(Vec<String>, String)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = rows
        .into_iter()
        .flat_map(|(names, m)| names.into_iter().map(move |n| (n, m.clone())))
        .collect();
    out.sort();
    out
}

#[test]
fn each_description_is_the_one_the_readme_gives() {
    let readme = read("README.md");
    let s = schema();
    let mut top = described(&s);
    top.sort();
    assert_eq!(top, expected(readme_rows(&readme, "### Top level")));
    let mut cluster = described(&s["properties"]["clusters"]["additionalProperties"]);
    cluster.sort();
    assert_eq!(
        cluster,
        expected(readme_rows(&readme, "### Per cluster")),
        "the README's table and the doc comments of src/spec/raw.rs say one thing"
    );
}

/// taplo reads the directive from the document's first lines; `init` writes the starters as
/// they are, and the schema beside them.
#[test]
fn every_starter_opens_with_the_directive() {
    assert_eq!(directive(), "#:schema ./interlock-split.schema.json");
    for entry in std::fs::read_dir(root().join("templates")).expect("templates/") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("a starter");
        assert_eq!(
            text.lines().next(),
            Some(directive().as_str()),
            "{}",
            path.display()
        );
    }
}
