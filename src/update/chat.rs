//! Conversations: opening, switching and closing them, keys in a conversation's input
//! (typed text goes to the input, never to a presence key), sending, corrections, the
//! chat states the user's typing implies, and scrolling back into older messages.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::command;
use crate::domain::{ChatState, ContactId, Outgoing, Subscription};
use crate::event::Command;
use crate::keymap::{Action, Keymap, Pane};
use crate::store::chat::{Older, PAGE};
use crate::store::{Focus, Severity, State};
use crate::update::{commands, editor, Effect};

/// Longest message the input holds, in characters.
const MAX_DRAFT: usize = 10_000;

/// A new id for a message sent now: unique in this run (a counter) and across runs (the
/// random prefix the app sets at start).
pub fn next_id(state: &mut State) -> String {
    state.ui.sent += 1;
    format!("{}-{}", state.settings.id_prefix, state.ui.sent)
}

/// Opens `id`'s conversation and gives it the keyboard; its recent history is loaded when
/// it was not open yet.
pub fn open(state: &mut State, id: ContactId) -> Vec<Effect> {
    let effects = open_unfocused(state, &id);
    focus(state, id);
    effects
}

/// Opens `id`'s conversation if it is not open yet (its recent history is then loaded),
/// leaving the focus where it is.
fn open_unfocused(state: &mut State, id: &ContactId) -> Vec<Effect> {
    let stranger = state.is_stranger(id);
    if !state.chats.open(id, stranger) {
        return Vec::new();
    }
    if let Some(chat) = state.chats.get_mut(id) {
        chat.older = Older::Loading;
    }
    vec![Effect::LoadHistory {
        chat: id.clone(),
        before: None,
    }]
}

/// Shows a conversation that is open, marking it read.
pub fn focus(state: &mut State, id: ContactId) {
    if let Some(chat) = state.chats.get_mut(&id) {
        chat.unread = 0;
        if let Some(room) = chat.room.as_deref_mut() {
            room.mentions = 0;
        }
        state.ui.focus = Focus::Chat(id);
        // The "✉ new message" line has been read now.
        if state
            .ui
            .message
            .as_ref()
            .is_some_and(|(t, _)| t.starts_with('✉'))
        {
            state.ui.message = None;
        }
    }
}

/// The conversation with the keyboard, if any.
pub fn focused(state: &State) -> Option<ContactId> {
    match &state.ui.focus {
        Focus::Chat(id) => Some(id.clone()),
        Focus::Roster => None,
    }
}

/// The next (`step` 1) or previous (-1) open conversation; the roster counts as the first.
pub fn cycle(state: &mut State, step: isize) {
    let open = state.chats.open.clone();
    let current = focused(state).and_then(|id| open.iter().position(|o| *o == id));
    let slots = open.len() as isize + 1;
    let at = current.map_or(0, |i| i as isize + 1);
    match (at + step).rem_euclid(slots) {
        0 => state.ui.focus = Focus::Roster,
        n => focus(state, open[n as usize - 1].clone()),
    }
}

/// Alt-1..9: the n-th open conversation; Alt-0: the roster.
pub fn jump(state: &mut State, n: usize) {
    if n == 0 {
        state.ui.focus = Focus::Roster;
        return;
    }
    match state.chats.open.get(n - 1).cloned() {
        Some(id) => focus(state, id),
        None => state.ui.message = Some((format!("No conversation {n}."), Severity::Info)),
    }
}

/// Alt-digit, in any pane.
pub fn alt_digit(key: &KeyEvent) -> Option<usize> {
    match key.code {
        KeyCode::Char(c) if key.modifiers.contains(KeyModifiers::ALT) => {
            c.to_digit(10).map(|d| d as usize)
        }
        _ => None,
    }
}

