//! The server's archive (XEP-0313, `urn:xmpp:mam:2`): the catch-up after every new session
//! and the pages the app asks for (scroll-back).
//!
//! Every query goes through the IQ tracker (`RequestKind::Archive`, its IQ id is also its
//! `queryid`); results count only for a query open here (see `translate::message`). The
//! catch-up pages forward from the newest archive id known ([`Archive::cursor`]: from the
//! history at start, then the newest seen live or in a catch-up) until the server says
//! complete, at most [`CATCH_UP_PAGES`] pages of [`CATCH_UP_PAGE`]; with no cursor it
//! fetches only the newest [`FIRST_PAGE`] messages. One `ArchivePage { with: None, .. }` at
//! the end says how many came.
//!
//! The catch-up is asked for before the initial presence: Prosody (0.12, mod_mam) then does
//! not also deliver the same messages from offline storage. Servers that do deliver both
//! send the same origin-id / stanza-id with each copy, which the history de-duplicates by.

use std::collections::HashMap;

use jid::BareJid;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::mam::Fin;
use xmpp_parsers::stanza::Stanza;

use crate::event::SessionEvent;

use super::requests::RequestKind;
use super::stanza::{build_archive_query, Page};
use super::{Session, REQUEST_TIMEOUT};

/// Messages per catch-up page.
pub const CATCH_UP_PAGE: u32 = 100;
/// At most this many catch-up pages per new session: everything since the cursor, up to a
/// bound that only a runaway server reaches (Prosody serves 50 per page: 50,000 messages).
pub const CATCH_UP_PAGES: u32 = 1000;
/// With nothing known locally, the catch-up fetches only the newest this many.
pub const FIRST_PAGE: u32 = 50;
/// The largest page the app may ask for.
pub const MAX_PAGE: u32 = 500;

/// One query in flight.
#[derive(Debug, Clone)]
pub(super) struct Query {
    /// The conversation (scroll-back); `None`: the catch-up of every conversation.
    with: Option<BareJid>,
    page: Page,
    max: u32,
    /// Messages received so far (for a catch-up: over all its pages).
    count: usize,
    /// Which page of a catch-up this is (1 = the first).
    pages: u32,
}

/// The open queries and the catch-up cursor.
#[derive(Debug, Default)]
pub(super) struct Archive {
    open: HashMap<String, Query>,
    /// The newest archive id (XEP-0359 stanza-id by the own account) known.
    pub cursor: Option<String>,
}

impl Archive {
    pub fn new(cursor: Option<String>) -> Self {
        Archive {
            open: HashMap::new(),
            cursor,
        }
    }

    pub fn is_open(&self, queryid: &str) -> bool {
        self.open.contains_key(queryid)
    }

    /// A result for `queryid` brought `n` messages.
    pub fn counted(&mut self, queryid: &str, n: usize) {
        if let Some(q) = self.open.get_mut(queryid) {
            q.count += n;
        }
    }
}

impl Session {
    /// After a new session: fetch what the archive has after the cursor. Queries of the old
    /// session will never be answered: scroll-backs are asked again, an old catch-up is
    /// replaced by this one.
    pub(super) async fn start_catch_up(&mut self) {
        let old: Vec<Query> = self.archive.open.drain().map(|(_, q)| q).collect();
        self.requests.forget(|k| *k == RequestKind::Archive);
        for q in old.into_iter().filter(|q| q.with.is_some()) {
            self.query_archive(Query { count: 0, ..q }).await;
        }
        let (page, max) = match self.archive.cursor.clone() {
            Some(key) => (Page::After(key), CATCH_UP_PAGE),
            None => (Page::Newest, FIRST_PAGE),
        };
        self.query_archive(Query {
            with: None,
            page,
            max,
            count: 0,
            pages: 1,
        })
        .await;
    }

