//! rosterm's session against a real Prosody: login, roster, live presence per resource, own
//! presence changes as seen by a peer, errors, and spoofed roster pushes. The core ones run
//! against ejabberd too (`on_each_server!`).

use jid::BareJid;
use rosterm::domain::ConnState;
use rosterm::domain::{Availability, OwnPresence, Show};
use xmpp_parsers::presence::{Show as XShow, Type as PType};
use xmpp_parsers::stanza::Stanza;

use crate::client::Client;
use crate::harness::{Kind, RosterEntry, Server};
use crate::peer::{presence_from, Peer};

fn entry(jid: &str, name: &str, group: &str) -> RosterEntry {
    RosterEntry {
        jid: jid.into(),
        name: Some(name.into()),
        groups: vec![group.into()],
        subscription: "both",
        ask: None,
    }
}

on_each_server!(
    login_roster_and_live_presence_per_resource,
    own_presence_changes_reach_the_peer_exactly,
    roster_pushes_from_the_server_apply_and_spoofed_ones_do_not,
    server_restart_reconnects_refetches_and_resends_current_presence,
    clean_server_shutdown_reconnects_too,
    own_other_resources_are_visible,
    wrong_password_is_one_clear_fatal_error,
    contacts_online_before_login_are_shown,
);

/// A server with alice and bob subscribed to each other (and carol, a stranger).
fn server(kind: Kind) -> Server {
    let server = Server::start_kind(kind);
    for user in ["alice", "bob", "carol"] {
        server.register(user, &format!("{user}-pw"));
    }
    server.set_roster("alice", &[entry("bob@localhost", "Bob", "Friends")]);
    server.set_roster("bob", &[entry("alice@localhost", "Alice", "Friends")]);
    server
}

fn bob_jid() -> BareJid {
    BareJid::new("bob@localhost").unwrap()
}

fn initial() -> OwnPresence {
    OwnPresence {
        show: Show::Away,
        status: "testing".into(),
        priority: 3,
    }
}

/// alice's rosterm session, logged in with its roster loaded.
async fn alice_online(server: &Server) -> Client {
    let mut alice = Client::start(server, "alice", "alice-pw", initial());
    alice
        .until("online with roster", |s| {
            s.primary().connection == ConnState::Online && s.primary().roster_loaded
        })
        .await;
    alice
}

