//! The stanzas rosterm sends to rooms (XEP-0045): join, presence updates, leave, nick
//! change, subject, groupchat messages.

use std::time::{SystemTime, UNIX_EPOCH};

use jid::{BareJid, FullJid, Jid};
use xmpp_parsers::date::DateTime;
use xmpp_parsers::message::{Id, Lang, Message};
use xmpp_parsers::muc::muc::History as XHistory;
use xmpp_parsers::muc::Muc;
use xmpp_parsers::presence::{Presence, Type as PresenceType};
use xmpp_parsers::stanza_id::OriginId;

use crate::domain::{Outgoing, OwnPresence};
use crate::session::stanza::build_presence;

/// How many messages of join history to ask for when rosterm knows of none newer.
pub const HISTORY_MAX: u32 = 50;

/// Which history the join asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum History {
    /// The newest [`HISTORY_MAX`].
    Recent,
    /// Everything since this moment (inclusive: duplicates are the session's to drop).
    Since(SystemTime),
}

/// `room/nick`, if the nick makes a valid resource.
pub fn occupant_jid(room: &BareJid, nick: &str) -> Option<FullJid> {
    room.with_resource_str(nick).ok()
}

/// The join presence: the user's presence, plus `<x xmlns='…muc'>` with the password and
/// the history wanted.
pub fn build_join(
    to: &FullJid,
    own: &OwnPresence,
    nick: Option<&str>,
    password: Option<&str>,
    history: History,
) -> Presence {
    let mut p = build_presence(own, Some(Jid::from(to.clone())), nick);
    let history = match history {
        History::Recent => XHistory::new().with_maxstanzas(HISTORY_MAX),
        History::Since(at) => match xep0082(at).parse::<DateTime>() {
            Ok(since) => XHistory::new().with_since(since),
            Err(_) => XHistory::new().with_maxstanzas(HISTORY_MAX),
        },
    };
    let muc = Muc {
        password: password.map(str::to_owned),
        history: Some(history),
    };
    p.payloads.push(muc.into());
    p
}

/// The user's presence, as an update to one room (no `<x>`: not a join).
pub fn build_update(to: &FullJid, own: &OwnPresence, nick: Option<&str>) -> Presence {
    build_presence(own, Some(Jid::from(to.clone())), nick)
}

/// Leaving: unavailable presence, the reason as its status.
pub fn build_leave(to: &FullJid, reason: Option<&str>) -> Presence {
    let mut p = Presence::new(PresenceType::Unavailable).with_to(Jid::from(to.clone()));
    if let Some(reason) = reason.filter(|r| !r.is_empty()) {
        p.set_status("", reason);
    }
    p
}

/// A groupchat message; its id is also its XEP-0359 origin-id (the reflection carries both).
pub fn build_groupchat(out: &Outgoing) -> Message {
    let mut m = Message::groupchat(Some(Jid::from(out.to.to_bare())))
        .with_body(Lang::new(), out.body.clone());
    m.id = Some(Id(out.id.clone()));
    m.payloads.push(OriginId { id: out.id.clone() }.into());
    if let Some(original) = &out.replaces {
        m.payloads.push(
            xmpp_parsers::message_correct::Replace {
                id: Id(original.clone()),
            }
            .into(),
        );
    }
    m
}

/// A subject change: a groupchat message with only `<subject>`.
pub fn build_subject(room: &BareJid, id: &str, text: &str) -> Message {
    let mut m = Message::groupchat(Some(Jid::from(room.clone())));
    m.id = Some(Id(id.to_owned()));
    m.subjects.insert(Lang::new(), text.to_owned());
    m
}

/// A XEP-0082 UTC date-time (`2026-12-03T07:10:00Z`).
pub fn xep0082(at: SystemTime) -> String {
    let secs = at
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let secs = i64::try_from(secs).unwrap_or(0);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let date = crate::domain::civil_date(days);
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}
