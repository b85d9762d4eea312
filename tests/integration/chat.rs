//! 1:1 conversations against a real Prosody (carbons, mam, offline, smacks) with real chat
//! clients as peers (`chat_peer`: slixmpp, which answers receipt requests by itself): send
//! and receive, Sent then Delivered, chat states and corrections both ways, carbons from the
//! own other client shown and forged ones not, a refused message failed with the server's
//! reason. What happens while rosterm or the server is away: `chat_away`. The helpers here
//! are shared with it.

use std::time::{Duration, SystemTime};

use jid::{BareJid, Jid};
use rosterm::domain::{ChatState, ConnState, Delivery, Direction, Message, Outgoing, Via};
use rosterm::event::{Command, SessionEvent};

use crate::chat_peer::ChatPeer;
use crate::client::Client;
use crate::harness::{Kind, Server};
use crate::peer::{account, mutual, WAIT};

on_each_server!(
    a_message_reaches_the_peer_sent_then_delivered_with_states_and_a_correction,
    a_message_from_the_peer_arrives_once_with_its_ids_states_and_correction,
    carbons_of_the_own_other_client_are_shown_and_forged_ones_are_not,
    a_message_to_a_nonexistent_user_fails_with_the_reason,
);

pub(crate) fn server() -> Server {
    server_of(Kind::Prosody)
}

/// alice and bob, subscribed to each other, on a fresh server of this kind.
pub(crate) fn server_of(kind: Kind) -> Server {
    let server = Server::start_kind(kind);
    for user in ["alice", "bob"] {
        server.register(user, &format!("{user}-pw"));
    }
    server.set_roster("alice", &[mutual("bob@localhost", "Bob")]);
    server.set_roster("bob", &[mutual("alice@localhost", "Alice")]);
    server
}

pub(crate) fn bob() -> BareJid {
    BareJid::new("bob@localhost").unwrap()
}

pub(crate) async fn alice_online(server: &Server) -> Client {
    alice_from(server, None).await
}

/// alice's rosterm, its history knowing archive id `after`, online with its roster.
pub(crate) async fn alice_from(server: &Server, after: Option<String>) -> Client {
    let mut alice = Client::start_after(
        account(server, "alice", Some("rosterm")),
        "alice-pw",
        Default::default(),
        Default::default(),
        None,
        after,
    );
    alice
        .until("online with roster", |s| {
            s.primary().connection == ConnState::Online && s.primary().roster_loaded
        })
        .await;
    alice
}

pub(crate) fn outgoing(to: &str, id: &str, body: &str, replaces: Option<&str>) -> Outgoing {
    Outgoing {
        to: Jid::new(to).unwrap(),
        id: id.into(),
        body: body.into(),
        replaces: replaces.map(str::to_owned),
        receipts_and_states: true,
        at: SystemTime::now(),
    }
}

/// Waits for an event matching `pred` (looking at the events already seen first).
pub(crate) async fn event(
    c: &mut Client,
    what: &str,
    pred: impl Fn(&SessionEvent) -> bool,
) -> SessionEvent {
    if let Some(ev) = c.log.iter().find(|e| pred(e)) {
        return ev.clone();
    }
    let found = tokio::time::timeout(WAIT, async {
        while let Some(ev) = c.handle.events.recv().await {
            c.log.push(ev.clone());
            c.effects.extend(rosterm::update::on_session(
                &mut c.state,
                crate::A0,
                ev.clone(),
            ));
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
            "rosterm never saw {what}; last events: {:?}",
            &c.log[c.log.len().saturating_sub(10)..]
        ),
    }
}

pub(crate) async fn message(c: &mut Client, body: &str) -> Message {
    match event(
        c,
        body,
        |e| matches!(e, SessionEvent::Message(m) if m.body == body),
    )
    .await
    {
        SessionEvent::Message(m) => m,
        _ => unreachable!(),
    }
}

pub(crate) async fn delivery(c: &mut Client, id: &str, what: fn(&Delivery) -> bool) -> Delivery {
    let ev = event(c, &format!("delivery of {id}"), |e| {
        matches!(e, SessionEvent::Delivery { id: i, delivery, .. } if i == id && what(delivery))
    })
    .await;
    match ev {
        SessionEvent::Delivery { delivery, .. } => delivery,
        _ => unreachable!(),
    }
}

/// Every message with this body rosterm emitted so far.
pub(crate) fn copies<'a>(c: &'a Client, body: &str) -> Vec<&'a Message> {
    c.log
        .iter()
        .filter_map(|e| match e {
            SessionEvent::Message(m) if m.body == body => Some(m),
            _ => None,
        })
        .collect()
}

