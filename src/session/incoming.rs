//! What comes in: stream events (a new session, a lost connection, a resumed stream),
//! stanzas (answers to rosterm's requests are matched in the tracker first, everything else
//! goes through `translate`), the server's silence (request deadlines), and what the sieve
//! and the XMPP library changed on the way in.

use std::sync::atomic::Ordering;

use jid::Jid;
use tokio_xmpp::stanzastream::{Event as StreamEvt, StreamEvent};
use xmpp_parsers::iq::Iq;
use xmpp_parsers::stanza::Stanza;
use xmpp_parsers::stream_features::StreamFeatures;

use crate::domain::ConnState;
use crate::event::{ConsoleDir, SessionEvent};
use crate::sanitize::sanitize;

use super::requests::RequestKind;
use super::{discarded, translate, Session, REQUEST_TIMEOUT};

impl Session {
    /// One item from the stream (`None`: the stream ended); returns false when the session
    /// should end. What the sieve and the library did on the way in happened before this
    /// item arrived, so it is reported first: whoever sees the item's effect can count on
    /// the report having been applied.
    pub(super) async fn on_stream_item(&mut self, item: Option<StreamEvt>) -> bool {
        if !self.report_input().await {
            return false;
        }
        match item {
            Some(StreamEvt::Stream(ev)) => self.on_stream_event(ev).await,
            Some(StreamEvt::Stanza(stanza)) => match self.fast_lane.resolve(stanza) {
                Some(stanza) => {
                    self.record(ConsoleDir::In, &stanza).await;
                    self.on_stanza(stanza).await
                }
                None => {
                    discarded::note("a presence read by the sieve went missing".into());
                    true
                }
            },
            None => false,
        }
    }

    async fn on_stream_event(&mut self, ev: StreamEvent) -> bool {
        match ev {
            StreamEvent::Reset {
                bound_jid,
                features,
            } => self.on_reset(bound_jid, features).await,
            StreamEvent::Suspended => {
                self.online = false;
                tracing::info!("connection lost");
                self.emit(SessionEvent::Connection(ConnState::Reconnecting {
                    attempt: 0,
                    retry_in_secs: 0,
                    reason: "connection lost".into(),
                }))
                .await
            }
            StreamEvent::Resumed => self.on_resumed().await,
        }
    }

    /// A new session (first login, or a reconnect that could not resume): fetch the roster,
    /// send the presence again.
    async fn on_reset(&mut self, bound_jid: Jid, features: StreamFeatures) -> bool {
        self.negotiating.store(false, Ordering::SeqCst);
        self.stream_management = features.stream_management.is_some();
        self.versioning = features
            .others
            .iter()
            .any(|f| f.is("ver", "urn:xmpp:features:rosterver"));
        self.bound = bound_jid.try_into_full().ok();
        self.online = true;
        let bound = self
            .bound
            .as_ref()
            .map(|j| j.to_string())
            .unwrap_or_default();
        tracing::info!(%bound, "new session");
        if !self.emit(SessionEvent::SessionStarted { bound }).await {
            return false;
        }
        self.request_roster().await;
        self.enable_carbons().await;
        self.fetch_bookmarks().await;
        self.discover_gateways().await;
        // The archive before the presence: Prosody then skips its offline-storage copies.
        self.start_catch_up().await;
        self.send_presence().await;
        if !(self.drop_room_queries().await && self.rejoin_rooms().await) {
            return false;
        }
        self.flush_outbox().await;
        true
    }

    async fn on_resumed(&mut self) -> bool {
        self.negotiating.store(false, Ordering::SeqCst);
        self.online = true;
        tracing::info!("stream resumed");
        // Resumed: nothing was lost; send only a presence the user changed meanwhile.
        if self.available && self.sent.as_ref() != Some(&self.presence) {
            self.send_presence().await;
        }
        // Typed while the connection was down, or let go by the library: send them now.
        self.flush_outbox().await;
        self.emit(SessionEvent::Connection(ConnState::Online)).await
    }

    async fn on_stanza(&mut self, stanza: Stanza) -> bool {
        if self.is_room_archive_result(&stanza) {
            return self.on_room_archive_result(stanza).await;
        }
        if let Some(room) = self.rooms.room_of(&stanza) {
            return self.on_room_stanza(room, stanza).await;
        }
        // The roster get's answer is read by `translate`; a roster set's is read here.
        let roster_query = match self.answered(&stanza) {
            Some((id, RequestKind::RosterGet, _)) => Some(id),
            Some((id, kind, error)) => return self.on_answer(&id, kind, &stanza, error).await,
            None => None,
        };
        self.translate_stanza(stanza, roster_query).await
    }

