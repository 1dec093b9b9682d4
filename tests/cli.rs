//! Snapshot tests of the real binary: what an operator sees on stdout and stderr, and the exit
//! code, for every command.
//!
//! The binary runs from the repository root (or from a temporary directory holding copies of
//! its inputs) with relative paths only, so the snapshots hold no machine-specific path. The
//! environment is scrubbed of everything that changes the output (colour, terminal width, the
//! spec's environment variable); colour is off unless colour is what a test is about.
//!
//! Update the snapshots with `INSTA_UPDATE=always cargo test --test it cli::`, then read every
//! changed `.snap` file under tests/snapshots/ before committing it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use insta_cmd::{assert_cmd_snapshot, get_cargo_bin};

/// UCP 3.1's default config, as `docker config inspect` returns it.
const CURRENT: &str = "fixtures/ucp-3.1-default.toml";
/// The dev/test/prod starter that `init` writes.
const SPEC: &str = "templates/environments.toml";

/// Variables that would change what the binary prints.
const SCRUBBED_ENV: &[&str] = &[
    "NO_COLOR",
    "CLICOLOR",
    "CLICOLOR_FORCE",
    "COLUMNS",
    "LINES",
    "TERM",
    "INTERLOCK_SPLIT_SPEC",
];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn bin() -> PathBuf {
    get_cargo_bin("interlock-split")
}

/// The binary, run in `dir`, with a scrubbed environment.
fn cli_in(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(bin());
    cmd.current_dir(dir).args(args);
    for var in SCRUBBED_ENV {
        cmd.env_remove(var);
    }
    cmd
}

/// The binary, run from the repository root.
fn cli(args: &[&str]) -> Command {
    cli_in(repo(), args)
}

