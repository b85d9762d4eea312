//! DNS SRV resolution against a real resolver on loopback: Debian's dnsmasq (per test, on a
//! free port, answering only what the test configures) and the real Prosody serving
//! `example.test` (not `localhost`: resolvers answer names under `localhost.` themselves).
//! dnsmasq rotates the order of its SRV answers from one query to the next, so the cases that
//! depend on answer order also run against [`FixedDns`], a loopback responder that answers in
//! exactly the order given.

use std::net::{Ipv4Addr, SocketAddr, TcpStream as StdTcpStream, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jid::BareJid;
use rosterm::config::{Account, PasswordSource, Secret, TlsMode};
use rosterm::domain::ConnState;
use rosterm::domain::OwnPresence;

use crate::client::Client;
use crate::harness::{Options, Server};

const DOMAIN: &str = "example.test";

/// dnsmasq in the foreground; killed on drop.
struct Dnsmasq {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

fn dnsmasq_binary() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|d| d.join("dnsmasq"))
        .find(|p| p.exists());
    on_path.unwrap_or_else(|| PathBuf::from("/usr/sbin/dnsmasq"))
}

impl Dnsmasq {
    /// Serves `records` (dnsmasq options such as `--srv-host=...`), authoritative for
    /// `example.test` (unknown names there are NXDOMAIN), forwarding nothing.
    fn start(records: &[String]) -> Dnsmasq {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("dnsmasq.log");
        for _ in 0..5 {
            let port = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
                .and_then(|s| s.local_addr())
                .expect("free UDP port")
                .port();
            let stderr = std::fs::File::create(&log).expect("dnsmasq log");
            let mut child = Command::new(dnsmasq_binary())
                .args([
                    "--no-daemon",
                    "--no-resolv",
                    "--no-hosts",
                    "--user=root",
                    "--log-queries",
                    "--listen-address=127.0.0.1",
                    "--bind-interfaces",
                    &format!("--port={port}"),
                    &format!("--local=/{DOMAIN}/"),
                ])
                .args(records)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(stderr)
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("cannot run dnsmasq (apt-get install dnsmasq-base): {e}")
                });
            let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
            // Ready once it takes DNS-over-TCP connections on its port; gone if the port was
            // taken meanwhile (then another port).
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                if StdTcpStream::connect(addr).is_ok() {
                    return Dnsmasq {
                        child,
                        addr,
                        log,
                        _dir: dir,
                    };
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    let text = std::fs::read_to_string(&log).unwrap_or_default();
                    panic!("dnsmasq not ready after 10 s:\n{text}");
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        panic!("dnsmasq kept failing to start:\n{text}");
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// How many SRV queries dnsmasq was asked.
    fn srv_queries(&self) -> usize {
        self.log()
            .lines()
            .filter(|l| l.contains("query[SRV]"))
            .count()
    }
}

impl Drop for Dnsmasq {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn srv_host(priority: u16, target: &str, port: u16) -> String {
    format!("--srv-host=_xmpp-client._tcp.{DOMAIN},{target},{port},{priority},0")
}

fn host_record(name: &str) -> String {
    format!("--host-record={name},127.0.0.1")
}

/// A TCP port on 127.0.0.1 that nothing listens on (connection refused).
fn closed_port() -> u16 {
    std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("bind")
        .port()
}

/// A listener whose accept queue is full: the kernel drops further SYNs, so a connect to it
/// hangs (as to a host that is down) instead of being refused.
struct BlackHole {
    _socket: tokio::net::TcpListener,
    _fill: Vec<StdTcpStream>,
    port: u16,
}

impl BlackHole {
    fn new() -> BlackHole {
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket
            .bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .expect("bind");
        let port = socket.local_addr().expect("addr").port();
        let listener = socket.listen(0).expect("listen");
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let mut fill = Vec::new();
        loop {
            match StdTcpStream::connect_timeout(&addr, Duration::from_millis(300)) {
                Ok(s) => fill.push(s),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => break,
                Err(e) => panic!("filling the black hole's queue: {e}"),
            }
            assert!(fill.len() < 16, "the accept queue never filled");
        }
        BlackHole {
            _socket: listener,
            _fill: fill,
            port,
        }
    }
}

/// A listener that counts connections and closes each at once.
struct Counter {
    port: u16,
    count: Arc<AtomicUsize>,
}

impl Counter {
    async fn bind(ip: Ipv4Addr, port: u16) -> std::io::Result<Counter> {
        let listener = tokio::net::TcpListener::bind((ip, port)).await?;
        let port = listener.local_addr()?.port();
        let count = Arc::new(AtomicUsize::new(0));
        let seen = count.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                seen.fetch_add(1, Ordering::SeqCst);
                drop(stream);
            }
        });
        Ok(Counter { port, count })
    }

    fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }
}

