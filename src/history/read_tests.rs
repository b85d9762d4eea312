//! Reading message history back: pages and cursors, a tampered file, the query plans, and
//! reading on the app's connection while the writer threads write.

use super::message_tests::*;
use super::*;
use crate::domain::{Direction, Via};
use crate::event::SessionEvent;

/// 25 messages, some at the same millisecond, some from the archive stored after newer
/// ones: pages come back in time order, oldest first, and never overlap.
#[test]
fn pages_are_in_time_order_and_the_cursor_walks_back_to_the_beginning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = open(&dir);
    let order: Vec<u64> = (10..25).chain(0..10).collect();
    for t in order {
        let secs = t / 2; // pairs share a timestamp
        put(&mut h, &msg(Direction::In, &format!("m{t:02}"), secs));
    }
    // Another conversation in between.
    let mut other = msg(Direction::In, "carol", 3);
    other.peer = jid("carol@example.org");
    put(&mut h, &other);
    let recent = h.recent(&me(), &bob(), 10, false).expect("recent");
    assert_eq!(
        bodies(&recent),
        ["m15", "m16", "m17", "m18", "m19", "m20", "m21", "m22", "m23", "m24"]
    );
    let mut seen: Vec<String> = Vec::new();
    let mut page = recent;
    while let Some(first) = page.first() {
        let older = h
            .before(&me(), &bob(), first.key, 10, false)
            .expect("before");
        seen.splice(0..0, page.iter().map(|s| s.message.body.clone()));
        page = older;
    }
    let expected: Vec<String> = (0..25).map(|t| format!("m{t:02}")).collect();
    assert_eq!(seen, expected);
    // A key from another conversation is no cursor here.
    let carols = h
        .recent(&me(), &jid("carol@example.org"), 1, false)
        .expect("recent");
    assert!(h
        .before(&me(), &bob(), carols[0].key, 10, false)
        .expect("before")
        .is_empty());
    assert_eq!(h.count(&me(), &bob()).expect("count"), 25);
    let conversations = h.conversations(&me()).expect("conversations");
    let peers: Vec<&str> = conversations.iter().map(|c| c.peer.as_str()).collect();
    assert_eq!(peers, ["bob@example.org", "carol@example.org"]);
    assert_eq!(conversations[0].last_at, at(12));
}

#[test]
fn hostile_text_is_sanitized_again_and_unreadable_rows_are_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let h = open(&dir);
    h.conn
        .execute_batch(
            "INSERT INTO messages (account, peer, resource, direction, body, id, at, via,
                 wants_receipt, delivery, error)
             VALUES
             ('alice@example.org', 'bob@example.org', 'x\u{1b}[31m', 'out',
              'line\u{1b}[2J one\r\n\u{202e}two\u{7}', 'i\u{1b}d', 1, 'warp', 1,
              'failed', 'no\u{1b}[5m\nway'),
             ('alice@example.org', 'bob@example.org', NULL, 'sideways', 'lost', NULL, 2,
              'live', 0, NULL, NULL),
             ('alice@example.org', 'bob@example.org', NULL, 'in', X'FF00', NULL, 3,
              'live', 0, NULL, NULL),
             ('alice@example.org', 'bob@example.org', NULL, 'in', 'fine', NULL, 4,
              'live', 0, 'delivered', NULL);
             INSERT INTO conversations (account, peer, last_at)
                 VALUES ('alice@example.org', 'not a jid@@', 9);
             INSERT INTO conversations (account, peer, last_at)
                 VALUES ('alice@example.org', 'bob@example.org', 4);",
        )
        .expect("raw rows");
    let stored = all(&h, &bob());
    assert_eq!(bodies(&stored), ["line␛[2J one\ntwo␇", "fine"]);
    let first = &stored[0];
    assert_eq!(first.message.resource.as_deref(), Some("x␛[31m"));
    assert_eq!(first.message.id.as_deref(), Some("i␛d"));
    assert_eq!(first.message.via, Via::Live, "an unknown via is live");
    assert_eq!(first.delivery, Some(Delivery::Failed("no␛[5m⏎way".into())));
    assert_eq!(
        stored[1].delivery, None,
        "an incoming message has no delivery"
    );
    let peers: Vec<BareJid> = h
        .conversations(&me())
        .expect("conversations")
        .into_iter()
        .map(|c| c.peer)
        .collect();
    assert_eq!(peers, [bob()]);
}

