//! The rooms among the conversations: opening one for a join, its events as timeline
//! lines (debounced like the roster timeline), its messages with mentions.

use std::time::SystemTime;

use jid::BareJid;

use crate::domain::room::RoomEvent;
use crate::domain::{ContactId, Direction, Message, Via};
use crate::store::room::{self, Note, NoteKind, Room};
use crate::store::timeline::DEBOUNCE;

use super::{Arrival, ChatLine, Chats, Conversation};

/// How far back a note looks for one to merge with.
const LOOKBACK: usize = 16;

impl Chats {
    /// Opens a room's conversation for a join (or turns the open one into a join again);
    /// true when it was not open.
    pub fn open_room(&mut self, id: &ContactId, nick: &str, password: Option<String>) -> bool {
        let opened = self.open(id, false);
        if let Some(chat) = self.by_id.get_mut(id) {
            chat.stranger = false;
            match chat.room.as_deref_mut() {
                Some(room) if room.joined() => {}
                Some(room) => {
                    room.nick = nick.to_owned();
                    room.password = password;
                    room.state = room::JoinState::Joining;
                }
                None => chat.room = Some(Box::new(Room::new(nick.to_owned(), password))),
            }
        }
        opened
    }

    /// The room part of an open conversation.
    pub fn room(&self, id: &ContactId) -> Option<&Room> {
        self.by_id.get(id)?.room.as_deref()
    }

    /// Every open room, in tab order.
    pub fn rooms(&self) -> impl Iterator<Item = (&ContactId, &Room)> {
        self.iter()
            .filter_map(|c| c.room.as_deref().map(|room| (&c.id, room)))
    }

    /// An event of a room the user has open (others are ignored: a room is opened by a
    /// join); returns a sentence for the status line.
    pub fn room_event(
        &mut self,
        id: &ContactId,
        event: RoomEvent,
        now: SystemTime,
    ) -> Option<String> {
        let chat = self.by_id.get_mut(id)?;
        let effects = chat.room.as_deref_mut()?.apply(&id.jid, event);
        if let Some(note) = effects.note {
            chat.add_note(note, now);
        }
        effects.notice
    }

    /// A room message, into its conversation (opened as a room when it is not: nothing
    /// is lost). Returns what it did and whether it mentions the user.
    pub fn receive_room(
        &mut self,
        id: &ContactId,
        message: Message,
        own_nick: &str,
        on_screen: bool,
    ) -> (Arrival, bool) {
        if self.by_id.get(id).is_none_or(|c| c.room.is_none()) {
            self.open_room(id, own_nick, None);
        }
        let mention = message.direction == Direction::In
            && message.via == Via::Live
            && self.room(id).is_some_and(|r| r.mentions_me(&message.body));
        let arrival = self.receive(id, message, false, on_screen);
        let mention = mention && matches!(arrival, Arrival::New { .. });
        if let (Some(room), Arrival::New { unread: true }) = (
            self.by_id.get_mut(id).and_then(|c| c.room.as_deref_mut()),
            arrival,
        ) {
            if mention {
                room.mentions += 1;
            }
        }
        (arrival, mention)
    }
}

impl Conversation {
    /// A line of the room's timeline, merged with a recent one about the same occupant:
    /// entered+updated = entered, updated+updated = one update, left+entered = back,
    /// entered+left = nothing.
    fn add_note(&mut self, note: Note, now: SystemTime) {
        if let Some(nick) = note.nick.clone() {
            if self.merge_note(&nick, &note, now) {
                return;
            }
        }
        let message = note_message(&self.id.jid, note.nick, note.text, now);
        let mut line = ChatLine::new(message);
        line.note = Some(note.kind);
        self.insert(line);
        self.trim();
    }

    /// True when `note` was merged into a recent line (or cancelled it).
    fn merge_note(&mut self, nick: &str, note: &Note, now: SystemTime) -> bool {
        let found = self
            .lines
            .iter()
            .enumerate()
            .rev()
            .take(LOOKBACK)
            .find(|(_, l)| l.note.is_some() && l.message.resource.as_deref() == Some(nick))
            .filter(|(_, l)| {
                now.duration_since(l.message.at)
                    .is_ok_and(|d| d <= DEBOUNCE)
            })
            .and_then(|(i, l)| l.note.map(|k| (i, k)));
        let Some((i, previous)) = found else {
            return false;
        };
        let current = self
            .room
            .as_deref()
            .and_then(|r| r.occupants.get(nick))
            .cloned();
        let merged = match (previous, note.kind) {
            (NoteKind::Entered, NoteKind::Updated) => current.map(|o| {
                (
                    NoteKind::Entered,
                    format!("{nick} entered{}", room::state_words(&o, " as ")),
                )
            }),
            (NoteKind::Updated, NoteKind::Updated) => {
                let old = self.lines.get(i).map(|l| l.message.body.clone());
                old.map(|old| (NoteKind::Updated, chain_update(&old, &note.text)))
            }
            (NoteKind::Left, NoteKind::Entered) => {
                Some((NoteKind::Updated, format!("{nick} left and came back")))
            }
            (NoteKind::Entered, NoteKind::Left) => {
                self.lines.remove(i);
                return true;
            }
            _ => None,
        };
        let Some((kind, text)) = merged else {
            return false;
        };
        if let Some(line) = self.lines.get_mut(i) {
            line.note = Some(kind);
            line.message.body = text;
        }
        true
    }
}

/// "bob updated: away → dnd" then "bob updated: dnd → online": "bob updated: away → online".
fn chain_update(old: &str, new: &str) -> String {
    match (old.split_once(" → "), new.split_once(" → ")) {
        (Some((from, _)), Some((_, to))) => format!("{from} → {to}"),
        _ => new.to_owned(),
    }
}

fn note_message(room: &BareJid, nick: Option<String>, text: String, at: SystemTime) -> Message {
    Message {
        peer: room.clone(),
        resource: nick,
        direction: Direction::In,
        body: text,
        id: None,
        origin_id: None,
        stanza_id: None,
        at,
        replaces: None,
        wants_receipt: false,
        via: Via::Live,
    }
}
