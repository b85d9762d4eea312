//! Rooms (XEP-0045) against a real Prosody with a room service and real slixmpp occupants
//! (`muc_peer`): rosterm's session joins, sees occupants come, change and go, sends and
//! receives room messages, follows the user's presence, is kicked, renamed, refused and
//! destroyed, and joins again after the server restarts. Room events are read straight
//! from the session (the store does not show rooms yet).

use std::time::SystemTime;

use jid::{BareJid, Jid};
use rosterm::domain::room::{Departure, JoinError, Occupant, Role, RoomEvent};
use rosterm::domain::{Delivery, Direction, Outgoing, OwnPresence, Show};
use rosterm::event::{Command, SessionEvent};

use crate::client::Client;
use crate::harness::{Options, Server};
use crate::muc_peer::{field, MucPeer};
use crate::peer::WAIT;
use crate::A0;

pub(crate) fn server() -> Server {
    let server = Server::start_with(Options {
        muc: true,
        ..Options::default()
    });
    for user in ["alice", "bob", "carol", "dave"] {
        server.register(user, &format!("{user}-pw"));
    }
    server
}

pub(crate) fn room(server: &Server, name: &str) -> BareJid {
    BareJid::new(&format!("{name}@{}", server.muc_domain())).unwrap()
}

pub(crate) async fn alice(server: &Server) -> Client {
    let mut alice = Client::start(server, "alice", "alice-pw", OwnPresence::default());
    next(&mut alice, "a session", |e| {
        matches!(e, SessionEvent::SessionStarted { .. })
    })
    .await;
    alice
}

/// The next session event matching `pred` (every event is applied to the state on the way).
pub(crate) async fn next(
    client: &mut Client,
    what: &str,
    pred: impl Fn(&SessionEvent) -> bool,
) -> SessionEvent {
    let found = tokio::time::timeout(WAIT, async {
        while let Some(ev) = client.handle.events.recv().await {
            client.log.push(ev.clone());
            let _ = rosterm::update::on_session(&mut client.state, A0, ev.clone());
            if pred(&ev) {
                return Some(ev);
            }
        }
        None
    })
    .await;
    match found {
        Ok(Some(ev)) => ev,
        _ => panic!(
            "rosterm never got {what}; last events: {:?}",
            &client.log[client.log.len().saturating_sub(10)..]
        ),
    }
}

/// The next event of `room` matching `pred`.
pub(crate) async fn room_event(
    client: &mut Client,
    room: &BareJid,
    what: &str,
    pred: impl Fn(&RoomEvent) -> bool,
) -> RoomEvent {
    let ev = next(
        client,
        what,
        |e| matches!(e, SessionEvent::Room { room: r, event } if r == room && pred(event)),
    )
    .await;
    match ev {
        SessionEvent::Room { event, .. } => event,
        _ => unreachable!(),
    }
}

pub(crate) fn join(room: &BareJid, nick: &str, password: Option<&str>) -> Command {
    Command::JoinRoom {
        room: room.clone(),
        nick: nick.into(),
        password: password.map(str::to_owned),
        after: None,
        since: None,
    }
}

/// alice joins `room` as `nick`; returns the occupants the room listed before the join.
pub(crate) async fn join_ok(alice: &mut Client, room: &BareJid, nick: &str) -> Vec<Occupant> {
    alice.command(join(room, nick, None));
    let mut listed = Vec::new();
    loop {
        match room_event(alice, room, "joined", |_| true).await {
            RoomEvent::Occupant(o) => listed.push(o),
            RoomEvent::Joined { nick: given } => {
                assert_eq!(given, nick);
                return listed;
            }
            other => panic!("joining {room}: {other:?}"),
        }
    }
}

/// The room `coven` with bob in it (muc.py), then alice joined as "alice".
async fn coven_with_bob_and_alice() -> (Server, BareJid, MucPeer, Client) {
    let server = server();
    let coven = room(&server, "coven");
    let mut bob = MucPeer::connect(&server, "bob").await;
    bob.run(&format!("join {coven} bob")).await;
    let mut alice = alice(&server).await;
    join_ok(&mut alice, &coven, "alice").await;
    (server, coven, bob, alice)
}

