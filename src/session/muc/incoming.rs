//! Room stanzas in, and joining every room again after a new session.

use jid::BareJid;
use xmpp_parsers::message::{Message as XMessage, MessageType};
use xmpp_parsers::minidom::Element;
use xmpp_parsers::ns;
use xmpp_parsers::presence::Presence;
use xmpp_parsers::stanza::Stanza;

use crate::domain::room::{Departure, RoomEvent};
use crate::domain::{Delivery, Direction, Message, Via};
use crate::event::SessionEvent;

use super::read::{self, Change, Groupchat};
use super::{Rooms, Stage};
use crate::session::Session;

impl Rooms {
    /// The room a stanza belongs to, if it is for the room code: presence from a recorded
    /// room (or carrying muc#user: never the roster's), groupchat from a recorded room.
    pub fn room_of(&self, stanza: &Stanza) -> Option<BareJid> {
        let (from, muc) = match stanza {
            Stanza::Presence(p) => (p.from.as_ref(), has_muc_user(&p.payloads)),
            Stanza::Message(m) if m.type_ == MessageType::Groupchat || is_subject_error(m) => {
                (m.from.as_ref(), false)
            }
            _ => return None,
        };
        let bare = from?.to_bare();
        (muc || self.get(&bare).is_some()).then_some(bare)
    }
}

/// The answer to one of rosterm's subject changes (see `commands::set_subject`).
fn is_subject_error(m: &XMessage) -> bool {
    m.type_ == MessageType::Error
        && m.id
            .as_ref()
            .is_some_and(|id| id.0.starts_with(super::SUBJECT_ID))
}

fn has_muc_user(payloads: &[Element]) -> bool {
    payloads.iter().any(|e| e.is("x", ns::MUC_USER))
}

impl Session {
    pub(super) async fn room_event(&self, room: &BareJid, event: RoomEvent) -> bool {
        self.emit(SessionEvent::Room {
            room: room.clone(),
            event,
        })
        .await
    }

    /// Forgets a room; its messages waiting for the room fail. False when the app is gone.
    pub(super) async fn room_gone(&mut self, room: &BareJid) -> bool {
        let mut ids = self
            .rooms
            .forget(room)
            .map(|mut r| r.take_unreflected())
            .unwrap_or_default();
        ids.extend(self.outbox.room_ids(room));
        ids.sort();
        ids.dedup();
        for id in ids {
            self.outbox.forget(room, &id);
            let failed = SessionEvent::Delivery {
                peer: room.clone(),
                id,
                delivery: Delivery::Failed("not in the room".into()),
            };
            if !self.emit(failed).await {
                return false;
            }
        }
        true
    }

    /// A presence or groupchat message from `room` (see [`Rooms::room_of`]).
    pub(in crate::session) async fn on_room_stanza(
        &mut self,
        room: BareJid,
        stanza: Stanza,
    ) -> bool {
        self.heard_from(&room);
        match stanza {
            Stanza::Presence(p) => self.on_room_presence(room, p).await,
            Stanza::Message(m) => self.on_room_message(room, m).await,
            Stanza::Iq(_) => true,
        }
    }

    async fn on_room_presence(&mut self, room: BareJid, p: Presence) -> bool {
        let Some(r) = self.rooms.get(&room).filter(|r| r.stage != Stage::Parked) else {
            tracing::debug!("presence from a room not joined ignored");
            return true;
        };
        // The goodbye to /offline's leave, if it comes at all (the server may drop it once
        // the user is unavailable), is no news, before or after the next join completes.
        if r.goodbye_due && read::plain_goodbye(&p, &r.nick) {
            if let Some(r) = self.rooms.get_mut(&room) {
                r.goodbye_due = false;
            }
            return true;
        }
        let read = read::presence(&p, &room, &r.nick, r.stage == Stage::Joining);
        // Before that goodbye come the reflections of what was sent before the leave (an
        // away typed just before /offline): not the next join's self-presence.
        if r.goodbye_due && read::stale_self(&read, r.joined_with.as_ref()) {
            tracing::debug!(%room, "a reflection from before /offline ignored");
            return true;
        }
        let joined = matches!(read.change, Change::Joined(_));
        let keep = match read.change {
            Change::Nothing => true,
            Change::Joined(nick) | Change::Nick(nick) => {
                if joined {
                    self.rooms.set_stage(&room, Stage::Joined);
                }
                if let Some(r) = self.rooms.get_mut(&room) {
                    r.nick = nick;
                }
                if joined {
                    self.after_join(&room).await;
                    self.fill_gap(&room).await;
                }
                true
            }
            Change::Gone => self.room_gone(&room).await,
            Change::Refused(text) => self.emit(SessionEvent::Notice(text)).await,
        };
        if !keep {
            return false;
        }
        for event in read.events {
            if !self.room_event(&room, event).await {
                return false;
            }
        }
        if joined {
            self.flush_outbox().await;
        }
        self.occupant_caps(&p).await
    }

