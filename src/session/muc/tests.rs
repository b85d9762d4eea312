//! The room translation against XEP-0045 XML literals.

use std::time::{Duration, SystemTime};

use jid::BareJid;
use xmpp_parsers::message::Message as XMessage;
use xmpp_parsers::minidom::Element;
use xmpp_parsers::presence::Presence;

use super::read::{self, Change, Groupchat};
use crate::domain::room::{Affiliation, Departure, JoinError, Occupant, Role, RoomEvent};
use crate::domain::{Direction, Show, Via};

const MUC_USER: &str = "xmlns='http://jabber.org/protocol/muc#user'";

fn room() -> BareJid {
    BareJid::new("coven@chat.shakespeare.lit").unwrap()
}

fn presence(xml: &str) -> Presence {
    let el: Element = xml.parse().unwrap();
    Presence::try_from(el).unwrap()
}

fn message(xml: &str) -> XMessage {
    let el: Element = xml.parse().unwrap();
    XMessage::try_from(el).unwrap()
}

fn read_presence(xml: &str, joining: bool) -> read::Read {
    read::presence(&presence(xml), &room(), "hag", joining)
}

#[test]
fn occupants_then_the_self_presence_completes_the_join() {
    let r = read_presence(
        &format!("<presence xmlns='jabber:client' from='coven@chat.shakespeare.lit/firstwitch'>\
            <show>away</show><status>brewing</status>\
            <x {MUC_USER}><item affiliation='owner' role='moderator' jid='crone1@shakespeare.lit/desktop'/></x></presence>"),
        true,
    );
    assert_eq!(r.change, Change::Nothing);
    assert_eq!(
        r.events,
        [RoomEvent::Occupant(Occupant {
            nick: "firstwitch".into(),
            show: Show::Away,
            status: "brewing".into(),
            role: Role::Moderator,
            affiliation: Affiliation::Owner,
            real_jid: Some(jid::Jid::new("crone1@shakespeare.lit/desktop").unwrap()),
            caps: None,
        })]
    );
    // The room renamed the user (210): the self-presence says which nick it gave.
    let r = read_presence(
        &format!(
            "<presence xmlns='jabber:client' from='coven@chat.shakespeare.lit/thirdwitch'>\
            <x {MUC_USER}><item affiliation='member' role='participant'/>\
            <status code='110'/><status code='210'/><status code='170'/></x></presence>"
        ),
        true,
    );
    assert_eq!(r.change, Change::Joined("thirdwitch".into()));
    assert!(matches!(&r.events[0], RoomEvent::Occupant(o) if o.nick == "thirdwitch"));
    assert_eq!(
        r.events[1],
        RoomEvent::Joined {
            nick: "thirdwitch".into()
        }
    );
    // Once joined, the own presence is an update, not a second join.
    let r = read_presence(
        &format!(
            "<presence xmlns='jabber:client' from='coven@chat.shakespeare.lit/hag'>\
            <x {MUC_USER}><item role='participant'/><status code='110'/></x></presence>"
        ),
        false,
    );
    assert_eq!(r.change, Change::Nothing);
    assert_eq!(r.events.len(), 1);
}

#[test]
fn departures_kicks_and_nick_changes() {
    let r = read_presence(
        &format!("<presence xmlns='jabber:client' type='unavailable' from='coven@chat.shakespeare.lit/pistol'>\
            <x {MUC_USER}><item affiliation='none' role='none'><actor nick='Fluellen'/><reason>Avaunt</reason></item>\
            <status code='307'/></x></presence>"),
        false,
    );
    assert_eq!(
        r.events,
        [RoomEvent::Left {
            nick: "pistol".into(),
            departure: Departure::Kicked,
            reason: "Avaunt".into(),
            actor: Some("Fluellen".into()),
        }]
    );
    assert_eq!(r.change, Change::Nothing);
    let r = read_presence(
        &format!("<presence xmlns='jabber:client' type='unavailable' from='coven@chat.shakespeare.lit/hag'>\
            <x {MUC_USER}><item role='none'/><status code='301'/><status code='110'/></x></presence>"),
        false,
    );
    assert_eq!(r.change, Change::Gone);
    assert!(matches!(
        &r.events[0],
        RoomEvent::SelfLeft {
            departure: Departure::Banned,
            ..
        }
    ));
    let r = read_presence(
        "<presence xmlns='jabber:client' type='unavailable' from='coven@chat.shakespeare.lit/wiccarocks'>\
            <status>bye all</status></presence>",
        false,
    );
    assert!(
        matches!(&r.events[0], RoomEvent::Left { departure: Departure::Left, reason, .. } if reason == "bye all")
    );
    let r = read_presence(
        &format!("<presence xmlns='jabber:client' type='unavailable' from='coven@chat.shakespeare.lit/hag'>\
            <x {MUC_USER}><item nick='oldhag' role='participant'/><status code='303'/><status code='110'/></x></presence>"),
        false,
    );
    assert_eq!(r.change, Change::Nick("oldhag".into()));
    assert_eq!(
        r.events,
        [RoomEvent::NickChanged {
            old: "hag".into(),
            new: "oldhag".into(),
            own: true
        }]
    );
}

