//! Reconnecting, owned by rosterm: `StanzaStream` asks for a new connection whenever it has
//! none, and the closure given to it starts one reconnect cycle (a task): log in with
//! rosterm's connector, back off with jitter between transient failures, stop and wait for
//! the user's `/reconnect` after a fatal one, follow one `<see-other-host/>` per cycle, and
//! report each failure to the session loop ([`Report`]), which shows it as a [`ConnState`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, Notify};
use tokio_xmpp::stanzastream::{Connection, StanzaStream};

use crate::config::{Account, Secret};
use crate::domain::ConnState;
use crate::sanitize::sanitize;

use super::connect::{self, CertProbe, LoginFailure, RostermConnector};

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

/// Reports from the reconnect task to the session loop: a failed attempt, the attempt count
/// and the delay before the next one.
pub(super) enum Report {
    Failed(LoginFailure, u32, Duration),
}

impl Report {
    /// The connection state the user is shown.
    pub(super) fn state(self) -> ConnState {
        let Report::Failed(failure, attempt, delay) = self;
        match failure {
            LoginFailure::Fatal(reason) => ConnState::Failed { reason },
            LoginFailure::Transient(reason) => ConnState::Reconnecting {
                attempt,
                retry_in_secs: delay.as_secs().max(1),
                reason,
            },
        }
    }
}

/// What the session loop keeps of the reconnect side.
pub(super) struct Reconnection {
    /// The stream, reconnecting through [`Reconnector`].
    pub stream: StanzaStream,
    pub reports: mpsc::UnboundedReceiver<Report>,
    /// Wakes a cycle waiting after a fatal failure or backing off (`/reconnect`).
    pub retry: Arc<Notify>,
    /// A connection was handed to the stream and it has not yet reported Reset or Resumed.
    pub negotiating: Arc<AtomicBool>,
    /// The password the next login uses (`/password` replaces it).
    pub password: Arc<Mutex<Secret>>,
}

/// Starts the stream; it asks for its first connection at once.
pub(super) fn start(
    connector: RostermConnector,
    account: Account,
    password: Secret,
    probe: CertProbe,
) -> Reconnection {
    let (reports, report_rx) = mpsc::unbounded_channel();
    let retry = Arc::new(Notify::new());
    let negotiating = Arc::new(AtomicBool::new(false));
    let password = Arc::new(Mutex::new(password));
    let reconnector = Arc::new(Reconnector {
        connector,
        account,
        password: password.clone(),
        probe,
        reports,
        retry: retry.clone(),
        negotiating: negotiating.clone(),
    });
    let connect = Box::new(
        move |_: Option<String>, slot: oneshot::Sender<Connection>| {
            tokio::spawn(reconnector.clone().run(slot));
        },
    );
    Reconnection {
        stream: StanzaStream::new(connect, 256),
        reports: report_rx,
        retry,
        negotiating,
        password,
    }
}

struct Reconnector {
    connector: RostermConnector,
    account: Account,
    password: Arc<Mutex<Secret>>,
    probe: CertProbe,
    reports: mpsc::UnboundedSender<Report>,
    retry: Arc<Notify>,
    negotiating: Arc<AtomicBool>,
}

/// How one login attempt ended.
enum Attempt {
    Connected(Box<Connection>),
    /// The server sent `<see-other-host/>` naming this host.
    Redirected(String),
    Failed(LoginFailure),
}

