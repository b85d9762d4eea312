//! Migrations: a file written by an older rosterm keeps its data; a newer one is refused
//! with a sentence that says what to do.

use super::*;

/// What rosterm with schema 1 ran on every open, verbatim (before the messages table).
const SCHEMA_1_OPEN: &str = "PRAGMA journal_mode = WAL;
     PRAGMA synchronous = NORMAL;
     CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
     CREATE TABLE IF NOT EXISTS roster (
         account TEXT NOT NULL, jid TEXT NOT NULL, name TEXT, groups TEXT NOT NULL,
         subscription TEXT NOT NULL, pending_out INTEGER NOT NULL,
         PRIMARY KEY (account, jid)) WITHOUT ROWID;
     CREATE TABLE IF NOT EXISTS roster_state (
         account TEXT PRIMARY KEY, ver TEXT, saved_at INTEGER NOT NULL);
     CREATE TABLE IF NOT EXISTS last_presence (
         account TEXT NOT NULL, jid TEXT NOT NULL, resource TEXT NOT NULL,
         show TEXT NOT NULL, status TEXT NOT NULL, priority INTEGER NOT NULL,
         PRIMARY KEY (account, jid)) WITHOUT ROWID;
     INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', 1);";

fn jid(s: &str) -> BareJid {
    BareJid::new(s).expect("test JID")
}

fn schema_of(path: &Path) -> i64 {
    Connection::open(path)
        .expect("open")
        .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
            r.get(0)
        })
        .expect("schema")
}

#[test]
fn a_schema_1_file_keeps_its_roster_and_gains_the_message_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("rosterm.sqlite3");
    {
        let old = Connection::open(&path).expect("old file");
        old.execute_batch(SCHEMA_1_OPEN).expect("schema 1");
        old.execute_batch(
            "INSERT INTO roster VALUES ('alice@example.org', 'bob@example.org', 'Bob',
                 'Friends', 'both', 0);
             INSERT INTO roster_state VALUES ('alice@example.org', '17', 1700000000);
             INSERT INTO last_presence VALUES ('alice@example.org', 'bob@example.org', 'pc',
                 'away', 'lunch', 5);",
        )
        .expect("old data");
    }
    assert_eq!(schema_of(&path), 1);
    let me = jid("alice@example.org");
    let mut h = History::open(&path).expect("migrates");
    assert_eq!(schema_of(&path), schema::CURRENT);
    let cached = h.load_roster(&me).expect("roster");
    assert_eq!(cached.items.len(), 1);
    assert_eq!(cached.items[0].name.as_deref(), Some("Bob"));
    assert_eq!(cached.items[0].groups, ["Friends"]);
    assert_eq!(cached.ver.as_deref(), Some("17"));
    assert_eq!(cached.presence[0].show, Show::Away);
    // The history works on the migrated file, and survives another open.
    let m = crate::domain::Outgoing {
        to: jid::Jid::new("bob@example.org").expect("jid"),
        id: "x1".into(),
        body: "hello after the upgrade".into(),
        replaces: None,
        receipts_and_states: true,
        at: SystemTime::now(),
    }
    .to_message();
    h.write(&me, &Write::Message(m)).expect("message");
    drop(h);
    let h = History::open(&path).expect("reopens");
    assert_eq!(h.count(&me, &jid("bob@example.org")).expect("count"), 1);
    assert_eq!(h.load_roster(&me).expect("roster").items.len(), 1);
    assert_eq!(schema_of(&path), schema::CURRENT);
}

#[test]
fn a_new_file_is_made_at_the_current_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("new.sqlite3");
    drop(History::open(&path).expect("creates"));
    assert_eq!(schema_of(&path), schema::CURRENT);
}

#[test]
fn a_file_from_a_newer_rosterm_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("rosterm.sqlite3");
    drop(History::open(&path).expect("creates"));
    Connection::open(&path)
        .expect("open")
        .execute("UPDATE meta SET value = 99 WHERE key = 'schema'", [])
        .expect("bump");
    let Err(e) = History::open(&path) else {
        panic!("a newer schema must be refused");
    };
    let text = e.to_string();
    assert!(matches!(e, HistoryError::Newer { found: 99, .. }), "{text}");
    assert!(text.contains(&path.display().to_string()), "{text}");
    assert!(text.contains("upgrade rosterm"), "{text}");
    assert_eq!(schema_of(&path), 99);
}