pub(crate) fn bob_message(id: &str, to: &str, body: &str, extra: &str) -> String {
    format!(
        "<message xmlns='jabber:client' type='chat' id='{id}' to='{to}'><body>{body}</body>\
         <origin-id xmlns='urn:xmpp:sid:0' id='{id}'/>{extra}</message>"
    )
}

async fn a_message_reaches_the_peer_sent_then_delivered_with_states_and_a_correction(kind: Kind) {
    let server = server_of(kind);
    let mut bob_py = ChatPeer::connect(&server, "bob", "py", false).await;
    let mut alice = alice_online(&server).await;

    alice.command(Command::SendMessage(outgoing(
        "bob@localhost/py",
        "m-1",
        "hello bob",
        None,
    )));
    let got = bob_py
        .wait_for("hello bob", |m| {
            m.get("body").is_some_and(|b| b == "hello bob")
        })
        .await;
    assert_eq!(got.get("id").map(String::as_str), Some("m-1"), "{got:?}");
    assert_eq!(
        got.get("origin_id").map(String::as_str),
        Some("m-1"),
        "{got:?}"
    );
    assert_eq!(got.get("type").map(String::as_str), Some("chat"), "{got:?}");
    assert_eq!(got.get("request").map(String::as_str), Some("1"), "{got:?}");
    assert_eq!(
        got.get("state").map(String::as_str),
        Some("active"),
        "{got:?}"
    );
    // XEP-0198 ack from the server, then slixmpp's own receipt.
    delivery(&mut alice, "m-1", |d| *d == Delivery::Sent).await;
    delivery(&mut alice, "m-1", |d| *d == Delivery::Delivered).await;

    alice.command(Command::SendChatState {
        to: Jid::new("bob@localhost/py").unwrap(),
        state: ChatState::Composing,
    });
    let typing = bob_py
        .wait_for("composing", |m| {
            m.get("state").is_some_and(|s| s == "composing")
        })
        .await;
    assert!(!typing.contains_key("body"), "{typing:?}");

    alice.command(Command::SendMessage(outgoing(
        "bob@localhost/py",
        "m-2",
        "hello, bob",
        Some("m-1"),
    )));
    let fixed = bob_py
        .wait_for("the correction", |m| {
            m.get("id").is_some_and(|i| i == "m-2")
        })
        .await;
    assert_eq!(
        fixed.get("replace").map(String::as_str),
        Some("m-1"),
        "{fixed:?}"
    );
    assert_eq!(fixed.get("body").map(String::as_str), Some("hello, bob"));
    delivery(&mut alice, "m-2", |d| *d == Delivery::Sent).await;
    alice.stop();
    bob_py.close().await;
}

