//! `<message>` in, domain events out: 1:1 chat (RFC 6121 §5), XEP-0280 carbons, XEP-0313
//! archive results, XEP-0203 delays (offline storage), XEP-0085 chat states, XEP-0184
//! receipts, XEP-0308 corrections, XEP-0359 ids, and message errors.
//!
//! Who may say what:
//! - a carbon (`<received/>`, `<sent/>`) counts only when the wrapper comes from the own
//!   **bare** JID (CVE-2017-5589 class): anyone else's is dropped whole;
//! - an archive result counts only for a query rosterm has open, from the own bare JID or
//!   with no `from`; anything else is dropped whole;
//! - a `<stanza-id/>` counts only when `by` is the own bare JID (anyone can add one);
//! - `groupchat` waits for rooms: logged, not shown;
//! - a bookmarks event (XEP-0402 `+notify`) counts only from the own **bare** JID, and
//!   all it does is have the list fetched again (CVE-2023-28686 class: a bookmark pushed by
//!   anyone else never makes rosterm join anything).
//!
//! Receipts are never answered here: `wants_receipt` tells the app, which knows who is a
//! stranger (no receipts to strangers).

use std::time::SystemTime;

use jid::Jid;
use xmpp_parsers::delay::Delay;
use xmpp_parsers::forwarding::Forwarded;
use xmpp_parsers::message::{Message as XMessage, MessageType};
use xmpp_parsers::minidom::Element;
use xmpp_parsers::ns;
use xmpp_parsers::stanza_error::StanzaError;

use crate::domain::{ChatState, Delivery, Direction, Message, Via};
use crate::event::SessionEvent;
use crate::sanitize::{sanitize, sanitize_body, MAX_BODY, MAX_NAME};

use super::{stanza_error_text, Context, Translated};

/// A PEP event about the bookmarks node: `Some(true)` from the own bare JID, `Some(false)`
/// (dropped whole) from anyone else; `None` for every other message.
fn bookmarks_event(m: &XMessage, ctx: &Context<'_>) -> Option<bool> {
    let node = crate::session::bookmarks::NODE;
    let event = m
        .payloads
        .iter()
        .find(|e| e.is("event", ns::PUBSUB_EVENT))?;
    let about = event.children().any(|c| c.attr("node") == Some(node));
    if !about {
        return None;
    }
    let own = m
        .from
        .as_ref()
        .is_some_and(|f| f.resource().is_none() && f.to_bare() == *ctx.own);
    if !own {
        let from = m.from.as_ref().map(|f| f.to_string()).unwrap_or_default();
        tracing::warn!(
            "a bookmarks event not from the own account ignored (from {})",
            sanitize(&from, MAX_NAME)
        );
    }
    Some(own)
}

pub fn translate_message(m: XMessage, ctx: &Context<'_>) -> Translated {
    match m.type_ {
        MessageType::Error => return events(failed(&m).into_iter().collect()),
        MessageType::Groupchat => {
            tracing::debug!("groupchat message ignored (rooms are not supported yet)");
            return Translated::default();
        }
        MessageType::Chat | MessageType::Normal | MessageType::Headline => {}
    }
    if let Some(wrapper) = m
        .payloads
        .iter()
        .find(|e| e.ns() == ns::CARBONS && (e.name() == "received" || e.name() == "sent"))
    {
        return events(carbon(&m, wrapper, ctx));
    }
    if let Some(result) = m.payloads.iter().find(|e| e.is("result", ns::MAM)) {
        return archive_result(&m, result, ctx);
    }
    if let Some(changed) = bookmarks_event(&m, ctx) {
        return Translated {
            bookmarks_changed: changed,
            ..Translated::default()
        };
    }
    let Some(from) = m.from.clone() else {
        tracing::debug!("message without 'from' ignored");
        return Translated::default();
    };
    let seen = Seen {
        direction: Direction::In,
        via: Via::Live,
        delay: None,
        stanza_id: own_stanza_id(&m, ctx),
    };
    events(read(&m, &from, &seen, ctx))
}

fn events(events: Vec<SessionEvent>) -> Translated {
    Translated {
        events,
        ..Translated::default()
    }
}

/// How a (possibly forwarded) message was seen.
struct Seen {
    direction: Direction,
    via: Via,
    /// The forwarding wrapper's delay, if any (else the message's own).
    delay: Option<SystemTime>,
    stanza_id: Option<String>,
}

