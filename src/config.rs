//! The TOML config: raw serde structs (every field optional, unknown keys rejected) turned into
//! a validated [`Config`], with errors that name the file, the key and what would be valid.
//!
//! One file per section: `account` (`[account]` or `[[account]]`: login, name, per-account
//! presence) with its connection keys in `connection`; `presence` (`[presence]` and the
//! per-account overrides); `settings` (`[watch]`, `[keys]`, `[storage]`, `[roster]`); `ui`
//! (`[ui]`: the theme file); `auto_away` (`[auto_away]`); `locate` (which key a serde error is about); `password`
//! (running `password_command`); `save` (`/save`: the watched contacts written back,
//! comments kept). A new
//! section: its raw struct and its check in the section's file, one field in `RawConfig`,
//! one line in [`parse`].
//!
//! Every error names its key the same way: `presence.show`, `account.jid` for a single
//! `[account]` table, `account[2].jid` (1-based) for the second `[[account]]` table.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jid::BareJid;
use serde::Deserialize;

use crate::domain::{AccountDisplay, Notify, OwnPresence};
use crate::keymap::Keymap;
use crate::theme::Theme;

mod account;
mod auto_away;
mod connection;
mod locate;
pub mod password;
mod presence;
mod save;
mod settings;
mod ui;

pub use save::save_watches;

pub use account::{Account, PasswordSource};
pub use connection::{parse_fingerprint, TlsMode, DEFAULT_KEEPALIVE};
pub use presence::{PresenceOverride, StartStatus};
pub use settings::{default_storage_path, Rooms};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("no config file at {path}: copy config.example.toml from the rosterm sources there (or pass --config FILE)")]
    NotFound { path: PathBuf },
    #[error("cannot find a config directory for this user (is HOME set?): pass --config FILE")]
    NoConfigDir,
    #[error("{path}: cannot read the config file: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path}: {key}: {message}")]
    Invalid {
        path: PathBuf,
        key: String,
        message: String,
    },
    #[error("password_command {command:?} failed: {message}")]
    PasswordCommand { command: String, message: String },
}

/// A password that never shows up in `Debug` output or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: String) -> Secret {
        Secret(s)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    /// Typing into a masked editor (`/password`).
    pub fn push(&mut self, c: char) {
        self.0.push(c);
    }
    pub fn pop(&mut self) {
        self.0.pop();
    }
    pub fn clear(&mut self) {
        self.0.clear();
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// How many characters: what a masked editor draws (as `*`).
    pub fn chars(&self) -> usize {
        self.0.chars().count()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    /// Never empty; in the order of the config file.
    pub accounts: Vec<Account>,
    /// The global `[presence]`; each account's overrides apply on top ([`Config::presence_for`]).
    pub presence: OwnPresence,
    /// `[presence] status_on_start`: the config's presence, or the one rosterm quit with.
    pub status_on_start: StartStatus,
    /// `[presence.messages]`: status texts per show.
    pub presets: crate::domain::presets::Presets,
    /// XEP-0172 nick sent with presence and subscription requests ([`Config::nick_for`]).
    pub nick: Option<String>,
    /// Contacts whose changes are announced.
    pub watch: Vec<BareJid>,
    pub notify: Notify,
    /// How a message that is not on screen is announced (`[notify] messages`).
    pub message_notify: Notify,
    pub keymap: Keymap,
    /// Things worth telling the user at startup (e.g. a world-readable password file).
    pub warnings: Vec<String>,
    /// Where rosterm keeps its local database; `None`: nothing is written to disk.
    pub storage: Option<PathBuf>,
    /// How the roster shows the contacts of several accounts (`[roster] accounts`).
    pub account_display: AccountDisplay,
    /// Which resource a contact's row shows (`[roster] aggregate`).
    pub aggregate: crate::domain::Aggregate,
    /// Every glyph and colour (`[ui] theme` over the default theme).
    pub theme: Arc<Theme>,
    /// `[rooms]`: the nick to join with and the rooms joined at start.
    pub rooms: Rooms,
    /// `[auto_away]`: when the presence goes away by itself.
    pub auto_away: crate::domain::away::Rules,
}

impl Config {
    /// The nick `account` sends: its own `presence.nick` if set (`""`: none), else the global one.
    pub fn nick_for(&self, account: &Account) -> Option<String> {
        match &account.presence.nick {
            Some(nick) => Some(nick.clone()).filter(|n| !n.trim().is_empty()),
            None => self.nick.clone(),
        }
    }

    /// The presence `account` starts with: the global `[presence]` with its overrides applied.
    pub fn presence_for(&self, account: &Account) -> OwnPresence {
        account.presence.apply(&self.presence)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    account: Option<account::RawAccounts>,
    presence: Option<presence::RawPresence>,
    watch: Option<settings::RawWatch>,
    keys: Option<BTreeMap<String, settings::RawKeys>>,
    storage: Option<settings::RawStorage>,
    roster: Option<settings::RawRoster>,
    notify: Option<settings::RawNotify>,
    ui: Option<ui::RawUi>,
    rooms: Option<settings::RawRooms>,
    auto_away: Option<auto_away::RawAutoAway>,
}

/// A mistake at one key (`account[2].port`) and what is wrong with it, before the file's
/// path is attached.
struct Bad {
    key: String,
    message: String,
}

fn bad(key: impl Into<String>, message: impl Into<String>) -> Bad {
    Bad {
        key: key.into(),
        message: message.into(),
    }
}

impl Bad {
    fn in_file(self, path: &Path) -> ConfigError {
        ConfigError::Invalid {
            path: path.to_owned(),
            key: self.key,
            message: self.message,
        }
    }
}

/// `config.toml` in the per-user config directory (`~/.config/rosterm/` on Linux).
pub fn default_path() -> Result<PathBuf, ConfigError> {
    directories::ProjectDirs::from("", "", "rosterm")
        .map(|dirs| dirs.config_dir().join("config.toml"))
        .ok_or(ConfigError::NoConfigDir)
}

/// Reads and validates a config file.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ConfigError::NotFound {
                path: path.to_owned(),
            })
        }
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.to_owned(),
                source,
            })
        }
    };
    let mut config = parse(path, &text)?;
    let literal = |a: &Account| matches!(a.password, PasswordSource::Literal(_));
    if config.accounts.iter().any(literal) {
        if let Some(warning) = permission_warning(path) {
            config.warnings.push(warning);
        }
    }
    Ok(config)
}

