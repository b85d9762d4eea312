//! Commands out: the stanzas rosterm sends, built from domain types.

use jid::Jid;
use xmpp_parsers::iq::Iq;
use xmpp_parsers::presence::{Presence, Show as XShow, Type as PresenceType};
use xmpp_parsers::roster::Roster;

use crate::store::presence::{OwnPresence, Show};

/// The presence broadcast (or, with `to`, directed) for the user's own state.
pub fn build_presence(own: &OwnPresence, to: Option<Jid>) -> Presence {
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
    p
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
        let s = xml(build_presence(&own, None));
        assert!(s.contains("<show>dnd</show>"), "{s}");
        assert!(s.contains("<status>in a meeting</status>"), "{s}");
        assert!(s.contains("<priority>-3</priority>"), "{s}");
        assert!(!s.contains("type="), "{s}");
    }

    #[test]
    fn online_has_no_show_and_empty_status_is_omitted() {
        let s = xml(build_presence(&OwnPresence::default(), None));
        assert!(!s.contains("<show"), "{s}");
        assert!(!s.contains("<status"), "{s}");
    }

    #[test]
    fn directed_presence_has_to() {
        let to = Jid::new("bob@example.org").ok();
        let s = xml(build_presence(&OwnPresence::default(), to));
        assert!(s.contains("to='bob@example.org'"), "{s}");
    }
}
