//! The IQ tracker: one row per request the session has sent and not yet seen answered
//! (id -> what was asked, when it is given up on, who may answer). Every IQ the session sends
//! gets its id from [`Requests::track`]; every IQ result or error is matched with
//! [`Requests::answer`]; deadlines are checked in one place, [`Requests::expire`].
//!
//! An answer counts only if its id is pending **and** it comes from the expected sender: ids
//! are guessable and anyone can send an IQ result, so an answer from anyone else is ignored
//! and the request stays pending.
//!
//! To add a request: a [`RequestKind`] variant (its id prefix and who answers it), send it
//! with the id from `track`, and say in `incoming.rs` what its answer and its expiry do.

use std::collections::HashMap;

use jid::{BareJid, FullJid, Jid};
use tokio::time::Instant;

use super::translate::push_allowed;
use super::REQUEST_TIMEOUT;

/// Every kind of IQ request the session sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestKind {
    /// The roster get (RFC 6121 §2.1.3). At most one is pending: a new one replaces the old.
    RosterGet,
    /// A roster set (add, update or remove a contact); `what` says what it does, as in
    /// "adding romeo@example.net".
    RosterSet { what: String },
    /// Enabling carbons (XEP-0280), after every new session.
    Carbons,
    /// An archive query (XEP-0313); its id is also its `queryid` (see `archive`).
    Archive,
    /// A XEP-0410 self-ping to the user's own occupant JID in this room (see `muc`).
    SelfPing { room: BareJid },
    /// A query of a room's own archive (XEP-0313 at the room; see `muc::archive`).
    RoomArchive { room: BareJid },
    /// The own account's bookmarks (XEP-0402).
    Bookmarks,
    /// Publishing or retracting a bookmark; `what` as for a roster set.
    BookmarkSet { what: String },
    /// XEP-0012 last activity of a contact (`/last`), asked of its bare JID.
    LastActivity { of: BareJid },
    /// XEP-0077 password change (`/password`): the new password, used from its answer on.
    Password { new: crate::config::Secret },
    /// XEP-0077 account removal (`/unregister`).
    Unregister,
    /// XEP-0115: the disco#info behind `ver` (checked with `hash`), asked of the resource
    /// that advertised it.
    Caps {
        ver: String,
        hash: String,
        of: FullJid,
    },
    /// XEP-0202 entity time of one resource.
    Time { of: FullJid },
    /// XEP-0092 software version of one resource.
    Version { of: FullJid },
    /// The server's items (disco#items), to find its gateways (XEP-0100).
    GatewayItems,
    /// One item's identity (disco#info): is it a gateway?
    GatewayInfo { of: BareJid },
    /// A gateway's registration form (XEP-0077 get).
    GatewayForm { of: BareJid },
    /// The filled form sent to a gateway (XEP-0077 set).
    GatewaySubmit { of: BareJid },
}

impl RequestKind {
    /// The middle part of the ids of this kind (`rosterm-roster-1`, `rosterm-set-2`).
    fn prefix(&self) -> &'static str {
        match self {
            RequestKind::RosterGet => "roster",
            RequestKind::RosterSet { .. } => "set",
            RequestKind::Carbons => "carbons",
            RequestKind::Archive => "mam",
            RequestKind::SelfPing { .. } => "ping",
            RequestKind::RoomArchive { .. } => "roommam",
            RequestKind::Bookmarks => "bookmarks",
            RequestKind::BookmarkSet { .. } => "bookmark",
            RequestKind::LastActivity { .. } => "last",
            RequestKind::Password { .. } => "password",
            RequestKind::Unregister => "unregister",
            RequestKind::Caps { .. } => "caps",
            RequestKind::Time { .. } => "time",
            RequestKind::Version { .. } => "version",
            RequestKind::GatewayItems => "items",
            RequestKind::GatewayInfo { .. } => "info",
            RequestKind::GatewayForm { .. } => "gwform",
            RequestKind::GatewaySubmit { .. } => "gwregister",
        }
    }

    /// Who may answer a request of this kind.
    fn answerer(&self) -> Answerer {
        match self {
            // The own archive answers for the account, as the server does.
            RequestKind::RosterGet
            | RequestKind::RosterSet { .. }
            | RequestKind::Carbons
            | RequestKind::Archive
            | RequestKind::Bookmarks
            | RequestKind::BookmarkSet { .. } => Answerer::Account,
            RequestKind::SelfPing { room } | RequestKind::RoomArchive { room } => {
                Answerer::Room(room.clone())
            }
            // The contact, or its server speaking for its bare JID.
            RequestKind::LastActivity { of } => Answerer::Room(of.clone()),
            // Asked of the server's domain (XEP-0077), which answers as itself.
            RequestKind::Password { .. } | RequestKind::Unregister | RequestKind::GatewayItems => {
                Answerer::Server
            }
            // The item or gateway asked (a domain: its bare JID is itself).
            RequestKind::GatewayInfo { of }
            | RequestKind::GatewayForm { of }
            | RequestKind::GatewaySubmit { of } => Answerer::Room(of.clone()),
            // Exactly the resource asked: another one could lie about it.
            RequestKind::Caps { of, .. }
            | RequestKind::Time { of }
            | RequestKind::Version { of } => Answerer::Resource(of.clone()),
        }
    }
}