/// The `result` of a JSON envelope, after checking the envelope itself.
fn result(stdout: &str, command: &str) -> serde_json::Value {
    let doc: serde_json::Value = serde_json::from_str(stdout).expect("stdout is one JSON document");
    assert_eq!(doc["format_version"], 3, "{doc}");
    assert_eq!(doc["tool_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(doc["command"], command, "{doc}");
    doc["result"].clone()
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("the binary runs");
    Run {
        code: out
            .status
            .code()
            .expect("the binary exits, it is not killed"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// Snapshots `cmd` (stdout, stderr, exit code), then runs it again for further assertions;
/// only for commands that change nothing on disk.
fn snap(name: &str, mut cmd: Command) -> Run {
    assert_cmd_snapshot!(name, cmd);
    run(&mut cmd)
}

fn read(rel: &str) -> String {
    fs::read_to_string(repo().join(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
}

/// The `.toml` files directly in `dir` (relative to the repository root), sorted.
fn tomls(dir: &str) -> Vec<String> {
    let mut out: Vec<String> = fs::read_dir(repo().join(dir))
        .unwrap_or_else(|e| panic!("listing {dir}: {e}"))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            format!(
                "{dir}/{}",
                p.file_name().expect("file name").to_string_lossy()
            )
        })
        .collect();
    out.sort();
    out
}

fn stem(path: &str) -> &str {
    Path::new(path)
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("a file name")
}

fn has_ansi(s: &str) -> bool {
    s.contains('\x1b')
}

/// A temporary directory holding copies of repository files under the given names.
fn workdir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (from, to) in files {
        fs::copy(repo().join(from), dir.path().join(to))
            .unwrap_or_else(|e| panic!("copying {from}: {e}"));
    }
    dir
}

// ---------------------------------------------------------------------------------------------
// plan

/// MKE 3.5+ runs a config service per extension: the split names one per cluster and retires
/// the default's.
#[test]
fn plan_mke_config_services() {
    let r = snap(
        "plan_mke_3_5",
        cli(&[
            "plan",
            "--color",
            "never",
            "--current",
            "fixtures/mke-3.5-default.toml",
            "--spec",
            SPEC,
        ]),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    for cluster in ["dev", "test", "prod"] {
        assert!(
            r.stdout.contains(&format!(
                "+    ConfigServiceName = \"ucp-interlock-config-{cluster}\""
            )),
            "{cluster}"
        );
    }
    assert!(r.stdout.contains("ucp-interlock-config"), "{}", r.stdout);
    let json = run(&mut cli(&[
        "plan",
        "--output",
        "json",
        "--current",
        "fixtures/mke-3.5-default.toml",
        "--spec",
        SPEC,
    ]));
    let doc = result(&json.stdout, "plan");
    let configs: Vec<&str> = doc["clusters"]
        .as_array()
        .expect("clusters")
        .iter()
        .map(|c| c["services"]["config"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        configs,
        [
            "ucp-interlock-config-dev",
            "ucp-interlock-config-test",
            "ucp-interlock-config-prod"
        ]
    );
    let stale: Vec<(&str, &str)> = doc["stale_services"]
        .as_array()
        .expect("stale services")
        .iter()
        .map(|s| {
            (
                s["service"].as_str().unwrap_or(""),
                s["role"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(
        stale.contains(&("ucp-interlock-config", "config")),
        "{stale:?}"
    );
    assert!(
        doc["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .any(|a| a["kind"] == "remove-stale-service" && a["service"] == "ucp-interlock-config"),
        "{}",
        json.stdout
    );
}

#[test]
fn plan_human() {
    let r = snap(
        "plan_human",
        cli(&[
            "plan",
            "--color",
            "never",
            "--current",
            CURRENT,
            "--spec",
            SPEC,
        ]),
    );
    assert_eq!(r.code, 0, "changes without --detailed-exitcode exit 0");
    assert!(
        r.stdout
            .contains("Summary: 3 to create, 0 to update, 0 unchanged")
    );
    assert!(
        r.stderr.is_empty(),
        "plan prints nothing on stderr: {}",
        r.stderr
    );
}

#[test]
fn plan_json() {
    let r = snap(
        "plan_json",
        cli(&[
            "plan",
            "--color",
            "never",
            "--current",
            CURRENT,
            "--spec",
            SPEC,
            "--output",
            "json",
        ]),
    );
    assert_eq!(r.code, 0);
    let envelope: serde_json::Value =
        serde_json::from_str(&r.stdout).expect("stdout is one JSON document");
    assert_eq!(envelope["exit_code"], 0);
    assert_eq!(envelope["error"], serde_json::Value::Null);
    let doc = result(&r.stdout, "plan");
    assert_eq!(doc["changed"], true);
    assert_eq!(doc["summary"]["create"], 3);
    assert_eq!(doc["removed_extensions"][0], "default");
    let clusters: Vec<&str> = doc["clusters"]
        .as_array()
        .expect("clusters")
        .iter()
        .map(|c| c["name"].as_str().expect("cluster name"))
        .collect();
    assert_eq!(clusters, ["dev", "test", "prod"]);
    assert!(!has_ansi(&r.stdout));
}

#[test]
fn plan_detailed_exitcode_is_2_on_changes() {
    let plain = run(&mut cli(&[
        "plan",
        "--color",
        "never",
        "--current",
        CURRENT,
        "--spec",
        SPEC,
    ]));
    let detailed = run(&mut cli(&[
        "plan",
        "--color",
        "never",
        "--current",
        CURRENT,
        "--spec",
        SPEC,
        "--detailed-exitcode",
    ]));
    assert_eq!(detailed.code, 2);
    assert_eq!(
        detailed.stdout, plain.stdout,
        "--detailed-exitcode changes the exit code only"
    );
    assert!(detailed.stderr.is_empty(), "{}", detailed.stderr);

    let json = run(&mut cli(&[
        "plan",
        "--current",
        CURRENT,
        "--spec",
        SPEC,
        "--output",
        "json",
        "--detailed-exitcode",
    ]));
    assert_eq!(json.code, 2);
}

/// Rendering, then planning again from the rendered config with the same spec, changes nothing.
#[test]
fn plan_of_rendered_config_has_no_changes() {
    let dir = workdir(&[(SPEC, "spec.toml"), (CURRENT, "original.toml")]);
    let render = run(&mut cli_in(
        dir.path(),
        &[
            "render",
            "--color",
            "never",
            "--current",
            "original.toml",
            "--spec",
            "spec.toml",
        ],
    ));
    assert_eq!(render.code, 0, "{}", render.stderr);
    fs::write(dir.path().join("rendered.toml"), &render.stdout).expect("writing rendered.toml");

    let r = snap(
        "plan_no_changes",
        cli_in(
            dir.path(),
            &[
                "plan",
                "--color",
                "never",
                "--current",
                "rendered.toml",
                "--spec",
                "spec.toml",
            ],
        ),
    );
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("No changes."), "{}", r.stdout);
    assert!(!r.stdout.contains("Actions"), "{}", r.stdout);

    let detailed = run(&mut cli_in(
        dir.path(),
        &[
            "plan",
            "--current",
            "rendered.toml",
            "--spec",
            "spec.toml",
            "--detailed-exitcode",
        ],
    ));
    assert_eq!(
        detailed.code, 0,
        "no changes exits 0 even with --detailed-exitcode"
    );

    let json = run(&mut cli_in(
        dir.path(),
        &[
            "plan",
            "--current",
            "rendered.toml",
            "--spec",
            "spec.toml",
            "--output",
            "json",
        ],
    ));
    let doc = result(&json.stdout, "plan");
    assert_eq!(doc["changed"], false);
    assert_eq!(doc["actions"], serde_json::json!([]));
    assert_eq!(doc["diff"], "");
}

/// The part of a human plan from `Actions` to the blank line after them.
fn actions_section(plan: &str) -> String {
    let start = plan
        .find("Actions, in the order")
        .expect("an Actions section");
    let rest = &plan[start..];
    let end = rest.find("\n\n").map_or(rest.len(), |i| i + 1);
    rest[..end].to_string()
}

/// A proxy whose section changes in a way Interlock does not apply to it: the action carries
/// the spec apply sets and the typed difference.
#[test]
fn plan_reconciles_a_changed_proxy_with_its_spec() {
    let dir = workdir(&[(SPEC, "spec.toml")]);
    let rendered = run(&mut cli(&["render", "--current", CURRENT, "--spec", SPEC]));
    assert_eq!(rendered.code, 0, "{}", rendered.stderr);
    fs::write(dir.path().join("split.toml"), &rendered.stdout).expect("writing the split");
    let spec = read(SPEC).replacen(
        "http_port = 8082",
        "http_port = 8092\nproxy_replicas = 2",
        1,
    );
    fs::write(dir.path().join("spec.toml"), spec).expect("writing the spec");
    let args = [
        "plan",
        "--color",
        "never",
        "--current",
        "split.toml",
        "--spec",
        "spec.toml",
    ];
    let human = run(&mut cli_in(dir.path(), &args));
    assert_eq!(human.code, 0, "{}", human.stderr);
    insta::assert_snapshot!("plan_reconcile_actions", actions_section(&human.stdout));
    let json = run(&mut cli_in(
        dir.path(),
        &[&args[..], &["--output", "json"]].concat(),
    ));
    let doc = result(&json.stdout, "plan");
    let reconcile: Vec<&serde_json::Value> = doc["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .filter(|a| a["kind"] == "reconcile-proxy")
        .collect();
    let pretty = serde_json::to_string_pretty(&reconcile).expect("JSON");
    insta::assert_snapshot!("plan_reconcile_json", pretty);
}

#[test]
fn plan_config_name_names_the_next_version() {
    let r = run(&mut cli(&[
        "plan",
        "--color",
        "never",
        "--current",
        CURRENT,
        "--spec",
        SPEC,
        "--config-name",
        "com.docker.ucp.interlock.conf-1",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("plan_config_name_actions", actions_section(&r.stdout));
    assert!(r.stdout.contains(
        "create config com.docker.ucp.interlock.conf-2 (next version after com.docker.ucp.interlock.conf-1)"
    ));
    assert!(r.stdout.contains(
        "/config.toml from com.docker.ucp.interlock.conf-1 to com.docker.ucp.interlock.conf-2"
    ));

    let json = run(&mut cli(&[
        "plan",
        "--current",
        CURRENT,
        "--spec",
        SPEC,
        "--config-name",
        "com.docker.ucp.interlock.conf-1",
        "--output",
        "json",
    ]));
    let doc = result(&json.stdout, "plan");
    assert_eq!(
        doc["current"]["config_name"],
        "com.docker.ucp.interlock.conf-1"
    );
    assert_eq!(doc["actions"][0]["kind"], "create-config");
    assert_eq!(doc["actions"][0]["name"], "com.docker.ucp.interlock.conf-2");
    assert_eq!(doc["actions"][1]["from"], "com.docker.ucp.interlock.conf-1");
    assert_eq!(doc["actions"][1]["to"], "com.docker.ucp.interlock.conf-2");
}

/// The names the seed's `cut -d '-' -f 2` gets wrong (see the domain README's traps).
#[test]
fn plan_config_name_survives_the_seed_name_traps() {
    for (current, next) in [
        (
            "com.docker.ucp.interlock.service-clusters.conf-1",
            "com.docker.ucp.interlock.service-clusters.conf-2",
        ),
        (
            "com.docker.ucp.interlock.conf-9",
            "com.docker.ucp.interlock.conf-10",
        ),
    ] {
        let r = run(&mut cli(&[
            "plan",
            "--current",
            CURRENT,
            "--spec",
            SPEC,
            "--config-name",
            current,
            "--output",
            "json",
        ]));
        let doc = result(&r.stdout, "plan");
        assert_eq!(doc["actions"][0]["name"], next, "after {current}");
    }
}

#[test]
fn plan_without_a_spec_file_says_how_to_make_one() {
    let r = snap(
        "plan_missing_spec",
        cli(&[
            "plan",
            "--color",
            "never",
            "--current",
            CURRENT,
            "--spec",
            "no-such-spec.toml",
        ]),
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("interlock-split init"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn plan_from_the_seed_spec_renders_what_the_starter_renders() {
    let from_seed = run(&mut cli(&[
        "render",
        "--current",
        CURRENT,
        "--spec",
        "fixtures/specs/seed.toml",
    ]));
    let from_starter = run(&mut cli(&["render", "--current", CURRENT, "--spec", SPEC]));
    assert_eq!(from_seed.code, 0, "{}", from_seed.stderr);
    assert_eq!(from_seed.stdout, from_starter.stdout);
}

// ---------------------------------------------------------------------------------------------
// render

#[test]
fn render_prints_the_toml_and_warns_on_stderr() {
    let r = snap(
        "render",
        cli(&[
            "render",
            "--color",
            "never",
            "--current",
            CURRENT,
            "--spec",
            SPEC,
        ]),
    );
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("ListenAddr = "), "stdout is the TOML");
    assert!(!r.stdout.contains("warning"), "warnings stay off stdout");
    assert!(
        r.stderr.contains("warning[stale-port-holder]"),
        "{}",
        r.stderr
    );
    let parsed: toml::Table = toml::from_str(&r.stdout).expect("the rendered config is TOML");
    let extensions: Vec<&String> = parsed["Extensions"]
        .as_table()
        .expect("Extensions")
        .keys()
        .collect();
    assert_eq!(extensions, ["dev", "test", "prod"]);

    let quiet = run(&mut cli(&[
        "render",
        "--quiet",
        "--current",
        CURRENT,
        "--spec",
        SPEC,
    ]));
    assert_eq!(quiet.stdout, r.stdout);
    assert!(
        quiet.stderr.is_empty(),
        "--quiet silences the warnings: {}",
        quiet.stderr
    );
}

/// A config that already is what the spec describes comes back byte for byte.
#[test]
fn render_of_an_already_split_config_is_the_identity() {
    const SPLIT: &str = "fixtures/ucp-3.2-service-clusters.toml";
    let r = snap(
        "render_already_split",
        cli(&[
            "render",
            "--color",
            "never",
            "--current",
            SPLIT,
            "--spec",
            "fixtures/specs/service-clusters-3.2.toml",
        ]),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        read(SPLIT),
        "render changed an already split config"
    );

    let plan = run(&mut cli(&[
        "plan",
        "--color",
        "never",
        "--current",
        SPLIT,
        "--spec",
        "fixtures/specs/service-clusters-3.2.toml",
        "--detailed-exitcode",
    ]));
    assert_eq!(plan.code, 0, "{}", plan.stdout);
    assert!(plan.stdout.contains("No changes."), "{}", plan.stdout);
}

/// Keeping the template beside a new cluster on the template's own ingress ports.
const CLASH_SPEC: &str = "fixtures/specs/clash-with-kept-template.toml";

#[test]
fn plan_with_errors_exits_1() {
    let r = snap(
        "plan_with_errors",
        cli(&[
            "plan",
            "--color",
            "never",
            "--current",
            CURRENT,
            "--spec",
            CLASH_SPEC,
        ]),
    );
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("error[port-conflict]"), "{}", r.stdout);
    assert_eq!(
        r.stderr,
        "error: the plan has 2 errors: apply would refuse it\n"
    );
    let detailed = run(&mut cli(&[
        "plan",
        "--current",
        CURRENT,
        "--spec",
        CLASH_SPEC,
        "--detailed-exitcode",
    ]));
    assert_eq!(detailed.code, 1, "errors win over changes");
}

#[test]
fn render_refuses_a_config_with_errors() {
    let r = snap(
        "render_refuses_errors",
        cli(&[
            "render",
            "--color",
            "never",
            "--current",
            CURRENT,
            "--spec",
            CLASH_SPEC,
        ]),
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.is_empty(),
        "nothing to pipe into docker config create"
    );
    assert!(
        r.stderr
            .contains("--> fixtures/specs/clash-with-kept-template.toml:10:1")
    );
}

// ---------------------------------------------------------------------------------------------
// validate

#[test]
fn validate_every_fixture() {
    let fixtures = tomls("fixtures");
    assert!(fixtures.len() >= 4, "{fixtures:?}");
    for f in &fixtures {
        let r = snap(
            &format!("validate_{}", stem(f)),
            cli(&["validate", "--color", "never", f]),
        );
        assert_eq!(r.code, 0, "{f} is a working config: {}", r.stdout);
        assert!(r.stdout.contains(&format!("{f}: valid")), "{}", r.stdout);
    }
}

#[test]
fn validate_every_broken_fixture() {
    let broken = tomls("fixtures/broken");
    let names: Vec<&str> = broken.iter().map(|f| stem(f)).collect();
    assert_eq!(
        names,
        [
            "ingress-port-clash",
            "missing-proxy-replicas",
            "seed-single-equals",
            "syntax-error",
            "ucp-port"
        ],
        "a new broken fixture needs its expectation below"
    );
    for f in &broken {
        let r = snap(
            &format!("validate_broken_{}", stem(f)),
            cli(&["validate", "--color", "never", f]),
        );
        assert_eq!(r.code, 1, "{f} is broken: {}", r.stdout);
        assert!(r.stdout.contains(&format!("{f}: invalid")), "{}", r.stdout);
        let expected: &[&str] = match stem(f) {
            "syntax-error" => &[
                "error[toml-syntax]",
                "--> fixtures/broken/syntax-error.toml:11:5",
            ],
            "seed-single-equals" => &[
                "error[invalid-constraint]: Extensions.dev.Constraints[0]",
                "error[invalid-constraint]: Extensions.dev.ProxyConstraints[0]",
                "--> fixtures/broken/seed-single-equals.toml:23:20",
                "--> fixtures/broken/seed-single-equals.toml:24:25",
                "= hint: write it as \"node.labels.com.docker.interlock.service.cluster==dev\"",
            ],
            "missing-proxy-replicas" => &[
                "error[missing-proxy-replicas]: Extensions.dev.ProxyReplicas",
                "--> fixtures/broken/missing-proxy-replicas.toml:7:",
            ],
            "ingress-port-clash" => &[
                "error[port-conflict]: Extensions.test.PublishedPort",
                "error[port-conflict]: Extensions.test.PublishedSSLPort",
                "--> fixtures/broken/ingress-port-clash.toml:30:5",
            ],
            "ucp-port" => &[
                "error[port-reserved]: Extensions.default.PublishedSSLPort: PublishedSSLPort 12380",
                "--> fixtures/broken/ucp-port.toml:17:5",
            ],
            other => panic!("no expectation for fixtures/broken/{other}.toml"),
        };
        for e in expected {
            assert!(r.stdout.contains(e), "{f}: expected {e:?} in\n{}", r.stdout);
        }
    }
}

#[test]
fn validate_json() {
    let r = snap(
        "validate_json_seed_single_equals",
        cli(&[
            "validate",
            "--output",
            "json",
            "fixtures/broken/seed-single-equals.toml",
        ]),
    );
    assert_eq!(r.code, 1);
    let envelope: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(envelope["exit_code"], 1);
    assert_eq!(envelope["error"]["code"], "config-invalid");
    let doc = result(&r.stdout, "validate");
    assert_eq!(doc["valid"], false);
    assert_eq!(doc["errors"], 2);
    assert_eq!(doc["findings"][0]["code"], "invalid-constraint");
    assert_eq!(doc["findings"][0]["location"]["line"], 23);
    assert_eq!(doc["findings"][0]["location"]["column"], 20);
}

#[test]
fn validate_a_missing_file() {
    let r = snap(
        "validate_missing_file",
        cli(&["validate", "--color", "never", "no-such-config.toml"]),
    );
    assert_eq!(r.code, 1);
    // The envelope of a command that failed before it had a product.
    let r = snap(
        "validate_missing_file_json",
        cli(&["validate", "--output", "json", "no-such-config.toml"]),
    );
    assert_eq!(r.code, 1);
}

// ---------------------------------------------------------------------------------------------
// spec errors

#[test]
fn bad_specs_are_refused_with_their_location() {
    for (spec, location) in [
        ("unknown-key", Some("fixtures/specs/unknown-key.toml:8:1")),
        (
            "port-out-of-range",
            Some("fixtures/specs/port-out-of-range.toml:8:1"),
        ),
        (
            "bad-constraint",
            Some("fixtures/specs/bad-constraint.toml:10:22"),
        ),
        // The spec has no `clusters` key at all, so there is no line to point at: the error
        // names the file and says what to add.
        ("no-clusters", None),
    ] {
        let path = format!("fixtures/specs/{spec}.toml");
        let r = snap(
            &format!("spec_{spec}"),
            cli(&[
                "plan",
                "--color",
                "never",
                "--current",
                CURRENT,
                "--spec",
                &path,
            ]),
        );
        assert_eq!(r.code, 1, "{spec}");
        assert!(r.stdout.is_empty(), "{spec}: nothing is planned");
        assert!(
            r.stderr.contains(&format!(
                "error: the spec `{path}` has 1 problem; nothing was planned"
            )),
            "{spec}: {}",
            r.stderr
        );
        if let Some(loc) = location {
            assert!(
                r.stderr.contains(&format!("--> {loc}\n")),
                "{spec}: {}",
                r.stderr
            );
        }
    }
}

#[test]
fn bad_spec_constraint_hint_has_the_fix() {
    let r = run(&mut cli(&[
        "render",
        "--color",
        "never",
        "--current",
        CURRENT,
        "--spec",
        "fixtures/specs/bad-constraint.toml",
    ]));
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.contains(
            "= hint: write it as \"node.labels.com.docker.interlock.service.cluster==dev\""
        ),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// init

#[test]
fn init_list() {
    let r = snap("init_list", cli(&["init", "--list"]));
    assert_eq!(r.code, 0);
}

#[test]
fn init_writes_a_spec_that_plan_reads() {
    let dir = workdir(&[(CURRENT, "config.orig.toml")]);
    // Run once only: a second `init` would (rightly) refuse to overwrite.
    let mut init = cli_in(dir.path(), &["init", "--color", "never"]);
    assert_cmd_snapshot!("init", init);
    assert_eq!(
        fs::read_to_string(dir.path().join("interlock-split.toml")).expect("the spec is written"),
        read(SPEC)
    );
    // The schema its `#:schema` directive names is beside it, so that editors complete it.
    assert!(read(SPEC).starts_with("#:schema ./interlock-split.schema.json\n"));
    assert_eq!(
        fs::read_to_string(dir.path().join("interlock-split.schema.json"))
            .expect("the schema is written"),
        read("schema/interlock-split.schema.json")
    );

    // `plan` finds interlock-split.toml without --spec, and plans what the starter plans.
    let plan = run(&mut cli_in(
        dir.path(),
        &["plan", "--color", "never", "--current", "config.orig.toml"],
    ));
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let reference = run(&mut cli(&[
        "plan",
        "--color",
        "never",
        "--current",
        CURRENT,
        "--spec",
        SPEC,
    ]));
    assert_eq!(
        plan.stdout,
        reference
            .stdout
            .replace(CURRENT, "config.orig.toml")
            .replace(SPEC, "interlock-split.toml")
    );
}

#[test]
fn init_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let spec = dir.path().join("interlock-split.toml");
    fs::write(&spec, "# mine, edited by hand\n").expect("writing the spec");
    let r = snap(
        "init_refuses_overwrite",
        cli_in(dir.path(), &["init", "--color", "never"]),
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        fs::read_to_string(&spec).expect("the spec is still there"),
        "# mine, edited by hand\n"
    );

    let forced = run(&mut cli_in(
        dir.path(),
        &["init", "--force", "--template", "regions"],
    ));
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert_eq!(
        fs::read_to_string(&spec).expect("the spec"),
        read("templates/regions.toml")
    );
}

#[test]
fn schema_prints_the_committed_schema() {
    let r = run(&mut cli(&["schema"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        read("schema/interlock-split.schema.json"),
        "regenerate it with: cargo run -- schema > schema/interlock-split.schema.json"
    );
}

#[test]
fn init_unknown_template_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let r = snap(
        "init_unknown_template",
        cli_in(
            dir.path(),
            &["init", "--color", "never", "--template", "nope"],
        ),
    );
    assert_eq!(r.code, 64);
    assert!(
        fs::read_dir(dir.path()).expect("list").next().is_none(),
        "nothing is written"
    );
}

#[test]
fn init_to_stdout() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let r = run(&mut cli_in(dir.path(), &["init", "-"]));
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout, read(SPEC));
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    assert!(
        fs::read_dir(dir.path()).expect("list").next().is_none(),
        "`init -` writes no file"
    );

    let regions = run(&mut cli_in(
        dir.path(),
        &["init", "--template", "regions", "-"],
    ));
    assert_eq!(regions.stdout, read("templates/regions.toml"));
}

// ---------------------------------------------------------------------------------------------
// the command line

#[test]
fn unknown_flag_is_a_usage_error() {
    let r = snap("usage_unknown_flag", cli(&["plan", "--bogus"]));
    assert_eq!(r.code, 64);
}

#[test]
fn render_without_current_is_a_usage_error() {
    let r = snap("usage_missing_current", cli(&["render", "--spec", SPEC]));
    assert_eq!(r.code, 64);
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let r = run(&mut cli(&["completions", "nope"]));
    assert_eq!(r.code, 64);
}

#[test]
fn help_lists_the_exit_codes() {
    let r = snap("help", cli(&["--help"]));
    assert_eq!(r.code, 0);
    for line in [
        "Exit codes:",
        "  0   success",
        "  1   error",
        "  2   the plan has changes (only with --detailed-exitcode)",
        "  64  usage error",
    ] {
        assert!(r.stdout.contains(line), "{line:?} missing from --help");
    }
    for cmd in ["plan", "render", "validate"] {
        let sub = run(&mut cli(&[cmd, "--help"]));
        assert_eq!(sub.code, 0);
        assert!(sub.stdout.contains("64  usage error"), "{cmd} --help");
    }
    let plan = snap("help_plan", cli(&["plan", "--help"]));
    assert_eq!(plan.code, 0);
}

#[test]
fn version() {
    let r = snap("version", cli(&["--version"]));
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout,
        format!("interlock-split {}\n", env!("CARGO_PKG_VERSION"))
    );
}

// ---------------------------------------------------------------------------------------------
// colour

const PLAN: &[&str] = &["plan", "--current", CURRENT, "--spec", SPEC];

#[test]
fn color_always_paints_the_diff() {
    let r = run(&mut cli(&[PLAN, &["--color", "always"]].concat()));
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("\x1b[32m+  [Extensions.dev]\x1b[0m\n"),
        "added lines are green"
    );
    assert!(
        r.stdout
            .contains("\x1b[31m-  [Extensions.default]\x1b[0m\n"),
        "removed lines are red"
    );
    assert!(
        r.stdout.contains("\x1b[36m@@ -4,32 +4,149 @@\x1b[0m\n"),
        "hunks are cyan"
    );
    assert!(
        r.stdout
            .contains("\x1b[1m--- a/fixtures/ucp-3.1-default.toml\x1b[0m\n")
    );

    // Without colour, the same text.
    let plain = run(&mut cli(&[PLAN, &["--color", "never"]].concat()));
    assert_eq!(strip_ansi(&r.stdout), plain.stdout);

    // Diagnostics on stderr are painted too.
    let render = run(&mut cli(&[
        "render",
        "--color",
        "always",
        "--current",
        CURRENT,
        "--spec",
        SPEC,
    ]));
    assert!(
        render.stderr.contains("\x1b[1;33mwarning\x1b[0m"),
        "{}",
        render.stderr
    );
    assert!(
        !has_ansi(&render.stdout),
        "the rendered TOML is never painted"
    );
}

#[test]
fn color_auto_is_off_without_a_terminal() {
    let r = run(&mut cli(PLAN));
    assert!(!has_ansi(&r.stdout), "default is auto");
    let r = run(&mut cli(&[PLAN, &["--color", "auto"]].concat()));
    assert!(!has_ansi(&r.stdout));
    let r = run(&mut cli(&[
        "render",
        "--color",
        "auto",
        "--current",
        CURRENT,
        "--spec",
        SPEC,
    ]));
    assert!(!has_ansi(&r.stderr), "{}", r.stderr);
}

#[test]
fn no_color_is_respected_and_color_always_overrides_it() {
    let r = run(cli(PLAN).env("NO_COLOR", "1"));
    assert!(!has_ansi(&r.stdout));
    let r = run(cli(&[PLAN, &["--color", "always"]].concat()).env("NO_COLOR", "1"));
    assert!(
        has_ansi(&r.stdout),
        "--color always is an explicit request and wins over NO_COLOR"
    );
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Runs the binary on a pseudo-terminal (util-linux `script`), so that `--color auto` sees a
/// terminal; returns what the terminal received.
#[cfg(target_os = "linux")]
fn on_terminal(args: &[&str], env: &[(&str, &str)]) -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let line: Vec<String> = std::iter::once(bin().to_string_lossy().into_owned())
        .chain(args.iter().map(|a| a.to_string()))
        .map(|a| quote(&a))
        .collect();
    let mut cmd = Command::new("script");
    cmd.current_dir(repo())
        .args(["-q", "-e", "-c", &line.join(" "), "/dev/null"]);
    for var in SCRUBBED_ENV {
        cmd.env_remove(var);
    }
    cmd.env("TERM", "xterm");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .expect("util-linux `script` runs (it provides the pseudo-terminal for this test)");
    assert!(
        out.status.success(),
        "script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[cfg(target_os = "linux")]
#[test]
fn color_auto_on_a_terminal_unless_no_color() {
    let tty = on_terminal(PLAN, &[]);
    assert!(tty.contains("Plan:"), "{tty}");
    assert!(has_ansi(&tty), "auto colours a terminal");

    let no_color = on_terminal(PLAN, &[("NO_COLOR", "1")]);
    assert!(no_color.contains("Plan:"), "{no_color}");
    assert!(!has_ansi(&no_color), "NO_COLOR turns auto off");

    let empty = on_terminal(PLAN, &[("NO_COLOR", "")]);
    assert!(has_ansi(&empty), "an empty NO_COLOR does not count");

    let dumb = on_terminal(PLAN, &[("TERM", "dumb")]);
    assert!(!has_ansi(&dumb), "TERM=dumb turns auto off");

    let never = on_terminal(&[PLAN, &["--color", "never"]].concat(), &[]);
    assert!(!has_ansi(&never), "--color never on a terminal");
}

// ---------------------------------------------------------------------------------------------
// secrets

const SECRET_CONFIG: &str = "fixtures/ucp-3.1-admin-pass.toml";

#[test]
fn secrets_are_masked_in_plans_but_rendered_in_the_artifact() {
    assert!(read(SECRET_CONFIG).contains("AdminPass = \"hunter2\""));

    let human = snap(
        "plan_secret_masked",
        cli(&[
            "plan",
            "--color",
            "never",
            "--current",
            SECRET_CONFIG,
            "--spec",
            SPEC,
        ]),
    );
    assert_eq!(human.code, 0);
    assert!(!human.stdout.contains("hunter2") && !human.stderr.contains("hunter2"));
    assert!(human.stdout.contains("+      AdminPass = \"********\""));
    assert!(
        human.stdout.contains("+      AdminUser = \"admin\""),
        "only secrets are masked"
    );

    let json = run(&mut cli(&[
        "plan",
        "--current",
        SECRET_CONFIG,
        "--spec",
        SPEC,
        "--output",
        "json",
    ]));
    assert_eq!(json.code, 0);
    assert!(!json.stdout.contains("hunter2") && !json.stderr.contains("hunter2"));
    assert!(json.stdout.contains(r#"AdminPass = \"********\""#));

    let coloured = run(&mut cli(&[
        "plan",
        "--color",
        "always",
        "--current",
        SECRET_CONFIG,
        "--spec",
        SPEC,
    ]));
    assert!(!coloured.stdout.contains("hunter2"));

    let validate = run(&mut cli(&["validate", "--output", "json", SECRET_CONFIG]));
    assert!(!validate.stdout.contains("hunter2"));

    let render = run(&mut cli(&[
        "render",
        "--current",
        SECRET_CONFIG,
        "--spec",
        SPEC,
    ]));
    assert_eq!(render.code, 0);
    assert_eq!(
        render.stdout.matches("AdminPass = \"hunter2\"").count(),
        3,
        "the artifact carries the secret, once per cluster"
    );
    assert!(!render.stderr.contains("hunter2"));
}

/// A secret that arrives through the spec's escape hatch is masked the same way.
#[test]
fn secrets_from_the_spec_are_masked() {
    let dir = workdir(&[(CURRENT, "config.toml")]);
    fs::write(
        dir.path().join("spec.toml"),
        "[defaults]\nproxy_replicas = 1\n[defaults.config]\nAdminPass = \"s3cr3t\"\n\n\
         [clusters.dev]\nhttp_port = 8082\nhttps_port = 8445\n",
    )
    .expect("writing the spec");
    for output in ["human", "json"] {
        let r = run(&mut cli_in(
            dir.path(),
            &[
                "plan",
                "--color",
                "never",
                "--current",
                "config.toml",
                "--spec",
                "spec.toml",
                "--output",
                output,
            ],
        ));
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(!r.stdout.contains("s3cr3t"), "{output}: {}", r.stdout);
        assert!(r.stdout.contains("AdminPass = "), "{output}");
    }
}

// ---------------------------------------------------------------------------------------------
// local inputs before the network

/// A `--host` where nothing listens: any connection attempt would end in "refused".
const UNREACHABLE: &str = "tcp://127.0.0.1:1";

/// A missing or broken local file is named before any connection is tried: the operator
/// fixes the file first, whatever the network does.
#[test]
fn local_inputs_are_read_before_connecting() {
    let dir = workdir(&[(SPEC, "spec.toml")]);
    fs::write(dir.path().join("garbage.json"), "not a plan\n").unwrap();
    fs::write(
        dir.path().join("dup.toml"),
        "[clusters.dev]\nhttp_port = 8082\nhttp_port = 8083\n",
    )
    .unwrap();
    fs::write(dir.path().join("bundle.zip"), "not a zip").unwrap();
    let host = ["--host", UNREACHABLE, "--timeout", "1"];
    let cases: &[(&[&str], &str)] = &[
        (
            &["apply", "missing.json"],
            "cannot read saved plan `missing.json`",
        ),
        (
            &["apply", "garbage.json"],
            "`garbage.json` is not a saved plan",
        ),
        (
            &["apply", "--spec", "dup.toml", "--auto-approve"],
            "the spec `dup.toml` has 1 problem",
        ),
        (
            &["apply", "--spec", "missing.toml", "--auto-approve"],
            "missing.toml",
        ),
        (
            &["plan", "--spec", "dup.toml"],
            "the spec `dup.toml` has 1 problem",
        ),
        (
            &[
                "status",
                "--tls-ca",
                "ca.pem",
                "--tls-cert",
                "c.pem",
                "--tls-key",
                "k.pem",
            ],
            "cannot read the CA certificate (--tls-ca) `ca.pem`",
        ),
        (
            &["rollback", "--auto-approve", "--tls-ca", "ca.pem"],
            "--tls-ca, --tls-cert and --tls-key go together",
        ),
    ];
    for (args, expected) in cases {
        let mut all = args.to_vec();
        all.extend_from_slice(&host);
        let r = run(&mut cli_in(dir.path(), &all));
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(expected), "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("refused"), "{args:?}: {}", r.stderr);
    }
    // A bundle that is not one: named without a connection (it would say where to connect).
    let r = run(&mut cli_in(
        dir.path(),
        &["apply", "--spec", "dup.toml", "--bundle", "bundle.zip"],
    ));
    assert!(r.stderr.contains("the spec `dup.toml`"), "{}", r.stderr);
    let r = run(&mut cli_in(
        dir.path(),
        &["apply", "--spec", "spec.toml", "--bundle", "bundle.zip"],
    ));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("`bundle.zip` is not a usable client bundle"),
        "{}",
        r.stderr
    );
}

/// A runbook reading `--output json` gets one document for every outcome, a failure to reach
/// the cluster included, from every command that talks to it.
#[test]
fn live_commands_print_a_json_document_when_the_cluster_is_out_of_reach() {
    let host = ["--host", UNREACHABLE, "--timeout", "1", "--output", "json"];
    for cmd in [
        &["status"][..],
        &["history"][..],
        &["rollback", "--auto-approve"][..],
        &[
            "apply",
            "--spec",
            "fixtures/specs/seed.toml",
            "--auto-approve",
        ][..],
    ] {
        let args: Vec<&str> = cmd.iter().chain(host.iter()).copied().collect();
        let r = run(&mut cli(&args));
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?}: stdout is not one JSON document ({e}):\n{}",
                r.stdout
            )
        });
        assert_eq!(doc["format_version"], 3, "{args:?}: {doc}");
        assert_eq!(doc["exit_code"], 1, "{args:?}: {doc}");
        assert_eq!(doc["error"]["code"], "transport", "{args:?}: {doc}");
        assert_eq!(doc["error"]["kind"], "refused", "{args:?}: {doc}");
        let error = doc["error"]["message"].as_str().unwrap_or_default();
        assert!(error.contains("refused"), "{args:?}: {doc}");
    }
}

/// `render > /dev/full` fails: a runbook would otherwise upload the empty file it left. A reader
/// that closes the pipe early (`| head`) is not an error.
#[cfg(target_os = "linux")]
#[test]
fn a_product_that_cannot_be_written_fails_and_a_closed_pipe_does_not() {
    let args = ["render", "--current", CURRENT, "--spec", SPEC];
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = cli(&args).stdout(full).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: cannot write the output to stdout: No space left on device"),
        "{stderr}"
    );

    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = cli(&args).stdout(writer).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
}
