//! Rooms (XEP-0045 multi-user chat) as the session, the store and the history speak of
//! them (no XML types).
//!
//! The flow: the app sends `Command::JoinRoom`; the session joins (and joins again after
//! every new session, and when a XEP-0410 self-ping says the server dropped the user), sends
//! the user's presence to every joined room, and reports what happens as
//! `SessionEvent::Room { room, event }`. A room's occupants never touch the roster.
//!
//! Room messages are [`Message`](super::Message)s with `peer` = the room's bare JID,
//! `resource` = the sender's nick, `direction` = `Out` for the user's own (the room's
//! reflection of them), `stanza_id` = the room's XEP-0359 stanza-id (`by` = the room).

use jid::{BareJid, Jid};

use super::Show;

/// An occupant's role in the room (XEP-0045 §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Moderator,
    Participant,
    Visitor,
    /// No role (leaving, or a server that sent none).
    None,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Moderator => "moderator",
            Role::Participant => "participant",
            Role::Visitor => "visitor",
            Role::None => "none",
        }
    }
}

/// An occupant's long-lived affiliation with the room (XEP-0045 §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Affiliation {
    Owner,
    Admin,
    Member,
    Outcast,
    None,
}

impl Affiliation {
    pub fn as_str(self) -> &'static str {
        match self {
            Affiliation::Owner => "owner",
            Affiliation::Admin => "admin",
            Affiliation::Member => "member",
            Affiliation::Outcast => "outcast",
            Affiliation::None => "none",
        }
    }
}

/// One occupant as its latest available presence describes it (sanitized).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occupant {
    pub nick: String,
    pub show: Show,
    pub status: String,
    pub role: Role,
    pub affiliation: Affiliation,
    /// The occupant's real JID, when the room shows it (non-anonymous rooms, moderators).
    pub real_jid: Option<Jid>,
    /// The XEP-0115 verification string its presence advertised (a key, never shown: the
    /// account's devices say what it stands for once checked).
    pub caps: Option<String>,
}

/// Why an occupant (or the user) is no longer in the room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Departure {
    /// Left by itself (or its connection ended).
    Left,
    /// Kicked by a moderator (status 307).
    Kicked,
    /// Banned (status 301).
    Banned,
    /// Removed because its affiliation changed (321) or the room became members-only (322).
    Removed,
    /// The service is shutting down (332).
    Shutdown,
}

impl Departure {
    pub fn as_str(&self) -> &'static str {
        match self {
            Departure::Left => "left",
            Departure::Kicked => "kicked",
            Departure::Banned => "banned",
            Departure::Removed => "removed",
            Departure::Shutdown => "service shut down",
        }
    }
}

/// Why a join failed, from the room's error presence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinError {
    PasswordRequired,
    Banned,
    /// The nick is taken (or not allowed): `suggestion` is the nick with a suffix.
    NickInUse {
        suggestion: String,
    },
    NotFound,
    MembersOnly,
    /// The room is full, or another error: the server's condition and text (sanitized).
    Other(String),
}

impl JoinError {
    /// One sentence for the status line and the room's timeline.
    pub fn sentence(&self, room: &BareJid) -> String {
        match self {
            JoinError::PasswordRequired => {
                format!("{room} needs a password: /join {room} <password>")
            }
            JoinError::Banned => format!("You are banned from {room}."),
            JoinError::NickInUse { suggestion } => {
                format!("That nick is taken in {room}; try /join {room}/{suggestion}")
            }
            JoinError::NotFound => format!("There is no room {room} (or it is locked)."),
            JoinError::MembersOnly => format!("{room} is members-only and you are not a member."),
            JoinError::Other(text) => format!("Could not join {room}: {text}"),
        }
    }
}

/// What happened in one room, already translated and sanitized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoomEvent {
    /// The user's join completed (the self-presence, status 110): the nick the room gave.
    /// Occupant presences before it were the initial occupant list.
    Joined { nick: String },
    /// The join (or a re-join) failed.
    JoinFailed(JoinError),
    /// An occupant is present (first presence: entered; later: updated).
    Occupant(Occupant),
    /// An occupant left (not the user: see `SelfLeft`).
    Left {
        nick: String,
        departure: Departure,
        /// The status text or the reason given (sanitized; may be empty).
        reason: String,
        /// Who kicked or banned (a nick), when the room says.
        actor: Option<String>,
    },
    /// An occupant (or the user, `own`) now has another nick (status 303).
    NickChanged { old: String, new: String, own: bool },
    /// The user is no longer in the room: left (after `LeaveRoom`), kicked, banned, ...
    /// The session does not join it again by itself after this.
    SelfLeft {
        departure: Departure,
        reason: String,
        actor: Option<String>,
    },
    /// The room was destroyed (XEP-0045 §10.9), maybe pointing at another room.
    Destroyed {
        reason: String,
        alternate: Option<BareJid>,
    },
    /// The room's subject (topic), with who set it when the room says (a nick).
    Subject { text: String, by: Option<String> },
    /// The server stopped knowing the user as an occupant (self-ping said so); the session
    /// is joining again.
    Rejoining,
}

/// A XEP-0402 bookmark (PEP `urn:xmpp:bookmarks:1`) of the user's own account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bookmark {
    pub room: BareJid,
    /// The room's name as the user bookmarked it (sanitized).
    pub name: Option<String>,
    pub nick: Option<String>,
    pub password: Option<String>,
    pub autojoin: bool,
}
