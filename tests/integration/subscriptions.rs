//! Subscriptions, directed presence and roster editing against a real Prosody and a real
//! ejabberd (`on_each_server!`): rosterm is driven through its real key and command path
//! (`update`), peers answer, and both rosters are checked in the server's storage.

use crossterm::event::KeyCode;
use jid::BareJid;
use rosterm::domain::ContactId;
use rosterm::domain::{ConnState, Subscription};
use rosterm::domain::{OwnPresence, Show};
use rosterm::store::Mode;
use xmpp_parsers::presence::Type as PType;
use xmpp_parsers::stanza::Stanza;

use crate::client::Client;
use crate::harness::{Kind, Server};
use crate::peer::{presence_from, Peer};

fn jid(s: &str) -> BareJid {
    BareJid::new(s).unwrap()
}

fn server(kind: Kind) -> Server {
    let server = Server::start_kind(kind);
    for user in ["alice", "bob", "carol"] {
        server.register(user, &format!("{user}-pw"));
    }
    server.set_roster("alice", &[crate::peer::mutual("bob@localhost", "Bob")]);
    server.set_roster("bob", &[crate::peer::mutual("alice@localhost", "Alice")]);
    server
}

on_each_server!(
    request_waits_in_the_inbox_and_y_approves,
    approve_and_subscribe_back_makes_it_mutual,
    n_denies_and_nothing_is_added,
    add_sends_a_request_with_the_nick_and_shows_it_pending,
    rename_group_and_remove_with_confirmation,
    directed_presence_reaches_only_its_target,
    offline_by_choice_keeps_the_roster_live_and_comes_back,
    watched_contact_is_announced_once_per_transition_and_the_timeline_records_it,
    unsubscribe_and_cancel_end_each_direction,
);

async fn alice(server: &Server) -> Client {
    let mut alice = Client::start(
        server,
        "alice",
        "alice-pw",
        OwnPresence {
            show: Show::Online,
            status: "hi".into(),
            priority: 1,
        },
    );
    alice
        .until("online", |s| {
            s.primary().connection == ConnState::Online && s.primary().roster_loaded
        })
        .await;
    alice
}

/// The subscription the server stored for `contact` in `user`'s roster, if the item exists.
fn stored_subscription(server: &Server, user: &str, contact: &str) -> Option<String> {
    server
        .stored_item(user, contact)
        .map(|item| item.subscription)
}

