//! The session's side of 1:1 conversations: sending messages through the [`Outbox`]
//! (stored first, sent when a session is up, reported `Sent` when the server has them, sent
//! again after a new session if they were never acknowledged), chat states, receipts, and
//! enabling carbons after every new session.
//!
//! [`Outbox`]: super::outbox::Outbox

use jid::Jid;
use xmpp_parsers::stanza::Stanza;

use crate::domain::{ChatState, Delivery, Outgoing, Via};
use crate::event::SessionEvent;
use crate::history::Write;

use super::outbox::{Outcome, Settled};
use super::requests::RequestKind;
use super::{stanza, Session};

impl Session {
    /// `Command::SendMessage`: stored, then sent now or when a session is up.
    pub(super) async fn send_message(&mut self, out: Outgoing) {
        if let Some(history) = &self.history {
            history.send(Write::Message(out.to_message()));
        }
        self.outbox.push(out);
        if self.online {
            self.flush_outbox().await;
        }
    }

    /// Hands every message not in flight to the stream, oldest first (a room's only while
    /// the room is joined).
    pub(super) async fn flush_outbox(&mut self) {
        let rooms = &self.rooms;
        for (seq, out, room) in self.outbox.due(|r| rooms.is_joined(r)) {
            let message = if room {
                super::muc::build_groupchat(&out)
            } else {
                stanza::build_chat(&out)
            };
            let token = self.stream.send(Box::new(Stanza::Message(message))).await;
            self.outbox.track(seq, token);
        }
    }

    /// tokio-xmpp is done with a message's stanza; returns false when the app is gone.
    pub(super) async fn on_ack(&mut self, (seq, outcome): (u64, Outcome)) -> bool {
        match self.outbox.settle(seq, outcome, self.stream_management) {
            Settled::Sent { peer, id } => {
                self.emit(SessionEvent::Delivery {
                    peer,
                    id,
                    delivery: Delivery::Sent,
                })
                .await
            }
            Settled::Kept => {
                tracing::info!(
                    "a message was not acknowledged; it is sent again with the next session"
                );
                true
            }
            Settled::Gone => true,
        }
    }

    /// What an incoming event means for the outbox and the archive cursor.
    pub(super) fn note(&mut self, event: &SessionEvent) {
        match event {
            SessionEvent::Delivery {
                peer,
                id,
                delivery: Delivery::Delivered | Delivery::Failed(_),
            } => self.outbox.forget(peer, id),
            SessionEvent::Message(m) if m.via != Via::Archive => {
                if let Some(key) = &m.stanza_id {
                    self.archive.cursor = Some(key.clone());
                }
            }
            _ => {}
        }
    }

    /// Chat states are of the moment: not sent, nor kept, while offline.
    pub(super) async fn send_chat_state(&mut self, to: Jid, state: ChatState) {
        if self.online {
            self.send(Stanza::Message(stanza::build_chat_state(&to, state)))
                .await;
        }
    }

    pub(super) async fn send_receipt(&mut self, to: Jid, id: String) {
        if self.online {
            self.send(Stanza::Message(stanza::build_receipt(&to, &id)))
                .await;
        } else {
            tracing::debug!("offline: a receipt was not sent");
        }
    }

    /// Asks the server for carbons (XEP-0280) for this session (an old session's request
    /// will never be answered: forgotten).
    pub(super) async fn enable_carbons(&mut self) {
        self.requests.forget(|k| *k == RequestKind::Carbons);
        let id = self
            .requests
            .track(RequestKind::Carbons, tokio::time::Instant::now());
        self.send(Stanza::Iq(stanza::build_carbons_enable(&id)))
            .await;
    }

    /// Carbons enabled, or refused (one notice); returns false when the app is gone.
    pub(super) async fn on_carbons_answer(&mut self, error: Option<String>) -> bool {
        match error {
            None => true,
            Some(error) => {
                self.emit(SessionEvent::Notice(format!(
                    "The server refused to enable carbons ({error}): messages your other clients send or receive are not shown here."
                )))
                .await
            }
        }
    }
}
