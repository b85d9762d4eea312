//! Writing 1:1 messages: de-duplication, corrections (XEP-0308) and delivery steps.
//!
//! The same message can reach rosterm several times: live and again from the archive
//! (XEP-0313) or offline storage, as a carbon (XEP-0280) and from the archive, or as the
//! user's own message stored when typed and again when the archive returns it. A message
//! is the same as a stored one when, in the same account:
//! - both have this stanza-id (the server's own key), or
//! - the same peer, direction and origin-id (else stanza `id`), the same original text,
//!   and not two different stanza-ids. The text is compared because an `id` alone is not
//!   unique: some clients count from 1 again in every session.
//!
//! A copy adds what the first lacked (stanza-id, origin-id, id, resource); a copy of an
//! outgoing message that came back from the server means the server has it (at least
//! `Sent`).

use rusqlite::{params, OptionalExtension, Transaction};

use super::columns::{delivery, delivery_columns, millis, now_millis, via_str};
use crate::domain::{Delivery, Direction, Message, Via};

/// Stores `m` for `account`: new, a copy of a stored one, or a correction of one.
pub fn store(tx: &Transaction<'_>, account: &str, m: &Message, room: bool) -> rusqlite::Result<()> {
    // A message cannot have been sent in the future (a hostile delay stamp would otherwise
    // sort it last for ever and make it the archive cursor).
    let at = millis(m.at).min(now_millis());
    if let Some(target) = m.replaces.as_deref() {
        if let Some(original) = original(tx, account, m, target)? {
            return correct(tx, account, &original, m, at);
        }
        // The original is unknown (older than the history): kept as a message of its own.
    }
    match duplicate(tx, account, m)? {
        Some(key) => merge(tx, key, m),
        None => insert(tx, account, m, at, room),
    }
}

/// A stored message a correction may apply to.
struct Original {
    key: i64,
    corrected_at: Option<i64>,
}

/// The newest message of the same peer and direction that `target` names: by its
/// origin-id, its id, or the id of a correction already applied to it (a client that
/// corrects a correction).
fn original(
    tx: &Transaction<'_>,
    account: &str,
    m: &Message,
    target: &str,
) -> rusqlite::Result<Option<Original>> {
    let args = params![account, m.peer.as_str(), m.direction.as_str(), target];
    let mut best: Option<i64> = None;
    for sql in [
        "SELECT key FROM messages WHERE account = ?1 AND peer = ?2 AND direction = ?3
             AND origin_id = ?4 ORDER BY key DESC LIMIT 1",
        "SELECT key FROM messages WHERE account = ?1 AND peer = ?2 AND direction = ?3
             AND id = ?4 ORDER BY key DESC LIMIT 1",
        "SELECT target FROM corrections WHERE account = ?1 AND peer = ?2 AND direction = ?3
             AND reference = ?4",
    ] {
        let found: Option<i64> = tx
            .prepare_cached(sql)?
            .query_row(args, |row| row.get(0))
            .optional()?;
        best = best.max(found);
    }
    let Some(key) = best else {
        return Ok(None);
    };
    let corrected_at = tx
        .prepare_cached("SELECT corrected_at FROM messages WHERE key = ?1")?
        .query_row(params![key], |row| row.get(0))
        .optional()?
        .flatten();
    Ok(Some(Original { key, corrected_at }))
}

/// Rewrites the original's text, unless this correction is already applied (its copy) or
/// older than the one that is (an archive replay arriving after a newer correction).
fn correct(
    tx: &Transaction<'_>,
    account: &str,
    original: &Original,
    m: &Message,
    at: i64,
) -> rusqlite::Result<()> {
    if let Some(reference) = m.reference() {
        let recorded = tx
            .prepare_cached(
                "INSERT OR IGNORE INTO corrections (account, peer, direction, reference, target)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                account,
                m.peer.as_str(),
                m.direction.as_str(),
                reference,
                original.key
            ])?;
        if recorded == 0 {
            return Ok(()); // a copy of a correction already seen
        }
    }
    if original.corrected_at.is_some_and(|applied| applied > at) {
        return Ok(());
    }
    tx.prepare_cached(
        "UPDATE messages SET original_body = COALESCE(original_body, body), body = ?2,
             edited = 1, corrected_at = ?3
         WHERE key = ?1",
    )?
    .execute(params![original.key, m.body, at])?;
    Ok(())
}

