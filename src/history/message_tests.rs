//! Writing message history: de-duplication each way, corrections, delivery steps, and the
//! session events that reach the database. Reading it back: `read_tests.rs`.

use super::*;
use crate::domain::{Direction, Via};
use crate::event::SessionEvent;

pub(super) const ME: &str = "alice@example.org";

pub(super) fn jid(s: &str) -> BareJid {
    BareJid::new(s).expect("test JID")
}

pub(super) fn me() -> BareJid {
    jid(ME)
}

pub(super) fn bob() -> BareJid {
    jid("bob@example.org")
}

/// A fixed point in 2023, plus `s` seconds.
pub(super) fn at(s: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000 + s)
}

pub(super) fn msg(direction: Direction, body: &str, t: u64) -> Message {
    Message {
        peer: bob(),
        resource: Some("phone".into()),
        direction,
        body: body.into(),
        id: None,
        origin_id: None,
        stanza_id: None,
        at: at(t),
        replaces: None,
        wants_receipt: false,
        via: Via::Live,
    }
}

pub(super) fn with(
    mut m: Message,
    id: Option<&str>,
    origin: Option<&str>,
    stanza: Option<&str>,
) -> Message {
    m.id = id.map(str::to_owned);
    m.origin_id = origin.map(str::to_owned);
    m.stanza_id = stanza.map(str::to_owned);
    m
}

pub(super) fn open(dir: &tempfile::TempDir) -> History {
    History::open(&dir.path().join("rosterm.sqlite3")).expect("opens")
}

pub(super) fn put(h: &mut History, m: &Message) {
    h.write(&me(), &Write::Message(m.clone())).expect("write");
}

pub(super) fn deliver(h: &mut History, peer: &BareJid, id: &str, delivery: Delivery) {
    let change = Write::Delivery {
        peer: peer.clone(),
        id: id.into(),
        delivery,
    };
    h.write(&me(), &change).expect("delivery");
}

pub(super) fn all(h: &History, peer: &BareJid) -> Vec<StoredMessage> {
    h.recent(&me(), peer, 10_000, false).expect("recent")
}

pub(super) fn bodies(page: &[StoredMessage]) -> Vec<&str> {
    page.iter().map(|s| s.message.body.as_str()).collect()
}
#[test]
fn a_message_and_its_copy_with_the_same_stanza_id_are_stored_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = open(&dir);
    let live = with(msg(Direction::In, "hi", 1), Some("a1"), None, Some("S1"));
    put(&mut h, &live);
    // The archive's copy: another delay stamp, and this server rewrote nothing else.
    let mut copy = with(msg(Direction::In, "hi", 2), Some("a1"), None, Some("S1"));
    copy.via = Via::Archive;
    put(&mut h, &copy);
    // The same stanza-id alone is enough (a server-assigned key), even without any id.
    put(
        &mut h,
        &with(msg(Direction::In, "hi", 3), None, None, Some("S1")),
    );
    let stored = all(&h, &bob());
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].message.at, at(1), "the first copy stays");
    assert_eq!(h.count(&me(), &bob()).expect("count"), 1);
}

#[test]
fn a_copy_by_origin_id_fills_in_the_stanza_id_the_first_lacked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = open(&dir);
    // Live, from a server that does not stamp live messages; then the archive's copy.
    put(
        &mut h,
        &with(msg(Direction::In, "hello", 1), Some("x"), Some("O1"), None),
    );
    assert_eq!(h.last_stanza_id(&me()).expect("cursor"), None);
    let mut copy = with(
        msg(Direction::In, "hello", 1),
        Some("x"),
        Some("O1"),
        Some("S9"),
    );
    copy.via = Via::Archive;
    put(&mut h, &copy);
    let stored = all(&h, &bob());
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].message.stanza_id.as_deref(), Some("S9"));
    assert_eq!(
        h.last_stanza_id(&me()).expect("cursor").as_deref(),
        Some("S9")
    );
    // And a third copy by that stanza-id is found by it.
    put(&mut h, &copy);
    assert_eq!(all(&h, &bob()).len(), 1);
}

#[test]
fn a_copy_by_id_alone_is_stored_once_and_a_carbon_then_its_archive_copy_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = open(&dir);
    // Offline storage, then the archive: a client that sets only `id`.
    let mut offline = with(
        msg(Direction::In, "while you were out", 1),
        Some("7"),
        None,
        None,
    );
    offline.via = Via::Offline;
    put(&mut h, &offline);
    let mut archived = with(offline.clone(), Some("7"), None, Some("S7"));
    archived.via = Via::Archive;
    put(&mut h, &archived);
    // The user's other client sent this (a carbon), then the archive returns it.
    let mut carbon = with(
        msg(Direction::Out, "from my phone", 2),
        Some("p1"),
        Some("P1"),
        None,
    );
    carbon.via = Via::Carbon;
    put(&mut h, &carbon);
    let mut archived = with(carbon.clone(), Some("p1"), Some("P1"), Some("S8"));
    archived.via = Via::Archive;
    put(&mut h, &archived);
    let stored = all(&h, &bob());
    assert_eq!(bodies(&stored), ["while you were out", "from my phone"]);
    assert_eq!(stored[0].message.stanza_id.as_deref(), Some("S7"));
    assert_eq!(stored[1].message.stanza_id.as_deref(), Some("S8"));
    assert_eq!(
        stored[1].delivery,
        Some(Delivery::Sent),
        "another client's: sent"
    );
}