/// The queries a conversation view and the writer make, as SQLite plans them: no full
/// scan of `messages`, no sort of a whole conversation.
#[test]
fn reads_and_lookups_are_index_range_scans() {
    let dir = tempfile::tempdir().expect("tempdir");
    let h = open(&dir);
    let dedup = "SELECT key FROM messages WHERE account = ?1 AND peer = ?2 AND direction = ?3
                 AND origin_id = ?4 AND COALESCE(original_body, body) = ?5
                 AND (stanza_id IS NULL OR ?6 IS NULL) ORDER BY key DESC LIMIT 1";
    let cases = [
        (read::RECENT, "messages_page"),
        (read::BEFORE, "messages_page"),
        (read::CURSOR, "PRIMARY KEY"),
        (read::COUNT, "PRIMARY KEY"),
        (read::LAST_STANZA_ID, "messages_archived"),
        (read::QUEUED, "messages_queued"),
        (read::CONVERSATIONS, "conversations_recent"),
        (dedup, "messages_origin_id"),
        (
            "SELECT target FROM corrections WHERE account = ?1 AND peer = ?2
             AND direction = ?3 AND reference = ?4",
            "PRIMARY KEY",
        ),
        (
            "SELECT key FROM messages WHERE account = ?1 AND stanza_id = ?2",
            "messages_stanza_id",
        ),
    ];
    for (sql, index) in cases {
        let mut stmt = h
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("explain");
        for i in 1..=stmt.parameter_count() {
            stmt.raw_bind_parameter(i, "x").expect("bind");
        }
        let mut rows = stmt.raw_query();
        let mut plan: Vec<String> = Vec::new();
        while let Some(row) = rows.next().expect("row") {
            plan.push(row.get(3).expect("detail"));
        }
        let plan = plan.join(" | ");
        assert!(plan.contains(index), "{sql}\n=> {plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{sql}\n=> {plan}");
        assert!(
            !plan.contains("SCAN messages") && !plan.contains("SCAN conversations"),
            "{sql}\n=> {plan}"
        );
        if sql == read::BEFORE {
            // The cursor bounds the range: the scan starts at the cursor, not at the newest.
            assert!(plan.contains("at<"), "{sql}\n=> {plan}");
        }
    }
}

#[test]
fn the_app_reads_through_its_own_connection_while_the_writer_thread_writes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let reader = open(&dir);
    let writer = Writer::spawn(open(&dir), me()).expect("thread");
    let sink = writer.sink().expect("sink");
    for t in 0..50 {
        sink.observe(&SessionEvent::Message(msg(
            Direction::In,
            &format!("m{t}"),
            t,
        )));
        // Reading in the middle of the writes neither fails nor waits for them to end.
        let seen = reader.count(&me(), &bob()).expect("count");
        assert!(seen <= t + 1);
    }
    drop(sink);
    writer.finish(Duration::from_secs(10));
    assert_eq!(reader.count(&me(), &bob()).expect("count"), 50);
    assert_eq!(
        reader.recent(&me(), &bob(), 1, false).expect("recent")[0]
            .message
            .body,
        "m49"
    );
}

#[test]
fn two_accounts_writers_share_the_file_without_losing_a_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let work = jid("work@example.org");
    let writers = [
        Writer::spawn(open(&dir), me()).expect("thread"),
        Writer::spawn(open(&dir), work.clone()).expect("thread"),
    ];
    for t in 0..200 {
        for writer in &writers {
            let m = with(msg(Direction::In, &format!("m{t}"), t), None, None, None);
            writer.send(Write::Message(m));
        }
    }
    for writer in writers {
        writer.finish(Duration::from_secs(30));
    }
    let h = open(&dir);
    assert_eq!(h.count(&me(), &bob()).expect("count"), 200);
    assert_eq!(h.count(&work, &bob()).expect("count"), 200);
}

/// A room's pane reads the room's messages; the private messages via it (1:1 rows with the
/// room's JID) stay out of it, and come back as 1:1 rows.
#[test]
fn a_rooms_messages_and_the_private_ones_via_it_are_read_apart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = open(&dir);
    let room = jid("dev@conf.example.org");
    let mut said = msg(Direction::In, "in the room", 1);
    said.peer = room.clone();
    said.resource = Some("bob".into());
    h.write(&me(), &Write::RoomMessage(said)).expect("write");
    let mut private = msg(Direction::In, "psst", 2);
    private.peer = room.clone();
    private.resource = Some("bob".into());
    put(&mut h, &private);
    let in_room = h.recent(&me(), &room, 10, true).expect("recent");
    assert_eq!(bodies(&in_room), ["in the room"]);
    let private = h.recent(&me(), &room, 10, false).expect("recent");
    assert_eq!(bodies(&private), ["psst"]);
    let older = h
        .before(&me(), &room, in_room[0].key, 10, true)
        .expect("before");
    assert!(older.is_empty());
}