#[test]
fn room_messages_keep_their_own_cursor_and_never_move_the_accounts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("rooms.sqlite3");
    {
        // A file at schema 2 with one 1:1 message from the account's archive.
        let old = Connection::open(&path).expect("old file");
        old.execute_batch(SCHEMA_1_OPEN).expect("schema 1");
        old.execute_batch(schema::SCHEMA_2).expect("schema 2");
        old.execute_batch(
            "UPDATE meta SET value = 2 WHERE key = 'schema';
             INSERT INTO messages (account, peer, direction, body, stanza_id, at, via,
                 wants_receipt) VALUES ('alice@example.org', 'bob@example.org', 'in', 'hi',
                 'ACC-1', 1000, 'archive', 0);",
        )
        .expect("old data");
    }
    let me = jid("alice@example.org");
    let room = jid("dev@conf.example");
    let mut h = History::open(&path).expect("migrates");
    let mut m = crate::test_support::incoming("dev@conf.example", "r1", "room talk");
    m.resource = Some("bob".into());
    m.stanza_id = Some("ROOM-9".into());
    h.write(&me, &Write::RoomMessage(m.clone()))
        .expect("room message");
    // The same stanza-id in another room is another message (ids are the room's).
    let mut other = m.clone();
    other.peer = jid("ops@conf.example");
    h.write(&me, &Write::RoomMessage(other))
        .expect("other room");
    h.write(&me, &Write::RoomMessage(m.clone()))
        .expect("a copy");
    assert_eq!(
        h.last_stanza_id(&me).expect("cursor").as_deref(),
        Some("ACC-1")
    );
    assert_eq!(
        h.last_room_stanza_id(&me, &room)
            .expect("room cursor")
            .map(|(id, _)| id)
            .as_deref(),
        Some("ROOM-9")
    );
    // With when it was sent (to the millisecond): a join's history starts there.
    let at = h
        .last_room_stanza_id(&me, &room)
        .expect("room cursor")
        .map(|(_, at)| at);
    let ms =
        |t: std::time::SystemTime| t.duration_since(std::time::UNIX_EPOCH).unwrap().as_millis();
    assert_eq!(at.map(ms), Some(ms(m.at)));
    assert_eq!(h.count(&me, &room).expect("count"), 1);
    assert_eq!(h.count(&me, &jid("ops@conf.example")).expect("count"), 1);
}

#[test]
fn a_schema_4_file_keeps_its_presence_log_and_gains_the_caps_cache() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("rosterm.sqlite3");
    {
        let old = Connection::open(&path).expect("old file");
        for batch in [
            schema::SCHEMA_1,
            schema::SCHEMA_2,
            schema::SCHEMA_3,
            schema::SCHEMA_4,
        ] {
            old.execute_batch(batch).expect("old schema");
        }
        old.execute_batch(
            "INSERT INTO meta (key, value) VALUES ('schema', 4);
             INSERT INTO presence_log (account, jid, at, show, status)
                 VALUES ('alice@example.org', 'bob@example.org', 1000, NULL, 'bye');",
        )
        .expect("old data");
    }
    let me = jid("alice@example.org");
    let mut h = History::open(&path).expect("migrates");
    assert_eq!(schema_of(&path), schema::CURRENT);
    assert_eq!(h.latest_seen(&me).expect("log").len(), 1);
    assert!(h.load_caps().expect("caps table").is_empty());
    let caps = crate::domain::device::Capabilities {
        identities: vec![("client".into(), "bot".into(), None)],
        features: vec![],
    };
    h.write(
        &me,
        &Write::Caps {
            ver: "v=".into(),
            caps,
        },
    )
    .expect("caps");
    assert_eq!(h.load_caps().expect("caps").len(), 1);
}