#[test]
fn an_own_message_typed_here_and_returned_by_the_archive_is_stored_once_and_sent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = open(&dir);
    let typed = crate::domain::Outgoing {
        to: jid::Jid::new("bob@example.org/phone").expect("jid"),
        id: "u-1".into(),
        body: "on my way".into(),
        replaces: None,
        receipts_and_states: true,
        at: at(5),
    }
    .to_message();
    put(&mut h, &typed);
    let stored = all(&h, &bob());
    assert_eq!(stored[0].delivery, Some(Delivery::Queued));
    assert_eq!(h.queued(&me()).expect("queued").len(), 1);
    // Stored again when re-sent after a reconnection: still one row.
    put(&mut h, &typed);
    let mut archived = with(typed.clone(), Some("u-1"), Some("u-1"), Some("S5"));
    archived.via = Via::Archive;
    put(&mut h, &archived);
    let stored = all(&h, &bob());
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].delivery,
        Some(Delivery::Sent),
        "the server had it"
    );
    assert!(h.queued(&me()).expect("queued").is_empty());
}

#[test]
fn the_same_id_in_another_peer_direction_account_text_or_stanza_id_is_another_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = open(&dir);
    let first = with(
        msg(Direction::In, "one", 1),
        Some("1"),
        Some("O"),
        Some("S1"),
    );
    put(&mut h, &first);
    let mut other_peer = first.clone();
    other_peer.peer = jid("carol@example.org");
    other_peer.stanza_id = None;
    put(&mut h, &other_peer);
    let mut other_direction = with(msg(Direction::Out, "one", 2), Some("1"), Some("O"), None);
    other_direction.via = Via::Live;
    put(&mut h, &other_direction);
    // A client that counts ids from 1 in every session: same id, other text.
    put(
        &mut h,
        &with(msg(Direction::In, "two", 3), Some("1"), Some("O"), None),
    );
    // Same id and text, but the server gave it another key: two messages.
    put(
        &mut h,
        &with(
            msg(Direction::In, "one", 4),
            Some("1"),
            Some("O"),
            Some("S2"),
        ),
    );
    // Another account's copy of the same stanza-id is that account's.
    h.write(&jid("work@example.org"), &Write::Message(first.clone()))
        .expect("other account");
    assert_eq!(bodies(&all(&h, &bob())), ["one", "one", "two", "one"]);
    assert_eq!(all(&h, &jid("carol@example.org")).len(), 1);
    let work = h
        .recent(&jid("work@example.org"), &bob(), 10, false)
        .expect("recent");
    assert_eq!(work.len(), 1);
}

#[test]
fn a_correction_replaces_the_text_keeps_the_original_and_marks_it_edited() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = open(&dir);
    put(
        &mut h,
        &with(msg(Direction::In, "helo", 1), Some("m1"), None, Some("S1")),
    );
    let mut fix = with(msg(Direction::In, "hello", 2), Some("c1"), None, Some("S2"));
    fix.replaces = Some("m1".into());
    put(&mut h, &fix);
    let stored = all(&h, &bob());
    assert_eq!(bodies(&stored), ["hello"]);
    assert!(stored[0].edited);
    assert_eq!(stored[0].message.at, at(1), "it keeps its place");
    let original: String = h
        .conn
        .query_row("SELECT original_body FROM messages", [], |r| r.get(0))
        .expect("original");
    assert_eq!(original, "helo");
    // A second correction naming the first one (some clients do), then a replay of the
    // archive: the first correction and the original again change nothing.
    let mut again = with(
        msg(Direction::In, "hello!", 3),
        Some("c2"),
        None,
        Some("S3"),
    );
    again.replaces = Some("c1".into());
    put(&mut h, &again);
    let mut replay = fix.clone();
    replay.via = Via::Archive;
    put(&mut h, &replay);
    put(
        &mut h,
        &with(msg(Direction::In, "helo", 1), Some("m1"), None, Some("S1")),
    );
    put(&mut h, &again);
    let stored = all(&h, &bob());
    assert_eq!(bodies(&stored), ["hello!"]);
    let original: String = h
        .conn
        .query_row("SELECT original_body FROM messages", [], |r| r.get(0))
        .expect("original");
    assert_eq!(
        original, "helo",
        "the first text is kept through every correction"
    );
}

