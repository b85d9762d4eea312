//! Commands out: the stanzas rosterm sends, built from domain types.

use jid::{BareJid, Jid};
use xmpp_parsers::iq::Iq;
use xmpp_parsers::nick::Nick;
use xmpp_parsers::presence::{Presence, Show as XShow, Type as PresenceType};
use xmpp_parsers::roster::Roster;
use xmpp_parsers::roster::{Ask, Group, Item, Subscription};

use std::time::SystemTime;

use xmpp_parsers::date::DateTime;
use xmpp_parsers::idle::Idle;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::stanza_error::{DefinedCondition, ErrorType, StanzaError};

use crate::domain::{OwnPresence, Show};

mod message;
pub use message::{
    build_archive_query, build_carbons_enable, build_chat, build_chat_state, build_receipt, Page,
};

/// The presence broadcast (or, with `to`, directed) for the user's own state.
pub fn build_presence(own: &OwnPresence, to: Option<Jid>, nick: Option<&str>) -> Presence {
    let mut p = Presence::new(PresenceType::None);
    p.show = match own.show {
        Show::Online => None,
        Show::Chat => Some(XShow::Chat),
        Show::Away => Some(XShow::Away),
        Show::Xa => Some(XShow::Xa),
        Show::Dnd => Some(XShow::Dnd),
    };
    if !own.status.is_empty() {
        p.set_status("", own.status.as_str());
    }
    p.priority = xmpp_parsers::presence::Priority(own.priority);
    p.to = to;
    add_nick(&mut p, nick);
    // XEP-0115 §4: in every available presence, broadcast, directed or to a room.
    p.payloads
        .extend(super::caps::own_caps().map(xmpp_parsers::minidom::Element::from));
    p
}

/// XEP-0319: the user has been idle since `since` (a XEP-0082 UTC date-time).
pub fn add_idle(p: &mut Presence, since: Option<SystemTime>) {
    let Some(since) = since else { return };
    if let Ok(since) = super::muc::build::xep0082(since).parse::<DateTime>() {
        p.payloads.push(Idle { since }.into());
    }
}

/// The answer to a XEP-0012 last-activity query: the seconds idle, or `<forbidden/>` for
/// someone who may not know.
pub fn build_last_activity(to: Option<Jid>, id: String, idle_secs: Option<u64>) -> Iq {
    match idle_secs {
        Some(secs) => Iq::Result {
            from: None,
            to,
            id,
            payload: Some(last_activity_query(secs)),
        },
        None => Iq::Error {
            from: None,
            to,
            id,
            error: StanzaError::new(ErrorType::Auth, DefinedCondition::Forbidden, "en", ""),
            payload: None,
        },
    }
}

/// `<query xmlns='jabber:iq:last' seconds='…'/>`.
fn last_activity_query(secs: u64) -> Element {
    let query = Element::builder("query", LAST_ACTIVITY);
    match xmpp_parsers::minidom::rxml::NcName::try_from("seconds") {
        Ok(name) => query.attr(name, secs.to_string()).build(),
        Err(_) => query.build(),
    }
}

/// XEP-0012's namespace (xmpp-parsers has no constant for it).
pub const LAST_ACTIVITY: &str = "jabber:iq:last";

fn add_nick(p: &mut Presence, nick: Option<&str>) {
    if let Some(nick) = nick.filter(|n| !n.is_empty()) {
        p.payloads.push(Nick(nick.to_owned()).into());
    }
}

/// Subscription management presence (subscribe, subscribed, unsubscribe, unsubscribed) to a
/// bare JID; a subscription request carries the nick (XEP-0172).
pub fn build_subscription(type_: PresenceType, to: &BareJid, nick: Option<&str>) -> Presence {
    let mut p = Presence::new(type_.clone()).with_to(Jid::from(to.clone()));
    if type_ == PresenceType::Subscribe {
        add_nick(&mut p, nick);
    }
    p
}

/// A roster set: add or update an item, or remove it.
pub fn build_roster_set(
    id: &str,
    jid: &BareJid,
    name: Option<String>,
    groups: Vec<String>,
    remove: bool,
) -> Iq {
    Iq::from_set(
        id.to_owned(),
        Roster {
            ver: None,
            items: vec![Item {
                jid: jid.clone(),
                name,
                subscription: if remove {
                    Subscription::Remove
                } else {
                    Subscription::None
                },
                ask: Ask::None,
                groups: groups.into_iter().map(Group).collect(),
                approved: None,
            }],
        },
    )
}

