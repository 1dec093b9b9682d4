//! Plan timing and peak heap for 200 service clusters.
//!
//! Two scenarios, both planned in memory exactly as `plan --current FILE --spec FILE` does
//! minus the file I/O (spec parse + `plan::build`):
//!
//! - "already split": a config holding 200 extensions `c000`..`c199` (each a copy of the
//!   `[Extensions.default]` section of the UCP 3.1 default config, with all its sub-tables),
//!   and a spec that moves every cluster to other ports and changes the replicas of every
//!   other one;
//! - "from the UCP default": the plain UCP 3.1 default config, split by the same spec into
//!   200 clones of `default`.
//!
//! Run with `cargo bench --bench plan_200`. With `PLAN_200_WRITE_DIR=<dir>` set, the inputs are
//! written to that directory instead (for `benches/plan_200.sh`), and nothing is timed. With
//! `PLAN_200_PHASES=1`, the main steps `plan::build` takes are also timed one by one, to see
//! where the time goes (an approximation: they are called here, not inside `build`).

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use interlock_split::check;
use interlock_split::interlock::InterlockConfig;
use interlock_split::locate::Locator;
use interlock_split::output::json;
use interlock_split::plan::diff;
use interlock_split::plan::{self, Plan, Source, SourceKind};
use interlock_split::{spec, split};

#[path = "common/heap.rs"]
mod heap;

#[global_allocator]
static ALLOC: heap::Counting = heap::Counting;

const CLUSTERS: usize = 200;
const WARMUP: usize = 3;
const ITERATIONS: usize = 20;
const FIXTURE: &str = include_str!("../fixtures/ucp-3.1-default.toml");
const NODE_LABEL_KEY: &str = "com.docker.interlock.service.cluster";

fn name(i: usize) -> String {
    format!("c{i:03}")
}

/// Ports the current (already split) config publishes.
fn current_ports(i: usize) -> (usize, usize) {
    (9000 + i, 9500 + i)
}

/// Ports the spec asks for.
fn spec_ports(i: usize) -> (usize, usize) {
    (20000 + i, 22000 + i)
}

/// The fixture up to `[Extensions]` (inclusive) and the `[Extensions.default]` section.
fn fixture_parts() -> (&'static str, &'static str) {
    let at = FIXTURE
        .find("  [Extensions.default]")
        .expect("the fixture has [Extensions.default]");
    FIXTURE.split_at(at)
}

/// 200 copies of the default section, already split: own names, cluster, ports, node label.
fn current_split() -> String {
    let (head, section) = fixture_parts();
    let mut out = String::from(head);
    for i in 0..CLUSTERS {
        let n = name(i);
        let (http, https) = current_ports(i);
        let label = format!("\"node.labels.{NODE_LABEL_KEY}=={n}\"");
        if i > 0 {
            out.push('\n');
        }
        for line in section.lines() {
            let indent = &line[..line.len() - line.trim_start().len()];
            let key = line.trim_start().split([' ', '=']).next().unwrap_or("");
            match key {
                "ServiceName" => {
                    writeln!(out, "{indent}ServiceName = \"ucp-interlock-extension-{n}\"")
                }
                "ProxyServiceName" => writeln!(
                    out,
                    "{indent}ProxyServiceName = \"ucp-interlock-proxy-{n}\"\n{indent}ServiceCluster = \"{n}\""
                ),
                "PublishedPort" => writeln!(out, "{indent}PublishedPort = {http}"),
                "PublishedSSLPort" => writeln!(out, "{indent}PublishedSSLPort = {https}"),
                "Constraints" | "ProxyConstraints" => {
                    let list = line.trim_end().strip_suffix(']').expect("a one-line list");
                    writeln!(out, "{list}, {label}]")
                }
                _ => writeln!(
                    out,
                    "{}",
                    line.replace("[Extensions.default", &format!("[Extensions.{n}"))
                ),
            }
            .expect("writing to a String");
        }
    }
    out
}

/// `[clusters.c000]` … `[clusters.c199]`: new ports for all, 3 proxy replicas for every other.
fn spec_text() -> String {
    let mut out = String::from("template = \"default\"\n");
    for i in 0..CLUSTERS {
        let (http, https) = spec_ports(i);
        let n = name(i);
        write!(
            out,
            "\n[clusters.{n}]\nhttp_port = {http}\nhttps_port = {https}\nnode_label = \"{n}\"\n"
        )
        .expect("writing to a String");
        if i % 2 == 1 {
            out.push_str("proxy_replicas = 3\n");
        }
    }
    out
}

struct Scenario {
    label: &'static str,
    file: &'static str,
    current: String,
    spec: String,
}

fn scenarios() -> Vec<Scenario> {
    let spec = spec_text();
    vec![
        Scenario {
            label: "already split",
            file: "current-split.toml",
            current: current_split(),
            spec: spec.clone(),
        },
        Scenario {
            label: "from the UCP default",
            file: "current-default.toml",
            current: FIXTURE.to_string(),
            spec,
        },
    ]
}

/// What `plan` computes, minus reading the files.
fn run(s: &Scenario) -> Plan {
    let spec = spec::parse("interlock-split.toml", &s.spec).expect("the generated spec is valid");
    let inputs = plan::Inputs {
        current: &s.current,
        source: Source {
            kind: SourceKind::File,
            path: Some(s.file.to_string()),
            config_name: None,
        },
        spec: &spec,
        spec_text: &s.spec,
        existing_configs: &[],
        snapshot: None,
        keep_configs: 5,
    };
    plan::build(&inputs).expect("a plan can be computed")
}

