//! Translation of real stanzas, written as the XML a server sends (RFC 6121 examples).

use super::*;
use crate::domain::Show;
use xmpp_parsers::minidom::Element;

fn own() -> BareJid {
    BareJid::new("juliet@example.com").unwrap()
}

fn run(xml: &str) -> Translated {
    super::translate_as_juliet(
        xml,
        Some("roster-1"),
        &|_| false,
        std::time::SystemTime::UNIX_EPOCH,
    )
}

fn one(xml: &str) -> SessionEvent {
    let mut out = run(xml);
    assert_eq!(out.events.len(), 1, "{xml} -> {:?}", out.events);
    out.events.remove(0)
}

fn jid(s: &str) -> BareJid {
    BareJid::new(s).unwrap()
}

#[test]
fn available_with_show_status_priority() {
    let ev = one("<presence xmlns='jabber:client' from='romeo@example.net/orchard' to='juliet@example.com/balcony'>\
        <show>dnd</show><status>Wooing Juliet</status><priority>1</priority></presence>");
    assert_eq!(
        ev,
        SessionEvent::Presence {
            from: jid("romeo@example.net"),
            resource: Some("orchard".into()),
            change: PresenceChange::Available {
                show: Show::Dnd,
                status: "Wooing Juliet".into(),
                priority: 1,
                nick: None,
                odd_show: None,
            }
        }
    );
}

#[test]
fn no_show_means_online_and_negative_priority_is_kept() {
    let ev = one("<presence xmlns='jabber:client' from='romeo@example.net/bot'><priority>-5</priority></presence>");
    assert!(matches!(
        ev,
        SessionEvent::Presence {
            change: PresenceChange::Available {
                show: Show::Online,
                priority: -5,
                ..
            },
            ..
        }
    ));
}

#[test]
fn every_show_value() {
    for (word, show) in [
        ("away", Show::Away),
        ("chat", Show::Chat),
        ("xa", Show::Xa),
        ("dnd", Show::Dnd),
    ] {
        let ev = one(&format!(
            "<presence xmlns='jabber:client' from='a@b/c'><show>{word}</show></presence>"
        ));
        assert!(
            matches!(ev, SessionEvent::Presence { change: PresenceChange::Available { show: s, .. }, .. } if s == show),
            "{word}"
        );
    }
}

#[test]
fn unavailable_with_show_is_still_unavailable() {
    // aparte treats this as available; RFC 6121 says type='unavailable' ends the resource.
    let ev = one(
        "<presence xmlns='jabber:client' type='unavailable' from='romeo@example.net/orchard'>\
        <show>chat</show><status>gone</status></presence>",
    );
    assert_eq!(
        ev,
        SessionEvent::Presence {
            from: jid("romeo@example.net"),
            resource: Some("orchard".into()),
            change: PresenceChange::Unavailable {
                status: "gone".into()
            }
        }
    );
}

#[test]
fn unavailable_from_bare_jid_has_no_resource() {
    let ev = one("<presence xmlns='jabber:client' type='unavailable' from='romeo@example.net'/>");
    assert_eq!(
        ev,
        SessionEvent::Presence {
            from: jid("romeo@example.net"),
            resource: None,
            change: PresenceChange::Unavailable {
                status: String::new()
            }
        }
    );
}

#[test]
fn error_presence_carries_the_condition() {
    let ev = one("<presence xmlns='jabber:client' type='error' from='mercutio@example.org'>\
        <error type='cancel'><remote-server-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>");
    assert_eq!(
        ev,
        SessionEvent::Presence {
            from: jid("mercutio@example.org"),
            resource: None,
            change: PresenceChange::Error {
                reason: "remote-server-not-found".into()
            }
        }
    );
}

#[test]
fn status_prefers_no_lang_then_any() {
    let ev = one("<presence xmlns='jabber:client' from='a@b/c'>\
        <status xml:lang='fr'>Absent</status><status>Away</status><status xml:lang='de'>Weg</status></presence>");
    assert!(
        matches!(ev, SessionEvent::Presence { change: PresenceChange::Available { ref status, .. }, .. } if status == "Away")
    );
    let ev = one("<presence xmlns='jabber:client' from='a@b/c'>\
        <status xml:lang='fr'>Absent</status><status xml:lang='de'>Weg</status></presence>");
    assert!(
        matches!(ev, SessionEvent::Presence { change: PresenceChange::Available { ref status, .. }, .. } if status == "Weg")
    );
}