pub fn build_unavailable() -> Presence {
    Presence::new(PresenceType::Unavailable)
}

/// A roster get; with `ver` the server may answer "unchanged" or with pushes only.
pub fn build_roster_get(id: &str, ver: Option<String>) -> Iq {
    Iq::from_get(
        id.to_owned(),
        Roster {
            ver,
            items: Vec::new(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use xmpp_parsers::minidom::Element;

    fn xml(p: Presence) -> String {
        String::from(&Element::from(p))
    }

    #[test]
    fn dnd_with_status_and_priority() {
        let own = OwnPresence {
            show: Show::Dnd,
            status: "in a meeting".into(),
            priority: -3,
        };
        let s = xml(build_presence(&own, None, None));
        assert!(s.contains("<show>dnd</show>"), "{s}");
        assert!(s.contains("<status>in a meeting</status>"), "{s}");
        assert!(s.contains("<priority>-3</priority>"), "{s}");
        assert!(!s.contains("type="), "{s}");
    }

    #[test]
    fn idle_and_last_activity() {
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_796_292_000);
        let mut p = build_presence(&OwnPresence::default(), None, None);
        add_idle(&mut p, Some(at));
        let s = xml(p);
        assert!(
            s.contains("<idle xmlns='urn:xmpp:idle:1' since='2026-12-03T10:00:00+00:00'/>"),
            "{s}"
        );
        let mut p = build_presence(&OwnPresence::default(), None, None);
        add_idle(&mut p, None);
        assert!(!xml(p).contains("idle"));
        let to = Jid::new("romeo@example.net/orchard").ok();
        let s = String::from(&Element::from(build_last_activity(
            to.clone(),
            "l1".into(),
            Some(90),
        )));
        assert!(
            s.contains("type='result'")
                && s.contains("<query xmlns='jabber:iq:last' seconds='90'/>"),
            "{s}"
        );
        let s = String::from(&Element::from(build_last_activity(to, "l1".into(), None)));
        assert!(
            s.contains("type='error'") && s.contains("<forbidden"),
            "{s}"
        );
    }

    #[test]
    fn online_has_no_show_and_empty_status_is_omitted() {
        let s = xml(build_presence(&OwnPresence::default(), None, None));
        assert!(!s.contains("<show"), "{s}");
        assert!(!s.contains("<status"), "{s}");
    }

    #[test]
    fn nick_and_subscription_stanzas() {
        let s = xml(build_presence(&OwnPresence::default(), None, Some("Ally")));
        assert!(
            s.contains("<nick xmlns='http://jabber.org/protocol/nick'>Ally</nick>"),
            "{s}"
        );
        let bob = BareJid::new("bob@example.org").unwrap();
        let s = xml(build_subscription(
            PresenceType::Subscribe,
            &bob,
            Some("Ally"),
        ));
        assert!(
            s.contains("type='subscribe'")
                && s.contains("to='bob@example.org'")
                && s.contains(">Ally</nick>"),
            "{s}"
        );
        let s = xml(build_subscription(
            PresenceType::Unsubscribed,
            &bob,
            Some("Ally"),
        ));
        assert!(
            s.contains("type='unsubscribed'") && !s.contains("nick"),
            "{s}"
        );
        let iq = String::from(&Element::from(build_roster_set(
            "r1",
            &bob,
            Some("Bob".into()),
            vec!["Work".into()],
            false,
        )));
        assert!(
            iq.contains("type='set'")
                && iq.contains("jid='bob@example.org'")
                && iq.contains("name='Bob'")
                && iq.contains("<group>Work</group>"),
            "{iq}"
        );
        let iq = String::from(&Element::from(build_roster_set(
            "r2",
            &bob,
            None,
            vec![],
            true,
        )));
        assert!(iq.contains("subscription='remove'"), "{iq}");
    }

    #[test]
    fn directed_presence_has_to_and_the_own_caps() {
        let to = Jid::new("bob@example.org").ok();
        let s = xml(build_presence(&OwnPresence::default(), to, None));
        assert!(s.contains("to='bob@example.org'"), "{s}");
        assert!(s.contains("http://jabber.org/protocol/caps"), "{s}");
    }
}
