//! The session task: owns the XMPP stream (tokio-xmpp's `StanzaStream`), turns stanzas into
//! [`SessionEvent`]s and [`Command`]s into stanzas.
//!
//! - `connect`: TLS, login, and fatal-vs-transient classification of failures.
//! - `translate`: stanza -> event (pure, tested against XML literals).
//! - `stanza`: command -> stanza builders.
//!
//! The session runs on its own thread with a large stack and its own runtime: parsing and
//! dropping hostile, deeply nested XML happens there, never on the UI thread.

pub mod connect;
pub mod discarded;
pub mod sieve;
pub mod stanza;
pub mod translate;
pub mod watch;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use jid::{BareJid, FullJid};
use tokio::sync::{mpsc, oneshot, Notify};
use tokio_xmpp::stanzastream::{Connection, Event as StreamEvt, StanzaStream, StreamEvent};
use xmpp_parsers::presence::Type as PresenceType;
use xmpp_parsers::stanza::Stanza;

use crate::config::{Account, Secret};
use crate::domain::ConnState;
use crate::domain::OwnPresence;
use crate::event::{Command, SessionEvent};
use crate::sanitize::sanitize;
use connect::{CertProbe, LoginFailure, RostermConnector};
use sieve::SieveNotes;

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

/// Reports from the reconnect task to the session loop.
enum Report {
    Failed(LoginFailure, u32, Duration),
}

struct Reconnector {
    connector: RostermConnector,
    account: Account,
    password: Secret,
    probe: CertProbe,
    reports: mpsc::UnboundedSender<Report>,
    retry: Arc<Notify>,
    /// A connection was handed to the stream and it has not yet reported Reset or Resumed.
    negotiating: Arc<AtomicBool>,
}

/// Jittered exponential backoff: 1 s doubling to a 60 s cap, each ±50 %.
pub fn backoff(attempt: u32, jitter_seed: u64) -> Duration {
    let base = 1u64 << attempt.saturating_sub(1).min(6);
    let base_ms = base.min(60) * 1000;
    // xorshift for a cheap, dependency-free jitter in [0.5, 1.5).
    let mut x = jitter_seed | 1;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    let factor = 500 + (x % 1000);
    Duration::from_millis(base_ms * factor / 1000)
}

fn seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(42)
}

