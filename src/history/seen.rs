//! The presence log behind "last seen": each contact's availability transitions (available
//! with a show, or unavailable) with their time, per account.
//!
//! Bounded: the writer thread coalesces ([`Coalescer`]: a row only when a contact's
//! aggregate show really changes, so a storm of status texts or resources writes nothing),
//! and [`prune`] at start drops rows older than [`KEEP`] (each contact's newest row stays:
//! it is the last seen) and caps each contact at [`CAP`] rows.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
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
///
/// It keeps no names: a contact or a resource is known by a 64-bit hash of its name, keyed
/// at random per run (SipHash), so that it costs ~50 bytes per contact beside the store's
/// own copy, not the ~350 that JIDs and resource names cost (7 MiB for 20,000 contacts).
/// Two names of one run sharing a hash (odds ~2^-64 for a pair) would share a state.
#[derive(Debug, Default)]
pub struct Coalescer {
    names: RandomState,
    /// Available resources of each contact in this session, with their show.
    resources: HashMap<u64, Vec<(u64, Show)>, Hashed>,
    /// The last transition written per contact.
    written: HashMap<u64, Option<Show>, Hashed>,
}

/// The keys are SipHash outputs already: hashing them again would only cost time.
type Hashed = BuildHasherDefault<Prehashed>;

#[derive(Debug, Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl Coalescer {
    /// Starts from what the file says last (no row is written again after a restart).
    pub fn seeded(last: impl IntoIterator<Item = (BareJid, Option<Show>)>) -> Coalescer {
        let mut c = Coalescer::default();
        for (jid, show) in last {
            let key = c.names.hash_one(jid.as_str());
            c.written.insert(key, show);
        }
        c
    }

    /// A new session: every resource is unknown again (what was written stays known).
    pub fn reset(&mut self) {
        self.resources.clear();
        self.resources.shrink_to_fit();
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
        let key = self.names.hash_one(jid.as_str());
        let now = self.update(key, resource, show);
        let before = self.written.get(&key).copied();
        // Nothing known and unavailable: the login probe's answer for an offline contact.
        if before == Some(now) || (before.is_none() && now.is_none()) {
            return None;
        }
        self.written.insert(key, now);
        Some(Transition {
            jid: jid.clone(),
            at,
            show: now,
            status: status.to_owned(),
        })
    }

    /// Applies one resource's presence to the contact `key`; returns its aggregate.
    fn update(&mut self, key: u64, resource: Option<&str>, show: Option<Show>) -> Option<Show> {
        let name = self.names.hash_one(resource.unwrap_or(""));
        let resources = self.resources.entry(key).or_default();
        match (resource, show) {
            (None, None) => resources.clear(),
            (_, None) => resources.retain(|(r, _)| *r != name),
            (_, Some(show)) => match resources.iter_mut().find(|(r, _)| *r == name) {
                Some(known) => known.1 = show,
                None => {
                    // One slot more, not four: most contacts have one resource.
                    resources.reserve_exact(1);
                    resources.push((name, show));
                }
            },
        }
        let now = aggregate(resources.iter().map(|(_, s)| s));
        if resources.is_empty() {
            self.resources.remove(&key);
        }
        now
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
