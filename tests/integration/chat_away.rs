//! Conversations across absences, against a real Prosody: messages sent while rosterm was
//! away shown once (the archive catch-up; offline storage without an archive), the catch-up
//! from a cursor, scroll-back pages, and messages typed while the server is down, or lost
//! with the old session, sent exactly once.

use std::time::{Duration, SystemTime};

on_each_server!(
    messages_sent_while_away_arrive_once_and_the_catch_up_starts_at_the_cursor,
    scrolling_back_pages_through_one_conversation_of_the_archive,
);

use rosterm::domain::{ConnState, Delivery, Direction, Message, Via};
use rosterm::event::{Command, SessionEvent};

use crate::chat::{
    alice_from, alice_online, bob, bob_message, copies, delivery, event, message, outgoing, server,
    server_of,
};
use crate::chat_peer::ChatPeer;
use crate::client::Client;
use crate::harness::{Kind, Server};

async fn messages_sent_while_away_arrive_once_and_the_catch_up_starts_at_the_cursor(kind: Kind) {
    let server = server_of(kind);
    let mut bob_py = ChatPeer::connect(&server, "bob", "py", false).await;
    let request = "<request xmlns='urn:xmpp:receipts'/>";
    for i in 1..=3 {
        bob_py
            .send_xml(&bob_message(
                &format!("o-{i}"),
                "alice@localhost",
                &format!("offline {i}"),
                request,
            ))
            .await;
    }
    // A stanza to bob and back: the server has handled bob's messages.
    bob_py.send_xml("<message xmlns='jabber:client' to='bob@localhost/py' id='sync'><body>sync</body></message>").await;
    bob_py
        .wait_for("sync", |m| m.get("id").is_some_and(|i| i == "sync"))
        .await;

    let mut alice = alice_online(&server).await;
    let page = event(&mut alice, "the catch-up", |e| {
        matches!(e, SessionEvent::ArchivePage { with: None, .. })
    })
    .await;
    assert!(
        matches!(page, SessionEvent::ArchivePage { count, complete: true, .. } if count >= 3),
        "{page:?}"
    );
    alice.settle(Duration::from_secs(2)).await;
    let mut newest = None;
    for i in 1..=3 {
        let body = format!("offline {i}");
        let all = copies(&alice, &body);
        assert!(all.iter().any(|m| m.via == Via::Archive), "{body}: {all:?}");
        // Offline storage and the archive can both deliver it: every copy must carry the ids
        // the history de-duplicates by. Prosody does not broadcast offline messages to a
        // session that queried the archive before its initial presence, as rosterm does: one
        // copy. ejabberd delivers both, with the same stanza-id and origin-id.
        let expected = match kind {
            Kind::Prosody => 1,
            Kind::Ejabberd => 2,
        };
        assert_eq!(all.len(), expected, "{body}: {all:?}");
        let origin = format!("o-{i}");
        assert!(
            all.iter()
                .all(|m| m.origin_id.as_deref() == Some(origin.as_str())
                    && m.stanza_id.is_some()
                    && m.stanza_id == all[0].stanza_id),
            "{body}: {all:?}"
        );
        assert!(all
            .iter()
            .all(|m| m.peer == bob() && m.direction == Direction::In));
        newest = all
            .iter()
            .find(|m| m.via == Via::Archive)
            .and_then(|m| m.stanza_id.clone());
    }
    alice.stop();
    tokio::time::sleep(Duration::from_millis(500)).await;

    for i in 1..=2 {
        bob_py
            .send_xml(&bob_message(
                &format!("n-{i}"),
                "alice@localhost",
                &format!("newer {i}"),
                "",
            ))
            .await;
    }
    bob_py.send_xml("<message xmlns='jabber:client' to='bob@localhost/py' id='sync2'><body>s</body></message>").await;
    bob_py
        .wait_for("sync2", |m| m.get("id").is_some_and(|i| i == "sync2"))
        .await;
    let mut alice = alice_from(&server, newest).await;
    let page = event(&mut alice, "the catch-up", |e| {
        matches!(e, SessionEvent::ArchivePage { with: None, .. })
    })
    .await;
    assert_eq!(
        page,
        SessionEvent::ArchivePage {
            with: None,
            count: 2,
            complete: true
        },
        "only what came after the cursor"
    );
    alice.settle(Duration::from_secs(1)).await;
    for body in ["newer 1", "newer 2"] {
        assert!(
            copies(&alice, body).iter().any(|m| m.via == Via::Archive),
            "{body}"
        );
    }
    assert!(copies(&alice, "offline 3").is_empty(), "{:?}", alice.log);
    alice.stop();
    bob_py.close().await;
}

