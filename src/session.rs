//! The session task: owns the XMPP stream (tokio-xmpp's `StanzaStream`), turns stanzas into
//! [`SessionEvent`]s and [`Command`]s into stanzas. Here: [`spawn`], [`SessionSetup`],
//! [`SessionHandle`], the session's state and its top-level loop, which hands each kind of
//! wake-up to its own module:
//!
//! - `commands`: a [`Command`] from the app -> stanzas (presence, subscriptions, roster sets).
//! - `muc`: rooms (XEP-0045): joining, occupants, room messages, rejoining.
//! - `chat`, `outbox`: sending messages (nothing lost, nothing twice), chat states, receipts,
//!   carbons. `archive`: XEP-0313 queries, the catch-up after every new session.
//! - `account_admin`: `/password`, `/unregister` (XEP-0077), the console's redaction;
//!   `console`: what the XML console shows of a stanza.
//! - `incoming`: stream events, stanzas and answers, request deadlines, input repair reports.
//! - `requests`: the IQ tracker: every request sent, matched with its answer, timed out.
//! - `reconnect`: login cycles, jittered backoff, fatal errors, redirects, failure reports.
//! - `connect`: TLS, login, and fatal-vs-transient classification of failures.
//! - `translate`: stanza -> event (pure, tested against XML literals).
//! - `caps`, `devices`: contacts' devices (XEP-0115 capabilities, checked before they are
//!   cached) and clocks (XEP-0202 entity time).
//! - `stanza`: command -> stanza builders.
//! - `sieve`, `watch`, `discarded`: what the bytes from the server pass through (repair of
//!   hostile input, stream errors, stanzas the library drops).
//!
//! A new command: a `Command` variant (src/event.rs) and its arm in `commands`. A new IQ
//! request: a `requests::RequestKind` variant (see `requests`).
//!
//! The session runs on its own thread with a large stack and its own runtime: parsing and
//! dropping hostile, deeply nested XML happens there, never on the UI thread.

mod account_admin;
mod archive;
mod bookmarks;
mod caps;
mod chat;
mod commands;
pub mod connect;
mod console;
mod devices;
pub mod discarded;
mod gateways;
mod incoming;
mod last;
mod muc;
mod outbox;
mod reconnect;
mod requests;
pub mod sieve;
pub mod stanza;
pub mod translate;
pub mod watch;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use jid::{BareJid, FullJid};
use tokio::sync::{mpsc, Notify};
use tokio_xmpp::stanzastream::StanzaStream;
use xmpp_parsers::stanza::Stanza;

use crate::config::{Account, Secret};
use crate::domain::ConnState;
use crate::domain::OwnPresence;
use crate::event::{Command, ConsoleDir, SessionEvent};
use connect::{CertProbe, RostermConnector};
pub use reconnect::backoff;
use reconnect::Report;
use requests::Requests;
use sieve::{FastLane, SieveNotes};

/// Stack size of the network thread: deep enough that parsing and dropping a maximally
/// nested stanza cannot overflow it. Prosody caps client stanzas at 256 KiB (~38,000
/// levels) and forwards at most ~70,000 levels from components or servers; parsing takes
/// ~2.8 KiB of stack per level in a debug build and ~0.6 KiB in release (measured), so
/// 256 MiB holds ~96,000 levels even in debug.
pub const NETWORK_STACK: usize = 256 * 1024 * 1024;

/// Everything the session needs to run.
pub struct SessionSetup {
    pub account: Account,
    pub password: Secret,
    pub connector: RostermConnector,
    pub probe: CertProbe,
    pub initial: OwnPresence,
    /// XEP-0172 nick sent with presence and subscription requests.
    pub nick: Option<String>,
    /// The version of the roster the app already shows (from the cache), if any: the first
    /// roster request asks only for what changed since.
    pub roster_ver: Option<String>,
    /// Where roster changes are saved (the local database), if anywhere.
    pub history: Option<crate::history::Sink>,
    /// The newest archive id (XEP-0359 stanza-id) the history knows: the first catch-up
    /// fetches what the server's archive has after it (None: only the newest page).
    pub archive_after: Option<String>,
    /// XEP-0115 capabilities verified in earlier runs, by verification string (from the
    /// local database): a resource that advertises one is not asked again.
    pub caps: Vec<(String, crate::domain::device::Capabilities)>,
}