#[test]
fn destroy_points_at_the_alternate_room() {
    let r = read_presence(
        &format!("<presence xmlns='jabber:client' type='unavailable' from='coven@chat.shakespeare.lit/hag'>\
            <x {MUC_USER}><item role='none' affiliation='none'/>\
            <destroy jid='coven@chat.shakespeare.lit.new'><reason>Macbeth doth come.</reason></destroy></x></presence>"),
        false,
    );
    assert_eq!(r.change, Change::Gone);
    assert_eq!(
        r.events,
        [RoomEvent::Destroyed {
            reason: "Macbeth doth come.".into(),
            alternate: Some(BareJid::new("coven@chat.shakespeare.lit.new").unwrap()),
        }]
    );
}

#[test]
fn join_errors_are_typed() {
    let cases = [
        ("not-authorized", "auth", JoinError::PasswordRequired),
        ("forbidden", "auth", JoinError::Banned),
        (
            "conflict",
            "cancel",
            JoinError::NickInUse {
                suggestion: "hag_".into(),
            },
        ),
        ("item-not-found", "cancel", JoinError::NotFound),
        ("registration-required", "auth", JoinError::MembersOnly),
        (
            "service-unavailable",
            "wait",
            JoinError::Other("service-unavailable".into()),
        ),
    ];
    for (condition, type_, expected) in cases {
        let r = read_presence(
            &format!("<presence xmlns='jabber:client' type='error' from='coven@chat.shakespeare.lit/hag'>\
                <error type='{type_}'><{condition} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>"),
            true,
        );
        assert_eq!(r.events, [RoomEvent::JoinFailed(expected)], "{condition}");
        assert_eq!(r.change, Change::Gone);
    }
    // Joined already: a refused nick change is a notice, the room stays.
    let r = read_presence(
        "<presence xmlns='jabber:client' type='error' from='coven@chat.shakespeare.lit/taken'>\
            <error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>",
        false,
    );
    assert!(r.events.is_empty());
    assert!(matches!(r.change, Change::Refused(t) if t.contains("conflict")));
}

fn groupchat(xml: &str, now: SystemTime) -> Option<Groupchat> {
    read::groupchat(&message(xml), &room(), "hag", now)
}

#[test]
fn room_messages_their_ids_delay_and_reflection() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000_000);
    let Some(Groupchat::Message(m)) = groupchat(
        "<message xmlns='jabber:client' type='groupchat' id='m1' from='coven@chat.shakespeare.lit/hag'>\
            <body>Thrice the brinded cat hath mew'd.</body>\
            <origin-id xmlns='urn:xmpp:sid:0' id='o1'/>\
            <stanza-id xmlns='urn:xmpp:sid:0' by='hag@shakespeare.lit' id='forged'/>\
            <stanza-id xmlns='urn:xmpp:sid:0' by='coven@chat.shakespeare.lit' id='s1'/></message>",
        now,
    ) else {
        panic!("a message")
    };
    assert_eq!(m.peer, room());
    assert_eq!(m.resource.as_deref(), Some("hag"));
    assert_eq!(m.direction, Direction::Out, "our nick: the reflection");
    assert_eq!(
        (m.id.as_deref(), m.origin_id.as_deref()),
        (Some("m1"), Some("o1"))
    );
    assert_eq!(
        m.stanza_id.as_deref(),
        Some("s1"),
        "only the room's stanza-id"
    );
    assert_eq!((m.via, m.at), (Via::Live, now));
    let Some(Groupchat::Message(m)) = groupchat(
        "<message xmlns='jabber:client' type='groupchat' from='coven@chat.shakespeare.lit/firstwitch'>\
            <body>Thrice and once\u{202e} the hedge-pig whined.</body>\
            <delay xmlns='urn:xmpp:delay' stamp='2002-10-13T23:58:37Z'/></message>",
        now,
    ) else {
        panic!("a message")
    };
    assert_eq!(m.direction, Direction::In);
    assert_eq!(m.via, Via::Offline, "history is marked as delayed chat is");
    assert_eq!(
        m.at,
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_034_553_517)
    );
    assert!(!m.body.contains('\u{202e}'), "sanitized");
    let Some(Groupchat::Message(m)) = groupchat(
        "<message xmlns='jabber:client' type='groupchat' from='coven@chat.shakespeare.lit/x'>\
            <body>from the future</body><delay xmlns='urn:xmpp:delay' stamp='2300-01-01T00:00:00Z'/></message>",
        now,
    ) else {
        panic!("a message")
    };
    assert_eq!(m.at, now, "a future stamp is clamped");
}

