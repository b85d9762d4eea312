//! Stanzas in, domain events out. Pure functions: the session calls them, tests feed them
//! RFC 6121 XML literals. Every string that leaves here has been through the sanitizer.

use std::collections::BTreeMap;

use jid::{BareJid, FullJid, Jid};
use xmpp_parsers::iq::Iq;
use xmpp_parsers::message::Lang;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::ns;
use xmpp_parsers::presence::{Presence, Show as XShow, Type as PresenceType};
use xmpp_parsers::roster::{Ask, Item, Roster, Subscription as XSubscription};
use xmpp_parsers::stanza::Stanza;
use xmpp_parsers::stanza_error::{DefinedCondition, ErrorType, StanzaError};

use crate::event::{PresenceChange, SessionEvent};

use crate::domain::Show;
use crate::domain::{RosterItem, Subscription};
use crate::sanitize::{sanitize, MAX_NAME, MAX_STATUS};

mod message;
mod own;
pub use own::own_disco;
use own::{disco_answer, time_answer, version_answer};

/// What the translator needs to know about the session.
pub struct Context<'a> {
    pub own: &'a BareJid,
    pub bound: Option<&'a FullJid>,
    /// The id of the roster get in flight, if any.
    pub roster_query: Option<&'a str>,
    /// Is an archive query (XEP-0313) with this `queryid` open?
    pub open_query: &'a dyn Fn(&str) -> bool,
    /// When this stanza arrived (the time of a message without a delay).
    pub now: std::time::SystemTime,
    /// Where the sieve parked the roster items it read itself (see `sieve::lane`).
    pub lane: Option<&'a crate::session::sieve::FastLane>,
}

/// The result of translating one stanza.
#[derive(Debug, Default)]
pub struct Translated {
    pub events: Vec<SessionEvent>,
    /// A stanza to send back (IQ result or error).
    pub reply: Option<Stanza>,
    /// The roster query was answered (result or error).
    pub roster_answered: bool,
    /// A roster version carried by a roster result or push.
    pub roster_ver: Option<String>,
    /// An archive result for the open query with this id (counted even without a body).
    pub archived: Option<String>,
    /// The XEP-0115 capabilities an available presence from a full JID advertised.
    pub caps: Option<crate::session::caps::Offer>,
    /// The own account's bookmarks changed (a PEP event from the own bare JID).
    pub bookmarks_changed: bool,
}

pub fn translate(stanza: Stanza, ctx: &Context<'_>) -> Translated {
    match stanza {
        Stanza::Presence(p) => {
            let offer = p
                .from
                .as_ref()
                .and_then(|f| f.try_as_full().ok())
                .filter(|f| Some(*f) != ctx.bound)
                .filter(|_| p.type_ == PresenceType::None)
                .and_then(|f| crate::session::caps::read_offer(&p.payloads, f));
            let mut events = with_idle(p, ctx);
            if let (Some(offer), Some(SessionEvent::Presence { from, resource, .. })) =
                (&offer, events.first())
            {
                let (from, resource) = (from.clone(), resource.clone());
                let ver = offer.ver.clone();
                events.push(SessionEvent::Caps {
                    from,
                    resource,
                    ver,
                });
            }
            Translated {
                events,
                caps: offer,
                ..Translated::default()
            }
        }
        Stanza::Iq(iq) => translate_iq(iq, ctx),
        Stanza::Message(m) => message::translate_message(m, ctx),
    }
}

pub fn show_of(show: Option<XShow>) -> Show {
    match show {
        None => Show::Online,
        Some(XShow::Away) => Show::Away,
        Some(XShow::Chat) => Show::Chat,
        Some(XShow::Dnd) => Show::Dnd,
        Some(XShow::Xa) => Show::Xa,
    }
}

/// Status text: the one without `xml:lang` if present, else the first by language tag.
pub fn pick_status(statuses: &BTreeMap<Lang, String>) -> String {
    let text = statuses
        .get(&Lang(String::new()))
        .or_else(|| statuses.values().next())
        .map(String::as_str)
        .unwrap_or("");
    sanitize(text, MAX_STATUS)
}

fn nick_of(payloads: &[Element]) -> Option<String> {
    payloads
        .iter()
        .find(|e| e.is("nick", ns::NICK))
        .map(|e| sanitize(&e.text(), MAX_NAME))
        .filter(|n| !n.is_empty())
}