async fn a_message_from_the_peer_arrives_once_with_its_ids_states_and_correction(kind: Kind) {
    let server = server_of(kind);
    let mut alice = alice_online(&server).await;
    let mut bob_py = ChatPeer::connect(&server, "bob", "py", false).await;

    let states = "<active xmlns='http://jabber.org/protocol/chatstates'/>";
    let request = "<request xmlns='urn:xmpp:receipts'/>";
    bob_py
        .send_xml(&bob_message(
            "b-1",
            "alice@localhost",
            "hi alice",
            &format!("{request}{states}"),
        ))
        .await;
    let m = message(&mut alice, "hi alice").await;
    assert_eq!(
        (&m.peer, m.resource.as_deref(), m.direction, m.via),
        (&bob(), Some("py"), Direction::In, Via::Live)
    );
    assert_eq!(
        (m.id.as_deref(), m.origin_id.as_deref()),
        (Some("b-1"), Some("b-1"))
    );
    assert!(m.wants_receipt, "{m:?}");
    assert!(
        m.stanza_id.is_some(),
        "Prosody's mod_mam stamps a stanza-id by alice@localhost"
    );
    event(&mut alice, "bob active", |e| {
        matches!(e, SessionEvent::ChatState { state: ChatState::Active, peer, .. } if *peer == bob())
    })
    .await;

    bob_py
        .send_xml(
            "<message xmlns='jabber:client' type='chat' to='alice@localhost'>\
            <composing xmlns='http://jabber.org/protocol/chatstates'/></message>",
        )
        .await;
    event(&mut alice, "bob composing", |e| {
        matches!(e, SessionEvent::ChatState { state: ChatState::Composing, resource, .. } if resource.as_deref() == Some("py"))
    })
    .await;

    bob_py
        .send_xml(&bob_message(
            "b-2",
            "alice@localhost",
            "hi, alice",
            "<replace xmlns='urn:xmpp:message-correct:0' id='b-1'/>",
        ))
        .await;
    let fixed = message(&mut alice, "hi, alice").await;
    assert_eq!(fixed.replaces.as_deref(), Some("b-1"));

    // The app decides to confirm (bob is no stranger); the session never does by itself.
    alice.command(Command::SendReceipt {
        to: Jid::new("bob@localhost/py").unwrap(),
        id: "b-1".into(),
    });
    bob_py
        .wait_for("the receipt", |m| {
            m.get("received").is_some_and(|r| r == "b-1")
        })
        .await;
    alice.settle(Duration::from_secs(1)).await;
    assert_eq!(copies(&alice, "hi alice").len(), 1, "shown once");
    alice.stop();
    bob_py.close().await;
}

async fn carbons_of_the_own_other_client_are_shown_and_forged_ones_are_not(kind: Kind) {
    let server = server_of(kind);
    let mut alice = alice_online(&server).await;
    let mut bob_py = ChatPeer::connect(&server, "bob", "py", false).await;
    let mut phone = ChatPeer::connect(&server, "alice", "phone", true).await;

    phone
        .send_xml(&bob_message(
            "p-1",
            "bob@localhost/py",
            "from the phone",
            "",
        ))
        .await;
    let sent = message(&mut alice, "from the phone").await;
    assert_eq!(
        (
            &sent.peer,
            sent.resource.as_deref(),
            sent.direction,
            sent.via
        ),
        (&bob(), Some("py"), Direction::Out, Via::Carbon)
    );
    assert_eq!(sent.origin_id.as_deref(), Some("p-1"));
    bob_py
        .wait_for("the phone's message", |m| {
            m.get("id").is_some_and(|i| i == "p-1")
        })
        .await;

    bob_py
        .send_xml(&bob_message(
            "b-9",
            "alice@localhost/phone",
            "to the phone",
            "",
        ))
        .await;
    let received = message(&mut alice, "to the phone").await;
    assert_eq!(
        (&received.peer, received.direction, received.via),
        (&bob(), Direction::In, Via::Carbon)
    );
    phone
        .wait_for("bob's message", |m| m.get("id").is_some_and(|i| i == "b-9"))
        .await;

    // bob forges what only alice's server may say: a carbon of "alice's" message, one of a
    // message "to alice", and archive results for the ids rosterm's queries use.
    let inner = |from: &str, to: &str, body: &str| {
        format!(
            "<forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' type='chat' \
                 from='{from}' to='{to}'><body>{body}</body></message></forwarded>"
        )
    };
    for kind in ["sent", "received"] {
        let forged = inner(
            "alice@localhost/phone",
            "bob@localhost",
            &format!("forged {kind}"),
        );
        bob_py
            .send_xml(&format!(
                "<message xmlns='jabber:client' type='chat' to='alice@localhost/rosterm'>\
                <{kind} xmlns='urn:xmpp:carbons:2'>{forged}</{kind}></message>"
            ))
            .await;
    }
    for q in 1..=5 {
        let forged = inner("alice@localhost/phone", "bob@localhost", "forged archive");
        bob_py
            .send_xml(&format!("<message xmlns='jabber:client' to='alice@localhost/rosterm'>\
                <result xmlns='urn:xmpp:mam:2' queryid='rosterm-mam-{q}' id='x{q}'>{forged}</result></message>"))
            .await;
    }
    bob_py
        .send_xml(&bob_message("b-10", "alice@localhost", "marker", ""))
        .await;
    message(&mut alice, "marker").await;
    alice.settle(Duration::from_millis(500)).await;
    let forged: Vec<_> = alice
        .log
        .iter()
        .filter(|e| matches!(e, SessionEvent::Message(m) if m.body.starts_with("forged")))
        .collect();
    assert!(forged.is_empty(), "{forged:?}");
    alice.stop();
    bob_py.close().await;
    phone.close().await;
}

