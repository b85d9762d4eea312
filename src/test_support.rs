//! Shared fixtures for unit tests: JIDs, roster items, presence events, key presses and a
//! state with a few contacts.

use std::time::SystemTime;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jid::BareJid;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;

use crate::domain::{AccountId, OwnPresence, RosterItem, Show, Subscription};
use crate::event::{PresenceChange, SessionEvent};
use crate::keymap::Keymap;
use crate::store::State;
use crate::update;

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

pub fn item_in(j: &str, name: &str, group: &str) -> RosterItem {
    RosterItem {
        jid: jid(j),
        name: Some(name.to_owned()),
        groups: if group.is_empty() {
            vec![]
        } else {
            vec![group.to_owned()]
        },
        subscription: Subscription::Both,
        pending_out: false,
    }
}

pub fn presence(s: &mut State, from: &str, res: &str, show: Show, prio: i8, status: &str) {
    s.apply_at(
        A0,
        SessionEvent::Presence {
            from: jid(from),
            resource: Some(res.into()),
            change: PresenceChange::Available {
                show,
                status: status.into(),
                priority: prio,
                nick: None,
                odd_show: None,
            },
        },
        SystemTime::UNIX_EPOCH,
    );
}

/// A roster with every state: chat, online, away, xa, dnd, offline, error, multi-resource.
pub fn mixed_state() -> State {
    let mut s = State::new(
        jid("alice@example.org"),
        OwnPresence {
            show: Show::Away,
            status: "lunch".into(),
            priority: 5,
        },
    );
    s.apply(
        A0,
        SessionEvent::SessionStarted {
            bound: "alice@example.org/rosterm".into(),
        },
    );
    s.apply(
        A0,
        SessionEvent::OwnPresenceEcho {
            show: Show::Away,
            status: "lunch".into(),
            priority: 5,
        },
    );
    s.apply(
        A0,
        SessionEvent::RosterReceived(vec![
            item_in("bob@example.org", "Bob", "Friends"),
            item_in("carol@example.org", "Carol", "Friends"),
            item_in("dave@example.org", "Dave", "Friends"),
            item_in("erin@example.org", "Erin", "Work"),
            item_in("frank@example.org", "Frank", "Work"),
            item_in("grace@example.org", "Grace", "Work"),
            item_in("heidi@example.org", "Heidi", ""),
        ]),
    );
    mixed_presences(&mut s);
    s
}

/// Every state of the mixed roster: chat, away, online, dnd, xa, error, two resources.
fn mixed_presences(s: &mut State) {
    presence(s, "bob@example.org", "laptop", Show::Chat, 5, "Let's talk");
    presence(s, "bob@example.org", "phone", Show::Away, 1, "on the move");
    presence(s, "carol@example.org", "home", Show::Online, 0, "");
    presence(
        s,
        "erin@example.org",
        "office",
        Show::Dnd,
        10,
        "In a meeting",
    );
    presence(s, "frank@example.org", "pc", Show::Xa, -1, "On holiday");
    presence(s, "dave@example.org", "pc", Show::Away, 0, "Café ☕");
    s.apply(
        A0,
        SessionEvent::Presence {
            from: jid("grace@example.org"),
            resource: None,
            change: PresenceChange::Error {
                reason: "remote-server-not-found".into(),
            },
        },
    );
}

pub fn render(state: &mut State, width: u16, height: u16) -> Buffer {
    let keymap = Keymap::default();
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let area = ratatui::layout::Rect::new(0, 0, width, height);
    update::layout(state, crate::ui::roster_height_for(area, state));
    terminal
        .draw(|f| crate::ui::draw(f, state, &keymap))
        .unwrap();
    terminal.backend().buffer().clone()
}

pub fn text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The (x, y) of the first cell whose symbol is `sym` on the row containing `needle`.
pub fn cell_on_row(buf: &Buffer, needle: &str, sym: &str) -> (u16, u16) {
    let screen = text(buf);
    let y = screen
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not on screen:\n{screen}")) as u16;
    let x = (0..buf.area.width)
        .find(|x| buf[(*x, y)].symbol() == sym)
        .unwrap_or_else(|| panic!("{sym} not on row {y}"));
    (x, y)
}

/// A message from `peer` (resource "phone") with this id, arriving now.
pub fn incoming(peer: &str, id: &str, body: &str) -> crate::domain::Message {
    crate::domain::Message {
        peer: jid(peer),
        resource: Some("phone".into()),
        direction: crate::domain::Direction::In,
        body: body.into(),
        id: Some(id.into()),
        origin_id: None,
        stanza_id: None,
        at: SystemTime::now(),
        replaces: None,
        wants_receipt: true,
        via: crate::domain::Via::Live,
    }
}

/// An environment for code that reads variables through a lookup (`from_env(var)`).
pub fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |k| {
        vars.iter()
            .find(|(name, _)| *name == k)
            .map(|(_, v)| (*v).to_owned())
    }
}

/// Types `text` into the question at the bottom line (`/password`, `/register`…); no key
/// may have an effect on its own.
pub fn type_answer(state: &mut State, text: &str) {
    for c in text.chars() {
        assert!(crate::update::account_admin::on_key(state, key(c)).is_empty());
    }
}

/// Enter on the question at the bottom line.
pub fn enter_answer(state: &mut State) -> Vec<crate::update::Effect> {
    crate::update::account_admin::on_key(state, code(KeyCode::Enter))
}

/// The screen as text, 160×12.
pub fn screen_160x12(state: &mut State) -> String {
    text(&render(state, 160, 12))
}
