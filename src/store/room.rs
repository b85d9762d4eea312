//! A room (XEP-0045) as its pane shows it: the occupants as a presence set (entered,
//! updated, left), the own nick, the topic and where the join stands. A room is a
//! [`Conversation`](super::chat::Conversation) with this part: its messages, tabs, draft
//! and scrolling are the conversation's; its events are lines of the conversation too
//! ([`ChatLine::note`](super::chat::ChatLine::note)), debounced like the roster timeline.
//!
//! Occupants never touch the roster: a room occupant is not a contact.

use std::collections::BTreeMap;

use jid::BareJid;

use crate::domain::room::{Departure, Occupant, Role, RoomEvent};
use crate::domain::{Availability, Show};

/// Where the user stands with a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinState {
    /// Presence sent; the occupant list is coming (not announced one by one).
    Joining,
    Joined,
    /// Not in the room (left, kicked, the join failed, the room was destroyed): why.
    Out(String),
}

/// The room part of a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    /// The user's nick: asked for while joining, the room's answer once joined.
    pub nick: String,
    pub password: Option<String>,
    pub state: JoinState,
    /// Present occupants by nick (the user too, once joined).
    pub occupants: BTreeMap<String, Occupant>,
    /// The topic and who set it (a nick), when the room has told.
    pub subject: Option<(String, Option<String>)>,
    /// Unread messages that mention the user's nick.
    pub mentions: usize,
}

/// What a room event means on screen: a line for the room's timeline (with the nick it is
/// about, for debouncing), and a sentence for the status line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Effects {
    pub note: Option<Note>,
    pub notice: Option<String>,
}

/// A line of the room's timeline, in the presence-set words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub kind: NoteKind,
    /// The occupant it is about (None: about the room or the user).
    pub nick: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    Entered,
    Updated,
    Left,
    /// Anything else: joins, nick changes, kicks, the topic, the room's end.
    Other,
}

impl Room {
    pub fn new(nick: String, password: Option<String>) -> Room {
        Room {
            nick,
            password,
            state: JoinState::Joining,
            occupants: BTreeMap::new(),
            subject: None,
            mentions: 0,
        }
    }

    pub fn joined(&self) -> bool {
        self.state == JoinState::Joined
    }

    /// The occupants in the order the list shows them: by role, then availability, then
    /// nick (case-insensitive).
    pub fn sorted(&self) -> Vec<&Occupant> {
        let mut all: Vec<&Occupant> = self.occupants.values().collect();
        all.sort_by_cached_key(|o| (o.role, show_rank(o.show), o.nick.to_lowercase()));
        all
    }

    /// Does `body` mention the user's nick (as a word, case-insensitive)?
    pub fn mentions_me(&self, body: &str) -> bool {
        mentions(body, &self.nick)
    }

    /// Applies one event; says what it means on screen.
    pub fn apply(&mut self, room: &BareJid, event: RoomEvent) -> Effects {
        match event {
            RoomEvent::Joined { nick } => self.on_joined(nick),
            RoomEvent::JoinFailed(error) => {
                let text = error.sentence(room);
                self.leave_all(text.clone());
                other(text.clone(), Some(text))
            }
            RoomEvent::Occupant(occupant) => self.on_occupant(occupant),
            RoomEvent::Left {
                nick,
                departure,
                reason,
                actor,
            } => self.on_left(nick, &departure, &reason, actor.as_deref()),
            RoomEvent::NickChanged { old, new, own } => self.on_nick(old, new, own),
            RoomEvent::SelfLeft {
                departure,
                reason,
                actor,
            } => self.on_self_left(&departure, &reason, actor.as_deref()),
            RoomEvent::Destroyed { reason, alternate } => {
                let mut text = "The room was destroyed".to_owned();
                push_reason(&mut text, &reason);
                if let Some(alt) = alternate {
                    text.push_str(&format!("; it continues as {alt} (/join {alt})"));
                }
                self.leave_all(text.clone());
                other(text.clone(), Some(text))
            }
            RoomEvent::Subject { text, by } => {
                let line = match (&by, text.is_empty()) {
                    (Some(by), true) => format!("{by} cleared the topic"),
                    (Some(by), false) => format!("{by} set the topic: {text}"),
                    (None, true) => "No topic".to_owned(),
                    (None, false) => format!("Topic: {text}"),
                };
                self.subject = (!text.is_empty()).then_some((text, by));
                other(line, None)
            }
            RoomEvent::Rejoining => {
                self.state = JoinState::Joining;
                self.occupants.clear();
                other("Joining again…".to_owned(), None)
            }
        }
    }

    fn on_joined(&mut self, nick: String) -> Effects {
        self.nick = nick;
        self.state = JoinState::Joined;
        let others = self.occupants.len().saturating_sub(1);
        let text = format!(
            "You joined as {}; present: {} occupant{}",
            self.nick,
            others + 1,
            if others == 0 { "" } else { "s" }
        );
        other(text, None)
    }