/// A `<show>` value the sieve took out because XMPP does not define it (see `sieve`).
fn odd_show_of(payloads: &[Element]) -> Option<String> {
    payloads
        .iter()
        .find(|e| e.is("sieve", crate::session::sieve::NS))
        .and_then(|e| e.attr("show"))
        .map(|v| sanitize(v, MAX_NAME))
}

fn error_text(payloads: &[Element]) -> String {
    let Some(err) = payloads
        .iter()
        .find(|e| e.name() == "error")
        .and_then(|e| StanzaError::try_from(e.clone()).ok())
    else {
        return "unreachable".into();
    };
    let condition = defined_condition_name(&err.defined_condition);
    match err.texts.get("").or_else(|| err.texts.values().next()) {
        Some(text) if !text.is_empty() => sanitize(&format!("{condition}: {text}"), MAX_STATUS),
        _ => condition.to_owned(),
    }
}

/// An IQ error as one phrase: its condition, and its text if any (sanitized).
pub fn stanza_error_text(err: &StanzaError) -> String {
    let condition = defined_condition_name(&err.defined_condition);
    match err.texts.get("").or_else(|| err.texts.values().next()) {
        Some(text) if !text.is_empty() => sanitize(&format!("{condition} ({text})"), MAX_STATUS),
        _ => condition,
    }
}

fn defined_condition_name(c: &DefinedCondition) -> String {
    // The enum's XML name, e.g. "remote-server-not-found".
    let el: Element = c.clone().into();
    el.name().to_owned()
}

pub fn translate_presence(p: Presence, ctx: &Context<'_>) -> Option<SessionEvent> {
    // No 'from': the server on behalf of the user's own account.
    let from = p.from.clone().unwrap_or_else(|| Jid::from(ctx.own.clone()));
    let bare = from.to_bare();
    let resource = from.resource().map(|r| sanitize(r.as_str(), MAX_NAME));
    let from_this_session =
        matches!((&from.try_as_full(), ctx.bound), (Ok(full), Some(bound)) if *full == bound);
    match p.type_ {
        PresenceType::None => {
            if from_this_session {
                return Some(SessionEvent::OwnPresenceEcho {
                    show: show_of(p.show),
                    status: pick_status(&p.statuses),
                    priority: p.priority.0,
                });
            }
            if bare == *ctx.own && resource.is_none() {
                return None;
            }
            Some(SessionEvent::Presence {
                from: bare,
                resource,
                change: available(&p),
            })
        }
        PresenceType::Unavailable => {
            if from_this_session {
                return None;
            }
            Some(SessionEvent::Presence {
                from: bare,
                resource,
                change: PresenceChange::Unavailable {
                    status: pick_status(&p.statuses),
                },
            })
        }
        PresenceType::Error => Some(SessionEvent::Presence {
            from: bare,
            resource: None,
            change: PresenceChange::Error {
                reason: error_text(&p.payloads),
            },
        }),
        PresenceType::Subscribe => (bare != *ctx.own).then(|| SessionEvent::SubscriptionRequest {
            from: bare,
            nick: nick_of(&p.payloads),
        }),
        // Subscription state changes arrive as roster pushes from the server; probes are
        // answered by the server. Nothing here changes the store.
        PresenceType::Subscribed
        | PresenceType::Unsubscribe
        | PresenceType::Unsubscribed
        | PresenceType::Probe => None,
    }
}

/// A presence's event, and after it the XEP-0319 idle it carried (only with an available
/// presence from someone else; a date that does not parse is no idle, a future one is now).
fn with_idle(p: Presence, ctx: &Context<'_>) -> Vec<SessionEvent> {
    let since = idle_of(&p.payloads).map(|since| since.min(ctx.now));
    let mut events: Vec<SessionEvent> = translate_presence(p, ctx).into_iter().collect();
    if let (
        Some(since),
        Some(SessionEvent::Presence {
            from,
            resource,
            change: PresenceChange::Available { .. },
        }),
    ) = (since, events.first())
    {
        let (from, resource) = (from.clone(), resource.clone());
        events.push(SessionEvent::Idle {
            from,
            resource,
            since,
        });
    }
    events
}

/// The XEP-0319 `<idle since=…/>` among a presence's payloads, if one parses.
pub fn idle_of(payloads: &[Element]) -> Option<std::time::SystemTime> {
    payloads
        .iter()
        .find(|e| e.is("idle", ns::IDLE))
        .and_then(|e| xmpp_parsers::idle::Idle::try_from(e.clone()).ok())
        .map(|idle| std::time::SystemTime::from(idle.since.0))
}

