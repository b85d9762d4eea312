//! Rooms (XEP-0045 multi-user chat) on the session's side. Here: the session's record of
//! the rooms the user joined ([`Rooms`]); `session` carries out the room commands and hands
//! room stanzas to `read` (pure translation; `user` reads muc#user payloads tolerantly);
//! `build` makes the stanzas; `archive` queries the room's own archive (MUC MAM: the gap
//! after every join, scroll-back pages).
//!
//! The life of a room: `JoinRoom` records it `Joining` and sends the join presence (when a
//! session is up; else at the next one). Occupant presences arrive (`RoomEvent::Occupant`),
//! then the self-presence: `Occupant` (the user) and `Joined`. From then on the user's
//! presence changes go to the room too. Every new session (not a resumed stream) joins
//! every room again (`Rejoining`, history since the newest message seen, duplicates by
//! stanza-id dropped). Once joined, the room's archive is asked for what came after the
//! newest room stanza-id known (`archive`), through the same duplicate check. `/offline` leaves the rooms; the next `SetPresence` joins them again.
//! Leaving, a kick, a ban or the room's destruction forget the room: no rejoin after it.
//!
//! A joined room quiet for minutes gets a XEP-0410 self-ping (`self_ping`); if the room no
//! longer knows the user, it is joined again (`Rejoining`).
//!
//! Presence and groupchat messages from a recorded room never reach `translate` (the
//! roster never sees an occupant). Private messages from occupants (`chat` from room/nick)
//! and message errors do, and come out as 1:1 messages and delivery failures (the app
//! gives an occupant's messages their own conversation, `ContactId::occupant`).

mod archive;
pub(in crate::session) mod build;
mod commands;
mod incoming;
mod read;
mod self_ping;
mod user;

#[cfg(test)]
mod archive_tests;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, SystemTime};

use jid::BareJid;

pub use build::build_groupchat;
pub use self_ping::CHECK as SELF_PING_CHECK;

/// The id prefix of subject changes (their errors become a notice).
const SUBJECT_ID: &str = "rosterm-subject-";
/// Room stanza-ids remembered per room to drop join-history duplicates.
const RECENT_IDS: usize = 256;
/// The join history after a rejoin starts this much before the newest message seen (the
/// room's clock and ours differ; duplicates are dropped by stanza-id).
const HISTORY_MARGIN: Duration = Duration::from_secs(60);

/// Where the user is with one room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The join presence is out (or waits for a session); no self-presence yet.
    Joining,
    Joined,
    /// `LeaveRoom` sent; waiting for the room's goodbye.
    Leaving,
    /// The user went `/offline`: out of the room, joined again when available.
    Parked,
}

/// One room the user joined or is joining.
#[derive(Debug, Clone)]
pub struct Room {
    /// The nick asked for, then the one the room gave.
    pub nick: String,
    pub password: Option<String>,
    pub stage: Stage,
    /// The stanza-id given by the app's `JoinRoom` (history after it is what it lacks).
    after: Option<String>,
    /// When the newest message seen was sent (for the next join's history).
    newest: Option<SystemTime>,
    /// The room stanza-ids of the latest messages seen, oldest first.
    recent: VecDeque<String>,
    /// It was joined once in this process (a join now is a rejoin).
    was_joined: bool,
    /// The ids of the user's messages sent to it and not yet reflected, oldest first.
    unreflected: VecDeque<String>,
    /// `/offline` sent it an unavailable presence: the room's plain goodbye is no news.
    pub goodbye_due: bool,
    /// When the room last sent anything (see `self_ping`).
    heard: Option<tokio::time::Instant>,
    /// A self-ping is in flight.
    pinging: bool,
    /// The user's presence the join carried (a change while joining is sent once joined).
    pub joined_with: Option<crate::domain::OwnPresence>,
}

impl Room {
    fn new(nick: String, password: Option<String>, after: Option<String>) -> Room {
        let mut room = Room {
            nick,
            password,
            stage: Stage::Joining,
            after: None,
            newest: None,
            recent: VecDeque::new(),
            was_joined: false,
            unreflected: VecDeque::new(),
            goodbye_due: false,
            heard: None,
            pinging: false,
            joined_with: None,
        };
        if let Some(id) = after {
            room.remember(id);
        }
        room
    }

