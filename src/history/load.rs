//! Reading the roster cache back. The file is the user's own, but it may be old, edited by
//! hand or damaged: JIDs are parsed again, text sanitized again, and a row that does not
//! make sense is skipped rather than failing the whole load.

use std::time::{Duration, UNIX_EPOCH};

use jid::BareJid;
use rusqlite::{params, Connection, OptionalExtension};

use super::{subscription_of, CachedRoster, LastPresence, GROUP_SEP};
use crate::domain::Show;
use crate::domain::{OwnPresence, RosterItem};
use crate::sanitize::{sanitize, MAX_NAME, MAX_STATUS};

pub fn roster(conn: &Connection, account: &BareJid) -> rusqlite::Result<CachedRoster> {
    let account = account.as_str();
    let state: Option<(Option<String>, i64)> = conn
        .query_row(
            "SELECT ver, saved_at FROM roster_state WHERE account = ?1",
            params![account],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let seen = super::seen::latest(conn, account)?
        .into_iter()
        .filter(|t| t.show.is_none())
        .map(|t| (t.jid, t.at))
        .collect();
    let own = own(conn, account)?;
    let Some((ver, saved_at)) = state else {
        return Ok(CachedRoster {
            seen,
            own,
            ..CachedRoster::default()
        });
    };
    Ok(CachedRoster {
        items: items(conn, account)?,
        ver,
        presence: presence(conn, account)?,
        saved_at: u64::try_from(saved_at)
            .ok()
            .map(|s| UNIX_EPOCH + Duration::from_secs(s)),
        seen,
        own,
    })
}

/// The own presence saved at quit; a row that does not make sense is none.
fn own(conn: &Connection, account: &str) -> rusqlite::Result<Option<OwnPresence>> {
    let row: Option<(String, String, i64)> = conn
        .query_row(
            "SELECT show, status, priority FROM own_presence WHERE account = ?1",
            params![account],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?;
    Ok(row.and_then(|(show, status, priority)| {
        Some(OwnPresence {
            show: Show::parse(&show)?,
            status: sanitize(&status, MAX_STATUS),
            priority: i8::try_from(priority).ok()?,
        })
    }))
}

fn items(conn: &Connection, account: &str) -> rusqlite::Result<Vec<RosterItem>> {
    let mut stmt = conn.prepare(
        "SELECT jid, name, groups, subscription, pending_out FROM roster WHERE account = ?1",
    )?;
    let rows = stmt.query_map(params![account], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, Option<String>>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, bool>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (jid, name, groups, subscription, pending_out) = row?;
        let Ok(jid) = BareJid::new(&jid) else {
            tracing::warn!("roster cache: skipped an unreadable JID");
            continue;
        };
        out.push(RosterItem {
            jid,
            name: name
                .map(|n| sanitize(&n, MAX_NAME))
                .filter(|n| !n.is_empty()),
            groups: groups
                .split(GROUP_SEP)
                .map(|g| sanitize(g, MAX_NAME))
                .filter(|g| !g.is_empty())
                .collect(),
            subscription: subscription_of(&subscription),
            pending_out,
        });
    }
    Ok(out)
}

fn presence(conn: &Connection, account: &str) -> rusqlite::Result<Vec<LastPresence>> {
    let mut stmt = conn.prepare(
        "SELECT jid, resource, show, status, priority FROM last_presence WHERE account = ?1",
    )?;
    let rows = stmt.query_map(params![account], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, i64>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (jid, resource, show, status, priority) = row?;
        let (Ok(jid), Some(show)) = (BareJid::new(&jid), Show::parse(&show)) else {
            continue;
        };
        out.push(LastPresence {
            jid,
            resource: sanitize(&resource, MAX_NAME),
            show,
            status: sanitize(&status, MAX_STATUS),
            priority: i8::try_from(priority.clamp(-128, 127)).unwrap_or(0),
        });
    }
    Ok(out)
}