/// What an available presence from someone else says.
fn available(p: &Presence) -> PresenceChange {
    PresenceChange::Available {
        show: show_of(p.show.clone()),
        status: pick_status(&p.statuses),
        priority: p.priority.0,
        nick: nick_of(&p.payloads),
        odd_show: odd_show_of(&p.payloads),
    }
}

/// A roster query's version and items, read one by one (RFC 6121 §2.1.2): an item that does
/// not parse is skipped and counted instead of costing the whole roster, and each item's XML
/// is freed as soon as it is read (a 20,000-item roster never exists twice in memory).
pub fn read_roster(
    mut query: Element,
    lane: Option<&crate::session::sieve::FastLane>,
) -> (Option<String>, Vec<Result<RosterItem, BareJid>>, usize) {
    let ver = query.attr("ver").map(str::to_owned);
    let mut items = Vec::new();
    let mut unreadable = 0;
    for child in query.take_contents_as_children() {
        if child.is("parked", crate::session::sieve::NS) {
            let parked = lane.zip(child.attr("n")).and_then(|(l, n)| l.take_items(n));
            match parked {
                Some(parked) => items.extend(parked.into_iter().map(translate_item)),
                None => unreadable += 1,
            }
            continue;
        }
        if !child.is("item", ns::ROSTER) {
            continue;
        }
        match Item::try_from(child) {
            Ok(item) => items.push(translate_item(item)),
            Err(e) => {
                tracing::warn!("unreadable roster item: {}", sanitize(&e.to_string(), 300));
                unreadable += 1;
            }
        }
    }
    (ver, items, unreadable)
}

pub fn translate_item(item: Item) -> Result<RosterItem, BareJid> {
    let subscription = match item.subscription {
        XSubscription::None => Subscription::None,
        XSubscription::To => Subscription::To,
        XSubscription::From => Subscription::From,
        XSubscription::Both => Subscription::Both,
        XSubscription::Remove => return Err(item.jid),
    };
    Ok(RosterItem {
        name: item
            .name
            .map(|n| sanitize(&n, MAX_NAME))
            .filter(|n| !n.is_empty()),
        groups: item
            .groups
            .into_iter()
            .map(|g| sanitize(&g.0, MAX_NAME))
            .filter(|g| !g.is_empty())
            .collect(),
        subscription,
        pending_out: item.ask == Ask::Subscribe,
        jid: item.jid,
    })
}

/// Is a roster push from this sender legitimate? (RFC 6121 §2.1.6: no 'from', or the user's
/// own bare JID. Anything else is a spoof: CVE-2015-8688, CVE-2016-9928, CVE-2019-16236.)
pub fn push_allowed(from: Option<&Jid>, own: &BareJid) -> bool {
    match from {
        None => true,
        Some(jid) => jid.resource().is_none() && jid.to_bare() == *own,
    }
}

fn translate_iq(iq: Iq, ctx: &Context<'_>) -> Translated {
    match iq {
        // Answers to our requests count only from the server (no 'from', or our bare JID):
        // ids are guessable, and anyone can send an IQ result.
        Iq::Result {
            from, id, payload, ..
        } if Some(id.as_str()) == ctx.roster_query && push_allowed(from.as_ref(), ctx.own) => {
            roster_result(payload, ctx)
        }
        Iq::Error {
            from, id, error, ..
        } if Some(id.as_str()) == ctx.roster_query && push_allowed(from.as_ref(), ctx.own) => {
            Translated {
                roster_answered: true,
                events: vec![SessionEvent::Notice(format!(
                    "The server refused the roster request ({}).",
                    defined_condition_name(&error.defined_condition)
                ))],
                ..Translated::default()
            }
        }
        Iq::Set {
            from, id, payload, ..
        } if payload.is("query", ns::ROSTER) => roster_push(from, id, payload, ctx),
        Iq::Get {
            from, id, payload, ..
        } if payload.is("ping", ns::PING) => reply(result(from, id, None)),
        Iq::Get {
            from, id, payload, ..
        } if payload.is("query", ns::DISCO_INFO) => reply(disco_answer(from, id, &payload)),
        Iq::Get {
            from, id, payload, ..
        } if payload.is("time", ns::TIME) => reply(time_answer(from, id, ctx.now)),
        Iq::Get {
            from, id, payload, ..
        } if payload.is("query", ns::VERSION) => reply(version_answer(from, id)),
        // XEP-0012: who may know is the app's to decide (it has the roster).
        Iq::Get {
            from, id, payload, ..
        } if payload.is("query", crate::session::stanza::LAST_ACTIVITY) => Translated {
            events: vec![SessionEvent::LastActivityQuery { from, id }],
            ..Translated::default()
        },
        Iq::Get { from, id, .. } | Iq::Set { from, id, .. } => reply(error_reply(
            from,
            id,
            ErrorType::Cancel,
            DefinedCondition::ServiceUnavailable,
        )),
        Iq::Result { .. } | Iq::Error { .. } => Translated::default(),
    }
}

