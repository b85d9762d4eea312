//! Conversations: the open 1:1 chats of every account, in the order they were opened. Each
//! holds its newest messages in memory (older ones stay on disk and are loaded when the
//! user scrolls back), its unread count, the peer's chat state, where replies go
//! (XEP-0296) and the text being typed.
//!
//! Messages are de-duplicated here too (a live message and its archive or offline copy, a
//! carbon and its archive copy): by stanza-id, else by direction and origin-id / id.

use std::collections::{BTreeMap, VecDeque};

use crate::domain::{ChatState, ContactId, Delivery, Direction, Message, Via};

use super::room::{NoteKind, Room};

#[path = "chat_rooms.rs"]
mod rooms;

/// Messages kept in memory per conversation while the user reads the newest ones.
pub const KEEP: usize = 500;
/// Messages asked for at once from the disk or the server's archive.
pub const PAGE: usize = 100;

/// One message as the conversation shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatLine {
    /// Its key in the local database (the cursor for loading older ones), once known.
    pub key: Option<i64>,
    pub message: Message,
    /// Outgoing messages: how far it got.
    pub delivery: Option<Delivery>,
    /// Corrected by its sender (XEP-0308).
    pub edited: bool,
    /// Not a message: an event of a room's timeline (`message.body` says it,
    /// `message.resource` is the occupant it is about).
    pub note: Option<NoteKind>,
}

impl ChatLine {
    pub fn new(message: Message) -> ChatLine {
        let delivery = (message.direction == Direction::Out && message.via == Via::Live)
            .then_some(Delivery::Queued);
        ChatLine {
            key: None,
            message,
            delivery,
            edited: false,
            note: None,
        }
    }

    /// Is `other` the same message (another copy of it)?
    fn same_as(&self, other: &Message) -> bool {
        let m = &self.message;
        if let (Some(a), Some(b)) = (&m.stanza_id, &other.stanza_id) {
            return a == b;
        }
        m.direction == other.direction
            && matches!((m.reference(), other.reference()), (Some(a), Some(b)) if a == b)
    }
}

/// What is left to load before the oldest message in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Older {
    /// Not asked yet: the disk may have more.
    Disk,
    /// The disk has nothing older: the server's archive may.
    Server,
    /// A request is in flight.
    Loading,
    /// Nothing older anywhere.
    None,
}

/// The text being typed in a conversation (several lines with Alt-Enter).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    pub text: String,
    /// Cursor position in characters.
    pub cursor: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub id: ContactId,
    /// Oldest first, ordered by time.
    pub lines: VecDeque<ChatLine>,
    pub unread: usize,
    /// The peer is not in the account's roster: no receipts or chat states go to them.
    pub stranger: bool,
    /// The peer's last chat state (XEP-0085), cleared by a message.
    pub peer_state: Option<ChatState>,
    /// The resource replies go to: the one the peer last wrote from, until it changes
    /// presence (XEP-0296).
    pub reply_to: Option<String>,
    pub draft: Draft,
    /// Screen lines scrolled up from the newest (0: following new messages).
    pub scroll: usize,
    pub older: Older,
    /// The chat state last sent to the peer.
    pub sent_state: Option<ChatState>,
    /// When the user last typed in the draft (composing turns into paused after a while).
    pub typed_at: Option<std::time::SystemTime>,
    /// A room's occupants, nick and join state (None: a 1:1 conversation).
    pub room: Option<Box<Room>>,
}

impl Conversation {
    pub fn new(id: ContactId, stranger: bool) -> Conversation {
        Conversation {
            id,
            lines: VecDeque::new(),
            unread: 0,
            stranger,
            peer_state: None,
            reply_to: None,
            draft: Draft::default(),
            scroll: 0,
            older: Older::Disk,
            sent_state: None,
            typed_at: None,
            room: None,
        }
    }

    /// Where a reply goes: the locked resource, else the bare JID.
    pub fn reply_target(&self) -> jid::Jid {
        let bare = jid::Jid::from(self.id.jid.clone());
        // A private message via a room: always the occupant.
        match self.id.nick.as_ref().or(self.reply_to.as_ref()) {
            Some(res) => jid::Jid::new(&format!("{}/{res}", self.id.jid)).unwrap_or(bare),
            None => bare,
        }
    }

    fn position_of(&self, message: &Message) -> Option<usize> {
        self.lines.iter().rposition(|l| l.same_as(message))
    }

    /// Inserts in time order (usually at the end); returns its index.
    fn insert(&mut self, line: ChatLine) -> usize {
        let at = line.message.at;
        let index = match self.lines.back() {
            Some(last) if last.message.at > at => {
                self.lines.partition_point(|l| l.message.at <= at)
            }
            _ => self.lines.len(),
        };
        self.lines.insert(index, line);
        index
    }

    /// Applies a correction from the original sender; false when the original is unknown.
    fn correct(&mut self, message: &Message) -> bool {
        let Some(target) = message.replaces.as_deref() else {
            return false;
        };
        let found = self.lines.iter_mut().rev().find(|l| {
            l.message.direction == message.direction
                && l.message.reference() == Some(target)
                && (message.direction == Direction::Out
                    || l.message.resource.is_none()
                    || l.message.resource == message.resource)
        });
        match found {
            Some(line) => {
                line.message.body.clone_from(&message.body);
                line.edited = true;
                true
            }
            None => false,
        }
    }

    /// Drops the oldest lines beyond [`KEEP`] while the user follows the newest.
    fn trim(&mut self) {
        if self.scroll == 0 && self.lines.len() > KEEP {
            let extra = self.lines.len() - KEEP;
            self.lines.drain(..extra);
            if self.older == Older::None || self.older == Older::Server {
                self.older = Older::Disk;
            }
        }
    }

