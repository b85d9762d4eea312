//! A room's own archive (XEP-0313 at the room, XEP-0045 rooms with `muc_mam`): the gap
//! since the newest message seen, after every join, and the pages the app asks for
//! (scroll-back in a room pane).
//!
//! Queries are IQs to the room's bare JID (`RequestKind::RoomArchive`, its IQ id is also
//! its `queryid`). A result counts only for a query open here and only from that query's
//! room, bare ([`result_of`]): anything else is dropped whole. The forwarded message is a
//! groupchat message read like a live one, `Via::Archive`, its stanza-id the result's id
//! (the room's XEP-0359 stanza-id). The gap pages forward from the newest room stanza-id
//! known and go through [`super::Room::saw`], so the join history the room sends besides
//! (maxstanzas / since) and the archive never show one message twice; scroll-back pages
//! skip that record (they are older than the cursor) and are de-duplicated by the store
//! and the history. A room without an archive answers with an error: noted in the log,
//! nothing else (its join history is all there is).

use std::collections::HashMap;
use std::time::SystemTime;

use jid::{BareJid, Jid};
use xmpp_parsers::forwarding::Forwarded;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::mam::Fin;
use xmpp_parsers::message::Message as XMessage;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::ns;
use xmpp_parsers::stanza::Stanza;

use crate::domain::{Message, Via};
use crate::event::SessionEvent;
use crate::sanitize::{sanitize, MAX_NAME};
use crate::session::archive::{CATCH_UP_PAGE, MAX_PAGE};
use crate::session::requests::RequestKind;
use crate::session::stanza::{build_archive_query, Page};
use crate::session::Session;

use super::read::{self, Groupchat};

/// At most this many gap pages after one join.
pub const GAP_PAGES: u32 = 100;

/// One room archive query in flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomQuery {
    pub room: BareJid,
    /// Asked for by the app (scroll-back); false: the gap after a join.
    pub scroll: bool,
    /// Messages received so far.
    pub count: usize,
    /// Which gap page this is (1 = the first).
    pub pages: u32,
}

/// The open room archive queries, by query id.
#[derive(Debug, Default)]
pub struct Queries {
    open: HashMap<String, RoomQuery>,
}

impl Queries {
    /// The room of open query `queryid`, if `from` is that room's bare JID.
    pub fn room_for(&self, queryid: &str, from: Option<&Jid>) -> Option<&BareJid> {
        let q = self.open.get(queryid)?;
        let from = from?;
        (from.resource().is_none() && from.to_bare() == q.room).then_some(&q.room)
    }

    pub fn insert(&mut self, id: String, q: RoomQuery) {
        self.open.insert(id, q);
    }

    pub fn remove(&mut self, id: &str) -> Option<RoomQuery> {
        self.open.remove(id)
    }

    pub fn counted(&mut self, id: &str) {
        if let Some(q) = self.open.get_mut(id) {
            q.count += 1;
        }
    }

    /// Every open query (a new session: none will be answered).
    pub fn drain(&mut self) -> Vec<RoomQuery> {
        self.open.drain().map(|(_, q)| q).collect()
    }
}

/// A XEP-0313 result in a message: its query id and the `<result/>`.
pub fn result_of(m: &XMessage) -> Option<(&str, &Element)> {
    let result = m.payloads.iter().find(|e| e.is("result", ns::MAM))?;
    Some((result.attr("queryid").unwrap_or(""), result))
}

/// The room message a result of `room`'s archive carries (`nick`: the user's nick there),
/// if it is a groupchat message with a body.
pub fn archived_message(
    result: &Element,
    room: &BareJid,
    nick: &str,
    now: SystemTime,
) -> Option<Message> {
    let el = result.get_child("forwarded", ns::FORWARD)?;
    let forwarded = Forwarded::try_from(el.clone()).ok()?;
    let Some(Groupchat::Message(mut message)) =
        read::groupchat(&forwarded.message, room, nick, now)
    else {
        return None;
    };
    if let Some(delay) = &forwarded.delay {
        message.at = SystemTime::from(delay.stamp.0).min(now);
    }
    message.via = Via::Archive;
    message.stanza_id = result
        .attr("id")
        .map(|id| sanitize(id, MAX_NAME))
        .filter(|id| !id.is_empty())
        .or(message.stanza_id);
    Some(message)
}

/// Whether an archive error means the room keeps none (not worth a notice).
fn no_archive(error: &str) -> bool {
    [
        "service-unavailable",
        "feature-not-implemented",
        "item-not-found",
    ]
    .iter()
    .any(|c| error.starts_with(c))
}

impl Session {
    /// A result of an open room archive query, from its room; false when it is not one
    /// (the stanza goes on to `translate`, which drops a result nobody asked for).
    pub(in crate::session) fn is_room_archive_result(&self, stanza: &Stanza) -> bool {
        let Stanza::Message(m) = stanza else {
            return false;
        };
        result_of(m).is_some_and(|(q, _)| self.rooms.queries.room_for(q, m.from.as_ref()).is_some())
    }