/// Who may answer a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answerer {
    /// The user's server, speaking for the account: no `from`, or the own bare JID
    /// (RFC 6121 §2.1.6; a full JID, even the own one, is a client, not the server).
    Account,
    /// A room (XEP-0045) or a contact: its bare JID or one of its full JIDs.
    Room(BareJid),
    /// The user's server as itself (its domain), or speaking for the account.
    Server,
    /// One full JID and nobody else.
    Resource(FullJid),
}

impl Answerer {
    fn accepts(&self, from: Option<&Jid>, own: &BareJid) -> bool {
        match self {
            Answerer::Account => push_allowed(from, own),
            Answerer::Room(room) => from.is_some_and(|f| f.to_bare() == *room),
            Answerer::Server => {
                push_allowed(from, own)
                    || from.is_some_and(|f| {
                        f.node().is_none() && f.resource().is_none() && f.domain() == own.domain()
                    })
            }
            Answerer::Resource(full) => from.is_some_and(|f| f.try_as_full().ok() == Some(full)),
        }
    }
}

/// One request awaiting its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pending {
    kind: RequestKind,
    /// When it is given up on; `None`: no longer timed, but still answerable.
    deadline: Option<Instant>,
    expected: Answerer,
    /// Order of sending, so that expiries are reported oldest first.
    seq: u64,
}

/// The table of requests in flight (see the module comment).
#[derive(Debug)]
pub struct Requests {
    own: BareJid,
    pending: HashMap<String, Pending>,
    next_id: u64,
}

impl Requests {
    pub fn new(own: BareJid) -> Self {
        Requests {
            own,
            pending: HashMap::new(),
            next_id: 0,
        }
    }

    /// Registers a request sent `now`, due within [`REQUEST_TIMEOUT`]; returns the id to send
    /// it with. A roster get replaces the one pending, whose answer no longer counts.
    pub fn track(&mut self, kind: RequestKind, now: Instant) -> String {
        if kind == RequestKind::RosterGet {
            self.pending.retain(|_, p| p.kind != RequestKind::RosterGet);
        }
        self.next_id += 1;
        let id = format!("rosterm-{}-{}", kind.prefix(), self.next_id);
        self.insert(id.clone(), kind, Some(now + REQUEST_TIMEOUT));
        id
    }

    fn insert(&mut self, id: String, kind: RequestKind, deadline: Option<Instant>) {
        let pending = Pending {
            expected: kind.answerer(),
            kind,
            deadline,
            seq: self.next_id,
        };
        self.pending.insert(id, pending);
    }

    /// The request an IQ result or error with this `id` from `from` answers, if any; it is
    /// then no longer pending. From an unexpected sender it answers nothing and the request
    /// stays pending.
    pub fn answer(&mut self, id: &str, from: Option<&Jid>) -> Option<RequestKind> {
        let pending = self.pending.get(id)?;
        if !pending.expected.accepts(from, &self.own) {
            return None;
        }
        self.pending.remove(id).map(|p| p.kind)
    }

