//! A tolerant reader of `<x xmlns='http://jabber.org/protocol/muc#user'>` (XEP-0045 §17.2)
//! straight from the `Element`: xmpp-parsers' `MucUser` refuses the whole payload for one odd
//! attribute (an unknown status code, an item without a role, a real JID that does not
//! parse), and an occupant must never be lost for that. Unknown values read as `None`;
//! every string is sanitized here.

use jid::{BareJid, Jid};
use xmpp_parsers::minidom::Element;
use xmpp_parsers::ns;

use crate::domain::room::{Affiliation, Departure, Role};
use crate::sanitize::{sanitize, MAX_NAME, MAX_STATUS};

/// What a muc#user payload says (one `<item>`: the first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MucUser {
    pub role: Option<Role>,
    pub affiliation: Option<Affiliation>,
    /// The occupant's real JID, when the room shows it and it parses.
    pub jid: Option<Jid>,
    /// The item's `nick` (the new nick of a 303 nick change), sanitized.
    pub nick: Option<String>,
    /// `<actor nick=…>`: who kicked or banned (sanitized).
    pub actor: Option<String>,
    /// `<reason>` of the item (sanitized; empty when absent).
    pub reason: String,
    /// Every `<status code>` that is a number, in order.
    pub codes: Vec<u16>,
    pub destroy: Option<Destroy>,
}

/// `<destroy>`: the room is gone, maybe pointing at another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destroy {
    pub reason: String,
    pub alternate: Option<BareJid>,
}

impl MucUser {
    /// Status 110: this presence is about the user.
    pub fn is_self(&self) -> bool {
        self.has(110)
    }

    pub fn has(&self, code: u16) -> bool {
        self.codes.contains(&code)
    }

    /// Why an unavailable occupant is gone, from the status codes.
    pub fn departure(&self) -> Departure {
        if self.has(301) {
            Departure::Banned
        } else if self.has(307) {
            Departure::Kicked
        } else if self.has(321) || self.has(322) {
            Departure::Removed
        } else if self.has(332) {
            Departure::Shutdown
        } else {
            Departure::Left
        }
    }
}

/// The muc#user payload among a stanza's payloads, if there is one.
pub fn find(payloads: &[Element]) -> Option<MucUser> {
    payloads.iter().find(|e| e.is("x", ns::MUC_USER)).map(read)
}

/// Reads one `<x xmlns='…muc#user'>`, never failing.
pub fn read(x: &Element) -> MucUser {
    let mut out = MucUser::default();
    for child in x.children().filter(|c| c.ns() == ns::MUC_USER) {
        match child.name() {
            "status" => {
                if let Some(code) = child.attr("code").and_then(|c| c.trim().parse().ok()) {
                    out.codes.push(code);
                }
            }
            "item" if out.role.is_none() && out.affiliation.is_none() && out.jid.is_none() => {
                read_item(child, &mut out);
            }
            "destroy" => out.destroy = Some(read_destroy(child)),
            _ => {}
        }
    }
    out
}

fn read_item(item: &Element, out: &mut MucUser) {
    out.role = Some(item.attr("role").map_or(Role::None, role));
    out.affiliation = Some(
        item.attr("affiliation")
            .map_or(Affiliation::None, affiliation),
    );
    out.jid = item.attr("jid").and_then(|j| Jid::new(j.trim()).ok());
    out.nick = item
        .attr("nick")
        .map(|n| sanitize(n, MAX_NAME))
        .filter(|n| !n.is_empty());
    out.actor = item
        .get_child("actor", ns::MUC_USER)
        .and_then(|a| a.attr("nick"))
        .map(|n| sanitize(n, MAX_NAME))
        .filter(|n| !n.is_empty());
    out.reason = reason_of(item);
}

fn read_destroy(destroy: &Element) -> Destroy {
    Destroy {
        reason: reason_of(destroy),
        alternate: destroy
            .attr("jid")
            .and_then(|j| BareJid::new(j.trim()).ok()),
    }
}

fn reason_of(el: &Element) -> String {
    el.children()
        .find(|c| c.name() == "reason")
        .map(|r| sanitize(&r.text(), MAX_STATUS))
        .unwrap_or_default()
}

fn role(value: &str) -> Role {
    match value.trim() {
        "moderator" => Role::Moderator,
        "participant" => Role::Participant,
        "visitor" => Role::Visitor,
        _ => Role::None,
    }
}

fn affiliation(value: &str) -> Affiliation {
    match value.trim() {
        "owner" => Affiliation::Owner,
        "admin" => Affiliation::Admin,
        "member" => Affiliation::Member,
        "outcast" => Affiliation::Outcast,
        _ => Affiliation::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x(xml: &str) -> MucUser {
        read(&xml.parse::<Element>().unwrap())
    }

    #[test]
    fn odd_real_world_items_keep_the_occupant() {
        let u = x("<x xmlns='http://jabber.org/protocol/muc#user'>\
            <item affiliation='member' jid='bare@example.org'/>\
            <status code='999'/><status code='x'/><status code='110'/></x>");
        assert_eq!(u.role, Some(Role::None), "no role read as none");
        assert_eq!(u.affiliation, Some(Affiliation::Member));
        assert_eq!(u.jid, Some(Jid::new("bare@example.org").unwrap()));
        assert_eq!(u.codes, [999, 110]);
        assert!(u.is_self());
        let u = x("<x xmlns='http://jabber.org/protocol/muc#user'>\
            <item role='overlord' affiliation='emperor' jid='not a jid@@/'/></x>");
        assert_eq!(
            (u.role, u.affiliation, u.jid),
            (Some(Role::None), Some(Affiliation::None), None)
        );
    }

    #[test]
    fn kick_with_actor_and_reason_is_sanitized() {
        let u = x("<x xmlns='http://jabber.org/protocol/muc#user'>\
            <item role='none' affiliation='none'><actor nick='bo\u{202e}ss'/>\
            <reason>spam\u{200b}ming</reason></item>\
            <status code='307'/><status code='110'/></x>");
        assert_eq!(u.departure(), Departure::Kicked);
        assert_eq!(u.actor.as_deref(), Some("boss"));
        assert_eq!(u.reason, "spamming");
    }

    #[test]
    fn departures_from_status_codes() {
        let with = |code: &str| {
            x(&format!(
                "<x xmlns='http://jabber.org/protocol/muc#user'><status code='{code}'/></x>"
            ))
            .departure()
        };
        assert_eq!(with("301"), Departure::Banned);
        assert_eq!(with("307"), Departure::Kicked);
        assert_eq!(with("321"), Departure::Removed);
        assert_eq!(with("322"), Departure::Removed);
        assert_eq!(with("332"), Departure::Shutdown);
        assert_eq!(with("100"), Departure::Left);
    }

    #[test]
    fn nick_change_and_destroy() {
        let u = x("<x xmlns='http://jabber.org/protocol/muc#user'>\
            <item nick='new' role='participant' affiliation='none'/><status code='303'/></x>");
        assert!(u.has(303));
        assert_eq!(u.nick.as_deref(), Some("new"));
        let u = x("<x xmlns='http://jabber.org/protocol/muc#user'>\
            <item role='none' affiliation='none'/>\
            <destroy jid='other@conference.example.org'><reason>moved</reason></destroy></x>");
        assert_eq!(
            u.destroy,
            Some(Destroy {
                reason: "moved".into(),
                alternate: Some(BareJid::new("other@conference.example.org").unwrap()),
            })
        );
    }
}