/// Closes a conversation (the focused one by default); tells the peer we are gone.
pub fn close(state: &mut State, id: Option<ContactId>) -> Vec<Effect> {
    let Some(id) = id.or_else(|| focused(state)) else {
        state.ui.message = Some(("No conversation to close.".into(), Severity::Info));
        return Vec::new();
    };
    let Some(chat) = state.chats.close(&id) else {
        return Vec::new();
    };
    if state.ui.focus == Focus::Chat(id.clone()) {
        state.ui.focus = Focus::Roster;
    }
    if let Some(room) = &chat.room {
        if room.state != crate::store::room::JoinState::Joining && !room.joined() {
            return Vec::new();
        }
        return crate::update::rooms::leave_room(state, &id, None);
    }
    let mut effects = Vec::new();
    if chat.sent_state.is_some() && may_send_states(state, &id) {
        effects.push(chat_state(&id, chat.reply_target(), ChatState::Gone));
    }
    effects
}

/// Chat states go only to contacts who see the user's presence (RFC 6121 'from'/'both').
fn may_send_states(state: &State, id: &ContactId) -> bool {
    state.contact(id).is_some_and(|c| {
        c.in_roster && matches!(c.subscription, Subscription::From | Subscription::Both)
    })
}

fn chat_state(id: &ContactId, to: jid::Jid, state: ChatState) -> Effect {
    Effect::Send(id.account, Command::SendChatState { to, state })
}

/// A key while a conversation has the keyboard.
pub fn on_key(state: &mut State, keymap: &Keymap, id: ContactId, key: KeyEvent) -> Vec<Effect> {
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if let Some(n) = alt_digit(&key) {
        jump(state, n);
        return Vec::new();
    }
    match key.code {
        KeyCode::Esc => state.ui.focus = Focus::Roster,
        KeyCode::Enter if alt => return edit(state, &id, KeyEvent::from(KeyCode::Char('\n'))),
        KeyCode::Enter => return submit(state, id),
        KeyCode::Tab if draft_is_command(state, &id) => complete(state, &id),
        KeyCode::Char(_) if !ctrl && !alt => return edit(state, &id, key),
        KeyCode::Backspace | KeyCode::Delete | KeyCode::Left | KeyCode::Right => {
            return edit(state, &id, key)
        }
        KeyCode::Home | KeyCode::End => return edit(state, &id, key),
        KeyCode::Char('a' | 'e' | 'u' | 'w') if ctrl => return edit(state, &id, key),
        _ => return on_action(state, keymap, id, &key),
    }
    Vec::new()
}

/// Keys bound to actions that make sense in a conversation.
fn on_action(state: &mut State, keymap: &Keymap, id: ContactId, key: &KeyEvent) -> Vec<Effect> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match keymap.action_in(Pane::Chat, key) {
        Some(Action::Quit) if ctrl => return crate::update::keys::quit(state),
        Some(Action::NextChat) => cycle(state, 1),
        Some(Action::PrevChat) => cycle(state, -1),
        Some(Action::PageUp) => return scroll(state, &id, PAGE_LINES),
        Some(Action::PageDown) => return scroll(state, &id, -PAGE_LINES),
        Some(Action::Help) => state.ui.mode = crate::store::Mode::Help,
        _ => {}
    }
    Vec::new()
}

/// Messages a page key moves by.
const PAGE_LINES: isize = 5;

/// Scrolls by `delta` messages (positive: back in time); at the oldest message in memory it
/// asks for older ones (from the disk, then from the server's archive).
pub fn scroll(state: &mut State, id: &ContactId, delta: isize) -> Vec<Effect> {
    let Some(chat) = state.chats.get_mut(id) else {
        return Vec::new();
    };
    let len = chat.lines.len();
    let target = (chat.scroll as isize + delta).clamp(0, len.saturating_sub(1) as isize);
    chat.scroll = target as usize;
    if delta <= 0 || chat.scroll + 1 < len.saturating_sub(PAGE_LINES as usize) {
        return Vec::new();
    }
    let (key, stanza_id) = chat.oldest();
    match chat.older {
        Older::Disk => {
            chat.older = Older::Loading;
            vec![Effect::LoadHistory {
                chat: id.clone(),
                before: key,
            }]
        }
        Older::Server => archive_request(id, chat, stanza_id),
        Older::Loading | Older::None => Vec::new(),
    }
}

