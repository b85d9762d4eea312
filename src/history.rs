//! The local database (SQLite, bundled): what rosterm remembers between runs, per account.
//! - The roster cache (items, version, last known presence) that makes a start instant:
//!   the roster is drawn from here at once, marked as cached, and replaced when the server
//!   answers (with roster versioning the server then sends only what changed).
//! - 1:1 message history: every message in and out, de-duplicated (stanza-id, origin-id,
//!   id), corrections applied, delivery steps of outgoing messages; read back a page at a
//!   time ([`History::recent`], [`History::before`]).
//!
//! The file is created with mode 600 in a directory of mode 700. Nothing from it is trusted
//! more than the network: JIDs are parsed again, text is sanitized again when loaded.
//!
//! [`Writer`] owns a connection on a thread of its own, so the app loop never waits for the
//! disk: it sends [`Write`]s and forgets them. The app reads through a `History` of its
//! own (WAL: readers do not wait for the writer).
//!
//! - The presence log behind "last seen" and the detail view's 7-day strip: each
//!   contact's availability transitions, coalesced by the writer thread and pruned at
//!   start (`seen`).
//!
//! - Contacts' capabilities (XEP-0115), verified, by verification string (`caps`): a
//!   restart asks nobody again.
//!
//! Where things live: `schema` (tables, migrations: add a schema there), `roster` and
//! `messages` (writes), `load` (roster reads), `read` (message reads), `seen` (the
//! presence log), `columns` (how fields are stored), `writer` ([`Writer`], [`Sink`]).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jid::BareJid;
use rusqlite::Connection;

use crate::domain::Show;
use crate::domain::{Delivery, Message, RosterItem, Subscription};

mod caps;
mod columns;
mod load;
mod messages;
mod read;
mod roster;
mod schema;
pub mod seen;
mod writer;

pub use seen::Transition;
pub use writer::{Sink, Writer};
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
    #[error(
        "the local database {path} was written by a newer rosterm (schema {found}, this one \
         knows {known}): upgrade rosterm, or set another storage path in the config"
    )]
    Newer {
        path: PathBuf,
        found: i64,
        known: i64,
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
    /// When each contact was last seen going offline (the presence log's newest
    /// unavailable transitions).
    pub seen: Vec<(BareJid, SystemTime)>,
    /// The user's own presence when rosterm last quit.
    pub own: Option<crate::domain::OwnPresence>,
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
    /// The user's own presence on this account (written on quit).
    Own(crate::domain::OwnPresence),
    /// A 1:1 message, in or out (de-duplicated; a correction updates what it replaces).
    Message(Message),
    /// A room message (`peer` = the room, `resource` = the sender's nick).
    RoomMessage(Message),
    /// One resource's presence as the session saw it (`show` None: unavailable or error);
    /// the writer thread coalesces these into [`Write::Seen`] (only real changes of the
    /// contact's aggregate show are written).
    ResourcePresence {
        jid: BareJid,
        resource: Option<String>,
        show: Option<Show>,
        status: String,
        at: SystemTime,
    },
    /// A new session: every contact's resources are unknown again.
    SessionReset,
    /// A presence transition to store as it is (coalesced, or a `/last` answer).
    Seen(Transition),
    /// Capabilities whose hash matched their verification string (XEP-0115).
    Caps {
        ver: String,
        caps: crate::domain::device::Capabilities,
    },
    /// An outgoing message got further (never backwards: `Delivery::advance`).
    Delivery {
        peer: BareJid,
        id: String,
        delivery: Delivery,
    },
}

/// A message as stored: what the conversation view shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    /// Stable while the file lives: the cursor to page back from ([`History::before`]).
    pub key: i64,
    /// As received or sent; after a correction, `body` is the corrected text.
    pub message: Message,
    /// Outgoing messages only.
    pub delivery: Option<Delivery>,
    /// A correction (XEP-0308) replaced the text.
    pub edited: bool,
}

