//! Gateways (XEP-0100) against a real Prosody, with slixmpp's own gateway plugin as the
//! gateway (`demo/gateway.py`, an XEP-0114 component, identity gateway/irc): rosterm
//! finds it among the server's items, a contact behind it shows `[irc]`, `/gateways` lists
//! it, `/register` fills its form field by field (the password masked, and redacted in the
//! XML console), the gateway gets exactly what was typed, rosterm subscribes to it and
//! approves its subscription request without showing it.

use crossterm::event::KeyCode;
use rosterm::domain::OwnPresence;
use rosterm::event::Command;
use rosterm::store::Mode;

use crate::chat_peer::ChatPeer;
use crate::client::Client;
use crate::harness::{RosterEntry, Server};

fn type_text(client: &mut Client, text: &str) {
    for c in text.chars() {
        client.press(KeyCode::Char(c));
    }
}

#[tokio::test]
async fn a_gateway_is_found_tagged_and_registered_with_and_its_password_never_shown() {
    let server = Server::start();
    server.register("alice", "alice-pw");
    let gw = server.component_domain.clone();
    let behind = format!("nick%irc.libera.chat@{gw}");
    let mut named = RosterEntry::new(&behind);
    named.name = Some("Nick on Libera".into());
    server.set_roster("alice", &[named, RosterEntry::new("bob@localhost")]);
    let mut gateway = ChatPeer::gateway(&server, "irc", "Test IRC").await;

    let mut alice = Client::start(&server, "alice", "alice-pw", OwnPresence::default());
    alice
        .until("the gateways known", |s| {
            s.primary().gateways.as_ref().is_some_and(|g| !g.is_empty())
        })
        .await;
    let found = alice.state.primary().gateways.clone().unwrap_or_default();
    assert_eq!(
        found.len(),
        1,
        "only the gateway, not the other items: {found:?}"
    );
    assert_eq!(
        (found[0].jid.as_str(), found[0].network.as_str()),
        (gw.as_str(), "irc")
    );
    assert!(found[0].registration, "{found:?}");
    let screen = alice.screen(120, 12);
    let row = |name: &str| {
        screen
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(row("Nick on Libera").contains("[irc]"), "{screen}");
    assert!(!row("bob@localhost").contains("[irc]"), "{screen}");
    alice.type_command("/gateways");
    let listed = alice
        .state
        .ui
        .message
        .clone()
        .map(|(t, _)| t)
        .unwrap_or_default();
    assert!(
        listed.contains(&format!("{gw} (irc, \"Test IRC\")")),
        "{listed}"
    );

    alice.command(Command::Console(true));
    alice.type_command(&format!("/register {gw}"));
    alice
        .until("the form asked", |s| matches!(s.ui.mode, Mode::Ask(_)))
        .await;
    // The gateway's fields come in its order (slixmpp keeps them in a set): each is
    // answered by what it asks.
    for step in 1..=2 {
        let screen = alice.screen(140, 12);
        let asked = screen
            .trim_end()
            .lines()
            .last()
            .unwrap_or_default()
            .to_owned();
        assert!(
            asked.contains(&format!("({step}/2, Esc cancels)")),
            "{screen}"
        );
        assert_eq!(
            asked.contains("Enter your credentials"),
            step == 1,
            "{screen}"
        );
        if asked.ends_with("Password:") {
            type_text(&mut alice, "irc-pw-77");
            let screen = alice.screen(140, 12);
            assert!(screen.contains("Password: *********"), "{screen}");
            assert!(!screen.contains("irc-pw-77"), "{screen}");
        } else {
            assert!(asked.ends_with("Username:"), "{screen}");
            type_text(&mut alice, "alice_irc");
        }
        alice.press(KeyCode::Enter);
    }

    let registered = gateway
        .wait_for("the registration", |m| {
            m.get("kind").map(String::as_str) == Some("registered")
        })
        .await;
    assert_eq!(
        registered.get("username").map(String::as_str),
        Some("alice_irc")
    );
    assert_eq!(
        registered.get("password").map(String::as_str),
        Some("irc-pw-77")
    );
    alice
        .until("told it is registered", |s| {
            s.ui.message
                .as_ref()
                .is_some_and(|(t, _)| t.starts_with("Registered with"))
        })
        .await;
    // rosterm subscribes to the gateway, and approves the gateway's own request.
    let is = |m: &crate::chat_peer::Received, type_: &str| {
        m.get("kind").map(String::as_str) == Some("presence")
            && m.get("type").map(String::as_str) == Some(type_)
            && m.get("from")
                .is_some_and(|f| f.starts_with("alice@localhost"))
    };
    gateway
        .wait_for("alice's subscribe", |m| is(m, "subscribe"))
        .await;
    gateway
        .wait_for("alice's approval", |m| is(m, "subscribed"))
        .await;
    alice
        .until("the gateway in the roster", |s| {
            s.primary()
                .roster
                .get(&jid::BareJid::new(&gw).unwrap())
                .is_some()
        })
        .await;
    assert!(
        alice.state.subscription_requests.is_empty(),
        "the gateway's request is not left for the user: {:?}",
        alice.state.subscription_requests
    );

    let console = &alice.state.primary().console.lines;
    let sent: Vec<&str> = console
        .iter()
        .map(|l| l.text.as_str())
        .filter(|x| x.contains("jabber:iq:register") && x.contains("alice_irc"))
        .collect();
    assert!(
        !sent.is_empty(),
        "the registration is in the console: {console:?}"
    );
    assert!(sent.iter().all(|x| x.contains("(redacted)")), "{sent:?}");
    assert!(
        console.iter().all(|l| !l.text.contains("irc-pw-77")),
        "the password is never in the console"
    );
    alice.stop();
    gateway.close().await;
}
