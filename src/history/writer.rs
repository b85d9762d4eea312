//! The database on a thread of its own: the app loop and the sessions queue [`Write`]s
//! through a [`Sink`] and never wait for the disk.

use std::sync::mpsc;
use std::time::Duration;

use jid::BareJid;

use super::seen::Coalescer;
use super::{History, Write};

/// The writes to make of `batch`: presence goes through the coalescer (most of it writes
/// nothing), the rest as it is. The own account's resources are not a contact.
fn coalesce(coalescer: &mut Coalescer, account: &BareJid, batch: Vec<Write>) -> Vec<Write> {
    let mut out = Vec::with_capacity(batch.len());
    for change in batch {
        match change {
            Write::ResourcePresence {
                jid,
                resource,
                show,
                status,
                at,
            } => {
                if jid != *account {
                    let t = coalescer.observe(&jid, resource.as_deref(), show, &status, at);
                    out.extend(t.map(Write::Seen));
                }
            }
            Write::SessionReset => coalescer.reset(),
            other => out.push(other),
        }
    }
    out
}

/// A handle that queues writes for a [`Writer`] (cheap to clone, never blocks).
#[derive(Debug, Clone)]
pub struct Sink(mpsc::Sender<Write>);

impl Sink {
    /// Queues what a session event means for the database, if anything: roster changes,
    /// messages (in and out, de-duplicated when written) and delivery steps.
    pub fn observe(&self, event: &crate::event::SessionEvent) {
        use crate::event::SessionEvent as E;
        let change = match event {
            E::RosterReceived(items) => Write::Roster(items.clone()),
            E::RosterPush(item) => Write::Push(item.clone()),
            E::RosterRemove(jid) => Write::Remove(jid.clone()),
            E::RosterVersion(ver) => Write::Version(ver.clone()),
            E::Message(message) => Write::Message(message.clone()),
            E::RoomMessage(message) => Write::RoomMessage(message.clone()),
            E::Delivery { peer, id, delivery } => Write::Delivery {
                peer: peer.clone(),
                id: id.clone(),
                delivery: delivery.clone(),
            },
            E::Presence {
                from,
                resource,
                change,
            } => {
                use crate::event::PresenceChange as P;
                let (show, status) = match change {
                    P::Available { show, status, .. } => (Some(*show), status.clone()),
                    P::Unavailable { status } => (None, status.clone()),
                    P::Error { .. } => (None, String::new()),
                };
                Write::ResourcePresence {
                    jid: from.clone(),
                    resource: resource.clone(),
                    show,
                    status,
                    at: std::time::SystemTime::now(),
                }
            }
            E::SessionStarted { .. } => Write::SessionReset,
            // A `/last` answer: when it went away, as the log would have said.
            E::LastActivity {
                jid,
                result: Ok((secs, status)),
            } => Write::Seen(super::Transition {
                jid: jid.clone(),
                at: std::time::SystemTime::now()
                    .checked_sub(Duration::from_secs(*secs))
                    .unwrap_or(std::time::UNIX_EPOCH),
                show: None,
                status: status.clone(),
            }),
            _ => return,
        };
        let _ = self.0.send(change);
    }

    pub fn send(&self, change: Write) {
        let _ = self.0.send(change);
    }
}

/// Most changes written in one transaction: what was queued while the last one committed
/// (a burst of archive results, a roster) costs one commit, not one each.
const BATCH: usize = 4096;

/// How long a presence waits before it is written, so that a storm of presences costs one
/// transaction (and one wake-up of this thread) per window, not one each. Anything else
/// queued behind it is written with it; a message first in the queue is written at once.
pub const PRESENCE_WINDOW: Duration = Duration::from_millis(250);