    fn on_occupant(&mut self, occupant: Occupant) -> Effects {
        let nick = occupant.nick.clone();
        let before = self.occupants.insert(nick.clone(), occupant.clone());
        // The initial list, and the user's own presence, are not news.
        if !self.joined() || nick == self.nick {
            return Effects::default();
        }
        let (kind, text) = match before {
            None => (
                NoteKind::Entered,
                format!("{nick} entered{}", state_words(&occupant, " as ")),
            ),
            Some(old) if old.show != occupant.show || old.status != occupant.status => (
                NoteKind::Updated,
                format!(
                    "{nick} updated: {} → {}",
                    state_words(&old, ""),
                    state_words(&occupant, "")
                ),
            ),
            Some(old) if old.role != occupant.role || old.affiliation != occupant.affiliation => (
                NoteKind::Other,
                format!(
                    "{nick} is now {} ({})",
                    occupant.role.as_str(),
                    occupant.affiliation.as_str()
                ),
            ),
            Some(_) => return Effects::default(),
        };
        about(kind, nick, text)
    }

    fn on_left(
        &mut self,
        nick: String,
        departure: &Departure,
        reason: &str,
        actor: Option<&str>,
    ) -> Effects {
        self.occupants.remove(&nick);
        if !self.joined() {
            return Effects::default();
        }
        let mut text = match departure {
            Departure::Left => format!("{nick} left"),
            Departure::Kicked => format!("{nick} was kicked"),
            Departure::Banned => format!("{nick} was banned"),
            Departure::Removed => format!("{nick} was removed (affiliation changed)"),
            Departure::Shutdown => format!("{nick} left (the service is shutting down)"),
        };
        if let Some(actor) = actor.filter(|_| *departure != Departure::Left) {
            text.push_str(&format!(" by {actor}"));
        }
        push_reason(&mut text, reason);
        let kind = if *departure == Departure::Left {
            NoteKind::Left
        } else {
            NoteKind::Other
        };
        about(kind, nick, text)
    }

    fn on_nick(&mut self, old: String, new: String, own: bool) -> Effects {
        if let Some(mut occupant) = self.occupants.remove(&old) {
            occupant.nick.clone_from(&new);
            self.occupants.insert(new.clone(), occupant);
        }
        let text = if own {
            self.nick.clone_from(&new);
            format!("You are now known as {new}")
        } else {
            format!("{old} is now known as {new}")
        };
        other(text, None)
    }

    fn on_self_left(
        &mut self,
        departure: &Departure,
        reason: &str,
        actor: Option<&str>,
    ) -> Effects {
        let mut text = match departure {
            Departure::Left => "You left the room".to_owned(),
            Departure::Kicked => "You were kicked".to_owned(),
            Departure::Banned => "You were banned".to_owned(),
            Departure::Removed => "You were removed (affiliation changed)".to_owned(),
            Departure::Shutdown => "The service is shutting down".to_owned(),
        };
        if let Some(actor) = actor {
            text.push_str(&format!(" by {actor}"));
        }
        push_reason(&mut text, reason);
        self.leave_all(text.clone());
        let notice = (*departure != Departure::Left).then(|| text.clone());
        other(text, notice)
    }

    fn leave_all(&mut self, why: String) {
        self.state = JoinState::Out(why);
        self.occupants.clear();
    }
}

/// A timeline line about one occupant (merged with its recent ones, see `chat_rooms`).
fn about(kind: NoteKind, nick: String, text: String) -> Effects {
    Effects {
        note: Some(Note {
            kind,
            nick: Some(nick),
            text,
        }),
        notice: None,
    }
}

fn other(text: String, notice: Option<String>) -> Effects {
    Effects {
        note: Some(Note {
            kind: NoteKind::Other,
            nick: None,
            text,
        }),
        notice,
    }
}

fn push_reason(text: &mut String, reason: &str) {
    if !reason.is_empty() {
        text.push_str(&format!(": {reason}"));
    }
}

/// `away “lunch”`, or nothing for online without status (with `lead` before it).
pub fn state_words(o: &Occupant, lead: &str) -> String {
    let show = Availability::Available(o.show).label();
    match (o.show, o.status.is_empty()) {
        (Show::Online, true) if lead.is_empty() => "online".to_owned(),
        (Show::Online, true) => String::new(),
        (_, true) => format!("{lead}{show}"),
        (_, false) => format!("{lead}{show} “{}”", o.status),
    }
}

/// Chat first, then online, away, xa, dnd.
fn show_rank(show: Show) -> u8 {
    match show {
        Show::Chat => 0,
        Show::Online => 1,
        Show::Away => 2,
        Show::Xa => 3,
        Show::Dnd => 4,
    }
}

/// `nick` as a word of `body` (case-insensitive): "alice:", "@alice", "hi alice!" but not
/// "malice".
pub fn mentions(body: &str, nick: &str) -> bool {
    if nick.is_empty() {
        return false;
    }
    let body = body.to_lowercase();
    let nick = nick.to_lowercase();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '-');
    body.match_indices(&nick).any(|(i, m)| {
        let before = body.get(..i).and_then(|s| s.chars().next_back());
        let after = body.get(i + m.len()..).and_then(|s| s.chars().next());
        !word(before) && !word(after)
    })
}

/// Role marks in the occupant list.
pub fn role_mark(role: Role) -> &'static str {
    match role {
        Role::Moderator => "@",
        Role::Participant => "+",
        Role::Visitor => "-",
        Role::None => " ",
    }
}

#[cfg(test)]
#[path = "room_tests.rs"]
mod tests;
