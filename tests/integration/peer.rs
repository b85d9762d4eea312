//! A scripted peer: a second account logged in with tokio-xmpp's `StanzaStream` (over
//! rosterm's TLS connector, so it trusts the test CA), sending raw stanzas and recording what
//! it receives.

#![allow(dead_code)]

use std::time::Duration;

use futures::StreamExt;
use jid::{BareJid, Jid};
use rosterm::config::{Account, PasswordSource, Secret, TlsMode};
use rosterm::session::connect::{login, timeouts, RostermConnector};
use tokio_xmpp::stanzastream::{Event, StanzaStream, StreamEvent};
use xmpp_parsers::minidom::Element;
use xmpp_parsers::stanza::Stanza;

use crate::harness::Server;

/// Generous bound for anything to arrive over loopback; tests never assert on speed.
/// (Longer than rosterm's 30 s request timeout, which one test waits for.)
pub const WAIT: Duration = Duration::from_secs(45);

pub struct Peer {
    stream: StanzaStream,
    pub jid: Jid,
    /// Everything received so far.
    pub received: Vec<Stanza>,
}

pub fn account(server: &Server, user: &str, resource: Option<&str>) -> Account {
    Account {
        jid: BareJid::new(&format!("{user}@{}", server.domain)).expect("test JID"),
        password: PasswordSource::Literal(Secret::new(format!("{user}-pw"))),
        resource: resource.map(str::to_owned),
        server: Some("127.0.0.1".into()),
        port: Some(server.port),
        tls: TlsMode::StartTls,
        ca_file: Some(server.ca_file.clone()),
        cert_fingerprint: None,
        keepalive: rosterm::config::DEFAULT_KEEPALIVE,
        dns_server: None,
        name: format!("{user}@{}", server.domain),
        presence: Default::default(),
    }
}

impl Peer {
    /// Logs in as `user` (password `<user>-pw`) with `resource`; returns once bound.
    pub async fn connect(server: &Server, user: &str, resource: &str) -> Peer {
        let account = account(server, user, Some(resource));
        let (connector, _) = RostermConnector::for_account(&account).expect("test CA loads");
        let password = Secret::new(format!("{user}-pw"));
        let jid = account.jid.clone();
        let resource_owned = resource.to_owned();
        let stream = StanzaStream::new(
            Box::new(move |_, slot| {
                let connector = connector.clone();
                let jid = jid.clone();
                let password = password.clone();
                let resource = resource_owned.clone();
                tokio::spawn(async move {
                    match login(&connector, &jid, Some(&resource), &password, timeouts(60)).await {
                        Ok(conn) => {
                            let _ = slot.send(conn);
                        }
                        Err(e) => panic!("peer login failed: {e}"),
                    }
                });
            }),
            64,
        );
        let mut peer = Peer {
            stream,
            jid: Jid::new(&format!("{user}@{}/{resource}", server.domain)).unwrap(),
            received: Vec::new(),
        };
        let bound = tokio::time::timeout(WAIT, async {
            loop {
                match peer.stream.next().await {
                    Some(Event::Stream(StreamEvent::Reset { bound_jid, .. })) => break bound_jid,
                    Some(Event::Stanza(s)) => peer.received.push(s),
                    Some(_) => {}
                    None => panic!("peer stream ended before binding"),
                }
            }
        })
        .await
        .expect("peer bound in time");
        peer.jid = bound;
        peer
    }

    pub async fn send(&self, stanza: Stanza) {
        self.stream.send(Box::new(stanza)).await;
    }

    /// Sends a stanza written as XML (the default namespace is added).
    pub async fn send_xml(&self, xml: &str) {
        let el: Element = xml
            .parse()
            .unwrap_or_else(|e| panic!("bad test XML {xml}: {e}"));
        let stanza = Stanza::try_from(el).unwrap_or_else(|e| panic!("not a stanza {xml}: {e}"));
        self.send(stanza).await;
    }