#[test]
fn hostile_text_is_sanitized_here() {
    // XML 1.0 cannot carry ESC or BEL at all; C1 controls (CSI = U+009B), DEL, bidi overrides,
    // zero-width characters, CR/LF and tabs it can.
    let ev = one("<presence xmlns='jabber:client' from='a@b/c&#x200B;x'>\
        <status>hi&#x9b;31m&#x7f;&#x202E;!&#xD;&#xA;x</status><nick xmlns='http://jabber.org/protocol/nick'>N&#x9;ick</nick></presence>");
    let SessionEvent::Presence {
        resource,
        change: PresenceChange::Available { status, nick, .. },
        ..
    } = ev
    else {
        panic!("unexpected {ev:?}");
    };
    assert_eq!(resource.as_deref(), Some("cx"));
    assert_eq!(status, "hi\u{fffd}31m␡!␍⏎x");
    assert_eq!(nick.as_deref(), Some("N ick"));
}

#[test]
fn own_echo_and_own_other_resources() {
    let ev = one("<presence xmlns='jabber:client' from='juliet@example.com/balcony'><show>away</show><priority>3</priority></presence>");
    assert_eq!(
        ev,
        SessionEvent::OwnPresenceEcho {
            show: Show::Away,
            status: String::new(),
            priority: 3
        }
    );
    let ev = one("<presence xmlns='jabber:client' from='juliet@example.com/phone'><show>xa</show></presence>");
    assert!(
        matches!(ev, SessionEvent::Presence { ref from, resource: Some(ref r), .. } if *from == own() && r == "phone")
    );
    // Our own unavailable echo is not an event.
    assert!(run(
        "<presence xmlns='jabber:client' type='unavailable' from='juliet@example.com/balcony'/>"
    )
    .events
    .is_empty());
}

#[test]
fn subscribe_is_a_request_and_subscribed_changes_nothing() {
    let ev = one(
        "<presence xmlns='jabber:client' type='subscribe' from='nurse@example.com'>\
        <nick xmlns='http://jabber.org/protocol/nick'>Nurse</nick></presence>",
    );
    assert_eq!(
        ev,
        SessionEvent::SubscriptionRequest {
            from: jid("nurse@example.com"),
            nick: Some("Nurse".into())
        }
    );
    assert!(
        run("<presence xmlns='jabber:client' type='subscribed' from='nurse@example.com'/>")
            .events
            .is_empty()
    );
    assert!(
        run("<presence xmlns='jabber:client' type='unsubscribed' from='nurse@example.com'/>")
            .events
            .is_empty()
    );
    assert!(
        run("<presence xmlns='jabber:client' type='probe' from='nurse@example.com'/>")
            .events
            .is_empty()
    );
}

#[test]
fn roster_result_becomes_items() {
    let out = run("<iq xmlns='jabber:client' type='result' id='roster-1' to='juliet@example.com/balcony'>\
        <query xmlns='jabber:iq:roster' ver='ver11'>\
        <item jid='romeo@example.net' name='Romeo' subscription='both'><group>Friends</group><group>Lovers</group></item>\
        <item jid='mercutio@example.com' subscription='to'/>\
        <item jid='benvolio@example.net' subscription='none' ask='subscribe'/>\
        </query></iq>");
    assert!(out.roster_answered);
    let [SessionEvent::RosterReceived(items)] = out.events.as_slice() else {
        panic!("{:?}", out.events)
    };
    assert_eq!(items.len(), 3);
    assert_eq!(items[0].name.as_deref(), Some("Romeo"));
    assert_eq!(
        items[0].groups,
        vec!["Friends".to_owned(), "Lovers".to_owned()]
    );
    assert_eq!(items[0].subscription, Subscription::Both);
    assert_eq!(items[1].subscription, Subscription::To);
    assert!(items[2].pending_out);
}

