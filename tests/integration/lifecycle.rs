//! Connection lifecycle against a real Prosody: resource conflicts, certificate pinning,
//! dead connections (SIGSTOP), changes made while disconnected, roster versioning. Most run
//! against ejabberd too (`on_each_server!`).

use std::time::Duration;

use jid::BareJid;
use rosterm::domain::ConnState;
use rosterm::domain::{OwnPresence, Show};
use rosterm::event::{Command, SessionEvent};
use xmpp_parsers::presence::{Show as XShow, Type as PType};

use crate::client::Client;
use crate::harness::{Kind, Server};
use crate::peer::{account, presence_from, Peer};
use crate::proxy::Proxy;

fn server(kind: Kind) -> Server {
    let server = Server::start_kind(kind);
    for user in ["alice", "bob"] {
        server.register(user, &format!("{user}-pw"));
    }
    server.set_roster("alice", &[crate::peer::mutual("bob@localhost", "Bob")]);
    server.set_roster("bob", &[crate::peer::mutual("alice@localhost", "Alice")]);
    server
}

on_each_server!(
    resource_conflict_is_fatal_and_does_not_start_a_reconnect_war,
    pinned_certificate_is_trusted_without_a_ca_and_a_wrong_pin_is_fatal,
    untrusted_certificate_names_fingerprint_and_domain_and_is_not_retried,
    wrong_password_is_reported_once_and_retried_only_on_request,
    dead_connection_is_noticed_and_recovered_after_sigstop,
    unchanged_roster_is_not_downloaded_again_after_a_restart,
    unknown_host_is_fatal;
    multi_thread: lost_connection_resumes_without_resending_and_a_change_made_meanwhile_goes_out_once,
);

fn initial() -> OwnPresence {
    OwnPresence {
        show: Show::Online,
        status: "hi".into(),
        priority: 1,
    }
}

fn online(s: &rosterm::store::State) -> bool {
    s.primary().connection == ConnState::Online && s.primary().roster_loaded
}

async fn resource_conflict_is_fatal_and_does_not_start_a_reconnect_war(kind: Kind) {
    let server = server(kind);
    let mut alice = Client::start(&server, "alice", "alice-pw", initial());
    alice.until("online", online).await;
    // Another client takes alice/rosterm: the server replaces the old session with a conflict.
    let intruder = Peer::connect(&server, "alice", "rosterm").await;
    alice.until("failed with conflict", |s| matches!(&s.primary().connection, ConnState::Failed { reason } if reason.contains("Another client logged in as alice@localhost/rosterm"))).await;
    // No war: rosterm does not reconnect on its own.
    alice.settle(Duration::from_secs(4)).await;
    assert_eq!(
        alice.sessions_started(),
        1,
        "rosterm reconnected by itself: {:?}",
        alice.log
    );
    assert!(matches!(
        alice.state.primary().connection,
        ConnState::Failed { .. }
    ));
    // The user takes it back on purpose.
    alice.command(Command::Reconnect);
    alice.until("online again after /reconnect", online).await;
    assert_eq!(alice.sessions_started(), 2);
    alice.stop();
    intruder.close().await;
}

fn server_fingerprint(server: &Server) -> [u8; 32] {
    use tokio_xmpp::rustls::pki_types::{pem::PemObject, CertificateDer};
    let cert = CertificateDer::from_pem_file(&server.ca_file).expect("harness certificate");
    let text = rosterm::session::connect::fingerprint(cert.as_ref());
    rosterm::config::parse_fingerprint(&text).expect("fingerprint round-trips")
}

async fn pinned_certificate_is_trusted_without_a_ca_and_a_wrong_pin_is_fatal(kind: Kind) {
    let server = server(kind);
    let mut pinned = account(&server, "alice", Some("rosterm"));
    pinned.ca_file = None;
    pinned.cert_fingerprint = Some(server_fingerprint(&server));
    let mut alice = Client::start_account(pinned.clone(), "alice-pw", initial());
    alice.until("online through the pin", online).await;
    alice.stop();

    let mut wrong = pinned;
    wrong.cert_fingerprint = Some([7u8; 32]);
    wrong.resource = Some("other".into());
    let mut alice = Client::start_account(wrong, "alice-pw", initial());
    alice
        .until("refused", |s| {
            matches!(s.primary().connection, ConnState::Failed { .. })
        })
        .await;
    let ConnState::Failed { reason } = &alice.state.primary().connection else {
        unreachable!()
    };
    assert!(
        reason.contains("not the one pinned in account.cert_fingerprint")
            && reason.contains("SHA-256 "),
        "{reason}"
    );
    alice.stop();
}