fn prosody() -> Server {
    let server = Server::start_with(Options {
        domain: DOMAIN,
        ..Default::default()
    });
    server.register("alice", "alice-pw");
    server
}

/// alice@example.test with no `server` or `port` (so: SRV), asking `dns`.
fn srv_account(server: &Server, dns: SocketAddr) -> Account {
    Account {
        jid: BareJid::new(&format!("alice@{DOMAIN}")).expect("test JID"),
        password: PasswordSource::Literal(Secret::new("alice-pw".into())),
        resource: Some("rosterm".into()),
        server: None,
        port: None,
        tls: TlsMode::StartTls,
        ca_file: Some(server.ca_file.clone()),
        cert_fingerprint: None,
        keepalive: rosterm::config::DEFAULT_KEEPALIVE,
        dns_server: Some(dns),
        name: format!("alice@{DOMAIN}"),
        presence: Default::default(),
    }
}

fn online(s: &rosterm::store::State) -> bool {
    s.primary().connection == ConnState::Online && s.primary().roster_loaded
}

#[tokio::test]
async fn srv_goes_past_a_refused_and_a_black_holed_target_to_the_next_priority() {
    let server = prosody();
    let hole = BlackHole::new();
    let refused = closed_port();
    let dns = Dnsmasq::start(&[
        srv_host(10, "refused.example.test", refused),
        srv_host(20, "hole.example.test", hole.port),
        srv_host(30, "xmpp.example.test", server.port),
        host_record("refused.example.test"),
        host_record("hole.example.test"),
        host_record("xmpp.example.test"),
    ]);
    let mut alice = Client::start_account(
        srv_account(&server, dns.addr),
        "alice-pw",
        OwnPresence::default(),
    );
    alice.until("online through the third target", online).await;
    let first_failure = alice.log.iter().find_map(|e| match e {
        rosterm::event::SessionEvent::Connection(ConnState::Reconnecting { reason, .. }) => {
            Some(reason.clone())
        }
        _ => None,
    });
    assert_eq!(first_failure, None, "logged in at the first attempt");
    alice.stop();
}

#[tokio::test]
async fn srv_failure_names_every_target_tried_and_why() {
    let hole = BlackHole::new();
    let refused = closed_port();
    let dns = Dnsmasq::start(&[
        srv_host(10, "hole.example.test", hole.port),
        srv_host(20, "refused.example.test", refused),
        host_record("hole.example.test"),
        host_record("refused.example.test"),
    ]);
    let server = prosody();
    let mut alice = Client::start_account(
        srv_account(&server, dns.addr),
        "alice-pw",
        OwnPresence::default(),
    );
    alice
        .until("a failure naming both targets", |s| {
            matches!(&s.primary().connection, ConnState::Reconnecting { reason, .. } if reason.contains("tried"))
        })
        .await;
    let ConnState::Reconnecting { reason, .. } = &alice.state.primary().connection else {
        unreachable!()
    };
    assert_eq!(
        reason,
        &format!(
            "Cannot connect to example.test: tried hole.example.test:{} (timed out), refused.example.test:{refused} (connection refused).",
            hole.port
        )
    );
    alice.stop();
}