#[test]
fn roster_versions_are_reported_and_an_empty_result_means_unchanged() {
    let out = run("<iq xmlns='jabber:client' type='result' id='roster-1'><query xmlns='jabber:iq:roster' ver='7'/></iq>");
    assert_eq!(out.roster_ver.as_deref(), Some("7"));
    let out = run("<iq xmlns='jabber:client' type='result' id='roster-1'/>");
    assert!(out.roster_answered);
    assert_eq!(out.events, vec![SessionEvent::RosterUnchanged]);
    let out = run("<iq xmlns='jabber:client' type='set' id='p'><query xmlns='jabber:iq:roster' ver='8'><item jid='a@b'/></query></iq>");
    assert_eq!(out.roster_ver.as_deref(), Some("8"));
}

#[test]
fn roster_push_from_server_is_applied_and_acknowledged() {
    for from in ["", " from='juliet@example.com'"] {
        let out = run(&format!("<iq xmlns='jabber:client' type='set' id='push1'{from}>\
            <query xmlns='jabber:iq:roster'><item jid='nurse@example.com' name='Nurse' subscription='none'/></query></iq>"));
        assert!(
            matches!(out.events.as_slice(), [SessionEvent::RosterPush(item)] if item.name.as_deref() == Some("Nurse"))
        );
        let reply = out.reply.expect("push is acknowledged");
        let xml = String::from(&Element::from(reply));
        assert!(
            xml.contains("type='result'") && xml.contains("id='push1'"),
            "{xml}"
        );
    }
    let out = run("<iq xmlns='jabber:client' type='set' id='push2'>\
        <query xmlns='jabber:iq:roster'><item jid='nurse@example.com' subscription='remove'/></query></iq>");
    assert_eq!(
        out.events,
        vec![SessionEvent::RosterRemove(jid("nurse@example.com"))]
    );
}

#[test]
fn spoofed_roster_push_is_ignored() {
    for from in [
        "mallory@evil.example",
        "juliet@example.com/balcony",
        "example.com",
    ] {
        let out = run(&format!("<iq xmlns='jabber:client' type='set' id='evil' from='{from}'>\
            <query xmlns='jabber:iq:roster'><item jid='mallory@evil.example' name='Trust me' subscription='both'/></query></iq>"));
        assert!(out.events.is_empty(), "push from {from} must be ignored");
        assert!(out.reply.is_none());
    }
}

#[test]
fn unknown_iq_gets_service_unavailable_and_ping_a_result() {
    let out = run("<iq xmlns='jabber:client' type='get' id='v1' from='romeo@example.net/orchard'><query xmlns='urn:example:unknown'/></iq>");
    let xml = String::from(&Element::from(out.reply.expect("answered")));
    assert!(
        xml.contains("type='error'")
            && xml.contains("service-unavailable")
            && xml.contains("to='romeo@example.net/orchard'"),
        "{xml}"
    );
    let out = run("<iq xmlns='jabber:client' type='get' id='p1' from='example.com'><ping xmlns='urn:xmpp:ping'/></iq>");
    let xml = String::from(&Element::from(out.reply.expect("answered")));
    assert!(
        xml.contains("type='result'") && xml.contains("id='p1'"),
        "{xml}"
    );
    // Results for unknown ids are not answered.
    assert!(run("<iq xmlns='jabber:client' type='result' id='nope'/>")
        .reply
        .is_none());
}