/// The next batch: `first` and whatever is queued behind it, at most [`BATCH`]. When
/// `first` is a presence, presences arriving within [`PRESENCE_WINDOW`] join it; anything
/// else (a message) ends the wait, so it is never held back by a storm.
fn next_batch(rx: &mpsc::Receiver<Write>, first: Write, batch: &mut Vec<Write>) {
    let mut waiting = is_presence(&first);
    batch.push(first);
    let deadline = std::time::Instant::now() + PRESENCE_WINDOW;
    while batch.len() < BATCH {
        let next = if waiting {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            rx.recv_timeout(left).ok()
        } else {
            rx.try_recv().ok()
        };
        let Some(next) = next else { break };
        waiting &= is_presence(&next);
        batch.push(next);
    }
}

fn is_presence(change: &Write) -> bool {
    matches!(change, Write::ResourcePresence { .. })
}

/// Writes `batch` in one transaction; if that fails, one at a time, so that one change
/// that cannot be written does not take the others with it.
fn write_batch(history: &mut History, account: &BareJid, batch: &[Write]) {
    if let Err(e) = history.write_all(account, batch) {
        if batch.len() == 1 {
            tracing::warn!("{e}");
            return;
        }
        for change in batch {
            if let Err(e) = history.write(account, change) {
                tracing::warn!("{e}");
            }
        }
    }
}

/// The database on a thread of its own: writes are queued and never block the caller.
pub struct Writer {
    tx: Option<mpsc::Sender<Write>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Writer {
    /// Starts the writer for `account`; failures are logged (the app goes on without).
    /// Old presence transitions are pruned first.
    pub fn spawn(mut history: History, account: BareJid) -> std::io::Result<Writer> {
        let (tx, rx) = mpsc::channel::<Write>();
        if let Err(e) = history.prune_seen(&account, std::time::SystemTime::now()) {
            tracing::warn!("{e}");
        }
        let last = history.latest_seen(&account).unwrap_or_else(|e| {
            tracing::warn!("{e}");
            Vec::new()
        });
        let mut coalescer = Coalescer::seeded(last.into_iter().map(|t| (t.jid, t.show)));
        let thread = std::thread::Builder::new()
            .name("rosterm-history".into())
            .spawn(move || {
                let mut batch = Vec::new();
                while let Ok(first) = rx.recv() {
                    next_batch(&rx, first, &mut batch);
                    let writes = coalesce(&mut coalescer, &account, std::mem::take(&mut batch));
                    if !writes.is_empty() {
                        write_batch(&mut history, &account, &writes);
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
impl Sink {
    /// A sink whose writes land in `tx` (tests look at what a session event queues).
    pub fn for_test(tx: mpsc::Sender<Write>) -> Sink {
        Sink(tx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Show;

    fn presence(show: Option<Show>) -> Write {
        Write::ResourcePresence {
            jid: BareJid::new("bob@x").expect("jid"),
            resource: Some("r".into()),
            show,
            status: String::new(),
            at: std::time::SystemTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_batch_takes_what_is_queued_and_a_message_ends_the_presence_window() {
        let (tx, rx) = mpsc::channel();
        for _ in 0..3 {
            tx.send(presence(None)).expect("queued");
        }
        tx.send(Write::Version("1".into())).expect("queued");
        tx.send(presence(Some(Show::Away))).expect("queued");
        let mut batch = Vec::new();
        next_batch(&rx, presence(Some(Show::Dnd)), &mut batch);
        // The version ends the wait; what was already queued behind it still joins.
        assert_eq!(batch.len(), 6);
        assert!(matches!(batch[4], Write::Version(_)));
        assert!(rx.try_recv().is_err());
    }

    #[test]
    fn a_batch_never_exceeds_its_limit() {
        let (tx, rx) = mpsc::channel();
        for _ in 0..BATCH + 10 {
            tx.send(Write::Version("1".into())).expect("queued");
        }
        let mut batch = Vec::new();
        next_batch(&rx, Write::Version("0".into()), &mut batch);
        assert_eq!(batch.len(), BATCH);
        assert_eq!(rx.try_iter().count(), 11);
    }
}
