//! The presence log behind "last seen": each contact's availability transitions (available
//! with a show, or unavailable) with their time, per account.
//!
//! Bounded: the writer thread coalesces ([`Coalescer`]: a row only when a contact's
//! aggregate show really changes, so a storm of status texts or resources writes nothing),
//! and [`prune`] at start drops rows older than [`KEEP`] (each contact's newest row stays:
//! it is the last seen) and caps each contact at [`CAP`] rows.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use jid::BareJid;
use rusqlite::{params, Connection, Transaction};

use super::columns::{millis, time};
use crate::domain::Show;
use crate::sanitize::{sanitize, MAX_STATUS};

/// How long transitions are kept.
pub const KEEP: Duration = Duration::from_secs(30 * 86_400);
/// Most rows kept per contact.
pub const CAP: usize = 2_000;

/// One change of a contact's aggregate availability.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub jid: BareJid,
    pub at: SystemTime,
    /// `None`: unavailable.
    pub show: Option<Show>,
    pub status: String,
}

/// The most available show among a contact's resources (chat > online > away > xa > dnd),
/// `None` when it has none.
pub fn aggregate<'a>(shows: impl IntoIterator<Item = &'a Show>) -> Option<Show> {
    shows.into_iter().copied().min_by_key(|s| s.rank())
}

/// Turns per-resource presence into transitions, only when the aggregate changes.
#[derive(Debug, Default)]
pub struct Coalescer {
    /// Available resources of each contact in this session.
    resources: HashMap<BareJid, HashMap<String, Show>>,
    /// The last transition written per contact.
    written: HashMap<BareJid, Option<Show>>,
}

impl Coalescer {
    /// Starts from what the file says last (no row is written again after a restart).
    pub fn seeded(last: impl IntoIterator<Item = (BareJid, Option<Show>)>) -> Coalescer {
        Coalescer {
            resources: HashMap::new(),
            written: last.into_iter().collect(),
        }
    }

    /// A new session: every resource is unknown again (what was written stays known).
    pub fn reset(&mut self) {
        self.resources.clear();
    }

    /// One resource's presence (`resource` None: the bare JID; `show` None: unavailable or
    /// an error); returns the transition to write, if the aggregate changed.
    pub fn observe(
        &mut self,
        jid: &BareJid,
        resource: Option<&str>,
        show: Option<Show>,
        status: &str,
        at: SystemTime,
    ) -> Option<Transition> {
        let resources = self.resources.entry(jid.clone()).or_default();
        match (resource, show) {
            (None, None) => resources.clear(),
            (r, None) => {
                resources.remove(r.unwrap_or(""));
            }
            (r, Some(show)) => {
                resources.insert(r.unwrap_or("").to_owned(), show);
            }
        }
        let now = aggregate(resources.values());
        if resources.is_empty() {
            self.resources.remove(jid);
        }
        let before = self.written.get(jid).copied();
        // Nothing known and unavailable: the login probe's answer for an offline contact.
        if before == Some(now) || (before.is_none() && now.is_none()) {
            return None;
        }
        self.written.insert(jid.clone(), now);
        Some(Transition {
            jid: jid.clone(),
            at,
            show: now,
            status: status.to_owned(),
        })
    }
}

pub fn insert(tx: &Transaction<'_>, account: &str, t: &Transition) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO presence_log (account, jid, at, show, status) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        account,
        t.jid.as_str(),
        millis(t.at),
        t.show.map(Show::as_str),
        t.status,
    ])?;
    Ok(())
}

/// The rows that read back as transitions (see [`transition`]), in query order.
fn readable(
    rows: impl Iterator<Item = rusqlite::Result<(String, i64, Option<String>, String)>>,
) -> rusqlite::Result<Vec<Transition>> {
    let mut out = Vec::new();
    for row in rows {
        let (jid, at, show, status) = row?;
        out.extend(transition(&jid, at, show, &status));
    }
    Ok(out)
}

fn read_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<(String, i64, Option<String>, String)> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
}

/// A row as read back; `None` when its JID or show does not parse.
fn transition(jid: &str, at: i64, show: Option<String>, status: &str) -> Option<Transition> {
    let show = match show {
        None => None,
        Some(s) => Some(Show::parse(&s)?),
    };
    Some(Transition {
        jid: BareJid::new(jid).ok()?,
        at: time(at),
        show,
        status: sanitize(status, MAX_STATUS),
    })
}

/// Each contact's newest transition.
pub fn latest(conn: &Connection, account: &str) -> rusqlite::Result<Vec<Transition>> {
    let mut stmt = conn.prepare(
        "SELECT jid, at, show, status FROM presence_log p WHERE account = ?1 AND key =
             (SELECT key FROM presence_log q WHERE q.account = ?1 AND q.jid = p.jid
              ORDER BY at DESC, key DESC LIMIT 1)",
    )?;
    let rows = stmt.query_map(params![account], read_row)?;
    readable(rows)
}

/// The newest `limit` transitions of one contact, oldest first.
pub fn of_contact(
    conn: &Connection,
    account: &str,
    jid: &str,
    limit: usize,
) -> rusqlite::Result<Vec<Transition>> {
    let mut stmt = conn.prepare(
        "SELECT jid, at, show, status FROM presence_log WHERE account = ?1 AND jid = ?2
         ORDER BY at DESC, key DESC LIMIT ?3",
    )?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = stmt.query_map(params![account, jid, limit], read_row)?;
    let mut out = readable(rows)?;
    out.reverse();
    Ok(out)
}

/// The transitions of one contact from `since` on, with the one just before (the state at
/// `since`), oldest first.
pub fn since(
    conn: &Connection,
    account: &str,
    jid: &str,
    since: SystemTime,
) -> rusqlite::Result<Vec<Transition>> {
    let mut stmt = conn.prepare(
        "SELECT jid, at, show, status FROM presence_log WHERE account = ?1 AND jid = ?2
         AND at >= COALESCE((SELECT at FROM presence_log WHERE account = ?1 AND jid = ?2
             AND at < ?3 ORDER BY at DESC, key DESC LIMIT 1), ?3)
         ORDER BY at, key",
    )?;
    let rows = stmt.query_map(params![account, jid, millis(since)], read_row)?;
    readable(rows)
}

/// Drops rows older than `now - KEEP` (but never a contact's newest) and all but the
/// newest [`CAP`] of each contact. Returns how many went.
pub fn prune(tx: &Transaction<'_>, account: &str, now: SystemTime) -> rusqlite::Result<usize> {
    let cutoff = millis(now.checked_sub(KEEP).unwrap_or(std::time::UNIX_EPOCH));
    let old = tx.execute(
        "DELETE FROM presence_log WHERE account = ?1 AND at < ?2 AND key <>
             (SELECT key FROM presence_log q WHERE q.account = ?1 AND q.jid = presence_log.jid
              ORDER BY at DESC, key DESC LIMIT 1)",
        params![account, cutoff],
    )?;
    let over = tx.execute(
        "DELETE FROM presence_log WHERE key IN (SELECT key FROM (SELECT key, ROW_NUMBER()
             OVER (PARTITION BY jid ORDER BY at DESC, key DESC) AS n
             FROM presence_log WHERE account = ?1) WHERE n > ?2)",
        params![account, i64::try_from(CAP).unwrap_or(i64::MAX)],
    )?;
    Ok(old + over)
}
