use std::time::{Duration, SystemTime};

use super::*;
use crate::domain::room::{Affiliation, Departure, JoinError, Occupant, Role, RoomEvent};
use crate::domain::{AccountId, ContactId, Direction, Show};
use crate::store::chat::{Arrival, Chats};
use crate::test_support::{incoming, jid};

fn room() -> ContactId {
    ContactId::new(AccountId(0), jid("dev@conf.example"))
}

fn occ(nick: &str, show: Show, status: &str, role: Role) -> RoomEvent {
    RoomEvent::Occupant(Occupant {
        nick: nick.into(),
        show,
        status: status.into(),
        role,
        affiliation: Affiliation::None,
        real_jid: None,
        caps: None,
    })
}

/// Seconds into a test that started an hour ago.
fn t(secs: u64) -> SystemTime {
    SystemTime::now() - Duration::from_secs(3600) + Duration::from_secs(secs)
}

/// A joined room with alice (the user), bob and carol present.
fn joined() -> Chats {
    let mut chats = Chats::default();
    assert!(chats.open_room(&room(), "alice", None));
    for e in [
        occ("bob", Show::Away, "lunch", Role::Participant),
        occ("carol", Show::Online, "", Role::Moderator),
        occ("alice", Show::Online, "", Role::Participant),
        RoomEvent::Joined {
            nick: "alice".into(),
        },
    ] {
        chats.room_event(&room(), e, t(0));
    }
    chats
}