    /// `Command::FetchArchive`: a page of one conversation, older than `before`.
    pub(super) async fn fetch_archive(&mut self, with: BareJid, before: Option<String>, max: u32) {
        self.query_archive(Query {
            with: Some(with),
            page: before.map_or(Page::Newest, Page::Before),
            max: max.clamp(1, MAX_PAGE),
            count: 0,
            pages: 1,
        })
        .await;
    }

    async fn query_archive(&mut self, q: Query) {
        let id = self
            .requests
            .track(RequestKind::Archive, tokio::time::Instant::now());
        let iq = build_archive_query(&id, q.with.as_ref(), &q.page, q.max);
        self.archive.open.insert(id, q);
        self.send(Stanza::Iq(iq)).await;
    }

    /// The server answered archive query `id` (the `<fin/>`, or an error); returns false
    /// when the app is gone.
    pub(super) async fn on_archive_answer(
        &mut self,
        id: &str,
        stanza: &Stanza,
        error: Option<String>,
    ) -> bool {
        let Some(q) = self.archive.open.remove(id) else {
            return true;
        };
        if let Some(error) = error {
            return self.on_archive_error(q, error).await;
        }
        let fin = match stanza {
            Stanza::Iq(Iq::Result {
                payload: Some(p), ..
            }) => Fin::try_from(p.clone()).ok(),
            _ => None,
        };
        let complete = fin.as_ref().is_some_and(|f| f.complete);
        let last = fin.and_then(|f| f.set.last);
        if q.with.is_some() {
            return self.archive_page(q.with, q.count, complete).await;
        }
        if let Some(last) = &last {
            self.archive.cursor = Some(last.clone());
        }
        match last {
            // The newest page: nothing newer is left.
            _ if q.page == Page::Newest => self.archive_page(None, q.count, true).await,
            Some(last) if !complete && q.pages < CATCH_UP_PAGES => {
                self.query_archive(Query {
                    page: Page::After(last),
                    max: CATCH_UP_PAGE,
                    pages: q.pages + 1,
                    ..q
                })
                .await;
                true
            }
            _ => self.archive_page(None, q.count, complete).await,
        }
    }

    async fn on_archive_error(&mut self, q: Query, error: String) -> bool {
        // The cursor may have left the archive (expired): start from the newest instead.
        if q.with.is_none() && matches!(q.page, Page::After(_)) && q.pages == 1 {
            tracing::info!(
                "catch-up after the known archive id refused ({error}); fetching the newest"
            );
            self.query_archive(Query {
                page: Page::Newest,
                max: FIRST_PAGE,
                ..q
            })
            .await;
            return true;
        }
        // A server without archives: offline storage is all there is; not worth a notice
        // on every login.
        let no_archive = ["service-unavailable", "feature-not-implemented"]
            .iter()
            .any(|c| error.starts_with(c));
        let ok = if q.with.is_none() && no_archive {
            tracing::info!("the server keeps no archive ({error}): no catch-up");
            true
        } else {
            self.emit(SessionEvent::Notice(format!(
                "The server's archive refused the query: {error}."
            )))
            .await
        };
        ok && self.archive_page(q.with, q.count, false).await
    }

    /// Archive query `id` was not answered in time. While the connection is down it stays
    /// answerable without a deadline instead (a resumed stream can still deliver the answer;
    /// a new session asks again anyway).
    pub(super) async fn on_archive_timeout(&mut self, id: &str) -> bool {
        if !self.online {
            self.requests
                .keep_untimed(id.to_owned(), RequestKind::Archive);
            return true;
        }
        let Some(q) = self.archive.open.remove(id) else {
            return true;
        };
        let ok = self
            .emit(SessionEvent::Notice(format!(
                "The server's archive did not answer within {} s.",
                REQUEST_TIMEOUT.as_secs()
            )))
            .await;
        ok && self.archive_page(q.with, q.count, false).await
    }

    async fn archive_page(&mut self, with: Option<BareJid>, count: usize, complete: bool) -> bool {
        self.emit(SessionEvent::ArchivePage {
            with,
            count,
            complete,
        })
        .await
    }
}