    /// One result of a room archive query (see [`Session::is_room_archive_result`]).
    pub(in crate::session) async fn on_room_archive_result(&mut self, stanza: Stanza) -> bool {
        let Stanza::Message(m) = stanza else {
            return true;
        };
        let Some((queryid, result)) = result_of(&m) else {
            return true;
        };
        let Some(room) = self
            .rooms
            .queries
            .room_for(queryid, m.from.as_ref())
            .cloned()
        else {
            return true;
        };
        let queryid = queryid.to_owned();
        let scroll = self
            .rooms
            .queries
            .open
            .get(&queryid)
            .is_some_and(|q| q.scroll);
        let Some(r) = self.rooms.get_mut(&room) else {
            return true;
        };
        let now = SystemTime::now();
        let Some(message) = archived_message(result, &room, &r.nick, now) else {
            return true;
        };
        if !scroll && !r.saw(message.stanza_id.as_deref(), message.at) {
            return true;
        }
        self.rooms.queries.counted(&queryid);
        self.emit(SessionEvent::RoomMessage(message)).await
    }

    /// The join completed: ask the room's archive for what came after the newest message
    /// seen (nothing known: the join history is the recent past).
    pub(super) async fn fill_gap(&mut self, room: &BareJid) {
        let Some(after) = self.rooms.get(room).and_then(|r| r.after.clone()) else {
            return;
        };
        let q = RoomQuery {
            room: room.clone(),
            scroll: false,
            count: 0,
            pages: 1,
        };
        self.query_room_archive(q, Page::After(after), CATCH_UP_PAGE)
            .await;
    }

    /// `Command::FetchRoomArchive`: a page of the room's archive older than `before`.
    pub(super) async fn fetch_room_archive(
        &mut self,
        room: BareJid,
        before: Option<String>,
        max: u32,
    ) -> bool {
        if !self.online {
            return self.room_archive_page(room, 0, false).await;
        }
        let q = RoomQuery {
            room,
            scroll: true,
            count: 0,
            pages: 1,
        };
        let page = before.map_or(Page::Newest, Page::Before);
        self.query_room_archive(q, page, max.clamp(1, MAX_PAGE))
            .await;
        true
    }

    async fn query_room_archive(&mut self, q: RoomQuery, page: Page, max: u32) {
        let kind = RequestKind::RoomArchive {
            room: q.room.clone(),
        };
        let id = self.requests.track(kind, tokio::time::Instant::now());
        let iq = build_archive_query(&id, None, &page, max).with_to(Jid::from(q.room.clone()));
        self.rooms.queries.insert(id, q);
        self.send(Stanza::Iq(iq)).await;
    }

    /// The room answered query `id` (its `<fin/>`, or an error); false when the app is gone.
    pub(in crate::session) async fn on_room_archive_answer(
        &mut self,
        id: &str,
        stanza: &Stanza,
        error: Option<String>,
    ) -> bool {
        let Some(q) = self.rooms.queries.remove(id) else {
            return true;
        };
        if let Some(error) = error {
            return self.on_room_archive_error(q, &error).await;
        }
        let fin = match stanza {
            Stanza::Iq(Iq::Result {
                payload: Some(p), ..
            }) => Fin::try_from(p.clone()).ok(),
            _ => None,
        };
        let complete = fin.as_ref().is_none_or(|f| f.complete);
        let last = fin.and_then(|f| f.set.last);
        if q.scroll {
            return self.room_archive_page(q.room, q.count, complete).await;
        }
        tracing::info!(room = %q.room, count = q.count, "room archive page after a join");
        match last {
            Some(last) if !complete && q.pages < GAP_PAGES && self.rooms.get(&q.room).is_some() => {
                let next = RoomQuery {
                    pages: q.pages + 1,
                    ..q
                };
                self.query_room_archive(next, Page::After(last), CATCH_UP_PAGE)
                    .await;
                true
            }
            _ => true,
        }
    }

    async fn on_room_archive_error(&mut self, q: RoomQuery, error: &str) -> bool {
        let quiet = no_archive(error);
        tracing::info!(room = %q.room, "room archive refused the query ({error})");
        if !q.scroll {
            return true;
        }
        if !quiet {
            let text = format!("{}'s archive refused the query: {error}.", q.room);
            if !self.emit(SessionEvent::Notice(text)).await {
                return false;
            }
        }
        // No archive there: nothing older anywhere.
        self.room_archive_page(q.room, q.count, quiet).await
    }

    /// Room archive query `id` was not answered in time.
    pub(in crate::session) async fn on_room_archive_timeout(&mut self, id: &str) -> bool {
        match self.rooms.queries.remove(id) {
            Some(q) if q.scroll => self.room_archive_page(q.room, q.count, false).await,
            _ => true,
        }
    }

    /// A new session: no open room query will be answered; the app may ask again.
    pub(in crate::session) async fn drop_room_queries(&mut self) -> bool {
        self.requests
            .forget(|k| matches!(k, RequestKind::RoomArchive { .. }));
        for q in self.rooms.queries.drain() {
            if q.scroll && !self.room_archive_page(q.room, q.count, false).await {
                return false;
            }
        }
        true
    }

    async fn room_archive_page(&mut self, room: BareJid, count: usize, complete: bool) -> bool {
        self.emit(SessionEvent::ArchivePage {
            with: Some(room),
            count,
            complete,
        })
        .await
    }
}
