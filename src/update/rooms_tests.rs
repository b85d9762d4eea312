use super::*;
use crate::domain::room::{Affiliation, Occupant, Role, RoomEvent};
use crate::domain::Direction;
use crate::event::SessionEvent;
use crate::keymap::Keymap;
use crate::store::Focus;
use crate::test_support::{code, incoming, jid, key, mixed_state, render, text};
use crate::update::{on_key, on_session, run_command};

fn dev() -> ContactId {
    ContactId::new(AccountId(0), jid("dev@conf.example"))
}

fn command(state: &mut State, line: &str) -> Vec<Effect> {
    let cmd = crate::command::parse(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    run_command(state, cmd)
}

fn sends(effects: &[Effect]) -> Vec<&Command> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(_, c) => Some(c),
            _ => None,
        })
        .collect()
}

fn occupant(nick: &str, show: crate::domain::Show, role: Role) -> SessionEvent {
    SessionEvent::Room {
        room: jid("dev@conf.example"),
        event: RoomEvent::Occupant(Occupant {
            nick: nick.into(),
            show,
            status: String::new(),
            role,
            affiliation: Affiliation::Member,
            real_jid: None,
            caps: None,
        }),
    }
}

/// Alice joined dev@conf.example as "ally", with bob present.
fn joined() -> State {
    let mut s = mixed_state();
    command(&mut s, "/join dev@conf.example/ally");
    on_session(
        &mut s,
        AccountId(0),
        occupant("bob", crate::domain::Show::Away, Role::Moderator),
    );
    on_session(
        &mut s,
        AccountId(0),
        occupant("ally", crate::domain::Show::Online, Role::Participant),
    );
    let done = SessionEvent::Room {
        room: jid("dev@conf.example"),
        event: RoomEvent::Joined {
            nick: "ally".into(),
        },
    };
    on_session(&mut s, AccountId(0), done);
    s
}

#[test]
fn join_opens_the_room_focused_and_asks_the_session_to_join() {
    let mut s = mixed_state();
    let effects = command(&mut s, "/join dev@conf.example s3cret");
    assert_eq!(s.ui.focus, Focus::Chat(dev()));
    let nick = s.room_nick(AccountId(0));
    assert_eq!(
        sends(&effects),
        [&Command::JoinRoom {
            room: jid("dev@conf.example"),
            nick: nick.clone(),
            password: Some("s3cret".into()),
            after: None,
            since: None,
        }]
    );
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::LoadHistory { .. })));
    assert_eq!(s.chats.room(&dev()).map(|r| r.nick.clone()), Some(nick));
}

#[test]
fn the_join_nick_is_the_config_one_then_the_accounts_then_the_local_part() {
    let mut s = mixed_state();
    s.account_mut(AccountId(0)).unwrap().nick = None;
    let local = s.primary().jid.node().unwrap().to_string();
    assert_eq!(s.room_nick(AccountId(0)), local);
    s.account_mut(AccountId(0)).unwrap().nick = Some("Al".into());
    assert_eq!(s.room_nick(AccountId(0)), "Al");
    s.settings.room_nick = Some("alice-rt".into());
    assert_eq!(s.room_nick(AccountId(0)), "alice-rt");
}

#[test]
fn typing_in_a_room_sends_a_groupchat_message_and_nick_topic_leave_go_to_the_room() {
    let mut s = joined();
    let keymap = Keymap::default();
    for c in "hi all".chars() {
        on_key(&mut s, &keymap, key(c));
    }
    let effects = on_key(&mut s, &keymap, code(crossterm::event::KeyCode::Enter));
    let [Command::SendRoomMessage(out)] = sends(&effects)[..] else {
        panic!("{effects:?}");
    };
    assert_eq!(out.to.to_string(), "dev@conf.example");
    assert!(
        !out.receipts_and_states,
        "no receipts or chat states to a room"
    );
    let effects = command(&mut s, "/nick allie");
    assert!(matches!(sends(&effects)[..], [Command::RoomNick { nick, .. }] if nick == "allie"));
    let effects = command(&mut s, "/topic release day");
    assert!(
        matches!(sends(&effects)[..], [Command::SetSubject { text, .. }] if text == "release day")
    );
    let effects = command(&mut s, "/leave lunch");
    assert!(matches!(
        sends(&effects)[..],
        [Command::LeaveRoom { reason: Some(r), .. }] if r == "lunch"
    ));
}