/// Handles for the app side.
pub struct SessionHandle {
    pub events: mpsc::Receiver<SessionEvent>,
    pub commands: mpsc::UnboundedSender<Command>,
    pub thread: std::thread::JoinHandle<()>,
}

/// Starts the session on its own thread.
pub fn spawn(setup: SessionSetup) -> std::io::Result<SessionHandle> {
    let (event_tx, event_rx) = mpsc::channel(4096);
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    discarded::install();
    let thread = std::thread::Builder::new()
        .name("rosterm-net".into())
        .stack_size(NETWORK_STACK)
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = event_tx.blocking_send(SessionEvent::Connection(ConnState::Failed {
                        reason: format!("cannot start the network runtime: {e}"),
                    }));
                    return;
                }
            };
            runtime.block_on(run(setup, event_tx, cmd_rx));
        })?;
    Ok(SessionHandle {
        events: event_rx,
        commands: cmd_tx,
        thread,
    })
}

struct Session {
    own: BareJid,
    /// What the sieve changed in incoming stanzas (see `sieve`).
    sieve_notes: SieveNotes,
    /// Presences the sieve read itself (see `sieve::lane`).
    fast_lane: FastLane,
    /// The XML console is recording (`Command::Console`).
    console: bool,
    history: Option<crate::history::Sink>,
    /// Shared with the reconnect task (see `reconnect::Reconnection`).
    negotiating: Arc<AtomicBool>,
    /// Wakes the reconnect task (`/reconnect`).
    retry: Arc<Notify>,
    /// The password the reconnect task logs in with (`/password` replaces it).
    password: Arc<std::sync::Mutex<Secret>>,
    stream: StanzaStream,
    events: mpsc::Sender<SessionEvent>,
    bound: Option<FullJid>,
    online: bool,
    /// The presence the user wants; sent after every new session.
    presence: OwnPresence,
    /// XEP-0319: idle since when, sent with `presence` (auto-away's presence only).
    idle: Option<std::time::SystemTime>,
    /// What was last put on the wire in this session.
    sent: Option<OwnPresence>,
    /// The IQ requests in flight.
    requests: Requests,
    /// The last roster version (XEP-0237 / RFC 6121 §2.6), if the server supports versioning.
    roster_ver: Option<String>,
    versioning: bool,
    /// False after /offline: connected, roster live, but unavailable.
    available: bool,
    nick: Option<String>,
    /// Messages not yet acknowledged by the server.
    outbox: outbox::Outbox,
    /// Archive queries in flight and the catch-up cursor.
    archive: archive::Archive,
    /// The current stream has XEP-0198 (acknowledgements).
    stream_management: bool,
    /// The rooms joined or being joined (XEP-0045, see `muc`).
    rooms: muc::Rooms,
    /// Numbers the ids of subject changes.
    subject_seq: u64,
    /// Looks for quiet rooms to self-ping (XEP-0410, see `muc`).
    room_ping: tokio::time::Interval,
    /// Contacts' capabilities known and asked for (XEP-0115, see `caps`).
    caps: caps::Book,
    /// The resources asked for their time on their own (XEP-0202, see `devices`).
    timed: std::collections::HashSet<FullJid>,
    /// The server's gateways (XEP-0100, see `gateways`).
    gateways: gateways::Discovery,
}

/// How long the server gets to answer a request before the user is told.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