impl Reconnector {
    /// Acts on a stream error the server sent before dropping the connection: a fatal one is
    /// reported and waits for `/reconnect`; a transient one is reported and backed off from.
    /// Returns the attempt count the reconnect loop goes on from.
    async fn after_stream_error(&self, failure: LoginFailure) -> u32 {
        let fatal = matches!(failure, LoginFailure::Fatal(_));
        let (attempt, delay) = match fatal {
            true => (0, Duration::ZERO),
            false => (1, backoff(2, seed())),
        };
        let _ = self.reports.send(Report::Failed(failure, attempt, delay));
        if fatal {
            self.retry.notified().await;
            return 0;
        }
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = self.retry.notified() => {}
        }
        attempt
    }

    /// One reconnect cycle: try until a stream is handed over; on a fatal error, report and wait
    /// for the user's `/reconnect`.
    async fn run(self: Arc<Self>, slot: oneshot::Sender<Connection>) {
        let mut attempt: u32 = 0;
        // A stream error just before the drop: some make reconnecting wrong (another client
        // took the resource, policy violation): say so, and wait for the user's /reconnect.
        // The others (system-shutdown...) are said, and reconnecting waits a little first.
        if let Some(condition) = self.connector.watch.take_recent(Duration::from_secs(10)) {
            tracing::warn!(%condition, "stream error from the server");
            attempt = self
                .after_stream_error(connect::stream_error_failure(&condition, &self.account))
                .await;
        }
        // The last connection died during negotiation. With Prosody 0.12 after a restart this
        // is a resumption answered by `<failed/>` without `h`, which xmpp-parsers 0.23 rejects;
        // tokio-xmpp then keeps its stale stream-management state and would retry resumption
        // forever. Hiding the SM feature once makes it drop that state and bind afresh.
        let fresh_session = self.negotiating.swap(false, Ordering::SeqCst);
        // A `<see-other-host/>` is followed once per cycle.
        let mut redirect: Option<RostermConnector> = None;
        let mut followed = false;
        loop {
            attempt += 1;
            let connector = redirect.take().unwrap_or_else(|| self.connector.clone());
            let result = tokio::time::timeout(
                connect::ATTEMPT_TIMEOUT,
                connect::login(
                    &connector,
                    &self.account.jid,
                    self.account.resource.as_deref(),
                    &self.password,
                    connect::timeouts(self.account.keepalive),
                ),
            )
            .await;
            let failure = match result {
                Ok(Ok(mut conn)) => {
                    if fresh_session {
                        tracing::warn!("stream negotiation failed last time; starting a new session without resumption");
                        conn.features.stream_management = None;
                    }
                    // What the watch saw during login is no news about the session to come.
                    let _ = self.connector.watch.take_recent(Duration::MAX);
                    self.negotiating.store(true, Ordering::SeqCst);
                    // If the stream is gone, nothing is waiting for this connection.
                    let _ = slot.send(conn);
                    return;
                }
                Ok(Err(e)) if !followed && connect::other_host(&e).is_some() => {
                    followed = true;
                    let host = connect::other_host(&e).unwrap_or_default();
                    tracing::info!(%host, "redirected by the server (see-other-host)");
                    redirect = connector.redirected(&host);
                    if redirect.is_some() {
                        attempt -= 1;
                        continue;
                    }
                    LoginFailure::Transient(format!(
                        "The server redirected rosterm to {:?}, which is not a host name; retrying later.",
                        crate::sanitize::sanitize(&host, 100)
                    ))
                }
                Ok(Err(e)) => {
                    tracing::info!(error = %e, "login attempt failed");
                    connect::classify(&e, &self.account, &self.probe)
                }
                Err(_) => connect::stalled(
                    &connector.progress,
                    &self.account,
                    connect::ATTEMPT_TIMEOUT.as_secs(),
                ),
            };
            match failure {
                LoginFailure::Fatal(_) => {
                    let _ = self
                        .reports
                        .send(Report::Failed(failure, attempt, Duration::ZERO));
                    self.retry.notified().await;
                    attempt = 0;
                }
                LoginFailure::Transient(_) => {
                    let delay = backoff(attempt, seed());
                    let _ = self.reports.send(Report::Failed(failure, attempt, delay));
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = self.retry.notified() => {}
                    }
                }
            }
        }
    }
}

struct Session {
    own: BareJid,
    /// What the sieve changed in incoming stanzas (see `sieve`).
    sieve_notes: SieveNotes,
    history: Option<crate::history::Sink>,
    negotiating: Arc<AtomicBool>,
    stream: StanzaStream,
    events: mpsc::Sender<SessionEvent>,
    bound: Option<FullJid>,
    online: bool,
    /// The presence the user wants; sent after every new session.
    presence: OwnPresence,
    /// What was last put on the wire in this session.
    sent: Option<OwnPresence>,
    roster_query: Option<String>,
    /// When the roster request in flight is given up on.
    roster_deadline: Option<tokio::time::Instant>,
    /// The last roster version (XEP-0237 / RFC 6121 §2.6), if the server supports versioning.
    roster_ver: Option<String>,
    versioning: bool,
    /// Roster sets in flight: id -> (what, deadline).
    pending: std::collections::HashMap<String, (String, tokio::time::Instant)>,
    /// False after /offline: connected, roster live, but unavailable.
    available: bool,
    nick: Option<String>,
    next_id: u64,
}

/// How long the server gets to answer a request before the user is told.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

impl Session {
    async fn emit(&self, event: SessionEvent) -> bool {
        if let Some(history) = &self.history {
            history.observe(&event);
        }
        self.events.send(event).await.is_ok()
    }

    async fn send(&mut self, stanza: Stanza) {
        let _token = self.stream.send(Box::new(stanza)).await;
    }

