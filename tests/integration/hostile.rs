//! Hostile input through a real server: stanzas nested tens of thousands of levels deep.
//!
//! Without the sieve (`rosterm::session::sieve`), xmpp-parsers' (xso's) stanza builder costs
//! time quadratic in the depth (30,000 levels: ~37 s of CPU in a release build, during which
//! no other presence is shown; three in a row: ~2 min) and its recursion needs ~2.8 KB of
//! stack per level in a debug build. The sieve removes every element nested more than
//! `MAX_DEPTH` levels below its stanza before tokio-xmpp parses the bytes, keeps the rest of
//! the stanza, and notes it; the session thread's large stack (`NETWORK_STACK`) stays as a
//! second line of defence.
//!
//! How deep can it get? Prosody 0.12 caps a client's stanzas at 256 KiB (c2s: 38,000 levels
//! pass) and a component's or remote server's at 512 KiB, but its own serializer fails
//! between 70,000 levels (forwarded) and 74,800. This test sends 30,000 levels (210 KB), the
//! case that froze presence for everyone.
//!
//! The sender is an XEP-0114 component writing raw bytes on plain TCP, so nothing on the
//! sending side parses or serializes the deep element. Prosody parses and re-serializes it
//! on the way.

use std::time::Duration;

use jid::BareJid;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use rosterm::event::{PresenceChange, SessionEvent};

use rosterm::domain::ConnState;
use rosterm::domain::OwnPresence;
use rosterm::store::State;

use crate::client::Client;
use crate::harness::Server;

/// Nesting depth of each hostile payload (`<a>` and `</a>` cost 7 bytes a level).
const DEPTH: usize = 30_000;
/// Generous bound for the component's reads (tests never assert on speed).
const DEEP_WAIT: Duration = Duration::from_secs(300);
const FROM: &str = "deep@bots.localhost/x";
const TO: &str = "alice@localhost/rosterm";
const MARKER: &str = "after the deep stanzas";

/// A logged-in XEP-0114 component connection: raw bytes out, raw bytes in.
pub struct Component {
    stream: TcpStream,
    received: Vec<u8>,
}

impl Component {
    pub async fn connect(server: &Server) -> Component {
        let stream = TcpStream::connect(("127.0.0.1", server.component_port))
            .await
            .expect("component port");
        let mut c = Component {
            stream,
            received: Vec::new(),
        };
        c.send(&format!(
            "<stream:stream xmlns='jabber:component:accept' \
             xmlns:stream='http://etherx.jabber.org/streams' to='{}'>",
            server.component_domain
        ))
        .await;
        let header = c
            .read_until("the stream header", |t| {
                t.split("<stream:stream")
                    .nth(1)
                    .is_some_and(|h| h.contains('>'))
            })
            .await;
        let id = header
            .split("<stream:stream")
            .nth(1)
            .and_then(|h| h.split(" id=").nth(1))
            .and_then(|rest| rest.get(1..))
            .and_then(|rest| rest.split(['\'', '"']).next())
            .expect("stream id");
        let digest = ring::digest::digest(
            &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            format!("{id}{}", server.component_secret).as_bytes(),
        );
        let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        c.send(&format!("<handshake>{hex}</handshake>")).await;
        c.read_until("the handshake", |t| t.contains("<handshake"))
            .await;
        c
    }

    pub async fn send(&mut self, xml: &str) {
        self.stream.write_all(xml.as_bytes()).await.expect("write");
    }

    /// Reads until `done` holds for everything received so far, and returns that.
    pub async fn read_until(&mut self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = tokio::time::Instant::now() + DEEP_WAIT;
        loop {
            let text = String::from_utf8_lossy(&self.received).into_owned();
            if done(&text) {
                return text;
            }
            let mut buf = [0u8; 4096];
            let n = tokio::time::timeout_at(deadline, self.stream.read(&mut buf))
                .await
                .unwrap_or_else(|_| panic!("component never received {what}: {text}"))
                .expect("read");
            assert!(n > 0, "component stream closed before {what}: {text}");
            self.received.extend_from_slice(&buf[..n]);
        }
    }
}

