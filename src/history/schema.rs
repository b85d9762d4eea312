//! The tables, and the migrations from every older schema. To change the schema: add a
//! `SCHEMA_N` batch, a step in [`migrate`], bump [`CURRENT`], and a test that opens a file
//! made by the previous schema's SQL (see `schema_tests.rs`).

use rusqlite::{params, Connection, OptionalExtension};

/// The schema this build writes; an older file is migrated when it is opened.
pub const CURRENT: i64 = 6;

/// Schema 1: the roster cache (items, version, last known presence). Kept verbatim: a
/// fresh file is made by running every schema's batch in order, as an old file was.
pub const SCHEMA_1: &str = "
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
        PRIMARY KEY (account, jid)) WITHOUT ROWID;";

/// Schema 2: 1:1 messages of every account, and one row per conversation (the time of
/// its newest message, how many it has).
///
/// - `key` (the rowid) is the stable cursor the app pages with; a conversation is ordered
///   by `(at, key)`: `at` in milliseconds since the epoch, `key` breaking ties.
/// - `delivery` is set on outgoing messages only (`queued`, `sent`, `delivered`,
///   `failed` with `error`).
/// - A correction (XEP-0308) rewrites `body`, sets `edited`, keeps the first text in
///   `original_body` and its own time in `corrected_at` (an older correction arriving
///   later changes nothing). `corrections` maps every correction's id to the message it
///   changed: its own copy changes nothing, and a correction of a correction finds the
///   message. `replaces` is set on a correction stored as a message of its own (its
///   original was unknown).
/// - Indexes: `messages_page` makes the newest page of a conversation and a page before a
///   cursor range scans; the partial ones serve de-duplication, corrections, receipts,
///   the archive cursor and the queue of unsent messages.
pub const SCHEMA_2: &str = "
    CREATE TABLE IF NOT EXISTS messages (
        key INTEGER PRIMARY KEY,
        account TEXT NOT NULL,
        peer TEXT NOT NULL,
        resource TEXT,
        direction TEXT NOT NULL,
        body TEXT NOT NULL,
        id TEXT,
        origin_id TEXT,
        stanza_id TEXT,
        at INTEGER NOT NULL,
        via TEXT NOT NULL,
        wants_receipt INTEGER NOT NULL,
        delivery TEXT,
        error TEXT,
        replaces TEXT,
        edited INTEGER NOT NULL DEFAULT 0,
        original_body TEXT,
        corrected_at INTEGER);
    CREATE INDEX IF NOT EXISTS messages_page ON messages (account, peer, at, key);
    CREATE UNIQUE INDEX IF NOT EXISTS messages_stanza_id ON messages (account, stanza_id)
        WHERE stanza_id IS NOT NULL;
    CREATE INDEX IF NOT EXISTS messages_origin_id
        ON messages (account, peer, direction, origin_id) WHERE origin_id IS NOT NULL;
    CREATE INDEX IF NOT EXISTS messages_id
        ON messages (account, peer, direction, id) WHERE id IS NOT NULL;
    CREATE INDEX IF NOT EXISTS messages_archived ON messages (account, at, key)
        WHERE stanza_id IS NOT NULL;
    CREATE INDEX IF NOT EXISTS messages_queued ON messages (account, at, key)
        WHERE delivery = 'queued';
    CREATE TABLE IF NOT EXISTS corrections (
        account TEXT NOT NULL, peer TEXT NOT NULL, direction TEXT NOT NULL,
        reference TEXT NOT NULL, target INTEGER NOT NULL,
        PRIMARY KEY (account, peer, direction, reference)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS conversations (
        account TEXT NOT NULL, peer TEXT NOT NULL, last_at INTEGER NOT NULL,
        messages INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (account, peer)) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS conversations_recent ON conversations (account, last_at);";

/// Schema 3: room messages (XEP-0045) in the same table, marked `room = 1`. A room's
/// stanza-ids are the room's, not the account's: they are unique per peer (and the
/// account's archive cursor skips them).
pub const SCHEMA_3: &str = "
    ALTER TABLE messages ADD COLUMN room INTEGER NOT NULL DEFAULT 0;
    DROP INDEX IF EXISTS messages_stanza_id;
    CREATE UNIQUE INDEX IF NOT EXISTS messages_stanza_id ON messages (account, peer, stanza_id)
        WHERE stanza_id IS NOT NULL;
    DROP INDEX IF EXISTS messages_archived;
    CREATE INDEX IF NOT EXISTS messages_archived ON messages (account, at, key)
        WHERE stanza_id IS NOT NULL AND room = 0;";

/// Schema 4: the presence log behind "last seen" (`history::seen`): one row per change of
/// a contact's aggregate availability, `at` in milliseconds, `show` NULL when it went
/// unavailable. Pruned at start (30 days, a cap per contact).
pub const SCHEMA_4: &str = "
    CREATE TABLE IF NOT EXISTS presence_log (
        key INTEGER PRIMARY KEY,
        account TEXT NOT NULL,
        jid TEXT NOT NULL,
        at INTEGER NOT NULL,
        show TEXT,
        status TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS presence_log_contact ON presence_log (account, jid, at, key);";

/// Schema 5: the user's own presence per account as it was at quit (show, status text,
/// priority as the user set them, never an auto-away), for `status_on_start = "last"`.
pub const SCHEMA_5: &str = "
    CREATE TABLE IF NOT EXISTS own_presence (
        account TEXT PRIMARY KEY,
        show TEXT NOT NULL,
        status TEXT NOT NULL,
        priority INTEGER NOT NULL,
        saved_at INTEGER NOT NULL) WITHOUT ROWID;";

/// Schema 6: contacts' XEP-0115 capabilities, by verification string (the same for every
/// account: a `ver` is only written once its hash was checked). `identities` are
/// `category/type/name` lines and `features` one per line (names sanitized, no newline).
pub const SCHEMA_6: &str = "
    CREATE TABLE IF NOT EXISTS caps (
        ver TEXT PRIMARY KEY,
        identities TEXT NOT NULL,
        features TEXT NOT NULL,
        saved_at INTEGER NOT NULL) WITHOUT ROWID;";

/// The schema version the file says it has (`None`: a new, empty file).
pub fn version(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    let has_meta: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta')",
        [],
        |row| row.get(0),
    )?;
    if !has_meta {
        return Ok(None);
    }
    conn.query_row("SELECT value FROM meta WHERE key = 'schema'", [], |row| {
        row.get(0)
    })
    .optional()
}

/// Brings the file from the schema it has to [`CURRENT`], in one immediate transaction (two
/// rosterm connections opening the same old file migrate it once). Returns the version
/// found before (`None` for a new file); a version newer than [`CURRENT`] is left alone.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<Option<i64>> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let found = version(&tx)?;
    let from = found.unwrap_or(0);
    if from > CURRENT {
        return Ok(found);
    }
    if from < 1 {
        tx.execute_batch(SCHEMA_1)?;
    }
    if from < 2 {
        tx.execute_batch(SCHEMA_2)?;
    }
    if from < 3 {
        tx.execute_batch(SCHEMA_3)?;
    }
    if from < 4 {
        tx.execute_batch(SCHEMA_4)?;
    }
    if from < 5 {
        tx.execute_batch(SCHEMA_5)?;
    }
    if from < 6 {
        tx.execute_batch(SCHEMA_6)?;
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('schema', ?1)
         ON CONFLICT(key) DO UPDATE SET value = ?1",
        params![CURRENT],
    )?;
    tx.commit()?;
    Ok(found)
}
