//! Scale: a config of 1,000 extensions, all on one pair of published ports, validated and
//! planned. Pairwise checks made this quadratic (one finding per pair of extensions, each
//! placed by rescanning the text); the target is under 1 s and 100 MB for the whole.
//!
//! - "validate": the 1,000 copies of UCP 3.1's `[Extensions.default]` (own names and service
//!   clusters, every sub-table, all on 8080/8443) parsed, checked, and every finding placed,
//!   as `validate FILE` does;
//! - "plan": the same config with a spec that lists the 1,000 clusters and gives each its own
//!   ports, as `plan --current FILE --spec FILE` does minus the file I/O.
//!
//! Run with `cargo bench --bench plan_1000` (in process: 10 timed runs after a warm-up, then
//! the peak heap of one more run from a counting allocator, counting only then). With `PLAN_1000_WRITE_DIR=<dir>` the inputs are written there
//! instead, for `benches/plan_1000.sh` (the release binary as a whole process).

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use interlock_split::check;
use interlock_split::finding::Finding;
use interlock_split::interlock::InterlockConfig;
use interlock_split::locate::Locator;
use interlock_split::plan::{self, Source, SourceKind};
use interlock_split::spec;

#[path = "common/heap.rs"]
mod heap;

#[global_allocator]
static ALLOC: heap::Counting = heap::Counting;

const EXTENSIONS: usize = 1000;
const ITERATIONS: usize = 10;
const FIXTURE: &str = include_str!("../fixtures/ucp-3.1-default.toml");

fn name(i: usize) -> String {
    format!("c{i:04}")
}

/// 1,000 copies of the default section, each with its own names, all on 8080/8443.
fn config() -> String {
    let at = FIXTURE
        .find("  [Extensions.default]")
        .expect("the fixture has [Extensions.default]");
    let (head, section) = FIXTURE.split_at(at);
    let mut out = String::from(head);
    for i in 0..EXTENSIONS {
        let n = name(i);
        for line in section.lines() {
            let indent = &line[..line.len() - line.trim_start().len()];
            match line.trim_start().split([' ', '=']).next().unwrap_or("") {
                "ServiceName" => writeln!(out, "{indent}ServiceName = \"ext-{n}\""),
                "ProxyServiceName" => writeln!(
                    out,
                    "{indent}ProxyServiceName = \"proxy-{n}\"\n{indent}ServiceCluster = \"{n}\""
                ),
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

/// Every cluster listed, each moved to its own ports.
fn spec_text() -> String {
    let mut out = String::from("template = \"c0000\"\n");
    for i in 0..EXTENSIONS {
        let n = name(i);
        write!(
            out,
            "\n[clusters.{n}]\nhttp_port = {}\nhttps_port = {}\n",
            20000 + i,
            30000 + i
        )
        .expect("writing to a String");
    }
    out
}

/// What `validate FILE` computes.
fn validate(text: &str) -> Vec<Finding> {
    let (_, cfg) = InterlockConfig::parse(text).expect("the generated config parses");
    let locator = Locator::new("current.toml", text);
    check::config(&cfg)
        .into_iter()
        .map(|f| f.located(&locator))
        .collect()
}

/// What `plan --current FILE --spec FILE` computes.
fn plan(current: &str, spec_text: &str) -> plan::Plan {
    let spec = spec::parse("spec.toml", spec_text).expect("the generated spec is valid");
    let inputs = plan::Inputs {
        current,
        source: Source {
            kind: SourceKind::File,
            path: Some("current.toml".into()),
            config_name: Some("com.docker.ucp.interlock.conf-1".into()),
        },
        spec: &spec,
        spec_text,
        existing_configs: &[],
        snapshot: None,
        keep_configs: 5,
    };
    plan::build(&inputs).expect("a plan can be computed")
}

/// Median, min, max time of `f` over the iterations after one warm-up, with the allocator not
/// counting; then the peak heap of one more call, counted on its own (not timed).
fn measure<T>(mut f: impl FnMut() -> T) -> (Duration, Duration, Duration, usize) {
    std::hint::black_box(f());
    let mut times = Vec::with_capacity(ITERATIONS);
    for _ in 0..ITERATIONS {
        let start = Instant::now();
        let out = std::hint::black_box(f());
        times.push(start.elapsed());
        drop(out);
    }
    times.sort();
    let median = (times[(ITERATIONS - 1) / 2] + times[ITERATIONS / 2]) / 2;
    let base = heap::mark();
    drop(std::hint::black_box(f()));
    let peak = heap::peak_since(base);
    heap::stop();
    (median, times[0], times[ITERATIONS - 1], peak)
}

fn report(label: &str, m: (Duration, Duration, Duration, usize)) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{label}: median {:.1} ms (min {:.1}, max {:.1}), peak heap {:.1} MB",
        ms(m.0),
        ms(m.1),
        ms(m.2),
        m.3 as f64 / (1024.0 * 1024.0)
    );
}

fn main() {
    let (current, spec) = (config(), spec_text());
    if let Some(dir) = std::env::var_os("PLAN_1000_WRITE_DIR") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("creating the output directory");
        std::fs::write(dir.join("current.toml"), &current).expect("writing the config");
        std::fs::write(dir.join("spec.toml"), &spec).expect("writing the spec");
        println!("wrote {}", dir.display());
        return;
    }
    if cfg!(debug_assertions) {
        println!("note: debug build; run `cargo bench --bench plan_1000` for release figures");
    }
    let findings = validate(&current);
    let clashes = findings
        .iter()
        .filter(|f| f.code == "port-conflict")
        .count();
    println!(
        "inputs: config {:.1} KiB ({} lines), spec {:.1} KiB; validate: {} findings, {clashes} port-conflict",
        current.len() as f64 / 1024.0,
        current.lines().count(),
        spec.len() as f64 / 1024.0,
        findings.len()
    );
    assert_eq!(clashes, 2, "one finding per shared port");
    let p = plan(&current, &spec);
    assert_eq!(p.clusters.len(), EXTENSIONS);
    assert_eq!(
        p.summary.errors, 0,
        "the spec gives every cluster its own ports"
    );
    drop(p);
    report(
        &format!("validate, {EXTENSIONS} extensions on one port pair"),
        measure(|| validate(&current)),
    );
    report(
        &format!("plan, {EXTENSIONS} clusters moved to their own ports"),
        measure(|| plan(&current, &spec)),
    );
}