#[test]
fn roster_error_is_a_notice() {
    let out = run("<iq xmlns='jabber:client' type='error' id='roster-1'>\
        <error type='wait'><resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
    assert!(out.roster_answered);
    assert!(
        matches!(out.events.as_slice(), [SessionEvent::Notice(n)] if n.contains("resource-constraint"))
    );
}

#[test]
fn presence_without_from_is_from_the_own_account_and_changes_nothing() {
    // No 'from': the server speaking for the user's own bare JID; not a contact's presence.
    assert!(
        run("<presence xmlns='jabber:client'><show>dnd</show></presence>")
            .events
            .is_empty()
    );
    assert!(run("<presence xmlns='jabber:client' type='unavailable'/>")
        .events
        .iter()
        .all(|e| !matches!(e, SessionEvent::Presence { from, .. } if *from != own())));
}

#[test]
fn an_unparsable_jid_is_rejected_by_the_parser_not_a_panic() {
    // tokio-xmpp drops such a stanza before rosterm; the parser reports it as an error.
    for from in ["@@", "a@b/", "a@@b", "@example.org"] {
        let el: Element = format!("<presence xmlns='jabber:client' from='{from}'/>")
            .parse()
            .expect("well-formed XML");
        assert!(Stanza::try_from(el).is_err(), "{from} accepted");
    }
}

#[test]
fn a_roster_result_from_anyone_but_the_server_is_ignored() {
    // The id of a pending roster request is guessable; the answer must come from the server.
    let out = run("<iq xmlns='jabber:client' type='result' id='roster-1' from='mallory@evil.example/x'>\
        <query xmlns='jabber:iq:roster' ver='evil'><item jid='mallory@evil.example' name='Your bank' subscription='both'/></query></iq>");
    assert!(out.events.is_empty(), "{:?}", out.events);
    assert!(!out.roster_answered);
    assert_eq!(out.roster_ver, None);
    let out = run("<iq xmlns='jabber:client' type='error' id='roster-1' from='mallory@evil.example'>\
        <error type='cancel'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
    assert!(out.events.is_empty() && !out.roster_answered);
    // From the own bare JID (or with no 'from') it is the server's answer.
    let out = run("<iq xmlns='jabber:client' type='result' id='roster-1' from='juliet@example.com'><query xmlns='jabber:iq:roster'/></iq>");
    assert!(out.roster_answered);
}

#[test]
fn a_show_the_sieve_took_out_is_available_with_its_value() {
    let ev = one(
        "<presence xmlns='jabber:client' from='bob@example.net/pc'><status>hi</status>\
        <sieve xmlns='urn:x-rosterm:sieve' show='busy\u{202e}'/></presence>",
    );
    assert!(
        matches!(
            ev,
            SessionEvent::Presence {
                change: PresenceChange::Available { show: Show::Online, ref odd_show, .. },
                ..
            } if odd_show.as_deref() == Some("busy")
        ),
        "{ev:?}"
    );
}

#[test]
fn one_unreadable_roster_item_costs_only_itself() {
    let out = run("<iq xmlns='jabber:client' type='result' id='roster-1'>\
        <query xmlns='jabber:iq:roster' ver='v2'>\
        <item jid='romeo@example.net' name='Romeo' subscription='both'><group>Friends</group></item>\
        <item jid='bad@example.net' subscription='bogus'/>\
        <item jid='@@' subscription='both'/>\
        <item jid='📱fox@bots.example.net' name='Fox' subscription='both'/>\
        </query></iq>");
    assert_eq!(out.roster_ver.as_deref(), Some("v2"));
    let [SessionEvent::RosterReceived(items), SessionEvent::Notice(notice)] = out.events.as_slice()
    else {
        panic!("{:?}", out.events)
    };
    let names: Vec<_> = items.iter().map(|i| i.name.as_deref()).collect();
    assert_eq!(names, vec![Some("Romeo"), Some("Fox")]);
    assert!(notice.starts_with("2 roster item(s)"), "{notice}");
}

#[test]
fn a_bookmarks_event_counts_from_the_own_bare_jid_only() {
    let event = |from: &str| {
        format!(
            "<message xmlns='jabber:client' from='{from}' to='juliet@example.com/rosterm' type='headline'>\
             <event xmlns='http://jabber.org/protocol/pubsub#event'><items node='urn:xmpp:bookmarks:1'>\
             <item id='dev@conf.example'><conference xmlns='urn:xmpp:bookmarks:1' autojoin='true'/></item>\
             </items></event></message>"
        )
    };
    let own = run(&event(&own().to_string()));
    assert!(own.bookmarks_changed && own.events.is_empty(), "{own:?}");
    for other in ["bob@example.org", "juliet@example.com/phone", "example.org"] {
        let out = run(&event(other));
        assert!(!out.bookmarks_changed, "{other}");
        assert!(out.events.is_empty(), "{other}: {:?}", out.events);
    }
    // Another PEP node is not a bookmarks event.
    let mood = "<message xmlns='jabber:client' from='juliet@example.com'><event xmlns='http://jabber.org/protocol/pubsub#event'><items node='http://jabber.org/protocol/mood'/></event></message>";
    assert!(!run(mood).bookmarks_changed);
    assert!(own_disco()
        .features
        .iter()
        .any(|f| f == "urn:xmpp:bookmarks:1+notify"));
}
