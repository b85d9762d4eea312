//! Gateways to other networks (XEP-0100) as the session, the store and the UI speak of them
//! (no XML types).
//!
//! The flow: after every new session the session asks the user's server for its items
//! (disco#items) and each item for its identity (disco#info); those whose identity is of
//! category `gateway` come to the app as `SessionEvent::Gateways`, whole. `/register
//! GATEWAY` asks the gateway for its registration form (XEP-0077), the user answers it one
//! field at a time, and the filled form goes back; the gateway then subscribes to the user,
//! which the session approves (the user asked for it by registering).
//!
//! A contact whose JID is at a gateway's domain (`nick%irc.libera.chat@irc.example.org`,
//! or the gateway itself) is "behind" it: its row shows the gateway's network.

use jid::BareJid;

/// The longest network name shown on a row (`[irc]`), in characters.
pub const MAX_NETWORK: usize = 16;

/// One gateway on the account's server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gateway {
    /// The gateway's JID (a domain: `irc.example.org`).
    pub jid: BareJid,
    /// Its disco identity's name, "IRC gateway" (sanitized; may be empty).
    pub name: String,
    /// Its identity's type, the network: "irc", "xmpp", "telegram" (sanitized, at most
    /// [`MAX_NETWORK`] characters; never empty).
    pub network: String,
    /// It advertises `jabber:iq:register`: `/register` can fill its form.
    pub registration: bool,
}

impl Gateway {
    /// Is `jid` behind this gateway (at its domain, or the gateway itself)?
    pub fn serves(&self, jid: &BareJid) -> bool {
        jid.domain() == self.jid.domain()
    }

    /// One phrase for lists: `irc.example.org (irc, "IRC gateway")`.
    pub fn describe(&self) -> String {
        match self.name.is_empty() {
            true => format!("{} ({})", self.jid, self.network),
            false => format!("{} ({}, \"{}\")", self.jid, self.network, self.name),
        }
    }
}

/// The gateway `jid` is behind, if any.
pub fn behind<'a>(gateways: &'a [Gateway], jid: &BareJid) -> Option<&'a Gateway> {
    gateways.iter().find(|g| g.serves(jid))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jid(s: &str) -> BareJid {
        BareJid::new(s).unwrap()
    }

    fn irc() -> Gateway {
        Gateway {
            jid: jid("irc.example.org"),
            name: "IRC gateway".into(),
            network: "irc".into(),
            registration: true,
        }
    }

    #[test]
    fn a_contact_at_the_gateways_domain_is_behind_it_and_no_other() {
        let gateways = [irc()];
        for behind_it in ["nick%irc.libera.chat@irc.example.org", "irc.example.org"] {
            assert_eq!(
                behind(&gateways, &jid(behind_it)),
                Some(&gateways[0]),
                "{behind_it}"
            );
        }
        for other in [
            "bob@example.org",
            "nick@irc.example.org.evil",
            "irc.example.org@example.org",
        ] {
            assert_eq!(behind(&gateways, &jid(other)), None, "{other}");
        }
        assert_eq!(irc().describe(), "irc.example.org (irc, \"IRC gateway\")");
    }
}
