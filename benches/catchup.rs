//! End-to-end archive catch-up benchmark (XEP-0313).
//!
//! A real Prosody (the test harness) with mod_mam. Alice's other client (`alice/other`) is
//! online while bob sends her N messages, so they go to her archive (not to offline
//! storage). Then rosterm's session logs in as `alice/rosterm` with the archive id of the
//! message before them as its cursor, and catches up: pages of the archive until complete.
//! Measured: wall time from the new session to the end of the catch-up, messages/s, and CPU
//! per message of the whole process and of the network thread alone (the peers in this
//! process are idle meanwhile); every message is applied to a `State` as the app would.
//!
//! Run: `cargo bench --bench catchup -- --count 10000` (default 10,000). Under `cargo test`
//! it runs a small smoke size. Results: stdout, and one JSON line appended to
//! target/catchup-results.jsonl.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    clippy::cognitive_complexity
)] // a benchmark: a panic is a failed run

#[path = "../tests/integration/harness.rs"]
mod harness;
#[path = "../tests/integration/peer.rs"]
mod peer;
#[path = "support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use harness::{Options, RosterEntry, Server};
use rosterm::config::Secret;
use rosterm::domain::{AccountId, OwnPresence, Via};
use rosterm::event::SessionEvent;
use rosterm::session::connect::RostermConnector;
use rosterm::session::{spawn, SessionSetup};
use rosterm::store::State;
use xmpp_parsers::stanza::Stanza;

const A0: AccountId = AccountId(0);

use support::stat_cpu_us;

fn process_cpu_us() -> u64 {
    stat_cpu_us(&std::fs::read_to_string("/proc/self/stat").unwrap_or_default())
}

/// CPU of the threads named `name` (the session's network thread: "rosterm-net").
fn thread_cpu_us(name: &str) -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .filter_map(Result::ok)
        .filter(|t| std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.trim() == name))
        .map(|t| stat_cpu_us(&std::fs::read_to_string(t.path().join("stat")).unwrap_or_default()))
        .sum()
}

/// The archive id the server put on a message (XEP-0359, by alice's bare JID).
fn stanza_id(stanza: &Stanza) -> Option<String> {
    let Stanza::Message(m) = stanza else {
        return None;
    };
    m.payloads
        .iter()
        .find(|p| p.is("stanza-id", "urn:xmpp:sid:0") && p.attr("by") == Some("alice@localhost"))
        .and_then(|p| p.attr("id"))
        .map(str::to_owned)
}

fn count() -> usize {
    let args = support::Args::get();
    if !args.bench() {
        return std::env::var("CATCHUP_COUNT")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(300);
    }
    args.number("--count", 10_000)
}

fn main() {
    let n = count();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run(n));
}

async fn run(n: usize) {
    let server = Server::start_with(Options {
        log_level: "warn",
        ..Options::default()
    });
    server.register("alice", "alice-pw");
    server.register("bob", "bob-pw");
    let both = |jid: &str| RosterEntry {
        jid: jid.into(),
        name: None,
        groups: vec![],
        subscription: "both",
        ask: None,
    };
    server.set_roster("alice", &[both("bob@localhost")]);
    server.set_roster("bob", &[both("alice@localhost")]);
    let mut other = peer::Peer::connect(&server, "alice", "other").await;
    other.presence("", "", 0).await;
    let bob = peer::Peer::connect(&server, "bob", "bench").await;
    bob.presence("", "", 0).await;

    // The cursor: the archive id of one message before the N.
    bob.send_xml("<message xmlns='jabber:client' to='alice@localhost' type='chat'><body>cursor</body></message>").await;
    let first = other
        .wait_for("the cursor message", |s| stanza_id(s).is_some())
        .await;
    let cursor = stanza_id(&first).unwrap();
    let sending = Instant::now();
    for i in 0..n {
        bob.send_xml(&format!(
            "<message xmlns='jabber:client' to='alice@localhost' type='chat' id='m{i}'><body>message {i}: the quick brown fox jumps over the lazy dog</body></message>"
        ))
        .await;
    }
    let last = format!("m{}", n - 1);
    other
        .wait_for(
            "the last message archived",
            |s| matches!(s, Stanza::Message(m) if m.id.as_ref().is_some_and(|id| id.0 == last)),
        )
        .await;
    eprintln!(
        "sent and archived {n} messages in {:.1} s",
        sending.elapsed().as_secs_f64()
    );

    let account = peer::account(&server, "alice", Some("rosterm"));
    let (connector, probe) = RostermConnector::for_account(&account).expect("CA");
    let mut state = State::new(account.jid.clone(), OwnPresence::default());
    let (cpu0, net0) = (process_cpu_us(), thread_cpu_us("rosterm-net"));
    let mut handle = spawn(SessionSetup {
        account,
        password: Secret::new("alice-pw".into()),
        connector,
        probe,
        initial: OwnPresence::default(),
        nick: None,
        roster_ver: None,
        history: None,
        archive_after: Some(cursor),
        caps: Vec::new(),
    })
    .expect("session");
    let mut started = None;
    let mut archived = 0usize;
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let ev = tokio::time::timeout_at(deadline.into(), handle.events.recv())
            .await
            .expect("the catch-up ends within 10 minutes")
            .expect("the session runs");
        match &ev {
            SessionEvent::SessionStarted { .. } => started = Some(Instant::now()),
            SessionEvent::Message(m) if m.via == Via::Archive => archived += 1,
            SessionEvent::ArchivePage { with: None, .. } => {
                state.apply(A0, ev);
                break;
            }
            _ => {}
        }
        state.apply(A0, ev);
    }
    let wall = started.expect("a session").elapsed();
    let (cpu, net) = (process_cpu_us() - cpu0, thread_cpu_us("rosterm-net") - net0);
    let _ = handle.commands.send(rosterm::event::Command::Disconnect);
    assert_eq!(archived, n, "every message since the cursor, once");
    let shown: usize = state.chats.iter().map(|c| c.lines.len()).sum();
    assert!(
        shown >= n.min(rosterm::store::chat::KEEP),
        "{shown} lines in the conversation"
    );
    let per_s = n as f64 / wall.as_secs_f64();
    let line = format!(
        "{{\"count\":{n},\"wall_ms\":{},\"messages_per_s\":{per_s:.0},\"cpu_us_per_message\":{:.1},\"net_thread_cpu_us_per_message\":{:.1}}}",
        wall.as_millis(),
        cpu as f64 / n as f64,
        net as f64 / n as f64
    );
    println!("catch-up: {line}");
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/catchup-results.jsonl");
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(out)
    {
        use std::io::Write;
        let _ = writeln!(f, "{line}");
    }
    other.close().await;
    bob.close().await;
}
