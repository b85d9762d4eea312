//! Stream errors that change how to reconnect: `<system-shutdown/>` from a real Prosody
//! stopped with SIGTERM (said, then backed off from), and `<see-other-host/>` from a fake
//! STARTTLS server on loopback (followed once, not in a loop).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rosterm::domain::ConnState;
use rosterm::domain::{OwnPresence, Show};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio_xmpp::rustls;
use tokio_xmpp::rustls::pki_types::pem::PemObject;
use tokio_xmpp::rustls::pki_types::{CertificateDer, PrivateKeyDer};

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

fn online(s: &rosterm::store::State) -> bool {
    s.primary().connection == ConnState::Online && s.primary().roster_loaded
}

fn reconnecting_because(s: &rosterm::store::State, words: &str) -> bool {
    matches!(&s.primary().connection, ConnState::Reconnecting { reason, .. } if reason.contains(words))
}

#[tokio::test]
async fn system_shutdown_is_said_and_reconnecting_waits_for_the_server() {
    // With XEP-0198, Prosody 0.12 only drops resumable sessions on shutdown.
    let mut server = Server::start_with(crate::harness::Options {
        smacks: false,
        ..Default::default()
    });
    server.register("alice", "alice-pw");
    let mut alice = Client::start(&server, "alice", "alice-pw", initial());
    // On a loaded machine Prosody can reset the connection before its stream error is read
    // (unread input on its side turns the close into a TCP RST, which discards what the
    // client had not read yet); then there is no stream error to tell. Up to three shutdowns.
    let mut said = false;
    for _ in 0..3 {
        alice.until("online", online).await;
        let pid = server.pid().to_string();
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status();
        assert!(status.is_ok_and(|s| s.success()));
        alice
            .until(
                "a reconnect attempt after the shutdown",
                |s| matches!(s.primary().connection, ConnState::Reconnecting { attempt, .. } if attempt > 0),
            )
            .await;
        said = alice.log.iter().any(|e| {
            matches!(e, rosterm::event::SessionEvent::Connection(ConnState::Reconnecting { reason, .. })
                if reason.contains("The server is shutting down"))
        });
        if said {
            break;
        }
        server.restart();
        alice.command(rosterm::event::Command::Reconnect);
    }
    assert!(said, "no shutdown said in three tries: {:?}", alice.log);
    server.restart();
    alice.until("online again", online).await;
    alice.stop();
}

/// Reads until `needle` has been seen and a `>` after it.
async fn read_past(stream: &mut (impl AsyncRead + Unpin), needle: &str) -> bool {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&seen);
        if text.find(needle).is_some_and(|at| text[at..].contains('>')) {
            return true;
        }
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

const HEADER: &str = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='fake' from='localhost' version='1.0'>";

/// One connection: STARTTLS with the harness certificate, then `<see-other-host/>` naming
/// `target` after the TLS stream header.
async fn redirect_once(
    mut tcp: tokio::net::TcpStream,
    tls: tokio_rustls::TlsAcceptor,
    target: String,
) -> Option<()> {
    read_past(&mut tcp, "<stream:stream").await.then_some(())?;
    let features = "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>";
    tcp.write_all(format!("{HEADER}{features}").as_bytes())
        .await
        .ok()?;
    read_past(&mut tcp, "starttls").await.then_some(())?;
    tcp.write_all(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
        .await
        .ok()?;
    let mut tls = tls.accept(tcp).await.ok()?;
    read_past(&mut tls, "<stream:stream").await.then_some(())?;
    let error = format!("<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>{target}</see-other-host></stream:error></stream:stream>");
    tls.write_all(format!("{HEADER}{error}").as_bytes())
        .await
        .ok()?;
    tls.flush().await.ok()?;
    let _ = tokio::io::copy(&mut tls, &mut tokio::io::sink()).await;
    Some(())
}

fn acceptor(server: &Server) -> tokio_rustls::TlsAcceptor {
    let cert = CertificateDer::from_pem_file(&server.ca_file).unwrap();
    let key = PrivateKeyDer::from_pem_file(server.ca_file.with_file_name("localhost.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

/// A fake server redirecting every connection to `target` (None: to itself). Counts them.
async fn redirector(
    server: &Server,
    target: Option<u16>,
) -> (u16, Arc<AtomicUsize>, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let target = format!("127.0.0.1:{}", target.unwrap_or(port));
    let (tls, accepted) = (acceptor(server), Arc::new(AtomicUsize::new(0)));
    let task = tokio::spawn({
        let accepted = accepted.clone();
        async move {
            while let Ok((tcp, _)) = listener.accept().await {
                accepted.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(redirect_once(tcp, tls.clone(), target.clone()));
            }
        }
    });
    (port, accepted, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn see_other_host_is_followed_once_and_not_in_a_loop() {
    let server = Server::start();
    server.register("alice", "alice-pw");
    // To the real server: rosterm logs in there.
    let (port, accepted, task) = redirector(&server, Some(server.port)).await;
    let mut redirected = account(&server, "alice", Some("a"));
    redirected.port = Some(port);
    let mut alice = Client::start_account(redirected, "alice-pw", initial());
    alice.until("online at the other host", online).await;
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
    alice.stop();
    task.abort();

    // To itself: followed once (two connections), then said and backed off from.
    let (port, accepted, task) = redirector(&server, None).await;
    let mut looping = account(&server, "alice", Some("b"));
    looping.port = Some(port);
    let mut alice = Client::start_account(looping, "alice-pw", initial());
    alice
        .until("the second redirect refused", |s| {
            reconnecting_because(s, "(see-other-host)")
        })
        .await;
    let count = accepted.load(Ordering::SeqCst);
    // 2 = the first connection and the one redirect; at most one more after the backoff.
    assert!((2..=3).contains(&count), "{count} connections");
    alice.stop();
    task.abort();
}
