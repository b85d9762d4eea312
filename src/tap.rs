//! The control socket: a running rosterm answers `rosterm ctl …`, `rosterm events` and
//! `rosterm status` on a Unix socket in the per-user runtime directory
//! (`$XDG_RUNTIME_DIR/rosterm/`, else `/tmp/rosterm-UID/`; the directory mode 0700, the
//! socket 0600, and every connection's peer uid checked). One socket per config file, so a
//! second instance with the same config is refused and one with another config is not; a
//! socket left by a crashed instance (nothing answers on it) is replaced.
//!
//! The protocol is JSON lines: the client sends one [`Request`]; a command gets one
//! [`Reply`]; `events` gets the current presence set (`"action": "present"`) and then one
//! line per change until it hangs up (shapes in docs/EVENTS.md).
//!
//! - `hub`: the loop's side: requests carried out on the state, subscribers fed without ever
//!   waiting for them (a bounded queue each; a reader that falls behind is told how many
//!   lines it missed).
//! - `event`: what a session event changed, as JSON lines.
//! - `server`: the listener task and one task per connection.
//! - `client`: the `ctl` / `events` / `status` commands' side.

pub mod client;
pub mod event;
pub mod hub;
pub mod server;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// What a client asks for (one JSON line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    /// Set the presence of every account, or of the one named.
    Presence {
        show: String,
        status: Option<String>,
        account: Option<String>,
    },
    /// Send a message (opens its conversation in the background).
    Msg {
        to: String,
        text: String,
        account: Option<String>,
    },
    Join {
        room: String,
    },
    Who {
        json: bool,
    },
    Status,
    /// Stream every change (of these types; of this contact only).
    Events {
        types: Vec<String>,
        jid: Option<String>,
    },
}

/// The answer to a command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub ok: bool,
    /// What rosterm said (or the report asked for).
    pub text: String,
    /// `status`: the values `--format` may name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusLine>,
}

impl Reply {
    pub fn ok(text: impl Into<String>) -> Reply {
        Reply {
            ok: true,
            text: text.into(),
            status: None,
        }
    }

    pub fn refused(text: impl Into<String>) -> Reply {
        Reply {
            ok: false,
            text: text.into(),
            status: None,
        }
    }
}

/// What `rosterm status` can print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusLine {
    /// The first account's own show (online, chat, away, xa, dnd; "offline" after /offline).
    pub show: String,
    pub status: String,
    pub unread: usize,
    /// Contacts available in every account.
    pub online: usize,
    pub accounts: usize,
    /// Accounts connected now.
    pub connected: usize,
}

/// The event types `rosterm events --filter` knows.
pub const TYPES: &[&str] = &["presence", "message", "subscription", "connection", "room"];

#[derive(Debug, thiserror::Error)]
pub enum TapError {
    #[error("another rosterm is running with this config (its control socket is {0}); quit it first, or start this one with another --config")]
    Running(PathBuf),
    #[error("cannot use the control socket {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The directory of the control sockets: private to the user.
pub fn socket_dir() -> PathBuf {
    match std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => PathBuf::from(dir).join("rosterm"),
        None => PathBuf::from(format!("/tmp/rosterm-{}", own_uid())),
    }
}

/// The socket of the instance started with this config file.
pub fn socket_path(config: &Path) -> PathBuf {
    let canonical = std::fs::canonicalize(config).unwrap_or_else(|_| config.to_owned());
    socket_dir().join(format!(
        "{:016x}.sock",
        fnv1a(canonical.to_string_lossy().as_bytes())
    ))
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// This process's user id (the owner of what it creates).
pub fn own_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map_or(u32::MAX, |m| m.uid())
}

#[cfg(test)]
mod tests;
