//! XEP-0319 idle in contacts' presence and XEP-0012 queries, as a server delivers them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::*;

/// 2026-12-03T10:00:00Z, when the stanzas arrive.
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_796_292_000)
}

fn run(xml: &str) -> Translated {
    super::translate_as_juliet(xml, None, &|_| false, now())
}

const FROM: &str = "from='romeo@example.net/orchard' to='juliet@example.com/balcony'";

#[test]
fn idle_follows_the_presence_it_came_with() {
    let out = run(&format!(
        "<presence xmlns='jabber:client' {FROM}><show>away</show>\
        <idle xmlns='urn:xmpp:idle:1' since='2026-12-03T09:35:00+00:00'/></presence>"
    ));
    assert_eq!(out.events.len(), 2, "{:?}", out.events);
    assert!(matches!(out.events[0], SessionEvent::Presence { .. }));
    assert_eq!(
        out.events[1],
        SessionEvent::Idle {
            from: BareJid::new("romeo@example.net").unwrap(),
            resource: Some("orchard".into()),
            since: now() - Duration::from_secs(25 * 60),
        }
    );
    // Z and other offsets mean the same instant.
    for since in ["2026-12-03T09:35:00Z", "2026-12-03T10:35:00+01:00"] {
        let out = run(&format!(
            "<presence xmlns='jabber:client' {FROM}>\
            <idle xmlns='urn:xmpp:idle:1' since='{since}'/></presence>"
        ));
        assert!(
            matches!(out.events[1], SessionEvent::Idle { since, .. } if since == now() - Duration::from_secs(1500)),
            "{since}: {:?}",
            out.events
        );
    }
}

#[test]
fn hostile_idle_is_no_idle_or_now() {
    for bad in ["yesterday", "2026-13-01T00:00:00Z", ""] {
        let out = run(&format!(
            "<presence xmlns='jabber:client' {FROM}>\
            <idle xmlns='urn:xmpp:idle:1' since='{bad}'/></presence>"
        ));
        assert_eq!(out.events.len(), 1, "{bad}: {:?}", out.events);
    }
    let out = run(&format!(
        "<presence xmlns='jabber:client' {FROM}>\
        <idle xmlns='urn:xmpp:idle:1' since='2999-01-01T00:00:00Z'/></presence>"
    ));
    assert!(
        matches!(out.events[1], SessionEvent::Idle { since, .. } if since == now()),
        "a future idle is now: {:?}",
        out.events
    );
    // Only with an available presence from someone else.
    let out = run(&format!(
        "<presence xmlns='jabber:client' type='unavailable' {FROM}>\
        <idle xmlns='urn:xmpp:idle:1' since='2026-12-03T09:35:00Z'/></presence>"
    ));
    assert_eq!(out.events.len(), 1, "{:?}", out.events);
    let out = run(
        "<presence xmlns='jabber:client' from='juliet@example.com/balcony'>\
        <idle xmlns='urn:xmpp:idle:1' since='2026-12-03T09:35:00Z'/></presence>",
    );
    assert!(
        matches!(out.events[..], [SessionEvent::OwnPresenceEcho { .. }]),
        "{:?}",
        out.events
    );
}

#[test]
fn a_last_activity_query_goes_to_the_app_unanswered() {
    let out = run(
        "<iq xmlns='jabber:client' type='get' id='l1' from='romeo@example.net/orchard'>\
        <query xmlns='jabber:iq:last'/></iq>",
    );
    assert!(out.reply.is_none());
    assert_eq!(
        out.events,
        vec![SessionEvent::LastActivityQuery {
            from: Some(Jid::new("romeo@example.net/orchard").unwrap()),
            id: "l1".into(),
        }]
    );
    // A set is no query.
    let out = run(
        "<iq xmlns='jabber:client' type='set' id='l2' from='romeo@example.net/orchard'>\
        <query xmlns='jabber:iq:last'/></iq>",
    );
    assert!(out.events.is_empty() && out.reply.is_some());
}

#[test]
fn disco_says_last_activity() {
    let out = run(
        "<iq xmlns='jabber:client' type='get' id='d1' from='romeo@example.net/orchard'>\
        <query xmlns='http://jabber.org/protocol/disco#info'/></iq>",
    );
    let Some(Stanza::Iq(Iq::Result {
        payload: Some(p), ..
    })) = out.reply
    else {
        panic!("{:?}", out.reply)
    };
    assert!(String::from(&p).contains("jabber:iq:last"));
}