fn occupant_is(event: &RoomEvent, nick: &str) -> bool {
    matches!(event, RoomEvent::Occupant(o) if o.nick == nick)
}

/// No presence event ever came from a room, nor is a room in the roster.
fn rooms_never_reached_the_roster(alice: &Client, server: &Server) {
    let muc = server.muc_domain();
    let leaked: Vec<_> = alice
        .log
        .iter()
        .filter(|e| {
            matches!(e, SessionEvent::Presence { from, .. } | SessionEvent::SubscriptionRequest { from, .. }
                if from.domain().as_str() == muc)
        })
        .collect();
    assert!(
        leaked.is_empty(),
        "room presence reached the roster: {leaked:?}"
    );
    assert!(
        alice
            .state
            .primary()
            .roster
            .contacts()
            .all(|c| c.jid.domain().as_str() != muc),
        "a room is in the roster"
    );
}

#[tokio::test]
async fn join_lists_occupants_then_follows_them() {
    let server = server();
    let coven = room(&server, "coven");
    let mut bob = MucPeer::connect(&server, "bob").await;
    bob.run(&format!("join {coven} bob away brewing potions"))
        .await;
    bob.command(&format!(
        "raw <message type='groupchat' to='{coven}'><body>said before alice came</body></message>"
    ))
    .await;
    let mut carol = MucPeer::connect(&server, "carol").await;
    carol.run(&format!("join {coven} carol dnd")).await;
    let mut alice = alice(&server).await;

    let listed = join_ok(&mut alice, &coven, "alice").await;
    let ev = next(&mut alice, "the join history", |e| {
        matches!(e, SessionEvent::RoomMessage(_))
    })
    .await;
    assert!(
        matches!(&ev, SessionEvent::RoomMessage(m) if m.body == "said before alice came"
            && m.via == rosterm::domain::Via::Offline && m.resource.as_deref() == Some("bob")),
        "history after Joined, marked delayed: {ev:?}"
    );
    let by_nick = |n: &str| listed.iter().find(|o| o.nick == n).cloned();
    let b = by_nick("bob").expect("bob listed before the join");
    assert_eq!((b.show, b.status.as_str()), (Show::Away, "brewing potions"));
    assert_eq!(b.role, Role::Moderator, "the creator moderates");
    let c = by_nick("carol").expect("carol listed");
    assert_eq!(c.show, Show::Dnd);
    assert!(
        by_nick("alice").is_some(),
        "the self-presence lists the user too"
    );

    // An occupant changes, another enters, one leaves.
    carol
        .command(&format!(
            "raw <presence to='{coven}/carol'><show>xa</show><status>gone fishing</status></presence>"
        ))
        .await;
    let ev = room_event(&mut alice, &coven, "carol xa", |e| occupant_is(e, "carol")).await;
    assert!(
        matches!(&ev, RoomEvent::Occupant(o) if o.show == Show::Xa && o.status == "gone fishing"),
        "{ev:?}"
    );
    let mut dave = MucPeer::connect(&server, "dave").await;
    dave.run(&format!("join {coven} dave")).await;
    room_event(&mut alice, &coven, "dave enters", |e| {
        occupant_is(e, "dave")
    })
    .await;
    carol
        .command(&format!(
            "raw <presence type='unavailable' to='{coven}/carol'><status>bye</status></presence>"
        ))
        .await;
    let ev = room_event(&mut alice, &coven, "carol leaves", |e| {
        matches!(e, RoomEvent::Left { .. })
    })
    .await;
    assert_eq!(
        ev,
        RoomEvent::Left {
            nick: "carol".into(),
            departure: Departure::Left,
            reason: "bye".into(),
            actor: None,
        }
    );
    rooms_never_reached_the_roster(&alice, &server);
    alice.stop();
}

fn outgoing(room: &BareJid, id: &str, body: &str) -> Outgoing {
    Outgoing {
        to: Jid::from(room.clone()),
        id: id.into(),
        body: body.into(),
        replaces: None,
        receipts_and_states: false,
        at: SystemTime::now(),
    }
}

