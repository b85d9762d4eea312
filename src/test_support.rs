//! Shared fixtures for unit tests: JIDs, roster items, presence events, key presses and a
//! state with a few contacts.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jid::BareJid;

use crate::domain::{AccountId, RosterItem, Show, Subscription};
use crate::event::{PresenceChange, SessionEvent};

/// The first (or only) account.
pub const A0: AccountId = AccountId(0);
/// A second account.
pub const A1: AccountId = AccountId(1);

pub fn jid(s: &str) -> BareJid {
    BareJid::new(s).unwrap()
}

/// A roster item with subscription both; an empty name means none.
pub fn item(j: &str, name: &str, groups: &[&str]) -> RosterItem {
    RosterItem {
        jid: jid(j),
        name: (!name.is_empty()).then(|| name.to_owned()),
        groups: groups.iter().map(|g| (*g).to_owned()).collect(),
        subscription: Subscription::Both,
        pending_out: false,
    }
}

pub fn avail(from: &str, res: &str, show: Show, prio: i8, status: &str) -> SessionEvent {
    SessionEvent::Presence {
        from: jid(from),
        resource: Some(res.to_owned()),
        change: PresenceChange::Available {
            show,
            status: status.into(),
            priority: prio,
            nick: None,
            odd_show: None,
        },
    }
}

pub fn unavail(from: &str, res: Option<&str>) -> SessionEvent {
    SessionEvent::Presence {
        from: jid(from),
        resource: res.map(str::to_owned),
        change: PresenceChange::Unavailable {
            status: "bye".into(),
        },
    }
}

pub fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

pub fn code(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}