    /// A stanza for `translate` (`roster_query`: the id of the roster get it answers).
    async fn translate_stanza(&mut self, stanza: Stanza, roster_query: Option<String>) -> bool {
        let archive = &self.archive;
        let ctx = translate::Context {
            own: &self.own,
            bound: self.bound.as_ref(),
            roster_query: roster_query.as_deref(),
            open_query: &|q| archive.is_open(q),
            lane: Some(&self.fast_lane),
            now: std::time::SystemTime::now(),
        };
        let out = translate::translate(stanza, &ctx);
        if let Some(reply) = out.reply {
            self.send(reply).await;
        }
        let caps = out.caps;
        if out.bookmarks_changed {
            self.fetch_bookmarks().await;
        }
        if let Some(query) = &out.archived {
            let n = out
                .events
                .iter()
                .filter(|e| matches!(e, SessionEvent::Message(_)))
                .count();
            self.archive.counted(query, n);
        }
        for ev in out.events {
            if self.approve_gateway(&ev).await {
                continue;
            }
            self.note(&ev);
            if !self.emit(ev).await {
                return false;
            }
        }
        if let Some(offer) = caps {
            if !self.on_caps_offer(offer).await {
                return false;
            }
        }
        match out.roster_ver {
            Some(ver) => {
                self.roster_ver = Some(ver.clone());
                self.emit(SessionEvent::RosterVersion(ver)).await
            }
            None => true,
        }
    }

    /// The answer to a request other than the roster get; returns false when the app is gone.
    async fn on_answer(
        &mut self,
        id: &str,
        kind: RequestKind,
        stanza: &Stanza,
        error: Option<String>,
    ) -> bool {
        match kind {
            RequestKind::RosterGet => true,
            RequestKind::RosterSet { what } => self.on_roster_set_answer(what, error).await,
            RequestKind::Carbons => self.on_carbons_answer(error).await,
            RequestKind::SelfPing { room } => self.on_self_ping_answer(room, error).await,
            RequestKind::Archive => self.on_archive_answer(id, stanza, error).await,
            RequestKind::RoomArchive { .. } => self.on_room_archive_answer(id, stanza, error).await,
            RequestKind::Bookmarks => self.on_bookmarks_answer(stanza, error).await,
            RequestKind::BookmarkSet { what } => self.on_bookmark_set_answer(what, error).await,
            RequestKind::LastActivity { of } => self.on_last_answer(of, stanza, error).await,
            RequestKind::Password { new } => self.on_password_answer(new, stanza).await,
            RequestKind::Unregister => self.on_unregister_answer(stanza).await,
            RequestKind::Caps { ver, hash, of } => {
                self.on_caps_answer((ver, hash, of), Some(stanza), error)
                    .await
            }
            RequestKind::Time { of } => self.on_time_answer(of, Some(stanza), error).await,
            RequestKind::Version { of } => self.on_version_answer(of, Some(stanza), error).await,
            RequestKind::GatewayItems => self.on_gateway_items(Some(stanza)).await,
            RequestKind::GatewayInfo { of } => self.on_gateway_info(of, Some(stanza)).await,
            RequestKind::GatewayForm { of } => self.on_gateway_form(of, stanza, error).await,
            RequestKind::GatewaySubmit { of } => self.on_gateway_registered(of, error).await,
        }
    }

    /// The request this stanza answers, if it is an IQ result or error the tracker accepts:
    /// its id, its kind and, for an error, the error as one phrase.
    fn answered(&mut self, stanza: &Stanza) -> Option<(String, RequestKind, Option<String>)> {
        let Stanza::Iq(iq) = stanza else { return None };
        let (from, id, error) = match iq {
            Iq::Result { from, id, .. } => (from, id, None),
            Iq::Error {
                from, id, error, ..
            } => (from, id, Some(error)),
            Iq::Get { .. } | Iq::Set { .. } => return None,
        };
        let kind = self.requests.answer(id, from.as_ref())?;
        Some((id.clone(), kind, error.map(translate::stanza_error_text)))
    }