async fn untrusted_certificate_names_fingerprint_and_domain_and_is_not_retried(kind: Kind) {
    let server = server(kind);
    let mut untrusted = account(&server, "alice", Some("rosterm"));
    untrusted.ca_file = None;
    let mut alice = Client::start_account(untrusted, "alice-pw", initial());
    alice
        .until("refused", |s| {
            matches!(s.primary().connection, ConnState::Failed { .. })
        })
        .await;
    let ConnState::Failed { reason } = &alice.state.primary().connection else {
        unreachable!()
    };
    assert!(
        reason.contains("is not trusted for localhost")
            && reason.contains("SHA-256 ")
            && reason.contains("ca_file"),
        "{reason}"
    );
    alice.settle(Duration::from_secs(3)).await;
    let failures = alice
        .log
        .iter()
        .filter(|e| matches!(e, SessionEvent::Connection(ConnState::Failed { .. })))
        .count();
    assert_eq!(failures, 1, "no silent retry loop: {:?}", alice.log);
    alice.stop();
}

async fn wrong_password_is_reported_once_and_retried_only_on_request(kind: Kind) {
    let server = server(kind);
    let mut alice = Client::start(&server, "alice", "wrong-pw", initial());
    alice
        .until("failed", |s| {
            matches!(s.primary().connection, ConnState::Failed { .. })
        })
        .await;
    alice.settle(Duration::from_secs(3)).await;
    let failed = |c: &Client| {
        c.log
            .iter()
            .filter(|e| matches!(e, SessionEvent::Connection(ConnState::Failed { .. })))
            .count()
    };
    assert_eq!(failed(&alice), 1);
    alice.command(Command::Reconnect);
    alice.settle(Duration::from_secs(3)).await;
    assert_eq!(
        failed(&alice),
        2,
        "exactly one more attempt after /reconnect"
    );
    alice.stop();
}

async fn dead_connection_is_noticed_and_recovered_after_sigstop(kind: Kind) {
    let server = server(kind);
    let mut fast = account(&server, "alice", Some("rosterm"));
    fast.keepalive = 2; // dead after ~4 s of silence
    let mut alice = Client::start_account(fast, "alice-pw", initial());
    alice.until("online", online).await;
    server.pause();
    alice
        .until("dead connection noticed", |s| {
            matches!(s.primary().connection, ConnState::Reconnecting { .. })
        })
        .await;
    server.resume();
    alice
        .until("back online", |s| {
            s.primary().connection == ConnState::Online
        })
        .await;
    alice.stop();
}

#[tokio::test]
async fn presence_changed_while_disconnected_is_sent_once_back_and_the_roster_catches_up() {
    // Prosody only: the roster is rewritten while the server is down (ejabberd's harness
    // changes rosters through its running admin API).
    let mut server = server(Kind::Prosody);
    server.register("carol", "carol-pw");
    let mut alice = Client::start(&server, "alice", "alice-pw", initial());
    alice.until("online", online).await;

    server.stop();
    alice
        .until("reconnecting", |s| {
            matches!(s.primary().connection, ConnState::Reconnecting { .. })
        })
        .await;
    // Two changes while offline: the last one wins.
    alice.set_presence(Show::Away, "first", 2);
    alice.set_presence(Show::Xa, "while you were away", 3);
    // The roster changed on the server meanwhile.
    server.set_roster(
        "alice",
        &[
            crate::peer::mutual("bob@localhost", "Bob"),
            crate::peer::mutual("carol@localhost", "Carol"),
        ],
    );
    server.restart();
    alice
        .until("back with carol", |s| {
            online(s)
                && s.primary()
                    .roster
                    .get(&BareJid::new("carol@localhost").unwrap())
                    .is_some()
        })
        .await;

    let mut bob = Peer::connect(&server, "bob", "laptop").await;
    bob.presence("", "", 0).await;
    let p = bob
        .wait_for("alice's presence", |s| {
            presence_from(s, "alice@localhost/rosterm").is_some()
        })
        .await;
    let p = presence_from(&p, "alice@localhost/rosterm").unwrap();
    assert_eq!(
        (p.type_.clone(), p.show.clone(), p.priority.0),
        (PType::None, Some(XShow::Xa), 3)
    );
    assert_eq!(
        p.statuses.values().next().map(String::as_str),
        Some("while you were away")
    );
    alice.stop();
    bob.close().await;
}

async fn unchanged_roster_is_not_downloaded_again_after_a_restart(kind: Kind) {
    let mut server = server(kind);
    let mut alice = Client::start(&server, "alice", "alice-pw", initial());
    alice.until("online", online).await;
    assert!(alice
        .log
        .iter()
        .any(|e| matches!(e, SessionEvent::RosterReceived(_))));
    server.restart();
    alice
        .until("reconnecting", |s| {
            matches!(s.primary().connection, ConnState::Reconnecting { .. })
        })
        .await;
    alice.until("second session with the roster", online).await;
    let after = alice
        .log
        .iter()
        .rposition(|e| matches!(e, SessionEvent::SessionStarted { .. }))
        .unwrap();
    assert!(
        alice.log[after..]
            .iter()
            .any(|e| matches!(e, SessionEvent::RosterUnchanged)),
        "roster versioning: the server said 'unchanged' instead of resending it: {:?}",
        &alice.log
    );
    assert!(alice
        .state
        .primary()
        .roster
        .get(&BareJid::new("bob@localhost").unwrap())
        .is_some());
    alice.stop();
}

