//! The TOML config: raw serde structs (every field optional, unknown keys rejected) turned into
//! a validated [`Config`], with errors that name the file, the key and what would be valid.
//! `password`: running `password_command`.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use jid::BareJid;
use serde::Deserialize;

use crate::domain::{Notify, OwnPresence, Show};
use crate::keymap::{Keymap, KeymapError};

pub mod password;

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
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    Literal(Secret),
    /// Run with `sh -c`; the first line of stdout is the password.
    Command(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    StartTls,
    Direct,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub jid: BareJid,
    pub password: PasswordSource,
    pub resource: Option<String>,
    pub server: Option<String>,
    pub port: Option<u16>,
    pub tls: TlsMode,
    pub ca_file: Option<PathBuf>,
    /// SHA-256 of the server's certificate (DER), trusted instead of a CA chain when set.
    pub cert_fingerprint: Option<[u8; 32]>,
    /// Seconds of silence before rosterm probes the connection (dead after this + up to 15 s).
    pub keepalive: u64,
    /// The DNS server to ask (SRV and addresses) instead of the system's resolver.
    pub dns_server: Option<SocketAddr>,
}

/// Default for `account.keepalive`.
pub const DEFAULT_KEEPALIVE: u64 = 60;

#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    pub account: Account,
    pub presence: OwnPresence,
    /// XEP-0172 nick sent with presence and subscription requests.
    pub nick: Option<String>,
    /// Contacts whose changes are announced.
    pub watch: Vec<BareJid>,
    pub notify: Notify,
    pub keymap: Keymap,
    /// Things worth telling the user at startup (e.g. a world-readable password file).
    pub warnings: Vec<String>,
    /// Where rosterm keeps its local database; `None`: nothing is written to disk.
    pub storage: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    account: Option<RawAccount>,
    presence: Option<RawPresence>,
    watch: Option<RawWatch>,
    keys: Option<BTreeMap<String, RawKeys>>,
    storage: Option<RawStorage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStorage {
    enabled: Option<bool>,
    path: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWatch {
    contacts: Option<Vec<String>>,
    notify: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    jid: Option<String>,
    password: Option<String>,
    password_command: Option<String>,
    resource: Option<String>,
    server: Option<String>,
    port: Option<i64>,
    tls: Option<String>,
    ca_file: Option<PathBuf>,
    cert_fingerprint: Option<String>,
    keepalive: Option<i64>,
    dns_server: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPresence {
    show: Option<String>,
    status: Option<String>,
    priority: Option<i64>,
    nick: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawKeys {
    One(String),
    Many(Vec<String>),
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
    if matches!(config.account.password, PasswordSource::Literal(_)) {
        if let Some(warning) = permission_warning(path) {
            config.warnings.push(warning);
        }
    }
    Ok(config)
}

/// Validates config text; `path` is only used in messages.
#[allow(clippy::too_many_lines)] // being split by section (issue 9)
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: path.to_owned(),
        message: toml_message(&e),
    })?;
    let invalid = |key: &str, message: String| ConfigError::Invalid {
        path: path.to_owned(),
        key: key.to_owned(),
        message,
    };

    let account = raw.account.ok_or_else(|| {
        invalid(
            "[account]",
            "missing; it needs at least jid and password (or password_command)".into(),
        )
    })?;
    let jid_text = account.jid.ok_or_else(|| {
        invalid(
            "account.jid",
            "missing; set it to your bare JID, e.g. \"alice@example.org\"".into(),
        )
    })?;
    let jid = BareJid::new(&jid_text).map_err(|e| {
        invalid(
            "account.jid",
            format!("{jid_text:?} is not a valid JID ({e}); expected a bare JID like \"alice@example.org\""),
        )
    })?;
    if jid.node().is_none() {
        return Err(invalid(
            "account.jid",
            format!(
                "{jid_text:?} has no user part; expected a bare JID like \"alice@example.org\""
            ),
        ));
    }
    let password = match (account.password, account.password_command) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "account.password",
                "set either password or password_command, not both".into(),
            ))
        }
        (Some(p), None) => PasswordSource::Literal(Secret(p)),
        (None, Some(cmd)) if !cmd.trim().is_empty() => PasswordSource::Command(cmd),
        (None, Some(_)) => return Err(invalid("account.password_command", "is empty".into())),
        (None, None) => {
            return Err(invalid(
                "account.password",
                "missing; set password or password_command".into(),
            ))
        }
    };
    let resource = match account.resource {
        Some(r) if r.trim().is_empty() => {
            return Err(invalid(
                "account.resource",
                "is empty; remove it to let the server choose".into(),
            ))
        }
        Some(r) => {
            jid::FullJid::new(&format!("{jid}/{r}")).map_err(|e| {
                invalid(
                    "account.resource",
                    format!("{r:?} is not a valid resource ({e})"),
                )
            })?;
            Some(r)
        }
        None => None,
    };
    let port = match account.port {
        None => None,
        Some(p) => Some(u16::try_from(p).ok().filter(|p| *p > 0).ok_or_else(|| {
            invalid(
                "account.port",
                format!("{p} is not a TCP port; expected 1..65535"),
            )
        })?),
    };
    let tls = match account.tls.as_deref() {
        None | Some("starttls") => TlsMode::StartTls,
        Some("direct") => TlsMode::Direct,
        Some(other) => {
            return Err(invalid(
                "account.tls",
                format!("{other:?} is not a TLS mode; expected \"starttls\" or \"direct\""),
            ))
        }
    };
    if let Some(server) = &account.server {
        if server.trim().is_empty() || server.contains(char::is_whitespace) {
            return Err(invalid(
                "account.server",
                format!("{server:?} is not a host name or address"),
            ));
        }
    }
    let ca_file = account.ca_file.map(|p| resolve_relative(path, p));
    let cert_fingerprint = match &account.cert_fingerprint {
        None => None,
        Some(text) => Some(parse_fingerprint(text).ok_or_else(|| {
            invalid(
                "account.cert_fingerprint",
                format!("{text:?} is not a SHA-256 fingerprint; expected \"sha256:\" and 64 hex digits (colons allowed), as rosterm prints for a refused certificate"),
            )
        })?),
    };
    let keepalive = match account.keepalive {
        None => DEFAULT_KEEPALIVE,
        Some(k) => u64::try_from(k)
            .ok()
            .filter(|k| (2..=3600).contains(k))
            .ok_or_else(|| {
                invalid(
                    "account.keepalive",
                    format!("{k} is out of range; expected 2..3600 seconds"),
                )
            })?,
    };

    let dns_server = match &account.dns_server {
        None => None,
        Some(text) => Some(parse_dns_server(text).ok_or_else(|| {
            invalid(
                "account.dns_server",
                format!("{text:?} is not a DNS server address; expected an IP address with an optional port, such as \"127.0.0.1\", \"127.0.0.1:5353\" or \"[::1]:53\""),
            )
        })?),
    };

    let raw_presence = raw.presence.unwrap_or(RawPresence {
        show: None,
        status: None,
        priority: None,
        nick: None,
    });
    let nick = raw_presence.nick.clone().filter(|n| !n.trim().is_empty());
    let show = match raw_presence.show.as_deref() {
        None => Show::Online,
        Some(s) => Show::parse(s).ok_or_else(|| {
            invalid(
                "presence.show",
                format!("{s:?} is not a presence; expected one of online, chat, away, xa, dnd"),
            )
        })?,
    };
    let priority = match raw_presence.priority {
        None => 0,
        Some(p) => i8::try_from(p).map_err(|_| {
            invalid(
                "presence.priority",
                format!("{p} is out of range; expected -128..127"),
            )
        })?,
    };
    let presence = OwnPresence {
        show,
        status: raw_presence.status.unwrap_or_default(),
        priority,
    };

    let raw_watch = raw.watch.unwrap_or(RawWatch {
        contacts: None,
        notify: None,
    });
    let watch = raw_watch
        .contacts
        .unwrap_or_default()
        .iter()
        .map(|j| {
            BareJid::new(j).map_err(|_| {
                invalid(
                    "watch.contacts",
                    format!("{j:?} is not a bare JID, like \"bob@example.org\""),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let notify = match raw_watch.notify.as_deref() {
        None | Some("bell") => Notify::Bell,
        Some("desktop") => Notify::Desktop,
        Some("none") => Notify::None,
        Some(other) => {
            return Err(invalid(
                "watch.notify",
                format!(
                    "{other:?} is not a way to notify; expected \"bell\", \"desktop\" or \"none\""
                ),
            ))
        }
    };
    let keys: BTreeMap<String, Vec<String>> = raw
        .keys
        .unwrap_or_default()
        .into_iter()
        .map(|(action, keys)| match keys {
            RawKeys::One(k) => (action, vec![k]),
            RawKeys::Many(ks) => (action, ks),
        })
        .collect();
    let keymap = Keymap::with_overrides(&keys).map_err(|e| match e {
        KeymapError::UnknownAction { action, valid } => invalid(
            &format!("keys.{action}"),
            format!("unknown action; valid actions: {valid}"),
        ),
        KeymapError::BadKey {
            action,
            key,
            reason,
        } => invalid(
            &format!("keys.{action}"),
            format!("{key:?} is not a key: {reason}"),
        ),
    })?;

    let storage = match raw.storage {
        Some(RawStorage {
            enabled: Some(false),
            ..
        }) => None,
        Some(RawStorage { path: Some(p), .. }) => Some(resolve_relative(path, p)),
        _ => default_storage_path(),
    };

    Ok(Config {
        storage,
        path: path.to_owned(),
        account: Account {
            jid,
            password,
            resource,
            server: account.server,
            port,
            tls,
            ca_file,
            cert_fingerprint,
            keepalive,
            dns_server,
        },
        presence,
        nick,
        watch,
        notify,
        keymap,
        warnings: Vec::new(),
    })
}

/// Parses "sha256:AB:CD:..." (or the hex alone) into the 32 digest bytes.
pub fn parse_fingerprint(text: &str) -> Option<[u8; 32]> {
    let hex: String = text
        .trim()
        .strip_prefix("sha256:")
        .or_else(|| text.trim().strip_prefix("SHA256:"))
        .unwrap_or(text.trim())
        .chars()
        .filter(|c| *c != ':')
        .collect();
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// "1.2.3.4", "1.2.3.4:5353", "::1", "[::1]:5353"; port 53 when none is given.
fn parse_dns_server(text: &str) -> Option<SocketAddr> {
    let text = text.trim();
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(SocketAddr::new(ip, 53));
    }
    text.parse::<SocketAddr>().ok().filter(|a| a.port() != 0)
}

/// toml's multi-line report as one line: "TOML parse error at line 3, column 5: <what>".
fn toml_message(e: &toml::de::Error) -> String {
    let text = e.to_string();
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("TOML parse error");
    match lines.next_back() {
        Some(last) => format!("{first}: {}", last.trim_start_matches('|').trim()),
        None => first.to_owned(),
    }
}

/// A relative `ca_file` is relative to the config file's directory.
/// `rosterm.sqlite3` in the per-user data directory (`~/.local/share/rosterm/` on Linux).
pub fn default_storage_path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "rosterm")?;
    Some(dirs.data_dir().join("rosterm.sqlite3"))
}

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
