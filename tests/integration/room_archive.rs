//! A room's own archive (MUC MAM, Prosody's `muc_mam`) against a real Prosody with slixmpp
//! occupants: a join fills the gap since the newest message seen, once, even when the gap
//! is longer than the join history; joining again brings nothing twice; scroll-back pages
//! come from the room's archive.

use std::collections::BTreeMap;

use jid::BareJid;
use rosterm::domain::{Show, Via};
use rosterm::event::{Command, SessionEvent};

use crate::client::Client;
use crate::harness::{Options, Server};
use crate::muc_peer::{field, MucPeer};
use crate::rooms::{join_ok, next, room, room_event};

/// More than the join history's 50: only the archive has the oldest ones.
const GAP: usize = 60;

fn server() -> Server {
    let server = Server::start_with(Options {
        muc: true,
        smacks: false,
        ..Options::default()
    });
    for user in ["alice", "bob"] {
        server.register(user, &format!("{user}-pw"));
    }
    server
}

async fn alice(server: &Server) -> Client {
    crate::rooms::alice(server).await
}

/// bob says `m{from}`..`m{to}` in the room and sees the last one come back.
async fn talk(bob: &mut MucPeer, room: &BareJid, from: usize, to: usize) {
    for i in from..=to {
        bob.command(&format!(
            "raw <message type='groupchat' to='{room}'><body>m{i}</body></message>"
        ))
        .await;
    }
    let last = format!("m{to}");
    bob.wait_for("the room's copy", |r| field(r, "body") == last)
        .await;
}

/// Room messages of `room` until every one of `bodies` came; returns how each came.
async fn collect(client: &mut Client, room: &BareJid, bodies: &[String]) -> BTreeMap<String, Via> {
    let mut seen = BTreeMap::new();
    while !bodies.iter().all(|b| seen.contains_key(b)) {
        let ev = next(
            client,
            "the room's messages",
            |e| matches!(e, SessionEvent::RoomMessage(m) if m.peer == *room),
        )
        .await;
        if let SessionEvent::RoomMessage(m) = ev {
            seen.insert(m.body, m.via);
        }
    }
    seen
}

fn bodies(from: usize, to: usize) -> Vec<String> {
    (from..=to).map(|i| format!("m{i}")).collect()
}

fn times(client: &Client, body: &str) -> usize {
    client
        .log
        .iter()
        .filter(|e| matches!(e, SessionEvent::RoomMessage(m) if m.body == body))
        .count()
}

#[tokio::test]
async fn a_join_fills_the_gap_from_the_room_archive_once_even_on_a_second_join() {
    let server = server();
    let coven = room(&server, "coven");
    let mut bob = MucPeer::connect(&server, "bob").await;
    bob.run(&format!("join {coven} bob")).await;
    talk(&mut bob, &coven, 0, 0).await;

    // alice saw m0 once, then went away.
    let mut first = alice(&server).await;
    join_ok(&mut first, &coven, "alice").await;
    let ev = next(
        &mut first,
        "m0",
        |e| matches!(e, SessionEvent::RoomMessage(m) if m.body == "m0"),
    )
    .await;
    let SessionEvent::RoomMessage(m0) = ev else {
        unreachable!()
    };
    let after = m0.stanza_id.expect("the room's stanza-id");
    first.stop();
    let me = format!("{coven}/alice");
    bob.presence_from(&me, |r| field(r, "type") == "unavailable")
        .await;

    talk(&mut bob, &coven, 1, GAP).await;

    // Back, knowing m0: everything after it comes, each once; the oldest only from the
    // archive (the join history holds the newest 50).
    let mut alice = alice(&server).await;
    alice.command(Command::JoinRoom {
        room: coven.clone(),
        nick: "alice".into(),
        password: None,
        after: Some(after),
        since: None,
    });
    let seen = collect(&mut alice, &coven, &bodies(1, GAP)).await;
    assert_eq!(seen.get("m1"), Some(&Via::Archive), "{seen:?}");

    // Away and back in the same process: the room is joined again, nothing twice.
    alice.command(Command::GoOffline);
    bob.presence_from(&me, |r| field(r, "type") == "unavailable")
        .await;
    alice.set_presence(Show::Online, "", 0);
    room_event(&mut alice, &coven, "joined again", |e| {
        matches!(e, rosterm::domain::room::RoomEvent::Joined { .. })
    })
    .await;
    // The subject closes the join history.
    room_event(&mut alice, &coven, "the subject", |e| {
        matches!(e, rosterm::domain::room::RoomEvent::Subject { .. })
    })
    .await;
    for body in bodies(1, GAP) {
        assert_eq!(times(&alice, &body), 1, "{body}: {:?}", alice.log);
    }
    assert_eq!(times(&alice, "m0"), 0);
    alice.stop();
}

#[tokio::test]
async fn scrolling_back_in_a_room_pages_its_archive() {
    let server = server();
    let coven = room(&server, "coven");
    let mut bob = MucPeer::connect(&server, "bob").await;
    bob.run(&format!("join {coven} bob")).await;
    talk(&mut bob, &coven, 1, GAP).await;

    let mut alice = alice(&server).await;
    join_ok(&mut alice, &coven, "alice").await;
    // The join history (Prosody keeps the newest 20 for it) ends with the subject.
    room_event(&mut alice, &coven, "the subject", |e| {
        matches!(e, rosterm::domain::room::RoomEvent::Subject { .. })
    })
    .await;
    let (oldest, before) = alice
        .log
        .iter()
        .find_map(|e| match e {
            SessionEvent::RoomMessage(m) => {
                let n: usize = m.body.trim_start_matches('m').parse().ok()?;
                Some((n, m.stanza_id.clone()?))
            }
            _ => None,
        })
        .expect("the join history, with the room's stanza-ids");
    assert!(oldest > 1, "the join history held everything");
    alice.command(Command::FetchRoomArchive {
        room: coven.clone(),
        before: Some(before),
        max: 100,
    });
    let seen = collect(&mut alice, &coven, &bodies(1, oldest - 1)).await;
    assert!(seen.values().all(|v| *v == Via::Archive), "{seen:?}");
    let page = next(
        &mut alice,
        "the end of the page",
        |e| matches!(e, SessionEvent::ArchivePage { with: Some(w), .. } if *w == coven),
    )
    .await;
    assert!(
        matches!(page, SessionEvent::ArchivePage { count, complete: true, .. } if count == oldest - 1),
        "{page:?}"
    );
    alice.stop();
}