    /// The oldest line's database key and archive id (cursors for loading older ones).
    pub fn oldest(&self) -> (Option<i64>, Option<String>) {
        let first = self.lines.iter().find(|l| l.note.is_none());
        (
            first.and_then(|l| l.key),
            first.and_then(|l| l.message.stanza_id.clone()),
        )
    }
}

/// What a message did to its conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// A new message, shown.
    New { unread: bool },
    /// A correction of a message shown.
    Corrected,
    /// Another copy of a message already shown.
    Duplicate,
}

/// Every open conversation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chats {
    /// In the order they were opened (the tab order).
    pub open: Vec<ContactId>,
    by_id: BTreeMap<ContactId, Conversation>,
}

impl Chats {
    pub fn get(&self, id: &ContactId) -> Option<&Conversation> {
        self.by_id.get(id)
    }

    pub fn get_mut(&mut self, id: &ContactId) -> Option<&mut Conversation> {
        self.by_id.get_mut(id)
    }

    /// Opens a conversation (or returns the open one); true when it was not open.
    pub fn open(&mut self, id: &ContactId, stranger: bool) -> bool {
        if self.by_id.contains_key(id) {
            return false;
        }
        self.by_id
            .insert(id.clone(), Conversation::new(id.clone(), stranger));
        self.open.push(id.clone());
        true
    }

    pub fn close(&mut self, id: &ContactId) -> Option<Conversation> {
        self.open.retain(|o| o != id);
        self.by_id.remove(id)
    }

    /// Unread messages in every conversation.
    pub fn unread(&self) -> usize {
        self.by_id.values().map(|c| c.unread).sum()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Conversation> {
        self.open.iter().filter_map(|id| self.by_id.get(id))
    }

    /// A message for `id`'s conversation, opened if need be. `on_screen`: the user sees
    /// that conversation now (nothing becomes unread).
    pub fn receive(
        &mut self,
        id: &ContactId,
        message: Message,
        stranger: bool,
        on_screen: bool,
    ) -> Arrival {
        self.open(id, stranger);
        let Some(chat) = self.by_id.get_mut(id) else {
            return Arrival::Duplicate;
        };
        if let Some(index) = chat.position_of(&message) {
            if let (Some(line), Some(sid)) = (chat.lines.get_mut(index), &message.stanza_id) {
                line.message.stanza_id.get_or_insert_with(|| sid.clone());
            }
            return Arrival::Duplicate;
        }
        if message.direction == Direction::In && message.via != Via::Archive && chat.room.is_none()
        {
            chat.peer_state = None;
            chat.reply_to.clone_from(&message.resource);
        }
        if chat.correct(&message) {
            return Arrival::Corrected;
        }
        let newest = chat.lines.back().is_none_or(|l| l.message.at <= message.at);
        // An archive page the user asked for (scrolling back) is not news.
        let asked = message.via == Via::Archive && chat.older == Older::Loading;
        let unread = !on_screen && newest && !asked && message.direction == Direction::In;
        chat.insert(ChatLine::new(message));
        if unread {
            chat.unread += 1;
        }
        chat.trim();
        Arrival::New { unread }
    }

    /// An outgoing message got further.
    /// The session names the bare peer: a private message via a room is found in the
    /// conversation with its occupant.
    pub fn delivery(&mut self, id: &ContactId, msg_id: &str, delivery: Delivery) {
        let chats = self
            .by_id
            .values_mut()
            .filter(|c| c.id.account == id.account && c.id.jid == id.jid);
        for chat in chats {
            if let Some(line) = chat.lines.iter_mut().rev().find(|l| {
                l.message.direction == Direction::Out && l.message.reference() == Some(msg_id)
            }) {
                let current = line.delivery.clone().unwrap_or(Delivery::Queued);
                line.delivery = Some(current.advance(delivery));
                return;
            }
        }
    }

    /// The peer's chat state, for an open conversation only.
    pub fn chat_state(&mut self, id: &ContactId, state: ChatState) {
        if let Some(chat) = self.by_id.get_mut(id) {
            chat.peer_state = Some(state);
        }
    }

    /// A presence from one of the peer's resources ends the lock on it (XEP-0296).
    pub fn presence(&mut self, id: &ContactId, resource: Option<&str>) {
        if let Some(chat) = self.by_id.get_mut(id) {
            if resource.is_none() || chat.reply_to.as_deref() == resource {
                chat.reply_to = None;
                chat.peer_state = None;
            }
        }
    }

    /// Lines read from the local database: older ones (`before` was asked), or the newest
    /// on opening. `more`: the disk may hold older ones still.
    pub fn loaded(&mut self, id: &ContactId, lines: Vec<ChatLine>, more: bool) {
        let Some(chat) = self.by_id.get_mut(id) else {
            return;
        };
        for line in lines {
            match chat.position_of(&line.message) {
                Some(i) => {
                    if let Some(existing) = chat.lines.get_mut(i) {
                        existing.key = existing.key.or(line.key);
                    }
                }
                None => {
                    chat.insert(line);
                }
            }
        }
        chat.older = if more { Older::Disk } else { Older::Server };
    }

    /// The server's archive has nothing older for this conversation (or it has answered a
    /// page and more may be asked for).
    pub fn archive_page(&mut self, id: &ContactId, complete: bool) {
        if let Some(chat) = self.by_id.get_mut(id) {
            chat.older = if complete { Older::None } else { Older::Server };
        }
    }
}

#[cfg(test)]
#[path = "chat_tests.rs"]
mod tests;
