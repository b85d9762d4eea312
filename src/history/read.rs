//! Reading messages back, on any connection (the app reads through its own while the
//! writer thread writes: WAL). Nothing read is trusted: the peer's JID is parsed again (a
//! row that does not parse, or has no direction, is skipped), text is sanitized again.

use jid::BareJid;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::columns::{delivery, direction, time, via};
use super::{Conversation, StoredMessage};
use crate::domain::{Direction, Message};
use crate::sanitize::{sanitize, sanitize_body, MAX_BODY, MAX_NAME, MAX_STATUS};

/// Longest id (stanza id, origin-id, stanza-id) given back, in characters.
pub const MAX_ID: usize = 256;

macro_rules! columns {
    () => {
        "key, peer, resource, direction, body, id, origin_id, stanza_id, at, via,
         wants_receipt, delivery, error, replaces, edited"
    };
}

/// The newest `?3` messages of a conversation (newest first); `?4`: a room's messages (1)
/// or the 1:1 ones (0: with a room's JID, the private messages via it).
pub const RECENT: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM messages WHERE account = ?1 AND peer = ?2 AND room = ?4
      ORDER BY at DESC, key DESC LIMIT ?3"
);

/// The `?5` messages of a conversation just before `(at, key) = (?3, ?4)` (newest first);
/// `?6` as `?4` of [`RECENT`].
pub const BEFORE: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM messages WHERE account = ?1 AND peer = ?2 AND room = ?6 AND (at, key) < (?3, ?4)
      ORDER BY at DESC, key DESC LIMIT ?5"
);

/// Where the cursor `?3` sits in its conversation.
pub const CURSOR: &str = "SELECT at FROM messages WHERE key = ?3 AND account = ?1 AND peer = ?2";

pub const LAST_STANZA_ID: &str = "SELECT stanza_id FROM messages
     WHERE account = ?1 AND stanza_id IS NOT NULL AND room = 0
     ORDER BY at DESC, key DESC LIMIT 1";

/// The newest message of a room with the room's stanza-id (where the room's history
/// continues after a rejoin).
pub const LAST_ROOM_STANZA_ID: &str = "SELECT stanza_id, at FROM messages
     WHERE account = ?1 AND peer = ?2 AND room = 1 AND stanza_id IS NOT NULL
     ORDER BY at DESC, key DESC LIMIT 1";

pub const CONVERSATIONS: &str =
    "SELECT peer, last_at FROM conversations WHERE account = ?1 ORDER BY last_at DESC";

/// Kept with the conversation (counting 100,000 index entries takes ~10 ms).
pub const COUNT: &str = "SELECT messages FROM conversations WHERE account = ?1 AND peer = ?2";

/// Outgoing messages never acknowledged, oldest first.
pub const QUEUED: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM messages WHERE account = ?1 AND delivery = 'queued' ORDER BY at, key"
);

/// One row as it is in the file (`None` from [`raw`] when a column has the wrong type).
struct Raw {
    key: i64,
    peer: String,
    resource: Option<String>,
    direction: String,
    body: String,
    id: Option<String>,
    origin_id: Option<String>,
    stanza_id: Option<String>,
    at: i64,
    via: String,
    wants_receipt: bool,
    delivery: Option<String>,
    error: Option<String>,
    replaces: Option<String>,
    edited: bool,
}

fn raw(row: &Row<'_>) -> rusqlite::Result<Raw> {
    Ok(Raw {
        key: row.get(0)?,
        peer: row.get(1)?,
        resource: row.get(2)?,
        direction: row.get(3)?,
        body: row.get(4)?,
        id: row.get(5)?,
        origin_id: row.get(6)?,
        stanza_id: row.get(7)?,
        at: row.get(8)?,
        via: row.get(9)?,
        wants_receipt: row.get(10)?,
        delivery: row.get(11)?,
        error: row.get(12)?,
        replaces: row.get(13)?,
        edited: row.get(14)?,
    })
}

fn id(text: Option<String>) -> Option<String> {
    text.map(|t| sanitize(&t, MAX_ID)).filter(|t| !t.is_empty())
}

