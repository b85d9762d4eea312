//! XEP-0115 caps in contacts' presence, rosterm's own disco#info and XEP-0202 time
//! answers, as a server delivers the stanzas.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::*;

/// 2026-12-03T10:00:00Z, when the stanzas arrive.
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_796_292_000)
}

fn run(xml: &str) -> Translated {
    super::translate_as_juliet(xml, None, &|_| false, now())
}

const CAPS: &str = "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' \
                    node='https://conversations.im' ver='ABC='/>";

fn xml_of(stanza: &Stanza) -> String {
    String::from_utf8(xso::to_vec(stanza).expect("writes")).expect("utf-8")
}

#[test]
fn caps_follow_the_presence_they_came_with() {
    let out = run(&format!(
        "<presence xmlns='jabber:client' from='romeo@example.net/orchard'>{CAPS}</presence>"
    ));
    assert!(matches!(out.events[0], SessionEvent::Presence { .. }));
    assert_eq!(
        out.events[1],
        SessionEvent::Caps {
            from: BareJid::new("romeo@example.net").unwrap(),
            resource: Some("orchard".into()),
            ver: "ABC=".into(),
        }
    );
    let offer = out.caps.expect("an offer for the session");
    assert_eq!(offer.from.as_str(), "romeo@example.net/orchard");
    assert_eq!(offer.query_node(), "https://conversations.im#ABC=");
}

#[test]
fn no_caps_from_a_bare_jid_an_unavailable_presence_or_this_session() {
    for xml in [
        format!("<presence xmlns='jabber:client' from='romeo@example.net'>{CAPS}</presence>"),
        format!(
            "<presence xmlns='jabber:client' from='romeo@example.net/orchard' \
             type='unavailable'>{CAPS}</presence>"
        ),
        format!(
            "<presence xmlns='jabber:client' from='juliet@example.com/balcony'>{CAPS}</presence>"
        ),
    ] {
        let out = run(&xml);
        assert!(out.caps.is_none(), "{xml}");
        assert!(
            !out.events
                .iter()
                .any(|e| matches!(e, SessionEvent::Caps { .. })),
            "{xml}"
        );
    }
}

#[test]
fn disco_info_is_answered_for_no_node_and_for_the_own_caps_node_only() {
    let ask = |node: &str| {
        run(&format!(
            "<iq xmlns='jabber:client' type='get' id='d1' from='romeo@example.net/orchard'>\
             <query xmlns='http://jabber.org/protocol/disco#info'{node}/></iq>"
        ))
        .reply
        .map(|r| xml_of(&r))
        .expect("an answer")
    };
    let plain = ask("");
    assert!(
        plain.contains("type=\"result\"") || plain.contains("type='result'"),
        "{plain}"
    );
    assert!(plain.contains("urn:xmpp:time"), "{plain}");
    let ours = format!(
        "{}#{}",
        crate::session::caps::NODE,
        crate::session::caps::own_ver()
    );
    let answer = ask(&format!(" node='{ours}'"));
    assert!(
        answer.contains(&ours),
        "the answer names the node: {answer}"
    );
    let other = ask(" node='http://example.org/other'");
    assert!(other.contains("item-not-found"), "{other}");
}

#[test]
fn a_version_query_is_answered_without_the_operating_system() {
    let out = run(
        "<iq xmlns='jabber:client' type='get' id='v1' from='romeo@example.net/orchard'>\
         <query xmlns='jabber:iq:version'/></iq>",
    );
    let xml = xml_of(&out.reply.expect("an answer"));
    assert!(xml.contains("<name>rosterm</name>"), "{xml}");
    assert!(xml.contains(env!("CARGO_PKG_VERSION")), "{xml}");
    assert!(!xml.contains("<os"), "{xml}");
}

#[test]
fn a_time_query_is_answered_in_utc_with_plus_zero_offset() {
    let out = run(
        "<iq xmlns='jabber:client' type='get' id='t1' from='romeo@example.net/orchard'>\
         <time xmlns='urn:xmpp:time'/></iq>",
    );
    let xml = xml_of(&out.reply.expect("an answer"));
    assert!(xml.contains("<tzo>+00:00</tzo>"), "{xml}");
    assert!(xml.contains("<utc>2026-12-03T10:00:00Z</utc>"), "{xml}");
}
