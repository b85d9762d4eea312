//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "rosterm",
    version,
    about = "A terminal XMPP client: a live roster, and your presence in one keystroke."
)]
pub struct Cli {
    /// Config file (default: config.toml in the per-user config directory, e.g. ~/.config/rosterm/).
    #[arg(long, short = 'c', value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Log level: off, error, warn, info, debug, trace.
    #[arg(long, value_name = "LEVEL", default_value = "info")]
    pub log_level: String,

    /// Log file (default: rosterm.log in the per-user state directory, e.g. ~/.local/state/rosterm/).
    #[arg(long, value_name = "FILE")]
    pub log_file: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<CliCommand>,
}

#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Log in, wait for presence to settle, print who is online (or the given JIDs' state), exit.
    Who {
        /// Only these contacts (bare JIDs); each is reported, offline ones included.
        jids: Vec<String>,
        /// A JSON object JID -> {state, online, name, resource, priority, status}.
        #[arg(long)]
        json: bool,
    },
}
