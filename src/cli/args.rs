//! The command line, and nothing else: what each command takes, documented for `--help`.

use clap::{Args, Parser, Subcommand, ValueEnum, ValueHint};

use super::exit::EXIT_CODES_HELP;
use crate::output::style::ColorChoice;

#[derive(Debug, Parser)]
#[command(
    name = "interlock-split",
    version,
    about = "Split UCP/MKE Layer 7 routing (Interlock) into isolated service clusters, safely",
    long_about = "Split UCP/MKE Layer 7 routing (Interlock) into isolated service clusters, safely.\n\n\
        Declare the service clusters you want in a spec (interlock-split.toml); `plan` shows what \
        the new Interlock config would be and what applying it would do, `render` prints the new \
        config, `validate` checks any Interlock config.",
    after_help = EXIT_CODES_HELP,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// When to colour output. `auto` colours a terminal unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// Print only the product (plan, TOML, JSON) and errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more about what is being done.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the new config, the findings, and what apply would do. Changes nothing.
    #[command(after_help = EXIT_CODES_HELP)]
    Plan(PlanArgs),
    /// Print the new Interlock config (TOML) on stdout.
    #[command(
        after_help = EXIT_CODES_HELP,
        long_about = "Print the new Interlock config (TOML) on stdout, unmasked: it is the config \
            itself, e.g. for `docker config create NAME -`. Refuses a config with errors."
    )]
    Render(RenderArgs),
    /// Check an Interlock config: syntax, ports, names, constraints, required keys.
    #[command(after_help = EXIT_CODES_HELP)]
    Validate(ValidateArgs),
    /// Write a commented starter spec.
    Init(InitArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct SpecArgs {
    /// The spec declaring the service clusters.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, env = "INTERLOCK_SPLIT_SPEC", default_value = crate::spec::DEFAULT_FILE)]
    pub spec: String,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The current Interlock config (TOML), as `docker config inspect` returns it.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub current: String,
    #[command(flatten)]
    pub spec: SpecArgs,
    /// The name of the Docker config FILE came from (e.g. com.docker.ucp.interlock.conf-1),
    /// to name the next version in the plan.
    #[arg(long, value_name = "NAME")]
    pub config_name: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,
    /// Exit 2 when the plan has changes (0: none, 1: error).
    #[arg(long)]
    pub detailed_exitcode: bool,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The current Interlock config (TOML).
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub current: String,
    #[command(flatten)]
    pub spec: SpecArgs,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The Interlock config (TOML) to check.
    #[arg(value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub file: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the spec; `-` for stdout.
    #[arg(value_name = "PATH", value_hint = ValueHint::FilePath, default_value = crate::spec::DEFAULT_FILE)]
    pub path: String,
    /// Which starter to write.
    #[arg(long, value_name = "NAME", default_value = "environments", value_parser = ["environments", "regions"])]
    pub template: String,
    /// List the starters and exit.
    #[arg(long)]
    pub list: bool,
    /// Overwrite PATH if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
