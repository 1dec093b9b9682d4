//! The command line, and nothing else: what each command takes, documented for `--help`.

use clap::{Args, Parser, Subcommand, ValueEnum, ValueHint};

use crate::exit::EXIT_CODES_HELP;
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
    /// Do what the plan says: upload the versioned config, roll ucp-interlock with rollback,
    /// wait for Interlock's services, retire stale ones, prune old configs.
    #[command(after_help = EXIT_CODES_HELP)]
    Apply(ApplyArgs),
    /// Point ucp-interlock back at the previous (or a named) Interlock config.
    #[command(after_help = EXIT_CODES_HELP)]
    Rollback(RollbackArgs),
    /// Show each service cluster's services, replicas, ports and nodes, stale services, and the
    /// history of Interlock configs, with problems flagged.
    #[command(after_help = EXIT_CODES_HELP)]
    Status(StatusArgs),
    /// List every Interlock config: when and by whom it was applied, with which plan, what
    /// became of it, which one is in use and which one rollback would pick; or diff two.
    #[command(after_help = EXIT_CODES_HELP)]
    History(HistoryArgs),
    /// Ask every application host over HTTP at its cluster's proxy (which must answer it) and
    /// at every other cluster's proxy (which must answer 503).
    #[command(
        after_help = EXIT_CODES_HELP,
        long_about = "Ask every application host over HTTP, with its Host header, at its cluster's \
            proxy (which must answer it) and at every other cluster's proxy (which must answer \
            503, Interlock's answer for a host it does not route). A proxy is asked on its \
            published HTTP port, at the swarm's own node addresses only: in ingress mode on a \
            few ready nodes, in host mode on each node its tasks run on. Exits 0 when every \
            answer is the expected one, 1 otherwise."
    )]
    Verify(VerifyArgs),
    /// Write a commented starter spec, and the JSON Schema editors complete it from.
    #[command(
        long_about = "Write a commented starter spec. Its first line is a `#:schema` directive \
            naming interlock-split.schema.json, written beside it, so that editors with a TOML \
            language server (taplo, Even Better TOML) complete its fields and flag typos."
    )]
    Init(InitArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the JSON Schema of the spec (interlock-split.toml), for editors.
    Schema,
}

#[derive(Debug, Args)]
pub struct SpecArgs {
    /// The spec declaring the service clusters.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, env = "INTERLOCK_SPLIT_SPEC", default_value = crate::spec::DEFAULT_FILE)]
    pub spec: String,
}

/// How to reach the cluster: a UCP/MKE client bundle, a host, a docker context, or the
/// environment (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH), else the local socket.
#[derive(Debug, Args, Clone)]
pub struct ConnectionArgs {
    /// A UCP/MKE client bundle: the zip as downloaded, or its unzipped folder.
    #[arg(long, value_name = "PATH", value_hint = ValueHint::AnyPath, help_heading = "Connection")]
    pub bundle: Option<std::path::PathBuf>,
    /// The Docker API endpoint, e.g. tcp://ucp.example.com:443.
    #[arg(long, value_name = "URL", help_heading = "Connection")]
    pub host: Option<String>,
    /// CA certificate that signed the server's certificate (with --host).
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, help_heading = "Connection")]
    pub tls_ca: Option<std::path::PathBuf>,
    /// Client certificate (with --host).
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, help_heading = "Connection")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// Client private key (with --host).
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath, help_heading = "Connection")]
    pub tls_key: Option<std::path::PathBuf>,
    /// A docker CLI context (also DOCKER_CONTEXT).
    #[arg(long, value_name = "NAME", help_heading = "Connection")]
    pub context: Option<String>,
    /// Seconds to wait for each API request.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..),
        help_heading = "Connection"
    )]
    pub timeout: u64,
}

impl ConnectionArgs {
    pub fn connect_args(&self) -> crate::docker::ConnectArgs {
        crate::docker::ConnectArgs {
            bundle: self.bundle.clone(),
            host: self.host.clone(),
            tls_ca: self.tls_ca.clone(),
            tls_cert: self.tls_cert.clone(),
            tls_key: self.tls_key.clone(),
            context: self.context.clone(),
        }
    }
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// A plan saved with `plan --out`: applied as it is, if the cluster has not moved since.
    #[arg(value_name = "PLANFILE", value_hint = ValueHint::FilePath)]
    pub plan_file: Option<String>,
    #[command(flatten)]
    pub spec: SpecArgs,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Apply without asking (needed without a terminal, unless a saved plan is applied).
    #[arg(long)]
    pub auto_approve: bool,
    /// Keep the stale services that do not hold a port a new proxy needs.
    #[arg(long)]
    pub no_cleanup: bool,
    /// Leave existing proxies whose constraints, replicas or ports differ from the config
    /// (by default they are updated in place).
    #[arg(long)]
    pub no_reconcile: bool,
    /// Interlock configs to keep; older ones are pruned (never the one in use or the one before).
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub keep_configs: usize,
    /// Seconds to wait for an update to converge, or for Interlock to create a service.
    #[arg(long, value_name = "SECONDS", default_value_t = 180, value_parser = clap::value_parser!(u64).range(1..))]
    pub wait_timeout: u64,
    /// Where the backup of the current TOML goes.
    #[arg(long, value_name = "DIR", value_hint = ValueHint::DirPath, default_value = ".")]
    pub backup_dir: String,
    /// Output format of the result.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The config to go back to (default: the version before the one in use).
    #[arg(long, value_name = "CONFIG")]
    pub to: Option<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Roll back without asking.
    #[arg(long)]
    pub auto_approve: bool,
    /// Seconds to wait for the update to converge.
    #[arg(long, value_name = "SECONDS", default_value_t = 180, value_parser = clap::value_parser!(u64).range(1..))]
    pub wait_timeout: u64,
    /// Output format of the result.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// How many requests may be under way at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
    /// Seconds each request may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout: u64,
    /// In ingress mode, how many nodes a proxy is asked on.
    #[arg(long, value_name = "N", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..))]
    pub ingress_nodes: u16,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Print the TOML diff (secrets masked) between two versions (a number or a config name);
    /// without values, the config in use against its predecessor.
    #[arg(long, value_name = "VERSION", num_args = 0..=2)]
    pub diff: Option<Vec<String>>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Plan from this Interlock config (TOML) instead of the cluster's, offline.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub current: Option<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Save the plan, with a fingerprint of what it was computed from, for apply.
    #[arg(long, value_name = "FILE", value_hint = ValueHint::FilePath)]
    pub out: Option<String>,
    /// Interlock configs to keep; older ones are pruned (never the one in use or the one before).
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub keep_configs: usize,
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