/// A conversation with at least one stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub peer: BareJid,
    /// When its newest message was sent.
    pub last_at: SystemTime,
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
    /// Opens (or creates) the database at `path`, private to the user, migrating a file
    /// written by an older rosterm.
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
        let mut conn = Connection::open(path).map_err(db)?;
        private_file(path).map_err(|source| HistoryError::Dir {
            path: path.to_owned(),
            source,
        })?;
        conn.busy_timeout(Duration::from_secs(2)).map_err(db)?;
        // A page cache of 1 MiB, not SQLite's 2: writing a 20,000-contact roster would
        // otherwise keep 2 MiB per connection resident; the OS caches the file anyway.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -1024;",
        )
        .map_err(db)?;
        if let Some(found) = schema::migrate(&mut conn).map_err(db)? {
            if found > schema::CURRENT {
                return Err(HistoryError::Newer {
                    path: path.to_owned(),
                    found,
                    known: schema::CURRENT,
                });
            }
        }
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
        load::roster(&self.conn, account).map_err(|e| self.err(e))
    }

    /// Applies one change for `account`, in one transaction.
    pub fn write(&mut self, account: &BareJid, change: &Write) -> Result<(), HistoryError> {
        self.write_all(account, std::slice::from_ref(change))
    }

    /// Applies changes for `account` in order, in one transaction (all or none): the
    /// writer thread's group commit. It takes the write lock when it begins (immediate):
    /// every account's writer shares the file, and a transaction that read first could not
    /// wait for another's write to end.
    pub fn write_all(&mut self, account: &BareJid, changes: &[Write]) -> Result<(), HistoryError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| HistoryError::Db {
                path: self.path.clone(),
                source: e,
            })?;
        let account = account.as_str();
        let applied = changes.iter().try_for_each(|change| match change {
            Write::Message(message) => messages::store(&tx, account, message, false),
            Write::RoomMessage(message) => messages::store(&tx, account, message, true),
            Write::Delivery { peer, id, delivery } => {
                messages::deliver(&tx, account, peer.as_str(), id, delivery)
            }
            Write::Seen(t) => seen::insert(&tx, account, t),
            Write::Caps { ver, caps } => caps::save(&tx, ver, caps),
            Write::ResourcePresence { .. } | Write::SessionReset => Ok(()),
            roster => roster::apply(&tx, account, roster),
        });
        applied.and_then(|()| tx.commit()).map_err(|e| self.err(e))
    }

    /// Every verified set of capabilities saved, by verification string.
    pub fn load_caps(
        &self,
    ) -> Result<Vec<(String, crate::domain::device::Capabilities)>, HistoryError> {
        caps::load(&self.conn).map_err(|e| self.err(e))
    }

    /// Each contact's newest presence transition.
    pub fn latest_seen(&self, account: &BareJid) -> Result<Vec<Transition>, HistoryError> {
        seen::latest(&self.conn, account.as_str()).map_err(|e| self.err(e))
    }

    /// The newest `limit` presence transitions of `peer`, oldest first.
    pub fn transitions(
        &self,
        account: &BareJid,
        peer: &BareJid,
        limit: usize,
    ) -> Result<Vec<Transition>, HistoryError> {
        seen::of_contact(&self.conn, account.as_str(), peer.as_str(), limit)
            .map_err(|e| self.err(e))
    }

    /// The presence transitions of `peer` from `since` on, with the one just before.
    pub fn transitions_since(
        &self,
        account: &BareJid,
        peer: &BareJid,
        since: SystemTime,
    ) -> Result<Vec<Transition>, HistoryError> {
        seen::since(&self.conn, account.as_str(), peer.as_str(), since).map_err(|e| self.err(e))
    }

    /// Drops old presence transitions ([`seen::prune`]); returns how many went.
    pub fn prune_seen(
        &mut self,
        account: &BareJid,
        now: SystemTime,
    ) -> Result<usize, HistoryError> {
        let tx = self.conn.transaction().map_err(|e| HistoryError::Db {
            path: self.path.clone(),
            source: e,
        })?;
        let gone = seen::prune(&tx, account.as_str(), now);
        gone.and_then(|n| tx.commit().map(|()| n))
            .map_err(|e| self.err(e))
    }

    /// The newest `limit` messages with `peer`, oldest first; `room`: a room's messages, else
    /// the 1:1 ones (with a room's JID: the private messages via it).
    pub fn recent(
        &self,
        account: &BareJid,
        peer: &BareJid,
        limit: usize,
        room: bool,
    ) -> Result<Vec<StoredMessage>, HistoryError> {
        read::recent(&self.conn, account.as_str(), peer.as_str(), limit, room)
            .map_err(|e| self.err(e))
    }

    /// The `limit` messages with `peer` just before the one with `key`, oldest first (empty
    /// at the beginning, or for a key that is not in this conversation); `room` as for
    /// [`History::recent`].
    pub fn before(
        &self,
        account: &BareJid,
        peer: &BareJid,
        key: i64,
        limit: usize,
        room: bool,
    ) -> Result<Vec<StoredMessage>, HistoryError> {
        read::before(
            &self.conn,
            account.as_str(),
            peer.as_str(),
            key,
            limit,
            room,
        )
        .map_err(|e| self.err(e))
    }

    /// The stanza-id of the newest message stored from the server's archive or with a
    /// stanza-id: where the archive catch-up of a new session starts.
    /// Where a room's history continues: the room's stanza-id of its newest message, and
    /// when it was sent.
    pub fn last_room_stanza_id(
        &self,
        account: &BareJid,
        room: &BareJid,
    ) -> Result<Option<(String, std::time::SystemTime)>, HistoryError> {
        read::last_room_stanza_id(&self.conn, account.as_str(), room.as_str())
            .map_err(|e| self.err(e))
    }

    pub fn last_stanza_id(&self, account: &BareJid) -> Result<Option<String>, HistoryError> {
        read::last_stanza_id(&self.conn, account.as_str()).map_err(|e| self.err(e))
    }

    /// Every conversation of `account` with a stored message, the newest first.
    pub fn conversations(&self, account: &BareJid) -> Result<Vec<Conversation>, HistoryError> {
        read::conversations(&self.conn, account.as_str()).map_err(|e| self.err(e))
    }

    /// How many messages are stored with `peer`.
    pub fn count(&self, account: &BareJid, peer: &BareJid) -> Result<u64, HistoryError> {
        read::count(&self.conn, account.as_str(), peer.as_str()).map_err(|e| self.err(e))
    }

    /// Outgoing messages still queued (never acknowledged), oldest first: what a new
    /// session sends.
    pub fn queued(&self, account: &BareJid) -> Result<Vec<StoredMessage>, HistoryError> {
        read::queued(&self.conn, account.as_str()).map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod message_tests;

#[cfg(test)]
mod read_tests;

#[cfg(test)]
mod schema_tests;

#[cfg(test)]
mod seen_tests;
