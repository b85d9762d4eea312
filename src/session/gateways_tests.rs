//! Reading the server's items and their identities: only domains are gateways, a bad item
//! costs only itself, a gateway's network is sanitized and never empty.

use super::*;

fn el(xml: &str) -> Element {
    xml.parse().expect("test XML")
}

fn jid(s: &str) -> BareJid {
    BareJid::new(s).unwrap()
}

#[test]
fn the_servers_items_are_domains_once_each_and_a_bad_one_costs_itself() {
    let items = el("<query xmlns='http://jabber.org/protocol/disco#items'>\
        <item jid='irc.example.org' name='IRC'/>\
        <item jid='conference.example.org'/>\
        <item jid='irc.example.org'/>\
        <item jid='bob@example.org'/>\
        <item jid='pubsub.example.org' node='news'/>\
        <item jid='a@b@c'/>\
        <item/>\
        <item jid='upload.example.org/x'/>\
        </query>");
    let read: Vec<String> = read_items(&items).iter().map(|j| j.to_string()).collect();
    // A full JID (upload.example.org/x) is not a domain either.
    assert_eq!(read, ["irc.example.org", "conference.example.org"]);
    let info = el("<query xmlns='http://jabber.org/protocol/disco#info'/>");
    assert!(read_items(&info).is_empty(), "not an items answer");
}

#[test]
fn at_most_max_items_are_asked() {
    let many: String = (0..MAX_ITEMS + 10)
        .map(|i| format!("<item jid='c{i}.example.org'/>"))
        .collect();
    let items = el(&format!(
        "<query xmlns='http://jabber.org/protocol/disco#items'>{many}</query>"
    ));
    assert_eq!(read_items(&items).len(), MAX_ITEMS);
}

#[test]
fn a_gateway_is_an_item_with_a_gateway_identity() {
    let of = jid("irc.example.org");
    let info = el("<query xmlns='http://jabber.org/protocol/disco#info'>\
        <identity category='conference' type='text' name='Rooms'/>\
        <identity category='gateway' type='irc' name='IRC&#10;gateway&#x202e;'/>\
        <feature var='jabber:iq:register'/>\
        </query>");
    let gateway = read_info(&of, &info).expect("a gateway");
    assert_eq!(gateway.jid, of);
    assert_eq!(gateway.network, "irc");
    assert!(
        !gateway.name.contains('\n') && !gateway.name.contains('\u{202e}'),
        "{:?}",
        gateway.name
    );
    assert!(gateway.registration);

    let rooms = el("<query xmlns='http://jabber.org/protocol/disco#info'>\
        <identity category='conference' type='text'/></query>");
    assert_eq!(read_info(&of, &rooms), None);

    let bare = el("<query xmlns='http://jabber.org/protocol/disco#info'>\
        <identity category='gateway' type=''/></query>");
    let gateway = read_info(&of, &bare).expect("a gateway");
    assert_eq!(gateway.network, "gateway", "never empty");
    assert!(!gateway.registration);

    let long = format!(
        "<query xmlns='http://jabber.org/protocol/disco#info'><identity category='gateway' type='{}'/></query>",
        "x".repeat(200)
    );
    let gateway = read_info(&of, &el(&long)).expect("a gateway");
    assert!(gateway.network.chars().count() <= MAX_NETWORK);
}