#[tokio::test]
async fn messages_both_ways_reflection_delivers_and_subjects() {
    let (server, coven, mut bob, mut alice) = coven_with_bob_and_alice().await;

    bob.command(&format!(
        "raw <message type='groupchat' to='{coven}' id='b1'><body>When shall we three meet again?</body></message>"
    ))
    .await;
    let ev = next(&mut alice, "bob's message", |e| {
        matches!(e, SessionEvent::RoomMessage(_))
    })
    .await;
    let SessionEvent::RoomMessage(m) = ev else {
        unreachable!()
    };
    assert_eq!((&m.peer, m.resource.as_deref()), (&coven, Some("bob")));
    assert_eq!(m.direction, Direction::In);
    assert_eq!(m.body, "When shall we three meet again?");
    assert!(m.stanza_id.is_some(), "the room's archive id (muc_mam)");

    alice.command(Command::SendRoomMessage(outgoing(
        &coven,
        "a-1",
        "In thunder!",
    )));
    let got = bob
        .wait_for("alice's message", |r| field(r, "body") == "In thunder!")
        .await;
    assert_eq!(field(&got, "from"), format!("{coven}/alice"));
    assert_eq!(field(&got, "type"), "groupchat");
    let ev = next(
        &mut alice,
        "the reflection",
        |e| matches!(e, SessionEvent::RoomMessage(m) if m.body == "In thunder!"),
    )
    .await;
    assert!(matches!(ev, SessionEvent::RoomMessage(m) if m.direction == Direction::Out));
    next(&mut alice, "delivered", |e| {
        matches!(e, SessionEvent::Delivery { peer, id, delivery: Delivery::Delivered }
            if *peer == coven && id == "a-1")
    })
    .await;

    bob.command(&format!(
        "raw <message type='groupchat' to='{coven}'><subject>Fair is foul</subject></message>"
    ))
    .await;
    let ev = room_event(
        &mut alice,
        &coven,
        "the subject",
        |e| matches!(e, RoomEvent::Subject { text, .. } if !text.is_empty()),
    )
    .await;
    assert_eq!(
        ev,
        RoomEvent::Subject {
            text: "Fair is foul".into(),
            by: Some("bob".into())
        }
    );
    // A participant may not set the subject in Prosody's default room: said in one notice.
    let subject = Command::SetSubject {
        room: coven.clone(),
        text: "and foul is fair".into(),
    };
    alice.command(subject.clone());
    let ev = next(&mut alice, "the refusal", |e| {
        matches!(e, SessionEvent::Notice(_))
    })
    .await;
    assert!(
        matches!(&ev, SessionEvent::Notice(t) if t.contains("subject") && t.contains("forbidden")),
        "{ev:?}"
    );
    bob.run(&format!("role {coven} alice moderator")).await;
    room_event(
        &mut alice,
        &coven,
        "alice moderates",
        |e| matches!(e, RoomEvent::Occupant(o) if o.nick == "alice" && o.role == Role::Moderator),
    )
    .await;
    alice.command(subject);
    bob.wait_for("alice's subject", |r| {
        field(r, "subject") == "and foul is fair" && field(r, "from") == format!("{coven}/alice")
    })
    .await;
    // A private message from an occupant is a 1:1 message from room/nick.
    bob.command(&format!(
        "raw <message type='chat' to='{coven}/alice' id='pm1'><body>psst</body></message>"
    ))
    .await;
    let ev = next(
        &mut alice,
        "the private message",
        |e| matches!(e, SessionEvent::Message(m) if m.body == "psst"),
    )
    .await;
    assert!(
        matches!(&ev, SessionEvent::Message(m) if m.peer == coven && m.resource.as_deref() == Some("bob")),
        "{ev:?}"
    );
    // A message to a room never joined fails at once.
    let nowhere = room(&server, "nowhere");
    alice.command(Command::SendRoomMessage(outgoing(
        &nowhere, "a-2", "hello?",
    )));
    next(&mut alice, "failed", |e| {
        matches!(e, SessionEvent::Delivery { id, delivery: Delivery::Failed(_), .. } if id == "a-2")
    })
    .await;
    alice.stop();
}