fn decode(raw: Raw) -> Option<StoredMessage> {
    let (Ok(peer), Some(direction)) = (BareJid::new(&raw.peer), direction(&raw.direction)) else {
        tracing::warn!("history: skipped an unreadable message row");
        return None;
    };
    let delivery = match direction {
        Direction::In => None,
        Direction::Out => raw
            .delivery
            .as_deref()
            .and_then(|d| delivery(d, raw.error.map(|e| sanitize(&e, MAX_STATUS)))),
    };
    let message = Message {
        peer,
        resource: raw
            .resource
            .map(|r| sanitize(&r, MAX_NAME))
            .filter(|r| !r.is_empty()),
        direction,
        body: sanitize_body(&raw.body, MAX_BODY),
        id: id(raw.id),
        origin_id: id(raw.origin_id),
        stanza_id: id(raw.stanza_id),
        at: time(raw.at),
        replaces: id(raw.replaces),
        wants_receipt: raw.wants_receipt,
        via: via(&raw.via),
    };
    Some(StoredMessage {
        key: raw.key,
        message,
        delivery,
        edited: raw.edited,
    })
}

/// Runs a message query; rows come back in the query's order, unreadable ones skipped.
fn messages(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> rusqlite::Result<Vec<StoredMessage>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(args, |row| Ok(raw(row).ok()))?;
    let mut out = Vec::new();
    for row in rows {
        if let Some(message) = row?.and_then(decode) {
            out.push(message);
        }
    }
    Ok(out)
}

fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub fn recent(
    conn: &Connection,
    account: &str,
    peer: &str,
    n: usize,
    room: bool,
) -> rusqlite::Result<Vec<StoredMessage>> {
    let mut page = messages(conn, RECENT, params![account, peer, limit(n), room])?;
    page.reverse();
    Ok(page)
}

pub fn before(
    conn: &Connection,
    account: &str,
    peer: &str,
    key: i64,
    n: usize,
    room: bool,
) -> rusqlite::Result<Vec<StoredMessage>> {
    let at: Option<i64> = conn
        .prepare_cached(CURSOR)?
        .query_row(params![account, peer, key], |row| row.get(0))
        .optional()?;
    let Some(at) = at else {
        return Ok(Vec::new());
    };
    let mut page = messages(
        conn,
        BEFORE,
        params![account, peer, at, key, limit(n), room],
    )?;
    page.reverse();
    Ok(page)
}

pub fn last_stanza_id(conn: &Connection, account: &str) -> rusqlite::Result<Option<String>> {
    let found: Option<String> = conn
        .prepare_cached(LAST_STANZA_ID)?
        .query_row(params![account], |row| row.get(0))
        .optional()?;
    Ok(id(found))
}

/// The room's stanza-id of its newest message stored, and when that message was sent.
pub fn last_room_stanza_id(
    conn: &Connection,
    account: &str,
    room: &str,
) -> rusqlite::Result<Option<(String, std::time::SystemTime)>> {
    let found: Option<(Option<String>, i64)> = conn
        .prepare_cached(LAST_ROOM_STANZA_ID)?
        .query_row(params![account, room], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    Ok(found.and_then(|(stanza_id, at)| Some((id(stanza_id)?, super::columns::time(at)))))
}

pub fn conversations(conn: &Connection, account: &str) -> rusqlite::Result<Vec<Conversation>> {
    let mut stmt = conn.prepare_cached(CONVERSATIONS)?;
    let rows = stmt.query_map(params![account], |row| {
        Ok((row.get::<_, String>(0).ok(), row.get::<_, i64>(1).ok()))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (Some(peer), Some(last_at)) = row? else {
            continue;
        };
        let Ok(peer) = BareJid::new(&peer) else {
            tracing::warn!("history: skipped a conversation with an unreadable JID");
            continue;
        };
        out.push(Conversation {
            peer,
            last_at: time(last_at),
        });
    }
    Ok(out)
}

pub fn count(conn: &Connection, account: &str, peer: &str) -> rusqlite::Result<u64> {
    let n: Option<i64> = conn
        .prepare_cached(COUNT)?
        .query_row(params![account, peer], |row| row.get(0))
        .optional()?;
    Ok(n.and_then(|n| u64::try_from(n).ok()).unwrap_or(0))
}

pub fn queued(conn: &Connection, account: &str) -> rusqlite::Result<Vec<StoredMessage>> {
    messages(conn, QUEUED, params![account])
}