    /// A roster set was answered: only a refusal is news.
    async fn on_roster_set_answer(&mut self, what: String, error: Option<String>) -> bool {
        match error {
            None => true,
            Some(error) => {
                self.emit(SessionEvent::Notice(format!(
                    "The server refused {what}: {error}."
                )))
                .await
            }
        }
    }

    /// Requests past their deadline; returns false when the app is gone.
    pub(super) async fn on_deadline(&mut self) -> bool {
        for (id, kind) in self.requests.expire(tokio::time::Instant::now()) {
            let keep = match kind {
                RequestKind::RosterGet => self.on_roster_timeout(id).await,
                RequestKind::Archive => self.on_archive_timeout(&id).await,
                RequestKind::RoomArchive { .. } => self.on_room_archive_timeout(&id).await,
                RequestKind::SelfPing { room } => {
                    self.on_self_ping_timeout(&room);
                    true
                }
                RequestKind::Bookmarks => true,
                RequestKind::LastActivity { of } => self.on_last_timeout(of).await,
                kind @ (RequestKind::Password { .. } | RequestKind::Unregister) => {
                    self.on_account_admin_timeout(&kind).await
                }
                RequestKind::Caps { ver, hash, of } => {
                    self.on_caps_answer((ver, hash, of), None, None).await
                }
                RequestKind::Time { of } => self.on_time_answer(of, None, None).await,
                RequestKind::Version { of } => self.on_version_answer(of, None, None).await,
                RequestKind::GatewayItems => self.on_gateway_items(None).await,
                RequestKind::GatewayInfo { of } => self.on_gateway_info(of, None).await,
                RequestKind::GatewayForm { of } => self.on_gateway_timeout(of, false).await,
                RequestKind::GatewaySubmit { of } => self.on_gateway_timeout(of, true).await,
                RequestKind::BookmarkSet { what } => {
                    self.emit(SessionEvent::Notice(format!(
                        "The server did not answer within {} s while {what}.",
                        REQUEST_TIMEOUT.as_secs()
                    )))
                    .await
                }
                RequestKind::Carbons => {
                    self.emit(SessionEvent::Notice(format!(
                        "The server did not answer within {} s while enabling carbons.",
                        REQUEST_TIMEOUT.as_secs()
                    )))
                    .await
                }
                RequestKind::RosterSet { what } => {
                    self.emit(SessionEvent::Notice(format!(
                        "The server did not answer within {} s while {what}.",
                        REQUEST_TIMEOUT.as_secs()
                    )))
                    .await
                }
            };
            if !keep {
                return false;
            }
        }
        true
    }

    /// The roster request was not answered in time: tell the user and ask again. While the
    /// connection is down it stays answerable without a deadline instead: a resumed stream
    /// (XEP-0198) can still deliver the answer, and a new session asks again anyway.
    async fn on_roster_timeout(&mut self, id: String) -> bool {
        if !self.online {
            self.requests.keep_untimed(id, RequestKind::RosterGet);
            return true;
        }
        let ok = self
            .emit(SessionEvent::Notice(format!(
                "The server did not answer the roster request within {} s; asking again.",
                REQUEST_TIMEOUT.as_secs()
            )))
            .await;
        self.request_roster().await;
        ok
    }

    /// Logs and reports what the sieve changed and what the library discarded since the
    /// last stanza; returns false when the app is gone.
    async fn report_input(&mut self) -> bool {
        let (notes, lost) = self.sieve_notes.take();
        let (discarded, reasons) = discarded::take();
        if notes.is_empty() && lost == 0 && discarded == 0 {
            return true;
        }
        for note in &notes {
            tracing::warn!("sieve: {}", sanitize(&note.describe(), 600));
        }
        if self.console {
            for reason in &reasons {
                self.console_line(ConsoleDir::Dropped, reason.clone()).await;
            }
        }
        for reason in &reasons {
            tracing::warn!("discarded by the XMPP library: {}", sanitize(reason, 600));
        }
        let notice = if discarded > 0 {
            Some(format!(
                "The XMPP library could not read {discarded} incoming stanza(s) and dropped them; see the log."
            ))
        } else {
            notes
                .iter()
                .rev()
                .find(|n| n.is_removal())
                .map(|n| sanitize(&format!("Cleaned an incoming {}.", n.describe()), 300))
        };
        self.emit(SessionEvent::InputCleaned {
            repaired: notes.len() as u64 + lost,
            discarded,
            notice,
        })
        .await
    }
}
