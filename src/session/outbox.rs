//! Outgoing messages until the server has them: nothing lost, nothing sent twice.
//!
//! Every `SendMessage` gets an entry, in the order typed. An entry is
//! - `Waiting` while there is no session (offline, reconnecting): it is handed to the stream
//!   only when a session is up, so the stream's bounded queue never blocks the session loop;
//! - `InFlight` once handed to the stream, with a future that resolves when tokio-xmpp is done
//!   with it (see [`Outcome`]);
//! - `Lost` when tokio-xmpp let go of it unacknowledged (a new session after a failed
//!   XEP-0198 resumption drops the unacknowledged stanzas; a stream error fails the queue).
//!
//! An entry leaves when the server acknowledged it (XEP-0198; on a stream without XEP-0198:
//! when it was written, the best there is), when the peer's receipt arrives, or when it
//! failed. On every new session, and on a resumption, the `Waiting` and `Lost` ones are sent
//! (again, with the same id), oldest first. `InFlight` ones are never sent twice: tokio-xmpp
//! still has them (queued for the new stream, or in its resumption state).
//!
//! tokio-xmpp 6.0.0 facts this rests on (stanzastream/{queue,stream_management,negotiation}.rs):
//! a token's sender lives in the SM state until `<a/>` acknowledges it (`Acked`); without
//! XEP-0198 it is dropped right after the write (state stays `Sent`, `wait_for(Acked)` gives
//! `None`); on `<resumed/>` the unacknowledged ones are re-queued with their senders; on
//! `<failed/>` the SM state, and so the senders, are dropped; a stream error marks the queue
//! `Failed`.

use std::collections::VecDeque;

use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::FutureExt;
use jid::BareJid;
use tokio_xmpp::stanzastream::{StanzaStage, StanzaState, StanzaToken};

use crate::domain::Outgoing;

/// How tokio-xmpp finished with a stanza.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Acknowledged by the server (XEP-0198).
    Acked,
    /// Written, then let go without an acknowledgement: final on a stream without XEP-0198,
    /// lost on one with it (the SM state was dropped).
    Written,
    /// Failed, dropped, or let go before it was written.
    Lost,
}

impl Outcome {
    /// Reads a token's end: `wait_for(Acked)`'s answer and the state it was left in.
    pub fn of(answer: Option<&StanzaState>, last: &StanzaState) -> Outcome {
        match answer {
            Some(StanzaState::Acked { .. }) => Outcome::Acked,
            Some(_) => Outcome::Lost,
            None if matches!(last, StanzaState::Sent { .. }) => Outcome::Written,
            None => Outcome::Lost,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Waiting,
    InFlight,
    Lost,
}

#[derive(Debug)]
struct Entry {
    seq: u64,
    out: Outgoing,
    state: State,
    /// A groupchat message to a room (XEP-0045), sent only while the room is joined.
    room: bool,
}

/// What an outcome means for the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settled {
    /// Report it `Sent`; it has left the outbox.
    Sent { peer: BareJid, id: String },
    /// Kept, to be sent again with the next session.
    Kept,
    /// Not in the outbox any more (a receipt or an error came first).
    Gone,
}

type AckFuture = BoxFuture<'static, (u64, Outcome)>;

/// See the module comment.
#[derive(Default)]
pub struct Outbox {
    entries: VecDeque<Entry>,
    /// One per entry in flight: resolves with its sequence number and outcome.
    pub acks: FuturesUnordered<AckFuture>,
    next_seq: u64,
}

impl Outbox {
    /// Adds a message, `Waiting`; returns its sequence number.
    pub fn push(&mut self, out: Outgoing) -> u64 {
        self.add(out, false)
    }

    /// Adds a groupchat message to the room `out.to`, `Waiting`.
    pub fn push_room(&mut self, out: Outgoing) -> u64 {
        self.add(out, true)
    }

    fn add(&mut self, out: Outgoing, room: bool) -> u64 {
        self.next_seq += 1;
        self.entries.push_back(Entry {
            seq: self.next_seq,
            out,
            state: State::Waiting,
            room,
        });
        self.next_seq
    }

    /// The messages to hand to the stream now (`Waiting` and `Lost`; a room's only if
    /// `room_open` says it is joined), oldest first, each with whether it goes to a room;
    /// they are `InFlight` from here on (give each its token with [`Outbox::track`]).
    pub fn due(&mut self, room_open: impl Fn(&BareJid) -> bool) -> Vec<(u64, Outgoing, bool)> {
        self.entries
            .iter_mut()
            .filter(|e| e.state != State::InFlight && (!e.room || room_open(&e.out.to.to_bare())))
            .map(|e| {
                e.state = State::InFlight;
                (e.seq, e.out.clone(), e.room)
            })
            .collect()
    }