#[tokio::test]
async fn own_presence_reaches_the_room_offline_leaves_and_rejoins_and_leave() {
    let (server, coven, mut bob, mut alice) = coven_with_bob_and_alice().await;
    let me = format!("{coven}/alice");

    alice.set_presence(Show::Away, "at lunch", 0);
    bob.presence_from(&me, |r| {
        field(r, "show") == "away" && field(r, "status") == "at lunch"
    })
    .await;

    alice.command(Command::GoOffline);
    bob.presence_from(&me, |r| field(r, "type") == "unavailable")
        .await;
    alice.set_presence(Show::Chat, "back", 0);
    room_event(&mut alice, &coven, "rejoining", |e| {
        *e == RoomEvent::Rejoining
    })
    .await;
    room_event(&mut alice, &coven, "joined again", |e| {
        matches!(e, RoomEvent::Joined { .. })
    })
    .await;
    bob.presence_from(&me, |r| {
        field(r, "show") == "chat" && field(r, "type").is_empty()
    })
    .await;

    alice.command(Command::LeaveRoom {
        room: coven.clone(),
        reason: Some("off to bed".into()),
    });
    let left = bob
        .presence_from(&me, |r| field(r, "type") == "unavailable")
        .await;
    assert_eq!(field(&left, "status"), "off to bed");
    let ev = room_event(&mut alice, &coven, "self left", |e| {
        matches!(e, RoomEvent::SelfLeft { .. })
    })
    .await;
    assert!(
        matches!(
            ev,
            RoomEvent::SelfLeft {
                departure: Departure::Left,
                ..
            }
        ),
        "{ev:?}"
    );
    rooms_never_reached_the_roster(&alice, &server);
    alice.stop();
}

#[tokio::test]
async fn nick_change_kick_and_destroy() {
    let (server, coven, mut bob, mut alice) = coven_with_bob_and_alice().await;

    alice.command(Command::RoomNick {
        room: coven.clone(),
        nick: "alicia".into(),
    });
    let ev = room_event(&mut alice, &coven, "nick changed", |e| {
        matches!(e, RoomEvent::NickChanged { .. })
    })
    .await;
    assert_eq!(
        ev,
        RoomEvent::NickChanged {
            old: "alice".into(),
            new: "alicia".into(),
            own: true
        }
    );
    room_event(&mut alice, &coven, "alicia present", |e| {
        occupant_is(e, "alicia")
    })
    .await;

    bob.run(&format!("kick {coven} alicia too chatty")).await;
    let ev = room_event(&mut alice, &coven, "kicked", |e| {
        matches!(e, RoomEvent::SelfLeft { .. })
    })
    .await;
    let RoomEvent::SelfLeft {
        departure, reason, ..
    } = ev
    else {
        unreachable!()
    };
    assert_eq!(
        (departure, reason.as_str()),
        (Departure::Kicked, "too chatty")
    );

    // Kicked: not joined again by itself, even after the user's presence changes.
    alice.set_presence(Show::Away, "", 0);
    let cauldron = room(&server, "cauldron");
    bob.run(&format!("join {cauldron} bob")).await;
    join_ok(&mut alice, &cauldron, "alice").await;
    bob.run(&format!("destroy {cauldron} the play is over"))
        .await;
    let ev = room_event(&mut alice, &cauldron, "destroyed", |e| {
        matches!(e, RoomEvent::Destroyed { .. })
    })
    .await;
    assert!(
        matches!(&ev, RoomEvent::Destroyed { reason, .. } if reason == "the play is over"),
        "{ev:?}"
    );
    let coven_after_kick = alice
        .log
        .iter()
        .skip_while(|e| {
            !matches!(
                e,
                SessionEvent::Room {
                    event: RoomEvent::SelfLeft { .. },
                    ..
                }
            )
        })
        .filter(|e| matches!(e, SessionEvent::Room { room, .. } if *room == coven))
        .count();
    assert_eq!(
        coven_after_kick, 1,
        "nothing more from a room the user was kicked from"
    );
    alice.stop();
}

