//! Reading the spec and the current config from files, and planning from them.

use crate::cli::CliError;
use crate::cli::error::read_file;
use crate::plan::{self, Plan, Source, SourceKind};
use crate::spec::{self, Spec};

pub struct SpecFile {
    pub spec: Spec,
    pub text: String,
}

pub fn load_spec(path: &str) -> Result<SpecFile, CliError> {
    let text = read_file(path, "spec")?;
    let spec = spec::parse(path, &text).map_err(|findings| {
        let n = findings.len();
        CliError::user(format!(
            "the spec `{path}` has {n} problem{}; nothing was planned",
            if n == 1 { "" } else { "s" }
        ))
        .with_findings(findings)
    })?;
    Ok(SpecFile { spec, text })
}

/// Plans from a config file; fails when no plan can be computed at all.
pub fn plan_from_file(
    current_path: &str,
    spec_path: &str,
    config_name: Option<String>,
) -> Result<Plan, CliError> {
    let spec = load_spec(spec_path)?;
    let current = read_file(current_path, "config")?;
    let existing: Vec<String> = config_name.iter().cloned().collect();
    let inputs = plan::Inputs {
        current: &current,
        source: Source {
            kind: SourceKind::File,
            path: Some(current_path.to_string()),
            config_name,
        },
        spec: &spec.spec,
        spec_text: &spec.text,
        existing_configs: &existing,
        snapshot: None,
        keep_configs: 5,
    };
    plan::build(&inputs).map_err(|findings| {
        CliError::user(format!("cannot plan from `{current_path}`")).with_findings(findings)
    })
}