/// The events one chat message carries: the message itself (if it has a body), the peer's
/// chat state (incoming only) and a receipt.
fn read(m: &XMessage, peer: &Jid, seen: &Seen, ctx: &Context<'_>) -> Vec<SessionEvent> {
    let mut out = Vec::new();
    let bare = peer.to_bare();
    let resource = peer.resource().map(|r| sanitize(r.as_str(), MAX_NAME));
    if let Some(message) = body_message(m, peer, seen, ctx) {
        out.push(SessionEvent::Message(message));
    }
    if seen.direction == Direction::In && seen.via != Via::Archive {
        if let Some(state) = chat_state_of(m) {
            out.push(SessionEvent::ChatState {
                peer: bare.clone(),
                resource,
                state,
            });
        }
        if let Some(id) = attr_of(m, "received", ns::RECEIPTS, "id") {
            out.push(SessionEvent::Delivery {
                peer: bare,
                id,
                delivery: Delivery::Delivered,
            });
        }
    }
    out
}

fn body_message(m: &XMessage, peer: &Jid, seen: &Seen, ctx: &Context<'_>) -> Option<Message> {
    let (_, body) = m.get_best_body(Vec::new())?;
    let body = sanitize_body(body, MAX_BODY);
    if body.is_empty() {
        return None;
    }
    let delay = seen.delay.or_else(|| delay_of(&m.payloads));
    let via = match (seen.via, delay) {
        (Via::Live, Some(_)) => Via::Offline,
        (via, _) => via,
    };
    // A stamp in the future (anyone can write one) would keep a message below every later one.
    let delay = delay.map(|at| at.min(ctx.now));
    let id = m.id.as_ref().map(|id| id.0.clone());
    Some(Message {
        peer: peer.to_bare(),
        resource: peer.resource().map(|r| sanitize(r.as_str(), MAX_NAME)),
        direction: seen.direction,
        body,
        // Incoming: only the client it was addressed to answers (not a carbon's, nor an
        // archive copy's reader). Outgoing: the receipt was asked for.
        wants_receipt: id.is_some()
            && m.type_ != MessageType::Headline
            && has(m, "request", ns::RECEIPTS)
            && (seen.direction == Direction::Out || matches!(via, Via::Live | Via::Offline)),
        id,
        origin_id: attr_of(m, "origin-id", ns::SID, "id"),
        stanza_id: seen.stanza_id.clone(),
        at: delay.unwrap_or(ctx.now),
        replaces: attr_of(m, "replace", ns::MESSAGE_CORRECT, "id"),
        via,
    })
}

/// A XEP-0280 carbon: accepted only from the own bare JID.
fn carbon(m: &XMessage, wrapper: &Element, ctx: &Context<'_>) -> Vec<SessionEvent> {
    let own_bare = m
        .from
        .as_ref()
        .is_some_and(|f| f.resource().is_none() && f.to_bare() == *ctx.own);
    if !own_bare {
        tracing::warn!(
            from = ?m.from.as_ref().map(|j| sanitize(j.as_str(), MAX_NAME)),
            "ignored a spoofed carbon"
        );
        return Vec::new();
    }
    let Some(forwarded) = forwarded_in(wrapper) else {
        return Vec::new();
    };
    let inner = &forwarded.message;
    if !matches!(inner.type_, MessageType::Chat | MessageType::Normal) {
        return Vec::new();
    }
    let sent = wrapper.name() == "sent";
    let (peer, direction) = if sent {
        (inner.to.clone(), Direction::Out)
    } else {
        (inner.from.clone(), Direction::In)
    };
    let Some(peer) = peer else {
        return Vec::new();
    };
    let seen = Seen {
        direction,
        via: Via::Carbon,
        delay: forwarded.delay.as_ref().map(stamp),
        stanza_id: own_stanza_id(inner, ctx),
    };
    read(inner, &peer, &seen, ctx)
}