#[test]
fn a_correction_from_the_other_side_or_another_peer_is_not_applied() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = open(&dir);
    put(
        &mut h,
        &with(
            msg(Direction::In, "pay me", 1),
            Some("m1"),
            Some("m1"),
            None,
        ),
    );
    // The user's own message naming bob's id: not bob's message to change.
    let mut mine = with(
        msg(Direction::Out, "pay you", 2),
        Some("c1"),
        Some("c1"),
        None,
    );
    mine.replaces = Some("m1".into());
    put(&mut h, &mine);
    // Mallory naming bob's id, in her own conversation.
    let mut forged = with(msg(Direction::In, "pay mallory", 3), Some("c2"), None, None);
    forged.peer = jid("mallory@evil.example");
    forged.replaces = Some("m1".into());
    put(&mut h, &forged);
    let stored = all(&h, &bob());
    assert_eq!(bodies(&stored), ["pay me", "pay you"]);
    assert!(!stored[0].edited);
    let theirs = all(&h, &jid("mallory@evil.example"));
    assert_eq!(bodies(&theirs), ["pay mallory"]);
}

#[test]
fn a_correction_of_an_unknown_message_is_stored_as_a_message_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = open(&dir);
    let mut fix = with(
        msg(Direction::In, "corrected", 2),
        Some("c1"),
        None,
        Some("S2"),
    );
    fix.replaces = Some("older-than-history".into());
    put(&mut h, &fix);
    put(&mut h, &fix);
    let stored = all(&h, &bob());
    assert_eq!(bodies(&stored), ["corrected"]);
    assert_eq!(
        stored[0].message.replaces.as_deref(),
        Some("older-than-history")
    );
    assert!(!stored[0].edited);
}

#[test]
fn delivery_goes_forward_only_for_the_right_peer_and_failure_is_final() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = open(&dir);
    put(
        &mut h,
        &with(msg(Direction::Out, "a", 1), Some("a"), Some("a"), None),
    );
    put(
        &mut h,
        &with(msg(Direction::Out, "b", 2), Some("b"), Some("b"), None),
    );
    // An incoming message with the same id is never given a delivery.
    put(
        &mut h,
        &with(msg(Direction::In, "c", 3), Some("a"), None, None),
    );
    let state = |h: &History| -> Vec<Option<Delivery>> {
        all(h, &bob()).into_iter().map(|s| s.delivery).collect()
    };
    deliver(&mut h, &bob(), "a", Delivery::Delivered);
    deliver(&mut h, &bob(), "a", Delivery::Sent);
    deliver(&mut h, &bob(), "a", Delivery::Queued);
    // The receipt of another peer for bob's message id changes nothing.
    deliver(
        &mut h,
        &jid("mallory@evil.example"),
        "b",
        Delivery::Delivered,
    );
    assert_eq!(
        state(&h),
        [Some(Delivery::Delivered), Some(Delivery::Queued), None]
    );
    deliver(&mut h, &bob(), "b", Delivery::Sent);
    deliver(
        &mut h,
        &bob(),
        "b",
        Delivery::Failed("service-unavailable".into()),
    );
    deliver(&mut h, &bob(), "b", Delivery::Delivered);
    deliver(&mut h, &bob(), "b", Delivery::Failed("other".into()));
    let failed = Some(Delivery::Failed("service-unavailable".into()));
    assert_eq!(state(&h), [Some(Delivery::Delivered), failed, None]);
    // A report for a message never stored is ignored.
    deliver(&mut h, &bob(), "nope", Delivery::Sent);
    assert!(h.queued(&me()).expect("queued").is_empty());
}

#[test]
fn a_message_from_the_future_is_stored_as_of_now() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = open(&dir);
    let mut m = msg(Direction::In, "from 2099", 0);
    m.at = UNIX_EPOCH + Duration::from_secs(4_070_908_800);
    put(&mut h, &m);
    let stored = all(&h, &bob());
    assert!(stored[0].message.at <= SystemTime::now());
}

#[test]
fn the_session_events_for_messages_and_deliveries_are_queued_for_the_database() {
    let (tx, rx) = std::sync::mpsc::channel();
    let sink = Sink::for_test(tx);
    let m = msg(Direction::In, "hi", 1);
    sink.observe(&SessionEvent::Message(m.clone()));
    sink.observe(&SessionEvent::Delivery {
        peer: bob(),
        id: "a".into(),
        delivery: Delivery::Delivered,
    });
    sink.observe(&SessionEvent::Notice("not for the database".into()));
    drop(sink);
    let queued: Vec<Write> = rx.iter().collect();
    assert!(
        matches!(&queued[..], [Write::Message(w), Write::Delivery { id, .. }]
        if *w == m && id == "a")
    );
}

#[test]
fn changes_written_together_apply_in_order_in_one_transaction() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = open(&dir);
    let original = with(msg(Direction::Out, "teh", 1), Some("o1"), Some("o1"), None);
    let mut fix = with(msg(Direction::Out, "the", 2), Some("o2"), Some("o2"), None);
    fix.replaces = Some("o1".into());
    let batch = [
        Write::Message(original.clone()),
        Write::Message(fix),
        Write::Delivery {
            peer: bob(),
            id: "o1".into(),
            delivery: Delivery::Sent,
        },
        Write::Message(original),
    ];
    h.write_all(&me(), &batch).expect("batch");
    let stored = all(&h, &bob());
    assert_eq!(bodies(&stored), ["the"]);
    assert!(stored[0].edited);
    assert_eq!(stored[0].delivery, Some(Delivery::Sent));
    assert_eq!(h.count(&me(), &bob()).expect("count"), 1);
}
