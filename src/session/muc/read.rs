//! Room stanzas in, room events out (pure; the session calls these for stanzas from a room
//! it joined or is joining, and the tests feed them XML literals).
//!
//! - A presence becomes [`RoomEvent`]s and a [`Change`] to the session's record of the room
//!   (joined, the user's nick changed, the room is gone).
//! - A `groupchat` message becomes a [`Message`] (`peer` = the room, `resource` = the nick)
//!   or the room's subject.

use std::time::SystemTime;

use jid::{BareJid, Jid};
use xmpp_parsers::delay::Delay;
use xmpp_parsers::message::{Message as XMessage, MessageType};
use xmpp_parsers::minidom::Element;
use xmpp_parsers::ns;
use xmpp_parsers::presence::{Presence, Type as PresenceType};
use xmpp_parsers::stanza_error::{DefinedCondition, StanzaError};

use crate::domain::room::{Affiliation, JoinError, Occupant, Role, RoomEvent};
use crate::domain::{Direction, Message, Via};
use crate::sanitize::{sanitize, sanitize_body, MAX_BODY, MAX_NAME, MAX_STATUS};
use crate::session::translate::{pick_status, stanza_error_text};

use super::user::{self, MucUser};

/// What a room presence means for the session's record of the room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Nothing,
    /// The self-presence completed the join, under this nick.
    Joined(String),
    /// The user's nick in the room is now this.
    Nick(String),
    /// The user is out of the room for good (left, kicked, destroyed, refused): forget it.
    Gone,
    /// An error about the user while in the room (a refused nick change): one sentence.
    Refused(String),
}

/// The events of one room presence, and what it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    pub events: Vec<RoomEvent>,
    pub change: Change,
}

impl Read {
    fn new(events: Vec<RoomEvent>, change: Change) -> Read {
        Read { events, change }
    }
}

/// A presence from `room` (or one of its occupants); `nick`: the user's nick there;
/// `joining`: the self-presence has not come yet.
pub fn presence(p: &Presence, room: &BareJid, nick: &str, joining: bool) -> Read {
    let from_nick = p
        .from
        .as_ref()
        .and_then(Jid::resource)
        .map(|r| sanitize(r.as_str(), MAX_NAME));
    let muc = user::find(&p.payloads).unwrap_or_default();
    match (&p.type_, from_nick) {
        (PresenceType::Error, _) if joining => Read::new(
            vec![RoomEvent::JoinFailed(join_error(&p.payloads, nick))],
            Change::Gone,
        ),
        (PresenceType::Error, _) => Read::new(
            Vec::new(),
            Change::Refused(format!("{room} refused: {}", error_phrase(&p.payloads))),
        ),
        (PresenceType::None, Some(from)) => available(p, muc, from, nick, joining),
        (PresenceType::Unavailable, Some(from)) => unavailable(p, muc, from, nick),
        _ => Read::new(Vec::new(), Change::Nothing),
    }
}

/// A self-presence that would complete a join but does not carry the presence the join was
/// sent with (`joined_with`): the room reflecting an update sent before a leave.
pub fn stale_self(read: &Read, joined_with: Option<&crate::domain::OwnPresence>) -> bool {
    let (Change::Joined(_), Some(sent)) = (&read.change, joined_with) else {
        return false;
    };
    let own = read.events.iter().find_map(|e| match e {
        RoomEvent::Occupant(o) => Some(o),
        _ => None,
    });
    own.is_some_and(|o| {
        o.show != sent.show || o.status != sanitize(&sent.status, crate::sanitize::MAX_STATUS)
    })
}

/// The room's answer to a plain leave from `nick`: the user's unavailable presence with no
/// kick, ban, removal, nick change or destruction in it.
pub fn plain_goodbye(p: &Presence, nick: &str) -> bool {
    let muc = user::find(&p.payloads).unwrap_or_default();
    let from = p.from.as_ref().and_then(Jid::resource);
    p.type_ == PresenceType::Unavailable
        && (muc.is_self() || from.is_some_and(|r| r.as_str() == nick))
        && muc.destroy.is_none()
        && !muc.has(303)
        && muc.departure() == crate::domain::room::Departure::Left
}

fn available(p: &Presence, muc: MucUser, from: String, nick: &str, joining: bool) -> Read {
    let own = muc.is_self() || from == nick;
    let occupant = Occupant {
        nick: from.clone(),
        show: crate::session::translate::show_of(p.show.clone()),
        status: pick_status(&p.statuses),
        role: muc.role.unwrap_or(Role::None),
        affiliation: muc.affiliation.unwrap_or(Affiliation::None),
        real_jid: muc.jid,
        caps: p
            .payloads
            .iter()
            .find(|e| e.is("c", xmpp_parsers::ns::CAPS))
            .and_then(|c| c.attr("ver"))
            .filter(|v| !v.is_empty() && v.len() <= crate::session::caps::MAX_VER)
            .map(str::to_owned),
    };
    let mut events = vec![RoomEvent::Occupant(occupant)];
    let change = match (own, joining) {
        (true, true) => {
            events.push(RoomEvent::Joined { nick: from.clone() });
            Change::Joined(from)
        }
        (true, false) if from != nick => Change::Nick(from),
        _ => Change::Nothing,
    };
    Read::new(events, change)
}

