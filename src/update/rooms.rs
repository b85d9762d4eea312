//! Rooms from the user's side: `/join`, `/leave`, `/nick` and `/topic` in a room, the
//! bookmarks (`/bookmark`, `/bookmarks`, `/unbookmark`, autojoin), and what a room message
//! means for the user (a mention rings the notifier).

use jid::{BareJid, Jid};

use crate::domain::room::Bookmark;
use crate::domain::{AccountId, ContactId, Message, Notify, Show};
use crate::event::Command;
use crate::store::chat::Older;
use crate::store::{Severity, State};
use crate::update::presence::Scope;
use crate::update::{chat, Effect};

fn say(state: &mut State, text: String, severity: Severity) -> Vec<Effect> {
    state.ui.message = Some((text, severity));
    Vec::new()
}

/// The account a room command is for: the one named, else the focused conversation's,
/// else the first.
fn account_for(state: &State, scope: Scope) -> AccountId {
    match scope {
        Scope::One(id) => id,
        Scope::All => chat::focused(state).map_or(state.primary().id, |c| c.account),
    }
}

/// `/join room@service[/nick] [password]`: opens the room's pane with its input focused
/// and joins.
pub fn join(
    state: &mut State,
    scope: Scope,
    target: &Jid,
    password: Option<String>,
) -> Vec<Effect> {
    let account = account_for(state, scope);
    let effects = join_unfocused(state, account, target, password);
    chat::focus(state, ContactId::new(account, target.to_bare()));
    effects
}

/// Joins a room on `account` without moving the focus (autojoin, `[rooms] join`,
/// `rosterm ctl join`).
pub fn join_unfocused(
    state: &mut State,
    account: AccountId,
    target: &Jid,
    password: Option<String>,
) -> Vec<Effect> {
    let room = target.to_bare();
    let id = ContactId::new(account, room.clone());
    if state.chats.room(&id).is_some_and(|r| r.joined()) {
        return Vec::new();
    }
    let nick = target
        .resource()
        .map_or_else(|| state.room_nick(account), |r| r.to_string());
    let opened = state.chats.open_room(&id, &nick, password.clone());
    let mut effects = Vec::new();
    if opened {
        if let Some(chat) = state.chats.get_mut(&id) {
            chat.older = Older::Loading;
        }
        effects.push(Effect::LoadHistory {
            chat: id.clone(),
            before: None,
        });
    }
    state.ui.message = Some((format!("Joining {room} as {nick}…"), Severity::Info));
    effects.push(Effect::Send(
        account,
        Command::JoinRoom {
            room,
            nick,
            password,
            after: None,
            since: None,
        },
    ));
    effects
}

/// The room on screen, or a sentence saying there is none.
fn focused_room(state: &mut State, command: &str) -> Option<ContactId> {
    let id = chat::focused(state).filter(|id| state.chats.room(id).is_some());
    if id.is_none() {
        state.ui.message = Some((
            format!("/{command} works in a room's pane; /join one first."),
            Severity::Error,
        ));
    }
    id
}

/// `/leave [reason]`: the pane stays, saying the user left (`/close` closes it).
pub fn leave(state: &mut State, reason: Option<String>) -> Vec<Effect> {
    let Some(id) = focused_room(state, "leave") else {
        return Vec::new();
    };
    leave_room(state, &id, reason)
}

pub fn leave_room(state: &mut State, id: &ContactId, reason: Option<String>) -> Vec<Effect> {
    state.ui.message = Some((format!("Leaving {}…", id.jid), Severity::Info));
    vec![Effect::Send(
        id.account,
        Command::LeaveRoom {
            room: id.jid.clone(),
            reason,
        },
    )]
}

/// `/nick new` in a room's pane: the nick in that room.
pub fn nick(state: &mut State, nick: String) -> Vec<Effect> {
    let Some(id) = focused_room(state, "nick") else {
        return Vec::new();
    };
    state.ui.message = Some((
        format!("Asking {} for the nick {nick}…", id.jid),
        Severity::Info,
    ));
    vec![Effect::Send(
        id.account,
        Command::RoomNick { room: id.jid, nick },
    )]
}