fn notes(chats: &Chats) -> Vec<String> {
    chats
        .get(&room())
        .map(|c| {
            c.lines
                .iter()
                .filter(|l| l.note.is_some())
                .map(|l| l.message.body.clone())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_initial_list_is_one_present_line_not_a_burst_of_entered() {
    let chats = joined();
    assert_eq!(notes(&chats), ["You joined as alice; present: 3 occupants"]);
    let r = chats.room(&room()).unwrap();
    assert!(r.joined());
    let order: Vec<&str> = r.sorted().iter().map(|o| o.nick.as_str()).collect();
    // Moderators first, then by availability (online before away), then nick.
    assert_eq!(order, ["carol", "alice", "bob"]);
}

#[test]
fn entered_updated_and_left_use_the_presence_set_words() {
    let mut chats = joined();
    chats.room_event(
        &room(),
        occ("dave", Show::Dnd, "busy", Role::Visitor),
        t(10),
    );
    chats.room_event(
        &room(),
        occ("bob", Show::Online, "", Role::Participant),
        t(20),
    );
    chats.room_event(
        &room(),
        RoomEvent::Left {
            nick: "carol".into(),
            departure: Departure::Left,
            reason: "bye".into(),
            actor: None,
        },
        t(30),
    );
    assert_eq!(
        notes(&chats)[1..],
        [
            "dave entered as dnd “busy”",
            "bob updated: away “lunch” → online",
            "carol left: bye",
        ]
    );
    let r = chats.room(&room()).unwrap();
    assert!(!r.occupants.contains_key("carol"));
    assert_eq!(r.occupants.len(), 3);
}

#[test]
fn changes_close_together_are_merged_like_the_roster_timeline() {
    let mut chats = joined();
    chats.room_event(&room(), occ("bob", Show::Xa, "", Role::Participant), t(10));
    chats.room_event(&room(), occ("bob", Show::Dnd, "", Role::Participant), t(11));
    chats.room_event(
        &room(),
        occ("erin", Show::Online, "", Role::Participant),
        t(20),
    );
    chats.room_event(
        &room(),
        occ("erin", Show::Away, "", Role::Participant),
        t(21),
    );
    // A blink: entered and left within the debounce is nothing at all.
    chats.room_event(
        &room(),
        occ("fred", Show::Online, "", Role::Participant),
        t(30),
    );
    let gone = RoomEvent::Left {
        nick: "fred".into(),
        departure: Departure::Left,
        reason: String::new(),
        actor: None,
    };
    chats.room_event(&room(), gone, t(31));
    assert_eq!(
        notes(&chats)[1..],
        ["bob updated: away “lunch” → dnd", "erin entered as away"]
    );
}

#[test]
fn kicks_nick_changes_and_the_end_of_the_room_are_told() {
    let mut chats = joined();
    let kick = RoomEvent::Left {
        nick: "bob".into(),
        departure: Departure::Kicked,
        reason: "spam".into(),
        actor: Some("carol".into()),
    };
    chats.room_event(&room(), kick, t(10));
    chats.room_event(
        &room(),
        RoomEvent::NickChanged {
            old: "carol".into(),
            new: "caro".into(),
            own: false,
        },
        t(20),
    );
    let notice = chats.room_event(
        &room(),
        RoomEvent::SelfLeft {
            departure: Departure::Banned,
            reason: "enough".into(),
            actor: Some("caro".into()),
        },
        t(30),
    );
    assert_eq!(
        notes(&chats)[1..],
        [
            "bob was kicked by carol: spam",
            "carol is now known as caro",
            "You were banned by caro: enough",
        ]
    );
    assert_eq!(notice.as_deref(), Some("You were banned by caro: enough"));
    let r = chats.room(&room()).unwrap();
    assert!(r.occupants.is_empty());
    assert!(matches!(r.state, JoinState::Out(_)));
}

#[test]
fn a_failed_join_says_why_in_one_sentence_naming_the_room() {
    let mut chats = Chats::default();
    chats.open_room(&room(), "alice", None);
    let failed = RoomEvent::JoinFailed(JoinError::NickInUse {
        suggestion: "alice_".into(),
    });
    let notice = chats.room_event(&room(), failed, t(0));
    assert_eq!(
        notice.as_deref(),
        Some("That nick is taken in dev@conf.example; try /join dev@conf.example/alice_")
    );
}

#[test]
fn events_of_a_room_that_is_not_open_are_ignored() {
    let mut chats = Chats::default();
    let other = ContactId::new(AccountId(0), jid("other@conf.example"));
    assert_eq!(
        chats.room_event(&other, occ("x", Show::Online, "", Role::None), t(0)),
        None
    );
    assert!(chats.get(&other).is_none());
}

#[test]
fn mentions_are_words_and_counted_when_unread() {
    assert!(mentions("alice: look", "Alice"));
    assert!(mentions("hey @alice!", "alice"));
    assert!(!mentions("malice aforethought", "alice"));
    assert!(!mentions("alice_b is here", "alice"));
    let mut chats = joined();
    let mut m = incoming("dev@conf.example", "m1", "ping alice");
    m.resource = Some("bob".into());
    let (arrival, mention) = chats.receive_room(&room(), m.clone(), "alice", false);
    assert_eq!((arrival, mention), (Arrival::New { unread: true }, true));
    // The same message again (its archive copy) is not a second mention.
    let (arrival, _) = chats.receive_room(&room(), m, "alice", false);
    assert_eq!(arrival, Arrival::Duplicate);
    let r = chats.room(&room()).unwrap();
    assert_eq!(r.mentions, 1);
    // A room message never sets where replies go (that would make them private).
    assert_eq!(chats.get(&room()).unwrap().reply_to, None);
}

#[test]
fn the_own_message_and_its_reflection_are_one_line() {
    let mut chats = joined();
    let mut mine = incoming("dev@conf.example", "rosterm-1", "hello room");
    mine.direction = Direction::Out;
    chats.receive_room(&room(), mine.clone(), "alice", true);
    let mut reflected = mine;
    reflected.stanza_id = Some("room-sid-1".into());
    reflected.resource = Some("alice".into());
    let (arrival, _) = chats.receive_room(&room(), reflected, "alice", true);
    assert_eq!(arrival, Arrival::Duplicate);
    let c = chats.get(&room()).unwrap();
    let messages: Vec<_> = c.lines.iter().filter(|l| l.note.is_none()).collect();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].message.stanza_id.as_deref(), Some("room-sid-1"));
}
