//! The shell completion scripts committed under completions/ and the man pages under man/ are
//! exactly what the command line definition generates: a changed flag or command without
//! regenerated completions or pages fails here.

use std::path::Path;
use std::process::Command;

use insta_cmd::get_cargo_bin;

/// (shell, committed file under completions/)
const SCRIPTS: &[(&str, &str)] = &[
    ("bash", "interlock-split.bash"),
    ("zsh", "_interlock-split"),
    ("fish", "interlock-split.fish"),
    ("elvish", "interlock-split.elv"),
    ("powershell", "_interlock-split.ps1"),
];

fn generate(shell: &str) -> String {
    let out = Command::new(get_cargo_bin("interlock-split"))
        .args(["completions", shell])
        .env_remove("INTERLOCK_SPLIT_SPEC")
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "`interlock-split completions {shell}` failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("completion scripts are UTF-8")
}

/// The first line where two texts differ, for the failure message.
fn first_difference(committed: &str, generated: &str) -> String {
    let mut a = committed.lines();
    let mut b = generated.lines();
    for n in 1.. {
        match (a.next(), b.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (None, None) => return "they differ only in line endings".into(),
            (x, y) => {
                return format!(
                    "first difference at line {n}:\n  committed: {}\n  generated: {}",
                    x.unwrap_or("<end of file>"),
                    y.unwrap_or("<end of file>")
                );
            }
        }
    }
    unreachable!()
}

#[test]
fn committed_completions_match_the_binary() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let mut stale = Vec::new();
    for (shell, file) in SCRIPTS {
        let generated = generate(shell);
        assert!(
            generated.contains("interlock-split"),
            "{shell}: the script names the binary"
        );
        let committed = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        if committed != generated {
            stale.push(format!(
                "completions/{file} is out of date; regenerate it with\n    \
                 cargo run -- completions {shell} > completions/{file}\n  \
                 ({})",
                if committed.is_empty() {
                    "the file is missing or empty".to_string()
                } else {
                    first_difference(&committed, &generated)
                }
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "{}\n\nor regenerate all five with completions/regenerate.sh",
        stale.join("\n")
    );
}

#[test]
fn every_shell_clap_supports_has_a_committed_script() {
    use clap::ValueEnum;
    let mut supported: Vec<String> = clap_complete::Shell::value_variants()
        .iter()
        .map(|s| s.to_string())
        .collect();
    supported.sort();
    let mut committed: Vec<String> = SCRIPTS.iter().map(|(s, _)| s.to_string()).collect();
    committed.sort();
    assert_eq!(
        committed, supported,
        "`interlock-split completions` supports these shells; each needs a line in SCRIPTS, \
         a committed script, and a line in completions/regenerate.sh"
    );
}

/// The pages `clap_mangen` makes of the command line definition, as examples/man.rs writes
/// them: (file name, text).
fn generated_man_pages() -> Vec<(String, String)> {
    use clap::CommandFactory;
    let dir = tempfile::tempdir().expect("a temporary directory");
    clap_mangen::generate_to(interlock_split::cli::Cli::command(), dir.path())
        .expect("rendering the man pages");
    read_pages(dir.path())
}

/// The `*.1` files of `dir`, sorted by name (none when it does not exist).
fn read_pages(dir: &Path) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut pages: Vec<(String, String)> = entries
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "1"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p)
                .unwrap_or_else(|e| panic!("reading {}: {e}", p.display()));
            (name, text)
        })
        .collect();
    pages.sort();
    pages
}

#[test]
fn committed_man_pages_match_the_command_line() {
    let generated = generated_man_pages();
    let names: Vec<&str> = generated.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&"interlock-split.1") && names.contains(&"interlock-split-plan.1"),
        "a page for the tool and one per subcommand: {names:?}"
    );
    let committed = read_pages(&Path::new(env!("CARGO_MANIFEST_DIR")).join("man"));
    let mut stale = Vec::new();
    for (name, text) in &generated {
        match committed.iter().find(|(n, _)| n == name) {
            None => stale.push(format!("man/{name} is missing")),
            Some((_, old)) if old != text => stale.push(format!(
                "man/{name} is out of date ({})",
                first_difference(old, text)
            )),
            Some(_) => {}
        }
    }
    for (name, _) in &committed {
        if !generated.iter().any(|(n, _)| n == name) {
            stale.push(format!("man/{name} belongs to no command any more"));
        }
    }
    assert!(
        stale.is_empty(),
        "{}\n\nregenerate the pages with\n    cargo run --example man",
        stale.join("\n")
    );
}