fn unavailable(p: &Presence, muc: MucUser, from: String, nick: &str) -> Read {
    let own = muc.is_self() || from == nick;
    if let Some(destroy) = muc.destroy {
        let event = RoomEvent::Destroyed {
            reason: destroy.reason,
            alternate: destroy.alternate,
        };
        return Read::new(vec![event], Change::Gone);
    }
    if let (true, Some(new)) = (muc.has(303), muc.nick.clone()) {
        let event = RoomEvent::NickChanged {
            old: from,
            new: new.clone(),
            own,
        };
        let change = if own {
            Change::Nick(new)
        } else {
            Change::Nothing
        };
        return Read::new(vec![event], change);
    }
    let departure = muc.departure();
    let reason = if muc.reason.is_empty() {
        pick_status(&p.statuses)
    } else {
        muc.reason
    };
    if own {
        let event = RoomEvent::SelfLeft {
            departure,
            reason,
            actor: muc.actor,
        };
        return Read::new(vec![event], Change::Gone);
    }
    let event = RoomEvent::Left {
        nick: from,
        departure,
        reason,
        actor: muc.actor,
    };
    Read::new(vec![event], Change::Nothing)
}

fn stanza_error(payloads: &[Element]) -> Option<StanzaError> {
    payloads
        .iter()
        .find(|e| e.name() == "error")
        .and_then(|e| StanzaError::try_from(e.clone()).ok())
}

pub fn error_phrase(payloads: &[Element]) -> String {
    stanza_error(payloads).map_or_else(|| "an unreadable error".into(), |e| stanza_error_text(&e))
}

/// Why the room refused the join (XEP-0045 §7.2); `nick`: the nick asked for.
pub fn join_error(payloads: &[Element], nick: &str) -> JoinError {
    let Some(error) = stanza_error(payloads) else {
        return JoinError::Other("the room refused without saying why".into());
    };
    match error.defined_condition {
        DefinedCondition::NotAuthorized => JoinError::PasswordRequired,
        DefinedCondition::Forbidden => JoinError::Banned,
        DefinedCondition::Conflict => JoinError::NickInUse {
            suggestion: format!("{nick}_"),
        },
        DefinedCondition::ItemNotFound => JoinError::NotFound,
        DefinedCondition::RegistrationRequired => JoinError::MembersOnly,
        _ => JoinError::Other(stanza_error_text(&error)),
    }
}

/// What a `groupchat` message from a room carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Groupchat {
    Message(Message),
    Subject { text: String, by: Option<String> },
}

/// A `groupchat` message from `room`; `nick`: the user's nick there (its messages are the
/// room's reflections: `Out`). Delayed ones (join history, XEP-0203) keep their stamp (never
/// later than `now`) and come `Via::Offline`, as delayed chat messages do.
pub fn groupchat(m: &XMessage, room: &BareJid, nick: &str, now: SystemTime) -> Option<Groupchat> {
    if m.type_ != MessageType::Groupchat {
        return None;
    }
    let sender = m
        .from
        .as_ref()
        .and_then(Jid::resource)
        .map(|r| sanitize(r.as_str(), MAX_NAME));
    let body = m
        .get_best_body(Vec::new())
        .map(|(_, b)| sanitize_body(b, MAX_BODY));
    if body.is_none() {
        let (_, subject) = m.get_best_subject(Vec::new())?;
        return Some(Groupchat::Subject {
            text: sanitize(subject, MAX_STATUS),
            by: sender,
        });
    }
    let body = body.filter(|b| !b.is_empty())?;
    let delay = delay_of(&m.payloads).map(|at| at.min(now));
    Some(Groupchat::Message(Message {
        peer: room.clone(),
        direction: if sender.as_deref() == Some(nick) {
            Direction::Out
        } else {
            Direction::In
        },
        resource: sender,
        body,
        id: m.id.as_ref().map(|id| sanitize(&id.0, MAX_NAME)),
        origin_id: attr_of(&m.payloads, "origin-id", "id"),
        stanza_id: room_stanza_id(&m.payloads, room),
        at: delay.unwrap_or(now),
        replaces: attr_of(&m.payloads, "replace", "id"),
        wants_receipt: false,
        via: if delay.is_some() {
            Via::Offline
        } else {
            Via::Live
        },
    }))
}

fn delay_of(payloads: &[Element]) -> Option<SystemTime> {
    payloads
        .iter()
        .find(|e| e.is("delay", ns::DELAY))
        .and_then(|e| Delay::try_from(e.clone()).ok())
        .map(|d| SystemTime::from(d.stamp.0))
}

/// An attribute of the first payload `name` (origin-id: XEP-0359; replace: XEP-0308).
fn attr_of(payloads: &[Element], name: &str, attr: &str) -> Option<String> {
    let namespace = if name == "replace" {
        ns::MESSAGE_CORRECT
    } else {
        ns::SID
    };
    payloads
        .iter()
        .find(|e| e.is(name, namespace))
        .and_then(|e| e.attr(attr))
        .map(|v| sanitize(v, MAX_NAME))
        .filter(|v| !v.is_empty())
}

/// The room's XEP-0359 stanza-id (`by` = the room's bare JID); others are spoofable.
pub fn room_stanza_id(payloads: &[Element], room: &BareJid) -> Option<String> {
    payloads
        .iter()
        .filter(|e| e.is("stanza-id", ns::SID))
        .find(|e| {
            e.attr("by")
                .and_then(|by| Jid::new(by).ok())
                .is_some_and(|by| by.resource().is_none() && by.to_bare() == *room)
        })
        .and_then(|e| e.attr("id"))
        .map(|v| sanitize(v, MAX_NAME))
        .filter(|v| !v.is_empty())
}