#[tokio::test]
async fn a_message_typed_while_the_server_is_down_goes_out_once_when_it_is_back() {
    let mut server = server();
    let mut alice = alice_online(&server).await;
    server.stop();
    alice
        .until("connection lost", |s| {
            s.primary().connection != ConnState::Online
        })
        .await;
    alice.command(Command::SendMessage(outgoing(
        "bob@localhost",
        "d-1",
        "while down",
        None,
    )));
    alice.settle(Duration::from_millis(500)).await;
    assert!(
        !alice
            .log
            .iter()
            .any(|e| matches!(e, SessionEvent::Delivery { id, .. } if id == "d-1")),
        "nothing to report while there is no server"
    );
    server.restart();
    delivery(&mut alice, "d-1", |d| *d == Delivery::Sent).await;

    let mut bob_py = ChatPeer::connect(&server, "bob", "py", false).await;
    bob_py
        .wait_for("while down", |m| m.get("id").is_some_and(|i| i == "d-1"))
        .await;
    bob_py.drain_for(Duration::from_secs(2)).await;
    let again: Vec<_> = bob_py
        .received
        .iter()
        .filter(|m| m.get("id").is_some_and(|i| i == "d-1"))
        .collect();
    assert!(again.is_empty(), "sent twice: {again:?}");
    alice.stop();
    bob_py.close().await;
}

#[tokio::test]
async fn a_message_the_old_session_never_acknowledged_is_sent_again_exactly_once() {
    let mut server = server();
    let mut alice = alice_online(&server).await;
    // Written to the socket, never read: the server is stopped, then replaced by a fresh one
    // that cannot resume the old stream (a new session: tokio-xmpp drops what was unacked).
    server.pause();
    alice.command(Command::SendMessage(outgoing(
        "bob@localhost",
        "u-1",
        "unacked",
        None,
    )));
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.restart();
    delivery(&mut alice, "u-1", |d| *d == Delivery::Sent).await;
    assert_eq!(
        alice.sessions_started(),
        2,
        "a new session, not a resumed one"
    );

    let mut bob_py = ChatPeer::connect(&server, "bob", "py", false).await;
    bob_py
        .wait_for("unacked", |m| m.get("id").is_some_and(|i| i == "u-1"))
        .await;
    bob_py.drain_for(Duration::from_secs(2)).await;
    let again: Vec<_> = bob_py
        .received
        .iter()
        .filter(|m| m.get("id").is_some_and(|i| i == "u-1"))
        .collect();
    assert!(again.is_empty(), "sent twice: {again:?}");
    alice.stop();
    bob_py.close().await;
}

/// The archive messages with `with` emitted after the first `from` events of the log.
fn archived_since(c: &Client, from: usize) -> Vec<&Message> {
    c.log[from..]
        .iter()
        .filter_map(|e| match e {
            SessionEvent::Message(m) if m.via == Via::Archive => Some(m),
            _ => None,
        })
        .collect()
}