/// Median time of `f` over the iterations, after one warm-up call.
fn median_of<T>(mut f: impl FnMut() -> T) -> Duration {
    std::hint::black_box(f());
    let mut times: Vec<Duration> = (0..ITERATIONS)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[(ITERATIONS - 1) / 2] + times[ITERATIONS / 2]) / 2
}

/// The steps of `plan::build`, each timed on its own.
fn phases(s: &Scenario) {
    let spec = spec::parse("interlock-split.toml", &s.spec).expect("valid spec");
    let outcome = split::split(&s.current, &spec).expect("split");
    let (_, new) = InterlockConfig::parse(&outcome.text).expect("valid TOML");
    let steps: [(&str, Duration); 8] = [
        (
            "spec::parse",
            median_of(|| spec::parse("interlock-split.toml", &s.spec)),
        ),
        (
            "split::split",
            median_of(|| split::split(&s.current, &spec)),
        ),
        (
            "InterlockConfig::parse(current)",
            median_of(|| InterlockConfig::parse(&s.current)),
        ),
        (
            "InterlockConfig::parse(new)",
            median_of(|| InterlockConfig::parse(&outcome.text)),
        ),
        ("check::config(new)", median_of(|| check::config(&new))),
        (
            "Locator::new(current)",
            median_of(|| Locator::new(s.file, &s.current)),
        ),
        (
            "diff::unified",
            median_of(|| diff::unified(&s.current, &outcome.text, "a", "b")),
        ),
        ("plan, in all", median_of(|| run(s))),
    ];
    for (step, d) in steps {
        println!("   phase {step:<32} {:>7.2} ms", ms(d));
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn kb(bytes: usize) -> f64 {
    bytes as f64 / 1024.0
}

fn bench(s: &Scenario) -> String {
    // Check once that the plan is the one intended.
    let p = run(s);
    let json = json::document(&p);
    let sum = &p.summary;
    println!("== plan, {CLUSTERS} clusters {}", s.label);
    println!(
        "   inputs: current {:.1} KiB ({} lines), spec {:.1} KiB ({} lines)",
        kb(s.current.len()),
        s.current.lines().count(),
        kb(s.spec.len()),
        s.spec.lines().count()
    );
    println!(
        "   output: new TOML {:.1} KiB ({} lines), diff {:.1} KiB ({} lines), JSON {:.1} KiB",
        kb(p.new_config.len()),
        p.new_config.lines().count(),
        kb(p.diff.len()),
        p.diff.lines().count(),
        kb(json.len())
    );
    println!(
        "   plan: create {}, update {}, unchanged {}, removed extensions {}, stale services {}, errors {}, warnings {}, findings {}, actions {}",
        sum.create,
        sum.update,
        sum.unchanged,
        sum.removed_extensions,
        sum.stale_services,
        sum.errors,
        sum.warnings,
        p.findings.len(),
        p.actions.len()
    );
    assert_eq!(p.clusters.len(), CLUSTERS);
    assert!(p.changed, "the spec changes every cluster");
    assert_eq!(sum.errors, 0, "the generated inputs plan without errors");
    drop((p, json));

    for _ in 0..WARMUP {
        std::hint::black_box(run(s));
    }
    let mut times = Vec::with_capacity(ITERATIONS);
    for _ in 0..ITERATIONS {
        let start = Instant::now();
        let p = std::hint::black_box(run(s));
        times.push(start.elapsed());
        drop(p);
    }
    // The heap of one more run, counted on its own: counting slows every allocation.
    let base = heap::mark();
    drop(std::hint::black_box(run(s)));
    let peak = heap::peak_since(base);
    heap::stop();
    times.sort();
    let (min, median, max) = (
        times[0],
        (times[(ITERATIONS - 1) / 2] + times[ITERATIONS / 2]) / 2,
        times[ITERATIONS - 1],
    );
    println!(
        "   {ITERATIONS} runs after {WARMUP} warm-up: min {:.1} ms, median {:.1} ms, max {:.1} ms; peak heap {:.1} MB above the inputs",
        ms(min),
        ms(median),
        ms(max),
        mb(peak)
    );
    if std::env::var_os("PLAN_200_PHASES").is_some() {
        phases(s);
    }
    format!(
        "plan, {CLUSTERS} clusters {}: median {:.1} ms (min {:.1}, max {:.1}), peak heap {:.1} MB",
        s.label,
        ms(median),
        ms(min),
        ms(max),
        mb(peak)
    )
}

fn main() {
    let scenarios = scenarios();
    if let Some(dir) = std::env::var_os("PLAN_200_WRITE_DIR") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("creating the output directory");
        let spec_path = dir.join("spec.toml");
        std::fs::write(&spec_path, &scenarios[0].spec).expect("writing the spec");
        println!("wrote {}", spec_path.display());
        for s in &scenarios {
            let path = dir.join(s.file);
            std::fs::write(&path, &s.current).expect("writing the config");
            println!("wrote {}", path.display());
        }
        return;
    }
    if cfg!(debug_assertions) {
        println!("note: debug build; run `cargo bench --bench plan_200` for release figures");
    }
    let lines: Vec<String> = scenarios.iter().map(bench).collect();
    println!();
    for l in lines {
        println!("{l}");
    }
}