async fn login_roster_and_live_presence_per_resource(kind: Kind) {
    let server = server(kind);
    let mut alice = alice_online(&server).await;
    let contact = alice
        .state
        .primary()
        .roster
        .get(&bob_jid())
        .expect("bob is in the roster");
    assert_eq!(contact.name.as_deref(), Some("Bob"));
    assert_eq!(contact.group_names(), vec!["Friends".to_owned()]);
    assert_eq!(contact.availability(), Availability::Offline);

    let laptop = Peer::connect(&server, "bob", "laptop").await;
    laptop.presence("chat", "coding", 5).await;
    alice
        .until("bob/laptop chat", |s| {
            s.primary()
                .roster
                .get(&bob_jid())
                .and_then(|c| c.resources.get("laptop"))
                .is_some_and(|r| r.show == Show::Chat && r.status == "coding" && r.priority == 5)
        })
        .await;

    let phone = Peer::connect(&server, "bob", "phone").await;
    phone.presence("dnd", "driving", 10).await;
    alice
        .until("bob/phone dnd", |s| {
            s.primary()
                .roster
                .get(&bob_jid())
                .and_then(|c| c.resources.get("phone"))
                .is_some_and(|r| r.show == Show::Dnd && r.priority == 10)
        })
        .await;
    let contact = alice.state.primary().roster.get(&bob_jid()).unwrap();
    assert_eq!(
        contact.best().map(|(r, _)| r),
        Some("phone"),
        "priority 10 beats 5"
    );
    let screen = alice.screen(110, 12);
    let row = screen
        .lines()
        .find(|l| l.contains("Bob"))
        .expect("Bob on screen");
    assert!(
        row.contains("dnd") && row.contains("@phone") && row.contains("driving"),
        "{screen}"
    );
    assert!(
        screen.contains("├ ⊘ phone") && screen.contains("└ ✦ laptop"),
        "{screen}"
    );

    // The phone drops to priority 1: the laptop wins again.
    phone.presence("away", "parked", 1).await;
    alice
        .until("laptop wins", |s| {
            s.primary()
                .roster
                .get(&bob_jid())
                .and_then(|c| c.best())
                .is_some_and(|(r, _)| r == "laptop")
        })
        .await;
    assert_eq!(
        alice
            .state
            .primary()
            .roster
            .get(&bob_jid())
            .unwrap()
            .availability(),
        Availability::Available(Show::Chat)
    );

    // Unavailable ends one resource, then the other: bob is offline.
    phone
        .send_xml(
            "<presence xmlns='jabber:client' type='unavailable'><status>bye</status></presence>",
        )
        .await;
    alice
        .until("phone gone", |s| {
            s.primary()
                .roster
                .get(&bob_jid())
                .is_some_and(|c| !c.resources.contains_key("phone"))
        })
        .await;
    laptop.close().await;
    alice
        .until("bob offline", |s| {
            s.primary()
                .roster
                .get(&bob_jid())
                .is_some_and(|c| c.availability() == Availability::Offline)
        })
        .await;
    let screen = alice.screen(110, 12);
    assert!(
        screen
            .lines()
            .any(|l| l.contains("Bob") && l.contains("offline")),
        "{screen}"
    );
    phone.close().await;
    alice.stop();
}

fn alice_presence(s: &Stanza) -> Option<(Option<XShow>, String, i8)> {
    let p = presence_from(s, "alice@localhost/rosterm")?;
    (p.type_ == PType::None).then(|| {
        (
            p.show.clone(),
            p.statuses.values().next().cloned().unwrap_or_default(),
            p.priority.0,
        )
    })
}

async fn own_presence_changes_reach_the_peer_exactly(kind: Kind) {
    let server = server(kind);
    let mut bob = Peer::connect(&server, "bob", "laptop").await;
    bob.presence("", "", 0).await;
    let mut alice = Client::start(&server, "alice", "alice-pw", initial());
    alice
        .until("online", |s| s.primary().connection == ConnState::Online)
        .await;

    let p = bob
        .wait_for("alice's initial presence", |s| alice_presence(s).is_some())
        .await;
    assert_eq!(
        alice_presence(&p),
        Some((Some(XShow::Away), "testing".into(), 3))
    );

    alice.set_presence(Show::Dnd, "in a meeting", -2);
    let p = bob.wait_for("dnd", |s| alice_presence(s).is_some()).await;
    assert_eq!(
        alice_presence(&p),
        Some((Some(XShow::Dnd), "in a meeting".into(), -2))
    );

    alice.set_presence(Show::Online, "", 0);
    let p = bob
        .wait_for("online", |s| alice_presence(s).is_some())
        .await;
    assert_eq!(alice_presence(&p), Some((None, String::new(), 0)));

    // Exactly one presence per change: nothing else from alice is queued at bob.
    alice.set_presence(Show::Chat, "last", 1);
    let p = bob.wait_for("chat", |s| alice_presence(s).is_some()).await;
    assert_eq!(
        alice_presence(&p),
        Some((Some(XShow::Chat), "last".into(), 1))
    );
    assert!(
        bob.received.iter().all(|s| alice_presence(s).is_none()),
        "duplicate presence: {:?}",
        bob.received
    );

    // The server's echo of our own presence reaches the store.
    alice
        .until("own echo", |s| {
            s.primary()
                .own_echo
                .as_ref()
                .is_some_and(|e| e.show == Show::Chat && e.status == "last")
        })
        .await;
    alice.stop();
    bob.close().await;
}

