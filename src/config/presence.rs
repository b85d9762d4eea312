//! `[presence]` (what every account sends after login) and each account's `presence`
//! sub-table, which overrides some of it for that account. Both are checked by the same code.

use serde::Deserialize;

use super::{bad, Bad};
use crate::domain::{OwnPresence, Show};

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPresence {
    show: Option<String>,
    status: Option<String>,
    priority: Option<i64>,
    nick: Option<String>,
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

/// The global `[presence]` and nick (an empty nick is none); `table` is `"presence"`.
pub(super) fn validate_global(
    raw: Option<RawPresence>,
) -> Result<(OwnPresence, Option<String>), Bad> {
    let raw = raw.unwrap_or_default();
    let over = validate(raw, "presence")?;
    let presence = over.apply(&OwnPresence::default());
    let nick = over.nick.filter(|n| !n.trim().is_empty());
    Ok((presence, nick))
}

/// An account's `presence` sub-table; `table` names it in errors (`account[2].presence`).
pub(super) fn validate(raw: RawPresence, table: &str) -> Result<PresenceOverride, Bad> {
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