/// The stored message `m` is a copy of, if any (see the module's rules).
fn duplicate(tx: &Transaction<'_>, account: &str, m: &Message) -> rusqlite::Result<Option<i64>> {
    if let Some(stanza_id) = m.stanza_id.as_deref() {
        let found = tx
            .prepare_cached(
                "SELECT key FROM messages WHERE account = ?1 AND peer = ?2 AND stanza_id = ?3",
            )?
            .query_row(params![account, m.peer.as_str(), stanza_id], |row| {
                row.get(0)
            })
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
    }
    for (column, value) in [("origin_id", &m.origin_id), ("id", &m.id)] {
        let Some(value) = value.as_deref() else {
            continue;
        };
        let sql = format!(
            "SELECT key FROM messages
             WHERE account = ?1 AND peer = ?2 AND direction = ?3 AND {column} = ?4
               AND COALESCE(original_body, body) = ?5 AND (stanza_id IS NULL OR ?6 IS NULL)
             ORDER BY key DESC LIMIT 1"
        );
        let found = tx
            .prepare_cached(&sql)?
            .query_row(
                params![
                    account,
                    m.peer.as_str(),
                    m.direction.as_str(),
                    value,
                    m.body,
                    m.stanza_id
                ],
                |row| row.get(0),
            )
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// A copy of the stored message `key`: fills in what the first copy lacked.
fn merge(tx: &Transaction<'_>, key: i64, m: &Message) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE messages SET stanza_id = COALESCE(stanza_id, ?2),
             origin_id = COALESCE(origin_id, ?3), id = COALESCE(id, ?4),
             resource = COALESCE(resource, ?5)
         WHERE key = ?1",
    )?
    .execute(params![key, m.stanza_id, m.origin_id, m.id, m.resource])?;
    if m.direction == Direction::Out && m.via != Via::Live {
        advance(tx, key, Delivery::Sent)?;
    }
    Ok(())
}

fn insert(
    tx: &Transaction<'_>,
    account: &str,
    m: &Message,
    at: i64,
    room: bool,
) -> rusqlite::Result<()> {
    // Typed here: queued until the session says more. From another of the user's clients
    // (a carbon, the archive): the server has it.
    let step = match (m.direction, m.via) {
        (Direction::In, _) => None,
        (Direction::Out, Via::Live) => Some(Delivery::Queued),
        (Direction::Out, _) => Some(Delivery::Sent),
    };
    let (state, error) = step.as_ref().map(delivery_columns).unzip();
    tx.prepare_cached(
        "INSERT INTO messages (account, peer, resource, direction, body, id, origin_id,
             stanza_id, at, via, wants_receipt, delivery, error, replaces, room)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
        account,
        m.peer.as_str(),
        m.resource,
        m.direction.as_str(),
        m.body,
        m.id,
        m.origin_id,
        m.stanza_id,
        at,
        via_str(m.via),
        m.wants_receipt,
        state,
        error.flatten(),
        m.replaces,
        room,
    ])?;
    tx.prepare_cached(
        "INSERT INTO conversations (account, peer, last_at, messages) VALUES (?1, ?2, ?3, 1)
         ON CONFLICT(account, peer) DO UPDATE
             SET last_at = MAX(last_at, excluded.last_at), messages = messages + 1",
    )?
    .execute(params![account, m.peer.as_str(), at])?;
    Ok(())
}

/// An outgoing message to `peer` (by its id, else its origin-id) got further.
pub fn deliver(
    tx: &Transaction<'_>,
    account: &str,
    peer: &str,
    id: &str,
    next: &Delivery,
) -> rusqlite::Result<()> {
    for column in ["id", "origin_id"] {
        let sql = format!(
            "SELECT key FROM messages
             WHERE account = ?1 AND peer = ?2 AND direction = 'out' AND {column} = ?3
             ORDER BY key DESC LIMIT 1"
        );
        let key: Option<i64> = tx
            .prepare_cached(&sql)?
            .query_row(params![account, peer, id], |row| row.get(0))
            .optional()?;
        if let Some(key) = key {
            return advance(tx, key, next.clone());
        }
    }
    tracing::debug!("history: a delivery step for a message not stored");
    Ok(())
}

/// Moves the delivery of `key` on to `next`, never backwards (`Delivery::advance`).
fn advance(tx: &Transaction<'_>, key: i64, next: Delivery) -> rusqlite::Result<()> {
    let (state, error): (Option<String>, Option<String>) = tx
        .prepare_cached("SELECT delivery, error FROM messages WHERE key = ?1")?
        .query_row(params![key], |row| Ok((row.get(0)?, row.get(1)?)))?;
    let current = state
        .as_deref()
        .and_then(|s| delivery(s, error))
        .unwrap_or(Delivery::Queued);
    let reached = current.advance(next);
    if reached != current {
        let (state, error) = delivery_columns(&reached);
        tx.prepare_cached("UPDATE messages SET delivery = ?2, error = ?3 WHERE key = ?1")?
            .execute(params![key, state, error])?;
    }
    Ok(())
}