/// `/topic`: shows the topic; `/topic text` sets it.
pub fn topic(state: &mut State, text: Option<String>) -> Vec<Effect> {
    let Some(id) = focused_room(state, "topic") else {
        return Vec::new();
    };
    let Some(text) = text else {
        let shown = match state.chats.room(&id).and_then(|r| r.subject.clone()) {
            Some((t, Some(by))) => format!("Topic of {}: {t} (set by {by})", id.jid),
            Some((t, None)) => format!("Topic of {}: {t}", id.jid),
            None => format!("{} has no topic.", id.jid),
        };
        return say(state, shown, Severity::Info);
    };
    vec![Effect::Send(
        id.account,
        Command::SetSubject { room: id.jid, text },
    )]
}

/// `/bookmark`: the room on screen, joined at every login, with the nick in use.
pub fn bookmark(state: &mut State) -> Vec<Effect> {
    let Some(id) = focused_room(state, "bookmark") else {
        return Vec::new();
    };
    let Some(room) = state.chats.room(&id) else {
        return Vec::new();
    };
    let bookmark = Bookmark {
        room: id.jid.clone(),
        name: None,
        nick: Some(room.nick.clone()),
        password: room.password.clone(),
        autojoin: true,
    };
    state.ui.message = Some((format!("Bookmarked {} (autojoin).", id.jid), Severity::Info));
    vec![Effect::Send(id.account, Command::SetBookmark(bookmark))]
}

/// `/bookmarks`: every account's bookmarks on the status line.
pub fn list_bookmarks(state: &mut State) -> Vec<Effect> {
    let mut shown = Vec::new();
    for account in state.accounts.values() {
        for b in &account.bookmarks {
            let mut item = b.room.to_string();
            if b.autojoin {
                item.push_str(" (autojoin)");
            }
            if state.multi() {
                item = format!("{}: {item}", account.name);
            }
            shown.push(item);
        }
    }
    let text = if shown.is_empty() {
        "No bookmarks; /bookmark in a room adds it.".to_owned()
    } else {
        format!("Bookmarks: {}", shown.join(", "))
    };
    say(state, text, Severity::Info)
}

/// `/unbookmark [room]`.
pub fn unbookmark(state: &mut State, scope: Scope, room: Option<BareJid>) -> Vec<Effect> {
    let (account, room) = match room {
        Some(room) => (account_for(state, scope), room),
        None => match focused_room(state, "unbookmark") {
            Some(id) => (id.account, id.jid),
            None => return Vec::new(),
        },
    };
    state.ui.message = Some((format!("Removing the bookmark of {room}."), Severity::Info));
    vec![Effect::Send(account, Command::RemoveBookmark(room))]
}

/// The account's bookmarks came: join those with autojoin that are not open yet.
pub fn autojoin(state: &mut State, account: AccountId) -> Vec<Effect> {
    let Some(a) = state.account(account) else {
        return Vec::new();
    };
    let due: Vec<(Jid, Option<String>)> = a
        .bookmarks
        .iter()
        .filter(|b| b.autojoin)
        .filter(|b| {
            state
                .chats
                .get(&ContactId::new(account, b.room.clone()))
                .is_none()
        })
        .map(|b| {
            let target = b
                .nick
                .as_deref()
                .and_then(|n| Jid::new(&format!("{}/{n}", b.room)).ok())
                .unwrap_or_else(|| Jid::from(b.room.clone()));
            (target, b.password.clone())
        })
        .collect();
    let message = state.ui.message.clone();
    let mut effects = Vec::new();
    for (target, password) in due {
        effects.extend(join_unfocused(state, account, &target, password));
    }
    // Joining in the background is not worth replacing what the status line says.
    state.ui.message = message;
    effects
}

/// A room message: shown; a mention the user does not see rings the notifier (not while
/// the account is DND).
pub fn on_message(state: &mut State, account: AccountId, message: Message) -> Vec<Effect> {
    let room = message.peer.clone();
    let nick = message.resource.clone().unwrap_or_default();
    let preview = super::network::preview(&message.body);
    let (_, mention) = state.receive_room_message(account, message);
    let id = ContactId::new(account, room.clone());
    if !mention || state.chat_focused(&id) {
        return Vec::new();
    }
    let text = format!("✉ {room}: {nick}: {preview}");
    state.ui.message = Some((text.clone(), Severity::Watch));
    let dnd = state
        .account(account)
        .is_some_and(|a| a.own.show == Show::Dnd);
    if dnd || state.settings.message_notify == Notify::None {
        return Vec::new();
    }
    vec![Effect::NotifyMessage(text)]
}

#[cfg(test)]
#[path = "rooms_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "rooms_private_tests.rs"]
mod private_tests;