impl Session {
    /// The session for `setup`, its stream started; and where the reconnect task reports.
    fn start(
        setup: SessionSetup,
        events: mpsc::Sender<SessionEvent>,
    ) -> (Session, mpsc::UnboundedReceiver<Report>) {
        let sieve_notes = setup.connector.sieve_notes.clone();
        let fast_lane = FastLane::default();
        let mut connector = setup.connector;
        connector.fast_lane = Some(fast_lane.clone());
        let own = setup.account.jid.clone();
        let reconnection = reconnect::start(connector, setup.account, setup.password, setup.probe);
        let session = Session {
            requests: Requests::new(own.clone()),
            own,
            sieve_notes,
            fast_lane,
            console: false,
            history: setup.history,
            negotiating: reconnection.negotiating,
            retry: reconnection.retry,
            password: reconnection.password,
            stream: reconnection.stream,
            events,
            bound: None,
            online: false,
            presence: setup.initial,
            idle: None,
            sent: None,
            roster_ver: setup.roster_ver,
            versioning: false,
            available: true,
            nick: setup.nick,
            outbox: outbox::Outbox::default(),
            archive: archive::Archive::new(setup.archive_after),
            stream_management: false,
            rooms: muc::Rooms::default(),
            subject_seq: 0,
            room_ping: room_ping_interval(),
            caps: caps::Book::new(setup.caps),
            timed: std::collections::HashSet::new(),
            gateways: gateways::Discovery::default(),
        };
        (session, reconnection.reports)
    }

    /// Hands an event to the app (and to the history); false when the app is gone.
    async fn emit(&self, event: SessionEvent) -> bool {
        if let Some(history) = &self.history {
            history.observe(&event);
        }
        self.events.send(event).await.is_ok()
    }

    async fn send(&mut self, stanza: Stanza) {
        self.record(ConsoleDir::Out, &stanza).await;
        let _token = self.stream.send(Box::new(stanza)).await;
    }

    /// A stanza for the XML console, if it is recording. Only stanzas reach it: SASL and
    /// the stream's own negotiation happen below, in tokio-xmpp, and never get here; a
    /// password in a stanza (`/password`) is redacted.
    async fn record(&mut self, dir: ConsoleDir, stanza: &Stanza) {
        if !self.console {
            return;
        }
        let xml = console::text(stanza, &self.fast_lane);
        self.console_line(dir, xml).await;
    }

    /// `/raw`: the stanza as typed, checked again here (the app checked it first).
    async fn send_raw(&mut self, text: &str) {
        match crate::raw::parse(text) {
            Ok(stanza) => self.send(stanza).await,
            Err(why) => {
                let _ = self.emit(SessionEvent::Notice(why)).await;
            }
        }
    }

    async fn console_line(&mut self, dir: ConsoleDir, xml: String) {
        let at = std::time::SystemTime::now();
        let _ = self.emit(SessionEvent::Console { at, dir, xml }).await;
    }

    /// A failed login attempt, shown as the connection state.
    async fn on_report(&mut self, report: Option<Report>) -> bool {
        match report {
            Some(report) => self.emit(SessionEvent::Connection(report.state())).await,
            None => true,
        }
    }

    /// Leaves politely: unavailable presence, then closes the stream (bounded in time).
    async fn close(mut self) {
        if self.online {
            self.send(Stanza::Presence(stanza::build_unavailable()))
                .await;
        }
        let _ = tokio::time::timeout(Duration::from_secs(3), self.stream.close()).await;
    }
}

async fn run(
    setup: SessionSetup,
    events: mpsc::Sender<SessionEvent>,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    let (mut session, mut reports) = Session::start(setup, events);
    if !session
        .emit(SessionEvent::Connection(ConnState::Connecting))
        .await
    {
        return;
    }
    loop {
        let deadline = session.requests.next_deadline();
        let keep = tokio::select! {
            biased;
            cmd = commands.recv() => match cmd {
                Some(cmd) => session.on_command(cmd).await,
                None => false,
            },
            _ = sleep_until_opt(deadline), if deadline.is_some() => session.on_deadline().await,
            _ = session.room_ping.tick() => session.on_self_ping_tick().await,
            // Before the stream: an outcome is always applied before the Reset that follows it.
            Some(ack) = session.outbox.acks.next(), if !session.outbox.acks.is_empty() => {
                session.on_ack(ack).await
            }
            item = session.stream.next() => session.on_stream_item(item).await,
            report = reports.recv() => session.on_report(report).await,
        };
        if !keep {
            break;
        }
    }
    session.close().await;
}

fn room_ping_interval() -> tokio::time::Interval {
    let start = tokio::time::Instant::now() + muc::SELF_PING_CHECK;
    let mut interval = tokio::time::interval_at(start, muc::SELF_PING_CHECK);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    interval
}

async fn sleep_until_opt(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}