    /// The ids of the messages to `room` not yet reflected.
    pub fn room_ids(&self, room: &BareJid) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| e.room && e.out.to.to_bare() == *room)
            .map(|e| e.out.id.clone())
            .collect()
    }

    /// Follows the stanza of entry `seq` until tokio-xmpp is done with it.
    pub fn track(&mut self, seq: u64, mut token: StanzaToken) {
        self.acks.push(
            async move {
                let answer = token.wait_for(StanzaStage::Acked).await;
                (seq, Outcome::of(answer.as_ref(), &token.state()))
            }
            .boxed(),
        );
    }

    /// Applies an outcome; `stream_management`: the stream had XEP-0198.
    pub fn settle(&mut self, seq: u64, outcome: Outcome, stream_management: bool) -> Settled {
        let Some(pos) = self.entries.iter().position(|e| e.seq == seq) else {
            return Settled::Gone;
        };
        let done = match outcome {
            Outcome::Acked => true,
            Outcome::Written => !stream_management,
            Outcome::Lost => false,
        };
        if !done {
            self.entries[pos].state = State::Lost;
            return Settled::Kept;
        }
        match self.entries.remove(pos) {
            Some(e) => Settled::Sent {
                peer: e.out.to.to_bare(),
                id: e.out.id,
            },
            None => Settled::Gone,
        }
    }

    /// The message `id` to `peer` was delivered or refused: never send it again.
    pub fn forget(&mut self, peer: &BareJid, id: &str) {
        self.entries
            .retain(|e| !(e.out.id == id && e.out.to.to_bare() == *peer));
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use jid::Jid;

    use super::*;

    fn out(id: &str) -> Outgoing {
        Outgoing {
            to: Jid::new("romeo@example.net").unwrap(),
            id: id.into(),
            body: "x".into(),
            replaces: None,
            receipts_and_states: true,
            at: SystemTime::UNIX_EPOCH,
        }
    }

    fn ids(due: &[(u64, Outgoing, bool)]) -> Vec<&str> {
        due.iter().map(|(_, o, _)| o.id.as_str()).collect()
    }

    fn open(_: &BareJid) -> bool {
        true
    }

    #[test]
    fn a_token_end_is_read_as_acked_written_or_lost() {
        let sent = StanzaState::Sent {};
        assert_eq!(
            Outcome::of(Some(&StanzaState::Acked {}), &StanzaState::Acked {}),
            Outcome::Acked
        );
        assert_eq!(Outcome::of(None, &sent), Outcome::Written);
        assert_eq!(Outcome::of(None, &StanzaState::Queued), Outcome::Lost);
        assert_eq!(
            Outcome::of(Some(&StanzaState::Dropped), &StanzaState::Dropped),
            Outcome::Lost
        );
    }

    #[test]
    fn waiting_and_lost_go_out_in_order_and_in_flight_never_twice() {
        let mut o = Outbox::default();
        let a = o.push(out("a"));
        let b = o.push(out("b"));
        assert_eq!(ids(&o.due(open)), ["a", "b"]);
        assert!(o.due(open).is_empty(), "in flight: not handed out again");
        let c = o.push(out("c"));
        // a was lost with the old session's SM state; b is still queued in the stream.
        assert_eq!(o.settle(a, Outcome::Written, true), Settled::Kept);
        assert_eq!(ids(&o.due(open)), ["a", "c"]);
        assert_eq!(
            o.settle(b, Outcome::Acked, true),
            Settled::Sent {
                peer: BareJid::new("romeo@example.net").unwrap(),
                id: "b".into()
            }
        );
        assert_eq!(o.settle(b, Outcome::Acked, true), Settled::Gone);
        // Without XEP-0198, written is as far as anyone can tell.
        assert!(matches!(
            o.settle(c, Outcome::Written, false),
            Settled::Sent { .. }
        ));
        assert_eq!(o.len(), 1);
    }

    #[test]
    fn a_receipt_or_an_error_ends_it_for_that_peer_only() {
        let mut o = Outbox::default();
        let a = o.push(out("a"));
        o.forget(&BareJid::new("mallory@evil.example").unwrap(), "a");
        assert_eq!(o.len(), 1, "another peer cannot end it");
        o.forget(&BareJid::new("romeo@example.net").unwrap(), "a");
        assert_eq!(o.len(), 0);
        assert_eq!(o.settle(a, Outcome::Lost, true), Settled::Gone);
        assert!(o.due(open).is_empty());
    }

    #[test]
    fn a_room_message_waits_for_the_room() {
        let mut o = Outbox::default();
        o.push_room(out("r"));
        let room = BareJid::new("romeo@example.net").unwrap();
        assert!(o.due(|_| false).is_empty(), "not joined: not sent");
        assert_eq!(o.room_ids(&room), ["r"]);
        let due = o.due(open);
        assert_eq!(ids(&due), ["r"]);
        assert!(due[0].2, "marked as a room message");
        o.forget(&room, "r");
        assert!(o.room_ids(&room).is_empty());
    }
}