async fn own_other_resources_are_visible(kind: Kind) {
    let server = server(kind);
    let mut alice = Client::start(&server, "alice", "alice-pw", initial());
    alice
        .until("online", |s| s.primary().connection == ConnState::Online)
        .await;
    let phone = Peer::connect(&server, "alice", "phone").await;
    phone.presence("xa", "pocket", -1).await;
    alice
        .until("you on phone", |s| {
            s.primary()
                .own_resources
                .get("phone")
                .is_some_and(|p| p.show == Show::Xa && p.priority == -1)
        })
        .await;
    assert!(
        alice
            .state
            .primary()
            .roster
            .get(&BareJid::new("alice@localhost").unwrap())
            .is_none(),
        "own account is not a contact"
    );
    let screen = alice.screen(140, 6);
    assert!(
        screen.lines().next().unwrap().contains("you on phone"),
        "{screen}"
    );
    phone.close().await;
    alice
        .until("phone gone", |s| s.primary().own_resources.is_empty())
        .await;
    alice.stop();
}

async fn wrong_password_is_one_clear_fatal_error(kind: Kind) {
    let server = server(kind);
    let mut alice = Client::start(&server, "alice", "not-the-password", initial());
    alice
        .until("failed", |s| {
            matches!(s.primary().connection, ConnState::Failed { .. })
        })
        .await;
    let ConnState::Failed { reason } = &alice.state.primary().connection else {
        unreachable!()
    };
    assert!(
        reason.contains("rejected the password for alice@localhost"),
        "{reason}"
    );
    assert!(
        !reason.contains("not-the-password"),
        "the password never appears in messages"
    );
    assert!(!alice.state.primary().ever_online);
    alice.stop();
}

async fn roster_pushes_from_the_server_apply_and_spoofed_ones_do_not(kind: Kind) {
    let server = server(kind);
    let mut alice = alice_online(&server).await;

    // bob (a contact, not the server) sends a roster push straight to alice's resource.
    let bob = Peer::connect(&server, "bob", "laptop").await;
    bob.send_xml("<iq xmlns='jabber:client' type='set' id='evil1' to='alice@localhost/rosterm'>\
        <query xmlns='jabber:iq:roster'><item jid='mallory@evil.example' name='Trust me' subscription='both'/>\
        <item jid='bob@localhost' name='Hacked' subscription='none'/></query></iq>").await;
    // A marker after it on the same stream: once it is seen, the push has been processed.
    bob.presence("away", "marker", 0).await;
    alice
        .until("marker", |s| {
            s.primary()
                .roster
                .get(&bob_jid())
                .and_then(|c| c.resources.get("laptop"))
                .is_some_and(|r| r.status == "marker")
        })
        .await;
    assert!(
        alice
            .state
            .primary()
            .roster
            .get(&BareJid::new("mallory@evil.example").unwrap())
            .is_none(),
        "spoofed item added"
    );
    assert_eq!(
        alice
            .state
            .primary()
            .roster
            .get(&bob_jid())
            .unwrap()
            .name
            .as_deref(),
        Some("Bob"),
        "spoofed rename applied"
    );

    // A real push: alice's other client adds carol; the server pushes it to every resource.
    let other = Peer::connect(&server, "alice", "other").await;
    other
        .send_xml(
            "<iq xmlns='jabber:client' type='set' id='add1'><query xmlns='jabber:iq:roster'>\
        <item jid='carol@localhost' name='Carol'><group>Work</group></item></query></iq>",
        )
        .await;
    let carol = BareJid::new("carol@localhost").unwrap();
    alice
        .until("carol pushed", |s| {
            s.primary()
                .roster
                .get(&carol)
                .is_some_and(|c| c.in_roster && c.name.as_deref() == Some("Carol"))
        })
        .await;
    other
        .send_xml(
            "<iq xmlns='jabber:client' type='set' id='rm1'><query xmlns='jabber:iq:roster'>\
        <item jid='carol@localhost' subscription='remove'/></query></iq>",
        )
        .await;
    alice
        .until("carol removed", |s| {
            s.primary().roster.get(&carol).is_none()
        })
        .await;
    alice.stop();
    bob.close().await;
    other.close().await;
}

