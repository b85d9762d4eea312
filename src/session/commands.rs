//! What goes out: each [`Command`] from the app becomes stanzas (built in `stanza`), and
//! every IQ request gets its id from the tracker (`requests`), which then awaits its answer.

use jid::{BareJid, Jid};
use xmpp_parsers::presence::Type as PresenceType;
use xmpp_parsers::stanza::Stanza;

use crate::domain::OwnPresence;
use crate::event::{Command, SessionEvent};

use super::requests::RequestKind;
use super::{stanza, Session};

impl Session {
    /// Carries out a command; returns false when the session should end.
    pub(super) async fn on_command(&mut self, cmd: Command) -> bool {
        match cmd {
            Command::SetPresence(p) => return self.set_presence(p, None).await,
            Command::SetAutoPresence {
                presence,
                idle_since,
            } => return self.set_presence(presence, idle_since).await,
            Command::AnswerLastActivity { to, id, idle_secs } => {
                self.answer_last_activity(to, id, idle_secs).await
            }
            Command::GoOffline => self.go_offline().await,
            Command::QueryLastActivity(jid) => return self.query_last(jid).await,
            Command::QueryTime { jid, resource } => return self.query_time(jid, resource).await,
            Command::QueryVersion { jid, resource } => {
                return self.query_version(jid, resource).await
            }
            Command::SetNick(nick) => self.set_nick(nick).await,
            Command::DirectedPresence { to, presence } => {
                return self.directed_presence(to, presence).await
            }
            contact @ (Command::Subscribe { .. }
            | Command::Approve(_)
            | Command::Deny(_)
            | Command::Unsubscribe(_)
            | Command::RemoveContact(_)
            | Command::UpdateContact { .. }) => self.on_contact_command(contact).await,
            Command::SendMessage(out) => self.send_message(out).await,
            Command::SendChatState { to, state } => self.send_chat_state(to, state).await,
            Command::SendReceipt { to, id } => self.send_receipt(to, id).await,
            Command::FetchArchive { with, before, max } => {
                self.fetch_archive(with, before, max).await
            }
            room @ (Command::JoinRoom { .. }
            | Command::LeaveRoom { .. }
            | Command::RoomNick { .. }
            | Command::SetSubject { .. }
            | Command::SendRoomMessage(_)
            | Command::FetchRoomArchive { .. }) => return self.on_room_command(room).await,
            Command::SetBookmark(bookmark) => self.set_bookmark(bookmark).await,
            Command::RemoveBookmark(room) => self.remove_bookmark(room).await,
            Command::ChangePassword(new) => return self.change_password(new).await,
            Command::Unregister => return self.unregister().await,
            Command::GatewayForm(gateway) => return self.ask_gateway_form(gateway).await,
            Command::GatewayRegister {
                gateway,
                form,
                answers,
            } => return self.register_with_gateway(gateway, form, answers).await,
            Command::Reconnect => self.retry.notify_one(),
            Command::Console(on) => self.console = on,
            Command::SendRaw(text) => self.send_raw(&text).await,
            Command::Disconnect => return false,
        }
        true
    }

    /// Roster and subscription commands.
    async fn on_contact_command(&mut self, cmd: Command) {
        match cmd {
            Command::Subscribe { jid, name } => {
                self.roster_set(format!("adding {jid}"), &jid, name, Vec::new(), false)
                    .await;
                self.subscription(PresenceType::Subscribe, &jid).await;
            }
            Command::Approve(jid) => self.subscription(PresenceType::Subscribed, &jid).await,
            Command::Deny(jid) => self.subscription(PresenceType::Unsubscribed, &jid).await,
            Command::Unsubscribe(jid) => self.subscription(PresenceType::Unsubscribe, &jid).await,
            Command::RemoveContact(jid) => {
                self.roster_set(format!("removing {jid}"), &jid, None, Vec::new(), true)
                    .await
            }
            Command::UpdateContact { jid, name, groups } => {
                self.roster_set(format!("updating {jid}"), &jid, name, groups, false)
                    .await
            }
            _ => {}
        }
    }

    /// Sends the presence the user wants, unless they went offline (`/offline`).
    pub(super) async fn send_presence(&mut self) {
        if !self.available {
            return;
        }
        let mut p = stanza::build_presence(&self.presence, None, self.nick.as_deref());
        stanza::add_idle(&mut p, self.idle);
        self.send(Stanza::Presence(p)).await;
        self.sent = Some(self.presence.clone());
    }

    async fn set_presence(
        &mut self,
        presence: OwnPresence,
        idle: Option<std::time::SystemTime>,
    ) -> bool {
        self.presence = presence;
        self.idle = idle;
        self.available = true;
        if self.online {
            self.send_presence().await;
            return self.presence_to_rooms().await;
        }
        true
    }

    /// XEP-0012: the app decided what `to` may know.
    async fn answer_last_activity(&mut self, to: Option<Jid>, id: String, idle_secs: Option<u64>) {
        if self.online {
            let iq = stanza::build_last_activity(to, id, idle_secs);
            self.send(Stanza::Iq(iq)).await;
        }
    }

    async fn go_offline(&mut self) {
        self.park_rooms().await;
        self.available = false;
        if self.online {
            self.send(Stanza::Presence(stanza::build_unavailable()))
                .await;
        }
        self.sent = None;
    }

    async fn set_nick(&mut self, nick: Option<String>) {
        self.nick = nick;
        if self.online {
            self.send_presence().await;
        }
    }

    /// Returns false when the app is gone.
    async fn directed_presence(&mut self, to: Jid, presence: OwnPresence) -> bool {
        if !self.online {
            return self
                .emit(SessionEvent::Notice(
                    "Not connected: the directed presence was not sent.".into(),
                ))
                .await;
        }
        let p = stanza::build_presence(&presence, Some(to), self.nick.as_deref());
        self.send(Stanza::Presence(p)).await;
        true
    }

    pub(super) async fn subscription(&mut self, type_: PresenceType, jid: &BareJid) {
        let p = stanza::build_subscription(type_, jid, self.nick.as_deref());
        self.send(Stanza::Presence(p)).await;
    }

    /// A roster set whose answer is awaited: an error or a timeout becomes a notice.
    async fn roster_set(
        &mut self,
        what: String,
        jid: &BareJid,
        name: Option<String>,
        groups: Vec<String>,
        remove: bool,
    ) {
        let id = self.requests.track(RequestKind::RosterSet { what }, now());
        let iq = stanza::build_roster_set(&id, jid, name, groups, remove);
        self.send(Stanza::Iq(iq)).await;
    }

    /// Asks for the roster (replacing a roster get still in flight); with versioning, only
    /// for what changed since the version the app has.
    pub(super) async fn request_roster(&mut self) {
        let id = self.requests.track(RequestKind::RosterGet, now());
        // ver='' on the first fetch opts into versioning (RFC 6121 §2.6.3).
        let ver = if self.versioning {
            Some(self.roster_ver.clone().unwrap_or_default())
        } else {
            None
        };
        self.send(Stanza::Iq(stanza::build_roster_get(&id, ver)))
            .await;
    }
}

fn now() -> tokio::time::Instant {
    tokio::time::Instant::now()
}
