//! The fast lane's hand-over: presences the sieve read itself (see `fast`) wait here, and
//! tokio-xmpp gets a stub in their place, `<presence id='KEY.N'/>`, so that stream
//! management's stanza count stays true and the session meets each presence at its place in
//! the stream. Roster items go the same way in batches: the items of one roster query wait
//! here and the query gets a `<parked xmlns='urn:x-rosterm:sieve' n='KEY.N'/>` in their
//! place. The key is random per lane, so a stanza from the network cannot pose as a stub.

use std::collections::VecDeque;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex};

use xmpp_parsers::presence::Presence;
use xmpp_parsers::roster::Item;
use xmpp_parsers::stanza::Stanza;

/// Most presences parked at once; past it, presences take the generic path. (The session
/// takes them as fast as tokio-xmpp hands it the stubs; this bounds a stalled session.)
const MAX_PARKED: usize = 4096;
/// Most roster batches held: a batch nobody takes (a roster query in a stanza the session
/// does not accept) is dropped when newer ones come.
const MAX_BATCHES: usize = 4;

#[derive(Debug, Clone)]
pub struct FastLane(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    key: String,
    parked: Mutex<Parked>,
}

#[derive(Debug, Default)]
struct Parked {
    next: u64,
    queue: VecDeque<(u64, Presence)>,
    batches: VecDeque<(u64, Vec<Item>)>,
}

impl Default for FastLane {
    fn default() -> Self {
        let key = format!("rosterm-{:016x}", RandomState::new().hash_one("fast lane"));
        FastLane(Arc::new(Inner {
            key,
            parked: Mutex::default(),
        }))
    }
}

impl FastLane {
    /// Parks `p` and returns the stub to pass on in its place; `None` when the lane is full
    /// (the presence is then passed on as it was read).
    pub fn park(&self, p: Presence) -> Option<Vec<u8>> {
        let mut parked = self.0.parked.lock().ok()?;
        if parked.queue.len() >= MAX_PARKED {
            return None;
        }
        let n = parked.next;
        parked.next += 1;
        parked.queue.push_back((n, p));
        Some(format!("<presence id='{}.{n}'/>", self.0.key).into_bytes())
    }

    /// A stub becomes its presence; every other stanza stays what it is. Parked presences
    /// older than the stub are dropped: their stubs were lost with a connection, and the
    /// server sends the stanzas again (resumption) or anew (a new session's presence).
    /// `None`: a stub whose presence is gone (cannot happen unless the lane is misused).
    pub fn resolve(&self, stanza: Stanza) -> Option<Stanza> {
        let Some(n) = self.stub_number(&stanza) else {
            return Some(stanza);
        };
        let mut parked = self.0.parked.lock().ok()?;
        while let Some((m, p)) = parked.queue.pop_front() {
            if m == n {
                return Some(Stanza::Presence(p));
            }
            if m > n {
                parked.queue.push_front((m, p));
                break;
            }
        }
        None
    }

    /// Parks one roster query's items and returns the marker to put in their place.
    pub fn park_items(&self, items: Vec<Item>) -> Option<Vec<u8>> {
        let mut parked = self.0.parked.lock().ok()?;
        let n = parked.next;
        parked.next += 1;
        if parked.batches.len() == MAX_BATCHES {
            parked.batches.pop_front();
        }
        parked.batches.push_back((n, items));
        Some(format!("<parked xmlns='{}' n='{}.{n}'/>", super::NS, self.0.key).into_bytes())
    }

    /// The items a marker stands for (`n` is its attribute); `None` if `n` is not one of
    /// this lane's or the batch is gone.
    pub fn take_items(&self, n: &str) -> Option<Vec<Item>> {
        let n = self.number(n)?;
        let mut parked = self.0.parked.lock().ok()?;
        let at = parked.batches.iter().position(|(m, _)| *m == n)?;
        parked.batches.drain(..at);
        parked.batches.pop_front().map(|(_, items)| items)
    }

