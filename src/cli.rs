//! Command-line arguments.

use std::path::PathBuf;

use clap::Parser;

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
}
