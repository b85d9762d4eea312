//! Hostile and clumsy input through a real Prosody, against the sieve (`session::sieve`) and
//! the relaxed JID parse (vendor/jid): what used to knock a session offline or vanish
//! silently is now repaired, shown, or at least counted.

use jid::BareJid;
use rosterm::domain::ConnState;
use rosterm::domain::{OwnPresence, Show};
use rosterm::event::{PresenceChange, SessionEvent};
use rosterm::store::State;

use crate::client::Client;
use crate::harness::{RosterEntry, Server};
use crate::hostile::Component;
use crate::peer::{mutual, send_raw, spawn_raw, Peer};

fn server() -> Server {
    let server = Server::start();
    for user in ["alice", "bob", "carol"] {
        server.register(user, &format!("{user}-pw"));
    }
    server.set_roster("alice", &[mutual("bob@localhost", "Bob")]);
    server.set_roster("bob", &[mutual("alice@localhost", "Alice")]);
    server
}

async fn online(server: &Server, resource: &str) -> Client {
    let account = crate::peer::account(server, "alice", Some(resource));
    let mut alice = Client::start_account(account, "alice-pw", OwnPresence::default());
    alice
        .until("online with roster", |s| {
            s.primary().connection == ConnState::Online && s.primary().roster_loaded
        })
        .await;
    alice
}

fn resource<'a>(
    s: &'a State,
    jid: &str,
    res: &str,
) -> Option<&'a rosterm::store::presence::ResourcePresence> {
    s.primary()
        .roster
        .get(&BareJid::new(jid).unwrap())
        .and_then(|c| c.resources.get(res))
}

/// One session from start to end: no reconnect, no failure.
fn assert_one_session(client: &Client) {
    assert_eq!(client.sessions_started(), 1, "{:?}", client.log);
    assert!(
        !client.log.iter().any(|e| matches!(
            e,
            SessionEvent::Connection(ConnState::Reconnecting { .. } | ConnState::Failed { .. })
        )),
        "{:?}",
        client.log
    );
    assert_eq!(client.state.primary().connection, ConnState::Online);
}

#[tokio::test]
async fn a_long_attribute_from_anyone_costs_nothing_and_loses_nothing() {
    let server = server();
    let mut alice = online(&server, "rosterm").await;
    let a = "A".repeat(9000);
    // bob's current presence carries a 9 KiB attribute (rxml's limit is 8 KiB), and stays
    // current while bob/raw is connected.
    let mut bob_raw = spawn_raw(
        &server,
        "bob",
        &[format!(
            "<presence><show>away</show><status>long attribute</status><x xmlns='urn:x' a='{a}'/></presence>"
        )],
        60.0,
    );
    // A stranger's chat message to the bare JID, carrying one too.
    send_raw(
        &server,
        "carol",
        &[format!(
            "<message to='alice@localhost' type='chat'><body>hi</body><x xmlns='urn:x' a='{a}'/></message>"
        )],
    );
    alice
        .until("bob away, from the presence with the long attribute", |s| {
            resource(s, "bob@localhost", "raw")
                .is_some_and(|r| r.show == Show::Away && r.status == "long attribute")
        })
        .await;
    // Later presence still arrives.
    let bob = Peer::connect(&server, "bob", "laptop").await;
    bob.presence("chat", "after", 1).await;
    alice
        .until("bob's next presence", |s| {
            resource(s, "bob@localhost", "laptop").is_some_and(|r| r.status == "after")
        })
        .await;
    assert_one_session(&alice);
    // The store adds up every InputCleaned event.
    let repaired = alice.state.primary().input_repaired;
    assert!(repaired >= 2, "both stanzas noted: {:?}", alice.log);
    // The notice was offered to the status line (a later message may have replaced it there).
    assert!(
        alice.log.iter().any(|e| matches!(
            e,
            SessionEvent::InputCleaned { notice: Some(n), .. } if n.contains("9000-byte attribute")
        )),
        "{:?}",
        alice.log
    );

    // A fresh start while that presence is bob's current one: the probe answer carries it.
    let mut second = online(&server, "second").await;
    second
        .until("bob away on a fresh start", |s| {
            resource(s, "bob@localhost", "raw").is_some_and(|r| r.show == Show::Away)
        })
        .await;
    assert_one_session(&second);
    assert!(second
        .state
        .primary()
        .roster
        .get(&BareJid::new("bob@localhost").unwrap())
        .is_some_and(|c| c.name.as_deref() == Some("Bob")));
    let _ = bob_raw.kill();
    let _ = bob_raw.wait();
    second.stop();
    alice.stop();
    bob.close().await;
}

