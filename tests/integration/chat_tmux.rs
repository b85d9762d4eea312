//! Conversations in the real binary, in tmux, against Prosody: a message from a contact
//! shows up unread, typed keys go to the conversation's input (never to presence keys), the
//! reply reaches the contact with its receipt request, the contact's receipt shows ✓✓, and a
//! hostile body is drawn inert.

use xmpp_parsers::message::Message as XMessage;
use xmpp_parsers::stanza::Stanza;

use crate::binary::{alice_and_bob, cooked, exited, shell_command, write_config, Tmux};

fn body_of(s: &Stanza) -> Option<(XMessage, String)> {
    let Stanza::Message(m) = s else { return None };
    let body = m.bodies.values().next()?.clone();
    Some((m.clone(), body))
}

// Multi-thread: the tmux polling blocks its thread, the peer must keep running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_in_the_real_terminal() {
    let (server, mut bob, dir) = alice_and_bob("at the yard").await;
    let log = dir.path().join("rosterm.log");
    let config = write_config(dir.path(), &server, "alice-pw", server.port);
    let tmux = Tmux::start(&shell_command(&config, &log), 130, 24);
    tmux.wait_for("the roster with Bob online", |s| {
        s.contains("Bob Builder") && s.contains("at the yard")
    });

    // Bob writes, with a bidi override, a zero-width space and a C1 control in the body
    // (XML cannot carry ESC itself).
    bob.send_xml(
        "<message xmlns='jabber:client' to='alice@localhost' type='chat' id='b1'>\
         <body>can we fix it? \u{202e}yes\u{200b}\u{85}!</body>\
         <request xmlns='urn:xmpp:receipts'/></message>",
    )
    .await;
    let screen = tmux.wait_for("the unread mark", |s| {
        s.contains("1 Bob Builder ✉1") && s.contains("✉ 1 unread")
    });
    assert!(
        screen
            .lines()
            .any(|l| l.starts_with("✉") && l.contains("Bob Builder")),
        "the roster row is marked:\n{screen}"
    );
    // rosterm confirms the message to Bob (a known contact).
    let receipt = bob
        .wait_for("a receipt for b1", |s| {
            matches!(s, Stanza::Message(m) if m.payloads.iter().any(|p| p.is("received", "urn:xmpp:receipts") && p.attr("id") == Some("b1")))
        })
        .await;
    drop(receipt);

    // Enter on Bob's row opens the conversation: the body is there, inert.
    tmux.keys(&["j"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the conversation, read", |s| {
        s.lines()
            .any(|l| !l.starts_with('✉') && l.contains(" Bob Builder: can we fix it? yes\u{fffd}!"))
            && !s.contains("✉ 1 unread")
    });

    // Typed letters are text: "a", "d", "q" set no presence and do not quit.
    tmux.keys(&["-l", "yes we can, dad"]);
    tmux.wait_for("the draft", |s| s.contains("> yes we can, dad"));
    tmux.keys(&["Enter"]);
    let sent = bob
        .wait_for("alice's reply", |s| {
            body_of(s).is_some_and(|(_, b)| b == "yes we can, dad")
        })
        .await;
    let (message, _) = body_of(&sent).unwrap();
    assert!(
        message
            .payloads
            .iter()
            .any(|p| p.is("request", "urn:xmpp:receipts")),
        "asks for a receipt: {message:?}"
    );
    let id = message.id.clone().expect("an id");
    assert_eq!(
        message.to.as_ref().map(ToString::to_string).as_deref(),
        Some("bob@localhost/laptop"),
        "replies go to the resource Bob wrote from"
    );
    // Bob's client confirms it: ✓✓.
    bob.send_xml(&format!(
        "<message xmlns='jabber:client' to='alice@localhost/rosterm'>\
         <received xmlns='urn:xmpp:receipts' id='{}'/></message>",
        id.0
    ))
    .await;
    tmux.wait_for("delivered", |s| s.contains("me: yes we can, dad ✓✓"));
    let header = tmux.capture();
    assert!(
        header
            .lines()
            .next()
            .is_some_and(|h| h.contains("online [4]")),
        "no presence key acted:\n{header}"
    );

    // Esc: the roster; q there quits cleanly.
    tmux.keys(&["Escape"]);
    tmux.wait_for("the roster's key hint", |s| s.contains("? help"));
    tmux.keys(&["q"]);
    let after = tmux.wait_for("exit", exited);
    assert!(after.contains("EXIT=0"), "{after}");
    assert!(cooked(&after), "terminal left in raw mode:\n{after}");
    drop(tmux);

    // Next run, same database: the conversation's history is there at once (from disk),
    // delivery marks included.
    let tmux = Tmux::start(&shell_command(&config, &log), 130, 24);
    tmux.wait_for("the roster", |s| s.contains("Bob Builder"));
    tmux.keys(&["/"]);
    tmux.keys(&["-l", "msg bob@localhost"]);
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the stored conversation", |s| {
        s.contains("me: yes we can, dad ✓✓") && s.contains("Bob Builder: can we fix it? yes")
    });
    assert!(!screen.contains("✉"), "history is not news:\n{screen}");
    tmux.keys(&["Escape"]);
    tmux.wait_for("the roster's key hint", |s| s.contains("? help"));
    tmux.keys(&["q"]);
    let after = tmux.wait_for("exit", exited);
    assert!(after.contains("EXIT=0"), "{after}");
    bob.close().await;
}