#[tokio::test]
async fn srv_lone_dot_target_is_one_fatal_sentence_and_no_retries() {
    let server = prosody();
    let dns = Dnsmasq::start(&[format!("--srv-host=_xmpp-client._tcp.{DOMAIN}")]);
    let mut alice = Client::start_account(
        srv_account(&server, dns.addr),
        "alice-pw",
        OwnPresence::default(),
    );
    alice
        .until("failed", |s| {
            matches!(s.primary().connection, ConnState::Failed { .. })
        })
        .await;
    let ConnState::Failed { reason } = &alice.state.primary().connection else {
        unreachable!()
    };
    assert!(
        reason.starts_with("example.test says it offers no XMPP client service (SRV target \".\")"),
        "{reason}"
    );
    // Fatal: rosterm waits for /reconnect instead of asking again and again.
    alice.settle(Duration::from_secs(3)).await;
    assert!(matches!(
        alice.state.primary().connection,
        ConnState::Failed { .. }
    ));
    assert_eq!(dns.srv_queries(), 1, "{}", dns.log());
    alice.stop();
}

/// Answers every SRV query with `srv` in the order given (dnsmasq rotates its answers), and
/// every A query with 127.0.0.1.
struct FixedDns {
    addr: SocketAddr,
}

impl FixedDns {
    async fn start(srv: Vec<(u16, &'static str, u16)>) -> FixedDns {
        use hickory_resolver::proto::op::{Message, MessageType, ResponseCode};
        use hickory_resolver::proto::rr::rdata::{A, SRV};
        use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
        let socket = tokio::net::UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("bind UDP");
        let addr = socket.local_addr().expect("addr");
        tokio::spawn(async move {
            let mut buf = [0u8; 1500];
            while let Ok((n, from)) = socket.recv_from(&mut buf).await {
                let Ok(query) = Message::from_vec(&buf[..n]) else {
                    continue;
                };
                let mut reply = Message::response(query.metadata.id, query.metadata.op_code);
                reply.metadata.message_type = MessageType::Response;
                reply.metadata.recursion_desired = query.metadata.recursion_desired;
                reply.metadata.recursion_available = true;
                reply.metadata.authoritative = true;
                reply.metadata.response_code = ResponseCode::NoError;
                for q in &query.queries {
                    reply.add_query(q.clone());
                    let name = q.name.clone();
                    match q.query_type {
                        RecordType::SRV => {
                            for (priority, target, port) in &srv {
                                let target = Name::from_ascii(target).expect("name");
                                let data = RData::SRV(SRV::new(*priority, 0, *port, target));
                                reply.add_answer(Record::from_rdata(name.clone(), 60, data));
                            }
                        }
                        RecordType::A => {
                            let data = RData::A(A(Ipv4Addr::LOCALHOST));
                            reply.add_answer(Record::from_rdata(name, 60, data));
                        }
                        _ => {}
                    }
                }
                if let Ok(bytes) = reply.to_vec() {
                    let _ = socket.send_to(&bytes, from).await;
                }
            }
        });
        FixedDns { addr }
    }
}

#[tokio::test]
async fn srv_tries_the_lowest_priority_number_first_whatever_the_answer_order() {
    let server = prosody();
    let decoy = Counter::bind(Ipv4Addr::LOCALHOST, 0).await.expect("bind");
    // Answer order: priority 20 (a listener that counts and hangs up) before priority 10.
    let dns = FixedDns::start(vec![
        (20, "decoy.example.test.", decoy.port),
        (10, "xmpp.example.test.", server.port),
    ])
    .await;
    let mut alice = Client::start_account(
        srv_account(&server, dns.addr),
        "alice-pw",
        OwnPresence::default(),
    );
    alice.until("online", online).await;
    assert_eq!(decoy.count(), 0, "the priority-20 target was tried");
    alice.stop();
}

#[tokio::test]
async fn srv_dead_first_target_in_first_answer_place_still_leaves_time_for_the_next() {
    // The worst answer order, fixed: the black hole first (a connect that hangs for minutes
    // would use up the whole 12 s attempt, every attempt), then a refused port, then Prosody.
    let server = prosody();
    let hole = BlackHole::new();
    let refused = closed_port();
    let dns = FixedDns::start(vec![
        (10, "hole.example.test.", hole.port),
        (20, "refused.example.test.", refused),
        (30, "xmpp.example.test.", server.port),
    ])
    .await;
    let mut alice = Client::start_account(
        srv_account(&server, dns.addr),
        "alice-pw",
        OwnPresence::default(),
    );
    alice.until("online through the third target", online).await;
    assert_eq!(alice.sessions_started(), 1);
    let failures = alice
        .log
        .iter()
        .filter(|e| {
            matches!(
                e,
                rosterm::event::SessionEvent::Connection(ConnState::Reconnecting { .. })
            )
        })
        .count();
    assert_eq!(
        failures, 0,
        "logged in at the first attempt: {:?}",
        alice.log
    );
    alice.stop();
}

#[tokio::test]
async fn srv_without_records_falls_back_to_the_domain_on_port_5222() {
    // The domain's own address: somewhere in 127/8 (all of it is loopback on Linux) where
    // port 5222 is free, so this test owns DOMAIN:5222 without needing 127.0.0.1:5222.
    let mut counter = None;
    for i in 0..50u32 {
        let n = (std::process::id().wrapping_add(i * 7919)) % 250 + 2;
        let ip = Ipv4Addr::new(127, 53, (n % 200) as u8 + 1, n as u8);
        if let Ok(c) = Counter::bind(ip, 5222).await {
            counter = Some((ip, c));
            break;
        }
    }
    let (ip, counter) = counter.expect("a free 127.x.y.z:5222");
    let dns = Dnsmasq::start(&[format!("--host-record={DOMAIN},{ip}")]);
    let server = prosody();
    let mut alice = Client::start_account(
        srv_account(&server, dns.addr),
        "alice-pw",
        OwnPresence::default(),
    );
    // The counter hangs up, so rosterm keeps retrying; it is enough that it came. (The
    // first attempt may fail before it gets there, e.g. while dnsmasq is still starting on
    // a loaded machine: the retries that follow must reach it.)
    alice
        .until("a failed attempt", |s| {
            matches!(s.primary().connection, ConnState::Reconnecting { .. })
        })
        .await;
    for _ in 0..600 {
        if counter.count() >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        counter.count() >= 1,
        "nothing connected to {ip}:5222 (DOMAIN's address); state {:?}\n{}",
        alice.state.primary().connection,
        dns.log()
    );
    assert!(dns.log().contains("query[SRV]"), "{}", dns.log());
    alice.stop();
}

#[tokio::test]
async fn srv_attempt_that_runs_out_of_time_names_the_targets_it_gave_up_on() {
    // Four dead targets at 4 s each do not fit in one 12 s attempt.
    let hole = BlackHole::new();
    let mut records = Vec::new();
    for i in 1..=4u16 {
        records.push(srv_host(
            i * 10,
            &format!("hole{i}.example.test"),
            hole.port,
        ));
        records.push(host_record(&format!("hole{i}.example.test")));
    }
    let dns = Dnsmasq::start(&records);
    let server = prosody();
    let mut alice = Client::start_account(
        srv_account(&server, dns.addr),
        "alice-pw",
        OwnPresence::default(),
    );
    alice
        .until("a failed attempt", |s| {
            matches!(s.primary().connection, ConnState::Reconnecting { .. })
        })
        .await;
    let ConnState::Reconnecting { reason, .. } = &alice.state.primary().connection else {
        unreachable!()
    };
    let port = hole.port;
    assert!(
        reason.starts_with(&format!(
            "Cannot connect to example.test: tried hole1.example.test:{port} (timed out), hole2.example.test:{port} (timed out)"
        )),
        "{reason}"
    );
    assert!(reason.ends_with("; no answer within 12 s."), "{reason}");
    alice.stop();
}
