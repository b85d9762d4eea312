//! The room commands, and the user's presence to the rooms.

use jid::BareJid;
use xmpp_parsers::stanza::Stanza;

use crate::domain::room::{Departure, JoinError, RoomEvent};
use crate::domain::{Delivery, Outgoing};
use crate::event::{Command, SessionEvent};

use super::build::{self, occupant_jid};
use super::Stage;
use crate::session::Session;

impl Session {
    /// A room command; returns false when the app is gone.
    pub(in crate::session) async fn on_room_command(&mut self, cmd: Command) -> bool {
        match cmd {
            Command::JoinRoom {
                room,
                nick,
                password,
                after,
                since,
            } => self.join_room(room, nick, password, (after, since)).await,
            Command::LeaveRoom { room, reason } => self.leave_room(room, reason).await,
            Command::RoomNick { room, nick } => self.room_nick(room, nick).await,
            Command::SetSubject { room, text } => self.set_subject(room, text).await,
            Command::SendRoomMessage(out) => self.send_room_message(out).await,
            Command::FetchRoomArchive { room, before, max } => {
                self.fetch_room_archive(room, before, max).await
            }
            other => {
                tracing::debug!(?other, "not a room command");
                true
            }
        }
    }

    async fn join_room(
        &mut self,
        room: BareJid,
        nick: String,
        password: Option<String>,
        cursor: (Option<String>, Option<std::time::SystemTime>),
    ) -> bool {
        if let Some(r) = self.rooms.get(&room).filter(|r| r.stage == Stage::Joined) {
            if r.nick == nick {
                return self.room_event(&room, RoomEvent::Joined { nick }).await;
            }
            return self.room_nick(room, nick).await;
        }
        self.rooms.join(room.clone(), nick, password, cursor);
        if self.online && self.available {
            return self.send_join(&room).await;
        }
        true
    }

    /// Sends the join presence for a recorded room; a nick that cannot be a resource fails
    /// the join at once.
    pub(super) async fn send_join(&mut self, room: &BareJid) -> bool {
        let Some(r) = self.rooms.get(room) else {
            return true;
        };
        let Some(to) = occupant_jid(room, &r.nick) else {
            let nick = r.nick.clone();
            let failure = JoinError::Other(format!("{nick:?} cannot be a nick"));
            self.rooms.forget(room);
            return self.room_event(room, RoomEvent::JoinFailed(failure)).await;
        };
        let mut p = build::build_join(
            &to,
            &self.presence,
            self.nick.as_deref(),
            r.password.as_deref(),
            r.history(),
        );
        crate::session::stanza::add_idle(&mut p, self.idle);
        let carried = self.presence.clone();
        if let Some(r) = self.rooms.get_mut(room) {
            r.joined_with = Some(carried);
        }
        self.send(Stanza::Presence(p)).await;
        true
    }

    /// The join completed: a presence change made while it was under way goes out now.
    pub(super) async fn after_join(&mut self, room: &BareJid) {
        let Some(r) = self.rooms.get(room) else {
            return;
        };
        if !self.available || r.joined_with.as_ref() == Some(&self.presence) {
            return;
        }
        let Some(to) = occupant_jid(room, &r.nick) else {
            return;
        };
        let p = build::build_update(&to, &self.presence, self.nick.as_deref());
        self.send(Stanza::Presence(p)).await;
    }

    async fn leave_room(&mut self, room: BareJid, reason: Option<String>) -> bool {
        let target = self.rooms.get(&room).and_then(|r| {
            let live = matches!(r.stage, Stage::Joined | Stage::Joining | Stage::Leaving);
            occupant_jid(&room, &r.nick).filter(|_| live && self.online)
        });
        match target {
            Some(to) => {
                self.rooms.set_stage(&room, Stage::Leaving);
                if let Some(r) = self.rooms.get_mut(&room) {
                    // This leave's goodbye is news (an earlier /offline's never came).
                    r.goodbye_due = false;
                }
                let p = build::build_leave(&to, reason.as_deref());
                self.send(Stanza::Presence(p)).await;
                true
            }
            // Not in it (offline, parked, unknown): gone at once.
            None => {
                let event = RoomEvent::SelfLeft {
                    departure: Departure::Left,
                    reason: String::new(),
                    actor: None,
                };
                self.room_gone(&room).await && self.room_event(&room, event).await
            }
        }
    }

    async fn room_nick(&mut self, room: BareJid, nick: String) -> bool {
        let online = self.online;
        let Some(r) = self.rooms.get_mut(&room) else {
            let text = format!("Not in {room}: join it first.");
            return self.emit(SessionEvent::Notice(text)).await;
        };
        if r.stage != Stage::Joined || !online {
            r.nick = nick;
            return true;
        }
        let Some(to) = occupant_jid(&room, &nick) else {
            let text = format!("{nick:?} cannot be a nick in {room}.");
            return self.emit(SessionEvent::Notice(text)).await;
        };
        let p = build::build_update(&to, &self.presence, self.nick.as_deref());
        self.send(Stanza::Presence(p)).await;
        true
    }

    async fn set_subject(&mut self, room: BareJid, text: String) -> bool {
        if !(self.online && self.rooms.is_joined(&room)) {
            let text = format!("Not in {room} right now: the subject was not set.");
            return self.emit(SessionEvent::Notice(text)).await;
        }
        self.subject_seq += 1;
        let id = format!("{}{}", super::SUBJECT_ID, self.subject_seq);
        self.send(Stanza::Message(build::build_subject(&room, &id, &text)))
            .await;
        true
    }

    async fn send_room_message(&mut self, out: Outgoing) -> bool {
        let room = out.to.to_bare();
        let Some(r) = self.rooms.get_mut(&room) else {
            return self
                .emit(SessionEvent::Delivery {
                    peer: room,
                    id: out.id,
                    delivery: Delivery::Failed("not in the room".into()),
                })
                .await;
        };
        r.sending(out.id.clone());
        self.outbox.push_room(out);
        if self.online {
            self.flush_outbox().await;
        }
        true
    }

    /// The user's presence changed: tell every joined room; parked rooms are joined again.
    pub(in crate::session) async fn presence_to_rooms(&mut self) -> bool {
        for room in self.rooms.in_stage(&[Stage::Joined]) {
            let Some(to) = self
                .rooms
                .get(&room)
                .and_then(|r| occupant_jid(&room, &r.nick))
            else {
                continue;
            };
            let mut p = build::build_update(&to, &self.presence, self.nick.as_deref());
            crate::session::stanza::add_idle(&mut p, self.idle);
            self.send(Stanza::Presence(p)).await;
        }
        for room in self.rooms.in_stage(&[Stage::Parked]) {
            if !self.rejoin(&room).await {
                return false;
            }
        }
        true
    }

    /// `/offline`: out of every room (joined again by the next `SetPresence`).
    pub(in crate::session) async fn park_rooms(&mut self) {
        for room in self.rooms.in_stage(&[Stage::Joined, Stage::Joining]) {
            let to = self
                .rooms
                .get(&room)
                .and_then(|r| occupant_jid(&room, &r.nick));
            if let Some(to) = to.filter(|_| self.online) {
                self.send(Stanza::Presence(build::build_leave(&to, None)))
                    .await;
                if let Some(r) = self.rooms.get_mut(&room) {
                    r.goodbye_due = true;
                }
            }
            self.rooms.set_stage(&room, Stage::Parked);
        }
    }
}
