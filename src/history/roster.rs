//! Writing the roster cache: the whole roster, a push, a removal, the roster version and
//! the last known presence of every contact.

use rusqlite::{params, Transaction};

use super::{now_secs, LastPresence, Write, GROUP_SEP};
use crate::domain::RosterItem;

fn upsert(tx: &Transaction<'_>, account: &str, item: &RosterItem) -> rusqlite::Result<()> {
    let groups: Vec<&str> = item.groups.iter().map(String::as_str).collect();
    tx.prepare_cached(
        "INSERT OR REPLACE INTO roster (account, jid, name, groups, subscription, pending_out)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        account,
        item.jid.as_str(),
        item.name,
        groups.join(&GROUP_SEP.to_string()),
        item.subscription.as_str(),
        item.pending_out,
    ])?;
    Ok(())
}

fn touch(tx: &Transaction<'_>, account: &str) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO roster_state (account, ver, saved_at) VALUES (?1, NULL, ?2)
         ON CONFLICT(account) DO UPDATE SET saved_at = ?2",
        params![account, now_secs()],
    )?;
    Ok(())
}

fn presence(tx: &Transaction<'_>, account: &str, list: &[LastPresence]) -> rusqlite::Result<()> {
    tx.execute(
        "DELETE FROM last_presence WHERE account = ?1",
        params![account],
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT OR REPLACE INTO last_presence (account, jid, resource, show, status, priority)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for p in list {
        insert.execute(params![
            account,
            p.jid.as_str(),
            p.resource,
            p.show.as_str(),
            p.status,
            p.priority,
        ])?;
    }
    Ok(())
}

/// Applies a roster change; anything else is not this module's and is left alone.
pub fn apply(tx: &Transaction<'_>, account: &str, change: &Write) -> rusqlite::Result<()> {
    match change {
        Write::Roster(items) => {
            tx.execute("DELETE FROM roster WHERE account = ?1", params![account])?;
            for item in items {
                upsert(tx, account, item)?;
            }
            touch(tx, account)?;
            // The version that goes with these items comes next; until then, none.
            tx.execute(
                "UPDATE roster_state SET ver = NULL WHERE account = ?1",
                params![account],
            )?;
        }
        Write::Push(item) => {
            upsert(tx, account, item)?;
            touch(tx, account)?;
        }
        Write::Remove(jid) => {
            tx.execute(
                "DELETE FROM roster WHERE account = ?1 AND jid = ?2",
                params![account, jid.as_str()],
            )?;
            touch(tx, account)?;
        }
        Write::Version(ver) => {
            touch(tx, account)?;
            tx.execute(
                "UPDATE roster_state SET ver = ?2 WHERE account = ?1",
                params![account, ver],
            )?;
        }
        Write::Presence(list) => presence(tx, account, list)?,
        Write::Own(own) => {
            tx.execute(
                "INSERT OR REPLACE INTO own_presence (account, show, status, priority, saved_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    account,
                    own.show.as_str(),
                    own.status,
                    own.priority,
                    now_secs()
                ],
            )?;
        }
        Write::Message(_)
        | Write::RoomMessage(_)
        | Write::Delivery { .. }
        | Write::ResourcePresence { .. }
        | Write::SessionReset
        | Write::Seen(_)
        | Write::Caps { .. } => {}
    }
    Ok(())
}
