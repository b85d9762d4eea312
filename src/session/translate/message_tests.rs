//! `<message>` translation, written as the XML a server sends (RFC 6121, XEP-0280, -0313,
//! -0184, -0085, -0308, -0359, -0203 examples), including the hostile senders.

use std::time::{Duration, SystemTime};

use jid::BareJid;

use super::super::Translated;
use crate::domain::{ChatState, Delivery, Direction, Message, Via};
use crate::event::SessionEvent;

const NOW: Duration = Duration::from_secs(1_700_000_000);

fn run(xml: &str) -> Translated {
    crate::session::translate::translate_as_juliet(
        xml,
        None,
        &|q| q == "q1",
        SystemTime::UNIX_EPOCH + NOW,
    )
}

fn messages(out: &Translated) -> Vec<&Message> {
    out.events
        .iter()
        .filter_map(|e| match e {
            SessionEvent::Message(m) => Some(m),
            _ => None,
        })
        .collect()
}

fn one_message(xml: &str) -> Message {
    let out = run(xml);
    let all = messages(&out);
    assert_eq!(all.len(), 1, "{xml} -> {:?}", out.events);
    all[0].clone()
}

fn jid(s: &str) -> BareJid {
    BareJid::new(s).unwrap()
}

#[test]
fn a_chat_message_with_every_id() {
    let m = one_message(
        "<message xmlns='jabber:client' type='chat' id='m1' from='romeo@example.net/orchard' to='juliet@example.com/balcony'>\
         <body>Art thou not Romeo?</body>\
         <origin-id xmlns='urn:xmpp:sid:0' id='o1'/>\
         <stanza-id xmlns='urn:xmpp:sid:0' id='s1' by='juliet@example.com'/>\
         <request xmlns='urn:xmpp:receipts'/></message>",
    );
    assert_eq!(
        m,
        Message {
            peer: jid("romeo@example.net"),
            resource: Some("orchard".into()),
            direction: Direction::In,
            body: "Art thou not Romeo?".into(),
            id: Some("m1".into()),
            origin_id: Some("o1".into()),
            stanza_id: Some("s1".into()),
            at: SystemTime::UNIX_EPOCH + NOW,
            replaces: None,
            wants_receipt: true,
            via: Via::Live,
        }
    );
}

#[test]
fn normal_and_untyped_messages_are_chat_too_and_headlines_never_want_receipts() {
    for type_ in ["type='normal'", "", "type='headline'"] {
        let m = one_message(&format!(
            "<message xmlns='jabber:client' {type_} id='x' from='romeo@example.net'>\
             <body>hi</body><request xmlns='urn:xmpp:receipts'/></message>"
        ));
        assert_eq!((m.body.as_str(), m.resource.as_deref()), ("hi", None));
        assert_eq!(m.wants_receipt, type_ != "type='headline'", "{type_}");
    }
}

#[test]
fn a_stanza_id_by_anyone_but_the_own_account_is_ignored() {
    for by in [
        "romeo@example.net",
        "juliet@example.com/balcony",
        "example.com",
        "",
    ] {
        let m = one_message(&format!(
            "<message xmlns='jabber:client' type='chat' from='romeo@example.net/o'><body>x</body>\
             <stanza-id xmlns='urn:xmpp:sid:0' id='forged' by='{by}'/></message>"
        ));
        assert_eq!(m.stanza_id, None, "by='{by}'");
    }
}

#[test]
fn a_delayed_message_is_offline_storage_with_its_stamp() {
    let m = one_message(
        "<message xmlns='jabber:client' type='chat' from='romeo@example.net/o'><body>late</body>\
         <delay xmlns='urn:xmpp:delay' from='example.com' stamp='2002-09-10T23:08:25Z'/></message>",
    );
    assert_eq!(m.via, Via::Offline);
    assert_eq!(
        m.at,
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_031_699_305)
    );
}

#[test]
fn hostile_body_and_resource_are_sanitized_and_newlines_kept() {
    let m = one_message(
        "<message xmlns='jabber:client' type='chat' from='romeo@example.net/o&#x202E;x'>\
         <body>line one\r\nline&#x9b;2J two&#x200B;</body></message>",
    );
    assert_eq!(m.body.lines().count(), 2, "{:?}", m.body);
    assert!(!m.body.contains('\u{9b}') && !m.body.contains('\u{200B}'));
    assert!(!m.resource.unwrap().contains('\u{202E}'));
}

#[test]
fn chat_states_alone_and_with_a_body() {
    let out = run(
        "<message xmlns='jabber:client' type='chat' from='romeo@example.net/o'>\
        <composing xmlns='http://jabber.org/protocol/chatstates'/></message>",
    );
    assert_eq!(
        out.events,
        vec![SessionEvent::ChatState {
            peer: jid("romeo@example.net"),
            resource: Some("o".into()),
            state: ChatState::Composing,
        }]
    );
    let out = run(
        "<message xmlns='jabber:client' type='chat' from='romeo@example.net/o'>\
        <body>done</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>",
    );
    assert_eq!(out.events.len(), 2, "{:?}", out.events);
    assert!(matches!(out.events[0], SessionEvent::Message(_)));
    assert!(matches!(
        out.events[1],
        SessionEvent::ChatState {
            state: ChatState::Active,
            ..
        }
    ));
}