fn draft_is_command(state: &State, id: &ContactId) -> bool {
    state
        .chats
        .get(id)
        .is_some_and(|c| c.draft.text.starts_with('/'))
}

fn complete(state: &mut State, id: &ContactId) {
    let Some(text) = state.chats.get(id).map(|c| c.draft.text.clone()) else {
        return;
    };
    if let Some(done) = crate::update::complete::tab(state, &text) {
        if let Some(chat) = state.chats.get_mut(id) {
            chat.draft.cursor = done.chars().count();
            chat.draft.text = done;
        }
    }
}

/// An edit of the draft; starting or clearing it tells the peer (composing / active).
fn edit(state: &mut State, id: &ContactId, key: KeyEvent) -> Vec<Effect> {
    let Some(chat) = state.chats.get_mut(id) else {
        return Vec::new();
    };
    let was_empty = chat.draft.text.is_empty();
    editor::edit_text(&mut chat.draft.text, &mut chat.draft.cursor, key, MAX_DRAFT);
    let typing = !chat.draft.text.is_empty() && !chat.draft.text.starts_with('/');
    chat.typed_at = Some(state.settings.clock);
    let resumed = chat.sent_state == Some(ChatState::Paused);
    let next = match (was_empty, typing) {
        (true, true) => ChatState::Composing,
        (false, true) if resumed => ChatState::Composing,
        (false, false) if chat.sent_state == Some(ChatState::Composing) => ChatState::Active,
        _ => return Vec::new(),
    };
    if chat.sent_state == Some(next) || !may_send_states(state, id) {
        return Vec::new();
    }
    let Some(chat) = state.chats.get_mut(id) else {
        return Vec::new();
    };
    chat.sent_state = Some(next);
    vec![chat_state(id, chat.reply_target(), next)]
}

/// How long typing may stop before the peer is told "paused" (XEP-0085 suggests 30 s).
pub const PAUSE_AFTER: std::time::Duration = std::time::Duration::from_secs(30);

/// When the next "composing" should turn into "paused", if any conversation is composing.
pub fn pause_due(state: &State) -> Option<std::time::SystemTime> {
    state
        .chats
        .iter()
        .filter(|c| c.sent_state == Some(ChatState::Composing))
        .filter_map(|c| c.typed_at.map(|t| t + PAUSE_AFTER))
        .min()
}

/// Tells the peers of conversations where the user stopped typing a while ago.
pub fn on_tick(state: &mut State, now: std::time::SystemTime) -> Vec<Effect> {
    let due: Vec<ContactId> = state
        .chats
        .iter()
        .filter(|c| c.sent_state == Some(ChatState::Composing))
        .filter(|c| c.typed_at.is_some_and(|t| t + PAUSE_AFTER <= now))
        .map(|c| c.id.clone())
        .collect();
    let mut effects = Vec::new();
    for id in due {
        if let Some(chat) = state.chats.get_mut(&id) {
            chat.sent_state = Some(ChatState::Paused);
            effects.push(chat_state(&id, chat.reply_target(), ChatState::Paused));
        }
    }
    effects
}

/// Enter: a command (a line starting with one `/`, except `/me`), else a message.
fn submit(state: &mut State, id: ContactId) -> Vec<Effect> {
    let Some(chat) = state.chats.get_mut(&id) else {
        return Vec::new();
    };
    let text = std::mem::take(&mut chat.draft.text);
    chat.draft.cursor = 0;
    let trimmed = text.trim_end();
    if trimmed.trim().is_empty() {
        return Vec::new();
    }
    if let Some(escaped) = trimmed.strip_prefix("//") {
        return send(state, &id, format!("/{escaped}"));
    }
    if trimmed.starts_with('/') && !trimmed.starts_with("/me ") {
        return run(state, trimmed);
    }
    send(state, &id, trimmed.to_owned())
}