fn available<'a>(log: &'a [SessionEvent], status: &str) -> Option<(&'a Show, i8, Option<&'a str>)> {
    log.iter().find_map(|e| match e {
        SessionEvent::Presence {
            change:
                PresenceChange::Available {
                    show,
                    status: s,
                    priority,
                    odd_show,
                    ..
                },
            ..
        } if s == status => Some((show, *priority, odd_show.as_deref())),
        _ => None,
    })
}

#[tokio::test]
async fn invalid_presence_values_are_shown_and_unreadable_stanzas_counted() {
    let server = server();
    let mut alice = online(&server, "rosterm").await;
    send_raw(
        &server,
        "bob",
        &[
            "<presence><show>busy</show><status>s1</status></presence>".into(),
            "<presence><show/><status>s2</status></presence>".into(),
            "<presence><show>dnd</show><show>chat</show><status>s3</status></presence>".into(),
            "<presence><priority>300</priority><status>s4</status></presence>".into(),
            "<presence><priority>-129</priority><status>s5</status></presence>".into(),
            "<presence><priority>abc</priority><show>xa</show><status>s6</status></presence>".into(),
            // xmpp-parsers refuses a message with two threads; nothing repairs that.
            "<message to='alice@localhost/rosterm' type='chat'><body>a</body><thread>1</thread><thread>2</thread></message>".into(),
            "<presence><show>chat</show><status>end</status></presence>".into(),
        ],
    );
    alice
        .until("the last presence", |s| {
            resource(s, "bob@localhost", "raw").is_some_and(|r| r.status == "end")
        })
        .await;
    let log = &alice.log;
    assert_eq!(available(log, "s1"), Some((&Show::Online, 0, Some("busy"))));
    assert_eq!(available(log, "s2"), Some((&Show::Online, 0, Some(""))));
    assert_eq!(available(log, "s3"), Some((&Show::Dnd, 0, None)));
    assert_eq!(available(log, "s4"), Some((&Show::Online, 127, None)));
    assert_eq!(available(log, "s5"), Some((&Show::Online, -128, None)));
    assert_eq!(available(log, "s6"), Some((&Show::Xa, 0, None)));
    assert_eq!(
        alice.state.primary().input_discarded,
        1,
        "the unreadable message is counted"
    );
    assert!(alice.state.primary().input_repaired >= 6);
    assert_one_session(&alice);
    alice.stop();
}

#[tokio::test]
async fn jids_stringprep_refuses_are_kept_as_written() {
    let server = server();
    let fox = "📱fox@bots.localhost";
    server.set_roster(
        "alice",
        &[
            mutual("bob@localhost", "Bob"),
            RosterEntry {
                jid: fox.into(),
                name: Some("Fox".into()),
                groups: vec!["Bots".into()],
                subscription: "both",
                ask: None,
            },
        ],
    );
    let mut alice = online(&server, "rosterm").await;
    let roster = &alice.state.primary().roster;
    let bob = roster
        .get(&BareJid::new("bob@localhost").unwrap())
        .expect("bob");
    assert_eq!(
        bob.name.as_deref(),
        Some("Bob"),
        "the rest of the roster is intact"
    );
    let fox_jid = BareJid::new(fox).expect("the relaxed parse keeps it");
    let contact = roster.get(&fox_jid).expect("fox in the roster");
    assert_eq!(contact.group_names(), vec!["Bots".to_string()]);
    assert!(
        !alice
            .log
            .iter()
            .any(|e| matches!(e, SessionEvent::Notice(_))),
        "{:?}",
        alice.log
    );
    // Presence from an emoji resource (a gateway, played by a component).
    let mut component = Component::connect(&server).await;
    component
        .send(&format!(
            "<presence from='{fox}/📱phone' to='alice@localhost/rosterm'><show>away</show><status>on the phone</status></presence>"
        ))
        .await;
    alice
        .until("fox's phone", |s| {
            resource(s, fox, "📱phone").is_some_and(|r| r.show == Show::Away)
        })
        .await;
    assert_one_session(&alice);
    alice.stop();
}
