//! Every account's session, seen from the app: commands go to one account's session, and
//! events from all of them come out tagged with their account.
//!
//! Each session runs on its own thread with its own bounded channel, and [`Sessions::recv`]
//! takes from the channels in turn (round robin), so an account flooded with presence or
//! stalled on a huge stanza never delays another account's events.

use std::task::Poll;

use tokio::sync::mpsc;

use crate::domain::AccountId;
use crate::event::{Command, SessionEvent};
use crate::session::SessionHandle;

/// What [`Sessions::recv`] got.
#[derive(Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "built once per event and consumed at once; boxing would add an allocation per stanza"
)]
pub enum Received {
    Event(AccountId, SessionEvent),
    /// This account's network task ended (it says why in the log).
    Stopped(AccountId),
}

struct Entry {
    id: AccountId,
    events: mpsc::Receiver<SessionEvent>,
    commands: mpsc::UnboundedSender<Command>,
    /// The session's thread (none for sessions over plain channels).
    thread: Option<std::thread::JoinHandle<()>>,
    open: bool,
}

/// One account's event receiver and command sender.
pub type Channels = (
    AccountId,
    mpsc::Receiver<SessionEvent>,
    mpsc::UnboundedSender<Command>,
);

pub struct Sessions {
    entries: Vec<Entry>,
    /// Where the next round of polling starts.
    next: usize,
}

impl Sessions {
    pub fn new(handles: Vec<(AccountId, SessionHandle)>) -> Sessions {
        Sessions {
            entries: handles
                .into_iter()
                .map(|(id, handle)| Entry {
                    id,
                    events: handle.events,
                    commands: handle.commands,
                    thread: Some(handle.thread),
                    open: true,
                })
                .collect(),
            next: 0,
        }
    }

    /// Sessions over plain channels: whatever is sent on the event channels comes out of
    /// [`Sessions::recv`], commands go to the command channels (tests of the whole app).
    pub fn from_channels(channels: Vec<Channels>) -> Sessions {
        Sessions {
            entries: channels
                .into_iter()
                .map(|(id, events, commands)| Entry {
                    id,
                    events,
                    commands,
                    thread: None,
                    open: true,
                })
                .collect(),
            next: 0,
        }
    }

    /// Sends a command to one account's session (a stopped session drops it).
    pub fn send(&self, id: AccountId, command: Command) {
        if let Some(e) = self.entries.iter().find(|e| e.id == id) {
            let _ = e.commands.send(command);
        }
    }

    pub fn send_all(&self, command: Command) {
        for e in &self.entries {
            let _ = e.commands.send(command.clone());
        }
    }

    /// Events waiting from one account (for tests and diagnostics).
    pub fn backlog(&self, id: AccountId) -> usize {
        self.entries
            .iter()
            .find(|e| e.id == id)
            .map_or(0, |e| e.events.len())
    }

    /// Any open session still running?
    pub fn any_open(&self) -> bool {
        self.entries.iter().any(|e| e.open)
    }

    /// The next event from any account, taking turns; pending forever once every session
    /// has stopped.
    pub async fn recv(&mut self) -> Received {
        std::future::poll_fn(|cx| match self.poll(Some(cx)) {
            Some(r) => Poll::Ready(r),
            None => Poll::Pending,
        })
        .await
    }

    /// An event already waiting, if any.
    pub fn try_recv(&mut self) -> Option<Received> {
        self.poll(None)
    }

    fn poll(&mut self, mut cx: Option<&mut std::task::Context<'_>>) -> Option<Received> {
        let n = self.entries.len();
        for k in 0..n {
            let i = (self.next + k) % n;
            let entry = &mut self.entries[i];
            if !entry.open {
                continue;
            }
            let got = match cx.as_deref_mut() {
                Some(cx) => match entry.events.poll_recv(cx) {
                    Poll::Ready(got) => Some(got),
                    Poll::Pending => None,
                },
                None => match entry.events.try_recv() {
                    Ok(ev) => Some(Some(ev)),
                    Err(tokio::sync::mpsc::error::TryRecvError::Empty) => None,
                    Err(tokio::sync::mpsc::error::TryRecvError::Disconnected) => Some(None),
                },
            };
            let Some(got) = got else { continue };
            self.next = (i + 1) % n;
            return Some(match got {
                Some(ev) => Received::Event(entry.id, ev),
                None => {
                    entry.open = false;
                    Received::Stopped(entry.id)
                }
            });
        }
        None
    }

    /// Waits (up to `deadline`) for every session thread to finish (after `Disconnect`).
    pub fn join(&self, deadline: std::time::Instant) {
        let running = |e: &Entry| e.thread.as_ref().is_some_and(|t| !t.is_finished());
        while self.entries.iter().any(running) && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}