#[tokio::test]
async fn join_errors_password_and_nick_in_use() {
    let server = server();
    let coven = room(&server, "coven");
    let mut bob = MucPeer::connect(&server, "bob").await;
    bob.run(&format!("join {coven} bob")).await;
    bob.run(&format!("password {coven} hecate")).await;
    let mut alice = alice(&server).await;

    alice.command(join(&coven, "alice", None));
    let ev = room_event(&mut alice, &coven, "refused", |e| {
        matches!(e, RoomEvent::JoinFailed(_))
    })
    .await;
    assert_eq!(ev, RoomEvent::JoinFailed(JoinError::PasswordRequired));
    alice.command(join(&coven, "alice", Some("hecate")));
    room_event(&mut alice, &coven, "joined with the password", |e| {
        matches!(e, RoomEvent::Joined { .. })
    })
    .await;

    let heath = room(&server, "heath");
    bob.run(&format!("join {heath} bob")).await;
    alice.command(join(&heath, "bob", None));
    let ev = room_event(&mut alice, &heath, "nick in use", |e| {
        matches!(e, RoomEvent::JoinFailed(_))
    })
    .await;
    assert_eq!(
        ev,
        RoomEvent::JoinFailed(JoinError::NickInUse {
            suggestion: "bob_".into()
        })
    );
    rooms_never_reached_the_roster(&alice, &server);
    alice.stop();
}

#[tokio::test]
async fn rooms_are_joined_again_after_the_server_restarts() {
    let mut server = server();
    let coven = room(&server, "coven");
    let mut alice = alice(&server).await;
    join_ok(&mut alice, &coven, "alice").await;
    server.restart();
    next(&mut alice, "a new session", |e| {
        matches!(e, SessionEvent::SessionStarted { .. })
    })
    .await;
    room_event(&mut alice, &coven, "rejoining", |e| {
        *e == RoomEvent::Rejoining
    })
    .await;
    room_event(
        &mut alice,
        &coven,
        "joined again",
        |e| matches!(e, RoomEvent::Joined { nick } if nick == "alice"),
    )
    .await;
    // The room works: a new occupant is seen and its message arrives.
    let mut bob = MucPeer::connect(&server, "bob").await;
    bob.run(&format!("join {coven} bob")).await;
    room_event(&mut alice, &coven, "bob enters", |e| occupant_is(e, "bob")).await;
    bob.command(&format!(
        "raw <message type='groupchat' to='{coven}'><body>again</body></message>"
    ))
    .await;
    next(
        &mut alice,
        "bob's message",
        |e| matches!(e, SessionEvent::RoomMessage(m) if m.body == "again"),
    )
    .await;
    alice.stop();
}