/// Validates config text; `path` is only used in messages and to resolve relative paths.
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| locate::error(path, text, e))?;
    let in_file = |bad: Bad| bad.in_file(path);
    let accounts = account::validate_all(raw.account, path).map_err(in_file)?;
    let presence::Global {
        presence,
        nick,
        start,
        presets,
    } = presence::validate_global(raw.presence).map_err(in_file)?;
    let (watch, notify) = settings::watch(raw.watch).map_err(in_file)?;
    let keymap = settings::keymap(raw.keys.unwrap_or_default()).map_err(in_file)?;
    let (account_display, aggregate) = settings::roster(raw.roster).map_err(in_file)?;
    let message_notify = settings::notify(raw.notify).map_err(in_file)?;
    let theme = ui::theme(raw.ui, path)?;
    let rooms = settings::rooms(raw.rooms).map_err(in_file)?;
    let auto_away = auto_away::auto_away(raw.auto_away).map_err(in_file)?;
    Ok(Config {
        rooms,
        auto_away,
        storage: settings::storage(raw.storage, path),
        path: path.to_owned(),
        accounts,
        presence,
        status_on_start: start,
        presets,
        nick,
        watch,
        notify,
        message_notify,
        keymap,
        warnings: Vec::new(),
        account_display,
        aggregate,
        theme,
    })
}

/// A relative path in the config is relative to the config file's directory.
fn resolve_relative(config_path: &Path, p: PathBuf) -> PathBuf {
    if p.is_absolute() {
        return p;
    }
    match config_path.parent() {
        Some(dir) => dir.join(p),
        None => p,
    }
}

#[cfg(unix)]
fn permission_warning(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    (mode & 0o077 != 0).then(|| {
        format!(
            "{} holds a password and is readable by other users (mode {:o}): run chmod 600 on it",
            path.display(),
            mode & 0o777
        )
    })
}

#[cfg(not(unix))]
fn permission_warning(_path: &Path) -> Option<String> {
    None
}

/// Turns the password source into the password: runs `password_command` (via `sh -c`, 10 s
/// timeout) and takes the first line of its output (see `password`).
pub fn resolve_password(source: &PasswordSource) -> Result<Secret, ConfigError> {
    match source {
        PasswordSource::Literal(secret) => Ok(secret.clone()),
        PasswordSource::Command(command) => {
            password::run(command, password::TIMEOUT).map_err(|message| {
                ConfigError::PasswordCommand {
                    command: command.clone(),
                    message,
                }
            })
        }
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "config_accounts_tests.rs"]
mod accounts_tests;