    /// A copy of the first `most` items a marker stands for, leaving them parked (the XML
    /// console shows them before the session takes them).
    pub fn peek_items(&self, n: &str, most: usize) -> Option<Vec<Item>> {
        let n = self.number(n)?;
        let parked = self.0.parked.lock().ok()?;
        let (_, items) = parked.batches.iter().find(|(m, _)| *m == n)?;
        Some(items.iter().take(most).cloned().collect())
    }

    fn stub_number(&self, stanza: &Stanza) -> Option<u64> {
        let Stanza::Presence(p) = stanza else {
            return None;
        };
        self.number(p.id.as_deref()?)
    }

    fn number(&self, id: &str) -> Option<u64> {
        id.strip_prefix(self.0.key.as_str())?
            .strip_prefix('.')?
            .parse()
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xmpp_parsers::presence::Type;

    fn stub(bytes: &[u8]) -> Stanza {
        let xml = String::from_utf8_lossy(bytes).replacen(
            "<presence",
            "<presence xmlns='jabber:client'",
            1,
        );
        Stanza::Presence(xso::from_bytes(xml.as_bytes()).expect("a stub parses"))
    }

    fn with_status(text: &str) -> Presence {
        let mut p = Presence::new(Type::None);
        p.set_status("", text);
        p
    }

    #[test]
    fn a_stub_becomes_its_presence_in_order_and_others_pass() {
        let lane = FastLane::default();
        let one = lane.park(with_status("one")).expect("room");
        let two = lane.park(with_status("two")).expect("room");
        let got = |r: Option<Stanza>| match r {
            Some(Stanza::Presence(p)) => p.statuses.values().next().cloned(),
            other => panic!("{other:?}"),
        };
        // The first stub was lost with a connection: its presence is dropped, not shown late.
        assert_eq!(got(lane.resolve(stub(&two))), Some("two".into()));
        assert!(lane.resolve(stub(&one)).is_none());
        let plain = Stanza::Presence(with_status("plain"));
        assert_eq!(got(lane.resolve(plain)), Some("plain".into()));
    }

    #[test]
    fn a_forged_stub_from_another_lane_is_an_ordinary_presence() {
        let ours = FastLane::default();
        let theirs = FastLane::default();
        ours.park(with_status("parked")).expect("room");
        let forged = theirs.park(with_status("x")).expect("room");
        match ours.resolve(stub(&forged)) {
            Some(Stanza::Presence(p)) => assert!(p.statuses.is_empty()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_batch_is_taken_once_and_older_ones_go_with_it() {
        let lane = FastLane::default();
        let item = |j: &str| Item {
            jid: jid::BareJid::new(j).expect("jid"),
            name: None,
            subscription: xmpp_parsers::roster::Subscription::Both,
            ask: xmpp_parsers::roster::Ask::None,
            groups: Vec::new(),
            approved: None,
        };
        let n_of = |marker: Vec<u8>| {
            let text = String::from_utf8(marker).expect("utf-8");
            let start = text.find(" n='").expect("n") + 4;
            text[start..text.len() - 3].to_owned()
        };
        let first = n_of(lane.park_items(vec![item("a@b")]).expect("parked"));
        let second = n_of(lane.park_items(vec![item("c@d")]).expect("parked"));
        assert_eq!(lane.take_items(&second).map(|v| v.len()), Some(1));
        assert!(lane.take_items(&second).is_none(), "taken once");
        assert!(lane.take_items(&first).is_none(), "older batches dropped");
        assert!(lane.take_items("rosterm-0000000000000000.0").is_none());
    }

    #[test]
    fn a_full_lane_gives_the_presence_back() {
        let lane = FastLane::default();
        for _ in 0..MAX_PARKED {
            lane.park(with_status("x")).expect("room");
        }
        assert!(lane.park(with_status("y")).is_none());
    }
}