#[test]
fn subject_alone_is_the_subject() {
    let s = groupchat(
        "<message xmlns='jabber:client' type='groupchat' from='coven@chat.shakespeare.lit/wiccarocks'>\
            <subject>Fire Burn and Cauldron Bubble!</subject></message>",
        SystemTime::now(),
    );
    assert_eq!(
        s,
        Some(Groupchat::Subject {
            text: "Fire Burn and Cauldron Bubble!".into(),
            by: Some("wiccarocks".into()),
        })
    );
    let s = groupchat(
        "<message xmlns='jabber:client' type='groupchat' from='coven@chat.shakespeare.lit'><subject/></message>",
        SystemTime::now(),
    );
    assert_eq!(
        s,
        Some(Groupchat::Subject {
            text: String::new(),
            by: None
        })
    );
    let none = groupchat(
        "<message xmlns='jabber:client' type='groupchat' from='coven@chat.shakespeare.lit/x'>\
            <composing xmlns='http://jabber.org/protocol/chatstates'/></message>",
        SystemTime::now(),
    );
    assert_eq!(none, None);
}

#[test]
fn rooms_drop_history_duplicates_and_ask_for_history_since_the_newest() {
    let mut rooms = super::Rooms::default();
    rooms.join(room(), "hag".into(), None, (Some("s0".into()), None));
    let r = rooms.get_mut(&room()).unwrap();
    assert_eq!(r.history(), super::build::History::Recent);
    assert!(!r.saw(Some("s0"), SystemTime::now()), "the app has it");
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
    assert!(r.saw(Some("s1"), at));
    assert!(!r.saw(Some("s1"), at));
    assert_eq!(r.after(), Some("s1"));
    assert_eq!(
        r.history(),
        super::build::History::Since(at - super::HISTORY_MARGIN)
    );
}

#[test]
fn stanzas_to_rooms() {
    use super::build::*;
    let to = occupant_jid(&room(), "hag").unwrap();
    let own = crate::domain::OwnPresence {
        show: Show::Dnd,
        status: "busy".into(),
        priority: 5,
    };
    let xml = |el: Element| String::from(&el);
    let s = xml(build_join(&to, &own, None, Some("cauldronburn"), History::Recent).into());
    for part in [
        "to='coven@chat.shakespeare.lit/hag'",
        "<show>dnd</show>",
        "<status>busy</status>",
        "<x xmlns='http://jabber.org/protocol/muc'>",
        "<history maxstanzas='50'/>",
        "<password>cauldronburn</password>",
        // XEP-0115: the room's occupants see rosterm's device too.
        "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://rosterm.invalid/caps'",
    ] {
        assert!(s.contains(part), "{part} missing in {s}");
    }
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_034_553_517);
    let s = xml(build_join(&to, &own, None, None, History::Since(at)).into());
    assert!(s.contains("<history since='2002-10-13T23:58:37"), "{s}");
    let s = xml(build_leave(&to, Some("gone fishing")).into());
    assert!(
        s.contains("type='unavailable'") && s.contains("<status>gone fishing</status>"),
        "{s}"
    );
    let out = crate::domain::Outgoing {
        to: jid::Jid::from(room()),
        id: "m-1".into(),
        body: "hi".into(),
        replaces: None,
        receipts_and_states: true,
        at: SystemTime::UNIX_EPOCH,
    };
    let s = xml(build_groupchat(&out).into());
    for part in [
        "type='groupchat'",
        "id='m-1'",
        "<origin-id xmlns='urn:xmpp:sid:0' id='m-1'/>",
    ] {
        assert!(s.contains(part), "{part} missing in {s}");
    }
    assert!(!s.contains("receipts"), "no receipts in rooms: {s}");
    let s = xml(build_subject(&room(), "s-1", "new topic").into());
    assert!(
        s.contains("<subject>new topic</subject>") && !s.contains("<body"),
        "{s}"
    );
    assert_eq!(occupant_jid(&room(), ""), None);
}

#[test]
fn a_reflection_is_matched_once_by_id_or_origin_id() {
    let mut rooms = super::Rooms::default();
    rooms.join(room(), "hag".into(), None, (None, None));
    let r = rooms.get_mut(&room()).unwrap();
    r.sending("a-1".into());
    r.sending("a-2".into());
    assert_eq!(r.reflected(["other", "a-2"]), Some("a-2".into()));
    assert_eq!(r.reflected(["a-2"]), None, "once");
    assert_eq!(r.take_unreflected(), ["a-1"]);
}

