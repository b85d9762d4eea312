use proptest::prelude::*;
use xmpp_parsers::presence::Presence;

use super::*;

/// What xso builds from the same bytes (with the namespace the stream would give it).
fn by_xso(xml: &str) -> Option<Presence> {
    let xml = xml.replacen("<presence", "<presence xmlns='jabber:client'", 1);
    xso::from_bytes::<Presence>(xml.as_bytes()).ok()
}

/// A presence with its payloads as text: how rxml splits a text into events (at an entity,
/// at a read boundary) decides how many text nodes xso makes, and nothing reads them apart.
fn comparable(p: Option<Presence>) -> Option<(Presence, Vec<String>)> {
    p.map(|mut p| {
        let payloads = p.payloads.drain(..).map(|e| String::from(&e)).collect();
        (p, payloads)
    })
}

/// The fast lane reads `xml` exactly as xso does.
fn same(xml: &str) -> Presence {
    let fast = presence(xml.as_bytes(), "").unwrap_or_else(|| panic!("declined: {xml}"));
    assert_eq!(
        comparable(Some(fast.clone())),
        comparable(by_xso(xml)),
        "{xml}"
    );
    fast
}

#[test]
fn an_ordinary_presence_reads_as_xso_reads_it() {
    let p = same(
        "<presence from='bob@localhost/laptop' to='alice@localhost' id='x1'>\
         <show>away</show><status>at lunch &amp; out &#x1F355;</status>\
         <priority>-5</priority>\
         <c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='v=='/>\
         <x xmlns='vcard-temp:x:update'><photo>abc</photo></x>\
         <delay xmlns='urn:xmpp:delay' stamp='2026-12-03T10:00:00Z'/></presence>",
    );
    assert_eq!(p.payloads.len(), 3);
    assert_eq!(
        p.statuses.values().next().map(String::as_str),
        Some("at lunch & out 🍕")
    );
}

#[test]
fn every_type_and_empty_forms_read_alike() {
    for xml in [
        "<presence/>",
        "<presence from='c1@bots.localhost/r0' type='unavailable'/>",
        "<presence type='unavailable'><status>bye</status></presence>",
        "<presence type='subscribe' from='x@y'><nick xmlns='http://jabber.org/protocol/nick'>X</nick></presence>",
        "<presence type='error' from='x@y'><error type='cancel'><remote-server-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>",
        "<presence>\n  <show>dnd</show>\n  <status/>\n</presence>",
        "<presence><status xml:lang='de'>weg</status><status>away</status></presence>",
        "<presence xml:lang='fr'><status>parti</status></presence>",
        "<presence from=\"a@b\"><x xmlns='urn:x'> spaced <y a='1&#10;2'/> text </x></presence>",
        "<presence><sieve xmlns='urn:x-rosterm:sieve' show='busy'/></presence>",
    ] {
        same(xml);
    }
}

#[test]
fn the_stream_language_keys_a_status_without_its_own() {
    let p = presence(
        b"<presence><status>hi</status><status xml:lang='de'>hallo</status></presence>",
        "en",
    )
    .expect("read");
    let keys: Vec<&str> = p.statuses.keys().map(|l| l.0.as_str()).collect();
    assert_eq!(keys, ["de", "en"]);
}

#[test]
fn what_is_not_plain_is_declined() {
    for xml in [
        "<presence><!-- c --></presence>",
        "<presence><x xmlns='urn:x'><![CDATA[a]]></x></presence>",
        "<presence foo='1'/>",
        "<presence xmlns='urn:other'/>",
        "<presence type='bogus'/>",
        "<presence from='@@'/>",
        "<presence>text</presence>",
        "<presence><p:x xmlns:p='urn:x'/></presence>",
        "<presence><x xmlns='urn:x' xml:lang='en'/></presence>",
        "<presence><status a='1'>s</status></presence>",
        "<presence><show>away</show><show>xa</show></presence>",
        "<presence><x xmlns='urn:x'>&bogus;</x></presence>",
        "<presence><x xmlns='urn:x'>&#1;</x></presence>",
        "<presence>\r\n</presence>",
        "<presence><show>away</show>",
        "<presence/><presence/>",
        "<message/>",
    ] {
        assert!(presence(xml.as_bytes(), "").is_none(), "{xml}");
    }
}

fn payload() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='v'/>".into()),
        Just("<x xmlns='vcard-temp:x:update'><photo/></x>".into()),
        "[a-z&<> ]{0,12}".prop_map(|t| format!("<x xmlns='urn:x' t='{}'>{}</x>", esc(&t), esc(&t))),
    ]
}

fn esc(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('\'', "&apos;")
}

proptest! {
    #[test]
    fn generated_presences_read_as_xso_reads_them(
        show in prop_oneof![Just(""), Just("away"), Just("chat"), Just("dnd"), Just("xa")],
        status in "[ -~é🍕]{0,20}",
        prio in -128i32..128,
        unavailable in any::<bool>(),
        payloads in proptest::collection::vec(payload(), 0..3),
    ) {
        let mut xml = String::from("<presence from='c1@bots.localhost/r&#48;'");
        if unavailable {
            xml.push_str(" type='unavailable'");
        }
        xml.push('>');
        if !show.is_empty() {
            xml.push_str(&format!("<show>{show}</show>"));
        }
        xml.push_str(&format!("<status>{}</status><priority>{prio}</priority>", esc(&status)));
        for p in payloads {
            xml.push_str(&p);
        }
        xml.push_str("</presence>");
        let fast = presence(xml.as_bytes(), "");
        prop_assert!(fast.is_some(), "declined {}", xml);
        prop_assert_eq!(comparable(fast), comparable(by_xso(&xml)), "{}", xml);
    }
}

#[test]
fn the_remembered_to_is_used_only_for_the_same_text() {
    let mut last = LastTo::default();
    let to = |xml: &str, last: &mut LastTo| {
        presence_to(xml.as_bytes(), "", last)
            .and_then(|p| p.to)
            .map(|j| j.to_string())
    };
    let a = "<presence to='alice@localhost/rosterm'/>";
    let b = "<presence to='alice@localhost/other'/>";
    assert_eq!(to(a, &mut last).as_deref(), Some("alice@localhost/rosterm"));
    assert_eq!(to(a, &mut last).as_deref(), Some("alice@localhost/rosterm"));
    assert_eq!(to(b, &mut last).as_deref(), Some("alice@localhost/other"));
    assert!(to("<presence to='@bad'/>", &mut last).is_none());
    assert_eq!(to(b, &mut last).as_deref(), Some("alice@localhost/other"));
}

#[test]
fn caps_survive_the_fast_lane() {
    let p = same(
        "<presence from='bob@localhost/phone' to='alice@localhost'>\
         <c xmlns='http://jabber.org/protocol/caps' hash='sha-1' \
         node='https://conversations.im' ver='ABC+/='/></presence>",
    );
    let from = jid::FullJid::new("bob@localhost/phone").expect("jid");
    let offer = crate::session::caps::read_offer(&p.payloads, &from).expect("an offer");
    assert_eq!(offer.query_node(), "https://conversations.im#ABC+/=");
}
