//! Rewrites the man pages under man/ from the command line definition: `interlock-split.1` and
//! one `interlock-split-<command>.1` per subcommand. Run it with `cargo run --example man`;
//! tests/completions.rs fails until the committed pages match.

use std::path::Path;

use clap::CommandFactory;

fn main() -> std::io::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    std::fs::create_dir_all(&dir)?;
    // A page of a removed subcommand must not survive the regeneration.
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "1") {
            std::fs::remove_file(&path)?;
        }
    }
    clap_mangen::generate_to(interlock_split::cli::Cli::command(), &dir)?;
    let mut pages: Vec<_> = std::fs::read_dir(&dir)?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    pages.sort();
    for page in pages {
        println!("man/{page}");
    }
    Ok(())
}