    /// Broadcasts presence: `show` "" for online.
    pub async fn presence(&self, show: &str, status: &str, priority: i8) {
        let show = if show.is_empty() {
            String::new()
        } else {
            format!("<show>{show}</show>")
        };
        let status = if status.is_empty() {
            String::new()
        } else {
            format!("<status>{status}</status>")
        };
        self.send_xml(&format!("<presence xmlns='jabber:client'>{show}{status}<priority>{priority}</priority></presence>")).await;
    }

    /// Waits for a stanza matching `pred` (looking at what already arrived first).
    pub async fn wait_for(&mut self, what: &str, pred: impl Fn(&Stanza) -> bool) -> Stanza {
        if let Some(pos) = self.received.iter().position(&pred) {
            return self.received.remove(pos);
        }
        let result = tokio::time::timeout(WAIT, async {
            loop {
                match self.stream.next().await {
                    Some(Event::Stanza(s)) if pred(&s) => break s,
                    Some(Event::Stanza(s)) => self.received.push(s),
                    Some(_) => {}
                    None => panic!("peer stream ended while waiting for {what}"),
                }
            }
        })
        .await;
        result.unwrap_or_else(|_| {
            panic!(
                "peer did not receive {what} within {WAIT:?}; got {:?}",
                self.received
            )
        })
    }

    /// The next stanza from the server (None when the stream ended).
    pub async fn next_stanza(&mut self) -> Option<Stanza> {
        loop {
            match self.stream.next().await? {
                Event::Stanza(s) => return Some(s),
                Event::Stream(_) => {}
            }
        }
    }

    /// Collects whatever arrives during `d` (to check that something did NOT arrive).
    pub async fn drain_for(&mut self, d: Duration) {
        let _ = tokio::time::timeout(d, async {
            while let Some(ev) = self.stream.next().await {
                if let Event::Stanza(s) = ev {
                    self.received.push(s);
                }
            }
        })
        .await;
    }

    pub async fn close(self) {
        let _ = tokio::time::timeout(Duration::from_secs(5), self.stream.close()).await;
    }
}

/// Presence stanza accessors for assertions.
pub fn presence_from<'a>(
    s: &'a Stanza,
    from: &str,
) -> Option<&'a xmpp_parsers::presence::Presence> {
    match s {
        Stanza::Presence(p) if p.from.as_ref().is_some_and(|f| f.as_str() == from) => Some(p),
        _ => None,
    }
}

/// Sends raw XML lines (even ones xmpp-parsers would refuse to build) as `user/raw`, over
/// one connection and in order, with `tests/peers/raw.py` (Debian's python3-slixmpp).
pub fn send_raw(server: &Server, user: &str, lines: &[String]) {
    let mut child = spawn_raw(server, user, lines, 0.3);
    assert!(
        child.wait().expect("raw.py ran").success(),
        "raw.py could not log in or send"
    );
}

/// Like [`send_raw`], but stays connected for `linger` seconds after sending (so the last
/// presence stays current) and does not wait: the caller owns the process.
pub fn spawn_raw(
    server: &Server,
    user: &str,
    lines: &[String],
    linger: f64,
) -> std::process::Child {
    use std::io::Write;
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/raw.py");
    let mut child = std::process::Command::new("/usr/bin/python3")
        .arg(script)
        .arg(format!("{user}@{}/raw", server.domain))
        .arg(format!("{user}-pw"))
        .arg(server.port.to_string())
        .arg(&server.ca_file)
        .arg(linger.to_string())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("python3 with slixmpp (scripts/test installs python3-slixmpp)");
    let mut stdin = child.stdin.take().expect("stdin");
    for line in lines {
        writeln!(stdin, "{line}").expect("write to raw.py");
    }
    drop(stdin);
    child
}

/// A mutually subscribed roster entry in the group Friends.
pub fn mutual(jid: &str, name: &str) -> crate::harness::RosterEntry {
    crate::harness::RosterEntry {
        jid: jid.into(),
        name: Some(name.into()),
        groups: vec!["Friends".into()],
        subscription: "both",
        ask: None,
    }
}