async fn a_message_to_a_nonexistent_user_fails_with_the_reason(kind: Kind) {
    let server = server_of(kind);
    let mut alice = alice_online(&server).await;
    alice.command(Command::SendMessage(outgoing(
        "nobody@localhost",
        "x-1",
        "anyone?",
        None,
    )));
    let failed = delivery(&mut alice, "x-1", |d| matches!(d, Delivery::Failed(_))).await;
    let Delivery::Failed(reason) = failed else {
        unreachable!()
    };
    assert!(reason.contains("service-unavailable"), "{reason}");
    alice.stop();
}

#[tokio::test]
async fn without_stream_management_a_message_is_sent_once_written() {
    let server = Server::start_with(crate::harness::Options {
        smacks: false,
        ..Default::default()
    });
    for user in ["alice", "bob"] {
        server.register(user, &format!("{user}-pw"));
    }
    let mut bob_py = ChatPeer::connect(&server, "bob", "py", false).await;
    let mut alice = alice_online(&server).await;
    alice.command(Command::SendMessage(outgoing(
        "bob@localhost/py",
        "w-1",
        "no acks here",
        None,
    )));
    // No XEP-0198: written is as far as the server lets anyone know.
    delivery(&mut alice, "w-1", |d| *d == Delivery::Sent).await;
    bob_py
        .wait_for("the message", |m| m.get("id").is_some_and(|i| i == "w-1"))
        .await;
    delivery(&mut alice, "w-1", |d| *d == Delivery::Delivered).await;
    alice.stop();
    bob_py.close().await;
}

#[tokio::test]
async fn a_server_without_carbons_is_said_once_and_chat_still_works() {
    let server = Server::start_with(crate::harness::Options {
        carbons: false,
        ..Default::default()
    });
    for user in ["alice", "bob"] {
        server.register(user, &format!("{user}-pw"));
    }
    let bob_py = ChatPeer::connect(&server, "bob", "py", false).await;
    let mut alice = alice_online(&server).await;
    event(
        &mut alice,
        "the refusal",
        |e| matches!(e, SessionEvent::Notice(n) if n.contains("refused to enable carbons")),
    )
    .await;
    alice.command(Command::SendMessage(outgoing(
        "bob@localhost/py",
        "nc-1",
        "still here",
        None,
    )));
    delivery(&mut alice, "nc-1", |d| *d == Delivery::Delivered).await;
    let notices = alice
        .log
        .iter()
        .filter(|e| matches!(e, SessionEvent::Notice(n) if n.contains("carbons")))
        .count();
    assert_eq!(notices, 1, "{:?}", alice.log);
    alice.stop();
    bob_py.close().await;
}
