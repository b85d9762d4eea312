//! The room archive (XEP-0313 at the room) against XML literals.

use std::time::{Duration, SystemTime};

use jid::{BareJid, Jid};
use xmpp_parsers::message::Message as XMessage;
use xmpp_parsers::minidom::Element;

use super::archive::{archived_message, result_of, Queries, RoomQuery};
use crate::domain::{Direction, Via};

fn room() -> BareJid {
    BareJid::new("coven@chat.shakespeare.lit").unwrap()
}

fn message(xml: &str) -> XMessage {
    let el: Element = xml.parse().unwrap();
    XMessage::try_from(el).unwrap()
}

/// A result of query `q1` from `from`, forwarding `inner` (type, sender).
fn result(from: &str, kind: &str, sender: &str) -> XMessage {
    message(&format!(
        "<message xmlns='jabber:client' from='{from}' to='hag@shakespeare.lit/pda'>\
         <result xmlns='urn:xmpp:mam:2' queryid='q1' id='room-sid-7'>\
         <forwarded xmlns='urn:xmpp:forward:0'>\
         <delay xmlns='urn:xmpp:delay' stamp='2026-12-03T07:10:00Z'/>\
         <message xmlns='jabber:client' type='{kind}' from='{sender}'>\
         <body>Thrice the brinded cat hath mew'd.\u{202e}</body></message></forwarded></result></message>"
    ))
}

fn open(queries: &mut Queries) {
    queries.insert(
        "q1".into(),
        RoomQuery {
            room: room(),
            scroll: false,
            count: 0,
            pages: 1,
        },
    );
}

#[test]
fn a_result_of_the_room_archive_is_a_room_message_with_the_room_stanza_id() {
    let m = result(
        "coven@chat.shakespeare.lit",
        "groupchat",
        "coven@chat.shakespeare.lit/firstwitch",
    );
    let (queryid, el) = result_of(&m).unwrap();
    assert_eq!(queryid, "q1");
    let now = SystemTime::now();
    let got = archived_message(el, &room(), "hag", now).unwrap();
    assert_eq!(got.peer, room());
    assert_eq!(got.resource.as_deref(), Some("firstwitch"));
    assert_eq!(got.direction, Direction::In);
    assert_eq!(got.via, Via::Archive);
    assert_eq!(got.stanza_id.as_deref(), Some("room-sid-7"));
    assert_eq!(got.body, "Thrice the brinded cat hath mew'd.");
    let stamp = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_281_800);
    assert_eq!(got.at, stamp);
    // The user's own, archived: outgoing.
    let own = result(
        "coven@chat.shakespeare.lit",
        "groupchat",
        "coven@chat.shakespeare.lit/hag",
    );
    let (_, el) = result_of(&own).unwrap();
    let got = archived_message(el, &room(), "hag", now).unwrap();
    assert_eq!(got.direction, Direction::Out);
}

#[test]
fn only_groupchat_messages_come_out_of_a_room_archive() {
    let m = result(
        "coven@chat.shakespeare.lit",
        "chat",
        "coven@chat.shakespeare.lit/firstwitch",
    );
    let (_, el) = result_of(&m).unwrap();
    assert!(archived_message(el, &room(), "hag", SystemTime::now()).is_none());
}

#[test]
fn a_room_archive_result_counts_only_from_the_room_bare_jid_for_an_open_query() {
    let mut queries = Queries::default();
    open(&mut queries);
    let from = |s: &str| Jid::new(s).unwrap();
    assert_eq!(
        queries.room_for("q1", Some(&from("coven@chat.shakespeare.lit"))),
        Some(&room())
    );
    for hostile in [
        "coven@chat.shakespeare.lit/firstwitch",
        "other@chat.shakespeare.lit",
        "hag@shakespeare.lit",
        "shakespeare.lit",
    ] {
        assert_eq!(
            queries.room_for("q1", Some(&from(hostile))),
            None,
            "{hostile}"
        );
    }
    assert_eq!(queries.room_for("q1", None), None);
    assert_eq!(
        queries.room_for("q2", Some(&from("coven@chat.shakespeare.lit"))),
        None
    );
    assert!(queries.remove("q1").is_some());
    assert_eq!(
        queries.room_for("q1", Some(&from("coven@chat.shakespeare.lit"))),
        None
    );
}
