//! The database on a thread of its own: the app loop and the sessions queue [`Write`]s
//! through a [`Sink`] and never wait for the disk.

use std::sync::mpsc;
use std::time::Duration;

use jid::BareJid;

use super::{History, Write};

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
            E::Delivery { peer, id, delivery } => Write::Delivery {
                peer: peer.clone(),
                id: id.clone(),
                delivery: delivery.clone(),
            },
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
impl Sink {
    /// A sink whose writes land in `tx` (tests look at what a session event queues).
    pub fn for_test(tx: mpsc::Sender<Write>) -> Sink {
        Sink(tx)
    }
}
