//! `[presence]` (what every account sends after login) and each account's `presence`
//! sub-table, which overrides some of it for that account. Both are checked by the same code.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{bad, Bad};
use crate::domain::presets::Presets;
use crate::domain::{OwnPresence, Show};

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPresence {
    show: Option<String>,
    status: Option<String>,
    priority: Option<i64>,
    nick: Option<String>,
    status_on_start: Option<String>,
    messages: Option<BTreeMap<String, RawTexts>>,
}

#[derive(Deserialize)]
#[serde(untagged, expecting = "expected a status text or a list of them")]
enum RawTexts {
    One(String),
    Many(Vec<String>),
}

/// `[presence] status_on_start`: what each account sends after its first login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StartStatus {
    /// `[presence]` (with the account's overrides).
    #[default]
    Config,
    /// The presence the account had when rosterm last quit (as the user set it: never an
    /// auto-away), else the config's.
    Last,
}

/// What `[presence]` holds besides the presence itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Global {
    pub presence: OwnPresence,
    pub nick: Option<String>,
    pub start: StartStatus,
    pub presets: Presets,
}

/// One account's `presence` sub-table: each field set replaces the global `[presence]` one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PresenceOverride {
    pub show: Option<Show>,
    pub status: Option<String>,
    pub priority: Option<i8>,
    /// `Some("")`: this account sends no nick, whatever the global one.
    pub nick: Option<String>,
}

impl PresenceOverride {
    /// `global` with this account's overrides applied.
    pub fn apply(&self, global: &OwnPresence) -> OwnPresence {
        OwnPresence {
            show: self.show.unwrap_or(global.show),
            status: self.status.clone().unwrap_or_else(|| global.status.clone()),
            priority: self.priority.unwrap_or(global.priority),
        }
    }
}

/// The global `[presence]`: presence, nick (an empty nick is none), start rule, presets.
pub(super) fn validate_global(raw: Option<RawPresence>) -> Result<Global, Bad> {
    let mut raw = raw.unwrap_or_default();
    let start = match raw.status_on_start.take().as_deref() {
        None | Some("config") => StartStatus::Config,
        Some("last") => StartStatus::Last,
        Some(other) => {
            return Err(bad(
                "presence.status_on_start",
                format!("{other:?} is not a choice; expected \"config\" or \"last\""),
            ))
        }
    };
    let presets = presets(raw.messages.take())?;
    let over = validate(raw, "presence")?;
    Ok(Global {
        presence: over.apply(&OwnPresence::default()),
        nick: over.nick.filter(|n| !n.trim().is_empty()),
        start,
        presets,
    })
}

/// `[presence.messages]`: a text or a list of texts per show.
fn presets(raw: Option<BTreeMap<String, RawTexts>>) -> Result<Presets, Bad> {
    let mut entries = Vec::new();
    for (key, texts) in raw.unwrap_or_default() {
        let show = Show::parse(&key).ok_or_else(|| {
            bad(
                format!("presence.messages.{key}"),
                "is not a presence; expected online, chat, away, xa or dnd",
            )
        })?;
        let texts = match texts {
            RawTexts::One(t) => vec![t],
            RawTexts::Many(list) => list,
        };
        if let Some(t) = texts.iter().find(|t| t.chars().any(char::is_control)) {
            return Err(bad(
                format!("presence.messages.{key}"),
                format!("{t:?} holds a control character"),
            ));
        }
        entries.push((show, texts));
    }
    Ok(Presets::new(entries))
}

/// An account's `presence` sub-table; `table` names it in errors (`account[2].presence`).
pub(super) fn validate(raw: RawPresence, table: &str) -> Result<PresenceOverride, Bad> {
    for (key, set) in [
        ("status_on_start", raw.status_on_start.is_some()),
        ("messages", raw.messages.is_some()),
    ] {
        if set {
            return Err(bad(
                format!("{table}.{key}"),
                "belongs in the global [presence] table only",
            ));
        }
    }
    let show = match raw.show {
        None => None,
        Some(s) => Some(Show::parse(&s).ok_or_else(|| {
            bad(
                format!("{table}.show"),
                format!("{s:?} is not a presence; expected one of online, chat, away, xa, dnd"),
            )
        })?),
    };
    let priority = match raw.priority {
        None => None,
        Some(p) => Some(i8::try_from(p).map_err(|_| {
            bad(
                format!("{table}.priority"),
                format!("{p} is out of range; expected -128..127"),
            )
        })?),
    };
    Ok(PresenceOverride {
        show,
        status: raw.status,
        priority,
        nick: raw.nick,
    })
}