/// `<a xmlns='urn:example:deep'><a>…</a></a>`: `DEPTH` levels, the namespace inherited.
fn deep() -> String {
    format!(
        "<a xmlns='urn:example:deep'>{}{}",
        "<a>".repeat(DEPTH - 1),
        "</a>".repeat(DEPTH)
    )
}

fn sender_status(s: &State) -> Option<&str> {
    s.primary()
        .roster
        .get(&BareJid::new("deep@bots.localhost").unwrap())
        .and_then(|c| c.resources.get("x"))
        .map(|r| r.status.as_str())
}

#[tokio::test]
async fn deeply_nested_stanzas_do_not_kill_the_session() {
    // Without archives: Prosody's mod_mam would drop the deep message instead of passing it on.
    let server = Server::start_with(crate::harness::Options {
        mam: false,
        ..Default::default()
    });
    server.register("alice", "alice-pw");
    let mut alice = Client::start(&server, "alice", "alice-pw", OwnPresence::default());
    alice
        .until("online with roster", |s| {
            s.primary().connection == ConnState::Online && s.primary().roster_loaded
        })
        .await;
    let mut component = Component::connect(&server).await;
    let deep = deep();

    // A deep message (ignored by rosterm, but parsed and dropped), a deep presence (translated
    // into the store), then a deep IQ that rosterm must answer: stanzas are handled in order,
    // so the answer proves all three went through the network thread.
    component
        .send(&format!(
            "<message from='{FROM}' to='{TO}' type='chat'><body>x</body>{deep}</message>\
             <presence from='{FROM}' to='{TO}'><status>deep 1</status>{deep}</presence>\
             <presence from='{FROM}' to='{TO}'><status>deep 2</status>{deep}</presence>\
             <presence from='{FROM}' to='{TO}'><status>deep</status>{deep}</presence>\
             <iq from='{FROM}' to='{TO}' type='get' id='deep-iq'>{deep}</iq>"
        ))
        .await;
    // If rosterm's network thread overflowed its stack, this test binary has aborted by now.
    let replies = component
        .read_until("the IQ answer", |t| t.contains("id='deep-iq'"))
        .await;
    let answer = &replies[replies.find("<iq").expect("an IQ answer")..];
    assert!(
        answer.contains("type='error'") && answer.contains("service-unavailable"),
        "{answer}"
    );
    assert!(answer.len() < 1000, "the deep payload was echoed back");

    // The store took the deep presence, and still takes presence after it.
    component
        .send(&format!(
            "<presence from='{FROM}' to='{TO}'><status>{MARKER}</status></presence>"
        ))
        .await;
    alice
        .until("the marker after the deep stanzas", |s| {
            sender_status(s) == Some(MARKER)
        })
        .await;
    assert!(
        alice.log.iter().any(|e| matches!(e,
            SessionEvent::Presence { change: PresenceChange::Available { status, .. }, .. }
                if status == "deep")),
        "the deep presence never reached the store: {:?}",
        alice.log
    );

    // Each deep payload was cut by the sieve (3 presences, the message and the IQ), and the
    // user was told.
    // The store adds up every InputCleaned event.
    let repaired = alice.state.primary().input_repaired;
    assert_eq!(repaired, 5, "{:?}", alice.log);
    assert!(
        alice
            .state
            .ui
            .message
            .as_ref()
            .is_some_and(|(m, _)| m.contains("nested over")),
        "{:?}",
        alice.state.ui.message
    );

    // One session throughout: no reconnect papered over a dead stream.
    let sessions = alice
        .log
        .iter()
        .filter(|e| matches!(e, SessionEvent::SessionStarted { .. }))
        .count();
    assert_eq!(sessions, 1, "{:?}", alice.log);
    assert!(
        !alice.log.iter().any(|e| matches!(
            e,
            SessionEvent::Connection(ConnState::Reconnecting { .. } | ConnState::Failed { .. })
        )),
        "{:?}",
        alice.log
    );
    assert!(!alice.handle.thread.is_finished(), "network thread ended");
    assert_eq!(alice.state.primary().connection, ConnState::Online);
    // Prosody took all of it: nothing refused, no error in its log.
    let log = server.log();
    for refusal in ["too big", "not-well-formed", "Traceback", "error\t"] {
        assert!(!log.contains(refusal), "prosody: {refusal}\n{log}");
    }
    alice.stop();
}