async fn scrolling_back_pages_through_one_conversation_of_the_archive(kind: Kind) {
    let server = server_of(kind);
    let mut bob_py = ChatPeer::connect(&server, "bob", "py", false).await;
    for i in 1..=5 {
        bob_py
            .send_xml(&bob_message(
                &format!("s-{i}"),
                "alice@localhost",
                &format!("old {i}"),
                "",
            ))
            .await;
    }
    bob_py
        .send_xml("<message xmlns='jabber:client' to='bob@localhost/py' id='sync'><body>s</body></message>")
        .await;
    bob_py
        .wait_for("sync", |m| m.get("id").is_some_and(|i| i == "sync"))
        .await;
    let mut alice = alice_online(&server).await;
    event(&mut alice, "the catch-up", |e| {
        matches!(e, SessionEvent::ArchivePage { with: None, .. })
    })
    .await;

    let mark = alice.log.len();
    alice.command(Command::FetchArchive {
        with: bob(),
        before: None,
        max: 2,
    });
    let page = event(&mut alice, "the newest page", |e| {
        matches!(e, SessionEvent::ArchivePage { with: Some(_), .. })
    })
    .await;
    assert_eq!(
        page,
        SessionEvent::ArchivePage {
            with: Some(bob()),
            count: 2,
            complete: false
        }
    );
    let newest = archived_since(&alice, mark);
    let bodies: Vec<&str> = newest.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["old 4", "old 5"], "oldest first");
    let before = newest[0].stanza_id.clone().expect("archive id");

    let mark = alice.log.len();
    alice.command(Command::FetchArchive {
        with: bob(),
        before: Some(before),
        max: 10,
    });
    let page = event(&mut alice, "the older page", |e| {
        matches!(e, SessionEvent::ArchivePage { with: Some(_), .. })
            && !matches!(e, SessionEvent::ArchivePage { count: 2, .. })
    })
    .await;
    assert_eq!(
        page,
        SessionEvent::ArchivePage {
            with: Some(bob()),
            count: 3,
            complete: true
        }
    );
    let bodies: Vec<String> = archived_since(&alice, mark)
        .iter()
        .map(|m| m.body.clone())
        .collect();
    assert_eq!(bodies, ["old 1", "old 2", "old 3"]);
    alice.stop();
    bob_py.close().await;
}

#[tokio::test]
async fn without_an_archive_offline_storage_delivers_once_and_the_catch_up_ends_quietly() {
    let server = Server::start_with(crate::harness::Options {
        mam: false,
        ..Default::default()
    });
    for user in ["alice", "bob"] {
        server.register(user, &format!("{user}-pw"));
    }
    let mut bob_py = ChatPeer::connect(&server, "bob", "py", false).await;
    bob_py
        .send_xml(&bob_message("k-1", "alice@localhost", "kept for you", ""))
        .await;
    bob_py
        .send_xml("<message xmlns='jabber:client' to='bob@localhost/py' id='sync'><body>s</body></message>")
        .await;
    bob_py
        .wait_for("sync", |m| m.get("id").is_some_and(|i| i == "sync"))
        .await;
    let before_login = SystemTime::now();
    let mut alice = alice_online(&server).await;
    let kept = message(&mut alice, "kept for you").await;
    assert_eq!(kept.via, Via::Offline);
    assert_eq!(kept.origin_id.as_deref(), Some("k-1"));
    assert!(
        kept.at <= before_login,
        "the delay's stamp, not the arrival"
    );
    let page = event(&mut alice, "the catch-up's end", |e| {
        matches!(e, SessionEvent::ArchivePage { with: None, .. })
    })
    .await;
    assert_eq!(
        page,
        SessionEvent::ArchivePage {
            with: None,
            count: 0,
            complete: false
        }
    );
    assert!(
        !alice
            .log
            .iter()
            .any(|e| matches!(e, SessionEvent::Notice(n) if n.contains("archive"))),
        "no notice on every login for a server without archives: {:?}",
        alice.log
    );
    alice.settle(Duration::from_secs(1)).await;
    assert_eq!(copies(&alice, "kept for you").len(), 1);
    alice.stop();
    bob_py.close().await;
}