#[test]
fn a_receipt_marks_that_message_delivered_and_a_correction_names_the_original() {
    let out = run(
        "<message xmlns='jabber:client' from='romeo@example.net/o' id='r9'>\
        <received xmlns='urn:xmpp:receipts' id='m1'/></message>",
    );
    assert_eq!(
        out.events,
        vec![SessionEvent::Delivery {
            peer: jid("romeo@example.net"),
            id: "m1".into(),
            delivery: Delivery::Delivered,
        }]
    );
    let m = one_message(
        "<message xmlns='jabber:client' type='chat' id='m2' from='romeo@example.net/o'>\
         <body>fixed</body><replace xmlns='urn:xmpp:message-correct:0' id='m1'/></message>",
    );
    assert_eq!(m.replaces.as_deref(), Some("m1"));
}

#[test]
fn a_message_error_fails_that_message_with_its_reason() {
    let out = run(
        "<message xmlns='jabber:client' type='error' id='m1' from='nobody@example.com'>\
        <error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
        <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>User not found</text></error></message>",
    );
    assert_eq!(
        out.events,
        vec![SessionEvent::Delivery {
            peer: jid("nobody@example.com"),
            id: "m1".into(),
            delivery: Delivery::Failed("service-unavailable (User not found)".into()),
        }]
    );
}

#[test]
fn groupchat_waits_for_rooms() {
    let out = run(
        "<message xmlns='jabber:client' type='groupchat' from='room@muc.example.com/n'>\
        <body>hello room</body></message>",
    );
    assert!(out.events.is_empty(), "{:?}", out.events);
}

fn carbon(from: &str, kind: &str, inner: &str) -> String {
    format!(
        "<message xmlns='jabber:client' from='{from}' to='juliet@example.com/balcony'>\
         <{kind} xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'>{inner}</forwarded></{kind}></message>"
    )
}

const SENT_INNER: &str = "<message xmlns='jabber:client' type='chat' id='c1' \
    from='juliet@example.com/phone' to='romeo@example.net/orchard'><body>from my phone</body>\
    <origin-id xmlns='urn:xmpp:sid:0' id='o-c1'/></message>";
const RECEIVED_INNER: &str = "<message xmlns='jabber:client' type='chat' id='c2' \
    from='romeo@example.net/orchard' to='juliet@example.com/phone'><body>to your phone</body>\
    <composing xmlns='http://jabber.org/protocol/chatstates'/>\
    <request xmlns='urn:xmpp:receipts'/></message>";

#[test]
fn carbons_from_the_own_account_are_shown_in_the_right_conversation() {
    let m = one_message(&carbon("juliet@example.com", "sent", SENT_INNER));
    assert_eq!(
        (&m.peer, m.resource.as_deref(), m.direction, m.via),
        (
            &jid("romeo@example.net"),
            Some("orchard"),
            Direction::Out,
            Via::Carbon
        )
    );
    assert_eq!(
        (m.body.as_str(), m.origin_id.as_deref()),
        ("from my phone", Some("o-c1"))
    );
    let out = run(&carbon("juliet@example.com", "received", RECEIVED_INNER));
    let m = messages(&out)[0];
    assert_eq!(
        (&m.peer, m.direction, m.via, m.body.as_str()),
        (
            &jid("romeo@example.net"),
            Direction::In,
            Via::Carbon,
            "to your phone"
        )
    );
    assert!(
        !m.wants_receipt,
        "the phone it was sent to answers, not this client"
    );
    assert!(out.events.iter().any(|e| matches!(
        e,
        SessionEvent::ChatState {
            state: ChatState::Composing,
            ..
        }
    )));
}

#[test]
fn a_carbon_from_anyone_but_the_own_bare_jid_is_dropped() {
    // CVE-2017-5589: a contact wraps a message "from juliet's phone" in a carbon.
    for from in [
        "romeo@example.net",
        "romeo@example.net/orchard",
        "juliet@example.com/phone",
        "juliet@example.com/balcony",
        "example.com",
        "evil.example",
    ] {
        for (kind, inner) in [("sent", SENT_INNER), ("received", RECEIVED_INNER)] {
            let out = run(&carbon(from, kind, inner));
            assert!(
                out.events.is_empty(),
                "{kind} carbon from {from}: {:?}",
                out.events
            );
        }
    }
}

fn result(from: &str, queryid: &str) -> String {
    format!(
        "<message xmlns='jabber:client' {from} to='juliet@example.com/balcony'>\
         <result xmlns='urn:xmpp:mam:2' queryid='{queryid}' id='arch-7'>\
         <forwarded xmlns='urn:xmpp:forward:0'>\
         <delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>\
         <message xmlns='jabber:client' type='chat' id='a1' from='juliet@example.com/phone' to='romeo@example.net'>\
         <body>archived</body></message></forwarded></result></message>"
    )
}

#[test]
fn an_archive_result_for_an_open_query_from_the_own_archive() {
    for from in ["", "from='juliet@example.com'"] {
        let out = run(&result(from, "q1"));
        assert_eq!(out.archived.as_deref(), Some("q1"));
        let m = messages(&out)[0];
        assert_eq!(
            (&m.peer, m.direction, m.via, m.stanza_id.as_deref()),
            (
                &jid("romeo@example.net"),
                Direction::Out,
                Via::Archive,
                Some("arch-7")
            )
        );
        assert_eq!(
            m.at,
            SystemTime::UNIX_EPOCH + Duration::from_secs(1_278_803_305)
        );
    }
}

#[test]
fn an_archive_result_from_anyone_else_or_for_another_query_is_dropped() {
    for (from, q) in [
        ("from='romeo@example.net'", "q1"),
        ("from='romeo@example.net/orchard'", "q1"),
        ("from='juliet@example.com/phone'", "q1"),
        ("from='example.com'", "q1"),
        ("", "q2"),
        ("from='juliet@example.com'", ""),
    ] {
        let out = run(&result(from, q));
        assert!(
            out.events.is_empty() && out.archived.is_none(),
            "{from} {q}: {:?}",
            out.events
        );
    }
}