/// The answer to the roster get in flight.
fn roster_result(payload: Option<Element>, ctx: &Context<'_>) -> Translated {
    let mut out = Translated {
        roster_answered: true,
        ..Translated::default()
    };
    // No payload: roster unchanged since the version we sent (versioning).
    let Some(payload) = payload else {
        out.events.push(SessionEvent::RosterUnchanged);
        return out;
    };
    if !payload.is("query", ns::ROSTER) {
        out.events.push(SessionEvent::Notice(
            "The server answered the roster request with something else.".into(),
        ));
        return out;
    }
    let (ver, items, unreadable) = read_roster(payload, ctx.lane);
    out.roster_ver = ver;
    out.events.push(SessionEvent::RosterReceived(
        items.into_iter().filter_map(Result::ok).collect(),
    ));
    if unreadable > 0 {
        out.events.push(SessionEvent::Notice(format!(
            "{unreadable} roster item(s) could not be read and are not shown; see the log."
        )));
    }
    out
}

/// A roster push (RFC 6121 §2.1.6): applied and acknowledged if it comes from the server,
/// ignored (unanswered) otherwise.
fn roster_push(from: Option<Jid>, id: String, payload: Element, ctx: &Context<'_>) -> Translated {
    if !push_allowed(from.as_ref(), ctx.own) {
        tracing::warn!(from = ?from.as_ref().map(|j| sanitize(j.as_str(), MAX_NAME)), "ignored a spoofed roster push");
        return Translated::default();
    }
    match Roster::try_from(payload) {
        Ok(roster) => Translated {
            roster_ver: roster.ver,
            events: roster
                .items
                .into_iter()
                .map(|item| match translate_item(item) {
                    Ok(item) => SessionEvent::RosterPush(item),
                    Err(jid) => SessionEvent::RosterRemove(jid),
                })
                .collect(),
            reply: Some(result(from, id, None)),
            ..Translated::default()
        },
        Err(_) => reply(error_reply(
            from,
            id,
            ErrorType::Modify,
            DefinedCondition::BadRequest,
        )),
    }
}

/// Nothing but a stanza to send back.
fn reply(stanza: Stanza) -> Translated {
    Translated {
        reply: Some(stanza),
        ..Translated::default()
    }
}

fn result(to: Option<Jid>, id: String, payload: Option<Element>) -> Stanza {
    Stanza::Iq(Iq::Result {
        from: None,
        to,
        id,
        payload,
    })
}

fn error_reply(
    to: Option<Jid>,
    id: String,
    type_: ErrorType,
    condition: DefinedCondition,
) -> Stanza {
    Stanza::Iq(Iq::Error {
        from: None,
        to,
        id,
        error: StanzaError::new(type_, condition, "en", ""),
        payload: None,
    })
}

/// The translate tests' rig: `xml` as juliet@example.com/balcony receives it.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) fn translate_as_juliet(
    xml: &str,
    roster_query: Option<&str>,
    open_query: &dyn Fn(&str) -> bool,
    now: std::time::SystemTime,
) -> Translated {
    let own = BareJid::new("juliet@example.com").unwrap();
    let bound = FullJid::new("juliet@example.com/balcony").unwrap();
    let ctx = Context {
        own: &own,
        bound: Some(&bound),
        roster_query,
        open_query,
        lane: None,
        now,
    };
    let el: Element = xml.parse().expect("valid XML");
    translate(Stanza::try_from(el).expect("valid stanza"), &ctx)
}

#[cfg(test)]
#[path = "translate_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "translate/idle_tests.rs"]
mod idle_tests;

#[cfg(test)]
#[path = "translate/devices_tests.rs"]
mod devices_tests;