async fn contacts_online_before_login_are_shown(kind: Kind) {
    let server = server(kind);
    let laptop = Peer::connect(&server, "bob", "laptop").await;
    laptop.presence("xa", "before you came", 2).await;
    // The peer's own presence echo proves the server has it before alice logs in.
    let mut alice = Client::start(&server, "alice", "alice-pw", initial());
    alice
        .until("bob/laptop from the login probe", |s| {
            s.primary()
                .roster
                .get(&bob_jid())
                .and_then(|c| c.resources.get("laptop"))
                .is_some_and(|r| r.show == Show::Xa && r.status == "before you came")
        })
        .await;
    alice.stop();
    laptop.close().await;
}

async fn server_restart_reconnects_refetches_and_resends_current_presence(kind: Kind) {
    let mut server = server(kind);
    let mut alice = alice_online(&server).await;
    // Changed after login: this, not the config's presence, must survive the reconnect.
    alice.set_presence(Show::Dnd, "after login", 6);
    alice
        .until("echo of dnd", |s| {
            s.primary()
                .own_echo
                .as_ref()
                .is_some_and(|e| e.show == Show::Dnd)
        })
        .await;

    server.restart();
    alice
        .until("reconnecting shown", |s| {
            matches!(s.primary().connection, ConnState::Reconnecting { .. })
        })
        .await;
    alice
        .until("back online with a fresh roster", |s| {
            s.primary().connection == ConnState::Online && s.primary().roster_loaded
        })
        .await;
    let sessions = alice
        .log
        .iter()
        .filter(|e| matches!(e, rosterm::event::SessionEvent::SessionStarted { .. }))
        .count();
    assert_eq!(sessions, 2, "one new session after the restart");

    // A peer that logs in now gets alice's presence from the server: the re-sent one.
    let mut bob = Peer::connect(&server, "bob", "laptop").await;
    bob.presence("", "", 0).await;
    let p = bob
        .wait_for("alice's presence", |s| alice_presence(s).is_some())
        .await;
    assert_eq!(
        alice_presence(&p),
        Some((Some(XShow::Dnd), "after login".into(), 6))
    );
    alice.stop();
    bob.close().await;
}

/// A server that shuts down cleanly closes the stream with `<system-shutdown/>` (a stream
/// error, but not one that tells rosterm to stop) before the TCP connection goes.
async fn clean_server_shutdown_reconnects_too(kind: Kind) {
    let mut server = server(kind);
    let mut alice = alice_online(&server).await;
    alice.set_presence(Show::Xa, "before the shutdown", 2);
    alice
        .until("echo of xa", |s| {
            s.primary()
                .own_echo
                .as_ref()
                .is_some_and(|e| e.show == Show::Xa)
        })
        .await;
    server.restart_gracefully();
    alice
        .until("reconnecting shown", |s| {
            matches!(s.primary().connection, ConnState::Reconnecting { .. })
        })
        .await;
    alice
        .until("back online", |s| {
            s.primary().connection == ConnState::Online
        })
        .await;
    assert_eq!(alice.sessions_started(), 2, "{:?}", alice.log);
    let mut bob = Peer::connect(&server, "bob", "laptop").await;
    bob.presence("", "", 0).await;
    let p = bob
        .wait_for("alice's presence", |s| alice_presence(s).is_some())
        .await;
    assert_eq!(
        alice_presence(&p),
        Some((Some(XShow::Xa), "before the shutdown".into(), 2))
    );
    alice.stop();
    bob.close().await;
}
