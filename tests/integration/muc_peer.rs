//! A real room occupant as the peer: `tests/peers/muc.py` (Debian's python3-slixmpp and its
//! XEP-0045 plugin) joins, kicks, configures and destroys rooms as it is told, and reports
//! every presence and message it receives.

#![allow(dead_code)]

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use crate::harness::Server;
use crate::peer::WAIT;

/// One report: its fields (see muc.py).
pub type Report = HashMap<String, String>;

pub struct MucPeer {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Lines<BufReader<ChildStdout>>,
    /// Reports not yet taken by `wait_for`.
    pub received: Vec<Report>,
    pub jid: String,
}

fn unescape(v: &str) -> String {
    let mut out = String::new();
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn parse(line: &str) -> Report {
    line.split('\t')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), unescape(v)))
        .collect()
}

impl MucPeer {
    /// Logs in as `user/muc` (password `<user>-pw`); returns once its presence is out.
    pub async fn connect(server: &Server, user: &str) -> MucPeer {
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/muc.py");
        let jid = format!("{user}@{}/muc", server.domain);
        let mut child = Command::new("/usr/bin/python3")
            .arg(script)
            .arg(&jid)
            .arg(format!("{user}-pw"))
            .arg(server.port.to_string())
            .arg(&server.ca_file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 with slixmpp");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout");
        let mut peer = MucPeer {
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
            }
            false
        })
        .await;
        assert!(
            matches!(ready, Ok(true)),
            "muc.py {} did not log in",
            peer.jid
        );
        peer
    }

    /// Sends one command line (see muc.py).
    pub async fn command(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("peer still open");
        stdin
            .write_all(format!("{}\n", line.replace('\n', " ")).as_bytes())
            .await
            .expect("write to muc.py");
        stdin.flush().await.expect("flush muc.py");
    }

    /// Runs a command that reports `done` (join, kick, password, destroy) and waits for it.
    pub async fn run(&mut self, line: &str) {
        self.command(line).await;
        let cmd = line.split(' ').next().unwrap_or_default().to_owned();
        let report = self
            .wait_for(&format!("{line:?} done"), |r| {
                matches!(r.get("kind").map(String::as_str), Some("done" | "failed"))
                    && r.get("cmd") == Some(&cmd)
            })
            .await;
        assert_eq!(report["kind"], "done", "{line}: {report:?}");
    }

    /// Waits for a report matching `pred` (looking at what already came first).
    pub async fn wait_for(&mut self, what: &str, pred: impl Fn(&Report) -> bool) -> Report {
        if let Some(pos) = self.received.iter().position(&pred) {
            return self.received.remove(pos);
        }
        let found = tokio::time::timeout(WAIT, async {
            while let Ok(Some(line)) = self.lines.next_line().await {
                let r = parse(&line);
                if pred(&r) {
                    return Some(r);
                }
                self.received.push(r);
            }
            None
        })
        .await;
        match found {
            Ok(Some(r)) => r,
            _ => panic!(
                "{} never received {what}; got {:?}",
                self.jid, self.received
            ),
        }
    }

    /// Waits for a presence from `from` matching `pred`.
    pub async fn presence_from(&mut self, from: &str, pred: impl Fn(&Report) -> bool) -> Report {
        self.wait_for(&format!("presence from {from}"), |r| {
            r.get("kind").map(String::as_str) == Some("presence")
                && r.get("from").map(String::as_str) == Some(from)
                && pred(r)
        })
        .await
    }

    /// Disconnects (stdin closed: muc.py signs off) and waits for it to exit.
    pub async fn close(mut self) {
        self.stdin = None;
        let _ = tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await;
    }
}

/// A report's field, or "" when absent.
pub fn field<'a>(r: &'a Report, key: &str) -> &'a str {
    r.get(key).map_or("", String::as_str)
}