#[test]
fn room_commands_outside_a_room_say_so() {
    let mut s = mixed_state();
    assert!(command(&mut s, "/leave").is_empty());
    let (text, _) = s.ui.message.clone().unwrap();
    assert!(text.contains("works in a room"), "{text}");
    // Outside a room, /nick is still the account's nick.
    let effects = command(&mut s, "/nick Al");
    assert!(matches!(sends(&effects)[..], [Command::SetNick(Some(n))] if n == "Al"));
}

#[test]
fn a_mention_unseen_rings_the_notifier_other_room_chatter_does_not() {
    let mut s = joined();
    s.ui.focus = Focus::Roster;
    let mut m = incoming("dev@conf.example", "m1", "lunch anyone?");
    m.resource = Some("bob".into());
    let effects = on_session(&mut s, AccountId(0), SessionEvent::RoomMessage(m));
    assert!(effects.is_empty(), "{effects:?}");
    let mut m = incoming("dev@conf.example", "m2", "ally: you there?");
    m.resource = Some("bob".into());
    let effects = on_session(&mut s, AccountId(0), SessionEvent::RoomMessage(m));
    assert!(
        matches!(&effects[..], [Effect::NotifyMessage(t)] if t.contains("bob: ally: you there?"))
    );
    let chat = s.chats.get(&dev()).unwrap();
    assert_eq!((chat.unread, chat.room.as_ref().unwrap().mentions), (2, 1));
}

#[test]
fn autojoin_bookmarks_are_joined_once_in_the_background() {
    let mut s = mixed_state();
    let bookmarks = vec![
        Bookmark {
            room: jid("dev@conf.example"),
            name: None,
            nick: Some("ally".into()),
            password: None,
            autojoin: true,
        },
        Bookmark {
            room: jid("quiet@conf.example"),
            name: None,
            nick: None,
            password: None,
            autojoin: false,
        },
    ];
    let effects = on_session(
        &mut s,
        AccountId(0),
        SessionEvent::Bookmarks(bookmarks.clone()),
    );
    assert!(matches!(
        sends(&effects)[..],
        [Command::JoinRoom { room, nick, .. }] if room.as_str() == "dev@conf.example" && nick == "ally"
    ));
    assert_eq!(s.ui.focus, Focus::Roster);
    // The same bookmarks again (a change elsewhere): nothing joined twice.
    let effects = on_session(&mut s, AccountId(0), SessionEvent::Bookmarks(bookmarks));
    assert!(sends(&effects).is_empty());
    command(&mut s, "/bookmarks");
    let (text, _) = s.ui.message.clone().unwrap();
    assert_eq!(
        text,
        "Bookmarks: dev@conf.example (autojoin), quiet@conf.example"
    );
}

#[test]
fn the_room_pane_shows_the_title_count_and_the_occupant_list() {
    let mut s = joined();
    let topic = SessionEvent::Room {
        room: jid("dev@conf.example"),
        event: RoomEvent::Subject {
            text: "release day".into(),
            by: Some("bob".into()),
        },
    };
    on_session(&mut s, AccountId(0), topic);
    let mut mine = incoming("dev@conf.example", "x1", "hello");
    mine.direction = Direction::Out;
    mine.resource = Some("ally".into());
    on_session(&mut s, AccountId(0), SessionEvent::RoomMessage(mine));
    let screen = text(&render(&mut s, 150, 20));
    assert!(
        screen.contains("# dev@conf.example  2 present  release day"),
        "{screen}"
    );
    assert!(screen.contains("Moderators (1)"), "{screen}");
    assert!(screen.contains("@bob member"), "{screen}");
    assert!(screen.contains("Participants (1)"), "{screen}");
    assert!(screen.contains("ally: hello"), "{screen}");
    assert!(
        screen.contains("-- bob set the topic: release day"),
        "{screen}"
    );
    assert!(screen.contains("#dev"), "the tab: {screen}");
}
