//! Private messages via a room (XEP-0045 §7.5) against a real Prosody with a slixmpp
//! occupant: a peer's message to alice's occupant JID opens its own conversation (not the
//! room pane), and alice's reply there reaches the peer's occupant.

use crossterm::event::KeyCode;
use rosterm::domain::ContactId;
use rosterm::store::Focus;

use crate::muc_peer::{field, MucPeer};
use crate::rooms::{alice, room, server};
use crate::A0;

#[tokio::test]
async fn a_private_message_via_the_room_opens_its_own_conversation_and_the_reply_goes_back() {
    let server = server();
    let coven = room(&server, "coven");
    let mut bob = MucPeer::connect(&server, "bob").await;
    bob.run(&format!("join {coven} bob")).await;
    let mut alice = alice(&server).await;
    alice.type_command(&format!("join {coven}/alice"));
    let room_id = ContactId::new(A0, coven.clone());
    alice
        .until("joined", |s| {
            s.chats.room(&room_id).is_some_and(|r| r.joined())
        })
        .await;

    bob.command(&format!(
        "raw <message type='chat' to='{coven}/alice'><body>psst</body></message>"
    ))
    .await;
    let pm = ContactId::occupant(A0, coven.clone(), "bob".into());
    alice
        .until("the private conversation", |s| {
            s.chats
                .get(&pm)
                .is_some_and(|c| c.lines.iter().any(|l| l.message.body == "psst"))
        })
        .await;
    let in_room = alice
        .state
        .chats
        .get(&room_id)
        .is_some_and(|c| c.lines.iter().any(|l| l.message.body == "psst"));
    assert!(!in_room, "the private message reached the room pane");
    alice.state.ui.focus = Focus::Chat(pm);
    let screen = alice.screen(150, 20);
    assert!(
        screen.contains(&format!("private message via the room {coven}"))
            && screen.contains("coven/bob"),
        "{screen}"
    );
    for c in "hi bob".chars() {
        alice.press(KeyCode::Char(c));
    }
    alice.press(KeyCode::Enter);
    let got = bob
        .wait_for("alice's private reply", |r| field(r, "body") == "hi bob")
        .await;
    assert_eq!(field(&got, "type"), "chat");
    assert_eq!(field(&got, "from"), format!("{coven}/alice"));
    alice.stop();
}
