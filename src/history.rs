//! The local database (SQLite, bundled): what rosterm remembers between runs, per account.
//! Today the roster cache (items, version, last known presence) that makes a start instant:
//! the roster is drawn from here at once, marked as cached, and replaced when the server
//! answers (with roster versioning the server then sends only what changed). Chat history
//! and the presence log go here next.
//!
//! The file is created with mode 600 in a directory of mode 700. Nothing from it is trusted
//! more than the network: JIDs are parsed again, text is sanitized again when loaded.
//!
//! [`Writer`] owns the connection on a thread of its own, so the app loop never waits for
//! the disk: it sends [`Write`]s and forgets them.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jid::BareJid;
use rusqlite::{params, Connection};

use crate::domain::Show;
use crate::domain::{RosterItem, Subscription};

/// Bump when the schema changes; older files are migrated in [`History::open`].
const SCHEMA: i64 = 1;
/// Separates group names in one column (a control character: sanitized names never hold one).
const GROUP_SEP: char = '\u{1f}';

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("cannot create {path}: {source}")]
    Dir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the local database {path} cannot be used: {source}")]
    Db {
        path: PathBuf,
        source: rusqlite::Error,
    },
}

/// A contact's last known presence (its best resource), for the cached roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastPresence {
    pub jid: BareJid,
    pub resource: String,
    pub show: Show,
    pub status: String,
    pub priority: i8,
}

/// What was saved for an account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CachedRoster {
    pub items: Vec<RosterItem>,
    /// The roster version the items are at (roster versioning), if the server had one.
    pub ver: Option<String>,
    pub presence: Vec<LastPresence>,
    /// When the roster was last written.
    pub saved_at: Option<SystemTime>,
}

/// One change to write.
#[derive(Debug, Clone)]
pub enum Write {
    /// The whole roster from the server (its version follows in `Version`).
    Roster(Vec<RosterItem>),
    Push(RosterItem),
    Remove(BareJid),
    Version(String),
    /// The last known presence of every contact (written on quit).
    Presence(Vec<LastPresence>),
    /// A 1:1 message, in or out (de-duplicated; a correction updates what it replaces).
    Message(crate::domain::Message),
    /// An outgoing message got further (never backwards: `Delivery::advance`).
    Delivery {
        peer: BareJid,
        id: String,
        delivery: crate::domain::Delivery,
    },
}

pub struct History {
    conn: Connection,
    path: PathBuf,
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn subscription_of(text: &str) -> Subscription {
    match text {
        "to" => Subscription::To,
        "from" => Subscription::From,
        "both" => Subscription::Both,
        _ => Subscription::None,
    }
}

#[cfg(unix)]
fn private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let mode = std::fs::metadata(dir)?.permissions().mode();
    if mode & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode & 0o700))?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn private_file(_: &Path) -> std::io::Result<()> {
    Ok(())
}

impl History {
    /// Opens (or creates) the database at `path`, private to the user.
    pub fn open(path: &Path) -> Result<History, HistoryError> {
        let db = |source| HistoryError::Db {
            path: path.to_owned(),
            source,
        };
        if let Some(dir) = path.parent() {
            private_dir(dir).map_err(|source| HistoryError::Dir {
                path: dir.to_owned(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(db)?;
        private_file(path).map_err(|source| HistoryError::Dir {
            path: path.to_owned(),
            source,
        })?;
        conn.busy_timeout(Duration::from_secs(2)).map_err(db)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
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
                 PRIMARY KEY (account, jid)) WITHOUT ROWID;",
        )
        .map_err(db)?;
        conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?1)",
            params![SCHEMA],
        )
        .map_err(db)?;
        Ok(History {
            conn,
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, source: rusqlite::Error) -> HistoryError {
        HistoryError::Db {
            path: self.path.clone(),
            source,
        }
    }

    /// The saved roster of `account` (empty if none). Rows that no longer parse are skipped.
    pub fn load_roster(&self, account: &BareJid) -> Result<CachedRoster, HistoryError> {
        crate::history::load::roster(&self.conn, account).map_err(|e| self.err(e))
    }

    /// Applies one change for `account`, in one transaction.
    pub fn write(&mut self, account: &BareJid, change: &Write) -> Result<(), HistoryError> {
        let tx = self.conn.transaction().map_err(|e| HistoryError::Db {
            path: self.path.clone(),
            source: e,
        })?;
        let result = apply(&tx, account.as_str(), change).and_then(|()| tx.commit());
        result.map_err(|e| self.err(e))
    }
}

mod load;

fn upsert(
    tx: &rusqlite::Transaction<'_>,
    account: &str,
    item: &RosterItem,
) -> rusqlite::Result<()> {
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

fn touch(tx: &rusqlite::Transaction<'_>, account: &str) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO roster_state (account, ver, saved_at) VALUES (?1, NULL, ?2)
         ON CONFLICT(account) DO UPDATE SET saved_at = ?2",
        params![account, now_secs()],
    )?;
    Ok(())
}

fn apply(tx: &rusqlite::Transaction<'_>, account: &str, change: &Write) -> rusqlite::Result<()> {
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
        // Stored from schema 2 on (the conversations issue).
        Write::Message(_) | Write::Delivery { .. } => {}
        Write::Presence(list) => {
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
        }
    }
    Ok(())
}

/// A handle that queues writes for a [`Writer`] (cheap to clone, never blocks).
#[derive(Debug, Clone)]
pub struct Sink(mpsc::Sender<Write>);

impl Sink {
    /// Queues what a session event means for the cache, if anything.
    pub fn observe(&self, event: &crate::event::SessionEvent) {
        use crate::event::SessionEvent as E;
        let change = match event {
            E::RosterReceived(items) => Write::Roster(items.clone()),
            E::RosterPush(item) => Write::Push(item.clone()),
            E::RosterRemove(jid) => Write::Remove(jid.clone()),
            E::RosterVersion(ver) => Write::Version(ver.clone()),
            _ => return,
        };
        let _ = self.0.send(change);
    }

    pub fn send(&self, change: Write) {
        let _ = self.0.send(change);
    }
}

/// The database on a thread of its own: writes are queued and never block the caller.
pub struct Writer {
    tx: Option<mpsc::Sender<Write>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Writer {
    /// Starts the writer for `account`; failures are logged (the app goes on without).
    pub fn spawn(mut history: History, account: BareJid) -> std::io::Result<Writer> {
        let (tx, rx) = mpsc::channel::<Write>();
        let thread = std::thread::Builder::new()
            .name("rosterm-history".into())
            .spawn(move || {
                for change in rx {
                    if let Err(e) = history.write(&account, &change) {
                        tracing::warn!("{e}");
                    }
                }
            })?;
        Ok(Writer {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// A handle for queueing writes from elsewhere (the session thread).
    pub fn sink(&self) -> Option<Sink> {
        self.tx.clone().map(Sink)
    }

    pub fn send(&self, change: Write) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(change);
        }
    }

    /// Writes what is queued, waiting at most `limit` (once every [`Sink`] is dropped too).
    pub fn finish(mut self, limit: Duration) {
        self.tx = None;
        let deadline = std::time::Instant::now() + limit;
        if let Some(thread) = self.thread.take() {
            while !thread.is_finished() && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            if thread.is_finished() {
                let _ = thread.join();
            }
        }
    }
}

#[cfg(test)]
mod tests;