    /// The earliest deadline of the requests in flight.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.pending.values().filter_map(|p| p.deadline).min()
    }

    /// The requests whose deadline is `now` or earlier, oldest first; they are no longer
    /// pending.
    pub fn expire(&mut self, now: Instant) -> Vec<(String, RequestKind)> {
        let mut due: Vec<(String, Pending)> = Vec::new();
        self.pending.retain(|id, p| match p.deadline {
            Some(deadline) if deadline <= now => {
                due.push((id.clone(), p.clone()));
                false
            }
            _ => true,
        });
        due.sort_by_key(|(_, p)| (p.deadline, p.seq));
        due.into_iter().map(|(id, p)| (id, p.kind)).collect()
    }

    /// Forgets the pending requests of these kinds (asked on a session that is gone).
    pub fn forget(&mut self, kinds: impl Fn(&RequestKind) -> bool) {
        self.pending.retain(|_, p| !kinds(&p.kind));
    }

    /// Takes back an expired request without a deadline: its answer still counts, but it is
    /// never given up on again (replace it with a new one instead).
    pub fn keep_untimed(&mut self, id: String, kind: RequestKind) {
        self.insert(id, kind, None);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn own() -> BareJid {
        BareJid::new("juliet@example.com").unwrap()
    }

    fn jid(s: &str) -> Jid {
        Jid::new(s).unwrap()
    }

    fn set(what: &str) -> RequestKind {
        RequestKind::RosterSet { what: what.into() }
    }

    fn kinds() -> [RequestKind; 4] {
        [
            RequestKind::RosterGet,
            set("adding romeo@example.net"),
            RequestKind::Carbons,
            RequestKind::Archive,
        ]
    }

    #[test]
    fn a_self_ping_is_answered_by_its_room_only() {
        let now = Instant::now();
        let mut r = Requests::new(own());
        let room = BareJid::new("coven@chat.shakespeare.lit").unwrap();
        let id = r.track(RequestKind::SelfPing { room: room.clone() }, now);
        assert_eq!(r.answer(&id, None), None, "not the server");
        assert_eq!(r.answer(&id, Some(&jid("juliet@example.com"))), None);
        assert_eq!(r.answer(&id, Some(&jid("mallory@evil.example/x"))), None);
        assert_eq!(
            r.answer(&id, Some(&jid("coven@chat.shakespeare.lit/juliet"))),
            Some(RequestKind::SelfPing { room })
        );
    }

    #[test]
    fn a_caps_or_time_query_is_answered_by_the_resource_asked_only() {
        let of = FullJid::new("romeo@example.net/orchard").unwrap();
        let kinds = [
            RequestKind::Caps {
                ver: "v".into(),
                hash: "sha-1".into(),
                of: of.clone(),
            },
            RequestKind::Time { of },
        ];
        for kind in kinds {
            let mut r = Requests::new(own());
            let id = r.track(kind.clone(), Instant::now());
            for from in [
                "romeo@example.net",
                "romeo@example.net/other",
                "example.net",
            ] {
                assert_eq!(r.answer(&id, Some(&jid(from))), None, "{from}");
            }
            assert_eq!(r.answer(&id, None), None, "not the server either");
            let from = jid("romeo@example.net/orchard");
            assert_eq!(r.answer(&id, Some(&from)), Some(kind));
        }
    }

    #[test]
    fn each_kind_gets_its_own_id_and_its_answer_matches() {
        let now = Instant::now();
        let mut r = Requests::new(own());
        assert_eq!(r.track(RequestKind::RosterGet, now), "rosterm-roster-1");
        assert_eq!(r.track(set("adding a@b"), now), "rosterm-set-2");
        assert_eq!(
            r.answer("rosterm-set-2", None),
            Some(set("adding a@b")),
            "no 'from' is the server"
        );
        assert_eq!(
            r.answer("rosterm-roster-1", Some(&jid("juliet@example.com"))),
            Some(RequestKind::RosterGet),
            "the own bare JID is the server"
        );
        assert_eq!(r.next_deadline(), None, "nothing left in flight");
    }

    #[test]
    fn an_answer_counts_once() {
        for kind in kinds() {
            let mut r = Requests::new(own());
            let id = r.track(kind.clone(), Instant::now());
            assert_eq!(r.answer(&id, None), Some(kind));
            assert_eq!(r.answer(&id, None), None, "a replayed answer");
        }
    }

    #[test]
    fn an_answer_from_anyone_but_the_server_is_ignored_and_the_request_stays() {
        // Ids are guessable: a contact, another entity, even another resource of the own
        // account cannot answer what rosterm asked its server.
        for kind in kinds() {
            for from in [
                "mallory@evil.example",
                "mallory@evil.example/x",
                "juliet@example.com/balcony",
                "example.com",
                "evil.example",
            ] {
                let mut r = Requests::new(own());
                let id = r.track(kind.clone(), Instant::now());
                assert_eq!(r.answer(&id, Some(&jid(from))), None, "{from} answered");
                assert_eq!(r.answer(&id, None), Some(kind.clone()), "still pending");
            }
        }
    }

    #[test]
    fn forgotten_requests_answer_nothing_and_the_rest_stay() {
        let now = Instant::now();
        let mut r = Requests::new(own());
        let mam = r.track(RequestKind::Archive, now);
        let carbons = r.track(RequestKind::Carbons, now);
        let get = r.track(RequestKind::RosterGet, now);
        assert_eq!(mam, "rosterm-mam-1");
        r.forget(|k| matches!(k, RequestKind::Archive | RequestKind::Carbons));
        assert_eq!(r.answer(&mam, None), None);
        assert_eq!(r.answer(&carbons, None), None);
        assert_eq!(r.answer(&get, None), Some(RequestKind::RosterGet));
    }

    #[test]
    fn an_unknown_id_answers_nothing() {
        let mut r = Requests::new(own());
        let id = r.track(RequestKind::RosterGet, Instant::now());
        for unknown in ["", "rosterm-roster-2", "rosterm-set-1", "roster-1", "nope"] {
            assert_eq!(r.answer(unknown, None), None, "{unknown}");
        }
        assert_eq!(r.answer(&id, None), Some(RequestKind::RosterGet));
    }

    #[test]
    fn a_new_roster_get_replaces_the_old_but_sets_stack_up() {
        let now = Instant::now();
        let mut r = Requests::new(own());
        let old = r.track(RequestKind::RosterGet, now);
        let a = r.track(set("adding a@b"), now);
        let b = r.track(set("adding c@d"), now);
        let new = r.track(RequestKind::RosterGet, now);
        assert_eq!(
            r.answer(&old, None),
            None,
            "the old roster get no longer counts"
        );
        assert_eq!(r.answer(&new, None), Some(RequestKind::RosterGet));
        assert_eq!(r.answer(&b, None), Some(set("adding c@d")));
        assert_eq!(r.answer(&a, None), Some(set("adding a@b")));
    }

    #[test]
    fn deadlines_expire_oldest_first_and_only_when_due() {
        let t0 = Instant::now();
        let mut r = Requests::new(own());
        let get = r.track(RequestKind::RosterGet, t0);
        let second = Duration::from_secs(1);
        let late = r.track(set("removing a@b"), t0 + second);
        let early = r.track(set("adding a@b"), t0);
        assert_eq!(r.next_deadline(), Some(t0 + REQUEST_TIMEOUT));
        assert!(r.expire(t0 + REQUEST_TIMEOUT - second).is_empty());
        assert_eq!(
            r.expire(t0 + REQUEST_TIMEOUT),
            vec![
                (get.clone(), RequestKind::RosterGet),
                (early.clone(), set("adding a@b"))
            ]
        );
        assert_eq!(r.next_deadline(), Some(t0 + second + REQUEST_TIMEOUT));
        assert_eq!(
            r.answer(&early, None),
            None,
            "an expired request answers nothing"
        );
        assert_eq!(
            r.expire(t0 + REQUEST_TIMEOUT * 2),
            vec![(late, set("removing a@b"))]
        );
        assert_eq!(r.next_deadline(), None);
        assert_eq!(r.answer(&get, None), None);
    }

    #[test]
    fn an_expired_request_kept_untimed_is_still_answerable_and_never_expires_again() {
        let t0 = Instant::now();
        let mut r = Requests::new(own());
        let id = r.track(RequestKind::RosterGet, t0);
        let expired = r.expire(t0 + REQUEST_TIMEOUT);
        assert_eq!(expired, vec![(id.clone(), RequestKind::RosterGet)]);
        r.keep_untimed(id.clone(), RequestKind::RosterGet);
        assert_eq!(r.next_deadline(), None);
        assert!(r.expire(t0 + REQUEST_TIMEOUT * 10).is_empty());
        assert_eq!(
            r.answer(&id, Some(&jid("mallory@evil.example"))),
            None,
            "the sender is still checked"
        );
        assert_eq!(r.answer(&id, None), Some(RequestKind::RosterGet));
    }
}