    fn new_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("rosterm-{prefix}-{}", self.next_id)
    }

    async fn send_presence(&mut self) {
        if !self.available {
            return;
        }
        let p = stanza::build_presence(&self.presence, None, self.nick.as_deref());
        self.send(Stanza::Presence(p)).await;
        self.sent = Some(self.presence.clone());
    }

    async fn on_stream_event(&mut self, ev: StreamEvent) -> bool {
        match ev {
            StreamEvent::Reset {
                bound_jid,
                features,
            } => {
                self.negotiating.store(false, Ordering::SeqCst);
                self.versioning = features
                    .others
                    .iter()
                    .any(|f| f.is("ver", "urn:xmpp:features:rosterver"));
                self.bound = bound_jid.try_into_full().ok();
                self.online = true;
                let bound = self
                    .bound
                    .as_ref()
                    .map(|j| j.to_string())
                    .unwrap_or_default();
                tracing::info!(%bound, "new session");
                if !self.emit(SessionEvent::SessionStarted { bound }).await {
                    return false;
                }
                self.request_roster().await;
                self.send_presence().await;
                true
            }
            StreamEvent::Suspended => {
                self.online = false;
                tracing::info!("connection lost");
                self.emit(SessionEvent::Connection(ConnState::Reconnecting {
                    attempt: 0,
                    retry_in_secs: 0,
                    reason: "connection lost".into(),
                }))
                .await
            }
            StreamEvent::Resumed => {
                self.negotiating.store(false, Ordering::SeqCst);
                self.online = true;
                tracing::info!("stream resumed");
                // Resumed: nothing was lost; send only a presence the user changed meanwhile.
                if self.available && self.sent.as_ref() != Some(&self.presence) {
                    self.send_presence().await;
                }
                self.emit(SessionEvent::Connection(ConnState::Online)).await
            }
        }
    }

    async fn subscription(&mut self, type_: PresenceType, jid: &BareJid) {
        let p = stanza::build_subscription(type_, jid, self.nick.as_deref());
        self.send(Stanza::Presence(p)).await;
    }

    /// A roster set whose answer is awaited: an error or a timeout becomes a notice.
    async fn roster_set(
        &mut self,
        what: String,
        jid: &BareJid,
        name: Option<String>,
        groups: Vec<String>,
        remove: bool,
    ) {
        let id = self.new_id("set");
        self.pending.insert(
            id.clone(),
            (what, tokio::time::Instant::now() + REQUEST_TIMEOUT),
        );
        self.send(Stanza::Iq(stanza::build_roster_set(
            &id, jid, name, groups, remove,
        )))
        .await;
    }

    fn next_pending_deadline(&self) -> Option<tokio::time::Instant> {
        self.pending.values().map(|(_, d)| *d).min()
    }

    /// Requests past their deadline: tell the user.
    async fn on_pending_timeout(&mut self) -> bool {
        let now = tokio::time::Instant::now();
        let expired: Vec<String> = self
            .pending
            .iter()
            .filter(|(_, (_, d))| *d <= now)
            .map(|(id, _)| id.clone())
            .collect();
        for id in expired {
            if let Some((what, _)) = self.pending.remove(&id) {
                let text = format!(
                    "The server did not answer within {} s while {what}.",
                    REQUEST_TIMEOUT.as_secs()
                );
                if !self.emit(SessionEvent::Notice(text)).await {
                    return false;
                }
            }
        }
        true
    }

    /// The answer to a tracked request, if this stanza is one.
    fn take_answer(&mut self, stanza: &Stanza) -> Option<(String, Option<String>)> {
        let Stanza::Iq(iq) = stanza else { return None };
        let (from, id, error) = match iq {
            xmpp_parsers::iq::Iq::Result { from, id, .. } => (from, id, None),
            xmpp_parsers::iq::Iq::Error {
                from, id, error, ..
            } => (from, id, Some(translate::stanza_error_text(error))),
            _ => return None,
        };
        // Only the server answers our roster sets (ids are guessable).
        if !translate::push_allowed(from.as_ref(), &self.own) {
            return None;
        }
        let (what, _) = self.pending.remove(id)?;
        Some((what, error))
    }

    async fn request_roster(&mut self) {
        let id = self.new_id("roster");
        self.roster_query = Some(id.clone());
        self.roster_deadline = Some(tokio::time::Instant::now() + REQUEST_TIMEOUT);
        // ver='' on the first fetch opts into versioning (RFC 6121 §2.6.3).
        let ver = if self.versioning {
            Some(self.roster_ver.clone().unwrap_or_default())
        } else {
            None
        };
        self.send(Stanza::Iq(stanza::build_roster_get(&id, ver)))
            .await;
    }

    /// The roster request was not answered in time: tell the user and ask again.
    async fn on_roster_timeout(&mut self) -> bool {
        self.roster_deadline = None;
        if !self.online {
            return true;
        }
        let ok = self
            .emit(SessionEvent::Notice(format!(
                "The server did not answer the roster request within {} s; asking again.",
                REQUEST_TIMEOUT.as_secs()
            )))
            .await;
        self.request_roster().await;
        ok
    }

    async fn on_stanza(&mut self, stanza: Stanza) -> bool {
        if let Some((what, error)) = self.take_answer(&stanza) {
            return match error {
                None => true,
                Some(error) => {
                    self.emit(SessionEvent::Notice(format!(
                        "The server refused {what}: {error}."
                    )))
                    .await
                }
            };
        }
        let ctx = translate::Context {
            own: &self.own,
            bound: self.bound.as_ref(),
            roster_query: self.roster_query.as_deref(),
        };
        let out = translate::translate(stanza, &ctx);
        if out.roster_answered {
            self.roster_query = None;
            self.roster_deadline = None;
        }
        if let Some(reply) = out.reply {
            self.send(reply).await;
        }
        for ev in out.events {
            if !self.emit(ev).await {
                return false;
            }
        }
        match out.roster_ver {
            Some(ver) => {
                self.roster_ver = Some(ver.clone());
                self.emit(SessionEvent::RosterVersion(ver)).await
            }
            None => true,
        }
    }

    /// Logs and reports what the sieve changed and what the library discarded since the
    /// last stanza; returns false when the app is gone.
    async fn report_input(&mut self) -> bool {
        let (notes, lost) = self.sieve_notes.take();
        let (discarded, reasons) = discarded::take();
        if notes.is_empty() && lost == 0 && discarded == 0 {
            return true;
        }
        for note in &notes {
            tracing::warn!("sieve: {}", sanitize(&note.describe(), 600));
        }
        for reason in &reasons {
            tracing::warn!("discarded by the XMPP library: {}", sanitize(reason, 600));
        }
        let notice = if discarded > 0 {
            Some(format!(
                "The XMPP library could not read {discarded} incoming stanza(s) and dropped them; see the log."
            ))
        } else {
            notes
                .iter()
                .rev()
                .find(|n| n.is_removal())
                .map(|n| sanitize(&format!("Cleaned an incoming {}.", n.describe()), 300))
        };
        self.emit(SessionEvent::InputCleaned {
            repaired: notes.len() as u64 + lost,
            discarded,
            notice,
        })
        .await
    }

    /// Returns false when the session should end.
    async fn on_command(&mut self, cmd: Command, retry: &Notify) -> bool {
        match cmd {
            Command::SetPresence(p) => {
                self.presence = p;
                self.available = true;
                if self.online {
                    self.send_presence().await;
                }
                true
            }
            Command::GoOffline => {
                self.available = false;
                if self.online {
                    self.send(Stanza::Presence(stanza::build_unavailable()))
                        .await;
                }
                self.sent = None;
                true
            }
            Command::SetNick(nick) => {
                self.nick = nick;
                if self.online {
                    self.send_presence().await;
                }
                true
            }
            Command::DirectedPresence { to, presence } => {
                if self.online {
                    let p = stanza::build_presence(&presence, Some(to), self.nick.as_deref());
                    self.send(Stanza::Presence(p)).await;
                } else {
                    return self
                        .emit(SessionEvent::Notice(
                            "Not connected: the directed presence was not sent.".into(),
                        ))
                        .await;
                }
                true
            }
            Command::Subscribe { jid, name } => {
                self.roster_set(format!("adding {jid}"), &jid, name, Vec::new(), false)
                    .await;
                self.subscription(PresenceType::Subscribe, &jid).await;
                true
            }
            Command::Approve(jid) => {
                self.subscription(PresenceType::Subscribed, &jid).await;
                true
            }
            Command::Deny(jid) => {
                self.subscription(PresenceType::Unsubscribed, &jid).await;
                true
            }
            Command::Unsubscribe(jid) => {
                self.subscription(PresenceType::Unsubscribe, &jid).await;
                true
            }
            Command::RemoveContact(jid) => {
                self.roster_set(format!("removing {jid}"), &jid, None, Vec::new(), true)
                    .await;
                true
            }
            Command::UpdateContact { jid, name, groups } => {
                self.roster_set(format!("updating {jid}"), &jid, name, groups, false)
                    .await;
                true
            }
            Command::Reconnect => {
                retry.notify_one();
                true
            }
            Command::Disconnect => false,
        }
    }
}