    /// The join history to ask for.
    pub fn history(&self) -> build::History {
        match self.newest {
            Some(at) => build::History::Since(at.checked_sub(HISTORY_MARGIN).unwrap_or(at)),
            None => build::History::Recent,
        }
    }

    /// Notes a message; false if it is a duplicate (its stanza-id was seen already).
    pub fn saw(&mut self, stanza_id: Option<&str>, at: SystemTime) -> bool {
        if let Some(id) = stanza_id {
            if self.recent.iter().any(|r| r == id) {
                return false;
            }
            self.remember(id.to_owned());
        }
        self.newest = Some(self.newest.map_or(at, |n| n.max(at)));
        true
    }

    /// A message of the user's, with this id, is on its way to the room.
    pub fn sending(&mut self, id: String) {
        if self.unreflected.len() == RECENT_IDS {
            self.unreflected.pop_front();
        }
        self.unreflected.push_back(id);
    }

    /// The room reflected one of these ids (the stanza's id, its origin-id): the one that
    /// was awaited, no longer awaited.
    pub fn reflected<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>) -> Option<String> {
        let ids: Vec<&str> = ids.into_iter().collect();
        let pos = self
            .unreflected
            .iter()
            .position(|u| ids.contains(&u.as_str()))?;
        self.unreflected.remove(pos)
    }

    /// The user's messages never reflected.
    pub fn take_unreflected(&mut self) -> Vec<String> {
        self.unreflected.drain(..).collect()
    }

    /// A stanza-id the user has: the newest known, and never shown twice.
    fn remember(&mut self, id: String) {
        if self.recent.len() == RECENT_IDS {
            self.recent.pop_front();
        }
        self.recent.push_back(id.clone());
        self.after = Some(id);
    }

    /// The newest room stanza-id known.
    #[cfg(test)]
    pub fn after(&self) -> Option<&str> {
        self.after.as_deref()
    }
}

/// Every room the session knows of, by bare JID.
#[derive(Debug, Default)]
pub struct Rooms {
    rooms: BTreeMap<BareJid, Room>,
    /// The room archive queries in flight (see `archive`).
    queries: archive::Queries,
}

impl Rooms {
    pub fn get(&self, room: &BareJid) -> Option<&Room> {
        self.rooms.get(room)
    }

    pub fn get_mut(&mut self, room: &BareJid) -> Option<&mut Room> {
        self.rooms.get_mut(room)
    }

    /// Records a room to join (again): `Joining`, keeping what was seen of it.
    pub fn join(
        &mut self,
        room: BareJid,
        nick: String,
        password: Option<String>,
        (after, since): (Option<String>, Option<SystemTime>),
    ) {
        let r = self
            .rooms
            .entry(room)
            .or_insert_with(|| Room::new(nick.clone(), password.clone(), None));
        r.nick = nick;
        r.password = password;
        r.stage = Stage::Joining;
        if let Some(id) = after {
            r.remember(id);
        }
        // The newest message on disk (after a restart): the join history starts there.
        if let Some(at) = since {
            r.newest = Some(r.newest.map_or(at, |n| n.max(at)));
        }
    }

    pub fn forget(&mut self, room: &BareJid) -> Option<Room> {
        self.rooms.remove(room)
    }

    /// A message may be sent to this room now.
    pub fn is_joined(&self, room: &BareJid) -> bool {
        self.rooms
            .get(room)
            .is_some_and(|r| r.stage == Stage::Joined)
    }

    /// The rooms in these stages.
    pub fn in_stage(&self, stages: &[Stage]) -> Vec<BareJid> {
        self.rooms
            .iter()
            .filter(|(_, r)| stages.contains(&r.stage))
            .map(|(j, _)| j.clone())
            .collect()
    }

    pub fn set_stage(&mut self, room: &BareJid, stage: Stage) {
        if let Some(r) = self.rooms.get_mut(room) {
            if stage == Stage::Joined {
                r.was_joined = true;
            }
            r.stage = stage;
        }
    }

    /// Whether the room was joined before in this process.
    pub fn was_joined(&self, room: &BareJid) -> bool {
        self.rooms.get(room).is_some_and(|r| r.was_joined)
    }
}
