use std::io::ErrorKind;
use std::path::Path;

use crate::cli::args::InitArgs;
use crate::cli::{CliError, CliResult, ErrorCode, ExitStatus};
use crate::output::printer::Printer;
use crate::spec::schema;

/// The starter specs under `templates/`, shipped inside the binary.
pub const STARTERS: &[(&str, &str, &str)] = &[
    (
        "environments",
        "dev/test/prod in ingress mode, one labelled node each (the walk-through's layout)",
        include_str!("../../templates/environments.toml"),
    ),
    (
        "regions",
        "one service cluster per region, proxies in host mode on the region's nodes",
        include_str!("../../templates/regions.toml"),
    ),
];

pub fn run(args: InitArgs, printer: &Printer) -> CliResult {
    if args.list {
        let mut out = String::new();
        for (name, about, _) in STARTERS {
            out.push_str(&format!("{name:<14} {about}\n"));
        }
        printer.out(&out);
        return Ok(ExitStatus::Success);
    }
    let Some((name, _, text)) = STARTERS.iter().find(|(n, _, _)| *n == args.template) else {
        let names: Vec<&str> = STARTERS.iter().map(|(n, _, _)| *n).collect();
        return Err(
            CliError::usage(format!("there is no starter named `{}`", args.template))
                .hint(format!("choose one of: {}", names.join(", "))),
        );
    };
    if let Some(starter) = STARTERS
        .iter()
        .map(|(n, _, _)| *n)
        .find(|n| *n == args.path)
    {
        return Err(CliError::usage(format!(
            "`{starter}` is the name of a starter, not a file to write"
        ))
        .hint(format!(
            "for that starter: interlock-split init --template {starter}; for a file of that name: interlock-split init ./{starter}"
        )));
    }
    if args.path == "-" {
        printer.out(text);
        return Ok(ExitStatus::Success);
    }
    write_spec(&args, text)?;
    let schema_note = write_schema(Path::new(&args.path))?;
    printer.status(&format!(
        "wrote {} (starter `{name}`; {schema_note}); edit it, then run: interlock-split plan --current <config.toml> --spec {}",
        args.path, args.path
    ));
    Ok(ExitStatus::Success)
}

fn write_spec(args: &InitArgs, text: &str) -> Result<(), CliError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true);
    if args.force {
        opts.create(true).truncate(true);
    } else {
        opts.create_new(true);
    }
    let mut file = opts.open(&args.path).map_err(|e| {
        let err = CliError::new(
            ErrorCode::WriteFailed,
            format!("cannot write `{}`: {e}", args.path),
        );
        if e.kind() == ErrorKind::AlreadyExists {
            err.hint("it is kept as it is; pass --force to overwrite it, or give another PATH")
        } else {
            err
        }
    })?;
    std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| {
        CliError::new(
            ErrorCode::WriteFailed,
            format!("cannot write `{}`: {e}", args.path),
        )
    })
}

/// Puts the schema the spec's directive names beside it. The file is this tool's, generated:
/// one from another version is brought up to date, so that editors check against the fields
/// this binary reads.
fn write_schema(spec: &Path) -> Result<String, CliError> {
    let path = spec
        .parent()
        .unwrap_or(Path::new(""))
        .join(schema::FILE_NAME);
    let json = schema::json();
    let note = match std::fs::read_to_string(&path) {
        Ok(existing) if existing == json => return Ok(format!("{} is current", path.display())),
        Ok(_) => format!("updated {}", path.display()),
        Err(_) => format!("its schema in {}", path.display()),
    };
    std::fs::write(&path, json).map_err(|e| {
        CliError::new(
            ErrorCode::WriteFailed,
            format!("cannot write `{}`: {e}", path.display()),
        )
        .hint("the spec was written; `interlock-split schema > FILE` writes the schema elsewhere")
    })?;
    Ok(note)
}