#[tokio::test]
async fn after_a_resumed_stream_nothing_is_sent_twice_and_nothing_is_fetched_again() {
    let server = server();
    let proxy = crate::proxy::Proxy::start(server.port).await;
    let mut bob_py = ChatPeer::connect(&server, "bob", "py", false).await;
    let mut via_proxy = crate::peer::account(&server, "alice", Some("rosterm"));
    via_proxy.port = Some(proxy.port);
    let mut alice = Client::start_after(
        via_proxy,
        "alice-pw",
        Default::default(),
        Default::default(),
        None,
        None,
    );
    event(&mut alice, "the catch-up", |e| {
        matches!(e, SessionEvent::ArchivePage { with: None, .. })
    })
    .await;
    // One possibly in flight when the connection drops, one typed while it is down.
    alice.command(Command::SendMessage(outgoing(
        "bob@localhost/py",
        "r-0",
        "just before",
        None,
    )));
    proxy.cut();
    alice
        .until("connection loss noticed", |s| {
            matches!(s.primary().connection, ConnState::Reconnecting { .. })
        })
        .await;
    alice.command(Command::SendMessage(outgoing(
        "bob@localhost/py",
        "r-1",
        "during the blip",
        None,
    )));
    delivery(&mut alice, "r-1", |d| *d == Delivery::Sent).await;
    delivery(&mut alice, "r-0", |d| *d == Delivery::Sent).await;
    assert_eq!(alice.sessions_started(), 1, "resumed: {:?}", alice.log);
    for id in ["r-0", "r-1"] {
        bob_py
            .wait_for(id, |m| m.get("id").is_some_and(|i| i == id))
            .await;
    }
    bob_py.drain_for(Duration::from_secs(2)).await;
    let again: Vec<_> = bob_py
        .received
        .iter()
        .filter(|m| m.get("id").is_some_and(|i| i.starts_with("r-")))
        .collect();
    assert!(again.is_empty(), "sent twice: {again:?}");
    let catch_ups = alice
        .log
        .iter()
        .filter(|e| matches!(e, SessionEvent::ArchivePage { with: None, .. }))
        .count();
    assert_eq!(catch_ups, 1, "a resumed stream is no new session");
    alice.stop();
    bob_py.close().await;
}

#[tokio::test]
async fn a_new_session_catches_up_from_the_newest_archive_id_seen_live() {
    let mut server = server();
    let mut bob_py = ChatPeer::connect(&server, "bob", "py", false).await;
    let mut alice = alice_online(&server).await;
    event(&mut alice, "the first catch-up", |e| {
        matches!(e, SessionEvent::ArchivePage { with: None, .. })
    })
    .await;
    bob_py
        .send_xml(&bob_message("l-1", "alice@localhost", "live 1", ""))
        .await;
    let live = message(&mut alice, "live 1").await;
    assert!(live.stanza_id.is_some(), "{live:?}");
    drop(bob_py);

    // A new session (the server forgot the old one): its catch-up starts after "live 1".
    server.restart();
    alice
        .until("a second session", |s| {
            s.primary().connection == ConnState::Online
        })
        .await;
    let second = tokio::time::timeout(crate::peer::WAIT, async {
        loop {
            let pages = alice
                .log
                .iter()
                .filter(|e| matches!(e, SessionEvent::ArchivePage { with: None, .. }))
                .count();
            if pages == 2 {
                break;
            }
            alice.settle(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(second.is_ok(), "no second catch-up: {:?}", alice.log);
    assert_eq!(alice.sessions_started(), 2);
    let pages: Vec<_> = alice
        .log
        .iter()
        .filter(|e| matches!(e, SessionEvent::ArchivePage { with: None, .. }))
        .collect();
    assert_eq!(
        pages[1],
        &SessionEvent::ArchivePage {
            with: None,
            count: 0,
            complete: true
        },
        "nothing after the cursor"
    );
    assert_eq!(
        copies(&alice, "live 1").len(),
        1,
        "not fetched again: {:?}",
        alice.log
    );
    alice.stop();
}
