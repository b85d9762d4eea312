//! Private messages via a room, the join history, and scroll-back into a room's archive.

use super::*;
use crate::domain::{Direction, Via};
use crate::event::SessionEvent;
use crate::keymap::Keymap;
use crate::store::chat::Older;
use crate::store::Focus;
use crate::test_support::{code, incoming, jid, key, mixed_state, render, text};
use crate::update::{on_key, on_session, run_command};

fn dev() -> ContactId {
    ContactId::new(AccountId(0), jid("dev@conf.example"))
}

fn bob_via_dev() -> ContactId {
    ContactId::occupant(AccountId(0), jid("dev@conf.example"), "bob".into())
}

fn joined() -> State {
    let mut s = mixed_state();
    let cmd = crate::command::parse("/join dev@conf.example/ally").unwrap();
    run_command(&mut s, cmd);
    let done = SessionEvent::Room {
        room: jid("dev@conf.example"),
        event: crate::domain::room::RoomEvent::Joined {
            nick: "ally".into(),
        },
    };
    on_session(&mut s, AccountId(0), done);
    s
}

fn from_bob(id: &str, body: &str) -> crate::domain::Message {
    let mut m = incoming("dev@conf.example", id, body);
    m.resource = Some("bob".into());
    m
}

#[test]
fn a_private_message_via_a_room_has_its_own_conversation_and_replies_go_to_the_occupant() {
    let mut s = joined();
    s.ui.focus = Focus::Roster;
    let effects = on_session(
        &mut s,
        AccountId(0),
        SessionEvent::Message(from_bob("p1", "psst")),
    );
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::Send(_, Command::SendReceipt { .. }))),
        "no receipts to an occupant: {effects:?}"
    );
    let pm = s.chats.get(&bob_via_dev()).expect("its own conversation");
    assert_eq!(pm.unread, 1);
    assert!(pm.room.is_none() && !pm.stranger);
    assert_eq!(pm.reply_target().to_string(), "dev@conf.example/bob");
    let room = s.chats.get(&dev()).unwrap();
    assert!(
        room.lines.iter().all(|l| l.message.body != "psst"),
        "not in the room pane"
    );

    s.ui.focus = Focus::Chat(bob_via_dev());
    let keymap = Keymap::default();
    for c in "hi".chars() {
        on_key(&mut s, &keymap, key(c));
    }
    let effects = on_key(&mut s, &keymap, code(crossterm::event::KeyCode::Enter));
    let sent = effects.iter().find_map(|e| match e {
        Effect::Send(_, Command::SendMessage(out)) => Some(out),
        _ => None,
    });
    let out = sent.expect("a chat message");
    assert_eq!(out.to.to_string(), "dev@conf.example/bob");
    // Its delivery, named by the session with the room's bare JID, finds the line.
    let id = out.id.clone();
    on_session(
        &mut s,
        AccountId(0),
        SessionEvent::Delivery {
            peer: jid("dev@conf.example"),
            id,
            delivery: crate::domain::Delivery::Sent,
        },
    );
    let pm = s.chats.get(&bob_via_dev()).unwrap();
    let line = pm.lines.iter().find(|l| l.message.body == "hi").unwrap();
    assert_eq!(line.delivery, Some(crate::domain::Delivery::Sent));

    let screen = text(&render(&mut s, 150, 20));
    assert!(
        screen.contains("bob  private message via the room dev@conf.example"),
        "{screen}"
    );
    assert!(screen.contains("dev/bob"), "the tab: {screen}");
    assert!(screen.contains("bob: psst"), "{screen}");
}

#[test]
fn without_the_room_open_a_message_from_its_jid_stays_a_plain_conversation() {
    let mut s = mixed_state();
    on_session(
        &mut s,
        AccountId(0),
        SessionEvent::Message(from_bob("p1", "psst")),
    );
    assert!(s.chats.get(&dev()).is_some());
    assert!(s.chats.get(&bob_via_dev()).is_none());
}

#[test]
fn join_history_never_rings_and_only_what_is_new_is_unread() {
    let mut s = joined();
    s.ui.focus = Focus::Roster;
    let mut old = from_bob("h1", "ally: earlier");
    old.via = Via::Offline;
    old.stanza_id = Some("s1".into());
    let effects = on_session(&mut s, AccountId(0), SessionEvent::RoomMessage(old.clone()));
    assert!(effects.is_empty(), "{effects:?}");
    let chat = s.chats.get(&dev()).unwrap();
    assert_eq!((chat.unread, chat.room.as_ref().unwrap().mentions), (1, 0));
    // The same message again (join history after the archive, a second join): nothing.
    let effects = on_session(&mut s, AccountId(0), SessionEvent::RoomMessage(old));
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(s.chats.get(&dev()).unwrap().unread, 1);
    // Archived, from before what is shown: not news either.
    let mut older = from_bob("h0", "ally: long ago");
    older.via = Via::Archive;
    older.stanza_id = Some("s0".into());
    older.at -= std::time::Duration::from_secs(3600);
    let effects = on_session(&mut s, AccountId(0), SessionEvent::RoomMessage(older));
    assert!(effects.is_empty(), "{effects:?}");
    let chat = s.chats.get(&dev()).unwrap();
    assert_eq!((chat.unread, chat.room.as_ref().unwrap().mentions), (1, 0));
}

#[test]
fn scrolling_back_past_the_disk_asks_the_rooms_own_archive() {
    let mut s = joined();
    let mut m = from_bob("h1", "hello");
    m.direction = Direction::In;
    m.stanza_id = Some("room-sid-1".into());
    on_session(&mut s, AccountId(0), SessionEvent::RoomMessage(m));
    if let Some(chat) = s.chats.get_mut(&dev()) {
        chat.older = Older::Server;
    }
    let effects = crate::update::chat::scroll(&mut s, &dev(), 5);
    assert!(
        matches!(
            &effects[..],
            [Effect::Send(_, Command::FetchRoomArchive { room, before: Some(b), .. })]
                if room.as_str() == "dev@conf.example" && b == "room-sid-1"
        ),
        "{effects:?}"
    );
    assert_eq!(s.chats.get(&dev()).unwrap().older, Older::Loading);
    on_session(
        &mut s,
        AccountId(0),
        SessionEvent::ArchivePage {
            with: Some(jid("dev@conf.example")),
            count: 0,
            complete: true,
        },
    );
    assert_eq!(s.chats.get(&dev()).unwrap().older, Older::None);
}
