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
    /// Create an account on its server (XEP-0077) and print its [[account]] table.
    ///
    /// In-band registration before any login, over TLS (required and verified). Shows the
    /// server's instructions and asks for each field it wants: the password without echo,
    /// twice; when stdin is not a terminal, one line of it per field, in the order asked
    /// (usually just the password). Then prints the [[account]] table to paste into the
    /// config, without the password. No config is read. Exit 1 with one sentence when the
    /// server refuses (no registration, user exists, CAPTCHA or web-only, missing field).
    Register {
        /// The account to create, like alice@example.org.
        jid: String,
        /// Connect to this host instead of the JID's domain (its SRV records).
        #[arg(long, value_name = "HOST")]
        server: Option<String>,
        /// Connect to this port (default 5222).
        #[arg(long, value_name = "N")]
        port: Option<u16>,
        /// Also trust this CA certificate (PEM), e.g. your own server's.
        #[arg(long, value_name = "FILE")]
        ca_file: Option<PathBuf>,
    },
    /// Act through the running rosterm started with the same config (its control socket).
    Ctl {
        #[command(subcommand)]
        action: CtlAction,
    },
    /// Print every change of the running rosterm as JSON lines (see docs/EVENTS.md), until
    /// interrupted: first the present set, then enter / update / leave, messages, ...
    Events {
        /// Only these types, comma-separated: presence, message, subscription, connection, room.
        #[arg(long, value_delimiter = ',')]
        filter: Vec<String>,
        /// Only this contact (a bare JID).
        #[arg(long, value_name = "JID")]
        jid: Option<String>,
    },
    /// One line for a status bar (tmux, waybar, i3) from the running rosterm.
    Status {
        /// Fields: {show} {status} {unread} {online} {connected} {accounts}.
        #[arg(long, default_value = "{show} {unread}")]
        format: String,
    },
    /// Log in, wait for presence to settle, print who is online (or the given JIDs' state), exit.
    Who {
        /// Only these contacts (bare JIDs); each is reported, offline ones included.
        jids: Vec<String>,
        /// A JSON object JID -> {state, online, name, resource, priority, status}.
        #[arg(long)]
        json: bool,
        /// Instead: join this room (room@service[/nick]) and list its occupants.
        #[arg(long, value_name = "ROOM")]
        room: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum CtlAction {
    /// Set your presence on every account (or one with --account).
    Presence {
        /// online, chat, away, xa or dnd.
        show: String,
        /// The status text (default: keep the current one).
        status: Vec<String>,
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
    },
    /// Send a message.
    Msg {
        jid: String,
        text: Vec<String>,
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
    },
    /// Join a room.
    Join { room: String },
    /// Who is online, as the running rosterm sees it.
    Who {
        #[arg(long)]
        json: bool,
    },
}
