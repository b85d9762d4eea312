//! TLS faults against real servers on loopback: an expired certificate and one for another
//! name (Prosody with that certificate), and servers that accept TCP and then stall. Each is
//! one sentence for the user; certificate faults are fatal (no retries), a stall is retried
//! with backoff.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rosterm::config::TlsMode;
use rosterm::domain::ConnState;
use rosterm::domain::{OwnPresence, Show};
use rosterm::event::SessionEvent;

use crate::client::Client;
use crate::harness::Server;
use crate::peer::account;

fn initial() -> OwnPresence {
    OwnPresence {
        show: Show::Online,
        status: String::new(),
        priority: 0,
    }
}

/// Starts alice against `server` and returns the sentence of the fatal failure, after
/// checking that no attempt follows it.
async fn fatal_reason(server: &Server) -> String {
    let mut alice = Client::start(server, "alice", "alice-pw", initial());
    alice
        .until("refused", |s| {
            matches!(s.primary().connection, ConnState::Failed { .. })
        })
        .await;
    alice.settle(Duration::from_secs(3)).await;
    let reports = alice
        .log
        .iter()
        .filter(|e| {
            matches!(
                e,
                SessionEvent::Connection(ConnState::Failed { .. } | ConnState::Reconnecting { .. })
            )
        })
        .count();
    assert_eq!(reports, 1, "retried: {:?}", alice.log);
    let ConnState::Failed { reason } = alice.state.primary().connection.clone() else {
        unreachable!()
    };
    alice.stop();
    reason
}

fn server() -> Server {
    let server = Server::start();
    server.register("alice", "alice-pw");
    server
}

#[tokio::test]
async fn expired_certificate_says_when_it_expired_and_is_not_retried() {
    let mut server = server();
    server.use_certificate(&["localhost"], -1);
    let reason = fatal_reason(&server).await;
    assert!(
        reason.contains("certificate (SHA-256 ")
            && reason.contains("for localhost")
            && reason.contains("expired")
            && reason.contains("renewed on the server"),
        "{reason}"
    );
    // ca_file is set and right: telling the user to set it would send them astray.
    assert!(!reason.contains("ca_file"), "{reason}");
}

#[tokio::test]
async fn certificate_for_another_name_names_the_names_and_is_not_retried() {
    let mut server = server();
    server.use_certificate(&["other.example", "www.other.example"], 30);
    let reason = fatal_reason(&server).await;
    assert!(
        reason.contains("is issued for other.example, www.other.example, not for localhost"),
        "{reason}\n--- prosody log ---\n{}",
        server.log()
    );
}

/// A TCP listener that accepts, counts, reads whatever comes and never answers.
async fn silent_listener() -> (u16, Arc<AtomicUsize>, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let task = tokio::spawn({
        let accepted = accepted.clone();
        async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                accepted.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut conn, &mut tokio::io::sink()).await;
                });
            }
        }
    });
    (port, accepted, task)
}

fn reconnecting_reason(s: &rosterm::store::State) -> Option<&str> {
    match &s.primary().connection {
        ConnState::Reconnecting { reason, .. } => Some(reason),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_that_stall_are_named_and_retried_with_backoff() {
    let server = server();
    // STARTTLS: the stream header is never answered. Direct TLS: the handshake never is.
    let (plain_port, plain_count, plain_task) = silent_listener().await;
    let (tls_port, tls_count, tls_task) = silent_listener().await;
    let mut plain = account(&server, "alice", Some("a"));
    plain.port = Some(plain_port);
    let mut direct = account(&server, "alice", Some("b"));
    direct.port = Some(tls_port);
    direct.tls = TlsMode::Direct;
    let mut a = Client::start_account(plain, "alice-pw", initial());
    let mut b = Client::start_account(direct, "alice-pw", initial());
    let stalled = |s: &rosterm::store::State| {
        reconnecting_reason(s).is_some_and(|r| r.contains("did not answer"))
    };
    a.until("the stall on the stream", stalled).await;
    b.until("the stall in the handshake", stalled).await;
    let (ra, rb) = (reconnecting_reason(&a.state), reconnecting_reason(&b.state));
    let expected_a = format!("127.0.0.1:{plain_port} accepted the connection but did not answer with an XMPP stream within");
    let expected_b = format!(
        "127.0.0.1:{tls_port} accepted the connection but did not answer the TLS handshake within"
    );
    assert!(ra.is_some_and(|r| r.contains(&expected_a)), "{ra:?}");
    assert!(rb.is_some_and(|r| r.contains(&expected_b)), "{rb:?}");
    // One attempt per timeout, not a storm (the next starts after the backoff).
    for count in [&plain_count, &tls_count] {
        assert!(count.load(Ordering::SeqCst) <= 2, "{count:?} connections");
    }
    a.stop();
    b.stop();
    plain_task.abort();
    tls_task.abort();
}