async fn lost_connection_resumes_without_resending_and_a_change_made_meanwhile_goes_out_once(
    kind: Kind,
) {
    let server = server(kind);
    let proxy = Proxy::start(server.port).await;
    let mut bob = Peer::connect(&server, "bob", "laptop").await;
    bob.presence("", "", 0).await;
    let mut via_proxy = account(&server, "alice", Some("rosterm"));
    via_proxy.port = Some(proxy.port);
    let mut alice = Client::start_account(via_proxy, "alice-pw", initial());
    alice.until("online", online).await;
    let first = bob
        .wait_for("alice's initial presence", |s| {
            presence_from(s, "alice@localhost/rosterm").is_some()
        })
        .await;
    assert_eq!(
        presence_from(&first, "alice@localhost/rosterm")
            .unwrap()
            .statuses
            .values()
            .next()
            .map(String::as_str),
        Some("hi")
    );

    proxy.cut();
    alice
        .until("connection loss noticed", |s| {
            matches!(s.primary().connection, ConnState::Reconnecting { .. })
        })
        .await;
    alice.set_presence(Show::Dnd, "during the blip", 4);
    alice
        .until("resumed", |s| s.primary().connection == ConnState::Online)
        .await;
    assert_eq!(
        alice.sessions_started(),
        1,
        "XEP-0198 resumed the session: no new session, no roster refetch: {:?}",
        alice.log
    );

    // Exactly the change made meanwhile reaches bob: not the old presence again.
    let p = bob
        .wait_for("the change made during the blip", |s| {
            presence_from(s, "alice@localhost/rosterm").is_some()
        })
        .await;
    let p = presence_from(&p, "alice@localhost/rosterm").unwrap();
    assert_eq!(
        (p.show.clone(), p.statuses.values().next().cloned()),
        (Some(XShow::Dnd), Some("during the blip".to_owned()))
    );
    // A marker after it proves nothing else from alice was queued before it.
    alice.set_presence(Show::Chat, "marker", 4);
    let p = bob
        .wait_for("marker", |s| {
            presence_from(s, "alice@localhost/rosterm").is_some()
        })
        .await;
    assert_eq!(
        presence_from(&p, "alice@localhost/rosterm").unwrap().show,
        Some(XShow::Chat),
        "no duplicate presence: {:?}",
        bob.received
    );
    alice.stop();
    bob.close().await;
}

async fn unknown_host_is_fatal(kind: Kind) {
    let server = server(kind);
    let mut elsewhere = account(&server, "alice", Some("rosterm"));
    elsewhere.jid = BareJid::new("alice@nosuch.example").unwrap();
    let mut alice = Client::start_account(elsewhere, "alice-pw", initial());
    alice
        .until("failed", |s| {
            matches!(s.primary().connection, ConnState::Failed { .. })
        })
        .await;
    let ConnState::Failed { reason } = &alice.state.primary().connection else {
        unreachable!()
    };
    assert!(
        reason.contains("does not serve the domain nosuch.example (host-unknown)"),
        "{reason}"
    );
    alice.stop();
}

#[tokio::test]
async fn a_refused_request_is_shown() {
    let server = server(Kind::Prosody);
    let mut alice = Client::start(&server, "alice", "alice-pw", initial());
    alice.until("online", online).await;
    // Removing someone who is not in the roster: Prosody answers item-not-found (RFC 6121
    // §2.5.3). ejabberd 23.01 answers with a result and pushes the removal: Prosody only.
    alice.type_command("/remove nobody@localhost");
    alice.press(crossterm::event::KeyCode::Char('y'));
    alice
        .until("the refusal as a message", |s| {
            s.ui.message.as_ref().is_some_and(|(m, _)| {
                m.contains("The server refused removing nobody@localhost: item-not-found")
            })
        })
        .await;
    alice.stop();
}

#[tokio::test]
async fn an_unanswered_request_times_out_visibly() {
    let server = server(Kind::Prosody);
    let mut alice = Client::start(&server, "alice", "alice-pw", initial());
    alice.until("online", online).await;
    server.pause(); // the connection stays up (keepalive 60 s), nothing is answered
    alice.type_command("/rename bob@localhost Robert");
    alice
        .until("the timeout as a message", |s| {
            s.ui.message.as_ref().is_some_and(|(m, _)| {
                m.contains("did not answer within 30 s while updating bob@localhost")
            })
        })
        .await;
    server.resume();
    alice.stop();
}
