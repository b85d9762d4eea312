//! The sections that are not about an account: `[watch]`, `[keys]`, `[storage]`, `[roster]`,
//! `[rooms]`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jid::BareJid;
use serde::Deserialize;

use super::{bad, resolve_relative, Bad};
use crate::domain::{AccountDisplay, Aggregate, Notify};
use crate::keymap::{Keymap, KeymapError};

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWatch {
    contacts: Option<Vec<String>>,
    notify: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged, expecting = "expected a key or a list of keys")]
pub(super) enum RawKeys {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStorage {
    enabled: Option<bool>,
    path: Option<PathBuf>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNotify {
    messages: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRoster {
    accounts: Option<String>,
    aggregate: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRooms {
    nick: Option<String>,
    join: Option<Vec<String>>,
}

/// `[rooms]`, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rooms {
    /// The nick rooms are joined with (None: the account's nick, else the JID's local part).
    pub nick: Option<String>,
    /// Rooms joined at start on the first account: `room@service` or `room@service/nick`.
    pub join: Vec<jid::Jid>,
}

/// `[rooms]`: the nick and the rooms to join at start.
pub(super) fn rooms(raw: Option<RawRooms>) -> Result<Rooms, Bad> {
    let raw = raw.unwrap_or_default();
    let nick = raw.nick.filter(|n| !n.trim().is_empty());
    let join = raw
        .join
        .unwrap_or_default()
        .iter()
        .map(|r| match jid::Jid::new(r) {
            Ok(j) if j.node().is_some() => Ok(j),
            _ => Err(bad(
                "rooms.join",
                format!("{r:?} is not a room address, like \"room@conference.example.org\""),
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Rooms { nick, join })
}

/// `[watch]`: the watched contacts and how they are announced.
pub(super) fn watch(raw: Option<RawWatch>) -> Result<(Vec<BareJid>, Notify), Bad> {
    let raw = raw.unwrap_or_default();
    let contacts = raw
        .contacts
        .unwrap_or_default()
        .iter()
        .map(|j| {
            BareJid::new(j).map_err(|_| {
                bad(
                    "watch.contacts",
                    format!("{j:?} is not a bare JID, like \"bob@example.org\""),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let notify = notify_method(raw.notify.as_deref(), "watch.notify")?;
    Ok((contacts, notify))
}

/// `[notify]`: how a message in a conversation that is not on screen is announced.
pub(super) fn notify(raw: Option<RawNotify>) -> Result<Notify, Bad> {
    notify_method(
        raw.unwrap_or_default().messages.as_deref(),
        "notify.messages",
    )
}

fn notify_method(value: Option<&str>, key: &str) -> Result<Notify, Bad> {
    match value {
        None | Some("bell") => Ok(Notify::Bell),
        Some("desktop") => Ok(Notify::Desktop),
        Some("none") => Ok(Notify::None),
        Some(other) => Err(bad(
            key,
            format!("{other:?} is not a way to notify; expected \"bell\", \"desktop\" or \"none\""),
        )),
    }
}

/// `[keys]`: the default keymap with the user's bindings applied.
pub(super) fn keymap(raw: BTreeMap<String, RawKeys>) -> Result<Keymap, Bad> {
    let keys: BTreeMap<String, Vec<String>> = raw
        .into_iter()
        .map(|(action, keys)| match keys {
            RawKeys::One(k) => (action, vec![k]),
            RawKeys::Many(ks) => (action, ks),
        })
        .collect();
    Keymap::with_overrides(&keys).map_err(|e| match e {
        KeymapError::UnknownAction { action, valid } => bad(
            format!("keys.{action}"),
            format!("unknown action; valid actions: {valid}"),
        ),
        KeymapError::BadKey {
            action,
            key,
            reason,
        } => bad(
            format!("keys.{action}"),
            format!("{key:?} is not a key: {reason}"),
        ),
    })
}

/// `[storage]`: the database file, or `None` when storage is off.
pub(super) fn storage(raw: Option<RawStorage>, config_path: &Path) -> Option<PathBuf> {
    match raw {
        Some(RawStorage {
            enabled: Some(false),
            ..
        }) => None,
        Some(RawStorage { path: Some(p), .. }) => Some(resolve_relative(config_path, p)),
        _ => default_storage_path(),
    }
}

/// `[roster]`: how the contacts of several accounts are shown, and which resource a
/// contact's row shows.
pub(super) fn roster(raw: Option<RawRoster>) -> Result<(AccountDisplay, Aggregate), Bad> {
    let raw = raw.unwrap_or_default();
    let display = match raw.accounts.as_deref() {
        None | Some("tag") => AccountDisplay::Tag,
        Some("group") => AccountDisplay::Group,
        Some(other) => return Err(bad(
            "roster.accounts",
            format!("{other:?} is not a way to show accounts; expected \"tag\" (a tag on each contact) or \"group\" (one section per account)"),
        )),
    };
    let aggregate = match raw.aggregate.as_deref() {
        None => Aggregate::default(),
        Some(s) => Aggregate::parse(s).ok_or_else(|| {
            bad(
                "roster.aggregate",
                format!("{s:?} is not a rule; expected \"priority\", \"most-available\" or \"dnd-wins\""),
            )
        })?,
    };
    Ok((display, aggregate))
}

/// `rosterm.sqlite3` in the per-user data directory (`~/.local/share/rosterm/` on Linux).
pub fn default_storage_path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "rosterm")?;
    Some(dirs.data_dir().join("rosterm.sqlite3"))
}
