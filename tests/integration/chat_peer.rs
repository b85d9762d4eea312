//! A real chat client as the peer: `tests/peers/chat.py` (Debian's python3-slixmpp) answers
//! receipt requests on its own (XEP-0184 auto-ack), reports each message it receives, and
//! sends raw XML it is given.

#![allow(dead_code)]

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use crate::harness::Server;
use crate::peer::WAIT;

/// One message the peer received: its fields (see chat.py).
pub type Received = HashMap<String, String>;

pub struct ChatPeer {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Lines<BufReader<ChildStdout>>,
    /// Everything received so far and not yet taken by `wait_for`.
    pub received: Vec<Received>,
    pub jid: String,
}

fn unescape(v: &str) -> String {
    let mut out = String::new();
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            },
            (c, false) => out.push(c),
        }
    }
    out
}

fn parse(line: &str) -> Received {
    line.split('\t')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), unescape(v)))
        .collect()
}

impl ChatPeer {
    /// Logs in as `user/resource` (password `<user>-pw`); returns once its presence is out.
    pub async fn connect(server: &Server, user: &str, resource: &str, carbons: bool) -> ChatPeer {
        let extra: &[&str] = if carbons { &["carbons"] } else { &[] };
        ChatPeer::connect_script(server, user, resource, "chat.py", extra).await
    }

    /// Like [`ChatPeer::connect`], running another script of `tests/peers` that speaks the
    /// same lines (`presence.py`), with its extra arguments.
    pub async fn connect_script(
        server: &Server,
        user: &str,
        resource: &str,
        script: &str,
        extra: &[&str],
    ) -> ChatPeer {
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/peers")
            .join(script);
        let jid = format!("{user}@{}/{resource}", server.domain);
        let mut cmd = Command::new("/usr/bin/python3");
        cmd.arg(script)
            .arg(&jid)
            .arg(format!("{user}-pw"))
            .arg(server.port.to_string())
            .arg(&server.ca_file)
            .args(extra);
        ChatPeer::spawn(cmd, jid).await
    }

    /// The XEP-0114 component `demo/gateway.py` (the demo's gateway too) as `server`'s component domain, a
    /// XEP-0100 gateway to a network of type `type_` named `name`; returns once connected.
    pub async fn gateway(server: &Server, type_: &str, name: &str) -> ChatPeer {
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/gateway.py");
        let mut cmd = Command::new("/usr/bin/python3");
        cmd.arg(script)
            .arg(&server.component_domain)
            .arg(&server.component_secret)
            .arg(server.component_port.to_string())
            .args([type_, name]);
        ChatPeer::spawn(cmd, server.component_domain.clone()).await
    }

    /// Runs a peer script and waits for its "ready" line.
    async fn spawn(mut cmd: Command, jid: String) -> ChatPeer {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 with slixmpp");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout");
        let mut peer = ChatPeer {
            child,
            stdin,
            lines: BufReader::new(stdout).lines(),
            received: Vec::new(),
            jid,
        };
        let ready = tokio::time::timeout(WAIT, async {
            while let Ok(Some(line)) = peer.lines.next_line().await {
                if line == "ready" {
                    return true;
                }
                peer.received.push(parse(&line));
            }
            false
        })
        .await;
        assert!(
            matches!(ready, Ok(true)),
            "the peer {} did not log in",
            peer.jid
        );
        peer
    }

    /// Sends one stanza written as XML (one line).
    pub async fn send_xml(&mut self, xml: &str) {
        let stdin = self.stdin.as_mut().expect("peer still open");
        stdin
            .write_all(format!("{}\n", xml.replace('\n', " ")).as_bytes())
            .await
            .expect("write to chat.py");
        stdin.flush().await.expect("flush chat.py");
    }

    /// Waits for a received message matching `pred` (looking at what already came first).
    pub async fn wait_for(&mut self, what: &str, pred: impl Fn(&Received) -> bool) -> Received {
        if let Some(pos) = self.received.iter().position(&pred) {
            return self.received.remove(pos);
        }
        let found = tokio::time::timeout(WAIT, async {
            while let Ok(Some(line)) = self.lines.next_line().await {
                let m = parse(&line);
                if pred(&m) {
                    return Some(m);
                }
                self.received.push(m);
            }
            None
        })
        .await;
        match found {
            Ok(Some(m)) => m,
            _ => panic!(
                "{} never received {what}; got {:?}",
                self.jid, self.received
            ),
        }
    }

    /// Collects what arrives during `d` (to count, or to see that something did not).
    pub async fn drain_for(&mut self, d: Duration) {
        let _ = tokio::time::timeout(d, async {
            while let Ok(Some(line)) = self.lines.next_line().await {
                self.received.push(parse(&line));
            }
        })
        .await;
    }

    /// Disconnects (stdin closed: chat.py signs off) and waits for it to exit.
    pub async fn close(mut self) {
        self.stdin = None;
        let _ = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
    }
}