    /// An occupant's XEP-0115 caps (asked of its occupant JID, which the room relays),
    /// resolved like a contact's: once per verification string, checked before use.
    async fn occupant_caps(&mut self, p: &Presence) -> bool {
        let from = p.from.as_ref().and_then(|f| f.try_as_full().ok());
        // Not the user's own occupant: rosterm knows what it runs.
        let own = from.is_some_and(|f| {
            self.rooms
                .get(&f.to_bare())
                .is_some_and(|r| r.nick == f.resource().as_str())
        });
        let offer = from
            .filter(|_| !own)
            .and_then(|from| crate::session::caps::read_offer(&p.payloads, from));
        match offer {
            Some(offer) if p.type_ == xmpp_parsers::presence::Type::None => {
                self.resolve_caps(offer).await
            }
            _ => true,
        }
    }

    async fn on_room_message(&mut self, room: BareJid, m: XMessage) -> bool {
        let Some(r) = self
            .rooms
            .get_mut(&room)
            .filter(|r| r.stage != Stage::Parked)
        else {
            return true;
        };
        if m.type_ == MessageType::Error {
            let text = format!(
                "{room} refused the subject: {}.",
                read::error_phrase(&m.payloads)
            );
            return self.emit(SessionEvent::Notice(text)).await;
        }
        let now = std::time::SystemTime::now();
        match read::groupchat(&m, &room, &r.nick, now) {
            None => true,
            Some(Groupchat::Subject { text, by }) => {
                self.room_event(&room, RoomEvent::Subject { text, by })
                    .await
            }
            Some(Groupchat::Message(message)) => {
                if !r.saw(message.stanza_id.as_deref(), message.at) {
                    return true;
                }
                let reflected = [message.id.as_deref(), message.origin_id.as_deref()]
                    .into_iter()
                    .flatten();
                let reflected = (message.direction == Direction::Out && message.via == Via::Live)
                    .then(|| r.reflected(reflected))
                    .flatten();
                self.on_room_body(room, message, reflected).await
            }
        }
    }

    /// A room message not seen before; the user's own, reflected, is also `Delivered`.
    async fn on_room_body(
        &mut self,
        room: BareJid,
        message: Message,
        reflected: Option<String>,
    ) -> bool {
        if !self.emit(SessionEvent::RoomMessage(message)).await {
            return false;
        }
        let Some(id) = reflected else {
            return true;
        };
        self.outbox.forget(&room, &id);
        self.emit(SessionEvent::Delivery {
            peer: room,
            id,
            delivery: Delivery::Delivered,
        })
        .await
    }

    /// After every new session: join every room again (`Rejoining` for those joined
    /// before); while `/offline`, park them. Rooms being left are gone.
    pub(in crate::session) async fn rejoin_rooms(&mut self) -> bool {
        for room in self.rooms.in_stage(&[Stage::Leaving]) {
            let event = RoomEvent::SelfLeft {
                departure: Departure::Left,
                reason: String::new(),
                actor: None,
            };
            if !(self.room_gone(&room).await && self.room_event(&room, event).await) {
                return false;
            }
        }
        for room in self.rooms.in_stage(&[Stage::Joined, Stage::Joining]) {
            if !self.available {
                self.rooms.set_stage(&room, Stage::Parked);
                continue;
            }
            if !self.rejoin(&room).await {
                return false;
            }
        }
        true
    }

    pub(super) async fn rejoin(&mut self, room: &BareJid) -> bool {
        self.rooms.set_stage(room, Stage::Joining);
        if self.rooms.was_joined(room) && !self.room_event(room, RoomEvent::Rejoining).await {
            return false;
        }
        self.send_join(room).await
    }
}