#[test]
fn only_a_plain_goodbye_is_swallowed_after_offline() {
    let goodbye = |xml: &str| read::plain_goodbye(&presence(xml), "hag");
    assert!(goodbye(&format!(
        "<presence xmlns='jabber:client' type='unavailable' from='coven@chat.shakespeare.lit/hag'>\
            <x {MUC_USER}><item role='none'/><status code='110'/></x></presence>"
    )));
    assert!(!goodbye(&format!(
        "<presence xmlns='jabber:client' type='unavailable' from='coven@chat.shakespeare.lit/hag'>\
            <x {MUC_USER}><item role='none'/><status code='307'/><status code='110'/></x></presence>"
    )));
    assert!(!goodbye(
        "<presence xmlns='jabber:client' type='unavailable' from='coven@chat.shakespeare.lit/other'/>"
    ));
    assert!(!goodbye(
        "<presence xmlns='jabber:client' from='coven@chat.shakespeare.lit/hag'/>"
    ));
}

#[test]
fn an_occupants_caps_ver_is_kept_when_it_is_one() {
    let with = |c: &str| {
        read_presence(
            &format!(
                "<presence xmlns='jabber:client' from='coven@chat.shakespeare.lit/secondwitch'>\
                <x {MUC_USER}><item affiliation='member' role='participant'/></x>{c}</presence>"
            ),
            false,
        )
    };
    let caps = |r: &read::Read| match &r.events[0] {
        RoomEvent::Occupant(o) => o.caps.clone(),
        other => panic!("{other:?}"),
    };
    let c = "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/>";
    assert_eq!(
        caps(&with(c)).as_deref(),
        Some("QgayPKawpkPSDYmwT/WM94uAlu0=")
    );
    assert_eq!(caps(&with("")), None);
    let empty = "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver=''/>";
    assert_eq!(caps(&with(empty)), None);
    let long = format!(
        "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='{}'/>",
        "v".repeat(500)
    );
    assert_eq!(caps(&with(&long)), None, "never an unbounded key");
}

#[test]
fn a_self_presence_not_carrying_the_join_presence_is_stale() {
    let self_presence = |show: &str, status: &str| {
        read_presence(
            &format!("<presence xmlns='jabber:client' from='coven@chat.shakespeare.lit/hag'>{show}\
                <status>{status}</status><x {MUC_USER}><item affiliation='member' role='participant'/>\
                <status code='110'/></x></presence>"),
            true,
        )
    };
    let sent = crate::domain::OwnPresence {
        show: Show::Chat,
        status: "back".into(),
        priority: 3,
    };
    let away = self_presence("<show>away</show>", "at lunch");
    assert!(matches!(away.change, Change::Joined(_)));
    assert!(
        read::stale_self(&away, Some(&sent)),
        "the away from before /offline"
    );
    let join = self_presence("<show>chat</show>", "back");
    assert!(!read::stale_self(&join, Some(&sent)), "the join itself");
    assert!(!read::stale_self(&away, None), "nothing known: never stale");
    // Not a join at all: nothing to judge.
    let other = read_presence(
        &format!(
            "<presence xmlns='jabber:client' from='coven@chat.shakespeare.lit/crone'>\
            <x {MUC_USER}><item affiliation='member' role='participant'/></x></presence>"
        ),
        true,
    );
    assert!(!read::stale_self(&other, Some(&sent)));
}

#[test]
fn after_a_restart_the_join_history_starts_at_the_newest_message_on_disk() {
    let mut rooms = super::Rooms::default();
    let on_disk = SystemTime::UNIX_EPOCH + Duration::from_secs(2_000_000);
    rooms.join(
        room(),
        "hag".into(),
        None,
        (Some("s9".into()), Some(on_disk)),
    );
    let r = rooms.get_mut(&room()).unwrap();
    assert_eq!(
        r.history(),
        super::build::History::Since(on_disk - super::HISTORY_MARGIN),
        "not the room's recent 50, most of which are on disk"
    );
    // A newer message seen in this run moves it on; an older cursor never moves it back.
    let later = on_disk + Duration::from_secs(30);
    assert!(r.saw(Some("s10"), later));
    rooms.join(
        room(),
        "hag".into(),
        None,
        (Some("s9".into()), Some(on_disk)),
    );
    let r = rooms.get_mut(&room()).unwrap();
    assert_eq!(
        r.history(),
        super::build::History::Since(later - super::HISTORY_MARGIN)
    );
}