/// Polls the server's storage until `check` holds (both write roster changes as they happen).
async fn eventually(what: &str, check: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + crate::peer::WAIT;
    while !check() {
        assert!(std::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// A peer that is available (subscription stanzas are only delivered to available resources).
async fn available(server: &Server, user: &str) -> Peer {
    let peer = Peer::connect(server, user, "pc").await;
    peer.presence("", "", 0).await;
    peer
}

/// alice's presence (not a subscription stanza) reached the peer: it may see her now.
fn sees_alice(s: &Stanza) -> bool {
    presence_from(s, "alice@localhost/rosterm").is_some_and(|p| p.type_ == PType::None)
}

fn subscription_presence(s: &Stanza, from: &str, type_: PType) -> bool {
    matches!(s, Stanza::Presence(p) if p.type_ == type_ && p.from.as_ref().is_some_and(|f| f.to_bare().as_str() == from))
}

async fn request_waits_in_the_inbox_and_y_approves(kind: Kind) {
    let server = server(kind);
    let mut alice = alice(&server).await;
    let mut carol = available(&server, "carol").await;
    carol
        .send_xml("<presence xmlns='jabber:client' type='subscribe' to='alice@localhost'><nick xmlns='http://jabber.org/protocol/nick'>Carol D.</nick></presence>")
        .await;
    alice
        .until("request in the inbox", |s| {
            s.subscription_requests
                .get(&ContactId::new(crate::A0, jid("carol@localhost")))
                .is_some_and(|n| n.as_deref() == Some("Carol D."))
        })
        .await;
    assert!(
        alice
            .state
            .primary()
            .roster
            .get(&jid("carol@localhost"))
            .is_none(),
        "a request changes nothing by itself"
    );
    let screen = alice.screen(120, 12);
    assert!(
        screen.contains("✉ Subscription requests (1)")
            && screen.contains("carol@localhost")
            && screen.contains("\"Carol D.\""),
        "{screen}"
    );

    alice.press(KeyCode::Char('y'));
    carol
        .wait_for("alice's presence after approval", sees_alice)
        .await;
    alice
        .until("carol in the roster, from", |s| {
            s.primary()
                .roster
                .get(&jid("carol@localhost"))
                .is_some_and(|c| c.subscription == Subscription::From)
        })
        .await;
    assert!(alice.state.subscription_requests.is_empty());
    eventually("both rosters stored", || {
        stored_subscription(&server, "alice", "carol@localhost").as_deref() == Some("from")
            && stored_subscription(&server, "carol", "alice@localhost").as_deref() == Some("to")
    })
    .await;
    alice.stop();
    carol.close().await;
}

async fn approve_and_subscribe_back_makes_it_mutual(kind: Kind) {
    let server = server(kind);
    let mut alice = alice(&server).await;
    let mut carol = available(&server, "carol").await;
    carol
        .send_xml("<presence xmlns='jabber:client' type='subscribe' to='alice@localhost'/>")
        .await;
    alice
        .until("request", |s| !s.subscription_requests.is_empty())
        .await;
    alice.press(KeyCode::Char('Y'));
    carol
        .wait_for("alice's presence after approval", sees_alice)
        .await;
    carol
        .wait_for("alice asks back", |s| {
            subscription_presence(s, "alice@localhost", PType::Subscribe)
        })
        .await;
    carol
        .send_xml("<presence xmlns='jabber:client' type='subscribed' to='alice@localhost'/>")
        .await;
    alice
        .until("mutual", |s| {
            s.primary()
                .roster
                .get(&jid("carol@localhost"))
                .is_some_and(|c| c.subscription == Subscription::Both)
        })
        .await;
    eventually("both rosters: both", || {
        stored_subscription(&server, "alice", "carol@localhost").as_deref() == Some("both")
            && stored_subscription(&server, "carol", "alice@localhost").as_deref() == Some("both")
    })
    .await;
    // Carol's presence now reaches alice.
    carol.presence("chat", "hello alice", 0).await;
    alice
        .until("carol's presence", |s| {
            s.primary()
                .roster
                .get(&jid("carol@localhost"))
                .is_some_and(|c| !c.resources.is_empty())
        })
        .await;
    alice.stop();
    carol.close().await;
}

async fn n_denies_and_nothing_is_added(kind: Kind) {
    let server = server(kind);
    let mut alice = alice(&server).await;
    let carol = available(&server, "carol").await;
    carol
        .send_xml("<presence xmlns='jabber:client' type='subscribe' to='alice@localhost'/>")
        .await;
    alice
        .until("request", |s| !s.subscription_requests.is_empty())
        .await;
    eventually("carol's request stored as pending", || {
        server
            .stored_item("carol", "alice@localhost")
            .is_some_and(|item| item.asking)
    })
    .await;
    alice.press(KeyCode::Char('n'));
    // Carol's pending request is cancelled on the server: no "ask" left in her roster.
    eventually("carol's request cancelled", || {
        server
            .stored_item("carol", "alice@localhost")
            .is_none_or(|item| !item.asking)
    })
    .await;
    assert!(alice.state.subscription_requests.is_empty());
    assert!(alice
        .state
        .primary()
        .roster
        .get(&jid("carol@localhost"))
        .is_none());
    assert_ne!(
        stored_subscription(&server, "alice", "carol@localhost").as_deref(),
        Some("from")
    );
    alice.stop();
    carol.close().await;
}

async fn add_sends_a_request_with_the_nick_and_shows_it_pending(kind: Kind) {
    let server = server(kind);
    let mut alice = alice(&server).await;
    alice.type_command("/nick Ally");
    let mut carol = available(&server, "carol").await;
    alice.type_command("/add carol@localhost Carol Danvers");
    let request = carol
        .wait_for("subscribe", |s| {
            subscription_presence(s, "alice@localhost", PType::Subscribe)
        })
        .await;
    let Stanza::Presence(p) = &request else {
        unreachable!()
    };
    assert!(
        p.payloads
            .iter()
            .any(|e| e.is("nick", "http://jabber.org/protocol/nick") && e.text() == "Ally"),
        "{p:?}"
    );
    alice
        .until("carol pending", |s| {
            s.primary()
                .roster
                .get(&jid("carol@localhost"))
                .is_some_and(|c| c.pending_out && c.name.as_deref() == Some("Carol Danvers"))
        })
        .await;
    let screen = alice.screen(120, 12);
    assert!(
        screen
            .lines()
            .any(|l| l.contains("Carol Danvers") && l.contains("·?")),
        "pending out shown: {screen}"
    );
    carol
        .send_xml("<presence xmlns='jabber:client' type='subscribed' to='alice@localhost'/>")
        .await;
    alice
        .until("to", |s| {
            s.primary()
                .roster
                .get(&jid("carol@localhost"))
                .is_some_and(|c| c.subscription == Subscription::To && !c.pending_out)
        })
        .await;
    eventually("alice's roster stored: to", || {
        stored_subscription(&server, "alice", "carol@localhost").as_deref() == Some("to")
    })
    .await;
    alice.stop();
    carol.close().await;
}

async fn rename_group_and_remove_with_confirmation(kind: Kind) {
    let server = server(kind);
    let mut alice = alice(&server).await;
    alice.type_command("/rename bob@localhost Robert");
    alice
        .until("renamed", |s| {
            s.primary()
                .roster
                .get(&jid("bob@localhost"))
                .is_some_and(|c| c.name.as_deref() == Some("Robert"))
        })
        .await;
    alice.type_command("/group add bob@localhost Work");
    alice
        .until("in Work too", |s| {
            s.primary()
                .roster
                .get(&jid("bob@localhost"))
                .is_some_and(|c| c.group_names() == vec!["Friends".to_owned(), "Work".to_owned()])
        })
        .await;
    alice.type_command("/group remove bob@localhost Friends");
    alice
        .until("only Work", |s| {
            s.primary()
                .roster
                .get(&jid("bob@localhost"))
                .is_some_and(|c| {
                    c.group_names() == vec!["Work".to_owned()]
                        && c.name.as_deref() == Some("Robert")
                })
        })
        .await;

    alice.type_command("/remove bob@localhost");
    assert!(
        matches!(&alice.state.ui.mode, Mode::Confirm { .. }),
        "asks first"
    );
    alice.press(KeyCode::Char('n'));
    assert!(
        alice
            .state
            .primary()
            .roster
            .get(&jid("bob@localhost"))
            .is_some(),
        "n keeps bob"
    );
    alice.type_command("/remove bob@localhost");
    alice.press(KeyCode::Char('y'));
    alice
        .until("bob removed", |s| {
            s.primary().roster.get(&jid("bob@localhost")).is_none()
        })
        .await;
    assert_eq!(stored_subscription(&server, "alice", "bob@localhost"), None);
    alice.stop();
}

async fn directed_presence_reaches_only_its_target(kind: Kind) {
    let server = server(kind);
    server.set_roster(
        "alice",
        &[
            crate::peer::mutual("bob@localhost", "Bob"),
            crate::peer::mutual("carol@localhost", "Carol"),
        ],
    );
    server.set_roster("carol", &[crate::peer::mutual("alice@localhost", "Alice")]);
    let mut bob = Peer::connect(&server, "bob", "pc").await;
    bob.presence("", "", 0).await;
    let mut carol = Peer::connect(&server, "carol", "pc").await;
    carol.presence("", "", 0).await;
    let mut alice = alice(&server).await;
    let from_alice = |s: &Stanza| presence_from(s, "alice@localhost/rosterm").is_some();
    bob.wait_for("alice online", from_alice).await;
    carol.wait_for("alice online", from_alice).await;

    alice.type_command("/presence bob@localhost dnd only for bob");
    let p = bob.wait_for("directed presence", from_alice).await;
    assert_eq!(
        presence_from(&p, "alice@localhost/rosterm")
            .unwrap()
            .statuses
            .values()
            .next()
            .map(String::as_str),
        Some("only for bob")
    );
    // A broadcast after it: carol gets that, and never the directed one.
    alice.type_command("/chat broadcast");
    let p = carol.wait_for("broadcast", from_alice).await;
    assert_eq!(
        presence_from(&p, "alice@localhost/rosterm")
            .unwrap()
            .statuses
            .values()
            .next()
            .map(String::as_str),
        Some("broadcast")
    );
    assert!(
        carol
            .received
            .iter()
            .all(|s| !format!("{s:?}").contains("only for bob")),
        "carol saw the directed presence"
    );
    alice.stop();
    bob.close().await;
    carol.close().await;
}

async fn offline_by_choice_keeps_the_roster_live_and_comes_back(kind: Kind) {
    let server = server(kind);
    let mut bob = Peer::connect(&server, "bob", "pc").await;
    bob.presence("", "", 0).await;
    let mut alice = alice(&server).await;
    bob.wait_for("alice online", |s| {
        presence_from(s, "alice@localhost/rosterm").is_some()
    })
    .await;
    alice.type_command("/offline");
    bob.wait_for("alice unavailable", |s| {
        presence_from(s, "alice@localhost/rosterm").is_some_and(|p| p.type_ == PType::Unavailable)
    })
    .await;
    assert_eq!(
        alice.state.primary().connection,
        ConnState::Online,
        "still connected"
    );
    assert!(alice
        .screen(120, 6)
        .lines()
        .next()
        .unwrap()
        .contains("○ offline"));
    // The roster stays live: a push still arrives.
    alice.type_command("/rename bob@localhost Bobby");
    alice
        .until("renamed while offline", |s| {
            s.primary()
                .roster
                .get(&jid("bob@localhost"))
                .is_some_and(|c| c.name.as_deref() == Some("Bobby"))
        })
        .await;
    alice.press(KeyCode::Char('a'));
    let p = bob
        .wait_for("alice back", |s| {
            presence_from(s, "alice@localhost/rosterm").is_some_and(|p| p.type_ == PType::None)
        })
        .await;
    assert_eq!(
        presence_from(&p, "alice@localhost/rosterm").unwrap().show,
        Some(xmpp_parsers::presence::Show::Away)
    );
    alice.stop();
    bob.close().await;
}

async fn watched_contact_is_announced_once_per_transition_and_the_timeline_records_it(kind: Kind) {
    use rosterm::store::timeline::TimelineKind;
    let server = server(kind);
    let mut alice = alice(&server).await;
    alice.type_command("/watch bob@localhost");
    let bob = Peer::connect(&server, "bob", "phone").await;
    bob.presence("", "here", 0).await;
    alice
        .until("bob online", |s| {
            s.primary()
                .roster
                .get(&jid("bob@localhost"))
                .is_some_and(|c| !c.resources.is_empty())
        })
        .await;
    bob.presence("", "still here, new text", 0).await;
    bob.presence("dnd", "busy", 0).await;
    alice
        .until("bob dnd", |s| {
            s.primary()
                .roster
                .get(&jid("bob@localhost"))
                .is_some_and(|c| {
                    c.availability() == rosterm::domain::Availability::Available(Show::Dnd)
                })
        })
        .await;
    // Stay past the debounce window: an enter and a leave within it collapse to nothing.
    tokio::time::sleep(rosterm::store::timeline::DEBOUNCE + std::time::Duration::from_millis(300))
        .await;
    bob.close().await;
    alice
        .until("bob offline", |s| {
            s.primary()
                .roster
                .get(&jid("bob@localhost"))
                .is_some_and(|c| c.resources.is_empty())
        })
        .await;
    let notes: Vec<String> = alice
        .effects
        .iter()
        .filter_map(|e| match e {
            rosterm::update::Effect::Notify(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        notes,
        [
            "★ Bob came online (online)",
            "★ Bob is now dnd",
            "★ Bob went offline"
        ]
    );
    // The timeline saw enter, update(s) and leave, in order (updates within 2 s are merged).
    let kinds: Vec<TimelineKind> = alice
        .state
        .primary()
        .timeline
        .entries()
        .filter(|e| e.jid == jid("bob@localhost"))
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds.first(), Some(&TimelineKind::Enter), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&TimelineKind::Leave), "{kinds:?}");
    alice.stop();
}

async fn unsubscribe_and_cancel_end_each_direction(kind: Kind) {
    let server = server(kind);
    let mut alice = alice(&server).await;
    // alice stops seeing bob: both -> from.
    alice.type_command("/unsubscribe bob@localhost");
    alice
        .until("from", |s| {
            s.primary()
                .roster
                .get(&jid("bob@localhost"))
                .is_some_and(|c| c.subscription == Subscription::From)
        })
        .await;
    eventually("stored from/to", || {
        stored_subscription(&server, "alice", "bob@localhost").as_deref() == Some("from")
            && stored_subscription(&server, "bob", "alice@localhost").as_deref() == Some("to")
    })
    .await;
    // alice stops bob seeing her: from -> none.
    alice.type_command("/cancel bob@localhost");
    alice
        .until("none", |s| {
            s.primary()
                .roster
                .get(&jid("bob@localhost"))
                .is_some_and(|c| c.subscription == Subscription::None)
        })
        .await;
    eventually("stored none/none", || {
        stored_subscription(&server, "alice", "bob@localhost").as_deref() == Some("none")
            && stored_subscription(&server, "bob", "alice@localhost").as_deref() == Some("none")
    })
    .await;
    let screen = alice.screen(120, 8);
    assert!(
        screen
            .lines()
            .any(|l| l.contains("Bob") && l.contains("· ")),
        "none shown as ·: {screen}"
    );
    alice.stop();
}