/// A command typed in a conversation's input.
fn run(state: &mut State, text: &str) -> Vec<Effect> {
    match command::parse(text) {
        Ok(cmd) => commands::run_command(state, cmd),
        Err(message) => {
            state.ui.message = Some((message, Severity::Error));
            Vec::new()
        }
    }
}

/// Sends `body` in `id`'s conversation: shown at once as queued, stored and sent by the
/// account's session.
pub fn send(state: &mut State, id: &ContactId, body: String) -> Vec<Effect> {
    send_with(state, id, body, None)
}

fn send_with(
    state: &mut State,
    id: &ContactId,
    body: String,
    replaces: Option<String>,
) -> Vec<Effect> {
    let room = state.chats.room(id).is_some();
    let states = !room && !state.is_stranger(id);
    let msg_id = next_id(state);
    let Some(chat) = state.chats.get_mut(id) else {
        return Vec::new();
    };
    // What the user sends now goes below what is on screen, whatever the clocks say.
    let newest = chat.lines.back().map(|l| l.message.at);
    let at = newest.map_or(state.settings.clock, |t| t.max(state.settings.clock));
    let out = Outgoing {
        to: chat.reply_target(),
        id: msg_id,
        body,
        replaces,
        receipts_and_states: states,
        at,
    };
    chat.scroll = 0;
    if states {
        chat.sent_state = Some(ChatState::Active);
    }
    state.chats.receive(id, out.to_message(), false, true);
    let command = if room {
        Command::SendRoomMessage(out)
    } else {
        Command::SendMessage(out)
    };
    vec![Effect::Send(id.account, command)]
}

/// A page from the local database is in; with little on screen and nothing more on disk,
/// the server's archive is asked for what came before.
pub fn loaded(
    state: &mut State,
    id: &ContactId,
    lines: Vec<crate::store::chat::ChatLine>,
    more: bool,
) -> Vec<Effect> {
    state.chats.loaded(id, lines, more);
    let Some(chat) = state.chats.get_mut(id) else {
        return Vec::new();
    };
    if more || chat.lines.len() >= PAGE / 2 {
        return Vec::new();
    }
    let (_, before) = chat.oldest();
    archive_request(id, chat, before)
}

/// A page of the archive before `before`: the account's for a conversation, the room's
/// own for a room (its stanza-ids are the room's).
fn archive_request(
    id: &ContactId,
    chat: &mut crate::store::chat::Conversation,
    before: Option<String>,
) -> Vec<Effect> {
    chat.older = Older::Loading;
    let command = if chat.room.is_some() {
        Command::FetchRoomArchive {
            room: id.jid.clone(),
            before,
            max: PAGE as u32,
        }
    } else {
        Command::FetchArchive {
            with: id.jid.clone(),
            before,
            max: PAGE as u32,
        }
    };
    vec![Effect::Send(id.account, command)]
}

/// A message from outside the UI (`rosterm ctl msg`): its conversation is opened if need be
/// but not focused, and the message is sent as if typed there.
pub fn send_in_background(state: &mut State, id: &ContactId, body: String) -> Vec<Effect> {
    let mut effects = open_unfocused(state, id);
    effects.extend(send(state, id, body));
    effects
}

/// `/correct text`: replaces the user's last message in the focused conversation
/// (XEP-0308).
pub fn correct(state: &mut State, body: String) -> Vec<Effect> {
    let Some(id) = focused(state) else {
        state.ui.message = Some(("/correct works in a conversation.".into(), Severity::Error));
        return Vec::new();
    };
    let last = state.chats.get(&id).and_then(|c| {
        c.lines
            .iter()
            .rev()
            .find(|l| l.message.direction == crate::domain::Direction::Out)
            .and_then(|l| l.message.reference().map(str::to_owned))
    });
    match last {
        Some(target) => send_with(state, &id, body, Some(target)),
        None => {
            state.ui.message = Some(("Nothing of yours to correct here.".into(), Severity::Info));
            Vec::new()
        }
    }
}

#[cfg(test)]
#[path = "chat_tests.rs"]
mod tests;