async fn run(
    setup: SessionSetup,
    events: mpsc::Sender<SessionEvent>,
    mut commands: mpsc::UnboundedReceiver<Command>,
) {
    let (report_tx, mut reports) = mpsc::unbounded_channel();
    let sieve_notes = setup.connector.sieve_notes.clone();
    let retry = Arc::new(Notify::new());
    let negotiating = Arc::new(AtomicBool::new(false));
    let reconnector = Arc::new(Reconnector {
        connector: setup.connector,
        account: setup.account.clone(),
        password: setup.password,
        probe: setup.probe,
        reports: report_tx,
        retry: retry.clone(),
        negotiating: negotiating.clone(),
    });
    let connect = {
        let reconnector = reconnector.clone();
        Box::new(
            move |_: Option<String>, slot: oneshot::Sender<Connection>| {
                tokio::spawn(reconnector.clone().run(slot));
            },
        )
    };
    let mut session = Session {
        own: setup.account.jid.clone(),
        sieve_notes,
        negotiating,
        stream: StanzaStream::new(connect, 256),
        events,
        bound: None,
        online: false,
        presence: setup.initial,
        sent: None,
        roster_query: None,
        roster_deadline: None,
        roster_ver: setup.roster_ver,
        history: setup.history,
        versioning: false,
        pending: std::collections::HashMap::new(),
        available: true,
        nick: setup.nick,
        next_id: 0,
    };
    if !session
        .emit(SessionEvent::Connection(ConnState::Connecting))
        .await
    {
        return;
    }
    loop {
        tokio::select! {
            biased;
            cmd = commands.recv() => {
                let keep = match cmd {
                    Some(cmd) => session.on_command(cmd, &retry).await,
                    None => false,
                };
                if !keep {
                    break;
                }
            }
            _ = sleep_until_opt(session.roster_deadline), if session.roster_deadline.is_some() => {
                if !session.on_roster_timeout().await {
                    break;
                }
            }
            _ = sleep_until_opt(session.next_pending_deadline()), if !session.pending.is_empty() => {
                if !session.on_pending_timeout().await {
                    break;
                }
            }
            ev = session.stream.next() => {
                let keep = match ev {
                    Some(StreamEvt::Stream(ev)) => session.on_stream_event(ev).await,
                    Some(StreamEvt::Stanza(stanza)) => session.on_stanza(stanza).await,
                    None => false,
                };
                if !keep || !session.report_input().await {
                    break;
                }
            }
            report = reports.recv() => {
                let Some(Report::Failed(failure, attempt, delay)) = report else { continue };
                let state = match failure {
                    LoginFailure::Fatal(reason) => ConnState::Failed { reason },
                    LoginFailure::Transient(reason) => ConnState::Reconnecting {
                        attempt,
                        retry_in_secs: delay.as_secs().max(1),
                        reason,
                    },
                };
                if !session.emit(SessionEvent::Connection(state)).await {
                    break;
                }
            }
        }
    }
    // Leave politely: unavailable presence, then close the stream (bounded in time).
    if session.online {
        session
            .send(Stanza::Presence(stanza::build_unavailable()))
            .await;
    }
    let _ = tokio::time::timeout(Duration::from_secs(3), session.stream.close()).await;
}

async fn sleep_until_opt(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn backoff_grows_caps_and_jitters() {
        for seed in [1u64, 7, 12345, u64::MAX] {
            let first = backoff(1, seed);
            assert!(first >= Duration::from_millis(500) && first < Duration::from_millis(1500));
            let late = backoff(30, seed);
            assert!(
                late >= Duration::from_secs(30) && late < Duration::from_secs(90),
                "{late:?}"
            );
        }
        let a: Vec<_> = (0..20u64).map(|s| backoff(3, s * 7919)).collect();
        assert!(a.iter().any(|d| *d != a[0]), "jitter varies with the seed");
    }
}
