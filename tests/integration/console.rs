//! The XML console against a real Prosody: what a peer sends and what rosterm sends are
//! recorded, direction-marked and sanitized; nothing of the login (the password, SASL) ever
//! reaches it, even when it records from the very start; the roster shows its items.

use rosterm::domain::{ConnState, OwnPresence, Show};
use rosterm::event::{Command, ConsoleDir};
use rosterm::store::State;
use xmpp_parsers::stanza::Stanza;

use crate::client::Client;
use crate::harness::Server;
use crate::peer::{mutual, Peer};

fn has(s: &State, dir: ConsoleDir, text: &[&str]) -> bool {
    s.primary()
        .console
        .lines
        .iter()
        .any(|l| l.dir == dir && text.iter().all(|t| l.text.contains(t)))
}

#[tokio::test]
async fn the_console_shows_both_directions_and_never_the_login() {
    let server = Server::start();
    server.register("alice", "alice-pw-7f3a");
    server.register("bob", "bob-pw");
    server.set_roster("alice", &[mutual("bob@localhost", "Bob")]);
    server.set_roster("bob", &[mutual("alice@localhost", "Alice")]);
    let account = crate::peer::account(&server, "alice", Some("rosterm"));
    let mut alice = Client::start_account(account, "alice-pw-7f3a", OwnPresence::default());
    // Recording from before the login.
    alice.command(Command::Console(true));
    alice
        .until("online with roster", |s| {
            s.primary().connection == ConnState::Online && s.primary().roster_loaded
        })
        .await;
    // The roster as the server sent it: its items, not the sieve's marker for them.
    alice
        .until("the roster result in the console", |s| {
            has(
                s,
                ConsoleDir::In,
                &["jabber:iq:roster", "bob@localhost", "Bob"],
            )
        })
        .await;
    let lines = &alice.state.primary().console.lines;
    assert!(
        lines
            .iter()
            .all(|l| !l.text.contains("urn:x-rosterm:sieve")),
        "{lines:?}"
    );
    let bob = Peer::connect(&server, "bob", "laptop").await;
    bob.presence("away", "console \u{202e}check", 3).await;
    alice
        .until("bob's presence in the console", |s| {
            has(
                s,
                ConsoleDir::In,
                &["bob@localhost/laptop", "<show>away</show>", "console"],
            )
        })
        .await;
    alice.set_presence(Show::Dnd, "busy here", 0);
    alice
        .until("alice's presence in the console", |s| {
            has(s, ConsoleDir::Out, &["<show>dnd</show>", "busy here"])
        })
        .await;
    let lines = &alice.state.primary().console.lines;
    assert!(
        lines.iter().all(|l| !l.text.contains('\u{202e}')),
        "sanitized: {lines:?}"
    );
    assert!(
        lines
            .iter()
            .all(|l| !l.text.contains("alice-pw-7f3a") && !l.text.contains("sasl")),
        "nothing of the login: {lines:?}"
    );
    // `/raw`: one stanza as typed reaches bob, and the console shows it going out.
    alice.command(Command::SendRaw(
        "<message to='bob@localhost/laptop' type='chat'><body>typed by hand</body></message>"
            .into(),
    ));
    let mut bob = bob;
    bob.wait_for(
        "the raw message",
        |st| matches!(st, Stanza::Message(m) if m.bodies.values().any(|b| b == "typed by hand")),
    )
    .await;
    alice
        .until("the raw message in the console", |s| {
            has(s, ConsoleDir::Out, &["typed by hand"])
        })
        .await;
    // Stopping: nothing more is recorded (the session takes commands before the stream,
    // so bob's next presence comes after it stopped).
    alice.command(Command::Console(false));
    bob.presence("xa", "after the console", 3).await;
    alice
        .until("bob xa", |s| {
            s.primary()
                .roster
                .get(&jid::BareJid::new("bob@localhost").unwrap())
                .is_some_and(|c| {
                    c.resources
                        .get("laptop")
                        .is_some_and(|r| r.status == "after the console")
                })
        })
        .await;
    let lines = &alice.state.primary().console.lines;
    assert!(
        lines.iter().all(|l| !l.text.contains("after the console")),
        "{lines:?}"
    );
    alice.stop();
    bob.close().await;
}