/// A XEP-0313 result: accepted only for an open query, from the own archive.
fn archive_result(m: &XMessage, result: &Element, ctx: &Context<'_>) -> Translated {
    let from_archive = m
        .from
        .as_ref()
        .is_none_or(|f| f.resource().is_none() && f.to_bare() == *ctx.own);
    let query = result.attr("queryid").unwrap_or("");
    if !from_archive || !(ctx.open_query)(query) {
        tracing::warn!(
            from = ?m.from.as_ref().map(|j| sanitize(j.as_str(), MAX_NAME)),
            "ignored an archive result rosterm did not ask for"
        );
        return Translated::default();
    }
    let mut out = Translated {
        archived: Some(query.to_owned()),
        ..Translated::default()
    };
    let Some(forwarded) = forwarded_in(result) else {
        return out;
    };
    let inner = &forwarded.message;
    if !matches!(inner.type_, MessageType::Chat | MessageType::Normal) {
        return out;
    }
    let outgoing = inner.from.as_ref().is_some_and(|f| f.to_bare() == *ctx.own);
    let (peer, direction) = if outgoing {
        (inner.to.clone(), Direction::Out)
    } else {
        (inner.from.clone(), Direction::In)
    };
    let seen = Seen {
        direction,
        via: Via::Archive,
        delay: forwarded.delay.as_ref().map(stamp),
        stanza_id: result.attr("id").map(str::to_owned),
    };
    if let Some(message) = peer.and_then(|peer| body_message(inner, &peer, &seen, ctx)) {
        out.events.push(SessionEvent::Message(message));
    }
    out
}

/// `type='error'`: the message with this id failed, with the error's phrase.
fn failed(m: &XMessage) -> Option<SessionEvent> {
    let (Some(from), Some(id)) = (&m.from, &m.id) else {
        tracing::debug!("message error without 'from' or 'id' ignored");
        return None;
    };
    let phrase = m
        .payloads
        .iter()
        .find(|e| e.name() == "error")
        .and_then(|e| StanzaError::try_from(e.clone()).ok())
        .map_or_else(|| "refused".to_owned(), |e| stanza_error_text(&e));
    Some(SessionEvent::Delivery {
        peer: from.to_bare(),
        id: id.0.clone(),
        delivery: Delivery::Failed(phrase),
    })
}

fn forwarded_in(wrapper: &Element) -> Option<Forwarded> {
    let el = wrapper.get_child("forwarded", ns::FORWARD)?;
    match Forwarded::try_from(el.clone()) {
        Ok(f) => Some(f),
        Err(e) => {
            tracing::warn!(
                "unreadable forwarded message: {}",
                sanitize(&e.to_string(), 300)
            );
            None
        }
    }
}

fn stamp(delay: &Delay) -> SystemTime {
    SystemTime::from(delay.stamp.0)
}

fn delay_of(payloads: &[Element]) -> Option<SystemTime> {
    payloads
        .iter()
        .find(|e| e.is("delay", ns::DELAY))
        .and_then(|e| Delay::try_from(e.clone()).ok())
        .map(|d| stamp(&d))
}

fn has(m: &XMessage, name: &str, namespace: &str) -> bool {
    m.payloads.iter().any(|e| e.is(name, namespace))
}

/// An attribute of the first payload `name` in `namespace` (sanitized, non-empty).
fn attr_of(m: &XMessage, name: &str, namespace: &str, attr: &str) -> Option<String> {
    m.payloads
        .iter()
        .find(|e| e.is(name, namespace))
        .and_then(|e| e.attr(attr))
        .map(|v| sanitize(v, MAX_NAME))
        .filter(|v| !v.is_empty())
}

/// The XEP-0359 stanza-id the own server set (`by` = own bare JID); others are spoofable.
fn own_stanza_id(m: &XMessage, ctx: &Context<'_>) -> Option<String> {
    m.payloads
        .iter()
        .filter(|e| e.is("stanza-id", ns::SID))
        .find(|e| {
            e.attr("by")
                .and_then(|by| Jid::new(by).ok())
                .is_some_and(|by| by.resource().is_none() && by.to_bare() == *ctx.own)
        })
        .and_then(|e| e.attr("id"))
        .map(|v| sanitize(v, MAX_NAME))
        .filter(|v| !v.is_empty())
}

fn chat_state_of(m: &XMessage) -> Option<ChatState> {
    m.payloads
        .iter()
        .filter(|e| e.ns() == ns::CHATSTATES)
        .find_map(|e| match e.name() {
            "active" => Some(ChatState::Active),
            "composing" => Some(ChatState::Composing),
            "paused" => Some(ChatState::Paused),
            "inactive" => Some(ChatState::Inactive),
            "gone" => Some(ChatState::Gone),
            _ => None,
        })
}

#[cfg(test)]
#[path = "message_tests.rs"]
mod tests;
