//! 1:1 messages as the session, the store and the history speak of them (no XML types).
//!
//! The flow of one message:
//! - incoming: the session translates a `<message>` (live, a XEP-0280 carbon, a XEP-0313
//!   archive result, or offline storage) into a [`Message`] and emits
//!   `SessionEvent::Message`; the history stores it (de-duplicated by stanza-id /
//!   origin-id / id), the store shows it.
//! - outgoing: the app builds an [`Outgoing`] (its `id` is also the XEP-0359 origin-id),
//!   shows it as [`Delivery::Queued`] and sends `Command::SendMessage`; the session stores
//!   it, puts it on the wire and reports each step as `SessionEvent::Delivery`.

use std::time::SystemTime;

use jid::{BareJid, Jid};

/// Who wrote a message, from the user's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From the peer.
    In,
    /// From the user (this client, or another of the user's clients via carbons / MAM).
    Out,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }
}

/// How far an outgoing message got. Ordered: a later step never goes back to an earlier
/// one (`Failed` is final).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Delivery {
    /// Not yet acknowledged: waiting in the stream's queue, or offline.
    Queued,
    /// The server acknowledged it (XEP-0198); on a stream without XEP-0198: written out.
    Sent,
    /// The recipient's client confirmed it (XEP-0184 receipt).
    Delivered,
    /// Refused by the server or the recipient: the error as one phrase (sanitized).
    Failed(String),
}

impl Delivery {
    /// The step `self` would reach with `next`: never backwards, `Failed` stays.
    pub fn advance(&self, next: Delivery) -> Delivery {
        match (self, &next) {
            (Delivery::Failed(_), _) => self.clone(),
            (_, Delivery::Failed(_)) => next,
            _ if next > *self => next,
            _ => self.clone(),
        }
    }
}

/// How a message reached rosterm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Directly (incoming from the peer, or sent by this client).
    Live,
    /// A copy of what another of the user's clients sent or received (XEP-0280).
    Carbon,
    /// From the server's archive (XEP-0313).
    Archive,
    /// Kept by the server while the user was offline (it carries a XEP-0203 delay).
    Offline,
}

/// XEP-0085 chat states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatState {
    Active,
    Composing,
    Paused,
    Inactive,
    Gone,
}

impl ChatState {
    pub fn as_str(self) -> &'static str {
        match self {
            ChatState::Active => "active",
            ChatState::Composing => "composing",
            ChatState::Paused => "paused",
            ChatState::Inactive => "inactive",
            ChatState::Gone => "gone",
        }
    }
}

/// One message of a 1:1 conversation, translated and sanitized (the body keeps its
/// newlines: see `sanitize::sanitize_body`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The other party: the conversation this message belongs to.
    pub peer: BareJid,
    /// The peer's resource it came from or went to, when known (sanitized).
    pub resource: Option<String>,
    pub direction: Direction,
    pub body: String,
    /// The stanza's `id` attribute: what receipts and corrections refer to.
    pub id: Option<String>,
    /// XEP-0359 origin-id, set by the sending client.
    pub origin_id: Option<String>,
    /// XEP-0359 stanza-id set by the user's own server (`by` = own bare JID): the archive's
    /// key for this message, the cursor of archive catch-up.
    pub stanza_id: Option<String>,
    /// When it was sent: its delay stamp if it has one, else when it arrived.
    pub at: SystemTime,
    /// XEP-0308: this message corrects the one with this id (same sender only).
    pub replaces: Option<String>,
    /// The sender asked for a receipt (XEP-0184).
    pub wants_receipt: bool,
    pub via: Via,
}

impl Message {
    /// The id others refer to this message by: origin-id, else the stanza's id.
    pub fn reference(&self) -> Option<&str> {
        self.origin_id.as_deref().or(self.id.as_deref())
    }

    /// A `/me` message (XEP-0245): shown as an action.
    pub fn is_action(&self) -> bool {
        self.body.starts_with("/me ")
    }
}

/// A message the user sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// A bare JID, or the full JID of the resource the peer last wrote from (XEP-0296).
    pub to: Jid,
    /// The stanza's id, also sent as its XEP-0359 origin-id; unique per message.
    pub id: String,
    pub body: String,
    /// XEP-0308: this corrects the user's own earlier message with this id.
    pub replaces: Option<String>,
    /// Ask for a receipt (XEP-0184) and send `<active/>` (XEP-0085): not to strangers.
    pub receipts_and_states: bool,
    /// When the user pressed Enter.
    pub at: SystemTime,
}

impl Outgoing {
    /// The message as it is shown and stored before it is sent.
    pub fn to_message(&self) -> Message {
        Message {
            peer: self.to.to_bare(),
            resource: self.to.resource().map(|r| r.as_str().to_owned()),
            direction: Direction::Out,
            body: self.body.clone(),
            id: Some(self.id.clone()),
            origin_id: Some(self.id.clone()),
            stanza_id: None,
            at: self.at,
            replaces: self.replaces.clone(),
            wants_receipt: self.receipts_and_states,
            via: Via::Live,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Delivery;

    #[test]
    fn delivery_never_goes_back_and_failure_is_final() {
        let sent = Delivery::Queued.advance(Delivery::Sent);
        assert_eq!(sent, Delivery::Sent);
        assert_eq!(
            Delivery::Delivered.advance(Delivery::Sent),
            Delivery::Delivered
        );
        let failed = sent.advance(Delivery::Failed("item-not-found".into()));
        assert_eq!(failed.advance(Delivery::Delivered), failed);
    }
}
