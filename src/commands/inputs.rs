//! Reading the spec and the current config from files, and planning from them.

use crate::cli::error::read_file;
use crate::cli::{CliError, ErrorCode};
use crate::docker::LiveState;
use crate::interlock::names::next_config_name;
use crate::plan::saved::{Fingerprint, sha256};
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
        CliError::new(
            ErrorCode::SpecInvalid,
            format!(
                "the spec `{path}` has {n} problem{}; nothing was planned",
                if n == 1 { "" } else { "s" }
            ),
        )
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
    if let Some(name) = &config_name {
        check_config_name(name)?;
    }
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
        CliError::new(
            ErrorCode::ConfigInvalid,
            format!("cannot plan from `{current_path}`"),
        )
        .with_findings(findings)
    })
}

/// `--config-name`: a name Docker accepts, with a version that can still grow.
fn check_config_name(name: &str) -> Result<(), CliError> {
    next_config_name(name, &[])
        .map(|_| ())
        .map_err(|e| CliError::usage(format!("--config-name: {}", e.message())).hint(e.hint()))
}

/// Plans from the cluster's live state: the config in use and a snapshot.
pub fn plan_live(
    spec: &SpecFile,
    state: &LiveState,
    keep_configs: usize,
) -> Result<Plan, CliError> {
    plan::build_live(
        &state.toml,
        &state.config.name,
        &state.snapshot,
        &spec.spec,
        &spec.text,
        keep_configs,
    )
    .map_err(|findings| {
        CliError::new(
            ErrorCode::ConfigInvalid,
            format!("cannot plan from the config in use ({})", state.config.name),
        )
        .with_findings(findings)
    })
}

/// What a live plan depends on, for saving it and for checking a saved one.
pub fn live_fingerprint(
    state: &LiveState,
    spec_file: &str,
    spec_text: Option<&str>,
) -> Fingerprint {
    Fingerprint {
        core_service_id: Some(state.core.id.clone()),
        core_service_version: Some(state.core.version),
        config_id: Some(state.config.id.clone()),
        config_name: Some(state.config.name.clone()),
        current_toml_sha256: sha256(&state.toml),
        spec_file: spec_file.to_string(),
        spec_sha256: spec_text
            .map(sha256)
            .or_else(|| std::fs::read_to_string(spec_file).ok().map(|t| sha256(&t)))
            .unwrap_or_default(),
    }
}
