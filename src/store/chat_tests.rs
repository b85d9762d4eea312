use std::time::{Duration, SystemTime};

use super::*;
use crate::domain::{AccountId, ContactId, Delivery, Direction, Via};
use crate::test_support::{incoming, jid};

fn bob() -> ContactId {
    ContactId::new(AccountId(0), jid("bob@example.org"))
}

#[test]
fn a_message_opens_its_conversation_unread_unless_on_screen() {
    let mut chats = Chats::default();
    let arrival = chats.receive(&bob(), incoming("bob@example.org", "1", "hi"), false, false);
    assert_eq!(arrival, Arrival::New { unread: true });
    assert_eq!(chats.open, vec![bob()]);
    assert_eq!(chats.unread(), 1);
    let seen = chats.receive(
        &bob(),
        incoming("bob@example.org", "2", "there"),
        false,
        true,
    );
    assert_eq!(seen, Arrival::New { unread: false });
    assert_eq!(chats.unread(), 1);
    let chat = chats.get(&bob()).unwrap();
    assert_eq!(chat.lines.len(), 2);
    assert_eq!(chat.reply_to.as_deref(), Some("phone"));
}

#[test]
fn copies_are_dropped_by_stanza_id_or_by_direction_and_id() {
    let mut chats = Chats::default();
    let mut live = incoming("bob@example.org", "m1", "hi");
    chats.receive(&bob(), live.clone(), false, false);
    // The archive's copy brings a stanza-id: same message (same id, same direction).
    live.stanza_id = Some("S1".into());
    live.via = Via::Archive;
    assert_eq!(
        chats.receive(&bob(), live.clone(), false, false),
        Arrival::Duplicate
    );
    let line = &chats.get(&bob()).unwrap().lines[0];
    assert_eq!(line.message.stanza_id.as_deref(), Some("S1"));
    // Same stanza-id, other id: still the same message.
    live.id = Some("other".into());
    assert_eq!(
        chats.receive(&bob(), live.clone(), false, false),
        Arrival::Duplicate
    );
    // Same id from the other direction is another message.
    let mut mine = incoming("bob@example.org", "m1", "mine");
    mine.direction = Direction::Out;
    assert!(matches!(
        chats.receive(&bob(), mine, false, false),
        Arrival::New { .. }
    ));
    assert_eq!(chats.get(&bob()).unwrap().lines.len(), 2);
    assert_eq!(chats.unread(), 1);
}

#[test]
fn corrections_replace_the_text_only_from_the_original_sender() {
    let mut chats = Chats::default();
    chats.receive(
        &bob(),
        incoming("bob@example.org", "m1", "helo"),
        false,
        true,
    );
    // A correction claiming to fix it from another resource is a new message.
    let mut forged = incoming("bob@example.org", "m2", "I said bye");
    forged.replaces = Some("m1".into());
    forged.resource = Some("other".into());
    chats.receive(&bob(), forged, false, true);
    let mut fix = incoming("bob@example.org", "m3", "hello");
    fix.replaces = Some("m1".into());
    assert_eq!(chats.receive(&bob(), fix, false, true), Arrival::Corrected);
    let lines = &chats.get(&bob()).unwrap().lines;
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0].message.body, "hello");
    assert!(lines[0].edited);
    assert!(!lines[1].edited);
}

#[test]
fn delivery_advances_own_messages_by_id_and_never_back() {
    let mut chats = Chats::default();
    let mut mine = incoming("bob@example.org", "o1", "hi");
    mine.direction = Direction::Out;
    chats.receive(&bob(), mine, false, true);
    assert_eq!(
        chats.get(&bob()).unwrap().lines[0].delivery,
        Some(Delivery::Queued)
    );
    chats.delivery(&bob(), "o1", Delivery::Delivered);
    chats.delivery(&bob(), "o1", Delivery::Sent);
    assert_eq!(
        chats.get(&bob()).unwrap().lines[0].delivery,
        Some(Delivery::Delivered)
    );
    // A receipt for an incoming message's id changes nothing.
    chats.receive(&bob(), incoming("bob@example.org", "i1", "yo"), false, true);
    chats.delivery(&bob(), "i1", Delivery::Failed("x".into()));
    assert_eq!(chats.get(&bob()).unwrap().lines[1].delivery, None);
}

#[test]
fn older_messages_go_first_and_are_not_news() {
    let mut chats = Chats::default();
    chats.receive(
        &bob(),
        incoming("bob@example.org", "new", "new"),
        false,
        true,
    );
    chats.get_mut(&bob()).unwrap().older = Older::Loading;
    let mut old = incoming("bob@example.org", "old", "old");
    old.at = SystemTime::now() - Duration::from_secs(3600);
    old.via = Via::Archive;
    assert_eq!(
        chats.receive(&bob(), old, false, false),
        Arrival::New { unread: false }
    );
    let lines = &chats.get(&bob()).unwrap().lines;
    assert_eq!(lines[0].message.body, "old");
    assert_eq!(lines[1].message.body, "new");
}

#[test]
fn replies_go_to_the_last_resource_until_it_changes_presence() {
    let mut chats = Chats::default();
    chats.receive(&bob(), incoming("bob@example.org", "1", "hi"), false, true);
    assert_eq!(
        chats.get(&bob()).unwrap().reply_target().to_string(),
        "bob@example.org/phone"
    );
    chats.presence(&bob(), Some("laptop"));
    assert!(chats.get(&bob()).unwrap().reply_to.is_some());
    chats.presence(&bob(), Some("phone"));
    assert_eq!(
        chats.get(&bob()).unwrap().reply_target().to_string(),
        "bob@example.org"
    );
}

#[test]
fn memory_keeps_the_newest_while_following_and_loaded_pages_merge() {
    let mut chats = Chats::default();
    for i in 0..KEEP + 20 {
        chats.receive(
            &bob(),
            incoming("bob@example.org", &i.to_string(), "x"),
            false,
            true,
        );
    }
    let chat = chats.get(&bob()).unwrap();
    assert_eq!(chat.lines.len(), KEEP);
    assert_eq!(chat.lines[0].message.id.as_deref(), Some("20"));
    // A page from disk that overlaps what is shown adds only what is new, with its keys.
    let mut page: Vec<ChatLine> = (15..25)
        .map(|i| {
            let mut line = ChatLine::new(incoming("bob@example.org", &i.to_string(), "x"));
            line.key = Some(i as i64);
            line.message.at = chat.lines[0].message.at - Duration::from_secs(100 - i as u64);
            line
        })
        .collect();
    page.sort_by_key(|l| l.message.at);
    chats.loaded(&bob(), page, true);
    let chat = chats.get(&bob()).unwrap();
    assert_eq!(chat.lines.len(), KEEP + 5);
    assert_eq!(chat.lines[0].key, Some(15));
    assert_eq!(chat.older, Older::Disk);
}