/// A connection lost without XEP-0198 resumption: a new session joins again, the history
/// since the newest message seen brings what was said meanwhile, and nothing twice.
#[tokio::test]
async fn a_new_session_rejoins_with_the_history_missed_and_nothing_twice() {
    let server = Server::start_with(Options {
        muc: true,
        smacks: false,
        ..Options::default()
    });
    for user in ["alice", "bob"] {
        server.register(user, &format!("{user}-pw"));
    }
    let coven = room(&server, "coven");
    let mut bob = MucPeer::connect(&server, "bob").await;
    bob.run(&format!("join {coven} bob")).await;
    let proxy = crate::proxy::Proxy::start(server.port).await;
    let mut via_proxy = crate::peer::account(&server, "alice", Some("rosterm"));
    via_proxy.port = Some(proxy.port);
    let mut alice = Client::start_account(via_proxy, "alice-pw", OwnPresence::default());
    join_ok(&mut alice, &coven, "alice").await;
    let body = |text: &'static str| move |e: &SessionEvent| matches!(e, SessionEvent::RoomMessage(m) if m.body == text);
    bob.command(&format!(
        "raw <message type='groupchat' to='{coven}'><body>before</body></message>"
    ))
    .await;
    next(&mut alice, "before, live", body("before")).await;

    proxy.hold(true);
    proxy.cut();
    bob.presence_from(&format!("{coven}/alice"), |r| {
        field(r, "type") == "unavailable"
    })
    .await;
    bob.command(&format!(
        "raw <message type='groupchat' to='{coven}'><body>while away</body></message>"
    ))
    .await;
    bob.wait_for("the room's copy", |r| field(r, "body") == "while away")
        .await;
    proxy.hold(false);
    room_event(&mut alice, &coven, "rejoining", |e| {
        *e == RoomEvent::Rejoining
    })
    .await;
    room_event(&mut alice, &coven, "joined again", |e| {
        matches!(e, RoomEvent::Joined { .. })
    })
    .await;
    let ev = next(
        &mut alice,
        "while away, from the history",
        body("while away"),
    )
    .await;
    assert!(
        matches!(&ev, SessionEvent::RoomMessage(m) if m.via == rosterm::domain::Via::Offline && m.stanza_id.is_some()),
        "{ev:?}"
    );
    // The subject closes the join history; then one more live message to know all came.
    room_event(&mut alice, &coven, "the subject", |e| {
        matches!(e, RoomEvent::Subject { .. })
    })
    .await;
    bob.command(&format!(
        "raw <message type='groupchat' to='{coven}'><body>after</body></message>"
    ))
    .await;
    next(&mut alice, "after, live", body("after")).await;
    for text in ["before", "while away"] {
        let n = alice.log.iter().filter(|e| body(text)(e)).count();
        assert_eq!(n, 1, "{text:?} came {n} times: {:?}", alice.log);
    }
    alice.stop();
}

#[tokio::test]
async fn a_presence_change_while_joining_reaches_the_room() {
    let server = server();
    let coven = room(&server, "coven");
    let mut bob = MucPeer::connect(&server, "bob").await;
    bob.run(&format!("join {coven} bob")).await;
    let mut alice = alice(&server).await;
    alice.command(join(&coven, "alice", None));
    alice.set_presence(Show::Dnd, "in a meeting", 0);
    room_event(&mut alice, &coven, "joined", |e| {
        matches!(e, RoomEvent::Joined { .. })
    })
    .await;
    let me = format!("{coven}/alice");
    bob.presence_from(&me, |r| {
        field(r, "show") == "dnd" && field(r, "status") == "in a meeting"
    })
    .await;
    alice.stop();
}

/// Away, /offline and back typed faster than the room answers (the server is paused while
/// they go out): the room's late reflection of the away is not taken for the rejoin, its
/// goodbye is not taken for a leave, and the room stays joined.
#[tokio::test]
async fn away_offline_and_back_within_one_round_trip_keep_the_room() {
    let (server, coven, mut bob, mut alice) = coven_with_bob_and_alice().await;
    let me = format!("{coven}/alice");

    server.pause();
    alice.set_presence(Show::Away, "at lunch", 0);
    alice.command(Command::GoOffline);
    alice.set_presence(Show::Chat, "back", 0);
    // Let the session write all three before the server reads any.
    alice.settle(std::time::Duration::from_millis(300)).await;
    server.resume();

    room_event(&mut alice, &coven, "joined again", |e| {
        matches!(e, RoomEvent::Joined { .. })
    })
    .await;
    bob.presence_from(&me, |r| {
        field(r, "show") == "chat" && field(r, "status") == "back"
    })
    .await;
    alice.settle(std::time::Duration::from_millis(500)).await;
    let left = alice.log.iter().any(|e| {
        matches!(
            e,
            SessionEvent::Room {
                event: RoomEvent::SelfLeft { .. },
                ..
            }
        )
    });
    assert!(!left, "the room was taken for left: {:?}", alice.log);
    alice.command(Command::LeaveRoom {
        room: coven.clone(),
        reason: Some("off to bed".into()),
    });
    let left = bob
        .presence_from(&me, |r| {
            field(r, "type") == "unavailable" && field(r, "status") == "off to bed"
        })
        .await;
    assert_eq!(field(&left, "status"), "off to bed");
    alice.stop();
}
