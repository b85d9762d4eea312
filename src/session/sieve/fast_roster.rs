//! The fast lane for roster items: an `<item>` of a roster result or push, read straight
//! into xmpp-parsers' `Item`, so that a roster of 20,000 is never a tree of 20,000 elements
//! (minidom keeps ~4 KB per item). Same rules as for presence: the plain shape only, and
//! what is read equals what xso builds (the tests compare the two).

use jid::BareJid;
use xmpp_parsers::roster::{Ask, Group, Item, Subscription};

use super::{is_space, Reader};

const ROSTER_NS: &str = "jabber:iq:roster";

/// Reads one sieved `<item>` (nothing after it).
pub fn roster_item(bytes: &[u8]) -> Option<Item> {
    let mut r = Reader::new(bytes)?;
    let start = r.start_tag()?;
    if start.name != b"item" {
        return None;
    }
    let mut jid = None;
    let mut item = Item {
        jid: BareJid::new("x@x").ok()?,
        name: None,
        subscription: Subscription::None,
        ask: Ask::None,
        groups: Vec::new(),
        approved: None,
    };
    for (name, value) in start.attrs {
        match name {
            b"jid" => jid = Some(BareJid::new(&value).ok()?),
            b"name" => item.name = Some(value),
            b"subscription" => item.subscription = subscription(&value)?,
            b"ask" if value == "subscribe" => item.ask = Ask::Subscribe,
            b"approved" => item.approved = Some(boolean(&value)?),
            b"xmlns" if value == ROSTER_NS => {}
            _ => return None,
        }
    }
    item.jid = jid?;
    if !start.empty {
        r.groups(&mut item.groups)?;
    }
    (r.at == bytes.len()).then_some(item)
}

fn subscription(value: &str) -> Option<Subscription> {
    Some(match value {
        "none" => Subscription::None,
        "from" => Subscription::From,
        "to" => Subscription::To,
        "both" => Subscription::Both,
        "remove" => Subscription::Remove,
        _ => return None,
    })
}

/// An `xs:boolean`, as xso reads one.
fn boolean(value: &str) -> Option<bool> {
    match value {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

impl Reader<'_> {
    /// The item's `<group>` children, through `</item>`.
    fn groups(&mut self, groups: &mut Vec<Group>) -> Option<()> {
        loop {
            if !self.text()?.bytes().all(is_space) {
                return None;
            }
            if self.at_end_tag() {
                return self.end_tag(b"item");
            }
            let start = self.start_tag()?;
            let own_ns = start
                .attrs
                .iter()
                .all(|(n, v)| *n == b"xmlns" && v == ROSTER_NS);
            if start.name != b"group" || !own_ns {
                return None;
            }
            groups.push(Group(self.field(&start, &[])?));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_xso(xml: &str) -> Option<Item> {
        let xml = xml.replacen("<item", "<item xmlns='jabber:iq:roster'", 1);
        xso::from_bytes::<Item>(xml.as_bytes()).ok()
    }

    #[test]
    fn items_read_as_xso_reads_them() {
        for xml in [
            "<item jid='bob@localhost'/>",
            "<item jid='bob@localhost' name='Bob &amp; co' subscription='both'><group>Friends</group>\n<group>Work &lt;3</group></item>",
            "<item jid='carol@localhost' subscription='none' ask='subscribe' approved='true'/>",
            "<item jid='gone@localhost' subscription='remove'/>",
            "<item jid='📱fox@bots.localhost' name='Fox'><group>Bots</group></item>",
            "<item jid='x@y' name=''><group></group><group/></item>",
        ] {
            let fast = roster_item(xml.as_bytes()).unwrap_or_else(|| panic!("declined {xml}"));
            assert_eq!(Some(fast), by_xso(xml), "{xml}");
        }
    }

    #[test]
    fn what_is_not_plain_is_declined() {
        for xml in [
            "<item name='no jid'/>",
            "<item jid='a@b' subscription='maybe'/>",
            "<item jid='a@b' ask='unsubscribe'/>",
            "<item jid='a@b' extra='1'/>",
            "<item jid='a@b'><group xml:lang='en'>G</group></item>",
            "<item jid='a@b'><x xmlns='urn:x'/></item>",
            "<item jid='a@b'>text</item>",
            "<item jid='a@b'><group>G</group>",
            "<item jid='@'/>",
        ] {
            assert!(roster_item(xml.as_bytes()).is_none(), "{xml}");
        }
    }
}