impl Reconnector {
    /// One reconnect cycle: try until a stream is handed over; on a fatal error, report and wait
    /// for the user's `/reconnect`.
    async fn run(self: Arc<Self>, slot: oneshot::Sender<Connection>) {
        let mut attempt = self.after_recent_stream_error().await;
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
            let failure = match self.attempt(&connector, !followed).await {
                Attempt::Connected(conn) => {
                    self.hand_over(conn, fresh_session, slot);
                    return;
                }
                Attempt::Failed(failure) => failure,
                Attempt::Redirected(host) => {
                    followed = true;
                    tracing::info!(%host, "redirected by the server (see-other-host)");
                    redirect = connector.redirected(&host);
                    if redirect.is_some() {
                        attempt -= 1;
                        continue;
                    }
                    LoginFailure::Transient(format!(
                        "The server redirected rosterm to {:?}, which is not a host name; retrying later.",
                        sanitize(&host, 100)
                    ))
                }
            };
            attempt = self.wait_after(failure, attempt).await;
        }
    }

    /// A stream error just before the drop: some make reconnecting wrong (another client took
    /// the resource, policy violation): say so, and wait for the user's /reconnect. The others
    /// (system-shutdown...) are said, and reconnecting waits a little first. Returns the
    /// attempt count the cycle goes on from.
    async fn after_recent_stream_error(&self) -> u32 {
        let Some(condition) = self.connector.watch.take_recent(Duration::from_secs(10)) else {
            return 0;
        };
        tracing::warn!(%condition, "stream error from the server");
        let failure = connect::stream_error_failure(&condition, &self.account);
        match failure {
            LoginFailure::Fatal(_) => self.wait_after(failure, 0).await,
            LoginFailure::Transient(_) => {
                let delay = backoff(2, seed());
                self.report_and_wait(failure, 1, delay).await;
                1
            }
        }
    }

    /// One login attempt, bounded in time; a redirect is returned as such only if `may_follow`.
    async fn attempt(&self, connector: &RostermConnector, may_follow: bool) -> Attempt {
        let password = match self.password.lock() {
            Ok(p) => p.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        let result = tokio::time::timeout(
            connect::ATTEMPT_TIMEOUT,
            connect::login(
                connector,
                &self.account.jid,
                self.account.resource.as_deref(),
                &password,
                connect::timeouts(self.account.keepalive),
            ),
        )
        .await;
        match result {
            Ok(Ok(conn)) => Attempt::Connected(Box::new(conn)),
            Ok(Err(e)) => match connect::other_host(&e).filter(|_| may_follow) {
                Some(host) => Attempt::Redirected(host),
                None => {
                    tracing::info!(error = %e, "login attempt failed");
                    Attempt::Failed(connect::classify(&e, &self.account, &self.probe))
                }
            },
            Err(_) => Attempt::Failed(connect::stalled(
                &connector.progress,
                &self.account,
                connect::ATTEMPT_TIMEOUT.as_secs(),
            )),
        }
    }

    /// Gives the new connection to the stream.
    fn hand_over(
        &self,
        mut conn: Box<Connection>,
        fresh_session: bool,
        slot: oneshot::Sender<Connection>,
    ) {
        if fresh_session {
            tracing::warn!(
                "stream negotiation failed last time; starting a new session without resumption"
            );
            conn.features.stream_management = None;
        }
        // What the watch saw during login is no news about the session to come.
        let _ = self.connector.watch.take_recent(Duration::MAX);
        self.negotiating.store(true, Ordering::SeqCst);
        // If the stream is gone, nothing is waiting for this connection.
        let _ = slot.send(*conn);
    }

    /// Reports a failed attempt and waits: after a fatal one for the user's `/reconnect`
    /// (the count starts again), after a transient one for the backoff or `/reconnect`.
    /// Returns the attempt count the cycle goes on from.
    async fn wait_after(&self, failure: LoginFailure, attempt: u32) -> u32 {
        match failure {
            LoginFailure::Fatal(_) => {
                let _ = self
                    .reports
                    .send(Report::Failed(failure, attempt, Duration::ZERO));
                self.retry.notified().await;
                0
            }
            LoginFailure::Transient(_) => {
                self.report_and_wait(failure, attempt, backoff(attempt, seed()))
                    .await;
                attempt
            }
        }
    }

    async fn report_and_wait(&self, failure: LoginFailure, attempt: u32, delay: Duration) {
        let _ = self.reports.send(Report::Failed(failure, attempt, delay));
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = self.retry.notified() => {}
        }
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
